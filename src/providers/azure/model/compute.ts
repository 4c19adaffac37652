/** NICs with their ip configurations, VMs and scale-set instances, and availability-set membership. */
import { join } from "../../../core/util/json-pointer.ts";
import { arr, obj, str, strList } from "../../../core/util/wire.ts";
import { idKey, nameOf, parentResourceId } from "../arm-id.ts";
import { resolveAddress } from "./network.ts";
import { props, refId, refKeys, resourceGroupOf, typeIs } from "./read.ts";
import type { AzureBuild } from "./state.ts";
import type { IpConfig, Nic, PowerState, Vm } from "./types.ts";

export function buildNics(b: AzureBuild): void {
  for (const [key, { raw: r, ptr }] of b.resource) {
    if (!typeIs(r, "Microsoft.Network/networkInterfaces")) continue;
    const p = obj(r.properties);
    const n: Nic = {
      id: r.id,
      key,
      name: r.name,
      ptr,
      raw: r,
      resourceGroup: resourceGroupOf(r.id),
      enableIPForwarding: p.enableIPForwarding === true,
      ipConfigs: [],
    };
    const nsgId = refId(p.networkSecurityGroup);
    if (nsgId) {
      n.nsgId = nsgId;
      n.nsg = b.nsg.get(idKey(nsgId));
      if (!n.nsg) b.noteDangling(nsgId, r.id, "network security group");
    }
    const vmId = refId(p.virtualMachine);
    if (vmId) n.vmId = vmId;
    else if (/\/virtualMachineScaleSets\/[^/]+\/virtualMachines\/[^/]+\/networkInterfaces\//i.test(r.id)) {
      n.vmId = r.id.slice(0, r.id.toLowerCase().indexOf("/networkinterfaces/"));
    }
    arr(p.ipConfigurations).forEach((w, i) => {
      const cp = props(w);
      const id = str(obj(w).id) ?? `${r.id}/ipConfigurations/${str(obj(w).name) ?? i}`;
      const c: IpConfig = {
        id,
        key: idKey(id),
        name: str(obj(w).name) ?? nameOf(id),
        ptr: join(ptr, "properties", "ipConfigurations", i),
        nic: n,
        primary: cp.primary === true || arr(p.ipConfigurations).length === 1,
        poolKeys: refKeys(cp.loadBalancerBackendAddressPools),
        natRuleKeys: refKeys(cp.loadBalancerInboundNatRules),
        asgKeys: refKeys(cp.applicationSecurityGroups),
      };
      resolveAddress(b, c, cp, r.id);
      n.ipConfigs.push(c);
      b.ipConfig.set(c.key, c);
    });
    b.nic.set(key, n);
  }
}

const POWER_STATES = new Set<string>(["running", "deallocated", "stopped", "starting", "stopping", "deallocating"] satisfies PowerState[]);

/** A `PowerState/<state>` status code, in any case. */
const POWER_CODE = /^powerstate\//i;

/** The index of the instance view's power-state status, or -1. */
function powerStatusIndex(statuses: unknown[]): number {
  for (let i = 0; i < statuses.length; i++) {
    const code = str(obj(statuses[i]).code);
    if (code !== undefined && POWER_CODE.test(code)) return i;
  }
  return -1;
}

function powerStateOf(statuses: unknown[], i: number): PowerState | undefined {
  if (i < 0) return undefined;
  const state = (str(obj(statuses[i]).code) as string).slice("powerstate/".length).toLowerCase();
  return POWER_STATES.has(state) ? (state as PowerState) : "unknown";
}

/** VMs and VMSS instances, linked both ways with their NICs; VMs that name an availability set join its list. */
export function buildVms(b: AzureBuild): void {
  for (const [key, { raw: r, ptr }] of b.resource) {
    const isVm = typeIs(r, "Microsoft.Compute/virtualMachines");
    const isInstance = typeIs(r, "Microsoft.Compute/virtualMachineScaleSets/virtualMachines");
    if (!isVm && !isInstance) continue;
    const p = obj(r.properties);
    const statuses = arr(obj(p.instanceView).statuses);
    const ps = powerStatusIndex(statuses);
    const v: Vm = {
      id: r.id,
      key,
      name: r.name,
      ptr,
      raw: r,
      kind: isVm ? "vm" : "vmss-instance",
      resourceGroup: resourceGroupOf(r.id),
      powerState: powerStateOf(statuses, ps),
      zones: strList(r.zones),
      nicIds: arr(obj(p.networkProfile).networkInterfaces)
        .map(refId)
        .filter((x): x is string => !!x),
      nics: [],
    };
    if (ps >= 0) v.powerStatePtr = join(ptr, "properties", "instanceView", "statuses", ps, "code");
    const asId = refId(p.availabilitySet);
    if (asId) v.availabilitySetId = asId;
    if (isInstance) {
      if (typeof p.latestModelApplied === "boolean") v.latestModelApplied = p.latestModelApplied;
      v.vmssId = parentResourceId(r.id);
      b.vmss.get(idKey(v.vmssId))?.instances.push(v);
    }
    for (const nicId of v.nicIds) {
      const n = b.nic.get(idKey(nicId));
      if (n) {
        v.nics.push(n);
        n.vm = v;
      } else b.noteDangling(nicId, r.id, "network interface");
    }
    b.vm.set(key, v);
  }
  for (const n of b.nic.values()) {
    if (n.vmId && !n.vm) {
      const v = b.vm.get(idKey(n.vmId));
      if (v) {
        n.vm = v;
        v.nics.push(n);
      } else b.noteDangling(n.vmId, n.id, "virtual machine");
    }
  }
  joinAvailabilitySets(b);
}

/** VMs that name an availability set join its list (one pass over the VMs, not sets × VMs). */
function joinAvailabilitySets(b: AzureBuild): void {
  const setVmKeys = new Map<string, Set<string>>();
  for (const v of b.vm.values()) {
    if (!v.availabilitySetId) continue;
    const s = b.availabilitySet.get(idKey(v.availabilitySetId));
    if (!s) {
      b.noteDangling(v.availabilitySetId, v.id, "availability set");
      continue;
    }
    let known = setVmKeys.get(s.key);
    if (!known) setVmKeys.set(s.key, (known = new Set(s.vmKeys)));
    if (!known.has(v.key)) {
      known.add(v.key);
      s.vmKeys.push(v.key);
    }
  }
}
