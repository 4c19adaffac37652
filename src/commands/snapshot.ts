import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { providerFor } from "../providers/index.ts";
import { acquireSnapshot, type LiveOptions } from "./acquire.ts";
import { prepareOutput, writeOutputs } from "./output.ts";

export async function runSnapshot(
  rg: string | undefined,
  opts: LiveOptions & { output: string; redact?: boolean },
  io: IO,
): Promise<number> {
  if (!opts.output) throw new InputError("--output <file> is required");
  // checked (and missing folders created) before anything is collected
  const target = prepareOutput(opts.output);
  const adapter = await providerFor(opts.provider ?? "azure");
  // refused before anything is collected
  if (opts.redact && !adapter.redact)
    throw new InputError(`--redact masks Azure snapshots only; ${adapter.id.toUpperCase()} snapshots cannot be redacted yet`);
  const { snapshot } = await acquireSnapshot(rg, opts, io, target.kind !== "stdout");
  const doc = snapshot as unknown as Record<string, unknown>;
  if (opts.redact) await adapter.redact?.(doc, snapshot);
  writeOutputs([{ target, text: `${JSON.stringify(doc, null, 2)}\n` }], (text) => io.out(text));
  const gaps = snapshot.gaps?.length ?? 0;
  if (!opts.quiet && target.kind !== "stdout")
    io.err(`wrote ${opts.output}${opts.redact ? " (redacted)" : ""}${gaps ? `; ${gaps} gaps recorded in it` : ""}\n`);
  return 0;
}
