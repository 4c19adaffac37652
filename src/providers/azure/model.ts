/**
 * The Azure model: the snapshot's wire resources, typed, normalized and
 * cross-referenced (LB → rule → pool → member → NIC → subnet → NSG).
 *
 * Every model object keeps `ptr`, the JSON Pointer of its wire object in the
 * snapshot, so a finding's evidence points at the exact field it read.
 * A reference to something the snapshot does not hold is recorded as a gap
 * (kind `dangling-reference`); it is never a crash.
 */
import { danglingRecorder } from "../../core/engine/gaps.ts";
import type { Model, ModelContext, ModelGap } from "../../core/engine/types.ts";
import type { GuestObservation } from "../../core/snapshot/types.ts";
import { join, pointer } from "../../core/util/json-pointer.ts";
import { arr, type Obj, obj, str, strList } from "../../core/util/wire.ts";
import type { ArmResource, AzureSnapshot, EffectiveNsgBody, RuleHealthBody } from "../../providers/azure/wire-types.ts";
import { idKey, nameOf, parentResourceId } from "./arm-id.ts";

export type { ModelContext, ModelGap };

interface Node {
  id: string;
  key: string;
  name: string;
  /** JSON Pointer of this object in the snapshot */
  ptr: string;
}

export interface SecurityRule {
  name: string;
  ptr: string;
  priority: number;
  direction: "Inbound" | "Outbound";
  access: "Allow" | "Deny";
  protocol: string;
  sourcePrefixes: string[];
  destinationPrefixes: string[];
  sourcePorts: string[];
  destinationPorts: string[];
  sourceAsgKeys: string[];
  destinationAsgKeys: string[];
  /** from an effective-NSG body: tags already resolved to prefixes */
  expandedSource?: string[];
  expandedDestination?: string[];
  isDefault: boolean;
  /** a documented default rule that the wire body did not carry */
  synthesized?: boolean;
}

export interface Nsg extends Node {
  raw: ArmResource;
  resourceGroup: string | undefined;
  rules: SecurityRule[];
}

export interface RouteEntry {
  name: string;
  ptr: string;
  addressPrefix: string;
  nextHopType: string;
  nextHopIpAddress?: string;
}

export interface RouteTable extends Node {
  raw: ArmResource;
  routes: RouteEntry[];
}

export interface Vnet extends Node {
  raw: ArmResource;
  addressSpace: string[];
  /** address spaces of peered VNets (remoteAddressSpace) */
  peeredSpace: string[];
  subnets: Subnet[];
}

export interface Subnet extends Node {
  vnetKey: string;
  vnet?: Vnet;
  prefixes: string[];
  nsgId?: string;
  nsg?: Nsg;
  routeTableId?: string;
  routeTable?: RouteTable;
}

export interface PublicIp extends Node {
  raw: ArmResource;
  sku: string | undefined;
  ipAddress?: string;
  allocation?: string;
}

export interface IpConfig extends Node {
  nic: Nic;
  primary: boolean;
  privateIp?: string;
  subnetId?: string;
  subnet?: Subnet;
  publicIpId?: string;
  publicIp?: PublicIp;
  poolKeys: string[];
  natRuleKeys: string[];
  asgKeys: string[];
}

export interface Nic extends Node {
  raw: ArmResource;
  resourceGroup: string | undefined;
  enableIPForwarding: boolean;
  nsgId?: string;
  nsg?: Nsg;
  vmId?: string;
  vm?: Vm;
  ipConfigs: IpConfig[];
}

export type PowerState = "running" | "deallocated" | "stopped" | "starting" | "stopping" | "deallocating" | "unknown";

export interface Vm extends Node {
  raw: ArmResource;
  kind: "vm" | "vmss-instance";
  resourceGroup: string | undefined;
  /** undefined when the snapshot holds no instance view */
  powerState: PowerState | undefined;
  powerStatePtr?: string;
  availabilitySetId?: string;
  /** VMSS id for a scale-set instance */
  vmssId?: string;
  zones: string[];
  nicIds: string[];
  nics: Nic[];
}

export interface AvailabilitySet extends Node {
  raw: ArmResource;
  vmKeys: string[];
}

export interface Vmss extends Node {
  raw: ArmResource;
  instances: Vm[];
}

export interface Frontend extends Node {
  lb: LoadBalancer;
  privateIp?: string;
  subnetId?: string;
  subnet?: Subnet;
  publicIpId?: string;
  publicIp?: PublicIp;
  zones: string[];
}

export interface PoolMember {
  kind: "ipconfig" | "ip";
  /** ipconfig id, or `<pool id>/loadBalancerBackendAddresses/<name>` */
  id: string;
  key: string;
  /** pointer of the membership entry inside the pool */
  ptr: string;
  ipConfig?: IpConfig;
  nic?: Nic;
  vm?: Vm;
  ip?: string;
  /** for IP-based members: the VNet they are declared in */
  vnetId?: string;
}

export interface Pool extends Node {
  lb: LoadBalancer;
  members: PoolMember[];
}

export interface Probe extends Node {
  lb: LoadBalancer;
  protocol: string;
  port: number;
  requestPath?: string;
  rules: LbRule[];
}

export interface LbRule extends Node {
  lb: LoadBalancer;
  raw: Record<string, unknown>;
  frontendId?: string;
  frontend?: Frontend;
  poolId?: string;
  pool?: Pool;
  probeId?: string;
  probe?: Probe;
  protocol: string;
  frontendPort: number;
  backendPort: number;
  loadDistribution: string;
  enableFloatingIP: boolean;
}

export interface NatRule extends Node {
  lb: LoadBalancer;
  frontendId?: string;
  frontend?: Frontend;
  protocol: string;
  frontendPort?: number;
  frontendPortRangeStart?: number;
  frontendPortRangeEnd?: number;
  backendPort: number;
  backendIpConfigId?: string;
  backendIpConfig?: IpConfig;
}

export interface LoadBalancer extends Node {
  raw: ArmResource;
  resourceGroup: string | undefined;
  sku: string;
  /** true when every frontend is private (an internal load balancer) */
  isInternal: boolean;
  frontends: Frontend[];
  pools: Pool[];
  rules: LbRule[];
  probes: Probe[];
  natRules: NatRule[];
}

export interface EffectiveNsgObservation {
  key: string;
  ptr: string;
  body: EffectiveNsgBody;
}

export interface AzureModel extends Model {
  provider: "azure";
  snapshot: AzureSnapshot;
  context: ModelContext;
  loadBalancers: LoadBalancer[];
  nics: Nic[];
  vms: Vm[];
  nsgs: Nsg[];
  vnets: Vnet[];
  subnets: Subnet[];
  routeTables: RouteTable[];
  publicIps: PublicIp[];
  availabilitySets: AvailabilitySet[];
  vmss: Vmss[];
  gaps: ModelGap[];
  /** lookups by idKey */
  byKey: {
    resource: Map<string, { raw: ArmResource; ptr: string }>;
    nic: Map<string, Nic>;
    ipConfig: Map<string, IpConfig>;
    vm: Map<string, Vm>;
    nsg: Map<string, Nsg>;
    subnet: Map<string, Subnet>;
    vnet: Map<string, Vnet>;
    routeTable: Map<string, RouteTable>;
    publicIp: Map<string, PublicIp>;
    pool: Map<string, Pool>;
    availabilitySet: Map<string, AvailabilitySet>;
    vmss: Map<string, Vmss>;
  };
  observations: {
    ruleHealth: Map<string, { ptr: string; body: RuleHealthBody }>;
    effectiveNsgs: Map<string, EffectiveNsgObservation>;
    guest: Map<string, { ptr: string; body: GuestObservation }>;
  };
}

// ---------------------------------------------------------------------------
// small readers for untyped wire JSON

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const refId = (v: unknown): string | undefined => str(obj(v).id);
const props = (v: unknown): Obj => obj(obj(v).properties);

function typeIs(r: ArmResource, type: string): boolean {
  return r.type.toLowerCase() === type.toLowerCase();
}

// ---------------------------------------------------------------------------
// NSG rules

export const DEFAULT_RULES: ReadonlyArray<Omit<SecurityRule, "ptr">> = [
  defaultRule("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
  defaultRule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
  defaultRule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
  defaultRule("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
  defaultRule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
  defaultRule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
];

function defaultRule(
  name: string,
  priority: number,
  direction: "Inbound" | "Outbound",
  access: "Allow" | "Deny",
  src: string,
  dst: string,
): Omit<SecurityRule, "ptr"> {
  return {
    name,
    priority,
    direction,
    access,
    protocol: "*",
    sourcePrefixes: [src],
    destinationPrefixes: [dst],
    sourcePorts: ["*"],
    destinationPorts: ["*"],
    sourceAsgKeys: [],
    destinationAsgKeys: [],
    isDefault: true,
  };
}

function normDirection(v: unknown): "Inbound" | "Outbound" {
  return String(v).toLowerCase() === "outbound" ? "Outbound" : "Inbound";
}
function normAccess(v: unknown): "Allow" | "Deny" {
  return String(v).toLowerCase() === "allow" ? "Allow" : "Deny";
}
function singularPlural(p: Obj, singular: string, plural: string): string[] {
  const list = strList(p[plural]);
  const one = str(p[singular]);
  if (one !== undefined && !list.includes(one)) list.unshift(one);
  return list;
}

/** Reads a security rule from an NSG's wire JSON (`{name, properties:{...}}`). */
export function readSecurityRule(wire: unknown, ptr: string, isDefault: boolean): SecurityRule {
  const p = props(wire);
  return {
    name: str(obj(wire).name) ?? "(unnamed)",
    ptr,
    priority: num(p.priority) ?? Number.MAX_SAFE_INTEGER,
    direction: normDirection(p.direction),
    access: normAccess(p.access),
    protocol: str(p.protocol) ?? "*",
    sourcePrefixes: singularPlural(p, "sourceAddressPrefix", "sourceAddressPrefixes"),
    destinationPrefixes: singularPlural(p, "destinationAddressPrefix", "destinationAddressPrefixes"),
    sourcePorts: singularPlural(p, "sourcePortRange", "sourcePortRanges"),
    destinationPorts: singularPlural(p, "destinationPortRange", "destinationPortRanges"),
    sourceAsgKeys: arr(p.sourceApplicationSecurityGroups)
      .map(refId)
      .filter((x): x is string => !!x)
      .map(idKey),
    destinationAsgKeys: arr(p.destinationApplicationSecurityGroups)
      .map(refId)
      .filter((x): x is string => !!x)
      .map(idKey),
    isDefault,
  };
}

/** Reads one rule of an effective-NSG body (flat, no `properties`). */
export function readEffectiveRule(wire: unknown, ptr: string): SecurityRule {
  const r = obj(wire);
  const fullName = str(r.name) ?? "(unnamed)";
  const isDefault = fullName.toLowerCase().startsWith("defaultsecurityrules/");
  const name = fullName.includes("/") ? fullName.slice(fullName.indexOf("/") + 1) : fullName;
  const expandedSource = strList(r.expandedSourceAddressPrefix);
  const expandedDestination = strList(r.expandedDestinationAddressPrefix);
  const rule: SecurityRule = {
    name,
    ptr,
    priority: num(r.priority) ?? Number.MAX_SAFE_INTEGER,
    direction: normDirection(r.direction),
    access: normAccess(r.access),
    protocol: str(r.protocol) ?? "All",
    sourcePrefixes: singularPlural(r, "sourceAddressPrefix", "sourceAddressPrefixes"),
    destinationPrefixes: singularPlural(r, "destinationAddressPrefix", "destinationAddressPrefixes"),
    sourcePorts: singularPlural(r, "sourcePortRange", "sourcePortRanges"),
    destinationPorts: singularPlural(r, "destinationPortRange", "destinationPortRanges"),
    sourceAsgKeys: [],
    destinationAsgKeys: [],
    isDefault,
  };
  if (expandedSource.length > 0) rule.expandedSource = expandedSource;
  if (expandedDestination.length > 0) rule.expandedDestination = expandedDestination;
  return rule;
}

function buildNsg(r: ArmResource, ptr: string): Nsg {
  const p = obj(r.properties);
  const rules: SecurityRule[] = arr(p.securityRules).map((w, i) => readSecurityRule(w, join(ptr, "properties", "securityRules", i), false));
  const defaults = arr(p.defaultSecurityRules).map((w, i) => readSecurityRule(w, join(ptr, "properties", "defaultSecurityRules", i), true));
  // The documented defaults always apply, even when a hand-built snapshot omits them.
  for (const d of DEFAULT_RULES) {
    if (!defaults.some((x) => x.name.toLowerCase() === d.name.toLowerCase())) {
      defaults.push({ ...d, ptr: join(ptr, "properties", "defaultSecurityRules"), synthesized: true });
    }
  }
  const all = [...rules, ...defaults].sort((a, b) => a.priority - b.priority);
  return {
    id: r.id,
    key: idKey(r.id),
    name: r.name,
    ptr,
    raw: r,
    resourceGroup: undefined,
    rules: all,
  };
}

// ---------------------------------------------------------------------------

function powerStateOf(instanceView: Obj): PowerState | undefined {
  const statuses = arr(instanceView.statuses);
  if (statuses.length === 0 && Object.keys(instanceView).length === 0) return undefined;
  for (const s of statuses) {
    const code = str(obj(s).code);
    if (code?.toLowerCase().startsWith("powerstate/")) {
      const state = code.slice("powerstate/".length).toLowerCase();
      const known: PowerState[] = ["running", "deallocated", "stopped", "starting", "stopping", "deallocating"];
      return (known as string[]).includes(state) ? (state as PowerState) : "unknown";
    }
  }
  return undefined;
}

function powerStatePtr(instanceView: Obj, base: string): string | undefined {
  const statuses = arr(instanceView.statuses);
  const i = statuses.findIndex((s) => str(obj(s).code)?.toLowerCase().startsWith("powerstate/"));
  return i >= 0 ? join(base, "statuses", i, "code") : undefined;
}

/** Builds the model. Never throws on content: what it cannot resolve becomes a gap. */
export function buildAzureModel(snapshot: AzureSnapshot, context: ModelContext = { from: [] }): AzureModel {
  const gaps: ModelGap[] = (snapshot.gaps ?? []).map((g) => ({ ...g, kind: "collection" as const }));
  const resource = new Map<string, { raw: ArmResource; ptr: string }>();
  snapshot.resources.forEach((r, i) => {
    const key = idKey(r.id);
    if (resource.has(key)) {
      gaps.push({
        kind: "collection",
        operation: "snapshot",
        resourceId: r.id,
        message: `the snapshot holds ${r.id} more than once; the last copy (resources[${i}]) is used`,
      });
    }
    resource.set(key, { raw: r, ptr: pointer("resources", i) });
  });

  const recordDangling = danglingRecorder(gaps);
  const noteDangling = (targetId: string, fromId: string, what: string) => recordDangling(targetId, fromId, nameOf(fromId), what);

  const nsg = new Map<string, Nsg>();
  const routeTable = new Map<string, RouteTable>();
  const vnet = new Map<string, Vnet>();
  const subnet = new Map<string, Subnet>();
  const publicIp = new Map<string, PublicIp>();
  const nic = new Map<string, Nic>();
  const ipConfig = new Map<string, IpConfig>();
  const vm = new Map<string, Vm>();
  const availabilitySet = new Map<string, AvailabilitySet>();
  const vmss = new Map<string, Vmss>();
  const pool = new Map<string, Pool>();
  const lbs: LoadBalancer[] = [];

  const rg = (id: string) => {
    const parts = id.split("/");
    const i = parts.findIndex((p) => p.toLowerCase() === "resourcegroups");
    return i >= 0 ? parts[i + 1] : undefined;
  };

  // pass 1: leaf resources
  for (const [key, { raw: r, ptr }] of resource) {
    if (typeIs(r, "Microsoft.Network/networkSecurityGroups")) {
      const n = buildNsg(r, ptr);
      n.resourceGroup = rg(r.id);
      nsg.set(key, n);
    } else if (typeIs(r, "Microsoft.Network/routeTables")) {
      const p = obj(r.properties);
      routeTable.set(key, {
        id: r.id,
        key,
        name: r.name,
        ptr,
        raw: r,
        routes: arr(p.routes).map((w, i) => {
          const rp = props(w);
          const entry: RouteEntry = {
            name: str(obj(w).name) ?? `route-${i}`,
            ptr: join(ptr, "properties", "routes", i),
            addressPrefix: str(rp.addressPrefix) ?? "",
            nextHopType: str(rp.nextHopType) ?? "",
          };
          const hop = str(rp.nextHopIpAddress);
          if (hop) entry.nextHopIpAddress = hop;
          return entry;
        }),
      });
    } else if (typeIs(r, "Microsoft.Network/publicIPAddresses")) {
      const p = obj(r.properties);
      const pip: PublicIp = { id: r.id, key, name: r.name, ptr, raw: r, sku: r.sku?.name };
      const addr = str(p.ipAddress);
      if (addr) pip.ipAddress = addr;
      const alloc = str(p.publicIPAllocationMethod);
      if (alloc) pip.allocation = alloc;
      publicIp.set(key, pip);
    } else if (typeIs(r, "Microsoft.Compute/availabilitySets")) {
      availabilitySet.set(key, {
        id: r.id,
        key,
        name: r.name,
        ptr,
        raw: r,
        vmKeys: arr(obj(r.properties).virtualMachines)
          .map(refId)
          .filter((x): x is string => !!x)
          .map(idKey),
      });
    } else if (typeIs(r, "Microsoft.Compute/virtualMachineScaleSets")) {
      vmss.set(key, { id: r.id, key, name: r.name, ptr, raw: r, instances: [] });
    }
  }

  // VNets and their subnets (subnets may also arrive as standalone resources)
  for (const [key, { raw: r, ptr }] of resource) {
    if (!typeIs(r, "Microsoft.Network/virtualNetworks")) continue;
    const p = obj(r.properties);
    const v: Vnet = {
      id: r.id,
      key,
      name: r.name,
      ptr,
      raw: r,
      addressSpace: strList(obj(p.addressSpace).addressPrefixes),
      peeredSpace: arr(p.virtualNetworkPeerings).flatMap((peer) => strList(obj(props(peer).remoteAddressSpace).addressPrefixes)),
      subnets: [],
    };
    vnet.set(key, v);
    arr(p.subnets).forEach((w, i) => {
      const id = str(obj(w).id);
      if (!id) return;
      const s = readSubnet(w, join(ptr, "properties", "subnets", i), v);
      subnet.set(s.key, s);
      v.subnets.push(s);
    });
  }
  for (const [key, { raw: r, ptr }] of resource) {
    if (!typeIs(r, "Microsoft.Network/virtualNetworks/subnets") || subnet.has(key)) continue;
    const parent = vnet.get(idKey(parentResourceId(r.id)));
    const s = readSubnet(r, ptr, parent);
    subnet.set(key, s);
    parent?.subnets.push(s);
  }
  for (const s of subnet.values()) {
    if (s.nsgId) {
      s.nsg = nsg.get(idKey(s.nsgId));
      if (!s.nsg) noteDangling(s.nsgId, s.id, "network security group");
    }
    if (s.routeTableId) {
      s.routeTable = routeTable.get(idKey(s.routeTableId));
      if (!s.routeTable) noteDangling(s.routeTableId, s.id, "route table");
    }
  }

  /** An ip configuration or a frontend: its private IP, subnet and public IP, resolved (or noted as dangling). */
  const resolveAddress = (
    target: { privateIp?: string; subnetId?: string; subnet?: Subnet; publicIpId?: string; publicIp?: PublicIp },
    p: Obj,
    fromId: string,
  ) => {
    const ip = str(p.privateIPAddress);
    if (ip) target.privateIp = ip;
    const subnetId = refId(p.subnet);
    if (subnetId) {
      target.subnetId = subnetId;
      const s = subnet.get(idKey(subnetId));
      if (s) target.subnet = s;
      else noteDangling(subnetId, fromId, "subnet");
    }
    const pipId = refId(p.publicIPAddress);
    if (pipId) {
      target.publicIpId = pipId;
      const pip = publicIp.get(idKey(pipId));
      if (pip) target.publicIp = pip;
      else noteDangling(pipId, fromId, "public IP address");
    }
  };

  // NICs and ipconfigs
  for (const [key, { raw: r, ptr }] of resource) {
    if (!typeIs(r, "Microsoft.Network/networkInterfaces")) continue;
    const p = obj(r.properties);
    const n: Nic = {
      id: r.id,
      key,
      name: r.name,
      ptr,
      raw: r,
      resourceGroup: rg(r.id),
      enableIPForwarding: p.enableIPForwarding === true,
      ipConfigs: [],
    };
    const nsgId = refId(p.networkSecurityGroup);
    if (nsgId) {
      n.nsgId = nsgId;
      n.nsg = nsg.get(idKey(nsgId));
      if (!n.nsg) noteDangling(nsgId, r.id, "network security group");
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
        poolKeys: arr(cp.loadBalancerBackendAddressPools)
          .map(refId)
          .filter((x): x is string => !!x)
          .map(idKey),
        natRuleKeys: arr(cp.loadBalancerInboundNatRules)
          .map(refId)
          .filter((x): x is string => !!x)
          .map(idKey),
        asgKeys: arr(cp.applicationSecurityGroups)
          .map(refId)
          .filter((x): x is string => !!x)
          .map(idKey),
      };
      resolveAddress(c, cp, r.id);
      n.ipConfigs.push(c);
      ipConfig.set(c.key, c);
    });
    nic.set(key, n);
  }

  // VMs and VMSS instances
  for (const [key, { raw: r, ptr }] of resource) {
    const isVm = typeIs(r, "Microsoft.Compute/virtualMachines");
    const isInstance = typeIs(r, "Microsoft.Compute/virtualMachineScaleSets/virtualMachines");
    if (!isVm && !isInstance) continue;
    const p = obj(r.properties);
    const iv = obj(p.instanceView);
    const v: Vm = {
      id: r.id,
      key,
      name: r.name,
      ptr,
      raw: r,
      kind: isVm ? "vm" : "vmss-instance",
      resourceGroup: rg(r.id),
      powerState: powerStateOf(iv),
      zones: strList(r.zones),
      nicIds: arr(obj(p.networkProfile).networkInterfaces)
        .map(refId)
        .filter((x): x is string => !!x),
      nics: [],
    };
    const psPtr = powerStatePtr(iv, join(ptr, "properties", "instanceView"));
    if (psPtr) v.powerStatePtr = psPtr;
    const asId = refId(p.availabilitySet);
    if (asId) v.availabilitySetId = asId;
    if (isInstance) {
      v.vmssId = parentResourceId(r.id);
      vmss.get(idKey(v.vmssId))?.instances.push(v);
    }
    for (const nicId of v.nicIds) {
      const n = nic.get(idKey(nicId));
      if (n) {
        v.nics.push(n);
        n.vm = v;
      } else noteDangling(nicId, r.id, "network interface");
    }
    vm.set(key, v);
  }
  for (const n of nic.values()) {
    if (n.vmId && !n.vm) {
      const v = vm.get(idKey(n.vmId));
      if (v) {
        n.vm = v;
        v.nics.push(n);
      } else noteDangling(n.vmId, n.id, "virtual machine");
    }
  }
  // VMs that name an availability set join its list (one pass over the VMs, not sets × VMs)
  const setVmKeys = new Map<string, Set<string>>();
  for (const v of vm.values()) {
    if (!v.availabilitySetId) continue;
    const s = availabilitySet.get(idKey(v.availabilitySetId));
    if (!s) continue;
    let known = setVmKeys.get(s.key);
    if (!known) setVmKeys.set(s.key, (known = new Set(s.vmKeys)));
    if (!known.has(v.key)) {
      known.add(v.key);
      s.vmKeys.push(v.key);
    }
  }

  // ip configurations indexed by the pools and NAT rules they name and by private IP, so that the
  // load balancers below resolve membership with lookups instead of scanning every ip configuration
  const ipcsByPool = new Map<string, IpConfig[]>();
  const ipcsByIp = new Map<string, IpConfig[]>();
  const ipcByNatRule = new Map<string, IpConfig>();
  for (const c of ipConfig.values()) {
    for (const pk of new Set(c.poolKeys)) {
      const list = ipcsByPool.get(pk);
      if (list) list.push(c);
      else ipcsByPool.set(pk, [c]);
    }
    if (c.privateIp) {
      const list = ipcsByIp.get(c.privateIp);
      if (list) list.push(c);
      else ipcsByIp.set(c.privateIp, [c]);
    }
    for (const nk of c.natRuleKeys) ipcByNatRule.set(nk, c); // the last one wins, as a scan would
  }

  // Load balancers
  for (const [key, { raw: r, ptr }] of resource) {
    if (!typeIs(r, "Microsoft.Network/loadBalancers")) continue;
    const p = obj(r.properties);
    const lb: LoadBalancer = {
      id: r.id,
      key,
      name: r.name,
      ptr,
      raw: r,
      resourceGroup: rg(r.id),
      sku: r.sku?.name ?? "Basic",
      isInternal: false,
      frontends: [],
      pools: [],
      rules: [],
      probes: [],
      natRules: [],
    };
    arr(p.frontendIPConfigurations).forEach((w, i) => {
      const fp = props(w);
      const id = str(obj(w).id) ?? `${r.id}/frontendIPConfigurations/${i}`;
      const f: Frontend = {
        id,
        key: idKey(id),
        name: str(obj(w).name) ?? nameOf(id),
        ptr: join(ptr, "properties", "frontendIPConfigurations", i),
        lb,
        zones: strList(obj(w).zones),
      };
      resolveAddress(f, fp, r.id);
      lb.frontends.push(f);
    });
    lb.isInternal = lb.frontends.length > 0 && lb.frontends.every((f) => !f.publicIpId);

    arr(p.backendAddressPools).forEach((w, i) => {
      const bp = props(w);
      const pptr = join(ptr, "properties", "backendAddressPools", i);
      const id = str(obj(w).id) ?? `${r.id}/backendAddressPools/${i}`;
      const pl: Pool = { id, key: idKey(id), name: str(obj(w).name) ?? nameOf(id), ptr: pptr, lb, members: [] };
      const seen = new Set<string>();
      arr(bp.backendIPConfigurations).forEach((m, j) => {
        const mid = refId(m);
        if (!mid || seen.has(idKey(mid))) return;
        seen.add(idKey(mid));
        const c = ipConfig.get(idKey(mid));
        const member: PoolMember = {
          kind: "ipconfig",
          id: mid,
          key: idKey(mid),
          ptr: join(pptr, "properties", "backendIPConfigurations", j),
        };
        if (c) {
          member.ipConfig = c;
          member.nic = c.nic;
          if (c.nic.vm) member.vm = c.nic.vm;
          if (c.privateIp) member.ip = c.privateIp;
        } else noteDangling(parentResourceId(mid), r.id, "network interface");
        pl.members.push(member);
      });
      arr(bp.loadBalancerBackendAddresses).forEach((m, j) => {
        const mp = props(m);
        const ipcId = refId(mp.networkInterfaceIPConfiguration);
        if (ipcId && seen.has(idKey(ipcId))) return;
        const ip = str(mp.ipAddress);
        const name = str(obj(m).name) ?? ip ?? String(j);
        const member: PoolMember = {
          kind: "ip",
          id: `${id}/loadBalancerBackendAddresses/${name}`,
          key: idKey(`${id}/loadBalancerBackendAddresses/${name}`),
          ptr: join(pptr, "properties", "loadBalancerBackendAddresses", j),
        };
        if (ip) member.ip = ip;
        const vnetId = refId(mp.virtualNetwork);
        if (vnetId) member.vnetId = vnetId;
        const c = ipcId ? ipConfig.get(idKey(ipcId)) : undefined;
        if (c) {
          member.ipConfig = c;
          member.nic = c.nic;
          if (c.nic.vm) member.vm = c.nic.vm;
        }
        if (!c && ip) {
          // an IP-based member: match it to a NIC in the snapshot when one holds that address
          for (const cand of ipcsByIp.get(ip) ?? []) {
            if (!vnetId || (cand.subnet && cand.subnet.vnetKey === idKey(vnetId))) {
              member.ipConfig = cand;
              member.nic = cand.nic;
              if (cand.nic.vm) member.vm = cand.nic.vm;
              break;
            }
          }
        }
        pl.members.push(member);
      });
      // NICs can claim membership from their side only (the pool's list is read-only and may lag)
      const claimed = new Set<IpConfig>();
      for (const m of pl.members) if (m.ipConfig) claimed.add(m.ipConfig);
      for (const c of ipcsByPool.get(pl.key) ?? []) {
        if (!seen.has(c.key) && !claimed.has(c)) {
          seen.add(c.key);
          const member: PoolMember = {
            kind: "ipconfig",
            id: c.id,
            key: c.key,
            ptr: join(c.ptr, "properties", "loadBalancerBackendAddressPools"),
            ipConfig: c,
            nic: c.nic,
          };
          if (c.nic.vm) member.vm = c.nic.vm;
          if (c.privateIp) member.ip = c.privateIp;
          pl.members.push(member);
        }
      }
      lb.pools.push(pl);
      pool.set(pl.key, pl);
    });

    arr(p.probes).forEach((w, i) => {
      const pp = props(w);
      const id = str(obj(w).id) ?? `${r.id}/probes/${i}`;
      const pr: Probe = {
        id,
        key: idKey(id),
        name: str(obj(w).name) ?? nameOf(id),
        ptr: join(ptr, "properties", "probes", i),
        lb,
        protocol: str(pp.protocol) ?? "Tcp",
        port: num(pp.port) ?? 0,
        rules: [],
      };
      const path = str(pp.requestPath);
      if (path) pr.requestPath = path;
      lb.probes.push(pr);
    });

    arr(p.loadBalancingRules).forEach((w, i) => {
      const rp = props(w);
      const id = str(obj(w).id) ?? `${r.id}/loadBalancingRules/${i}`;
      const rule: LbRule = {
        id,
        key: idKey(id),
        name: str(obj(w).name) ?? nameOf(id),
        ptr: join(ptr, "properties", "loadBalancingRules", i),
        lb,
        raw: obj(w),
        protocol: str(rp.protocol) ?? "Tcp",
        frontendPort: num(rp.frontendPort) ?? 0,
        backendPort: num(rp.backendPort) ?? num(rp.frontendPort) ?? 0,
        loadDistribution: str(rp.loadDistribution) ?? "Default",
        enableFloatingIP: rp.enableFloatingIP === true,
      };
      const fid = refId(rp.frontendIPConfiguration);
      if (fid) {
        rule.frontendId = fid;
        rule.frontend = lb.frontends.find((f) => f.key === idKey(fid));
      }
      const poolId =
        refId(rp.backendAddressPool) ??
        arr(rp.backendAddressPools)
          .map(refId)
          .find((x) => !!x);
      if (poolId) {
        rule.poolId = poolId;
        rule.pool = lb.pools.find((x) => x.key === idKey(poolId));
        if (!rule.pool) noteDangling(poolId, r.id, "backend pool");
      }
      const probeId = refId(rp.probe);
      if (probeId) {
        rule.probeId = probeId;
        rule.probe = lb.probes.find((x) => x.key === idKey(probeId));
        rule.probe?.rules.push(rule);
        if (!rule.probe) noteDangling(probeId, r.id, "health probe");
      }
      lb.rules.push(rule);
    });

    arr(p.inboundNatRules).forEach((w, i) => {
      const np = props(w);
      const id = str(obj(w).id) ?? `${r.id}/inboundNatRules/${i}`;
      const nr: NatRule = {
        id,
        key: idKey(id),
        name: str(obj(w).name) ?? nameOf(id),
        ptr: join(ptr, "properties", "inboundNatRules", i),
        lb,
        protocol: str(np.protocol) ?? "Tcp",
        backendPort: num(np.backendPort) ?? 0,
      };
      const fp = num(np.frontendPort);
      if (fp !== undefined && fp > 0) nr.frontendPort = fp;
      const fs = num(np.frontendPortRangeStart);
      const fe = num(np.frontendPortRangeEnd);
      if (fs !== undefined) nr.frontendPortRangeStart = fs;
      if (fe !== undefined) nr.frontendPortRangeEnd = fe;
      const fid = refId(np.frontendIPConfiguration);
      if (fid) {
        nr.frontendId = fid;
        nr.frontend = lb.frontends.find((f) => f.key === idKey(fid));
      }
      let bid = refId(np.backendIPConfiguration);
      if (!bid) bid = ipcByNatRule.get(nr.key)?.id;
      if (bid) {
        nr.backendIpConfigId = bid;
        nr.backendIpConfig = ipConfig.get(idKey(bid));
      }
      lb.natRules.push(nr);
    });
    lbs.push(lb);
  }

  // observations
  const obs = snapshot.observations ?? {};
  const ruleHealth = new Map<string, { ptr: string; body: RuleHealthBody }>();
  for (const [k, body] of Object.entries(obs.ruleHealth ?? {})) {
    ruleHealth.set(idKey(k), { ptr: pointer("observations", "ruleHealth", k), body });
  }
  const effectiveNsgs = new Map<string, EffectiveNsgObservation>();
  for (const [k, body] of Object.entries(obs.effectiveNetworkSecurityGroups ?? {})) {
    effectiveNsgs.set(idKey(k), { key: idKey(k), ptr: pointer("observations", "effectiveNetworkSecurityGroups", k), body });
  }
  const guest = new Map<string, { ptr: string; body: GuestObservation }>();
  for (const [k, body] of Object.entries(obs.guest ?? {})) {
    guest.set(idKey(k), { ptr: pointer("observations", "guest", k), body });
  }

  const byName = <T extends { name: string }>(xs: Iterable<T>) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
  return {
    provider: "azure",
    snapshot,
    context,
    loadBalancers: byName(lbs),
    nics: byName(nic.values()),
    vms: byName(vm.values()),
    nsgs: byName(nsg.values()),
    vnets: byName(vnet.values()),
    subnets: byName(subnet.values()),
    routeTables: byName(routeTable.values()),
    publicIps: byName(publicIp.values()),
    availabilitySets: byName(availabilitySet.values()),
    vmss: byName(vmss.values()),
    gaps,
    byKey: { resource, nic, ipConfig, vm, nsg, subnet, vnet, routeTable, publicIp, pool, availabilitySet, vmss },
    observations: { ruleHealth, effectiveNsgs, guest },
  };
}

function readSubnet(w: unknown, ptr: string, parent: Vnet | undefined): Subnet {
  const id = str(obj(w).id) ?? "";
  const p = props(w);
  const prefixes = strList(p.addressPrefixes);
  const one = str(p.addressPrefix);
  if (one && !prefixes.includes(one)) prefixes.unshift(one);
  const s: Subnet = {
    id,
    key: idKey(id),
    name: str(obj(w).name) ?? nameOf(id),
    ptr,
    vnetKey: parent?.key ?? idKey(parentResourceId(id)),
    prefixes,
  };
  if (parent) s.vnet = parent;
  const nsgId = refId(p.networkSecurityGroup);
  if (nsgId) s.nsgId = nsgId;
  const rtId = refId(p.routeTable);
  if (rtId) s.routeTableId = rtId;
  return s;
}

// ---------------------------------------------------------------------------
// queries rules share

/** Collection gaps and dangling references that concern any of the given ids (or their parents). */
export function gapsFor(model: AzureModel, ids: Array<string | undefined>): ModelGap[] {
  const keys = new Set(ids.filter((x): x is string => !!x).map(idKey));
  for (const k of [...keys]) keys.add(idKey(parentResourceId(k)));
  return model.gaps.filter((g) => g.resourceId !== undefined && keys.has(idKey(g.resourceId)));
}

/** Collection gaps whose operation name contains the fragment (e.g. a whole list that failed, reported on its resource group). */
export function listGaps(model: AzureModel, operationFragment: string): ModelGap[] {
  const f = operationFragment.toLowerCase();
  return model.gaps.filter((g) => g.kind === "collection" && g.operation.toLowerCase().includes(f));
}

/** The member's VNet address space (own plus peered), when known. */
export function vnetSpaceOf(c: IpConfig | undefined): string[] | undefined {
  const v = c?.subnet?.vnet;
  if (!v) return undefined;
  return [...v.addressSpace, ...v.peeredSpace];
}

export function lbFrontendIp(f: Frontend | undefined): string | undefined {
  if (!f) return undefined;
  return f.publicIp?.ipAddress ?? f.privateIp;
}
