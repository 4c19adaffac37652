import { ids, WEB_LB, WEB_NSG } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";
import { withoutAzureSamples } from "../../../test/support/time-builder.ts";
import { dropAt, NSG_CHANGE, nsgChangeIncident, webWithTime } from "../../../test/support/time-scenarios.ts";

export const cases: RuleCases = {
  valid: [
    { name: "a steady window with no changes", snapshot: webWithTime() },
    {
      name: "a change that touched nothing on a member's path (a public IP tag) before a drop",
      snapshot: webWithTime({
        dip: { vm1: dropAt(42), vm2: dropAt(42) },
        changes: [
          { target: ids.publicIp("pip-lb-web"), time: "2026-03-14T03:10:00Z", changes: { "tags.env": { before: "a", after: "b" } } },
        ],
      }),
    },
    {
      name: "the NSG change came after the members were already down",
      snapshot: webWithTime({ broken: true, dip: { vm1: dropAt(20), vm2: dropAt(20) }, changes: [NSG_CHANGE] }),
    },
    {
      name: "the NSG change with no drop after it",
      snapshot: webWithTime({ changes: [NSG_CHANGE] }),
    },
  ],
  invalid: [
    {
      name: "an NSG rule added at 03:10, both members down from 03:12",
      snapshot: nsgChangeIncident(),
      errors: [{ messageId: "changed", resourceId: ids.nsg(WEB_NSG) }],
    },
    {
      name: "a probe change on the load balancer, one member down two minutes later",
      snapshot: webWithTime({
        dip: { vm1: dropAt(50), vm2: "U".repeat(90) },
        changes: [
          {
            target: ids.lb(WEB_LB),
            time: "2026-03-14T03:18:00Z",
            changes: { "properties.probes[0].properties.requestPath": { before: "/", after: "/healthz" } },
          },
        ],
      }),
      errors: [{ messageId: "changed", resourceId: ids.lb(WEB_LB) }],
    },
  ],
  unknown: [
    {
      name: "resource changes could not be read (403)",
      snapshot: (() => {
        const s = webWithTime({ dip: { vm1: dropAt(42), vm2: dropAt(42) } });
        s.gaps = [
          {
            operation: "resourceGraph.resourcechanges",
            status: 403,
            code: "AuthorizationFailed",
            message: "The client does not have authorization",
          },
        ];
        return s;
      })(),
      reason: "could not be read",
    },
    {
      name: "the NSG change inside a gap in the metrics, both members up at the first sample after it (they may have gone down and come back up)",
      // no DipAvailability sample from 03:01 to 03:11; the change at 03:10:04
      snapshot: withoutAzureSamples(webWithTime({ changes: [NSG_CHANGE] }), "2026-03-14T03:01:00Z", "2026-03-14T03:12:00Z"),
      reason:
        "no DipAvailability sample between 03:00 (up) and 03:12 (up), a gap in which 10.0.0.4 (vm1) may have gone down and come back up",
    },
  ],
  notApplicable: [
    {
      name: "a snapshot without time data",
      snapshot: (() => {
        const s = webWithTime();
        delete s.observations?.window;
        return s;
      })(),
    },
  ],
};
