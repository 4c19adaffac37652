/**
 * The load-balancer view: groups → routes → members (Azure: frontends → rules
 * → pool members; AWS: listeners → target groups → targets), one table row per
 * member with its VM or zone, power state, health, and the verdicts of the
 * health-check flow and the data flow; under it, the reason and the deciding
 * rules. This is the screen that says why each member is up or down. The
 * provider's inspector words the headings and the column titles.
 */
import { skuAndKind } from "../../core/report/report.ts";
import { sanitize } from "../../core/report/sanitize.ts";
import { plural } from "../../core/util/words.ts";
import type { WatchState } from "../session.ts";
import { cellWidth, clock, pad, type Row, type Seg, truncate, wrap } from "../text.ts";
import type { LbDetail, MemberRow, TuiData, VerdictCell } from "../types.ts";
import { describeFilter, describeSort, type ListFilter, resultList, visibleFindings, visibleMember } from "./filter.ts";
import { marker, pushFindingRows } from "./overview.ts";
import { BADGE, badgeSeg, describeCell, failedText, healthSeg, isUp, powerSeg, sparkline, upText, verdictSeg } from "./style.ts";
import type { Item, Rendered } from "./types.ts";

function members(detail: LbDetail | undefined, f: ListFilter): MemberRow[] {
  if (!detail) return [];
  return detail.frontends.flatMap((fe) => fe.rules.flatMap((r) => r.members.filter((m) => visibleMember(m, f))));
}

export function lbItems(data: TuiData, lbKey: string, f: ListFilter): Item[] {
  const detail = data.inspector?.lbDetail(lbKey);
  return [
    ...members(detail, f).map((m): Item => ({ kind: "member", lbKey, rowKey: m.key, traceable: m.traceable })),
    ...visibleFindings(resultList(data, f.all), f, lbKey).map((x): Item => ({ kind: "finding", id: x.id })),
  ];
}

function sameCell(a: VerdictCell, b: VerdictCell): boolean {
  return a.verdict === b.verdict && a.rule === b.rule && a.at === b.at && a.priority === b.priority && a.reason === b.reason;
}

/** The lines under a member: health reason, deciding rules, and in watch mode its timeline. */
function memberDetail(m: MemberRow, W: number, watch: WatchState | undefined, probeWord: string): Row[] {
  const ind = 8;
  const rows: Row[] = [];
  const text = (label: string, body: string, style: Omit<Seg, "t"> = { dim: true }) => {
    const all = wrap(body, W - ind - label.length);
    const lines = all.length > 2 ? [all[0] ?? "", truncate(`${all[1]} ${all.slice(2).join(" ")}`, W - ind - label.length)] : all;
    lines.forEach((l, i) => {
      rows.push([{ t: " ".repeat(ind) }, { t: i === 0 ? label : " ".repeat(label.length), dim: true }, { ...style, t: l }]);
    });
  };
  if (m.health.reason || m.health.meaning) {
    text("health ", [m.health.reason, m.health.meaning].filter(Boolean).join(": "));
  }
  if (m.probe.verdict !== "n/a" && m.data.verdict !== "n/a" && sameCell(m.probe, m.data)) {
    text(`${probeWord}, data `, describeCell(m.probe));
  } else {
    const w = Math.max(probeWord.length, 4) + 1;
    text(probeWord.padEnd(w), describeCell(m.probe));
    text("data".padEnd(w), describeCell(m.data));
  }
  const tl = watch?.timelines[m.key];
  if (tl && (watch?.polls ?? 0) > 0) {
    const last = tl.changes[tl.changes.length - 1];
    const strip = sparkline(tl.samples.map((s) => s.state));
    const row: Row = [{ t: " ".repeat(ind) }, { t: "timeline ", dim: true }, { t: strip }];
    if (last) {
      const up = isUp(last.to);
      row.push({
        t: truncate(` ${up ? "▲" : "▼"} ${last.from} → ${last.to} at ${clock(last.at)}`, Math.max(0, W - ind - 9 - strip.length)),
        bold: true,
        color: up ? "green" : "red",
      });
    } else row.push({ t: " no change", dim: true });
    rows.push(row);
  }
  return rows;
}

export function lbRows(data: TuiData, lbKey: string, f: ListFilter, selected: number, width: number, watch?: WatchState): Rendered {
  const W = Math.max(40, width);
  const rows: Row[] = [];
  const spans: Rendered["spans"] = [];
  const lb = data.lbs.find((x) => x.key === lbKey);
  if (!lb) {
    rows.push([{ t: "This load balancer is no longer in the data (refreshed?). esc goes back.", color: "yellow" }]);
    return { rows, spans };
  }
  const detail = data.inspector?.lbDetail(lbKey);
  const fail = failedText(lb, data.checking !== undefined);
  rows.push([
    { t: truncate(`${sanitize(lb.name)} `, W - 12), bold: true },
    badgeSeg(lb.status, BADGE[lb.status].word.length + 2),
    {
      t: truncate(
        ` · ${upText(lb) ? `${upText(lb)} · ` : ""}${sanitize(skuAndKind(lb, " "))} · ${fail}${detail ? ` · clients ${detail.clients}` : ""}`,
        W,
      ),
      dim: true,
    },
  ]);
  let item = 0;
  if (!detail) {
    for (const l of wrap(data.inspectorNote ?? "No member view for this load balancer.", W)) rows.push([{ t: l, color: "yellow" }]);
  } else {
    const cols = detail.columns;
    const healthW = Math.max(6, cols.health.length, ...members(detail, f).map((m) => m.health.state.length));
    const flex = W - 34 - healthW;
    // the host column (VM, zone) as wide as its longest value (6 to 20); the member column takes the rest
    const vmW = Math.min(20, Math.max(6, cols.host.length, ...members(detail, f).map((m) => cellWidth(m.vm ?? m.zone ?? "—"))));
    const memW = Math.max(12, flex - vmW);
    let shownMembers = 0;
    for (const fe of detail.frontends) {
      rows.push([{ t: truncate(fe.title, W), bold: true }]);
      if (fe.rules.length === 0) rows.push([{ t: truncate(`  ${fe.emptyText}`, W), dim: true }]);
      for (const r of fe.rules) {
        rows.push([{ t: "  " }, { t: truncate(r.title, W - 2), bold: true }]);
        if (r.note) rows.push([{ t: "  " }, { t: truncate(r.note, W - 2), color: "yellow" }]);
        const ms = r.members.filter((m) => visibleMember(m, f));
        if (r.members.length === 0) {
          rows.push([{ t: truncate(`    ${r.emptyText}`, W), color: "yellow" }]);
          continue;
        }
        if (ms.length === 0) {
          rows.push([{ t: "    no member matches the filter", dim: true }]);
          continue;
        }
        rows.push([
          { t: "    " },
          {
            t: `${pad(cols.member, memW)} ${pad(cols.host, vmW)} ${pad(cols.power, 11)} ${pad(cols.health, healthW)} ${pad(cols.probe, 7)} ${pad(cols.data, 7)}`,
            dim: true,
          },
        ]);
        for (const m of ms) {
          const sel = item === selected;
          const start = rows.length;
          const tl = watch?.timelines[m.key];
          const changed = !!tl && tl.changes.length > 0;
          rows.push([
            { t: "  " },
            marker(sel),
            { t: pad(`${m.member}${m.ip ? ` ${m.ip}` : ""}`, memW), bold: sel || changed },
            { t: " " },
            { t: pad(m.vm ?? m.zone ?? "—", vmW) },
            { t: " " },
            powerSeg(m.power),
            { t: " " },
            healthSeg(m.health.state, healthW),
            { t: " " },
            verdictSeg(m.probe.verdict),
            { t: " " },
            verdictSeg(m.data.verdict),
          ]);
          rows.push(...memberDetail(m, W, watch, cols.probe.toLowerCase()));
          spans.push([start, rows.length]);
          item++;
          shownMembers++;
        }
      }
    }
    for (const n of detail.footnotes) rows.push([{ t: truncate(n.text, W), ...(n.warn ? { color: "yellow" as const } : { dim: true }) }]);
    if (shownMembers === 0 && f.text) rows.push([{ t: truncate(`no member matches "${f.text}"`, W), dim: true }]);
  }
  rows.push([]);
  const list = resultList(data, f.all);
  const shown = visibleFindings(list, f, lbKey);
  if (data.checking) {
    rows.push([{ t: truncate(`FINDINGS ON ${sanitize(lb.name)} · checking ${plural(data.checking.rules, "rule")}…`, W), bold: true }]);
    rows.push([{ t: truncate("  the findings show here once every rule has run", W), dim: true }]);
    return { rows, spans };
  }
  rows.push([
    { t: truncate(`FINDINGS ON ${sanitize(lb.name)} · ${shown.length} · ${describeSort(f.sort)} · ${describeFilter(f)}`, W), bold: true },
  ]);
  if (shown.length === 0) rows.push([{ t: "  nothing to show", dim: true }]);
  pushFindingRows(rows, spans, shown, list, W, selected, item);
  return { rows, spans };
}
