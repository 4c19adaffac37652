import { APP_SUBNET, healthyInternal, ids } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** The internal app tier with an NVA subnet, and a route table on the app subnet that sends egress and on-prem traffic to `hop`. */
function appTierRoutedVia(hop: string) {
  return healthyInternal()
    .vnet(
      "vnet-app",
      ["10.1.0.0/16"],
      [
        { name: "snet-app", prefix: "10.1.0.0/24", nsg: "nsg-app" },
        { name: "snet-nva", prefix: "10.1.1.0/24" },
        { name: "AzureFirewallSubnet", prefix: "10.1.255.0/26" },
      ],
    )
    .routeTable("rt-app", [
      { name: "default-via-nva", prefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIp: hop },
      { name: "onprem-via-nva", prefix: "192.168.0.0/16", nextHopType: "VirtualAppliance", nextHopIp: hop },
    ])
    .subnetRouteTable(APP_SUBNET, "rt-app");
}

/** The highly available NVA guidance's HA design: NVAs behind an internal Standard LB with an HA-ports rule; the routes point at its frontend. */
function nvasBehindIlb(nvas: string[]) {
  const s = appTierRoutedVia("10.1.1.100")
    .lb("lb-nva", {
      frontends: [{ name: "fe-nva", subnet: "vnet-app/snet-nva", privateIp: "10.1.1.100" }],
      pools: ["pool-nva"],
      probes: [{ name: "probe-nva", protocol: "Tcp", port: 22 }],
      rules: [{ name: "ha-ports", frontend: "fe-nva", pool: "pool-nva", probe: "probe-nva", protocol: "All", frontendPort: 0 }],
    })
    .availabilitySet("avset-nva");
  for (const [i, name] of nvas.entries()) {
    s.vm(name, {
      subnet: "vnet-app/snet-nva",
      ip: `10.1.1.${4 + i}`,
      pools: ["lb-nva/pool-nva"],
      availabilitySet: "avset-nva",
      enableIPForwarding: true,
    });
  }
  return s;
}

export const cases: RuleCases = {
  valid: [
    {
      name: "the highly available NVA guidance HA: two NVAs behind an internal LB with HA ports, routes to its frontend",
      snapshot: nvasBehindIlb(["nva1", "nva2"]).build(),
    },
    { name: "the next hop is Azure Firewall (managed, highly available)", snapshot: appTierRoutedVia("10.1.255.4").build() },
  ],
  invalid: [
    {
      name: "app tier loses egress and on-prem whenever nva1 reboots for patching: both routes point at its own IP",
      snapshot: appTierRoutedVia("10.1.1.4").vm("nva1", { subnet: "vnet-app/snet-nva", ip: "10.1.1.4", enableIPForwarding: true }).build(),
      errors: [{ messageId: "single", resourceId: ids.nic("nva1-nic"), severity: "medium" }],
    },
    {
      name: "the highly available NVA guidance active-passive pair: routes point at nva1, nva2 waits in the same availability set",
      snapshot: appTierRoutedVia("10.1.1.4")
        .availabilitySet("avset-nva")
        .vm("nva1", { subnet: "vnet-app/snet-nva", ip: "10.1.1.4", availabilitySet: "avset-nva", enableIPForwarding: true })
        .vm("nva2", { subnet: "vnet-app/snet-nva", ip: "10.1.1.5", availabilitySet: "avset-nva", enableIPForwarding: true })
        .build(),
      errors: [{ messageId: "activePassive", resourceId: ids.nic("nva1-nic"), severity: "low" }],
    },
    {
      name: "an internal LB in front of only one NVA",
      snapshot: nvasBehindIlb(["nva1"]).build(),
      errors: [{ messageId: "singleBehindLb", resourceId: ids.lb("lb-nva") }],
    },
    {
      name: "two route tables (app and data subnets) point at the same single NVA: one finding",
      snapshot: appTierRoutedVia("10.1.1.4")
        .vm("nva1", { subnet: "vnet-app/snet-nva", ip: "10.1.1.4", enableIPForwarding: true })
        .routeTable("rt-data", [
          { name: "onprem-via-nva", prefix: "192.168.0.0/16", nextHopType: "VirtualAppliance", nextHopIp: "10.1.1.4" },
        ])
        .build(),
      errors: [{ messageId: "single", resourceId: ids.nic("nva1-nic") }],
    },
    {
      name: "the internal LB's pool holds two NICs of one NVA: still one appliance, a single point of failure",
      snapshot: appTierRoutedVia("10.1.1.100")
        .lb("lb-nva", {
          frontends: [{ name: "fe-nva", subnet: "vnet-app/snet-nva", privateIp: "10.1.1.100" }],
          pools: ["pool-nva"],
          probes: [{ name: "probe-nva", protocol: "Tcp", port: 22 }],
          rules: [{ name: "ha-ports", frontend: "fe-nva", pool: "pool-nva", probe: "probe-nva", protocol: "All", frontendPort: 0 }],
        })
        .vm("nva1", {
          subnet: "vnet-app/snet-nva",
          ip: "10.1.1.4",
          pools: ["lb-nva/pool-nva"],
          enableIPForwarding: true,
          extraNics: [{ subnet: "vnet-app/snet-nva", ip: "10.1.1.14", pools: ["lb-nva/pool-nva"], enableIPForwarding: true }],
        })
        .build(),
      errors: [{ messageId: "singleBehindLb", resourceId: ids.lb("lb-nva") }],
    },
    {
      name: "an active-passive pair whose passive NVA's VM and NIC sit in another resource group: the new load balancer's pool goes by id",
      snapshot: JSON.parse(
        JSON.stringify(
          appTierRoutedVia("10.1.1.4")
            .availabilitySet("avset-nva")
            .vm("nva1", { subnet: "vnet-app/snet-nva", ip: "10.1.1.4", availabilitySet: "avset-nva", enableIPForwarding: true })
            .vm("nva2", { subnet: "vnet-app/snet-nva", ip: "10.1.1.5", availabilitySet: "avset-nva", enableIPForwarding: true })
            .build(),
        )
          .replaceAll(ids.nic("nva2-nic"), ids.nic("nva2-nic").replace("/resourceGroups/ra-multi-vm-rg/", "/resourceGroups/rg-nva2/"))
          .replaceAll(ids.vm("nva2"), ids.vm("nva2").replace("/resourceGroups/ra-multi-vm-rg/", "/resourceGroups/rg-nva2/")),
      ),
      errors: [{ messageId: "activePassive", resourceId: ids.nic("nva1-nic"), severity: "low" }],
    },
    {
      name: "an internal LB in front of one NVA, a forwarding partner next to it in another resource group: its pool goes by id",
      snapshot: JSON.parse(
        JSON.stringify(
          nvasBehindIlb(["nva1"])
            .vm("nva2", { subnet: "vnet-app/snet-nva", ip: "10.1.1.9", availabilitySet: "avset-nva", enableIPForwarding: true })
            .build(),
        )
          .replaceAll(ids.nic("nva2-nic"), ids.nic("nva2-nic").replace("/resourceGroups/ra-multi-vm-rg/", "/resourceGroups/rg-nva2/"))
          .replaceAll(ids.vm("nva2"), ids.vm("nva2").replace("/resourceGroups/ra-multi-vm-rg/", "/resourceGroups/rg-nva2/")),
      ),
      errors: [{ messageId: "singleBehindLb", resourceId: ids.lb("lb-nva") }],
    },
    {
      name: "two spokes in two subscriptions, each with a route table of the same group and name, route to one NVA: one finding",
      snapshot: (() => {
        const snap = appTierRoutedVia("10.1.1.4")
          .vm("nva1", { subnet: "vnet-app/snet-nva", ip: "10.1.1.4", enableIPForwarding: true })
          .build();
        const table = snap.resources.find((r) => r.id === ids.routeTable("rt-app"));
        const other = JSON.parse(
          JSON.stringify(table).replaceAll(
            "/subscriptions/00000000-0000-0000-0000-0000000000aa/",
            "/subscriptions/00000000-0000-0000-0000-0000000000bb/",
          ),
        );
        other.properties.subnets = [];
        snap.resources.push(other);
        return snap;
      })(),
      errors: [{ messageId: "single", resourceId: ids.nic("nva1-nic") }],
    },
  ],
  unknown: [
    {
      name: "the NVA lives in a hub VNet that was not collected",
      snapshot: appTierRoutedVia("10.100.0.4").build(),
      reason: "may live in another resource group or VNet",
    },
    {
      name: "the next hop is an internal LB frontend with no members in the snapshot",
      snapshot: nvasBehindIlb([]).build(),
      reason: "no pool member",
    },
  ],
  notApplicable: [
    {
      name: "no VirtualAppliance route (the app subnet uses system routes)",
      snapshot: healthyInternal().build(),
    },
  ],
};
