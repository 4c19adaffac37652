/** What a list shows under the text filter (`/`), the severity floor (`s`) and the all-statuses toggle (`a`). */

import { type Finding, SEVERITIES, type Severity, severityRank } from "../../core/engine/types.ts";
import { idKey } from "../../core/util/resource-id.ts";
import type { LbEntry, MemberRow } from "../types.ts";

export interface ListFilter {
  text: string;
  minSeverity?: Severity;
  /** also show passing and not-applicable results */
  all: boolean;
}

const has = (hay: Array<string | undefined>, needle: string) => {
  const n = needle.trim().toLowerCase();
  return n === "" || hay.some((h) => h?.toLowerCase().includes(n));
};

export function visibleFindings(findings: Finding[], f: ListFilter, lbKey?: string): Finding[] {
  return findings.filter(
    (x) =>
      (f.all || x.status === "fail" || x.status === "error" || x.status === "unknown") &&
      (lbKey === undefined || (x.loadBalancerId !== undefined && idKey(x.loadBalancerId) === lbKey)) &&
      (!f.minSeverity || severityRank(x.severity) >= severityRank(f.minSeverity)) &&
      has([x.ruleId, x.resourceName, x.message, x.title, x.severity, x.status], f.text),
  );
}

export function visibleLbs(lbs: LbEntry[], f: ListFilter): LbEntry[] {
  return lbs.filter((lb) => has([lb.name, lb.sku, lb.kind, lb.status, ...lb.frontends], f.text));
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
