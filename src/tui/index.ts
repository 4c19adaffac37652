/**
 * The only module that starts Ink (and React). `lbdoctor tui` reaches the UI
 * through `runTui` and awaits an exit code; nothing else in the CLI loads it.
 *
 * First the collection screen, then the explorer, both in the alternate
 * screen, which Ink leaves on exit, on Ctrl-C (handled as a key: exit 130), on
 * a signal (signal-exit) and on a crash (the guards below). Between them the
 * collection's summary is printed once on the normal screen: that is what
 * stays in the scrollback. Nothing drawn while a frame can still change goes
 * to the normal screen, so a resize (the terminal re-wraps the old rows, and
 * Ink erases its previous frame by counting rows) cannot leave stale copies
 * in the scrollback. Mouse reporting (wheel, click) is on in the
 * explorer only, and turned off on every one of those paths, before the
 * alternate screen is left: by the MouseMode component's cleanup, which runs
 * when Ink unmounts (quit, Ctrl-C, a signal, a crash), and by the process's
 * exit hook as a backstop. A terminal left reporting the mouse would type
 * escape sequences into the shell at every wheel turn.
 */
import { Box, type Instance, render, useAnimation, useApp, useInput, useWindowSize } from "ink";
import React from "react";
import { clipboard } from "./clipboard.ts";
import { App } from "./components/app.ts";
import { CollectionScreen, collectionSummary, collectionWidth } from "./components/collection.ts";
import { MOUSE_OFF, MOUSE_ON, type MouseEvent, mouseEvent, mouseStdin } from "./mouse.ts";
import { finishProgress, type Progress } from "./progress.ts";
import type { TuiSession } from "./session.ts";

const h = React.createElement;

/** Cursor home, erase to the end of the screen: the visible screen only (CSI 2J would push it into some terminals' scrollback). */
const WIPE = "\u001b[H\u001b[J";
const LEAVE = "\u001b[?1049l\u001b[?25h";

/** Best effort: after a hang-up there is no terminal to write to. */
function put(s: string): void {
  if (!process.stdout.destroyed && !process.stdout.writableEnded) process.stdout.write(s);
}

/**
 * Wipes the alternate screen before Ink leaves it, in a layout effect's cleanup (it runs in Ink's unmount, before the
 * screen is switched, even on a signal): tmux copies rows of an alternate screen that was widened while it was up into
 * the normal screen's scrollback when it is left; an empty one leaves none.
 */
function WipeOnExit({ onWipe, children }: { onWipe: () => void; children?: React.ReactNode }) {
  React.useLayoutEffect(
    () => () => {
      put(WIPE);
      onWipe();
    },
    [onWipe],
  );
  return h(React.Fragment, null, children);
}

/**
 * The alternate screen under an Ink instance, kept whole across resizes and left clean on a crash. On a resize the
 * screen is wiped and Ink draws its frame again from the top (its own 'resize' listener runs after this one, which
 * is registered before the instance): the terminal may have re-wrapped the old rows, and an erase that counts rows
 * would miss some. `beforeLeave` runs first on the process's exit hook (the mouse off, before the screen is left).
 */
function altScreen(beforeLeave: () => void = () => {}) {
  let inst: Instance | undefined;
  // the alternate screen is up: not yet wiped and left by Ink (after that, a wipe would erase the normal screen)
  let up = true;
  const onResize = () => {
    if (!inst || !up) return;
    inst.clear();
    put(WIPE);
  };
  const restore = () => {
    beforeLeave();
    if (!up) return;
    up = false;
    put(WIPE + LEAVE);
  };
  process.stdout.on("resize", onResize);
  process.on("exit", restore);
  return {
    /** the tree to render: wiped before Ink leaves the screen */
    wrap: (el: React.ReactElement) =>
      h(WipeOnExit, {
        onWipe: () => {
          up = false;
        },
        children: el,
      }),
    attach: (i: Instance) => {
      inst = i;
    },
    release: () => {
      up = false;
      process.stdout.off("resize", onResize);
      process.off("exit", restore);
    },
  };
}

export interface RunOptions {
  color: boolean;
  /** a first status line in the explorer */
  notice?: string;
  /** start polling rule health once the data is ready (--watch, live) */
  startWatch?: boolean;
  /** turn mouse reporting on in the explorer (not with --no-mouse, TERM=dumb) */
  mouse?: boolean;
}

/** Mouse reporting on while it is mounted: off in a layout effect's cleanup, which runs in Ink's unmount, synchronously, even on a signal. */
function MouseMode({ on, off, children }: { on: () => void; off: () => void; children?: React.ReactNode }) {
  React.useLayoutEffect(() => {
    on();
    return off;
  }, [on, off]);
  return h(React.Fragment, null, children);
}

function CollectionApp({ session, color, title, onAbort }: { session: TuiSession; color: boolean; title: string; onAbort: () => void }) {
  const state = React.useSyncExternalStore(session.subscribe, session.getState);
  const finished = state.progress.finishedAt !== undefined;
  const { frame } = useAnimation({ interval: 100, isActive: !finished });
  const { columns, rows } = useWindowSize();
  const { exit } = useApp();
  useInput((input, key) => {
    if ((key.ctrl && input === "c") || input === "q") {
      onAbort();
      exit();
    }
  });
  // the explorer opens with the first data (the load balancers), while the rules run
  const ready = state.status === "ready";
  React.useEffect(() => {
    if (finished || ready) exit();
  }, [finished, ready, exit]);
  // a column short of the edge, and a row short of the bottom (the frame never scrolls the screen)
  return h(
    Box,
    { flexDirection: "column", paddingRight: 1 },
    h(CollectionScreen, {
      title,
      progress: state.progress,
      now: Date.now(),
      frame,
      width: collectionWidth(columns),
      height: Math.max(3, rows - 1),
      color,
    }),
  );
}

/** The collection, once, on the normal screen at the width the terminal has now; cut short: where it stopped. */
function printCollection(opts: RunOptions, title: string, shown: Progress, interrupted: boolean): void {
  const now = Date.now();
  const progress = interrupted && shown.finishedAt === undefined ? finishProgress(shown, now, { error: "interrupted" }) : shown;
  process.stdout.write(`${collectionSummary({ title, progress, now, color: opts.color }, process.stdout.columns || 80)}\n`);
}

/**
 * The collection screen; resolves once the first data is ready (the load balancers: the rules may still run, and
 * the collection is printed when the explorer is left, "later"), rejects with the acquisition's error; false when
 * the user aborted.
 */
async function collect(session: TuiSession, opts: RunOptions, title: string): Promise<boolean | "later"> {
  let aborted = false;
  const screen = altScreen();
  const loading = session.load().then(
    () => undefined,
    (e: unknown) => e,
  );
  try {
    const inst = render(
      screen.wrap(
        h(CollectionApp, {
          session,
          color: opts.color,
          title,
          onAbort: () => {
            aborted = true;
          },
        }),
      ),
      { alternateScreen: true, exitOnCtrlC: false, patchConsole: false, interactive: true },
    );
    screen.attach(inst);
    await inst.waitUntilExit();
  } finally {
    screen.release();
  }
  if (aborted) {
    printCollection(opts, title, session.getState().progress, true);
    process.stdout.write("  interrupted\n");
    return false;
  }
  const state = session.getState();
  if (state.status === "ready" && state.progress.finishedAt === undefined) return "later";
  // back on the normal screen: the collection, once
  printCollection(opts, title, session.getState().progress, false);
  const error = await loading;
  if (error) throw error;
  return true;
}

async function explore(session: TuiSession, opts: RunOptions): Promise<number> {
  let code = 0;
  const notice = opts.startWatch ? session.startWatch() : opts.notice;
  const copy = clipboard({ write: (s) => void process.stdout.write(s), isTTY: process.stdout.isTTY === true });
  // mouse reports are taken out of stdin before Ink reads it, and go to the App's listeners
  const listeners = new Set<(ev: MouseEvent) => void>();
  const subscribe = (l: (ev: MouseEvent) => void) => {
    listeners.add(l);
    return () => void listeners.delete(l);
  };
  const stdin = opts.mouse
    ? mouseStdin(process.stdin, (r) => {
        const ev = mouseEvent(r);
        if (ev) for (const l of listeners) l(ev);
      })
    : process.stdin;
  let reporting = false;
  const mouseOn = () => {
    if (reporting) return;
    process.stdout.write(MOUSE_ON);
    reporting = true;
  };
  const mouseOff = () => {
    if (!reporting) return;
    reporting = false;
    // best effort: after a hang-up there is no terminal to write to
    if (!process.stdout.destroyed && !process.stdout.writableEnded) process.stdout.write(MOUSE_OFF);
  };
  const app = h(App, {
    session,
    color: opts.color,
    copy,
    onExit: (c: number) => {
      code = c;
    },
    ...(notice ? { notice } : {}),
    ...(opts.mouse ? { mouse: subscribe } : {}),
  });
  const screen = altScreen(mouseOff);
  const inst = render(screen.wrap(opts.mouse ? h(MouseMode, { on: mouseOn, off: mouseOff }, app) : app), {
    stdin,
    alternateScreen: true,
    exitOnCtrlC: false,
    patchConsole: true,
    interactive: true,
  });
  screen.attach(inst);
  // a crash outside React (a timer, a rejected promise) still leaves the terminal as it was
  let mounted = true;
  let crashed: Error | undefined;
  const crash = (e: unknown) => {
    if (!mounted) return;
    mounted = false;
    crashed = e instanceof Error ? e : new Error(String(e));
    inst.unmount();
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  try {
    await inst.waitUntilExit();
    if (crashed) throw crashed;
    return code;
  } finally {
    mounted = false;
    mouseOff();
    screen.release();
    session.stop();
    process.off("uncaughtException", crash);
    process.off("unhandledRejection", crash);
  }
}

/** Runs the TUI on a session; returns the exit code (0 on q, 130 on Ctrl-C). */
export async function runTui(session: TuiSession, opts: RunOptions): Promise<number> {
  // the source's label as the collection starts (a live source names its scope more fully once it has collected)
  const title = `lbdoctor tui · ${session.source.label}`;
  const collected = await collect(session, opts, title);
  if (!collected) {
    // the collector cannot be cancelled: its calls in flight would keep the process alive after an abort
    session.stop();
    setTimeout(() => process.exit(130), 200).unref();
    return 130;
  }
  // the explorer opens while the rules run: the first run's collection as it ends (a refresh starts another), printed
  // once the explorer is left (or where the user left it)
  let first: Progress | undefined;
  const keep = () => {
    const p = session.getState().progress;
    if (first === undefined && p.finishedAt !== undefined) first = p;
  };
  const unsubscribe = collected === "later" ? session.subscribe(keep) : undefined;
  keep();
  const code = await explore(session, opts).finally(() => unsubscribe?.());
  if (collected === "later") printCollection(opts, title, first ?? session.getState().progress, true);
  // the scrollback holds the first collection's summary: after a refresh or a watch poll, the latest run's follows it
  const latest = session.exitSummary();
  if (latest) process.stdout.write(`${latest}\n`);
  return code;
}
