/**
 * `snapshot --redact` for AWS: besides the secrets every snapshot loses, the
 * account ids (in ARNs and owner fields), public IPv4 addresses and tag values
 * are masked, consistently: the same input gives the same mask everywhere, so
 * ARNs, ids and references still line up and the rules still link them.
 */
import { editJsonText, IPV4_IN_TEXT, maskDigest, maskDocument, maskIpv4, maskTagValue } from "../../core/util/mask.ts";

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

/** A property holding tags in a CloudTrail record: `tagSet` (CreateTags), `tags` (AddTags), `tagSpecificationSet`, `TagList`… */
const TAGS_KEY = /^tag|tags$/i;

/**
 * Tag values in JSON held as a string (a CloudTrail record: CreateTags' `tagSet.items`, AddTags' and CreateOrUpdateTags'
 * `tags`, RunInstances' `tagSpecificationSet`): the value of each `{key, value}` under a tags property, masked as the
 * resources' own tags are; the text unchanged when it holds none.
 */
function maskTagsInJsonText(text: string): string {
  if (!/tag/i.test(text)) return text;
  return editJsonText(text, (doc) => {
    let changed = false;
    const stack: Array<[unknown, boolean]> = [[doc, false]];
    while (stack.length > 0) {
      const [v, inTags] = stack.pop() as [unknown, boolean];
      if (Array.isArray(v)) for (const x of v) stack.push([x, inTags]);
      else if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        for (const [k, valueKey] of [
          ["key", "value"],
          ["Key", "Value"],
        ] as const) {
          const value = o[valueKey];
          if (inTags && typeof o[k] === "string" && typeof value === "string") {
            o[valueKey] = maskTagValue(value);
            changed = true;
          }
        }
        for (const [k, x] of Object.entries(o)) if (x !== null && typeof x === "object") stack.push([x, inTags || TAGS_KEY.test(k)]);
      }
    }
    return changed;
  });
}

/** Masks account ids, public IPv4 addresses and tag values (of resources, and in CloudTrail records) across the whole document, in place. */
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
    maskTagsInJsonText(s)
      .replace(/\b\d{12}\b/g, (d) => (accounts.has(d) ? maskAccount(d) : d))
      .replace(IPV4_IN_TEXT, (ip) => (isPublicIpv4(ip) ? maskIpv4(ip) : ip));
  // a tag: { Key, Value } in a Tags list
  maskDocument(doc, maskString, (parentKey, o, k) => parentKey === "Tags" && k === "Value" && typeof o.Key === "string");
}
