/**
 * The check behind aws/target-sg-blocks-health-check and
 * aws/target-sg-blocks-traffic: for every target of every LB, do the target's
 * security groups admit the LB's health checks / traffic?
 *
 * Message ids the two rules declare: blocked, allowed, restricted (traffic
 * only), undecidable, noGroups, disabled (health checks only). Data keys:
 * targetGroup, lb, target, protocol, port, sources, groups, nearMiss, health,
 * basis, reason, kind, allowList.
 */
import type { Evidence, RuleContext } from "../../core/engine/types.ts";
import { idKey } from "../../core/util/resource-id.ts";
import type { AwsModel, LoadBalancer, Target, TargetGroup } from "./model.ts";
import {
  clientLabel,
  clientSpace,
  gapNote,
  lbNodeSources,
  lbTargets,
  nearMiss,
  preservationUnknown,
  reportTargetsUnknown,
  type Source,
  type SourceVerdict,
  sgNames,
  targetBase,
  targetEvidence,
  targetIngress,
  targetIngressFix,
  targetLabel,
  targetSgEvidence,
  targetSgUnknownReason,
  trafficProtocols,
  trafficSources,
} from "./rule-helpers.ts";
import type { Protocol } from "./sg.ts";

export interface TargetSgSpec {
  purpose: "health-check" | "traffic";
}

export function healthText(t: Target): string {
  return t.state ? `${t.state}${t.reason ? ` (${t.reason})` : ""}` : "not reported";
}

function sourcesText(lb: LoadBalancer, sources: Source[]): string {
  const who = [...new Set(sources.map((s) => s.label))].join(", ");
  return lb.securityGroupIds.length > 0 ? `${who} (security group ${lb.securityGroupIds.join(", ")})` : who;
}

/**
 * An Application Load Balancer registered as the target of a Network Load Balancer (target type `alb`): its own
 * security groups must admit the NLB's health checks (from the NLB's nodes) and its traffic, which reaches it with the
 * clients' addresses ("Use the CIDR blocks of the client's computers as the traffic source", NLB guide, Application Load
 * Balancers as targets); a rule that references the NLB's own security group matches it either way.
 */
interface AlbTarget {
  alb?: LoadBalancer;
  groupIds: string[];
  /** why its groups cannot be read */
  why?: string;
}

function albTarget(model: AwsModel, target: Target): AlbTarget {
  const alb = model.byKey.loadBalancer.get(idKey(target.id));
  if (!alb) {
    return {
      groupIds: [],
      why: `the Application Load Balancer ${target.id} is not in the snapshot${gapNote(model, [target.id], ["DescribeLoadBalancers"])}, so its security groups are not known`,
    };
  }
  if (alb.securityGroupIds.length === 0)
    return { alb, groupIds: [], why: `the Application Load Balancer ${alb.name} lists no security groups in the snapshot` };
  return { alb, groupIds: alb.securityGroupIds };
}

/** The NLB's clients, as its ALB target sees them. */
function albClientSources(lb: LoadBalancer): Source[] {
  const label = `${clientLabel(lb)} (an NLB passes them to its Application Load Balancer target with their own addresses)`;
  return [{ kind: "clients", label, peer: { cidrs: clientSpace(lb), groupIds: lb.securityGroupIds, label }, ptr: lb.ptr }];
}

export function checkTargetSecurityGroups({ model, report }: RuleContext<AwsModel>, spec: TargetSgSpec): void {
  const hc = spec.purpose === "health-check";
  reportTargetsUnknown(model, report);
  for (const { lb, tg, target } of lbTargets(model)) {
    const base = targetBase(lb, tg, target);
    const port = hc ? target.healthCheckPort : target.port;
    const protocols: Protocol[] = hc ? ["tcp"] : trafficProtocols(tg);
    const albT = target.kind === "alb" ? albTarget(model, target) : undefined;
    const sources = hc ? lbNodeSources(lb) : albT ? albClientSources(lb) : trafficSources(lb, tg);
    const groupIds = albT ? albT.groupIds : (target.instance?.securityGroupIds ?? []);
    const data = {
      targetGroup: tg.name,
      lb: lb.name,
      target: targetLabel(target),
      port: port ?? (hc ? tg.healthCheck.portSpec : "(none)"),
      protocol: protocols.map((p) => p.toUpperCase()).join("/"),
      kind: target.kind,
      sources: sourcesText(lb, sources),
    };
    const tEv = targetEvidence(target);
    const portEv = hc
      ? { resourceId: tg.arn, pointer: target.tg.healthCheck.portPtr, label: `health-check port (${tg.healthCheck.portSpec})` }
      : { resourceId: tg.arn, pointer: `${target.ptr}/Target`, label: "target port" };
    if (target.kind === "lambda") {
      report({ ...base, status: "not-applicable", messageId: "noGroups", data, evidence: [tEv] });
      continue;
    }
    if (hc && !tg.healthCheck.enabled) {
      report({
        ...base,
        status: "not-applicable",
        messageId: "disabled",
        data,
        evidence: [{ resourceId: tg.arn, pointer: tg.ptr, label: "target group" }],
      });
      continue;
    }
    const why = port === undefined ? "neither the target nor its group has a port" : albT ? albT.why : targetSgUnknownReason(model, target);
    if (why !== undefined || port === undefined) {
      report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason: why }, evidence: [tEv, portEv] });
      continue;
    }
    const r = targetIngress(model, lb, target, sources, port, protocols, groupIds);
    const sourceEv = sourceEvidence(lb, tg, sources);
    const groupsEv: Evidence[] = albT?.alb
      ? [{ resourceId: albT.alb.arn, pointer: albT.alb.securityGroupsPtr, label: `security groups of ${albT.alb.name} (the target)` }]
      : [];
    if (!hc && !albT && preservationUnknown(lb, tg)) {
      // preserve_client_ip.enabled was not collected: the default may have been changed, so the verdict must hold both ways
      const flipped = { ...tg, preserveClientIp: { ...tg.preserveClientIp, value: !tg.preserveClientIp.value } };
      if (targetIngress(model, lb, target, trafficSources(lb, flipped), port, protocols).status !== r.status) {
        const reason =
          `the attributes of target group ${tg.name} were not collected${gapNote(model, [tg.arn], ["DescribeTargetGroupAttributes"])}, ` +
          `so whether ${lb.name} preserves client IPs (preserve_client_ip.enabled) is not known, and the verdict depends on it`;
        report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [tEv, sourceEv] });
        continue;
      }
    }
    if (r.status === "fail") {
      const first = r.blocked[0] as SourceVerdict;
      report({
        ...base,
        status: "fail",
        messageId: "blocked",
        data: {
          ...data,
          protocol: [...new Set(r.blocked.map((b) => b.protocol.toUpperCase()))].join("/"),
          sources: sourcesText(
            lb,
            r.blocked.map((b) => b.source),
          ),
          groups: sgNames(model, groupIds),
          nearMiss: nearMiss(first.verdict),
          health: healthText(target),
        },
        evidence: [
          ...groupsEv,
          ...targetSgEvidence(target, r.blocked),
          portEv,
          sourceEv,
          { resourceId: tg.arn, pointer: target.statePtr, label: "target health" },
        ],
        remediation: {
          summary: `Allow ${[...new Set(r.blocked.map((b) => b.protocol.toUpperCase()))].join("/")} ${port} from ${
            lb.securityGroupIds.length > 0
              ? `the load balancer's security group ${lb.securityGroupIds[0]}`
              : r.blocked.some((b) => b.source.kind === "clients")
                ? "the clients"
                : `${lb.name}'s subnets`
          } in ${groupIds[0]}.`,
          commands: targetIngressFix(model, lb, target, r.blocked, port, groupIds[0]),
        },
      });
    } else if (r.status === "unknown") {
      report({
        ...base,
        status: "unknown",
        messageId: "undecidable",
        data: { ...data, reason: r.unknown[0]?.reason ?? "undecidable" },
        evidence: [...groupsEv, ...targetSgEvidence(target, r.unknown), portEv],
      });
    } else if (r.restricted.length > 0) {
      const allowList = [
        ...new Set(
          r.restricted.flatMap((x) => [
            ...x.verdict.allowedBy.map((m) => `${m.value} (${m.sg.id})`),
            ...x.verdict.otherGroups.map((m) => `${m.value} (${m.sg.id})`),
          ]),
        ),
      ];
      report({
        ...base,
        status: "pass",
        messageId: "restricted",
        data: { ...data, allowList: allowList.join(", ") },
        evidence: [
          tEv,
          ...r.restricted
            .flatMap((x) => [...x.verdict.allowedBy, ...x.verdict.otherGroups])
            .map((m) => ({ resourceId: m.sg.id, pointer: m.ptr, label: "allow-list entry" })),
        ],
      });
    } else {
      const m = r.results.flatMap((x) => x.verdict.allowedBy)[0];
      report({
        ...base,
        status: "pass",
        messageId: "allowed",
        data: {
          ...data,
          basis: m
            ? `${m.sg.id} allows it from ${m.value}${lb.securityGroupIds.includes(m.value) ? " (the load balancer's security group)" : ""}`
            : "allowed",
        },
        evidence: [tEv, ...(m ? [{ resourceId: m.sg.id, pointer: m.ptr, label: "allowing rule" }] : [])],
      });
    }
  }
}

function sourceEvidence(lb: LoadBalancer, tg: TargetGroup, sources: Source[]) {
  if (sources.some((s) => s.kind === "clients") && tg.targetType === "alb") {
    return { resourceId: tg.arn, pointer: tg.ptr, label: "target group of type alb (the ALB sees the clients' addresses)" };
  }
  if (sources.some((s) => s.kind === "clients")) {
    return { resourceId: tg.arn, pointer: tg.preserveClientIp.ptr, label: `client IP preservation (${tg.preserveClientIp.source})` };
  }
  return {
    resourceId: lb.arn,
    pointer: lb.securityGroupsPtr,
    label: lb.securityGroupIds.length > 0 ? "load balancer security groups" : "load balancer (no security groups)",
  };
}
