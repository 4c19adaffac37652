/**
 * The engine at scale (issue 12): `lbdoctor check --snapshot <file> --format
 * json --output <report>` in a child process, on two topologies:
 *
 *   bench  the generator's own mix (40 VMs or scale-set instances a pool, every
 *          5th load balancer fronting a scale set), 200 NICs a load balancer;
 *   issue  the topology of issue 12: Standard load balancers with one pool of
 *          200 VMs each (100 of them at 20,000 NICs) and 200 VMs whose
 *          availability set is missing (200 dangling references: many gaps).
 *
 * Targets, each from one run: at 20,000 NICs under 3 s and 600 MB peak RSS,
 * the default JSON report at most 2× the snapshot; 10× the input at most 11×
 * the time (2k → 20k), and 5× at most 5.5× (20k → 100k). `--quick` (CI) runs
 * 500 → 5,000 NICs with loose thresholds.
 */
import { createWriteStream, statSync } from "node:fs";
import { join } from "node:path";
import { jsonChunks } from "../src/core/report/stream.ts";
import { type GenOptions, generate, issueTopology } from "./gen.ts";

export interface EngineBenchContext {
  quick: boolean;
  tmp: string;
  bin: string;
  runMeasured(argv: string[]): Promise<{ wallMs: number; maxRssMb: number; code: number }>;
  check(row: {
    section: string;
    case: string;
    figures: Record<string, number | string>;
    ratio?: { name: string; value: number; target: number; ok: boolean };
  }): void;
  failures: string[];
}

const TOPOLOGIES: Array<{ name: string; options: (nics: number) => GenOptions }> = [
  { name: "bench", options: (nics) => ({ seed: 1, nics, nicsPerLb: 200 }) },
  { name: "issue", options: (nics) => issueTopology(nics) },
];

/** Writes a snapshot as a stream (a 100,000-NIC snapshot is near the longest string V8 holds). */
async function writeSnapshot(file: string, snapshot: unknown): Promise<void> {
  const out = createWriteStream(file);
  for (const piece of jsonChunks(snapshot, { indent: 0, depth: 2 })) {
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => {
    out.once("error", reject);
    out.end(() => resolve());
  });
}

const mb = (bytes: number) => bytes / 1024 / 1024;

export async function benchEngine(ctx: EngineBenchContext): Promise<void> {
  const { quick } = ctx;
  // [small, big, larger]: the big size carries the absolute targets
  const sizes = quick ? [500, 5000] : [2000, 20000, 100000];
  const big = sizes[1] as number;
  const limits = quick
    ? { seconds: 20, rssMb: 1200, reportRatio: 3, scaling: 1.5 }
    : { seconds: 3, rssMb: 600, reportRatio: 2, scaling: 1.1 };
  console.log(
    `\n2. Engine: lbdoctor check --snapshot --format json --output (child process; ${quick ? "one run each" : "median of 3 below 100,000 NICs"}; peak RSS the largest)`,
  );
  for (const topo of TOPOLOGIES) {
    const results: Array<{ nics: number; ms: number }> = [];
    for (const nics of sizes) {
      const { snapshot, stats } = generate(topo.options(nics));
      const file = join(ctx.tmp, `engine-${topo.name}-${nics}.json`);
      await writeSnapshot(file, snapshot);
      const snapshotBytes = statSync(file).size;
      const out = join(ctx.tmp, `engine-${topo.name}-${nics}.report.json`);
      const runs = quick || nics >= 100000 ? 1 : 3;
      const measured: Array<{ wallMs: number; maxRssMb: number; code: number }> = [];
      for (let i = 0; i < runs; i++) measured.push(await ctx.runMeasured([ctx.bin, "check", "--snapshot", file, "--format", "json", "--output", out]));
      measured.sort((a, b) => a.wallMs - b.wallMs);
      const mid = measured[Math.floor(measured.length / 2)] as (typeof measured)[number];
      const broken = measured.find((r) => r.code !== 0 && r.code !== 1);
      if (broken) ctx.failures.push(`engine ${topo.name} ${nics} NICs: check exited ${broken.code}`);
      const rss = Math.max(...measured.map((r) => r.maxRssMb));
      const reportBytes = broken ? 0 : statSync(out).size;
      if (!broken) results.push({ nics, ms: mid.wallMs });
      const label = `${topo.name} ${nics} NICs (${stats.loadBalancers} LBs)`;
      ctx.check({
        section: "engine",
        case: label,
        figures: {
          ms: Math.round(mid.wallMs),
          peakRssMb: Math.round(rss),
          snapshotMb: Number(mb(snapshotBytes).toFixed(1)),
          reportMb: Number(mb(reportBytes).toFixed(1)),
          exit: mid.code,
        },
      });
      if (nics !== big) continue;
      const seconds = mid.wallMs / 1000;
      ctx.check({
        section: "engine",
        case: `${topo.name} ${nics} NICs time`,
        figures: {},
        ratio: { name: "seconds", value: seconds, target: limits.seconds, ok: seconds <= limits.seconds },
      });
      ctx.check({
        section: "engine",
        case: `${topo.name} ${nics} NICs peak RSS`,
        figures: {},
        ratio: { name: "MB", value: rss, target: limits.rssMb, ok: rss <= limits.rssMb },
      });
      const ratio = reportBytes / snapshotBytes;
      ctx.check({
        section: "engine",
        case: `${topo.name} ${nics} NICs report size`,
        figures: {},
        ratio: { name: "report / snapshot", value: ratio, target: limits.reportRatio, ok: reportBytes > 0 && ratio <= limits.reportRatio },
      });
    }
    // scaling between consecutive sizes that both ran (a failed run has no time to compare)
    for (let i = 1; i < results.length; i++) {
      const a = results[i - 1] as { nics: number; ms: number };
      const b = results[i] as { nics: number; ms: number };
      if (sizes.indexOf(b.nics) !== sizes.indexOf(a.nics) + 1) continue;
      const grow = b.nics / a.nics;
      const value = b.ms / a.ms;
      const target = limits.scaling * grow;
      ctx.check({
        section: "engine",
        case: `${topo.name} scaling ${a.nics} → ${b.nics} NICs (×${grow})`,
        figures: {},
        ratio: { name: "time ratio", value, target: Number(target.toFixed(2)), ok: value <= target },
      });
    }
  }
}
