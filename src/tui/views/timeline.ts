/**
 * The timeline view (`T`): one sparkline row per member (its health series)
 * and per load balancer (its 5xx or SNAT spikes), all on one shared time axis,
 * with a marker row for the changes (who / what written at the marker) and the
 * changes listed under it. The selected row's details sit in one line at the
 * bottom. In watch mode each poll's member states are appended on the same
 * axis, which grows to the last poll. Time comes from the snapshot's window
 * and samples (and the watch's polls); nothing reads the clock here.
 */

import type { Finding } from "../../core/engine/types.ts";
import { sanitize } from "../../core/report/sanitize.ts";
import {
  analyzeChanges,
  type CauseDrop,
  dropWords,
  gapBefore,
  clock as isoClock,
  rankCauses,
  transitions,
  unknownMembers,
  unknownText,
  valueText,
} from "../../core/timeline/analyze.ts";
import type { Change, HealthSeries, Spike, TimeData } from "../../core/timeline/types.ts";
import { compareText } from "../../core/util/collate.ts";
import { idKey } from "../../core/util/resource-id.ts";
import { plural } from "../../core/util/words.ts";
import type { Sample, WatchState } from "../session.ts";
import { cellWidth, pad, type Row, type Seg, truncate, wrap } from "../text.ts";
import type { TuiData } from "../types.ts";
import { marker } from "./overview.ts";
import type { Item, Rendered } from "./types.ts";

const ms = (t: string) => Date.parse(t);
const iso = (at: number) => new Date(at).toISOString().replace(".000Z", "Z");

/** One selectable row of the view. */
export type TimelineRow =
  | { kind: "member"; lbKey: string; label: string; series: HealthSeries; live?: Sample[] }
  | { kind: "live"; label: string; samples: Sample[] }
  | { kind: "traffic"; lbKey: string; label: string; metric: string; spikes: Spike[] }
  | {
      kind: "change";
      change: Change;
      likely: boolean;
      findings: string[];
      /** a likely cause set aside for a rival at another drop (rankCauses): those drops, "the 03:04 drop of vm1" */
      asideFor?: string[];
      /**
       * the drops found after a gap where neither time nor the failing findings tell it from a rival (rankCauses' `tied`):
       * "the drop of vm1 by 03:20 (up at 03:04, no samples in between)"
       */
      undecidedFor?: string[];
      /**
       * the members whose health at the change or after it is unknown, as the text timeline words them (unknownMembers):
       * "vm1: no DipAvailability sample between 03:04 (up) and 03:20 (up), a gap in which it may have gone down and come
       * back up"; also for a candidate made inside the gap a drop was found after: "vm1: no DipAvailability sample in
       * the 6 min before the change (the last, at 03:04, up); down at 03:20"
       */
      healthUnknown?: string[];
    };

export interface TimelineModel {
  /** the axis, in epoch ms */
  from: number;
  until: number;
  /** the snapshot's window (undefined when only the watch has samples) */
  window?: TimeData["window"];
  rows: TimelineRow[];
  /** lb key → name, for headings */
  lbNames: Map<string, string>;
  missing: TimeData["missing"];
}

/** Which watch timeline belongs to a series: the watch keys end with the member's normalized id. */
function liveFor(s: HealthSeries, watch: WatchState | undefined): Sample[] | undefined {
  if (!watch) return undefined;
  const k = `|${idKey(s.resourceId)}`;
  for (const [key, tl] of Object.entries(watch.timelines)) if (key.endsWith(k) && tl.samples.length > 0) return tl.samples;
  return undefined;
}

/** `causes` of a findings list, with the time data it was ranked against: a screen redraws many times over one load. */
const ranked = new WeakMap<Finding[], { time: TimeData; out: Weighed }>();

/** What the view says of the changes, by `change:<id>`: the causes the timeline weighs, and the members whose health is unknown. */
interface Weighed {
  causes: Map<string, Cause>;
  unknown: Map<string, string[]>;
}

/**
 * A change the timeline weighs: the rules of the failing findings naming it (none when it is not the likely cause),
 * the drops it was set aside for, the drops it is undecided for.
 */
interface Cause {
  rules: string[];
  asideFor: string[];
  undecidedFor: string[];
}

/**
 * The changes the timeline marks as the likely cause (rankCauses), by `change:<id>`: the rules of the failing findings
 * that name each, the drops it was set aside for a rival (it is the likely cause of another), and those it is
 * undecided for (`tied`: a drop after a gap the failing findings cannot tell it from a rival at); and the changes
 * undecided for a drop that are the likely cause of none, with no rules. And the changes made while a member's health
 * was unknown, or followed by no sample, too few, or a gap in its samples the member was up after, and the candidates
 * made inside the gap a drop was found after (unknownMembers, as the text timeline's `healthUnknown`), with what the
 * text timeline says of each member.
 */
function causes(time: TimeData | undefined, findings: Finding[]): Weighed {
  const out: Weighed = { causes: new Map(), unknown: new Map() };
  if (!time) return out;
  const known = ranked.get(findings);
  if (known?.time === time) return known.out;
  ranked.set(findings, { time, out });
  const rules = new Map(findings.map((f) => [f.id, f.ruleId]));
  const words = (drops: CauseDrop[] | undefined) => [
    ...new Set((drops ?? []).map((d) => dropWords(d, time.window, sanitize(d.series.label)))),
  ];
  const analysis = analyzeChanges(time);
  for (const [change, members] of unknownMembers(analysis))
    out.unknown.set(
      `change:${change.id}`,
      members.map((m) => sanitize(unknownText(m, change, time.window))),
    );
  for (const [key, v] of rankCauses(time, findings, analysis))
    if (v.likely || (v.tied ?? []).length > 0)
      out.causes.set(key, {
        rules: v.likely ? v.findings.map((id) => rules.get(id) ?? id) : [],
        asideFor: v.likely ? words(v.lost) : [],
        undecidedFor: words(v.tied),
      });
  return out;
}

/** The rows and the axis, from the data's time data and the watch. */
export function timelineModel(data: TuiData, watch0?: WatchState): TimelineModel {
  // the session seeds one sample per member at load; the watch shows on the axis once it has polled
  const watch = watch0 && watch0.polls > 0 ? watch0 : undefined;
  const time = data.time;
  const lbNames = new Map(data.lbs.map((l) => [l.key, sanitize(l.name)]));
  const rows: TimelineRow[] = [];
  const matched = new Set<Sample[]>();
  for (const lb of data.lbs) {
    const series = (time?.series ?? []).filter((s) => idKey(s.loadBalancerId) === lb.key).sort((a, b) => compareText(a.label, b.label));
    for (const s of series) {
      const live = liveFor(s, watch);
      if (live) matched.add(live);
      rows.push({ kind: "member", lbKey: lb.key, label: sanitize(s.label), series: s, ...(live ? { live } : {}) });
    }
    const spikes = (time?.spikes ?? []).filter((x) => idKey(x.loadBalancerId) === lb.key);
    const metrics = [...new Set(spikes.map((x) => x.metric))].sort();
    for (const metric of metrics) {
      rows.push({
        kind: "traffic",
        lbKey: lb.key,
        label: `${sanitize(lb.name)} ${metric}`,
        metric,
        spikes: spikes.filter((x) => x.metric === metric),
      });
    }
    if (time && metrics.length === 0 && series.length > 0) {
      const what = data.provider === "aws" ? "5xx" : "SNAT";
      rows.push({ kind: "traffic", lbKey: lb.key, label: `${sanitize(lb.name)} ${what}`, metric: `${what} (no spike)`, spikes: [] });
    }
  }
  for (const tl of Object.values(watch?.timelines ?? {})) {
    if (tl.samples.length === 0 || matched.has(tl.samples)) continue;
    rows.push({ kind: "live", label: sanitize(tl.label), samples: tl.samples });
  }
  const likely = causes(time, data.findings);
  let from = Number.POSITIVE_INFINITY;
  let until = Number.NEGATIVE_INFINITY;
  if (time) {
    from = ms(time.window.from);
    until = ms(time.window.until);
    for (const c of time.changes) {
      const t = ms(c.time);
      if (t < from || t > until) continue;
      const cause = likely.causes.get(`change:${c.id}`);
      const unknown = likely.unknown.get(`change:${c.id}`) ?? [];
      const ids = cause?.rules ?? [];
      rows.push({
        kind: "change",
        change: c,
        likely: ids.length > 0,
        findings: ids,
        ...(cause && cause.asideFor.length > 0 ? { asideFor: cause.asideFor } : {}),
        ...(cause && cause.undecidedFor.length > 0 ? { undecidedFor: cause.undecidedFor } : {}),
        ...(unknown.length > 0 ? { healthUnknown: unknown } : {}),
      });
    }
  }
  for (const tl of Object.values(watch?.timelines ?? {})) {
    for (const s of tl.samples) {
      from = Math.min(from, s.at);
      until = Math.max(until, s.at);
    }
  }
  if (!Number.isFinite(from) || !Number.isFinite(until)) {
    from = 0;
    until = 0;
  }
  if (until <= from) until = from + 60_000;
  return { from, until, ...(time ? { window: time.window } : {}), rows, lbNames, missing: time?.missing ?? [] };
}

export function timelineItems(data: TuiData, watch?: WatchState): Item[] {
  return timelineModel(data, watch).rows.map((r): Item => {
    if (r.kind === "change" && r.change.revert[0]) return { kind: "command", text: r.change.revert[0] };
    return { kind: "block" };
  });
}

// ---------------------------------------------------------------------------
// the axis

interface Axis {
  from: number;
  until: number;
  cols: number;
}

function colOf(a: Axis, t: number): number {
  const x = Math.floor(((t - a.from) / (a.until - a.from)) * a.cols);
  return Math.max(0, Math.min(a.cols - 1, x));
}

/** "03:10" in UTC (with the date when the axis spans days). */
function hhmm(a: Axis, t: number): string {
  const sameDay = iso(a.from).slice(0, 10) === iso(a.until).slice(0, 10);
  const s = iso(t);
  return sameDay ? s.slice(11, 16) : `${s.slice(5, 10)} ${s.slice(11, 16)}`;
}

const UP = "█";
const DOWN = "▁";
const NONE = "·";
const LEVELS = "▁▂▃▄▅▆▇█";

type Cell = "up" | "down" | "none";

/** Per column: down when any sample in it is down (a short drop stays visible), up when all are up, none without samples. */
function healthCells(a: Axis, points: Array<{ at: number; up: boolean | undefined }>): Cell[] {
  const cells: Cell[] = new Array(a.cols).fill("none");
  for (const p of points) {
    if (p.at < a.from || p.at > a.until || p.up === undefined) continue;
    const c = colOf(a, p.at);
    if (!p.up) cells[c] = "down";
    else if (cells[c] === "none") cells[c] = "up";
  }
  return cells;
}

function cellSegs(cells: Cell[]): Seg[] {
  const out: Seg[] = [];
  for (const c of cells) {
    const t = c === "up" ? UP : c === "down" ? DOWN : NONE;
    const color: Seg["color"] = c === "up" ? "green" : c === "down" ? "red" : "gray";
    const last = out[out.length - 1];
    if (last && last.color === color) last.t += t;
    else out.push({ t, color, ...(c === "none" ? { dim: true } : {}) });
  }
  return out;
}

const liveUp = (state: string): boolean | undefined => {
  const l = state.toLowerCase();
  return l === "up" ? true : l === "down" ? false : undefined;
};

function memberCells(a: Axis, r: Extract<TimelineRow, { kind: "member" | "live" }>): Cell[] {
  const pts: Array<{ at: number; up: boolean | undefined }> = [];
  if (r.kind === "member") for (const p of r.series.points) pts.push({ at: ms(p.t), up: p.up });
  for (const s of r.kind === "member" ? (r.live ?? []) : r.samples) pts.push({ at: s.at, up: liveUp(s.state) });
  return healthCells(a, pts);
}

function trafficSegs(a: Axis, spikes: Spike[]): Seg[] {
  const vals: number[] = new Array(a.cols).fill(0);
  for (const x of spikes) {
    const t = ms(x.t);
    if (t < a.from || t > a.until) continue;
    const c = colOf(a, t);
    vals[c] = Math.max(vals[c] as number, x.value);
  }
  const peak = Math.max(0, ...vals);
  const out: Seg[] = [];
  for (const v of vals) {
    const t = v <= 0 || peak <= 0 ? NONE : (LEVELS[Math.min(LEVELS.length - 1, Math.ceil((v / peak) * LEVELS.length) - 1)] as string);
    const color: Seg["color"] = v > 0 ? "yellow" : "gray";
    const last = out[out.length - 1];
    if (last && last.color === color) last.t += t;
    else out.push({ t, color, ...(v > 0 ? {} : { dim: true }) });
  }
  return out;
}

// ---------------------------------------------------------------------------
// rendering

/** Widths: "› " + label + " " + the chart. */
function layout(width: number): { labW: number; cols: number } {
  const W = Math.max(40, width);
  const labW = Math.min(28, Math.max(12, Math.floor(W * 0.28)));
  return { labW, cols: Math.max(10, W - labW - 3) };
}

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880];

/** Tick labels over the chart: round times (every 1, 2, 5, 10, 15, 30 min, 1 h…) at least 12 columns apart. */
function axisRow(a: Axis, labW: number): Row {
  const line = new Array<string>(a.cols).fill(" ");
  const perCol = (a.until - a.from) / a.cols;
  const step = (STEPS.find((m) => (m * 60_000) / perCol >= 12) ?? 2880) * 60_000;
  for (let t = Math.ceil(a.from / step) * step; t < a.until; t += step) {
    const c = Math.ceil((t - a.from) / perCol);
    const label = hhmm(a, t);
    if (c + label.length > a.cols) break;
    for (let i = 0; i < label.length; i++) line[c + i] = label[i] as string;
  }
  return [{ t: " ".repeat(labW + 3) }, { t: line.join(""), dim: true }];
}

function whoWhat(c: Change): string {
  return `${c.who ? `${sanitize(c.who)}: ` : ""}${sanitize(c.summary)}`;
}

/** The marker row (▼ per change, ◆ for a likely cause, inverse when selected) and the row under it with who / what at each marker. */
function markerRows(a: Axis, labW: number, changes: Array<{ row: Extract<TimelineRow, { kind: "change" }>; selected: boolean }>): Row[] {
  const marks = new Array<Seg>(a.cols).fill({ t: " " }).map(() => ({ t: " " }) as Seg);
  const at = changes.map((x) => ({ ...x, col: colOf(a, ms(x.row.change.time)) })).sort((p, q) => p.col - q.col);
  for (const x of at) {
    const cur = marks[x.col] as Seg;
    const sym = x.row.likely ? "◆" : "▼";
    if (cur.t === " " || x.selected || (x.row.likely && cur.t === "▼"))
      marks[x.col] = { t: sym, color: x.row.likely ? "red" : "cyan", bold: true, ...(x.selected ? { inverse: true } : {}) };
  }
  const markRow: Row = [{ t: pad("changes", labW + 3), dim: true }, ...marks];
  // who / what: at each marker, up to the next one (or before it, right-aligned, near the right edge)
  const text = new Array<string>(a.cols).fill(" ");
  const cols = [...new Set(at.map((x) => x.col))];
  const taken: Array<[number, number]> = []; // [start, end) of the labels placed
  const free = (c: number) => !taken.some(([s0, e0]) => c >= s0 && c < e0);
  // the selected change first, then likely causes, then the rest in time order: each writes at its marker while there is room
  const order = [...at].sort(
    (p, q) => Number(q.selected) - Number(p.selected) || Number(q.row.likely) - Number(p.row.likely) || p.col - q.col,
  );
  const done = new Set<number>();
  for (const x of order) {
    if (done.has(x.col)) continue;
    done.add(x.col);
    const body = whoWhat(x.row.change);
    let end = x.col;
    while (end < a.cols && free(end) && (end === x.col || !cols.includes(end))) end++;
    let start = x.col;
    while (start > 0 && free(start - 1) && !cols.includes(start - 1)) start--;
    let str: string;
    let c: number;
    if (end - x.col >= 8) {
      str = `└${truncate(body, end - x.col - 2)}`;
      c = x.col;
    } else if (x.col - start >= 8) {
      str = `${truncate(body, x.col - start - 2)}┘`;
      c = x.col - cellWidth(str) + 1;
    } else continue;
    taken.push([c, c + cellWidth(str) + 1]);
    for (const ch of str) if (c >= 0 && c < a.cols) text[c++] = ch;
  }
  const textRow: Row = [{ t: " ".repeat(labW + 3) }, { t: text.join("").replace(/\s+$/, ""), dim: true }];
  return [markRow, textRow];
}

export interface TimelineRendered extends Rendered {
  /** the selected row's details, one line (wrapped by the screen) */
  detail: string;
}

/** Rows of the view at `width`: title, axis, markers, one sparkline row per member and load balancer, then the changes. */
export function timelineRows(data: TuiData, selected: number, width: number, watch?: WatchState): TimelineRendered {
  const W = Math.max(40, width);
  const m = timelineModel(data, watch);
  const rows: Row[] = [];
  const spans: Rendered["spans"] = [];
  if (m.rows.length === 0) {
    rows.push([{ t: "TIMELINE", bold: true }]);
    const why = data.checking
      ? `The timeline is drawn once the rules have run (checking ${plural(data.checking.rules, "rule")}): it joins the time data to their findings.`
      : data.time
        ? "Nothing to draw: the window has no health series, spikes or changes for these load balancers."
        : "This snapshot holds no time data (observations.window). Collect it with `lbdoctor snapshot --since 6h <target> -o file.json` " +
          "and open that file, or watch live (w) to fill this view poll by poll.";
    for (const l of wrap(why, W)) rows.push([{ t: l, color: "yellow" }]);
    return { rows, spans, detail: "" };
  }
  const { labW, cols } = layout(W);
  const a: Axis = { from: m.from, until: m.until, cols };
  const minutes = Math.round((m.until - m.from) / 60_000);
  const per = (m.until - m.from) / cols / 60_000;
  const perText = per >= 1 ? `${per.toFixed(per < 10 ? 1 : 0).replace(/\.0$/, "")} min` : `${Math.max(1, Math.round(per * 60))} s`;
  rows.push([
    { t: "TIMELINE", bold: true },
    { t: truncate(` · ${hhmm(a, m.from)} → ${hhmm(a, m.until)} UTC · ${minutes} min · a column is ${perText}`, W - 8), dim: true },
  ]);
  rows.push(axisRow(a, labW));
  const changes = m.rows
    .map((r, i) => ({ r, i }))
    .filter((x): x is { r: Extract<TimelineRow, { kind: "change" }>; i: number } => x.r.kind === "change");
  if (changes.length > 0)
    rows.push(
      ...markerRows(
        a,
        labW,
        changes.map((x) => ({ row: x.r, selected: x.i === selected })),
      ),
    );
  const multi = new Set(m.rows.flatMap((r) => (r.kind === "member" || r.kind === "traffic" ? [r.lbKey] : []))).size > 1;
  let lastLb: string | undefined;
  let liveHead = false;
  let changeHead = false;
  m.rows.forEach((r, i) => {
    const sel = i === selected;
    if ((r.kind === "member" || r.kind === "traffic") && multi && r.lbKey !== lastLb) {
      rows.push([{ t: truncate(m.lbNames.get(r.lbKey) ?? r.lbKey, W), bold: true }]);
      lastLb = r.lbKey;
    }
    if (r.kind === "live" && !liveHead) {
      rows.push([{ t: "watch (live polls)", bold: true }]);
      liveHead = true;
    }
    if (r.kind === "change" && !changeHead) {
      rows.push([]);
      rows.push([{ t: truncate(`CHANGES · ${changes.length} in the window`, W), bold: true }]);
      changeHead = true;
    }
    const start = rows.length;
    if (r.kind === "change") {
      const c = r.change;
      const when = isoClock(c.time, m.window).padEnd(m.window && m.window.from.slice(0, 10) !== m.window.until.slice(0, 10) ? 19 : 8);
      const tail = `${r.likely ? " ◀ likely cause" : ""}`;
      const body = `${sanitize(c.summary)}${c.who ? ` — by ${sanitize(c.who)}` : ""}`;
      const avail = W - 2 - cellWidth(when) - 3 - cellWidth(tail);
      rows.push([
        marker(sel),
        { t: `${when} `, bold: sel },
        { t: r.likely ? "◆ " : "▼ ", color: r.likely ? "red" : "cyan", bold: true },
        { t: truncate(body, Math.max(8, avail)), bold: sel },
        ...(tail ? [{ t: tail, color: "red" as const, bold: true }] : []),
      ]);
    } else {
      const segs = r.kind === "traffic" ? trafficSegs(a, r.spikes) : cellSegs(memberCells(a, r));
      rows.push([marker(sel), { t: `${pad(r.label, labW)} `, bold: sel }, ...segs]);
    }
    spans.push([start, rows.length]);
  });
  for (const g of m.missing) {
    rows.push([{ t: truncate(`gap: ${sanitize(g.operation)}: ${sanitize(g.message)}`, W), color: "yellow" }]);
  }
  return { rows, spans, detail: rowDetail(m, m.rows[selected]) };
}

/** The selected row in one line: a member's transitions, a load balancer's peak, a change's before → after and revert. */
export function rowDetail(m: TimelineModel, r: TimelineRow | undefined): string {
  if (!r) return "";
  const at = (t: string) => isoClock(t, m.window);
  switch (r.kind) {
    case "member": {
      const s = r.series;
      const tr = transitions(s);
      const last = s.points[s.points.length - 1];
      // after a gap in the samples, the change happened somewhere in it: dated by both ends, as the timeline dates it
      const moves = tr
        .map((p) => {
          const gap = gapBefore(s, p);
          const state = p.up ? "up" : "down";
          return gap
            ? `${state} by ${at(p.t)} (${gap.up ? "up" : "down"} at ${at(gap.t)}, no samples in between)`
            : `${state} at ${at(p.t)}`;
        })
        .join(", ");
      const live = r.live?.[r.live.length - 1];
      return [
        `${r.label} · ${s.metric}`,
        tr.length === 0
          ? `no change of state${last ? ` (${last.up ? "up" : "down"})` : ""}`
          : `${tr.length} change${tr.length === 1 ? "" : "s"} of state: ${moves}`,
        s.rule,
        ...(live ? [`watch: ${sanitize(live.state)} at ${at(iso(live.at))}`] : []),
      ].join(" · ");
    }
    case "live": {
      const last = r.samples[r.samples.length - 1];
      return `${r.label} · watch: ${r.samples.length} poll${r.samples.length === 1 ? "" : "s"}${last ? `, ${sanitize(last.state)} at ${at(iso(last.at))}` : ""}`;
    }
    case "traffic": {
      if (r.spikes.length === 0) return `${r.label} · no spike in the window`;
      const peak = r.spikes.reduce((p, x) => (x.value > p.value ? x : p));
      const minutes = new Set(r.spikes.map((x) => x.t)).size;
      return `${r.label} · peak ${Number.isInteger(peak.value) ? peak.value : peak.value.toFixed(1)} at ${at(peak.t)}${peak.resourceId ? ` (${sanitize(peak.label)})` : ""} · ${minutes} minute${minutes === 1 ? "" : "s"} above zero`;
    }
    case "change": {
      const c = r.change;
      const props = c.properties
        .slice(0, 3)
        .map((p) => `${sanitize(p.path)}: ${sanitize(valueText(p.before))} → ${sanitize(valueText(p.after))}`);
      return [
        `${at(c.time)}${c.who ? ` ${sanitize(c.who)}` : ""} · ${sanitize(c.operation)}${c.status && !/^succeeded$/i.test(c.status) ? ` (${sanitize(c.status)})` : ""}`,
        ...(r.likely ? [`likely cause of ${[...new Set(r.findings)].join(", ")}`] : []),
        ...(r.asideFor ? [`set aside for a rival at ${r.asideFor.join(", ")}`] : []),
        ...(r.undecidedFor ? [`undecided for ${r.undecidedFor.join(", ")}`] : []),
        ...(r.healthUnknown ? [`health unknown: ${r.healthUnknown.join("; ")}`] : []),
        ...(c.revert[0] ? [`revert (enter copies): $ ${sanitize(c.revert[0])}`] : []),
        ...props,
      ].join(" · ");
    }
  }
}
