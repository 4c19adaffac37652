import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("gateway-lb-unhealthy fix", () => {
  it("starts the deallocated appliances and names both", () => {
    const c = cases.invalid[0];
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
    assert.deepEqual(f?.remediation?.commands.slice(0, 2), [
      "az vm start --resource-group ra-multi-vm-rg --name nva1",
      "az vm start --resource-group ra-multi-vm-rg --name nva2",
    ]);
    assert.match(f?.message ?? "", /chained to Gateway load balancer lb-gw/);
  });
});
