/**
 * What the AWS rules share: walking LB → target group → target, naming
 * things, the sources a target sees (load balancer nodes or clients), the
 * security-group verdict on a target, and the `aws` CLI fix commands.
 */
import type { Evidence, RuleContext } from "../../core/engine/types.ts";
import {
  ALL_V4,
  coveringCidr,
  covers6,
  INTERNET_V4,
  type Interval6,
  intersect6,
  ipv6Interval,
  isIpv4Cidr,
  normalize6,
  type Space6,
  spaceOf,
  spaceOf6,
  subtract6,
  toCidrs,
  toCidrs6,
} from "../../core/util/ip.ts";
import { awsArg, jsonForCommand, placeholderOf } from "../../core/util/shell.ts";
import type {
  Action,
  AwsModel,
  Listener,
  ListenerRule,
  LoadBalancer,
  ModelGap,
  NaclEntry,
  NetworkAcl,
  Subnet,
  Target,
  TargetGroup,
} from "./model.ts";
import { gapsFor, listGaps } from "./model.ts";
import { naclCidrOption } from "./nacl.ts";
import { evaluateSecurityGroups, type Protocol, type SgPeer, type SgVerdict } from "./sg.ts";

// ---------------------------------------------------------------------------
// traversal and names

export interface TargetVisit {
  lb: LoadBalancer;
  tg: TargetGroup;
  target: Target;
}

/** Every registered target of every target group of every load balancer (a group on two LBs is visited once per LB). */
export function* lbTargets(model: AwsModel): Generator<TargetVisit> {
  for (const lb of model.loadBalancers) for (const tg of lb.targetGroups) for (const target of tg.targets) yield { lb, tg, target };
}

/**
 * Target groups of an LB whose targets the snapshot does not hold
 * (DescribeTargetHealth missing or failed): the target rules report them as
 * unknown (message id `noTargets`, data: targetGroup, lb, reason), never as
 * nothing to check.
 */
export function* targetGroupsWithoutHealth(model: AwsModel): Generator<{ lb: LoadBalancer; tg: TargetGroup; reason: string }> {
  for (const lb of model.loadBalancers) {
    for (const tg of lb.targetGroups) {
      if (!tg.healthKnown)
        yield { lb, tg, reason: `its target health is not in the snapshot${gapNote(model, [tg.arn], ["DescribeTargetHealth"])}` };
    }
  }
}

/** Reports each of `targetGroupsWithoutHealth` as unknown with the rule's `noTargets` message. */
export function reportTargetsUnknown(
  model: AwsModel,
  report: RuleContext<AwsModel>["report"],
  applies: (lb: LoadBalancer) => boolean = () => true,
): void {
  for (const { lb, tg, reason } of targetGroupsWithoutHealth(model)) {
    if (!applies(lb)) continue;
    report({
      status: "unknown",
      resourceId: tg.arn,
      resourceName: tg.name,
      loadBalancerId: lb.arn,
      key: `${tg.name}|targets`,
      messageId: "noTargets",
      data: { targetGroup: tg.name, lb: lb.name, reason },
      evidence: [{ resourceId: tg.arn, pointer: tg.ptr, label: "target group" }],
    });
  }
}

/** "i-0abc… (web-1)" or "10.0.3.7". */
export function targetLabel(t: Target): string {
  if (t.instance && t.instance.name !== t.instance.id) return `${t.instance.id} (${t.instance.name})`;
  return t.id;
}

/** The resource a finding about a target is on: the instance, else the target's own id. */
export function targetResourceId(t: Target): string {
  return t.instance?.id ?? t.id;
}

export function targetResourceName(t: Target): string {
  return t.instance?.name ?? t.id;
}

/**
 * The subjects that link a cause on a target to a symptom on it
 * (`explains`): the target (group + id + port) and its instance. Rules about
 * a target report these, so that e.g. a blocked health check explains that
 * very target being unhealthy.
 */
export function targetSubjects(t: Target): string[] {
  return [t.key, ...(t.instance ? [t.instance.key] : [])];
}

/** A finding's common fields for a target. */
export function targetBase(lb: LoadBalancer, tg: TargetGroup, t: Target, key?: string) {
  return {
    resourceId: targetResourceId(t),
    resourceName: targetResourceName(t),
    loadBalancerId: lb.arn,
    key: key ?? `${tg.name}|${t.id}:${t.port ?? ""}`,
    subjects: targetSubjects(t),
  };
}

export function targetEvidence(t: Target): Evidence {
  return { resourceId: t.tg.arn, pointer: t.ptr, label: `target ${t.id} of ${t.tg.name}` };
}

/** The transport protocols a target group's traffic uses. */
export function trafficProtocols(tg: TargetGroup): Protocol[] {
  const p = (tg.protocol ?? "").toUpperCase();
  if (p === "TCP_UDP" || p === "TCP_QUIC") return ["tcp", "udp"];
  if (p === "UDP" || p === "GENEVE" || p === "QUIC") return ["udp"];
  return ["tcp"];
}

export function zoneLabel(s: Subnet): string {
  return `${s.id}${s.cidr ? ` (${s.cidr})` : ""}`;
}

// ---------------------------------------------------------------------------
// where a target's packets come from

export interface Source {
  /** "lb-node": the LB's node in one subnet (address somewhere in its CIDR); "clients": preserved client addresses */
  kind: "lb-node" | "clients";
  label: string;
  peer: SgPeer;
  /** the LB node's subnet (lb-node) */
  subnet?: Subnet;
  /** the LB zone's pointer */
  ptr: string;
  /**
   * Why this source may not exist at all (a listener rule the snapshot lacks may send its traffic elsewhere): a block
   * from it is then unknown, not a fail.
   */
  uncertain?: string;
}

/** One source per LB zone: that zone's node, carrying the LB's SGs, with an address in the zone subnet's CIDR. */
export function lbNodeSources(lb: LoadBalancer): Source[] {
  return lb.zones.map((z) => {
    const where = z.subnet ? zoneLabel(z.subnet) : (z.subnetId ?? z.zoneName ?? "an unknown subnet");
    const src: Source = {
      kind: "lb-node",
      label: `${lb.name}'s node in ${where}`,
      peer: { cidrs: z.subnet?.cidr ? [z.subnet.cidr] : [], groupIds: lb.securityGroupIds, label: `${lb.name}'s node in ${where}` },
      ptr: z.ptr,
    };
    if (z.subnet) src.subnet = z.subnet;
    return src;
  });
}

/**
 * The addresses IPv4 clients come from: the internet for an internet-facing LB, anything for an internal one. This is
 * what reaches the load balancer over IPv4, and what an IPv4 target behind an NLB that preserves client IPs sees of its
 * IPv4 clients; the IPv6 clients of a dualstack NLB reach such a target from the NLB's own IPv4 addresses instead
 * (see trafficSources), never from this space.
 */
export function clientSpace(lb: LoadBalancer): string[] {
  return toCidrs(lb.internetFacing ? INTERNET_V4 : ALL_V4);
}

/** Whether a load balancer takes IPv6 clients as well: IpAddressType `dualstack` (or an ALB's `dualstack-without-public-ipv4`). */
export function isDualstack(lb: LoadBalancer): boolean {
  return (lb.ipAddressType ?? "ipv4").toLowerCase().startsWith("dualstack");
}

function forwardsTo(actions: Action[], tg: TargetGroup): boolean {
  return actions.some((a) => a.forwards.some((f) => f.targetGroup === tg));
}

/** An IP address family, as a listener rule's `source-ip` condition and a load balancer name them. */
export type IpFamily = "ipv4" | "ipv6";

/**
 * A client's addresses of one family as one kind of interval: an IPv6 space, or an IPv4 one with its integer bounds as
 * bigints, so the IPv6 set arithmetic (intersect6, subtract6) serves both families.
 */
function clientRange(cidrs: readonly string[], family: IpFamily): Space6 {
  if (family === "ipv6") return spaceOf6(cidrs);
  return spaceOf(cidrs.filter((c) => !c.includes(":"))).map(([a, b]): Interval6 => [BigInt(a), BigInt(b)]);
}

/**
 * Whether a listener rule's conditions take the clients of one IP family: `takes` true (all of them), false (none),
 * undefined (some, or not known). An NLB's only condition is `source-ip` with `SourceIpConfig.IpAddressType` `ipv4` or
 * `ipv6`; an ALB's `source-ip` takes CIDR `Values` instead, matched against the address that connects to the load
 * balancer (a proxy's, not the X-Forwarded-For header's), which take the clients of a family inside them
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SourceIpConditionConfig.html). Any other
 * condition (an ALB's host, path, header…) takes some requests only.
 *
 * With `range` (some of one client's addresses), CIDR `Values` are compared with them instead: `portion` is the part of
 * `range` they take (`range` itself when the rule has no such condition), and `takes` then speaks of the requests from
 * that part (false when it is empty).
 */
function takesClients(
  rule: ListenerRule,
  family: IpFamily,
  range?: Space6,
): { takes: boolean | undefined; portion?: Space6; unreadable?: string[] } {
  const everything = family === "ipv6" ? "::/0" : "0.0.0.0/0";
  let all = true;
  let portion = range;
  for (const c of rule.conditions) {
    const o = (c && typeof c === "object" ? c : {}) as Record<string, unknown>;
    const field = typeof o.Field === "string" ? o.Field.toLowerCase() : "";
    const cfg = (o.SourceIpConfig && typeof o.SourceIpConfig === "object" ? o.SourceIpConfig : {}) as Record<string, unknown>;
    const type = typeof cfg.IpAddressType === "string" ? cfg.IpAddressType.toLowerCase() : undefined;
    const values = (Array.isArray(cfg.Values) ? cfg.Values : Array.isArray(o.Values) ? o.Values : []).filter(
      (v): v is string => typeof v === "string",
    );
    if (field === "source-ip" && (type === "ipv4" || type === "ipv6")) {
      if (type === family) continue;
      return { takes: false };
    }
    if (field === "source-ip" && type === undefined && values.length > 0) {
      // a value that is not a CIDR of either family: which clients the condition takes is not known
      const unreadable = values.filter((v) => (v.includes(":") ? ipv6Interval(v) : isIpv4Cidr(v.trim()) ? true : undefined) === undefined);
      if (unreadable.length > 0) return { takes: undefined, unreadable };
      const mine = values.filter((v) => v.includes(":") === (family === "ipv6"));
      if (mine.length === 0) return { takes: false };
      if (portion) {
        portion = intersect6(
          portion,
          clientRange(
            mine.map((v) => v.trim()),
            family,
          ),
        );
        if (portion.length === 0) return { takes: false };
        continue;
      }
      if (mine.some((v) => v.trim() === everything)) continue;
    }
    all = false;
  }
  return { takes: all ? true : undefined, ...(portion ? { portion } : {}) };
}

/** Where a listener with collected rules sends the clients of one IP family, as seen from one target group. */
export interface FamilyRouting {
  /** some or all of the family's clients reach the target group */
  sends: boolean;
  /**
   * The deciding rule: the first that may send the clients to the group, else the one that takes all of them elsewhere,
   * else the default rule (absent when the listener's rules hold no default one: its DefaultActions then decide).
   */
  rule?: ListenerRule;
  /** the deciding rule is not the default one and takes every client of the family (a `source-ip` condition on it) */
  takesAll: boolean;
  /**
   * For one client's addresses only (listenerRoutesClient): some of them reach the group and others are taken elsewhere,
   * first by this rule (`rule` absent: the listener's DefaultActions), whatever the request; `cidrs` are the addresses it
   * takes.
   */
  partly?: { rule?: ListenerRule; cidrs: string[] };
  /**
   * A rule the clients meet before the answer whose `source-ip` condition holds values that are not CIDRs: whether it
   * takes them is not known, so neither is the answer.
   */
  unreadable?: { rule: ListenerRule; values: string[] };
}

/**
 * Where a listener with collected rules sends clients, as seen from one target group: rules are evaluated in priority
 * order, the default action last (Listener rules for your Network Load Balancer; Consolidate dual-stack architectures
 * with listener rules for Network Load Balancer). Without `cidrs`, every client of the family; with them, those
 * addresses of the family only, each rule taking the part of them its `source-ip` condition matches (a rule with any
 * other condition takes some requests of that part only, and leaves them to the next rules as well).
 */
function routeListener(l: Listener, tg: TargetGroup, family: IpFamily, cidrs?: readonly string[]): FamilyRouting {
  const ordered = l.rules.filter((r) => !r.isDefault).sort((a, b) => Number(a.priority) - Number(b.priority));
  const def = l.rules.find((r) => r.isDefault);
  const whole = cidrs ? clientRange(cidrs, family) : undefined;
  let unreadable: FamilyRouting["unreadable"];
  const note = (r: ListenerRule, values: string[] | undefined) => {
    if (values && !unreadable) unreadable = { rule: r, values };
  };
  const withNote = (f: FamilyRouting): FamilyRouting => (unreadable ? { ...f, unreadable } : f);
  if (!whole || whole.length === 0) {
    for (const r of ordered) {
      const t = takesClients(r, family);
      note(r, t.unreadable);
      if (t.takes === false) continue;
      if (forwardsTo(r.actions, tg)) return withNote({ sends: true, rule: r, takesAll: t.takes === true });
      if (t.takes === true) return withNote({ sends: false, rule: r, takesAll: true });
    }
    return withNote({ sends: forwardsTo(def ? def.actions : l.defaultActions, tg), ...(def ? { rule: def } : {}), takesAll: false });
  }
  // the client's addresses no rule has taken yet; those some rule sends to the group (for some requests at least); those
  // a rule takes elsewhere for every request
  let left = whole;
  let reached: Space6 = [];
  let denied: Space6 = [];
  let reach: { rule?: ListenerRule; all: boolean } | undefined;
  let deny: { rule?: ListenerRule; all: boolean; portion: Space6 } | undefined;
  const take = (rule: ListenerRule | undefined, takes: boolean | undefined, portion: Space6) => {
    const all = takes === true && rule?.isDefault !== true && rule !== undefined && covers6(portion, whole);
    if (rule ? forwardsTo(rule.actions, tg) : forwardsTo(l.defaultActions, tg)) {
      reached = normalize6([...reached, ...portion]);
      reach ??= { ...(rule ? { rule } : {}), all };
    } else if (takes === true) {
      denied = normalize6([...denied, ...portion]);
      deny ??= { ...(rule ? { rule } : {}), all, portion };
    }
    if (takes === true) left = subtract6(left, portion);
  };
  for (const r of ordered) {
    if (left.length === 0) break;
    const t = takesClients(r, family, left);
    note(r, t.unreadable);
    if (t.takes === false) continue;
    take(r, t.takes, t.portion ?? left);
  }
  if (left.length > 0) take(def, true, left);
  if (!reach) return withNote({ sends: false, ...(deny?.rule ? { rule: deny.rule } : {}), takesAll: deny?.all === true });
  const elsewhere = subtract6(denied, reached);
  if (elsewhere.length === 0 || !deny) return withNote({ sends: true, ...(reach.rule ? { rule: reach.rule } : {}), takesAll: reach.all });
  const part = intersect6(deny.portion, elsewhere);
  return withNote({
    sends: true,
    ...(reach.rule ? { rule: reach.rule } : {}),
    takesAll: false,
    partly: { ...(deny.rule ? { rule: deny.rule } : {}), cidrs: rangeCidrs(part, family) },
  });
}

/** A client range (clientRange) as CIDRs again. */
function rangeCidrs(range: Space6, family: IpFamily): string[] {
  return family === "ipv6" ? toCidrs6(range) : toCidrs(range.map(([a, b]): [number, number] => [Number(a), Number(b)]));
}

/**
 * Where a listener with collected rules sends the clients of one IP family, as seen from one target group. `sends` is
 * true when some or all of them reach the group.
 */
export function listenerRoutesFamily(l: Listener, tg: TargetGroup, family: IpFamily): FamilyRouting {
  return routeListener(l, tg, family);
}

/**
 * Where a listener with collected rules sends one client (its addresses of one IP family, as CIDRs), as seen from one
 * target group: its `source-ip` conditions are decided by those addresses, not by the family. `sends` is true when some or
 * all of them reach the group; `partly` names the rule that takes the others elsewhere.
 */
export function listenerRoutesClient(l: Listener, tg: TargetGroup, family: IpFamily, cidrs: readonly string[]): FamilyRouting {
  return routeListener(l, tg, family, cidrs);
}

/**
 * Whether the clients of one IP family reach a target group through a load balancer's listeners: `reaches` true when a
 * listener with collected rules sends some or all of them there (its rules in priority order, the default action last:
 * Listener rules for your Network Load Balancer); `uncertain` says why that is not known for sure (a listener whose rules
 * were not collected forwards to the group by default, or is its only possible path; no listener in the snapshot), after
 * `unless`, which says what the family's clients do but for a listener rule.
 */
function familyReaches(
  model: AwsModel | undefined,
  lb: LoadBalancer,
  tg: TargetGroup,
  family: IpFamily,
  unless: string,
): { reaches: boolean; uncertain?: string } {
  const known = lb.listeners.filter((l) => l.rulesKnown);
  if (known.some((l) => listenerRoutesFamily(l, tg, family).sends)) return { reaches: true };
  const reachedByKnown = known.some((l) => forwardsTo([...l.defaultActions, ...l.rules.flatMap((r) => r.actions)], tg));
  const open = lb.listeners.find((l) => !l.rulesKnown && (forwardsTo(l.defaultActions, tg) || !reachedByKnown));
  if (open) {
    const gap = model ? gapNote(model, [open.arn], ["DescribeRules"]) : "";
    return { reaches: true, uncertain: `${unless}, and the rules of listener ${open.name} were not collected${gap}` };
  }
  if (lb.listeners.length === 0) {
    const gap = model ? gapNote(model, [lb.arn], ["DescribeListeners"]) : "";
    return { reaches: true, uncertain: `${unless}, and no listener of ${lb.name} is in the snapshot${gap}` };
  }
  return { reaches: false };
}

/**
 * Whether the clients of one IP family of a Network Load Balancer reach a target group, whatever its IP address type. Only a
 * dualstack NLB's listener rules tell the families apart (a `source-ip` condition on the source IP address type; "You must
 * have a dual-stack Network Load Balancer", Listener rules for your Network Load Balancer,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-rule.html): an IPv4-only one takes IPv4 clients
 * alone, and every listener that forwards to the group sends them all there.
 */
export function nlbClientsReach(
  model: AwsModel | undefined,
  lb: LoadBalancer,
  tg: TargetGroup,
  family: IpFamily,
): { reaches: boolean; uncertain?: string } {
  if (!isDualstack(lb)) return { reaches: family === "ipv4" };
  const who = `${family === "ipv6" ? "IPv6" : "IPv4"} clients of the dualstack NLB ${lb.name}`;
  return familyReaches(model, lb, tg, family, `${who} reach ${tg.name} unless a listener rule sends them to another target group`);
}

/**
 * Whether IPv6 clients of a dualstack NLB reach an IPv4 target group (and so arrive from the NLB's IPv4 addresses):
 * `reaches` true when a listener sends them there; `uncertain` says why that is not known for sure (a listener whose
 * rules were not collected forwards to the group by default, or is its only possible path; no listener in the snapshot).
 */
export function ipv6ClientsReach(model: AwsModel | undefined, lb: LoadBalancer, tg: TargetGroup): { reaches: boolean; uncertain?: string } {
  if (lb.type !== "network" || !isDualstack(lb)) return { reaches: false };
  const type = tg.raw.IpAddressType;
  if (typeof type === "string" && type.toLowerCase() === "ipv6") return { reaches: false };
  const unless = `IPv6 clients of the dualstack NLB ${lb.name} reach ${tg.name} from the NLB's own IPv4 addresses unless a listener rule sends them to another target group`;
  return familyReaches(model, lb, tg, "ipv6", unless);
}

/**
 * Which of an NLB's client families reach a target group, as sources: `v4` and `v6` for the clients of each family that
 * do (marked uncertain when a listener whose rules were not collected may send them elsewhere). When the listeners known
 * send neither family there, the group gets no traffic through this load balancer as far as the snapshot shows: both are
 * then kept, uncertain, so that a block from them is unknown, not a fail.
 */
export function reachingFamilies(
  model: AwsModel | undefined,
  lb: LoadBalancer,
  tg: TargetGroup,
  families: { v4: { reaches: boolean; uncertain?: string }; v6: { reaches: boolean; uncertain?: string } },
): { v4?: { uncertain?: string }; v6?: { uncertain?: string } } {
  const { v4, v6 } = families;
  if (!v4.reaches && !v6.reaches) {
    const gap = model ? gapNote(model, [lb.arn], ["DescribeListeners", "DescribeRules"]) : "";
    const uncertain = `no listener of ${lb.name} in the snapshot sends clients to ${tg.name}${gap}, so whether it gets any traffic through ${lb.name} is not known`;
    return { v4: { uncertain }, ...(isDualstack(lb) ? { v6: { uncertain } } : {}) };
  }
  const mark = (f: { uncertain?: string }) => (f.uncertain ? { uncertain: f.uncertain } : {});
  return { ...(v4.reaches ? { v4: mark(v4) } : {}), ...(v6.reaches ? { v6: mark(v6) } : {}) };
}

export function clientLabel(lb: LoadBalancer): string {
  return lb.internetFacing ? "clients on the internet" : "clients of the internal load balancer";
}

/**
 * Where an IPv4 target group's traffic comes from: the LB nodes, or for an NLB
 * that preserves client IPs the clients themselves (an SG reference to the
 * NLB's own groups still matches them, as the NLB docs state). On a dualstack
 * NLB that sends IPv6 clients to the group, the nodes as well: its IPv6 clients
 * arrive from the NLB's IPv4 addresses. IPv4 clients that a listener rule sends
 * to another target group never reach this one, so they are no source of its
 * traffic. `model` only adds a collection gap to the reason when the listener
 * rules are missing.
 */
export function trafficSources(lb: LoadBalancer, tg: TargetGroup, model?: AwsModel): Source[] {
  if (lb.type === "network" && tg.preserveClientIp.value) {
    const dual = ipv6ClientsReach(model, lb, tg);
    const reach = reachingFamilies(model, lb, tg, { v4: nlbClientsReach(model, lb, tg, "ipv4"), v6: dual });
    const label = `${reach.v6 ? "IPv4 " : ""}${clientLabel(lb)} (the NLB preserves client IPs)`;
    const clients: Source = {
      kind: "clients",
      label,
      peer: { cidrs: clientSpace(lb), groupIds: lb.securityGroupIds, label },
      ptr: tg.preserveClientIp.ptr,
      ...(reach.v4?.uncertain ? { uncertain: reach.v4.uncertain } : {}),
    };
    return [...(reach.v4 ? [clients] : []), ...(reach.v6 ? ipv6ClientNodes(lb, reach.v6.uncertain) : [])];
  }
  return lbNodeSources(lb);
}

/**
 * The NLB's nodes as the source of its IPv6 clients' connections to an IPv4 target group: even with client IP
 * preservation on, "IPv6 client requests" reach an IPv4 target (instance or IP type) from the "Load balancer IPv4
 * address" (Edit target group attributes for your Network Load Balancer, Client IP preservation).
 */
function ipv6ClientNodes(lb: LoadBalancer, uncertain: string | undefined): Source[] {
  return lbNodeSources(lb).map((s) => {
    const label = `IPv6 clients via ${s.label}`;
    return { ...s, label, peer: { ...s.peer, label }, ...(uncertain ? { uncertain } : {}) };
  });
}

/**
 * Client IP preservation that no attribute can turn off: UDP, TCP_UDP, QUIC and TCP_QUIC target groups of an NLB
 * always preserve it ("enabled (and can't be disabled)", Edit target group attributes for your Network Load Balancer).
 */
export function preservationFixed(tg: TargetGroup): boolean {
  const p = (tg.protocol ?? "").toUpperCase();
  return p === "UDP" || p === "TCP_UDP" || p === "QUIC" || p === "TCP_QUIC";
}

/**
 * Whether an NLB target group's client IP preservation is not known: its attributes were not collected and its
 * protocol lets preserve_client_ip.enabled be either way (TCP, TLS). A verdict that depends on it is then unknown.
 */
export function preservationUnknown(lb: LoadBalancer, tg: TargetGroup): boolean {
  // an `alb` group's attributes "always use their default values" (NLB guide, Target groups, Target group attributes):
  // client IP preservation is on, and missing attributes hide nothing
  return lb.type === "network" && !tg.attributesKnown && !preservationFixed(tg) && tg.targetType !== "alb";
}

/**
 * A target registered by IP address outside the load balancer's VPC (a peered VPC, on premises): DescribeTargetHealth
 * gives its Availability Zone as `all`. Its subnet, network ACL and security groups are not the VPC's to read.
 */
export function outsideVpc(t: Target): boolean {
  return t.kind === "ip" && t.availabilityZone?.toLowerCase() === "all";
}

// ---------------------------------------------------------------------------
// the security groups of a target, against its sources

export interface SourceVerdict {
  source: Source;
  protocol: Protocol;
  verdict: SgVerdict;
  /** how the rule reads it */
  outcome: "allowed" | "restricted" | "blocked" | "unknown";
  reason?: string;
}

export interface TargetSgResult {
  status: "pass" | "fail" | "unknown";
  results: SourceVerdict[];
  blocked: SourceVerdict[];
  unknown: SourceVerdict[];
  restricted: SourceVerdict[];
}

/**
 * Reads an SG verdict for a source:
 * - an LB node: its address is one unknown address of the subnet, so a CIDR
 *   that covers only part of the subnet is `unknown`;
 * - clients: a partial allow is an allow-list (`restricted`), not a block; for
 *   an internal LB a reference to some other group admits the clients that carry it.
 */
export function readVerdict(source: Source, v: SgVerdict, lb: LoadBalancer): Pick<SourceVerdict, "outcome" | "reason"> {
  const r = readSgVerdict(source, v, lb);
  return r.outcome === "blocked" && source.uncertain ? { outcome: "unknown", reason: source.uncertain } : r;
}

function readSgVerdict(source: Source, v: SgVerdict, lb: LoadBalancer): Pick<SourceVerdict, "outcome" | "reason"> {
  if (v.verdict === "allow") return { outcome: "allowed" };
  if (v.verdict === "unknown") return { outcome: "unknown", reason: v.reason ?? "undecidable" };
  if (source.kind === "lb-node") {
    if (v.verdict === "partial")
      return {
        outcome: "unknown",
        reason: `${v.allowedBy.map((m) => `${m.value} (${m.sg.id})`).join(", ")} covers only part of ${source.subnet ? zoneLabel(source.subnet) : "the LB subnet"}, and the LB node's address in it is not known offline`,
      };
    return { outcome: "blocked" };
  }
  if (v.verdict === "partial") return { outcome: "restricted" };
  if (!lb.internetFacing && v.otherGroups.length > 0) return { outcome: "restricted" };
  return { outcome: "blocked" };
}

/**
 * The target's security groups (ingress) against each source, on one port and the given protocols. `groupIds`: the
 * groups that guard the target, its instance's unless given (an ALB target of an NLB: the ALB's own groups).
 */
export function targetIngress(
  model: AwsModel,
  lb: LoadBalancer,
  t: Target,
  sources: Source[],
  port: number,
  protocols: Protocol[],
  groupIds: string[] = t.instance?.securityGroupIds ?? [],
): TargetSgResult {
  const results: SourceVerdict[] = [];
  for (const source of sources) {
    for (const protocol of protocols) {
      const verdict = evaluateSecurityGroups(model, groupIds, "ingress", source.peer, protocol, port);
      results.push({ source, protocol, verdict, ...readVerdict(source, verdict, lb) });
    }
  }
  const blocked = results.filter((r) => r.outcome === "blocked");
  const unknown = results.filter((r) => r.outcome === "unknown");
  return {
    status: blocked.length > 0 ? "fail" : unknown.length > 0 ? "unknown" : "pass",
    results,
    blocked,
    unknown,
    restricted: results.filter((r) => r.outcome === "restricted"),
  };
}

/** Why a target's security groups cannot be evaluated at all (undefined: they can). */
export function targetSgUnknownReason(model: AwsModel, t: Target): string | undefined {
  if (t.kind === "instance" && !t.instance) {
    return `instance ${t.id} is not in the snapshot${gapNote(model, [t.id], ["DescribeInstances"])}`;
  }
  if (outsideVpc(t) && !t.instance) {
    return `${t.id} is outside the VPC (Availability Zone "all": a peered VPC or on premises), so the security groups or firewalls in front of it are not in the snapshot`;
  }
  if (t.kind === "ip" && !t.instance) {
    return `no instance in the snapshot holds ${t.id}, so the security groups of its network interface are not known`;
  }
  if (t.instance && t.instance.securityGroupIds.length === 0) return `instance ${t.instance.id} lists no security groups in the snapshot`;
  return undefined;
}

/** " (collection failed: …)" when a gap concerns the ids or a failed list operation, else "". */
export function gapNote(model: AwsModel, ids: Array<string | undefined>, operations: string[] = []): string {
  const gaps: ModelGap[] = [
    ...gapsFor(model, ids).filter((g) => g.kind === "collection"),
    ...operations.flatMap((o) => listGaps(model, o)),
  ];
  const g = gaps[0];
  return g ? ` (collection failed: ${g.operation}: ${g.code ? `${g.code}: ` : ""}${g.message})` : "";
}

export function sgNames(model: AwsModel, groupIds: string[]): string {
  if (groupIds.length === 0) return "(none)";
  return groupIds
    .map((id) => {
      const sg = model.byKey.securityGroup.get(id.toLowerCase());
      return sg && sg.groupName !== id ? `${id} (${sg.groupName})` : id;
    })
    .join(", ");
}

/** What the groups do allow on other ports or from other sources, for a message: " (sg-x allows tcp 443 only)". */
export function nearMiss(v: SgVerdict, preposition: "from" | "to" = "from"): string {
  const parts: string[] = [];
  for (const m of [...v.otherCidrs, ...v.otherGroups, ...v.otherPorts].slice(0, 3)) {
    const p = m.permission;
    const proto =
      p.protocol === "-1" ? "all traffic" : `${p.protocol} ${p.fromPort === p.toPort ? p.fromPort : `${p.fromPort}-${p.toPort}`}`;
    parts.push(`${m.sg.id} allows ${proto} ${preposition} ${m.value}`);
  }
  return parts.length > 0 ? `; ${parts.join("; ")}` : "";
}

// ---------------------------------------------------------------------------
// aws CLI commands

/** Quotes a value for the POSIX shell that runs a printed `aws` command (and for the CLI itself: see awsArg). */
export const sh: (v: string | number) => string = awsArg;

export interface PermissionFix {
  protocol: Protocol;
  from: number;
  to: number;
  groups?: string[];
  cidrs?: string[];
}

/**
 * The `--ip-permissions` value, as JSON: `[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"UserIdGroupPairs":[{"GroupId":"sg-…"}]}]`.
 * Not the CLI's shorthand (`IpProtocol=tcp,…,UserIdGroupPairs=[{GroupId=sg-…}]`): the CLI parses a shorthand value's
 * commas, brackets and braces, so a group id or CIDR from the snapshot could add permissions of its own
 * (`sg-1}],IpRanges=[{CidrIp=0.0.0.0/0`); a JSON string carries any value intact.
 */
export function ipPermissionsArg(p: PermissionFix): string {
  const permission: Record<string, unknown> = { IpProtocol: p.protocol, FromPort: p.from, ToPort: p.to };
  if (p.groups?.length) permission.UserIdGroupPairs = p.groups.map((g) => ({ GroupId: g }));
  if (p.cidrs?.length) permission.IpRanges = p.cidrs.map((c) => ({ CidrIp: c }));
  return sh(jsonForCommand([permission]));
}

export function authorizeIngressCommand(groupId: string, p: PermissionFix): string {
  return `aws ec2 authorize-security-group-ingress --group-id ${sh(groupId)} --ip-permissions ${ipPermissionsArg(p)}`;
}

export function authorizeEgressCommand(groupId: string, p: PermissionFix): string {
  return `aws ec2 authorize-security-group-egress --group-id ${sh(groupId)} --ip-permissions ${ipPermissionsArg(p)}`;
}

/**
 * The fix for a target's groups: one allow in the target's first group,
 * from the LB's groups (by reference) or, for an LB without groups, from the
 * blocked sources' addresses.
 */
export function targetIngressFix(
  model: AwsModel,
  lb: LoadBalancer,
  t: Target,
  blocked: SourceVerdict[],
  port: number,
  groupId: string | undefined = t.instance?.securityGroupIds[0],
): string[] {
  if (!groupId) return [];
  const commands: string[] = [];
  for (const protocol of [...new Set(blocked.map((b) => b.protocol))]) {
    const srcs = blocked.filter((b) => b.protocol === protocol).map((b) => b.source);
    if (lb.securityGroupIds.length > 0) {
      commands.push(authorizeIngressCommand(groupId, { protocol, from: port, to: port, groups: [lb.securityGroupIds[0] as string] }));
    } else {
      const cidrs = srcs.some((s) => s.kind === "clients")
        ? lb.internetFacing
          ? ["0.0.0.0/0"]
          : [vpcSpaceGuess(model, lb.vpcId) ?? "<client-cidr>"]
        : srcs.flatMap((s) => s.peer.cidrs);
      if (cidrs.length > 0) commands.push(authorizeIngressCommand(groupId, { protocol, from: port, to: port, cidrs }));
    }
  }
  return commands;
}

/** The smallest CIDR holding every subnet of the VPC that the snapshot knows (the VPC's own CIDR is not collected). */
export function vpcSpaceGuess(model: AwsModel, vpcId: string | undefined): string | undefined {
  if (!vpcId) return undefined;
  return coveringCidr(spaceOf(model.subnets.filter((s) => s.vpcId === vpcId && s.cidr).map((s) => s.cidr as string)));
}

/** Evidence for a target's SG verdicts: the groups on the instance, and what decided or nearly matched. */
export function targetSgEvidence(t: Target, failing: SourceVerdict[]): Evidence[] {
  const ev: Evidence[] = [];
  if (t.instance) ev.push({ resourceId: t.instance.id, pointer: t.instance.securityGroupsPtr, label: "security groups on the instance" });
  const seen = new Set<string>();
  for (const r of failing) {
    for (const sg of r.verdict.groups) {
      if (seen.has(sg.ptr)) continue;
      seen.add(sg.ptr);
      ev.push({ resourceId: sg.id, pointer: `${sg.ptr}/IpPermissions`, label: `inbound rules of ${sg.id} (${sg.groupName})` });
    }
    for (const m of [...r.verdict.prefixLists, ...r.verdict.allowedBy]) {
      if (seen.has(m.ptr)) continue;
      seen.add(m.ptr);
      ev.push({ resourceId: m.sg.id, pointer: m.ptr, label: m.via === "prefix-list" ? "prefix list (contents unknown)" : "partial allow" });
    }
  }
  return ev;
}

// ---------------------------------------------------------------------------
// network ACL entries

/**
 * A free rule number below `before` in one direction of an ACL: the largest
 * multiple of 10 that is free, else the largest free number; undefined when
 * nothing below it is free.
 */
export function freeRuleNumberBefore(nacl: NetworkAcl, egress: boolean, before: number, taken: Iterable<number> = []): number | undefined {
  const used = new Set([...nacl.entries.filter((e) => e.egress === egress).map((e) => e.ruleNumber), ...taken]);
  for (let n = Math.floor((before - 1) / 10) * 10; n >= 10; n -= 10) if (!used.has(n)) return n;
  for (let n = before - 1; n >= 1; n--) if (!used.has(n)) return n;
  return undefined;
}

export interface NaclFix {
  nacl: NetworkAcl;
  egress: boolean;
  protocol: Protocol;
  ports: [number, number];
  /**
   * the peer's CIDR; `{ subnetId, family }`: that subnet's CIDR of the family, which the snapshot lacks: a placeholder
   * the user fills in (never `0.0.0.0/0` or `::/0`, which would open the ACL to every address of the family)
   */
  cidr: string | { subnetId: string; family: "ipv4" | "ipv6" };
  /** the entry that blocks */
  blocking: NaclEntry;
}

/**
 * An allow entry ahead of the blocking one; replaces the blocking entry only
 * when no number is free ahead of it. `taken` holds numbers earlier commands
 * of the same fix already use in this ACL and direction (key `acl|egress`); the
 * chosen number is added to it.
 */
export function naclFixCommand(f: NaclFix, taken: Map<string, Set<number>> = new Map()): string {
  const k = `${f.nacl.id}|${f.egress}`;
  let mine = taken.get(k);
  if (!mine) taken.set(k, (mine = new Set()));
  const free = freeRuleNumberBefore(f.nacl, f.egress, f.blocking.ruleNumber, mine);
  if (free !== undefined) mine.add(free);
  const verb = free === undefined ? "replace-network-acl-entry" : "create-network-acl-entry";
  return [
    `aws ec2 ${verb}`,
    `--network-acl-id ${sh(f.nacl.id)}`,
    f.egress ? "--egress" : "--ingress",
    `--rule-number ${free ?? f.blocking.ruleNumber}`,
    `--protocol ${f.protocol}`,
    `--port-range From=${f.ports[0]},To=${f.ports[1]}`,
    typeof f.cidr === "string"
      ? `${naclCidrOption(f.cidr)} ${sh(f.cidr)}`
      : f.cidr.family === "ipv6"
        ? `--ipv6-cidr-block ${placeholderOf("IPv6 CIDR", f.cidr.subnetId, "the subnet looked up above")}`
        : `--cidr-block ${placeholderOf("IPv4 CIDR", f.cidr.subnetId, "the subnet looked up above")}`,
    "--rule-action allow",
  ].join(" ");
}

/**
 * The `--query` that prints a subnet's CIDRs of one family (DescribeSubnets: `CidrBlock`; the IPv6 blocks still
 * associated, not one `disassociating` or `disassociated`: `Ipv6CidrBlockAssociationSet[].Ipv6CidrBlockState.State`).
 */
export const SUBNET_CIDR_QUERY = {
  ipv4: "Subnets[].CidrBlock",
  ipv6: "Subnets[].Ipv6CidrBlockAssociationSet[?Ipv6CidrBlockState.State==`associated`].Ipv6CidrBlock",
} as const;

export function naclEntryLabel(e: NaclEntry): string {
  return e.implicit ? "* (the implicit deny)" : `${e.ruleNumber} (${e.action})`;
}

/** A value the user fills in, inert in any shell: `'<instance-id>'`. */
export { jsonForCommand, placeholder, unsafeValue } from "../../core/util/shell.ts";

/**
 * How findings name a listener: `web-alb:80`; a Gateway Load Balancer's listener has no protocol and no port (it takes
 * every IP packet on every port), so `gwlb:*`.
 */
export function listenerName(lb: { name: string }, l: { port?: number; protocol?: string }): string {
  return l.port === undefined && l.protocol === undefined ? `${lb.name}:*` : `${lb.name}:${l.port ?? "?"}`;
}

/** What a listener listens on: "HTTP port 80", or for a Gateway Load Balancer's "all IP packets on every port". */
export function listensOn(l: { port?: number; protocol?: string }): string {
  return l.port === undefined && l.protocol === undefined ? "all IP packets on every port" : `${l.protocol ?? "?"} port ${l.port ?? "?"}`;
}
