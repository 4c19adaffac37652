import type { AwsSnapshot } from "../../../src/providers/aws/wire-types.ts";
import { ACCOUNT, healthyAlb, healthyNlb, ids, lbArn, network, tgArn } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** Gives an instance a public IP, with the association DescribeInstances shows (owner "amazon": auto-assigned; an account: an Elastic IP). */
function publicIp(id: string, ip: string, owner = "amazon") {
  return (s: AwsSnapshot) => {
    const inst = s.ec2?.Instances?.find((i) => i.InstanceId === id);
    if (!inst) return;
    inst.PublicIpAddress = ip;
    const eni = (inst.NetworkInterfaces as Array<Record<string, unknown>>)[0];
    if (eni) {
      eni.Attachment = { DeviceIndex: 0, Status: "attached" };
      eni.Association = { PublicIp: ip, IpOwnerId: owner, PublicDnsName: `ec2-${ip.replace(/\./g, "-")}.compute-1.amazonaws.com` };
    }
  };
}

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: instances in private subnets, private IPs only", snapshot: healthyAlb().build() },
    { name: "NLB targets with private IPs only", snapshot: healthyNlb().build() },
  ],
  invalid: [
    {
      name: "the web instances were launched in the public subnets with auto-assigned public IPs and HTTP open to the world",
      snapshot: healthyAlb()
        .instance({
          id: ids.instance.web1,
          name: "web-1",
          subnet: ids.subnet.publicA,
          ip: "10.0.1.10",
          az: "us-east-1a",
          sgs: [ids.sg.web],
          asg: ids.asg,
        })
        .instance({
          id: ids.instance.web2,
          name: "web-2",
          subnet: ids.subnet.publicB,
          ip: "10.0.2.10",
          az: "us-east-1b",
          sgs: [ids.sg.web],
          asg: ids.asg,
        })
        .edit(publicIp(ids.instance.web1, "54.210.17.33"))
        .edit(publicIp(ids.instance.web2, "3.91.204.118"))
        .ingress(ids.sg.web, { port: 80, cidrs: ["0.0.0.0/0"], description: "copied from web-alb-sg" })
        .describe(
          "Incident: web-asg's subnets were set to public-a and public-b (MapPublicIpOnLaunch on), and web-instance-sg got the " +
            "HTTP-from-anywhere rule copied from the ALB's group. Both instances answer on their own public IPs: scanners hit them " +
            "directly, around web-alb's TLS and WAF.",
        )
        .build(),
      errors: [
        { messageId: "exposed", resourceId: ids.instance.web1, severity: "medium" },
        { messageId: "exposed", resourceId: ids.instance.web2, severity: "medium" },
      ],
    },
    {
      name: "an Elastic IP left on web-1 in its private subnet after a debugging session; its security group admits only the ALB (low)",
      snapshot: healthyAlb()
        .edit(publicIp(ids.instance.web1, "34.202.11.9", ACCOUNT))
        .build(),
      errors: [{ messageId: "exposed", resourceId: ids.instance.web1, severity: "low" }],
    },
  ],
  unknown: [
    {
      name: "a registered instance is not in the snapshot",
      snapshot: healthyAlb().target(ids.tg.web, { id: "i-0fedcba9876543210", az: "us-east-1a" }).build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [
    {
      name: "an NLB whose only target is an on-premises IP address",
      snapshot: network()
        .loadBalancer({
          name: "onprem-nlb",
          type: "network",
          scheme: "internal",
          subnets: [
            { id: ids.subnet.privateA, az: "us-east-1a" },
            { id: ids.subnet.privateB, az: "us-east-1b" },
          ],
        })
        .targetGroup({ name: "onprem-tg", protocol: "TCP", port: 443, targetType: "ip", lbType: "network" })
        .listener({ lb: lbArn("onprem-nlb", "network"), port: 443, protocol: "TCP", forward: tgArn("onprem-tg") })
        .target(tgArn("onprem-tg"), { id: "192.168.10.5", az: "all" })
        .build(),
    },
  ],
};
