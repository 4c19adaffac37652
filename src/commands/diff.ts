/**
 * `lbdoctor diff <before> <after>`: what changed between two snapshots, down
 * to the property, ranked by whether a change touches a failing finding of
 * the after snapshot (the rules run on it). Exit 0 when nothing changed, 1
 * when something did, 2 on bad input (diff(1)'s convention).
 */

import { rulesFor } from "../../rules/registry.ts";
import { diagnose } from "../core/diagnose.ts";
import { diffSnapshots } from "../core/diff/compare.ts";
import { rankChanges } from "../core/diff/rank.ts";
import {
  DIFF_FORMATS,
  DIFF_SCHEMA,
  type DiffFormat,
  type DiffReport,
  renderDiffJson,
  renderDiffMarkdown,
  renderDiffText,
} from "../core/diff/render.ts";
import type { Finding } from "../core/engine/types.ts";
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import type { ProviderAdapter } from "../core/provider.ts";
import { loadSnapshotFile } from "../core/snapshot/load.ts";
import type { Snapshot } from "../core/snapshot/types.ts";
import { providerName, withArticle } from "../core/util/words.ts";
import { toolVersion } from "../core/version.ts";
import { providerFor } from "../providers/index.ts";
import { colorEnabled as colorWanted, type OutputTarget, prepareOutputs, refuseInputs, writeOutputs } from "./output.ts";

export interface DiffOptions {
  format?: string[];
  output?: string[];
  color?: boolean;
}

async function failingFindings(snapshot: Snapshot, adapter: ProviderAdapter): Promise<{ findings: Finding[]; note?: string }> {
  try {
    const rules = await rulesFor(snapshot.provider);
    const { findings } = diagnose({ snapshot, adapter, rules, source: "the after snapshot" });
    return { findings: findings.filter((f) => f.status === "fail") };
  } catch (e) {
    if (e instanceof InputError) return { findings: [], note: `Changes are not ranked: ${e.message}.` };
    throw e;
  }
}

/** How many collection gaps a snapshot records (what it could not read). */
const gapCount = (s: Snapshot): number => (Array.isArray(s.gaps) ? s.gaps.length : 0);

export async function runDiff(beforePath: string, afterPath: string, opts: DiffOptions, io: IO): Promise<number> {
  const formats = opts.format && opts.format.length > 0 ? opts.format : ["text"];
  const outputs = opts.output ?? [];
  for (const f of formats) {
    if (!(DIFF_FORMATS as readonly string[]).includes(f))
      throw new InputError(`unknown diff format '${f}'; choose ${DIFF_FORMATS.join(", ")}`);
  }
  if (outputs.length > formats.length) {
    throw new InputError(`${outputs.length} --output files for ${formats.length} --format values; give one --format per --output`);
  }
  if (formats.length - outputs.length > 1)
    throw new InputError("only one report can go to stdout; give an --output file for each extra --format");
  const targets: OutputTarget[] = prepareOutputs(outputs, formats.length > outputs.length);
  refuseInputs(targets, [beforePath, afterPath]);

  const before = loadSnapshotFile(beforePath);
  const after = loadSnapshotFile(afterPath);
  if (before.provider !== after.provider) {
    throw new InputError(
      `cannot compare ${withArticle(providerName(before.provider))} snapshot (${beforePath}) with ${withArticle(providerName(after.provider))} snapshot (${afterPath})`,
    );
  }
  if ((before.redacted === true) !== (after.redacted === true)) {
    const [masked, plain] = before.redacted === true ? [beforePath, afterPath] : [afterPath, beforePath];
    throw new InputError(
      `cannot compare a redacted snapshot (${masked}) with one that is not (${plain}): --redact masks the ${after.provider === "aws" ? "account ids" : "subscription ids"} in every id, so no resource would match and each would read as removed and added`,
      "Compare two snapshots taken with --redact, or two without it.",
    );
  }
  // values from the snapshots are shown: loadSnapshotFile has stripped their secrets

  const adapter = await providerFor(after.provider);
  const changes = diffSnapshots(before, after, adapter.diff);
  const { findings, note } = await failingFindings(after, adapter);
  const ranked = rankChanges(changes, findings, adapter.relatedKeys);
  const related = new Set(ranked.flatMap((c) => c.related.map((r) => r.findingId)));
  const report: DiffReport = {
    schema: DIFF_SCHEMA,
    tool: { name: "lbdoctor", version: toolVersion() },
    provider: after.provider,
    before: { source: beforePath, collectedAt: before.collectedAt },
    after: { source: afterPath, collectedAt: after.collectedAt },
    summary: {
      added: changes.filter((c) => c.kind === "added" && !c.notCollected).length,
      removed: changes.filter((c) => c.kind === "removed" && !c.notCollected).length,
      ...(changes.some((c) => c.notCollected) ? { notCollected: changes.filter((c) => c.notCollected).length } : {}),
      ...(gapCount(before) + gapCount(after) > 0 ? { gaps: { before: gapCount(before), after: gapCount(after) } } : {}),
      changed: changes.filter((c) => c.kind === "changed").length,
      properties: changes.reduce((n, c) => n + c.changes.length, 0),
      touchingFindings: ranked.filter((c) => c.related.length > 0).length,
      failingAfter: findings.length,
      ...(note ? { note } : {}),
    },
    changes: ranked,
    findings: findings
      .filter((f) => related.has(f.id))
      .map((f) => ({ id: f.id, ruleId: f.ruleId, severity: f.severity, resourceName: f.resourceName, message: f.message })),
  };

  const color = colorWanted(opts.color);
  const rendered: Array<{ target: OutputTarget; text: string }> = [];
  formats.forEach((format, i) => {
    const target: OutputTarget = targets[i] ?? { kind: "stdout", path: "-" };
    const f = format as DiffFormat;
    const text =
      f === "json"
        ? renderDiffJson(report)
        : f === "markdown"
          ? renderDiffMarkdown(report)
          : renderDiffText(report, target.kind === "stdout" ? color : false);
    rendered.push({ target, text });
  });
  writeOutputs(rendered, (text) => io.out(text));
  return changes.length > 0 ? 1 : 0;
}
