import {
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
  withIpv6TargetGroup,
} from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const NLB = lbArn("orders-nlb", "network");
const TG = tgArn("orders-tg");
const SG = awsId("sg", "orders");
const NODE_A = "10.0.11.50";
const NODE_B = "10.0.12.50";
const db = { remote: "10.0.21.5:5432", state: "ESTAB" };

/**
 * An internal NLB (orders-nlb, TCP 8080) in the two private subnets, in front of two instance targets (client IP
 * preservation on: the default for instance targets), with its node addresses listed when `addresses` is set.
 */
function internalNlb(addresses = true) {
  return network()
    .securityGroup({ id: SG, name: "orders-sg", ingress: [{ port: 8080, cidrs: [CIDR.privateA, CIDR.privateB] }] })
    .instance({ id: ids.instance.web1, name: "orders-1", subnet: ids.subnet.privateA, ip: IP.web1, az: "us-east-1a", sgs: [SG] })
    .instance({ id: ids.instance.web2, name: "orders-2", subnet: ids.subnet.privateB, ip: IP.web2, az: "us-east-1b", sgs: [SG] })
    .loadBalancer({
      name: "orders-nlb",
      type: "network",
      scheme: "internal",
      subnets: [
        { id: ids.subnet.privateA, az: "us-east-1a" },
        { id: ids.subnet.privateB, az: "us-east-1b" },
      ],
    })
    .editLb(NLB, (lb) => {
      if (!addresses) return;
      const zones = lb.AvailabilityZones as Array<Record<string, unknown>>;
      [NODE_A, NODE_B].forEach((ip, i) => {
        const z = zones[i];
        if (z) z.LoadBalancerAddresses = [{ PrivateIPv4Address: ip }];
      });
    })
    .targetGroup({ name: "orders-tg", protocol: "TCP", port: 8080, lbType: "network" })
    .listener({ lb: NLB, port: 8080, protocol: "TCP", forward: TG })
    .target(TG, { id: ids.instance.web1, az: "us-east-1a" })
    .target(TG, { id: ids.instance.web2, az: "us-east-1b" });
}

const TG6 = tgArn("orders6-tg");
/** the NLB nodes' IPv6 addresses, in the private subnets' IPv6 CIDRs */
const NODE_A6 = String(V6.subnet[ids.subnet.privateA]).replace("::/64", "::50");
const NODE_B6 = String(V6.subnet[ids.subnet.privateB]).replace("::/64", "::50");

/**
 * internalNlb made dualstack by withIpv6TargetGroup, its nodes listing their IPv6 addresses too. `group` "ipv6": the 8080
 * listener forwards to the IPv6 group orders6-tg (IP targets: the instances' IPv6 addresses) with client IP preservation
 * turned on, and orders-tg stays attached with preservation off; "ipv4": the listener forwards to orders-tg again (instance
 * targets, preservation on by default), orders6-tg keeping its default (off for IP targets over TCP).
 */
function dualstackInternalNlb(group: "ipv4" | "ipv6") {
  const b = withIpv6TargetGroup(internalNlb(), NLB, { name: "orders6-tg", protocol: "TCP", port: 8080, lbType: "network" }).editLb(
    NLB,
    (lb) => {
      const zones = lb.AvailabilityZones as Array<Record<string, unknown>>;
      [
        [NODE_A, NODE_A6],
        [NODE_B, NODE_B6],
      ].forEach(([v4, v6], i) => {
        const z = zones[i];
        if (z) z.LoadBalancerAddresses = [{ PrivateIPv4Address: v4, IPv6Address: v6 }];
      });
    },
  );
  return group === "ipv6"
    ? b.tgAttribute(TG, "preserve_client_ip.enabled", "false").tgAttribute(TG6, "preserve_client_ip.enabled", "true")
    : b.listener({ lb: NLB, port: 8080, protocol: "TCP", forward: TG });
}

export const cases: RuleCases = {
  valid: [
    {
      name: "guest check: both targets talk to their database, not to their own NLB",
      snapshot: internalNlb()
        .guest(ids.instance.web1, { connections: [db] })
        .guest(ids.instance.web2, { connections: [db] })
        .build(),
    },
    {
      name: "client IP preservation turned off: a target calling the NLB gets through",
      snapshot: internalNlb().tgAttribute(TG, "preserve_client_ip.enabled", "false").build(),
    },
    {
      name: "IP targets over TCP: preservation is off by default",
      snapshot: internalNlb()
        .targetGroup({ name: "orders-tg", protocol: "TCP", port: 8080, targetType: "ip", lbType: "network" })
        .tgAttribute(TG, "preserve_client_ip.enabled", null)
        .edit((s) => {
          if (s.elbv2.TargetHealth) s.elbv2.TargetHealth[TG] = [];
        })
        .target(TG, { id: IP.web1 })
        .target(TG, { id: IP.web2 })
        .build(),
    },
    {
      name: "a guest connection to the NLB's address on a port no listener serves",
      snapshot: internalNlb()
        .guest(ids.instance.web1, { connections: [{ remote: `${NODE_A}:22`, state: "SYN-SENT" }] })
        .guest(ids.instance.web2, { connections: [] })
        .build(),
    },
    {
      name: "dualstack NLB, IPv4 target group: orders-1 calls the NLB's IPv6 address, and an IPv6 call reaches an IPv4 target from the NLB's own address (no loop)",
      snapshot: dualstackInternalNlb("ipv4")
        .guest(ids.instance.web1, { connections: [db, { remote: `[${NODE_B6}]:8080`, state: "ESTAB" }] })
        .guest(ids.instance.web2, { connections: [db] })
        .build(),
    },
    {
      name: "dualstack NLB, IPv6 target group preserving client IPs: orders-1 calls the NLB's IPv4 address, and an IPv4 call reaches an IPv6 target from the NLB's own address (no loop)",
      snapshot: dualstackInternalNlb("ipv6")
        .guest(ids.instance.web1, { connections: [db, { remote: `${NODE_B}:8080`, state: "ESTAB" }] })
        .guest(ids.instance.web2, { connections: [db] })
        .build(),
    },
  ],
  invalid: [
    {
      name: "orders-1 calls the orders API through its own internal NLB and times out now and then",
      snapshot: internalNlb()
        .guest(ids.instance.web1, { connections: [db, { remote: `${NODE_B}:8080`, local: `${IP.web1}:41822`, state: "SYN-SENT" }] })
        .guest(ids.instance.web2, { connections: [db] })
        .describe(
          "Incident: the order service's batch job on orders-1 calls the orders API through orders-nlb (internal, instance targets, " +
            "client IP preservation on by default). About half of its calls time out: those the NLB sends back to orders-1 itself, " +
            "whose reply never leaves the instance.",
        )
        .build(),
      errors: [{ messageId: "seen", resourceId: ids.instance.web1, severity: "high" }],
    },
    {
      name: "--from orders-2 (by Name tag): a declared caller; orders-1 has no guest data (a risk)",
      snapshot: internalNlb().build(),
      context: { from: ["orders-2"] },
      errors: [
        { messageId: "declared", resourceId: ids.instance.web2, severity: "high" },
        { messageId: "risk", resourceId: TG, severity: "low" },
      ],
    },
    {
      name: "no guest data and no --from: the risk alone (low)",
      snapshot: internalNlb().build(),
      errors: [{ messageId: "risk", resourceId: TG, severity: "low" }],
    },
    {
      name: "node addresses not listed: a connection to an address of the NLB's subnet on the listener port that no instance holds",
      snapshot: internalNlb(false)
        .guest(ids.instance.web1, { connections: [{ remote: "10.0.12.77:8080", state: "ESTAB" }] })
        .guest(ids.instance.web2, { connections: [{ remote: `${IP.web1}:8080`, state: "ESTAB" }] })
        .build(),
      errors: [{ messageId: "seen", resourceId: ids.instance.web1 }],
    },
    {
      name: "a UDP target group whose attributes were not collected: UDP always preserves client IPs, the risk stands",
      snapshot: internalNlb()
        .editTargetGroup(TG, { Protocol: "UDP" })
        .edit((s) => {
          s.elbv2.TargetGroupAttributes = {};
        })
        .build(),
      errors: [{ messageId: "risk", resourceId: TG, severity: "low" }],
    },
    {
      name: "a TCP_QUIC target group whose attributes were not collected: QUIC protocols always preserve client IPs, the risk stands",
      snapshot: internalNlb()
        .editTargetGroup(TG, { Protocol: "TCP_QUIC" })
        .edit((s) => {
          s.elbv2.TargetGroupAttributes = {};
        })
        .build(),
      errors: [{ messageId: "risk", resourceId: TG, severity: "low" }],
    },
    {
      name: "dualstack NLB, IPv6 target group preserving client IPs: orders-1, which holds a target's IPv6 address, calls the NLB's IPv6 address",
      snapshot: dualstackInternalNlb("ipv6")
        .guest(ids.instance.web1, { connections: [db, { remote: `[${NODE_B6}]:8080`, state: "SYN-SENT" }] })
        .guest(ids.instance.web2, { connections: [db] })
        .build(),
      errors: [{ messageId: "seen", resourceId: ids.instance.web1, severity: "high" }],
    },
    {
      name: "dualstack NLB, IPv6 target group preserving client IPs: --from orders-1, which holds a target's IPv6 address, is a declared caller",
      snapshot: dualstackInternalNlb("ipv6").build(),
      context: { from: ["orders-1"] },
      errors: [
        { messageId: "declared", resourceId: ids.instance.web1, severity: "high" },
        { messageId: "risk", resourceId: TG6, severity: "low" },
      ],
    },
  ],
  unknown: [
    {
      name: "IP targets over TCP with the target group attributes not collected: preservation is off by default, but may be on",
      snapshot: internalNlb()
        .targetGroup({ name: "orders-tg", protocol: "TCP", port: 8080, targetType: "ip", lbType: "network" })
        .edit((s) => {
          s.elbv2.TargetGroupAttributes = {};
          if (s.elbv2.TargetHealth) s.elbv2.TargetHealth[TG] = [];
        })
        .target(TG, { id: IP.web1 })
        .target(TG, { id: IP.web2 })
        .gap({
          operation: "elasticloadbalancing:DescribeTargetGroupAttributes",
          resourceId: TG,
          status: 403,
          code: "AccessDenied",
          message: "not authorized to perform elasticloadbalancing:DescribeTargetGroupAttributes",
        })
        .build(),
      reason: "attributes were not collected",
    },
    {
      name: "instance targets with the target group attributes not collected: preservation is on by default, but may have been turned off",
      snapshot: internalNlb().tgAttributesNotCollected(TG).build(),
      reason: "attributes were not collected",
    },
    {
      name: "--from names a target of a group whose attributes were not collected: unknown, not 'not a target that preserves client IPs'",
      snapshot: internalNlb().tgAttributesNotCollected(TG).build(),
      context: { from: ["orders-1"] },
      reason: "(named with --from) is a target of internal NLB",
    },
    {
      name: "the target health was not collected: whether --from orders-1 is a target is not known",
      snapshot: internalNlb()
        .edit((s) => {
          s.elbv2.TargetHealth = {};
        })
        .gap({ operation: "elbv2:DescribeTargetHealth", resourceId: TG, status: 400, code: "Throttling", message: "Rate exceeded" })
        .build(),
      context: { from: ["orders-1"] },
      reason: "the targets of orders-tg were not collected",
    },
    {
      name: "--from names an instance the snapshot does not hold",
      snapshot: internalNlb()
        .guest(ids.instance.web1, { connections: [db] })
        .guest(ids.instance.web2, { connections: [db] })
        .build(),
      context: { from: ["billing-7"] },
      reason: "billing-7",
    },
    {
      name: "the guest check failed on both targets",
      snapshot: internalNlb()
        .gap({
          operation: "ssm:SendCommand",
          resourceId: ids.instance.web1,
          code: "InvalidInstanceId",
          message: "Instances not in a valid state for account",
        })
        .gap({
          operation: "ssm:SendCommand",
          resourceId: ids.instance.web2,
          code: "InvalidInstanceId",
          message: "Instances not in a valid state for account",
        })
        .build(),
      reason: "guest check failed",
    },
  ],
  notApplicable: [
    { name: "an internet-facing NLB", snapshot: healthyNlb().build() },
    {
      name: "an internal NLB in front of an ALB (target type alb, client IP preservation on): the ALB never calls the NLB",
      snapshot: healthyAlb()
        .loadBalancer({
          name: "inner-nlb",
          type: "network",
          scheme: "internal",
          subnets: [
            { id: ids.subnet.privateA, az: "us-east-1a" },
            { id: ids.subnet.privateB, az: "us-east-1b" },
          ],
        })
        .targetGroup({ name: "alb-tg", protocol: "TCP", port: 80, targetType: "alb", lbType: "network" })
        .tgAttribute(tgArn("alb-tg"), "preserve_client_ip.enabled", "true")
        .listener({ lb: lbArn("inner-nlb", "network"), port: 80, protocol: "TCP", forward: tgArn("alb-tg") })
        .target(tgArn("alb-tg"), { id: ids.lb.alb })
        .build(),
    },
  ],
};
