/**
 * Validators for what the formatters emit, against the official schemas
 * vendored in test/vendor (see test/vendor/README.md for where each came
 * from) and the report schema in docs/schema.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { ROOT } from "./cli.ts";
import { IN_CI } from "./tools.ts";

/** ajv has no format validators built in and ajv-formats is not installed: these are the three formats the SARIF schema uses. */
function addFormats(ajv: { addFormat(name: string, f: (s: string) => boolean): unknown }): void {
  ajv.addFormat("uri", (s) => URL.canParse(s));
  ajv.addFormat("uri-reference", (s) => URL.canParse(s, "file:///base/") && !/\s/.test(s));
  ajv.addFormat(
    "date-time",
    (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)),
  );
}

let sarif: ValidateFunction | undefined;
/**
 * The OASIS SARIF 2.1.0 schema (errata 01) is written in JSON Schema draft-04,
 * which ajv 8 does not ship. The keywords it uses (type, enum, properties,
 * additionalProperties, required, items, minItems, uniqueItems, minimum,
 * maximum, pattern, format, anyOf, oneOf, $ref, default) mean the same in
 * draft-07, so it is compiled as draft-07 with only its draft-04 header (`id`,
 * `$schema`) translated. The vendored file itself is untouched.
 */
export function sarifValidator(): ValidateFunction {
  if (!sarif) {
    const schema = JSON.parse(readFileSync(join(ROOT, "test/vendor/sarif-schema-2.1.0.json"), "utf8"));
    const { id, $schema: _draft04, ...rest } = schema;
    const ajv = new Ajv.default({ strict: false, allErrors: true });
    addFormats(ajv);
    sarif = ajv.compile({ ...rest, $id: id });
  }
  return sarif;
}

export function assertValidSarif(doc: unknown, what = "SARIF"): void {
  const validate = sarifValidator();
  assert.ok(
    validate(doc),
    `${what} does not validate against the SARIF 2.1.0 schema:\n${JSON.stringify(validate.errors?.slice(0, 5), null, 2)}`,
  );
}

let report: ValidateFunction | undefined;
export function assertValidReport(doc: unknown, what = "report"): void {
  if (!report) {
    const schema = JSON.parse(readFileSync(join(ROOT, "docs/schema/report.v1.schema.json"), "utf8"));
    report = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  }
  const validate = report;
  assert.ok(
    validate(structuredClone(doc)),
    `${what} does not validate against report.v1.schema.json:\n${JSON.stringify(validate.errors?.slice(0, 5), null, 2)}`,
  );
}

export const NO_XMLLINT_REASON = "xmllint is not installed (apt-get install libxml2-utils); the JUnit XSD check is skipped";
export const XMLLINT = spawnSync("xmllint", ["--version"], { encoding: "utf8" }).error === undefined;
const dir = mkdtempSync(join(tmpdir(), "lbdoctor-xml-"));
let n = 0;

/** Validates JUnit XML against the vendored JUnit XSD with xmllint; returns false (and the caller skips) when xmllint is absent, and fails in CI. */
export function assertValidJunit(xml: string, what = "JUnit XML"): boolean {
  if (!XMLLINT) {
    if (IN_CI) assert.fail(`${NO_XMLLINT_REASON} (CI=true: a missing tool fails instead of skipping)`);
    return false;
  }
  const file = join(dir, `junit-${n++}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync("xmllint", ["--noout", "--schema", join(ROOT, "test/vendor/junit-windyroad.xsd"), file], { encoding: "utf8" });
  assert.equal(r.status, 0, `${what} does not validate against the JUnit XSD:\n${r.stderr}`);
  return true;
}
