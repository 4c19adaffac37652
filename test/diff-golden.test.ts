/** Golden files for `lbdoctor diff` between bundled fixtures, through the CLI. `UPDATE_GOLDEN=1` rewrites them; review the diff. */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { lbdoctor, ROOT } from "./support/cli.ts";

function golden(file: string, actual: string): void {
  const path = join(ROOT, "test/golden", file);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
  assert.ok(existsSync(path), `no golden ${path}: run UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, readFileSync(path, "utf8"), `${file} differs from its golden (UPDATE_GOLDEN=1 rewrites it)`);
}

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
