/**
 * The collection screen, before the explorer opens. It is drawn on the
 * alternate screen (src/tui/index.ts), whole on every frame: the title, the
 * finished phases and their gaps, the running phase with a spinner, its calls
 * and elapsed time, then the outcome. Nothing of it goes to the scrollback
 * while it runs, so a resize (which makes the terminal re-wrap what is on
 * screen) cannot leave stale copies there; once the data is ready, the
 * summary (`collectionSummary`) is printed once on the normal screen.
 */
import { Box, renderToString } from "ink";
import React from "react";
import { plural } from "../../core/util/words.ts";
import type { Progress } from "../progress.ts";
import { formatMs, type Row, truncate } from "../text.ts";
import { gapRows, outcomeRows, phaseRow } from "../views/log.ts";
import { Rows } from "./rows.ts";

const h = React.createElement;

export interface CollectionScreenProps {
  /** "lbdoctor tui · snapshot fixtures/azure/demo.json" */
  title: string;
  progress: Progress;
  now: number;
  /** spinner frame */
  frame: number;
  width: number;
  /** the rows it may take (the terminal's height); absent: as many as it needs */
  height?: number;
  color: boolean;
}

/** Every row of the screen, top to bottom; taller than `height`, the title stays and the oldest rows give way to a mark. */
export function collectionRows({ title, progress, now, frame, width, height }: Omit<CollectionScreenProps, "color">): Row[] {
  const rows: Row[] = [[{ t: truncate(title, width), bold: true }]];
  for (const e of progress.log) rows.push(...(e.kind === "phase" ? [phaseRow(e.phase, now, 0, width)] : gapRows(e.gap, width)));
  // the running phase, with the gaps it has met so far
  for (const p of progress.phases) {
    if (p.endedAt !== undefined) continue;
    rows.push(phaseRow(p, now, frame, width), ...p.gaps.flatMap((g) => gapRows(g, width)));
  }
  if (progress.finishedAt === undefined) {
    const inFlight = progress.inFlight ?? 0;
    const calls =
      inFlight > 0 && progress.calls === 0
        ? `${inFlight} in flight`
        : `${plural(progress.calls, "call")}${inFlight > 0 ? ` · ${inFlight} in flight` : ""}`;
    rows.push([
      { t: "  " },
      { t: truncate(`${calls} · ${plural(progress.gaps.length, "gap")} · ${formatMs(now - progress.startedAt)}`, width - 2), dim: true },
    ]);
  } else rows.push(...outcomeRows(progress, width, false)); // an error is printed by the CLI, with its hint, once the screen is gone
  if (height === undefined || rows.length <= height) return rows;
  const keep = Math.max(1, height - 2);
  const hidden = rows.length - 1 - keep;
  return [rows[0] ?? [], [{ t: `  ↑ ${plural(hidden, "earlier row")}`, dim: true }], ...rows.slice(rows.length - keep)];
}

/**
 * The screen. Its box clips at its parent's width: on a resize Ink lays the tree out at the new width and redraws
 * it at once, before React renders again with the new size, and a row cut for the old width must not wrap then.
 */
export function CollectionScreen(props: CollectionScreenProps) {
  return h(
    Box,
    { flexDirection: "column", overflow: "hidden" },
    h(Rows, { rows: collectionRows(props), width: props.width, color: props.color }),
  );
}

/**
 * The width the screen is laid out at in a terminal `columns` wide: a column short of the edge (a row that fills the
 * line leaves some terminals about to wrap), and never under 40 (narrower, the rows are cut at the edge instead).
 */
export function collectionWidth(columns: number): number {
  return Math.max(40, columns - 1);
}

/** What stays on the normal screen once the collection is over: the whole screen, once, cut a column short of the edge. */
export function collectionSummary(props: Omit<CollectionScreenProps, "frame" | "height" | "width">, columns: number): string {
  return renderToString(h(CollectionScreen, { ...props, frame: 0, width: collectionWidth(columns) }), {
    columns: Math.max(1, columns - 1),
  });
}
