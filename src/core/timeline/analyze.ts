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
import type { Change, HealthPoint, HealthSeries, Spike, TimeData, TimeWindow, UnobservedMember } from "./types.ts";

export type { Change, HealthPoint, HealthSeries, Spike, TimeData, TimeWindow, UnobservedMember };

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

/** Each series' step, by its points (recomputed when their number changes). */
const steps = new WeakMap<HealthPoint[], { n: number; step: number }>();

/**
 * How long one sample of a series stands for: its grain. The grain the API answered in (`step`: Azure Monitor's
 * `interval`, PT1M; CloudWatch's `Period`, 60 seconds) when the series carries it. Both answer in fixed-grain buckets,
 * each stamped with its start, and leave out a bucket with no data (CloudWatch reports nothing for a minute without
 * requests): a missing bucket makes a spacing of two grains or more between two samples (a gap: see beforeGap).
 *
 * A series without one (made by hand) has its grain guessed from the spacings between consecutive samples (in whole
 * seconds), a minute when it has fewer than two samples: the most common spacing (of two as common, the shorter),
 * unless a shorter spacing is itself common, the shortest such. Common: it occurs at least twice, at least a quarter as
 * often as the most common one, and is at least half as long. Not the smallest spacing alone: one sample off the grid
 * (03:30:30 in a 1-minute series; two samples a minute apart in a 5-minute one) would make every ordinary interval of
 * the series a gap, and its spacings occur once or twice, far less often than the grain's. Not the most common alone:
 * a sparse series (samples every other minute for 40 minutes, then every minute for 10) would read 2 minutes and hide
 * every missing minute, though its 1-minute spacings, ten of them, show the grain.
 */
export function sampleStep(s: HealthSeries): number {
  if (typeof s.step === "number" && Number.isFinite(s.step) && s.step > 0) return s.step;
  const known = steps.get(s.points);
  if (known && known.n === s.points.length) return known.step;
  const count = new Map<number, number>();
  for (let i = 1; i < s.points.length; i++) {
    const d = Math.round((ms((s.points[i] as HealthPoint).t) - ms((s.points[i - 1] as HealthPoint).t)) / 1000) * 1000;
    if (d > 0) count.set(d, (count.get(d) ?? 0) + 1);
  }
  let common = 60_000;
  let most = 0;
  for (const [d, n] of count) if (n > most || (n === most && d < common)) [common, most] = [d, n];
  let out = common;
  for (const [d, n] of count) if (d < out && n >= 2 && 4 * n >= most && 2 * d >= common) out = d;
  steps.set(s.points, { n: s.points.length, step: out });
  return out;
}

/**
 * How many sampling intervals a sample still tells the state for. A sample stamped more than this many intervals
 * before a time (two or more samples missing in between: a gap in the metrics) says nothing about the state then:
 * the member may have gone down, or come back, in the gap.
 */
export const STALE_STEPS = 3;

/**
 * The sample before `p` in a series when at least one sample is missing between the two (a gap in the metrics: they
 * are two or more of the series' intervals apart), else undefined: the state changed somewhere between them, and
 * `p` is only the first sample to show it.
 */
function beforeGap(prev: HealthPoint | undefined, p: HealthPoint, step: number): HealthPoint | undefined {
  return prev && ms(p.t) - ms(prev.t) >= 2 * step ? prev : undefined;
}

/** The sample before a transition `p`, when a gap in the samples lies between them (see beforeGap). */
export function gapBefore(s: HealthSeries, p: HealthPoint): HealthPoint | undefined {
  const i = s.points.indexOf(p);
  return i > 0 ? beforeGap(s.points[i - 1], p, sampleStep(s)) : undefined;
}

/**
 * A series around a time, in one pass over its samples (in time order). `last`: the last sample whose interval
 * ended at or before the time, however old. A sample is stamped with the start of its interval (an Azure metric's
 * `timeStamp`, a CloudWatch period's timestamp) and aggregates the whole interval: the one stamped 03:12 already
 * holds what a change at 03:12:04 did. `before`: the state before the time, `last`'s when it is recent (stamped at
 * most STALE_STEPS intervals before the time), else unknown. `down`: the first later sample that is down while the
 * state before it was not down; `known` when that state was up (a drop), not when it was unknown; `after`, when the
 * sample before the down one was up and samples are missing between the two (a gap): the member went down somewhere
 * in that gap, and the down sample only dates the end of it. `held`: the sample whose interval holds the time (stamped
 * at or before it, its interval ending after it), when the series has one.
 */
function around(s: HealthSeries, t: string | number): { last?: HealthPoint; before?: boolean; down?: GapDown; held?: HealthPoint } {
  const at = typeof t === "number" ? t : ms(t);
  const step = sampleStep(s);
  const pts = s.points;
  // the first sample whose interval ends after the time (samples are in time order; times in whole milliseconds)
  const i = firstAtOrAfter(s, at - step + 1);
  const last = i > 0 ? pts[i - 1] : undefined;
  const before = last && at - ms(last.t) <= STALE_STEPS * step ? last.up : undefined;
  const next = pts[i];
  const held = next && ms(next.t) <= at ? next : undefined;
  const out = { ...(last ? { last } : {}), ...(before !== undefined ? { before } : {}), ...(held ? { held } : {}) };
  // the first down sample from i while the state before it was not down: down from before the time, the first down
  // sample after the first up one
  const { down: nextDown, up: nextUp } = runsOf(s);
  const from = before === false ? (nextUp[i] ?? pts.length) : i;
  const j = from < pts.length ? (nextDown[from] ?? pts.length) : pts.length;
  if (j >= pts.length) return out;
  const p = pts[j] as HealthPoint;
  const prior = j > i ? pts[j - 1] : last;
  const prev = j > i ? true : before;
  const after = prior?.up ? beforeGap(prior, p, step) : undefined;
  return { ...out, down: { at: p, known: prev === true, ...(after ? { after } : {}) } };
}

/** Each series' next down and next up sample indexes, by its points (recomputed when their number changes). */
const runs = new WeakMap<HealthPoint[], { down: number[]; up: number[] }>();

/** For each sample index of a series, the index of the first sample at or after it that is down, and that is up. */
function runsOf(s: HealthSeries): { down: number[]; up: number[] } {
  const known = runs.get(s.points);
  if (known && known.down.length === s.points.length) return known;
  const n = s.points.length;
  const down = new Array<number>(n);
  const up = new Array<number>(n);
  let d = n;
  let u = n;
  for (let k = n - 1; k >= 0; k--) {
    if ((s.points[k] as HealthPoint).up) u = k;
    else d = k;
    down[k] = d;
    up[k] = u;
  }
  const out = { down, up };
  runs.set(s.points, out);
  return out;
}

/**
 * The gap in a series' samples (see beforeGap) that a change at a time may have had its whole effect in, unseen: the
 * time falls inside the gap (after the interval of the last sample before it), or the gap's first missing sample
 * comes within CONTEST_STEPS intervals after the time (a member counts as down only after some failed probes, so a
 * drop the change started may show first where the samples are missing: the same span as at the end of a series, see
 * analyzeChanges). `last`: the last sample before the gap; `next`: the first after it. Undefined when no such gap
 * follows the time: a gap lies between two samples (the time before a series' first sample, or after its last, is
 * none). A change in a gap that is followed by a sample up (`next.up`) may have broken the member, which came back up
 * inside the gap: the samples cannot tell.
 */
function gapAfter(s: HealthSeries, t: string): { last: HealthPoint; next: HealthPoint } | undefined {
  const at = ms(t);
  const step = sampleStep(s);
  const pts = s.points;
  // from the first pair whose second sample's interval ends after the time (both of an earlier pair ended before it)
  for (let i = Math.max(1, firstAtOrAfter(s, at - step + 1)); i < pts.length; i++) {
    const last = pts[i - 1] as HealthPoint;
    const next = pts[i] as HealthPoint;
    // the first sample missing after `last`, when one is
    const missing = ms(last.t) + step;
    if (beforeGap(last, next, step) && at < ms(next.t) && at >= missing - CONTEST_STEPS * step) return { last, next };
    // samples with no gap in between: the next pair, while one of them may still hide the change's drop
    if (missing >= at + CONTEST_STEPS * step) return undefined;
  }
  return undefined;
}

/**
 * Whether the series starts long enough after a change at `at` for its first samples not to follow the change: one whole
 * interval of the series or more lies between the change and its first sample `first`, room for the member to have
 * gone down (after several failed probes) and come back up before it. Within one interval, the first sample follows
 * the change as a sample follows one made inside the interval before it: a drop the change started shows in the
 * samples, within CONTEST_STEPS intervals, or they end too soon for it to show (unknown, as at the end of any series).
 */
function leadGap(at: number, first: HealthPoint, step: number): boolean {
  return ms(first.t) - at >= step;
}

/**
 * Whether the member a series is about was there at a time (epoch ms): after it joined (`since`, when a recorded
 * change shows it joined inside the window) and before it left (`until`, when it left inside the window).
 */
function present(s: HealthSeries, at: number): boolean {
  return (s.since === undefined || at >= ms(s.since)) && (s.until === undefined || at < ms(s.until));
}

/**
 * Whether a change was made while the member was down: down at the last sample before it (a recent one) and at the
 * sample whose interval holds it, when there is one. Up in the interval the change was made in, right after a down
 * one (a blip), the member was up at the change. A change made while down started no drop, and is no cause of a later
 * one: the member came back up after it (most often because of it: a fix), and whatever brought it down again later
 * happened after the recovery.
 */
function madeWhileDown(r: { before?: boolean; held?: HealthPoint }): boolean {
  return r.before === false && !r.held?.up;
}

/** Each series' sample times in epoch ms, by its points (recomputed when their number changes). */
const pointTimes = new WeakMap<HealthPoint[], number[]>();

/** A series' sample times in epoch ms, parsed once. */
function timesOf(s: HealthSeries): number[] {
  const known = pointTimes.get(s.points);
  if (known && known.length === s.points.length) return known;
  const out = s.points.map((p) => ms(p.t));
  pointTimes.set(s.points, out);
  return out;
}

/** The index of a series' first sample stamped at or after a time (epoch ms): its number of samples when none is. */
function firstAtOrAfter(s: HealthSeries, at: number): number {
  const ts = timesOf(s);
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ts[mid] as number) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many intervals before a change a member's earlier drops are looked for (see flapsBefore): wider than
 * CONTEST_STEPS (the span a drop the change started shows in), so that drops well before the change, which it cannot
 * have started, show whether the member was already going up and down on its own.
 */
export const FLAP_LOOKBACK_STEPS = 5;

/**
 * The number of transitions (up to down and back) of a series in the FLAP_LOOKBACK_STEPS intervals before a time
 * (epoch ms), the sample whose interval holds the time included, when the member went down and came back up more
 * than once in them (two recoveries):
 * it was already flapping, and a drop after the time may be one more of its own. 0 otherwise (one down interval
 * before the time and up again, a blip, is no flapping: a drop after it follows the change like any other).
 */
function flapsBefore(s: HealthSeries, at: number): number {
  const from = at - FLAP_LOOKBACK_STEPS * sampleStep(s);
  const pts = s.points;
  let n = 0;
  let ups = 0;
  // each sample whose interval overlaps the span (one stamped up to an interval before its start included)
  for (let i = firstAtOrAfter(s, from - sampleStep(s) + 1); i < pts.length; i++) {
    const p = pts[i] as HealthPoint;
    if ((timesOf(s)[i] as number) > at) break;
    const prev = pts[i - 1];
    if (!prev || prev.up === p.up) continue;
    n++;
    if (p.up) ups++;
  }
  return ups >= 2 ? n : 0;
}

/** The first down sample after a time (see around), and the last up sample before it when a gap lies between them. */
interface GapDown {
  at: HealthPoint;
  known: boolean;
  after?: HealthPoint;
}

/**
 * Whether a down sample found after a time is a drop a change at that time may have started: the state before the
 * time was up (`known`), or the member was up at the last sample before a gap that holds the time and down at the
 * first after it (`after`): it went down somewhere in the gap, so as far as the samples tell, after the change.
 */
function isDrop(d: GapDown): boolean {
  return d.known || d.after !== undefined;
}

/** The last sample whose interval ended at or before a time (undefined when none did), however old (see around). */
export function lastSampleBefore(s: HealthSeries, t: string): HealthPoint | undefined {
  return around(s, t).last;
}

/**
 * The state before a time: that of the last sample whose interval ended at or before it, when that sample is recent
 * (stamped at most STALE_STEPS of the series' own intervals before the time). Undefined, unknown, when no sample
 * ended before it, or when the last one is older than that: a sample taken before a gap in the metrics is not the
 * state at a time inside the gap.
 */
export function stateAt(s: HealthSeries, t: string): boolean | undefined {
  return around(s, t).before;
}

/**
 * The first sample whose interval ends after `t` that is down while the state before it was not down: `known` when
 * that state was up (a drop), not when it was unknown (no recent sample before `t`: the member may have been down
 * already, so when it went down the samples cannot tell). The sample of the interval `t` falls in counts, as it
 * holds what happened after `t` in it.
 */
export function downAfter(s: HealthSeries, t: string): { at: HealthPoint; known: boolean } | undefined {
  return around(s, t).down;
}

/**
 * The first sample whose interval ends after `t` that is down while the one before it was up (or the series was up
 * before `t`): the sample of the interval `t` falls in counts, as it holds what happened after `t` in it. Undefined
 * when the first down sample after `t` follows an unknown state (see downAfter): no drop the samples can place.
 */
export function firstDropAfter(s: HealthSeries, t: string): HealthPoint | undefined {
  const d = around(s, t).down;
  return d?.known ? d.at : undefined;
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
  /**
   * each series on the change's path that was up at the change and dropped after it, with the first down sample;
   * `after`, when the drop was found after a gap in the samples: the last sample up before it (the member went down
   * somewhere between the two)
   */
  drops: Array<{ series: HealthSeries; at: HealthPoint; after?: HealthPoint }>;
  /**
   * the other changes on the path of one of its drops made too close to it for the samples to order (see
   * CONTEST_STEPS): which of them broke the member, time cannot tell; the failing findings can (rankCauses)
   */
  rivals: Change[];
  /** time alone names this change for at least one of its drops (changeImpacts); false for a rival time sets aside */
  byTime: boolean;
}

/**
 * Changes made this many sampling intervals before a drop's sample, or inside it, are too close to the drop for the
 * samples to order: a health check needs a few failed probes (tens of seconds to minutes) before a member counts
 * as down, so a change a minute before the drop may have caused it as well as one in the drop's own minute. A drop
 * found after a gap in the samples may have happened at any time in the gap: so may the changes made in it, and in
 * the intervals before its first missing sample.
 */
export const CONTEST_STEPS = 2;

/** A drop several changes are too close to for the samples to order: each entrant, and whether time alone names it. */
export interface CauseContest {
  series: HealthSeries;
  at: HealthPoint;
  /** the last sample up before the drop, when a gap in the samples lies between them */
  after?: HealthPoint;
  entrants: Array<{ change: Change; byTime: boolean }>;
}

/**
 * A change made while a member's state was unknown (no recent sample before it: a gap in the metrics, or the series
 * starts after it), and the member was down at the next sample, with no sample up before the gap: whether it was up
 * at the change, and so whether the change broke it, the samples cannot tell. (Up at the last sample before the gap,
 * the member went down in it: a drop, and the change a candidate for its cause; see analyzeChanges.) So is a change
 * made inside the first down sample's own interval after such a gap (the member may have been down long before it),
 * and one no sample follows, or too few for a drop to show (the series ends within CONTEST_STEPS intervals of it), the
 * member up at the last: what it did after the change, the samples cannot tell. So is one a gap in the middle of the
 * series follows (made inside it, or within CONTEST_STEPS intervals before its first missing sample), the member up at
 * the first sample after the gap and not down before the change: it may have gone down and come back up inside the
 * gap, unseen, so its being up after the gap does not show the change did no harm (unless the change is a candidate
 * for a later drop: then it is that). So is one made before the series' first sample (one interval or more before it:
 * see leadGap), the member up at it: the gap the series starts with holds the change, and the member may have gone
 * down and come back up in it (down at the first sample, it is the first case). And one made after the series' last sample, the member down at it and that sample too
 * old to be the state at the change: the member may have come back up and gone down again. So is one on the path of a
 * member with no sample in the window at all that could have had some (TimeData.unobserved), made while it could be
 * observed: nothing shows what it did to the member. A change to tags only is never one (it cannot break traffic:
 * ChangeAnalysis.tagsOnly).
 */
export interface UnknownAtChange {
  change: Change;
  members: Array<{
    series: HealthSeries;
    /**
     * the first sample after the change, down; none when no sample follows the change (the series ends before it, in
     * a gap that runs to the end of the window or at its end): what the member did after it, the samples cannot tell
     */
    down?: HealthPoint;
    /**
     * the last sample before the change, too old to tell the state at it (none: the series starts after it); with no
     * `down`, the series' last sample (up); with `resumes`, the last sample before the gap that follows the change
     */
    last?: HealthPoint;
    /**
     * with no `down`, when a gap in the samples follows the change and the member was up at the first sample after it:
     * that sample. The member may have gone down and come back up in the gap; the samples cannot tell. With no `last`,
     * the series' first sample: no sample precedes the change (see startsAfter).
     */
    resumes?: HealthPoint;
    /**
     * with `resumes` and no `last`, when the series starts after the change (no sample before it) and the member was up
     * at its first sample: how long after the change that sample is stamped, in words ("10 min", "30 s")
     */
    startsAfter?: string;
    /**
     * with no `down`, when samples follow the change but too few for a drop it started to show (the series ends within
     * CONTEST_STEPS intervals of it): how long after the change the last sample's interval ends, in words ("40 s")
     */
    endsAfter?: string;
    /**
     * the member was already flapping before the change (down more than once in the FLAP_LOOKBACK_STEPS intervals
     * before it): how many times its state changed in them. A drop after the change may be one more of its own.
     */
    flapping?: number;
    /**
     * the member has no sample in the window at all, though it could have had some (TimeData.unobserved): `series` is
     * the one it would have, with no points
     */
    none?: true;
  }>;
}

export interface ChangeAnalysis {
  /** every change a drop may be credited to: the ones time names (byTime) and their rivals, sorted by change time */
  candidates: ChangeImpact[];
  /** the drops with more than one candidate the samples cannot order */
  contests: CauseContest[];
  /**
   * the changes (no candidate) made while a member's state was unknown and followed by it being down, or followed by
   * no sample at all (the member up at the last, or down at a last sample too old to be the state at the change), or
   * by a gap in the samples with the member up after it (the gap the series starts with included); and those on the
   * path of a member with no sample in the window that could have had some (`none`). A change that is a candidate
   * for another member's drop is none of these: it is that.
   */
  unknown: UnknownAtChange[];
  /**
   * present when some change to tags only was made while a member was up and followed by its drop, and is no
   * candidate (no change that did more is a rival), or was made inside the first down sample's interval after a gap
   * the member went down in (where a change that did more would be `unknown`): those members. Not one made while the
   * member's state was unknown and followed by it being down with no up sample before (no drop was seen: where a
   * change that did more would be `unknown`, the tag-only change adds nothing). A tag cannot break traffic, so it
   * is never the cause, nor a change whose effect is unknown; a pass says so rather than that no change preceded the
   * drop.
   */
  tagsOnly?: Array<{ change: Change; series: HealthSeries }>;
}

/**
 * The changes inside the window that touched a resource on a member's path while the member was up (up in the
 * interval the change was made in counts, whatever the sample before it said), followed by a drop of that member's
 * health; and those made while it was down, followed by it coming back up and then by a drop: a drop after an up
 * sample like any other, as after a change made while the member's state was unknown. Time names the nearest change before the drop on that path (and of the changes
 * inside the drop's own interval, only one with no other change in that interval or the one before it). Changes
 * made within CONTEST_STEPS intervals before the drop's sample, or inside it, are all candidates, with each other
 * as rivals: the samples cannot order them. A drop found after a gap in the metrics (the member up at the last
 * sample before it, down at the first after it) happened somewhere in the gap: the changes made in the gap (and
 * within CONTEST_STEPS intervals before its first missing sample) and the nearest change before its first missing
 * sample, which certainly preceded the drop, are its candidates, rivals the samples cannot order: time names none of
 * them over another. A change made while the member's state was unknown and not up before the gap (down then, or no
 * sample before the change), or inside the first down sample's own interval after a gap, is none: it is reported in
 * `unknown`, never linked to the drop by a stale sample; so is one no sample follows (the series ends before it), or
 * too few for a drop to show (it ends within CONTEST_STEPS intervals of the change), and one a gap in the middle of
 * the series follows with the member up after it (see gapAfter), or one made before the series' first sample (one
 * interval or more before it: leadGap) with the member up at it: never a pass on the word of the samples after the gap, as the member may have gone down and come
 * back up inside it; and one no sample follows, the member down at a last sample too old to be the state at it; and one
 * on the path of a member with no sample in the window that could have had some (TimeData.unobserved), made after it
 * became observable (`since`) and before it stopped being so (`until`). A
 * change to tags only cannot break traffic: time never names it, nor does it make an older change less near a drop;
 * it is a candidate only as the rival of one that did more, which it loses to (rankCauses), and never `unknown`
 * (tagsOnly instead). A change made before a member joined or once it had left (HealthSeries.since, until) is
 * nothing for that member: no candidate, rival or unknown.
 */
export function analyzeChanges(time: TimeData): ChangeAnalysis {
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
  // the members with no sample that could have had some (one with a sample of its load balancer after all is none)
  const own = (s: HealthSeries) => `${idKey(s.loadBalancerId)}\u0000${s.key}`;
  const sampled = new Set(time.series.filter((s) => s.points.length > 0).map(own));
  const unseenByPath = new Map<string, UnobservedMember[]>();
  for (const u of time.unobserved ?? []) {
    if (sampled.has(own(u.series))) continue;
    for (const k of new Set(u.series.path)) {
      let list = unseenByPath.get(k);
      if (!list) unseenByPath.set(k, (list = []));
      list.push(u);
    }
  }
  // each change's time, parsed once
  const times = new Map(time.changes.map((c) => [c, ms(c.time)] as const));
  const tm = (c: Change) => times.get(c) ?? ms(c.time);
  const effective = time.changes.filter((c) => {
    const t = tm(c);
    return t >= from && t <= until && (!c.status || /^succeeded$/i.test(c.status));
  });
  type Drop = ChangeImpact["drops"][number];
  const found = new Map<Change, { drops: Drop[]; timeDrops: Drop[]; rivals: Set<Change> }>();
  const contests = new Map<string, CauseContest>();
  const unknown = new Map<Change, UnknownAtChange>();
  const tagged: NonNullable<ChangeAnalysis["tagsOnly"]> = [];
  for (const change of effective) {
    const t = tm(change);
    const tags = tagsOnly(change);
    for (const s of byPath.get(idKey(change.resourceId)) ?? []) {
      // made before the member joined, or once it had left (HealthSeries.since, until): nothing the change did was to it
      if (!present(s, t)) continue;
      const { before, down, last, held } = around(s, tm(change));
      // down at the change: at the last sample before it and at the one whose interval holds it (up there, the member was
      // up in the interval the change was made in: not already down). Such a change started no drop then, and one no
      // drop follows is none of the member's business; one the member came back up after and went down again is
      // followed by a drop like any other (up before it), and is a candidate for it, as one made while the member's
      // state was unknown is
      // down at the change (at the last sample before it and at the one whose interval holds it): it started no drop,
      // and it is no cause of a later one either, the member having come back up after it (a fix, most often)
      if (madeWhileDown({ before, ...(held ? { held } : {}) })) continue;
      const path = new Set(s.path);
      // the other changes on this member's path (made while it was there); a change to tags only cannot break traffic,
      // so it neither names a drop by time nor sets an older change aside (at most a rival that loses: rankCauses)
      const onPath = (o: Change) => o !== change && path.has(idKey(o.resourceId)) && present(s, tm(o));
      const real = (o: Change) => onPath(o) && !tagsOnly(o);
      const step = sampleStep(s);
      // a gap follows the change, the member up after it: it may have gone down and come back up in the gap, unseen. What
      // the change did, the samples cannot tell, unless a drop they show follows (a down sample before the gap is one;
      // after it, the change may still be a candidate for it: then it is no unknown)
      // no sample before the change (the series starts after it), the member up at the first: whether it was up at the
      // change, and whether the change broke it (it may have gone down and come back up before the first sample), the
      // samples cannot tell, unless a drop they show follows and the change is a candidate for it. The same as a gap in
      // the middle of the series; down at the first sample, no drop the samples can place follows (`down`, below). A
      // change within one interval before the first sample is none (see leadGap): the samples follow it
      const first = s.points[0];
      const lead = !tags && first?.up && leadGap(t, first, step) ? first : undefined;
      if (lead) {
        const u = unknown.get(change) ?? { change, members: [] };
        u.members.push({ series: s, resumes: lead, startsAfter: shortGapText(change.time, lead.t) });
        unknown.set(change, u);
        if (!down) continue;
      }
      // down at the change, a gap after it the member was up after: it came back up in the gap, which shows nothing the
      // change did (as when no drop follows, above)
      const gap = tags || lead ? undefined : gapAfter(s, change.time);
      if (gap?.next.up && (!down || ms(down.at.t) > ms(gap.next.t))) {
        const u = unknown.get(change) ?? { change, members: [] };
        u.members.push({ series: s, last: gap.last, resumes: gap.next });
        unknown.set(change, u);
        if (!down) continue;
      }
      if (!down) {
        // no drop after it; when no sample follows the change (the series ends before it: in a gap that runs to the end
        // of the window, or at its end), or too few for a drop it started to show (a member counts as down only after
        // some failed probes: a change made within CONTEST_STEPS intervals before the first sample the series lacks may
        // have broken the member there, as it would be a candidate for a drop there: see CONTEST_STEPS), what the member
        // did after the change the samples cannot tell
        const end = s.points.at(-1);
        if (tags || !end) continue;
        if (!end.up) {
          // down at the last sample, which ended long before the change (a recent one is the state at it: skipped above),
          // and no sample after it: the member may have come back up in between and gone down again, unseen
          const u = unknown.get(change) ?? { change, members: [] };
          u.members.push({ series: s, last: end });
          unknown.set(change, u);
          continue;
        }
        const ends = ms(end.t) + step;
        if (t < ends - CONTEST_STEPS * step) continue;
        const u = unknown.get(change) ?? { change, members: [] };
        u.members.push({
          series: s,
          last: end,
          ...(t < ends ? { endsAfter: shortGapText(change.time, new Date(ends).toISOString()) } : {}),
        });
        unknown.set(change, u);
        continue;
      }
      const { at, after } = down;
      const dropFrom = ms(at.t);
      if (!isDrop(down) || (after && t >= dropFrom)) {
        // up or down at the change, the samples cannot tell: neither a drop it started nor one it did not. After a gap,
        // a change inside the first down sample's own interval is one too: the member may have been down long before it.
        // A change to tags only cannot have broken it, whatever the state: no unknown; the pass names it (tagsOnly)
        // only when a drop was seen after it, never for a member down from before it (no drop seen at all)
        if (tags) {
          if (isDrop(down)) tagged.push({ change, series: s });
          continue;
        }
        const u = unknown.get(change) ?? { change, members: [] };
        u.members.push({ series: s, down: at, ...(last ? { last } : {}) });
        unknown.set(change, u);
        continue;
      }
      // the member already flapping before the change: the drop after it may be one more of its own, time cannot tie it
      // to the change (at most unknown)
      const flaps = flapsBefore(s, t);
      if (flaps > 0) {
        if (tags) continue;
        const u = unknown.get(change) ?? { change, members: [] };
        u.members.push({ series: s, flapping: flaps });
        unknown.set(change, u);
        continue;
      }
      if (tags) tagged.push({ change, series: s });
      // the changes followed by this same drop, each made while the member was up (or in the gap before it, or in an up
      // interval right after a down one), never while it was down, nor while it was already flapping
      const sameDrop = (o: Change) => {
        const r = around(s, tm(o));
        return !madeWhileDown(r) && r.down !== undefined && isDrop(r.down) && r.down.at === at && flapsBefore(s, tm(o)) === 0;
      };
      let byTime: boolean;
      let rivals: Change[];
      if (after) {
        // a drop found after a gap: the member went down somewhere from the first missing sample to the first down one.
        // The nearest change before the first missing sample, the changes just before it and every change in the gap
        // are rivals the samples cannot order (none is nearer the drop than another, as far as they tell); a change in
        // the first down sample's own interval is none (above)
        const missing = ms(after.t) + step;
        const inGap = (o: Change) => {
          const x = tm(o);
          return x >= missing - CONTEST_STEPS * step && x < dropFrom;
        };
        // the time of the latest change before the first missing sample that could have broken the member (on its path,
        // no change to tags only, made while it was there and not while it was down): one made before it is no nearest
        let latest = Number.NEGATIVE_INFINITY;
        for (const p of effective) {
          const x = tm(p);
          if (
            x < missing &&
            x > latest &&
            path.has(idKey(p.resourceId)) &&
            !tagsOnly(p) &&
            present(s, x) &&
            !madeWhileDown(around(s, tm(p)))
          )
            latest = x;
        }
        const nearest = (o: Change) => !tagsOnly(o) && tm(o) < missing && tm(o) >= latest;
        if (!inGap(change) && !nearest(change)) continue; // an older change: a later one before the gap is nearer
        rivals = effective.filter((o) => onPath(o) && (inGap(o) || nearest(o)) && sameDrop(o));
        // time names none of them; it names a change only when no other change that did more than tag is a rival
        byTime = !tags && !rivals.some((o) => !tagsOnly(o));
      } else {
        // the nearest change before the drop on this member's path is the likely one, not an older one
        const later = effective.some((o) => real(o) && tm(o) > t && tm(o) <= dropFrom);
        // a change inside the drop's own interval: an earlier change in that interval, or in the one before it, is likelier
        const earlier = t > dropFrom && effective.some((o) => real(o) && tm(o) < t && tm(o) >= dropFrom - step);
        byTime = !tags && !later && !earlier;
        // the changes too close to the drop for the samples to order, each made while the member was up and followed by this drop
        const close = (x: number) => x >= dropFrom - CONTEST_STEPS * step && x < dropFrom + step;
        rivals = close(t) ? effective.filter((o) => onPath(o) && close(tm(o)) && sameDrop(o)) : [];
      }
      // a change to tags only is a candidate only as the rival of one that did more (which it loses to)
      if (tags && !rivals.some((o) => !tagsOnly(o))) continue;
      if (!byTime && rivals.length === 0) continue;
      const f = found.get(change) ?? { drops: [], timeDrops: [], rivals: new Set<Change>() };
      const drop: Drop = { series: s, at, ...(after ? { after } : {}) };
      f.drops.push(drop);
      if (byTime) f.timeDrops.push(drop);
      for (const r of rivals) f.rivals.add(r);
      found.set(change, f);
      if (rivals.length > 0) {
        const k = `${s.key}\u0000${at.t}`;
        const c = contests.get(k) ?? { series: s, at, ...(after ? { after } : {}), entrants: [] };
        c.entrants.push({ change, byTime });
        contests.set(k, c);
      }
    }
    // a member with no sample in the window that could have had some, there at the change: what the change did to it,
    // nothing shows. A change to tags only cannot break it; one made before it became observable (added to its pool
    // after the change) or once it no longer was (its VM deallocated for good) cannot have broken it unseen
    if (tags) continue;
    for (const u of unseenByPath.get(idKey(change.resourceId)) ?? []) {
      if ((u.since !== undefined && t < ms(u.since)) || (u.until !== undefined && t >= ms(u.until))) continue;
      const x = unknown.get(change) ?? { change, members: [] };
      x.members.push({ series: u.series, none: true });
      unknown.set(change, x);
    }
  }
  const byDrop = (a: Drop, b: Drop) => ms(a.at.t) - ms(b.at.t);
  const candidates: ChangeImpact[] = [...found].map(([change, f]) => ({
    change,
    drops: (f.timeDrops.length > 0 ? f.timeDrops : f.drops).sort(byDrop),
    rivals: [...f.rivals].sort((a, b) => tm(a) - tm(b)),
    byTime: f.timeDrops.length > 0,
  }));
  return {
    candidates: candidates.sort((a, b) => ms(a.change.time) - ms(b.change.time)),
    contests: [...contests.values()].filter((c) => c.entrants.length > 1),
    unknown: [...unknown.values()].filter((u) => !found.has(u.change)).sort((a, b) => ms(a.change.time) - ms(b.change.time)),
    ...(tagged.some((x) => !found.has(x.change)) ? { tagsOnly: tagged.filter((x) => !found.has(x.change)) } : {}),
  };
}

/**
 * The changes that time alone names as the likely one of a drop (the nearest on the member's path: see
 * analyzeChanges), each with the drops it is named for. Sorted by change time.
 */
export function changeImpacts(time: TimeData): ChangeImpact[] {
  return analyzeChanges(time).candidates.filter((c) => c.byTime);
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

/** gapText, in seconds under two minutes ("90 s", not "2 min"): for a span short enough that rounding misleads. */
function shortGapText(a: string, b: string): string {
  const s = Math.max(0, Math.round((ms(b) - ms(a)) / 1000));
  return s < 120 ? `${s} s` : gapText(a, b);
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
// the likely cause among changes the samples cannot order

/**
 * A drop of a member's health: the series and its first down sample; `after`, when a gap in the samples precedes it,
 * the last sample up before it (the drop happened somewhere between the two).
 */
export interface CauseDrop {
  series: HealthSeries;
  at: HealthPoint;
  after?: HealthPoint;
}

/**
 * A drop in words: "the 03:12 drop of vm1", or after a gap in the samples "the drop of vm1 by 03:12 (up at 03:00, no
 * samples in between)"; `label` the member's label as the caller shows it (the TUI's sanitized).
 */
export function dropWords(d: CauseDrop, window: TimeWindow, label = d.series.label): string {
  return d.after
    ? `the drop of ${label} by ${clock(d.at.t, window)} (up at ${clock(d.after.t, window)}, no samples in between)`
    : `the ${clock(d.at.t, window)} drop of ${label}`;
}

/** What the timeline makes of a change a failing finding names as a cause (`change:<id>`). */
export interface CauseVerdict {
  /** the failing findings (ids) that name the change */
  findings: string[];
  /**
   * the likely cause: named, and not set aside for a rival the failing findings point at more (nor tied with one after
   * a gap in the samples) in every contest it is in (a drop it is the only named candidate for counts as won)
   */
  likely: boolean;
  /**
   * when it was weighed against rivals the samples cannot order (CauseContest): why it was chosen, or set aside; both
   * when it is the likely cause of one drop and set aside for another
   */
  why?: string;
  /** when it was weighed against rivals: the drops it is the likely cause of (contests won, drops it alone is named for) */
  won?: CauseDrop[];
  /** the drops (contests) it was set aside for a rival: its findings explain no symptom about those members (setAsideCauses) */
  /**
   * the drops found after a gap in the samples (contests) where neither time nor the failing findings could tell it
   * from a rival: it is not the likely cause of those, nor set aside (its findings keep their links to the symptoms)
   */
  tied?: CauseDrop[];
  lost?: CauseDrop[];
}

/**
 * The findings about a member whose health dropped, by its series: those whose resource or subjects name the member
 * (its key, or a part of it: a target group's `<group>|<target>|<port>`), the member's load balancer (or a part of
 * it: a probe, a pool), or a resource on the member's path while naming no other member. A finding about another
 * member (its NIC, its target), which may cite a resource shared by both paths, says nothing about what broke this one.
 */
export function memberFindings(time: TimeData, findings: Finding[]): (s: HealthSeries) => Finding[] {
  const own = new Map(findings.map((f) => [f, [f.resourceId, ...f.subjects].filter((x) => x !== "").map(idKey)] as const));
  const members = [...new Set(time.series.map((s) => idKey(s.resourceId)))];
  const names = (keys: readonly string[], m: string) => keys.some((k) => k === m || k.startsWith(`${m}|`));
  const known = new Map<HealthSeries, Finding[]>();
  return (s) => {
    const hit = known.get(s);
    if (hit) return hit;
    const member = idKey(s.resourceId);
    const lb = idKey(s.loadBalancerId);
    const path = new Set(s.path);
    const others = members.filter((m) => m !== member);
    const out = findings.filter((f) => {
      const keys = own.get(f) ?? [];
      if (names(keys, member)) return true;
      if (keys.some((k) => k === lb || k.startsWith(`${lb}/`))) return true;
      return keys.some((k) => path.has(k)) && !others.some((m) => names(keys, m));
    });
    known.set(s, out);
    return out;
  };
}

/**
 * How the failing findings (other than the change findings themselves) point at a change's resource: 4, a finding is
 * about it (its resource or a subject, or a part of it: a load balancer's probe, pool or rule); 3, a finding cites it
 * in its evidence; 2, it is the drop's load balancer, cited only in evidence (nearly every finding about its members
 * cites it, whatever broke them: it ranks below a resource they cite, above the member); 1, it is only the member whose
 * health dropped, or a resource of that member, which every finding about the drop names whatever broke it; 0, no
 * failing finding names it.
 */
type Pointing = 0 | 1 | 2 | 3 | 4;

/** CloudTrail calls that only tag a resource (EC2's, Elastic Load Balancing's, the generic tagging API's). */
const TAG_CALLS = /^(AddTags|CreateTags|RemoveTags|DeleteTags|TagResource|UntagResource)$/i;
/** Azure's tags API on a resource (`Microsoft.Resources/tags/write`, `…/delete`). */
const TAG_OPERATION = /(^|\/)microsoft\.resources\/tags\/(write|delete)$/i;
/** A property under a resource's tags: `tags`, `tags.owner`, `tags['cost center']`. */
const TAG_PATH = /^tags($|[.[/])/i;

/**
 * Whether a change did nothing but tag its resource: an AWS tagging call (AddTags, CreateTags, RemoveTags,
 * DeleteTags), Azure's tags API, or a change whose every recorded property is a tag (`tags.*`). A tag is metadata: no
 * load balancer, security group or VM reads it to forward, filter or answer traffic, so such a change cannot be what
 * broke a member. A change that recorded no property (an Activity Log entry) is not known to be one.
 */
export function tagsOnly(c: Change): boolean {
  if (TAG_CALLS.test(c.operation) || TAG_OPERATION.test(c.operation)) return true;
  return c.properties.length > 0 && c.properties.every((p) => TAG_PATH.test(p.path));
}

/** What a tags-only change changed, in a few words: the tagging call (AWS, Azure's tags API), else its tags' paths. */
function tagsText(c: Change): string {
  if (TAG_CALLS.test(c.operation) || TAG_OPERATION.test(c.operation)) return c.operation;
  const paths = c.properties.map((p) => p.path).filter((p) => TAG_PATH.test(p));
  if (paths.length > 0) return paths.slice(0, 3).join(", ") + (paths.length > 3 ? `, … ${paths.length - 3} more` : "");
  return c.operation;
}

/**
 * The verdict on each change a failing finding names as a cause, by that finding's key. A change named alone is the
 * likely cause, as the finding says. Where several named changes are too close to one drop for the samples to order
 * them (analyzeChanges' contests), a change that did more than tag its resource outranks one that only tagged it (a
 * tag cannot break traffic: tagsOnly); then the one touching a resource the failing findings point at more is the
 * likely cause: one a finding is about outranks one a finding cites in its evidence, which outranks the load balancer
 * they are all about, then the dropped member itself, then one they do not name (Pointing). Time breaks a tie (first
 * the change time alone names, then the one nearest the drop), and the verdict then says it is undecided; not for a
 * drop found after a gap in the samples, where time orders none of them before the drop: there a tie leaves the drop
 * with no likely cause, each tied change undecided (`tied`), neither likely for it nor set aside. A change to tags
 * only is never the likely cause: no finding names it, yet it stays an entrant of its contests (a verdict with no
 * findings, set aside, saying why); when every entrant only tagged, each is set aside. Each contest is weighed by the
 * failing findings about its member alone (memberFindings): a finding about another member says nothing about what
 * broke this one. A change is set aside (not likely) only when it lost (or tied after a gap) every contest it is in
 * and is the only named candidate of no drop; one that won a drop and lost another stays the likely cause, and its
 * `why` says both (`won`, `lost`, `tied`: which drops).
 */
export function rankCauses(
  time: TimeData,
  findings: Finding[],
  analysis: ChangeAnalysis = analyzeChanges(time),
): Map<string, CauseVerdict> {
  const out = new Map<string, CauseVerdict>();
  for (const f of findings) {
    if (f.status !== "fail" || !f.key?.startsWith("change:")) continue;
    const v = out.get(f.key) ?? { findings: [], likely: true };
    v.findings.push(f.id);
    out.set(f.key, v);
  }
  // a change to tags only has no finding (change-before-failure reports none: it cannot break traffic); it stays an
  // entrant, which loses, so that the timeline says why it is no cause, and what the winner was chosen over
  const contests = analysis.contests
    .map((c) => ({ ...c, entrants: c.entrants.filter((e) => out.has(changeFindingKey(e.change)) || tagsOnly(e.change)) }))
    .filter((c) => c.entrants.length > 1);
  if (contests.length === 0) return out;
  for (const c of contests)
    for (const e of c.entrants)
      if (!out.has(changeFindingKey(e.change))) out.set(changeFindingKey(e.change), { findings: [], likely: false });
  // the failing findings that may point at a cause (not the change findings themselves), by the member they are about
  const aboutMember = memberFindings(
    time,
    findings.filter((f) => f.status === "fail" && !f.key?.startsWith("change:")),
  );
  const dropText = (d: CauseDrop) => dropWords(d, time.window);
  const wins = new Map<Change, Array<{ drop: CauseDrop; why?: string }>>();
  const losses = new Map<Change, Array<{ drop: CauseDrop; why: string }>>();
  // undecided after a gap in the samples: neither the likely cause of that drop nor set aside for another
  const ties = new Map<Change, Array<{ drop: CauseDrop; why: string }>>();
  const note = <T>(map: Map<Change, T[]>, c: Change, x: T) => {
    const list = map.get(c) ?? [];
    list.push(x);
    map.set(c, list);
  };
  for (const contest of contests) {
    // what the failing findings about this member are about (their resources and subjects), and what they cite in
    // their evidence: a finding about another member says nothing about what broke this one
    const aboutBy = new Map<string, Set<string>>();
    const citedBy = new Map<string, Set<string>>();
    const add = (map: Map<string, Set<string>>, k: string, rule: string) => {
      const rules = map.get(k) ?? new Set<string>();
      rules.add(rule);
      map.set(k, rules);
    };
    const about: Array<Set<string>> = [];
    for (const f of aboutMember(contest.series)) {
      const own = new Set([f.resourceId, ...f.subjects].filter((x) => x !== "").map(idKey));
      about.push(own);
      for (const k of own) add(aboutBy, k, f.ruleId);
      for (const e of f.evidence) if (e.resourceId !== "") add(citedBy, idKey(e.resourceId), f.ruleId);
    }
    // a finding about a part of a resource (an Azure load balancer's probe, rule or pool) is about the resource a change
    // to it names; not the member whose health dropped (an address of a pool), which every finding about the drop is about
    const aboutRules = (k: string, victims: Set<string>): Set<string> | undefined => {
      const direct = aboutBy.get(k);
      const parts = [...aboutBy].filter(([x]) => x.startsWith(`${k}/`) && !victims.has(x));
      if (parts.length === 0) return direct;
      return new Set([...(direct ?? []), ...parts.flatMap(([, rules]) => [...rules])]);
    };
    // the member that dropped, and what the findings about it are about (its NIC, its VM; a target of the target
    // group, `<group>|<target>|<port>`, and its instance): named whatever broke it
    const member = idKey(contest.series.resourceId);
    const ofMember = (own: Set<string>) => own.has(member) || [...own].some((k) => k.startsWith(`${member}|`));
    const victims = new Set([member, ...about.filter(ofMember).flatMap((own) => [...own])]);
    // the series' load balancer: nearly every finding about its members cites it in its evidence, whatever broke them
    const seriesLb = idKey(contest.series.loadBalancerId);
    const pointing = (c: Change): { pointing: Pointing; rules?: Set<string> } => {
      const k = idKey(c.resourceId);
      if (victims.has(k)) return { pointing: 1 };
      const a = aboutRules(k, victims);
      if (a) return { pointing: 4, rules: a };
      const cited = citedBy.get(k);
      if (!cited) return { pointing: 0 };
      return { pointing: k === seriesLb ? 2 : 3, rules: cited };
    };
    const dropAt = ms(contest.at.t);
    // after a gap in the samples, time orders none of the entrants before the drop: it breaks no tie
    const gap = contest.after !== undefined;
    const ranked = contest.entrants
      .map((e) => ({ ...e, ...pointing(e.change), tags: tagsOnly(e.change) }))
      .sort(
        (a, b) =>
          Number(a.tags) - Number(b.tags) ||
          b.pointing - a.pointing ||
          (gap ? 0 : Number(b.byTime) - Number(a.byTime) || Math.abs(ms(a.change.time) - dropAt) - Math.abs(ms(b.change.time) - dropAt)) ||
          ms(a.change.time) - ms(b.change.time),
      );
    type Ranked = (typeof ranked)[number];
    const [first, ...rest] = ranked as [Ranked, ...Ranked[]];
    const same = (a: Ranked, b: Ranked) => a.tags === b.tags && a.pointing === b.pointing;
    const decided = !same(first, rest[0] as Ranked);
    const at: CauseDrop = { series: contest.series, at: contest.at, ...(contest.after ? { after: contest.after } : {}) };
    const drop = dropText(at);
    const rules = (e: Ranked) => [...(e.rules ?? [])].sort(compareText).join(", ");
    const names = (e: Ranked) => {
      const r = e.change.resourceName;
      if (e.pointing === 4) return `${r}, which the failing findings ${rules(e)} are about`;
      if (e.pointing === 3) return `${r}, which the failing findings ${rules(e)} name`;
      if (e.pointing === 2) return `${r}, the load balancer the failing findings ${rules(e)} are about (which they cite whatever broke it)`;
      if (e.pointing === 1) return `only ${r}, the member whose health dropped (which every finding about the drop names)`;
      return `${r}, which no failing finding names`;
    };
    const touches = (e: Ranked) =>
      e.tags ? `only the tags of ${e.change.resourceName} (${tagsText(e.change)}): a tag change cannot break traffic` : names(e);
    const who = (c: Change) => `${c.who ?? "an unknown caller"}'s change to ${c.resourceName} at ${clock(c.time, time.window)}`;
    const close = `as close to ${drop}: the samples cannot order them`;
    const list = (es: Ranked[]) => es.map((e) => who(e.change)).join(", ");
    const tie =
      (first.tags ? "each changes only tags, which cannot break traffic, and " : "") +
      (first.pointing === 4
        ? "the failing findings are about each of them"
        : first.pointing === 3
          ? "the failing findings name each of them"
          : first.pointing === 2
            ? "each touches only the load balancer the failing findings are about"
            : first.pointing === 1
              ? "each touches only the member whose health dropped"
              : "no failing finding names any of them");
    if (first.tags) {
      // every entrant only tagged its resource: none can have broken traffic, so none is the likely cause
      for (const e of ranked) note(losses, e.change, { drop: at, why: `${close}, and each changes only tags, which cannot break traffic` });
      continue;
    }
    if (!decided && gap) {
      // the samples cannot order them and the failing findings cannot tell them apart: no likely cause of this drop
      const top = ranked.filter((e) => same(e, first));
      for (const e of top)
        note(ties, e.change, {
          drop: at,
          why: `undecided between this and ${list(top.filter((o) => o !== e))}, ${close} (the member may have gone down at any time in the gap) and ${tie}`,
        });
      for (const e of ranked.filter((o) => !same(o, first)))
        note(losses, e.change, {
          drop: at,
          why: `set aside for ${list(top)}, ${close}; ${top.map((o) => `${who(o.change)} touches ${touches(o)}`).join("; ")}; this one touches ${touches(e)}`,
        });
      continue;
    }
    if (decided)
      note(wins, first.change, {
        drop: at,
        why: `chosen over ${list(rest)}, ${close}; this one touches ${touches(first)}; ${rest.map((e) => `${who(e.change)} touches ${touches(e)}`).join("; ")}`,
      });
    else {
      const tied = rest.filter((e) => same(e, first));
      note(wins, first.change, {
        drop: at,
        why: `undecided between this and ${list(tied)}, ${close} and ${tie}: time alone puts this one first`,
      });
    }
    for (const e of rest)
      note(losses, e.change, {
        drop: at,
        why: same(e, first)
          ? `undecided between this and ${who(first.change)}, ${close} and ${tie}: time alone puts that one first`
          : `set aside for ${who(first.change)}, ${close}; that one touches ${touches(first)}; this one touches ${touches(e)}`,
      });
  }
  // a drop a change is the only named candidate for (no contest of named changes): it is the likely cause of that one
  const contested = new Set(contests.map((c) => `${c.series.key}\u0000${c.at.t}`));
  const entered = new Map<Change, CauseDrop[]>();
  for (const c of analysis.contests)
    for (const e of c.entrants) note(entered, e.change, { series: c.series, at: c.at, ...(c.after ? { after: c.after } : {}) });
  for (const impact of analysis.candidates) {
    const change = impact.change;
    // a change to tags only is never the likely cause, not even of a drop where no named rival is left to weigh it against
    if (tagsOnly(change)) continue;
    if (!losses.has(change) && !wins.has(change) && !ties.has(change)) continue;
    const seen = new Set<string>();
    for (const d of [...impact.drops, ...(entered.get(change) ?? [])]) {
      const k = `${d.series.key}\u0000${d.at.t}`;
      if (contested.has(k) || seen.has(k)) continue;
      seen.add(k);
      note(wins, change, { drop: { series: d.series, at: d.at, ...(d.after ? { after: d.after } : {}) } });
    }
  }
  for (const change of new Set([...wins.keys(), ...losses.keys(), ...ties.keys()])) {
    const v = out.get(changeFindingKey(change)) as CauseVerdict;
    const won = wins.get(change) ?? [];
    const lost = losses.get(change) ?? [];
    const tied = ties.get(change) ?? [];
    if (won.length > 0) v.won = won.map((w) => w.drop);
    if (lost.length > 0) v.lost = lost.map((l) => l.drop);
    if (tied.length > 0) v.tied = tied.map((l) => l.drop);
    const chosen = won.find((w) => w.why !== undefined)?.why;
    const [firstLost] = lost;
    const [firstTied] = tied;
    const aside = firstLost
      ? `not the likely cause of ${[...new Set(lost.map((l) => dropText(l.drop)))].join(", ")}: ${firstLost.why}`
      : "";
    if (!firstLost && !firstTied) {
      if (chosen) v.why = chosen;
    } else if (won.length === 0) {
      // set aside, or undecided after a gap, in every contest it is in, and the only candidate of no drop
      v.likely = false;
      v.why = firstTied ? `${firstTied.why}${aside ? `; ${aside}` : ""}` : (firstLost as (typeof lost)[number]).why;
    } else {
      // the likely cause of one drop, set aside for a rival (or undecided after a gap) at another
      const winning =
        chosen ??
        `the likely cause of ${won.map((w) => dropText(w.drop)).join(", ")}: no other change a failing finding names is as close to it`;
      const undecided = firstTied ? `; undecided for ${[...new Set(tied.map((l) => dropText(l.drop)))].join(", ")}: ${firstTied.why}` : "";
      v.why = `${winning}${aside ? `; ${aside}` : ""}${undecided}`;
    }
  }
  return out;
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
  /**
   * a change that a failing finding names as the cause of a drop (and not set aside for a likelier rival at every drop
   * it is weighed at: see `why`)
   */
  likelyCause?: boolean;
  /** the findings that name this change as the cause */
  findings?: string[];
  /**
   * for a change weighed against others too close to the same drop for the samples to order (rankCauses): why it
   * is the likely cause, or why it was set aside; "undecided: …" when the failing findings could not tell them apart;
   * both ("the likely cause of the 03:04 drop of vm2: …; not the likely cause of the 03:04 drop of vm1: set aside for
   * …") for the likely cause of one drop set aside for a rival at another
   */
  why?: string;
  /**
   * for changes: the members on its path whose health at the change is unknown (a gap in the metrics), and the down
   * state after it; or whose health after it is unknown (no sample after it, or too few for a drop to show; or a gap in
   * the metrics after it, the member up at its end: it may have gone down and come back up in the gap; or no sample in
   * the window at all, though it could have had some)
   */
  healthUnknown?: string[];
  /**
   * for a health transition found after a gap in the metrics (samples missing between the two): the time of the last
   * sample before the gap, in the earlier state. The transition happened somewhere between it and `t`, the first
   * sample after the gap; the samples cannot tell when.
   */
  from?: string;
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
 * (`change:<id>`) is marked as the likely cause, unless it was made as close to
 * each drop it followed as another named change and the failing findings about
 * that drop's member point at the other (rankCauses: `why` says which way, or
 * that it is undecided, or both ways when it won one drop and lost another). A change made
 * while a member's health was unknown (a gap in the metrics) says so
 * (`healthUnknown`). `scope`, when given, keeps the
 * entries of those load balancers, and when it leaves some out, only the
 * changes on their members' paths.
 */
export function buildTimeline(time: TimeData, findings: Finding[], scope?: Set<string>): Timeline {
  checkTimes(time);
  const inScope = (lbId: string) => !scope || scope.has(idKey(lbId));
  const series = time.series.filter((s) => inScope(s.loadBalancerId));
  // the members with no sample that could have had some are on the paths too: a change there is unknown for them
  const unseen = (time.unobserved ?? []).filter((u) => inScope(u.series.loadBalancerId));
  // the load balancers in scope are on their own paths, also when no series of theirs was read (metrics.list 403)
  const pathKeys = new Set([...series.flatMap((s) => s.path), ...unseen.flatMap((u) => u.series.path), ...(scope ?? [])]);
  const narrowed = scope !== undefined && (series.length < time.series.length || unseen.length < (time.unobserved ?? []).length);
  const analysis = analyzeChanges(time);
  const causes = rankCauses(time, findings, analysis);
  const unknown = unknownMembers(analysis);
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
    const verdict = causes.get(changeFindingKey(c));
    if (verdict) {
      if (verdict.likely) e.likelyCause = true;
      // none for a change to tags only, which no finding names: it is in the verdicts only to say why it is no cause
      if (verdict.findings.length > 0) e.findings = verdict.findings;
      if (verdict.why) e.why = verdict.why;
    }
    // made while a member's health was unknown, or followed by a gap in its samples (see unknownMembers)
    const u = (unknown.get(c) ?? []).filter((m) => inScope(m.series.loadBalancerId));
    if (u.length > 0) e.healthUnknown = u.map((m) => unknownText(m, c, time.window));
    entries.push(e);
  }
  for (const s of series) {
    for (const p of transitions(s)) {
      const state = p.up ? "up" : "down";
      // after a gap in the samples, the transition happened somewhere in it: dated by its ends, not at the first sample after it
      const gap = gapBefore(s, p);
      entries.push({
        t: p.t,
        kind: "health",
        resourceId: s.resourceId,
        label: s.label,
        text: gap
          ? `${s.label} went ${state} by ${clock(p.t, time.window)} (${s.metric} ${fmt(p.value)}), ${gap.up ? "up" : "down"} at ${clock(gap.t, time.window)} (no samples in between)`
          : `${s.label} went ${state} (${s.metric} ${fmt(p.value)})`,
        ...(gap ? { from: gap.t } : {}),
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
 * Per change, the members whose health at it or after it is unknown (what `healthUnknown` says of each, with
 * unknownText): those of `analysis.unknown` (followed by the member being down, by no sample or too few, or by a gap
 * the member was up after; or members with no sample in the window that could have had some), then the members of
 * its drops found after a gap it was made inside (a candidate: the member's state at the change is unknown too). The
 * text timeline and the TUI's both say these.
 */
export function unknownMembers(analysis: ChangeAnalysis): Map<Change, UnknownAtChange["members"]> {
  const out = new Map(analysis.unknown.map((u) => [u.change, [...u.members]]));
  for (const { change, drops } of analysis.candidates) {
    const members = drops
      // made inside the gap, after the last sample up before it (before the series' first sample, that sample came after
      // the change: no sample before it to name)
      .filter((d) => d.after && ms(change.time) >= ms(d.after.t) + sampleStep(d.series) && stateAt(d.series, change.time) === undefined)
      .map((d) => ({ series: d.series, down: d.at, ...(d.after ? { last: d.after } : {}) }));
    if (members.length > 0) out.set(change, [...(out.get(change) ?? []), ...members]);
  }
  return out;
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

/**
 * "web-tg in us-east-1a: no HealthyHostCount sample in the 21 min before the change (the last, at 02:49, up); down at
 * 03:21"; "vm1: no DipAvailability sample after the change (the last, at 03:04, up)"; "vm1: the DipAvailability
 * samples end 20 s after the change (the last, at 03:59, up), too soon for a drop to show"; "vm1: no DipAvailability
 * sample between 03:04 (up) and 03:20 (up), a gap in which it may have gone down and come back up"; "vm1: no
 * DipAvailability sample in the window"
 */
export function unknownText(m: UnknownAtChange["members"][number], change: Change, window: TimeWindow): string {
  if (m.none) return `${m.series.label}: ${noneWords(m.series)}`;
  if (!m.down && m.resumes && m.last)
    return `${m.series.label}: ${gapWords(m.series, m.last, m.resumes, window)}, a gap in which it may have gone down and come back up`;
  if (!m.down && m.resumes && m.startsAfter)
    return `${m.series.label}: ${startWords(m.series, m.startsAfter, "the change")} (the first, at ${clock(m.resumes.t, window)}, ${m.resumes.up ? "up" : "down"}), a gap in which it may have gone down and come back up`;
  const last = m.last ? ` (the last, at ${clock(m.last.t, window)}, ${m.last.up ? "up" : "down"})` : "";
  if (!m.down && m.endsAfter)
    return `${m.series.label}: the ${m.series.metric} samples end ${m.endsAfter} after the change${last}, too soon for a drop to show`;
  if (!m.down) return `${m.series.label}: no ${m.series.metric} sample after the change${last}`;
  const before = m.last
    ? `no ${m.series.metric} sample in the ${gapText(m.last.t, change.time)} before the change (the last, at ${clock(m.last.t, window)}, ${m.last.up ? "up" : "down"})`
    : `no ${m.series.metric} sample before the change`;
  return `${m.series.label}: ${before}; down at ${clock(m.down.t, window)}`;
}

/**
 * "no DipAvailability sample before the change, nor in the 10 min after it": the gap a series starts with, for a change
 * made in it (`it`: how the change is named), `startsAfter` the time from the change to the series' first sample.
 */
export function startWords(s: HealthSeries, startsAfter: string, it: string): string {
  return `no ${s.metric} sample before ${it}, nor in the ${startsAfter} after it`;
}

/** "no DipAvailability sample in the window": a member with no sample at all that could have had some (TimeData.unobserved). */
export function noneWords(s: HealthSeries): string {
  return `no ${s.metric} sample in the window`;
}

/** "no DipAvailability sample between 03:04 (up) and 03:20 (up)": a gap in a series, by the samples at its ends. */
export function gapWords(s: HealthSeries, last: HealthPoint, next: HealthPoint, window: TimeWindow): string {
  const state = (p: HealthPoint) => (p.up ? "up" : "down");
  return `no ${s.metric} sample between ${clock(last.t, window)} (${state(last)}) and ${clock(next.t, window)} (${state(next)})`;
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
    if (e.why) out.push(`             ${e.likelyCause ? "why" : "not the likely cause"}: ${e.why}`);
    for (const h of e.healthUnknown ?? []) out.push(`             health at this time unknown: ${h}`);
  }
  for (const m of t.missing) out.push(`  gap: ${m.operation}${m.resourceId ? ` (${m.resourceId})` : ""}: ${m.message}`);
  return lines;
}
