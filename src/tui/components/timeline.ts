/** The timeline screen: the sparkline rows in a scrolling viewport, and the selected row's details in a line under it. */
import React from "react";
import type { WatchState } from "../session.ts";
import { type Row, wrap } from "../text.ts";
import type { TuiData } from "../types.ts";
import { timelineRows } from "../views/timeline.ts";
import { virtualOf } from "../views/types.ts";
import { Rows, Viewport } from "./rows.ts";
import type { ListPlace } from "./screens.ts";

const h = React.createElement;

export interface TimelineViewProps {
  data: TuiData;
  selected: number;
  watch?: WatchState;
  width: number;
  height: number;
  color: boolean;
}

/** The timeline screen's parts: the list, then the selected row's details under it. */
export function timelineLayout({ data, selected, watch, width, height }: TimelineViewProps): ListPlace & { detailRows: Row[] } {
  const { rows, spans, detail } = timelineRows(data, selected, width, watch);
  const detailRows: Row[] = detail
    ? [
        [{ t: "─".repeat(width), dim: true }],
        ...wrap(detail, width)
          .slice(0, height >= 20 ? 4 : 2)
          .map((l): Row => [{ t: l }]),
      ]
    : [];
  return { virtual: virtualOf({ rows, spans }), above: 0, height: Math.max(3, height - detailRows.length), detailRows };
}

export function TimelineView(props: TimelineViewProps) {
  const { selected, width, color } = props;
  const { virtual, height: listHeight, detailRows } = timelineLayout(props);
  return h(
    React.Fragment,
    null,
    h(Viewport, { virtual, selected, height: listHeight, width, color }),
    detailRows.length > 0 ? h(Rows, { rows: detailRows, width, color }) : null,
  );
}
