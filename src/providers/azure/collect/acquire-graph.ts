/** Live collection through Azure Resource Graph: `check --subscription <id>…` or `--all-subscriptions`, without a resource group. */

import type { CollectEvent } from "../../../core/collect/events.ts";
import { InputError } from "../../../core/errors.ts";
import type { IO } from "../../../core/io.ts";
import { type LiveOptions, parseConcurrency } from "../../../core/live.ts";
import type { Snapshot } from "../../../core/snapshot/types.ts";
import { toolVersion } from "../../../core/version.ts";
import type { Budget } from "./arg.ts";

/** "250/25" → [250, 25]; "15/5" → [15, 5] */
function pair(v: string | undefined, flag: string, fallback: [number, number]): [number, number] {
  if (v === undefined) return fallback;
  const m = /^\s*(\d+(?:\.\d+)?)\s*[/:]\s*(\d+(?:\.\d+)?)\s*$/.exec(v);
  const a = Number(m?.[1]);
  const b = Number(m?.[2]);
  if (!m || !(a > 0) || !(b > 0)) throw new InputError(`${flag} takes two positive numbers like ${fallback.join("/")}, not '${v}'`);
  return [a, b];
}

export function parseBudget(opts: Pick<LiveOptions, "armBudget" | "argBudget">): Budget {
  const [armBurst, armPerSecond] = pair(opts.armBudget, "--arm-budget", [250, 25]);
  const [argQueries, argSeconds] = pair(opts.argBudget, "--arg-budget", [15, 5]);
  return { armBurst, armPerSecond, argQueries, argWindowMs: argSeconds * 1000 };
}

export async function acquireGraph(
  subscriptions: string[],
  opts: LiveOptions,
  io: IO,
  showProgress: boolean,
  onEvent?: (e: CollectEvent) => void,
): Promise<{ snapshot: Snapshot; source: string; live: boolean }> {
  const concurrency = parseConcurrency(opts.concurrency);
  const budget = parseBudget(opts);
  const { resolveAzureTarget } = await import("./credentials.ts");
  // the target's subscription is not used: Resource Graph takes the list
  const t = await resolveAzureTarget({
    subscription: subscriptions[0] ?? "all",
    ...(opts.tenant ? { tenant: opts.tenant } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
  });
  const { collectAzureGraph } = await import("./arg.ts");
  const { stderrProgress: graphProgress } = await import("../../../core/collect/progress.ts");
  const snapshot = await collectAzureGraph({
    subscriptionIds: subscriptions,
    allSubscriptions: opts.allSubscriptions === true,
    credential: t.credential,
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
    ...(t.ca ? { ca: t.ca } : {}),
    deep: opts.deep === true,
    ...(opts.effectiveNsg === false ? { effectiveNsg: false } : {}),
    ...(opts.window ? { window: opts.window } : {}),
    concurrency,
    budget,
    toolVersion: toolVersion(),
    ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
    ...(onEvent ? { onEvent } : showProgress && !opts.quiet ? { onEvent: graphProgress(io.err, process.stderr.isTTY === true) } : {}),
  });
  const n = (snapshot.scope.subscriptionIds as string[] | undefined)?.length ?? subscriptions.length;
  return {
    snapshot,
    source: `live: Azure Resource Graph, ${n} subscription${n === 1 ? "" : "s"}${opts.deep ? " (--deep)" : ""}`,
    live: true,
  };
}
