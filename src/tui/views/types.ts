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
