/** The `?` screen: every key, by screen. */
import { pad, type Row, truncate } from "../text.ts";

export const KEYS: Array<[string, Array<[string, string]>]> = [
  [
    "everywhere",
    [
      ["↑ ↓  j k", "move (PgUp PgDn, g G: page, top, bottom)"],
      ["enter", "open the load balancer, finding or member under the cursor"],
      ["esc  backspace", "back"],
      ["/", "filter by text: rule, resource name or id, message (enter keeps it, esc drops it)"],
      ["ctrl-u  ctrl-w", "in a prompt: clear the line, delete the word before the cursor"],
      ["s", "severity floor: any → critical → high → medium → low → info"],
      ["o", "sort the findings: root causes first → severity → resource → state"],
      ["a", "also show passing and not-applicable results"],
      ["r", "refresh: collect again (live) or re-read the snapshot"],
      ["w", "watch: poll rule health live and show transitions (live only)"],
      ["L", "collection log: phases, calls, time, gaps"],
      ["T", "timeline: health per member, 5xx / SNAT per load balancer, changes, on one time axis"],
      ["?", "this help (↑↓ PgUp PgDn scroll it; esc or ? closes it)"],
      ["q  ctrl-c", "quit; the terminal is restored"],
    ],
  ],
  [
    "mouse",
    [
      ["wheel", "move the cursor 3 entries a notch, as ↑↓ (the help scrolls 3 rows)"],
      ["click", "select a row; a click on the selected row opens it, as enter"],
      ["shift+drag", "select text in most terminals (iTerm2: option+drag); --no-mouse leaves the mouse to the terminal"],
    ],
  ],
  [
    "overview",
    [
      ["c  y", "copy the first fix command of the selected finding"],
      ["", "(or of its cause); on a load balancer, of its root cause"],
    ],
  ],
  ["load balancer", [["t  enter", "trace the member under the cursor"]]],
  ["timeline", [["enter", "on a change: copy the command that reverts it"]]],
  [
    "finding",
    [
      [
        "c  y",
        "copy the fix command under the cursor; the view opens on the first (OSC 52, and saved to a file: the status line shows its path and the command)",
      ],
      ["enter", "open a related finding; on a link (docs, a reference), copy it"],
    ],
  ],
  [
    "trace",
    [
      ["p  d", "the probe flow, the data flow"],
      ["c", "a custom flow: <source> <port>[/udp], e.g. 203.0.113.7 443 (on every hop)"],
      ["y", "on a hop with a fix: copy its commands on one line, joined by && (nothing runs before enter; a failure stops the rest)"],
      ["", "commands not safe to join: only the first (the status says so)"],
      ["← →  h l", "previous, next member"],
    ],
  ],
];

/** The rows of help shown from `top` in `height` rows, and how far it can scroll. */
export function helpWindow(width: number, height: number, top: number): { rows: Row[]; max: number } {
  const all = helpRows(width);
  const h = Math.max(2, height);
  if (all.length <= h) return { rows: all, max: 0 };
  const max = all.length - (h - 1);
  const from = Math.max(0, Math.min(max, top));
  const shown = all.slice(from, from + h - 1);
  const below = all.length - from - shown.length;
  const where = `  rows ${from + 1}–${from + shown.length} of ${all.length}${below > 0 ? ` · ↓ ${below} more` : ""} · ↑↓ PgUp PgDn scroll · esc closes`;
  return { rows: [...shown, [{ t: truncate(where, Math.max(40, width)), dim: true }]], max };
}

export function helpRows(width: number): Row[] {
  const W = Math.max(40, width);
  const rows: Row[] = [[{ t: "KEYS", bold: true }]];
  for (const [screen, keys] of KEYS) {
    rows.push([]);
    rows.push([{ t: screen, bold: true, color: "cyan" }]);
    for (const [k, what] of keys) rows.push([{ t: "  " }, { t: pad(k, 16), bold: true }, { t: truncate(what, W - 18) }]);
  }
  return rows;
}
