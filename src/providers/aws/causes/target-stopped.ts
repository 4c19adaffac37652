/**
 * The check behind aws/target-stopped, in the provider's folder so that aws/targets-unhealthy can read the same
 * results as the cause of a target's health (see causes.ts). A rule never runs another rule.
 */
import type { Remediation, RuleContext } from "../../../core/engine/types.ts";
import { plural } from "../../../core/util/words.ts";
import type { CauseCheck } from "../causes.ts";
import type { AwsModel, Instance, Target, TargetGroup } from "../model.ts";
import { gapNote, sh, targetEvidence, targetLabel, targetResourceId, targetResourceName, targetSubjects } from "../rule-helpers.ts";
import { asgRegisteredTargets, servedGroups, targetArg } from "../target-facts.ts";

const STOPPED = new Set(["stopping", "stopped"]);
const GONE = new Set(["shutting-down", "terminated"]);
const UP = new Set(["running", "pending"]);

function down(t: Target): boolean {
  const s = t.instance?.state;
  return s !== undefined && (STOPPED.has(s) || GONE.has(s));
}

function fix(tg: TargetGroup, t: Target, inst: Instance | undefined, state: string): Remediation {
  const asg = inst?.asg;
  if (inst && STOPPED.has(state)) {
    return {
      summary: `Start ${inst.id}${asg ? `, or let Auto Scaling group ${asg.name} replace it (a stopped instance fails the EC2 status check; if nothing replaces it, check the group's suspended processes)` : ""}.`,
      commands: [
        `aws ec2 start-instances --instance-ids ${sh(inst.id)}`,
        ...(asg
          ? [
              `aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${sh(asg.name)} --query 'AutoScalingGroups[0].SuspendedProcesses'`,
            ]
          : []),
      ],
    };
  }
  return {
    summary: `Deregister ${t.id} from ${tg.name}${asg ? ` (Auto Scaling group ${asg.name} registers its replacement)` : ", and register a running instance in its place"}.`,
    commands: [`aws elbv2 deregister-targets --target-group-arn ${sh(tg.arn)} --targets ${targetArg(t)}`],
  };
}

export const messages = {
  stopped:
    "Target {{target}} of target group {{targetGroup}} ({{lb}}) is {{state}}: it serves no traffic. Target health: {{health}}.{{asg}}",
  gone: "Target {{target}} of target group {{targetGroup}} ({{lb}}) is not in the instance list and its health reason is {{reason}} (stopped or terminated): it was most likely terminated and is still registered.",
  running: "Target {{target}} of target group {{targetGroup}} ({{lb}}) is {{state}}.",
  missing: "Cannot tell whether target {{target}} of target group {{targetGroup}} ({{lb}}) is running: {{reason}}.",
  notInstance:
    "Target {{target}} of target group {{targetGroup}} is a {{kind}} target with no EC2 instance in the snapshot: it has no instance state.",
};

export function check({ model, report }: RuleContext<AwsModel>): void {
  for (const { lb, tg } of servedGroups(model)) {
    // without DescribeTargetHealth, the in-service instances its Auto Scaling groups register are still known targets
    const targets = tg.healthKnown ? tg.targets : asgRegisteredTargets(tg);
    const running = targets.filter((t) => t.instance?.state === "running" || t.state === "healthy").length;
    for (const t of targets) {
      const inst = t.instance;
      const base = {
        resourceId: targetResourceId(t),
        resourceName: targetResourceName(t),
        loadBalancerId: lb.arn,
        key: `${tg.name}|${t.id}:${t.port ?? ""}`,
        subjects: targetSubjects(t),
      };
      const data = {
        target: targetLabel(t),
        targetGroup: tg.name,
        lb: lb.name,
        kind: t.kind,
        state: inst?.state ?? "?",
        health: t.state
          ? `${t.state}${t.reason ? ` (${t.reason})` : ""}`
          : t.registeredBy
            ? `not collected (Auto Scaling group ${t.registeredBy.name} registers it)`
            : "not reported",
        reason: t.reason ?? "",
      };
      const tEv = targetEvidence(t);
      const healthEv = t.registeredBy
        ? { resourceId: t.registeredBy.arn ?? t.registeredBy.name, pointer: t.ptr, label: `in-service instance of ${t.registeredBy.name}` }
        : { resourceId: tg.arn, pointer: t.statePtr, label: "target health" };
      const severity = running === 0 ? ("critical" as const) : undefined;
      if (!inst) {
        if (t.kind !== "instance") {
          report({ ...base, status: "not-applicable", messageId: "notInstance", data, evidence: [tEv] });
        } else if (t.reason?.toLowerCase() === "target.invalidstate" && model.collected.instances) {
          report({
            ...base,
            ...(severity ? { severity } : {}),
            status: "fail",
            messageId: "gone",
            data,
            evidence: [
              tEv,
              { resourceId: tg.arn, pointer: `${t.ptr}/TargetHealth/Reason`, label: "health reason" },
              {
                resourceId: t.id,
                pointer: "/ec2/Instances",
                label: "instance list",
                value: `${plural(model.instances.length, "instance")}, ${t.id} not among them`,
              },
            ],
            remediation: fix(tg, t, undefined, "terminated"),
          });
        } else {
          const reason = `instance ${t.id} is not in the snapshot${gapNote(model, [t.id], ["DescribeInstances"])}`;
          report({ ...base, status: "unknown", messageId: "missing", data: { ...data, reason }, evidence: [tEv] });
        }
        continue;
      }
      const instEv = { resourceId: inst.id, pointer: inst.statePtr, label: "instance state" };
      if (down(t)) {
        report({
          ...base,
          ...(severity ? { severity } : {}),
          status: "fail",
          messageId: "stopped",
          data: { ...data, asg: inst.asg ? ` It belongs to Auto Scaling group ${inst.asg.name}.` : "" },
          evidence: [instEv, healthEv, tEv],
          remediation: fix(tg, t, inst, inst.state as string),
        });
      } else if (inst.state && UP.has(inst.state)) {
        report({ ...base, status: "pass", messageId: "running", data, evidence: [instEv] });
      } else {
        const reason = inst.state
          ? `its state '${inst.state}' is not a documented instance state`
          : "the instance has no State.Name in the snapshot";
        report({ ...base, status: "unknown", messageId: "missing", data: { ...data, reason }, evidence: [instEv, tEv] });
      }
    }
  }
}

export const targetStoppedCause: CauseCheck = { ruleId: "aws/target-stopped", messages, check };
