/**
 * Where the TUI's snapshot comes from: a file, or live collection with the
 * collector's progress events; and, where the provider can, the cheap health
 * observation that watch mode polls again. No Ink here.
 */
import { acquireSnapshot } from "../commands/acquire.ts";
import type { CollectEvent } from "../core/collect/events.ts";
import { InputError } from "../core/errors.ts";
import type { LiveOptions } from "../core/live.ts";
import { loadSnapshotFile } from "../core/snapshot/load.ts";
import type { DataSource } from "../core/source.ts";
import { providerFor } from "../providers/index.ts";

export type { DataSource, HealthPoll } from "../core/source.ts";
export type { CollectEvent };

export function snapshotSource(file: string, target?: string): DataSource {
  return {
    live: false,
    label: `snapshot ${file}`,
    ...(target ? { target } : {}),
    async acquire(onEvent) {
      const t0 = performance.now();
      onEvent({ type: "phase", name: "read snapshot" });
      // the screen draws the phase before the read holds the event loop (a second at 20,000 NICs)
      await new Promise((resolve) => setTimeout(resolve, 20));
      const snapshot = loadSnapshotFile(file);
      const adapter = await providerFor(snapshot.provider);
      for (const gap of snapshot.gaps ?? []) onEvent({ type: "gap", gap });
      onEvent({
        type: "done",
        calls: 0,
        ms: performance.now() - t0,
        resources: adapter.resourceCount(snapshot),
        gaps: snapshot.gaps?.length ?? 0,
      });
      return snapshot;
    },
    watchUnavailable:
      "watch needs live health observations, and a snapshot is one moment in time: run `lbdoctor tui <target> --watch 5s` against the cloud",
    // loadSnapshotFile strips secrets: a second walk costs a second at 20,000 NICs
    secretsStripped: true,
  };
}

/**
 * The live source for the command line. A provider that can stream its own
 * collection and poll health for this scope (one Azure resource group, one AWS
 * region) supplies the source; any other live scope goes through the same
 * acquisition as `check`, its collector's events streamed to the screen (phases,
 * calls, requests in flight, gaps), and no watch.
 */
export async function liveSource(target: string | undefined, opts: LiveOptions): Promise<DataSource> {
  const adapter = await providerFor(opts.provider ?? "azure");
  const own = adapter.liveSource?.(target, opts);
  if (own) return own;
  const source: DataSource = {
    live: true,
    label: `live: ${adapter.describeScope(target, opts)}`,
    ...(target ? { target } : {}),
    async acquire(onEvent) {
      const t0 = performance.now();
      let streamed = false;
      const quiet = { out: () => {}, err: () => {} };
      const r = await acquireSnapshot(target, opts, quiet, false, (e) => {
        streamed = true;
        onEvent(e);
      });
      source.label = r.source;
      if (!streamed) {
        // a collector that told nothing while it ran: its gaps and its total, once it is over
        for (const gap of r.snapshot.gaps ?? []) onEvent({ type: "gap", gap });
        onEvent({
          type: "done",
          calls: 0,
          ms: performance.now() - t0,
          resources: adapter.resourceCount(r.snapshot),
          gaps: r.snapshot.gaps?.length ?? 0,
        });
      }
      return r.snapshot;
    },
    watchUnavailable: adapter.watchUnavailable(target, opts),
  };
  return source;
}

/** "5s", "500ms", "2m", "10" (seconds) → milliseconds; from 1 s to 1 h. */
export function parseInterval(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/i.exec(text.trim());
  if (!m) throw new InputError(`--watch '${text}' is not an interval such as 5s, 1500ms or 1m`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "s").toLowerCase();
  const ms = unit === "ms" ? n : unit === "m" ? n * 60_000 : n * 1000;
  if (ms < 1000 || ms > 3_600_000) throw new InputError(`--watch '${text}' must be from 1s to 60m`);
  return Math.round(ms);
}
