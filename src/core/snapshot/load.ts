import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import { InputError } from "../errors.ts";
import { SCHEMA_DIR } from "../paths.ts";
import { findTooDeep, MAX_DEPTH, shortPointer } from "../util/depth.ts";
import { forgetIdKeys } from "../util/resource-id.ts";
import { scanDocument } from "../util/secrets.ts";
import { readJsonObjectFile } from "./read-json.ts";
import { SNAPSHOT_SCHEMA, type Snapshot } from "./types.ts";

let validator: ValidateFunction | undefined;

const require = createRequire(import.meta.url);

/** The validator precompiled at build time (scripts/build-validators.ts), else the schema compiled now. */
function getValidator(): ValidateFunction {
  if (!validator) {
    try {
      validator = require("./snapshot-validator.cjs") as ValidateFunction;
      if (typeof validator !== "function") validator = (validator as unknown as { default: ValidateFunction }).default;
    } catch {
      const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, "snapshot.v1.schema.json"), "utf8"));
      validator = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    }
  }
  return validator;
}

/** Patterns of the schema whose regular expression says less than a few words. */
const PATTERN_WORDS: Record<string, string> = {
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$":
    "an RFC 3339 date and time, such as 2026-12-04T10:00:00Z",
};

function describe(err: ErrorObject): string {
  const path = err.instancePath === "" ? "(root)" : err.instancePath;
  const words = err.keyword === "pattern" ? PATTERN_WORDS[(err.params as { pattern: string }).pattern] : undefined;
  if (words) return `${path}: must be ${words}`;
  if (err.keyword === "required")
    return `${path}: missing required property '${(err.params as { missingProperty: string }).missingProperty}'`;
  if (err.keyword === "enum")
    return `${path}: must be one of ${JSON.stringify((err.params as { allowedValues: unknown[] }).allowedValues)}`;
  if (err.keyword === "const") return `${path}: must be ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)}`;
  return `${path}: ${err.message ?? err.keyword}`;
}

/** Validates a parsed document; returns the messages (empty when valid). */
export function validateSnapshot(doc: unknown): string[] {
  const validate = getValidator();
  if (validate(doc)) return [];
  const errs = (validate.errors ?? []).filter((e) => e.keyword !== "if");
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of errs) {
    const line = describe(e);
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}

/**
 * A file's bytes as JSON text: UTF-8, with or without a byte-order mark (Windows tools write one). UTF-16 text is
 * refused by name (as UTF-8 it would read as a JSON syntax error at an invisible character). Throws InputError.
 */
function jsonText(bytes: Buffer, source: string): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new InputError(
      `${source} is UTF-16 text; a snapshot is UTF-8 JSON`,
      "Save it as UTF-8 (PowerShell: Out-File -Encoding utf8, or Set-Content -Encoding utf8), or write it with lbdoctor snapshot -o.",
    );
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString("utf8", bom);
}

/** JSON text → the top-level object. Throws InputError. */
function parseDocument(text: string, source: string): object {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new InputError(`${source} is not valid JSON: ${msg}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new InputError(`${source} is not a snapshot: expected a JSON object at the top level`);
  }
  return doc;
}

function tooDeep(doc: object, source: string): InputError {
  const at = findTooDeep(doc) ?? "";
  return new InputError(`${source} is nested more than ${MAX_DEPTH} levels deep (at ${shortPointer(at)}), which no snapshot is`);
}

const RFC3339 = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$/;

/**
 * The time data's window (`observations.window`, both clouds): two RFC 3339 times, the end not before the start. The
 * time rules and the timeline read time from it alone, so a window that ends before it starts would make every
 * sample fall outside it, and a timeline that runs backwards.
 */
function checkWindow(doc: object, source: string): void {
  const w = (doc as { observations?: { window?: { from?: unknown; until?: unknown } } }).observations?.window;
  if (!w || typeof w !== "object") return;
  const bad = (["from", "until"] as const).find(
    (k) => typeof w[k] !== "string" || !RFC3339.test(w[k] as string) || Number.isNaN(Date.parse(w[k] as string)),
  );
  if (bad) {
    throw new InputError(
      `${source} is not a valid ${SNAPSHOT_SCHEMA} document:\n  /observations/window/${bad}: must be ${PATTERN_WORDS[RFC3339.source]}`,
    );
  }
  if (Date.parse(w.until as string) < Date.parse(w.from as string)) {
    throw new InputError(
      `${source} is not a valid ${SNAPSHOT_SCHEMA} document:\n  /observations/window: ends (${w.until}) before it starts (${w.from})`,
    );
  }
}

/** The schema name and the schema: a parsed document (not too deep) as a snapshot, or InputError. */
function checkSnapshot(doc: object, source: string): Snapshot {
  const schema = (doc as { schema?: unknown }).schema;
  if (typeof schema === "string" && schema !== SNAPSHOT_SCHEMA) {
    throw new InputError(
      `${source} has schema '${schema}', which this lbdoctor does not read (it reads '${SNAPSHOT_SCHEMA}')`,
      "Re-collect the snapshot with this version of lbdoctor, or upgrade lbdoctor.",
    );
  }
  const problems = validateSnapshot(doc);
  if (problems.length > 0) {
    const shown = problems.slice(0, 8).map((p) => `  ${p}`);
    if (problems.length > 8) shown.push(`  … and ${problems.length - 8} more`);
    throw new InputError(`${source} is not a valid ${SNAPSHOT_SCHEMA} document:\n${shown.join("\n")}`);
  }
  checkWindow(doc, source);
  // what a cloud's wire format leaves optional (ARM `name` and `type`) its adapter derives, where it reads the resources
  return doc as Snapshot;
}

/** Parses and validates snapshot text. Throws InputError with the JSON path of the first problems. */
export function parseSnapshot(text: string, source = "snapshot"): Snapshot {
  const doc = parseDocument(text, source);
  if (findTooDeep(doc) !== undefined) throw tooDeep(doc, source);
  return checkSnapshot(doc, source);
}

/** A snapshot file, parsed, validated and stripped of its secrets. Throws InputError. */
export function loadSnapshotFile(path: string): Snapshot {
  const readError = (e: unknown): InputError => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return new InputError(`snapshot file not found: ${path}`);
    if (code === "EISDIR") return new InputError(`snapshot path is a directory: ${path}`);
    return new InputError(`cannot read snapshot ${path}: ${(e as Error).message}`);
  };
  forgetIdKeys();
  // a regular file in pieces, never the whole text as one string (read-json.ts); a pipe (`--snapshot /dev/stdin`,
  // `<(jq …)`), which cannot be read twice, and a file that does not split are read whole and parsed, as before
  let doc: object | undefined;
  try {
    if (path !== "/dev/stdin" && statSync(path).isFile()) doc = readJsonObjectFile(path);
  } catch (e) {
    throw readError(e);
  }
  if (doc === undefined) {
    let text: string | undefined;
    try {
      // standard input by its descriptor: opening /dev/stdin fails when it is a socket (ENXIO), as a parent process may give
      text = jsonText(readFileSync(path === "/dev/stdin" ? 0 : path), path);
    } catch (e) {
      throw e instanceof InputError ? e : readError(e);
    }
    doc = parseDocument(text, path);
    text = undefined; // the text (as large as the file) need not outlive the parse
  }
  // one walk for what parseSnapshot checks and stripSecrets does to every value: the depth, and the secrets
  const scan = scanDocument(doc, MAX_DEPTH);
  if (scan.tooDeep) throw tooDeep(doc, path);
  const snapshot = checkSnapshot(doc, path);
  // a file's origin cannot be vouched for: whatever reads it (check, diff, trace, tui, emulator) never sees its secrets
  scan.strip();
  return snapshot;
}
