/** The report: what every formatter renders. Pure data, `lbdoctor.report/v1`. */
import { idKey } from "../azure/arm-id.ts";
import { orderFindings } from "../engine/run.ts";
import {
  type Finding,
  type Model,
  type ModelGap,
  SEVERITIES,
  type Severity,
  STATUSES,
  type Status,
  severityRank,
} from "../engine/types.ts";
import type { LoadBalancerInfo } from "../providers/types.ts";

export const REPORT_SCHEMA = "lbdoctor.report/v1";

export interface LoadBalancerSummary {
  id: string;
  name: string;
  sku: string;
  kind: "public" | "internal";
  frontends: string[];
  /** healthy: nothing failed; degraded: failures below critical; down: a critical failure; unknown: undecided findings only */
  status: "healthy" | "degraded" | "down" | "unknown";
  failed: number;
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
    /** failing findings at or above failOn */
    failing: number;
    rulesRun: number;
  };
  loadBalancers: LoadBalancerSummary[];
  findings: Finding[];
  gaps: ModelGap[];
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
}): Report {
  const { model, failOn } = args;
  const findings = orderFindings(args.findings);
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const failedBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) {
    byStatus[f.status]++;
    if (f.status === "fail") failedBySeverity[f.severity]++;
  }
  const failing = findings.filter((f) => f.status === "fail" && atOrAbove(f.severity, failOn)).length;
  const lbs = args.loadBalancers.map((lb): LoadBalancerSummary => {
    const mine = findings.filter((f) => f.loadBalancerId && idKey(f.loadBalancerId) === lb.key);
    const fails = mine.filter((f) => f.status === "fail");
    const status = fails.some((f) => f.severity === "critical")
      ? "down"
      : fails.length > 0
        ? "degraded"
        : mine.some((f) => f.status === "unknown" || f.status === "error")
          ? "unknown"
          : "healthy";
    return { id: lb.id, name: lb.name, sku: lb.sku, kind: lb.kind, frontends: lb.frontends, status, failed: fails.length };
  });
  const snapshot: Report["snapshot"] = { collectedAt: model.snapshot.collectedAt };
  if (args.source) snapshot.source = args.source;
  return {
    schema: REPORT_SCHEMA,
    tool: { name: "lbdoctor", version: args.version },
    provider: model.provider,
    snapshot,
    scope: model.snapshot.scope,
    failOn,
    summary: { byStatus, failedBySeverity, failing, rulesRun: args.rulesRun },
    loadBalancers: lbs,
    findings,
    gaps: model.gaps,
  };
}
