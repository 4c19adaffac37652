/**
 * The check behind aws/target-az-not-enabled, in the provider's folder so that aws/targets-unhealthy can read the same
 * results as the cause of a target's health (see causes.ts). A rule never runs another rule.
 */
import { type Observation, weigh } from "../../../core/engine/observed.ts";
import type { Remediation, RuleContext } from "../../../core/engine/types.ts";
import type { CauseCheck } from "../causes.ts";
import { k8sRemediation } from "../kubernetes.ts";
import type { AwsModel, LoadBalancer, Target } from "../model.ts";
import { gapNote, lbTargets, placeholder, sh, targetBase, targetEvidence, targetLabel } from "../rule-helpers.ts";
import { lbSubnetIds, lbZoneNames, subnetForZone, targetAz } from "../target-facts.ts";

function fix(model: AwsModel, lb: LoadBalancer, az: string, target: string): Remediation {
  const s = subnetForZone(model, lb, az);
  const subnets = [...lbSubnetIds(lb).map(sh), s?.id ? sh(s.id) : placeholder(`subnet-in-${az}`)];
  const commands = [
    ...(s
      ? []
      : [
          `aws ec2 create-subnet --vpc-id ${lb.vpcId ? sh(lb.vpcId) : placeholder("vpc-id")} --availability-zone ${sh(az)} --cidr-block ${placeholder("free-cidr")}`,
        ]),
    `aws elbv2 set-subnets --load-balancer-arn ${sh(lb.arn)} --subnets ${subnets.join(" ")}`,
  ];
  return {
    summary:
      `Enable ${az} on ${lb.name} by adding ${s ? `subnet ${s.id}${s.cidr ? ` (${s.cidr})` : ""}` : `a ${lb.internetFacing ? "public " : ""}subnet of ${az}`} to its subnets` +
      ` (set-subnets replaces the list, so it names the current subnets too), or replace ${target} with a target in an enabled zone.`,
    commands,
  };
}

/**
 * What target health says about the zone: AWS reports a target in a zone the load balancer has not enabled as
 * `unused` (`Target.NotInUse`), so `healthy` contradicts the inference (the observation wins) and `unused` agrees.
 */
function observed(t: Target, tgArn: string): Observation | undefined {
  const state = t.state?.toLowerCase();
  const ev = [{ resourceId: tgArn, pointer: t.statePtr, label: "target health" }];
  if (state === "healthy") return { text: "target health reports it healthy", contradicts: true, evidence: ev };
  if (state === "unused")
    return { text: `target health reports it unused${t.reason ? ` (${t.reason})` : ""}`, contradicts: false, evidence: [] };
  return undefined;
}

export const messages = {
  notEnabled:
    "Target {{target}} of target group {{targetGroup}} sits in {{az}}, which load balancer {{lb}} has not enabled (it has {{zones}}): it gets no traffic. Target health: {{health}}.",
  enabled: "Target {{target}} of target group {{targetGroup}} sits in {{az}}, one of {{lb}}'s zones ({{zones}}).",
  undecidable: "Cannot tell whether target {{target}} of target group {{targetGroup}} sits in a zone {{lb}} has enabled: {{reason}}.",
  observedHealthy:
    "Target {{target}} of target group {{targetGroup}} sits in {{az}}, which load balancer {{lb}} has not enabled (it has {{zones}}), yet {{observed}}; AWS reports a target in a zone without a load balancer node as unused (Target.NotInUse). {{note}}",
  outsideVpc:
    "Target {{target}} of target group {{targetGroup}} is a {{kind}} target outside the VPC (zone {{az}}): it is reached from every enabled zone.",
};

export function check({ model, report }: RuleContext<AwsModel>): void {
  for (const { lb, tg, target } of lbTargets(model)) {
    const base = { ...targetBase(lb, tg, target), subjects: [target.key] };
    const zones = lbZoneNames(lb);
    const known = zones.filter((z): z is string => !!z);
    const data = {
      target: targetLabel(target),
      targetGroup: tg.name,
      lb: lb.name,
      kind: target.kind,
      zones: known.length > 0 ? known.join(", ") : "no known zone",
      health: target.state ? `${target.state}${target.reason ? ` (${target.reason})` : ""}` : "not reported",
    };
    const tEv = targetEvidence(target);
    const zonesEv = { resourceId: lb.arn, pointer: `${lb.ptr}/AvailabilityZones`, label: "load balancer zones" };
    const where = targetAz(target);
    if (target.kind === "lambda" || target.kind === "alb" || where?.az.toLowerCase() === "all") {
      report({ ...base, status: "not-applicable", messageId: "outsideVpc", data: { ...data, az: where?.az ?? "none" }, evidence: [tEv] });
      continue;
    }
    if (!where) {
      const reason = `the zone of ${target.id} is not known${target.kind === "instance" && !target.instance ? ` (the instance is not in the snapshot${gapNote(model, [target.id], ["DescribeInstances"])})` : ""}`;
      report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [tEv] });
      continue;
    }
    const zoneData = { ...data, az: where.az };
    const azEv = { resourceId: target.instance?.id ?? tg.arn, pointer: where.ptr, label: "target's zone" };
    if (known.includes(where.az)) {
      report({ ...base, status: "pass", messageId: "enabled", data: zoneData, evidence: [azEv, zonesEv] });
      continue;
    }
    if (known.length < zones.length) {
      const reason = `${lb.name} has a zone whose name is not known (its subnet is not in the snapshot${gapNote(model, lbSubnetIds(lb), ["DescribeSubnets"])})`;
      report({ ...base, status: "unknown", messageId: "undecidable", data: { ...zoneData, reason }, evidence: [azEv, zonesEv] });
      continue;
    }
    const failing = {
      ...base,
      status: "fail" as const,
      messageId: "notEnabled",
      data: zoneData,
      evidence: [azEv, zonesEv, { resourceId: tg.arn, pointer: target.statePtr, label: "target health" }, tEv],
      remediation: k8sRemediation(model, lb.arn, fix(model, lb, where.az, target.id)),
    };
    // observations outrank inference: a target AWS reports healthy is served, whatever the zones say
    report(
      weigh(
        failing,
        `${where.az} is not among ${lb.name}'s zones, so the target gets no traffic`,
        observed(target, tg.arn),
        "observedHealthy",
      ),
    );
  }
}

export const targetAzNotEnabledCause: CauseCheck = { ruleId: "aws/target-az-not-enabled", messages, check };
