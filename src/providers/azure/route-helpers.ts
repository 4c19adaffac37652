/**
 * Helpers for the route and NVA rules: IPv4 interval arithmetic (longest
 * prefix match over a route table), user-defined routes with a
 * `VirtualAppliance` next hop, and resolving a next-hop IP to what holds it in
 * the snapshot (an internal LB frontend, or a NIC ip configuration).
 *
 * IPv4 only: a route on an IPv6 prefix is skipped by the interval math.
 */

import type { ReportInput } from "../../core/engine/types.ts";
import { compareText } from "../../core/util/collate.ts";
import { ipv4Cidr as cidrInterval, ipInCidr, NON_PUBLIC_V4 as NON_INTERNET_V4, subtract } from "../../core/util/ip.ts";
import { idKey } from "./arm-id.ts";
import type { AzureModel, Frontend, IpConfig, LbRule, LoadBalancer, Nic, RouteEntry, RouteTable, Subnet } from "./model.ts";

// ---------------------------------------------------------------------------
// IPv4 integers and intervals: the one IP module (src/core/util/ip.ts), under the names the route rules use

/** An inclusive range of IPv4 addresses as unsigned 32-bit integers. */
export type Interval = readonly [number, number];

export {
  formatInterval,
  intToIpv4 as formatIpv4,
  ipInCidr,
  ipv4Cidr as cidrInterval,
  ipv4ToInt as parseIpv4,
  isPublicIpv4,
  NON_PUBLIC_V4 as NON_INTERNET_V4,
  size as intervalSize,
} from "../../core/util/ip.ts";

/** `set` minus `cut`; `set` is sorted and disjoint, so is the result. */
export function subtractInterval(set: readonly Interval[], cut: Interval): Interval[] {
  return subtract(set, [cut]);
}

// ---------------------------------------------------------------------------
// routes

export function isVirtualApplianceHop(r: RouteEntry): boolean {
  return r.nextHopType.toLowerCase() === "virtualappliance";
}

export interface ApplianceRoute {
  table: RouteTable;
  route: RouteEntry;
}

/** Every route with a VirtualAppliance next hop, in every route table of the snapshot (attached or not). */
export function applianceRoutes(model: AzureModel): ApplianceRoute[] {
  const out: ApplianceRoute[] = [];
  for (const table of model.routeTables) for (const route of table.routes) if (isVirtualApplianceHop(route)) out.push({ table, route });
  return out;
}

/** Appliance routes grouped by next-hop IP (routes without one are returned apart). */
export function applianceRoutesByHop(model: AzureModel): { byHop: Map<string, ApplianceRoute[]>; withoutHop: ApplianceRoute[] } {
  const byHop = new Map<string, ApplianceRoute[]>();
  const withoutHop: ApplianceRoute[] = [];
  for (const r of applianceRoutes(model)) {
    const ip = r.route.nextHopIpAddress?.trim();
    if (!ip) {
      withoutHop.push(r);
      continue;
    }
    let list = byHop.get(ip);
    if (!list) byHop.set(ip, (list = []));
    list.push(r);
  }
  return { byHop, withoutHop };
}

/** Lookups the route helpers make per route or per member, indexed once per model (not a scan of every subnet, frontend or ip configuration each time). */
interface HopIndex {
  subnetsByTable: Map<string, Subnet[]>;
  frontendsByIp: Map<string, Array<{ lb: LoadBalancer; frontend: Frontend }>>;
  ipConfigsByIp: Map<string, IpConfig[]>;
}
const hopIndexes = new WeakMap<AzureModel, HopIndex>();

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

function hopIndex(model: AzureModel): HopIndex {
  let ix = hopIndexes.get(model);
  if (ix) return ix;
  ix = { subnetsByTable: new Map(), frontendsByIp: new Map(), ipConfigsByIp: new Map() };
  for (const s of model.subnets) if (s.routeTableId !== undefined) push(ix.subnetsByTable, idKey(s.routeTableId), s);
  for (const lb of model.loadBalancers) {
    for (const f of lb.frontends) if (!f.publicIpId && f.privateIp !== undefined) push(ix.frontendsByIp, f.privateIp, { lb, frontend: f });
  }
  for (const c of model.byKey.ipConfig.values()) if (c.privateIp !== undefined) push(ix.ipConfigsByIp, c.privateIp, c);
  hopIndexes.set(model, ix);
  return ix;
}

/** The subnets in the snapshot that a route table is attached to. */
export function subnetsUsing(model: AzureModel, table: RouteTable): Subnet[] {
  return [...(hopIndex(model).subnetsByTable.get(table.key) ?? [])];
}

/** "rt-spokes/default-to-fw (0.0.0.0/0)" */
export function routeLabel(r: ApplianceRoute | { table: RouteTable; route: RouteEntry }): string {
  return `${r.table.name}/${r.route.name} (${r.route.addressPrefix || "no prefix"})`;
}

// ---------------------------------------------------------------------------
// what holds a next-hop IP

export type HopTarget =
  | { kind: "lb-frontend"; lb: LoadBalancer; frontend: Frontend }
  | { kind: "nic"; ipConfig: IpConfig }
  | { kind: "ambiguous"; ipConfigs: IpConfig[] }
  | { kind: "not-found" };

/**
 * Resolves a next-hop IP. An internal LB frontend wins over a NIC (an HA NVA
 * design puts the ILB frontend IP in the route). When several NICs hold the
 * address (overlapping VNets in one snapshot), the ones in the VNets the route
 * tables serve (or in their peered space) are preferred.
 */
export function resolveHop(model: AzureModel, ip: string, tables: RouteTable[]): HopTarget {
  const servedVnets = new Set<string>();
  const peered: string[] = [];
  for (const t of tables) {
    for (const s of subnetsUsing(model, t)) {
      servedVnets.add(s.vnetKey);
      if (s.vnet) peered.push(...s.vnet.peeredSpace);
    }
  }
  const near = (vnetKey: string | undefined) =>
    servedVnets.size === 0 || (vnetKey !== undefined && servedVnets.has(vnetKey)) || peered.some((p) => ipInCidr(ip, p));

  const ix = hopIndex(model);
  const frontends = ix.frontendsByIp.get(ip) ?? [];
  const fe = frontends.length > 1 ? frontends.filter((x) => near(x.frontend.subnet?.vnetKey)) : frontends;
  if (fe.length >= 1 && fe[0]) return { kind: "lb-frontend", ...fe[0] };

  const holders = ix.ipConfigsByIp.get(ip) ?? [];
  if (holders.length === 0) return { kind: "not-found" };
  if (holders.length === 1 && holders[0]) return { kind: "nic", ipConfig: holders[0] };
  const narrowed = holders.filter((c) => near(c.subnet?.vnetKey));
  if (narrowed.length === 1 && narrowed[0]) return { kind: "nic", ipConfig: narrowed[0] };
  return { kind: "ambiguous", ipConfigs: narrowed.length > 0 ? narrowed : holders };
}

/** The LB rules that serve a frontend, and the distinct NICs (or IP members) in their pools. */
export function frontendBackends(
  lb: LoadBalancer,
  frontend: Frontend,
): { rules: LbRule[]; nics: Nic[]; ipOnly: string[]; haPorts: boolean } {
  const rules = lb.rules.filter((r) => r.frontendId !== undefined && idKey(r.frontendId) === frontend.key);
  const nics = new Map<string, Nic>();
  const ipOnly = new Set<string>();
  for (const r of rules) {
    for (const m of r.pool?.members ?? []) {
      if (m.nic) nics.set(m.nic.key, m.nic);
      else ipOnly.add(m.ip ?? m.id);
    }
  }
  const haPorts = rules.some((r) => r.protocol.toLowerCase() === "all" && r.frontendPort === 0 && r.backendPort === 0);
  return { rules, nics: [...nics.values()].sort((a, b) => compareText(a.name, b.name)), ipOnly: [...ipOnly].sort(), haPorts };
}

/** A VMSS instance NIC cannot be updated with `az network nic update`: its settings live in the scale set model. */
export function vmssOfNic(nic: Nic): { vmssName: string; resourceGroup: string | undefined } | undefined {
  const m = /\/virtualMachineScaleSets\/([^/]+)\/virtualMachines\//i.exec(nic.id);
  return m?.[1] ? { vmssName: m[1], resourceGroup: nic.resourceGroup } : undefined;
}

// ---------------------------------------------------------------------------
// longest prefix match over a route table, for Internet return traffic

export interface PublicSpaceOwner {
  route: RouteEntry;
  /** the public IPv4 space this route decides for (longest prefix match) */
  space: Interval[];
}

/**
 * For each route of a table, the part of the public Internet (minus
 * `exclude`, e.g. the VNet's own space) whose return traffic that route
 * decides by longest prefix match. Routes on IPv6 or unreadable prefixes are
 * ignored. Addresses no route covers use the system route to the Internet.
 */
export function publicSpaceByRoute(routes: RouteEntry[], exclude: string[] = []): PublicSpaceOwner[] {
  const parsed = routes
    .map((route) => ({ route, c: cidrInterval(route.addressPrefix) }))
    .filter((x): x is { route: RouteEntry; c: NonNullable<ReturnType<typeof cidrInterval>> } => x.c !== undefined);
  const notInternet = [...NON_INTERNET_V4, ...exclude].map(cidrInterval).filter((x) => x !== undefined);
  const out: PublicSpaceOwner[] = [];
  for (const { route, c } of parsed) {
    let space: Interval[] = [c.interval];
    for (const other of parsed) {
      if (other.c.length <= c.length) continue;
      if (other.c.interval[0] >= c.interval[0] && other.c.interval[1] <= c.interval[1]) space = subtractInterval(space, other.c.interval);
    }
    for (const n of notInternet) space = subtractInterval(space, n.interval);
    if (space.length > 0) out.push({ route, space });
  }
  return out;
}

/**
 * Azure Firewall is a managed next hop: it has no NIC in the snapshot, does its
 * own forwarding and is highly available by itself. Found either as an
 * `azureFirewalls` resource holding the IP, or as an address inside a subnet
 * named AzureFirewallSubnet.
 */
export function azureFirewallAt(
  model: AzureModel,
  ip: string,
): { kind: "resource"; id: string; name: string; ptr: string } | { kind: "subnet"; subnet: Subnet } | undefined {
  for (const { raw, ptr } of model.byKey.resource.values()) {
    if (raw.type.toLowerCase() !== "microsoft.network/azurefirewalls") continue;
    const p = (raw.properties ?? {}) as Record<string, unknown>;
    const configs = Array.isArray(p.ipConfigurations) ? p.ipConfigurations : [];
    const addrs = configs.map((c) => (c as { properties?: { privateIPAddress?: unknown } }).properties?.privateIPAddress);
    const hub = (p.hubIPAddresses as { privateIPAddress?: unknown } | undefined)?.privateIPAddress;
    if ([...addrs, hub].includes(ip)) return { kind: "resource", id: raw.id, name: raw.name, ptr };
  }
  const subnet = model.subnets.find((s) => s.name.toLowerCase() === "azurefirewallsubnet" && s.prefixes.some((p) => ipInCidr(ip, p)));
  return subnet ? { kind: "subnet", subnet } : undefined;
}

/** What the next-hop rules say of one next-hop IP: the routes that point at it, as evidence, message data and the finding's anchor. */
export function hopRoutes(ip: string, routes: ApplianceRoute[]) {
  const tables = [...new Map(routes.map((r) => [r.table.key, r.table])).values()];
  const tableIds = tables.map((t) => t.id);
  return {
    routes,
    tables,
    tableIds,
    routeEvidence: routes.map((r) => ({
      resourceId: r.table.id,
      pointer: `${r.route.ptr}/properties/nextHopIpAddress`,
      label: `route ${routeLabel(r)}`,
    })),
    data: { ip, routes: routes.map(routeLabel).join(", ") },
    /** a finding about the hop itself sits on the first route table */
    onTable: { resourceId: tables[0]?.id ?? "", key: ip, subjects: tableIds },
  };
}

/**
 * The finding for a next hop that is an Azure Firewall (managed, highly available, forwarding by itself): the rules
 * about NVAs have nothing to judge there, and say so with the status each uses for it.
 */
export function firewallHopFinding(
  model: AzureModel,
  hop: ReturnType<typeof hopRoutes>,
  status: "pass" | "not-applicable",
): ReportInput | undefined {
  const fw = azureFirewallAt(model, hop.data.ip);
  if (!fw) return undefined;
  const firewall = fw.kind === "resource" ? fw.name : `in ${fw.subnet.name}`;
  return { ...hop.onTable, status, messageId: "azureFirewall", data: { ...hop.data, firewall }, evidence: hop.routeEvidence };
}

/**
 * The next hops of VirtualAppliance routes, by IP in order, each with its routes (see hopRoutes). A route with
 * no next-hop IP cannot be judged: it is reported `unknown` (message `noHopIp`) here, once for the rule.
 */
export function applianceHops(model: AzureModel, report: (input: ReportInput) => void): Array<ReturnType<typeof hopRoutes>> {
  const { byHop, withoutHop } = applianceRoutesByHop(model);
  for (const r of withoutHop) {
    report({
      status: "unknown",
      resourceId: r.table.id,
      key: r.route.name,
      messageId: "noHopIp",
      data: { routes: routeLabel(r) },
      evidence: [{ resourceId: r.table.id, pointer: r.route.ptr, label: "route" }],
    });
  }
  return [...byHop].sort(([a], [b]) => compareText(a, b)).map(([ip, routes]) => hopRoutes(ip, routes));
}
