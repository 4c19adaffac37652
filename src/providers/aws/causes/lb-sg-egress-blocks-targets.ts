/**
 * The check behind aws/lb-sg-egress-blocks-targets, in the provider's folder so that aws/targets-unhealthy can read the same
 * results as the cause of a target's health (see causes.ts). A rule never runs another rule.
 */
import type { RuleContext } from "../../../core/engine/types.ts";
import type { CauseCheck } from "../causes.ts";
import type { AwsModel } from "../model.ts";
import {
  authorizeEgressCommand,
  lbTargets,
  nearMiss,
  reportTargetsUnknown,
  sgNames,
  targetBase,
  targetEvidence,
  targetLabel,
  trafficProtocols,
} from "../rule-helpers.ts";
import { evaluateSecurityGroups, type Protocol, type SgVerdict } from "../sg.ts";
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
    if (target.kind === "lambda" || target.kind === "alb") {
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

export const lbSgEgressBlocksTargetsCause: CauseCheck = { ruleId: "aws/lb-sg-egress-blocks-targets", messages, check };
