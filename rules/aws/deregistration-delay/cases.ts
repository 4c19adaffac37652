import { healthyAlb, healthyNlb, ids } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** healthyNlb with an Auto Scaling group serving app-tg. */
const nlbAsg = () =>
  healthyNlb().asg({
    name: "app-asg",
    tgs: [ids.tg.app],
    instances: [
      { id: ids.instance.web1, az: "us-east-1a" },
      { id: ids.instance.web2, az: "us-east-1b" },
    ],
    subnets: [ids.subnet.privateA, ids.subnet.privateB],
  });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: 300 s delay against a 60 s idle timeout", snapshot: healthyAlb().build() },
    {
      name: "a 60 s delay equal to the idle timeout",
      snapshot: healthyAlb().tgAttribute(ids.tg.web, "deregistration_delay.timeout_seconds", "60").build(),
    },
    {
      name: "NLB behind an Auto Scaling group with a 30 s delay",
      snapshot: nlbAsg().tgAttribute(ids.tg.app, "deregistration_delay.timeout_seconds", "30").build(),
    },
    {
      name: "no delay attribute in a collected list: the 300 s default applies",
      snapshot: healthyAlb().tgAttribute(ids.tg.web, "deregistration_delay.timeout_seconds", null).build(),
    },
  ],
  invalid: [
    {
      name: "deploys were sped up by setting the delay to 0: every scale-in of web-asg cuts the requests in flight (the scale-in story)",
      snapshot: healthyAlb()
        .tgAttribute(ids.tg.web, "deregistration_delay.timeout_seconds", "0")
        .describe(
          "Incident: to make rolling deploys faster, web-tg's deregistration delay was set to 0. Every evening web-asg scales in and " +
            "terminates an instance immediately after deregistering it; uploads and checkouts in flight on it fail with 502.",
        )
        .build(),
      errors: [{ messageId: "zero", resourceId: ids.tg.web, severity: "high" }],
    },
    {
      name: "a 30 s delay against an idle timeout raised to 300 s for report downloads",
      snapshot: healthyAlb()
        .tgAttribute(ids.tg.web, "deregistration_delay.timeout_seconds", "30")
        .lbAttribute(ids.lb.alb, "idle_timeout.timeout_seconds", "300")
        .build(),
      errors: [{ messageId: "short", resourceId: ids.tg.web, severity: "medium" }],
    },
    {
      name: "NLB behind an Auto Scaling group with a delay of 0",
      snapshot: nlbAsg().tgAttribute(ids.tg.app, "deregistration_delay.timeout_seconds", "0").build(),
      errors: [{ messageId: "zero", resourceId: ids.tg.app }],
    },
  ],
  unknown: [
    {
      name: "a 30 s delay and the ALB's attributes (idle timeout) were not collected",
      snapshot: healthyAlb()
        .tgAttribute(ids.tg.web, "deregistration_delay.timeout_seconds", "30")
        .edit((s) => {
          s.elbv2.LoadBalancerAttributes = {};
        })
        .gap({
          operation: "elbv2:DescribeLoadBalancerAttributes",
          resourceId: ids.lb.alb,
          status: 400,
          code: "Throttling",
          message: "Rate exceeded",
        })
        .build(),
      reason: "idle timeout",
    },
  ],
  notApplicable: [
    {
      name: "an NLB whose target group no Auto Scaling group serves",
      snapshot: healthyNlb().tgAttribute(ids.tg.app, "deregistration_delay.timeout_seconds", "0").build(),
    },
  ],
};
