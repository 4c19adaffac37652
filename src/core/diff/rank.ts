/**
 * Ranks snapshot changes by what they do to the diagnosis: a change whose
 * pointer overlaps a failing finding's evidence (in the after snapshot) comes
 * first, then a change to a resource such a finding is about, then the rest;
 * within each, by the finding's severity.
 */
import { type Finding, type Severity, severityRank } from "../engine/types.ts";
import type { EntityChange, PropertyChange } from "./compare.ts";

export interface RelatedFinding {
  findingId: string;
  ruleId: string;
  severity: Severity;
  resourceName: string;
  /** evidence: the change is at or around a pointer the finding cites; resource: it changes a resource the finding is about */
  via: "evidence" | "resource";
}

export type RankedPropertyChange = PropertyChange & { related: RelatedFinding[] };
export type RankedChange = Omit<EntityChange, "changes"> & { related: RelatedFinding[]; changes: RankedPropertyChange[] };

interface Target {
  f: Finding;
  pointers: string[];
  keys: Set<string>;
}

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

function score(r: RelatedFinding[]): number {
  return Math.max(0, ...r.map((x) => (x.via === "evidence" ? 10 : 0) + severityRank(x.severity)));
}

/**
 * `keysOf(id)`: the keys a resource id relates under, its own and its
 * containing resource's (an ip configuration relates to its NIC); the
 * provider adapter supplies it (`relatedKeys`).
 */
export function rankChanges(changes: EntityChange[], findings: Finding[], keysOf: (id: string) => string[]): RankedChange[] {
  const targets: Target[] = findings
    .filter((f) => f.status === "fail")
    .map((f) => {
      const keys = new Set<string>([...keysOf(f.resourceId), ...f.subjects.flatMap(keysOf)]);
      for (const e of f.evidence) for (const k of keysOf(e.resourceId)) keys.add(k);
      return { f, pointers: f.evidence.map((e) => e.pointer).filter((p) => p !== ""), keys };
    });
  /** by evidence only when a pointer is given; by resource only when asked (a property change repeats its resource's relation otherwise) */
  const relate = (entity: EntityChange, pointer: string | undefined, byId: boolean): RelatedFinding[] => {
    const out: RelatedFinding[] = [];
    const id = entity.id ? (keysOf(entity.id)[0] ?? "") : "";
    for (const t of targets) {
      const byEvidence = pointer !== undefined && t.pointers.some((p) => overlaps(p, pointer));
      const byResource = byId && id !== "" && t.keys.has(id);
      if (!byEvidence && !byResource) continue;
      out.push({
        findingId: t.f.id,
        ruleId: t.f.ruleId,
        severity: t.f.severity,
        resourceName: t.f.resourceName,
        via: byEvidence ? "evidence" : "resource",
      });
    }
    return out.sort((a, b) => (a.via === b.via ? 0 : a.via === "evidence" ? -1 : 1) || severityRank(b.severity) - severityRank(a.severity));
  };

  const ranked = changes.map((e): RankedChange => {
    // pointers of removed things point into the before snapshot: they relate by resource only
    const props = e.changes
      .map((c, i) => ({ c: { ...c, related: relate(e, c.kind === "removed" ? undefined : c.pointer, false) }, i }))
      .sort((a, b) => score(b.c.related) - score(a.c.related) || a.i - b.i)
      .map((x) => x.c);
    // a changed entity's own pointer covers all its evidence; only its property changes say which part moved
    const direct = relate(e, e.kind === "added" ? e.pointer : undefined, true);
    const all = new Map<string, RelatedFinding>();
    for (const r of [...props.flatMap((p) => p.related), ...direct]) {
      const had = all.get(r.findingId);
      if (!had || (had.via === "resource" && r.via === "evidence")) all.set(r.findingId, r);
    }
    const related = [...all.values()].sort(
      (a, b) => (a.via === b.via ? 0 : a.via === "evidence" ? -1 : 1) || severityRank(b.severity) - severityRank(a.severity),
    );
    return { ...e, related, changes: props };
  });
  const kindOrder = { changed: 0, added: 1, removed: 2 } as const;
  return ranked
    .map((r, i) => ({ r, i }))
    .sort((a, b) => score(b.r.related) - score(a.r.related) || kindOrder[a.r.kind] - kindOrder[b.r.kind] || a.i - b.i)
    .map((x) => x.r);
}
