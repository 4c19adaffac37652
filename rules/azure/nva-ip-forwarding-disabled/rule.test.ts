import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("azure/nva-ip-forwarding-disabled: remediation", () => {
  const fix = (name: string) => {
    const c = cases.invalid.find((x) => x.name.startsWith(name));
    assert.ok(c, name);
    return evaluateCase(rule, c.snapshot).find((f) => f.status === "fail")?.remediation?.commands ?? [];
  };
  it("enables forwarding on the NVA's NIC by name", () => {
    assert.deepEqual(fix("app tier loses all egress"), [
      "az network nic update --resource-group ra-multi-vm-rg --name nva1-nic --ip-forwarding true",
    ]);
  });
  it("for a scale-set instance, through the scale set model", () => {
    const cmds = fix("NVA in a scale set");
    assert.match(cmds[0] ?? "", /^az vmss update --resource-group ra-multi-vm-rg --name vmss-nva --set '.*enableIPForwarding=true'$/);
    assert.match(cmds[1] ?? "", /^az vmss update-instances /);
  });
});
