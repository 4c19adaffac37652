import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { clock } from "../../../src/core/timeline/analyze.ts";
import { FLAP_TRANSITIONS, flapVerdicts } from "../../../src/core/timeline/checks.ts";
import { resolvePointer } from "../../../src/core/util/json-pointer.ts";
import { idKey } from "../../../src/providers/azure/arm-id.ts";
import type { AzureModel, Probe } from "../../../src/providers/azure/model.ts";
import { probeMembers, reportUnreadMetrics, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

interface ProbeSettings {
  interval: number;
  threshold: number;
}

function settings(model: AzureModel, probe: Probe): ProbeSettings {
  const raw = resolvePointer(model.snapshot, probe.ptr) as {
    properties?: { intervalInSeconds?: number; probeThreshold?: number };
  };
  const p = raw?.properties ?? {};
  // numberOfProbes is not respected: the Network RP warns that probes "probe up or down immediately after one probe
  // regardless of the property's configured value" and names probeThreshold as the control, which defaults to 1
  return { interval: p.intervalInSeconds ?? 15, threshold: p.probeThreshold ?? 1 };
}

export default defineRule<AzureModel>({
  id: "azure/probe-flapping",
  provider: "azure",
  severity: "medium",
  title: "Backend member flapping between up and down",
  description:
    `A member whose probe health (\`DipAvailability\` per \`BackendIPAddress\`, one-minute grain) changed state ${FLAP_TRANSITIONS} or more ` +
    "times in the window is flapping: the load balancer keeps taking it out of rotation and putting it back, and flows to it are cut each " +
    "time. The usual causes are a probe that marks a member down after one failed answer (`probeThreshold` 1) at a short interval, an " +
    "endpoint that answers slowly under load, or a probe path that depends on something intermittent. The finding shows the series " +
    "and the probe's interval and threshold. A minute counts as up when at least half of its probes answered.",
  reads: ["azure:metrics", "azure:loadBalancers"],
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-custom-probe-overview",
      title: "Azure Load Balancer health probes",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/azure-monitor/reference/supported-metrics/microsoft-network-loadbalancers-metrics",
      title: "Supported metrics for Microsoft.Network/loadBalancers",
    },
  ],
  references: ["https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview"],
  messages: {
    flapping:
      "{{member}} changed state {{count}} times between {{from}} and {{until}} ({{series}}: {{changes}}). Probe {{probe}} runs every {{interval}} s and marks it down after {{threshold}} failed answer(s){{advice}}.",
    steady: "{{member}} changed state {{count}} times in the window ({{series}}).",
    noMetrics: "The probe health of {{lb}} over the window could not be read ({{reason}}).",
  },
  remediation:
    "Find why the endpoint fails intermittently (slow answers under load, a dependency behind the probe path). To stop a single slow answer " +
    "from taking the member out, raise the probe's threshold (consecutive failures) or interval; a probe on a cheap, local health path is steadier.",
  check(ctx) {
    const { model, report } = ctx;
    const time = model.time;
    if (!time) return;
    reportUnreadMetrics(ctx);
    const probeOf = new Map<string, Probe>();
    for (const { probe, member } of probeMembers(model)) if (!probeOf.has(member.key)) probeOf.set(member.key, probe);
    for (const v of flapVerdicts(time)) {
      const s = v.series;
      const base = { resourceId: s.resourceId, resourceName: s.label, loadBalancerId: s.loadBalancerId, key: "dip" };
      const evidence = [{ resourceId: s.resourceId, pointer: s.pointer, label: `${s.metric} of ${s.label}` }];
      if (!v.flapping) {
        report({
          ...base,
          status: "pass",
          messageId: "steady",
          data: { member: s.label, count: v.transitions, series: v.picture },
          evidence,
        });
        continue;
      }
      const probe = probeOf.get(idKey(s.resourceId));
      const set = probe ? settings(model, probe) : undefined;
      const advice =
        set && set.threshold <= 1
          ? "; with a threshold of 1, one slow or lost answer takes it out"
          : set && set.interval <= 5
            ? "; at this short interval a brief stall is enough"
            : "";
      const commands =
        probe && set
          ? [
              `az network lb probe update -g ${sh(rgOf(probe.lb.id))} --lb-name ${sh(probe.lb.name)} -n ${sh(probe.name)} --probe-threshold ${Math.max(2, set.threshold + 1)} --interval ${Math.max(set.interval, 10)}`,
            ]
          : [];
      report({
        ...base,
        status: "fail",
        messageId: "flapping",
        data: {
          member: s.label,
          count: v.transitions,
          from: clock(time.window.from, time.window),
          until: clock(time.window.until, time.window),
          series: v.picture,
          changes: v.changes,
          probe: probe?.name ?? "(unknown)",
          interval: set?.interval ?? "?",
          threshold: set?.threshold ?? "?",
          advice,
        },
        evidence: probe ? [...evidence, { resourceId: probe.lb.id, pointer: probe.ptr, label: "health probe" }] : evidence,
        remediation: {
          summary: "Find the intermittent failure on the member; make the probe tolerate one slow answer.",
          commands,
        },
        subjects: [s.resourceId],
      });
    }
  },
});
