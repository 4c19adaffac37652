import { healthyAlb, healthyNlb, ids, listenerArn, tgArn } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const API_TG = tgArn("api-tg");
const GREEN_TG = tgArn("web-green-tg");
const HTTP = listenerArn(ids.lb.alb, 80);

/** healthyAlb plus a listener rule sending /api/* to api-tg. */
const withApiRule = () =>
  healthyAlb()
    .targetGroup({ name: "api-tg", protocol: "HTTP", port: 8080 })
    .edit((s) => {
      s.elbv2.Rules?.[HTTP]?.unshift({
        RuleArn: `${HTTP.replace(":listener/", ":listener-rule/")}/0a1b2c3d4e5f6071`,
        Priority: "10",
        Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } }],
        Actions: [{ Type: "forward", TargetGroupArn: API_TG, Order: 1 }],
        IsDefault: false,
      });
      const tg = s.elbv2.TargetGroups?.find((t) => t.TargetGroupArn === API_TG);
      if (tg) tg.LoadBalancerArns = [ids.lb.alb];
    });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: web-tg holds both instances", snapshot: healthyAlb().build() },
    { name: "NLB: app-tg holds both instances", snapshot: healthyNlb().build() },
    {
      name: "blue/green: the empty green group has weight 0, the blue one carries the traffic",
      snapshot: healthyAlb()
        .targetGroup({ name: "web-green-tg", protocol: "HTTP", port: 80 })
        .listener({
          lb: ids.lb.alb,
          port: 80,
          protocol: "HTTP",
          forward: [
            { tg: ids.tg.web, weight: 100 },
            { tg: GREEN_TG, weight: 0 },
          ],
        })
        .build(),
    },
  ],
  invalid: [
    {
      name: "a scheduled action scaled web-asg to zero overnight: web-tg is empty and web-alb answers 503",
      snapshot: healthyAlb()
        .asg({ name: ids.asg, tgs: [ids.tg.web], instances: [], subnets: [ids.subnet.privateA, ids.subnet.privateB] })
        .instanceState(ids.instance.web1, "terminated")
        .instanceState(ids.instance.web2, "terminated")
        .edit((s) => {
          if (s.elbv2.TargetHealth) s.elbv2.TargetHealth[ids.tg.web] = [];
        })
        .describe(
          "Incident: a scheduled action meant for the staging group set web-asg's minimum and desired capacity to 0 at 22:00. Both " +
            "instances were terminated and deregistered; web-tg is empty and every request to web-alb gets HTTP 503.",
        )
        .build(),
      errors: [{ messageId: "empty", resourceId: ids.tg.web, severity: "critical" }],
    },
    {
      name: "a new /api/* listener rule forwards to api-tg before anything is registered in it (high)",
      snapshot: withApiRule().build(),
      errors: [{ messageId: "empty", resourceId: API_TG, severity: "high" }],
    },
    {
      name: "web-asg has AddToLoadBalancer suspended: its instances run but are not registered",
      snapshot: healthyAlb()
        .edit((s) => {
          if (s.elbv2.TargetHealth) s.elbv2.TargetHealth[ids.tg.web] = [];
          const g = s.autoscaling?.AutoScalingGroups?.[0];
          if (g) g.SuspendedProcesses = [{ ProcessName: "AddToLoadBalancer", SuspensionReason: "User suspended at 2025-03-13T17:02:11Z" }];
        })
        .build(),
      errors: [{ messageId: "empty", resourceId: ids.tg.web }],
    },
  ],
  unknown: [
    {
      name: "the target health of web-tg was not collected",
      snapshot: healthyAlb()
        .edit((s) => {
          s.elbv2.TargetHealth = {};
        })
        .gap({ operation: "elbv2:DescribeTargetHealth", resourceId: ids.tg.web, status: 400, code: "Throttling", message: "Rate exceeded" })
        .build(),
      reason: "Throttling",
    },
  ],
  notApplicable: [
    {
      name: "the only listener redirects HTTP to HTTPS: it forwards to no target group",
      snapshot: healthyAlb()
        .editListener(ids.lb.alb, 80, (l) => {
          l.DefaultActions = [{ Type: "redirect", Order: 1, RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } }];
        })
        .edit((s) => {
          s.elbv2.Rules = {};
        })
        .build(),
    },
  ],
};
