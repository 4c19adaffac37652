/**
 * The network ACL evaluator.
 *
 * Semantics (VPC user guide, "Network ACLs"):
 * - stateless: inbound and outbound are evaluated separately, so a flow needs
 *   its request allowed (outbound on the source subnet, inbound on the
 *   destination subnet) and its reply allowed (outbound on the destination
 *   subnet, inbound on the source subnet) on the client's ephemeral ports;
 * - entries of one direction in ascending RuleNumber; the first entry whose
 *   protocol, CIDR and port range match a packet decides; the `*` entry
 *   (32767) denies what nothing else matched;
 * - Protocol "-1" is every protocol and every port; "6"/"17" (tcp/udp) match
 *   PortRange.From…To, the packet's destination port;
 * - an entry holds an IPv4 `CidrBlock` or an IPv6 `Ipv6CidrBlock`: it matches
 *   packets of that family only (IPv6 peers are split the same way, on bigint
 *   addresses);
 * - traffic between two addresses of one subnet does not cross its ACL.
 *
 * A query is a box: a set of peer addresses (one IP, a subnet's CIDR, the
 * internet) × a port range (one port, or the ephemeral range). The evaluator
 * splits the box exactly by first match and reports which entries decided
 * which part, and the ports on which *every* peer address is denied (a
 * certain block, whatever the peer's exact address).
 */
import {
  type Interval,
  type Interval6,
  maxBig,
  minBig,
  normalize,
  normalize6,
  type Space,
  type Space6,
  size6,
  spaceOf,
  spaceOf6,
  toCidrs,
  toCidrs6,
} from "../../core/util/ip.ts";
import type { NaclEntry, NetworkAcl, Subnet } from "./model.ts";
import type { Protocol } from "./sg.ts";

/** The ephemeral range ELB and clients use as source ports; replies go back to it. */
export const EPHEMERAL: Interval = [1024, 65535];

export interface NaclQuery {
  egress: boolean;
  protocol: Protocol;
  /** the other end's addresses: the source of an inbound packet, the destination of an outbound one */
  peer: string[];
  /** destination ports of the packets, inclusive */
  ports: Interval;
}

export interface NaclDecision {
  entry: NaclEntry;
  /** the IPv4 part of the box the entry decided */
  addresses: Space;
  /** the IPv6 part of the box the entry decided, as CIDRs (absent when the query holds no IPv6 address) */
  ipv6?: string[];
  ports: Interval;
}

export interface NaclVerdict {
  /** allow: every packet of the box; deny: none; partial: some */
  verdict: "allow" | "deny" | "partial";
  /** each entry that decided part of the box, in rule-number order, with that part */
  decisions: NaclDecision[];
  /** the lowest-numbered entry that denied part of the box */
  blocking?: NaclEntry;
  /** port ranges on which every peer address is denied */
  deniedPorts: Interval[];
  /** the peer addresses denied on at least one port, as CIDRs (IPv4 first, then IPv6) */
  deniedCidrs: string[];
}

const PROTOCOL_NUMBERS: Record<string, string> = { tcp: "6", udp: "17", icmp: "1", all: "-1" };

/** Does the entry apply to this protocol (ports aside)? */
export function entryMatchesProtocol(entry: NaclEntry, protocol: Protocol): boolean {
  const p = PROTOCOL_NUMBERS[entry.protocol] ?? entry.protocol;
  return p === "-1" || p === PROTOCOL_NUMBERS[protocol];
}

function entryPorts(entry: NaclEntry): Interval {
  const p = PROTOCOL_NUMBERS[entry.protocol] ?? entry.protocol;
  if (p === "-1" || !entry.portRange) return [0, 65535];
  return [entry.portRange.from, entry.portRange.to];
}

function cut(x: Interval, y: Interval): Interval | undefined {
  const lo = Math.max(x[0], y[0]);
  const hi = Math.min(x[1], y[1]);
  return lo <= hi ? [lo, hi] : undefined;
}

/** The entries of one direction that apply to the protocol, in evaluation order (the implicit deny last). */
export function entriesFor(nacl: NetworkAcl, egress: boolean, protocol: Protocol): NaclEntry[] {
  return nacl.entries.filter((e) => e.egress === egress && entryMatchesProtocol(e, protocol)).sort((x, y) => x.ruleNumber - y.ruleNumber);
}

/**
 * Evaluates a box. IPv4 peers meet the IPv4 entries (`CidrBlock`) and IPv6 peers the IPv6 entries (`Ipv6CidrBlock`),
 * never the other family's; a query that holds both families is the union of the two boxes.
 */
export function evaluateNacl(nacl: NetworkAcl, q: NaclQuery): NaclVerdict {
  const v6 = q.peer.filter((p) => p.includes(":"));
  if (v6.length === 0) return evaluateFamily(nacl, q, "ipv4", bigSpace(spaceOf(q.peer)));
  const six = evaluateFamily(nacl, q, "ipv6", spaceOf6(v6));
  if (v6.length === q.peer.length) return six;
  const v4 = q.peer.filter((p) => !p.includes(":"));
  return mergeFamilies(evaluateFamily(nacl, { ...q, peer: v4 }, "ipv4", bigSpace(spaceOf(v4))), six);
}

// ---------------------------------------------------------------------------
// the first-match split, over bigint addresses: one code for both families (an IPv4 address is a small bigint)

interface Box {
  a: Interval6;
  p: Interval;
}

function cut6(x: Interval6, y: Interval6): Interval6 | undefined {
  const lo = maxBig(x[0], y[0]);
  const hi = minBig(x[1], y[1]);
  return lo <= hi ? [lo, hi] : undefined;
}

function minus6(b: Box, e: Box): Box[] {
  const a = cut6(b.a, e.a);
  const p = cut(b.p, e.p);
  if (!a || !p) return [b];
  const out: Box[] = [];
  if (b.a[0] < a[0]) out.push({ a: [b.a[0], a[0] - 1n], p: b.p });
  if (a[1] < b.a[1]) out.push({ a: [a[1] + 1n, b.a[1]], p: b.p });
  if (b.p[0] < p[0]) out.push({ a, p: [b.p[0], p[0] - 1] });
  if (p[1] < b.p[1]) out.push({ a, p: [p[1] + 1, b.p[1]] });
  return out;
}

/** An IPv4 space as bigint intervals. */
function bigSpace(space: Space): Space6 {
  return space.map(([a, b]) => [BigInt(a), BigInt(b)]);
}

/** bigint intervals of IPv4 addresses as the numbers of an IPv4 space. */
function smallSpace(space: Space6): Space {
  return normalize(space.map(([a, b]) => [Number(a), Number(b)]));
}

/** The interval of the entry's CIDR in the family, when it applies to the family at all. */
function entryInterval(entry: NaclEntry, family: "ipv4" | "ipv6"): Interval6 | undefined {
  if (family === "ipv4") {
    // IPv6 entries never match an IPv4 packet; an entry with no CIDR at all (the `*` entry the model adds) matches both
    const cidr = entry.cidr ?? (entry.ipv6Cidr ? undefined : "0.0.0.0/0");
    const iv = cidr ? spaceOf([cidr])[0] : undefined;
    return iv ? [BigInt(iv[0]), BigInt(iv[1])] : undefined;
  }
  const cidr = entry.ipv6Cidr ?? (entry.cidr ? undefined : "::/0");
  return cidr ? spaceOf6([cidr])[0] : undefined;
}

/** The addresses of boxes as CIDRs of their family. */
function cidrsOf(boxes: Box[], family: "ipv4" | "ipv6"): string[] {
  const a = boxes.map((b) => b.a);
  return family === "ipv4" ? toCidrs(smallSpace(a)) : toCidrs6(normalize6(a));
}

/** A query's peer of one family (its space, as bigint intervals), split by the family's entries in rule order. */
function evaluateFamily(nacl: NetworkAcl, q: NaclQuery, family: "ipv4" | "ipv6", peer: Space6): NaclVerdict {
  let remaining: Box[] = peer.map((a) => ({ a, p: q.ports }));
  const decisions: NaclDecision[] = [];
  const denied: Box[] = [];
  const decide = (entry: NaclEntry, hit: Box[]) => {
    const ports = hit.reduce<Interval>((r, h) => [Math.min(r[0], h.p[0]), Math.max(r[1], h.p[1])], [65535, 0]);
    decisions.push(
      family === "ipv4"
        ? { entry, addresses: smallSpace(hit.map((h) => h.a)), ports }
        : { entry, addresses: [], ipv6: cidrsOf(hit, family), ports },
    );
  };
  for (const entry of entriesFor(nacl, q.egress, q.protocol)) {
    if (remaining.length === 0) break;
    const ea = entryInterval(entry, family);
    if (!ea) continue;
    const e: Box = { a: ea, p: entryPorts(entry) };
    const next: Box[] = [];
    const hit: Box[] = [];
    for (const b of remaining) {
      const a = cut6(b.a, e.a);
      const p = cut(b.p, e.p);
      if (!a || !p) {
        next.push(b);
        continue;
      }
      hit.push({ a, p });
      next.push(...minus6(b, e));
    }
    remaining = next;
    if (hit.length === 0) continue;
    if (entry.action === "deny") denied.push(...hit);
    decide(entry, hit);
  }
  if (remaining.length > 0) {
    // only when no `*` entry of the family exists: the implicit deny still applies
    decide({ ptr: `${nacl.ptr}/Entries`, ruleNumber: 32767, egress: q.egress, protocol: "-1", action: "deny", implicit: true }, remaining);
    denied.push(...remaining);
  }
  const width = BigInt(q.ports[1] - q.ports[0] + 1);
  const total = size6(peer) * width;
  const deniedSize = denied.reduce((n, b) => n + (b.a[1] - b.a[0] + 1n) * BigInt(b.p[1] - b.p[0] + 1), 0n);
  const verdict: NaclVerdict = {
    verdict: deniedSize === 0n ? "allow" : deniedSize === total ? "deny" : "partial",
    decisions,
    deniedPorts: whollyDeniedPorts(denied, size6(peer), q.ports),
    deniedCidrs: cidrsOf(denied, family),
  };
  const blocking = decisions.find((d) => d.entry.action === "deny")?.entry;
  if (blocking) verdict.blocking = blocking;
  return verdict;
}

/** Port ranges on which the denied boxes (disjoint) cover the whole peer space. */
function whollyDeniedPorts(denied: Box[], peerSize: bigint, ports: Interval): Interval[] {
  if (peerSize === 0n || denied.length === 0) return [];
  const cuts = new Set<number>([ports[0], ports[1] + 1]);
  for (const b of denied) {
    cuts.add(b.p[0]);
    cuts.add(b.p[1] + 1);
  }
  const points = [...cuts].sort((x, y) => x - y);
  const out: Interval[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const lo = points[i] as number;
    const hi = (points[i + 1] as number) - 1;
    if (lo < ports[0] || hi > ports[1]) continue;
    const covered = denied.filter((b) => b.p[0] <= lo && b.p[1] >= hi).reduce((n, b) => n + (b.a[1] - b.a[0] + 1n), 0n);
    if (covered < peerSize) continue;
    const last = out[out.length - 1];
    if (last && last[1] + 1 === lo) last[1] = hi;
    else out.push([lo, hi]);
  }
  return out;
}

/** Two disjoint intervals lists' intersection (port ranges). */
function intersectPorts(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a)
    for (const y of b) {
      const c = cut(x, y);
      if (c) out.push(c);
    }
  return out.sort((x, y) => x[0] - y[0]);
}

/** The verdict on a box of both families: each family's own, joined. */
function mergeFamilies(v4: NaclVerdict, v6: NaclVerdict): NaclVerdict {
  const decisions = [...v4.decisions, ...v6.decisions].sort((x, y) => x.entry.ruleNumber - y.entry.ruleNumber);
  const verdict: NaclVerdict = {
    verdict: v4.verdict === v6.verdict ? v4.verdict : "partial",
    decisions,
    // a port is denied to every peer address only when both families deny it wholly
    deniedPorts: intersectPorts(v4.deniedPorts, v6.deniedPorts),
    deniedCidrs: [...v4.deniedCidrs, ...v6.deniedCidrs],
  };
  const blocking = decisions.find((d) => d.entry.action === "deny")?.entry;
  if (blocking) verdict.blocking = blocking;
  return verdict;
}

// ---------------------------------------------------------------------------
// a flow across subnets

export interface NaclEndpoint {
  /** the subnet the end sits in; undefined outside the VPC (clients on the internet) */
  subnet?: Subnet;
  /** the end's addresses (one IP, or a space when the exact address is not known) */
  space: string[];
}

export type LegName = "request-out" | "request-in" | "reply-out" | "reply-in";

export interface NaclLeg {
  leg: LegName;
  subnet: Subnet;
  egress: boolean;
  peer: string[];
  ports: Interval;
  nacl?: NetworkAcl;
  /** undefined when the subnet's ACL is not in the snapshot */
  verdict?: NaclVerdict;
}

export interface NaclPath {
  /** both ends in one subnet: the ACL is not crossed */
  sameSubnet: boolean;
  legs: NaclLeg[];
}

/**
 * The four ACL checks of a connection from `from` to `to` on one port: the
 * request out of the source subnet and into the destination subnet, and the
 * reply (to the source's ephemeral port) out of the destination subnet and
 * into the source subnet. Ends outside the VPC contribute no legs.
 *
 * `replyPorts`: the destination ports of the reply, the source's ephemeral range unless given. A Gateway Load
 * Balancer's appliance returns its GENEVE packets to the load balancer on UDP 6081 with the ports kept (the
 * source's own port is not ephemeral-bound), so the reply of a GENEVE flow goes to 6081.
 */
export function naclPath(
  from: NaclEndpoint,
  to: NaclEndpoint,
  protocol: Protocol,
  port: number,
  replyPorts: Interval = EPHEMERAL,
): NaclPath {
  if (from.subnet && to.subnet && from.subnet.key === to.subnet.key) return { sameSubnet: true, legs: [] };
  const legs: NaclLeg[] = [];
  const leg = (name: LegName, subnet: Subnet | undefined, egress: boolean, peer: string[], ports: Interval) => {
    if (!subnet) return;
    const l: NaclLeg = { leg: name, subnet, egress, peer, ports };
    if (subnet.nacl) {
      l.nacl = subnet.nacl;
      l.verdict = evaluateNacl(subnet.nacl, { egress, protocol, peer, ports });
    }
    legs.push(l);
  };
  leg("request-out", from.subnet, true, to.space, [port, port]);
  leg("request-in", to.subnet, false, from.space, [port, port]);
  leg("reply-out", to.subnet, true, from.space, replyPorts);
  leg("reply-in", from.subnet, false, to.space, replyPorts);
  return { sameSubnet: false, legs };
}

/**
 * The subnet (of the VPC, when given) whose IPv6 CIDRs hold an address: an IPv6 IP target's subnet, which the model
 * resolves for IPv4 addresses only.
 */
export function subnetOfIpv6(subnets: Subnet[], ip: string, vpcId?: string): Subnet | undefined {
  const a = spaceOf6([ip])[0];
  if (!a) return undefined;
  return subnets.find(
    (s) => (!vpcId || s.vpcId === vpcId) && s.ipv6Cidrs.some((c) => spaceOf6([c]).some(([lo, hi]) => lo <= a[0] && a[1] <= hi)),
  );
}

/** The `create-network-acl-entry` option that carries a CIDR of its family. */
export function naclCidrOption(cidr: string): "--cidr-block" | "--ipv6-cidr-block" {
  return cidr.includes(":") ? "--ipv6-cidr-block" : "--cidr-block";
}

/** "ports 1024–32767", "port 80" */
export function portsText(ranges: Interval[]): string {
  const parts = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`));
  return `${ranges.length === 1 && ranges[0]?.[0] === ranges[0]?.[1] ? "port" : "ports"} ${parts.join(", ")}`;
}
