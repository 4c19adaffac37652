import { healthyAlb, ids } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const asgWith = (healthCheckType: string) =>
  healthyAlb().asg({
    name: ids.asg,
    tgs: [ids.tg.web],
    instances: [
      { id: ids.instance.web1, az: "us-east-1a" },
      { id: ids.instance.web2, az: "us-east-1b" },
    ],
    subnets: [ids.subnet.privateA, ids.subnet.privateB],
    healthCheckType,
  });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: HealthCheckType ELB", snapshot: healthyAlb().build() },
    { name: "ELB together with EBS health checks", snapshot: asgWith("ELB,EBS").build() },
  ],
  invalid: [
    {
      name: "web-2's application hangs: unhealthy in web-tg for days, but web-asg uses EC2 checks and never replaces it",
      snapshot: asgWith("EC2")
        .target(ids.tg.web, {
          id: ids.instance.web2,
          az: "us-east-1b",
          state: "unhealthy",
          reason: "Target.Timeout",
          description: "Request timed out",
        })
        .describe(
          "Incident: web-asg was created from the console with the default EC2 health checks. web-2's application deadlocked on " +
            "Tuesday; it has been unhealthy in web-tg since, passes its EC2 status checks, and web-asg never replaced it: the site runs " +
            "on one instance.",
        )
        .build(),
      errors: [{ messageId: "ec2Only", severity: "high" }],
    },
    {
      name: "EC2 health checks while every target is healthy (a latent risk, medium)",
      snapshot: asgWith("EC2").build(),
      errors: [{ messageId: "ec2Only", severity: "medium" }],
    },
  ],
  unknown: [
    {
      name: "a hand-assembled snapshot whose group has no HealthCheckType",
      snapshot: healthyAlb()
        .edit((s) => {
          const g = s.autoscaling?.AutoScalingGroups?.[0];
          if (g) delete g.HealthCheckType;
        })
        .build(),
      reason: "HealthCheckType",
    },
  ],
  notApplicable: [
    {
      name: "an Auto Scaling group attached to no target group",
      snapshot: healthyAlb()
        .edit((s) => {
          const g = s.autoscaling?.AutoScalingGroups?.[0];
          if (g) {
            g.TargetGroupARNs = [];
            g.HealthCheckType = "EC2";
          }
        })
        .build(),
    },
  ],
};
