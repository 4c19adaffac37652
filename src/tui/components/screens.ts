/**
 * The explorer's screens. Each takes props only (the data, the cursor, the
 * size) and lays itself out at the width it is given; the App owns the state.
 */
import { Box } from "ink";
import React from "react";
import type { Progress } from "../progress.ts";
import type { WatchState } from "../session.ts";
import { type Row, wrap } from "../text.ts";
import type { TuiData } from "../types.ts";
import { detailRows, type Para } from "../views/detail.ts";
import type { ListFilter } from "../views/filter.ts";
import { findingRows } from "../views/finding.ts";
import { helpWindow } from "../views/help.ts";
import { lbRows } from "../views/lb.ts";
import { logRows } from "../views/log.ts";
import { overviewItems, overviewPreview, overviewVirtual, watchRows } from "../views/overview.ts";
import { type TraceInput, traceRows } from "../views/trace.ts";
import { type Virtual, virtualOf } from "../views/types.ts";
import { Rows, Viewport } from "./rows.ts";

const h = React.createElement;

interface Sized {
  width: number;
  height: number;
  color: boolean;
}

export interface OverviewProps extends Sized {
  data: TuiData;
  filter: ListFilter;
  selected: number;
  watch?: WatchState;
  /** the clock for the watch countdown (tests fix it) */
  now?: number;
}

/** Where a list sits in its screen: `above` rows pinned over it, then a viewport of `height` rows on `virtual`. */
export interface ListPlace {
  above: number;
  virtual: Virtual;
  height: number;
}

/** The overview's parts: the pinned watch lines, the list, the preview under it. The screen draws these; a mouse click reads them. */
export function overviewLayout({
  data,
  filter,
  selected,
  watch,
  now,
  width,
  height,
}: OverviewProps): ListPlace & { pinned: Row[]; previewRows: Row[] } {
  const virtual = overviewVirtual(data, filter, selected, width);
  const pinned = watch ? pinnedWatch(watch, width, height, now) : [];
  const preview = overviewPreview(data, overviewItems(data, filter)[selected]);
  const previewRows: Row[] = preview
    ? [
        [{ t: "─".repeat(width), dim: true }],
        ...wrap(preview, width)
          .slice(0, 3)
          .map((l): Row => [{ t: l }]),
      ]
    : [];
  const listHeight = Math.max(3, height - previewRows.length - pinned.length);
  return { pinned, previewRows, virtual, above: pinned.length, height: listHeight };
}

/** Load balancers with badges and failures by severity, the findings root causes first, and a preview of the selected one. */
export function Overview(props: OverviewProps) {
  const { selected, width, height, color } = props;
  const { pinned, previewRows, virtual, height: listHeight } = overviewLayout(props);
  return h(
    Box,
    { flexDirection: "column", height, width },
    pinned.length > 0 ? h(Rows, { rows: pinned, width, color }) : null,
    h(Box, { flexDirection: "column", flexGrow: 1 }, h(Viewport, { virtual, selected, height: listHeight, width, color })),
    previewRows.length > 0 ? h(Rows, { rows: previewRows, width, color }) : null,
  );
}

export interface LbViewProps extends Sized {
  data: TuiData;
  lbKey: string;
  filter: ListFilter;
  selected: number;
  watch?: WatchState;
  /** the clock for the watch countdown (tests fix it) */
  now?: number;
}

/** The load-balancer view's parts: the pinned watch lines and the list under them. */
export function lbLayout({ data, lbKey, filter, selected, watch, now, width, height }: LbViewProps): ListPlace & { pinned: Row[] } {
  const virtual = virtualOf(lbRows(data, lbKey, filter, selected, width, watch));
  const pinned = watch ? pinnedWatch(watch, width, height, now) : [];
  return { pinned, virtual, above: pinned.length, height: pinned.length === 0 ? height : Math.max(3, height - pinned.length) };
}

/** Frontends → rules → members, with why each member is up or down; then the load balancer's findings. */
export function LbView(props: LbViewProps) {
  const { selected, width, height, color } = props;
  const { pinned, virtual, height: listHeight } = lbLayout(props);
  if (pinned.length === 0) return h(Viewport, { virtual, selected, height, width, color });
  return h(
    Box,
    { flexDirection: "column", height, width },
    h(Rows, { rows: pinned, width, color }),
    h(Viewport, { virtual, selected, height: listHeight, width, color }),
  );
}

/** The WATCH header and the newest transitions, pinned above a list: fewer transitions when the screen is short. */
function pinnedWatch(watch: WatchState, width: number, height: number, now: number | undefined): Row[] {
  return watchRows(watch, Math.max(40, width), now, height >= 24 ? 3 : height >= 14 ? 2 : 1);
}

export interface FindingViewProps extends Sized {
  data: TuiData;
  findingId: string;
  selected: number;
}

/** Explanation, related findings, evidence, source, fix commands. */
export function FindingView({ data, findingId, selected, width, height, color }: FindingViewProps) {
  const { rows, spans } = findingRows(data, findingId, selected, width);
  return h(Viewport, { rows, spans, selected, height, width, color });
}

export interface TraceViewProps extends Sized {
  data: TuiData;
  trace: TraceInput;
  selected: number;
}

/** One member, one flow, layer by layer: subnet NSG, NIC NSG, the deciding rules, the verdict. */
export function TraceView({ data, trace, selected, width, height, color }: TraceViewProps) {
  const { rows, spans } = traceRows(data, trace, selected, width);
  return h(Viewport, { rows, spans, selected, height, width, color });
}

export interface CollectionLogProps extends Sized {
  progress: Progress;
  now: number;
  selected: number;
}

/** The last collection's phases, calls, time and gaps. */
export function CollectionLog({ progress, now, selected, width, height, color }: CollectionLogProps) {
  const { rows, spans } = logRows(progress, now, selected, width);
  return h(Viewport, { rows, spans, selected, height, width, color });
}

/** Every key; it scrolls from `top` (the reducer keeps it within the rows). */
export function Help({ width, height, color, top = 0 }: Sized & { top?: number }) {
  return h(Rows, { rows: helpWindow(width, height, top).rows, width, color });
}

export interface DetailPaneProps extends Sized {
  paras: Para[];
}

/** The selected item in full, beside the list (120 columns and more); what does not fit below is counted. */
export function DetailPane({ paras, width, height, color }: DetailPaneProps) {
  const rows = detailRows(paras, width);
  const shown =
    rows.length > height ? [...rows.slice(0, height - 1), [{ t: `↓ ${rows.length - height + 1} more rows`, dim: true }] as Row] : rows;
  return h(Rows, { rows: shown, width, color });
}
