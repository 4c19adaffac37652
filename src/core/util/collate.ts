/**
 * The order lbdoctor sorts names and ids in: the Unicode root collation
 * (what `a.localeCompare(b)` gives in an English locale), without ICU for
 * printable ASCII. The first `localeCompare` or `Intl.Collator` of a process
 * builds ICU's collator, ~10 ms of a `check` that takes ~60; the names and
 * ids of a snapshot are almost always ASCII.
 *
 * For printable ASCII the root collation is: the primary weights first
 * (space, punctuation and symbols in ASCII_ROOT_ORDER's order, then the
 * digits, then the letters regardless of case), a string that runs out first
 * before a longer one; when every primary is equal, the first case difference (lower case
 * first). Anything else (other characters, control characters) goes to ICU,
 * in English (the root rules), so that the order never depends on the user's locale
 * (a Danish locale sorts "aa" after "z").
 */

/** Printable ASCII in root collation order, upper case beside its lower case (test/collate.test.ts derives it from ICU). */
export const ASCII_ROOT_ORDER = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ";

// the primary weight of each printable ASCII character (1-based; 0: not printable ASCII, ask ICU)
const PRIMARY = new Uint8Array(128);
{
  let w = 0;
  for (let i = 0; i < ASCII_ROOT_ORDER.length; i++) {
    const c = ASCII_ROOT_ORDER.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    if (!upper) w++;
    PRIMARY[c] = w;
  }
}

let icu: ((a: string, b: string) => number) | undefined;

/** `a` before `b`: negative; after: positive; the same: 0. Root collation, as `a.localeCompare(b, "en")`. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.max(a.length, b.length);
  let primary = 0;
  let tertiary = 0;
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? a.charCodeAt(i) : -1;
    const y = i < b.length ? b.charCodeAt(i) : -1;
    // every character is checked, even after the order is decided: one outside printable ASCII sends the pair to ICU
    const px = x < 0 ? 0 : x < 128 ? (PRIMARY[x] as number) : 0;
    const py = y < 0 ? 0 : y < 128 ? (PRIMARY[y] as number) : 0;
    if ((px === 0 && x >= 0) || (py === 0 && y >= 0)) {
      icu ??= new Intl.Collator("en").compare;
      return icu(a, b);
    }
    if (px !== py) {
      if (primary === 0) primary = px - py;
    } else if (tertiary === 0 && x !== y) {
      // the same letter in another case: lower case (the larger code) first
      tertiary = y - x;
    }
  }
  const r = primary !== 0 ? primary : tertiary;
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

/** The longest text given a collation key (its key is made in one call; longer texts are compared by compareText). */
const KEY_MAX = 8192;
/** The text's bytes, then its key, made in place: a text of n characters needs 3n bytes (any character's UTF-8, at most 3 a code unit) and 2n + 1 for its key. */
let scratch = Buffer.allocUnsafe(3 * 512);

/**
 * A string whose plain (code-unit) order is `compareText`'s order, for printable ASCII text; `undefined` for anything
 * else (compare that with `compareText`). Made once per item, a sort over long ids with shared prefixes (a report's
 * finding ids) compares keys natively instead of collating every pair character by character. The key is the primary
 * weights (1…69, as character codes); a text with an upper-case letter adds a 0 (below every weight) and each
 * character's case (1 lower or not a letter, 2 upper), which decides only between texts whose weights are all equal:
 * the one without upper case (its key ends first) or with the first lower case sorts first.
 *
 * The text is copied out natively and its key written over its bytes, one byte a character: a one-byte string,
 * which the engine compares as bytes. (Reading it with charCodeAt into a 16-bit array took ~1.8 µs for a 330-character
 * finding id; the terminal UI keys 236,000 of them at 20,000 NICs.)
 */
export function collationKey(s: string): string | undefined {
  const n = s.length;
  if (n > KEY_MAX) return undefined;
  if (scratch.length < 3 * n + 1) scratch = Buffer.allocUnsafe(3 * KEY_MAX + 1);
  const b = scratch;
  // as many bytes as characters: all ASCII (anything else takes two or more, a lone surrogate three)
  if (b.write(s, 0, "utf8") !== n) return undefined;
  let upper = false;
  for (let i = 0; i < n; i++) {
    const c = b[i] as number;
    const w = PRIMARY[c] as number;
    if (w === 0) return undefined;
    b[i] = w;
    if (c >= 65 && c <= 90) upper = true;
  }
  if (upper) {
    // the cases, read from the text again (its bytes now hold weights)
    b[n] = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      b[n + 1 + i] = c >= 65 && c <= 90 ? 2 : 1;
    }
  }
  return scratch.toString("latin1", 0, upper ? 2 * n + 1 : n);
}

/** Orders two texts by their `collationKey`s when both have one, else by `compareText`. */
export function compareByKey(a: string, ak: string | undefined, b: string, bk: string | undefined): number {
  if (ak !== undefined && bk !== undefined) return ak < bk ? -1 : ak > bk ? 1 : 0;
  return compareText(a, b);
}

/**
 * `items` sorted by a text of each (`compareText` order, stable), each text's collation key made once: a model's
 * 20,000 NICs by name compared pair by pair took ~150 ms, their keys compared natively a tenth of that.
 */
export function sortByText<T>(items: Iterable<T>, text: (item: T) => string): T[] {
  const keyed = Array.from(items, (item) => {
    const t = text(item);
    return { item, t, k: collationKey(t) };
  });
  keyed.sort((a, b) => compareByKey(a.t, a.k, b.t, b.k));
  return keyed.map((x) => x.item);
}
