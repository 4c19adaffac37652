/** Load balancers: frontends, backend pools and their members, probes, load-balancing rules and inbound NAT rules. */
import { join } from "../../../core/util/json-pointer.ts";
import { arr, type Obj, obj, str, strList } from "../../../core/util/wire.ts";
import { aksLoadBalancer, aksRule } from "../aks.ts";
import { idKey, nameOf, parentResourceId } from "../arm-id.ts";
import type { ArmResource } from "../wire-types.ts";
import { resolveAddress } from "./network.ts";
import { num, props, refId, resourceGroupOf, typeIs } from "./read.ts";
import type { AzureBuild } from "./state.ts";
import type { Frontend, IpConfig, LbRule, LoadBalancer, ModelGap, NatRule, Nic, OutboundRule, Pool, PoolMember, Probe } from "./types.ts";

/**
 * ip configurations indexed by the pools and NAT rules they name and by private IP, so that the
 * load balancers resolve membership with lookups instead of scanning every ip configuration
 */
interface IpConfigIndex {
  byPool: Map<string, IpConfig[]>;
  byIp: Map<string, IpConfig[]>;
  byNatRule: Map<string, IpConfig>;
}

function indexIpConfigs(b: AzureBuild): IpConfigIndex {
  const byPool = new Map<string, IpConfig[]>();
  const byIp = new Map<string, IpConfig[]>();
  const byNatRule = new Map<string, IpConfig>();
  for (const c of b.ipConfig.values()) {
    for (const pk of new Set(c.poolKeys)) {
      const list = byPool.get(pk);
      if (list) list.push(c);
      else byPool.set(pk, [c]);
    }
    if (c.privateIp) {
      const list = byIp.get(c.privateIp);
      if (list) list.push(c);
      else byIp.set(c.privateIp, [c]);
    }
    for (const nk of c.natRuleKeys) byNatRule.set(nk, c); // the last one wins, as a scan would
  }
  return { byPool, byIp, byNatRule };
}

export function buildLoadBalancers(b: AzureBuild): void {
  const index = indexIpConfigs(b);
  const natRuleKeys = new Set<string>();
  for (const [key, { raw: r, ptr }] of b.resource) {
    if (!typeIs(r, "Microsoft.Network/loadBalancers")) continue;
    const p = obj(r.properties);
    const lb: LoadBalancer = {
      id: r.id,
      key,
      name: r.name,
      ptr,
      raw: r,
      resourceGroup: resourceGroupOf(r.id),
      sku: r.sku?.name ?? "Basic",
      tier: r.sku?.tier ?? "Regional",
      isInternal: false,
      frontends: [],
      pools: [],
      rules: [],
      probes: [],
      natRules: [],
      outboundRules: [],
    };
    readFrontends(b, lb, r, p);
    lb.isInternal = lb.frontends.length > 0 && lb.frontends.every((f) => !f.publicIpId);
    const missingNics: MissingNics = new Map();
    arr(p.backendAddressPools).forEach((w, i) => {
      const pl = readPool(b, index, lb, r, w, i, missingNics);
      lb.pools.push(pl);
      b.pool.set(pl.key, pl);
    });
    noteMissingNics(b, lb, missingNics);
    readProbes(lb, r, p);
    readRules(b, lb, r, p);
    readNatRules(b, index, lb, r, p);
    for (const nr of lb.natRules) natRuleKeys.add(nr.key);
    readOutboundRules(lb, r, p);
    const k8s = aksLoadBalancer(lb);
    if (k8s) {
      lb.kubernetes = k8s;
      for (const rule of lb.rules) {
        const kr = aksRule(rule, k8s);
        if (kr) rule.kubernetes = kr;
      }
    }
    b.lbs.push(lb);
  }
  // frontends chained to a Gateway load balancer: resolved once every load balancer is read
  const frontends = new Map<string, Frontend>();
  for (const lb of b.lbs) for (const f of lb.frontends) frontends.set(f.key, f);
  for (const lb of b.lbs) {
    for (const f of lb.frontends) {
      if (!f.gatewayLoadBalancerId) continue;
      const g = frontends.get(idKey(f.gatewayLoadBalancerId));
      if (g) f.gatewayFrontend = g;
      else b.noteDangling(parentResourceId(f.gatewayLoadBalancerId), lb.id, "gateway load balancer");
    }
    // a Global-tier member is a regional load balancer's frontend
    for (const pool of lb.pools) {
      for (const m of pool.members) {
        if (!m.frontendId) continue;
        const f = frontends.get(idKey(m.frontendId));
        if (f) m.frontend = f;
        else b.noteDangling(m.frontendId, lb.id, "regional load balancer frontend");
      }
    }
  }
  noteNicTargets(b, natRuleKeys);
}

/** A pool or inbound NAT rule id split at its load balancer: the load balancer's id, or undefined for an id of another shape. */
const LB_CHILD = /^(.*?\/providers\/microsoft\.network\/loadbalancers\/[^/]+)\/(?:backendaddresspools|inboundnatrules)\/[^/]+$/i;

/** The ip configuration's reference (as the snapshot spells it) whose key is `k`, in the list `field`; the key when none matches. */
export function spelledRef(c: IpConfig, field: "loadBalancerBackendAddressPools" | "loadBalancerInboundNatRules", k: string): string {
  const i = Number(c.ptr.slice(c.ptr.lastIndexOf("/") + 1));
  const w = arr(obj(c.nic.raw.properties).ipConfigurations)[i];
  return (
    arr(props(w)[field])
      .map(refId)
      .find((id) => id !== undefined && idKey(id) === k) ?? k
  );
}

/**
 * The backend pools and inbound NAT rules the NICs' ip configurations name that the model does not hold. One of a
 * load balancer the snapshot holds is a dangling reference. A load balancer the snapshot lacks (one in a resource
 * group that was not collected) is one collection gap on that load balancer, covering what a failed read of it would
 * (no dangling reference per NIC besides: the gap names the load balancer, how many NICs name it, and the first
 * reference). A lookup per reference.
 */
function noteNicTargets(b: AzureBuild, natRuleKeys: Set<string>): void {
  const lbs = new Set(b.lbs.map((lb) => lb.key));
  const missing = new Map<string, MissingLb>();
  // each reference's load balancer (a key; "" for an id of another shape), worked out once per reference key: the
  // NICs of a large scope name the same few pools
  const lbOf = new Map<string, string>();
  const note = (c: IpConfig, k: string, field: "loadBalancerBackendAddressPools" | "loadBalancerInboundNatRules", what: string) => {
    let lbKey = lbOf.get(k);
    if (lbKey === undefined) {
      const at = LB_CHILD.exec(k)?.[1];
      lbOf.set(k, (lbKey = at === undefined ? "" : idKey(at)));
    }
    if (lbKey === "" || lbs.has(lbKey)) {
      b.noteDangling(spelledRef(c, field, k), c.nic.id, what);
      return;
    }
    let m = missing.get(lbKey);
    if (!m) {
      // the load balancer's id as the first reference spells it
      const id = LB_CHILD.exec(spelledRef(c, field, k))?.[1] ?? lbKey;
      missing.set(lbKey, (m = { id, nics: new Set(), kinds: new Set(), ptr: join(c.ptr, "properties", field), fromId: c.nic.id }));
    }
    m.nics.add(c.nic);
    m.kinds.add(what);
  };
  for (const c of b.ipConfig.values()) {
    for (const k of c.poolKeys) if (!b.pool.has(k)) note(c, k, "loadBalancerBackendAddressPools", "backend pool");
    for (const k of c.natRuleKeys) if (!natRuleKeys.has(k)) note(c, k, "loadBalancerInboundNatRules", "inbound NAT rule");
  }
  if (missing.size === 0) return;
  const held = heldByLoadBalancers(b.lbs);
  for (const [lbKey, m] of missing) b.gaps.push(missingLbGap(lbKey, m, held));
}

/** The NICs and VMs (keys) that a load balancer of the snapshot holds: a member of one of its pools, or the backend of one of its inbound NAT rules. */
function heldByLoadBalancers(lbs: LoadBalancer[]): Set<string> {
  const held = new Set<string>();
  const hold = (nic: Nic | undefined, vm: { key: string } | undefined) => {
    if (nic) held.add(nic.key);
    if (vm) held.add(vm.key);
  };
  for (const lb of lbs) {
    for (const pool of lb.pools) for (const m of pool.members) hold(m.nic, m.vm);
    for (const nr of lb.natRules) hold(nr.backendIpConfig?.nic, nr.backendIpConfig?.nic.vm);
  }
  return held;
}

/** A load balancer the snapshot lacks, as the NICs that name it see it. */
interface MissingLb {
  id: string;
  /** the NICs whose ip configurations name it, in model order */
  nics: Set<Nic>;
  /** what they name: "backend pool", "inbound NAT rule" */
  kinds: Set<string>;
  /** the first reference: its list in the snapshot, and its NIC */
  ptr: string;
  fromId: string;
}

/**
 * The collection gap of a load balancer the snapshot lacks: it covers what a failed read of the load balancer would
 * (its data and its rules' health). It affects the load balancer, and those of the NICs that name it (and their VMs)
 * that no load balancer of the snapshot holds: what a rule says of a NIC or VM in a pool of a load balancer that is
 * there stands on that load balancer's own data, and keeps its verdict. What a rule says of the whole scope is
 * affected by any gap (the engine's `applyGaps`), so "nothing in scope" becomes unknown too.
 */
function missingLbGap(lbKey: string, m: MissingLb, held: Set<string>): ModelGap {
  const affects = new Set([lbKey]);
  const names: string[] = [];
  for (const n of m.nics) {
    if (names.length < 3) names.push(n.name);
    if (held.has(n.key)) continue;
    affects.add(n.key);
    if (n.vm && !held.has(n.vm.key)) affects.add(n.vm.key);
  }
  const count = m.nics.size;
  const who = count === 1 ? `NIC ${names[0]} names` : `${count} NICs (${names.join(", ")}${count > names.length ? ", …" : ""}) name`;
  const what = [...m.kinds].map((k) => `${k}s`).join(" and ");
  const rg = resourceGroupOf(m.id);
  return {
    kind: "collection",
    operation: "resolve",
    resourceId: m.id,
    resourceName: nameOf(m.id),
    referencedFrom: m.fromId,
    pointer: m.ptr,
    message:
      `load balancer ${nameOf(m.id)}${rg ? ` (resource group ${rg})` : ""} is not in the snapshot, yet ${who} its ${what}; ` +
      `what it does for ${count === 1 ? "that NIC" : "them"} is not known`,
    covers: ["azure:loadBalancers", "azure:ruleHealth"],
    affects: [...affects],
  };
}

function readOutboundRules(lb: LoadBalancer, r: ArmResource, p: Obj): void {
  arr(p.outboundRules).forEach((w, i) => {
    const op = props(w);
    const id = str(obj(w).id) ?? `${r.id}/outboundRules/${i}`;
    const o: OutboundRule = {
      id,
      key: idKey(id),
      name: str(obj(w).name) ?? nameOf(id),
      ptr: join(lb.ptr, "properties", "outboundRules", i),
      lb,
      frontendIds: arr(op.frontendIPConfigurations)
        .map(refId)
        .filter((x): x is string => !!x),
      protocol: str(op.protocol) ?? "All",
    };
    const poolId = refId(op.backendAddressPool);
    if (poolId) {
      o.poolId = poolId;
      const pl = lb.pools.find((x) => x.key === idKey(poolId));
      if (pl) o.pool = pl;
    }
    lb.outboundRules.push(o);
  });
}

function readFrontends(b: AzureBuild, lb: LoadBalancer, r: ArmResource, p: Obj): void {
  arr(p.frontendIPConfigurations).forEach((w, i) => {
    const fp = props(w);
    const id = str(obj(w).id) ?? `${r.id}/frontendIPConfigurations/${i}`;
    const f: Frontend = {
      id,
      key: idKey(id),
      name: str(obj(w).name) ?? nameOf(id),
      ptr: join(lb.ptr, "properties", "frontendIPConfigurations", i),
      lb,
      zones: strList(obj(w).zones),
    };
    resolveAddress(b, f, fp, r.id);
    const gw = refId(fp.gatewayLoadBalancer);
    if (gw) f.gatewayLoadBalancerId = gw;
    lb.frontends.push(f);
  });
}

/** Points a member at an ip configuration, its NIC and VM. */
function attach(member: PoolMember, c: IpConfig): void {
  member.ipConfig = c;
  member.nic = c.nic;
  if (c.nic.vm) member.vm = c.nic.vm;
}

/** The NICs a load balancer's pools list that the snapshot lacks: by key, the id as the first member spells it and that pool's member list. */
type MissingNics = Map<string, { id: string; ptr: string }>;

/** How many missing NICs a grouped gap names (the rest are counted). */
const NAMED_NICS = 3;

/**
 * The NICs a load balancer's pools list that the snapshot lacks. One is a dangling reference, as any other. Several
 * (a shared load balancer's members in groups that were not collected: hundreds) are one gap on the load balancer
 * that counts them and names the first few; its `affects` lists every one of them (the keys their dangling references
 * would be on). What the rules say of such a member comes from the member's missing NIC, not from the gap.
 */
function noteMissingNics(b: AzureBuild, lb: LoadBalancer, missing: MissingNics): void {
  if (missing.size === 0) return;
  const list = [...missing.values()];
  const first = list[0] as { id: string; ptr: string };
  if (list.length === 1) {
    b.noteDangling(first.id, lb.id, "network interface");
    return;
  }
  const names = list.slice(0, NAMED_NICS).map((m) => nameOf(m.id));
  const more = list.length - names.length;
  const named = more > 0 ? `${names.join(", ")} and ${more} more` : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  const groups = [...new Set(list.map((m) => resourceGroupOf(m.id)).filter((g): g is string => g !== undefined))];
  const where =
    groups.length === 0
      ? ""
      : groups.length === 1
        ? `, in resource group ${groups[0]}`
        : groups.length <= NAMED_NICS
          ? `, in resource groups ${groups.join(", ")}`
          : `, in ${groups.length} resource groups`;
  b.gaps.push({
    kind: "dangling-reference",
    operation: "resolve",
    resourceId: lb.id,
    resourceName: lb.name,
    referencedFrom: lb.id,
    pointer: first.ptr,
    message: `${list.length} network interfaces (referenced by ${lb.name}) are not in the snapshot: ${named}${where}`,
    affects: [...missing.keys()],
  });
}

function readPool(
  b: AzureBuild,
  index: IpConfigIndex,
  lb: LoadBalancer,
  r: ArmResource,
  w: unknown,
  i: number,
  missingNics: MissingNics,
): Pool {
  const bp = props(w);
  const pptr = join(lb.ptr, "properties", "backendAddressPools", i);
  const id = str(obj(w).id) ?? `${r.id}/backendAddressPools/${i}`;
  const pl: Pool = { id, key: idKey(id), name: str(obj(w).name) ?? nameOf(id), ptr: pptr, lb, members: [] };
  const seen = new Set<string>();
  arr(bp.backendIPConfigurations).forEach((m, j) => {
    const mid = refId(m);
    const mk = mid ? idKey(mid) : undefined;
    if (!mid || !mk || seen.has(mk)) return;
    seen.add(mk);
    const c = b.ipConfig.get(mk);
    const member: PoolMember = {
      kind: "ipconfig",
      id: mid,
      key: mk,
      ptr: join(pptr, "properties", "backendIPConfigurations", j),
    };
    if (c) {
      attach(member, c);
      if (c.privateIp) member.ip = c.privateIp;
    } else {
      const nicId = parentResourceId(mid);
      const nicKey = idKey(nicId);
      if (!missingNics.has(nicKey)) missingNics.set(nicKey, { id: nicId, ptr: join(pptr, "properties", "backendIPConfigurations") });
    }
    pl.members.push(member);
  });
  arr(bp.loadBalancerBackendAddresses).forEach((m, j) => {
    const mp = props(m);
    const ipcId = refId(mp.networkInterfaceIPConfiguration);
    const adminState = str(mp.adminState);
    const adminStatePtr = join(pptr, "properties", "loadBalancerBackendAddresses", j, "properties", "adminState");
    if (ipcId && seen.has(idKey(ipcId))) {
      // a NIC-based member listed again as an address: only its admin state is new
      const known = pl.members.find((x) => x.key === idKey(ipcId));
      if (known && adminState) Object.assign(known, { adminState, adminStatePtr });
      return;
    }
    const ip = str(mp.ipAddress);
    const name = str(obj(m).name) ?? ip ?? String(j);
    const frontendId = refId(mp.loadBalancerFrontendIPConfiguration);
    const member: PoolMember = {
      kind: frontendId ? "frontend" : "ip",
      id: `${id}/loadBalancerBackendAddresses/${name}`,
      key: idKey(`${id}/loadBalancerBackendAddresses/${name}`),
      ptr: join(pptr, "properties", "loadBalancerBackendAddresses", j),
    };
    if (ip) member.ip = ip;
    if (frontendId) member.frontendId = frontendId;
    if (adminState) Object.assign(member, { adminState, adminStatePtr });
    const vnetId = refId(mp.virtualNetwork);
    if (vnetId) member.vnetId = vnetId;
    const c = ipcId ? b.ipConfig.get(idKey(ipcId)) : undefined;
    if (c) attach(member, c);
    if (!c && ip) {
      // an IP-based member: match it to a NIC in the snapshot when one holds that address
      for (const cand of index.byIp.get(ip) ?? []) {
        if (!vnetId || (cand.subnet && cand.subnet.vnetKey === idKey(vnetId))) {
          attach(member, cand);
          break;
        }
      }
    }
    pl.members.push(member);
  });
  // NICs can claim membership from their side only (the pool's list is read-only and may lag)
  const claimed = new Set<IpConfig>();
  for (const m of pl.members) if (m.ipConfig) claimed.add(m.ipConfig);
  for (const c of index.byPool.get(pl.key) ?? []) {
    if (!seen.has(c.key) && !claimed.has(c)) {
      seen.add(c.key);
      const member: PoolMember = {
        kind: "ipconfig",
        id: c.id,
        key: c.key,
        ptr: join(c.ptr, "properties", "loadBalancerBackendAddressPools"),
      };
      attach(member, c);
      if (c.privateIp) member.ip = c.privateIp;
      pl.members.push(member);
    }
  }
  return pl;
}

function readProbes(lb: LoadBalancer, r: ArmResource, p: Obj): void {
  arr(p.probes).forEach((w, i) => {
    const pp = props(w);
    const id = str(obj(w).id) ?? `${r.id}/probes/${i}`;
    const pr: Probe = {
      id,
      key: idKey(id),
      name: str(obj(w).name) ?? nameOf(id),
      ptr: join(lb.ptr, "properties", "probes", i),
      lb,
      protocol: str(pp.protocol) ?? "Tcp",
      port: num(pp.port) ?? 0,
      rules: [],
    };
    const path = str(pp.requestPath);
    if (path) pr.requestPath = path;
    lb.probes.push(pr);
  });
}

function readRules(b: AzureBuild, lb: LoadBalancer, r: ArmResource, p: Obj): void {
  arr(p.loadBalancingRules).forEach((w, i) => {
    const rp = props(w);
    const id = str(obj(w).id) ?? `${r.id}/loadBalancingRules/${i}`;
    const rule: LbRule = {
      id,
      key: idKey(id),
      name: str(obj(w).name) ?? nameOf(id),
      ptr: join(lb.ptr, "properties", "loadBalancingRules", i),
      lb,
      raw: obj(w),
      protocol: str(rp.protocol) ?? "Tcp",
      frontendPort: num(rp.frontendPort) ?? 0,
      backendPort: num(rp.backendPort) ?? num(rp.frontendPort) ?? 0,
      loadDistribution: str(rp.loadDistribution) ?? "Default",
      enableFloatingIP: rp.enableFloatingIP === true,
      disableOutboundSnat: rp.disableOutboundSnat === true,
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
      if (!rule.pool) b.noteDangling(poolId, r.id, "backend pool");
    }
    const probeId = refId(rp.probe);
    if (probeId) {
      rule.probeId = probeId;
      rule.probe = lb.probes.find((x) => x.key === idKey(probeId));
      rule.probe?.rules.push(rule);
      if (!rule.probe) b.noteDangling(probeId, r.id, "health probe");
    }
    lb.rules.push(rule);
  });
}

function readNatRules(b: AzureBuild, index: IpConfigIndex, lb: LoadBalancer, r: ArmResource, p: Obj): void {
  arr(p.inboundNatRules).forEach((w, i) => {
    const np = props(w);
    const id = str(obj(w).id) ?? `${r.id}/inboundNatRules/${i}`;
    const nr: NatRule = {
      id,
      key: idKey(id),
      name: str(obj(w).name) ?? nameOf(id),
      ptr: join(lb.ptr, "properties", "inboundNatRules", i),
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
    if (!bid) bid = index.byNatRule.get(nr.key)?.id;
    if (bid) {
      nr.backendIpConfigId = bid;
      nr.backendIpConfig = b.ipConfig.get(idKey(bid));
    }
    lb.natRules.push(nr);
  });
}
