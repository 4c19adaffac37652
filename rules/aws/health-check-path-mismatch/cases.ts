import { eksEtpLocal, healthyAlb, healthyNlb, ids } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const codes = (list: string) => `Health checks failed with these codes: [${list}]`;

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: / answers 200 on both targets", snapshot: healthyAlb().build() },
    {
      name: "a dedicated /healthz path with matcher 200-399, both targets healthy",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { HealthCheckPath: "/healthz", Matcher: { HttpCode: "200-399" } })
        .build(),
    },
    {
      name: "one target times out: not a code mismatch (another rule's business)",
      snapshot: healthyAlb()
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "unhealthy", reason: "Target.Timeout" })
        .build(),
    },
    {
      name: "EKS, externalTrafficPolicy Local: kube-proxy's 503 on a node without a ready pod is no path or matcher problem",
      snapshot: eksEtpLocal().build(),
    },
  ],
  invalid: [
    {
      name: "a release moved the health endpoint to /healthz; the target group still checks /health and gets 404 on both instances",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { HealthCheckPath: "/health" })
        .allTargets(ids.tg.web, "unhealthy", "Target.ResponseCodeMismatch", codes("404"))
        .describe(
          "Incident: release 2.4 renamed the application's health endpoint from /health to /healthz. web-tg still checks /health, both " +
            "instances answer 404, both targets are unhealthy (Target.ResponseCodeMismatch) and web-alb fails open.",
        )
        .build(),
      errors: [{ messageId: "mismatch", resourceId: ids.tg.web }],
    },
    {
      name: "the application now redirects HTTP to HTTPS: 301 against matcher 200",
      snapshot: healthyAlb().allTargets(ids.tg.web, "unhealthy", "Target.ResponseCodeMismatch", codes("301")).build(),
      errors: [{ messageId: "mismatch", resourceId: ids.tg.web }],
    },
    {
      name: "only web-2 answers 502 (its application crashed behind the local proxy)",
      snapshot: healthyAlb()
        .target(ids.tg.web, {
          id: ids.instance.web2,
          az: "us-east-1b",
          state: "unhealthy",
          reason: "Target.ResponseCodeMismatch",
          description: codes("502"),
        })
        .build(),
      errors: [{ messageId: "mismatch", resourceId: ids.tg.web }],
    },
    {
      name: "the codes are not in the description",
      snapshot: healthyAlb().allTargets(ids.tg.web, "unhealthy", "Target.ResponseCodeMismatch").build(),
      errors: [{ messageId: "mismatch" }],
    },
  ],
  unknown: [
    {
      name: "the target health was not collected (DescribeTargetHealth throttled)",
      snapshot: healthyAlb()
        .edit((s) => {
          s.elbv2.TargetHealth = {};
        })
        .gap({ operation: "elbv2:DescribeTargetHealth", resourceId: ids.tg.web, status: 400, code: "Throttling", message: "Rate exceeded" })
        .build(),
      reason: "Throttling",
    },
    {
      name: "503s on a NodePort health check from a group whose tags could not be read: maybe externalTrafficPolicy Local, undecided",
      snapshot: eksEtpLocal()
        .edit((s) => {
          s.elbv2.Tags = {};
        })
        .gap({ operation: "elasticloadbalancing:DescribeTags", status: 403, code: "AccessDenied", message: "not authorized" })
        .build(),
      reason: "could not be read (elasticloadbalancing:DescribeTags: AccessDenied)",
    },
  ],
  notApplicable: [
    { name: "NLB with TCP health checks: no path, no matcher", snapshot: healthyNlb().build() },
    {
      name: "the ALB's target group has no targets",
      snapshot: healthyAlb()
        .edit((s) => {
          if (s.elbv2.TargetHealth) s.elbv2.TargetHealth[ids.tg.web] = [];
        })
        .build(),
    },
  ],
};
