/**
 * The causes of an unhealthy or unused target, shared by the rules that
 * report them and by aws/targets-unhealthy, which names the cause in its own
 * finding. A rule never runs another rule: each cause check lives here (in
 * `causes/`), runs once per model, and both its own rule (`reportCause`) and
 * targets-unhealthy (`targetCauses`) read its results. The link between the
 * findings stays declared by `explains: ["aws/targets-unhealthy"]` on each
 * cause rule; a test checks that this list and those declarations agree.
 */
import { interpolate } from "../../core/engine/run.ts";
import type { Evidence, Remediation, ReportInput, RuleContext } from "../../core/engine/types.ts";
import { idKey } from "../../core/util/resource-id.ts";
import { healthCheckPathMismatchCause } from "./causes/health-check-path-mismatch.ts";
import { lbSgEgressBlocksTargetsCause } from "./causes/lb-sg-egress-blocks-targets.ts";
import { naclBlocksHealthCheckCause } from "./causes/nacl-blocks-health-check.ts";
import { targetAzNotEnabledCause } from "./causes/target-az-not-enabled.ts";
import { targetSgBlocksHealthCheckCause } from "./causes/target-sg-blocks-health-check.ts";
import { targetStoppedCause } from "./causes/target-stopped.ts";
import type { AwsModel } from "./model.ts";

/** A cause check: the messages and the check of the rule that reports it. */
export interface CauseCheck {
  ruleId: string;
  messages: Record<string, string>;
  check(ctx: RuleContext<AwsModel>): void;
}

/** Every cause a target's health reason can have (reasons.ts says which ones apply to which reason code). */
export const TARGET_HEALTH_CAUSES: readonly CauseCheck[] = [
  targetSgBlocksHealthCheckCause,
  naclBlocksHealthCheckCause,
  lbSgEgressBlocksTargetsCause,
  healthCheckPathMismatchCause,
  targetStoppedCause,
  targetAzNotEnabledCause,
];

type Outcome = { reports: ReportInput[] } | { error: unknown };

const memo = new WeakMap<AwsModel, Map<string, Outcome>>();

function outcome(model: AwsModel, cause: CauseCheck): Outcome {
  let byRule = memo.get(model);
  if (!byRule) memo.set(model, (byRule = new Map()));
  let out = byRule.get(cause.ruleId);
  if (!out) {
    const reports: ReportInput[] = [];
    try {
      cause.check({ model, report: (r) => reports.push(r) });
      out = { reports };
    } catch (error) {
      out = { error };
    }
    byRule.set(cause.ruleId, out);
  }
  return out;
}

/** The check of a cause rule: what the cause check found, reported as the rule's findings (a check that threw throws again). */
export function reportCause(ctx: RuleContext<AwsModel>, cause: CauseCheck): void {
  const out = outcome(ctx.model, cause);
  if ("error" in out) throw out.error;
  for (const r of out.reports) ctx.report(r);
}

/** A failing or undecided cause, as targets-unhealthy names it. */
export interface Cause {
  ruleId: string;
  status: "fail" | "unknown";
  message: string;
  evidence: Evidence[];
  remediation?: Remediation;
  /** the subjects (id keys) the cause is about */
  subjects: string[];
}

/** The failing and undecided causes, by subject (id key); a cause check that threw contributes nothing (its own rule reports the error). */
export function targetCauses(model: AwsModel): Map<string, Cause[]> {
  const index = new Map<string, Cause[]>();
  for (const cause of TARGET_HEALTH_CAUSES) {
    const out = outcome(model, cause);
    if ("error" in out) continue;
    for (const r of out.reports) {
      if (r.status !== "fail" && r.status !== "unknown") continue;
      const c: Cause = {
        ruleId: cause.ruleId,
        status: r.status,
        message: interpolate(cause.messages[r.messageId] ?? "", r.data),
        evidence: r.evidence ?? [],
        subjects: (r.subjects ?? [r.resourceId]).map(idKey),
      };
      if (r.remediation && r.status === "fail") c.remediation = r.remediation;
      for (const s of c.subjects) {
        let list = index.get(s);
        if (!list) index.set(s, (list = []));
        list.push(c);
      }
    }
  }
  return index;
}
