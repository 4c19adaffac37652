import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import type { ProviderAdapter } from "../core/provider.ts";
import { safeJson } from "../core/report/sanitize.ts";
import type { Snapshot } from "../core/snapshot/types.ts";
import { stripSecrets } from "../core/util/secrets.ts";
import { plural } from "../core/util/words.ts";
import { providerFor } from "../providers/index.ts";
import { acquireSnapshot, type LiveOptions } from "./acquire.ts";
import { prepareOutput, writeOutputs } from "./output.ts";

/** What `snapshot` writes: no secret-shaped value (whatever the provider collected), and with --redact the provider's masking. */
export async function finishSnapshot(
  doc: Record<string, unknown>,
  snapshot: Snapshot,
  adapter: ProviderAdapter,
  redact: boolean,
): Promise<void> {
  stripSecrets(doc);
  if (redact) await adapter.redact?.(doc, snapshot);
}

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
  if (opts.redact && !adapter.redact) throw new InputError(`--redact is not available for ${adapter.id.toUpperCase()} snapshots`);
  const { snapshot } = await acquireSnapshot(rg, opts, io, target.kind !== "stdout");
  const doc = snapshot as unknown as Record<string, unknown>;
  await finishSnapshot(doc, snapshot, adapter, opts.redact === true);
  writeOutputs([{ target, text: `${safeJson(doc)}\n` }], (text) => io.out(text));
  const gaps = snapshot.gaps?.length ?? 0;
  if (!opts.quiet && target.kind !== "stdout")
    io.err(`wrote ${opts.output}${opts.redact ? " (redacted)" : ""}${gaps ? `; ${plural(gaps, "gap")} recorded in it` : ""}\n`);
  return 0;
}
