import type { Gap } from "../snapshot/types.ts";

/** What every collector reports while it runs; progress lines, the TUI's collection screen and benches consume them. */
export type CollectEvent =
  | { type: "phase"; name: string }
  | { type: "call"; operation: string; calls: number }
  | { type: "gap"; gap: Gap }
  /** wide scopes (several subscriptions, regions or accounts): how far along */
  | { type: "progress"; subscriptionsDone: number; subscriptionsTotal: number; lbsDone: number; lbsTotal: number }
  | { type: "done"; calls: number; ms: number; resources: number; gaps: number };
