/**
 * Time data on the Resource Graph path (several subscriptions, no resource
 * group): metrics per load balancer through ARM, the window's resourcechanges
 * in one paged query over the subscriptions, and the Activity Log of the
 * groups that hold the load balancers and their members, through the real
 * SDKs against the ARM emulator; a 403 is a gap of that subscription only.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { collectAzureGraph, type GraphCollectOptions } from "../src/providers/azure/collect/arg.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { type ArmEmulator, startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { runCatalog } from "./support/catalog.ts";
import { lbdoctorAsync, ROOT } from "./support/cli.ts";

const WINDOW = { from: "2026-03-14T02:30:00Z", until: "2026-03-14T04:00:00Z" };
const raw = readFileSync(join(ROOT, "fixtures/azure/nsg-change-probe-down.json"), "utf8");
const A = String((JSON.parse(raw) as AzureSnapshot).scope.subscriptionId);
const B = "11111111-2222-3333-4444-555555555555";
/** The demo incident in subscription A, and the same incident in subscription B (every id rebased). */
const snapA = (): AzureSnapshot => JSON.parse(raw);
const snapB = (): AzureSnapshot => JSON.parse(raw.split(A).join(B));

function opts(emu: ArmEmulator, extra: Partial<GraphCollectOptions> = {}): GraphCollectOptions {
  return {
    subscriptionIds: [A, B],
    credential: staticTokenCredential("test"),
    endpoint: emu.url,
    ca: emu.ca,
    pollIntervalMs: 5,
    retryDelayMs: 5,
    window: WINDOW,
    ...extra,
  };
}

describe("Azure time data on the Resource Graph path", () => {
  it("reads metrics, resource changes (paged) and Activity Logs across subscriptions, and names the change in each", async () => {
    const emu = await startArmEmulator({ snapshots: [snapA(), snapB()], pageSize: 1 });
    try {
      const got = await collectAzureGraph(opts(emu, { pageSize: 1 }));
      assert.deepEqual(got.gaps, []);
      const counts = emu.counts();
      assert.equal(counts["metrics.list"], 6, "three metric calls for each of the two load balancers");
      assert.ok((counts["activityLogs.list"] ?? 0) >= 4, `two events per group at page size 1: ${counts["activityLogs.list"]}`);
      const o = got.observations ?? {};
      assert.deepEqual(o.window, WINDOW);
      assert.equal(Object.keys(o.metrics ?? {}).length, 2);
      for (const [sub, snap] of [
        [A, snapA()],
        [B, snapB()],
      ] as const) {
        assert.deepEqual(
          o.resourceChanges?.[sub],
          snap.observations?.resourceChanges?.[sub],
          `${sub}: the rows, as Resource Graph sent them`,
        );
        const rg = `/subscriptions/${sub}/resourceGroups/${String(snap.scope.resourceGroup)}`;
        assert.equal(o.activityLog?.[rg]?.length, 2, `${sub}: its group's Activity Log`);
      }
      const rowsA = o.resourceChanges?.[A]?.length ?? 0;
      assert.ok(rowsA >= 2, "more than one row: the query was paged with $skipToken at page size 1");
      const fails = runCatalog(buildAzureModel(got), "azure").filter(
        (f) => f.status === "fail" && f.ruleId === "azure/change-before-failure",
      );
      assert.equal(fails.length, 2, fails.map((f) => f.message).join("\n"));
      for (const sub of [A, B])
        assert.ok(fails.some((f) => (f.resourceId ?? "").includes(sub) && /alice@contoso\.com changed nsg-web/.test(f.message)));
    } finally {
      await emu.close();
    }
  });

  it("a subscription whose resource changes or metrics answer 403 is a gap of its own; the other's change is still named", async () => {
    const emu = await startArmEmulator({
      snapshots: [snapA(), snapB()],
      forbiddenChanges: [B],
      faults: [{ path: new RegExp(`^/subscriptions/${B}/.*/providers/Microsoft\\.Insights/metrics$`, "i"), status: 403 }],
    });
    try {
      const got = await collectAzureGraph(opts(emu));
      const gaps = (got.gaps ?? []).map((g) => `${g.operation} ${g.status} ${(g.resourceId ?? "").split("/")[2]}`);
      assert.ok(gaps.includes(`resourceGraph.resourcechanges 403 ${B}`), gaps.join("\n"));
      assert.ok(gaps.includes(`metrics.list 403 ${B}`), gaps.join("\n"));
      assert.ok(
        gaps.every((g) => g.endsWith(B)),
        `subscription A has no gap: ${gaps.join(", ")}`,
      );
      assert.deepEqual(got.observations?.resourceChanges?.[A], snapA().observations?.resourceChanges?.[A]);
      assert.equal(got.observations?.resourceChanges?.[B], undefined, "no rows recorded where the query was refused");
      const findings = runCatalog(buildAzureModel(got), "azure").filter((f) => f.ruleId === "azure/change-before-failure");
      assert.ok(findings.some((f) => f.status === "fail" && (f.resourceId ?? "").includes(A)));
      const inB = findings.filter((f) => (f.resourceId ?? "").includes(B) || (f.loadBalancerId ?? "").includes(B));
      assert.ok(inB.length > 0 && inB.every((f) => f.status === "unknown"), inB.map((f) => `${f.status} ${f.message}`).join("\n"));
    } finally {
      await emu.close();
    }
  });

  it("collects no time data without a window", async () => {
    const emu = await startArmEmulator({ snapshots: [snapA(), snapB()] });
    try {
      const { window: _w, ...rest } = opts(emu);
      const got = await collectAzureGraph(rest);
      assert.equal(got.observations?.window, undefined);
      assert.equal(emu.counts()["metrics.list"] ?? 0, 0);
    } finally {
      await emu.close();
    }
  });
});

describe("lbdoctor timeline --subscription … (Resource Graph), against the emulator", () => {
  it("tells each subscription's incident in time order with the likely cause", async () => {
    const emu = await startArmEmulator({ snapshots: [snapA(), snapB()] });
    const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-time-graph-"));
    try {
      const ca = join(tmp, "ca.pem");
      writeFileSync(ca, emu.ca);
      const r = await lbdoctorAsync(
        ["timeline", "--subscription", `${A},${B}`, "--window-from", WINDOW.from, "--window-until", WINDOW.until],
        {
          LBDOCTOR_ARM_ENDPOINT: emu.url,
          LBDOCTOR_ARM_CA_FILE: ca,
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /live: Azure Resource Graph, 2 subscriptions/);
      assert.match(r.stdout, /Timeline 2026-03-14T02:30:00Z → 2026-03-14T04:00:00Z/);
      const causes = r.stdout.split("\n").filter((l) => /03:10:04 +change .*nsg-web.*◀ likely cause/.test(l));
      assert.equal(causes.length, 2, r.stdout);
      assert.ok((emu.counts()["metrics.list"] ?? 0) >= 6);
    } finally {
      await emu.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
