import type { TagsOf } from "../../core/config/suppress.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import { idKey, parentResourceId } from "./arm-id.ts";
import type { AzureSnapshot } from "./wire-types.ts";

/** The ARM resource's `tags`; a child resource (a NIC's ip configuration) takes its parent's. */
export function azureTags(snapshot: Snapshot): TagsOf {
  const byKey = new Map<string, Record<string, string>>();
  for (const r of (snapshot as AzureSnapshot).resources ?? []) {
    if (r && typeof r.id === "string" && r.tags && typeof r.tags === "object") byKey.set(idKey(r.id), r.tags);
  }
  return (id) => (id ? (byKey.get(idKey(id)) ?? byKey.get(idKey(parentResourceId(id)))) : undefined);
}

/** A resource's key and its containing resource's (…/networkInterfaces/n/ipConfigurations/c → …/networkInterfaces/n). */
export function azureRelatedKeys(id: string): string[] {
  if (!id) return [];
  const k = idKey(id);
  const p = idKey(parentResourceId(id));
  return p === k ? [k] : [k, p];
}
