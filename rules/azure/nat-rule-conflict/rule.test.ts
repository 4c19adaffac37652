import assert from "node:assert/strict";
import { it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

it("the command in an exposure's words quotes its placeholder (a bare <admin-cidr> is a shell redirection)", () => {
  const c = cases.invalid.find((x) => x.errors.some((e) => e.messageId === "exposed"));
  assert.ok(c);
  const f = evaluateCase(rule, c.snapshot).find((x) => x.messageId === "exposed");
  const summary = f?.remediation?.summary ?? "";
  assert.match(summary, /--source-address-prefixes '<admin-cidr>'/);
});
