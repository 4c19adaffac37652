/**
 * The terminal report: root causes first, grouped per load balancer, with the
 * evidence and the fix commands; a one-line summary at the end.
 */

import type { Finding, Severity } from "../../engine/types.ts";
import { type Styles, styles } from "../../util/ansi.ts";
import { idKey, lastSegment } from "../../util/resource-id.ts";
import { promptFor } from "../../util/shell.ts";
import { clip, plural } from "../../util/words.ts";
import { alikeGapUnknowns, gapLines, isSuppressed, onText, type Report, scopeFields, skuAndKind } from "../report.ts";
import { noWorkflowCommands, oneLine, sanitize } from "../sanitize.ts";

export interface TextOptions {
  color: boolean;
  /** also list passing and not-applicable results */
  verbose?: boolean;
  width?: number;
}

const ICON: Record<Finding["status"], string> = { fail: "✖", error: "!", unknown: "?", pass: "✔", "not-applicable": "-" };

function sevColor(c: Styles, s: Severity): (t: string) => string {
  switch (s) {
    case "critical":
      return (t) => c.bold.red(t);
    case "high":
      return (t) => c.red(t);
    case "medium":
      return (t) => c.yellow(t);
    case "low":
      return (t) => c.cyan(t);
    default:
      return (t) => c.gray(t);
  }
}

const NOISE = new Set(["id", "etag", "type", "provisioningState", "resourceGuid"]);

/** An ARM id, shortened for the eye to what follows the provider: networkInterfaces/vm1-nic/ipConfigurations/ipconfig1. */
export function shortId(s: string): string {
  if (!ARM_ID.test(s)) return s;
  // the segments after the first `providers` segment and the one after it (the namespace); no string per segment
  const m = PROVIDERS_SEGMENT.exec(s);
  if (!m) return s;
  const rest = s.slice(m.index + m[0].length);
  const slash = rest.indexOf("/");
  return slash < 0 ? "" : rest.slice(slash + 1);
}

const ARM_ID = /^\/subscriptions\//i;
/** A segment `providers` (any case), with the slash that follows it unless it ends the id. */
const PROVIDERS_SEGMENT = /\/providers(?:\/|$)/i;

function scalar(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return shortId(v);
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) {
    const parts = v.map(scalar).filter((x): x is string => x !== undefined);
    return parts.length > 0 && parts.length === v.length ? `[${parts.join(",")}]` : undefined;
  }
  const id = (v as { id?: unknown }).id;
  return typeof id === "string" && Object.keys(v).length === 1 ? (id.split("/").pop() ?? id) : undefined;
}

/** A one-line rendering of an evidence value: NSG rules and ARM objects read naturally. */
export function renderValue(v: unknown): string {
  return clip(renderValueWhole(v));
}

function renderValueWhole(v: unknown): string {
  if (v === undefined) return "(absent)";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  if (Object.keys(o).length === 1 && typeof o.id === "string") return shortId(o.id);
  const p = (o.properties && typeof o.properties === "object" ? o.properties : o) as Record<string, unknown>;
  const name = typeof o.name === "string" ? `${o.name}: ` : "";
  let text: string;
  if (typeof p.priority === "number" && typeof p.access === "string") {
    const src = p.sourceAddressPrefix ?? (p.sourceAddressPrefixes as string[] | undefined)?.join(",") ?? "ASG";
    const dstPort = p.destinationPortRange ?? (p.destinationPortRanges as string[] | undefined)?.join(",");
    text = `${name}${p.direction ?? ""} ${p.access} ${p.protocol ?? "*"} from ${src || "*"} to port ${dstPort || "*"} (priority ${p.priority})`;
  } else {
    const fields = Object.entries(p)
      .filter(([k]) => !NOISE.has(k) && k !== "name")
      .map(([k, x]) => [k, scalar(x)] as const)
      .filter(([, x]) => x !== undefined && x !== "[]")
      .map(([k, x]) => `${k}=${x}`);
    text = fields.length > 0 ? `${name}${fields.join(" ")}` : JSON.stringify(v);
  }
  return text;
}

type Line = (s?: string) => void;

interface FindingContext {
  c: Styles;
  line: Line;
  byId: Map<string, Finding>;
  printedFixes: Set<string>;
}

function statusColor(c: Styles, f: Finding): (t: string) => string {
  return f.status === "fail"
    ? sevColor(c, f.severity)
    : f.status === "unknown"
      ? c.magenta
      : f.status === "error"
        ? c.bgRed.white
        : c.green;
}

function renderFinding(ctx: FindingContext, f: Finding, indent: string): void {
  const { c, line, byId } = ctx;
  const color = statusColor(c, f);
  const label = f.status === "fail" ? f.severity.toUpperCase() : f.status.toUpperCase();
  const isCause = f.relatedTo.some((r) => r.relation === "explains");
  line(
    `${indent}${color(`${ICON[f.status]} ${label}`)} ${c.bold(f.ruleId)} ${c.gray("on")} ${sanitize(f.resourceName)}${isCause ? c.bold(" (root cause)") : ""}` +
      (f.baseline === "existing" ? c.gray(" · already in baseline") : ""),
  );
  line(`${indent}  ${sanitize(f.message)}`);
  if (f.basis?.contradiction) {
    line(
      c.yellow(`${indent}  contradiction: observed ${sanitize(f.basis.observed ?? "(nothing)")}; inferred ${sanitize(f.basis.inferred)}`),
    );
  }
  if (f.suppression?.expired) {
    const sp = f.suppression;
    line(c.yellow(`${indent}  suppression expired ${sp.expires} (${sanitize(sp.source)}): ${sanitize(sp.reason)}; it counts again`));
  }
  renderEvidence(ctx, f, indent);
  for (const r of f.relatedTo) {
    const other = byId.get(r.findingId);
    const who = other ? `${other.ruleId} on ${sanitize(other.resourceName)}` : r.ruleId;
    line(c.gray(`${indent}  ${r.relation === "explains" ? "explains" : "caused by"}: ${who}`));
  }
  renderFix(ctx, f, indent);
}

/** Unknown findings one collection gap made alike (alikeGapUnknowns): the reason and the evidence once, then the rules. */
function renderAlike(ctx: FindingContext, alike: Finding[], indent: string): void {
  const { c, line } = ctx;
  const f = alike[0] as Finding;
  line(
    `${indent}${statusColor(c, f)(`${ICON.unknown} UNKNOWN`)} ${c.bold(plural(alike.length, "rule"))} ${c.gray("on")} ${sanitize(f.resourceName)}, ${c.gray("each for the same reason:")}` +
      (f.baseline === "existing" ? c.gray(" · already in baseline") : ""),
  );
  line(`${indent}  ${sanitize(f.message)}`);
  line(`${indent}  rules: ${alike.map((x) => c.bold(sanitize(x.ruleId))).join(", ")}`);
  renderEvidence(ctx, f, indent);
}

function renderEvidence(ctx: FindingContext, f: Finding, indent: string): void {
  const { c, line } = ctx;
  for (const e of f.evidence) {
    const what = e.label ? `${sanitize(e.label)}: ` : "";
    line(
      c.gray(`${indent}  evidence ${what}${sanitize(e.pointer)}`) +
        (e.value === undefined ? "" : c.gray(` = ${sanitize(renderValue(e.value))}`)),
    );
  }
}

function renderFix(ctx: FindingContext, f: Finding, indent: string): void {
  const { c, line, printedFixes } = ctx;
  if (!f.remediation) return;
  const fix = `${f.remediation.summary}\n${f.remediation.commands.join("\n")}`;
  if (printedFixes.has(fix)) {
    line(`${indent}  ${c.bold("fix:")} the same as above`);
  } else {
    printedFixes.add(fix);
    line(`${indent}  ${c.bold("fix:")} ${sanitize(f.remediation.summary)}`);
    for (const cmd of f.remediation.commands) line(`${indent}    ${c.cyan(`${promptFor(cmd)}${sanitize(cmd)}`)}`);
  }
}

interface Group {
  title: string;
  findings: Finding[];
  heading?: boolean;
  /** a load balancer's findings held back by a suppression */
  suppressed?: number;
}

/** The subscription, or AWS account and region, an id belongs to ("" when neither). */
function subOf(id: string): string {
  const sub = /^\/subscriptions\/([^/]+)/i.exec(id)?.[1];
  if (sub) return `Subscription ${sub.toLowerCase()}`;
  const arn = /^arn:[^:]*:[^:]*:([^:]*):(\d{12}):/.exec(id);
  return arn ? `Account ${arn[2]}, region ${arn[1]}` : "";
}

/**
 * A load balancer's heading. Its status leaves suppressed findings out, so a load balancer whose every finding is
 * suppressed has status healthy; its heading says that its findings are suppressed instead (with the count), never
 * "healthy (0/1 up)". A load balancer with open findings too names how many more are suppressed.
 */
function lbTitle(c: Styles, lb: Report["loadBalancers"][number], suppressed: number): string {
  const badge =
    lb.status === "healthy" && suppressed > 0
      ? c.yellow(`${plural(suppressed, "finding")} suppressed, none open`)
      : { healthy: c.green("healthy"), degraded: c.yellow("degraded"), down: c.red("down"), unknown: c.magenta("unknown") }[lb.status];
  const more = lb.status !== "healthy" && suppressed > 0 ? c.gray(`; ${suppressed} more suppressed`) : "";
  return `Load balancer ${c.bold(sanitize(clip(lb.name)))} (${sanitize(clip(skuAndKind(lb)))}${lb.frontends.length ? ` ${lb.frontends.map((x) => sanitize(clip(x))).join(", ")}` : ""}): ${badge}${lb.members ? ` (${lb.members.up}/${lb.members.total} up)` : ""}${more}`;
}

/** The shown findings grouped per load balancer (under subscription/account headings when several), then the rest. */
function groupFindings(c: Styles, report: Report, shown: Finding[]): Group[] {
  const groups: Group[] = [];
  // a report over several subscriptions (Resource Graph), or AWS accounts and regions, lists its load balancers under each
  const multiSub = new Set(report.loadBalancers.map((lb) => subOf(lb.id))).size > 1;
  let lastSub: string | undefined;
  const shownByLb = new Map<string, Finding[]>();
  for (const f of shown) {
    if (!f.loadBalancerId) continue;
    const k = idKey(f.loadBalancerId);
    const list = shownByLb.get(k);
    if (list) list.push(f);
    else shownByLb.set(k, [f]);
  }
  for (const lb of report.loadBalancers) {
    if (multiSub && subOf(lb.id) !== lastSub) {
      lastSub = subOf(lb.id);
      groups.push({ title: c.bold(sanitize(clip(lastSub))), findings: [], heading: true });
    }
    const suppressed = lb.suppressed ?? 0;
    groups.push({ title: lbTitle(c, lb, suppressed), findings: shownByLb.get(idKey(lb.id)) ?? [], suppressed });
  }
  const lbKeys = new Set(report.loadBalancers.map((lb) => idKey(lb.id)));
  const loose = shown.filter((f) => !f.loadBalancerId || !lbKeys.has(idKey(f.loadBalancerId)));
  if (loose.length > 0) groups.push({ title: "Other resources", findings: loose });
  return groups;
}

function renderSuppressed(c: Styles, line: Line, report: Report): void {
  const suppressed = report.findings.filter(isSuppressed);
  if (suppressed.length > 0) {
    line();
    line(
      c.gray(
        `Suppressed (${suppressed.length}): accepted in ${sanitize(suppressed[0]?.suppression?.source.replace(/:\d+$/, "") ?? "the config")}, still in the JSON and SARIF reports`,
      ),
    );
    for (const f of suppressed) {
      const sp = f.suppression;
      const what = f.status === "fail" ? f.severity : f.status;
      const until = sp?.expires ? `, until ${sp.expires}` : "";
      line(
        c.gray(
          `  - ${f.ruleId} on ${sanitize(f.resourceName)} (${what}): ${sanitize(sp?.reason ?? "")} [${sanitize(sp?.source ?? "")}${until}]`,
        ),
      );
    }
  }
  const expired = (report.suppressions ?? []).filter((x) => x.expired);
  if (expired.length > 0) {
    line();
    line(c.yellow(`Expired suppressions (${expired.length}): they no longer suppress`));
    for (const x of expired) {
      const on = x.resource ? ` on ${sanitize(x.resource)}` : x.tag ? ` tagged ${sanitize(JSON.stringify(x.tag))}` : "";
      line(
        c.yellow(
          `  - ${sanitize(x.source)}: ${sanitize(x.rule)}${on} expired ${x.expires}; ${x.matched} ${x.matched === 1 ? "finding counts" : "findings count"} again`,
        ),
      );
    }
  }
}

function renderGaps(c: Styles, line: Line, report: Report): void {
  if (report.gaps.length === 0) return;
  line();
  const lines = gapLines(report.gaps);
  line(c.magenta(`Gaps (${lines.length}): what could not be collected or resolved; rules that depend on it say unknown`));
  for (const { gap: g, on } of lines) {
    const status = g.status ? ` ${g.status}` : "";
    const code = g.code ? ` ${sanitize(g.code)}` : "";
    line(c.gray(`  - ${sanitize(g.operation)}${status}${code}: ${sanitize(g.message)}${onText(on, sanitize)}`));
  }
}

/** Summarized passes and not-applicable results (the default of check): per rule, with the first few resources. */
function renderPassedPerRule(c: Styles, line: Line, report: Report, opts: TextOptions): void {
  for (const [list, status, word] of [
    [report.passed, "pass", "passed"],
    [report.notApplicable, "not-applicable", "not applicable"],
  ] as const) {
    if (!opts.verbose || !list || list.length === 0) continue;
    const total = list.reduce((n, p) => n + p.count, 0);
    line();
    line(c.green(`${status === "pass" ? "Passed" : "Not applicable"} (${total}), per rule; --include-passed lists each with its evidence`));
    for (const p of list) {
      const names = p.resourceIds.slice(0, 5).map((id) => sanitize(clip(lastSegment(id))));
      const more = p.resourceIds.length > 5 ? `, … (${p.resourceIds.length - 5} more)` : "";
      const on = names.length > 0 ? ` on ${plural(p.resourceIds.length, "resource")}: ${names.join(", ")}${more}` : "";
      line(`  ${c.green(ICON[status])} ${c.bold(p.ruleId)}: ${p.count} ${word}${on}`);
    }
  }
}

function renderSummary(c: Styles, line: Line, report: Report, opts: TextOptions): void {
  const s = report.summary;
  const sev = (Object.entries(s.failedBySeverity) as Array<[Severity, number]>).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  line();
  const fresh = s.baseline ? "new " : "";
  const verdict =
    s.failing > 0
      ? c.red.bold(`${s.failing} ${fresh}at or above ${report.failOn}`)
      : c.green.bold(`nothing ${fresh}at or above ${report.failOn}`);
  const held = s.suppressed ? `, ${s.suppressed} suppressed` : "";
  line(
    `${c.bold("Summary:")} ${s.byStatus.fail} failed${sev.length ? ` (${sev.join(", ")})` : ""}${held}, ${s.byStatus.unknown} unknown, ${plural(s.byStatus.error, "error")}, ` +
      `${s.byStatus.pass} passed, ${s.byStatus["not-applicable"]} not applicable; ${s.rulesRun} ${s.rulesRun === 1 ? "rule" : "rules"}; ${verdict}`,
  );
  if (s.baseline) {
    const b = s.baseline;
    line(c.gray(`  baseline ${sanitize(b.source)}: ${b.new} new, ${b.existing} already failing, ${b.fixed} fixed since`));
  }
  if (!opts.verbose && s.byStatus.pass > 0) line(c.gray("  (--verbose lists the passing checks too)"));
}

export function formatText(report: Report, opts: TextOptions): string {
  const c = styles(opts.color === true);
  const out: string[] = [];
  // one line each: a newline a value holds never starts a line of its own
  const line: Line = (s = "") => out.push(oneLine(s));
  const scope = scopeFields(report.scope)
    .map(([k, v]) => `${k} ${sanitize(v)}`)
    .join(", ");
  line(
    c.bold(`lbdoctor ${report.tool.version}`) +
      c.gray(` · ${report.provider}${scope ? ` · ${scope}` : ""} · snapshot ${sanitize(report.snapshot.collectedAt)}`),
  );

  const shown = report.findings.filter(
    (f) => !isSuppressed(f) && (opts.verbose || f.status === "fail" || f.status === "error" || f.status === "unknown"),
  );
  const ctx: FindingContext = { c, line, byId: new Map(report.findings.map((f) => [f.id, f])), printedFixes: new Set() };
  for (const g of groupFindings(c, report, shown)) {
    line();
    line(g.title);
    if (g.heading) continue;
    if (g.findings.length === 0) {
      line(
        g.suppressed
          ? c.gray(`  no open problems: ${plural(g.suppressed, "finding")} suppressed, listed below`)
          : c.green("  ✔ no problems found"),
      );
    }
    for (const e of alikeGapUnknowns(g.findings)) {
      if (e.length === 1) renderFinding(ctx, e[0] as Finding, "  ");
      else renderAlike(ctx, e, "  ");
    }
  }

  renderSuppressed(c, line, report);
  renderGaps(c, line, report);
  renderPassedPerRule(c, line, report, opts);
  renderSummary(c, line, report, opts);
  // a value that starts a line (a message opens with a VM's name) or holds `##[` forms no CI workflow command
  return noWorkflowCommands(`${out.join("\n")}\n`);
}
