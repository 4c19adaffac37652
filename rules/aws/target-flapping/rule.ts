import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { clock } from "../../../src/core/timeline/analyze.ts";
import { FLAP_TRANSITIONS, flapVerdicts } from "../../../src/core/timeline/checks.ts";
import { idKey } from "../../../src/core/util/resource-id.ts";
import { awsArg } from "../../../src/core/util/shell.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";

export default defineRule<AwsModel>({
  id: "aws/target-flapping",
  provider: "aws",
  severity: "medium",
  title: "Targets flapping between healthy and unhealthy",
  description:
    `A target group whose health in a zone (CloudWatch \`HealthyHostCount\` and \`UnHealthyHostCount\`, one-minute grain) changed state ${FLAP_TRANSITIONS} ` +
    "or more times in the window is flapping: targets keep leaving and rejoining rotation, and requests in flight to them fail each time. " +
    "The usual causes are an unhealthy threshold of 2 at a short interval with a timeout close to the interval, a health-check path that " +
    "is slow under load or depends on something intermittent, or instances that are replaced and re-registered. The finding shows the " +
    "series and the group's interval, timeout and thresholds. A minute counts as healthy when the zone has healthy hosts and no unhealthy ones.",
  reads: ["aws:metrics", "aws:targetGroups"],
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
      title: "Health checks for Application Load Balancer target groups",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html",
      title: "CloudWatch metrics for your Application Load Balancer",
    },
  ],
  references: ["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html"],
  messages: {
    flapping:
      "{{group}} changed state {{count}} times between {{from}} and {{until}} ({{series}}: {{changes}}). Health checks every {{interval}} s with a {{timeout}} s timeout; unhealthy after {{unhealthy}} failures, healthy again after {{healthy}} successes{{advice}}.",
    steady: "{{group}} changed state {{count}} times in the window ({{series}}).",
    noMetrics: "The target health metrics of {{lb}} over the window could not be read ({{reason}}).",
  },
  remediation:
    "Find why the health check fails intermittently (slow answers under load, a dependency behind the path). To stop one slow answer " +
    "from taking targets out, raise the unhealthy threshold or the interval, and keep the timeout well under the interval.",
  check({ model, report }) {
    const time = model.time;
    if (!time) return;
    for (const m of time.missing) {
      if (m.what !== "metrics" || !m.resourceId) continue;
      const lb = model.byKey.loadBalancer.get(idKey(m.resourceId));
      if (lb)
        report({
          resourceId: lb.arn,
          resourceName: lb.name,
          loadBalancerId: lb.arn,
          key: "metrics",
          status: "unknown",
          messageId: "noMetrics",
          data: { lb: lb.name, reason: `${m.operation}: ${m.message}` },
        });
    }
    for (const v of flapVerdicts(time)) {
      const s = v.series;
      const tg = model.byKey.targetGroup.get(idKey(s.resourceId));
      const base = { resourceId: s.resourceId, resourceName: s.label, loadBalancerId: s.loadBalancerId, key: s.key.split("|")[1] ?? "" };
      const evidence = [{ resourceId: s.resourceId, pointer: s.pointer, label: `HealthyHostCount of ${s.label}` }];
      if (!v.flapping) {
        report({
          ...base,
          status: "pass",
          messageId: "steady",
          data: { group: s.label, count: v.transitions, series: v.picture },
          evidence,
        });
        continue;
      }
      const hc = tg?.healthCheck;
      const interval = hc?.intervalSeconds ?? 30;
      const timeout = hc?.timeoutSeconds ?? 5;
      const unhealthy = hc?.unhealthyThreshold ?? 2;
      const healthy = hc?.healthyThreshold ?? 5;
      const advice =
        unhealthy <= 2
          ? `; ${unhealthy} failed checks (${unhealthy * interval} s) are enough to take a target out`
          : timeout * 2 > interval
            ? "; the timeout is more than half the interval, so a slow answer counts as a failure"
            : "";
      report({
        ...base,
        status: "fail",
        messageId: "flapping",
        data: {
          group: s.label,
          count: v.transitions,
          from: clock(time.window.from, time.window),
          until: clock(time.window.until, time.window),
          series: v.picture,
          changes: v.changes,
          interval,
          timeout,
          unhealthy,
          healthy,
          advice,
        },
        evidence: tg ? [...evidence, { resourceId: tg.arn, pointer: hc?.portPtr ?? tg.ptr, label: "health check" }] : evidence,
        remediation: {
          summary: "Find the intermittent failure; make the health check tolerate one slow answer.",
          commands: tg
            ? [
                // UnhealthyThresholdCount accepts 2-10: at 10 already, the interval and timeout are what is left to relax
                `aws elbv2 modify-target-group --target-group-arn ${awsArg(tg.arn)}${unhealthy < 10 ? ` --unhealthy-threshold-count ${Math.min(10, Math.max(3, unhealthy + 1))}` : ""} --health-check-interval-seconds ${Math.max(interval, 15)} --health-check-timeout-seconds ${Math.min(timeout, Math.max(2, Math.floor(Math.max(interval, 15) / 2)))}`,
              ]
            : [],
        },
        subjects: [s.resourceId],
      });
    }
  },
});
