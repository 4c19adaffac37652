/**
 * ARM resources whose `type` (or `name`) the wire body leaves out. Both are
 * read-only and optional in the REST specs, and Microsoft's own published
 * examples omit them (a subnet GET, a scale-set NIC GET), so a snapshot may
 * too: they are derived from the id, which ARM always returns.
 */
import { lastSegment } from "../../core/util/resource-id.ts";

/**
 * The resource type an ARM id names: the provider namespace and every type segment after it,
 * e.g. `…/providers/Microsoft.Network/virtualNetworks/v/subnets/s` → `Microsoft.Network/virtualNetworks/subnets`.
 * The last `providers` segment counts (extension resources nest them). Undefined when the id names none.
 */
export function armTypeFromId(id: string): string | undefined {
  const parts = id.split("/").filter((p) => p.length > 0);
  let at = -1;
  for (let i = 0; i < parts.length; i++) if (parts[i]?.toLowerCase() === "providers") at = i;
  if (at < 0) return undefined;
  const namespace = parts[at + 1];
  const rest = parts.slice(at + 2);
  if (!namespace || rest.length < 2) return undefined;
  const types: string[] = [];
  for (let i = 0; i < rest.length; i += 2) types.push(rest[i] as string);
  return [namespace, ...types].join("/");
}

interface Completable {
  id?: unknown;
  name?: unknown;
  type?: unknown;
}

/**
 * The Azure `resources` with a missing `type` or `name` filled in from the id. Copy on write: the
 * snapshot comes back as it is when nothing is missing, else a shallow copy whose completed resources
 * are copies, at the same indexes (every JSON Pointer into the snapshot still holds).
 */
export function completeArmResources<S extends { resources?: unknown }>(snapshot: S): S {
  const resources = snapshot.resources;
  if (!Array.isArray(resources)) return snapshot;
  let out: unknown[] | undefined;
  resources.forEach((r: unknown, i) => {
    if (r === null || typeof r !== "object") return;
    const res = r as Completable;
    if (typeof res.id !== "string") return;
    const needType = typeof res.type !== "string";
    const needName = typeof res.name !== "string";
    if (!needType && !needName) return;
    const fill: Completable = {};
    if (needType) {
      const t = armTypeFromId(res.id);
      if (t) fill.type = t;
    }
    if (needName) fill.name = lastSegment(res.id);
    if (Object.keys(fill).length === 0) return;
    out ??= [...resources];
    out[i] = { ...res, ...fill };
  });
  return out ? { ...snapshot, resources: out } : snapshot;
}
