/**
 * Live collection end to end: the real Azure SDK clients against the ARM
 * emulator serving the fixtures, over HTTPS on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rules } from "../rules/index.ts";
import { runRules } from "../src/core/engine/run.ts";
import type { GuestObservation } from "../src/core/snapshot/types.ts";
import { idKey } from "../src/providers/azure/arm-id.ts";
import { collectAzureGraph } from "../src/providers/azure/collect/arg.ts";
import { type AzureCollectOptions, collectAzure } from "../src/providers/azure/collect/collect.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { ruleHealthPoller } from "../src/providers/azure/collect/health.ts";
import { type ArmEmulator, startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import type { ArmResource, AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { healthyInternal, healthyWeb, ids, P, SUB } from "./support/azure-builder.ts";
import { lbdoctorAsync, ROOT } from "./support/cli.ts";

const FIXTURES = readdirSync(join(ROOT, "fixtures/azure"))
  .filter((f) => f.endsWith(".json"))
  .sort();
const load = (f: string): AzureSnapshot => JSON.parse(readFileSync(join(ROOT, "fixtures/azure", f), "utf8"));

function opts(emu: ArmEmulator, snap: AzureSnapshot, extra: Partial<AzureCollectOptions> = {}): AzureCollectOptions {
  return {
    subscriptionId: String(snap.scope.subscriptionId),
    resourceGroup: String(snap.scope.resourceGroup),
    credential: staticTokenCredential("test"),
    endpoint: emu.url,
    ca: emu.ca,
    pollIntervalMs: 5,
    retryDelayMs: 5,
    now: () => new Date("2026-11-20T10:00:00Z"),
    ...extra,
  };
}

const byId = (rs: ArmResource[]) => new Map(rs.map((r) => [idKey(r.id), r]));
const normGuest = (g: GuestObservation) => ({
  listening: (g.listening ?? []).map((l) => `${l.protocol}/${l.address ?? "0.0.0.0"}:${l.port}`).sort(),
  connections: (g.connections ?? []).map((c) => c.remote).sort(),
});

function assertRoundTrip(fixture: AzureSnapshot, got: AzureSnapshot, label: string) {
  const want = byId(fixture.resources);
  const have = byId(got.resources);
  assert.deepEqual([...have.keys()].sort(), [...want.keys()].sort(), `${label}: resource ids`);
  for (const [k, r] of want) assert.deepEqual(have.get(k), r, `${label}: ${r.id}`);
  const fo = fixture.observations ?? {};
  const go = got.observations ?? {};
  assert.deepEqual(go.ruleHealth ?? {}, fo.ruleHealth ?? {}, `${label}: rule health`);
  assert.deepEqual(go.effectiveNetworkSecurityGroups ?? {}, fo.effectiveNetworkSecurityGroups ?? {}, `${label}: effective NSGs`);
  const fg = Object.fromEntries(Object.entries(fo.guest ?? {}).map(([k, v]) => [idKey(k), normGuest(v)]));
  const gg = Object.fromEntries(Object.entries(go.guest ?? {}).map(([k, v]) => [idKey(k), normGuest(v)]));
  for (const [k, v] of Object.entries(fg)) assert.deepEqual(gg[k], v, `${label}: guest ${k}`);
}

describe("Azure collectors against the ARM emulator: round trip of every fixture", () => {
  for (const pageSize of [100, 1]) {
    for (const f of FIXTURES) {
      it(`${f} (page size ${pageSize})`, async () => {
        const fixture = load(f);
        const emu = await startArmEmulator({ snapshots: [fixture], pageSize });
        try {
          const hasEffective = Object.keys(fixture.observations?.effectiveNetworkSecurityGroups ?? {}).length > 0;
          const got = await collectAzure(opts(emu, fixture, { effectiveNsg: hasEffective, guest: true }));
          assertRoundTrip(fixture, got, f);
          assert.equal(got.schema, "lbdoctor.snapshot/v1");
          if (pageSize === 1) assert.ok((emu.counts()["networkInterfaces.list"] ?? 0) >= 1);
        } finally {
          await emu.close();
        }
      });
    }
  }
});

describe("Azure collectors: call economy, faults and gaps", () => {
  let emu: ArmEmulator;
  // guest observations too: the emulator answers a run-command from them (a VM without one gets 404)
  const listening = { listening: [{ protocol: "tcp" as const, port: 80, address: "0.0.0.0" }], connections: [] };
  const web = healthyWeb()
    .effectiveNsg("vm1-nic", { value: [] })
    .effectiveNsg("vm2-nic", { value: [] })
    .guest("vm1", listening)
    .guest("vm2", listening)
    .build();
  before(async () => {
    emu = await startArmEmulator({ snapshots: [web] });
  });
  after(() => emu.close());

  it("makes a fixed number of calls: one per list, one POST + one poll per LRO, no per-resource GETs", async () => {
    emu.resetCounts();
    emu.setFaults([]);
    await collectAzure(opts(emu, web, { effectiveNsg: true }));
    const c = emu.counts();
    for (const list of [
      "loadBalancers.list",
      "networkInterfaces.list",
      "networkSecurityGroups.list",
      "virtualNetworks.list",
      "routeTables.list",
      "publicIPAddresses.list",
      "applicationSecurityGroups.list",
      "natGateways.list",
      "virtualMachines.list",
      "availabilitySets.list",
      "virtualMachineScaleSets.list",
    ]) {
      assert.equal(c[list], 1, `${list} called once`);
    }
    assert.equal(c["loadBalancingRules.health"], 1, "one health LRO for the one rule with a probe");
    assert.equal(c["networkInterfaces.listEffectiveNetworkSecurityGroups"], 2, "effective NSGs for the two running members");
    assert.equal(c["resource.get"] ?? 0, 0, "nothing fetched one by one");
    assert.equal(emu.total(), 11 + 2 + 4, `total calls: ${JSON.stringify(c)}`);
  });

  it("LROs poll by the server's Retry-After: 0 polls at once (no fixed wait before the first poll), 1 waits a second", async () => {
    const timed = async (retryAfter: number, pollIntervalMs: number) => {
      const lro = await startArmEmulator({ snapshots: [web], lroRetryAfterSeconds: retryAfter });
      try {
        const t0 = performance.now();
        const snap = await collectAzure(opts(lro, web, { effectiveNsg: false, pollIntervalMs }));
        const ms = performance.now() - t0;
        assert.deepEqual(snap.gaps, []);
        assert.equal(Object.keys(snap.observations?.ruleHealth ?? {}).length, 1);
        assert.equal(lro.counts()["lro.poll"], 1, "one poll: the result was ready when it came");
        return ms;
      } finally {
        await lro.close();
      }
    };
    // Retry-After: 0 wins over a long poll interval: the poll comes at once
    assert.ok((await timed(0, 5_000)) < 3_000);
    // Retry-After: 1 wins over a short poll interval: the poll waits for it
    assert.ok((await timed(1, 5)) >= 1_000);
  });

  it("every LRO polls when the server's Retry-After says, as the emulator sees it: the resource-group path, Resource Graph --deep, the watch poller", async () => {
    // what each path drives: rule health, effective NSGs and run-command (--guest); rule health and effective NSGs (--deep); rule health (watch)
    const paths: Record<string, (emu: ArmEmulator, pollIntervalMs: number) => Promise<unknown>> = {
      "resource group": (e, pollIntervalMs) => collectAzure(opts(e, web, { effectiveNsg: true, guest: true, pollIntervalMs })),
      "resource graph --deep": (e, pollIntervalMs) =>
        collectAzureGraph({
          subscriptionIds: [SUB],
          credential: staticTokenCredential("test"),
          endpoint: e.url,
          ca: e.ca,
          deep: true,
          pollIntervalMs,
        }),
      "watch poller": async (e, pollIntervalMs) => {
        const poller = await ruleHealthPoller({
          subscriptionId: SUB,
          credential: staticTokenCredential("test"),
          endpoint: e.url,
          ca: e.ca,
          pollIntervalMs,
        });
        const ruleIds = Object.keys(web.observations?.ruleHealth ?? {});
        assert.ok(ruleIds.length > 0);
        return poller.poll(ruleIds);
      },
    };
    const observe = async (retryAfter: number | undefined, pollIntervalMs: number, path: string) => {
      const lro = await startArmEmulator({ snapshots: [web], ...(retryAfter !== undefined ? { lroRetryAfterSeconds: retryAfter } : {}) });
      try {
        await paths[path]?.(lro, pollIntervalMs);
        const lros = lro.lros();
        assert.ok(lros.length > 0, `${path}: LROs started`);
        return lros.map((o) => ({ ...o, waitMs: (o.firstPollAt ?? Number.POSITIVE_INFINITY) - o.startedAt }));
      } finally {
        await lro.close();
      }
    };
    for (const path of Object.keys(paths)) {
      // Retry-After: 0 over a 5 s poll interval: the first poll comes at once, and finds the result (one poll each)
      const now = await observe(0, 5_000, path);
      if (path === "resource group") {
        assert.deepEqual([...new Set(now.map((o) => o.operation))].sort(), [
          "loadBalancingRules.health",
          "networkInterfaces.listEffectiveNetworkSecurityGroups",
          "virtualMachines.runCommand",
        ]);
      }
      for (const o of now) {
        assert.equal(o.polls, 1, `${path} ${o.operation}: one poll`);
        assert.ok(o.waitMs < 2_500, `${path} ${o.operation}: polled ${o.waitMs} ms after the 202, not after the 5 s interval`);
      }
      // Retry-After: 1 over a 5 ms poll interval: the first poll waits the second the server asked for
      for (const o of await observe(1, 5, path)) assert.ok(o.waitMs >= 950, `${path} ${o.operation}: polled ${o.waitMs} ms after the 202`);
      // no Retry-After: the client's own poll interval
      for (const o of await observe(undefined, 400, path))
        assert.ok(o.waitMs >= 350, `${path} ${o.operation}: polled ${o.waitMs} ms after the 202`);
    }
  });

  it("--guest against a snapshot without guest observations: a gap per VM, never a made-up empty socket list", async () => {
    const bare = healthyWeb().effectiveNsg("vm1-nic", { value: [] }).effectiveNsg("vm2-nic", { value: [] }).build();
    const e = await startArmEmulator({ snapshots: [bare] });
    try {
      const snap = await collectAzure(opts(e, bare, { effectiveNsg: true, guest: true }));
      assert.deepEqual(snap.observations?.guest ?? {}, {}, "no observation is invented");
      const gaps = (snap.gaps ?? []).filter((g) => /runCommand/i.test(g.operation));
      assert.ok(gaps.length > 0, `a run-command gap: ${JSON.stringify(snap.gaps)}`);
      for (const g of gaps) assert.equal(g.status, 404);
    } finally {
      await e.close();
    }
  });

  it("keeps the run's bound on requests in flight, lists, pages and LRO polls alike, as the emulator sees it", async () => {
    const busy = await startArmEmulator({ snapshots: [web], latencyMs: 25, pageSize: 1, lroRetryAfterSeconds: 0 });
    try {
      const snap = await collectAzure(opts(busy, web, { effectiveNsg: true, concurrency: 3 }));
      assert.deepEqual(snap.gaps, []);
      assert.ok(busy.total() > 15, `${busy.total()} requests`);
      assert.ok(busy.maxInFlight() <= 3, `${busy.maxInFlight()} requests in flight at once, bound 3`);
      assert.ok(busy.maxInFlight() >= 2, "independent calls ran side by side");
    } finally {
      await busy.close();
    }
  });

  it("a call that hangs late in collection times out: a gap on it, everything else collected", async () => {
    emu.resetCounts();
    emu.setFaults([{ route: "loadBalancingRules.health", status: 0, latencyMs: 5_000 }]);
    try {
      const t0 = performance.now();
      const snap = await collectAzure(opts(emu, web, { effectiveNsg: false, requestTimeoutMs: 300, maxRetries: 0 }));
      assert.ok(performance.now() - t0 < 4_000, "the run did not wait for the hung call");
      assert.deepEqual(
        snap.gaps?.map((g) => g.operation),
        ["loadBalancerLoadBalancingRules.health"],
      );
      assert.deepEqual(snap.observations?.ruleHealth, {});
      assert.deepEqual(snap.resources.map((r) => r.id).sort(), web.resources.map((r) => r.id).sort());
    } finally {
      emu.setFaults([]);
    }
  });

  it("a 429 with Retry-After is retried and the run completes without a gap", async () => {
    emu.resetCounts();
    emu.setFaults([{ route: "loadBalancers.list", status: 429, times: 1, retryAfterMs: 20 }]);
    const snap = await collectAzure(opts(emu, web, { effectiveNsg: false }));
    assert.equal(emu.counts()["loadBalancers.list"], 2);
    assert.equal(snap.gaps?.length, 0);
    assert.ok(snap.resources.some((r) => r.type === "Microsoft.Network/loadBalancers"));
  });

  it("a 403 on effective NSGs is a gap; the run completes and the undecidable verdict cites it", async () => {
    // an Internet-sourced deny makes the probe verdict depend on the tag's expansion, which only the effective rules give
    const snapshot = healthyWeb()
      .nsgRule("nsg-web", { name: "deny-internet", priority: 3000, access: "Deny", protocol: "*", source: "Internet", ports: "*" })
      .build();
    const e = await startArmEmulator({
      snapshots: [snapshot],
      faults: [{ route: "networkInterfaces.listEffectiveNetworkSecurityGroups", status: 403 }],
    });
    try {
      const snap = await collectAzure(opts(e, snapshot, { effectiveNsg: true }));
      const gaps = snap.gaps ?? [];
      assert.equal(gaps.length, 2, JSON.stringify(gaps));
      assert.ok(gaps.every((g) => g.status === 403 && g.code === "AuthorizationFailed"));
      const findings = runRules(buildAzureModel(snap), rules);
      const probe = findings.filter((f) => f.ruleId === "azure/probe-blocked-by-nsg");
      assert.ok(probe.length > 0 && probe.every((f) => f.status === "unknown"), JSON.stringify(probe.map((f) => f.status)));
      assert.match(probe[0]?.message ?? "", /could not be read \(403 AuthorizationFailed\)/);
      assert.ok(
        findings.some((f) => f.status === "pass"),
        "the rest of the report still runs",
      );
    } finally {
      await e.close();
    }
  });

  it("a 500 on one load balancer's health leaves the other load balancer diagnosed", async () => {
    const two = healthyWeb().build();
    const internal = healthyInternal().build();
    const e = await startArmEmulator({
      snapshots: [two, internal],
      faults: [{ route: "loadBalancingRules.health", path: /lb-web/i, status: 500 }],
    });
    try {
      const snap = await collectAzure(opts(e, two, { effectiveNsg: false, maxRetries: 1 }));
      assert.ok((snap.gaps ?? []).some((g) => g.status === 500 && /lb-web/.test(g.resourceId ?? "")));
      const findings = runRules(buildAzureModel(snap), rules);
      const health = (lb: string) =>
        findings.filter((f) => f.ruleId === "azure/backend-unhealthy" && idKey(f.loadBalancerId ?? "") === idKey(ids.lb(lb)));
      assert.ok(
        health("lb-web").every((f) => f.status === "unknown"),
        "the LB whose health failed is unknown, not a pass",
      );
      assert.ok(
        health("lb-internal").some((f) => f.status === "pass"),
        "the other LB is still diagnosed",
      );
    } finally {
      await e.close();
    }
  });

  it("references into another resource group are fetched by id", async () => {
    const snapshot = healthyWeb().build();
    // move the VNet into a network resource group
    const vnet = snapshot.resources.find((r) => r.type === "Microsoft.Network/virtualNetworks") as ArmResource;
    const vnetPath = "/resourceGroups/ra-multi-vm-rg/providers/Microsoft.Network/virtualNetworks/";
    const moved = JSON.parse(
      JSON.stringify(vnet).replaceAll(vnetPath, "/resourceGroups/network-rg/providers/Microsoft.Network/virtualNetworks/"),
    ) as ArmResource;
    const text = JSON.stringify(snapshot.resources.filter((r) => r !== vnet)).replaceAll(
      "/resourceGroups/ra-multi-vm-rg/providers/Microsoft.Network/virtualNetworks/",
      "/resourceGroups/network-rg/providers/Microsoft.Network/virtualNetworks/",
    );
    const crossRg: AzureSnapshot = { ...snapshot, resources: [...JSON.parse(text), moved] };
    const e = await startArmEmulator({ snapshots: [crossRg] });
    try {
      const snap = await collectAzure(opts(e, crossRg, { effectiveNsg: false }));
      assert.ok(
        snap.resources.some((r) => idKey(r.id) === idKey(moved.id)),
        "the VNet in network-rg was fetched",
      );
      assert.equal(e.counts()["resource.get"], 1);
      const m = buildAzureModel(snap);
      assert.equal(m.gaps.filter((g) => g.kind === "dangling-reference").length, 0);
    } finally {
      await e.close();
    }
  });

  it("secrets never reach the snapshot: osProfile, customData, connection strings", async () => {
    const snapshot = healthyWeb()
      .edit(ids.vm("vm1"), (r) => {
        P(r).osProfile = { computerName: "vm1", adminUsername: "azureuser", adminPassword: "Sup3r$ecret!", customData: "IyEvYmluL2Jhc2g=" };
        P(r).userData = "c2VjcmV0";
        r.tags = { conn: "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcdefghijklmnop==;EndpointSuffix=core.windows.net" };
      })
      .build();
    const e = await startArmEmulator({ snapshots: [snapshot] });
    try {
      const snap = await collectAzure(opts(e, snapshot, { effectiveNsg: false }));
      const text = JSON.stringify(snap);
      for (const secret of ["Sup3r$ecret!", "IyEvYmluL2Jhc2g=", "c2VjcmV0", "abcdefghijklmnop=="])
        assert.ok(!text.includes(secret), `${secret} leaked`);
      assert.match(text, /AccountKey=\[redacted\]/);
    } finally {
      await e.close();
    }
  });
});

describe("lbdoctor check <rg> live, against the emulator", () => {
  let emu: ArmEmulator;
  let env: Record<string, string>;
  const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-live-"));
  before(async () => {
    emu = await startArmEmulator({ snapshots: [load("demo.json")], token: "good-token" });
    const ca = join(tmp, "ca.pem");
    writeFileSync(ca, emu.ca);
    env = { LBDOCTOR_ARM_ENDPOINT: emu.url, LBDOCTOR_ARM_CA_FILE: ca, LBDOCTOR_ARM_TOKEN: "good-token", AZURE_SUBSCRIPTION_ID: SUB };
  });
  after(() => emu.close());

  it("gives the same findings as --snapshot on the same fixture", async () => {
    const live = await lbdoctorAsync(["check", "ra-multi-vm-rg", "--format", "json", "--no-effective-nsg"], env);
    assert.equal(live.code, 1, live.stderr);
    const offline = await lbdoctorAsync(["check", "--snapshot", join(ROOT, "fixtures/azure/demo.json"), "--format", "json"], {});
    const key = (r: string) =>
      (JSON.parse(r).findings as Array<{ id: string; status: string; messageId?: string }>)
        .map((f) => `${f.id} ${f.status} ${f.messageId ?? ""}`)
        .sort();
    assert.deepEqual(key(live.stdout), key(offline.stdout));
    assert.equal(live.stderr, "", "no progress on stderr when JSON goes to stdout");
  });

  it("prints progress on stderr in text mode, and --quiet silences it", async () => {
    const text = await lbdoctorAsync(["check", "ra-multi-vm-rg"], env);
    assert.match(text.stderr, /collected \d+ resources in \d+ calls/);
    assert.match(text.stdout, /azure\/probe-blocked-by-nsg/);
    const quiet = await lbdoctorAsync(["check", "ra-multi-vm-rg", "--quiet"], env);
    assert.equal(quiet.stderr, "");
  });

  it("a missing resource group exits 2 with a clear message", async () => {
    const r = await lbdoctorAsync(["check", "no-such-rg"], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /resource group 'no-such-rg' was not found/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it("a bad credential exits 2 with what to do", async () => {
    const r = await lbdoctorAsync(["check", "ra-multi-vm-rg"], { ...env, LBDOCTOR_ARM_TOKEN: "wrong" });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /rejected the credentials/);
  });

  it("lbdoctor snapshot writes a snapshot that checks offline like the original; --redact masks ids, IPs and tags consistently", async () => {
    const out = join(tmp, "snap.json");
    const r = await lbdoctorAsync(["snapshot", "ra-multi-vm-rg", "-o", out, "--no-effective-nsg", "--redact"], env);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(out, "utf8");
    assert.ok(!text.includes(SUB), "subscription id masked");
    assert.ok(!text.includes("20.50.60.70"), "public IP masked");
    const snap = JSON.parse(text) as AzureSnapshot;
    assert.equal(snap.redacted, true);
    const check = await lbdoctorAsync(["check", "--snapshot", out, "--format", "json"], {});
    assert.equal(check.code, 1, check.stderr);
    const failing = new Set(
      (JSON.parse(check.stdout).findings as Array<{ ruleId: string; status: string }>)
        .filter((f) => f.status === "fail")
        .map((f) => f.ruleId),
    );
    assert.ok(failing.has("azure/probe-blocked-by-nsg"), "references still line up after masking");
  });
});

describe("Resource Graph: a subscription the credential cannot read", () => {
  const snap = load("healthy-web.json");
  const sub = String(snap.scope.subscriptionId);
  const other = "33333333-3333-3333-3333-333333333333";
  const hidden = structuredClone(snap);
  hidden.scope.subscriptionId = other;
  for (const r of hidden.resources) r.id = r.id.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${other}`);
  let emu: ArmEmulator;
  before(async () => {
    emu = await startArmEmulator({ snapshots: [snap, hidden], unreadableSubscriptions: [other] });
  });
  after(() => emu.close());
  const graphOpts = { credential: staticTokenCredential("test"), retryDelayMs: 5 };

  it("is a gap covering its data, found with one extra query, not an empty subscription; its rules say unknown", async () => {
    emu.resetCounts();
    const got = await collectAzureGraph({ ...graphOpts, endpoint: emu.url, ca: emu.ca, subscriptionIds: [sub, other] });
    const gaps = got.gaps ?? [];
    assert.deepEqual(
      gaps.map((g) => [g.operation, g.resourceId]),
      [["resourceGraph.subscriptions", `/subscriptions/${other}`]],
      JSON.stringify(gaps),
    );
    assert.match(gaps[0]?.message ?? "", /does not list this subscription among those the credential can read/);
    assert.deepEqual(got.scope.subscriptionIds, [sub, other]);
    assert.ok(got.resources.length > 0 && got.resources.every((r) => r.id.includes(`/subscriptions/${sub}/`)));
    // the readable-subscriptions listing and the resources query: one query more than without the check
    assert.equal(emu.counts()["resourceGraph.resources"], 2, JSON.stringify(emu.counts()));
    const findings = runRules(buildAzureModel(got), rules);
    const onOther = findings.filter((f) => idKey(f.resourceId) === idKey(`/subscriptions/${other}`));
    assert.ok(onOther.length > 0 && onOther.every((f) => f.status === "unknown"), JSON.stringify(onOther.map((f) => f.ruleId)));
    assert.ok(onOther.some((f) => f.ruleId === "azure/probe-blocked-by-nsg"));
    assert.ok(
      findings.some((f) => f.ruleId === "azure/probe-blocked-by-nsg" && f.status === "pass"),
      "the readable one still passes",
    );
  });

  it("with --all-subscriptions, an asked subscription the listing leaves out is the same gap, without another query", async () => {
    emu.resetCounts();
    const got = await collectAzureGraph({ ...graphOpts, endpoint: emu.url, ca: emu.ca, subscriptionIds: [other], allSubscriptions: true });
    assert.deepEqual(
      (got.gaps ?? []).map((g) => [g.operation, g.resourceId]),
      [["resourceGraph.subscriptions", `/subscriptions/${other}`]],
    );
    assert.equal(emu.counts()["resourceGraph.resources"], 2, JSON.stringify(emu.counts()));
  });

  it("when the listing itself fails, every asked subscription is still read, and one that gave nothing is a gap (an empty one cannot be told from an unreadable one)", async () => {
    emu.resetCounts();
    emu.setFaults([{ route: "resourceGraph.resources", status: 400, code: "BadRequest", times: 1 }]);
    try {
      const got = await collectAzureGraph({ ...graphOpts, endpoint: emu.url, ca: emu.ca, subscriptionIds: [sub, other] });
      assert.deepEqual(
        (got.gaps ?? []).map((g) => [g.operation, g.resourceId, g.status]),
        // the read one has no gap: a failed listing says nothing of the credential's roles
        [["resourceGraph.subscriptions", `/subscriptions/${other}`, 400]],
      );
      assert.match(got.gaps?.[0]?.message ?? "", /an empty subscription cannot be told from one the credential cannot read/);
      assert.ok(got.resources.some((r) => r.type === "Microsoft.Network/loadBalancers"));
      const findings = runRules(buildAzureModel(got), rules);
      const onOther = findings.filter((f) => idKey(f.resourceId) === idKey(`/subscriptions/${other}`));
      assert.ok(onOther.length > 0 && onOther.every((f) => f.status === "unknown"), "no pass past the gap");
      assert.ok(
        findings.some((f) => f.ruleId === "azure/probe-blocked-by-nsg" && f.status === "pass"),
        "the read one passes",
      );
    } finally {
      emu.setFaults([]);
    }
  });
});

describe("Resource Graph: the readable-subscriptions listing only informs the gaps", () => {
  const snap = load("healthy-web.json");
  const sub = String(snap.scope.subscriptionId);
  const moved = (to: string) => {
    const h = structuredClone(snap);
    h.scope.subscriptionId = to;
    for (const r of h.resources) r.id = r.id.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${to}`);
    return h;
  };
  const b = "bbbbbbbb-3333-3333-3333-333333333333";
  const other = "3333aaaa-3333-3333-3333-333333333333";
  const graphOpts = { credential: staticTokenCredential("test"), retryDelayMs: 5 };
  const onSub = (findings: ReturnType<typeof runRules>, s: string) => findings.filter((f) => f.resourceId.toLowerCase().includes(s));
  /** A stand-in for Resource Graph: `answer` gives each request's status and body. */
  const fakeGraph = async (answer: (req: { query: string; subscriptions?: string[] }) => { status: number; body: unknown }) => {
    const { createServer } = await import("node:https");
    const { generateCert } = await import("../src/providers/azure/emulator/cert.ts");
    const cert = await generateCert();
    const seen: Array<{ query: string; subscriptions?: string[] }> = [];
    const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        const parsed = JSON.parse(body) as { query: string; subscriptions?: string[] };
        seen.push(parsed);
        const a = answer(parsed);
        res.writeHead(a.status, { "content-type": "application/json" });
        res.end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    return { url: `https://127.0.0.1:${port}`, ca: cert.cert, seen, close: () => server.close() };
  };
  const supportMessage =
    "Please provide below info when asking for support: timestamp = 2024-01-03T00:55:29.5556950Z, correlationId = 05f5e58e-03ef-4aea-a6d7-7200f7e742f6.";
  const noValid = (subs: string[] | undefined) => ({
    status: 400,
    body: {
      error: {
        code: "BadRequest",
        message: supportMessage,
        details: [
          {
            code: "NoValidSubscriptionsInQueryRequest",
            message: `There must be at least one subscription that is eligible to contain resources. Given: '${(subs ?? []).join(",")}'.`,
          },
        ],
      },
    },
  });

  it("a failed listing (403 naming no scope, or 503 past the retries) says nothing of the credential's roles: a subscription whose resources were read gets no gap, and its load balancers pass", async () => {
    const emu = await startArmEmulator({ snapshots: [snap, moved(b)] });
    try {
      for (const fault of [
        {
          route: "resourceGraph.resources",
          status: 403,
          code: "AuthorizationFailed",
          message: "The client does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read'.",
          times: 1,
        },
        { route: "resourceGraph.resources", status: 503, code: "ServiceUnavailable", times: 4 },
      ]) {
        emu.setFaults([fault]);
        const got = await collectAzureGraph({ ...graphOpts, endpoint: emu.url, ca: emu.ca, subscriptionIds: [sub, b] });
        assert.deepEqual(
          (got.gaps ?? []).map((g) => [g.operation, g.resourceId, g.status]),
          [],
          `${fault.status}: ${JSON.stringify(got.gaps)}`,
        );
        const findings = runRules(buildAzureModel(got), rules);
        for (const s of [sub, b]) {
          assert.ok(
            onSub(findings, s).some((f) => f.status === "pass"),
            `${fault.status}: ${s} passes`,
          );
        }
      }
    } finally {
      emu.setFaults([]);
      await emu.close();
    }
  });

  it("a subscription Resource Graph does not list but whose resources it returns (a role on a resource group only) is read, with the partial-view gap", async () => {
    const { toRow } = await import("../src/providers/azure/emulator/graph.ts");
    const rows = snap.resources.map((r) => toRow(r as ArmResource));
    const fake = await fakeGraph((req) =>
      /^ResourceContainers/.test(req.query)
        ? { status: 200, body: { totalRecords: 0, count: 0, data: [], facets: [], resultTruncated: "false" } }
        : { status: 200, body: { totalRecords: rows.length, count: rows.length, data: rows, facets: [], resultTruncated: "false" } },
    );
    try {
      const got = await collectAzureGraph({ ...graphOpts, endpoint: fake.url, ca: fake.ca, subscriptionIds: [sub] });
      assert.deepEqual(
        (got.gaps ?? []).map((g) => [g.operation, g.resourceId]),
        [["resourceGraph.resourceGroups", `/subscriptions/${sub}`]],
      );
      assert.ok(got.resources.some((r) => r.type === "Microsoft.Network/loadBalancers"));
      assert.deepEqual(
        fake.seen.map((q) => q.query.split(" ")[0]),
        ["ResourceContainers", "Resources"],
      );
    } finally {
      fake.close();
    }
  });

  it("Resource Graph's 400 NoValidSubscriptionsInQueryRequest: each asked subscription is the unreadable-subscription gap, and no gap shows the support boilerplate", async () => {
    const fake = await fakeGraph((req) => noValid(req.subscriptions));
    try {
      const got = await collectAzureGraph({ ...graphOpts, endpoint: fake.url, ca: fake.ca, subscriptionIds: [other, b] });
      assert.deepEqual(
        (got.gaps ?? []).map((g) => [g.operation, g.resourceId]),
        [
          ["resourceGraph.subscriptions", `/subscriptions/${other}`],
          ["resourceGraph.subscriptions", `/subscriptions/${b}`],
        ],
      );
      for (const g of got.gaps ?? []) {
        assert.match(g.message, /does not list this subscription among those the credential can read/);
        assert.doesNotMatch(g.message, /Please provide below info/);
      }
      await assert.rejects(collectAzureGraph({ ...graphOpts, endpoint: fake.url, ca: fake.ca, allSubscriptions: true }), (e: Error) =>
        /no subscription to read: Resource Graph lists none the credential can read/.test(e.message),
      );
    } finally {
      fake.close();
    }
  });

  it("a Resource Graph 400 whose message is the support boilerplate is shown by its detail's code and message", async () => {
    const fake = await fakeGraph((req) =>
      /^ResourceContainers/.test(req.query)
        ? {
            status: 200,
            body: { totalRecords: 1, count: 1, data: [{ subscriptionId: sub, name: "s" }], facets: [], resultTruncated: "false" },
          }
        : {
            status: 400,
            body: {
              error: {
                code: "BadRequest",
                message: supportMessage,
                details: [
                  {
                    code: "InvalidQuery",
                    message: "Query is invalid. Please refer to the documentation for the Azure Resource Graph service.",
                  },
                ],
              },
            },
          },
    );
    try {
      const got = await collectAzureGraph({ ...graphOpts, endpoint: fake.url, ca: fake.ca, subscriptionIds: [sub] });
      assert.deepEqual(
        (got.gaps ?? []).map((g) => [g.operation, g.resourceId, g.status, g.code, g.message]),
        [
          [
            "resourceGraph.resources",
            `/subscriptions/${sub}`,
            400,
            "InvalidQuery",
            "Query is invalid. Please refer to the documentation for the Azure Resource Graph service.",
          ],
        ],
      );
    } finally {
      fake.close();
    }
  });

  it("the emulator: an unreadable subscription asked in two casings is one subscription and one gap", async () => {
    const emu = await startArmEmulator({ snapshots: [snap, moved(other)], unreadableSubscriptions: [other] });
    try {
      const got = await collectAzureGraph({
        ...graphOpts,
        endpoint: emu.url,
        ca: emu.ca,
        subscriptionIds: [other.toUpperCase(), other, ` ${sub.toUpperCase()} `],
      });
      assert.deepEqual(got.scope.subscriptionIds, [other, sub]);
      assert.deepEqual(
        (got.gaps ?? []).map((g) => [g.operation, g.resourceId]),
        [["resourceGraph.subscriptions", `/subscriptions/${other}`]],
      );
      assert.match(got.gaps?.[0]?.message ?? "", /does not list this subscription/);
      const alone = await collectAzureGraph({ ...graphOpts, endpoint: emu.url, ca: emu.ca, subscriptionIds: [other.toUpperCase(), other] });
      assert.deepEqual(alone.scope.subscriptionIds, [other]);
      assert.equal(alone.gaps?.length, 1, JSON.stringify(alone.gaps));
      assert.doesNotMatch(alone.gaps?.[0]?.message ?? "", /Please provide below info/);
    } finally {
      await emu.close();
    }
  });

  it("the listing runs in the `subscriptions` phase, before the resource graph phase", async () => {
    const emu = await startArmEmulator({ snapshots: [snap] });
    try {
      const seen: string[] = [];
      await collectAzureGraph({
        ...graphOpts,
        endpoint: emu.url,
        ca: emu.ca,
        subscriptionIds: [sub],
        onEvent: (e) => {
          if (e.type === "phase") seen.push(`phase ${e.name}`);
          else if (e.type === "call") seen.push(`call ${e.operation}`);
        },
      });
      assert.deepEqual(seen.slice(0, 4), [
        "phase subscriptions",
        "call resourceGraph.subscriptions",
        "phase resource graph",
        "call resourceGraph.resources",
      ]);
    } finally {
      await emu.close();
    }
  });
});

describe("Resource Graph: a subscription read through some of its resource groups only", () => {
  const graphOpts = { credential: staticTokenCredential("test"), retryDelayMs: 5 };
  const base = load("data-port-blocked-by-nsg.json");
  const sub = String(base.scope.subscriptionId);
  const lbGroup = `/subscriptions/${sub}/resourceGroups/lb-rg`;
  /** the fixture with its load balancer in resource group lb-rg (the NICs' pool references follow it) */
  const lbElsewhere = JSON.parse(
    JSON.stringify(base).replaceAll(
      "/resourceGroups/ra-multi-vm-rg/providers/Microsoft.Network/loadBalancers/",
      "/resourceGroups/lb-rg/providers/Microsoft.Network/loadBalancers/",
    ),
  ) as AzureSnapshot;

  it("the emulator leaves the unreadable group's rows out and does not list the subscription; the collector records the partial-view gap", async () => {
    const emu = await startArmEmulator({ snapshots: [lbElsewhere], unreadableResourceGroups: [lbGroup] });
    try {
      const got = await collectAzureGraph({ ...graphOpts, endpoint: emu.url, ca: emu.ca, subscriptionIds: [sub] });
      assert.ok(!got.resources.some((r) => r.type === "Microsoft.Network/loadBalancers"), "the load balancer is not readable");
      assert.ok(
        got.resources.some((r) => r.type === "Microsoft.Network/networkInterfaces"),
        "the readable group's NICs are read",
      );
      assert.deepEqual(
        (got.gaps ?? []).map((g) => [g.operation, g.resourceId]),
        [["resourceGraph.resourceGroups", `/subscriptions/${sub}`]],
      );
      assert.match(got.gaps?.[0]?.message ?? "", /some of its resource groups only/);
      // no all-clear: what the rules say of the whole subscription is unknown, on the subscription
      const findings = runRules(
        buildAzureModel(got),
        rules.filter((r) => r.provider === "azure"),
      );
      assert.deepEqual(
        findings.filter((f) => f.resourceId === "" && (f.status === "pass" || f.status === "not-applicable")).map((f) => f.ruleId),
        [],
      );
      assert.ok(!findings.some((f) => f.ruleId === "azure/backend-pool-empty" && f.status === "pass"));
      assert.ok(findings.some((f) => f.status === "unknown" && f.resourceId === `/subscriptions/${sub}`));
    } finally {
      await emu.close();
    }
  });

  it("the load balancers that were read are diagnosed from their own data; the subscription-wide statement is what becomes unknown", async () => {
    const emu = await startArmEmulator({ snapshots: [base], unreadableResourceGroups: [`/subscriptions/${sub}/resourceGroups/other-rg`] });
    try {
      const got = await collectAzureGraph({ ...graphOpts, endpoint: emu.url, ca: emu.ca, subscriptionIds: [sub] });
      assert.deepEqual(
        (got.gaps ?? []).map((g) => [g.operation, g.resourceId]),
        [["resourceGraph.resourceGroups", `/subscriptions/${sub}`]],
      );
      const findings = runRules(
        buildAzureModel(got),
        rules.filter((r) => r.provider === "azure"),
      );
      const full = runRules(
        buildAzureModel({ ...got, gaps: [] }),
        rules.filter((r) => r.provider === "azure"),
      );
      const onLbs = (fs: typeof findings) =>
        fs
          .filter((f) => f.resourceId !== "" && f.resourceId.toLowerCase() !== `/subscriptions/${sub}`)
          .map((f) => [f.id, f.status])
          .sort();
      assert.deepEqual(onLbs(findings), onLbs(full), "the findings on what was read are unchanged");
      assert.ok(findings.some((f) => f.ruleId === "azure/data-port-blocked-by-nsg" && f.status === "fail"));
      assert.ok(findings.some((f) => f.status === "unknown" && f.resourceId === `/subscriptions/${sub}`));
    } finally {
      await emu.close();
    }
  });
});

describe("Resource Graph: subscription ids only", () => {
  it("a value that is not a subscription id is an InputError naming it, before any request", async () => {
    const snap = load("healthy-web.json");
    const emu = await startArmEmulator({ snapshots: [snap] });
    try {
      emu.resetCounts();
      await assert.rejects(
        collectAzureGraph({
          credential: staticTokenCredential("test"),
          retryDelayMs: 5,
          endpoint: emu.url,
          ca: emu.ca,
          subscriptionIds: [String(snap.scope.subscriptionId), "Prod-Sub"],
        }),
        (e: Error) => e.name === "InputError" && /"Prod-Sub" is not one/.test(e.message),
      );
      assert.deepEqual(
        Object.values(emu.counts()).reduce((a, n) => a + n, 0),
        0,
      );
    } finally {
      await emu.close();
    }
  });
});

describe("the resource-group path against a resource group the caller holds no role on (the emulator's unreadableResourceGroups)", () => {
  const rg = String(healthyWeb().build().scope.resourceGroup);
  /** healthyWeb with its load balancer in lb-rg and its VNet in network-rg (every reference follows them) */
  const moved = (): AzureSnapshot =>
    JSON.parse(
      JSON.stringify(healthyWeb().build())
        .replaceAll(
          `/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/`,
          "/resourceGroups/lb-rg/providers/Microsoft.Network/loadBalancers/",
        )
        .replaceAll(
          `/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/`,
          "/resourceGroups/network-rg/providers/Microsoft.Network/virtualNetworks/",
        ),
    ) as AzureSnapshot;
  const hidden = [`/subscriptions/${SUB}/resourceGroups/lb-rg`, `/subscriptions/${SUB}/resourceGroups/network-rg`];
  const netId = (type: string, name: string, group: string) =>
    `/subscriptions/${SUB}/resourceGroups/${group}/providers/Microsoft.Network/${type}/${name}`;

  it("asked for that group: every list is refused, so the run stops with an InputError (exit 2) naming the group and ARM's answer", async () => {
    const snap = moved();
    const emu = await startArmEmulator({ snapshots: [snap], unreadableResourceGroups: hidden });
    try {
      await assert.rejects(collectAzure(opts(emu, snap, { resourceGroup: "lb-rg" })), (e: Error) => {
        assert.equal(e.name, "InputError");
        assert.match(
          e.message,
          new RegExp(
            `^not authorized to read resource group 'lb-rg' in subscription ${SUB}: every list was refused \\(403 AuthorizationFailed: The client does not have authorization to perform action 'Microsoft\\.\\w+/\\w+/read' over scope '/subscriptions/${SUB}/resourceGroups/lb-rg/providers/`,
          ),
        );
        return true;
      });
    } finally {
      await emu.close();
    }
  });

  it("a readable group whose VNet and load balancer are in such groups: the VNet's 403 is a gap, the run completes, and no rule gives an all-clear for the scope", async () => {
    const snap = moved();
    const emu = await startArmEmulator({ snapshots: [snap], unreadableResourceGroups: hidden });
    try {
      const got = await collectAzure(opts(emu, snap, { effectiveNsg: false }));
      assert.deepEqual((got.gaps ?? []).map((g) => [g.operation, g.status, g.code, g.resourceId]).sort(), [
        ["loadBalancers.get", 403, "AuthorizationFailed", netId("loadBalancers", "lb-web", "lb-rg")],
        ["virtualNetworks.get", 403, "AuthorizationFailed", netId("virtualNetworks", "vnet-web", "network-rg")],
      ]);
      assert.ok(got.resources.some((r) => r.type === "Microsoft.Network/networkInterfaces"));
      const m = buildAzureModel(got);
      assert.ok(
        m.gaps.some(
          (g) => g.kind === "collection" && g.operation === "resolve" && g.resourceId === netId("loadBalancers", "lb-web", "lb-rg"),
        ),
      );
      const findings = runRules(
        m,
        rules.filter((r) => r.provider === "azure"),
      );
      assert.deepEqual(
        findings.filter((f) => f.resourceId === "" && (f.status === "pass" || f.status === "not-applicable")).map((f) => f.ruleId),
        [],
      );
      assert.ok(findings.some((f) => f.ruleId === "azure/backend-unhealthy" && f.status === "unknown" && /lb-rg/.test(f.message)));
    } finally {
      await emu.close();
    }
  });
});
