/**
 * Live collection of a fixture through the real SDK clients against the ARM
 * emulator: wall time and calls, at a given per-call latency.
 *
 *   node bench/collect.ts [fixture.json] [latencyMs] [lroMs]
 */
import { readFileSync } from "node:fs";
import { collectAzure } from "../src/providers/azure/collect/collect.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";

const file = process.argv[2] ?? "fixtures/azure/demo.json";
const latencyMs = Number(process.argv[3] ?? 50);
const lroMs = Number(process.argv[4] ?? 0);
const snapshot = JSON.parse(readFileSync(file, "utf8")) as AzureSnapshot;
const emu = await startArmEmulator({ snapshots: [snapshot], latencyMs, lroMs });
try {
  const t0 = performance.now();
  const got = await collectAzure({
    subscriptionId: String(snapshot.scope.subscriptionId),
    resourceGroup: String(snapshot.scope.resourceGroup),
    credential: staticTokenCredential("bench"),
    endpoint: emu.url,
    ca: emu.ca,
    pollIntervalMs: 50,
  });
  const ms = performance.now() - t0;
  console.log(`${file}: ${got.resources.length} resources, ${emu.total()} calls, ${ms.toFixed(0)} ms at ${latencyMs} ms/call (LRO ${lroMs} ms), ${got.gaps?.length ?? 0} gaps`);
  console.log(JSON.stringify(emu.counts()));
} finally {
  await emu.close();
}
