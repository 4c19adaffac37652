import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AwsSnapshot } from "../../../src/providers/aws/wire-types.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/asg-grace-period-too-short details", () => {
  it("states the documented lower bound (one interval + timeout) and proposes at least the console default", () => {
    const c = cases.invalid[0];
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
    assert.ok(f);
    assert.match(f.message, /grace period of 0 s/);
    assert.match(f.message, /at least 35 s \(one 30 s interval plus the 5 s timeout\)/);
    assert.match(f.message, /60 s after registration/);
    assert.deepEqual(f.remediation?.commands, [
      "aws autoscaling update-auto-scaling-group --auto-scaling-group-name web-asg --health-check-grace-period 300",
    ]);
  });
  it("passes at the boundary: a grace period equal to interval + timeout", () => {
    const c = cases.valid[1];
    assert.ok(c);
    const snap = structuredClone(c.snapshot) as AwsSnapshot;
    const g = snap.autoscaling?.AutoScalingGroups?.[0];
    assert.ok(g);
    g.HealthCheckGracePeriod = 35;
    assert.ok(evaluateCase(rule, snap).some((f) => f.status === "pass"));
    g.HealthCheckGracePeriod = 34;
    assert.ok(evaluateCase(rule, snap).some((f) => f.status === "fail"));
  });
});
