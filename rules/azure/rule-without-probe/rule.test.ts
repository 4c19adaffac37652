import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("azure/rule-without-probe: remediation", () => {
  const fix = (name: string) => {
    const c = cases.invalid.find((x) => x.name.startsWith(name));
    assert.ok(c, name);
    return evaluateCase(rule, c.snapshot).find((f) => f.status === "fail")?.remediation?.commands ?? [];
  };
  it("re-attaches the LB's existing probe on the backend port", () => {
    assert.deepEqual(fix("the reference architecture for load-balanced VMs web tier"), [
      "az network lb rule update --resource-group ra-multi-vm-rg --lb-name lb-web --name rule-http --probe-name probe-http",
    ]);
  });
  it("otherwise creates a probe (Https on 443) and attaches it", () => {
    assert.deepEqual(fix("an HTTPS rule on 443"), [
      "az network lb probe create --resource-group ra-multi-vm-rg --lb-name lb-app --name probe-443 --protocol Https --port 443 --path /health",
      "az network lb rule update --resource-group ra-multi-vm-rg --lb-name lb-app --name rule-https --probe-name probe-443",
    ]);
  });
});
