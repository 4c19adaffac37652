import assert from "node:assert/strict";
import { it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

it("a new outbound rule on a frontend the load-balancing rules use for SNAT comes after their disableOutboundSnat (Azure refuses it otherwise)", () => {
  const c = cases.invalid.find((x) => x.name === "vm1 climbs to 1000 of 1024 ports");
  assert.ok(c);
  const fail = evaluateCase(rule, c.snapshot).find((f) => f.status === "fail");
  const commands = fail?.remediation?.commands ?? [];
  const create = commands.findIndex((x) => x.startsWith("az network lb outbound-rule create"));
  const disable = commands.findIndex((x) => /^az network lb rule update .* -n rule-http --disable-outbound-snat true$/.test(x));
  assert.ok(create >= 0, commands.join("\n"));
  assert.ok(disable >= 0 && disable < create, commands.join("\n"));
});
