/**
 * Time data for AWS (`--since`, `timeline`), read-only, recorded as the
 * APIs' own JSON (what `aws cloudwatch get-metric-data` and
 * `aws cloudtrail lookup-events` print):
 *   - CloudWatch GetMetricData, one call per load balancer (paged with
 *     NextToken, results merged by query Id): HealthyHostCount and
 *     UnHealthyHostCount per target group and zone, HTTPCode_Target_5XX_Count
 *     per target group; HTTPCode_ELB_5XX_Count, TargetConnectionErrorCount and
 *     RejectedConnectionCount per Application Load Balancer; and, on an
 *     Application Load Balancer, HealthyStateRouting / UnhealthyStateRouting
 *     per target group and zone (AWS/ApplicationELB, dimensions TargetGroup,
 *     LoadBalancer, AvailabilityZone: "CloudWatch metrics for your Application
 *     Load Balancer"): a zone below its target group's unhealthy state routing
 *     threshold fails open to every target, healthy or not. A series that
 *     CloudWatch does not report comes back empty and adds nothing.
 *   - CloudTrail LookupEvents for the resources in scope, paced to the API's
 *     2 requests a second per account and region, within a request budget: by
 *     ResourceName when the scope names fewer resources than there are event
 *     names of interest, else by EventName (filtered to the scope), so a large
 *     scope costs a fixed number of requests.
 * The clients are loaded only here. A failure is a gap (`cloudwatch:GetMetricData`,
 * `cloudtrail:LookupEvents`).
 */

import type { TimeWindow } from "../../../core/timeline/types.ts";
import { compareText } from "../../../core/util/collate.ts";
import { dimensionOf, namespaceOf } from "../model/time.ts";
import type { AwsSnapshot } from "../wire-types.ts";
import { type AwsRun, clientConfigs } from "./collect.ts";
import { toWire } from "./wire.ts";

type Rec = Record<string, unknown>;
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);

/** The write calls that can break a load balancer's path. */
export const EVENT_NAMES = [
  "AuthorizeSecurityGroupIngress",
  "RevokeSecurityGroupIngress",
  "AuthorizeSecurityGroupEgress",
  "RevokeSecurityGroupEgress",
  "ModifySecurityGroupRules",
  "CreateNetworkAclEntry",
  "ReplaceNetworkAclEntry",
  "DeleteNetworkAclEntry",
  "ReplaceNetworkAclAssociation",
  "ModifyTargetGroup",
  "ModifyTargetGroupAttributes",
  "RegisterTargets",
  "DeregisterTargets",
  "CreateListener",
  "ModifyListener",
  "DeleteListener",
  "ModifyRule",
  "SetSecurityGroups",
  "UpdateAutoScalingGroup",
  "DetachLoadBalancerTargetGroups",
  "SuspendProcesses",
  "StopInstances",
  "TerminateInstances",
];

/** LookupEvents: 2 requests a second per account and region. */
export const LOOKUP_INTERVAL_MS = 500;
/** At most this many LookupEvents requests (30 s at 2 a second) unless told otherwise. */
export const LOOKUP_BUDGET = 60;

export interface AwsTimeInput {
  loadBalancers: Rec[];
  targetGroups: Rec[];
  listeners: Rec[];
  securityGroupIds: string[];
  networkAclIds: string[];
  autoScalingGroups: Rec[];
  window: TimeWindow;
  /** requests LookupEvents may take (default 60) */
  lookupBudget?: number;
  /** between LookupEvents requests (default 500 ms; tests shorten it) */
  lookupIntervalMs?: number;
}

/** The metric queries of one load balancer. */
export function metricQueries(lb: Rec, targetGroups: Rec[]): Rec[] {
  const lbArn = String(lb.LoadBalancerArn);
  const lbDim = dimensionOf(lbArn);
  const ns = namespaceOf(String(lb.Type ?? "application"));
  const zones = arr(lb.AvailabilityZones)
    .map((z) => String(z.ZoneName ?? ""))
    .filter(Boolean);
  const out: Rec[] = [];
  const q = (name: string, stat: string, dims: Record<string, string>) =>
    out.push({
      Id: `m${out.length}`,
      MetricStat: {
        Metric: { Namespace: ns, MetricName: name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) },
        Period: 60,
        Stat: stat,
      },
      ReturnData: true,
    });
  for (const tg of targetGroups) {
    if (!(Array.isArray(tg.LoadBalancerArns) && (tg.LoadBalancerArns as unknown[]).includes(lbArn))) continue;
    const tgDim = dimensionOf(String(tg.TargetGroupArn));
    for (const az of zones) {
      q("HealthyHostCount", "Minimum", { TargetGroup: tgDim, LoadBalancer: lbDim, AvailabilityZone: az });
      q("UnHealthyHostCount", "Maximum", { TargetGroup: tgDim, LoadBalancer: lbDim, AvailabilityZone: az });
      if (ns === "AWS/ApplicationELB") {
        q("HealthyStateRouting", "Minimum", { TargetGroup: tgDim, LoadBalancer: lbDim, AvailabilityZone: az });
        q("UnhealthyStateRouting", "Maximum", { TargetGroup: tgDim, LoadBalancer: lbDim, AvailabilityZone: az });
      }
    }
    if (ns === "AWS/ApplicationELB") q("HTTPCode_Target_5XX_Count", "Sum", { TargetGroup: tgDim, LoadBalancer: lbDim });
  }
  if (ns === "AWS/ApplicationELB") {
    q("HTTPCode_ELB_5XX_Count", "Sum", { LoadBalancer: lbDim });
    q("TargetConnectionErrorCount", "Sum", { LoadBalancer: lbDim });
    q("RejectedConnectionCount", "Sum", { LoadBalancer: lbDim });
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function collectAwsTime(run: AwsRun, input: AwsTimeInput): Promise<NonNullable<AwsSnapshot["observations"]>> {
  const { window } = input;
  run.emit({ type: "phase", name: "CloudWatch metrics and CloudTrail events" });
  const [cwSdk, ctSdk] = await Promise.all([import("@aws-sdk/client-cloudwatch"), import("@aws-sdk/client-cloudtrail")]);
  const configs = await clientConfigs(run.opts);
  const cw = new cwSdk.CloudWatchClient({ ...configs(), region: run.region });
  const ct = new ctSdk.CloudTrailClient({ ...configs(), region: run.region });
  for (const client of [cw, ct] as Array<{ middlewareStack: { add: (m: unknown, o: unknown) => void } }>) {
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        run.countCall();
        return next(args);
      },
      { step: "deserialize", name: "lbdoctorCountAttempts" },
    );
  }
  const start = new Date(window.from);
  const end = new Date(window.until);
  try {
    const cloudwatch: Record<string, { MetricDataQueries: Rec[]; MetricDataResults: Rec[]; Messages: unknown[] }> = {};
    const metricsWork = input.loadBalancers.map(async (lb) => {
      const arn = String(lb.LoadBalancerArn);
      const queries = metricQueries(lb, input.targetGroups);
      if (queries.length === 0) return;
      const results = await run.call("cloudwatch:GetMetricData", arn, async () => {
        const byId = new Map<string, Rec>();
        for (let i = 0; i < queries.length; i += 500) {
          let token: string | undefined;
          do {
            const out = (await cw.send(
              new cwSdk.GetMetricDataCommand({
                MetricDataQueries: queries.slice(i, i + 500) as never,
                StartTime: start,
                EndTime: end,
                ScanBy: "TimestampAscending",
                ...(token ? { NextToken: token } : {}),
              }),
            )) as unknown as Rec;
            for (const r of arr(out.MetricDataResults)) {
              const id = String(r.Id);
              const prev = byId.get(id);
              if (!prev)
                byId.set(id, { ...r, Timestamps: [...((r.Timestamps as unknown[]) ?? [])], Values: [...((r.Values as unknown[]) ?? [])] });
              else {
                (prev.Timestamps as unknown[]).push(...((r.Timestamps as unknown[]) ?? []));
                (prev.Values as unknown[]).push(...((r.Values as unknown[]) ?? []));
              }
            }
            token = typeof out.NextToken === "string" && out.NextToken !== "" ? out.NextToken : undefined;
          } while (token);
        }
        return [...byId.values()];
      });
      if (results) cloudwatch[arn] = { MetricDataQueries: queries, MetricDataResults: toWire<Rec[]>(results), Messages: [] };
    });

    // CloudTrail: paced, budgeted, serial
    const names = new Set<string>([
      ...input.loadBalancers.map((l) => String(l.LoadBalancerArn)),
      ...input.targetGroups.map((t) => String(t.TargetGroupArn)),
      ...input.listeners.map((l) => String(l.ListenerArn)),
      ...input.securityGroupIds,
      ...input.networkAclIds,
      ...input.autoScalingGroups.map((g) => String(g.AutoScalingGroupName)),
    ]);
    const byResource = names.size <= EVENT_NAMES.length;
    const lookups = byResource
      ? [...names].map((n) => ({ AttributeKey: "ResourceName", AttributeValue: n }))
      : EVENT_NAMES.map((n) => ({ AttributeKey: "EventName", AttributeValue: n }));
    const budget = input.lookupBudget ?? LOOKUP_BUDGET;
    const interval = input.lookupIntervalMs ?? LOOKUP_INTERVAL_MS;
    const events = new Map<string, Rec>();
    const trailWork = run
      .call("cloudtrail:LookupEvents", undefined, async () => {
        let sent = 0;
        let last = 0;
        let exhausted = false;
        for (const attr of lookups) {
          let token: string | undefined;
          do {
            if (sent >= budget) {
              exhausted = true;
              break;
            }
            const wait = last + interval - Date.now();
            if (wait > 0) await sleep(wait);
            sent++;
            let out: Rec;
            try {
              out = (await ct.send(
                new ctSdk.LookupEventsCommand({
                  LookupAttributes: [attr as never],
                  StartTime: start,
                  EndTime: end,
                  MaxResults: 50,
                  ...(token ? { NextToken: token } : {}),
                }),
              )) as unknown as Rec;
            } finally {
              // paced from the answer, not the send: the service sees the requests at least an interval apart
              last = Date.now();
            }
            for (const e of arr(out.Events)) {
              if (e.ReadOnly === "true") continue;
              const inScope =
                byResource ||
                arr(e.Resources).some((r) => names.has(String(r.ResourceName))) ||
                [...names].some((n) => String(e.CloudTrailEvent ?? "").includes(n));
              if (inScope) events.set(String(e.EventId), e);
            }
            token = typeof out.NextToken === "string" && out.NextToken !== "" ? out.NextToken : undefined;
          } while (token);
          if (exhausted) break;
        }
        if (exhausted) {
          const err = new Error(
            `the LookupEvents budget of ${budget} requests (at 2 a second) ran out before every lookup was read; raise it or narrow the window`,
          );
          (err as Error & { name: string }).name = "BudgetExhausted";
          throw err;
        }
      })
      .then(() => undefined);
    await Promise.all([...metricsWork, trailWork]);
    const sorted = [...events.values()].sort((a, b) => compareText(String(a.EventTime), String(b.EventTime)));
    return { window, cloudwatch, cloudtrail: { Events: toWire<Rec[]>(sorted) } };
  } finally {
    cw.destroy();
    ct.destroy();
  }
}
