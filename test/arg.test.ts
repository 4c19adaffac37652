/**
 * The Resource Graph path end to end: the real @azure/arm-resourcegraph client
 * against the ARM emulator's Resource Graph endpoint over HTTPS on 127.0.0.1,
 * with $skipToken paging, a subscription that answers 403, the per-user quota,
 * --deep through ARM, and the CLI.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { tenant } from "../bench/gen.ts";
import { rules } from "../rules/index.ts";
import { runRules } from "../src/core/engine/run.ts";
import { idKey } from "../src/providers/azure/arm-id.ts";
import { collectAzureGraph, RESOURCES_QUERY, rowToResource } from "../src/providers/azure/collect/arg.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { parseQuery, toRow } from "../src/providers/azure/emulator/graph.ts";
import { type ArmEmulator, startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import type { ArmResource, AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { healthyWeb, ids, SUB } from "./support/azure-builder.ts";
import { lbdoctorAsync } from "./support/cli.ts";

const credential = staticTokenCredential("test");
/** what Resource Graph's Resources table holds: no scale-set instances or their NICs */
const inGraph = (r: ArmResource) => !/\/virtualMachineScaleSets\/[^/]+\/virtualMachines\//i.test(r.id);

describe("Resource Graph: the emulator's query shapes", () => {
  it("parses the queries lbdoctor sends and refuses others", () => {
    const q = parseQuery(RESOURCES_QUERY);
    assert.equal(q.table, "resources");
    assert.ok(q.types?.has("microsoft.network/loadbalancers") && q.types.has("microsoft.compute/virtualmachines"));
    assert.throws(() => parseQuery("Resources | summarize count() by type"), /does not support/);
    assert.throws(() => parseQuery("HealthResources | where type =~ 'x'"), /does not support/);
  });

  it("a VM row carries its power state where Resource Graph puts it, and lbdoctor maps it back to an instance view", () => {
    const snap = healthyWeb().build();
    const vm = snap.resources.find((r) => idKey(r.id) === idKey(ids.vm("vm1"))) as ArmResource;
    const row = toRow(vm);
    assert.equal(row.type, "microsoft.compute/virtualmachines");
    const props = row.properties as { instanceView?: unknown; extended?: { instanceView?: { powerState?: { code?: string } } } };
    assert.equal(props.instanceView, undefined);
    assert.equal(props.extended?.instanceView?.powerState?.code, "PowerState/running");
    const back = rowToResource(row) as ArmResource;
    assert.equal(back.type, "Microsoft.Compute/virtualMachines");
    assert.deepEqual(
      (back.properties as { instanceView?: { statuses?: Array<{ code?: string }> } }).instanceView?.statuses?.[0]?.code,
      "PowerState/running",
    );
    assert.equal((back.properties as { extended?: unknown }).extended, undefined);
    const model = buildAzureModel({ ...snap, resources: [back] });
    assert.equal(model.vms[0]?.powerState, "running");
  });
});

describe("Resource Graph collection against the emulator", () => {
  const t = tenant({ subscriptions: 6, lbsPerSubscription: 3, rgsPerSubscription: 2, nicsPerLb: 3, seed: 3 });
  const forbidden = t.subscriptionIds[4] as string;
  let emu: ArmEmulator;
  before(async () => {
    emu = await startArmEmulator({ snapshots: t.snapshots, argQuota: { queries: 4, windowMs: 1000 }, forbiddenSubscriptions: [forbidden] });
  });
  after(() => emu.close());

  it("pages through $skipToken, reads every resource of every readable subscription, and keeps the others going past a 403", async () => {
    emu.resetCounts();
    const events: string[] = [];
    const snap = await collectAzureGraph({
      subscriptionIds: t.subscriptionIds,
      credential,
      endpoint: emu.url,
      ca: emu.ca,
      pageSize: 25,
      retryDelayMs: 5,
      onEvent: (e) => {
        if (e.type === "progress") events.push(`${e.subscriptionsDone}/${e.subscriptionsTotal} ${e.lbsDone}/${e.lbsTotal}`);
      },
    });
    const want = t.snapshots.filter((s) => s.scope.subscriptionId !== forbidden).flatMap((s) => s.resources.filter(inGraph));
    assert.deepEqual(snap.resources.map((r) => idKey(r.id)).sort(), want.map((r) => idKey(r.id)).sort());
    // wire format: the objects ARM's lists give (types in ARM's casing), less the etag, which the Resources table lacks
    const { etag: _, ...lb } = want.find((r) => r.type === "Microsoft.Network/loadBalancers") as ArmResource;
    assert.deepEqual(
      snap.resources.find((r) => r.id === lb.id),
      lb,
    );
    const gaps = snap.gaps ?? [];
    const subGaps = gaps.filter((g) => g.operation === "resourceGraph.resources");
    assert.equal(subGaps.length, 1, JSON.stringify(gaps));
    assert.equal(subGaps[0]?.status, 403);
    assert.equal(subGaps[0]?.code, "AuthorizationFailed");
    assert.equal(subGaps[0]?.resourceId, `/subscriptions/${forbidden}`);
    const c = emu.counts();
    const rows = want.length;
    // the readable-subscriptions listing is refused (it names the forbidden subscription), then asked again without
    // it; the resources query (every asked subscription: the listing only informs the gaps) is refused too, then one
    // query per page of 25
    assert.equal(c["resourceGraph.resources"], 3 + Math.ceil(rows / 25), JSON.stringify(c));
    assert.equal(c["resourceGraph.throttled"] ?? 0, 0, "paced to the quota: no 429");
    assert.equal(emu.total(), c["resourceGraph.resources"], "no ARM call without --deep");
    assert.equal(events.at(-1), `6/6 15/15`);
    assert.deepEqual(snap.scope.subscriptionIds, t.subscriptionIds);
    // the model and the rules take it like any snapshot
    const findings = runRules(buildAzureModel(snap), rules);
    assert.ok(findings.some((f) => f.ruleId === "azure/probe-blocked-by-nsg" && f.status === "pass"));
  });

  it("the emulator enforces the quota: a client that does not pace itself gets 429 with Retry-After and the quota headers", async () => {
    emu.resetCounts();
    const url = `${emu.url}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`;
    const { request } = await import("node:https");
    const post = () =>
      new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
        const req = request(
          url,
          { method: "POST", ca: emu.ca, headers: { authorization: "Bearer other-user", "content-type": "application/json" } },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ subscriptions: [t.subscriptionIds[0]], query: RESOURCES_QUERY, options: { $top: 1 } }));
      });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await post());
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200, 429],
    );
    assert.equal(answers[0]?.headers["x-ms-user-quota-remaining"], "3");
    assert.equal(answers[4]?.headers["x-ms-user-quota-remaining"], "0");
    assert.ok(Number(answers[4]?.headers["retry-after"]) >= 1);
    assert.equal(emu.counts()["resourceGraph.throttled"], 1);
  });

  it("--all-subscriptions lists the readable subscriptions through ResourceContainers", async () => {
    emu.resetCounts();
    const snap = await collectAzureGraph({ allSubscriptions: true, credential, endpoint: emu.url, ca: emu.ca });
    assert.deepEqual([...(snap.scope.subscriptionIds as string[])].sort(), t.subscriptionIds.filter((s) => s !== forbidden).sort());
    assert.equal(snap.gaps?.length ?? 0, 0);
  });
});

describe("Resource Graph --deep: rule health and effective NSGs through ARM", () => {
  it("collects the live observations of every load balancer within the ARM budget", async () => {
    const web = healthyWeb().effectiveNsg("vm1-nic", { value: [] }).effectiveNsg("vm2-nic", { value: [] }).build();
    const emu = await startArmEmulator({ snapshots: [web], argQuota: { queries: 15, windowMs: 5000 } });
    try {
      const snap = await collectAzureGraph({
        subscriptionIds: [SUB],
        credential,
        endpoint: emu.url,
        ca: emu.ca,
        deep: true,
        pollIntervalMs: 5,
        budget: { armBurst: 2, armPerSecond: 50 },
      });
      assert.deepEqual(snap.observations?.ruleHealth, web.observations?.ruleHealth);
      assert.deepEqual(snap.observations?.effectiveNetworkSecurityGroups, web.observations?.effectiveNetworkSecurityGroups);
      assert.equal(snap.gaps?.length ?? 0, 0, JSON.stringify(snap.gaps));
      const c = emu.counts();
      assert.equal(c["resourceGraph.resources"], 2, "the readable-subscriptions listing, then the resources");
      assert.equal(c["loadBalancingRules.health"], 1);
      assert.equal(c["networkInterfaces.listEffectiveNetworkSecurityGroups"], 2);
    } finally {
      await emu.close();
    }
  });
});

describe("Resource Graph --deep --no-effective-nsg", () => {
  it("reads rule health and no effective NSGs, as the resource-group path does (the library and the CLI)", async () => {
    const web = healthyWeb().effectiveNsg("vm1-nic", { value: [] }).effectiveNsg("vm2-nic", { value: [] }).build();
    const emu = await startArmEmulator({ snapshots: [web] });
    const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-arg-deep-"));
    try {
      const snap = await collectAzureGraph({
        subscriptionIds: [SUB],
        credential,
        endpoint: emu.url,
        ca: emu.ca,
        deep: true,
        effectiveNsg: false,
        pollIntervalMs: 5,
      });
      assert.deepEqual(snap.observations?.ruleHealth, web.observations?.ruleHealth);
      assert.deepEqual(snap.observations?.effectiveNetworkSecurityGroups ?? {}, {});
      assert.equal(emu.counts()["networkInterfaces.listEffectiveNetworkSecurityGroups"] ?? 0, 0);
      emu.resetCounts();
      const ca = join(tmp, "ca.pem");
      writeFileSync(ca, emu.ca);
      const r = await lbdoctorAsync(["check", "--subscription", SUB, "--deep", "--no-effective-nsg", "-q"], {
        LBDOCTOR_ARM_ENDPOINT: emu.url,
        LBDOCTOR_ARM_CA_FILE: ca,
      });
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assert.equal(emu.counts()["loadBalancingRules.health"], 1, "rule health is read");
      assert.equal(emu.counts()["networkInterfaces.listEffectiveNetworkSecurityGroups"] ?? 0, 0, "no effective NSG is read");
      assert.doesNotMatch(r.stdout, /listEffectiveNetworkSecurityGroups/);
    } finally {
      await emu.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("lbdoctor check --subscription … (Resource Graph), against the emulator", () => {
  const t = tenant({ subscriptions: 3, lbsPerSubscription: 2, rgsPerSubscription: 1, nicsPerLb: 2, seed: 5 });
  let emu: ArmEmulator;
  let env: Record<string, string>;
  const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-arg-"));
  before(async () => {
    emu = await startArmEmulator({
      snapshots: t.snapshots as AzureSnapshot[],
      argQuota: { queries: 15, windowMs: 5000 },
      forbiddenSubscriptions: [t.subscriptionIds[1] as string],
    });
    const ca = join(tmp, "ca.pem");
    writeFileSync(ca, emu.ca);
    env = { LBDOCTOR_ARM_ENDPOINT: emu.url, LBDOCTOR_ARM_CA_FILE: ca };
  });
  after(() => emu.close());

  it("reads several subscriptions without a resource group, shows progress, groups by subscription, reports the unreadable one as a gap", async () => {
    const [a, b, c] = t.subscriptionIds as [string, string, string];
    const r = await lbdoctorAsync(["check", "--subscription", a, "--subscription", `${b},${c}`], env);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.match(r.stderr, /subscriptions 3\/3 · load balancers 4\/4/);
    assert.match(r.stderr, /gap: resourceGraph\.resources 403 AuthorizationFailed/);
    assert.match(r.stdout, new RegExp(`Subscription ${a}[\\s\\S]*Subscription ${c}`));
    assert.doesNotMatch(r.stdout, new RegExp(`Subscription ${b}`));
    assert.match(r.stdout, /Gaps \(\d+\)[\s\S]*resourceGraph\.resources 403 AuthorizationFailed/);
    const json = await lbdoctorAsync(["check", "--subscription", `${a},${c}`, "--format", "json"], env);
    const report = JSON.parse(json.stdout) as { loadBalancers: Array<{ id: string }>; scope: { source?: string } };
    assert.equal(report.loadBalancers.length, 4);
    assert.equal(report.scope.source, "resource-graph");
  });

  it("a bad --arm-budget is a usage error", async () => {
    const r = await lbdoctorAsync(["check", "--subscription", t.subscriptionIds[0] as string, "--deep", "--arm-budget", "lots"], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--arm-budget takes two positive numbers/);
  });
});

describe("lbdoctor check --subscription …: the readable-subscriptions listing on the command line", () => {
  const t = tenant({ subscriptions: 2, lbsPerSubscription: 1, rgsPerSubscription: 1, nicsPerLb: 2, seed: 7 });
  const [a, hidden] = t.subscriptionIds as [string, string];
  let emu: ArmEmulator;
  let env: Record<string, string>;
  const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-arg-listing-"));
  before(async () => {
    emu = await startArmEmulator({ snapshots: t.snapshots as AzureSnapshot[], unreadableSubscriptions: [hidden] });
    const ca = join(tmp, "ca.pem");
    writeFileSync(ca, emu.ca);
    env = { LBDOCTOR_ARM_ENDPOINT: emu.url, LBDOCTOR_ARM_CA_FILE: ca };
  });
  after(() => {
    emu.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("shows the listing as the subscriptions phase, counts a subscription given in two casings once, and names the unreadable one", async () => {
    const r = await lbdoctorAsync(["check", "--subscription", `${a.toUpperCase()},${a},${hidden}`], env);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const phases = [...r.stderr.matchAll(/collecting: ([a-z ]+?) ·/g)].map((m) => m[1]);
    assert.deepEqual(phases.slice(0, 2), ["subscriptions", "resource graph"], r.stderr);
    assert.match(r.stderr, new RegExp(`gap: resourceGraph\\.subscriptions on ${hidden}`));
    assert.match(r.stderr, /subscriptions 2\/2 · load balancers 1\/1/);
    const json = await lbdoctorAsync(["check", "--subscription", `${a.toUpperCase()},${hidden}`, "--format", "json"], env);
    const report = JSON.parse(json.stdout) as { scope: { subscriptionIds?: string[] } };
    assert.deepEqual(report.scope.subscriptionIds, [a, hidden]);
  });
});
