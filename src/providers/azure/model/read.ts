/** Small readers for untyped ARM wire JSON, shared by the model's section builders. */
import { arr, type Obj, obj, str } from "../../../core/util/wire.ts";
import { idKey } from "../arm-id.ts";
import type { ArmResource } from "../wire-types.ts";

export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
export const refId = (v: unknown): string | undefined => str(obj(v).id);
export const props = (v: unknown): Obj => obj(obj(v).properties);
/** The idKeys of a list of `{id}` references. */
export const refKeys = (list: unknown): string[] =>
  arr(list)
    .map(refId)
    .filter((x): x is string => !!x)
    .map(idKey);

export function typeIs(r: ArmResource, type: string): boolean {
  // every builder asks this of every resource: the exact spelling (the usual one) and a length that differs need no lower-casing
  if (r.type === type) return true;
  if (r.type.length !== type.length) return false;
  return r.type.toLowerCase() === type.toLowerCase();
}

/** The segment after the first `resourceGroups` segment (any case), if there is one; one native scan, no split. */
const RESOURCE_GROUP = /(?:^|\/)resourcegroups(?:\/([^/]*))?(?=\/|$)/i;

/** The resource group named in an ARM id (every resource the model reads asks once). */
export function resourceGroupOf(id: string): string | undefined {
  return RESOURCE_GROUP.exec(id)?.[1];
}
