import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TARGET_HEALTH_CAUSES } from "../../../src/providers/aws/causes.ts";
import { buildAwsModel } from "../../../src/providers/aws/model.ts";
import { awsId, healthyAlb, ids } from "../../../test/support/aws-builder.ts";
import { catalogOf, runCatalog } from "../../../test/support/catalog.ts";
import { runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("causes of an unhealthy target (the whole catalog through the engine)", () => {
  it("every shared cause check belongs to a rule that declares it explains targets-unhealthy", () => {
    const explaining = new Set(
      catalogOf("aws")
        .filter((r) => r.explains?.includes(rule.id))
        .map((r) => r.id),
    );
    for (const c of TARGET_HEALTH_CAUSES) assert.ok(explaining.has(c.ruleId), `${c.ruleId} must declare explains: ["${rule.id}"]`);
    for (const c of TARGET_HEALTH_CAUSES) {
      assert.equal(catalogOf("aws").find((r) => r.id === c.ruleId)?.messages, c.messages, `${c.ruleId} reports its cause's messages`);
    }
  });

  it("a security group that drops the health checks is named in the symptom and linked to it", () => {
    const debugSg = awsId("sg", "web-debug");
    const snap = healthyAlb()
      .securityGroup({ id: debugSg, name: "web-debug", ingress: [{ port: 22, cidrs: ["198.51.100.0/24"] }] })
      .instanceGroups(ids.instance.web2, [debugSg])
      .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "unhealthy", reason: "Target.Timeout" })
      .build();
    const fs = runCatalog(buildAwsModel(snap), "aws");
    const cause = fs.filter((f) => f.ruleId === "aws/target-sg-blocks-health-check" && f.status === "fail");
    assert.equal(cause.length, 1);
    const symptom = fs.find((f) => f.ruleId === rule.id && f.status === "fail");
    assert.equal(symptom?.messageId, "timeoutBlocked");
    assert.match(symptom?.message ?? "", /\[aws\/target-sg-blocks-health-check\]/);
    assert.ok(symptom?.message.includes((cause[0]?.message ?? "?").replace(/\.$/, "")), "the symptom quotes the cause's own message");
    assert.ok(symptom?.relatedTo.some((r) => r.ruleId === "aws/target-sg-blocks-health-check" && r.relation === "caused-by"));
  });
});
