import assert from "node:assert/strict";
import { it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

it("a probe without probeThreshold has a threshold of 1 whatever numberOfProbes says (numberOfProbes is not respected)", () => {
  const c = cases.invalid.find((x) => x.name.startsWith("a probe with numberOfProbes 4 and no probeThreshold"));
  assert.ok(c);
  const fail = evaluateCase(rule, c.snapshot).find((f) => f.status === "fail");
  assert.ok(fail);
  assert.match(fail.message, /marks it down after 1 failed answer\(s\); with a threshold of 1/);
  const commands = fail.remediation?.commands ?? [];
  assert.ok(
    commands.some((x) => / --probe-threshold 2 /.test(x)),
    commands.join("\n"),
  );
});
