import { ids } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";
import { cloudtrailEvent } from "../../../test/support/time-builder.ts";
import { albWithTime, dropAt, SG_REVOKE, sgRevokeIncident } from "../../../test/support/time-scenarios.ts";

export const cases: RuleCases = {
  valid: [
    { name: "a steady window with no changes", snapshot: albWithTime() },
    { name: "the SG revoke with no drop after it", snapshot: albWithTime({ events: [SG_REVOKE()] }) },
    {
      name: "the SG revoke after the targets were already unhealthy",
      snapshot: albWithTime({ broken: true, zones: { a: dropAt(20), b: dropAt(20) }, events: [SG_REVOKE()] }),
    },
  ],
  invalid: [
    {
      name: "an SG ingress rule revoked at 03:10, both zones unhealthy from 03:12",
      snapshot: sgRevokeIncident(),
      errors: [{ messageId: "changed", resourceId: ids.sg.web }],
    },
    {
      name: "a target deregistered, its zone unhealthy a minute later",
      snapshot: albWithTime({
        zones: { a: dropAt(50), b: "U".repeat(90) },
        events: [
          cloudtrailEvent({
            name: "DeregisterTargets",
            time: "2026-03-14T03:19:00Z",
            source: "elasticloadbalancing.amazonaws.com",
            request: { targetGroupArn: ids.tg.web, targets: [{ id: ids.instance.web1, port: 80 }] },
          }),
        ],
      }),
      errors: [{ messageId: "changed", resourceId: ids.tg.web }],
    },
  ],
  unknown: [
    {
      name: "CloudTrail could not be read (AccessDenied)",
      snapshot: (() => {
        const s = albWithTime({ zones: { a: dropAt(42), b: dropAt(42) } });
        s.gaps = [
          {
            operation: "cloudtrail:LookupEvents",
            status: 400,
            code: "AccessDeniedException",
            message: "not authorized to perform cloudtrail:LookupEvents",
          },
        ];
        return s;
      })(),
      reason: "could not be read",
    },
    {
      name: "the SG revoke inside a gap in the metrics, both zones healthy at the first sample after it (they may have gone down and come back up)",
      snapshot: (() => {
        // no CloudWatch datapoint from 03:05 to 03:19; the revoke at 03:10:04
        const s = albWithTime({ events: [SG_REVOKE()] });
        const gap = (t: string) =>
          Date.parse(t) >= Date.parse("2026-03-14T03:05:00Z") && Date.parse(t) < Date.parse("2026-03-14T03:20:00Z");
        for (const data of Object.values(s.observations?.cloudwatch ?? {}))
          for (const r of data.MetricDataResults ?? []) {
            const times = r.Timestamps as string[];
            r.Values = (r.Values as number[]).filter((_, i) => !gap(times[i] as string));
            r.Timestamps = times.filter((t) => !gap(t));
          }
        return s;
      })(),
      reason:
        "no HealthyHostCount sample between 03:04 (up) and 03:20 (up), a gap in which web-tg in us-east-1a may have gone down and come back up",
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
