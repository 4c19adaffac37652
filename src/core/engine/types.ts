import type { Gap, Snapshot } from "../snapshot/types.ts";
import type { TimeData } from "../timeline/types.ts";

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const STATUSES = ["fail", "pass", "unknown", "not-applicable", "error"] as const;
export type Status = (typeof STATUSES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

/** Where a finding's claim comes from: a resource, the JSON Pointer into the snapshot, and the value found there. */
export interface Evidence {
  resourceId: string;
  pointer: string;
  value?: unknown;
  /** a short human label, e.g. "blocking rule" */
  label?: string;
}

export interface Remediation {
  summary: string;
  commands: string[];
}

export interface Related {
  findingId: string;
  ruleId: string;
  relation: "caused-by" | "explains";
}

/**
 * What a verdict rests on, when a rule weighed a configuration-derived inference against what the platform
 * observed (rule health, effective NSGs, target health). Observations outrank inference: when the two disagree
 * the observation decides the status, and the finding names the contradiction, which is itself worth reading
 * (configuration in the snapshot gone stale, or traffic taking a path the configuration does not show).
 */
export interface Basis {
  /** what the configuration alone implies, e.g. "pool be-lb has no members: no backend can serve" */
  inferred: string;
  /** what the platform reported, e.g. "rule health: 1 Up (Up_Probe_Success)"; absent when nothing was observed */
  observed?: string;
  /** the observation contradicts the inference; the observation won */
  contradiction: boolean;
}

export interface Finding {
  /** stable: rule id + normalized resource id + key; no order or time in it */
  id: string;
  ruleId: string;
  status: Status;
  severity: Severity;
  resourceId: string;
  resourceName: string;
  /** the load balancer the finding belongs to, for grouping */
  loadBalancerId?: string;
  /** where the resource is, when the provider places it (AWS: its region and account; set by diagnose, see ProviderAdapter.locate) */
  region?: string;
  account?: string;
  title: string;
  messageId?: string;
  message: string;
  evidence: Evidence[];
  remediation?: Remediation;
  source: string;
  references: string[];
  relatedTo: Related[];
  /** what the finding is about, for linking causes to symptoms (normalized ids) */
  subjects: string[];
  /** distinguishes several findings of one rule on one resource */
  key?: string;
  /** inference vs observation, when the rule weighed both (see Basis) */
  basis?: Basis;
  /** set when a configured suppression matches (see src/config); an expired one no longer suppresses */
  suppression?: FindingSuppression;
  /** with --baseline: whether the baseline report already held this finding (same id, same status) */
  baseline?: "new" | "existing";
}

/** A suppression from `.lbdoctor.yaml` that matched a finding. */
export interface FindingSuppression {
  reason: string;
  /** where it is declared, `file:line` */
  source: string;
  /** as written in the config: a date (through the end of that day, UTC) or a timestamp */
  expires?: string;
  /** the suppression has expired: the finding counts again */
  expired?: boolean;
}

export interface ModelGap extends Gap {
  kind: "collection" | "dangling-reference";
  /** for a dangling reference: the resource that holds it */
  referencedFrom?: string;
  /** a collection gap: the data families (`reads` keys) it leaves incomplete, set by the provider's model */
  covers?: string[];
  /**
   * a collection gap scoped to one resource: the normalized ids of the resources whose findings it can change
   * (the resource and what holds it, e.g. a target group's load balancers); absent: every finding of a rule that reads the data
   */
  affects?: string[];
  /** the display name of the gap's resource, when the model knows it */
  resourceName?: string;
  /** where the gap is in the snapshot (`/gaps/3`), when it comes from there */
  pointer?: string;
}

/** What the user told lbdoctor on the command line, beyond the snapshot. */
export interface ModelContext {
  /** machines (names or ids) the user says call the load balancer's frontend (`--from`) */
  from: string[];
}

/** What every provider's model shares; rules see their provider's richer model. */
export interface Model {
  provider: "azure" | "aws";
  snapshot: Snapshot;
  context: ModelContext;
  gaps: ModelGap[];
  /** health series, spikes and changes over the snapshot's window (`observations.window`); absent without one */
  time?: TimeData;
}

export interface ReportInput {
  status: Exclude<Status, "error">;
  resourceId: string;
  resourceName?: string;
  loadBalancerId?: string;
  messageId: string;
  data?: Record<string, string | number | undefined>;
  evidence?: Array<Omit<Evidence, "value"> & { value?: unknown }>;
  remediation?: Remediation;
  severity?: Severity;
  key?: string;
  subjects?: string[];
  basis?: Basis;
}

export interface RuleContext<M extends Model = Model> {
  model: M;
  report(input: ReportInput): void;
  /**
   * `false`: this run only counts pass and not-applicable results (a summarizing `check`): of such a result the engine
   * reads only `status`, `resourceId`, `loadBalancerId`, `key` and `messageId`, so a rule may leave out its `data`,
   * `evidence`, `subjects`, `basis` and the work that builds them. Absent or `true`: report every result whole.
   * A rule that ignores it stays correct; failures and unknowns are always reported whole.
   */
  passDetail?: boolean;
}

/** A public document a rule encodes. */
export interface Citation {
  url: string;
  title: string;
}

export interface RuleMeta {
  id: string;
  provider: "azure" | "aws";
  severity: Severity;
  title: string;
  /** markdown: what goes wrong and why it matters */
  description: string;
  /** the public documents this rule encodes (URL and title); `source` is derived from them */
  citations: Citation[];
  /** the citations in one line, "Title <url>; …": what findings, SARIF and the docs show */
  source: string;
  references: string[];
  messages: Record<string, string>;
  /** general remediation advice; per-finding commands come with each report */
  remediation: string;
  /** rule ids whose failures this rule's failures explain (root cause → symptom) */
  explains?: string[];
  /**
   * the snapshot data the rule reads, as provider-scoped families (`DATA_KEYS` in reads.ts):
   * when a collection gap covers one of them, the rule's passes and not-applicable results become `unknown`
   */
  reads: string[];
  /**
   * also link when one of this rule's subjects is a resource in a symptom's
   * evidence (a change to an NSG explains the finding that cites that NSG),
   * not only when the two share a subject
   */
  explainsByEvidence?: boolean;
}

export interface Rule<M extends Model = Model> extends RuleMeta {
  check(ctx: RuleContext<M>): void;
}
