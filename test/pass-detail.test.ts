import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { rulesFor } from "../rules/registry.ts";
import { defineRule } from "../src/core/engine/define-rule.ts";
import { runRules, runRulesCounting } from "../src/core/engine/run.ts";
import type { Rule } from "../src/core/engine/types.ts";
import { loadSnapshotFile } from "../src/core/snapshot/load.ts";
import { type AzureModel, buildAzureModel } from "../src/providers/azure/model.ts";
import { providerFor } from "../src/providers/index.ts";
import { healthyWeb } from "./support/azure-builder.ts";
import { assertCountingAgrees, TEST_RULE_META } from "./support/rule-tester.ts";

const meta = TEST_RULE_META;

describe("passDetail: rules may skip the detail of results that are only counted", () => {
  it('is false only in a passes "count" run of a rule no collection gap touches', () => {
    const model = buildAzureModel(healthyWeb().build());
    const seen: Array<boolean | undefined> = [];
    const probe = defineRule<AzureModel>({
      ...meta,
      id: "azure/probe-detail",
      messages: { ok: "fine" },
      check: ({ report, passDetail }) => {
        seen.push(passDetail);
        report({ status: "pass", resourceId: "/x", messageId: "ok" });
      },
    });
    runRules(model, [probe]);
    runRules(model, [probe], { passes: "summary" });
    runRulesCounting(model, [probe], { passes: "count" });
    const gapped = {
      ...model,
      gaps: [{ kind: "collection" as const, operation: "loadBalancers.list", message: "denied", covers: ["azure:loadBalancers"] }],
    };
    // a gap turns passes into unknown findings shown whole: the rule must give their detail
    runRulesCounting(gapped as AzureModel, [probe], { passes: "count" });
    assert.deepEqual(seen, [true, true, false, true]);
  });

  for (const provider of ["azure", "aws"] as const) {
    it(`${provider}: on every bundled fixture, a counting run gives every rule's results as a full run does`, async () => {
      const adapter = await providerFor(provider);
      const rules = (await rulesFor(provider)) as Rule[];
      const dir = join(import.meta.dirname, "..", "fixtures", provider);
      const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
      assert.ok(files.length > 5);
      for (const file of files) {
        const model = adapter.buildModel(loadSnapshotFile(join(dir, file)), { from: [] });
        assertCountingAgrees(model, rules, runRules(model, rules), file);
      }
    });
  }
});
