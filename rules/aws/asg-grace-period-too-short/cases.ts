import { healthyAlb, ids } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const grace = (seconds: number) =>
  healthyAlb().edit((s) => {
    const g = s.autoscaling?.AutoScalingGroups?.[0];
    if (g) g.HealthCheckGracePeriod = seconds;
  });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: ELB checks with the console's 300 s", snapshot: healthyAlb().build() },
    { name: "a grace period just above interval + timeout (35 s)", snapshot: grace(40).build() },
  ],
  invalid: [
    {
      name: "scale-out story: created with the CLI, grace period 0; new instances fail their first checks and are replaced in a loop",
      snapshot: grace(0)
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "unhealthy", reason: "Target.FailedHealthChecks" })
        .describe(
          "Incident: web-asg was created with `aws autoscaling create-auto-scaling-group --health-check-type ELB` and no grace period (the " +
            "CLI's default is 0). The application needs about 90 s to start; web-tg checks every 30 s and gives up after 2 failures, so " +
            "every new instance is unhealthy after 60 s and replaced at once. During Monday's traffic peak the group launched and " +
            "terminated instances for an hour while capacity never grew.",
        )
        .build(),
      errors: [{ messageId: "tooShort", severity: "high" }],
    },
    { name: "a grace period shorter than one interval plus the timeout", snapshot: grace(20).build(), errors: [{ messageId: "tooShort" }] },
  ],
  unknown: [
    {
      name: "the target group is not in the snapshot",
      snapshot: healthyAlb()
        .edit((s) => {
          s.elbv2.TargetGroups = [];
        })
        .build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [
    {
      name: "EC2 health checks only (aws/asg-ec2-health-check covers it)",
      snapshot: healthyAlb()
        .edit((s) => {
          const g = s.autoscaling?.AutoScalingGroups?.[0];
          if (g) g.HealthCheckType = "EC2";
        })
        .build(),
    },
  ],
};
