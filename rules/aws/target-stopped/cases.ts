import { awsId, healthyAlb, healthyNlb, ids, lbArn, network, tgArn } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const WEB3 = awsId("i", "web-3");

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: both web instances running", snapshot: healthyAlb().build() },
    { name: "NLB: both app instances running", snapshot: healthyNlb().build() },
    {
      name: "an instance still pending (just launched by the Auto Scaling group) is not stopped",
      snapshot: healthyAlb()
        .instanceState(ids.instance.web2, "pending")
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "initial", reason: "Elb.RegistrationInProgress" })
        .build(),
    },
  ],
  invalid: [
    {
      name: "web-2 was stopped for a kernel upgrade and never started again: it sits registered as unused (Target.InvalidState)",
      snapshot: healthyAlb()
        .instanceState(ids.instance.web2, "stopped")
        .target(ids.tg.web, {
          id: ids.instance.web2,
          az: "us-east-1b",
          state: "unused",
          reason: "Target.InvalidState",
          description: "Target is in the stopped state",
        })
        .describe(
          "Incident: web-2 was stopped for a kernel upgrade and nobody started it again. It is still registered in web-tg, as unused " +
            "(Target.InvalidState), so web-1 carries all of web-alb's traffic alone.",
        )
        .build(),
      errors: [{ messageId: "stopped", resourceId: ids.instance.web2, severity: "high" }],
    },
    {
      name: "both instances terminated: nothing is left running (critical)",
      snapshot: healthyAlb()
        .instanceState(ids.instance.web1, "terminated")
        .instanceState(ids.instance.web2, "shutting-down")
        .allTargets(ids.tg.web, "unused", "Target.InvalidState", "Target is in the terminated state")
        .build(),
      errors: [
        { messageId: "stopped", resourceId: ids.instance.web1, severity: "critical" },
        { messageId: "stopped", resourceId: ids.instance.web2, severity: "critical" },
      ],
    },
    {
      name: "a registered instance gone from DescribeInstances, reported Target.InvalidState (terminated over an hour ago)",
      snapshot: healthyAlb()
        .target(ids.tg.web, {
          id: WEB3,
          az: "us-east-1a",
          state: "unused",
          reason: "Target.InvalidState",
          description: "Target is in the terminated state",
        })
        .build(),
      errors: [{ messageId: "gone", resourceId: WEB3 }],
    },
    {
      name: "NLB: app-1 is stopping",
      snapshot: healthyNlb().instanceState(ids.instance.web1, "stopping").build(),
      errors: [{ messageId: "stopped", resourceId: ids.instance.web1 }],
    },
  ],
  unknown: [
    {
      name: "a registered instance is not in the snapshot and its health gives no reason",
      snapshot: healthyAlb().target(ids.tg.web, { id: WEB3, az: "us-east-1a", state: "healthy" }).build(),
      reason: "not in the snapshot",
    },
    {
      name: "DescribeInstances failed: no instance state is known",
      snapshot: healthyAlb()
        .edit((s) => {
          if (s.ec2) delete s.ec2.Instances;
        })
        .gap({
          operation: "ec2:DescribeInstances",
          status: 403,
          code: "UnauthorizedOperation",
          message: "You are not authorized to perform this operation.",
        })
        .build(),
      reason: "UnauthorizedOperation",
    },
  ],
  notApplicable: [
    {
      name: "an NLB whose only target is an on-premises IP address: it has no instance state",
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
