/** The overview: every load balancer with its badge and failures by severity, then the findings, root causes first. */
import { type Finding, SEVERITIES } from "../../core/engine/types.ts";
import { skuAndKind } from "../../core/report/report.ts";
import { sanitize } from "../../core/report/sanitize.ts";
import type { WatchState } from "../session.ts";
import { cellWidth, clock, pad, padStart, type Row, truncate } from "../text.ts";
import type { TuiData } from "../types.ts";
import { describeFilter, describeSort, type ListFilter, visibleFindings, visibleLbs } from "./filter.ts";
import { badgeSeg, distinguishers, findingSeg, isRootCause, upText } from "./style.ts";
import type { Item, Rendered } from "./types.ts";

const COUNT_HEAD = ["CRIT", "HIGH", "MED", "LOW", "INFO"];

export function overviewItems(data: TuiData, f: ListFilter): Item[] {
  return [
    ...visibleLbs(data.lbs, f).map((lb): Item => ({ kind: "lb", key: lb.key })),
    ...visibleFindings(data.findings, f).map((x): Item => ({ kind: "finding", id: x.id })),
  ];
}

export function marker(selected: boolean): Row[number] {
  return selected ? { t: "› ", bold: true, color: "cyan" } : { t: "  " };
}

/** The watch lines shared by the overview and the LB view. */
export function watchRows(w: WatchState, width: number): Row[] {
  if (!w.active && w.transitions.length === 0) return [];
  const head = w.active
    ? `WATCH every ${(w.intervalMs ?? 0) / 1000}s · ${w.polls} poll${w.polls === 1 ? "" : "s"}${w.lastPollAt ? ` · last ${clock(w.lastPollAt)}` : ""}${w.polling ? " · polling…" : ""}`
    : `WATCH paused · ${w.polls} polls`;
  const rows: Row[] = [[{ t: truncate(head, width), bold: true, color: "cyan" }]];
  if (w.lastError) rows.push([{ t: truncate(`  ${w.lastError}`, width), color: "yellow" }]);
  const recent = w.transitions.slice(-3).reverse();
  if (recent.length === 0 && w.active) rows.push([{ t: truncate("  no health transitions yet", width), dim: true }]);
  for (const t of recent) {
    const up = t.to.toLowerCase() === "up";
    rows.push([
      { t: "  " },
      { t: `${up ? "▲" : "▼"} ${t.from} → ${t.to}`, bold: true, color: up ? "green" : "red" },
      {
        t: truncate(
          ` ${clock(t.at)} · ${t.label}${t.reason ? ` · ${t.reason}` : ""}`,
          Math.max(0, width - 6 - cellWidth(`${t.from} → ${t.to}`)),
        ),
      },
    ]);
  }
  rows.push([]);
  return rows;
}

export function overviewRows(data: TuiData, f: ListFilter, selected: number, width: number, watch?: WatchState): Rendered {
  const rows: Row[] = [];
  const spans: Rendered["spans"] = [];
  const W = Math.max(40, width);
  if (watch) rows.push(...watchRows(watch, W));

  const lbs = visibleLbs(data.lbs, f);
  const wide = W >= 64;
  const countW = wide ? 25 : 0;
  const nameW = W - 2 - 11 - countW;
  rows.push([
    { t: pad(`LOAD BALANCERS (${lbs.length}${lbs.length !== data.lbs.length ? ` of ${data.lbs.length}` : ""})`, W - countW), bold: true },
    ...(wide ? [{ t: COUNT_HEAD.map((h) => padStart(h, 5)).join(""), dim: true }] : []),
  ]);
  if (lbs.length === 0) {
    rows.push([{ t: data.lbs.length === 0 ? "  no load balancer in scope" : "  no load balancer matches the filter", dim: true }]);
  }
  let item = 0;
  for (const lb of lbs) {
    const sel = item === selected;
    // name, how many members serve, SKU and frontends; the SKU gives way first when the row is narrow
    const up = upText(lb);
    const fes = lb.frontends.map(sanitize).join(", ");
    const full = [`${sanitize(lb.name)} `, up, sanitize(skuAndKind(lb, " ")), fes].filter(Boolean).join(" · ").replace(" · ", " ");
    const short = [`${sanitize(lb.name)} `, up, fes].filter(Boolean).join(" · ").replace(" · ", " ");
    const desc = up && cellWidth(full) > nameW - (wide ? 0 : 8) ? short : full;
    const counts = SEVERITIES.map((s) => lb.failedBySeverity[s]);
    const row: Row = [marker(sel), badgeSeg(lb.status), { t: " " }];
    if (wide) {
      row.push({ t: pad(desc, nameW), bold: sel });
      counts.forEach((n, i) => {
        row.push({
          t: padStart(String(n), 5),
          ...(n > 0 ? { color: i < 2 ? "red" : i === 2 ? "yellow" : "cyan", bold: i === 0 } : { dim: true }),
        });
      });
    } else {
      const compact = SEVERITIES.map((s, i) => (counts[i] ? `${counts[i]}${s[0]?.toUpperCase()}` : ""))
        .filter(Boolean)
        .join(" ");
      row.push({ t: pad(`${desc} ${compact}`, nameW), bold: sel });
    }
    spans.push([rows.length, rows.length + 1]);
    rows.push(row);
    item++;
  }
  if (data.gaps.length > 0) {
    rows.push([
      {
        t: truncate(
          `  ${data.gaps.length} collection gap${data.gaps.length === 1 ? "" : "s"}: what could not be read is unknown, not passed (L lists them)`,
          W,
        ),
        color: "yellow",
      },
    ]);
  }
  rows.push([]);

  const shown = visibleFindings(data.findings, f);
  const total = f.all ? data.findings.length : data.findings.filter((x) => x.status !== "pass" && x.status !== "not-applicable").length;
  rows.push([{ t: truncate(`FINDINGS · ${shown.length} of ${total} · ${describeSort(f.sort)} · ${describeFilter(f)}`, W), bold: true }]);
  if (shown.length === 0) rows.push([{ t: total === 0 ? "  nothing failed" : "  nothing matches the filter", dim: true }]);
  pushFindingRows(rows, spans, shown, data.findings, W, selected, item);
  return { rows, spans };
}

/** Appends one row per finding: badge, rule id, resource, and whether it is a root cause or what caused it. */
export function pushFindingRows(
  rows: Row[],
  spans: Rendered["spans"],
  shown: Finding[],
  all: Finding[],
  W: number,
  selected: number,
  firstItem: number,
): void {
  const rest = W - 13;
  const ruleW = Math.min(Math.max(10, ...shown.map((x) => cellWidth(x.ruleId))), Math.floor(rest * 0.48));
  const resW = Math.min(Math.max(8, ...shown.map((x) => cellWidth(sanitize(x.resourceName)))), Math.floor(rest * 0.27));
  const tagW = Math.max(0, rest - ruleW - resW - 2);
  const byId = new Map(all.map((x) => [x.id, x]));
  // two findings of one rule on one resource: each says what sets it apart
  const detail = distinguishers(shown);
  let item = firstItem;
  for (const x of shown) {
    const sel = item === selected;
    const cause = x.relatedTo.find((r) => r.relation === "caused-by");
    const why = isRootCause(x)
      ? "root cause"
      : cause
        ? `← ${(byId.get(cause.findingId)?.ruleId ?? cause.ruleId).replace(/^\w+\//, "")}`
        : "";
    const d = detail.get(x);
    const tag = [d ? `[${sanitize(d)}]` : "", why].filter(Boolean).join(" ");
    spans.push([rows.length, rows.length + 1]);
    rows.push([
      marker(sel),
      findingSeg(x),
      { t: " " },
      { t: pad(x.ruleId, ruleW), bold: sel },
      { t: " " },
      { t: pad(sanitize(x.resourceName), resW) },
      { t: " " },
      { t: pad(tag, tagW), ...(isRootCause(x) ? { bold: true } : { dim: true }) },
    ]);
    item++;
  }
}

/** One or two sentences on the selected item, for the preview under the list. */
export function overviewPreview(data: TuiData, it: Item | undefined): string {
  if (!it) return "";
  if (it.kind === "lb") {
    const lb = data.lbs.find((x) => x.key === it.key);
    if (!lb) return "";
    const failed = lb.failed === 0 ? "nothing failed" : `${lb.failed} failed`;
    const hint = data.inspector ? "enter shows frontends, rules and every member with why it is up or down" : (data.inspectorNote ?? "");
    const up = upText(lb);
    return `${sanitize(lb.name)}: ${sanitize(skuAndKind(lb, " "))} load balancer, ${lb.status}${up ? ` (${up})` : ""}; ${failed}. ${hint}`;
  }
  if (it.kind === "finding") {
    const x = data.findings.find((y) => y.id === it.id);
    return x ? `${x.title}: ${sanitize(x.message)}` : "";
  }
  return "";
}
