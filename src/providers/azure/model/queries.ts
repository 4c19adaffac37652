/** Queries rules share over the Azure model. */
import { collectionGapsByOperation, gapIndex, gapsAboutKeys } from "../../../core/engine/gaps.ts";
import { idKey } from "../arm-id.ts";
import type { AzureModel, Frontend, IpConfig, ModelGap } from "./types.ts";

/** Collection gaps and dangling references that concern any of the given ids (or their parents). */
export function gapsFor(model: AzureModel, ids: Array<string | undefined>): ModelGap[] {
  // asked once per pool member by several rules: nothing to look up in most snapshots, and no id parsing when there is
  if (gapIndex(model.gaps).byKey.size === 0) return [];
  const keys: string[] = [];
  for (const id of ids) {
    if (!id) continue;
    const k = idKey(id);
    keys.push(k, parentKey(k));
  }
  return gapsAboutKeys(model.gaps, keys);
}

/** parentResourceId for a key (lower case): …/providers/<namespace>/<type>/<name>, without splitting the id. */
function parentKey(k: string): string {
  const i = k.indexOf("/providers/");
  if (i < 0) return k;
  let j = i + "/providers/".length;
  for (let seg = 0; seg < 2; seg++) {
    j = k.indexOf("/", j);
    if (j < 0) return k;
    j++;
  }
  const end = k.indexOf("/", j);
  return end < 0 ? k : k.slice(0, end);
}

/** Collection gaps whose operation name contains the fragment (e.g. a whole list that failed, reported on its resource group). */
export function listGaps(model: AzureModel, operationFragment: string): ModelGap[] {
  return collectionGapsByOperation(model.gaps, operationFragment);
}

/** The member's VNet address space (own plus peered), when known. */
export function vnetSpaceOf(c: IpConfig | undefined): string[] | undefined {
  const v = c?.subnet?.vnet;
  if (!v) return undefined;
  return [...v.addressSpace, ...v.peeredSpace];
}

export function lbFrontendIp(f: Frontend | undefined): string | undefined {
  if (!f) return undefined;
  return f.publicIp?.ipAddress ?? f.privateIp;
}
