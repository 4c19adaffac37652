import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { k8sRemediation } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";
import { gapNote, sh } from "../../../src/providers/aws/rule-helpers.ts";
import { groupBase, servedGroups } from "../../../src/providers/aws/target-facts.ts";

const ALB_IDLE_DEFAULT = 60;
const ALB_IDLE_MAX = 4000;
const NLB_DEFAULT_DELAY = 300;

export default defineRule<AwsModel>({
  id: "aws/deregistration-delay",
  provider: "aws",
  severity: "medium",
  reads: ["aws:loadBalancers", "aws:loadBalancerAttributes", "aws:targetGroups", "aws:targetGroupAttributes", "aws:autoscaling"],
  title: "Deregistration delay too short for scale-in",
  description:
    "When an Auto Scaling group scales in, it deregisters the instance from its target groups and waits for the deregistration delay " +
    "(connection draining, `deregistration_delay.timeout_seconds`, default 300 s) before it terminates it. Requests still in flight when " +
    "the delay ends are cut: clients see 502/504 errors or reset connections. With a delay of 0 every scale-in drops whatever the " +
    "instance was serving; with a delay shorter than the Application Load Balancer's idle timeout (`idle_timeout.timeout_seconds`, " +
    "default 60 s) a request allowed to run that long can be cut. Scale-out practice: scale-in drops sessions unless the load balancer drains " +
    "connections. Only target groups an Auto Scaling group serves are checked; on a Network Load Balancer only a delay of 0 is. " +
    "Severity is high for 0, medium otherwise.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html",
      title: "Edit target group attributes for your Application Load Balancer",
    },
    {
      url: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-elasticloadbalancingv2-targetgroup-targetgroupattribute.html",
      title: "AWS::ElasticLoadBalancingV2::TargetGroup TargetGroupAttribute - AWS CloudFormation",
    },
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/attach-load-balancer-asg.html",
      title: "Attach an Elastic Load Balancing load balancer to your Auto Scaling group - Amazon EC2 Auto Scaling",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout",
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/attach-load-balancer-asg.html",
  ],
  messages: {
    zero: "Target group {{targetGroup}} ({{lb}}) has a deregistration delay of 0 s, and Auto Scaling group {{asg}} deregisters its instances on scale-in: the instance is terminated at once and every request in flight on it fails.",
    short:
      "Target group {{targetGroup}} ({{lb}}) drains for {{delay}} s, less than {{lb}}'s idle timeout of {{idle}} s, and Auto Scaling group {{asg}} deregisters its instances on scale-in: requests running longer than {{delay}} s are cut (502/504).",
    enough:
      "Target group {{targetGroup}} ({{lb}}) drains for {{delay}} s before Auto Scaling group {{asg}} terminates an instance{{basis}}.",
    noAsg: "No Auto Scaling group serves target group {{targetGroup}} ({{lb}}): no scale-in to drain for.",
    undecidable: "Cannot tell whether target group {{targetGroup}} ({{lb}}) drains long enough on scale-in: {{reason}}.",
  },
  remediation:
    "Set the deregistration delay to at least the longest request the application serves, and no shorter than the load balancer's " +
    "idle timeout (`aws elbv2 modify-target-group-attributes --attributes Key=deregistration_delay.timeout_seconds,Value=…`).",
  check({ model, report }) {
    for (const { lb, tg } of servedGroups(model)) {
      const base = groupBase(lb, tg);
      const asgs = tg.asgs.map((a) => a.name).join(", ");
      const data = { targetGroup: tg.name, lb: lb.name, asg: asgs, delay: tg.deregistrationDelay.value };
      const tgEv = { resourceId: tg.arn, pointer: tg.ptr, label: "target group" };
      if (tg.asgs.length === 0) {
        report({ ...base, status: "not-applicable", messageId: "noAsg", data, evidence: [tgEv] });
        continue;
      }
      if (!tg.attributesKnown) {
        const reason = `its attributes were not collected${gapNote(model, [tg.arn], ["DescribeTargetGroupAttributes"])}`;
        report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [tgEv] });
        continue;
      }
      const delay = tg.deregistrationDelay.value;
      const delayEv = {
        resourceId: tg.arn,
        pointer: tg.deregistrationDelay.ptr,
        label: `deregistration delay (${tg.deregistrationDelay.source})`,
      };
      const asgEv = tg.asgs.map((a) => ({
        resourceId: a.arn ?? a.name,
        pointer: `${a.ptr}/TargetGroupARNs`,
        label: `target groups of ${a.name}`,
      }));
      const cmd = (value: number) =>
        `aws elbv2 modify-target-group-attributes --target-group-arn ${sh(tg.arn)} --attributes Key=deregistration_delay.timeout_seconds,Value=${value}`;
      const alb = lb.type === "application";
      const idleAttr = lb.attributes.get("idle_timeout.timeout_seconds");
      const idle = alb && lb.attributesKnown ? Number(idleAttr?.value ?? ALB_IDLE_DEFAULT) : undefined;
      const idleEv = idleAttr ? [{ resourceId: lb.arn, pointer: idleAttr.ptr, label: "idle timeout" }] : [];
      if (delay === 0) {
        const value = idle !== undefined && Number.isFinite(idle) ? Math.max(idle, 30) : NLB_DEFAULT_DELAY;
        report({
          ...base,
          severity: "high",
          status: "fail",
          messageId: "zero",
          data,
          evidence: [delayEv, ...asgEv],
          remediation: k8sRemediation(model, tg.arn, {
            summary: `Let ${tg.name} drain for at least ${value} s (the longest request the application serves, and no less than the idle timeout) before scale-in terminates an instance.`,
            commands: [cmd(value)],
          }),
        });
        continue;
      }
      if (!alb) {
        report({ ...base, status: "pass", messageId: "enough", data: { ...data, basis: "" }, evidence: [delayEv] });
        continue;
      }
      if (idle === undefined || !Number.isFinite(idle)) {
        if (delay >= ALB_IDLE_MAX) {
          report({
            ...base,
            status: "pass",
            messageId: "enough",
            data: { ...data, basis: ` (at least the largest possible idle timeout, ${ALB_IDLE_MAX} s)` },
            evidence: [delayEv],
          });
        } else {
          const reason = `the idle timeout of ${lb.name} is not known (its attributes were not collected${gapNote(model, [lb.arn], ["DescribeLoadBalancerAttributes"])})`;
          report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [delayEv] });
        }
        continue;
      }
      if (delay < idle) {
        report({
          ...base,
          status: "fail",
          messageId: "short",
          data: { ...data, idle },
          evidence: [delayEv, ...idleEv, ...asgEv],
          remediation: k8sRemediation(model, tg.arn, {
            summary: `Let ${tg.name} drain for at least ${lb.name}'s idle timeout (${idle} s), longer if requests can take longer.`,
            commands: [cmd(idle)],
          }),
        });
        continue;
      }
      report({
        ...base,
        status: "pass",
        messageId: "enough",
        data: { ...data, basis: ` (not less than ${lb.name}'s idle timeout of ${idle} s${idleAttr ? "" : ", the default"})` },
        evidence: [delayEv, ...idleEv],
      });
    }
  },
});
