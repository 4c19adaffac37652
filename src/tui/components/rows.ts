/** Rows of styled text, and a viewport that scrolls them to keep the cursor's item in view. */
import { Box, Text } from "ink";
import React from "react";
import { sanitize } from "../../core/report/sanitize.ts";
import { fitRow, type Row } from "../text.ts";

const h = React.createElement;

export interface RowsProps {
  rows: Row[];
  width: number;
  color: boolean;
}

/** One Text per row, cut to the width (Ink truncates too, as a backstop). Without colour, colour and dim are dropped; words carry the meaning. */
export function Rows({ rows, width, color }: RowsProps) {
  return h(
    Box,
    { flexDirection: "column", width },
    ...rows.map((row, i) => {
      const fitted = fitRow(
        row.map((s) => ({ ...s, t: sanitize(s.t) })),
        width,
      );
      return h(
        Text,
        { key: i, wrap: "truncate-end" },
        fitted.length === 0
          ? " "
          : fitted.map((s, j) =>
              h(
                Text,
                {
                  key: j,
                  ...(color && s.color ? { color: s.color } : {}),
                  ...(color && s.dim ? { dimColor: true } : {}),
                  ...(s.bold ? { bold: true } : {}),
                  ...(color && s.inverse ? { inverse: true } : {}),
                },
                s.t,
              ),
            ),
      );
    }),
  );
}

export interface ViewportProps extends RowsProps {
  /** rows of each item, in order */
  spans: Array<[number, number]>;
  selected: number;
  height: number;
}

/** The first row to show so that the selected item is in view, with some context above it. */
export function scrollOffset(total: number, height: number, span: [number, number] | undefined): number {
  if (total <= height) return 0;
  const [start, end] = span ?? [0, 0];
  let offset = Math.max(0, Math.min(start - Math.floor(height / 3), total - height));
  if (end > offset + height) offset = Math.max(0, end - height);
  if (start < offset) offset = start;
  return offset;
}

/** Shows `height` rows; when the content is taller, a row at the top and/or the bottom says how much is above and below. */
export function Viewport({ rows, spans, selected, height, width, color }: ViewportProps) {
  const hgt = Math.max(3, height);
  const total = rows.length;
  if (total <= hgt) return h(Rows, { rows, width, color });
  const more = (n: number, arrow: string): Row => [{ t: `  ${arrow} ${n} more row${n === 1 ? "" : "s"}`, dim: true }];
  // on the first item, whatever is above it (a title, a header) is in view too
  const first = spans[0];
  const span: [number, number] | undefined = selected === 0 && first ? [0, first[1]] : spans[selected];
  let visible: Row[];
  if (scrollOffset(total, hgt - 1, span) === 0) {
    // at the top: only the mark below
    visible = [...rows.slice(0, hgt - 1), more(total - (hgt - 1), "↓")];
  } else {
    const offset = scrollOffset(total, hgt - 2, span);
    if (offset + hgt - 1 >= total) {
      // at the bottom: only the mark above
      visible = [more(total - (hgt - 1), "↑"), ...rows.slice(total - (hgt - 1))];
    } else {
      visible = [more(offset, "↑"), ...rows.slice(offset, offset + hgt - 2), more(total - offset - (hgt - 2), "↓")];
    }
  }
  return h(Rows, { rows: visible, width, color });
}
