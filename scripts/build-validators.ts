/**
 * Precompiles the snapshot schema into a standalone validator next to the
 * built loader (dist/src/core/snapshot/snapshot-validator.cjs), so that a check
 * does not compile the schema at every start. The loader falls back to
 * compiling it when the file is absent (running from src/).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import standalone from "ajv/dist/standalone/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schema = JSON.parse(readFileSync(join(root, "docs/schema/snapshot.v1.schema.json"), "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: false, code: { source: true } });
const validate = ajv.compile(schema);
const out = join(root, "dist/src/core/snapshot/snapshot-validator.cjs");
mkdirSync(dirname(out), { recursive: true });
const standaloneCode = (standalone as unknown as { default: typeof standalone.default }).default ?? standalone;
writeFileSync(out, (standaloneCode as unknown as (a: typeof ajv, v: typeof validate) => string)(ajv, validate));
