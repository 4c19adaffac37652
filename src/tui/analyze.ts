/**
 * From a snapshot to what the screens show: the provider adapter builds the
 * model, the engine runs the rules (its events feed the collection screen),
 * the report orders the findings, and the provider's inspector (Azure for
 * now) adds the load-balancer and trace views. No Ink here.
 */
import { idKey } from "../azure/arm-id.ts";
import type { AzureModel } from "../azure/model.ts";
import { type EngineEvent, runRules } from "../engine/run.ts";
import { type Model, SEVERITIES, type Severity } from "../engine/types.ts";
import { InputError } from "../errors.ts";
import { providerFor } from "../providers/index.ts";
import { buildReport } from "../report/report.ts";
import { sanitize } from "../report/sanitize.ts";
import type { Snapshot } from "../snapshot/types.ts";
import { toolVersion } from "../version.ts";
import { createAzureInspector } from "./azure-inspect.ts";
import type { Inspector, LbEntry, TuiData } from "./types.ts";

export interface AnalyzeOptions {
  /** a resource group (region) or load balancer name that narrows the view, as in `check` */
  target?: string;
  source: string;
  live: boolean;
  onEvent?: (e: EngineEvent) => void;
}

/** The provider-specific views, when this version has them for the provider. */
export function inspectorFor(model: Model): { inspector?: Inspector; note?: string } {
  if (model.provider === "azure") return { inspector: createAzureInspector(model as AzureModel) };
  return {
    note: `The load-balancer and trace views are Azure-only for now; for ${model.provider.toUpperCase()}, the overview and the findings are here.`,
  };
}

export async function analyze(snapshot: Snapshot, opts: AnalyzeOptions): Promise<TuiData> {
  const provider = await providerFor(snapshot.provider);
  const model = provider.buildModel(snapshot, { from: [] });
  const allLbs = provider.loadBalancers(model);
  const { rules: catalog } = await import("../../rules/index.ts");
  const rules = catalog.filter((r) => r.provider === snapshot.provider);

  let lbs = allLbs;
  let group: string | undefined;
  const target = opts.target;
  if (target) {
    const t = target.toLowerCase();
    const byName = allLbs.filter((lb) => lb.name.toLowerCase() === t || lb.key === idKey(target) || lb.id === target);
    const byGroup = allLbs.filter((lb) => lb.group?.toLowerCase() === t);
    if (byName.length > 0) lbs = byName;
    else if (byGroup.length > 0 || provider.scopeGroup(snapshot)?.toLowerCase() === t) {
      lbs = byGroup;
      group = target;
    } else {
      const groups = [...new Set(allLbs.map((lb) => lb.group).filter(Boolean))].join(", ");
      throw new InputError(
        `'${target}' is neither a ${snapshot.provider === "azure" ? "resource group" : "region"} nor a load balancer in ${opts.source}`,
        `Groups with load balancers: ${groups || "(none)"}; load balancers: ${allLbs.map((lb) => lb.name).join(", ") || "(none)"}.`,
      );
    }
  }

  let findings = runRules(model, rules, opts.onEvent ? { onEvent: opts.onEvent } : {});
  if (target) {
    const keys = new Set(lbs.map((lb) => lb.key));
    findings = findings.filter((f) => {
      if (f.loadBalancerId) return keys.has(idKey(f.loadBalancerId));
      if (!f.resourceId) return true;
      return group !== undefined && provider.inGroup(f, group);
    });
  }
  const report = buildReport({
    model,
    loadBalancers: lbs,
    findings,
    failOn: "high",
    version: toolVersion(),
    rulesRun: rules.length,
    source: opts.source,
  });

  const entries: LbEntry[] = report.loadBalancers.map((lb, i) => {
    const failedBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const f of report.findings) {
      if (f.status === "fail" && f.loadBalancerId && idKey(f.loadBalancerId) === lbs[i]?.key) failedBySeverity[f.severity]++;
    }
    return { ...lb, key: lbs[i]?.key ?? idKey(lb.id), failedBySeverity };
  });
  const scope = Object.values(snapshot.scope)
    .filter((v): v is string => typeof v === "string")
    .map(sanitize);
  const { inspector, note } = inspectorFor(model);
  const data: TuiData = {
    provider: snapshot.provider,
    source: sanitize(opts.source),
    live: opts.live,
    scope: scope[scope.length - 1] ?? "",
    collectedAt: snapshot.collectedAt,
    report,
    lbs: entries,
    findings: report.findings,
    gaps: report.gaps,
  };
  if (inspector) data.inspector = inspector;
  if (note) data.inspectorNote = note;
  return data;
}
