/**
 * One flow through an AWS load balancer's path, hop by hop: the client → load
 * balancer leg (LB security group ingress on the listener port, LB subnet ACL
 * inbound, and the ACL's outbound reply to the client's ephemeral port; for a
 * client on the internet, the LB subnets' route tables, which must send the
 * reply to an internet gateway), and
 * the LB (or client, or instance) → target leg (the source's security group
 * egress, the source subnet's ACL outbound, the target subnet's ACL inbound,
 * the target's security groups, and the reply back through both ACLs on the
 * ephemeral ports 1024–65535).
 *
 * Semantics come from the evaluators: security groups are stateful (a reply
 * is always allowed, so they are checked in the request's direction only) and
 * allow-only; network ACLs are stateless (both directions, first match by rule
 * number, `*` denies). An LB node's address is somewhere in its subnet's CIDR,
 * so a rule that covers only part of that CIDR is `unknown`, never a guess.
 * Both `lbdoctor trace` and the TUI trace view print these hops.
 */
import type { TraceLayer, Verdict } from "../../core/inspect.ts";
import { oneLine, sanitize } from "../../core/report/sanitize.ts";
import { type Interval, spaceOf6, subtract6, toCidrs6 } from "../../core/util/ip.ts";
import {
  type ClientSpace,
  clientSpace6,
  defaultRoute,
  internetGatewayRouteFix,
  isCarrierRoute,
  isConnectedTarget,
  neededRoutes,
  replyRoute,
  undecidedRoute,
  V4,
  V6,
} from "./igw-routes.ts";
import type {
  AwsModel,
  Instance,
  LbZone,
  LoadBalancer,
  NaclEntry,
  NetworkAcl,
  RouteTable,
  SecurityGroup,
  Subnet,
  TargetGroup,
} from "./model.ts";
import { EPHEMERAL, evaluateNacl, type NaclVerdict, portsText } from "./nacl.ts";
import { clientSpace, trafficProtocols, zoneLabel } from "./rule-helpers.ts";
import { evaluateGroups, type Protocol, type SgMatch, type SgPeer } from "./sg.ts";

const s = (v: string | undefined): string => sanitize(v ?? "");

/** One end of the flow. */
export interface Endpoint {
  /** "clients on the internet", "web-alb's nodes", "i-0abc (web-1)" */
  label: string;
  /** its addresses: one IP, a subnet's CIDR (an LB node), or a space (clients) */
  cidrs: string[];
  /** its security groups (sources only; exact) */
  groupIds: string[];
  /** the groups resolved, and the ids the snapshot lacks */
  groups: SecurityGroup[];
  missingGroups: string[];
  /** the subnet(s) it sits in; none for a client outside the VPC */
  subnets: Subnet[];
  /** the address is one of a set (an LB node, "the internet"): a rule covering only part of it cannot be decided */
  spread: "exact" | "lb-node" | "clients";
  /** the endpoint has no security groups at all (an NLB created without them): nothing filters at it */
  noGroups?: boolean;
  /**
   * "ipv6": the flow is IPv6 (an IPv6 target's): an LB node's addresses are in its subnet's IPv6 CIDR. Also the family of an
   * end whose addresses are not known (`cidrs` empty), which then may hold any address of it.
   */
  family?: "ipv6";
}

export interface TraceHop extends TraceLayer {
  /** the security group or network ACL ids evaluated */
  resources: string[];
  /** the deciding network ACL entry's rule number (32767 for `*`) */
  ruleNumber?: number;
}

export interface PathTrace {
  hops: TraceHop[];
  verdict: Verdict;
  why?: string;
  reason?: string;
}

const RANK: Record<Verdict, number> = { allow: 0, unknown: 1, deny: 2 };

function proto(p: string | undefined): string {
  const l = (p ?? "-1").toLowerCase();
  return l === "-1" || l === "all" ? "all traffic" : l === "6" ? "tcp" : l === "17" ? "udp" : l;
}

function permPorts(from: number | undefined, to: number | undefined): string {
  if (from === undefined || (from === -1 && to === -1)) return "all ports";
  return from === to ? `port ${from}` : `ports ${from}–${to}`;
}

/** "tcp port 80 from sg-0lb (ingress of sg-0web)" */
export function sgMatchName(m: SgMatch, direction: "ingress" | "egress"): string {
  const p = m.permission;
  const what = proto(p.protocol) === "all traffic" ? "all traffic" : `${proto(p.protocol)} ${permPorts(p.fromPort, p.toPort)}`;
  return `${direction} ${what} ${direction === "ingress" ? "from" : "to"} ${s(m.value)} in ${s(m.sg.id)}`;
}

/** "rule 100: allow tcp 1024–65535 from 0.0.0.0/0", "rule * (implicit deny)" */
export function naclEntryName(e: NaclEntry): string {
  if (e.implicit) return "rule * (the implicit deny)";
  const ports = e.portRange && proto(e.protocol) !== "all traffic" ? ` ${portsText([[e.portRange.from, e.portRange.to]])}` : "";
  return `rule ${e.ruleNumber}: ${e.action} ${proto(e.protocol)}${ports} ${e.egress ? "to" : "from"} ${s(e.cidr ?? e.ipv6Cidr ?? "0.0.0.0/0")}`;
}

function groupsText(groups: SecurityGroup[], missing: string[]): string {
  const names = groups.map((g) => (g.groupName && g.groupName !== g.id ? `${s(g.id)} (${s(g.groupName)})` : s(g.id)));
  return [...names, ...missing.map((m) => `${s(m)} (not in the snapshot)`)].join(", ");
}

// ---------------------------------------------------------------------------
// security groups

/** The request through `at`'s security groups: ingress from `peer`, or egress to it. */
export function sgHop(
  kind: string,
  whoLabel: string,
  at: Endpoint,
  direction: "ingress" | "egress",
  peer: Endpoint,
  protocol: Protocol,
  port: number,
): TraceHop {
  const peers = peersOf(peer);
  const hops = peers.map((p) => sgHopOne(kind, whoLabel, at, direction, p, protocol, port));
  const worst = hops.reduce((a, b) => (RANK[b.verdict] > RANK[a.verdict] ? b : a));
  if (hops.length > 1 && hops.some((h) => h.verdict !== worst.verdict)) {
    worst.notes.unshift({
      kind: "reason",
      text: peers.map((p, i) => `${s(p.label)}: ${(hops[i]?.verdict ?? "unknown").toUpperCase()}`).join("; "),
    });
  }
  return worst;
}

function sgHopOne(
  kind: string,
  whoLabel: string,
  at: Endpoint,
  direction: "ingress" | "egress",
  peer: Endpoint,
  protocol: Protocol,
  port: number,
): TraceHop {
  // the kind and direction first: what a narrow terminal keeps when it cuts the line
  const title = `${whoLabel} security group${at.groups.length + at.missingGroups.length > 1 ? "s" : ""} ${direction} · ${groupsText(at.groups, at.missingGroups) || "(none)"}`;
  const hop: TraceHop = { layer: kind, where: whoLabel, title, verdict: "unknown", notes: [], resources: at.groupIds };
  if (at.noGroups) {
    hop.title = `${whoLabel} · no security groups`;
    hop.verdict = "allow";
    hop.notes.push({ kind: "reason", text: `${whoLabel} has no security groups: nothing filters here` });
    return hop;
  }
  if (at.groupIds.length === 0) {
    hop.notes.push({ kind: "reason", text: `the security groups of ${at.label} are not in the snapshot` });
    return hop;
  }
  const sgPeer: SgPeer = { cidrs: peer.cidrs, groupIds: peer.groupIds, label: peer.label, ...(peer.family ? { family: peer.family } : {}) };
  const v = evaluateGroups(at.groups, direction, sgPeer, protocol, port, at.missingGroups);
  const toFrom = direction === "ingress" ? "from" : "to";
  const m = v.allowedBy[0];
  if (v.verdict === "allow" && m) {
    hop.verdict = "allow";
    hop.deciding = { name: sgMatchName(m, direction), isDefault: false, access: "Allow", ptr: m.ptr };
    return hop;
  }
  if (v.verdict === "deny") {
    hop.verdict = "deny";
    const first = at.groups[0];
    hop.deciding = {
      name: `no ${direction} rule allows ${protocol} ${port} ${toFrom} ${s(peer.label)} (security groups deny what they do not allow)`,
      isDefault: true,
      access: "Deny",
      ptr: first ? `${first.ptr}/${direction === "ingress" ? "IpPermissions" : "IpPermissionsEgress"}` : "",
    };
    for (const x of v.otherPorts.slice(0, 2))
      hop.notes.push({ kind: "partial", text: `near miss: ${sgMatchName(x, direction)} (another port)` });
    for (const x of v.otherCidrs.slice(0, 2))
      hop.notes.push({ kind: "partial", text: `near miss: ${sgMatchName(x, direction)} (other addresses)` });
    for (const x of v.otherGroups.slice(0, 2))
      hop.notes.push({ kind: "partial", text: `near miss: ${sgMatchName(x, direction)} (a group ${s(peer.label)} does not carry)` });
    return hop;
  }
  if (v.verdict === "partial") {
    const allowed = v.allowedCidrs.slice(0, 4).join(", ");
    hop.verdict = peer.spread === "exact" ? "deny" : "unknown";
    const text =
      peer.spread === "clients"
        ? `only part of ${s(peer.label)} is allowed (${allowed}${v.allowedCidrs.length > 4 ? ", …" : ""}): trace one client address`
        : `only part of ${s(peer.cidrs.join(", "))} is allowed (${allowed}), and which address ${s(peer.label)} uses is not known offline`;
    hop.notes.push({ kind: "reason", text });
    if (m) hop.notes.push({ kind: "maybe", text: `allows part: ${sgMatchName(m, direction)}` });
    return hop;
  }
  hop.notes.push({ kind: "reason", text: s(v.reason ?? "cannot be decided offline") });
  for (const x of v.prefixLists.slice(0, 2)) hop.notes.push({ kind: "maybe", text: `may match: ${sgMatchName(x, direction)}` });
  return hop;
}

// ---------------------------------------------------------------------------
// network ACLs

interface NaclCase {
  subnet: Subnet;
  verdict: Verdict;
  entry?: NaclEntry;
  text?: string;
  sameSubnet?: boolean;
}

function naclCase(subnet: Subnet, egress: boolean, peer: Endpoint, protocol: Protocol, ports: Interval, other: Subnet[]): NaclCase {
  if (other.some((o) => o.key === subnet.key)) return { subnet, verdict: "allow", sameSubnet: true };
  if (!subnet.nacl) return { subnet, verdict: "unknown", text: `the network ACL of ${s(subnet.id)} is not in the snapshot` };
  if (peer.cidrs.length === 0) return unknownPeerCase(subnet, subnet.nacl, egress, peer, protocol, ports);
  const v: NaclVerdict = evaluateNacl(subnet.nacl, { egress, protocol, peer: peer.cidrs, ports });
  const first = v.decisions[0]?.entry;
  if (v.verdict === "allow") return { subnet, verdict: "allow", ...(first ? { entry: first } : {}) };
  if (v.verdict === "deny" || v.deniedPorts.length > 0) {
    const c: NaclCase = { subnet, verdict: "deny" };
    if (v.blocking) c.entry = v.blocking;
    if (v.verdict === "partial") c.text = `denies ${portsText(v.deniedPorts)} for every address of ${s(peer.label)}`;
    return c;
  }
  const c: NaclCase = {
    subnet,
    verdict: peer.spread === "exact" ? "deny" : "unknown",
    text:
      peer.spread === "clients"
        ? `denies part of ${s(peer.label)} (${v.deniedCidrs.slice(0, 4).join(", ")}): trace one client address`
        : `denies part of ${s(peer.cidrs.join(", "))} (${v.deniedCidrs.slice(0, 4).join(", ")}), and which address ${s(peer.label)} uses is not known offline`,
  };
  if (v.blocking) c.entry = v.blocking;
  return c;
}

/**
 * A peer whose addresses are not known (an LB node whose subnet's CIDR of the flow's family is not in the snapshot) may
 * hold any address of its family: denied only when the whole family space (0.0.0.0/0, ::/0) is, never allowed.
 */
function unknownPeerCase(subnet: Subnet, nacl: NetworkAcl, egress: boolean, peer: Endpoint, protocol: Protocol, ports: Interval): NaclCase {
  const v6 = peer.family === "ipv6";
  const v = evaluateNacl(nacl, { egress, protocol, peer: [v6 ? "::/0" : "0.0.0.0/0"], ports });
  const family = v6 ? "IPv6" : "IPv4";
  if (v.deniedPorts.length > 0) {
    const c: NaclCase = {
      subnet,
      verdict: "deny",
      text: `denies ${portsText(v.deniedPorts)} for every ${family} address ${s(peer.label)} may hold`,
    };
    if (v.blocking) c.entry = v.blocking;
    return c;
  }
  return {
    subnet,
    verdict: "unknown",
    text: `the ${family} address of ${s(peer.label)} is not known: its subnet's ${family} CIDR is not in the snapshot`,
  };
}

/** An LB spread over several subnets is one node per subnet: each is its own case. */
function peersOf(peer: Endpoint): Endpoint[] {
  return peer.spread === "lb-node" && peer.subnets.length > 1 ? peer.subnets.map((x) => lbNodeEndpoint(peer, x)) : [peer];
}

/**
 * One ACL direction on the subnets of one end (an LB has one per zone), against each node of the far end: the worst
 * case decides, each case is a note. Traffic within one subnet does not cross its ACL.
 */
export function naclHop(
  kind: string,
  whoLabel: string,
  subnets: Subnet[],
  egress: boolean,
  peer: Endpoint,
  protocol: Protocol,
  ports: Interval,
  purpose: string,
): TraceHop {
  const acls = [...new Set(subnets.map((x) => x.nacl?.id ?? "?"))];
  const dir = egress ? "outbound" : "inbound";
  const title = `${whoLabel} subnet ACL ${dir} (${purpose}) · ${acls.map(s).join(", ")} · ${subnets.length > 1 ? "subnets" : "subnet"} ${subnets.map((x) => s(x.id)).join(", ") || "(not known)"}`;
  const hop: TraceHop = {
    layer: kind,
    where: `${whoLabel} subnet`,
    title,
    verdict: "unknown",
    notes: [],
    resources: [...new Set(subnets.map((x) => x.nacl?.id).filter((x): x is string => !!x))],
  };
  if (subnets.length === 0) {
    hop.title = `${whoLabel} subnet ACL ${dir} (${purpose}) · subnet not known`;
    hop.notes.push({ kind: "reason", text: `the subnet of the ${s(whoLabel)} is not in the snapshot` });
    return hop;
  }
  const cases: Array<NaclCase & { peer: Endpoint }> = [];
  for (const sub of subnets)
    for (const p of peersOf(peer)) cases.push({ ...naclCase(sub, egress, p, protocol, ports, p.subnets), peer: p });
  const worst = cases.reduce((a, b) => (RANK[b.verdict] > RANK[a.verdict] ? b : a));
  hop.verdict = worst.verdict;
  if (worst.entry) {
    const e = worst.entry;
    hop.ruleNumber = e.ruleNumber;
    hop.deciding = {
      name: naclEntryName(e),
      isDefault: e.implicit,
      access: e.action === "allow" ? "Allow" : "Deny",
      ptr: e.ptr,
    };
  }
  const what = (p: Endpoint) => `${protocol} ${portsText([ports])} ${egress ? "to" : "from"} ${s(p.label)}`;
  const uniform = cases.every((c) => c.verdict === worst.verdict && c.entry === worst.entry && !c.sameSubnet && !c.text);
  if (cases.length > 1 && uniform) {
    hop.notes.push({
      kind: "reason",
      text: `${protocol} ${portsText([ports])} ${egress ? "to" : "from"} ${s(peer.label)}, in every subnet`,
    });
  } else if (cases.length > 1) {
    for (const c of cases) {
      const by = c.sameSubnet ? "same subnet: the ACL is not crossed" : c.entry ? naclEntryName(c.entry) : (c.text ?? "");
      hop.notes.push({
        kind: c.verdict === "unknown" ? "maybe" : "partial",
        text: `${s(c.subnet.id)} (${s(c.subnet.nacl?.id ?? "?")}): ${c.verdict.toUpperCase()} ${what(c.peer)}${by ? `, ${by}` : ""}`,
      });
    }
  } else {
    hop.notes.push({ kind: "reason", text: `${what(worst.peer)}${worst.sameSubnet ? ": same subnet, the ACL is not crossed" : ""}` });
    if (worst.text) hop.notes.push({ kind: worst.verdict === "unknown" ? "maybe" : "reason", text: worst.text });
  }
  return hop;
}

// ---------------------------------------------------------------------------
// the load balancer's route tables: the reply to clients on the internet

/** A cloud string on one line: a newline in it cannot start a line of its own beside the fix's `$ ` command lines. */
const line = (v: string | undefined): string => oneLine(s(v));

/** One zone of the load balancer, for one address family of the clients. */
interface RouteCase {
  /** "subnet-0a in us-east-1a" */
  where: string;
  verdict: Verdict;
  text: string;
  rt?: RouteTable;
  /** the route that decides a deny, in words, and where it is (the route, or the table's routes when one is missing) */
  deciding?: string;
  ptr?: string;
  fix?: { summary: string; commands: string[] };
  /** more to say of a deny (why no fix is given) */
  notes?: string[];
}

/**
 * The reply from the load balancer's node in one zone to the clients' addresses on the internet (`c`), as replyRoute decides
 * it (the decision aws/internet-facing-in-private-subnets reads too), with the fix of that rule where the routes deny, and why
 * there is none at a carrier gateway.
 */
function routeCase(model: AwsModel, lb: LoadBalancer, z: LbZone, clients: Endpoint, v6: boolean, c: ClientSpace): RouteCase {
  const sub = z.subnet;
  const subnetId = z.subnetId ?? sub?.id ?? "(unknown subnet)";
  const where = `${line(subnetId)} in ${line(z.zoneName ?? sub?.availabilityZone ?? "?")}`;
  const d = replyRoute(model, sub, subnetId, clients.label, v6, c);
  const rc: RouteCase = {
    where,
    verdict: d.verdict,
    text: d.text,
    ...(d.rt ? { rt: d.rt } : {}),
    ...(d.deciding ? { deciding: d.deciding } : {}),
    ...(d.ptr ? { ptr: d.ptr } : {}),
  };
  const rt = d.rt;
  if (d.verdict !== "deny" || !sub || !rt) return rc;
  const dest = v6 ? V6 : V4;
  if (d.route && isCarrierRoute(d.route)) {
    // a Wavelength Zone's subnet: an internet gateway route is not a fix to offer there
    rc.notes = [
      `no internet-gateway fix: ${line(d.route.target)} is a carrier gateway, the gateway of a Wavelength Zone's subnets, which admits clients on the telecommunication carrier's network and none from the internet; whether the load balancer should serve clients on the internet from that zone at all is not in the snapshot (aws/internet-facing-in-private-subnets leaves it unknown)`,
    ];
  } else {
    // the fix of the rule aws/internet-facing-in-private-subnets: the default route, and the more specific routes that take
    // replies elsewhere; the other family's default route to an inspection path (an endpoint, an appliance) is kept: only the
    // routes are fixed. None when routes to connected networks more specific than the default route take every reply (the
    // clients may be in those networks, and such a route is not the table's to delete): said so
    const inspected = neededRoutes(lb).some((x) => x !== dest && undecidedRoute(defaultRoute(rt, x)) !== undefined);
    const fix = internetGatewayRouteFix(model, lb, sub, [{ dest, d, clients: c }], inspected);
    if (fix) rc.fix = fix;
    else if (d.connectedAll) {
      const routes = (d.routes ?? []).filter((r) => r.destination !== dest && isConnectedTarget(r));
      const named = routes
        .slice(0, 3)
        .map((r) => `${line(r.destination)} to ${line(r.target)}`)
        .join(", ");
      const more = routes.length > 3 ? `, and ${routes.length - 3} more` : "";
      rc.notes = [
        `no internet-gateway fix: routes to networks connected to the VPC (${named}${more}) take the reply to ${line(clients.label)}, and they are more specific than any ${dest} route to an internet gateway; whether those networks should carry it (a VPN's or a transit gateway's routes on purpose) is not the route table's to decide`,
      ];
    }
  }
  return rc;
}

/**
 * The route tables of an internet-facing load balancer's subnets, for the reply to `clients`' addresses on the internet
 * of each family in `families` (true: IPv6). An internet-facing load balancer's subnets must be public subnets, whose route
 * table sends the internet to an internet gateway (Subnets for your load balancer,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer;
 * the route a reply takes: https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html). A NAT gateway
 * or an egress-only internet gateway admits no client ("prevents hosts outside of your VPC from initiating an IPv6
 * connection with your instance", https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateEgressOnlyInternetGateway.html).
 * A gateway route table that sends the requests for a subnet through an appliance while the subnet's replies skip it is
 * asymmetric routing, which AWS does not support (Gateway route tables,
 * https://docs.aws.amazon.com/vpc/latest/userguide/gateway-route-tables.html): unknown.
 * No hop when every zone's table sends the replies to an internet gateway (the basis says so), or when the clients hold
 * no address on the internet (in the VPC, or a network connected to it).
 */
export function lbRouteHop(
  model: AwsModel,
  lb: LoadBalancer,
  clients: Endpoint,
  families: boolean[],
): { hop?: TraceHop; basis?: string; deniedIn?: string[]; allDenied?: boolean } {
  const cases: RouteCase[] = [];
  for (const v6 of families) {
    const c = clientSpace6(clients.cidrs, v6);
    if (c.internet.length === 0) continue;
    for (const z of lb.zones) cases.push(routeCase(model, lb, z, clients, v6, c));
  }
  if (cases.length === 0) return {};
  const tables = [...new Set(cases.map((c) => c.rt?.id).filter((x): x is string => !!x))];
  const subnets = [...new Set(lb.zones.map((z) => z.subnetId ?? z.subnet?.id).filter((x): x is string => !!x))];
  const worst = cases.reduce((a, b) => (RANK[b.verdict] > RANK[a.verdict] ? b : a));
  if (worst.verdict === "allow")
    return {
      basis: `the route tables of ${line(lb.name)}'s subnets (${tables.map(line).join(", ")}) send the replies to ${line(clients.label)} to an internet gateway`,
    };
  const hop: TraceHop = {
    layer: "lb-route",
    where: "load balancer subnet",
    title: `load balancer subnet route table (reply to the client) · ${tables.map(line).join(", ") || "(not known)"} · ${subnets.length > 1 ? "subnets" : "subnet"} ${subnets.map(line).join(", ") || "(not known)"}`,
    verdict: worst.verdict,
    notes: [{ kind: "reason", text: `${worst.where}: ${worst.text}` }],
    resources: [...tables, ...subnets],
  };
  if (worst.verdict === "deny" && worst.deciding)
    hop.deciding = { name: worst.deciding, isDefault: false, access: "Deny", ptr: worst.ptr ?? worst.rt?.ptr ?? "" };
  const denied = cases.filter((c) => c.verdict === "deny");
  if (denied.length > 0)
    hop.notes.push({
      kind: "reason",
      text: `an internet-facing load balancer's subnets must be public (routed to an internet gateway): a connection of ${line(clients.label)} to the node in ${[...new Set(denied.map((c) => c.where))].join(", ")} gets no reply`,
    });
  for (const c of cases)
    if (c !== worst)
      hop.notes.push({ kind: c.verdict === "unknown" ? "maybe" : "partial", text: `${c.where}: ${c.verdict.toUpperCase()}, ${c.text}` });
  const said = new Set<string>();
  for (const c of denied)
    for (const text of c.notes ?? []) {
      if (said.has(text)) continue;
      said.add(text);
      hop.notes.push({ kind: "reason", text });
    }
  const fixes = new Set<string>();
  for (const c of denied) {
    if (!c.fix || fixes.has(c.fix.summary)) continue;
    fixes.add(c.fix.summary);
    // the notes are printed from the same data the TUI copies
    const fix = { summary: line(c.fix.summary), commands: c.fix.commands.map(line) };
    (hop.fixes ??= []).push(fix);
    hop.notes.push({ kind: "reason", text: `fix: ${fix.summary}` });
    for (const cmd of fix.commands) hop.notes.push({ kind: "reason", text: `$ ${cmd}` });
  }
  const deniedIn = [...new Set(denied.map((c) => c.where))];
  return { hop, ...(deniedIn.length > 0 ? { deniedIn, allDenied: denied.length === cases.length } : {}) };
}

// ---------------------------------------------------------------------------
// endpoints

/** The LB's nodes; `v6`: as the source of an IPv6 flow (an IPv6 target's), from their subnets' IPv6 CIDRs. */
export function lbEndpoint(lb: LoadBalancer, sgOf: (id: string) => SecurityGroup | undefined, v6 = false): Endpoint {
  const groups = lb.securityGroupIds.map(sgOf).filter((g): g is SecurityGroup => !!g);
  const missing = lb.securityGroupIds.filter((id) => !sgOf(id));
  const cidrs = v6 ? lb.subnets.flatMap((x) => x.ipv6Cidrs) : lb.subnets.map((x) => x.cidr).filter((c): c is string => !!c);
  const e: Endpoint = {
    label: `${s(lb.name)}'s nodes`,
    cidrs,
    groupIds: lb.securityGroupIds,
    groups,
    missingGroups: missing,
    subnets: lb.subnets,
    spread: "lb-node",
  };
  if (lb.securityGroupIds.length === 0 && lb.type !== "application") e.noGroups = true;
  if (v6) e.family = "ipv6";
  return e;
}

/** The LB's node in one subnet. */
export function lbNodeEndpoint(lb: Endpoint, subnet: Subnet): Endpoint {
  return {
    ...lb,
    label: `${lb.label.replace(/'s nodes$/, "'s node")} in ${lb.family === "ipv6" ? zoneLabelV6(subnet) : zoneLabel(subnet)}`,
    cidrs: lb.family === "ipv6" ? subnet.ipv6Cidrs : subnet.cidr ? [subnet.cidr] : [],
    subnets: [subnet],
  };
}

function zoneLabelV6(x: Subnet): string {
  return `${s(x.id)} (${x.ipv6Cidrs.length > 0 ? x.ipv6Cidrs.join(", ") : "its IPv6 CIDR is not in the snapshot"})`;
}

export function instanceEndpoint(i: Instance, ip?: string): Endpoint {
  const missing = i.securityGroupIds.filter((id) => !i.securityGroups.some((g) => g.id.toLowerCase() === id.toLowerCase()));
  const addr = ip ?? i.privateIp;
  return {
    label: `${s(i.id)}${i.name !== i.id ? ` (${s(i.name)})` : ""}${addr ? ` ${addr}` : ""}`,
    cidrs: addr ? [addr] : [],
    groupIds: i.securityGroupIds,
    groups: i.securityGroups,
    missingGroups: missing,
    subnets: i.subnet ? [i.subnet] : [],
    spread: "exact",
  };
}

export function clientEndpoint(label: string, cidrs: string[], exact: boolean, subnet?: Subnet): Endpoint {
  return {
    label,
    cidrs,
    groupIds: [],
    groups: [],
    missingGroups: [],
    subnets: subnet ? [subnet] : [],
    spread: exact ? "exact" : "clients",
  };
}

export function lbClients(lb: LoadBalancer): Endpoint {
  return clientEndpoint(
    lb.internetFacing ? "clients on the internet" : "clients in the VPC and beyond (internal load balancer)",
    clientSpace(lb),
    false,
  );
}

/**
 * The IPv6 clients of a load balancer (an IPv6 target's data path): global unicast space (2000::/3) less the VPC's own
 * subnets for an internet-facing one, any IPv6 address for an internal one, as the checks see them.
 */
export function lbClientsV6(lb: LoadBalancer, vpcSubnets: Subnet[]): Endpoint {
  const own = vpcSubnets.filter((x) => x.vpcId === lb.vpcId).flatMap((x) => x.ipv6Cidrs);
  const e = clientEndpoint(
    lb.internetFacing ? "IPv6 clients on the internet" : "IPv6 clients in the VPC and beyond (internal load balancer)",
    lb.internetFacing ? toCidrs6(subtract6(spaceOf6(["2000::/3"]), spaceOf6(own))) : ["::/0"],
    false,
  );
  e.family = "ipv6";
  return e;
}

export function tgProtocol(tg: TargetGroup): Protocol {
  return trafficProtocols(tg)[0] ?? "tcp";
}

// ---------------------------------------------------------------------------
// legs

/** Client → load balancer on the listener port: the LB's security groups, its subnets' ACL inbound, and the reply out. */
export function clientToLb(client: Endpoint, lb: Endpoint, protocol: Protocol, listenerPort: number): TraceHop[] {
  const hops: TraceHop[] = [];
  hops.push(sgHop("lb-sg-ingress", "load balancer", lb, "ingress", client, protocol, listenerPort));
  hops.push(
    naclHop(
      "lb-nacl-in",
      "load balancer",
      lb.subnets,
      false,
      client,
      protocol,
      [listenerPort, listenerPort],
      "request on the listener port",
    ),
  );
  hops.push(naclHop("lb-nacl-out", "load balancer", lb.subnets, true, client, protocol, EPHEMERAL, "reply to the client's ephemeral port"));
  return hops;
}

/**
 * Source → target on the target port: the source's security groups (egress), its subnet's ACL outbound, the target
 * subnet's ACL inbound, the target's security groups (ingress), and the reply through both ACLs on the ephemeral
 * ports. `sgSource`: who the target's security groups see (the LB node, or the client when the NLB preserves client IPs).
 * `replyPorts`: the reply's destination ports, the ephemeral range unless given (a Gateway Load Balancer's appliance
 * sends GENEVE back to it on UDP 6081, its ports kept).
 */
export function sourceToTarget(
  src: Endpoint,
  srcWord: string,
  target: Endpoint,
  protocol: Protocol,
  port: number,
  sgSource: Endpoint = src,
  replyPorts: Interval = EPHEMERAL,
): TraceHop[] {
  const ephemeral = replyPorts === EPHEMERAL;
  const hops: TraceHop[] = [];
  if (srcWord !== "client")
    hops.push(sgHop(`${srcWord}-sg-egress`, srcWord === "lb" ? "load balancer" : "source", src, "egress", target, protocol, port));
  const srcName = srcWord === "lb" ? "load balancer" : "source";
  if (src.subnets.length > 0)
    hops.push(naclHop(`${srcWord}-nacl-out`, srcName, src.subnets, true, target, protocol, [port, port], "request to the target"));
  hops.push(naclHop("target-nacl-in", "target", target.subnets, false, sgSource, protocol, [port, port], "request"));
  hops.push(sgHop("target-sg-ingress", "target", target, "ingress", sgSource, protocol, port));
  hops.push(
    naclHop(
      "target-nacl-out",
      "target",
      target.subnets,
      true,
      sgSource,
      protocol,
      replyPorts,
      ephemeral ? "reply to the ephemeral port" : `reply to port ${replyPorts[0]}`,
    ),
  );
  if (src.subnets.length > 0)
    hops.push(naclHop(`${srcWord}-nacl-in`, srcName, src.subnets, false, target, protocol, replyPorts, "reply from the target"));
  return hops;
}

/** The flow's verdict: any deny denies, else any unknown leaves it unknown. */
export function conclude(hops: TraceHop[]): PathTrace {
  const at = hops.findIndex((h) => h.verdict === "deny");
  const deny = hops[at];
  if (deny) {
    const by = deny.deciding ? `: ${deny.deciding.name}` : deny.notes[0] ? `: ${deny.notes[0].text}` : "";
    return { hops, verdict: "deny", why: `at hop ${at + 1}, ${deny.title}${by}` };
  }
  const unknown = hops.find((h) => h.verdict === "unknown");
  if (unknown) {
    const note = unknown.notes.find((n) => n.kind === "reason") ?? unknown.notes[0];
    return { hops, verdict: "unknown", reason: `${unknown.title}: ${note?.text ?? "cannot be decided offline"}` };
  }
  return { hops, verdict: "allow", why: "every hop allows this flow, and its reply" };
}
