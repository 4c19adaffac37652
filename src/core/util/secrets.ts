/**
 * Secrets never reach a snapshot or a report: VM osProfile, customData,
 * userData and protected extension settings are removed, and any string that
 * looks like a key, a password, a SAS token or a connection string is masked.
 *
 * The collectors apply this to what they fetch; `check` and `diff` apply it
 * again to snapshot files, whose origin they cannot vouch for, before any
 * evidence value is rendered.
 */
import { findTooDeep } from "./depth.ts";

const SECRET_KEYS = new Set([
  "osprofile",
  "customdata",
  "userdata",
  "protectedsettings",
  "protectedsettingsfromkeyvault",
  "adminpassword",
  "password",
  "secrets",
  // AWS credentials, wherever a document carries them
  "secretaccesskey",
  "aws_secret_access_key",
  "sessiontoken",
  "aws_session_token",
]);
export const REDACTED = "[redacted]";

/** An AWS access key id (long-term AKIA, temporary ASIA, and the other documented prefixes). */
const AWS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g;
/** A 40-character secret access key: masked in a string that also holds an access key id (alone, 40 base64 characters are too common). */
const AWS_SECRET = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** Every shape below needs one of these: most strings have none, and skip the regex passes (hot on large snapshots). */
const HINT = /=|-----BEGIN|eyJ|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA|SharedAccessSignature|:\/\/\S*@|"\s*:/i;

/**
 * A secret field inside JSON text held as a string (an Activity Log `requestbody`, a CloudTrail event): `"adminPassword":
 * "…"`, `"customData": "…"`, `"userData": {…}` (an object value to its closing brace, one level).
 */
const JSON_SECRET = new RegExp(`("(?:${[...SECRET_KEYS].join("|")})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|\\{[^{}]*\\}|\\[[^[\\]]*\\])`, "gi");

/**
 * Masks what looks like a secret, by shape, anywhere in a string:
 * - connection-string and key=value secrets (AccountKey=, SharedAccessKey=, Password=, Pwd=, ClientSecret=, …);
 * - SAS query strings, in full URLs and in relative paths (`/health?sv=…&sig=…`): the signature;
 * - `SharedAccessSignature sr=…&sig=…` tokens (Service Bus, Event Hubs, IoT Hub): the whole token;
 * - JWTs (header.payload.signature);
 * - PEM private keys (with or without their END line);
 * - AWS access key ids, and in the same string any 40-character secret access key;
 * - credentials in URLs (`scheme://user:password@host`): the password.
 */
export function maskSecretsInString(s: string): string {
  if (!HINT.test(s)) return s;
  let out = s
    .replace(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|$)/g, REDACTED)
    .replace(/\bSharedAccessSignature\s+[^\s"',;]+/gi, `SharedAccessSignature ${REDACTED}`)
    .replace(
      /\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Passwd|Pwd|AccessKey|ClientSecret|client_secret|api[_-]?key|access_token|refresh_token|aws_secret_access_key|aws_session_token|SecretAccessKey)\s*=\s*[^;&"'\s]+/gi,
      `$1=${REDACTED}`,
    )
    .replace(/([?&;]sig=)[^&\s"'#;]+/gi, `$1${REDACTED}`)
    .replace(/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED)
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s]+@/gi, `$1${REDACTED}@`)
    .replace(JSON_SECRET, `$1"${REDACTED}"`);
  if (AWS_KEY_ID.test(out)) {
    AWS_KEY_ID.lastIndex = 0;
    out = out.replace(AWS_KEY_ID, REDACTED).replace(AWS_SECRET, REDACTED);
  }
  AWS_KEY_ID.lastIndex = 0;
  return out;
}

/** Keys seen, lower-cased and looked up (a document repeats a few hundred keys millions of times); bounded. */
const keyVerdicts = new Map<string, boolean>();

/**
 * Whether a property of this name carries a secret (any case). A dotted property path (Resource Graph's change keys:
 * `properties.osProfile.adminPassword`) carries one when any of its parts names one.
 */
function isSecretKey(k: string): boolean {
  let secret = keyVerdicts.get(k);
  if (secret === undefined) {
    const lower = k.toLowerCase();
    secret = SECRET_KEYS.has(lower) || (lower.includes(".") && lower.split(".").some((part) => SECRET_KEYS.has(part)));
    if (keyVerdicts.size < 4096) keyVerdicts.set(k, secret);
  }
  return secret;
}

/** An AWS tag (`{Key, Value}`) whose key names a secret (`aws_secret_access_key`, `Password`): its value is masked. */
function isSecretTag(o: Record<string, unknown>): boolean {
  return typeof o.Key === "string" && "Value" in o && typeof o.Value === "string" && o.Value !== REDACTED && isSecretKey(o.Key);
}

/** What `scanDocument` found: whether the document is nested too deep, and its secrets, to strip later. */
export interface DocumentScan {
  /** some object or array sits `maxDepth` or more levels down (the root is level 0) */
  tooDeep: boolean;
  /** strips the secrets found, in place: exactly what `stripSecrets` would do to the document as it was scanned */
  strip(): void;
}

/**
 * One walk over a document just parsed, for the two checks every value needs (a snapshot file holds millions):
 * its depth (see util/depth.ts: nothing recursive may meet a document deeper than any real one) and its secrets,
 * recorded rather than removed so that the document is validated as it was read. Iterative.
 */
export function scanDocument(doc: unknown, maxDepth: number): DocumentScan {
  const masks: Array<{ at: Record<string, unknown> | unknown[]; key: string | number; value: string }> = [];
  const deletes: Array<{ at: Record<string, unknown>; key: string }> = [];
  const strip = (): void => {
    for (const m of masks) (m.at as Record<string | number, unknown>)[m.key] = m.value;
    for (const d of deletes) delete d.at[d.key];
  };
  if (doc === null || typeof doc !== "object") return { tooDeep: false, strip };
  // two parallel stacks (a value, its level): no object per value visited
  const values: object[] = [doc];
  const levels: number[] = [0];
  while (values.length > 0) {
    const v = values.pop() as object;
    const level = (levels.pop() as number) + 1;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === "string") {
          const m = maskSecretsInString(x);
          if (m !== x) masks.push({ at: v, key: i, value: m });
        } else if (x !== null && typeof x === "object") {
          if (level >= maxDepth) return { tooDeep: true, strip };
          values.push(x);
          levels.push(level);
        }
      }
      continue;
    }
    const o = v as Record<string, unknown>;
    const tagSecret = isSecretTag(o);
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (tagSecret && k === "Value") {
        masks.push({ at: o, key: k, value: REDACTED });
        continue;
      }
      if (isSecretKey(k)) {
        deletes.push({ at: o, key: k });
        // removed whole: only its depth matters
        if (x !== null && typeof x === "object" && (level >= maxDepth || findTooDeep(x, maxDepth - level) !== undefined)) {
          return { tooDeep: true, strip };
        }
        continue;
      }
      if (typeof x === "string") {
        const m = maskSecretsInString(x);
        if (m !== x) masks.push({ at: o, key: k, value: m });
      } else if (x !== null && typeof x === "object") {
        if (level >= maxDepth) return { tooDeep: true, strip };
        values.push(x);
        levels.push(level);
      }
    }
  }
  return { tooDeep: false, strip };
}

/**
 * Removes secret-bearing fields and masks secret-looking strings, in place.
 * Returns the number of values removed or masked. Iterative, so a deeply
 * nested document cannot overflow the stack.
 */
export function stripSecrets(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === "string") {
          const m = maskSecretsInString(x);
          if (m !== x) {
            v[i] = m;
            n++;
          }
        } else if (x !== null && typeof x === "object") stack.push(x);
      }
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const o = v as Record<string, unknown>;
    const tagSecret = isSecretTag(o);
    for (const k of Object.keys(o)) {
      if (tagSecret && k === "Value") {
        o[k] = REDACTED;
        n++;
        continue;
      }
      if (isSecretKey(k)) {
        delete o[k];
        n++;
        continue;
      }
      const x = o[k];
      if (typeof x === "string") {
        const m = maskSecretsInString(x);
        if (m !== x) {
          o[k] = m;
          n++;
        }
      } else if (x !== null && typeof x === "object") stack.push(x);
    }
  }
  return n;
}
