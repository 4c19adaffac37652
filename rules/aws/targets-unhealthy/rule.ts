import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, Remediation, RuleContext, Severity } from "../../../src/core/engine/types.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { sh as shell } from "../../../src/core/util/shell.ts";
import { type Cause, targetCauses } from "../../../src/providers/aws/causes.ts";
import { guestGap, guestOf, listenerCheckLines, listeningOn, ssmCommand } from "../../../src/providers/aws/guest.ts";
import {
  hasEtpLocalShape,
  isEtpLocal,
  type K8sOwner,
  k8sLabel,
  k8sOwnerOfGroup,
  ownerTagsGap,
} from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel, LoadBalancer, ModelGap, Target, TargetGroup } from "../../../src/providers/aws/model.ts";
import { healthState, reasonMeaning, targetHealthReason } from "../../../src/providers/aws/reasons.ts";
import {
  gapNote,
  sh,
  targetEvidence,
  targetLabel,
  targetResourceId,
  targetResourceName,
  targetSubjects,
} from "../../../src/providers/aws/rule-helpers.ts";
import { isHealthy, targetArg } from "../../../src/providers/aws/target-facts.ts";

const MISMATCH = "target.responsecodemismatch";

/** What to look at in the cluster when no node has a ready endpoint of an externalTrafficPolicy: Local Service. */
function etpLocalCommands(o: K8sOwner): string[] {
  const svc = o.service ?? (o.namespace && o.name ? { namespace: o.namespace, name: o.name } : undefined);
  if (!svc) return [];
  const ns = shell(svc.namespace);
  return [
    `kubectl get endpointslices --namespace ${ns} --selector ${shell(`kubernetes.io/service-name=${svc.name}`)} --output wide`,
    `kubectl describe service --namespace ${ns} ${shell(svc.name)}`,
    `kubectl get pods --namespace ${ns} --output wide`,
  ];
}

/** The failing and undecided causes found on a target (or its instance), those relevant to its reason code, its own target group's first. */
function causesOf(index: Map<string, Cause[]>, t: Target, ruleIds: string[]): { fails: Cause[]; unknowns: Cause[] } {
  const seen = new Set<Cause>();
  const all: Cause[] = [];
  for (const s of targetSubjects(t)) {
    for (const c of index.get(s) ?? []) {
      if (seen.has(c) || !ruleIds.includes(c.ruleId)) continue;
      seen.add(c);
      all.push(c);
    }
  }
  all.sort(
    (a, b) =>
      Number(!a.subjects.includes(t.key)) - Number(!b.subjects.includes(t.key)) || ruleIds.indexOf(a.ruleId) - ruleIds.indexOf(b.ruleId),
  );
  return { fails: all.filter((c) => c.status === "fail"), unknowns: all.filter((c) => c.status === "unknown") };
}

const TIMEOUT = "target.timeout";
const FAILED = "target.failedhealthchecks";

/** What the guest check says about the health-check port, as a phrase and its evidence. */
function guestSuspect(model: AwsModel, t: Target, port: number | undefined): { text: string; ev: Evidence[]; known: boolean } {
  const g = guestOf(model, t.instance);
  const l = g && port !== undefined ? listeningOn(g.body, port) : undefined;
  if (!g || !l || port === undefined) {
    const gap = guestGap(model, t.instance);
    const how = gap ? ` (the guest check failed: ${gap.message})` : "";
    return {
      text: `nothing listening on port ${port ?? "?"}, a host firewall (iptables, firewalld, Windows Firewall) dropping the checks, or an application too slow to answer${how}: check with the commands below`,
      ev: [],
      known: false,
    };
  }
  const ev = l.indexes.map((i) => ({
    resourceId: t.instance?.id ?? t.id,
    pointer: join(g.ptr, "listening", i),
    label: "listening socket (guest check)",
  }));
  if (l.indexes.length === 0) {
    return {
      text: `the guest check shows nothing listening on TCP port ${port}: start the application, or make it listen on ${port}`,
      ev: [{ resourceId: t.instance?.id ?? t.id, pointer: join(g.ptr, "listening"), label: "listening sockets (guest check)" }],
      known: true,
    };
  }
  if (l.loopbackOnly)
    return {
      text: `the guest check shows port ${port} bound to a loopback address only: make the application listen on 0.0.0.0 or the instance's address`,
      ev,
      known: true,
    };
  return {
    text: `the guest check shows something listening on port ${port}, so suspect a host firewall (iptables, firewalld, Windows Firewall) or an application too slow to answer`,
    ev,
    known: true,
  };
}

function checkCommands(tg: TargetGroup, t: Target): string[] {
  const out: string[] = [];
  const port = t.healthCheckPort;
  if (t.instance && port !== undefined) {
    const p = (tg.healthCheck.protocol ?? "").toUpperCase();
    const url =
      p === "HTTP" || p === "HTTPS" ? `${p.toLowerCase()}://${t.ip ?? "127.0.0.1"}:${port}${tg.healthCheck.path ?? "/"}` : undefined;
    out.push(ssmCommand(t.instance, listenerCheckLines(t.instance, port, url)));
  }
  out.push(`aws elbv2 describe-target-health --target-group-arn ${sh(tg.arn)} --targets ${targetArg(t)}`);
  return out;
}

/** Evidence without repeated pointers. */
function uniq(ev: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return ev.filter((e) => !seen.has(e.pointer) && !!seen.add(e.pointer));
}

function causeText(f: Cause): string {
  return `${f.message.replace(/\.$/, "")} [${f.ruleId}]`;
}

function remediationFor(tg: TargetGroup, t: Target, cause: Cause | undefined, summary: string): Remediation {
  if (cause?.remediation) {
    return { summary: `Fix the cause ${cause.ruleId} found: ${cause.remediation.summary}`, commands: cause.remediation.commands };
  }
  const code = t.reason?.toLowerCase();
  if (code === "target.notregistered") {
    return { summary, commands: [`aws elbv2 register-targets --target-group-arn ${sh(tg.arn)} --targets ${targetArg(t)}`] };
  }
  if (code === "target.ipunusable") {
    return { summary, commands: [`aws elbv2 deregister-targets --target-group-arn ${sh(tg.arn)} --targets ${targetArg(t)}`] };
  }
  if (code === TIMEOUT || code === FAILED) return { summary, commands: checkCommands(tg, t) };
  return { summary, commands: [`aws elbv2 describe-target-health --target-group-arn ${sh(tg.arn)} --targets ${targetArg(t)}`] };
}

export default defineRule<AwsModel>({
  id: "aws/targets-unhealthy",
  provider: "aws",
  severity: "high",
  reads: ["aws:targetGroups", "aws:targetHealth"],
  title: "Targets are unhealthy or unused",
  description:
    "DescribeTargetHealth reports each registered target's state and, unless it is healthy, a reason code. An `unhealthy` target gets " +
    "no new requests (until every target of the group is unhealthy: then the load balancer fails open and sends to all of them); an " +
    "`unused` one gets nothing at all. Every documented reason code is translated (see `src/providers/aws/reasons.ts`), and the finding names the " +
    "cause when another rule found one on the same target: a security group or network ACL that drops the health checks " +
    "(`Target.Timeout`), a wrong health-check path or matcher (`Target.ResponseCodeMismatch`), a stopped instance " +
    "(`Target.InvalidState`), a zone the load balancer has not enabled (`Target.NotInUse`). A `Target.Timeout` with no such block " +
    "points at the target itself: nothing listening, a host firewall, or overload; the guest check (`observations.guest`) narrows it " +
    "down, and the remediation runs the same checks through SSM. Targets still `initial` are unknown (collect again); `draining` and " +
    "health checks disabled are out of scope. A target group of a Kubernetes Service with `externalTrafficPolicy: Local` (instance " +
    "targets health-checked over HTTP on the Service's `healthCheckNodePort`, where kube-proxy answers 200 only on nodes that run a " +
    "ready pod of the Service and 503 elsewhere) is judged as a whole: its failing nodes are expected while at least one node is " +
    "healthy, and an incident (critical) when none is. Severity is high, critical when no target of the group is healthy.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/check-target-health.html",
      title: "Check the health of your Application Load Balancer targets - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
      title: "Health checks for Application Load Balancer target groups - Elastic Load Balancing",
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
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#target-health-reason-codes",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#target-not-inservice",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html",
  ],
  messages: {
    unhealthy: "Target {{target}} of target group {{targetGroup}} ({{lb}}) is {{state}} ({{reason}}: {{meaning}}){{description}}. {{next}}",
    unused: "Target {{target}} of target group {{targetGroup}} ({{lb}}) is unused ({{reason}}: {{meaning}}): it gets no traffic. {{next}}",
    timeoutBlocked:
      "Target {{target}} of target group {{targetGroup}} ({{lb}}) is {{state}} ({{reason}}): its health checks on TCP port {{port}} time out because they are blocked: {{cause}}.",
    timeoutOpen:
      "Target {{target}} of target group {{targetGroup}} ({{lb}}) is {{state}} ({{reason}}): security groups and network ACLs let its health checks on TCP port {{port}} through, so the target itself does not answer within {{timeout}}: {{suspect}}.",
    timeoutUndecided:
      "Target {{target}} of target group {{targetGroup}} ({{lb}}) is {{state}} ({{reason}}): whether a security group or network ACL drops its health checks on TCP port {{port}} could not be decided ({{why}}); if none does, {{suspect}}.",
    healthy: "Target {{target}} of target group {{targetGroup}} ({{lb}}) is healthy.",
    initial:
      "Target {{target}} of target group {{targetGroup}} ({{lb}}) is still initial ({{reason}}: {{meaning}}): its health is not settled; collect again after {{wait}}.",
    notChecked: "Target {{target}} of target group {{targetGroup}} ({{lb}}) is {{state}} ({{reason}}: {{meaning}}): not a health failure.",
    noState: "Cannot tell the health of target {{target}} of target group {{targetGroup}} ({{lb}}): {{why}}.",
    noHealth: "Cannot tell the health of the targets of target group {{targetGroup}} ({{lb}}): {{why}}.",
    unattached: "Target group {{targetGroup}} serves no load balancer: its targets are unused by design.",
    etpLocalByDesign:
      "Node {{target}} of target group {{targetGroup}} ({{lb}}) fails its health check ({{reason}}) by design: the Service has externalTrafficPolicy Local, and kube-proxy answers its healthCheckNodePort with 503 on nodes that run no ready pod of it; {{healthy}} node(s) with a ready pod are healthy and take the traffic.",
    etpLocalUndecided:
      "Node {{target}} of target group {{targetGroup}} ({{lb}}) fails its health check ({{reason}}), but whether by design cannot be decided: the tags that would name a Kubernetes owner could not be read ({{gap}}), and the health check on NodePort {{port}} is how a Service with externalTrafficPolicy Local is checked (nodes without a ready pod answer 503 on purpose). Grant elasticloadbalancing:DescribeTags and run again.",
    etpLocalNoEndpoints:
      "No node of target group {{targetGroup}} ({{lb}}) passes its health check: the Service has externalTrafficPolicy Local, so a node passes only while it runs a ready pod of the Service, and none does ({{count}} node(s) answer {{reason}}): the Service has no ready endpoints (or kube-proxy is down on every node), and the load balancer has nowhere healthy to send traffic.",
  },
  remediation:
    "Act on the reason code: open the security groups and network ACLs for the health checks (`Target.Timeout` with a block found), " +
    "fix the health-check path or matcher (`Target.ResponseCodeMismatch`), start or replace stopped instances (`Target.InvalidState`), " +
    "enable the target's zone (`Target.NotInUse`). Without a block on the path, check on the instance that the application listens on " +
    "the health-check port on all addresses and that no host firewall drops it.",
  check(ctx) {
    const { model } = ctx;
    let index: Map<string, Cause[]> | undefined;
    const causes = () => (index ??= targetCauses(model));
    for (const tg of model.targetGroups) {
      const lb: LoadBalancer | undefined = tg.loadBalancers[0];
      const owner = lb ? k8sOwnerOfGroup(model, tg) : undefined;
      const tgData = { targetGroup: tg.name, lb: lb ? `${lb.name}${owner ? `, ${k8sLabel(owner)}` : ""}` : "no load balancer" };
      if (!judgeGroup(ctx, tg, lb, tgData) || !lb) continue;
      const g: GroupCtx = {
        tg,
        lb,
        owner,
        tgData,
        causes,
        etpLocal: isEtpLocal(owner, tg),
        tagsGap: !owner && hasEtpLocalShape(tg) ? ownerTagsGap(model, tg, lb) : undefined,
        anyHealthy: tg.targets.some(isHealthy),
        noEndpointsReported: false,
      };
      for (const t of tg.targets) judgeTarget(ctx, g, t);
    }
  },
});

type Ctx = RuleContext<AwsModel>;
type TgData = { targetGroup: string; lb: string };

/** One target group being judged, with what its targets' findings share. */
interface GroupCtx {
  tg: TargetGroup;
  lb: LoadBalancer;
  owner: K8sOwner | undefined;
  tgData: TgData;
  /** the cause index, built on first use */
  causes: () => Map<string, Cause[]>;
  etpLocal: boolean;
  /** its owner unknown because the tags that name it could not be read, while it is shaped as externalTrafficPolicy Local */
  tagsGap: ModelGap | undefined;
  anyHealthy: boolean;
  /** the externalTrafficPolicy: Local no-endpoints finding is made once per group */
  noEndpointsReported: boolean;
}

/** Group-level findings (no load balancer, health not collected); true when the targets are to be judged one by one. */
function judgeGroup({ model, report }: Ctx, tg: TargetGroup, lb: LoadBalancer | undefined, tgData: TgData): boolean {
  const tgEv = { resourceId: tg.arn, pointer: tg.ptr, label: "target group" };
  if (!lb) {
    if (tg.targets.length > 0) {
      report({
        resourceId: tg.arn,
        resourceName: tg.name,
        subjects: [tg.key],
        status: "not-applicable",
        messageId: "unattached",
        data: tgData,
        evidence: [tgEv],
      });
    }
    return false;
  }
  if (!tg.healthKnown) {
    const why = `the target health was not collected${gapNote(model, [tg.arn], ["DescribeTargetHealth"])}`;
    report({
      resourceId: tg.arn,
      resourceName: tg.name,
      loadBalancerId: lb.arn,
      subjects: [tg.key],
      status: "unknown",
      messageId: "noHealth",
      data: { ...tgData, why },
      evidence: [tgEv],
    });
    return false;
  }
  return true;
}

/** What every finding about one target shares: its key, data and evidence. */
function targetCtx({ tg, lb, tgData }: GroupCtx, t: Target) {
  const hc = tg.healthCheck;
  return {
    t,
    base: {
      resourceId: targetResourceId(t),
      resourceName: targetResourceName(t),
      loadBalancerId: lb.arn,
      key: `${tg.name}|${t.id}:${t.port ?? ""}`,
      subjects: targetSubjects(t),
    },
    state: healthState(t.state),
    reason: targetHealthReason(t.reason),
    data: {
      ...tgData,
      target: targetLabel(t),
      state: t.state ?? "?",
      reason: t.reason ?? "no reason code",
      meaning: reasonMeaning(t.state, t.reason),
      description: t.description ? ` ("${t.description}")` : "",
      port: t.healthCheckPort ?? hc.portSpec,
      timeout: hc.timeoutSeconds !== undefined ? `the ${hc.timeoutSeconds} s timeout` : "the timeout",
    },
    tEv: targetEvidence(t),
    stateEv: { resourceId: tg.arn, pointer: t.statePtr, label: "target health" },
    reasonEv: { resourceId: tg.arn, pointer: `${t.ptr}/TargetHealth`, label: `health of ${t.id}` },
  };
}
type TargetCtx = ReturnType<typeof targetCtx>;

/** One target: healthy, still initial, not checked, or failing (by design under externalTrafficPolicy Local, timing out, or otherwise). */
function judgeTarget(ctx: Ctx, g: GroupCtx, t: Target): void {
  const { report } = ctx;
  const { tg, owner } = g;
  const hc = tg.healthCheck;
  const tc = targetCtx(g, t);
  const { base, state, reason, data, tEv, stateEv, reasonEv } = tc;
  if (!state) {
    const why = t.state ? `its state '${t.state}' is not a documented one` : "its health entry has no state";
    report({ ...base, status: "unknown", messageId: "noState", data: { ...data, why }, evidence: [tEv] });
    return;
  }
  if (state === "healthy") {
    report({ ...base, status: "pass", messageId: "healthy", data, evidence: [stateEv] });
    return;
  }
  if (state === "initial") {
    const wait =
      hc.intervalSeconds !== undefined && hc.healthyThreshold !== undefined
        ? `${hc.intervalSeconds * hc.healthyThreshold} s (interval ${hc.intervalSeconds} s × healthy threshold ${hc.healthyThreshold})`
        : "a few health-check intervals";
    report({ ...base, status: "unknown", messageId: "initial", data: { ...data, wait }, evidence: [reasonEv] });
    return;
  }
  if (state === "draining" || (state === "unavailable" && reason?.code !== "Elb.InternalError")) {
    report({ ...base, status: "not-applicable", messageId: "notChecked", data, evidence: [reasonEv] });
    return;
  }
  if (state === "unavailable") {
    report({ ...base, status: "unknown", messageId: "noState", data: { ...data, why: data.meaning }, evidence: [reasonEv] });
    return;
  }
  const severity: Severity = reason?.code === "Target.NotRegistered" ? "medium" : g.anyHealthy ? "high" : "critical";
  const { fails, unknowns } = causesOf(g.causes(), t, reason?.causes ?? []);
  const cause = fails[0];
  const code = t.reason?.toLowerCase();
  if (g.etpLocal && owner && !cause && (code === MISMATCH || code === FAILED)) judgeEtpLocal(ctx, g, owner, tc);
  // a 503 is a response: no network cause stands against by-design; a failed check with a cause found is that cause
  else if (g.tagsGap && (code === MISMATCH || (code === FAILED && !cause))) {
    const gap = g.tagsGap;
    const port = g.tg.healthCheck.port;
    ctx.report({
      ...tc.base,
      status: "unknown",
      messageId: "etpLocalUndecided",
      data: { ...tc.data, port, gap: `${gap.operation}${gap.code ? `: ${gap.code}` : ""}` },
      evidence: [tc.reasonEv, { resourceId: g.tg.arn, pointer: g.tg.healthCheck.portPtr, label: "health-check port (a NodePort)" }],
    });
  } else if (code === TIMEOUT) reportTimeout(ctx, g, tc, severity, cause, unknowns[0]);
  else reportUnhealthy(ctx, g, tc, severity, cause);
}

/** externalTrafficPolicy: Local: nodes without a ready pod fail the healthCheckNodePort probe on purpose; none passing means no endpoints. */
function judgeEtpLocal({ report }: Ctx, g: GroupCtx, owner: K8sOwner, { base, data, reasonEv }: TargetCtx): void {
  const { tg } = g;
  const healthy = tg.targets.filter(isHealthy).length;
  if (healthy > 0) {
    report({ ...base, status: "not-applicable", messageId: "etpLocalByDesign", data: { ...data, healthy }, evidence: [reasonEv] });
    return;
  }
  if (g.noEndpointsReported) return;
  g.noEndpointsReported = true;
  const failing = tg.targets.filter((x) => [MISMATCH, FAILED].includes(x.reason?.toLowerCase() ?? ""));
  report({
    ...base,
    key: `${tg.name}|no-endpoints`,
    resourceId: tg.arn,
    resourceName: tg.name,
    subjects: [tg.key, ...failing.flatMap(targetSubjects)],
    severity: "critical",
    status: "fail",
    messageId: "etpLocalNoEndpoints",
    data: { ...data, count: failing.length },
    evidence: uniq([
      { resourceId: tg.arn, pointer: tg.healthCheck.portPtr, label: "health-check port (healthCheckNodePort)" },
      ...failing.slice(0, 4).map((x) => ({ resourceId: tg.arn, pointer: `${x.ptr}/TargetHealth`, label: `health of ${x.id}` })),
      { resourceId: tg.arn, pointer: owner.ptr, label: "Kubernetes owner (tag)" },
    ]),
    remediation: {
      summary: `Find out why ${owner.service ? `Service ${owner.service.namespace}/${owner.service.name}` : "the Service"} has no ready pod on any node (pods pending, crashing or failing readiness; a selector that matches nothing) and fix that in the cluster; the load balancer's settings are right.`,
      commands: etpLocalCommands(owner),
    },
  });
}

/** Target.Timeout: blocked on the path (a cause found), or open with the listener or host firewall to check on the instance. */
function reportTimeout(
  { model, report }: Ctx,
  { tg }: GroupCtx,
  { t, base, data, reasonEv }: TargetCtx,
  severity: Severity,
  cause: Cause | undefined,
  undecided: Cause | undefined,
): void {
  const hc = tg.healthCheck;
  const hcPortEv = { resourceId: tg.arn, pointer: hc.portPtr, label: `health-check port (${hc.portSpec})` };
  if (cause) {
    report({
      ...base,
      severity,
      status: "fail",
      messageId: "timeoutBlocked",
      data: { ...data, cause: causeText(cause) },
      evidence: uniq([reasonEv, hcPortEv, ...cause.evidence.slice(0, 3)]),
      remediation: remediationFor(tg, t, cause, ""),
    });
    return;
  }
  const suspect = guestSuspect(model, t, t.healthCheckPort);
  report({
    ...base,
    severity,
    status: "fail",
    messageId: undecided ? "timeoutUndecided" : "timeoutOpen",
    data: { ...data, suspect: suspect.text, why: undecided ? causeText(undecided) : "" },
    evidence: [reasonEv, hcPortEv, ...suspect.ev],
    remediation: remediationFor(
      tg,
      t,
      undefined,
      `${undecided ? "Decide the open question first (see the unknown finding), then check" : "Check"} on ${t.instance?.id ?? t.id} that the application listens on port ${t.healthCheckPort ?? hc.portSpec} on all addresses and that no host firewall drops the load balancer's checks; then re-read the target's health.`,
    ),
  });
}

/** Any other failing reason: the cause found, the guest check's suspicion, or the reason code's next step. */
function reportUnhealthy(
  { model, report }: Ctx,
  { tg }: GroupCtx,
  { t, base, data, state, reason, tEv, reasonEv }: TargetCtx,
  severity: Severity,
  cause: Cause | undefined,
): void {
  const code = t.reason?.toLowerCase();
  let next: string;
  let ev: Evidence[] = [];
  if (cause) next = `Cause: ${causeText(cause)}.`;
  else if (code === FAILED) {
    const suspect = guestSuspect(model, t, t.healthCheckPort);
    next = suspect.known ? `Next: ${suspect.text}.` : `Next: ${reason?.next}.`;
    ev = suspect.ev;
  } else next = reason ? `Next: ${reason.next}.` : "Next: look the reason code up in the target health documentation.";
  report({
    ...base,
    severity,
    status: "fail",
    messageId: state === "unused" ? "unused" : "unhealthy",
    data: { ...data, next },
    evidence: uniq([reasonEv, tEv, ...ev, ...(cause ? cause.evidence.slice(0, 2) : [])]),
    remediation: remediationFor(
      tg,
      t,
      cause,
      `${reason ? `${reason.code}: ${reason.next}.` : "Look the reason code up in the target health documentation."}`,
    ),
  });
}
