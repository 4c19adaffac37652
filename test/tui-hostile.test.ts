/**
 * The TUI against hostile snapshots: strings a terminal would act on, that
 * other tests do not reach. The App is rendered with ink-testing-library at a
 * fixed size and driven with keys, as test/tui-components.test.ts does.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { cleanup, render } from "ink-testing-library";
import React from "react";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { App } from "../src/tui/components/app.ts";
import { TuiSession } from "../src/tui/session.ts";
import { snapshotSource } from "../src/tui/source.ts";
import { cellWidth } from "../src/tui/text.ts";
import { ROOT } from "./support/cli.ts";

const h = React.createElement;
const dir = mkdtempSync(join(tmpdir(), "lbdoctor-tui-hostile-"));
after(() => {
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A bundled fixture, changed by `edit`, written to a temporary file. */
function hostile<T extends AwsSnapshot | AzureSnapshot>(fixture: string, edit: (snap: T) => void): string {
  const snap = JSON.parse(readFileSync(join(ROOT, "fixtures", fixture), "utf8")) as T;
  edit(snap);
  const file = join(dir, `${fixture.replace(/\W/g, "-")}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(snap));
  return file;
}

const tick = () => new Promise((r) => setTimeout(r, 10));
async function until(get: () => string, re: RegExp, what: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const t = get();
    if (re.test(t)) return t;
    await tick();
  }
  assert.fail(`${what}: ${re} never showed up in:\n${get()}`);
}

/** Renders the App on a snapshot file at a fixed size; `text()` is the plain frame. */
async function app(file: string, columns: number, rows: number) {
  const session = new TuiSession(snapshotSource(file));
  const inst = render(
    h(App, { session, color: false, copy: () => ({ osc52: false, message: "" }), onExit: () => {}, size: { columns, rows } }),
  );
  await session.load();
  const raw = () => inst.lastFrame() ?? "";
  return { inst, raw, text: () => stripVTControlCharacters(raw()) };
}

/** The frame fills exactly the rows it is given, no line wider than the terminal, the footer's keys on the last row. */
function assertLaidOut(text: string, columns: number, rows: number, what: string): void {
  const lines = text.split("\n");
  assert.equal(lines.length, rows, `${what}: ${lines.length} rows for a ${rows}-row terminal:\n${text}`);
  for (const l of lines) assert.ok(cellWidth(l) <= columns, `${what}: a row overflows ${columns} columns: ${JSON.stringify(l)}`);
  assert.match(lines.at(-1) ?? "", /\? help · q quit$/, `${what}: the keys stay on the last row`);
}

describe("a newline or a tab in a cloud string", () => {
  it("stays on its row, shown as \\x0a / \\x09: the screen keeps its rows, the header its width, the footer its place", async () => {
    const file = hostile<AwsSnapshot>("aws/healthy-alb.json", (snap) => {
      for (const lb of snap.elbv2.LoadBalancers) lb.LoadBalancerName = "alb\nSECOND LINE\tTABBED";
    });
    const [columns, rows] = [80, 24];
    const { inst, raw, text } = await app(file, columns, rows);
    await until(text, /LOAD BALANCERS \(1\)/, "overview");
    assertLaidOut(text(), columns, rows, "overview");
    assert.match(text(), /alb\\x0aSECOND LINE\\x09TABBED/, "the name, whole and visible");
    assert.doesNotMatch(raw(), /\t/, "no raw tab reaches the terminal");
    inst.stdin.write("\r");
    await until(text, /^Overview › alb\\x0aSECOND LINE\\x09TABBED/m, "the load balancer, its name in the breadcrumb");
    assertLaidOut(text(), columns, rows, "load balancer view");
    inst.unmount();
  });

  it("in the header: the summary on the right is placed by the name's width as drawn", async () => {
    // each control is drawn as `\u202e`, `\x0d` …: six or four cells for one character
    const file = hostile<AzureSnapshot>("azure/demo.json", (snap) => {
      for (const r of snap.resources) if (r.type === "Microsoft.Network/loadBalancers") r.name = "lb\u202e\u202c\r\u0085web";
    });
    const [columns, rows] = [80, 24];
    const { inst, text } = await app(file, columns, rows);
    await until(text, /LOAD BALANCERS \(1\)/, "overview");
    inst.stdin.write("\r");
    const lbView = await until(text, /^Overview › lb\\u202e\\u202c\\x0d\\x85web/m, "the load balancer");
    assertLaidOut(lbView, columns, rows, "load balancer view");
    assert.match(lbView.split("\n")[1] ?? "", /5 failed · 2 critical$/, "the summary, whole, at the right edge");
    inst.unmount();
  });
});

describe("emoji in a name", () => {
  it("are measured as Ink draws them, so the columns after the name keep their place", async () => {
    assert.equal(cellWidth("🚀"), 2, "an emoji outside the CJK and pictograph blocks");
    assert.equal(cellWidth("☕⌚🫠🛑"), 8);
    assert.equal(cellWidth("👨‍👩‍👧"), 2, "a ZWJ sequence is one emoji");
    assert.equal(cellWidth("❤️"), 2, "VS16: emoji presentation");
    assert.equal(cellWidth("❤"), 1);
    const file = hostile<AzureSnapshot>("azure/demo.json", (snap) => {
      for (const r of snap.resources) if (r.type === "Microsoft.Network/loadBalancers") r.name = "lb🚀🚀🚀🚀☕☕⌚🫠🛑";
    });
    const [columns, rows] = [120, 20];
    const { inst, text } = await app(file, columns, rows);
    const overview = await until(text, /LOAD BALANCERS \(1\)/, "overview");
    assertLaidOut(overview, columns, rows, "overview");
    // CRIT HIGH MED LOW INFO: every count, none cut off by Ink's own truncation
    assert.match(overview, /› ✖ DOWN +lb🚀🚀🚀🚀☕☕⌚🫠🛑.* 2 {4}2 {4}1 {4}0 {4}0 │/);
    inst.unmount();
  });
});

describe("an error the screen shows", () => {
  it("is drawn inert: a file name with an escape sequence and a newline cannot act on the terminal or break the row", async () => {
    const file = join(dir, "no-such\u001b[31mred\nline.json");
    const s = new TuiSession(snapshotSource(file));
    const inst = render(
      h(App, { session: s, color: false, copy: () => ({ osc52: false, message: "" }), onExit: () => {}, size: { columns: 200, rows: 20 } }),
    );
    await s.load().catch(() => {});
    for (let i = 0; i < 200 && !/lbdoctor: /.test(inst.lastFrame() ?? ""); i++) await new Promise((r) => setTimeout(r, 10));
    const frame = inst.lastFrame() ?? "";
    const line = frame.split("\n").find((l) => l.includes("lbdoctor: ")) ?? "";
    // the escape sequence dropped (as sanitize does everywhere), the newline shown, all on one row
    assert.match(line, /lbdoctor: snapshot file not found: .*no-suchred\\x0aline\.json/);
    assert.doesNotMatch(frame, /\u001b\[31m/);
    inst.unmount();
  });
});
