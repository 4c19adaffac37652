#!/usr/bin/env node
// Entry point. Kept tiny: it checks the Node version, answers `--version`
// from package.json without loading anything else, turns on the module
// compile cache and hands over to the compiled CLI (dist/bundle/, else dist/src/), or to the
// TypeScript sources through Node's type stripping in a clone that has not
// been built, or when LBDOCTOR_FROM_SOURCE=1 (the tests run the sources).
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  process.stderr.write(
    `lbdoctor: Node ${process.versions.node} is too old; it needs Node 22 or newer.\n` +
      "  Install Node 22 or newer (https://nodejs.org, or your platform's package manager or version manager), then run lbdoctor again.\n",
  );
  process.exit(2);
}
// node:fs as CommonJS (process.getBuiltinModule, Node 22.3+): an ESM import of it reads every export, which loads
// fs/promises, its streams and readline, a tenth of `--version`
const { existsSync, readFileSync } = process.getBuiltinModule?.("node:fs") ?? (await import("node:fs"));
const argv = process.argv.slice(2);
// `lbdoctor --version` alone: no CLI parser, no compile cache, nothing but package.json (what `-v, --version` prints)
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version}\n`);
} else {
  // a closed pipe (`lbdoctor check … | head`) is the reader's choice, not a crash
  process.stdout.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  const { compileEagerly, enableCompileCache, readsSnapshotFile } = await import("./compile-cache.js");
  // a large snapshot file: run once more with V8's young generation capped (young-generation.js)
  const rerun = readsSnapshotFile(argv) ? await import("./young-generation.js") : undefined;
  if (rerun?.wantsRerun(argv, readsSnapshotFile)) {
    process.exitCode = await rerun.rerunCapped(import.meta.url, argv);
  } else await run(compileEagerly, enableCompileCache);
}

async function run(compileEagerly, enableCompileCache) {
  enableCompileCache();
  // the bundle (scripts/bundle.ts: a few chunks instead of a hundred modules), else tsc's output, else the sources
  const built = [new URL("../dist/bundle/cli.js", import.meta.url), new URL("../dist/src/cli.js", import.meta.url)].find((u) =>
    existsSync(u),
  );
  const fromSource = process.env.LBDOCTOR_FROM_SOURCE === "1" || !built;
  // the built CLI's functions into the compile cache too, not just its modules' top level (compile-cache.js)
  if (!fromSource) compileEagerly(argv, process.env, built.pathname.endsWith("/dist/bundle/cli.js"));
  const { main } = await import(fromSource || !built ? "../src/cli.ts" : built.href);
  process.exitCode = await main(argv);
}
