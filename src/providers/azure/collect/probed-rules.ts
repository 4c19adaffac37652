import type { ArmResource } from "../../../providers/azure/wire-types.ts";

/** The load-balancing rules of a wire LB that have a probe: the only ones with a health observation. */
export function probedRules(lb: ArmResource): Array<{ id: string; name: string }> {
  const rules = (lb.properties?.loadBalancingRules ?? []) as Array<{
    id?: string;
    name?: string;
    properties?: { probe?: { id?: string } };
  }>;
  const out: Array<{ id: string; name: string }> = [];
  for (const r of Array.isArray(rules) ? rules : []) if (r.id && r.name && r.properties?.probe?.id) out.push({ id: r.id, name: r.name });
  return out;
}
