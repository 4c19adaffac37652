import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("azure/probe-port-mismatch: remediation", () => {
  const fix = (name: string) => {
    const c = cases.invalid.find((x) => x.name.startsWith(name));
    assert.ok(c, name);
    return evaluateCase(rule, c.snapshot).find((f) => f.status === "fail")?.remediation?.commands ?? [];
  };
  it("a probe shared with rules on another port is left alone: a dedicated probe is created and attached", () => {
    assert.deepEqual(fix("HTTPS on 443 added"), [
      "az network lb probe create --resource-group ra-multi-vm-rg --lb-name lb-web --name probe-443 --protocol Https --port 443 --path /",
      "az network lb rule update --resource-group ra-multi-vm-rg --lb-name lb-web --name rule-https --probe-name probe-443",
    ]);
  });
  it("a probe used by this rule only is moved to the backend port", () => {
    assert.deepEqual(fix("a Tcp probe on SSH port 22"), [
      "az network lb probe update --resource-group ra-multi-vm-rg --lb-name lb-app --name probe-ssh --port 8080",
    ]);
  });
  it("an existing probe on the backend port is reused", () => {
    assert.deepEqual(fix("internal LB: a second rule on 9090"), [
      "az network lb rule update --resource-group ra-multi-vm-rg --lb-name lb-internal --name rule-metrics --probe-name probe-metrics",
    ]);
  });
});
