import {
  type AzureScenario,
  healthyInternal,
  healthyWeb,
  ids,
  P,
  rgId,
  SUB,
  WEB_LB,
  WEB_SUBNET,
} from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** healthyWeb with the web subnet's NSG detached. */
const noSubnetNsg = () => healthyWeb().subnetNsg(WEB_SUBNET, null);

/** Drops a NIC's load balancer references: a case that removes a load balancer takes its members' references with it. */
const leaveLoadBalancers = (r: Parameters<typeof P>[0]) => {
  for (const ipc of P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)
    Object.assign(ipc.properties, { loadBalancerBackendAddressPools: [], loadBalancerInboundNatRules: [] });
};

/** The scenario as a snapshot collected through Resource Graph over its subscription (docs/resource-graph.md: the scope it records). */
const viaGraph = (scenario: AzureScenario) => {
  const snapshot = scenario.build();
  snapshot.scope = { source: "resource-graph", subscriptionId: SUB, subscriptionIds: [SUB], deep: false };
  return snapshot;
};

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: nsg-web on the web subnet", snapshot: healthyWeb().build() },
    {
      name: "no subnet NSG, but each NIC has its own NSG",
      snapshot: noSubnetNsg()
        .nsg("nsg-nic", [{ name: "allow-http", priority: 1000, source: "Internet", ports: "80" }])
        .edit(ids.nic("vm1-nic"), (r) => {
          P(r).networkSecurityGroup = { id: ids.nsg("nsg-nic") };
        })
        .edit(ids.nic("vm2-nic"), (r) => {
          P(r).networkSecurityGroup = { id: ids.nsg("nsg-nic") };
        })
        .build(),
    },
    {
      name: "the subnet's NSG lives outside the snapshot: an NSG is attached all the same",
      snapshot: healthyWeb().remove(ids.nsg("nsg-web")).build(),
    },
    {
      name: "listing the NSGs failed, but the subnet names its NSG: an NSG is attached, which is all this rule asks",
      snapshot: healthyWeb()
        .remove(ids.nsg("nsg-web"))
        .gap({ operation: "networkSecurityGroups.list", resourceId: rgId(), status: 403, code: "AuthorizationFailed", message: "denied" })
        .build(),
    },
    { name: "Resource Graph snapshot: the subnet's NSG is in the listing of its subscription", snapshot: viaGraph(healthyWeb()) },
  ],
  invalid: [
    {
      name: "the web subnet's NSG was detached: the Standard public LB now admits no client traffic",
      snapshot: noSubnetNsg().build(),
      errors: [
        { messageId: "noNsg", resourceId: ids.nic("vm1-nic") },
        { messageId: "noNsg", resourceId: ids.nic("vm2-nic") },
      ],
    },
    {
      name: "no NSG on the web subnet, and NSGs nsg-snet-web and nsg-snet-web-lb exist unattached: the fix creates neither",
      snapshot: noSubnetNsg().nsg("nsg-snet-web").nsg("nsg-snet-web-lb").build(),
      errors: [
        { messageId: "noNsg", resourceId: ids.nic("vm1-nic") },
        { messageId: "noNsg", resourceId: ids.nic("vm2-nic") },
      ],
    },
    {
      name: "no NSG on the web subnet, and listing the resource group's NSGs failed: the fix's NSG name is a placeholder",
      snapshot: noSubnetNsg()
        .remove(ids.nsg("nsg-web"))
        .gap({ operation: "networkSecurityGroups.list", resourceId: rgId(), status: 403, code: "AuthorizationFailed", message: "denied" })
        .build(),
      errors: [
        { messageId: "noNsg", resourceId: ids.nic("vm1-nic") },
        { messageId: "noNsg", resourceId: ids.nic("vm2-nic") },
      ],
    },
    {
      name: "one NIC has an NSG, the other VM has none on NIC or subnet",
      snapshot: noSubnetNsg()
        .nsg("nsg-vm1", [{ name: "allow-http", priority: 1000, source: "Internet", ports: "80" }])
        .edit(ids.nic("vm1-nic"), (r) => {
          P(r).networkSecurityGroup = { id: ids.nsg("nsg-vm1") };
        })
        .build(),
      errors: [{ messageId: "noNsg", resourceId: ids.nic("vm2-nic") }],
    },
    {
      name: "a third VM joined the pool from the management subnet, which has no NSG",
      snapshot: healthyWeb()
        .vm("vm3", { subnet: "vnet-web/snet-mgmt", ip: "10.0.1.4", pools: [`${WEB_LB}/pool-web`], availabilitySet: "avset-web" })
        .build(),
      errors: [{ messageId: "noNsg", resourceId: ids.nic("vm3-nic") }],
    },
    {
      name: "no NSG on the web subnet, whose VNet is in resource group net-rg, outside the snapshot's scope: its NSGs were never listed",
      snapshot: JSON.parse(
        JSON.stringify(noSubnetNsg().build()).replaceAll(
          "/resourceGroups/ra-multi-vm-rg/providers/Microsoft.Network/virtualNetworks/",
          "/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/",
        ),
      ),
      errors: [
        { messageId: "noNsg", resourceId: ids.nic("vm1-nic") },
        { messageId: "noNsg", resourceId: ids.nic("vm2-nic") },
      ],
    },
    {
      name: "Resource Graph snapshot, no NSG on the web subnet nor the NICs: the fix names no NSG, since a Resource Graph listing may be partial",
      snapshot: viaGraph(noSubnetNsg()),
      errors: [
        { messageId: "noNsg", resourceId: ids.nic("vm1-nic") },
        { messageId: "noNsg", resourceId: ids.nic("vm2-nic") },
      ],
    },
  ],
  unknown: [
    {
      name: "no NIC NSG, and the VNet (with the subnet) is not in the snapshot",
      snapshot: healthyWeb()
        .remove(ids.subnet(WEB_SUBNET).split("/subnets/")[0] as string)
        .build(),
      reason: "not in the snapshot",
    },
    {
      name: "the VNet list failed (403), so the subnet and its NSG are unknown",
      snapshot: healthyWeb()
        .remove(ids.subnet(WEB_SUBNET).split("/subnets/")[0] as string)
        .gap({
          operation: "virtualNetworks.list",
          status: 403,
          code: "AuthorizationFailed",
          message: "the client has no read access to virtual networks",
        })
        .build(),
      reason: "virtualNetworks.list",
    },
    {
      name: "Resource Graph snapshot: the subnet names nsg-web, which the listing of its subscription does not hold (hidden from the caller, or deleted since)",
      snapshot: viaGraph(healthyWeb().remove(ids.nsg("nsg-web"))),
      reason: "collected through Resource Graph over subscription",
    },
    {
      name: "Resource Graph snapshot: no subnet NSG, and the NICs name an NSG the listing does not hold",
      snapshot: viaGraph(
        noSubnetNsg()
          .edit(ids.nic("vm1-nic"), (r) => {
            P(r).networkSecurityGroup = { id: ids.nsg("nsg-nic") };
          })
          .edit(ids.nic("vm2-nic"), (r) => {
            P(r).networkSecurityGroup = { id: ids.nsg("nsg-nic") };
          }),
      ),
      reason: "names NSG nsg-nic on its NIC vm1-nic",
    },
    {
      name: "Resource Graph snapshot: no NIC NSG, and the listing of the subscription holds no VNet for the subnet",
      snapshot: viaGraph(healthyWeb().remove(ids.vnet("vnet-web"))),
      reason: "the Resource Graph query over subscription",
    },
    {
      name: "Resource Graph snapshot whose query failed for the subscription: the failure is the reason, not a missing NSG",
      snapshot: viaGraph(
        healthyWeb()
          .remove(ids.nsg("nsg-web"))
          .gap({
            operation: "resourceGraph.resources",
            resourceId: `/subscriptions/${SUB}`,
            status: 403,
            code: "AuthorizationFailed",
            message: "no read on the subscription",
          }),
      ),
      reason: "resourceGraph.resources",
    },
  ],
  notApplicable: [
    {
      name: "a cross-region (Global tier) load balancer: its members are regional frontends, with no NIC or NSG to look for",
      snapshot: healthyWeb()
        .publicIp("pip-global", { ip: "20.90.1.1" })
        .lb("lb-global", {
          frontends: [{ name: "fe-global", publicIp: "pip-global" }],
          pools: ["pool-regions"],
          probes: [{ name: "probe-80", protocol: "Tcp", port: 80 }],
          rules: [{ name: "rule-global", frontend: "fe-global", pool: "pool-regions", probe: "probe-80", frontendPort: 80 }],
        })
        .edit(ids.lb("lb-global"), (r) => {
          r.sku = { name: "Standard", tier: "Global" };
          for (const p of P(r).backendAddressPools as Array<{ properties: Record<string, unknown> }>) {
            p.properties.loadBalancerBackendAddresses = [
              { name: "region-1", properties: { loadBalancerFrontendIPConfiguration: { id: ids.frontend(WEB_LB, "fe-web") } } },
            ];
          }
        })
        .remove(ids.lb(WEB_LB))
        .edit(ids.nic("vm1-nic"), leaveLoadBalancers)
        .edit(ids.nic("vm2-nic"), leaveLoadBalancers)
        .build(),
      messageId: "notInScope",
    },
    { name: "internal LB: not a public load balancer", snapshot: healthyInternal().subnetNsg("vnet-app/snet-app", null).build() },
    {
      name: "a (retired) Basic LB is open by default",
      snapshot: noSubnetNsg()
        .edit(ids.lb(WEB_LB), (r) => {
          r.sku = { name: "Basic", tier: "Regional" };
        })
        .build(),
    },
  ],
};
