import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { compareText } from "../../../src/core/util/collate.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { idKey, nameOf, parentResourceId } from "../../../src/providers/azure/arm-id.ts";
import {
  azPoolAdd,
  gapReason,
  poolVms,
  poolVnetKeys,
  reportListGaps,
  ruleList,
  rulePools,
  vmIpConfigFor,
  vmPools,
} from "../../../src/providers/azure/compute-helpers.ts";
import { isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, Pool, Vm } from "../../../src/providers/azure/model.ts";
import { rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

interface Group {
  label: string;
  id: string;
  /** sibling VMs by key, with the id and pointer that name them (from the availability set's own list when it is in the snapshot) */
  siblings: Map<string, { id: string; ptr?: string }>;
  /** why the sibling list may be incomplete */
  incomplete?: string;
}

/** VMs by availability set and by scale set (idKey), in model order: built once per model, not once per pool. */
const groupIndex = new WeakMap<AzureModel, Map<string, Vm[]>>();
function vmsByGroup(model: AzureModel): Map<string, Vm[]> {
  let index = groupIndex.get(model);
  if (!index) {
    index = new Map();
    for (const v of model.vms) {
      for (const id of [v.availabilitySetId, v.vmssId]) {
        if (!id) continue;
        const k = idKey(id);
        const list = index.get(k);
        if (list) list.push(v);
        else index.set(k, [v]);
      }
    }
    groupIndex.set(model, index);
  }
  return index;
}

function groupsOf(model: AzureModel, vms: Vm[]): Group[] {
  const out = new Map<string, Group>();
  for (const vm of vms) {
    const id = vm.kind === "vm" ? vm.availabilitySetId : vm.vmssId;
    if (!id || out.has(idKey(id))) continue;
    const key = idKey(id);
    const siblings = new Map<string, { id: string; ptr?: string }>();
    let incomplete: string | undefined;
    if (vm.kind === "vm") {
      const set = model.byKey.availabilitySet.get(key);
      const listed = (set?.raw.properties?.virtualMachines ?? []) as Array<{ id?: unknown }>;
      if (set && Array.isArray(listed)) {
        listed.forEach((r, i) => {
          if (typeof r?.id === "string") siblings.set(idKey(r.id), { id: r.id, ptr: join(set.ptr, "properties", "virtualMachines", i) });
        });
      }
      for (const v of vmsByGroup(model).get(key) ?? [])
        if (v.availabilitySetId && idKey(v.availabilitySetId) === key && !siblings.has(v.key)) siblings.set(v.key, { id: v.id });
      // the set's own list is authoritative; without it, a failed VM listing may hide members
      if (!set) incomplete = gapReason(model, [id], ["virtualMachines.list"]);
      out.set(key, { label: `availability set ${nameOf(id)}`, id, siblings, ...(incomplete ? { incomplete } : {}) });
    } else {
      for (const v of vmsByGroup(model).get(key) ?? []) if (v.vmssId && idKey(v.vmssId) === key) siblings.set(v.key, { id: v.id });
      incomplete = gapReason(model, [id], ["virtualMachineScaleSetVMs.list"]);
      out.set(key, { label: `scale set ${nameOf(id)}`, id, siblings, ...(incomplete ? { incomplete } : {}) });
    }
  }
  return [...out.values()];
}

/** Pool ids in a Uniform scale set's model, or undefined when the snapshot lacks the model. */
function vmssModelPools(model: AzureModel, vmssId: string): Set<string> | undefined {
  const raw = model.byKey.vmss.get(idKey(vmssId))?.raw;
  type Cfg = { properties?: { ipConfigurations?: Array<{ properties?: { loadBalancerBackendAddressPools?: Array<{ id?: string }> } }> } };
  const profile = raw?.properties?.virtualMachineProfile as { networkProfile?: { networkInterfaceConfigurations?: Cfg[] } } | undefined;
  const cfgs = profile?.networkProfile?.networkInterfaceConfigurations;
  if (!Array.isArray(cfgs)) return undefined;
  return new Set(
    cfgs.flatMap((c) =>
      (c.properties?.ipConfigurations ?? []).flatMap((i) =>
        (i.properties?.loadBalancerBackendAddressPools ?? []).map((p) => idKey(p.id ?? "")),
      ),
    ),
  );
}

/** Whether the load balancer of a pool id (a key) is in the snapshot: a pool it lacks is a stale reference, not one unseen. */
function hasLoadBalancer(model: AzureModel, poolKey: string): boolean {
  return model.byKey.resource.has(parentResourceId(poolKey));
}

function fix(model: AzureModel, vm: Vm, pool: Pool): { summary: string; commands: string[] } {
  if (vm.kind === "vmss-instance" && vm.vmssId) {
    const rg = sh(rgOf(vm.vmssId));
    const name = sh(nameOf(vm.vmssId));
    const update = `az vmss update-instances --resource-group ${rg} --name ${name} --instance-ids ${sh(nameOf(vm.id))}`;
    const add = `az vmss update --resource-group ${rg} --name ${name} --add ${sh("virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0].loadBalancerBackendAddressPools")} id=${sh(pool.id)}`;
    const pools = vmssModelPools(model, vm.vmssId);
    if (pools?.has(pool.key)) {
      return {
        summary: `The scale set's model lists ${pool.name}; instance ${nameOf(vm.id)} runs an older model. Apply the latest model to it.`,
        commands: [update],
      };
    }
    if (pools) {
      return {
        summary: `The scale set's model does not list ${pool.name}: add it (the [0] indexes are the primary NIC and IP configuration; adjust them if yours differ), then apply the model to the instance.`,
        commands: [add, update],
      };
    }
    return {
      summary: `Instances take pool membership from the scale set's model. Apply the latest model to instance ${nameOf(vm.id)}; if the model does not list ${pool.name}, add it first: \`${add}\`.`,
      commands: [update],
    };
  }
  const vnets = poolVnetKeys(pool);
  const ipc = vmIpConfigFor(vm, vnets);
  if (!ipc) return { summary: `Add a NIC of ${vm.name} to ${pool.name}.`, commands: [] };
  const otherVnet = vnets.size > 0 && !(ipc.subnet && vnets.has(ipc.subnet.vnetKey));
  return {
    summary:
      `Add ${vm.name}'s NIC ${ipc.nic.name} (ip configuration ${ipc.name}) to ${pool.name}.` +
      (otherVnet ? ` Its NIC is not in the pool members' VNet; a pool's NIC members must share one VNet.` : "") +
      (vm.powerState && vm.powerState !== "running" ? ` ${vm.name} is ${vm.powerState}: start it too (az vm start).` : ""),
    commands: [azPoolAdd(ipc, pool)],
  };
}

export default defineRule<AzureModel>({
  id: "azure/vm-not-in-pool",
  provider: "azure",
  severity: "medium",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms", "azure:vnets", "azure:scaleSets", "azure:availabilitySets"],
  title: "VM left out of its peers' backend pool",
  description:
    "The reference architecture for load-balanced VMs puts every VM of the availability set into the load balancer's backend pool, and warns that a VM added later " +
    "gets no Internet traffic until its NIC joins the pool too. This rule finds VMs that share an availability set (or a scale set) " +
    "with a pool's members but have no NIC ip configuration in that pool: capacity you pay for that serves nothing, and a pool that is smaller than the team believes. " +
    "A sibling VM whose NIC is in another backend pool is treated as deliberately serving something else and passes. " +
    "Scale-set instances take membership from the scale set's model, so an instance left out usually runs an older model. " +
    "A sibling listed by the availability set but missing from the snapshot, or whose NICs were not collected or name a pool the snapshot lacks, is unknown. " +
    "Severity is medium: nothing is down, but redundancy and capacity are less than planned.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/backend-pool-management", title: "Backend pool management" },
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/components", title: "Azure Load Balancer components" },
    {
      url: "https://learn.microsoft.com/en-us/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-upgrade-scale-set",
      title: "Modify a Virtual Machine Scale Set",
    },
  ],
  references: [
    "https://github.com/mspnp/reference-architectures/tree/master/virtual-machines/multi-vm",
    "https://learn.microsoft.com/azure/load-balancer/backend-pool-management",
    "https://learn.microsoft.com/cli/azure/network/nic/ip-config/address-pool#az-network-nic-ip-config-address-pool-add",
    "https://learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-upgrade-policy",
  ],
  messages: {
    notInPool:
      "VM {{vm}} shares {{group}} with {{members}} in pool {{pool}} ({{lb}}: {{rules}}), but none of its NICs is in that pool, so it gets none of that traffic.{{note}}",
    complete: "All {{count}} VM(s) of {{group}} are in pool {{pool}} ({{lb}}).",
    elsewhere: "VM {{vm}} shares {{group}} with pool {{pool}}'s members but serves {{other}} instead; treated as deliberate.",
    siblingMissing: "VM {{vm}} is listed by {{group}} but is not in the snapshot, so whether it belongs in pool {{pool}} is unknown.",
    poolMissing:
      "VM {{vm}} shares {{group}} with pool {{pool}}'s members; its NIC names a backend pool that is not in the snapshot (a load balancer in a resource group that was not collected), so whether it serves that pool instead, deliberately, is unknown.",
    nicMissing: "VM {{vm}} shares {{group}} with pool {{pool}}'s members, but its network interfaces are not all in the snapshot{{why}}.",
    groupIncomplete: "The VMs of {{group}} could not all be listed ({{reason}}), so a VM left out of pool {{pool}} may go unseen.",
    noGroup: "No VM in pool {{pool}} ({{lb}}) belongs to an availability set or scale set, so no sibling can be missing from it.",
    lbListGap: "Load balancers could not be listed ({{operation}}: {{reason}}), so VMs left out of a pool may go unseen.",
  },
  remediation:
    "Add the VM's NIC ip configuration to the pool (`az network nic ip-config address-pool add`); for a scale-set instance, apply the latest model " +
    "(`az vmss update-instances`). If the VM should not serve this pool, move it out of the availability set's role (another pool) so the intent is explicit.",
  check({ model, report }) {
    reportListGaps(model, report, "lbListGap", ["loadBalancers.list"]);
    for (const { lb, pool, rules } of rulePools(model)) {
      if (isGlobalTier(lb)) continue; // members are regional frontends: azure/cross-region-member
      const members = poolVms(pool);
      const inPool = new Set(members.map((v) => v.key));
      const groups = groupsOf(model, members);
      const data = { pool: pool.name, lb: lb.name, rules: ruleList(rules) };
      if (groups.length === 0) {
        if (members.length > 0)
          report({ status: "not-applicable", resourceId: pool.id, loadBalancerId: lb.id, messageId: "noGroup", data });
        continue;
      }
      for (const g of groups) {
        const gk = idKey(g.id);
        const groupMembers = members.filter((v) => idKey((v.kind === "vm" ? v.availabilitySetId : v.vmssId) ?? "") === gk);
        const gdata = { ...data, group: g.label, members: groupMembers.map((v) => v.name).join(", ") };
        let open = 0;
        for (const [key, ref] of [...g.siblings].sort((a, b) => compareText(a[1].id, b[1].id))) {
          if (inPool.has(key)) continue;
          const vm = model.byKey.vm.get(key);
          const base = { loadBalancerId: lb.id, key: `${pool.name}|${key}`, resourceName: vm?.name ?? nameOf(ref.id) };
          if (!vm) {
            open++;
            report({
              ...base,
              status: "unknown",
              resourceId: ref.id,
              messageId: "siblingMissing",
              data: { ...gdata, vm: nameOf(ref.id) },
              evidence: ref.ptr ? [{ resourceId: g.id, pointer: ref.ptr, label: "availability set member" }] : [],
            });
            continue;
          }
          const other = vmPools(model, vm);
          if (other.length > 0) {
            report({
              ...base,
              status: "pass",
              resourceId: vm.id,
              messageId: "elsewhere",
              data: { ...gdata, vm: vm.name, other: other.map((p) => `pool ${p.name} (${p.lb.name})`).join(", ") },
            });
            continue;
          }
          open++;
          // a pool its NICs name that the snapshot lacks (a load balancer in a resource group that was not collected):
          // it may serve that pool deliberately
          const unseen = vm.nics.flatMap((n) =>
            n.ipConfigs.flatMap((c) =>
              c.poolKeys.filter((k) => !model.byKey.pool.has(k) && !hasLoadBalancer(model, k)).map(() => ({ n, c })),
            ),
          );
          if (unseen.length > 0) {
            const { n, c } = unseen[0] as (typeof unseen)[number];
            report({
              ...base,
              status: "unknown",
              resourceId: vm.id,
              messageId: "poolMissing",
              data: { ...gdata, vm: vm.name },
              evidence: [
                {
                  resourceId: n.id,
                  pointer: join(c.ptr, "properties", "loadBalancerBackendAddressPools"),
                  label: `pools of ${n.name}/${c.name}`,
                },
              ],
            });
            continue;
          }
          const missingNics = vm.nicIds.filter((id) => !model.byKey.nic.has(idKey(id)));
          if (vm.nics.length === 0 || missingNics.length > 0) {
            const why = gapReason(model, missingNics, ["networkInterfaces.list", "listVirtualMachineScaleSetNetworkInterfaces"]);
            report({
              ...base,
              status: "unknown",
              resourceId: vm.id,
              messageId: "nicMissing",
              data: { ...gdata, vm: vm.name, why: why ? ` (${why})` : "" },
              evidence: [
                { resourceId: vm.id, pointer: join(vm.ptr, "properties", "networkProfile", "networkInterfaces"), label: "VM's NICs" },
              ],
            });
            continue;
          }
          report({
            ...base,
            status: "fail",
            resourceId: vm.id,
            messageId: "notInPool",
            data: { ...gdata, vm: vm.name, note: vm.powerState && vm.powerState !== "running" ? ` It is also ${vm.powerState}.` : "" },
            subjects: [vm.id, ...vm.nics.map((n) => n.id), pool.id],
            evidence: [
              vm.kind === "vm"
                ? { resourceId: vm.id, pointer: join(vm.ptr, "properties", "availabilitySet"), label: "VM's availability set" }
                : { resourceId: vm.id, pointer: join(vm.ptr, "id"), label: "scale-set instance" },
              ...vm.nics.flatMap((n) =>
                n.ipConfigs.map((c) => ({
                  resourceId: n.id,
                  pointer: join(c.ptr, "properties", "loadBalancerBackendAddressPools"),
                  label: `pools of ${n.name}/${c.name}`,
                })),
              ),
              { resourceId: lb.id, pointer: join(pool.ptr, "properties", "backendIPConfigurations"), label: `pool ${pool.name}` },
            ],
            remediation: fix(model, vm, pool),
          });
        }
        if (g.incomplete) {
          report({
            status: "unknown",
            resourceId: g.id,
            loadBalancerId: lb.id,
            key: `${pool.name}|group`,
            messageId: "groupIncomplete",
            data: { ...gdata, reason: g.incomplete },
          });
        } else if (open === 0) {
          report({
            status: "pass",
            resourceId: g.id,
            loadBalancerId: lb.id,
            key: `${pool.name}|group`,
            messageId: "complete",
            data: { ...gdata, count: [...g.siblings.keys()].filter((k) => inPool.has(k)).length },
          });
        }
      }
    }
  },
});
