/** The TUI's words and marks. Every state reads as text first; colour only adds to it (NO_COLOR stays readable). */
import type { Finding, Severity } from "../../core/engine/types.ts";
import type { LoadBalancerSummary } from "../../core/report/report.ts";
import { pad, type Seg } from "../text.ts";
import type { LbEntry, VerdictCell } from "../types.ts";

export const BADGE: Record<LbEntry["status"], { icon: string; word: string; color: Seg["color"] }> = {
  healthy: { icon: "✔", word: "HEALTHY", color: "green" },
  degraded: { icon: "▲", word: "DEGRADED", color: "yellow" },
  down: { icon: "✖", word: "DOWN", color: "red" },
  unknown: { icon: "?", word: "UNKNOWN", color: "magenta" },
  // the rules are running: no status yet
  checking: { icon: "…", word: "CHECKING", color: "gray" },
};

/** "✖ DOWN" padded to `width` */
export function badgeSeg(status: LbEntry["status"], width = 10): Seg {
  const b = BADGE[status];
  return { t: pad(`${b.icon} ${b.word}`, width), color: b.color, bold: status === "down" };
}

/** "3 failed", "nothing failed", or while the rules run (`checking`) that they are running: never a 0 before they ran. */
export function failedText(lb: Pick<LbEntry, "failed">, checking: boolean, zero = "nothing failed"): string {
  return checking ? "rules running" : lb.failed === 0 ? zero : `${lb.failed} failed`;
}

/** "1/2 up", when the platform observed the backends; "" otherwise */
export function upText(lb: Pick<LoadBalancerSummary, "members">): string {
  return lb.members ? `${lb.members.up}/${lb.members.total} up` : "";
}

const SEV_COLOR: Record<Severity, Seg["color"]> = { critical: "red", high: "red", medium: "yellow", low: "cyan", info: "gray" };
const ICON: Record<Finding["status"], string> = { fail: "✖", error: "!", unknown: "?", pass: "✔", "not-applicable": "-" };

/** "✖ CRITICAL" / "? UNKNOWN" / "✔ PASS", padded to `width` */
export function findingSeg(f: Finding, width = 10): Seg {
  const word = f.status === "fail" ? f.severity.toUpperCase() : f.status === "not-applicable" ? "N/A" : f.status.toUpperCase();
  const color: Seg["color"] =
    f.status === "fail" ? SEV_COLOR[f.severity] : f.status === "unknown" ? "magenta" : f.status === "error" ? "red" : "green";
  return { t: pad(`${ICON[f.status]} ${word}`, width), color, bold: f.status === "fail" && f.severity === "critical" };
}

export function isRootCause(f: Finding): boolean {
  return f.relatedTo.some((r) => r.relation === "explains");
}

const VERDICT: Record<VerdictCell["verdict"], { word: string; color: Seg["color"] }> = {
  allow: { word: "ALLOW", color: "green" },
  deny: { word: "DENY", color: "red" },
  unknown: { word: "UNKNOWN", color: "magenta" },
  restricted: { word: "LIMITED", color: "yellow" },
  "n/a": { word: "n/a", color: "gray" },
};

export function verdictSeg(v: VerdictCell["verdict"], width = 7): Seg {
  const x = VERDICT[v];
  return { t: pad(x.word, width), color: x.color, bold: v === "deny" };
}

export function verdictWord(v: VerdictCell["verdict"]): string {
  return VERDICT[v].word;
}

export function healthSeg(state: string, width = 6): Seg {
  const down = isDown(state);
  const color: Seg["color"] = isUp(state) ? "green" : down ? "red" : "gray";
  return { t: pad(state, width), color, bold: down };
}

export function powerSeg(state: string, width = 11): Seg {
  const color: Seg["color"] = state === "running" ? "green" : state === "—" ? "gray" : state === "unknown" ? "magenta" : "yellow";
  return { t: pad(state, width), color };
}

/** The rule that decided: "deny-all-inbound (priority 4000) in nic NSG nsg-vm1-lockdown", "rule 100 (…) in target subnet NACL acl-1" */
export function describeCell(c: VerdictCell): string {
  if (c.verdict === "n/a") return c.reason ?? "not applicable";
  const parts: string[] = [];
  if (c.rule) {
    const paren = c.priority !== undefined ? ` (priority ${c.priority}${c.isDefault ? ", default" : ""})` : "";
    parts.push(`${c.verdict === "unknown" ? "may match " : ""}${c.rule}${paren}`);
    if (c.at) parts.push(`in ${c.at}`);
  }
  if (c.reason) parts.push(parts.length > 0 ? `· ${c.reason}` : c.reason);
  return parts.join(" ");
}

/** Serving: Azure `Up`, AWS `healthy`. */
export function isUp(state: string): boolean {
  const l = state.toLowerCase();
  return l === "up" || l === "healthy";
}

/** Failing its health checks: Azure `Down`, AWS `unhealthy`. */
export function isDown(state: string): boolean {
  const l = state.toLowerCase();
  return l === "down" || l === "unhealthy";
}

/** "▁▁▁█" style strip of health samples: Up is a full block, Down a low one, anything else a dot. */
export function sparkline(states: string[]): string {
  return states.map((s) => (isUp(s) ? "█" : isDown(s) ? "▁" : "·")).join("");
}

// computed once per list (the list is cached per filter): rows are drawn on every keypress
const detailCache = new WeakMap<Finding[], Map<Finding, string>>();

/**
 * What tells apart findings of one rule on one resource (a load-balancing
 * rule, a scale-set instance): the part of their keys that differs, without
 * what they share. Empty for a finding that is alone in its (rule, resource).
 */
export function distinguishers(list: Finding[]): Map<Finding, string> {
  const hit = detailCache.get(list);
  if (hit) return hit;
  const groups = new Map<string, Finding[]>();
  for (const f of list) {
    const k = `${f.ruleId}\u0000${f.resourceName}`;
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  const out = new Map<Finding, string>();
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const parts = g.map((f) => (f.key ?? f.id).split("|"));
    const n = Math.max(...parts.map((p) => p.length));
    for (let i = 0; i < n; i++) {
      const vals = parts.map((p) => p[i] ?? "");
      if (new Set(vals).size === 1) continue;
      // within the differing part, drop the path segments all of them share at both ends
      const segs = vals.map((v) => v.split("/"));
      let pre = 0;
      while (segs.every((s) => pre < s.length - 1 && s[pre] === segs[0]?.[pre])) pre++;
      let suf = 0;
      while (segs.every((s) => suf < s.length - 1 - pre && s[s.length - 1 - suf] === segs[0]?.[(segs[0]?.length ?? 0) - 1 - suf])) suf++;
      // keep the type in front of an instance number: "virtualmachines/1", not "1"
      if (pre > 0 && segs.every((s) => /^\d+$/.test(s.slice(pre, s.length - suf).join("/")))) pre--;
      g.forEach((f, j) => {
        const s = segs[j] ?? [];
        out.set(f, s.slice(pre, s.length - suf).join("/"));
      });
      break;
    }
  }
  detailCache.set(list, out);
  return out;
}
