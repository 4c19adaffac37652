import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Severity } from "../../../src/core/engine/types.ts";
import type { AwsModel, Target } from "../../../src/providers/aws/model.ts";
import { sh, targetLabel } from "../../../src/providers/aws/rule-helpers.ts";

const DEFAULT_GRACE = 300;

export default defineRule<AwsModel>({
  id: "aws/asg-ec2-health-check",
  provider: "aws",
  severity: "medium",
  reads: ["aws:autoscaling"],
  title: "Auto Scaling group ignores the load balancer's health checks",
  description:
    "An Auto Scaling group replaces the instances it considers unhealthy. With `HealthCheckType` `EC2` (the default) it looks only " +
    "at the EC2 status checks: an instance whose application hangs, or that fails the target group's health checks for any other " +
    "reason, stays `unhealthy` in the target group for ever and is never replaced, so the group serves with less capacity than it " +
    "believes it has. AWS's Auto Scaling tutorial sets the Auto Scaling group to use the Elastic Load Balancing health checks, and scale-out practice lets health " +
    "signals drive replacement. Only groups attached to a target group are checked. Severity is medium, high when instances of the " +
    "group are unhealthy in its target groups right now.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-checks-overview.html",
      title: "About the health checks for your Auto Scaling group - Amazon EC2 Auto Scaling",
    },
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/attach-load-balancer-asg.html",
      title: "Attach an Elastic Load Balancing load balancer to your Auto Scaling group - Amazon EC2 Auto Scaling",
    },
    {
      url: "https://docs.aws.amazon.com/config/latest/developerguide/autoscaling-group-elb-healthcheck-required.html",
      title: "autoscaling-group-elb-healthcheck-required - AWS Config",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html",
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-add-elb-healthcheck.html",
  ],
  messages: {
    ec2Only:
      "Auto Scaling group {{asg}} serves target group {{targetGroups}} but uses health check type {{type}}: an instance that fails the load balancer's health checks is never replaced{{unhealthy}}.",
    elb: "Auto Scaling group {{asg}} uses health check type {{type}}: instances failing the health checks of {{targetGroups}} are replaced (grace period {{grace}} s).",
    noTargetGroup: "Auto Scaling group {{asg}} serves no target group: the load balancer's health checks do not apply to it.",
    undecidable: "Cannot tell which health checks Auto Scaling group {{asg}} uses: {{reason}}.",
  },
  remediation:
    "Turn on the Elastic Load Balancing health checks for the group (`aws autoscaling update-auto-scaling-group --health-check-type ELB " +
    "--health-check-grace-period 300`), with a grace period long enough for an instance to boot and pass its first checks.",
  check({ model, report }) {
    for (const asg of model.autoScalingGroups) {
      const base = { resourceId: asg.arn ?? asg.name, resourceName: asg.name, subjects: [asg.key] };
      const lbId = asg.targetGroups[0]?.loadBalancers[0]?.arn;
      const names = [
        ...asg.targetGroups.map((t) => t.name),
        ...asg.targetGroupArns.filter((a) => !asg.targetGroups.some((t) => t.key === a.toLowerCase())),
      ];
      const data = {
        asg: asg.name,
        targetGroups: names.join(", "),
        type: asg.healthCheckType ?? "(not set)",
        grace: asg.healthCheckGracePeriod ?? 0,
      };
      const typeEv = { resourceId: asg.arn ?? asg.name, pointer: `${asg.ptr}/HealthCheckType`, label: "health check type" };
      const withLb = lbId ? { loadBalancerId: lbId } : {};
      if (asg.targetGroupArns.length === 0) {
        report({
          ...base,
          status: "not-applicable",
          messageId: "noTargetGroup",
          data,
          evidence: [{ resourceId: asg.arn ?? asg.name, pointer: asg.ptr, label: "Auto Scaling group" }],
        });
        continue;
      }
      if (!asg.healthCheckType) {
        report({
          ...base,
          ...withLb,
          status: "unknown",
          messageId: "undecidable",
          data: { ...data, reason: "the snapshot's group has no HealthCheckType (DescribeAutoScalingGroups always returns it)" },
          evidence: [{ resourceId: asg.arn ?? asg.name, pointer: asg.ptr, label: "Auto Scaling group" }],
        });
        continue;
      }
      const types = asg.healthCheckType.split(",").map((t) => t.trim().toUpperCase());
      if (types.includes("ELB")) {
        report({ ...base, ...withLb, status: "pass", messageId: "elb", data, evidence: [typeEv] });
        continue;
      }
      const mine = new Set(asg.instances.map((i) => i.instanceId.toLowerCase()));
      const unhealthy: Target[] = asg.targetGroups.flatMap((tg) =>
        tg.targets.filter((t) => mine.has(t.id.toLowerCase()) && (t.state ?? "").toLowerCase().startsWith("unhealthy")),
      );
      const severity: Severity = unhealthy.length > 0 ? "high" : "medium";
      const grace = asg.healthCheckGracePeriod && asg.healthCheckGracePeriod > 0 ? asg.healthCheckGracePeriod : DEFAULT_GRACE;
      report({
        ...base,
        ...withLb,
        subjects: [asg.key, ...unhealthy.map((t) => t.key)],
        severity,
        status: "fail",
        messageId: "ec2Only",
        data: {
          ...data,
          unhealthy:
            unhealthy.length > 0
              ? `; right now ${unhealthy.map(targetLabel).join(", ")} ${unhealthy.length === 1 ? "is" : "are"} unhealthy in ${[...new Set(unhealthy.map((t) => t.tg.name))].join(", ")} and ${unhealthy.length === 1 ? "stays" : "stay"} in service`
              : "",
        },
        evidence: [
          typeEv,
          { resourceId: asg.arn ?? asg.name, pointer: `${asg.ptr}/TargetGroupARNs`, label: "target groups" },
          ...unhealthy.map((t) => ({ resourceId: t.tg.arn, pointer: t.statePtr, label: `health of ${t.id}` })),
        ],
        remediation: {
          summary: `Make ${asg.name} replace instances that fail the load balancer's health checks, after a ${grace} s grace period for booting.`,
          commands: [
            `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${sh(asg.name)} --health-check-type ELB --health-check-grace-period ${grace}`,
          ],
        },
      });
    }
  },
});
