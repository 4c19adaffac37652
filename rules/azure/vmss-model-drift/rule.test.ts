import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { healthyWeb, WEB_LB, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("vmss-model-drift fix", () => {
  it("upgrades exactly the drifted instances", () => {
    const c = cases.invalid[0];
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
    assert.deepEqual(f?.remediation?.commands, [
      "az vmss update-instances --resource-group ra-multi-vm-rg --name vmss-web --instance-ids 1",
    ]);
    assert.match(f?.message ?? "", /Manual upgrade policy/);
  });

  it("quotes instance names that need it (Flexible orchestration uses VM names)", () => {
    const snap = healthyWeb()
      .vmss("vmss-web")
      .vmssModel("vmss-web", { subnet: WEB_SUBNET, pools: [`${WEB_LB}/pool-web`] })
      .vm("flex", { subnet: WEB_SUBNET, ip: "10.0.0.12", vmss: { name: "vmss-web", instanceId: "web vm;1" } })
      .latestModelApplied("vmss-web", "web vm;1", false)
      .build();
    const f = evaluateCase(rule, snap).find((x) => x.status === "fail");
    assert.ok(f?.remediation?.commands[0]?.endsWith("--instance-ids 'web vm;1'"), f?.remediation?.commands[0]);
  });
});
