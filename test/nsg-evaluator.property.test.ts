/**
 * Property tests for the NSG evaluator (src/providers/azure/nsg.ts), against an
 * independent reference implementation written here from the documented
 * semantics (reference/azure.md, "NSG semantics"):
 *
 * - per NSG, rules of the flow's direction in priority order, the first match
 *   decides; the six default rules always apply;
 * - inbound: subnet NSG, then NIC NSG; outbound: NIC, then subnet; both must
 *   allow; a layer without an NSG allows;
 * - the evaluator's documented three-valued matching: a field that cannot be
 *   decided offline (an ephemeral source port against a source-port range, the
 *   Internet tag against 168.63.129.16) matches `maybe`, and a `maybe` rule
 *   ahead of the decider with the other access makes the verdict `unknown`.
 *
 * The reference does its own IPv4 arithmetic (no ipaddr.js, nothing from
 * src/providers/azure/nsg.ts). Random rules use concrete prefixes only (`*`, addresses,
 * CIDRs); service tags appear only in the default rules, whose contents are
 * exact here (AzureLoadBalancer = 168.63.129.16, VirtualNetwork = VNet space +
 * peered space, no UDRs), so the reference is exact.
 *
 * FC_SEED=<n> reproduces a run (fast-check prints the seed of a failure);
 * FC_SCALE=<x> multiplies the run counts (default 1: 3000 + 1000 + 1000 runs).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { resolvePointer } from "../src/core/util/json-pointer.ts";
import { idKey } from "../src/providers/azure/arm-id.ts";
import { buildAzureModel, type IpConfig } from "../src/providers/azure/model.ts";
import { evaluateFlow, type Flow, type FlowVerdict } from "../src/providers/azure/nsg.ts";
import { azure, ids, netId, P, type SecurityRuleSpec } from "./support/azure-builder.ts";

// ---------------------------------------------------------------------------
// reference: IPv4 integers

const PROBE_IP = "168.63.129.16";

function ipToInt(text: string): number {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`bad IPv4 ${text}`);
  return (((parts[0] as number) * 256 + (parts[1] as number)) * 256 + (parts[2] as number)) * 256 + (parts[3] as number);
}

function intToIp(n: number): string {
  return [Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 2 ** 8) % 256, n % 256].join(".");
}

/** [first, last] of a CIDR or a bare address */
function cidrRange(text: string): [number, number] {
  const [addr, len] = text.split("/");
  const bits = len === undefined ? 32 : Number(len);
  const size = 2 ** (32 - bits);
  const first = Math.floor(ipToInt(addr as string) / size) * size;
  return [first, first + size - 1];
}

function inCidr(ip: string, cidr: string): boolean {
  const n = ipToInt(ip);
  const [a, b] = cidrRange(cidr);
  return n >= a && n <= b;
}

/** the network of `ip` at `bits`, as canonical CIDR text */
function networkOf(ip: number, bits: number): string {
  const size = 2 ** (32 - bits);
  return `${intToIp(Math.floor(ip / size) * size)}/${bits}`;
}

// ---------------------------------------------------------------------------
// reference: the evaluator's semantics

type Tri = "yes" | "no" | "maybe";

interface RefRule {
  name: string;
  priority: number;
  direction: "Inbound" | "Outbound";
  access: "Allow" | "Deny";
  protocol: string;
  src: string[];
  dst: string[];
  sport: string[];
  dport: string[];
}

interface RefEnv {
  vnetSpace: string[];
  peeredSpace: string[];
}

const REF_DEFAULTS: RefRule[] = [
  ["AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
  ["AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"],
  ["DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"],
  ["AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
  ["AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"],
  ["DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"],
].map(([name, priority, direction, access, src, dst]) => ({
  name: name as string,
  priority: priority as number,
  direction: direction as "Inbound" | "Outbound",
  access: access as "Allow" | "Deny",
  protocol: "*",
  src: [src as string],
  dst: [dst as string],
  sport: ["*"],
  dport: ["*"],
}));

const NOT_INTERNET = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

function refAddress(prefix: string, ip: string, env: RefEnv): Tri {
  if (prefix === "*") return "yes";
  // the tag also holds the host's virtual IP, the probe source (Azure service tags overview)
  if (prefix === "VirtualNetwork")
    return ip === PROBE_IP || [...env.vnetSpace, ...env.peeredSpace].some((c) => inCidr(ip, c)) ? "yes" : "no";
  if (prefix === "AzureLoadBalancer") return ip === PROBE_IP ? "yes" : "no";
  if (prefix === "Internet") {
    if (ip === PROBE_IP) return "maybe"; // not documented either way
    return [...NOT_INTERNET, ...env.vnetSpace, ...env.peeredSpace].some((c) => inCidr(ip, c)) ? "no" : "yes";
  }
  return inCidr(ip, prefix) ? "yes" : "no";
}

function refPort(ranges: string[], port: number | undefined): Tri {
  let maybe = false;
  for (const r of ranges) {
    if (r === "*" || r === "0-65535") return "yes";
    if (port === undefined) {
      maybe = true;
      continue;
    }
    const [lo, hi = lo] = r.split("-").map(Number) as [number, number?];
    if (port >= lo && port <= (hi as number)) return "yes";
  }
  return maybe ? "maybe" : "no";
}

function refAny(results: Tri[]): Tri {
  return results.includes("yes") ? "yes" : results.includes("maybe") ? "maybe" : "no";
}

function refMatch(rule: RefRule, flow: Flow, env: RefEnv): Tri {
  if (rule.direction !== flow.direction) return "no";
  if (rule.protocol !== "*" && rule.protocol.toLowerCase() !== flow.protocol.toLowerCase()) return "no";
  const srcIp = (flow.source as { ip: string }).ip;
  const parts = [
    refAny(rule.src.map((p) => refAddress(p, srcIp, env))),
    refAny(rule.dst.map((p) => refAddress(p, flow.destinationIp, env))),
    refPort(rule.dport, flow.destinationPort),
    refPort(rule.sport, flow.sourcePort),
  ];
  return parts.includes("no") ? "no" : parts.includes("maybe") ? "maybe" : "yes";
}

interface RefLayer {
  layer: "subnet" | "nic";
  hasNsg: boolean;
  verdict: "allow" | "deny" | "unknown";
  deciding?: { name: string; priority: number; access: string };
  ambiguous: string[];
}

function refLayer(layer: "subnet" | "nic", custom: RefRule[] | undefined, flow: Flow, env: RefEnv): RefLayer {
  if (custom === undefined) return { layer, hasNsg: false, verdict: "allow", ambiguous: [] };
  const rules = [...custom, ...REF_DEFAULTS].filter((r) => r.direction === flow.direction).sort((a, b) => a.priority - b.priority);
  const maybes: RefRule[] = [];
  for (const r of rules) {
    const m = refMatch(r, flow, env);
    if (m === "no") continue;
    if (m === "maybe") {
      maybes.push(r);
      continue;
    }
    const conflicting = maybes.filter((x) => x.access !== r.access).map((x) => x.name);
    return {
      layer,
      hasNsg: true,
      verdict: conflicting.length > 0 ? "unknown" : r.access === "Allow" ? "allow" : "deny",
      deciding: { name: r.name, priority: r.priority, access: r.access },
      ambiguous: conflicting,
    };
  }
  throw new Error("reference: DenyAll matches every flow, so some rule must decide");
}

function refEvaluate(
  subnetRules: RefRule[] | undefined,
  nicRules: RefRule[] | undefined,
  flow: Flow,
  env: RefEnv,
): { verdict: "allow" | "deny" | "unknown"; layers: RefLayer[]; blocking?: "subnet" | "nic" } {
  const subnet = refLayer("subnet", subnetRules, flow, env);
  const nic = refLayer("nic", nicRules, flow, env);
  const layers = flow.direction === "Inbound" ? [subnet, nic] : [nic, subnet];
  const deny = layers.find((l) => l.verdict === "deny");
  if (deny) return { verdict: "deny", layers, blocking: deny.layer };
  return { verdict: layers.some((l) => l.verdict === "unknown") ? "unknown" : "allow", layers };
}

// ---------------------------------------------------------------------------
// scenario: random NSGs on a subnet and/or a NIC, and one flow to or from the NIC

interface GenRule {
  direction: "Inbound" | "Outbound";
  access: "Allow" | "Deny";
  protocol: "Tcp" | "Udp" | "Icmp" | "Esp" | "*";
  source: string | string[];
  destination: string | string[];
  ports: string | string[];
  sourcePorts: string | string[];
}

interface Scenario {
  vnetSpace: string[];
  peeredSpace: string[];
  subnetPrefix: string;
  nicIp: string;
  flow: Flow;
  subnetRules: SecurityRuleSpec[] | undefined;
  nicRules: SecurityRuleSpec[] | undefined;
}

const VNETS: Array<{ space: string[]; subnet: string }> = [
  { space: ["10.0.0.0/16"], subnet: "10.0.1.0/24" },
  { space: ["10.10.0.0/16", "10.20.0.0/16"], subnet: "10.20.5.0/24" },
  { space: ["172.16.0.0/20"], subnet: "172.16.2.0/24" },
  { space: ["192.168.10.0/24"], subnet: "192.168.10.0/26" },
];
const PEERED = [[], [], ["10.200.0.0/16"], ["192.168.0.0/16"], ["100.64.0.0/16", "10.250.0.0/24"]];

const anyIp = fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(intToIp);
const ipIn = (cidr: string) => {
  const [a, b] = cidrRange(cidr);
  return fc.integer({ min: a, max: b }).map(intToIp);
};
const portArb = fc.oneof(fc.constantFrom(22, 53, 80, 443, 3389, 8080), fc.integer({ min: 1, max: 65535 }));

/** the remote end of a flow: often an address some prefix of interest contains */
function remoteIp(vnetSpace: string[], peered: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(PROBE_IP) },
    { weight: 3, arbitrary: fc.constantFrom(...vnetSpace).chain(ipIn) },
    { weight: peered.length > 0 ? 2 : 0, arbitrary: peered.length > 0 ? fc.constantFrom(...peered).chain(ipIn) : fc.constant(PROBE_IP) },
    { weight: 3, arbitrary: fc.constantFrom("203.0.113.0/24", "198.51.100.0/24", "52.0.0.0/8", "20.0.0.0/6").chain(ipIn) },
    { weight: 2, arbitrary: anyIp },
  );
}

/** a concrete address prefix, usually related to one of the anchors so that it matches now and then */
function prefixArb(anchors: string[]): fc.Arbitrary<string> {
  const anchor = fc.constantFrom(...anchors);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant("*") },
    { weight: 2, arbitrary: anchor },
    { weight: 1, arbitrary: anchor.map((a) => `${a}/32`) },
    { weight: 4, arbitrary: fc.tuple(anchor, fc.integer({ min: 0, max: 32 })).map(([a, bits]) => networkOf(ipToInt(a), bits)) },
    {
      // a near miss: the anchor with one bit flipped, at a length that excludes the anchor itself
      weight: 2,
      arbitrary: fc.tuple(anchor, fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 31 })).map(([a, bit, extra]) => {
        const flipped = ipToInt(a) ^ (2 ** (31 - bit));
        return networkOf(flipped >>> 0, Math.min(32, bit + 1 + (extra % (32 - bit))));
      }),
    },
    { weight: 1, arbitrary: fc.tuple(anyIp, fc.integer({ min: 0, max: 32 })).map(([a, bits]) => networkOf(ipToInt(a), bits)) },
  );
}

function portRangeArb(near: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(String(near)) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 65535 }).map(String) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
        .map(([d1, d2]) => `${Math.max(0, near - d1)}-${Math.min(65535, near + d2)}`),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((d) => `${Math.min(65535, near + d)}-${Math.min(65535, near + d + 100)}`) },
    { weight: 1, arbitrary: fc.constant("0-65535") },
  );
}

function oneOrMany(arb: fc.Arbitrary<string>, star: boolean): fc.Arbitrary<string | string[]> {
  return fc.oneof(
    { weight: 3, arbitrary: star ? fc.oneof(fc.constant("*"), arb) : arb },
    {
      weight: 2,
      arbitrary: fc.uniqueArray(
        arb.filter((x) => x !== "*"),
        { minLength: 1, maxLength: 3 },
      ),
    },
  );
}

function ruleArb(flow: Flow, anchors: string[], flowDirectionWeight = 4): fc.Arbitrary<GenRule> {
  const sport = flow.sourcePort ?? 40000;
  return fc.record({
    direction: fc.oneof(
      { weight: flowDirectionWeight, arbitrary: fc.constant(flow.direction) },
      { weight: 1, arbitrary: fc.constantFrom<"Inbound" | "Outbound">("Inbound", "Outbound") },
    ),
    access: fc.constantFrom<"Allow" | "Deny">("Allow", "Deny"),
    protocol: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom<"Tcp" | "Udp" | "Icmp" | "*">("Tcp", "Udp", "Icmp", "*") },
      { weight: 1, arbitrary: fc.constant<"Esp">("Esp") },
    ),
    source: oneOrMany(prefixArb(anchors), true),
    destination: oneOrMany(prefixArb(anchors), true),
    ports: fc.oneof(
      { weight: 2, arbitrary: fc.constant("*") },
      { weight: 5, arbitrary: oneOrMany(portRangeArb(flow.destinationPort), false) },
    ),
    sourcePorts: fc.oneof({ weight: 6, arbitrary: fc.constant("*") }, { weight: 1, arbitrary: oneOrMany(portRangeArb(sport), false) }),
  });
}

/** rules with priorities unique per direction (100–4096) */
function nsgRulesArb(flow: Flow, anchors: string[], prefix: string, max: number): fc.Arbitrary<SecurityRuleSpec[]> {
  return fc
    .tuple(
      fc.array(ruleArb(flow, anchors), { maxLength: max }),
      fc.uniqueArray(fc.integer({ min: 100, max: 4096 }), { minLength: max, maxLength: max }),
      fc.uniqueArray(fc.integer({ min: 100, max: 4096 }), { minLength: max, maxLength: max }),
    )
    .map(([rules, inPrio, outPrio]) => {
      let i = 0;
      let o = 0;
      return rules.map((r, n) => ({
        ...r,
        name: `${prefix}-${n}`,
        priority: (r.direction === "Inbound" ? inPrio[i++] : outPrio[o++]) as number,
      }));
    });
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    vnet: fc.constantFrom(...VNETS),
    peeredSpace: fc.constantFrom(...PEERED),
    direction: fc.constantFrom<"Inbound" | "Outbound">("Inbound", "Outbound"),
    protocol: fc.constantFrom<"Tcp" | "Udp" | "Icmp">("Tcp", "Udp", "Icmp"),
    port: portArb,
    sourcePort: fc.option(fc.integer({ min: 1024, max: 65535 }), { freq: 2 }),
  })
  .chain((env) =>
    fc.record({ nicIp: ipIn(env.vnet.subnet), remote: remoteIp(env.vnet.space, env.peeredSpace) }).chain(({ nicIp, remote }) => {
      const flow: Flow = {
        direction: env.direction,
        protocol: env.protocol,
        source: { kind: "ip", ip: env.direction === "Inbound" ? remote : nicIp },
        destinationIp: env.direction === "Inbound" ? nicIp : remote,
        destinationPort: env.port,
        ...(env.sourcePort === null ? {} : { sourcePort: env.sourcePort }),
      };
      const anchors = [nicIp, remote, PROBE_IP, ...env.vnet.space.map((c) => c.split("/")[0] as string)];
      const layer = (prefix: string) => fc.option(nsgRulesArb(flow, anchors, prefix, 7), { freq: 4, nil: undefined });
      return fc.record({ subnetRules: layer("s"), nicRules: layer("n") }).map(
        (nsgs): Scenario => ({
          vnetSpace: env.vnet.space,
          peeredSpace: env.peeredSpace,
          subnetPrefix: env.vnet.subnet,
          nicIp,
          flow,
          ...nsgs,
        }),
      );
    }),
  );

// ---------------------------------------------------------------------------
// system under test

const VNET = "vnet-p";
const SUBNET_NSG = "nsg-subnet";
const NIC_NSG = "nsg-nic";

function build(s: Scenario) {
  const b = azure();
  if (s.subnetRules) b.nsg(SUBNET_NSG, s.subnetRules);
  if (s.nicRules) b.nsg(NIC_NSG, s.nicRules);
  b.vnet(VNET, s.vnetSpace, [{ name: "snet-p", prefix: s.subnetPrefix, ...(s.subnetRules ? { nsg: SUBNET_NSG } : {}) }]);
  if (s.peeredSpace.length > 0) {
    b.edit(netId("virtualNetworks", VNET), (r) => {
      P(r).virtualNetworkPeerings = [
        {
          name: "peer-hub",
          id: `${netId("virtualNetworks", VNET)}/virtualNetworkPeerings/peer-hub`,
          properties: { peeringState: "Connected", remoteAddressSpace: { addressPrefixes: s.peeredSpace } },
        },
      ];
    });
  }
  b.vm("vm-p", { subnet: `${VNET}/snet-p`, ip: s.nicIp, ...(s.nicRules ? { nsg: NIC_NSG } : {}) });
  const snapshot = b.build();
  const model = buildAzureModel(snapshot);
  const target = model.byKey.ipConfig.get(idKey(ids.ipconfig("vm-p-nic"))) as IpConfig;
  assert.ok(target, "the NIC's ip configuration is in the model");
  return { snapshot, model, target };
}

function evaluate(s: Scenario): { verdict: FlowVerdict; snapshot: unknown } {
  const { snapshot, model, target } = build(s);
  return { verdict: evaluateFlow(model, target, s.flow), snapshot };
}

function toRef(rules: SecurityRuleSpec[] | undefined): RefRule[] | undefined {
  if (rules === undefined) return undefined;
  const list = (v: string | string[] | undefined) => (v === undefined ? ["*"] : Array.isArray(v) ? v : [v]);
  return rules.map((r) => ({
    name: r.name,
    priority: r.priority,
    direction: r.direction ?? "Inbound",
    access: r.access ?? "Allow",
    protocol: r.protocol ?? "Tcp",
    src: list(r.source),
    dst: list(r.destination),
    sport: list(r.sourcePorts),
    dport: list(r.ports),
  }));
}

const refOf = (s: Scenario) =>
  refEvaluate(toRef(s.subnetRules), toRef(s.nicRules), s.flow, { vnetSpace: s.vnetSpace, peeredSpace: s.peeredSpace });

function describeScenario(s: Scenario): string {
  return JSON.stringify({ flow: s.flow, vnet: s.vnetSpace, peered: s.peeredSpace, subnet: s.subnetRules, nic: s.nicRules }, null, 1);
}

function assertMatchesReference(s: Scenario): void {
  const { verdict, snapshot } = evaluate(s);
  const ref = refOf(s);
  const ctx = () => `\nscenario: ${describeScenario(s)}\nreference: ${JSON.stringify(ref)}\nevaluator: ${JSON.stringify(verdict)}`;
  assert.equal(verdict.basis, "nsg-resources", ctx());
  assert.equal(verdict.verdict, ref.verdict, `verdict${ctx()}`);
  assert.deepEqual(
    verdict.layers.map((l) => l.layer),
    ref.layers.map((l) => l.layer),
    `layer order${ctx()}`,
  );
  assert.equal(verdict.blockingLayer?.layer, ref.blocking, `blocking layer${ctx()}`);
  verdict.layers.forEach((got, i) => {
    const want = ref.layers[i] as RefLayer;
    assert.equal(got.verdict, want.verdict, `${got.layer} verdict${ctx()}`);
    if (!want.hasNsg) {
      assert.equal(got.deciding, undefined, `${got.layer}: no NSG, no deciding rule${ctx()}`);
      return;
    }
    assert.equal(got.nsgName, got.layer === "subnet" ? SUBNET_NSG : NIC_NSG, ctx());
    assert.ok(got.deciding, `${got.layer}: a deciding rule${ctx()}`);
    assert.equal(got.deciding.name, want.deciding?.name, `${got.layer} deciding rule${ctx()}`);
    assert.equal(got.deciding.priority, want.deciding?.priority, `${got.layer} deciding priority${ctx()}`);
    assert.equal(got.deciding.access, want.deciding?.access, ctx());
    assert.deepEqual(got.ambiguous.map((a) => a.name).sort(), [...want.ambiguous].sort(), `${got.layer} ambiguous rules${ctx()}`);
    // the deciding rule's pointer leads to that very rule in the snapshot
    const wire = resolvePointer(snapshot, got.deciding.ptr) as { name?: string } | undefined;
    assert.equal(wire?.name, got.deciding.name, `${got.layer} deciding pointer ${got.deciding.ptr}${ctx()}`);
  });
}

// ---------------------------------------------------------------------------

const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const SCALE = process.env.FC_SCALE ? Number(process.env.FC_SCALE) : 1;
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * SCALE)), ...(SEED === undefined ? {} : { seed: SEED }) });

/** The layers' NSGs that exist, with their rules. */
function nsgLayers(s: Scenario): Array<{ layer: "subnet" | "nic"; rules: SecurityRuleSpec[] }> {
  const out: Array<{ layer: "subnet" | "nic"; rules: SecurityRuleSpec[] }> = [];
  if (s.subnetRules) out.push({ layer: "subnet", rules: s.subnetRules });
  if (s.nicRules) out.push({ layer: "nic", rules: s.nicRules });
  return out;
}

function withRule(s: Scenario, layer: "subnet" | "nic", rule: SecurityRuleSpec): Scenario {
  return layer === "subnet" ? { ...s, subnetRules: [...(s.subnetRules ?? []), rule] } : { ...s, nicRules: [...(s.nicRules ?? []), rule] };
}

function freePriorities(rules: SecurityRuleSpec[], direction: "Inbound" | "Outbound", lo: number, hi: number): number[] {
  const used = new Set(rules.filter((r) => (r.direction ?? "Inbound") === direction).map((r) => r.priority));
  const out: number[] = [];
  for (let p = lo; p <= hi; p++) if (!used.has(p)) out.push(p);
  return out;
}

/** A rule built to miss the flow on one field (protocol, destination port, or the remote address). */
function missingRuleArb(s: Scenario): fc.Arbitrary<GenRule> {
  const flow = s.flow;
  const remote = flow.direction === "Inbound" ? (flow.source as { ip: string }).ip : flow.destinationIp;
  const anchors = [s.nicIp, remote, PROBE_IP];
  return fc
    .tuple(ruleArb(flow, anchors), fc.constantFrom("protocol", "port", "address"), fc.integer({ min: 0, max: 31 }), fc.nat())
    .map(([rule, how, bit, n]) => {
      const r: GenRule = { ...rule, direction: flow.direction };
      if (how === "protocol") {
        const others = (["Tcp", "Udp", "Icmp", "Esp"] as const).filter((p) => p !== flow.protocol);
        r.protocol = others[n % others.length] as GenRule["protocol"];
      } else if (how === "port") {
        const p = flow.destinationPort;
        r.ports = p > 1000 ? `1-${p - 1}` : `${p + 1}-65535`;
      } else {
        // a prefix around the remote end with one bit flipped, long enough to exclude the remote address
        const cidr = networkOf((ipToInt(remote) ^ (2 ** (31 - bit))) >>> 0, Math.min(32, bit + 1 + (n % (32 - bit))));
        if (flow.direction === "Inbound") r.source = cidr;
        else r.destination = cidr;
      }
      return r;
    });
}

describe("NSG evaluator: properties against a reference implementation", () => {
  it("verdict, deciding rule per layer, layer order and blocking layer equal the reference (random NSGs and flows)", () => {
    fc.assert(fc.property(scenarioArb, assertMatchesReference), runs(3000));
  });

  it("statefulness: rules of the other direction never change a verdict", () => {
    const arb = scenarioArb
      .filter((s) => nsgLayers(s).length > 0)
      .chain((s) => {
        const other: "Inbound" | "Outbound" = s.flow.direction === "Inbound" ? "Outbound" : "Inbound";
        const remote = s.flow.direction === "Inbound" ? (s.flow.source as { ip: string }).ip : s.flow.destinationIp;
        const extra = fc.array(
          fc.tuple(
            ruleArb(s.flow, [s.nicIp, remote, PROBE_IP]).map((r) => ({ ...r, direction: other })),
            fc.constantFrom(...nsgLayers(s).map((l) => l.layer)),
            fc.integer({ min: 100, max: 4096 }),
          ),
          { minLength: 1, maxLength: 5 },
        );
        return fc.tuple(fc.constant(s), extra);
      });
    fc.assert(
      fc.property(arb, ([s, extra]) => {
        const before = evaluate(s).verdict;
        let t = s;
        // a blanket deny of the other direction at the top priority, then the random rules
        for (const l of nsgLayers(s)) {
          const other: "Inbound" | "Outbound" = s.flow.direction === "Inbound" ? "Outbound" : "Inbound";
          const p = freePriorities(l.rules, other, 100, 4096)[0];
          if (p !== undefined) {
            t = withRule(t, l.layer, {
              name: `x-${l.layer}-deny-all`,
              priority: p,
              direction: other,
              access: "Deny",
              protocol: "*",
              source: "*",
              destination: "*",
              ports: "*",
            });
          }
        }
        extra.forEach(([r, layer, prio], i) => {
          const rules = layer === "subnet" ? (t.subnetRules ?? []) : (t.nicRules ?? []);
          const p = freePriorities(rules, r.direction, prio, 4096)[0] ?? freePriorities(rules, r.direction, 100, 4096)[0];
          if (p !== undefined) t = withRule(t, layer, { ...r, name: `x-${i}`, priority: p });
        });
        assert.deepEqual(evaluate(t).verdict, before, describeScenario(t));
      }),
      runs(1000),
    );
  });

  it("a rule that does not match the flow never changes the verdict when added ahead of the deciding rule; any rule after it never does", () => {
    const arb = scenarioArb
      .filter((s) => nsgLayers(s).length > 0)
      .chain((s) =>
        fc.tuple(
          fc.constant(s),
          fc.constantFrom(...nsgLayers(s).map((l) => l.layer)),
          missingRuleArb(s),
          ruleArb(s.flow, [s.nicIp, PROBE_IP]),
          fc.nat(),
        ),
      );
    fc.assert(
      fc.property(arb, ([s, layer, miss, anyRule, n]) => {
        const before = evaluate(s).verdict;
        const decided = before.layers.find((l) => l.layer === layer)?.deciding;
        assert.ok(decided, `layer ${layer} has an NSG, so some rule decides`);
        const rules = (layer === "subnet" ? s.subnetRules : s.nicRules) ?? [];
        const env = { vnetSpace: s.vnetSpace, peeredSpace: s.peeredSpace };

        // (a) ahead of the deciding rule: a rule that misses the flow
        const ahead = freePriorities(rules, s.flow.direction, 100, Math.min(4096, decided.priority - 1));
        if (ahead.length > 0) {
          const rule: SecurityRuleSpec = { ...miss, name: "x-miss", priority: ahead[n % ahead.length] as number };
          assert.equal(refMatch((toRef([rule]) as RefRule[])[0] as RefRule, s.flow, env), "no", "the constructed rule misses the flow");
          assert.deepEqual(evaluate(withRule(s, layer, rule)).verdict, before, describeScenario(withRule(s, layer, rule)));
        }
        // (b) behind a custom deciding rule: anything at all
        if (!decided.isDefault) {
          const behind = freePriorities(rules, s.flow.direction, decided.priority + 1, 4096);
          if (behind.length > 0) {
            const rule: SecurityRuleSpec = {
              ...anyRule,
              direction: s.flow.direction,
              name: "x-any",
              priority: behind[n % behind.length] as number,
            };
            assert.deepEqual(evaluate(withRule(s, layer, rule)).verdict, before, describeScenario(withRule(s, layer, rule)));
          }
        }
      }),
      runs(1000),
    );
  });

  it("the generator reaches every outcome (allow, deny, unknown; custom and default deciders; both blocking layers)", () => {
    // guards the property above against a generator that only ever produces trivial cases
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const ref = refOf(s);
        seen.add(`verdict:${ref.verdict}`);
        if (ref.blocking) seen.add(`blocking:${ref.blocking}:${s.flow.direction}`);
        for (const l of ref.layers) if (l.deciding) seen.add(l.deciding.name.includes("-") ? "custom" : "default");
      }),
      { numRuns: 500, seed: 42 },
    );
    for (const k of [
      "verdict:allow",
      "verdict:deny",
      "verdict:unknown",
      "custom",
      "default",
      "blocking:subnet:Inbound",
      "blocking:nic:Inbound",
      "blocking:subnet:Outbound",
      "blocking:nic:Outbound",
    ]) {
      assert.ok(seen.has(k), `the generator never produced ${k}: ${[...seen].join(", ")}`);
    }
  });
});
