/**
 * The packed tarball works for someone who never cloned the repository: it
 * carries the LICENSE, the built CLI and the bundled scenarios, no `prepare`
 * script for consumers to run, and once installed into an empty prefix
 * (offline, from npm's cache; else with the dependencies linked from this
 * checkout) it checks a bundled scenario. Bounded in time.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { ROOT } from "./support/cli.ts";

const npm = (args: string[], cwd: string, timeout = 240_000) =>
  spawnSync("npm", args, { cwd, encoding: "utf8", timeout, env: { ...process.env, npm_config_update_notifier: "false" } });

describe("the packed tarball, installed where nothing was cloned", { timeout: 600_000 }, () => {
  let tmp: string;
  let tgz: string;
  /** where the tarball got installed (by the test that installs it) */
  let pkgDir: string | undefined;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "lbdoctor-pack-"));
    const r = npm(["pack", "--pack-destination", tmp, "--silent"], ROOT);
    assert.equal(r.status, 0, r.stderr);
    const name = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    assert.ok(name, "npm pack wrote a tarball");
    tgz = join(tmp, name);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("carries the LICENSE, dist/, bin/ and fixtures/, and no prepare script", () => {
    const list = spawnSync("tar", ["-tzf", tgz], { encoding: "utf8" }).stdout.split("\n");
    for (const f of [
      "package/LICENSE",
      "package/bin/lbdoctor.js",
      "package/dist/src/cli.js",
      "package/dist/bundle/cli.js",
      "package/dist/bundle/snapshot-validator.cjs",
      "package/fixtures/azure/probe-blocked-by-nsg.json",
    ]) {
      assert.ok(list.includes(f), `${f} in the tarball`);
    }
    const pkg = JSON.parse(spawnSync("tar", ["-xzOf", tgz, "package/package.json"], { encoding: "utf8" }).stdout);
    assert.equal(pkg.scripts?.prepare, undefined, "no prepare script runs on a consumer's install");
    assert.equal(pkg.license, "MIT");
    assert.match(readFileSync(join(ROOT, "LICENSE"), "utf8"), /^MIT License/);
  });

  it("installed into an empty prefix, it checks a bundled scenario", () => {
    const prefix = join(tmp, "prefix");
    mkdirSync(prefix);
    const offline = npm(["install", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tgz], tmp, 180_000);
    const dir = join(prefix, "node_modules", "lbdoctor");
    if (offline.status !== 0 || (!existsSync(join(dir, "node_modules")) && !existsSync(join(prefix, "node_modules", "commander")))) {
      // npm's cache lacks a dependency: unpack the tarball and link this checkout's dependencies
      rmSync(prefix, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      assert.equal(spawnSync("tar", ["-xzf", tgz, "-C", dir, "--strip-components=1"]).status, 0);
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    }
    pkgDir = dir;
    const scenario = join(pkgDir, "fixtures", "azure", "probe-blocked-by-nsg.json");
    const r = spawnSync(process.execPath, [join(pkgDir, "bin", "lbdoctor.js"), "check", "--snapshot", scenario, "--no-config"], {
      cwd: tmp,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: "1", LBDOCTOR_FROM_SOURCE: "" },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /azure\/probe-blocked-by-nsg/);
  });

  it("installed, it writes its compile cache to the user's cache folder (else a private one in TMPDIR) and reads it on the next run", () => {
    assert.ok(pkgDir, "the tarball was installed by the test before");
    const installed = pkgDir;
    const scenario = join(installed, "fixtures", "azure", "probe-blocked-by-nsg.json");
    const run = (env: Record<string, string>) => {
      const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", NODE_DEBUG_NATIVE: "COMPILE_CACHE", ...env };
      for (const k of ["NODE_COMPILE_CACHE", "NODE_DISABLE_COMPILE_CACHE", "LBDOCTOR_FROM_SOURCE"]) delete base[k];
      const r = spawnSync(process.execPath, [join(installed, "bin", "lbdoctor.js"), "check", "--snapshot", scenario, "--no-config"], {
        cwd: tmp,
        encoding: "utf8",
        timeout: 60_000,
        env: base,
      });
      assert.equal(r.status, 1, r.stderr);
      return r.stderr;
    };
    const files = (dir: string): string[] =>
      existsSync(dir)
        ? readdirSync(dir, { recursive: true, withFileTypes: true })
            .filter((e) => e.isFile())
            .map((e) => e.name)
        : [];
    // the package's own compiled code is cached (dist/), and accepted on the second run
    // the CLI runs from the bundle (scripts/bundle.ts)
    const cli = pathToFileURL(join(installed, "dist", "bundle", "cli.js")).href;
    const accepted = (stderr: string) => stderr.includes(`code cache for ESM ${cli} was accepted`);
    const xdg = mkdtempSync(join(tmp, "xdg-"));
    run({ XDG_CACHE_HOME: xdg });
    assert.ok(files(join(xdg, "lbdoctor", "compile-cache")).length > 0, "the first run wrote the cache");
    const second = run({ XDG_CACHE_HOME: xdg });
    assert.ok(accepted(second), "the second run read the package's code from the cache");
    // every module's entry is taken (compiled the same way both runs: bin/compile-cache.js compileEagerly), none compiled again
    assert.doesNotMatch(second, /was rejected/);
    // no usable home cache folder (a CI user, a container): the private folder in the temp folder
    const notAFolder = join(tmp, "not-a-folder");
    writeFileSync(notAFolder, "");
    const temp = mkdtempSync(join(tmp, "temp-"));
    run({ XDG_CACHE_HOME: notAFolder, HOME: notAFolder, TMPDIR: temp });
    assert.ok(files(join(temp, `lbdoctor-compile-cache-${process.getuid?.()}`)).length > 0, "the fallback folder holds the cache");
    assert.ok(accepted(run({ XDG_CACHE_HOME: notAFolder, HOME: notAFolder, TMPDIR: temp })));
  });

  it("the Node-version hint does not talk about a clone", () => {
    const bin = readFileSync(join(ROOT, "bin", "lbdoctor.js"), "utf8");
    const hint = /process\.stderr\.write\(([\s\S]*?)\);/.exec(bin)?.[1] ?? "";
    assert.match(hint, /Install Node 22 or newer/);
    assert.doesNotMatch(hint, /clone|npm install/i);
  });
});
