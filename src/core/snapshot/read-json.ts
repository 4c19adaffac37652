/**
 * A JSON file parsed without its text ever being one string (issue 12: a 77 MB snapshot).
 *
 * `JSON.parse(readFileSync(path, "utf8"))` holds the file's text as one string while it parses, long enough
 * for the string to move to V8's old generation, where only a full collection frees it, and a `check` makes
 * one such collection in a whole run: the text (73 MiB at 20,000 NICs) stayed in memory until the report was
 * written, beside everything else. Here the file is read a chunk at a time into one reused buffer, and parsed
 * in pieces: the top-level object's members, and the elements (or members) of each array (or object) they
 * hold, each parsed on its own by `JSON.parse`: a snapshot resource, an observation. Each piece's text is
 * short-lived garbage.
 *
 * The result is exactly `JSON.parse` of the whole text (key order, a repeated key's last value); anything the
 * splitter does not expect (invalid JSON, a top level that is not an object, a `__proto__` key) gives
 * `undefined`, and the caller parses the whole text, as before (the same value, or the same error message).
 */
import { closeSync, openSync, readSync } from "node:fs";

/** How many bytes one read takes. */
export const READ_CHUNK = 1 << 20;

/** How far into a string the splitter reads byte by byte before it lets `indexOf` find the closing quote. */
const SHORT_STRING = 32;

// the structural states: where the splitter is, between pieces
const START = 0; // before the top-level `{`
const KEY1_FIRST = 1; // after `{`: a key or `}`
const KEY1 = 2; // after `,` in the top object: a key
const COLON1 = 3; // after a top-level key: `:`
const VALUE1 = 4; // after `:`: `[`, `{` or a value (a piece)
const AFTER1 = 5; // after a top-level member: `,` or `}`
const ELEM_FIRST = 6; // after `[` at level 2: an element or `]`
const ELEM = 7; // after `,` at level 2: an element
const AFTER_ELEM = 8; // after an element: `,` or `]`
const KEY2_FIRST = 9; // after `{` at level 2: a key or `}`
const KEY2 = 10; // after `,` at level 2: a key
const COLON2 = 11; // after a level-2 key: `:`
const VALUE2 = 12; // after `:` at level 2: a value (a piece)
const AFTER2 = 13; // after a level-2 member: `,` or `}`
const END = 14; // after the top-level `}`: whitespace only

// what a finished piece is
const ROLE_KEY1 = 0;
const ROLE_VALUE1 = 1;
const ROLE_ELEM = 2;
const ROLE_KEY2 = 3;
const ROLE_VALUE2 = 4;

class NotSplit extends Error {}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The file's JSON value when its top level is an object that splits cleanly; `undefined` otherwise (the caller
 * then parses the whole text). Errors reading the file are thrown as they come (fs errors, with their codes).
 */
export function readJsonObjectFile(path: string, chunkSize = READ_CHUNK): Record<string, unknown> | undefined {
  const fd = openSync(path, "r");
  try {
    return splitParse(fd, chunkSize);
  } catch (e) {
    if (e instanceof NotSplit || e instanceof SyntaxError) return undefined;
    throw e;
  } finally {
    closeSync(fd);
  }
}

function splitParse(fd: number, chunkSize: number): Record<string, unknown> | undefined {
  const buf = Buffer.allocUnsafe(chunkSize);
  const top: Record<string, unknown> = {};
  let state = START;
  let key1 = ""; // the top-level member being read
  let arr: unknown[] | undefined; // the level-2 container being filled
  let obj: Record<string, unknown> | undefined;
  let key2 = "";
  // the piece being read: its kind (0 none, 1 container, 2 string, 3 scalar), role, bracket depth, string state, start
  let kind = 0;
  let role = 0;
  let depth = 0;
  let inStr = false;
  let esc = false;
  let start = 0;
  let parts: Buffer[] = [];
  const setKey = (target: Record<string, unknown>, k: string, v: unknown) => {
    if (k === "__proto__") throw new NotSplit();
    target[k] = v;
  };
  const finish = (text: string) => {
    const v: unknown = JSON.parse(text);
    switch (role) {
      case ROLE_KEY1:
        key1 = v as string;
        state = COLON1;
        break;
      case ROLE_VALUE1:
        setKey(top, key1, v);
        state = AFTER1;
        break;
      case ROLE_ELEM:
        (arr as unknown[]).push(v);
        state = AFTER_ELEM;
        break;
      case ROLE_KEY2:
        key2 = v as string;
        state = COLON2;
        break;
      default:
        setKey(obj as Record<string, unknown>, key2, v);
        state = AFTER2;
    }
  };
  const pieceText = (end: number): string => {
    if (parts.length === 0) return buf.toString("utf8", start, end);
    parts.push(Buffer.from(buf.subarray(start, end)));
    const text = Buffer.concat(parts).toString("utf8");
    parts = [];
    return text;
  };
  /**
   * Inside a string of a container, from `i`: the index just past its closing quote (`inStr` cleared), or -1 when the
   * string goes on past `n` (`esc` then says whether the chunk ended inside an escape). Strings are most of a
   * snapshot's bytes: the native `indexOf` finds each quote, and only the backslashes just before it are counted.
   */
  const skipString = (b: Buffer, from: number, n: number): number => {
    // most strings are keys, a few bytes long: a call into native code costs more than reading them here
    let i = from;
    const near = Math.min(n, from + SHORT_STRING);
    while (i < near) {
      const c = b[i++] as number;
      if (esc) esc = false;
      else if (c === 0x5c) esc = true;
      else if (c === 0x22) {
        inStr = false;
        return i;
      }
    }
    if (i >= n) return -1;
    if (esc) {
      esc = false;
      i++; // the escaped character (a quote or a backslash included)
    }
    for (;;) {
      const q = i < n ? b.indexOf(0x22, i) : -1;
      if (q < 0 || q >= n) {
        // no quote before the chunk's end: an odd run of backslashes at its end escapes the next chunk's first byte
        let k = n;
        while (k > i && b[k - 1] === 0x5c) k--;
        esc = (n - k) % 2 === 1;
        return -1;
      }
      let k = q;
      while (k > i && b[k - 1] === 0x5c) k--;
      if ((q - k) % 2 === 0) {
        inStr = false;
        return q + 1;
      }
      i = q + 1; // an escaped quote
    }
  };
  const begin = (c: number, i: number, r: number) => {
    role = r;
    start = i;
    if (c === 0x7b || c === 0x5b) {
      kind = 1;
      depth = 0; // the opening bracket, read next, makes it 1
    } else if (c === 0x22) {
      kind = 2;
      esc = false;
    } else if (c === 0x2c || c === 0x3a || c === 0x5d || c === 0x7d) throw new NotSplit();
    else kind = 3;
    inStr = false;
  };
  let pos = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, chunkSize, pos);
    if (n === 0) break;
    pos += n;
    let i = 0;
    while (i < n) {
      if (kind !== 0) {
        // inside a piece: find its end
        if (kind === 1) {
          let c = 0;
          while (i < n) {
            if (inStr) {
              i = skipString(buf, i, n);
              if (i < 0) {
                i = n;
                break;
              }
              continue;
            }
            c = buf[i++] as number;
            if (c === 0x22) inStr = true;
            else if (c === 0x7b || c === 0x5b) depth++;
            else if ((c === 0x7d || c === 0x5d) && --depth === 0) {
              kind = 0;
              break;
            }
          }
          if (kind === 0) finish(pieceText(i));
        } else if (kind === 2) {
          // a string: it starts at `start` with its quote; the first byte is that quote when the piece began in this chunk
          if (i === start && parts.length === 0) i++;
          while (i < n) {
            const c = buf[i++] as number;
            if (esc) esc = false;
            else if (c === 0x5c) esc = true;
            else if (c === 0x22) {
              kind = 0;
              break;
            }
          }
          if (kind === 0) finish(pieceText(i));
        } else {
          while (i < n) {
            const c = buf[i] as number;
            if (isSpace(c) || c === 0x2c || c === 0x5d || c === 0x7d) {
              kind = 0;
              break;
            }
            i++;
          }
          if (kind === 0) finish(pieceText(i));
        }
        if (kind !== 0) {
          // the piece goes on in the next chunk
          parts.push(Buffer.from(buf.subarray(start, n)));
          start = 0;
        }
        continue;
      }
      const c = buf[i] as number;
      if (isSpace(c)) {
        i++;
        continue;
      }
      switch (state) {
        case START:
          if (c !== 0x7b) throw new NotSplit();
          state = KEY1_FIRST;
          break;
        case KEY1_FIRST:
        case KEY1:
          if (c === 0x7d && state === KEY1_FIRST) state = END;
          else if (c === 0x22) {
            begin(c, i, ROLE_KEY1);
            continue;
          } else throw new NotSplit();
          break;
        case COLON1:
          if (c !== 0x3a) throw new NotSplit();
          state = VALUE1;
          break;
        case VALUE1:
          if (c === 0x5b) {
            arr = [];
            setKey(top, key1, arr);
            state = ELEM_FIRST;
          } else if (c === 0x7b) {
            obj = {};
            setKey(top, key1, obj);
            state = KEY2_FIRST;
          } else {
            begin(c, i, ROLE_VALUE1);
            continue;
          }
          break;
        case AFTER1:
          if (c === 0x2c) state = KEY1;
          else if (c === 0x7d) state = END;
          else throw new NotSplit();
          break;
        case ELEM_FIRST:
        case ELEM:
          if (c === 0x5d && state === ELEM_FIRST) state = AFTER1;
          else {
            begin(c, i, ROLE_ELEM);
            continue;
          }
          break;
        case AFTER_ELEM:
          if (c === 0x2c) state = ELEM;
          else if (c === 0x5d) state = AFTER1;
          else throw new NotSplit();
          break;
        case KEY2_FIRST:
        case KEY2:
          if (c === 0x7d && state === KEY2_FIRST) state = AFTER1;
          else if (c === 0x22) {
            begin(c, i, ROLE_KEY2);
            continue;
          } else throw new NotSplit();
          break;
        case COLON2:
          if (c !== 0x3a) throw new NotSplit();
          state = VALUE2;
          break;
        case VALUE2:
          begin(c, i, ROLE_VALUE2);
          continue;
        case AFTER2:
          if (c === 0x2c) state = KEY2;
          else if (c === 0x7d) state = AFTER1;
          else throw new NotSplit();
          break;
        default:
          throw new NotSplit(); // END: only whitespace may follow
      }
      i++;
    }
  }
  // a scalar at the very end of the file (never in an object: its `}` is missing, so the file does not split)
  if (kind !== 0 || state !== END) return undefined;
  return top;
}
