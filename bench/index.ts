/**
 * lbdoctor's speed and scale, measured: every figure is a ratio taken in the
 * same run, so it means the same on a laptop and on a loaded CI machine.
 *
 *   npm run bench                 # the full run (minutes)
 *   npm run bench -- --quick      # CI: reduced sizes, loose thresholds (well under 2 minutes)
 *   npm run bench -- --only collect,engine,startup,tenant,tui
 *   npm run bench -- --latency 50 --collect-latency 100 --lro 1000
 *
 * 1. collect  live collection through the SDKs against the ARM emulator (its
 *             own process) at 100 ms a request, with Retry-After 0, 1 and none on
 *             the LRO 202s: wall time against the critical-path bound (bench/collection.ts)
 *               bound = dependent call chain × L + LRO wait T + calls × L / concurrency
 *             (the chain: a nextLink chain is sequential by nature; the rest overlaps)
 * 2. engine   `lbdoctor check --snapshot --format json` on two synthetic
 *             topologies (bench/engine.ts), in a child process: time, peak
 *             RSS, report size against the snapshot, time growth per input
 *             growth (2k → 20k → 100k NICs; --quick: 500 → 5,000)
 * 3. startup  `lbdoctor --version` (≤ 1.5×) and `check --snapshot <small fixture>`
 *             (≤ 2.5×) against `node -e 0` on the same Node; modules check loads (bench/startup.ts)
 * 4. tenant   200 subscriptions × 10 LBs: the Resource Graph path against a
 *             per-resource-group ARM walk (calls, wall time, 429s)
 * 5. aws      accounts × regions through AssumeRole and --all-regions, AWS's Describe*
 *             token buckets enforced: calls, wall time, throttles, gaps (bench/aws.ts)
 * 6. tui      time to the explorer's first frame on 20,000 NICs, and a keypress
 *             at 10 against 20,000+ rows (bench/tui.ts)
 * 7. time     what a time-data window adds (calls, wall), Azure and AWS (bench/time.ts)
 *
 * Prints a table and writes bench/results.json (gitignored). Exits 1 when a
 * target is missed (with --quick: the loose CI thresholds).
 */
import { type ChildProcess, fork, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ArmEmulatorOptions } from "../src/providers/azure/emulator/index.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { benchAws } from "./aws.ts";
import { BENCH_SUB, generate, tenant } from "./gen.ts";
import { benchTui } from "./tui.ts";
import { benchTime } from "./time.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "lbdoctor.js");
const HOOK = join(ROOT, "bench", "rss-hook.mjs");

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    latency: { type: "string", default: "50" },
    "collect-latency": { type: "string", default: "100" },
    lro: { type: "string", default: "1000" },
    out: { type: "string", default: join(ROOT, "bench", "results.json") },
  },
});
const QUICK = args.quick === true;
const L = Number(args.latency);
const COLLECT_L = Number(args["collect-latency"]);
const T = Number(args.lro);
const only = new Set((args.only ?? "collect,engine,startup,tenant,aws,tui,time").split(","));
const TMP = mkdtempSync(join(tmpdir(), "lbdoctor-bench-"));
const deadline = Date.now() + (QUICK ? 110_000 : 30 * 60_000);

interface Row {
  section: string;
  case: string;
  figures: Record<string, number | string>;
  /** target is a ceiling, or a floor with atLeast */
  ratio?: { name: string; value: number; target: number; ok: boolean; atLeast?: boolean };
}
const rows: Row[] = [];
const failures: string[] = [];
function check(row: Row): void {
  rows.push(row);
  const cmp = row.ratio?.atLeast ? "≥" : "≤";
  if (row.ratio && !row.ratio.ok)
    failures.push(`${row.section} ${row.case}: ${row.ratio.name} ${row.ratio.value.toFixed(2)}, target ${cmp} ${row.ratio.target}`);
  const f = Object.entries(row.figures)
    .map(([k, v]) => `${k} ${typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(1)) : v}`)
    .join(", ");
  const r = row.ratio ? `  ${row.ratio.name} ${row.ratio.value.toFixed(2)} (target ${cmp} ${row.ratio.target}) ${row.ratio.ok ? "ok" : "MISSED"}` : "";
  console.log(`  ${row.case.padEnd(34)} ${f}${r}`);
}

// ---------------------------------------------------------------------------
// the emulator in a child process

interface EmuChild {
  url: string;
  ca: string;
  counts(): Promise<{ counts: Record<string, number>; total: number; maxInFlight?: number }>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function startEmulatorChild(snapshotFiles: string[], options: Omit<ArmEmulatorOptions, "snapshots">): Promise<EmuChild> {
  const child: ChildProcess = fork(join(ROOT, "bench", "emulator-child.ts"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waitFor = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMsg = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off("message", onMsg);
        child.off("exit", onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`emulator child exited (${code})`));
      child.on("message", onMsg);
      child.once("exit", onExit);
    });
  const ready = waitFor<{ url: string; ca: string }>("ready");
  child.send({ type: "start", snapshotFiles, options });
  const { url, ca } = await ready;
  return {
    url,
    ca,
    counts: async () => {
      const p = waitFor<{ counts: Record<string, number>; total: number; maxInFlight?: number }>("counts");
      child.send({ type: "counts" });
      return p;
    },
    reset: async () => {
      const p = waitFor("reset");
      child.send({ type: "reset" });
      await p;
    },
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ type: "stop" });
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------
// 1. collection against the critical-path bound

async function benchCollect(): Promise<void> {
  const { benchCollect: run } = await import("./collection.ts");
  await run({ quick: QUICK, tmp: TMP, latencyMs: COLLECT_L, lroMs: T, startEmulator: startEmulatorChild, check, failures });
}

// ---------------------------------------------------------------------------
// 2. the engine: check --snapshot in a child process

interface ChildRun {
  wallMs: number;
  maxRssMb: number;
  code: number;
  stdout: string;
}

function runMeasured(argv: string[], env: Record<string, string> = {}): Promise<ChildRun> {
  const stats = join(TMP, `stats-${process.hrtime.bigint()}.json`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["--import", HOOK, ...argv], {
      env: { ...process.env, NO_COLOR: "1", LBDOCTOR_BENCH_STATS: stats, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      stdout += d;
    });
    const timer = setTimeout(() => child.kill(), 300_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      try {
        const s = JSON.parse(readFileSync(stats, "utf8")) as { maxRssMb: number };
        resolve({ wallMs, maxRssMb: s.maxRssMb, code: code ?? -1, stdout });
      } catch {
        reject(new Error(`${argv.join(" ")} exited ${code} without stats`));
      }
    });
  });
}

async function benchEngine(): Promise<void> {
  const { benchEngine: run } = await import("./engine.ts");
  await run({ quick: QUICK, tmp: TMP, bin: BIN, runMeasured, check, failures });
}

// ---------------------------------------------------------------------------
// 3. start-up

async function benchStartup(): Promise<void> {
  const { benchStartup: run } = await import("./startup.ts");
  await run({ quick: QUICK, root: ROOT, bin: BIN, tmp: TMP, check });
}

// ---------------------------------------------------------------------------
// 4. tenant scale: Resource Graph against a per-resource-group ARM walk

async function benchTenant(): Promise<void> {
  const { collectAzure } = await import("../src/providers/azure/collect/collect.ts");
  const { collectAzureGraph } = await import("../src/providers/azure/collect/arg.ts");
  const { staticTokenCredential } = await import("../src/providers/azure/collect/credentials.ts");
  const { limiter } = await import("../src/core/util/limit.ts");
  const subs = QUICK ? 40 : 200;
  const lbsPerSub = 10;
  const t = tenant({ subscriptions: subs, lbsPerSubscription: lbsPerSub, rgsPerSubscription: 2, nicsPerLb: 4 });
  const file = join(TMP, "tenant.json");
  writeFileSync(file, JSON.stringify(t.snapshots));
  const latency = QUICK ? Math.min(L, 20) : L;
  console.log(
    `\n4. Tenant: ${subs} subscriptions × ${lbsPerSub} LBs (${t.resourceGroups.length} resource groups, ${t.snapshots.reduce((a, s) => a + s.resources.length, 0)} resources), ${latency} ms a call, ARG quota 15 queries / 5 s enforced`,
  );
  const emu = await startEmulatorChild([file], { latencyMs: latency, argQuota: { queries: 15, windowMs: 5000 } });
  const credential = staticTokenCredential("bench");
  try {
    // Resource Graph
    const t0 = performance.now();
    const graph = await collectAzureGraph({ subscriptionIds: t.subscriptionIds, credential, endpoint: emu.url, ca: emu.ca });
    const argMs = performance.now() - t0;
    const argCounts = await emu.counts();
    const throttled = argCounts.counts["resourceGraph.throttled"] ?? 0;
    await emu.reset();
    // the per-resource-group ARM walk: every list of every resource group (no LROs), 4 groups at a time
    const t1 = performance.now();
    const limit = limiter(4);
    let walkResources = 0;
    await Promise.all(
      t.resourceGroups.map((g) =>
        limit(async () => {
          const s: AzureSnapshot = await collectAzure({
            subscriptionId: g.subscriptionId,
            resourceGroup: g.resourceGroup,
            credential,
            endpoint: emu.url,
            ca: emu.ca,
            effectiveNsg: false,
            ruleHealth: false,
          });
          walkResources += s.resources.length;
        }),
      ),
    );
    const walkMs = performance.now() - t1;
    const walkCounts = await emu.counts();
    // a real walk also lists each subscription's resource groups first
    const walkCalls = walkCounts.total + subs;
    const argCalls = argCounts.total;
    const lbs = graph.resources.filter((r) => r.type.toLowerCase() === "microsoft.network/loadbalancers").length;
    const callRatio = walkCalls / argCalls;
    check({
      section: "tenant",
      case: "Resource Graph",
      figures: { calls: argCalls, wallMs: Math.round(argMs), resources: graph.resources.length, lbs, throttled429: throttled, gaps: graph.gaps?.length ?? 0 },
      ratio: { name: "429s", value: throttled, target: 0, ok: throttled === 0 && lbs === t.loadBalancers },
    });
    check({ section: "tenant", case: "ARM walk per resource group", figures: { calls: walkCalls, wallMs: Math.round(walkMs), resources: walkResources } });
    check({
      section: "tenant",
      case: "walk ÷ Resource Graph",
      figures: { wallRatio: Number((walkMs / argMs).toFixed(1)) },
      ratio: { name: "calls walk/graph", value: callRatio, target: 20, ok: callRatio >= 20, atLeast: true },
    });
  } finally {
    await emu.stop();
  }
}

// ---------------------------------------------------------------------------

function machine() {
  let model = cpus()[0]?.model ?? "unknown";
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? model;
  } catch {}
  const nproc = spawnSync("nproc", { encoding: "utf8" }).stdout?.trim() || String(cpus().length);
  return { nproc: Number(nproc), cpu: model, node: process.versions.node, platform: `${process.platform}-${process.arch}` };
}

const started = Date.now();
const m = machine();
console.log(`lbdoctor bench${QUICK ? " (quick)" : ""}: ${m.nproc} CPUs (${m.cpu}), Node ${m.node}, ${m.platform}`);
try {
  for (const [name, fn] of [
    ["startup", benchStartup],
    ["engine", benchEngine],
    ["collect", benchCollect],
    ["tenant", benchTenant],
    ["aws", () => benchAws({ quick: QUICK, latencyMs: L, check })],
    [
      "tui",
      async () => {
        console.log(`\n6. TUI: first paint (a child process, to the explorer's first frame) and a keypress at 10 vs ${QUICK ? "2,000" : "20,000"} NICs, every result listed`);
        await benchTui(QUICK, (f) => check({ section: "tui", ...f }));
      },
    ],
    ["time", () => benchTime({ quick: QUICK, check })],
  ] as const) {
    if (!only.has(name)) continue;
    if (Date.now() > deadline) {
      failures.push(`${name}: skipped, the time budget ran out`);
      continue;
    }
    await fn();
  }
} finally {
  rmSync(TMP, { recursive: true, force: true });
}
const results = { when: new Date().toISOString(), quick: QUICK, machine: m, latencyMs: L, lroMs: T, seconds: Math.round((Date.now() - started) / 1000), rows, failures };
mkdirSync(dirname(args.out as string), { recursive: true });
writeFileSync(args.out as string, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${failures.length === 0 ? "every target met" : `missed: \n  ${failures.join("\n  ")}`} (${results.seconds} s; ${args.out})`);
process.exitCode = failures.length === 0 ? 0 : 1;
