/**
 * The per-model membership indexes of the compute helpers (pools by ip configuration, VMs by availability set and by
 * subnet) answer exactly what a scan of the whole model answers, in the same order, on every bundled Azure fixture
 * and on a large generated topology.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generate } from "../bench/gen.ts";
import { isPoolMemberNic, vmPools, vmsInAvailabilitySets, vmsInSubnets } from "../src/providers/azure/compute-helpers.ts";
import { type AzureModel, buildAzureModel, type Pool, type Vm } from "../src/providers/azure/model.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";

function scanPools(model: AzureModel, vm: Vm): Pool[] {
  const keys = new Set(vm.nics.flatMap((n) => n.ipConfigs.map((c) => c.key)));
  return model.loadBalancers.flatMap((lb) => lb.pools.filter((p) => p.members.some((m) => m.ipConfig && keys.has(m.ipConfig.key))));
}

function agrees(model: AzureModel, label: string): void {
  const memberNics = new Set(model.loadBalancers.flatMap((l) => l.pools.flatMap((p) => p.members.map((m) => m.nic?.key))));
  for (const vm of model.vms) {
    assert.deepEqual(vmPools(model, vm), scanPools(model, vm), `${label}: pools of ${vm.name}`);
    for (const n of vm.nics) assert.equal(isPoolMemberNic(model, n.key), memberNics.has(n.key), `${label}: ${n.name} in a pool`);
  }
  const sets = [...new Set(model.vms.map((v) => v.availabilitySetId?.toLowerCase()).filter((x): x is string => !!x))];
  const subnets = [...new Set(model.vms.flatMap((v) => v.nics.flatMap((n) => n.ipConfigs.map((c) => c.subnet?.key))))].filter(
    (x): x is string => !!x,
  );
  // each set and subnet alone, every other one, and all of them, in reverse: the answer is in model order whatever the order asked
  for (const pick of [...sets.map((s) => [s]), sets.filter((_, i) => i % 2 === 0), [...sets].reverse()]) {
    const want = new Set(pick);
    assert.deepEqual(
      vmsInAvailabilitySets(model, pick),
      model.vms.filter((v) => v.availabilitySetId && want.has(v.availabilitySetId.toLowerCase())),
      `${label}: VMs of ${pick.join(", ")}`,
    );
  }
  for (const pick of [...subnets.map((s) => [s]), subnets.filter((_, i) => i % 2 === 1), [...subnets].reverse()]) {
    const want = new Set(pick);
    assert.deepEqual(
      vmsInSubnets(model, pick),
      model.vms.filter((v) => v.nics.some((n) => n.ipConfigs.some((c) => c.subnet && want.has(c.subnet.key)))),
      `${label}: VMs in ${pick.join(", ")}`,
    );
  }
}

describe("Azure membership indexes", () => {
  it("agree with a scan of the model on every bundled Azure fixture", () => {
    const dir = join(import.meta.dirname, "..", "fixtures", "azure");
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
      agrees(buildAzureModel(JSON.parse(readFileSync(join(dir, f), "utf8")) as AzureSnapshot), f);
    }
  });

  it("agree with a scan of the model on a generated topology (VMs in several pools, availability sets, scale sets)", () => {
    const { snapshot } = generate({ seed: 7, nics: 600, nicsPerLb: 100 });
    const model = buildAzureModel(snapshot as AzureSnapshot);
    assert.ok(model.vms.length > 100);
    agrees(model, "generated");
  });
});
