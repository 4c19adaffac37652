/** The overview: every load balancer with its badge and failures by severity, then the findings, root causes first. */
import { type Finding, SEVERITIES } from "../../core/engine/types.ts";
import { skuAndKind } from "../../core/report/report.ts";
import { sanitize } from "../../core/report/sanitize.ts";
import { plural } from "../../core/util/words.ts";
import type { WatchState } from "../session.ts";
import { cellWidth, clock, pad, padStart, type Row, truncate } from "../text.ts";
import type { LbEntry, TuiData } from "../types.ts";
import { describeFilter, describeSort, type ListFilter, resultList, visibleFindings, visibleLbs } from "./filter.ts";
import { badgeSeg, distinguishers, failedText, findingSeg, isRootCause, upText } from "./style.ts";
import { type Item, type Rendered, type Virtual, virtualOfSegments } from "./types.ts";

const COUNT_HEAD = ["CRIT", "HIGH", "MED", "LOW", "INFO"];

const itemCache = new WeakMap<Finding[], Map<string, Item[]>>();

export function overviewItems(data: TuiData, f: ListFilter): Item[] {
  // cached per (findings, filter): a keypress does not rebuild a 20,000-item list
  const lbs = visibleLbs(data.lbs, f);
  const findings = visibleFindings(resultList(data, f.all), f);
  let byKey = itemCache.get(findings);
  if (!byKey) itemCache.set(findings, (byKey = new Map()));
  const key = lbs.map((lb) => lb.key).join("\u0000");
  const hit = byKey.get(key);
  if (hit) return hit;
  const items = [...lbs.map((lb): Item => ({ kind: "lb", key: lb.key })), ...findings.map((x): Item => ({ kind: "finding", id: x.id }))];
  if (byKey.size > 4) byKey.clear();
  byKey.set(key, items);
  return items;
}

export function marker(selected: boolean): Row[number] {
  return selected ? { t: "› ", bold: true, color: "cyan" } : { t: "  " };
}

/** "next in 3s", "polling…", "next poll due": when the next watch poll runs. */
export function nextPollText(w: WatchState, now: number): string {
  if (w.polling) return "polling…";
  if (w.nextPollAt === undefined) return "";
  const s = Math.ceil((w.nextPollAt - now) / 1000);
  return s > 0 ? `next in ${s}s` : "next poll due";
}

/**
 * The watch lines shared by the overview and the LB view: the WATCH header (interval, polls, last poll, a countdown
 * to the next) and the newest transitions, newest first. The screens pin them above the list: they never scroll off.
 */
export function watchRows(w: WatchState, width: number, now = Date.now(), maxTransitions = 3): Row[] {
  if (!w.active && w.transitions.length === 0) return [];
  const next = nextPollText(w, now);
  const head = w.active
    ? `WATCH every ${(w.intervalMs ?? 0) / 1000}s · ${w.polls} poll${w.polls === 1 ? "" : "s"}${w.lastPollAt ? ` · last ${clock(w.lastPollAt)}` : ""}${next ? ` · ${next}` : ""}`
    : `WATCH paused · ${w.polls} polls`;
  const rows: Row[] = [[{ t: truncate(head, width), bold: true, color: "cyan" }]];
  if (w.lastError) rows.push([{ t: truncate(`  ${w.lastError}`, width), color: "yellow" }]);
  const recent = w.transitions.slice(-Math.max(1, maxTransitions)).reverse();
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

/** The overview as a virtual list: only the rows on screen are drawn (the watch lines are pinned above it by the screen: see watchRows). */
export function overviewVirtual(data: TuiData, f: ListFilter, selected: number, width: number): Virtual {
  const W = Math.max(40, width);
  const head: Row[] = [];

  const lbs = visibleLbs(data.lbs, f);
  const wide = W >= 64;
  const countW = wide ? 25 : 0;
  const nameW = W - 2 - 11 - countW;
  head.push([
    { t: pad(`LOAD BALANCERS (${lbs.length}${lbs.length !== data.lbs.length ? ` of ${data.lbs.length}` : ""})`, W - countW), bold: true },
    ...(wide ? [{ t: COUNT_HEAD.map((h) => padStart(h, 5)).join(""), dim: true }] : []),
  ]);
  if (lbs.length === 0) {
    head.push([{ t: data.lbs.length === 0 ? "  no load balancer in scope" : "  no load balancer matches the filter", dim: true }]);
  }
  const lbRow = (k: number): Row => {
    const lb = lbs[k] as LbEntry;
    const sel = k === selected;
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
        // while the rules run, no count: "…", not a 0 that reads as nothing failed
        row.push({
          t: padStart(data.checking ? "…" : String(n), 5),
          ...(n > 0 ? { color: i < 2 ? "red" : i === 2 ? "yellow" : "cyan", bold: i === 0 } : { dim: true }),
        });
      });
    } else {
      const compact = SEVERITIES.map((s, i) => (counts[i] ? `${counts[i]}${s[0]?.toUpperCase()}` : ""))
        .filter(Boolean)
        .join(" ");
      row.push({ t: pad(`${desc} ${compact}`, nameW), bold: sel });
    }
    return row;
  };
  const mid: Row[] = [];
  if (data.gaps.length > 0) {
    mid.push([
      {
        t: truncate(
          `  ${data.gaps.length} collection gap${data.gaps.length === 1 ? "" : "s"}: what could not be read is unknown, not passed (L lists them)`,
          W,
        ),
        color: "yellow",
      },
    ]);
  }
  mid.push([]);

  const list = resultList(data, f.all);
  const shown = visibleFindings(list, f);
  const total = f.all ? list.length : visibleFindings(data.findings, { text: "", all: false }).length;
  if (data.checking) {
    mid.push([{ t: truncate(`FINDINGS · checking ${plural(data.checking.rules, "rule")}…`, W), bold: true }]);
    mid.push([{ t: truncate("  the findings show here once every rule has run", W), dim: true }]);
  } else {
    mid.push([{ t: truncate(`FINDINGS · ${shown.length} of ${total} · ${describeSort(f.sort)} · ${describeFilter(f)}`, W), bold: true }]);
    if (shown.length === 0) mid.push([{ t: total === 0 ? "  nothing failed" : "  nothing matches the filter", dim: true }]);
  }
  const findingRow = findingRowMaker(shown, list, W);
  return virtualOfSegments([
    { rows: head },
    { count: lbs.length, row: lbRow },
    { rows: mid },
    { count: shown.length, row: (k) => findingRow(k, lbs.length + k === selected) },
  ]);
}

/** Every row of the overview (tests, and places that print it whole). */
export function overviewRows(data: TuiData, f: ListFilter, selected: number, width: number): Rendered {
  const v = overviewVirtual(data, f, selected, width);
  const rows = Array.from({ length: v.total }, (_, i) => v.rowAt(i));
  const spans: Rendered["spans"] = [];
  for (let i = 0; ; i++) {
    const s = v.spanOf(i);
    if (!s) break;
    spans.push(s);
  }
  return { rows, spans };
}

// per list: column widths and the finding index, measured once, not on every keypress
const layoutCache = new WeakMap<Finding[], Map<number, { ruleW: number; resW: number; tagW: number }>>();
const indexCache = new WeakMap<Finding[], Map<string, Finding>>();

export function findingIndex(all: Finding[]): Map<string, Finding> {
  let m = indexCache.get(all);
  if (!m) indexCache.set(all, (m = new Map(all.map((x) => [x.id, x]))));
  return m;
}

/** A finding by id, and the list that holds it: the fail, unknown and error findings, else every result (`a`). */
export function findingById(data: TuiData, id: string): { f: Finding; list: Finding[] } | undefined {
  const f = findingIndex(data.findings).get(id);
  if (f) return { f, list: data.findings };
  const all = data.allFindings?.();
  const g = all && findingIndex(all).get(id);
  return all && g ? { f: g, list: all } : undefined;
}

/** A finding with its message and evidence: a light pass (every result's list) made whole, any other as it is. */
export function whole(data: TuiData, f: Finding): Finding {
  return data.complete ? data.complete(f) : f;
}

/** Draws the k-th finding of `shown`: badge, rule id, resource, what sets it apart, and whether it is a root cause or what caused it. */
export function findingRowMaker(shown: Finding[], all: Finding[], W: number): (k: number, sel: boolean) => Row {
  let widths = layoutCache.get(shown);
  if (!widths) layoutCache.set(shown, (widths = new Map()));
  let cols = widths.get(W);
  if (!cols) {
    const rest = W - 13;
    let maxRule = 10;
    let maxRes = 8;
    for (const x of shown) {
      maxRule = Math.max(maxRule, cellWidth(x.ruleId));
      maxRes = Math.max(maxRes, cellWidth(sanitize(x.resourceName)));
    }
    const ruleW = Math.min(maxRule, Math.floor(rest * 0.48));
    const resW = Math.min(maxRes, Math.floor(rest * 0.27));
    cols = { ruleW, resW, tagW: Math.max(0, rest - ruleW - resW - 2) };
    widths.set(W, cols);
  }
  const { ruleW, resW, tagW } = cols;
  const byId = findingIndex(all);
  // two findings of one rule on one resource: each says what sets it apart
  const detail = distinguishers(shown);
  return (k, sel) => {
    const x = shown[k] as Finding;
    const cause = x.relatedTo.find((r) => r.relation === "caused-by");
    const why = isRootCause(x)
      ? "root cause"
      : cause
        ? `← ${(byId.get(cause.findingId)?.ruleId ?? cause.ruleId).replace(/^\w+\//, "")}`
        : "";
    const d = detail.get(x);
    const tag = [d ? `[${sanitize(d)}]` : "", why].filter(Boolean).join(" ");
    return [
      marker(sel),
      findingSeg(x),
      { t: " " },
      { t: pad(x.ruleId, ruleW), bold: sel },
      { t: " " },
      { t: pad(sanitize(x.resourceName), resW) },
      { t: " " },
      { t: pad(tag, tagW), ...(isRootCause(x) ? { bold: true } : { dim: true }) },
    ];
  };
}

/** Appends one row per finding (the load-balancer view's findings). */
export function pushFindingRows(
  rows: Row[],
  spans: Rendered["spans"],
  shown: Finding[],
  all: Finding[],
  W: number,
  selected: number,
  firstItem: number,
): void {
  const row = findingRowMaker(shown, all, W);
  shown.forEach((_, k) => {
    spans.push([rows.length, rows.length + 1]);
    rows.push(row(k, firstItem + k === selected));
  });
}

/** One or two sentences on the selected item, for the preview under the list. */
export function overviewPreview(data: TuiData, it: Item | undefined): string {
  if (!it) return "";
  if (it.kind === "lb") {
    const lb = data.lbs.find((x) => x.key === it.key);
    if (!lb) return "";
    const failed = failedText(lb, data.checking !== undefined);
    const hint = data.inspector ? "enter shows frontends, rules and every member with why it is up or down" : (data.inspectorNote ?? "");
    const up = upText(lb);
    return `${sanitize(lb.name)}: ${sanitize(skuAndKind(lb, " "))} load balancer, ${lb.status}${up ? ` (${up})` : ""}; ${failed}. ${hint}`;
  }
  if (it.kind === "finding") {
    const x = findingById(data, it.id)?.f;
    // a light pass says what it is: making it whole runs its rule, not for a line under the list
    return x ? `${x.title}: ${x.message ? sanitize(x.message) : `${x.status} on ${sanitize(x.resourceName)} (enter shows why)`}` : "";
  }
  return "";
}
