import { resolvePointer } from "../util/json-pointer.ts";
import { idKey, lastSegment as nameOf } from "../util/resource-id.ts";
import type { Finding, Model, ReportInput, Rule, Severity } from "./types.ts";
import { severityRank } from "./types.ts";

export type EngineEvent =
  | { type: "rule-start"; ruleId: string }
  | { type: "rule-end"; ruleId: string; findings: number; ms: number }
  | { type: "done"; findings: number };

export interface RunOptions {
  onEvent?: (e: EngineEvent) => void;
  /** severity overrides by rule id */
  severity?: Record<string, Severity>;
}

/** A message template split once into text and `{{name}}` slots (odd indexes); templates are reused for every finding. */
const compiled = new Map<string, string[]>();

export function interpolate(template: string, data: Record<string, string | number | undefined> = {}): string {
  let parts = compiled.get(template);
  if (!parts) {
    parts = template.split(/\{\{\s*(\w+)\s*\}\}/);
    compiled.set(template, parts);
  }
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const k = parts[i] as string;
    const v = data[k];
    out += (v === undefined ? `{{${k}}}` : String(v)) + (parts[i + 1] as string);
  }
  return out;
}

export function findingId(ruleId: string, resourceId: string, key?: string): string {
  return [ruleId, idKey(resourceId), key ?? ""].join("|");
}

/** Runs each rule in isolation. A rule that throws becomes one `error` finding; the run goes on. */
export function runRules(model: Model, rules: Rule[], opts: RunOptions = {}): Finding[] {
  const all: Finding[] = [];
  const now = () => performance.now();
  for (const rule of rules) {
    opts.onEvent?.({ type: "rule-start", ruleId: rule.id });
    const t0 = now();
    const out: Finding[] = [];
    const ids = new Set<string>();
    const severity = opts.severity?.[rule.id];
    const ctx = {
      model,
      report(input: ReportInput) {
        const template = rule.messages[input.messageId];
        if (template === undefined) throw new Error(`rule ${rule.id} reported unknown messageId '${input.messageId}'`);
        let id = findingId(rule.id, input.resourceId, input.key);
        for (let n = 2; ids.has(id); n++) id = findingId(rule.id, input.resourceId, `${input.key ?? ""}#${n}`);
        ids.add(id);
        const f: Finding = {
          id,
          ruleId: rule.id,
          status: input.status,
          severity: severity ?? input.severity ?? rule.severity, // a configured override wins over the rule's own per-finding choice
          resourceId: input.resourceId,
          resourceName: input.resourceName ?? nameOf(input.resourceId),
          title: rule.title,
          messageId: input.messageId,
          message: interpolate(template, input.data),
          evidence: (input.evidence ?? []).map((e) => ({
            ...e,
            value: "value" in e ? e.value : resolvePointer(model.snapshot, e.pointer),
          })),
          source: rule.source,
          references: rule.references,
          relatedTo: [],
          subjects: (input.subjects ?? [input.resourceId]).map(idKey),
        };
        if (input.loadBalancerId) f.loadBalancerId = input.loadBalancerId;
        if (input.remediation && input.status === "fail") f.remediation = input.remediation;
        if (input.key !== undefined) f.key = input.key;
        out.push(f);
      },
    };
    try {
      rule.check(ctx);
      if (out.length === 0) {
        out.push({
          id: findingId(rule.id, "", "scope"),
          ruleId: rule.id,
          status: "not-applicable",
          severity: severity ?? rule.severity,
          resourceId: "",
          resourceName: "(scope)",
          title: rule.title,
          message: "Nothing in scope for this rule.",
          evidence: [],
          source: rule.source,
          references: rule.references,
          relatedTo: [],
          subjects: [],
        });
      }
    } catch (e) {
      out.length = 0;
      out.push({
        id: findingId(rule.id, "", "error"),
        ruleId: rule.id,
        status: "error",
        severity: severity ?? rule.severity,
        resourceId: "",
        resourceName: "(rule)",
        title: rule.title,
        message: `The rule failed: ${e instanceof Error ? e.message : String(e)}`,
        evidence: [],
        source: rule.source,
        references: rule.references,
        relatedTo: [],
        subjects: [],
      });
    }
    all.push(...out);
    opts.onEvent?.({ type: "rule-end", ruleId: rule.id, findings: out.length, ms: now() - t0 });
  }
  linkFindings(all, rules);
  opts.onEvent?.({ type: "done", findings: all.length });
  return all;
}

/**
 * Links root causes to the symptoms they explain: a failing finding of rule A
 * explains a failing finding of rule B when A declares `explains: [B]` and the
 * two share a subject (e.g. the same pool member).
 */
export function linkFindings(findings: Finding[], rules: Rule[]): void {
  const explains = new Map(rules.map((r) => [r.id, new Set(r.explains ?? [])]));
  const fails = findings.filter((f) => f.status === "fail");
  const bySubject = new Map<string, Finding[]>();
  for (const f of fails) {
    for (const s of f.subjects) {
      let list = bySubject.get(s);
      if (!list) bySubject.set(s, (list = []));
      list.push(f);
    }
  }
  for (const cause of fails) {
    const targets = explains.get(cause.ruleId);
    if (!targets || targets.size === 0) continue;
    for (const s of cause.subjects) {
      for (const symptom of bySubject.get(s) ?? []) {
        if (symptom === cause || !targets.has(symptom.ruleId)) continue;
        if (!symptom.relatedTo.some((r) => r.findingId === cause.id)) {
          symptom.relatedTo.push({ findingId: cause.id, ruleId: cause.ruleId, relation: "caused-by" });
        }
        if (!cause.relatedTo.some((r) => r.findingId === symptom.id)) {
          cause.relatedTo.push({ findingId: symptom.id, ruleId: symptom.ruleId, relation: "explains" });
        }
      }
    }
  }
}

/** Root causes first: failing findings that explain others, then other failures by severity, then the rest. */
export function orderFindings(findings: Finding[]): Finding[] {
  const statusOrder = { fail: 0, error: 1, unknown: 2, pass: 3, "not-applicable": 4 } as const;
  const causeRank = (f: Finding) =>
    f.relatedTo.some((r) => r.relation === "explains") ? 0 : f.relatedTo.some((r) => r.relation === "caused-by") ? 2 : 1;
  return [...findings].sort(
    (a, b) =>
      statusOrder[a.status] - statusOrder[b.status] ||
      (a.status === "fail" ? causeRank(a) - causeRank(b) : 0) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.id.localeCompare(b.id),
  );
}
