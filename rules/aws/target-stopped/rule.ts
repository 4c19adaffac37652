import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { targetStoppedCause } from "../../../src/providers/aws/causes/target-stopped.ts";
import { reportCause } from "../../../src/providers/aws/causes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";

export default defineRule<AwsModel>({
  id: "aws/target-stopped",
  provider: "aws",
  severity: "high",
  reads: ["aws:targetGroups", "aws:targetHealth", "aws:instances"],
  title: "Target instance is stopped or terminated",
  description:
    "A registered instance that is stopped (or stopping) or terminated (or shutting down) serves nothing: the target group reports it " +
    "`unused` with `Target.InvalidState`, and the load balancer spreads the traffic over fewer targets, or over none. A terminated " +
    "instance stays registered until someone (or its Auto Scaling group) deregisters it; it disappears from DescribeInstances about an hour " +
    "after termination, so a registered instance missing from a complete instance list with `Target.InvalidState` is reported too. " +
    "AWS's Auto Scaling tutorial relies on the Auto Scaling group to keep healthy instances registered. When the target health could not be read, " +
    "the in-service instances of the Auto Scaling groups attached to the target group are its targets (Auto Scaling registers them), so a stopped one " +
    "is still found. Severity is high, critical when no target of the " +
    "group is left running.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/check-target-health.html",
      title: "Check the health of your Application Load Balancer targets - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-checks-overview.html",
      title: "About the health checks for your Auto Scaling group - Amazon EC2 Auto Scaling",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#target-health-reason-codes",
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html",
  ],
  remediation:
    "Start a stopped instance (`aws ec2 start-instances`), or deregister a terminated one (`aws elbv2 deregister-targets`) and let the " +
    "Auto Scaling group launch and register its replacement.",
  explains: ["aws/targets-unhealthy"],
  messages: targetStoppedCause.messages,
  check(ctx) {
    reportCause(ctx, targetStoppedCause);
  },
});
