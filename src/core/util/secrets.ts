/**
 * Secrets never reach a snapshot or a report: VM osProfile, customData,
 * userData and protected extension settings are removed, and any string that
 * looks like a key, a password, a SAS token or a connection string is masked.
 *
 * The collectors apply this to what they fetch; `check` and `diff` apply it
 * again to snapshot files, whose origin they cannot vouch for, before any
 * evidence value is rendered.
 */

const SECRET_KEYS = new Set([
  "osprofile",
  "customdata",
  "userdata",
  "protectedsettings",
  "protectedsettingsfromkeyvault",
  "adminpassword",
  "password",
  "secrets",
]);
export const REDACTED = "[redacted]";

export function maskSecretsInString(s: string): string {
  // every pattern below needs one of these: most strings have none, and skip four regex passes (hot on large snapshots)
  if (!s.includes("=") && !s.includes("-----BEGIN") && !s.includes("eyJ")) return s;
  return s
    .replace(/\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|AccessKey|ClientSecret)\s*=\s*[^;"\s]+/gi, `$1=${REDACTED}`)
    .replace(/([?&]sig=)[A-Za-z0-9%+/=]{10,}/g, `$1${REDACTED}`)
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED)
    .replace(/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, REDACTED);
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
    for (const k of Object.keys(o)) {
      if (SECRET_KEYS.has(k.toLowerCase())) {
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
