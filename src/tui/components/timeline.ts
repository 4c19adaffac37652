/** The timeline screen: the sparkline rows in a scrolling viewport, and the selected row's details in a line under it. */
import React from "react";
import type { WatchState } from "../session.ts";
import { type Row, wrap } from "../text.ts";
import type { TuiData } from "../types.ts";
import { timelineRows } from "../views/timeline.ts";
import { Rows, Viewport } from "./rows.ts";

const h = React.createElement;

export interface TimelineViewProps {
  data: TuiData;
  selected: number;
  watch?: WatchState;
  width: number;
  height: number;
  color: boolean;
}

export function TimelineView({ data, selected, watch, width, height, color }: TimelineViewProps) {
  const { rows, spans, detail } = timelineRows(data, selected, width, watch);
  const detailRows: Row[] = detail
    ? [
        [{ t: "─".repeat(width), dim: true }],
        ...wrap(detail, width)
          .slice(0, height >= 20 ? 4 : 2)
          .map((l): Row => [{ t: l }]),
      ]
    : [];
  const listHeight = Math.max(3, height - detailRows.length);
  return h(
    React.Fragment,
    null,
    h(Viewport, { rows, spans, selected, height: listHeight, width, color }),
    detailRows.length > 0 ? h(Rows, { rows: detailRows, width, color }) : null,
  );
}
