/**
 * Neutralizing cloud strings (names, tags, descriptions, guest output) for
 * each output language. Every function first applies `sanitize` (no ANSI
 * escapes, control characters shown as \xNN), then escapes what the target
 * language would interpret.
 */
import { sanitize } from "./sanitize.ts";

// ---- XML (JUnit) ----

/** Characters XML 1.0 cannot carry at all, even as character references. */
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Any character of XML_INVALID (a test: most values hold none, and skip its lookarounds). */
const XML_INVALID_ANY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/;

function xmlSafe(s: string): string {
  const t = sanitize(s);
  return XML_INVALID_ANY.test(t) ? t.replace(XML_INVALID, "\ufffd") : t;
}

/** Text content: & < > escaped (so `]]>` cannot appear). */
export function xmlText(s: string): string {
  const t = xmlSafe(s);
  return /[&<>]/.test(t) ? t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : t;
}

/** An attribute value in double quotes; newlines and tabs kept as character references (attribute normalization would eat them). */
export function xmlAttr(s: string): string {
  const t = xmlText(s);
  return /["'\n\r\t]/.test(t)
    ? t.replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;")
    : t;
}

// ---- Markdown (GitHub-flavoured: PR comments, issues, wikis) ----

/**
 * Inline text: one line, Markdown punctuation backslash-escaped, HTML
 * impossible, `@mentions` broken with a zero-width space (GitHub would
 * notify the named user), `$` escaped (GitHub renders math).
 */
export function mdText(s: string): string {
  return sanitize(s)
    .replace(/\r?\n|\r/g, " ")
    .replace(/[\\`*_[\]<>|~&$#!{}]/g, (c) => `\\${c}`)
    .replace(/@/g, "@\u200b");
}

/** A code span: nothing inside is interpreted. Safe in table cells (pipes escaped, one line). */
export function mdCode(s: string): string {
  const text = sanitize(s)
    .replace(/\r?\n|\r/g, " ")
    .replace(/\|/g, "\\|");
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || text === "" ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block that no content can close: the fence is longer than any backtick run inside. */
export function mdFence(lines: string[], lang = ""): string {
  const body = lines.map((l) => sanitize(l).replace(/\r/g, "")).join("\n");
  const longest = Math.max(0, ...[...body.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

// ---- GitHub Actions workflow commands (::error file=…::message) ----

/** The message of a workflow command: %, CR and LF escaped, so a value cannot end the command or start another. */
export function annotationData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A property value (file=, title=): additionally : and , escaped. */
export function annotationProperty(s: string): string {
  return annotationData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
