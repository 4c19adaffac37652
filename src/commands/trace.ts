/** `lbdoctor trace`: one flow through a snapshot's network rules, hop by hop, offline (the snapshot's provider evaluates it). */
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import type { TraceOptions } from "../core/provider.ts";
import { loadSnapshotFile } from "../core/snapshot/load.ts";
import { providerFor } from "../providers/index.ts";
import { colorEnabled } from "./output.ts";

export async function runTrace(opts: Omit<TraceOptions, "color"> & { snapshot: string; color?: boolean }, io: IO): Promise<number> {
  const snapshot = loadSnapshotFile(opts.snapshot);
  const adapter = await providerFor(snapshot.provider);
  if (!adapter.trace) throw new InputError(`trace has no evaluator for ${snapshot.provider.toUpperCase()} snapshots (${opts.snapshot})`);
  const { snapshot: _file, color, ...rest } = opts;
  return adapter.trace(snapshot, { ...rest, color: colorEnabled(color) }, io);
}
