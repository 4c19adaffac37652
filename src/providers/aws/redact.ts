/**
 * `snapshot --redact` for AWS: besides the secrets every snapshot loses, the
 * account ids (in ARNs and owner fields), public IPv4 addresses and tag values
 * are masked, consistently: the same input gives the same mask everywhere, so
 * ARNs, ids and references still line up and the rules still link them.
 */
import { IPV4_IN_TEXT, maskDigest, maskDocument, maskIpv4 } from "../../core/util/mask.ts";

const ARN_ACCOUNT = /\barn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):/g;
// `account`/`accounts`: a snapshot over several accounts (scope.accounts, scope.partitions[].account)
const ACCOUNT_KEYS = new Set(["OwnerId", "AccountId", "IpOwnerId", "RequesterId", "OwnerAccount", "account", "accounts"]);

function maskAccount(id: string): string {
  // 12 digits, never a real-looking one: starts with 0000
  return `0000${(Number.parseInt(maskDigest("account", id).slice(0, 12), 16) % 1e8).toString().padStart(8, "0")}`;
}

function isPublicIpv4(ip: string): boolean {
  const p = ip.split(".").map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return false;
  const [a = 0, b = 0] = p;
  if (a === 10 || a === 127 || a === 0) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  if (a === 169 && b === 254) return false;
  return a < 224;
}

/** Masks account ids, public IPv4 addresses and tag values across the whole document, in place. */
export function redactAwsForSharing(doc: Record<string, unknown>): void {
  // the account ids: those in ARNs and in owner fields
  const accounts = new Set<string>();
  const find = (v: unknown, key: string): void => {
    if (typeof v === "string") {
      for (const m of v.matchAll(ARN_ACCOUNT)) if (m[1]) accounts.add(m[1]);
      if (ACCOUNT_KEYS.has(key) && /^\d{12}$/.test(v)) accounts.add(v);
    } else if (Array.isArray(v)) for (const x of v) find(x, key);
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) find(x, k);
  };
  find(doc, "");
  const maskString = (s: string): string =>
    s
      .replace(/\b\d{12}\b/g, (d) => (accounts.has(d) ? maskAccount(d) : d))
      .replace(IPV4_IN_TEXT, (ip) => (isPublicIpv4(ip) ? maskIpv4(ip) : ip));
  // a tag: { Key, Value } in a Tags list
  maskDocument(doc, maskString, (parentKey, o, k) => parentKey === "Tags" && k === "Value" && typeof o.Key === "string");
}
