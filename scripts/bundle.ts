/**
 * Bundles the compiled CLI (dist/src/cli.js, from tsc) into dist/bundle/:
 * lbdoctor's own modules merged into a few chunks, split where the CLI imports
 * lazily (a command, a provider, a provider's rules, the collectors, the TUI),
 * so start-up resolves and loads a handful of files instead of a hundred.
 * Dependencies stay in node_modules (--packages=external). bin/lbdoctor.js runs
 * dist/bundle/cli.js when it is there.
 *
 *   node scripts/bundle.ts        (part of `npm run build`, after tsc)
 */
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "bundle");
const entry = join(root, "dist", "src", "cli.js");
// the precompiled snapshot validator, which src/core/snapshot/load.ts requires next to itself
const validator = join(root, "dist", "src", "core", "snapshot", "snapshot-validator.cjs");
for (const f of [entry, validator]) {
  if (!existsSync(f)) {
    process.stderr.write(`scripts/bundle.ts: ${f} is missing; run tsc and scripts/build-validators.ts first (npm run build)\n`);
    process.exit(1);
  }
}
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [entry],
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  packages: "external",
  chunkNames: "chunk-[hash]",
  logLevel: "warning",
});
copyFileSync(validator, join(out, "snapshot-validator.cjs"));
