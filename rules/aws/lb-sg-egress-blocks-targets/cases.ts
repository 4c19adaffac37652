import {
  ALL_EGRESS,
  albBehindNlb,
  awsId,
  CIDR,
  healthyAlb,
  healthyNlb,
  ids,
  lbArn,
  type PermissionSpec,
  tgArn,
  VPC_CIDR,
} from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

export const FRONT_NLB_SG = awsId("sg", "front-nlb");

/** albBehindNlb with a security group on front-nlb (TCP 80 in from anywhere) whose outbound rules are `egress` */
export const albBehindNlbWithSg = (egress: PermissionSpec[] = [ALL_EGRESS]) =>
  albBehindNlb()
    .securityGroup({ id: FRONT_NLB_SG, name: "front-nlb-sg", ingress: [{ port: 80, cidrs: ["0.0.0.0/0"] }], egress })
    .editLb(lbArn("front-nlb", "network"), (lb) => {
      lb.SecurityGroups = [FRONT_NLB_SG];
    });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: the default all-traffic outbound rule", snapshot: healthyAlb().build() },
    {
      name: "outbound narrowed to TCP 80 to the instances' SG (by group id)",
      snapshot: healthyAlb()
        .setEgress(ids.sg.alb, [{ port: 80, groups: [ids.sg.web] }])
        .build(),
    },
    {
      name: "outbound -1 to the VPC CIDR",
      snapshot: healthyAlb()
        .setEgress(ids.sg.alb, [{ protocol: "-1", cidrs: [VPC_CIDR] }])
        .build(),
    },
    {
      name: "traffic on 80 and health checks on 8081, both inside one outbound port range to the VPC",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { HealthCheckPort: "8081" })
        .setEgress(ids.sg.alb, [{ from: 80, to: 8081, cidrs: [VPC_CIDR] }])
        .build(),
    },
    {
      name: "an NLB with a security group in front of an ALB target: outbound TCP 80 to the ALB's security group reaches every ALB node",
      snapshot: albBehindNlbWithSg([{ port: 80, groups: [ids.sg.alb] }]).build(),
    },
    {
      name: "an NLB with a security group in front of an ALB target: outbound TCP 80 to the VPC CIDR holds both ALB subnets",
      snapshot: albBehindNlbWithSg([{ port: 80, cidrs: [VPC_CIDR] }]).build(),
    },
  ],
  invalid: [
    {
      name: "hardening removed web-alb-sg's default outbound rule: no health check leaves the ALB, both targets are unhealthy",
      snapshot: healthyAlb()
        .setEgress(ids.sg.alb, [])
        .allTargets(ids.tg.web, "unhealthy", "Target.Timeout", "Request timed out")
        .describe(
          "Incident: a CIS-hardening script removed the default 'all traffic' outbound rule from every security group, web-alb-sg " +
            "included. web-alb can no longer open connections to its targets: health checks time out, both targets are unhealthy " +
            "(Target.Timeout) and the site answers 503.",
        )
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "outbound allowed only on TCP 443 to anywhere, targets listen on 80",
      snapshot: healthyAlb()
        .setEgress(ids.sg.alb, [{ port: 443, cidrs: ["0.0.0.0/0"] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "outbound to the instances' SG on 80 only, while health checks use 8081",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { HealthCheckPort: "8081" })
        .setEgress(ids.sg.alb, [{ port: 80, groups: [ids.sg.web] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "outbound to private-a's CIDR only: web-2 in private-b is unreachable",
      snapshot: healthyAlb()
        .setEgress(ids.sg.alb, [{ port: 80, cidrs: ["10.0.11.0/24"] }])
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.instance.web2 }],
    },
    {
      name: "an NLB with a security group whose outbound rule reaches only the instances' SG: nothing leaves it for its ALB target",
      snapshot: albBehindNlbWithSg([{ port: 80, groups: [ids.sg.web] }])
        .allTargets(tgArn("alb-tg"), "unhealthy", "Target.Timeout", "Request timed out")
        .build(),
      errors: [{ messageId: "albBlocked", resourceId: ids.lb.alb }],
    },
    {
      name: "an NLB with a security group whose outbound rule holds only public-a: the ALB's node in public-b is unreachable",
      snapshot: albBehindNlbWithSg([{ port: 80, cidrs: [CIDR.publicA] }]).build(),
      errors: [{ messageId: "albBlocked", resourceId: ids.lb.alb }],
    },
  ],
  unknown: [
    {
      name: "outbound only to a prefix list (contents not in the snapshot)",
      snapshot: healthyAlb()
        .setEgress(ids.sg.alb, [{ port: 80, prefixLists: ["pl-0a1b2c3d4e5f60718"] }])
        .build(),
      reason: "prefix list",
    },
    {
      name: "an IP target with no instance in the snapshot, outbound allowed only to a security group",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { TargetType: "ip" })
        .edit((s) => {
          s.elbv2.TargetHealth = { [ids.tg.web]: [] };
        })
        .target(ids.tg.web, { id: "10.0.11.50", az: "us-east-1a" })
        .setEgress(ids.sg.alb, [{ port: 80, groups: [ids.sg.web] }])
        .build(),
      reason: "no instance in the snapshot holds",
    },
    {
      name: "the ALB's security group is not in the snapshot",
      snapshot: healthyAlb().removeSecurityGroup(ids.sg.alb).build(),
      reason: "not in the snapshot",
    },
    {
      name: "an NLB with a security group whose outbound rule holds half of public-a: the ALB node's address there is not known offline",
      snapshot: albBehindNlbWithSg([{ port: 80, cidrs: ["10.0.1.0/25", CIDR.publicB] }]).build(),
      reason: "is not known offline",
    },
    {
      name: "an NLB with a security group in front of an ALB target that is not in the snapshot",
      snapshot: albBehindNlbWithSg([{ port: 80, groups: [ids.sg.alb] }])
        .removeLoadBalancer(ids.lb.alb)
        .build(),
      reason: "is not in the snapshot",
    },
  ],
  notApplicable: [{ name: "an NLB without security groups", snapshot: healthyNlb().build() }],
};
