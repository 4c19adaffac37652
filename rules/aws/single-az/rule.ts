import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Remediation } from "../../../src/core/engine/types.ts";
import { sh as shell } from "../../../src/core/util/shell.ts";
import { isEtpLocal, k8sLabel, k8sOwnerOfGroup, k8sRemediation } from "../../../src/providers/aws/kubernetes.ts";
import type { AutoScalingGroup, AwsModel, LoadBalancer, TargetGroup } from "../../../src/providers/aws/model.ts";
import { gapNote, placeholder, sh, targetLabel } from "../../../src/providers/aws/rule-helpers.ts";
import {
  groupBase,
  isHealthy,
  lbSubnetIds,
  lbZoneNames,
  routesToIgw,
  servedGroups,
  subnetForZone,
  targetAz,
  targetsArg,
} from "../../../src/providers/aws/target-facts.ts";

function lbFix(model: AwsModel, lb: LoadBalancer, zones: string[]): Remediation {
  const other = [
    ...new Set(
      model.subnets
        .filter((s) => s.vpcId === lb.vpcId && s.availabilityZone && !zones.includes(s.availabilityZone))
        .map((s) => s.availabilityZone as string),
    ),
  ].sort();
  const az = other[0];
  const s = az ? subnetForZone(model, lb, az) : undefined;
  return {
    summary: `Add a ${lb.internetFacing ? "public " : ""}subnet of a second Availability Zone${s ? ` (${s.id} in ${az})` : ""} to ${lb.name}; set-subnets replaces the list, so it names the current subnets too.`,
    commands: [
      `aws elbv2 set-subnets --load-balancer-arn ${sh(lb.arn)} --subnets ${[...lbSubnetIds(lb).map(sh), s?.id ? sh(s.id) : placeholder("subnet-in-another-az")].join(" ")}`,
    ],
  };
}

function targetFix(model: AwsModel, lb: LoadBalancer, tg: TargetGroup, have: string[]): Remediation {
  const asg: AutoScalingGroup | undefined = tg.asgs[0];
  const lbZones = lbZoneNames(lb).filter((z): z is string => !!z);
  const wanted = lbZones.find((z) => !have.includes(z));
  if (asg) {
    const asgZones = new Set(asg.subnetIds.map((id) => model.byKey.subnet.get(id.toLowerCase())?.availabilityZone).filter(Boolean));
    if (asgZones.size < 2 && wanted) {
      const subnet =
        model.subnets.find((s) => s.vpcId === lb.vpcId && s.availabilityZone === wanted && !routesToIgw(s)) ??
        model.subnets.find((s) => s.vpcId === lb.vpcId && s.availabilityZone === wanted);
      const min = Math.max(2, asg.minSize ?? 0);
      return {
        summary: `Spread Auto Scaling group ${asg.name} over a second zone the load balancer has enabled (${wanted}), with at least one instance per zone.`,
        commands: [
          `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${sh(asg.name)} --vpc-zone-identifier ${sh([...asg.subnetIds, subnet?.id ?? `<subnet-in-${wanted}>`].join(","))} --min-size ${min}${(asg.desiredCapacity ?? 0) < min ? ` --desired-capacity ${min}` : ""}${(asg.maxSize ?? 0) < min ? ` --max-size ${min}` : ""}`,
        ],
      };
    }
    return {
      summary: `Auto Scaling group ${asg.name} spans several zones, but only the targets in ${have.join(", ")} are healthy: make the others healthy (see aws/targets-unhealthy).`,
      commands: [`aws elbv2 describe-target-health --target-group-arn ${sh(tg.arn)}`],
    };
  }
  return {
    summary: `Register a healthy target in a second zone the load balancer has enabled${wanted ? ` (${wanted})` : ""}, or serve ${tg.name} from an Auto Scaling group that spans two zones.`,
    commands: [
      `aws elbv2 register-targets --target-group-arn ${sh(tg.arn)} --targets ${targetsArg([{ id: `<instance-in-${wanted ?? "another-az"}>`, ...(tg.port !== undefined ? { port: tg.port } : {}) }])}`,
    ],
  };
}

export default defineRule<AwsModel>({
  id: "aws/single-az",
  provider: "aws",
  severity: "medium",
  reads: ["aws:loadBalancers", "aws:subnets", "aws:targetGroups", "aws:targetHealth", "aws:instances"],
  title: "Load balancer or its healthy targets in fewer than two Availability Zones",
  description:
    "AWS's Auto Scaling tutorial builds for the loss of a zone: the load balancer in subnets of at least two Availability Zones and the Auto Scaling " +
    "group's instances spread over the same zones. A load balancer with one zone (possible for a Network Load Balancer) or a target " +
    "group whose healthy targets all sit in one zone goes down with that zone. Each load balancer's zones are checked, then each target " +
    "group's healthy targets (a group with no healthy target at all is left to aws/targets-unhealthy and aws/target-group-empty). " +
    "Severity is medium: a resilience gap, not an outage.",
  citations: [
    {
      url: "https://docs.amazonaws.cn/elasticloadbalancing/latest/APIReference/API_SetSubnets.html",
      title: "SetSubnets - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-add-availability-zone.html",
      title: "Add an Availability Zone - Amazon EC2 Auto Scaling",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html",
      title: "How Elastic Load Balancing works",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-subnets.html",
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-availability-zone-balanced.html",
    "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/availability-zones.html",
  ],
  messages: {
    podsOneZone:
      "Target group {{targetGroup}} ({{lb}}) of {{owner}} has {{healthy}} healthy node{{plural}}, all in {{zones}} ({{targets}}): with externalTrafficPolicy Local those are the nodes running a ready pod of the Service, so its pods sit in one zone.",
    lbOneZone: "Load balancer {{lb}} has subnets in {{count}} Availability Zone ({{zones}}): it goes down with that zone.",
    lbZones: "Load balancer {{lb}} spans {{count}} Availability Zones ({{zones}}).",
    targetsOneZone:
      "Target group {{targetGroup}} ({{lb}}) has {{healthy}} healthy target{{plural}}, all in {{zones}} ({{targets}}): losing that zone takes the group down.",
    targetsZones: "The healthy targets of target group {{targetGroup}} ({{lb}}) span {{count}} Availability Zones ({{zones}}).",
    undecidable: "Cannot tell how many Availability Zones {{what}} spans: {{reason}}.",
    noHealthy: "Target group {{targetGroup}} ({{lb}}) has no healthy target, so no zone spread to check (see aws/targets-unhealthy).",
    zoneless:
      "Target group {{targetGroup}} ({{lb}}) has {{kind}} targets: they sit in no Availability Zone of the VPC (AvailabilityZone `all`), so there is no zone spread to check.",
  },
  remediation:
    "Give the load balancer a subnet in a second Availability Zone (`aws elbv2 set-subnets`), and spread the targets over the same " +
    "zones: an Auto Scaling group with subnets in two zones (`aws autoscaling update-auto-scaling-group --vpc-zone-identifier …`).",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      const names = lbZoneNames(lb);
      const zones = [...new Set(names.filter((z): z is string => !!z))].sort();
      const base = { resourceId: lb.arn, resourceName: lb.name, loadBalancerId: lb.arn, subjects: [lb.key], key: "lb" };
      const ev = { resourceId: lb.arn, pointer: `${lb.ptr}/AvailabilityZones`, label: "load balancer zones" };
      const data = { lb: lb.name, count: zones.length, zones: zones.join(", ") || "none" };
      if (zones.length >= 2) report({ ...base, status: "pass", messageId: "lbZones", data, evidence: [ev] });
      else if (names.length > zones.length) {
        const reason = `a zone's name is not known (its subnet is not in the snapshot${gapNote(model, lbSubnetIds(lb), ["DescribeSubnets"])})`;
        report({
          ...base,
          status: "unknown",
          messageId: "undecidable",
          data: { ...data, what: `load balancer ${lb.name}`, reason },
          evidence: [ev],
        });
      } else
        report({
          ...base,
          status: "fail",
          messageId: "lbOneZone",
          data,
          evidence: [ev],
          remediation: k8sRemediation(model, lb.arn, lbFix(model, lb, zones)),
        });
    }
    for (const { lb, tg } of servedGroups(model)) {
      const base = groupBase(lb, tg, "targets");
      const data = { lb: lb.name, targetGroup: tg.name };
      if (tg.targetType === "lambda" || tg.targetType === "alb") {
        // a Lambda function is regional and an ALB target spans its own zones (checked as a load balancer here)
        report({
          ...base,
          status: "not-applicable",
          messageId: "zoneless",
          data: { ...data, kind: tg.targetType === "lambda" ? "Lambda" : "Application Load Balancer" },
          evidence: [{ resourceId: tg.arn, pointer: tg.ptr, label: "target group" }],
        });
        continue;
      }
      if (!tg.healthKnown) {
        const reason = `the target health was not collected${gapNote(model, [tg.arn], ["DescribeTargetHealth"])}`;
        report({
          ...base,
          status: "unknown",
          messageId: "undecidable",
          data: { ...data, what: `target group ${tg.name}`, reason },
          evidence: [{ resourceId: tg.arn, pointer: tg.ptr, label: "target group" }],
        });
        continue;
      }
      const healthy = tg.targets.filter(isHealthy);
      if (healthy.length === 0) {
        report({
          ...base,
          status: "not-applicable",
          messageId: "noHealthy",
          data,
          evidence: [{ resourceId: tg.arn, pointer: tg.healthPtr ?? tg.ptr, label: "target health" }],
        });
        continue;
      }
      const placed = healthy.map((t) => ({ t, where: targetAz(t) }));
      // AvailabilityZone `all`: an IP target outside the VPC (peered VPC, on premises), in a zone the snapshot cannot name, if any
      const outside = placed.filter((p) => p.where?.az.toLowerCase() === "all");
      const zones = [
        ...new Set(
          placed
            .filter((p) => !outside.includes(p))
            .map((p) => p.where?.az)
            .filter((z): z is string => !!z),
        ),
      ].sort();
      const ev = placed.flatMap((p) =>
        p.where ? [{ resourceId: p.t.instance?.id ?? p.t.id, pointer: p.where.ptr, label: `zone of ${p.t.id}` }] : [],
      );
      const zdata = {
        ...data,
        count: zones.length,
        zones: zones.join(", ") || "none",
        healthy: healthy.length,
        plural: healthy.length === 1 ? "" : "s",
      };
      if (zones.length >= 2) {
        report({ ...base, status: "pass", messageId: "targetsZones", data: zdata, evidence: ev });
        continue;
      }
      const unplaced = placed.filter((p) => !p.where);
      // targets whose zone is not known: instances missing from the snapshot, IP targets outside the VPC
      const reason =
        unplaced.length > 0
          ? `the zone of ${unplaced.map((p) => p.t.id).join(", ")} is not known (instance not in the snapshot${gapNote(
              model,
              unplaced.map((p) => p.t.id),
              ["DescribeInstances"],
            )})`
          : outside.length > 0
            ? `${outside.map((p) => p.t.id).join(", ")} ${outside.length === 1 ? "is an IP target" : "are IP targets"} outside the VPC (AvailabilityZone all: a peered VPC or on premises), whose zone, if any, is not known`
            : undefined;
      if (reason !== undefined) {
        report({
          ...base,
          status: "unknown",
          messageId: "undecidable",
          data: { ...zdata, what: `target group ${tg.name}`, reason },
          evidence: ev,
        });
        continue;
      }
      const owner = k8sOwnerOfGroup(model, tg);
      if (owner && isEtpLocal(owner, tg)) {
        // externalTrafficPolicy: Local: the healthy nodes are where the Service's pods run; spread the pods, not the targets
        const svc = owner.service ?? (owner.namespace && owner.name ? { namespace: owner.namespace, name: owner.name } : undefined);
        report({
          ...base,
          subjects: [tg.key, ...healthy.map((t) => t.key)],
          severity: "low",
          status: "fail",
          messageId: "podsOneZone",
          data: { ...zdata, owner: k8sLabel(owner), targets: healthy.map(targetLabel).join(", ") },
          evidence: [...ev, { resourceId: tg.arn, pointer: tg.healthPtr ?? tg.ptr, label: "target health" }],
          remediation: {
            summary: `With externalTrafficPolicy Local only the nodes running a ready pod of the Service are healthy targets: run more replicas and spread them over zones (a topologySpreadConstraint on topology.kubernetes.io/zone); the controller registers the nodes itself.`,
            commands: svc ? [`kubectl get pods --namespace ${shell(svc.namespace)} --output wide`] : [],
          },
        });
        continue;
      }
      report({
        ...base,
        subjects: [tg.key, ...healthy.map((t) => t.key)],
        status: "fail",
        messageId: "targetsOneZone",
        data: { ...zdata, targets: healthy.map(targetLabel).join(", ") },
        evidence: [...ev, { resourceId: tg.arn, pointer: tg.healthPtr ?? tg.ptr, label: "target health" }],
        remediation: k8sRemediation(model, tg.arn, targetFix(model, lb, tg, zones)),
      });
    }
  },
});
