import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("azure/probe-protocol-mismatch: remediation", () => {
  const fix = (name: string) => {
    const c = cases.invalid.find((x) => x.name.startsWith(name));
    assert.ok(c, name);
    return evaluateCase(rule, c.snapshot).find((f) => f.status === "fail")?.remediation?.commands ?? [];
  };
  it("names the real resource group, LB and probe; Http for 80", () => {
    assert.deepEqual(fix("the reference architecture for load-balanced VMs web tier"), [
      "az network lb probe update --resource-group ra-multi-vm-rg --lb-name lb-web --name probe-http --protocol Http --path /health",
    ]);
  });
  it("Https for 443, and moves a non-web probe port to the web port", () => {
    assert.match(fix("HTTPS rule on 443")[0] ?? "", /--name probe-443 --protocol Https --path \/health$/);
    assert.match(fix("a Tcp probe on SSH port 22")[0] ?? "", /--protocol Http --port 8080 --path \/health$/);
  });
});
