import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { targetSgBlocksHealthCheckCause } from "../../../src/providers/aws/causes/target-sg-blocks-health-check.ts";
import { reportCause } from "../../../src/providers/aws/causes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";

export default defineRule<AwsModel>({
  id: "aws/target-sg-blocks-health-check",
  provider: "aws",
  severity: "critical",
  reads: ["aws:loadBalancers", "aws:subnets", "aws:targetGroups", "aws:targetHealth", "aws:instances", "aws:securityGroups"],
  title: "Target security groups block the health checks",
  description:
    "Every load balancer node health-checks every registered target, from its private address in its own subnet. " +
    "The targets' security groups must allow those checks on the health-check port (`traffic-port` means the target's own port): " +
    "for an ALB, or an NLB with security groups, the usual rule references the load balancer's security group by id " +
    "(`UserIdGroupPairs`); for an NLB without security groups it must allow the load balancer subnets' CIDRs (or the VPC's). " +
    "When nothing allows them, every check times out, the target is `unhealthy` with `Target.Timeout` and gets no traffic " +
    "(AWS's tutorial on an Auto Scaling group behind an Application Load Balancer: the instance security group must allow the load balancer's HTTP traffic and health checks). " +
    "Security groups are allow-only and their union applies; a rule on a prefix list cannot be decided offline and is reported as unknown. " +
    "An Application Load Balancer that is the target of a Network Load Balancer is health-checked by the NLB's nodes: its own security " +
    "groups must admit them.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html",
      title: "Security groups for your Application Load Balancer - ELB",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-instances-security-groups.html",
      title: "Security groups for the instances for your Classic Load Balancer - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Network Load Balancer",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-register-targets.html#target-security-groups",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html#target-security-groups",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#target-not-inservice",
  ],
  remediation:
    "Allow the load balancer on the health-check port in one of the targets' security groups: reference the load balancer's security " +
    "group (`UserIdGroupPairs=[{GroupId=sg-…}]`), or for a load balancer without security groups its subnets' CIDRs.",
  explains: ["aws/targets-unhealthy"],
  messages: targetSgBlocksHealthCheckCause.messages,
  check(ctx) {
    reportCause(ctx, targetSgBlocksHealthCheckCause);
  },
});
