import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Remediation } from "../../../src/core/engine/types.ts";
import type { AwsModel, LoadBalancer } from "../../../src/providers/aws/model.ts";
import { gapNote, lbTargets, sh, targetBase, targetEvidence, targetLabel } from "../../../src/providers/aws/rule-helpers.ts";
import { lbSubnetIds, lbZoneNames, subnetForZone, targetAz } from "../../../src/providers/aws/target-facts.ts";

function fix(model: AwsModel, lb: LoadBalancer, az: string, target: string): Remediation {
  const s = subnetForZone(model, lb, az);
  const subnets = [...lbSubnetIds(lb), s?.id ?? `<subnet-in-${az}>`];
  const commands = [
    ...(s ? [] : [`aws ec2 create-subnet --vpc-id ${lb.vpcId ?? "<vpc-id>"} --availability-zone ${az} --cidr-block <free-cidr>`]),
    `aws elbv2 set-subnets --load-balancer-arn ${sh(lb.arn)} --subnets ${subnets.join(" ")}`,
  ];
  return {
    summary:
      `Enable ${az} on ${lb.name} by adding ${s ? `subnet ${s.id}${s.cidr ? ` (${s.cidr})` : ""}` : `a ${lb.internetFacing ? "public " : ""}subnet of ${az}`} to its subnets` +
      ` (set-subnets replaces the list, so it names the current subnets too), or replace ${target} with a target in an enabled zone.`,
    commands,
  };
}

export default defineRule<AwsModel>({
  id: "aws/target-az-not-enabled",
  provider: "aws",
  severity: "high",
  title: "Target sits in an Availability Zone the load balancer has not enabled",
  description:
    "A load balancer has a node only in the Availability Zones of its subnets. A target registered in any other zone receives no traffic: " +
    "DescribeTargetHealth shows it `unused` with `Target.NotInUse`, and the registration looks fine everywhere else. It happens when an " +
    "Auto Scaling group spans more zones than the load balancer (AWS's Auto Scaling tutorial puts both in the same two zones), or when an instance is moved. " +
    "The target's zone is taken from its instance's placement, its subnet, or the AvailabilityZone of its health entry; IP targets outside " +
    "the VPC (zone `all`) are out of scope.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html",
      title: "How Elastic Load Balancing works",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/check-target-health.html",
      title: "Check the health of your Application Load Balancer targets - Elastic Load Balancing",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-subnets.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#target-health-reason-codes",
  ],
  messages: {
    notEnabled:
      "Target {{target}} of target group {{targetGroup}} sits in {{az}}, which load balancer {{lb}} has not enabled (it has {{zones}}): it gets no traffic. Target health: {{health}}.",
    enabled: "Target {{target}} of target group {{targetGroup}} sits in {{az}}, one of {{lb}}'s zones ({{zones}}).",
    undecidable: "Cannot tell whether target {{target}} of target group {{targetGroup}} sits in a zone {{lb}} has enabled: {{reason}}.",
    outsideVpc:
      "Target {{target}} of target group {{targetGroup}} is a {{kind}} target outside the VPC (zone {{az}}): it is reached from every enabled zone.",
  },
  remediation:
    "Add a subnet of the target's zone to the load balancer (`aws elbv2 set-subnets` with the current subnets plus the new one), or keep " +
    "the targets (and the Auto Scaling group's subnets) in the zones the load balancer has enabled.",
  explains: ["aws/targets-unhealthy"],
  check({ model, report }) {
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
      report({
        ...base,
        status: "fail",
        messageId: "notEnabled",
        data: zoneData,
        evidence: [azEv, zonesEv, { resourceId: tg.arn, pointer: target.statePtr, label: "target health" }, tEv],
        remediation: fix(model, lb, where.az, target.id),
      });
    }
  },
});
