import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import type { AwsSnapshot } from "../../../src/providers/aws/wire-types.ts";
import { ids } from "../../../test/support/aws-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/listener-no-target-group remediation", () => {
  it("--default-actions carries a snapshot target group ARN as JSON, never in the CLI's shorthand", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("a forward default action that names no target group at all"));
    assert.ok(c);
    const snap = structuredClone(c.snapshot) as AwsSnapshot;
    // a hostile ARN: in shorthand its comma would add a key of its own to the action
    const hostile = `${ids.tg.web},Type=redirect`;
    for (const tg of (snap.elbv2.TargetGroups ?? []) as Array<Record<string, unknown>>)
      if (tg.TargetGroupArn === ids.tg.web) tg.TargetGroupArn = hostile;
    const f = evaluateCase(rule, snap).find((x) => x.status === "fail" && x.messageId === "noGroup");
    const cmd = f?.remediation?.commands.find((x) => x.includes("--default-actions")) ?? "";
    const word = cmd.slice(cmd.indexOf("--default-actions ") + "--default-actions ".length);
    const r = spawnSync("sh", ["-c", `printf %s ${word}`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{ Type: "forward", TargetGroupArn: hostile }], cmd);
  });
});
