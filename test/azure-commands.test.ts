import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { azureProvider } from "../src/providers/azure/adapter.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import { healthyWeb } from "./support/azure-builder.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";

test("a printed az command gets the subscription of its finding's resource, each its own, however often the command repeats", () => {
  const model = buildAzureModel(healthyWeb().build());
  const complete = azureProvider.completeCommand;
  assert.ok(complete);
  const command = "az vm start --resource-group rg --name vm1";
  const on = (sub: string) => ({ resourceId: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1` });
  for (let round = 0; round < 2; round++) {
    assert.equal(complete(command, on("aaaa"), model), `${command} --subscription aaaa`);
    assert.equal(complete(command, on("bbbb"), model), `${command} --subscription bbbb`);
  }
  // a command that names its subscription, or its resources by --ids, is left as it is
  assert.equal(complete(`${command} --subscription cccc`, on("aaaa"), model), `${command} --subscription cccc`);
  assert.equal(
    complete(
      "az vm start --ids /subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
      on("aaaa"),
      model,
    ).includes("--subscription"),
    false,
  );
});

test("an az command in a fix's words names its subscription too (no completion reaches the summary)", () => {
  const inline: string[] = [];
  for (const file of readdirSync(join(ROOT, "fixtures", "azure")).filter((f) => f.endsWith(".json"))) {
    const r = lbdoctor(["check", "--snapshot", join(ROOT, "fixtures", "azure", file), "--format", "json", "--no-config"]);
    const findings = JSON.parse(r.stdout).findings as Array<{ remediation?: { summary?: string } }>;
    for (const f of findings) for (const m of f.remediation?.summary?.matchAll(/`(az [^`]+)`/g) ?? []) inline.push(m[1] as string);
  }
  assert.ok(inline.length > 0, "some fix names an az command in its words");
  for (const c of inline) assert.match(c, / --subscription \S+| --ids /, c);
});

// ---------------------------------------------------------------------------
// a NIC or VM of one group (or subscription) in the pool of a load balancer of another

const { spawnSync } = await import("node:child_process");
const { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { rules: catalog } = await import("../rules/index.ts");
const { cases: nvaCases } = await import("../rules/azure/nva-single-point-of-failure/cases.ts");
const { default: nvaRule } = await import("../rules/azure/nva-single-point-of-failure/rule.ts");
const { cases: singleBackendCases } = await import("../rules/azure/single-backend/cases.ts");
const { default: singleBackendRule } = await import("../rules/azure/single-backend/rule.ts");
const { diagnose } = await import("../src/core/diagnose.ts");
const { ids, RG, SUB, WEB_LB } = await import("./support/azure-builder.ts");
const { evaluateCase } = await import("./support/rule-tester.ts");
type AzureSnapshot = import("../src/providers/azure/wire-types.ts").AzureSnapshot;
type Finding = import("../src/core/engine/types.ts").Finding;
type Model = import("../src/core/engine/types.ts").Model;
type ProviderAdapter<M extends Model> = import("../src/core/provider.ts").ProviderAdapter<M>;
type RuleCases = import("./support/rule-tester.ts").RuleCases;

const SUB2 = "00000000-0000-0000-0000-0000000000bb";
const LB_RG = "rg-lb-shared";
const LBS = "/providers/Microsoft.Network/loadBalancers/";
/** The scenario's load balancers (ids and every reference to them) moved to resource group `rg` of subscription `sub`. */
function lbsElsewhere(snap: AzureSnapshot, sub: string, rg = LB_RG): AzureSnapshot {
  return JSON.parse(
    JSON.stringify(snap).replaceAll(`/subscriptions/${SUB}/resourceGroups/${RG}${LBS}`, `/subscriptions/${sub}/resourceGroups/${rg}${LBS}`),
  ) as AzureSnapshot;
}
const poolIdIn = (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}${LBS}lb-web/backendAddressPools/pool-web`;
const azureRules = catalog.filter((r) => r.provider === "azure");
/** Every finding of `ruleId` with a fix, as printed: its commands completed by the adapter. */
function fixesOf(snapshot: AzureSnapshot, ruleId: string): Array<{ resourceName: string; summary: string; commands: string[] }> {
  const d = diagnose({ snapshot, adapter: azureProvider as ProviderAdapter<Model>, rules: azureRules, source: "test", whole: true });
  return d.findings
    .filter((f) => f.ruleId === ruleId && f.remediation)
    .map((f) => ({ resourceName: f.resourceName, summary: f.remediation?.summary ?? "", commands: f.remediation?.commands ?? [] }));
}
/** The az command a fix's words name (between backticks). */
const inlineCommand = (summary: string) => /`(az [^`]+)`/.exec(summary)?.[1];

const stoppedVm2 = () => healthyWeb().power("vm2", "deallocated").build();
const removal = (rest: string) =>
  `az network nic ip-config address-pool remove --resource-group ${RG} --nic-name vm2-nic --ip-config-name ipconfig1 ${rest} --subscription ${SUB}`;

test("backend-vm-stopped: the NIC leaves the pool by the pool's name in the NIC's own group, else by its id; in the NIC's subscription", () => {
  const inline = (snap: AzureSnapshot) => {
    const [f, ...more] = fixesOf(snap, "azure/backend-vm-stopped");
    assert.equal(more.length, 0);
    return inlineCommand(f?.summary ?? "");
  };
  assert.equal(inline(stoppedVm2()), removal("--lb-name lb-web --address-pool pool-web"));
  // another group, same subscription: az would make `--lb-name lb-web` into ra-multi-vm-rg/lb-web
  assert.equal(inline(lbsElsewhere(stoppedVm2(), SUB)), removal(`--address-pool ${poolIdIn(SUB, LB_RG)}`));
  // another subscription: the pool's id names it; the line runs where the NIC is
  assert.equal(inline(lbsElsewhere(stoppedVm2(), SUB2)), removal(`--address-pool ${poolIdIn(SUB2, LB_RG)}`));
  // another subscription, a group of the same name: az would make the name into the NIC's subscription's
  assert.equal(inline(lbsElsewhere(stoppedVm2(), SUB2, RG)), removal(`--address-pool ${poolIdIn(SUB2, RG)}`));
  // az removes the reference whose id equals the one given: the pool's id as the NIC spells it
  const snap = lbsElsewhere(stoppedVm2(), SUB);
  type Wire = { ipConfigurations: Array<{ properties: { loadBalancerBackendAddressPools: Array<{ id: string }> } }> };
  const nic = snap.resources.find((r) => r.id === ids.nic("vm2-nic"));
  const refs = (nic?.properties as Wire | undefined)?.ipConfigurations[0]?.properties.loadBalancerBackendAddressPools ?? [];
  assert.equal(refs.length, 1);
  const upper = poolIdIn(SUB, LB_RG.toUpperCase());
  if (refs[0]) refs[0].id = upper;
  assert.equal(inline(snap), removal(`--address-pool ${upper}`));
});

test("backend-vm-stopped: the removal, run through the shell to a stub az, passes the pool's id whole and no --lb-name", () => {
  const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-azpool-"));
  try {
    const log = join(tmp, "argv");
    const az = join(tmp, "az");
    writeFileSync(az, `#!/bin/sh\nfor a in "$@"; do printf '%s\\000' "$a"; done > "$STUB_LOG"\n`);
    chmodSync(az, 0o755);
    const [f] = fixesOf(lbsElsewhere(stoppedVm2(), SUB2), "azure/backend-vm-stopped");
    const command = inlineCommand(f?.summary ?? "");
    assert.ok(command);
    const r = spawnSync("/bin/sh", ["-c", command], { env: { PATH: `${tmp}:/usr/bin:/bin`, STUB_LOG: log }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(log, "utf8").split("\0").slice(0, -1), [
      "network",
      "nic",
      "ip-config",
      "address-pool",
      "remove",
      "--resource-group",
      RG,
      "--nic-name",
      "vm2-nic",
      "--ip-config-name",
      "ipconfig1",
      "--address-pool",
      poolIdIn(SUB2, LB_RG),
      "--subscription",
      SUB,
    ]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("a command on a load balancer of another subscription runs in that one; a command on the group's VM in the VM's", () => {
  const world = (sub: string) =>
    lbsElsewhere(
      healthyWeb()
        .power("vm2", "deallocated")
        .adminState(WEB_LB, "pool-web", { vm: "vm1" }, "Down")
        .ruleHealth(WEB_LB, "rule-http", [{ vm: "vm1", state: "Down", reason: "Down_Admin" }])
        .build(),
      sub,
    );
  const list = (sub: string) =>
    `az network lb address-pool address list --resource-group ${LB_RG} --lb-name lb-web --pool-name pool-web --output table --subscription ${sub}`;
  const none = (sub: string) =>
    `az network lb address-pool address update --resource-group ${LB_RG} --lb-name lb-web --pool-name pool-web --name lb-web-pool-web-vm1-nic --admin-state None --subscription ${sub}`;
  const start = `az vm start --resource-group ${RG} --name vm2 --subscription ${SUB}`;
  for (const sub of [SUB2, SUB]) {
    const w = world(sub);
    // about the group's NIC vm1-nic (SUB), acting on lb-web
    assert.deepEqual(
      fixesOf(w, "azure/admin-state-down").map((f) => [f.resourceName, f.commands]),
      [["vm1-nic", [list(sub), none(sub)]]],
      sub,
    );
    assert.deepEqual(
      fixesOf(w, "azure/backend-unhealthy").map((f) => [f.resourceName, f.commands]),
      [["vm1-nic", [list(sub)]]],
      sub,
    );
    // about lb-web's pool (the load balancer's subscription), acting on lb-web and on the group's VM vm2 (SUB)
    assert.deepEqual(
      fixesOf(w, "azure/single-backend").map((f) => [f.resourceName, f.commands]),
      [["pool-web", [none(sub), start]]],
      sub,
    );
  }
});

test("completeCommand: each az invocation in the subscription of the resource it names by group and name", () => {
  const complete = azureProvider.completeCommand;
  assert.ok(complete);
  const gwId = `/subscriptions/${SUB2}/resourceGroups/rg-gw${LBS}lb-gw`;
  // lb-web in SUB2's rg-lb-shared, and a Gateway load balancer lb-gw in SUB2's rg-gw; the group's NICs in SUB
  const snap = lbsElsewhere(healthyWeb().lb("lb-gw", { sku: "Gateway", frontends: [], pools: [], probes: [], rules: [] }).build(), SUB2);
  const text = JSON.stringify(snap).replaceAll(`${LB_RG}${LBS}lb-gw`, `rg-gw${LBS}lb-gw`);
  const model = buildAzureModel(JSON.parse(text) as AzureSnapshot);
  assert.ok(model.loadBalancers.some((lb) => lb.id === gwId));
  const lbWeb = `/subscriptions/${SUB2}/resourceGroups/${LB_RG}${LBS}lb-web`;
  const onNic = { resourceId: ids.nic("vm2-nic"), loadBalancerId: lbWeb };
  const nicShow = `az network nic show --resource-group ${RG} --name vm2-nic`;
  const lbShow = `az network lb show --resource-group ${LB_RG} --name lb-web`;
  // a chain: each invocation its own
  assert.equal(complete(`${nicShow} && ${lbShow}`, onNic, model), `${nicShow} --subscription ${SUB} && ${lbShow} --subscription ${SUB2}`);
  // the load balancer named by a subgroup's --lb-name, quoted: the snapshot's one so named, whatever the finding
  assert.equal(
    complete(`az network lb probe show --resource-group 'rg-gw' --lb-name "lb-gw" --name p`, { resourceId: ids.nic("vm2-nic") }, model),
    `az network lb probe show --resource-group 'rg-gw' --lb-name "lb-gw" --name p --subscription ${SUB2}`,
  );
  // a load balancer that is not the finding's: the snapshot's one so named (a gateway the finding's chains to)
  const onLbWeb = { resourceId: `${lbWeb}/frontendIPConfigurations/fe-web`, loadBalancerId: lbWeb };
  const gwList = "az network lb address-pool list --resource-group rg-gw --lb-name lb-gw --output table";
  assert.equal(
    complete(gwList, { resourceId: ids.nic("vm1-nic"), loadBalancerId: ids.lb(WEB_LB) }, model),
    `${gwList} --subscription ${SUB2}`,
  );
  // the finding's VM, named by a finding about the load balancer: the VM's subscription
  const start = `az vm start --resource-group ${RG} --name vm2`;
  assert.equal(complete(start, onLbWeb, model), `${start} --subscription ${SUB}`);
  // a load balancer the line creates (not in the snapshot): the finding's load balancer's subscription
  const create = `az network lb create --resource-group ${LB_RG} --name lb-new --sku Standard`;
  assert.equal(complete(create, onNic, model), `${create} --subscription ${SUB2}`);
  // nothing to go by: the finding's resource's
  assert.equal(complete(create, { resourceId: ids.nic("vm2-nic") }, model), `${create} --subscription ${SUB}`);
  // a name taken in both subscriptions: the finding's load balancer when it is the one named, else the finding's resource's
  const twin = buildAzureModel(
    JSON.parse(
      JSON.stringify(healthyWeb().build()).replaceAll(`/resourceGroups/${RG}${LBS}`, `/resourceGroups/${LB_RG}${LBS}`),
    ) as AzureSnapshot,
  );
  const both = { ...twin, snapshot: { ...twin.snapshot, resources: [...twin.snapshot.resources, ...model.snapshot.resources] } };
  assert.equal(complete(lbShow, onNic, both), `${lbShow} --subscription ${SUB2}`);
  assert.equal(complete(lbShow, { resourceId: ids.nic("vm2-nic") }, both), `${lbShow} --subscription ${SUB}`);
});

test("nva-single-point-of-failure: an NVA NIC of another group joins a pool by the pool's id; one of another subscription names its own", () => {
  const fix = (name: string, snap?: (s: AzureSnapshot) => AzureSnapshot) => {
    const c = nvaCases.invalid.find((x) => x.name.startsWith(name));
    assert.ok(c, name);
    const s = snap ? snap(c.snapshot as AzureSnapshot) : c.snapshot;
    return evaluateCase(nvaRule, s)
      .filter((f) => f.status === "fail")
      .flatMap((f) => f.remediation?.commands ?? [])
      .filter((x) => x.includes("address-pool add"));
  };
  const nvaPool = (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}${LBS}lb-nva/backendAddressPools/pool-nva`;
  const add = (rg: string, nic: string, rest: string) =>
    `az network nic ip-config address-pool add --resource-group ${rg} --nic-name ${nic} --ip-config-name ipconfig1 ${rest}`;
  // the HA design's new load balancer sits in nva1's group
  assert.deepEqual(fix("an active-passive pair whose passive NVA's VM and NIC sit in another resource group"), [
    add(RG, "nva1-nic", "--lb-name lb-nva --address-pool pool-nva"),
    add("rg-nva2", "nva2-nic", `--address-pool ${nvaPool(SUB, RG)}`),
  ]);
  assert.deepEqual(fix("an internal LB in front of one NVA, a forwarding partner next to it in another resource group"), [
    add("rg-nva2", "nva2-nic", `--address-pool ${nvaPool(SUB, RG)}`),
  ]);
  // the same, lb-nva in another subscription: the finding (lb-nva's) is completed with that one, so the NIC's is named
  assert.deepEqual(
    fix("an internal LB in front of one NVA, a forwarding partner next to it in another resource group", (s) => lbsElsewhere(s, SUB2, RG)),
    [add("rg-nva2", "nva2-nic", `--address-pool ${nvaPool(SUB2, RG)} --subscription ${SUB}`)],
  );
  // in the load balancer's own group and subscription: by name, as before
  assert.deepEqual(fix("the highly available NVA guidance active-passive pair"), [
    add(RG, "nva1-nic", "--lb-name lb-nva --address-pool pool-nva"),
    add(RG, "nva2-nic", "--lb-name lb-nva --address-pool pool-nva"),
  ]);
});

test("single-backend: a new NIC joins a pool of another subscription by the pool's id, even in a group of the same name", () => {
  const c = singleBackendCases.invalid.find((x) => x.name.startsWith("only one VM was ever deployed into the availability set"));
  assert.ok(c);
  const nicCreate = (snap: AzureSnapshot) =>
    evaluateCase(singleBackendRule, snap)
      .flatMap((f) => f.remediation?.commands ?? [])
      .filter((x) => x.startsWith("az network nic create"));
  const head = `az network nic create --resource-group ${RG} --name vm2-nic --vnet-name vnet-web --subnet snet-web`;
  assert.deepEqual(nicCreate(c.snapshot as AzureSnapshot), [`${head} --lb-name lb-web --lb-address-pools pool-web`]);
  assert.deepEqual(nicCreate(lbsElsewhere(c.snapshot as AzureSnapshot, SUB2, RG)), [
    `${head} --lb-address-pools /subscriptions/${SUB2}/resourceGroups/${RG}${LBS}lb-web/backendAddressPools/pool-web`,
  ]);
});

test("backend-pool-empty and single-nic-hairpin: a NIC still to be named joins the pool by the pool's id", async () => {
  const pick = async (id: string, name: string, where: (f: Finding) => string[]) => {
    const { cases } = (await import(join(ROOT, "rules", id, "cases.ts"))) as { cases: RuleCases };
    const rule = catalog.find((r) => r.id === id);
    const c = cases.invalid.find((x) => x.name.startsWith(name));
    assert.ok(rule && c, name);
    return evaluateCase(rule, c.snapshot).flatMap(where);
  };
  const generic = await pick("azure/backend-pool-empty", "a new public LB whose pool was never filled", (f) =>
    (f.remediation?.commands ?? []).filter((x) => x.includes("address-pool add")),
  );
  assert.deepEqual(generic, [
    `az network nic ip-config address-pool add --resource-group ${RG} --nic-name '<nic-name>' --ip-config-name '<ip-config-name>' --address-pool /subscriptions/${SUB}/resourceGroups/${RG}${LBS}lb-api/backendAddressPools/pool-api`,
  ]);
  const hairpin = await pick("azure/single-nic-hairpin", "a web app and its API co-hosted", (f) => [f.remediation?.summary ?? ""]);
  assert.ok(
    hairpin.some((s) =>
      s.includes(
        `(az network nic ip-config address-pool add --resource-group '<rg>' --nic-name '<nic>' --ip-config-name '<ipconfig>' --address-pool /subscriptions/${SUB}/resourceGroups/${RG}${LBS}lb-apps/backendAddressPools/pool-rule-api)`,
      ),
    ),
    hairpin.join("\n"),
  );
});
