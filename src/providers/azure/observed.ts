/**
 * What the platform observed serving, read from the rule-health bodies, for rules that infer from
 * configuration that nothing can serve (see src/core/engine/observed.ts: observations outrank inference).
 */
import type { Observation } from "../../core/engine/observed.ts";
import type { Evidence } from "../../core/engine/types.ts";
import { join } from "../../core/util/json-pointer.ts";
import { isUp, ruleHealthFor } from "./health-reasons.ts";
import type { AzureModel, LbRule, LoadBalancer, PoolMember } from "./model.ts";

const reasonsOf = (rs: Array<string | undefined>) => [...new Set(rs.filter((r): r is string => !!r))].join(", ");

/**
 * The backends the rules' health bodies report Up (the body's `up` count, or its Up entries), whatever the pool's
 * configuration says. Undefined when no rule has a health body (nothing was observed).
 */
export function observedServing(model: AzureModel, lb: LoadBalancer, rules: LbRule[]): Observation | undefined {
  let seen = false;
  let up = 0;
  const reasons: Array<string | undefined> = [];
  const evidence: Evidence[] = [];
  for (const rule of rules) {
    const obs = model.observations.ruleHealth.get(rule.key);
    if (!obs) continue;
    seen = true;
    const entries = obs.body.loadBalancerBackendAddresses ?? [];
    const upEntries = entries.map((e, i) => ({ e, i })).filter(({ e }) => e.state?.toLowerCase() === "up");
    const n = Math.max(typeof obs.body.up === "number" ? obs.body.up : 0, upEntries.length);
    if (n > up) up = n;
    for (const { e, i } of upEntries) {
      reasons.push(e.reason);
      evidence.push({ resourceId: lb.id, pointer: join(obs.ptr, "loadBalancerBackendAddresses", i), label: `rule health of ${rule.name}` });
    }
    if (upEntries.length === 0 && n > 0)
      evidence.push({ resourceId: lb.id, pointer: join(obs.ptr, "up"), label: `rule health of ${rule.name}` });
  }
  if (!seen) return undefined;
  const why = reasonsOf(reasons);
  return {
    text: up > 0 ? `rule health reports ${up} backend(s) Up${why ? ` (${why})` : ""}` : "rule health reports no backend Up",
    contradicts: up > 0,
    evidence: up > 0 ? evidence : [],
  };
}

/** The member's own rule-health entry for any of the rules: Up contradicts an inference that it cannot answer. */
export function observedMember(model: AzureModel, lb: LoadBalancer, rules: LbRule[], member: PoolMember): Observation | undefined {
  for (const rule of rules) {
    const e = ruleHealthFor(model, rule)?.byMember.get(member);
    if (!e) continue;
    const text = `rule health of ${rule.name} reports it ${e.state ?? "(no state)"}${e.reason ? ` (${e.reason})` : ""}`;
    return { text, contradicts: isUp(e), evidence: [{ resourceId: lb.id, pointer: e.ptr, label: `rule health of ${rule.name}` }] };
  }
  return undefined;
}

/**
 * How many of the load balancer's backends its rules' health bodies report Up, of how many they report: a backend
 * (by IP configuration, else address) counts as up when any rule reports it Up. Undefined when no rule has a body, or the bodies list no backend.
 */
export function observedMembers(model: AzureModel, lb: LoadBalancer): { up: number; total: number } | undefined {
  const states = new Map<string, boolean>();
  let seen = false;
  let countsUp = 0;
  let countsTotal = 0;
  for (const rule of lb.rules) {
    const obs = model.observations.ruleHealth.get(rule.key);
    if (!obs) continue;
    seen = true;
    const entries = obs.body.loadBalancerBackendAddresses ?? [];
    entries.forEach((e, i) => {
      const k = e.networkInterfaceIPConfigurationId?.toLowerCase() ?? e.ipAddress ?? `${rule.key}#${i}`;
      states.set(k, states.get(k) === true || e.state?.toLowerCase() === "up");
    });
    // a body with counts only
    if (entries.length === 0) {
      const up = typeof obs.body.up === "number" ? obs.body.up : 0;
      const down = typeof obs.body.down === "number" ? obs.body.down : 0;
      if (up + down > countsTotal) {
        countsTotal = up + down;
        countsUp = up;
      }
    }
  }
  if (!seen) return undefined;
  if (states.size === 0) return countsTotal > 0 ? { up: countsUp, total: countsTotal } : undefined;
  return { up: [...states.values()].filter(Boolean).length, total: states.size };
}
