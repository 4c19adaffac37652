/** Small readers for untyped AWS wire JSON, shared by the model's section builders. */
import { join } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { arr, type Obj, obj, str } from "../../../core/util/wire.ts";
import type { Attribute, Setting } from "./types.ts";

export const num = (v: unknown): number | undefined => {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
};

export function nameTag(raw: Obj): string | undefined {
  for (const t of arr(raw.Tags)) if (obj(t).Key === "Name") return str(obj(t).Value);
  return undefined;
}

/** The region of an ARN (arn:partition:service:region:account:resource). */
export function arnRegion(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts[0] === "arn" ? str(parts[3]) : undefined;
}

/** A map keyed by ARN: the exact key, else a case-insensitive match. Returns the key as written. */
export function keyIn(map: Record<string, unknown> | undefined, arn: string): string | undefined {
  if (!map) return undefined;
  if (Object.hasOwn(map, arn)) return arn;
  const k = idKey(arn);
  return Object.keys(map).find((x) => idKey(x) === k);
}

export function readAttributes(map: Record<string, Array<{ Key?: string; Value?: string }>> | undefined, arn: string, base: string) {
  const out = new Map<string, Attribute>();
  const k = keyIn(map, arn);
  if (k === undefined || !map) return { attributes: out, known: false };
  arr(map[k]).forEach((a, i) => {
    const key = str(obj(a).Key);
    if (key) out.set(key, { key, value: String(obj(a).Value ?? ""), ptr: join(base, k, i) });
  });
  return { attributes: out, known: true };
}

export function boolSetting(attrs: Map<string, Attribute>, key: string, dflt: boolean, ownerPtr: string): Setting<boolean> {
  const a = attrs.get(key);
  return a
    ? { value: a.value.toLowerCase() === "true", source: "attribute", ptr: a.ptr }
    : { value: dflt, source: "default", ptr: ownerPtr };
}

/**
 * The documented default of preserve_client_ip.enabled, an attribute of Network Load Balancer target groups only: "The
 * default is disabled if the target group type is IP address and the target group protocol is TCP or TLS. Otherwise, the
 * default is enabled" (NLB guide, Target groups for your Network Load Balancers, Target group attributes,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html#target-group-attributes;
 * TargetGroupAttribute, ELB API reference). So it is on for `instance` and `alb` target groups, whose attributes
 * "always use their default values" when the type is `alb`; an IP group whose protocol is not known counts as off.
 */
export function preserveClientIpDefault(lbType: string | undefined, targetType: string, protocol: string | undefined): boolean {
  if (lbType !== "network") return false;
  if (targetType === "instance" || targetType === "alb") return true;
  const p = (protocol ?? "").toUpperCase();
  return p === "UDP" || p === "TCP_UDP" || p === "QUIC" || p === "TCP_QUIC";
}
