import { awsId, healthyAlb, healthyNlb, ids, lbArn, tgArn } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const APP3 = awsId("i", "app-3");
const APP4 = awsId("i", "app-4");
const WEB3 = awsId("i", "web-3");

/** healthyNlb with two more instances in us-east-1b: one target in us-east-1a, three in us-east-1b. */
const lopsidedNlb = () =>
  healthyNlb()
    .instance({ id: APP3, name: "app-3", subnet: ids.subnet.privateB, ip: "10.0.12.11", az: "us-east-1b", sgs: [ids.sg.nlbApp] })
    .instance({ id: APP4, name: "app-4", subnet: ids.subnet.privateB, ip: "10.0.12.12", az: "us-east-1b", sgs: [ids.sg.nlbApp] })
    .target(ids.tg.app, { id: APP3, az: "us-east-1b" })
    .target(ids.tg.app, { id: APP4, az: "us-east-1b" });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: an ALB crosses zones", snapshot: healthyAlb().build() },
    { name: "NLB with cross-zone off (default), one healthy target per zone", snapshot: healthyNlb().build() },
    {
      name: "target group attributes absent from the snapshot, but one healthy target per zone: even whatever the cross-zone setting",
      snapshot: healthyNlb()
        .edit((s) => {
          s.elbv2.TargetGroupAttributes = {};
        })
        .build(),
    },
    {
      name: "NLB with cross-zone turned on: 1 and 3 targets share evenly",
      snapshot: lopsidedNlb().lbAttribute(ids.lb.nlb, "load_balancing.cross_zone.enabled", "true").build(),
    },
    {
      name: "NLB with cross-zone off at the load balancer but on for the target group",
      snapshot: lopsidedNlb().tgAttribute(ids.tg.app, "load_balancing.cross_zone.enabled", "true").build(),
    },
  ],
  invalid: [
    {
      name: "NLB with cross-zone off (the default): one healthy target in us-east-1a, three in us-east-1b; app-1 takes half the traffic",
      snapshot: lopsidedNlb()
        .describe(
          "Incident: an insufficient-capacity event in us-east-1a left app-nlb with one instance there and three in us-east-1b. " +
            "Cross-zone load balancing is off (the NLB default), so app-1 receives half of all connections and runs at 95% CPU while " +
            "the others idle.",
        )
        .build(),
      errors: [{ messageId: "skew", resourceId: ids.tg.app, severity: "medium" }],
    },
    {
      name: "ALB target group that turns cross-zone off: one target in us-east-1a, two in us-east-1b",
      snapshot: healthyAlb()
        .tgAttribute(ids.tg.web, "load_balancing.cross_zone.enabled", "false")
        .instance({ id: WEB3, name: "web-3", subnet: ids.subnet.privateB, ip: "10.0.12.11", az: "us-east-1b", sgs: [ids.sg.web] })
        .target(ids.tg.web, { id: WEB3, az: "us-east-1b" })
        .build(),
      errors: [{ messageId: "skew", resourceId: ids.tg.web, severity: "medium" }],
    },
    {
      name: "NLB: the second target in us-east-1b is unhealthy, so the healthy ones are 1 and 2",
      snapshot: lopsidedNlb().target(ids.tg.app, { id: APP4, az: "us-east-1b", state: "unhealthy", reason: "Target.Timeout" }).build(),
      errors: [{ messageId: "skew", resourceId: ids.tg.app }],
    },
    {
      name: "NLB with cross-zone off: one IP target per zone and one outside the VPC (AvailabilityZone all), which both zones' nodes send to",
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
        .target(tgArn("onprem-tg"), { id: "10.0.12.50" })
        .target(tgArn("onprem-tg"), { id: "192.168.10.5", az: "all" })
        .build(),
      errors: [{ messageId: "skew", resourceId: tgArn("onprem-tg"), severity: "medium" }],
    },
  ],
  unknown: [
    {
      name: "the target group's attributes were not collected",
      snapshot: lopsidedNlb()
        .tgAttributesNotCollected(ids.tg.app, {
          operation: "elbv2:DescribeTargetGroupAttributes",
          status: 400,
          code: "Throttling",
          message: "Rate exceeded",
        })
        .build(),
      reason: "Throttling",
    },
  ],
  notApplicable: [
    {
      name: "NLB with no healthy target: nothing to distribute",
      snapshot: healthyNlb().allTargets(ids.tg.app, "unhealthy", "Target.Timeout").build(),
    },
  ],
};
