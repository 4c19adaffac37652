/**
 * `lbdoctor timeline [target]`: one merged, time-ordered account of the
 * window: health transitions per member, 5xx and SNAT spikes, changes with
 * who / what / before → after, and the likely cause marked. Live (time data
 * over --since, default 6h, or --window-from/--window-until) or from a
 * snapshot that holds time data. Text, JSON (the report, with `timeline`) or
 * Markdown.
 */

import { rulesFor } from "../../rules/registry.ts";
import { diagnose } from "../core/diagnose.ts";
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { loadFormatter } from "../core/report/formats.ts";
import { buildReport, passContract } from "../core/report/report.ts";
import { noWorkflowCommands, oneLine, sanitize } from "../core/report/sanitize.ts";
import { timelineLines } from "../core/timeline/analyze.ts";
import { toolVersion } from "../core/version.ts";
import { providerFor } from "../providers/index.ts";
import { acquireSnapshot, type LiveOptions } from "./acquire.ts";
import { prepareOutput, refuseInputs, writeOutputs } from "./output.ts";

export interface TimelineOptions extends LiveOptions {
  snapshot?: string;
  format?: "text" | "json" | "markdown";
  output?: string;
  /** carry every passing finding in full (the report's pass contract: see passContract) */
  includePassed?: boolean;
}

export async function runTimeline(target: string | undefined, opts: TimelineOptions, io: IO): Promise<number> {
  const format = opts.format ?? "text";
  // the output is checked before anything is collected, and never the snapshot being read
  const output = opts.output ? prepareOutput(opts.output) : undefined;
  if (output && opts.snapshot) refuseInputs([output], [opts.snapshot]);
  const { snapshot, source } = await acquireSnapshot(target, { ...opts, timeData: true }, io, format === "text" && !opts.output);
  // no secret reaches the timeline: a file's were stripped by loadSnapshotFile, a live collection's by acquireSnapshot
  const [adapter, catalog] = await Promise.all([providerFor(snapshot.provider), rulesFor(snapshot.provider)]);
  // passes as check writes them: a per-rule summary, or in full with --include-passed
  const passes = passContract(opts.includePassed);
  const { model, loadBalancers, rules, findings, counted } = diagnose({
    snapshot,
    adapter,
    rules: catalog,
    ...(target ? { target } : {}),
    source,
    passes: passes.engine,
  });
  if (!model.time) {
    throw new InputError(
      `${source} holds no time data (observations.window)`,
      "Collect it live with `lbdoctor timeline <target>` or `lbdoctor snapshot --since 6h <target> -o file.json`.",
    );
  }
  const report = buildReport({
    model,
    loadBalancers,
    findings,
    failOn: "high",
    version: toolVersion(),
    rulesRun: rules.length,
    source,
    // every rule that ran, as check lists them: with passes only counted, the findings name just the failing ones
    rules,
    passes: passes.report,
    counted,
  });
  let text: string;
  if (format === "json" || format === "markdown") text = (await loadFormatter(format))(report, { color: false, verbose: false });
  else {
    const lines = [
      `lbdoctor ${toolVersion()} · ${snapshot.provider} · ${source}`,
      "",
      ...timelineLines(report.timeline ?? { window: model.time.window, entries: [], members: [], missing: [] }),
    ];
    // the findings of the changes the timeline marks: one set aside for a rival the failing findings point at is not the likely cause
    const marked = new Map(
      (report.timeline?.entries ?? []).filter((e) => e.likelyCause).flatMap((e) => (e.findings ?? []).map((id) => [id, e] as const)),
    );
    const causes = report.findings.filter((f) => f.status === "fail" && f.key?.startsWith("change:") && marked.has(f.id));
    if (causes.length > 0) {
      lines.push("", "Likely cause:");
      for (const f of causes) {
        lines.push(`  ${f.message}`);
        const why = marked.get(f.id)?.why;
        if (why) lines.push(`    why: ${why}`);
        for (const c of f.remediation?.commands ?? []) lines.push(`    $ ${c}`);
        const explained = f.relatedTo.filter((r) => r.relation === "explains");
        if (explained.length > 0) lines.push(`    explains: ${[...new Set(explained.map((r) => r.ruleId))].join(", ")}`);
      }
    }
    // cloud strings (a caller, a message) sanitized and kept to one line each, in a file as on a terminal, and forming
    // no CI workflow command
    text = noWorkflowCommands(`${lines.map((l) => oneLine(sanitize(l))).join("\n")}\n`);
  }
  if (output) writeOutputs([{ target: output, text }], (t) => io.out(t));
  else io.out(text);
  return 0;
}
