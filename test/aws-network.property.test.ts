/**
 * Property tests for the AWS evaluators (src/providers/aws/sg.ts, src/providers/aws/nacl.ts)
 * against independent reference implementations written here from the
 * documented semantics (reference/aws.md; VPC user guide):
 *
 * Security groups — allow-only and stateful; the union of the ENI's groups;
 * a permission matches on protocol ("-1" all, names or numbers; tcp/udp
 * FromPort…ToPort) and on the peer (IpRanges CIDR, UserIdGroupPairs group the
 * peer carries). Over a peer *space* the verdict is allow (every address),
 * partial (some) or deny (none); a prefix list on the flow's protocol and
 * port, or a group missing from the snapshot, makes an undecided verdict
 * `unknown`.
 *
 * Network ACLs — stateless; entries of the query's direction in ascending
 * RuleNumber, the first whose protocol, CIDR and port range match decides;
 * the `*` entry denies the rest. Over a box (peer addresses × ports) the
 * reference enumerates the grid cut by every boundary and decides each cell
 * by first match at its corner: allow / deny / partial, the ports on which
 * every peer address is denied, the lowest-numbered entry that denies.
 *
 * The reference does its own IPv4 integer math (nothing from src/providers/aws).
 * FC_SEED=<n> reproduces a run; FC_SCALE=<x> multiplies the run counts
 * (default 1: 2000 + 500 + 500 SG runs, 2000 + 1000 + 500 + 500 ACL runs).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { resolvePointer } from "../src/core/util/json-pointer.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import { evaluateNacl } from "../src/providers/aws/nacl.ts";
import { evaluateSecurityGroups, type SgVerdict } from "../src/providers/aws/sg.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { aws, awsId, type NaclEntrySpec, type PermissionSpec } from "./support/aws-builder.ts";

// ---------------------------------------------------------------------------
// reference: IPv4 integers

function ipToInt(text: string): number {
  const parts = text.split(".").map(Number);
  return (((parts[0] as number) * 256 + (parts[1] as number)) * 256 + (parts[2] as number)) * 256 + (parts[3] as number);
}
function intToIp(n: number): string {
  return [Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 2 ** 8) % 256, n % 256].join(".");
}
/** [first, last] of a CIDR */
function range(cidr: string): [number, number] {
  const [addr, len] = cidr.split("/");
  const size = 2 ** (32 - Number(len ?? 32));
  const first = Math.floor(ipToInt(addr as string) / size) * size;
  return [first, first + size - 1];
}
function networkOf(ip: number, bits: number): string {
  const size = 2 ** (32 - bits);
  return `${intToIp(Math.floor(ip / size) * size)}/${bits}`;
}
/** the elementary segments [lo, hi] of [a, b] cut at every boundary (a boundary is the first address of a new segment) */
function segments(a: number, b: number, cuts: number[]): Array<[number, number]> {
  const points = [...new Set([a, b + 1, ...cuts.filter((c) => c > a && c <= b)])].sort((x, y) => x - y);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < points.length; i++) out.push([points[i] as number, (points[i + 1] as number) - 1]);
  return out;
}

// ---------------------------------------------------------------------------
// generators shared by both

const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const SCALE = process.env.FC_SCALE ? Number(process.env.FC_SCALE) : 1;
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * SCALE)), ...(SEED === undefined ? {} : { seed: SEED }) });

const ANCHORS = ["10.0.1.0", "10.0.1.200", "10.0.11.10", "10.0.12.10", "172.31.5.4", "203.0.113.9", "52.94.0.1"];
const anyIp = fc.integer({ min: 0, max: 2 ** 32 - 1 });

/** a prefix, usually around an anchor so that it matches now and then */
const cidrArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constant("0.0.0.0/0") },
  {
    weight: 5,
    arbitrary: fc.tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: 8, max: 32 })).map(([a, bits]) => networkOf(ipToInt(a), bits)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: 8, max: 31 }), fc.integer({ min: 0, max: 23 }))
      .map(([a, bits, bit]) => {
        // a near miss: the anchor's network with one bit flipped
        const flip = 2 ** (31 - Math.min(bits - 1, bit + 8));
        const n = ipToInt(a);
        return networkOf(Math.floor(n / flip) % 2 === 0 ? n + flip : n - flip, bits);
      }),
  },
  { weight: 1, arbitrary: fc.tuple(anyIp, fc.integer({ min: 0, max: 32 })).map(([a, bits]) => networkOf(a, bits)) },
);

const PORTS = [22, 80, 443, 1024, 8080, 32768, 65535];
const portArb = fc.oneof(fc.constantFrom(...PORTS), fc.integer({ min: 1, max: 65535 }));
function portRangeArb(near: number): fc.Arbitrary<[number, number]> {
  return fc.oneof(
    fc.constant<[number, number]>([near, near]),
    fc.constant<[number, number]>([0, 65535]),
    fc
      .tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }))
      .map(([a, b]): [number, number] => [Math.max(0, near - a), Math.min(65535, near + b)]),
    fc.tuple(portArb, portArb).map(([a, b]): [number, number] => [Math.min(a, b), Math.max(a, b)]),
    fc.integer({ min: 1, max: 50 }).map((d): [number, number] => [Math.min(65535, near + d), Math.min(65535, near + d + 100)]),
  );
}

// ---------------------------------------------------------------------------
// security groups: reference

const GROUP_POOL = ["lb", "web", "bastion", "db"].map((n) => awsId("sg", `p-${n}`));
const PREFIX_LISTS = ["pl-0a1b2c3d4e5f60718", "pl-3b927c52"];

interface SgCase {
  groups: Array<{ id: string; ingress: PermissionSpec[]; egress: PermissionSpec[] }>;
  /** group ids on the ENI; some may be missing from the snapshot */
  eni: string[];
  direction: "ingress" | "egress";
  protocol: "tcp" | "udp";
  port: number;
  peer: { cidrs: string[]; groupIds: string[] };
}

const PROTO_NUM: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp" };

function refCovers(p: PermissionSpec, protocol: string, port: number): boolean {
  const proto = PROTO_NUM[p.protocol ?? "tcp"] ?? p.protocol ?? "tcp";
  if (proto === "-1") return true;
  if (proto !== protocol) return false;
  const from = p.from ?? p.port ?? 0;
  const to = p.to ?? p.port ?? 65535;
  return port >= from && port <= to;
}

type Verdict = SgVerdict["verdict"];

function refSg(c: SgCase): { verdict: Verdict; byGroup: boolean } {
  const present = c.groups.filter((g) => c.eni.includes(g.id));
  const missing = c.eni.filter((id) => !c.groups.some((g) => g.id === id));
  const perms = present.flatMap((g) => (c.direction === "ingress" ? g.ingress : g.egress)).filter((p) => refCovers(p, c.protocol, c.port));
  if (perms.some((p) => (p.groups ?? []).some((g) => c.peer.groupIds.includes(g)))) return { verdict: "allow", byGroup: true };
  const cidrs = perms.flatMap((p) => p.cidrs ?? []);
  let verdict: Verdict;
  if (c.peer.cidrs.length === 0) {
    // address unknown: only the whole space decides
    if (cidrs.includes("0.0.0.0/0")) return { verdict: "allow", byGroup: false };
    verdict = cidrs.length > 0 ? ("unknown-address" as Verdict) : "deny";
  } else {
    const peerRanges = c.peer.cidrs.map(range);
    const ruleRanges = cidrs.map(range);
    const cuts = [...peerRanges, ...ruleRanges].flatMap(([a, b]) => [a, b + 1]);
    let all = true;
    let some = false;
    for (const [a, b] of peerRanges) {
      for (const [lo] of segments(a, b, cuts)) {
        const ok = ruleRanges.some(([x, y]) => lo >= x && lo <= y);
        all &&= ok;
        some ||= ok;
      }
    }
    verdict = all ? "allow" : some ? "partial" : "deny";
    if (verdict === "allow") return { verdict, byGroup: false };
  }
  if (perms.some((p) => (p.prefixLists ?? []).length > 0)) return { verdict: "unknown", byGroup: false };
  if (missing.length > 0) return { verdict: "unknown", byGroup: false };
  if ((verdict as string) === "unknown-address") return { verdict: "unknown", byGroup: false };
  return { verdict, byGroup: false };
}

// ---------------------------------------------------------------------------
// security groups: generators and system under test

function permArb(port: number): fc.Arbitrary<PermissionSpec> {
  return fc
    .record({
      protocol: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom("tcp", "udp") },
        { weight: 2, arbitrary: fc.constant("-1") },
        { weight: 1, arbitrary: fc.constantFrom("6", "17", "icmp", "50") },
      ),
      ports: portRangeArb(port),
      cidrs: fc.array(cidrArb, { maxLength: 3 }),
      groups: fc.subarray(GROUP_POOL, { maxLength: 2 }),
      prefixLists: fc.oneof(
        { weight: 6, arbitrary: fc.constant([] as string[]) },
        { weight: 1, arbitrary: fc.subarray(PREFIX_LISTS, { minLength: 1 }) },
      ),
    })
    .map(({ protocol, ports, cidrs, groups, prefixLists }) => ({
      protocol,
      ...(protocol === "-1" || protocol === "50" || protocol === "icmp" ? {} : { from: ports[0], to: ports[1] }),
      ...(protocol === "icmp" ? { from: -1, to: -1 } : {}),
      cidrs,
      groups,
      prefixLists,
    }));
}

const peerCidrsArb: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ANCHORS).map((a) => [`${a}/32`]) },
  { weight: 3, arbitrary: cidrArb.map((c) => [c]) },
  { weight: 2, arbitrary: fc.array(cidrArb, { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant([] as string[]) },
);

const sgCaseArb: fc.Arbitrary<SgCase> = fc
  .record({
    direction: fc.constantFrom<"ingress" | "egress">("ingress", "egress"),
    protocol: fc.constantFrom<"tcp" | "udp">("tcp", "udp"),
    port: portArb,
  })
  .chain((f) =>
    fc.record({
      direction: fc.constant(f.direction),
      protocol: fc.constant(f.protocol),
      port: fc.constant(f.port),
      groups: fc.uniqueArray(
        fc.record({
          id: fc.constantFrom(...["a", "b", "c"].map((n) => awsId("sg", `eni-${n}`))),
          ingress: fc.array(permArb(f.port), { maxLength: 4 }),
          egress: fc.array(permArb(f.port), { maxLength: 4 }),
        }),
        { minLength: 1, maxLength: 3, selector: (g) => g.id },
      ),
      eni: fc.oneof(
        { weight: 6, arbitrary: fc.constant<string[] | undefined>(undefined) },
        { weight: 1, arbitrary: fc.constant<string[] | undefined>([awsId("sg", "eni-missing")]) },
      ),
      peer: fc.record({ cidrs: peerCidrsArb, groupIds: fc.subarray(GROUP_POOL, { maxLength: 2 }) }),
    }),
  )
  .map((c) => ({ ...c, eni: [...c.groups.map((g) => g.id), ...(c.eni ?? [])] }));

function sgSnapshot(c: SgCase): AwsSnapshot {
  const b = aws();
  for (const g of c.groups) b.securityGroup({ id: g.id, name: g.id, ingress: g.ingress, egress: g.egress });
  return b.build();
}

function evalSg(c: SgCase): { v: SgVerdict; snapshot: AwsSnapshot } {
  const snapshot = sgSnapshot(c);
  const model = buildAwsModel(snapshot);
  return { v: evaluateSecurityGroups(model, c.eni, c.direction, c.peer, c.protocol, c.port), snapshot };
}

function assertSgMatchesReference(c: SgCase): void {
  const { v, snapshot } = evalSg(c);
  const ref = refSg(c);
  const ctx = () => `\ncase: ${JSON.stringify(c)}\nreference: ${JSON.stringify(ref)}\nevaluator: ${v.verdict} ${v.reason ?? ""}`;
  assert.equal(v.verdict, ref.verdict, `verdict${ctx()}`);
  if (v.verdict === "allow") assert.ok(v.allowedBy.length > 0, `an allow names what allows it${ctx()}`);
  // every deciding element is where its pointer says, and matches the flow by the reference's own reading
  for (const m of v.allowedBy) {
    const wire = resolvePointer(snapshot, m.ptr) as Record<string, unknown>;
    const perm = resolvePointer(snapshot, m.permission.ptr) as Record<string, unknown>;
    const spec: PermissionSpec = {
      protocol: String(perm.IpProtocol),
      ...(perm.FromPort === undefined ? {} : { from: perm.FromPort as number, to: perm.ToPort as number }),
    };
    assert.ok(refCovers(spec, c.protocol, c.port), `allowing permission covers the protocol and port${ctx()}`);
    if (m.via === "group") {
      assert.equal(wire.GroupId, m.value, ctx());
      assert.ok(c.peer.groupIds.includes(m.value), `the referenced group is on the peer${ctx()}`);
    } else {
      assert.equal(wire.CidrIp, m.value, ctx());
    }
  }
  if (ref.verdict === "unknown") assert.ok(v.reason, `an unknown says why${ctx()}`);
}

// ---------------------------------------------------------------------------
// network ACLs: reference

interface NaclCase {
  entries: NaclEntrySpec[];
  egress: boolean;
  protocol: "tcp" | "udp";
  peer: string[];
  ports: [number, number];
}

const NACL_PROTO: Record<string, string> = { tcp: "6", udp: "17" };

function refFirstMatch(entries: NaclEntrySpec[], egress: boolean, protocol: string, ip: number, port: number): NaclEntrySpec | "implicit" {
  const sorted = entries.filter((e) => (e.egress === true) === egress).sort((a, b) => a.rule - b.rule);
  for (const e of sorted) {
    const p = NACL_PROTO[e.protocol ?? "-1"] ?? e.protocol ?? "-1";
    if (p !== "-1" && p !== NACL_PROTO[protocol]) continue;
    const [a, b] = range(e.cidr ?? "0.0.0.0/0");
    if (ip < a || ip > b) continue;
    if (p !== "-1" && e.ports && (port < e.ports[0] || port > e.ports[1])) continue;
    return e;
  }
  return "implicit";
}

interface RefNacl {
  verdict: "allow" | "deny" | "partial";
  deniedPorts: Array<[number, number]>;
  blockingRule?: number;
  deciders: number[];
  deniedAddresses: Array<[number, number]>;
}

function merge(xs: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, b] of [...xs].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function refNacl(c: NaclCase): RefNacl {
  const peer = merge(c.peer.map(range));
  const addrCuts = [
    ...peer.flatMap(([a, b]) => [a, b + 1]),
    ...c.entries.flatMap((e) => range(e.cidr ?? "0.0.0.0/0")).flatMap((x, i) => (i % 2 === 0 ? [x] : [x + 1])),
  ];
  const portCuts = c.entries.flatMap((e) => (e.ports ? [e.ports[0], e.ports[1] + 1] : []));
  const portSegs = segments(c.ports[0], c.ports[1], portCuts);
  const addrSegs = peer.flatMap(([a, b]) => segments(a, b, addrCuts));
  const peerSize = peer.reduce((n, [a, b]) => n + b - a + 1, 0);
  let allowed = 0;
  let denied = 0;
  const deciders = new Set<number>();
  let blockingRule: number | undefined;
  const deniedPorts: Array<[number, number]> = [];
  const deniedAddresses: Array<[number, number]> = [];
  for (const [plo, phi] of portSegs) {
    let deniedHere = 0;
    for (const [alo, ahi] of addrSegs) {
      const m = refFirstMatch(c.entries, c.egress, c.protocol, alo, plo);
      const rule = m === "implicit" ? 32767 : m.rule;
      const action = m === "implicit" ? "deny" : (m.action ?? "allow");
      deciders.add(rule);
      const cells = (ahi - alo + 1) * (phi - plo + 1);
      if (action === "deny") {
        denied += cells;
        deniedHere += ahi - alo + 1;
        deniedAddresses.push([alo, ahi]);
        if (blockingRule === undefined || rule < blockingRule) blockingRule = rule;
      } else allowed += cells;
    }
    if (deniedHere === peerSize && peerSize > 0) deniedPorts.push([plo, phi]);
  }
  return {
    verdict: denied === 0 ? "allow" : allowed === 0 ? "deny" : "partial",
    deniedPorts: merge(deniedPorts),
    ...(blockingRule === undefined ? {} : { blockingRule }),
    deciders: [...deciders].sort((a, b) => a - b),
    deniedAddresses: merge(deniedAddresses),
  };
}

// ---------------------------------------------------------------------------
// network ACLs: generators and system under test

function entriesArb(near: number): fc.Arbitrary<NaclEntrySpec[]> {
  const entry = fc.record({
    egress: fc.boolean(),
    protocol: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom("6", "17") },
      { weight: 2, arbitrary: fc.constant("-1") },
      { weight: 1, arbitrary: fc.constant("1") },
    ),
    action: fc.constantFrom<"allow" | "deny">("allow", "deny"),
    cidr: cidrArb,
    ports: fc.oneof(portRangeArb(near), fc.constant<[number, number]>([1024, 65535]), fc.constant<[number, number]>([32768, 65535])),
  });
  return fc
    .tuple(fc.array(entry, { maxLength: 8 }), fc.uniqueArray(fc.integer({ min: 1, max: 32766 }), { minLength: 8, maxLength: 8 }))
    .map(([es, numbers]) => es.map((e, i) => ({ ...e, rule: numbers[i] as number })));
}

const naclCaseArb: fc.Arbitrary<NaclCase> = fc
  .record({ egress: fc.boolean(), protocol: fc.constantFrom<"tcp" | "udp">("tcp", "udp"), port: portArb })
  .chain((f) =>
    fc.record({
      egress: fc.constant(f.egress),
      protocol: fc.constant(f.protocol),
      entries: entriesArb(f.port),
      peer: peerCidrsArb.filter((p) => p.length > 0),
      ports: fc.oneof(
        { weight: 3, arbitrary: fc.constant<[number, number]>([f.port, f.port]) },
        { weight: 2, arbitrary: fc.constant<[number, number]>([1024, 65535]) },
        { weight: 1, arbitrary: portRangeArb(f.port) },
      ),
    }),
  );

const ACL = awsId("acl", "prop");

function naclSnapshot(c: NaclCase): AwsSnapshot {
  return aws().nacl({ id: ACL, subnets: [], entries: c.entries }).build();
}

function evalNacl(c: NaclCase) {
  const snapshot = naclSnapshot(c);
  const model = buildAwsModel(snapshot);
  const acl = model.byKey.networkAcl.get(ACL);
  assert.ok(acl);
  return { v: evaluateNacl(acl, { egress: c.egress, protocol: c.protocol, peer: c.peer, ports: c.ports }), snapshot };
}

function assertNaclMatchesReference(c: NaclCase): void {
  const { v, snapshot } = evalNacl(c);
  const ref = refNacl(c);
  const ctx = () =>
    `\ncase: ${JSON.stringify(c)}\nreference: ${JSON.stringify(ref)}\nevaluator: ${JSON.stringify({ ...v, decisions: v.decisions.map((d) => d.entry.ruleNumber) })}`;
  assert.equal(v.verdict, ref.verdict, `verdict${ctx()}`);
  assert.deepEqual(v.deniedPorts, ref.deniedPorts, `denied ports${ctx()}`);
  assert.equal(v.blocking?.ruleNumber, ref.blockingRule, `blocking entry${ctx()}`);
  assert.deepEqual(
    [...new Set(v.decisions.map((d) => d.entry.ruleNumber))].sort((a, b) => a - b),
    ref.deciders,
    `deciding entries${ctx()}`,
  );
  assert.deepEqual(merge(v.deniedCidrs.map(range)), ref.deniedAddresses, `denied addresses${ctx()}`);
  for (const d of v.decisions) {
    // the pointer leads to that very entry (the wire always lists the `*` entries)
    const wire = resolvePointer(snapshot, d.entry.ptr) as Record<string, unknown>;
    assert.equal(wire.RuleNumber, d.entry.ruleNumber, ctx());
    assert.equal(wire.Egress, c.egress, ctx());
  }
}

// ---------------------------------------------------------------------------

describe("security-group evaluator: properties against a reference implementation", () => {
  it("verdict and deciding entries equal the reference (random groups, peers and flows)", () => {
    fc.assert(fc.property(sgCaseArb, assertSgMatchesReference), runs(2000));
  });

  it("allow-only: adding a permission never takes an allow away, and the order of groups and permissions never matters", () => {
    const arb = sgCaseArb.chain((c) => fc.tuple(fc.constant(c), permArb(c.port), fc.nat()));
    fc.assert(
      fc.property(arb, ([c, extra, n]) => {
        const before = evalSg(c).v.verdict;
        const g = c.groups[n % c.groups.length];
        assert.ok(g);
        const grown: SgCase = {
          ...c,
          groups: c.groups.map((x) => (x === g ? { ...x, [c.direction]: [...x[c.direction], extra] } : x)),
        };
        if (before === "allow") assert.equal(evalSg(grown).v.verdict, "allow", JSON.stringify(grown));
        const shuffled: SgCase = {
          ...c,
          groups: [...c.groups].reverse().map((x) => ({ ...x, ingress: [...x.ingress].reverse(), egress: [...x.egress].reverse() })),
          eni: [...c.eni].reverse(),
        };
        assert.equal(evalSg(shuffled).v.verdict, before, JSON.stringify(shuffled));
      }),
      runs(500),
    );
  });

  it("stateful: permissions of the other direction never change a verdict", () => {
    const arb = sgCaseArb.chain((c) => fc.tuple(fc.constant(c), fc.array(permArb(c.port), { minLength: 1, maxLength: 4 })));
    fc.assert(
      fc.property(arb, ([c, extra]) => {
        const other = c.direction === "ingress" ? "egress" : "ingress";
        const t: SgCase = { ...c, groups: c.groups.map((g) => ({ ...g, [other]: [...g[other], ...extra] })) };
        assert.equal(evalSg(t).v.verdict, evalSg(c).v.verdict, JSON.stringify(t));
      }),
      runs(500),
    );
  });

  it("the generator reaches every verdict, and allows by group and by CIDR", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(sgCaseArb, (c) => {
        const r = refSg(c);
        seen.add(r.verdict);
        if (r.verdict === "allow") seen.add(r.byGroup ? "by-group" : "by-cidr");
      }),
      { numRuns: 1000, seed: 42 },
    );
    for (const k of ["allow", "partial", "deny", "unknown", "by-group", "by-cidr"])
      assert.ok(seen.has(k), `never produced ${k}: ${[...seen]}`);
  });
});

describe("network ACL evaluator: properties against a reference implementation", () => {
  it("verdict, denied ports and addresses, blocking and deciding entries equal the reference (random ACLs and boxes)", () => {
    fc.assert(fc.property(naclCaseArb, assertNaclMatchesReference), runs(2000));
  });

  it("one address and one port: exactly one entry decides, the reference's first match", () => {
    const arb = naclCaseArb.chain((c) =>
      fc
        .tuple(fc.constant(c), fc.constantFrom(...ANCHORS), fc.integer({ min: 0, max: 65535 }))
        .map(([x, ip, port]) => ({ ...x, peer: [`${ip}/32`], ports: [port, port] as [number, number] })),
    );
    fc.assert(
      fc.property(arb, (c) => {
        const { v } = evalNacl(c);
        assert.equal(v.decisions.length, 1, JSON.stringify(c));
        const m = refFirstMatch(c.entries, c.egress, c.protocol, ipToInt((c.peer[0] as string).split("/")[0] as string), c.ports[0]);
        assert.equal(v.decisions[0]?.entry.ruleNumber, m === "implicit" ? 32767 : m.rule, JSON.stringify(c));
        assert.equal(v.verdict, (m === "implicit" ? "deny" : (m.action ?? "allow")) === "allow" ? "allow" : "deny", JSON.stringify(c));
      }),
      runs(1000),
    );
  });

  it("first match: behind a catch-all entry, further entries never change the verdict", () => {
    const arb = naclCaseArb.chain((c) =>
      fc.tuple(
        fc.constant(c),
        entriesArb(c.ports[0]).filter((x) => x.length > 0),
        fc.constantFrom<"allow" | "deny">("allow", "deny"),
      ),
    );
    fc.assert(
      fc.property(arb, ([c, extra, action]) => {
        const floor = Math.max(0, ...c.entries.map((e) => e.rule));
        if (floor > 32750) return;
        const catchAll: NaclEntrySpec = { rule: floor + 1, egress: c.egress, protocol: "-1", action, cidr: "0.0.0.0/0" };
        const base: NaclCase = { ...c, entries: [...c.entries, catchAll] };
        const before = evalNacl(base).v;
        assert.ok(
          before.decisions.every((d) => d.entry.ruleNumber <= floor + 1),
          "the catch-all decides whatever the earlier entries left",
        );
        const added = extra.map((e, i) => ({ ...e, egress: c.egress, rule: floor + 2 + i }));
        const after = evalNacl({ ...base, entries: [...base.entries, ...added] }).v;
        assert.equal(after.verdict, before.verdict, JSON.stringify(base));
        assert.deepEqual(after.deniedPorts, before.deniedPorts, JSON.stringify(base));
        assert.equal(after.blocking?.ruleNumber, before.blocking?.ruleNumber, JSON.stringify(base));
      }),
      runs(500),
    );
  });

  it("stateless per direction: entries of the other direction never change a verdict", () => {
    const arb = naclCaseArb.chain((c) => fc.tuple(fc.constant(c), entriesArb(c.ports[0])));
    fc.assert(
      fc.property(arb, ([c, extra]) => {
        const used = new Set(c.entries.filter((e) => (e.egress === true) !== c.egress).map((e) => e.rule));
        const others = extra.map((e) => ({ ...e, egress: !c.egress })).filter((e) => !used.has(e.rule));
        const before = evalNacl(c).v;
        const after = evalNacl({ ...c, entries: [...c.entries, ...others] }).v;
        assert.equal(after.verdict, before.verdict);
        assert.deepEqual(after.deniedPorts, before.deniedPorts);
      }),
      runs(500),
    );
  });

  it("the generator reaches every outcome (allow, deny, partial; custom and implicit blocking; denied ports for part of a range)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(naclCaseArb, (c) => {
        const r = refNacl(c);
        seen.add(r.verdict);
        if (r.blockingRule !== undefined) seen.add(r.blockingRule === 32767 ? "implicit" : "custom");
        if (r.verdict === "partial" && r.deniedPorts.length > 0) seen.add("partial-with-denied-ports");
        if (r.verdict === "partial" && r.deniedPorts.length === 0) seen.add("partial-addresses-only");
      }),
      { numRuns: 1000, seed: 42 },
    );
    for (const k of ["allow", "deny", "partial", "implicit", "custom", "partial-with-denied-ports", "partial-addresses-only"]) {
      assert.ok(seen.has(k), `never produced ${k}: ${[...seen]}`);
    }
  });
});

// ---------------------------------------------------------------------------
// IPv6: the same semantics on the other family. Each IPv4 CIDR a.b.c.d/n is mirrored into 64:ff9b::/96 (RFC 6052's
// well-known prefix) as 64:ff9b::a.b.c.d/(96+n), 0.0.0.0/0 as ::/0: an injective embedding that keeps containment, so
// the evaluators must give the mirrored IPv6 case the verdict of the IPv4 one (itself checked against the reference
// above). ipaddr.js (the parser, not src/) maps the evaluator's IPv6 CIDRs back.

/** A rule's CIDR: 0.0.0.0/0 (every IPv4 address) becomes ::/0 (every IPv6 address). */
function mirror(cidr: string): string {
  return cidr === "0.0.0.0/0" ? "::/0" : mirrorPeer(cidr);
}

/** A peer's CIDR: always inside 64:ff9b::/96 (a peer of 0.0.0.0/0 is the whole mirrored space, not ::/0). */
function mirrorPeer(cidr: string): string {
  const [addr, len] = cidr.split("/");
  return `64:ff9b::${addr}/${96 + Number(len ?? 32)}`;
}

function unmirror(cidr: string): string {
  const [a, len] = ipaddr.parseCIDR(cidr);
  const b = a.toByteArray();
  if (len < 96) return cidr === "::/0" ? "0.0.0.0/0" : `not-mirrored:${cidr}`;
  return `${b.slice(12).join(".")}/${len - 96}`;
}

function mirrorNaclSnapshot(c: NaclCase): AwsSnapshot {
  const s = naclSnapshot(c);
  for (const acl of s.ec2?.NetworkAcls ?? []) {
    for (const e of (acl.Entries ?? []) as Array<Record<string, unknown>>) {
      e.Ipv6CidrBlock = mirror(String(e.CidrBlock));
      delete e.CidrBlock;
    }
  }
  return s;
}

function evalNaclOn(snapshot: AwsSnapshot, c: NaclCase, peer: string[]) {
  const acl = buildAwsModel(snapshot).byKey.networkAcl.get(ACL);
  assert.ok(acl);
  return evaluateNacl(acl, { egress: c.egress, protocol: c.protocol, peer, ports: c.ports });
}

describe("IPv6: the evaluators on a mirrored case give the IPv4 case's verdict", () => {
  it("network ACLs: Ipv6CidrBlock entries decide an IPv6 box as CidrBlock entries decide its IPv4 twin", () => {
    fc.assert(
      fc.property(naclCaseArb, (c) => {
        const v4 = evalNacl(c).v;
        const v6 = evalNaclOn(mirrorNaclSnapshot(c), c, c.peer.map(mirrorPeer));
        const ctx = `\ncase: ${JSON.stringify(c)}`;
        assert.equal(v6.verdict, v4.verdict, `verdict${ctx}`);
        assert.deepEqual(v6.deniedPorts, v4.deniedPorts, `denied ports${ctx}`);
        assert.equal(v6.blocking?.ruleNumber, v4.blocking?.ruleNumber, `blocking${ctx}`);
        assert.deepEqual(
          v6.decisions.map((d) => d.entry.ruleNumber),
          v4.decisions.map((d) => d.entry.ruleNumber),
          `deciding entries${ctx}`,
        );
        assert.deepEqual(merge(v6.deniedCidrs.map(unmirror).map(range)), merge(v4.deniedCidrs.map(range)), `denied addresses${ctx}`);
      }),
      runs(500),
    );
  });

  it("network ACLs: an entry of one family never decides a packet of the other (only the implicit deny is left)", () => {
    fc.assert(
      fc.property(naclCaseArb, (c) => {
        for (const v of [evalNaclOn(naclSnapshot(c), c, c.peer.map(mirrorPeer)), evalNaclOn(mirrorNaclSnapshot(c), c, c.peer)]) {
          assert.equal(v.verdict, "deny", JSON.stringify(c));
          assert.ok(
            v.decisions.every((d) => d.entry.ruleNumber === 32767),
            JSON.stringify(c),
          );
        }
      }),
      runs(300),
    );
  });

  it("security groups: Ipv6Ranges decide an IPv6 peer as IpRanges decide its IPv4 twin, and never an IPv4 peer", () => {
    fc.assert(
      fc.property(sgCaseArb, (c) => {
        const v4 = evalSg(c).v;
        const groups = c.groups.map((g) => ({
          ...g,
          ingress: g.ingress.map((p) => ({ ...p, cidrs: [], ipv6: (p.cidrs ?? []).map(mirror) })),
          egress: g.egress.map((p) => ({ ...p, cidrs: [], ipv6: (p.cidrs ?? []).map(mirror) })),
        }));
        const model = buildAwsModel(sgSnapshot({ ...c, groups }));
        const peer6 = { cidrs: c.peer.cidrs.map(mirrorPeer), groupIds: c.peer.groupIds, family: "ipv6" as const };
        const v6 = evaluateSecurityGroups(model, c.eni, c.direction, peer6, c.protocol, c.port);
        const ctx = `\ncase: ${JSON.stringify(c)}\nv4: ${v4.verdict} ${JSON.stringify(v4.allowedCidrs)}\nv6: ${v6.verdict} ${JSON.stringify(v6.allowedCidrs)}`;
        assert.equal(v6.verdict, v4.verdict, `verdict${ctx}`);
        assert.equal(v6.allowedBy.length, v4.allowedBy.length, `allowing entries${ctx}`);
        assert.deepEqual(merge(v6.allowedCidrs.map(unmirror).map(range)), merge(v4.allowedCidrs.map(range)), `allowed addresses${ctx}`);
        // the IPv4 twin against the IPv6-only groups: only a group reference can still allow it
        const cross = evaluateSecurityGroups(model, c.eni, c.direction, c.peer, c.protocol, c.port);
        assert.ok(
          cross.allowedBy.every((m) => m.via === "group"),
          `an IPv6 range allowed an IPv4 peer${ctx}`,
        );
      }),
      runs(500),
    );
  });
});
