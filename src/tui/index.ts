/**
 * The only module that starts Ink (and React). `lbdoctor tui` reaches the UI
 * through `runTui` and awaits an exit code; nothing else in the CLI loads it.
 *
 * First the collection screen, inline: its finished rows stay in the
 * scrollback. Then the explorer, in the alternate screen, which Ink leaves on
 * exit, on Ctrl-C (handled as a key: exit 130), on a signal (signal-exit) and
 * on a crash (the guard below).
 */
import { render, useAnimation, useApp, useInput, useWindowSize } from "ink";
import React from "react";
import { clipboard } from "./clipboard.ts";
import { App } from "./components/app.ts";
import { CollectionScreen } from "./components/collection.ts";
import type { TuiSession } from "./session.ts";

const h = React.createElement;

export interface RunOptions {
  color: boolean;
  /** a first status line in the explorer */
  notice?: string;
  /** start polling rule health once the data is ready (--watch, live) */
  startWatch?: boolean;
}

function CollectionApp({ session, color, title, onAbort }: { session: TuiSession; color: boolean; title: string; onAbort: () => void }) {
  const state = React.useSyncExternalStore(session.subscribe, session.getState);
  const finished = state.progress.finishedAt !== undefined;
  const { frame } = useAnimation({ interval: 100, isActive: !finished });
  const { columns } = useWindowSize();
  const { exit } = useApp();
  useInput((input, key) => {
    if ((key.ctrl && input === "c") || input === "q") {
      onAbort();
      exit();
    }
  });
  React.useEffect(() => {
    if (finished) exit();
  }, [finished, exit]);
  return h(CollectionScreen, { title, progress: state.progress, now: Date.now(), frame, width: Math.max(40, columns), color });
}

/** The collection screen; resolves once the data is ready, rejects with the acquisition's error; false when the user aborted. */
async function collect(session: TuiSession, opts: RunOptions): Promise<boolean> {
  let aborted = false;
  const title = `lbdoctor tui · ${session.source.label}`;
  const inst = render(
    h(CollectionApp, {
      session,
      color: opts.color,
      title,
      onAbort: () => {
        aborted = true;
      },
    }),
    { exitOnCtrlC: false, patchConsole: false, interactive: true },
  );
  const loading = session.load().then(
    () => undefined,
    (e: unknown) => e,
  );
  await inst.waitUntilExit();
  if (aborted) return false;
  const error = await loading;
  if (error) throw error;
  return true;
}

async function explore(session: TuiSession, opts: RunOptions): Promise<number> {
  let code = 0;
  const notice = opts.startWatch ? session.startWatch() : opts.notice;
  const copy = clipboard({ write: (s) => void process.stdout.write(s), isTTY: process.stdout.isTTY === true });
  const inst = render(
    h(App, {
      session,
      color: opts.color,
      copy,
      onExit: (c: number) => {
        code = c;
      },
      ...(notice ? { notice } : {}),
    }),
    { alternateScreen: true, exitOnCtrlC: false, patchConsole: true, interactive: true },
  );
  // a crash outside React (a timer, a rejected promise) still leaves the terminal as it was
  let mounted = true;
  let crashed: Error | undefined;
  const crash = (e: unknown) => {
    if (!mounted) return;
    mounted = false;
    crashed = e instanceof Error ? e : new Error(String(e));
    inst.unmount();
  };
  const restore = () => {
    if (mounted) process.stdout.write("\u001b[?1049l\u001b[?25h");
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  process.on("exit", restore);
  try {
    await inst.waitUntilExit();
    if (crashed) throw crashed;
    return code;
  } finally {
    mounted = false;
    session.stop();
    process.off("uncaughtException", crash);
    process.off("unhandledRejection", crash);
    process.off("exit", restore);
  }
}

/** Runs the TUI on a session; returns the exit code (0 on q, 130 on Ctrl-C). */
export async function runTui(session: TuiSession, opts: RunOptions): Promise<number> {
  if (!(await collect(session, opts))) {
    // the collector cannot be cancelled: its calls in flight would keep the process alive after an abort
    session.stop();
    setTimeout(() => process.exit(130), 200).unref();
    return 130;
  }
  const code = await explore(session, opts);
  // the scrollback holds the first collection's summary: after a refresh or a watch poll, the latest run's follows it
  const latest = session.exitSummary();
  if (latest) process.stdout.write(`${latest}\n`);
  return code;
}
