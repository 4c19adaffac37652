import {
  albBehindNlb,
  awsId,
  CIDR,
  healthyAlb,
  healthyNlb,
  ids,
  tgArn,
  V6,
  VPC_CIDR,
  withIpv6TargetGroup,
} from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const OFFICE = "198.51.100.0/24";
const OLD_ALB_SG = awsId("sg", "web-alb-2023");

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: the instance SG allows 80 from the ALB's SG by group id", snapshot: healthyAlb().build() },
    {
      name: "a -1 (all traffic) rule from the ALB's SG covers the health-check port",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ protocol: "-1", groups: [ids.sg.alb] }])
        .build(),
    },
    {
      name: "a port range 0-65535 from the VPC CIDR covers both ALB subnets",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ from: 0, to: 65535, cidrs: [VPC_CIDR] }])
        .build(),
    },
    {
      name: "the two ALB subnets allowed by two separate CIDR rules (their union covers every node)",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [
          { port: 80, cidrs: [CIDR.publicA] },
          { from: 79, to: 81, cidrs: [CIDR.publicB] },
        ])
        .build(),
    },
    {
      name: "union of groups: an unrelated SG plus a second SG that allows the ALB",
      snapshot: healthyAlb()
        .securityGroup({ id: awsId("sg", "ssm"), name: "ssm-endpoints", ingress: [{ port: 443, cidrs: [VPC_CIDR] }] })
        .securityGroup({ id: awsId("sg", "from-alb"), name: "from-alb", ingress: [{ port: 80, groups: [ids.sg.alb] }] })
        .instanceGroups(ids.instance.web1, [awsId("sg", "ssm"), awsId("sg", "from-alb")])
        .instanceGroups(ids.instance.web2, [awsId("sg", "ssm"), awsId("sg", "from-alb")])
        .build(),
    },
    {
      name: "a fixed health-check port 8081 allowed from the ALB's SG (traffic-port not used)",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { HealthCheckPort: "8081", HealthCheckPath: "/healthz" })
        .ingress(ids.sg.web, { port: 8081, groups: [ids.sg.alb] })
        .build(),
    },
    { name: "NLB without security groups, client IP preserved: the targets allow 80 from anywhere", snapshot: healthyNlb().build() },
    {
      name: "NLB without security groups, IP preservation off: the targets allow the two NLB subnets' CIDRs",
      snapshot: healthyNlb()
        .tgAttribute(ids.tg.app, "preserve_client_ip.enabled", "false")
        .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: [CIDR.publicA, CIDR.publicB] }])
        .build(),
    },
    {
      name: "an ALB target of an NLB: the ALB's security group admits 80 from anywhere, the NLB's nodes included",
      snapshot: albBehindNlb().build(),
    },
    {
      name: "IPv6 target group (IP targets on the instances' IPv6 addresses): the instance SG allows 80 from the ALB's SG, which matches IPv6 health checks too",
      snapshot: withIpv6TargetGroup(healthyAlb(), ids.lb.alb, { name: "web6-tg", protocol: "HTTP", port: 80 }).build(),
    },
    {
      name: "IPv6 target group of an NLB without security groups: the target SG allows 80 from the VPC's IPv6 CIDR, which holds every node",
      snapshot: withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" })
        .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: ["0.0.0.0/0"], ipv6: [V6.vpc] }])
        .build(),
    },
  ],
  invalid: [
    {
      name: "a security review narrowed web-instance-sg to the office range: the ALB's health checks time out on both instances",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [
          { port: 80, cidrs: [OFFICE], description: "HTTP from the office" },
          { port: 22, cidrs: [OFFICE], description: "SSH from the office" },
        ])
        .allTargets(ids.tg.web, "unhealthy", "Target.Timeout", "Request timed out")
        .describe(
          "Incident: during a security review web-instance-sg was narrowed to the office range (198.51.100.0/24). The rule that allowed " +
            "HTTP from the ALB's security group went with it, so web-alb's health checks time out: both targets are unhealthy " +
            "(Target.Timeout) and the site returns 503.",
        )
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "the rule references the security group of the load balancer that was replaced",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ port: 80, groups: [OLD_ALB_SG] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "a fixed health-check port 8081 that no rule allows (traffic on 80 is allowed)",
      snapshot: healthyAlb().editTargetGroup(ids.tg.web, { HealthCheckPort: "8081", HealthCheckPath: "/healthz" }).build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "the allow is for UDP, health checks are TCP",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ protocol: "udp", port: 80, groups: [ids.sg.alb] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "the port range 81-90 misses traffic-port 80",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ from: 81, to: 90, groups: [ids.sg.alb] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "NLB without security groups, IP preservation off: only the first NLB subnet is allowed, the node in the second is blocked",
      snapshot: healthyNlb()
        .tgAttribute(ids.tg.app, "preserve_client_ip.enabled", "false")
        .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: [CIDR.publicA] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "only web-2 carries a security group without the ALB rule",
      snapshot: healthyAlb()
        .securityGroup({ id: awsId("sg", "debug"), name: "debug-ssh", ingress: [{ port: 22, cidrs: [OFFICE] }] })
        .instanceGroups(ids.instance.web2, [awsId("sg", "debug")])
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.instance.web2 }],
    },
    {
      name: "an ALB target of an NLB: the ALB's security group admits only an office range, not the NLB's health checks",
      snapshot: albBehindNlb()
        .setIngress(ids.sg.alb, [{ port: 80, cidrs: [OFFICE] }])
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.lb.alb }],
    },
    {
      name: "IPv6 target group whose targets' SG allows 80 from the VPC's IPv4 CIDR only: the ALB's IPv6 health checks match no IPv4 range",
      snapshot: withIpv6TargetGroup(healthyAlb(), ids.lb.alb, { name: "web6-tg", protocol: "HTTP", port: 80 })
        .setIngress(ids.sg.web, [{ port: 80, cidrs: [VPC_CIDR] }])
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "IPv6 target group of an NLB without security groups, targets' SG open on 0.0.0.0/0 only: IPv6 health checks from the nodes are dropped",
      snapshot: withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" }).build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
  ],
  unknown: [
    {
      name: "the only rule on port 80 allows a managed prefix list (contents not in the snapshot)",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ port: 80, prefixLists: ["pl-0a1b2c3d4e5f60718"] }])
        .build(),
      reason: "prefix list",
    },
    {
      name: "the instances' security group is not in the snapshot",
      snapshot: healthyAlb().removeSecurityGroup(ids.sg.web).build(),
      reason: "not in the snapshot",
    },
    {
      name: "the target instances are not in the snapshot (DescribeInstances failed)",
      snapshot: healthyAlb()
        .edit((s) => {
          if (s.ec2) delete s.ec2.Instances;
        })
        .gap({
          operation: "ec2:DescribeInstances",
          status: 403,
          code: "UnauthorizedOperation",
          message: "You are not authorized to perform this operation.",
        })
        .build(),
      reason: "UnauthorizedOperation",
    },
    {
      name: "the target health was not collected (DescribeTargetHealth throttled)",
      snapshot: healthyAlb()
        .edit((s) => {
          s.elbv2.TargetHealth = {};
        })
        .gap({ operation: "elbv2:DescribeTargetHealth", resourceId: ids.tg.web, status: 400, code: "Throttling", message: "Rate exceeded" })
        .build(),
      reason: "Throttling",
    },
    {
      name: "NLB without security groups: a rule covers half of the first NLB subnet, the node's address is not known",
      snapshot: healthyNlb()
        .tgAttribute(ids.tg.app, "preserve_client_ip.enabled", "false")
        .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: ["10.0.1.0/25", CIDR.publicB] }])
        .build(),
      reason: "covers only part",
    },
    {
      name: "IPv6 target group whose load balancer subnets' IPv6 CIDRs are not in the snapshot: a /56 rule may or may not hold the nodes",
      snapshot: withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" })
        .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: ["0.0.0.0/0"], ipv6: [V6.vpc] }])
        .edit((s) => {
          for (const sub of s.ec2?.Subnets ?? [])
            if (sub.SubnetId === ids.subnet.publicA || sub.SubnetId === ids.subnet.publicB) sub.Ipv6CidrBlockAssociationSet = [];
        })
        .build(),
      reason: "is not known",
    },
  ],
  notApplicable: [
    {
      name: "a Lambda target group has no security groups to check",
      snapshot: healthyAlb()
        .targetGroup({ name: "fn-tg", protocol: "HTTP", port: 80, targetType: "lambda" })
        .editTargetGroup(ids.tg.web, { LoadBalancerArns: [] })
        .edit((s) => {
          const l = s.elbv2.Listeners?.[0] as Record<string, unknown>;
          const fn = (s.elbv2.TargetGroups ?? []).find((t) => t.TargetGroupName === "fn-tg") as Record<string, unknown>;
          l.DefaultActions = [{ Type: "forward", TargetGroupArn: fn.TargetGroupArn, Order: 1 }];
          s.elbv2.Rules = {};
          fn.LoadBalancerArns = [ids.lb.alb];
        })
        .target(tgArn("fn-tg"), { id: "arn:aws:lambda:us-east-1:123456789012:function:web-fn" })
        .build(),
    },
  ],
};
