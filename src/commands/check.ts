import { idKey } from "../azure/arm-id.ts";
import type { LbdoctorConfig } from "../config/config.ts";
import { findConfig, resolveNow } from "../config/find.ts";
import type { SuppressionStatus } from "../config/suppress.ts";
import { runRules } from "../engine/run.ts";
import type { Severity } from "../engine/types.ts";
import { InputError } from "../errors.ts";
import { providerFor } from "../providers/index.ts";
import { type BaselineSummary, loadBaseline, markBaseline } from "../report/baseline.ts";
import { loadFormatter } from "../report/formats.ts";
import { buildReport, type Report } from "../report/report.ts";
import { stripSecrets } from "../util/secrets.ts";
import { toolVersion } from "../version.ts";
import { acquireSnapshot, type LiveOptions } from "./acquire.ts";
import { colorEnabled as colorWanted, writeAtomic } from "./output.ts";

export interface CheckOptions extends LiveOptions {
  snapshot?: string;
  format?: string[];
  output?: string[];
  /** the flag; else the config's failOn; else high */
  failOn?: Severity;
  /** a config file; false (--no-config) ignores .lbdoctor.yaml in the working directory */
  config?: string | false;
  /** a previous JSON report */
  baseline?: string;
  rule?: string[];
  from?: string[];
  verbose?: boolean;
  color?: boolean;
}

type IO = { out: (s: string) => void; err: (s: string) => void };

export async function runCheck(target: string | undefined, opts: CheckOptions, io: IO): Promise<number> {
  const formats = opts.format && opts.format.length > 0 ? opts.format : ["text"];
  const outputs = opts.output ?? [];
  if (outputs.length > formats.length) {
    throw new InputError(`${outputs.length} --output files for ${formats.length} --format values; give one --format per --output`);
  }
  if (formats.length - outputs.length > 1) {
    throw new InputError("only one report can go to stdout; give an --output file for each extra --format");
  }
  // the config, the clock and the baseline are read before anything is collected: a bad one stops the run early
  const { rules: catalog } = await import("../../rules/index.ts");
  const now = resolveNow();
  const configPath = opts.config === false ? undefined : (opts.config ?? findConfig(process.cwd()));
  const config: LbdoctorConfig | undefined = configPath
    ? (await import("../config/config.ts")).loadConfigFile(configPath, catalog)
    : undefined;
  const baseline = opts.baseline ? loadBaseline(opts.baseline) : undefined;
  const failOn: Severity = opts.failOn ?? config?.failOn ?? "high";

  // progress goes to stderr, except when a report goes to stdout (it is likely piped)
  const stdoutFormat = formats[outputs.length];
  const { snapshot, source, live } = await acquireSnapshot(target, opts, io, stdoutFormat === undefined || stdoutFormat === "text");
  // evidence values are read from the snapshot: a file may hold secrets the collectors would have removed
  if (!live) stripSecrets(snapshot);
  const provider = await providerFor(snapshot.provider);
  const model = provider.buildModel(snapshot, { from: opts.from ?? [] });
  const allLbs = provider.loadBalancers(model);

  let rules = catalog.filter((r) => r.provider === snapshot.provider && config?.rules[r.id]?.enabled !== false);
  if (opts.rule && opts.rule.length > 0) {
    const known = new Set(catalog.map((r) => r.id));
    const unknown = opts.rule.filter((r) => !known.has(r));
    if (unknown.length > 0) throw new InputError(`unknown rule ${unknown.map((u) => `'${u}'`).join(", ")}`, "`lbdoctor rules` lists them.");
    // an explicit --rule runs even a rule the config turns off
    rules = catalog.filter((r) => r.provider === snapshot.provider && opts.rule?.includes(r.id));
  }

  // the positional target narrows the scope to a group (resource group, region) or one load balancer
  let lbs = allLbs;
  let group: string | undefined;
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
        `'${target}' is neither a ${snapshot.provider === "azure" ? "resource group" : "region"} nor a load balancer in ${source}`,
        `Groups with load balancers: ${groups || "(none)"}; load balancers: ${allLbs.map((lb) => lb.name).join(", ") || "(none)"}.`,
      );
    }
  }

  const severity: Record<string, Severity> = {};
  for (const [id, setting] of Object.entries(config?.rules ?? {})) if (setting.severity) severity[id] = setting.severity;
  let findings = runRules(model, rules, { severity });
  if (target) {
    const keys = new Set(lbs.map((lb) => lb.key));
    findings = findings.filter((f) => {
      if (f.loadBalancerId) return keys.has(idKey(f.loadBalancerId));
      if (!f.resourceId) return true;
      return group !== undefined && provider.inGroup(f, group);
    });
  }

  let suppressions: SuppressionStatus[] | undefined;
  if (config) {
    const { applySuppressions, tagLookup } = await import("../config/suppress.ts");
    suppressions = applySuppressions(findings, config.suppressions, { now, tagsOf: tagLookup(snapshot) });
  }
  let baselineSummary: BaselineSummary | undefined;
  if (baseline) baselineSummary = markBaseline(findings, baseline);

  const report: Report = buildReport({
    model,
    loadBalancers: lbs,
    findings,
    failOn,
    version: toolVersion(),
    rulesRun: rules.length,
    source,
    rules: rules.map((r) => ({ ...r, severity: severity[r.id] ?? r.severity })),
    ...(suppressions ? { suppressions } : {}),
    ...(baselineSummary ? { baseline: baselineSummary } : {}),
  });

  // render everything before writing anything
  const rendered: Array<{ path?: string; text: string }> = [];
  for (let i = 0; i < formats.length; i++) {
    const path = outputs[i];
    const format = await loadFormatter(formats[i] as string);
    const text = format(report, { color: path ? false : colorWanted(opts.color), verbose: opts.verbose === true });
    rendered.push(path ? { path, text } : { text });
  }
  for (const r of rendered) {
    if (r.path) writeAtomic(r.path, r.text);
    else io.out(r.text);
  }
  return report.summary.failing > 0 ? 1 : 0;
}
