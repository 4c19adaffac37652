import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildAzureModel } from "../../../src/providers/azure/model.ts";
import { healthyWeb, ids, WEB_LB } from "../../../test/support/azure-builder.ts";
import { runCatalog } from "../../../test/support/catalog.ts";
import { runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

const BACKEND_UNHEALTHY = "azure/backend-unhealthy";
const SINGLE_BACKEND = "azure/single-backend";

describe("admin state Down explains the member's backend-unhealthy (the whole catalog through the engine)", () => {
  const snap = healthyWeb()
    .adminState(WEB_LB, "pool-web", { vm: "vm2" }, "Down")
    .ruleHealth(WEB_LB, "rule-http", [
      { vm: "vm1", state: "Up" },
      { vm: "vm2", state: "Down", reason: "Down_Admin" },
    ])
    .build();
  const findings = runCatalog(buildAzureModel(snap), "azure");
  const cause = findings.find((f) => f.ruleId === rule.id && f.status === "fail");
  const symptom = findings.find((f) => f.ruleId === BACKEND_UNHEALTHY && f.status === "fail");

  it("links cause and symptom on the same member", () => {
    assert.equal(symptom?.resourceId, ids.nic("vm2-nic"));
    assert.deepEqual(
      symptom?.relatedTo.map((r) => [r.ruleId, r.relation]),
      [[rule.id, "caused-by"]],
    );
    assert.deepEqual(
      cause?.relatedTo.map((r) => [r.ruleId, r.relation]),
      [
        [BACKEND_UNHEALTHY, "explains"],
        [SINGLE_BACKEND, "explains"],
      ],
    );
  });

  it("explains the pool left with one member that serves (azure/single-backend counts an admin-Down member out)", () => {
    const single = findings.find((f) => f.ruleId === SINGLE_BACKEND && f.status === "fail");
    assert.equal(single?.severity, "medium");
    assert.deepEqual(
      single?.relatedTo.map((r) => [r.ruleId, r.relation]),
      [[rule.id, "caused-by"]],
    );
  });

  it("the symptom is not a high failure of its own", () => {
    assert.equal(symptom?.severity, "low");
    assert.ok(!findings.some((f) => f.status === "fail" && (f.severity === "high" || f.severity === "critical")));
  });

  it("the fix sets the address's admin state back to None, quoted for the shell", () => {
    const cmds = cause?.remediation?.commands ?? [];
    assert.ok(
      cmds.some((c) => /address update .* --name lb-web-pool-web-vm2-nic --admin-state None$/.test(c)),
      cmds.join("\n"),
    );
  });
});
