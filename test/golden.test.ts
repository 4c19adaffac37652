/**
 * Golden CLI scenarios: snapshot → command → which rules fail, and the exit code (+ exact stdout for a few).
 *
 * Which rules fail on which bundled fixture is each rule's own claim, kept in its folder:
 * rules/<provider>/<id>/fails-on.json lists the fixtures it fails on (its own generated one among them), so
 * a new rule adds its claim without touching any other file. `UPDATE_GOLDEN=1` rewrites those lists and the
 * text goldens from what lbdoctor now reports: review the diff, since each line is a claim about a fixture.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SEVERITIES, type Severity } from "../src/core/engine/types.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
const ruleIds: string[] = JSON.parse(readFileSync(join(ROOT, "rules", "catalog.json"), "utf8"));
const claimPath = (ruleId: string) => join(ROOT, "rules", ruleId, "fails-on.json");
/** fixture path (relative to the root) → the rules that claim to fail on it */
const expected = new Map<string, string[]>();
for (const id of ruleIds) {
  const list: string[] = existsSync(claimPath(id)) ? JSON.parse(readFileSync(claimPath(id), "utf8")) : [];
  for (const f of list) expected.set(f, [...(expected.get(f) ?? []), id]);
}
const fixtures = ["azure", "aws"].flatMap((p) =>
  readdirSync(join(ROOT, "fixtures", p))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `fixtures/${p}/${f}`),
);
fixtures.sort();
/** what each fixture was seen to fail, for UPDATE_GOLDEN */
const seen = new Map<string, string[]>();

interface ReportFinding {
  status: string;
  ruleId: string;
  severity: Severity;
  id: string;
  subjects: string[];
  suppression?: { expired?: boolean };
}

describe("golden: every fixture's failing rules and exit code", () => {
  it("every rule claims at least its own fixture, and every claimed fixture exists", () => {
    for (const id of ruleIds) {
      const list: string[] = existsSync(claimPath(id)) ? JSON.parse(readFileSync(claimPath(id), "utf8")) : [];
      const [provider, name] = id.split("/");
      assert.ok(list.includes(`fixtures/${provider}/${name}.json`), `${id}: fails-on.json does not list its own fixture`);
      for (const f of list) assert.ok(fixtures.includes(f), `${id}: fails-on.json names ${f}, which does not exist`);
    }
  });
  for (const path of fixtures) {
    it(path, () => {
      const r = lbdoctor(["check", "--snapshot", path, "--format", "json"]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const report = JSON.parse(r.stdout) as { failOn: Severity; findings: ReportFinding[] };
      const errors = report.findings.filter((f) => f.status === "error");
      assert.deepEqual(errors, [], "no rule may error on a bundled fixture");
      // a subject is a key a finding is about, each once (a NIC-based pool member's key is its ip configuration's)
      for (const f of report.findings)
        assert.equal(new Set(f.subjects).size, f.subjects.length, `${f.id}: repeated subjects ${f.subjects.join(", ")}`);
      const fails = report.findings.filter((f) => f.status === "fail");
      const failing = [...new Set(fails.map((f) => f.ruleId))].sort();
      seen.set(path, failing);
      if (!UPDATE)
        assert.deepEqual(failing, [...(expected.get(path) ?? [])].sort(), "the rules failing here differ from their fails-on.json claims");
      // the exit code is the gate: 1 exactly when an unsuppressed failure is at or above --fail-on (default high)
      const gate = SEVERITIES.indexOf(report.failOn);
      const gated = fails.some(
        (f) => SEVERITIES.indexOf(f.severity) <= gate && (f.suppression === undefined || f.suppression.expired === true),
      );
      assert.equal(r.code, gated ? 1 : 0);
    });
  }
  after(() => {
    if (!UPDATE) return;
    for (const id of ruleIds) {
      const list = fixtures.filter((f) => seen.get(f)?.includes(id));
      // as `npm run format` lays it out: on one line when it fits in 140 columns
      const line = `[${list.map((f) => JSON.stringify(f)).join(", ")}]`;
      writeFileSync(claimPath(id), `${line.length <= 140 ? line : JSON.stringify(list, null, 2)}\n`);
    }
  });
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
