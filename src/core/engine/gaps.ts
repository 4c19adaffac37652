import { idKey } from "../util/resource-id.ts";
import type { ModelGap } from "./types.ts";

/**
 * Records a reference the snapshot cannot resolve as a `dangling-reference`
 * gap, once per (target, holder) pair.
 */
export function danglingRecorder(gaps: ModelGap[]): (targetId: string, fromId: string, fromName: string, what: string) => void {
  const seen = new Set<string>();
  return (targetId, fromId, fromName, what) => {
    const k = `${idKey(targetId)}|${idKey(fromId)}`;
    if (seen.has(k)) return;
    seen.add(k);
    gaps.push({
      kind: "dangling-reference",
      operation: "resolve",
      resourceId: targetId,
      referencedFrom: fromId,
      message: `${what} ${targetId} (referenced by ${fromName}) is not in the snapshot`,
    });
  };
}
