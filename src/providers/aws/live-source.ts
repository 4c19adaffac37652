/**
 * The live data source of AWS load balancers in one region for the TUI: the
 * collector's own progress events, and watch mode, which re-polls
 * DescribeTargetHealth (one call per target group, not paged) into the
 * snapshot. Scopes over several regions or accounts go through `check`'s
 * acquisition instead (no watch).
 */
import { commaList, type LiveOptions, parseConcurrency } from "../../core/live.ts";
import type { Gap, Snapshot } from "../../core/snapshot/types.ts";
import type { DataSource } from "../../core/source.ts";
import { limiter } from "../../core/util/limit.ts";
import { toolVersion } from "../../core/version.ts";
import { awsRegions, refuseEmptyAwsFlags } from "./live-flags.ts";
import type { AwsSnapshot } from "./wire-types.ts";

/** The target groups whose health the snapshot holds (or lists): the ones watch mode polls. */
export function healthTargetGroupArns(snapshot: Snapshot): string[] {
  if (snapshot.provider !== "aws") return [];
  const s = snapshot as AwsSnapshot;
  const arns = new Set<string>(Object.keys(s.elbv2?.TargetHealth ?? {}));
  for (const tg of (s.elbv2?.TargetGroups ?? []) as Array<{ TargetGroupArn?: string }>) if (tg.TargetGroupArn) arns.add(tg.TargetGroupArn);
  return [...arns];
}

function isWide(opts: LiveOptions): boolean {
  const regions = awsRegions(opts.region);
  return !!(opts.allRegions || regions.length > 1 || opts.roleArn || opts.accounts);
}

/** Live AWS in one region: the same endpoint, credentials chain and collector as `check --provider aws`. */
export function awsLiveSource(target: string | undefined, opts: LiveOptions): DataSource | undefined {
  refuseEmptyAwsFlags(opts);
  if (isWide(opts)) return undefined;
  const region = awsRegions(opts.region)[0];
  const concurrency = parseConcurrency(opts.concurrency);
  const endpoint = opts.awsEndpoint ?? process.env.LBDOCTOR_AWS_ENDPOINT;
  const loadBalancers = commaList(target);
  const which = loadBalancers.length > 0 ? `load balancer ${loadBalancers.join(", ")}` : "every load balancer";
  let client: { send: (c: unknown) => Promise<{ TargetHealthDescriptions?: unknown[] }>; destroy: () => void } | undefined;
  let Command: (new (input: unknown) => unknown) | undefined;
  let toWire: (<T>(v: unknown) => T) | undefined;
  const base = {
    ...(region ? { region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    concurrency,
    toolVersion: toolVersion(),
  };
  const source: DataSource = {
    live: true,
    label: `live: AWS${region ? ` region ${region}` : ""}, ${which}`,
    ...(target ? { target } : {}),
    async acquire(onEvent) {
      const { collectAws } = await import("./collect/collect.ts");
      const snapshot = await collectAws({ ...base, loadBalancers, onEvent });
      const collected = (snapshot.scope as { region?: string }).region;
      source.label = `live: AWS region ${collected ?? "?"}, ${which}`;
      return snapshot;
    },
    async pollHealth(snapshot) {
      const t0 = performance.now();
      const scopeRegion = (snapshot.scope as { region?: string }).region ?? region;
      if (!client) {
        const [sdk, { clientConfigs }, wire] = await Promise.all([
          import("@aws-sdk/client-elastic-load-balancing-v2"),
          import("./collect/collect.ts"),
          import("./collect/wire.ts"),
        ]);
        toWire = wire.toWire;
        const config = await clientConfigs({ ...base, ...(scopeRegion ? { region: scopeRegion } : {}) });
        client = new sdk.ElasticLoadBalancingV2Client(config("elbv2")) as unknown as typeof client;
        Command = sdk.DescribeTargetHealthCommand as unknown as typeof Command;
      }
      const c = client as NonNullable<typeof client>;
      const Cmd = Command as NonNullable<typeof Command>;
      const limit = limiter(concurrency);
      const bodies: Record<string, Array<Record<string, unknown>>> = {};
      const gaps: Gap[] = [];
      await Promise.all(
        healthTargetGroupArns(snapshot).map((arn) =>
          limit(async () => {
            try {
              const r = await c.send(new Cmd({ TargetGroupArn: arn, Include: ["AnomalyDetection"] }));
              bodies[arn] = (toWire as NonNullable<typeof toWire>)(r.TargetHealthDescriptions ?? []);
            } catch (e) {
              const x = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
              const gap: Gap = { operation: "DescribeTargetHealth", resourceId: arn, message: x.message ?? String(e) };
              if (x.name) gap.code = x.name;
              if (x.$metadata?.httpStatusCode) gap.status = x.$metadata.httpStatusCode;
              gaps.push(gap);
            }
          }),
        ),
      );
      const before = snapshot as AwsSnapshot;
      const next: AwsSnapshot = { ...before, elbv2: { ...before.elbv2, TargetHealth: { ...before.elbv2?.TargetHealth, ...bodies } } };
      return { snapshot: next, gaps, ms: performance.now() - t0 };
    },
  };
  return source;
}
