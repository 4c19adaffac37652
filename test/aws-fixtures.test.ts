/**
 * The bundled AWS fixtures: they validate, the healthy scenarios raise no
 * failure at medium or above with every AWS rule, and each rule's fixture
 * (its first invalid case) fails that rule.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { rules } from "../rules/index.ts";
import { runRules } from "../src/core/engine/run.ts";
import { severityRank } from "../src/core/engine/types.ts";
import { validateSnapshot } from "../src/core/snapshot/load.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { awsScenarios } from "./support/aws-scenarios.ts";
import { ROOT } from "./support/cli.ts";

const dir = join(ROOT, "fixtures", "aws");
const awsRules = rules.filter((r) => r.provider === "aws");
const load = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as AwsSnapshot;

describe("AWS fixtures", () => {
  for (const f of existsSync(dir) ? readdirSync(dir).filter((x) => x.endsWith(".json")) : []) {
    it(`${f} validates against the snapshot schema`, () => {
      assert.deepEqual(validateSnapshot(JSON.parse(readFileSync(join(dir, f), "utf8"))), []);
    });
  }

  for (const sc of awsScenarios().filter((s) => s.name.startsWith("healthy-"))) {
    it(`${sc.name}: no failure at medium or above, no rule errors`, () => {
      const findings = runRules(buildAwsModel(load(sc.name)), awsRules);
      const bad = findings.filter(
        (f) => f.status === "error" || (f.status === "fail" && severityRank(f.severity) >= severityRank("medium")),
      );
      assert.deepEqual(
        bad.map((f) => `${f.ruleId} ${f.status} ${f.message}`),
        [],
      );
      assert.ok(findings.some((f) => f.status === "pass"));
    });
  }

  for (const rule of awsRules) {
    const name = rule.id.split("/")[1] as string;
    it(`${name}.json fails ${rule.id}`, () => {
      const findings = runRules(buildAwsModel(load(name)), [rule]);
      assert.ok(
        findings.some((f) => f.status === "fail"),
        findings.map((f) => f.message).join("\n"),
      );
    });
  }
});
