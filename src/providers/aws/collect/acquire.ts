import type { IO } from "../../../core/io.ts";
import { type LiveOptions, parseConcurrency } from "../../../core/live.ts";
import type { Acquired } from "../../../core/provider.ts";
import { toolVersion } from "../../../core/version.ts";

/** Live AWS collection: the target is a load balancer name or ARN (several comma-separated), or nothing for every load balancer in the region. */
export async function collectAwsLive(target: string | undefined, opts: LiveOptions, io: IO, showProgress: boolean): Promise<Acquired> {
  const concurrency = parseConcurrency(opts.concurrency);
  const endpoint = opts.awsEndpoint ?? process.env.LBDOCTOR_AWS_ENDPOINT;
  const loadBalancers = (target ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const { collectAws } = await import("./collect.ts");
  const { stderrProgress } = await import("../../../core/collect/progress.ts");
  const snapshot = await collectAws({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    loadBalancers,
    concurrency,
    ...(opts.guest ? { guest: true } : {}),
    ...(opts.window ? { window: opts.window } : {}),
    toolVersion: toolVersion(),
    ...(showProgress && !opts.quiet ? { onEvent: stderrProgress(io.err, process.stderr.isTTY === true) } : {}),
  });
  const which = loadBalancers.length > 0 ? `load balancer ${loadBalancers.join(", ")}` : "every load balancer";
  return { snapshot, source: `live: AWS region ${snapshot.scope.region ?? "?"}, ${which}`, live: true };
}
