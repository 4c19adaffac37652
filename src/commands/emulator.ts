/**
 * `lbdoctor emulator` (and its alias `aws-emulator`) and `lbdoctor demo`: a
 * snapshot's provider serves it as the cloud's API on 127.0.0.1, for trying
 * lbdoctor without a cloud account.
 */
import { join } from "node:path";
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { PACKAGE_ROOT } from "../core/paths.ts";
import type { EmulatorOptions, ProviderAdapter, RunningEmulator } from "../core/provider.ts";
import { loadSnapshotFile } from "../core/snapshot/load.ts";
import type { ProviderId, Snapshot } from "../core/snapshot/types.ts";
import { providerName, withArticle } from "../core/util/words.ts";
import { providerFor } from "../providers/index.ts";

function num(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InputError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

/** The snapshots, all of one provider (the one named, if any), and that provider's adapter, which must be able to serve them. */
async function load(paths: string[], only?: ProviderId): Promise<{ snapshots: Snapshot[]; adapter: ProviderAdapter }> {
  const snapshots = paths.map((p) => {
    const s = loadSnapshotFile(p);
    if (only && s.provider !== only) {
      throw new InputError(
        `${p} is not an ${only === "aws" ? "AWS" : "Azure"} snapshot`,
        "`lbdoctor emulator` serves either cloud's snapshots.",
      );
    }
    return s;
  });
  const provider = snapshots[0]?.provider;
  if (!provider) throw new InputError("give at least one --snapshot to serve");
  const other = paths.find((_, i) => snapshots[i]?.provider !== provider);
  if (other)
    throw new InputError(`${other} is not ${withArticle(providerName(provider))} snapshot like ${paths[0]}: one emulator serves one cloud`);
  const adapter = await providerFor(provider);
  if (!adapter.serve) throw new InputError(`there is no emulator for ${provider} snapshots`);
  return { snapshots, adapter };
}

export interface EmulatorFlags {
  snapshot: string[];
  port?: string;
  pageSize?: string;
  latency?: string;
  lroMs?: string;
  lroRetryAfter?: string;
  accessKeyId?: string;
  throttle?: boolean;
}

/** `lbdoctor emulator`; `only` is the provider of the `aws-emulator` alias. */
export async function runEmulator(flags: EmulatorFlags, io: IO, only?: ProviderId): Promise<number> {
  const { snapshots, adapter } = await load(flags.snapshot, only);
  const port = num(flags.port, "port", 0, 65535);
  const pageSize = num(flags.pageSize, "page-size", 1, 1000);
  const latencyMs = num(flags.latency, "latency", 0, 60_000);
  const lroMs = num(flags.lroMs, "lro-ms", 0, 600_000);
  const lroRetryAfterSeconds = num(flags.lroRetryAfter, "lro-retry-after", 0, 600);
  const opts: EmulatorOptions = {
    ...(port !== undefined ? { port } : {}),
    ...(pageSize !== undefined ? { pageSize } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(lroMs !== undefined ? { lroMs } : {}),
    ...(lroRetryAfterSeconds !== undefined ? { lroRetryAfterSeconds } : {}),
    ...(flags.accessKeyId !== undefined ? { accessKeyId: flags.accessKeyId } : {}),
    ...(flags.throttle ? { throttle: true } : {}),
  };
  const emu = await (adapter.serve as NonNullable<ProviderAdapter["serve"]>)(snapshots, opts);
  // listening for Ctrl-C before the banner says it stops the emulator
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  io.out(
    [
      `${emu.name} listening on ${emu.url} (127.0.0.1 only), serving ${flags.snapshot.join(", ")}`,
      ...emu.howTo,
      "Ctrl-C stops it.",
      "",
    ].join("\n"),
  );
  await stopped;
  const counts = emu.counts();
  await emu.close();
  io.err(
    `served ${emu.total()} requests: ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}\n`,
  );
  return 0;
}

/** Starts the emulator on a bundled broken scenario and runs a live check against it, end to end through the Azure SDKs. */
export async function runDemo(opts: { scenario: string; format?: string[]; color?: boolean; verbose?: boolean }, io: IO): Promise<number> {
  // Ctrl-C stops the demo at any point: the emulator closes (and removes its temporary CA folder) before the exit
  let stop = () => {};
  let stopped = false;
  const interrupted = new Promise<number>((resolve) => {
    stop = () => {
      stopped = true;
      resolve(130);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  let code = 0;
  let emu: RunningEmulator | undefined;
  try {
    const file = join(PACKAGE_ROOT, "fixtures", "azure", `${opts.scenario}.json`);
    const { snapshots, adapter } = await load([file], "azure");
    emu = await (adapter.serve as NonNullable<ProviderAdapter["serve"]>)(snapshots, { latencyMs: 20, lroMs: 300 });
    // a scenario with time data: collect it over the scenario's own window (the fixture's times, not the clock's)
    const window = (snapshots[0]?.observations as { window?: { from?: string; until?: string } } | undefined)?.window;
    const timeFlags = window?.from && window.until ? { windowFrom: window.from, windowUntil: window.until } : {};
    io.err(
      `lbdoctor demo: ${emu.name} on ${emu.url} serving fixtures/azure/${opts.scenario}.json; collecting live through the Azure SDKs${window?.from ? ` (with metrics, resource changes and the Activity Log from ${window.from} to ${window.until})` : ""}\n`,
    );
    if (stopped) code = 130;
    else {
      const { runCheck } = await import("./check.ts");
      const checked = runCheck(
        emu.check.target,
        {
          ...emu.check.options,
          ...timeFlags,
          failOn: "high",
          ...(opts.format ? { format: opts.format } : {}),
          ...(opts.color !== undefined ? { color: opts.color } : {}),
          ...(opts.verbose ? { verbose: true } : {}),
        },
        io,
      );
      checked.catch(() => {}); // when interrupted, its failure against the closed emulator is moot
      code = await Promise.race([checked, interrupted]);
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await emu?.close();
  }
  if (code === 130) {
    // the interrupted collection may still be retrying against the closed emulator: do not wait for it
    io.err("lbdoctor demo: interrupted\n");
    process.exit(130);
  }
  return code;
}
