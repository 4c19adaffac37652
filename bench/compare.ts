/**
 * Before and after, on the same machine in one run: the same measurements of
 * this checkout and of an earlier revision, side by side.
 *
 *   npm run bench:compare -- --before <git revision> [--quick]
 *
 * The earlier revision is checked out in a temporary git worktree (sharing
 * this checkout's node_modules) and built; both builds then run, in turn:
 *
 *   engine    `check --snapshot --format json` on synthetic snapshots (100
 *             load balancers' worth of 200-member pools, bench/gen.ts): wall,
 *             peak RSS, exit code, report size against the snapshot
 *   startup   `--version` and `check --snapshot fixtures/azure/demo.json`
 *             against `node -e 0` (medians)
 *   collect   `check <resource-group>` live against one ARM emulator (this
 *             checkout's, in its own process) at 100 ms a call, long-running
 *             operations ready after 1 s, with Retry-After 0 and 1
 *
 * Prints a Markdown table (and writes bench/compare-results.json). Measures;
 * never fails on a figure (the targets are `npm run bench`'s).
 */
import { type ChildProcess, execFileSync, fork, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generate } from "./gen.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const HOOK = join(ROOT, "bench", "rss-hook.mjs");
const { values: args } = parseArgs({
  options: {
    before: { type: "string" },
    quick: { type: "boolean", default: false },
    out: { type: "string", default: join(ROOT, "bench", "compare-results.json") },
  },
});
if (!args.before) {
  process.stderr.write("usage: npm run bench:compare -- --before <git revision> [--quick]\n");
  process.exit(2);
}
const QUICK = args.quick === true;
const TMP = mkdtempSync(join(tmpdir(), "lbdoctor-compare-"));

interface Build {
  label: string;
  root: string;
  bin: string;
}

function git(...a: string[]): string {
  return execFileSync("git", a, { cwd: ROOT, encoding: "utf8" }).trim();
}

function prepareBefore(rev: string): Build {
  const sha = git("rev-parse", "--short", rev);
  const dir = join(TMP, `before-${sha}`);
  git("worktree", "add", "--detach", dir, sha);
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  process.stderr.write(`building ${sha} in ${dir}\n`);
  const r = spawnSync("npm", ["run", "build"], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building ${sha} failed:\n${r.stdout}\n${r.stderr}`);
  return { label: `before (${sha})`, root: dir, bin: join(dir, "bin", "lbdoctor.js") };
}

interface Run {
  ms: number;
  rssMb: number;
  code: number;
  stdoutBytes: number;
}

/** One child process: wall time, peak RSS (through the preload hook), exit code, bytes on stdout. */
function measure(argv: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<Run> {
  const stats = join(TMP, `stats-${process.hrtime.bigint()}.json`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["--import", HOOK, ...argv], {
      env: { ...process.env, NO_COLOR: "1", LBDOCTOR_BENCH_STATS: stats, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let bytes = 0;
    child.stdout.on("data", (d: Buffer) => {
      bytes += d.length;
    });
    child.stderr.resume();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      let rssMb = Number.NaN;
      try {
        rssMb = (JSON.parse(readFileSync(stats, "utf8")) as { maxRssMb: number }).maxRssMb;
      } catch {
        // killed before the hook wrote its figures
      }
      resolve({ ms, rssMb, code: code ?? -1, stdoutBytes: bytes });
    });
  });
}

function medianMs(argv: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, argv, { env: { ...process.env, NO_COLOR: "1" }, stdio: "ignore" });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

interface Line {
  what: string;
  before: string;
  after: string;
  change: string;
}
const lines: Line[] = [];
const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtMb = (mb: number) => (Number.isNaN(mb) ? "?" : `${Math.round(mb)} MB`);
function add(what: string, b: number, a: number, fmt: (n: number) => string, note = { before: "", after: "" }): void {
  // no ratio where either side has no figure (a run that produced no report)
  const comparable = Number.isFinite(b) && Number.isFinite(a) && a > 0 && b > 0 && !note.before && !note.after;
  const change = !comparable ? "" : b >= a ? `${(b / a).toFixed(1)}× less` : `${(a / b).toFixed(1)}× more`;
  lines.push({ what, before: `${fmt(b)}${note.before}`, after: `${fmt(a)}${note.after}`, change });
}

async function engine(before: Build, after: Build): Promise<void> {
  const sizes = QUICK ? [1000, 5000] : [2000, 20000];
  for (const nics of sizes) {
    const { snapshot } = generate({ seed: 1, nics, nicsPerLb: 200 });
    const file = join(TMP, `engine-${nics}.json`);
    writeFileSync(file, JSON.stringify(snapshot));
    const snapMb = statSync(file).size / 1e6;
    const runs: Record<string, Run> = {};
    for (const b of [before, after]) runs[b.label] = await measure([b.bin, "check", "--snapshot", file, "--format", "json"]);
    const rb = runs[before.label] as Run;
    const ra = runs[after.label] as Run;
    const exit = (r: Run) => (r.code === 0 || r.code === 1 ? "" : ` (exit ${r.code})`);
    add(`engine ${nics} NICs (${snapMb.toFixed(0)} MB snapshot): wall`, rb.ms, ra.ms, fmtMs, { before: exit(rb), after: exit(ra) });
    // a run that failed still has a wall time and a peak: those compare; its report does not exist
    add(`engine ${nics} NICs: peak RSS`, rb.rssMb, ra.rssMb, fmtMb);
    add(`engine ${nics} NICs: JSON report / snapshot`, rb.stdoutBytes / 1e6 / snapMb, ra.stdoutBytes / 1e6 / snapMb, (x) => `${x.toFixed(2)}×`, {
      before: exit(rb) ? " (no report)" : "",
      after: exit(ra) ? " (no report)" : "",
    });
  }
}

function startup(before: Build, after: Build): void {
  const runs = QUICK ? 5 : 11;
  const bare = medianMs(["-e", "0"], runs);
  const demo = join(ROOT, "fixtures", "azure", "demo.json");
  for (const [what, argv] of [
    ["--version", ["--version"]],
    ["check --snapshot demo.json", ["check", "--snapshot", demo]],
  ] as const) {
    // one warm-up each: the compile cache and the file system cache, as a second run of a user's would be
    for (const b of [before, after]) medianMs([b.bin, ...argv], 1);
    const b = medianMs([before.bin, ...argv], runs) / bare;
    const a = medianMs([after.bin, ...argv], runs) / bare;
    add(`start-up ${what} / node -e 0 (${Math.round(bare)} ms)`, b, a, (x) => `${x.toFixed(2)}×`);
  }
}

interface EmuChild {
  url: string;
  ca: string;
  stop(): Promise<void>;
}

async function emulator(snapshotFile: string, options: Record<string, unknown>): Promise<EmuChild> {
  const child: ChildProcess = fork(join(ROOT, "bench", "emulator-child.ts"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ready = new Promise<{ url: string; ca: string }>((resolve, reject) => {
    child.on("message", (m: { type: string; url: string; ca: string }) => {
      if (m.type === "ready") resolve(m);
    });
    child.once("exit", (code) => reject(new Error(`emulator child exited (${code})`)));
  });
  child.send({ type: "start", snapshotFiles: [snapshotFile], options });
  const { url, ca } = await ready;
  return {
    url,
    ca,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ type: "stop" });
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function collect(before: Build, after: Build): Promise<void> {
  const fixture = join(ROOT, "fixtures", "azure", "demo.json");
  const snap = JSON.parse(readFileSync(fixture, "utf8")) as { scope: { subscriptionId: string; resourceGroup: string } };
  for (const retryAfter of [0, 1]) {
    const emu = await emulator(fixture, { latencyMs: 100, lroMs: 1000, lroRetryAfterSeconds: retryAfter });
    const caFile = join(TMP, `ca-${retryAfter}.pem`);
    writeFileSync(caFile, emu.ca);
    try {
      const argv = (b: Build) => [b.bin, "check", snap.scope.resourceGroup, "--subscription", snap.scope.subscriptionId, "--endpoint", emu.url, "--ca-file", caFile];
      const rb = await measure(argv(before));
      const ra = await measure(argv(after));
      add(`collect demo at 100 ms/call, LRO 1 s, Retry-After ${retryAfter}: wall`, rb.ms, ra.ms, fmtMs);
    } finally {
      await emu.stop();
    }
  }
}

let before: Build | undefined;
try {
  before = prepareBefore(args.before);
  const after: Build = { label: "after", root: ROOT, bin: join(ROOT, "bin", "lbdoctor.js") };
  if (!existsSync(join(ROOT, "dist"))) throw new Error("build this checkout first (npm run build)");
  await engine(before, after);
  startup(before, after);
  await collect(before, after);
  const table = [
    `| measurement | ${before.label} | after | change |`,
    "|---|---|---|---|",
    ...lines.map((l) => `| ${l.what} | ${l.before} | ${l.after} | ${l.change} |`),
  ].join("\n");
  console.log(table);
  writeFileSync(args.out, `${JSON.stringify({ before: before.label, quick: QUICK, lines }, null, 2)}\n`);
} finally {
  if (before) git("worktree", "remove", "--force", before.root);
  rmSync(TMP, { recursive: true, force: true });
}
