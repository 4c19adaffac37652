/**
 * The Describe* budget: AWS throttles ELBv2 and EC2 reads with token buckets per account and region
 * ("Request throttling for the ELB API": non-mutating actions 40 tokens, 10 a second, one bucket for
 * all of them; "Request throttling for the Amazon EC2 API": non-mutating actions 100 tokens, 20 a
 * second, each action its own bucket).
 *
 * The mechanism is the SDK's own: the adaptive retry strategy asks its rate limiter for a send token
 * before every attempt (first ones and retries). This limiter first spends a token of the documented
 * bucket, so a burst never exceeds what AWS grants, then defers to the SDK's DefaultRateLimiter, which
 * stays idle until a throttle and then slows down (CUBIC) when something else in the account uses the
 * same bucket. One limiter per client, and one client per service, account and region: the scope AWS
 * throttles on, as the SDK's retry-behaviour guide asks of adaptive mode. For EC2 the one bucket per
 * client covers every action, which is stricter than AWS's per-action buckets.
 */
import type { DefaultRateLimiter } from "@smithy/util-retry";

export interface BucketSpec {
  capacity: number;
  perSecond: number;
}

/** AWS's documented buckets (per account and region). */
export const DOCUMENTED_DESCRIBE_BUCKETS: { elbv2: BucketSpec; ec2: BucketSpec } = {
  elbv2: { capacity: 40, perSecond: 10 },
  ec2: { capacity: 100, perSecond: 20 },
};

/**
 * What lbdoctor budgets: 90 % of each. The client counts a token when it sends, AWS when the request arrives;
 * requests that travel (or wait on a busy event loop) unevenly arrive bunched, and the margin absorbs that.
 */
export const BUDGET_SHARE = 0.9;
const share = (b: BucketSpec): BucketSpec => ({ capacity: Math.floor(b.capacity * BUDGET_SHARE), perSecond: b.perSecond * BUDGET_SHARE });
export const DESCRIBE_BUCKETS: { elbv2: BucketSpec; ec2: BucketSpec } = {
  elbv2: share(DOCUMENTED_DESCRIBE_BUCKETS.elbv2),
  ec2: share(DOCUMENTED_DESCRIBE_BUCKETS.ec2),
};

/** A RateLimiter (the adaptive retry strategy's hook): the documented bucket first, then the SDK's adaptive limiter. */
export class BudgetRateLimiter {
  private tokens: number;
  private last = performance.now();
  private readonly spec: BucketSpec;
  private readonly adaptive: DefaultRateLimiter;
  constructor(spec: BucketSpec, adaptive: DefaultRateLimiter) {
    this.spec = { capacity: Math.max(1, spec.capacity), perSecond: Math.max(0.01, spec.perSecond) };
    this.tokens = this.spec.capacity;
    this.adaptive = adaptive;
  }
  async getSendToken(): Promise<void> {
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(this.spec.capacity, this.tokens + ((now - this.last) / 1000) * this.spec.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        break;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.spec.perSecond) * 1000)));
    }
    await this.adaptive.getSendToken();
  }
  updateClientSendingRate(response: unknown): void {
    this.adaptive.updateClientSendingRate(response);
  }
}
