import type { Gap } from "../snapshot/types.ts";

/** What every collector reports while it runs; progress lines, the TUI's collection screen and benches consume them. */
export type CollectEvent =
  | { type: "phase"; name: string }
  | { type: "call"; operation: string; calls: number }
  /** an operation started or ended (success or gap): how many are in flight now, and how many started so far */
  | { type: "in-flight"; operation: string; inFlight: number; started: number }
  | { type: "gap"; gap: Gap }
  /** wide scopes (several subscriptions, regions or accounts): how far along */
  | { type: "progress"; subscriptionsDone: number; subscriptionsTotal: number; lbsDone: number; lbsTotal: number }
  | { type: "done"; calls: number; ms: number; resources: number; gaps: number };

/** What every collector takes besides its scope and credentials. */
export interface CollectorOptions {
  /** HTTP requests in flight (default 12) */
  concurrency?: number;
  /** A fixed delay between retries instead of the SDK's backoff (tests). */
  retryDelayMs?: number;
  onEvent?: (e: CollectEvent) => void;
  toolVersion?: string;
  /** a clock for collectedAt (tests pin it) */
  now?: () => Date;
}
