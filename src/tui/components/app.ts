/**
 * The explorer: header, one screen, footer. It owns the navigation state (a
 * pure reducer, ../state.ts), subscribes to the session for data, and runs
 * the reducer's effects (quit, refresh, watch, copy).
 */
import { Box, Text, useAnimation, useApp, useInput, useWindowSize } from "ink";
import React from "react";
import { plural } from "../../core/util/words.ts";
import type { CopyResult } from "../clipboard.ts";
import type { MouseEvent } from "../mouse.ts";
import type { SessionState, TuiSession } from "../session.ts";
import {
  type Ctx,
  current,
  type Effect,
  initialUi,
  type Keys,
  reduce,
  reduceClick,
  screenItems,
  selectedIndex,
  type UiState,
} from "../state.ts";
import { clock, formatMs, type Row } from "../text.ts";
import type { TuiData } from "../types.ts";
import { detailParas } from "../views/detail.ts";
import { findingRows, overviewFix } from "../views/finding.ts";
import { helpWindow } from "../views/help.ts";
import { logRows, SPINNER } from "../views/log.ts";
import { findingById } from "../views/overview.ts";
import { traceFix, traceRows } from "../views/trace.ts";
import type { Item } from "../views/types.ts";
import { virtualOf } from "../views/types.ts";
import { Footer, Header } from "./chrome.ts";
import { Rows, rowText, viewportItemAt } from "./rows.ts";
import {
  CollectionLog,
  DetailPane,
  FindingView,
  Help,
  LbView,
  type ListPlace,
  lbLayout,
  Overview,
  overviewLayout,
  TraceView,
} from "./screens.ts";
import { TimelineView, timelineLayout } from "./timeline.ts";

const h = React.createElement;

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 12;
/** from this width on, a list has a detail pane beside it */
export const SPLIT_COLUMNS = 120;

export interface AppProps {
  session: TuiSession;
  color: boolean;
  copy: (text: string, note?: string) => CopyResult;
  onExit: (code: number) => void;
  /** a first status line, e.g. why watch mode is unavailable */
  notice?: string;
  /** fixed size for tests; the terminal's otherwise */
  size?: { columns: number; rows: number };
  /** mouse reports (wheel, click), when mouse mode is on: subscribes, returns the unsubscribe */
  mouse?: (listener: (ev: MouseEvent) => void) => () => void;
}

/** The header's rows, above the body; the footer's rows (a rule, the status line, the keys) are below it. */
export const HEADER_ROWS = 3;
export const FOOTER_ROWS = 3;

/** How the explorer divides the terminal: the body between header and footer, and at 120 columns and more a detail pane beside a list. */
export function frameLayout(
  columns: number,
  rows: number,
  ui: UiState,
): { bodyHeight: number; split: boolean; listWidth: number; paneWidth: number } {
  const screen = current(ui).screen;
  const bodyHeight = Math.max(1, rows - HEADER_ROWS - FOOTER_ROWS);
  const split = columns >= SPLIT_COLUMNS && !ui.help && (screen.kind === "overview" || screen.kind === "lb" || screen.kind === "log");
  const paneWidth = split ? Math.floor(columns * 0.4) : 0;
  return { bodyHeight, split, listWidth: split ? columns - paneWidth - 3 : columns, paneWidth };
}

/** Where the current screen's list is drawn (as the screens lay it out), or undefined when no list shows (help, loading). */
export function listPlace(ui: UiState, state: SessionState, columns: number, rows: number): (ListPlace & { selected: number }) | undefined {
  if (ui.help || columns < MIN_COLUMNS || rows < MIN_ROWS) return undefined;
  const { bodyHeight, listWidth } = frameLayout(columns, rows, ui);
  const data = state.data;
  const screen = current(ui).screen;
  const items = screenItems(ui, { data, progress: state.progress, watch: state.watch });
  const selected = selectedIndex(ui, items);
  const sized = { width: listWidth, height: bodyHeight, color: false };
  const watch = state.watch.active || state.watch.transitions.length > 0 ? state.watch : undefined;
  const whole = (r: { rows: Row[]; spans: Array<[number, number]> }) => ({ virtual: virtualOf(r), above: 0, height: bodyHeight, selected });
  if (screen.kind === "log") return whole(logRows(state.progress, Date.now(), selected, listWidth));
  if (!data) return undefined;
  switch (screen.kind) {
    case "overview":
      return { ...overviewLayout({ ...sized, data, filter: ui.filter, selected, ...(watch ? { watch } : {}) }), selected };
    case "lb":
      return { ...lbLayout({ ...sized, data, lbKey: screen.lbKey, filter: ui.filter, selected, ...(watch ? { watch } : {}) }), selected };
    case "finding":
      return whole(findingRows(data, screen.findingId, selected, listWidth));
    case "trace":
      return whole(traceRows(data, screen, selected, listWidth));
    case "timeline":
      return { ...timelineLayout({ ...sized, data, selected, watch: state.watch }), selected };
  }
}

/**
 * The list item under a click at (x, y) (from 1, as the terminal reports them), or undefined: the header, the
 * footer, a heading, a "more rows" mark, the detail pane beside the list.
 */
export function itemAtPoint(ui: UiState, state: SessionState, columns: number, rows: number, x: number, y: number): number | undefined {
  const place = listPlace(ui, state, columns, rows);
  if (!place) return undefined;
  if (x < 1 || x > frameLayout(columns, rows, ui).listWidth) return undefined;
  const r = y - 1 - HEADER_ROWS - place.above;
  if (r < 0 || r >= place.height) return undefined;
  return viewportItemAt(place.virtual, place.selected, place.height, r);
}

/** Rows a wheel notch moves. */
export const WHEEL_STEP = 3;

/**
 * The keys of this screen that do something now, most useful first; help and
 * quit last. A key that would only answer "unavailable" is not offered.
 */
export function hintsFor(ui: UiState, state: SessionState, items: Item[]): string[] {
  const data = state.data;
  const screen = current(ui).screen;
  const watch = !state.watch.unavailable;
  const canTrace = (lbKey: string) => (data?.inspector?.traceTargets(lbKey).length ?? 0) > 0;
  const hasFindings = items.some((i) => i.kind === "finding");
  const tail = ["? help", "q quit"];
  if (ui.help) return ["↑↓ scroll", "esc close", "q quit"];
  switch (screen.kind) {
    case "overview":
      return [
        "↑↓ move",
        ...(items.length > 0 ? ["enter open"] : []),
        ...(data && overviewFix(data, items[selectedIndex(ui, items)]) ? ["c copy fix"] : []),
        "T timeline",
        "/ filter",
        ...(hasFindings ? ["o sort"] : []),
        "s severity",
        "r refresh",
        ...(watch ? [state.watch.active ? "w pause" : "w watch"] : []),
        "a all",
        "L log",
        ...tail,
      ];
    case "lb": {
      const trace = canTrace(screen.lbKey);
      const sel = items[selectedIndex(ui, items)];
      return [
        "↑↓ move",
        ...(sel?.kind === "member" && trace ? ["enter trace"] : sel?.kind === "finding" ? ["enter open"] : []),
        ...(trace && sel?.kind !== "member" ? ["t trace"] : []),
        "esc back",
        "/ filter",
        ...(hasFindings ? ["o sort"] : []),
        "s severity",
        ...(watch ? [state.watch.active ? "w pause" : "w watch"] : []),
        ...tail,
      ];
    }
    case "finding": {
      const f = data && findingById(data, screen.findingId)?.f;
      const fixes = f?.remediation?.commands ?? [];
      const sel = items[selectedIndex(ui, items)];
      // what enter and c do here: on a link both copy it; on a fix, c copies it (enter too); elsewhere c copies the first fix
      const link = sel?.kind === "command" && !fixes.includes(sel.text);
      return [
        "↑↓ move",
        ...(link ? ["enter copy link"] : fixes.length > 0 ? ["c copy fix"] : []),
        ...(sel?.kind === "finding" ? ["enter open related"] : []),
        "esc back",
        ...tail,
      ];
    }
    case "trace": {
      const many = (data?.inspector?.traceTargets(screen.lbKey).length ?? 0) > 1;
      // on a hop with a fix, y copies its commands; c opens the custom flow on every hop
      const fix = data ? traceFix(data, screen, selectedIndex(ui, items)) !== undefined : false;
      return [
        ...(fix ? ["y copy fix"] : []),
        `p ${data?.inspector?.flowNames?.probe ?? "probe"}`,
        "d data",
        "c custom",
        ...(many ? ["←→ member"] : []),
        "esc back",
        ...tail,
      ];
    }
    case "log":
      return ["↑↓ scroll", "r refresh", "esc back", ...tail];
    case "timeline":
      return [
        "↑↓ move",
        ...(items[selectedIndex(ui, items)]?.kind === "command" ? ["enter copy revert"] : []),
        ...(watch ? [state.watch.active ? "w pause" : "w watch"] : []),
        "esc back",
        ...tail,
      ];
  }
}

/**
 * Ink hands a chunk of several characters (a paste, or keys sent faster than
 * it reads them: "j\r") to the handler as one string; split it back into
 * keys, so that "j" then enter does what the two keys do.
 */
export function splitKeys(input: string, key: Keys): Array<[string, Keys]> {
  const special = key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.escape;
  if (input.length <= 1 || special) return [[input, key]];
  const out: Array<[string, Keys]> = [];
  for (const ch of input) {
    if (ch === "\r" || ch === "\n") out.push(["", { return: true }]);
    else if (ch === "\u007f" || ch === "\b") out.push(["", { backspace: true }]);
    else if (ch === "\t") out.push(["", { tab: true }]);
    else out.push([ch, {}]);
  }
  return out;
}

function crumbs(ui: UiState, data: TuiData | undefined): string[] {
  return ui.stack.map(({ screen: s }) => {
    if (s.kind === "lb") return data?.lbs.find((l) => l.key === s.lbKey)?.name ?? "load balancer";
    if (s.kind === "finding") return (data && findingById(data, s.findingId)?.f.ruleId) ?? "finding";
    if (s.kind === "trace") return `trace ${s.flow.kind}`;
    if (s.kind === "log") return "collection log";
    if (s.kind === "timeline") return "timeline";
    return "Overview";
  });
}

/** The body of the current screen (help over any). */
function screenBody(
  ui: UiState,
  state: SessionState,
  sized: { width: number; height: number; color: boolean },
  selected: number,
  watch: SessionState["watch"] | undefined,
): React.ReactNode {
  const data = state.data;
  const screen = current(ui).screen;
  let body: React.ReactNode;
  if (ui.help) body = h(Help, { ...sized, top: ui.helpTop });
  else if (screen.kind === "log") body = h(CollectionLog, { ...sized, progress: state.progress, now: Date.now(), selected });
  // an error may quote a cloud string or a file name: drawn inert, on one row, like every other row
  else if (!data) body = h(Text, null, state.error ? `lbdoctor: ${rowText(state.error.message)}` : "loading…");
  else if (screen.kind === "overview") body = h(Overview, { ...sized, data, filter: ui.filter, selected, ...(watch ? { watch } : {}) });
  else if (screen.kind === "lb")
    body = h(LbView, { ...sized, data, lbKey: screen.lbKey, filter: ui.filter, selected, ...(watch ? { watch } : {}) });
  else if (screen.kind === "finding") body = h(FindingView, { ...sized, data, findingId: screen.findingId, selected });
  else if (screen.kind === "timeline") body = h(TimelineView, { ...sized, data, selected, watch: state.watch });
  else body = h(TraceView, { ...sized, data, trace: screen, selected });

  return body;
}

/** The status line: a prompt, a refresh in progress, a message, or the watch. */
function statusRow(ui: UiState, state: SessionState, frame: number): Row {
  let status: Row = [{ t: "? shows every key", dim: true }];
  const p = state.progress;
  const data = state.data;
  if (ui.editing) {
    const label = ui.editing.purpose === "filter" ? "/ filter: " : "custom flow (<source> <port>[/udp], enter runs it): ";
    status = [{ t: label, bold: true, color: "cyan" }, { t: `${ui.editing.text}▏` }];
  } else if (data?.checking && !state.refreshing) {
    const done = p.rules?.done ?? 0;
    status = [
      { t: `${SPINNER[frame % SPINNER.length]} `, color: "cyan" },
      { t: `checking: ${done} of ${plural(data.checking.rules, "rule")} · ${formatMs(Date.now() - p.startedAt)}` },
    ];
  } else if (state.refreshing) {
    const ph = p.phases[p.phases.length - 1];
    status = [
      { t: `${SPINNER[frame % SPINNER.length]} `, color: "cyan" },
      {
        t: `refreshing: ${ph?.name ?? "starting"} · ${plural(p.calls, "call")}${(p.inFlight ?? 0) > 0 ? ` · ${p.inFlight} in flight` : ""} · ${plural(p.gaps.length, "gap")} · ${formatMs(Date.now() - p.startedAt)}`,
      },
    ];
  } else if (ui.message) {
    const tone = ui.message.tone;
    status = [
      { t: ui.message.text, ...(tone === "error" ? { color: "yellow" as const } : tone === "ok" ? { color: "green" as const } : {}) },
    ];
  } else if (state.watch.active) {
    const w = state.watch;
    status = [
      ...(w.polling ? [{ t: `${SPINNER[frame % SPINNER.length]} `, color: "cyan" as const }] : []),
      {
        t: `watching ${data?.provider === "aws" ? "target" : "rule"} health every ${(w.intervalMs ?? 0) / 1000}s · ${w.polls} polls${w.lastPollAt ? ` · last ${clock(w.lastPollAt)}` : ""}`,
      },
    ];
  }
  return status;
}

export function App({ session, color, copy, onExit, notice, size, mouse }: AppProps) {
  const state = React.useSyncExternalStore(session.subscribe, session.getState);
  const win = useWindowSize();
  const columns = size?.columns ?? win.columns;
  const rows = size?.rows ?? win.rows;
  const { exit } = useApp();
  const [ui, setUi] = React.useState<UiState>(() => ({ ...initialUi(), ...(notice ? { message: { text: notice, tone: "info" } } : {}) }));
  // keys that arrive in one chunk are handled in order, each on the state the previous one left
  const uiRef = React.useRef(ui);
  uiRef.current = ui;
  const busy = state.refreshing || state.watch.polling || state.data?.checking !== undefined;
  const { frame } = useAnimation({ interval: 120, isActive: busy });
  // the watch countdown: a render a second while watching
  useAnimation({ interval: 1000, isActive: state.watch.active && !busy });
  React.useEffect(() => () => session.stop(), [session]);

  const { bodyHeight, split, paneWidth: paneW, listWidth } = frameLayout(columns, rows, ui);
  const run = (effect: Effect | undefined, next: UiState): UiState => {
    if (!effect) return next;
    switch (effect.type) {
      case "quit":
        onExit(effect.code);
        exit();
        return next;
      case "refresh":
        if (session.getState().data?.checking) {
          return { ...next, message: { text: "the rules are still running: r collects again once they are done", tone: "info" } };
        }
        void session.refresh().then((ran) => {
          const p = session.getState().progress;
          const message = !ran
            ? { text: "a collection or a watch poll is running: r again once it is done", tone: "info" as const }
            : p.error
              ? { text: `refresh failed: ${p.error} (the screens keep the previous data)`, tone: "error" as const }
              : { text: `refreshed at ${clock(Date.now())}: ${p.summary ?? ""}`, tone: "ok" as const };
          uiRef.current = { ...uiRef.current, message };
          setUi(uiRef.current);
        });
        return { ...next, message: { text: session.source.live ? "collecting again…" : "re-reading the snapshot…", tone: "info" } };
      case "watch":
        return { ...next, message: { text: session.toggleWatch(), tone: "info" } };
      case "copy": {
        const r = copy(effect.text, effect.note);
        return { ...next, message: { text: r.message, tone: r.path || r.osc52 ? "ok" : "error" } };
      }
      case "none":
        return next;
    }
  };

  const context = (): Ctx => {
    const s = session.getState();
    return {
      data: s.data,
      progress: s.progress,
      page: Math.max(1, Math.floor(bodyHeight / 2)),
      helpMax: helpWindow(columns, bodyHeight, 0).max,
      watch: s.watch,
    };
  };

  useInput((input, key) => {
    const ctx = context();
    let next = uiRef.current;
    for (const [i, k] of splitKeys(input, key)) {
      const r = reduce(next, i, k, ctx);
      next = run(r.effect, r.ui);
      if (r.effect?.type === "quit") break;
    }
    uiRef.current = next;
    setUi(next);
  });

  // the wheel moves as the arrow keys do, a few rows a notch; a click selects a row, a click on the selected row opens it
  const onMouse = (ev: MouseEvent) => {
    const ctx = context();
    let next = uiRef.current;
    if (ev.kind === "wheel") {
      const key: Keys = ev.dir === "up" ? { upArrow: true } : { downArrow: true };
      for (let n = 0; n < WHEEL_STEP; n++) next = reduce(next, "", key, ctx).ui;
    } else {
      const item = itemAtPoint(next, session.getState(), columns, rows, ev.x, ev.y);
      if (item === undefined) return;
      const r = reduceClick(next, item, ctx);
      next = run(r.effect, r.ui);
    }
    uiRef.current = next;
    setUi(next);
  };
  const mouseRef = React.useRef(onMouse);
  mouseRef.current = onMouse;
  React.useEffect(() => mouse?.((ev) => mouseRef.current(ev)), [mouse]);

  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    const line = `terminal too small: ${columns}×${rows}, lbdoctor tui needs ${MIN_COLUMNS}×${MIN_ROWS} (q quits)`;
    // narrower than the sentence: short lines, so that the sizes and the way out stay on screen
    const text = line.length <= columns ? line : `too small: ${columns}×${rows}\nneeds ${MIN_COLUMNS}×${MIN_ROWS}\nq quits`;
    return h(Text, { wrap: "truncate-end" }, text);
  }
  const width = columns;
  const data = state.data;
  const items = screenItems(ui, { data, progress: state.progress, watch: state.watch });
  const selected = selectedIndex(ui, items);
  const watch = state.watch.active || state.watch.transitions.length > 0 ? state.watch : undefined;
  // at 120 columns and more, the lists get a detail pane beside them: the selected item's text in full
  const sized = { width: listWidth, height: bodyHeight, color };

  let body = screenBody(ui, state, sized, selected, watch);
  if (split) {
    const paras = detailParas({ data, progress: state.progress, item: items[selected], index: selected, ...(watch ? { watch } : {}) });
    body = h(
      Box,
      { flexDirection: "row", height: bodyHeight },
      h(Box, { flexDirection: "column", width: sized.width, height: bodyHeight }, body),
      h(Rows, { rows: Array.from({ length: bodyHeight }, (): Row => [{ t: " │ ", dim: true }]), width: 3, color }),
      h(DetailPane, { paras, width: paneW, height: bodyHeight, color }),
    );
  }

  const status = statusRow(ui, state, frame);
  const sum = data?.report.summary;
  const summary = data?.checking
    ? "checking…"
    : sum
      ? `${sum.byStatus.fail} failed${sum.failedBySeverity.critical ? ` · ${sum.failedBySeverity.critical} critical` : ""}${state.watch.active ? " · watching" : ""}`
      : "";
  return h(
    Box,
    { flexDirection: "column", width, height: rows },
    h(Header, {
      title: data ? `${data.provider} · ${data.scope}` : "tui",
      source: data ? `${data.source} · ${data.collectedAt.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, "Z")}` : session.source.label,
      crumbs: ui.help ? [...crumbs(ui, data), "help"] : crumbs(ui, data),
      summary,
      width,
      color,
    }),
    h(Box, { flexDirection: "column", height: bodyHeight }, body),
    h(Footer, { status, hints: hintsFor(ui, state, items), width, color }),
  );
}
