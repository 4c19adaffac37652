import type { Row } from "../text.ts";

/** Something the cursor can rest on, and what enter does with it. */
export type Item =
  | { kind: "lb"; key: string }
  | { kind: "finding"; id: string }
  | { kind: "member"; lbKey: string; rowKey: string; traceable: boolean }
  | { kind: "command"; text: string }
  | { kind: "block" };

/** A screen's rows, and which rows each item occupies ([start, end) per item, in item order). */
export interface Rendered {
  rows: Row[];
  spans: Array<[number, number]>;
}

/**
 * A list drawn on demand: `total` rows, any of them by index, and the rows of
 * each item. A viewport asks only for the rows it shows, so a keypress costs
 * the same at 10 and at 20,000 rows.
 */
export interface Virtual {
  total: number;
  rowAt(i: number): Row;
  spanOf(item: number): [number, number] | undefined;
  /** the item drawn on row `row` (a mouse click), undefined on a heading; `itemAtRow` scans the spans when a list has no index */
  itemAt?(row: number): number | undefined;
}

/** The item drawn on row `row` of a list, or undefined (a heading, a blank row, past the end). */
export function itemAtRow(v: Virtual, row: number): number | undefined {
  if (row < 0 || row >= v.total) return undefined;
  if (v.itemAt) return v.itemAt(row);
  for (let i = 0; ; i++) {
    const s = v.spanOf(i);
    if (!s) return undefined;
    if (row >= s[0] && row < s[1]) return i;
  }
}

/** The whole list as a Virtual (short lists: a load balancer, a finding, a trace). */
export function virtualOf(r: Rendered): Virtual {
  return {
    total: r.rows.length,
    rowAt: (i) => r.rows[i] ?? [],
    spanOf: (i) => r.spans[i],
    itemAt(row) {
      // the spans are in row order: a binary search
      let lo = 0;
      let hi = r.spans.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const [start, end] = r.spans[mid] as [number, number];
        if (row < start) hi = mid - 1;
        else if (row >= end) lo = mid + 1;
        else return mid;
      }
      return undefined;
    },
  };
}

/** Rows drawn once (headers), then runs of one-row items drawn when shown. */
export type Segment = { rows: Row[] } | { count: number; row: (k: number) => Row };

export function virtualOfSegments(segments: Segment[]): Virtual {
  const starts: number[] = [];
  const itemSegs: Array<{ start: number; first: number; count: number }> = [];
  let total = 0;
  let items = 0;
  for (const s of segments) {
    starts.push(total);
    if ("rows" in s) total += s.rows.length;
    else {
      itemSegs.push({ start: total, first: items, count: s.count });
      total += s.count;
      items += s.count;
    }
  }
  return {
    total,
    rowAt(i) {
      for (let j = segments.length - 1; j >= 0; j--) {
        const st = starts[j] ?? 0;
        if (i < st) continue;
        const s = segments[j] as Segment;
        return "rows" in s ? (s.rows[i - st] ?? []) : s.row(i - st);
      }
      return [];
    },
    spanOf(item) {
      const seg = itemSegs.find((x) => item >= x.first && item < x.first + x.count);
      if (!seg) return undefined;
      const r = seg.start + item - seg.first;
      return [r, r + 1];
    },
    itemAt(row) {
      const seg = itemSegs.find((x) => row >= x.start && row < x.start + x.count);
      return seg ? seg.first + row - seg.start : undefined;
    },
  };
}
