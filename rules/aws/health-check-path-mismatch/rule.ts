import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { healthCheckPathMismatchCause } from "../../../src/providers/aws/causes/health-check-path-mismatch.ts";
import { reportCause } from "../../../src/providers/aws/causes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";

export default defineRule<AwsModel>({
  id: "aws/health-check-path-mismatch",
  provider: "aws",
  severity: "high",
  reads: ["aws:targetGroups", "aws:targetHealth"],
  title: "Health checks get an HTTP code the matcher rejects",
  description:
    "An HTTP or HTTPS health check requests `HealthCheckPath` on each target (with the target's IP address as the Host header) and " +
    "counts the answer as healthy only when its code is in the target group's matcher (`Matcher.HttpCode`, default 200 on an ALB). " +
    "Any other code makes the target `unhealthy` with `Target.ResponseCodeMismatch`, and the health entry's description lists the codes " +
    "received. The codes tell which side is wrong: 404 (the path does not exist), 301/302 (a redirect to HTTPS or to a login page), " +
    "401/403 (the path needs authentication), 400 (the application rejects the IP as Host), 5xx (the application is broken, the check is " +
    "right), or a 2xx the matcher does not list. One finding per target group, since the fix is the group's path or matcher. On a target " +
    "group a Kubernetes controller owns, the fix is the Service or Ingress annotation (`…/aws-load-balancer-healthcheck-path`, " +
    "`alb.ingress.kubernetes.io/healthcheck-path`, success codes): the controller would undo a change to the target group. A 503 from " +
    "kube-proxy's healthCheckNodePort (a Service with `externalTrafficPolicy: Local`) is a node without a ready pod, by design, not a mismatch.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
      title: "Health checks for Application Load Balancer target groups - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/check-target-health.html",
      title: "Check the health of your Application Load Balancer targets - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Application Load Balancers",
    },
    {
      url: "https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/",
      title: "Create an External Load Balancer",
    },
    {
      url: "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/",
      title: "Annotations",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#target-not-inservice",
    "https://docs.aws.amazon.com/cli/latest/reference/elbv2/modify-target-group.html",
  ],
  remediation:
    "Make the health check and the application agree: point `HealthCheckPath` at an endpoint that answers 200 without redirects or " +
    "authentication (`aws elbv2 modify-target-group --health-check-path … --matcher HttpCode=200-399`), or widen the matcher when the " +
    "answer is a legitimate success or redirect. A 5xx is the application's fault, not the check's.",
  explains: ["aws/targets-unhealthy"],
  messages: healthCheckPathMismatchCause.messages,
  check(ctx) {
    reportCause(ctx, healthCheckPathMismatchCause);
  },
});
