import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { orderFindings } from "../src/core/engine/run.ts";
import { buildTimeline, changeImpacts, firstDropAfter, transitions } from "../src/core/timeline/analyze.ts";
import type { HealthSeries } from "../src/core/timeline/types.ts";
import { parseDuration, resolveWindow } from "../src/core/timeline/window.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import { ids } from "./support/azure-builder.ts";
import { runCatalog } from "./support/catalog.ts";
import { fixture, lbdoctor, ROOT } from "./support/cli.ts";
import { withoutAzureSamples } from "./support/time-builder.ts";
import { dropAt, NSG_CHANGE, nsgChangeIncident, webWithTime } from "./support/time-scenarios.ts";

const series = (pattern: string): HealthSeries => ({
  key: "m",
  resourceId: "m",
  label: "m",
  loadBalancerId: "lb",
  metric: "DipAvailability",
  path: ["nsg"],
  pointer: "/x",
  rule: "",
  points: [...pattern].map((c, i) => ({
    t: new Date(Date.UTC(2026, 2, 14, 3, i)).toISOString(),
    up: c === "U",
    value: c === "U" ? 100 : 0,
  })),
});

describe("time analysis", () => {
  it("counts transitions and finds the first drop after a time", () => {
    const s = series("UUDDUUD");
    assert.equal(transitions(s).length, 3);
    assert.equal(firstDropAfter(s, "2026-03-14T03:00:30Z")?.t, "2026-03-14T03:02:00.000Z");
    assert.equal(firstDropAfter(s, "2026-03-14T03:03:00Z")?.t, "2026-03-14T03:06:00.000Z", "already down at the time: the next drop");
  });

  it("links a change to the drop that followed it on a member's path, never one before it", () => {
    const s = series("UUUUDDDD");
    const change = {
      id: "c",
      resourceId: "nsg",
      resourceName: "nsg",
      operation: "write",
      kind: "update" as const,
      properties: [],
      summary: "",
      revert: [],
      source: "test",
      pointer: "/c",
    };
    const window = { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" };
    const before = changeImpacts({ window, series: [s], spikes: [], missing: [], changes: [{ ...change, time: "2026-03-14T03:02:10Z" }] });
    assert.equal(before.length, 1);
    assert.equal(before[0]?.drops[0]?.at.t, "2026-03-14T03:04:00.000Z");
    const after = changeImpacts({ window, series: [s], spikes: [], missing: [], changes: [{ ...change, time: "2026-03-14T03:05:00Z" }] });
    assert.equal(after.length, 0, "a change made while the member was down did not start the outage");
    const elsewhere = changeImpacts({
      window,
      series: [s],
      spikes: [],
      missing: [],
      changes: [{ ...change, resourceId: "other", time: "2026-03-14T03:02:10Z" }],
    });
    assert.equal(elsewhere.length, 0);
  });

  it("parses windows and refuses bad ones", () => {
    assert.equal(parseDuration("1h30m"), 90 * 60_000);
    assert.throws(() => parseDuration("6 hours"), /duration/);
    const now = new Date("2026-03-14T04:00:30Z");
    assert.deepEqual(resolveWindow({}, now), { from: "2026-03-13T22:00:00Z", until: "2026-03-14T04:01:00Z" });
    assert.deepEqual(resolveWindow({ windowFrom: "2026-03-14T02:30:00Z", windowUntil: "2026-03-14T04:00:00Z" }, now), {
      from: "2026-03-14T02:30:00Z",
      until: "2026-03-14T04:00:00Z",
    });
    assert.throws(() => resolveWindow({ since: "15d" }, now), /14 days/);
    assert.throws(() => resolveWindow({ since: "1h", windowFrom: "2026-03-14T02:30:00Z" }, now), /either/);
    assert.throws(() => resolveWindow({ windowFrom: "yesterday" }, now), /RFC 3339/);
  });

  it("ranks the change first, then the cause it explains, then the symptoms", () => {
    const model = buildAzureModel(nsgChangeIncident());
    const fails = orderFindings(runCatalog(model, "azure")).filter((f) => f.status === "fail");
    assert.deepEqual(
      fails.map((f) => f.ruleId),
      [
        "azure/change-before-failure",
        "azure/probe-blocked-by-nsg",
        "azure/probe-blocked-by-nsg",
        "azure/backend-unhealthy",
        "azure/backend-unhealthy",
      ],
    );
    const change = fails[0];
    assert.ok(
      change?.relatedTo.some((r) => r.ruleId === "azure/probe-blocked-by-nsg" && r.relation === "explains"),
      "linked through the NSG in the evidence",
    );
  });
});

describe("lbdoctor timeline", () => {
  it("tells the incident in time order with the likely cause, who, before → after and the revert", () => {
    const r = lbdoctor(["timeline", "--snapshot", fixture("nsg-change-probe-down")]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    assert.ok(at(/03:10:04 change .*deny-lb-probe added .*by alice@contoso\.com .*likely cause/) > 0, r.stdout);
    assert.ok(at(/03:10:04 change/) < at(/03:12 +health +10\.0\.0\.4 \(vm1\) went down/), "the change comes before the drop");
    assert.match(
      r.stdout,
      /revert: \$ az network nsg rule delete -g ra-multi-vm-rg --nsg-name nsg-web -n deny-lb-probe --subscription 00000000-0000-0000-0000-0000000000aa$/m,
    );
    assert.match(r.stdout, /properties\.securityRules\[2\]\.properties\.access: \(none\) → Deny/);
    assert.doesNotMatch(r.stdout, /provisioningState/, "system-only changes are left out");
  });

  it("puts the same data in the JSON report (schema-valid) and the Markdown", () => {
    const j = lbdoctor(["timeline", "--snapshot", fixture("nsg-change-probe-down"), "--format", "json"]);
    assert.equal(j.code, 0, j.stderr);
    const report = JSON.parse(j.stdout) as { timeline: { entries: Array<{ likelyCause?: boolean; who?: string }>; members: unknown[] } };
    const schema = JSON.parse(readFileSync(join(ROOT, "docs/schema/report.v1.schema.json"), "utf8"));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
    const cause = report.timeline.entries.find((e) => e.likelyCause);
    assert.equal(cause?.who, "alice@contoso.com");
    assert.equal(report.timeline.members.length, 2);
    const md = lbdoctor(["check", "--snapshot", fixture("nsg-change-probe-down"), "--format", "markdown"]);
    assert.match(md.stdout, /### Timeline 2026-03-14T02:30:00Z/);
    assert.match(md.stdout, /\*\*likely cause:\*\* nsg-web: security rule deny-lb-probe added/);
  });

  it("timeline -f json writes passes as check does: a per-rule summary, in full with --include-passed; the same timeline either way", () => {
    for (const file of [fixture("nsg-change-probe-down"), join(ROOT, "fixtures/aws/sg-revoke-targets-unhealthy.json")]) {
      type R = {
        findings: Array<{ status: string; evidence: unknown[] }>;
        passed?: Array<{ ruleId: string; count: number; resourceIds: string[] }>;
        notApplicable?: unknown[];
        summary: { byStatus: Record<string, number>; rulesRun: number };
        rules: Array<{ id: string }>;
        timeline: unknown;
      };
      const run = (...extra: string[]) => {
        const r = lbdoctor(["timeline", "--snapshot", file, "--format", "json", ...extra]);
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout) as R;
      };
      const summary = run();
      const full = run("--include-passed");
      const check = JSON.parse(lbdoctor(["check", "--snapshot", file, "--no-config", "--format", "json"]).stdout) as R;
      assert.ok((full.summary.byStatus.pass ?? 0) > 0, "the scenario has passes");
      // default: no pass or not-applicable finding in full; the per-rule summary instead, as check writes it
      assert.deepEqual(
        summary.findings.filter((f) => f.status === "pass" || f.status === "not-applicable"),
        [],
      );
      assert.deepEqual(summary.passed, check.passed);
      assert.deepEqual(summary.notApplicable, check.notApplicable);
      assert.equal(
        summary.passed?.reduce((n, p) => n + p.count, 0),
        summary.summary.byStatus.pass,
      );
      // --include-passed: every pass in full with its evidence, and no summaries
      assert.equal(full.findings.filter((f) => f.status === "pass").length, full.summary.byStatus.pass);
      assert.equal(full.passed, undefined);
      assert.equal(full.notApplicable, undefined);
      assert.deepEqual(summary.summary, full.summary);
      assert.deepEqual(summary.timeline, full.timeline);
      // every rule that ran is listed, in both modes and as check lists them: a summary's ruleId resolves to its rule
      assert.equal(summary.rules.length, summary.summary.rulesRun);
      assert.deepEqual(summary.rules, full.rules);
      assert.deepEqual(summary.rules, check.rules);
      const listed = new Set(summary.rules.map((r) => r.id));
      for (const p of [...(summary.passed ?? []), ...((summary.notApplicable ?? []) as Array<{ ruleId: string }>)])
        assert.ok(listed.has(p.ruleId), p.ruleId);
    }
  });

  it("refuses a snapshot without time data and a bad window (exit 2)", () => {
    const r = lbdoctor(["timeline", "--snapshot", fixture("healthy-web")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /holds no time data/);
    const w = lbdoctor(["timeline", "rg", "--since", "forever"]);
    assert.equal(w.code, 2);
    assert.match(w.stderr, /--since takes a duration/);
  });
});

describe("a drop found after a gap in the metrics", () => {
  // both members up until 03:00, no DipAvailability sample from 03:01 to 03:11, down from 03:12; alice's NSG rule at
  // 03:10:04 falls in the gap, and a second NSG change at 03:14:30 comes after the first down sample
  const snapshot = withoutAzureSamples(
    webWithTime({
      broken: true,
      dip: { vm1: dropAt(42), vm2: dropAt(42) },
      changes: [
        NSG_CHANGE,
        {
          target: ids.nsg("nsg-web"),
          time: "2026-03-14T03:14:30Z",
          who: "mallory@contoso.com",
          correlationId: "0b6e1f7a-3333-4c3e-9a0f-000000000003",
          changes: { "properties.securityRules[0].properties.description": { before: "web", after: "web traffic" } },
        },
      ],
    }),
    "2026-03-14T03:01:00Z",
    "2026-03-14T03:12:00Z",
  );
  const file = join(mkdtempSync(join(tmpdir(), "lbdoctor-gap-drop-")), "gap.json");
  writeFileSync(file, JSON.stringify(snapshot));
  type Entry = { t: string; kind: string; label: string; text: string; who?: string; likelyCause?: boolean; from?: string };

  it("dates the drop between the last sample up and the first down, not at the first sample after the gap", () => {
    const r = lbdoctor(["timeline", "--snapshot", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ {2}03:12 {4}health {2}10\.0\.0\.4 \(vm1\) went down by 03:12 \(DipAvailability 0\), up at 03:00 \(no samples in between\)$/m,
    );
    assert.doesNotMatch(r.stdout, /went down \(DipAvailability 0\)$/m, "no drop dated at the first sample after the gap alone");
  });

  it("carries the interval in the JSON (schema-valid): from, the last sample up; t, the first down", () => {
    const j = lbdoctor(["timeline", "--snapshot", file, "--format", "json"]);
    assert.equal(j.code, 0, j.stderr);
    const report = JSON.parse(j.stdout) as { timeline: { entries: Entry[] } };
    const schema = JSON.parse(readFileSync(join(ROOT, "docs/schema/report.v1.schema.json"), "utf8"));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
    const drops = report.timeline.entries.filter((e) => e.kind === "health");
    assert.deepEqual(
      drops.map((e) => [e.label, e.from, e.t]),
      [
        ["10.0.0.4 (vm1)", "2026-03-14T03:00:00Z", "2026-03-14T03:12:00Z"],
        ["10.0.0.5 (vm2)", "2026-03-14T03:00:00Z", "2026-03-14T03:12:00Z"],
      ],
    );
  });

  it("a change inside the gap is a candidate (here the likely cause); one after the first down sample is none", () => {
    const j = lbdoctor(["timeline", "--snapshot", file, "--format", "json"]);
    const report = JSON.parse(j.stdout) as {
      findings: Array<{ ruleId: string; status: string; message: string }>;
      timeline: { entries: Entry[] };
    };
    const changes = report.timeline.entries.filter((e) => e.kind === "change");
    assert.deepEqual(
      changes.map((e) => [e.who, e.likelyCause ?? false]),
      [
        ["alice@contoso.com", true],
        ["mallory@contoso.com", false],
      ],
    );
    const mine = report.findings.filter((f) => f.ruleId === "azure/change-before-failure");
    assert.deepEqual(
      mine.map((f) => f.status),
      ["fail"],
      "alice's change only: mallory's was made after the members were down",
    );
    assert.match(
      mine[0]?.message ?? "",
      /in a gap in the metrics; 10\.0\.0\.4 \(vm1\) was down by 03:12, 2 min after it \(DipAvailability 0; up at 03:00, no samples in between: it may have gone down before this change\)/,
    );
  });
});

describe("a transition found after a gap in the metrics, in either direction", () => {
  const at = (m: number, up: boolean) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, m)).toISOString(), up, value: up ? 100 : 0 });
  const window = { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" };

  it("a recovery after a gap is dated by both ends too; a transition with no sample missing before it is as before", () => {
    // down 03:00–03:02, no sample 03:03–03:09, up 03:10–03:12, down at 03:13 (no gap)
    const s: HealthSeries = {
      ...series(""),
      points: [at(0, false), at(1, false), at(2, false), at(10, true), at(11, true), at(12, true), at(13, false)],
    };
    const tl = buildTimeline({ window, series: [s], spikes: [], missing: [], changes: [] }, []);
    assert.deepEqual(
      tl.entries.map((e) => [e.text, e.from]),
      [
        ["m went up by 03:10 (DipAvailability 100), down at 03:02 (no samples in between)", "2026-03-14T03:02:00.000Z"],
        ["m went down (DipAvailability 0)", undefined],
      ],
    );
  });
});

describe("the reviewer's snapshots: a change at the window's end, and a change to tags only (second review)", () => {
  const cbf = (findings: Array<{ ruleId: string; status: string; key?: string; message: string }>) =>
    findings.filter((f) => f.ruleId.endsWith("/change-before-failure")).map((f) => [f.status, f.key, f.message] as const);
  /** AWS: the ALB with zone a up to 03:04, no sample 03:05–03:19, down from 03:20; zone b steady (the second review's a1, a2, a4) */
  async function albGap(events: Array<Record<string, unknown>>) {
    const { albWithTime } = await import("./support/time-scenarios.ts");
    const s = albWithTime({ broken: true, zones: { a: dropAt(50), b: "U".repeat(90) }, events });
    const cw = (s as unknown as { observations: { cloudwatch: Record<string, Record<string, unknown>> } }).observations.cloudwatch;
    for (const d of Object.values(cw) as Array<{
      MetricDataQueries: Array<{ MetricStat: { Metric: { Dimensions: Array<{ Value: string }> } } }>;
      MetricDataResults: Array<{ Timestamps: string[]; Values: number[] }>;
    }>)
      d.MetricDataResults.forEach((r, i) => {
        if (!d.MetricDataQueries[i]?.MetricStat.Metric.Dimensions.some((x) => x.Value === "us-east-1a")) return;
        const keep = (j: number) => j < 35 || j >= 50;
        r.Timestamps = r.Timestamps.filter((_, j) => keep(j));
        r.Values = r.Values.filter((_, j) => keep(j));
      });
    return s;
  }
  async function aws(s: Parameters<typeof import("../src/providers/aws/model.ts").buildAwsModel>[0]) {
    const { buildAwsModel } = await import("../src/providers/aws/model.ts");
    const model = buildAwsModel(s);
    const findings = runCatalog(model, "aws");
    return { model, findings, timeline: buildTimeline(model.time as NonNullable<typeof model.time>, findings) };
  }
  const tag = async (time: string) => {
    const { cloudtrailEvent } = await import("./support/time-builder.ts");
    const { ids: awsIds } = await import("./support/aws-builder.ts");
    return cloudtrailEvent({
      name: "CreateTags",
      time,
      user: "tagger",
      resources: [{ type: "AWS::EC2::SecurityGroup", name: awsIds.sg.web }],
      request: { resourcesSet: { items: [{ resourceId: awsIds.sg.web }] }, tagSet: { items: [{ key: "team", value: "x" }] } },
    });
  };

  it("AWS: an SG revoke at 03:59:40, every sample up to 04:00, is unknown, not a pass (reviewer a3)", async () => {
    const { albWithTime, SG_REVOKE } = await import("./support/time-scenarios.ts");
    const { findings, timeline } = await aws(albWithTime({ broken: true, events: [SG_REVOKE("2026-03-14T03:59:40Z")] }));
    const mine = cbf(findings);
    assert.deepEqual(
      mine.map(([status]) => status),
      ["unknown"],
    );
    assert.match(
      mine[0]?.[2] ?? "",
      /the HealthyHostCount samples end 20 s after it \(the last, at 03:59, was up\), too soon for a drop to show/,
    );
    assert.deepEqual(timeline.entries.find((e) => e.kind === "change")?.healthUnknown?.length, 2);
  });

  it("Azure: an NSG deny-probe rule at 03:59:40, every sample up, is unknown, not a pass (reviewer z2)", () => {
    const model = buildAzureModel(webWithTime({ broken: true, changes: [{ ...NSG_CHANGE, time: "2026-03-14T03:59:40Z" }] }));
    const mine = cbf(runCatalog(model, "azure"));
    assert.deepEqual(
      mine.map(([status]) => status),
      ["unknown"],
    );
    assert.match(mine[0]?.[2] ?? "", /but what 10\.0\.0\.4 \(vm1\) did after it is unknown: the DipAvailability samples end 20 s after it/);
  });

  it("AWS: a CreateTags losing to the revoke in a gap gets no finding; the revoke names no tag rival (reviewer a4)", async () => {
    const { SG_REVOKE } = await import("./support/time-scenarios.ts");
    const { findings, timeline } = await aws(await albGap([SG_REVOKE("2026-03-14T03:10:04Z"), await tag("2026-03-14T03:15:00Z")]));
    const mine = cbf(findings);
    assert.deepEqual(
      mine.map(([status, key]) => [status, key?.startsWith("change:")]),
      [["fail", true]],
    );
    assert.match(mine[0]?.[2] ?? "", /^03:10:04: bob changed /);
    assert.doesNotMatch(mine[0]?.[2] ?? "", /tagger|made as close/);
    assert.ok(
      !findings.some((f) => /restore the previous configuration/.test(f.remediation?.summary ?? "") && /CreateTags/.test(f.message)),
    );
    // the timeline still sets the tag change aside, saying why
    const entry = timeline.entries.find((e) => e.who === "tagger");
    assert.equal(entry?.likelyCause, undefined);
    assert.match(entry?.why ?? "", /this one touches only the tags of sg-\w+ \(CreateTags\): a tag change cannot break traffic$/);
  });

  it("AWS: a CreateTags in the first down interval after a gap is neither unknown nor a bar to the tags pass (reviewer a1, a2)", async () => {
    const { SG_REVOKE } = await import("./support/time-scenarios.ts");
    const a1 = cbf((await aws(await albGap([SG_REVOKE("2026-03-14T03:10:04Z"), await tag("2026-03-14T03:20:30Z")]))).findings);
    assert.deepEqual(
      a1.map(([status]) => status),
      ["fail"],
      "the revoke's fail, no unknown for the tag",
    );
    const a2 = cbf((await aws(await albGap([await tag("2026-03-14T03:20:30Z")]))).findings);
    assert.deepEqual(
      a2.map(([status]) => status),
      ["pass"],
    );
    assert.match(
      a2[0]?.[2] ?? "",
      /that could break traffic preceded a health drop: tagger's change to sg-\w+ at 03:20:30 changed only tags, .*\(1 change read, 2 health series\)\.$/,
    );
  });
});

describe("a change inside a gap in the middle of the metrics, the members up after it", () => {
  const cbf = (findings: Array<{ ruleId: string; status: string; key?: string; message: string }>) =>
    findings.filter((f) => f.ruleId.endsWith("/change-before-failure")).map((f) => [f.status, f.key, f.message] as const);

  it("Azure: the NSG change at 03:10:04, no sample 03:01–03:11, both members up from 03:12: unknown, no pass", () => {
    const model = buildAzureModel(
      withoutAzureSamples(webWithTime({ changes: [NSG_CHANGE] }), "2026-03-14T03:01:00Z", "2026-03-14T03:12:00Z"),
    );
    const findings = runCatalog(model, "azure");
    const mine = cbf(findings);
    assert.deepEqual(
      mine.map(([status, key]) => [status, key]),
      [["unknown", `change:${model.time?.changes[0]?.id}`]],
      "no pass claiming the change had no effect",
    );
    assert.match(
      mine[0]?.[2] ?? "",
      /^03:10:04: alice@contoso\.com changed nsg-web \(.*\), but what 10\.0\.0\.4 \(vm1\) did after it is unknown: no DipAvailability sample between 03:00 \(up\) and 03:12 \(up\), a gap in which 10\.0\.0\.4 \(vm1\) may have gone down and come back up; the same for 1 more member\. Whether this change broke it, the samples cannot tell\.$/,
    );
    const tl = buildTimeline(model.time as NonNullable<typeof model.time>, findings);
    const entry = tl.entries.find((e) => e.kind === "change");
    assert.equal(entry?.likelyCause, undefined);
    assert.deepEqual(entry?.healthUnknown, [
      "10.0.0.4 (vm1): no DipAvailability sample between 03:00 (up) and 03:12 (up), a gap in which it may have gone down and come back up",
      "10.0.0.5 (vm2): no DipAvailability sample between 03:00 (up) and 03:12 (up), a gap in which it may have gone down and come back up",
    ]);
  });

  it("AWS: the SG revoke at 03:10:04, no sample in zone a 03:05–03:19, up from 03:20: unknown for that zone, no pass", async () => {
    const { albWithTime, SG_REVOKE } = await import("./support/time-scenarios.ts");
    const { buildAwsModel } = await import("../src/providers/aws/model.ts");
    const s = albWithTime({ events: [SG_REVOKE()] });
    const cw = (s as unknown as { observations: { cloudwatch: Record<string, Record<string, unknown>> } }).observations.cloudwatch;
    for (const d of Object.values(cw) as Array<{
      MetricDataQueries: Array<{ MetricStat: { Metric: { Dimensions: Array<{ Value: string }> } } }>;
      MetricDataResults: Array<{ Timestamps: string[]; Values: number[] }>;
    }>)
      d.MetricDataResults.forEach((r, i) => {
        if (!d.MetricDataQueries[i]?.MetricStat.Metric.Dimensions.some((x) => x.Value === "us-east-1a")) return;
        const keep = (j: number) => j < 35 || j >= 50;
        r.Timestamps = r.Timestamps.filter((_, j) => keep(j));
        r.Values = r.Values.filter((_, j) => keep(j));
      });
    const model = buildAwsModel(s);
    const findings = runCatalog(model, "aws");
    const mine = cbf(findings);
    assert.deepEqual(
      mine.map(([status]) => status),
      ["unknown"],
      "no pass claiming the revoke had no effect",
    );
    assert.match(
      mine[0]?.[2] ?? "",
      /^03:10:04: bob changed sg-\w+ \(.*\), but what web-tg in us-east-1a did after it is unknown: no HealthyHostCount sample between 03:04 \(up\) and 03:20 \(up\), a gap in which web-tg in us-east-1a may have gone down and come back up\. Whether/,
    );
    // zone b, sampled every minute around the revoke, is no unknown
    const tl = buildTimeline(model.time as NonNullable<typeof model.time>, findings);
    assert.deepEqual(tl.entries.find((e) => e.kind === "change")?.healthUnknown, [
      "web-tg in us-east-1a: no HealthyHostCount sample between 03:04 (up) and 03:20 (up), a gap in which it may have gone down and come back up",
    ]);
  });
});

describe("a series' grain read from the wire: Azure's interval, CloudWatch's Period", () => {
  const cbf = (findings: Array<{ ruleId: string; status: string; message: string }>) =>
    findings.filter((f) => f.ruleId.endsWith("/change-before-failure")).map((f) => [f.status, f.message] as const);
  /** the minute of a time since the window's start (02:30) */
  const minuteOf = (t: string) => (Date.parse(t) - Date.parse("2026-03-14T02:30:00Z")) / 60_000;
  /** Azure: both members up all along, alice's NSG rule at a time; every body's interval set, only some samples kept */
  function azure(interval: string, keep: (minute: number) => boolean, time: string) {
    const s = webWithTime({ changes: [{ ...NSG_CHANGE, time }] });
    for (const bodies of Object.values(s.observations?.metrics ?? {}))
      for (const b of bodies) {
        b.interval = interval;
        for (const m of b.value ?? [])
          for (const ts of m.timeseries ?? []) ts.data = (ts.data ?? []).filter((d) => keep(minuteOf(d.timeStamp)));
      }
    const model = buildAzureModel(s);
    return { steps: model.time?.series.map((x) => x.step), findings: cbf(runCatalog(model, "azure")) };
  }
  /** AWS: both zones up all along, bob's SG revoke at a time; every query's Period set, only some samples kept */
  async function aws(period: number, keep: (minute: number) => boolean, time: string) {
    const { albWithTime, SG_REVOKE } = await import("./support/time-scenarios.ts");
    const { buildAwsModel } = await import("../src/providers/aws/model.ts");
    const s = albWithTime({ events: [SG_REVOKE(time)] });
    const cw = (s as unknown as { observations: { cloudwatch: Record<string, Record<string, unknown>> } }).observations.cloudwatch;
    for (const d of Object.values(cw) as Array<{
      MetricDataQueries: Array<{ MetricStat: { Period: number } }>;
      MetricDataResults: Array<{ Timestamps: string[]; Values: number[] }>;
    }>) {
      for (const q of d.MetricDataQueries) q.MetricStat.Period = period;
      for (const r of d.MetricDataResults) {
        const kept = r.Timestamps.map((t, j) => [t, r.Values[j] as number] as const).filter(([t]) => keep(minuteOf(t)));
        r.Timestamps = kept.map(([t]) => t);
        r.Values = kept.map(([, v]) => v);
      }
    }
    const model = buildAwsModel(s);
    return { steps: model.time?.series.map((x) => x.step), findings: cbf(runCatalog(model, "aws")) };
  }
  // every other minute from 02:30 to 03:50 (03:11 missing), then every minute to 03:59: more 2-minute spacings than
  // 1-minute ones, as CloudWatch reports a low-traffic minute (no datapoint when no request flows)
  const sparseMinutes = (m: number) => m % 2 === 0 || m >= 80;
  // every 10 minutes from 02:30 to 03:50 (03:15 missing), and 03:55
  const sparseFives = (m: number) => m % 10 === 0 || m === 85;

  it("Azure: PT5M, a 5-minute spacing is no gap; PT1M with 2-minute spacings and PT5M with 10-minute ones have gaps", () => {
    const five = azure("PT5M", (m) => m % 5 === 0, "2026-03-14T03:11:04Z");
    assert.deepEqual(five.steps, [300_000, 300_000]);
    assert.deepEqual(
      five.findings.map(([status]) => status),
      ["pass"],
    );
    const one = azure("PT1M", sparseMinutes, "2026-03-14T03:11:04Z");
    assert.deepEqual(one.steps, [60_000, 60_000]);
    assert.deepEqual(
      one.findings.map(([status]) => status),
      ["unknown"],
      "the change falls in the missing 03:11",
    );
    assert.match(one.findings[0]?.[1] ?? "", /no DipAvailability sample between 03:10 \(up\) and 03:12 \(up\)/);
    const tens = azure("PT5M", sparseFives, "2026-03-14T03:16:04Z");
    assert.deepEqual(
      tens.findings.map(([status]) => status),
      ["unknown"],
      "the change falls in the missing 03:15",
    );
    assert.match(tens.findings[0]?.[1] ?? "", /no DipAvailability sample between 03:10 \(up\) and 03:20 \(up\)/);
    // an interval that names no grain (FULL: one point for the whole timespan) leaves the step to the samples
    assert.deepEqual(azure("FULL", () => true, "2026-03-14T03:11:04Z").steps, [undefined, undefined]);
    assert.deepEqual(azure("PT1H30M", () => true, "2026-03-14T03:11:04Z").steps, [5_400_000, 5_400_000]);
  });

  it("AWS: Period 300, a 5-minute spacing is no gap; Period 60 with 2-minute spacings and 300 with 10-minute ones have gaps", async () => {
    const five = await aws(300, (m) => m % 5 === 0, "2026-03-14T03:11:04Z");
    assert.deepEqual(five.steps, [300_000, 300_000]);
    assert.deepEqual(
      five.findings.map(([status]) => status),
      ["pass"],
    );
    const one = await aws(60, sparseMinutes, "2026-03-14T03:11:04Z");
    assert.deepEqual(one.steps, [60_000, 60_000]);
    assert.deepEqual(
      one.findings.map(([status]) => status),
      ["unknown"],
      "the revoke falls in the missing 03:11",
    );
    assert.match(one.findings[0]?.[1] ?? "", /no HealthyHostCount sample between 03:10 \(up\) and 03:12 \(up\)/);
    const tens = await aws(300, sparseFives, "2026-03-14T03:16:04Z");
    assert.deepEqual(
      tens.findings.map(([status]) => status),
      ["unknown"],
      "the revoke falls in the missing 03:15",
    );
    assert.match(tens.findings[0]?.[1] ?? "", /no HealthyHostCount sample between 03:10 \(up\) and 03:20 \(up\)/);
  });
});
