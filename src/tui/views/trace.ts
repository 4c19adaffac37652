/** The trace view: one member, one flow (the probe or health check, the data path, or a custom source and port), hop by hop. */
import { pasteLine } from "../clipboard.ts";
import { cellWidth, type Row, rowWidth, truncate, wrap } from "../text.ts";
import type { FlowChoice, TraceResult, TuiData } from "../types.ts";
import { verdictSeg } from "./style.ts";
import type { Item, Rendered } from "./types.ts";

export interface TraceInput {
  lbKey: string;
  targetKey: string;
  flow: FlowChoice;
}

export function traceResult(data: TuiData, t: TraceInput): TraceResult | undefined {
  return data.inspector?.trace(t.lbKey, t.targetKey, t.flow);
}

/**
 * The fix commands of the hop under the cursor (`selected`), as its notes print them after `$ `, on one line to paste
 * (pasteLine: joined by `&&`, so that a paste runs nothing before enter and a failing command stops the rest; commands
 * it cannot join safely: the first alone, with a status note saying so, for `clipboard`): what `y` copies there.
 * Undefined on a hop without a fix, on the verdict, and when the flow could not be traced.
 */
export function traceFix(data: TuiData, t: TraceInput, selected: number): { text: string; note?: string } | undefined {
  return fixOf(traceResult(data, t), selected);
}

function fixOf(r: TraceResult | undefined, selected: number): { text: string; note?: string } | undefined {
  if (!r || r.error) return undefined;
  const commands = (r.layers[selected]?.fixes ?? []).flatMap((f) => f.commands);
  if (commands.length === 0) return undefined;
  return pasteLine(commands);
}

export function traceItems(data: TuiData, t: TraceInput): Item[] {
  const r = traceResult(data, t);
  if (!r || r.error) return [];
  return [...r.layers.map((): Item => ({ kind: "block" })), { kind: "block" }];
}

export function traceRows(data: TuiData, t: TraceInput, selected: number, width: number): Rendered {
  const W = Math.max(40, width);
  const rows: Row[] = [];
  const spans: Rendered["spans"] = [];
  if (!data.inspector) {
    for (const l of wrap(data.inspectorNote ?? "No trace for this provider.", W)) rows.push([{ t: l, color: "yellow" }]);
    return { rows, spans };
  }
  const targets = data.inspector.traceTargets(t.lbKey);
  const at = targets.findIndex((x) => x.key === t.targetKey);
  const r = traceResult(data, t);
  const pos = targets.length > 1 ? `  member ${at + 1}/${targets.length} (←/→)` : "";
  // the title says which member is traced: wrapped, never cut, at any width
  const titleRows: Row[] = wrap(r?.title ?? targets[at]?.label ?? "", W - 7).map((l, i) => [
    { t: i === 0 ? "TRACE  " : "       ", bold: true },
    { t: l, bold: true },
  ]);
  const lastTitle = titleRows[titleRows.length - 1];
  if (pos && lastTitle && rowWidth(lastTitle) + pos.length <= W) lastTitle.push({ t: pos, dim: true });
  else if (pos) titleRows.push([{ t: "       " }, { t: pos.trim(), dim: true }]);
  rows.push(...titleRows);
  const choice = (label: string, on: boolean): Row[number][] => [
    { t: on ? "[" : " ", bold: true, color: "cyan" },
    { t: label, bold: on, ...(on ? { color: "cyan" as const } : { dim: true }) },
    { t: on ? "]" : " ", bold: true, color: "cyan" },
    { t: " " },
  ];
  const custom = t.flow.kind === "custom" ? `custom ${t.flow.source} ${t.flow.port}/${t.flow.protocol.toLowerCase()}` : "custom";
  rows.push([
    { t: "FLOW   ", bold: true },
    ...choice(`p ${data.inspector.flowNames?.probe ?? "probe"}`, t.flow.kind === "probe"),
    ...choice(`d ${data.inspector.flowNames?.data ?? "data"}`, t.flow.kind === "data"),
    ...choice(`c ${custom}`, t.flow.kind === "custom"),
  ]);
  if (!r) return { rows, spans };
  if (r.error) {
    rows.push([]);
    for (const l of wrap(r.error, W - 2)) rows.push([{ t: "  " }, { t: l, color: "yellow" }]);
    return { rows, spans };
  }
  wrap(r.flow, W - 7).forEach((l, i) => {
    rows.push([{ t: i === 0 ? "       " : "       " }, { t: l }]);
  });
  rows.push([
    { t: "BASIS  ", bold: true },
    { t: truncate(`evaluated from ${r.basis}`, W - 7), dim: true },
  ]);
  rows.push([]);
  rows.push([{ t: truncate(r.layersTitle, W), bold: true }]);
  let item = 0;
  r.layers.forEach((l, n) => {
    const sel = item === selected;
    item++;
    const start = rows.length;
    rows.push([
      { t: sel ? "› " : "  ", bold: true, color: "cyan" },
      { t: truncate(`${n + 1}. ${l.title}`, W - 2), bold: true },
    ]);
    const d = l.deciding;
    const paren = d?.priority !== undefined ? ` (priority ${d.priority}${d.isDefault ? ", default rule" : ""})` : "";
    const by = d ? `by ${d.name}${paren}` : "";
    rows.push([{ t: "     " }, verdictSeg(l.verdict), { t: " " }, { t: truncate(by, W - 13) }]);
    if (l.deciding) rows.push([{ t: " ".repeat(13) }, { t: truncate(l.deciding.ptr, W - 13), dim: true }]);
    for (const note of l.notes) {
      const style = note.kind === "maybe" ? { color: "magenta" as const } : { dim: true };
      if (note.text.startsWith("$ ")) {
        // a command is never cut short: wrapped whole between its arguments, its next lines 2 columns in (as the
        // finding view's fix commands); an argument wider than that column (an ARN) moves left, to the verdict's
        // column, whole where the screen is wide enough, else cut only at the screen's edge (y copies it whole)
        wrap(note.text, W - 15).forEach((line, i) => {
          const indent = i === 0 ? 13 : cellWidth(line) <= W - 15 ? 15 : 5;
          rows.push([{ t: " ".repeat(indent) }, { t: line, ...style }]);
        });
        continue;
      }
      // a fix's summary is wrapped whole (its caveat, "prefer a dedicated table", goes with the commands y copies); any
      // other note keeps 3 rows, the last ending in "…" when the note goes on
      const lines = wrap(note.text, W - 13);
      const whole = note.text.startsWith("fix: ");
      const shown = whole ? lines : lines.slice(0, 3);
      shown.forEach((line, i) => {
        const cut = i === shown.length - 1 && shown.length < lines.length;
        rows.push([{ t: " ".repeat(13) }, { t: cut ? truncate(`${line} …`, W - 13) : line, ...style }]);
      });
    }
    spans.push([start, rows.length]);
  });
  rows.push([]);
  const sel = item === selected;
  const start = rows.length;
  const why = r.why ?? (r.verdict === "allow" ? "every layer allows this flow" : (r.reason ?? ""));
  const whyLines = wrap(why, W - 19);
  rows.push([
    { t: sel ? "› " : "  ", bold: true, color: "cyan" },
    { t: "VERDICT  ", bold: true },
    verdictSeg(r.verdict),
    { t: " " },
    { t: whyLines[0] ?? "" },
  ]);
  for (const l of whyLines.slice(1, 4)) rows.push([{ t: " ".repeat(19) }, { t: l }]);
  spans.push([start, rows.length]);
  return { rows, spans };
}
