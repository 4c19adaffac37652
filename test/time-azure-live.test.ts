/**
 * Time data live: the real @azure/arm-monitor and @azure/arm-resourcegraph
 * clients against the ARM emulator (metrics.list, the Activity Log with
 * nextLink paging, Resource Graph resourcechanges), throttling and 403s.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type AzureCollectOptions, collectAzure } from "../src/providers/azure/collect/collect.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { type ArmEmulator, startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { runCatalog } from "./support/catalog.ts";
import { ROOT } from "./support/cli.ts";

const fixture = (): AzureSnapshot => JSON.parse(readFileSync(join(ROOT, "fixtures/azure/nsg-change-probe-down.json"), "utf8"));
const WINDOW = { from: "2026-03-14T02:30:00Z", until: "2026-03-14T04:00:00Z" };

function opts(emu: ArmEmulator, snap: AzureSnapshot, extra: Partial<AzureCollectOptions> = {}): AzureCollectOptions {
  return {
    subscriptionId: String(snap.scope.subscriptionId),
    resourceGroup: String(snap.scope.resourceGroup),
    credential: staticTokenCredential("test"),
    endpoint: emu.url,
    ca: emu.ca,
    pollIntervalMs: 5,
    retryDelayMs: 5,
    window: WINDOW,
    effectiveNsg: false,
    now: () => new Date("2026-03-14T04:00:00Z"),
    ...extra,
  };
}

describe("Azure time data through the real SDKs", () => {
  it("collects metrics, resource changes and the Activity Log (paged) and diagnoses the change", async () => {
    const snap = fixture();
    const emu = await startArmEmulator({ snapshots: [snap], pageSize: 1 });
    try {
      const got = await collectAzure(opts(emu, snap));
      assert.deepEqual(got.gaps, []);
      const counts = emu.counts();
      assert.equal(counts["metrics.list"], 3, "three metric calls per load balancer");
      assert.equal(counts["activityLogs.list"], 2, "two events at page size 1: the SDK followed the nextLink");
      assert.equal(counts["resourceGraph.resources"], 1);
      const o = got.observations ?? {};
      assert.deepEqual(o.window, WINDOW);
      const lbId = Object.keys(o.metrics ?? {})[0] as string;
      assert.deepEqual(o.metrics?.[lbId], snap.observations?.metrics?.[lbId], "the metric bodies round-trip as sent");
      const sub = String(snap.scope.subscriptionId);
      assert.deepEqual(o.resourceChanges?.[sub], snap.observations?.resourceChanges?.[sub]);
      assert.equal(Object.values(o.activityLog ?? {})[0]?.length, 2);
      const fails = runCatalog(buildAzureModel(got), "azure").filter((f) => f.status === "fail");
      const change = fails.find((f) => f.ruleId === "azure/change-before-failure");
      assert.match(change?.message ?? "", /alice@contoso\.com changed nsg-web .*deny-lb-probe added/);
    } finally {
      await emu.close();
    }
  });

  it("retries a throttled metrics call and keeps going", async () => {
    const snap = fixture();
    const emu = await startArmEmulator({ snapshots: [snap], faults: [{ route: "metrics.list", status: 429, times: 1, retryAfterMs: 20 }] });
    try {
      const got = await collectAzure(opts(emu, snap));
      assert.deepEqual(got.gaps, []);
      assert.equal(emu.counts()["metrics.list"], 4, "three calls and one retry");
      assert.equal(Object.values(got.observations?.metrics ?? {})[0]?.length, 3);
    } finally {
      await emu.close();
    }
  });

  it("a 403 on metrics and on Resource Graph is a gap, and the time rules say unknown", async () => {
    const snap = fixture();
    const emu = await startArmEmulator({
      snapshots: [snap],
      faults: [
        { route: "metrics.list", status: 403 },
        { route: "resourceGraph.resources", status: 403 },
      ],
    });
    try {
      const got = await collectAzure(opts(emu, snap));
      const ops = (got.gaps ?? []).map((g) => `${g.operation} ${g.status}`);
      assert.ok(ops.includes("metrics.list 403"), ops.join(", "));
      assert.ok(ops.includes("resourceGraph.resourcechanges 403"), ops.join(", "));
      const findings = runCatalog(buildAzureModel(got), "azure");
      for (const id of ["azure/snat-port-exhaustion", "azure/probe-flapping", "azure/change-before-failure"]) {
        const mine = findings.filter((f) => f.ruleId === id);
        assert.ok(mine.length > 0 && mine.every((f) => f.status === "unknown"), `${id}: ${mine.map((f) => f.status).join(",")}`);
      }
    } finally {
      await emu.close();
    }
  });
});
