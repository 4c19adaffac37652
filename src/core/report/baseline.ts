/**
 * Baselines: a previous `lbdoctor.report/v1` JSON report. A finding is
 * `existing` when the baseline holds a finding with the same id (rule id |
 * normalized resource id | key: no order, no time in it) and the same status;
 * otherwise it is `new`. Ids are compared in any case: a key holds names of
 * the cloud's (a probe's, a rule's), which ARM compares case-insensitively, so
 * a name re-cased between two runs is the same finding. With a baseline, only
 * new failures decide the exit code.
 */
import { readFileSync } from "node:fs";
import type { Finding } from "../engine/types.ts";
import { InputError } from "../errors.ts";
import { findTooDeep } from "../util/depth.ts";
import { REPORT_SCHEMA } from "./report.ts";

export interface Baseline {
  source: string;
  /** finding id (lower case) → status, for the findings that were fail, unknown or error */
  findings: Map<string, string>;
  /** the failures (status fail), with where they were: a run counts as fixed only those it checked again */
  failures: BaselineFailure[];
}

/**
 * A failure of the baseline: its id, and its rule, place and subjects as the report gave them (a failure about another
 * group's resource is a group's when one of its subjects is in the group: the run's scope reads them).
 */
export interface BaselineFailure {
  id: string;
  status: "fail";
  ruleId: string;
  resourceId: string;
  loadBalancerId?: string;
  region?: string;
  subjects?: string[];
}

export interface BaselineSummary {
  source: string;
  /** failing findings not in the baseline */
  new: number;
  /** failing findings already failing in the baseline */
  existing: number;
  /** baseline failures that no longer fail, among those this run checked (its rules, in its scope) */
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
  const failures: BaselineFailure[] = [];
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  d.findings.forEach((f, i) => {
    const x = f as {
      id?: unknown;
      status?: unknown;
      ruleId?: unknown;
      resourceId?: unknown;
      loadBalancerId?: unknown;
      region?: unknown;
      subjects?: unknown;
    } | null;
    if (!x || typeof x.id !== "string" || typeof x.status !== "string") {
      throw new InputError(`baseline ${source}: /findings/${i} needs a string id and status`, hint);
    }
    if (MARKED.has(x.status)) findings.set(x.id.toLowerCase(), x.status);
    if (x.status === "fail") {
      // a finding id starts with its rule id (rule id | resource key | key)
      const failure: BaselineFailure = {
        id: x.id,
        status: "fail",
        ruleId: str(x.ruleId) ?? x.id.slice(0, x.id.indexOf("|") >>> 0),
        resourceId: str(x.resourceId) ?? "",
      };
      const lb = str(x.loadBalancerId);
      if (lb) failure.loadBalancerId = lb;
      const region = str(x.region);
      if (region) failure.region = region;
      if (Array.isArray(x.subjects)) failure.subjects = x.subjects.filter((s): s is string => typeof s === "string");
      failures.push(failure);
    }
  });
  return { source, findings, failures };
}

/**
 * Marks fail, unknown and error findings new or existing; returns the counts over failures. A baseline failure is
 * fixed when it no longer fails and this run checked it (`checked`: its rule ran and its place is in the run's scope);
 * a run narrowed to one rule or one load balancer, or with a rule turned off, does not call the others fixed.
 */
export function markBaseline(
  findings: Finding[],
  baseline: Baseline,
  checked: (failure: BaselineFailure) => boolean = () => true,
): BaselineSummary {
  let fresh = 0;
  let existing = 0;
  const stillFailing = new Set<string>();
  for (const f of findings) {
    if (!MARKED.has(f.status)) continue;
    const id = f.id.toLowerCase();
    const before = baseline.findings.get(id);
    f.baseline = before === f.status ? "existing" : "new";
    if (f.status === "fail") {
      stillFailing.add(id);
      if (f.baseline === "existing") existing++;
      else fresh++;
    }
  }
  let fixed = 0;
  for (const f of baseline.failures) if (!stillFailing.has(f.id.toLowerCase()) && checked(f)) fixed++;
  return { source: baseline.source, new: fresh, existing, fixed };
}
