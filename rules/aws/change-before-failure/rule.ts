import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { changeFindingKey } from "../../../src/core/timeline/analyze.ts";
import { CHANGE_MESSAGES, checkChangeBeforeFailure } from "../../../src/core/timeline/checks.ts";
import { k8sChangeOwner, k8sRegistrationFix } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";

export default defineRule<AwsModel>({
  id: "aws/change-before-failure",
  provider: "aws",
  severity: "critical",
  title: "A change shortly before a target group's health dropped",
  description:
    "With time data in the snapshot (`check --since`, `timeline`), lbdoctor reads the window's CloudTrail management events for the " +
    "resources in scope (security group ingress and egress, network ACL entries, target groups, listeners, target registration, " +
    "Auto Scaling) and CloudWatch's `HealthyHostCount` / `UnHealthyHostCount` per target group and zone. A change to a resource on a " +
    "target group's path (the load balancer, its listeners and security groups, the targets, their security groups, subnets and " +
    "network ACLs, the Auto Scaling group), made while the group was healthy in a zone (healthy in the period the change was made in " +
    "counts; a change made while it was not, most often the fix, never is) and followed by a drop there, is named as the " +
    "likely cause: the call, who made it, when, what it changed and the command that undoes it. It is linked to the failing findings " +
    "whose evidence cites the changed resource, and ranked first. When the AWS Load Balancer Controller owns the target group, a " +
    "registration change is the controller's: the fix says so and shows its TargetGroupBinding, never an `aws elbv2 register-targets` it would undo. " +
    "Changes too close to one drop for the samples to order them are each reported, naming the others, and the timeline marks the one the failing findings point at (the change set aside explains nothing); a drop found after a gap in the metrics (up at the last sample before it, down at the first after it) is dated by both samples, and the changes made in the gap, with the nearest change before it, are its candidates, which the samples cannot order: the failing findings decide, and when they cannot, none is marked; " +
    "a change to tags only cannot break traffic: it gets no finding of its own (never a fail nor an unknown), no other change's finding names it as a rival, and the timeline sets it aside for a rival that changed more. " +
    "A change made when the health is otherwise unknown (no sample within three of the series' intervals before it, and not up before the gap; or in the first down sample's own interval after a gap), or that no sample follows, or too few for a drop to show (the metrics end within two of their intervals of it: a target counts as unhealthy only after several failed health checks), " +
    "or that a gap in the middle of the metrics follows (made inside it, or within two intervals before its first missing sample) with the group healthy after the gap " +
    "(it may have become unhealthy and recovered in the gap, unseen), or that comes one period or more before the metrics' first sample with the " +
    "group healthy at it (the same gap, at the start of the series; a change less than a period before it is followed by the samples), is " +
    "unknown, not a cause, and never a pass. " +
    "A change on the path of a target group's zone whose `HealthyHostCount` was read but has no datapoint in the window, while a target is " +
    "registered there and not `unused`, is unknown too, unless it is the cause of another zone's drop; a zone with no registered target, for " +
    "which CloudWatch reports nothing, is not. A zone that became healthy again twice or more in the five periods before a change was " +
    "already flapping: the change is unknown there, not a cause.",
  reads: [
    "aws:metrics",
    "aws:changes",
    "aws:loadBalancers",
    "aws:listeners",
    "aws:targetGroups",
    "aws:targetHealth",
    "aws:instances",
    "aws:securityGroups",
    "aws:subnets",
    "aws:networkAcls",
    "aws:autoscaling",
  ],
  citations: [
    {
      url: "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html",
      title: "LookupEvents (AWS CloudTrail API Reference)",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html",
      title: "CloudWatch metrics for your Application Load Balancer",
    },
  ],
  references: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html"],
  messages: { ...CHANGE_MESSAGES },
  remediation:
    "Undo the change with the printed command (values quoted for the shell), or fix forward; then re-run `lbdoctor timeline` to see the " +
    "targets come back. CloudTrail records the request, not the previous value: where the request does not say how to undo it, restore " +
    "the setting from your infrastructure code.",
  explains: [
    "aws/targets-unhealthy",
    "aws/target-sg-blocks-health-check",
    "aws/target-sg-blocks-traffic",
    "aws/lb-sg-blocks-listener",
    "aws/lb-sg-egress-blocks-targets",
    "aws/nacl-blocks-health-check",
    "aws/health-check-path-mismatch",
    "aws/target-group-empty",
    "aws/listener-no-target-group",
    "aws/target-stopped",
    "aws/target-flapping",
  ],
  explainsByEvidence: true,
  check(ctx) {
    const { model } = ctx;
    const changes = new Map((model.time?.changes ?? []).map((c) => [changeFindingKey(c), c]));
    checkChangeBeforeFailure(
      {
        ...ctx,
        // a (de)registration on a group a Kubernetes controller owns: the controller's way, as k8sRemediation routes fixes
        report(f) {
          const change = f.key ? changes.get(f.key) : undefined;
          const owner = change && f.status === "fail" ? k8sChangeOwner(model, change) : undefined;
          ctx.report(owner ? { ...f, remediation: k8sRegistrationFix(owner) } : f);
        },
      },
      model.loadBalancers.map((lb) => ({ id: lb.arn, name: lb.name })),
    );
  },
});
