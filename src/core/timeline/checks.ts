/**
 * The provider-neutral halves of the time rules: what `*\/change-before-failure`
 * and the flapping rules report, from the model's TimeData. The rules
 * (rules/<provider>/…) supply the provider's words and call these; no rule
 * runs another.
 */
import type { Model, RuleContext } from "../engine/types.ts";
import { idKey } from "../util/resource-id.ts";
import {
  analyzeChanges,
  type ChangeImpact,
  changeFindingKey,
  clock,
  gapText,
  sampleStep,
  sparkline,
  timeMs,
  transitions,
} from "./analyze.ts";
import type { HealthSeries, TimeData } from "./types.ts";

/** A member changing state at least this many times in the window is flapping. */
export const FLAP_TRANSITIONS = 4;

export const CHANGE_MESSAGES = {
  changed:
    "{{when}}: {{who}} changed {{resource}} ({{summary}}); {{gap}} later {{member}} went down ({{metric}} at {{dropAt}}){{more}}.{{rivals}} Before → after: {{beforeAfter}}.",
  unknownState:
    "{{when}}: {{who}} changed {{resource}} ({{summary}}), but whether {{member}} was up then is unknown: {{before}}; at {{downAt}} it was down{{more}}. Whether this change broke it, the samples cannot tell.",
  none: "No change in the window {{from}} – {{until}} preceded a health drop ({{changes}} changes read, {{series}} health series).",
  noChanges: "The changes in the window could not be read ({{reason}}), so whether a change preceded the drop is unknown.",
  noMetrics: "The health metrics could not be read ({{reason}}), so whether a change preceded a drop is unknown.",
} as const;

/**
 * change-before-failure: one fail per change that a member's drop followed (several when they were made too close
 * to the drop for the samples to order: each names the others, and the timeline weighs them against the failing
 * findings); one unknown per change made while a member's health was unknown (a gap in the metrics) and followed
 * by it being down; a pass when no change preceded a drop.
 */
export function checkChangeBeforeFailure<M extends Model>(ctx: RuleContext<M>, loadBalancers: Array<{ id: string; name: string }>): void {
  const time = ctx.model.time;
  if (!time) return; // no window in the snapshot: not applicable
  const missingChanges = time.missing.filter((m) => m.what === "changes");
  const missingMetrics = time.missing.filter((m) => m.what === "metrics");
  const { candidates: impacts, unknown } = analyzeChanges(time);
  for (const { change, drops, rivals } of impacts) {
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
        gap: delayText(change, first),
        member: first.series.label,
        metric: `${first.series.metric} ${first.at.value}`,
        // a drop found after a gap in the metrics: when in the gap, the samples cannot tell
        dropAt: first.after
          ? `${clock(first.at.t, time.window)}; up at ${clock(first.after.t, time.window)}, no samples in between`
          : clock(first.at.t, time.window),
        more: members.length > 1 ? ` and ${members.length - 1} more member${members.length > 2 ? "s" : ""} after it` : "",
        rivals: rivalsText(rivals, time),
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
  // a change made while a member's health was unknown (a gap in the metrics), the member down after it: unknown, never a stale sample's word
  const unsure = new Set<string>();
  for (const { change, members } of unknown) {
    const first = members[0] as (typeof members)[number];
    for (const m of members) unsure.add(idKey(m.series.loadBalancerId));
    ctx.report({
      status: "unknown",
      resourceId: change.resourceId,
      resourceName: change.resourceName,
      loadBalancerId: first.series.loadBalancerId,
      key: changeFindingKey(change),
      messageId: "unknownState",
      data: {
        when: clock(change.time, time.window),
        who: change.who ?? "an unknown caller",
        resource: change.resourceName,
        summary: change.summary,
        member: first.series.label,
        before: first.last
          ? `no ${first.series.metric} sample in the ${gapText(first.last.t, change.time)} before it (the last, at ${clock(first.last.t, time.window)}, was ${first.last.up ? "up" : "down"})`
          : `no ${first.series.metric} sample before it`,
        downAt: clock(first.down.t, time.window),
        more:
          members.length > 1
            ? `; so ${members.length > 2 ? "were" : "was"} ${members.length - 1} more member${members.length > 2 ? "s" : ""}`
            : "",
      },
      evidence: [
        { resourceId: change.resourceId, pointer: change.pointer, label: `change (${change.source})` },
        ...members
          .slice(0, 5)
          .map((m) => ({ resourceId: m.series.resourceId, pointer: m.series.pointer, label: `${m.series.metric} of ${m.series.label}` })),
      ],
      subjects: [change.resourceId, ...members.map((m) => m.series.resourceId)],
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
    if (unsure.has(idKey(lb.id))) continue; // a change's effect unknown: reported above, never a pass
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

/**
 * How long after a change its drop came, in words: "2 min"; for a drop found after a gap in the metrics, the range
 * the gap allows ("between 6 min and 37 min", from the first missing sample to the first down one), or "at most 2 min"
 * for a change made inside the gap.
 */
function delayText(change: ChangeImpact["change"], d: ChangeImpact["drops"][number]): string {
  if (!d.after) return gapText(change.time, d.at.t);
  const missing = timeMs(d.after.t) + sampleStep(d.series);
  if (timeMs(change.time) >= missing) return `at most ${gapText(change.time, d.at.t)}`;
  return `between ${gapText(change.time, new Date(missing).toISOString())} and ${gapText(change.time, d.at.t)}`;
}

/** Whether a gap about `scope` (none: the whole collection; `…/*`: everything under it) covers a load balancer. */
function covers(scope: string | undefined, id: string): boolean {
  if (!scope) return true;
  if (scope.endsWith("*")) return idKey(id).startsWith(idKey(scope.slice(0, -1)));
  return idKey(scope) === idKey(id);
}

/**
 * The rivals of a change, in one sentence: " carol's change to web-tg at 03:11:30 was made as close to a drop it
 * followed: the samples cannot order them (`lbdoctor timeline` weighs them against the failing findings)." Empty
 * without rivals.
 */
function rivalsText(rivals: ChangeImpact["rivals"], time: TimeData): string {
  if (rivals.length === 0) return "";
  const shown = rivals
    .slice(0, 3)
    .map((r) => `${r.who ?? "an unknown caller"}'s change to ${r.resourceName} at ${clock(r.time, time.window)}`)
    .join(", ");
  const more = rivals.length > 3 ? ` and ${rivals.length - 3} more` : "";
  const was = rivals.length > 1 ? "were" : "was";
  return ` ${shown}${more} ${was} made as close to a drop it followed: the samples cannot order them (lbdoctor timeline weighs them against the failing findings).`;
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
