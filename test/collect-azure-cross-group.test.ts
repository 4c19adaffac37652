/**
 * Live collection of a resource group whose NICs are members of a load balancer in another resource group: the real
 * Azure SDK clients against the ARM emulator on 127.0.0.1. The load balancer is fetched by id (one GET), its rule
 * health and the group's members' effective NSGs are read, and the rules decide about the group's NICs and VMs; the
 * load balancer's members in other groups are not fetched. A refused or missing load balancer is a gap, never a crash
 * or a pass.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rules } from "../rules/index.ts";
import type { CollectEvent } from "../src/core/collect/events.ts";
import { diagnose } from "../src/core/diagnose.ts";
import { runRules, runRulesCounting } from "../src/core/engine/run.ts";
import type { Finding, Model, ModelGap } from "../src/core/engine/types.ts";
import type { ProviderAdapter } from "../src/core/provider.ts";
import type { Report } from "../src/core/report/report.ts";
import { azureProvider } from "../src/providers/azure/adapter.ts";
import { idKey } from "../src/providers/azure/arm-id.ts";
import { type AzureCollectOptions, collectAzure } from "../src/providers/azure/collect/collect.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { ruleHealthPoller } from "../src/providers/azure/collect/health.ts";
import { referencedIds } from "../src/providers/azure/collect/resources.ts";
import { type ArmEmulator, type ArmEmulatorOptions, startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import type { ArmResource, AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { type AzureScenario, computeId, healthyWeb, ids, netId, P, RG, rgId, SUB, WEB_LB, WEB_SUBNET } from "./support/azure-builder.ts";
import { lbdoctorAsync } from "./support/cli.ts";

const OTHER = "rg-lb-shared";
const azureRules = rules.filter((r) => r.provider === "azure");

/** An id of the builder's group moved into `rg`. */
const moved = (id: string, rg = OTHER) => id.replace(`/resourceGroups/${RG}/`, `/resourceGroups/${rg}/`);
const lbId = moved(ids.lb(WEB_LB));
const pipId = moved(ids.publicIp("pip-lb-web"));
const vm9NicId = moved(ids.nic("vm9-nic"));

/**
 * The subscription as the emulator serves it. The group RG holds vm1 and vm2 (in lb-web's pool; vm2 is Down for its
 * rule) and vm3 (in their availability set, in no pool). lb-web and its frontend's public IP are in OTHER, and so is
 * vm9, a third member of lb-web's pool. Every reference to the moved resources is rewritten with them. `more` adds
 * to the scenario before it is built, and `moving` names more resources to move into OTHER.
 */
function world(more: (s: AzureScenario) => AzureScenario = (s) => s, moving: string[] = []): AzureSnapshot {
  const scenario = healthyWeb()
    .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", availabilitySet: "avset-web" })
    .vm("vm9", { subnet: WEB_SUBNET, ip: "10.0.0.9", pools: [`${WEB_LB}/pool-web`] })
    .ruleHealth(WEB_LB, "rule-http", [
      { vm: "vm1", state: "Up" },
      { vm: "vm2", state: "Down" },
      { vm: "vm9", state: "Up" },
    ])
    .effectiveNsg("vm1-nic", { value: [] })
    .effectiveNsg("vm2-nic", { value: [] })
    .effectiveNsg("vm9-nic", { value: [] });
  const snap = more(scenario).build();
  let text = JSON.stringify(snap);
  for (const id of [ids.lb(WEB_LB), ids.publicIp("pip-lb-web"), ids.nic("vm9-nic"), ids.vm("vm9"), ...moving])
    text = text.replaceAll(`${id}/`, `${moved(id)}/`).replaceAll(`${id}"`, `${moved(id)}"`);
  return JSON.parse(text) as AzureSnapshot;
}

function opts(emu: ArmEmulator, extra: Partial<AzureCollectOptions> = {}): AzureCollectOptions {
  return {
    subscriptionId: String(world().scope.subscriptionId),
    resourceGroup: RG,
    credential: staticTokenCredential("test"),
    endpoint: emu.url,
    ca: emu.ca,
    pollIntervalMs: 5,
    retryDelayMs: 5,
    maxRetries: 0,
    now: () => new Date("2026-11-20T10:00:00Z"),
    ...extra,
  };
}

async function collected(snapshots: AzureSnapshot[], emuOpts: Partial<ArmEmulatorOptions> = {}) {
  const emu = await startArmEmulator({ snapshots, ...emuOpts });
  try {
    const snap = await collectAzure(opts(emu));
    return { snap, counts: emu.counts() };
  } finally {
    await emu.close();
  }
}

const has = (snap: AzureSnapshot, id: string) => snap.resources.some((r) => idKey(r.id) === idKey(id));
const results = (fs: Finding[], ruleId: string, name: string) =>
  fs.filter((f) => f.ruleId === ruleId && f.resourceName === name).map((f) => f.status);
const inTheGroup = (x: Finding) => x.resourceId.toLowerCase().includes(`/resourcegroups/${RG.toLowerCase()}/`);
/** the VMs and NICs of the collected group that lb-web's pool holds or would hold */
const groupMembers = new Set(["vm1", "vm2", "vm3"].flatMap((v) => [ids.vm(v), ids.nic(`${v}-nic`)]).map((x) => x.toLowerCase()));
const aboutGroupMembers = (x: Finding) =>
  x.resourceId === "" || groupMembers.has(x.resourceId.toLowerCase()) || x.subjects.some((k) => groupMembers.has(k));

describe("a NIC of the collected group in a load balancer of another resource group", () => {
  let snap: AzureSnapshot;
  let counts: Record<string, number>;
  before(async () => {
    ({ snap, counts } = await collected([world()]));
  });

  it("the load balancer is fetched by id, with its frontend's public IP; no gap, none for the load balancer in the model", () => {
    assert.ok(has(snap, lbId), "lb-web (other group) is in the snapshot");
    assert.ok(has(snap, pipId), "its frontend's public IP is followed");
    assert.deepEqual(snap.gaps, []);
    const model = buildAzureModel(snap);
    assert.ok(
      model.loadBalancers.some((lb) => lb.key === idKey(lbId)),
      "the model holds it",
    );
    assert.deepEqual(
      model.gaps.filter((g) => g.kind === "collection"),
      [],
    );
  });

  it("bounded: one GET of the load balancer and one of its public IP; its members in other groups are not fetched", () => {
    assert.equal(counts["resource.get"], 2, JSON.stringify(counts));
    assert.ok(!has(snap, vm9NicId), "vm9-nic (a member in the other group) is not fetched");
    assert.ok(!has(snap, moved(ids.vm("vm9"))), "nor its VM");
  });

  it("its rule's health and the group's running members' effective NSGs are read; not the other group's member's", () => {
    const ruleId = moved(ids.rule(WEB_LB, "rule-http"));
    assert.deepEqual(Object.keys(snap.observations?.ruleHealth ?? {}).map(idKey), [idKey(ruleId)]);
    assert.equal(counts["loadBalancingRules.health"], 1);
    assert.deepEqual(
      Object.keys(snap.observations?.effectiveNetworkSecurityGroups ?? {})
        .map(idKey)
        .sort(),
      [ids.nic("vm1-nic"), ids.nic("vm2-nic")].map(idKey).sort(),
    );
  });

  it("the rules decide about the group's VMs and NICs: vm3 left out of the pool, vm2 Down, vm1 running and reachable", () => {
    const fs = runRules(buildAzureModel(snap), azureRules);
    assert.deepEqual(results(fs, "azure/vm-not-in-pool", "vm3"), ["fail"]);
    assert.deepEqual(results(fs, "azure/backend-unhealthy", "vm2-nic"), ["fail"]);
    assert.deepEqual(results(fs, "azure/backend-vm-stopped", "vm1-nic"), ["pass"]);
    assert.deepEqual(results(fs, "azure/probe-blocked-by-nsg", "vm1-nic"), ["pass"]);
    // no rule is left unknown about them, nor about the scope
    const unknown = fs.filter((f) => f.status === "unknown" && (f.resourceId === "" || inTheGroup(f)));
    assert.deepEqual(
      unknown.map((f) => `${f.ruleId} ${f.resourceName}: ${f.message}`),
      [],
    );
  });

  it("the member that was not fetched: what needs its NIC or VM is unknown, never a pass; what the probe observed of it stands", () => {
    const fs = runRules(buildAzureModel(snap), azureRules);
    const ofVm9 = (ruleId: string) =>
      fs.filter((f) => f.ruleId === ruleId && f.resourceId.toLowerCase().startsWith(vm9NicId.toLowerCase())).map((f) => f.status);
    for (const ruleId of [
      "azure/backend-vm-stopped",
      "azure/probe-blocked-by-nsg",
      "azure/data-port-blocked-by-nsg",
      "azure/backend-public-ip",
      "azure/no-outbound-connectivity",
    ])
      assert.deepEqual(ofVm9(ruleId), ["unknown"], ruleId);
    assert.deepEqual(ofVm9("azure/backend-unhealthy"), ["pass"], "the rule health says Up");
    // a verdict on the whole pool that needs every member's VM: unknown
    assert.deepEqual(results(fs, "azure/availability-mismatch", "pool-web"), ["unknown"]);
  });

  it("narrowed to the collected group, of the other group's load balancer itself only failures naming the group's resources are reported", () => {
    const ofLb = (fs: Finding[]) => fs.filter((f) => f.resourceId.toLowerCase().startsWith(`${lbId.toLowerCase()}/`));
    const whole = diagnose({ snapshot: snap, adapter: azureProvider as ProviderAdapter<Model>, rules, source: "test", whole: true });
    assert.ok(
      ofLb(whole.findings).some((f) => f.ruleId === "azure/probe-port-mismatch"),
      "the whole snapshot has them",
    );
    const d = diagnose({ snapshot: snap, adapter: azureProvider as ProviderAdapter<Model>, rules, source: "test", target: RG });
    const foreign = ofLb(d.findings);
    const groupsOwn = (id: string) => id.toLowerCase().includes(`/resourcegroups/${RG.toLowerCase()}/`);
    // kept: a failure or an unknown about lb-web's pool or NAT rules whose subjects are the group's VMs or NICs
    assert.ok(
      foreign.every((f) => f.status !== "pass" && f.status !== "not-applicable" && f.subjects.some(groupsOwn)),
      foreign.map((f) => `${f.status} ${f.ruleId} ${f.resourceName}`).join("\n"),
    );
    // not kept: what concerns lb-web alone (its rule's probe)
    assert.ok(!foreign.some((f) => f.ruleId === "azure/probe-port-mismatch"), "nothing about its rule and probe alone");
    assert.ok(d.findings.every((f) => f.resourceId === "" || inTheGroup(f) || f.subjects.some(groupsOwn)));
  });
});

describe("the load balancer of another group cannot be read", () => {
  const noPass = (snap: AzureSnapshot) => {
    const d = diagnose({ snapshot: snap, adapter: azureProvider as ProviderAdapter<Model>, rules, source: "test", target: RG });
    assert.deepEqual(
      d.findings.filter((f) => aboutGroupMembers(f) && (f.status === "pass" || f.status === "not-applicable")).map((f) => f.ruleId),
      [],
      "nothing about the group's members or the scope passes",
    );
    assert.ok(d.findings.some((f) => f.status === "unknown" && f.resourceId === "" && f.message.includes("lb-web")));
    const fs = runRules(buildAzureModel(snap), azureRules);
    assert.ok(!results(fs, "azure/vm-not-in-pool", "vm3").includes("fail"), "vm3 is not judged on a pool that was not read");
    assert.ok(!results(fs, "azure/backend-unhealthy", "vm2-nic").includes("fail"));
  };

  it("403 on the other group: a gap on the load balancer's GET, the collection goes on, no pass about the group's members", async () => {
    const { snap } = await collected([world()], { unreadableResourceGroups: [rgId(OTHER)] });
    assert.ok(!has(snap, lbId));
    const gap = snap.gaps?.find((g) => g.resourceId !== undefined && idKey(g.resourceId) === idKey(lbId));
    assert.equal(gap?.operation, "loadBalancers.get");
    assert.equal(gap?.status, 403);
    assert.equal(gap?.code, "AuthorizationFailed");
    assert.ok(has(snap, ids.nic("vm1-nic")), "the group itself was collected");
    const model = buildAzureModel(snap);
    assert.ok(model.gaps.some((g) => g.kind === "collection" && g.resourceName === "lb-web" && g.operation === "resolve"));
    noPass(snap);
  });

  it("404 (the load balancer is gone from a group that exists): a gap, no pass", async () => {
    const w = world();
    w.resources = w.resources.filter((r) => idKey(r.id) !== idKey(lbId));
    const { snap } = await collected([w]);
    const gap = snap.gaps?.find((g) => g.resourceId !== undefined && idKey(g.resourceId) === idKey(lbId));
    assert.equal(gap?.operation, "loadBalancers.get");
    assert.equal(gap?.status, 404);
    noPass(snap);
  });

  it("404 ResourceGroupNotFound (the other group is gone): a gap on that GET, not the collected group reported missing", async () => {
    const gone = "rg-deleted";
    const w = world();
    let text = JSON.stringify(w);
    text = text.replaceAll(
      `/resourceGroups/${OTHER}/providers/Microsoft.Network/loadBalancers/`,
      `/resourceGroups/${gone}/providers/Microsoft.Network/loadBalancers/`,
    );
    const ww = JSON.parse(text) as AzureSnapshot;
    ww.resources = ww.resources.filter((r) => !r.id.includes(`/resourceGroups/${gone}/`));
    const { snap } = await collected([ww]);
    const gap = snap.gaps?.find((g) => g.operation === "loadBalancers.get");
    assert.equal(gap?.code, "ResourceGroupNotFound");
    assert.match(gap?.resourceId ?? "", new RegExp(`/resourceGroups/${gone}/providers/Microsoft\\.Network/loadBalancers/lb-web$`));
    assert.ok(has(snap, ids.nic("vm1-nic")));
  });
});

describe("an inbound NAT rule alone names the load balancer", () => {
  it("is followed too: the load balancer is fetched", async () => {
    const w = world();
    for (const r of w.resources) {
      if (!/\/networkInterfaces\/vm[12]-nic$/i.test(r.id)) continue;
      for (const c of P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)
        c.properties.loadBalancerBackendAddressPools = [];
    }
    const { snap } = await collected([w]);
    assert.ok(has(snap, lbId));
    const nic = snap.resources.find((r) => idKey(r.id) === idKey(ids.nic("vm1-nic"))) as ArmResource;
    const cfg = (P(nic).ipConfigurations as Array<{ properties: { loadBalancerInboundNatRules: Array<{ id: string }> } }>)[0];
    assert.match(cfg?.properties.loadBalancerInboundNatRules[0]?.id ?? "", /\/inboundNatRules\/nat-ssh-vm1$/);
    assert.deepEqual(
      buildAzureModel(snap).gaps.filter((g) => g.kind === "collection"),
      [],
    );
  });
});

describe("referencedIds: which load balancers' member lists are followed", () => {
  const group = `${idKey(rgId(RG))}/`;
  const inGroup = (id: string) => idKey(id).startsWith(group);
  const lb = (id: string, members: string[], extra: Record<string, unknown> = {}): ArmResource => ({
    id,
    name: id.split("/").pop() as string,
    type: "Microsoft.Network/loadBalancers",
    properties: {
      backendAddressPools: [
        {
          id: `${id}/backendAddressPools/p`,
          properties: { backendIPConfigurations: members.map((m) => ({ id: `${m}/ipConfigurations/c` })) },
        },
      ],
      ...extra,
    },
  });
  const nic = (id: string, pools: string[], nat: string[] = []): ArmResource => ({
    id,
    name: id.split("/").pop() as string,
    type: "Microsoft.Network/networkInterfaces",
    properties: {
      ipConfigurations: [
        {
          id: `${id}/ipConfigurations/c`,
          properties: {
            loadBalancerBackendAddressPools: pools.map((p) => ({ id: `${p}/backendAddressPools/p` })),
            loadBalancerInboundNatRules: nat.map((p) => ({ id: `${p}/inboundNatRules/n` })),
          },
        },
      ],
    },
  });
  const shared = netId("loadBalancers", "lb-shared", OTHER);
  const mine = ids.nic("mine");
  const theirs = netId("networkInterfaces", "theirs", OTHER);
  const keys = (s: Set<string>) => [...s].map(idKey).sort();

  it("a load balancer of another group that only pool or NAT memberships name: wanted, its other members not", () => {
    assert.deepEqual(keys(referencedIds([nic(mine, [shared])], inGroup)), [idKey(shared)]);
    assert.deepEqual(keys(referencedIds([nic(mine, [], [shared])], inGroup)), [idKey(shared)]);
    assert.deepEqual(keys(referencedIds([nic(mine, [shared]), lb(shared, [mine, theirs])], inGroup)), [idKey(shared)]);
  });

  it("a scale set's model that names the pool: the load balancer is wanted", () => {
    const vmss: ArmResource = {
      id: computeId("virtualMachineScaleSets", "ss"),
      name: "ss",
      type: "Microsoft.Compute/virtualMachineScaleSets",
      properties: {
        virtualMachineProfile: {
          networkProfile: {
            networkInterfaceConfigurations: [
              {
                properties: {
                  ipConfigurations: [{ properties: { loadBalancerBackendAddressPools: [{ id: `${shared}/backendAddressPools/p` }] } }],
                },
              },
            ],
          },
        },
      },
    };
    assert.deepEqual(keys(referencedIds([vmss], inGroup)), [idKey(shared)]);
  });

  it("a load balancer of the group, or one another field names (a gateway chain): its members are followed", () => {
    const own = ids.lb("lb-own");
    assert.deepEqual(keys(referencedIds([lb(own, [mine, theirs])], inGroup)), [idKey(mine), idKey(theirs)].sort());
    const chained = lb(own, [], {
      frontendIPConfigurations: [
        { id: `${own}/frontendIPConfigurations/f`, properties: { gatewayLoadBalancer: { id: `${shared}/frontendIPConfigurations/g` } } },
      ],
    });
    assert.deepEqual(
      keys(referencedIds([chained, nic(mine, [shared]), lb(shared, [mine, theirs])], inGroup)),
      [idKey(shared), idKey(mine), idKey(theirs)].sort(),
    );
  });

  it("without a group (every resource in it): every load balancer's members are followed, as before", () => {
    assert.deepEqual(keys(referencedIds([lb(shared, [theirs])])), [idKey(theirs)]);
  });
});

/** The group's own load balancer beside lb-web: lb-a, with vm4 in its pool. */
const ownLb = (s: AzureScenario) =>
  s
    .lb("lb-a", {
      frontends: [{ name: "fe-a", subnet: WEB_SUBNET, privateIp: "10.0.0.100" }],
      pools: ["pool-a"],
      probes: [{ name: "probe-a", protocol: "Http", port: 8080, path: "/" }],
      rules: [{ name: "rule-a", frontend: "fe-a", pool: "pool-a", probe: "probe-a", frontendPort: 8080, backendPort: 8080 }],
    })
    .vm("vm4", { subnet: WEB_SUBNET, ip: "10.0.0.7", pools: ["lb-a/pool-a"] })
    .ruleHealth("lb-a", "rule-a", [{ vm: "vm4", state: "Up" }])
    .effectiveNsg("vm4-nic", { value: [] });

/** `n` more members of lb-web's pool (m1…), moved into OTHER with their VMs: with vm9, n + 1 members not collected. */
const moreMembers = (n: number) => {
  const names = Array.from({ length: n }, (_, i) => `m${i + 1}`);
  return {
    more: (s: AzureScenario) => {
      names.forEach((m, i) => {
        s.vm(m, { subnet: WEB_SUBNET, ip: `10.0.${2 + Math.floor(i / 250)}.${(i % 250) + 4}`, pools: [`${WEB_LB}/pool-web`] });
      });
      return s;
    },
    moving: names.flatMap((m) => [ids.nic(`${m}-nic`), ids.vm(m)]),
  };
};

/** An emulator serving a world, with what `lbdoctor` needs to collect from it (its endpoint and certificate). */
async function cliEmulator(w: AzureSnapshot) {
  const emu = await startArmEmulator({ snapshots: [w] });
  const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-xrg-"));
  const ca = join(tmp, "ca.pem");
  writeFileSync(ca, emu.ca);
  return {
    emu,
    tmp,
    env: { LBDOCTOR_ARM_ENDPOINT: emu.url, LBDOCTOR_ARM_CA_FILE: ca, LBDOCTOR_ARM_TOKEN: "test" },
    close: async () => {
      await emu.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

describe("lbdoctor check <group> through the CLI: the group's NICs in another group's load balancer", () => {
  let cli: Awaited<ReturnType<typeof cliEmulator>>;
  before(async () => {
    cli = await cliEmulator(world(ownLb));
  });
  after(() => cli.close());

  it("text: lb-web is listed after the group's lb-a, with its findings about the group's NICs under it; nothing about vm9", async () => {
    const r = await lbdoctorAsync(["check", RG, "--subscription", SUB, "--no-config", "--no-effective-nsg"], cli.env);
    assert.equal(r.code, 1, r.stderr);
    const own = r.stdout.search(/^Load balancer lb-a /m);
    const web = r.stdout.search(/^Load balancer lb-web /m);
    assert.ok(own >= 0 && web > own, r.stdout);
    // lb-web's section: up to the next line that is not indented
    const section = r.stdout.slice(web).split(/\n(?=\S)/)[0] ?? "";
    assert.match(section, /azure\/backend-unhealthy on vm2-nic/);
    assert.match(section, /azure\/vm-not-in-pool on vm3/);
    const other = r.stdout.search(/^Other resources/m);
    if (other >= 0) assert.doesNotMatch(r.stdout.slice(other).split(/\n(?=\S)/)[0] ?? "", /vm2-nic/);
    assert.doesNotMatch(r.stdout, /^ {2}\S.* on (vm9|ipconfig1|rule-http|probe-http)\b/m, "nothing about lb-web's rule, probe or vm9");
    // of lb-web's pool, only the placement of its members, which names the group's VMs
    for (const m of r.stdout.matchAll(/^ {2}\S+ (?:\S+ )?(azure\/\S+) on pool-web\b/gm))
      assert.equal(m[1], "azure/availability-mismatch", m[0]);
  });

  it("--format json: both load balancers, the scope's own first; the summary counts what the report holds", async () => {
    const r = await lbdoctorAsync(["check", RG, "--subscription", SUB, "--no-config", "--format", "json"], cli.env);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(
      report.loadBalancers.map((lb) => lb.id),
      [ids.lb("lb-a"), lbId],
    );
    const count = (status: string) => report.findings.filter((f) => f.status === status).length;
    const total = (list: Report["passed"]) => (list ?? []).reduce((n, p) => n + p.count, 0);
    assert.equal(report.summary.byStatus.fail, count("fail"));
    assert.equal(report.summary.byStatus.unknown, count("unknown"));
    assert.equal(report.summary.byStatus.error, count("error"));
    assert.equal(report.summary.byStatus.pass, total(report.passed));
    assert.equal(report.summary.byStatus["not-applicable"], total(report.notApplicable));
    assert.ok(report.summary.byStatus.fail > 0 && report.summary.byStatus.pass > 0);
    // each load balancer's failures are the failing findings tied to it
    for (const lb of report.loadBalancers) {
      assert.equal(lb.failed, report.findings.filter((f) => f.status === "fail" && f.loadBalancerId === lb.id).length, lb.name);
    }
    assert.ok(report.findings.some((f) => f.status === "fail" && f.loadBalancerId === lbId && f.resourceId === ids.nic("vm2-nic")));
    // every finding is about the group (or the whole scope), or a failure or unknown naming the group's resources among its
    // subjects (lb-web's pool placement); none about lb-web alone or its member vm9
    const groupsOwn = (id: string) => id.toLowerCase().includes(`/resourcegroups/${RG.toLowerCase()}/`);
    assert.deepEqual(
      report.findings
        .filter((f) => f.resourceId !== "" && !inTheGroup(f))
        .filter((f) => f.status === "pass" || f.status === "not-applicable" || !f.subjects.some(groupsOwn))
        .map((f) => `${f.ruleId} ${f.resourceName}`),
      [],
    );
    // passes counted under lb-web are the group's resources'
    const passedOn = (report.passed ?? []).flatMap((p) => p.resourceIds);
    assert.ok(passedOn.includes(ids.nic("vm1-nic")));
    assert.ok(passedOn.every((id) => !id.toLowerCase().includes(`/resourcegroups/${OTHER}/`)));
  });
});

/** A collected snapshot of the group: the world without what OTHER holds but lb-web and its public IP. */
const asCollected = (w: AzureSnapshot): AzureSnapshot => ({
  ...w,
  resources: w.resources.filter((r) => !r.id.includes(`/resourceGroups/${OTHER}/`) || r.id === lbId || r.id === pipId),
});
const nicGaps = (gaps: ModelGap[]) => gaps.filter((g) => g.kind === "dangling-reference" && /network interface/.test(g.message));

describe("a shared load balancer's members in groups that were not collected: one gap, not one per NIC", () => {
  const many = moreMembers(199);
  const snap = asCollected(world(many.more, many.moving));
  const missing = [vm9NicId, ...Array.from({ length: 199 }, (_, i) => moved(ids.nic(`m${i + 1}-nic`)))];

  it("200 of them: one gap on the load balancer that counts them, names the first three, and affects every one", () => {
    const m = buildAzureModel(snap);
    const gaps = nicGaps(m.gaps);
    assert.equal(gaps.length, 1, JSON.stringify(gaps.slice(0, 3)));
    const g = gaps[0] as ModelGap;
    assert.equal(g.operation, "resolve");
    assert.equal(g.resourceId, lbId);
    assert.equal(g.resourceName, "lb-web");
    assert.equal(g.referencedFrom, lbId);
    assert.equal(
      g.message,
      `200 network interfaces (referenced by lb-web) are not in the snapshot: vm9-nic, m1-nic, m2-nic and 197 more, in resource group ${OTHER}`,
    );
    assert.deepEqual([...(g.affects ?? [])].sort(), missing.map(idKey).sort());
    const lb = m.loadBalancers.find((x) => x.key === idKey(lbId));
    assert.equal(g.pointer, `${lb?.ptr}/properties/backendAddressPools/0/properties/backendIPConfigurations`);
    assert.equal(m.gaps.length, 1, "no other gap");
  });

  it("the rules say what they said with one dangling reference per NIC: every result, counted or not, the same", () => {
    const grouped = buildAzureModel(snap);
    const perNic = buildAzureModel(snap);
    const at = perNic.gaps.findIndex((g) => g.kind === "dangling-reference");
    perNic.gaps.splice(
      at,
      1,
      ...missing.map((id) => ({
        kind: "dangling-reference" as const,
        operation: "resolve",
        resourceId: id,
        referencedFrom: lbId,
        message: `network interface ${id} (referenced by lb-web) is not in the snapshot`,
      })),
    );
    assert.equal(perNic.gaps.length, 200);
    const said = (fs: Finding[]) => fs.map((f) => `${f.id} ${f.status} ${f.message}`);
    const full = runRules(grouped, azureRules);
    assert.deepEqual(said(full), said(runRules(perNic, azureRules)));
    const a = runRulesCounting(grouped, azureRules, { passes: "count" });
    const b = runRulesCounting(perNic, azureRules, { passes: "count" });
    assert.deepEqual(said(a.findings), said(b.findings));
    assert.deepEqual(a.counted, b.counted);
    // and what needs a missing member's NIC is unknown, for each of them
    const stopped = full.filter((f) => f.ruleId === "azure/backend-vm-stopped" && missing.some((id) => f.resourceId.startsWith(`${id}/`)));
    assert.equal(stopped.length, 200);
    assert.ok(stopped.every((f) => f.status === "unknown"));
  });

  it("one missing NIC reads as before: a dangling reference to it", () => {
    const m = buildAzureModel(asCollected(world()));
    assert.deepEqual(nicGaps(m.gaps), [
      {
        kind: "dangling-reference",
        operation: "resolve",
        resourceId: vm9NicId,
        referencedFrom: lbId,
        message: `network interface ${vm9NicId} (referenced by lb-web) is not in the snapshot`,
      },
    ]);
  });

  it("two are both named; members in several groups name the groups", () => {
    const two = moreMembers(1);
    const m = buildAzureModel(asCollected(world(two.more, two.moving)));
    assert.deepEqual(
      nicGaps(m.gaps).map((g) => g.message),
      [`2 network interfaces (referenced by lb-web) are not in the snapshot: vm9-nic and m1-nic, in resource group ${OTHER}`],
    );
    const spread = JSON.parse(
      JSON.stringify(asCollected(world(two.more, two.moving))).replaceAll(
        `/resourceGroups/${OTHER}/providers/Microsoft.Network/networkInterfaces/m1-nic`,
        "/resourceGroups/rg-app2/providers/Microsoft.Network/networkInterfaces/m1-nic",
      ),
    ) as AzureSnapshot;
    assert.deepEqual(
      nicGaps(buildAzureModel(spread).gaps).map((g) => g.message),
      [`2 network interfaces (referenced by lb-web) are not in the snapshot: vm9-nic and m1-nic, in resource groups ${OTHER}, rg-app2`],
    );
  });

  it("through the CLI: one gap line in the text and the Markdown, one gap in the JSON", async () => {
    const cli = await cliEmulator(world(many.more, many.moving));
    try {
      const json = join(cli.tmp, "report.json");
      const md = join(cli.tmp, "report.md");
      const r = await lbdoctorAsync(
        [
          "check",
          RG,
          "--subscription",
          SUB,
          "--no-config",
          "--format",
          "json",
          "--output",
          json,
          "--format",
          "markdown",
          "--output",
          md,
          "--format",
          "text",
        ],
        cli.env,
      );
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const message = `200 network interfaces (referenced by lb-web) are not in the snapshot: vm9-nic, m1-nic, m2-nic and 197 more, in resource group ${OTHER}`;
      assert.match(r.stdout, /^Gaps \(1\): /m);
      assert.ok(r.stdout.includes(`  - resolve: ${message}\n`), r.stdout.slice(r.stdout.indexOf("Gaps")));
      const report = JSON.parse(readFileSync(json, "utf8")) as Report;
      assert.deepEqual(
        report.gaps.map((g) => [g.kind, g.operation, g.resourceId, g.message]),
        [["dangling-reference", "resolve", lbId, message]],
      );
      assert.ok(!("affects" in (report.gaps[0] ?? {})), "the report keeps affects to the model");
      const markdown = readFileSync(md, "utf8");
      assert.match(markdown, /^### Gaps \(1\)$/m);
      assert.ok(markdown.includes(`- \`resolve\`: ${message}`));
    } finally {
      await cli.close();
    }
  });
});

/** The operations a collection made, each with how many calls (successful or a gap). */
async function collectCounting(w: AzureSnapshot, emuOpts: Partial<ArmEmulatorOptions> = {}, extra: Partial<AzureCollectOptions> = {}) {
  const emu = await startArmEmulator({ snapshots: [w], ...emuOpts });
  const ops: Record<string, number> = {};
  const onEvent = (e: CollectEvent) => {
    const op = e.type === "call" ? e.operation : e.type === "gap" ? e.gap.operation : undefined;
    if (op) ops[op] = (ops[op] ?? 0) + 1;
  };
  try {
    const snap = await collectAzure(opts(emu, { onEvent, ...extra }));
    return { snap, ops, emu };
  } finally {
    await emu.close();
  }
}

describe("an NSG's list of the NICs it is attached to is not followed", () => {
  const hubNics = Array.from({ length: 40 }, (_, i) => ids.nic(`hub${i}-nic`));
  /**
   * A hub NSG in OTHER attached to vm1's NIC and to 40 NICs of OTHER, which the group's subnet NSG lists too; vm5 (of
   * the group) has a second NIC in OTHER, in the hub's VNet.
   */
  const hub = (s: AzureScenario) => {
    s.nsg("nsg-hub").vnet("vnet-hub", ["10.9.0.0/16"], [{ name: "snet-hub", prefix: "10.9.0.0/24" }]);
    hubNics.forEach((_, i) => {
      s.nic({ name: `hub${i}-nic`, subnet: "vnet-hub/snet-hub", ip: `10.9.0.${i + 4}`, nsg: "nsg-hub" });
    });
    return s
      .vm("vm5", {
        subnet: WEB_SUBNET,
        ip: "10.0.0.8",
        extraNics: [{ name: "vm5-nic2", subnet: "vnet-hub/snet-hub", ip: "10.9.0.200" }],
      })
      .edit(ids.nic("vm1-nic"), (r) => {
        P(r).networkSecurityGroup = { id: ids.nsg("nsg-hub") };
      })
      .edit(ids.nsg("nsg-hub"), (r) => {
        P(r).networkInterfaces = [ids.nic("vm1-nic"), ...hubNics].map((id) => ({ id }));
      })
      .edit(ids.nsg("nsg-web"), (r) => {
        P(r).networkInterfaces = hubNics.map((id) => ({ id }));
      });
  };
  const movedHub = [ids.nsg("nsg-hub"), ids.vnet("vnet-hub"), ...hubNics, ids.nic("vm5-nic2")];

  it("referencedIds: not from an NSG; a VM's NICs still", () => {
    const theirs = netId("networkInterfaces", "theirs", OTHER);
    const asg = netId("applicationSecurityGroups", "asg", OTHER);
    const nsg: ArmResource = {
      id: ids.nsg("nsg"),
      name: "nsg",
      type: "Microsoft.Network/networkSecurityGroups",
      properties: {
        securityRules: [{ id: `${ids.nsg("nsg")}/securityRules/r`, properties: { sourceApplicationSecurityGroups: [{ id: asg }] } }],
        networkInterfaces: [{ id: theirs }],
      },
    };
    const vm: ArmResource = {
      id: ids.vm("vm"),
      name: "vm",
      type: "Microsoft.Compute/virtualMachines",
      properties: { networkProfile: { networkInterfaces: [{ id: theirs }] } },
    };
    assert.deepEqual([...referencedIds([nsg])], [asg]);
    assert.deepEqual([...referencedIds([vm])], [theirs]);
  });

  it("a hub NSG attached to NICs of other groups costs its own GET, none for those NICs; a VM's NIC there is fetched", async () => {
    const { snap, ops } = await collectCounting(world(hub, movedHub));
    assert.equal(ops["networkSecurityGroups.get"], 1, JSON.stringify(ops));
    assert.equal(ops["networkInterfaces.get"], 1, JSON.stringify(ops));
    assert.ok(has(snap, moved(ids.nsg("nsg-hub"))));
    assert.ok(has(snap, moved(ids.nic("vm5-nic2"))), "vm5's NIC in the other group");
    assert.ok(has(snap, moved(ids.vnet("vnet-hub"))), "and its VNet");
    assert.deepEqual(
      hubNics.filter((id) => has(snap, moved(id))),
      [],
    );
    assert.deepEqual(snap.gaps, []);
  });
});

describe("a reference into another subscription is fetched there", () => {
  const SUB2 = "00000000-0000-0000-0000-0000000000bb";
  const GW_RG = "rg-gw";
  const toSub2 = (id: string) =>
    id.replace(`/subscriptions/${SUB}/resourceGroups/${RG}/`, `/subscriptions/${SUB2}/resourceGroups/${GW_RG}/`);
  const gwId = toSub2(ids.lb("lb-gw"));
  /**
   * The group's lb-web chained to a Gateway load balancer of another subscription (SUB2, group rg-gw), with two
   * appliances in its pool; its VNet and the appliances are there too. The emulator serves both subscriptions.
   */
  const twoSubscriptions = (): AzureSnapshot => {
    const snap = healthyWeb()
      .vnet("vnet-nva", ["10.2.0.0/16"], [{ name: "snet-nva", prefix: "10.2.0.0/24" }])
      .lb("lb-gw", {
        sku: "Gateway",
        frontends: [{ name: "fe-gw", subnet: "vnet-nva/snet-nva", privateIp: "10.2.0.100" }],
        pools: ["pool-nva"],
        probes: [{ name: "probe-nva", protocol: "Tcp", port: 9000 }],
        rules: [
          { name: "ha-ports", frontend: "fe-gw", pool: "pool-nva", probe: "probe-nva", protocol: "All", frontendPort: 0, backendPort: 0 },
        ],
      })
      .chainToGateway(WEB_LB, "fe-web", ids.frontend("lb-gw", "fe-gw"))
      .vm("nva1", { subnet: "vnet-nva/snet-nva", ip: "10.2.0.4", pools: ["lb-gw/pool-nva"] })
      .vm("nva2", { subnet: "vnet-nva/snet-nva", ip: "10.2.0.5", pools: ["lb-gw/pool-nva"] })
      .ruleHealth("lb-gw", "ha-ports", [
        { vm: "nva1", state: "Up" },
        { vm: "nva2", state: "Up" },
      ])
      .build();
    let text = JSON.stringify(snap);
    for (const id of [ids.lb("lb-gw"), ids.vnet("vnet-nva"), ...["nva1", "nva2"].flatMap((v) => [ids.nic(`${v}-nic`), ids.vm(v)])])
      text = text.replaceAll(`${id}/`, `${toSub2(id)}/`).replaceAll(`${id}"`, `${toSub2(id)}"`);
    return JSON.parse(text) as AzureSnapshot;
  };

  it("the Gateway load balancer, its VNet and its appliances' NICs come from that subscription; its rule's health too", async () => {
    const w = twoSubscriptions();
    assert.ok(w.resources.some((r) => r.id === gwId));
    const { snap, ops } = await collectCounting(w, {}, { effectiveNsg: false });
    assert.deepEqual(snap.gaps, []);
    assert.equal(snap.scope.subscriptionId, SUB);
    for (const id of [gwId, toSub2(ids.vnet("vnet-nva")), toSub2(ids.nic("nva1-nic")), toSub2(ids.nic("nva2-nic"))])
      assert.ok(has(snap, id), id);
    assert.equal(ops["loadBalancers.get"], 1);
    assert.deepEqual(
      Object.keys(snap.observations?.ruleHealth ?? {}).sort(),
      [toSub2(`${ids.lb("lb-gw")}/loadBalancingRules/ha-ports`), ids.rule(WEB_LB, "rule-http")].sort(),
    );
    const m = buildAzureModel(snap);
    const fe = m.loadBalancers.find((lb) => lb.name === WEB_LB)?.frontends[0];
    assert.equal(fe?.gatewayFrontend?.lb.id, gwId);
    // (the appliances' VMs are not fetched by reference, here as in any group: dangling references)
    assert.deepEqual(
      m.gaps.filter((g) => g.kind === "collection"),
      [],
    );
  });

  it("a subscription that is not there, or not readable: a gap on the GET, the run goes on", async () => {
    const w = twoSubscriptions();
    const refused = await collectCounting(w, { forbiddenSubscriptions: [SUB2] }, { effectiveNsg: false });
    assert.deepEqual(
      (refused.snap.gaps ?? []).map((g) => [g.operation, g.status, g.code, g.resourceId]),
      [["loadBalancers.get", 403, "AuthorizationFailed", gwId]],
    );
    assert.ok(has(refused.snap, ids.lb(WEB_LB)));
    const gone = { ...w, resources: w.resources.filter((r) => !r.id.startsWith(`/subscriptions/${SUB2}/`)) };
    const missing = await collectCounting(gone, {}, { effectiveNsg: false });
    assert.deepEqual(
      (missing.snap.gaps ?? []).map((g) => [g.operation, g.status, g.code, g.resourceId]),
      [["loadBalancers.get", 404, "SubscriptionNotFound", gwId]],
    );
    assert.ok(has(missing.snap, ids.lb(WEB_LB)));
  });

  it("a subscription of another tenant (401 InvalidAuthenticationTokenTenant): a gap on the GET, not rejected credentials", async () => {
    const w = twoSubscriptions();
    const faults = [
      {
        path: new RegExp(`^/subscriptions/${SUB2}/`),
        status: 401,
        code: "InvalidAuthenticationTokenTenant",
        message: "The access token is from the wrong issuer.",
      },
    ];
    const other = await collectCounting(w, { faults }, { effectiveNsg: false });
    assert.deepEqual(
      (other.snap.gaps ?? []).map((g) => [g.operation, g.status, g.code, g.resourceId]),
      [["loadBalancers.get", 401, "InvalidAuthenticationTokenTenant", gwId]],
    );
    assert.ok(has(other.snap, ids.lb(WEB_LB)));
    // the same answer to the group's own lists: the credentials are the user's to fix (exit 2)
    const home = faults.map((f) => ({ ...f, path: new RegExp(`^/subscriptions/${SUB}/`) }));
    await assert.rejects(collectCounting(w, { faults: home }, { effectiveNsg: false }), /Azure rejected the credentials/);
  });

  it("the watch poller asks each rule's health of its own subscription", async () => {
    const emu = await startArmEmulator({ snapshots: [twoSubscriptions()] });
    try {
      const poller = await ruleHealthPoller({
        subscriptionId: SUB,
        credential: staticTokenCredential("test"),
        endpoint: emu.url,
        ca: emu.ca,
        pollIntervalMs: 5,
      });
      const gwRule = toSub2(`${ids.lb("lb-gw")}/loadBalancingRules/ha-ports`);
      const got = await poller.poll([gwRule, ids.rule(WEB_LB, "rule-http")]);
      assert.deepEqual(got.gaps, []);
      assert.deepEqual(Object.keys(got.bodies).sort(), [gwRule, ids.rule(WEB_LB, "rule-http")].sort());
      assert.equal(got.bodies[gwRule]?.loadBalancerBackendAddresses?.length, 2);
    } finally {
      await emu.close();
    }
  });
});

import { planHopSearch } from "../src/providers/azure/collect/next-hops.ts";

const HUB = "rg-hub";
const NVA_IP = "10.9.0.4";
const ILB_IP = "10.9.0.100";
const FW_IP = "10.9.4.4";
const hubVnet = ids.vnet("vnet-hub");
const nvaSubnet = ids.subnet("vnet-hub/snet-nva");
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The group's snet-web routes everything (rt-web/to-nva) to NVA_IP, an appliance of a hub: vnet-web peers with
 * vnet-hub, whose snet-nva holds nva1 (NVA_IP) and its partner nva2, both forwarding, in availability set avset-nva.
 * The appliances (NICs, VMs, availability set) are in HUB, and so is vnet-hub unless `vnetRg` says otherwise. The
 * subnet lists its ip configurations (`ipConfigurations`, unless `listed` is false): `fillers` NICs without a VM
 * (in HUB too), then the appliances' (first with `appliancesFirst`). With `ilb`, the route's next hop is ILB_IP instead,
 * the frontend of lb-nva (in HUB, listed first in the subnet), whose HA-ports rule spreads it over both appliances.
 * With `hubRoutes`, the hub's GatewaySubnet has a route table of its own (rt-hub, in HUB) that sends the group's
 * space to nva3 (FW_IP) in another subnet of the hub, snet-fw.
 */
function hubWorld(
  o: { fillers?: number; vnetRg?: string; listed?: boolean; appliancesFirst?: boolean; ilb?: boolean; hubRoutes?: boolean } = {},
): AzureSnapshot {
  const fillers = Array.from({ length: o.fillers ?? 0 }, (_, i) => `f${i}-nic`);
  const pools = o.ilb ? ["lb-nva/pool-nva"] : [];
  const s = healthyWeb()
    .effectiveNsg("vm1-nic", { value: [] })
    .effectiveNsg("vm2-nic", { value: [] })
    .routeTable("rt-web", [{ name: "to-nva", prefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIp: o.ilb ? ILB_IP : NVA_IP }])
    .subnetRouteTable(WEB_SUBNET, "rt-web")
    .vnet(
      "vnet-hub",
      ["10.9.0.0/16"],
      [
        { name: "snet-nva", prefix: "10.9.0.0/22" },
        ...(o.hubRoutes
          ? [
              { name: "snet-fw", prefix: "10.9.4.0/24" },
              { name: "GatewaySubnet", prefix: "10.9.8.0/24", routeTable: "rt-hub" },
            ]
          : []),
      ],
    )
    .availabilitySet("avset-nva")
    .lb("lb-nva", {
      frontends: [{ name: "fe-nva", subnet: "vnet-hub/snet-nva", privateIp: ILB_IP }],
      pools: ["pool-nva"],
      probes: [{ name: "probe-nva", protocol: "Tcp", port: 9000 }],
      rules: [
        { name: "ha-ports", frontend: "fe-nva", pool: "pool-nva", probe: "probe-nva", protocol: "All", frontendPort: 0, backendPort: 0 },
      ],
    })
    .vm("nva1", { subnet: "vnet-hub/snet-nva", ip: NVA_IP, enableIPForwarding: true, availabilitySet: "avset-nva", pools })
    .vm("nva2", { subnet: "vnet-hub/snet-nva", ip: "10.9.0.5", enableIPForwarding: true, availabilitySet: "avset-nva", pools })
    .ruleHealth("lb-nva", "ha-ports", [
      { vm: "nva1", state: "Up" },
      { vm: "nva2", state: "Up" },
    ])
    .effectiveNsg("nva1-nic", { value: [] })
    .effectiveNsg("nva2-nic", { value: [] })
    .edit(ids.vnet("vnet-web"), (r) => {
      P(r).virtualNetworkPeerings = [
        {
          name: "web-to-hub",
          id: `${ids.vnet("vnet-web")}/virtualNetworkPeerings/web-to-hub`,
          properties: {
            peeringState: "Connected",
            remoteVirtualNetwork: { id: hubVnet },
            remoteAddressSpace: { addressPrefixes: ["10.9.0.0/16"] },
          },
        },
      ];
    });
  if (o.hubRoutes) {
    s.routeTable("rt-hub", [{ name: "to-fw", prefix: "10.0.0.0/16", nextHopType: "VirtualAppliance", nextHopIp: FW_IP }])
      .vm("nva3", { subnet: "vnet-hub/snet-fw", ip: FW_IP, enableIPForwarding: true })
      .subnetProps("vnet-hub/snet-fw", { ipConfigurations: [{ id: ids.ipconfig("nva3-nic") }] });
  }
  fillers.forEach((name, i) => {
    s.nic({ name, subnet: "vnet-hub/snet-nva", ip: `10.9.${1 + Math.floor(i / 250)}.${(i % 250) + 4}` });
  });
  const appliances = [
    ...(o.ilb ? [`${ids.lb("lb-nva")}/frontendIPConfigurations/fe-nva`] : []),
    ids.ipconfig("nva1-nic"),
    ids.ipconfig("nva2-nic"),
  ];
  const listed = o.appliancesFirst
    ? [...appliances, ...fillers.map((f) => ids.ipconfig(f))]
    : [...fillers.map((f) => ids.ipconfig(f)), ...appliances];
  s.subnetProps("vnet-hub/snet-nva", { ipConfigurations: o.listed === false ? undefined : listed.map((id) => ({ id })) });
  if (!o.ilb) s.remove(ids.lb("lb-nva"));
  const to = new Map<string, string>([[hubVnet, moved(hubVnet, o.vnetRg ?? HUB)]]);
  for (const id of [
    ids.lb("lb-nva"),
    ids.routeTable("rt-hub"),
    ids.availabilitySet("avset-nva"),
    ...["nva1", "nva2", "nva3"].flatMap((v) => [ids.vm(v), ids.nic(`${v}-nic`)]),
    ...fillers.map(ids.nic),
  ])
    to.set(id, moved(id, HUB));
  const re = new RegExp(`(${[...to.keys()].map(escapeRe).join("|")})(?=[/"])`, "g");
  return JSON.parse(JSON.stringify(s.build()).replace(re, (m) => to.get(m) as string)) as AzureSnapshot;
}

const inHub = (id: string) => moved(id, HUB);
const nvaResults = (fs: Finding[]) =>
  fs.filter((f) => f.ruleId.startsWith("azure/nva-")).map((f) => `${f.ruleId} ${f.status} ${f.messageId} ${f.resourceName}`);

describe("the appliance a route table of the group sends traffic to, in a hub resource group", () => {
  let snap: AzureSnapshot;
  let ops: Record<string, number>;
  let counts: Record<string, number>;
  before(async () => {
    const run = await collectCounting(hubWorld());
    ({ snap, ops } = run);
    counts = run.emu.counts();
  });

  it("is found through the peered hub VNet's subnet: the VNet, both NICs, their VMs with their power state, their availability set", () => {
    assert.deepEqual(snap.gaps, []);
    assert.equal(counts["resource.get"], 6, JSON.stringify(counts));
    assert.deepEqual(
      ["virtualNetworks.get", "networkInterfaces.get", "virtualMachines.get", "availabilitySets.get"].map((op) => ops[op]),
      [1, 2, 2, 1],
      JSON.stringify(ops),
    );
    for (const id of [moved(hubVnet, HUB), ...["nva1", "nva2"].flatMap((v) => [inHub(ids.vm(v)), inHub(ids.nic(`${v}-nic`))])])
      assert.ok(has(snap, id), id);
    assert.ok(has(snap, inHub(ids.availabilitySet("avset-nva"))));
    const model = buildAzureModel(snap);
    const nva1 = model.vms.find((v) => v.key === idKey(inHub(ids.vm("nva1"))));
    assert.equal(nva1?.powerState, "running", "the VM came with its instance view");
    assert.equal(nva1?.nics[0]?.name, "nva1-nic");
    assert.deepEqual(
      model.gaps.map((g) => g.message),
      [],
      "no dangling reference: not the appliances' VMs, not their availability set",
    );
  });

  it("before, the NVA rules said not found (unknown); now they decide: forwarding on, an active-passive pair", () => {
    const before: AzureSnapshot = { ...snap, resources: snap.resources.filter((r) => !r.id.includes(`/resourceGroups/${HUB}/`)) };
    assert.deepEqual(nvaResults(runRules(buildAzureModel(before), azureRules)), [
      "azure/nva-ip-forwarding-disabled unknown notFound rt-web",
      "azure/nva-single-point-of-failure unknown notFound rt-web",
    ]);
    const fs = runRules(buildAzureModel(snap), azureRules);
    assert.deepEqual(nvaResults(fs), [
      "azure/nva-ip-forwarding-disabled pass enabled nva1-nic",
      "azure/nva-single-point-of-failure fail activePassive nva1-nic",
    ]);
    const spof = fs.find((f) => f.ruleId === "azure/nva-single-point-of-failure");
    assert.equal(spof?.severity, "low");
    assert.match(spof?.message ?? "", /nva1-nic \(VM nva1\) only, with a likely passive partner \(nva2\)/);
    assert.ok(spof?.subjects.includes(idKey(inHub(ids.vm("nva1")))));
    // the appliance's forwarding off: a failure, on the hub's NIC
    const off = structuredClone(snap);
    const nic = off.resources.find((r) => idKey(r.id) === idKey(inHub(ids.nic("nva1-nic")))) as ArmResource;
    P(nic).enableIPForwarding = false;
    assert.deepEqual(
      runRules(buildAzureModel(off), azureRules)
        .filter((f) => f.ruleId === "azure/nva-ip-forwarding-disabled")
        .map((f) => `${f.status} ${f.messageId} ${f.resourceId}`),
      [`fail disabled ${inHub(ids.nic("nva1-nic"))}`],
    );
  });
});

describe("the next hop is the frontend of an internal load balancer of the hub, in front of the appliances", () => {
  it("the appliances' NICs name its pool: it is fetched with them (one GET, its rule's health), and the rules see both behind it", async () => {
    const { snap, ops, emu } = await collectCounting(hubWorld({ ilb: true }));
    assert.deepEqual(snap.gaps, []);
    assert.equal(emu.counts()["resource.get"], 7, "the hub VNet, 2 NICs, 2 VMs, the availability set, the load balancer");
    assert.equal(ops["loadBalancers.get"], 1);
    assert.ok(has(snap, inHub(ids.lb("lb-nva"))));
    assert.ok(Object.keys(snap.observations?.ruleHealth ?? {}).some((id) => idKey(id) === idKey(inHub(ids.rule("lb-nva", "ha-ports")))));
    assert.deepEqual(nvaResults(runRules(buildAzureModel(snap), azureRules)), [
      "azure/nva-ip-forwarding-disabled pass lbMemberEnabled nva1-nic",
      "azure/nva-ip-forwarding-disabled pass lbMemberEnabled nva2-nic",
      "azure/nva-single-point-of-failure pass behindLb lb-nva",
    ]);
  });
});

describe("a route table of the hub that the search brings in", () => {
  it("has its next hops looked for too, in a later pass: the appliance of another subnet of the hub", async () => {
    const { snap, ops, emu } = await collectCounting(hubWorld({ hubRoutes: true }));
    assert.deepEqual(snap.gaps, []);
    assert.ok(has(snap, inHub(ids.routeTable("rt-hub"))), "the hub's route table, named by its GatewaySubnet");
    assert.ok(has(snap, inHub(ids.nic("nva3-nic"))) && has(snap, inHub(ids.vm("nva3"))));
    assert.deepEqual([ops["networkInterfaces.get"], ops["virtualMachines.get"], ops["routeTables.get"]], [3, 3, 1]);
    assert.equal(emu.counts()["resource.get"], 9);
    assert.deepEqual(nvaResults(runRules(buildAzureModel(snap), azureRules)), [
      "azure/nva-ip-forwarding-disabled pass enabled nva1-nic",
      "azure/nva-ip-forwarding-disabled pass enabled nva3-nic",
      "azure/nva-single-point-of-failure fail activePassive nva1-nic",
      "azure/nva-single-point-of-failure fail single nva3-nic",
    ]);
  });
});

describe("the subnet of the next hop lists 500 NICs", () => {
  const gapOn = (s: AzureSnapshot, id: string) => (s.gaps ?? []).filter((g) => g.resourceId && idKey(g.resourceId) === idKey(id));

  it("listed before the appliances: 16 fetched, the 486 others a gap that names them and no rule reads; the rules say unknown", async () => {
    const { snap, ops, emu } = await collectCounting(hubWorld({ fillers: 500 }));
    assert.equal(ops["networkInterfaces.get"], 16, JSON.stringify(ops));
    assert.equal(ops["virtualMachines.get"] ?? 0, 0);
    assert.equal(emu.counts()["resource.get"], 17, "the hub VNet and 16 NICs");
    assert.equal(
      snap.resources.filter((r) => r.id.includes(`/resourceGroups/${HUB}/providers/Microsoft.Network/networkInterfaces/`)).length,
      16,
    );
    assert.ok(!has(snap, inHub(ids.nic("nva1-nic"))));
    const gaps = gapOn(snap, moved(nvaSubnet, HUB));
    assert.equal(gaps.length, 1, JSON.stringify(snap.gaps));
    assert.equal(gaps[0]?.operation, "resolve");
    assert.equal(
      gaps[0]?.message,
      `subnet vnet-hub/snet-nva lists 502 network interfaces that are not in the snapshot; ${NVA_IP} (the next hop of rt-web/to-nva) was looked for among the first 16, and 486 were left out (f16-nic, f17-nic, f18-nic and 483 more): the appliance, or a partner of it, may be among them`,
    );
    assert.equal(snap.gaps?.length, 1);
    const model = buildAzureModel(snap);
    assert.deepEqual(model.gaps.find((g) => g.kind === "collection")?.covers, [], "no rule's data");
    const fs = runRules(model, azureRules);
    assert.deepEqual(nvaResults(fs), [
      "azure/nva-ip-forwarding-disabled unknown notFound rt-web",
      "azure/nva-single-point-of-failure unknown notFound rt-web",
    ]);
    assert.deepEqual(
      fs.filter((f) => f.status === "unknown" && !f.ruleId.startsWith("azure/nva-")).map((f) => `${f.ruleId} ${f.resourceName}`),
      [],
      "nothing else is unknown",
    );
  });

  it("listed first: the appliances are among the 16, with their VMs; the others still a gap", async () => {
    const { snap, ops } = await collectCounting(hubWorld({ fillers: 500, appliancesFirst: true }));
    assert.equal(ops["networkInterfaces.get"], 16);
    assert.equal(ops["virtualMachines.get"], 2);
    assert.match(gapOn(snap, moved(nvaSubnet, HUB))[0]?.message ?? "", /and 486 were left out \(f14-nic, f15-nic, f16-nic and 483 more\)/);
    assert.deepEqual(nvaResults(runRules(buildAzureModel(snap), azureRules)), [
      "azure/nva-ip-forwarding-disabled pass enabled nva1-nic",
      "azure/nva-single-point-of-failure fail activePassive nva1-nic",
    ]);
  });
});

describe("the appliances cannot be read", () => {
  const unknownOnly = (snap: AzureSnapshot) => {
    const fs = runRules(buildAzureModel(snap), azureRules);
    assert.deepEqual(
      fs.filter((f) => f.status === "unknown").map((f) => `${f.ruleId} ${f.messageId} ${f.resourceName}`),
      ["azure/nva-ip-forwarding-disabled notFound rt-web", "azure/nva-single-point-of-failure notFound rt-web"],
      "the NVA rules say unknown, and the gap turns nothing else unknown",
    );
    assert.ok(has(snap, ids.nic("vm1-nic")), "the group itself was collected");
  };

  it("403 on the hub group: a gap on the hub VNet's GET, the run goes on", async () => {
    const { snap, ops } = await collectCounting(hubWorld(), { unreadableResourceGroups: [rgId(HUB)] });
    assert.deepEqual(
      (snap.gaps ?? []).map((g) => [g.operation, g.status, g.code, g.resourceId]),
      [["resolve", 403, "AuthorizationFailed", moved(hubVnet, HUB)]],
    );
    assert.match(
      snap.gaps?.[0]?.message ?? "",
      /^virtualNetworks\.get failed: .*; it was read to find 10\.9\.0\.4 \(the next hop of rt-web\/to-nva\)/,
    );
    assert.equal(ops["networkInterfaces.get"] ?? 0, 0);
    unknownOnly(snap);
  });

  it("403 on the appliances' group, the hub VNet readable in its own: a gap per NIC, no VM asked for", async () => {
    const { snap, ops } = await collectCounting(hubWorld({ vnetRg: "rg-hub-net" }), { unreadableResourceGroups: [rgId(HUB)] });
    assert.ok(has(snap, moved(hubVnet, "rg-hub-net")));
    assert.deepEqual(
      (snap.gaps ?? []).map((g) => [g.operation, g.status, g.code, g.resourceId]).sort(),
      ["nva1-nic", "nva2-nic"].map((n) => ["resolve", 403, "AuthorizationFailed", inHub(ids.nic(n))]),
    );
    assert.equal(ops["virtualMachines.get"] ?? 0, 0);
    unknownOnly(snap);
  });

  it("a hub subnet that does not list its ip configurations: no NIC asked for, a gap says so", async () => {
    const { snap, ops } = await collectCounting(hubWorld({ listed: false }));
    assert.equal(ops["virtualNetworks.get"], 1);
    assert.equal(ops["networkInterfaces.get"] ?? 0, 0);
    assert.deepEqual(
      (snap.gaps ?? []).map((g) => [g.operation, g.resourceId, g.message]),
      [
        [
          "resolve",
          moved(nvaSubnet, HUB),
          `subnet vnet-hub/snet-nva does not list its ip configurations, so the network interface that holds ${NVA_IP} (the next hop of rt-web/to-nva) was not looked for`,
        ],
      ],
    );
    unknownOnly(snap);
  });
});

describe("planHopSearch: what the next hops of the collected route tables ask for", () => {
  const world = hubWorld();
  const group = world.resources.filter((r) => !r.id.includes(`/resourceGroups/${HUB}/`));
  const hub = world.resources.find((r) => idKey(r.id) === idKey(moved(hubVnet, HUB))) as ArmResource;
  const plan = (rs: ArmResource[], known: (k: string) => boolean = () => false) => planHopSearch(rs, known, new Set());

  it("a next hop in no collected subnet: the peered VNet whose remote address space holds it; none when no peering does", () => {
    assert.deepEqual(
      plan(group).peered.map((p) => [p.id, p.hops]),
      [[moved(hubVnet, HUB), [{ ip: NVA_IP, routes: ["rt-web/to-nva"] }]]],
    );
    assert.deepEqual(plan(group).subnets, []);
    const unpeered = structuredClone(group);
    for (const r of unpeered) if (r.type === "Microsoft.Network/virtualNetworks") P(r).virtualNetworkPeerings = [];
    assert.deepEqual(plan(unpeered), { subnets: [], peered: [] }, "a documented limitation: nothing is asked for");
  });

  it("in a collected subnet: its listed NICs, not a load balancer frontend's, a scale set's or a known one's", () => {
    const h = structuredClone(hub);
    const sub = (P(h).subnets as Array<{ properties: Record<string, unknown> }>)[0] as { properties: Record<string, unknown> };
    const lbFe = `${netId("loadBalancers", "lb-nva", HUB)}/frontendIPConfigurations/fe`;
    const ssNic = `${computeId("virtualMachineScaleSets", "ss", HUB)}/virtualMachines/0/networkInterfaces/n/ipConfigurations/c`;
    sub.properties.ipConfigurations = [{ id: lbFe }, { id: ssNic }, ...(sub.properties.ipConfigurations as unknown[])];
    const p = plan([...group, h], (k) => k === idKey(inHub(ids.nic("nva2-nic"))));
    assert.deepEqual(p.peered, []);
    assert.deepEqual(
      p.subnets.map((s) => [s.subnetId, s.fetch, s.leftOut, s.unlisted]),
      [[moved(nvaSubnet, HUB), [inHub(ids.nic("nva1-nic"))], [], false]],
    );
  });

  it("a next hop already held by a NIC or a load balancer frontend of the snapshot asks for nothing", () => {
    const nic = world.resources.find((r) => idKey(r.id) === idKey(inHub(ids.nic("nva1-nic")))) as ArmResource;
    assert.deepEqual(plan([...group, hub, nic]), { subnets: [], peered: [] });
    const lb: ArmResource = {
      id: netId("loadBalancers", "lb-nva", HUB),
      name: "lb-nva",
      type: "Microsoft.Network/loadBalancers",
      properties: { frontendIPConfigurations: [{ id: "x", properties: { privateIPAddress: NVA_IP } }] },
    };
    assert.deepEqual(plan([...group, hub, lb]), { subnets: [], peered: [] });
  });
});

describe("a reference that failed before the next-hop search", () => {
  it("is not asked again when the search's resources are followed: one GET, one gap", async () => {
    const locked = "rg-locked";
    const nsgId = ids.nsg("nsg-locked");
    const w = hubWorld();
    let text = JSON.stringify(w);
    // vm1's NIC names an NSG in a group the credential cannot read
    text = text.replace(
      `"enableIPForwarding":false,"virtualMachine":{"id":"${ids.vm("vm1")}"}`,
      `"enableIPForwarding":false,"networkSecurityGroup":{"id":"${moved(nsgId, locked)}"},"virtualMachine":{"id":"${ids.vm("vm1")}"}`,
    );
    assert.ok(text.includes(moved(nsgId, locked)));
    const { snap, ops } = await collectCounting(JSON.parse(text) as AzureSnapshot, { unreadableResourceGroups: [rgId(locked)] });
    assert.equal(ops["networkSecurityGroups.get"], 1, JSON.stringify(ops));
    assert.deepEqual(
      (snap.gaps ?? []).map((g) => [g.operation, g.status, g.resourceId]),
      [["networkSecurityGroups.get", 403, moved(nsgId, locked)]],
    );
    assert.ok(has(snap, inHub(ids.nic("nva1-nic"))), "the search ran, and what it fetched was followed");
  });
});

describe("the load-balancer view of a shared load balancer whose members in other groups were not collected", () => {
  const SUB2 = "00000000-0000-0000-0000-0000000000bb";
  const inGroupOf = (id: string, rg: string, sub = SUB) =>
    id.replace(`/subscriptions/${SUB}/resourceGroups/${RG}/`, `/subscriptions/${sub}/resourceGroups/${rg}/`);
  /**
   * The collected snapshot of the group, lb-web (in OTHER) holding, besides the group's vm1 and vm2 and OTHER's vm9,
   * vm8 of group rg-x and vm7 of group rg-y in another subscription: none of the three NICs collected.
   */
  const snapshot = (): AzureSnapshot => {
    const w = world((s) =>
      s
        .vm("vm8", { subnet: WEB_SUBNET, ip: "10.0.0.8", pools: [`${WEB_LB}/pool-web`] })
        .vm("vm7", { subnet: WEB_SUBNET, ip: "10.0.0.17", pools: [`${WEB_LB}/pool-web`] }),
    );
    let text = JSON.stringify(w);
    for (const [id, rg, sub] of [
      [ids.nic("vm8-nic"), "rg-x", SUB],
      [ids.vm("vm8"), "rg-x", SUB],
      [ids.nic("vm7-nic"), "rg-y", SUB2],
      [ids.vm("vm7"), "rg-y", SUB2],
    ] as const)
      text = text.replaceAll(`${id}/`, `${inGroupOf(id, rg, sub)}/`).replaceAll(`${id}"`, `${inGroupOf(id, rg, sub)}"`);
    const moved = JSON.parse(text) as AzureSnapshot;
    return asCollected({ ...moved, resources: moved.resources.filter((r) => !/\/resourceGroups\/rg-[xy]\//.test(r.id)) });
  };
  const rowsOf = (snap: AzureSnapshot) => {
    const model = buildAzureModel(snap);
    const inspector = azureProvider.inspector?.(model);
    assert.ok(inspector);
    const detail = inspector.lbDetail(lbId);
    assert.ok(detail);
    return { inspector, rows: detail.frontends.flatMap((f) => f.rules.flatMap((r) => r.members)) };
  };

  it("each member is named by its NIC, with its group when it is not the load balancer's, and said not collected", () => {
    const { rows } = rowsOf(snapshot());
    assert.deepEqual(
      rows.map((r) => [r.member, r.power]),
      [
        ["vm1-nic", "running"],
        ["vm2-nic", "running"],
        ["vm9-nic/ipconfig1 (not collected)", "unknown"],
        ["vm8-nic/ipconfig1 (rg-x, not collected)", "unknown"],
        [`vm7-nic/ipconfig1 (rg-y in subscription ${SUB2}, not collected)`, "unknown"],
      ],
    );
    const vm9 = rows[2];
    const vm8 = rows[3];
    // vm9's probe health was observed (Up): it stands; vm8 has no entry in it
    assert.equal(vm9?.health.state, "Up");
    assert.deepEqual(vm8?.health, { state: "—", reason: "no entry in the rule's health; its NIC vm8-nic was not collected" });
    const notCollected = (nic: string) => ({
      verdict: "unknown",
      reason: `not collected: its network interface ${nic} is not in the snapshot, so the NSGs in its path are not known`,
    });
    assert.deepEqual([vm9?.probe, vm9?.data], [notCollected("vm9-nic"), notCollected("vm9-nic")]);
    assert.deepEqual([vm8?.probe, vm8?.data], [notCollected("vm8-nic"), notCollected("vm8-nic")]);
    assert.ok(rows.slice(2).every((r) => !r.traceable));
  });

  it("the watch labels name them too; the trace list leaves them out", () => {
    const { inspector } = rowsOf(snapshot());
    const labels = [...inspector.healthStates().values()].map((e) => e.label);
    assert.ok(labels.includes("vm9-nic/ipconfig1 (not collected) · lb-web/rule-http"), labels.join("\n"));
    assert.ok(labels.includes("vm8-nic/ipconfig1 (rg-x, not collected) · lb-web/rule-http"), labels.join("\n"));
    assert.deepEqual(
      inspector.traceTargets(lbId).map((t) => t.label),
      ["vm1 (nic vm1-nic, 10.0.0.4) · rule rule-http", "vm2 (nic vm2-nic, 10.0.0.5) · rule rule-http"],
    );
  });

  it("200 members not collected: 200 rows, each its own label", () => {
    const many = moreMembers(199);
    const { rows } = rowsOf(asCollected(world(many.more, many.moving)));
    const missing = rows.filter((r) => r.member.endsWith("(not collected)"));
    assert.equal(missing.length, 200);
    assert.equal(new Set(missing.map((r) => r.member)).size, 200);
    assert.ok(missing.some((r) => r.member === "m199-nic/ipconfig1 (not collected)"));
  });

  it("a hostile NIC or group name in a member's id stays on its one line", () => {
    const w = asCollected(world());
    const lb = w.resources.find((r) => r.id === lbId) as ArmResource;
    const pools = P(lb).backendAddressPools as Array<{ properties: { backendIPConfigurations: Array<{ id: string }> } }>;
    pools[0]?.properties.backendIPConfigurations.push({
      id: `/subscriptions/${SUB}/resourceGroups/rg-\u001b[31mred\n::warning::x/providers/Microsoft.Network/networkInterfaces/nl\nnic/ipConfigurations/ipconfig1`,
    });
    const { rows } = rowsOf(w);
    assert.equal(rows.at(-1)?.member, "nl\\x0anic/ipconfig1 (rg-red\\x0a::warning::x, not collected)");
    assert.ok(rows.every((r) => !/[\n\u001b]/.test(`${r.member}${r.health.reason ?? ""}${r.probe.reason ?? ""}${r.data.reason ?? ""}`)));
  });

  it("azure/probe-blocked-by-nsg names the member's NIC as not in the snapshot, not as an IP address", () => {
    const fs = runRules(buildAzureModel(snapshot()), azureRules).filter((f) => f.ruleId === "azure/probe-blocked-by-nsg");
    const of = (nic: string) =>
      fs.filter((f) => f.resourceId.toLowerCase().includes(`/networkinterfaces/${nic}/`)).map((f) => [f.status, f.message]);
    assert.deepEqual(of("vm8-nic"), [
      [
        "unknown",
        "Pool member vm8-nic/ipconfig1: its network interface vm8-nic is not in the snapshot, so the NSGs in its path are not known.",
      ],
    ]);
    assert.ok(fs.every((f) => !f.message.includes("is an IP address")));
  });
});

describe("lbdoctor check <group> through the CLI: the group's NICs in a load balancer of another subscription", () => {
  const SUB2 = "00000000-0000-0000-0000-0000000000bb";
  let cli: Awaited<ReturnType<typeof cliEmulator>>;
  before(async () => {
    // lb-web, its public IP and vm9 in SUB2's rg-lb-shared; vm2 deallocated, vm1 set to admin state Down
    const w = world((s) => s.power("vm2", "deallocated").adminState(WEB_LB, "pool-web", { vm: "vm1" }, "Down"));
    const text = JSON.stringify(w).replaceAll(
      `/subscriptions/${SUB}/resourceGroups/${OTHER}/`,
      `/subscriptions/${SUB2}/resourceGroups/${OTHER}/`,
    );
    cli = await cliEmulator(JSON.parse(text) as AzureSnapshot);
  });
  after(() => cli.close());

  it("the fixes act on lb-web in its subscription, and on the group's NIC and VM in theirs", async () => {
    const r = await lbdoctorAsync(["check", RG, "--subscription", SUB, "--no-config", "--no-effective-nsg"], cli.env);
    assert.equal(r.code, 1, r.stderr);
    const pool = `/subscriptions/${SUB2}/resourceGroups/${OTHER}/providers/Microsoft.Network/loadBalancers/${WEB_LB}/backendAddressPools/pool-web`;
    for (const line of [
      `$ az network lb address-pool address list --resource-group ${OTHER} --lb-name lb-web --pool-name pool-web --output table --subscription ${SUB2}`,
      `$ az network lb address-pool address update --resource-group ${OTHER} --lb-name lb-web --pool-name pool-web --name lb-web-pool-web-vm1-nic --admin-state None --subscription ${SUB2}`,
      `$ az vm start --resource-group ${RG} --name vm2 --subscription ${SUB}`,
      `\`az network nic ip-config address-pool remove --resource-group ${RG} --nic-name vm2-nic --ip-config-name ipconfig1 --address-pool ${pool} --subscription ${SUB}\``,
    ])
      assert.ok(r.stdout.includes(line), `${line}\n${r.stdout}`);
    // no az line acts on lb-web in the group's subscription, none names lb-web by name next to the group's NIC
    assert.doesNotMatch(r.stdout, new RegExp(`az network lb [^\\n]*--lb-name lb-web[^\\n]*--subscription ${SUB}`));
    assert.doesNotMatch(r.stdout, /az network nic ip-config address-pool \S+ [^\n]*--lb-name/);
  });
});

describe("--guest and effective NSGs: the group's pool members only, never a hub's appliances", () => {
  const SUB2 = "00000000-0000-0000-0000-0000000000bb";
  const listening = { listening: [{ protocol: "tcp" as const, port: 80, address: "0.0.0.0" }], connections: [] };
  /** hubWorld with an internal load balancer in front of the appliances, and a guest observation for every VM */
  const withGuests = (w: AzureSnapshot, vmIds: string[]): AzureSnapshot => {
    const guest = { ...(w.observations?.guest ?? {}) };
    for (const id of vmIds) guest[id] = listening;
    return { ...w, observations: { ...w.observations, guest } };
  };
  const observed = (emu: ArmEmulator) =>
    emu
      .lros()
      .filter((l) => l.operation === "virtualMachines.runCommand" || l.operation === "networkInterfaces.listEffectiveNetworkSecurityGroups")
      .map((l) => `${l.operation} ${idKey(l.resourceId)}`)
      .sort();
  const groupOnly = [
    ...["vm1", "vm2"].map((v) => `virtualMachines.runCommand ${idKey(ids.vm(v))}`),
    ...["vm1", "vm2"].map((v) => `networkInterfaces.listEffectiveNetworkSecurityGroups ${idKey(ids.nic(`${v}-nic`))}`),
  ].sort();

  it("the hub's appliances behind its internal load balancer (another group): no run-command, no effective NSGs for them", async () => {
    const w = withGuests(
      hubWorld({ ilb: true }),
      ["vm1", "vm2", "nva1", "nva2"].map((v) => (v.startsWith("nva") ? inHub(ids.vm(v)) : ids.vm(v))),
    );
    const { snap, emu } = await collectCounting(w, {}, { guest: true });
    assert.ok(has(snap, inHub(ids.lb("lb-nva"))), "the hub's load balancer and its members are in the snapshot");
    assert.deepEqual(observed(emu), groupOnly);
    assert.deepEqual(
      Object.keys(snap.observations?.guest ?? {})
        .map(idKey)
        .sort(),
      [ids.vm("vm1"), ids.vm("vm2")].map(idKey).sort(),
    );
    assert.deepEqual(snap.gaps, []);
  });

  it("a hub in another subscription: nothing reaches the VM of the same group and name in the scope's subscription", async () => {
    const hub = JSON.parse(
      JSON.stringify(hubWorld({ ilb: true })).replaceAll(
        `/subscriptions/${SUB}/resourceGroups/${HUB}/`,
        `/subscriptions/${SUB2}/resourceGroups/${HUB}/`,
      ),
    ) as AzureSnapshot;
    const theirs = inHub(ids.vm("nva1")).replace(`/subscriptions/${SUB}/`, `/subscriptions/${SUB2}/`);
    const original = hub.resources.find((r) => r.id === theirs) as ArmResource;
    // rg-hub/nva1 of the scope's subscription: another VM, with no NIC in the snapshot's networks
    const twin = structuredClone(original);
    twin.id = inHub(ids.vm("nva1"));
    P(twin).networkProfile = { networkInterfaces: [] };
    hub.resources.push(twin);
    const w = withGuests(hub, [ids.vm("vm1"), ids.vm("vm2"), theirs, twin.id]);
    const { snap, emu } = await collectCounting(w, {}, { guest: true });
    assert.ok(has(snap, theirs), "the hub's appliance came from its own subscription");
    assert.deepEqual(observed(emu), groupOnly);
    assert.ok(!Object.keys(snap.observations?.guest ?? {}).some((id) => idKey(id).includes(`/resourcegroups/${HUB}/`)));
  });
});

describe("the appliance search refused by another tenant", () => {
  const SUB2 = "00000000-0000-0000-0000-0000000000bb";
  const hubElsewhere = () =>
    JSON.parse(
      JSON.stringify(hubWorld({ ilb: true })).replaceAll(
        `/subscriptions/${SUB}/resourceGroups/${HUB}/`,
        `/subscriptions/${SUB2}/resourceGroups/${HUB}/`,
      ),
    ) as AzureSnapshot;
  const refusal = (status: number, code: string) => [{ path: new RegExp(`^/subscriptions/${SUB2}/`), status, code, message: "no" }];
  const unknowns = (snap: AzureSnapshot) =>
    runRules(buildAzureModel(snap), azureRules)
      .filter((f) => f.status === "unknown")
      .map((f) => `${f.ruleId} ${f.messageId} ${f.resourceName}`);

  it("401 InvalidAuthenticationTokenTenant on the hub VNet's GET: a resolve gap, the same unknowns as a 403", async () => {
    const forbidden = await collectCounting(hubElsewhere(), { faults: refusal(403, "AuthorizationFailed") });
    const tenant = await collectCounting(hubElsewhere(), { faults: refusal(401, "InvalidAuthenticationTokenTenant") });
    const hubVnetThere = moved(hubVnet, HUB).replace(`/subscriptions/${SUB}/`, `/subscriptions/${SUB2}/`);
    assert.deepEqual(
      (tenant.snap.gaps ?? []).map((g) => [g.operation, g.status, g.code, g.resourceId]),
      [["resolve", 401, "InvalidAuthenticationTokenTenant", hubVnetThere]],
    );
    assert.deepEqual(unknowns(tenant.snap), unknowns(forbidden.snap));
    assert.deepEqual(unknowns(tenant.snap), [
      "azure/nva-ip-forwarding-disabled notFound rt-web",
      "azure/nva-single-point-of-failure notFound rt-web",
    ]);
  });
});

import { cases as spofCases } from "../rules/azure/nva-single-point-of-failure/cases.ts";
import spofRule from "../rules/azure/nva-single-point-of-failure/rule.ts";
import { evaluateCase } from "./support/rule-tester.ts";

describe("azure/nva-single-point-of-failure: route tables of one group and name in two subscriptions", () => {
  it("each route's line names its own table's subscription, which completeCommand keeps", () => {
    const c = spofCases.invalid.find((x) => x.name.startsWith("two spokes in two subscriptions"));
    assert.ok(c);
    const snapshot = c.snapshot as AzureSnapshot;
    const model = buildAzureModel(snapshot);
    const finding = evaluateCase(spofRule, snapshot).find((f) => f.status === "fail");
    assert.ok(finding);
    const lines = (finding.remediation?.commands ?? [])
      .map((cmd) => azureProvider.completeCommand?.(cmd, finding, model) ?? cmd)
      .filter((cmd) => cmd.startsWith("az network route-table route update"));
    assert.deepEqual(
      lines.map((l) => l.replace(/ --next-hop-ip-address .*? --/, " … --")),
      ["00000000-0000-0000-0000-0000000000aa", "00000000-0000-0000-0000-0000000000bb"].flatMap((sub) =>
        ["default-via-nva", "onprem-via-nva"].map(
          (route) =>
            `az network route-table route update --resource-group ra-multi-vm-rg --route-table-name rt-app --name ${route} --next-hop-type VirtualAppliance … --subscription ${sub}`,
        ),
      ),
    );
  });
});
