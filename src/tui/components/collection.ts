/**
 * The collection screen, inline before the explorer opens: finished phases
 * and gaps go to <Static> (printed once, they stay in the scrollback), the
 * running phase keeps a spinner with its calls and elapsed time, and the
 * outcome closes it.
 */
import { Box, Static } from "ink";
import React from "react";
import { plural } from "../../core/util/words.ts";
import type { LogEntry, Progress } from "../progress.ts";
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
  color: boolean;
}

export function CollectionScreen({ title, progress, now, frame, width, color }: CollectionScreenProps) {
  const running = progress.phases.filter((p) => p.endedAt === undefined);
  const done = progress.finishedAt !== undefined;
  // the running phase, with the gaps it has met so far; they move to <Static> with it when it ends
  const live: Row[] = running.flatMap((p) => [phaseRow(p, now, frame, width), ...p.gaps.flatMap((g) => gapRows(g, width))]);
  if (!done) {
    const inFlight = progress.inFlight ?? 0;
    const calls =
      inFlight > 0 && progress.calls === 0
        ? `${inFlight} in flight`
        : `${plural(progress.calls, "call")}${inFlight > 0 ? ` · ${inFlight} in flight` : ""}`;
    live.push([
      { t: "  " },
      {
        t: truncate(`${calls} · ${plural(progress.gaps.length, "gap")} · ${formatMs(now - progress.startedAt)}`, width - 2),
        dim: true,
      },
    ]);
  } else live.push(...outcomeRows(progress, width, false)); // an error is printed by the CLI, with its hint, once the screen is gone
  const items: Array<LogEntry | { kind: "title" }> = [{ kind: "title" }, ...progress.log];
  return h(
    Box,
    { flexDirection: "column" },
    h(Static, {
      items,
      children: (item: unknown, i: number) => {
        const e = item as LogEntry | { kind: "title" };
        return h(
          Box,
          { key: i },
          h(Rows, {
            rows:
              e.kind === "title"
                ? [[{ t: truncate(title, width), bold: true }]]
                : e.kind === "phase"
                  ? [phaseRow(e.phase, now, 0, width)]
                  : gapRows(e.gap, width),
            width,
            color,
          }),
        );
      },
    }),
    h(Rows, { rows: live, width, color }),
  );
}
