/**
 * Reading time data: state transitions of a health series, the first drop
 * after a change, flapping, and the one merged, time-ordered account of a
 * window (`lbdoctor timeline`, the report's `timeline`). Pure: time comes from
 * the snapshot (its window and its samples), never from the clock.
 */

import type { Finding } from "../engine/types.ts";
import { InputError } from "../errors.ts";
import { oneLine, sanitize } from "../report/sanitize.ts";
import { compareText } from "../util/collate.ts";
import { idKey } from "../util/resource-id.ts";
import type { Change, HealthPoint, HealthSeries, Spike, TimeData, TimeWindow } from "./types.ts";

export type { Change, HealthPoint, HealthSeries, Spike, TimeData, TimeWindow };

/** A date and time with no zone (`2026-03-14T03:10:04`, `2026-03-14 03:10`): what `Date.parse` would read in local time. */
const ZONELESS = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * A time of the time data in epoch milliseconds. One without a zone (a hand-made snapshot, a tool's export) is read
 * as UTC, the zone of every time lbdoctor prints: `Date.parse` alone would read it in this machine's time zone, and
 * the same snapshot would join a change to a drop on one machine and not on another.
 */
export function timeMs(t: string): number {
  return Date.parse(ZONELESS.test(t) ? `${t}Z` : t);
}

const ms = timeMs;

/** A time as UTC RFC 3339 (`2026-03-14T03:10:00Z`), whatever zone it was written in; as written when it is no time. */
export function utcText(t: string): string {
  const v = timeMs(t);
  return Number.isNaN(v) ? t : new Date(v).toISOString().replace(".000Z", "Z");
}

/** The points where the state differs from the one before (the first point is not a transition). */
export function transitions(s: HealthSeries): HealthPoint[] {
  const out: HealthPoint[] = [];
  for (let i = 1; i < s.points.length; i++) {
    const p = s.points[i] as HealthPoint;
    if (p.up !== (s.points[i - 1] as HealthPoint).up) out.push(p);
  }
  return out;
}

/**
 * How long one sample of a series stands for: the smallest gap between two of its samples (a minute for Azure's
 * PT1M metrics and CloudWatch's 60-second periods), a minute when it has fewer than two.
 */
export function sampleStep(s: HealthSeries): number {
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < s.points.length; i++) {
    const d = ms((s.points[i] as HealthPoint).t) - ms((s.points[i - 1] as HealthPoint).t);
    if (d > 0 && d < step) step = d;
  }
  return Number.isFinite(step) ? step : 60_000;
}

/**
 * The state before a time: the last sample whose interval ended at or before it (undefined when none did). A sample
 * is stamped with the start of its interval (an Azure metric's `timeStamp`, a CloudWatch period's timestamp) and
 * aggregates the whole interval: the one stamped 03:12 already holds what a change at 03:12:04 did.
 */
export function stateAt(s: HealthSeries, t: string): boolean | undefined {
  const at = ms(t);
  const step = sampleStep(s);
  let state: boolean | undefined;
  for (const p of s.points) {
    if (ms(p.t) + step > at) break;
    state = p.up;
  }
  return state;
}

/**
 * The first sample whose interval ends after `t` that is down while the one before it was up (or the series was up
 * before `t`): the sample of the interval `t` falls in counts, as it holds what happened after `t` in it.
 */
export function firstDropAfter(s: HealthSeries, t: string): HealthPoint | undefined {
  const at = ms(t);
  const step = sampleStep(s);
  let prev = stateAt(s, t);
  for (const p of s.points) {
    if (ms(p.t) + step <= at) continue;
    if (!p.up && prev !== false) return p;
    prev = p.up;
  }
  return undefined;
}

/** A short picture of a series: `▇▇▁▁▇▁` (one character a sample, at most `width`, by majority). */
export function sparkline(s: HealthSeries, width = 60): string {
  const pts = s.points;
  if (pts.length === 0) return "";
  const per = Math.max(1, Math.ceil(pts.length / width));
  let out = "";
  for (let i = 0; i < pts.length; i += per) {
    const slice = pts.slice(i, i + per);
    const up = slice.filter((p) => p.up).length;
    out += up * 2 >= slice.length ? "▇" : "▁";
  }
  return out;
}

export interface ChangeImpact {
  change: Change;
  /** each series on the change's path that was up at the change and dropped after it, with the first down sample */
  drops: Array<{ series: HealthSeries; at: HealthPoint }>;
}

/**
 * The changes inside the window that touched a resource on a member's path
 * while the member was up, followed by a drop of that member's health, with
 * no other change on that path in between (the nearest change is the likely
 * one). Sorted by change time.
 */
export function changeImpacts(time: TimeData): ChangeImpact[] {
  const from = ms(time.window.from);
  const until = ms(time.window.until);
  const byPath = new Map<string, HealthSeries[]>();
  for (const s of time.series) {
    for (const k of s.path) {
      let list = byPath.get(k);
      if (!list) byPath.set(k, (list = []));
      list.push(s);
    }
  }
  const out: ChangeImpact[] = [];
  const effective = time.changes.filter((c) => {
    const t = ms(c.time);
    return t >= from && t <= until && (!c.status || /^succeeded$/i.test(c.status));
  });
  for (const change of effective) {
    const t = ms(change.time);
    const drops: ChangeImpact["drops"] = [];
    for (const s of byPath.get(idKey(change.resourceId)) ?? []) {
      if (stateAt(s, change.time) === false) continue; // already down: this change did not start it
      const at = firstDropAfter(s, change.time);
      if (!at) continue;
      // the nearest change before the drop on this member's path is the likely one, not an older one
      const path = new Set(s.path);
      const onPath = (o: Change) => o !== change && path.has(idKey(o.resourceId));
      const dropFrom = ms(at.t);
      const later = effective.some((o) => onPath(o) && ms(o.time) > t && ms(o.time) <= dropFrom);
      // a change inside the drop's own interval: an earlier change in that interval, or in the one before it, is likelier
      const step = sampleStep(s);
      const earlier = t > dropFrom && effective.some((o) => onPath(o) && ms(o.time) < t && ms(o.time) >= dropFrom - step);
      if (!later && !earlier) drops.push({ series: s, at });
    }
    if (drops.length > 0) out.push({ change, drops: drops.sort((a, b) => ms(a.at.t) - ms(b.at.t)) });
  }
  return out.sort((a, b) => ms(a.change.time) - ms(b.change.time));
}

/** How long after `a` `b` is, in words ("2 min", "1 h 5 min", "40 s"); "0 s" when `b` is not after `a`. */
export function gapText(a: string, b: string): string {
  // a drop seen in the sample whose interval holds the change: that sample starts before it
  const s = Math.max(0, Math.round((ms(b) - ms(a)) / 1000));
  if (Math.abs(s) < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (Math.abs(m) < 60) return `${m} min`;
  return `${Math.trunc(m / 60)} h ${Math.abs(m % 60)} min`;
}

/** `2026-03-14T03:10:00Z` → `03:10` (with the date when the window spans days). */
export function clock(t: string, window?: TimeWindow): string {
  const d = new Date(ms(t));
  const iso = d.toISOString();
  // the days are UTC days: a window written with an offset (`+02:00`) may span two of them, or one
  const sameDay = window ? utcText(window.from).slice(0, 10) === utcText(window.until).slice(0, 10) : true;
  const hhmm = iso.slice(11, d.getUTCSeconds() === 0 ? 16 : 19);
  return sameDay ? hhmm : `${iso.slice(0, 10)} ${hhmm}`;
}

/** Renders a before/after value in one short line. */
export function valueText(v: unknown): string {
  if (v === undefined || v === null || v === "") return "(none)";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

// ---------------------------------------------------------------------------
// the timeline

export interface TimelineEntry {
  t: string;
  kind: "change" | "health" | "spike";
  /** the resource: the changed one, the member, the load balancer */
  resourceId: string;
  label: string;
  /** one line, e.g. "10.0.0.4 (vm1) went down (DipAvailability 0 %)" */
  text: string;
  who?: string;
  /** for changes: each property's before → after */
  properties?: Array<{ path: string; before: string; after: string }>;
  /** for changes: the commands that undo it */
  revert?: string[];
  /** a change that a failing finding names as the cause of a drop */
  likelyCause?: boolean;
  /** the findings that name this change as the cause */
  findings?: string[];
  pointer: string;
}

export interface Timeline {
  window: TimeWindow;
  entries: TimelineEntry[];
  /** per member: its health series in one line, for an overview */
  members: Array<{ resourceId: string; label: string; metric: string; transitions: number; sparkline: string }>;
  missing: TimeData["missing"];
}

/** The key a change-before-failure finding carries for the change it names (see the rules). */
export function changeFindingKey(change: Change): string {
  return `change:${change.id}`;
}

/**
 * One merged, time-ordered account: changes (who, what, before → after, the
 * revert), health transitions per member, spikes (consecutive minutes folded
 * into one entry with the peak). A change named by a failing finding's key
 * (`change:<id>`) is marked as the likely cause. `scope`, when given, keeps the
 * entries of those load balancers, and when it leaves some out, only the
 * changes on their members' paths.
 */
export function buildTimeline(time: TimeData, findings: Finding[], scope?: Set<string>): Timeline {
  checkTimes(time);
  const inScope = (lbId: string) => !scope || scope.has(idKey(lbId));
  const series = time.series.filter((s) => inScope(s.loadBalancerId));
  // the load balancers in scope are on their own paths, also when no series of theirs was read (metrics.list 403)
  const pathKeys = new Set([...series.flatMap((s) => s.path), ...(scope ?? [])]);
  const narrowed = scope !== undefined && series.length < time.series.length;
  const causes = new Map<string, string[]>();
  for (const f of findings) {
    if (f.status !== "fail" || !f.key?.startsWith("change:")) continue;
    const list = causes.get(f.key) ?? [];
    list.push(f.id);
    causes.set(f.key, list);
  }
  const entries: TimelineEntry[] = [];
  for (const c of time.changes) {
    if (narrowed && !pathKeys.has(idKey(c.resourceId))) continue;
    const e: TimelineEntry = {
      t: c.time,
      kind: "change",
      resourceId: c.resourceId,
      label: c.resourceName,
      text: `${c.summary}${c.status && !/^succeeded$/i.test(c.status) ? ` (${c.status})` : ""}`,
      properties: c.properties.map((p) => ({ path: p.path, before: valueText(p.before), after: valueText(p.after) })),
      revert: c.revert,
      pointer: c.pointer,
    };
    if (c.who) e.who = c.who;
    const ids = causes.get(changeFindingKey(c));
    if (ids) {
      e.likelyCause = true;
      e.findings = ids;
    }
    entries.push(e);
  }
  for (const s of series) {
    for (const p of transitions(s)) {
      entries.push({
        t: p.t,
        kind: "health",
        resourceId: s.resourceId,
        label: s.label,
        text: `${s.label} went ${p.up ? "up" : "down"} (${s.metric} ${fmt(p.value)})`,
        pointer: s.pointer,
      });
    }
  }
  const spikes = time.spikes.filter((x) => inScope(x.loadBalancerId));
  const groups = new Map<string, Spike[]>();
  for (const x of spikes) {
    const k = `${x.metric}|${x.resourceId ?? x.loadBalancerId}|${x.label}`;
    const list = groups.get(k) ?? [];
    list.push(x);
    groups.set(k, list);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => ms(a.t) - ms(b.t));
    let run: Spike[] = [];
    const flush = () => {
      if (run.length === 0) return;
      const first = run[0] as Spike;
      const last = run[run.length - 1] as Spike;
      const peak = Math.max(...run.map((x) => x.value));
      const span = run.length > 1 ? ` from ${clock(first.t, time.window)} to ${clock(last.t, time.window)}` : "";
      entries.push({
        t: first.t,
        kind: "spike",
        resourceId: first.resourceId ?? first.loadBalancerId,
        label: first.label,
        text: `${first.metric} on ${first.label}: peak ${fmt(peak)}${span}`,
        pointer: first.pointer,
      });
      run = [];
    };
    for (const x of list) {
      const prev = run[run.length - 1];
      if (prev && ms(x.t) - ms(prev.t) > 60_000) flush();
      run.push(x);
    }
    flush();
  }
  const order = { change: 0, health: 1, spike: 2 } as const;
  entries.sort((a, b) => ms(a.t) - ms(b.t) || order[a.kind] - order[b.kind] || compareText(a.label, b.label));
  return {
    // printed as UTC (the timeline's one zone), however the snapshot wrote it
    window: { from: utcText(time.window.from), until: utcText(time.window.until) },
    entries,
    members: series.map((s) => ({
      resourceId: s.resourceId,
      label: s.label,
      metric: s.metric,
      transitions: transitions(s).length,
      sparkline: sparkline(s),
    })),
    missing: time.missing,
  };
}

/**
 * Every time the timeline places is a time: a change, a sample or a spike whose time does not parse (`yesterday`, in
 * a hand-made snapshot) could be neither ordered nor printed. Malformed input: InputError (exit 2), naming where.
 */
function checkTimes(time: TimeData): void {
  const bad = (t: unknown) => typeof t !== "string" || Number.isNaN(timeMs(t));
  const found =
    time.changes.find((c) => bad(c.time)) ??
    time.series.flatMap((s) => s.points.filter((p) => bad(p.t)).map((p) => ({ pointer: s.pointer, time: p.t }))).at(0) ??
    time.spikes.find((x) => bad(x.t));
  if (!found) return;
  const at = "time" in found ? found.time : found.t;
  throw new InputError(
    `the snapshot's time data is not valid:\n  ${sanitize(found.pointer)}: the time ${sanitize(JSON.stringify(at) ?? String(at))} is not an RFC 3339 date and time, such as 2026-03-14T03:10:00Z`,
  );
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

// ---------------------------------------------------------------------------
// rendering (plain text; the markdown formatter has its own)

const MARK = { change: "change", health: "health", spike: "spike " } as const;

/**
 * The timeline as plain lines: one entry a line, changes with who, before → after and the revert. Every line is
 * sanitized and kept to one line (a caller, a tag value or a summary comes from the cloud): the lines also go to a
 * file (`timeline -o`), where no last guard on stdout neutralizes an escape sequence.
 */
export function timelineLines(t: Timeline): string[] {
  const lines: string[] = [];
  const out = { push: (s: string) => lines.push(oneLine(sanitize(s))) };
  out.push(`Timeline ${t.window.from} → ${t.window.until} (UTC)`);
  for (const m of t.members)
    out.push(`  ${m.sparkline}  ${m.label} (${m.metric}, ${m.transitions} change${m.transitions === 1 ? "" : "s"} of state)`);
  out.push("");
  if (t.entries.length === 0) out.push("  Nothing happened in the window: no changes, no health transitions, no spikes.");
  for (const e of t.entries) {
    const cause = e.likelyCause ? "  ◀ likely cause" : "";
    out.push(`  ${clock(e.t, t.window).padEnd(8)} ${MARK[e.kind]}  ${e.text}${e.who ? ` — by ${e.who}` : ""}${cause}`);
    if (e.kind === "change" && e.likelyCause) {
      for (const p of (e.properties ?? []).slice(0, 8)) out.push(`             ${p.path}: ${p.before} → ${p.after}`);
      for (const c of e.revert ?? []) out.push(`             revert: $ ${c}`);
    }
  }
  for (const m of t.missing) out.push(`  gap: ${m.operation}${m.resourceId ? ` (${m.resourceId})` : ""}: ${m.message}`);
  return lines;
}
