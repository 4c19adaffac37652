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

function closeCurrent(p: Progress, now: number, detail?: string): Progress {
  const cur = p.phases[p.phases.length - 1];
  if (!cur || cur.endedAt !== undefined) return p;
  const done: PhaseState = { ...cur, endedAt: now, ...(detail ? { detail } : {}) };
  const gaps = done.gaps.map((gap): LogEntry => ({ kind: "gap", gap, phase: done.name }));
  return { ...p, phases: [...p.phases.slice(0, -1), done], log: [...p.log, { kind: "phase", phase: done }, ...gaps] };
}

function open(p: Progress, name: string, now: number): Progress {
  return { ...p, phases: [...p.phases, { name, startedAt: now, calls: 0, gaps: [] }] };
}

export function onCollectEvent(p: Progress, e: CollectEvent, now: number): Progress {
  switch (e.type) {
    case "phase":
      return open(closeCurrent(p, now), e.name, now);
    case "call": {
      const cur = p.phases[p.phases.length - 1];
      const phases =
        cur && cur.endedAt === undefined ? [...p.phases.slice(0, -1), { ...cur, calls: cur.calls + (e.calls - p.calls) }] : p.phases;
      return { ...p, phases, calls: e.calls };
    }
    case "gap": {
      const cur = p.phases[p.phases.length - 1];
      if (cur && cur.endedAt === undefined) {
        return { ...p, phases: [...p.phases.slice(0, -1), { ...cur, gaps: [...cur.gaps, e.gap] }], gaps: [...p.gaps, e.gap] };
      }
      return { ...p, gaps: [...p.gaps, e.gap], log: [...p.log, { kind: "gap", gap: e.gap, phase: "" }] };
    }
    case "in-flight": {
      const cur = p.phases[p.phases.length - 1];
      const started = e.inFlight > (p.inFlight ?? 0);
      const phases =
        cur && cur.endedAt === undefined
          ? [...p.phases.slice(0, -1), { ...cur, inFlight: e.inFlight, started: (cur.started ?? 0) + (started ? 1 : 0) }]
          : p.phases;
      return { ...p, phases, inFlight: e.inFlight };
    }
    case "progress":
      return p;
    case "done": {
      const detail = plural(e.resources, "resource");
      // calls that failed (gaps) send no call event; the total says how many there were
      const cur = p.phases[p.phases.length - 1];
      const extra = Math.max(0, e.calls - p.calls);
      const withCalls =
        cur && cur.endedAt === undefined && extra > 0
          ? { ...p, phases: [...p.phases.slice(0, -1), { ...cur, calls: cur.calls + extra }] }
          : p;
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
  const cur = p.phases[p.phases.length - 1];
  const marked =
    "error" in outcome && cur && cur.endedAt === undefined ? { ...p, phases: [...p.phases.slice(0, -1), { ...cur, failed: true }] } : p;
  const closed = closeCurrent(marked, now);
  return { ...closed, finishedAt: now, ...outcome };
}
