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
    "An Application Load Balancer that is the target of a Network Load Balancer is health-checked by the NLB's nodes, always over IPv4 " +
    "(from their addresses in the NLB subnets' IPv4 CIDRs, whatever either load balancer's IP address type): its own security " +
    "groups must admit them. An IPv6 target group (`IpAddressType` `ipv6`) is health-checked over IPv6, from the nodes' addresses in " +
    "their subnets' IPv6 CIDRs: only `Ipv6Ranges` (or a group reference) can admit them, never an IPv4 range.",
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
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-ip-address-type.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html#target-group-ip-address-type",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html",
  ],
  remediation:
    "Allow the load balancer on the health-check port in one of the targets' security groups: reference the load balancer's security " +
    "group (`UserIdGroupPairs=[{GroupId=sg-…}]`), or for a load balancer without security groups its subnets' CIDRs (their IPv6 " +
    "CIDRs, in `Ipv6Ranges`, for an IPv6 target group).",
  explains: ["aws/targets-unhealthy"],
  messages: targetSgBlocksHealthCheckCause.messages,
  check(ctx) {
    reportCause(ctx, targetSgBlocksHealthCheckCause);
  },
});
