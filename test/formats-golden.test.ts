/**
 * Golden files for every report format, rendered in process from fixed,
 * hand-built reports (test/support/synthetic-report.ts: one Azure, one AWS),
 * plus schema validation of each (the report schema, SARIF 2.1.0, the JUnit
 * XSD). No rule catalog or fixture goes in, so a new rule never rewrites
 * them. `UPDATE_GOLDEN=1` rewrites them; review the diff.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { FORMAT_NAMES, loadFormatter } from "../src/core/report/formats.ts";
import type { PassMode, Report } from "../src/core/report/report.ts";
import { syntheticAwsReport, syntheticAzureReport } from "./support/synthetic-report.ts";
import { assertValidJunit, assertValidReport, assertValidSarif } from "./support/validators.ts";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "golden", "formats");

const FORMATS: Array<{ format: string; ext: string; validate?: (text: string, what: string) => void }> = [
  { format: "text", ext: "txt" },
  { format: "json", ext: "json", validate: (t, w) => assertValidReport(JSON.parse(t), w) },
  { format: "sarif", ext: "sarif", validate: (t, w) => assertValidSarif(JSON.parse(t), w) },
  { format: "junit", ext: "junit.xml", validate: (t, w) => void assertValidJunit(t, w) },
  { format: "markdown", ext: "md" },
  { format: "github", ext: "github.txt" },
];

function golden(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  assert.ok(existsSync(path), `no golden ${path}: run UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, readFileSync(path, "utf8"), `${file} differs from its golden (UPDATE_GOLDEN=1 rewrites it)`);
}

describe("golden: every format, from a synthetic report of each provider", () => {
  it("the goldens cover every format there is", () => {
    assert.deepEqual(FORMATS.map((f) => f.format).sort(), [...FORMAT_NAMES].sort());
  });

  for (const [provider, report] of [
    ["azure", syntheticAzureReport],
    ["aws", syntheticAwsReport],
  ] as Array<[string, (passes?: PassMode) => Report]>) {
    for (const { format, ext, validate } of FORMATS) {
      it(`${provider}.${ext}`, async () => {
        const text = (await loadFormatter(format))(report(), { color: false, verbose: false });
        golden(`${provider}.${ext}`, text);
        validate?.(text, `${provider}.${ext}`);
      });
    }
    it(`${provider}.verbose.txt (passing and not-applicable checks listed)`, async () => {
      golden(`${provider}.verbose.txt`, (await loadFormatter("text"))(report(), { color: false, verbose: true }));
    });
    // --include-passed: every pass and not-applicable result in full, no summaries
    for (const { format, ext, validate } of FORMATS.filter((f) => ["json", "junit", "text"].includes(f.format))) {
      const verbose = format === "text";
      const file = `${provider}.include-passed${verbose ? ".verbose" : ""}.${ext}`;
      it(file, async () => {
        const text = (await loadFormatter(format))(report("full"), { color: false, verbose });
        golden(file, text);
        validate?.(text, file);
      });
    }
  }
});
