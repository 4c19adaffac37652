/**
 * Reports as streams of text: a report over 20,000 NICs with every pass in
 * full is larger than the longest string a JavaScript engine holds (V8: about
 * 512 MiB), so JSON, SARIF and JUnit are written piece by piece, never joined.
 *
 * `jsonChunks` yields exactly the text of `JSON.stringify(value, null, indent)`
 * (with `safeJson`'s escapes), in pieces of about `CHUNK` characters: objects
 * and arrays are walked down to `depth` levels, and what sits below is
 * serialized whole (one finding, one SARIF result: small), indented or, with
 * `compactLeaves`, on one line.
 */
import { jsonTextPiece } from "./sanitize.ts";

/** About how many characters a yielded piece holds (many small strings are joined up to this; one large value may exceed it). */
export const CHUNK = 1 << 16;

/** Joins small strings into pieces of about `size` characters. */
export function* chunked(parts: Iterable<string>, size = CHUNK): Generator<string> {
  let buf: string[] = [];
  let len = 0;
  for (const p of parts) {
    if (p.length === 0) continue;
    buf.push(p);
    len += p.length;
    if (len >= size) {
      yield buf.join("");
      buf = [];
      len = 0;
    }
  }
  if (len > 0) yield buf.join("");
}

/** What JSON.stringify would do with a property value or an array element: undefined when it is left out (or becomes null in an array). */
function serializable(v: unknown): boolean {
  return v !== undefined && typeof v !== "function" && typeof v !== "symbol";
}

/**
 * The text being made, in pieces up to about `size` characters. Pieces are
 * appended (a finding each, or a bracket) and joined only when a chunk is
 * handed out: no generator step and no intermediate string per value.
 */
class Pieces {
  buf: string[] = [];
  len = 0;
  readonly size: number;
  constructor(size: number) {
    this.size = size;
  }
  push(s: string): void {
    this.buf.push(s);
    this.len += s.length;
  }
  get full(): boolean {
    return this.len >= this.size;
  }
  /**
   * The text so far, escaped for a terminal and for a CI runner (see `jsonTextPiece`), and an empty buffer. A piece ends
   * between two values or brackets, never after a `#` (which only a string holds, and a string ends with `"`), so no
   * `##[` straddles two pieces unseen.
   */
  take(): string {
    const text = this.buf.length === 1 ? (this.buf[0] as string) : this.buf.join("");
    this.buf = [];
    this.len = 0;
    return jsonTextPiece(text);
  }
}

/** Whether `walk` descends into a value rather than serializing it whole. */
function walkable(value: unknown): value is object {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { toJSON?: unknown }).toJSON !== "function" &&
    !(value instanceof Number || value instanceof String || value instanceof Boolean)
  );
}

/** One value serialized whole, at `pad` (a leaf written on several lines is indented to sit where it is). */
function leaf(value: unknown, pad: string, leafIndent: string): string {
  const text = JSON.stringify(value, null, leafIndent) ?? "null";
  return leafIndent === "" || pad === "" || !text.includes("\n") ? text : text.replace(/\n/g, `\n${pad}`);
}

/**
 * How many elements of an array of indented leaves one JSON.stringify call serializes: one. Batches of 32 made strings
 * of hundreds of kB, and writing the findings of a 20,000-NIC report indented took ~520 ms against ~400 ms one by one.
 */
const BATCH = 1;

/**
 * An array at `pad` whose elements are serialized whole and indented, each nested in as many arrays as `pad` is
 * levels deep so that it comes out indented where it sits (no pass over its text to indent it). The arrays' own
 * lines are cut off.
 */
function* indentedLeaves(out: Pieces, value: unknown[], indent: string, pad: string): Generator<string> {
  const level = pad.length / indent.length;
  let open = "";
  let close = "";
  for (let k = 0; k <= level; k++) {
    open += `${indent.repeat(k)}[\n`;
    close = `\n${indent.repeat(k)}]${close}`;
  }
  out.push("[\n");
  for (let i = 0; i < value.length; i += BATCH) {
    let wrapped: unknown = value.slice(i, i + BATCH);
    for (let k = 0; k < level; k++) wrapped = [wrapped];
    const text = JSON.stringify(wrapped, null, indent);
    if (i > 0) out.push(",\n");
    out.push(text.slice(open.length, text.length - close.length));
    if (out.full) yield out.take();
  }
  out.push(`\n${pad}]`);
}

/** Appends `value`'s text to `out`, handing out a chunk whenever the buffer is full (only between values). */
function* walk(out: Pieces, value: unknown, indent: string, pad: string, depth: number, leafIndent: string): Generator<string> {
  if (depth <= 0 || !walkable(value)) {
    out.push(leaf(value, pad, leafIndent));
    return;
  }
  const inner = pad + indent;
  const nl = indent === "" ? "" : "\n";
  const colon = indent === "" ? ":" : ": ";
  const sep = `,${nl}${inner}`;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push("[]");
      return;
    }
    if (depth === 1 && leafIndent === indent && indent !== "") {
      yield* indentedLeaves(out, value, indent, pad);
      return;
    }
    out.push(`[${nl}${inner}`);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(sep);
      const v: unknown = value[i];
      if (!serializable(v)) out.push("null");
      else if (depth > 1 && walkable(v)) yield* walk(out, v, indent, inner, depth - 1, leafIndent);
      else out.push(leaf(v, inner, leafIndent));
      if (out.full) yield out.take();
    }
    out.push(`${nl}${pad}]`);
    return;
  }
  const obj = value as Record<string, unknown>;
  let first = true;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (!serializable(v)) continue;
    out.push(`${first ? `{${nl}${inner}` : sep}${JSON.stringify(k)}${colon}`);
    first = false;
    if (depth > 1 && walkable(v)) yield* walk(out, v, indent, inner, depth - 1, leafIndent);
    else out.push(leaf(v, inner, leafIndent));
    if (out.full) yield out.take();
  }
  out.push(first ? "{}" : `${nl}${pad}}`);
}

/**
 * `safeJson(value)` as a stream of pieces: the same text, never one string.
 * `depth` is how many levels of objects and arrays are walked rather than
 * serialized whole (2: a report and its findings array; each finding whole).
 * With `compactLeaves`, what is serialized whole is written on one line (a
 * finding a line): the same values in far less text.
 */
export function* jsonChunks(
  value: unknown,
  opts: { indent?: number; depth?: number; size?: number; compactLeaves?: boolean } = {},
): Generator<string> {
  const indent = " ".repeat(opts.indent ?? 2);
  const leafIndent = opts.compactLeaves ? "" : indent;
  const out = new Pieces(opts.size ?? CHUNK);
  yield* walk(out, value, indent, "", opts.depth ?? 2, leafIndent);
  if (out.len > 0) yield out.take();
}

/** A whole stream as one string (small reports, tests). */
export function joinChunks(chunks: Iterable<string>): string {
  let out = "";
  for (const c of chunks) out += c;
  return out;
}
