/**
 * Golden CLI scenarios: snapshot → command → exit code + findings (+ exact
 * stdout for a few). `UPDATE_GOLDEN=1 npm test` rewrites the text goldens;
 * the expectation table (which rules fail on which fixture) is kept by hand,
 * because it is the claim each fixture exists to make.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fixture, lbdoctor, ROOT } from "./support/cli.ts";

interface Expectation {
  exit: number;
  /** rule ids with at least one fail, sorted */
  failing: string[];
}
const expectations: Record<string, Expectation> = JSON.parse(readFileSync(join(ROOT, "test/golden/expectations.json"), "utf8"));
/** Azure fixtures by their bare name (fixtures/azure/<name>.json), AWS ones as `aws/<name>` (fixtures/aws/<name>.json). */
const fixtures = [
  ...readdirSync(join(ROOT, "fixtures/azure"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5)),
  ...readdirSync(join(ROOT, "fixtures/aws"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `aws/${f.slice(0, -5)}`),
].sort();
const fixturePath = (name: string) => (name.startsWith("aws/") ? join(ROOT, "fixtures", `${name}.json`) : fixture(name));

describe("golden: every fixture's findings and exit code", () => {
  it("every fixture has an expectation, and every expectation a fixture", () => {
    assert.deepEqual(Object.keys(expectations).sort(), fixtures);
  });
  for (const name of fixtures) {
    it(name, () => {
      const r = lbdoctor(["check", "--snapshot", fixturePath(name), "--format", "json"]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const report = JSON.parse(r.stdout);
      const failing = [
        ...new Set(report.findings.filter((f: { status: string }) => f.status === "fail").map((f: { ruleId: string }) => f.ruleId)),
      ].sort();
      const errors = report.findings.filter((f: { status: string }) => f.status === "error");
      assert.deepEqual(errors, [], "no rule may error on a bundled fixture");
      const want = expectations[name];
      assert.ok(want, `no expectation for ${name}`);
      assert.deepEqual(failing, want.failing);
      assert.equal(r.code, want.exit);
    });
  }
});

const TEXT_GOLDENS = ["probe-blocked-by-nsg", "backend-unhealthy", "healthy-web"];

/**
 * These goldens pin a diagnosis (what fails, why, the fix), not the catalog: the counts that every new rule
 * changes (passed, not applicable, rules run) are masked. The formats themselves are pinned by formats-golden.test.ts.
 */
function withoutCatalog(text: string): string {
  return text.replace(/\d+ passed, \d+ not applicable; \d+ rules;/g, "<n> passed, <n> not applicable; <n> rules;");
}

describe("golden: exact text output", () => {
  for (const name of TEXT_GOLDENS) {
    it(name, () => {
      const r = lbdoctor(["check", "--snapshot", `fixtures/azure/${name}.json`]);
      const path = join(ROOT, "test/golden", `${name}.txt`);
      const text = withoutCatalog(r.stdout);
      assert.match(text, /<n> rules;/, "the summary line is still there");
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, text);
      assert.ok(existsSync(path), `no golden ${path}: run UPDATE_GOLDEN=1 npm test and review it`);
      assert.equal(text, readFileSync(path, "utf8"));
    });
  }
});
