import {
  type AzureScenario,
  azure,
  healthyInternal,
  healthyWeb,
  ids,
  netId,
  P,
  rgId,
  WEB_LB,
  WEB_SUBNET,
} from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const POOL = `${WEB_LB}/pool-web`;

/** The reference architecture for load-balanced VMs as its 2016 template deployed it: a Basic LB on a Basic, dynamic public IP, two VMs in one availability set. */
function basicWeb(): AzureScenario {
  return azure()
    .nsg("nsg-web", [{ name: "allow-http", priority: 1000, source: "Internet", ports: "80" }])
    .vnet("vnet-web", ["10.0.0.0/16"], [{ name: "snet-web", prefix: "10.0.0.0/24", nsg: "nsg-web" }])
    .publicIp("pip-lb-web", { sku: "Basic", ip: "40.68.10.20" })
    .availabilitySet("avset-web")
    .lb(WEB_LB, {
      sku: "Basic",
      frontends: [{ name: "fe-web", publicIp: "pip-lb-web" }],
      pools: ["pool-web"],
      probes: [{ name: "probe-http", protocol: "Http", port: 80, path: "/" }],
      rules: [{ name: "rule-http", frontend: "fe-web", pool: "pool-web", probe: "probe-http", frontendPort: 80 }],
      natRules: [
        { name: "nat-ssh-vm1", frontend: "fe-web", frontendPort: 50001, backendPort: 22, target: "vm1" },
        { name: "nat-ssh-vm2", frontend: "fe-web", frontendPort: 50002, backendPort: 22, target: "vm2" },
      ],
    })
    .vm("vm1", { subnet: WEB_SUBNET, ip: "10.0.0.4", pools: [POOL], availabilitySet: "avset-web" })
    .vm("vm2", { subnet: WEB_SUBNET, ip: "10.0.0.5", pools: [POOL], availabilitySet: "avset-web" });
}

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture on Standard: Standard LB, Standard public IP", snapshot: healthyWeb().build() },
    { name: "internal Standard LB (no public IP)", snapshot: healthyInternal().build() },
    {
      name: "a Gateway SKU load balancer is not Basic",
      snapshot: healthyInternal()
        .edit(ids.lb("lb-internal"), (r) => {
          r.sku = { name: "Gateway", tier: "Regional" };
        })
        .build(),
    },
  ],
  invalid: [
    {
      name: "the reference architecture for load-balanced VMs as deployed in 2016: Basic LB on a Basic dynamic public IP, never migrated",
      snapshot: basicWeb().build(),
      errors: [
        { messageId: "basicLb", resourceId: ids.lb(WEB_LB), severity: "high" },
        { messageId: "basicPip", resourceId: ids.publicIp("pip-lb-web"), severity: "high" },
      ],
    },
    {
      name: "an internal load balancer with no sku on the wire is Basic",
      snapshot: healthyInternal()
        .edit(ids.lb("lb-internal"), (r) => {
          delete r.sku;
        })
        .build(),
      errors: [{ messageId: "basicLb", resourceId: ids.lb("lb-internal") }],
    },
    {
      name: "Standard LB, but vm1 keeps a Basic public IP for administration",
      snapshot: healthyWeb()
        .publicIp("pip-vm1", { sku: "Basic", ip: "40.68.10.31" })
        .edit(ids.nic("vm1-nic"), (r) => {
          for (const c of P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)
            c.properties.publicIPAddress = { id: ids.publicIp("pip-vm1") };
        })
        .build(),
      errors: [{ messageId: "basicPip", resourceId: ids.publicIp("pip-vm1") }],
    },
    {
      name: "a leftover Basic dynamic public IP attached to nothing",
      snapshot: healthyWeb().publicIp("pip-old", { sku: "Basic" }).build(),
      errors: [{ messageId: "basicPip", resourceId: ids.publicIp("pip-old") }],
    },
    {
      name: "a Basic public IP that reports a VPN gateway as its owner",
      snapshot: healthyWeb()
        .publicIp("pip-vpn", { sku: "Basic", ip: "40.68.10.40" })
        .edit(ids.publicIp("pip-vpn"), (r) => {
          P(r).ipConfiguration = { id: `${netId("virtualNetworkGateways", "vgw-web")}/ipConfigurations/default` };
        })
        .build(),
      errors: [{ messageId: "basicPip", resourceId: ids.publicIp("pip-vpn") }],
    },
  ],
  unknown: [
    {
      name: "a public IP without sku in the snapshot",
      snapshot: healthyWeb()
        .edit(ids.publicIp("pip-lb-web"), (r) => {
          delete r.sku;
        })
        .build(),
      reason: "no sku",
    },
    {
      name: "listing public IPs failed",
      snapshot: healthyInternal()
        .gap({
          operation: "publicIPAddresses.list",
          resourceId: rgId(),
          status: 403,
          code: "AuthorizationFailed",
          message: "no read permission",
        })
        .build(),
      reason: "publicIPAddresses.list",
    },
  ],
  notApplicable: [
    {
      name: "no load balancer and no public IP",
      snapshot: azure()
        .vnet("vnet-x", ["10.9.0.0/16"], [{ name: "s", prefix: "10.9.0.0/24" }])
        .build(),
    },
  ],
};
