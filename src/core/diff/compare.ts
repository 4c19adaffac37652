/**
 * What changed between two snapshots of the same cloud: resources added,
 * removed and changed, down to the property, with readable paths
 * (`securityRules[name=deny-all].priority`) and JSON Pointers into the
 * snapshot (the after one; the before one for what was removed).
 *
 * Azure resources are matched by id (case-insensitively), observations by
 * their key; AWS lists by their natural id (LoadBalancerArn, GroupId,
 * InstanceId…), AWS maps by key. Arrays of named objects are matched by
 * `name` (or id, Key…), so a reordered list is no change. The comparison
 * recurses over values; snapshots are depth-checked on load (≤ 100 levels).
 */

import type { Gap, Snapshot } from "../snapshot/types.ts";
import { escapeToken } from "../util/json-pointer.ts";
import { idKey } from "../util/resource-id.ts";

export interface PropertyChange {
  kind: "added" | "removed" | "changed";
  /** readable: securityRules[name=deny-all].priority (ARM's `properties` envelopes left out) */
  path: string;
  /** JSON Pointer into the after snapshot (the before one for a removal) */
  pointer: string;
  before?: unknown;
  after?: unknown;
}

export interface EntityChange {
  kind: "added" | "removed" | "changed";
  /** resource, ruleHealth, effectiveNetworkSecurityGroups, guest; for AWS the list: elbv2.TargetGroups… */
  category: string;
  id: string;
  name: string;
  type: string;
  /** JSON Pointer of the entity in the after snapshot (the before one when removed) */
  pointer: string;
  changes: PropertyChange[];
  /**
   * Removed (or added) maybe only in appearance: the snapshot that lacks it has a collection gap that covers it
   * (`loadBalancers.list 403 AuthorizationFailed`), so it may simply not have been read. Absent otherwise.
   */
  notCollected?: string;
}

export interface Entity {
  category: string;
  key: string;
  id: string;
  name: string;
  type: string;
  pointer: string;
  value: unknown;
}

/** Fields that change on every write and say nothing about behaviour. */
const NOISE = new Set(["etag"]);
/** Keys that identify an element of an array of objects, in order of preference. */
const ELEMENT_KEYS = [
  "name",
  "Name",
  "id",
  "Id",
  "Key",
  "RuleArn",
  "ListenerArn",
  "TargetGroupArn",
  "LoadBalancerArn",
  "GroupId",
  "InstanceId",
  "SubnetId",
  "RuleNumber",
  "networkInterfaceIPConfigurationId",
  "ipAddress",
];
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Builds an entity list, keeping keys unique (a duplicated id gets `#2`, `#3`…). */
export function entityList(): { out: Entity[]; push(e: Entity): void } {
  const out: Entity[] = [];
  const seen = new Map<string, number>();
  return {
    out,
    push(e: Entity) {
      const n = (seen.get(e.key) ?? 0) + 1;
      seen.set(e.key, n);
      out.push(n > 1 ? { ...e, key: `${e.key}#${n}` } : e);
    },
  };
}

/** The observations of any provider (`observations.<category>.<key>`), one entity each. */
export function pushObservations(obs: Record<string, unknown> | undefined, push: (e: Entity) => void): void {
  for (const [cat, map] of Object.entries(obs ?? {})) {
    if (!isObject(map)) continue;
    for (const [k, v] of Object.entries(map)) {
      const name = k.split("/").pop() || k;
      push({
        category: cat,
        key: `${cat}|${idKey(k)}`,
        id: k,
        name,
        type: `observation: ${cat}`,
        pointer: `/observations/${escapeToken(cat)}/${escapeToken(k)}`,
        value: v,
      });
    }
  }
}

/** How a provider lists a snapshot's entities and compares its ids: the diff's provider-specific half. */
export interface DiffAdapter {
  entities(s: Snapshot): Entity[];
  /** two strings that name the same resource (ARM ids differ in case) */
  sameId(x: string, y: string): boolean;
  /** a readable short form of an id, for paths */
  shortId(v: string): string;
}

/** Compares two snapshots of the same cloud (the caller checks that). */
export function diffSnapshots(before: Snapshot, after: Snapshot, adapter: DiffAdapter): EntityChange[] {
  const a = new Map(adapter.entities(before).map((e) => [e.key, e]));
  const b = adapter.entities(after);
  const out: EntityChange[] = [];
  const matched = new Set<string>();
  for (const e of b) {
    const old = a.get(e.key);
    const base = { category: e.category, id: e.id, name: e.name, type: e.type, pointer: e.pointer };
    if (!old) {
      out.push({ kind: "added", ...base, changes: [] });
      continue;
    }
    matched.add(e.key);
    const changes: PropertyChange[] = [];
    diffValue(adapter, old.value, e.value, [], e.pointer, old.pointer, changes);
    if (changes.length > 0) out.push({ kind: "changed", ...base, changes });
  }
  for (const [key, e] of a) {
    if (matched.has(key)) continue;
    out.push({ kind: "removed", category: e.category, id: e.id, name: e.name, type: e.type, pointer: e.pointer, changes: [] });
  }
  // what one snapshot lacks because a call failed is not a removal (or an addition): say which gap may explain it
  const hasGaps = (g: Gap[] | undefined) => Array.isArray(g) && g.length > 0;
  if (out.some((c) => c.kind !== "changed") && (hasGaps(before.gaps) || hasGaps(after.gaps))) {
    const all = [...a.values(), ...b];
    const lookup: GapLookup = { byId: new Map(all.map((x) => [`${x.category}|${x.id}`, x])), nounHeld: new Map(), all };
    for (const c of out) {
      if (c.kind === "changed") continue;
      const gap = coveringGap(c, c.kind === "removed" ? after.gaps : before.gaps, lookup);
      if (gap) c.notCollected = gapText(gap);
    }
  }
  return out;
}

/** The entities of both snapshots, for `coveringGap`: by category and id, and which gap nouns any of them is of. */
interface GapLookup {
  byId: Map<string, Entity>;
  nounHeld: Map<string, boolean>;
  all: Entity[];
}

const words = (x: { category: string; id: string; type: string }) => `${lower(x.category)} ${lower(x.type)} ${lower(x.id)}`;

/** A gap in one line: `loadBalancers.list 403 AuthorizationFailed on <resource>`. */
export function gapText(g: Gap): string {
  const status = [g.status, g.code].filter((x) => x !== undefined && x !== "").join(" ");
  return `${g.operation}${status ? ` ${status}` : ""}${g.resourceId ? ` on ${g.resourceId}` : ""}`;
}

const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : "");

/** The region and account (`*`: any) a gap says nothing was read in, from its ARN; undefined for a gap about less. */
function placeOf(g: Gap): { region: string; account: string } | undefined {
  const arn = lower(g.resourceId).split(":");
  if (arn[0] !== "arn" || arn.length < 6) return undefined;
  if (g.operation === "sts:AssumeRole") return { region: "*", account: arn[4] || "*" };
  if ((arn[5] ?? "").endsWith("/*")) return { region: arn[3] || "*", account: arn[4] || "*" };
  return undefined;
}

/** Whether an ARN lies in a place (any service). Ids that are no ARN (sg-…, i-…) name no place. */
function inPlace(id: string, place: { region: string; account: string }): boolean {
  const arn = id.split(":");
  if (arn[0] !== "arn" || arn.length < 6) return false;
  return (place.region === "*" || arn[3] === place.region) && (place.account === "*" || arn[4] === place.account);
}

/** The collection-gap noun of an operation: `loadBalancers` of `loadBalancers.list`, `TargetGroups` of `elasticloadbalancing:DescribeTargetGroups`. */
function gapNoun(operation: string): string {
  const op = operation.slice(operation.lastIndexOf(":") + 1);
  const noun = op.includes(".") ? op.slice(0, op.indexOf(".")) : op.replace(/^(Describe|List|Get|Lookup)/, "");
  return noun.toLowerCase();
}

/**
 * The first collection gap that may explain why an entity is missing from a snapshot: one about the entity's
 * resource or a scope holding it (its id is under the gap's resource id, or its value names that id, as an AWS
 * listener names its load balancer), or about no resource at all; when the gap's operation names a kind of
 * entity the snapshots hold (`loadBalancers.list`, `DescribeTargetGroups`), about that kind only.
 */
function coveringGap(e: { category: string; id: string; type: string }, gaps: Gap[] | undefined, lookup: GapLookup): Gap | undefined {
  if (!Array.isArray(gaps) || gaps.length === 0) return undefined;
  const id = lower(e.id);
  const entity = lookup.byId.get(`${e.category}|${e.id}`);
  // whether any entity of either snapshot is of the kind a noun names: once per noun, not per change
  const held = (noun: string) => {
    let h = lookup.nounHeld.get(noun);
    if (h === undefined) lookup.nounHeld.set(noun, (h = lookup.all.some((x) => words(x).includes(noun))));
    return h;
  };
  for (const g of gaps) {
    if (!g || typeof g.operation !== "string" || g.operation === "snapshot" || g.operation === "resolve") continue;
    // a whole place not read: a region (`arn:…:<region>:<account>:loadbalancer/*`) or an account whose role was not assumed
    const place = placeOf(g);
    if (place) {
      if (inPlace(id, place)) return g;
      continue;
    }
    const noun = gapNoun(g.operation);
    if (noun && held(noun) && !words(e).includes(noun)) continue;
    const scope = lower(g.resourceId);
    if (!scope) return g;
    if (id === scope || id.startsWith(`${scope}/`)) return g;
    const value = entity?.value;
    if (isObject(value) && Object.values(value).some((v) => lower(v) === scope)) return g;
  }
  return undefined;
}

type Seg = { key: string } | { index: number } | { match: string; value: string } | { added: true } | { removed: true };

export function readablePath(ad: DiffAdapter, segs: Seg[]): string {
  let s = "";
  for (const seg of segs) {
    if ("key" in seg) {
      if (seg.key === "properties") continue;
      s += /^[A-Za-z_$][\w$-]*$/.test(seg.key) ? `${s ? "." : ""}${seg.key}` : `[${JSON.stringify(seg.key)}]`;
    } else if ("index" in seg) s += `[${seg.index}]`;
    else if ("match" in seg) s += `[${seg.match}=${ad.shortId(seg.value)}]`;
    else if ("added" in seg) s += "[+]";
    else s += "[-]";
  }
  return s || "(whole)";
}

function deepEqual(ad: DiffAdapter, x: unknown, y: unknown): boolean {
  if (x === y || (typeof x === "string" && typeof y === "string" && ad.sameId(x, y))) return true;
  if (typeof x !== typeof y || x === null || y === null || typeof x !== "object") return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => deepEqual(ad, v, y[i]));
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  const kx = Object.keys(xo).filter((k) => xo[k] !== undefined);
  const ky = Object.keys(yo).filter((k) => yo[k] !== undefined);
  return kx.length === ky.length && kx.every((k) => deepEqual(ad, xo[k], yo[k]));
}

/** Two lists of plain values with the same elements, each as often, in any order (ids compared as the adapter does). */
function sameUnordered(ad: DiffAdapter, x: unknown[], y: unknown[]): boolean {
  const left = [...y];
  for (const v of x) {
    const i = left.findIndex((w) => deepEqual(ad, v, w));
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}

/**
 * A value's text with object keys sorted and strings as loosely as any id compares (lower case, no space or slash at
 * the end, as `idKey`): values `deepEqual` calls equal have equal texts (texts may be equal for values that are not).
 */
function looseText(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    typeof x === "string"
      ? x.replace(/^\s+|[\s/]+$/g, "").toLowerCase()
      : isObject(x)
        ? Object.fromEntries(
            Object.keys(x)
              .filter((k) => x[k] !== undefined)
              .sort()
              .map((k) => [k, x[k]]),
          )
        : x,
  );
}

/**
 * The indices of each list left once every element is paired with an equal one of the other list (each at most
 * once), in list order. Candidates are found by `looseText` and confirmed with `deepEqual`: linear in the lists, not
 * quadratic (a target group's TargetHealthDescriptions run to thousands).
 */
function unmatched(ad: DiffAdapter, x: unknown[], y: unknown[]): { left: number[]; right: number[] } {
  const byText = new Map<string, number[]>();
  x.forEach((v, j) => {
    const t = looseText(v);
    const list = byText.get(t);
    if (list) list.push(j);
    else byText.set(t, [j]);
  });
  const used = new Set<number>();
  const right: number[] = [];
  y.forEach((v, i) => {
    const candidates = byText.get(looseText(v)) ?? [];
    const k = candidates.findIndex((j) => deepEqual(ad, x[j], v));
    if (k < 0) right.push(i);
    else used.add(candidates.splice(k, 1)[0] as number);
  });
  return { left: x.map((_, j) => j).filter((j) => !used.has(j)), right };
}

/** The key that identifies every element of both arrays uniquely, if there is one. */
function elementKey(x: unknown[], y: unknown[]): string | undefined {
  const all = [...x, ...y];
  if (all.length === 0 || !all.every(isObject)) return undefined;
  for (const k of ELEMENT_KEYS) {
    const ok = (list: unknown[]) => {
      const vals = list.map((o) => (o as Record<string, unknown>)[k]);
      if (!vals.every((v) => typeof v === "string" || typeof v === "number")) return false;
      return new Set(vals.map((v) => String(v).toLowerCase())).size === vals.length;
    };
    if (ok(x) && ok(y)) return k;
  }
  return undefined;
}

function diffValue(ad: DiffAdapter, x: unknown, y: unknown, path: Seg[], ptrAfter: string, ptrBefore: string, out: PropertyChange[]): void {
  if (deepEqual(ad, x, y)) return;
  if (isObject(x) && isObject(y)) {
    const keys = [...new Set([...Object.keys(y), ...Object.keys(x)])];
    for (const k of keys) {
      if (NOISE.has(k)) continue;
      const seg = { key: k };
      const pa = `${ptrAfter}/${escapeToken(k)}`;
      const pb = `${ptrBefore}/${escapeToken(k)}`;
      if (!(k in x) || x[k] === undefined) {
        if (y[k] !== undefined) out.push({ kind: "added", path: readablePath(ad, [...path, seg]), pointer: pa, after: y[k] });
      } else if (!(k in y) || y[k] === undefined) {
        out.push({ kind: "removed", path: readablePath(ad, [...path, seg]), pointer: pb, before: x[k] });
      } else diffValue(ad, x[k], y[k], [...path, seg], pa, pb, out);
    }
    return;
  }
  if (Array.isArray(x) && Array.isArray(y)) {
    const key = elementKey(x, y);
    if (key) {
      const id = (o: unknown) => String((o as Record<string, unknown>)[key]).toLowerCase();
      const old = new Map(x.map((o, i) => [id(o), i]));
      const now = new Set<string>();
      y.forEach((o, i) => {
        const k = id(o);
        now.add(k);
        const seg: Seg = { match: key, value: String((o as Record<string, unknown>)[key]) };
        const j = old.get(k);
        if (j === undefined) out.push({ kind: "added", path: readablePath(ad, [...path, seg]), pointer: `${ptrAfter}/${i}`, after: o });
        else diffValue(ad, x[j], o, [...path, seg], `${ptrAfter}/${i}`, `${ptrBefore}/${j}`, out);
      });
      x.forEach((o, j) => {
        if (now.has(id(o))) return;
        const seg: Seg = { match: key, value: String((o as Record<string, unknown>)[key]) };
        out.push({ kind: "removed", path: readablePath(ad, [...path, seg]), pointer: `${ptrBefore}/${j}`, before: o });
      });
      return;
    }
    const scalars = [...x, ...y].every((v) => v === null || typeof v !== "object");
    // a list of plain values only reordered (security group ids, port ranges, prefixes) is the same set: no change
    if (scalars && x.length === y.length && sameUnordered(ad, x, y)) return;
    if (!scalars) {
      // unkeyed objects (AWS IpPermissions, IpRanges): an element equal to one of the other list is no change wherever
      // it sits (the APIs return such lists in any order), and each counts once (a duplicate dropped is a removal)
      const { left: lx, right: ly } = unmatched(ad, x, y);
      if (lx.length === ly.length) {
        // as many left on each side: each changed in place, paired in order
        lx.forEach((j, k) => {
          const i = ly[k] as number;
          diffValue(ad, x[j], y[i], [...path, { index: i }], `${ptrAfter}/${i}`, `${ptrBefore}/${j}`, out);
        });
        return;
      }
      for (const i of ly)
        out.push({ kind: "added", path: readablePath(ad, [...path, { added: true }]), pointer: `${ptrAfter}/${i}`, after: y[i] });
      for (const j of lx)
        out.push({ kind: "removed", path: readablePath(ad, [...path, { removed: true }]), pointer: `${ptrBefore}/${j}`, before: x[j] });
      return;
    }
  }
  out.push({ kind: "changed", path: readablePath(ad, path), pointer: ptrAfter, before: x, after: y });
}
