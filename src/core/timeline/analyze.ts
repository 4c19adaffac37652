/**
 * Reading time data: state transitions of a health series, the first drop
 * after a change, flapping, and the one merged, time-ordered account of a
 * window (`lbdoctor timeline`, the report's `timeline`). Pure: time comes from
 * the snapshot (its window and its samples), never from the clock.
 */

import type { Finding } from "../engine/types.ts";
import { compareText } from "../util/collate.ts";
import { idKey } from "../util/resource-id.ts";
import type { Change, HealthPoint, HealthSeries, Spike, TimeData, TimeWindow } from "./types.ts";

export type { Change, HealthPoint, HealthSeries, Spike, TimeData, TimeWindow };

const ms = (t: string) => Date.parse(t);

/** The points where the state differs from the one before (the first point is not a transition). */
export function transitions(s: HealthSeries): HealthPoint[] {
  const out: HealthPoint[] = [];
  for (let i = 1; i < s.points.length; i++) {
    const p = s.points[i] as HealthPoint;
    if (p.up !== (s.points[i - 1] as HealthPoint).up) out.push(p);
  }
  return out;
}

/** The state at a time: the last sample at or before it (undefined before the first sample). */
export function stateAt(s: HealthSeries, t: string): boolean | undefined {
  const at = ms(t);
  let state: boolean | undefined;
  for (const p of s.points) {
    if (ms(p.t) > at) break;
    state = p.up;
  }
  return state;
}

/** The first sample after `t` that is down while the one before it was up (or the series was up at `t`). */
export function firstDropAfter(s: HealthSeries, t: string): HealthPoint | undefined {
  const at = ms(t);
  let prev = stateAt(s, t);
  for (const p of s.points) {
    if (ms(p.t) <= at) continue;
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
      const later = effective.some((o) => o !== change && path.has(idKey(o.resourceId)) && ms(o.time) > t && ms(o.time) <= ms(at.t));
      if (!later) drops.push({ series: s, at });
    }
    if (drops.length > 0) out.push({ change, drops: drops.sort((a, b) => ms(a.at.t) - ms(b.at.t)) });
  }
  return out.sort((a, b) => ms(a.change.time) - ms(b.change.time));
}

/** How long after `a` `b` is, in words ("2 min", "1 h 5 min", "40 s"). */
export function gapText(a: string, b: string): string {
  const s = Math.round((ms(b) - ms(a)) / 1000);
  if (Math.abs(s) < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (Math.abs(m) < 60) return `${m} min`;
  return `${Math.trunc(m / 60)} h ${Math.abs(m % 60)} min`;
}

/** `2026-03-14T03:10:00Z` → `03:10` (with the date when the window spans days). */
export function clock(t: string, window?: TimeWindow): string {
  const d = new Date(ms(t));
  const iso = d.toISOString();
  const sameDay = window ? window.from.slice(0, 10) === window.until.slice(0, 10) : true;
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
  const inScope = (lbId: string) => !scope || scope.has(idKey(lbId));
  const series = time.series.filter((s) => inScope(s.loadBalancerId));
  const pathKeys = new Set(series.flatMap((s) => s.path));
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
    window: time.window,
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

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

// ---------------------------------------------------------------------------
// rendering (plain text; the markdown formatter has its own)

const MARK = { change: "change", health: "health", spike: "spike " } as const;

/** The timeline as plain lines: one entry a line, changes with who, before → after and the revert. */
export function timelineLines(t: Timeline): string[] {
  const out: string[] = [];
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
  return out;
}
