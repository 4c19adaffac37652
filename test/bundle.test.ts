/**
 * The built CLI (dist/bundle/, scripts/bundle.ts) as bin/lbdoctor.js runs it: the same
 * answers as the sources, and a check of a snapshot loads a handful of files, its
 * provider's code and none of the other provider's, and no more of Node's own modules
 * than it uses. Skipped until `npm run build`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BIN, ROOT } from "./support/cli.ts";

const built = existsSync(join(ROOT, "dist", "bundle", "cli.js"));
const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-bundle-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const HOOK = pathToFileURL(join(ROOT, "test", "support", "module-log.mjs")).href;
let n = 0;

/** Runs bin/lbdoctor.js on the bundle (fromSource false) or on the sources; with the module URLs it loaded. */
function run(args: string[], fromSource = false): { code: number; stdout: string; stderr: string; modules: string[] } {
  const log = join(tmp, `modules-${n++}.txt`);
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", LBDOCTOR_MODULE_LOG: log };
  if (fromSource) env.LBDOCTOR_FROM_SOURCE = "1";
  else delete env.LBDOCTOR_FROM_SOURCE;
  const r = spawnSync(process.execPath, ["--import", HOOK, BIN, ...args], { cwd: ROOT, encoding: "utf8", env, timeout: 60_000 });
  const modules = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, modules };
}

/** The bundle's files a run loaded, and the provider folders their modules come from (esbuild names each module's path in a comment). */
function bundleFiles(modules: string[]): { files: string[]; providers: Set<string> } {
  const prefix = pathToFileURL(join(ROOT, "dist", "bundle")).href;
  const files = modules.filter((m) => m.startsWith(`${prefix}/`));
  const providers = new Set<string>();
  for (const f of files) {
    for (const m of readFileSync(fileURLToPath(f), "utf8").matchAll(/^\/\/ dist\/(?:src\/providers|rules)\/(azure|aws)\//gm)) {
      providers.add(m[1] as string);
    }
  }
  return { files, providers };
}

/** Node's own modules a run loaded (process.moduleLoadList, written at exit by a CommonJS preload that itself loads none). */
function nodeModulesLoaded(args: string[]): string[] {
  const preload = join(tmp, "load-list.cjs");
  writeFileSync(preload, 'process.on("exit", () => process._rawDebug("LOADLIST " + JSON.stringify(process.moduleLoadList)));\n');
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  delete env.LBDOCTOR_FROM_SOURCE;
  const r = spawnSync(process.execPath, ["--require", preload, BIN, ...args], { cwd: ROOT, encoding: "utf8", env, timeout: 60_000 });
  const line = r.stderr.split("\n").find((l) => l.startsWith("LOADLIST "));
  assert.ok(line, r.stderr);
  return JSON.parse(line.slice("LOADLIST ".length)) as string[];
}

describe("Node's modules at start-up", () => {
  // an ESM import of node:fs makes its ESM facade, which reads every export: fs/promises, its streams and readline load
  const facade = /^NativeModule internal\/(fs\/promises|fs\/streams|readline\/interface)$/;
  it("--version takes node:fs without its ESM facade (no fs/promises, streams or readline)", () => {
    assert.deepEqual(
      nodeModulesLoaded(["--version"]).filter((m) => facade.test(m)),
      [],
    );
  });
  it("so does a check of a snapshot on the built CLI", { skip: !built && "needs npm run build" }, () => {
    assert.deepEqual(
      nodeModulesLoaded(["check", "--snapshot", join(ROOT, "fixtures", "azure", "demo.json"), "--no-config"]).filter((m) => facade.test(m)),
      [],
    );
  });
  it("a check of a snapshot on the built CLI loads no child_process (commander's, taken when it first runs one)", {
    skip: !built && "needs npm run build",
  }, () => {
    const loaded = nodeModulesLoaded(["check", "--snapshot", join(ROOT, "fixtures", "azure", "demo.json"), "--no-config"]);
    assert.ok(loaded.includes("NativeModule v8"), "compileEagerly ran");
    assert.deepEqual(
      loaded.filter((m) => /^NativeModule (internal\/)?child_process$/.test(m)),
      [],
    );
  });
});

describe("the built CLI", { skip: !built && "needs npm run build" }, () => {
  const fixture = (p: string) => join(ROOT, "fixtures", p);

  it("answers as the sources do: reports in each format, help, and the errors of bad input (exit 2)", () => {
    for (const args of [
      ["check", "--snapshot", fixture("azure/demo.json"), "--no-config"],
      ["check", "--snapshot", fixture("azure/demo.json"), "--no-config", "--format", "json"],
      ["check", "--snapshot", fixture("aws/target-stopped.json"), "--no-config", "--format", "sarif", "--verbose"],
      ["check", "--snapshot", fixture("azure/demo.json"), "--bogus"],
      ["check", "--snapshot", fixture("azure/demo.json"), "--format", "nope"],
      ["check", "--snapshot", join(tmp, "absent.json")],
      ["check", "--help"],
      ["rules"],
      ["diff", fixture("azure/demo.json"), fixture("azure/probe-blocked-by-nsg.json")],
      ["frobnicate"],
    ]) {
      const b = run(args);
      const s = run(args, true);
      assert.deepEqual(
        { code: b.code, stdout: b.stdout, stderr: b.stderr },
        { code: s.code, stdout: s.stdout, stderr: s.stderr },
        args.join(" "),
      );
      // one ran the bundle, the other the sources
      assert.ok(
        b.modules.some((m) => m.endsWith("/dist/bundle/cli.js")),
        args.join(" "),
      );
      assert.ok(
        s.modules.some((m) => m.endsWith("/src/cli.ts")),
        args.join(" "),
      );
    }
    assert.equal(run(["check", "--snapshot", fixture("azure/demo.json"), "--bogus"]).code, 2);
  });

  it("a check of an Azure snapshot loads a handful of files: the CLI, its provider's code and none of AWS's", () => {
    const r = run(["check", "--snapshot", fixture("azure/demo.json"), "--no-config"]);
    assert.equal(r.code, 1, r.stderr);
    const { files, providers } = bundleFiles(r.modules);
    assert.deepEqual([...providers], ["azure"]);
    // the core, the provider's group, the validator and a few tiny entry files (scripts/bundle.ts), not dozens of chunks
    assert.ok(files.length <= 10, files.join("\n"));
    // the CLI parser is bundled in, not resolved from node_modules file by file
    assert.deepEqual(
      r.modules.filter((m) => /node_modules\/(commander|ipaddr\.js)\//.test(m)),
      [],
    );
  });

  it("is ASCII only (Node decodes anything else on a slow path, into a string twice the size)", () => {
    const dir = join(ROOT, "dist", "bundle");
    for (const f of readdirSync(dir)) {
      assert.match(readFileSync(join(dir, f), "utf8"), /^[\x00-\x7f]*$/, f);
    }
  });

  it("a check of an AWS snapshot loads AWS's code and none of Azure's", () => {
    const r = run(["check", "--snapshot", fixture("aws/target-stopped.json"), "--no-config"]);
    assert.equal(r.code, 1, r.stderr);
    const { files, providers } = bundleFiles(r.modules);
    assert.deepEqual([...providers], ["aws"]);
    assert.ok(files.length <= 10, files.join("\n"));
  });
});
