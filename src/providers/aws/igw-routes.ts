/**
 * Whether a subnet's route table reaches an internet gateway: what an internet-facing load balancer's subnets need
 * ("public subnets": a route to an internet gateway), shared by the rule `aws/internet-facing-in-private-subnets` and
 * `lbdoctor trace` (the reply from a load balancer node to a client on the internet).
 *
 * Route selection is the VPC's: the most specific route that matches the destination (longest prefix match), IPv4
 * and IPv6 independently; between a static and a propagated route to the same destination, the static one
 * (How route priority works, https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html).
 */
import {
  INTERNET_V4,
  type Interval6,
  intersect6,
  ipv4Cidr,
  ipv6Interval,
  normalize6,
  type Space6,
  spaceOf6,
  subtract6,
  toCidrs,
  toCidrs6,
} from "../../core/util/ip.ts";
import type { AwsModel, LoadBalancer, Route, RouteTable, Subnet } from "./model.ts";
import { jsonForCommand, placeholder, sh } from "./rule-helpers.ts";

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
 * Why an internet-facing load balancer's default route that goes to neither an internet gateway nor a dead end leaves its
 * zone undecided, in a long form (the zone's own verdict) and a short one (a family named beside another that fails); else
 * undefined. A VPC endpoint (a Network Firewall or Gateway Load Balancer endpoint) continues a path the snapshot does not
 * hold; a carrier gateway admits the carrier network's clients and not the internet's, and which ones the load balancer
 * serves is not in the snapshot.
 */
export function undecidedRoute(r: Route | undefined): { long: string; short: string } | undefined {
  if (isEndpointRoute(r))
    return {
      long:
        "a VPC endpoint (a Network Firewall or Gateway Load Balancer endpoint, as in internet gateway ingress routing): whether that " +
        "endpoint's subnet routes to an internet gateway, and whether the gateway's edge route table sends the clients back through it, " +
        "is not in the snapshot",
      short:
        "a VPC endpoint (a Network Firewall or Gateway Load Balancer endpoint) whose path to an internet gateway is not in the snapshot",
    };
  if (isCarrierRoute(r))
    return {
      long:
        "a carrier gateway (the gateway of a Wavelength Zone): it admits clients on the telecommunication carrier's network, not " +
        "clients on the internet (no inbound connection from the internet reaches a Wavelength Zone through a carrier gateway), and " +
        "whether the load balancer's clients are on the carrier network is not in the snapshot",
      short: "a carrier gateway (a Wavelength Zone's), which admits clients on the carrier network but none from the internet",
    };
  return undefined;
}

/** A subnet is public when its route table sends 0.0.0.0/0 (each of `dests`) to an internet gateway (an active route). */
export function isPublic(s: Subnet, dests: string[] = [V4]): boolean {
  const rt = s.routeTable;
  return !!rt && dests.every((d) => isIgwRoute(defaultRoute(rt, d)));
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
 * The fix for a subnet of `lb` whose default routes `failing` (0.0.0.0/0, ::/0) do not go to an internet gateway: move an
 * ALB to public subnets of the same zones, else associate the subnet with a public route table of the VPC, else add (or
 * replace) the default routes. `inspected`: the subnet's other family goes through a VPC endpoint (inspection): moving the
 * load balancer or swapping the route table would bypass it, so only the missing route is added. The subnet's route table
 * must be known.
 */
export function internetGatewayRouteFix(
  model: AwsModel,
  lb: LoadBalancer,
  s: Subnet,
  failing: string[],
  inspected = false,
): { summary: string; commands: string[] } {
  const dests = neededRoutes(lb);
  // 1. an ALB can move to the VPC's public subnets in the same zones
  if (lb.type === "application" && !inspected) {
    const replacement = lb.zones.map((z) => {
      if (z.subnet && isPublic(z.subnet, dests)) return z.subnet;
      return model.subnets.find(
        (x) => x.vpcId === lb.vpcId && x.availabilityZone === (z.zoneName ?? z.subnet?.availabilityZone) && isPublic(x, dests),
      );
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
  const publicRt = model.routeTables.find(
    (t) => t.vpcId === s.vpcId && t.key !== rt.key && dests.every((d) => isIgwRoute(defaultRoute(t, d))),
  );
  if (publicRt && !inspected) {
    const cmd =
      s.routeTableVia === "association" && s.routeTableAssociationId
        ? `aws ec2 replace-route-table-association --association-id ${sh(s.routeTableAssociationId)} --route-table-id ${sh(publicRt.id)}`
        : `aws ec2 associate-route-table --route-table-id ${sh(publicRt.id)} --subnet-id ${sh(s.id)}`;
    return {
      summary: `Associate ${s.id} with the public route table ${publicRt.id} (its ${dests.join(" and ")} ${dests.length > 1 ? "go" : "goes"} to the internet gateway).`,
      commands: [cmd],
    };
  }
  // 3. add (or replace) the default route to the internet gateway: one per failing family
  const igw = vpcIgw(model, s.vpcId);
  const commands = failing.map((dest) => {
    const verb = defaultRoute(rt, dest) ? "replace-route" : "create-route";
    const option = dest === V6 ? "--destination-ipv6-cidr-block" : "--destination-cidr-block";
    return `aws ec2 ${verb} --route-table-id ${sh(rt.id)} ${option} ${sh(dest)} --gateway-id ${igw ? sh(igw) : placeholder("igw-id")}`;
  });
  if (!igw)
    commands.unshift(
      `aws ec2 describe-internet-gateways --filters ${sh(jsonForCommand([{ Name: "attachment.vpc-id", Values: [s.vpcId ?? "<vpc-id>"] }]))}`,
    );
  const caveat =
    rt.isMain && s.routeTableVia === "main"
      ? ` ${rt.id} is the VPC's main route table: every subnet without its own table would become public; prefer a dedicated table.`
      : "";
  return { summary: `Route ${failing.join(" and ")} from ${rt.id} to the VPC's internet gateway.${caveat}`, commands };
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

/** A space of one family as CIDR texts. */
export function spaceCidrs(space: Space6, v6: boolean): string[] {
  return v6 ? toCidrs6(space) : toCidrs(space.map(([a, b]): [number, number] => [Number(a), Number(b)]));
}

export interface RoutedPart {
  /** the route that takes these addresses; several when a static and a propagated route tie and neither can be told apart */
  routes: Route[];
  space: Space6;
}

/**
 * Which route of `rt` takes traffic to each part of `space` (addresses of one family): the most specific CIDR route
 * first. `unrouted`: the addresses no route takes (their traffic is dropped). Prefix-list routes (`pl-…`) are not
 * evaluated: the prefix list's entries are not in the snapshot (most are a gateway endpoint's, S3's or DynamoDB's own
 * addresses, which hold no client).
 */
export function routesFor(rt: RouteTable, space: Space6, v6: boolean): { parts: RoutedPart[]; unrouted: Space6 } {
  const withIv = rt.routes
    .map((r) => ({ r, iv: interval(r.destination, v6) }))
    .filter((x): x is { r: Route; iv: Interval6 } => x.iv !== undefined)
    // the most specific first; one destination's routes side by side
    .sort((a, b) => cmp(a.iv[1] - a.iv[0], b.iv[1] - b.iv[0]) || cmp(a.iv[0], b.iv[0]));
  const parts: RoutedPart[] = [];
  let rest = space;
  for (let i = 0; i < withIv.length && rest.length > 0; ) {
    const iv = withIv[i]?.iv as Interval6;
    // the routes to this very destination: a static route wins over one propagated from a virtual private gateway
    const same: Route[] = [];
    while (i < withIv.length && withIv[i]?.iv[0] === iv[0] && withIv[i]?.iv[1] === iv[1]) same.push((withIv[i++] as { r: Route }).r);
    const statics = same.filter((r) => !r.target.startsWith("vgw-"));
    const routes = statics.length > 0 && statics.length < same.length ? statics : same;
    const taken = intersect6(rest, [iv]);
    if (taken.length === 0) continue;
    parts.push({ routes, space: taken });
    rest = subtract6(rest, taken);
  }
  return { parts, unrouted: rest };
}
