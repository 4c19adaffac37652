import { healthyAlb, healthyNlb, ids, tgArn } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const GREEN_TG = tgArn("web-green-tg");
const GONE_TG = tgArn("web-old-tg");

/** healthyAlb with a green target group (both instances registered in it too) and a weighted default action. */
const blueGreen = (blue: number, green: number) =>
  healthyAlb()
    .targetGroup({ name: "web-green-tg", protocol: "HTTP", port: 80 })
    .target(GREEN_TG, { id: ids.instance.web1, az: "us-east-1a" })
    .target(GREEN_TG, { id: ids.instance.web2, az: "us-east-1b" })
    .listener({
      lb: ids.lb.alb,
      port: 80,
      protocol: "HTTP",
      forward: [
        { tg: ids.tg.web, weight: blue },
        { tg: GREEN_TG, weight: green },
      ],
    });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: the default action forwards to web-tg", snapshot: healthyAlb().build() },
    { name: "NLB: the default action forwards to app-tg", snapshot: healthyNlb().build() },
    { name: "blue/green with weights 90/10", snapshot: blueGreen(90, 10).build() },
    {
      name: "an HTTP listener that redirects to HTTPS beside an HTTPS listener that forwards",
      snapshot: healthyAlb()
        .listener({ lb: ids.lb.alb, port: 443, protocol: "HTTPS", forward: ids.tg.web })
        .editListener(ids.lb.alb, 80, (l) => {
          l.DefaultActions = [{ Type: "redirect", Order: 1, RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } }];
        })
        .build(),
    },
  ],
  invalid: [
    {
      name: "a blue/green cut-over script set blue to weight 0 and died before raising green: both weights are 0",
      snapshot: blueGreen(0, 0)
        .describe(
          "Incident: the blue/green cut-over script first set web-tg (blue) to weight 0, then failed on an expired token before it " +
            "raised web-green-tg to 100. Both weighted groups of web-alb:80's default action now have weight 0 and every request gets 503.",
        )
        .build(),
      errors: [{ messageId: "zeroWeight" }],
    },
    {
      name: "a forward default action that names no target group at all",
      snapshot: healthyAlb()
        .editListener(ids.lb.alb, 80, (l) => {
          l.DefaultActions = [{ Type: "forward", Order: 1 }];
        })
        .build(),
      errors: [{ messageId: "noGroup" }],
    },
    {
      name: "NLB: the TCP listener's single weighted group has weight 0",
      snapshot: healthyNlb()
        .listener({ lb: ids.lb.nlb, port: 80, protocol: "TCP", forward: [{ tg: ids.tg.app, weight: 0 }] })
        .build(),
      errors: [{ messageId: "zeroWeight" }],
    },
  ],
  unknown: [
    {
      name: "the default action names a target group the snapshot does not hold: AWS refuses to delete a group in use, so it is a collection gap",
      snapshot: healthyAlb()
        .editListener(ids.lb.alb, 80, (l) => {
          l.DefaultActions = [{ Type: "forward", Order: 1, TargetGroupArn: GONE_TG }];
        })
        .build(),
      reason: "the snapshot missed it",
    },
    {
      name: "the default action's target group is missing, and DescribeTargetGroups failed part-way",
      snapshot: healthyAlb()
        .editListener(ids.lb.alb, 80, (l) => {
          l.DefaultActions = [{ Type: "forward", Order: 1, TargetGroupArn: GONE_TG }];
        })
        .gap({ operation: "elbv2:DescribeTargetGroups", status: 400, code: "Throttling", message: "Rate exceeded" })
        .build(),
      reason: "Throttling",
    },
  ],
  notApplicable: [
    {
      name: "the only listener returns a fixed maintenance page",
      snapshot: healthyAlb()
        .editListener(ids.lb.alb, 80, (l) => {
          l.DefaultActions = [
            {
              Type: "fixed-response",
              Order: 1,
              FixedResponseConfig: { StatusCode: "503", ContentType: "text/plain", MessageBody: "maintenance" },
            },
          ];
        })
        .build(),
    },
  ],
};
