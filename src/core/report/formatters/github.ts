/**
 * GitHub Actions workflow commands: one annotation per finding that needs
 * attention, shown on the run summary (and on the snapshot file, when the
 * report came from one).
 *
 *   fail, critical/high → ::error     fail, medium → ::warning     fail, low/info → ::notice
 *   unknown             → ::notice (could not be decided)
 *   error               → ::error  (the rule threw)
 *   already failing in the --baseline → ::notice; suppressed → none
 *
 * and a ::notice with the summary. Messages escape %, CR and LF;
 * properties also : and , (the runner's own escaping rules), so a cloud
 * string can neither end the command nor start another; ANSI escapes are
 * removed first.
 *
 * GitHub shows at most 10 error, 10 warning and 10 notice annotations per
 * step, in the order they were printed, and drops the rest without a word
 * (https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md,
 * "Limitations"). So the summary comes first, findings follow in report order
 * (root causes, then by severity) up to what a step shows of each level,
 * unknowns one collection gap made alike are one notice, and what is left is
 * counted in one last notice and printed as plain log lines (no workflow
 * command), each finding still in the job's log.
 */
import type { Finding } from "../../engine/types.ts";
import { promptFor } from "../../util/shell.ts";
import { plural } from "../../util/words.ts";
import { annotationData, annotationProperty } from "../escape.ts";
import { alikeGapUnknowns, isSuppressed, type Report } from "../report.ts";
import { noWorkflowCommands, oneLine, sanitize } from "../sanitize.ts";

type Level = "error" | "warning" | "notice";

function levelOf(f: Finding): Level {
  if (f.baseline === "existing") return "notice";
  if (f.status === "error") return "error";
  if (f.status === "unknown") return "notice";
  return f.severity === "critical" || f.severity === "high" ? "error" : f.severity === "medium" ? "warning" : "notice";
}

function command(level: Level, props: Record<string, string | undefined>, message: string): string {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${annotationProperty(sanitize(v as string))}`)
    .join(",");
  return `::${level}${p ? ` ${p}` : ""}::${annotationData(sanitize(message))}`;
}

/** Annotations of one level GitHub shows per step. */
export const ANNOTATIONS_PER_LEVEL = 10;

/** One annotation: its level, properties and message. */
interface Annotation {
  level: Level;
  title: string;
  body: string[];
}

function annotationOf(f: Finding): Annotation {
  const what =
    f.status === "fail"
      ? `${f.ruleId} (${f.severity}) on ${f.resourceName}`
      : f.status === "unknown"
        ? `${f.ruleId} could not be decided on ${f.resourceName}`
        : `lbdoctor rule ${f.ruleId} failed`;
  const title = f.baseline === "existing" ? `already in baseline: ${what}` : what;
  const body = [f.message];
  if (f.suppression?.expired) body.push(`Suppression expired (${f.suppression.expires}, ${f.suppression.source}): ${f.suppression.reason}`);
  if (f.remediation) {
    body.push(`Fix: ${f.remediation.summary}`);
    for (const c of f.remediation.commands) body.push(`${promptFor(c)}${c}`);
  }
  return { level: levelOf(f), title, body };
}

/** Unknown findings one collection gap made alike (alikeGapUnknowns): one notice naming their rules. */
function alikeAnnotation(alike: Finding[]): Annotation {
  const f = alike[0] as Finding;
  return {
    level: "notice",
    title: `${f.baseline === "existing" ? "already in baseline: " : ""}${plural(alike.length, "rule")} could not be decided on ${f.resourceName}`,
    body: [f.message, `Rules: ${alike.map((x) => x.ruleId).join(", ")}`],
  };
}

export function formatGithub(report: Report): string {
  const file = report.snapshot.source && !report.snapshot.source.startsWith("live:") ? report.snapshot.source : undefined;
  const render = (a: Annotation) =>
    // each part one line of the annotation: a newline in a cloud value cannot add a line (a forged `$ …` under Fix)
    command(a.level, { file, title: oneLine(a.title) }, a.body.map(oneLine).join("\n"));
  const needing = report.findings.filter(
    (f) => (f.status === "fail" || f.status === "unknown" || f.status === "error") && !isSuppressed(f),
  );
  const annotations = alikeGapUnknowns(needing).map((e) => (e.length === 1 ? annotationOf(e[0] as Finding) : alikeAnnotation(e)));
  // the summary, and the note on what was left over, are notices too: they take their places first
  const left: Record<Level, number> = { error: ANNOTATIONS_PER_LEVEL, warning: ANNOTATIONS_PER_LEVEL, notice: ANNOTATIONS_PER_LEVEL - 1 };
  const of = (l: Level) => annotations.filter((a) => a.level === l).length;
  if (of("error") > left.error || of("warning") > left.warning || of("notice") > left.notice) left.notice--;
  const shown: Annotation[] = [];
  const rest: Annotation[] = [];
  for (const a of annotations) {
    if (left[a.level] > 0) {
      left[a.level]--;
      shown.push(a);
    } else rest.push(a);
  }
  const lines = [command("notice", { title: "lbdoctor summary" }, summaryText(report))];
  for (const a of shown) lines.push(render(a));
  if (rest.length > 0) {
    const counts = (["error", "warning", "notice"] as const)
      .map((l) => [l, rest.filter((a) => a.level === l).length] as const)
      .filter(([, n]) => n > 0)
      .map(([l, n]) => `${n} ${l}${n === 1 ? "" : "s"}`);
    lines.push(
      command(
        "notice",
        { title: `lbdoctor: ${rest.length} more not annotated` },
        `GitHub shows ${ANNOTATIONS_PER_LEVEL} annotations of each level per step: ${counts.join(", ")} more are in this step's log below, and in the JSON, SARIF and JUnit reports.`,
      ),
    );
    // plain log lines, one line each: never a V2 command (each starts with "lbdoctor "), nor a legacy `##[` a value holds
    for (const a of rest)
      lines.push(noWorkflowCommands(`lbdoctor ${a.level}: ${sanitize(oneLine(a.title))}: ${sanitize(a.body.map(oneLine).join(" | "))}`));
  }
  return `${lines.join("\n")}\n`;
}

function summaryText(report: Report): string {
  const s = report.summary;
  const sev = Object.entries(s.failedBySeverity)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  const base = s.baseline ? `; baseline: ${s.baseline.new} new, ${s.baseline.existing} existing, ${s.baseline.fixed} fixed` : "";
  const verdict =
    s.failing > 0
      ? `${s.failing} ${s.baseline ? "new " : ""}at or above ${report.failOn}`
      : `nothing ${s.baseline ? "new " : ""}at or above ${report.failOn}`;
  return `${s.byStatus.fail} failed${sev.length ? ` (${sev.join(", ")})` : ""}${s.suppressed ? `, ${s.suppressed} suppressed` : ""}, ${s.byStatus.unknown} unknown, ${plural(s.byStatus.error, "error")}, ${s.byStatus.pass} passed; ${verdict}${base}`;
}
