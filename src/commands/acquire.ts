/** Where a snapshot comes from: a file (--snapshot), or live collection by the provider's adapter. */
import type { CollectEvent } from "../core/collect/events.ts";
import type { IO } from "../core/io.ts";
import type { LiveOptions } from "../core/live.ts";
import type { Acquired } from "../core/provider.ts";
import { loadSnapshotFile } from "../core/snapshot/load.ts";
import { resolveWindow, wantsWindow } from "../core/timeline/window.ts";
import { stripSecrets } from "../core/util/secrets.ts";
import { providerFor } from "../providers/index.ts";

export type { LiveOptions };

export async function acquireSnapshot(
  target: string | undefined,
  opts: LiveOptions & { snapshot?: string },
  io: IO,
  showProgress: boolean,
  /** the collection's events (the TUI's progress) instead of progress on stderr */
  onEvent?: (e: CollectEvent) => void,
): Promise<Acquired> {
  if (opts.snapshot) return { snapshot: loadSnapshotFile(opts.snapshot), source: opts.snapshot, live: false };
  // the time window is checked before anything is collected: a bad one stops the run early (exit 2)
  if (opts.timeData || wantsWindow(opts)) opts = { ...opts, window: resolveWindow(opts, new Date()) };
  const adapter = await providerFor(opts.provider ?? "azure");
  const acquired = await adapter.collect(target, opts, io, showProgress, onEvent);
  // every provider's collection, whatever its collectors already removed: no secret-shaped value leaves it
  stripSecrets(acquired.snapshot);
  return acquired;
}
