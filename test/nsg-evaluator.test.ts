/**
 * Unit tests for the NSG evaluator: what the property test
 * (nsg-evaluator.property.test.ts) cannot cover because its reference is
 * exact only for concrete prefixes: service tags, client spaces (tag
 * sources), application security groups, effective-NSG observations, missing
 * NSGs, and the three-valued ("maybe") outcome.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pointer, resolvePointer } from "../src/core/util/json-pointer.ts";
import { idKey } from "../src/providers/azure/arm-id.ts";
import { buildAzureModel, type IpConfig } from "../src/providers/azure/model.ts";
import { evaluateFlow, type Flow, type FlowVerdict, type LayerVerdict } from "../src/providers/azure/nsg.ts";
import type { AzureSnapshot, EffectiveNsgBody, EffectiveSecurityRuleWire } from "../src/providers/azure/wire-types.ts";
import { type AzureScenario, azure, ids, netId, P, type SecurityRuleSpec } from "./support/azure-builder.ts";

const PROBE = "168.63.129.16";
const SUBNET = "vnet-u/snet-u";
const NIC = "vm1-nic";
const NIC_IP = "10.0.0.4";

interface Setup {
  /** custom rules of the subnet NSG; null: no NSG on the subnet */
  subnet?: SecurityRuleSpec[] | null;
  /** custom rules of the NIC NSG; undefined/null: no NSG on the NIC */
  nic?: SecurityRuleSpec[] | null;
  peered?: string[];
  asgs?: string[];
}

/** VNet 10.0.0.0/16, subnet 10.0.0.0/24, vm1 at 10.0.0.4; NSGs as asked. */
function scenario(s: Setup = {}): AzureScenario {
  const b = azure();
  const subnetRules = s.subnet === undefined ? [] : s.subnet;
  if (subnetRules) b.nsg("nsg-subnet", subnetRules);
  if (s.nic) b.nsg("nsg-nic", s.nic);
  for (const a of s.asgs ?? []) b.asg(a);
  b.vnet("vnet-u", ["10.0.0.0/16"], [{ name: "snet-u", prefix: "10.0.0.0/24", ...(subnetRules ? { nsg: "nsg-subnet" } : {}) }]);
  if (s.peered) {
    b.edit(netId("virtualNetworks", "vnet-u"), (r) => {
      P(r).virtualNetworkPeerings = [
        {
          name: "to-hub",
          id: `${netId("virtualNetworks", "vnet-u")}/virtualNetworkPeerings/to-hub`,
          properties: { peeringState: "Connected", remoteAddressSpace: { addressPrefixes: s.peered } },
        },
      ];
    });
  }
  b.vm("vm1", { subnet: SUBNET, ip: NIC_IP, ...(s.nic ? { nsg: "nsg-nic" } : {}), ...(s.asgs ? { asgs: s.asgs } : {}) });
  return b;
}

function run(snapshot: AzureSnapshot, flow: Flow, opts: { ignoreEffective?: boolean } = {}): FlowVerdict {
  const model = buildAzureModel(snapshot);
  const target = model.byKey.ipConfig.get(idKey(ids.ipconfig(NIC))) as IpConfig;
  assert.ok(target, "vm1's ip configuration is in the model");
  return evaluateFlow(model, target, flow, opts);
}

const inbound = (ip: string, port: number, extra: Partial<Flow> = {}): Flow => ({
  direction: "Inbound",
  protocol: "Tcp",
  source: { kind: "ip", ip },
  destinationIp: NIC_IP,
  destinationPort: port,
  ...extra,
});
const outbound = (ip: string, port: number): Flow => ({
  direction: "Outbound",
  protocol: "Tcp",
  source: { kind: "ip", ip: NIC_IP },
  destinationIp: ip,
  destinationPort: port,
});
const fromSpace = (tag: "Internet" | "VirtualNetwork" | "*", port: number): Flow => ({
  direction: "Inbound",
  protocol: "Tcp",
  source: { kind: "tag", tag },
  destinationIp: NIC_IP,
  destinationPort: port,
});

function layer(v: FlowVerdict, which: "subnet" | "nic"): LayerVerdict {
  const l = v.layers.find((x) => x.layer === which);
  assert.ok(l, `layer ${which} is reported`);
  return l;
}

/** verdict, and the deciding rule of the subnet layer */
function assertDecided(v: FlowVerdict, verdict: FlowVerdict["verdict"], rule: string, which: "subnet" | "nic" = "subnet"): void {
  assert.equal(v.verdict, verdict, JSON.stringify(v, null, 1));
  assert.equal(layer(v, which).deciding?.name, rule, JSON.stringify(layer(v, which), null, 1));
}

// ---------------------------------------------------------------------------

describe("NSG evaluator: service tags", () => {
  it("AzureLoadBalancer is 168.63.129.16 and nothing else", () => {
    const snap = scenario({
      subnet: [{ name: "deny-alb", priority: 200, access: "Deny", source: "AzureLoadBalancer", ports: "80" }],
    }).build();
    assertDecided(run(snap, inbound(PROBE, 80)), "deny", "deny-alb");
    assertDecided(run(snap, inbound("10.0.3.9", 80)), "allow", "AllowVnetInBound");
    assertDecided(run(snap, inbound("20.1.2.3", 80)), "deny", "DenyAllInBound");
    // without custom rules AllowVnetInBound (65000) lets the probe in before AllowAzureLoadBalancerInBound (65001):
    // the VirtualNetwork tag holds the host's virtual IP, 168.63.129.16
    assertDecided(run(scenario().build(), inbound(PROBE, 80)), "allow", "AllowVnetInBound");
  });

  it("VirtualNetwork holds 168.63.129.16: a Deny VirtualNetwork rule blocks the probe, an Allow VirtualNetwork rule admits it", () => {
    const deny = scenario({
      subnet: [{ name: "deny-vnet-in", priority: 300, access: "Deny", protocol: "*", source: "VirtualNetwork", ports: "*" }],
    }).build();
    assertDecided(run(deny, inbound(PROBE, 80)), "deny", "deny-vnet-in");
    const allow = scenario({
      subnet: [
        { name: "allow-vnet-in", priority: 3000, protocol: "*", source: "VirtualNetwork", ports: "*" },
        { name: "deny-all", priority: 4000, access: "Deny", protocol: "*", source: "*", ports: "*" },
      ],
    }).build();
    assertDecided(run(allow, inbound(PROBE, 80)), "allow", "allow-vnet-in");
  });

  it("VirtualNetwork covers the VNet space and peered VNets' space, and nothing beyond", () => {
    const snap = scenario({ peered: ["10.50.0.0/16"] }).build();
    assertDecided(run(snap, inbound("10.0.200.1", 22)), "allow", "AllowVnetInBound");
    assertDecided(run(snap, inbound("10.50.3.7", 22)), "allow", "AllowVnetInBound");
    assertDecided(run(snap, inbound("10.51.0.1", 22)), "deny", "DenyAllInBound");
    assertDecided(run(snap, inbound("172.20.0.1", 22)), "deny", "DenyAllInBound");
    const denyVnet = scenario({
      peered: ["10.50.0.0/16"],
      subnet: [{ name: "deny-vnet", priority: 300, access: "Deny", protocol: "*", source: "VirtualNetwork", ports: "*" }],
    }).build();
    assertDecided(run(denyVnet, inbound("10.50.3.7", 22)), "deny", "deny-vnet");
  });

  it("VirtualNetwork also covers UDR prefixes: a source only a route covers is undecidable", () => {
    const snap = scenario()
      .routeTable("rt-u", [{ name: "onprem", prefix: "192.168.0.0/16", nextHopType: "VirtualNetworkGateway" }])
      .subnetRouteTable(SUBNET, "rt-u")
      .build();
    const v = run(snap, inbound("192.168.4.4", 22));
    assert.equal(v.verdict, "unknown");
    assert.match(v.reason ?? "", /user-defined route/);
    assert.equal(layer(v, "subnet").deciding?.name, "DenyAllInBound");
    assert.deepEqual(
      layer(v, "subnet").ambiguous.map((a) => a.name),
      ["AllowVnetInBound"],
    );
  });

  it("a route table the snapshot lacks: VirtualNetwork against an address outside the VNet is undecidable, inside it is decided", () => {
    // the subnet names rt-gone, which is not in the snapshot: its UDR prefixes, which the tag also covers, are not known
    const snap = scenario({
      subnet: [
        { name: "deny-vnet", priority: 200, access: "Deny", protocol: "*", source: "VirtualNetwork", ports: "80" },
        { name: "allow-80", priority: 300, protocol: "*", source: "*", ports: "80" },
      ],
    })
      .subnetRouteTable(SUBNET, "rt-gone")
      .build();
    const outside = run(snap, inbound("20.1.2.3", 80));
    assert.equal(outside.verdict, "unknown", JSON.stringify(outside, null, 1));
    assert.match(outside.reason ?? "", /route table rt-gone of subnet snet-u is not in the snapshot/);
    assert.deepEqual(
      layer(outside, "subnet").ambiguous.map((a) => a.name),
      ["deny-vnet"],
    );
    assertDecided(run(snap, inbound("10.0.3.9", 80)), "deny", "deny-vnet");
    assertDecided(run(snap, inbound(PROBE, 80)), "deny", "deny-vnet");
    // a client space: Internet against the VirtualNetwork rule is undecidable too
    const internet = run(snap, fromSpace("Internet", 80));
    assert.equal(internet.verdict, "unknown", JSON.stringify(internet, null, 1));
    assert.match(internet.reason ?? "", /route prefixes are not known/);
  });

  it("Internet against 168.63.129.16 is unknown, with the reason; against public and private addresses it is decided", () => {
    const snap = scenario({
      subnet: [{ name: "deny-internet", priority: 4000, access: "Deny", protocol: "*", source: "Internet", ports: "*" }],
    }).build();
    const probe = run(snap, inbound(PROBE, 80));
    assert.equal(probe.verdict, "unknown");
    assert.match(probe.reason ?? "", /Internet tag covers 168\.63\.129\.16/);
    assert.equal(layer(probe, "subnet").deciding?.name, "AllowVnetInBound");
    assert.deepEqual(
      layer(probe, "subnet").ambiguous.map((a) => [a.name, a.access]),
      [["deny-internet", "Deny"]],
    );
    assertDecided(run(snap, inbound("20.1.2.3", 80)), "deny", "deny-internet");
    assertDecided(run(snap, inbound("10.0.7.7", 80)), "allow", "AllowVnetInBound");
    // a private address outside the VNet is not Internet either: the default deny decides
    assertDecided(run(snap, inbound("172.16.5.5", 80)), "deny", "DenyAllInBound");
  });

  it("an unknown service tag makes an allow ahead of a deny undecidable, and says which tag", () => {
    const snap = scenario({ subnet: [{ name: "allow-storage", priority: 500, source: "Storage", ports: "443" }] }).build();
    const v = run(snap, inbound("20.1.2.3", 443));
    assert.equal(v.verdict, "unknown");
    assert.match(v.reason ?? "", /allow-storage .*service tag 'Storage'/);
    assert.equal(layer(v, "subnet").deciding?.name, "DenyAllInBound");
  });

  it("an undecidable rule with the same access as the deciding rule leaves the verdict definite", () => {
    const snap = scenario({ subnet: [{ name: "deny-storage", priority: 500, access: "Deny", source: "Storage", ports: "443" }] }).build();
    const v = run(snap, inbound("20.1.2.3", 443));
    assert.equal(v.verdict, "deny");
    assert.equal(v.blockingLayer?.deciding?.name, "DenyAllInBound");
    assert.deepEqual(layer(v, "subnet").ambiguous, []);
    // the same rule ahead of an allow is not
    const allowAfter = scenario({
      subnet: [
        { name: "deny-storage", priority: 500, access: "Deny", source: "Storage", ports: "443" },
        { name: "allow-https", priority: 600, source: "*", ports: "443" },
      ],
    }).build();
    const u = run(allowAfter, inbound("20.1.2.3", 443));
    assert.equal(u.verdict, "unknown");
    assert.equal(layer(u, "subnet").deciding?.name, "allow-https");
    assert.deepEqual(
      layer(u, "subnet").ambiguous.map((a) => a.name),
      ["deny-storage"],
    );
  });

  it("a source-port range against an ephemeral (unknown) source port is undecidable; a known port decides", () => {
    const snap = scenario({
      subnet: [{ name: "allow-hi-ports", priority: 100, source: "*", ports: "80", sourcePorts: "1024-65535" }],
    }).build();
    const v = run(snap, inbound("20.1.2.3", 80));
    assert.equal(v.verdict, "unknown");
    assert.match(v.reason ?? "", /source port/);
    assertDecided(run(snap, inbound("20.1.2.3", 80, { sourcePort: 50000 })), "allow", "allow-hi-ports");
    assertDecided(run(snap, inbound("20.1.2.3", 80, { sourcePort: 80 })), "deny", "DenyAllInBound");
  });
});

describe("NSG evaluator: client spaces (tag sources)", () => {
  const partnerOnly = scenario({
    subnet: [
      { name: "allow-partner", priority: 1000, source: "198.51.100.0/24", ports: "80" },
      { name: "deny-all", priority: 4000, access: "Deny", protocol: "*", source: "*", ports: "*" },
    ],
  }).build();

  it("an allow for a CIDR is partial for the Internet; the deny-all after it decides", () => {
    const v = run(partnerOnly, fromSpace("Internet", 80));
    assert.equal(v.verdict, "deny");
    assert.equal(v.blockingLayer?.deciding?.name, "deny-all");
    assert.deepEqual(
      layer(v, "subnet").partial.map((p) => p.name),
      ["allow-partner"],
    );
    assert.deepEqual(layer(v, "subnet").ambiguous, []);
  });

  it("an allow for the Internet tag decides for the Internet space", () => {
    const snap = scenario({ subnet: [{ name: "allow-internet", priority: 1000, source: "Internet", ports: "80" }] }).build();
    const v = run(snap, fromSpace("Internet", 80));
    assertDecided(v, "allow", "allow-internet");
    assert.deepEqual(layer(v, "subnet").partial, []);
  });

  it("a CIDR inside private space is not part of the Internet; one that reaches beyond it is partial", () => {
    const snap = scenario({
      subnet: [
        { name: "allow-private", priority: 900, source: "172.16.0.0/12", ports: "80" },
        { name: "allow-10-and-11", priority: 1000, source: "10.0.0.0/7", ports: "80" },
      ],
    }).build();
    const v = run(snap, fromSpace("Internet", 80));
    assert.equal(v.verdict, "deny");
    assert.deepEqual(
      layer(v, "subnet").partial.map((p) => p.name),
      ["allow-10-and-11"],
      "10.0.0.0/7 also covers the public 11.0.0.0/8",
    );
  });

  it("the VirtualNetwork space: a CIDR covering the whole VNet matches, a narrower one is partial, Internet is not", () => {
    const covering = scenario({
      subnet: [{ name: "deny-10", priority: 500, access: "Deny", protocol: "*", source: "10.0.0.0/8", ports: "*" }],
    }).build();
    assertDecided(run(covering, fromSpace("VirtualNetwork", 22)), "deny", "deny-10");
    const narrow = scenario({
      subnet: [{ name: "deny-one-subnet", priority: 500, access: "Deny", source: "10.0.9.0/24", ports: "*" }],
    }).build();
    const v = run(narrow, fromSpace("VirtualNetwork", 22));
    assertDecided(v, "allow", "AllowVnetInBound");
    assert.deepEqual(
      layer(v, "subnet").partial.map((p) => p.name),
      ["deny-one-subnet"],
    );
    const internet = scenario({
      subnet: [{ name: "deny-internet", priority: 500, access: "Deny", source: "Internet", ports: "*" }],
    }).build();
    assertDecided(run(internet, fromSpace("VirtualNetwork", 22)), "allow", "AllowVnetInBound");
  });

  it("all sources ('*'): any narrower prefix is partial", () => {
    const v = run(partnerOnly, fromSpace("*", 80));
    assert.equal(v.verdict, "deny");
    assert.deepEqual(
      layer(v, "subnet").partial.map((p) => p.name),
      ["allow-partner"],
    );
  });
});

describe("NSG evaluator: application security groups", () => {
  const asgWeb = idKey(ids.asg("asg-web"));
  const asgJump = idKey(ids.asg("asg-jump"));

  it("a destination ASG matches the ip configuration that is in it, and only that one", () => {
    const rules: SecurityRuleSpec[] = [
      { name: "deny-web-asg", priority: 200, access: "Deny", source: "*", destinationAsgs: ["asg-web"], ports: "80" },
    ];
    const member = scenario({ subnet: rules, asgs: ["asg-web"] }).build();
    assertDecided(run(member, inbound("10.0.3.3", 80)), "deny", "deny-web-asg");
    const outsider = scenario({ subnet: rules }).asg("asg-web").build();
    assertDecided(run(outsider, inbound("10.0.3.3", 80)), "allow", "AllowVnetInBound");
  });

  it("a source ASG matches an inbound flow whose source is in it", () => {
    const snap = scenario({
      subnet: [{ name: "deny-from-jump", priority: 200, access: "Deny", sourceAsgs: ["asg-jump"], ports: "22" }],
      asgs: ["asg-jump"],
    }).build();
    assertDecided(
      run(snap, inbound("10.0.0.9", 22, { source: { kind: "ip", ip: "10.0.0.9", asgKeys: [asgJump] } })),
      "deny",
      "deny-from-jump",
    );
    assertDecided(
      run(snap, inbound("10.0.0.9", 22, { source: { kind: "ip", ip: "10.0.0.9", asgKeys: [asgWeb] } })),
      "allow",
      "AllowVnetInBound",
    );
  });

  it("outbound, the source ASG is the protected NIC's own", () => {
    const rules: SecurityRuleSpec[] = [
      {
        name: "deny-web-out",
        priority: 200,
        direction: "Outbound",
        access: "Deny",
        sourceAsgs: ["asg-web"],
        destination: "*",
        ports: "443",
      },
    ];
    assertDecided(run(scenario({ subnet: rules, asgs: ["asg-web"] }).build(), outbound("20.1.2.3", 443)), "deny", "deny-web-out");
    assertDecided(run(scenario({ subnet: rules }).asg("asg-web").build(), outbound("20.1.2.3", 443)), "allow", "AllowInternetOutBound");
  });

  it("against a client space, a source-ASG rule is partial for the VNet and no match for the Internet", () => {
    const snap = scenario({
      subnet: [{ name: "allow-from-jump", priority: 200, sourceAsgs: ["asg-jump"], ports: "22" }],
      asgs: ["asg-jump"],
    }).build();
    const vnet = run(snap, fromSpace("VirtualNetwork", 22));
    assert.deepEqual(
      layer(vnet, "subnet").partial.map((p) => p.name),
      ["allow-from-jump"],
    );
    const internet = run(snap, fromSpace("Internet", 22));
    assertDecided(internet, "deny", "DenyAllInBound");
    assert.deepEqual(layer(internet, "subnet").partial, []);
  });
});

describe("NSG evaluator: effective security rules (observation)", () => {
  const subnetId = ids.subnet(SUBNET);
  const nsgId = ids.nsg("nsg-subnet");
  const nicId = ids.nic(NIC);
  const rule = (r: EffectiveSecurityRuleWire): EffectiveSecurityRuleWire => ({
    protocol: "All",
    sourcePortRange: "0-65535",
    destinationPortRange: "0-65535",
    destinationAddressPrefix: "0.0.0.0/0",
    direction: "Inbound",
    ...r,
  });
  /** the body the API returns for vm1-nic: the subnet NSG's rules, expanded, deliberately not in priority order */
  const body = (internetExpanded: string[]): EffectiveNsgBody => ({
    value: [
      {
        networkSecurityGroup: { id: nsgId },
        association: { subnet: { id: subnetId } },
        effectiveSecurityRules: [
          rule({ name: "defaultSecurityRules/DenyAllInBound", sourceAddressPrefix: "0.0.0.0/0", access: "Deny", priority: 65500 }),
          rule({
            name: "securityRules/deny-internet",
            sourceAddressPrefix: "Internet",
            expandedSourceAddressPrefix: internetExpanded,
            access: "Deny",
            priority: 4000,
          }),
          rule({
            name: "defaultSecurityRules/AllowVnetInBound",
            sourceAddressPrefix: "VirtualNetwork",
            expandedSourceAddressPrefix: ["10.0.0.0/16"],
            destinationAddressPrefix: "VirtualNetwork",
            expandedDestinationAddressPrefix: ["10.0.0.0/16"],
            access: "Allow",
            priority: 65000,
          }),
          rule({
            name: "defaultSecurityRules/AllowAzureLoadBalancerInBound",
            sourceAddressPrefix: "AzureLoadBalancer",
            expandedSourceAddressPrefix: [`${PROBE}/32`],
            access: "Allow",
            priority: 65001,
          }),
          rule({
            name: "securityRules/allow-dns",
            protocol: "Udp",
            sourceAddressPrefix: "0.0.0.0/0",
            destinationPortRange: "53-53",
            access: "Allow",
            priority: 300,
          }),
        ],
      },
    ],
  });
  const withDenyInternet = () =>
    scenario({ subnet: [{ name: "deny-internet", priority: 4000, access: "Deny", protocol: "*", source: "Internet", ports: "*" }] });
  const obsPtr = (i: number) => pointer("observations", "effectiveNetworkSecurityGroups", nicId, "value", 0, "effectiveSecurityRules", i);

  it("expanded prefixes settle the Internet tag: the probe is allowed by the default rule, with a pointer into observations", () => {
    const snap = withDenyInternet()
      .effectiveNsg(NIC, body(["1.0.0.0/8", "2.0.0.0/7", "4.0.0.0/6", "20.0.0.0/6", "52.0.0.0/8"]))
      .build();
    // from the NSG resources alone it cannot be decided
    assert.equal(run(snap, inbound(PROBE, 80), { ignoreEffective: true }).verdict, "unknown");
    const v = run(snap, inbound(PROBE, 80));
    assert.equal(v.basis, "effective-nsg");
    assert.equal(v.verdict, "allow");
    const d = layer(v, "subnet").deciding;
    assert.equal(d?.name, "AllowAzureLoadBalancerInBound", "the 'defaultSecurityRules/' prefix is stripped");
    assert.equal(d?.isDefault, true);
    assert.equal(d?.priority, 65001);
    assert.equal(d?.ptr, obsPtr(3));
    assert.equal((resolvePointer(snap, d?.ptr ?? "") as { name?: string }).name, "defaultSecurityRules/AllowAzureLoadBalancerInBound");
    // the NIC has no NSG in the body: that layer allows
    assert.equal(layer(v, "nic").verdict, "allow");
  });

  it("a client inside the expanded Internet prefixes is denied by the custom rule ('securityRules/' prefix stripped)", () => {
    const snap = withDenyInternet()
      .effectiveNsg(NIC, body(["1.0.0.0/8", "20.0.0.0/6"]))
      .build();
    const v = run(snap, inbound("20.1.2.3", 80));
    assert.equal(v.basis, "effective-nsg");
    assert.equal(v.verdict, "deny");
    assert.equal(v.blockingLayer?.deciding?.name, "deny-internet");
    assert.equal(v.blockingLayer?.deciding?.isDefault, false);
    assert.equal(v.blockingLayer?.deciding?.ptr, obsPtr(1));
    // an address outside every expanded prefix falls through to the default deny
    const w = run(snap, inbound("8.8.8.8", 80));
    assert.equal(w.blockingLayer?.deciding?.name, "DenyAllInBound");
    assert.equal(w.blockingLayer?.deciding?.ptr, obsPtr(0));
  });

  it("when the expansion includes 168.63.129.16, the probe is denied", () => {
    const snap = withDenyInternet()
      .effectiveNsg(NIC, body(["20.0.0.0/6", `${PROBE}/32`]))
      .build();
    const v = run(snap, inbound(PROBE, 80));
    assert.equal(v.verdict, "deny");
    assert.equal(v.blockingLayer?.deciding?.name, "deny-internet");
  });

  it("protocol 'All', ports '0-65535' and single ports written as '53-53' match", () => {
    const snap = withDenyInternet()
      .effectiveNsg(NIC, body(["20.0.0.0/6"]))
      .build();
    assertDecided(run(snap, inbound("20.1.2.3", 53, { protocol: "Udp" })), "allow", "allow-dns");
    assertDecided(run(snap, inbound("20.1.2.3", 54, { protocol: "Udp" })), "deny", "deny-internet");
    assertDecided(run(snap, inbound("10.0.5.5", 9999, { protocol: "Icmp" })), "allow", "AllowVnetInBound");
  });

  it("an entry associated with the NIC is the NIC layer", () => {
    const b = body(["20.0.0.0/6"]);
    const entry = b.value[0];
    assert.ok(entry);
    entry.association = { networkInterface: { id: nicId } };
    entry.networkSecurityGroup = { id: ids.nsg("nsg-nic") };
    const v = run(withDenyInternet().effectiveNsg(NIC, b).build(), inbound("20.1.2.3", 80));
    assert.equal(v.blockingLayer?.layer, "nic");
    assert.equal(v.blockingLayer?.nsgName, "nsg-nic");
    assert.equal(layer(v, "subnet").verdict, "allow", "no subnet entry in the body: no subnet NSG");
  });
});

describe("NSG evaluator: layers and missing NSGs", () => {
  const denyAll = (name: string): SecurityRuleSpec => ({
    name,
    priority: 100,
    access: "Deny",
    protocol: "*",
    source: "*",
    destination: "*",
    ports: "*",
  });
  const denyAllOut = (name: string): SecurityRuleSpec => ({ ...denyAll(name), direction: "Outbound" });

  it("inbound: the subnet NSG is evaluated first; outbound: the NIC NSG", () => {
    const snap = scenario({
      subnet: [denyAll("sub-deny"), denyAllOut("sub-deny-out")],
      nic: [denyAll("nic-deny"), denyAllOut("nic-deny-out")],
    }).build();
    const i = run(snap, inbound("10.0.3.3", 22));
    assert.deepEqual(
      i.layers.map((l) => l.layer),
      ["subnet", "nic"],
    );
    assert.equal(i.blockingLayer?.layer, "subnet");
    assert.equal(i.blockingLayer?.deciding?.name, "sub-deny");
    const o = run(snap, outbound("10.0.3.3", 22));
    assert.deepEqual(
      o.layers.map((l) => l.layer),
      ["nic", "subnet"],
    );
    assert.equal(o.blockingLayer?.layer, "nic");
    assert.equal(o.blockingLayer?.deciding?.name, "nic-deny-out");
  });

  it("both layers must allow; a layer without an NSG allows", () => {
    const snap = scenario({ subnet: null, nic: [denyAll("nic-deny")] }).build();
    const v = run(snap, inbound("10.0.3.3", 22));
    assert.equal(v.verdict, "deny");
    assert.equal(v.blockingLayer?.layer, "nic");
    assert.equal(layer(v, "subnet").verdict, "allow");
    assert.equal(layer(v, "subnet").deciding, undefined);
    assert.equal(run(scenario({ subnet: null }).build(), inbound("20.1.2.3", 22)).verdict, "allow");
  });

  it("an NSG referenced by the subnet but missing from the snapshot makes the verdict unknown, and is a dangling-reference gap", () => {
    const snap = scenario().remove(ids.nsg("nsg-subnet")).build();
    const v = run(snap, inbound("10.0.3.3", 22));
    assert.equal(v.verdict, "unknown");
    assert.equal(layer(v, "subnet").verdict, "unknown");
    assert.match(v.reason ?? "", /nsg-subnet .*not in the snapshot/);
    const gaps = buildAzureModel(snap).gaps.filter((g) => g.kind === "dangling-reference");
    assert.ok(
      gaps.some((g) => idKey(g.resourceId ?? "") === idKey(ids.nsg("nsg-subnet"))),
      JSON.stringify(gaps),
    );
  });

  it("a missing NIC NSG is unknown too, but a deny in the other layer still decides", () => {
    const missing = scenario({ subnet: null, nic: [] }).remove(ids.nsg("nsg-nic")).build();
    const v = run(missing, inbound("10.0.3.3", 22));
    assert.equal(v.verdict, "unknown");
    assert.equal(layer(v, "nic").verdict, "unknown");
    const denied = scenario({ subnet: [denyAll("sub-deny")], nic: [] })
      .remove(ids.nsg("nsg-nic"))
      .build();
    const w = run(denied, inbound("10.0.3.3", 22));
    assert.equal(w.verdict, "deny");
    assert.equal(w.blockingLayer?.layer, "subnet");
  });
});

describe("NSG evaluator: many flows on one model", () => {
  it("gives each flow the verdict a fresh model gives it, whatever flows were asked before (direction, protocol, port)", () => {
    const rules: SecurityRuleSpec[] = [
      { name: "deny-udp-53", priority: 100, protocol: "Udp", ports: "53", access: "Deny" },
      { name: "allow-web", priority: 110, protocol: "Tcp", ports: ["80", "443"], source: "*" },
      { name: "deny-range", priority: 120, protocol: "*", ports: "1000-2000", access: "Deny" },
      { name: "allow-icmp", priority: 130, protocol: "Icmp", ports: "*" },
      { name: "deny-out-443", priority: 100, direction: "Outbound", protocol: "Tcp", ports: "443", access: "Deny", destination: "*" },
      { name: "deny-all-in", priority: 4000, protocol: "*", ports: "*", access: "Deny" },
    ];
    const snapshot = scenario({ subnet: rules, nic: [{ name: "nic-deny-8080", priority: 200, ports: "8080", access: "Deny" }] }).build();
    const shared = buildAzureModel(snapshot);
    const target = shared.byKey.ipConfig.get(idKey(ids.ipconfig(NIC))) as IpConfig;
    const flows: Flow[] = [];
    for (const direction of ["Inbound", "Outbound"] as const)
      for (const protocol of ["Tcp", "Udp", "Icmp"] as const)
        for (const port of [53, 80, 443, 999, 1000, 1500, 2000, 2001, 8080, 0, 65535]) {
          flows.push({
            direction,
            protocol,
            source: { kind: "ip", ip: direction === "Inbound" ? "203.0.113.9" : NIC_IP },
            destinationIp: direction === "Inbound" ? NIC_IP : "203.0.113.9",
            destinationPort: port,
          });
        }
    // each flow twice, in an order that mixes kinds: the second ask of a kind is answered from what the first one found
    const order = [...flows, ...flows.slice().reverse()];
    const decided = (v: FlowVerdict) => [v.verdict, ...v.layers.map((l) => `${l.layer}:${l.verdict}:${l.deciding?.name ?? ""}`)].join(" ");
    const seen = new Set<string>();
    for (const flow of order) {
      const got = decided(evaluateFlow(shared, target, flow));
      assert.equal(got, decided(run(snapshot, flow)), `${flow.direction} ${flow.protocol} ${flow.destinationPort}`);
      seen.add(got);
    }
    // the flows reach every rule that decides: the table is not one verdict repeated
    for (const name of ["deny-udp-53", "allow-web", "deny-range", "allow-icmp", "deny-out-443", "deny-all-in", "nic-deny-8080"])
      assert.ok(
        [...seen].some((s) => s.includes(`:${name}`)),
        `no flow was decided by ${name}`,
      );
  });
});
