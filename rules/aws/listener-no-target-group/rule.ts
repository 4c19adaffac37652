import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, Remediation } from "../../../src/core/engine/types.ts";
import { compareText } from "../../../src/core/util/collate.ts";
import type { Action, AwsModel, ForwardTarget, Listener, LoadBalancer, TargetGroup } from "../../../src/providers/aws/model.ts";
import { gapNote, jsonForCommand, listenerName, listensOn, placeholder, sh, unsafeValue } from "../../../src/providers/aws/rule-helpers.ts";

const ALB_PROTOCOLS = new Set(["HTTP", "HTTPS"]);

/** A target group of the load balancer's VPC that could take the listener's traffic: one it already uses, with targets, first. */
function candidate(model: AwsModel, lb: LoadBalancer): TargetGroup | undefined {
  const fits = (tg: TargetGroup) => {
    const p = (tg.protocol ?? "").toUpperCase();
    if (tg.targetType === "lambda") return lb.type === "application";
    return lb.type === "application"
      ? ALB_PROTOCOLS.has(p)
      : lb.type === "network"
        ? !ALB_PROTOCOLS.has(p) && p !== "GENEVE"
        : p === "GENEVE";
  };
  const pool = model.targetGroups.filter(
    (tg) => fits(tg) && (!tg.vpcId || !lb.vpcId || tg.vpcId === lb.vpcId) && tg.loadBalancers.every((x) => x === lb),
  );
  const score = (tg: TargetGroup) => (tg.loadBalancers.includes(lb) ? 2 : 0) + (tg.targets.length > 0 ? 1 : 0);
  return [...pool].sort((a, b) => score(b) - score(a) || compareText(a.name, b.name))[0];
}

function protocolFor(l: Listener, lb: LoadBalancer): string {
  const p = (l.protocol ?? "").toUpperCase();
  if (lb.type === "application") return "HTTP";
  if (p === "TLS") return "TCP";
  return p || "TCP";
}

function pointTo(model: AwsModel, l: Listener, lb: LoadBalancer, extra: number): Remediation {
  const tg = candidate(model, lb);
  const keep =
    extra > 0
      ? ` Add back the listener's other ${extra} default action${extra > 1 ? "s" : ""} (authentication) to --default-actions: it replaces the list.`
      : "";
  if (tg) {
    return {
      summary: `Forward the default action of ${listenerName(lb, l)} to ${tg.name}${tg.targets.length > 0 ? ` (${tg.targets.length} registered targets)` : ""}, or to the group that should serve it.${keep}`,
      // JSON, not the CLI's shorthand (Type=forward,TargetGroupArn=…), whose commas and `=` the CLI would parse in a snapshot value
      commands: [
        `aws elbv2 modify-listener --listener-arn ${sh(l.arn)} --default-actions ${sh(jsonForCommand([{ Type: "forward", TargetGroupArn: tg.arn }]))}`,
      ],
    };
  }
  const port = l.port ?? 80;
  return {
    summary: `Create a target group for ${lb.name}:${port}, register its targets, and forward the listener's default action to it.${keep}`,
    commands: [
      `aws elbv2 create-target-group --name ${sh(`${lb.name}-${port}`.slice(0, 32))} --protocol ${sh(protocolFor(l, lb))} --port ${sh(port)} --vpc-id ${lb.vpcId ? sh(lb.vpcId) : placeholder("vpc-id")} --target-type instance`,
      `aws elbv2 modify-listener --listener-arn ${sh(l.arn)} --default-actions ${sh("Type=forward,TargetGroupArn=<new-target-group-arn>")}`,
    ],
  };
}

function reweigh(l: Listener, lb: LoadBalancer, fw: ForwardTarget[], extra: number): Remediation {
  const best = [...fw].sort((a, b) => (b.targetGroup?.targets.length ?? 0) - (a.targetGroup?.targets.length ?? 0))[0];
  // a value that cannot be printed safely stays out of the JSON too
  const groups = fw.map((f) => ({
    TargetGroupArn: unsafeValue(f.targetGroupArn) ? "<target-group-arn>" : f.targetGroupArn,
    Weight: f === best ? 1 : (f.weight ?? 0),
  }));
  const json = JSON.stringify([{ Type: "forward", ForwardConfig: { TargetGroups: groups } }]);
  const keep =
    extra > 0
      ? ` Add back the listener's other default action${extra > 1 ? "s" : ""} (authentication): --default-actions replaces the list.`
      : "";
  return {
    summary: `Give ${best?.targetGroup?.name ?? best?.targetGroupArn} a weight above 0 in the default action of ${listenerName(lb, l)}.${keep}`,
    commands: [`aws elbv2 modify-listener --listener-arn ${sh(l.arn)} --default-actions ${sh(json)}`],
  };
}

export default defineRule<AwsModel>({
  id: "aws/listener-no-target-group",
  provider: "aws",
  severity: "critical",
  reads: ["aws:listeners", "aws:targetGroups"],
  title: "A listener's default action forwards to nothing usable",
  description:
    "A listener's default action handles every request no listener rule matches (on a Network Load Balancer, every connection). A " +
    "`forward` that names no target group, names one the snapshot does not hold (deleted, or never created in this account and " +
    "region), or spreads traffic over weighted groups that all have weight 0 sends nowhere: an Application Load Balancer answers " +
    "HTTP 503, a Network Load Balancer resets the connections. A default action that redirects or returns a fixed response is out " +
    "of scope. A target group missing from a snapshot whose target group list is incomplete is unknown, not a failure.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html",
      title: "Listener rules for your Application Load Balancer - ELB",
    },
    {
      url: "https://docs.amazonaws.cn/en_us/elasticloadbalancing/latest/application/edit-rule.html",
      title: "Edit a listener rule for your Application Load Balancer - ELB",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Application Load Balancers",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteTargetGroup.html",
      title: "DeleteTargetGroup - Elastic Load Balancing API Reference",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#listener-rules",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-503-issues",
    "https://docs.aws.amazon.com/cli/latest/reference/elbv2/modify-listener.html",
  ],
  messages: {
    noGroup: "Listener {{listener}} ({{listens}}) of {{lb}} has a forward default action that names no target group: {{effect}}.",
    missing:
      "Listener {{listener}} ({{listens}}) of {{lb}} forwards by default to {{groups}}, which the snapshot does not hold{{detail}}. AWS refuses to delete a target group an action references, so it exists: the snapshot missed it (a collection gap), and whether it serves is unknown.{{held}}",
    zeroWeight:
      "Listener {{listener}} ({{listens}}) of {{lb}} forwards by default to {{groups}}, all with weight 0: no group receives traffic, {{effect}}.",
    forwards: "Listener {{listener}} ({{listens}}) of {{lb}} forwards by default to {{groups}}.",
    notForward: "Listener {{listener}} ({{listens}}) of {{lb}} does not forward by default ({{action}}).",
    undecidable: "Cannot tell whether listener {{listener}} ({{listens}}) of {{lb}} forwards to a usable target group: {{reason}}.",
  },
  remediation:
    "Point the default action at a target group that exists and has targets (`aws elbv2 modify-listener --default-actions " +
    "Type=forward,TargetGroupArn=…`), or give one of the weighted groups a weight above 0.",
  check({ model, report }) {
    for (const l of model.listeners) {
      const lb = l.lb;
      if (!lb) continue;
      const name = listenerName(lb, l);
      const base = { resourceId: l.arn, resourceName: name, loadBalancerId: lb.arn, subjects: [l.key] };
      const data = { listener: name, lb: lb.name, listens: listensOn(l) };
      const lEv = { resourceId: l.arn, pointer: `${l.ptr}/DefaultActions`, label: "default actions" };
      const effect =
        lb.type === "application" ? "every request it does not route by a rule gets HTTP 503" : "its connections have nowhere to go";
      const forward: Action | undefined = l.defaultActions.find((a) => a.type.toLowerCase() === "forward");
      if (l.defaultActions.length === 0) {
        report({
          ...base,
          status: "unknown",
          messageId: "undecidable",
          data: { ...data, reason: "the snapshot lists no default action for it" },
          evidence: [lEv],
        });
        continue;
      }
      if (!forward) {
        const terminal = l.defaultActions.find((a) => !a.type.toLowerCase().startsWith("authenticate")) ?? l.defaultActions[0];
        report({
          ...base,
          status: "not-applicable",
          messageId: "notForward",
          data: { ...data, action: terminal?.type ?? "?" },
          evidence: [lEv],
        });
        continue;
      }
      const extra = l.defaultActions.length - 1;
      const fEv: Evidence = { resourceId: l.arn, pointer: forward.ptr, label: "forward action" };
      const fw = forward.forwards;
      const groupsText = (xs: ForwardTarget[]) =>
        xs
          .map((f) => `${f.targetGroup?.name ?? f.targetGroupArn}${f.weight !== undefined && fw.length > 1 ? ` (weight ${f.weight})` : ""}`)
          .join(", ");
      if (fw.length === 0) {
        report({
          ...base,
          status: "fail",
          messageId: "noGroup",
          data: { ...data, effect },
          evidence: [fEv],
          remediation: pointTo(model, l, lb, extra),
        });
        continue;
      }
      const usable = fw.filter((f) => f.targetGroup && f.weight !== 0);
      if (usable.length > 0) {
        report({
          ...base,
          status: "pass",
          messageId: "forwards",
          data: { ...data, groups: groupsText(fw) },
          evidence: usable.map((f) => ({ resourceId: l.arn, pointer: f.ptr, label: "forward target" })),
        });
        continue;
      }
      const missing = fw.filter((f) => !f.targetGroup);
      const fwEv = fw.map((f) => ({
        resourceId: l.arn,
        pointer: f.ptr,
        label: f.targetGroup ? `${f.targetGroup.name} (weight ${f.weight ?? "?"})` : `${f.targetGroupArn} (not in the snapshot)`,
      }));
      if (missing.length > 0) {
        // AWS refuses to delete a target group an action references: it exists, the snapshot missed it
        const held = fw.filter((f) => f.targetGroup);
        report({
          ...base,
          status: "unknown",
          messageId: "missing",
          data: {
            ...data,
            groups: missing.map((m) => m.targetGroupArn).join(", "),
            detail: gapNote(
              model,
              missing.map((m) => m.targetGroupArn),
              ["DescribeTargetGroups"],
            ),
            held: held.length > 0 ? ` The groups it does hold, ${groupsText(held)}, have weight 0.` : "",
          },
          evidence: [
            ...fwEv,
            {
              resourceId: l.arn,
              pointer: "/elbv2/TargetGroups",
              label: "target groups",
              value: `${model.targetGroups.length} target groups, none of them ${missing[0]?.targetGroupArn}`,
            },
          ],
        });
        continue;
      }
      report({
        ...base,
        status: "fail",
        messageId: "zeroWeight",
        data: { ...data, groups: groupsText(fw), effect },
        evidence: fwEv,
        remediation: reweigh(l, lb, fw, extra),
      });
    }
  },
});
