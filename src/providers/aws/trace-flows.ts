/**
 * The flows an AWS trace follows, built from the model: a target's health
 * check (the LB nodes → the health-check port), its data path (clients → the
 * listener → the target port; an NLB that preserves client IPs passes the
 * clients' addresses on to the target), and a custom source (clients, the LB,
 * or an instance) to a target on a port. `lbdoctor trace` and the TUI share it.
 */
import type { Verdict } from "../../core/inspect.ts";
import { sanitize } from "../../core/report/sanitize.ts";
import {
  ALL_V4,
  INTERNET_V4,
  intersect,
  ipInCidr,
  ipv6Interval,
  isAddressLike,
  isIpv4Cidr,
  spaceOf,
  spaceOf6,
  subtract6,
  toCidrs,
  toCidrs6,
} from "../../core/util/ip.ts";
import { resolvePointer } from "../../core/util/json-pointer.ts";
import type { Action, AwsModel, Instance, Listener, ListenerRule, LoadBalancer, Subnet, Target, TargetGroup } from "./model.ts";
import { subnetOfIpv6 } from "./nacl.ts";
import { gapNote, type IpFamily, isDualstack, listenerRoutesClient, listenerRoutesFamily } from "./rule-helpers.ts";
import type { Protocol } from "./sg.ts";
import { instanceByIpv6, instanceIpv6, ipv6Target } from "./target-sg.ts";
import {
  clientEndpoint,
  clientToLb,
  conclude,
  type Endpoint,
  instanceEndpoint,
  lbClients,
  lbClientsV6,
  lbEndpoint,
  lbRouteHop,
  type PathTrace,
  sourceToTarget,
  type TraceHop,
  tgProtocol,
} from "./trace-path.ts";

const s = (v: string | undefined): string => sanitize(v ?? "");

/** A target as one listener and target group reach it (a target group under two listeners is two routes). */
export interface Route {
  lb: LoadBalancer;
  listener?: Listener;
  tg: TargetGroup;
  target: Target;
}

export interface FlowTrace extends PathTrace {
  /** "clients on the internet → web-alb:80/HTTP → i-0abc 10.0.1.10:8080/tcp" */
  flow: string;
  /** what the flow is, and the semantics it assumed */
  basis: string;
  error?: string;
}

/** The target groups a listener forwards to: its default actions, then its rules', once each. */
export function listenerTargetGroups(l: Listener): TargetGroup[] {
  const out: TargetGroup[] = [];
  const actions = [...l.defaultActions, ...l.rules.flatMap((r) => r.actions)];
  for (const a of actions) for (const f of a.forwards) if (f.targetGroup && !out.includes(f.targetGroup)) out.push(f.targetGroup);
  return out;
}

export function routesOf(lb: LoadBalancer): Route[] {
  const out: Route[] = [];
  const used = new Set<string>();
  for (const listener of lb.listeners) {
    for (const tg of listenerTargetGroups(listener)) {
      used.add(tg.key);
      for (const target of tg.targets) out.push({ lb, listener, tg, target });
    }
  }
  for (const tg of lb.targetGroups) if (!used.has(tg.key)) for (const target of tg.targets) out.push({ lb, tg, target });
  return out;
}

export function routeKey(r: { listener?: Listener; tg: TargetGroup }): string {
  return `${r.listener?.key ?? "-"}>${r.tg.key}`;
}

export function targetName(t: Target): string {
  const id = t.instance && t.instance.name !== t.instance.id ? `${s(t.id)} (${s(t.instance.name)})` : s(t.id);
  return `${id}${t.ip && t.ip !== t.id ? ` ${t.ip}` : ""}${t.port !== undefined ? `:${t.port}` : ""}`;
}

/**
 * The address a target's flows go to: its IPv6 address in an IPv6 target group (an instance target's primary IPv6
 * address, as the checks read it), else its address.
 */
function targetAddress(t: Target): string | undefined {
  if (t.kind === "instance" && t.instance && ipv6Target(t.tg, t)) return instanceIpv6(t.instance) ?? t.ip;
  return t.ip;
}

/**
 * Can a trace reach this target: an instance or IP target with an address. An Application Load Balancer target (an NLB's
 * target group of type `alb`) is another load balancer, not followed here; "the communication between a Network Load
 * Balancer and an Application Load Balancer always uses IPv4", whatever the ALB's own IP address type
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html).
 */
export function untraceable(t: Target): string | undefined {
  if (t.kind === "lambda") return "a lambda target sits in no subnet: there is nothing to trace";
  if (t.kind === "alb")
    return "an Application Load Balancer target is a load balancer of its own, which the trace does not enter (the NLB always reaches it over IPv4, whatever its IP address type; trace its targets with --lb and its name)";
  if (!targetAddress(t)) return `the address of ${s(t.id)} is not in the snapshot`;
  return undefined;
}

/**
 * A target as the far end of a flow. An IPv6 IP target (which the model resolves for IPv4 addresses only) is the
 * instance whose network interface holds the address (`Ipv6Addresses`), else an address in the subnet whose IPv6 CIDR
 * holds it, as the checks resolve it.
 */
function targetEndpoint(t: Target, model?: AwsModel): Endpoint {
  const ip = targetAddress(t);
  const v6 = ip?.includes(":") === true;
  const instance = t.instance ?? (v6 && ip && model ? instanceByIpv6(model, ip)?.instance : undefined);
  if (instance) {
    const e = instanceEndpoint(instance, ip);
    if (e.subnets.length === 0 && t.subnet) e.subnets = [t.subnet];
    return e;
  }
  const subnet = t.subnet ?? (v6 && ip && model ? subnetOfIpv6(model.subnets, ip, t.tg.vpcId) : undefined);
  return {
    label: s(ip ?? t.id),
    cidrs: ip ? [ip] : [],
    groupIds: [],
    groups: [],
    missingGroups: [],
    subnets: subnet ? [subnet] : [],
    spread: "exact",
  };
}

/** The LB's nodes, as the source of a flow to `dst` (IPv6 to an IPv6 target: from their IPv6 addresses). */
function lbOf(model: AwsModel, lb: LoadBalancer, dst?: Endpoint): Endpoint {
  const v6 = dst?.cidrs.some((c) => c.includes(":")) === true;
  return lbEndpoint(lb, (id) => model.byKey.securityGroup.get(id.toLowerCase()), v6);
}

const err = (flow: string, error: string): FlowTrace => ({ hops: [], verdict: "unknown", flow, basis: "", error });

const BASIS =
  "security groups (stateful: the request's direction only) and network ACLs (stateless: the request and the reply on the ephemeral ports 1024–65535) in the snapshot";

function withBasis(p: PathTrace, flow: string, extra?: string): FlowTrace {
  return { ...p, flow, basis: extra ? `${BASIS}; ${extra}` : BASIS };
}

/** The health check: every LB node → the target's health-check port. */
export function traceHealthCheck(model: AwsModel, r: Route): FlowTrace {
  const { lb, tg, target } = r;
  const no = untraceable(target);
  if (no) return err("", no);
  if (!tg.healthCheck.enabled) return err("", `health checks are disabled on target group ${s(tg.name)}`);
  const port = target.healthCheckPort;
  if (port === undefined) return err("", `the health-check port of ${s(tg.name)} is not known (${s(tg.healthCheck.portSpec)})`);
  const dst = targetEndpoint(target, model);
  const src = lbOf(model, lb, dst);
  const hops = sourceToTarget(src, "lb", dst, "tcp", port);
  const flow = `${src.label} (the health checker) → ${dst.label}:${port}/tcp (${s(tg.healthCheck.protocol ?? "TCP")} health check of ${s(tg.name)})`;
  return withBasis(conclude(hops), flow);
}

/**
 * The data path: the clients → the listener → the target port. `byAddress`: the client is one address or CIDR, and the
 * listener's `source-ip` conditions are decided by its addresses, not by its IP family alone.
 */
export function traceData(model: AwsModel, r: Route, client?: Endpoint, byAddress = false): FlowTrace {
  const { lb, listener, tg, target } = r;
  const no = untraceable(target);
  if (no) return err("", no);
  if (target.port === undefined) return err("", `neither ${s(target.id)} nor ${s(tg.name)} has a port`);
  const protocol = tgProtocol(tg);
  const dst = targetEndpoint(target, model);
  const src = lbOf(model, lb, dst);
  // an IPv6 target's connections are IPv6 end to end: its clients are IPv6 ones
  const clients = client ?? (src.family === "ipv6" ? lbClientsV6(lb, model.subnets) : lbClients(lb));
  if (lb.type === "gateway") {
    // a GWLB has no listener port and no security groups: appliances receive GENEVE (UDP 6081) from its nodes, and
    // send it back to them on 6081 (not to an ephemeral port)
    const hops = sourceToTarget(src, "lb", dst, protocol, target.port, src, [target.port, target.port]);
    const flow = `${src.label} → ${dst.label}:${target.port}/${protocol} (GENEVE to the appliance)`;
    return withBasis(
      conclude(hops),
      flow,
      "a Gateway Load Balancer takes every IP packet from its endpoints, with no listener port and no security groups, so only the node → appliance leg is traced; the appliance sends the GENEVE packets back to the node on UDP 6081, so its reply is checked on 6081, not on the ephemeral ports",
    );
  }
  if (!listener) return err("", `no listener forwards to target group ${s(tg.name)}: there is no data path`);
  if (listener.port === undefined) return err("", `listener ${s(listener.name)} has no port`);
  const hops: TraceHop[] = [];
  const clientFamily = familyOf(clients);
  const targetFamily = src.family === "ipv6" ? "ipv6" : "ipv4";
  // an IPv4-only load balancer has no IPv6 address: an IPv6 client never reaches its listener
  if (clientFamily === "ipv6" && !isDualstack(lb)) hops.push(noIpv6Hop(lb, clients));
  // an internet-facing ALB of type dualstack-without-public-ipv4 has no public IPv4 address
  if (clientFamily === "ipv4" && noPublicIpv4(lb)) {
    const hop = noPublicIpv4Hop(lb, clients);
    if (hop) hops.push(hop);
  }
  hops.push(...clientToLb(clients, src, protocol, listener.port));
  // the reply to clients on the internet leaves through the route table of the node's subnet: a subnet without a route to
  // an internet gateway leaves them without an answer (not for a family the load balancer has no public address of)
  const families: boolean[] = [];
  if (lb.internetFacing) {
    if (clients.cidrs.some((c) => !c.includes(":")) && !noPublicIpv4(lb)) families.push(false);
    if (clients.cidrs.some((c) => c.includes(":")) && isDualstack(lb)) families.push(true);
  }
  const routed = lbRouteHop(model, lb, clients, families);
  if (routed.hop) hops.push(routed.hop);
  const flow = `${clients.label} → ${s(lb.name)}:${listener.port}/${s(listener.protocol ?? "?")} → ${dst.label}:${target.port}/${protocol}`;
  // the listener's rules, in priority order, decide which target group this client's connection goes to
  const routing = clientFamily ? listenerHop(model, lb, listener, tg, clientFamily, clients, byAddress) : undefined;
  if (routing) hops.push(routing.hop);
  if (routing?.hop.verdict === "deny")
    return withBasis(
      conclude(hops),
      flow,
      [
        routed.basis,
        `listener ${s(listener.name)} does not send ${routing.who} to target group ${s(tg.name)}: the trace stops at its rules`,
      ]
        .filter((x) => !!x)
        .join("; "),
    );
  // a dualstack NLB translates a client of the other family to the target group's (IPv4 clients to an IPv6 group, IPv6
  // clients to an IPv4 one): the target then sees the NLB's own address, whatever client IP preservation says
  const translated = lb.type === "network" && clientFamily !== undefined && clientFamily !== targetFamily && isDualstack(lb);
  if (translated) hops.push(translationHop(lb, tg, clients, src, targetFamily));
  const preserve = lb.type === "network" && tg.preserveClientIp.value && !translated;
  const sgSource: Endpoint = preserve ? { ...clients, groupIds: src.groupIds } : src;
  hops.push(...sourceToTarget(src, "lb", dst, protocol, target.port, sgSource));
  const extra = translated
    ? `the NLB translates ${FAMILY[clientFamily]} clients' connections to ${FAMILY[targetFamily]} for the ${FAMILY[targetFamily]} target group ${s(tg.name)}, so the target's ACL and security groups see the NLB's own ${FAMILY[targetFamily]} address, not the client's: client IP preservation has no effect on a translated connection`
    : preserve
      ? `the NLB preserves client IPs (${tg.preserveClientIp.source === "default" ? "the default" : "preserve_client_ip.enabled"}), so the target's ACL and security groups see the clients' addresses`
      : lb.type === "network" && lb.securityGroupIds.length === 0
        ? "the NLB has no security groups: nothing filters at it"
        : undefined;
  return withBasis(conclude(hops), flow, [routed.basis, extra].filter((x) => !!x).join("; ") || undefined);
}

const FAMILY = { ipv4: "IPv4", ipv6: "IPv6" } as const;

/** An IPv6 client at a load balancer whose IpAddressType is `ipv4`: it has no IPv6 address to connect to. */
function noIpv6Hop(lb: LoadBalancer, clients: Endpoint): TraceHop {
  const type = s(lb.ipAddressType ?? "ipv4");
  return {
    layer: "lb-address-type",
    where: "load balancer",
    title: `load balancer · IP address type ${type}`,
    verdict: "deny",
    notes: [
      {
        kind: "reason",
        text: `${s(lb.name)} has no IPv6 address (IP address type ${type}, not dualstack): ${s(clients.label)} cannot connect to it`,
      },
    ],
    resources: [],
  };
}

/**
 * Whether a load balancer has no public IPv4 address: an internet-facing ALB of IP address type
 * `dualstack-without-public-ipv4` has "public IPv6 addresses and private IPv4 and IPv6 addresses" (SetIpAddressType,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetIpAddressType.html; IP address types for
 * your Application Load Balancer, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-ip-address-type.html).
 */
function noPublicIpv4(lb: LoadBalancer): boolean {
  return lb.type === "application" && lb.internetFacing && (lb.ipAddressType ?? "").toLowerCase() === "dualstack-without-public-ipv4";
}

/**
 * An IPv4 client at a load balancer without a public IPv4 address: an internet (public) address has nothing to connect
 * to; a private one (in the VPC, or a network connected to it) reaches the private IPv4 addresses. No hop for a private
 * client; unknown for clients that mix both.
 */
function noPublicIpv4Hop(lb: LoadBalancer, clients: Endpoint): TraceHop | undefined {
  const space = spaceOf(clients.cidrs.filter((c) => !c.includes(":")));
  const pub = intersect(space, INTERNET_V4);
  if (pub.length === 0) return undefined;
  const type = s(lb.ipAddressType ?? "");
  const all = JSON.stringify(pub) === JSON.stringify(space);
  return {
    layer: "lb-address-type",
    where: "load balancer",
    title: `load balancer · IP address type ${type}`,
    verdict: all ? "deny" : "unknown",
    notes: [
      {
        kind: "reason",
        text: all
          ? `${s(lb.name)} has no public IPv4 address (IP address type ${type}: public IPv6 addresses, private IPv4 and IPv6 addresses only): ${s(clients.label)} cannot connect to it over IPv4 from the internet`
          : `${s(lb.name)} has no public IPv4 address (IP address type ${type}): only the private addresses of ${s(clients.label)} reach it over IPv4; trace one client address`,
      },
    ],
    resources: [],
  };
}

/** "rule 10 (source-ip ipv6)", "the default rule", "the listener's default action" */
function ruleName(rule: ListenerRule | undefined): string {
  if (!rule) return "the listener's default action";
  if (rule.isDefault) return "the default rule";
  const conds = rule.conditions.map((c) => {
    const o = (c && typeof c === "object" ? c : {}) as Record<string, unknown>;
    const cfg = (o.SourceIpConfig && typeof o.SourceIpConfig === "object" ? o.SourceIpConfig : {}) as Record<string, unknown>;
    const values = Array.isArray(cfg.Values) ? cfg.Values : Array.isArray(o.Values) ? o.Values : [];
    const what = typeof cfg.IpAddressType === "string" ? cfg.IpAddressType : values.filter((v) => typeof v === "string").join(", ");
    return `${typeof o.Field === "string" ? o.Field : "?"}${what ? ` ${what}` : ""}`;
  });
  return `rule ${s(rule.priority)}${conds.length > 0 ? ` (${s(conds.join("; "))})` : ""}`;
}

/**
 * What a rule's actions do with a connection: "forwards to target group app6-tg", "answers 403 itself" (a fixed
 * response), "answers with a 301 redirect itself", "answers with its authenticate-oidc action".
 */
function actionsText(model: AwsModel, actions: Action[]): string {
  const forwards = actions.flatMap((a) => a.forwards).map((f) => s(f.targetGroup?.name ?? f.targetGroupArn));
  if (forwards.length > 0) return `forwards to target group${forwards.length > 1 ? "s" : ""} ${forwards.join(", ")}`;
  const raw = (a: Action, key: string): Record<string, unknown> => {
    const o = resolvePointer(model.snapshot, a.ptr);
    const cfg = o && typeof o === "object" ? (o as Record<string, unknown>)[key] : undefined;
    return (cfg && typeof cfg === "object" ? cfg : {}) as Record<string, unknown>;
  };
  const code = (v: unknown) => (typeof v === "string" || typeof v === "number" ? s(String(v).replace(/^HTTP_/i, "")) : "");
  const fixed = actions.find((a) => a.type.toLowerCase() === "fixed-response");
  if (fixed) {
    const c = code(raw(fixed, "FixedResponseConfig").StatusCode);
    return c ? `answers ${c} itself` : "answers with a fixed response itself";
  }
  const redirect = actions.find((a) => a.type.toLowerCase() === "redirect");
  if (redirect) {
    const c = code(raw(redirect, "RedirectConfig").StatusCode);
    return `answers with a ${c ? `${c} ` : ""}redirect itself`;
  }
  const types = actions.map((a) => s(a.type));
  return types.length > 0 ? `answers with its ${types.join(", ")} action` : "has no action";
}

/**
 * The listener's choice of target group for a client of one family, as a hop: rules in priority order, then the default
 * action (listenerRoutesFamily; listenerRoutesClient for one client's addresses, `byAddress`). Deny when they send the
 * client elsewhere, naming the rule; unknown when a dualstack NLB's rules, which route by the client's IP address type,
 * were not collected, or when a `source-ip` condition takes only part of the client's addresses elsewhere; allow when a
 * rule that takes every client of the family (or all of the client) sends it to the group; no hop when the default
 * action does (nothing to say). `who`: the clients the listener does not send to the group when the hop denies.
 */
function listenerHop(
  model: AwsModel,
  lb: LoadBalancer,
  listener: Listener,
  tg: TargetGroup,
  family: IpFamily,
  clients: Endpoint,
  byAddress: boolean,
): { hop: TraceHop; who: string } | undefined {
  const hop = (verdict: TraceHop["verdict"], text: string, rule?: ListenerRule): TraceHop => {
    const h: TraceHop = {
      layer: "lb-listener-rule",
      where: "load balancer",
      title: `load balancer · the rules of listener ${s(listener.name)} (${FAMILY[family]} clients)`,
      verdict,
      notes: [{ kind: "reason", text }],
      resources: [],
    };
    if (verdict !== "unknown") {
      const ptr = rule?.ptr ?? listener.defaultActions[0]?.ptr ?? `${listener.ptr}/DefaultActions`;
      h.deciding = {
        name: ruleName(rule),
        isDefault: rule === undefined || rule.isDefault,
        access: verdict === "allow" ? "Allow" : "Deny",
        ptr,
      };
    }
    return h;
  };
  const them = `${FAMILY[family]} clients`;
  if (!listener.rulesKnown) {
    if (lb.type !== "network" || !isDualstack(lb)) return undefined;
    return {
      who: them,
      hop: hop(
        "unknown",
        `the rules of listener ${s(listener.name)} were not collected${s(gapNote(model, [listener.arn], ["DescribeRules"]))}: a rule of a dualstack NLB may send ${them} to another target group than ${s(tg.name)} (its rules route by the client's IP address type)`,
      ),
    };
  }
  const cidrs = byAddress ? clients.cidrs : [];
  const familyRouting = listenerRoutesFamily(listener, tg, family);
  const routing = cidrs.length > 0 ? listenerRoutesClient(listener, tg, family, cidrs) : familyRouting;
  // a deny speaks of every client of the family when the rules send none of them to the group, else of this client
  const who = familyRouting.sends ? s(clients.label) : them;
  const actionsOf = (rule: ListenerRule | undefined) => actionsText(model, rule ? rule.actions : listener.defaultActions);
  if (routing.unreadable) {
    const u = routing.unreadable;
    return {
      who,
      hop: hop(
        "unknown",
        `${ruleName(u.rule)} has ${u.values.length === 1 ? "a source-ip value" : "source-ip values"} that ${u.values.length === 1 ? "is not a CIDR" : "are not CIDRs"} (${u.values.map((v) => `'${s(v)}'`).join(", ")}): whether it takes ${s(clients.label)} and ${actionsOf(u.rule)} is not known`,
      ),
    };
  }
  if (routing.partly) {
    const p = routing.partly;
    const part = p.cidrs.slice(0, 4).join(", ") + (p.cidrs.length > 4 ? ", …" : "");
    return {
      who,
      hop: hop(
        "unknown",
        `${ruleName(p.rule)} takes part of ${s(clients.label)} (${s(part)}) and ${actionsOf(p.rule)}, while ${ruleName(routing.rule)} sends the rest to ${s(tg.name)}: trace one client address`,
      ),
    };
  }
  if (routing.sends) {
    if (!routing.takesAll || !routing.rule) return undefined;
    const taken = cidrs.length > 0 ? s(clients.label) : them;
    return { who, hop: hop("allow", `${ruleName(routing.rule)} takes ${taken} and ${actionsOf(routing.rule)}`, routing.rule) };
  }
  return {
    who,
    hop: hop(
      "deny",
      `${ruleName(routing.rule)} takes ${s(clients.label)} and ${actionsOf(routing.rule)}: no connection of ${who} on listener ${s(listener.name)} reaches ${s(tg.name)}`,
      routing.rule,
    ),
  };
}

/** The family of an end's addresses: IPv6 when it says so or holds IPv6 addresses only; undefined when unknown or mixed. */
function familyOf(e: Endpoint): "ipv4" | "ipv6" | undefined {
  if (e.family === "ipv6") return "ipv6";
  const v6 = e.cidrs.filter((c) => c.includes(":")).length;
  if (e.cidrs.length === 0 || (v6 > 0 && v6 < e.cidrs.length)) return undefined;
  return v6 > 0 ? "ipv6" : "ipv4";
}

/**
 * The NLB's translation of a client of the other family, as a hop: "IP type (IPv6)" targets receive "Load balancer
 * IPv6 address" from IPv4 clients, and IPv4 targets "Load balancer IPv4 address" from IPv6 clients, with client IP
 * preservation on or off (Edit target group attributes for your Network Load Balancer, Client IP preservation:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation).
 */
function translationHop(lb: LoadBalancer, tg: TargetGroup, clients: Endpoint, nodes: Endpoint, to: "ipv4" | "ipv6"): TraceHop {
  const from = to === "ipv6" ? "ipv4" : "ipv6";
  const where =
    nodes.cidrs.length > 0
      ? `an ${FAMILY[to]} address of ${nodes.label} (${nodes.cidrs.map(s).join(", ")})`
      : `an ${FAMILY[to]} address of ${nodes.label}, whose subnets' ${FAMILY[to]} CIDRs are not in the snapshot`;
  return {
    layer: "lb-translate",
    where: "load balancer",
    title: `load balancer · translates ${FAMILY[from]} to ${FAMILY[to]} (target group ${s(tg.name)} is ${FAMILY[to]})`,
    verdict: "allow",
    notes: [
      { kind: "reason", text: `${s(lb.name)} opens the connection to the target from ${where}` },
      {
        kind: "reason",
        text: `the target's network ACL and security groups see that address, not ${s(clients.label)}: client IP preservation has no effect on a translated connection`,
      },
    ],
    resources: [],
  };
}

/** The IPv4 clients on the internet: every public IPv4 address. */
function internetV4(named: boolean): Endpoint {
  return clientEndpoint(named ? "IPv4 clients on the internet" : "clients on the internet", toCidrs(INTERNET_V4), false);
}

/**
 * The IPv6 clients on the internet: the global unicast space 2000::/3, less the load balancer VPC's own IPv6 CIDRs (as
 * lbClientsV6 has them); without a load balancer, less no VPC.
 */
function internetV6(lb: LoadBalancer | undefined, subnets: Subnet[]): Endpoint {
  const own = lb ? subnets.filter((x) => x.vpcId === lb.vpcId).flatMap((x) => x.ipv6Cidrs) : [];
  const e = clientEndpoint("IPv6 clients on the internet", toCidrs6(subtract6(spaceOf6(["2000::/3"]), spaceOf6(own))), false);
  e.family = "ipv6";
  return e;
}

/** The hops of the other family's flow that the basis of `--from Internet` speaks of on their own. */
const SAID = new Set(["lb-route", "lb-listener-rule", "lb-address-type"]);

/**
 * `--from Internet` through a route's listener. An IPv4-only load balancer takes IPv4 clients only: they are traced. A
 * dualstack one takes both families: the family its target group serves is traced (the IPv6 one at an internet-facing
 * ALB without a public IPv4 address), and the basis says what becomes of the other and how to trace it.
 */
function traceInternet(model: AwsModel, r: Route, which: "any" | IpFamily, src: Endpoint): FlowTrace {
  const { lb, tg, listener } = r;
  if (which === "ipv4") return traceData(model, r, src);
  if (which === "ipv6") return traceData(model, r, internetV6(lb, model.subnets));
  if (!isDualstack(lb)) return traceData(model, r, src);
  const served: IpFamily = targetAddress(r.target)?.includes(":") === true ? "ipv6" : "ipv4";
  // the served family, unless the listener's rules send only the other one to the group
  const sends = (f: IpFamily) => !listener?.rulesKnown || listenerRoutesFamily(listener, tg, f).sends;
  const flip: IpFamily = served === "ipv6" ? "ipv4" : "ipv6";
  const family: IpFamily = noPublicIpv4(lb) ? "ipv6" : !sends(served) && sends(flip) ? flip : served;
  const other: IpFamily = family === "ipv6" ? "ipv4" : "ipv6";
  const t = traceData(model, r, family === "ipv6" ? internetV6(lb, model.subnets) : internetV4(true));
  if (t.error) return t;
  const how = `trace them with --from Internet-${FAMILY[other]}`;
  const them = `${FAMILY[other]} clients on the internet`;
  let fate: string;
  // the other family's clients get to the listener (and to the group): whether their replies get back is their route tables' to say
  let connects = true;
  let reaches = true;
  if (other === "ipv4" && noPublicIpv4(lb)) {
    fate = `${them} cannot connect: ${s(lb.name)} has no public IPv4 address (IP address type ${s(lb.ipAddressType ?? "")})`;
    connects = false;
    reaches = false;
  } else if (listener && !listener.rulesKnown && lb.type === "network") {
    fate = `${them} reach ${s(tg.name)} too${other !== served ? `, translated to ${FAMILY[served]}` : ""}, unless a rule of listener ${s(listener.name)} sends them elsewhere: its rules were not collected`;
  } else {
    const routing = listener?.rulesKnown ? listenerRoutesFamily(listener, tg, other) : undefined;
    if (routing && !routing.sends) reaches = false;
    fate =
      routing && !routing.sends
        ? `${them} do not reach ${s(tg.name)}: ${ruleName(routing.rule)} of listener ${s(listener?.name)} ${actionsText(model, routing.rule ? routing.rule.actions : (listener?.defaultActions ?? []))}`
        : lb.type === "network" && other !== served
          ? `${them} reach ${s(tg.name)} too: the NLB translates their connections to ${FAMILY[served]}, and the target sees the NLB's own address`
          : `${them} reach ${s(tg.name)} too (IP address type ${s(lb.ipAddressType ?? "")})`;
  }
  const otherClients = other === "ipv6" ? internetV6(lb, model.subnets) : internetV4(true);
  // what the route tables said of their replies: nothing (no hop), "unknown", or "deny" (the fate says they get none)
  let routed: Verdict | undefined;
  if (connects && lb.internetFacing) {
    // the reply to them leaves through the LB subnets' route tables, as the traced family's does (an egress-only internet
    // gateway, say, takes IPv6 replies and admits no client)
    const route = lbRouteHop(model, lb, otherClients, [other === "ipv6"]);
    const h = route.hop;
    const reason = h?.deciding?.name ?? h?.notes[0]?.text ?? "";
    if (h?.verdict === "deny")
      fate = `${them} get no reply${route.allDenied ? "" : ` from the node in ${(route.deniedIn ?? []).join(", ")}`}, whatever the listener does with them: ${reason}`;
    else if (h?.verdict === "unknown" && reaches) fate = `${fate}, if their replies get back, which is not known: ${reason}`;
    routed = h?.verdict;
  }
  if (connects && reaches && routed !== "deny") {
    // their own security group and network ACL hops (the load balancer's see their addresses, an NLB that preserves
    // them passes them on): the other family's data flow, less the hops said above (route tables, listener rules)
    const o = traceData(model, r, otherClients);
    const own = o.error ? [] : o.hops.filter((x) => !SAID.has(x.layer));
    const deny = own.find((x) => x.verdict === "deny");
    const unknown = own.find((x) => x.verdict === "unknown");
    if (deny)
      fate = `${them} cannot connect to ${s(tg.name)}: ${deny.title} denies them: ${deny.deciding?.name ?? deny.notes[0]?.text ?? ""}`;
    else if (unknown && routed !== "unknown") {
      const why = unknown.notes.find((n) => n.kind === "reason") ?? unknown.notes[0];
      fate = `${fate}, if ${unknown.title} lets them through, which is not known${why ? `: ${why.text}` : ""}`;
    }
  }
  const note = `${s(lb.name)} is dualstack: this traces its ${FAMILY[family]} clients on the internet${family === served ? `, the family target group ${s(tg.name)} serves` : ""}; ${fate} (${how})`;
  return { ...t, basis: `${t.basis}; ${note}` };
}

function subnetOf(model: AwsModel, ip: string): Subnet | undefined {
  return model.subnets.find((x) => x.cidr && ipInCidr(ip, x.cidr));
}

export type SourceSpec =
  | { kind: "lb"; lb?: LoadBalancer }
  | {
      kind: "client";
      endpoint: Endpoint;
      /**
       * `Internet` (any: on a dualstack load balancer, the family it takes internet clients of for the route, the other
       * said in the basis), `Internet-IPv4` or `Internet-IPv6`: the endpoint is then the IPv4 one, replaced per route.
       */
      internet?: "any" | IpFamily;
      /**
       * `any`, `0.0.0.0/0` or `::/0`: every client of a family, so the listener's `source-ip` conditions are answered
       * for the family, as for `Internet`, not split by address (a rule that takes some addresses is not a fate of all).
       */
      wholeFamily?: boolean;
    }
  | { kind: "instance"; instance: Instance; endpoint: Endpoint };

/**
 * `--from`: "lb" or a load balancer's name, "Internet" (or "Internet-IPv4", "Internet-IPv6"), an IPv4 or IPv6 address or
 * CIDR, or an instance (id, Name tag or private IP).
 */
export function parseSource(model: AwsModel, from: string): SourceSpec | { error: string } {
  const t = from.trim();
  const lower = t.toLowerCase();
  if (lower === "lb" || lower === "load-balancer") return { kind: "lb" };
  const lb = model.loadBalancers.find((x) => x.name.toLowerCase() === lower || x.arn.toLowerCase() === lower);
  if (lb) return { kind: "lb", lb };
  if (lower === "internet") return { kind: "client", endpoint: internetV4(false), internet: "any" };
  if (lower === "internet-ipv4") return { kind: "client", endpoint: internetV4(true), internet: "ipv4" };
  if (lower === "internet-ipv6") return { kind: "client", endpoint: internetV6(undefined, model.subnets), internet: "ipv6" };
  if (lower === "::/0") {
    const e = clientEndpoint("any IPv6 address (::/0)", ["::/0"], false);
    e.family = "ipv6";
    return { kind: "client", endpoint: e, wholeFamily: true };
  }
  if (lower === "any" || lower === "0.0.0.0/0")
    return { kind: "client", endpoint: clientEndpoint("any address (0.0.0.0/0)", toCidrs(ALL_V4), false), wholeFamily: true };
  const inst =
    model.instances.find((i) => i.id.toLowerCase() === lower || i.name.toLowerCase() === lower) ??
    (isAddressLike(t) && !t.includes("/") ? model.byKey.instanceByIp.get(t) : undefined);
  if (inst) return { kind: "instance", instance: inst, endpoint: instanceEndpoint(inst, isAddressLike(t) ? t : undefined) };
  if (isAddressLike(t) && !t.includes("/")) {
    const sub = subnetOf(model, t);
    return { kind: "client", endpoint: clientEndpoint(t, [t], true, sub) };
  }
  if (isIpv4Cidr(t) && spaceOf([t]).length > 0) {
    const sub = model.subnets.find((x) => x.cidr === t);
    return { kind: "client", endpoint: clientEndpoint(t, [t], false, sub) };
  }
  if (t.includes("/") && ipv6Interval(t)) {
    const sub = model.subnets.find((x) => x.ipv6Cidrs.some((c) => c.toLowerCase() === lower));
    const e = clientEndpoint(t, [t], false, sub);
    e.family = "ipv6";
    return { kind: "client", endpoint: e };
  }
  return {
    error: `'${s(t)}' is not 'lb', a load balancer's name, Internet (or Internet-IPv4, Internet-IPv6), an IPv4 or IPv6 address or CIDR, or an EC2 instance (id, Name tag or private IP) in the snapshot`,
  };
}

/** Does the route's listener take clients on this port (a Gateway Load Balancer has no listener port)? */
export function listensOn(r: Route, port: number): boolean {
  return r.listener !== undefined && r.listener.port === port && r.lb.type !== "gateway";
}

/** Does a flow from this source to this port go through the route's listener (a client on the target's or the listener's port)? */
export function throughListener(r: Route, src: SourceSpec, port: number): boolean {
  return src.kind === "client" && r.listener !== undefined && (port === r.target.port || listensOn(r, port)) && r.lb.type !== "gateway";
}

/**
 * A source to a target on a port. Clients on the route's target port, or on its listener's port, go through its
 * listener (when it has one) to the target port; any other client, the LB, or an instance goes to the target directly.
 */
export function traceFromSource(model: AwsModel, r: Route, src: SourceSpec, port: number, protocol: Protocol): FlowTrace {
  const no = untraceable(r.target);
  if (no) return err("", no);
  const dst = { ...targetEndpoint(r.target, model) };
  const address = targetAddress(r.target);
  dst.cidrs = address ? [address] : [];
  if (src.kind === "client" && throughListener(r, src, port))
    return src.internet ? traceInternet(model, r, src.internet, src.endpoint) : traceData(model, r, src.endpoint, !src.wholeFamily);
  if (src.kind === "lb") {
    const lb = lbOf(model, r.lb, dst);
    const hops = sourceToTarget(lb, "lb", dst, protocol, port);
    return withBasis(conclude(hops), `${lb.label} → ${dst.label}:${port}/${protocol}`);
  }
  const note =
    src.kind === "client" && r.target.port !== undefined && port !== r.target.port
      ? `directly, not through the load balancer (its listener forwards to port ${r.target.port})`
      : undefined;
  return traceDirect(src, dst, port, protocol, note);
}

/** A client or an instance straight to an address on a port (no load balancer in between). */
export function traceDirect(
  src: SourceSpec & { kind: "client" | "instance" },
  dst: Endpoint,
  port: number,
  protocol: Protocol,
  note?: string,
): FlowTrace {
  const e = src.endpoint;
  const hops = sourceToTarget(e, src.kind === "instance" ? "source" : "client", dst, protocol, port);
  return withBasis(conclude(hops), `${e.label} → ${dst.label}:${port}/${protocol}`, note ?? "directly, not through a load balancer");
}

export function endpointOfTarget(t: Target, model?: AwsModel): Endpoint {
  return targetEndpoint(t, model);
}

export function worstVerdict(vs: Verdict[]): Verdict {
  return vs.includes("deny") ? "deny" : vs.includes("unknown") ? "unknown" : "allow";
}
