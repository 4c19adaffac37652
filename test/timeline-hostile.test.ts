/**
 * The time window on awkward input: a time without a zone would be read in
 * the machine's local time zone (Date.parse), shifting the window by the
 * local offset while lbdoctor prints UTC.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { InputError } from "../src/core/errors.ts";
import { buildTimeline, changeImpacts, clock, gapText, timelineLines } from "../src/core/timeline/analyze.ts";
import { checkChangeBeforeFailure } from "../src/core/timeline/checks.ts";
import { resolveWindow } from "../src/core/timeline/window.ts";
import { lbdoctor } from "./support/cli.ts";

describe("--window-from / --window-until need a time zone", () => {
  const now = new Date("2026-03-14T06:00:00Z");

  it("a time without a zone is refused, with the zone to add", () => {
    for (const t of ["2026-03-14T03:00", "2026-03-14T03:00:00", "2026-03-14T03:00:00.250"]) {
      assert.throws(
        () => resolveWindow({ windowFrom: t, windowUntil: "2026-03-14T05:00:00Z" }, now),
        (e: unknown) => e instanceof InputError && /RFC 3339/.test(e.message) && /time zone/.test(e.hint ?? ""),
        t,
      );
      assert.throws(() => resolveWindow({ windowFrom: "2026-03-14T02:00:00Z", windowUntil: t }, now), InputError, t);
    }
  });

  it("Z and offsets give the same UTC window wherever lbdoctor runs", () => {
    const want = { from: "2026-03-14T03:00:00Z", until: "2026-03-14T05:00:00Z" };
    assert.deepEqual(resolveWindow({ windowFrom: "2026-03-14T03:00:00Z", windowUntil: "2026-03-14T05:00:00Z" }, now), want);
    assert.deepEqual(resolveWindow({ windowFrom: "2026-03-14T04:00:00+01:00", windowUntil: "2026-03-14T00:00:00-05:00" }, now), want);
    assert.deepEqual(resolveWindow({ windowFrom: "2026-03-14T03:00Z", windowUntil: "2026-03-14T05:00:00.000Z" }, now), want);
  });
});

describe("a snapshot's time window", () => {
  const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8"));
  const dir = mkdtempSync(join(tmpdir(), "lbdoctor-window-"));

  it("that ends before it starts, or is no RFC 3339 time, is refused (exit 2) by every command that reads it", () => {
    for (const name of ["azure/change-before-failure", "aws/change-before-failure"]) {
      const doc = fixture(name);
      const { from, until } = doc.observations.window;
      doc.observations.window = { from: until, until: from };
      const backwards = join(dir, `${name.replace("/", "-")}-backwards.json`);
      writeFileSync(backwards, JSON.stringify(doc));
      for (const argv of [
        ["timeline", "--snapshot", backwards],
        ["check", "--snapshot", backwards],
      ]) {
        const r = lbdoctor(argv);
        assert.equal(r.code, 2, `${name} ${argv[0]}: ${r.stderr}`);
        assert.match(r.stderr, /\/observations\/window: ends \(.*\) before it starts/);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
      }
      doc.observations.window = { from: "yesterday", until };
      const words = join(dir, `${name.replace("/", "-")}-words.json`);
      writeFileSync(words, JSON.stringify(doc));
      const r = lbdoctor(["timeline", "--snapshot", words]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /\/observations\/window\/from: must be an RFC 3339 date and time/);
    }
    // the fixtures as they are still load
    assert.notEqual(lbdoctor(["timeline", "--snapshot", "fixtures/azure/change-before-failure.json"]).code, 2);
  });
});

describe("times without a zone, and windows written with an offset", () => {
  const dir = mkdtempSync(join(tmpdir(), "lbdoctor-zone-"));
  const doc = JSON.parse(readFileSync(new URL("../fixtures/azure/nsg-change-probe-down.json", import.meta.url), "utf8"));

  it("a change time without a zone is UTC on every machine: the same likely cause, in the same place, in any TZ", () => {
    const rows = Object.values(doc.observations.resourceChanges)[0] as Array<{
      properties: { changeAttributes: { timestamp: string }; changes: Record<string, unknown> };
    }>;
    const cause = rows.find((r) => r.properties.changes["properties.securityRules[2].name"]);
    assert.ok(cause);
    cause.properties.changeAttributes.timestamp = "2026-03-14T03:10:04";
    const file = join(dir, "zoneless.json");
    writeFileSync(file, JSON.stringify(doc));
    const outputs = ["UTC", "America/New_York", "Asia/Tokyo"].map((TZ) => {
      const r = lbdoctor(["timeline", "--snapshot", file], { TZ });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    });
    assert.match(outputs[0] as string, /^ {2}03:10:04 change {2}nsg-web: .*◀ likely cause$/m);
    assert.equal(outputs[1], outputs[0], "New York reads the snapshot as UTC does");
    assert.equal(outputs[2], outputs[0], "Tokyo reads the snapshot as UTC does");
  });

  it("a window written with an offset is printed in UTC, with the dates when it spans two UTC days", () => {
    const time = {
      window: { from: "2026-03-14T01:00:00+02:00", until: "2026-03-14T02:30:00+02:00" },
      series: [],
      spikes: [],
      missing: [],
      changes: [],
    };
    const t = buildTimeline(time, []);
    assert.deepEqual(t.window, { from: "2026-03-13T23:00:00Z", until: "2026-03-14T00:30:00Z" });
    assert.equal(timelineLines(t)[0], "Timeline 2026-03-13T23:00:00Z → 2026-03-14T00:30:00Z (UTC)");
    assert.equal(clock("2026-03-13T23:40:00Z", time.window), "2026-03-13 23:40", "a window over two UTC days shows the date");
    assert.equal(
      clock("2026-03-14T01:40:00Z", { from: "2026-03-13T23:00:00-03:00", until: "2026-03-14T00:30:00-03:00" }),
      "01:40",
      "one UTC day: the time alone",
    );
  });
});

describe("a time in the time data that is no time", () => {
  const dir = mkdtempSync(join(tmpdir(), "lbdoctor-badtime-"));

  it("is refused with exit 2 and where it is, by timeline and by every check format: never an internal error, never a partial file", () => {
    const doc = JSON.parse(readFileSync(new URL("../fixtures/azure/nsg-change-probe-down.json", import.meta.url), "utf8"));
    const rows = Object.values(doc.observations.resourceChanges)[0] as Array<{ properties: { changeAttributes: { timestamp: string } } }>;
    (rows[0] as (typeof rows)[number]).properties.changeAttributes.timestamp = "yesterday";
    const file = join(dir, "change-yesterday.json");
    writeFileSync(file, JSON.stringify(doc));
    const out = join(dir, "report.md");
    for (const argv of [
      ["timeline", "--snapshot", file],
      ["timeline", "--snapshot", file, "-f", "markdown"],
      ["check", "--snapshot", file, "-f", "markdown", "-o", out],
      ["check", "--snapshot", file, "-f", "json"],
    ]) {
      const r = lbdoctor(argv);
      assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /\/observations\/resourceChanges\/[^:]+\/0: the time "yesterday" is not an RFC 3339 date and time/);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
      assert.equal(r.stdout, "");
    }
    assert.equal(existsSync(out), false, "no partial report");

    const metrics = JSON.parse(readFileSync(new URL("../fixtures/azure/nsg-change-probe-down.json", import.meta.url), "utf8"));
    const body = (
      Object.values(metrics.observations.metrics)[0] as Array<{
        value: Array<{ timeseries: Array<{ data: Array<{ timeStamp: string }> }> }>;
      }>
    )[0];
    (body?.value[0]?.timeseries[0]?.data[5] as { timeStamp: string }).timeStamp = "not a time";
    const sample = join(dir, "sample-not-a-time.json");
    writeFileSync(sample, JSON.stringify(metrics));
    const r = lbdoctor(["timeline", "--snapshot", sample]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\/observations\/metrics\/.*\/data: the time "not a time" is not an RFC 3339 date and time/);
  });
});

describe("a change inside the first minute that is down", () => {
  // a sample is stamped with the start of its minute and aggregates all of it: the 03:04 sample holds 03:04:00–03:04:59
  const minutes = (pattern: string) =>
    [...pattern].map((c, i) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, i)).toISOString(), up: c === "U", value: c === "U" ? 100 : 0 }));
  const series = {
    key: "m",
    resourceId: "m",
    label: "vm1",
    loadBalancerId: "lb",
    metric: "DipAvailability",
    path: ["nsg"],
    pointer: "/x",
    rule: "",
    points: minutes("UUUUDDDD"),
  };
  const window = { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" };
  const change = (id: string, time: string) => ({
    id,
    time,
    resourceId: "nsg",
    resourceName: "nsg",
    operation: "write",
    kind: "update" as const,
    properties: [],
    summary: id,
    revert: [],
    source: "test",
    pointer: `/c/${id}`,
  });

  it("is the likely cause of the drop that minute shows (the member was up the minute before), 0 s before it", () => {
    const impacts = changeImpacts({ window, series: [series], spikes: [], missing: [], changes: [change("c", "2026-03-14T03:04:04Z")] });
    assert.equal(impacts.length, 1, "a deny at 03:04:04 and the 03:04 sample down: the change did it");
    assert.equal(impacts[0]?.drops[0]?.at.t, "2026-03-14T03:04:00.000Z");
    assert.equal(gapText("2026-03-14T03:04:04Z", "2026-03-14T03:04:00.000Z"), "0 s", "never a negative delay");
  });

  it("an earlier change in that minute or the one before is likelier; a change once the member was down is none", () => {
    const changes = [change("before", "2026-03-14T03:03:50Z"), change("inside", "2026-03-14T03:04:30Z")];
    assert.deepEqual(
      changeImpacts({ window, series: [series], spikes: [], missing: [], changes }).map((i) => i.change.id),
      ["before"],
    );
    const whileDown = [change("late", "2026-03-14T03:05:00Z")];
    assert.deepEqual(changeImpacts({ window, series: [series], spikes: [], missing: [], changes: whileDown }), []);
  });

  it("the CLI marks it: timeline and check name the change", () => {
    const doc = JSON.parse(readFileSync(new URL("../fixtures/azure/nsg-change-probe-down.json", import.meta.url), "utf8"));
    const rows = Object.values(doc.observations.resourceChanges)[0] as Array<{
      properties: { changeAttributes: { timestamp: string; correlationId: string }; changes: Record<string, unknown> };
    }>;
    const cause = rows.find((r) => r.properties.changes["properties.securityRules[2].name"]);
    assert.ok(cause);
    // the members' first down sample is stamped 03:12: the deny lands 4 s into that minute
    cause.properties.changeAttributes.timestamp = "2026-03-14T03:12:04Z";
    for (const e of Object.values(doc.observations.activityLog)[0] as Array<{ correlationId?: string; eventTimestamp: string }>)
      if (e.correlationId === cause.properties.changeAttributes.correlationId) e.eventTimestamp = "2026-03-14T03:12:04Z";
    const file = join(mkdtempSync(join(tmpdir(), "lbdoctor-same-minute-")), "deny-at-03-12-04.json");
    writeFileSync(file, JSON.stringify(doc));
    const t = lbdoctor(["timeline", "--snapshot", file]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^ {2}03:12:04 change {2}nsg-web: .*◀ likely cause$/m);
    assert.match(t.stdout, /0 s later 10\.0\.0\.4 \(vm1\) went down/);
    const c = lbdoctor(["check", "--snapshot", file, "-f", "json"]);
    const failing = (JSON.parse(c.stdout) as { findings: Array<{ ruleId: string; status: string }> }).findings.filter(
      (f) => f.status === "fail",
    );
    assert.ok(
      failing.some((f) => f.ruleId === "azure/change-before-failure"),
      c.stdout.slice(0, 400),
    );
  });
});

describe("a timeline narrowed to one load balancer", () => {
  it("keeps the changes to that load balancer itself when none of its health series could be read", () => {
    const point = (m: number, up: boolean) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, m)).toISOString(), up, value: up ? 100 : 0 });
    const time = {
      window: { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" },
      // lb-b's members were read; lb-a's metrics were not
      series: [
        {
          key: "b1",
          resourceId: "b1",
          label: "b1",
          loadBalancerId: "lb-b",
          metric: "DipAvailability",
          path: ["lb-b", "b1"],
          pointer: "/b1",
          rule: "",
          points: [point(0, true), point(1, true)],
        },
      ],
      spikes: [],
      missing: [{ what: "metrics" as const, operation: "metrics.list", message: "403", resourceId: "lb-a" }],
      changes: [
        {
          id: "c-a",
          time: "2026-03-14T03:10:00Z",
          resourceId: "lb-a",
          resourceName: "lb-a",
          operation: "write",
          kind: "update" as const,
          properties: [],
          summary: "lb-a: probe port 80 → 81",
          revert: [],
          source: "test",
          pointer: "/c/a",
        },
        {
          id: "c-b",
          time: "2026-03-14T03:20:00Z",
          resourceId: "lb-b",
          resourceName: "lb-b",
          operation: "write",
          kind: "update" as const,
          properties: [],
          summary: "lb-b: tag",
          revert: [],
          source: "test",
          pointer: "/c/b",
        },
      ],
    };
    const t = buildTimeline(time, [], new Set(["lb-a"]));
    assert.deepEqual(
      t.entries.map((e) => e.text),
      ["lb-a: probe port 80 → 81"],
      "lb-a's own change, and not lb-b's",
    );
  });
});

describe("change-before-failure over several load balancers, one of whose metrics could not be read", () => {
  it("is unknown for that one (with the gap), a pass for the one that was read: never silently nothing", () => {
    const point = (m: number) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, m)).toISOString(), up: true, value: 100 });
    const time = {
      window: { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" },
      series: [
        {
          key: "b1",
          resourceId: "b1",
          label: "b1",
          loadBalancerId: "lb-b",
          metric: "DipAvailability",
          path: ["lb-b", "b1"],
          pointer: "/b1",
          rule: "",
          points: [point(0), point(1)],
        },
      ],
      spikes: [],
      missing: [{ what: "metrics" as const, operation: "metrics.list", message: "403 AuthorizationFailed", resourceId: "LB-A" }],
      changes: [],
    };
    const reported: Array<{ status: string; resourceName: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time }, report: (f: (typeof reported)[number]) => reported.push(f) } as never, [
      { id: "lb-a", name: "lb-a" },
      { id: "lb-b", name: "lb-b" },
    ]);
    assert.deepEqual(
      reported.map((f) => [f.status, f.resourceName]),
      [
        ["unknown", "lb-a"],
        ["pass", "lb-b"],
      ],
    );
    assert.match(String(reported[0]?.data?.reason), /metrics\.list: 403 AuthorizationFailed/);
  });
});

describe("a change before a series' first sample, or after its last: the samples cannot tell what it did", () => {
  const at = (m: number, s = 0) => new Date(Date.UTC(2026, 2, 14, 3, m, s)).toISOString();
  /** one sample a minute from 03:`from`, `U` up and `D` down */
  const minutes = (p: string, from: number) => [...p].map((c, i) => ({ t: at(from + i), up: c === "U", value: c === "U" ? 100 : 0 }));
  const series = (points: ReturnType<typeof minutes>) => ({
    key: "vm1",
    resourceId: "nic-vm1",
    label: "vm1",
    loadBalancerId: "lb",
    metric: "DipAvailability",
    path: ["lb", "nic-vm1", "nsg"],
    pointer: "/series/vm1",
    rule: "",
    step: 60_000,
    points,
  });
  const change = (id: string, time: string, operation = "write") => ({
    id,
    time,
    resourceId: "nsg",
    resourceName: "nsg",
    operation,
    kind: "update" as const,
    who: id,
    properties: [],
    summary: `${id} changed nsg`,
    revert: [],
    source: "test",
    pointer: `/changes/${id}`,
  });
  const time = (changes: Array<ReturnType<typeof change>>, points: ReturnType<typeof minutes>) => ({
    window: { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" },
    spikes: [],
    missing: [],
    series: [series(points)],
    changes,
  });
  type Reported = { status: string; key?: string; messageId?: string; data?: Record<string, unknown> };
  const rule = async (t: ReturnType<typeof time>) => {
    const { CHANGE_MESSAGES } = await import("../src/core/timeline/checks.ts");
    const out: Reported[] = [];
    checkChangeBeforeFailure({ model: { time: t }, report: (f: Reported) => out.push(f) } as never, [{ id: "lb", name: "lb" }]);
    return out.map((f) => ({
      status: f.status,
      key: f.key,
      messageId: f.messageId,
      text: (CHANGE_MESSAGES[f.messageId as keyof typeof CHANGE_MESSAGES] ?? "").replace(/\{\{(\w+)\}\}/g, (_, k: string) =>
        String(f.data?.[k] ?? ""),
      ),
    }));
  };
  // up from 03:20 to 03:59; no sample from 03:00 to 03:19
  const lateUp = minutes("U".repeat(40), 20);

  it("the member up at the first sample: unknown, not a pass, naming the samples missing before the change", async () => {
    const t = time([change("deny", "2026-03-14T03:10:00Z")], lateUp);
    const out = await rule(t);
    assert.deepEqual(
      out.map((f) => [f.status, f.key, f.messageId]),
      [["unknown", "change:deny", "unknownAfter"]],
      "no pass claiming the change broke nothing",
    );
    assert.equal(
      out[0]?.text,
      "03:10: deny changed nsg (deny changed nsg), but what vm1 did after it is unknown: no DipAvailability sample before it, nor in the 10 min after it (the first, at 03:20, was up), a gap in which vm1 may have gone down and come back up. Whether this change broke it, the samples cannot tell.",
    );
    const want =
      "vm1: no DipAvailability sample before the change, nor in the 10 min after it (the first, at 03:20, up), a gap in which it may have gone down and come back up";
    const tl = buildTimeline(t, []);
    assert.deepEqual(tl.entries.find((e) => e.kind === "change")?.healthUnknown, [want]);
    assert.ok(timelineLines(tl).includes(`             health at this time unknown: ${want}`), timelineLines(tl).join("\n"));
    // the TUI's timeline says the same of the change (it reads the same analysis)
    const { rowDetail, timelineModel } = await import("../src/tui/views/timeline.ts");
    const m = timelineModel({ provider: "azure", lbs: [{ key: "lb", name: "lb" }], findings: [], time: t } as never);
    assert.equal(
      rowDetail(
        m,
        m.rows.find((r) => r.kind === "change"),
      ),
      `03:10 deny · write · health unknown: ${want}`,
    );
  });

  it("so is one made a whole interval before the first sample; one less than an interval before it, inside its interval, or a tag change, passes", async () => {
    assert.deepEqual(
      (await rule(time([change("edge", "2026-03-14T03:19:00Z")], lateUp))).map((f) => [f.status, f.text.match(/nor in the [^(]+/)?.[0]]),
      [["unknown", "nor in the 60 s after it "]],
    );
    // less than an interval before the first sample: the samples follow it as they follow one made inside an interval
    assert.deepEqual(
      (await rule(time([change("edge", "2026-03-14T03:19:30Z")], lateUp))).map((f) => f.status),
      ["pass"],
    );
    // the sample stamped 03:20 holds the minute the change was made in: the samples follow it with no gap
    for (const t of ["2026-03-14T03:20:00Z", "2026-03-14T03:20:30Z"])
      assert.deepEqual(
        (await rule(time([change("in", t)], lateUp))).map((f) => [f.status, f.messageId]),
        [["pass", "none"]],
        t,
      );
    assert.deepEqual(
      (await rule(time([change("tag", "2026-03-14T03:10:00Z", "CreateTags")], lateUp))).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
      "a tag change cannot break traffic: never unknown",
    );
  });

  it("down at the first sample (already broken, or broken by it): unknown, as before; a drop seen later: the nearest change fails", async () => {
    assert.deepEqual(
      (await rule(time([change("deny", "2026-03-14T03:10:00Z")], minutes("D".repeat(40), 20)))).map((f) => [f.status, f.text]),
      [
        [
          "unknown",
          "03:10: deny changed nsg (deny changed nsg), but whether vm1 was up then is unknown: no DipAvailability sample before it; at 03:20 it was down. Whether this change broke it, the samples cannot tell.",
        ],
      ],
    );
    // up 03:20–03:29, down from 03:30: the change before the first sample is the nearest before the drop
    const drop = minutes(`${"U".repeat(10)}${"D".repeat(30)}`, 20);
    assert.deepEqual(
      (await rule(time([change("deny", "2026-03-14T03:10:00Z")], drop))).map((f) => [f.status, f.key]),
      [["fail", "change:deny"]],
    );
    // a nearer one at 03:28: the one before the first sample is no candidate, and what it did before 03:20 is unknown
    assert.deepEqual(
      (await rule(time([change("deny", "2026-03-14T03:10:00Z"), change("route", "2026-03-14T03:28:00Z")], drop))).map((f) => [
        f.status,
        f.key,
      ]),
      [
        ["fail", "change:route"],
        ["unknown", "change:deny"],
      ],
    );
  });

  it("a candidate made before the first sample, its drop found after a gap: no 'last sample before the change' that came after it", async () => {
    // up 03:20–03:24, no sample 03:25–03:34, down from 03:35
    const t = time([change("deny", "2026-03-14T03:10:00Z")], [...minutes("UUUUU", 20), ...minutes("DDDDD", 35)]);
    assert.deepEqual(
      (await rule(t)).map((f) => [f.status, f.key]),
      [["fail", "change:deny"]],
    );
    assert.equal(buildTimeline(t, []).entries.find((e) => e.kind === "change")?.healthUnknown, undefined);
  });

  it("after the last sample: unknown whether the member was up or down at it, unless that sample is recent enough to be the state", async () => {
    // up, then down 03:10–03:19, no sample after: at 03:50 the member may have come back up and gone down again
    const endsDown = minutes(`${"U".repeat(10)}${"D".repeat(10)}`, 0);
    const out = await rule(time([change("late", "2026-03-14T03:50:00Z")], endsDown));
    assert.deepEqual(
      out.map((f) => [f.status, f.key, f.messageId]),
      [["unknown", "change:late", "unknownAfter"]],
    );
    assert.equal(
      out[0]?.text,
      "03:50: late changed nsg (late changed nsg), but what vm1 did after it is unknown: no DipAvailability sample after it (the last, at 03:19, was down). Whether this change broke it, the samples cannot tell.",
    );
    assert.deepEqual(
      buildTimeline(time([change("late", "2026-03-14T03:50:00Z")], endsDown), []).entries.find((e) => e.kind === "change")?.healthUnknown,
      ["vm1: no DipAvailability sample after the change (the last, at 03:19, down)"],
    );
    // 03:21: the 03:19 sample is recent (within three intervals): the member was down at the change, which broke nothing
    assert.deepEqual(
      (await rule(time([change("soon", "2026-03-14T03:21:00Z")], endsDown))).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
    // up at the last sample: unknown, as before
    assert.deepEqual(
      (await rule(time([change("late", "2026-03-14T03:50:00Z")], minutes("U".repeat(20), 0)))).map((f) => [f.status, f.text]),
      [
        [
          "unknown",
          "03:50: late changed nsg (late changed nsg), but what vm1 did after it is unknown: no DipAvailability sample after it (the last, at 03:19, was up). Whether this change broke it, the samples cannot tell.",
        ],
      ],
    );
  });

  it("Azure: the NSG change at 03:10:04, no DipAvailability sample before 03:20, both members up after: unknown, no pass", async () => {
    const { buildAzureModel } = await import("../src/providers/azure/model.ts");
    const { runCatalog } = await import("./support/catalog.ts");
    const { withoutAzureSamples } = await import("./support/time-builder.ts");
    const { NSG_CHANGE, webWithTime } = await import("./support/time-scenarios.ts");
    const model = buildAzureModel(
      withoutAzureSamples(webWithTime({ changes: [NSG_CHANGE] }), "2026-03-14T02:30:00Z", "2026-03-14T03:20:00Z"),
    );
    const findings = runCatalog(model, "azure").filter((f) => f.ruleId === "azure/change-before-failure");
    assert.deepEqual(
      findings.map((f) => [f.status, f.key]),
      [["unknown", `change:${model.time?.changes[0]?.id}`]],
    );
    assert.match(
      findings[0]?.message ?? "",
      /but what 10\.0\.0\.4 \(vm1\) did after it is unknown: no DipAvailability sample before it, nor in the 10 min after it \(the first, at 03:20, was up\), a gap in which 10\.0\.0\.4 \(vm1\) may have gone down and come back up; the same for 1 more member\./,
    );
  });
});

describe("a member on a changed resource's path with no health sample in the window", () => {
  type Finding = { status: string; key?: string; message: string; evidence: Array<{ pointer: string }> };
  const azure = async (
    o: {
      dip?: Record<string, string>;
      power?: "deallocated" | "stopped";
      changes?: Array<import("./support/time-builder.ts").ChangeSpec>;
      activity?: Array<Parameters<typeof import("./support/time-builder.ts").activityEvent>[0]>;
      collectedAt?: string;
      edit?: (s: import("../src/providers/azure/wire-types.ts").AzureSnapshot) => void;
      scenario?: (s: import("./support/azure-builder.ts").AzureScenario) => import("./support/azure-builder.ts").AzureScenario;
    } = {},
  ) => {
    const { buildAzureModel } = await import("../src/providers/azure/model.ts");
    const { runCatalog } = await import("./support/catalog.ts");
    const { healthyWeb, ids, WEB_LB } = await import("./support/azure-builder.ts");
    const { azureMetricBodies, upDown, withAzureTime } = await import("./support/time-builder.ts");
    const { NSG_CHANGE, T0, WINDOW, steady } = await import("./support/time-scenarios.ts");
    let web = healthyWeb();
    if (o.power) web = web.power("vm2", o.power);
    if (o.scenario) web = o.scenario(web);
    const dip = Object.fromEntries(Object.entries(o.dip ?? { "10.0.0.4": steady() }).map(([ip, p]) => [ip, upDown(p)]));
    const snap = withAzureTime(web.build(o.collectedAt ?? "2026-03-14T04:00:00Z"), {
      window: WINDOW,
      metrics: { [ids.lb(WEB_LB)]: azureMetricBodies(ids.lb(WEB_LB), { from: T0, dip }) },
      changes: o.changes ?? [NSG_CHANGE],
      activity: o.activity ?? [],
    });
    o.edit?.(snap);
    const model = buildAzureModel(snap);
    const findings = runCatalog(model, "azure").filter((f) => f.ruleId === "azure/change-before-failure") as unknown as Finding[];
    const time = model.time as NonNullable<typeof model.time>;
    const key = (target: string) => `change:${time.changes.find((c) => c.resourceId.toLowerCase() === target.toLowerCase())?.id}`;
    return { model, time, findings, key, ids };
  };
  const unknownOf = (time: Parameters<typeof buildTimeline>[0], findings: Finding[]) =>
    buildTimeline(time, findings as never)
      .entries.filter((e) => e.kind === "change")
      .map((e) => [e.label, e.healthUnknown]);
  const NSG_SAID =
    "03:10:04: alice@contoso.com changed nsg-web (nsg-web: security rule deny-lb-probe added (Deny Inbound Tcp 80 AzureLoadBalancer priority 200))";

  it("Azure: vm2 running, no DipAvailability series at all: the NSG change on its path is unknown for it, not a pass; the timeline and the TUI say so", async () => {
    const { time, findings, key, ids, model } = await azure();
    const nsg = key(ids.nsg("nsg-web"));
    assert.deepEqual(
      findings.map((f) => [f.status, f.key]),
      [["unknown", nsg]],
      "vm1 was up throughout, but nothing shows what the change did to vm2",
    );
    assert.equal(
      findings[0]?.message,
      `${NSG_SAID}, but what 10.0.0.5 (vm2) did after it is unknown: no DipAvailability sample in the window. Whether this change broke it, the samples cannot tell.`,
    );
    // the evidence points at the load balancer's DipAvailability answer, where vm2's series would be
    assert.match(findings[0]?.evidence[1]?.pointer ?? "", /^\/observations\/metrics\/.*lb-web\/0\/value\/0\/timeseries$/);
    const want = "10.0.0.5 (vm2): no DipAvailability sample in the window";
    assert.deepEqual(unknownOf(time, findings), [["nsg-web", [want]]]);
    const { rowDetail, timelineModel } = await import("../src/tui/views/timeline.ts");
    const m = timelineModel({
      provider: "azure",
      lbs: [{ key: model.loadBalancers[0]?.key, name: "lb-web" }],
      findings,
      time,
    } as never);
    assert.match(
      rowDetail(
        m,
        m.rows.find((r) => r.kind === "change"),
      ),
      new RegExp(`^03:10:04 alice@contoso\\.com · .* · health unknown: ${want.replace(/[()]/g, "\\$&")} · `),
    );
  });

  it("Azure: a series whose every minute has no value is the same: unknown, its own series in the evidence", async () => {
    const { findings, key, ids } = await azure({
      dip: { "10.0.0.4": "U".repeat(90), "10.0.0.5": "U".repeat(90) },
      edit: (s) => {
        for (const body of Object.values(s.observations?.metrics ?? {}).flat())
          for (const m of body.value ?? [])
            for (const ts of m.timeseries ?? [])
              if (ts.metadatavalues?.some((d) => d.value === "10.0.0.5"))
                for (const d of (ts.data ?? []) as Array<Record<string, unknown>>) delete d.average;
      },
    });
    assert.deepEqual(
      findings.map((f) => [f.status, f.key]),
      [["unknown", key(ids.nsg("nsg-web"))]],
    );
    assert.match(findings[0]?.message ?? "", /what 10\.0\.0\.5 \(vm2\) did after it is unknown: no DipAvailability sample in the window\./);
    assert.match(findings[0]?.evidence[1]?.pointer ?? "", /\/value\/0\/timeseries\/1\/data$/);
  });

  it("Azure: vm2 deallocated the whole window (no start or stop recorded): nothing to probe, the change passes; with its deallocation recorded at 03:20, it was there until then", async () => {
    const { findings } = await azure({ power: "deallocated" });
    assert.deepEqual(
      findings.map((f) => [f.status, f.key]),
      [["pass", undefined]],
      "a VM stopped throughout has no probe health to show: no unknown",
    );
    // stopped from 03:20: the 03:10 change was made while it could be probed; one at 03:30 was not, nor the deallocation itself
    const { ids } = await import("./support/azure-builder.ts");
    const late = {
      target: ids.nsg("nsg-web"),
      time: "2026-03-14T03:30:00Z",
      changes: { "properties.securityRules[3].name": { after: "x", type: "Insert" as const } },
    };
    const { NSG_CHANGE } = await import("./support/time-scenarios.ts");
    const stopped = await azure({
      power: "deallocated",
      changes: [NSG_CHANGE, late],
      activity: [
        {
          resourceId: ids.vm("vm2"),
          time: "2026-03-14T03:20:00Z",
          operation: "Microsoft.Compute/virtualMachines/deallocate/action",
          caller: "oncall@contoso.com",
        },
      ],
    });
    assert.deepEqual(
      stopped.findings.map((f) => [f.status, f.key]),
      [["unknown", `change:${stopped.time.changes.find((c) => c.time === NSG_CHANGE.time)?.id}`]],
    );
    assert.deepEqual(
      stopped.time.unobserved?.map((u) => [u.series.label, u.since, u.until]),
      [["10.0.0.5 (vm2)", undefined, "2026-03-14T03:20:00Z"]],
    );
    // a snapshot taken hours after the window: its power state says nothing of the window, so the change is unknown again
    const later = await azure({ power: "deallocated", collectedAt: "2026-03-14T07:00:00Z" });
    assert.deepEqual(
      later.findings.map((f) => [f.status, f.key]),
      [["unknown", later.key(ids.nsg("nsg-web"))]],
    );
  });

  it("Azure: a member added to the pool after the change (its NIC's pool reference inserted, as recorded) cannot have been broken by it; the change that added it is unknown", async () => {
    const { ids, WEB_LB } = await import("./support/azure-builder.ts");
    const { NSG_CHANGE } = await import("./support/time-scenarios.ts");
    const joined = {
      target: ids.nic("vm2-nic"),
      time: "2026-03-14T03:30:00Z",
      who: "bob@contoso.com",
      changes: {
        "properties.ipConfigurations[0].properties.loadBalancerBackendAddressPools[0].id": {
          after: ids.pool(WEB_LB, "pool-web"),
          type: "Insert" as const,
        },
      },
    };
    const { findings, key } = await azure({ changes: [NSG_CHANGE, joined] });
    assert.deepEqual(
      findings.map((f) => [f.status, f.key]),
      [["unknown", key(ids.nic("vm2-nic"))]],
      "no finding for the 03:10 change (vm1 stayed up, vm2 was no member yet); no pass either, as the later one is unknown",
    );
    assert.match(findings[0]?.message ?? "", /^03:30: bob@contoso\.com changed vm2-nic .*no DipAvailability sample in the window\./);
    // added before the change: the change is unknown for it
    const before = await azure({ changes: [{ ...joined, time: "2026-03-14T03:00:00Z" }, NSG_CHANGE] });
    assert.deepEqual(
      before.findings.map((f) => [f.status, f.key]).sort(),
      [
        ["unknown", before.key(ids.nic("vm2-nic"))],
        ["unknown", before.key(ids.nsg("nsg-web"))],
      ].sort(),
    );
  });

  it("Azure: the change fails for vm1's drop: it stays a fail, with no unknown for vm2 beside it", async () => {
    const { dropAt } = await import("./support/time-scenarios.ts");
    const { time, findings, key, ids } = await azure({ dip: { "10.0.0.4": dropAt(42) } });
    assert.deepEqual(
      findings.map((f) => [f.status, f.key]),
      [["fail", key(ids.nsg("nsg-web"))]],
    );
    assert.match(findings[0]?.message ?? "", /^03:10:04: .* later 10\.0\.0\.4 \(vm1\) went down \(DipAvailability 0 at 03:12\)\./);
    assert.deepEqual(unknownOf(time, findings), [["nsg-web", undefined]]);
  });

  it("Azure: no probe health to show for vm2 (its pool's rule has no probe; a Basic load balancer), or a change to tags only: no unknown", async () => {
    const { ids, WEB_LB } = await import("./support/azure-builder.ts");
    for (const scenario of [
      (s: import("./support/azure-builder.ts").AzureScenario) => s.lbRuleProps(WEB_LB, "rule-http", { probe: undefined }),
      (s: import("./support/azure-builder.ts").AzureScenario) =>
        s.edit(ids.lb(WEB_LB), (r) => {
          r.sku = { name: "Basic", tier: "Regional" };
        }),
    ]) {
      const { findings } = await azure({ scenario });
      assert.deepEqual(
        findings.map((f) => f.status),
        ["pass"],
      );
    }
    const tags = await azure({
      changes: [{ target: ids.nic("vm2-nic"), time: "2026-03-14T03:10:00Z", changes: { "tags.owner": { before: "a", after: "b" } } }],
    });
    assert.deepEqual(
      tags.findings.map((f) => f.status),
      ["pass"],
      "a tag cannot break traffic: never unknown",
    );
  });

  const aws = async (
    o: {
      b?: string;
      edit?: (s: import("../src/providers/aws/wire-types.ts").AwsSnapshot) => void;
      events?: Array<Record<string, unknown>>;
    } = {},
  ) => {
    const { buildAwsModel } = await import("../src/providers/aws/model.ts");
    const { runCatalog } = await import("./support/catalog.ts");
    const { albWithTime, SG_REVOKE, steady } = await import("./support/time-scenarios.ts");
    const s = albWithTime({ zones: { a: steady(), b: o.b ?? "" }, events: o.events ?? [SG_REVOKE()] });
    o.edit?.(s);
    const model = buildAwsModel(s);
    const findings = runCatalog(model, "aws").filter((f) => f.ruleId === "aws/change-before-failure") as unknown as Finding[];
    return { model, time: model.time as NonNullable<typeof model.time>, findings };
  };

  it("AWS: us-east-1b's HealthyHostCount answered with no datapoint while web-2 is registered there: the SG change is unknown for that zone", async () => {
    const { time, findings } = await aws();
    assert.deepEqual(
      findings.map((f) => [f.status, f.key]),
      [["unknown", `change:${time.changes[0]?.id}`]],
    );
    assert.equal(
      findings[0]?.message,
      "03:10:04: bob changed sg-0e794eeaeb156db55 (sg-0e794eeaeb156db55: ingress tcp 80 from sg-0f51ce9a2f3be86ff revoked), but what web-tg in us-east-1b did after it is unknown: no HealthyHostCount sample in the window. Whether this change broke it, the samples cannot tell.",
    );
    assert.match(findings[0]?.evidence[1]?.pointer ?? "", /\/MetricDataResults\/2$/);
    assert.deepEqual(unknownOf(time, findings), [
      ["sg-0e794eeaeb156db55", ["web-tg in us-east-1b: no HealthyHostCount sample in the window"]],
    ]);
  });

  it("AWS: no target of the group in us-east-1b (CloudWatch reports nothing there), or only a stopped one: a pass; stopped by a recorded StopInstances at 03:20: unknown before it", async () => {
    const { ids } = await import("./support/aws-builder.ts");
    const { cloudtrailEvent } = await import("./support/time-builder.ts");
    const { SG_REVOKE } = await import("./support/time-scenarios.ts");
    const health = (s: import("../src/providers/aws/wire-types.ts").AwsSnapshot) =>
      (s.elbv2.TargetHealth as Record<string, Array<{ Target: { Id: string }; TargetHealth: Record<string, string> }>>)[ids.tg.web] ?? [];
    const none = await aws({
      edit: (s) => {
        (s.elbv2.TargetHealth as Record<string, unknown>)[ids.tg.web] = health(s).filter((d) => d.Target.Id !== ids.instance.web2);
      },
    });
    assert.equal(none.time.unobserved, undefined);
    assert.deepEqual(
      none.findings.map((f) => [f.status, f.key]),
      [["pass", undefined]],
    );
    const stop = (s: import("../src/providers/aws/wire-types.ts").AwsSnapshot) => {
      for (const d of health(s)) if (d.Target.Id === ids.instance.web2) d.TargetHealth = { State: "unused", Reason: "Target.InvalidState" };
      for (const i of (s.ec2?.Instances ?? []) as Array<Record<string, unknown>>)
        if (i.InstanceId === ids.instance.web2) i.State = { Code: 80, Name: "stopped" };
    };
    const stopped = await aws({ edit: stop });
    assert.deepEqual(
      stopped.findings.map((f) => [f.status, f.key]),
      [["pass", undefined]],
      "a stopped instance is not health-checked: nothing to report",
    );
    const stopCall = cloudtrailEvent({
      name: "StopInstances",
      time: "2026-03-14T03:20:00Z",
      user: "carol",
      resources: [{ type: "AWS::EC2::Instance", name: ids.instance.web2 }],
      request: { instancesSet: { items: [{ instanceId: ids.instance.web2 }] }, force: false },
    });
    const recorded = await aws({ edit: stop, events: [SG_REVOKE(), stopCall, SG_REVOKE("2026-03-14T03:30:00Z")] });
    assert.deepEqual(
      recorded.findings.map((f) => [f.status, f.key]),
      [["unknown", `change:${recorded.time.changes.find((c) => c.time === "2026-03-14T03:10:04Z")?.id}`]],
      "the 03:10 change was made while web-2 ran; the 03:30 one, and the stop itself, after",
    );
  });

  it("AWS: a zone whose datapoints came (an up series) is no unknown; metrics that could not be read at all stay the gap's unknown", async () => {
    const { steady } = await import("./support/time-scenarios.ts");
    const both = await aws({ b: steady() });
    assert.equal(both.time.unobserved, undefined);
    assert.deepEqual(
      both.findings.map((f) => [f.status, f.key]),
      [["pass", undefined]],
    );
    const { ids } = await import("./support/aws-builder.ts");
    const unread = await aws({
      edit: (s) => {
        delete (s.observations as { cloudwatch: Record<string, unknown> }).cloudwatch[ids.lb.alb];
        s.gaps = [
          ...(s.gaps ?? []),
          { operation: "cloudwatch:GetMetricData", resourceId: ids.lb.alb, status: 403, message: "AccessDenied" },
        ];
      },
    });
    assert.equal(unread.time.unobserved, undefined, "not asked for, or not answered: no member to call unobserved");
    assert.deepEqual(
      unread.findings.map((f) => [f.status, f.key]),
      [["unknown", "metrics"]],
    );
  });
});

describe("a timeline narrowed to one load balancer whose only member on a change's path has no sample", () => {
  it("keeps that change, and says the member's health at it is unknown; the other load balancer's such member is not named", () => {
    const member = (lb: string, name: string) => ({
      series: {
        key: name,
        resourceId: name,
        label: name,
        loadBalancerId: lb,
        metric: "DipAvailability",
        path: [lb, name, "nsg-shared", `nsg-${lb}`],
        pointer: `/${name}`,
        rule: "",
        points: [],
      },
    });
    const change = (id: string, resourceId: string) => ({
      id,
      time: "2026-03-14T03:10:00Z",
      resourceId,
      resourceName: resourceId,
      operation: "write",
      kind: "update" as const,
      properties: [],
      summary: `${resourceId} changed`,
      revert: [],
      source: "test",
      pointer: `/c/${id}`,
    });
    const time = {
      window: { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" },
      series: [
        {
          key: "b1",
          resourceId: "b1",
          label: "b1",
          loadBalancerId: "lb-b",
          metric: "DipAvailability",
          path: ["lb-b", "b1"],
          pointer: "/b1",
          rule: "",
          points: Array.from({ length: 60 }, (_, i) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, i)).toISOString(), up: true, value: 100 })),
        },
      ],
      // b1 listed too, though its load balancer's series has samples: a member with samples is none
      unobserved: [member("lb-a", "a1"), member("lb-c", "c1"), member("lb-b", "b1")],
      spikes: [],
      missing: [],
      changes: [change("c-a", "nsg-lb-a"), change("c-shared", "nsg-shared"), change("c-b", "b1"), change("c-c", "nsg-lb-c")],
    };
    const t = buildTimeline(time, [], new Set(["lb-a"]));
    assert.deepEqual(
      t.entries.map((e) => [e.label, e.healthUnknown]),
      [
        ["nsg-lb-a", ["a1: no DipAvailability sample in the window"]],
        ["nsg-shared", ["a1: no DipAvailability sample in the window"]],
      ],
      "lb-a's member's changes, c1 (lb-c) not named, and not lb-b's nor lb-c's own",
    );
    // the rule: unknown for each change on an unobserved member's path, one member each or both
    const reported: Array<{ status: string; key?: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time }, report: (f: (typeof reported)[number]) => reported.push(f) } as never, [
      { id: "lb-a", name: "lb-a" },
      { id: "lb-b", name: "lb-b" },
      { id: "lb-c", name: "lb-c" },
    ]);
    assert.deepEqual(
      reported.map((f) => [f.status, f.key, f.data?.member, f.data?.after, f.data?.more]),
      [
        ["unknown", "change:c-a", "a1", "no DipAvailability sample in the window", ""],
        ["unknown", "change:c-shared", "a1", "no DipAvailability sample in the window", "; the same for 1 more member"],
        ["unknown", "change:c-c", "c1", "no DipAvailability sample in the window", ""],
        ["pass", undefined, undefined, undefined, undefined],
      ],
      "lb-b passes (b1 up, its change broke nothing); lb-a and lb-c are unknown through the changes",
    );
  });
});

describe("the state at a change, the members it reached, and what an unknown says of each", () => {
  const at = (m: number, s = 0) => new Date(Date.UTC(2026, 2, 14, 3, m, s)).toISOString();
  /** one sample a minute from 03:`from`, `U` up and `D` down */
  const minutes = (p: string, from: number) => [...p].map((c, i) => ({ t: at(from + i), up: c === "U", value: c === "U" ? 100 : 0 }));
  const series = (points: ReturnType<typeof minutes>, key = "vm1", extra: { since?: string; until?: string } = {}) => ({
    key,
    resourceId: `nic-${key}`,
    label: key,
    loadBalancerId: "lb",
    metric: "DipAvailability",
    path: ["lb", `nic-${key}`, "nsg"],
    pointer: `/series/${key}`,
    rule: "",
    step: 60_000,
    points,
    ...extra,
  });
  const change = (id: string, time: string) => ({
    id,
    time,
    resourceId: "nsg",
    resourceName: "nsg",
    operation: "write",
    kind: "update" as const,
    who: id,
    properties: [],
    summary: `${id} changed nsg`,
    revert: [],
    source: "test",
    pointer: `/changes/${id}`,
  });
  type Series = ReturnType<typeof series>;
  const time = (changes: Array<ReturnType<typeof change>>, list: Series[], unobserved?: Array<{ series: Series }>) => ({
    window: { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" },
    spikes: [],
    missing: [],
    series: list,
    changes,
    ...(unobserved ? { unobserved } : {}),
  });
  const rule = async (t: ReturnType<typeof time>) => {
    const { CHANGE_MESSAGES } = await import("../src/core/timeline/checks.ts");
    const out: Array<{ status: string; key?: string; messageId?: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time: t }, report: (f: (typeof out)[number]) => out.push(f) } as never, [{ id: "lb", name: "lb" }]);
    return out.map((f) => [
      f.status,
      f.key,
      (CHANGE_MESSAGES[f.messageId as keyof typeof CHANGE_MESSAGES] ?? "").replace(/\{\{(\w+)\}\}/g, (_, k: string) =>
        String(f.data?.[k] ?? ""),
      ),
    ]);
  };
  const NONE = "No change in the window 03:00 – 04:00 preceded a health drop (1 change read, 1 health series).";

  it("a change inside an up sample that follows a one-minute down one, the drop at the next sample: fail, as without the blip", async () => {
    // up 03:00–03:09, down 03:10, up 03:11, down from 03:12; the change at 03:11:30, inside the 03:11 sample
    const blip = await rule(time([change("deny", at(11, 30))], [series(minutes(`${"U".repeat(10)}DU${"D".repeat(48)}`, 0))]));
    const plain = await rule(time([change("deny", at(11, 30))], [series(minutes(`${"U".repeat(12)}${"D".repeat(48)}`, 0))]));
    const want = [
      [
        "fail",
        "change:deny",
        "03:11:30: deny changed nsg (deny changed nsg); 30 s later vm1 went down (DipAvailability 0 at 03:12). Before → after: not recorded by the source.",
      ],
    ];
    assert.deepEqual(blip, want);
    assert.deepEqual(plain, want);
    // up at the change's own sample, the samples ending with it: too soon for a drop to show, as when up before it
    assert.deepEqual(await rule(time([change("deny", at(11, 30))], [series(minutes(`${"U".repeat(10)}DU`, 0))])), [
      [
        "unknown",
        "change:deny",
        "03:11:30: deny changed nsg (deny changed nsg), but what vm1 did after it is unknown: the DipAvailability samples end 30 s after it (the last, at 03:11, was up), too soon for a drop to show: a member counts as down only after several failed health probes. Whether this change broke it, the samples cannot tell.",
      ],
    ]);
  });

  it("Azure: the NSG change at 03:10:04 inside the 03:10 sample, up after a one-minute down 03:09, both down from 03:11: the same fail as without the blip", async () => {
    const { buildAzureModel } = await import("../src/providers/azure/model.ts");
    const { runCatalog } = await import("./support/catalog.ts");
    const { NSG_CHANGE, webWithTime } = await import("./support/time-scenarios.ts");
    const run = (p: string) =>
      runCatalog(buildAzureModel(webWithTime({ broken: true, dip: { vm1: p, vm2: p }, changes: [NSG_CHANGE] })), "azure")
        .filter((f) => f.ruleId === "azure/change-before-failure")
        .map((f) => [f.status, f.key, f.message]);
    const blip = run(`${"U".repeat(39)}DU${"D".repeat(49)}`);
    assert.deepEqual(blip, run(`${"U".repeat(41)}${"D".repeat(49)}`));
    assert.deepEqual(
      blip.map(([status]) => status),
      ["fail"],
    );
    assert.match(
      String(blip[0]?.[2]),
      /^03:10:04: alice@contoso\.com changed nsg-web \(nsg-web: security rule deny-lb-probe added .*\); 56 s later 10\.0\.0\.4 \(vm1\) went down \(DipAvailability 0 at 03:11\) and 1 more member after it\./,
    );
  });

  it("a change made while the member was down, followed by it coming back up and a drop: no candidate (most often the fix)", async () => {
    // down 03:00–03:10, up 03:11–03:19, down from 03:20; the change at 03:10:30, inside the down 03:10 sample
    const back = minutes(`${"D".repeat(11)}${"U".repeat(9)}${"D".repeat(20)}`, 0);
    assert.deepEqual(
      (await rule(time([change("c", at(10, 30))], [series(back)]))).map(([status, key]) => [status, key]),
      [["pass", undefined]],
    );
    // a nearer change made while it was up: that one
    assert.deepEqual(
      (await rule(time([change("c", at(10, 30)), change("near", at(15))], [series(back)]))).map(([status, key]) => [status, key]),
      [["fail", "change:near"]],
    );
    // down at the change and after it to the end, or up again after it for good: nothing to say of it
    for (const p of ["D".repeat(40), `${"D".repeat(11)}${"U".repeat(29)}`])
      assert.deepEqual(await rule(time([change("c", at(10, 30))], [series(minutes(p, 0))])), [["pass", undefined, NONE]], p);
  });

  it("a change made while the member was down is no rival of one made while it was up; a gap it came back up in says nothing of it", async () => {
    // down to 03:10, up 03:11, down from 03:12: a at 03:10:30 (down), b at 03:11:30 (up): b alone
    const close = await rule(
      time([change("a", at(10, 30)), change("b", at(11, 30))], [series(minutes(`${"D".repeat(11)}U${"D".repeat(20)}`, 0))]),
    );
    assert.deepEqual(
      close.map(([status, key]) => [status, key]),
      [["fail", "change:b"]],
    );
    // down at 03:10 (a at 03:10:30), no sample 03:11–03:14, up 03:15–03:24 (b at 03:20), down from 03:25: b, and no
    // unknown for a (it came back up in the gap, and b is nearer the drop)
    assert.deepEqual(
      (
        await rule(
          time(
            [change("a", at(10, 30)), change("b", at(20))],
            [series([...minutes("D".repeat(11), 0), ...minutes(`${"U".repeat(10)}${"D".repeat(10)}`, 15)])],
          ),
        )
      ).map(([status, key]) => [status, key]),
      [["fail", "change:b"]],
    );
  });

  it("a change made before the member joined is no rival of one made after, too close to the same drop", async () => {
    // joined at 03:11, up then, down from 03:12: a at 03:10:30 (before it joined), b at 03:11:30
    const s = series(minutes(`U${"D".repeat(20)}`, 11), "vm1", { since: at(11) });
    assert.deepEqual(await rule(time([change("a", at(10, 30)), change("b", at(11, 30))], [s])), [
      [
        "fail",
        "change:b",
        "03:11:30: b changed nsg (b changed nsg); 30 s later vm1 went down (DipAvailability 0 at 03:12). Before → after: not recorded by the source.",
      ],
    ]);
  });

  it("a change within one interval before the series' first sample: the samples follow it; one interval or more before it: the gap the series starts with", async () => {
    const lateUp = minutes("U".repeat(40), 20);
    assert.deepEqual(await rule(time([change("c", "2026-03-14T03:19:59.600Z")], [series(lateUp)])), [["pass", undefined, NONE]]);
    // followed by one sample only: too soon for a drop to show, as at the end of any series
    assert.deepEqual(await rule(time([change("c", "2026-03-14T03:19:59.600Z")], [series(minutes("U", 20))])), [
      [
        "unknown",
        "change:c",
        "03:19:59: c changed nsg (c changed nsg), but what vm1 did after it is unknown: the DipAvailability samples end 60 s after it (the last, at 03:20, was up), too soon for a drop to show: a member counts as down only after several failed health probes. Whether this change broke it, the samples cannot tell.",
      ],
    ]);
    assert.deepEqual(await rule(time([change("c", at(19))], [series(lateUp)])), [
      [
        "unknown",
        "change:c",
        "03:19: c changed nsg (c changed nsg), but what vm1 did after it is unknown: no DipAvailability sample before it, nor in the 60 s after it (the first, at 03:20, was up), a gap in which vm1 may have gone down and come back up. Whether this change broke it, the samples cannot tell.",
      ],
    ]);
  });

  it("members unknown in different ways: 'the same' only for those of the first one's kind, each other kind named (at most three)", async () => {
    const vm1 = series(minutes("U".repeat(40), 20), "vm1");
    // vm2: up 03:00–03:03, down at 03:04, no sample 03:05–03:29, down from 03:30
    const vm2 = series([...minutes("UUUUD", 0), ...minutes("D".repeat(10), 30)], "vm2");
    assert.deepEqual(await rule(time([change("c", at(15))], [vm1, vm2])), [
      [
        "unknown",
        "change:c",
        "03:15: c changed nsg (c changed nsg), but what vm1 did after it is unknown: no DipAvailability sample before it, nor in the 5 min after it (the first, at 03:20, was up), a gap in which vm1 may have gone down and come back up; for vm2, no DipAvailability sample in the 11 min before it (the last, at 03:04, was down), and at 03:30 it was down. Whether this change broke it, the samples cannot tell.",
      ],
    ]);
    assert.deepEqual(await rule(time([change("c", at(15))], [vm2, vm1])), [
      [
        "unknown",
        "change:c",
        "03:15: c changed nsg (c changed nsg), but whether vm2 was up then is unknown: no DipAvailability sample in the 11 min before it (the last, at 03:04, was down); at 03:30 it was down; for vm1, no DipAvailability sample before it, nor in the 5 min after it (the first, at 03:20, was up), a gap in which it may have gone down and come back up. Whether this change broke it, the samples cannot tell.",
      ],
    ]);
    // six ways: the series' start (vm1, vm6), down after a stale sample (vm2), a gap (vm3), no sample after (vm4), too
    // few after (vm5), none in the window (vm7)
    const many = time(
      [change("c", at(14, 30))],
      [
        vm1,
        vm2,
        series([...minutes("U".repeat(11), 0), ...minutes("U".repeat(40), 20)], "vm3"),
        series(minutes("UUUUUU", 0), "vm4"),
        series(minutes("U".repeat(15), 1), "vm5"),
        series(minutes("U".repeat(40), 20), "vm6"),
      ],
      [{ series: series([], "vm7") }],
    );
    assert.deepEqual(await rule(many), [
      [
        "unknown",
        "change:c",
        "03:14:30: c changed nsg (c changed nsg), but what vm1 did after it is unknown: no DipAvailability sample before it, nor in the 6 min after it (the first, at 03:20, was up), a gap in which vm1 may have gone down and come back up; the same for 1 more member; for vm2, no DipAvailability sample in the 11 min before it (the last, at 03:04, was down), and at 03:30 it was down; for vm3, no DipAvailability sample between 03:10 (up) and 03:20 (up), a gap in which it may have gone down and come back up; for vm4, no DipAvailability sample after it (the last, at 03:05, was up); and 2 more members. Whether this change broke it, the samples cannot tell.",
      ],
    ]);
    // two of one other kind: named once, with how many more
    const two = time(
      [change("c", at(15))],
      [vm1, vm2, { ...vm2, key: "vm8", label: "vm8", resourceId: "nic-vm8", pointer: "/series/vm8" }],
    );
    assert.match(String((await rule(two))[0]?.[2]), /; for vm2, .*, and at 03:30 it was down \(the same for 1 more member\)\. Whether/);
  });

  it("a series' since and until: a change made before the member joined or once it had left is nothing for it", async () => {
    const lateUp = minutes("U".repeat(40), 20);
    const joined = series(lateUp, "vm1", { since: at(18) });
    assert.deepEqual(await rule(time([change("c", at(10))], [joined])), [["pass", undefined, NONE]]);
    // down at its first sample: no unknown either, nor a candidate for a later drop
    assert.deepEqual(
      await rule(time([change("c", at(10))], [series(minutes(`D${"U".repeat(9)}${"D".repeat(30)}`, 20), "vm1", { since: at(18) })])),
      [["pass", undefined, NONE]],
    );
    // made at or after it joined: the gap the series starts with, as before
    assert.deepEqual(
      (await rule(time([change("c", at(18))], [joined]))).map(([status, key]) => [status, key]),
      [["unknown", "change:c"]],
    );
    // left at 03:20 (samples to 03:19): a change from then on is nothing for it; one before, too soon for a drop to show
    const left = series(minutes("U".repeat(20), 0), "vm1", { until: at(20) });
    assert.deepEqual(await rule(time([change("c", at(20))], [left])), [["pass", undefined, NONE]]);
    assert.deepEqual(
      (await rule(time([change("c", at(18, 30))], [left]))).map(([status, key]) => [status, key]),
      [["unknown", "change:c"]],
    );
    assert.deepEqual(
      (await rule(time([change("c", at(20))], [series(minutes("U".repeat(20), 0))]))).map(([status, key]) => [status, key]),
      [["unknown", "change:c"]],
      "with no until, no sample after the change is unknown",
    );
  });

  const azure = async (o: {
    dip: Record<string, string>;
    changes: Array<import("./support/time-builder.ts").ChangeSpec>;
    collectedAt?: string;
    scenario?: (s: import("./support/azure-builder.ts").AzureScenario) => import("./support/azure-builder.ts").AzureScenario;
    edit?: (s: import("../src/providers/azure/wire-types.ts").AzureSnapshot) => void;
  }) => {
    const { buildAzureModel } = await import("../src/providers/azure/model.ts");
    const { runCatalog } = await import("./support/catalog.ts");
    const { healthyWeb, ids, WEB_LB } = await import("./support/azure-builder.ts");
    const { azureMetricBodies, upDown, withAzureTime } = await import("./support/time-builder.ts");
    const { T0, WINDOW } = await import("./support/time-scenarios.ts");
    const web = o.scenario ? o.scenario(healthyWeb()) : healthyWeb();
    const dip = Object.fromEntries(Object.entries(o.dip).map(([ip, p]) => [ip, upDown(p)]));
    const snap = withAzureTime(web.build(o.collectedAt ?? "2026-03-14T04:00:00Z"), {
      window: WINDOW,
      metrics: { [ids.lb(WEB_LB)]: azureMetricBodies(ids.lb(WEB_LB), { from: T0, dip }) },
      changes: o.changes,
      activity: [],
    });
    o.edit?.(snap);
    const model = buildAzureModel(snap);
    const time = model.time as NonNullable<typeof model.time>;
    return {
      time,
      findings: runCatalog(model, "azure")
        .filter((f) => f.ruleId === "azure/change-before-failure")
        .map((f) => [f.status, f.message]),
    };
  };

  it("Azure scale-out: vm2's samples start at 03:30, its pool entry inserted at 03:29:30 as recorded: the 03:10 change is nothing for it; with no recorded addition, unknown", async () => {
    const { ids, WEB_LB, WEB_NSG } = await import("./support/azure-builder.ts");
    const { NSG_CHANGE, steady } = await import("./support/time-scenarios.ts");
    const { nsgRuleInserted } = await import("./support/time-builder.ts");
    const allow = {
      ...NSG_CHANGE,
      changes: nsgRuleInserted(ids.nsg(WEB_NSG), 2, {
        name: "allow-8080",
        priority: 300,
        access: "Allow",
        source: "10.0.0.0/8",
        ports: "8080",
      }),
    };
    const joinedAt = (time: string) => ({
      target: ids.nic("vm2-nic"),
      time,
      who: "bob@contoso.com",
      changes: {
        "properties.ipConfigurations[0].properties.loadBalancerBackendAddressPools[0].id": {
          after: ids.pool(WEB_LB, "pool-web"),
          type: "Insert" as const,
        },
      },
    });
    // vm2's minutes before 03:30 have no value, as metrics.list returns a minute it has no data for
    const noValueBefore330 = (s: import("../src/providers/azure/wire-types.ts").AzureSnapshot) => {
      for (const body of Object.values(s.observations?.metrics ?? {}).flat())
        for (const m of body.value ?? [])
          for (const ts of m.timeseries ?? [])
            for (const d of (ts.data ?? []) as Array<Record<string, unknown>>)
              if (
                Date.parse(String(d.timeStamp)) < Date.parse("2026-03-14T03:30:00Z") &&
                ts.metadatavalues?.some((v) => v.value === "10.0.0.5")
              )
                delete d.average;
    };
    const run = (changes: Array<import("./support/time-builder.ts").ChangeSpec>) =>
      azure({ dip: { "10.0.0.4": steady(), "10.0.0.5": steady() }, changes, edit: noValueBefore330 });
    const none = await run([allow]);
    assert.deepEqual(none.findings, [
      [
        "unknown",
        "03:10:04: alice@contoso.com changed nsg-web (nsg-web: security rule allow-8080 added (Allow Inbound Tcp 8080 10.0.0.0/8 priority 300)), but what 10.0.0.5 (vm2) did after it is unknown: no DipAvailability sample before it, nor in the 20 min after it (the first, at 03:30, was up), a gap in which 10.0.0.5 (vm2) may have gone down and come back up. Whether this change broke it, the samples cannot tell.",
      ],
    ]);
    const joined = await run([allow, joinedAt("2026-03-14T03:29:30Z")]);
    assert.deepEqual(
      joined.time.series.map((s) => [s.label, s.since]),
      [
        ["10.0.0.4 (vm1)", undefined],
        ["10.0.0.5 (vm2)", "2026-03-14T03:29:30Z"],
      ],
    );
    assert.deepEqual(joined.findings, [
      ["pass", "No change in the window 02:30 – 04:00 preceded a health drop (2 changes read, 2 health series)."],
    ]);
    // recorded at 03:31, after its first sample: the samples show it there before; the addition says nothing of when it joined
    const contradicted = await run([allow, joinedAt("2026-03-14T03:31:00Z")]);
    assert.equal(contradicted.time.series[1]?.since, undefined);
    assert.deepEqual(
      contradicted.findings.map(([status]) => status),
      ["unknown"],
    );
    // joined at 03:05, before the change: the change is unknown for it, as before
    const early = await run([joinedAt("2026-03-14T03:05:00Z"), allow]);
    assert.equal(early.findings.length, 2);
    assert.match(String(early.findings[1]?.[1]), /^03:10:04: .*no DipAvailability sample before it, nor in the 20 min after it/);
  });

  it("Azure scale-in: 10.0.0.9, in no pool now, its samples ending at 03:19 (down, or up): a change at 03:50 is nothing for it; pools read hours later, or a member's address unknown, leave it unknown", async () => {
    const { ids, WEB_LB } = await import("./support/azure-builder.ts");
    const { steady } = await import("./support/time-scenarios.ts");
    const idle = (time: string) => ({
      target: ids.lb(WEB_LB),
      time,
      who: "bob@contoso.com",
      changes: { "properties.loadBalancingRules[0].properties.idleTimeoutInMinutes": { before: 4, after: 10 } },
    });
    const PASS = "No change in the window 02:30 – 04:00 preceded a health drop (1 change read, 3 health series).";
    for (const [p, state] of [
      [`${"U".repeat(45)}${"D".repeat(5)}`, "down"],
      ["U".repeat(50), "up"],
    ] as const) {
      const dip = { "10.0.0.4": steady(), "10.0.0.5": steady(), "10.0.0.9": p };
      const gone = await azure({ dip, changes: [idle("2026-03-14T03:50:00Z")] });
      assert.deepEqual(
        gone.time.series.map((s) => [s.label, s.until]),
        [
          ["10.0.0.4 (vm1)", undefined],
          ["10.0.0.5 (vm2)", undefined],
          ["10.0.0.9", "2026-03-14T03:20:00Z"],
        ],
      );
      assert.deepEqual(gone.findings, [["pass", PASS]], state);
      const late = await azure({ dip, changes: [idle("2026-03-14T03:50:00Z")], collectedAt: "2026-03-14T07:00:00Z" });
      assert.equal(late.time.series[2]?.until, undefined);
      assert.deepEqual(late.findings, [
        [
          "unknown",
          `03:50: bob@contoso.com changed lb-web (lb-web: properties.loadBalancingRules[0].properties.idleTimeoutInMinutes: 4 → 10), but what 10.0.0.9 did after it is unknown: no DipAvailability sample after it (the last, at 03:19, was ${state}). Whether this change broke it, the samples cannot tell.`,
        ],
      ]);
    }
    // vm2's NIC not read: its address may be 10.0.0.9
    const unread = await azure({
      dip: { "10.0.0.4": steady(), "10.0.0.9": "U".repeat(50) },
      changes: [idle("2026-03-14T03:50:00Z")],
      scenario: (s) => s.remove(ids.nic("vm2-nic")),
    });
    assert.equal(unread.time.series.find((s) => s.label === "10.0.0.9")?.until, undefined);
    assert.deepEqual(
      unread.findings.map(([status]) => status),
      ["unknown"],
    );
    // a change at 03:18:30, up then: the samples end too soon after it for a drop to show
    const soon = await azure({
      dip: { "10.0.0.4": steady(), "10.0.0.5": steady(), "10.0.0.9": "U".repeat(50) },
      changes: [idle("2026-03-14T03:18:30Z")],
    });
    assert.match(
      String(soon.findings[0]?.[1]),
      /but what 10\.0\.0\.9 did after it is unknown: the DipAvailability samples end 90 s after it/,
    );
  });
});

describe("a change made while the member was down, one made while it was already flapping, and when an Azure member left or joined", () => {
  const at = (m: number, s = 0) => new Date(Date.UTC(2026, 2, 14, 3, m, s)).toISOString();
  /** one sample a minute from 03:`from`, `U` up and `D` down */
  const minutes = (p: string, from: number) => [...p].map((c, i) => ({ t: at(from + i), up: c === "U", value: c === "U" ? 100 : 0 }));
  const series = (points: Array<{ t: string; up: boolean; value: number }>) => ({
    key: "vm1",
    resourceId: "nic-vm1",
    label: "vm1",
    loadBalancerId: "lb",
    metric: "DipAvailability",
    path: ["lb", "nic-vm1", "nsg"],
    pointer: "/series/vm1",
    rule: "",
    step: 60_000,
    points,
  });
  const change = (id: string, time: string) => ({
    id,
    time,
    resourceId: "nsg",
    resourceName: "nsg",
    operation: "write",
    kind: "update" as const,
    who: id,
    properties: [],
    summary: `${id} changed nsg`,
    revert: [],
    source: "test",
    pointer: `/changes/${id}`,
  });
  const time = (changes: Array<ReturnType<typeof change>>, list: Array<ReturnType<typeof series>>, until = "2026-03-14T04:00:00Z") => ({
    window: { from: "2026-03-14T03:00:00Z", until },
    spikes: [],
    missing: [],
    series: list,
    changes,
  });
  const rule = async (t: ReturnType<typeof time>) => {
    const { CHANGE_MESSAGES } = await import("../src/core/timeline/checks.ts");
    const out: Array<{ status: string; key?: string; messageId?: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time: t }, report: (f: (typeof out)[number]) => out.push(f) } as never, [{ id: "lb", name: "lb" }]);
    return out.map((f) => [
      f.status,
      f.key,
      (CHANGE_MESSAGES[f.messageId as keyof typeof CHANGE_MESSAGES] ?? "").replace(/\{\{(\w+)\}\}/g, (_, k: string) =>
        String(f.data?.[k] ?? ""),
      ),
    ]);
  };
  const azure = async (o: {
    dip: Record<string, string>;
    changes: Array<import("./support/time-builder.ts").ChangeSpec>;
    activity?: Array<Parameters<typeof import("./support/time-builder.ts").activityEvent>[0]>;
    scenario?: (s: import("./support/azure-builder.ts").AzureScenario) => import("./support/azure-builder.ts").AzureScenario;
  }) => {
    const { buildAzureModel } = await import("../src/providers/azure/model.ts");
    const { runCatalog } = await import("./support/catalog.ts");
    const { healthyWeb, ids, WEB_LB } = await import("./support/azure-builder.ts");
    const { azureMetricBodies, upDown, withAzureTime } = await import("./support/time-builder.ts");
    const { T0, WINDOW } = await import("./support/time-scenarios.ts");
    const web = o.scenario ? o.scenario(healthyWeb()) : healthyWeb();
    const dip = Object.fromEntries(Object.entries(o.dip).map(([ip, p]) => [ip, upDown(p)]));
    const snap = withAzureTime(web.build("2026-03-14T04:00:00Z"), {
      window: WINDOW,
      metrics: { [ids.lb(WEB_LB)]: azureMetricBodies(ids.lb(WEB_LB), { from: T0, dip }) },
      changes: o.changes,
      activity: o.activity ?? [],
    });
    // `.` in a pattern: the metric answered that minute with no value
    for (const body of Object.values(snap.observations?.metrics ?? {}).flat() as Array<{ value?: unknown[] }>)
      for (const m of (body.value ?? []) as Array<{ name: { value: string }; timeseries?: unknown[] }>)
        for (const ts of (m.timeseries ?? []) as Array<{
          metadatavalues?: Array<{ name?: { value?: string }; value?: string }>;
          data: Array<{ timeStamp: string }>;
        }>) {
          const ip = ts.metadatavalues?.find((v) => v.name?.value === "BackendIPAddress")?.value ?? "";
          const p = o.dip[ip];
          if (!p || m.name.value !== "DipAvailability") continue;
          ts.data = ts.data.map((d, i) => (p[i] === "." ? { timeStamp: d.timeStamp } : d));
        }
    const model = buildAzureModel(snap);
    const t = model.time as NonNullable<typeof model.time>;
    return {
      time: t,
      findings: runCatalog(model, "azure")
        .filter((f) => f.ruleId === "azure/change-before-failure")
        .map((f) => [f.status, f.message]),
    };
  };
  const NONE = "No change in the window 03:00 – 04:00 preceded a health drop (1 change read, 1 health series).";

  it("a change made while the member was down (the fix), followed by it coming back up and a drop much later: nothing for it", async () => {
    // down 03:00–03:10 (the deny rule), the fix at 03:10:30, up 03:11–03:48, the app crashes at 03:49
    assert.deepEqual(
      await rule(time([change("fix", at(10, 30))], [series(minutes(`${"D".repeat(11)}${"U".repeat(38)}${"D".repeat(11)}`, 0))])),
      [["pass", undefined, NONE]],
    );
    // the drop 11 h later
    const pts = minutes(`${"D".repeat(11)}${"U".repeat(49)}`, 0);
    for (let h = 1; h < 12; h++)
      for (let m = 0; m < 60; m++) {
        const up = h < 11 || m < 30;
        pts.push({ t: new Date(Date.UTC(2026, 2, 14, 3 + h, m)).toISOString(), up, value: up ? 100 : 0 });
      }
    assert.deepEqual(
      (await rule(time([change("fix", at(10, 30))], [series(pts)], "2026-03-14T15:00:00Z"))).map(([status]) => status),
      ["pass"],
    );
    // a change in the up minute right after one down minute (a blip), then down for good: still the cause
    assert.deepEqual(
      (await rule(time([change("deny", at(11, 30))], [series(minutes(`${"U".repeat(10)}DU${"D".repeat(48)}`, 0))]))).map(
        ([status, key]) => [status, key],
      ),
      [["fail", "change:deny"]],
    );
  });

  it("a change in an up minute of a member already flapping: unknown, never a cause; one down minute before it (a blip) is no flapping", async () => {
    // up and down every minute from 03:00; the change at 03:10:04, inside the up 03:10 sample, down at 03:11
    assert.deepEqual(await rule(time([change("allow", at(10, 4))], [series(minutes("UD".repeat(30), 0))])), [
      [
        "unknown",
        "change:allow",
        "03:10:04: allow changed nsg (allow changed nsg), but what vm1 did after it is unknown: vm1 was already flapping (6 transitions in the 5 min before it), so a drop after it may be one more of its own. Whether this change broke it, the samples cannot tell.",
      ],
    ]);
    // up two minutes, down one: two recoveries in the 5 min before the change
    assert.deepEqual(
      (await rule(time([change("allow", at(10, 4))], [series(minutes("UUD".repeat(20), 0))]))).map(([status]) => status),
      ["unknown"],
    );
    // one recovery (down 03:06, up again), then down for good after the change: the change is the cause
    assert.deepEqual(
      (await rule(time([change("deny", at(10, 4))], [series(minutes(`${"U".repeat(6)}D${"U".repeat(4)}${"D".repeat(49)}`, 0))]))).map(
        ([status, key]) => [status, key],
      ),
      [["fail", "change:deny"]],
    );
  });

  it("Azure: vm1 flapping all window, a harmless rule added in an up minute: unknown; the blip before a deny rule: still the fail", async () => {
    const { ids, WEB_NSG } = await import("./support/azure-builder.ts");
    const { NSG_CHANGE, steady } = await import("./support/time-scenarios.ts");
    const { nsgRuleInserted } = await import("./support/time-builder.ts");
    const allow = {
      ...NSG_CHANGE,
      time: "2026-03-14T03:10:04Z",
      changes: nsgRuleInserted(ids.nsg(WEB_NSG), 2, {
        name: "allow-8080",
        priority: 300,
        access: "Allow",
        source: "10.0.0.0/8",
        ports: "8080",
      }),
    };
    const flap = await azure({ dip: { "10.0.0.4": "UUD".repeat(30), "10.0.0.5": "U".repeat(90) }, changes: [allow] });
    assert.equal(flap.findings.length, 1);
    assert.equal(flap.findings[0]?.[0], "unknown");
    assert.match(
      String(flap.findings[0]?.[1]),
      /what 10\.0\.0\.4 \(vm1\) did after it is unknown: 10\.0\.0\.4 \(vm1\) was already flapping \(4 transitions in the 5 min before it\)/,
    );
    const blip = await azure({
      dip: { "10.0.0.4": `${"U".repeat(39)}DU${"D".repeat(49)}`, "10.0.0.5": steady() },
      changes: [{ ...NSG_CHANGE, time: "2026-03-14T03:10:04Z" }],
    });
    assert.deepEqual(
      blip.findings.map(([status]) => status),
      ["fail"],
    );
  });

  it("Azure: vm2 deallocated at 03:20 (recorded), its samples ending at 03:19: a change at 03:40 is nothing for it", async () => {
    const { ids, WEB_LB } = await import("./support/azure-builder.ts");
    const { steady } = await import("./support/time-scenarios.ts");
    const idle = {
      target: ids.lb(WEB_LB),
      time: "2026-03-14T03:40:00Z",
      who: "bob@contoso.com",
      changes: { "properties.loadBalancingRules[0].properties.idleTimeoutInMinutes": { before: 4, after: 10 } },
    };
    const stop = {
      resourceId: ids.vm("vm2"),
      time: "2026-03-14T03:20:00Z",
      operation: "Microsoft.Compute/virtualMachines/deallocate/action",
      caller: "ops@contoso.com",
    };
    const r = await azure({
      dip: { "10.0.0.4": steady(), "10.0.0.5": "U".repeat(50) },
      changes: [idle],
      activity: [stop],
      scenario: (s) => s.power("vm2", "deallocated"),
    });
    assert.equal(r.time.series.find((s) => s.label === "10.0.0.5 (vm2)")?.until, "2026-03-14T03:20:00Z");
    assert.deepEqual(
      r.findings.map(([status]) => status),
      ["pass"],
    );
    // running now: no until, and the change after its last sample is unknown
    const running = await azure({ dip: { "10.0.0.4": steady(), "10.0.0.5": "U".repeat(50) }, changes: [idle], activity: [stop] });
    assert.equal(running.time.series.find((s) => s.label === "10.0.0.5 (vm2)")?.until, undefined);
    assert.ok(running.findings.some(([status]) => status === "unknown"));
  });

  it("Azure: vm2's address inserted into another pool at 03:29:30 is no addition to its own pool: the 03:10 change before its first sample stays unknown", async () => {
    const { ids, WEB_LB } = await import("./support/azure-builder.ts");
    const nsgAttach = {
      target: ids.nic("vm2-nic"),
      time: "2026-03-14T03:10:00Z",
      who: "bob@contoso.com",
      changes: { "properties.networkSecurityGroup.id": { before: null, after: ids.nsg("nsg-locked") } },
    };
    const insert = (pool: number) => ({
      target: ids.lb(WEB_LB),
      time: "2026-03-14T03:29:30Z",
      who: "carol@contoso.com",
      changes: {
        [`properties.backendAddressPools[${pool}].properties.loadBalancerBackendAddresses[0].properties.ipAddress`]: {
          after: "10.0.0.5",
          type: "Insert" as const,
        },
      },
    });
    const dip = { "10.0.0.4": "U".repeat(90), "10.0.0.5": `${".".repeat(60)}${"U".repeat(30)}` };
    const other = await azure({ dip, changes: [nsgAttach, insert(1)] });
    assert.equal(other.time.series.find((s) => s.label === "10.0.0.5 (vm2)")?.since, undefined);
    assert.deepEqual(
      other.findings.map(([status]) => status),
      ["unknown"],
    );
    assert.match(String(other.findings[0]?.[1]), /^03:10: bob@contoso\.com changed vm2-nic /);
    // the same insert into its own pool (index 0): it joined then, and the 03:10 change is nothing for it
    const own = await azure({ dip, changes: [nsgAttach, insert(0)] });
    assert.equal(own.time.series.find((s) => s.label === "10.0.0.5 (vm2)")?.since, "2026-03-14T03:29:30Z");
  });

  it("Azure: 10.0.0.9's samples end in a gap at 03:29, its removal recorded at 03:55: gone from 03:55, so a change at 03:40 is unknown for it", async () => {
    const { ids, WEB_LB } = await import("./support/azure-builder.ts");
    const { steady } = await import("./support/time-scenarios.ts");
    const edit = {
      target: ids.lb(WEB_LB),
      time: "2026-03-14T03:40:00Z",
      who: "bob@contoso.com",
      changes: {
        "properties.backendAddressPools[0].properties.loadBalancerBackendAddresses[0].properties.virtualNetwork.id": {
          before: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-web",
          after: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-old",
        },
      },
    };
    const removed = {
      target: ids.lb(WEB_LB),
      time: "2026-03-14T03:55:00Z",
      who: "bob@contoso.com",
      changes: {
        "properties.backendAddressPools[0].properties.loadBalancerBackendAddresses[0].properties.ipAddress": {
          before: "10.0.0.9",
          type: "Remove" as const,
        },
      },
    };
    const dip = { "10.0.0.4": steady(), "10.0.0.5": steady(), "10.0.0.9": `${"U".repeat(60)}${".".repeat(30)}` };
    const r = await azure({ dip, changes: [edit, removed] });
    assert.equal(r.time.series.find((s) => s.label === "10.0.0.9")?.until, "2026-03-14T03:55:00Z");
    assert.deepEqual(
      r.findings.map(([status]) => status),
      ["unknown"],
    );
    assert.match(
      String(r.findings[0]?.[1]),
      /^03:40: bob@contoso\.com changed lb-web .*what 10\.0\.0\.9 did after it is unknown: no DipAvailability sample after it/,
    );
    // no recorded removal: the samples end in a gap (no value after 03:29), which dates no departure
    const gap = await azure({ dip, changes: [edit] });
    assert.equal(gap.time.series.find((s) => s.label === "10.0.0.9")?.until, undefined);
    assert.deepEqual(
      gap.findings.map(([status]) => status),
      ["unknown"],
    );
  });
});
