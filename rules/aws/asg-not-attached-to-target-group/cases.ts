import { awsId, healthyAlb, ids } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const web3 = awsId("i", "web-3");

/** web-asg with its two instances registered in web-tg, but attached to nothing (TargetGroupARNs and TrafficSources empty). */
const detached = (instances = [ids.instance.web1, ids.instance.web2]) =>
  healthyAlb()
    .asg({
      name: ids.asg,
      tgs: [],
      instances: instances.map((id, i) => ({ id, az: i % 2 === 0 ? "us-east-1a" : "us-east-1b" })),
      subnets: [ids.subnet.privateA, ids.subnet.privateB],
    })
    .elbTags(ids.tg.web, { team: "web" });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: web-asg attached to web-tg registers its own instances", snapshot: healthyAlb().build() },
    {
      name: "attached through AttachTrafficSources only (TargetGroupARNs empty, TrafficSources holds web-tg)",
      snapshot: healthyAlb()
        .edit((s) => {
          const g = s.autoscaling?.AutoScalingGroups?.[0];
          if (g) g.TargetGroupARNs = [];
        })
        .build(),
    },
  ],
  invalid: [
    {
      name: "a scale-out launched web-3, which never reached web-tg: the group's instances were registered by a deploy script",
      snapshot: detached([ids.instance.web1, ids.instance.web2, web3])
        .instance({
          id: web3,
          name: "web-3",
          subnet: ids.subnet.privateA,
          ip: "10.0.11.30",
          az: "us-east-1a",
          sgs: [ids.sg.web],
          asg: ids.asg,
        })
        .describe(
          "Incident: web-asg was created without a target group, and the deploy pipeline registered web-1 and web-2 in web-tg by " +
            "hand. Last night's scale-out launched web-3: it passes its EC2 checks, is InService in the group and has never " +
            "received a request. When the group scales in it will terminate an instance that stays registered until its health " +
            "checks fail.",
        )
        .build(),
      errors: [{ messageId: "byHand", severity: "high" }],
    },
    {
      name: "every instance of the group registered by hand (a latent risk: the next launch is missed)",
      snapshot: detached().build(),
      errors: [{ messageId: "byHand", severity: "medium" }],
    },
  ],
  unknown: [
    {
      name: "registered in a target group not attached to the group, whose tags were not collected",
      snapshot: healthyAlb()
        .asg({
          name: ids.asg,
          tgs: [],
          instances: [
            { id: ids.instance.web1, az: "us-east-1a" },
            { id: ids.instance.web2, az: "us-east-1b" },
          ],
          subnets: [ids.subnet.privateA, ids.subnet.privateB],
        })
        .build(),
      reason: "tags were not collected",
    },
    {
      name: "web-tg's target health could not be read",
      snapshot: healthyAlb()
        .edit((s) => {
          if (s.elbv2.TargetHealth) delete s.elbv2.TargetHealth[ids.tg.web];
        })
        .gap({
          operation: "elbv2:DescribeTargetHealth",
          resourceId: ids.tg.web,
          status: 403,
          code: "AccessDenied",
          message: "not authorized",
        })
        .build(),
    },
  ],
  notApplicable: [
    {
      name: "the AWS Load Balancer Controller registers the node group's instances in its target group",
      snapshot: detached()
        .elbTags(ids.tg.web, {
          "elbv2.k8s.aws/cluster": "prod",
          "service.k8s.aws/stack": "default/web",
          "service.k8s.aws/resource": "default/web:80",
        })
        .build(),
    },
    {
      name: "no instance of the group is registered anywhere",
      snapshot: healthyAlb()
        .asg({
          name: ids.asg,
          tgs: [],
          instances: [{ id: web3, az: "us-east-1a" }],
          subnets: [ids.subnet.privateA],
        })
        .build(),
    },
  ],
};
