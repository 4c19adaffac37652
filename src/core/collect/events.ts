import type { Gap } from "../snapshot/types.ts";

/** What every collector reports while it runs; progress lines, the TUI's collection screen and benches consume them. */
export type CollectEvent =
  /**
   * A phase starts; the one before it is over. With a `scope`, it runs beside the others of its kind (one per
   * region or account of a wide scope) until its `phase-done`, and the events carrying that scope are its own.
   */
  | { type: "phase"; name: string; scope?: string }
  /** the run's calls so far (every scope's) */
  | { type: "call"; operation: string; calls: number; scope?: string }
  /**
   * an operation started or ended (success or gap): how many are in flight now, and how many started so far;
   * with a `scope`, that scope's own counts
   */
  | { type: "in-flight"; operation: string; inFlight: number; started: number; scope?: string }
  | { type: "gap"; gap: Gap; scope?: string }
  /** a scoped phase is over; `detail` says what it read ("2 load balancers") */
  | { type: "phase-done"; scope: string; detail?: string }
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
