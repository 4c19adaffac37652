/** ARM resource ids: parsing, parents, names. Keys (case-folded ids) come from the core. */
import { idKey, lastSegment } from "../../core/util/resource-id.ts";

export { idKey };

export interface ParsedArmId {
  subscriptionId?: string;
  resourceGroup?: string;
  provider?: string;
  /** name segments after the provider: [type, name, childType, childName, ...] */
  segments: string[];
  name: string;
}

/**
 * Ids parsed so far: rules ask for the resource group or name of the same ids again and again (every member's
 * commands), and a parse splits the whole id. Bounded; the parsed ids are shared, so never changed by a caller.
 */
const parsed = new Map<string, Readonly<ParsedArmId>>();

export function parseArmId(id: string): Readonly<ParsedArmId> {
  let out = parsed.get(id);
  if (out === undefined) {
    if (parsed.size >= 1 << 14) parsed.clear();
    out = parse(id);
    parsed.set(id, out);
  }
  return out;
}

function parse(id: string): ParsedArmId {
  const parts = id.split("/").filter((p) => p.length > 0);
  const out: ParsedArmId = { segments: [], name: parts[parts.length - 1] ?? "" };
  for (let i = 0; i < parts.length; i++) {
    const p = (parts[i] ?? "").toLowerCase();
    if (p === "subscriptions" && out.subscriptionId === undefined) out.subscriptionId = parts[++i];
    else if (p === "resourcegroups" && out.resourceGroup === undefined) out.resourceGroup = parts[++i];
    else if (p === "providers" && out.provider === undefined) {
      out.provider = parts[++i];
      out.segments = parts.slice(i + 1);
      break;
    }
  }
  return out;
}

/** The id of the top-level resource that contains a child id (…/loadBalancers/lb/probes/p → …/loadBalancers/lb). */
export function parentResourceId(id: string): string {
  const parts = id.split("/");
  const idx = parts.findIndex((p) => p.toLowerCase() === "providers");
  if (idx < 0) return id;
  return parts.slice(0, idx + 4).join("/");
}

export function resourceGroupOf(id: string): string | undefined {
  return parseArmId(id).resourceGroup;
}

/** The last non-empty segment: a resource's name (no parse of the whole id). */
export function nameOf(id: string): string {
  return lastSegment(id);
}
