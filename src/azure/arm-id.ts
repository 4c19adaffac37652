/**
 * ARM resource ids. ARM compares them case-insensitively and real responses
 * mix casings (`/IpConfigurations/` vs `/ipConfigurations/`), so every lookup
 * goes through `idKey`.
 */
/**
 * An id that is already a key comes back as the same string: `toLowerCase`
 * copies even an already lower-case string, and a large snapshot asks for the
 * keys of keys millions of times (findings' subjects, lookups).
 */
export function idKey(id: string): string {
  const n = id.length;
  if (n > 0 && id.charCodeAt(0) > 32 && id.charCodeAt(n - 1) > 32 && id.charCodeAt(n - 1) !== 47) {
    for (let i = 0; i < n; i++) {
      const c = id.charCodeAt(i);
      if ((c >= 65 && c <= 90) || c > 127) return id.toLowerCase();
    }
    return id;
  }
  return id.trim().replace(/\/+$/, "").toLowerCase();
}

export interface ParsedArmId {
  subscriptionId?: string;
  resourceGroup?: string;
  provider?: string;
  /** name segments after the provider: [type, name, childType, childName, ...] */
  segments: string[];
  name: string;
}

export function parseArmId(id: string): ParsedArmId {
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

export function nameOf(id: string): string {
  return parseArmId(id).name;
}
