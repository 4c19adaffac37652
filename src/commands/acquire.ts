/** Where a snapshot comes from: a file (--snapshot), or live collection. */
import { InputError } from "../errors.ts";
import { loadSnapshotFile } from "../snapshot/load.ts";
import type { Snapshot } from "../snapshot/types.ts";
import { toolVersion } from "../version.ts";

export interface LiveOptions {
  subscription?: string;
  tenant?: string;
  endpoint?: string;
  caFile?: string;
  concurrency?: string | number;
  effectiveNsg?: boolean;
  guest?: boolean;
  quiet?: boolean;
  /** LRO poll interval (the demo polls its local emulator fast) */
  pollIntervalMs?: number;
}

type IO = { out: (s: string) => void; err: (s: string) => void };

export function parseConcurrency(v: string | number | undefined): number {
  if (v === undefined) return 12;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InputError(`--concurrency must be a whole number from 1 to 64, not '${v}'`);
  return n;
}

export async function acquireSnapshot(
  target: string | undefined,
  opts: LiveOptions & { snapshot?: string },
  io: IO,
  showProgress: boolean,
): Promise<{ snapshot: Snapshot; source: string; live: boolean }> {
  if (opts.snapshot) return { snapshot: loadSnapshotFile(opts.snapshot), source: opts.snapshot, live: false };
  if (!target) {
    throw new InputError("name a resource group to collect (lbdoctor check <resource-group>), or pass --snapshot <file>");
  }
  const concurrency = parseConcurrency(opts.concurrency);
  const { resolveAzureTarget } = await import("../collectors/azure/credentials.ts");
  const t = await resolveAzureTarget({
    ...(opts.subscription ? { subscription: opts.subscription } : {}),
    ...(opts.tenant ? { tenant: opts.tenant } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
  });
  const { collectAzure } = await import("../collectors/azure/collect.ts");
  const { stderrProgress } = await import("../collectors/azure/progress.ts");
  const snapshot = await collectAzure({
    subscriptionId: t.subscriptionId,
    resourceGroup: target,
    credential: t.credential,
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
    ...(t.ca ? { ca: t.ca } : {}),
    concurrency,
    effectiveNsg: opts.effectiveNsg !== false,
    guest: opts.guest === true,
    toolVersion: toolVersion(),
    ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
    ...(showProgress && !opts.quiet ? { onEvent: stderrProgress(io.err, process.stderr.isTTY === true) } : {}),
  });
  return { snapshot, source: `live: subscription ${t.subscriptionId}, resource group ${target}`, live: true };
}
