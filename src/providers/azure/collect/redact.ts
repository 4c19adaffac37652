/**
 * Secrets never enter a snapshot: VM osProfile, customData, userData and
 * protected extension settings are removed, and any string that looks like a
 * key, a password, a SAS token or a connection string is masked.
 *
 * `--redact` additionally masks subscription ids, public IP addresses and tag
 * values, consistently: the same input gives the same mask everywhere, so
 * references still line up.
 */

import { isPublicIpv4 } from "../../../core/util/ip.ts";
import { editJsonText, IPV4_IN_TEXT, maskDigest, maskDocument, maskIpv4, maskTagValue } from "../../../core/util/mask.ts";

export { maskSecretsInString, REDACTED, stripSecrets } from "../../../core/util/secrets.ts";

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function maskGuid(g: string): string {
  const h = maskDigest("guid", g);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Public IPv4 addresses are masked; Azure's platform address 168.63.129.16 (and its /16) is kept. */
function isMaskedIpv4(ip: string): boolean {
  return isPublicIpv4(ip) && !ip.startsWith("168.63.");
}

/** The keys of a Resource Graph change (`changes[path]`): its values before and after, and how it changed. */
const CHANGE_KEYS = new Set(["previousValue", "newValue", "changeCategory", "propertyChangeType"]);

/**
 * A tag value: a string in a resource's `tags`, or a change record's value before or after on a tag
 * (`changes["tags.costCenter"].newValue`, or `changes.tags.newValue` holding the whole map).
 */
function isTagValue(parentKey: string, owner: Record<string, unknown>, key: string): boolean {
  const onTags = parentKey === "tags" || parentKey.startsWith("tags.");
  if (!onTags) return false;
  const change = ("previousValue" in owner || "newValue" in owner) && Object.keys(owner).every((k) => CHANGE_KEYS.has(k));
  if (change) return key === "previousValue" || key === "newValue";
  return parentKey === "tags";
}

/**
 * Tag values in JSON held as a string (an Activity Log event's requestbody or responseBody: the resource as written,
 * its `tags` map with it), masked as the resources' own are; the text unchanged when it holds none.
 */
function maskTagsInJsonText(text: string): string {
  if (!text.includes('"tags"')) return text;
  return editJsonText(text, (doc) => {
    let changed = false;
    const stack: unknown[] = [doc];
    while (stack.length > 0) {
      const v = stack.pop();
      if (Array.isArray(v)) stack.push(...v);
      else if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "tags" && x !== null && typeof x === "object" && !Array.isArray(x)) {
            const tags = x as Record<string, unknown>;
            for (const [name, value] of Object.entries(tags)) {
              if (typeof value !== "string") continue;
              tags[name] = maskTagValue(value);
              changed = true;
            }
          } else stack.push(x);
        }
      }
    }
    return changed;
  });
}

/**
 * Masks subscription ids (every GUID that is a subscription id), public IPv4
 * addresses and tag values across the whole document, in place: the tag values
 * of resources, of their changes (Resource Graph) and of the bodies the Activity
 * Log recorded alike.
 */
export function redactForSharing(doc: Record<string, unknown>, subscriptionIds: string[]): void {
  const subs = new Set(subscriptionIds.map((s) => s.toLowerCase()));
  const maskString = (s: string): string =>
    maskTagsInJsonText(s)
      .replace(GUID, (g) => (subs.has(g.toLowerCase()) ? maskGuid(g) : g))
      .replace(IPV4_IN_TEXT, (ip) => (isMaskedIpv4(ip) ? maskIpv4(ip) : ip));
  maskDocument(doc, maskString, isTagValue);
}
