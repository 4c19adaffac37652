/**
 * The provider-neutral halves of the time rules: what `*\/change-before-failure`
 * and the flapping rules report, from the model's TimeData. The rules
 * (rules/<provider>/…) supply the provider's words and call these; no rule
 * runs another.
 */
import type { Model, RuleContext } from "../engine/types.ts";
import { idKey } from "../util/resource-id.ts";
import { changeFindingKey, changeImpacts, clock, gapText, sparkline, transitions } from "./analyze.ts";
import type { HealthSeries, TimeData } from "./types.ts";

/** A member changing state at least this many times in the window is flapping. */
export const FLAP_TRANSITIONS = 4;

export const CHANGE_MESSAGES = {
  changed:
    "{{when}}: {{who}} changed {{resource}} ({{summary}}); {{gap}} later {{member}} went down ({{metric}} at {{dropAt}}){{more}}. Before → after: {{beforeAfter}}.",
  none: "No change in the window {{from}} – {{until}} preceded a health drop ({{changes}} changes read, {{series}} health series).",
  noChanges: "The changes in the window could not be read ({{reason}}), so whether a change preceded the drop is unknown.",
  noMetrics: "The health metrics could not be read ({{reason}}), so whether a change preceded a drop is unknown.",
} as const;

/** change-before-failure: one fail per change that a member's drop followed; a pass when none did. */
export function checkChangeBeforeFailure<M extends Model>(ctx: RuleContext<M>, loadBalancers: Array<{ id: string; name: string }>): void {
  const time = ctx.model.time;
  if (!time) return; // no window in the snapshot: not applicable
  const missingChanges = time.missing.filter((m) => m.what === "changes");
  const missingMetrics = time.missing.filter((m) => m.what === "metrics");
  const impacts = changeImpacts(time);
  for (const { change, drops } of impacts) {
    const first = drops[0] as (typeof drops)[number];
    const members = [...new Map(drops.map((d) => [d.series.key, d])).values()];
    const beforeAfter =
      change.properties.length > 0
        ? change.properties
            .slice(0, 3)
            .map((p) => `${p.path}: ${short(p.before)} → ${short(p.after)}`)
            .join("; ") + (change.properties.length > 3 ? `; … ${change.properties.length - 3} more` : "")
        : "not recorded by the source";
    ctx.report({
      status: "fail",
      resourceId: change.resourceId,
      resourceName: change.resourceName,
      loadBalancerId: first.series.loadBalancerId,
      key: changeFindingKey(change),
      messageId: "changed",
      data: {
        when: clock(change.time, time.window),
        who: change.who ?? "an unknown caller",
        resource: change.resourceName,
        summary: change.summary,
        gap: gapText(change.time, first.at.t),
        member: first.series.label,
        metric: `${first.series.metric} ${first.at.value}`,
        dropAt: clock(first.at.t, time.window),
        more: members.length > 1 ? ` and ${members.length - 1} more member${members.length > 2 ? "s" : ""} after it` : "",
        beforeAfter,
      },
      evidence: [
        { resourceId: change.resourceId, pointer: change.pointer, label: `change (${change.source})` },
        ...members
          .slice(0, 5)
          .map((d) => ({ resourceId: d.series.resourceId, pointer: d.series.pointer, label: `${d.series.metric} of ${d.series.label}` })),
      ],
      remediation: {
        summary:
          change.revert.length > 0
            ? `Undo the change${change.who ? ` made by ${change.who}` : ""} (check with its author first), then confirm the members come back up.`
            : "No safe command reverts this change from what was recorded; restore the previous configuration from your infrastructure code or the resource's change history.",
        commands: change.revert,
      },
      subjects: [change.resourceId, ...members.map((d) => d.series.resourceId)],
    });
  }
  if (impacts.length > 0) return;
  if (missingChanges.length > 0) {
    ctx.report({
      status: "unknown",
      resourceId: "",
      resourceName: "(scope)",
      key: "changes",
      messageId: "noChanges",
      data: { reason: reasons(missingChanges) },
    });
    return;
  }
  if (missingMetrics.length > 0 && time.series.length === 0) {
    ctx.report({
      status: "unknown",
      resourceId: "",
      resourceName: "(scope)",
      key: "metrics",
      messageId: "noMetrics",
      data: { reason: reasons(missingMetrics) },
    });
    return;
  }
  const seriesByLb = new Map<string, number>();
  for (const s of time.series) seriesByLb.set(idKey(s.loadBalancerId), (seriesByLb.get(idKey(s.loadBalancerId)) ?? 0) + 1);
  for (const lb of loadBalancers) {
    const n = seriesByLb.get(idKey(lb.id)) ?? 0;
    if (n === 0) {
      // its metrics could not be read while another's were: unknown for it, never silently nothing
      const gaps = missingMetrics.filter((m) => covers(m.resourceId, lb.id));
      if (gaps.length > 0) {
        ctx.report({
          status: "unknown",
          resourceId: lb.id,
          resourceName: lb.name,
          loadBalancerId: lb.id,
          key: "metrics",
          messageId: "noMetrics",
          data: { reason: reasons(gaps) },
        });
      }
      continue;
    }
    ctx.report({
      status: "pass",
      resourceId: lb.id,
      resourceName: lb.name,
      loadBalancerId: lb.id,
      messageId: "none",
      data: {
        from: clock(time.window.from, time.window),
        until: clock(time.window.until, time.window),
        changes: time.changes.length,
        series: n,
      },
    });
  }
}

/** Whether a gap about `scope` (none: the whole collection; `…/*`: everything under it) covers a load balancer. */
function covers(scope: string | undefined, id: string): boolean {
  if (!scope) return true;
  if (scope.endsWith("*")) return idKey(id).startsWith(idKey(scope.slice(0, -1)));
  return idKey(scope) === idKey(id);
}

function short(v: unknown): string {
  if (v === undefined || v === null || v === "") return "(none)";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function reasons(list: TimeData["missing"]): string {
  return [...new Set(list.map((m) => `${m.operation}: ${m.message}`))].slice(0, 3).join("; ");
}

export interface FlapVerdict {
  series: HealthSeries;
  transitions: number;
  flapping: boolean;
  /** the series in one line (▇ up, ▁ down) */
  picture: string;
  /** "03:10 down, 03:14 up, …" (at most 8) */
  changes: string;
}

/** Every health series of the window with its transition count. */
export function flapVerdicts(time: TimeData): FlapVerdict[] {
  return time.series.map((s) => {
    const tr = transitions(s);
    return {
      series: s,
      transitions: tr.length,
      flapping: tr.length >= FLAP_TRANSITIONS,
      picture: sparkline(s),
      changes:
        tr
          .slice(0, 8)
          .map((p) => `${clock(p.t, time.window)} ${p.up ? "up" : "down"}`)
          .join(", ") + (tr.length > 8 ? ", …" : ""),
    };
  });
}
