import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/nlb-hairpin remediation", () => {
  it("never tells a UDP, TCP_UDP, QUIC or TCP_QUIC group to turn off client IP preservation (it cannot be turned off)", () => {
    for (const name of ["UDP", "TCP_QUIC"]) {
      const c = cases.invalid.find((x) => x.name.includes(`a ${name} target group`));
      assert.ok(c, name);
      const fails = evaluateCase(rule, c.snapshot).filter((x) => x.status === "fail");
      assert.ok(fails.length > 0, name);
      for (const f of fails) {
        for (const cmd of f.remediation?.commands ?? []) assert.ok(!cmd.includes("preserve_client_ip.enabled"), cmd);
        assert.ok(!/Turn client IP preservation off/.test(f.remediation?.summary ?? ""), f.remediation?.summary);
      }
    }
  });
});
