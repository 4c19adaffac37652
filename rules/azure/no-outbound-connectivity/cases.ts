import { APP_SUBNET, azure, healthyInternal, healthyWeb, ids, P, WEB_LB, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** The internal reference scenario without its NAT gateway. */
const internalWithoutNat = () => healthyInternal().subnetProps(APP_SUBNET, { natGateway: undefined }).remove(ids.natGateway("natgw-app"));

/** An internal Standard LB whose pool is configured by IP address. */
const ipBasedPool = () =>
  internalWithoutNat().lb("lb-ip", {
    frontends: [{ name: "fe-ip", subnet: APP_SUBNET, privateIp: "10.1.0.200" }],
    pools: ["pool-ip"],
    probes: [{ name: "probe-ip", protocol: "Tcp", port: 8080 }],
    rules: [{ name: "rule-ip", frontend: "fe-ip", pool: "pool-ip", probe: "probe-ip", frontendPort: 8080 }],
    ipMembers: { "pool-ip": [{ name: "app3-address", ip: "10.1.0.6", vnet: "vnet-app" }] },
  });

/** A dual-stack public Standard LB: an IPv4 and an IPv6 frontend, pool and rule; vm1's primary (IPv4) and IPv6 ip configurations in them. */
const dualStackWeb = () =>
  azure()
    .nsg("nsg-web", [{ name: "allow-http", priority: 1000, source: "Internet", ports: "80" }])
    .vnet("vnet-web", ["10.0.0.0/16"], [{ name: "snet-web", prefix: "10.0.0.0/24", nsg: "nsg-web" }])
    .publicIp("pip-lb-web", { ip: "20.50.60.70" })
    .publicIp("pip-lb-web-v6", { ip: "2001:db8::70" })
    .lb(WEB_LB, {
      frontends: [
        { name: "fe-web", publicIp: "pip-lb-web" },
        { name: "fe-web-v6", publicIp: "pip-lb-web-v6" },
      ],
      pools: ["pool-web", "pool-web-v6"],
      probes: [{ name: "probe-http", protocol: "Tcp", port: 80 }],
      rules: [
        { name: "rule-http", frontend: "fe-web", pool: "pool-web", probe: "probe-http", frontendPort: 80, backendPort: 80 },
        { name: "rule-http-v6", frontend: "fe-web-v6", pool: "pool-web-v6", probe: "probe-http", frontendPort: 80, backendPort: 80 },
      ],
    })
    .vm("vm1", {
      subnet: WEB_SUBNET,
      ip: "10.0.0.4",
      pools: [`${WEB_LB}/pool-web`],
      secondary: [{ name: "ipconfig-v6", ip: "fd00::4", pools: [`${WEB_LB}/pool-web-v6`] }],
    });

/**
 * The dual-stack web scenario with no SNAT from the IPv6 rule, and a NAT gateway on snet-web: Standard with an IPv4 public
 * IP (the builder's default). The IPv4 member goes out through it (and rule-http's SNAT); the IPv6 one has nothing else.
 */
const dualStackBehindNat = () =>
  dualStackWeb()
    .lbRuleProps(WEB_LB, "rule-http-v6", { disableOutboundSnat: true })
    .publicIp("pip-natgw-web", { ip: "20.50.60.81" })
    .natGateway("natgw-web", [WEB_SUBNET], ["pip-natgw-web"]);

/** That NAT gateway as StandardV2, with a StandardV2 IPv6 public IP (a StandardV2 NAT gateway takes StandardV2 public IPs only). */
const dualStackBehindNatV2 = (v6: "address" | "none") =>
  dualStackBehindNat()
    .publicIp("pip-natgw-web-v6", { ip: "2001:db8::81" })
    .edit(ids.publicIp("pip-natgw-web"), (r) => {
      r.sku = { name: "StandardV2", tier: "Regional" };
    })
    .edit(ids.publicIp("pip-natgw-web-v6"), (r) => {
      r.sku = { name: "StandardV2", tier: "Regional" };
      P(r).publicIPAddressVersion = "IPv6";
    })
    .edit(ids.natGateway("natgw-web"), (r) => {
      r.sku = { name: "StandardV2" };
      if (v6 === "address") P(r).publicIpAddressesV6 = [{ id: ids.publicIp("pip-natgw-web-v6") }];
    });

/** The dual-stack web scenario with no SNAT from the IPv6 rule: the IPv6 ip configuration has no outbound path of its own. */
const dualStackNoV6Snat = () => dualStackWeb().lbRuleProps(WEB_LB, "rule-http-v6", { disableOutboundSnat: true });

/** snet-web's route table with one default route to a firewall appliance (10.0.255.4, or its IPv6 address for ::/0). */
const withDefaultRoute = (prefix: "0.0.0.0/0" | "::/0") =>
  dualStackNoV6Snat()
    .routeTable("rt-web", [
      {
        name: prefix === "::/0" ? "default-v6-to-fw" : "default-to-fw",
        prefix,
        nextHopType: "VirtualAppliance",
        nextHopIp: prefix === "::/0" ? "fd00:0:0:ff::4" : "10.0.255.4",
      },
    ])
    .subnetRouteTable(WEB_SUBNET, "rt-web");

/** A public IP (pip-vm1-v6, IPv4 address 20.50.60.95 unless given) on vm1's IPv6 ip configuration. */
const publicIpOnV6Config = (ip = "20.50.60.95") =>
  dualStackNoV6Snat()
    .publicIp("pip-vm1-v6", { ip })
    .edit(ids.nic("vm1-nic"), (r) => {
      const c = (P(r).ipConfigurations as Array<{ name: string; properties: Record<string, unknown> }>).find(
        (x) => x.name === "ipconfig-v6",
      );
      if (c) c.properties.publicIPAddress = { id: ids.publicIp("pip-vm1-v6") };
    });

export const cases: RuleCases = {
  valid: [
    { name: "public LB: the load-balancing rule's SNAT gives outbound", snapshot: healthyWeb().build() },
    { name: "internal LB with a NAT gateway on the subnet", snapshot: healthyInternal().build() },
    {
      name: "internal LB: instance-level public IPs",
      snapshot: internalWithoutNat()
        .publicIp("pip-app1", { ip: "20.50.60.91" })
        .publicIp("pip-app2", { ip: "20.50.60.92" })
        .edit(ids.nic("app1-nic"), (r) => {
          const c = (P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)[0];
          if (c) c.properties.publicIPAddress = { id: ids.publicIp("pip-app1") };
        })
        .edit(ids.nic("app2-nic"), (r) => {
          const c = (P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)[0];
          if (c) c.properties.publicIPAddress = { id: ids.publicIp("pip-app2") };
        })
        .build(),
    },
    {
      name: "public LB: disableOutboundSnat with an outbound rule for the pool",
      snapshot: healthyWeb()
        .lbRuleProps(WEB_LB, "rule-http", { disableOutboundSnat: true })
        .outboundRule(WEB_LB, { name: "outbound-web", frontends: ["fe-web"], pool: "pool-web" })
        .build(),
    },
    {
      name: "internal LB: the subnet's default route goes to a firewall",
      snapshot: internalWithoutNat()
        .routeTable("rt-app", [{ name: "default-to-fw", prefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIp: "10.1.255.4" }])
        .subnetRouteTable(APP_SUBNET, "rt-app")
        .build(),
    },
    {
      name: "dual-stack public LB: the IPv6 ip configuration (never the primary one) gets SNAT from the IPv6 load-balancing rule",
      snapshot: dualStackWeb().build(),
    },
    {
      name: "dual-stack: the IPv6 ip configuration goes out through the subnet's StandardV2 NAT gateway, which has an IPv6 public IP",
      snapshot: dualStackBehindNatV2("address").build(),
    },
    {
      name: "dual-stack: a ::/0 route to an appliance carries the IPv6 ip configuration's egress (the appliance must provide it)",
      snapshot: withDefaultRoute("::/0").build(),
    },
    {
      name: "dual-stack: an IPv6 public IP on the IPv6 ip configuration gives it egress",
      snapshot: publicIpOnV6Config("2001:db8::95").build(),
    },
    {
      name: "dual-stack: the public IP on the IPv6 ip configuration is not in the snapshot, and still its egress (Azure associates a public IP only with an ip configuration of its IP version)",
      snapshot: publicIpOnV6Config().remove(ids.publicIp("pip-vm1-v6")).build(),
    },
  ],
  invalid: [
    {
      name: "internal LB, no NAT gateway, no public IP: the NIC-based members have no outbound path",
      snapshot: internalWithoutNat().build(),
      errors: [
        { messageId: "none", resourceId: ids.nic("app1-nic") },
        { messageId: "none", resourceId: ids.nic("app2-nic") },
      ],
    },
    {
      name: "public LB with disableOutboundSnat and no outbound rule",
      snapshot: healthyWeb().lbRuleProps(WEB_LB, "rule-http", { disableOutboundSnat: true }).build(),
      errors: [
        { messageId: "none", resourceId: ids.nic("vm1-nic"), severity: "medium" },
        { messageId: "none", resourceId: ids.nic("vm2-nic") },
      ],
    },
    {
      name: "public LB: a secondary ip configuration in the pool gets no SNAT from the load-balancing rule (primary only)",
      snapshot: healthyWeb()
        .vm("vm3", {
          subnet: WEB_SUBNET,
          ip: "10.0.0.6",
          secondary: [{ name: "ipconfig2", ip: "10.0.0.16", pools: [`${WEB_LB}/pool-web`] }],
        })
        .build(),
      errors: [{ messageId: "none", resourceId: ids.nic("vm3-nic") }],
    },
    {
      name: "an IP-based member in a private subnet (defaultOutboundAccess false)",
      snapshot: ipBasedPool()
        .vm("app3", { subnet: APP_SUBNET, ip: "10.1.0.6" })
        .subnetProps(APP_SUBNET, { defaultOutboundAccess: false })
        .build(),
      errors: [
        { messageId: "none", resourceId: ids.nic("app1-nic") },
        { messageId: "none", resourceId: ids.nic("app2-nic") },
        { messageId: "none", resourceId: ids.nic("app3-nic") },
      ],
    },
    {
      name: "internal LB: a public IP on another ip configuration of the NIC does not serve the pool member's own ip configuration",
      snapshot: internalWithoutNat()
        .publicIp("pip-app1-2", { ip: "20.50.60.93" })
        .edit(ids.nic("app1-nic"), (r) => {
          const configs = P(r).ipConfigurations as Array<Record<string, unknown>>;
          configs.push({
            name: "ipconfig2",
            id: `${ids.nic("app1-nic")}/ipConfigurations/ipconfig2`,
            properties: {
              privateIPAddress: "10.1.0.14",
              privateIPAllocationMethod: "Static",
              privateIPAddressVersion: "IPv4",
              primary: false,
              subnet: { id: ids.subnet(APP_SUBNET) },
              publicIPAddress: { id: ids.publicIp("pip-app1-2") },
            },
          });
        })
        .build(),
      errors: [
        { messageId: "none", resourceId: ids.nic("app1-nic") },
        { messageId: "none", resourceId: ids.nic("app2-nic") },
      ],
    },
    {
      name: "dual-stack public LB: the IPv6 pool has no outbound path (its rule disables SNAT), while an outbound rule on the IPv4 frontend serves the IPv4 pool",
      snapshot: dualStackWeb()
        .lbRuleProps(WEB_LB, "rule-http", { disableOutboundSnat: true })
        .lbRuleProps(WEB_LB, "rule-http-v6", { disableOutboundSnat: true })
        .outboundRule(WEB_LB, { name: "outbound-web", frontends: ["fe-web"], pool: "pool-web" })
        .build(),
      errors: [{ messageId: "none", resourceId: ids.nic("vm1-nic") }],
    },
    {
      name: "dual-stack: a Standard NAT gateway on the subnet gives the IPv6 ip configuration no egress (IPv4 public IPs only)",
      snapshot: dualStackBehindNat().build(),
      errors: [{ messageId: "none", resourceId: ids.nic("vm1-nic") }],
    },
    {
      name: "dual-stack: a StandardV2 NAT gateway with no IPv6 public IP or prefix gives the IPv6 ip configuration no egress",
      snapshot: dualStackBehindNatV2("none").build(),
      errors: [{ messageId: "none", resourceId: ids.nic("vm1-nic") }],
    },
    {
      name: "dual-stack: a 0.0.0.0/0 route to an appliance says nothing of the IPv6 ip configuration's egress (no ::/0 route)",
      snapshot: withDefaultRoute("0.0.0.0/0").build(),
      errors: [{ messageId: "none", resourceId: ids.nic("vm1-nic") }],
    },
    {
      name: "dual-stack: an IPv4 public IP on the IPv6 ip configuration gives it no IPv6 egress",
      snapshot: publicIpOnV6Config().build(),
      errors: [{ messageId: "none", resourceId: ids.nic("vm1-nic") }],
    },
  ],
  unknown: [
    {
      name: "the VNet is not in the snapshot (list failed)",
      snapshot: internalWithoutNat()
        .remove(ids.vnet("vnet-app"))
        .gap({
          operation: "virtualNetworks.list",
          resourceId: ids.vnet("vnet-app"),
          status: 403,
          code: "AuthorizationFailed",
          message: "no read on virtualNetworks",
        })
        .build(),
      reason: "virtualNetworks.list",
    },
    {
      name: "a pool member whose NIC is not in the snapshot",
      snapshot: healthyInternal().remove(ids.nic("app2-nic")).build(),
      reason: "network interface is not in the snapshot",
    },
    {
      name: "dual-stack: the IPv6 ip configuration's one candidate path is the subnet's NAT gateway, which is not in the snapshot",
      snapshot: dualStackBehindNat().remove(ids.natGateway("natgw-web")).build(),
      reason: "NAT gateway natgw-web on subnet snet-web, is not in the snapshot",
    },
    {
      name: "hub and spoke: the members are also in a pool of lb-hub, a public load balancer in a resource group that was not collected",
      snapshot: internalWithoutNat().edit(ids.nic("app1-nic"), inHubPool).edit(ids.nic("app2-nic"), inHubPool).build(),
      reason: "also in pool pool-hub of load balancer lb-hub, which is not in the snapshot",
    },
  ],
};

/** The NIC's ip configurations also in pool-hub of lb-hub, a load balancer in resource group hub-rg (not in the snapshot). */
function inHubPool(r: Parameters<typeof P>[0]): void {
  const hub = `${ids.lb("lb-hub").replace(/\/resourceGroups\/[^/]+\//, "/resourceGroups/hub-rg/")}/backendAddressPools/pool-hub`;
  for (const ipc of P(r).ipConfigurations as Array<{ properties: { loadBalancerBackendAddressPools?: Array<{ id: string }> } }>)
    ipc.properties.loadBalancerBackendAddressPools = [...(ipc.properties.loadBalancerBackendAddressPools ?? []), { id: hub }];
}

/** Used by the rule's own tests: an IP-based member with default outbound access passes. */
export const ipBasedWithDefaultOutbound = () => ipBasedPool().vm("app3", { subnet: APP_SUBNET, ip: "10.1.0.6" });
