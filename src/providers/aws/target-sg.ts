/**
 * The check behind aws/target-sg-blocks-health-check and
 * aws/target-sg-blocks-traffic: for every target of every LB, do the target's
 * security groups admit the LB's health checks / traffic?
 *
 * Message ids the two rules declare: blocked, allowed, restricted (traffic
 * only), undecidable, noGroups, disabled (health checks only). Data keys:
 * targetGroup, lb, target, protocol, port, sources, groups, nearMiss, health,
 * basis, reason, kind, allowList.
 */
import type { Evidence, RuleContext } from "../../core/engine/types.ts";
import { parseCidr, spaceOf6, subtract6, toCidrs6 } from "../../core/util/ip.ts";
import { idKey } from "../../core/util/resource-id.ts";
import { placeholderOf } from "../../core/util/shell.ts";
import type { AwsModel, Instance, LoadBalancer, Target, TargetGroup } from "./model.ts";
import {
  clientLabel,
  clientSpace,
  gapNote,
  ipv6ClientsReach,
  jsonForCommand,
  lbNodeSources,
  lbTargets,
  nearMiss,
  nlbClientsReach,
  preservationUnknown,
  reachingFamilies,
  reportTargetsUnknown,
  type Source,
  type SourceVerdict,
  SUBNET_CIDR_QUERY,
  sgNames,
  sh,
  targetBase,
  targetEvidence,
  targetIngress,
  targetIngressFix,
  targetLabel,
  targetSgEvidence,
  targetSgUnknownReason,
  trafficProtocols,
  trafficSources,
} from "./rule-helpers.ts";
import type { Protocol } from "./sg.ts";
import { effectiveCrossZone, lbZoneNames } from "./target-facts.ts";

export interface TargetSgSpec {
  purpose: "health-check" | "traffic";
}

export function healthText(t: Target): string {
  return t.state ? `${t.state}${t.reason ? ` (${t.reason})` : ""}` : "not reported";
}

function sourcesText(lb: LoadBalancer, sources: Source[]): string {
  const who = [...new Set(sources.map((s) => s.label))].join(", ");
  return lb.securityGroupIds.length > 0 ? `${who} (security group ${lb.securityGroupIds.join(", ")})` : who;
}

/**
 * An Application Load Balancer registered as the target of a Network Load Balancer (target type `alb`): its own
 * security groups must admit the NLB's health checks (from the NLB's nodes) and its traffic. "The communication between a
 * Network Load Balancer and an Application Load Balancer always uses IPv4", and the attributes of an `alb` target group
 * "always use their default values" (NLB guide, Use an Application Load Balancer as a target of a Network Load Balancer,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html): IPv4 clients reach
 * the ALB with their own addresses ("Use the CIDR blocks of the client's computers as the traffic source"), and the IPv6
 * clients of a dualstack NLB are translated to IPv4, so they reach it from the NLB's private IPv4 addresses in its subnets,
 * as "IPv6 client requests" reach any IPv4 target ("Load balancer IPv4 address", Edit target group attributes for your
 * Network Load Balancer, Client IP preservation). A rule that references the NLB's own security group matches both.
 * `preserve_client_ip.enabled` is not read for such a group: it defaults to enabled for every target group but an `ip` one
 * with TCP or TLS (TargetGroupAttribute, ELB API reference), and an `alb` group's attributes cannot be changed.
 */
interface AlbTarget {
  alb?: LoadBalancer;
  groupIds: string[];
  /** why its groups cannot be read */
  why?: string;
}

function albTarget(model: AwsModel, target: Target): AlbTarget {
  const alb = model.byKey.loadBalancer.get(idKey(target.id));
  if (!alb) {
    return {
      groupIds: [],
      why: `the Application Load Balancer ${target.id} is not in the snapshot${gapNote(model, [target.id], ["DescribeLoadBalancers"])}, so its security groups are not known`,
    };
  }
  if (alb.securityGroupIds.length === 0)
    return { alb, groupIds: [], why: `the Application Load Balancer ${alb.name} lists no security groups in the snapshot` };
  return { alb, groupIds: alb.securityGroupIds };
}

/**
 * The NLB's clients, as its ALB target sees them: IPv4 clients with their own addresses; the IPv6 clients of a dualstack
 * NLB (when a listener sends them to this target group) from the NLB's nodes' IPv4 addresses, the address family the NLB
 * always uses toward an ALB. A family that a listener rule sends to another target group never reaches this one; either
 * is `uncertain` when the listener rules that could send it elsewhere were not collected.
 */
export function albClientSources(lb: LoadBalancer, tg: TargetGroup, model?: AwsModel): Source[] {
  const dual = ipv6ClientsReach(model, lb, tg);
  const reach = reachingFamilies(model, lb, tg, { v4: nlbClientsReach(model, lb, tg, "ipv4"), v6: dual });
  const label = `${reach.v6 ? "IPv4 " : ""}${clientLabel(lb)} (an NLB passes them to its Application Load Balancer target with their own addresses)`;
  const clients: Source = {
    kind: "clients",
    label,
    peer: { cidrs: clientSpace(lb), groupIds: lb.securityGroupIds, label },
    ptr: lb.ptr,
    ...(reach.v4?.uncertain ? { uncertain: reach.v4.uncertain } : {}),
  };
  const v6 = reach.v6;
  const nodes = v6
    ? lbNodeSources(lb).map((s): Source => {
        const l = `IPv6 clients via ${s.label} (translated to IPv4: an NLB reaches an Application Load Balancer over IPv4 only)`;
        return { ...s, label: l, peer: { ...s.peer, label: l }, ...(v6.uncertain ? { uncertain: v6.uncertain } : {}) };
      })
    : [];
  return [...(reach.v4 ? [clients] : []), ...nodes];
}

/**
 * Whether cross-zone load balancing is on for an NLB's target group: the target group's own
 * `load_balancing.cross_zone.enabled` (`true` or `false`) overrides the load balancer's, which applies when the group
 * keeps the default `use_load_balancer_configuration` ("The target group setting determines the load balancing behavior
 * for the target group", NLB guide, Cross-zone load balancing for target groups,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-cross-zone.html). `gap` says which
 * attributes that decide were not collected; `on` is then only the setting read so far.
 */
export function albCrossZone(model: AwsModel, lb: LoadBalancer, tg: TargetGroup): { on: boolean; gap?: string } {
  const cz = effectiveCrossZone(lb, tg);
  // an `alb` target group's attributes "always use their default values" (NLB guide, Application Load Balancers as
  // targets): the load balancer's setting decides, and the group's missing attributes hide nothing
  if (!tg.attributesKnown && tg.targetType !== "alb")
    return {
      on: cz.on,
      gap: `the attributes of target group ${tg.name} were not collected${gapNote(model, [tg.arn], ["DescribeTargetGroupAttributes"])}`,
    };
  if (!cz.byGroup && !lb.attributesKnown)
    return {
      on: cz.on,
      gap: `the attributes of ${lb.name} were not collected${gapNote(model, [lb.arn], ["DescribeLoadBalancerAttributes"])}`,
    };
  return { on: cz.on };
}

/**
 * The sources whose traffic reaches the ALB target: with cross-zone load balancing off, "each load balancer node
 * distributes traffic across only the registered targets in its Availability Zone" (NLB guide, Cross-zone load balancing
 * for target groups, https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-cross-zone.html), so an
 * NLB node in a zone where the ALB has no node sends it no traffic (its health checks still come, see sourcesFor). A block
 * from such a node is unknown, not a fail, when the attributes that decide (the target group's, or the NLB's when the group
 * uses the load balancer's setting; albCrossZone) or a zone of either load balancer are not known.
 */
function albTrafficSources(model: AwsModel, lb: LoadBalancer, tg: TargetGroup, alb: LoadBalancer, sources: Source[]): Source[] {
  const cz = albCrossZone(model, lb, tg);
  if (cz.on && !cz.gap) return sources;
  const albZones = lbZoneNames(alb);
  const known = albZones.filter((z): z is string => !!z);
  return sources.flatMap((s): Source[] => {
    if (s.kind !== "lb-node") return [s];
    const from = lb.zones.find((z) => z.ptr === s.ptr)?.zoneName ?? s.subnet?.availabilityZone;
    if (from && known.includes(from)) return [s];
    const why = !from
      ? `the zone of ${s.label} is not known, so whether ${alb.name} has a node there is not known`
      : known.length < albZones.length || albZones.length === 0
        ? `${alb.name} has a zone whose name is not known (or lists none), so whether it has a node in ${from}, where ${s.label} sits, is not known`
        : cz.gap
          ? `${cz.gap}, so whether cross-zone load balancing sends its node in ${from} to ${alb.name}, which has no node there, is not known`
          : undefined;
    return why ? [{ ...s, uncertain: s.uncertain ?? why }] : [];
  });
}

// ---------------------------------------------------------------------------
// IPv6 target groups

/**
 * Whether a target group's targets are reached over IPv6: its IpAddressType is `ipv6` (DescribeTargetGroups), or the
 * target is registered by an IPv6 address. "The load balancer communicates with targets based on the IP address type of
 * the target group" (IP address types for your Application / Network Load Balancer), health checks included.
 */
export function ipv6Target(tg: TargetGroup, t: Target): boolean {
  const type = tg.raw.IpAddressType;
  return (typeof type === "string" && type.toLowerCase() === "ipv6") || (t.kind === "ip" && t.id.includes(":"));
}

/** `2600:1f18::1` and `2600:1f18:0:0::1` are one address: compare the canonical text. */
function canonicalV6(text: string): string | undefined {
  const c = parseCidr(text.trim());
  return c && c[0].kind() === "ipv6" ? c[0].toNormalizedString() : undefined;
}

export interface Ipv6Holder {
  instance: Instance;
  /** pointer of the address in the instance's wire object */
  ptr: string;
}

const ipv6Index = new WeakMap<AwsModel, Map<string, Ipv6Holder>>();

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * The instance whose network interface holds an IPv6 address (NetworkInterfaces[].Ipv6Addresses, DescribeInstances).
 * The model indexes instances by their private IPv4 addresses only, so an IPv6 IP target finds its instance here.
 */
export function instanceByIpv6(model: AwsModel, ip: string): Ipv6Holder | undefined {
  let index = ipv6Index.get(model);
  if (!index) {
    const idx = new Map<string, Ipv6Holder>();
    const add = (text: unknown, instance: Instance, ptr: string) => {
      const k = typeof text === "string" ? canonicalV6(text) : undefined;
      if (k && !idx.has(k)) idx.set(k, { instance, ptr });
    };
    for (const inst of model.instances) {
      const raw = obj(inst.raw);
      add(raw.Ipv6Address, inst, `${inst.ptr}/Ipv6Address`);
      for (const [i, e] of list(raw.NetworkInterfaces).entries()) {
        for (const [j, a] of list(obj(e).Ipv6Addresses).entries()) {
          add(obj(a).Ipv6Address, inst, `${inst.ptr}/NetworkInterfaces/${i}/Ipv6Addresses/${j}/Ipv6Address`);
        }
      }
    }
    ipv6Index.set(model, idx);
    index = idx;
  }
  const k = canonicalV6(ip);
  return k ? index.get(k) : undefined;
}

/** The LB nodes as IPv6 peers: each zone's node has an address in its subnet's IPv6 CIDR (the LB must be dualstack). */
export function lbNodeSourcesV6(lb: LoadBalancer): Source[] {
  return lb.zones.map((z) => {
    const s = z.subnet;
    const where = s
      ? `${s.id}${s.ipv6Cidrs.length > 0 ? ` (${s.ipv6Cidrs.join(", ")})` : " (its IPv6 CIDR is not in the snapshot)"}`
      : (z.subnetId ?? z.zoneName ?? "an unknown subnet");
    const label = `${lb.name}'s IPv6 node in ${where}`;
    const src: Source = {
      kind: "lb-node",
      label,
      peer: { cidrs: s?.ipv6Cidrs ?? [], groupIds: lb.securityGroupIds, label, family: "ipv6" },
      ptr: z.ptr,
    };
    if (s) src.subnet = s;
    return src;
  });
}

/** The primary IPv6 address of an instance (its first interface's, as DescribeInstances lists them), if any. */
export function instanceIpv6(inst: Instance): string | undefined {
  const raw = obj(inst.raw);
  if (typeof raw.Ipv6Address === "string") return raw.Ipv6Address;
  for (const e of list(raw.NetworkInterfaces)) {
    const addrs = list(obj(e).Ipv6Addresses).map(obj);
    const a = addrs.find((x) => x.IsPrimaryIpv6 === true) ?? addrs[0];
    if (a && typeof a.Ipv6Address === "string") return a.Ipv6Address;
  }
  return undefined;
}

const internetV6Cache = new WeakMap<LoadBalancer, string[]>();

/**
 * The addresses IPv6 internet clients come from: global unicast space (2000::/3) less the VPC's own subnets (a VPC's IPv6
 * addresses are global unicast too, but no internet client holds them).
 */
function internetV6(model: AwsModel, lb: LoadBalancer): string[] {
  let out = internetV6Cache.get(lb);
  if (!out) {
    const own = model.subnets.filter((x) => x.vpcId === lb.vpcId).flatMap((x) => x.ipv6Cidrs);
    out = toCidrs6(subtract6(spaceOf6(["2000::/3"]), spaceOf6(own)));
    internetV6Cache.set(lb, out);
  }
  return out;
}

/**
 * Where an IPv6 target group's traffic comes from. An NLB that preserves client IPs passes IPv6 clients' own addresses,
 * but IPv4 clients reach an IPv6 target from the load balancer's IPv6 address; without preservation every request
 * comes from the load balancer's IPv6 address (Edit target group attributes for your Network Load Balancer, "IP type (IPv6)").
 */
export function trafficSourcesV6(model: AwsModel, lb: LoadBalancer, tg: TargetGroup): Source[] {
  if (lb.type === "network" && tg.preserveClientIp.value) {
    // IPv6 clients keep their addresses; IPv4 clients, translated, arrive from the nodes: a family that a listener rule
    // sends to another target group is no source of this one's traffic
    const reach = reachingFamilies(model, lb, tg, {
      v4: nlbClientsReach(model, lb, tg, "ipv4"),
      v6: nlbClientsReach(model, lb, tg, "ipv6"),
    });
    const label = `${lb.internetFacing ? "IPv6 clients on the internet" : "IPv6 clients of the internal load balancer"} (the NLB preserves client IPs)`;
    const cidrs = lb.internetFacing ? internetV6(model, lb) : ["::/0"];
    const v4 = reach.v4;
    return [
      ...(reach.v6
        ? [
            {
              kind: "clients" as const,
              label,
              peer: { cidrs, groupIds: lb.securityGroupIds, label, family: "ipv6" as const },
              ptr: tg.preserveClientIp.ptr,
              ...(reach.v6.uncertain ? { uncertain: reach.v6.uncertain } : {}),
            },
          ]
        : []),
      ...(v4 ? lbNodeSourcesV6(lb).map((s) => (v4.uncertain ? { ...s, uncertain: v4.uncertain } : s)) : []),
    ];
  }
  return lbNodeSourcesV6(lb);
}

function sourcesFor(model: AwsModel, lb: LoadBalancer, tg: TargetGroup, hc: boolean, v6: boolean): Source[] {
  // the subnet is left out of an IPv6 node: readVerdict would name its IPv4 CIDR when a range covers part of the node's space
  if (v6) return (hc ? lbNodeSourcesV6(lb) : trafficSourcesV6(model, lb, tg)).map(({ subnet: _, ...x }) => x);
  return hc ? lbNodeSources(lb) : trafficSources(lb, tg, model);
}

/**
 * The fix for an IPv6 flow: the load balancer's security group by reference when it has one (as for IPv4), else the
 * blocked sources' IPv6 CIDRs in `Ipv6Ranges` (an `IpRanges` entry holds IPv4 only).
 */
function ipv6IngressFix(model: AwsModel, lb: LoadBalancer, blocked: SourceVerdict[], port: number, groupId: string | undefined): string[] {
  if (!groupId) return [];
  const commands: string[] = [];
  for (const protocol of [...new Set(blocked.map((b) => b.protocol))]) {
    const permission: Record<string, unknown> = { IpProtocol: protocol, FromPort: port, ToPort: port };
    if (lb.securityGroupIds.length > 0) permission.UserIdGroupPairs = [{ GroupId: lb.securityGroupIds[0] }];
    else {
      // the clients of an internet-facing NLB are the IPv6 internet (::/0, as 0.0.0.0/0 for IPv4); an internal one's, the VPC's subnets
      const vpcV6 = model.subnets.filter((x) => x.vpcId === lb.vpcId).flatMap((x) => x.ipv6Cidrs);
      const cidrs = [
        ...new Set(
          blocked
            .filter((b) => b.protocol === protocol)
            .flatMap((b) => (b.source.kind === "clients" ? (lb.internetFacing ? ["::/0"] : vpcV6) : b.source.peer.cidrs)),
        ),
      ];
      if (cidrs.length === 0) continue;
      permission.Ipv6Ranges = cidrs.map((c) => ({ CidrIpv6: c }));
    }
    commands.push(
      `aws ec2 authorize-security-group-ingress --group-id ${sh(groupId)} --ip-permissions ${sh(jsonForCommand([permission]))}`,
    );
  }
  return commands;
}

export function checkTargetSecurityGroups({ model, report }: RuleContext<AwsModel>, spec: TargetSgSpec): void {
  const hc = spec.purpose === "health-check";
  reportTargetsUnknown(model, report);
  for (const visit of lbTargets(model)) {
    const { lb, tg } = visit;
    const v6 = visit.target.kind !== "alb" && visit.target.kind !== "lambda" && ipv6Target(tg, visit.target);
    // an IPv6 IP target: the instance whose interface holds the address (the model resolves IPv4 addresses only)
    const v6Holder = v6 && visit.target.kind === "ip" && !visit.target.instance ? instanceByIpv6(model, visit.target.id) : undefined;
    const target: Target = v6Holder ? { ...visit.target, instance: v6Holder.instance } : visit.target;
    const holderEv: Evidence[] = v6Holder
      ? [{ resourceId: v6Holder.instance.id, pointer: v6Holder.ptr, label: `${target.id} on ${v6Holder.instance.id}'s network interface` }]
      : [];
    const base = targetBase(lb, tg, target);
    const port = hc ? target.healthCheckPort : target.port;
    const protocols: Protocol[] = hc ? ["tcp"] : trafficProtocols(tg);
    const albT = target.kind === "alb" ? albTarget(model, target) : undefined;
    const sources =
      albT && !hc
        ? albT.alb
          ? albTrafficSources(model, lb, tg, albT.alb, albClientSources(lb, tg, model))
          : albClientSources(lb, tg, model)
        : sourcesFor(model, lb, tg, hc, v6);
    const groupIds = albT ? albT.groupIds : (target.instance?.securityGroupIds ?? []);
    const data = {
      targetGroup: tg.name,
      lb: lb.name,
      target: targetLabel(target),
      port: port ?? (hc ? tg.healthCheck.portSpec : "(none)"),
      protocol: protocols.map((p) => p.toUpperCase()).join("/"),
      kind: target.kind,
      sources: sourcesText(lb, sources),
    };
    const tEv = targetEvidence(target);
    const portEv = hc
      ? { resourceId: tg.arn, pointer: target.tg.healthCheck.portPtr, label: `health-check port (${tg.healthCheck.portSpec})` }
      : { resourceId: tg.arn, pointer: `${target.ptr}/Target`, label: "target port" };
    if (target.kind === "lambda") {
      report({ ...base, status: "not-applicable", messageId: "noGroups", data, evidence: [tEv] });
      continue;
    }
    if (hc && !tg.healthCheck.enabled) {
      report({
        ...base,
        status: "not-applicable",
        messageId: "disabled",
        data,
        evidence: [{ resourceId: tg.arn, pointer: tg.ptr, label: "target group" }],
      });
      continue;
    }
    const why = port === undefined ? "neither the target nor its group has a port" : albT ? albT.why : targetSgUnknownReason(model, target);
    if (why !== undefined || port === undefined) {
      report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason: why }, evidence: [tEv, portEv] });
      continue;
    }
    const r = targetIngress(model, lb, target, sources, port, protocols, groupIds);
    const sourceEv = sourceEvidence(lb, tg, sources);
    const groupsEv: Evidence[] = albT?.alb
      ? [{ resourceId: albT.alb.arn, pointer: albT.alb.securityGroupsPtr, label: `security groups of ${albT.alb.name} (the target)` }]
      : [];
    if (!hc && !albT && preservationUnknown(lb, tg)) {
      // preserve_client_ip.enabled was not collected: the default may have been changed, so the verdict must hold both ways
      const flipped = { ...tg, preserveClientIp: { ...tg.preserveClientIp, value: !tg.preserveClientIp.value } };
      if (targetIngress(model, lb, target, sourcesFor(model, lb, flipped, false, v6), port, protocols).status !== r.status) {
        const reason =
          `the attributes of target group ${tg.name} were not collected${gapNote(model, [tg.arn], ["DescribeTargetGroupAttributes"])}, ` +
          `so whether ${lb.name} preserves client IPs (preserve_client_ip.enabled) is not known, and the verdict depends on it`;
        report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [tEv, sourceEv] });
        continue;
      }
    }
    if (r.status === "fail") {
      const first = r.blocked[0] as SourceVerdict;
      // nodes undecided only because their subnet's CIDR of the flow's family is not in the snapshot: named, and given a
      // looked-up allow in the fix, so that the next run is clean once it is applied
      const family = v6 ? "IPv6" : "IPv4";
      const undecided = r.unknown.filter(
        (u) => u.source.kind === "lb-node" && u.source.peer.cidrs.length === 0 && !u.source.uncertain && nodeSubnetId(lb, u.source, v6),
      );
      const undecidedSubnets = [...new Set(undecided.map((u) => nodeSubnetId(lb, u.source, v6) as string))];
      const undecidedText =
        undecidedSubnets.length === 0
          ? ""
          : ` (not decided for ${lb.name}'s node${undecidedSubnets.length > 1 ? "s" : ""} in ${undecidedSubnets.join(", ")}: ` +
            `the ${family} CIDR of ${undecidedSubnets.length > 1 ? "those subnets" : "that subnet"} is not in the snapshot, and the fix looks it up)`;
      const lookups = v6
        ? unknownNodeCidrFixV6(lb, [...r.blocked, ...undecided], port, groupIds[0])
        : unknownNodeCidrFix(lb, [...r.blocked, ...undecided], port, groupIds[0]);
      report({
        ...base,
        status: "fail",
        messageId: "blocked",
        data: {
          ...data,
          protocol: [...new Set(r.blocked.map((b) => b.protocol.toUpperCase()))].join("/"),
          sources: `${sourcesText(
            lb,
            r.blocked.map((b) => b.source),
          )}${undecidedText}`,
          groups: sgNames(model, groupIds),
          nearMiss: nearMiss(first.verdict),
          health: healthText(target),
        },
        evidence: [
          ...groupsEv,
          ...(albT && !hc && r.blocked.some((b) => b.source.kind === "lb-node")
            ? [
                {
                  resourceId: lb.arn,
                  pointer: `${lb.ptr}/IpAddressType`,
                  label: `IP address type of ${lb.name} (dualstack: its IPv6 clients reach the ALB over IPv4, from the NLB's addresses)`,
                },
              ]
            : []),
          ...holderEv,
          ...targetSgEvidence(target, r.blocked),
          portEv,
          sourceEv,
          { resourceId: tg.arn, pointer: target.statePtr, label: "target health" },
          ...undecided
            .filter((u, i) => undecided.findIndex((x) => x.source.ptr === u.source.ptr) === i)
            .map((u) => ({
              resourceId: lb.arn,
              pointer: u.source.ptr,
              label: `${lb.name}'s zone in ${nodeSubnetId(lb, u.source, v6)}: the subnet's ${family} CIDR is not in the snapshot, so whether ${groupIds.join(", ")} admit${groupIds.length > 1 ? "" : "s"} its node is not known`,
            })),
        ],
        remediation: {
          summary: `Allow ${[...new Set(r.blocked.map((b) => b.protocol.toUpperCase()))].join("/")} ${port} from ${
            lb.securityGroupIds.length > 0
              ? `the load balancer's security group ${lb.securityGroupIds[0]}`
              : r.blocked.some((b) => b.source.kind === "clients")
                ? "the clients"
                : `${lb.name}'s subnets`
          } in ${groupIds[0]}.${
            lookups.length === 0
              ? ""
              : v6
                ? " The snapshot lacks a subnet's IPv6 CIDR: replace each <IPv6 CIDR of subnet-…> in the command's JSON with what the describe-subnets command before it prints."
                : " The snapshot lacks a subnet's CIDR: replace each '<IPv4 CIDR of subnet-…>' with what the describe-subnets command before it prints."
          }`,
          commands: [
            ...(v6
              ? ipv6IngressFix(model, lb, r.blocked, port, groupIds[0])
              : targetIngressFix(model, lb, target, r.blocked, port, groupIds[0])),
            ...lookups,
          ],
        },
      });
    } else if (r.status === "unknown") {
      report({
        ...base,
        status: "unknown",
        messageId: "undecidable",
        data: { ...data, reason: r.unknown[0]?.reason ?? "undecidable" },
        evidence: [...groupsEv, ...targetSgEvidence(target, r.unknown), portEv],
      });
    } else if (r.restricted.length > 0) {
      const allowList = [
        ...new Set(
          r.restricted.flatMap((x) => [
            ...x.verdict.allowedBy.map((m) => `${m.value} (${m.sg.id})`),
            ...x.verdict.otherGroups.map((m) => `${m.value} (${m.sg.id})`),
          ]),
        ),
      ];
      report({
        ...base,
        status: "pass",
        messageId: "restricted",
        data: {
          ...data,
          sources: sourcesText(
            lb,
            r.restricted.map((x) => x.source),
          ),
          allowList: allowList.join(", "),
        },
        evidence: [
          tEv,
          ...r.restricted
            .flatMap((x) => [...x.verdict.allowedBy, ...x.verdict.otherGroups])
            .map((m) => ({ resourceId: m.sg.id, pointer: m.ptr, label: "allow-list entry" })),
        ],
      });
    } else {
      const m = r.results.flatMap((x) => x.verdict.allowedBy)[0];
      report({
        ...base,
        status: "pass",
        messageId: "allowed",
        data: {
          ...data,
          basis: m
            ? `${m.sg.id} allows it from ${m.value}${lb.securityGroupIds.includes(m.value) ? " (the load balancer's security group)" : ""}`
            : "allowed",
        },
        evidence: [tEv, ...(m ? [{ resourceId: m.sg.id, pointer: m.ptr, label: "allowing rule" }] : [])],
      });
    }
  }
}

/**
 * The allow for the load balancer's nodes whose subnet's IPv4 CIDR is not in the snapshot (targetIngressFix names only the
 * CIDRs it knows): a describe-subnets lookup, then an allow from a placeholder the user replaces with the CIDR it prints,
 * never 0.0.0.0/0. Nothing when the load balancer has security groups (the fix references them) or when blocked clients
 * already bring an allow from every address of theirs.
 */
function unknownNodeCidrFix(lb: LoadBalancer, blocked: SourceVerdict[], port: number, groupId: string | undefined): string[] {
  if (!groupId || lb.securityGroupIds.length > 0) return [];
  const commands: string[] = [];
  for (const protocol of [...new Set(blocked.map((b) => b.protocol))]) {
    const srcs = blocked.filter((b) => b.protocol === protocol).map((b) => b.source);
    if (srcs.some((x) => x.kind === "clients")) continue;
    for (const subnetId of [...new Set(srcs.filter((x) => x.peer.cidrs.length === 0 && x.subnet).map((x) => x.subnet?.id as string))]) {
      if (!commands.some((c) => c.startsWith("aws ec2 describe-subnets") && c.includes(sh(subnetId))))
        commands.push(`aws ec2 describe-subnets --subnet-ids ${sh(subnetId)} --query ${sh("Subnets[].CidrBlock")} --output text`);
      commands.push(
        `aws ec2 authorize-security-group-ingress --group-id ${sh(groupId)} --protocol ${sh(protocol)} --port ${sh(port)} --cidr ${placeholderOf("IPv4 CIDR", subnetId, "the subnet looked up above")}`,
      );
    }
  }
  return commands;
}

/**
 * The subnet of a load balancer node whose addresses of the flow's family are not known: its source's subnet (IPv4), or the
 * subnet of the load balancer zone it stands for (IPv6 sources leave the subnet out, see sourcesFor), even one the
 * snapshot lacks.
 */
function nodeSubnetId(lb: LoadBalancer, source: Source, v6: boolean): string | undefined {
  if (source.kind !== "lb-node") return undefined;
  return v6 ? lb.zones.find((z) => z.ptr === source.ptr)?.subnetId : source.subnet?.id;
}

/**
 * The IPv6 twin of unknownNodeCidrFix, for the nodes whose subnet's IPv6 CIDR is not in the snapshot (ipv6IngressFix names
 * only the CIDRs it knows): a describe-subnets lookup of the subnet's associated IPv6 block, then an allow in `Ipv6Ranges`
 * (the `--cidr` option takes IPv4 only: "To specify an IPv6 address range, use IP permissions instead",
 * AuthorizeSecurityGroupIngress, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html)
 * from a placeholder the user replaces with the CIDR it prints, never ::/0. Nothing when the load balancer has security
 * groups (the fix references them) or when blocked clients of an internet-facing load balancer already bring an allow
 * from ::/0.
 */
function unknownNodeCidrFixV6(lb: LoadBalancer, blocked: SourceVerdict[], port: number, groupId: string | undefined): string[] {
  if (!groupId || lb.securityGroupIds.length > 0) return [];
  const commands: string[] = [];
  for (const protocol of [...new Set(blocked.map((b) => b.protocol))]) {
    const srcs = blocked.filter((b) => b.protocol === protocol).map((b) => b.source);
    if (lb.internetFacing && srcs.some((x) => x.kind === "clients")) continue;
    const subnets = srcs.filter((x) => x.peer.cidrs.length === 0).map((x) => nodeSubnetId(lb, x, true));
    for (const subnetId of [...new Set(subnets.filter((x): x is string => x !== undefined))]) {
      if (!commands.some((c) => c.startsWith("aws ec2 describe-subnets") && c.includes(sh(subnetId))))
        commands.push(`aws ec2 describe-subnets --subnet-ids ${sh(subnetId)} --query ${sh(SUBNET_CIDR_QUERY.ipv6)} --output text`);
      // the placeholder as the JSON carries it: the whole --ip-permissions value is one single-quoted word
      const cidr = placeholderOf("IPv6 CIDR", subnetId, "the subnet looked up above").slice(1, -1);
      const permission = { IpProtocol: protocol, FromPort: port, ToPort: port, Ipv6Ranges: [{ CidrIpv6: cidr }] };
      commands.push(
        `aws ec2 authorize-security-group-ingress --group-id ${sh(groupId)} --ip-permissions ${sh(jsonForCommand([permission]))}`,
      );
    }
  }
  return commands;
}

function sourceEvidence(lb: LoadBalancer, tg: TargetGroup, sources: Source[]) {
  if (sources.some((s) => s.kind === "clients") && tg.targetType === "alb") {
    const viaNodes = sources.some((s) => s.kind === "lb-node");
    return {
      resourceId: tg.arn,
      pointer: tg.ptr,
      label: viaNodes
        ? "target group of type alb (the ALB sees IPv4 clients' addresses, and the NLB's IPv4 addresses for IPv6 clients)"
        : "target group of type alb (the ALB sees the clients' addresses)",
    };
  }
  if (sources.some((s) => s.kind === "clients")) {
    return { resourceId: tg.arn, pointer: tg.preserveClientIp.ptr, label: `client IP preservation (${tg.preserveClientIp.source})` };
  }
  return {
    resourceId: lb.arn,
    pointer: lb.securityGroupsPtr,
    label: lb.securityGroupIds.length > 0 ? "load balancer security groups" : "load balancer (no security groups)",
  };
}
