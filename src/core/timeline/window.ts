/** The time window of `--since` / `--window-from` / `--window-until`. */
import { InputError } from "../errors.ts";
import type { TimeWindow } from "./types.ts";

export const DEFAULT_SINCE = "6h";
/** Resource Graph keeps resource changes for 14 days: a longer window would be silently partial. */
export const MAX_WINDOW_MS = 14 * 24 * 3600_000;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/** `90s`, `45m`, `6h`, `2d`, `1h30m` → milliseconds; InputError otherwise. */
export function parseDuration(text: string): number {
  const t = text.trim().toLowerCase();
  const parts = [...t.matchAll(/(\d+)\s*([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== t.replace(/\s+/g, "")) {
    throw new InputError(`--since takes a duration like 30m, 6h, 2d or 1h30m, not '${text}'`);
  }
  return parts.reduce((a, p) => a + Number(p[1]) * (UNITS[p[2] as string] as number), 0);
}

/**
 * An RFC 3339 time, its zone included (`Z` or `+02:00`): without one, Date.parse would read it in this machine's
 * time zone, and the window would shift by the local offset while every time lbdoctor prints is UTC.
 */
function parseTime(flag: string, text: string): number {
  const t = text.trim();
  const v = Date.parse(t);
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/.test(t) || Number.isNaN(v)) {
    const zoneless = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t);
    throw new InputError(
      `${flag} takes an RFC 3339 time like 2026-03-14T03:00:00Z, not '${text}'`,
      zoneless ? `Give its time zone: '${t}Z' for UTC, or an offset such as '${t}+01:00'.` : undefined,
    );
  }
  return v;
}

export interface WindowFlags {
  since?: string;
  windowFrom?: string;
  windowUntil?: string;
}

/** Whether the user asked for time data at all. */
export function wantsWindow(f: WindowFlags): boolean {
  return f.since !== undefined || f.windowFrom !== undefined || f.windowUntil !== undefined;
}

/**
 * The window: `--window-from`/`--window-until` (until defaults to `now`), or
 * `--since` back from `now` (default 6h). Minute-aligned outward, at most 14
 * days, from before until. `now` is the caller's collection time.
 */
export function resolveWindow(f: WindowFlags, now: Date): TimeWindow {
  if (f.since !== undefined && (f.windowFrom !== undefined || f.windowUntil !== undefined)) {
    throw new InputError("give either --since or --window-from/--window-until, not both");
  }
  let until = f.windowUntil !== undefined ? parseTime("--window-until", f.windowUntil) : now.getTime();
  let from: number;
  if (f.windowFrom !== undefined) from = parseTime("--window-from", f.windowFrom);
  else {
    const d = parseDuration(f.since ?? DEFAULT_SINCE);
    if (d <= 0) throw new InputError("--since must be longer than zero");
    from = until - d;
  }
  from = Math.floor(from / 60_000) * 60_000;
  until = Math.ceil(until / 60_000) * 60_000;
  if (from >= until) throw new InputError("the window is empty: --window-from must be before --window-until");
  if (until - from > MAX_WINDOW_MS) {
    throw new InputError(
      "the window is longer than 14 days",
      "Resource Graph keeps resource changes for 14 days; narrow --since or --window-from.",
    );
  }
  return { from: new Date(from).toISOString().replace(".000Z", "Z"), until: new Date(until).toISOString().replace(".000Z", "Z") };
}

/**
 * How long after its window's end a snapshot may have been collected for the state it read (a VM's power, a target's
 * health) to stand for the state at the end of the window: a collection takes minutes. A snapshot taken later (a
 * window in the past) may show a VM stopped after the window, which no change the window holds records.
 */
export const STATE_AT_END_SLACK_MS = 15 * 60_000;

/** Whether a snapshot collected at `collectedAt` read the state at the end of `window` (see STATE_AT_END_SLACK_MS). */
export function stateAtEnd(collectedAt: string | undefined, window: TimeWindow): boolean {
  const at = typeof collectedAt === "string" ? Date.parse(collectedAt) : Number.NaN;
  const end = Date.parse(window.until);
  return Number.isFinite(at) && Number.isFinite(end) && at <= end + STATE_AT_END_SLACK_MS;
}
