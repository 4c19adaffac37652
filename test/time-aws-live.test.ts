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
import { type AwsCollectOptions, collectAws } from "../src/providers/aws/collect/collect.ts";
import { type AwsEmulator, startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
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
      assert.equal(queries.length, 8, "healthy and unhealthy per zone (2×2), target 5xx, and three load-balancer metrics");
      assert.equal(counts.GetMetricData, 4, "8 queries at 2 results a page: the collector followed NextToken");
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
});
