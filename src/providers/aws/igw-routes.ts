/**
 * Whether a subnet's route table reaches an internet gateway: what an internet-facing load balancer's subnets need
 * ("public subnets": a route to an internet gateway), shared by the rule `aws/internet-facing-in-private-subnets` and
 * `lbdoctor trace` (the reply from a load balancer node to a client on the internet), which both read one decision:
 * `replyRoute`.
 *
 * Route selection is the VPC's: the most specific route that matches the destination (longest prefix match), IPv4
 * and IPv6 independently; between a static and a propagated route to the same destination, the static one
 * (How route priority works, https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html).
 */

import type { ModelGap } from "../../core/engine/types.ts";
import { oneLine, sanitize } from "../../core/report/sanitize.ts";
import {
  INTERNET_V4,
  type Interval6,
  intersect6,
  ipv4Cidr,
  ipv6Interval,
  maxBig,
  minBig,
  normalize6,
  type Space6,
  size6,
  spaceOf6,
  subtract6,
  toCidrs,
  toCidrs6,
} from "../../core/util/ip.ts";
import { idKey } from "../../core/util/resource-id.ts";
import { awsLocate, gapMessagePlace } from "./location.ts";
import { type AwsModel, type LoadBalancer, listGaps, type Route, type RouteTable, type Subnet } from "./model.ts";
import { isPlaceGapCopy } from "./place-gaps.ts";
import { gapNote, jsonForCommand, placeholder, sh } from "./rule-helpers.ts";

export const V4 = "0.0.0.0/0";
export const V6 = "::/0";

/** The route that sends 0.0.0.0/0 (or ::/0) somewhere, if any. */
export function defaultRoute(rt: RouteTable, dest: string = V4): Route | undefined {
  return rt.routes.find((r) => r.destination === dest);
}

/**
 * The default routes an internet-facing load balancer's subnets need to an internet gateway, by its IP address type: IPv4
 * (`ipv4`), IPv4 and IPv6 (`dualstack`), or IPv6 only (`dualstack-without-public-ipv4`: public IPv6 addresses, private IPv4 only).
 */
export function neededRoutes(lb: LoadBalancer): string[] {
  const t = (lb.ipAddressType ?? "ipv4").toLowerCase();
  if (t === "dualstack-without-public-ipv4") return [V6];
  if (t.startsWith("dualstack")) return [V4, V6];
  return [V4];
}

export function isIgwRoute(r: Route | undefined): boolean {
  return !!r && r.target.startsWith("igw-") && r.state !== "blackhole";
}

/** A next hop that is a VPC endpoint (a Network Firewall or Gateway Load Balancer endpoint), active. */
export function isEndpointRoute(r: Route | undefined): boolean {
  return !!r && r.target.startsWith("vpce-") && r.state !== "blackhole";
}

/**
 * A next hop that is a carrier gateway (`cagw-…`, CarrierGatewayId), active: the gateway of a Wavelength Zone's subnets. "A
 * carrier gateway serves two purposes. It allows inbound traffic from a carrier network in a specific location, and it allows
 * outbound traffic to the carrier network and internet. There is no inbound connection configuration from the internet to a
 * Wavelength Zone through the carrier gateway" (How AWS Wavelength works,
 * https://docs.aws.amazon.com/wavelength/latest/developerguide/how-wavelengths-work.html): a load balancer node behind it
 * is reached by clients on the carrier network, never by clients on the internet.
 */
export function isCarrierRoute(r: Route | undefined): boolean {
  return !!r && r.target.startsWith("cagw-") && r.state !== "blackhole";
}

/**
 * A next hop that is a network interface (`eni-…`) or an instance (`i-…`), active: a middlebox appliance (a firewall, say)
 * that takes the traffic and forwards it on (Routing for a middlebox appliance,
 * https://docs.aws.amazon.com/vpc/latest/userguide/route-table-options.html#route-tables-appliance-routing; Gateway route
 * tables, https://docs.aws.amazon.com/vpc/latest/userguide/gateway-route-tables.html): where the appliance sends it next is
 * not in the snapshot.
 */
export function isApplianceRoute(r: Route | undefined): boolean {
  return !!r && (r.target.startsWith("eni-") || r.target.startsWith("i-")) && r.state !== "blackhole";
}

/**
 * A next hop that is another network connected to the VPC, active: a VPC peering connection (`pcx-…`), a transit gateway
 * (`tgw-…`), a virtual private gateway (`vgw-…`: a Site-to-Site VPN or Direct Connect), a local gateway (`lgw-…`: an
 * Outpost's on-premises network) or a Cloud WAN core network (`CoreNetworkArn`, `arn:…:core-network/core-network-…`),
 * whatever the route's destination (isConnectedRoute reads the destination too).
 */
export function isConnectedTarget(r: Route | undefined): boolean {
  return !!r && r.state !== "blackhole" && (/^(pcx|tgw|vgw|lgw)-/i.test(r.target) || /:core-network\//i.test(r.target));
}

/**
 * The widest route to a connected network read as that network's own addresses, by family: an IPv4 `/8` (the widest private
 * range, 10.0.0.0/8 of RFC 1918, and the widest block ever assigned to one organization; a partner's public range is a /16 to
 * a /24) and an IPv6 `/32` (the smallest allocation a regional internet registry makes to a provider; an organization's site
 * is a /48, another VPC's block a /56). A wider route takes more of the internet than one network holds.
 */
export const CONNECTED_PREFIX = { v4: 8, v6: 32 } as const;

/** The destination is one CIDR no wider than CONNECTED_PREFIX allows for its family (a prefix list is not). */
function ownRange(destination: string): boolean {
  const m = /^[0-9a-f.:]+\/(\d{1,3})$/i.exec(destination.trim());
  if (!m) return false;
  return Number(m[1]) >= (destination.includes(":") ? CONNECTED_PREFIX.v6 : CONNECTED_PREFIX.v4);
}

/**
 * A route to a network connected to the VPC (isConnectedTarget) for a range one network holds (CONNECTED_PREFIX: an IPv4 /8 at
 * most, an IPv6 /32 at most). Longest prefix match sends it the addresses of its route (Example routing options,
 * https://docs.aws.amazon.com/vpc/latest/userguide/route-table-options.html): such a route that takes part of the public
 * addresses (another VPC's IPv6 CIDR, a partner's range over a VPN) takes those networks' addresses, not clients on the
 * internet, so it leaves the reply to the internet's clients as the other routes decide it (replyRoute). A wider route to a
 * connected network (`0.0.0.0/1` to a VPN, `0.0.0.0/0` to a transit gateway for centralized egress) takes clients on the
 * internet: their replies never reach an internet gateway, as with any route elsewhere, so it is no such route.
 */
export function isConnectedRoute(r: Route | undefined): boolean {
  return !!r && isConnectedTarget(r) && ownRange(r.destination);
}

/**
 * Why an internet-facing load balancer's default route that goes to neither an internet gateway nor a dead end leaves its
 * zone undecided, in a long form (the zone's own verdict) and a short one (a family named beside another that fails); else
 * undefined. A VPC endpoint (a Network Firewall or Gateway Load Balancer endpoint) continues a path the snapshot does not
 * hold, and so does a network interface or an instance (a middlebox appliance); a carrier gateway admits the carrier
 * network's clients and not the internet's, and which ones the load balancer serves is not in the snapshot. `what`: the kind
 * of next hop, in words.
 */
export function undecidedRoute(r: Route | undefined): { long: string; short: string; what: string } | undefined {
  if (isEndpointRoute(r))
    return {
      what: "a VPC endpoint",
      long:
        "a VPC endpoint (a Network Firewall or Gateway Load Balancer endpoint, as in internet gateway ingress routing): whether that " +
        "endpoint's subnet routes to an internet gateway, and whether the gateway's edge route table sends the clients back through it, " +
        "is not in the snapshot",
      short:
        "a VPC endpoint (a Network Firewall or Gateway Load Balancer endpoint) whose path to an internet gateway is not in the snapshot",
    };
  if (isApplianceRoute(r))
    return {
      what: "a middlebox appliance",
      long:
        `${r?.target.startsWith("i-") ? "an instance" : "a network interface"} (a middlebox appliance such as a firewall, as in ` +
        "middlebox routing): whether the appliance forwards the traffic to an internet gateway, and whether the gateway's edge " +
        "route table sends the clients back through it, is not in the snapshot",
      short: `${r?.target.startsWith("i-") ? "an instance" : "a network interface"} (a middlebox appliance) whose path to an internet gateway is not in the snapshot`,
    };
  if (isCarrierRoute(r))
    return {
      what: "a carrier gateway",
      long:
        "a carrier gateway (the gateway of a Wavelength Zone): it admits clients on the telecommunication carrier's network, not " +
        "clients on the internet (no inbound connection from the internet reaches a Wavelength Zone through a carrier gateway), and " +
        "whether the load balancer's clients are on the carrier network is not in the snapshot",
      short: "a carrier gateway (a Wavelength Zone's), which admits clients on the carrier network but none from the internet",
    };
  return undefined;
}

/** The internet gateway of the VPC, as seen in any of its route tables. */
export function vpcIgw(model: AwsModel, vpcId: string | undefined): string | undefined {
  for (const rt of model.routeTables) {
    if (rt.vpcId !== vpcId) continue;
    const r = rt.routes.find((x) => x.target.startsWith("igw-") && x.state !== "blackhole");
    if (r) return r.target;
  }
  return undefined;
}

/** What a route does with traffic it takes, in words: "sends 0.0.0.0/0 to nat-0abc (a NAT gateway: outbound only)". */
export function routeDetail(dest: string, r: Route | undefined): string {
  if (!r) return `has no ${dest} route`;
  if (r.state === "blackhole") return `sends ${dest} to ${r.target}, a blackhole (the gateway is gone)`;
  const what = r.target.startsWith("nat-")
    ? " (a NAT gateway: outbound only)"
    : r.target.startsWith("eigw-")
      ? " (an egress-only internet gateway: outbound only)"
      : r.target.startsWith("cagw-")
        ? " (a carrier gateway: clients on the carrier network only, none from the internet)"
        : "";
  return `sends ${dest} to ${r.target}${what}`;
}

/**
 * A deny's routes in words (replyRoute): the route that takes most of the replies (none: the table has no `dest` route), then
 * the more specific routes `also` (three named, the others counted), then the addresses no route takes when a route speaks
 * first: "sends 0.0.0.0/0 to nat-0a (a NAT gateway: outbound only), and sends 0.0.0.0/2 to nat-0a (…)".
 */
export function denyDetail(dest: string, d: { route?: Route; also?: Route[]; unrouted?: boolean }): string {
  const rest = (d.also ?? []).filter((r) => r !== d.route);
  const named = rest
    .slice(0, 3)
    .map((r) => `, and ${routeDetail(r.destination, r)}`)
    .join("");
  const more = rest.length > 3 ? `, and ${rest.length - 3} more route${rest.length > 4 ? "s" : ""} that take replies elsewhere` : "";
  const none = d.route && d.unrouted ? `, and ${routeDetail(dest, undefined)}` : "";
  return `${routeDetail(d.route?.destination ?? dest, d.route)}${named}${more}${none}`;
}

/** A family whose replies replyRoute denies, for internetGatewayRouteFix. */
export interface FailingFamily {
  /** 0.0.0.0/0 or ::/0 */
  dest: string;
  /** replyRoute's deny of the family */
  d: ReplyRoute;
  /** the clients it was decided for when they are not the internet's (a trace of one client address) */
  clients?: ClientSpace;
}

const reaching = new WeakMap<Subnet, Map<ClientSpace, boolean>>();

/** replyRoute allows the replies from subnet `x` to the clients `c` (once per subnet and clients: a fix looks at many). */
function reaches(model: AwsModel, x: Subnet, v6: boolean, c: ClientSpace): boolean {
  let known = reaching.get(x);
  if (!known) reaching.set(x, (known = new Map()));
  let r = known.get(c);
  if (r === undefined) {
    r = replyRoute(model, x, x.id, "clients on the internet", v6, c).verdict === "allow";
    known.set(c, r);
  }
  return r;
}

/** replyRoute would allow the replies from subnet `s` to the clients `c` if `s` were associated with route table `t`. */
function reachesThrough(model: AwsModel, s: Subnet, t: RouteTable, v6: boolean, c: ClientSpace): boolean {
  // what no association can change: a route that takes a reply elsewhere, or one whose path on is not in the snapshot
  const a = replyRoutes(t, v6, c);
  if (a.all || a.allInternet || a.failSpace.length > 0 || a.undecided.length > 0) return false;
  const moved: Subnet = { ...s, routeTable: t, routeTableVia: "association" };
  return replyRoute(model, moved, s.id, "clients on the internet", v6, c).verdict === "allow";
}

/**
 * The fix for a subnet `s` of `lb` whose replies to clients on the internet replyRoute denies, for each family in `failing`:
 * move an ALB to subnets of the same zones whose replies replyRoute allows, else associate the subnet with a route table of
 * the VPC whose routes would allow them, else fix the routes of its own table: add (or replace) each failing family's
 * default route to the internet gateway, and delete each more specific route that takes replies elsewhere (`blocking`: a NAT
 * gateway's `0.0.0.0/2` under the default route would still take a quarter of the internet). A default route to a connected
 * network (`0.0.0.0/0` to a transit gateway: centralized egress through an inspection VPC) is replaced like any other, with a
 * caveat: the subnet's outbound traffic to the internet then leaves through the internet gateway, not through that network.
 * No route fix when a carrier gateway takes some of the replies (a Wavelength Zone's subnet), nor when routes to connected
 * networks more specific than the default route alone take them all (connectedAll: which of those networks the clients are in
 * is not the route table's to decide, and such a route is never deleted): undefined when nothing else is left either.
 * `inspected`: the subnet's other family goes through a VPC endpoint (inspection): moving the load balancer or swapping the
 * route table would bypass it, so only the routes are fixed. The subnet's route table must be known.
 */
export function internetGatewayRouteFix(
  model: AwsModel,
  lb: LoadBalancer,
  s: Subnet,
  failing: FailingFamily[],
  inspected = false,
): { summary: string; commands: string[] } | undefined {
  const dests = neededRoutes(lb);
  // what the subnets and tables a fix names must reach: the clients on the internet of each family the load balancer needs,
  // and the clients traced, when the trace is of others
  const wanted = dests.map((d) => ({ v6: d === V6, c: internetClients(model, lb, d === V6).space }));
  for (const f of failing)
    if (f.clients && !wanted.some((w) => w.c.key === f.clients?.key)) wanted.push({ v6: f.dest === V6, c: f.clients });
  const serves = (x: Subnet) => wanted.every((w) => reaches(model, x, w.v6, w.c));
  // 1. an ALB can move to the VPC's public subnets in the same zones
  if (lb.type === "application" && !inspected) {
    const replacement = lb.zones.map((z) => {
      if (z.subnet && serves(z.subnet)) return z.subnet;
      const az = z.zoneName ?? z.subnet?.availabilityZone;
      return model.subnets.find((x) => x.vpcId === lb.vpcId && x.availabilityZone === az && serves(x));
    });
    if (replacement.every((x) => !!x)) {
      const ids = replacement.map((x) => (x as Subnet).id);
      return {
        summary: `Move ${lb.name} to public subnets of the same zones (${ids.join(", ")}).`,
        commands: [`aws elbv2 set-subnets --load-balancer-arn ${sh(lb.arn)} --subnets ${ids.map(sh).join(" ")}`],
      };
    }
  }
  const rt = s.routeTable as RouteTable;
  // 2. associate the subnet with a public route table of the VPC
  const publicRt = inspected
    ? undefined
    : model.routeTables.find((t) => t.vpcId === s.vpcId && t.key !== rt.key && wanted.every((w) => reachesThrough(model, s, t, w.v6, w.c)));
  if (publicRt) {
    const cmd =
      s.routeTableVia === "association" && s.routeTableAssociationId
        ? `aws ec2 replace-route-table-association --association-id ${sh(s.routeTableAssociationId)} --route-table-id ${sh(publicRt.id)}`
        : `aws ec2 associate-route-table --route-table-id ${sh(publicRt.id)} --subnet-id ${sh(s.id)}`;
    return {
      summary: `Associate ${s.id} with the public route table ${publicRt.id} (it sends the replies to clients on the internet to the internet gateway).`,
      commands: [cmd],
    };
  }
  // 3. the subnet's own routes: the default route of each failing family to the internet gateway, and no more specific route
  // that takes replies elsewhere
  if (failing.some((f) => f.d.connectedAll || (f.d.routes ?? []).some(isCarrierRoute))) return undefined;
  const igw = vpcIgw(model, s.vpcId);
  const option = (dest: string) => (dest.includes(":") ? "--destination-ipv6-cidr-block" : "--destination-cidr-block");
  const defaults = failing.filter((f) => !isIgwRoute(defaultRoute(rt, f.dest))).map((f) => f.dest);
  const blocking = [...new Set(failing.flatMap((f) => f.d.blocking ?? []))];
  const commands = [
    ...defaults.map((dest) => {
      const verb = defaultRoute(rt, dest) ? "replace-route" : "create-route";
      return `aws ec2 ${verb} --route-table-id ${sh(rt.id)} ${option(dest)} ${sh(dest)} --gateway-id ${igw ? sh(igw) : placeholder("igw-id")}`;
    }),
    ...blocking.map((r) => `aws ec2 delete-route --route-table-id ${sh(rt.id)} ${option(r.destination)} ${sh(r.destination)}`),
  ];
  if (commands.length === 0) return undefined;
  if (!igw && defaults.length > 0)
    commands.unshift(
      `aws ec2 describe-internet-gateways --filters ${sh(jsonForCommand([{ Name: "attachment.vpc-id", Values: [s.vpcId ?? "<vpc-id>"] }]))}`,
    );
  const main =
    defaults.length > 0 && rt.isMain && s.routeTableVia === "main"
      ? ` ${rt.id} is the VPC's main route table: every subnet without its own table would become public; prefer a dedicated table.`
      : "";
  // a default route to a connected network (centralized egress, an inspection VPC): replacing it changes more than the replies
  const connectedDefaults = defaults.map((d) => defaultRoute(rt, d)).filter((r): r is Route => isConnectedTarget(r));
  const egress =
    connectedDefaults.length > 0
      ? connectedDefaults
          .map(
            (r) =>
              ` Its ${r.destination} route now goes to ${r.target}, a network connected to the VPC (centralized egress through an inspection VPC, say): once replaced, the subnet's outbound traffic to ${r.destination} leaves through the internet gateway and bypasses ${r.target}.`,
          )
          .join("")
      : "";
  const caveat = `${egress}${main}`;
  const named = blocking.map((r) => `${r.destination} (to ${r.target}${r.state === "blackhole" ? ", a blackhole" : ""})`);
  const list = named.length > 1 ? `${named.slice(0, -1).join(", ")} and ${named.at(-1)}` : (named[0] ?? "");
  const routes = `more specific route${blocking.length > 1 ? "s" : ""} ${list}`;
  const summary =
    defaults.length === 0
      ? `Delete ${rt.id}'s ${routes}: ${blocking.length > 1 ? "they take" : "it takes"} the replies to clients on the internet away from its route to the internet gateway.`
      : `Route ${defaults.join(" and ")} from ${rt.id} to the VPC's internet gateway${blocking.length > 0 ? `, and delete its ${routes}, which would still take replies to clients on the internet elsewhere` : ""}.`;
  return { summary: `${summary}${caveat}`, commands };
}

// ---------------------------------------------------------------------------
// the route a reply to some addresses takes

/** An address family's addresses as one kind of interval: IPv6 as is, IPv4 with its integer bounds as bigints. */
function interval(cidr: string, v6: boolean): Interval6 | undefined {
  if (v6) return cidr.includes(":") ? ipv6Interval(cidr) : undefined;
  const c = cidr.includes(":") ? undefined : ipv4Cidr(cidr);
  return c ? [BigInt(c.interval[0]), BigInt(c.interval[1])] : undefined;
}

/** Addresses of one family (IPv4 as bigint intervals, as `interval` has them). */
export function familySpace(cidrs: readonly string[], v6: boolean): Space6 {
  return normalize6(cidrs.map((c) => interval(c, v6)).filter((x): x is Interval6 => !!x));
}

/**
 * The addresses of the internet of one family: the public IPv4 space, or the IPv6 global unicast space 2000::/3 (as
 * the trace's clients on the internet have them).
 */
export function internetSpace(v6: boolean): Space6 {
  return v6 ? spaceOf6(["2000::/3"]) : INTERNET_V4.map(([a, b]): Interval6 => [BigInt(a), BigInt(b)]);
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

const vpcIpv6 = new WeakMap<AwsModel, Map<string | undefined, string[]>>();

/** The IPv6 CIDRs of each VPC's subnets, gathered once per model. */
function vpcIpv6Cidrs(model: AwsModel, vpcId: string | undefined): string[] {
  let byVpc = vpcIpv6.get(model);
  if (!byVpc) {
    byVpc = new Map();
    for (const s of model.subnets) {
      const list = byVpc.get(s.vpcId);
      if (list) list.push(...s.ipv6Cidrs);
      else byVpc.set(s.vpcId, [...s.ipv6Cidrs]);
    }
    vpcIpv6.set(model, byVpc);
  }
  return byVpc.get(vpcId) ?? [];
}

/** The clients on the internet of one family, whatever their label: their CIDRs and the space the route check reads. */
interface InternetSpace {
  cidrs: string[];
  space: ClientSpace;
}

/** Every public IPv4 address: the same for every load balancer, computed once. */
let internetV4: InternetSpace | undefined;

/** The IPv6 clients on the internet of the load balancers of each VPC, computed once per model and VPC. */
const vpcInternetV6 = new WeakMap<AwsModel, Map<string | undefined, InternetSpace>>();

/**
 * The clients on the internet of a load balancer, of one family, as `lbdoctor trace --from Internet` has them: every public
 * IPv4 address, or the IPv6 global unicast space 2000::/3 less the load balancer VPC's own IPv6 CIDRs. `named`: the family is
 * named in the label (a dualstack load balancer's clients: "IPv4 clients on the internet"). The CIDRs and their `space` (the
 * ClientSpace replyRoute reads) are computed once per model and VPC and shared by its load balancers: the same objects each
 * time, never to be changed.
 */
export function internetClients(
  model: AwsModel,
  lb: LoadBalancer,
  v6: boolean,
  named = v6,
): { label: string; cidrs: string[]; space: ClientSpace } {
  if (!v6) {
    internetV4 ??= internetSpaceOf(toCidrs(INTERNET_V4), false);
    return { label: named ? "IPv4 clients on the internet" : "clients on the internet", ...internetV4 };
  }
  let byVpc = vpcInternetV6.get(model);
  if (!byVpc) vpcInternetV6.set(model, (byVpc = new Map()));
  let known = byVpc.get(lb.vpcId);
  if (!known) {
    known = internetSpaceOf(toCidrs6(subtract6(spaceOf6(["2000::/3"]), spaceOf6(vpcIpv6Cidrs(model, lb.vpcId)))), true);
    byVpc.set(lb.vpcId, known);
  }
  return { label: "IPv6 clients on the internet", ...known };
}

function internetSpaceOf(cidrs: string[], v6: boolean): InternetSpace {
  return { cidrs, space: buildClientSpace(cidrs, v6) };
}

/** A space of one family as CIDR texts. */
export function spaceCidrs(space: Space6, v6: boolean): string[] {
  return v6 ? toCidrs6(space) : toCidrs(space.map(([a, b]): [number, number] => [Number(a), Number(b)]));
}

export interface RoutedPart {
  /** the route that takes these addresses; several when a static and a propagated route tie and neither can be told apart */
  routes: Route[];
  space: Space6;
}

/** A route table's CIDR routes of one family, the most specific first, with the span of the routes from each on. */
interface SortedRoutes {
  list: Array<{ r: Route; iv: Interval6 }>;
  /** the lowest first address and the highest last address of the routes from index i on */
  lo: bigint[];
  hi: bigint[];
}

const sortedRoutes = new WeakMap<RouteTable, { v4?: SortedRoutes; v6?: SortedRoutes }>();

/** `rt`'s routes of one family sorted once per table (a trace asks for every target of a load balancer). */
function sortedOf(rt: RouteTable, v6: boolean): SortedRoutes {
  let cached = sortedRoutes.get(rt);
  if (!cached) sortedRoutes.set(rt, (cached = {}));
  const known = v6 ? cached.v6 : cached.v4;
  if (known) return known;
  const list = rt.routes
    .map((r) => ({ r, iv: interval(r.destination, v6) }))
    .filter((x): x is { r: Route; iv: Interval6 } => x.iv !== undefined)
    // the most specific first; one destination's routes side by side
    .sort((a, b) => cmp(a.iv[1] - a.iv[0], b.iv[1] - b.iv[0]) || cmp(a.iv[0], b.iv[0]));
  const lo: bigint[] = new Array(list.length);
  const hi: bigint[] = new Array(list.length);
  for (let i = list.length - 1; i >= 0; i--) {
    const iv = (list[i] as { iv: Interval6 }).iv;
    lo[i] = i + 1 < list.length ? minBig(lo[i + 1] as bigint, iv[0]) : iv[0];
    hi[i] = i + 1 < list.length ? maxBig(hi[i + 1] as bigint, iv[1]) : iv[1];
  }
  const sorted = { list, lo, hi };
  if (v6) cached.v6 = sorted;
  else cached.v4 = sorted;
  return sorted;
}

/**
 * Takes `iv`'s addresses out of `rest` (sorted, disjoint; changed in place) and returns them: a binary search finds the
 * first interval that reaches `iv`, so a route that meets none of `rest` costs a lookup, not a walk of every interval.
 */
function take(rest: Space6, iv: Interval6): Space6 {
  let a = 0;
  let b = rest.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if ((rest[m] as Interval6)[1] < iv[0]) a = m + 1;
    else b = m;
  }
  const taken: Space6 = [];
  const kept: Space6 = [];
  let j = a;
  for (; j < rest.length; j++) {
    const [lo, hi] = rest[j] as Interval6;
    if (lo > iv[1]) break;
    if (lo < iv[0]) kept.push([lo, iv[0] - 1n]);
    taken.push([maxBig(lo, iv[0]), minBig(hi, iv[1])]);
    if (hi > iv[1]) kept.push([iv[1] + 1n, hi]);
  }
  if (taken.length > 0) rest.splice(a, j - a, ...kept);
  return taken;
}

/**
 * Which route of `rt` takes traffic to each part of `space` (addresses of one family): the most specific CIDR route
 * first. `unrouted`: the addresses no route takes (their traffic is dropped). Prefix-list routes (`pl-…`) are not
 * evaluated here: the prefix list's entries are not in the snapshot (see `prefixListRoutes`). The routes are sorted once
 * per table, and the walk stops as soon as no route left can reach the addresses not yet taken.
 */
export function routesFor(rt: RouteTable, space: Space6, v6: boolean): { parts: RoutedPart[]; unrouted: Space6 } {
  const { list, lo, hi } = sortedOf(rt, v6);
  const parts: RoutedPart[] = [];
  const rest: Space6 = space.slice();
  for (let i = 0; i < list.length && rest.length > 0; ) {
    // no route from here on reaches what is left: stop
    if ((hi[i] as bigint) < (rest[0] as Interval6)[0] || (lo[i] as bigint) > (rest[rest.length - 1] as Interval6)[1]) break;
    const iv = (list[i] as { iv: Interval6 }).iv;
    // the routes to this very destination: a static route wins over one propagated from a virtual private gateway
    const same: Route[] = [];
    while (i < list.length && list[i]?.iv[0] === iv[0] && list[i]?.iv[1] === iv[1]) same.push((list[i++] as { r: Route }).r);
    const taken = take(rest, iv);
    if (taken.length === 0) continue;
    const statics = same.filter((r) => !r.target.startsWith("vgw-"));
    parts.push({ routes: statics.length > 0 && statics.length < same.length ? statics : same, space: taken });
  }
  return { parts, unrouted: rest };
}

/**
 * The routes of `rt` to a prefix list (`pl-…`) that may take a client's traffic: every one but those to a gateway VPC
 * endpoint (`vpce-…`: S3's or DynamoDB's own addresses, which hold no client). The list's entries are not in the snapshot,
 * and longest prefix match applies to them as to any CIDR, a static route winning only over an entry of the same length
 * (How route priority works, https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html; Routing using a
 * prefix list, https://docs.aws.amazon.com/vpc/latest/userguide/route-table-options.html#route-tables-managed-prefix-list):
 * such a route may take any client's address.
 */
export function prefixListRoutes(rt: RouteTable): Route[] {
  return rt.routes.filter((r) => r.destination.startsWith("pl-") && !r.target.startsWith("vpce-"));
}

/**
 * Whether a DescribeRouteTables gap may concern a load balancer's subnet `s`, as the engine places it (docs/aws-scale.md):
 * in a snapshot of several accounts and regions, a gap of one place was made into one per load balancer of that place
 * (place-gaps.ts), which concerns what it `affects` (the load balancer's subnets among them); another gap whose message
 * names its place (a wide collection's) concerns the subnets of that account and region only, as far as the subnet's own
 * location is known (awsLocate); a gap that names no place, every subnet.
 */
function gapConcerns(model: AwsModel, g: ModelGap, s: Subnet): boolean {
  if (isPlaceGapCopy(g)) return (g.affects ?? []).includes(s.key);
  const place = gapMessagePlace(g.message);
  if (!place) return true;
  const at = awsLocate({ resourceId: s.id }, model);
  if (place.region && at.region && place.region.toLowerCase() !== at.region.toLowerCase()) return false;
  if (place.account && at.account && place.account !== at.account) return false;
  return true;
}

const gapText = (g: ModelGap) => ` (collection failed: ${g.operation}: ${g.code ? `${g.code}: ` : ""}${g.message})`;

/**
 * The subnet's route table is the VPC's main one only because no table associated with the subnet is in the snapshot, while
 * DescribeRouteTables was not collected in full: the table associated with it may be the one missing. The gap's note
 * (" (collection failed: …)"), else undefined. The model falls back to the main table as AWS does for a subnet without an
 * explicit association ("If a subnet is not explicitly associated with any route table, it is implicitly associated with the
 * main route table", DescribeRouteTables, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRouteTables.html).
 * A gap of another account or region (gapConcerns) leaves it whole.
 */
export function mainTableInDoubt(model: AwsModel, s: Subnet): string | undefined {
  if (s.routeTableVia !== "main") return undefined;
  const x = routeTableGaps(model);
  // a gap about another VPC or another subnet leaves this one's tables whole; an internet gateway's own (edge) tables are read
  // apart from the subnets' (edgeTablesInDoubt)
  const g = firstOf(x, [
    x.copies.get(s.key)?.[0],
    s.vpcId === undefined ? undefined : x.vpcs.get(idKey(s.vpcId))?.[0],
    x.subnets.get(s.key)?.[0],
    x.unnamed.find((g) => gapConcerns(model, g, s)),
    x.other.find((g) => gapConcerns(model, g, s)),
  ]);
  return g ? gapText(g) : undefined;
}

/**
 * The gateway route tables of the internet gateways in `igws` (routes to them, from the route table of the load balancer's
 * subnet `s`) were not collected: DescribeRouteTables failed for one of them, or for a batch (no resource), in the subnet's
 * account and region (gapConcerns: a gap that names another place leaves the subnet's gateways whole). The gap's note, else
 * undefined.
 */
export function edgeTablesInDoubt(model: AwsModel, igws: Route[], s: Subnet): string | undefined {
  const x = routeTableGaps(model);
  const g = firstOf(x, [
    x.copies.get(s.key)?.[0],
    x.unnamed.find((g) => gapConcerns(model, g, s)),
    // a gap on one of these gateways, of the subnet's own account and region (a wide collection's gap names its place)
    ...[...new Set(igws.map((r) => idKey(r.target)))].map((id) => x.igws.get(id)?.find((g) => gapConcerns(model, g, s))),
  ]);
  return g ? gapText(g) : undefined;
}

/** The DescribeRouteTables collection gaps, sorted once per gap list by what they name (mainTableInDoubt, edgeTablesInDoubt). */
interface RouteTableGaps {
  /** each gap's place in the list: the first in the model's order speaks */
  position: Map<ModelGap, number>;
  /** the gaps of a place of several made into gaps of its load balancers (isPlaceGapCopy), by each key they affect */
  copies: Map<string, ModelGap[]>;
  /** the other gaps, by the key of the VPC, the subnet or the internet gateway they name */
  vpcs: Map<string, ModelGap[]>;
  subnets: Map<string, ModelGap[]>;
  igws: Map<string, ModelGap[]>;
  /** the gaps that name no resource, and those that name another kind of resource */
  unnamed: ModelGap[];
  other: ModelGap[];
}

const routeTableGapIndex = new WeakMap<readonly ModelGap[], RouteTableGaps>();

/** The model's DescribeRouteTables gaps sorted by what they name, once per gap list (listGaps returns the same list). */
function routeTableGaps(model: AwsModel): RouteTableGaps {
  const list = listGaps(model, "DescribeRouteTables");
  const known = routeTableGapIndex.get(list);
  if (known) return known;
  const x: RouteTableGaps = {
    position: new Map(),
    copies: new Map(),
    vpcs: new Map(),
    subnets: new Map(),
    igws: new Map(),
    unnamed: [],
    other: [],
  };
  const add = (m: Map<string, ModelGap[]>, k: string, g: ModelGap) => {
    const at = m.get(k);
    if (at) {
      if (at.at(-1) !== g) at.push(g);
    } else m.set(k, [g]);
  };
  list.forEach((g, i) => {
    x.position.set(g, i);
    if (isPlaceGapCopy(g)) {
      for (const k of g.affects ?? []) add(x.copies, k, g);
      return;
    }
    const id = g.resourceId === undefined ? undefined : idKey(g.resourceId);
    if (id === undefined) x.unnamed.push(g);
    else if (id.startsWith("vpc-")) add(x.vpcs, id, g);
    else if (id.startsWith("subnet-")) add(x.subnets, id, g);
    else if (id.startsWith("igw-")) add(x.igws, id, g);
    else x.other.push(g);
  });
  routeTableGapIndex.set(list, x);
  return x;
}

/** The gap first in the model's order among these. */
function firstOf(x: RouteTableGaps, gaps: Array<ModelGap | undefined>): ModelGap | undefined {
  let first: ModelGap | undefined;
  for (const g of gaps) if (g && (first === undefined || (x.position.get(g) ?? 0) < (x.position.get(first) ?? 0))) first = g;
  return first;
}

const edgeIndex = new WeakMap<AwsModel, Map<string, RouteTable[]>>();

/**
 * The gateway route tables of an internet gateway: the tables associated with it (an edge association,
 * `Associations[].GatewayId`; RouteTableAssociation, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RouteTableAssociation.html),
 * which route the traffic that enters the VPC through it (Gateway route tables,
 * https://docs.aws.amazon.com/vpc/latest/userguide/gateway-route-tables.html). Indexed once per model.
 */
export function gatewayRouteTables(model: AwsModel, gatewayId: string): RouteTable[] {
  let index = edgeIndex.get(model);
  if (!index) {
    index = new Map();
    for (const rt of model.routeTables)
      for (const a of rt.associations) {
        if (a.gatewayId === undefined) continue;
        const k = a.gatewayId.toLowerCase();
        const list = index.get(k);
        if (!list) index.set(k, [rt]);
        else if (!list.includes(rt)) list.push(rt);
      }
    edgeIndex.set(model, index);
  }
  return index.get(gatewayId.toLowerCase()) ?? [];
}

// ---------------------------------------------------------------------------
// the reply from a load balancer node to clients on the internet: one decision, which `lbdoctor trace` (the load balancer
// subnet's route-table hop) and aws/internet-facing-in-private-subnets both read

/** A cloud value on one line and terminal-safe: a newline in it cannot start a line of its own beside a fix's commands. */
const line = (v: string | undefined): string => oneLine(sanitize(v ?? ""));

/**
 * pass: an active route to an internet gateway, or the local route (an address in the VPC); undecided: a VPC endpoint or a
 * middlebox appliance (a network interface, an instance), whose path on is not in the snapshot; carrier: a carrier gateway,
 * which admits no client from the internet; connected: a network connected to the VPC, for a range one network holds
 * (isConnectedRoute); wide: a network connected to the VPC for a wider range, which takes clients on the internet (a failure
 * for them, but no route for a fix to delete); fail: any other next hop (a NAT gateway, an egress-only internet gateway), a
 * blackhole.
 */
function routeKind(r: Route): "pass" | "undecided" | "carrier" | "connected" | "wide" | "fail" {
  if (r.target === "local" || isIgwRoute(r)) return "pass";
  if (isCarrierRoute(r)) return "carrier";
  if (isConnectedTarget(r)) return isConnectedRoute(r) ? "connected" : "wide";
  return undecidedRoute(r) ? "undecided" : "fail";
}

/** The clients of one family, as the route check reads them: all their addresses (`whole`) and those on the internet. */
export interface ClientSpace {
  key: string;
  whole: Space6;
  internet: Space6;
}

const clientSpaces = new Map<string, ClientSpace>();

/** The clients' addresses of one family, computed once per set of addresses (the TUI traces every target of a load balancer). */
export function clientSpace6(cidrs: readonly string[], v6: boolean): ClientSpace {
  const key = clientKey(cidrs, v6);
  const known = clientSpaces.get(key);
  if (known) return known;
  const c = buildClientSpace(cidrs, v6, key);
  // a few sets are traced again and again (the internet of each family, one client): a bounded memo
  if (clientSpaces.size >= 64) clientSpaces.clear();
  clientSpaces.set(key, c);
  return c;
}

function clientKey(cidrs: readonly string[], v6: boolean): string {
  return `${v6 ? 6 : 4}|${cidrs.join(",")}`;
}

/** The clients' addresses of one family, as clientSpace6 has them (its key too: replyRoutes' memo shares the entries). */
function buildClientSpace(cidrs: readonly string[], v6: boolean, key = clientKey(cidrs, v6)): ClientSpace {
  const whole = familySpace(cidrs, v6);
  return { key, whole, internet: intersect6(whole, internetSpace(v6)) };
}

/** What a route table does with the replies to one family of some clients' addresses on the internet (see `replyRoutes`). */
interface ReplyRoutes {
  /**
   * the addresses whose reply goes to neither an internet gateway, nor the VPC, nor a network connected to it for that
   * network's own range (a wider route to one is here), with the route that takes them (none: unrouted)
   */
  failing: Array<{ route?: Route; space: Space6 }>;
  failSpace: Space6;
  /** the addresses a route to a network connected to the VPC takes (isConnectedRoute), with that route */
  connected: Array<{ route: Route; space: Space6 }>;
  /** the addresses a route with an undecided next hop takes (or tied routes of different kinds) */
  undecided: Array<{ routes: Route[]; space: Space6 }>;
  /** the routes to an internet gateway that take some of the addresses */
  igws: Route[];
  /** every address of the clients goes elsewhere than an internet gateway (`failing` and `connected`), the VPC's aside */
  all: boolean;
  /** every address on the internet goes elsewhere than an internet gateway, those the local route keeps in the VPC aside */
  allInternet: boolean;
  /**
   * the routes to connected networks (isConnectedTarget, of any width) more specific than the family's default route alone take
   * every address of the clients on the internet, the VPC's aside
   */
  connectedAll: boolean;
  /** the routes to a prefix list that may take some of the addresses (its entries are not in the snapshot) */
  lists: Route[];
  /** `failSpace` as CIDR texts, written on first use */
  failCidrs?: string[];
}

const replies = new WeakMap<RouteTable, Map<string, ReplyRoutes>>();

/**
 * Which route of `rt` takes the replies to the clients' addresses on the internet, in kinds: computed once per route table
 * and set of clients (a load balancer's view traces each of its targets, through the same few tables). The addresses the
 * local route takes are in the VPC (its unused space as well: AWS adds a local route for each of the VPC's CIDRs, IPv6 ones
 * included, Subnet route tables, https://docs.aws.amazon.com/vpc/latest/userguide/subnet-route-tables.html), and no client
 * on the internet holds one: they are left aside when deciding whether every client fails.
 */
function replyRoutes(rt: RouteTable, v6: boolean, c: ClientSpace): ReplyRoutes {
  let byClients = replies.get(rt);
  if (!byClients) replies.set(rt, (byClients = new Map()));
  const known = byClients.get(c.key);
  if (known) return known;
  const { parts, unrouted } = routesFor(rt, c.internet, v6);
  const failing: ReplyRoutes["failing"] = unrouted.length > 0 ? [{ space: unrouted }] : [];
  const connected: ReplyRoutes["connected"] = [];
  const undecided: ReplyRoutes["undecided"] = [];
  const igws: Route[] = [];
  const local: Space6 = [];
  for (const p of parts) {
    const kinds = new Set(p.routes.map(routeKind));
    if (kinds.size > 1 || kinds.has("undecided")) undecided.push(p);
    else if (kinds.has("fail") || kinds.has("carrier") || kinds.has("wide")) failing.push({ route: p.routes[0] as Route, space: p.space });
    else if (kinds.has("connected")) connected.push({ route: p.routes[0] as Route, space: p.space });
    else if (p.routes.every((r) => r.target === "local")) local.push(...p.space);
    else igws.push(p.routes[0] as Route);
  }
  const failSpace = normalize6(failing.flatMap((f) => f.space));
  const connectedSpace = normalize6(connected.flatMap((f) => f.space));
  const elsewhere = connected.length > 0 ? normalize6([...failSpace, ...connectedSpace]) : failSpace;
  const inVpc = normalize6(local);
  const covers = (space: Space6, of: Space6) => space.length > 0 && subtract6(subtract6(of, inVpc), space).length === 0;
  // the routes to connected networks other than the default route: a fix of the default route leaves them as they are
  const dest = v6 ? V6 : V4;
  const specificConnected = normalize6(
    [...failing, ...connected].flatMap((f) => (f.route && f.route.destination !== dest && isConnectedTarget(f.route) ? f.space : [])),
  );
  const r: ReplyRoutes = {
    failing,
    failSpace,
    connected,
    undecided,
    igws,
    all: covers(elsewhere, c.whole),
    allInternet: covers(elsewhere, c.internet),
    connectedAll: covers(specificConnected, c.internet),
    lists: prefixListRoutes(rt),
  };
  if (byClients.size >= 64) byClients.clear();
  byClients.set(c.key, r);
  return r;
}

/** "prefix list pl-0a to tgw-0b" for each route, the first three. */
function listText(routes: Route[]): string {
  const named = routes.slice(0, 3).map((r) => `prefix list ${line(r.destination)} to ${line(r.target)}`);
  return `${named.join(", ")}${routes.length > 3 ? `, and ${routes.length - 3} more` : ""}`;
}

/**
 * The gateway route table (edge association) of an internet gateway that sends the traffic for the subnet's addresses of one
 * family to something other than the local route (a middlebox appliance, a Gateway Load Balancer endpoint), if any.
 */
function edgeDetour(model: AwsModel, sub: Subnet, v6: boolean, igws: Route[]): { edge: RouteTable; route: Route } | undefined {
  const own = familySpace(v6 ? sub.ipv6Cidrs : sub.cidr ? [sub.cidr] : [], v6);
  if (own.length === 0) return undefined;
  for (const g of new Set(igws.map((r) => r.target)))
    for (const edge of gatewayRouteTables(model, g)) {
      for (const p of routesFor(edge, own, v6).parts) {
        const route = p.routes.find((r) => r.target !== "local");
        if (route) return { edge, route };
      }
    }
  return undefined;
}

/** What the route tables do with the reply from a load balancer node to clients on the internet (see `replyRoute`). */
export interface ReplyRoute {
  verdict: "allow" | "deny" | "unknown";
  /** why, in words, each cloud value on one line (the trace prints it after the zone: "subnet-0a in us-east-1a: …") */
  text: string;
  /** the node's subnet's route table, as the model resolves it (its explicit association, else the VPC's main table) */
  rt?: RouteTable;
  /** a deny: the route that takes most of the clients (none: no route takes them), and that in words, and where it is */
  route?: Route;
  deciding?: string;
  ptr?: string;
  /** a deny: every route that takes some of the replies elsewhere than an internet gateway */
  routes?: Route[];
  /**
   * a deny: the routes other than the family's default route that take replies elsewhere and must go for them to reach an
   * internet gateway (a NAT gateway's `0.0.0.0/2` under a `0.0.0.0/0` route): a route to a connected network is none of them
   */
  blocking?: Route[];
  /** a deny: the routes other than the default route the words name (`blocking`, and connected networks' that take it all) */
  also?: Route[];
  /** a deny: some of the addresses no route takes (the table has no default route) */
  unrouted?: boolean;
  /**
   * a deny: the routes to connected networks (isConnectedRoute) alone take every address of the clients on the internet, so no
   * internet-gateway route or removal of other routes can bring their replies back
   */
  connectedAll?: boolean;
  /** an allow: the internet-gateway routes that take the replies (none: the local route keeps them in the VPC) */
  igws?: Route[];
  /**
   * unknown because of routes: those that leave it undecided and the table that holds them (the subnet's, or an internet
   * gateway's edge table that sends the requests for the subnet elsewhere)
   */
  undecided?: { table: RouteTable; routes: Route[] };
}

/**
 * The reply from the load balancer's node in subnet `sub` (`subnetId` when the subnet is not in the snapshot) to `clients`'
 * addresses on the internet of one family (`c`, from clientSpace6; `label` names them): it leaves through the subnet's route
 * table, whose most specific route for each address must go to an internet gateway (Subnets for your load balancer,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer;
 * How route priority works, https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html). A NAT gateway, an
 * egress-only internet gateway, a blackhole or no route at all leave every client without a reply (deny), a carrier gateway
 * too (it admits no client from the internet). A route to a network connected to the VPC (a peering connection, a transit,
 * virtual private or local gateway, a core network: isConnectedRoute) that takes part of the addresses takes that network's
 * addresses, not clients on the internet: the other routes decide; it denies only with the others that fail, when they take
 * every address. Unknown, never allowed:
 * - the subnet or its route table is not in the snapshot, or the main table stands in while DescribeRouteTables was not
 *   collected in full (mainTableInDoubt);
 * - only part of the clients' addresses fail (a route to a connected network aside), or a route to a VPC endpoint or a
 *   middlebox appliance (or tied routes of different kinds) takes some of them;
 * - a route to a prefix list (not a gateway endpoint's) goes elsewhere than the verdict's next hops: the list's entries are
 *   not in the snapshot, and the reply to an address in one takes its route wherever no more specific route does
 *   (prefixListRoutes); a prefix-list route to the same kind of next hop as the verdict's cannot change it;
 * - the internet gateway's gateway route table (edge association) sends the requests for the subnet through an appliance the
 *   replies skip, asymmetric routing, which AWS does not support (Gateway route tables,
 *   https://docs.aws.amazon.com/vpc/latest/userguide/gateway-route-tables.html), or its gateway route tables were not
 *   collected (edgeTablesInDoubt).
 */
export function replyRoute(
  model: AwsModel,
  sub: Subnet | undefined,
  subnetId: string,
  label: string,
  v6: boolean,
  c: ClientSpace,
): ReplyRoute {
  if (!sub)
    return {
      verdict: "unknown",
      text: `subnet ${line(subnetId)} is not in the snapshot${line(gapNote(model, [subnetId], ["DescribeSubnets"]))}`,
    };
  const rt = sub.routeTable;
  if (!rt)
    return {
      verdict: "unknown",
      text: `its route table is not in the snapshot (neither a table associated with it nor the VPC's main route table)${line(gapNote(model, [sub.id], ["DescribeRouteTables"]))}`,
    };
  const table = `route table ${line(rt.id)} (${sub.routeTableVia === "main" ? "the VPC's main route table" : "explicitly associated"})`;
  // the main table stands in because no table associated with the subnet was seen: with route tables missing, it may be wrong
  const doubt = mainTableInDoubt(model, sub);
  if (doubt)
    return {
      verdict: "unknown",
      rt,
      text: `no route table associated with it is in the snapshot, so ${table} stands in, but DescribeRouteTables was not collected in full${line(doubt)}: the table associated with it may be one of those missing`,
    };
  const dest = v6 ? V6 : V4;
  const a = replyRoutes(rt, v6, c);
  // a prefix list may hold any client's address: a route to it whose kind differs from the verdict's leaves it undecided
  const listsBut = (kind: "pass" | "fail") =>
    a.lists.filter((r) => {
      const k = routeKind(r);
      // a connected network's route takes no reply to the internet gateway either: it cannot change a deny
      return kind === "pass" ? k !== "pass" : k !== "fail" && k !== "carrier" && k !== "connected" && k !== "wide";
    });
  const listNote = (routes: Route[]) =>
    `it also sends ${listText(routes)}: a prefix list's entries are not in the snapshot, and the reply to an address in one takes its route when no more specific route does, so whether the reply to ${line(label)} takes it is not known`;
  // a route to a network connected to the VPC takes that network's addresses: a failure only when such routes (with the others
  // that fail) take every client's address, or every address on the internet
  if (a.failSpace.length > 0 || a.all || a.allInternet) {
    // the route that takes most of the clients speaks for the failure
    const parts: Array<{ route?: Route; space: Space6 }> = a.all
      ? [...a.failing, ...a.connected]
      : a.failing.length > 0
        ? a.failing
        : a.connected;
    const worst = parts.reduce((x, y) => (size6(y.space) > size6(x.space) ? y : x));
    const others = a.all ? listsBut("fail") : [];
    const deciding = (detail: string) => `route table ${line(rt.id)} ${detail}`;
    const ptr = worst.route?.ptr ?? `${rt.ptr}/Routes`;
    if (others.length > 0) {
      const detail = line(routeDetail(worst.route?.destination ?? dest, worst.route));
      return { verdict: "unknown", rt, text: `${table} ${detail}, but ${listNote(others)}`, undecided: { table: rt, routes: others } };
    }
    if (!a.all) {
      const detail = line(routeDetail(worst.route?.destination ?? dest, worst.route));
      a.failCidrs ??= spaceCidrs(a.failSpace, v6);
      const cidrs = a.failCidrs;
      // "any address": the part on the internet fails, the rest (the VPC, networks connected to it) is another matter
      const part = a.allInternet
        ? `any address on the internet (${line(label)} also holds addresses in the VPC or networks connected to it)`
        : `part of ${line(label)} (${cidrs.slice(0, 4).join(", ")}${cidrs.length > 4 ? ", …" : ""})`;
      return {
        verdict: "unknown",
        rt,
        deciding: deciding(detail),
        ptr,
        text: `${table} ${detail}: the reply to ${part} never reaches an internet gateway: trace one client address`,
        ...(worst.route ? { undecided: { table: rt, routes: [worst.route] } } : {}),
      };
    }
    // the more specific routes that take replies elsewhere (a NAT gateway's, say) besides the worst: a fix must remove them
    // too; a connected network's is its network's addresses, unless such routes take every address on the internet; a wider
    // route to one (0.0.0.0/1 to a VPN) takes clients on the internet, but deleting it is not the table's fix to give: it is
    // named, never deleted
    const specific = (list: Array<{ route?: Route }>) =>
      list.map((f) => f.route).filter((r): r is Route => r !== undefined && r.destination !== dest);
    const blocking = [...new Set(specific(a.failing).filter((r) => !isConnectedTarget(r)))];
    const named = [...new Set([...specific(a.failing), ...(a.connectedAll ? specific(a.connected) : [])])];
    const routes = [...new Set(parts.map((f) => f.route).filter((r): r is Route => r !== undefined))];
    const unrouted = a.failing.some((f) => !f.route);
    const detail = line(denyDetail(dest, { ...(worst.route ? { route: worst.route } : {}), also: named, unrouted }));
    return {
      verdict: "deny",
      rt,
      ...(worst.route ? { route: worst.route } : {}),
      deciding: deciding(detail),
      ptr,
      text: `${table} ${detail}: the reply to ${line(label)} never reaches an internet gateway`,
      routes,
      blocking,
      also: named,
      unrouted,
      connectedAll: a.connectedAll,
    };
  }
  const u = a.undecided[0];
  if (u) {
    const r = u.routes[0] as Route;
    const text =
      u.routes.length > 1
        ? `${table} has ${u.routes.length} routes for ${line(r.destination)} (${u.routes.map((x) => line(x.target)).join(", ")}), and which one carries the reply to ${line(label)} is not known`
        : `${table} sends ${line(r.destination)} to ${line(r.target)}, ${undecidedRoute(r)?.long ?? "whose path on is not in the snapshot"}`;
    return { verdict: "unknown", rt, text, undecided: { table: rt, routes: u.routes } };
  }
  const igw = a.igws[0];
  const sends = `${table} ${igw ? `sends ${line(igw.destination)} to ${line(igw.target)}` : "keeps the reply in the VPC"}`;
  const others = listsBut("pass");
  if (others.length > 0)
    return { verdict: "unknown", rt, text: `${sends}, but ${listNote(others)}`, undecided: { table: rt, routes: others } };
  // internet gateway ingress routing: the requests to the subnet go through an appliance the replies skip
  const detour = edgeDetour(model, sub, v6, a.igws);
  if (detour)
    return {
      verdict: "unknown",
      rt,
      text: `${sends}, but the internet gateway's route table ${line(detour.edge.id)} (a gateway route table) sends ${line(detour.route.destination)}, which holds ${line(sub.id)}, to ${line(detour.route.target)}: the requests go through ${line(detour.route.target)} and the replies do not, and AWS does not support such asymmetric routing (the return traffic must go through the same appliance), so whether the clients get a reply is not known`,
      undecided: { table: detour.edge, routes: [detour.route] },
    };
  // the internet gateway's own route tables were not read: one may send the requests through an appliance the replies skip
  const edgeDoubt = a.igws.length > 0 ? edgeTablesInDoubt(model, a.igws, sub) : undefined;
  if (edgeDoubt)
    return {
      verdict: "unknown",
      rt,
      text: `${sends}, but the internet gateway's own route tables were not collected${line(edgeDoubt)}: one may send the requests for ${line(sub.id)} through an appliance the replies skip`,
    };
  return { verdict: "allow", rt, text: sends, igws: a.igws };
}
