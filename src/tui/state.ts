/**
 * The explorer's navigation, as a pure reducer: a stack of screens with a
 * cursor each, the list filter, the text prompt, help. Keys go in; the new
 * state and at most one effect (quit, refresh, watch, copy) come out. The App
 * runs the effects. No Ink here, so it is tested without a terminal.
 */
import type { Severity } from "../core/engine/types.ts";
import { parseCustomFlow } from "../core/inspect.ts";
import type { Progress } from "./progress.ts";
import type { WatchState } from "./session.ts";
import type { FlowChoice, TuiData } from "./types.ts";
import { describeSort, type ListFilter, nextSeverity, nextSort } from "./views/filter.ts";
import { findingItems, overviewFix } from "./views/finding.ts";
import { lbItems } from "./views/lb.ts";
import { logItems } from "./views/log.ts";
import { findingById, overviewItems } from "./views/overview.ts";
import { timelineItems } from "./views/timeline.ts";
import { traceFix, traceItems } from "./views/trace.ts";
import type { Item } from "./views/types.ts";

export type Screen =
  | { kind: "overview" }
  | { kind: "lb"; lbKey: string }
  | { kind: "finding"; findingId: string }
  | { kind: "trace"; lbKey: string; targetKey: string; flow: FlowChoice }
  | { kind: "log" }
  | { kind: "timeline" };

export interface Frame {
  screen: Screen;
  selected: number;
  /** what the cursor is on (itemKey), so that it follows its finding when a poll or a refresh reorders the list */
  anchor?: string;
}

export interface UiState {
  stack: Frame[];
  filter: ListFilter;
  /** a text prompt: the list filter, or a custom flow in the trace view */
  editing?: { purpose: "filter" | "flow"; text: string; before: string };
  help: boolean;
  /** the first help row shown: the help scrolls, so that every key can be read on a small terminal */
  helpTop: number;
  message?: { text: string; tone: "info" | "ok" | "error" };
}

/** The keys the reducer reads (Ink's Key has these and more). */
export interface Keys {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
}

export type Effect =
  | { type: "quit"; code: number }
  | { type: "refresh" }
  | { type: "watch" }
  | { type: "copy"; text: string; note?: string }
  | { type: "none" };

export interface Ctx {
  data: TuiData | undefined;
  progress: Progress;
  /** rows a page moves */
  page: number;
  /** watch mode's polls (the timeline view appends them) */
  watch?: WatchState;
  /** how far the help can scroll (its rows minus the rows shown) */
  helpMax?: number;
}

export function initialUi(): UiState {
  return { stack: [{ screen: { kind: "overview" }, selected: 0 }], filter: { text: "", all: false }, help: false, helpTop: 0 };
}

export function current(ui: UiState): Frame {
  return ui.stack[ui.stack.length - 1] as Frame;
}

export function screenItems(ui: UiState, ctx: Pick<Ctx, "data" | "progress" | "watch">): Item[] {
  const s = current(ui).screen;
  if (s.kind === "log") return logItems(ctx.progress);
  const data = ctx.data;
  if (!data) return [];
  switch (s.kind) {
    case "overview":
      return overviewItems(data, ui.filter);
    case "lb":
      return lbItems(data, s.lbKey, ui.filter);
    case "finding":
      return findingItems(data, s.findingId);
    case "trace":
      return traceItems(data, s);
    case "timeline":
      return timelineItems(data, ctx.watch);
  }
}

function withFrame(ui: UiState, patch: Partial<Frame>): UiState {
  const stack = [...ui.stack];
  const next: Frame = { ...current(ui), ...patch };
  // a cursor set by position (a new filter, a new flow) forgets the item it was on
  if ("selected" in patch && !("anchor" in patch)) delete next.anchor;
  stack[stack.length - 1] = next;
  return { ...ui, stack };
}

/** An item's identity across data updates: a finding by its id, a load balancer or member by its key; none for a text block. */
export function itemKey(it: Item | undefined): string | undefined {
  if (!it) return undefined;
  switch (it.kind) {
    case "lb":
      return `lb:${it.key}`;
    case "finding":
      return `finding:${it.id}`;
    case "member":
      return `member:${it.lbKey}|${it.rowKey}`;
    case "command":
      return `command:${it.text}`;
    default:
      return undefined;
  }
}

/** The cursor on item `i`, anchored to that item. */
function cursorAt(items: Item[], i: number): Partial<Frame> {
  const anchor = itemKey(items[i]);
  return anchor ? { selected: i, anchor } : { selected: i };
}

function push(ui: UiState, screen: Screen): UiState {
  return { ...ui, stack: [...ui.stack, { screen, selected: 0 }] };
}

function say(ui: UiState, text: string, tone: "info" | "ok" | "error" = "info"): UiState {
  return { ...ui, message: { text, tone } };
}

function isPrintable(input: string, key: Keys): boolean {
  return input.length > 0 && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input);
}

function traceScreen(ctx: Ctx, lbKey: string, targetKey?: string): Screen | string {
  const insp = ctx.data?.inspector;
  if (!insp) return ctx.data?.inspectorNote ?? "no trace view for this provider";
  const targets = insp.traceTargets(lbKey);
  const target = targets.find((t) => t.key === targetKey) ?? (targetKey ? undefined : targets[0]);
  if (!target) return "this member has no NIC or address in the snapshot, so it cannot be traced";
  return { kind: "trace", lbKey, targetKey: target.key, flow: { kind: "probe" } };
}

function open(ui: UiState, it: Item | undefined, ctx: Ctx): { ui: UiState; effect?: Effect } {
  if (!it) return { ui };
  switch (it.kind) {
    case "lb":
      return { ui: push(ui, { kind: "lb", lbKey: it.key }) };
    case "finding":
      return { ui: push(ui, { kind: "finding", findingId: it.id }) };
    case "member": {
      const s = traceScreen(ctx, it.lbKey, it.rowKey);
      return typeof s === "string" ? { ui: say(ui, s, "error") } : { ui: push(ui, s) };
    }
    case "command":
      return { ui, effect: { type: "copy", text: it.text } };
    case "block":
      return { ui };
  }
}

export function reduce(ui0: UiState, input: string, key: Keys, ctx: Ctx): { ui: UiState; effect?: Effect } {
  if (key.ctrl && input === "c") return { ui: ui0, effect: { type: "quit", code: 130 } };
  const { message: _drop, ...rest } = ui0;
  const ui: UiState = rest;
  const frame = current(ui);
  const screen = frame.screen;

  // a text prompt takes every key
  if (ui.editing) {
    const e = ui.editing;
    if (key.escape) {
      const next: UiState = { ...ui };
      delete next.editing;
      return { ui: e.purpose === "filter" ? { ...next, filter: { ...next.filter, text: e.before } } : next };
    }
    if (key.return) {
      const next: UiState = { ...ui };
      delete next.editing;
      if (e.purpose === "filter") return { ui: next };
      const flow = parseCustomFlow(e.text);
      if ("error" in flow) return { ui: say(next, flow.error, "error") };
      if (screen.kind !== "trace") return { ui: next };
      return { ui: withFrame(next, { screen: { ...screen, flow }, selected: 0 }) };
    }
    let text = e.text;
    if (key.backspace || key.delete) text = text.slice(0, -1);
    // readline: Ctrl-U clears the line, Ctrl-W deletes the word before the cursor
    else if (key.ctrl && input === "u") text = "";
    else if (key.ctrl && input === "w") text = text.replace(/\S*\s*$/, "");
    else if (isPrintable(input, key)) text += input;
    else return { ui };
    const next: UiState = { ...ui, editing: { ...e, text } };
    return { ui: e.purpose === "filter" ? withFrame({ ...next, filter: { ...next.filter, text } }, { selected: 0 }) : next };
  }

  if (ui.help) {
    if (input === "q") return { ui, effect: { type: "quit", code: 0 } };
    const max = ctx.helpMax ?? 0;
    const scroll = (to: number) => ({ ui: { ...ui, helpTop: Math.max(0, Math.min(max, to)) } });
    if (key.upArrow || input === "k") return scroll(ui.helpTop - 1);
    if (key.downArrow || input === "j" || input === " ") return scroll(ui.helpTop + 1);
    if (key.pageUp) return scroll(ui.helpTop - ctx.page);
    if (key.pageDown) return scroll(ui.helpTop + ctx.page);
    if (key.home || input === "g") return scroll(0);
    if (key.end || input === "G") return scroll(max);
    // only these close it: a stray key must not hide rows not read yet
    if (key.escape || key.return || key.backspace || key.delete || input === "?") return { ui: { ...ui, help: false, helpTop: 0 } };
    return { ui };
  }

  const items = screenItems(ui, ctx);
  const last = Math.max(0, items.length - 1);
  const sel = selectedIndex(ui, items);
  const move = (to: number) => ({ ui: withFrame(ui, cursorAt(items, Math.max(0, Math.min(last, to)))) });

  // screen keys first: they reuse letters
  if (screen.kind === "finding" && (input === "c" || input === "y")) {
    const it = items[sel];
    // the item under the cursor (a fix command, a link), else the first fix command
    const fixes = (ctx.data && findingById(ctx.data, screen.findingId)?.f.remediation?.commands) ?? [];
    const cmd = it?.kind === "command" ? it.text : fixes[0];
    if (!cmd) return { ui: say(ui, "this finding has no command to copy", "error") };
    return { ui, effect: { type: "copy", text: cmd } };
  }
  if (screen.kind === "overview" && (input === "c" || input === "y")) {
    const data = ctx.data;
    const fix = data ? overviewFix(data, items[sel]) : undefined;
    if (!fix) return { ui: say(ui, "nothing to copy: the selection has no fix command", "error") };
    return { ui, effect: { type: "copy", text: fix.command } };
  }
  if (screen.kind === "trace") {
    if (input === "p") return { ui: withFrame(ui, { screen: { ...screen, flow: { kind: "probe" } }, selected: 0 }) };
    if (input === "d") return { ui: withFrame(ui, { screen: { ...screen, flow: { kind: "data" } }, selected: 0 }) };
    // one key, one meaning on every hop: y copies a hop's fix, c opens the custom flow
    if (input === "y") {
      // on a hop with a fix (an AWS route-table hop), its commands on one line to paste (traceFix)
      const fix = ctx.data ? traceFix(ctx.data, screen, sel) : undefined;
      if (fix) return { ui, effect: { type: "copy", text: fix.text, ...(fix.note ? { note: fix.note } : {}) } };
      return { ui: say(ui, "nothing to copy: the selection has no fix command", "error") };
    }
    // the prompt opens empty (the current flow is on screen); typing never appends to an old value
    if (input === "c") return { ui: { ...ui, editing: { purpose: "flow", text: "", before: "" } } };
    if (key.leftArrow || key.rightArrow || input === "h" || input === "l" || input === "[" || input === "]") {
      const targets = ctx.data?.inspector?.traceTargets(screen.lbKey) ?? [];
      if (targets.length === 0) return { ui };
      const i = targets.findIndex((t) => t.key === screen.targetKey);
      const step = key.leftArrow || input === "h" || input === "[" ? -1 : 1;
      const next = targets[(i + step + targets.length) % targets.length];
      return next ? { ui: withFrame(ui, { screen: { ...screen, targetKey: next.key }, selected: 0 }) } : { ui };
    }
  }
  if (screen.kind === "lb" && input === "t") {
    const it = items[sel];
    const s = traceScreen(ctx, screen.lbKey, it?.kind === "member" ? it.rowKey : undefined);
    return typeof s === "string" ? { ui: say(ui, s, "error") } : { ui: push(ui, s) };
  }

  if (input === "q") return { ui, effect: { type: "quit", code: 0 } };
  if (input === "?") return { ui: { ...ui, help: true, helpTop: 0 } };
  if (input === "r") return { ui, effect: { type: "refresh" } };
  if (input === "w") return { ui, effect: { type: "watch" } };
  if (input === "L") return screen.kind === "log" ? { ui } : { ui: push(ui, { kind: "log" }) };
  if (input === "T") return screen.kind === "timeline" ? { ui } : { ui: push(ui, { kind: "timeline" }) };
  if (input === "/")
    // empty, like the flow prompt; esc puts the previous filter back
    return {
      ui: withFrame(
        { ...ui, filter: { ...ui.filter, text: "" }, editing: { purpose: "filter", text: "", before: ui.filter.text } },
        { selected: 0 },
      ),
    };
  if (input === "o" && (screen.kind === "overview" || screen.kind === "lb")) {
    const filter: ListFilter = { ...ui.filter };
    const sort = nextSort(ui.filter.sort);
    if (sort) filter.sort = sort;
    else delete filter.sort;
    return { ui: say(withFrame({ ...ui, filter }, { selected: 0 }), `findings ${describeSort(sort)}`) };
  }
  if (input === "s") {
    const minSeverity: Severity | undefined = nextSeverity(ui.filter.minSeverity);
    const filter: ListFilter = { ...ui.filter };
    if (minSeverity) filter.minSeverity = minSeverity;
    else delete filter.minSeverity;
    return { ui: say(withFrame({ ...ui, filter }, { selected: 0 }), `severity ≥ ${minSeverity ?? "any"}`) };
  }
  if (input === "a") {
    const all = !ui.filter.all;
    return {
      ui: say(
        withFrame({ ...ui, filter: { ...ui.filter, all } }, { selected: 0 }),
        all ? "showing every result" : "showing failures and unknowns",
      ),
    };
  }

  if (key.upArrow || input === "k") return move(sel - 1);
  if (key.downArrow || input === "j") return move(sel + 1);
  if (key.pageUp) return move(sel - ctx.page);
  if (key.pageDown) return move(sel + ctx.page);
  if (key.home || input === "g") return move(0);
  if (key.end || input === "G") return move(last);
  if (key.return) return open(withFrame(ui, cursorAt(items, sel)), items[sel], ctx);
  if (key.escape || key.backspace || key.delete) {
    if (ui.stack.length > 1) return { ui: { ...ui, stack: ui.stack.slice(0, -1) } };
    if (ui.filter.text) return { ui: say(withFrame({ ...ui, filter: { ...ui.filter, text: "" } }, { selected: 0 }), "filter cleared") };
    return { ui };
  }
  return { ui };
}

/**
 * A click on item `item` of the current screen's list: the cursor goes there; a click on the item already under the
 * cursor is enter (open it, trace it, copy it). Nothing while a prompt is open or the help is shown, as for the arrows.
 */
export function reduceClick(ui0: UiState, item: number, ctx: Ctx): { ui: UiState; effect?: Effect } {
  if (ui0.editing || ui0.help) return { ui: ui0 };
  const items = screenItems(ui0, ctx);
  if (item < 0 || item >= items.length) return { ui: ui0 };
  if (item === selectedIndex(ui0, items)) return reduce(ui0, "", { return: true }, ctx);
  const { message: _drop, ...ui } = ui0;
  return { ui: withFrame(ui, cursorAt(items, item)) };
}

/** Where the cursor's item sits, for the screens that draw it. */
export function selectedIndex(ui: UiState, items: Item[]): number {
  const f = current(ui);
  // the item the cursor was on, wherever the data moved it; else the same row
  if (f.anchor !== undefined) {
    // usually still on its row: checked first, so a keypress does not search 20,000 items
    if (itemKey(items[f.selected]) === f.anchor) return f.selected;
    const i = items.findIndex((it) => itemKey(it) === f.anchor);
    if (i >= 0) return i;
  }
  return Math.min(f.selected, Math.max(0, items.length - 1));
}
