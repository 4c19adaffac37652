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
