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

/** A model's gaps indexed once: by resource key, the collection gaps alone, and each gap's position. */
export interface GapIndex {
  /** gaps by `idKey(resourceId)`, in model order */
  byKey: Map<string, ModelGap[]>;
  /** the `collection` gaps, in model order (dangling references are most gaps on large snapshots) */
  collection: ModelGap[];
  /** a gap's index in the model's list */
  position: Map<ModelGap, number>;
  /** the collection gaps of each operation fragment asked for (lower case), filled on first use (collectionGapsByOperation) */
  byOperation: Map<string, readonly ModelGap[]>;
}

const indexes = new WeakMap<ModelGap[], { length: number; index: GapIndex }>();

/**
 * The index of a gap list, built on first use and rebuilt only when the list
 * grew or shrank (models append gaps while they are built, never after).
 * Queries that run once per pool member use it instead of scanning every gap.
 */
export function gapIndex(gaps: ModelGap[]): GapIndex {
  const cached = indexes.get(gaps);
  if (cached && cached.length === gaps.length) return cached.index;
  const index: GapIndex = { byKey: new Map(), collection: [], position: new Map(), byOperation: new Map() };
  gaps.forEach((g, i) => {
    index.position.set(g, i);
    if (g.kind === "collection") index.collection.push(g);
    if (g.resourceId === undefined) return;
    const k = idKey(g.resourceId);
    const list = index.byKey.get(k);
    if (list) list.push(g);
    else index.byKey.set(k, [g]);
  });
  indexes.set(gaps, { length: gaps.length, index });
  return index;
}

/** The gaps about any of these resource keys, in model order (each once). */
export function gapsAboutKeys(gaps: ModelGap[], keys: Iterable<string>): ModelGap[] {
  const { byKey, position } = gapIndex(gaps);
  let out: ModelGap[] | undefined;
  let lists = 0;
  for (const k of keys) {
    const list = byKey.get(k);
    if (!list) continue;
    lists++;
    out = out ? out.concat(list) : list.slice();
  }
  if (!out) return [];
  if (lists > 1) {
    out = [...new Set(out)];
    out.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  }
  return out;
}

/**
 * Collection gaps whose operation name contains the fragment (case-insensitive), in model order: found once per gap list
 * and fragment (a rule asks once per zone or member), so the list is shared and frozen: a caller copies it to change it.
 */
export function collectionGapsByOperation(gaps: ModelGap[], operationFragment: string): ModelGap[] {
  const f = operationFragment.toLowerCase();
  const index = gapIndex(gaps);
  let found = index.byOperation.get(f);
  if (!found) {
    found = Object.freeze(index.collection.filter((g) => g.operation.toLowerCase().includes(f)));
    index.byOperation.set(f, found);
  }
  // frozen: the type stays the one callers have always read (they never change it)
  return found as ModelGap[];
}
