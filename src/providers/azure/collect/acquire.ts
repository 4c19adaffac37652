/** Live Azure collection: one resource group through ARM, or whole subscriptions through Resource Graph. */
import type { CollectEvent } from "../../../core/collect/events.ts";
import { InputError } from "../../../core/errors.ts";
import type { IO } from "../../../core/io.ts";
import { commaList, type LiveOptions, parseConcurrency, refuseEmpty } from "../../../core/live.ts";
import type { Acquired } from "../../../core/provider.ts";
import { toolVersion } from "../../../core/version.ts";
import type { AzureCollectOptions } from "./collect.ts";
import type { AzureTarget } from "./credentials.ts";

export async function collectAzureLive(
  target: string | undefined,
  opts: LiveOptions,
  io: IO,
  showProgress: boolean,
  onEvent?: (e: CollectEvent) => void,
): Promise<Acquired> {
  refuseEmpty({ "--subscription": opts.subscription });
  // a subscription is named by its id on both paths (a name would reach ARM or Resource Graph as one), passed on bare
  const given = commaList(opts.subscription);
  const subscriptions = given.length > 0 ? (await import("./arg.ts")).checkSubscriptionIds(given) : given;
  if (!target && (subscriptions.length > 0 || opts.allSubscriptions)) {
    const { acquireGraph } = await import("./acquire-graph.ts");
    return acquireGraph(subscriptions, opts, io, showProgress, onEvent);
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
  const { resolveAzureTarget } = await import("./credentials.ts");
  const t = await resolveAzureTarget({
    ...(subscriptions[0] ? { subscription: subscriptions[0] } : {}),
    ...(opts.tenant ? { tenant: opts.tenant } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
  });
  const { collectAzure } = await import("./collect.ts");
  const { stderrProgress } = await import("../../../core/collect/progress.ts");
  const snapshot = await collectAzure({
    ...resourceGroupCollection(t, target, opts, concurrency),
    ...(onEvent ? { onEvent } : showProgress && !opts.quiet ? { onEvent: stderrProgress(io.err, process.stderr.isTTY === true) } : {}),
  });
  return { snapshot, source: `live: subscription ${t.subscriptionId}, resource group ${target}`, live: true };
}

/** The collector's options for one resource group, from the live flags (shared by `check` and the TUI's live source). */
export function resourceGroupCollection(
  t: AzureTarget,
  resourceGroup: string,
  opts: LiveOptions,
  concurrency: number,
): AzureCollectOptions {
  return {
    subscriptionId: t.subscriptionId,
    resourceGroup,
    credential: t.credential,
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
    ...(t.ca ? { ca: t.ca } : {}),
    concurrency,
    effectiveNsg: opts.effectiveNsg !== false,
    guest: opts.guest === true,
    ...(opts.window ? { window: opts.window } : {}),
    toolVersion: toolVersion(),
    ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
  };
}
