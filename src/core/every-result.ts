/**
 * Every result of a diagnosis, for a screen that can list them all (the TUI's
 * `a`), when the engine only counted the passes and not-applicable results
 * (`passes: "count"`: at 20,000 NICs ten results in eleven, and most of the
 * engine's time and memory). They become light findings (no message, no
 * evidence) the first time the whole list is asked for, and one is made whole
 * when it is opened, by running its rule again: a rule is a pure function of
 * the model, so the run gives the same results in the same order.
 */
import { type Diagnosis, placed } from "./diagnose.ts";
import { orderFindings, runRulesCounting } from "./engine/run.ts";
import type { Finding, Model, Severity } from "./engine/types.ts";
import type { ProviderAdapter } from "./provider.ts";
import { idKey, lastSegment } from "./util/resource-id.ts";
import { clip } from "./util/words.ts";

export interface EveryResult {
  /** every result in report order: the findings, and the counted ones as light findings; made on the first call */
  list(): Finding[];
  /** a light finding of `list` made whole (its rule run again, once per rule); any other finding as it is */
  complete(f: Finding): Finding;
}

export function everyResult(d: Diagnosis, adapter: ProviderAdapter<Model>, severity: Record<string, Severity> = {}): EveryResult {
  const rules = new Map(d.rules.map((r) => [r.id, r]));
  // a counted result's light finding → its index among its rule's passes and not-applicable results in a full run
  const ordinal = new Map<Finding, number>();
  let all: Finding[] | undefined;
  // per rule: its results in a full run, in the order it reported them
  const full = new Map<string, Finding[]>();
  const ruleRun = (ruleId: string): Finding[] | undefined => {
    let out = full.get(ruleId);
    const rule = rules.get(ruleId);
    if (out === undefined && rule) {
      out = placed(runRulesCounting(d.model, [rule], { passes: "full", severity }).findings, adapter, d.model);
      full.set(ruleId, out);
    }
    return out;
  };
  return {
    list() {
      if (all) return all;
      const made: Finding[] = [...d.findings];
      // ids stay unique as the engine keeps them: a key given twice on a resource takes `#2`, `#3`…
      const taken = new Set(d.findings.map((f) => f.id));
      for (const c of d.counted) {
        const rule = rules.get(c.ruleId);
        if (!rule) continue;
        const light: Finding[] = [];
        for (let i = 0; i < c.status.length; i++) {
          const resourceId = c.resourceId[i] as string;
          const key = c.key[i];
          const base = `${rule.id}|${idKey(resourceId)}|${key ?? ""}`;
          let id = base;
          for (let n = 2; taken.has(id); n++) id = `${base}#${n}`;
          taken.add(id);
          const f: Finding = {
            id,
            ruleId: rule.id,
            status: c.status[i] as Finding["status"],
            severity: severity[rule.id] ?? c.severity?.[i] ?? rule.severity,
            resourceId,
            resourceName: clip(lastSegment(resourceId)),
            title: rule.title,
            message: "",
            evidence: [],
            source: rule.source,
            references: rule.references,
            relatedTo: [],
            subjects: [],
          };
          const lb = c.loadBalancerId[i];
          if (lb !== undefined) f.loadBalancerId = lb;
          if (key !== undefined) f.key = key;
          ordinal.set(f, c.ordinal?.[i] ?? i);
          light.push(f);
        }
        for (const f of placed(light, adapter, d.model)) made.push(f);
      }
      // `placed` may copy a finding: the ordinals follow the copies
      if (adapter.locate) {
        const byId = new Map([...ordinal].map(([f, n]) => [f.id, n]));
        ordinal.clear();
        for (const f of made) {
          const n = byId.get(f.id);
          if (n !== undefined) ordinal.set(f, n);
        }
      }
      all = orderFindings(made);
      return all;
    },
    complete(f) {
      const n = ordinal.get(f);
      const run = n === undefined ? undefined : ruleRun(f.ruleId);
      if (!run) return f;
      // the n-th pass or not-applicable result of the rule's full run
      let whole: Finding | undefined;
      let seen = -1;
      for (const x of run) {
        if ((x.status === "pass" || x.status === "not-applicable") && ++seen === n) {
          whole = x;
          break;
        }
      }
      // the same result: on the same resource, with the same status (else the light one, rather than another's detail)
      if (!whole || whole.status !== f.status || idKey(whole.resourceId) !== idKey(f.resourceId)) return f;
      return { ...whole, id: f.id };
    },
  };
}
