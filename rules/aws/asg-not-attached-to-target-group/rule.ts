import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { k8sOwnerOfGroup, tagsCollected } from "../../../src/providers/aws/kubernetes.ts";
import type { AutoScalingGroup, AwsModel, Target, TargetGroup } from "../../../src/providers/aws/model.ts";
import { jsonForCommand, sh } from "../../../src/providers/aws/rule-helpers.ts";

/** The target groups an Auto Scaling group is attached to: TargetGroupARNs and the elbv2 TrafficSources (AttachTrafficSources). */
function attachedArns(asg: AutoScalingGroup): Set<string> {
  const sources = Array.isArray(asg.raw.TrafficSources) ? (asg.raw.TrafficSources as Array<{ Identifier?: unknown; Type?: unknown }>) : [];
  return new Set(
    [...asg.targetGroupArns, ...sources.filter((s) => s.Type === undefined || s.Type === "elbv2").map((s) => s.Identifier)]
      .filter((a): a is string => typeof a === "string")
      .map((a) => a.toLowerCase()),
  );
}

interface ByHand {
  tg: TargetGroup;
  targets: Target[];
  /** in-service instances of the group that the target group does not hold */
  missing: string[];
}

export default defineRule<AwsModel>({
  id: "aws/asg-not-attached-to-target-group",
  provider: "aws",
  severity: "medium",
  reads: ["aws:autoscaling", "aws:targetGroups", "aws:targetHealth"],
  title: "Auto Scaling group's instances registered in a target group by hand",
  description:
    "An Auto Scaling group registers its instances in the target groups attached to it: each instance it launches (scale-out, " +
    "replacement of an unhealthy one, instance refresh) is registered, and each it terminates is deregistered first. Instances of " +
    "a group registered in a target group that is not attached to the group were registered by hand or by a script: the next " +
    "instances the group launches never receive traffic, and the ones it terminates stay registered until their health checks " +
    "fail. After a few scaling events the target group serves with fewer, or no, instances while the group looks healthy. Target " +
    "groups that Kubernetes (the AWS Load Balancer Controller) or a service with dynamic ports (ECS) registers into are not judged. " +
    "Severity is medium, high when in-service instances of the group are already missing from the target group.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-load-balancer.html",
      title: "Use Elastic Load Balancing to distribute incoming application traffic in your Auto Scaling group - Amazon EC2 Auto Scaling",
    },
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/attach-load-balancer-asg.html",
      title: "Attach an Elastic Load Balancing load balancer to your Auto Scaling group - Amazon EC2 Auto Scaling",
    },
    {
      url: "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AttachTrafficSources.html",
      title: "AttachTrafficSources - Amazon EC2 Auto Scaling API Reference",
    },
  ],
  references: ["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-register-targets.html"],
  messages: {
    byHand:
      "Instances of Auto Scaling group {{asg}} ({{targets}}) are registered in target group {{targetGroup}}, which is not attached to the group: instances it launches are never registered there, and those it terminates are not deregistered{{missing}}.",
    attached: "Auto Scaling group {{asg}} registers its instances in the target groups attached to it ({{targetGroups}}).",
    noTargets: "No instance of Auto Scaling group {{asg}} is registered in a target group of the snapshot.",
    managed: "Instances of Auto Scaling group {{asg}} in target group {{targetGroup}} are registered by {{by}}, not by the group.",
    tagsUnknown:
      "Instances of Auto Scaling group {{asg}} are registered in target group {{targetGroup}}, which is not attached to the group; the target group's tags were not collected, so whether a Kubernetes controller registers them is not known.",
  },
  remediation:
    "Attach the target group to the Auto Scaling group (`aws autoscaling attach-traffic-sources --traffic-sources " +
    "Identifier=<target-group-arn>,Type=elbv2`), so that it registers and deregisters its instances itself; stop the script that " +
    "registers them.",
  check({ model, report }) {
    for (const asg of model.autoScalingGroups) {
      const asgId = asg.arn ?? asg.name;
      const base = { resourceId: asgId, resourceName: asg.name, subjects: [asg.key] };
      const attached = attachedArns(asg);
      const mine = new Set(asg.instances.map((i) => i.instanceId.toLowerCase()));
      const inService = asg.instances.filter((i) => (i.lifecycleState ?? "InService") === "InService").map((i) => i.instanceId);
      const byHand: ByHand[] = [];
      let registered = false;
      for (const tg of model.targetGroups) {
        const targets = tg.targets.filter((t) => !t.registeredBy && t.kind === "instance" && mine.has(t.id.toLowerCase()));
        if (targets.length === 0) continue;
        registered = true;
        if (attached.has(tg.arn.toLowerCase())) continue;
        const held = new Set(targets.map((t) => t.id.toLowerCase()));
        byHand.push({ tg, targets, missing: inService.filter((id) => !held.has(id.toLowerCase())) });
      }
      if (!registered) {
        report({
          ...base,
          status: "not-applicable",
          messageId: "noTargets",
          data: { asg: asg.name },
          evidence: [{ resourceId: asgId, pointer: asg.ptr, label: "Auto Scaling group" }],
        });
        continue;
      }
      if (byHand.length === 0) {
        report({
          ...base,
          status: "pass",
          messageId: "attached",
          data: { asg: asg.name, targetGroups: asg.targetGroups.map((t) => t.name).join(", ") || [...attached].join(", ") },
          evidence: [{ resourceId: asgId, pointer: `${asg.ptr}/TargetGroupARNs`, label: "attached target groups" }],
        });
        continue;
      }
      for (const { tg, targets, missing } of byHand) {
        const key = tg.arn;
        const lbId = tg.loadBalancers[0]?.arn;
        const withLb = lbId ? { loadBalancerId: lbId } : {};
        const data = { asg: asg.name, targetGroup: tg.name, targets: targets.map((t) => t.id).join(", ") };
        const targetEv = targets.map((t) => ({ resourceId: tg.arn, pointer: t.ptr, label: `registered target ${t.id}` }));
        const owner = k8sOwnerOfGroup(model, tg);
        // ECS (bridge networking) registers container instances on dynamic host ports, not the group's port
        const dynamicPorts = tg.port !== undefined && targets.some((t) => t.port !== undefined && t.port !== tg.port);
        if (owner || dynamicPorts) {
          const by = owner ? `Kubernetes (${owner.controller})` : "a service with dynamic host ports (such as ECS)";
          report({ ...base, ...withLb, key, status: "not-applicable", messageId: "managed", data: { ...data, by }, evidence: targetEv });
          continue;
        }
        if (!tagsCollected(model)) {
          report({ ...base, ...withLb, key, status: "unknown", messageId: "tagsUnknown", data, evidence: targetEv });
          continue;
        }
        const missingNote =
          missing.length > 0
            ? `; already ${missing.join(", ")}, in service in the group, ${missing.length === 1 ? "is" : "are"} missing from it`
            : "";
        report({
          ...base,
          ...withLb,
          key,
          subjects: [asg.key, tg.key],
          status: "fail",
          severity: missing.length > 0 ? "high" : "medium",
          messageId: "byHand",
          data: { ...data, missing: missingNote },
          evidence: [{ resourceId: asgId, pointer: `${asg.ptr}/TargetGroupARNs`, label: "attached target groups" }, ...targetEv],
          remediation: {
            summary: `Attach ${tg.name} to ${asg.name}, so that the group registers the instances it launches and deregisters those it terminates.`,
            commands: [
              `aws autoscaling attach-traffic-sources --auto-scaling-group-name ${sh(asg.name)} --traffic-sources ${sh(jsonForCommand([{ Identifier: tg.arn, Type: "elbv2" }]))}`,
            ],
          },
        });
      }
    }
  },
});
