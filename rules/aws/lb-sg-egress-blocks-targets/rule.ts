import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { lbSgEgressBlocksTargetsCause } from "../../../src/providers/aws/causes/lb-sg-egress-blocks-targets.ts";
import { reportCause } from "../../../src/providers/aws/causes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";

export default defineRule<AwsModel>({
  id: "aws/lb-sg-egress-blocks-targets",
  provider: "aws",
  severity: "critical",
  // the subnets: an Application Load Balancer target's nodes have their addresses in its subnets' CIDRs
  reads: ["aws:loadBalancers", "aws:targetGroups", "aws:targetHealth", "aws:instances", "aws:securityGroups", "aws:subnets"],
  title: "Load balancer security groups block traffic to the targets",
  description:
    "Security groups filter outbound traffic too. A load balancer with security groups opens its connections to the targets (requests " +
    "and health checks) from its own network interfaces, so one of its groups must allow outbound traffic to each target on the target " +
    "port and on the health-check port. The default outbound rule (all traffic to `0.0.0.0/0`) does; hardening that removes it, or " +
    "narrows it to other ports or addresses, makes every health check time out and every target `unhealthy`. " +
    "The rule may name the targets' security group (`UserIdGroupPairs`) or their addresses; a prefix list cannot be decided offline. " +
    "A Network Load Balancer with security groups whose target is an Application Load Balancer (target type `alb`) connects to the " +
    "ALB's nodes over IPv4, in each zone both load balancers enable: their addresses lie in the ALB's subnets and they carry the " +
    "ALB's security groups, so an outbound rule must name one of those groups or hold the subnets' CIDRs; a CIDR holding only part " +
    "of a subnet is unknown (a node's address is not known offline). Lambda targets are not checked.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html",
      title: "Security groups for your Application Load Balancer - ELB",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Network Load Balancer",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html#security-group-recommended-rules",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html#recommended-rules",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html",
  ],
  remediation:
    "Add an outbound rule to the load balancer's security group for the target port and the health-check port, to the targets' " +
    "security group (`UserIdGroupPairs=[{GroupId=sg-…}]`) or their subnets' CIDRs; for an Application Load Balancer target, to the " +
    "ALB's security group.",
  explains: ["aws/targets-unhealthy"],
  messages: lbSgEgressBlocksTargetsCause.messages,
  check(ctx) {
    reportCause(ctx, lbSgEgressBlocksTargetsCause);
  },
});
