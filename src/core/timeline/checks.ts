/**
 * The provider-neutral halves of the time rules: what `*\/change-before-failure`
 * and the flapping rules report, from the model's TimeData. The rules
 * (rules/<provider>/…) supply the provider's words and call these; no rule
 * runs another.
 */
import type { Model, RuleContext } from "../engine/types.ts";
import { idKey } from "../util/resource-id.ts";
import { plural } from "../util/words.ts";
import {
  analyzeChanges,
  type ChangeImpact,
  changeFindingKey,
  clock,
  FLAP_LOOKBACK_STEPS,
  gapText,
  gapWords,
  noneWords,
  sampleStep,
  sparkline,
  startWords,
  tagsOnly,
  timeMs,
  transitions,
  type UnknownAtChange,
} from "./analyze.ts";
import type { HealthSeries, TimeData } from "./types.ts";

/** A member changing state at least this many times in the window is flapping. */
export const FLAP_TRANSITIONS = 4;

export const CHANGE_MESSAGES = {
  changed:
    "{{when}}: {{who}} changed {{resource}} ({{summary}}); {{gap}} later {{member}} went down ({{metric}} at {{dropAt}}){{more}}.{{rivals}} Before → after: {{beforeAfter}}.",
  changedInGap:
    "{{when}}: {{who}} changed {{resource}} ({{summary}}) in a gap in the metrics; {{member}} was down by {{dropAt}}, {{gap}} after it ({{metric}}; up at {{upAt}}, no samples in between: it may have gone down before this change){{more}}.{{rivals}} Before → after: {{beforeAfter}}.",
  unknownState:
    "{{when}}: {{who}} changed {{resource}} ({{summary}}), but whether {{member}} was up then is unknown: {{before}}; at {{downAt}} it was down{{more}}. Whether this change broke it, the samples cannot tell.",
  unknownAfter:
    "{{when}}: {{who}} changed {{resource}} ({{summary}}), but what {{member}} did after it is unknown: {{after}}{{more}}. Whether this change broke it, the samples cannot tell.",
  none: "No change in the window {{from}} – {{until}} preceded a health drop ({{changes}} read, {{series}} health series).",
  noneTags:
    "No change in the window {{from}} – {{until}} that could break traffic preceded a health drop: {{tags}} changed only tags, which nothing reads to forward, filter or answer traffic ({{changes}} read, {{series}} health series).",
  noChanges: "The changes in the window could not be read ({{reason}}), so whether a change preceded the drop is unknown.",
  noMetrics: "The health metrics could not be read ({{reason}}), so whether a change preceded a drop is unknown.",
} as const;

/**
 * change-before-failure: one fail per change that a member's drop followed (several when they were made too close
 * to the drop for the samples to order: each names the others, and the timeline weighs them against the failing
 * findings); one unknown per change made while a member's health was unknown (a gap in the metrics) and followed
 * by it being down, or followed by no sample at all (the series ends before it, in a gap that runs to the end of the
 * window), or by too few for a drop to show (the series ends within CONTEST_STEPS intervals of it), or by a gap in the
 * metrics the member was up after (it may have gone down and come back up inside it; the gap the series starts with
 * too, for a change made before its first sample); one per change on the path of a member with no sample in the window
 * that could have had some (TimeData.unobserved: its metric was read, and it was there to report on), made while it
 * could be observed, unless the change is a fail for another member's drop; a pass when no change preceded a drop
 * and none is unknown. An unknown names its first member's case in full, says "the same" only of the members whose
 * health is unknown the same way (see unknownKind), and names each other way by its first member (at most three,
 * then how many more members). A change to tags only cannot break traffic: never a fail nor an unknown (at most the
 * pass names it: noneTags); the timeline still weighs it as a rival, and sets it aside.
 */
export function checkChangeBeforeFailure<M extends Model>(ctx: RuleContext<M>, loadBalancers: Array<{ id: string; name: string }>): void {
  const time = ctx.model.time;
  if (!time) return; // no window in the snapshot: not applicable
  const missingChanges = time.missing.filter((m) => m.what === "changes");
  const missingMetrics = time.missing.filter((m) => m.what === "metrics");
  const { candidates, unknown, tagsOnly: tagged = [] } = analyzeChanges(time);
  // a change to tags only may be a rival of one that did more (the timeline sets it aside): no finding of its own
  const impacts = candidates.filter((c) => !tagsOnly(c.change));
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
    const more = members.length > 1 ? ` and ${members.length - 1} more member${members.length > 2 ? "s" : ""} after it` : "";
    // made inside the gap a drop was found after: the member may have gone down before the change, not "N min later"
    const inGap = first.after !== undefined && timeMs(change.time) >= timeMs(first.after.t) + sampleStep(first.series);
    ctx.report({
      status: "fail",
      resourceId: change.resourceId,
      resourceName: change.resourceName,
      loadBalancerId: first.series.loadBalancerId,
      key: changeFindingKey(change),
      messageId: inGap ? "changedInGap" : "changed",
      data: {
        when: clock(change.time, time.window),
        who: change.who ?? "an unknown caller",
        resource: change.resourceName,
        summary: change.summary,
        gap: inGap ? gapText(change.time, first.at.t) : delayText(change, first),
        member: first.series.label,
        metric: `${first.series.metric} ${first.at.value}`,
        // a drop found after a gap in the metrics: when in the gap, the samples cannot tell
        ...(inGap && first.after
          ? { dropAt: clock(first.at.t, time.window), upAt: clock(first.after.t, time.window) }
          : {
              dropAt: first.after
                ? `${clock(first.at.t, time.window)}; up at ${clock(first.after.t, time.window)}, no samples in between`
                : clock(first.at.t, time.window),
            }),
        more,
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
  // a change made while a member's health was unknown (a gap in the metrics), the member down after it; or one a gap in the
  // metrics follows, the member up after it (it may have gone down and come back up in the gap); or one on the path of a
  // member with no sample in the window that could have had some: unknown, never a stale sample's word, nor silence
  const unsure = new Set<string>();
  for (const { change, members } of unknown) {
    const first = members[0] as UnknownMember;
    for (const m of members) unsure.add(idKey(m.series.loadBalancerId));
    // the members whose health is unknown the same way as the first ("the same for…"), and the others, by kind, each
    // kind named by its first member (at most three kinds; the members of the rest counted)
    const kinds = new Map<UnknownKind, UnknownMember[]>();
    for (const m of members) kinds.set(unknownKind(m), [...(kinds.get(unknownKind(m)) ?? []), m]);
    const same = (kinds.get(unknownKind(first)) ?? []).length - 1;
    const others = [...kinds].filter(([k]) => k !== unknownKind(first)).map(([, list]) => list);
    const named = others.slice(0, 3);
    const rest = others.slice(3).reduce((n, list) => n + list.length, 0);
    const otherText =
      named
        .map((list) => {
          const m = list[0] as UnknownMember;
          const also = list.length > 1 ? ` (the same for ${plural(list.length - 1, "more member")})` : "";
          const what = m.down
            ? `${beforeText(m, change.time, time)}, and at ${clock(m.down.t, time.window)} it was down`
            : afterText(m, "it", time);
          return `; for ${m.series.label}, ${what}${also}`;
        })
        .join("") + (rest > 0 ? `; and ${plural(rest, "more member")}` : "");
    const sameText = (word: string) => (same > 0 ? `; ${word} ${plural(same, "more member")}` : "");
    const said = {
      when: clock(change.time, time.window),
      who: change.who ?? "an unknown caller",
      resource: change.resourceName,
      summary: change.summary,
      member: first.series.label,
    };
    ctx.report({
      status: "unknown",
      resourceId: change.resourceId,
      resourceName: change.resourceName,
      loadBalancerId: first.series.loadBalancerId,
      key: changeFindingKey(change),
      // no sample after the change (the series ends before it): what the member did after it is unknown
      ...(first.down
        ? {
            messageId: "unknownState",
            data: {
              ...said,
              before: beforeText(first, change.time, time),
              downAt: clock(first.down.t, time.window),
              more: sameText(same > 1 ? "so were" : "so was") + otherText,
            },
          }
        : {
            messageId: "unknownAfter",
            data: {
              ...said,
              after: afterText(first, first.series.label, time),
              more: sameText("the same for") + otherText,
            },
          }),
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
    // a drop only changes to tags preceded: no cause, but not "no change preceded it"
    const tags = [...new Set(tagged.filter((x) => idKey(x.series.loadBalancerId) === idKey(lb.id)).map((x) => x.change))];
    ctx.report({
      status: "pass",
      resourceId: lb.id,
      resourceName: lb.name,
      loadBalancerId: lb.id,
      messageId: tags.length > 0 ? "noneTags" : "none",
      data: {
        from: clock(time.window.from, time.window),
        until: clock(time.window.until, time.window),
        changes: plural(time.changes.length, "change"),
        series: n,
        ...(tags.length > 0 ? { tags: changesText(tags, time) } : {}),
      },
    });
  }
}

type UnknownMember = UnknownAtChange["members"][number];

/**
 * How a member's health at or after a change is unknown: down after it, its state at it unknown (`down`); a gap in
 * the middle of its samples after it (`gap`), or the one its series starts with (`lead`), the member up after it;
 * samples after it, too few for a drop to show (`soon`); no sample after it (`after`); no sample in the window
 * (`none`). An unknown finding says "the same" only of members of one kind.
 */
type UnknownKind = "down" | "gap" | "lead" | "soon" | "after" | "none" | "flap";

function unknownKind(m: UnknownMember): UnknownKind {
  if (m.none) return "none";
  if (m.flapping) return "flap";
  if (m.down) return "down";
  if (m.resumes) return m.last ? "gap" : "lead";
  return m.endsAfter ? "soon" : "after";
}

/**
 * What is unknown of a member's state at a change it was down after: "no DipAvailability sample in the 11 min before
 * it (the last, at 03:04, was down)", "no DipAvailability sample before it".
 */
function beforeText(m: UnknownMember, at: string, time: TimeData): string {
  return m.last
    ? `no ${m.series.metric} sample in the ${gapText(m.last.t, at)} before it (the last, at ${clock(m.last.t, time.window)}, was ${m.last.up ? "up" : "down"})`
    : `no ${m.series.metric} sample before it`;
}

/**
 * What is unknown of what a member did after a change (no `down`): a gap in its samples after it, the member up after
 * the gap (`who`: how the member is named in "a gap in which … may have gone down"); the gap its series starts with;
 * samples that end too soon after it for a drop to show; none after it; none in the window.
 */
function afterText(m: UnknownMember, who: string, time: TimeData): string {
  const lastText = m.last ? ` (the last, at ${clock(m.last.t, time.window)}, was ${m.last.up ? "up" : "down"})` : "";
  if (m.none) return noneWords(m.series);
  if (m.flapping) {
    const span = gapText(new Date(0).toISOString(), new Date(FLAP_LOOKBACK_STEPS * sampleStep(m.series)).toISOString());
    return `${m.series.label} was already flapping (${plural(m.flapping, "transition")} in the ${span} before it), so a drop after it may be one more of its own`;
  }
  if (m.resumes && m.last)
    return `${gapWords(m.series, m.last, m.resumes, time.window)}, a gap in which ${who} may have gone down and come back up`;
  if (m.resumes && m.startsAfter)
    return `${startWords(m.series, m.startsAfter, "it")} (the first, at ${clock(m.resumes.t, time.window)}, was ${m.resumes.up ? "up" : "down"}), a gap in which ${who} may have gone down and come back up`;
  if (m.endsAfter)
    return `the ${m.series.metric} samples end ${m.endsAfter} after it${lastText}, too soon for a drop to show: a member counts as down only after several failed health probes`;
  return `no ${m.series.metric} sample after it${lastText}`;
}

/**
 * How long after a change its drop came, in words: "2 min"; for a drop found after a gap in the metrics, of a change
 * made before the gap, the range the gap allows ("between 6 min and 37 min", from the first missing sample to the
 * first down one). (A change made inside the gap says how long after it the member was down: changedInGap.)
 */
function delayText(change: ChangeImpact["change"], d: ChangeImpact["drops"][number]): string {
  if (!d.after) return gapText(change.time, d.at.t);
  const missing = timeMs(d.after.t) + sampleStep(d.series);
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
 * without rivals, or when each changed only tags (tagsOnly: no cause of a drop).
 */
function rivalsText(all: ChangeImpact["rivals"], time: TimeData): string {
  // a change to tags only cannot have broken the member: no rival of a change that could (the timeline still weighs it)
  const rivals = all.filter((r) => !tagsOnly(r));
  if (rivals.length === 0) return "";
  const shown = rivals
    .slice(0, 3)
    .map((r) => `${r.who ?? "an unknown caller"}'s change to ${r.resourceName} at ${clock(r.time, time.window)}`)
    .join(", ");
  const more = rivals.length > 3 ? ` and ${rivals.length - 3} more` : "";
  const was = rivals.length > 1 ? "were" : "was";
  return ` ${shown}${more} ${was} made as close to a drop it followed: the samples cannot order them (lbdoctor timeline weighs them against the failing findings).`;
}

/** "dave's change to web-alb at 03:11:50, carol's change to web-tg at 03:12 and 2 more" (at most three named). */
function changesText(changes: ChangeImpact["rivals"], time: TimeData): string {
  const shown = changes
    .slice(0, 3)
    .map((r) => `${r.who ?? "an unknown caller"}'s change to ${r.resourceName} at ${clock(r.time, time.window)}`);
  const more = changes.length > 3 ? ` and ${changes.length - 3} more` : "";
  return `${shown.join(", ")}${more}`;
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
