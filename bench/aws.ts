/**
 * 5. aws: a multi-account, multi-region tenant collected live (the SDK clients, STS AssumeRole through
 * fromTemporaryCredentials, --all-regions) against the AWS emulator with AWS's documented Describe*
 * token buckets enforced per account and region (ELBv2 40 tokens + 10/s for every Describe, EC2
 * 100 + 20/s per action). Once with lbdoctor's budget (the adaptive retry strategy's rate limiter
 * seeded with those buckets), once without (adaptive retries only), in the same run:
 *   - calls, wall time, throttles and gaps of each;
 *   - the bucket bound: the busiest account-region's ELBv2 calls beyond the burst, at the refill
 *     rate ((calls − 40) / 10 s), once per wave of account-regions run at once (12 here);
 *   - target: no gap, and throttles at most 2 % of the calls with the budget (5 % in the quick run, whose few
 *     calls make one throttle from in-flight jitter weigh more).
 * The emulator runs in this process (its buckets are clocks, not CPU).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** account-regions collected at once: their buckets are independent, so the bound is per wave of them */
const PARALLEL = 12;

export interface AwsBenchRow {
  section: string;
  case: string;
  figures: Record<string, number | string>;
  ratio?: { name: string; value: number; target: number; ok: boolean; atLeast?: boolean };
}

export async function benchAws(o: { quick: boolean; latencyMs: number; check: (row: AwsBenchRow) => void }): Promise<void> {
  const { startAwsEmulator, DOCUMENTED_BUCKETS } = await import("../src/providers/aws/emulator/index.ts");
  const { awsTenant } = await import("../src/providers/aws/emulator/tenant.ts");
  const { collectAwsWide } = await import("../src/providers/aws/collect/scale.ts");
  const base = ["healthy-alb", "targets-unhealthy", "healthy-nlb"].map(
    (n) => JSON.parse(readFileSync(join(ROOT, "fixtures", "aws", `${n}.json`), "utf8")) as AwsSnapshot,
  );
  const accounts = o.quick ? ["111111111111"] : ["111111111111", "222222222222"];
  const regions = o.quick ? ["us-east-1", "eu-west-1"] : ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"];
  const copies = o.quick ? 3 : 10;
  const latency = o.quick ? Math.min(o.latencyMs, 20) : o.latencyMs;
  const snapshots = awsTenant(base, accounts, regions, copies);
  const lbs = snapshots.reduce((n, s) => n + s.elbv2.LoadBalancers.length, 0);
  console.log(
    `\n5. AWS: ${accounts.length} account(s) × ${regions.length} regions, ${lbs} load balancers, ${latency} ms a call, documented Describe* buckets enforced (ELBv2 ${DOCUMENTED_BUCKETS.elbv2.capacity} + ${DOCUMENTED_BUCKETS.elbv2.perSecond}/s, EC2 ${DOCUMENTED_BUCKETS.ec2.capacity} + ${DOCUMENTED_BUCKETS.ec2.perSecond}/s per action)`,
  );
  const run = async (budget: boolean) => {
    const emu = await startAwsEmulator({
      snapshots,
      throttle: true,
      latencyMs: latency,
      homeAccount: "999999999999",
      accounts,
      regions: regions.map((name) => ({ name })),
    });
    try {
      const t0 = performance.now();
      const s = await collectAwsWide({
        region: regions[0] as string,
        endpoint: emu.url,
        credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
        allRegions: true,
        ...(accounts.length > 0 ? { accounts } : {}),
        ...(budget ? {} : { budget: false as const }),
        parallelRegions: PARALLEL,
      });
      const wallMs = performance.now() - t0;
      const calls = emu.calls();
      const perPartition = new Map<string, number>();
      for (const c of calls) if (c.service === "elbv2") perPartition.set(`${c.account}/${c.region}`, (perPartition.get(`${c.account}/${c.region}`) ?? 0) + 1);
      const busiest = Math.max(0, ...perPartition.values());
      return { s, wallMs, calls: calls.length, throttled: emu.throttled(), busiest, partitions: perPartition.size };
    } finally {
      await emu.close();
    }
  };
  const withBudget = await run(true);
  const without = await run(false);
  const waves = Math.ceil(withBudget.partitions / PARALLEL);
  const bucketBoundMs =
    waves * (Math.max(0, withBudget.busiest - DOCUMENTED_BUCKETS.elbv2.capacity) / DOCUMENTED_BUCKETS.elbv2.perSecond) * 1000;
  for (const [name, r] of [
    ["with the budget", withBudget],
    ["without (adaptive retries only)", without],
  ] as const) {
    const gaps = r.s.gaps?.length ?? 0;
    const complete = r.s.elbv2.LoadBalancers.length === lbs && gaps === 0;
    const share = r.throttled / Math.max(1, r.calls);
    o.check({
      section: "aws",
      case: name,
      figures: {
        calls: r.calls,
        wallMs: Math.round(r.wallMs),
        throttles: r.throttled,
        gaps,
        lbs: r.s.elbv2.LoadBalancers.length,
        partitions: r.partitions,
        busiestElbv2Calls: r.busiest,
        complete: complete ? "yes" : "NO",
      },
      ...(r === withBudget ? { ratio: { name: "throttles/calls", value: share, target: o.quick ? 0.05 : 0.02, ok: complete && share <= (o.quick ? 0.05 : 0.02) } } : {}),
    });
  }
  o.check({
    section: "aws",
    case: "wall ÷ bucket bound",
    figures: { bucketBoundMs: Math.round(bucketBoundMs), throttlesAvoided: without.throttled - withBudget.throttled },
    ...(bucketBoundMs > 0 ? { ratio: { name: "wall/bound", value: withBudget.wallMs / bucketBoundMs, target: o.quick ? 4 : 3, ok: withBudget.wallMs / bucketBoundMs <= (o.quick ? 4 : 3) } } : {}),
  });
}
