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

/** Escapes, in JSON text, the characters JSON.stringify leaves raw that a terminal could act on (one character at a time: safe on any piece of the text). */
export function safeJsonEscape(json: string): string {
  // all ASCII (as many bytes in UTF-8 as characters: a fast native count) and no DEL: nothing to escape
  if (Buffer.byteLength(json, "utf8") === json.length && !json.includes("\u007f")) return json;
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A piece of the text of JSON.stringify (any piece: escapes are one character each), escaped as `safeJsonEscape`
 * does, and remembered as terminal-inert for `terminalSafe` (it holds no control character at all).
 */
export function jsonTextPiece(json: string): string {
  inert = safeJsonEscape(json);
  return inert;
}
