/**
 * The check behind aws/health-check-path-mismatch, in the provider's folder so that aws/targets-unhealthy can read the same
 * results as the cause of a target's health (see causes.ts). A rule never runs another rule.
 */
import type { Remediation, RuleContext } from "../../../core/engine/types.ts";
import type { CauseCheck } from "../causes.ts";
import { httpCodeLine, ssmCommand } from "../guest.ts";
import { hasEtpLocalShape, isEtpLocal, type K8sOwner, k8sFix, k8sLabel, k8sOwnerOfGroup, ownerTagsGap } from "../kubernetes.ts";
import type { AwsModel, Target, TargetGroup } from "../model.ts";
import { gapNote, placeholder, sh, targetLabel } from "../rule-helpers.ts";
import { groupBase, groupEvidence, servedGroups } from "../target-facts.ts";

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

function fix(tg: TargetGroup, kind: Kind, probe: Target | undefined, owner: K8sOwner | undefined): Remediation {
  const plain = plainFix(tg, kind, probe);
  if (!owner || kind === "serverError") return plain;
  // the controller owns the health check: an annotation, not modify-target-group (which it would undo)
  const range = kind === "success" ? "200-299" : "200-399";
  const change =
    kind === "success" || kind === "redirect" ? k8sFix(owner, "success-codes", range) : k8sFix(owner, "healthcheck-path", "/healthz");
  return {
    summary: `${plain.summary.replace(/ \(replace <health-check-path>\)/, "")} ${change.summary}${kind === "success" || kind === "redirect" ? "" : " (use the path your application serves its health endpoint on; /healthz is an example)"}`,
    commands: [...plain.commands.filter((c) => !c.startsWith("aws elbv2 modify-target-group")), ...change.commands],
  };
}

function plainFix(tg: TargetGroup, kind: Kind, probe: Target | undefined): Remediation {
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
    commands.push(`aws elbv2 modify-target-group --target-group-arn ${arn} --matcher ${sh(matcherFlag(tg, range))}`);
  } else if (kind === "serverError") {
    summary = `Fix the application on ${path} (it answers 5xx); the health check itself is right. See what it answers on the target:`;
  } else {
    summary = `Point the health check of ${tg.name} at a path the application answers with 2xx/3xx (replace <health-check-path>), keeping a matcher that accepts it.`;
    commands.push(
      `aws elbv2 modify-target-group --target-group-arn ${arn} --health-check-path ${placeholder("health-check-path")} --matcher ${sh(matcherFlag(tg, "200-399"))}`,
    );
  }
  return { summary, commands };
}

export const messages = {
  mismatch:
    "Health checks of target group {{targetGroup}} ({{lb}}) request {{protocol}} {{path}} and accept {{matcher}}, but {{count}} of {{total}} targets answer otherwise ({{reason}}: {{targets}}; codes {{codes}}): {{diagnosis}}.",
  matches:
    "Health checks of target group {{targetGroup}} ({{protocol}} {{path}}, matcher {{matcher}}): no target reports a response code mismatch.",
  noHealth:
    "Cannot tell whether the health checks of target group {{targetGroup}} ({{protocol}} {{path}}) get the expected codes: {{reason}}.",
  notHttp: "Target group {{targetGroup}} health-checks over {{protocol}}: there is no path or matcher to get wrong.",
  noTargets: "Target group {{targetGroup}} has no registered targets, so no health check answers to compare.",
  etpLocalUndecided:
    "Health checks of target group {{targetGroup}} ({{lb}}) get 503 from {{count}} node(s) on NodePort {{port}}, which is how kube-proxy answers for a Service with externalTrafficPolicy Local on nodes without a ready pod (by design), but the tags that would name a Kubernetes owner could not be read ({{gap}}): a wrong path or a failing application cannot be told from that. Grant elasticloadbalancing:DescribeTags and run again.",
  etpLocal:
    "Health checks of target group {{targetGroup}} ({{lb}}) go to kube-proxy's healthCheckNodePort ({{protocol}} port {{port}}) of a Service with externalTrafficPolicy Local: the {{count}} node(s) answering otherwise ({{codes}}) run no ready pod of it, which is by design, not a wrong path or matcher.",
};

export function check({ model, report }: RuleContext<AwsModel>): void {
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
    const owner = k8sOwnerOfGroup(model, tg);
    if (isEtpLocal(owner, tg) && codes.every((c) => c === 503) && owner) {
      // kube-proxy answers 503 on nodes without a local ready endpoint: the path and matcher are right
      report({
        ...base,
        status: "pass",
        messageId: "etpLocal",
        data: { ...data, lb: `${lb.name}, ${k8sLabel(owner)}`, port: hc.port ?? hc.portSpec, count: bad.length, codes: codesText },
        evidence: [{ resourceId: tg.arn, pointer: hc.portPtr, label: "health-check port (healthCheckNodePort)" }, pathEv],
      });
      continue;
    }
    const tagsGap =
      !owner && codes.length > 0 && codes.every((c) => c === 503) && hasEtpLocalShape(tg) ? ownerTagsGap(model, tg, lb) : undefined;
    if (tagsGap) {
      // the same 503s from a group whose tags could not be read: it may be such a Service, or an application failing
      report({
        ...base,
        subjects: [tg.key, ...bad.map((t) => t.key)],
        status: "unknown",
        messageId: "etpLocalUndecided",
        data: {
          ...data,
          port: hc.port ?? hc.portSpec,
          count: bad.length,
          codes: codesText,
          gap: `${tagsGap.operation}${tagsGap.code ? `: ${tagsGap.code}` : ""}`,
        },
        evidence: [{ resourceId: tg.arn, pointer: hc.portPtr, label: "health-check port (a NodePort)" }, pathEv],
      });
      continue;
    }
    report({
      ...base,
      subjects: [tg.key, ...bad.map((t) => t.key)],
      status: "fail",
      messageId: "mismatch",
      data: {
        ...data,
        ...(owner ? { lb: `${lb.name}, ${k8sLabel(owner)}` } : {}),
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
        owner,
      ),
    });
  }
}

export const healthCheckPathMismatchCause: CauseCheck = { ruleId: "aws/health-check-path-mismatch", messages, check };
