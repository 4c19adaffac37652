/** Rows of styled text, and a viewport that scrolls them to keep the cursor's item in view. */
import { Box, Text } from "ink";
import React from "react";
import { sanitize } from "../../core/report/sanitize.ts";
import { fitRow, type Row } from "../text.ts";
import { itemAtRow, type Virtual, virtualOf } from "../views/types.ts";

const h = React.createElement;

export interface RowsProps {
  rows: Row[];
  width: number;
  color: boolean;
}

/**
 * A segment's text as one terminal row shows it: sanitized, and the two
 * controls `sanitize` keeps (newline and tab, for reports) made visible as
 * `\x0a` / `\x09` too. A row is one line: a raw newline in a cloud string (a
 * tag, a name in a hand-edited snapshot) would push every row below it down,
 * the footer off the screen, and a tab would jump to the next tab stop, past
 * the width the row was cut to.
 */
export function rowText(t: string): string {
  const s = sanitize(t);
  return s.includes("\n") || s.includes("\t") ? s.replace(/\n/g, "\\x0a").replace(/\t/g, "\\x09") : s;
}

/** One Text per row, cut to the width (Ink truncates too, as a backstop). Without colour, colour and dim are dropped; words carry the meaning. */
export function Rows({ rows, width, color }: RowsProps) {
  return h(
    Box,
    { flexDirection: "column", width },
    ...rows.map((row, i) => {
      const fitted = fitRow(
        row.map((s) => ({ ...s, t: rowText(s.t) })),
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

export interface ViewportProps {
  /** the rows and their items' spans, or a list drawn on demand */
  rows?: Row[];
  spans?: Array<[number, number]>;
  virtual?: Virtual;
  selected: number;
  height: number;
  width: number;
  color: boolean;
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

/**
 * The rows a viewport shows (only those are drawn): the list's rows from `offset`, `shown` of them, starting at
 * the viewport's row `top` (1 when a "↑ n more rows" mark is above them); a "↓" mark may follow.
 */
export function viewportWindow(v: Virtual, selected: number, height: number): { rows: Row[]; offset: number; top: number; shown: number } {
  const hgt = Math.max(3, height);
  const total = v.total;
  const range = (from: number, to: number) => {
    const out: Row[] = [];
    for (let i = from; i < to; i++) out.push(v.rowAt(i));
    return out;
  };
  if (total <= hgt) return { rows: range(0, total), offset: 0, top: 0, shown: total };
  const more = (n: number, arrow: string): Row => [{ t: `  ${arrow} ${n} more row${n === 1 ? "" : "s"}`, dim: true }];
  // on the first item, whatever is above it (a title, a header) is in view too
  const first = v.spanOf(0);
  const span: [number, number] | undefined = selected === 0 && first ? [0, first[1]] : v.spanOf(selected);
  if (scrollOffset(total, hgt - 1, span) === 0) {
    // at the top: only the mark below
    return { rows: [...range(0, hgt - 1), more(total - (hgt - 1), "↓")], offset: 0, top: 0, shown: hgt - 1 };
  }
  const offset = scrollOffset(total, hgt - 2, span);
  if (offset + hgt - 1 >= total) {
    // at the bottom: only the mark above
    return {
      rows: [more(total - (hgt - 1), "↑"), ...range(total - (hgt - 1), total)],
      offset: total - (hgt - 1),
      top: 1,
      shown: hgt - 1,
    };
  }
  return {
    rows: [more(offset, "↑"), ...range(offset, offset + hgt - 2), more(total - offset - (hgt - 2), "↓")],
    offset,
    top: 1,
    shown: hgt - 2,
  };
}

/** The item drawn on the viewport's row `r` (0 is its first row), by the window it draws; undefined on a mark, a heading or below the list. */
export function viewportItemAt(v: Virtual, selected: number, height: number, r: number): number | undefined {
  const w = viewportWindow(v, selected, height);
  const k = r - w.top;
  if (k < 0 || k >= w.shown) return undefined;
  return itemAtRow(v, w.offset + k);
}

/** Shows `height` rows; when the content is taller, a row at the top and/or the bottom says how much is above and below. */
export function Viewport({ rows, spans, virtual, selected, height, width, color }: ViewportProps) {
  const v = virtual ?? virtualOf({ rows: rows ?? [], spans: spans ?? [] });
  return h(Rows, { rows: viewportWindow(v, selected, height).rows, width, color });
}
