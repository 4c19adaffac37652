/**
 * Start-up loads only what the command needs: `--version` loads no CLI parser, no
 * Ink and no SDK (nothing of lbdoctor's but the entry point), and `check --snapshot`
 * loads the snapshot's provider and that provider's rules, never the other's
 * (the generated registries rules/<provider>/index.ts and rules/registry.ts).
 * Observed in the child process through a module hook, not timed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { rules as catalog } from "../rules/index.ts";
import { ALL_RULE_IDS, RULE_IDS, rulesFor } from "../rules/registry.ts";
import { BIN, ROOT } from "./support/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-startup-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const HOOK = pathToFileURL(join(ROOT, "test", "support", "module-log.mjs")).href;
const rootUrl = pathToFileURL(ROOT).href;

/** Runs the CLI (on the sources); the URLs of every module it loaded, relative to the repository when inside it. */
function loaded(args: string[]): { code: number; modules: string[]; stdout: string } {
  const log = join(tmp, `modules-${process.hrtime.bigint()}.txt`);
  const r = spawnSync(process.execPath, ["--import", HOOK, BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: "1", LBDOCTOR_FROM_SOURCE: "1", LBDOCTOR_MODULE_LOG: log },
  });
  const modules = readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((u) => (u.startsWith(`${rootUrl}/`) ? u.slice(rootUrl.length + 1) : u));
  return { code: r.status ?? -1, modules, stdout: r.stdout };
}

const of = (modules: string[], re: RegExp) => modules.filter((m) => re.test(m));

describe("start-up", () => {
  it("--version loads nothing but the entry point: no commander, no Ink, no SDK, none of lbdoctor's modules", () => {
    for (const flag of ["--version", "-v"]) {
      const { code, modules, stdout } = loaded([flag]);
      assert.equal(code, 0);
      assert.equal(stdout.trim(), JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
      assert.ok(modules.includes("bin/lbdoctor.js"), modules.join("\n"));
      assert.deepEqual(of(modules, /node_modules|^(src|dist|rules)\//), []);
    }
  });

  it("check --snapshot of an Azure scenario loads the Azure provider and Azure rules only", () => {
    const { code, modules } = loaded(["check", "--snapshot", join(ROOT, "fixtures", "azure", "probe-blocked-by-nsg.json"), "--no-config"]);
    assert.equal(code, 1);
    assert.ok(of(modules, /^rules\/azure\/[^/]+\/rule\.ts$/).length >= 10, "the Azure rules are loaded");
    assert.ok(modules.includes("src/providers/azure/adapter.ts"));
    assert.deepEqual(of(modules, /^(rules|src\/providers)\/aws\//), []);
    // nor what only live collection, the TUI or the emulators need
    assert.deepEqual(of(modules, /node_modules\/(@azure|@aws-sdk|@smithy|ink|react)\//), []);
    assert.deepEqual(of(modules, /^src\/(tui|providers\/azure\/emulator)\//), []);
    // nor what a report to stdout does without: chalk (its terminal detection opens stdin), node:crypto (temporary file names)
    assert.deepEqual(of(modules, /node_modules\/chalk\/|^node:(crypto|tty)$/), []);
  });

  it("check --snapshot of an AWS scenario loads the AWS provider and AWS rules only", () => {
    const { code, modules } = loaded(["check", "--snapshot", join(ROOT, "fixtures", "aws", "target-stopped.json"), "--no-config"]);
    assert.equal(code, 1);
    assert.ok(of(modules, /^rules\/aws\/[^/]+\/rule\.ts$/).length >= 10, "the AWS rules are loaded");
    assert.deepEqual(of(modules, /^(rules|src\/providers)\/azure\//), []);
  });

  it("the lazy registry holds every rule of the catalog, by provider, and knows every id without loading a rule", async () => {
    const loadedAll = [...(await rulesFor("aws")), ...(await rulesFor("azure"))];
    assert.deepEqual(
      loadedAll.map((r) => r.id),
      catalog.map((r) => r.id),
    );
    for (const p of ["aws", "azure"] as const) {
      for (const r of await rulesFor(p)) assert.equal(r.provider, p, r.id);
      assert.deepEqual(
        RULE_IDS[p],
        (await rulesFor(p)).map((r) => r.id),
      );
    }
    assert.deepEqual([...ALL_RULE_IDS].sort(), catalog.map((r) => r.id).sort());
  });
});
