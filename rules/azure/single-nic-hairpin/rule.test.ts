import assert from "node:assert/strict";
import { it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

it("the commands in the fix's words are quoted for the shell, placeholders included (a bare <rg> is a redirection)", () => {
  const c = cases.invalid[0];
  assert.ok(c);
  const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
  const summary = f?.remediation?.summary ?? "";
  assert.match(summary, /--resource-group '<rg>' --nic-name '<nic>' --ip-config-name '<ipconfig>'/);
  assert.doesNotMatch(summary, /[^']<(rg|nic|ipconfig)>/);
});
