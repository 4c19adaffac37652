import type { CollectEvent } from "../../../core/collect/events.ts";
import { InputError } from "../../../core/errors.ts";
import type { IO } from "../../../core/io.ts";
import { commaList, type LiveOptions, parseConcurrency } from "../../../core/live.ts";
import type { Acquired } from "../../../core/provider.ts";
import { toolVersion } from "../../../core/version.ts";
import { awsRegions, refuseEmptyAwsFlags } from "../live-flags.ts";

/** Live AWS collection: the target is a load balancer name or ARN (several comma-separated), or nothing for every load balancer in the region. */
export async function collectAwsLive(
  target: string | undefined,
  opts: LiveOptions,
  io: IO,
  showProgress: boolean,
  onEvent?: (e: CollectEvent) => void,
): Promise<Acquired> {
  refuseEmptyAwsFlags(opts);
  const concurrency = parseConcurrency(opts.concurrency);
  const endpoint = opts.awsEndpoint ?? process.env.LBDOCTOR_AWS_ENDPOINT;
  const loadBalancers = commaList(target);
  const { collectAws } = await import("./collect.ts");
  const { collectAwsWide, isWideAws } = await import("./scale.ts");
  const { stderrProgress } = await import("../../../core/collect/progress.ts");
  const regions = awsRegions(opts.region);
  const accounts = commaList(opts.accounts);
  if (opts.accounts !== undefined && accounts.length === 0) throw new InputError("--accounts needs one or more 12-digit account ids");
  const wide = {
    ...(opts.allRegions ? { allRegions: true } : {}),
    ...(regions.length > 1 ? { regions } : {}),
    ...(opts.roleArn ? { roleArn: opts.roleArn } : {}),
    ...(accounts.length > 0 ? { accounts } : {}),
    ...(opts.roleName ? { roleName: opts.roleName } : {}),
  };
  const collect = isWideAws(wide) ? collectAwsWide : collectAws;
  const snapshot = await collect({
    ...wide,
    ...(regions[0] ? { region: regions[0] } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    loadBalancers,
    concurrency,
    ...(opts.guest ? { guest: true } : {}),
    ...(opts.window ? { window: opts.window } : {}),
    toolVersion: toolVersion(),
    ...(onEvent ? { onEvent } : showProgress && !opts.quiet ? { onEvent: stderrProgress(io.err, process.stderr.isTTY === true) } : {}),
  });
  const which = loadBalancers.length > 0 ? `load balancer ${loadBalancers.join(", ")}` : "every load balancer";
  const scope = snapshot.scope as { region?: string; regions?: string[]; accounts?: string[] };
  const where =
    scope.regions && (scope.regions.length > 1 || (scope.accounts?.length ?? 0) > 0)
      ? `${scope.regions.length} region${scope.regions.length === 1 ? "" : "s"}${scope.accounts?.length ? ` in ${scope.accounts.length} account${scope.accounts.length === 1 ? "" : "s"}` : ""}`
      : `region ${scope.region ?? "?"}`;
  return { snapshot, source: `live: AWS ${where}, ${which}`, live: true };
}
