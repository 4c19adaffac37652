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
import { IPV4_IN_TEXT, maskDigest, maskDocument, maskIpv4 } from "../../../core/util/mask.ts";

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

/**
 * Masks subscription ids (every GUID that is a subscription id), public IPv4
 * addresses and tag values across the whole document, in place.
 */
export function redactForSharing(doc: Record<string, unknown>, subscriptionIds: string[]): void {
  const subs = new Set(subscriptionIds.map((s) => s.toLowerCase()));
  const maskString = (s: string): string =>
    s
      .replace(GUID, (g) => (subs.has(g.toLowerCase()) ? maskGuid(g) : g))
      .replace(IPV4_IN_TEXT, (ip) => (isMaskedIpv4(ip) ? maskIpv4(ip) : ip));
  maskDocument(doc, maskString, (parentKey) => parentKey === "tags");
}
