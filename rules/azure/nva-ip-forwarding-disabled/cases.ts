import { APP_SUBNET, healthyInternal, ids } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/**
 * The internal app tier (10.1.0.0/24 behind lb-internal) with a new NVA subnet,
 * and a route table on the app subnet that sends everything leaving the VNet
 * through `hop`.
 */
function appTierRoutedVia(hop: string, routes: Array<{ name: string; prefix: string; nextHopType: string; nextHopIp?: string }> = []) {
  return healthyInternal()
    .vnet(
      "vnet-app",
      ["10.1.0.0/16"],
      [
        { name: "snet-app", prefix: "10.1.0.0/24", nsg: "nsg-app" },
        { name: "snet-nva", prefix: "10.1.1.0/24" },
      ],
    )
    .routeTable("rt-app", [
      { name: "default-via-nva", prefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIp: hop },
      { name: "onprem-via-nva", prefix: "192.168.0.0/16", nextHopType: "VirtualAppliance", nextHopIp: hop },
      ...routes,
    ])
    .subnetRouteTable(APP_SUBNET, "rt-app");
}

/** The highly available NVA guidance's HA design: two NVAs behind an internal Standard LB with an HA-ports rule; the route points at its frontend. */
function haNvaPair(nva2Forwarding: boolean) {
  return appTierRoutedVia("10.1.1.100")
    .lb("lb-nva", {
      frontends: [{ name: "fe-nva", subnet: "vnet-app/snet-nva", privateIp: "10.1.1.100" }],
      pools: ["pool-nva"],
      probes: [{ name: "probe-nva", protocol: "Tcp", port: 22 }],
      rules: [{ name: "ha-ports", frontend: "fe-nva", pool: "pool-nva", probe: "probe-nva", protocol: "All", frontendPort: 0 }],
    })
    .availabilitySet("avset-nva")
    .vm("nva1", {
      subnet: "vnet-app/snet-nva",
      ip: "10.1.1.4",
      pools: ["lb-nva/pool-nva"],
      availabilitySet: "avset-nva",
      enableIPForwarding: true,
    })
    .vm("nva2", {
      subnet: "vnet-app/snet-nva",
      ip: "10.1.1.5",
      pools: ["lb-nva/pool-nva"],
      availabilitySet: "avset-nva",
      enableIPForwarding: nva2Forwarding,
    });
}

export const cases: RuleCases = {
  valid: [
    {
      name: "single NVA with IP forwarding enabled",
      snapshot: appTierRoutedVia("10.1.1.4").vm("nva1", { subnet: "vnet-app/snet-nva", ip: "10.1.1.4", enableIPForwarding: true }).build(),
    },
    { name: "the highly available NVA guidance HA pair behind an internal LB, both NICs forward", snapshot: haNvaPair(true).build() },
  ],
  invalid: [
    {
      name: "app tier loses all egress once rt-app is attached: the NVA nva1 was deployed without IP forwarding",
      snapshot: appTierRoutedVia("10.1.1.4").vm("nva1", { subnet: "vnet-app/snet-nva", ip: "10.1.1.4", enableIPForwarding: false }).build(),
      errors: [{ messageId: "disabled", resourceId: ids.nic("nva1-nic"), severity: "high" }],
    },
    {
      name: "the highly available NVA guidance HA pair behind an internal LB: nva2 was rebuilt without IP forwarding",
      snapshot: haNvaPair(false).build(),
      errors: [{ messageId: "lbMemberDisabled", resourceId: ids.nic("nva2-nic") }],
    },
    {
      name: "NVA in a scale set: the instance NIC has IP forwarding off",
      snapshot: appTierRoutedVia("10.1.1.4")
        .vmss("vmss-nva")
        .vm("nva", { vmss: { name: "vmss-nva", instanceId: "0" }, subnet: "vnet-app/snet-nva", ip: "10.1.1.4" })
        .build(),
      errors: [{ messageId: "disabled" }],
    },
    {
      name: "a route table not attached yet (a staged change) already points at a NIC without forwarding",
      snapshot: healthyInternal()
        .routeTable("rt-staged", [{ name: "to-nva", prefix: "10.9.0.0/16", nextHopType: "VirtualAppliance", nextHopIp: "10.1.0.50" }])
        .nic({ name: "nva-staged-nic", subnet: APP_SUBNET, ip: "10.1.0.50" })
        .build(),
      errors: [{ messageId: "disabled", resourceId: ids.nic("nva-staged-nic") }],
    },
  ],
  unknown: [
    {
      name: "the NVA lives in a hub VNet that was not collected",
      snapshot: appTierRoutedVia("10.100.0.4").build(),
      reason: "may live in another resource group or VNet",
    },
    {
      name: "the NVA is missing because listing network interfaces failed",
      snapshot: appTierRoutedVia("10.1.1.4")
        .gap({ operation: "networkInterfaces.list", status: 403, code: "AuthorizationFailed", message: "no read access to NICs" })
        .build(),
      reason: "listing network interfaces failed",
    },
    {
      name: "two NICs in different VNets hold the next-hop IP and the table serves no subnet",
      snapshot: healthyInternal()
        .vnet("vnet-other", ["10.1.0.0/16"], [{ name: "snet-x", prefix: "10.1.0.0/24" }])
        .routeTable("rt-loose", [{ name: "to-nva", prefix: "10.9.0.0/16", nextHopType: "VirtualAppliance", nextHopIp: "10.1.0.60" }])
        .nic({ name: "nic-a", subnet: APP_SUBNET, ip: "10.1.0.60" })
        .nic({ name: "nic-b", subnet: "vnet-other/snet-x", ip: "10.1.0.60", enableIPForwarding: true })
        .build(),
      reason: "Several NICs",
    },
    {
      name: "the next hop is an internal LB frontend with an empty pool",
      snapshot: appTierRoutedVia("10.1.1.100")
        .lb("lb-nva", {
          frontends: [{ name: "fe-nva", subnet: "vnet-app/snet-nva", privateIp: "10.1.1.100" }],
          pools: ["pool-nva"],
          rules: [{ name: "ha-ports", frontend: "fe-nva", pool: "pool-nva", protocol: "All", frontendPort: 0 }],
        })
        .build(),
      reason: "no NIC in its pools",
    },
  ],
  notApplicable: [
    {
      name: "no VirtualAppliance route anywhere (0.0.0.0/0 to Internet)",
      snapshot: healthyInternal()
        .routeTable("rt-app", [{ name: "default", prefix: "0.0.0.0/0", nextHopType: "Internet" }])
        .subnetRouteTable(APP_SUBNET, "rt-app")
        .build(),
    },
    {
      name: "the next hop is Azure Firewall (an address in AzureFirewallSubnet)",
      snapshot: healthyInternal()
        .vnet(
          "vnet-app",
          ["10.1.0.0/16"],
          [
            { name: "snet-app", prefix: "10.1.0.0/24", nsg: "nsg-app" },
            { name: "AzureFirewallSubnet", prefix: "10.1.255.0/26" },
          ],
        )
        .routeTable("rt-app", [{ name: "default-via-fw", prefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIp: "10.1.255.4" }])
        .subnetRouteTable(APP_SUBNET, "rt-app")
        .build(),
    },
  ],
};
