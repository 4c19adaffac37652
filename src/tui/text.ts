/**
 * Text layout for the TUI, in terminal cells: width, truncation, padding and
 * word wrap. Screens lay their rows out here, at the width they are given, so
 * that what they render never overflows and a test at 80 columns sees exactly
 * what a user sees. Ink's own truncation stays on as a backstop.
 */

/** A run of text with one style. Colour is dropped when the TUI runs without colour. */
export interface Seg {
  t: string;
  color?: "red" | "green" | "yellow" | "blue" | "magenta" | "cyan" | "gray" | "white";
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/** One terminal row. */
export type Row = Seg[];

const COMBINING = /^(?:\p{Mn}|\p{Me})$/u;

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Emoji drawn in two cells by default (🚀 ☕ ⌚ 🫠 …), outside the blocks `isWide` lists. */
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  // zero-width: combining marks, zero-width spaces and joiners, variation selectors
  if ((cp >= 0x200b && cp <= 0x200f) || cp === 0x2060 || (cp >= 0xfe00 && cp <= 0xfe0f) || COMBINING.test(ch)) return 0;
  if (isWide(cp)) return 2;
  return cp >= 0x231a && EMOJI_PRESENTATION.test(ch) ? 2 : 1;
}

/**
 * The width of `ch` after `prev`, as Ink (string-width) measures a row, so that what a screen pads and cuts is what
 * Ink draws: a pictograph joined by a ZWJ to the one before it is part of that emoji (👨‍👩‍👧 is two cells, not six),
 * and VS16 turns a one-cell pictograph into a two-cell emoji (❤️).
 */
function widthAfter(ch: string, prev: string | undefined): number {
  if (prev === "\u200d" && PICTOGRAPHIC.test(ch)) return 0;
  if (ch === "\ufe0f" && prev !== undefined && PICTOGRAPHIC.test(prev) && charWidth(prev) === 1) return 1;
  return charWidth(ch);
}

/** Width of a string in terminal cells (no escape sequences expected: strings are sanitized first). */
export function cellWidth(s: string): number {
  let w = 0;
  let prev: string | undefined;
  for (const ch of s) {
    w += widthAfter(ch, prev);
    prev = ch;
  }
  return w;
}

/** Cuts a string to `width` cells, ending with "…" when it had to cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return "";
  if (cellWidth(s) <= width) return s;
  let out = "";
  let w = 0;
  let prev: string | undefined;
  for (const ch of s) {
    const cw = widthAfter(ch, prev);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
    prev = ch;
  }
  return `${out}…`;
}

/** Truncates, then pads with spaces to exactly `width` cells. */
export function pad(s: string, width: number): string {
  const t = truncate(s, width);
  return t + " ".repeat(Math.max(0, width - cellWidth(t)));
}

/** Right-aligns within `width` cells. */
export function padStart(s: string, width: number): string {
  const t = truncate(s, width);
  return " ".repeat(Math.max(0, width - cellWidth(t))) + t;
}

/**
 * Word-wraps to `width` cells at spaces. A token (a URL, a resource id, a
 * command argument) is never broken: one longer than a line goes on a line of
 * its own, whole, and the row that shows it cuts it with "…" at the edge (the
 * detail pane and the copy keys have it in full). Newlines in the text are kept.
 */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    let lineW = 0;
    for (const word of para.split(/ +/)) {
      if (word === "") continue;
      const ww = cellWidth(word);
      if (lineW > 0 && lineW + 1 + ww <= w) {
        line += ` ${word}`;
        lineW += 1 + ww;
        continue;
      }
      if (lineW > 0) out.push(line);
      line = word;
      lineW = ww;
    }
    out.push(line);
  }
  return out;
}

/** Word-wraps like `wrap`, breaking a token only where it cannot fit a line at all (the last resort, for a pane that must show it whole). */
export function wrapHard(text: string, width: number): string[] {
  const w = Math.max(1, width);
  return wrap(text, w).flatMap((l) => {
    if (cellWidth(l) <= w) return [l];
    const parts: string[] = [];
    let head = "";
    let hw = 0;
    let prev: string | undefined;
    for (const ch of l) {
      const cw = widthAfter(ch, prev);
      prev = ch;
      if (hw + cw > w) {
        parts.push(head);
        head = "";
        hw = 0;
      }
      head += ch;
      hw += cw;
    }
    if (head) parts.push(head);
    return parts;
  });
}

/** Width of a row. */
export function rowWidth(row: Row): number {
  return row.reduce((n, s) => n + cellWidth(s.t), 0);
}

/** Cuts a row to `width` cells, segment by segment. */
export function fitRow(row: Row, width: number): Row {
  const out: Row = [];
  let left = width;
  for (const s of row) {
    if (left <= 0) break;
    const w = cellWidth(s.t);
    if (w <= left) {
      out.push(s);
      left -= w;
    } else {
      out.push({ ...s, t: truncate(s.t, left) });
      left = 0;
    }
  }
  return out;
}

/** Wraps styled text under a fixed indent: the first row carries `first`, the rest are indented with spaces. */
export function wrapRows(text: string, width: number, indent: number, style: Omit<Seg, "t"> = {}, first?: Seg): Row[] {
  const lead = first ? cellWidth(first.t) : indent;
  const lines = wrap(text, Math.max(8, width - Math.max(lead, indent)));
  return lines.map((l, i) => {
    if (i === 0 && first) return [first, { ...style, t: l }];
    return [{ t: " ".repeat(indent) }, { ...style, t: l }];
  });
}

/** "12.3s", "850ms" */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`;
}

/** HH:MM:SS in local time. */
export function clock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}
