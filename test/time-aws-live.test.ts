/**
 * AWS time data live: the real @aws-sdk/client-cloudwatch (AWS JSON 1.0,
 * query-compatible) and @aws-sdk/client-cloudtrail (AWS JSON 1.1) against the
 * AWS emulator, with NextToken paging, LookupEvents' 2-a-second rate,
 * throttling and access denied.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { buildTimeline } from "../src/core/timeline/analyze.ts";
import { type AwsCollectOptions, collectAws } from "../src/providers/aws/collect/collect.ts";
import { type AwsEmulator, startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import { ROUTING_FAIL_OPEN } from "../src/providers/aws/model/time.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { runCatalog } from "./support/catalog.ts";
import { ROOT } from "./support/cli.ts";

const fixture = (): AwsSnapshot => JSON.parse(readFileSync(join(ROOT, "fixtures/aws/sg-revoke-targets-unhealthy.json"), "utf8"));
const WINDOW = { from: "2026-03-14T02:30:00Z", until: "2026-03-14T04:00:00Z" };

function opts(emu: AwsEmulator, extra: Partial<AwsCollectOptions> = {}): AwsCollectOptions {
  return {
    region: "us-east-1",
    endpoint: emu.url,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    retryDelayMs: 5,
    window: WINDOW,
    now: () => new Date("2026-03-14T04:00:00Z"),
    ...extra,
  };
}

describe("AWS time data through the real SDKs", () => {
  it("reads GetMetricData (paged) and LookupEvents (paged, paced) and diagnoses the revoke", async () => {
    const snap = fixture();
    const emu = await startAwsEmulator({ snapshots: [snap], pageSize: 2 });
    try {
      const t0 = Date.now();
      const got = await collectAws(opts(emu));
      assert.deepEqual(got.gaps, []);
      const counts = emu.counts();
      const lbArn = String(snap.elbv2.LoadBalancers[0]?.LoadBalancerArn);
      const queries = got.observations?.cloudwatch?.[lbArn]?.MetricDataQueries ?? [];
      assert.equal(
        queries.length,
        12,
        "healthy and unhealthy hosts and routing state per zone (4×2), target 5xx, and three load-balancer metrics",
      );
      assert.equal(counts.GetMetricData, 6, "12 queries at 2 results a page: the collector followed NextToken");
      const results = got.observations?.cloudwatch?.[lbArn]?.MetricDataResults ?? [];
      const stamps = (results[0]?.Timestamps ?? []) as string[];
      assert.equal(stamps.length, 90);
      assert.match(String(stamps[0]), /^2026-03-14T02:30:00/, "timestamps recorded as ISO strings");
      const events = got.observations?.cloudtrail?.Events ?? [];
      assert.deepEqual(events.map((e) => e.EventName).sort(), ["ModifyTargetGroupAttributes", "RevokeSecurityGroupIngress"]);
      const lookups = counts.LookupEvents ?? 0;
      assert.ok(lookups >= 2, `LookupEvents calls: ${lookups}`);
      assert.ok(Date.now() - t0 >= (lookups - 1) * 500 - 50, "paced at 2 requests a second");
      const fails = runCatalog(buildAwsModel(got), "aws").filter((f) => f.status === "fail");
      assert.ok(fails.some((f) => f.ruleId === "aws/change-before-failure" && /bob changed sg-/.test(f.message)));
    } finally {
      await emu.close();
    }
  });

  it("a throttled GetMetricData is retried; a denied LookupEvents is a gap and the change rule is unknown", async () => {
    const snap = fixture();
    const emu = await startAwsEmulator({
      snapshots: [snap],
      faults: [
        { action: "GetMetricData", fault: "throttle", times: 1 },
        { action: "LookupEvents", fault: "denied" },
      ],
    });
    try {
      const got = await collectAws(opts(emu));
      const ops = (got.gaps ?? []).map((g) => `${g.operation} ${g.code}`);
      assert.deepEqual(ops, ["cloudtrail:LookupEvents AccessDeniedException"]);
      assert.equal(emu.counts().GetMetricData, 2, "one throttled attempt, one retry");
      const mine = runCatalog(buildAwsModel(got), "aws").filter((f) => f.ruleId === "aws/change-before-failure");
      assert.ok(mine.length > 0 && mine.every((f) => f.status === "unknown"), mine.map((f) => `${f.status} ${f.message}`).join("\n"));
    } finally {
      await emu.close();
    }
  });

  it("reads HealthyStateRouting / UnhealthyStateRouting per target group and zone where CloudWatch reports them", async () => {
    const snap = fixture();
    const lbArn = String(snap.elbv2.LoadBalancers[0]?.LoadBalancerArn);
    const body = snap.observations?.cloudwatch?.[lbArn] as {
      MetricDataQueries: Array<Record<string, unknown>>;
      MetricDataResults: Array<Record<string, unknown>>;
    };
    const healthy = body.MetricDataQueries.find((q) => JSON.stringify(q).includes('"HealthyHostCount"')) as Record<string, unknown>;
    const dims = (
      ((healthy.MetricStat as Record<string, unknown>).Metric as Record<string, unknown>).Dimensions as Array<{
        Name: string;
        Value: string;
      }>
    ).map((d) => (d.Name === "AvailabilityZone" ? { ...d, Value: "us-east-1a" } : d));
    const stamps = body.MetricDataResults[0]?.Timestamps as string[];
    // us-east-1a fails open from 03:12 to 03:20 (minutes 42..50 of the window); us-east-1b reports nothing
    const routing = (bad: number, good: number) => stamps.map((_, i) => (i >= 42 && i <= 50 ? bad : good));
    for (const [name, stat, values] of [
      ["HealthyStateRouting", "Minimum", routing(0, 1)],
      ["UnhealthyStateRouting", "Maximum", routing(1, 0)],
    ] as const) {
      const Id = `r${body.MetricDataQueries.length}`;
      body.MetricDataQueries.push({
        Id,
        MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: name, Dimensions: dims }, Period: 60, Stat: stat },
        ReturnData: true,
      });
      body.MetricDataResults.push({ Id, Label: name, Timestamps: stamps, Values: values, StatusCode: "Complete" });
    }
    const emu = await startAwsEmulator({ snapshots: [snap] });
    try {
      const got = await collectAws(opts(emu));
      assert.deepEqual(got.gaps, []);
      const cw = got.observations?.cloudwatch?.[lbArn];
      const asked = (cw?.MetricDataQueries ?? []).filter((q) => /StateRouting/.test(JSON.stringify(q)));
      assert.equal(asked.length, 4, "both metrics in both zones");
      for (const q of asked) {
        const m = (q.MetricStat as Record<string, unknown>).Metric as Record<string, unknown>;
        assert.equal(m.Namespace, "AWS/ApplicationELB");
        assert.deepEqual(((m.Dimensions as Array<{ Name: string }>) ?? []).map((d) => d.Name).sort(), [
          "AvailabilityZone",
          "LoadBalancer",
          "TargetGroup",
        ]);
      }
      const model = buildAwsModel(got);
      const spikes = (model.time?.spikes ?? []).filter((x) => x.metric === ROUTING_FAIL_OPEN);
      assert.equal(spikes.length, 9, "one per minute of 03:12..03:20, counted once though both metrics say it");
      assert.ok(
        spikes.every((x) => / in us-east-1a$/.test(x.label)),
        "only the zone that reported it",
      );
      assert.equal(spikes[0]?.t.slice(11, 16), "03:12");
      const tl = buildTimeline(model.time as NonNullable<typeof model.time>, []);
      assert.ok(
        tl.entries.some(
          (e) =>
            e.kind === "spike" &&
            /^routing unhealthy: fails open to all targets on \S+ in us-east-1a: peak 1 from 03:12 to 03:20$/.test(e.text),
        ),
        tl.entries.map((e) => e.text).join("\n"),
      );
    } finally {
      await emu.close();
    }
  });

  it("adds nothing where the routing state is not reported", () => {
    const model = buildAwsModel(fixture());
    assert.ok(model.time);
    assert.equal((model.time?.spikes ?? []).filter((x) => x.metric === ROUTING_FAIL_OPEN).length, 0);
  });
});
