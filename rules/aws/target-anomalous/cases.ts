import { healthyAlb, healthyNlb, ids } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const web2Anomalous = (mitigation: "yes" | "no") =>
  healthyAlb().target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", anomaly: { result: "anomalous", mitigation } });

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: both targets normal", snapshot: healthyAlb().build() },
    {
      name: "automatic target weights on, every target normal",
      snapshot: healthyAlb()
        .tgAttribute(ids.tg.web, "load_balancing.algorithm.type", "weighted_random")
        .tgAttribute(ids.tg.web, "load_balancing.algorithm.anomaly_mitigation", "on")
        .build(),
    },
  ],
  invalid: [
    {
      name: "web-2 answers 5xx to a third of requests but passes its health checks; round robin keeps sending it half the traffic",
      snapshot: web2Anomalous("no")
        .describe(
          "Incident: after a bad deploy web-2 fails about a third of its requests with 500s; its health check page still answers 200, so " +
            "web-tg reports it healthy, and the ALB's anomaly detection marks it anomalous. web-tg uses round robin: automatic target " +
            "weights are off and web-2 keeps getting half of the requests.",
        )
        .build(),
      errors: [{ messageId: "anomalous", severity: "high", resourceId: ids.instance.web2 }],
    },
    {
      name: "anomalous while automatic target weights mitigate (medium)",
      snapshot: web2Anomalous("yes")
        .tgAttribute(ids.tg.web, "load_balancing.algorithm.type", "weighted_random")
        .tgAttribute(ids.tg.web, "load_balancing.algorithm.anomaly_mitigation", "on")
        .build(),
      errors: [{ messageId: "anomalous", severity: "medium" }],
    },
    {
      name: "a target group the AWS Load Balancer Controller owns: the fix is an Ingress annotation",
      snapshot: web2Anomalous("no")
        .elbTags(ids.tg.web, {
          "elbv2.k8s.aws/cluster": "prod",
          "ingress.k8s.aws/stack": "shop/web",
          "ingress.k8s.aws/resource": "shop/web-frontend:80",
        })
        .build(),
      errors: [{ messageId: "anomalous", severity: "high" }],
    },
  ],
  unknown: [
    {
      name: "target health collected without Include=AnomalyDetection",
      snapshot: healthyAlb()
        .target(ids.tg.web, { id: ids.instance.web1, az: "us-east-1a", anomaly: null })
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", anomaly: null })
        .build(),
      reason: "without anomaly data",
    },
    {
      name: "DescribeTargetHealth denied",
      snapshot: healthyAlb()
        .edit((s) => {
          delete s.elbv2.TargetHealth?.[ids.tg.web];
        })
        .gap({
          operation: "elasticloadbalancing:DescribeTargetHealth",
          resourceId: ids.tg.web,
          status: 403,
          code: "AccessDenied",
          message: "not authorized",
        })
        .build(),
      reason: "not collected",
    },
  ],
  notApplicable: [{ name: "a Network Load Balancer's TCP target group", snapshot: healthyNlb().build() }],
};
