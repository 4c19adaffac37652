/** The report: what every formatter renders. Pure data, `lbdoctor.report/v1`. */

import type { SuppressionStatus } from "../config/suppress.ts";
import { docsUrl } from "../engine/define-rule.ts";
import { type CountedResults, GAP_MESSAGE_ID, orderFindings } from "../engine/run.ts";
import {
  type Finding,
  type Model,
  type ModelGap,
  type RuleMeta,
  SEVERITIES,
  type Severity,
  STATUSES,
  type Status,
  severityRank,
} from "../engine/types.ts";
import type { LoadBalancerInfo } from "../provider.ts";
import { buildTimeline, type Timeline } from "../timeline/analyze.ts";
import { compareText } from "../util/collate.ts";
import { idKey } from "../util/resource-id.ts";
import { plural } from "../util/words.ts";
import type { BaselineSummary } from "./baseline.ts";

export const REPORT_SCHEMA = "lbdoctor.report/v1";

/** A load balancer's SKU and kind in words: "Standard, public"; once when they say the same ("gateway"). */
export function skuAndKind(lb: { sku: string; kind: string }, sep = ", "): string {
  return lb.sku.toLowerCase() === lb.kind ? lb.sku : `${lb.sku}${sep}${lb.kind}`;
}

export interface LoadBalancerSummary {
  id: string;
  name: string;
  sku: string;
  kind: "public" | "internal" | "gateway";
  frontends: string[];
  /**
   * healthy: nothing failed; degraded: failures, and some backends serve (or no critical failure);
   * down: a critical failure and no backend observed serving, or failures and every observed backend down;
   * unknown: undecided findings only
   */
  status: "healthy" | "degraded" | "down" | "unknown";
  failed: number;
  /** the backends the platform observed: how many are up, of how many (absent when nothing was observed) */
  members?: { up: number; total: number };
  /** its findings held back by an unexpired suppression, which `status` and `failed` leave out (absent when none) */
  suppressed?: number;
}

/** A rule that ran, as formatters describe it (SARIF rule descriptors, JUnit suites). */
export interface RuleSummary {
  id: string;
  provider: "azure" | "aws";
  title: string;
  /** the severity its findings carry by default, after a configured override */
  severity: Severity;
  /** markdown */
  description?: string;
  /** general remediation advice, markdown */
  remediation?: string;
  docsUrl: string;
}

/**
 * The passing (or not-applicable) findings of one rule, summarized: how many
 * and on which resources. A report carries these instead of the findings
 * themselves unless `--include-passed` asks for every one with its evidence.
 */
export interface PassSummary {
  ruleId: string;
  /** findings of the rule with this status (several on one resource count each) */
  count: number;
  /** the resources they are about, each once, in finding order (a pass on the whole scope has none) */
  resourceIds: string[];
}

/** How a report carries passing findings: in full (evidence and all) or as a per-rule summary. */
export type PassMode = "full" | "summary";

/**
 * The one pass contract of the commands that write a report (check, timeline): by default the engine only counts
 * passes and not-applicable results (`diagnose` passes "count") and the report summarizes them per rule;
 * `--include-passed` makes findings of them and carries them in full, with their evidence.
 */
export function passContract(includePassed: boolean | undefined): { engine: "full" | "count"; report: PassMode } {
  return includePassed === true ? { engine: "full", report: "full" } : { engine: "count", report: "summary" };
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  tool: { name: "lbdoctor"; version: string };
  provider: "azure" | "aws";
  snapshot: { collectedAt: string; source?: string };
  scope: Record<string, unknown>;
  failOn: Severity;
  summary: {
    byStatus: Record<Status, number>;
    failedBySeverity: Record<Severity, number>;
    /** failing findings at or above failOn, not suppressed, and (with a baseline) new */
    failing: number;
    rulesRun: number;
    /** fail, unknown and error findings held back by an unexpired suppression */
    suppressed?: number;
    /** with --baseline: failures new since the baseline, already there, and gone */
    baseline?: BaselineSummary;
  };
  /** every rule that ran */
  rules: RuleSummary[];
  loadBalancers: LoadBalancerSummary[];
  /** every finding; with summarized passes (the CLI's default), the fail, unknown and error findings */
  findings: Finding[];
  /** present when passes are summarized: per rule, the passes left out of `findings` (the counts add up to summary.byStatus.pass) */
  passed?: PassSummary[];
  /** present when passes are summarized: per rule, the not-applicable results left out of `findings` (they add up to summary.byStatus["not-applicable"]) */
  notApplicable?: PassSummary[];
  gaps: ModelGap[];
  /** with a config file: each configured suppression, whether it expired and how many findings it matched */
  suppressions?: SuppressionStatus[];
  /** with time data (`--since`, `timeline`): the window's changes, health transitions and spikes, in time order */
  timeline?: Timeline;
}

/** A finding held back by a matching suppression that has not expired. */
export function isSuppressed(f: Finding): boolean {
  return f.suppression !== undefined && f.suppression.expired !== true;
}

export function atOrAbove(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

export function buildReport(args: {
  model: Model;
  /** the load balancers in scope (provider adapter), in report order */
  loadBalancers: LoadBalancerInfo[];
  findings: Finding[];
  failOn: Severity;
  version: string;
  rulesRun: number;
  source?: string;
  /** the rules that ran, with configured severities applied (derived from the findings when absent) */
  rules?: RuleInput[];
  suppressions?: SuppressionStatus[];
  baseline?: BaselineSummary;
  /** "summary": passes and not-applicable results as per-rule counts and resource ids (what `check` writes unless --include-passed); default "full" */
  passes?: PassMode;
  /** passes and not-applicable results the engine counted instead of making findings (`passes: "count"`); summarized with those in `findings` */
  counted?: CountedResults[];
}): Report {
  const { model, failOn } = args;
  const summarize = args.passes === "summary";
  // only what the report carries in full is ordered (a large scope has ten passes for every other finding)
  const findings = orderFindings(
    summarize ? args.findings.filter((f) => f.status !== "pass" && f.status !== "not-applicable") : args.findings,
  );
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const failedBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of args.findings) {
    byStatus[f.status]++;
    if (f.status === "fail") failedBySeverity[f.severity]++;
  }
  for (const c of args.counted ?? []) for (const s of c.status) byStatus[s]++;
  const failing = findings.filter(
    (f) => f.status === "fail" && atOrAbove(f.severity, failOn) && !isSuppressed(f) && !(args.baseline && f.baseline === "existing"),
  ).length;
  const suppressed = findings.filter(isSuppressed).length;
  // findings by load balancer, grouped once (a per-LB scan is O(LBs × findings) on large scopes)
  const byLb = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.loadBalancerId) continue;
    const k = idKey(f.loadBalancerId);
    const list = byLb.get(k);
    if (list) list.push(f);
    else byLb.set(k, [f]);
  }
  const lbs = args.loadBalancers.map((lb): LoadBalancerSummary => {
    const all = byLb.get(lb.key) ?? [];
    const mine = all.filter((f) => !isSuppressed(f));
    const fails = mine.filter((f) => f.status === "fail");
    // observed serving outranks inference: DOWN only when no observed backend is up
    const up = lb.members && lb.members.total > 0 ? lb.members.up : undefined;
    const status: LoadBalancerSummary["status"] =
      fails.length > 0
        ? up !== undefined
          ? up > 0
            ? "degraded"
            : "down"
          : fails.some((f) => f.severity === "critical")
            ? "down"
            : "degraded"
        : mine.some((f) => f.status === "unknown" || f.status === "error")
          ? "unknown"
          : "healthy";
    const summary: LoadBalancerSummary = {
      id: lb.id,
      name: lb.name,
      sku: lb.sku,
      kind: lb.kind,
      frontends: lb.frontends,
      status,
      failed: fails.length,
    };
    if (lb.members) summary.members = { ...lb.members };
    if (mine.length < all.length) summary.suppressed = all.length - mine.length;
    return summary;
  });
  const snapshot: Report["snapshot"] = { collectedAt: model.snapshot.collectedAt };
  if (args.source) snapshot.source = args.source;
  const summary: Report["summary"] = { byStatus, failedBySeverity, failing, rulesRun: args.rulesRun, suppressed };
  if (args.baseline) summary.baseline = args.baseline;
  const report: Report = {
    schema: REPORT_SCHEMA,
    tool: { name: "lbdoctor", version: args.version },
    provider: model.provider,
    snapshot,
    scope: model.snapshot.scope,
    failOn,
    summary,
    rules: ruleSummaries(args.rules, args.findings),
    loadBalancers: lbs,
    findings,
    ...(summarize
      ? {
          passed: summarizeStatus(args.findings, "pass", args.counted),
          notApplicable: summarizeStatus(args.findings, "not-applicable", args.counted),
        }
      : {}),
    // `affects` is the engine's (resource keys, possibly many); the report keeps what the gap is and which data it covers
    gaps: model.gaps.map(({ affects: _a, ...g }) => g),
  };
  if (args.suppressions) report.suppressions = args.suppressions;
  if (model.time) report.timeline = buildTimeline(model.time, args.findings, new Set(args.loadBalancers.map((lb) => lb.key)));
  return report;
}

/**
 * The findings of each rule with this status, counted, with their resources (each once); rules in id order. `counted`:
 * results the engine counted instead of making findings of them (a rule's results are all in one or the other).
 */
export function summarizeStatus(findings: Finding[], status: "pass" | "not-applicable", counted: CountedResults[] = []): PassSummary[] {
  const byRule = new Map<string, { summary: PassSummary; seen: Set<string> }>();
  const add = (ruleId: string, resourceId: string) => {
    let entry = byRule.get(ruleId);
    if (!entry) byRule.set(ruleId, (entry = { summary: { ruleId, count: 0, resourceIds: [] }, seen: new Set() }));
    entry.summary.count++;
    if (resourceId !== "" && !entry.seen.has(resourceId)) {
      entry.seen.add(resourceId);
      entry.summary.resourceIds.push(resourceId);
    }
  };
  for (const f of findings) if (f.status === status) add(f.ruleId, f.resourceId);
  for (const c of counted) for (let i = 0; i < c.status.length; i++) if (c.status[i] === status) add(c.ruleId, c.resourceId[i] as string);
  return [...byRule.values()].map((e) => e.summary).sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
}

type RuleInput = Pick<RuleMeta, "id" | "provider" | "title" | "severity"> & Partial<Pick<RuleMeta, "description" | "remediation">>;

function ruleSummaries(rules: RuleInput[] | undefined, findings: Finding[]): RuleSummary[] {
  const list: RuleInput[] =
    rules ??
    [...new Map(findings.map((f) => [f.ruleId, f])).values()]
      .map((f) => ({
        id: f.ruleId,
        provider: f.ruleId.startsWith("aws/") ? ("aws" as const) : ("azure" as const),
        title: f.title,
        severity: f.severity,
      }))
      .sort((a, b) => compareText(a.id, b.id));
  return list.map((r) => {
    const out: RuleSummary = { id: r.id, provider: r.provider, title: r.title, severity: r.severity, docsUrl: docsUrl(r.id) };
    if (r.description) out.description = r.description;
    if (r.remediation) out.remediation = r.remediation;
    return out;
  });
}

/**
 * The scope as words for a report's header: each string field, and each list of strings (regions, accounts of a
 * snapshot over several), the first few and a count of the rest. Objects (per-partition detail) are left to the JSON.
 */
export function scopeFields(scope: Record<string, unknown>, shown = 6): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(scope)) {
    if (typeof v === "string") out.push([k, v]);
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")) {
      const more = v.length > shown ? ` (+${v.length - shown} more)` : "";
      out.push([k, `${v.slice(0, shown).join(", ")}${more}`]);
    }
  }
  return out;
}

/**
 * The report's gaps as the text outputs list them: gaps the provider made of one snapshot gap (an AWS gap of one
 * account and region, made one per load balancer there) share its `pointer`, operation and message, and are one line
 * naming the resources they concern (`on`); every other gap is a line of its own.
 */
export function gapLines(gaps: Report["gaps"]): Array<{ gap: Report["gaps"][number]; on: string[] }> {
  const out: Array<{ gap: Report["gaps"][number]; on: string[] }> = [];
  for (const g of gaps) {
    const last = out[out.length - 1];
    const name = g.resourceName ?? g.resourceId ?? "";
    if (
      last &&
      g.pointer !== undefined &&
      last.gap.pointer === g.pointer &&
      last.gap.operation === g.operation &&
      last.gap.message === g.message &&
      last.on.length > 0
    ) {
      if (name) last.on.push(name);
      continue;
    }
    out.push({ gap: g, on: name && g.pointer !== undefined ? [name] : [] });
  }
  // a gap alone keeps its line as it was
  for (const l of out) if (l.on.length === 1) l.on = [];
  return out;
}

/** " (on 3 resources: a, b, c)" for a line of several gaps (gapLines), else "": at most five names. */
export function onText(on: string[], quote: (s: string) => string): string {
  if (on.length === 0) return "";
  const names = on.slice(0, 5).map(quote).join(", ");
  return ` (on ${plural(on.length, "resource")}: ${names}${on.length > 5 ? `, and ${on.length - 5} more` : ""})`;
}

/** How many unknown findings of one collection gap, alike but for their rule, the text outputs show as one entry. */
export const ALIKE_GAP_UNKNOWNS = 3;

/**
 * Findings as the text outputs list them: each one alone, except unknown findings that a collection gap made
 * (`collection-gap`) on the same resource with the same words and the same gap evidence, which differ only in
 * their rule (and with the same baseline mark, if any): from `ALIKE_GAP_UNKNOWNS` of them on, one entry (`alike`: all
 * of them, in report order) stands where the first one was. A partial view of a subscription turns every rule unknown
 * with one reason, and 32 copies of it would bury the failures. Findings with a fix, a relation, a basis or a
 * suppression stay alone.
 * Every finding is in exactly one entry; the JSON, SARIF and JUnit reports keep each finding whole.
 */
export function alikeGapUnknowns(findings: Finding[], min = ALIKE_GAP_UNKNOWNS): Finding[][] {
  const entries: Finding[][] = [];
  const byKey = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = gapUnknownKey(f);
    if (key === undefined) {
      entries.push([f]);
      continue;
    }
    const same = byKey.get(key);
    if (same) same.push(f);
    else {
      const entry = [f];
      byKey.set(key, entry);
      entries.push(entry);
    }
  }
  // an entry of too few stays as its findings, each where it was (report order is kept among the rest)
  const out: Finding[][] = [];
  for (const e of entries) {
    if (e.length === 1 || e.length >= min) out.push(e);
    else for (const f of e) out.push([f]);
  }
  if (out.length === entries.length) return out;
  // re-place the split findings at their own positions
  const at = new Map(findings.map((f, i) => [f, i]));
  return out.sort((a, b) => (at.get(a[0] as Finding) as number) - (at.get(b[0] as Finding) as number));
}

/** What makes gap-unknown findings alike (alikeGapUnknowns), or undefined for a finding shown alone. */
function gapUnknownKey(f: Finding): string | undefined {
  if (f.status !== "unknown" || f.messageId !== GAP_MESSAGE_ID) return undefined;
  if (f.remediation || f.relatedTo.length > 0 || f.basis || f.suppression) return undefined;
  if (f.evidence.length === 0 || f.evidence.some((e) => e.label !== "collection gap")) return undefined;
  // a baseline's mark (new, existing) is shared by the findings of one entry, which shows it
  return JSON.stringify([
    idKey(f.resourceId),
    f.resourceName,
    f.message,
    f.baseline ?? "",
    f.evidence.map((e) => [e.pointer, e.resourceId]),
  ]);
}
