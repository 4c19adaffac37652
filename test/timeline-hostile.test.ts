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

  it("so is one made seconds before the first sample; one inside the first sample's interval, or a tag change, passes", async () => {
    assert.deepEqual(
      (await rule(time([change("edge", "2026-03-14T03:19:30Z")], lateUp))).map((f) => [f.status, f.text.match(/nor in the [^(]+/)?.[0]]),
      [["unknown", "nor in the 30 s after it "]],
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
