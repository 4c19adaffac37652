/**
 * Baselines: a previous `lbdoctor.report/v1` JSON report. A finding is
 * `existing` when the baseline holds a finding with the same id (rule id |
 * normalized resource id | key: no order, no time in it) and the same status;
 * otherwise it is `new`. With a baseline, only new failures decide the exit
 * code.
 */
import { readFileSync } from "node:fs";
import type { Finding } from "../engine/types.ts";
import { InputError } from "../errors.ts";
import { findTooDeep } from "../util/depth.ts";
import { REPORT_SCHEMA } from "./report.ts";

export interface Baseline {
  source: string;
  /** finding id → status, for the findings that were fail, unknown or error */
  findings: Map<string, string>;
}

export interface BaselineSummary {
  source: string;
  /** failing findings not in the baseline */
  new: number;
  /** failing findings already failing in the baseline */
  existing: number;
  /** baseline failures that no longer fail */
  fixed: number;
}

const MARKED = new Set(["fail", "unknown", "error"]);

export function loadBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`baseline report not found: ${path}`);
    throw new InputError(`cannot read baseline ${path}: ${(e as Error).message}`);
  }
  return parseBaseline(text, path);
}

export function parseBaseline(text: string, source: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(
      `baseline ${source} is not valid JSON: ${(e as Error).message}`,
      "Give a report written by `lbdoctor check --format json`.",
    );
  }
  const hint = "A baseline is a report written by `lbdoctor check --format json --output <file>`.";
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || findTooDeep(doc) !== undefined) {
    throw new InputError(`baseline ${source} is not an lbdoctor report`, hint);
  }
  const d = doc as { schema?: unknown; findings?: unknown };
  if (d.schema !== REPORT_SCHEMA) {
    throw new InputError(`baseline ${source} has schema ${JSON.stringify(d.schema ?? null)}, not '${REPORT_SCHEMA}'`, hint);
  }
  if (!Array.isArray(d.findings)) throw new InputError(`baseline ${source}: /findings must be an array`, hint);
  const findings = new Map<string, string>();
  d.findings.forEach((f, i) => {
    const x = f as { id?: unknown; status?: unknown } | null;
    if (!x || typeof x.id !== "string" || typeof x.status !== "string") {
      throw new InputError(`baseline ${source}: /findings/${i} needs a string id and status`, hint);
    }
    if (MARKED.has(x.status)) findings.set(x.id, x.status);
  });
  return { source, findings };
}

/** Marks fail, unknown and error findings new or existing; returns the counts over failures. */
export function markBaseline(findings: Finding[], baseline: Baseline): BaselineSummary {
  let fresh = 0;
  let existing = 0;
  const stillFailing = new Set<string>();
  for (const f of findings) {
    if (!MARKED.has(f.status)) continue;
    const before = baseline.findings.get(f.id);
    f.baseline = before === f.status ? "existing" : "new";
    if (f.status === "fail") {
      stillFailing.add(f.id);
      if (f.baseline === "existing") existing++;
      else fresh++;
    }
  }
  let fixed = 0;
  for (const [id, status] of baseline.findings) if (status === "fail" && !stillFailing.has(id)) fixed++;
  return { source: baseline.source, new: fresh, existing, fixed };
}
