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
 * - traffic between two addresses of one subnet does not cross its ACL.
 *
 * A query is a box: a set of peer addresses (one IP, a subnet's CIDR, the
 * internet) × a port range (one port, or the ephemeral range). The evaluator
 * splits the box exactly by first match and reports which entries decided
 * which part, and the ports on which *every* peer address is denied (a
 * certain block, whatever the peer's exact address).
 */
import { type Interval, normalize, type Space, size, spaceOf, toCidrs } from "../../core/util/ip.ts";
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
  addresses: Space;
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
  /** the peer addresses denied on at least one port, as CIDRs */
  deniedCidrs: string[];
}

interface Box {
  a: Interval;
  p: Interval;
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

/** b minus e, as disjoint boxes */
function minus(b: Box, e: Box): Box[] {
  const a = cut(b.a, e.a);
  const p = cut(b.p, e.p);
  if (!a || !p) return [b];
  const out: Box[] = [];
  if (b.a[0] < a[0]) out.push({ a: [b.a[0], a[0] - 1], p: b.p });
  if (a[1] < b.a[1]) out.push({ a: [a[1] + 1, b.a[1]], p: b.p });
  if (b.p[0] < p[0]) out.push({ a, p: [b.p[0], p[0] - 1] });
  if (p[1] < b.p[1]) out.push({ a, p: [p[1] + 1, b.p[1]] });
  return out;
}

/** The entries of one direction that apply to the protocol, in evaluation order (the implicit deny last). */
export function entriesFor(nacl: NetworkAcl, egress: boolean, protocol: Protocol): NaclEntry[] {
  return nacl.entries.filter((e) => e.egress === egress && entryMatchesProtocol(e, protocol)).sort((x, y) => x.ruleNumber - y.ruleNumber);
}

export function evaluateNacl(nacl: NetworkAcl, q: NaclQuery): NaclVerdict {
  const peer = spaceOf(q.peer);
  let remaining: Box[] = peer.map((a) => ({ a, p: q.ports }));
  const decisions: NaclDecision[] = [];
  const denied: Box[] = [];
  for (const entry of entriesFor(nacl, q.egress, q.protocol)) {
    if (remaining.length === 0) break;
    // IPv6 entries never match an IPv4 packet
    const cidr = entry.cidr ?? (entry.ipv6Cidr ? undefined : "0.0.0.0/0");
    const space = cidr ? spaceOf([cidr]) : [];
    const ea = space[0];
    if (!ea) continue;
    const e: Box = { a: ea, p: entryPorts(entry) };
    const next: Box[] = [];
    const hit: Box[] = [];
    for (const b of remaining) {
      const a = cut(b.a, e.a);
      const p = cut(b.p, e.p);
      if (!a || !p) {
        next.push(b);
        continue;
      }
      hit.push({ a, p });
      next.push(...minus(b, e));
    }
    remaining = next;
    if (hit.length === 0) continue;
    if (entry.action === "deny") denied.push(...hit);
    const ports = hit.reduce<Interval>((r, h) => [Math.min(r[0], h.p[0]), Math.max(r[1], h.p[1])], [65535, 0]);
    decisions.push({ entry, addresses: normalize(hit.map((h) => h.a)), ports });
  }
  if (remaining.length > 0) {
    // only when no IPv4 `*` entry exists: the implicit deny still applies
    const entry: NaclEntry = {
      ptr: `${nacl.ptr}/Entries`,
      ruleNumber: 32767,
      egress: q.egress,
      protocol: "-1",
      action: "deny",
      implicit: true,
    };
    const ports = remaining.reduce<Interval>((r, h) => [Math.min(r[0], h.p[0]), Math.max(r[1], h.p[1])], [65535, 0]);
    decisions.push({ entry, addresses: normalize(remaining.map((h) => h.a)), ports });
    denied.push(...remaining);
  }

  const total = size(peer) * (q.ports[1] - q.ports[0] + 1);
  const deniedSize = denied.reduce((n, b) => n + (b.a[1] - b.a[0] + 1) * (b.p[1] - b.p[0] + 1), 0);
  const verdict: NaclVerdict = {
    verdict: deniedSize === 0 ? "allow" : deniedSize === total ? "deny" : "partial",
    decisions,
    deniedPorts: whollyDeniedPorts(denied, size(peer), q.ports),
    deniedCidrs: toCidrs(normalize(denied.map((b) => b.a))),
  };
  const blocking = decisions.find((d) => d.entry.action === "deny")?.entry;
  if (blocking) verdict.blocking = blocking;
  return verdict;
}

/** Port ranges on which the denied boxes (disjoint) cover the whole peer space. */
function whollyDeniedPorts(denied: Box[], peerSize: number, ports: Interval): Interval[] {
  if (peerSize === 0 || denied.length === 0) return [];
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
    const covered = denied.filter((b) => b.p[0] <= lo && b.p[1] >= hi).reduce((n, b) => n + (b.a[1] - b.a[0] + 1), 0);
    if (covered < peerSize) continue;
    const last = out[out.length - 1];
    if (last && last[1] + 1 === lo) last[1] = hi;
    else out.push([lo, hi]);
  }
  return out;
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

/** "ports 1024–32767", "port 80" */
export function portsText(ranges: Interval[]): string {
  const parts = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`));
  return `${ranges.length === 1 && ranges[0]?.[0] === ranges[0]?.[1] ? "port" : "ports"} ${parts.join(", ")}`;
}
