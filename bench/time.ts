/**
 * What time data (`--since`) adds to a live collection: calls and wall time,
 * without and with a window, in the same run, through the real SDKs against
 * the emulators at their default latency (0 ms a call unless told).
 *
 *   node bench/time.ts [--quick] [--latency <ms>]      (npm run bench:time)
 *   npm run bench -- --only time                        (a section of the bench)
 *
 * Cases: the largest bundled Azure and AWS fixtures; with the full run also a
 * generated 200-LB Azure resource group (bench/gen.ts, 40 NICs per LB) and a
 * 200-LB AWS region (the largest AWS fixture's load balancer, target group and
 * listener cloned 200 times, with their CloudWatch series).
 *
 * Ratios, each taken in one run:
 *   - Azure: wall with the window ÷ wall without it;
 *   - AWS: the time data's share of the wall (with − without) ÷ the floor
 *     LookupEvents' documented 2 requests a second sets ((requests − 1) × 500 ms):
 *     CloudWatch runs beside CloudTrail, so the window should cost little more
 *     than that floor. --quick shortens the pacing to 50 ms (the calls are the
 *     same) so that CI stays within seconds.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type AwsCollectOptions, collectAws } from "../src/providers/aws/collect/collect.ts";
import { LOOKUP_INTERVAL_MS } from "../src/providers/aws/collect/time.ts";
import { startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { collectAzure } from "../src/providers/azure/collect/collect.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { generate } from "./gen.ts";

const ROOT = join(import.meta.dirname, "..");
const WINDOW = { from: "2026-03-14T02:30:00Z", until: "2026-03-14T04:00:00Z" };

/** What the bench's table takes (bench/index.ts passes its own). */
export interface TimeRow {
  section: string;
  case: string;
  figures: Record<string, number | string>;
  ratio?: { name: string; value: number; target: number; ok: boolean };
}

export interface TimeBenchOptions {
  quick: boolean;
  /** ms a call at the emulators (default: theirs, 0) */
  latencyMs?: number;
  check: (row: TimeRow) => void;
}

function largest<T>(dir: string, size: (s: T) => number): { name: string; snap: T } {
  let best: { name: string; snap: T; n: number } | undefined;
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
    const snap = JSON.parse(readFileSync(join(dir, f), "utf8")) as T;
    const n = size(snap);
    if (!best || n > best.n) best = { name: f, snap, n };
  }
  if (!best) throw new Error(`no fixtures in ${dir}`);
  return best;
}

const awsSize = (s: AwsSnapshot) =>
  (s.elbv2.LoadBalancers.length + (s.elbv2.TargetGroups?.length ?? 0) + (s.ec2?.Instances?.length ?? 0)) * 1000 +
  (s.ec2?.SecurityGroups?.length ?? 0);

/**
 * A region with `n` copies of the fixture's load balancers: every ELBv2 ARN's
 * id, and the load balancer and target group names, get a per-copy suffix;
 * instances, security groups, subnets and Auto Scaling groups stay shared.
 * The CloudWatch series are cloned with their load balancer.
 */
export function awsRegion(base: AwsSnapshot, n: number): AwsSnapshot {
  const names = [
    ...base.elbv2.LoadBalancers.map((l) => String(l.LoadBalancerName)),
    ...(base.elbv2.TargetGroups ?? []).map((t) => String(t.TargetGroupName)),
  ].sort((a, b) => b.length - a.length);
  const part = { elbv2: base.elbv2, cloudwatch: base.observations?.cloudwatch ?? {} };
  const text = JSON.stringify(part);
  const out = structuredClone(base);
  const elbv2 = out.elbv2 as unknown as Record<string, unknown>;
  for (const k of Object.keys(elbv2)) elbv2[k] = Array.isArray(elbv2[k]) ? [] : {};
  const cloudwatch: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const suffix = i.toString(16).padStart(4, "0");
    let t = text.replace(/(elasticloadbalancing:[^"]*?\/)([0-9a-f]{16})(?=["/])/g, (_, pre: string, id: string) => `${pre}${id.slice(0, 12)}${suffix}`);
    // ids deeper in an ARN (listener, rule) too
    t = t.replace(/\/([0-9a-f]{16})(?=["/])/g, (_, id: string) => `/${id.slice(0, 12)}${suffix}`);
    for (const name of names) t = t.replace(new RegExp(`([/"])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=[/"-])`, "g"), `$1${name}-${i}`);
    const copy = JSON.parse(t) as typeof part;
    for (const [k, v] of Object.entries(copy.elbv2 as unknown as Record<string, unknown>)) {
      const into = elbv2[k];
      if (Array.isArray(into)) into.push(...(v as unknown[]));
      else Object.assign(into as Record<string, unknown>, v);
    }
    Object.assign(cloudwatch, copy.cloudwatch);
  }
  out.observations = { ...(out.observations ?? {}), cloudwatch } as AwsSnapshot["observations"];
  return out;
}

type Run = { calls: number; ms: number; counts: Record<string, number> };
/** The run with the median wall time. */
const median = (runs: Run[]): Run => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)] as Run;

async function azureCase(o: TimeBenchOptions, label: string, snap: AzureSnapshot, repeat = 1): Promise<void> {
  const runs: Array<Run & { withWindow: boolean }> = [];
  // the first run pays for loading the SDKs (the time-data ones too): warm up with the window, then without and with it, interleaved
  const order = [true, ...Array.from({ length: repeat }, () => [false, true]).flat()];
  for (const withWindow of order) {
    const emu = await startArmEmulator({ snapshots: [snap], ...(o.latencyMs ? { latencyMs: o.latencyMs } : {}) });
    try {
      const t0 = performance.now();
      await collectAzure({
        subscriptionId: String(snap.scope.subscriptionId),
        resourceGroup: String(snap.scope.resourceGroup),
        credential: staticTokenCredential("bench"),
        endpoint: emu.url,
        ca: emu.ca,
        pollIntervalMs: 5,
        effectiveNsg: false,
        ...(withWindow ? { window: WINDOW } : {}),
      });
      runs.push({ calls: emu.total(), ms: performance.now() - t0, counts: emu.counts(), withWindow });
    } finally {
      await emu.close();
    }
  }
  const measured = runs.slice(1);
  const without = median(measured.filter((r) => !r.withWindow));
  const withW = median(measured.filter((r) => r.withWindow));
  const ratio = withW.ms / Math.max(1, without.ms);
  const target = o.quick ? 4 : 2.5;
  o.check({
    section: "time",
    case: `Azure ${label}${repeat > 1 ? ` (median of ${repeat})` : ""}`,
    figures: {
      calls: `${without.calls} → ${withW.calls}`,
      addedCalls: withW.calls - without.calls,
      wallMs: `${Math.round(without.ms)} → ${Math.round(withW.ms)}`,
      addedMs: Math.round(withW.ms - without.ms),
      metrics: withW.counts["metrics.list"] ?? 0,
      resourceGraph: withW.counts["resourceGraph.resources"] ?? 0,
      activityLog: withW.counts["activityLogs.list"] ?? 0,
    },
    ratio: { name: "wall with ÷ without", value: ratio, target, ok: ratio <= target },
  });
}

async function awsCase(o: TimeBenchOptions, label: string, snap: AwsSnapshot): Promise<void> {
  const interval = o.quick ? 50 : LOOKUP_INTERVAL_MS;
  const runs: Array<{ calls: number; ms: number; counts: Record<string, number>; gaps: number }> = [];
  for (const withWindow of [true, false, true]) {
    const emu = await startAwsEmulator({
      snapshots: [snap],
      ...(o.latencyMs ? { latencyMs: o.latencyMs } : {}),
      // the emulator enforces LookupEvents' documented rate; the quick run paces faster and lets it
      ...(o.quick ? { lookupRate: 1000 / interval } : {}),
    });
    try {
      const opts: AwsCollectOptions = {
        region: String(snap.scope.region ?? "us-east-1"),
        endpoint: emu.url,
        credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "x" },
        ...(withWindow ? { window: WINDOW, lookupIntervalMs: interval } : {}),
      };
      const t0 = performance.now();
      const got = await collectAws(opts);
      runs.push({ calls: emu.total(), ms: performance.now() - t0, counts: emu.counts(), gaps: got.gaps?.length ?? 0 });
    } finally {
      await emu.close();
    }
  }
  const [, without, withW] = runs as [unknown, (typeof runs)[0], (typeof runs)[0]];
  const lookups = withW.counts.LookupEvents ?? 0;
  const floor = Math.max(1, (lookups - 1) * interval);
  const added = withW.ms - without.ms;
  const ratio = Math.max(0, added) / floor;
  const target = o.quick ? 4 : 1.5;
  o.check({
    section: "time",
    case: `AWS ${label}`,
    figures: {
      calls: `${without.calls} → ${withW.calls}`,
      addedCalls: withW.calls - without.calls,
      wallMs: `${Math.round(without.ms)} → ${Math.round(withW.ms)}`,
      addedMs: Math.round(added),
      GetMetricData: withW.counts.GetMetricData ?? 0,
      LookupEvents: lookups,
      gaps: withW.gaps,
      ...(o.quick ? { pacingMs: interval } : {}),
    },
    ratio: { name: "added ÷ LookupEvents floor", value: ratio, target, ok: ratio <= target && withW.gaps === without.gaps },
  });
}

/** The time section: the largest fixtures always; the 200-LB Azure group and AWS region in the full run. */
export async function benchTime(o: TimeBenchOptions): Promise<void> {
  console.log(
    `\ntime data: calls and wall time a window adds, at ${o.latencyMs ? `${o.latencyMs} ms` : "the emulators' default latency (0 ms)"} a call`,
  );
  const az = largest<AzureSnapshot>(join(ROOT, "fixtures/azure"), (s) => s.resources.length);
  await azureCase(o, `largest fixture ${az.name}`, az.snap, 5);
  const aw = largest<AwsSnapshot>(join(ROOT, "fixtures/aws"), awsSize);
  await awsCase(o, `largest fixture ${aw.name}`, aw.snap);
  if (o.quick) return;
  const { snapshot } = generate({ nics: 8000, nicsPerLb: 40 });
  await azureCase(o, "200-LB resource group (8000 NICs)", snapshot);
  const withTime = largest<AwsSnapshot>(join(ROOT, "fixtures/aws"), (s) => (s.observations?.cloudwatch ? awsSize(s) : -1));
  await awsCase(o, `200-LB region (${withTime.name} × 200)`, awsRegion(withTime.snap, 200));
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, latency: { type: "string" } } });
  let missed = 0;
  await benchTime({
    quick: values.quick === true,
    ...(values.latency ? { latencyMs: Number(values.latency) } : {}),
    check(row) {
      const f = Object.entries(row.figures)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      const r = row.ratio ? `  ${row.ratio.name} ${row.ratio.value.toFixed(2)} (target ≤ ${row.ratio.target}) ${row.ratio.ok ? "ok" : "MISSED"}` : "";
      if (row.ratio && !row.ratio.ok) missed++;
      console.log(`  ${row.case}: ${f}${r}`);
    },
  });
  process.exitCode = missed === 0 ? 0 : 1;
}
