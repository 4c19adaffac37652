import type { EffectiveNsgBody } from "../../../src/providers/azure/wire-types.ts";
import { azure, healthyInternal, healthyWeb, ids, P, WEB_LB, WEB_NSG, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** healthyWeb with floating IP on rule-http. */
const floatingWeb = () =>
  healthyWeb().edit(ids.lb(WEB_LB), (r) => {
    const rule = (P(r).loadBalancingRules as Array<{ properties: Record<string, unknown> }>)[0];
    if (rule) rule.properties.enableFloatingIP = true;
  });

/** A public DNS service: UDP 53 behind a Standard public LB. */
const dnsLb = (allowProtocol: "Udp" | "Tcp") =>
  azure()
    .nsg("nsg-dns", [{ name: "allow-dns", priority: 1000, protocol: allowProtocol, source: "Internet", ports: "53" }])
    .vnet("vnet-dns", ["10.2.0.0/16"], [{ name: "snet-dns", prefix: "10.2.0.0/24", nsg: "nsg-dns" }])
    .publicIp("pip-dns", { ip: "20.50.60.80" })
    .lb("lb-dns", {
      frontends: [{ name: "fe-dns", publicIp: "pip-dns" }],
      pools: ["pool-dns"],
      probes: [{ name: "probe-dns-tcp", protocol: "Tcp", port: 53 }],
      rules: [{ name: "rule-dns-udp", frontend: "fe-dns", pool: "pool-dns", probe: "probe-dns-tcp", protocol: "Udp", frontendPort: 53 }],
    })
    .vm("dns1", { subnet: "vnet-dns/snet-dns", ip: "10.2.0.4", pools: ["lb-dns/pool-dns"] });

/** An effective-NSG body for the web subnet's NSG (flat rules, `All` protocol, port ranges as `a-b`). */
const effective = (
  rules: Array<{ name: string; priority: number; access: "Allow" | "Deny"; source: string; ports: string }>,
): EffectiveNsgBody => ({
  value: [
    {
      networkSecurityGroup: { id: ids.nsg(WEB_NSG) },
      association: { subnet: { id: ids.subnet(WEB_SUBNET) } },
      effectiveSecurityRules: [
        ...rules.map((r) => ({
          name: `securityRules/${r.name}`,
          protocol: "Tcp",
          sourcePortRange: "0-65535",
          destinationPortRange: r.ports,
          sourceAddressPrefix: r.source,
          destinationAddressPrefix: "0.0.0.0/0",
          access: r.access,
          priority: r.priority,
          direction: "Inbound",
        })),
        {
          name: "defaultSecurityRules/DenyAllInBound",
          protocol: "All",
          sourcePortRange: "0-65535",
          destinationPortRange: "0-65535",
          sourceAddressPrefix: "0.0.0.0/0",
          destinationAddressPrefix: "0.0.0.0/0",
          access: "Deny",
          priority: 65500,
          direction: "Inbound",
        },
      ],
    },
  ],
});

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: allow-http from Internet at 1000 lets clients reach port 80", snapshot: healthyWeb().build() },
    { name: "internal LB: VirtualNetwork clients allowed on 8080", snapshot: healthyInternal().build() },
    {
      name: "an IP allow-list (HTTP only from a partner range) is a restriction, not a block",
      snapshot: healthyWeb().nsgRule(WEB_NSG, { name: "allow-http", priority: 1000, source: "198.51.100.0/24", ports: "80" }).build(),
    },
    {
      name: "a deny on another port does not fire",
      snapshot: healthyWeb().nsgRule(WEB_NSG, { name: "deny-8080", priority: 500, access: "Deny", source: "*", ports: "8080" }).build(),
    },
    {
      name: "an outbound deny-all does not block inbound clients (NSGs are stateful)",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, {
          name: "deny-out-all",
          priority: 100,
          direction: "Outbound",
          access: "Deny",
          protocol: "*",
          source: "*",
          destination: "*",
          ports: "*",
        })
        .build(),
    },
    {
      name: "a UDP deny on port 80 does not block the TCP rule",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-udp-80", priority: 500, access: "Deny", protocol: "Udp", source: "*", ports: "80" })
        .build(),
    },
    {
      name: "internal LB: a custom deny-all at 4000 behind the VNet allow at 100",
      snapshot: healthyInternal()
        .nsgRule("nsg-app", { name: "deny-all", priority: 4000, access: "Deny", protocol: "*", source: "*", ports: "*" })
        .build(),
    },
    {
      name: "floating IP: the NSG allows the frontend IP, which is what it sees as destination",
      snapshot: floatingWeb()
        .nsgRule(WEB_NSG, { name: "allow-http", priority: 1000, source: "Internet", destination: "20.50.60.70", ports: "80" })
        .build(),
    },
    { name: "UDP rule with a UDP allow", snapshot: dnsLb("Udp").build() },
    {
      name: "effective security rules allow the Internet on 80-80",
      snapshot: healthyWeb()
        .effectiveNsg("vm1-nic", effective([{ name: "allow-http", priority: 1000, access: "Allow", source: "Internet", ports: "80-80" }]))
        .effectiveNsg("vm2-nic", effective([{ name: "allow-http", priority: 1000, access: "Allow", source: "Internet", ports: "80-80" }]))
        .build(),
    },
  ],
  invalid: [
    {
      name: "HTTP allow replaced by HTTPS while the LB rule still serves 80: DenyAllInBound drops every client",
      snapshot: healthyWeb()
        .removeNsgRule(WEB_NSG, "allow-http")
        .nsgRule(WEB_NSG, {
          name: "allow-https",
          priority: 1000,
          source: "Internet",
          ports: "443",
          description: "Allow HTTPS from the Internet",
        })
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.nic("vm1-nic") },
        { messageId: "blocked", resourceId: ids.nic("vm2-nic") },
      ],
    },
    {
      name: "internal LB: an augmented deny whose prefixes (10.1.0.0/17, 10.1.128.0/17) together cover the whole VNet space",
      snapshot: healthyInternal()
        .nsgRule("nsg-app", {
          name: "deny-vnet-halves",
          priority: 50,
          access: "Deny",
          source: ["10.1.0.0/17", "10.1.128.0/17"],
          ports: "8080",
        })
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.nic("app1-nic") },
        { messageId: "blocked", resourceId: ids.nic("app2-nic") },
      ],
    },
    {
      name: "a NIC NSG denies the Internet on 80 while the subnet NSG allows it",
      snapshot: healthyWeb()
        .nsg("nsg-vm1-nic", [{ name: "deny-internet", priority: 300, access: "Deny", protocol: "*", source: "Internet", ports: "*" }])
        .edit(ids.nic("vm1-nic"), (r) => {
          P(r).networkSecurityGroup = { id: ids.nsg("nsg-vm1-nic") };
        })
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.nic("vm1-nic") }],
    },
    {
      name: "an explicit deny from Internet on 80 at 500 wins over allow-http at 1000",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-http", priority: 500, access: "Deny", source: "Internet", ports: "80" })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "internal LB: a deny of VirtualNetwork on 8080 ahead of the VNet allow",
      snapshot: healthyInternal()
        .nsgRule("nsg-app", { name: "deny-vnet-8080", priority: 90, access: "Deny", source: "VirtualNetwork", ports: "8080" })
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.nic("app1-nic") },
        { messageId: "blocked", resourceId: ids.nic("app2-nic") },
      ],
    },
    {
      name: "floating IP: the allow names the backend subnet, but the NSG sees the frontend IP",
      snapshot: floatingWeb()
        .nsgRule(WEB_NSG, { name: "allow-http", priority: 1000, source: "Internet", destination: "10.0.0.0/24", ports: "80" })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "effective security rules on vm2 carry no HTTP allow, whatever the NSG resource says",
      snapshot: healthyWeb()
        .effectiveNsg(
          "vm2-nic",
          effective([{ name: "allow-ssh-admin", priority: 1010, access: "Allow", source: "203.0.113.0/24", ports: "22-22" }]),
        )
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.nic("vm2-nic") }],
    },
    {
      name: "UDP rule behind an NSG that allows only TCP 53",
      snapshot: dnsLb("Tcp").build(),
      errors: [{ messageId: "blocked", resourceId: ids.nic("dns1-nic") }],
    },
  ],
  unknown: [
    {
      name: "no Internet allow, but a forced-tunnel UDR 0.0.0.0/0 on the subnet: AllowVnetInBound's VirtualNetwork tag covers UDR prefixes",
      snapshot: healthyWeb()
        .removeNsgRule(WEB_NSG, "allow-http")
        .routeTable("rt-web", [{ name: "default", prefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIp: "10.0.1.4" }])
        .subnetRouteTable(WEB_SUBNET, "rt-web")
        .build(),
      reason: "user-defined route prefixes",
    },
    {
      name: "a Deny VirtualNetwork rule ahead of the Internet allow, and the subnet's route table is not in the snapshot: its UDR prefixes may put clients in the tag",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-vnet-http", priority: 900, access: "Deny", source: "VirtualNetwork", ports: "80" })
        .subnetRouteTable(WEB_SUBNET, "rt-missing")
        .build(),
      reason: "route table rt-missing of subnet snet-web is not in the snapshot",
    },
    {
      name: "no Internet allow, and the subnet's route table is not in the snapshot: AllowVnetInBound may admit the clients",
      snapshot: healthyWeb().removeNsgRule(WEB_NSG, "allow-http").subnetRouteTable(WEB_SUBNET, "rt-missing").build(),
      reason: "route prefixes are not known",
    },
    {
      name: "the subnet's NSG is not in the snapshot",
      snapshot: healthyWeb().remove(ids.nsg(WEB_NSG)).build(),
      reason: "not in the snapshot",
    },
    {
      name: "floating IP, but the frontend's public IP is not in the snapshot",
      snapshot: floatingWeb().remove(ids.publicIp("pip-lb-web")).build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [
    {
      name: "Standard public LB members with no NSG at all: azure/standard-lb-no-nsg's job",
      snapshot: healthyWeb().subnetNsg(WEB_SUBNET, null).build(),
    },
    {
      name: "internal HA-ports rule (protocol All, port 0)",
      snapshot: healthyInternal()
        .edit(ids.lb("lb-internal"), (r) => {
          const rule = (P(r).loadBalancingRules as Array<{ properties: Record<string, unknown> }>)[0];
          if (rule) Object.assign(rule.properties, { protocol: "All", frontendPort: 0, backendPort: 0 });
        })
        .build(),
    },
  ],
};
