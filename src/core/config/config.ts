/**
 * `.lbdoctor.yaml`: which rules run and at what severity, the exit threshold,
 * and suppressions (accepted findings, each with a reason and an optional
 * expiry). Found in the working directory or given with `--config`.
 *
 *   failOn: high
 *   rules:
 *     azure/session-persistence-skew: off
 *     azure/single-backend: low              # or { enabled: true, severity: low }
 *   suppressions:
 *     - rule: azure/backend-public-ip
 *       resource: "/subscriptions/*\/resourceGroups/jump-rg/**"
 *       reason: Jump hosts reach the Internet on purpose (OPS-1234)
 *       expires: 2026-12-31
 *     - rule: "azure/*"
 *       tag: { env: sandbox }
 *       reason: Sandboxes are not production
 *
 * Every problem is reported with the file, line, column and key, and stops
 * the run with exit code 2.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Scalar, type YAMLMap } from "yaml";
import { SEVERITIES, type Severity } from "../engine/types.ts";
import { InputError } from "../errors.ts";
import { sanitize } from "../report/sanitize.ts";
import { compileGlob } from "./glob.ts";

export { CONFIG_FILES, findConfig } from "./find.ts";

/** a config file is a few kilobytes; anything larger is not one */
const MAX_BYTES = 1024 * 1024;

export interface RuleSetting {
  enabled?: boolean;
  severity?: Severity;
}

export interface SuppressionEntry {
  /** a rule id, or a glob over rule ids (`azure/*`) */
  rule: string;
  /** a glob over the resource id (when it holds a `/`) or the resource name; case-insensitive */
  resource?: string;
  /** every key must be present with this value (`*`: any value); keys case-insensitive */
  tag?: Record<string, string>;
  reason: string;
  /** as written: YYYY-MM-DD (through the end of that day, UTC) or an ISO 8601 timestamp */
  expires?: string;
  /** when it stops suppressing, epoch milliseconds */
  expiresAt?: number;
  /** `file:line` */
  source: string;
}

export interface LbdoctorConfig {
  /** the path as the user gave it (or the file name found in the working directory) */
  path: string;
  failOn?: Severity;
  rules: Record<string, RuleSetting>;
  suppressions: SuppressionEntry[];
}

export interface KnownRule {
  id: string;
}

export function loadConfigFile(path: string, known: KnownRule[], cwd = process.cwd()): LbdoctorConfig {
  const abs = resolve(cwd, path);
  let text: string;
  try {
    if (statSync(abs).size > MAX_BYTES) throw new InputError(`config ${path} is larger than 1 MB; that is not an lbdoctor config`);
    text = readFileSync(abs, "utf8");
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`config file not found: ${path}`);
    if (code === "EISDIR") throw new InputError(`config path is a directory: ${path}`);
    throw new InputError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  return parseConfig(text, path, known);
}

const TOP_KEYS = ["version", "failOn", "rules", "suppressions"];
const RULE_KEYS = ["enabled", "severity"];
const SUPPRESSION_KEYS = ["rule", "resource", "tag", "reason", "expires"];
const GLOB_CHARS = /[*?[\]{}()!+@]/;

/** Parses and validates config text. Throws InputError listing every problem with file:line:col. */
export function parseConfig(text: string, path: string, known: KnownRule[]): LbdoctorConfig {
  const lines = new LineCounter();
  const problems: Array<{ pos: number; text: string }> = [];
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return path;
    const { line, col } = lines.linePos(offset);
    return `${path}:${line}:${col}`;
  };
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const problem = (node: Node | null | undefined, key: string, message: string) => {
    problems.push({ pos: node?.range?.[0] ?? 0, text: `${at(node?.range?.[0])}: ${key ? `${key}: ` : ""}${message}` });
  };
  const fail = (): never => {
    const shown = [...problems]
      .sort((a, b) => a.pos - b.pos)
      .slice(0, 10)
      .map((p) => p.text);
    if (problems.length > 10) shown.push(`… and ${problems.length - 10} more`);
    throw new InputError(
      `${path} is not a valid lbdoctor config:\n${shown.map((p) => `  ${sanitize(p)}`).join("\n")}`,
      "See the `Configuration` section of the README for the format.",
    );
  };

  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter: lines, schema: "core", uniqueKeys: true, prettyErrors: false });
  } catch (e) {
    // the parser recurses on nesting; a pathological file can exhaust the stack
    throw new InputError(`${path} cannot be parsed as YAML: ${e instanceof RangeError ? "nested too deeply" : (e as Error).message}`);
  }
  for (const err of doc.errors.slice(0, 10)) problems.push({ pos: err.pos[0], text: `${at(err.pos[0])}: ${err.message.split("\n")[0]}` });
  if (problems.length > 0) fail();

  const config: LbdoctorConfig = { path, rules: {}, suppressions: [] };
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) return config; // an empty file
  if (!isMap(root)) {
    problem(root, "", "expected a mapping with failOn, rules and suppressions at the top level");
    return fail();
  }

  const known_ = new Set(known.map((r) => r.id));
  const knownList = known.map((r) => r.id);

  for (const { key: k, value } of entries(root, "", TOP_KEYS, problem)) {
    if (k === "version") {
      if (!isScalar(value) || value.value !== 1) problem(value, "version", "must be 1");
    } else if (k === "failOn") {
      const s = severityOf(value);
      if (s) config.failOn = s;
      else problem(value, "failOn", `must be one of ${SEVERITIES.join(", ")}`);
    } else if (k === "rules") {
      if (value === null || (isScalar(value) && value.value === null)) continue;
      if (!isMap(value)) {
        problem(value, "rules", "expected a mapping of rule id → off | on | <severity> | { enabled, severity }");
        continue;
      }
      for (const pair of value.items) {
        const keyNode = pair.key as Node | null;
        const id = isScalar(keyNode) ? String(keyNode.value) : "";
        if (!known_.has(id)) {
          problem(keyNode, "rules", `unknown rule${suggest(id, knownList)} (\`lbdoctor rules\` lists them)`);
          continue;
        }
        const v = pair.value as Node | null;
        const setting = ruleSetting(v, `rules.${id}`, problem);
        if (setting) config.rules[id] = setting;
      }
    } else if (k === "suppressions") {
      if (value === null || (isScalar(value) && value.value === null)) continue;
      if (!isSeq(value)) {
        problem(value, "suppressions", "expected a list of { rule, resource or tag, reason, expires? }");
        continue;
      }
      value.items.forEach((item, i) => {
        const name = `suppressions[${i}]`;
        const node = item as Node | null;
        if (!isMap(node)) {
          problem(node, name, "expected a mapping with rule, resource or tag, reason and expires");
          return;
        }
        const s = suppression(node, name, `${path}:${lineOf(node)}`, known_, knownList, problem);
        if (s) config.suppressions.push(s);
      });
    }
  }
  if (problems.length > 0) fail();
  return config;
}

type Problem = (node: Node | null | undefined, key: string, message: string) => void;

/** The pairs of a mapping with scalar string keys; unknown keys and aliases are problems. */
function entries(map: YAMLMap, prefix: string, allowed: string[], problem: Problem): Array<{ key: string; value: Node | null }> {
  const out: Array<{ key: string; value: Node | null }> = [];
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : "";
    const name = prefix ? `${prefix}.${key}` : key;
    if (!isScalar(keyNode) || typeof keyNode.value !== "string") {
      problem(keyNode, prefix, "keys must be plain strings");
      continue;
    }
    if (!allowed.includes(key)) {
      problem(keyNode, name, `unknown key${suggest(key, allowed)}; allowed: ${allowed.join(", ")}`);
      continue;
    }
    const value = pair.value as Node | null;
    if (isAlias(value)) {
      problem(value, name, "anchors and aliases are not supported here");
      continue;
    }
    out.push({ key, value });
  }
  return out;
}

function severityOf(node: Node | null): Severity | undefined {
  if (!isScalar(node) || typeof node.value !== "string") return undefined;
  const v = node.value.toLowerCase();
  return (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : undefined;
}

function ruleSetting(v: Node | null, name: string, problem: Problem): RuleSetting | undefined {
  if (isScalar(v)) {
    const raw = v.value;
    if (raw === false || raw === "off" || raw === "false") return { enabled: false };
    if (raw === true || raw === "on" || raw === "true") return { enabled: true };
    const s = severityOf(v);
    if (s) return { enabled: true, severity: s };
  } else if (isMap(v)) {
    const out: RuleSetting = {};
    for (const { key, value } of entries(v, name, RULE_KEYS, problem)) {
      if (key === "enabled") {
        if (isScalar(value) && typeof value.value === "boolean") out.enabled = value.value;
        else problem(value, `${name}.enabled`, "must be true or false");
      } else {
        const s = severityOf(value);
        if (s) out.severity = s;
        else problem(value, `${name}.severity`, `must be one of ${SEVERITIES.join(", ")}`);
      }
    }
    return out;
  }
  problem(v, name, `must be off, on, a severity (${SEVERITIES.join(", ")}) or { enabled, severity }`);
  return undefined;
}

function suppression(
  node: YAMLMap,
  name: string,
  source: string,
  known: Set<string>,
  knownList: string[],
  problem: Problem,
): SuppressionEntry | undefined {
  const before = { n: 0 };
  const p: Problem = (n, k, m) => {
    before.n++;
    problem(n, k, m);
  };
  const out: Partial<SuppressionEntry> = { source };
  for (const { key, value } of entries(node, name, SUPPRESSION_KEYS, p)) {
    const str = isScalar(value) && typeof value.value === "string" ? value.value : undefined;
    if (key === "rule") {
      if (str === undefined || str.trim() === "") p(value, `${name}.rule`, "must be a rule id or a glob over rule ids");
      else if (GLOB_CHARS.test(str)) {
        if (!compiles(str)) p(value, `${name}.rule`, `'${str}' is not a valid glob`);
        else out.rule = str;
      } else if (!known.has(str)) p(value, `${name}.rule`, `unknown rule${suggest(str, knownList)}`);
      else out.rule = str;
    } else if (key === "resource") {
      // as written, like a tag: `resource: 0042` is the name 0042, not the number 42
      const glob = isScalar(value) ? tagText(value) : undefined;
      if (glob === undefined || glob.trim() === "") p(value, `${name}.resource`, "must be a glob over resource ids (or names)");
      else if (!compiles(glob)) p(value, `${name}.resource`, `'${glob}' is not a valid glob`);
      else out.resource = glob;
    } else if (key === "tag") {
      if (!isMap(value) || value.items.length === 0) {
        p(value, `${name}.tag`, "must be a mapping of tag name → value, e.g. { env: sandbox }");
        continue;
      }
      const tag: Record<string, string> = {};
      for (const pair of value.items) {
        const k = pair.key as Node | null;
        const v = pair.value as Node | null;
        const tagName = isScalar(k) ? tagText(k) : undefined;
        if (tagName === undefined || tagName === "") {
          p(k, `${name}.tag`, "tag names must be strings");
          continue;
        }
        const tagValue = isScalar(v) ? tagText(v) : undefined;
        if (tagValue === undefined) {
          const written = isScalar(v) && v.value === null ? (v.source ?? "") : "";
          p(
            v,
            `${name}.tag.${tagName}`,
            `must be the tag's value (or * for any value)${written ? `; unquoted, ${written} is YAML's null: quote it ('${written}') if that is the value` : ""}`,
          );
          continue;
        }
        tag[tagName] = tagValue;
      }
      out.tag = tag;
    } else if (key === "reason") {
      if (str === undefined || str.trim() === "") p(value, `${name}.reason`, "must say why the finding is accepted");
      else out.reason = str.trim();
    } else if (key === "expires") {
      const raw = isScalar(value) ? value.value : undefined;
      const when = typeof raw === "string" ? expiryOf(raw) : undefined;
      if (typeof raw !== "string" || when === undefined) {
        p(value, `${name}.expires`, "must be a date (2026-12-31, through the end of that day, UTC) or an ISO 8601 timestamp with a zone");
      } else {
        out.expires = raw;
        out.expiresAt = when;
      }
    }
  }
  const missing = (k: string, why: string) => p(node, name, `missing required key '${k}' (${why})`);
  if (!node.has("rule")) missing("rule", "the rule id, or a glob such as azure/*");
  if (!node.has("reason")) missing("reason", "why is this finding accepted?");
  if (!node.has("resource") && !node.has("tag")) {
    p(node, name, "needs `resource` (a glob over resource ids) or `tag`; to silence a rule everywhere, turn it off under `rules:`");
  }
  if (before.n > 0 || !out.rule || !out.reason) return undefined;
  return out as SuppressionEntry;
}

/**
 * A tag name or value (or a resource glob) as the user wrote it. Tags are strings in both clouds, but YAML's core schema reads a
 * plain `01234` as the number 1234, `1.10` as 1.1 and `true` as a boolean, and `String()` of those never
 * matches the tag the portal shows. A plain scalar that YAML typed is taken as its source text instead,
 * exactly as typed (quoted and block scalars are strings already). Null (`~`, `null`, nothing) is no value.
 */
function tagText(node: Scalar): string | undefined {
  if (typeof node.value === "string") return node.value;
  if (node.value === null || node.value === undefined || typeof node.value === "object") return undefined;
  return node.source ?? String(node.value);
}

function compiles(glob: string): boolean {
  try {
    compileGlob(glob, { nocase: true });
    return true;
  } catch {
    return false;
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** When a suppression stops suppressing: the end of the given day (UTC), or the exact timestamp. */
export function expiryOf(s: string): number | undefined {
  const d = DATE.exec(s);
  if (d) {
    const t = dayStart(d);
    return t === undefined ? undefined : t + 24 * 60 * 60 * 1000;
  }
  if (TIMESTAMP.test(s)) {
    // a day that does not exist (2026-02-30T00:00:00Z) is refused as the date alone is, not rolled into the next month
    if (dayStart(DATE.exec(s.slice(0, 10))) === undefined) return undefined;
    const [hh, mm, ss] = [Number(s.slice(11, 13)), Number(s.slice(14, 16)), s[16] === ":" ? Number(s.slice(17, 19)) : 0];
    if (hh > 23 || mm > 59 || ss > 59) return undefined;
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** The start of a YYYY-MM-DD day (UTC), or undefined when no such day exists (2026-02-30). */
function dayStart(d: RegExpExecArray | null): number | undefined {
  if (!d) return undefined;
  const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const t = Date.UTC(y, m - 1, day);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === day ? t : undefined;
}

/** " (did you mean 'x'?)" for the closest known name within a small edit distance. */
function suggest(word: string, choices: string[]): string {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of choices) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 4)) ? ` '${word}' (did you mean '${best}'?)` : ` '${word}'`;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 99;
}
