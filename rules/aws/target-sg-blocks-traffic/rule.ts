import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";
import { checkTargetSecurityGroups } from "../../../src/providers/aws/target-sg.ts";

export default defineRule<AwsModel>({
  id: "aws/target-sg-blocks-traffic",
  provider: "aws",
  severity: "critical",
  // the load balancer attributes: an NLB's cross-zone setting decides which of its nodes send traffic to an ALB target's
  // nodes; the listeners and their rules: which clients of a dualstack NLB reach a target group at all
  reads: [
    "aws:loadBalancers",
    "aws:loadBalancerAttributes",
    "aws:listeners",
    "aws:listenerRules",
    "aws:subnets",
    "aws:targetGroups",
    "aws:targetGroupAttributes",
    "aws:targetHealth",
    "aws:instances",
    "aws:securityGroups",
  ],
  title: "Target security groups block the load balancer's traffic",
  description:
    "The targets' security groups must admit the load-balanced traffic on the target's port, not only the health checks: a target whose " +
    "health-check port is allowed can be `healthy` and still refuse every request (AWS's tutorial on an Auto Scaling group behind an Application Load Balancer: the instance security group must allow the " +
    "load balancer's HTTP traffic). The traffic comes from the load balancer's nodes (their private addresses in the load balancer's " +
    "subnets, carrying its security groups), except on a Network Load Balancer that preserves client IPs (the default for instance " +
    "targets and for UDP): then the targets see the clients' own addresses, so their groups must allow the clients, or reference the " +
    "NLB's own security group, which AWS matches even with client IP preservation on. A dualstack NLB preserves only IPv4 clients' " +
    "addresses toward an IPv4 target group: its IPv6 clients arrive from the NLB's own IPv4 addresses, so the targets must also " +
    "allow the NLB's subnets (or its security group), unless a listener rule sends IPv6 clients to another target group. " +
    "For client traffic an allow that covers only part " +
    "of the clients is an allow-list and is reported as restricted, not blocked. Prefix lists cannot be decided offline and are reported as unknown. " +
    "An Application Load Balancer that is the target of a Network Load Balancer is judged by its own security groups. The NLB always " +
    "reaches it over IPv4: its IPv4 clients arrive with their own addresses, and a dualstack NLB's IPv6 clients, translated to IPv4, " +
    "from the NLB's own IPv4 addresses, so the ALB must admit the clients and, for a dualstack NLB, the NLB's subnets' IPv4 CIDRs " +
    "(or the NLB's security group). An IP target outside the VPC has its security groups elsewhere: unknown. An IPv6 target group " +
    "(`IpAddressType` `ipv6`) receives IPv6 packets, which only `Ipv6Ranges` (or a group reference) admit: from the load " +
    "balancer's IPv6 addresses, except that an NLB preserving client IPs passes IPv6 clients' own addresses (IPv4 clients still " +
    "arrive from the NLB's IPv6 addresses).",
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
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html",
      title: "Edit target group attributes for your Network Load Balancer - Elastic Load Balancing",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-register-targets.html#target-security-groups",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html#target-security-groups",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-ip-address-type.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html#target-group-ip-address-type",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-rule.html",
  ],
  messages: {
    noTargets: "The targets of target group {{targetGroup}} (load balancer {{lb}}) are not known: {{reason}}.",
    blocked:
      "Traffic of target group {{targetGroup}} ({{protocol}} port {{port}}) through load balancer {{lb}} cannot reach {{target}}: its security groups {{groups}} allow nothing from {{sources}}{{nearMiss}}. Target health: {{health}}.",
    allowed:
      "Traffic of target group {{targetGroup}} ({{protocol}} port {{port}}) through load balancer {{lb}} reaches {{target}}: {{basis}}.",
    restricted:
      "Traffic of target group {{targetGroup}} ({{protocol}} port {{port}}) through load balancer {{lb}} reaches {{target}} only from {{allowList}}: an allow-list of {{sources}}, not a block.",
    undecidable:
      "Cannot decide whether traffic of target group {{targetGroup}} ({{protocol}} port {{port}}) through load balancer {{lb}} reaches {{target}}: {{reason}}.",
    noGroups: "Target {{target}} of target group {{targetGroup}} is a {{kind}} target: it has no security groups of its own.",
  },
  remediation:
    "Allow the traffic on the target port in one of the targets' security groups: reference the load balancer's security group " +
    "(`UserIdGroupPairs=[{GroupId=sg-…}]`); for a Network Load Balancer without security groups allow its subnets' CIDRs, or, when it " +
    "preserves client IPs, the clients' addresses (IPv6 CIDRs go in `Ipv6Ranges`), and for a dualstack one with an IPv4 target group " +
    "its subnets' IPv4 CIDRs as well (its IPv6 clients arrive from them), also in the security group of an Application Load Balancer target.",
  explains: ["aws/targets-unhealthy"],
  check(ctx) {
    checkTargetSecurityGroups(ctx, { purpose: "traffic" });
  },
});
