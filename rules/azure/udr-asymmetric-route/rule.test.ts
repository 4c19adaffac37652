import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("azure/udr-asymmetric-route: remediation", () => {
  const fix = (name: string) => {
    const c = cases.invalid.find((x) => x.name.startsWith(name));
    assert.ok(c, name);
    return evaluateCase(rule, c.snapshot).find((f) => f.status === "fail")?.remediation?.commands ?? [];
  };
  it("a host route for the NVA's own public IP (the DNAT entry point) with next hop Internet", () => {
    assert.deepEqual(fix("security attached rt-web"), [
      "az network route-table route create --resource-group ra-multi-vm-rg --route-table-name rt-web --name nva-public-ip-direct --address-prefix 52.10.20.30/32 --next-hop-type Internet",
    ]);
  });
});
