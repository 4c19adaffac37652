import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { rules } from "../rules/index.ts";
import { validateSnapshot } from "../src/core/snapshot/load.ts";
import { ROOT } from "./support/cli.ts";

/**
 * The rule ids are a public contract (reports, suppressions and CI gates name them). rules/catalog.json
 * records every published id; `npm run gen` adds a new rule's id and refuses to drop one whose folder
 * is gone, so a rule is added by its folder alone and removed only on purpose.
 */
const CATALOG: string[] = JSON.parse(readFileSync(join(ROOT, "rules", "catalog.json"), "utf8"));

describe("rule catalog", () => {
  it("every published rule id still has its rule", () => {
    const ids = new Set(rules.map((r) => r.id));
    assert.deepEqual(
      CATALOG.filter((id) => !ids.has(id)),
      [],
    );
  });

  it("every rule is published in rules/catalog.json", () => {
    assert.deepEqual(rules.map((r) => r.id).sort(), [...CATALOG].sort());
  });

  it("npm run gen refuses to drop a published id", () => {
    const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-catalog-"));
    try {
      // a copy of the generator's inputs where the catalog names a rule that no folder holds
      for (const d of ["scripts", "rules", "src", "test", "fixtures", "docs", "schema"])
        if (existsSync(join(ROOT, d))) cpSync(join(ROOT, d), join(tmp, d), { recursive: true });
      for (const f of ["README.md", "package.json", "tsconfig.json"]) cpSync(join(ROOT, f), join(tmp, f));
      symlinkSync(join(ROOT, "node_modules"), join(tmp, "node_modules"));
      writeFileSync(join(tmp, "rules", "catalog.json"), JSON.stringify([...CATALOG, "azure/retired-on-purpose"]));
      const r = spawnSync(process.execPath, [join(tmp, "scripts", "gen.ts"), "--check"], { cwd: tmp, encoding: "utf8" });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /azure\/retired-on-purpose/);
      assert.match(r.stderr, /public contract/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  for (const rule of rules) {
    describe(rule.id, () => {
      const dir = join(ROOT, "rules", rule.id);
      it("lives in rules/<id>/ with rule.ts, cases.ts and rule.test.ts", () => {
        for (const f of ["rule.ts", "cases.ts", "rule.test.ts"]) assert.ok(existsSync(join(dir, f)), `missing ${rule.id}/${f}`);
      });
      it("the id equals the folder path", async () => {
        const mod = await import(pathToFileURL(join(dir, "rule.ts")).href);
        assert.equal(mod.default.id, rule.id);
      });
      it("has a source, references, messages and a generated doc", () => {
        assert.ok(rule.source.length > 0);
        assert.ok(rule.references.length > 0, "at least one public reference");
        assert.ok(Object.keys(rule.messages).length > 0);
        const doc = readFileSync(join(ROOT, "docs", "rules", `${rule.id}.md`), "utf8");
        assert.ok(doc.startsWith(`# ${rule.id}\n`), "the doc's title is the id");
      });
      it("its cases have valid and invalid entries and its fixture fails it", async () => {
        const { cases } = await import(pathToFileURL(join(dir, "cases.ts")).href);
        assert.ok(cases.valid.length >= 2, "at least two valid cases");
        assert.ok(cases.invalid.length >= 2, "at least two invalid cases");
        assert.ok(
          existsSync(join(ROOT, "fixtures", rule.provider, `${rule.id.split("/")[1]}.json`)),
          "fixture generated from the first invalid case",
        );
      });
      it("every explained rule exists", () => {
        for (const x of rule.explains ?? [])
          assert.ok(
            rules.some((r) => r.id === x),
            `${rule.id} explains unknown rule ${x}`,
          );
      });
    });
  }
});

describe("fixtures", () => {
  const dir = join(ROOT, "fixtures", "azure");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
    it(`${f} validates against the snapshot schema`, () => {
      assert.deepEqual(validateSnapshot(JSON.parse(readFileSync(join(dir, f), "utf8"))), []);
    });
  }
});
