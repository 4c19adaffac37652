/** The finding view, fix first: the fix commands to copy right under the headline, then the explanation, related findings, evidence (resource, pointer, value) and source doc. */

import { docsUrl } from "../../core/engine/define-rule.ts";
import type { Finding } from "../../core/engine/types.ts";
import { renderValue, shortId } from "../../core/report/formatters/text.ts";
import { sanitize } from "../../core/report/sanitize.ts";
import { idKey } from "../../core/util/resource-id.ts";
import { promptFor } from "../../core/util/shell.ts";
import { cellWidth, type Row, type Seg, truncate, wrap } from "../text.ts";
import type { TuiData } from "../types.ts";
import { visibleFindings } from "./filter.ts";
import { findingById, findingIndex, whole } from "./overview.ts";
import { distinguishers, findingSeg, isRootCause } from "./style.ts";
import type { Item, Rendered } from "./types.ts";

/** A single token (no spaces) wider than `column` but within `full`: shown on a row of its own. Undefined otherwise. */
function tokenLine(v: string, column: number, _full: number): string | undefined {
  if (/\s/.test(v.trim()) || cellWidth(v) <= column) return undefined;
  // wider than the screen too: still whole on its row, which cuts it at the edge with "…"
  return v;
}

export function findingItems(data: TuiData, id: string): Item[] {
  const found = findingById(data, id);
  if (!found) return [];
  const f = whole(data, found.f);
  // fix first: the commands right under the headline, the cursor on the first one
  return [
    ...(f.remediation?.commands ?? []).map((text): Item => ({ kind: "command", text })),
    { kind: "block" },
    ...f.relatedTo.map((r): Item => ({ kind: "finding", id: r.findingId })),
    ...f.evidence.map((): Item => ({ kind: "block" })),
    { kind: "block" },
    ...sourceLinks(f).map(([, text]): Item => ({ kind: "command", text })),
  ];
}

/** The docs page and the references, each to copy. */
function sourceLinks(f: Finding): Array<[string, string]> {
  return [["docs", docsUrl(f.ruleId)], ...f.references.map((r): [string, string] => ["see", sanitize(r)])];
}

export function findingRows(data: TuiData, id: string, selected: number, width: number): Rendered {
  const W = Math.max(40, width);
  const rows: Row[] = [];
  const spans: Rendered["spans"] = [];
  const found = findingById(data, id);
  if (!found) {
    rows.push([{ t: "This finding is no longer reported (refreshed?). esc goes back.", color: "yellow" }]);
    return { rows, spans };
  }
  const f = whole(data, found.f);
  let item = 0;
  const mark = () => {
    const sel = item === selected;
    item++;
    return sel;
  };
  const cursor = (sel: boolean): Row[number] => (sel ? { t: "› ", bold: true, color: "cyan" } : { t: "  " });
  const section = (title: string) => {
    rows.push([]);
    rows.push([{ t: truncate(title, W), bold: true }]);
  };
  const para = (text: string, indent: number, style: Omit<Seg, "t"> = {}, sel?: boolean, max = Infinity) => {
    const lines = wrap(text, W - indent);
    const cut = lines.length > max ? [...lines.slice(0, max - 1), truncate(lines.slice(max - 1).join(" "), W - indent)] : lines;
    cut.forEach((l, i) => {
      const lead = sel !== undefined && i === 0 ? [{ t: " ".repeat(Math.max(0, indent - 2)) }, cursor(sel)] : [{ t: " ".repeat(indent) }];
      rows.push([...lead, { ...style, t: l }]);
    });
  };
  const lbId = f.loadBalancerId;
  const lb = lbId ? data.lbs.find((x) => x.key === idKey(lbId)) : undefined;

  rows.push([findingSeg(f, 11), { t: " " }, { t: f.ruleId, bold: true }, ...(isRootCause(f) ? [{ t: "  root cause", bold: true }] : [])]);
  const apart = distinguishers(found.list).get(found.f);
  para(
    `${f.title} · on ${sanitize(f.resourceName)}${apart ? ` [${sanitize(apart)}]` : ""}${lb ? ` · load balancer ${sanitize(lb.name)}` : ""}`,
    0,
    { dim: true },
  );
  // FIX, right under the headline: what to do, then the commands (c copies the one under the cursor)
  rows.push([]);
  rows.push([
    { t: "FIX", bold: true },
    ...(f.remediation?.commands.length ? [{ t: "  c copies the command under the cursor", dim: true }] : []),
  ]);
  if (!f.remediation) {
    rows.push([{ t: f.status === "fail" ? "  no fix recorded" : `  nothing to fix: the result is ${f.status}`, dim: true }]);
  } else {
    for (const c of f.remediation.commands) {
      const sel = mark();
      const start = rows.length;
      const lines = wrap(`${promptFor(c)}${sanitize(c)}`, W - 4);
      lines.forEach((l, i) => {
        rows.push([i === 0 ? cursor(sel) : { t: "  " }, { t: i === 0 ? l : `  ${l}`, color: "cyan", bold: sel }]);
      });
      spans.push([start, rows.length]);
    }
    para(sanitize(f.remediation.summary), 2);
    if (f.remediation.commands.length === 0) rows.push([{ t: "  (no command: the summary says what to do)", dim: true }]);
  }
  section("WHY");
  let start = rows.length;
  para(sanitize(f.message), 2, {}, mark());
  spans.push([start, rows.length]);

  if (f.relatedTo.length > 0) {
    const byId = findingIndex(data.findings);
    const causes = f.relatedTo.some((r) => r.relation === "caused-by");
    section(isRootCause(f) && !causes ? "EXPLAINS" : causes && !isRootCause(f) ? "CAUSED BY" : "RELATED");
    for (const r of f.relatedTo) {
      const other: Finding | undefined = byId.get(r.findingId);
      const sel = mark();
      start = rows.length;
      rows.push([
        cursor(sel),
        { t: r.relation === "explains" ? "explains  " : "caused by ", dim: true },
        { t: truncate(`${other?.ruleId ?? r.ruleId} on ${sanitize(other?.resourceName ?? "?")}`, W - 12), bold: sel },
      ]);
      spans.push([start, rows.length]);
    }
  }

  section(`EVIDENCE (${f.evidence.length})`);
  if (f.evidence.length === 0) rows.push([{ t: "  none recorded", dim: true }]);
  for (const e of f.evidence) {
    const sel = mark();
    start = rows.length;
    rows.push([cursor(sel), { t: truncate(sanitize(e.label ?? "evidence"), W - 2), bold: true }]);
    const field = (k: string, v: string, max: number) => {
      // a token too long for the column (an id, a URL) moves under the label, less indented, whole
      const own = tokenLine(v, W - 14, W - 4);
      if (own) {
        rows.push([{ t: "    " }, { t: k, dim: true }]);
        rows.push([{ t: "    " }, { t: own }]);
        return;
      }
      const lines = wrap(v, W - 14);
      const cut = lines.length > max ? [...lines.slice(0, max - 1), truncate(lines.slice(max - 1).join(" "), W - 14)] : lines;
      cut.forEach((l, i) => {
        rows.push([{ t: "    " }, { t: i === 0 ? k.padEnd(10) : " ".repeat(10), dim: true }, { t: l }]);
      });
    };
    field("resource", sanitize(shortId(e.resourceId) || "(snapshot)"), 2);
    field("pointer", sanitize(e.pointer), 3);
    field("value", sanitize(renderValue(e.value)), 4);
    spans.push([start, rows.length]);
  }

  section("SOURCE");
  start = rows.length;
  const ref = (k: string, v: string, sel?: boolean) => {
    // a URL too long for the column goes on a row of its own, from the left edge, whole
    const own = tokenLine(v, W - 12, W);
    if (own) {
      rows.push([
        sel !== undefined ? cursor(sel) : { t: "  " },
        { t: k, dim: true },
        ...(sel ? [{ t: "  enter copies it", dim: true }] : []),
      ]);
      rows.push([{ t: own }]);
      return;
    }
    wrap(v, W - 12)
      .slice(0, 3)
      .forEach((l, i) => {
        rows.push([
          i === 0 && sel !== undefined ? cursor(sel) : { t: "  " },
          { t: i === 0 ? k.padEnd(10) : " ".repeat(10), dim: true },
          { t: l },
        ]);
      });
  };
  ref("from", sanitize(f.source), mark());
  spans.push([start, rows.length]);
  // every link is an item: enter (or c) copies it whole, wherever the screen cuts it
  for (const [k, url] of sourceLinks(f)) {
    start = rows.length;
    ref(k, url, mark());
    spans.push([start, rows.length]);
  }

  return { rows, spans };
}

/**
 * The fix the overview's `c` copies: the selected finding's first command, or its root cause's; on a load balancer,
 * its first root cause's (findings come root causes first). Undefined when there is none.
 */
export function overviewFix(data: TuiData, it: Item | undefined): { command: string; finding: Finding } | undefined {
  const first = (f: Finding | undefined) => {
    const command = f?.remediation?.commands[0];
    return f && command ? { command, finding: f } : undefined;
  };
  // cached per list: the footer asks on every keypress
  const byId = findingIndex(data.findings);
  if (it?.kind === "finding") {
    const f = byId.get(it.id);
    const causes = (f?.relatedTo ?? []).filter((r) => r.relation === "caused-by").map((r) => byId.get(r.findingId));
    return first(f) ?? causes.map(first).find(Boolean);
  }
  if (it?.kind === "lb") {
    const mine = visibleFindings(data.findings, { text: "", all: false }, it.key).filter((f) => f.status === "fail");
    return mine.filter(isRootCause).map(first).find(Boolean) ?? mine.map(first).find(Boolean);
  }
  return undefined;
}
