/** The header (what is being looked at, where the user is) and the footer (status line and the keys of this screen). */
import { Box } from "ink";
import React from "react";
import { cellWidth, type Row, truncate } from "../text.ts";
import { Rows, rowText } from "./rows.ts";

const h = React.createElement;

export interface HeaderProps {
  /** "azure · ra-multi-vm-rg" */
  title: string;
  /** "snapshot fixtures/azure/demo.json · 2026-11-20T10:00:00Z": what comes after " · " sits on the right when it fits */
  source: string;
  crumbs: string[];
  /** right side of the second row, e.g. "5 failed · 2 critical" */
  summary: string;
  width: number;
  color: boolean;
}

export function Header({ title: rawTitle, source: rawSource, crumbs, summary, width, color }: HeaderProps) {
  // measured as drawn: a name's control characters are shown as `\xNN`, wider than they came
  const title = rowText(rawTitle);
  const source = rowText(rawSource);
  const crumb = rowText(crumbs.join(" › "));
  // the right-hand parts show only when they fit beside the left-hand ones
  const right = (left: string, r: string) => (r && cellWidth(left) + 2 + cellWidth(r) <= width ? r : "");
  const left1 = `lbdoctor · ${title} · ${source.split(" · ")[0] ?? source}`;
  const when = right(left1, source.split(" · ").slice(1).join(" · "));
  const sum = right(crumb, summary);
  const rows: Row[] = [
    [
      { t: "lbdoctor", bold: true, color: "cyan" },
      { t: ` · ${title}`, bold: true },
      { t: ` · ${source.split(" · ")[0] ?? source}`, dim: true },
      ...(when ? [{ t: " ".repeat(width - cellWidth(left1) - cellWidth(when)) }, { t: when, dim: true }] : []),
    ],
    [
      { t: truncate(crumb, width), bold: true },
      ...(sum ? [{ t: " ".repeat(width - cellWidth(crumb) - cellWidth(sum)) }, { t: sum, dim: true }] : []),
    ],
    [{ t: "─".repeat(width), dim: true }],
  ];
  return h(Box, { flexDirection: "column" }, h(Rows, { rows, width, color }));
}

export interface FooterProps {
  /** the status line: a message, a prompt being typed, or a refresh in progress */
  status: Row;
  /** the keys of this screen, most useful first; the last two (help, quit) always stay */
  hints: string[];
  width: number;
  color: boolean;
}

/** Joins the hints that fit, dropping from the middle so that the last two (help and quit) always show. */
export function fitHints(hints: string[], width: number): string {
  const list = [...hints];
  while (list.length > 2 && cellWidth(list.join(" · ")) > width) list.splice(list.length - 3, 1);
  return truncate(list.join(" · "), width);
}

export function Footer({ status, hints, width, color }: FooterProps) {
  const rows: Row[] = [[{ t: "─".repeat(width), dim: true }], status, [{ t: fitHints(hints, width), dim: true }]];
  return h(Rows, { rows, width, color });
}
