/** Queries rules share over the AWS model. */
import { idKey } from "../../../core/util/resource-id.ts";
import type { AwsModel, ModelGap } from "./types.ts";

/** Gaps (collection or dangling) about any of the given ids. */
export function gapsFor(model: AwsModel, ids: Array<string | undefined>): ModelGap[] {
  const keys = new Set(ids.filter((x): x is string => !!x).map(idKey));
  return model.gaps.filter((g) => g.resourceId !== undefined && keys.has(idKey(g.resourceId)));
}

/** Collection gaps whose operation contains the fragment (e.g. "DescribeSecurityGroups"), whatever their resource. */
export function listGaps(model: AwsModel, operationFragment: string): ModelGap[] {
  const f = operationFragment.toLowerCase();
  return model.gaps.filter((g) => g.kind === "collection" && g.operation.toLowerCase().includes(f));
}
