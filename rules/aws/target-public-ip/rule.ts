import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, Remediation } from "../../../src/core/engine/types.ts";
import { INTERNET_V4, toCidrs } from "../../../src/core/util/ip.ts";
import type { AwsModel, Instance, LoadBalancer, Target } from "../../../src/providers/aws/model.ts";
import { gapNote, placeholder, sh, targetLabel, targetSubjects } from "../../../src/providers/aws/rule-helpers.ts";
import { evaluateSecurityGroups } from "../../../src/providers/aws/sg.ts";
import { routesToIgw, servedGroups } from "../../../src/providers/aws/target-facts.ts";

/** Ports worth checking for direct exposure: the target ports, SSH and RDP. */
const ADMIN_PORTS = [22, 3389];

interface Entry {
  lb: LoadBalancer;
  targets: Target[];
}

type Eni = { NetworkInterfaceId?: string; Attachment?: { DeviceIndex?: number }; Association?: { PublicIp?: string; IpOwnerId?: string } };

function primaryEni(inst: Instance): { eni?: Eni; index: number } {
  const list = (Array.isArray(inst.raw.NetworkInterfaces) ? inst.raw.NetworkInterfaces : []) as Eni[];
  const index = Math.max(
    0,
    list.findIndex((e) => e.Attachment?.DeviceIndex === 0),
  );
  return { eni: list[index], index };
}

function fix(inst: Instance): Remediation {
  const ip = inst.publicIp as string;
  const { eni } = primaryEni(inst);
  const elastic = !!eni?.Association?.IpOwnerId && eni.Association.IpOwnerId !== "amazon";
  const commands = [
    elastic
      ? `aws ec2 disassociate-address --association-id "$(aws ec2 describe-addresses --public-ips ${sh(ip)} --query 'Addresses[0].AssociationId' --output text)"`
      : `aws ec2 modify-network-interface-attribute --network-interface-id ${eni?.NetworkInterfaceId ? sh(eni.NetworkInterfaceId) : placeholder("eni-id")} --no-associate-public-ip-address`,
  ];
  if (inst.subnet?.mapPublicIpOnLaunch)
    commands.push(`aws ec2 modify-subnet-attribute --subnet-id ${sh(inst.subnet.id)} --no-map-public-ip-on-launch`);
  const publicSubnet = routesToIgw(inst.subnet);
  const parts = [
    `Remove the ${elastic ? "Elastic IP" : "auto-assigned public IP"} ${ip} from ${inst.id}: clients reach it through the load balancer.`,
    publicSubnet
      ? `Its subnet ${inst.subnet?.id} routes to an internet gateway: without a public IP the instance loses outbound internet access, so move it to a private subnet with a NAT gateway route first.`
      : "",
    inst.asg && !elastic
      ? `Set AssociatePublicIpAddress=false in ${inst.asg.name}'s launch template so that new instances come up without one.`
      : "",
  ];
  return { summary: parts.filter(Boolean).join(" "), commands };
}

export default defineRule<AwsModel>({
  id: "aws/target-public-ip",
  provider: "aws",
  severity: "medium",
  reads: ["aws:targetGroups", "aws:targetHealth", "aws:instances"],
  title: "Target instance has its own public IP",
  description:
    "AWS's Auto Scaling tutorial puts the instances behind the load balancer in private subnets: they need no public IP, since clients reach them through " +
    "the load balancer and the load balancer reaches them on their private addresses. A public IP (auto-assigned by the subnet's " +
    "MapPublicIpOnLaunch, or an Elastic IP) makes the instance reachable from the internet directly, bypassing the load balancer's " +
    "listeners, TLS and security group, and one security-group mistake away from exposure; public IPv4 addresses are also billed. " +
    "Each instance is reported once. Severity is medium when the instance's subnet routes to an internet gateway and its security groups " +
    "admit the internet on a target port or on SSH/RDP, low otherwise.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html",
      title: "Security groups for your Application Load Balancer - ELB",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-instances-security-groups.html",
      title: "Security groups for the instances for your Classic Load Balancer - Elastic Load Balancing",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html#subnet-public-ip",
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html#concepts-public-addresses",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html",
  ],
  messages: {
    exposed: "Instance {{instance}}, a target of {{targetGroups}} ({{lb}}), has public IP {{publicIp}}{{kind}}: {{reach}}{{open}}.",
    private: "Instance {{instance}}, a target of {{targetGroups}} ({{lb}}), has no public IP.",
    missing: "Cannot tell whether target {{instance}} of {{targetGroups}} ({{lb}}) has a public IP: {{reason}}.",
    notInstance: "Target {{instance}} of {{targetGroups}} is a {{kind}} target with no EC2 instance in the snapshot.",
  },
  remediation:
    "Remove the public IP from the instance (`aws ec2 modify-network-interface-attribute --no-associate-public-ip-address`, or " +
    "`aws ec2 disassociate-address` for an Elastic IP), turn off MapPublicIpOnLaunch on its subnet, and launch new instances without one; " +
    "administer instances through SSM Session Manager instead of SSH from the internet.",
  check({ model, report }) {
    const byInstance = new Map<string, Entry>();
    for (const { lb, tg } of servedGroups(model)) {
      for (const t of tg.targets) {
        const key = t.instance?.key ?? `${tg.key}|${t.id}`;
        const e = byInstance.get(key);
        if (e) e.targets.push(t);
        else byInstance.set(key, { lb, targets: [t] });
      }
    }
    for (const { lb, targets } of byInstance.values()) {
      const t = targets[0] as Target;
      const inst = t.instance;
      const groupsText = [...new Set(targets.map((x) => x.tg.name))].join(", ");
      const base = {
        resourceId: inst?.id ?? t.id,
        resourceName: inst?.name ?? t.id,
        loadBalancerId: lb.arn,
        subjects: [...new Set(targets.flatMap(targetSubjects))],
      };
      const data = { instance: targetLabel(t), targetGroups: groupsText, lb: lb.name, kind: t.kind };
      const tEv = { resourceId: t.tg.arn, pointer: t.ptr, label: `target ${t.id} of ${t.tg.name}` };
      if (!inst) {
        if (t.kind !== "instance") report({ ...base, status: "not-applicable", messageId: "notInstance", data, evidence: [tEv] });
        else {
          const reason = `instance ${t.id} is not in the snapshot${gapNote(model, [t.id], ["DescribeInstances"])}`;
          report({ ...base, status: "unknown", messageId: "missing", data: { ...data, reason }, evidence: [tEv] });
        }
        continue;
      }
      if (!inst.publicIp) {
        report({
          ...base,
          status: "pass",
          messageId: "private",
          data,
          evidence: [{ resourceId: inst.id, pointer: inst.ptr, label: "instance (no PublicIpAddress)" }],
        });
        continue;
      }
      const ports = [...new Set([...targets.map((x) => x.port).filter((p): p is number => p !== undefined), ...ADMIN_PORTS])];
      const internet = { cidrs: toCidrs(INTERNET_V4), groupIds: [], label: "the internet" };
      const open: string[] = [];
      const openEv: Evidence[] = [];
      for (const port of ports) {
        const v = evaluateSecurityGroups(model, inst.securityGroupIds, "ingress", internet, "tcp", port);
        if (v.verdict !== "allow" && v.verdict !== "partial") continue;
        const m = v.allowedBy[0];
        open.push(`TCP ${port}${m ? ` from ${m.value} (${m.sg.id})` : ""}`);
        if (m) openEv.push({ resourceId: m.sg.id, pointer: m.ptr, label: `allows TCP ${port} from the internet` });
      }
      const igw = routesToIgw(inst.subnet);
      const reach = igw
        ? "it is reachable from the internet directly, bypassing the load balancer"
        : inst.subnet?.routeTable
          ? `its subnet ${inst.subnet.id} routes 0.0.0.0/0 elsewhere than an internet gateway, so the address answers nothing today, but it is billed and becomes a direct path around the load balancer as soon as that route changes`
          : "it is a direct path from the internet around the load balancer wherever its subnet routes to an internet gateway";
      const { eni, index } = primaryEni(inst);
      const elastic = !!eni?.Association?.IpOwnerId && eni.Association.IpOwnerId !== "amazon";
      report({
        ...base,
        severity: open.length > 0 && igw ? "medium" : "low",
        status: "fail",
        messageId: "exposed",
        data: {
          ...data,
          publicIp: inst.publicIp,
          reach,
          kind: elastic
            ? " (an Elastic IP)"
            : inst.subnet?.mapPublicIpOnLaunch
              ? ` (auto-assigned: subnet ${inst.subnet.id} maps public IPs on launch)`
              : "",
          open:
            open.length > 0
              ? `; its security groups admit the internet on ${open.join(", ")}`
              : "; its security groups admit no internet traffic on the target ports or SSH/RDP today",
        },
        evidence: [
          { resourceId: inst.id, pointer: `${inst.ptr}/PublicIpAddress`, label: "public IP" },
          ...(eni?.Association
            ? [{ resourceId: inst.id, pointer: `${inst.ptr}/NetworkInterfaces/${index}/Association`, label: "public IP association" }]
            : []),
          ...(inst.subnet?.mapPublicIpOnLaunch
            ? [{ resourceId: inst.subnet.id, pointer: `${inst.subnet.ptr}/MapPublicIpOnLaunch`, label: "subnet maps public IPs on launch" }]
            : []),
          ...openEv,
        ],
        remediation: fix(inst),
      });
    }
  },
});
