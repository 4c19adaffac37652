/**
 * SARIF 2.1.0 (OASIS), for GitHub code scanning, Azure DevOps and any SARIF
 * viewer.
 *
 * - Every rule that ran is a `reportingDescriptor` (id, name, descriptions,
 *   helpUri = its docs page, default level from its severity).
 * - Only fail, unknown and error findings become results:
 *     fail    → kind "fail",   level from severity (critical/high → error, medium → warning, low/info → note)
 *     unknown → kind "open",   level "none": the tool lacked the data to decide (SARIF §3.27.9–10:
 *               a kind other than "fail" carries level "none")
 *     error   → kind "review", level "none": the rule threw; a person has to look. The same
 *               failure is a toolExecutionNotification, and executionSuccessful is false.
 * - The cloud resource is a logical location (fullyQualifiedName = its id,
 *   kind "resource"); evidence resources are related locations. When the
 *   report came from a snapshot file, that file is the physical location
 *   (GitHub code scanning needs one).
 * - `partialFingerprints["lbdoctorFindingId/v1"]` is the finding id (rule |
 *   normalized resource id | key): stable across runs, order and time.
 * - A suppressed finding carries `suppressions` (kind external, status
 *   accepted, justification = reason); an expired suppression is recorded
 *   with status rejected. With a baseline, `baselineState` is new/unchanged.
 *
 * Strings from the cloud are JSON-escaped by serialization and sanitized of
 * terminal escape sequences; nothing else interprets them (message text is
 * plain text: no Markdown, no embedded links, no placeholders without
 * arguments).
 */
import type * as Sarif from "sarif";
import type { Finding, Severity } from "../../engine/types.ts";
import { isSuppressed, type Report } from "../report.ts";
import { sanitize } from "../sanitize.ts";
import { joinChunks, jsonChunks } from "../stream.ts";
import { renderValue } from "./text.ts";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const FINGERPRINT_KEY = "lbdoctorFindingId/v1";

export function sarifLevel(s: Severity): Sarif.ReportingConfiguration.level {
  return s === "critical" || s === "high" ? "error" : s === "medium" ? "warning" : "note";
}

/** azure/probe-blocked-by-nsg → ProbeBlockedByNsg */
export function ruleName(id: string): string {
  const tail = id.slice(id.indexOf("/") + 1);
  return tail
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

/**
 * SARIF message text treats `[text](n)` as an embedded link and `{n}` as a
 * placeholder; escape brackets so cloud strings stay literal (§3.11.6), and
 * write every brace doubled, as §3.11.5 requires of any message string (a
 * viewer reads `{{` as `{`, and a lone `{0}` or `{"a":1}`, from an evidence
 * value, as a placeholder or a malformed one).
 */
function plain(s: string): string {
  return sanitize(s)
    .replace(/[[\]]/g, (c) => `\\${c}`)
    .replace(/[{}]/g, (c) => c + c);
}

/** The snapshot file as a URI reference, or undefined for a live collection. */
export function artifactUri(source: string | undefined): string | undefined {
  if (!source || source.startsWith("live:")) return undefined;
  const p = source.replace(/\\/g, "/");
  const encoded = p
    .split("/")
    .map((seg) => encodeURIComponent(seg))
    .join("/");
  return p.startsWith("/") ? `file://${encoded}` : encoded;
}

export function formatSarif(report: Report): string {
  return joinChunks(sarifChunks(report));
}

/** The SARIF log as text, in pieces: the log object is built whole (results are small), its text never is. */
export function* sarifChunks(report: Report): Generator<string> {
  const ruleIndex = new Map(report.rules.map((r, i) => [r.id, i]));
  const rules: Sarif.ReportingDescriptor[] = report.rules.map((r) => {
    const d: Sarif.ReportingDescriptor = {
      id: r.id,
      name: ruleName(r.id),
      shortDescription: { text: r.title },
      fullDescription: r.description ? { text: r.description, markdown: r.description } : { text: r.title },
      helpUri: r.docsUrl,
      defaultConfiguration: { level: sarifLevel(r.severity) },
      properties: { provider: r.provider, severity: r.severity, tags: [r.provider, "load-balancer"] },
    };
    if (r.remediation) d.help = { text: r.remediation, markdown: r.remediation };
    return d;
  });

  const uri = artifactUri(report.snapshot.source);
  const results: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];
  for (const f of report.findings) {
    if (f.status !== "fail" && f.status !== "unknown" && f.status !== "error") continue;
    const index = ruleIndex.get(f.ruleId);
    const result: Sarif.Result = {
      ruleId: f.ruleId,
      ...(index !== undefined ? { ruleIndex: index } : {}),
      kind: f.status === "fail" ? "fail" : f.status === "unknown" ? "open" : "review",
      level: f.status === "fail" ? sarifLevel(f.severity) : "none",
      message: { text: plain(messageOf(f)) },
      locations: [location(f, uri)],
      partialFingerprints: { [FINGERPRINT_KEY]: f.id },
      properties: properties(f),
    };
    const related = relatedLocations(f);
    if (related.length > 0) result.relatedLocations = related;
    if (f.suppression) {
      result.suppressions = [
        {
          kind: "external",
          status: f.suppression.expired ? "rejected" : "accepted",
          justification: sanitize(f.suppression.reason),
          properties: {
            source: f.suppression.source,
            ...(f.suppression.expires ? { expires: f.suppression.expires } : {}),
            ...(f.suppression.expired ? { expired: true } : {}),
          },
        },
      ];
    }
    if (f.baseline) result.baselineState = f.baseline === "existing" ? "unchanged" : "new";
    results.push(result);
    if (f.status === "error") {
      notifications.push({
        level: "error",
        message: { text: plain(f.message) },
        associatedRule: index !== undefined ? { id: f.ruleId, index } : { id: f.ruleId },
      });
    }
  }

  const run: Sarif.Run = {
    tool: {
      driver: {
        name: "lbdoctor",
        version: report.tool.version,
        semanticVersion: report.tool.version,
        informationUri: "https://github.com/lbdoctor/lbdoctor",
        rules,
      },
    },
    invocations: [
      {
        executionSuccessful: notifications.length === 0,
        ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
      },
    ],
    results,
    columnKind: "utf16CodeUnits",
    properties: {
      provider: report.provider,
      collectedAt: report.snapshot.collectedAt,
      failOn: report.failOn,
      failing: report.summary.failing,
      // passes are no results (SARIF reports what needs attention); their number says how much was checked
      passed: report.summary.byStatus.pass,
      ...(report.summary.suppressed ? { suppressed: report.summary.suppressed } : {}),
      ...(report.summary.baseline ? { baseline: report.summary.baseline } : {}),
    },
  };
  if (uri) run.artifacts = [{ location: { uri }, roles: ["analysisTarget"], mimeType: "application/json" }];
  const log: Sarif.Log = { $schema: SARIF_SCHEMA_URI, version: "2.1.0", runs: [run] };
  // walked: log, runs, the run, its results, each result (serialized whole)
  yield* jsonChunks(log, { depth: 4 });
  yield "\n";
}

function messageOf(f: Finding): string {
  const fix = f.remediation ? ` Fix: ${f.remediation.summary}` : "";
  return f.status === "unknown" ? `Could not be decided: ${f.message}` : `${f.message}${fix}`;
}

function location(f: Finding, uri: string | undefined): Sarif.Location {
  const loc: Sarif.Location = {
    logicalLocations: [
      f.resourceId
        ? { name: sanitize(f.resourceName), fullyQualifiedName: sanitize(f.resourceId), kind: "resource" }
        : { name: sanitize(f.resourceName), kind: "resource" },
    ],
  };
  if (uri) loc.physicalLocation = { artifactLocation: { uri, index: 0 } };
  return loc;
}

function relatedLocations(f: Finding): Sarif.Location[] {
  const seen = new Set<string>();
  const out: Sarif.Location[] = [];
  for (const e of f.evidence) {
    const text = `${e.label ? `${e.label}: ` : ""}${e.pointer}${e.value === undefined ? "" : ` = ${renderValue(e.value)}`}`;
    const key = `${e.resourceId}\n${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      id: out.length,
      logicalLocations: [{ fullyQualifiedName: sanitize(e.resourceId), kind: "resource" }],
      message: { text: plain(text) },
    });
  }
  return out;
}

function properties(f: Finding): Sarif.PropertyBag {
  const p: Sarif.PropertyBag = { status: f.status, severity: f.severity, findingId: f.id };
  if (f.loadBalancerId) p.loadBalancerId = sanitize(f.loadBalancerId);
  if (f.region) p.region = sanitize(f.region);
  if (f.account) p.account = sanitize(f.account);
  if (f.remediation) p.remediation = { summary: sanitize(f.remediation.summary), commands: f.remediation.commands.map(sanitize) };
  if (f.relatedTo.length > 0) p.relatedTo = f.relatedTo.map((r) => ({ relation: r.relation, ruleId: r.ruleId, findingId: r.findingId }));
  if (isSuppressed(f)) p.suppressed = true;
  if (f.basis)
    p.basis = {
      inferred: sanitize(f.basis.inferred),
      contradiction: f.basis.contradiction,
      ...(f.basis.observed ? { observed: sanitize(f.basis.observed) } : {}),
    };
  return p;
}
