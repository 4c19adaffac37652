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
import { safeJsonEscape } from "./sanitize.ts";

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

function* parts(value: unknown, indent: string, pad: string, depth: number, leafIndent: string): Generator<string> {
  const walk =
    depth > 0 &&
    value !== null &&
    typeof value === "object" &&
    typeof (value as { toJSON?: unknown }).toJSON !== "function" &&
    !(value instanceof Number || value instanceof String || value instanceof Boolean);
  if (!walk) {
    const text = JSON.stringify(value, null, leafIndent) ?? "null";
    yield leafIndent === "" || !text.includes("\n") ? text : text.replace(/\n/g, `\n${pad}`);
    return;
  }
  const inner = pad + indent;
  const nl = indent === "" ? "" : "\n";
  const colon = indent === "" ? ":" : ": ";
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield "[]";
      return;
    }
    yield `[${nl}`;
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield `,${nl}`;
      yield inner;
      const v: unknown = value[i];
      if (serializable(v)) yield* parts(v, indent, inner, depth - 1, leafIndent);
      else yield "null";
    }
    yield `${nl}${pad}]`;
    return;
  }
  const obj = value as Record<string, unknown>;
  let first = true;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (!serializable(v)) continue;
    yield `${first ? `{${nl}` : `,${nl}`}${inner}${JSON.stringify(k)}${colon}`;
    first = false;
    yield* parts(v, indent, inner, depth - 1, leafIndent);
  }
  yield first ? "{}" : `${nl}${pad}}`;
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
  const leaf = opts.compactLeaves ? "" : indent;
  for (const piece of chunked(parts(value, indent, "", opts.depth ?? 2, leaf), opts.size)) yield safeJsonEscape(piece);
}

/** A whole stream as one string (small reports, tests). */
export function joinChunks(chunks: Iterable<string>): string {
  let out = "";
  for (const c of chunks) out += c;
  return out;
}
