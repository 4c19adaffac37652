import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("backend-address-unresolved fix", () => {
  it("lists the pool and removes exactly the unresolved entry", () => {
    const c = cases.invalid[0];
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
    assert.deepEqual(f?.remediation?.commands, [
      "az network lb address-pool address list --resource-group ra-multi-vm-rg --lb-name lb-ip --pool-name pool-ip --output table",
      "az network lb address-pool address remove --resource-group ra-multi-vm-rg --lb-name lb-ip --pool-name pool-ip --name app2",
    ]);
    assert.match(f?.message ?? "", /10\.10\.0\.5 .* outside the address space of vnet-app \(10\.1\.0\.0\/16\)/);
  });
});
