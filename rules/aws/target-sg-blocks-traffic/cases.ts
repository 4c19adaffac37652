import {
  ALL_EGRESS,
  albBehindNlb,
  awsId,
  CIDR,
  healthyAlb,
  healthyNlb,
  IP,
  ids,
  lbArn,
  listenerArn,
  tgArn,
  V6,
  VPC_CIDR,
  withIpv6TargetGroup,
  withSourceIpRule,
} from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const NLB_SG = awsId("sg", "app-nlb-lb");

/** healthyNlb with a security group on the NLB itself */
const nlbWithSg = () =>
  healthyNlb()
    .securityGroup({ id: NLB_SG, name: "app-nlb-sg", ingress: [{ port: 80, cidrs: ["0.0.0.0/0"] }], egress: [ALL_EGRESS] })
    .lbSecurityGroups(ids.lb.nlb, [NLB_SG]);

/** NLB target group attributes not collected (DescribeTargetGroupAttributes denied) */
const noTgAttributes = (b: ReturnType<typeof healthyNlb>) =>
  b.tgAttributesNotCollected(ids.tg.app, { operation: "elbv2:DescribeTargetGroupAttributes" });

/** An office's IPv4 range (TEST-NET-2): the only client range some targets admit. */
const OFFICE = "198.51.100.0/24";

/**
 * `b` (healthyNlb by default) made dualstack by withIpv6TargetGroup: its port-80 listener still sends every client, IPv4
 * and IPv6, to the IPv4 group app-tg (instance targets, client IP preservation on by default), and a port-8080 listener
 * serves the IPv6 group app6-tg. The targets' SG admits app6-tg's traffic (the nodes' IPv6 subnets) and, on 80 over
 * IPv4, only `v4`.
 */
const dualstackNlb = (v4: string[], b = healthyNlb()) =>
  withIpv6TargetGroup(b, ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" }).setIngress(ids.sg.nlbApp, [
    { port: 80, cidrs: v4, ipv6: [V6.subnet[ids.subnet.publicA] as string, V6.subnet[ids.subnet.publicB] as string] },
  ]);

/** A listener rule on app-nlb's port-80 listener that sends IPv6 clients to app6-tg (an NLB's source IP address type condition). */
const ipv6RuleToApp6 = (s: Parameters<Parameters<ReturnType<typeof healthyNlb>["edit"]>[0]>[0]) => {
  const arn = listenerArn(ids.lb.nlb, 80);
  const rules = s.elbv2.Rules ?? {};
  rules[arn] = [
    {
      RuleArn: `${arn.replace(":listener/", ":listener-rule/")}/0a1b2c3d4e5f6071`,
      Priority: "10",
      Conditions: [{ Field: "source-ip", SourceIpConfig: { IpAddressType: "ipv6" } }],
      Actions: [{ Type: "forward", TargetGroupArn: tgArn("app6-tg"), Order: 1 }],
      IsDefault: false,
    },
    ...(rules[arn] ?? []),
  ];
  s.elbv2.Rules = rules;
};

/** albBehindNlb with front-nlb dualstack, the ALB's SG admitting 80 only from `v4` (IPv4 ranges). */
const albBehindDualstackNlb = (v4: string[]) =>
  albBehindNlb()
    .editLb(lbArn("front-nlb", "network"), (x) => {
      x.IpAddressType = "dualstack";
    })
    .setIngress(ids.sg.alb, [{ port: 80, cidrs: v4 }]);

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: the instance SG allows 80 from the ALB's SG by group id", snapshot: healthyAlb().build() },
    {
      name: "a -1 (all traffic) rule from the ALB's SG",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ protocol: "-1", groups: [ids.sg.alb] }])
        .build(),
    },
    {
      name: "a port range 80-443 from the ALB's SG",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ from: 80, to: 443, groups: [ids.sg.alb] }])
        .build(),
    },
    { name: "NLB preserving client IPs: the targets allow 80 from anywhere", snapshot: healthyNlb().build() },
    {
      name: "NLB preserving client IPs: an allow-list of one partner range is restricted, not blocked",
      snapshot: healthyNlb()
        .setIngress(ids.sg.nlbApp, [
          { port: 80, cidrs: ["203.0.113.0/24"] },
          { port: 80, cidrs: [CIDR.publicA, CIDR.publicB] },
        ])
        .build(),
    },
    {
      name: "NLB with a security group: the targets reference it, which matches even with client IP preservation on",
      snapshot: nlbWithSg()
        .setIngress(ids.sg.nlbApp, [{ port: 80, groups: [NLB_SG] }])
        .build(),
    },
    {
      name: "a TCP_UDP IP target group (client IPs always preserved) with a -1 rule from anywhere allows both protocols",
      snapshot: healthyNlb()
        .editTargetGroup(ids.tg.app, { Protocol: "TCP_UDP" })
        .tgAttribute(ids.tg.app, "preserve_client_ip.enabled", null)
        .editTargetGroup(ids.tg.app, { TargetType: "ip" })
        .target(ids.tg.app, { id: IP.web1, az: "us-east-1a" })
        .edit((s) => {
          const th = s.elbv2.TargetHealth?.[ids.tg.app] ?? [];
          s.elbv2.TargetHealth = { ...s.elbv2.TargetHealth, [ids.tg.app]: th.filter((d) => (d.Target as { Id: string }).Id === IP.web1) };
        })
        .setIngress(ids.sg.nlbApp, [{ protocol: "-1", cidrs: ["0.0.0.0/0"] }])
        .build(),
    },
    {
      name: "an ALB target of an NLB: the ALB's security group admits 80 from anywhere (the clients it sees)",
      snapshot: albBehindNlb().build(),
    },
    {
      name: "IPv6 target group (IP targets on the instances' IPv6 addresses): the instance SG allows 80 from the ALB's SG, which matches IPv6 traffic too",
      snapshot: withIpv6TargetGroup(healthyAlb(), ids.lb.alb, { name: "web6-tg", protocol: "HTTP", port: 80 }).build(),
    },
    {
      name: "IPv6 target group of an NLB that preserves client IPs: the targets' SG allows 80 from ::/0 (IPv6 clients, and the nodes for IPv4 clients)",
      snapshot: withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" })
        .tgAttribute(tgArn("app6-tg"), "preserve_client_ip.enabled", "true")
        .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: ["0.0.0.0/0"], ipv6: ["::/0"] }])
        .build(),
    },
    {
      name: "dualstack NLB, IPv4 target group preserving client IPs, targets' SG allows 80 from 0.0.0.0/0: IPv4 clients keep their addresses, IPv6 clients arrive from the NLB's private IPv4 addresses, which it covers",
      snapshot: dualstackNlb(["0.0.0.0/0"]).build(),
    },
    {
      name: "dualstack NLB whose listener rule sends IPv6 clients to an IPv6 target group: the IPv4 group sees IPv4 clients alone, so an office allow-list is restricted, not blocked",
      snapshot: dualstackNlb([OFFICE]).edit(ipv6RuleToApp6).build(),
    },
    {
      name: "dualstack NLB, IPv4 target group preserving client IPs: the targets allow the office and the NLB's subnets (IPv6 clients arrive from its nodes)",
      snapshot: dualstackNlb([OFFICE, CIDR.publicA, CIDR.publicB]).build(),
    },
    {
      name: "dualstack NLB whose listener rule sends IPv4 clients to another target group, targets' SG admits only the NLB's subnets over IPv4: app-tg gets IPv6 clients alone, from the NLB's nodes",
      snapshot: withSourceIpRule(dualstackNlb([CIDR.publicA, CIDR.publicB]), ids.lb.nlb, 80, {
        priority: 5,
        ipAddressType: "ipv4",
        forward: tgArn("app6-tg"),
      }).build(),
    },
    {
      name: "an ALB target of a dualstack NLB whose listener rule sends IPv4 clients to another target group, the ALB's SG admits only the NLB's subnets: the ALB sees IPv6 clients alone, from the NLB's nodes",
      snapshot: withSourceIpRule(
        albBehindDualstackNlb([CIDR.publicA, CIDR.publicB]).targetGroup({ name: "v4-tg", protocol: "TCP", port: 80, lbType: "network" }),
        lbArn("front-nlb", "network"),
        80,
        { priority: 5, ipAddressType: "ipv4", forward: tgArn("v4-tg") },
      ).build(),
    },
    {
      name: "IPv6 target group preserving client IPs that the listener rules give IPv6 clients alone, targets' SG admits IPv6 only from one range: an allow-list, not a block of the NLB's nodes (which carry IPv4 clients elsewhere)",
      snapshot: withSourceIpRule(
        withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" })
          .tgAttribute(tgArn("app6-tg"), "preserve_client_ip.enabled", "true")
          .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: ["0.0.0.0/0"], ipv6: ["2001:db8:100::/48"] }])
          .edit(ipv6RuleToApp6),
        ids.lb.nlb,
        8080,
        { priority: 5, ipAddressType: "ipv4", forward: ids.tg.app },
      ).build(),
    },
  ],
  invalid: [
    {
      name: "the app moved to 8080 with a health endpoint on 8081; the SG allows only 8081: targets are healthy but every request times out (504)",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { Port: 8080, HealthCheckPort: "8081", HealthCheckPath: "/healthz" })
        .target(ids.tg.web, { id: ids.instance.web1, port: 8080, az: "us-east-1a" })
        .target(ids.tg.web, { id: ids.instance.web2, port: 8080, az: "us-east-1b" })
        .setIngress(ids.sg.web, [{ port: 8081, groups: [ids.sg.alb], description: "health checks from web-alb" }])
        .describe(
          "Incident: the web app was moved to port 8080 with a health endpoint on 8081. web-instance-sg was updated for 8081 only, so " +
            "web-alb's health checks pass and both targets are healthy, but every request to port 8080 is dropped and clients get 504 Gateway Timeout.",
        )
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "NLB preserving client IPs: the targets allow only the NLB subnets (health checks pass, clients are dropped)",
      snapshot: healthyNlb()
        .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: [CIDR.publicA, CIDR.publicB] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "a UDP target group whose targets allow only TCP on the port",
      snapshot: healthyNlb()
        .editTargetGroup(ids.tg.app, { Protocol: "UDP", Port: 53 })
        .target(ids.tg.app, { id: ids.instance.web1, port: 53, az: "us-east-1a" })
        .target(ids.tg.app, { id: ids.instance.web2, port: 53, az: "us-east-1b" })
        .setIngress(ids.sg.nlbApp, [{ port: 53, cidrs: ["0.0.0.0/0"] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "the rule references another group (the bastion's), not the ALB's",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ port: 80, groups: [awsId("sg", "bastion")] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "internal NLB preserving client IPs: the targets allow only SSH",
      snapshot: healthyNlb()
        .editLb(ids.lb.nlb, (lb) => {
          lb.Scheme = "internal";
        })
        .setIngress(ids.sg.nlbApp, [{ port: 22, cidrs: ["10.0.0.0/16"] }])
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "an ALB target of an internet-facing NLB: the ALB's security group admits only the VPC, but it sees the clients' addresses",
      snapshot: albBehindNlb()
        .setIngress(ids.sg.alb, [{ port: 80, cidrs: [VPC_CIDR] }])
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.lb.alb }],
    },
    {
      name: "NLB UDP target group, attributes not collected: client IPs are always preserved for UDP, and the SG admits only the VPC",
      snapshot: noTgAttributes(
        healthyNlb()
          .editTargetGroup(ids.tg.app, { Protocol: "UDP" })
          .setIngress(ids.sg.nlbApp, [{ protocol: "udp", port: 80, cidrs: [VPC_CIDR] }]),
      ).build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "IPv6 target group of an NLB without security groups, targets' SG open on 0.0.0.0/0 only: the NLB's IPv6 traffic is dropped",
      snapshot: withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" }).build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "IPv6 target group of an NLB that preserves client IPs, targets' SG allows the NLB subnets' IPv6 CIDRs only: IPv6 clients keep their own addresses and are dropped",
      snapshot: withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" })
        .tgAttribute(tgArn("app6-tg"), "preserve_client_ip.enabled", "true")
        .setIngress(ids.sg.nlbApp, [
          { port: 80, cidrs: ["0.0.0.0/0"], ipv6: [V6.subnet[ids.subnet.publicA] as string, V6.subnet[ids.subnet.publicB] as string] },
        ])
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "dualstack NLB, IPv4 target group preserving client IPs, targets' SG allows 80 only from the office's IPv4 range: IPv6 clients arrive from the NLB's node addresses and are dropped",
      snapshot: dualstackNlb([OFFICE]).build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "dualstack NLB with a security group, IPv4 target group preserving client IPs, targets' SG allows only the office: the fix references the NLB's security group",
      snapshot: dualstackNlb([OFFICE], nlbWithSg()).build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "an ALB target of a dualstack NLB, the ALB's SG admits 80 only from the office's IPv4 range: IPv6 clients reach the ALB over IPv4 from the NLB's node addresses and are dropped",
      snapshot: albBehindDualstackNlb([OFFICE]).build(),
      errors: [{ messageId: "blocked", resourceId: ids.lb.alb }],
    },
  ],
  unknown: [
    {
      name: "the only rule on port 80 allows a prefix list (contents not in the snapshot)",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ port: 80, prefixLists: ["pl-0f1e2d3c4b5a69788"] }])
        .build(),
      reason: "prefix list",
    },
    {
      name: "an IP target whose address no instance in the snapshot holds",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { TargetType: "ip" })
        .edit((s) => {
          s.elbv2.TargetHealth = { [ids.tg.web]: [] };
        })
        .target(ids.tg.web, { id: "10.0.11.50", az: "us-east-1a" })
        .build(),
      reason: "no instance in the snapshot holds",
    },
    {
      name: "an IP target outside the VPC (AvailabilityZone all): its security groups are not the VPC's to read",
      snapshot: healthyNlb()
        .targetGroup({ name: "onprem-tg", protocol: "TCP", port: 443, targetType: "ip", lbType: "network" })
        .listener({ lb: ids.lb.nlb, port: 443, protocol: "TCP", forward: tgArn("onprem-tg") })
        .target(tgArn("onprem-tg"), { id: "192.168.10.5", az: "all" })
        .build(),
      reason: "outside the VPC",
    },
    {
      name: "an ALB target of an NLB that is not in the snapshot: its security groups are not known",
      snapshot: albBehindNlb().removeLoadBalancer(ids.lb.alb).build(),
      reason: "not in the snapshot",
    },
    {
      name: "the instances' security group is not in the snapshot",
      snapshot: healthyAlb().removeSecurityGroup(ids.sg.web).build(),
      reason: "not in the snapshot",
    },
    {
      name: "NLB target group attributes not collected: the default client IP preservation may be off, and the SG admits only the VPC",
      snapshot: healthyNlb()
        .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: [VPC_CIDR] }])
        .tgAttributesNotCollected(ids.tg.app, { operation: "elbv2:DescribeTargetGroupAttributes" })
        .build(),
      reason: "preserve_client_ip.enabled",
    },
    {
      name: "dualstack NLB whose listener rules were not collected, targets' SG allows only the office: a rule may send IPv6 clients elsewhere, or they arrive from the NLB's nodes and are dropped",
      snapshot: dualstackNlb([OFFICE]).listenerRulesNotCollected(ids.lb.nlb, 80).build(),
      reason: "were not collected",
    },
    {
      name: "an ALB target of a dualstack NLB whose listener rules were not collected, the ALB's SG admits only the office: a rule may send IPv6 clients elsewhere, or they arrive from the NLB's nodes and are dropped",
      snapshot: albBehindDualstackNlb([OFFICE]).listenerRulesNotCollected(lbArn("front-nlb", "network"), 80).build(),
      reason: "were not collected",
    },
    {
      name: "dualstack NLB whose listener rules were not collected, targets' SG admits only the NLB's subnets over IPv4: a rule may send IPv4 clients elsewhere, or they keep their addresses and are dropped",
      snapshot: dualstackNlb([CIDR.publicA, CIDR.publicB]).listenerRulesNotCollected(ids.lb.nlb, 80).build(),
      reason:
        "IPv4 clients of the dualstack NLB app-nlb reach app-tg unless a listener rule sends them to another target group, and the rules of listener",
    },
    {
      name: "an ALB target of an NLB whose attributes were not collected, the ALB's SG open to anywhere: its cross-zone setting decides which NLB nodes reach the ALB, so no pass",
      snapshot: albBehindNlb()
        .edit((s) => {
          delete s.elbv2.LoadBalancerAttributes?.[lbArn("front-nlb", "network")];
        })
        .gap({
          operation: "elasticloadbalancing:DescribeLoadBalancerAttributes",
          resourceId: lbArn("front-nlb", "network"),
          status: 403,
          code: "AccessDenied",
          message: "not authorized to perform elasticloadbalancing:DescribeLoadBalancerAttributes",
        })
        .build(),
      reason: "DescribeLoadBalancerAttributes",
    },
  ],
  notApplicable: [
    {
      name: "a Lambda target has no security groups",
      snapshot: healthyAlb()
        .targetGroup({ name: "fn-tg", protocol: "HTTP", port: 80, targetType: "lambda" })
        .editTargetGroup(ids.tg.web, { LoadBalancerArns: [] })
        .listener({ lb: ids.lb.alb, port: 80, protocol: "HTTP", forward: tgArn("fn-tg") })
        .target(tgArn("fn-tg"), { id: "arn:aws:lambda:us-east-1:123456789012:function:web-fn" })
        .build(),
    },
  ],
};
