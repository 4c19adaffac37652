/**
 * From a snapshot to what the screens show: the provider adapter builds the
 * model, the engine runs the rules (its events feed the collection screen),
 * the report orders the findings, and the provider's inspector (Azure for
 * now) adds the load-balancer and trace views. No Ink here.
 */
import { diagnose } from "../core/diagnose.ts";
import type { EngineEvent } from "../core/engine/run.ts";
import { type Model, SEVERITIES, type Severity } from "../core/engine/types.ts";
import { everyResult } from "../core/every-result.ts";
import type { ProviderAdapter } from "../core/provider.ts";
import { buildReport } from "../core/report/report.ts";
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
}

/** The provider-specific views, when the provider's adapter has them. */
export function inspectorFor(adapter: ProviderAdapter<Model>, model: Model): { inspector?: Inspector; note?: string } {
  if (adapter.inspector) return { inspector: adapter.inspector(model) };
  return {
    note: `The load-balancer and trace views are not available for ${model.provider.toUpperCase()} yet; the overview and the findings are here.`,
  };
}

export async function analyze(snapshot: Snapshot, opts: AnalyzeOptions): Promise<TuiData> {
  const adapter = await providerFor(snapshot.provider);
  const { rules: catalog } = await import("../../rules/index.ts");
  // passes and not-applicable results are only counted (ten results in eleven on a large scope): the screens list
  // them, light, when every result is asked for (`a`), and a screen that opens one makes it whole (every-result.ts)
  const diagnosis = diagnose({
    snapshot,
    adapter,
    rules: catalog,
    ...(opts.target ? { target: opts.target } : {}),
    source: opts.source,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    passes: "count",
  });
  const { model, loadBalancers: lbs, rules, findings, counted } = diagnosis;
  const report = buildReport({
    model,
    loadBalancers: lbs,
    findings,
    counted,
    passes: "summary",
    failOn: "high",
    version: toolVersion(),
    rulesRun: rules.length,
    source: opts.source,
  });
  const every = everyResult(diagnosis, adapter);

  // one pass over the findings (not one per load balancer: 500 × 240,000 at 20,000 NICs)
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
  const entries: LbEntry[] = report.loadBalancers.map((lb, i) => {
    const key = lbs[i]?.key ?? idKey(lb.id);
    return { ...lb, key, failedBySeverity: failed.get(key) ?? zero() };
  });
  const scope = Object.values(snapshot.scope)
    .filter((v): v is string => typeof v === "string")
    .map(sanitize);
  const { inspector, note } = inspectorFor(adapter, model);
  const data: TuiData = {
    provider: snapshot.provider,
    source: sanitize(opts.source),
    live: opts.live,
    scope: scope[scope.length - 1] ?? "",
    collectedAt: snapshot.collectedAt,
    report,
    lbs: entries,
    findings: report.findings,
    allFindings: every.list,
    complete: every.complete,
    gaps: report.gaps,
  };
  if (model.time) {
    const keys = new Set(entries.map((e) => e.key));
    const t = model.time;
    data.time = {
      ...t,
      series: t.series.filter((s) => keys.has(idKey(s.loadBalancerId))),
      spikes: t.spikes.filter((s) => keys.has(idKey(s.loadBalancerId))),
    };
  }
  if (inspector) data.inspector = inspector;
  if (note) data.inspectorNote = note;
  return data;
}
