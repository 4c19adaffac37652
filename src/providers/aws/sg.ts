/**
 * The security-group evaluator: does the union of an ENI's security groups
 * allow a flow from (ingress) or to (egress) a peer, and which entry says so.
 *
 * Semantics (VPC user guide, "Security group rules"):
 * - allow-only and stateful: a flow is allowed when any permission of any
 *   group on the ENI allows it; nothing denies; the reply is always allowed;
 * - a permission matches the protocol when IpProtocol is "-1" (all; ports
 *   ignored), the protocol's name or its number; tcp/udp permissions cover
 *   FromPort…ToPort; other protocol numbers cover every port;
 * - a permission matches the peer through `IpRanges` (IPv4 CIDRs: never an
 *   IPv6 packet), `Ipv6Ranges` (IPv6 CIDRs: never an IPv4 packet),
 *   `UserIdGroupPairs` (the peer's ENI carries that group) or
 *   `PrefixListIds`, whose contents the snapshot does not hold: such a
 *   permission makes the verdict `unknown`, never a guess.
 *
 * A peer is a set of addresses (one IP, a subnet's CIDR for a load balancer
 * node whose address is not known offline, "the internet") and the groups
 * its ENI carries. The verdict is `allow` when every address of the peer is
 * allowed, `partial` when only some are, `deny` when none is.
 */
import {
  covers,
  covers6,
  IPV4_MAX,
  IPV6_MAX,
  intersect,
  intersect6,
  normalize,
  normalize6,
  type Space,
  type Space6,
  size,
  size6,
  spaceOf,
  spaceOf6,
  subtract,
  subtract6,
  toCidrs,
  toCidrs6,
} from "../../core/util/ip.ts";
import type { AwsModel, SecurityGroup, SgPermission } from "./model.ts";

export type Protocol = "tcp" | "udp";

export interface SgPeer {
  /** IPv4/IPv6 CIDRs or addresses the peer's packets carry (empty: not known) */
  cidrs: string[];
  /** the security groups on the peer's ENI (exactly: an empty list means it carries none) */
  groupIds: string[];
  /** for messages: "the internet", "load balancer web-alb", … */
  label?: string;
  /**
   * the address family of a peer whose addresses are not known (`cidrs` empty; IPv4 unless given): only the ranges of
   * that family can match it (a whole-family range, 0.0.0.0/0 or ::/0, does; a narrower one leaves it unknown)
   */
  family?: "ipv4" | "ipv6";
}

export interface SgMatch {
  sg: SecurityGroup;
  permission: SgPermission;
  /** pointer of the deciding element (the IpRanges/UserIdGroupPairs/PrefixListIds entry) */
  ptr: string;
  via: "cidr" | "ipv6" | "group" | "prefix-list";
  /** the CIDR, group id or prefix list id */
  value: string;
}

export interface SgVerdict {
  verdict: "allow" | "partial" | "deny" | "unknown";
  /** what allows the flow (all of it, or the allowed part when partial) */
  allowedBy: SgMatch[];
  /** permissions on the protocol and port whose prefix lists may match (contents unknown offline) */
  prefixLists: SgMatch[];
  /** group references on the protocol and port to groups the peer does not carry */
  otherGroups: SgMatch[];
  /** permissions that cover the peer but not the protocol/port: for messages ("allows 443 only") */
  otherPorts: SgMatch[];
  /** CIDRs on the protocol and port that miss the peer entirely: for messages ("allows 80 only from 10.0.0.0/8") */
  otherCidrs: SgMatch[];
  /** the peer's addresses that are allowed, as CIDRs (when partial or allow): IPv4 first, then IPv6 */
  allowedCidrs: string[];
  /** ids of groups on the ENI the snapshot does not hold */
  missingGroups: string[];
  /** the groups evaluated */
  groups: SecurityGroup[];
  reason?: string;
}

const PROTOCOL_NUMBERS: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };

function normProtocol(p: string): string {
  const l = p.toLowerCase();
  return PROTOCOL_NUMBERS[l] ?? l;
}

/** Does the permission cover this protocol and port? */
export function permissionCovers(perm: SgPermission, protocol: Protocol, port: number): boolean {
  const p = normProtocol(perm.protocol);
  if (p === "-1" || p === "all") return true;
  if (p !== protocol) return false;
  const from = perm.fromPort ?? 0;
  const to = perm.toPort ?? 65535;
  if (from === -1 && to === -1) return true;
  return port >= from && port <= to;
}

export function isV6(text: string): boolean {
  return text.includes(":");
}

/**
 * Evaluates a flow against a list of groups (the ENI's, resolved). `missing`
 * names groups on the ENI that the snapshot lacks.
 */
export function evaluateGroups(
  groups: SecurityGroup[],
  direction: "ingress" | "egress",
  peer: SgPeer,
  protocol: Protocol,
  port: number,
  missing: string[] = [],
): SgVerdict {
  const v4 = spaceOf(peer.cidrs.filter((c) => !isV6(c)));
  const v6 = spaceOf6(peer.cidrs.filter(isV6));
  const peerGroups = new Set(peer.groupIds.map((g) => g.toLowerCase()));
  const out: SgVerdict = {
    verdict: "deny",
    allowedBy: [],
    prefixLists: [],
    otherGroups: [],
    otherPorts: [],
    otherCidrs: [],
    allowedCidrs: [],
    missingGroups: missing,
    groups,
  };
  const addressKnown = v4.length > 0 || v6.length > 0;
  // the family of a peer whose address is not known: IPv4 ranges never match an IPv6 packet, nor IPv6 ranges an IPv4 one
  const unknownV6 = !addressKnown && peer.family === "ipv6";
  const byGroup: SgMatch[] = [];
  const byCidr: Array<SgMatch & { space: Space }> = [];
  const byV6: Array<SgMatch & { space6: Space6 }> = [];
  let unknownAddress = false;
  for (const sg of groups) {
    for (const perm of direction === "ingress" ? sg.ingress : sg.egress) {
      const onPort = permissionCovers(perm, protocol, port);
      for (const pair of perm.groupPairs) {
        const m: SgMatch = { sg, permission: perm, ptr: pair.ptr, via: "group", value: pair.groupId };
        if (!peerGroups.has(pair.groupId.toLowerCase())) {
          if (onPort) out.otherGroups.push(m);
        } else if (onPort) byGroup.push(m);
        else out.otherPorts.push(m);
      }
      for (const r of perm.ipRanges) {
        const space = spaceOf([r.cidr]);
        const m: SgMatch = { sg, permission: perm, ptr: r.ptr, via: "cidr", value: r.cidr };
        let hit: Space;
        if (addressKnown) hit = intersect(space, v4);
        else if (unknownV6) hit = [];
        else if (size(space) === IPV4_MAX + 1) hit = space;
        else {
          // the peer's address is not known: a narrower CIDR may or may not hold it
          if (onPort && space.length > 0) unknownAddress = true;
          continue;
        }
        if (hit.length === 0) {
          if (onPort) out.otherCidrs.push(m);
          continue;
        }
        if (onPort) byCidr.push({ ...m, space: hit });
        else out.otherPorts.push(m);
      }
      for (const r of perm.ipv6Ranges) {
        const space6 = spaceOf6([r.cidr]);
        const m: SgMatch = { sg, permission: perm, ptr: r.ptr, via: "ipv6", value: r.cidr };
        let hit6: Space6;
        if (addressKnown) hit6 = intersect6(space6, v6);
        else if (!unknownV6) hit6 = [];
        else if (size6(space6) === IPV6_MAX + 1n) hit6 = space6;
        else {
          if (onPort && space6.length > 0) unknownAddress = true;
          continue;
        }
        if (hit6.length === 0) {
          if (onPort) out.otherCidrs.push(m);
          continue;
        }
        if (onPort) byV6.push({ ...m, space6: hit6 });
        else out.otherPorts.push(m);
      }
      if (onPort)
        for (const pl of perm.prefixLists) out.prefixLists.push({ sg, permission: perm, ptr: pl.ptr, via: "prefix-list", value: pl.id });
    }
  }
  const cidrMatches = [...byCidr.map(({ space: _, ...m }) => m), ...byV6.map(({ space6: _, ...m }) => m)];
  const allowedV4 = normalize(byCidr.flatMap((m) => m.space));
  const allowedV6 = normalize6(byV6.flatMap((m) => m.space6));
  out.allowedCidrs = [...toCidrs(allowedV4), ...toCidrs6(allowedV6)];
  if (byGroup.length > 0) {
    out.verdict = "allow";
    out.allowedBy = byGroup;
    out.allowedCidrs = [...toCidrs(v4), ...toCidrs6(v6)];
    return out;
  }
  const v4Covered = covers(allowedV4, v4);
  const v6Covered = covers6(allowedV6, v6);
  if (cidrMatches.length > 0 && (addressKnown ? v4Covered && v6Covered : true)) {
    // a known peer wholly covered, or an unknown one covered by a whole-space range (0.0.0.0/0, or ::/0 for an IPv6 peer)
    out.verdict = "allow";
    out.allowedBy = cidrMatches;
    return out;
  }
  out.allowedBy = cidrMatches;
  if (out.prefixLists.length > 0) {
    out.verdict = "unknown";
    out.reason = `the contents of prefix list ${[...new Set(out.prefixLists.map((m) => m.value))].join(", ")} (in ${out.prefixLists[0]?.sg.id}) are not in the snapshot`;
  } else if (missing.length > 0) {
    out.verdict = "unknown";
    out.reason = `security group ${missing.join(", ")} is not in the snapshot`;
  } else if (unknownAddress) {
    out.verdict = "unknown";
    out.reason = `the address of ${peer.label ?? "the peer"} is not known, and a CIDR rule may cover it`;
  } else if (out.allowedBy.length > 0) {
    out.verdict = "partial";
  }
  return out;
}

/** Evaluates against the groups with these ids, resolved in the model (the ones it lacks make `missingGroups`). */
export function evaluateSecurityGroups(
  model: AwsModel,
  groupIds: string[],
  direction: "ingress" | "egress",
  peer: SgPeer,
  protocol: Protocol,
  port: number,
): SgVerdict {
  const groups: SecurityGroup[] = [];
  const missing: string[] = [];
  for (const id of groupIds) {
    const sg = model.byKey.securityGroup.get(id.toLowerCase());
    if (sg) groups.push(sg);
    else missing.push(id);
  }
  return evaluateGroups(groups, direction, peer, protocol, port, missing);
}

/** The part of a peer's space that is not allowed, as CIDRs (for messages): IPv4 first, then IPv6. */
export function deniedCidrs(peer: SgPeer, verdict: SgVerdict): string[] {
  return [
    ...toCidrs(subtract(spaceOf(peer.cidrs), spaceOf(verdict.allowedCidrs))),
    ...toCidrs6(subtract6(spaceOf6(peer.cidrs), spaceOf6(verdict.allowedCidrs))),
  ];
}
