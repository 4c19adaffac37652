/** The diff's Azure half: ARM resources by id (case-insensitively), observations by key, ids shortened after the provider. */
import { type DiffAdapter, type Entity, entityList, isObject, pushObservations } from "../../core/diff/compare.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import { idKey } from "./arm-id.ts";
import type { AzureSnapshot } from "./wire-types.ts";

function entities(s: Snapshot): Entity[] {
  const { out, push } = entityList();
  const resources = (s as AzureSnapshot).resources;
  if (!Array.isArray(resources)) return out;
  resources.forEach((r, i) => {
    if (!isObject(r)) return;
    const id = typeof r.id === "string" ? r.id : `#${i}`;
    push({
      category: "resource",
      key: `resource|${idKey(id)}`,
      id,
      name: typeof r.name === "string" ? r.name : (id.split("/").pop() ?? id),
      type: typeof r.type === "string" ? r.type : "",
      pointer: `/resources/${i}`,
      value: r,
    });
  });
  pushObservations(s.observations as Record<string, unknown> | undefined, push);
  return out;
}

/** An ARM id as what follows the provider (networkInterfaces/vm1-nic/ipConfigurations/ipconfig1); anything else as is. */
function shortId(v: string): string {
  if (!v.toLowerCase().startsWith("/subscriptions/")) return v;
  const parts = v.split("/");
  const i = parts.findIndex((p) => p.toLowerCase() === "providers");
  return i >= 0 ? parts.slice(i + 2).join("/") : v;
}

/**
 * ARM compares ids case-insensitively, and responses mix casings: an id that differs only in case is the same id, and
 * so is a resource type (`Microsoft.Network/loadBalancers`, `MICROSOFT.NETWORK/LOADBALANCERS`): namespaces and types
 * are case-insensitive too.
 */
function sameId(x: string, y: string): boolean {
  const lx = x.toLowerCase();
  if (lx.startsWith("/subscriptions/")) return idKey(x) === idKey(y);
  return ARM_TYPE.test(x) && lx === y.toLowerCase();
}

/** An ARM resource type: `Microsoft.Network/loadBalancers`, `Microsoft.Compute/virtualMachines/extensions`. */
const ARM_TYPE = /^microsoft\.[a-z]+(\/[a-z]+)+$/i;

export const azureDiff: DiffAdapter = { entities, shortId, sameId };
