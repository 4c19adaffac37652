import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("azure/nva-single-point-of-failure: remediation", () => {
  const fix = (name: string) => {
    const c = cases.invalid.find((x) => x.name.startsWith(name));
    assert.ok(c, name);
    return evaluateCase(rule, c.snapshot).find((f) => f.status === "fail")?.remediation?.commands ?? [];
  };
  it("builds an internal Standard LB with HA ports in the NVA's subnet, adds the NVAs, re-points every route", () => {
    const cmds = fix("the highly available NVA guidance active-passive pair");
    assert.match(cmds[0] ?? "", /^az network lb create .*--sku Standard --vnet-name vnet-app --subnet snet-nva /);
    assert.ok(cmds.some((c) => /--protocol All --frontend-port 0 --backend-port 0/.test(c)));
    assert.ok(cmds.some((c) => /address-pool add .*--nic-name nva1-nic/.test(c)));
    assert.ok(cmds.some((c) => /address-pool add .*--nic-name nva2-nic/.test(c)));
    assert.equal(
      cmds.filter((c) => c.startsWith("az network route-table route update --resource-group ra-multi-vm-rg --route-table-name rt-app"))
        .length,
      2,
    );
  });
});
