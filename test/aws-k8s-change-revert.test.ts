/**
 * aws/change-before-failure and the timeline on a target group the AWS Load Balancer Controller owns: a target
 * (de)registration recorded by CloudTrail is not undone with a raw `aws elbv2 register-targets` (the controller
 * reconciles the group's targets from the workload); it is routed the Kubernetes way, as k8sRemediation routes fixes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import rule from "../rules/aws/change-before-failure/rule.ts";
import { runRules } from "../src/core/engine/run.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import { narrowAwsModel } from "../src/providers/aws/narrow.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { ids } from "./support/aws-builder.ts";
import { cloudtrailEvent } from "./support/time-builder.ts";
import { albWithTime, dropAt } from "./support/time-scenarios.ts";

const CONTROLLER_TAGS = [
  { Key: "elbv2.k8s.aws/cluster", Value: "prod" },
  { Key: "service.k8s.aws/stack", Value: "shop/web" },
  { Key: "service.k8s.aws/resource", Value: "shop/web:80" },
];

function deregistered(operation: "DeregisterTargets" | "RegisterTargets", tagged: boolean): AwsSnapshot {
  const s = albWithTime({
    zones: { a: dropAt(50), b: "U".repeat(90) },
    events: [
      cloudtrailEvent({
        name: operation,
        time: "2026-03-14T03:19:00Z",
        source: "elasticloadbalancing.amazonaws.com",
        request: { targetGroupArn: ids.tg.web, targets: [{ id: ids.instance.web1, port: 80 }] },
      }),
    ],
  });
  if (tagged) s.elbv2.Tags = { [ids.tg.web]: CONTROLLER_TAGS };
  return s;
}

const failOf = (s: AwsSnapshot) => {
  const fails = runRules(buildAwsModel(s), [rule]).filter((f) => f.status === "fail");
  assert.equal(fails.length, 1, JSON.stringify(fails.map((f) => f.message)));
  return fails[0] as (typeof fails)[number];
};

describe("a target registration change on a group the AWS Load Balancer Controller owns", () => {
  it("the fix is the controller's way: no raw register-targets, a Kubernetes note and a read-only kubectl", () => {
    const f = failOf(deregistered("DeregisterTargets", true));
    const commands = f.remediation?.commands ?? [];
    assert.ok(!commands.some((c) => /\baws elbv2 (de)?register-targets\b/.test(c)), commands.join("\n"));
    assert.match(f.remediation?.summary ?? "", /Kubernetes Service shop\/web .*registers the targets itself/);
    assert.deepEqual(commands, ["kubectl get targetgroupbindings.elbv2.k8s.aws --namespace shop --output wide"]);
  });

  it("the timeline's revert is dropped and the change says why, in the model and in a narrowed model", () => {
    const snapshot = deregistered("DeregisterTargets", true);
    // two regions in scope, so that narrowing to one reads the time data again
    snapshot.scope = { ...snapshot.scope, regions: ["us-east-1", "eu-west-1"] };
    const model = buildAwsModel(snapshot);
    const change = model.time?.changes.find((c) => c.operation === "DeregisterTargets");
    assert.ok(change);
    assert.deepEqual(change.revert, []);
    assert.match(change.summary, /registers this group's targets itself/);
    const narrowed = narrowAwsModel(model, { loadBalancerIds: [ids.lb.alb], groups: [] });
    assert.ok(narrowed);
    const again = narrowed?.time?.changes.find((c) => c.operation === "DeregisterTargets");
    assert.ok(again);
    assert.deepEqual(again.revert, []);
  });

  it("a registration by hand is routed the same way (its revert would be deregister-targets)", () => {
    const model = buildAwsModel(deregistered("RegisterTargets", true));
    assert.deepEqual(model.time?.changes.find((c) => c.operation === "RegisterTargets")?.revert, []);
  });

  it("a group nobody in Kubernetes owns keeps the raw revert, quoted", () => {
    const f = failOf(deregistered("DeregisterTargets", false));
    assert.deepEqual(f.remediation?.commands, [
      `aws elbv2 register-targets --target-group-arn ${ids.tg.web} --targets '[{"Id":"${ids.instance.web1}","Port":80}]'`,
    ]);
    const model = buildAwsModel(deregistered("DeregisterTargets", false));
    assert.equal(model.time?.changes.find((c) => c.operation === "DeregisterTargets")?.revert.length, 1);
  });
});
