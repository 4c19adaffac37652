/**
 * JUnit XML, for CI test reporting (Azure Pipelines PublishTestResults,
 * GitLab, Jenkins). Shaped to validate against the widely used Apache Ant
 * JUnit schema (windyroad JUnit.xsd, vendored in test/vendor):
 *
 * - one <testsuite> per rule that ran, one <testcase> per evaluated resource;
 * - pass and not-applicable: an empty (passing) testcase; when the report
 *   summarizes them (the default), one passing testcase per rule stands for
 *   each ("412 passed (summarized)"), and the suite's `passed` and
 *   `notApplicable` properties count them;
 * - fail: <failure type="<severity>"> with the message, evidence and fix;
 * - unknown: <skipped message="…"> (it could not be decided);
 * - error: <error type="RuleError"> (the rule threw);
 * - a suppressed fail/unknown/error: <skipped message="suppressed: …">.
 *
 * Counts (tests, failures, errors, skipped) are per suite. Times are 0 (the
 * rules run in microseconds; a time would make the output unstable) and the
 * timestamp is the snapshot's, so the same snapshot gives the same XML.
 */
import type { Finding } from "../../engine/types.ts";
import { promptFor } from "../../util/shell.ts";
import { xmlAttr, xmlText } from "../escape.ts";
import { isSuppressed, type PassSummary, type Report } from "../report.ts";
import { noWorkflowCommands, oneLine } from "../sanitize.ts";
import { chunked, joinChunks } from "../stream.ts";
import { renderValue } from "./text.ts";

/** The schema's timestamp: YYYY-MM-DDTHH:MM:SS, no zone (UTC here). */
function timestamp(collectedAt: string): string {
  const t = Date.parse(collectedAt);
  return Number.isNaN(t) ? "1970-01-01T00:00:00" : new Date(t).toISOString().slice(0, 19);
}

/** A readable testcase name: the resource, plus what distinguishes several findings on it. */
export function caseName(f: Finding): string {
  if (!f.key) return f.resourceName;
  // ids in a key are normalized (lower case); the last segment names the thing
  const parts = f.key.split("|").map((p) => (p.startsWith("/") ? (p.split("/").pop() ?? p) : p));
  return `${f.resourceName} (${parts.filter(Boolean).join(", ")})`;
}

function details(f: Finding): string {
  const lines = [f.message];
  for (const e of f.evidence) {
    lines.push(`evidence ${e.label ? `${e.label}: ` : ""}${e.pointer}${e.value === undefined ? "" : ` = ${renderValue(e.value)}`}`);
  }
  for (const r of f.relatedTo) lines.push(`${r.relation === "explains" ? "explains" : "caused by"}: ${r.ruleId}`);
  if (f.remediation) {
    lines.push(`fix: ${f.remediation.summary}`);
    for (const c of f.remediation.commands) lines.push(`  ${promptFor(c)}${c}`);
  }
  if (f.suppression?.expired)
    lines.push(`suppression expired (${f.suppression.expires}, ${f.suppression.source}): ${f.suppression.reason}`);
  if (f.baseline === "existing") lines.push("already failing in the baseline");
  // one line each: a newline in a cloud value cannot add a line (a forged `$ …` under the fix)
  return lines.map(oneLine).join("\n");
}

export function formatJunit(report: Report): string {
  return joinChunks(junitChunks(report));
}

/**
 * The JUnit XML in pieces: one suite at a time, never the whole document as one string. Each piece is whole lines, with
 * `##[` and a line's leading `::` as character references: no value forms a CI workflow command (`noWorkflowCommands`).
 */
export function* junitChunks(report: Report): Generator<string> {
  for (const piece of chunked(junitLines(report))) yield noWorkflowCommands(piece, "xml");
}

function* junitLines(report: Report): Generator<string> {
  const ts = timestamp(report.snapshot.collectedAt);
  const passedByRule = new Map<string, PassSummary>((report.passed ?? []).map((p) => [p.ruleId, p]));
  const naByRule = new Map<string, PassSummary>((report.notApplicable ?? []).map((p) => [p.ruleId, p]));
  const byRule = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n';
  for (const [id, rule] of report.rules.entries()) {
    const out: string[] = [];
    const findings = byRule.get(rule.id) ?? [];
    const cases: string[] = [];
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    for (const f of findings) {
      const open = `    <testcase name="${xmlAttr(caseName(f))}" classname="${xmlAttr(rule.id)}" time="0"`;
      if (f.status === "pass" || f.status === "not-applicable") {
        cases.push(`${open}/>`);
      } else if (isSuppressed(f)) {
        skipped++;
        const s = f.suppression;
        cases.push(
          `${open}>`,
          `      <skipped message="${xmlAttr(`suppressed (${s?.source}): ${s?.reason} [${f.status}: ${f.message}]`)}"/>`,
          "    </testcase>",
        );
      } else if (f.status === "unknown") {
        skipped++;
        cases.push(`${open}>`, `      <skipped message="${xmlAttr(`could not be decided: ${f.message}`)}"/>`, "    </testcase>");
      } else if (f.status === "error") {
        errors++;
        cases.push(
          `${open}>`,
          `      <error message="${xmlAttr(f.message)}" type="RuleError">${xmlText(details(f))}</error>`,
          "    </testcase>",
        );
      } else {
        failures++;
        cases.push(
          `${open}>`,
          `      <failure message="${xmlAttr(f.message)}" type="${f.severity}">${xmlText(details(f))}</failure>`,
          "    </testcase>",
        );
      }
    }
    const passed = passedByRule.get(rule.id);
    const na = naByRule.get(rule.id);
    for (const [summary, word] of [
      [passed, "passed"],
      [na, "not applicable"],
    ] as const) {
      if (summary && summary.count > 0)
        cases.push(`    <testcase name="${xmlAttr(`${summary.count} ${word} (summarized)`)}" classname="${xmlAttr(rule.id)}" time="0"/>`);
    }
    out.push(
      `  <testsuite name="${xmlAttr(rule.id)}" package="lbdoctor.${rule.provider}" id="${id}" timestamp="${ts}" hostname="localhost" ` +
        `tests="${cases.filter((c) => c.startsWith("    <testcase")).length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="0">`,
      "    <properties>",
      `      <property name="title" value="${xmlAttr(rule.title)}"/>`,
      `      <property name="severity" value="${rule.severity}"/>`,
      `      <property name="docs" value="${xmlAttr(rule.docsUrl)}"/>`,
      ...(passed ? [`      <property name="passed" value="${passed.count}"/>`] : []),
      ...(na ? [`      <property name="notApplicable" value="${na.count}"/>`] : []),
      "    </properties>",
      ...cases,
      "    <system-out/>",
      "    <system-err/>",
      "  </testsuite>",
    );
    for (const line of out) yield `${line}\n`;
  }
  yield "</testsuites>\n";
}
