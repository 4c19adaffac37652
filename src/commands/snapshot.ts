import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { acquireSnapshot, type LiveOptions } from "./acquire.ts";
import { writeAtomic } from "./output.ts";

export async function runSnapshot(
  rg: string | undefined,
  opts: LiveOptions & { output: string; redact?: boolean },
  io: IO,
): Promise<number> {
  if (!opts.output) throw new InputError("--output <file> is required");
  if (opts.redact && opts.provider === "aws")
    throw new InputError("--redact masks Azure snapshots only; AWS snapshots cannot be redacted yet");
  const { snapshot } = await acquireSnapshot(rg, opts, io, true);
  const doc = snapshot as unknown as Record<string, unknown>;
  if (opts.redact) {
    const { redactForSharing } = await import("../providers/azure/collect/redact.ts");
    const sub = (snapshot.scope as { subscriptionId?: string }).subscriptionId;
    redactForSharing(doc, sub ? [sub] : []);
  }
  writeAtomic(opts.output, `${JSON.stringify(doc, null, 2)}\n`);
  const gaps = snapshot.gaps?.length ?? 0;
  if (!opts.quiet) io.err(`wrote ${opts.output}${opts.redact ? " (redacted)" : ""}${gaps ? `; ${gaps} gaps recorded in it` : ""}\n`);
  return 0;
}
