/** NSG rules: the documented defaults, the wire readers (NSG and effective-NSG bodies) and the NSG builder. */
import { join } from "../../../core/util/json-pointer.ts";
import { arr, type Obj, obj, str, strList } from "../../../core/util/wire.ts";
import { idKey } from "../arm-id.ts";
import type { ArmResource } from "../wire-types.ts";
import { num, props, refKeys } from "./read.ts";
import type { Nsg, SecurityRule } from "./types.ts";

export const DEFAULT_RULES: ReadonlyArray<Omit<SecurityRule, "ptr">> = [
  defaultRule("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
  defaultRule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
  defaultRule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
  defaultRule("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
  defaultRule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
  defaultRule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
];

function defaultRule(
  name: string,
  priority: number,
  direction: "Inbound" | "Outbound",
  access: "Allow" | "Deny",
  src: string,
  dst: string,
): Omit<SecurityRule, "ptr"> {
  return {
    name,
    priority,
    direction,
    access,
    protocol: "*",
    sourcePrefixes: [src],
    destinationPrefixes: [dst],
    sourcePorts: ["*"],
    destinationPorts: ["*"],
    sourceAsgKeys: [],
    destinationAsgKeys: [],
    isDefault: true,
  };
}

function normDirection(v: unknown): "Inbound" | "Outbound" {
  return String(v).toLowerCase() === "outbound" ? "Outbound" : "Inbound";
}
function normAccess(v: unknown): "Allow" | "Deny" {
  return String(v).toLowerCase() === "allow" ? "Allow" : "Deny";
}
function singularPlural(p: Obj, singular: string, plural: string): string[] {
  const list = strList(p[plural]);
  const one = str(p[singular]);
  if (one !== undefined && !list.includes(one)) list.unshift(one);
  return list;
}

/** Reads a security rule from an NSG's wire JSON (`{name, properties:{...}}`). */
export function readSecurityRule(wire: unknown, ptr: string, isDefault: boolean): SecurityRule {
  const p = props(wire);
  return {
    name: str(obj(wire).name) ?? "(unnamed)",
    ptr,
    priority: num(p.priority) ?? Number.MAX_SAFE_INTEGER,
    direction: normDirection(p.direction),
    access: normAccess(p.access),
    protocol: str(p.protocol) ?? "*",
    sourcePrefixes: singularPlural(p, "sourceAddressPrefix", "sourceAddressPrefixes"),
    destinationPrefixes: singularPlural(p, "destinationAddressPrefix", "destinationAddressPrefixes"),
    sourcePorts: singularPlural(p, "sourcePortRange", "sourcePortRanges"),
    destinationPorts: singularPlural(p, "destinationPortRange", "destinationPortRanges"),
    sourceAsgKeys: refKeys(p.sourceApplicationSecurityGroups),
    destinationAsgKeys: refKeys(p.destinationApplicationSecurityGroups),
    isDefault,
  };
}

/** Reads one rule of an effective-NSG body (flat, no `properties`). */
export function readEffectiveRule(wire: unknown, ptr: string): SecurityRule {
  const r = obj(wire);
  const fullName = str(r.name) ?? "(unnamed)";
  const isDefault = fullName.toLowerCase().startsWith("defaultsecurityrules/");
  const name = fullName.includes("/") ? fullName.slice(fullName.indexOf("/") + 1) : fullName;
  const expandedSource = strList(r.expandedSourceAddressPrefix);
  const expandedDestination = strList(r.expandedDestinationAddressPrefix);
  const rule: SecurityRule = {
    name,
    ptr,
    priority: num(r.priority) ?? Number.MAX_SAFE_INTEGER,
    direction: normDirection(r.direction),
    access: normAccess(r.access),
    protocol: str(r.protocol) ?? "All",
    sourcePrefixes: singularPlural(r, "sourceAddressPrefix", "sourceAddressPrefixes"),
    destinationPrefixes: singularPlural(r, "destinationAddressPrefix", "destinationAddressPrefixes"),
    sourcePorts: singularPlural(r, "sourcePortRange", "sourcePortRanges"),
    destinationPorts: singularPlural(r, "destinationPortRange", "destinationPortRanges"),
    sourceAsgKeys: [],
    destinationAsgKeys: [],
    isDefault,
  };
  if (expandedSource.length > 0) rule.expandedSource = expandedSource;
  if (expandedDestination.length > 0) rule.expandedDestination = expandedDestination;
  return rule;
}

export function buildNsg(r: ArmResource, ptr: string): Nsg {
  const p = obj(r.properties);
  const rules: SecurityRule[] = arr(p.securityRules).map((w, i) => readSecurityRule(w, join(ptr, "properties", "securityRules", i), false));
  const defaults = arr(p.defaultSecurityRules).map((w, i) => readSecurityRule(w, join(ptr, "properties", "defaultSecurityRules", i), true));
  // The documented defaults always apply, even when a hand-built snapshot omits them.
  for (const d of DEFAULT_RULES) {
    if (!defaults.some((x) => x.name.toLowerCase() === d.name.toLowerCase())) {
      defaults.push({ ...d, ptr: join(ptr, "properties", "defaultSecurityRules"), synthesized: true });
    }
  }
  const all = [...rules, ...defaults].sort((a, b) => a.priority - b.priority);
  return {
    id: r.id,
    key: idKey(r.id),
    name: r.name,
    ptr,
    raw: r,
    resourceGroup: undefined,
    rules: all,
  };
}
