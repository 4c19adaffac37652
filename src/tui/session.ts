/**
 * The TUI's data, outside React: it acquires the snapshot (file or live),
 * runs the rules, and in watch mode re-polls rule health and records each
 * member's transitions. Screens subscribe to it (useSyncExternalStore), as a
 * formatter consumes a report. No Ink here.
 */
import { SEVERITIES } from "../core/engine/types.ts";
import type { Report } from "../core/report/report.ts";
import type { Gap, Snapshot } from "../core/snapshot/types.ts";
import { stripSecrets } from "../core/util/secrets.ts";
import { plural } from "../core/util/words.ts";
import { analyze, analyzeInSteps } from "./analyze.ts";
import { finishProgress, onCollectEvent, onEngineEvent, type Progress, startProgress } from "./progress.ts";
import type { DataSource } from "./source.ts";
import { clock } from "./text.ts";
import type { TuiData } from "./types.ts";

export interface Sample {
  at: number;
  state: string;
}

export interface Transition {
  key: string;
  label: string;
  from: string;
  to: string;
  reason?: string;
  at: number;
}

/** One member's health over the watch: a bounded strip of samples and every change. */
export interface Timeline {
  label: string;
  samples: Sample[];
  changes: Transition[];
}

export interface WatchState {
  intervalMs?: number;
  active: boolean;
  /** why watch mode is unavailable (a snapshot) */
  unavailable?: string;
  polls: number;
  polling: boolean;
  lastPollAt?: number;
  lastPollMs?: number;
  /** when the next poll is due (the countdown) */
  nextPollAt?: number;
  /** the last poll's gaps, in one line */
  lastError?: string;
  timelines: Record<string, Timeline>;
  /** every transition, oldest first */
  transitions: Transition[];
}

export interface SessionState {
  status: "loading" | "ready" | "error";
  progress: Progress;
  data?: TuiData;
  error?: Error;
  /** a refresh (`r`) is running; `progress` follows it */
  refreshing: boolean;
  watch: WatchState;
}

export const MAX_SAMPLES = 24;

export function summaryLine(report: Report): string {
  const s = report.summary;
  const sev = SEVERITIES.filter((x) => s.failedBySeverity[x] > 0)
    .map((x) => `${s.failedBySeverity[x]} ${x}`)
    .join(", ");
  const lbs = report.loadBalancers.length;
  return [
    `${s.byStatus.fail} failed${sev ? ` (${sev})` : ""}`,
    `${s.byStatus.unknown} unknown`,
    ...(s.byStatus.error ? [plural(s.byStatus.error, "error")] : []),
    `${s.byStatus.pass} passed`,
    `${lbs} load balancer${lbs === 1 ? "" : "s"}`,
  ].join(" · ");
}

function gapLine(gaps: Gap[]): string {
  const g = gaps[0];
  if (!g) return "";
  const code = [g.status, g.code].filter(Boolean).join(" ");
  const on = g.resourceId ? ` on ${g.resourceId.split("/").pop()}` : "";
  // "failed" only for a call that failed (a status or a code); a gap recorded as a note says what it is
  return code
    ? `${gaps.length} rule-health call${gaps.length === 1 ? "" : "s"} failed (${code}${on})`
    : `${gaps.length} rule-health gap${gaps.length === 1 ? "" : "s"} (${g.message}${on})`;
}

export class TuiSession {
  private state: SessionState;
  private listeners = new Set<() => void>();
  private snapshot: Snapshot | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** stops the rules of a load in progress (`stop`) */
  private readonly abort = new AbortController();
  private busy = false;
  /** the data on screen came from: the first load, a refresh (`r`) or a watch poll, and when */
  private latest: { by: "load" | "refresh" | "watch"; at: number } | undefined;
  readonly source: DataSource;
  private readonly now: () => number;

  constructor(source: DataSource, opts: { watchMs?: number; now?: () => number } = {}) {
    this.source = source;
    this.now = opts.now ?? Date.now;
    const watch: WatchState = { active: false, polls: 0, polling: false, timelines: {}, transitions: [] };
    if (opts.watchMs !== undefined) watch.intervalMs = opts.watchMs;
    if (!source.pollHealth) watch.unavailable = source.watchUnavailable ?? "this source has no live observations to poll";
    this.state = { status: "loading", progress: startProgress(this.now()), refreshing: false, watch };
  }

  getState = (): SessionState => this.state;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  private set(patch: Partial<SessionState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  private setWatch(patch: Partial<WatchState>): void {
    this.set({ watch: { ...this.state.watch, ...patch } });
  }

  /** Acquires and analyses; resolves when the data is ready, rejects with the acquisition's error. */
  async load(): Promise<void> {
    this.busy = true;
    let progress = startProgress(this.now());
    const update = (p: Progress) => {
      progress = p;
      this.set({ progress });
    };
    this.set({ progress, ...(this.state.data ? { refreshing: true } : { status: "loading" as const }) });
    try {
      const snapshot = await this.source.acquire((e) => update(onCollectEvent(progress, e, this.now())));
      // whatever the source (a file, any provider's live collection): nothing secret-shaped is shown or copied
      if (!this.source.secretsStripped) stripSecrets(snapshot);
      let drawn = 0;
      const run = await analyzeInSteps(snapshot, {
        source: this.source.label,
        live: this.source.live,
        ...(this.source.target ? { target: this.source.target } : {}),
        onEvent: (e) => {
          // a frame per rule's start and end is a frame per few milliseconds on a large scope, each a whole render:
          // the count is drawn ten times a second at most (the last rule's end always)
          progress = onEngineEvent(progress, e, this.now());
          const t = performance.now();
          if (e.type === "done" || t - drawn >= 100) {
            drawn = t;
            update(progress);
          }
        },
        signal: this.abort.signal,
      });
      // the first load: the load balancers and their members on screen now, the findings once the rules ran (a
      // refresh keeps the data on screen until then)
      if (!this.state.data) this.set({ status: "ready", data: run.first });
      const data = await run.done;
      this.snapshot = snapshot;
      this.latest = { by: this.latest ? "refresh" : "load", at: this.now() };
      update(finishProgress(progress, this.now(), { summary: summaryLine(data.report) }));
      this.set({ status: "ready", data, refreshing: false });
      this.seedTimelines(data);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      update(finishProgress(progress, this.now(), { error: error.message }));
      if (this.state.data && !this.state.data.checking) this.set({ refreshing: false });
      else {
        // rules that never finished leave no data that says "checking" forever: the error instead
        const { data: _partial, ...rest } = this.state;
        this.state = { ...rest, status: "error", error, refreshing: false };
        this.set({});
      }
      throw error;
    } finally {
      this.busy = false;
    }
  }

  /**
   * The line printed once the explorer is gone, when the data on screen is newer than the collection summary left
   * in the scrollback (after `r` or a watch poll): the latest run's summary, not the first's.
   */
  exitSummary(): string | undefined {
    const data = this.state.data;
    if (!data || !this.latest || this.latest.by === "load") return undefined;
    const how = this.latest.by === "refresh" ? "refreshed" : "watch poll";
    return `latest (${how} at ${clock(this.latest.at)}): ${summaryLine(data.report)}`;
  }

  /**
   * `r`: collect again (live) or re-read the file; the previous data stays on screen until the new data is ready.
   * Resolves false when it did not start: a load (its rules included) or a watch poll is running.
   */
  refresh(): Promise<boolean> {
    if (this.busy) return Promise.resolve(false);
    return this.load().then(
      () => true,
      // the error is in progress.error; the screens keep the previous data
      () => true,
    );
  }

  /** Starts polling, if the source can; returns a line for the status bar. */
  startWatch(intervalMs = this.state.watch.intervalMs ?? 5000): string {
    const w = this.state.watch;
    if (w.unavailable) return `watch unavailable: ${w.unavailable}`;
    if (w.active) return "already watching";
    this.setWatch({ active: true, intervalMs });
    this.schedule(0);
    return `watching ${this.state.data?.provider === "aws" ? "target" : "rule"} health every ${intervalMs / 1000}s`;
  }

  stopWatch(): string {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { nextPollAt: _next, ...watch } = this.state.watch;
    this.set({ watch: { ...watch, active: false } });
    return "watch paused";
  }

  toggleWatch(): string {
    return this.state.watch.active ? this.stopWatch() : this.startWatch();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort(new Error("stopped"));
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.setWatch({ nextPollAt: this.now() + ms });
    this.timer = setTimeout(() => void this.pollOnce(), ms);
    this.timer.unref?.();
  }

  private seedTimelines(data: TuiData): void {
    const at = this.now();
    const timelines = { ...this.state.watch.timelines };
    for (const [key, h] of data.inspector?.healthStates() ?? []) {
      const t = timelines[key];
      if (!t) timelines[key] = { label: h.label, samples: [{ at, state: h.state }], changes: [] };
    }
    this.setWatch({ timelines });
  }

  /** One watch poll: rule health only, then the rules again (offline, cheap), then the transitions. */
  async pollOnce(): Promise<void> {
    const w = this.state.watch;
    if (this.stopped || !w.active) return;
    const poll = this.source.pollHealth;
    if (this.busy || !this.snapshot || !poll || this.state.status !== "ready") {
      this.schedule(w.intervalMs ?? 5000);
      return;
    }
    this.busy = true;
    this.setWatch({ polling: true });
    try {
      const res = await poll(this.snapshot);
      const next = res.snapshot;
      const data = await analyze(next, {
        source: this.source.label,
        live: this.source.live,
        ...(this.source.target ? { target: this.source.target } : {}),
      });
      this.snapshot = next;
      const at = this.now();
      const timelines = { ...this.state.watch.timelines };
      const fresh: Transition[] = [];
      for (const [key, h] of data.inspector?.healthStates() ?? []) {
        const t = timelines[key] ?? { label: h.label, samples: [], changes: [] };
        const last = t.samples[t.samples.length - 1];
        const samples = [...t.samples, { at, state: h.state }].slice(-MAX_SAMPLES);
        let changes = t.changes;
        if (last && last.state !== h.state) {
          const tr: Transition = { key, label: h.label, from: last.state, to: h.state, at };
          if (h.reason) tr.reason = h.reason;
          changes = [...changes, tr];
          fresh.push(tr);
        }
        timelines[key] = { label: h.label, samples, changes };
      }
      const watch: WatchState = {
        ...this.state.watch,
        polls: this.state.watch.polls + 1,
        polling: false,
        lastPollAt: at,
        lastPollMs: res.ms,
        timelines,
        transitions: [...this.state.watch.transitions, ...fresh],
      };
      this.latest = { by: "watch", at };
      const gaps = gapLine(res.gaps);
      if (gaps) watch.lastError = gaps;
      else delete watch.lastError;
      this.set({ data, watch });
    } catch (e) {
      this.setWatch({ polling: false, lastError: e instanceof Error ? e.message : String(e) });
    } finally {
      this.busy = false;
      if (this.state.watch.active) this.schedule(this.state.watch.intervalMs ?? 5000);
    }
  }
}
