/**
 * Where an interactive session's snapshot comes from: a file, or a live
 * collection with progress events; and, where the provider can, the cheap
 * health observation that watch mode polls again.
 */
import type { CollectEvent } from "./collect/events.ts";
import type { Gap, Snapshot } from "./snapshot/types.ts";

/** One watch poll: the snapshot with fresh health observations, and what could not be read. */
export interface HealthPoll {
  snapshot: Snapshot;
  gaps: Gap[];
  ms: number;
}

export interface DataSource {
  live: boolean;
  /** "snapshot fixtures/azure/demo.json" or "live: subscription …, resource group …" */
  label: string;
  /** a resource group or load balancer that narrows the view */
  target?: string;
  acquire(onEvent: (e: CollectEvent) => void): Promise<Snapshot>;
  /** polls the live health observations again and returns the snapshot with them; absent when the source cannot watch */
  pollHealth?: (snapshot: Snapshot) => Promise<HealthPoll>;
  /** why watch mode is unavailable */
  watchUnavailable?: string;
  /** what `acquire` returns has had its secrets stripped already (a file: loadSnapshotFile does it), so the session need not walk it again */
  secretsStripped?: boolean;
}
