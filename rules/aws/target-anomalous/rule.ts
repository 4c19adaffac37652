import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { k8sFix, k8sLabel, k8sOwnerOfGroup } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel, Target, TargetGroup } from "../../../src/providers/aws/model.ts";
import { gapNote, sh, targetLabel, targetResourceId, targetResourceName, targetSubjects } from "../../../src/providers/aws/rule-helpers.ts";
import { targetArg } from "../../../src/providers/aws/target-facts.ts";
import { anomalyOf, automaticTargetWeights } from "../../../src/providers/aws/target-signals.ts";

const ATW_ATTRIBUTES = "load_balancing.algorithm.type=weighted_random,load_balancing.algorithm.anomaly_mitigation=on";

function atwCommands(model: AwsModel, tg: TargetGroup): { summary: string; commands: string[] } {
  const owner = k8sOwnerOfGroup(model, tg);
  if (owner) {
    const fix = k8sFix(owner, "target-group-attributes", ATW_ATTRIBUTES);
    return { summary: fix.summary, commands: fix.commands };
  }
  return {
    summary: "",
    commands: [
      `aws elbv2 modify-target-group-attributes --target-group-arn ${sh(tg.arn)} --attributes Key=load_balancing.algorithm.type,Value=weighted_random Key=load_balancing.algorithm.anomaly_mitigation,Value=on`,
    ],
  };
}

function inspectCommand(tg: TargetGroup, t: Target): string {
  // targetArg is already quoted for the shell (JSON in single quotes): quoting it again would hand the CLI the quotes too
  return `aws elbv2 describe-target-health --target-group-arn ${sh(tg.arn)} --targets ${targetArg(t)} --include AnomalyDetection`;
}

export default defineRule<AwsModel>({
  id: "aws/target-anomalous",
  provider: "aws",
  severity: "high",
  reads: ["aws:loadBalancers", "aws:targetGroups", "aws:targetGroupAttributes", "aws:targetHealth"],
  title: "Target is anomalous",
  description:
    "An Application Load Balancer watches the targets of its HTTP and HTTPS target groups for anomalies: a target whose HTTP errors or " +
    "latency stand out from the others is reported `anomalous` by `DescribeTargetHealth` (`AnomalyDetection.Result`) even while it still " +
    "passes its health checks, so it keeps receiving its share of requests and fails them. Anomaly detection is always on for these " +
    'groups; the data comes back only when the call asks for it (`Include: ["AnomalyDetection"]`). With automatic target weights ' +
    "(the target group attributes `load_balancing.algorithm.type=weighted_random` and `load_balancing.algorithm.anomaly_mitigation=on`) " +
    "the load balancer sends less traffic to an anomalous target (`MitigationInEffect: yes`) and restores it gradually once the target " +
    "recovers; without them (the default is round robin) nothing shields clients from it. Severity is high without mitigation, medium while " +
    "mitigation is in effect. A target group whose health was collected without anomaly data is unknown.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AnomalyDetection.html",
      title: "AnomalyDetection - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealthDescription.html",
      title: "TargetHealthDescription - Elastic Load Balancing",
    },
    {
      url: "https://aws.amazon.com/blogs/networking-and-content-delivery/improving-availability-with-application-load-balancer-automatic-target-weights/",
      title: "Improving availability with Application Load Balancer automatic target weights",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html",
      title: "Edit target group attributes for your Application Load Balancer",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#automatic-target-weights",
  ],
  messages: {
    anomalous:
      "Target {{target}} of target group {{targetGroup}} ({{lb}}{{k8s}}) is anomalous: its responses stand out from the other targets' (errors or latency) although its health is {{state}}. {{mitigation}}",
    normal: "Target {{target}} of target group {{targetGroup}} ({{lb}}) shows no anomaly.",
    noAnomalyData: "Cannot tell whether the targets of target group {{targetGroup}} ({{lb}}) are anomalous: {{why}}.",
    notHttp:
      "Target group {{targetGroup}} ({{lb}}) is not an HTTP/HTTPS target group of an Application Load Balancer: no anomaly detection.",
  },
  remediation:
    "Look at the anomalous target (its application logs, CPU, dependencies) and take it out of rotation or replace it if it does not " +
    "recover. Turn on automatic target weights so that the load balancer shifts traffic away from anomalous targets by itself: the target " +
    "group attributes `load_balancing.algorithm.type=weighted_random` and `load_balancing.algorithm.anomaly_mitigation=on` (on a target " +
    "group the AWS Load Balancer Controller owns, through the `target-group-attributes` annotation).",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      for (const tg of lb.targetGroups) {
        const data = { targetGroup: tg.name, lb: lb.name };
        const tgBase = { resourceId: tg.arn, resourceName: tg.name, loadBalancerId: lb.arn, subjects: [tg.key] };
        const tgEv = { resourceId: tg.arn, pointer: tg.ptr, label: "target group" };
        const proto = (tg.protocol ?? "").toUpperCase();
        if (lb.type !== "application" || (proto !== "HTTP" && proto !== "HTTPS") || tg.targetType === "lambda") {
          report({ ...tgBase, status: "not-applicable", messageId: "notHttp", data, evidence: [tgEv] });
          continue;
        }
        if (!tg.healthKnown) {
          report({
            ...tgBase,
            status: "unknown",
            messageId: "noAnomalyData",
            data: { ...data, why: `the target health was not collected${gapNote(model, [tg.arn], ["DescribeTargetHealth"])}` },
            evidence: [tgEv],
          });
          continue;
        }
        if (tg.targets.length === 0) continue;
        const withData = tg.targets.map((t) => ({ t, a: anomalyOf(t) }));
        if (withData.every((x) => !x.a)) {
          report({
            ...tgBase,
            status: "unknown",
            messageId: "noAnomalyData",
            data: {
              ...data,
              why: "the target health was collected without anomaly data (DescribeTargetHealth returns AnomalyDetection only with Include=AnomalyDetection); collect again with this version of lbdoctor",
            },
            evidence: [{ resourceId: tg.arn, pointer: tg.healthPtr ?? tg.ptr, label: "target health" }],
          });
          continue;
        }
        const atw = automaticTargetWeights(tg);
        const owner = k8sOwnerOfGroup(model, tg);
        for (const { t, a } of withData) {
          const base = {
            resourceId: targetResourceId(t),
            resourceName: targetResourceName(t),
            loadBalancerId: lb.arn,
            key: `${tg.name}|${t.id}:${t.port ?? ""}`,
            subjects: targetSubjects(t),
          };
          const tData = { ...data, target: targetLabel(t) };
          if (!a) continue;
          if (a.result !== "anomalous") {
            report({
              ...base,
              status: "pass",
              messageId: "normal",
              data: tData,
              evidence: [{ resourceId: tg.arn, pointer: a.ptr, label: "anomaly detection" }],
            });
            continue;
          }
          const mitigating = a.mitigation === "yes";
          const mitigation = mitigating
            ? "Automatic target weights are on and mitigation is in effect: the load balancer is routing less traffic to it until it recovers."
            : atw.on
              ? "Automatic target weights are on, but mitigation is not in effect for it: for now it still gets its full share of requests."
              : `Automatic target weights are off (load_balancing.algorithm.type=${atw.algorithm}, load_balancing.algorithm.anomaly_mitigation=${atw.mitigation}): it still gets its full share of requests.`;
          const fix = atw.on ? undefined : atwCommands(model, tg);
          report({
            ...base,
            severity: mitigating ? "medium" : "high",
            status: "fail",
            messageId: "anomalous",
            data: {
              ...tData,
              state: t.state ?? "unknown",
              mitigation,
              k8s: owner ? `, ${k8sLabel(owner)}` : "",
            },
            evidence: [
              { resourceId: tg.arn, pointer: a.ptr, label: "anomaly detection" },
              { resourceId: tg.arn, pointer: t.statePtr, label: "target health" },
              ...atw.ptrs.map((p) => ({ resourceId: tg.arn, pointer: p, label: "load balancing algorithm" })),
              ...(owner ? [{ resourceId: tg.arn, pointer: owner.ptr, label: "Kubernetes owner (tag)" }] : []),
            ],
            remediation: {
              summary: `Find out why ${targetLabel(t)} misbehaves (application logs, CPU, its dependencies) and replace it if it does not recover.${fix ? ` Turn on automatic target weights for ${tg.name} so that the load balancer shifts traffic away from anomalous targets by itself.${fix.summary ? ` ${fix.summary}` : ""}` : ""}`,
              commands: [inspectCommand(tg, t), ...(fix?.commands ?? [])],
            },
          });
        }
      }
    }
  },
});
