import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Remediation, RuleContext } from "../../../src/core/engine/types.ts";
import { k8sManagedSecurityGroup, k8sOwner, k8sSourceRangesFix } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel, Listener, LoadBalancer } from "../../../src/providers/aws/model.ts";
import {
  authorizeIngressCommand,
  clientLabel,
  clientSpace,
  gapNote,
  jsonForCommand,
  nearMiss,
  sgNames,
  sh,
  vpcSpaceGuess,
} from "../../../src/providers/aws/rule-helpers.ts";
import { evaluateSecurityGroups, type Protocol, type SgVerdict } from "../../../src/providers/aws/sg.ts";

/** The transport protocols a listener accepts. */
function listenerProtocols(l: Listener): Protocol[] {
  const p = (l.protocol ?? "").toUpperCase();
  if (p === "TCP_UDP" || p === "TCP_QUIC") return ["tcp", "udp"];
  if (p === "UDP" || p === "QUIC") return ["udp"];
  return ["tcp"];
}

type Family = "IPv4" | "IPv6";

/**
 * The address families clients reach the load balancer over, by its IP address type: `ipv4`; `dualstack` (both); and
 * `dualstack-without-public-ipv4`, whose only public addresses are IPv6 (an internet-facing one takes IPv6 clients alone).
 */
function families(lb: LoadBalancer): Family[] {
  const t = (lb.ipAddressType ?? "ipv4").toLowerCase();
  if (t === "dualstack-without-public-ipv4" && lb.internetFacing) return ["IPv6"];
  if (t.startsWith("dualstack")) return ["IPv4", "IPv6"];
  return ["IPv4"];
}

/** The clients' addresses in one family: IPv6 clients on the internet come from global unicast space (2000::/3). */
function clientCidrs(lb: LoadBalancer, family: Family): string[] {
  if (family === "IPv4") return clientSpace(lb);
  return [lb.internetFacing ? "2000::/3" : "::/0"];
}

/** `--ip-permissions` allowing IPv6 sources (rule-helpers' PermissionFix carries IPv4 ranges only), as JSON. */
function authorizeIpv6IngressCommand(groupId: string, protocol: Protocol, port: number, cidr: string): string {
  const permission = { IpProtocol: protocol, FromPort: port, ToPort: port, Ipv6Ranges: [{ CidrIpv6: cidr }] };
  return `aws ec2 authorize-security-group-ingress --group-id ${sh(groupId)} --ip-permissions ${sh(jsonForCommand([permission]))}`;
}

/** A load balancer whose security group a Kubernetes controller manages: the allowed sources are set on the Service or Ingress. */
function managedFix(model: AwsModel, lb: LoadBalancer, source: string): Remediation | undefined {
  const owner = k8sOwner(model, lb.arn);
  const sg = lb.securityGroupIds[0];
  if (!owner || !sg || !k8sManagedSecurityGroup(model, sg)) return undefined;
  const fix = k8sSourceRangesFix(owner, [source]);
  return { summary: fix.summary, commands: fix.commands };
}

export default defineRule<AwsModel>({
  id: "aws/lb-sg-blocks-listener",
  provider: "aws",
  severity: "critical",
  reads: ["aws:loadBalancers", "aws:listeners", "aws:securityGroups"],
  title: "Load balancer security groups block a listener",
  description:
    "An Application Load Balancer (and a Network Load Balancer created with security groups) accepts a connection only when one of its " +
    "security groups allows it: clients of an internet-facing load balancer need an inbound rule for the listener's port from internet " +
    "addresses (`0.0.0.0/0`, or the allowed clients' ranges); an internal one needs a rule from its clients' addresses or groups. " +
    "Without one, connections to the listener time out while the targets stay healthy (AWS's Auto Scaling tutorial opens HTTP to the internet on the " +
    "load balancer's security group). A rule for only some clients is an allow-list and is reported as restricted, not blocked; a rule " +
    "that allows only private ranges admits no internet client. Prefix lists (e.g. CloudFront's origin-facing list) cannot be decided " +
    "offline and are reported as unknown.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html",
      title: "Security groups for your Application Load Balancer - ELB",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Application Load Balancers",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#loadbalancer-timed-out",
  ],
  messages: {
    blocked:
      "Listener {{listener}} ({{protocol}} port {{port}}) of {{scheme}} load balancer {{lb}} admits no {{clients}}: its security groups {{groups}} have no inbound rule that allows them{{nearMiss}}. Connections time out.",
    open: "Listener {{listener}} ({{protocol}} port {{port}}) of {{scheme}} load balancer {{lb}} admits {{clients}}: {{basis}}.",
    restricted:
      "Listener {{listener}} ({{protocol}} port {{port}}) of {{scheme}} load balancer {{lb}} admits {{clients}} only from {{allowList}}: an allow-list, not a block.",
    undecidable:
      "Cannot decide whether listener {{listener}} ({{protocol}} port {{port}}) of load balancer {{lb}} admits {{clients}}: {{reason}}.",
    noGroups: "Load balancer {{lb}} ({{type}}) has no security groups: nothing filters its listeners.",
    noListeners: "Load balancer {{lb}} has no listeners.",
    listenersUnknown: "The listeners of load balancer {{lb}} are not known {{reason}}.",
  },
  remediation:
    "Add an inbound rule for the listener's protocol and port to one of the load balancer's security groups: from `0.0.0.0/0` (or the " +
    "clients' ranges) for an internet-facing load balancer, from the clients' CIDRs or security groups for an internal one.",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      if (lb.securityGroupIds.length === 0) {
        report({
          status: "not-applicable",
          resourceId: lb.arn,
          resourceName: lb.name,
          loadBalancerId: lb.arn,
          messageId: "noGroups",
          data: { lb: lb.name, type: lb.type },
          evidence: [{ resourceId: lb.arn, pointer: lb.ptr, label: "load balancer" }],
        });
        continue;
      }
      if (lb.listeners.length === 0) {
        const gap = gapNote(model, [lb.arn], ["DescribeListeners"]);
        report({
          status: gap ? "unknown" : "not-applicable",
          resourceId: lb.arn,
          resourceName: lb.name,
          loadBalancerId: lb.arn,
          messageId: gap ? "listenersUnknown" : "noListeners",
          data: { lb: lb.name, reason: gap.trim() },
          evidence: [{ resourceId: lb.arn, pointer: lb.ptr, label: "load balancer" }],
        });
      }
      for (const l of lb.listeners) checkListener(model, lb, l, report);
    }
  },
});

type Report = RuleContext<AwsModel>["report"];

function checkListener(model: AwsModel, lb: LoadBalancer, l: Listener, report: Report): void {
  const clients = clientLabel(lb);
  const base = {
    resourceId: l.arn,
    resourceName: `${lb.name}:${l.port ?? "?"}`,
    loadBalancerId: lb.arn,
    subjects: [l.key, lb.key],
  };
  const data = {
    listener: `${lb.name}:${l.port ?? "?"}`,
    lb: lb.name,
    scheme: lb.scheme,
    protocol: l.protocol ?? "?",
    port: l.port ?? "?",
    clients,
    groups: sgNames(model, lb.securityGroupIds),
  };
  const lEv = { resourceId: l.arn, pointer: l.ptr, label: "listener" };
  const sgEv = { resourceId: lb.arn, pointer: lb.securityGroupsPtr, label: "load balancer security groups" };
  if (l.port === undefined) {
    report({
      ...base,
      status: "unknown",
      messageId: "undecidable",
      data: { ...data, reason: "the listener has no port" },
      evidence: [lEv],
    });
    return;
  }
  const fams = families(lb);
  // name the family only when it is not the plain IPv4 of an `ipv4` load balancer
  const familyLabel = (family: Family) => (fams.length === 1 && family === "IPv4" ? clients : `${family} ${clients}`);
  const verdicts = fams.flatMap((family) =>
    listenerProtocols(l).map((protocol) => ({
      protocol,
      family,
      v: evaluateSecurityGroups(
        model,
        lb.securityGroupIds,
        "ingress",
        { cidrs: clientCidrs(lb, family), groupIds: [], label: familyLabel(family) },
        protocol,
        l.port as number,
      ),
    })),
  );
  const outcome = (v: SgVerdict) =>
    v.verdict === "allow"
      ? "open"
      : v.verdict === "partial" || (!lb.internetFacing && v.verdict === "deny" && v.otherGroups.length > 0)
        ? "restricted"
        : v.verdict === "unknown"
          ? "unknown"
          : "blocked";
  const blocked = verdicts.filter((x) => outcome(x.v) === "blocked");
  const unknown = verdicts.filter((x) => outcome(x.v) === "unknown");
  const restricted = verdicts.filter((x) => outcome(x.v) === "restricted");
  const sgRulesEv = (vs: SgVerdict[]) =>
    [...new Map(vs.flatMap((v) => v.groups).map((g) => [g.ptr, g])).values()].map((g) => ({
      resourceId: g.id,
      pointer: `${g.ptr}/IpPermissions`,
      label: `inbound rules of ${g.id} (${g.groupName})`,
    }));
  if (blocked.length > 0) {
    const first = blocked[0] as (typeof verdicts)[number];
    const sourceOf = (family: Family) =>
      family === "IPv6"
        ? lb.internetFacing
          ? "::/0"
          : "<ipv6-client-cidr>"
        : lb.internetFacing
          ? "0.0.0.0/0"
          : (vpcSpaceGuess(model, lb.vpcId) ?? "<client-cidr>");
    const blockedFams = [...new Set(blocked.map((b) => b.family))];
    const source = blockedFams.map(sourceOf).join(" and ");
    report({
      ...base,
      // a dualstack listener closed to IPv6 clients alone still serves IPv4 ones
      ...(blockedFams.length < fams.length ? { severity: "high" as const } : {}),
      status: "fail",
      messageId: "blocked",
      data: { ...data, clients: blockedFams.length === fams.length ? clients : familyLabel(first.family), nearMiss: nearMiss(first.v) },
      evidence: [...sgRulesEv(blocked.map((b) => b.v)), lEv, sgEv],
      remediation: managedFix(model, lb, sourceOf(first.family)) ?? {
        summary: `Allow ${[...new Set(blocked.map((b) => b.protocol.toUpperCase()))].join("/")} ${l.port} from ${source}${lb.internetFacing ? " (the internet)" : " (the VPC's subnets; narrow it to the clients)"} in ${lb.securityGroupIds[0]}.`,
        commands: blocked.map((b) =>
          b.family === "IPv6"
            ? authorizeIpv6IngressCommand(lb.securityGroupIds[0] as string, b.protocol, l.port as number, sourceOf("IPv6"))
            : authorizeIngressCommand(lb.securityGroupIds[0] as string, {
                protocol: b.protocol,
                from: l.port as number,
                to: l.port as number,
                cidrs: [sourceOf("IPv4")],
              }),
        ),
      },
    });
  } else if (unknown.length > 0) {
    report({
      ...base,
      status: "unknown",
      messageId: "undecidable",
      data: { ...data, reason: unknown[0]?.v.reason ?? "undecidable" },
      evidence: [
        ...unknown.flatMap((u) =>
          u.v.prefixLists.map((m) => ({ resourceId: m.sg.id, pointer: m.ptr, label: "prefix list (contents unknown)" })),
        ),
        lEv,
        sgEv,
      ],
    });
  } else if (restricted.length > 0) {
    const entries = restricted.flatMap((r) => [...r.v.allowedBy, ...r.v.otherGroups]);
    report({
      ...base,
      status: "pass",
      messageId: "restricted",
      data: { ...data, allowList: [...new Set(entries.map((m) => `${m.value} (${m.sg.id})`))].join(", ") },
      evidence: [lEv, ...entries.map((m) => ({ resourceId: m.sg.id, pointer: m.ptr, label: "allow-list entry" }))],
    });
  } else {
    const m = verdicts[0]?.v.allowedBy[0];
    report({
      ...base,
      status: "pass",
      messageId: "open",
      data: { ...data, basis: m ? `${m.sg.id} allows it from ${m.value}` : "allowed" },
      evidence: [lEv, ...(m ? [{ resourceId: m.sg.id, pointer: m.ptr, label: "allowing rule" }] : [])],
    });
  }
}
