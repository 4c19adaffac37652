import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, Remediation } from "../../../src/core/engine/types.ts";
import { cidrContains, ipInCidr, sameAddress } from "../../../src/core/util/ip.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { fromNames, guestGap, guestOf, parseEndpoint } from "../../../src/providers/aws/guest.ts";
import { k8sRemediation } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel, Instance, LoadBalancer, Target, TargetGroup } from "../../../src/providers/aws/model.ts";
import {
  gapNote,
  isDualstack,
  preservationFixed,
  sh,
  targetLabel,
  targetResourceId,
  targetResourceName,
  targetSubjects,
} from "../../../src/providers/aws/rule-helpers.ts";
import { instanceByIpv6, ipv6Target } from "../../../src/providers/aws/target-sg.ts";

interface Endpoint {
  ip: string;
  ptr: string;
}

/**
 * The NLB's node addresses of one family, when DescribeLoadBalancers listed them
 * (AvailabilityZones[].LoadBalancerAddresses[]): PrivateIPv4Address, or IPv6Address for an IPv6 target group.
 */
function nodeAddresses(lb: LoadBalancer, v6: boolean): Endpoint[] {
  const key = v6 ? "IPv6Address" : "PrivateIPv4Address";
  const out: Endpoint[] = [];
  const zones = Array.isArray(lb.raw.AvailabilityZones) ? (lb.raw.AvailabilityZones as unknown[]) : [];
  zones.forEach((z, i) => {
    const list = (z as { LoadBalancerAddresses?: unknown }).LoadBalancerAddresses;
    if (!Array.isArray(list)) return;
    list.forEach((a, j) => {
      const ip = (a as Record<string, unknown>)[key];
      if (typeof ip === "string" && ip) out.push({ ip, ptr: join(lb.ptr, "AvailabilityZones", i, "LoadBalancerAddresses", j, key) });
    });
  });
  return out;
}

/** The instance a target is: an instance target's, or an IP target's by its private IPv4 address or (IPv6) its interface's address. */
function instanceOf(model: AwsModel, tg: TargetGroup, t: Target): Instance | undefined {
  if (t.instance) return t.instance;
  return t.kind === "ip" && ipv6Target(tg, t) ? instanceByIpv6(model, t.id)?.instance : undefined;
}

/**
 * Which of a dualstack NLB's calls loop back: client IP preservation keeps only the address of a client of the target
 * group's own family; a call over the other family reaches the target from the NLB's own address and gets through
 * (Edit target group attributes for your Network Load Balancer, Client IP preservation).
 */
function familyNote(lb: LoadBalancer, v6: boolean): string {
  if (!isDualstack(lb)) return "";
  return v6
    ? " (over IPv6: an IPv4 call reaches an IPv6 target from the NLB's own address and gets through)"
    : " (over IPv4: an IPv6 call reaches an IPv4 target from the NLB's own address and gets through)";
}

interface Hit {
  index: number;
  remote: string;
  /** the evidence that the address is the NLB's */
  via: Evidence;
  exact: boolean;
}

/**
 * Connections the guest check saw from the instance to the NLB, over the target group's address family (only those keep
 * the caller's address): to one of its node addresses on a listener port, or, when the snapshot lists no node address,
 * to an address of one of its subnets on a listener port that no instance in the snapshot holds.
 */
function hitsOn(model: AwsModel, lb: LoadBalancer, connections: Array<{ remote: string }>, v6: boolean): Hit[] {
  const ports = new Set(lb.listeners.map((l) => l.port).filter((p): p is number => p !== undefined));
  const nodes = nodeAddresses(lb, v6);
  const out: Hit[] = [];
  connections.forEach((c, index) => {
    const ep = parseEndpoint(c.remote);
    if (!ep || !ports.has(ep.port) || ep.ip.includes(":") !== v6) return;
    const node = nodes.find((n) => sameAddress(n.ip, ep.ip));
    if (node) {
      out.push({ index, remote: c.remote, via: { resourceId: lb.arn, pointer: node.ptr, label: "NLB node address" }, exact: true });
      return;
    }
    if (nodes.length > 0 || (v6 ? instanceByIpv6(model, ep.ip) !== undefined : model.byKey.instanceByIp.has(ep.ip))) return;
    const zone = lb.zones.find((z) =>
      v6 ? z.subnet?.ipv6Cidrs.some((x) => cidrContains(x, ep.ip)) : z.subnet?.cidr && ipInCidr(ep.ip, z.subnet.cidr),
    );
    if (zone?.subnet) {
      const space = v6 ? zone.subnet.ipv6Cidrs.join(", ") : zone.subnet.cidr;
      out.push({
        index,
        remote: c.remote,
        via: { resourceId: lb.arn, pointer: zone.ptr, label: `NLB zone subnet ${zone.subnet.id} (${space})` },
        exact: false,
      });
    }
  });
  return out;
}

function fix(lb: LoadBalancer, tg: TargetGroup): Remediation {
  if (preservationFixed(tg)) {
    // UDP, TCP_UDP, QUIC and TCP_QUIC groups preserve client IPs for good: ModifyTargetGroupAttributes refuses to turn it off
    return {
      summary:
        `Client IP preservation cannot be turned off on ${tg.name} (a ${(tg.protocol ?? "").toUpperCase()} target group always preserves client IPs): ` +
        `let the targets call the service locally, or another target's address directly, rather than through ${lb.name}.`,
      commands: [],
    };
  }
  return {
    summary:
      `Turn client IP preservation off on ${tg.name}: a target calling ${lb.name} then arrives from the NLB's own address and the loop works. ` +
      `The targets then see ${lb.name}'s private addresses as the source, so their security groups must allow its subnets (or its security group); ` +
      "if the application needs the client's address, read it from proxy protocol v2 instead. Or let the targets call the service locally rather than through the NLB.",
    commands: [
      `aws elbv2 modify-target-group-attributes --target-group-arn ${sh(tg.arn)} --attributes Key=preserve_client_ip.enabled,Value=false`,
    ],
  };
}

export default defineRule<AwsModel>({
  id: "aws/nlb-hairpin",
  provider: "aws",
  severity: "high",
  reads: [
    "aws:loadBalancers",
    "aws:targetGroups",
    "aws:targetGroupAttributes",
    "aws:targetHealth",
    "aws:instances",
    "aws:subnets",
    "aws:guest",
  ],
  title: "Targets call their own internal NLB while it preserves client IPs",
  description:
    '"NAT loopback, also known as hairpinning, is not supported when client IP preservation is enabled": when a target of an internal ' +
    "Network Load Balancer connects to that load balancer and the flow is sent back to the same target, the packet arrives with the " +
    "target's own address as its source, the reply never leaves the instance, and the connection times out. Flows sent to another target " +
    "work, so the symptom is intermittent timeouts, worse with fewer targets. Client IP preservation is on by default for instance targets " +
    "(and for UDP), off for IP targets over TCP/TLS. On a dualstack NLB only a call over the target group's own address family keeps " +
    "the caller's address (IPv4 for an IPv4 group, IPv6 for an IPv6 one): a call over the other family reaches the target from the " +
    "NLB's own address and gets through, so only connections to the NLB's addresses of the group's family count, and an IPv6 IP " +
    "target is matched to the instance whose network interface holds the address. " +
    "The rule reports the risk (low) for every internal NLB target group that preserves " +
    "client IPs, and confirms it (high) when the guest check (`observations.guest`) shows a target connected to the NLB's address on a " +
    "listener port, or when `--from` names a target (by instance id or Name tag) as a caller of the load balancer.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html",
      title: "Edit target group attributes for your Network Load Balancer - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Network Load Balancer",
    },
    {
      url: "https://repost.aws/questions/QU_9Dcea7NR3W3MzaZKVkcBA/why-can-an-instance-in-a-target-group-not-reach-itself-via-nlb",
      title: "why can an instance in a target group not reach itself via nlb (AWS re:Post)",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html#loopback-timeout",
  ],
  messages: {
    seen: "{{target}} is a target of internal NLB {{lb}} (target group {{targetGroup}}, client IP preservation on) and holds a connection to {{endpoint}}{{how}}: whenever the NLB sends that flow back to {{target}} it times out.",
    declared:
      "{{target}} was named with --from as a caller of the load balancer, and it is a target of internal NLB {{lb}} (target group {{targetGroup}}) that preserves client IPs: flows sent back to it time out{{over}}.",
    risk: "Internal NLB {{lb}} preserves client IPs for target group {{targetGroup}} ({{basis}}): if {{targets}} {{verb}} {{lb}}{{over}}, flows sent back to the caller time out. Confirm with --guest or --from <instance>.",
    notSeen:
      "{{target}} is a target of internal NLB {{lb}} (target group {{targetGroup}}); the guest check saw no connection from it to the NLB.",
    preservationOff:
      "Target group {{targetGroup}} of internal NLB {{lb}} does not preserve client IPs ({{basis}}): a target calling the NLB gets through.",
    preservationUnknown:
      "Whether target group {{targetGroup}} of internal NLB {{lb}} preserves client IPs is not known: its attributes were not collected{{gap}}, and the default ({{basis}}) may have been changed; a target calling the NLB times out if it is on.",
    internetFacing: "NLB {{lb}} is internet-facing: its targets reach it through a NAT gateway, not by hairpin.",
    albTarget:
      "Target group {{targetGroup}} of internal NLB {{lb}} sends to an Application Load Balancer, which ends each connection and opens its own to its targets: it never calls {{lb}} itself, so no flow loops back.",
    guestFailed:
      "{{target}} is a target of internal NLB {{lb}} (target group {{targetGroup}}) that preserves client IPs, but the guest check failed ({{gap}}).",
    fromUnknown: "--from names '{{entry}}', which is no instance (id or Name tag) in the snapshot.",
    fromUndecided:
      "{{target}} (named with --from) is a target of internal NLB {{lb}} (target group {{targetGroup}}), whose client IP preservation is not known (the group's attributes were not collected): its calls through the NLB loop back to it and time out if preservation is on.",
    targetsUnknown:
      "Internal NLB {{lb}} preserves client IPs for target group {{targetGroup}} ({{basis}}), but its targets are not known: {{reason}}.",
    fromTargetsUnknown:
      "Whether {{target}} (named with --from) is a target of internal NLB {{lb}} that preserves client IPs is not known: the targets of {{targetGroup}} were not collected.",
    fromNotTarget:
      "{{target}} (named with --from) is not a target of an internal NLB that preserves client IPs: its calls cannot loop back to it.",
  },
  remediation:
    "Turn client IP preservation off on the target group (`aws elbv2 modify-target-group-attributes --attributes " +
    "Key=preserve_client_ip.enabled,Value=false`) and take the client address from proxy protocol v2 if needed, or keep the targets from " +
    "calling their own load balancer.",
  check({ model, report }) {
    const from = model.context.from;
    const targetKeys = new Set<string>();
    /** targets of groups whose client IP preservation is not known (attributes not collected), by instance key */
    const undecided = new Map<string, { lb: LoadBalancer; tg: TargetGroup; target: Target }>();
    /** groups that preserve client IPs whose targets are not known */
    const targetsUnknown: Array<{ lb: LoadBalancer; tg: TargetGroup }> = [];
    let inScope = false;
    for (const lb of model.loadBalancers) {
      if (lb.type !== "network") continue;
      const lbEv = { resourceId: lb.arn, pointer: lb.ptr, label: "load balancer" };
      if (lb.internetFacing) {
        report({
          resourceId: lb.arn,
          resourceName: lb.name,
          loadBalancerId: lb.arn,
          status: "not-applicable",
          messageId: "internetFacing",
          data: { lb: lb.name },
          evidence: [lbEv],
        });
        continue;
      }
      inScope = true;
      for (const tg of lb.targetGroups) {
        if (tg.loadBalancers[0] !== lb) continue;
        if (tg.targetType === "alb") {
          // an Application Load Balancer as the target: it ends each connection and opens its own to its targets, so it never
          // calls the NLB as a client, and a flow the NLB sends it cannot loop back to its sender
          const gbase = { resourceId: tg.arn, resourceName: tg.name, loadBalancerId: lb.arn, subjects: [tg.key] };
          report({
            ...gbase,
            status: "not-applicable",
            messageId: "albTarget",
            data: { lb: lb.name, targetGroup: tg.name },
            evidence: [lbEv],
          });
          continue;
        }
        const pc = tg.preserveClientIp;
        const basis = `preserve_client_ip.enabled=${pc.value}${pc.source === "default" ? `, the default for ${tg.targetType} targets over ${tg.protocol ?? "?"}` : ""}`;
        const pcEv = { resourceId: tg.arn, pointer: pc.ptr, label: `client IP preservation (${pc.source})` };
        const gbase = { resourceId: tg.arn, resourceName: tg.name, loadBalancerId: lb.arn, subjects: [tg.key] };
        const data = { lb: lb.name, targetGroup: tg.name, basis };
        // only the default, with the attributes not read: it may have been turned on (or off), and every verdict here depends on it;
        // UDP, TCP_UDP, QUIC and TCP_QUIC groups always preserve client IPs (the attribute cannot be changed for them)
        const fixedOn = preservationFixed(tg);
        if (pc.source === "default" && !tg.attributesKnown && !fixedOn) {
          const gap = gapNote(model, [tg.arn], ["DescribeTargetGroupAttributes"]);
          report({ ...gbase, status: "unknown", messageId: "preservationUnknown", data: { ...data, gap }, evidence: [pcEv] });
          for (const t of tg.targets) {
            const inst = instanceOf(model, tg, t);
            if (inst && !undecided.has(inst.key)) undecided.set(inst.key, { lb, tg, target: t.instance ? t : { ...t, instance: inst } });
          }
          continue;
        }
        if (!pc.value) {
          report({ ...gbase, status: "pass", messageId: "preservationOff", data, evidence: [pcEv] });
          continue;
        }
        if (!tg.healthKnown) {
          // DescribeTargetHealth missing: which instances are its targets is not known
          const reason = `its target health was not collected${gapNote(model, [tg.arn], ["DescribeTargetHealth"])}`;
          report({ ...gbase, status: "unknown", messageId: "targetsUnknown", data: { ...data, reason }, evidence: [pcEv] });
          targetsUnknown.push({ lb, tg });
          continue;
        }
        const atRisk: Target[] = [];
        let atRiskV6 = false;
        for (const target of tg.targets) {
          // an IPv6 target group's IP targets: the instance whose interface holds the address (the model resolves IPv4 only)
          const inst: Instance | undefined = instanceOf(model, tg, target);
          const t: Target = inst && !target.instance ? { ...target, instance: inst } : target;
          const v6 = ipv6Target(tg, t);
          if (inst) targetKeys.add(inst.key);
          const base = {
            resourceId: targetResourceId(t),
            resourceName: targetResourceName(t),
            loadBalancerId: lb.arn,
            key: `${tg.name}|${t.id}`,
            subjects: targetSubjects(t),
          };
          const tdata = { ...data, target: targetLabel(t), over: familyNote(lb, v6) };
          const g = guestOf(model, inst);
          const hits = g?.body.connections ? hitsOn(model, lb, g.body.connections, v6) : [];
          const first = hits[0];
          if (g && inst && first) {
            report({
              ...base,
              status: "fail",
              messageId: "seen",
              data: {
                ...tdata,
                endpoint: first.remote,
                how: first.exact
                  ? " (a node address of the NLB)"
                  : `, an address of ${lb.name}'s subnet on a listener port that no instance holds`,
              },
              evidence: [
                ...hits.map((h) => ({
                  resourceId: inst.id,
                  pointer: join(g.ptr, "connections", h.index),
                  label: "connection (guest check)",
                })),
                first.via,
                pcEv,
              ],
              remediation: k8sRemediation(model, tg.arn, fix(lb, tg)),
            });
          } else if (inst && from.some((f) => fromNames(f, inst))) {
            report({
              ...base,
              status: "fail",
              messageId: "declared",
              data: tdata,
              evidence: [{ resourceId: tg.arn, pointer: t.ptr, label: "target" }, pcEv],
              remediation: k8sRemediation(model, tg.arn, fix(lb, tg)),
            });
          } else if (g?.body.connections) {
            report({
              ...base,
              status: "pass",
              messageId: "notSeen",
              data: tdata,
              evidence: [{ resourceId: inst?.id ?? t.id, pointer: join(g.ptr, "connections"), label: "connections (guest check)" }],
            });
          } else {
            const gap = guestGap(model, inst);
            if (gap)
              report({ ...base, status: "unknown", messageId: "guestFailed", data: { ...tdata, gap: gap.message }, evidence: [pcEv] });
            else {
              atRisk.push(t);
              atRiskV6 ||= v6;
            }
          }
        }
        if (atRisk.length > 0) {
          report({
            ...gbase,
            subjects: [tg.key, ...atRisk.map((t) => t.key)],
            severity: "low",
            status: "fail",
            messageId: "risk",
            data: {
              ...data,
              targets:
                atRisk.length === tg.targets.length && atRisk.length > 1
                  ? `its targets (${atRisk.map(targetLabel).join(", ")})`
                  : atRisk.map(targetLabel).join(", "),
              verb: atRisk.length > 1 ? "call" : "calls",
              over: familyNote(lb, atRiskV6),
            },
            evidence: [pcEv, lbEv],
            remediation: k8sRemediation(model, tg.arn, fix(lb, tg)),
          });
        }
      }
    }
    if (!inScope) return;
    for (const entry of from) {
      const inst = model.instances.find((i) => fromNames(entry, i));
      const open = inst && !targetKeys.has(inst.key) ? undecided.get(inst.key) : undefined;
      if (!inst) report({ status: "unknown", resourceId: entry, key: "from", messageId: "fromUnknown", data: { entry } });
      else if (open) {
        // the caller is a target of a group whose client IP preservation was not collected: not a pass
        report({
          status: "unknown",
          resourceId: inst.id,
          resourceName: inst.name,
          loadBalancerId: open.lb.arn,
          key: "from",
          messageId: "fromUndecided",
          data: { target: targetLabel(open.target), lb: open.lb.name, targetGroup: open.tg.name },
          evidence: [{ resourceId: open.tg.arn, pointer: open.target.ptr, label: "target" }],
        });
      } else if (!targetKeys.has(inst.key) && targetsUnknown[0]) {
        const { lb, tg } = targetsUnknown[0];
        report({
          status: "unknown",
          resourceId: inst.id,
          resourceName: inst.name,
          loadBalancerId: lb.arn,
          key: "from",
          messageId: "fromTargetsUnknown",
          data: { target: inst.name, lb: lb.name, targetGroup: tg.name },
          evidence: [{ resourceId: tg.arn, pointer: tg.ptr, label: "target group" }],
        });
      } else if (!targetKeys.has(inst.key)) {
        report({
          status: "pass",
          resourceId: inst.id,
          resourceName: inst.name,
          key: "from",
          messageId: "fromNotTarget",
          data: { target: inst.name },
          evidence: [{ resourceId: inst.id, pointer: inst.ptr, label: "instance" }],
        });
      }
    }
  },
});
