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
 * and a closing ::notice with the summary. Messages escape %, CR and LF;
 * properties also : and , (the runner's own escaping rules), so a cloud
 * string can neither end the command nor start another; ANSI escapes are
 * removed first.
 */
import type { Finding } from "../../engine/types.ts";
import { promptFor } from "../../util/shell.ts";
import { plural } from "../../util/words.ts";
import { annotationData, annotationProperty } from "../escape.ts";
import { isSuppressed, type Report } from "../report.ts";
import { oneLine, sanitize } from "../sanitize.ts";

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

export function formatGithub(report: Report): string {
  const file = report.snapshot.source && !report.snapshot.source.startsWith("live:") ? report.snapshot.source : undefined;
  const lines: string[] = [];
  for (const f of report.findings) {
    if (f.status !== "fail" && f.status !== "unknown" && f.status !== "error") continue;
    if (isSuppressed(f)) continue;
    const what =
      f.status === "fail"
        ? `${f.ruleId} (${f.severity}) on ${f.resourceName}`
        : f.status === "unknown"
          ? `${f.ruleId} could not be decided on ${f.resourceName}`
          : `lbdoctor rule ${f.ruleId} failed`;
    const title = f.baseline === "existing" ? `already in baseline: ${what}` : what;
    const body = [f.message];
    if (f.suppression?.expired)
      body.push(`Suppression expired (${f.suppression.expires}, ${f.suppression.source}): ${f.suppression.reason}`);
    if (f.remediation) {
      body.push(`Fix: ${f.remediation.summary}`);
      for (const c of f.remediation.commands) body.push(`${promptFor(c)}${c}`);
    }
    // each part one line of the annotation: a newline in a cloud value cannot add a line (a forged `$ …` under Fix)
    lines.push(command(levelOf(f), { file, title: oneLine(title) }, body.map(oneLine).join("\n")));
  }
  const s = report.summary;
  const sev = Object.entries(s.failedBySeverity)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  const base = s.baseline ? `; baseline: ${s.baseline.new} new, ${s.baseline.existing} existing, ${s.baseline.fixed} fixed` : "";
  const verdict =
    s.failing > 0
      ? `${s.failing} ${s.baseline ? "new " : ""}at or above ${report.failOn}`
      : `nothing ${s.baseline ? "new " : ""}at or above ${report.failOn}`;
  lines.push(
    command(
      "notice",
      { title: "lbdoctor summary" },
      `${s.byStatus.fail} failed${sev.length ? ` (${sev.join(", ")})` : ""}${s.suppressed ? `, ${s.suppressed} suppressed` : ""}, ${s.byStatus.unknown} unknown, ${plural(s.byStatus.error, "error")}, ${s.byStatus.pass} passed; ${verdict}${base}`,
    ),
  );
  return `${lines.join("\n")}\n`;
}
