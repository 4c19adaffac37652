/** What a list shows under the text filter (`/`), the severity floor (`s`) and the all-statuses toggle (`a`). */

import { type Finding, SEVERITIES, type Severity, severityRank } from "../../core/engine/types.ts";
import { compareText } from "../../core/util/collate.ts";
import { idKey } from "../../core/util/resource-id.ts";
import type { LbEntry, MemberRow, TuiData } from "../types.ts";

export interface ListFilter {
  text: string;
  minSeverity?: Severity;
  /** also show passing and not-applicable results */
  all: boolean;
  /** the order of the findings (`o`); root causes first when unset */
  sort?: SortKey;
}

/** `o` cycles: root causes first (the report's order) → severity → resource → state → root causes first. */
export type SortKey = "severity" | "resource" | "state";
export const SORTS: SortKey[] = ["severity", "resource", "state"];

export function nextSort(s: SortKey | undefined): SortKey | undefined {
  if (!s) return SORTS[0];
  return SORTS[SORTS.indexOf(s) + 1];
}

export function describeSort(s: SortKey | undefined): string {
  return s ? `sorted by ${s} ▼` : "root causes first";
}

const STATE_RANK: Record<Finding["status"], number> = { error: 0, fail: 1, unknown: 2, pass: 3, "not-applicable": 4 };

function sortFindings(list: Finding[], s: SortKey | undefined): Finding[] {
  if (!s) return list;
  // stable: ties keep the report's order (root causes first)
  const order = new Map(list.map((x, i) => [x, i]));
  const sevOf = (x: Finding) => (x.status === "fail" ? severityRank(x.severity) : -1);
  const cmp: (a: Finding, b: Finding) => number =
    s === "severity"
      ? (a, b) => sevOf(b) - sevOf(a)
      : s === "resource"
        ? (a, b) => compareText(a.resourceName, b.resourceName) || compareText(a.ruleId, b.ruleId)
        : (a, b) => STATE_RANK[a.status] - STATE_RANK[b.status] || sevOf(b) - sevOf(a);
  return [...list].sort((a, b) => cmp(a, b) || (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

const has = (hay: Array<string | undefined>, needle: string) => {
  const n = needle.trim().toLowerCase();
  return n === "" || hay.some((h) => h?.toLowerCase().includes(n));
};

const lbCache = new WeakMap<Finding[], Map<string, Finding[]>>();

/** The findings of each load balancer (by idKey), in the list's order; computed once per list. */
function byLoadBalancer(findings: Finding[]): Map<string, Finding[]> {
  let m = lbCache.get(findings);
  if (m) return m;
  m = new Map();
  const keyOf = new Map<string, string>();
  for (const x of findings) {
    if (x.loadBalancerId === undefined) continue;
    let k = keyOf.get(x.loadBalancerId);
    if (k === undefined) keyOf.set(x.loadBalancerId, (k = idKey(x.loadBalancerId)));
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  lbCache.set(findings, m);
  return m;
}

/** The findings a list draws from: every result with `a` (made on first use: see TuiData.allFindings), else the fail, unknown and error findings. */
export function resultList(data: TuiData, all: boolean): Finding[] {
  return all && data.allFindings ? data.allFindings() : data.findings;
}

// a keypress re-reads the list: computed once per (findings, filter, load balancer), so that moving the cursor costs the same at 10 and at 20,000 findings
const findingCache = new WeakMap<Finding[], Map<string, Finding[]>>();

export function visibleFindings(findings: Finding[], f: ListFilter, lbKey?: string): Finding[] {
  const key = JSON.stringify([f.text, f.minSeverity ?? "", f.all, f.sort ?? "", lbKey ?? ""]);
  let byKey = findingCache.get(findings);
  if (!byKey) findingCache.set(findings, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) {
    // least recently used goes first: the list on screen, asked on every keypress, is never the one dropped
    byKey.delete(key);
    byKey.set(key, hit);
    return hit;
  }
  // one load balancer's: from its own findings, grouped once, not a scan of every finding per load balancer
  const source = lbKey === undefined ? findings : (byLoadBalancer(findings).get(lbKey) ?? []);
  const shown = sortFindings(
    source.filter(
      (x) =>
        (f.all || x.status === "fail" || x.status === "error" || x.status === "unknown") &&
        (!f.minSeverity || severityRank(x.severity) >= severityRank(f.minSeverity)) &&
        has([x.ruleId, x.resourceName, x.resourceId, x.key, x.message, x.title, x.severity, x.status], f.text),
    ),
    f.sort,
  );
  if (byKey.size >= 32) byKey.delete(byKey.keys().next().value as string);
  byKey.set(key, shown);
  return shown;
}

export function visibleLbs(lbs: LbEntry[], f: ListFilter): LbEntry[] {
  return lbs.filter((lb) => has([lb.name, lb.sku, lb.kind, lb.status, lb.id, ...lb.frontends], f.text));
}

export function visibleMember(m: MemberRow, f: ListFilter): boolean {
  return has([m.member, m.vm, m.ip, m.power, m.health.state, m.health.reason], f.text);
}

/** The next floor in the `s` cycle: any → critical → high → medium → low → info → any. */
export function nextSeverity(s: Severity | undefined): Severity | undefined {
  if (!s) return SEVERITIES[0];
  const i = SEVERITIES.indexOf(s);
  return SEVERITIES[i + 1];
}

export function describeFilter(f: ListFilter): string {
  const parts = [`severity ≥ ${f.minSeverity ?? "any"}`];
  if (f.text) parts.push(`filter "${f.text}"`);
  if (f.all) parts.push("all results");
  return parts.join(" · ");
}
