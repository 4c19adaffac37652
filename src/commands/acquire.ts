/** Where a snapshot comes from: a file (--snapshot), or live collection. */
import { InputError } from "../errors.ts";
import { loadSnapshotFile } from "../snapshot/load.ts";
import type { Snapshot } from "../snapshot/types.ts";
import { toolVersion } from "../version.ts";

export interface LiveOptions {
  /** one, or several comma-separated (a repeated --subscription joins them): read through Resource Graph when no resource group is named */
  subscription?: string;
  /** Resource Graph over every readable subscription */
  allSubscriptions?: boolean;
  /** Resource Graph path: rule health and effective NSGs through ARM too */
  deep?: boolean;
  armBudget?: string;
  argBudget?: string;
  tenant?: string;
  endpoint?: string;
  caFile?: string;
  concurrency?: string | number;
  effectiveNsg?: boolean;
  guest?: boolean;
  quiet?: boolean;
  /** LRO poll interval (the demo polls its local emulator fast) */
  pollIntervalMs?: number;
  /** which cloud to collect from (default azure) */
  provider?: "azure" | "aws";
  /** AWS: region, named profile, and one endpoint for all services (LBDOCTOR_AWS_ENDPOINT) */
  region?: string;
  profile?: string;
  awsEndpoint?: string;
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
  if (opts.provider === "aws") return acquireAws(target, opts, io, showProgress);
  const subscriptions = (opts.subscription ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  if (!target && (subscriptions.length > 0 || opts.allSubscriptions)) {
    const { acquireGraph } = await import("./acquire-graph.ts");
    return acquireGraph(subscriptions, opts, io, showProgress);
  }
  if (subscriptions.length > 1) {
    throw new InputError(
      "a resource group is read in one subscription: give one --subscription, or leave the resource group out to read several through Resource Graph",
    );
  }
  if (!target) {
    throw new InputError("name a resource group to collect (lbdoctor check <resource-group>), or pass --snapshot <file>");
  }
  const concurrency = parseConcurrency(opts.concurrency);
  const { resolveAzureTarget } = await import("../collectors/azure/credentials.ts");
  const t = await resolveAzureTarget({
    ...(subscriptions[0] ? { subscription: subscriptions[0] } : {}),
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

/** Live AWS collection: the target is a load balancer name or ARN (several comma-separated), or nothing for every load balancer in the region. */
async function acquireAws(
  target: string | undefined,
  opts: LiveOptions,
  io: IO,
  showProgress: boolean,
): Promise<{ snapshot: Snapshot; source: string; live: boolean }> {
  const concurrency = parseConcurrency(opts.concurrency);
  const endpoint = opts.awsEndpoint ?? process.env.LBDOCTOR_AWS_ENDPOINT;
  const loadBalancers = (target ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const { collectAws } = await import("../collectors/aws/collect.ts");
  const { stderrProgress } = await import("../collectors/azure/progress.ts");
  const snapshot = await collectAws({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    loadBalancers,
    concurrency,
    toolVersion: toolVersion(),
    ...(showProgress && !opts.quiet ? { onEvent: stderrProgress(io.err, process.stderr.isTTY === true) } : {}),
  });
  const which = loadBalancers.length > 0 ? `load balancer ${loadBalancers.join(", ")}` : "every load balancer";
  return { snapshot, source: `live: AWS region ${snapshot.scope.region ?? "?"}, ${which}`, live: true };
}
