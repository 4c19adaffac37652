import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Remediation } from "../../../src/core/engine/types.ts";
import { httpCodeLine, ssmCommand } from "../../../src/providers/aws/guest.ts";
import type { AwsModel, Target, TargetGroup } from "../../../src/providers/aws/model.ts";
import { gapNote, sh, targetLabel } from "../../../src/providers/aws/rule-helpers.ts";
import { groupBase, groupEvidence, servedGroups } from "../../../src/providers/aws/target-facts.ts";

const MISMATCH = "target.responsecodemismatch";

/** The codes of "Health checks failed with these codes: [404]". */
export function failedCodes(description: string | undefined): number[] {
  const m = /\[([\d,\s]+)\]/.exec(description ?? "");
  return m?.[1]
    ? [
        ...new Set(
          m[1]
            .split(/[,\s]+/)
            .filter(Boolean)
            .map(Number),
        ),
      ].sort((a, b) => a - b)
    : [];
}

type Kind = "redirect" | "success" | "notFound" | "auth" | "badRequest" | "serverError" | "other" | "unknown";

function classify(codes: number[]): Kind {
  if (codes.length === 0) return "unknown";
  const all = (lo: number, hi: number) => codes.every((c) => c >= lo && c <= hi);
  if (all(200, 299)) return "success";
  if (all(300, 399)) return "redirect";
  if (all(500, 599)) return "serverError";
  if (codes.includes(404)) return "notFound";
  if (codes.some((c) => c === 401 || c === 403)) return "auth";
  if (codes.includes(400)) return "badRequest";
  return "other";
}

function diagnosis(kind: Kind, path: string, matcher: string, codes: string): string {
  switch (kind) {
    case "success":
      return `the application answers ${codes}, a success the matcher ${matcher} does not accept: widen the matcher`;
    case "redirect":
      return `the application redirects ${path} (to HTTPS, to a login page, or to add a trailing slash): accept 3xx in the matcher or point the path at a URL that answers 200 directly`;
    case "notFound":
      return `${path} does not exist on the targets: the application serves its health endpoint at another path`;
    case "auth":
      return `${path} requires authentication or is forbidden to the health checker: use an unauthenticated health path`;
    case "badRequest":
      return "the application rejects the request, often because the health check's Host header is the target's IP address (an allowed-hosts list): allow it, or use a path that ignores Host";
    case "serverError":
      return `the application fails on ${path}: the health check is right and the application is not; read its logs`;
    case "other":
      return `compare what ${path} answers with the matcher ${matcher}`;
    default:
      return "the codes received are not in the snapshot; ask the target what it answers";
  }
}

function matcherFlag(tg: TargetGroup, value: string): string {
  return tg.protocolVersion?.toUpperCase() === "GRPC" ? `GrpcCode=${value}` : `HttpCode=${value}`;
}

function fix(tg: TargetGroup, kind: Kind, probe: Target | undefined): Remediation {
  const arn = sh(tg.arn);
  const path = tg.healthCheck.path ?? "/";
  const commands: string[] = [];
  const inst = probe?.instance;
  if (inst && probe?.ip) {
    const port = probe.healthCheckPort ?? probe.port ?? 80;
    const scheme = (tg.healthCheck.protocol ?? "HTTP").toLowerCase() === "https" ? "https" : "http";
    commands.push(ssmCommand(inst, [httpCodeLine(inst, `${scheme}://${probe.ip}:${port}${path}`)]));
  }
  let summary: string;
  if (kind === "success" || kind === "redirect") {
    const range = kind === "success" ? "200-299" : "200-399";
    summary = `Widen the matcher of ${tg.name} to ${range}, or point the health check at a path that answers ${tg.healthCheck.matcher ?? "200"}.`;
    commands.push(`aws elbv2 modify-target-group --target-group-arn ${arn} --matcher ${matcherFlag(tg, range)}`);
  } else if (kind === "serverError") {
    summary = `Fix the application on ${path} (it answers 5xx); the health check itself is right. See what it answers on the target:`;
  } else {
    summary = `Point the health check of ${tg.name} at a path the application answers with 2xx/3xx (replace <health-check-path>), keeping a matcher that accepts it.`;
    commands.push(
      `aws elbv2 modify-target-group --target-group-arn ${arn} --health-check-path <health-check-path> --matcher ${matcherFlag(tg, "200-399")}`,
    );
  }
  return { summary, commands };
}

export default defineRule<AwsModel>({
  id: "aws/health-check-path-mismatch",
  provider: "aws",
  severity: "high",
  title: "Health checks get an HTTP code the matcher rejects",
  description:
    "An HTTP or HTTPS health check requests `HealthCheckPath` on each target (with the target's IP address as the Host header) and " +
    "counts the answer as healthy only when its code is in the target group's matcher (`Matcher.HttpCode`, default 200 on an ALB). " +
    "Any other code makes the target `unhealthy` with `Target.ResponseCodeMismatch`, and the health entry's description lists the codes " +
    "received. The codes tell which side is wrong: 404 (the path does not exist), 301/302 (a redirect to HTTPS or to a login page), " +
    "401/403 (the path needs authentication), 400 (the application rejects the IP as Host), 5xx (the application is broken, the check is " +
    "right), or a 2xx the matcher does not list. One finding per target group, since the fix is the group's path or matcher.",
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
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#target-not-inservice",
    "https://docs.aws.amazon.com/cli/latest/reference/elbv2/modify-target-group.html",
  ],
  messages: {
    mismatch:
      "Health checks of target group {{targetGroup}} ({{lb}}) request {{protocol}} {{path}} and accept {{matcher}}, but {{count}} of {{total}} targets answer otherwise ({{reason}}: {{targets}}; codes {{codes}}): {{diagnosis}}.",
    matches:
      "Health checks of target group {{targetGroup}} ({{protocol}} {{path}}, matcher {{matcher}}): no target reports a response code mismatch.",
    noHealth:
      "Cannot tell whether the health checks of target group {{targetGroup}} ({{protocol}} {{path}}) get the expected codes: {{reason}}.",
    notHttp: "Target group {{targetGroup}} health-checks over {{protocol}}: there is no path or matcher to get wrong.",
    noTargets: "Target group {{targetGroup}} has no registered targets, so no health check answers to compare.",
  },
  remediation:
    "Make the health check and the application agree: point `HealthCheckPath` at an endpoint that answers 200 without redirects or " +
    "authentication (`aws elbv2 modify-target-group --health-check-path … --matcher HttpCode=200-399`), or widen the matcher when the " +
    "answer is a legitimate success or redirect. A 5xx is the application's fault, not the check's.",
  explains: ["aws/targets-unhealthy"],
  check({ model, report }) {
    for (const { lb, tg } of servedGroups(model)) {
      const hc = tg.healthCheck;
      const protocol = (hc.protocol ?? "").toUpperCase();
      const path = hc.path ?? "/";
      const data = {
        targetGroup: tg.name,
        lb: lb.name,
        protocol: protocol || "?",
        path,
        matcher: hc.matcher ?? "200",
        total: tg.targets.length,
      };
      const base = groupBase(lb, tg);
      const tgEv = groupEvidence(tg);
      const pathEv = { resourceId: tg.arn, pointer: `${tg.ptr}/HealthCheckPath`, label: "health-check path" };
      const matcherEv = { resourceId: tg.arn, pointer: `${tg.ptr}/Matcher`, label: "matcher" };
      if (!hc.enabled || (protocol !== "HTTP" && protocol !== "HTTPS")) {
        report({
          ...base,
          status: "not-applicable",
          messageId: "notHttp",
          data: { ...data, protocol: hc.enabled ? protocol || "an unknown protocol" : "nothing (health checks disabled)" },
          evidence: [tgEv],
        });
        continue;
      }
      if (!tg.healthKnown) {
        report({
          ...base,
          status: "unknown",
          messageId: "noHealth",
          data: { ...data, reason: `the target health was not collected${gapNote(model, [tg.arn], ["DescribeTargetHealth"])}` },
          evidence: [tgEv, pathEv],
        });
        continue;
      }
      if (tg.targets.length === 0) {
        report({
          ...base,
          status: "not-applicable",
          messageId: "noTargets",
          data,
          evidence: [{ resourceId: tg.arn, pointer: tg.healthPtr ?? tg.ptr, label: "target health" }],
        });
        continue;
      }
      const bad = tg.targets.filter((t) => t.reason?.toLowerCase() === MISMATCH);
      if (bad.length === 0) {
        report({ ...base, status: "pass", messageId: "matches", data, evidence: [pathEv, matcherEv] });
        continue;
      }
      const codes = [...new Set(bad.flatMap((t) => failedCodes(t.description)))].sort((a, b) => a - b);
      const kind = classify(codes);
      const codesText = codes.length > 0 ? codes.join(", ") : "not reported";
      report({
        ...base,
        subjects: [tg.key, ...bad.map((t) => t.key)],
        status: "fail",
        messageId: "mismatch",
        data: {
          ...data,
          count: bad.length,
          reason: "Target.ResponseCodeMismatch",
          targets: bad.map(targetLabel).join(", "),
          codes: codesText,
          diagnosis: diagnosis(kind, path, data.matcher, codesText),
        },
        evidence: [
          pathEv,
          matcherEv,
          ...bad.map((t) => ({ resourceId: tg.arn, pointer: `${t.ptr}/TargetHealth`, label: `health of ${t.id}` })),
        ],
        remediation: fix(
          tg,
          kind,
          bad.find((t) => t.instance && t.ip),
        ),
      });
    }
  },
});
