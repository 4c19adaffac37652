/**
 * The globs of suppressions (rule ids, resource ids, names), matched in time
 * linear in the pattern times the text: the pattern becomes a small automaton
 * that is run as a set of states, never by backtracking. A regular expression
 * built from a glob (what picomatch does) backtracks: `*a*a*a*…b` took
 * seconds to tens of seconds per finding, and a config file is not
 * necessarily written by the person who runs the check.
 *
 *   *      any run of characters except `/`
 *   **     as a whole path segment: any number of segments (`a/**` also matches `a`); elsewhere like *
 *   ?      one character except `/`
 *   [abc] [a-z] [!a-z] [^a-z]   one character of (not of) a set
 *   {a,b}  alternatives (nested allowed; at most MAX_ALTERNATIVES)
 *   \x     x, literally
 *
 * Case-insensitive when asked (suppressions always are).
 */

export const MAX_GLOB_LENGTH = 2048;
export const MAX_ALTERNATIVES = 256;

type Token =
  | { k: "lit"; c: string }
  | { k: "one" }
  | { k: "star" }
  | { k: "any" }
  | { k: "set"; neg: boolean; chars: string; ranges: Array<[string, string]> }
  /** epsilon: may jump to `to` without consuming */
  | { k: "skip"; to: number };

export class GlobError extends Error {}

/** Brace expansion, iteratively, with a cap on the number of alternatives. */
function expandBraces(p: string): string[] {
  let work = [p];
  const done: string[] = [];
  while (work.length > 0) {
    const next: string[] = [];
    for (const s of work) {
      const b = firstBrace(s);
      if (!b) {
        done.push(s);
        continue;
      }
      const head = s.slice(0, b.open);
      const tail = s.slice(b.close + 1);
      for (const alt of b.alts) next.push(head + alt + tail);
      if (done.length + next.length > MAX_ALTERNATIVES) throw new GlobError(`more than ${MAX_ALTERNATIVES} {…} alternatives`);
    }
    work = next;
  }
  return done;
}

/** The first top-level `{…,…}` with a comma in it; braces without a comma stay literal. */
function firstBrace(s: string): { open: number; close: number; alts: string[] } | undefined {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") {
      i++;
      continue;
    }
    if (s[i] !== "{") continue;
    let depth = 0;
    let start = i + 1;
    const alts: string[] = [];
    for (let j = i; j < s.length; j++) {
      const c = s[j];
      if (c === "\\") {
        j++;
        continue;
      }
      if (c === "{") depth++;
      else if (c === "}") {
        depth--;
        if (depth === 0) {
          alts.push(s.slice(start, j));
          if (alts.length > 1) return { open: i, close: j, alts };
          break;
        }
      } else if (c === "," && depth === 1) {
        alts.push(s.slice(start, j));
        start = j + 1;
      }
    }
  }
  return undefined;
}

function tokenize(p: string): Token[] {
  const t: Token[] = [];
  const n = p.length;
  const segStart = (i: number) => i === 0 || p[i - 1] === "/";
  const segEnd = (i: number) => i === n || p[i] === "/";
  for (let i = 0; i < n; i++) {
    const c = p[i] as string;
    if (c === "\\" && i + 1 < n) {
      t.push({ k: "lit", c: p[++i] as string });
    } else if (c === "*") {
      let j = i;
      while (p[j] === "*") j++;
      const stars = j - i;
      if (stars >= 2 && segStart(i) && segEnd(j)) {
        if (i === 0 && j === n) t.push({ k: "any" });
        else if (j === n) {
          // `a/**`: also `a` itself; the slash already pushed becomes optional
          const slash = t.pop();
          const skip: Token = { k: "skip", to: -1 };
          t.push(skip);
          if (slash) t.push(slash);
          t.push({ k: "any" });
          skip.to = t.length;
        } else {
          // `**/` (leading or inner): nothing, or any run ending in `/`
          const skip: Token = { k: "skip", to: -1 };
          t.push(skip, { k: "any" }, { k: "lit", c: "/" });
          skip.to = t.length;
          j++; // the slash after the stars is part of the optional run
        }
      } else t.push({ k: "star" });
      i = j - 1;
    } else if (c === "?") t.push({ k: "one" });
    else if (c === "[") {
      const close = p.indexOf("]", i + 2);
      if (close === -1) {
        t.push({ k: "lit", c });
        continue;
      }
      let body = p.slice(i + 1, close);
      const neg = body[0] === "!" || body[0] === "^";
      if (neg) body = body.slice(1);
      let chars = "";
      const ranges: Array<[string, string]> = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === "-" && k + 2 < body.length) {
          ranges.push([body[k] as string, body[k + 2] as string]);
          k += 2;
        } else chars += body[k];
      }
      t.push({ k: "set", neg, chars, ranges });
      i = close;
    } else t.push({ k: "lit", c });
  }
  return t;
}

function accepts(tok: Token, c: string): boolean {
  switch (tok.k) {
    case "lit":
      return tok.c === c;
    case "one":
    case "star":
      return c !== "/";
    case "any":
      return true;
    case "set": {
      if (c === "/") return false;
      const inSet = tok.chars.includes(c) || tok.ranges.some(([a, b]) => c >= a && c <= b);
      return inSet !== tok.neg;
    }
    default:
      return false;
  }
}

/** Runs the automaton: a set of token positions, advanced one character at a time. */
function run(tokens: Token[], text: string): boolean {
  const n = tokens.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  const close = (set: Uint8Array) => {
    // epsilon moves only go forward, so one pass in order reaches the closure
    for (let i = 0; i < n; i++) {
      if (!set[i]) continue;
      const tok = tokens[i] as Token;
      if (tok.k === "skip") {
        set[i + 1] = 1;
        set[tok.to] = 1;
      } else if (tok.k === "star" || tok.k === "any") set[i + 1] = 1;
    }
  };
  cur[0] = 1;
  close(cur);
  for (let k = 0; k < text.length; k++) {
    const c = text[k] as string;
    next.fill(0);
    let alive = false;
    for (let i = 0; i < n; i++) {
      if (!cur[i]) continue;
      const tok = tokens[i] as Token;
      if (tok.k === "skip" || !accepts(tok, c)) continue;
      if (tok.k === "star" || tok.k === "any") next[i] = 1;
      else next[i + 1] = 1;
      alive = true;
    }
    if (!alive) return false;
    close(next);
    [cur, next] = [next, cur];
  }
  return cur[n] === 1;
}

/** A matcher for a glob; throws GlobError when the pattern is too long or has too many alternatives. */
export function compileGlob(pattern: string, opts: { nocase?: boolean } = {}): (text: string) => boolean {
  if (pattern.length > MAX_GLOB_LENGTH) throw new GlobError(`longer than ${MAX_GLOB_LENGTH} characters`);
  const fold = (s: string) => (opts.nocase ? s.toLowerCase() : s);
  const alternatives = expandBraces(fold(pattern)).map(tokenize);
  return (text: string) => {
    if (typeof text !== "string") return false;
    const t = fold(text);
    return alternatives.some((tokens) => run(tokens, t));
  };
}
