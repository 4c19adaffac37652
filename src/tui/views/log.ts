/** Rows of the collection screen and of the collection log (`L`): phases with calls and time, gaps as they happened, the outcome. */
import { sanitize } from "../../core/report/sanitize.ts";
import type { Gap } from "../../core/snapshot/types.ts";
import { plural } from "../../core/util/words.ts";
import type { PhaseState, Progress } from "../progress.ts";
import { cellWidth, formatMs, pad, padStart, type Row, truncate, wrap } from "../text.ts";
import type { Item, Rendered } from "./types.ts";

export const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** "  ✔ resource lists        10 calls    0.4s  12 resources" (a spinner while it runs) */
export function phaseRow(p: PhaseState, now: number, frame: number, width: number): Row {
  const running = p.endedAt === undefined;
  const icon: Row[number] = running
    ? { t: `${SPINNER[frame % SPINNER.length]} `, color: "cyan" }
    : p.failed
      ? { t: "✖ ", color: "red", bold: true }
      : p.gaps.length > 0
        ? { t: "▲ ", color: "yellow" }
        : { t: "✔ ", color: "green" };
  const nameW = Math.min(34, Math.max(14, width - 46));
  // requests under way: a phase waiting on its first answers is busy, not idle at "0 calls"
  const inFlight = running ? (p.inFlight ?? 0) : 0;
  const calls =
    inFlight > 0 && p.calls === 0 ? `${inFlight} in flight` : p.calls > 0 || running ? `${p.calls} call${p.calls === 1 ? "" : "s"}` : "";
  const flying =
    inFlight > 0 ? (p.calls === 0 ? `${p.started ?? inFlight} started` : `${inFlight} of ${p.started ?? inFlight} in flight`) : "";
  const gaps = p.gaps.length > 0 ? `${p.gaps.length} gap${p.gaps.length === 1 ? "" : "s"}` : "";
  const row: Row = [
    { t: "  " },
    icon,
    // a wider calls cell ("12 in flight") takes its room from the name, so the row keeps its width
    { t: pad(p.name, nameW - Math.max(0, cellWidth(calls) - 9)), bold: running },
    { t: padStart(calls, Math.max(10, cellWidth(calls) + 1)) },
    { t: padStart(formatMs((p.endedAt ?? now) - p.startedAt), 8), dim: !running },
  ];
  const tail = [flying, gaps, p.detail ?? (running && !flying ? "…" : "")].filter(Boolean).join(" · ");
  const used = 2 + 2 + nameW + 18;
  if (tail && width - used > 3)
    row.push({ t: truncate(`  ${tail}`, width - used), ...(p.gaps.length > 0 ? { color: "yellow" as const } : { dim: true }) });
  return row;
}

/** "    gap 403 AuthorizationFailed · networkInterfaces.listEffectiveNetworkSecurityGroups on vm1-nic: …", on up to two rows */
export function gapRows(g: Gap, width: number): Row[] {
  const what = [g.status, g.code].filter(Boolean).join(" ");
  const on = g.resourceId ? ` on ${g.resourceId.split("/").pop()}` : "";
  const text = sanitize(`${what ? `${what} · ` : ""}${g.operation}${on}: ${g.message}`);
  const lines = wrap(text, Math.max(10, width - 8));
  const shown = lines.length > 2 ? [lines[0] ?? "", truncate(lines.slice(1).join(" "), Math.max(10, width - 8))] : lines;
  return shown.map(
    (l, i): Row => [
      { t: i === 0 ? "    gap " : "        ", color: "yellow", bold: true },
      { t: l, color: "yellow" },
    ],
  );
}

/** The outcome under the phases; `withError: false` where the caller prints the error itself (the CLI does, with its hint). */
export function outcomeRows(p: Progress, width: number, withError = true): Row[] {
  if (p.error) {
    if (!withError) return [];
    return wrap(sanitize(p.error), width - 4).map(
      (l, i): Row => [
        { t: i === 0 ? "  ✖ " : "    ", color: "red", bold: true },
        { t: l, color: "red" },
      ],
    );
  }
  if (!p.summary) return [];
  const c = p.collected;
  const head = c
    ? `${plural(c.resources, "resource")} · ${plural(c.calls, "call")} · ${formatMs(c.ms)}${c.gaps ? ` · ${plural(c.gaps, "gap")}` : ""}`
    : "";
  return [
    ...(head ? [[{ t: "  " }, { t: truncate(head, width - 2), dim: true }] as Row] : []),
    ...wrap(p.summary, width - 2).map((l): Row => [{ t: "  " }, { t: l, bold: true }]),
  ];
}

export function logItems(p: Progress): Item[] {
  return p.log.map((): Item => ({ kind: "block" }));
}

/** The whole log as a list, for the explorer's `L` screen (no spinner: the explorer shows a refresh in its status line). */
export function logRows(p: Progress, now: number, selected: number, width: number): Rendered {
  const rows: Row[] = [
    [
      { t: "COLLECTION", bold: true },
      { t: truncate(" · phases, calls, time and gaps of the last run", width - 10), dim: true },
    ],
  ];
  const spans: Rendered["spans"] = [];
  p.log.forEach((e, i) => {
    const start = rows.length;
    const entry = e.kind === "phase" ? [phaseRow(e.phase, now, 0, width)] : gapRows(e.gap, width);
    const first = entry[0];
    if (i === selected && first)
      first.splice(0, 1, { t: "› ", bold: true, color: "cyan" }, { ...first[0], t: (first[0]?.t ?? "").slice(2) });
    rows.push(...entry);
    spans.push([start, rows.length]);
  });
  for (const ph of p.phases) {
    if (ph.endedAt !== undefined) continue;
    rows.push(phaseRow(ph, now, 0, width));
    for (const g of ph.gaps) rows.push(...gapRows(g, width));
  }
  rows.push([]);
  rows.push(...outcomeRows(p, width));
  return { rows, spans };
}
