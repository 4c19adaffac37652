/**
 * What the TUI's screens show, as plain data. The session builds it from the
 * report (any provider) and from a provider inspector (the load-balancer and
 * trace views: Azure and AWS). Components take these as props.
 */
import type { Finding, Severity } from "../core/engine/types.ts";
import type { LoadBalancerSummary, Report } from "../core/report/report.ts";
import type { Gap } from "../core/snapshot/types.ts";
import type { TimeData } from "../core/timeline/types.ts";

export type {
  FlowChoice,
  FrontendBlock,
  Inspector,
  LbDetail,
  MemberRow,
  RuleBlock,
  TraceLayer,
  TraceResult,
  Verdict,
  VerdictCell,
} from "../core/inspect.ts";

import type { Inspector } from "../core/inspect.ts";

export interface LbEntry extends Omit<LoadBalancerSummary, "status"> {
  /** the report's status, or "checking" while the rules run */
  status: LoadBalancerSummary["status"] | "checking";
  key: string;
  failedBySeverity: Record<Severity, number>;
}

/** Everything the screens read after a collection. */
export interface TuiData {
  provider: "azure" | "aws";
  /** "snapshot fixtures/azure/demo.json" or "live: subscription …, resource group …" */
  source: string;
  live: boolean;
  scope: string;
  collectedAt: string;
  report: Report;
  lbs: LbEntry[];
  /** the fail, unknown and error findings, root causes first (the report's order) */
  findings: Finding[];
  /**
   * every result, passes and not-applicable ones too, in the report's order (made on the first call); the passes are
   * light (no message, no evidence: see `complete`). Absent: `findings` holds every result.
   */
  allFindings?: () => Finding[];
  /** a light pass or not-applicable finding whole (its rule runs again); any other finding as it is */
  complete?: (f: Finding) => Finding;
  gaps: Gap[];
  /** the rules are running (how many there are): no finding yet, and no load balancer's status */
  checking?: { rules: number };
  inspector?: Inspector;
  /** the window's time data, narrowed to these load balancers (the timeline view) */
  time?: TimeData;
  /** why there is no inspector (a provider without one) */
  inspectorNote?: string;
}
