/** Queries rules share over the AWS model. */
import { collectionGapsByOperation, gapsAboutKeys } from "../../../core/engine/gaps.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import type { AwsModel, ModelGap } from "./types.ts";

/** Gaps (collection or dangling) about any of the given ids. */
export function gapsFor(model: AwsModel, ids: Array<string | undefined>): ModelGap[] {
  const keys = new Set(ids.filter((x): x is string => !!x).map(idKey));
  return gapsAboutKeys(model.gaps, keys);
}

/** Collection gaps whose operation contains the fragment (e.g. "DescribeSecurityGroups"), whatever their resource. */
export function listGaps(model: AwsModel, operationFragment: string): ModelGap[] {
  return collectionGapsByOperation(model.gaps, operationFragment);
}
