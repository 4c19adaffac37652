/**
 * Turning any snapshot into a hostile one: every name and id (and the
 * health-check paths) gets a suffix that a shell would act on, consistently
 * everywhere the value appears (ids inside other ids, ARNs, map keys), so the
 * model links exactly as before and the same rules fire. Used by the tests
 * that run every printed fix command under a stub `az` / `aws`.
 */
import type { Snapshot } from "../../src/core/snapshot/types.ts";

/** What a careless quote would run: a file named `pwned` appears. No `/` (it would split ids). */
export const SHELL_SUFFIX = `;touch$${"{IFS}"}pwned;#$(touch pwned)\`touch pwned\`'"x`;
/** A value no quoting can carry through a terminal: it must be replaced by a placeholder, never printed. */
export const NEWLINE_SUFFIX = "\ntouch pwned\nx";

const AWS_ID = /^(i|sg|subnet|vpc|eni|igw|nat|rtb|rtbassoc|acl|aclassoc|eipalloc|eipassoc|vpce|pcx|tgw)-[0-9a-z]+$/;
const AWS_NAME_KEYS = new Set(["LoadBalancerName", "TargetGroupName", "AutoScalingGroupName"]);
const PATH_KEYS = new Set(["requestPath", "HealthCheckPath"]);

function walk(v: unknown, visit: (o: Record<string, unknown>) => void): void {
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) stack.push(...x);
    else if (x !== null && typeof x === "object") {
      visit(x as Record<string, unknown>);
      stack.push(...Object.values(x));
    }
  }
}

function collectTokens(s: Snapshot): Set<string> {
  const tokens = new Set<string>();
  const ok = (t: string) => t.length >= 3 && !/^\d+$/.test(t);
  walk(s, (o) => {
    if (s.provider === "azure") {
      if (typeof o.id === "string" && o.id.includes("/providers/") && typeof o.name === "string" && ok(o.name)) tokens.add(o.name);
      if (typeof o.id === "string") {
        const m = /\/resourceGroups\/([^/]+)/i.exec(o.id);
        if (m?.[1] && ok(m[1])) tokens.add(m[1]);
      }
    } else {
      for (const [k, x] of Object.entries(o)) {
        if (typeof x !== "string") continue;
        if (AWS_ID.test(x) || (AWS_NAME_KEYS.has(k) && ok(x))) tokens.add(x);
      }
    }
  });
  return tokens;
}

/**
 * A hostile copy of a snapshot. Every third token gets the newline suffix,
 * the others the shell one; health-check paths get the shell suffix.
 */
export function hostileSnapshot(
  snapshot: Snapshot,
  opts: { suffix?: string; newlineEvery?: number } = {},
): { snapshot: Snapshot; map: Map<string, string> } {
  const SUFFIX = opts.suffix ?? SHELL_SUFFIX;
  const every = opts.newlineEvery ?? 3;
  const tokens = [...collectTokens(snapshot)].sort();
  const map = new Map<string, string>();
  tokens.forEach((t, i) => {
    map.set(t.toLowerCase(), every > 0 && i % every === every - 1 ? NEWLINE_SUFFIX : SUFFIX);
  });
  const fix = (s: string): string => {
    const whole = map.get(s.toLowerCase());
    if (whole !== undefined) return s + whole;
    if (!s.includes("/")) return s;
    return s
      .split("/")
      .map((seg) => {
        const suffix = map.get(seg.toLowerCase());
        return suffix === undefined ? seg : seg + suffix;
      })
      .join("/");
  };
  const copy = (v: unknown, key?: string): unknown => {
    if (typeof v === "string") {
      if (key !== undefined && PATH_KEYS.has(key)) return `${v}${SUFFIX}`;
      // JSON embedded in a string (a CloudTrail event): its ids change the same way
      if (v.startsWith("{")) {
        try {
          return JSON.stringify(copy(JSON.parse(v)));
        } catch {
          // not JSON
        }
      }
      return fix(v);
    }
    if (Array.isArray(v)) return v.map((x) => copy(x));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[fix(k)] = copy(x, k);
      return out;
    }
    return v;
  };
  // the envelope's own fields stay as they are
  const out = copy(snapshot) as Record<string, unknown>;
  // tag values (Azure `tags: {k: v}`, AWS `Tags: [{Key, Value}]`): Kubernetes Service names and namespaces come from them
  walk(out, (o) => {
    const tags = o.tags;
    if (tags !== null && typeof tags === "object" && !Array.isArray(tags))
      for (const [k, v] of Object.entries(tags)) if (typeof v === "string") (tags as Record<string, string>)[k] = v + SUFFIX;
    if (Array.isArray(o.Tags))
      for (const t of o.Tags as Array<Record<string, unknown>>) if (typeof t?.Value === "string") t.Value += SUFFIX;
  });
  for (const k of ["schema", "provider", "collectedAt", "tool"]) out[k] = (snapshot as unknown as Record<string, unknown>)[k];
  return { snapshot: out as unknown as Snapshot, map };
}

/** The `--from` names of a case, made to match the hostile snapshot: ids as mapped, tag names with the tag suffix. */
export function hostileFrom(from: string[], map: Map<string, string>): string[] {
  return from.map((f) => f + (map.get(f.toLowerCase()) ?? (f.includes("/") ? "" : SHELL_SUFFIX)));
}

/**
 * What a terminal would act on: clear screen and home, window title (OSC 0),
 * clipboard write (OSC 52), a hyperlink (OSC 8), CR, a C1 CSI, NUL, and the
 * bidi controls (right-to-left override, isolates). No `/` (it would split ids).
 */
export const TERMINAL_SUFFIX =
  "\u001b[2J\u001b[H\u001b]0;pwned-title\u0007\u001b]52;c;cHduZWQ=\u0007\u001b]8;;x:evil\u001b\\link\u001b]8;;\u001b\\\r\u009b31m\u0000\u202e\u2066pwned\u2069\u202c";
