import { awsId, healthyAlb, healthyNlb, ids, lbArn, network, tgArn } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const PUBLIC_C = awsId("subnet", "public-c");
const PRIVATE_C = awsId("subnet", "private-c");
const WEB3 = awsId("i", "web-3");

/** the tutorial reference with a third zone: subnets in us-east-1c and web-3 there, registered in web-tg. */
const thirdZone = () =>
  healthyAlb()
    .subnet({ id: PUBLIC_C, cidr: "10.0.3.0/24", az: "us-east-1c", name: "public-c", public: true })
    .subnet({ id: PRIVATE_C, cidr: "10.0.13.0/24", az: "us-east-1c", name: "private-c" })
    .routeTable({
      id: ids.rtb.public,
      name: "public",
      subnets: [ids.subnet.publicA, ids.subnet.publicB, PUBLIC_C],
      routes: [{ destination: "0.0.0.0/0", target: ids.igw }],
    })
    .instance({ id: WEB3, name: "web-3", subnet: PRIVATE_C, ip: "10.0.13.10", az: "us-east-1c", sgs: [ids.sg.web], asg: ids.asg });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: both targets in the ALB's two zones", snapshot: healthyAlb().build() },
    { name: "NLB: both targets in the NLB's two zones", snapshot: healthyNlb().build() },
    {
      name: "a third zone enabled on the ALB for web-3",
      snapshot: thirdZone()
        .loadBalancer({
          name: "web-alb",
          subnets: [
            { id: ids.subnet.publicA, az: "us-east-1a" },
            { id: ids.subnet.publicB, az: "us-east-1b" },
            { id: PUBLIC_C, az: "us-east-1c" },
          ],
          sgs: [ids.sg.alb],
        })
        .target(ids.tg.web, { id: WEB3 })
        .build(),
    },
  ],
  invalid: [
    {
      name: "the Auto Scaling group grew into us-east-1c, the ALB did not: web-3 is registered but unused (Target.NotInUse)",
      snapshot: thirdZone()
        .target(ids.tg.web, {
          id: WEB3,
          state: "unused",
          reason: "Target.NotInUse",
          description: "Target is in an Availability Zone that is not enabled for the load balancer",
        })
        .asg({
          name: ids.asg,
          tgs: [ids.tg.web],
          instances: [
            { id: ids.instance.web1, az: "us-east-1a" },
            { id: ids.instance.web2, az: "us-east-1b" },
            { id: WEB3, az: "us-east-1c" },
          ],
          subnets: [ids.subnet.privateA, ids.subnet.privateB, PRIVATE_C],
        })
        .describe(
          "Incident: web-asg was extended to private-c (us-east-1c) for capacity, but web-alb still has subnets only in us-east-1a and " +
            "us-east-1b. The new instance web-3 registers in web-tg and stays unused (Target.NotInUse): a third of the fleet serves nothing.",
        )
        .build(),
      errors: [{ messageId: "notEnabled", resourceId: WEB3 }],
    },
    {
      name: "internal NLB: an IP target in private-c (us-east-1c), a zone the NLB has not enabled",
      snapshot: network()
        .subnet({ id: PRIVATE_C, cidr: "10.0.13.0/24", az: "us-east-1c", name: "private-c" })
        .loadBalancer({
          name: "ip-nlb",
          type: "network",
          scheme: "internal",
          subnets: [
            { id: ids.subnet.privateA, az: "us-east-1a" },
            { id: ids.subnet.privateB, az: "us-east-1b" },
          ],
        })
        .targetGroup({ name: "ip-tg", protocol: "TCP", port: 443, targetType: "ip", lbType: "network" })
        .listener({ lb: lbArn("ip-nlb", "network"), port: 443, protocol: "TCP", forward: tgArn("ip-tg") })
        .target(tgArn("ip-tg"), { id: "10.0.11.20" })
        .target(tgArn("ip-tg"), {
          id: "10.0.13.20",
          state: "unused",
          reason: "Target.NotInUse",
          description: "Target is in an Availability Zone that is not enabled for the load balancer",
        })
        .build(),
      errors: [{ messageId: "notEnabled", resourceId: "10.0.13.20" }],
    },
  ],
  unknown: [
    {
      name: "web-3 sits in us-east-1c, which the ALB has not enabled, yet target health reports it healthy: the observation wins, the contradiction is named",
      snapshot: thirdZone().target(ids.tg.web, { id: WEB3, state: "healthy" }).build(),
      reason: "target health reports it healthy",
    },
    {
      name: "a registered instance not in the snapshot, and its health entry names no zone",
      snapshot: healthyAlb().target(ids.tg.web, { id: WEB3 }).build(),
      reason: "not in the snapshot",
    },
    {
      name: "the ALB's second subnet is not in the snapshot: its zone name is not known either",
      snapshot: thirdZone()
        .target(ids.tg.web, { id: WEB3 })
        .editLb(ids.lb.alb, (lb) => {
          (lb.AvailabilityZones as Array<Record<string, unknown>>)[1] = { SubnetId: awsId("subnet", "gone") };
        })
        .build(),
      reason: "not known",
    },
  ],
  notApplicable: [
    {
      name: "an on-premises IP target (zone all) is reached from every zone",
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
