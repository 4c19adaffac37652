import {
  albBehindNlb,
  awsId,
  CIDR,
  healthyAlb,
  healthyNlb,
  IP,
  ids,
  lbArn,
  network,
  tgArn,
  V6,
  VPC_CIDR,
  withIpv6TargetGroup,
  withSourceIpRule,
} from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const APP_ACL = awsId("acl", "private-app");
const PUBLIC_ACL = awsId("acl", "public-web");
const PRIVATE = [ids.subnet.privateA, ids.subnet.privateB];
const PUBLIC = [ids.subnet.publicA, ids.subnet.publicB];
const ONPREM_IP = "192.168.10.5";

/** An internal NLB in the private subnets whose only target is an IP outside the VPC (on premises: AvailabilityZone "all"). */
function onpremNlb() {
  return network()
    .loadBalancer({
      name: "onprem-nlb",
      type: "network",
      scheme: "internal",
      subnets: [
        { id: ids.subnet.privateA, az: "us-east-1a" },
        { id: ids.subnet.privateB, az: "us-east-1b" },
      ],
    })
    .targetGroup({ name: "onprem-tg", protocol: "TCP", port: 443, targetType: "ip", lbType: "network" })
    .listener({ lb: lbArn("onprem-nlb", "network"), port: 443, protocol: "TCP", forward: tgArn("onprem-tg") })
    .target(tgArn("onprem-tg"), { id: ONPREM_IP, az: "all" });
}

/** A Gateway Load Balancer in the public subnets in front of two appliances in the private subnets (GENEVE 6081, TCP health checks on 80). */
function inspectGwlb() {
  return network()
    .instance({ id: ids.instance.web1, name: "fw-1", subnet: ids.subnet.privateA, ip: IP.web1, az: "us-east-1a", sgs: [] })
    .instance({ id: ids.instance.web2, name: "fw-2", subnet: ids.subnet.privateB, ip: IP.web2, az: "us-east-1b", sgs: [] })
    .loadBalancer({
      name: "inspect-gwlb",
      type: "gateway",
      subnets: [
        { id: ids.subnet.publicA, az: "us-east-1a" },
        { id: ids.subnet.publicB, az: "us-east-1b" },
      ],
    })
    .targetGroup({ name: "appliances-tg", protocol: "GENEVE", port: 6081, lbType: "gateway", healthCheck: { HealthCheckPort: "80" } })
    .editTargetGroup(tgArn("appliances-tg"), { LoadBalancerArns: [lbArn("inspect-gwlb", "gateway")] })
    .target(tgArn("appliances-tg"), { id: ids.instance.web1, az: "us-east-1a" })
    .target(tgArn("appliances-tg"), { id: ids.instance.web2, az: "us-east-1b" });
}

/**
 * healthyNlb made dualstack with an IPv6 target group app6-tg (TCP 80, IP targets: the instances' IPv6 addresses; see
 * withIpv6TargetGroup), and the `::/0` allow entries AWS adds to the default ACL (101, both directions).
 */
const nlbWithIpv6TargetGroup = () =>
  withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" }).naclAllowsIpv6(
    ids.acl.default,
  );

/** Drops the IPv6 CIDRs of the load balancer's (public) subnets from the snapshot: its nodes' IPv6 addresses are not known. */
const noLbIpv6Cidrs = (s: Parameters<Parameters<ReturnType<typeof healthyNlb>["edit"]>[0]>[0]) => {
  for (const sub of s.ec2?.Subnets ?? []) if (PUBLIC.includes(String(sub.SubnetId))) delete sub.Ipv6CidrBlockAssociationSet;
};

/**
 * albBehindNlb with web-alb moved to the private subnets (front-nlb stays in the public ones), its health checks on 81,
 * and the private subnets' ACL admitting 81 from the VPC, 80 only from `v4` (and from the private subnets, for web-alb's own
 * instance targets), and every reply.
 */
export const albInPrivateSubnets = (v4: string[]) =>
  albBehindNlb()
    .editLb(ids.lb.alb, (x) => {
      x.AvailabilityZones = [
        { ZoneName: "us-east-1a", SubnetId: ids.subnet.privateA, LoadBalancerAddresses: [] },
        { ZoneName: "us-east-1b", SubnetId: ids.subnet.privateB, LoadBalancerAddresses: [] },
      ];
    })
    .editTargetGroup(tgArn("alb-tg"), { HealthCheckPort: "81" })
    .nacl({
      id: APP_ACL,
      subnets: PRIVATE,
      entries: [
        { rule: 100, protocol: "tcp", ports: [81, 81], cidr: VPC_CIDR },
        ...v4.map((cidr, i) => ({ rule: 110 + i, protocol: "tcp", ports: [80, 80] as [number, number], cidr })),
        // web-alb's own targets, in the same subnets: its nodes' requests and the replies they get
        { rule: 120, protocol: "tcp", ports: [80, 80], cidr: CIDR.privateA },
        { rule: 121, protocol: "tcp", ports: [80, 80], cidr: CIDR.privateB },
        { rule: 130, protocol: "tcp", ports: [1024, 65535], cidr: VPC_CIDR },
        { rule: 100, egress: true, protocol: "-1", cidr: VPC_CIDR },
        { rule: 110, egress: true, protocol: "tcp", ports: [1024, 65535], cidr: "0.0.0.0/0" },
      ],
    });

/** The attributes of load balancer `arn` were not collected: none in the snapshot, and the 403 DescribeLoadBalancerAttributes answers. */
const lbAttributesNotCollected = (b: ReturnType<typeof albInPrivateSubnets>, arn: string) =>
  b
    .edit((s) => {
      delete s.elbv2.LoadBalancerAttributes?.[arn];
    })
    .gap({
      operation: "elasticloadbalancing:DescribeLoadBalancerAttributes",
      resourceId: arn,
      status: 403,
      code: "AccessDenied",
      message: "not authorized to perform elasticloadbalancing:DescribeLoadBalancerAttributes",
    });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: the default ACL allows everything both ways", snapshot: healthyAlb().build() },
    {
      name: "a custom ACL on the private subnets: 80 in from the VPC, 1024-65535 out to the VPC (the reply path)",
      snapshot: healthyAlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 100, egress: true, protocol: "tcp", cidr: VPC_CIDR, ports: [1024, 65535] },
          ],
        })
        .build(),
    },
    {
      name: "rule-number order: allow 80 from the VPC at 100 wins over deny-all TCP at 200",
      snapshot: healthyAlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 200, protocol: "tcp", action: "deny", cidr: "0.0.0.0/0", ports: [0, 65535] },
            { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
          ],
        })
        .build(),
    },
    {
      name: "denies for another port (22) and another source (192.0.2.0/24) ahead of allow-all",
      snapshot: healthyAlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 50, protocol: "tcp", action: "deny", cidr: "0.0.0.0/0", ports: [22, 22] },
            { rule: 60, protocol: "-1", action: "deny", cidr: "192.0.2.0/24" },
            { rule: 100, protocol: "-1", cidr: "0.0.0.0/0" },
            { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
          ],
        })
        .build(),
    },
    {
      name: "the ephemeral range allowed by two entries (1024-32767 and 32768-65535)",
      snapshot: healthyAlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 100, egress: true, protocol: "tcp", cidr: VPC_CIDR, ports: [1024, 32767] },
            { rule: 110, egress: true, protocol: "tcp", cidr: VPC_CIDR, ports: [32768, 65535] },
          ],
        })
        .build(),
    },
    {
      name: "internal NLB in the targets' own subnet: same-subnet traffic crosses no ACL, even a deny-all one",
      snapshot: healthyNlb()
        .removeLoadBalancer(ids.lb.nlb)
        .loadBalancer({ name: "app-nlb", type: "network", scheme: "internal", subnets: [{ id: ids.subnet.privateA, az: "us-east-1a" }] })
        .tgAttribute(ids.tg.app, "preserve_client_ip.enabled", "false")
        .edit((s) => {
          s.elbv2.TargetHealth = { [ids.tg.app]: (s.elbv2.TargetHealth?.[ids.tg.app] ?? []).slice(0, 1) };
        })
        .nacl({ id: APP_ACL, subnets: [ids.subnet.privateA], entries: [] })
        .build(),
    },
    {
      name: "NLB preserving client IPs: the target subnets admit only one partner range on 80 (an allow-list)",
      snapshot: healthyNlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 110, protocol: "tcp", cidr: "203.0.113.0/24", ports: [80, 80] },
            { rule: 100, egress: true, protocol: "tcp", cidr: "0.0.0.0/0", ports: [1024, 65535] },
          ],
        })
        .build(),
    },
    {
      name: "GWLB appliances: UDP 6081 both ways and the TCP health-check replies allowed; no UDP ephemeral range (GENEVE comes back to 6081)",
      snapshot: inspectGwlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "udp", cidr: VPC_CIDR, ports: [6081, 6081] },
            { rule: 110, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 100, egress: true, protocol: "udp", cidr: VPC_CIDR, ports: [6081, 6081] },
            { rule: 110, egress: true, protocol: "tcp", cidr: VPC_CIDR, ports: [1024, 65535] },
          ],
        })
        .build(),
    },
    {
      name: "IPv6 target group: the default ACL's ::/0 entries let the NLB's IPv6 health checks and traffic through",
      snapshot: nlbWithIpv6TargetGroup().build(),
    },
    {
      name: "dualstack NLB whose listener rule sends IPv4 clients to the IPv6 target group, the targets' ACL admits 80 over IPv4 only from the VPC: app-tg gets IPv6 clients alone, from the NLB's nodes",
      snapshot: withSourceIpRule(
        nlbWithIpv6TargetGroup()
          .nacl({
            id: APP_ACL,
            subnets: PRIVATE,
            entries: [
              { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
              { rule: 100, egress: true, protocol: "tcp", cidr: "0.0.0.0/0", ports: [1024, 65535] },
            ],
          })
          .naclAllowsIpv6(APP_ACL),
        ids.lb.nlb,
        80,
        { priority: 5, ipAddressType: "ipv4", forward: tgArn("app6-tg") },
      ).build(),
    },
  ],
  invalid: [
    {
      name: "a custom ACL on the private subnets allows 80 in but no ephemeral ports out: every health-check reply is dropped",
      snapshot: healthyAlb()
        .nacl({
          id: APP_ACL,
          name: "private-app-acl",
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 110, protocol: "tcp", cidr: VPC_CIDR, ports: [22, 22] },
            { rule: 100, egress: true, protocol: "tcp", cidr: "0.0.0.0/0", ports: [443, 443] },
            { rule: 110, egress: true, protocol: "tcp", cidr: "0.0.0.0/0", ports: [80, 80] },
          ],
        })
        .allTargets(ids.tg.web, "unhealthy", "Target.Timeout", "Request timed out")
        .describe(
          "Incident: a network team attached a custom ACL, private-app-acl, to the private subnets. It allows HTTP and SSH in from the " +
            "VPC and HTTP/HTTPS out for package updates, but network ACLs are stateless: the replies to web-alb's nodes go out on " +
            "ephemeral ports 1024-65535, which nothing allows. Every health check times out, both targets are unhealthy (Target.Timeout).",
        )
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.instance.web1 },
        { messageId: "blocked", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "a deny for the first ALB subnet at 90 ahead of the allow at 100 (first match wins)",
      snapshot: healthyAlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 90, protocol: "-1", action: "deny", cidr: CIDR.publicA },
            { rule: 100, protocol: "-1", cidr: "0.0.0.0/0" },
            { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
          ],
        })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "only the Linux ephemeral range 32768-65535 is allowed out: ports 1024-32767 are dropped",
      snapshot: healthyAlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 100, egress: true, protocol: "tcp", cidr: VPC_CIDR, ports: [32768, 65535] },
          ],
        })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "the public subnets' ACL admits only 80/443 from the internet: the targets' replies cannot come back in",
      snapshot: healthyAlb()
        .nacl({
          id: PUBLIC_ACL,
          subnets: PUBLIC,
          entries: [
            { rule: 100, protocol: "tcp", cidr: "0.0.0.0/0", ports: [80, 80] },
            { rule: 110, protocol: "tcp", cidr: "0.0.0.0/0", ports: [443, 443] },
            { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
          ],
        })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "health checks on 8081, the private ACL admits only 80",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { HealthCheckPort: "8081" })
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 100, egress: true, protocol: "tcp", cidr: VPC_CIDR, ports: [1024, 65535] },
          ],
        })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "NLB preserving client IPs: the target subnets admit 80 only from the VPC, so clients never get in",
      snapshot: healthyNlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 100, egress: true, protocol: "tcp", cidr: "0.0.0.0/0", ports: [1024, 65535] },
          ],
        })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "an IP target outside the VPC (AvailabilityZone all): the NLB's own subnets let nothing out but the VPC",
      snapshot: onpremNlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "-1", cidr: "0.0.0.0/0" },
            { rule: 100, egress: true, protocol: "-1", cidr: VPC_CIDR },
          ],
        })
        .build(),
      errors: [{ messageId: "blocked", resourceId: ONPREM_IP }],
    },
    {
      name: "NLB UDP target group, attributes not collected: client IP preservation is always on for UDP, so clients are blocked",
      snapshot: healthyNlb()
        .editTargetGroup(ids.tg.app, { Protocol: "UDP" })
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "-1", cidr: VPC_CIDR },
            { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
          ],
        })
        .tgAttributesNotCollected(ids.tg.app, { operation: "elbv2:DescribeTargetGroupAttributes" })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "IPv6 target group: the targets' subnets use an ACL written for IPv4 (no Ipv6CidrBlock entry), so every IPv6 packet meets the implicit deny",
      snapshot: nlbWithIpv6TargetGroup()
        .nacl({
          id: APP_ACL,
          name: "private-app",
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "-1", cidr: "0.0.0.0/0" },
            { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
          ],
        })
        .build(),
      errors: [
        { messageId: "blocked", resourceId: V6.web1 },
        { messageId: "blocked", resourceId: V6.web2 },
      ],
    },
    {
      name: "IPv6 target group, the NLB's subnets carry no IPv6 CIDR in the snapshot: the targets' ACL has no IPv6 entry, so its implicit deny blocks every IPv6 address the nodes may hold",
      snapshot: nlbWithIpv6TargetGroup()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "-1", cidr: "0.0.0.0/0" },
            { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
          ],
        })
        .edit(noLbIpv6Cidrs)
        .build(),
      errors: [
        { messageId: "blocked", resourceId: V6.web1 },
        { messageId: "blocked", resourceId: V6.web2 },
      ],
    },
    {
      name: "an ALB target in the private subnets, whose ACL admits the health-check port 81 only from the office: the NLB's health checks reach the ALB over IPv4 from the NLB's public subnets and are dropped",
      snapshot: albInPrivateSubnets(["198.51.100.0/24"])
        .naclEntry(APP_ACL, { rule: 100, protocol: "tcp", ports: [81, 81], cidr: "198.51.100.0/24" })
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.lb.alb }],
    },
    {
      name: "an ALB target of a dualstack NLB, the ALB subnets' ACL admits 80 only from the office's IPv4 range: IPv6 clients reach the ALB over IPv4 from the NLB's public subnets and are dropped",
      snapshot: albInPrivateSubnets(["198.51.100.0/24"])
        .editLb(lbArn("front-nlb", "network"), (x) => {
          x.IpAddressType = "dualstack";
        })
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.lb.alb }],
    },
  ],
  unknown: [
    {
      name: "NLB target group attributes not collected: the ACL admits only the VPC, which is enough unless the NLB preserves client IPs",
      snapshot: healthyNlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 100, egress: true, protocol: "tcp", cidr: VPC_CIDR, ports: [1024, 65535] },
          ],
        })
        .tgAttributesNotCollected(ids.tg.app, { operation: "elbv2:DescribeTargetGroupAttributes" })
        .build(),
      reason: "preserve_client_ip.enabled",
    },
    {
      name: "network ACLs were not collected",
      snapshot: healthyAlb()
        .edit((s) => {
          if (s.ec2) delete s.ec2.NetworkAcls;
        })
        .gap({
          operation: "ec2:DescribeNetworkAcls",
          status: 403,
          code: "UnauthorizedOperation",
          message: "You are not authorized to perform this operation.",
        })
        .build(),
      reason: "UnauthorizedOperation",
    },
    {
      name: "an inbound deny covers half of the first ALB subnet: whether it holds the node's address is not known",
      snapshot: healthyAlb()
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 90, protocol: "-1", action: "deny", cidr: "10.0.1.128/25" },
            { rule: 100, protocol: "-1", cidr: "0.0.0.0/0" },
            { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
          ],
        })
        .build(),
      reason: "not known offline",
    },
    {
      name: "an IP target outside the VPC (AvailabilityZone all), the NLB's subnets open: its own side is not in the snapshot",
      snapshot: onpremNlb().build(),
      reason: "outside the VPC",
    },
    {
      name: "the targets' subnets are not in the snapshot",
      snapshot: healthyAlb().removeSubnet(ids.subnet.privateA).removeSubnet(ids.subnet.privateB).build(),
      reason: "not in the snapshot",
    },
    {
      name: "IPv6 target group, the NLB's subnets carry no IPv6 CIDR in the snapshot, the ACLs allow ::/0: the nodes' IPv6 addresses are not known, so no pass",
      snapshot: nlbWithIpv6TargetGroup().edit(noLbIpv6Cidrs).build(),
      reason: "IPv6 address of app-nlb's node in",
    },
    {
      name: "dualstack NLB whose listener rules were not collected, health checks on 8081, the targets' ACL admits 80 only from the office: a rule may send IPv6 clients elsewhere, or they arrive from the NLB's nodes and are dropped",
      snapshot: nlbWithIpv6TargetGroup()
        .editTargetGroup(ids.tg.app, { HealthCheckPort: "8081" })
        .nacl({
          id: APP_ACL,
          subnets: PRIVATE,
          entries: [
            { rule: 100, protocol: "tcp", cidr: "198.51.100.0/24", ports: [80, 80] },
            { rule: 110, protocol: "tcp", cidr: VPC_CIDR, ports: [8081, 8081] },
            { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
          ],
        })
        .edit((s) => {
          // the health-check port DescribeTargetHealth reports
          for (const d of s.elbv2.TargetHealth?.[ids.tg.app] ?? []) d.HealthCheckPort = "8081";
        })
        // IPv6 let through both ways for app6-tg (rule 101)
        .naclAllowsIpv6(APP_ACL)
        .listenerRulesNotCollected(ids.lb.nlb, 80)
        .build(),
      reason: "were not collected",
    },
    {
      name: "an ALB target of an NLB that is not in the snapshot: its subnets, and so its network ACLs, are not known",
      snapshot: albBehindNlb().removeLoadBalancer(ids.lb.alb).build(),
      reason: "not in the snapshot",
    },
    {
      name: "an ALB target of an NLB whose attributes were not collected, the ACLs open: its cross-zone setting decides which NLB nodes reach which ALB nodes, so no pass",
      snapshot: lbAttributesNotCollected(albInPrivateSubnets(["0.0.0.0/0"]), lbArn("front-nlb", "network")).build(),
      reason: "DescribeLoadBalancerAttributes",
    },
    {
      name: "an ALB target whose own attributes were not collected, the ACLs open: the finding is about it, so no pass",
      snapshot: lbAttributesNotCollected(albInPrivateSubnets(["0.0.0.0/0"]), ids.lb.alb).build(),
      reason: "DescribeLoadBalancerAttributes",
    },
  ],
  notApplicable: [
    {
      name: "a Lambda target sits in no subnet",
      snapshot: healthyAlb()
        .targetGroup({ name: "fn-tg", protocol: "HTTP", port: 80, targetType: "lambda" })
        .editTargetGroup(ids.tg.web, { LoadBalancerArns: [] })
        .listener({ lb: lbArn("web-alb"), port: 80, protocol: "HTTP", forward: tgArn("fn-tg") })
        .target(tgArn("fn-tg"), { id: "arn:aws:lambda:us-east-1:123456789012:function:web-fn" })
        .build(),
    },
  ],
};
