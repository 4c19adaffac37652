import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildAwsModel } from "../../../src/providers/aws/model.ts";
import type { AwsSnapshot } from "../../../src/providers/aws/wire-types.ts";
import { ids } from "../../../test/support/aws-builder.ts";
import { runCatalog } from "../../../test/support/catalog.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/zonal-shift-active details", () => {
  const first = cases.invalid[0];
  it("names the zone and its zone id, and ends the shift with quoted commands", () => {
    assert.ok(first);
    const f = evaluateCase(rule, first.snapshot).find((x) => x.status === "fail");
    assert.ok(f);
    assert.match(f.message, /away from us-east-1a \(zone id use1-az1\)/);
    assert.match(f.message, /1 healthy target\(s\) in the other zones/);
    const cmds = f.remediation?.commands ?? [];
    assert.ok(cmds.some((c) => c.startsWith(`aws arc-zonal-shift list-zonal-shifts --resource-identifier ${ids.lb.nlb} --status ACTIVE`)));
    assert.ok(
      cmds.includes(
        `ZONAL_SHIFT_ID=$(aws arc-zonal-shift list-zonal-shifts --resource-identifier ${ids.lb.nlb} --status ACTIVE --query 'items[?awayFrom=='\\''use1-az1'\\''].zonalShiftId | [0]' --output text)`,
      ),
      cmds.join("\n"),
    );
    assert.ok(cmds.includes('aws arc-zonal-shift cancel-zonal-shift --zonal-shift-id "$ZONAL_SHIFT_ID"'));
  });
  it("a zone id with a quote from the snapshot never reaches the JMESPath query", () => {
    assert.ok(first);
    const snap = structuredClone(first.snapshot) as AwsSnapshot;
    const hostile = "use1-az1' || `true` || '";
    for (const s of (snap.ec2?.Subnets ?? []) as Array<Record<string, unknown>>)
      if (s.AvailabilityZoneId === "use1-az1") s.AvailabilityZoneId = hostile;
    const f = evaluateCase(rule, snap).find((x) => x.status === "fail");
    assert.ok(f);
    const cmds = f.remediation?.commands ?? [];
    assert.ok(!cmds.some((c) => c.includes("true")), cmds.join("\n"));
    assert.ok(
      cmds.some((c) => c.includes("--query 'items[0].zonalShiftId'")),
      cmds.join("\n"),
    );
  });
  it("explains an unhealthy target in the shifted zone", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("a zonal shift started"));
    assert.ok(c);
    const snap = structuredClone(c.snapshot) as AwsSnapshot;
    const d = snap.elbv2.TargetHealth?.[ids.tg.app]?.find((x) => (x.Target as { Id: string }).Id === ids.instance.web1);
    assert.ok(d);
    d.TargetHealth = { State: "unhealthy", Reason: "Target.FailedHealthChecks" };
    const findings = runCatalog(buildAwsModel(snap), "aws"); // the whole catalog through the engine: a rule test imports no sibling rule
    const symptom = findings.find((f) => f.ruleId === "aws/targets-unhealthy" && f.status === "fail");
    assert.ok(symptom);
    assert.ok(symptom.relatedTo.some((r) => r.ruleId === "aws/zonal-shift-active" && r.relation === "caused-by"));
  });
});
