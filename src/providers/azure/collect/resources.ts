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

/**
 * Every top-level resource id referenced from the collected resources that the model needs.
 *
 * A load balancer outside the collected group (`inGroup` false for its id) that is named only as the backend pool or
 * inbound NAT rule of a NIC (or of a scale set's model) is wanted for what it does for those NICs: its own member list
 * (`backendIPConfigurations`) is not followed, so a NIC of the group in a shared load balancer costs one GET of that
 * load balancer, not one per member of it. Its frontends' references (public IPs, subnets, a gateway load balancer) are
 * followed as any other's. A load balancer named by another field too (`gatewayLoadBalancer`), or one of the group
 * itself, has its members followed. What a resource lists of what it is attached to is not followed (`NOT_FOLLOWED_FROM`).
 */
export function referencedIds(resources: Iterable<ArmResource>, inGroup: (id: string) => boolean = () => true): Set<string> {
  const out = new Set<string>();
  // per load balancer (key): its id and the top-level ids its pools list as members
  const members = new Map<string, { id: string; tops: Set<string> }>();
  // load balancers (keys) named through a field other than a pool or NAT membership
  const namedOtherwise = new Set<string>();
  let lb: { id: string; tops: Set<string> } | undefined;
  const add = (id: unknown, via: string) => {
    if (typeof id !== "string" || !id.startsWith("/")) return;
    const top = parentResourceId(id);
    if (/\/virtualMachineScaleSets\//i.test(top)) return;
    if (lb && via === "backendIPConfigurations") lb.tops.add(top);
    else out.add(top);
    if (!MEMBERSHIP_KEYS.has(via) && LB_ID.test(top)) namedOtherwise.add(idKey(top));
  };
  // the reference fields not followed from the resource being walked
  let skip: ReadonlySet<string> | undefined;
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
      return;
    }
    if (v === null || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (REF_KEYS.has(key) && typeof o.id === "string" && !skip?.has(key)) add(o.id, key);
    for (const [k, x] of Object.entries(o)) if (typeof x === "object") walk(x, k);
  };
  for (const r of resources) {
    lb = undefined;
    if (typeof r.id === "string" && LB_ID.test(r.id)) {
      lb = { id: r.id, tops: new Set() };
      members.set(idKey(r.id), lb);
    }
    skip = typeof r.type === "string" ? NOT_FOLLOWED_FROM[r.type.toLowerCase()] : undefined;
    walk(r.properties, "properties");
  }
  for (const [k, m] of members) {
    if (!inGroup(m.id) && !namedOtherwise.has(k)) continue;
    for (const top of m.tops) out.add(top);
  }
  return out;
}

/** A load balancer's id (a top-level one: what `parentResourceId` gives). */
const LB_ID = /\/providers\/microsoft\.network\/loadbalancers\/[^/]+$/i;

/** The fields by which a NIC's ip configuration (or a scale set's model) names a load balancer's backend pool or inbound NAT rule. */
const MEMBERSHIP_KEYS = new Set(["loadBalancerBackendAddressPools", "loadBalancerInboundNatRules"]);

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
  ...MEMBERSHIP_KEYS,
]);

/**
 * Reference fields not followed from a resource of a type (lower-case): what lists the resources it is attached to
 * rather than what it needs. An NSG's `networkInterfaces` are the NICs it is attached to (a hub NSG's: thousands, in
 * every group); the model reads a NIC's NSG from the NIC, and the NICs it needs come from the group's list, a VM's
 * `networkProfile`, or a load balancer's pools.
 */
const NOT_FOLLOWED_FROM: Readonly<Record<string, ReadonlySet<string>>> = {
  "microsoft.network/networksecuritygroups": new Set(["networkInterfaces"]),
};

/**
 * NICs that are pool members, split by whether their VM runs (effective NSGs and guest checks need a running VM).
 * With `inScope`, only the members whose NIC or VM it accepts (a group's: not a hub's appliances, fetched because a
 * route names them, nor another group's load balancer's members elsewhere).
 */
export function poolMemberNics(
  resources: Map<string, ArmResource>,
  inScope?: (id: string) => boolean,
): { running: ArmResource[]; runningVms: ArmResource[] } {
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
    if (inScope && !inScope(nic.id) && !(vm && inScope(vm.id))) continue;
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
