/**
 * What time data (`--since`) adds to a live collection: calls and wall time,
 * with and without a window, through the real SDKs against the emulators.
 *
 *   node bench/time.ts [latencyMs=50]
 *
 * Azure: the largest bundled fixture and a generated 200-LB resource group
 * (bench/gen.ts, 40 NICs per LB). AWS: the largest bundled fixture (LookupEvents
 * runs at its 2 requests a second, so its share is set by the scope's size).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type AwsCollectOptions, collectAws } from "../src/providers/aws/collect/collect.ts";
import { startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { collectAzure } from "../src/providers/azure/collect/collect.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { generate } from "./gen.ts";

const latencyMs = Number(process.argv[2] ?? 50);
const ROOT = join(import.meta.dirname, "..");
const WINDOW = { from: "2026-03-14T02:30:00Z", until: "2026-03-14T04:00:00Z" };

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

async function azure(label: string, snap: AzureSnapshot) {
  const out: string[] = [];
  // the first run pays for loading the SDKs: warm up once, then measure
  for (const withWindow of [undefined, false, true]) {
    const emu = await startArmEmulator({ snapshots: [snap], latencyMs });
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
    const ms = performance.now() - t0;
    const c = emu.counts();
    if (withWindow === undefined) {
      await emu.close();
      continue;
    }
    out.push(
      `${withWindow ? "with" : "without"} window: ${emu.total()} calls, ${ms.toFixed(0)} ms` +
        (withWindow ? ` (metrics.list ${c["metrics.list"] ?? 0}, resourceGraph ${c["resourceGraph.resources"] ?? 0}, activityLogs.list ${c["activityLogs.list"] ?? 0})` : ""),
    );
    await emu.close();
  }
  console.log(`Azure ${label}: ${out.join("; ")}`);
}

async function aws(label: string, snap: AwsSnapshot) {
  const out: string[] = [];
  for (const withWindow of [undefined, false, true]) {
    const emu = await startAwsEmulator({ snapshots: [snap], latencyMs });
    const t0 = performance.now();
    const o: AwsCollectOptions = {
      region: String(snap.scope.region ?? "us-east-1"),
      endpoint: emu.url,
      credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "x" },
      ...(withWindow ? { window: WINDOW } : {}),
    };
    await collectAws(o);
    const ms = performance.now() - t0;
    const c = emu.counts();
    if (withWindow === undefined) {
      await emu.close();
      continue;
    }
    out.push(`${withWindow ? "with" : "without"} window: ${emu.total()} calls, ${ms.toFixed(0)} ms` + (withWindow ? ` (GetMetricData ${c.GetMetricData ?? 0}, LookupEvents ${c.LookupEvents ?? 0})` : ""));
    await emu.close();
  }
  console.log(`AWS ${label}: ${out.join("; ")}`);
}

console.log(`time data cost at ${latencyMs} ms a call (emulators, real SDKs)`);
const az = largest<AzureSnapshot>(join(ROOT, "fixtures/azure"), (s) => s.resources.length);
await azure(`largest fixture ${az.name}`, az.snap);
const aw = largest<AwsSnapshot>(join(ROOT, "fixtures/aws"), (s) => (s.elbv2.LoadBalancers.length + (s.elbv2.TargetGroups?.length ?? 0) + (s.ec2?.Instances?.length ?? 0)) * 1000 + (s.ec2?.SecurityGroups?.length ?? 0));
await aws(`largest fixture ${aw.name}`, aw.snap);
const { snapshot } = generate({ nics: 8000, nicsPerLb: 40 });
await azure("200-LB resource group (8000 NICs)", snapshot);
