/**
 * The check behind aws/nacl-blocks-health-check, in the provider's folder so that aws/targets-unhealthy can read the same
 * results as the cause of a target's health (see causes.ts). A rule never runs another rule.
 */
import type { Evidence, RuleContext } from "../../../core/engine/types.ts";
import { type Interval, isAddressLike } from "../../../core/util/ip.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import type { CauseCheck } from "../causes.ts";
import type { AwsModel, LoadBalancer, Subnet, Target, TargetGroup } from "../model.ts";
import { EPHEMERAL, type NaclLeg, naclPath, portsText, subnetOfIpv6 } from "../nacl.ts";
import {
  gapNote,
  lbNodeSources,
  lbTargets,
  type NaclFix,
  naclEntryLabel,
  naclFixCommand,
  outsideVpc,
  preservationUnknown,
  reportTargetsUnknown,
  type Source,
  SUBNET_CIDR_QUERY,
  sh,
  targetBase,
  targetEvidence,
  targetLabel,
  trafficProtocols,
  trafficSources,
} from "../rule-helpers.ts";
import type { Protocol } from "../sg.ts";
import { lbSubnetIds, lbZoneNames } from "../target-facts.ts";
import {
  albClientSources,
  albCrossZone,
  healthText,
  instanceByIpv6,
  instanceIpv6,
  ipv6Target,
  lbNodeSourcesV6,
  trafficSourcesV6,
} from "../target-sg.ts";

interface Check {
  purpose: "health checks" | "traffic";
  protocol: Protocol;
  port: number;
  source: Source;
  /** the reply's destination ports: the source's ephemeral range, or for GENEVE (a Gateway Load Balancer's appliances) 6081 */
  replyPorts: Interval;
}

interface LegResult {
  check: Check;
  leg: NaclLeg;
  outcome: "allowed" | "restricted" | "blocked" | "unknown";
  reason?: string;
  /** unknown only because the load balancer node's address is not known (its subnet's CIDR is not in the snapshot) */
  unknownNode?: boolean;
}

/**
 * Why a load balancer node's addresses are not known (its subnet's CIDR of the flow's family is not in the snapshot):
 * the node is then evaluated against that family's whole space (0.0.0.0/0, ::/0), and only a deny of all of it is
 * certain. Undefined when the node's addresses are known.
 */
function unknownNodeAddress(model: AwsModel, lb: LoadBalancer, source: Source, v6: boolean): string | undefined {
  if (source.kind !== "lb-node" || source.peer.cidrs.length > 0 || !source.subnet) return undefined;
  const family = v6 ? "IPv6" : "IPv4";
  return (
    `the ${family} address of ${lb.name}'s node in ${source.subnet.id} is not known: its subnet's ${family} CIDR is not in the snapshot` +
    gapNote(model, [source.subnet.id], ["DescribeSubnets"])
  );
}

/** The health-check and traffic connections a target receives, from each of their sources (IPv6 ones for an IPv6 target group). */
function checksFor(model: AwsModel, lb: LoadBalancer, tg: TargetGroup, t: Target, v6: boolean): Check[] {
  const out: Check[] = [];
  if (tg.healthCheck.enabled && t.healthCheckPort !== undefined) {
    for (const source of v6 ? lbNodeSourcesV6(lb) : lbNodeSources(lb))
      out.push({ purpose: "health checks", protocol: "tcp", port: t.healthCheckPort, source, replyPorts: EPHEMERAL });
  }
  if (t.port !== undefined) {
    // GENEVE: the appliance sends each packet back to the Gateway Load Balancer on UDP 6081, its ports kept
    const geneve = (tg.protocol ?? "").toUpperCase() === "GENEVE";
    const replyPorts: Interval = geneve ? [t.port, t.port] : EPHEMERAL;
    const sources =
      t.kind === "alb" ? albClientSources(lb, tg, model) : v6 ? trafficSourcesV6(model, lb, tg) : trafficSources(lb, tg, model);
    for (const source of sources) {
      for (const protocol of trafficProtocols(tg)) {
        const dup = out.some((c) => c.source.label === source.label && c.protocol === protocol && c.port === t.port);
        if (!dup) out.push({ purpose: "traffic", protocol, port: t.port, source, replyPorts });
      }
    }
  }
  return out;
}

/**
 * The ACL legs of every health-check and traffic connection to a target at a known address, in a known subnet or
 * outside the VPC (`subnet` undefined: only the load balancer's side is crossed in the VPC).
 */
function legResults(
  model: AwsModel,
  lb: LoadBalancer,
  tg: TargetGroup,
  target: Target,
  subnet: Subnet | undefined,
  ip: string,
  pick: (c: Check) => Check | undefined = (c) => c,
) {
  const results: LegResult[] = [];
  const unresolved: string[] = [];
  let sameSubnet = 0;
  const v6 = ip.includes(":");
  for (const all of checksFor(model, lb, tg, target, v6)) {
    const known = pick(all);
    if (!known) continue;
    if (known.source.kind === "lb-node" && !known.source.subnet) {
      unresolved.push(`${known.source.label}: the subnet is not in the snapshot`);
      continue;
    }
    // a node whose addresses are not known may hold any address of its family: a leg facing it is blocked only when
    // that whole space is denied, and never passes
    const unknownAddress = unknownNodeAddress(model, lb, known.source, v6);
    const space = unknownAddress ? [v6 ? "::/0" : "0.0.0.0/0"] : known.source.peer.cidrs;
    const check: Check = unknownAddress ? { ...known, source: { ...known.source, peer: { ...known.source.peer, cidrs: space } } } : known;
    const from = check.source.kind === "clients" ? { space } : { subnet: check.source.subnet, space };
    const path = naclPath(from, subnet ? { subnet, space: [ip] } : { space: [ip] }, check.protocol, check.port, check.replyPorts);
    if (path.sameSubnet) sameSubnet++;
    for (const leg of path.legs) {
      const v = leg.verdict;
      if (!v) {
        results.push({
          check,
          leg,
          outcome: "unknown",
          reason: `the network ACL of ${leg.subnet.id} is not in the snapshot${gapNote(model, [leg.subnet.id], ["DescribeNetworkAcls"])}`,
        });
      } else if (v.deniedPorts.length > 0) {
        // a source that may not exist at all (a listener rule the snapshot lacks may send its traffic elsewhere)
        if (check.source.uncertain) results.push({ check, leg, outcome: "unknown", reason: check.source.uncertain });
        else results.push({ check, leg, outcome: "blocked" });
      } else if (unknownAddress && leg.peer === space) {
        results.push({ check, leg, outcome: "unknown", reason: unknownAddress, unknownNode: !check.source.uncertain });
      } else if (v.verdict === "allow") results.push({ check, leg, outcome: "allowed" });
      else if (check.source.kind === "clients") results.push({ check, leg, outcome: "restricted" });
      else {
        const e = v.blocking;
        results.push({
          check,
          leg,
          outcome: "unknown",
          reason: `${leg.nacl?.id} ${leg.egress ? "outbound" : "inbound"} entry ${e ? naclEntryLabel(e) : "?"} denies part of ${leg.peer.join(", ")} (${v.deniedCidrs.join(", ")}), and the load balancer node's address in it is not known offline`,
        });
      }
    }
  }
  return { results, unresolved, sameSubnet };
}

type Legs = ReturnType<typeof legResults>;

/**
 * The network ACL legs of an Application Load Balancer target (an NLB's target group of type `alb`): "the communication
 * between a Network Load Balancer and an Application Load Balancer always uses IPv4"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html), so every
 * connection runs over IPv4 to the ALB's nodes, at addresses of their subnets' IPv4 CIDRs that are not known offline:
 * health checks from every NLB node; IPv4 clients' traffic with their own addresses; a dualstack NLB's IPv6 clients from
 * the NLB node's IPv4 address, to the ALB's node in the same Availability Zone unless cross-zone load balancing is on
 * (when the NLB's attributes were not collected, a block between zones is unknown, not a fail). Only the ALB's subnets in
 * zones the NLB enables are crossed, cross-zone load balancing or not: the NLB "monitors the health of all targets
 * registered with the target group that are in an Availability Zone enabled for the load balancer", and targets in a zone
 * it does not enable "do not receive traffic" (NLB guide, Target groups; How Elastic Load Balancing works,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html). When the NLB's
 * zones are not all known, a block in an ALB subnet outside the known ones is unknown, not a fail.
 */
function albLegs(
  model: AwsModel,
  lb: LoadBalancer,
  tg: TargetGroup,
  target: Target,
): { legs: Legs; subnets: Subnet[] } | { reason: string } {
  const alb = model.byKey.loadBalancer.get(idKey(target.id));
  if (!alb) {
    return {
      reason: `the Application Load Balancer ${target.id} is not in the snapshot${gapNote(model, [target.id], ["DescribeLoadBalancers"])}, so its subnets are not known`,
    };
  }
  if (alb.zones.length === 0) return { reason: `the Application Load Balancer ${alb.name} lists no subnets in the snapshot` };
  // the NLB reaches only the ALB's nodes in the zones it enables itself, cross-zone load balancing or not
  const nlbZones = lbZoneNames(lb);
  const nlbKnown = nlbZones.filter((z): z is string => !!z);
  const nlbZonesUnknown = nlbZones.length === 0 || nlbKnown.length < nlbZones.length;
  const subnets: Subnet[] = [];
  const zoneUncertain = new Map<Subnet, string>();
  for (const z of alb.zones) {
    const where = z.subnetId ?? z.zoneName ?? "an unknown subnet";
    const az = z.zoneName ?? z.subnet?.availabilityZone;
    if (az && nlbKnown.includes(az)) {
      // a zone both load balancers enable
    } else if (az && !nlbZonesUnknown) continue;
    if (!z.subnet)
      return {
        reason: `the subnet ${where} of the Application Load Balancer ${alb.name} is not in the snapshot${gapNote(model, [z.subnetId], ["DescribeSubnets"])}`,
      };
    if (!z.subnet.cidr)
      return {
        reason: `the IPv4 CIDR of ${z.subnet.id}, a subnet of the Application Load Balancer ${alb.name}, is not in the snapshot${gapNote(model, [z.subnet.id], ["DescribeSubnets"])}, so its nodes' addresses are not known`,
      };
    subnets.push(z.subnet);
    if (!az || !nlbKnown.includes(az)) {
      const why = !az
        ? `the zone of ${z.subnet.id}, a subnet of ${alb.name}, is not known`
        : nlbZones.length === 0
          ? `${lb.name} lists no zones in the snapshot`
          : `${lb.name} has a zone whose name is not known (its subnet is not in the snapshot${gapNote(model, lbSubnetIds(lb), ["DescribeSubnets"])})`;
      zoneUncertain.set(z.subnet, `${why}, so whether ${lb.name} sends anything to ${alb.name}'s node in ${z.subnet.id} is not known`);
    }
  }
  if (subnets.length === 0) {
    return {
      reason:
        `none of the subnets of the Application Load Balancer ${alb.name} is in a zone ${lb.name} enables (${nlbKnown.join(", ")}), ` +
        `so ${lb.name} sends it no health checks or traffic and no network ACL on the way is crossed`,
    };
  }
  const legs: Legs = { results: [], unresolved: [], sameSubnet: 0 };
  const cz = albCrossZone(model, lb, tg);
  for (const sub of subnets) {
    const az = sub.availabilityZone;
    const zoneWhy = zoneUncertain.get(sub);
    const pick = (all: Check): Check | undefined => {
      const c = zoneWhy && !all.source.uncertain ? { ...all, source: { ...all.source, uncertain: zoneWhy } } : all;
      const from = c.source.subnet?.availabilityZone;
      if (c.purpose !== "traffic" || c.source.kind !== "lb-node" || !from || !az || from === az || (cz.on && !cz.gap)) return c;
      if (!cz.gap) return undefined;
      const uncertain = `${cz.gap}, so whether cross-zone load balancing sends its node in ${from} to ${alb.name}'s node in ${az} is not known`;
      return { ...c, source: { ...c.source, uncertain: c.source.uncertain ?? uncertain } };
    };
    const r = legResults(model, lb, tg, target, sub, sub.cidr as string, pick);
    legs.results.push(...r.results);
    legs.unresolved.push(...r.unresolved);
    legs.sameSubnet += r.sameSubnet;
  }
  return { legs, subnets };
}

/** fail, unknown or pass, as check() reads a target's leg results. */
function statusOf(r: ReturnType<typeof legResults>): string {
  if (r.results.some((x) => x.outcome === "blocked")) return "fail";
  return r.results.some((x) => x.outcome === "unknown") || r.unresolved.length > 0 ? "unknown" : "pass";
}

function peerText(peer: string[], c: Check): string {
  return peer === c.source.peer.cidrs ? c.source.label : peer.join(", ");
}

function legWhat(r: LegResult): string {
  const { leg, check } = r;
  const peer = peerText(leg.peer, check);
  const ports = leg.verdict?.deniedPorts.length ? leg.verdict.deniedPorts : [leg.ports];
  const ephemeral = check.replyPorts === EPHEMERAL ? "ephemeral " : "";
  switch (leg.leg) {
    case "request-out":
      return `the request to ${peer} on ${portsText(ports)}`;
    case "request-in":
      return `the request from ${peer} on ${portsText(ports)}`;
    case "reply-out":
      return `the reply to ${peer} on ${ephemeral}${portsText(ports)}`;
    default:
      return `the reply from ${peer} on ${ephemeral}${portsText(ports)}`;
  }
}

export const messages = {
  noTargets: "The targets of target group {{targetGroup}} (load balancer {{lb}}) are not known: {{reason}}.",
  blocked:
    "Network ACL {{nacl}} of subnet {{subnet}} blocks the {{purpose}} of target group {{targetGroup}} ({{protocol}} port {{port}}) from {{source}} to {{target}}: its {{direction}} entry {{entry}} denies {{what}}{{more}}. Target health: {{health}}.",
  allowed:
    "Network ACLs let the health checks and traffic of target group {{targetGroup}} from {{lb}} reach {{target}}, and the replies return ({{basis}}).",
  undecidable: "Cannot decide whether network ACLs let {{lb}}'s connections reach {{target}} (target group {{targetGroup}}): {{reason}}.",
  noSubnet: "Target {{target}} of target group {{targetGroup}} is a {{kind}} target: it sits in no subnet of the VPC.",
};

export function check({ model, report }: RuleContext<AwsModel>): void {
  reportTargetsUnknown(model, report);
  for (const { lb, tg, target } of lbTargets(model)) {
    const base = targetBase(lb, tg, target);
    const data = { lb: lb.name, targetGroup: tg.name, target: targetLabel(target), kind: target.kind };
    const tEv = targetEvidence(target);
    if (target.kind === "lambda") {
      report({ ...base, status: "not-applicable", messageId: "noSubnet", data, evidence: [tEv] });
      continue;
    }
    if (target.kind === "alb") {
      const a = albLegs(model, lb, tg, target);
      if ("reason" in a) {
        report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason: a.reason }, evidence: [tEv] });
        continue;
      }
      reportLegs(report, lb, tg, target, a.legs, { v6: false, subnets: a.subnets });
      continue;
    }
    // an IPv6 target group: its flows go to the target's IPv6 address, in the subnet whose IPv6 CIDR holds it
    const v6 = ipv6Target(tg, target);
    const ip = v6 ? (target.kind === "ip" ? target.id : target.instance ? instanceIpv6(target.instance) : undefined) : target.ip;
    const targetSubnet = v6
      ? (target.subnet ?? (ip ? (instanceByIpv6(model, ip)?.instance.subnet ?? subnetOfIpv6(model.subnets, ip, tg.vpcId)) : undefined))
      : target.subnet;
    const outside = outsideVpc(target) && ip !== undefined && isAddressLike(ip);
    if (!ip || (!targetSubnet && !outside)) {
      const reason = !ip
        ? `the ${v6 ? "IPv6 " : ""}address of ${target.id} is not known${gapNote(model, [target.id], ["DescribeInstances"])}`
        : `the subnet of ${target.id} is not in the snapshot${gapNote(model, [target.instance?.subnetId], ["DescribeSubnets"])}`;
      report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [tEv] });
      continue;
    }
    // outside the VPC (peered, on premises): only the load balancer's subnets are crossed here
    const subnet = outside ? undefined : targetSubnet;
    const legs = legResults(model, lb, tg, target, subnet, ip);
    // the far side of an outside target is never known: a blocked leg fails, anything else is unknown
    const status = (r: ReturnType<typeof legResults>) => (outside && statusOf(r) === "pass" ? "unknown" : statusOf(r));
    if (preservationUnknown(lb, tg)) {
      // preserve_client_ip.enabled was not collected: the default may have been changed, so the verdict must hold both ways
      const flipped = { ...tg, preserveClientIp: { ...tg.preserveClientIp, value: !tg.preserveClientIp.value } };
      if (status(legResults(model, lb, flipped, target, subnet, ip)) !== status(legs)) {
        const reason =
          `the attributes of target group ${tg.name} were not collected${gapNote(model, [tg.arn], ["DescribeTargetGroupAttributes"])}, ` +
          `so whether ${lb.name} preserves client IPs (preserve_client_ip.enabled) is not known, and the verdict depends on it`;
        report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [tEv] });
        continue;
      }
    }
    reportLegs(report, lb, tg, target, legs, { v6: ip.includes(":"), ip, outside, subnet, targetSubnet });
  }
}

interface LegsWhere {
  v6: boolean;
  /** the target's address (an instance or IP target) */
  ip?: string;
  outside?: boolean;
  /** the target's subnet crossed in the VPC (undefined outside it) */
  subnet?: Subnet | undefined;
  /** the target's subnet, for the fix */
  targetSubnet?: Subnet | undefined;
  /** an Application Load Balancer target's subnets */
  subnets?: Subnet[];
}

/** The finding for one target, from its leg results. */
function reportLegs(
  report: RuleContext<AwsModel>["report"],
  lb: LoadBalancer,
  tg: TargetGroup,
  target: Target,
  legs: Legs,
  where: LegsWhere,
): void {
  const base = targetBase(lb, tg, target);
  const data = { lb: lb.name, targetGroup: tg.name, target: targetLabel(target), kind: target.kind };
  const tEv = targetEvidence(target);
  const { results, unresolved, sameSubnet } = legs;
  const { ip = "", outside = false, subnet, targetSubnet } = where;
  const blocked = results.filter((r) => r.outcome === "blocked");
  const unknown = results.filter((r) => r.outcome === "unknown");
  if (blocked.length > 0) {
    const first = blocked[0] as LegResult;
    const v = first.leg.verdict;
    const entry = v?.blocking;
    const evidence: Evidence[] = [];
    const seen = new Set<string>();
    for (const b of blocked) {
      const e = b.leg.verdict?.blocking;
      if (!e || seen.has(e.ptr)) continue;
      seen.add(e.ptr);
      evidence.push({
        resourceId: b.leg.nacl?.id ?? b.leg.subnet.id,
        pointer: e.ptr,
        label: `${e.egress ? "outbound" : "inbound"} entry ${naclEntryLabel(e)} of ${b.leg.nacl?.id}`,
      });
      if (b.leg.subnet.naclPtr && !seen.has(b.leg.subnet.naclPtr)) {
        seen.add(b.leg.subnet.naclPtr);
        evidence.push({
          resourceId: b.leg.subnet.id,
          pointer: b.leg.subnet.naclPtr,
          label: `${b.leg.subnet.id}'s ACL (${b.leg.subnet.naclVia})`,
        });
      }
    }
    evidence.push(tEv, { resourceId: tg.arn, pointer: target.statePtr, label: "target health" });
    const others = new Set(blocked.slice(1).map((b) => `${b.leg.nacl?.id}|${b.leg.leg}|${b.check.source.label}|${b.check.port}`)).size;
    // legs undecided only because a node's address is not known: named, and fixed with a looked-up CIDR, so that the
    // next run is clean once the fix is applied
    const undecided = unknown.filter((u) => u.unknownNode && u.leg.nacl && u.leg.verdict?.blocking);
    for (const u of undecided) {
      const ptr = u.check.source.subnet?.ptr;
      if (!ptr || seen.has(ptr)) continue;
      seen.add(ptr);
      evidence.push({ resourceId: u.check.source.subnet?.id ?? "", pointer: ptr, label: `${u.check.source.label}: ${u.reason}` });
    }
    const undecidedSubnets = [...new Set(undecided.map((u) => u.check.source.subnet?.id).filter((x): x is string => !!x))];
    const undecidedText =
      undecidedSubnets.length === 0
        ? ""
        : `; whether the network ACLs also deny ${lb.name}'s node${undecidedSubnets.length > 1 ? "s" : ""} in ${undecidedSubnets.join(", ")} is not known: ` +
          `the ${where.v6 ? "IPv6" : "IPv4"} CIDR of ${undecidedSubnets.length > 1 ? "those subnets" : "that subnet"} is not in the snapshot (the fix looks it up)`;
    report({
      ...base,
      status: "fail",
      messageId: "blocked",
      data: {
        ...data,
        purpose: first.check.purpose,
        protocol: first.check.protocol.toUpperCase(),
        port: first.check.port,
        source: first.check.source.label,
        nacl: first.leg.nacl?.id ?? "?",
        subnet: first.leg.subnet.id,
        direction: first.leg.egress ? "outbound" : "inbound",
        entry: entry ? naclEntryLabel(entry) : "?",
        what: legWhat(first),
        more: `${others > 0 ? ` (and ${others} more blocked path${others > 1 ? "s" : ""})` : ""}${undecidedText}`,
        health: healthText(target),
      },
      evidence,
      remediation: withLookupNote(fixSummary([...blocked, ...undecided]), fixCommands([...blocked, ...undecided], targetSubnet, where.v6)),
    });
  } else if (unknown.length > 0 || unresolved.length > 0 || outside) {
    const u = unknown[0];
    const beyond =
      `${ip} is outside the VPC (Availability Zone "all": a peered VPC or on premises), so the network ACLs and firewalls ` +
      `on its side are not in the snapshot; ${lb.name}'s own subnets let the connections through`;
    report({
      ...base,
      status: "unknown",
      messageId: "undecidable",
      data: { ...data, reason: unresolved[0] ?? u?.reason ?? (outside ? beyond : "undecidable") },
      evidence: [
        tEv,
        ...(u?.leg.verdict?.blocking
          ? [{ resourceId: u.leg.nacl?.id ?? "", pointer: u.leg.verdict.blocking.ptr, label: "partial deny" }]
          : []),
      ],
    });
  } else {
    const acls = [...new Set(results.map((r) => r.leg.nacl?.id).filter(Boolean))];
    const restricted = results.some((r) => r.outcome === "restricted");
    const basis =
      results.length === 0 && sameSubnet > 0
        ? "the load balancer and the target share a subnet, so no ACL is crossed"
        : `${acls.join(", ")}${restricted ? "; clients are admitted from an allow-list only" : ""}${sameSubnet > 0 ? "; same-subnet paths cross no ACL" : ""}`;
    report({
      ...base,
      status: "pass",
      messageId: "allowed",
      data: { ...data, basis },
      evidence: [
        tEv,
        ...(subnet ? [{ resourceId: subnet.id, pointer: subnet.naclPtr ?? subnet.ptr, label: "target subnet's ACL" }] : []),
        ...(where.subnets ?? []).map((x) => ({
          resourceId: x.id,
          pointer: x.naclPtr ?? x.ptr,
          label: `${x.id}'s ACL (a subnet of the Application Load Balancer target)`,
        })),
      ],
    });
  }
}

function rangeText([a, b]: Interval): string {
  return a === b ? `${a}` : `${a}-${b}`;
}

/** An address as a CIDR for an ACL entry (`192.168.10.5/32`, `2600:1f18::10/128`); a CIDR stays as it is. */
function hostCidr(v: string | undefined): string | undefined {
  return v === undefined || v.includes("/") ? v : `${v}/${v.includes(":") ? 128 : 32}`;
}

/** The fix, and when a command holds a subnet's CIDR to look up (a placeholder), how to fill it in. */
function withLookupNote(summary: string, commands: string[]): { summary: string; commands: string[] } {
  const lookup = commands.some((c) => c.startsWith("aws ec2 describe-subnets "));
  return {
    summary: lookup
      ? `${summary} The snapshot lacks a subnet's CIDR: replace each '<… CIDR of subnet-…>' with what the describe-subnets command before it prints.`
      : summary,
    commands,
  };
}

function fixSummary(blocked: LegResult[]): string {
  const parts = [
    ...new Set(
      blocked.map(
        (b) =>
          `${b.leg.egress ? "outbound" : "inbound"} ${b.check.protocol.toUpperCase()} ${b.leg.leg.startsWith("reply") ? rangeText(b.check.replyPorts) : b.check.port} on ${b.leg.nacl?.id}`,
      ),
    ),
  ];
  return `Allow ${parts.join(", ")}, ahead of the blocking entries.`;
}

type FixCidr = NaclFix["cidr"];

/**
 * The peers of the new entry: the load balancer side's subnet CIDRs or the clients, or the whole target subnet. A load
 * balancer subnet whose CIDR of the flow's family is not in the snapshot is named for the user to look up, never
 * replaced by the family's whole space (the node was evaluated against it only to decide the verdict).
 */
function fixCidrs(leg: NaclLeg, check: Check, targetSubnet: Subnet | undefined, v6: boolean): FixCidr[] {
  const onTargetSide = leg.leg === "request-in" || leg.leg === "reply-out";
  if (!onTargetSide) {
    const c = (v6 ? targetSubnet?.ipv6Cidrs[0] : targetSubnet?.cidr) ?? hostCidr(leg.peer[0]);
    return c ? [c] : [];
  }
  if (check.source.kind === "clients") return [v6 ? "::/0" : "0.0.0.0/0"];
  const sub = check.source.subnet;
  if (!sub) return leg.peer.slice(0, 1);
  const known = v6 ? sub.ipv6Cidrs : sub.cidr ? [sub.cidr] : [];
  return known.length > 0 ? known : [{ subnetId: sub.id, family: v6 ? "ipv6" : "ipv4" }];
}

function fixCommands(blocked: LegResult[], targetSubnet: Subnet | undefined, v6: boolean): string[] {
  const out: string[] = [];
  const taken = new Map<string, Set<number>>();
  const done = new Set<string>();
  for (const b of blocked) {
    const { leg, check } = b;
    const nacl = leg.nacl;
    const entry = leg.verdict?.blocking;
    if (!nacl || !entry) continue;
    const ports: [number, number] = leg.leg.startsWith("reply") ? check.replyPorts : [check.port, check.port];
    for (const cidr of fixCidrs(leg, check, targetSubnet, v6)) {
      const peer = typeof cidr === "string" ? cidr : `${cidr.family}:${cidr.subnetId}`;
      const k = `${nacl.id}|${leg.egress}|${check.protocol}|${ports.join("-")}|${peer}`;
      if (done.has(k)) continue;
      done.add(k);
      if (typeof cidr !== "string" && !done.has(`lookup|${peer}`)) {
        // the subnet's CIDR, for the placeholder of the entry that follows
        done.add(`lookup|${peer}`);
        out.push(`aws ec2 describe-subnets --subnet-ids ${sh(cidr.subnetId)} --query ${sh(SUBNET_CIDR_QUERY[cidr.family])} --output text`);
      }
      out.push(naclFixCommand({ nacl, egress: leg.egress, protocol: check.protocol, ports, cidr, blocking: entry }, taken));
    }
  }
  return out;
}

export const naclBlocksHealthCheckCause: CauseCheck = { ruleId: "aws/nacl-blocks-health-check", messages, check };
