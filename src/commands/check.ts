import { ALL_RULE_IDS, rulesFor } from "../../rules/registry.ts";
import type { LbdoctorConfig } from "../core/config/config.ts";
import { findConfig, resolveNow } from "../core/config/find.ts";
import type { SuppressionStatus } from "../core/config/suppress.ts";
import { diagnose } from "../core/diagnose.ts";
import type { Severity } from "../core/engine/types.ts";
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { type BaselineSummary, loadBaseline, markBaseline } from "../core/report/baseline.ts";
import { loadStreamFormatter } from "../core/report/formats.ts";
import { buildReport, passContract, type Report } from "../core/report/report.ts";
import { sanitize } from "../core/report/sanitize.ts";
import { sh } from "../core/util/shell.ts";
import { toolVersion } from "../core/version.ts";
import { providerFor } from "../providers/index.ts";
import { acquireSnapshot, type LiveOptions } from "./acquire.ts";
import {
  colorEnabled as colorWanted,
  type OutputTarget,
  type OutputText,
  prepareOutputs,
  refuseInputs,
  writeOutputsPaced,
} from "./output.ts";

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
  /** every pass in full, with its evidence; else passes are summarized per rule */
  includePassed?: boolean;
  color?: boolean;
}

/** Positional targets: one or several, each possibly comma-separated (names and ARNs hold no commas). */
export function splitTargets(target: string | string[] | undefined): string[] {
  const list = Array.isArray(target) ? target : target !== undefined ? [target] : [];
  return list
    .flatMap((t) => t.split(","))
    .map((t) => t.trim())
    .filter(Boolean);
}

export async function runCheck(target: string | string[] | undefined, opts: CheckOptions, io: IO): Promise<number> {
  const targets = splitTargets(target);
  const formats = opts.format && opts.format.length > 0 ? opts.format : ["text"];
  const outputs = opts.output ?? [];
  if (outputs.length > formats.length) {
    throw new InputError(`${outputs.length} --output files for ${formats.length} --format values; give one --format per --output`);
  }
  if (formats.length - outputs.length > 1) {
    throw new InputError("only one report can go to stdout; give an --output file for each extra --format");
  }
  // every output path is checked (and missing folders created) before anything is collected
  const outTargets: OutputTarget[] = prepareOutputs(outputs, formats.length > outputs.length);
  if (opts.snapshot) refuseInputs(outTargets, [opts.snapshot]);
  // AWS collects several load balancers at once; Azure collects one resource group (or load balancer) at a time
  if (!opts.snapshot && targets.length > 1 && (opts.provider ?? "azure") !== "aws") {
    throw new InputError(
      `live Azure collection takes one resource group or load balancer, not ${targets.length} (${targets.join(", ")})`,
      "Collect the resource group once, then narrow: `lbdoctor snapshot <rg> -o rg.json && lbdoctor check --snapshot rg.json lb-a lb-b`.",
    );
  }
  // the config, the clock and the baseline are read before anything is collected: a bad one stops the run early
  const now = resolveNow();
  const configPath = opts.config === false ? undefined : (opts.config ?? findConfig(process.cwd()));
  const config: LbdoctorConfig | undefined = configPath
    ? (await import("../core/config/config.ts")).loadConfigFile(
        configPath,
        ALL_RULE_IDS.map((id) => ({ id })),
      )
    : undefined;
  const baseline = opts.baseline ? loadBaseline(opts.baseline) : undefined;
  const failOn: Severity = opts.failOn ?? config?.failOn ?? "high";
  if (opts.rule && opts.rule.length > 0) {
    const known = new Set(ALL_RULE_IDS);
    const unknown = opts.rule.filter((r) => !known.has(r));
    if (unknown.length > 0) throw new InputError(`unknown rule ${unknown.map((u) => `'${u}'`).join(", ")}`, "`lbdoctor rules` lists them.");
  }

  // progress goes to stderr, except when a report goes to stdout (it is likely piped)
  const stdoutIndex = outTargets.findIndex((t) => t.kind === "stdout");
  const stdoutFormat = formats[stdoutIndex >= 0 ? stdoutIndex : outputs.length];
  const { snapshot, source } = await acquireSnapshot(
    targets.length > 0 ? targets.join(",") : undefined,
    opts,
    io,
    stdoutFormat === undefined || stdoutFormat === "text",
  );
  // evidence values are read from the snapshot: a file's secrets were stripped when it was loaded (loadSnapshotFile), a live one's by acquireSnapshot
  // only the snapshot's provider and its rules are loaded (rules/registry.ts, generated)
  const [adapter, catalog] = await Promise.all([providerFor(snapshot.provider), rulesFor(snapshot.provider)]);
  // an explicit --rule runs even a rule the config turns off
  const selected =
    opts.rule && opts.rule.length > 0
      ? catalog.filter((r) => opts.rule?.includes(r.id))
      : catalog.filter((r) => config?.rules[r.id]?.enabled !== false);
  const severity: Record<string, Severity> = {};
  for (const [id, setting] of Object.entries(config?.rules ?? {})) if (setting.severity) severity[id] = setting.severity;
  const passes = passContract(opts.includePassed);
  const {
    model,
    loadBalancers: lbs,
    rules,
    findings,
    counted,
    inScope,
    narrowedTo,
  } = diagnose({
    snapshot,
    adapter,
    rules: selected,
    context: { from: opts.from ?? [] },
    ...(targets.length > 0 ? { targets } : {}),
    source,
    severity,
    // passes are summarized in the report unless --include-passed: the engine only counts them
    passes: passes.engine,
  });

  let suppressions: SuppressionStatus[] | undefined;
  if (config) {
    const { applySuppressions } = await import("../core/config/suppress.ts");
    suppressions = applySuppressions(findings, config.suppressions, { now, tagsOf: adapter.tagsOf(snapshot) });
  }
  // a snapshot of one group diagnosed as that group: say which load balancers' own results are left out, and how to see them
  if (narrowedTo && (narrowedTo.leftOut.length > 0 || narrowedTo.failing > 0)) {
    const named = narrowedTo.leftOut
      .slice(0, 3)
      .map((lb) => `${sanitize(lb.name)}${lb.group ? ` (${sanitize(lb.group)})` : ""}`)
      .join(", ");
    const more = narrowedTo.leftOut.length > 3 ? ` and ${narrowedTo.leftOut.length - 3} more` : "";
    const what = [
      ...(named ? [`the results of ${named}${more} that do not concern it`] : []),
      ...(narrowedTo.failing > 0
        ? [
            `${narrowedTo.failing} failing or unknown result${narrowedTo.failing === 1 ? "" : "s"} about other ${adapter.groupNoun}s' resources`,
          ]
        : []),
    ].join(", and ");
    io.err(
      `lbdoctor: note: ${sanitize(source)} is a snapshot of ${adapter.groupNoun} ${sanitize(narrowedTo.group)}, diagnosed as \`lbdoctor check ${sh(narrowedTo.group)}\` was: ${what} are left out; name a load balancer or ${adapter.groupNoun} after --snapshot to see them\n`,
    );
  }
  // silent misses: a --from that names no machine, a suppression that matches no finding
  for (const entry of opts.from ?? []) {
    if (!adapter.fromNames(model, entry)) {
      io.err(
        `lbdoctor: warning: --from ${sanitize(JSON.stringify(entry))} names no ${adapter.machineNoun} in ${sanitize(source)}; it is ignored\n`,
      );
    }
  }
  // a suppression is stale only if its rule ran: with --rule, or a rule turned off, the others were not looked at
  const ranIds = rules.map((r) => r.id);
  const unmatched = (suppressions ?? []).filter((s) => s.matched === 0);
  const { compileGlob } = unmatched.length > 0 ? await import("../core/config/glob.ts") : { compileGlob: undefined };
  for (const s of unmatched) {
    const ruleOf = compileGlob?.(s.rule, { nocase: true });
    if (ruleOf && !ALL_RULE_IDS.some((id) => ruleOf(id))) {
      io.err(
        `lbdoctor: warning: the suppression at ${sanitize(s.source)} names rule ${sanitize(s.rule)}, which matches no rule; \`lbdoctor rules\` lists them\n`,
      );
    } else if (ruleOf && ranIds.some((id) => ruleOf(id))) {
      const what = [
        `rule ${s.rule}`,
        ...(s.resource ? [`resource ${s.resource}`] : []),
        ...(s.tag ? [`tag ${JSON.stringify(s.tag)}`] : []),
      ];
      io.err(
        `lbdoctor: warning: the suppression at ${sanitize(s.source)} (${sanitize(what.join(", "))}) matches no failing, unknown or error finding; remove it if it is stale\n`,
      );
    }
  }
  let baselineSummary: BaselineSummary | undefined;
  if (baseline) {
    // fixed: only what this run checked again (its rules, its scope)
    const ran = new Set(rules.map((r) => r.id));
    baselineSummary = markBaseline(findings, baseline, (f) => ran.has(f.ruleId) && (inScope?.(f) ?? true));
  }

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
    passes: passes.report,
    counted,
  });

  // each report is written as it is rendered (JSON, SARIF and JUnit in pieces): files to temporary files, renamed when all are complete
  const rendered: Array<{ target: OutputTarget; text: OutputText }> = [];
  for (let i = 0; i < formats.length; i++) {
    const target: OutputTarget = outTargets[i] ?? { kind: "stdout", path: "-" };
    const format = await loadStreamFormatter(formats[i] as string);
    const text = format(report, { color: target.kind === "stdout" ? colorWanted(opts.color) : false, verbose: opts.verbose === true });
    rendered.push({ target, text });
  }
  // stdout at the pace of its reader: a report piped to a slow reader is never held whole
  await writeOutputsPaced(rendered, (text) => io.out(text), io.pace ?? (() => undefined));
  return report.summary.failing > 0 ? 1 : 0;
}
