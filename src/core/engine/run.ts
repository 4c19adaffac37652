import { collationKey, compareByKey, compareText } from "../util/collate.ts";
import { resolvePointer } from "../util/json-pointer.ts";
import { idKey, lastSegment as nameOf } from "../util/resource-id.ts";
import { clip } from "../util/words.ts";
import { gapIndex } from "./gaps.ts";
import type { Evidence, Finding, Model, ModelGap, ReportInput, Rule, Severity } from "./types.ts";
import { severityRank } from "./types.ts";

export type EngineEvent =
  | { type: "rule-start"; ruleId: string }
  | { type: "rule-end"; ruleId: string; findings: number; ms: number }
  | { type: "done"; findings: number };

export interface RunOptions {
  onEvent?: (e: EngineEvent) => void;
  /** severity overrides by rule id */
  severity?: Record<string, Severity>;
  /**
   * "summary": the caller summarizes passes and not-applicable results (a
   * report's default: a count and resource ids per rule), so those findings
   * come back without their message text and evidence (`message` "",
   * `evidence` []), which are the most of the engine's time and memory on a
   * large scope. A finding a collection gap turns into `unknown` is completed
   * first, so every fail, unknown and error finding is always whole.
   * Default "full".
   */
  passes?: "full" | "summary" | "count";
}

/**
 * The passes and not-applicable results of one rule that a `passes: "count"` run counted instead of making findings
 * of them (`check` summarizes them per rule unless --include-passed): each result's status, resource and load
 * balancer, in report order. What the report's summaries need, and what narrowing to a scope reads.
 */
export interface CountedResults {
  ruleId: string;
  status: Array<"pass" | "not-applicable">;
  resourceId: string[];
  loadBalancerId: Array<string | undefined>;
  /** each result's key, as the rule gave it (a finding's `key`) */
  key: Array<string | undefined>;
  /** a result's own severity, where the rule gave one (by index; a pass rarely has one) */
  severity?: Record<number, Severity>;
  /**
   * after narrowing to a scope (diagnose): each kept result's index among the rule's counted results before, which
   * is its index among the rule's passes and not-applicable results in a full run (see `everyResult`); absent: the
   * index in these arrays
   */
  ordinal?: number[];
}

/** What `runRulesCounting` gives: the findings, and per rule the results it only counted (rules that counted none are left out). */
export interface RunResult {
  findings: Finding[];
  counted: CountedResults[];
}

/** Completes a light pass or not-applicable finding (its message and evidence), for the rule that made it. */
type Completer = (f: Finding) => void;

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
    out += (v === undefined ? `{{${k}}}` : shownValue(String(v))) + (parts[i + 1] as string);
  }
  return out;
}

/**
 * A value from the snapshot (a name) can be any length: a run without spaces longer than any real
 * id (256) is cut like every shown value, and a whole value at 4,000 characters. Composed values
 * (lists, explanations) keep their words.
 */
function shownValue(v: string): string {
  // most values are names: shorter than any cut, nothing to scan
  if (v.length <= 256) return v;
  return clip(hasLongRun(v) ? v.replace(/\S{257,}/g, (t) => clip(t)) : v, 4000);
}

/**
 * Whether `v` may hold a run of 257 or more characters without white space: a loop over ASCII white space, ~8× cheaper
 * than the regular expression on a composed value (a message of a few hundred characters, most of them words). A run
 * it counts may hold other white space (U+00A0, U+2028…), which `\S` does not match: then the expression decides.
 */
function hasLongRun(v: string): boolean {
  let run = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) run = 0;
    else if (++run > 256) return true;
  }
  return false;
}

export function findingId(ruleId: string, resourceId: string, key?: string): string {
  return `${ruleId}|${idKey(resourceId)}|${key ?? ""}`;
}

/** A finding's subjects as keys, each once (ids that differ only in case are one subject). */
function subjectKeys(ids: string[]): string[] {
  const out: string[] = [];
  if (ids.length > 8) {
    const seen = new Set<string>();
    for (const id of ids) {
      const k = idKey(id);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(k);
      }
    }
    return out;
  }
  for (const id of ids) {
    const k = idKey(id);
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

/** Evidence with its values: a rule's own, else read from the snapshot at the pointer. */
function withValues(doc: unknown, list: ReportInput["evidence"]): Evidence[] {
  if (!list || list.length === 0) return [];
  const out: Evidence[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = list[i] as NonNullable<ReportInput["evidence"]>[number];
    out[i] = { ...e, value: "value" in e ? e.value : resolvePointer(doc, e.pointer) };
  }
  return out;
}

/**
 * Whether a result concerns any of `keys` as applyGaps (gapsAbout) would find it on its finding: by its resource, its
 * load balancer, its subjects (its resource's key when it names none) or its evidence's resources.
 */
function concerns(input: ReportInput, keys: Set<string>): boolean {
  // a result about the whole scope: every gap concerns it (applyGaps)
  if (input.resourceId === "" || keys.has(idKey(input.resourceId))) return true;
  if (input.loadBalancerId && keys.has(idKey(input.loadBalancerId))) return true;
  if (input.subjects) for (const id of input.subjects) if (keys.has(idKey(id))) return true;
  if (input.evidence) for (const e of input.evidence) if (e.resourceId !== "" && keys.has(idKey(e.resourceId))) return true;
  return false;
}

/** Runs each rule in isolation. A rule that throws becomes one `error` finding; the run goes on. */
export function runRules(model: Model, rules: Rule[], opts: RunOptions = {}): Finding[] {
  return runRulesCounting(model, rules, opts).findings;
}

/**
 * `runRules`, and with `passes: "count"` the passes and not-applicable results counted apart (`counted`), never
 * made into findings: the most of a large scope's results, which a summarizing report only counts. A rule whose
 * results a collection gap can change (its passes may turn `unknown`, shown in full) still counts the results no gap
 * concerns when each of its gaps concerns some resources only (a finding then for each result about one of them);
 * with a gap on everything it reports as with "summary".
 * Every finding id is the same as in a "full" run (a counted result still takes its key).
 */
export function runRulesCounting(model: Model, rules: Rule[], opts: RunOptions = {}): RunResult {
  return drain(ruleSteps(model, rules, opts));
}

/** Runs a generator of steps (`ruleSteps`, `diagnoseSteps`) to its end, at once, and returns what it returns. */
export function drain<T>(steps: Generator<unknown, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `runRulesCounting` one rule at a time: the generator stops after each rule (yielding its id) and returns the run's
 * result, so that a screen can draw between rules (the TUI); what it gives is exactly what runRulesCounting gives.
 */
export function* ruleSteps(model: Model, rules: Rule[], opts: RunOptions = {}): Generator<string, RunResult, void> {
  const all: Finding[] = [];
  const counted: CountedResults[] = [];
  let countedTotal = 0;
  // process.hrtime, not performance.now(): the global `performance` loads Node's perf_hooks modules on first use (~2 ms of a check)
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  // resource id → its resource's record, across rules: rules report on the same resources (the same strings) again and
  // again, so a result costs one lookup; ids that differ only in case share the record of their resource key
  const byId = new Map<string, Given>();
  const byKey = new Map<string, Given>();
  const resource = (id: string): Given => {
    let g = byId.get(id);
    if (g === undefined) {
      const rk = idKey(id);
      g = byKey.get(rk);
      if (g === undefined) byKey.set(rk, (g = { rk, pipe: rk.includes("|"), rule: -1, keys: undefined }));
      byId.set(id, g);
    }
    return g;
  };
  let ruleIndex = -1;
  for (const rule of rules) {
    const r = ++ruleIndex;
    opts.onEvent?.({ type: "rule-start", ruleId: rule.id });
    const t0 = now();
    const out: Finding[] = [];
    // the ids given so far, as the keys on each resource's record (`Given`, those of this rule): the short parts are
    // hashed, never the long joined id; whole ids (`flat`) once a resource key holds a `|`, where two different pairs
    // could join into the same id
    let flat: Set<string> | undefined;
    const taken = (g: Given, k: string) => {
      if (flat) return flat.has(`${rule.id}|${g.rk}|${k}`);
      const keys = g.rule === r ? g.keys : undefined;
      if (keys === undefined) return false;
      if (typeof keys === "string") return keys === k;
      return Array.isArray(keys) ? keys.includes(k) : keys.has(k);
    };
    const severity = opts.severity?.[rule.id];
    const gaps = rulesGaps(rule, model);
    const gapped = gaps.length > 0;
    // the resources the rule's gaps concern, when each gap concerns some only (a failed read of one load balancer, of
    // one NIC's effective rules): a result about none of them is what it would be without the gaps, and is counted;
    // one about any is made a finding, which applyGaps turns unknown. A gap on everything leaves nothing to count.
    const gapKeys = gapped && gaps.every((g) => g.affects && g.resourceId) ? new Set(gaps.flatMap((g) => g.affects ?? [])) : undefined;
    // "count": results counted, not made into findings, unless a gap can change them
    const count = opts.passes === "count" && (!gapped || gapKeys !== undefined);
    const summarize = opts.passes === "summary" || (opts.passes === "count" && !count);
    const mine: CountedResults | undefined = count
      ? { ruleId: rule.id, status: [], resourceId: [], loadBalancerId: [], key: [] }
      : undefined;
    // light findings (passes and not-applicable results, with passes "summary") and how to complete each
    const light = new Map<Finding, ReportInput>();
    const complete: Completer = (f) => {
      const input = light.get(f);
      if (!input) return;
      light.delete(f);
      f.message = interpolate(rule.messages[input.messageId] as string, input.data);
      f.evidence = withValues(model.snapshot, input.evidence);
      f.subjects = input.subjects ? subjectKeys(input.subjects) : [idKey(input.resourceId)];
    };
    /**
     * Gives the result its key on its resource: what findingId(rule.id, resourceId, key) gives, with `#2`, `#3`… on a
     * key already given. Returns the key given; the resource's record is left in `last` (no object per result).
     */
    let last: Given | undefined;
    const give = (resourceId: string, key: string | undefined): string => {
      const g = resource(resourceId);
      last = g;
      const rk = g.rk;
      if (!flat && g.pipe) flat = givenIds(rule.id, r, byKey);
      let k = key ?? "";
      if (taken(g, k)) {
        const first = k;
        for (let n = 2; taken(g, (k = `${first}#${n}`)); n++);
      }
      if (flat) flat.add(`${rule.id}|${rk}|${k}`);
      else if (g.rule !== r || g.keys === undefined) {
        g.rule = r;
        g.keys = k;
      } else if (typeof g.keys === "string") g.keys = [g.keys, k];
      else if (!Array.isArray(g.keys)) g.keys.add(k);
      else if (g.keys.length < FEW_KEYS) g.keys.push(k);
      else g.keys = new Set([...g.keys, k]);
      return k;
    };
    // the keys of the counted results, given only once the rule makes a finding (whose id they can change): a rule
    // that only passes never pays for its keys; one that makes a finding gives them first, in report order
    let pending = mine !== undefined;
    const givePending = () => {
      if (!mine || !pending) return;
      for (let i = 0; i < mine.key.length; i++) give(mine.resourceId[i] as string, mine.key[i]);
      pending = false;
    };
    const ctx = {
      model,
      // counted results are never made into findings: their message data and evidence would be thrown away (but with
      // gaps to match them against: a pass's evidence may name a resource a gap concerns)
      passDetail: !count || gapKeys !== undefined,
      report(input: ReportInput) {
        const template = rule.messages[input.messageId];
        if (template === undefined) throw new Error(`rule ${rule.id} reported unknown messageId '${input.messageId}'`);
        if (mine && (input.status === "pass" || input.status === "not-applicable") && !(gapKeys && concerns(input, gapKeys))) {
          if (!pending) give(input.resourceId, input.key);
          if (input.severity !== undefined) (mine.severity ??= {})[mine.status.length] = input.severity;
          mine.key.push(input.key);
          mine.status.push(input.status);
          mine.resourceId.push(input.resourceId);
          mine.loadBalancerId.push(input.loadBalancerId);
          return;
        }
        givePending();
        const k = give(input.resourceId, input.key);
        const rk = (last as Given).rk;
        const id = `${rule.id}|${rk}|${k}`;
        const lazy = summarize && (input.status === "pass" || input.status === "not-applicable");
        const f: Finding = {
          id,
          ruleId: rule.id,
          status: input.status,
          severity: severity ?? input.severity ?? rule.severity, // a configured override wins over the rule's own per-finding choice
          resourceId: input.resourceId,
          resourceName: clip(input.resourceName ?? nameOf(input.resourceId)),
          title: rule.title,
          messageId: input.messageId,
          message: lazy ? "" : interpolate(template, input.data),
          evidence: lazy ? [] : withValues(model.snapshot, input.evidence),
          source: rule.source,
          references: rule.references,
          relatedTo: [],
          subjects: lazy ? [] : input.subjects ? subjectKeys(input.subjects) : [rk],
        };
        if (input.loadBalancerId) f.loadBalancerId = input.loadBalancerId;
        if (input.remediation && input.status === "fail") f.remediation = input.remediation;
        if (input.key !== undefined) f.key = input.key;
        if (input.basis) f.basis = input.basis;
        if (lazy) light.set(f, input);
        out.push(f);
      },
    };
    try {
      rule.check(ctx);
      if (out.length === 0 && (mine === undefined || mine.status.length === 0)) {
        out.push(scopeFinding(rule, severity ?? rule.severity, "not-applicable", "Nothing in scope for this rule."));
      }
    } catch (e) {
      out.length = 0;
      if (mine) {
        mine.status.length = mine.resourceId.length = mine.loadBalancerId.length = mine.key.length = 0;
        delete mine.severity;
      }
      out.push(scopeFinding(rule, severity ?? rule.severity, "error", `The rule failed: ${e instanceof Error ? e.message : String(e)}`));
    }
    if (out[0]?.status !== "error") applyGaps(rule, out, model, severity ?? rule.severity, light.size > 0 ? complete : undefined);
    // one at a time: a spread passes every finding as an argument, and a rule over 100,000 members overflows the stack
    for (const f of out) all.push(f);
    const n = mine?.status.length ?? 0;
    if (mine && n > 0) counted.push(mine);
    countedTotal += n;
    opts.onEvent?.({ type: "rule-end", ruleId: rule.id, findings: out.length + n, ms: now() - t0 });
    yield rule.id;
  }
  // evidence names resources by their ids as written: their keys come from the run's records (one lookup, no lower-casing)
  linkFindings(all, rules, (id) => resource(id).rk);
  opts.onEvent?.({ type: "done", findings: all.length + countedTotal });
  return { findings: all, counted };
}

/** A rule's one result about its whole scope: nothing in scope (not applicable), or the rule itself failed (error). */
function scopeFinding(rule: Rule, severity: Severity, status: "not-applicable" | "error", message: string): Finding {
  return {
    id: findingId(rule.id, "", status === "error" ? "error" : "scope"),
    ruleId: rule.id,
    status,
    severity,
    resourceId: "",
    resourceName: status === "error" ? "(rule)" : "(scope)",
    title: rule.title,
    message,
    evidence: [],
    source: rule.source,
    references: rule.references,
    relatedTo: [],
    subjects: [],
  };
}

/**
 * A resource's record in a run: its key, and the finding keys given on it by the rule that reported on it last
 * (`rule`, its index in the run; one key alone as a string: most resources get one result per rule).
 */
interface Given {
  rk: string;
  /** the key holds a `|` (see `flat` in runRulesCounting) */
  pipe: boolean;
  rule: number;
  keys: string | string[] | Set<string> | undefined;
}

/**
 * Up to how many keys a resource's record holds in a list, compared one by one, before a Set: a member's few results
 * per rule (one per load-balancing rule) differ in length or early, and a Set hashed each long key whole.
 */
const FEW_KEYS = 8;

/** The ids rule `r` gave so far, whole (for a rule whose resource keys can hold a `|`). */
function givenIds(ruleId: string, r: number, byKey: Map<string, Given>): Set<string> {
  const ids = new Set<string>();
  for (const { rk, rule, keys } of byKey.values()) {
    if (rule !== r || keys === undefined) continue;
    if (typeof keys === "string") ids.add(`${ruleId}|${rk}|${keys}`);
    else for (const k of keys) ids.add(`${ruleId}|${rk}|${k}`);
  }
  return ids;
}

/** The collection gaps that cover data the rule reads (they can change its passes: see applyGaps). */
function rulesGaps(rule: Rule, model: Model): ModelGap[] {
  const collection = gapIndex(model.gaps).collection;
  if (collection.length === 0) return collection;
  const reads = new Set(rule.reads ?? []);
  return collection.filter((g) => (g.covers ?? []).some((k) => reads.has(k)));
}

/** The messageId of a result that a collection gap turned into `unknown`. */
export const GAP_MESSAGE_ID = "collection-gap";

/**
 * Faults never turn a finding into a pass or "not applicable": when a collection
 * gap covers data the rule reads (`rule.reads` ∩ `gap.covers`), the rule's
 * passes and not-applicable results become `unknown`, with the gap as the
 * reason; its failures stay (a failure found in the data that was collected
 * is still a failure). A gap scoped to resources (`gap.affects`) changes only
 * the findings about them (by resource, load balancer, subject or evidence) and
 * the rule's scope-wide results; when the rule has no finding on the gap's
 * resource itself, it gets one `unknown` finding there, so that what could not
 * be read (a target group's targets) never silently drops out of the report.
 */
export function applyGaps(rule: Rule, out: Finding[], model: Model, severity: Severity, complete?: Completer): void {
  const gaps = rulesGaps(rule, model);
  if (gaps.length === 0) return;
  // a gap decides by a finding's subjects and evidence, and may turn a pass into an unknown shown in full: light findings are completed first
  if (complete) for (const f of out) complete(f);
  // scoped gaps are looked up by the keys they affect, so a gap spread over many resources (an AWS place's, one per
  // load balancer there) costs a lookup per finding, not a pass over every finding per gap
  const byKey = new Map<string, number[]>();
  const unscoped: number[] = [];
  gaps.forEach((g, i) => {
    if (!(g.affects && g.resourceId)) unscoped.push(i);
    else
      for (const k of new Set(g.affects)) {
        const list = byKey.get(k);
        if (list) list.push(i);
        else byKey.set(k, [i]);
      }
  });
  const every = gaps.map((_, i) => i);
  // a scoped gap is shown on its resource: by a finding on it, or by the rule's scope-wide result it changed
  const shown = gaps.map(() => false);
  const reasons = new Map<Finding, ModelGap[]>();
  for (const f of out) {
    const mine = f.resourceId === "" ? every : gapsAbout(f, byKey, unscoped);
    const own = f.resourceId === "" ? "" : idKey(f.resourceId);
    for (const i of mine) {
      const g = gaps[i] as ModelGap;
      if (f.resourceId === "" || (g.resourceId !== undefined && own === idKey(g.resourceId))) shown[i] = true;
      if (f.status === "pass" || f.status === "not-applicable") {
        const list = reasons.get(f);
        if (list) list.push(g);
        else reasons.set(f, [g]);
      }
    }
  }
  const added = new Map<string, Finding>();
  gaps.forEach((g, i) => {
    if (!(g.affects && g.resourceId) || shown[i]) return;
    const id = findingId(rule.id, g.resourceId, "gap");
    const existing = added.get(id);
    if (existing) {
      existing.evidence.push(gapEvidence(g));
      return;
    }
    added.set(id, {
      id,
      ruleId: rule.id,
      status: "unknown",
      severity,
      resourceId: g.resourceId,
      resourceName: clip(g.resourceName ?? nameOf(g.resourceId)),
      title: rule.title,
      messageId: GAP_MESSAGE_ID,
      message: `Not checked: ${gapText(g)}; this rule reads that data.`,
      evidence: [gapEvidence(g)],
      source: rule.source,
      references: rule.references,
      relatedTo: [],
      subjects: [idKey(g.resourceId)],
    });
  });
  for (const [f, gs] of reasons) {
    f.status = "unknown";
    f.message = `Not verified: ${gs.map(gapText).join("; ")}; this rule reads that data. What was collected says: ${f.message}`;
    f.messageId = GAP_MESSAGE_ID;
    f.evidence = [...gs.map(gapEvidence), ...f.evidence];
    delete f.remediation;
  }
  for (const f of added.values()) out.push(f);
}

/** The gaps (by index, in their order) that concern a finding: every unscoped one, and the scoped ones that affect its resource, load balancer, subjects or evidence. */
function gapsAbout(f: Finding, byKey: Map<string, number[]>, unscoped: number[]): number[] {
  if (byKey.size === 0) return unscoped;
  const found = new Set<number>(unscoped);
  const take = (k: string) => {
    const list = byKey.get(k);
    if (list) for (const i of list) found.add(i);
  };
  take(idKey(f.resourceId));
  if (f.loadBalancerId) take(idKey(f.loadBalancerId));
  for (const k of f.subjects) take(k);
  for (const e of f.evidence) if (e.resourceId !== "") take(idKey(e.resourceId));
  return found.size === unscoped.length ? unscoped : [...found].sort((a, b) => a - b);
}

/**
 * A gap in words: "failed" only for a call that failed (a status or a code); a gap recorded as a note (such as a
 * subscription read through some of its resource groups only) says what it is without claiming a failure.
 */
function gapText(g: ModelGap): string {
  const code = [g.status, g.code].filter((x) => x !== undefined && x !== "").join(" ");
  const on = g.resourceId ? ` on ${g.resourceId}` : "";
  return code ? `${g.operation}${on} failed (${code}): ${g.message}` : `${g.operation}${on}: ${g.message}`;
}

function gapEvidence(g: ModelGap): Evidence {
  const value: Record<string, unknown> = { operation: g.operation, message: g.message };
  if (g.status !== undefined) value.status = g.status;
  if (g.code !== undefined) value.code = g.code;
  return { resourceId: g.resourceId ?? "", pointer: g.pointer ?? "/gaps", value, label: "collection gap" };
}

/**
 * Links root causes to the symptoms they explain: a failing finding of rule A
 * explains a failing finding of rule B when A declares `explains: [B]` and the
 * two share a subject (e.g. the same pool member).
 */
export function linkFindings(findings: Finding[], rules: Rule[], keyOf: (id: string) => string = idKey): void {
  const explains = new Map(rules.map((r) => [r.id, new Set(r.explains ?? [])]));
  const byEvidence = new Set(rules.filter((r) => r.explainsByEvidence).map((r) => r.id));
  const fails = findings.filter((f) => f.status === "fail");
  // only a failure some failing cause can explain is looked up as a symptom: the rest (most failures on a large
  // scope: no outbound path, say) are never indexed, nor their evidence
  const symptomRules = new Set<string>();
  const evidenceSymptomRules = new Set<string>();
  const causeRules = new Set<string>();
  for (const f of fails) {
    const targets = explains.get(f.ruleId);
    if (!targets || targets.size === 0 || causeRules.has(f.ruleId)) continue;
    causeRules.add(f.ruleId);
    for (const t of targets) {
      symptomRules.add(t);
      if (byEvidence.has(f.ruleId)) evidenceSymptomRules.add(t);
    }
  }
  if (symptomRules.size === 0) return;
  const bySubject = new Map<string, Finding[]>();
  const byEvidenceResource = new Map<string, Finding[]>();
  // findings are added one at a time, so a finding already in a list is its last element
  const add = (map: Map<string, Finding[]>, k: string, f: Finding) => {
    const list = map.get(k);
    if (!list) map.set(k, [f]);
    else if (list[list.length - 1] !== f) list.push(f);
  };
  for (const f of fails) {
    if (!symptomRules.has(f.ruleId)) continue;
    for (const s of f.subjects) add(bySubject, s, f);
    if (evidenceSymptomRules.has(f.ruleId)) for (const e of f.evidence) if (e.resourceId) add(byEvidenceResource, keyOf(e.resourceId), f);
  }
  for (const cause of fails) {
    const targets = explains.get(cause.ruleId);
    if (!targets || targets.size === 0) continue;
    const viaEvidence = byEvidence.has(cause.ruleId);
    // the ids the cause is already related to: a cause shared by thousands of symptoms (one subnet) is asked about
    // each of them, and a scan of its growing relatedTo list made that quadratic (a symptom's own list stays short)
    const linked = new Set(cause.relatedTo.map((r) => r.findingId));
    for (const s of cause.subjects) {
      const symptoms = viaEvidence ? [...(bySubject.get(s) ?? []), ...(byEvidenceResource.get(s) ?? [])] : (bySubject.get(s) ?? []);
      for (const symptom of symptoms) {
        if (symptom === cause || !targets.has(symptom.ruleId)) continue;
        if (!symptom.relatedTo.some((r) => r.findingId === cause.id)) {
          symptom.relatedTo.push({ findingId: cause.id, ruleId: cause.ruleId, relation: "caused-by" });
        }
        if (!linked.has(symptom.id)) {
          linked.add(symptom.id);
          cause.relatedTo.push({ findingId: symptom.id, ruleId: symptom.ruleId, relation: "explains" });
        }
      }
    }
  }
}

/**
 * Root causes first: failing findings that explain others and that nothing
 * explains (a change that broke the probe), then causes that are themselves
 * explained (the NSG rule that change added), then other failures by
 * severity, then the symptoms, then the rest.
 */
export function orderFindings(findings: Finding[]): Finding[] {
  const statusOrder = { fail: 0, error: 1, unknown: 2, pass: 3, "not-applicable": 4 } as const;
  const causeRank = (f: Finding) => {
    const explains = f.relatedTo.some((r) => r.relation === "explains");
    const caused = f.relatedTo.some((r) => r.relation === "caused-by");
    return explains ? (caused ? 1 : 0) : caused ? 3 : 2;
  };
  // the keys once per finding, not once per comparison (n log n of them on a large scope); ids in root collation
  // order, through their collation keys (ids share long prefixes: collating each pair reads them whole)
  const keyed = findings.map((f) => ({
    f,
    rank: statusOrder[f.status] * 10 + (f.status === "fail" ? causeRank(f) : 0),
    severity: severityRank(f.severity),
    idKey: collationKey(f.id),
  }));
  keyed.sort(
    (a, b) =>
      a.rank - b.rank || b.severity - a.severity || compareText(a.f.ruleId, b.f.ruleId) || compareByKey(a.f.id, a.idKey, b.f.id, b.idKey),
  );
  return keyed.map((k) => k.f);
}
