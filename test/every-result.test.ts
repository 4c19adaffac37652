import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { rulesFor } from "../rules/registry.ts";
import { type Diagnosis, diagnose } from "../src/core/diagnose.ts";
import { orderFindings, runRulesCounting } from "../src/core/engine/run.ts";
import type { Finding, Model, Rule } from "../src/core/engine/types.ts";
import { everyResult } from "../src/core/every-result.ts";
import type { ProviderAdapter } from "../src/core/provider.ts";
import { loadSnapshotFile } from "../src/core/snapshot/load.ts";
import { providerFor } from "../src/providers/index.ts";

const dir = (provider: string) => join(import.meta.dirname, "..", "fixtures", provider);

/** A counting diagnosis's every result, each made whole, against the full diagnosis's findings in report order. */
function assertSameAsFull(counting: Diagnosis, full: Finding[], adapter: ProviderAdapter<Model>, label: string): number {
  const every = everyResult(counting, adapter);
  const list = every.list();
  const want = orderFindings(full);
  assert.deepEqual(
    list.map((f) => f.id),
    want.map((f) => f.id),
    `${label}: every result, in report order`,
  );
  let light = 0;
  list.forEach((f, i) => {
    if (f.message === "") light++;
    assert.deepEqual(every.complete(f), want[i], `${label}: ${f.id} made whole is the full run's finding`);
  });
  return light;
}

describe("every result of a counting diagnosis (the TUI's `a`)", () => {
  for (const provider of ["azure", "aws"] as const) {
    it(`${provider}: on every bundled fixture, the light passes made whole are the full run's findings`, async () => {
      const adapter = await providerFor(provider);
      const rules = (await rulesFor(provider)) as Rule[];
      const files = readdirSync(dir(provider)).filter((f) => f.endsWith(".json"));
      let light = 0;
      for (const file of files) {
        const snapshot = loadSnapshotFile(join(dir(provider), file));
        const full = diagnose({ snapshot, adapter, rules, source: file });
        const counting = diagnose({ snapshot, adapter, rules, source: file, passes: "count" });
        light += assertSameAsFull(counting, full.findings, adapter, file);
      }
      assert.ok(light > 100, `only ${light} light results: the counting path was not exercised`);
    });
  }

  it("narrowed to one load balancer, each kept result is matched to its own rule run (ordinals)", async () => {
    const adapter = await providerFor("azure");
    const rules = (await rulesFor("azure")) as Rule[];
    let shifted = false;
    for (const file of ["cross-region-member.json", "gateway-lb-unhealthy.json", "backend-address-unresolved.json"]) {
      const snapshot = loadSnapshotFile(join(dir("azure"), file));
      const names = ((snapshot as unknown as { resources: unknown[] }).resources as Array<{ type: string; name: string }>)
        .filter((r) => r.type === "Microsoft.Network/loadBalancers")
        .map((r) => r.name);
      assert.ok(names.length > 1, file);
      for (const target of names) {
        const full = diagnose({ snapshot, adapter, rules, source: file, target });
        const counting = diagnose({ snapshot, adapter, rules, source: file, target, passes: "count" });
        // the scope dropped results: a kept one's index among its rule's results is not its index in the kept list
        shifted ||= counting.counted.some((c) => c.ordinal?.some((n, k) => n !== k));
        assertSameAsFull(counting, full.findings, adapter, `${file}, ${target}`);
      }
    }
    assert.ok(shifted, "narrowing kept every result from the start of each rule: the ordinals were not exercised");
  });

  it("a rule a scoped collection gap touches counts only the results the gap does not concern; the rest still match", async () => {
    const adapter = await providerFor("azure");
    const rules = (await rulesFor("azure")) as Rule[];
    const snapshot = loadSnapshotFile(join(dir("azure"), "demo.json"));
    const base = adapter.buildModel(snapshot, { from: [] });
    // a scoped gap: it turns the results about one NIC unknown, and leaves the rule's other passes passing
    const nic = ((snapshot as unknown as { resources: unknown[] }).resources as Array<{ id: string; type: string }>).find((r) =>
      r.type.toLowerCase().endsWith("/networkinterfaces"),
    );
    assert.ok(nic);
    const gap = {
      kind: "collection" as const,
      operation: "networkInterfaces.get",
      message: "denied",
      resourceId: nic.id,
      affects: [nic.id.toLowerCase()],
      covers: ["azure:nics"],
    };
    const model = { ...base, gaps: [...base.gaps, gap] } as Model;
    const full = runRulesCounting(model, rules).findings;
    const counted = runRulesCounting(model, rules, { passes: "count" });
    const counting: Diagnosis = { model, allLoadBalancers: [], loadBalancers: [], rules, ...counted };
    const gapped = new Set(rules.filter((r) => r.reads?.includes("azure:nics")).map((r) => r.id));
    // the rule's results about other resources are counted as in a run without the gap; none about the NIC is
    assert.ok(
      counting.counted.some((c) => gapped.has(c.ruleId) && c.status.length > 0),
      "a gapped rule's results about other resources are counted",
    );
    for (const c of counting.counted.filter((x) => gapped.has(x.ruleId)))
      assert.ok(!c.resourceId.some((id) => id.toLowerCase() === nic.id.toLowerCase()), `${c.ruleId} counted a result about the NIC`);
    assert.ok(
      counting.findings.some((f) => f.status === "unknown"),
      "the gap turned nothing unknown",
    );
    assertSameAsFull(counting, full, adapter, "demo with a gap");
  });

  it("a rule a collection gap on everything touches is not counted: its passes come whole, and the rest still match", async () => {
    const adapter = await providerFor("azure");
    const rules = (await rulesFor("azure")) as Rule[];
    const snapshot = loadSnapshotFile(join(dir("azure"), "demo.json"));
    const base = adapter.buildModel(snapshot, { from: [] });
    // an unscoped gap (no resource): every result of a rule that reads NICs may change
    const gap = { kind: "collection" as const, operation: "networkInterfaces.list", message: "denied", covers: ["azure:nics"] };
    const model = { ...base, gaps: [...base.gaps, gap] } as Model;
    const full = runRulesCounting(model, rules).findings;
    const counted = runRulesCounting(model, rules, { passes: "count" });
    const counting: Diagnosis = { model, allLoadBalancers: [], loadBalancers: [], rules, ...counted };
    const gapped = new Set(rules.filter((r) => r.reads?.includes("azure:nics")).map((r) => r.id));
    assert.ok(gapped.size > 0);
    assert.ok(!counting.counted.some((c) => gapped.has(c.ruleId)), "a gapped rule was counted");
    assert.ok(
      counting.findings.some((f) => gapped.has(f.ruleId) && f.status === "unknown"),
      "the gap turned nothing unknown",
    );
    assertSameAsFull(counting, full, adapter, "demo with a gap on every NIC");
  });
});
