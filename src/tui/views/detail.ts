/**
 * The detail pane, beside the list at 120 columns and more: the selected
 * item's text in full (what the list's rows cut with "…": a finding's
 * message and resource id, a member's health reason and deciding rules, a
 * gap's reason), then the watch line and its latest transitions in full.
 * Wrapped at spaces; a token wider than the pane is the one thing broken,
 * because the pane is where it must be read whole.
 */
import { sanitize } from "../../core/report/sanitize.ts";
import { promptFor } from "../../core/util/shell.ts";
import type { Progress } from "../progress.ts";
import type { WatchState } from "../session.ts";
import { clock, formatMs, type Row, type Seg, wrapHard } from "../text.ts";
import type { TuiData } from "../types.ts";
import { findingById, whole } from "./overview.ts";
import { BADGE, describeCell, distinguishers, failedText, upText } from "./style.ts";
import type { Item } from "./types.ts";

/** A paragraph of the pane: its text and style. */
export interface Para {
  text: string;
  style?: Omit<Seg, "t">;
  /** a heading: a blank row above it */
  head?: boolean;
}

function itemParas(data: TuiData | undefined, progress: Progress, it: Item | undefined, logIndex: number): Para[] {
  const out: Para[] = [];
  if (it?.kind === "finding" && data) {
    const found = findingById(data, it.id);
    if (!found) return out;
    const f = whole(data, found.f);
    const apart = distinguishers(found.list).get(found.f);
    out.push({ text: `${f.status === "fail" ? f.severity.toUpperCase() : f.status.toUpperCase()} ${f.ruleId}`, style: { bold: true } });
    out.push({ text: f.title });
    out.push({ text: `on ${sanitize(f.resourceName)}${apart ? ` [${sanitize(apart)}]` : ""}`, style: { dim: true } });
    if (f.resourceId) out.push({ text: sanitize(f.resourceId), style: { dim: true } });
    out.push({ text: sanitize(f.message) });
    const cmd = f.remediation?.commands[0];
    if (cmd) {
      out.push({ text: "FIX (c copies it)", style: { bold: true }, head: true });
      out.push({ text: `${promptFor(cmd)}${sanitize(cmd)}`, style: { color: "cyan" } });
    }
  } else if (it?.kind === "lb" && data) {
    const lb = data.lbs.find((x) => x.key === it.key);
    if (!lb) return out;
    const up = upText(lb);
    out.push({ text: `${sanitize(lb.name)} · ${BADGE[lb.status].word}${up ? ` · ${up}` : ""}`, style: { bold: true } });
    out.push({ text: `${lb.sku} ${lb.kind} · ${failedText(lb, data.checking !== undefined, "0 failed")}`, style: { dim: true } });
    if (lb.frontends.length) out.push({ text: `frontends ${lb.frontends.map(sanitize).join(", ")}` });
    out.push({ text: sanitize(lb.id), style: { dim: true } });
  } else if (it?.kind === "member" && data) {
    const m = data.inspector
      ?.lbDetail(it.lbKey)
      ?.frontends.flatMap((fe) => fe.rules.flatMap((r) => r.members))
      .find((x) => x.key === it.rowKey);
    if (!m) return out;
    out.push({
      text: `${m.member}${m.ip ? ` ${m.ip}` : ""}${m.vm ? ` · ${m.vm}` : ""}${m.zone ? ` · ${m.zone}` : ""}`,
      style: { bold: true },
    });
    out.push({ text: `power ${m.power} · health ${m.health.state}` });
    if (m.health.reason || m.health.meaning) out.push({ text: [m.health.reason, m.health.meaning].filter(Boolean).join(": ") });
    out.push({ text: `probe ${describeCell(m.probe)}` });
    out.push({ text: `data ${describeCell(m.data)}` });
  } else if (it?.kind === "block") {
    const e = progress.log[logIndex];
    if (e?.kind === "gap") {
      const g = e.gap;
      out.push({ text: `gap ${[g.status, g.code].filter(Boolean).join(" ")}`.trim(), style: { bold: true, color: "yellow" } });
      out.push({ text: `${sanitize(g.operation)}${g.resourceId ? ` on ${sanitize(g.resourceId)}` : ""}` });
      out.push({ text: sanitize(g.message) });
      out.push({ text: `while: ${e.phase}`, style: { dim: true } });
    } else if (e?.kind === "phase") {
      const p = e.phase;
      out.push({ text: p.name, style: { bold: true } });
      out.push({ text: `${p.calls} call${p.calls === 1 ? "" : "s"} · ${formatMs((p.endedAt ?? p.startedAt) - p.startedAt)}` });
      if (p.detail) out.push({ text: sanitize(p.detail) });
      for (const g of p.gaps)
        out.push({
          text: `gap ${[g.status, g.code].filter(Boolean).join(" ")} · ${sanitize(g.operation)}${g.resourceId ? ` on ${sanitize(g.resourceId)}` : ""}: ${sanitize(g.message)}`,
          style: { color: "yellow" },
          head: true,
        });
    }
  }
  return out;
}

/** The watch line and its latest transitions, whole. */
function watchParas(w: WatchState | undefined): Para[] {
  if (!w || (!w.active && w.transitions.length === 0)) return [];
  const out: Para[] = [
    {
      text: w.active
        ? `WATCH every ${(w.intervalMs ?? 0) / 1000}s · ${w.polls} poll${w.polls === 1 ? "" : "s"}${w.lastPollAt ? ` · last ${clock(w.lastPollAt)}` : ""}`
        : `WATCH paused · ${w.polls} polls`,
      style: { bold: true, color: "cyan" },
      head: true,
    },
  ];
  if (w.lastError) out.push({ text: sanitize(w.lastError), style: { color: "yellow" } });
  for (const t of w.transitions.slice(-3).reverse()) {
    out.push({
      text: `${t.to.toLowerCase() === "up" ? "▲" : "▼"} ${t.from} → ${t.to} ${clock(t.at)} · ${sanitize(t.label)}${t.reason ? ` · ${sanitize(t.reason)}` : ""}`,
    });
  }
  return out;
}

export interface DetailInput {
  data: TuiData | undefined;
  progress: Progress;
  item: Item | undefined;
  /** the cursor's index (the log screen's entries) */
  index: number;
  watch?: WatchState;
}

export function detailParas(d: DetailInput): Para[] {
  const paras = [...itemParas(d.data, d.progress, d.item, d.index), ...watchParas(d.watch)];
  const gaps = d.data?.gaps ?? [];
  if (d.item?.kind !== "block" && gaps.length > 0) {
    paras.push({
      text: `${gaps.length} COLLECTION GAP${gaps.length === 1 ? "" : "S"}`,
      style: { bold: true, color: "yellow" },
      head: true,
    });
    for (const g of gaps.slice(0, 3))
      paras.push({
        text: `${[g.status, g.code].filter(Boolean).join(" ")} · ${sanitize(g.operation)}${g.resourceId ? ` on ${sanitize(g.resourceId.split("/").pop() ?? "")}` : ""}: ${sanitize(g.message)}`,
      });
    if (gaps.length > 3) paras.push({ text: `and ${gaps.length - 3} more (L lists them)`, style: { dim: true } });
  }
  return paras;
}

/** The pane's rows at its width: every paragraph wrapped whole. */
export function detailRows(paras: Para[], width: number): Row[] {
  const rows: Row[] = [];
  for (const p of paras) {
    if (p.head && rows.length > 0) rows.push([]);
    for (const l of wrapHard(p.text, Math.max(10, width))) rows.push([{ ...(p.style ?? {}), t: l }]);
  }
  return rows;
}
