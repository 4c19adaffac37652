import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, RuleContext } from "../../../src/core/engine/types.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { idKey, nameOf } from "../../../src/providers/azure/arm-id.ts";
import type { AzureModel, Vm, Vmss } from "../../../src/providers/azure/model.ts";
import { rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/** The id `az vmss update-instances --instance-ids` takes: the instance ID (Uniform) or the VM name (Flexible). */
function instanceIdOf(vm: Vm): string {
  const raw = vm.raw.instanceId;
  return typeof raw === "string" && raw.length > 0 ? raw : nameOf(vm.id);
}

/** Pool keys the instance's NICs are in, with where each membership is written. */
function instancePools(vm: Vm): Map<string, { id: string; ptr: string; nicId: string }> {
  const out = new Map<string, { id: string; ptr: string; nicId: string }>();
  for (const nic of vm.nics) {
    for (const c of nic.ipConfigs) {
      const refs =
        (c.nic.raw.properties?.ipConfigurations as Array<{ properties?: { loadBalancerBackendAddressPools?: Array<{ id?: string }> } }>) ??
        [];
      const wire = refs[c.nic.ipConfigs.indexOf(c)]?.properties?.loadBalancerBackendAddressPools ?? [];
      wire.forEach((ref, k) => {
        if (typeof ref.id !== "string" || out.has(idKey(ref.id))) return;
        out.set(idKey(ref.id), { id: ref.id, ptr: join(c.ptr, "properties", "loadBalancerBackendAddressPools", k), nicId: nic.id });
      });
    }
  }
  return out;
}

function poolLabel(model: AzureModel, key: string, id: string): string {
  const pool = model.byKey.pool.get(key);
  return pool ? `${pool.lb.name}/${pool.name}` : `${id.split("/").slice(-3, -2)[0] ?? "?"}/${nameOf(id)}`;
}

export default defineRule<AzureModel>({
  id: "azure/vmss-model-drift",
  provider: "azure",
  severity: "high",
  title: "Scale-set instances not updated to the model's backend pools",
  reads: ["azure:scaleSets", "azure:nics", "azure:loadBalancers"],
  explains: ["azure/vm-not-in-pool"],
  description:
    "A scale set's backend pools are part of its model (`virtualMachineProfile.networkProfile.networkInterfaceConfigurations[].ipConfigurations[]." +
    "loadBalancerBackendAddressPools`). With the Manual upgrade policy, which is the default when none is set, changing the model does nothing to " +
    "existing instances: each one reports `latestModelApplied: false` until it is upgraded. So after a pool is added to the model, the existing " +
    "instances are not in it and get no traffic from its rules (severity high); after a pool is removed from the model, the existing instances stay " +
    "in it and keep receiving its traffic (medium). The fix is a manual upgrade of the listed instances, `az vmss update-instances` (instance IDs for " +
    "Uniform orchestration, VM names for Flexible).",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-upgrade-scale-set",
      title: "Modify a Virtual Machine Scale Set",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-perform-manual-upgrades",
      title: "Performing manual upgrades on Virtual Machine Scale Sets",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-upgrade-policy",
      title: "Upgrade policies for Virtual Machine Scale Sets",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-upgrade-scale-set",
    "https://learn.microsoft.com/cli/azure/vmss#az-vmss-update-instances",
  ],
  messages: {
    notInPool:
      "Scale set {{vmss}} ({{mode}} upgrade policy) puts its NICs in pool {{pool}}, but instance(s) {{instances}} run an older model (latestModelApplied: false) and are not in it: they get no traffic from the pool's rules.",
    stillInPool:
      "Scale set {{vmss}} ({{mode}} upgrade policy) no longer puts its NICs in pool {{pool}}, but instance(s) {{instances}} run an older model (latestModelApplied: false) and are still in it: they keep receiving its traffic.",
    current: "Every instance of scale set {{vmss}} is in the backend pools its model names ({{pools}}).",
    noFlag:
      "Instance(s) {{instances}} of scale set {{vmss}} differ from the model's backend pools, but the snapshot {{why}}; re-collect, or compare with `az vmss get-instance-view`.",
    noNics:
      "The NICs of instance(s) {{instances}} of scale set {{vmss}} are not in the snapshot, so their pool membership cannot be compared with the model.",
    noModel: "Scale set {{vmss}}: the snapshot holds no network profile of its model, so its backend pools cannot be compared.",
  },
  remediation:
    "Upgrade the listed instances to the latest model: `az vmss update-instances --resource-group <rg> --name <vmss> --instance-ids <ids>` " +
    "(Uniform: instance IDs; Flexible: VM names). Each instance restarts its network configuration; upgrade in batches when capacity is tight. " +
    "To avoid this next time, consider the Rolling upgrade policy.",
  check({ model, report }) {
    for (const ss of model.vmss) {
      check1(model, ss, report);
    }
  },
});

function check1(model: AzureModel, ss: Vmss, report: RuleContext<AzureModel>["report"]): void {
  const base = { resourceId: ss.id, resourceName: ss.name };
  const modeEv: Omit<Evidence, "value"> = {
    resourceId: ss.id,
    pointer: join(ss.ptr, "properties", "upgradePolicy"),
    label: "upgrade policy",
  };
  if (!ss.modelKnown) {
    report({
      ...base,
      status: "unknown",
      key: "model",
      messageId: "noModel",
      data: { vmss: ss.name },
      evidence: [{ resourceId: ss.id, pointer: ss.ptr, label: "scale set" }],
    });
    return;
  }
  const mode = ss.upgradeMode ?? "Manual (default)";
  const modelKeys = new Map(ss.modelPools.map((p) => [p.key, p]));
  const drift = new Map<
    string,
    { dir: "notInPool" | "stillInPool"; poolId: string; ptr: string; vms: Vm[]; evidence: Array<Omit<Evidence, "value">> }
  >();
  const unflagged: Vm[] = [];
  const noNics: Vm[] = [];
  for (const vm of ss.instances) {
    if (vm.nics.length === 0) {
      noNics.push(vm);
      continue;
    }
    const pools = instancePools(vm);
    const missing = [...modelKeys.values()].filter((p) => !pools.has(p.key));
    const extra = [...pools.entries()].filter(([k]) => !modelKeys.has(k));
    if (missing.length === 0 && extra.length === 0) continue;
    if (vm.latestModelApplied !== false) {
      unflagged.push(vm);
      continue;
    }
    const flagEv = {
      resourceId: vm.id,
      pointer: join(vm.ptr, "properties", "latestModelApplied"),
      label: `latestModelApplied of ${vm.name}`,
    };
    for (const p of missing) {
      const k = `notInPool|${p.key}`;
      const d = drift.get(k) ?? {
        dir: "notInPool" as const,
        poolId: p.id,
        ptr: p.ptr,
        vms: [],
        evidence: [{ resourceId: ss.id, pointer: p.ptr, label: "pool in the model" }],
      };
      d.vms.push(vm);
      d.evidence.push(flagEv);
      drift.set(k, d);
    }
    for (const [key, e] of extra) {
      const k = `stillInPool|${key}`;
      const d = drift.get(k) ?? { dir: "stillInPool" as const, poolId: e.id, ptr: e.ptr, vms: [], evidence: [modeEv] };
      d.vms.push(vm);
      d.evidence.push(flagEv, { resourceId: e.nicId, pointer: e.ptr, label: `pool on ${nameOf(e.nicId)}` });
      drift.set(k, d);
    }
  }
  for (const [k, d] of drift) {
    const ids = d.vms.map(instanceIdOf);
    const pool = poolLabel(model, idKey(d.poolId), d.poolId);
    report({
      ...base,
      status: "fail",
      key: k,
      severity: d.dir === "notInPool" ? "high" : "medium",
      subjects: [ss.id, ...d.vms.flatMap((v) => [v.id, ...v.nics.map((n) => n.id)])],
      messageId: d.dir,
      data: { vmss: ss.name, mode, pool, instances: ids.join(", ") },
      evidence: [...d.evidence, modeEv],
      remediation: {
        summary: `Upgrade instance(s) ${ids.join(", ")} of ${ss.name} to the latest model, which ${d.dir === "notInPool" ? "adds them to" : "removes them from"} pool ${pool}.`,
        commands: [
          `az vmss update-instances --resource-group ${sh(rgOf(ss.id))} --name ${sh(ss.name)} --instance-ids ${ids.map(sh).join(" ")}`,
        ],
      },
    });
  }
  if (unflagged.length > 0) {
    const why = unflagged.some((v) => v.latestModelApplied === true)
      ? "says they run the latest model (latestModelApplied: true)"
      : "holds no latestModelApplied for them";
    report({
      ...base,
      status: "unknown",
      key: "unflagged",
      messageId: "noFlag",
      data: { vmss: ss.name, instances: unflagged.map(instanceIdOf).join(", "), why },
      evidence: unflagged.map((v) => ({ resourceId: v.id, pointer: v.ptr, label: v.name })),
    });
  }
  if (noNics.length > 0) {
    report({
      ...base,
      status: "unknown",
      key: "nics",
      messageId: "noNics",
      data: { vmss: ss.name, instances: noNics.map(instanceIdOf).join(", ") },
      evidence: noNics.map((v) => ({ resourceId: v.id, pointer: v.ptr, label: v.name })),
    });
  }
  if (drift.size === 0 && unflagged.length === 0 && noNics.length === 0 && ss.instances.length > 0) {
    report({
      ...base,
      status: "pass",
      key: "current",
      messageId: "current",
      data: { vmss: ss.name, pools: ss.modelPools.map((p) => poolLabel(model, p.key, p.id)).join(", ") || "none" },
      evidence: [
        {
          resourceId: ss.id,
          pointer: join(ss.ptr, "properties", "virtualMachineProfile", "networkProfile"),
          label: "model network profile",
        },
      ],
    });
  }
}
