/** Queries rules share over the Azure model. */
import { collectionGapsByOperation, gapsAboutKeys } from "../../../core/engine/gaps.ts";
import { idKey, parentResourceId } from "../arm-id.ts";
import type { AzureModel, Frontend, IpConfig, ModelGap } from "./types.ts";

/** Collection gaps and dangling references that concern any of the given ids (or their parents). */
export function gapsFor(model: AzureModel, ids: Array<string | undefined>): ModelGap[] {
  const keys = new Set(ids.filter((x): x is string => !!x).map(idKey));
  for (const k of [...keys]) keys.add(idKey(parentResourceId(k)));
  return gapsAboutKeys(model.gaps, keys);
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
