/**
 * Section 1 of `npm run bench`: live Azure collection through the SDKs against
 * the ARM emulator (in its own process), wall time against the critical-path
 * bound, at 100 ms a request (--collect-latency), in three cases of what the
 * server says on its LRO 202s (docs/collection.md):
 *
 *   Retry-After: 0   the result is ready at once
 *   Retry-After: 1   the result is ready after a second
 *   no Retry-After   the result is ready after --lro ms; the client polls at its 1 s interval
 *
 *   bound = chain × L + T + calls × L / concurrency
 *   chain = pages of the longest list (a nextLink chain: sequential by nature, each
 *           page's link comes with the page before) + pages of a scale set's
 *           instance list (it needs the scale-set list first) + 2 for an LRO
 *           (its request, then the poll that finds it done)
 *   T     = what the server asks before that poll: the Retry-After, else the poll interval
 *
 * Everything else (independent lists, by-id references, every LRO) overlaps,
 * limited only by the requests in flight, hence the throughput term. Each
 * case also prints the polls per LRO (1: none early, none wasted) and the most
 * requests the emulator had in flight at once (at most the concurrency).
 */
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import type { ArmEmulatorOptions } from "../src/providers/azure/emulator/index.ts";
import { BENCH_SUB, generate } from "./gen.ts";

export interface EmuChild {
  url: string;
  ca: string;
  counts(): Promise<{ counts: Record<string, number>; total: number; maxInFlight?: number }>;
  stop(): Promise<void>;
}

export interface CollectBenchContext {
  quick: boolean;
  tmp: string;
  /** ms a request */
  latencyMs: number;
  /** how long an LRO takes when the server sends no Retry-After */
  lroMs: number;
  startEmulator(snapshotFiles: string[], options: Omit<ArmEmulatorOptions, "snapshots">): Promise<EmuChild>;
  check(row: {
    section: string;
    case: string;
    figures: Record<string, number | string>;
    ratio?: { name: string; value: number; target: number; ok: boolean };
  }): void;
  failures: string[];
}

const POLL_INTERVAL_MS = 1000; // the CLI's, when the server gives no Retry-After

export async function benchCollect(ctx: CollectBenchContext): Promise<void> {
  const { collectAzure } = await import("../src/providers/azure/collect/collect.ts");
  const { staticTokenCredential } = await import("../src/providers/azure/collect/credentials.ts");
  const { quick, latencyMs: latency, lroMs } = ctx;
  const sizes = quick ? [10, 200] : [10, 200, 2000];
  const pageSize = 100;
  const concurrency = 12;
  const target = quick ? 2.0 : 1.5;
  const cases = [
    { name: "Retry-After: 0", retryAfter: 0, lroMs: 0, wait: 0 },
    { name: "Retry-After: 1", retryAfter: 1, lroMs: 1000, wait: 1000 },
    { name: "no Retry-After", retryAfter: undefined, lroMs, wait: Math.max(1, Math.ceil(lroMs / POLL_INTERVAL_MS)) * POLL_INTERVAL_MS },
  ];
  console.log(
    `\n1. Live collection against the critical-path bound (ARM emulator in a child process: ${latency} ms a request, page size ${pageSize}, concurrency ${concurrency}; nextLink chains are sequential, the rest overlaps)`,
  );
  for (const nics of sizes) {
    const { snapshot, stats } = generate({
      seed: 7,
      nics,
      nicsPerLb: 40,
      nsgs: Math.max(2, Math.ceil(nics / 100)),
      rulesPerNsg: 10,
      effectiveNsg: true,
    });
    const file = join(ctx.tmp, `collect-${nics}.json`);
    writeFileSync(file, JSON.stringify(snapshot));
    // the dependent chain: the longest list's pages, then a scale set's instance pages, then an LRO's request and its poll
    const byType = new Map<string, number>();
    for (const r of snapshot.resources) {
      if (r.type.includes("virtualMachineScaleSets/")) continue;
      byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    }
    const listPages = Math.max(1, ...[...byType.values()].map((n) => Math.ceil(n / pageSize)));
    const vmssPages = stats.vmssInstances > 0 ? Math.ceil(Math.min(40, stats.vmssInstances) / pageSize) : 0;
    const lroCalls = stats.lbRules + stats.effectiveNsgNics;
    const chain = listPages + vmssPages + (lroCalls > 0 ? 2 : 0);
    // the calls there should be: every list page, two lists per scale set, a request and a poll per LRO
    const pages = [...byType.values()].reduce((a, n) => a + Math.max(1, Math.ceil(n / pageSize)), 0) + (10 - byType.size);
    const vmssLists = (stats.vmssInstances > 0 ? stats.loadBalancers / 5 : 0) * 2 * Math.max(1, vmssPages);
    const expected = pages + Math.floor(vmssLists) + 2 * lroCalls;
    if (nics === sizes[0]) {
      // warm-up, untimed: the first collection of a process loads the SDKs and compiles their code
      const emu = await ctx.startEmulator([file], { pageSize, lroMs: 0, lroRetryAfterSeconds: 0 });
      try {
        await collectAzure({ subscriptionId: BENCH_SUB, resourceGroup: "bench-rg", credential: staticTokenCredential("bench"), endpoint: emu.url, ca: emu.ca });
      } finally {
        await emu.stop();
      }
    }
    for (const c of cases) {
      const emu = await ctx.startEmulator([file], {
        latencyMs: latency,
        lroMs: c.lroMs,
        pageSize,
        ...(c.retryAfter !== undefined ? { lroRetryAfterSeconds: c.retryAfter } : {}),
      });
      try {
        const t0 = performance.now();
        const got = await collectAzure({
          subscriptionId: BENCH_SUB,
          resourceGroup: "bench-rg",
          credential: staticTokenCredential("bench"),
          endpoint: emu.url,
          ca: emu.ca,
          concurrency,
          effectiveNsg: true,
          pollIntervalMs: POLL_INTERVAL_MS,
        });
        const wall = performance.now() - t0;
        const { counts, total, maxInFlight } = await emu.counts();
        const bound = chain * latency + (lroCalls > 0 ? c.wait : 0) + (total * latency) / concurrency;
        const polls = counts["lro.poll"] ?? 0;
        const collected = got.resources.length === snapshot.resources.length;
        const effOk = Object.keys(got.observations?.effectiveNetworkSecurityGroups ?? {}).length === stats.effectiveNsgNics;
        const complete = collected && effOk && (got.gaps?.length ?? 0) === 0;
        const value = wall / bound;
        if (maxInFlight !== undefined && maxInFlight > concurrency)
          ctx.failures.push(`collect ${nics} NICs, ${c.name}: ${maxInFlight} requests in flight, bound ${concurrency}`);
        ctx.check({
          section: "collect",
          case: `${nics} NICs (${stats.loadBalancers} LBs), ${c.name}`,
          figures: {
            wallMs: Math.round(wall),
            boundMs: Math.round(bound),
            calls: total,
            expectedCalls: expected,
            chain,
            lros: lroCalls,
            pollsPerLro: lroCalls > 0 ? Number((polls / lroCalls).toFixed(2)) : 0,
            maxInFlight: maxInFlight ?? "?",
            complete: complete ? "yes" : `NO (${got.resources.length}/${snapshot.resources.length} resources, ${got.gaps?.length ?? 0} gaps)`,
          },
          ratio: { name: "wall/bound", value, target, ok: value <= target && complete },
        });
      } finally {
        await emu.stop();
      }
    }
  }
}
