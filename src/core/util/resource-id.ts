/**
 * Resource ids as the core compares them, whatever the cloud: ARM ids are
 * case-insensitive and real responses mix casings (`/IpConfigurations/` vs
 * `/ipConfigurations/`); AWS ids and ARNs are matched the same way, so every
 * lookup goes through `idKey`.
 *
 * An id that is already a key comes back as the same string: `toLowerCase`
 * copies even an already lower-case string, and a large snapshot asks for the
 * keys of keys millions of times (findings' subjects, lookups).
 */
export function idKey(id: string): string {
  const n = id.length;
  if (n > 0 && id.charCodeAt(0) > 32 && id.charCodeAt(n - 1) > 32 && id.charCodeAt(n - 1) !== 47) {
    // a native scan: half the time of a charCodeAt loop over a key (findings' subjects are keys already)
    return NOT_A_KEY.test(id) ? interned(id) : id;
  }
  // space and slashes at the end in any mix ("a /"): trimmed in one go, so that a key is its own key
  return id.replace(/^\s+|[\s/]+$/g, "").toLowerCase();
}

/** A character `toLowerCase` may change: an ASCII capital, or anything outside ASCII. */
const NOT_A_KEY = /[A-Z\u0080-\uffff]/;

/**
 * The keys made so far, by id: one lower-cased copy per id, however many strings spell it (a snapshot names a NIC
 * in many places, and each asks): at 20,000 NICs ~35 MB less peak memory than a copy per call. Forgotten when a
 * snapshot file is loaded (`forgetIdKeys`), and at a million ids.
 */
const KEYS = new Map<string, string>();

/** Drops the remembered keys (a new snapshot's ids are new strings; the TUI and watch load one after another). */
export function forgetIdKeys(): void {
  KEYS.clear();
}

function interned(id: string): string {
  let k = KEYS.get(id);
  if (k === undefined) {
    if (KEYS.size >= 1 << 20) KEYS.clear();
    k = id.toLowerCase();
    KEYS.set(id, k);
  }
  return k;
}

/** The last non-empty `/` segment of an id: an ARM resource's name, an ARN's final part, or the id itself. */
export function lastSegment(id: string): string {
  let end = id.length;
  while (end > 0 && id.charCodeAt(end - 1) === 47) end--;
  return id.slice(id.lastIndexOf("/", end - 1) + 1, end);
}
