import type { TagsOf } from "../../core/config/suppress.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import { idKey } from "../../core/util/resource-id.ts";

/** The `Tags` list of whatever the snapshot holds under an id or ARN (EC2 instances, security groups, subnets…). */
export function awsTags(snapshot: Snapshot): TagsOf {
  const byKey = new Map<string, Record<string, string>>();
  const s = snapshot as unknown as Record<string, Record<string, unknown> | undefined>;
  const lists: unknown[] = [...Object.values(s.elbv2 ?? {}), ...Object.values(s.ec2 ?? {}), ...Object.values(s.autoscaling ?? {})];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const o of list) {
      if (!o || typeof o !== "object") continue;
      const rec = o as Record<string, unknown>;
      if (!Array.isArray(rec.Tags)) continue;
      const tags: Record<string, string> = {};
      for (const t of rec.Tags as Array<{ Key?: unknown; Value?: unknown }>) {
        if (t && typeof t.Key === "string") tags[t.Key] = typeof t.Value === "string" ? t.Value : "";
      }
      for (const [k, v] of Object.entries(rec)) {
        if (typeof v === "string" && /(Id|Arn|ARN)$/.test(k)) byKey.set(v.toLowerCase(), tags);
      }
    }
  }
  return (id) => {
    if (!id) return undefined;
    const k = id.toLowerCase();
    return byKey.get(k) ?? byKey.get(k.slice(k.lastIndexOf("/") + 1));
  };
}

/** AWS ids stand alone: a resource relates only under its own key. */
export function awsRelatedKeys(id: string): string[] {
  return id ? [idKey(id)] : [];
}
