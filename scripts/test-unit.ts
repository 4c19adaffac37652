/**
 * `npm run test:unit`: the fast lane, for the edit-test loop. Every rule's
 * case table (rules/**\/*.test.ts) and every test under test/ that runs in
 * process: no subprocess (no CLI run, no `aws`, no tmux, no xmllint) and no
 * emulator or other server. Which files those are is read from the files
 * themselves (SLOW below), so a new test lands in the right lane by itself.
 * All files run in one process (--test-isolation=none): the sources, the
 * schema validator and the catalog load once. The property tests run a fifth
 * of their cases (FC_SCALE=0.2, unless FC_SCALE is set). `npm test` runs
 * everything, in full.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** What makes a test file slow: it starts a process or a server. */
const SLOW = /\blbdoctor\(|\bspawn(?:Sync)?\(|\bexecFile(?:Sync)?\(|\bfork\(|\bstart(?:Arm|Aws)Emulator\(|\bcreateServer\(|\btmux\b/;

function testsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testsUnder(p));
    else if (e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

export function unitTests(): string[] {
  return [...testsUnder("test").filter((f) => !SLOW.test(readFileSync(join(ROOT, f), "utf8"))), ...testsUnder("rules")].sort();
}

if (process.argv[1] && relative(fileURLToPath(import.meta.url), process.argv[1]) === "") {
  if (process.argv.includes("--list")) {
    process.stdout.write(`${unitTests().join("\n")}\n`);
    process.exit(0);
  }
  const args = ["--test", "--test-isolation=none", ...process.argv.slice(2), ...unitTests()];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit", env: { FC_SCALE: "0.2", ...process.env } });
  process.exit(r.status ?? 1);
}
