import { healthyInternal, healthyWeb, ids, P, WEB_LB, WEB_NSG, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

type Route = { name: string; prefix: string; nextHopType: string; nextHopIp?: string };

/**
 * the reference architecture's web tier (public LB lb-web in front of vm1/vm2 in snet-web) with a
 * firewall VM fw1 (10.0.2.4, public IP 52.10.20.30) in a new subnet, and route
 * table rt-web on snet-web with the given routes.
 */
function webTierWithRoutes(routes: Route[]) {
  return healthyWeb()
    .vnet(
      "vnet-web",
      ["10.0.0.0/16"],
      [
        { name: "snet-web", prefix: "10.0.0.0/24", nsg: WEB_NSG },
        { name: "snet-mgmt", prefix: "10.0.1.0/24" },
        { name: "snet-fw", prefix: "10.0.2.0/24" },
      ],
    )
    .publicIp("pip-fw1", { ip: "52.10.20.30" })
    .vm("fw1", { subnet: "vnet-web/snet-fw", ip: "10.0.2.4", publicIp: "pip-fw1", enableIPForwarding: true })
    .routeTable("rt-web", routes)
    .subnetRouteTable(WEB_SUBNET, "rt-web");
}

const viaFw = (name: string, prefix: string): Route => ({ name, prefix, nextHopType: "VirtualAppliance", nextHopIp: "10.0.2.4" });
const direct = (name: string, prefix: string): Route => ({ name, prefix, nextHopType: "Internet" });

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: no route table, system routes send replies straight out", snapshot: healthyWeb().build() },
    {
      name: "east-west inspection only: 10.0.0.0/8 via the firewall, Internet replies leave directly",
      snapshot: webTierWithRoutes([viaFw("private-via-fw", "10.0.0.0/8"), direct("default", "0.0.0.0/0")]).build(),
    },
    {
      name: "a cross-region (Global tier) load balancer in front of lb-web: its member is lb-web's frontend, not a machine in a subnet",
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
        .build(),
    },
    {
      name: "a route table with an on-prem route via the VPN gateway only",
      snapshot: webTierWithRoutes([{ name: "onprem", prefix: "192.168.0.0/16", nextHopType: "VirtualNetworkGateway" }]).build(),
    },
  ],
  invalid: [
    {
      name: "security attached rt-web (0.0.0.0/0 → firewall fw1) to the the reference architecture for load-balanced VMs web subnet: probes stay green, every client times out",
      snapshot: webTierWithRoutes([viaFw("default-via-fw", "0.0.0.0/0")]).build(),
      errors: [{ messageId: "viaNva", resourceId: ids.subnet(WEB_SUBNET), severity: "high" }],
    },
    {
      name: "forced tunneling: 0.0.0.0/0 to the VPN gateway",
      snapshot: webTierWithRoutes([{ name: "forced-tunnel", prefix: "0.0.0.0/0", nextHopType: "VirtualNetworkGateway" }]).build(),
      errors: [{ messageId: "forcedTunnel", resourceId: ids.subnet(WEB_SUBNET) }],
    },
    {
      name: "0.0.0.0/0 to None (egress blocked) also drops the replies",
      snapshot: webTierWithRoutes([{ name: "no-egress", prefix: "0.0.0.0/0", nextHopType: "None" }]).build(),
      errors: [{ messageId: "blackhole" }],
    },
    {
      name: "the 0.0.0.0/1 + 128.0.0.0/1 trick via the firewall overrides a 0.0.0.0/0 to Internet",
      snapshot: webTierWithRoutes([
        direct("default", "0.0.0.0/0"),
        viaFw("low-half", "0.0.0.0/1"),
        viaFw("high-half", "128.0.0.0/1"),
      ]).build(),
      errors: [{ messageId: "viaNva" }],
    },
    {
      name: "0.0.0.0/0 via the firewall with a carve-out for the admin range: everyone else still breaks",
      snapshot: webTierWithRoutes([viaFw("default-via-fw", "0.0.0.0/0"), direct("admins-direct", "203.0.113.0/24")]).build(),
      errors: [{ messageId: "viaNva" }],
    },
  ],
  unknown: [
    {
      name: "the documented firewall-DNAT design: 0.0.0.0/0 via the firewall plus a host route for its public IP",
      snapshot: webTierWithRoutes([viaFw("default-via-fw", "0.0.0.0/0"), direct("fw-pip-direct", "52.10.20.30/32")]).build(),
      reason: "firewall-DNAT design",
    },
    {
      name: "the web subnet's route table is not in the snapshot",
      snapshot: healthyWeb().subnetRouteTable(WEB_SUBNET, "rt-elsewhere").build(),
      reason: "not in the snapshot",
    },
    {
      name: "an IP-based pool member in a VNet that was not collected",
      snapshot: healthyWeb()
        .lb(WEB_LB, {
          frontends: [{ name: "fe-web", publicIp: "pip-lb-web" }],
          pools: ["pool-ip"],
          probes: [{ name: "probe-http", protocol: "Http", port: 80, path: "/" }],
          rules: [{ name: "rule-http", frontend: "fe-web", pool: "pool-ip", probe: "probe-http", frontendPort: 80 }],
          ipMembers: { "pool-ip": [{ name: "onprem-web", ip: "10.50.0.4", vnet: "vnet-remote" }] },
        })
        .build(),
      reason: "no NIC or subnet",
    },
  ],
  notApplicable: [
    {
      name: "an internal LB only: its clients are inside, 0.0.0.0/0 via an NVA is not asymmetric for them",
      snapshot: healthyInternal()
        .routeTable("rt-app", [{ name: "default-via-nva", prefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIp: "10.1.1.4" }])
        .subnetRouteTable("vnet-app/snet-app", "rt-app")
        .build(),
    },
  ],
};
