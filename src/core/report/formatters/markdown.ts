/**
 * Markdown (GitHub-flavoured), for pull-request comments and incident
 * tickets: a verdict, a summary table of the load balancers and of every
 * finding that needs attention, then the details, root causes first, with
 * evidence and the fix commands in fenced code blocks.
 *
 * Cloud strings are never trusted as Markdown: identifiers go in code spans,
 * prose is escaped (no links, images, HTML, @mentions or math can be
 * injected), commands go in fences no content can close.
 */
import type { Finding } from "../../engine/types.ts";
import { clock, type Timeline } from "../../timeline/analyze.ts";
import { byShell } from "../../util/shell.ts";
import { clip, plural } from "../../util/words.ts";
import { mdCode, mdFence, mdText } from "../escape.ts";
import { alikeGapUnknowns, gapLines, isSuppressed, onText, type Report, scopeFields, skuAndKind } from "../report.ts";
import { noWorkflowCommands } from "../sanitize.ts";
import { renderValue } from "./text.ts";

const STATUS_BADGE = { healthy: "🟢 healthy", degraded: "🟡 degraded", down: "🔴 down", unknown: "⚪ unknown" } as const;

/** The verdict heading, the scope line, the counts and the baseline line. */
function pushHeader(out: string[], report: Report): void {
  const s = report.summary;
  const base = s.baseline;
  const verdict =
    s.failing > 0
      ? `❌ ${s.failing} ${base ? "new " : ""}${s.failing === 1 ? "failure" : "failures"} at or above ${report.failOn}`
      : `✅ nothing ${base ? "new " : ""}at or above ${report.failOn}`;
  out.push(`## lbdoctor: ${verdict}`, "");
  const scope = scopeFields(report.scope)
    .map(([k, v]) => `${mdText(k)} ${mdCode(v)}`)
    .join(", ");
  out.push(
    `${mdText(report.provider)}${scope ? ` · ${scope}` : ""} · snapshot ${mdText(report.snapshot.collectedAt)} · lbdoctor ${mdText(report.tool.version)}`,
    "",
  );

  const sev = Object.entries(s.failedBySeverity)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  const counts = [
    `**${s.byStatus.fail} failed**${sev.length ? ` (${sev.join(", ")})` : ""}`,
    `${s.byStatus.unknown} unknown`,
    plural(s.byStatus.error, "error"),
    `${s.byStatus.pass} passed`,
    `${s.byStatus["not-applicable"]} not applicable`,
  ];
  if (s.suppressed) counts.push(`${s.suppressed} suppressed`);
  counts.push(`${s.rulesRun} ${s.rulesRun === 1 ? "rule" : "rules"}`);
  out.push(counts.join(" · "), "");
  if (base) {
    out.push(`Baseline ${mdCode(base.source)}: **${base.new} new**, ${base.existing} already failing, ${base.fixed} fixed since.`, "");
  }
}

function pushLoadBalancerTable(out: string[], report: Report): void {
  if (report.loadBalancers.length === 0) return;
  out.push("| Load balancer | SKU | Frontends | Status | Failed |", "|---|---|---|---|---:|");
  for (const lb of report.loadBalancers) {
    const fe = lb.frontends.map((x) => mdCode(clip(x))).join(", ") || "–";
    out.push(
      `| ${mdCode(clip(lb.name))} | ${mdText(clip(skuAndKind(lb)))} | ${fe} | ${STATUS_BADGE[lb.status]} | ${lb.failed}${lb.suppressed ? ` (+${lb.suppressed} suppressed)` : ""} |`,
    );
  }
  out.push("");
}

/** The findings that need attention, in report order: root causes, other failures, unknowns, rule errors. */
interface Attention {
  causes: Finding[];
  otherFails: Finding[];
  unknown: Finding[];
  errors: Finding[];
  ordered: Finding[];
  /** what the table and the details list, in order: a finding each, or unknown findings of one gap alike (alikeGapUnknowns) */
  entries: Finding[][];
  /** a finding's entry number (the findings of one entry share it) */
  number: Map<string, number>;
}

function needingAttention(report: Report): Attention {
  const active = report.findings.filter((f) => (f.status === "fail" || f.status === "unknown" || f.status === "error") && !isSuppressed(f));
  const causes = active.filter((f) => f.status === "fail" && f.relatedTo.some((r) => r.relation === "explains"));
  const otherFails = active.filter((f) => f.status === "fail" && !causes.includes(f));
  const unknown = active.filter((f) => f.status === "unknown");
  const errors = active.filter((f) => f.status === "error");
  const ordered = [...causes, ...otherFails, ...unknown, ...errors];
  const entries = [...causes.map((f) => [f]), ...otherFails.map((f) => [f]), ...alikeGapUnknowns(unknown), ...errors.map((f) => [f])];
  const number = new Map<string, number>();
  entries.forEach((e, i) => {
    for (const f of e) number.set(f.id, i + 1);
  });
  return { causes, otherFails, unknown, errors, ordered, entries, number };
}

function pushFindingTable(out: string[], a: Attention, withBaseline: boolean): void {
  if (a.ordered.length === 0) return;
  out.push(
    `| # | Status | Rule | Resource | Finding |${withBaseline ? " Baseline |" : ""}`,
    `|---:|---|---|---|---|${withBaseline ? "---|" : ""}`,
  );
  for (const e of a.entries) {
    const f = e[0] as Finding;
    if (e.length > 1) {
      out.push(
        `| ${a.number.get(f.id)} | unknown | ${plural(e.length, "rule")} | ${mdCode(f.resourceName)} | ${mdText(oneLine(f.message))} |` +
          (withBaseline ? ` ${f.baseline ?? ""} |` : ""),
      );
      continue;
    }
    const status =
      f.status === "fail"
        ? `**${f.severity}**${a.causes.includes(f) ? " (root cause)" : ""}`
        : f.status === "unknown"
          ? "unknown"
          : "rule error";
    out.push(
      `| ${a.number.get(f.id)} | ${status} | ${mdCode(f.ruleId)} | ${mdCode(f.resourceName)} | ${mdText(oneLine(f.message))} |` +
        (withBaseline ? ` ${f.baseline ?? ""} |` : ""),
    );
  }
  out.push("");
}

interface DetailContext {
  out: string[];
  number: Map<string, number>;
  byId: Map<string, Finding>;
  printedFixes: Set<string>;
}

function pushDetail(ctx: DetailContext, f: Finding): void {
  const { out } = ctx;
  const label = f.status === "fail" ? f.severity.toUpperCase() : f.status === "unknown" ? "UNKNOWN" : "RULE ERROR";
  out.push(`#### ${ctx.number.get(f.id)}. ${label} · ${mdCode(f.ruleId)} on ${mdCode(f.resourceName)}`, "");
  out.push(mdText(f.message), "");
  if (f.basis?.contradiction) {
    out.push(
      `**Contradiction:** observed ${mdText(f.basis.observed ?? "(nothing)")}; inferred ${mdText(f.basis.inferred)}. The observation wins.`,
      "",
    );
  }
  if (f.suppression?.expired) {
    out.push(
      `⚠️ Suppression expired${f.suppression.expires ? ` on ${mdText(f.suppression.expires)}` : ""} (${mdCode(f.suppression.source)}): ${mdText(f.suppression.reason)}. It counts again.`,
      "",
    );
  }
  pushEvidence(out, f);
  for (const r of f.relatedTo) {
    const other = ctx.byId.get(r.findingId);
    const who = other ? `${mdCode(other.ruleId)} on ${mdCode(other.resourceName)}` : mdCode(r.ruleId);
    out.push(`${r.relation === "explains" ? "**Explains:**" : "**Caused by:**"} ${who}`, "");
  }
  pushFix(ctx, f);
}

/** Unknown findings one collection gap made alike (alikeGapUnknowns): the reason and the evidence once, then the rules. */
function pushAlike(ctx: DetailContext, alike: Finding[]): void {
  const { out } = ctx;
  const f = alike[0] as Finding;
  out.push(
    `#### ${ctx.number.get(f.id)}. UNKNOWN · ${plural(alike.length, "rule")} on ${mdCode(f.resourceName)}, each for the same reason`,
    "",
  );
  out.push(mdText(f.message), "");
  out.push(`**Rules:** ${alike.map((x) => mdCode(x.ruleId)).join(", ")}`, "");
  pushEvidence(out, f);
}

function pushEvidence(out: string[], f: Finding): void {
  if (f.evidence.length === 0) return;
  out.push("**Evidence**", "");
  for (const e of f.evidence) {
    const value = e.value === undefined ? "" : ` = ${mdCode(renderValue(e.value))}`;
    out.push(`- ${e.label ? `${mdText(e.label)}: ` : ""}${mdCode(e.pointer)}${value}`);
  }
  out.push("");
}

function pushFix(ctx: DetailContext, f: Finding): void {
  if (!f.remediation) return;
  const { out, printedFixes } = ctx;
  const key = `${f.remediation.summary}\n${f.remediation.commands.join("\n")}`;
  if (printedFixes.has(key)) out.push("**Fix:** the same as above.", "");
  else {
    printedFixes.add(key);
    out.push(`**Fix:** ${mdText(f.remediation.summary)}`, "");
    for (const g of byShell(f.remediation.commands)) out.push(mdFence(g.commands, g.shell), "");
  }
}

function pushDetails(out: string[], report: Report, a: Attention): void {
  const ctx: DetailContext = { out, number: a.number, byId: new Map(report.findings.map((f) => [f.id, f])), printedFixes: new Set() };
  const section = (title: string, list: Finding[]) => {
    if (list.length === 0) return;
    out.push(`### ${title}`, "");
    for (const f of list) pushDetail(ctx, f);
  };
  section("Root causes", a.causes);
  section(a.causes.length > 0 ? "Other failures" : "Failures", a.otherFails);
  if (a.unknown.length > 0) {
    out.push("### Could not be decided", "");
    for (const e of alikeGapUnknowns(a.unknown)) {
      if (e.length === 1) pushDetail(ctx, e[0] as Finding);
      else pushAlike(ctx, e);
    }
  }
  section("Rule errors", a.errors);
}

function pushSuppressions(out: string[], report: Report, suppressed: Finding[]): void {
  if (suppressed.length > 0) {
    out.push("### Suppressed", "", "| Rule | Resource | Status | Reason | Source | Expires |", "|---|---|---|---|---|---|");
    for (const f of suppressed) {
      const sp = f.suppression;
      out.push(
        `| ${mdCode(f.ruleId)} | ${mdCode(f.resourceName)} | ${f.status === "fail" ? f.severity : f.status} | ${mdText(sp?.reason ?? "")} | ${mdCode(sp?.source ?? "")} | ${sp?.expires ? mdText(sp.expires) : "–"} |`,
      );
    }
    out.push("");
  }
  const expired = (report.suppressions ?? []).filter((x) => x.expired);
  if (expired.length > 0) {
    out.push("### Expired suppressions", "");
    for (const x of expired) {
      out.push(
        `- ${mdCode(x.source)}: ${mdCode(x.rule)}${x.resource ? ` on ${mdCode(x.resource)}` : ""} expired ${mdText(x.expires ?? "")}; it matched ${x.matched} ${x.matched === 1 ? "finding" : "findings"}, which count again. Reason given: ${mdText(x.reason)}`,
      );
    }
    out.push("");
  }
}

function pushGaps(out: string[], report: Report): void {
  if (report.gaps.length === 0) return;
  const lines = gapLines(report.gaps);
  out.push(`### Gaps (${lines.length})`, "", "What could not be collected or resolved; the rules that depend on it say unknown.", "");
  for (const { gap: g, on } of lines) {
    out.push(
      `- ${mdCode(g.operation)}${g.status ? ` ${g.status}` : ""}${g.code ? ` ${mdCode(g.code)}` : ""}: ${mdText(g.message)}${onText(on, mdText)}`,
    );
  }
  out.push("");
}

export function formatMarkdown(report: Report): string {
  const out: string[] = [];
  pushHeader(out, report);
  pushLoadBalancerTable(out, report);
  const attention = needingAttention(report);
  pushFindingTable(out, attention, report.summary.baseline !== undefined);
  pushDetails(out, report, attention);
  const suppressed = report.findings.filter(isSuppressed);
  pushSuppressions(out, report, suppressed);
  if (report.timeline) out.push(...timelineMarkdown(report.timeline));
  pushGaps(out, report);
  if (attention.ordered.length === 0 && suppressed.length === 0) out.push("No failures, unknowns or rule errors.", "");
  // printed to a CI log too: no code span or fence holds a workflow command a value formed
  return noWorkflowCommands(`${out.join("\n").trimEnd()}\n`);
}

/** The timeline section: one table row an entry, the likely cause marked, its before → after and revert under the table. */
export function timelineMarkdown(t: Timeline): string[] {
  const out: string[] = [`### Timeline ${mdText(t.window.from)} → ${mdText(t.window.until)} (UTC)`, ""];
  if (t.members.length > 0) {
    out.push("| Member | Health over the window | State changes |", "|---|---|---|");
    for (const m of t.members) out.push(`| ${mdText(m.label)} | ${mdCode(m.sparkline)} | ${m.transitions} |`);
    out.push("");
  }
  if (t.entries.length === 0) out.push("Nothing happened in the window: no changes, no health transitions, no spikes.", "");
  else {
    out.push("| Time | Kind | What | Who |", "|---|---|---|---|");
    for (const e of t.entries) {
      const what = `${e.likelyCause ? "**likely cause:** " : ""}${mdText(oneLine(e.text))}`;
      out.push(`| ${mdText(clock(e.t, t.window))} | ${e.kind} | ${what} | ${e.who ? mdText(e.who) : ""} |`);
    }
    out.push("");
  }
  for (const e of t.entries.filter((x) => x.likelyCause)) {
    out.push(`**Likely cause at ${mdText(clock(e.t, t.window))}:** ${mdText(oneLine(e.text))}${e.who ? ` (by ${mdText(e.who)})` : ""}`, "");
    if (e.why) out.push(`Why: ${mdText(e.why)}`, "");
    for (const p of (e.properties ?? []).slice(0, 10)) out.push(`- ${mdCode(p.path)}: ${mdCode(p.before)} → ${mdCode(p.after)}`);
    if ((e.revert ?? []).length > 0) out.push("", "Revert:", "", mdFence(e.revert ?? [], "sh"));
    out.push("");
  }
  // a change weighed against the likely cause and set aside (or undecided, time putting the other first): why, as the text says
  for (const e of t.entries.filter((x) => x.kind === "change" && !x.likelyCause && x.why)) {
    out.push(
      `**Not the likely cause at ${mdText(clock(e.t, t.window))}:** ${mdText(oneLine(e.text))}${e.who ? ` (by ${mdText(e.who)})` : ""}`,
      "",
      `Why not: ${mdText(e.why ?? "")}`,
      "",
    );
  }
  for (const e of t.entries.filter((x) => (x.healthUnknown ?? []).length > 0))
    for (const h of e.healthUnknown ?? []) out.push(`- health at ${mdText(clock(e.t, t.window))} unknown: ${mdText(h)}`);
  for (const m of t.missing) out.push(`- gap: ${mdCode(m.operation)}: ${mdText(m.message)}`);
  return out;
}

function oneLine(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}…` : s;
}
