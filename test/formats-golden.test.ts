/**
 * Golden files for every report format and for `diff`, from the bundled
 * fixtures, plus schema validation of each (SARIF 2.1.0, the report schema,
 * the JUnit XSD). `UPDATE_GOLDEN=1` rewrites them; review the diff.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { lbdoctor, ROOT } from "./support/cli.ts";
import { assertValidJunit, assertValidReport, assertValidSarif, NO_XMLLINT_REASON, XMLLINT } from "./support/validators.ts";

const FIXTURES = ["demo", "healthy-web", "probe-blocked-by-nsg"];
const FORMATS: Array<{ format: string; ext: string; validate?: (text: string, what: string) => void }> = [
  { format: "text", ext: "txt" },
  { format: "json", ext: "json", validate: (t, w) => assertValidReport(JSON.parse(t), w) },
  { format: "sarif", ext: "sarif", validate: (t, w) => assertValidSarif(JSON.parse(t), w) },
  { format: "junit", ext: "junit.xml", validate: (t, w) => void assertValidJunit(t, w) },
  { format: "markdown", ext: "md" },
  { format: "github", ext: "github.txt" },
];

function golden(file: string, actual: string): void {
  const path = join(ROOT, "test/golden", file);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
  assert.ok(existsSync(path), `no golden ${path}: run UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, readFileSync(path, "utf8"), `${file} differs from its golden (UPDATE_GOLDEN=1 rewrites it)`);
}

describe("golden: every format of every reference fixture", () => {
  for (const name of FIXTURES) {
    for (const { format, ext, validate } of FORMATS) {
      // the text of healthy-web and probe-blocked-by-nsg is pinned by golden.test.ts already
      if (format === "text" && name !== "demo") continue;
      it(`${name}.${ext}`, () => {
        const r = lbdoctor(["check", "--snapshot", `fixtures/azure/${name}.json`, "--format", format], {}, ROOT);
        assert.ok(r.code === 0 || r.code === 1, r.stderr);
        golden(`${name}.${ext}`, r.stdout);
        if (format === "junit" && !XMLLINT) console.log(`# ${NO_XMLLINT_REASON}`);
        validate?.(r.stdout, `${name}.${ext}`);
      });
    }
  }
});

describe("golden: diff", () => {
  for (const [before, after] of [
    ["healthy-web", "probe-blocked-by-nsg"],
    ["healthy-web", "demo"],
  ]) {
    for (const [format, ext] of [
      ["text", "txt"],
      ["json", "json"],
      ["markdown", "md"],
    ]) {
      it(`diff ${before} → ${after} (${format})`, () => {
        const r = lbdoctor(
          ["diff", `fixtures/azure/${before}.json`, `fixtures/azure/${after}.json`, "--format", format as string],
          {},
          ROOT,
        );
        assert.equal(r.code, 1, r.stderr);
        golden(`diff-${before}-to-${after}.${ext}`, r.stdout);
      });
    }
  }
});
