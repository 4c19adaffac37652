import { ids, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";
import { dropAt, nsgChangeIncident, webWithTime } from "../../../test/support/time-scenarios.ts";

const flapping = "U".repeat(20) + "DDUUUDDUUUUDDDUUUUUDDUU" + "U".repeat(47);

export const cases: RuleCases = {
  valid: [
    { name: "both members steady for 90 minutes", snapshot: webWithTime() },
    { name: "one drop and no recovery is an outage, not flapping", snapshot: nsgChangeIncident() },
    {
      name: "down once and back up (two transitions)",
      snapshot: webWithTime({ dip: { vm1: `${dropAt(30).slice(0, 40)}${"U".repeat(50)}`, vm2: "U".repeat(90) } }),
    },
  ],
  invalid: [
    {
      name: "vm1 changed state 8 times in the window",
      snapshot: webWithTime({ dip: { vm1: flapping, vm2: "U".repeat(90) } }),
      errors: [{ messageId: "flapping", resourceId: ids.ipconfig("vm1-nic") }],
    },
    {
      name: "both members flap together, exactly four transitions each",
      snapshot: webWithTime({
        dip: { vm1: `${"U".repeat(30)}DDDUUUDDD${"U".repeat(51)}`, vm2: `${"U".repeat(30)}DDDUUUDDD${"U".repeat(51)}` },
      }),
      errors: [
        { messageId: "flapping", resourceId: ids.ipconfig("vm1-nic") },
        { messageId: "flapping", resourceId: ids.ipconfig("vm2-nic") },
      ],
    },
    {
      name: "a probe with numberOfProbes 4 and no probeThreshold marks down after one failed answer (numberOfProbes is not respected)",
      snapshot: (() => {
        const s = webWithTime({ dip: { vm1: flapping, vm2: "U".repeat(90) } });
        const lb = s.resources.find((r) => r.id === ids.lb(WEB_LB)) as unknown as {
          properties: { probes: Array<{ properties: Record<string, unknown> }> };
        };
        for (const p of lb.properties.probes) {
          p.properties.numberOfProbes = 4;
          delete p.properties.probeThreshold;
        }
        return s;
      })(),
      errors: [{ messageId: "flapping", resourceId: ids.ipconfig("vm1-nic") }],
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
