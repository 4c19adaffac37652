import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineRule } from "../src/core/engine/define-rule.ts";
import type { AzureModel } from "../src/providers/azure/model.ts";
import { healthyWeb } from "./support/azure-builder.ts";
import { assertInvalid, checkTable, evaluateCase, TEST_RULE_META } from "./support/rule-tester.ts";

const rule = defineRule<AzureModel>({
  ...TEST_RULE_META,
  id: "azure/every-lb-fails",
  messages: { bad: "lb {{name}} is bad" },
  check: ({ model, report }) => {
    for (const lb of model.loadBalancers)
      report({
        status: lb.sku === "Basic" ? "fail" : "pass",
        resourceId: lb.id,
        messageId: "bad",
        data: { name: lb.name },
        evidence: [{ resourceId: lb.id, pointer: lb.ptr }],
      });
  },
});
const snap = healthyWeb().build();

describe("RuleTester refuses a broken table", () => {
  it("duplicate case names", () => {
    assert.throws(
      () =>
        checkTable(rule, {
          valid: [{ name: "a", snapshot: snap }],
          invalid: [{ name: "a", snapshot: snap, errors: [{ messageId: "bad" }] }],
        }),
      /duplicate case name 'a'/,
    );
  });
  it("an unknown messageId", () => {
    assert.throws(
      () =>
        checkTable(rule, {
          valid: [{ name: "a", snapshot: snap }],
          invalid: [{ name: "b", snapshot: snap, errors: [{ messageId: "nope" }] }],
        }),
      /unknown messageId 'nope'/,
    );
  });
  it("an invalid case that expects nothing", () => {
    assert.throws(
      () => checkTable(rule, { valid: [{ name: "a", snapshot: snap }], invalid: [{ name: "b", snapshot: snap, errors: [] }] }),
      /expects no errors/,
    );
  });
  it("an invalid case whose snapshot does not fail the rule", () => {
    assert.throws(() => assertInvalid(rule, { name: "b", snapshot: snap, errors: [{ messageId: "bad" }] }), /reported no fail/);
  });
  it("a snapshot that does not validate against the schema", () => {
    const broken = { ...snap, resources: [{ id: "no-slash", name: "x", type: "Microsoft.Network/x" }] };
    assert.throws(() => evaluateCase(rule, broken as typeof snap), /not valid against the schema/);
  });
  it("accepts a correct invalid case", () => {
    const basic = healthyWeb().edit(
      "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/ra-multi-vm-rg/providers/Microsoft.Network/loadBalancers/lb-web",
      (r) => {
        r.sku = { name: "Basic" };
      },
    );
    assert.doesNotThrow(() => assertInvalid(rule, { name: "c", snapshot: basic.build(), errors: [{ messageId: "bad" }] }));
  });
});
