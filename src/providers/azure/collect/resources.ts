/** Reading collected ARM wire resources: what they reference, which NICs are running pool members, a VM's OS. */
import { idKey, parentResourceId, parseArmId } from "../arm-id.ts";
import type { ArmResource } from "../wire-types.ts";

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function typeOf(id: string): string {
  const p = parseArmId(id);
  return `${p.provider ?? ""}/${p.segments[0] ?? ""}`.toLowerCase();
}

export function osTypeOf(vm: ArmResource): "Linux" | "Windows" {
  const os = (vm.properties as { storageProfile?: { osDisk?: { osType?: string } } } | undefined)?.storageProfile?.osDisk?.osType;
  return os?.toLowerCase() === "windows" ? "Windows" : "Linux";
}

/** Every top-level resource id referenced from the collected resources that the model needs. */
export function referencedIds(resources: Iterable<ArmResource>): Set<string> {
  const out = new Set<string>();
  const add = (id: unknown) => {
    if (typeof id !== "string" || !id.startsWith("/")) return;
    const top = parentResourceId(id);
    if (/\/virtualMachineScaleSets\//i.test(top)) return;
    out.add(top);
  };
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
      return;
    }
    if (v === null || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (REF_KEYS.has(key) && typeof o.id === "string") add(o.id);
    for (const [k, x] of Object.entries(o)) if (typeof x === "object") walk(x, k);
  };
  for (const r of resources) walk(r.properties, "properties");
  return out;
}

/** The reference fields that point at resources the model resolves. */
const REF_KEYS = new Set([
  "subnet",
  "networkSecurityGroup",
  "routeTable",
  "publicIPAddress",
  "backendIPConfigurations",
  "applicationSecurityGroups",
  "sourceApplicationSecurityGroups",
  "destinationApplicationSecurityGroups",
  "networkInterfaces",
  "natGateway",
  "gatewayLoadBalancer",
  "virtualNetwork",
]);

/** NICs that are pool members, split by whether their VM runs (effective NSGs and guest checks need a running VM). */
export function poolMemberNics(resources: Map<string, ArmResource>): { running: ArmResource[]; runningVms: ArmResource[] } {
  const memberNicKeys = new Set<string>();
  for (const r of resources.values()) {
    if (r.type.toLowerCase() !== "microsoft.network/loadbalancers") continue;
    for (const pool of arr(r.properties?.backendAddressPools)) {
      for (const ref of arr((pool as { properties?: { backendIPConfigurations?: unknown } }).properties?.backendIPConfigurations)) {
        const id = (ref as { id?: string }).id;
        if (id) memberNicKeys.add(idKey(id.slice(0, id.toLowerCase().lastIndexOf("/ipconfigurations/"))));
      }
    }
  }
  const running: ArmResource[] = [];
  const runningVms = new Map<string, ArmResource>();
  for (const key of memberNicKeys) {
    const nic = resources.get(key);
    if (!nic) continue;
    const vmId =
      (nic.properties as { virtualMachine?: { id?: string } } | undefined)?.virtualMachine?.id ??
      (key.includes("/virtualmachinescalesets/") ? key.slice(0, key.indexOf("/networkinterfaces/")) : undefined);
    const vm = vmId ? resources.get(idKey(vmId)) : undefined;
    const statuses =
      (vm?.properties as { instanceView?: { statuses?: Array<{ code?: string }> } } | undefined)?.instanceView?.statuses ?? [];
    const isRunning = statuses.some((s) => s.code?.toLowerCase() === "powerstate/running");
    if (isRunning && vm) {
      running.push(nic);
      runningVms.set(idKey(vm.id), vm);
    }
  }
  return { running, runningVms: [...runningVms.values()] };
}

/** Scale sets whose NICs are named by a load balancer's pool (pool entries point into the scale set). */
export function scaleSetsInPools(resources: Map<string, ArmResource>): string[] {
  const out = new Map<string, string>();
  for (const r of resources.values()) {
    if (r.type !== "Microsoft.Network/loadBalancers") continue;
    for (const pool of (r.properties?.backendAddressPools ?? []) as Array<{
      properties?: { backendIPConfigurations?: Array<{ id?: string }> };
    }>) {
      for (const ref of pool.properties?.backendIPConfigurations ?? []) {
        const m = /^(.*?\/virtualMachineScaleSets\/[^/]+)\//i.exec(ref.id ?? "");
        if (m?.[1] && resources.has(idKey(m[1]))) out.set(idKey(m[1]), resources.get(idKey(m[1]))?.id ?? m[1]);
      }
    }
  }
  return [...out.values()];
}

/** The load balancers (idKey) whose pools a NIC's ip configurations name. */
export function lbKeysOfNic(nic: ArmResource): string[] {
  const out = new Set<string>();
  for (const c of (nic.properties?.ipConfigurations ?? []) as Array<{
    properties?: { loadBalancerBackendAddressPools?: Array<{ id?: string }> };
  }>) {
    for (const p of c.properties?.loadBalancerBackendAddressPools ?? []) {
      const id = p.id ?? "";
      const i = id.toLowerCase().indexOf("/backendaddresspools/");
      if (i > 0) out.add(idKey(id.slice(0, i)));
    }
  }
  return [...out];
}
