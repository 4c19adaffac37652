/**
 * From a snapshot to what the screens show: the provider adapter builds the
 * model, the engine runs the rules (its events feed the progress), the report
 * orders the findings, and the provider's inspector adds the load-balancer and
 * trace views. The load balancers and their members are on screen once the
 * model is built; the findings follow once the rules ran. No Ink here.
 */
import { diagnoseSteps } from "../core/diagnose.ts";
import type { CountedResults, EngineEvent } from "../core/engine/run.ts";
import { type Finding, type Model, SEVERITIES, type Severity } from "../core/engine/types.ts";
import { everyResult } from "../core/every-result.ts";
import type { LoadBalancerInfo, ProviderAdapter } from "../core/provider.ts";
import { buildReport, type Report } from "../core/report/report.ts";
import { sanitize } from "../core/report/sanitize.ts";
import type { Snapshot } from "../core/snapshot/types.ts";
import { idKey } from "../core/util/resource-id.ts";
import { toolVersion } from "../core/version.ts";
import { providerFor } from "../providers/index.ts";
import type { Inspector, LbEntry, TuiData } from "./types.ts";

export interface AnalyzeOptions {
  /** a resource group (region) or load balancer name that narrows the view, as in `check` */
  target?: string;
  source: string;
  live: boolean;
  onEvent?: (e: EngineEvent) => void;
  /** stops the rules between two of them (the session was stopped): `done` rejects */
  signal?: AbortSignal;
}

/** The provider-specific views, when the provider's adapter has them. */
export function inspectorFor(adapter: ProviderAdapter<Model>, model: Model): { inspector?: Inspector; note?: string } {
  if (adapter.inspector) return { inspector: adapter.inspector(model) };
  return {
    note: `The load-balancer and trace views are not available for ${model.provider.toUpperCase()} yet; the overview and the findings are here.`,
  };
}

/** What the screens can show as soon as the model is built, and the whole data once every rule ran. */
export interface Analysis {
  /** the load balancers, their members and the views, before any rule ran: `checking` is set and there is no finding yet */
  first: TuiData;
  /** every rule run; between rules the event loop turns, so that the screens draw and keys work */
  done: Promise<TuiData>;
}

/** Waits for the event loop to turn once (timers, input, a frame). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function analyze(snapshot: Snapshot, opts: AnalyzeOptions): Promise<TuiData> {
  return (await analyzeInSteps(snapshot, opts)).done;
}

/**
 * The diagnosis in steps (`diagnoseSteps`): resolves with the first data once the model is built and narrowed (a
 * target that names nothing rejects here), and runs the rules after it, one at a time.
 */
export async function analyzeInSteps(snapshot: Snapshot, opts: AnalyzeOptions): Promise<Analysis> {
  const adapter = await providerFor(snapshot.provider);
  const { rules: catalog } = await import("../../rules/index.ts");
  // passes and not-applicable results are only counted (ten results in eleven on a large scope): the screens list
  // them, light, when every result is asked for (`a`), and a screen that opens one makes it whole (every-result.ts)
  const steps = diagnoseSteps({
    snapshot,
    adapter,
    rules: catalog,
    ...(opts.target ? { target: opts.target } : {}),
    source: opts.source,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    passes: "count",
  });
  const step = steps.next();
  if (step.done || step.value.kind !== "model") throw new Error("the diagnosis gave no model");
  const { model, loadBalancers: lbs, rules } = step.value;
  const scope = Object.values(snapshot.scope)
    .filter((v): v is string => typeof v === "string")
    .map(sanitize);
  const { inspector, note } = inspectorFor(adapter, model);
  // the scope's load balancers; once the rules ran, also those outside it that a kept result names (diagnose)
  const dataOf = (report: Report, findings: Finding[], checking: boolean, shown: LoadBalancerInfo[] = lbs): TuiData => {
    const data: TuiData = {
      provider: snapshot.provider,
      source: sanitize(opts.source),
      live: opts.live,
      scope: scope[scope.length - 1] ?? "",
      collectedAt: snapshot.collectedAt,
      report,
      lbs: entriesOf(report, shown, checking),
      findings,
      gaps: report.gaps,
    };
    if (checking) data.checking = { rules: rules.length };
    if (inspector) data.inspector = inspector;
    if (note) data.inspectorNote = note;
    return data;
  };
  const reportOf = (findings: Finding[], counted: CountedResults[], shown: LoadBalancerInfo[] = lbs) =>
    buildReport({
      model,
      loadBalancers: shown,
      findings,
      counted,
      passes: "summary",
      failOn: "high",
      version: toolVersion(),
      rulesRun: rules.length,
      rules,
      source: opts.source,
    });
  const first = dataOf(reportOf([], []), [], true);
  const done = (async () => {
    // the first rule after the first data is out: a screen draws it first
    let next: ReturnType<typeof steps.next>;
    do {
      await turn();
      opts.signal?.throwIfAborted();
      next = steps.next();
    } while (!next.done);
    const diagnosis = next.value;
    const report = reportOf(diagnosis.findings, diagnosis.counted, diagnosis.loadBalancers);
    const every = everyResult(diagnosis, adapter);
    const data = dataOf(report, report.findings, false, diagnosis.loadBalancers);
    data.allFindings = every.list;
    data.complete = every.complete;
    // the time data once the rules ran: diagnose completes its revert commands (the scope's subscription) at the end
    if (model.time) {
      const keys = new Set(data.lbs.map((e) => e.key));
      const t = model.time;
      data.time = {
        ...t,
        series: t.series.filter((s) => keys.has(idKey(s.loadBalancerId))),
        spikes: t.spikes.filter((s) => keys.has(idKey(s.loadBalancerId))),
        ...(t.unobserved ? { unobserved: t.unobserved.filter((u) => keys.has(idKey(u.series.loadBalancerId))) } : {}),
      };
    }
    return data;
  })();
  // a rejection is the caller's, through `done`; never unhandled while the first data is on screen
  done.catch(() => {});
  return { first, done };
}

/** The load balancers with their failures by severity: one pass over the findings (not one per load balancer: 500 × 240,000 at 20,000 NICs). */
function entriesOf(report: Report, lbs: LoadBalancerInfo[], checking: boolean): LbEntry[] {
  const failed = new Map<string, Record<Severity, number>>();
  const zero = () => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const keyOf = new Map<string, string>();
  for (const f of report.findings) {
    if (f.status !== "fail" || !f.loadBalancerId) continue;
    let k = keyOf.get(f.loadBalancerId);
    if (k === undefined) keyOf.set(f.loadBalancerId, (k = idKey(f.loadBalancerId)));
    let c = failed.get(k);
    if (!c) failed.set(k, (c = zero()));
    c[f.severity]++;
  }
  return report.loadBalancers.map((lb, i) => {
    const key = lbs[i]?.key ?? idKey(lb.id);
    return { ...lb, ...(checking ? { status: "checking" as const } : {}), key, failedBySeverity: failed.get(key) ?? zero() };
  });
}
