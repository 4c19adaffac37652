/** The snapshot's observations (rule health, effective NSGs, guest checks), keyed by idKey. */
import type { GuestObservation } from "../../../core/snapshot/types.ts";
import { pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../arm-id.ts";
import type { AzureSnapshot, RuleHealthBody } from "../wire-types.ts";
import type { AzureModel, EffectiveNsgObservation } from "./types.ts";

export function readObservations(snapshot: AzureSnapshot): AzureModel["observations"] {
  const obs = snapshot.observations ?? {};
  const ruleHealth = new Map<string, { ptr: string; body: RuleHealthBody }>();
  for (const [k, body] of Object.entries(obs.ruleHealth ?? {})) {
    ruleHealth.set(idKey(k), { ptr: pointer("observations", "ruleHealth", k), body });
  }
  const effectiveNsgs = new Map<string, EffectiveNsgObservation>();
  for (const [k, body] of Object.entries(obs.effectiveNetworkSecurityGroups ?? {})) {
    effectiveNsgs.set(idKey(k), { key: idKey(k), ptr: pointer("observations", "effectiveNetworkSecurityGroups", k), body });
  }
  const guest = new Map<string, { ptr: string; body: GuestObservation }>();
  for (const [k, body] of Object.entries(obs.guest ?? {})) {
    guest.set(idKey(k), { ptr: pointer("observations", "guest", k), body });
  }
  return { ruleHealth, effectiveNsgs, guest };
}
