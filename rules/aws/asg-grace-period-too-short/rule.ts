import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence } from "../../../src/core/engine/types.ts";
import type { AutoScalingGroup, AwsModel, TargetGroup } from "../../../src/providers/aws/model.ts";
import { sh } from "../../../src/providers/aws/rule-helpers.ts";

/** The console's default grace period, and what lbdoctor proposes when the group needs less. */
const CONSOLE_DEFAULT = 300;

interface Need {
  tg: TargetGroup;
  /** seconds until a newly registered target can have passed its first health check: one interval plus the timeout */
  seconds: number;
  interval: number;
  timeout: number;
  unhealthyAfter?: number;
}

function needOf(tg: TargetGroup): Need | undefined {
  const hc = tg.healthCheck;
  if (!hc.enabled || hc.intervalSeconds === undefined) return undefined;
  const timeout = hc.timeoutSeconds ?? 0;
  return {
    tg,
    seconds: hc.intervalSeconds + timeout,
    interval: hc.intervalSeconds,
    timeout,
    ...(hc.unhealthyThreshold !== undefined ? { unhealthyAfter: hc.unhealthyThreshold * hc.intervalSeconds } : {}),
  };
}

function usesElb(asg: AutoScalingGroup): boolean {
  return (asg.healthCheckType ?? "")
    .split(",")
    .map((t) => t.trim().toUpperCase())
    .includes("ELB");
}

export default defineRule<AwsModel>({
  id: "aws/asg-grace-period-too-short",
  provider: "aws",
  severity: "high",
  reads: ["aws:autoscaling", "aws:targetGroups"],
  title: "Auto Scaling grace period shorter than a new instance needs to pass its health check",
  description:
    "With `HealthCheckType` `ELB`, an Auto Scaling group replaces an instance that its target group reports unhealthy, once the " +
    "instance has been `InService` for `HealthCheckGracePeriod` seconds. The load balancer starts checking a target when it is " +
    "registered, and a newly registered target is in service after it passes **one** health check (the `HealthyThresholdCount` × " +
    "interval rule applies to a target coming back from `unhealthy`). So the grace period must cover the instance's boot and " +
    "application start plus about one health-check interval and its timeout; the API shows the second part, never the first. A grace " +
    "period shorter than one interval plus the timeout cannot cover even a check that starts at registration: an instance whose " +
    "application starts more slowly than the target group's unhealthy verdict (`UnhealthyThresholdCount` × interval) is replaced " +
    "before it can ever pass, and a scale-out launches instances in a loop while capacity never arrives. A grace period of 0 (the " +
    "default of the CLI and SDKs; the console's is 300 s) is the extreme case, acceptable only with a launch lifecycle hook that holds " +
    "instances until they are ready.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-check-grace-period.html",
      title: "Set the health check grace period for an Auto Scaling group - Amazon EC2 Auto Scaling",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
      title: "Health checks for Application Load Balancer target groups - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-checks-overview.html",
      title: "About the health checks for your Auto Scaling group - Amazon EC2 Auto Scaling",
    },
  ],
  references: ["https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html"],
  messages: {
    tooShort:
      "Auto Scaling group {{asg}} replaces instances that fail the health checks of {{targetGroup}} after a grace period of {{grace}} s, but a new instance needs at least {{needed}} s (one {{interval}} s interval plus the {{timeout}} s timeout) after registration to pass its first check, before any boot time: {{consequence}}",
    enough:
      "Auto Scaling group {{asg}} gives new instances {{grace}} s before acting on the health checks of {{targetGroup}}, more than the {{needed}} s (interval plus timeout) a first passing check takes; it must also cover boot and application start.",
    notElb: "Auto Scaling group {{asg}} does not use the load balancer's health checks ({{type}}): the grace period does not gate them.",
    undecidable: "Cannot tell whether Auto Scaling group {{asg}} gives new instances long enough: {{reason}}.",
  },
  remediation:
    "Set the grace period to the time an instance takes to boot and start the application, plus one health-check interval and timeout " +
    "(`aws autoscaling update-auto-scaling-group --health-check-grace-period …`; the console's default is 300 s), or hold new instances " +
    "with a launch lifecycle hook until they are ready.",
  check({ model, report }) {
    for (const asg of model.autoScalingGroups) {
      if (asg.targetGroupArns.length === 0) continue;
      const resourceId = asg.arn ?? asg.name;
      const base = { resourceId, resourceName: asg.name, subjects: [asg.key] };
      const lbId = asg.targetGroups[0]?.loadBalancers[0]?.arn;
      const withLb = lbId ? { loadBalancerId: lbId } : {};
      const asgEv = { resourceId, pointer: asg.ptr, label: "Auto Scaling group" };
      if (!asg.healthCheckType || !usesElb(asg)) {
        if (asg.healthCheckType)
          report({
            ...base,
            ...withLb,
            status: "not-applicable",
            messageId: "notElb",
            data: { asg: asg.name, type: asg.healthCheckType },
            evidence: [asgEv],
          });
        continue;
      }
      const grace = asg.healthCheckGracePeriod;
      const needs = asg.targetGroups.map(needOf).filter((n): n is Need => !!n);
      if (grace === undefined || needs.length === 0) {
        const reason =
          grace === undefined
            ? "the snapshot's group has no HealthCheckGracePeriod"
            : `the health-check interval of ${asg.targetGroups.map((t) => t.name).join(", ") || asg.targetGroupArns.join(", ")} is not in the snapshot`;
        report({ ...base, ...withLb, status: "unknown", messageId: "undecidable", data: { asg: asg.name, reason }, evidence: [asgEv] });
        continue;
      }
      const worst = needs.reduce((a, b) => (b.seconds > a.seconds ? b : a));
      const graceEv: Evidence = { resourceId, pointer: `${asg.ptr}/HealthCheckGracePeriod`, label: "health check grace period" };
      const data = {
        asg: asg.name,
        targetGroup: worst.tg.name,
        grace,
        needed: worst.seconds,
        interval: worst.interval,
        timeout: worst.timeout,
      };
      const tgEv: Evidence[] = [
        { resourceId: worst.tg.arn, pointer: `${worst.tg.ptr}/HealthCheckIntervalSeconds`, label: "health-check interval" },
        { resourceId: worst.tg.arn, pointer: `${worst.tg.ptr}/HealthCheckTimeoutSeconds`, label: "health-check timeout" },
      ];
      if (grace >= worst.seconds) {
        report({ ...base, ...withLb, status: "pass", messageId: "enough", data, evidence: [graceEv, ...tgEv] });
        continue;
      }
      // instances of the group the target group does not (yet) count as healthy: the churn a short grace period causes
      const mine = new Set(asg.instances.map((i) => i.instanceId.toLowerCase()));
      const struggling = worst.tg.targets.filter(
        (t) => mine.has(t.id.toLowerCase()) && ["initial", "unhealthy"].includes((t.state ?? "").toLowerCase()),
      );
      const verdict =
        worst.unhealthyAfter !== undefined
          ? `an application that is not answering ${worst.unhealthyAfter} s after registration (unhealthy threshold × interval) is marked unhealthy, and the group replaces the instance before it can pass`
          : "an application that is not answering by the unhealthy verdict is replaced before it can pass";
      const consequence = `${grace === 0 ? "a grace period of 0 lets the group act on the very first failed checks; " : ""}${verdict}, so a scale-out can keep launching and terminating instances without ever adding capacity${struggling.length > 0 ? ` (right now ${struggling.map((t) => `${t.id} is ${t.state}`).join(", ")})` : ""}.`;
      const suggested = Math.max(CONSOLE_DEFAULT, worst.seconds);
      report({
        ...base,
        ...withLb,
        subjects: [asg.key, ...struggling.map((t) => t.key)],
        status: "fail",
        messageId: "tooShort",
        data: { ...data, consequence },
        evidence: [
          graceEv,
          { resourceId, pointer: `${asg.ptr}/HealthCheckType`, label: "health check type" },
          ...tgEv,
          ...struggling.slice(0, 3).map((t) => ({ resourceId: worst.tg.arn, pointer: t.statePtr, label: `health of ${t.id}` })),
        ],
        remediation: {
          summary: `Give ${asg.name}'s new instances time to boot, start the application and pass one health check (${worst.interval} s interval + ${worst.timeout} s timeout): ${suggested} s, or the measured boot time plus ${worst.seconds} s if that is longer. Alternatively hold new instances with a launch lifecycle hook until they are ready.`,
          commands: [
            `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${sh(asg.name)} --health-check-grace-period ${suggested}`,
          ],
        },
      });
    }
  },
});
