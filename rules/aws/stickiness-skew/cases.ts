import { healthyAlb, healthyNlb, ids, lbArn, tgArn } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: stickiness off", snapshot: healthyAlb().build() },
    { name: "NLB: stickiness off", snapshot: healthyNlb().build() },
    {
      name: "no stickiness attribute in a collected attribute list: the default (off) applies",
      snapshot: healthyAlb().tgAttribute(ids.tg.web, "stickiness.enabled", null).build(),
    },
  ],
  invalid: [
    {
      name: "NLB with source_ip stickiness: the partner's traffic all comes from one NAT gateway and lands on app-1",
      snapshot: healthyNlb()
        .tgAttribute(ids.tg.app, "stickiness.enabled", "true")
        .describe(
          "Incident: app-tg has source_ip stickiness, enabled years ago for a stateful prototype. The biggest partner now calls the API " +
            "from one NAT gateway address, so every one of its connections lands on app-1, which saturates while app-2 idles.",
        )
        .build(),
      errors: [{ messageId: "sticky", resourceId: ids.tg.app }],
    },
    {
      name: "ALB with a one-day load-balancer cookie",
      snapshot: healthyAlb().tgAttribute(ids.tg.web, "stickiness.enabled", "true").build(),
      errors: [{ messageId: "sticky", resourceId: ids.tg.web }],
    },
    {
      name: "ALB with an application cookie (JSESSIONID) for 1 h",
      snapshot: healthyAlb()
        .tgAttribute(ids.tg.web, "stickiness.enabled", "true")
        .tgAttribute(ids.tg.web, "stickiness.type", "app_cookie")
        .tgAttribute(ids.tg.web, "stickiness.app_cookie.cookie_name", "JSESSIONID")
        .tgAttribute(ids.tg.web, "stickiness.app_cookie.duration_seconds", "3600")
        .build(),
      errors: [{ messageId: "sticky", resourceId: ids.tg.web }],
    },
    {
      name: "Gateway Load Balancer with 2-tuple flow stickiness: a hashing choice for the appliances, not a cookie",
      snapshot: healthyNlb()
        .loadBalancer({
          name: "inspect-gwlb",
          type: "gateway",
          subnets: [
            { id: ids.subnet.privateA, az: "us-east-1a" },
            { id: ids.subnet.privateB, az: "us-east-1b" },
          ],
        })
        .targetGroup({
          name: "appliances-tg",
          protocol: "GENEVE",
          port: 6081,
          lbType: "gateway",
          attributes: { "stickiness.enabled": "true", "stickiness.type": "source_ip_dest_ip" },
        })
        .editTargetGroup(tgArn("appliances-tg"), { LoadBalancerArns: [lbArn("inspect-gwlb", "gateway")] })
        .target(tgArn("appliances-tg"), { id: ids.instance.web1 })
        .target(tgArn("appliances-tg"), { id: ids.instance.web2 })
        .build(),
      errors: [{ messageId: "gatewayFlow", resourceId: tgArn("appliances-tg") }],
    },
  ],
  unknown: [
    {
      name: "the target group's attributes were not collected",
      snapshot: healthyAlb()
        .tgAttributesNotCollected(ids.tg.web, { operation: "elbv2:DescribeTargetGroupAttributes", message: "not authorized" })
        .build(),
      reason: "AccessDenied",
    },
  ],
};
