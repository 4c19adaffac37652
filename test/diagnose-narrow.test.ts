/**
 * Narrowing a diagnosis to a resource group (`check <group>`) when the group's NICs are members of a load balancer
 * of another group: a result about a resource of the group is kept, with the load balancer it is tied to, and that
 * load balancer is listed after the group's own; what is about the other load balancer itself (its pools, probes,
 * rules) or its members elsewhere is not. A load-balancer target keeps the results of that load balancer only.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rules } from "../rules/index.ts";
import { type Diagnosis, diagnose } from "../src/core/diagnose.ts";
import { defineRule } from "../src/core/engine/define-rule.ts";
import type { Finding, Model, Rule } from "../src/core/engine/types.ts";
import type { ProviderAdapter } from "../src/core/provider.ts";
import { azureProvider } from "../src/providers/azure/adapter.ts";
import { idKey } from "../src/providers/azure/arm-id.ts";
import type { AzureModel } from "../src/providers/azure/model.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { healthyInternal, healthyWeb, ids, RG, WEB_LB, WEB_SUBNET } from "./support/azure-builder.ts";
import { TEST_RULE_META } from "./support/rule-tester.ts";

const A = RG;
const B = "rg-lb-shared";
const adapter = azureProvider as ProviderAdapter<Model>;

/** An id of group A moved into group B. */
const inB = (id: string) => id.replace(`/resourceGroups/${A}/`, `/resourceGroups/${B}/`);
const lbWeb = inB(ids.lb(WEB_LB));
const lbA = ids.lb("lb-a");

/** The snapshot with these resources (their sub-resources, and every reference to them) moved into group B. */
function moved(snap: AzureSnapshot, list: string[]): AzureSnapshot {
  let text = JSON.stringify(snap);
  for (const id of list) text = text.replaceAll(`${id}/`, `${inB(id)}/`).replaceAll(`${id}"`, `${inB(id)}"`);
  return JSON.parse(text) as AzureSnapshot;
}

/**
 * Group A (the snapshot's scope) holds lb-a with vm4 in its pool, and vm1 and vm2, members of lb-web's pool; lb-web,
 * its public IP and vm9 (a third member of its pool) are in group B. `troubled`: vm2 is Down, vm1's effective rules
 * could not be read (a gap), lb-web's probe watches a port its rule does not serve, and vm9 is deallocated.
 */
function world(troubled: boolean): AzureSnapshot {
  const s = healthyWeb()
    .lb("lb-a", {
      frontends: [{ name: "fe-a", subnet: WEB_SUBNET, privateIp: "10.0.0.100" }],
      pools: ["pool-a"],
      probes: [{ name: "probe-a", protocol: "Http", port: 8080, path: "/" }],
      rules: [{ name: "rule-a", frontend: "fe-a", pool: "pool-a", probe: "probe-a", frontendPort: 8080, backendPort: 8080 }],
    })
    .vm("vm4", { subnet: WEB_SUBNET, ip: "10.0.0.7", pools: ["lb-a/pool-a"] })
    .vm("vm9", {
      subnet: WEB_SUBNET,
      ip: "10.0.0.9",
      pools: [`${WEB_LB}/pool-web`],
      ...(troubled ? { power: "deallocated" as const } : {}),
    })
    .ruleHealth("lb-a", "rule-a", [{ vm: "vm4", state: "Up" }])
    .ruleHealth(WEB_LB, "rule-http", [
      { vm: "vm1", state: "Up" },
      { vm: "vm2", state: troubled ? "Down" : "Up" },
      { vm: "vm9", state: troubled ? "Down" : "Up" },
    ]);
  if (troubled) {
    s.gap({
      operation: "networkInterfaces.listEffectiveNetworkSecurityGroups",
      resourceId: ids.nic("vm1-nic"),
      status: 500,
      code: "InternalServerError",
      message: "the effective rules could not be read",
    });
  }
  const snap = moved(s.build(), [ids.lb(WEB_LB), ids.publicIp("pip-lb-web"), ids.nic("vm9-nic"), ids.vm("vm9")]);
  if (troubled) {
    const lb = snap.resources.find((r) => r.id === lbWeb);
    const probe = (lb?.properties?.probes as Array<{ properties: { port: number } }> | undefined)?.[0];
    assert.ok(probe);
    probe.properties.port = 8080;
  }
  return snap;
}

const run = (snapshot: AzureSnapshot, target: string | undefined, passes: "full" | "count", extra: Rule[] = []) =>
  diagnose({ snapshot, adapter, rules: [...rules, ...extra], source: "test", passes, ...(target ? { target } : { whole: true }) });

const groupOf = (id: string) => /\/resourceGroups\/([^/]+)/i.exec(id)?.[1]?.toLowerCase();
const sameId = (a: string | undefined, b: string) => a !== undefined && idKey(a) === idKey(b);
const line = (x: { ruleId: string; status: string; resourceId: string; loadBalancerId?: string | undefined }) =>
  `${x.status} ${x.ruleId} ${x.resourceId.split("/").pop()} @${x.loadBalancerId?.split("/").pop() ?? "-"}`;
/** every counted result of a diagnosis, one row each */
const countedRows = (d: Diagnosis) =>
  d.counted.flatMap((c) =>
    c.status.map((status, i) => ({
      ruleId: c.ruleId,
      status,
      resourceId: c.resourceId[i] as string,
      loadBalancerId: c.loadBalancerId[i],
    })),
  );
const of = (fs: Finding[], ruleId: string, resourceId: string) =>
  fs
    .filter((f) => f.ruleId === ruleId && sameId(f.resourceId, resourceId))
    .map((f) => `${f.status} @${f.loadBalancerId?.split("/").pop()}`);

describe("narrowed to group A: a result about A's resource tied to group B's load balancer", () => {
  const snap = world(true);

  it("is kept, fail and unknown alike, with its load balancer", () => {
    const d = run(snap, A, "full");
    assert.deepEqual(of(d.findings, "azure/backend-unhealthy", ids.nic("vm2-nic")), ["fail @lb-web"]);
    assert.deepEqual(of(d.findings, "azure/port-not-listening", ids.nic("vm1-nic")), ["unknown @lb-web"]);
    assert.deepEqual(of(d.findings, "azure/probe-blocked-by-nsg", ids.nic("vm1-nic")), ["unknown @lb-web"]);
    // and a pass, in a full run
    assert.deepEqual(of(d.findings, "azure/backend-vm-stopped", ids.nic("vm1-nic")), ["pass @lb-web"]);
  });

  it("counting passes: the fail and the unknown are findings, the pass is counted in the scope with its load balancer", () => {
    const d = run(snap, A, "count");
    assert.deepEqual(of(d.findings, "azure/backend-unhealthy", ids.nic("vm2-nic")), ["fail @lb-web"]);
    assert.deepEqual(of(d.findings, "azure/port-not-listening", ids.nic("vm1-nic")), ["unknown @lb-web"]);
    const pass = countedRows(d).filter((r) => r.ruleId === "azure/backend-vm-stopped" && sameId(r.resourceId, ids.nic("vm1-nic")));
    assert.deepEqual(pass.map(line), ["pass azure/backend-vm-stopped vm1-nic @lb-web"]);
    // the same results as the full run, counted or not
    const full = run(snap, A, "full");
    assert.deepEqual([...d.findings.map(line), ...countedRows(d).map(line)].sort(), full.findings.map(line).sort());
  });

  it("what is about B's load balancer itself (its pool, probe, rule) or its member in B is not kept, but a failure that concerns A's VMs", () => {
    const whole = run(snap, undefined, "full");
    const inGroupB = (x: { resourceId: string }) => groupOf(x.resourceId) === B.toLowerCase();
    // the whole snapshot has them: the pool's placement, the rule's probe, a result on the probe, the member's VM
    assert.deepEqual(of(whole.findings, "azure/availability-mismatch", `${lbWeb}/backendAddressPools/pool-web`), ["fail @lb-web"]);
    assert.deepEqual(of(whole.findings, "azure/probe-port-mismatch", `${lbWeb}/loadBalancingRules/rule-http`), ["fail @lb-web"]);
    assert.ok(whole.findings.some((f) => sameId(f.resourceId, `${lbWeb}/probes/probe-http`)));
    assert.deepEqual(of(whole.findings, "azure/backend-vm-stopped", inB(ids.nic("vm9-nic"))), ["fail @lb-web"]);
    for (const passes of ["full", "count"] as const) {
      const d = run(snap, A, passes);
      // the pool's placement fails for vm1 and vm2 (group A) among its members: a failure about B's pool that concerns
      // A's VMs (its subjects) is A's too; the probe's and the rule's, and vm9's, are not
      assert.deepEqual(d.findings.filter(inGroupB).map(line), ["fail azure/availability-mismatch pool-web @lb-web"], passes);
      const placement = d.findings.find((f) => f.ruleId === "azure/availability-mismatch" && inGroupB(f));
      assert.ok(
        placement?.subjects.some((id) => groupOf(id) === A.toLowerCase()),
        "it names A's VMs",
      );
      assert.deepEqual(countedRows(d).filter(inGroupB).map(line), [], passes);
      // every other result kept is about group A or the whole scope
      assert.ok(
        [...d.findings, ...countedRows(d)].every(
          (x) => x === placement || x.resourceId === "" || groupOf(x.resourceId) === A.toLowerCase(),
        ),
        passes,
      );
    }
  });

  it("a pass about B's resource that names A's VMs is not kept, counted or whole: both give the same summary", () => {
    const healthy = world(false);
    const full = run(healthy, A, "full");
    const counted = run(healthy, A, "count");
    const inGroupB = (x: { resourceId: string }) => groupOf(x.resourceId) === B.toLowerCase();
    const passesOf = <T extends { status: string }>(rows: T[]) => rows.filter((r) => r.status === "pass" || r.status === "not-applicable");
    assert.deepEqual(passesOf(full.findings).filter(inGroupB).map(line), []);
    assert.deepEqual(countedRows(counted).filter(inGroupB).map(line), []);
    // (a rule with nothing in scope gives one not-applicable finding, in both)
    assert.deepEqual(passesOf(full.findings).map(line).sort(), [...passesOf(counted.findings), ...countedRows(counted)].map(line).sort());
  });

  it("a result about B's load balancer as a whole (no resource of its own) is not kept; one about the whole scope is", () => {
    const probe = defineRule<AzureModel>({
      ...TEST_RULE_META,
      id: "azure/scope-probe",
      messages: { m: "x" },
      check: ({ report }) => {
        report({ status: "fail", resourceId: "", loadBalancerId: lbWeb, key: "lb", messageId: "m" });
        report({ status: "pass", resourceId: "", loadBalancerId: lbWeb, key: "lb-pass", messageId: "m" });
        report({ status: "fail", resourceId: "", key: "scope", messageId: "m" });
      },
    });
    const whole = run(snap, undefined, "full", [probe]).findings.filter((f) => f.ruleId === probe.id);
    assert.equal(whole.length, 3);
    for (const passes of ["full", "count"] as const) {
      const d = run(snap, A, passes, [probe]);
      assert.deepEqual(d.findings.filter((f) => f.ruleId === probe.id).map(line), ["fail azure/scope-probe  @-"], passes);
      assert.deepEqual(
        countedRows(d).filter((r) => r.ruleId === probe.id),
        [],
        passes,
      );
    }
  });

  it("the diagnosis lists B's load balancer after A's own; every load balancer stays in allLoadBalancers", () => {
    for (const passes of ["full", "count"] as const) {
      const d = run(snap, A, passes);
      assert.deepEqual(
        d.loadBalancers.map((lb) => lb.id),
        [lbA, lbWeb],
        passes,
      );
      assert.deepEqual(d.allLoadBalancers.map((lb) => lb.id).sort(), [lbA, lbWeb].sort());
    }
  });

  it("named by a counted pass alone (nothing about it fails): still listed", () => {
    // the pool's placement (vm9 in B has no availability set) would fail about vm1 and vm2: not run here
    const d = diagnose({
      snapshot: world(false),
      adapter,
      rules: rules.filter((r) => r.id !== "azure/availability-mismatch"),
      source: "test",
      passes: "count",
      target: A,
    });
    assert.deepEqual(d.findings.filter((f) => sameId(f.loadBalancerId, lbWeb)).map(line), [], "no finding names lb-web");
    assert.ok(countedRows(d).some((r) => sameId(r.loadBalancerId, lbWeb)));
    assert.deepEqual(
      d.loadBalancers.map((lb) => lb.id),
      [lbA, lbWeb],
    );
  });
});

describe("narrowed to group A, B's load balancer that no result kept names", () => {
  /** group A: the internal scenario; group B: the whole web scenario (its load balancer, VMs, VNet, NSG) */
  const snap = (() => {
    const a = healthyInternal().build();
    const web = healthyWeb().build();
    const b = JSON.parse(JSON.stringify(web).replaceAll(`/resourceGroups/${A}/`, `/resourceGroups/${B}/`)) as AzureSnapshot;
    return {
      ...a,
      resources: [...a.resources, ...b.resources],
      observations: { ...a.observations, ruleHealth: { ...a.observations?.ruleHealth, ...b.observations?.ruleHealth } },
    } as AzureSnapshot;
  })();

  it("is not listed, though the whole snapshot has results about it", () => {
    assert.ok(run(snap, undefined, "full").findings.some((f) => sameId(f.loadBalancerId, lbWeb)));
    for (const passes of ["full", "count"] as const) {
      const d = run(snap, A, passes);
      assert.deepEqual(
        d.loadBalancers.map((lb) => lb.name),
        ["lb-internal"],
        passes,
      );
      assert.ok(![...d.findings, ...countedRows(d)].some((x) => sameId(x.loadBalancerId, lbWeb)));
    }
  });

  it("check --snapshot (no target) diagnoses group A and says on stderr which load balancer's results it left out", async () => {
    const { lbdoctor } = await import("./support/cli.ts");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const file = join(mkdtempSync(join(tmpdir(), "lbdoctor-narrow-")), "group-a.json");
    writeFileSync(file, JSON.stringify(snap));
    const replay = lbdoctor(["check", "--snapshot", file, "--no-config", "--format", "json"]);
    const asA = lbdoctor(["check", "--snapshot", file, A, "--no-config", "--format", "json"]);
    const findingsOf = (out: string) => (JSON.parse(out) as { findings: Array<{ id: string }> }).findings.map((f) => f.id).sort();
    assert.deepEqual(findingsOf(replay.stdout), findingsOf(asA.stdout));
    assert.equal(replay.code, asA.code);
    assert.match(
      replay.stderr,
      new RegExp(
        `^lbdoctor: note: .*group-a\\.json is a snapshot of resource group ${A}, diagnosed as \`lbdoctor check ${A}\` was: the results of lb-web \\(${B}\\) that do not concern it are left out`,
        "m",
      ),
    );
    assert.doesNotMatch(asA.stderr, /note:/, "a named target: nothing to say");
    // the whole snapshot stays one name away
    const web = lbdoctor(["check", "--snapshot", file, WEB_LB, "--no-config", "--format", "json"]);
    const lbsOf = (out: string) => (JSON.parse(out) as { loadBalancers: Array<{ name: string }> }).loadBalancers.map((lb) => lb.name);
    assert.deepEqual(lbsOf(web.stdout), [WEB_LB]);
    assert.deepEqual(lbsOf(replay.stdout), ["lb-internal"]);
  });
});

describe("a load-balancer target is unchanged: the results of that load balancer, and those about the whole scope", () => {
  const snap = world(true);
  const whole = run(snap, undefined, "full");
  for (const [target, id] of [
    ["lb-a", lbA],
    [WEB_LB, lbWeb],
  ] as const) {
    it(`check ${target}`, () => {
      const d = run(snap, target, "full");
      const expected = whole.findings.filter((f) => sameId(f.loadBalancerId, id) || (f.resourceId === "" && !f.loadBalancerId));
      assert.ok(expected.length > 0);
      assert.deepEqual(d.findings.map((f) => f.id).sort(), expected.map((f) => f.id).sort());
      assert.deepEqual(
        d.loadBalancers.map((lb) => lb.id),
        [id],
      );
      const counting = run(snap, target, "count");
      assert.ok(countedRows(counting).every((r) => sameId(r.loadBalancerId, id) || (r.resourceId === "" && !r.loadBalancerId)));
      assert.deepEqual(
        counting.loadBalancers.map((lb) => lb.id),
        [id],
      );
    });
  }

  it("check lb-web keeps its member in group B and its members in group A; check lb-a keeps none of them", () => {
    const web = run(snap, WEB_LB, "full").findings;
    assert.deepEqual(of(web, "azure/backend-vm-stopped", inB(ids.nic("vm9-nic"))), ["fail @lb-web"]);
    assert.deepEqual(of(web, "azure/backend-unhealthy", ids.nic("vm2-nic")), ["fail @lb-web"]);
    const own = run(snap, "lb-a", "full").findings;
    assert.ok(!own.some((f) => [ids.nic("vm1-nic"), ids.nic("vm2-nic"), inB(ids.nic("vm9-nic"))].some((n) => sameId(f.resourceId, n))));
  });
});

describe("no target: a snapshot of group A holding group B's load balancer is diagnosed as group A", () => {
  const snap = world(true);
  const rows = (d: Diagnosis) => [...d.findings.map(line), ...countedRows(d).map(line)].sort();

  it("the same results and load balancers as `check A` (the live check that collected it), not the whole snapshot", () => {
    for (const passes of ["full", "count"] as const) {
      const replay = diagnose({ snapshot: snap, adapter, rules, source: "test", passes });
      const asA = run(snap, A, passes);
      const whole = run(snap, undefined, passes);
      assert.deepEqual(rows(replay), rows(asA), passes);
      assert.deepEqual(
        replay.loadBalancers.map((lb) => lb.name),
        asA.loadBalancers.map((lb) => lb.name),
      );
      assert.notDeepEqual(rows(replay), rows(whole), "the whole snapshot has results about vm9 in group B");
      assert.ok(rows(whole).some((r) => r.includes("vm9")) && !rows(replay).some((r) => r.includes("vm9")), passes);
    }
  });

  it("a snapshot of A holding B's VM behind A's load balancer: narrowed to A, every result kept (tied to A's load balancer)", () => {
    const inA = healthyWeb()
      .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", pools: [`${WEB_LB}/pool-web`] })
      .build();
    // a resource of another group that is no load balancer's (a VM whose NIC is in no pool) keeps its results
    const withOther = moved(inA, [ids.vm("vm3"), ids.nic("vm3-nic")]);
    const replay = diagnose({ snapshot: withOther, adapter, rules, source: "test", passes: "full" });
    const whole = run(withOther, undefined, "full");
    assert.equal(replay.narrowedTo?.group, A, "a resource of another group: the replay is A's check");
    assert.deepEqual(replay.narrowedTo?.leftOut, []);
    assert.deepEqual(rows(replay), rows(whole));
    assert.ok(
      rows(replay).some((r) => r.includes("vm3")),
      "vm3's results, in group B, are there",
    );
  });

  it("the TUI over the same snapshot lists B's load balancer once the rules ran, with its findings under it", async () => {
    const { analyze } = await import("../src/tui/analyze.ts");
    const data = await analyze(snap as never, { source: "test", live: false });
    const names = data.lbs.map((e) => e.name);
    assert.deepEqual(names, ["lb-a", "lb-web"]);
    const web = data.report.findings.filter((f) => f.loadBalancerId && sameId(f.loadBalancerId, lbWeb) && f.status === "fail");
    assert.ok(
      web.some((f) => f.ruleId === "azure/backend-unhealthy"),
      "vm2's fail is tied to lb-web",
    );
  });
});

describe("a load balancer of another group named like the group", () => {
  it("does not stand in for the group: the group's own load balancer is listed first, with or without a target", () => {
    const named = JSON.parse(
      JSON.stringify(world(true))
        .replaceAll(`/loadBalancers/${WEB_LB}/`, `/loadBalancers/${A}/`)
        .replaceAll(`/loadBalancers/${WEB_LB}"`, `/loadBalancers/${A}"`)
        .replaceAll(`"name":"${WEB_LB}"`, `"name":"${A}"`),
    ) as AzureSnapshot;
    for (const d of [run(named, A, "full"), diagnose({ snapshot: named, adapter, rules, source: "test" })]) {
      assert.deepEqual(
        d.loadBalancers.map((lb) => lb.name),
        ["lb-a", A],
      );
      assert.ok(
        d.findings.some((f) => sameId(f.loadBalancerId, lbA)),
        "lb-a's results are there",
      );
    }
  });
});

describe("the replay of a group's snapshot narrows on Azure only", () => {
  it("the Azure adapter replays a group's snapshot as the group; the AWS adapter (regions) does not", async () => {
    const { awsProvider } = await import("../src/providers/aws/adapter.ts");
    assert.equal(azureProvider.replayGroup?.(world(true)), A);
    assert.equal(awsProvider.replayGroup, undefined);
    // a snapshot holding only the group's resources is the whole snapshot
    assert.equal(azureProvider.replayGroup?.(healthyWeb().build()), undefined);
    const d = diagnose({ snapshot: world(true), adapter, rules, source: "test" });
    // what the replay's note counts: the failing and unknown results it left out (vm9's, lb-web's probe)
    const bad = (fs: Finding[]) => fs.filter((f) => f.status === "fail" || f.status === "unknown" || f.status === "error").length;
    const whole = run(world(true), undefined, "full");
    assert.ok((d.narrowedTo?.failing ?? 0) > 0);
    assert.equal(d.narrowedTo?.failing, bad(whole.findings) - bad(d.findings));
    assert.equal(d.narrowedTo?.group, A);
    assert.deepEqual(
      d.narrowedTo?.leftOut.map((lb) => lb.name),
      [],
      "lb-web is listed (its results about A's NICs): nothing left out",
    );
  });
});
