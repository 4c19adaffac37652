import { ids, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";
import { N, webWithTime } from "../../../test/support/time-scenarios.ts";

const flat = (v: number) => Array.from({ length: N }, () => v);
const ramp = (from: number, to: number) => Array.from({ length: N }, (_, i) => Math.round(from + ((to - from) * i) / (N - 1)));

export const cases: RuleCases = {
  valid: [
    { name: "both members use under a quarter of their ports", snapshot: webWithTime() },
    {
      name: "vm1 peaks at 880 of 1024 ports (86 %), under the threshold, with no failures",
      snapshot: webWithTime({ metrics: { used: { "10.0.0.4": ramp(300, 880), "10.0.0.5": flat(200) } } }),
    },
  ],
  invalid: [
    {
      name: "vm1 climbs to 1000 of 1024 ports",
      snapshot: webWithTime({ metrics: { used: { "10.0.0.4": ramp(300, 1000), "10.0.0.5": flat(200) } } }),
      errors: [{ messageId: "exhausted", resourceId: ids.ipconfig("vm1-nic") }],
    },
    {
      name: "failed SNAT connections on vm2 while ports look free",
      snapshot: webWithTime({
        metrics: { failed: { "10.0.0.4": flat(0), "10.0.0.5": [...flat(0).slice(0, 60), ...Array.from({ length: 30 }, () => 12)] } },
      }),
      errors: [{ messageId: "failed", resourceId: ids.ipconfig("vm2-nic") }],
    },
  ],
  unknown: [
    {
      name: "the metrics of the load balancer could not be read (403)",
      snapshot: (() => {
        const s = webWithTime();
        if (s.observations?.metrics) s.observations.metrics = {};
        s.gaps = [
          {
            operation: "metrics.list",
            resourceId: ids.lb(WEB_LB),
            status: 403,
            code: "AuthorizationFailed",
            message: "no Monitoring Reader",
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
        const s = webWithTime();
        delete s.observations?.window;
        return s;
      })(),
    },
  ],
};
