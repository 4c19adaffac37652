import { eksEtpLocal, healthyAlb, healthyNlb, ids, lbArn, tgArn } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: ALB and healthy targets in us-east-1a and us-east-1b", snapshot: healthyAlb().build() },
    { name: "NLB and its healthy targets in two zones", snapshot: healthyNlb().build() },
    {
      name: "a third, unhealthy target does not matter: two zones are healthy",
      snapshot: healthyAlb()
        .instance({
          id: "i-0abcdef0123456789",
          name: "web-3",
          subnet: ids.subnet.privateA,
          ip: "10.0.11.30",
          az: "us-east-1a",
          sgs: [ids.sg.web],
        })
        .target(ids.tg.web, { id: "i-0abcdef0123456789", az: "us-east-1a", state: "unhealthy", reason: "Target.Timeout" })
        .build(),
    },
    {
      name: "a healthy Lambda target (AvailabilityZone all) is in no zone: its group is not single-AZ",
      snapshot: healthyAlb()
        .targetGroup({ name: "fn-tg", protocol: "HTTP", port: 80, targetType: "lambda" })
        .listener({ lb: ids.lb.alb, port: 8080, protocol: "HTTP", forward: tgArn("fn-tg") })
        .target(tgArn("fn-tg"), { id: "arn:aws:lambda:us-east-1:123456789012:function:web-fn", az: "all" })
        .build(),
    },
  ],
  invalid: [
    {
      name: "web-asg was created with one subnet to save NAT traffic: both instances in us-east-1a",
      snapshot: healthyAlb()
        .instance({
          id: ids.instance.web2,
          name: "web-2",
          subnet: ids.subnet.privateA,
          ip: "10.0.11.11",
          az: "us-east-1a",
          sgs: [ids.sg.web],
          asg: ids.asg,
        })
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1a" })
        .asg({
          name: ids.asg,
          tgs: [ids.tg.web],
          instances: [
            { id: ids.instance.web1, az: "us-east-1a" },
            { id: ids.instance.web2, az: "us-east-1a" },
          ],
          subnets: [ids.subnet.privateA],
        })
        .describe(
          "Incident review: web-asg was created with the private-a subnet only, to keep traffic away from the NAT gateway in the other " +
            "zone. Both instances run in us-east-1a; web-alb spans two zones but an outage of us-east-1a takes the whole site down.",
        )
        .build(),
      errors: [{ messageId: "targetsOneZone", resourceId: ids.tg.web }],
    },
    {
      name: "an NLB created in one subnet, with one target",
      snapshot: healthyNlb()
        .loadBalancer({ name: "app-nlb", type: "network", subnets: [{ id: ids.subnet.publicA, az: "us-east-1a" }] })
        .edit((s) => {
          if (s.elbv2.TargetHealth) s.elbv2.TargetHealth[ids.tg.app] = (s.elbv2.TargetHealth[ids.tg.app] ?? []).slice(0, 1);
        })
        .build(),
      errors: [
        { messageId: "lbOneZone", resourceId: ids.lb.nlb },
        { messageId: "targetsOneZone", resourceId: ids.tg.app },
      ],
    },
    {
      name: "web-2 is unhealthy: the only healthy target is in us-east-1a",
      snapshot: healthyAlb()
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "unhealthy", reason: "Target.Timeout" })
        .build(),
      errors: [{ messageId: "targetsOneZone", resourceId: ids.tg.web }],
    },
    {
      name: "EKS, externalTrafficPolicy Local: the only ready pod runs in one zone (low: spread the pods, not the targets)",
      snapshot: eksEtpLocal().build(),
      errors: [{ messageId: "podsOneZone", severity: "low" }],
    },
  ],
  unknown: [
    {
      name: "the target health was not collected",
      snapshot: healthyAlb()
        .edit((s) => {
          s.elbv2.TargetHealth = {};
        })
        .gap({ operation: "elbv2:DescribeTargetHealth", resourceId: ids.tg.web, status: 400, code: "Throttling", message: "Rate exceeded" })
        .build(),
      reason: "Throttling",
    },
    {
      name: "the second healthy target is an IP no subnet of the snapshot holds",
      snapshot: healthyAlb()
        .edit((s) => {
          const list = s.elbv2.TargetHealth?.[ids.tg.web];
          if (list?.[1]) list[1].Target = { Id: "i-0ffffffffffffffff", Port: 80 };
        })
        .build(),
      reason: "not known",
    },
    {
      name: "two on-premises IP targets (AvailabilityZone all): outside the VPC, their zones are not known",
      snapshot: healthyNlb()
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
        .target(tgArn("onprem-tg"), { id: "192.168.10.6", az: "all" })
        .build(),
      reason: "outside the VPC",
    },
    {
      name: "one IP target in us-east-1a and one outside the VPC (AvailabilityZone all): not two zones, not one",
      snapshot: healthyNlb()
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
        .target(tgArn("onprem-tg"), { id: "10.0.11.50" })
        .target(tgArn("onprem-tg"), { id: "192.168.10.5", az: "all" })
        .build(),
      reason: "outside the VPC",
    },
  ],
};
