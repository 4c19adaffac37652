import {
  type AzureScenario,
  azure,
  healthyInternal,
  healthyWeb,
  ids,
  P,
  rgId,
  WEB_LB,
  WEB_SUBNET,
} from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const POOL = `${WEB_LB}/pool-web`;

/** The reference architecture's network and public LB, with no VM yet. */
function webLb(): AzureScenario {
  return azure()
    .nsg("nsg-web", [{ name: "allow-http", priority: 1000, source: "Internet", ports: "80" }])
    .vnet("vnet-web", ["10.0.0.0/16"], [{ name: "snet-web", prefix: "10.0.0.0/24", nsg: "nsg-web" }])
    .publicIp("pip-lb-web", { ip: "20.50.60.70" })
    .availabilitySet("avset-web")
    .lb(WEB_LB, {
      frontends: [{ name: "fe-web", publicIp: "pip-lb-web" }],
      pools: ["pool-web"],
      probes: [{ name: "probe-http", protocol: "Http", port: 80, path: "/" }],
      rules: [{ name: "rule-http", frontend: "fe-web", pool: "pool-web", probe: "probe-http", frontendPort: 80 }],
    });
}

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: two running VMs in one availability set", snapshot: healthyWeb().build() },
    { name: "internal LB with two running app VMs", snapshot: healthyInternal().build() },
    {
      name: "three members, one deallocated: two still serve",
      snapshot: healthyWeb()
        .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", pools: [POOL], availabilitySet: "avset-web", power: "deallocated" })
        .build(),
    },
    {
      name: "an IP-based pool of two addresses (their state is not visible, so they count)",
      snapshot: webLb()
        .edit(ids.lb(WEB_LB), (r) => {
          const pool = (P(r).backendAddressPools as Array<{ properties: Record<string, unknown> }>)[0];
          if (pool)
            pool.properties.loadBalancerBackendAddresses = ["10.0.0.20", "10.0.0.21"].map((ip, i) => ({
              name: `addr-${i + 1}`,
              properties: { ipAddress: ip, virtualNetwork: { id: `${rgId()}/providers/Microsoft.Network/virtualNetworks/vnet-web` } },
            }));
        })
        .build(),
    },
    {
      name: "a scale set with two running instances",
      snapshot: webLb()
        .vmss("vmss-web")
        .vm("vmss-web_0", { subnet: WEB_SUBNET, ip: "10.0.0.10", pools: [POOL], vmss: { name: "vmss-web", instanceId: "0" } })
        .vm("vmss-web_1", { subnet: WEB_SUBNET, ip: "10.0.0.11", pools: [POOL], vmss: { name: "vmss-web", instanceId: "1" } })
        .build(),
    },
  ],
  invalid: [
    {
      name: "vm2 left deallocated after patching: vm1 carries all of port 80 alone",
      snapshot: healthyWeb()
        .power("vm2", "deallocated")
        .ruleHealth(WEB_LB, "rule-http", [{ vm: "vm1", state: "Up" }])
        .build(),
      errors: [{ messageId: "single", resourceId: ids.pool(WEB_LB, "pool-web"), severity: "medium" }],
    },
    {
      name: "only one VM was ever deployed into the availability set: create a second one there",
      snapshot: webLb()
        .vm("vm1", { subnet: WEB_SUBNET, ip: "10.0.0.4", pools: [POOL], availabilitySet: "avset-web" })
        .build(),
      errors: [{ messageId: "single" }],
    },
    {
      name: "both VMs deallocated: nothing serves (high)",
      snapshot: healthyWeb().power("vm1", "deallocated").power("vm2", "stopped").build(),
      errors: [{ messageId: "none", severity: "high" }],
    },
    {
      name: "a second member that is a NIC left behind by a deleted VM does not count",
      snapshot: webLb()
        .vm("vm1", { subnet: WEB_SUBNET, ip: "10.0.0.4", pools: [POOL], availabilitySet: "avset-web" })
        .nic({ name: "vm-old-nic", subnet: WEB_SUBNET, ip: "10.0.0.9", pools: [POOL] })
        .build(),
      errors: [{ messageId: "single" }],
    },
    {
      name: "a scale set scaled in to one instance",
      snapshot: webLb()
        .vmss("vmss-web")
        .vm("vmss-web_0", { subnet: WEB_SUBNET, ip: "10.0.0.10", pools: [POOL], vmss: { name: "vmss-web", instanceId: "0" } })
        .build(),
      errors: [{ messageId: "single" }],
    },
    {
      name: "vm1 deallocated, vm2 without instance view: at most one can serve",
      snapshot: healthyWeb().power("vm1", "deallocated").power("vm2", null).build(),
      errors: [{ messageId: "atMostOne", severity: "medium" }],
    },
    {
      name: "vm2 runs but is set to admin state Down: it takes no new connections, so vm1 serves alone",
      snapshot: healthyWeb().adminState(WEB_LB, "pool-web", { vm: "vm2" }, "Down").build(),
      errors: [{ messageId: "single", resourceId: ids.pool(WEB_LB, "pool-web"), severity: "medium" }],
    },
    {
      name: "one VM with two NICs in the pool is still one machine: a single point of failure",
      snapshot: webLb()
        .vm("vm1", {
          subnet: WEB_SUBNET,
          ip: "10.0.0.4",
          pools: [POOL],
          availabilitySet: "avset-web",
          extraNics: [{ subnet: WEB_SUBNET, ip: "10.0.0.14", pools: [POOL] }],
        })
        .build(),
      errors: [{ messageId: "single", resourceId: ids.pool(WEB_LB, "pool-web"), severity: "medium" }],
    },
    {
      name: "a lone zonal VM: the second one goes to another zone",
      snapshot: webLb()
        .vm("web1", { subnet: WEB_SUBNET, ip: "10.0.0.4", pools: [POOL], zones: ["1"] })
        .build(),
      errors: [{ messageId: "single" }],
    },
  ],
  unknown: [
    {
      name: "vm1 runs, vm2 has no instance view: cannot tell whether two serve",
      snapshot: healthyWeb().power("vm2", null).build(),
      reason: "no power state",
    },
    {
      name: "listing VMs failed: the NICs point at VMs the snapshot lacks",
      snapshot: healthyWeb()
        .remove(ids.vm("vm1"))
        .remove(ids.vm("vm2"))
        .gap({
          operation: "virtualMachines.list",
          resourceId: rgId(),
          status: 403,
          code: "AuthorizationFailed",
          message: "no read permission",
        })
        .build(),
      reason: "virtualMachines.list",
    },
  ],
  notApplicable: [
    {
      name: "an empty pool is backend-pool-empty's finding",
      snapshot: webLb().build(),
    },
  ],
};
