/**
 * Consistent masks for `snapshot --redact`: the same input gives the same mask everywhere in a document (and across
 * documents), so ids, references and addresses still line up after masking. Each provider decides what to mask.
 */
import { createHash } from "node:crypto";

/** An IPv4 address inside any text. */
export const IPV4_IN_TEXT = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;

/** A stable digest of one value of one kind ("ip", "tag", "guid", "account"), case-insensitive. */
export function maskDigest(kind: string, value: string): string {
  return createHash("sha256").update(`lbdoctor-redact:${kind}:${value.toLowerCase()}`).digest("hex");
}

/** An IPv4 address masked into 198.18.0.0/15 (reserved for benchmarking), deterministically. */
export function maskIpv4(ip: string): string {
  const h = Number.parseInt(maskDigest("ip", ip).slice(0, 8), 16);
  return `198.${18 + ((h >>> 16) & 1)}.${(h >>> 8) & 255}.${h & 255}`;
}

/** A tag value, masked. */
export function maskTagValue(value: string): string {
  return `tag-${maskDigest("tag", value).slice(0, 10)}`;
}

/**
 * Rewrites a whole document in place for sharing: every string and key through `maskString`, every tag value
 * (as `isTagValue` recognises it: the owning object's key, the object, the value's key) masked whole; marks it redacted.
 * A tag value that is an object or an array (a change record's whole tag map before and after) has every string in it
 * masked whole, its keys (the tag names) through `maskString`.
 */
export function maskDocument(
  doc: Record<string, unknown>,
  maskString: (s: string) => string,
  isTagValue: (parentKey: string, owner: Record<string, unknown>, key: string) => boolean,
): void {
  const tagValues = (v: unknown): unknown => {
    if (typeof v === "string") return maskTagValue(v);
    if (Array.isArray(v)) return v.map(tagValues);
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[maskString(k)] = tagValues(x);
    return out;
  };
  const walk = (v: unknown, parentKey: string): unknown => {
    if (typeof v === "string") return maskString(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, parentKey));
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const tag = (typeof x === "string" || (x !== null && typeof x === "object")) && isTagValue(parentKey, o, k);
      out[maskString(k)] = tag ? tagValues(x) : walk(x, k);
    }
    return out;
  };
  const masked = walk(doc, "") as Record<string, unknown>;
  for (const k of Object.keys(doc)) delete doc[k];
  Object.assign(doc, masked, { redacted: true });
}

/**
 * JSON held as text (a request body an audit record kept), changed by `edit`: the text again when it holds no JSON
 * object or `edit` (which says whether it changed anything) left it as it was, else the changed object as JSON.
 */
export function editJsonText(text: string, edit: (doc: Record<string, unknown>) => boolean): string {
  if (!text.startsWith("{")) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return text;
  return edit(parsed as Record<string, unknown>) ? JSON.stringify(parsed) : text;
}
