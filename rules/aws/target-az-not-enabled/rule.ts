import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { targetAzNotEnabledCause } from "../../../src/providers/aws/causes/target-az-not-enabled.ts";
import { reportCause } from "../../../src/providers/aws/causes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";

export default defineRule<AwsModel>({
  id: "aws/target-az-not-enabled",
  provider: "aws",
  severity: "high",
  reads: ["aws:loadBalancers", "aws:subnets", "aws:targetGroups", "aws:targetHealth", "aws:instances"],
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
  remediation:
    "Add a subnet of the target's zone to the load balancer (`aws elbv2 set-subnets` with the current subnets plus the new one), or keep " +
    "the targets (and the Auto Scaling group's subnets) in the zones the load balancer has enabled.",
  explains: ["aws/targets-unhealthy"],
  messages: targetAzNotEnabledCause.messages,
  check(ctx) {
    reportCause(ctx, targetAzNotEnabledCause);
  },
});
