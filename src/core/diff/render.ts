/** The `lbdoctor diff` report and its text, JSON and Markdown renderings. Pure functions. */

import { mdCode, mdText } from "../report/escape.ts";
import { renderValue, shortId } from "../report/formatters/text.ts";
import { noWorkflowCommands, oneLine, safeJson, sanitize } from "../report/sanitize.ts";
import { styles } from "../util/ansi.ts";
import type { RankedChange, RankedPropertyChange, RelatedFinding } from "./rank.ts";

export const DIFF_SCHEMA = "lbdoctor.diff/v1";
export const DIFF_FORMATS = ["text", "json", "markdown"] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export interface DiffReport {
  schema: typeof DIFF_SCHEMA;
  tool: { name: "lbdoctor"; version: string };
  provider: "azure" | "aws";
  before: { source: string; collectedAt: string };
  after: { source: string; collectedAt: string };
  summary: {
    added: number;
    removed: number;
    changed: number;
    /** property-level changes inside changed resources */
    properties: number;
    /** resources whose change relates to a failing finding of the after snapshot */
    touchingFindings: number;
    /** failing findings in the after snapshot */
    failingAfter: number;
    /** why findings could not be computed, when they could not */
    note?: string;
    /** entities one snapshot lacks that a collection gap of it may explain (counted in neither added nor removed) */
    notCollected?: number;
    /** the collection gaps each snapshot records, when either has any */
    gaps?: { before: number; after: number };
  };
  changes: RankedChange[];
  /** the failing findings of the after snapshot that changes relate to */
  findings: Array<{ id: string; ruleId: string; severity: string; resourceName: string; message: string }>;
}

/** A value on one line, for a change listing. */
export function show(v: unknown): string {
  if (v === undefined) return "(absent)";
  const s = v !== null && typeof v === "object" ? renderValue(v) : JSON.stringify(v);
  const one = sanitize(s ?? String(v)).replace(/\s+/g, " ");
  return one.length > 120 ? `${one.slice(0, 117)}…` : one;
}

function label(c: RankedChange): string {
  if (c.category === "resource") return shortId(c.id);
  if (c.id.toLowerCase().startsWith("/subscriptions/")) return `${c.category} ${shortId(c.id)}`;
  return `${c.category} ${c.name}`;
}

function relatedText(r: RelatedFinding): string {
  return `${r.ruleId} on ${r.resourceName} (${r.severity}), ${r.via === "evidence" ? "in its evidence" : "same resource"}`;
}

function changeLine(p: RankedPropertyChange): string {
  if (p.kind === "added") return `+ ${p.path} = ${show(p.after)}`;
  if (p.kind === "removed") return `- ${p.path} (was ${show(p.before)})`;
  return `~ ${p.path}: ${show(p.before)} → ${show(p.after)}`;
}

/** The diff as text: one line per entry (a name or a value holding a newline never starts a line of its own). */
export function renderDiffText(d: DiffReport, color: boolean): string {
  const c = styles(color === true);
  const out: string[] = [];
  out.push(
    c.bold(`lbdoctor diff ${d.tool.version}`) +
      c.gray(
        ` · ${d.provider} · ${sanitize(d.before.source)} (${sanitize(d.before.collectedAt)}) → ${sanitize(d.after.source)} (${sanitize(d.after.collectedAt)})`,
      ),
  );
  if (d.changes.length === 0) {
    out.push("", c.green("No differences."));
    return noWorkflowCommands(`${out.map(oneLine).join("\n")}\n`);
  }
  for (const ch of d.changes) {
    out.push("");
    const mark = ch.notCollected ? c.yellow("?") : ch.kind === "added" ? c.green("+") : ch.kind === "removed" ? c.red("-") : c.yellow("~");
    const kind =
      ch.kind === "changed"
        ? `${ch.changes.length} ${ch.changes.length === 1 ? "change" : "changes"}`
        : ch.notCollected
          ? `${ch.kind === "removed" ? "absent after" : "absent before"}, maybe not collected: ${ch.notCollected}`
          : ch.kind;
    const touches =
      ch.related.length > 0
        ? c.red.bold(` ⚠ touches ${ch.related.length} failing ${ch.related.length === 1 ? "finding" : "findings"}`)
        : "";
    out.push(`${mark} ${c.bold(sanitize(label(ch)))} ${c.gray(`(${sanitize(ch.type)}; ${kind})`)}${touches}`);
    const inProps = new Set(ch.changes.flatMap((p) => p.related.map((r) => r.findingId)));
    for (const r of ch.related) if (!inProps.has(r.findingId)) out.push(c.gray(`    ↳ ${sanitize(relatedText(r))}`));
    for (const p of ch.changes) {
      out.push(`    ${sanitize(changeLine(p))}`);
      for (const r of p.related) out.push(c.gray(`        ↳ ${sanitize(relatedText(r))}`));
    }
  }
  const s = d.summary;
  out.push(
    "",
    `${c.bold("Summary:")} ${s.changed} changed (${s.properties} ${s.properties === 1 ? "property" : "properties"}), ${s.added} added, ${s.removed} removed; ` +
      `${s.touchingFindings} touch${s.touchingFindings === 1 ? "es" : ""} the ${s.failingAfter} failing ${s.failingAfter === 1 ? "finding" : "findings"} of the after snapshot`,
  );
  if (s.notCollected) out.push(`  ${notCollectedText(s.notCollected)}`);
  if (s.gaps) out.push(c.yellow(`  ${gapsText(s.gaps)}`));
  if (s.note) out.push(c.gray(`  ${sanitize(s.note)}`));
  // names and values from the snapshots form no CI workflow command (a line that starts with `::`, a `##[`)
  return noWorkflowCommands(`${out.map(oneLine).join("\n")}\n`);
}

const notCollectedText = (n: number) =>
  `${n} ${n === 1 ? "resource is" : "resources are"} in one snapshot only because the other could not read ${n === 1 ? "it" : "them"} (a collection gap): not counted as added or removed`;

const gapsText = (g: { before: number; after: number }) =>
  `Collection gaps: ${g.before} in the before snapshot, ${g.after} in the after one: what a snapshot could not read is not compared.`;

export function renderDiffJson(d: DiffReport): string {
  return `${safeJson(d)}\n`;
}

export function renderDiffMarkdown(d: DiffReport): string {
  const s = d.summary;
  const out: string[] = [];
  out.push(
    `## lbdoctor diff: ${s.changed} changed, ${s.added} added, ${s.removed} removed${s.touchingFindings > 0 ? ` · ⚠️ ${s.touchingFindings} ${s.touchingFindings === 1 ? "touches" : "touch"} failing findings` : ""}`,
    "",
    `${mdText(d.provider)} · ${mdCode(d.before.source)} (${mdText(d.before.collectedAt)}) → ${mdCode(d.after.source)} (${mdText(d.after.collectedAt)})`,
    "",
  );
  if (d.changes.length === 0) {
    out.push("No differences.");
    return noWorkflowCommands(`${out.join("\n")}\n`);
  }
  out.push("| | Resource | Type | Changes | Touches failing findings |", "|---|---|---|---:|---|");
  for (const ch of d.changes) {
    const mark = ch.notCollected
      ? `❔ ${ch.kind === "removed" ? "absent after" : "absent before"}, maybe not collected (${mdText(ch.notCollected)})`
      : ch.kind === "added"
        ? "➕ added"
        : ch.kind === "removed"
          ? "➖ removed"
          : "✏️ changed";
    const touches = ch.related.map((r) => `${mdCode(r.ruleId)} on ${mdCode(r.resourceName)} (${r.severity})`).join("<br>") || "–";
    out.push(`| ${mark} | ${mdCode(label(ch))} | ${mdCode(ch.type)} | ${ch.changes.length} | ${touches} |`);
  }
  out.push("");
  for (const ch of d.changes) {
    if (ch.changes.length === 0 && ch.related.length === 0) continue;
    out.push(`#### ${ch.notCollected ? "❔" : ch.kind === "added" ? "➕" : ch.kind === "removed" ? "➖" : "✏️"} ${mdCode(label(ch))}`, "");
    const inProps = new Set(ch.changes.flatMap((p) => p.related.map((r) => r.findingId)));
    for (const r of ch.related.filter((x) => !inProps.has(x.findingId)))
      out.push(
        `- ⚠️ ${mdCode(r.ruleId)} on ${mdCode(r.resourceName)} (${r.severity}, ${r.via === "evidence" ? "in its evidence" : "same resource"})`,
      );
    for (const p of ch.changes) {
      const what =
        p.kind === "added"
          ? `added ${mdCode(p.path)} = ${mdCode(show(p.after))}`
          : p.kind === "removed"
            ? `removed ${mdCode(p.path)} (was ${mdCode(show(p.before))})`
            : `${mdCode(p.path)}: ${mdCode(show(p.before))} → ${mdCode(show(p.after))}`;
      const rel = p.related.map((r) => `${mdCode(r.ruleId)} (${r.severity})`).join(", ");
      out.push(`- ${what}${rel ? ` ⚠️ ${rel}` : ""}`);
    }
    out.push("");
  }
  out.push(
    `${s.touchingFindings} of the changes touch the ${s.failingAfter} failing ${s.failingAfter === 1 ? "finding" : "findings"} of the after snapshot.`,
  );
  if (s.notCollected) out.push("", mdText(notCollectedText(s.notCollected)));
  if (s.gaps) out.push("", mdText(gapsText(s.gaps)));
  if (s.note) out.push("", mdText(s.note));
  return noWorkflowCommands(`${out.join("\n")}\n`);
}
