/**
 * Applies configured suppressions to findings. A matching suppression marks
 * the finding (it stays in every report, marked); an expired one marks it too
 * but no longer suppresses it. Time comes in as `now`: nothing here reads the
 * clock.
 */

import type { Finding } from "../engine/types.ts";
import type { SuppressionEntry } from "./config.ts";
import { compileGlob } from "./glob.ts";

export { resolveNow } from "./find.ts";

/** What became of each configured suppression, for the report. */
export interface SuppressionStatus {
  source: string;
  rule: string;
  resource?: string;
  tag?: Record<string, string>;
  reason: string;
  expires?: string;
  expired: boolean;
  /** findings (fail, unknown or error) it matched */
  matched: number;
}

/** The tags of the resource a finding is about; each provider adapter supplies it (`tagsOf`). */
export type TagsOf = (resourceId: string) => Record<string, string> | undefined;

const SUPPRESSIBLE = new Set(["fail", "unknown", "error"]);

/** Whether a finding is currently suppressed (a matching, unexpired suppression). */
export function isSuppressed(f: Finding): boolean {
  return f.suppression !== undefined && f.suppression.expired !== true;
}

export function applySuppressions(
  findings: Finding[],
  entries: SuppressionEntry[],
  ctx: { now: number; tagsOf: TagsOf },
): SuppressionStatus[] {
  const compiled = entries.map((e) => ({
    entry: e,
    rule: compileGlob(e.rule, { nocase: true }),
    resource: e.resource ? compileGlob(e.resource, { nocase: true }) : undefined,
    byId: e.resource?.includes("/") === true,
    expired: e.expiresAt !== undefined && ctx.now >= e.expiresAt,
    matched: 0,
  }));
  for (const f of findings) {
    if (!SUPPRESSIBLE.has(f.status)) continue;
    let chosen: (typeof compiled)[number] | undefined;
    for (const c of compiled) {
      if (!c.rule(f.ruleId)) continue;
      if (c.resource && !c.resource(c.byId ? f.resourceId : f.resourceName)) continue;
      if (c.entry.tag && !tagsMatch(c.entry.tag, ctx.tagsOf(f.resourceId))) continue;
      c.matched++;
      if (!chosen || (chosen.expired && !c.expired)) chosen = c;
    }
    if (chosen) {
      const e = chosen.entry;
      f.suppression = { reason: e.reason, source: e.source };
      if (e.expires !== undefined) f.suppression.expires = e.expires;
      if (chosen.expired) f.suppression.expired = true;
    }
  }
  return compiled.map((c) => {
    const e = c.entry;
    const s: SuppressionStatus = { source: e.source, rule: e.rule, reason: e.reason, expired: c.expired, matched: c.matched };
    if (e.resource !== undefined) s.resource = e.resource;
    if (e.tag !== undefined) s.tag = e.tag;
    if (e.expires !== undefined) s.expires = e.expires;
    return s;
  });
}

function tagsMatch(want: Record<string, string>, have: Record<string, string> | undefined): boolean {
  if (!have) return false;
  const lower = new Map(Object.entries(have).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(want).every(([k, v]) => {
    const got = lower.get(k.toLowerCase());
    return got !== undefined && (v === "*" || got === v);
  });
}
