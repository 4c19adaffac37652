/**
 * `lbdoctor tui`: the interactive terminal UI. This module decides whether a
 * TUI can run here (a terminal, outside CI), builds the data source and the
 * session, and hands them to the UI. It never imports Ink: the UI module is
 * loaded only once a terminal is confirmed.
 */
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { resolveWindow, wantsWindow } from "../core/timeline/window.ts";
import { mouseWanted } from "../tui/mouse.ts";
import { type DataSource, liveSource, parseInterval, snapshotSource } from "../tui/source.ts";
import type { LiveOptions } from "./acquire.ts";
import { colorEnabled as colorWanted } from "./output.ts";

export interface TuiOptions extends LiveOptions {
  snapshot?: string;
  watch?: string;
  color?: boolean;
  /** false with --no-mouse */
  mouse?: boolean;
}

export interface Terminal {
  stdinTTY: boolean;
  stdoutTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/** Why a TUI cannot run here, or undefined when it can. */
export function noTuiReason(t: Terminal): string | undefined {
  const ci = t.env.CI;
  if (ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false") return "CI is set";
  if (!t.stdoutTTY) return "stdout is not a terminal";
  if (!t.stdinTTY) return "stdin is not a terminal";
  return undefined;
}

export async function runTuiCommand(
  target: string | undefined,
  opts: TuiOptions,
  _io: IO,
  terminal: Terminal = { stdinTTY: process.stdin.isTTY === true, stdoutTTY: process.stdout.isTTY === true, env: process.env },
): Promise<number> {
  const why = noTuiReason(terminal);
  if (why) {
    const args = [target, opts.snapshot ? `--snapshot ${opts.snapshot}` : undefined].filter(Boolean).join(" ");
    throw new InputError(
      `tui needs an interactive terminal (${why})`,
      `For a report you can pipe, save or run in CI, use \`lbdoctor check${args ? ` ${args}` : ""}\` (add --format json for machines).`,
    );
  }
  const watchMs = opts.watch !== undefined ? parseInterval(opts.watch) : undefined;
  // live with --since / --window-from: time data for the timeline view (T), over a window fixed now
  if (!opts.snapshot && wantsWindow(opts)) opts = { ...opts, window: resolveWindow(opts, new Date()) };
  let source: DataSource;
  // scopes without a resource group: several subscriptions (Resource Graph), or a whole AWS region
  const wide = !!opts.subscription || (opts as Record<string, unknown>).allSubscriptions === true || opts.provider === "aws";
  if (opts.snapshot) source = snapshotSource(opts.snapshot, target);
  else if (target || wide) source = await liveSource(target, opts);
  else throw new InputError("name a resource group to collect (lbdoctor tui <resource-group>), or pass --snapshot <file>");

  const notice = watchMs !== undefined && !source.pollHealth ? `watch unavailable: ${source.watchUnavailable}` : undefined;
  // React's production build, as a shipped Ink app should run (its development build checks and warns as it renders,
  // at several times the cost); a NODE_ENV the user set is left alone
  process.env.NODE_ENV ??= "production";
  const { TuiSession } = await import("../tui/session.ts");
  const session = new TuiSession(source, watchMs !== undefined ? { watchMs } : {});
  const { runTui } = await import("../tui/index.ts");
  return runTui(session, {
    color: colorWanted(opts.color),
    ...(notice ? { notice } : {}),
    startWatch: watchMs !== undefined && !!source.pollHealth,
    mouse: mouseWanted(opts, terminal),
  });
}
