/**
 * How the AWS clients retry: adaptive mode (a client-side rate limiter that
 * slows down after a throttle) with full-jitter exponential backoff, enough
 * attempts to ride out a burst of throttling, and a time budget per call.
 * Each client gets its own strategy: ELBv2, EC2 and Auto Scaling throttle
 * separately, and a shared strategy would share one retry quota and one
 * rate limiter among them. The ELBv2 and EC2 strategies' rate limiter first
 * spends the Describe* budget of its account and region (budget.ts).
 */
import type { RetryStrategyV2 } from "@smithy/types";
import { type BucketSpec, BudgetRateLimiter, DESCRIBE_BUCKETS } from "./budget.ts";

/** Attempts per call, the first included: the SDK's default of 3 gives up inside a throttling burst. */
export const DEFAULT_MAX_ATTEMPTS = 10;
/** A call, its retries and pages included, ends within this (then it is a gap, and the run goes on). */
export const DEFAULT_CALL_BUDGET_MS = 90_000;
/** One HTTP attempt ends within this (then it is retried as a transient error). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

export interface RetrySettings {
  /** Attempts per call, the first included (default 10). */
  maxAttempts?: number;
  /** A fixed delay between attempts instead of the backoff (tests). */
  retryDelayMs?: number;
  /** A retry strategy of your own, one per client (overrides maxAttempts and retryDelayMs). */
  retryStrategy?: () => RetryStrategyV2;
  /** Scales every backoff wait and the adaptive limiter's slowest rate (tests: 0.01); default 1. */
  retryTimeScale?: number;
  /** The Describe* budget per client (budget.ts); default AWS's documented buckets, false for none. */
  budget?: false | { elbv2?: BucketSpec; ec2?: BucketSpec };
}

/** Full jitter: a random wait in [0, min(base × 2^i, 20 s)), scaled. */
class JitterBackoff {
  private base = 50;
  private readonly scale: number;
  constructor(scale: number) {
    this.scale = scale;
  }
  setDelayBase(delay: number): void {
    this.base = delay;
  }
  computeNextBackoffDelay(i: number): number {
    return Math.floor(Math.random() * Math.min(this.base * 2 ** i, 20_000) * this.scale);
  }
}

/** A factory of retry strategies, one per client. */
export async function retryStrategies(
  s: RetrySettings,
): Promise<{ maxAttempts: number; next: (service?: "elbv2" | "ec2") => RetryStrategyV2 }> {
  const maxAttempts = Math.max(1, s.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  if (s.retryStrategy) return { maxAttempts, next: s.retryStrategy };
  const { AdaptiveRetryStrategy, ConfiguredRetryStrategy, DefaultRateLimiter } = await import("@smithy/util-retry");
  if (s.retryDelayMs !== undefined) {
    const delay = s.retryDelayMs;
    return { maxAttempts, next: () => new ConfiguredRetryStrategy(maxAttempts, () => delay) };
  }
  const scale = Math.max(0, s.retryTimeScale ?? 1);
  const budgets: { elbv2?: BucketSpec; ec2?: BucketSpec } = s.budget === false ? {} : { ...DESCRIBE_BUCKETS, ...(s.budget ?? {}) };
  return {
    maxAttempts,
    next: (service) => {
      // the slowest rate after a throttle: 0.5 requests/s (the SDK's), faster when time is scaled down
      const adaptive = new DefaultRateLimiter({ minFillRate: scale > 0 ? 0.5 / scale : 1000 });
      const budget = service ? budgets[service] : undefined;
      return new AdaptiveRetryStrategy(async () => maxAttempts, {
        maxAttempts,
        backoff: new JitterBackoff(scale),
        rateLimiter: budget ? new BudgetRateLimiter(budget, adaptive) : adaptive,
      } as never);
    },
  };
}
