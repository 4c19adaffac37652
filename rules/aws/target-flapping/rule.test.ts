import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AwsSnapshot } from "../../../src/providers/aws/wire-types.ts";
import { ids } from "../../../test/support/aws-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/target-flapping remediation", () => {
  it("never asks for an unhealthy threshold above 10, the largest ModifyTargetGroup accepts", () => {
    const c = cases.invalid[0];
    assert.ok(c);
    const snap = structuredClone(c.snapshot) as AwsSnapshot;
    for (const tg of (snap.elbv2.TargetGroups ?? []) as Array<Record<string, unknown>>)
      if (tg.TargetGroupArn === ids.tg.web) tg.UnhealthyThresholdCount = 10;
    const f = evaluateCase(rule, snap).find((x) => x.status === "fail");
    const cmd = f?.remediation?.commands[0] ?? "";
    assert.ok(cmd.startsWith("aws elbv2 modify-target-group"), cmd);
    for (const m of cmd.matchAll(/--unhealthy-threshold-count (\d+)/g)) assert.ok(Number(m[1]) <= 10, cmd);
  });
});
