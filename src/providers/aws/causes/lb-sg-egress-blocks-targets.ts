/**
 * The check behind aws/lb-sg-egress-blocks-targets, in the provider's folder so that aws/targets-unhealthy can read the same
 * results as the cause of a target's health (see causes.ts). A rule never runs another rule.
 */
import type { Evidence, ReportInput, RuleContext } from "../../../core/engine/types.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import type { CauseCheck } from "../causes.ts";
import type { AwsModel, LoadBalancer, Target, TargetGroup } from "../model.ts";
import {
  authorizeEgressCommand,
  gapNote,
  lbTargets,
  nearMiss,
  reportTargetsUnknown,
  sgNames,
  targetBase,
  targetEvidence,
  targetLabel,
  trafficProtocols,
  zoneLabel,
} from "../rule-helpers.ts";
import { evaluateSecurityGroups, type Protocol, type SgVerdict } from "../sg.ts";
import { lbSubnetIds, lbZoneNames } from "../target-facts.ts";
import { healthText } from "../target-sg.ts";

interface PortCheck {
  protocol: Protocol;
  port: number;
  purposes: string[];
}

const portsText = (cs: PortCheck[]) => cs.map((c) => `${c.protocol.toUpperCase()} ${c.port} (${c.purposes.join(" and ")})`).join(", ");

export const messages = {
  noTargets: "The targets of target group {{targetGroup}} (load balancer {{lb}}) are not known: {{reason}}.",
  blocked:
    "Load balancer {{lb}} cannot open connections to {{target}} at {{ip}} (target group {{targetGroup}}) on {{ports}}: the outbound rules of its security groups {{groups}} allow nothing to it{{nearMiss}}. Target health: {{health}}.",
  allowed: "Load balancer {{lb}} may connect to {{target}} at {{ip}} (target group {{targetGroup}}) on {{ports}}: {{basis}}.",
  undecidable:
    "Cannot decide whether load balancer {{lb}} may connect to {{target}} (target group {{targetGroup}}) on {{ports}}: {{reason}}.",
  noGroups: "Load balancer {{lb}} ({{type}}) has no security groups: nothing filters its outbound traffic.",
  noAddress: "Target {{target}} of target group {{targetGroup}} is a {{kind}} target; outbound rules to it are not checked.",
  albBlocked:
    "Load balancer {{lb}} cannot open connections to Application Load Balancer {{alb}} (target group {{targetGroup}}) on {{ports}}: the outbound rules of its security groups {{groups}} allow nothing to {{nodes}}{{nearMiss}}. Target health: {{health}}.",
  albAllowed:
    "Load balancer {{lb}} may connect to every node of Application Load Balancer {{alb}} (target group {{targetGroup}}) on {{ports}}: {{basis}}.",
  albNoZone:
    "Load balancer {{lb}} opens no connection to Application Load Balancer {{alb}} (target group {{targetGroup}}): none of {{alb}}'s subnets is in a zone {{lb}} enables ({{zones}}), so no outbound rule of its security groups applies to it.",
};

export function check({ model, report }: RuleContext<AwsModel>): void {
  reportTargetsUnknown(model, report, (lb) => lb.securityGroupIds.length > 0);
  const noted = new Set<string>();
  for (const { lb, tg, target } of lbTargets(model)) {
    if (lb.securityGroupIds.length === 0) {
      if (noted.has(lb.key)) continue;
      noted.add(lb.key);
      report({
        status: "not-applicable",
        resourceId: lb.arn,
        resourceName: lb.name,
        loadBalancerId: lb.arn,
        messageId: "noGroups",
        data: { lb: lb.name, type: lb.type },
        evidence: [{ resourceId: lb.arn, pointer: lb.ptr, label: "load balancer" }],
      });
      continue;
    }
    const base = targetBase(lb, tg, target);
    const checks: PortCheck[] = [];
    const add = (protocol: Protocol, port: number | undefined, purpose: string) => {
      if (port === undefined) return;
      const c = checks.find((x) => x.protocol === protocol && x.port === port);
      if (c) c.purposes.push(purpose);
      else checks.push({ protocol, port, purposes: [purpose] });
    };
    for (const p of trafficProtocols(tg)) add(p, target.port, "traffic");
    if (tg.healthCheck.enabled) add("tcp", target.healthCheckPort, "health checks");
    const data = {
      lb: lb.name,
      target: targetLabel(target),
      targetGroup: tg.name,
      ip: target.ip ?? "address unknown",
      ports: portsText(checks),
      groups: sgNames(model, lb.securityGroupIds),
      kind: target.kind,
    };
    const tEv = targetEvidence(target);
    const sgEv = { resourceId: lb.arn, pointer: lb.securityGroupsPtr, label: "load balancer security groups" };
    if (target.kind === "alb") {
      checkAlbTarget(model, report, lb, tg, target, checks, data);
      continue;
    }
    if (target.kind === "lambda") {
      report({ ...base, status: "not-applicable", messageId: "noAddress", data, evidence: [tEv] });
      continue;
    }
    if (!target.ip || checks.length === 0) {
      const reason = !target.ip
        ? `the address of ${target.id} is not known (the instance is not in the snapshot)`
        : "the target has no port";
      report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [tEv, sgEv] });
      continue;
    }
    const targetGroups = target.instance?.securityGroupIds ?? [];
    const results = checks.map((c) => ({
      c,
      v: evaluateSecurityGroups(
        model,
        lb.securityGroupIds,
        "egress",
        { cidrs: [target.ip as string], groupIds: targetGroups, label: target.id },
        c.protocol,
        c.port,
      ),
    }));
    const enteredUnknown = (v: SgVerdict) =>
      v.verdict === "unknown" || (v.verdict === "deny" && !target.instance && v.otherGroups.length > 0);
    const blocked = results.filter((r) => (r.v.verdict === "deny" || r.v.verdict === "partial") && !enteredUnknown(r.v));
    const unknown = results.filter((r) => enteredUnknown(r.v));
    const rulesEv = [...new Map(results.flatMap((r) => r.v.groups).map((g) => [g.ptr, g])).values()].map((g) => ({
      resourceId: g.id,
      pointer: `${g.ptr}/IpPermissionsEgress`,
      label: `outbound rules of ${g.id} (${g.groupName})`,
    }));
    if (blocked.length > 0) {
      const lbSg = lb.securityGroupIds[0] as string;
      const dest = targetGroups[0] ? { groups: [targetGroups[0]] } : { cidrs: [`${target.ip}/32`] };
      report({
        ...base,
        status: "fail",
        messageId: "blocked",
        data: {
          ...data,
          ports: portsText(blocked.map((b) => b.c)),
          nearMiss: nearMiss((blocked[0] as (typeof results)[number]).v, "to"),
          health: healthText(target),
        },
        evidence: [...rulesEv, sgEv, tEv, { resourceId: tg.arn, pointer: target.statePtr, label: "target health" }],
        remediation: {
          summary: `Allow outbound ${portsText(blocked.map((b) => b.c))} from ${lbSg} to ${targetGroups[0] ?? target.ip}.`,
          commands: blocked.map((b) => authorizeEgressCommand(lbSg, { protocol: b.c.protocol, from: b.c.port, to: b.c.port, ...dest })),
        },
      });
    } else if (unknown.length > 0) {
      const v = unknown[0]?.v as SgVerdict;
      const reason =
        v.reason ??
        `no instance in the snapshot holds ${target.ip}, so whether it carries ${[...new Set(v.otherGroups.map((m) => m.value))].join(", ")} is not known`;
      report({
        ...base,
        status: "unknown",
        messageId: "undecidable",
        data: { ...data, reason },
        evidence: [
          ...v.prefixLists.map((m) => ({ resourceId: m.sg.id, pointer: m.ptr, label: "prefix list (contents unknown)" })),
          sgEv,
          tEv,
        ],
      });
    } else {
      const m = results[0]?.v.allowedBy[0];
      report({
        ...base,
        status: "pass",
        messageId: "allowed",
        data: { ...data, basis: m ? `${m.sg.id} allows it to ${m.value}` : "allowed" },
        evidence: [tEv, ...(m ? [{ resourceId: m.sg.id, pointer: m.ptr, label: "allowing outbound rule" }] : [])],
      });
    }
  }
}

/** One node of an Application Load Balancer target, as an outbound peer: its address lies in its subnet's IPv4 CIDR. */
interface AlbNode {
  label: string;
  /** the subnet's IPv4 CIDR (empty: not in the snapshot) */
  cidrs: string[];
  ptr: string;
  /** why a block toward it is not certain to matter (whether the NLB reaches it at all is not known) */
  uncertain?: string;
}

/**
 * The nodes of the Application Load Balancer registered as the target of an NLB (target type `alb`) that the NLB reaches.
 * The NLB opens its connections (traffic and health checks) to the ALB's nodes, whose addresses are not known offline but lie
 * in the ALB's subnets, and which carry the ALB's security groups. "The communication between a Network Load Balancer and an
 * Application Load Balancer always uses IPv4" (NLB guide, Use an Application Load Balancer as a target of a Network Load
 * Balancer, https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html), so
 * only the subnets' IPv4 CIDRs count. Only the ALB's nodes in zones the NLB enables are reached: the NLB "monitors the health
 * of all targets registered with the target group that are in an Availability Zone enabled for the load balancer" (NLB guide,
 * Target groups); with the NLB's zones not all known, a node elsewhere is `uncertain`.
 */
function albNodes(
  model: AwsModel,
  lb: LoadBalancer,
  target: Target,
): { alb: LoadBalancer; nodes: AlbNode[] } | { alb: LoadBalancer; noZone: string[] } | { alb?: LoadBalancer; reason: string } {
  const alb = model.byKey.loadBalancer.get(idKey(target.id));
  if (!alb) {
    return {
      reason: `the Application Load Balancer ${target.id} is not in the snapshot${gapNote(model, [target.id], ["DescribeLoadBalancers"])}, so the addresses and security groups of its nodes are not known`,
    };
  }
  if (alb.zones.length === 0) return { alb, reason: `the Application Load Balancer ${alb.name} lists no subnets in the snapshot` };
  const nlbZones = lbZoneNames(lb);
  const nlbKnown = nlbZones.filter((z): z is string => !!z);
  const nlbZonesUnknown = nlbZones.length === 0 || nlbKnown.length < nlbZones.length;
  const nodes: AlbNode[] = [];
  for (const z of alb.zones) {
    const az = z.zoneName ?? z.subnet?.availabilityZone;
    if (az && !nlbKnown.includes(az) && !nlbZonesUnknown) continue;
    const where = z.subnet ? zoneLabel(z.subnet) : (z.subnetId ?? az ?? "an unknown subnet");
    const label = `${alb.name}'s node in ${where}${z.subnet?.cidr ? "" : ` (its subnet's CIDR is not in the snapshot${gapNote(model, [z.subnetId], ["DescribeSubnets"])})`}`;
    const node: AlbNode = { label, cidrs: z.subnet?.cidr ? [z.subnet.cidr] : [], ptr: z.ptr };
    if (!az || !nlbKnown.includes(az)) {
      const why = !az
        ? `the zone of ${label} is not known`
        : nlbZones.length === 0
          ? `${lb.name} lists no zones in the snapshot`
          : `${lb.name} has a zone whose name is not known (its subnet is not in the snapshot${gapNote(model, lbSubnetIds(lb), ["DescribeSubnets"])})`;
      node.uncertain = `${why}, so whether ${lb.name} connects to ${label} is not known`;
    }
    nodes.push(node);
  }
  // every zone of both is known, and none is shared: the NLB opens no connection to the ALB, which is known
  if (nodes.length === 0) return { alb, noZone: nlbKnown };
  return { alb, nodes };
}

type Data = Record<string, string>;

/**
 * An Application Load Balancer target of an NLB with security groups: the NLB's outbound rules must allow every node of the
 * ALB it reaches, on the target port and the health-check port ("Health checks are subject to outbound rules", NLB guide,
 * Update the security groups for your Network Load Balancer,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html). Each node is a peer
 * made of its subnet's CIDR and the ALB's security groups: a rule naming one of those groups, or a CIDR holding the whole
 * subnet, allows it; nothing on the port toward the subnet or the groups blocks it; a CIDR holding part of the subnet leaves
 * it unknown (the node's address is not known offline).
 */
function checkAlbTarget(
  model: AwsModel,
  report: (r: ReportInput) => void,
  lb: LoadBalancer,
  tg: TargetGroup,
  target: Target,
  checks: PortCheck[],
  data: Data,
): void {
  const base = targetBase(lb, tg, target);
  const tEv = targetEvidence(target);
  const sgEv = { resourceId: lb.arn, pointer: lb.securityGroupsPtr, label: "load balancer security groups" };
  const found = albNodes(model, lb, target);
  // the ALB by its name wherever the snapshot has it (its ARN otherwise)
  const named = found.alb ? { ...data, target: `Application Load Balancer ${found.alb.name}`, alb: found.alb.name } : data;
  if ("noZone" in found) {
    report({
      ...base,
      status: "not-applicable",
      messageId: "albNoZone",
      data: { ...named, zones: found.noZone.join(", ") },
      evidence: [
        tEv,
        { resourceId: lb.arn, pointer: `${lb.ptr}/AvailabilityZones`, label: `zones of ${lb.name}` },
        { resourceId: found.alb.arn, pointer: `${found.alb.ptr}/AvailabilityZones`, label: `zones of ${found.alb.name} (the target)` },
      ],
    });
    return;
  }
  if ("reason" in found || checks.length === 0) {
    const reason = "reason" in found ? found.reason : "the target has no port";
    report({ ...base, status: "unknown", messageId: "undecidable", data: { ...named, reason }, evidence: [tEv, sgEv] });
    return;
  }
  const { alb, nodes } = found;
  const d = named;
  const albSgEv = { resourceId: alb.arn, pointer: alb.securityGroupsPtr, label: `security groups of ${alb.name} (the target)` };
  const results = checks.flatMap((c) =>
    nodes.map((n) => ({
      c,
      n,
      v: evaluateSecurityGroups(
        model,
        lb.securityGroupIds,
        "egress",
        { cidrs: n.cidrs, groupIds: alb.securityGroupIds, label: n.label },
        c.protocol,
        c.port,
      ),
    })),
  );
  type Result = (typeof results)[number];
  /** why a result is undecided, or undefined when it is decided (allow, or a certain block) */
  const undecided = (r: Result): string | undefined => {
    const { v, n } = r;
    if (v.verdict === "allow") return undefined;
    if (v.verdict === "unknown") return v.reason ?? `the outbound rules toward ${n.label} cannot be decided`;
    if (v.verdict === "partial")
      return `${[...new Set(v.allowedBy.map((m) => m.sg.id))].join(", ")} allows only ${v.allowedCidrs.join(", ")} of ${n.cidrs.join(", ")}, and the address of ${n.label} is not known offline`;
    if (alb.securityGroupIds.length === 0 && v.otherGroups.length > 0)
      return `${alb.name} lists no security groups in the snapshot, so whether its nodes carry ${[...new Set(v.otherGroups.map((m) => m.value))].join(", ")} is not known`;
    return n.uncertain;
  };
  const blocked = results.filter((r) => r.v.verdict !== "allow" && undecided(r) === undefined);
  const unknown = results.filter((r) => undecided(r) !== undefined);
  const rulesEv = [...new Map(results.flatMap((r) => r.v.groups).map((g) => [g.ptr, g])).values()].map((g) => ({
    resourceId: g.id,
    pointer: `${g.ptr}/IpPermissionsEgress`,
    label: `outbound rules of ${g.id} (${g.groupName})`,
  }));
  const nodeEv = (ns: AlbNode[]): Evidence[] =>
    [...new Set(ns)].map((n) => ({ resourceId: alb.arn, pointer: n.ptr, label: `subnet of ${n.label}` }));
  if (blocked.length > 0) {
    const lbSg = lb.securityGroupIds[0] as string;
    const blockedChecks = [...new Set(blocked.map((b) => b.c))];
    const blockedNodes = [...new Set(blocked.map((b) => b.n))];
    const albSg = alb.securityGroupIds[0];
    const cidrs = [...new Set(blockedNodes.flatMap((n) => n.cidrs))];
    const dest = albSg ? { groups: [albSg] } : { cidrs };
    const ports = portsText(blockedChecks);
    report({
      ...base,
      status: "fail",
      messageId: "albBlocked",
      data: {
        ...d,
        ports,
        nodes: blockedNodes.map((n) => n.label).join(", "),
        nearMiss: nearMiss((blocked[0] as Result).v, "to"),
        health: healthText(target),
      },
      evidence: [
        ...rulesEv,
        sgEv,
        albSgEv,
        ...nodeEv(blockedNodes),
        tEv,
        { resourceId: tg.arn, pointer: target.statePtr, label: "target health" },
      ],
      remediation: {
        summary: `Allow outbound ${ports} from ${lbSg} to ${albSg ? `${albSg}, the security group of ${alb.name}` : `the subnets of ${alb.name} (${cidrs.join(", ")})`}.`,
        commands:
          albSg || cidrs.length > 0
            ? blockedChecks.map((c) => authorizeEgressCommand(lbSg, { protocol: c.protocol, from: c.port, to: c.port, ...dest }))
            : [],
      },
    });
  } else if (unknown.length > 0) {
    const u = unknown[0] as Result;
    report({
      ...base,
      status: "unknown",
      messageId: "undecidable",
      data: { ...d, ports: portsText([...new Set(unknown.map((r) => r.c))]), reason: undecided(u) as string },
      evidence: [
        ...u.v.prefixLists.map((m) => ({ resourceId: m.sg.id, pointer: m.ptr, label: "prefix list (contents unknown)" })),
        ...rulesEv,
        sgEv,
        albSgEv,
        ...nodeEv(unknown.map((r) => r.n)),
        tEv,
      ],
    });
  } else {
    const m = results[0]?.v.allowedBy[0];
    report({
      ...base,
      status: "pass",
      messageId: "albAllowed",
      data: { ...d, basis: m ? `${m.sg.id} allows it to ${m.value}` : "allowed" },
      evidence: [tEv, albSgEv, ...(m ? [{ resourceId: m.sg.id, pointer: m.ptr, label: "allowing outbound rule" }] : [])],
    });
  }
}

export const lbSgEgressBlocksTargetsCause: CauseCheck = { ruleId: "aws/lb-sg-egress-blocks-targets", messages, check };
