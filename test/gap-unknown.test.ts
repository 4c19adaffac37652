/**
 * Faults never turn a finding into a pass or "not applicable": a rule declares
 * the data it reads (`reads`), each provider maps a collection gap to the data
 * it leaves incomplete, and the engine reports the rule's would-be passes and
 * not-applicable results as `unknown`, with the gap as the reason, while its
 * failures stay. Reproduced live against the emulators (AWS: a 403 on
 * DescribeTargetHealth and on DescribeAutoScalingGroups; Azure: a 403 on rule
 * health and on effective NSGs), and on the engine with hand-made gaps.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { rules } from "../rules/index.ts";
import { diagnose } from "../src/core/diagnose.ts";
import { defineRule } from "../src/core/engine/define-rule.ts";
import { DATA_KEYS } from "../src/core/engine/reads.ts";
import { GAP_MESSAGE_ID, runRules } from "../src/core/engine/run.ts";
import type { Finding, Model, ModelGap } from "../src/core/engine/types.ts";
import type { ProviderAdapter } from "../src/core/provider.ts";
import type { Snapshot } from "../src/core/snapshot/types.ts";
import { awsProvider } from "../src/providers/aws/adapter.ts";
import { collectAws } from "../src/providers/aws/collect/collect.ts";
import { type AwsEmulator, startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { azureProvider } from "../src/providers/azure/adapter.ts";
import { collectAzure } from "../src/providers/azure/collect/collect.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import { type AzureModel, buildAzureModel } from "../src/providers/azure/model.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { healthyWeb, ids, netId, P, RG, WEB_LB, WEB_SUBNET } from "./support/azure-builder.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";
import { TEST_RULE_META } from "./support/rule-tester.ts";

const loadAws = (name: string): AwsSnapshot => JSON.parse(readFileSync(join(ROOT, "fixtures/aws", `${name}.json`), "utf8"));

async function collectWithFaults(fixture: string, faults: Parameters<AwsEmulator["setFaults"]>[0]): Promise<AwsSnapshot> {
  const snap = loadAws(fixture);
  const emu = await startAwsEmulator({ snapshots: [snap], faults });
  try {
    return await collectAws({
      region: snap.scope.region ?? "us-east-1",
      endpoint: emu.url,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
      retryStrategy: () => new ConfiguredRetryStrategy(1, () => 0),
      now: () => new Date("2026-11-20T10:00:00Z"),
    });
  } finally {
    await emu.close();
  }
}

function findingsOf(snapshot: Snapshot, adapter: ProviderAdapter<Model>): Finding[] {
  return diagnose({ snapshot, adapter, rules, source: "test" }).findings;
}

const of = (fs: Finding[], ruleId: string) => fs.filter((f) => f.ruleId === ruleId);
const statuses = (fs: Finding[]) => fs.map((f) => `${f.status} ${f.resourceName}`).join("; ");

/** The rule ran, reported something, and nothing of it is a pass or not-applicable; at least one result is unknown and cites the gap. */
function assertNoFalseAllClear(fs: Finding[], ruleId: string, operation: RegExp): void {
  const mine = of(fs, ruleId);
  assert.ok(mine.length > 0, `${ruleId} reported nothing`);
  const clear = mine.filter((f) => f.status === "pass" || f.status === "not-applicable");
  assert.deepEqual(
    clear.map((f) => `${f.status} ${f.resourceName}: ${f.message}`),
    [],
    `${ruleId}: ${statuses(mine)}`,
  );
  const unknown = mine.filter((f) => f.status === "unknown");
  assert.ok(unknown.length > 0, `${ruleId}: ${statuses(mine)}`);
  assert.ok(
    unknown.some((f) => operation.test(f.message)),
    `${ruleId}: an unknown cites the gap: ${unknown.map((f) => f.message).join(" | ")}`,
  );
  for (const f of unknown.filter((x) => x.messageId === GAP_MESSAGE_ID)) {
    assert.ok(
      f.evidence.some((e) => /^\/gaps\/\d+$/.test(e.pointer) && e.label === "collection gap"),
      `${ruleId}: the evidence points at the gap: ${JSON.stringify(f.evidence)}`,
    );
  }
}

describe("faults become unknown, never pass or not-applicable (AWS, live against the emulator)", () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "lbdoctor-gaps-"));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("a 403 on DescribeTargetHealth: target-stopped still fails on the stopped instance, and check still exits 1", async () => {
    const snap = await collectWithFaults("target-stopped", [{ action: "DescribeTargetHealth", fault: "denied" }]);
    assert.ok(snap.gaps?.some((g) => g.operation === "elasticloadbalancing:DescribeTargetHealth" && g.status === 403));
    const fs = findingsOf(snap, awsProvider as ProviderAdapter<Model>);
    const stopped = of(fs, "aws/target-stopped");
    const fail = stopped.find((f) => f.status === "fail");
    assert.ok(fail, `the stopped instance is still a failure: ${statuses(stopped)}`);
    assert.equal(fail.resourceId, "i-0d1a405ce80057a11");
    assert.ok(
      stopped.some((f) => f.status === "unknown" && f.resourceName === "web-tg" && /DescribeTargetHealth/.test(f.message)),
      `the target group whose targets could not be read is unknown: ${statuses(stopped)}`,
    );
    assert.ok(!stopped.some((f) => f.status === "not-applicable"), statuses(stopped));
    for (const id of ["aws/target-public-ip", "aws/target-az-not-enabled", "aws/nlb-hairpin"]) {
      assertNoFalseAllClear(fs, id, /DescribeTargetHealth/);
    }
    const file = join(tmp, "stopped-403.json");
    writeFileSync(file, JSON.stringify(snap));
    const r = lbdoctor(["check", "--snapshot", file, "--format", "json", "--no-config"]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { findings: Finding[] };
    assert.ok(report.findings.some((f) => f.ruleId === "aws/target-stopped" && f.status === "fail"));
  });

  it("a 403 on DescribeTargetHealth of an NLB's group: nlb-hairpin is unknown, not 'nothing in scope'", async () => {
    const snap = await collectWithFaults("nlb-hairpin", [{ action: "DescribeTargetHealth", fault: "denied" }]);
    const fs = findingsOf(snap, awsProvider as ProviderAdapter<Model>);
    for (const id of ["aws/nlb-hairpin", "aws/target-stopped", "aws/target-public-ip", "aws/target-az-not-enabled"]) {
      assert.ok(!of(fs, id).some((f) => f.status === "not-applicable" && f.resourceId === ""), `${id}: ${statuses(of(fs, id))}`);
    }
    assertNoFalseAllClear(fs, "aws/nlb-hairpin", /DescribeTargetHealth/);
  });

  it("a 403 on DescribeAutoScalingGroups: asg-ec2-health-check and deregistration-delay are unknown", async () => {
    for (const fixture of ["asg-ec2-health-check", "deregistration-delay"]) {
      const snap = await collectWithFaults(fixture, [{ action: "DescribeAutoScalingGroups", fault: "denied" }]);
      assert.ok(
        snap.gaps?.some((g) => g.operation === "autoscaling:DescribeAutoScalingGroups"),
        fixture,
      );
      const fs = findingsOf(snap, awsProvider as ProviderAdapter<Model>);
      assertNoFalseAllClear(fs, "aws/asg-ec2-health-check", /DescribeAutoScalingGroups/);
      assertNoFalseAllClear(fs, "aws/deregistration-delay", /DescribeAutoScalingGroups/);
      // a rule that does not read Auto Scaling data is not touched
      assert.ok(
        of(fs, "aws/listener-no-target-group").every((f) => f.messageId !== GAP_MESSAGE_ID),
        fixture,
      );
    }
  });

  it("without the fault the same fixtures pass or fail as before (the mechanism only acts on gaps)", async () => {
    const snap = await collectWithFaults("target-stopped", []);
    const fs = findingsOf(snap, awsProvider as ProviderAdapter<Model>);
    assert.ok(!fs.some((f) => f.messageId === GAP_MESSAGE_ID));
    assert.ok(of(fs, "aws/target-stopped").some((f) => f.status === "pass"));
  });
});

describe("faults become unknown, never pass or not-applicable (Azure, live against the emulator)", () => {
  const collect = async (snapshot: AzureSnapshot, faults: Array<{ route: string; status: number }>) => {
    const emu = await startArmEmulator({ snapshots: [snapshot], faults });
    try {
      return await collectAzure({
        subscriptionId: String(snapshot.scope.subscriptionId),
        resourceGroup: String(snapshot.scope.resourceGroup),
        credential: staticTokenCredential("test"),
        endpoint: emu.url,
        ca: emu.ca,
        pollIntervalMs: 5,
        retryDelayMs: 5,
        maxRetries: 0,
        effectiveNsg: true,
        now: () => new Date("2026-11-20T10:00:00Z"),
      });
    } finally {
      await emu.close();
    }
  };
  const web = () => healthyWeb().effectiveNsg("vm1-nic", { value: [] }).effectiveNsg("vm2-nic", { value: [] }).build();

  it("a 403 on rule health: the rules that read it are unknown, the others still pass", async () => {
    const before = findingsOf(await collect(web(), []), azureProvider as ProviderAdapter<Model>);
    for (const id of ["azure/backend-unhealthy", "azure/rule-without-probe"]) {
      assert.ok(
        of(before, id).some((f) => f.status === "pass"),
        `${id} passes without the fault: ${statuses(of(before, id))}`,
      );
    }
    const snap = await collect(web(), [{ route: "loadBalancingRules.health", status: 403 }]);
    assert.ok(snap.gaps?.some((g) => g.operation === "loadBalancerLoadBalancingRules.health" && g.status === 403));
    const fs = findingsOf(snap, azureProvider as ProviderAdapter<Model>);
    assertNoFalseAllClear(fs, "azure/backend-unhealthy", /loadBalancerLoadBalancingRules\.health/);
    // rules that rule health cannot change (a probe is configured or not; it only adds evidence there) still decide
    for (const id of ["azure/probe-port-mismatch", "azure/rule-without-probe"]) {
      assert.ok(
        of(fs, id).some((f) => f.status === "pass"),
        `${id}: a rule that rule health does not decide still passes: ${statuses(of(fs, id))}`,
      );
    }
  });

  it("a 403 on effective NSGs: the NSG rules that read them are unknown, not a pass from the NSG resources alone", async () => {
    const before = findingsOf(await collect(web(), []), azureProvider as ProviderAdapter<Model>);
    assert.ok(of(before, "azure/probe-blocked-by-nsg").some((f) => f.status === "pass"));
    const snap = await collect(web(), [{ route: "networkInterfaces.listEffectiveNetworkSecurityGroups", status: 403 }]);
    assert.ok(snap.gaps?.some((g) => g.operation === "networkInterfaces.listEffectiveNetworkSecurityGroups"));
    const fs = findingsOf(snap, azureProvider as ProviderAdapter<Model>);
    assertNoFalseAllClear(fs, "azure/probe-blocked-by-nsg", /listEffectiveNetworkSecurityGroups/);
    assertNoFalseAllClear(fs, "azure/data-port-blocked-by-nsg", /listEffectiveNetworkSecurityGroups/);
  });
});

describe("the engine's gap mechanism", () => {
  const base = buildAzureModel(healthyWeb().build());
  // without `reads`: each test rule names the data it reads
  const { reads: _reads, ...meta } = TEST_RULE_META;
  const [lb] = base.loadBalancers;
  const lbId = lb?.id as string;
  const vmIds = base.vms.map((v) => v.id);
  /** passes on the LB and on each VM; fails on vm2 */
  const rule = defineRule<AzureModel>({
    ...meta,
    id: "azure/probe-t",
    reads: ["azure:ruleHealth"],
    messages: { ok: "ok {{n}}", bad: "bad {{n}}" },
    check: ({ model, report }) => {
      for (const l of model.loadBalancers) report({ status: "pass", resourceId: l.id, messageId: "ok", data: { n: l.name } });
      for (const v of model.vms)
        report({
          status: v.name === "vm2" ? "fail" : "pass",
          resourceId: v.id,
          messageId: v.name === "vm2" ? "bad" : "ok",
          data: { n: v.name },
        });
    },
  });
  const withGaps = (gaps: ModelGap[]): AzureModel => ({ ...base, gaps });
  const gap = (extra: Partial<ModelGap> = {}): ModelGap => ({
    kind: "collection",
    operation: "loadBalancerLoadBalancingRules.health",
    status: 403,
    code: "AuthorizationFailed",
    message: "denied",
    covers: ["azure:ruleHealth"],
    pointer: "/gaps/0",
    ...extra,
  });

  it("an unscoped gap on data the rule reads: every pass becomes unknown with the gap as reason; the failure stays", () => {
    const fs = runRules(withGaps([gap()]), [rule]);
    assert.deepEqual(
      fs.map((f) => f.status),
      ["unknown", "unknown", "fail"],
    );
    const u = fs[0] as Finding;
    assert.equal(u.messageId, GAP_MESSAGE_ID);
    assert.match(u.message, /loadBalancerLoadBalancingRules\.health failed \(403 AuthorizationFailed\): denied/);
    assert.match(u.message, /What was collected says: ok lb-web/);
    assert.equal(u.evidence[0]?.pointer, "/gaps/0");
    assert.equal(u.evidence[0]?.label, "collection gap");
  });

  it("a gap on data the rule does not read changes nothing", () => {
    const fs = runRules(withGaps([gap({ covers: ["azure:guest"] })]), [rule]);
    assert.deepEqual(
      fs.map((f) => f.status),
      ["pass", "pass", "fail"],
    );
  });

  it("a not-applicable scope becomes unknown", () => {
    const quiet = defineRule<AzureModel>({ ...meta, id: "azure/quiet-t", reads: ["azure:ruleHealth"], messages: {}, check: () => {} });
    const [f] = runRules(withGaps([gap()]), [quiet]);
    assert.equal(f?.status, "unknown");
    assert.match(f?.message ?? "", /Nothing in scope/);
  });

  it("a gap scoped to one resource changes only the findings about it", () => {
    const vm1 = vmIds.find((v) => /vm1$/.test(v)) as string;
    const fs = runRules(withGaps([gap({ resourceId: vm1, affects: [vm1.toLowerCase()] })]), [rule]);
    const by = new Map(fs.map((f) => [f.resourceName, f.status]));
    assert.equal(by.get("vm1"), "unknown");
    assert.equal(by.get("lb-web"), "pass");
    assert.equal(by.get("vm2"), "fail");
  });

  it("a scoped gap on a resource no finding names adds one unknown there, so it does not drop out", () => {
    const other = `${lbId}-other`;
    const fs = runRules(withGaps([gap({ resourceId: other, resourceName: "lb-other", affects: [other.toLowerCase()] })]), [rule]);
    const added = fs.filter((f) => f.resourceId === other);
    assert.equal(added.length, 1);
    assert.equal(added[0]?.status, "unknown");
    assert.equal(added[0]?.resourceName, "lb-other");
    assert.equal(fs.filter((f) => f.status === "pass").length, 2, "the other passes stay");
  });

  it("defineRule requires reads, with keys of the rule's own provider", () => {
    const check = () => {};
    assert.throws(() => defineRule<AzureModel>({ ...meta, id: "azure/no-reads", reads: [], messages: {}, check }), /declare the data/);
    assert.throws(
      () => defineRule<AzureModel>({ ...meta, id: "azure/bad-reads", reads: ["azure:nope"], messages: {}, check }),
      /unknown data key 'azure:nope'/,
    );
    assert.throws(
      () => defineRule<AzureModel>({ ...meta, id: "azure/aws-reads", reads: ["aws:targetHealth"], messages: {}, check }),
      /unknown data key 'aws:targetHealth'/,
    );
  });

  it("every rule of the catalog declares reads of its own provider", () => {
    for (const r of rules) {
      assert.ok(r.reads.length > 0, r.id);
      for (const k of r.reads) assert.ok((DATA_KEYS[r.provider] as readonly string[]).includes(k), `${r.id}: ${k}`);
    }
  });

  it("the providers map the collectors' operations to data keys; an unknown operation covers everything", () => {
    assert.deepEqual(awsProvider.gapData({ operation: "elasticloadbalancing:DescribeTargetHealth", message: "x" }), ["aws:targetHealth"]);
    assert.deepEqual(awsProvider.gapData({ operation: "autoscaling:DescribeAutoScalingGroups", message: "x" }), ["aws:autoscaling"]);
    assert.deepEqual(awsProvider.gapData({ operation: "DescribeSecurityGroups", message: "x" }), ["aws:securityGroups"]);
    assert.deepEqual(awsProvider.gapData({ operation: "elasticloadbalancing:SomethingNew", message: "x" }), [...DATA_KEYS.aws]);
    assert.deepEqual(azureProvider.gapData({ operation: "loadBalancerLoadBalancingRules.health", message: "x" }), ["azure:ruleHealth"]);
    assert.deepEqual(azureProvider.gapData({ operation: "networkInterfaces.listEffectiveNetworkSecurityGroups", message: "x" }), [
      "azure:effectiveNsg",
    ]);
    assert.deepEqual(azureProvider.gapData({ operation: "virtualMachines.runCommand", message: "x" }), ["azure:guest"]);
    // a NAT gateway's SKU and IP versions are part of what a subnet says about outbound access
    assert.deepEqual(azureProvider.gapData({ operation: "natGateways.list", message: "x" }), ["azure:vnets"]);
    assert.deepEqual(azureProvider.gapData({ operation: "natGateways.get", message: "x" }), ["azure:vnets"]);
    assert.deepEqual(azureProvider.gapData({ operation: "somethingNew.list", message: "x" }), [...DATA_KEYS.azure]);
  });
});

describe("a gap recorded as a note reads as a note, not a failure (third review)", () => {
  const base = buildAzureModel(healthyWeb().build());
  const { reads: _reads, ...meta } = TEST_RULE_META;
  const rule = defineRule<AzureModel>({
    ...meta,
    id: "azure/note-t",
    reads: ["azure:ruleHealth"],
    messages: { ok: "ok {{n}}" },
    check: ({ model, report }) => {
      for (const l of model.loadBalancers) report({ status: "pass", resourceId: l.id, messageId: "ok", data: { n: l.name } });
    },
  });
  const sub = "/subscriptions/00000000-0000-0000-0000-000000000001";
  const note = (extra: Partial<ModelGap> = {}): ModelGap => ({
    kind: "collection",
    operation: "resourceGraph.resourceGroups",
    resourceId: sub,
    message: "Resource Graph returned resources from this subscription",
    covers: ["azure:ruleHealth"],
    affects: [sub],
    pointer: "/gaps/0",
    ...extra,
  });
  const notChecked = (g: ModelGap) => runRules({ ...base, gaps: [g] }, [rule]).find((f) => f.resourceId === sub)?.message;

  it("no status, no code: the operation and the message, no 'failed'", () => {
    assert.equal(
      notChecked(note()),
      `Not checked: resourceGraph.resourceGroups on ${sub}: Resource Graph returned resources from this subscription; this rule reads that data.`,
    );
  });

  it("a status alone, or a code alone, still reads 'failed'", () => {
    assert.match(notChecked(note({ status: 429 })) ?? "", / on \/subscriptions\/[0-9-]+ failed \(429\): Resource Graph returned/);
    assert.match(notChecked(note({ code: "Throttled" })) ?? "", / failed \(Throttled\): /);
  });

  it("an unscoped note turns a pass unknown without the word 'failed'", () => {
    const { resourceId: _r, affects: _a, ...unscoped } = note();
    const [f] = runRules({ ...base, gaps: [unscoped] }, [rule]);
    assert.equal(f?.status, "unknown");
    assert.match(
      f?.message ?? "",
      /^Not verified: resourceGraph\.resourceGroups: Resource Graph returned resources from this subscription; /,
    );
  });
});

describe("a load balancer the NICs name that the snapshot lacks (another resource group): unknown, not a pass", () => {
  const sharedLb = netId("loadBalancers", "lb-shared", "net-rg");
  const shared = `${sharedLb}/backendAddressPools/pool-shared`;
  type Ipc = { properties: { loadBalancerBackendAddressPools: Array<{ id: string }> } };
  const namesShared = (r: Parameters<Parameters<ReturnType<typeof healthyWeb>["edit"]>[1]>[0]) =>
    (P(r).ipConfigurations as Ipc[])[0]?.properties.loadBalancerBackendAddressPools.push({ id: shared });
  /** healthyWeb with a third VM in lb-web's pool whose NIC also names a pool of lb-shared (resource group net-rg) */
  const scenario = (named: boolean) =>
    healthyWeb()
      .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", pools: [`${WEB_LB}/pool-web`], availabilitySet: "avset-web" })
      .ruleHealth(WEB_LB, "rule-http", [
        { vm: "vm1", state: "Up" },
        { vm: "vm2", state: "Up" },
        { vm: "vm3", state: "Up" },
      ])
      .edit(ids.nic("vm3-nic"), (r) => {
        if (named) namesShared(r);
      })
      .build();
  const azureRules = rules.filter((r) => r.provider === "azure");
  const status = (fs: Finding[], ruleId: string, resourceName: string) =>
    fs.find((f) => f.ruleId === ruleId && f.resourceName === resourceName)?.status;

  it("runRules: what the rules say of the scope is unknown, citing the load balancer; a NIC that lb-web holds keeps lb-web's verdicts", () => {
    const before = runRules(buildAzureModel(scenario(false)), azureRules);
    const fs = runRules(buildAzureModel(scenario(true)), azureRules);
    const f = fs.find((x) => x.ruleId === "azure/single-nic-hairpin" && x.resourceName === "(scope)");
    assert.equal(status(before, "azure/single-nic-hairpin", "(scope)"), "not-applicable", "without the reference");
    assert.equal(f?.status, "unknown", statuses(of(fs, "azure/single-nic-hairpin")));
    assert.equal(f?.messageId, GAP_MESSAGE_ID);
    assert.match(
      f?.message ?? "",
      /^Not verified: resolve on \/subscriptions\/.+\/loadBalancers\/lb-shared: load balancer lb-shared \(resource group net-rg\) is not in the snapshot/,
    );
    // vm3-nic is in lb-web's pool: what the rules say of it there stands on lb-web's data, as without the reference
    for (const ruleId of [
      "azure/backend-vm-stopped",
      "azure/backend-unhealthy",
      "azure/probe-blocked-by-nsg",
      "azure/data-port-blocked-by-nsg",
    ]) {
      assert.equal(status(before, ruleId, "vm3-nic"), "pass", `${ruleId} without the reference`);
      assert.equal(status(fs, ruleId, "vm3-nic"), "pass", `${ruleId}: ${statuses(of(fs, ruleId))}`);
    }
    // every result on lb-web and its members is what it was
    const onWeb = (xs: Finding[]) =>
      xs
        .filter((x) => x.loadBalancerId?.toLowerCase() === ids.lb(WEB_LB).toLowerCase())
        .map((x) => `${x.id} ${x.status}`)
        .sort();
    assert.deepEqual(onWeb(fs), onWeb(before));
    assert.ok(onWeb(fs).length > 10);
    // each rule that reads load balancers says so on the load balancer itself, so it does not drop out of the report
    const onShared = fs.filter((x) => x.resourceName === "lb-shared");
    assert.ok(onShared.some((x) => x.ruleId === "azure/backend-unhealthy" && x.status === "unknown"));
    assert.ok(onShared.every((x) => x.status === "unknown" && /^Not checked: resolve on /.test(x.message)));
  });

  it("narrowed to the resource group that was collected, the NIC's results on lb-web stay passes", () => {
    const d = diagnose({ snapshot: scenario(true), adapter: azureProvider as ProviderAdapter<Model>, rules, source: "test", target: RG });
    assert.equal(status(d.findings, "azure/backend-vm-stopped", "vm3-nic"), "pass");
    assert.equal(status(d.findings, "azure/backend-vm-stopped", "vm1-nic"), "pass");
    assert.ok(d.model.gaps.some((g) => g.kind === "collection" && g.resourceName === "lb-shared"));
  });

  it("a NIC that no load balancer of the snapshot holds: what a rule says of it (or of its VM) is unknown; of a NIC that lb-web holds, it stands", () => {
    const snap = healthyWeb()
      .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", pools: [`${WEB_LB}/pool-web`], availabilitySet: "avset-web" })
      .vm("vm4", { subnet: WEB_SUBNET, ip: "10.0.0.7", availabilitySet: "avset-web" })
      .edit(ids.nic("vm3-nic"), namesShared)
      .edit(ids.nic("vm4-nic"), namesShared)
      .build();
    const { reads: _reads, ...meta } = TEST_RULE_META;
    const each = defineRule<AzureModel>({
      ...meta,
      id: "azure/each-nic-t",
      reads: ["azure:loadBalancers"],
      messages: { ok: "ok {{n}}" },
      check: ({ model, report }) => {
        for (const n of model.nics) report({ status: "pass", resourceId: n.id, messageId: "ok", data: { n: n.name } });
        for (const v of model.vms) report({ status: "pass", resourceId: v.id, messageId: "ok", data: { n: v.name } });
      },
    });
    const fs = runRules(buildAzureModel(snap), [each]);
    const by = new Map(fs.map((x) => [x.resourceName, x]));
    for (const held of ["vm1-nic", "vm3-nic", "vm1", "vm3"]) assert.equal(by.get(held)?.status, "pass", held);
    for (const alone of ["vm4-nic", "vm4"]) {
      assert.equal(by.get(alone)?.status, "unknown", alone);
      assert.match(by.get(alone)?.message ?? "", /^Not verified: resolve on .+\/lb-shared: .+; what it does for them is not known;/);
    }
    assert.equal(by.get("lb-shared")?.status, "unknown", "shown on the load balancer itself");
  });

  it("hub and spoke (every VM of the group in the pool of a load balancer of another group): no pass or not-applicable about them or the scope", () => {
    const hubLb = netId("loadBalancers", "lb-hub", "hub-rg");
    let b = healthyWeb();
    for (const i of [3, 4]) b = b.vm(`vm${i}`, { subnet: WEB_SUBNET, ip: `10.0.0.${i + 3}`, availabilitySet: "avset-web" });
    b = b.remove(ids.lb(WEB_LB));
    for (const i of [1, 2, 3, 4])
      b = b.edit(ids.nic(`vm${i}-nic`), (r) => {
        const ipc = (P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)[0] as { properties: Record<string, unknown> };
        ipc.properties.loadBalancerBackendAddressPools = [{ id: `${hubLb}/backendAddressPools/pool-hub` }];
        ipc.properties.loadBalancerInboundNatRules = [{ id: `${hubLb}/inboundNatRules/nat-ssh-vm${i}` }];
      });
    const snap = b.build();
    (snap.observations ??= {}).ruleHealth = {};
    const d = diagnose({ snapshot: snap, adapter: azureProvider as ProviderAdapter<Model>, rules, source: "test", target: RG });
    const theirs = new Set([1, 2, 3, 4].flatMap((i) => [ids.vm(`vm${i}`), ids.nic(`vm${i}-nic`)].map((x) => x.toLowerCase())));
    const about = (x: Finding) => x.resourceId === "" || theirs.has(x.resourceId.toLowerCase()) || x.subjects.some((k) => theirs.has(k));
    const allClear = d.findings.filter((x) => about(x) && (x.status === "pass" || x.status === "not-applicable"));
    assert.deepEqual(
      allClear.map((x) => `${x.ruleId} ${x.resourceName} ${x.status}`),
      [],
    );
    const scope = d.findings.filter((x) => x.resourceId === "");
    assert.ok(scope.length > 10);
    assert.ok(
      scope.every((x) => x.status === "unknown" && /lb-hub \(resource group hub-rg\) is not in the snapshot, yet 4 NICs/.test(x.message)),
    );
    // one gap about the load balancer, however many NICs name it
    assert.deepEqual(
      d.model.gaps.map((g) => [g.kind, g.resourceName]),
      [["collection", "lb-hub"]],
    );
  });
});
