/**
 * The collection screen's state: a pure reduction of the collector's and the
 * engine's events. `log` only grows (finished phases and gaps, in order), so
 * the screen can hand it to Ink's <Static>.
 */
import type { CollectEvent } from "../core/collect/events.ts";
import type { EngineEvent } from "../core/engine/run.ts";
import type { Gap } from "../core/snapshot/types.ts";
import { plural } from "../core/util/words.ts";

export interface PhaseState {
  name: string;
  startedAt: number;
  endedAt?: number;
  /** calls made while this phase ran */
  calls: number;
  /** operations running now (started, not ended), and started while this phase ran */
  inFlight?: number;
  started?: number;
  /** gaps that happened while this phase ran */
  gaps: Gap[];
  detail?: string;
  /** the run stopped in this phase */
  failed?: boolean;
  /** it runs beside others (a region or account of a wide scope): the events of this scope are its own */
  scope?: string;
}

/** A finished row: a phase, then the gaps it met, in order. */
export type LogEntry = { kind: "phase"; phase: PhaseState } | { kind: "gap"; gap: Gap; phase: string };

export interface Progress {
  startedAt: number;
  phases: PhaseState[];
  log: LogEntry[];
  calls: number;
  /** operations running now, across phases */
  inFlight?: number;
  gaps: Gap[];
  collected?: { resources: number; calls: number; ms: number; gaps: number };
  rules?: { done: number; results: number };
  /** one line on the findings, once the rules ran */
  summary?: string;
  error?: string;
  finishedAt?: number;
}

export function startProgress(now: number): Progress {
  return { startedAt: now, phases: [], log: [], calls: 0, gaps: [] };
}

/** The phase an event belongs to: the running one of its scope, else the last phase if it still runs; -1 for none. */
function target(p: Progress, scope: string | undefined): number {
  if (scope !== undefined) return p.phases.findIndex((ph) => ph.scope === scope && ph.endedAt === undefined);
  const i = p.phases.length - 1;
  return i >= 0 && p.phases[i]?.endedAt === undefined ? i : -1;
}

function update(p: Progress, i: number, patch: (ph: PhaseState) => PhaseState): Progress {
  const ph = p.phases[i];
  if (!ph) return p;
  return { ...p, phases: [...p.phases.slice(0, i), patch(ph), ...p.phases.slice(i + 1)] };
}

/** Ends phase `i`: its row, then the gaps it met, go to the log. */
function end(p: Progress, i: number, now: number, detail?: string): Progress {
  const cur = p.phases[i];
  if (!cur || cur.endedAt !== undefined) return p;
  const done: PhaseState = { ...cur, endedAt: now, ...(detail ? { detail } : {}) };
  const { inFlight: _inFlight, ...idle } = done;
  const gaps = done.gaps.map((gap): LogEntry => ({ kind: "gap", gap, phase: done.name }));
  const ended = {
    ...update(p, i, () => (cur.scope === undefined ? done : idle)),
    log: [...p.log, { kind: "phase" as const, phase: done }, ...gaps],
  };
  return cur.scope === undefined ? ended : { ...ended, inFlight: inFlightOf(ended) };
}

/** Operations in flight across the phases running beside each other. */
function inFlightOf(p: Progress): number {
  return p.phases.reduce((n, ph) => n + (ph.endedAt === undefined ? (ph.inFlight ?? 0) : 0), 0);
}

/** Ends every running phase (one, unless scoped phases run beside each other); `detail` goes to the last. */
function closeCurrent(p: Progress, now: number, detail?: string): Progress {
  let out = p;
  for (let i = 0; i < p.phases.length; i++)
    if (p.phases[i]?.endedAt === undefined) out = end(out, i, now, i === p.phases.length - 1 ? detail : undefined);
  return out;
}

function open(p: Progress, name: string, now: number, scope?: string): Progress {
  return { ...p, phases: [...p.phases, { name, startedAt: now, calls: 0, gaps: [], ...(scope !== undefined ? { scope } : {}) }] };
}

export function onCollectEvent(p: Progress, e: CollectEvent, now: number): Progress {
  switch (e.type) {
    case "phase": {
      if (e.scope === undefined) return open(closeCurrent(p, now), e.name, now);
      // beside the other scoped phases; an unscoped phase before them is over
      const last = p.phases.length - 1;
      const before = last >= 0 && p.phases[last]?.scope === undefined ? end(p, last, now) : p;
      return open(before, e.name, now, e.scope);
    }
    case "phase-done": {
      const i = target(p, e.scope);
      return i < 0 ? p : end(p, i, now, e.detail);
    }
    case "call": {
      const i = target(p, e.scope);
      const out = i < 0 ? p : update(p, i, (ph) => ({ ...ph, calls: ph.calls + Math.max(0, e.calls - p.calls) }));
      return { ...out, calls: Math.max(p.calls, e.calls) };
    }
    case "gap": {
      const i = target(p, e.scope);
      if (i >= 0) return { ...update(p, i, (ph) => ({ ...ph, gaps: [...ph.gaps, e.gap] })), gaps: [...p.gaps, e.gap] };
      return { ...p, gaps: [...p.gaps, e.gap], log: [...p.log, { kind: "gap", gap: e.gap, phase: "" }] };
    }
    case "in-flight": {
      const i = target(p, e.scope);
      if (e.scope !== undefined) {
        // a scope's own counts
        if (i < 0) return p;
        const out = update(p, i, (ph) => ({ ...ph, inFlight: e.inFlight, started: e.started }));
        return { ...out, inFlight: inFlightOf(out) };
      }
      const started = e.inFlight > (p.inFlight ?? 0);
      const out = i < 0 ? p : update(p, i, (ph) => ({ ...ph, inFlight: e.inFlight, started: (ph.started ?? 0) + (started ? 1 : 0) }));
      return { ...out, inFlight: e.inFlight };
    }
    case "progress":
      return p;
    case "done": {
      const detail = plural(e.resources, "resource");
      // calls that failed (gaps) send no call event; the total says how many there were
      const i = target(p, undefined);
      const extra = Math.max(0, e.calls - p.calls);
      const withCalls = i >= 0 && extra > 0 ? update(p, i, (ph) => ({ ...ph, calls: ph.calls + extra })) : p;
      const closed = closeCurrent(withCalls, now, detail);
      return {
        ...closed,
        calls: Math.max(closed.calls, e.calls),
        collected: { resources: e.resources, calls: e.calls, ms: e.ms, gaps: e.gaps },
      };
    }
  }
}

export function onEngineEvent(p: Progress, e: EngineEvent, now: number): Progress {
  const cur = p.phases[p.phases.length - 1];
  const inRules = cur?.name === "rules" && cur.endedAt === undefined;
  if (e.type === "rule-start") return inRules ? p : open(closeCurrent(p, now), "rules", now);
  if (e.type === "rule-end") {
    const rules = { done: (p.rules?.done ?? 0) + 1, results: (p.rules?.results ?? 0) + e.findings };
    return { ...p, rules };
  }
  const rules = p.rules ?? { done: 0, results: 0 };
  return closeCurrent({ ...p, rules }, now, `${plural(rules.done, "rule")} · ${plural(e.findings, "result")}`);
}

export function finishProgress(p: Progress, now: number, outcome: { summary: string } | { error: string }): Progress {
  // the phases still running when it stopped are where it stopped
  const marked = "error" in outcome ? { ...p, phases: p.phases.map((ph) => (ph.endedAt === undefined ? { ...ph, failed: true } : ph)) } : p;
  const closed = closeCurrent(marked, now);
  return { ...closed, finishedAt: now, ...outcome };
}
