/**
 * The TUI at scale (issue 12): time to first paint on a 20,000-NIC snapshot,
 * and what a keypress costs at 10 and at 20,000 rows, in one run.
 *
 *   node bench/tui.ts [--quick]            # standalone
 *   npm run bench -- --only tui            # as a section of bench/index.ts
 *
 * First paint: a child process from its start to the explorer's first frame
 * (modules, JSON, model, layout: the load balancers, while the rules run),
 * rendered into ink-testing-library's stdout; then to the frame with every
 * finding.
 * Keypress: the App in this process at 120x40 with every result listed (`a`);
 * the median time from a key to the frame it causes, small list against big.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "./gen.ts";

const HERE = fileURLToPath(import.meta.url);

export interface TuiFigure {
  case: string;
  figures: Record<string, number | string>;
  ratio?: { name: string; value: number; target: number; ok: boolean };
}

/**
 * In a child: load the snapshot and render the explorer as `lbdoctor tui` does, once the first data is ready (the load
 * balancers, while the rules run); print the ms from process start to that first frame, and to the frame with every
 * finding.
 */
async function paintChild(file: string): Promise<void> {
  const React = (await import("react")).default;
  const { render } = await import("ink-testing-library");
  const { App } = await import("../src/tui/components/app.ts");
  const { TuiSession } = await import("../src/tui/session.ts");
  const { snapshotSource } = await import("../src/tui/source.ts");
  const s = new TuiSession(snapshotSource(file));
  const loaded = s.load();
  // the collection screen gives way to the explorer once the session is ready (src/tui/index.ts)
  await new Promise<void>((resolve, reject) => {
    const check = () => (s.getState().status === "ready" ? resolve() : s.getState().status === "error" ? reject(s.getState().error) : undefined);
    s.subscribe(check);
    check();
  });
  const inst = render(
    React.createElement(App, {
      session: s,
      color: false,
      copy: () => ({ osc52: false, message: "" }),
      onExit: () => {},
      size: { columns: 120, rows: 40 },
    }),
  );
  const painted = /LOAD BALANCERS/.test(inst.lastFrame() ?? "");
  const ms = performance.now();
  const cpu = process.cpuUsage();
  await loaded;
  while (/CHECKING/.test(inst.lastFrame() ?? "")) await new Promise((r) => setImmediate(r));
  const completeMs = performance.now();
  const all = process.cpuUsage();
  inst.unmount();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const completeCpuMs = (all.user + all.system) / 1000;
  process.stdout.write(`${JSON.stringify({ ms, cpuMs, completeMs, completeCpuMs, painted, findings: s.getState().data?.findings.length ?? 0 })}\n`);
  process.exit(0);
}

/** Median ms from a key to its frame, over `n` keys (after a few to warm up): wall time, and this process's CPU time (steadier on a shared machine). */
async function keyCost(file: string, n: number): Promise<{ ms: number; cpuMs: number; rows: number }> {
  const React = (await import("react")).default;
  const { render } = await import("ink-testing-library");
  const { App } = await import("../src/tui/components/app.ts");
  const { TuiSession } = await import("../src/tui/session.ts");
  const { snapshotSource } = await import("../src/tui/source.ts");
  const { screenItems, initialUi } = await import("../src/tui/state.ts");
  const s = new TuiSession(snapshotSource(file));
  await s.load();
  const data = s.getState().data;
  const rows = screenItems({ ...initialUi(), filter: { text: "", all: true } }, { data, progress: s.getState().progress }).length;
  const inst = render(
    React.createElement(App, {
      session: s,
      color: false,
      copy: () => ({ osc52: false, message: "" }),
      onExit: () => {},
      size: { columns: 120, rows: 40 },
    }),
  );
  const press = async (k: string) => {
    const before = inst.frames.length;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    inst.stdin.write(k);
    while (inst.frames.length === before) await new Promise((r) => setImmediate(r));
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
  };
  await press("a"); // every result: the longest list
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < n + 5; i++) {
    // down through the list, with a jump to the end and back: the far rows cost what the near ones do
    const k = i % 20 === 10 ? "G" : i % 20 === 19 ? "g" : "j";
    const t = await press(k);
    if (i >= 5) {
      times.push(t.ms);
      cpus.push(t.cpuMs);
    }
  }
  inst.unmount();
  s.stop();
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return { ms: med(times), cpuMs: med(cpus), rows };
}

export async function benchTui(quick: boolean, report: (f: TuiFigure) => void = () => {}): Promise<TuiFigure[]> {
  const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-bench-tui-"));
  const out: TuiFigure[] = [];
  const push = (f: TuiFigure) => {
    out.push(f);
    report(f);
  };
  try {
    const big = quick ? 2000 : 20000;
    const files: Record<string, string> = {};
    for (const nics of [10, big]) {
      files[nics] = join(tmp, `tui-${nics}.json`);
      writeFileSync(files[nics], JSON.stringify(generate({ seed: 1, nics }).snapshot));
    }
    // first paint: the median of 3 child processes (1 in quick mode)
    const paints: number[] = [];
    const paintCpu: number[] = [];
    const completes: number[] = [];
    let findings = 0;
    const runs = quick ? 1 : 3;
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    for (let i = 0; i < runs; i++) {
      // React's production build, as `lbdoctor tui` runs it (src/commands/tui.ts); and the terminal's size where Ink
      // looks when its stdout has none (ink-testing-library's has no rows): else it runs `tput` at every frame, which
      // a terminal's stdout never makes it do
      const env = { ...process.env, NO_COLOR: "1", NODE_ENV: process.env.NODE_ENV ?? "production", COLUMNS: "120", LINES: "40" };
      const r = spawnSync(process.execPath, [HERE, "--paint", files[big] as string], { encoding: "utf8", env });
      const res = JSON.parse(r.stdout.trim().split("\n").pop() || "{}") as {
        ms?: number;
        cpuMs?: number;
        completeMs?: number;
        painted?: boolean;
        findings?: number;
      };
      if (r.status !== 0 || !res.painted || res.ms === undefined) throw new Error(`first paint failed (${r.status}): ${r.stderr.slice(0, 500)}`);
      paints.push(res.ms);
      paintCpu.push(res.cpuMs ?? 0);
      completes.push(res.completeMs ?? 0);
      findings = res.findings ?? 0;
    }
    const paint = median(paints);
    const target = quick ? 10 : 3;
    push({
      case: `first paint, ${big} NICs`,
      // the load balancers and their members while the rules run; then every finding (`findingsMs`)
      figures: { ms: Math.round(paint), cpuMs: Math.round(median(paintCpu)), findingsMs: Math.round(median(completes)), failures: findings },
      ratio: { name: `seconds (target < ${target} s)`, value: paint / 1000, target, ok: paint / 1000 <= target },
    });
    // keypress cost: small and big in the same run
    const n = quick ? 40 : 120;
    const small = await keyCost(files[10] as string, n);
    const large = await keyCost(files[big] as string, n);
    // CPU time: on a shared machine the wall time of one key is mostly waiting for a core
    const ratio = large.cpuMs / Math.max(0.05, small.cpuMs);
    const rt = quick ? 3 : 1.5;
    push({
      case: `keypress, ${small.rows} vs ${large.rows} rows`,
      figures: {
        smallMs: Number(small.ms.toFixed(2)),
        bigMs: Number(large.ms.toFixed(2)),
        smallCpuMs: Number(small.cpuMs.toFixed(2)),
        bigCpuMs: Number(large.cpuMs.toFixed(2)),
      },
      ratio: { name: "big / small (CPU)", value: ratio, target: rt, ok: ratio <= rt },
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] === HERE) {
  if (process.argv[2] === "--paint") await paintChild(process.argv[3] as string);
  else {
    const quick = process.argv.includes("--quick");
    await benchTui(quick, (r) => {
      const f = Object.entries(r.figures)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      const x = r.ratio ? `  ${r.ratio.name} ${r.ratio.value.toFixed(2)} (target ≤ ${r.ratio.target}) ${r.ratio.ok ? "ok" : "MISSED"}` : "";
      console.log(`  ${r.case.padEnd(34)} ${f}${x}`);
    });
  }
}
