/**
 * The TUI's mouse (issue 15): the SGR report parser, the stdin that keeps the
 * reports away from Ink's keys, when mouse mode is on, the click reducer, and
 * the App driven by wheel and clicks at 60, 80 and 120 columns, where a click
 * lands on the row the renderer drew (the same viewport math).
 */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { cleanup, render } from "ink-testing-library";
import React from "react";
import { App, hintsFor, itemAtPoint } from "../src/tui/components/app.ts";
import { type MouseEvent, mouseEvent, mouseStdin, mouseWanted, parseSgr, parseX10, splitMouse } from "../src/tui/mouse.ts";
import { TuiSession } from "../src/tui/session.ts";
import { snapshotSource } from "../src/tui/source.ts";
import { initialUi, reduce, reduceClick, screenItems, selectedIndex, type UiState } from "../src/tui/state.ts";
import type { TuiData } from "../src/tui/types.ts";
import { fixture } from "./support/cli.ts";

const h = React.createElement;

describe("SGR mouse reports", () => {
  it("parses wheel up (64), wheel down (65), a left press (0) and its release, with modifiers (+4 shift, +8 meta, +16 ctrl)", () => {
    assert.deepEqual(parseSgr("\u001b[<64;10;5M"), {
      button: 64,
      x: 10,
      y: 5,
      release: false,
      shift: false,
      meta: false,
      ctrl: false,
      motion: false,
    });
    assert.equal(parseSgr("\u001b[<65;1;2M")?.button, 65);
    assert.deepEqual(parseSgr("\u001b[<0;120;40m"), {
      button: 0,
      x: 120,
      y: 40,
      release: true,
      shift: false,
      meta: false,
      ctrl: false,
      motion: false,
    });
    const mod = parseSgr("\u001b[<93;3;4M"); // 65 + 4 + 8 + 16
    assert.equal(mod?.button, 65);
    assert.deepEqual([mod?.shift, mod?.meta, mod?.ctrl], [true, true, true]);
    assert.equal(parseSgr("\u001b[<32;3;4M")?.motion, true);
    for (const bad of ["\u001b[<65;10M", "\u001b[65;10;5M", "\u001b[<a;1;1M", "x\u001b[<0;1;1M", "\u001b[<0;1;1"]) {
      assert.equal(parseSgr(bad), undefined, JSON.stringify(bad));
    }
  });

  it("keeps wheel and left presses; drops releases, motion (drags) and other buttons", () => {
    const ev = (s: string) => {
      const r = parseSgr(s);
      return r ? mouseEvent(r) : undefined;
    };
    assert.deepEqual(ev("\u001b[<64;7;9M"), { kind: "wheel", dir: "up", x: 7, y: 9 });
    assert.deepEqual(ev("\u001b[<65;7;9M"), { kind: "wheel", dir: "down", x: 7, y: 9 });
    assert.deepEqual(ev("\u001b[<69;7;9M"), { kind: "wheel", dir: "down", x: 7, y: 9 }, "shift+wheel still scrolls");
    assert.deepEqual(ev("\u001b[<0;7;9M"), { kind: "click", x: 7, y: 9 });
    assert.equal(ev("\u001b[<0;7;9m"), undefined, "a release");
    assert.equal(ev("\u001b[<32;7;9M"), undefined, "a drag");
    assert.equal(ev("\u001b[<35;7;9M"), undefined, "motion without a button");
    assert.equal(ev("\u001b[<1;7;9M"), undefined, "middle");
    assert.equal(ev("\u001b[<2;7;9M"), undefined, "right");
  });

  it("takes the reports out of the input, keeps keys (arrows, a lone escape) and holds a report split at the end", () => {
    const a = splitMouse("j\u001b[<65;10;5Mk\u001b[<0;3;4M\u001b[<0;3;4m");
    assert.equal(a.text, "jk");
    assert.deepEqual(
      a.reports.map((r) => [r.button, r.x, r.y, r.release]),
      [
        [65, 10, 5, false],
        [0, 3, 4, false],
        [0, 3, 4, true],
      ],
    );
    assert.equal(a.rest, "");
    assert.deepEqual(splitMouse("\u001b[A\u001b"), { text: "\u001b[A\u001b", reports: [], rest: "" }, "keys go on to Ink");
    assert.deepEqual(splitMouse("q\u001b[<65;1"), { text: "q", reports: [], rest: "\u001b[<65;1" });
  });

  it("takes out the older X10 form too (a terminal without 1006): ESC [ M and three characters, never read as keys", () => {
    const x = splitMouse("j\u001b[M !!\u001b[M#!!\u001b[M`+5k");
    assert.equal(x.text, "jk");
    assert.deepEqual(
      x.reports.map((r) => mouseEvent(r)),
      [{ kind: "click", x: 1, y: 1 }, undefined, { kind: "wheel", dir: "up", x: 11, y: 21 }],
      "a left press at 1,1; a release; wheel up at 11,21",
    );
    assert.deepEqual(splitMouse("a\u001b[Ma"), { text: "a", reports: [], rest: "\u001b[Ma" }, "split: held for the next read");
    assert.equal(parseX10("\u001b[M\u001f!!"), undefined);
  });
});

/** A stream shaped like a terminal's stdin, that Ink would read. */
function fakeTty() {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void; raw: boolean[] };
  s.isTTY = true;
  s.raw = [];
  s.setRawMode = (on) => void s.raw.push(on);
  s.setEncoding("utf8");
  return s;
}

describe("the stdin Ink reads", () => {
  it("never returns a report: a wheel while the / prompt is open types nothing; a report split across reads is whole", () => {
    const tty = fakeTty();
    const reports: string[] = [];
    const stdin = mouseStdin(tty as unknown as NodeJS.ReadStream, (r) => reports.push(`${r.button}@${r.x},${r.y}`));
    const readAll = () => {
      let out = "";
      for (let c = stdin.read(); c !== null; c = stdin.read()) out += String(c);
      return out;
    };
    tty.write("/\u001b[<65;10;5M");
    assert.equal(readAll(), "/");
    tty.write("ab\u001b[<64;1");
    assert.equal(readAll(), "ab");
    tty.write("2;7M\u001b[<0;3;9Mc");
    assert.equal(readAll(), "c");
    assert.deepEqual(reports, ["65@10,5", "64@12,7", "0@3,9"]);
    reports.length = 0;
    // an unfinished report that the next read does not go on with is dropped, not typed
    tty.write("\u001b[<65;");
    assert.equal(readAll(), "");
    tty.write("x");
    assert.equal(readAll(), "x");
    tty.write("\u001b[Ma");
    assert.equal(readAll(), "");
    tty.write("!!y");
    assert.equal(readAll(), "y", "an X10 report split across reads");
    assert.deepEqual(reports, ["65@1,1"], "a is 32 + 65: wheel down");
    // the rest is the real stream: raw mode, TTY, listeners
    assert.equal(stdin.isTTY, true);
    stdin.setRawMode(true);
    assert.deepEqual(tty.raw, [true]);
    const on = () => {};
    stdin.addListener("readable", on);
    assert.equal(tty.listenerCount("readable"), 1);
    stdin.removeListener("readable", on);
    assert.equal(tty.listenerCount("readable"), 0);
  });
});

describe("when mouse mode is on", () => {
  const tty = { stdinTTY: true, stdoutTTY: true, env: { TERM: "xterm-256color" } };
  it("on in a terminal; off with --no-mouse, under TERM=dumb, or without a terminal", () => {
    assert.equal(mouseWanted({}, tty), true);
    assert.equal(mouseWanted({ mouse: true }, tty), true);
    assert.equal(mouseWanted({ mouse: false }, tty), false, "--no-mouse");
    assert.equal(mouseWanted({}, { ...tty, env: { TERM: "dumb" } }), false);
    assert.equal(mouseWanted({}, { ...tty, stdinTTY: false }), false);
    assert.equal(mouseWanted({}, { ...tty, stdoutTTY: false }), false);
  });
});

async function session(name = "demo"): Promise<TuiSession> {
  const s = new TuiSession(snapshotSource(fixture(name)));
  await s.load();
  return s;
}

describe("a click in the reducer", () => {
  it("selects the item, opens it when it is already selected, and does nothing in a prompt or the help", async () => {
    const s = await session();
    const data = s.getState().data as TuiData;
    const ctx = { data, progress: s.getState().progress, page: 10 };
    const ui = initialUi();
    const items = screenItems(ui, ctx);
    const first = reduceClick(ui, 3, ctx);
    assert.equal(selectedIndex(first.ui, items), 3);
    assert.equal(first.effect, undefined);
    const opened = reduceClick(first.ui, 3, ctx);
    const it3 = items[3];
    assert.equal(it3?.kind, "finding");
    assert.deepEqual(opened.ui.stack.at(-1)?.screen, { kind: "finding", findingId: it3?.kind === "finding" ? it3.id : "" });
    // the same as enter
    assert.deepEqual(opened.ui, reduce(first.ui, "", { return: true }, ctx).ui);
    const editing = reduce(ui, "/", {}, ctx).ui;
    assert.equal(reduceClick(editing, 3, ctx).ui, editing);
    const help: UiState = { ...ui, help: true };
    assert.equal(reduceClick(help, 3, ctx).ui, help);
    assert.equal(reduceClick(ui, 99, ctx).ui, ui, "past the list");
  });
});

const tick = () => new Promise((r) => setTimeout(r, 10));
async function until(get: () => string, ok: RegExp | ((t: string) => boolean), what: string): Promise<string> {
  const test = typeof ok === "function" ? ok : (t: string) => ok.test(t);
  for (let i = 0; i < 200; i++) {
    const t = get();
    if (test(t)) return t;
    await tick();
  }
  assert.fail(`${what}: ${ok} never showed up in:\n${get()}`);
}

/** The App at a size, with a mouse the test drives. */
async function app(columns: number, rows: number, name = "demo") {
  const s = await session(name);
  let listener: ((ev: MouseEvent) => void) | undefined;
  const copied: string[] = [];
  const inst = render(
    h(App, {
      session: s,
      color: false,
      copy: (text: string) => {
        copied.push(text);
        return { osc52: false, message: `copied ${text}` };
      },
      onExit: () => {},
      size: { columns, rows },
      mouse: (l: (ev: MouseEvent) => void) => {
        listener = l;
        return () => {
          listener = undefined;
        };
      },
    }),
  );
  const text = () => stripVTControlCharacters(inst.lastFrame() ?? "");
  await until(text, /LOAD BALANCERS/, "overview");
  await until(() => (listener ? "y" : ""), /y/, "the mouse listener");
  const send = async (ev: MouseEvent) => {
    const before = text();
    (listener as (ev: MouseEvent) => void)(ev);
    // a render, or nothing to render: give Ink its turn either way
    for (let i = 0; i < 5 && text() === before; i++) await tick();
  };
  const lines = () => text().split("\n");
  /** the screen row (from 1, as a terminal reports it) of the first line that matches */
  const rowOf = (re: RegExp) => {
    // the list's side of the screen (at 120 columns the detail pane is beside it, after " │ ")
    const i = lines().findIndex((l) => re.test(l.split(" │ ")[0] ?? ""));
    assert.ok(i >= 0, `${re} is on screen:\n${text()}`);
    return i + 1;
  };
  const selectedRow = () => lines().findIndex((l) => /^ *› /.test(l.split(" │ ")[0] ?? "")) + 1;
  return { s, inst, text, lines, rowOf, selectedRow, send, copied, foot: () => lines().at(-1) ?? "" };
}

// as far as a 60-column row shows them
const FINDINGS = ["azure/probe-blocked", "azure/backend-vm-stop", "azure/data-port-block", "azure/backend-unhealt", "azure/single-backend"];

describe("the App with a mouse", () => {
  for (const columns of [60, 80, 120]) {
    it(`at ${columns} columns: a click selects the row under it, a second click opens it; the wheel moves 3 rows a notch`, async () => {
      const a = await app(columns, 30);
      try {
        for (const rule of [...FINDINGS].reverse()) {
          const y = a.rowOf(new RegExp(rule.replace("/", "\\/")));
          await a.send({ kind: "click", x: 5, y });
          assert.equal(a.selectedRow(), y, `${rule} at row ${y}:\n${a.text()}`);
        }
        // a heading, the header, the footer: nothing moves
        const sel = a.selectedRow();
        for (const y of [1, 2, a.rowOf(/^FINDINGS ·/), a.rowOf(/^LOAD BALANCERS/), a.lines().length]) {
          await a.send({ kind: "click", x: 5, y });
          assert.equal(a.selectedRow(), sel, `a click on row ${y} moves nothing`);
        }
        // the wheel: from the first finding (item 1) down 3 to the fourth (item 4), up 3 back, up again to the top
        await a.send({ kind: "click", x: 5, y: a.rowOf(/lb-web/) });
        await a.send({ kind: "click", x: 5, y: a.rowOf(/azure\/probe-blocked/) });
        await a.send({ kind: "wheel", dir: "down", x: 5, y: 10 });
        assert.equal(a.selectedRow(), a.rowOf(/azure\/backend-unhealt/));
        await a.send({ kind: "wheel", dir: "up", x: 5, y: 10 });
        assert.equal(a.selectedRow(), a.rowOf(/azure\/probe-blocked/));
        await a.send({ kind: "wheel", dir: "up", x: 5, y: 10 });
        assert.equal(a.selectedRow(), a.rowOf(/lb-web/), "clamped at the first row");
        // a click on the selected row opens it, as enter
        await a.send({ kind: "click", x: 5, y: a.rowOf(/azure\/data-port-block/) });
        await a.send({ kind: "click", x: 5, y: a.rowOf(/azure\/data-port-block/) });
        await until(a.text, /^Overview › azure\/data-port-blocked-by-nsg/m, "the finding opened");
      } finally {
        a.inst.unmount();
        cleanup();
      }
    });
  }

  it("at 120 columns, a click in the detail pane beside the list does not move the selection", async () => {
    const a = await app(130, 30);
    try {
      const y = a.rowOf(/azure\/backend-vm-stop/);
      assert.match(a.lines()[y - 1] ?? "", / │ /, "the pane is beside the list");
      await a.send({ kind: "click", x: 125, y });
      assert.equal(a.selectedRow(), a.rowOf(/lb-web/), "still on the load balancer");
      await a.send({ kind: "click", x: 125, y: a.rowOf(/lb-web/) });
      assert.doesNotMatch(a.text(), /^Overview › lb-web/m, "the pane's click opens nothing either");
      await a.send({ kind: "click", x: 3, y });
      assert.equal(a.selectedRow(), y);
    } finally {
      a.inst.unmount();
      cleanup();
    }
  });

  it("on a scrolled list, the row under the click is the row drawn; the 'more rows' marks select nothing", async () => {
    // 60×14: an 8-row body, the overview list scrolls
    const a = await app(60, 14);
    try {
      await a.send({ kind: "wheel", dir: "down", x: 5, y: 6 });
      await a.send({ kind: "wheel", dir: "down", x: 5, y: 6 });
      assert.match(a.text(), /↑ \d+ more rows?/, `scrolled:\n${a.text()}`);
      const before = a.selectedRow();
      await a.send({ kind: "click", x: 5, y: a.rowOf(/↑ \d+ more row/) });
      assert.equal(a.selectedRow(), before);
      for (const rule of FINDINGS) {
        const i = a.lines().findIndex((l) => l.includes(rule));
        if (i < 0) continue;
        await a.send({ kind: "click", x: 5, y: i + 1 });
        const now = a.lines().findIndex((l) => l.includes(rule));
        assert.equal(a.selectedRow(), now + 1, `${rule}:\n${a.text()}`);
      }
    } finally {
      a.inst.unmount();
      cleanup();
    }
  });

  it("in the finding view, a click on any row of a multi-row item selects that item; the wheel scrolls the help", async () => {
    const a = await app(80, 40);
    try {
      await a.send({ kind: "click", x: 5, y: a.rowOf(/azure\/probe-blocked/) });
      await a.send({ kind: "click", x: 5, y: a.rowOf(/azure\/probe-blocked/) });
      await until(a.text, /EVIDENCE \(3\)/, "the finding view");
      // an evidence item: its label row, then resource / pointer / value rows; click its pointer row
      const shown = a.lines();
      const pointer = shown.findLastIndex((l) => /^ {4}pointer/.test(l));
      const label = (shown.slice(0, pointer).findLast((l) => /^ {2}\S/.test(l)) ?? "").slice(2);
      assert.ok(label, a.text());
      await a.send({ kind: "click", x: 20, y: pointer + 1 });
      assert.equal(a.lines()[a.selectedRow() - 1], `› ${label}`, "the cursor is on the item whose row was clicked");
      assert.match(a.lines()[a.selectedRow()] ?? "", /^ {4}resource/);
      // the help scrolls with the wheel, as with ↓
      await a.send({ kind: "click", x: 5, y: 1 });
      a.inst.stdin.write("?");
      await until(a.text, /^KEYS/m, "help");
      const top = a.text();
      await a.send({ kind: "wheel", dir: "down", x: 5, y: 10 });
      assert.notEqual(a.text(), top);
      assert.match(a.text(), /rows 4–/, "3 rows down");
    } finally {
      a.inst.unmount();
      cleanup();
    }
  });
});

describe("the App with a mouse, in the load-balancer and trace views", () => {
  for (const columns of [80, 120]) {
    it(`at ${columns} columns: a click on a member's detail row selects the member, a second click traces it; a click picks a trace layer`, async () => {
      const a = await app(columns, 40);
      try {
        await a.send({ kind: "click", x: 5, y: a.rowOf(/lb-web/) });
        await until(a.text, /^Overview › lb-web/m, "the load balancer");
        // vm2's rows: the table row, then its health and verdict lines
        const health = a.rowOf(/health not probed: the VM is deallocated/);
        await a.send({ kind: "click", x: 30, y: health });
        assert.match(a.lines()[a.selectedRow() - 1] ?? "", /› vm2-nic 10\.0\.0\.5/, a.text());
        assert.equal(a.selectedRow(), health - 1, "the member's first row carries the cursor");
        await a.send({ kind: "click", x: 30, y: health });
        await until(a.text, /^TRACE {2}vm2/m, "the trace of vm2");
        const layer = a.rowOf(/^ {2}2\. NIC vm2-nic/);
        await a.send({ kind: "click", x: 10, y: layer + 1 });
        assert.equal(a.selectedRow(), layer, a.text());
        // the wheel from the first layer: past the last item it stays on the verdict
        await a.send({ kind: "wheel", dir: "down", x: 10, y: layer });
        assert.match(a.lines()[a.selectedRow() - 1] ?? "", /^› VERDICT/, a.text());
      } finally {
        a.inst.unmount();
        cleanup();
      }
    });
  }
});

describe("issue 15 row 13: the footer offers only the keys that work where the cursor is", () => {
  it("the finding view: no 'enter open related' on a fix command; it shows on a related finding; a link says enter copies it", async () => {
    const s = await session();
    const state = s.getState();
    const data = state.data as TuiData;
    const f = data.findings.find((x) => x.ruleId === "azure/probe-blocked-by-nsg");
    assert.ok(f && f.relatedTo.length > 0 && (f.remediation?.commands.length ?? 0) > 0);
    const ctx = { data, progress: state.progress, page: 10 };
    let ui: UiState = { ...initialUi(), stack: [...initialUi().stack, { screen: { kind: "finding", findingId: f.id }, selected: 0 }] };
    const items = () => screenItems(ui, ctx);
    const hints = () => hintsFor(ui, state, items());
    assert.equal(items()[0]?.kind, "command");
    assert.ok(!hints().includes("enter open related"), hints().join(" · "));
    assert.ok(hints().includes("c copy fix"));
    const related = items().findIndex((i) => i.kind === "finding");
    ui = reduceClick(ui, related, ctx).ui;
    assert.ok(hints().includes("enter open related"), hints().join(" · "));
    const link = items().length - 1;
    ui = reduceClick(ui, link, ctx).ui;
    assert.equal(items()[link]?.kind, "command");
    assert.ok(hints().includes("enter copy link"), hints().join(" · "));
    assert.ok(!hints().includes("enter open related"));
    // the evidence: neither
    ui = reduceClick(
      ui,
      items().findIndex((i) => i.kind === "block"),
      ctx,
    ).ui;
    assert.ok(!hints().some((x) => x.startsWith("enter")), hints().join(" · "));
  });

  it("the timeline: 'enter copy revert' only on a change that has a revert", async () => {
    const s = await session("nsg-change-probe-down");
    const state = s.getState();
    const data = state.data as TuiData;
    const ctx = { data, progress: state.progress, page: 10 };
    let ui: UiState = { ...initialUi(), stack: [...initialUi().stack, { screen: { kind: "timeline" }, selected: 0 }] };
    const items = screenItems(ui, ctx);
    assert.equal(items[0]?.kind, "block", "a member's row first");
    assert.ok(!hintsFor(ui, state, items).includes("enter copy revert"));
    const change = items.findIndex((i) => i.kind === "command");
    assert.ok(change > 0);
    ui = reduceClick(ui, change, ctx).ui;
    assert.ok(hintsFor(ui, state, items).includes("enter copy revert"));
  });
});

describe("itemAtPoint", () => {
  it("maps a point to no item outside the body and beside a split list", async () => {
    const s = await session();
    const ui = initialUi();
    assert.equal(itemAtPoint(ui, s.getState(), 80, 30, 5, 1), undefined, "the header");
    assert.equal(itemAtPoint(ui, s.getState(), 80, 30, 5, 30), undefined, "the footer");
    assert.equal(itemAtPoint(ui, s.getState(), 80, 30, 5, 5), 0, "the load balancer's row");
    assert.equal(itemAtPoint(ui, s.getState(), 130, 30, 120, 5), undefined, "the detail pane");
    assert.equal(itemAtPoint({ ...ui, help: true }, s.getState(), 80, 30, 5, 5), undefined, "the help has no list");
  });
});
