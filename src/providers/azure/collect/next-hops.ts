/**
 * The network virtual appliances the collected route tables send traffic to: for each route with next hop
 * `VirtualAppliance` and a `nextHopIpAddress` that no NIC or load balancer frontend of the snapshot holds, the NIC
 * that holds it is looked for in the one place that names it without a scan: the subnet whose address prefix contains
 * the address lists the ip configurations in it (`ipConfigurations`, ids of `.../networkInterfaces/<nic>/ipConfigurations/<name>`).
 * Those NICs are fetched by id (at most NVA_NICS_PER_SUBNET a subnet), then their VMs (with their instance view, as the
 * group's VM list reads them) and those VMs' availability sets, so the NVA rules see the appliance, its partner
 * next to it and the machines behind them. A next hop in no subnet of the snapshot is looked for in the VNet a
 * collected VNet peers with, when the peering's remote address space holds it (one GET of that VNet).
 *
 * Whatever this search could not read is a gap that concerns no rule's data (`resolve`): it reads only what the NVA
 * rules need to find the appliance, and those say `unknown` of a next hop they cannot find.
 */
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { NetworkManagementClient } from "@azure/arm-network";
import type { CollectEvent } from "../../../core/collect/events.ts";
import type { FailureInfo } from "../../../core/collect/ledger.ts";
import { compareText } from "../../../core/util/collate.ts";
import { ipInCidr } from "../../../core/util/ip.ts";
import { arr, obj, str, strList } from "../../../core/util/wire.ts";
import { idKey, nameOf, parentResourceId, parseArmId } from "../arm-id.ts";
import type { ArmResource } from "../wire-types.ts";
import { type ArmCalls, describeRestError, isAuthError, type RestErrorLike } from "./arm.ts";
import { typeOf } from "./resources.ts";

/**
 * The most NICs fetched from one subnet while looking for a next hop. An appliance subnet is small: an
 * active-passive pair, or two to a few scale-out appliances and the internal load balancer frontend in front of
 * them; a /28, the smallest subnet such a design takes, has 11 usable addresses, all of them within 16. The GETs run
 * at once (two rounds at the default --concurrency of 12), each with one GET of its VM. A larger subnet (a shared one,
 * a hub subnet with hundreds of NICs) is not read whole: the rest is a gap that names what was left out.
 */
export const NVA_NICS_PER_SUBNET = 16;

/** A next-hop address and the routes (`table/route`) that name it. */
export interface Hop {
  ip: string;
  routes: string[];
}

/** One subnet that contains next hops: the NICs it lists to fetch, and the ones left out. */
export interface SubnetSearch {
  subnetId: string;
  hops: Hop[];
  /** NIC ids to fetch (not in the snapshot, not tried before), at most the bound */
  fetch: string[];
  /** NIC ids it lists past the bound, not fetched */
  leftOut: string[];
  /** the subnet carries no `ipConfigurations` list (as opposed to an empty one): nothing names what holds the address */
  unlisted: boolean;
}

export interface HopPlan {
  subnets: SubnetSearch[];
  /** VNets to read (ids): a collected VNet peers with them, and a next hop in no subnet of the snapshot lies in their remote address space */
  peered: Array<{ id: string; hops: Hop[] }>;
}

const lower = (s: unknown) => (typeof s === "string" ? s.toLowerCase() : "");

/**
 * What to fetch to find the holders of the next hops not yet held in the snapshot. `known` says whether an id (its
 * key) is in the snapshot or was tried already; `searched` holds the subnets (keys) searched before, which are not
 * searched again (their NICs past the bound stay out).
 */
export function planHopSearch(
  resources: Iterable<ArmResource>,
  known: (key: string) => boolean,
  searched: ReadonlySet<string>,
  bound = NVA_NICS_PER_SUBNET,
): HopPlan {
  const held = new Set<string>();
  const hops = new Map<string, string[]>();
  const subnets: Array<{ id: string; prefixes: string[]; ipConfigurations: unknown[] | undefined }> = [];
  const peerings: Array<{ id: string; prefixes: string[] }> = [];
  const addSubnet = (w: unknown) => {
    const id = str(obj(w).id);
    if (!id) return;
    const p = obj(obj(w).properties);
    const prefixes = strList(p.addressPrefixes);
    const one = str(p.addressPrefix);
    if (one) prefixes.push(one);
    subnets.push({ id, prefixes, ipConfigurations: Array.isArray(p.ipConfigurations) ? p.ipConfigurations : undefined });
  };
  for (const r of resources) {
    const type = lower(r.type);
    const p = obj(r.properties);
    if (type === "microsoft.network/networkinterfaces" || type === "microsoft.network/loadbalancers") {
      for (const c of [...arr(p.ipConfigurations), ...arr(p.frontendIPConfigurations)]) {
        const ip = str(obj(obj(c).properties).privateIPAddress);
        if (ip) held.add(ip);
      }
    } else if (type === "microsoft.network/routetables") {
      for (const route of arr(p.routes)) {
        const rp = obj(obj(route).properties);
        const ip = str(rp.nextHopIpAddress)?.trim();
        if (lower(rp.nextHopType) !== "virtualappliance" || !ip) continue;
        let list = hops.get(ip);
        if (!list) hops.set(ip, (list = []));
        list.push(`${r.name}/${str(obj(route).name) ?? "?"}`);
      }
    } else if (type === "microsoft.network/virtualnetworks") {
      for (const s of arr(p.subnets)) addSubnet(s);
      for (const peer of arr(p.virtualNetworkPeerings)) {
        const pp = obj(obj(peer).properties);
        const id = str(obj(pp.remoteVirtualNetwork).id);
        if (!id) continue;
        const prefixes = [
          ...strList(obj(pp.remoteAddressSpace).addressPrefixes),
          ...strList(obj(pp.remoteVirtualNetworkAddressSpace).addressPrefixes),
        ];
        peerings.push({ id, prefixes });
      }
    } else if (type === "microsoft.network/virtualnetworks/subnets") addSubnet(r);
  }
  const bySubnet = new Map<string, { subnet: (typeof subnets)[number]; hops: Hop[] }>();
  const peered = new Map<string, { id: string; hops: Hop[] }>();
  for (const [ip, routes] of [...hops].sort(([a], [b]) => compareText(a, b))) {
    if (held.has(ip)) continue;
    const hop = { ip, routes };
    const inside = subnets.filter((s) => s.prefixes.some((prefix) => ipInCidr(ip, prefix)));
    if (inside.length === 0) {
      for (const peer of peerings) {
        const key = idKey(peer.id);
        if (known(key) || !peer.prefixes.some((prefix) => ipInCidr(ip, prefix))) continue;
        let entry = peered.get(key);
        if (!entry) peered.set(key, (entry = { id: peer.id, hops: [] }));
        entry.hops.push(hop);
      }
      continue;
    }
    for (const s of inside) {
      const key = idKey(s.id);
      if (searched.has(key)) continue;
      let entry = bySubnet.get(key);
      if (!entry) bySubnet.set(key, (entry = { subnet: s, hops: [] }));
      entry.hops.push(hop);
    }
  }
  const out: SubnetSearch[] = [];
  for (const { subnet, hops: inside } of bySubnet.values()) {
    const nics = new Map<string, string>();
    for (const c of subnet.ipConfigurations ?? []) {
      const id = str(obj(c).id);
      if (!id) continue;
      const nic = parentResourceId(id);
      // a NIC's ip configuration only: a load balancer frontend, a scale set's NIC, a firewall or a gateway holds no NIC of its own here
      if (typeOf(nic) !== "microsoft.network/networkinterfaces" || known(idKey(nic))) continue;
      if (!nics.has(idKey(nic))) nics.set(idKey(nic), nic);
    }
    const ids = [...nics.values()];
    out.push({
      subnetId: subnet.id,
      hops: inside,
      fetch: ids.slice(0, bound),
      leftOut: ids.slice(bound),
      unlisted: subnet.ipConfigurations === undefined,
    });
  }
  return { subnets: out, peered: [...peered.values()] };
}

/** What the search needs of a collection run. */
export interface HopRun {
  calls: ArmCalls;
  resources: Map<string, ArmResource>;
  /** ids (keys) fetched by id so far, successfully or not: never asked again */
  tried: Set<string>;
  /** subnets (keys) searched so far */
  hopSubnets: Set<string>;
  networkOf: (id: string) => NetworkManagementClient;
  computeOf: (id: string) => ComputeManagementClient;
  emit: (e: CollectEvent) => void;
}

/** "10.9.0.4 (the next hop of rt-web/to-nva)", several joined. */
function hopsText(hops: Hop[]): string {
  return hops.map((h) => `${h.ip} (the next hop of ${h.routes.join(", ")})`).join(", ");
}

/** "vnet-hub/snet-nva" */
function subnetName(id: string): string {
  const p = parseArmId(id);
  return p.segments.length >= 4 ? `${p.segments[1]}/${p.segments[3]}` : nameOf(id);
}

function names(ids: string[], shown = 3): string {
  const head = ids.slice(0, shown).map(nameOf);
  return ids.length > shown ? `${head.join(", ")} and ${ids.length - shown} more` : head.join(", ");
}

/**
 * One GET by id for the search. Its failure (a refusal, another tenant's 401, a resource or group that is gone) is a
 * gap that concerns no rule's data (`resolve`, with the call's status and code, naming the operation); unusable
 * credentials stop the run as anywhere else.
 */
async function get(
  run: HopRun,
  operation: string,
  id: string,
  call: () => Promise<unknown>,
  why: string,
): Promise<ArmResource | undefined> {
  run.tried.add(idKey(id));
  let failure: FailureInfo | undefined;
  const rec = await run.calls.record(operation, id, async () => {
    try {
      return await call();
    } catch (e) {
      const err = e as RestErrorLike;
      // a token of another tenant's (a hub in a subscription of another tenant: 401 InvalidAuthenticationTokenTenant)
      // is a refusal of that reference like a 403, not unusable credentials
      if (isAuthError(err) && err.code !== "InvalidAuthenticationTokenTenant") throw e;
      failure = describeRestError(e);
      return undefined;
    }
  });
  if (failure) {
    const f: FailureInfo = failure;
    run.calls.ledger.note({
      operation: "resolve",
      resourceId: id,
      message: `${operation} failed: ${f.message}; it was read ${why}`,
      ...(f.status === undefined ? {} : { status: f.status }),
      ...(f.code === undefined ? {} : { code: f.code }),
    });
    return undefined;
  }
  const body = rec?.filter((r) => r.status === 200 && r.body !== undefined).pop()?.body as ArmResource | undefined;
  if (!body?.id) return undefined;
  run.resources.set(idKey(body.id), body);
  return body;
}

/** The resource group and name of an id, for an SDK call. */
function where(id: string): [string, string] {
  const p = parseArmId(id);
  return [p.resourceGroup ?? "", p.segments[1] ?? p.name];
}

/**
 * Looks for the holders of the next hops the snapshot does not hold; true when it asked for anything (the caller then
 * follows the references of what arrived). At most one GET of a peered VNet per next hop in no subnet of the snapshot,
 * then per subnet that contains next hops at most NVA_NICS_PER_SUBNET NICs, each with its VM and that VM's
 * availability set. Gaps: each failed GET; a subnet that lists more NICs than the bound (those left out); a subnet
 * with no list of its ip configurations.
 */
export async function fetchNextHops(run: HopRun): Promise<boolean> {
  const known = (key: string) => run.resources.has(key) || run.tried.has(key);
  let plan = planHopSearch(run.resources.values(), known, run.hopSubnets);
  if (plan.peered.length === 0 && plan.subnets.length === 0) return false;
  run.emit({ type: "phase", name: "route next hops" });
  if (plan.peered.length > 0) {
    await Promise.all(
      plan.peered.map(({ id, hops }) =>
        get(
          run,
          "virtualNetworks.get",
          id,
          () => run.networkOf(id).virtualNetworks.get(...where(id)),
          `to find ${hopsText(hops)}, which lies in the address space of this peered virtual network`,
        ),
      ),
    );
    plan = planHopSearch(run.resources.values(), known, run.hopSubnets);
  }
  await Promise.all(plan.subnets.map((s) => searchSubnet(run, s, known)));
  run.calls.ledger.throwIfFatal();
  return true;
}

async function searchSubnet(run: HopRun, s: SubnetSearch, known: (key: string) => boolean): Promise<void> {
  run.hopSubnets.add(idKey(s.subnetId));
  const looked = hopsText(s.hops);
  if (s.unlisted) {
    run.calls.ledger.note({
      operation: "resolve",
      resourceId: s.subnetId,
      message: `subnet ${subnetName(s.subnetId)} does not list its ip configurations, so the network interface that holds ${looked} was not looked for`,
    });
    return;
  }
  if (s.leftOut.length > 0) {
    run.calls.ledger.note({
      operation: "resolve",
      resourceId: s.subnetId,
      message:
        `subnet ${subnetName(s.subnetId)} lists ${s.fetch.length + s.leftOut.length} network interfaces that are not in the snapshot; ` +
        `${looked} was looked for among the first ${s.fetch.length}, and ${s.leftOut.length} were left out (${names(s.leftOut)}): ` +
        "the appliance, or a partner of it, may be among them",
    });
  }
  const fetchVm = async (vmId: string, nicName: string) => {
    if (known(idKey(vmId)) || typeOf(vmId) !== "microsoft.compute/virtualmachines") return;
    const vm = await get(
      run,
      "virtualMachines.get",
      vmId,
      () => run.computeOf(vmId).virtualMachines.get(...where(vmId), { expand: "instanceView" }),
      `as the VM of ${nicName}, in subnet ${subnetName(s.subnetId)}, which holds or is next to ${looked}`,
    );
    const setId = str(obj(obj(vm?.properties).availabilitySet).id);
    if (!setId || known(idKey(setId))) return;
    await get(
      run,
      "availabilitySets.get",
      setId,
      () => run.computeOf(setId).availabilitySets.get(...where(setId)),
      `as the availability set of ${vm?.name}, the VM of ${nicName}`,
    );
  };
  await Promise.all(
    s.fetch.map(async (nicId) => {
      const nic = await get(
        run,
        "networkInterfaces.get",
        nicId,
        () => run.networkOf(nicId).networkInterfaces.get(...where(nicId)),
        `to find ${looked}: subnet ${subnetName(s.subnetId)} lists it`,
      );
      const vmId = str(obj(obj(nic?.properties).virtualMachine).id);
      if (nic && vmId) await fetchVm(vmId, nic.name);
    }),
  );
}
