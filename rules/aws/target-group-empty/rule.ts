import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, Remediation } from "../../../src/core/engine/types.ts";
import type { Action, AutoScalingGroup, AwsModel, Listener, LoadBalancer, TargetGroup } from "../../../src/providers/aws/model.ts";
import { gapNote, listenerName, sh } from "../../../src/providers/aws/rule-helpers.ts";
import { targetsArg } from "../../../src/providers/aws/target-facts.ts";

interface Use {
  listener: Listener;
  lb: LoadBalancer;
  where: string;
  ptr: string;
  /** the listener's whole default traffic goes to this group alone */
  whole: boolean;
}

const usable = (a: Action) => a.forwards.filter((f) => f.targetGroup && (f.weight === undefined || f.weight > 0));

/** Every target group some listener forwards to (with a weight above 0), and how. */
function uses(model: AwsModel): Map<TargetGroup, Use[]> {
  const out = new Map<TargetGroup, Use[]>();
  const add = (tg: TargetGroup, u: Use) => {
    const list = out.get(tg) ?? [];
    if (!out.has(tg)) out.set(tg, list);
    list.push(u);
  };
  for (const l of model.listeners) {
    const lb = l.lb;
    if (!lb) continue;
    const name = listenerName(lb, l);
    for (const a of l.defaultActions) {
      const fw = usable(a);
      for (const f of fw)
        add(f.targetGroup as TargetGroup, { listener: l, lb, where: `${name} (default action)`, ptr: f.ptr, whole: fw.length === 1 });
    }
    for (const r of l.rules) {
      if (r.isDefault) continue;
      for (const a of r.actions) {
        for (const f of usable(a))
          add(f.targetGroup as TargetGroup, { listener: l, lb, where: `${name} (rule ${r.priority})`, ptr: f.ptr, whole: false });
      }
    }
  }
  return out;
}

function effect(lb: LoadBalancer): string {
  if (lb.type === "application") return "requests routed to it get HTTP 503 Service Unavailable";
  if (lb.type === "network") return "connections routed to it fail: there is nothing to forward them to";
  return "traffic routed to it is dropped";
}

function fix(model: AwsModel, tg: TargetGroup): Remediation {
  const arn = sh(tg.arn);
  const port = tg.port !== undefined && tg.targetType !== "lambda" ? tg.port : undefined;
  const asg = tg.asgs[0];
  if (asg) return asgFix(tg, asg, port);
  const loose = model.autoScalingGroups.filter((g) => g.targetGroupArns.length === 0);
  const [only] = loose;
  if (loose.length === 1 && only) {
    return {
      summary: `Attach Auto Scaling group ${only.name} (it serves no target group) to ${tg.name}, so that it registers its instances, or register targets by hand.`,
      commands: [
        `aws autoscaling attach-load-balancer-target-groups --auto-scaling-group-name ${sh(only.name)} --target-group-arns ${arn}`,
      ],
    };
  }
  const id = tg.targetType === "lambda" ? "<lambda-function-arn>" : tg.targetType === "ip" ? "<ip-address>" : "<instance-id>";
  return {
    summary: `Register the targets that should serve ${tg.name}, or attach the Auto Scaling group that runs them.`,
    commands: [
      `aws elbv2 register-targets --target-group-arn ${arn} --targets ${targetsArg([{ id, ...(port !== undefined ? { port } : {}) }])}`,
    ],
  };
}

function asgFix(tg: TargetGroup, asg: AutoScalingGroup, port: number | undefined): Remediation {
  const instances = targetsArg(asg.instances.map((i) => ({ id: i.instanceId, ...(port !== undefined ? { port } : {}) })));
  const name = sh(asg.name);
  const suspended = ((asg.raw.SuspendedProcesses as Array<{ ProcessName?: string }> | undefined) ?? []).map((p) => p.ProcessName);
  if (suspended.includes("AddToLoadBalancer")) {
    return {
      summary: `Auto Scaling group ${asg.name} has the AddToLoadBalancer process suspended, so its instances are not registered in ${tg.name}: resume it and register the running instances.`,
      commands: [
        `aws autoscaling resume-processes --auto-scaling-group-name ${name} --scaling-processes AddToLoadBalancer`,
        ...(asg.instances.length > 0 ? [`aws elbv2 register-targets --target-group-arn ${sh(tg.arn)} --targets ${instances}`] : []),
      ],
    };
  }
  if (asg.instances.length === 0 || asg.desiredCapacity === 0) {
    const want = Math.max(2, asg.minSize ?? 0);
    return {
      summary: `Auto Scaling group ${asg.name} runs no instances (desired capacity ${asg.desiredCapacity ?? 0}): give it capacity, at least one instance per Availability Zone.`,
      commands: [
        `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${name} --min-size ${want} --desired-capacity ${want}${(asg.maxSize ?? 0) < want ? ` --max-size ${want}` : ""}`,
      ],
    };
  }
  return {
    summary: `Auto Scaling group ${asg.name} runs instances but none is registered in ${tg.name}: register them, and see why the group does not (its recent activities).`,
    commands: [
      `aws elbv2 register-targets --target-group-arn ${sh(tg.arn)} --targets ${instances}`,
      `aws autoscaling describe-scaling-activities --auto-scaling-group-name ${name} --max-items 5`,
    ],
  };
}

export default defineRule<AwsModel>({
  id: "aws/target-group-empty",
  provider: "aws",
  severity: "critical",
  reads: ["aws:listeners", "aws:listenerRules", "aws:targetGroups", "aws:targetHealth"],
  title: "A listener forwards to a target group with no registered targets",
  description:
    "A target group without registered targets has nothing to route to. An Application Load Balancer answers every request routed " +
    "to it with HTTP 503 Service Unavailable; a Network Load Balancer cannot complete the connections. It happens when an Auto Scaling " +
    "group is scaled to zero, is not attached to the target group (AWS's Auto Scaling tutorial attaches it so that the group registers its instances), or " +
    "has its AddToLoadBalancer process suspended, and when a new target group is wired to a listener before anything is registered. " +
    "Only target groups a listener forwards to with a weight above 0 are checked (default actions and listener rules). Severity is " +
    "critical when a listener's default action sends everything there, high when only a rule or a weighted share does.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Application Load Balancers",
    },
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/attach-load-balancer-asg.html",
      title: "Attach an Elastic Load Balancing load balancer to your Auto Scaling group - Amazon EC2 Auto Scaling",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-503-issues",
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/attach-load-balancer-asg.html",
  ],
  messages: {
    empty: "Target group {{targetGroup}} has no registered targets, but {{uses}} forwards to it: {{effect}}.{{asg}}",
    registered: "Target group {{targetGroup}} ({{uses}}) has {{count}} registered targets.",
    noHealth: "Cannot tell whether target group {{targetGroup}} ({{uses}}) has registered targets: {{reason}}.",
  },
  remediation:
    "Register targets in the group (`aws elbv2 register-targets`), or attach the Auto Scaling group that runs them " +
    "(`aws autoscaling attach-load-balancer-target-groups`) and give it capacity; otherwise point the listener at a group that has targets.",
  check({ model, report }) {
    for (const [tg, list] of uses(model)) {
      const lb = list[0]?.lb as LoadBalancer;
      const data = {
        targetGroup: tg.name,
        uses: [...new Set(list.map((u) => `listener ${u.where}`))].join(", "),
        count: tg.targets.length,
      };
      const base = {
        resourceId: tg.arn,
        resourceName: tg.name,
        loadBalancerId: lb.arn,
        subjects: [tg.key, ...list.map((u) => u.listener.key)],
      };
      const useEv: Evidence[] = list.map((u) => ({ resourceId: u.listener.arn, pointer: u.ptr, label: `forward of ${u.where}` }));
      if (!tg.healthKnown) {
        const reason = `its targets (DescribeTargetHealth) were not collected${gapNote(model, [tg.arn], ["DescribeTargetHealth"])}`;
        report({
          ...base,
          status: "unknown",
          messageId: "noHealth",
          data: { ...data, reason },
          evidence: [{ resourceId: tg.arn, pointer: tg.ptr, label: "target group" }, ...useEv],
        });
        continue;
      }
      const healthEv = { resourceId: tg.arn, pointer: tg.healthPtr as string, label: "registered targets (DescribeTargetHealth)" };
      if (tg.targets.length > 0) {
        report({ ...base, status: "pass", messageId: "registered", data, evidence: [healthEv] });
        continue;
      }
      const asg = tg.asgs[0];
      report({
        ...base,
        severity: list.some((u) => u.whole && u.where.endsWith("(default action)")) ? "critical" : "high",
        status: "fail",
        messageId: "empty",
        data: {
          ...data,
          effect: effect(lb),
          asg: asg
            ? ` Auto Scaling group ${asg.name} serves it with ${asg.instances.length} instance${asg.instances.length === 1 ? "" : "s"} (desired capacity ${asg.desiredCapacity ?? "?"}).`
            : " No Auto Scaling group serves it.",
        },
        evidence: [
          healthEv,
          ...useEv,
          ...(asg ? [{ resourceId: asg.arn ?? asg.name, pointer: asg.ptr, label: `Auto Scaling group ${asg.name}` }] : []),
        ],
        remediation: fix(model, tg),
      });
    }
  },
});
