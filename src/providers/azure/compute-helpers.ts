/**
 * Helpers for the compute-side Azure rules (backend pools, the VMs behind
 * them, availability): which pools carry traffic, whether a member can serve,
 * why data is missing, and the `az` commands that change pool membership.
 */
import { gapIndex } from "../../core/engine/gaps.ts";
import type { ReportInput } from "../../core/engine/types.ts";
import { join, pointer } from "../../core/util/json-pointer.ts";
import { idKey, nameOf, parentResourceId } from "./arm-id.ts";
import {
  type AzureModel,
  gapsFor,
  type IpConfig,
  type LbRule,
  type LoadBalancer,
  listGaps,
  type ModelGap,
  type Pool,
  type PoolMember,
  type Vm,
} from "./model.ts";
import { memberLabel, rgOf, sh } from "./rule-helpers.ts";

export interface EvidenceRef {
  resourceId: string;
  pointer: string;
  label: string;
}

// ---------------------------------------------------------------------------
// pools that carry traffic

export interface RulePool {
  lb: LoadBalancer;
  pool: Pool;
  /** the load-balancing rules that send traffic to this pool */
  rules: LbRule[];
}

/** Each backend pool that at least one load-balancing rule feeds, once, with those rules. */
export function rulePools(model: AzureModel): RulePool[] {
  const out: RulePool[] = [];
  for (const lb of model.loadBalancers) {
    for (const pool of lb.pools) {
      const rules = lb.rules.filter((r) => r.pool === pool);
      if (rules.length > 0) out.push({ lb, pool, rules });
    }
  }
  return out;
}

/** "rule-http (Tcp 80), rule-https (Tcp 443)" */
export function ruleList(rules: LbRule[]): string {
  return rules.map((r) => `${r.name} (${r.protocol} ${r.frontendPort})`).join(", ");
}

/** The distinct VMs behind a pool's members, in member order. */
export function poolVms(pool: Pool): Vm[] {
  const seen = new Map<string, Vm>();
  for (const m of pool.members) if (m.vm && !seen.has(m.vm.key)) seen.set(m.vm.key, m.vm);
  return [...seen.values()];
}

// ---------------------------------------------------------------------------
// gaps

/** The JSON pointer of a gap the snapshot itself recorded (`/gaps/i`); undefined for gaps the model derived. */
export function gapPointer(model: AzureModel, g: ModelGap): string | undefined {
  const i = gapIndex(model.gaps).position.get(g) ?? -1;
  return i >= 0 && i < (model.snapshot.gaps?.length ?? 0) ? pointer("gaps", i) : undefined;
}

/**
 * The collection gap that explains why data about these resources is missing:
 * one on the ids (or their parents), or a failed list operation. Dangling
 * references are left out: they only restate that something is missing.
 */
export function gapReason(model: AzureModel, ids: Array<string | undefined>, listOperations: string[] = []): string | undefined {
  const g = [...gapsFor(model, ids), ...listOperations.flatMap((op) => listGaps(model, op))].find((x) => x.kind === "collection");
  return g ? `${g.operation}: ${g.message}` : undefined;
}

/** The list operation that collects a VM (`virtualMachines.list`) or a scale-set instance (`virtualMachineScaleSetVMs.list`). */
export function vmListOperation(vmId: string): string {
  return /\/virtualMachineScaleSets\/[^/]+\/virtualMachines\//i.test(vmId) ? "virtualMachineScaleSetVMs.list" : "virtualMachines.list";
}

/**
 * One `unknown` per failed list operation: when the load balancers (or public
 * IPs) could not be listed, a rule has not seen everything it should judge,
 * and silence would read as "nothing to report".
 */
export function reportListGaps(model: AzureModel, report: (input: ReportInput) => void, messageId: string, operations: string[]): void {
  for (const op of operations) {
    for (const g of listGaps(model, op)) {
      const ptr = gapPointer(model, g);
      const resourceId = g.resourceId ?? "";
      report({
        status: "unknown",
        resourceId,
        ...(resourceId ? {} : { resourceName: "(scope)" }),
        messageId,
        key: `gap|${gapIndex(model.gaps).position.get(g) ?? -1}`,
        data: { operation: g.operation, reason: g.message },
        evidence: ptr ? [{ resourceId, pointer: ptr, label: "collection gap" }] : [],
      });
    }
  }
}

/** memberLabel, except that a member whose NIC is missing reads "vm2-nic/ipconfig1" rather than "ipconfig1". */
export function memberName(m: PoolMember): string {
  return m.nic || m.kind === "ip" ? memberLabel(m) : `${nameOf(parentResourceId(m.id))}/${nameOf(m.id)}`;
}

// ---------------------------------------------------------------------------
// can a member serve?

export interface MemberPower {
  /** up: a running VM, or an IP address with no VM behind it in the snapshot; down: stopped, deallocated (or on the way), or a NIC with no VM */
  state: "up" | "down" | "unknown";
  kind: "vm" | "ip" | "detached-nic" | "missing";
  /** what the snapshot says, for messages: "running", "deallocated", "its VM vm2 is not in the snapshot (…)" */
  detail: string;
  vm?: Vm;
  evidence: EvidenceRef[];
}

const DOWN_STATES = new Set(["deallocated", "stopped", "deallocating", "stopping"]);

function hasInstanceView(vm: Vm): boolean {
  const iv = vm.raw.properties?.instanceView;
  return iv !== null && typeof iv === "object" && Object.keys(iv).length > 0;
}

/** The power state of a VM or scale-set instance, read from its instance view. */
export function vmPower(model: AzureModel, vm: Vm): MemberPower {
  const s = vm.powerState;
  if (s === undefined) {
    const why = gapReason(model, [vm.id], [vmListOperation(vm.id)]);
    return {
      state: "unknown",
      kind: "vm",
      vm,
      detail: `the snapshot holds no power state for ${vm.name} (${hasInstanceView(vm) ? "its instance view has no PowerState status" : "no instance view"}${why ? `; ${why}` : ""})`,
      evidence: [{ resourceId: vm.id, pointer: join(vm.ptr, "properties", "instanceView"), label: `instance view of ${vm.name}` }],
    };
  }
  const evidence = [
    { resourceId: vm.id, pointer: vm.powerStatePtr ?? join(vm.ptr, "properties", "instanceView"), label: `power state of ${vm.name}` },
  ];
  if (s === "running") return { state: "up", kind: "vm", vm, detail: "running", evidence };
  if (DOWN_STATES.has(s)) return { state: "down", kind: "vm", vm, detail: s, evidence };
  return { state: "unknown", kind: "vm", vm, detail: `${vm.name} is ${s}`, evidence };
}

/** Whether a pool member can take traffic, as far as the snapshot tells. Never guesses: missing data is `unknown`. */
export function memberPower(model: AzureModel, lb: LoadBalancer, member: PoolMember): MemberPower {
  if (member.vm) return vmPower(model, member.vm);
  const entry: EvidenceRef = { resourceId: lb.id, pointer: member.ptr, label: "pool member" };
  const nic = member.nic;
  if (!nic) {
    if (member.kind === "ip") {
      return { state: "up", kind: "ip", detail: "an IP address with no VM behind it in the snapshot", evidence: [entry] };
    }
    const nicId = parentResourceId(member.id);
    const why = gapReason(model, [nicId], ["networkInterfaces.list", "listVirtualMachineScaleSetNetworkInterfaces"]);
    return {
      state: "unknown",
      kind: "missing",
      detail: `its network interface ${nameOf(nicId)} is not in the snapshot${why ? ` (${why})` : ""}`,
      evidence: [entry],
    };
  }
  const vmRef: EvidenceRef = { resourceId: nic.id, pointer: join(nic.ptr, "properties", "virtualMachine"), label: "NIC's virtual machine" };
  if (nic.vmId) {
    const why = gapReason(model, [nic.vmId], [vmListOperation(nic.vmId)]);
    return {
      state: "unknown",
      kind: "missing",
      detail: `its VM ${nameOf(nic.vmId)} is not in the snapshot${why ? ` (${why})` : ""}`,
      evidence: [entry, vmRef],
    };
  }
  return { state: "down", kind: "detached-nic", detail: `NIC ${nic.name} is not attached to any VM`, evidence: [entry, vmRef] };
}

// ---------------------------------------------------------------------------
// commands

/** `az vm start`, or `az vmss start` for a scale-set instance. */
export function azVmStart(vm: Vm): string {
  if (vm.kind === "vmss-instance" && vm.vmssId) {
    return `az vmss start --resource-group ${sh(rgOf(vm.id))} --name ${sh(nameOf(vm.vmssId))} --instance-ids ${sh(nameOf(vm.id))}`;
  }
  return `az vm start --resource-group ${sh(rgOf(vm.id))} --name ${sh(vm.name)}`;
}

/** Adds one NIC ip configuration to a pool. The pool goes by name when it shares the NIC's resource group, else by id. */
export function azPoolAdd(ipc: IpConfig, pool: Pool): string {
  const sameRg = rgOf(ipc.nic.id).toLowerCase() === rgOf(pool.lb.id).toLowerCase();
  return [
    "az network nic ip-config address-pool add",
    `--resource-group ${sh(rgOf(ipc.nic.id))}`,
    `--nic-name ${sh(ipc.nic.name)}`,
    `--ip-config-name ${sh(ipc.name)}`,
    ...(sameRg ? [`--lb-name ${sh(pool.lb.name)}`, `--address-pool ${sh(pool.name)}`] : [`--address-pool ${sh(pool.id)}`]),
  ].join(" ");
}

function primaryNicKey(vm: Vm): string | undefined {
  const np = (vm.raw.properties?.networkProfile ?? {}) as { networkInterfaces?: unknown };
  const refs = (Array.isArray(np.networkInterfaces) ? np.networkInterfaces : []) as Array<{
    id?: unknown;
    properties?: { primary?: unknown };
  }>;
  const p = refs.find((r) => r?.properties?.primary === true) ?? (refs.length === 1 ? refs[0] : undefined);
  return typeof p?.id === "string" ? idKey(p.id) : undefined;
}

/**
 * The ip configuration that should join a pool for this VM: the primary ip
 * configuration of its primary NIC, preferring a NIC in one of `vnetKeys`
 * (a Standard pool's members share one VNet).
 */
export function vmIpConfigFor(vm: Vm, vnetKeys: Set<string> = new Set()): IpConfig | undefined {
  const primary = primaryNicKey(vm);
  const score = (c: IpConfig) =>
    (c.subnet && vnetKeys.has(c.subnet.vnetKey) ? 4 : 0) + (c.nic.key === primary ? 2 : 0) + (c.primary ? 1 : 0);
  const all = vm.nics.flatMap((n) => n.ipConfigs);
  return [...all].sort((a, b) => score(b) - score(a))[0];
}

/** VNets of a pool's NIC members. */
export function poolVnetKeys(pool: Pool): Set<string> {
  return new Set(pool.members.map((m) => m.ipConfig?.subnet?.vnetKey).filter((x): x is string => !!x));
}

/** The backend pools, of any load balancer in the snapshot, that hold an ip configuration of the VM. */
export function vmPools(model: AzureModel, vm: Vm): Pool[] {
  const { poolsByIpConfig, poolPosition } = membership(model);
  let out: Pool[] | undefined;
  let lists = 0;
  for (const n of vm.nics) {
    for (const c of n.ipConfigs) {
      const pools = poolsByIpConfig.get(c.key);
      if (!pools) continue;
      lists++;
      out = out ? out.concat(pools) : pools.slice();
    }
  }
  if (!out) return [];
  // several ip configurations: each pool once, in model order (load balancers, then their pools)
  if (lists > 1) out = [...new Set(out)].sort((a, b) => (poolPosition.get(a) ?? 0) - (poolPosition.get(b) ?? 0));
  return out;
}

/** Pool membership and VMs indexed once per model: the lookups rules make once per member or VM. */
interface Membership {
  /** ip configuration key → the pools that hold it, in model order */
  poolsByIpConfig: Map<string, Pool[]>;
  poolPosition: Map<Pool, number>;
  /** the keys of every pool member's NIC */
  memberNicKeys: Set<string>;
  vmPosition: Map<Vm, number>;
  /** lower-cased availability set id → its VMs, in model order */
  vmsByAvailabilitySet: Map<string, Vm[]>;
  /** subnet key → the VMs with an ip configuration in it, in model order */
  vmsBySubnet: Map<string, Vm[]>;
}

const memberships = new WeakMap<AzureModel, Membership>();

function membership(model: AzureModel): Membership {
  let m = memberships.get(model);
  if (m) return m;
  m = {
    poolsByIpConfig: new Map(),
    poolPosition: new Map(),
    memberNicKeys: new Set(),
    vmPosition: new Map(),
    vmsByAvailabilitySet: new Map(),
    vmsBySubnet: new Map(),
  };
  const push = <K, V>(map: Map<K, V[]>, k: K, v: V) => {
    const list = map.get(k);
    if (!list) map.set(k, [v]);
    else if (list[list.length - 1] !== v) list.push(v);
  };
  for (const lb of model.loadBalancers) {
    for (const pool of lb.pools) {
      m.poolPosition.set(pool, m.poolPosition.size);
      for (const member of pool.members) {
        if (member.ipConfig) push(m.poolsByIpConfig, member.ipConfig.key, pool);
        if (member.nic) m.memberNicKeys.add(member.nic.key);
      }
    }
  }
  for (const vm of model.vms) {
    m.vmPosition.set(vm, m.vmPosition.size);
    if (vm.availabilitySetId) push(m.vmsByAvailabilitySet, vm.availabilitySetId.toLowerCase(), vm);
    for (const n of vm.nics) for (const c of n.ipConfigs) if (c.subnet) push(m.vmsBySubnet, c.subnet.key, vm);
  }
  memberships.set(model, m);
  return m;
}

/** Is this NIC (key) a member of any backend pool in the model? */
export function isPoolMemberNic(model: AzureModel, nicKey: string): boolean {
  return membership(model).memberNicKeys.has(nicKey);
}

/** The VMs in any of these availability sets (lower-cased ids), in model order. */
export function vmsInAvailabilitySets(model: AzureModel, sets: Iterable<string>): Vm[] {
  const m = membership(model);
  return inModelOrder(
    m,
    [...sets].map((k) => m.vmsByAvailabilitySet.get(k)),
  );
}

/** The VMs with an ip configuration in any of these subnets (keys), in model order. */
export function vmsInSubnets(model: AzureModel, subnetKeys: Iterable<string>): Vm[] {
  const m = membership(model);
  return inModelOrder(
    m,
    [...subnetKeys].map((k) => m.vmsBySubnet.get(k)),
  );
}

function inModelOrder(m: Membership, lists: Array<Vm[] | undefined>): Vm[] {
  const found = lists.filter((l): l is Vm[] => l !== undefined);
  if (found.length === 0) return [];
  if (found.length === 1) return (found[0] as Vm[]).slice();
  return [...new Set(found.flat())].sort((a, b) => (m.vmPosition.get(a) ?? 0) - (m.vmPosition.get(b) ?? 0));
}

/** A short readable reference to a VM's place: "availability set avset-web", "zone 1", "scale set vmss-web". */
export function placementOf(vm: Vm): string {
  if (vm.availabilitySetId) return `availability set ${nameOf(vm.availabilitySetId)}`;
  if (vm.zones.length > 0) return `zone ${vm.zones.join(",")}`;
  if (vm.vmssId) return `scale set ${nameOf(vm.vmssId)}`;
  return "no availability set or zone";
}
