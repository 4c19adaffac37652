/**
 * Strings from the cloud (names, tags, descriptions, paths, guest output) and
 * from snapshot files reach a terminal. A snapshot is untrusted input: whoever
 * can edit the subscription or the file chooses its strings. Neutralize them
 * so a hostile value cannot rewrite the screen, set the window title, write
 * the clipboard (OSC 52), plant a link (OSC 8), return the cursor (CR) or
 * reorder what is shown (bidi controls).
 *
 * - `sanitize` is for one untrusted value: escape sequences are removed;
 *   other C0 controls (except newline and tab), DEL, C1 controls and bidi /
 *   line-separator characters are shown as `\xNN` / `\uNNNN`.
 * - `terminalSafe` is the last guard on everything written to stdout and
 *   stderr: only the styling lbdoctor itself emits (SGR colours, and the
 *   progress line's `CR ESC[2K`) survives; every other control is shown as text.
 * - `safeJson` serializes JSON with C1, DEL and bidi characters escaped as
 *   `\uNNNN` too (JSON.stringify escapes only C0), so a JSON or SARIF report
 *   printed to a terminal is as inert as the text one, and parses back to the
 *   same values.
 * - `noWorkflowCommands` keeps a value from forming a CI runner's workflow
 *   command in any output (`safeJson` applies it to JSON text).
 */
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;
/** C0 except tab and newline, DEL, C1. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Bidi embeddings, overrides and isolates, the implicit marks, and the Unicode line / paragraph separators. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
/** Everything a terminal could interpret, for the last guard (tab and newline excepted). */
const ANY_CONTROL =
  /\r\u001b\[2K|\u001b\[[0-9;]*m|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function hex(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
}

/** Every character `sanitize` acts on: an escape sequence starts with ESC or CSI, both controls. Not global: a test. */
const SANITIZED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

export function sanitize(text: string): string {
  if (typeof text !== "string") text = String(text ?? "");
  // most values hold none: one scan instead of three replaces
  if (!SANITIZED.test(text)) return text;
  return text.replace(ESCAPES, "").replace(CONTROLS, hex).replace(BIDI, hex);
}

/**
 * One line of a plain-text report: a newline inside it (only a value from the cloud or a snapshot holds one: a
 * caller name, a tag value, a change's summary) is shown as `\x0a`, so a value cannot start a line of its own and
 * pass for one of lbdoctor's (a `$ curl … | sh` under a fix, a forged timeline entry).
 */
export function oneLine(text: string): string {
  return text.includes("\n") ? text.replace(/\n/g, "\\x0a") : text;
}

/** True when a string holds nothing `sanitize` would change (cheap check for tests and callers). */
export function isTerminalInert(text: string): boolean {
  return text.replace(/\r\u001b\[2K|\u001b\[[0-9;]*m/g, "").search(ANY_CONTROL) === -1;
}

/**
 * The last guard before a terminal (stdout, stderr): SGR colour sequences and
 * the progress line's `CR ESC[2K` pass; any other control character is shown
 * as `\xNN`, which also defuses the sequence it began.
 */
export function terminalSafe(text: string): string {
  if (text === inert || !SANITIZED.test(text)) return text;
  return text.replace(ANY_CONTROL, (m) => (m.length > 1 ? m : hex(m)));
}

/**
 * The last piece of JSON text `jsonTextPiece` escaped: inert by construction (JSON.stringify escapes every C0
 * control, `safeJsonEscape` the rest), so `terminalSafe` passes it without scanning it again (a JSON report is
 * 100 MB at 20,000 NICs). One slot: a string equal to it is the same text, and as inert.
 */
let inert: string | undefined;

const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** JSON.stringify, with every character a terminal could act on escaped (C0 already is). */
export function safeJson(value: unknown, indent: number | undefined = 2): string {
  return safeJsonEscape(JSON.stringify(value, null, indent));
}

/**
 * Escapes, in JSON text, the characters JSON.stringify leaves raw that a terminal could act on (one character at a
 * time: safe on any piece of the text), and writes the `[` of a legacy workflow command `##[` as `\u005b` (the same
 * value, parsed: see `noWorkflowCommands`).
 */
export function safeJsonEscape(json: string): string {
  // all ASCII (as many bytes in UTF-8 as characters: a fast native count) and no DEL: nothing to escape, and nothing
  // the runner skips (JSON.stringify escapes C0), so `##[` is the only workflow command it could hold: one native search
  if (Buffer.byteLength(json, "utf8") === json.length && !json.includes("\u007f")) {
    return json.includes("##[") ? noWorkflowCommands(json, "json") : json;
  }
  return noWorkflowCommands(
    json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    "json",
  );
}

/**
 * A piece of the text of JSON.stringify (any piece: escapes are one character each), escaped as `safeJsonEscape`
 * does, and remembered as terminal-inert for `terminalSafe` (it holds no control character at all).
 */
export function jsonTextPiece(json: string): string {
  inert = safeJsonEscape(json);
  return inert;
}

/** What `noWorkflowCommands` puts in plain text to break a workflow command: U+2800 BRAILLE PATTERN BLANK. */
export const COMMAND_BREAK = "\u2800";
/**
 * What ICU's comparisons may skip, over-approximated (TAB, LF, VT, FF, CR and NEL excepted: ICU weighs them, and LF and
 * CR end lines): controls, format characters, every combining mark, modifier letters, default-ignorables, and the few
 * others ICU gives no weight (U+180A, U+1CD3, U+FE73). A test walks every code point through ICU to keep it so.
 */
const IGNORABLE = String.raw`[\0-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\p{Cf}\p{Mn}\p{Me}\p{Mc}\p{Lm}\p{Default_Ignorable_Code_Point}\u180a\u1cd3\ufe73]`;
/** What .NET's TrimStart removes, but the line breaks. */
const DOTNET_SPACE = String.raw`[\t\v\f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`;
/** The `##` of a `##[`, as ICU finds it. */
let LEGACY_HASHES: RegExp | undefined;
/** Up to the `[` of a `##[`, and the `[`. */
let LEGACY_BRACKET: RegExp | undefined;
/**
 * A line that starts with `::` once trimmed, with what ICU skips skipped: what comes before the first `:`, and that `:`
 * (`^` also after U+2028 and U+2029: more line starts than the runner's, never fewer).
 */
let V2_START: RegExp | undefined;
/**
 * Cheap supersets of the two shapes, without Unicode property classes (whose sets take ~1.5 ms to build: a start-up
 * cost every `check` would pay): what ICU skips and .NET trims is never printable ASCII, so a `##[` has only other
 * characters between its `#`s and `[`, and a V2 line only other characters before its first `:`. The exact expressions
 * are built on a hit, which ordinary text never gives.
 */
const MAY_BE_LEGACY = /#[^\x21-\x7e\n\r]*#[^\x21-\x7e\n\r]*\[/;
const MAY_BE_V2 = /^[^\x21-\x7e\n\r]*:/m;

/**
 * GitHub Actions workflow commands. The runner reads every line a step prints (stdout and stderr) with two parsers
 * (actions/runner, `ActionCommand.cs`; `ActionCommandManager.TryProcessCommand` tries `TryParseV2`, then `TryParse`):
 *
 * - V2: `message.TrimStart()` (.NET white space, U+0085 among it), then `StartsWith("::")`: `::error title=x::…`,
 *   `::add-mask::…`, `::stop-commands::…`;
 * - legacy: `message.IndexOf("##[")`, ANYWHERE in the line: `vm##[error]…`, `##[stop-commands]…`.
 *
 * Lines end at CR, LF or CRLF. Both comparisons are .NET's culture-sensitive ones, and the runner runs on ICU, which
 * compares as if absent the code points it gives no weight (C0 and C1 controls but TAB, LF, VT, FF, CR and NEL;
 * U+200B–U+200F, U+2060…, U+FEFF, U+00AD, variation selectors, some combining marks): `#\u200b#[` is found as `##[`,
 * and U+200B before `::` hides nothing. So the break is U+2800 BRAILLE PATTERN BLANK, which ICU weighs, .NET does not
 * trim, and a terminal or the log viewer shows as a blank: a line that starts with `::` after white space gets it
 * before the `::`, and `##[` gets it between `##` and `[` (after the `##`, so an ANSI sequence next to it stays whole).
 * `IGNORABLE` over-approximates what ICU skips (every format character, combining mark, default-ignorable and
 * control but the white space and line breaks), so a mark at most is added where none was needed.
 *
 * - `text`: plain text for people (the text report, Markdown, the github format's plain lines, timeline, diff, trace,
 *   stderr): the break is added. Never apply it to a workflow command lbdoctor means (`::error …::data`): a `##[` in
 *   the data of a V2 command is data (V2 is tried first).
 * - `json`: JSON text. `[` after `##` is written `\u005b`: the same value, parsed. A JSON line never starts with `::`:
 *   each line, once indented, starts with a quoted key or string, a bracket, a brace, a number, true, false or null,
 *   since JSON.stringify escapes LF and CR inside strings and `safeJsonEscape` the separators U+2028 and U+2029.
 *   `[` after `##` (with only what ICU skips between) always sits inside a string: `#` occurs in no JSON syntax.
 * - `xml`: XML text (JUnit). `[` after `##` is written `&#91;`, and the `:` that starts a line `&#58;`: the same
 *   values, parsed. Only a text node that spans lines could start a line with a value; lbdoctor's markup starts each
 *   line with `<`, and its attribute values keep newlines as `&#10;`.
 *
 * Ordinary text holds neither `##` before `[` nor a line that starts with `::`, and comes back as it was.
 */
export function noWorkflowCommands(text: string, kind: "text" | "json" | "xml" = "text"): string {
  let out = text;
  if (out.includes("#") && MAY_BE_LEGACY.test(out)) {
    out =
      kind === "text"
        ? out.replace((LEGACY_HASHES ??= new RegExp(`#${IGNORABLE}*#(?=${IGNORABLE}*\\[)`, "gu")), `$&${COMMAND_BREAK}`)
        : out.replace(
            (LEGACY_BRACKET ??= new RegExp(`(#${IGNORABLE}*#${IGNORABLE}*)\\[`, "gu")),
            kind === "json" ? "$1\\u005b" : "$1&#91;",
          );
  }
  if (kind !== "json" && out.includes(":") && MAY_BE_V2.test(out)) {
    V2_START ??= new RegExp(`^((?:${DOTNET_SPACE}|${IGNORABLE})*):(?=${IGNORABLE}*:)`, "gmu");
    out = out.replace(V2_START, kind === "text" ? `$1${COMMAND_BREAK}:` : "$1&#58;");
  }
  return out;
}
