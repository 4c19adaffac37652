import { ids } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";
import { albWithTime, sgRevokeIncident } from "../../../test/support/time-scenarios.ts";

const flapping = `${"U".repeat(20)}DDUUUDDUUUUDDDUUUUUDDUU${"U".repeat(47)}`;

export const cases: RuleCases = {
  valid: [
    { name: "both zones steady", snapshot: albWithTime() },
    { name: "one drop and no recovery is an outage, not flapping", snapshot: sgRevokeIncident() },
  ],
  invalid: [
    {
      name: "web-tg in us-east-1a changed state 8 times",
      snapshot: albWithTime({ zones: { a: flapping, b: "U".repeat(90) } }),
      errors: [{ messageId: "flapping", resourceId: ids.tg.web }],
    },
    {
      name: "both zones flap, four transitions each",
      snapshot: albWithTime({
        zones: { a: `${"U".repeat(30)}DDDUUUDDD${"U".repeat(51)}`, b: `${"U".repeat(30)}DDDUUUDDD${"U".repeat(51)}` },
      }),
      errors: [
        { messageId: "flapping", resourceId: ids.tg.web },
        { messageId: "flapping", resourceId: ids.tg.web },
      ],
    },
  ],
  unknown: [
    {
      name: "CloudWatch could not be read (403)",
      snapshot: (() => {
        const s = albWithTime();
        if (s.observations) s.observations.cloudwatch = {};
        s.gaps = [
          {
            operation: "cloudwatch:GetMetricData",
            resourceId: ids.lb.alb,
            status: 403,
            code: "AccessDenied",
            message: "not authorized to perform cloudwatch:GetMetricData",
          },
        ];
        return s;
      })(),
      reason: "could not be read",
    },
  ],
  notApplicable: [
    {
      name: "a snapshot without time data",
      snapshot: (() => {
        const s = albWithTime();
        delete s.observations?.window;
        return s;
      })(),
    },
  ],
};
