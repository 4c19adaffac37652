/**
 * The TUI's timeline view (`T`), rendered with ink-testing-library at 60, 80
 * and 120 columns (ANSI stripped): one sparkline row per member and per load
 * balancer on one shared time axis, the change markers with who / what, the
 * selected row's details, the key from the overview, enter copying a revert,
 * and watch polls appended on the same axis.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { Box } from "ink";
import { cleanup, render } from "ink-testing-library";
import React from "react";
import type { Snapshot } from "../src/core/snapshot/types.ts";
import type { AzureSnapshot, RuleHealthBody } from "../src/providers/azure/wire-types.ts";
import type { CopyResult } from "../src/tui/clipboard.ts";
import { App } from "../src/tui/components/app.ts";
import { TimelineView } from "../src/tui/components/timeline.ts";
import { startProgress } from "../src/tui/progress.ts";
import { TuiSession } from "../src/tui/session.ts";
import { type DataSource, snapshotSource } from "../src/tui/source.ts";
import { initialUi, screenItems } from "../src/tui/state.ts";
import { cellWidth } from "../src/tui/text.ts";
import type { TuiData } from "../src/tui/types.ts";
import { timelineModel } from "../src/tui/views/timeline.ts";
import { fixture, ROOT } from "./support/cli.ts";

const h = React.createElement;
after(() => cleanup());

function frame(el: React.ReactElement, width: number): string {
  const inst = render(h(Box, { width, flexDirection: "column" }, el));
  const text = stripVTControlCharacters(inst.lastFrame() ?? "");
  inst.unmount();
  for (const line of text.split("\n"))
    assert.ok(cellWidth(line) <= width, `overflows ${width} columns (${cellWidth(line)}): ${JSON.stringify(line)}`);
  return text;
}

async function load(name: string): Promise<TuiSession> {
  const s = new TuiSession(snapshotSource(name.startsWith("aws/") ? join(ROOT, "fixtures", `${name}.json`) : fixture(name)));
  await s.load();
  return s;
}
const dataOf = (s: TuiSession) => s.getState().data as TuiData;
const lineOf = (text: string, re: RegExp) => text.split("\n").find((l) => re.test(l)) ?? "";
/** The label column's width plus "› " and a space, as the view lays it out. */
const chartStart = (width: number) => Math.min(28, Math.max(12, Math.floor(width * 0.28))) + 3;
const ms = (t: string) => Date.parse(t);

describe("timeline view", () => {
  for (const width of [60, 80, 120]) {
    it(`draws members, the load balancer and the changes on one time axis at ${width} columns`, async () => {
      const data = dataOf(await load("nsg-change-probe-down"));
      const text = frame(h(TimelineView, { data, selected: 0, width, height: 30, color: false }), width);
      const from = ms("2026-03-14T02:30:00Z");
      const until = ms("2026-03-14T04:00:00Z");
      const x0 = chartStart(width);
      const cols = width - x0;
      const col = (t: string) => Math.floor(((ms(t) - from) / (until - from)) * cols);
      assert.match(text, /^TIMELINE · 02:30 → 04:00 UTC · 90 min/m);
      assert.match(lineOf(text, /^ +02:30/), /^ +02:30 .*03:00/, "tick labels on round times");
      // both members: up until the drop at 03:12, down after it; the drop sits in 03:12's column
      for (const m of [/10\.0\.0\.4 \(vm1\)/, /10\.0\.0\.5 \(vm2\)/]) {
        const row = lineOf(text, m);
        const chart = [...row].slice(x0).join("");
        assert.equal(chart.length, cols, `${m}: a cell per column`);
        assert.equal(chart.indexOf("▁"), col("2026-03-14T03:12:00Z"), `${m}: first down cell at 03:12`);
        assert.match(chart, /^█+▁+$/);
      }
      // the load balancer's SNAT row is there, flat: no spike in this window
      assert.match(lineOf(text, /lb-web SNAT/), /lb-web SNAT +·+$/);
      // the markers: the likely cause (◆) at 03:10:04, the others (▼) at their times, all on the same axis
      const marks = [...lineOf(text, /^changes /)];
      assert.equal(marks.indexOf("◆"), x0 + col("2026-03-14T03:10:04Z"), "◆ at the NSG change");
      assert.equal(marks.indexOf("▼"), x0 + col("2026-03-14T02:41:30Z"), "▼ at the tag change");
      assert.equal(marks.lastIndexOf("▼"), x0 + col("2026-03-14T03:25:00Z"), "▼ at the restart");
      // who / what written at a marker
      const labels = text.split("\n")[text.split("\n").findIndex((l) => /^changes /.test(l)) + 1] ?? "";
      assert.match(labels, /[└┘]/);
      assert.match(labels, /(alice|bob|oncall)@/);
      // the change list, the likely cause marked; the selected member's details at the bottom
      assert.match(text, /^ {2}03:10:04 ◆ nsg-web: security rule deny-lb-.*◀ likely cause$/m);
      assert.match(text, /^ {2}02:41:30 ▼ pip-lb-web: tags\.costCenter: web → web-prod/m);
      assert.match(text.replace(/\n/g, " "), /10\.0\.0\.4 \(vm1\) · DipAvailability · 1 change of state: down at 03:12/);
    });
  }

  it("writes the likely cause's who and what at its marker when it is selected, and its before → after and revert below", async () => {
    const data = dataOf(await load("nsg-change-probe-down"));
    const m = timelineModel(data);
    const i = m.rows.findIndex((r) => r.kind === "change" && r.likely);
    assert.ok(i > 0);
    const text = frame(h(TimelineView, { data, selected: i, width: 80, height: 30, color: false }), 80);
    const rows = text.split("\n");
    const labels = rows[rows.findIndex((l) => /^changes /.test(l)) + 1] ?? "";
    const at = [...(rows.find((l) => /^changes /.test(l)) ?? "")].indexOf("◆");
    assert.equal([...labels].slice(at).join("").slice(0, 7), "└alice@", "who / what starts at the marker");
    assert.match(text, /^› 03:10:04 ◆ nsg-web/m);
    const detail = rows.slice(rows.findIndex((l) => /^─+$/.test(l)) + 1).join(" ");
    assert.match(detail, /03:10:04 alice@contoso\.com/);
    assert.match(detail, /likely cause of azure\/change-before-failure/);
    assert.match(detail, /revert \(enter copies\): \$ az network nsg rule delete /);
    const wide = frame(h(TimelineView, { data, selected: i, width: 120, height: 30, color: false }), 120).split("\n");
    const wideDetail = wide.slice(wide.findIndex((l) => /^─+$/.test(l)) + 1).join(" ");
    assert.match(wideDetail, /securityRules\[2\]\.name: \(none\) → deny-lb-probe/, "before → after");
  });

  it("draws the AWS target groups per zone and the load balancer's 5xx row", async () => {
    const data = dataOf(await load("aws/sg-revoke-targets-unhealthy"));
    const text = frame(h(TimelineView, { data, selected: 0, width: 80, height: 30, color: false }), 80);
    assert.match(text, /^TIMELINE · /m);
    assert.ok(text.split("\n").filter((l) => / in us-east-1[a-z] /.test(l) && /[█▁]/.test(l)).length >= 2, text);
    assert.match(text, /^changes /m);
    assert.match(text, /◀ likely cause$/m);
  });

  it("says how to get time data when the snapshot has none", async () => {
    const data = dataOf(await load("demo"));
    const text = frame(h(TimelineView, { data, selected: 0, width: 60, height: 20, color: false }), 60);
    assert.match(text.replace(/\n/g, " "), /no time data \(observations\.window\)\. Collect it with `lbdoctor snapshot --since 6h/);
    assert.deepEqual(screenItems({ ...initialUi(), stack: [{ screen: { kind: "timeline" }, selected: 0 }] }, { data, progress: s0() }), []);
  });

  it("opens with T from the overview; enter on a change copies its revert; esc goes back", async () => {
    const s = await load("nsg-change-probe-down");
    const copied: string[] = [];
    const copy = (text: string): CopyResult => {
      copied.push(text);
      return { osc52: true, message: "copied" };
    };
    const inst = render(h(App, { session: s, color: false, copy, onExit: () => {}, size: { columns: 80, rows: 34 } }));
    const text = () => stripVTControlCharacters(inst.lastFrame() ?? "");
    await until(text, /LOAD BALANCERS \(1\)/);
    assert.match(text(), /T timeline/, "the overview's footer names the key");
    inst.stdin.write("T");
    await until(text, /^Overview › timeline/m);
    // enter copies a change's revert: not offered on a member's row (issue 15 row 13)
    assert.match(text(), /^↑↓ move · esc back/m);
    assert.doesNotMatch(text(), /enter copy revert/);
    // the rows: 2 members, the SNAT row, then the changes (the first one is the tag change)
    inst.stdin.write("jjj");
    await until(text, /^› 02:41:30 ▼ pip-lb-web/m);
    inst.stdin.write("j");
    await until(text, /^› 03:10:04 ◆ nsg-web/m);
    assert.match(text(), /^↑↓ move · enter copy revert/m);
    inst.stdin.write("\r");
    await until(text, /copied/);
    assert.equal(copied.length, 1);
    assert.match(
      copied[0] ?? "",
      /^az network nsg rule delete .*--nsg-name nsg-web -n deny-lb-probe --subscription 00000000-0000-0000-0000-0000000000aa$/,
    );
    inst.stdin.write("\u001b");
    await until(text, /^Overview +\d+ failed/m);
    inst.unmount();
  });
});

describe("timeline view in watch mode", () => {
  it("appends each poll to the members' rows on the same axis, which grows to the last poll", async () => {
    const snap = JSON.parse(readFileSync(fixture("nsg-change-probe-down"), "utf8")) as AzureSnapshot;
    const ruleId = Object.keys(snap.observations?.ruleHealth ?? {})[0] as string;
    let body = structuredClone(snap.observations?.ruleHealth?.[ruleId] as RuleHealthBody);
    let t = ms("2026-03-14T04:00:00Z");
    const source: DataSource = {
      live: true,
      label: "live: fake",
      async acquire(onEvent) {
        onEvent({ type: "done", calls: 1, ms: 1, resources: 1, gaps: 0 });
        return structuredClone(snap) as Snapshot;
      },
      async pollHealth(s) {
        const before = s as AzureSnapshot;
        return {
          snapshot: { ...before, observations: { ...before.observations, ruleHealth: { [ruleId]: body } } } as Snapshot,
          gaps: [],
          ms: 1,
        };
      },
    };
    const session = new TuiSession(source, { watchMs: 60_000, now: () => t });
    await session.load();
    const data0 = dataOf(session);
    // no poll yet: the axis is the snapshot's window
    assert.equal(timelineModel(data0, session.getState().watch).until, ms("2026-03-14T04:00:00Z"));
    session.startWatch(60_000);
    // the revert was applied: the members come back up
    body = structuredClone(body);
    for (const a of body.loadBalancerBackendAddresses ?? []) Object.assign(a, { state: "Up", reason: "Up_Probe_Success" });
    for (const at of ["04:10", "04:20", "04:30"]) {
      t = ms(`2026-03-14T${at}:00Z`);
      await session.pollOnce();
    }
    session.stop();
    const st = session.getState();
    assert.equal(st.watch.polls, 3);
    const data = st.data as TuiData;
    const m = timelineModel(data, st.watch);
    assert.equal(m.until, ms("2026-03-14T04:30:00Z"), "the axis runs to the last poll");
    assert.ok(
      m.rows.every((r) => r.kind !== "live"),
      "each poll joins its member's row, not a row of its own",
    );
    const width = 80;
    const text = frame(h(TimelineView, { data, selected: 0, width, height: 30, color: false, watch: st.watch }), width);
    assert.match(text, /^TIMELINE · 02:30 → 04:30 UTC · 120 min/m);
    const x0 = chartStart(width);
    const cols = width - x0;
    const from = ms("2026-03-14T02:30:00Z");
    const col = (at: string) => Math.min(cols - 1, Math.floor(((ms(at) - from) / (ms("2026-03-14T04:30:00Z") - from)) * cols));
    const chart = [...lineOf(text, /10\.0\.0\.4 \(vm1\)/)].slice(x0);
    assert.equal(chart[col("2026-03-14T03:30:00Z")], "▁", "down inside the window");
    for (const at of ["04:10", "04:20", "04:30"]) assert.equal(chart[col(`2026-03-14T${at}:00Z`)], "█", `up at the ${at} poll`);
    assert.match(text.replace(/\n/g, " "), /watch: Up at 04:30/);
  });
});

const s0 = () => startProgress(0);

const tick = () => new Promise((r) => setTimeout(r, 10));
async function until(get: () => string, re: RegExp): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (re.test(get())) return;
    await tick();
  }
  assert.fail(`${re} never showed up in:\n${get()}`);
}

describe("timeline view: a drop found after a gap in the metrics", () => {
  it("the member's details and a set-aside cause date it by both samples, as the timeline does", async () => {
    const { withoutAzureSamples } = await import("./support/time-builder.ts");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const snap = JSON.parse(readFileSync(fixture("nsg-change-probe-down"), "utf8")) as AzureSnapshot;
    // no samples from 03:05 to 03:11: up at 03:04, down at 03:12
    withoutAzureSamples(snap, "2026-03-14T03:05:00Z", "2026-03-14T03:12:00Z");
    const file = join(mkdtempSync(join(tmpdir(), "lbdoctor-tui-gap-")), "gap.json");
    writeFileSync(file, JSON.stringify(snap));
    const s = new TuiSession(snapshotSource(file));
    await s.load();
    const data = dataOf(s);
    const text = frame(h(TimelineView, { data, selected: 0, width: 120, height: 30, color: false }), 120);
    assert.match(
      text.replace(/\n/g, " "),
      /10\.0\.0\.4 \(vm1\) · DipAvailability · 1 change of state: down by 03:12 \(up at 03:04, no samples in between\)/,
    );
    assert.doesNotMatch(text, /down at 03:12/);
  });
});

describe("timeline view: a change undecided for a drop after a gap (second review)", () => {
  it("says so beside the drop it is the likely cause of, and for a change undecided alone, as the text timeline does", async () => {
    const { rowDetail } = await import("../src/tui/views/timeline.ts");
    const { checkChangeBeforeFailure } = await import("../src/core/timeline/checks.ts");
    type Finding = TuiData["findings"][number];
    const minutes = (p: string, from = 0) =>
      [...p].map((c, i) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, from + i)).toISOString(), up: c === "U", value: c === "U" ? 100 : 0 }));
    const member = (k: string, points: ReturnType<typeof minutes>) => ({
      key: k,
      resourceId: `nic-${k}`,
      label: k,
      loadBalancerId: "lb",
      metric: "DipAvailability",
      path: ["lb", `nic-${k}`, "nsg", `sub-${k}`],
      pointer: `/series/${k}`,
      rule: "",
      points,
    });
    const change = (id: string, time: string, resourceId: string) => ({
      id,
      time,
      resourceId,
      resourceName: resourceId,
      operation: "write",
      kind: "update" as const,
      who: id,
      properties: [],
      summary: `${id} changed ${resourceId}`,
      revert: [],
      source: "test",
      pointer: `/changes/${id}`,
    });
    // vm1 drops at 03:04 (A alone is near it); vm2 is up at 03:04, down by 03:20 after a gap, which holds B
    const time = {
      window: { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" },
      spikes: [],
      missing: [],
      series: [member("vm1", minutes("UUUUDDDD")), member("vm2", [...minutes("UUUUU", 0), ...minutes("DDDDD", 20)])],
      changes: [change("A", "2026-03-14T03:03:30Z", "nsg"), change("B", "2026-03-14T03:10:00Z", "sub-vm2")],
    };
    const findings: Finding[] = [];
    checkChangeBeforeFailure(
      {
        model: { time },
        report: (f: Partial<Finding>) =>
          findings.push({
            ...f,
            id: `cbf|${f.key}`,
            ruleId: "x/change-before-failure",
            evidence: [],
            subjects: [],
            relatedTo: [],
          } as Finding),
      } as never,
      [{ id: "lb", name: "lb" }],
    );
    const data = { provider: "azure", lbs: [{ key: "lb", name: "lb" }], findings, time } as unknown as TuiData;
    const m = timelineModel(data);
    const details = m.rows.filter((r) => r.kind === "change").map((r) => rowDetail(m, r));
    const gap = "the drop of vm2 by 03:20 (up at 03:04, no samples in between)";
    assert.deepEqual(details, [
      `03:03:30 A · write · likely cause of x/change-before-failure · undecided for ${gap}`,
      `03:10 B · write · undecided for ${gap} · health unknown: vm2: no DipAvailability sample in the 6 min before the change (the last, at 03:04, up); down at 03:20`,
    ]);
  });
});

describe("timeline view: a change inside a gap in the middle of the metrics, the member up after it", () => {
  it("the change's details say its effect is unknown, in the text timeline's words, and no cause is marked", async () => {
    const { rowDetail } = await import("../src/tui/views/timeline.ts");
    const { checkChangeBeforeFailure } = await import("../src/core/timeline/checks.ts");
    type Finding = TuiData["findings"][number];
    const minutes = (p: string, from = 0) =>
      [...p].map((c, i) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, from + i)).toISOString(), up: c === "U", value: c === "U" ? 100 : 0 }));
    // up 03:00–03:04, no sample 03:05–03:19, up from 03:20; the change at 03:10, inside the gap
    const time = {
      window: { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" },
      spikes: [],
      missing: [],
      series: [
        {
          key: "vm1",
          resourceId: "nic-vm1",
          label: "vm1",
          loadBalancerId: "lb",
          metric: "DipAvailability",
          path: ["lb", "nic-vm1", "nsg"],
          pointer: "/series/vm1",
          rule: "",
          points: [...minutes("UUUUU", 0), ...minutes("U".repeat(40), 20)],
        },
      ],
      changes: [
        {
          id: "A",
          time: "2026-03-14T03:10:00Z",
          resourceId: "nsg",
          resourceName: "nsg",
          operation: "write",
          kind: "update" as const,
          who: "A",
          properties: [],
          summary: "A changed nsg",
          revert: [],
          source: "test",
          pointer: "/changes/A",
        },
      ],
    };
    const findings: Finding[] = [];
    checkChangeBeforeFailure(
      {
        model: { time },
        report: (f: Partial<Finding>) =>
          findings.push({
            ...f,
            id: `cbf|${f.key}`,
            ruleId: "x/change-before-failure",
            evidence: [],
            subjects: [],
            relatedTo: [],
          } as Finding),
      } as never,
      [{ id: "lb", name: "lb" }],
    );
    assert.deepEqual(
      findings.map((f) => f.status),
      ["unknown"],
    );
    const data = { provider: "azure", lbs: [{ key: "lb", name: "lb" }], findings, time } as unknown as TuiData;
    const m = timelineModel(data);
    const row = m.rows.find((r) => r.kind === "change");
    assert.equal(row?.kind === "change" && row.likely, false);
    assert.equal(
      rowDetail(m, row),
      "03:10 A · write · health unknown: vm1: no DipAvailability sample between 03:04 (up) and 03:20 (up), a gap in which it may have gone down and come back up",
    );
    const selected = m.rows.findIndex((r) => r.kind === "change");
    const text = frame(h(TimelineView, { data, selected, width: 80, height: 30, color: false }), 80);
    assert.match(text.replace(/\s+/g, " "), /health unknown: vm1: no DipAvailability sample between 03:04 \(up\) and 03:20 \(up\)/);
  });
});

describe("timeline view: the same members of unknown health as the text timeline, and a series' step by its grain", () => {
  type Finding = TuiData["findings"][number];
  const minutes = (p: string, from = 0) =>
    [...p].map((c, i) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, from + i)).toISOString(), up: c === "U", value: c === "U" ? 100 : 0 }));
  const timeOf = (points: Array<{ t: string; up: boolean; value: number }>) => ({
    window: { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" },
    spikes: [],
    missing: [],
    series: [
      {
        key: "vm1",
        resourceId: "nic-vm1",
        label: "vm1",
        loadBalancerId: "lb",
        metric: "DipAvailability",
        path: ["lb", "nic-vm1", "nsg"],
        pointer: "/series/vm1",
        rule: "",
        points,
      },
    ],
    changes: [
      {
        id: "A",
        time: "2026-03-14T03:10:00Z",
        resourceId: "nsg",
        resourceName: "nsg",
        operation: "write",
        kind: "update" as const,
        who: "A",
        properties: [],
        summary: "A changed nsg",
        revert: [],
        source: "test",
        pointer: "/changes/A",
      },
    ],
  });

  it("a change inside the gap a drop was found after: the row says the member's health at it is unknown, as the text timeline does", async () => {
    const { rowDetail } = await import("../src/tui/views/timeline.ts");
    const { checkChangeBeforeFailure } = await import("../src/core/timeline/checks.ts");
    const { buildTimeline } = await import("../src/core/timeline/analyze.ts");
    // up 03:00–03:04, no sample 03:05–03:19, down from 03:20; the change at 03:10, inside the gap: a candidate for the drop
    const time = timeOf([...minutes("UUUUU", 0), ...minutes("D".repeat(40), 20)]);
    const findings: Finding[] = [];
    checkChangeBeforeFailure(
      {
        model: { time },
        report: (f: Partial<Finding>) =>
          findings.push({
            ...f,
            id: `cbf|${f.key}`,
            ruleId: "x/change-before-failure",
            evidence: [],
            subjects: [],
            relatedTo: [],
          } as Finding),
      } as never,
      [{ id: "lb", name: "lb" }],
    );
    assert.deepEqual(
      findings.map((f) => [f.status, f.messageId]),
      [["fail", "changedInGap"]],
    );
    const unknown = buildTimeline(time, findings).entries.find((e) => e.kind === "change")?.healthUnknown;
    assert.deepEqual(unknown, ["vm1: no DipAvailability sample in the 6 min before the change (the last, at 03:04, up); down at 03:20"]);
    const data = { provider: "azure", lbs: [{ key: "lb", name: "lb" }], findings, time } as unknown as TuiData;
    const m = timelineModel(data);
    const row = m.rows.find((r) => r.kind === "change");
    assert.deepEqual(row?.kind === "change" ? row.healthUnknown : undefined, unknown);
    assert.equal(rowDetail(m, row), `03:10 A · write · likely cause of x/change-before-failure · health unknown: ${unknown?.join("; ")}`);
  });

  it("a member's row: one sample off the series' grid makes no transition one after a gap", async () => {
    const { rowDetail } = await import("../src/tui/views/timeline.ts");
    // up 03:00–03:04, down 03:05–03:59, and one more sample (down) at 03:30:30
    const points = [...minutes(`UUUUU${"D".repeat(55)}`), { t: "2026-03-14T03:30:30.000Z", up: false, value: 0 }].sort(
      (a, b) => Date.parse(a.t) - Date.parse(b.t),
    );
    const data = { provider: "azure", lbs: [{ key: "lb", name: "lb" }], findings: [], time: timeOf(points) } as unknown as TuiData;
    const m = timelineModel(data);
    const detail = rowDetail(
      m,
      m.rows.find((r) => r.kind === "member"),
    );
    assert.match(detail, /^vm1 · DipAvailability · 1 change of state: down at 03:05 · /);
    assert.doesNotMatch(detail, /no samples in between/);
  });
});
