/**
 * Time data for Azure (`--since`, `timeline`), read-only and recorded as wire
 * JSON: per load balancer three `metrics.list` calls
 * (`GET /{lb id}/providers/Microsoft.Insights/metrics`, api-version 2024-02-01:
 * probe health and SNAT ports per BackendIPAddress; SNAT connections per
 * ConnectionState; data-path availability, bytes and packets), one Resource
 * Graph `resourcechanges` query over the subscriptions (up to 1000 a query,
 * paged with $skipToken; when a query over several fails, each subscription
 * is asked alone, so a 403 is a gap of that subscription only), and
 * the Activity Log of each resource group (`eventtypes/management/values`,
 * api-version 2015-04-01, paged with nextLink). `@azure/arm-monitor` is loaded
 * only here. A failure is a gap (`metrics.list`, `resourceGraph.resourcechanges`,
 * `activityLogs.list`) that makes the time rules unknown.
 */

import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import { lastOkBody } from "../../../core/collect/wire-recorder.ts";
import type { TimeWindow } from "../../../core/timeline/types.ts";
import { parseArmId } from "../arm-id.ts";
import type { ActivityLogEvent, ArmResource, AzureSnapshot, MetricsResponseBody, ResourceChangeRow } from "../wire-types.ts";
import { type ArmCalls, type ArmClientSettings, armClientOptions } from "./arm.ts";

/** The metric calls per load balancer: names, aggregations and the dimension filter (one call each). */
export const METRIC_CALLS = [
  { metricnames: "DipAvailability,UsedSnatPorts,AllocatedSnatPorts", aggregation: "average,maximum", filter: "BackendIPAddress eq '*'" },
  { metricnames: "SnatConnectionCount", aggregation: "total", filter: "BackendIPAddress eq '*' and ConnectionState eq '*'" },
  { metricnames: "VipAvailability,ByteCount,PacketCount", aggregation: "average,total" },
] as const;

/** The resource types whose changes can break a load balancer's members. */
export const CHANGE_TYPES = [
  "microsoft.network/loadbalancers",
  "microsoft.network/networksecuritygroups",
  "microsoft.network/networkinterfaces",
  "microsoft.network/virtualnetworks",
  "microsoft.network/routetables",
  "microsoft.network/publicipaddresses",
  "microsoft.network/applicationsecuritygroups",
  "microsoft.compute/virtualmachines",
  "microsoft.compute/virtualmachinescalesets",
];

/** The Resource Graph query for the window's changes (rows ordered by time, so $skipToken pages are stable). */
export function resourceChangesQuery(w: TimeWindow): string {
  return [
    "resourcechanges",
    "| extend changeTime = todatetime(properties.changeAttributes.timestamp), targetType = tolower(tostring(properties.targetResourceType))",
    `| where changeTime >= datetime(${w.from}) and changeTime <= datetime(${w.until})`,
    `| where targetType in~ (${CHANGE_TYPES.map((t) => `'${t}'`).join(", ")})`,
    "| order by changeTime asc",
  ].join("\n");
}

export interface TimeCollectInput {
  calls: ArmCalls;
  credential: TokenCredential;
  settings: ArmClientSettings;
  perRetry: PipelinePolicy[];
  /** the subscriptions whose resource changes are read (the load balancers' and resource groups' own are used for the rest) */
  subscriptionIds: string[];
  /** a Resource Graph client to use (the Resource Graph path's, paced to the query quota); one is made otherwise */
  graph?: ResourceGraphClient;
  /** resource groups whose Activity Log is read (ids `/subscriptions/…/resourceGroups/…`) */
  resourceGroups: string[];
  loadBalancers: ArmResource[];
  window: TimeWindow;
  emit: (e: { type: "phase"; name: string }) => void;
}

export async function collectAzureTime(input: TimeCollectInput): Promise<Partial<NonNullable<AzureSnapshot["observations"]>>> {
  const { calls, window } = input;
  input.emit({ type: "phase", name: "metrics, resource changes and the Activity Log" });
  const [{ MonitorClient }, { ResourceGraphClient }] = await Promise.all([
    import("@azure/arm-monitor"),
    import("@azure/arm-resourcegraph"),
  ]);
  const options = armClientOptions(input.settings, calls.recorder, input.perRetry);
  const monitors = new Map<string, InstanceType<typeof MonitorClient>>();
  /** the Monitor client of a resource's subscription (the Activity Log is read per subscription) */
  const monitorOf = (id: string) => {
    const sub = id.split("/")[2] ?? input.subscriptionIds[0] ?? "";
    let m = monitors.get(sub.toLowerCase());
    if (!m) monitors.set(sub.toLowerCase(), (m = new MonitorClient(input.credential, sub, options)));
    return m;
  };
  const graph = input.graph ?? new ResourceGraphClient(input.credential, options);
  const timespan = `${window.from}/${window.until}`;
  const metrics: Record<string, MetricsResponseBody[]> = {};
  const resourceChanges: Record<string, ResourceChangeRow[]> = {};
  const activityLog: Record<string, ActivityLogEvent[]> = {};

  const work: Array<Promise<void>> = [];
  for (const lb of input.loadBalancers) {
    const bodies: Array<MetricsResponseBody | undefined> = [];
    work.push(
      Promise.all(
        METRIC_CALLS.map(async (m, i) => {
          const rec = await calls.record("metrics.list", lb.id, () =>
            // the URI template is `/{+resourceUri}`: the id goes without its leading slash
            monitorOf(lb.id).metrics.list(lb.id.replace(/^\/+/, ""), {
              timespan,
              interval: "PT1M",
              metricnamespace: "Microsoft.Network/loadBalancers",
              metricnames: m.metricnames,
              aggregation: m.aggregation,
              ...("filter" in m ? { filter: m.filter, top: 1000 } : {}),
            }),
          );
          bodies[i] = lastOkBody(rec) as MetricsResponseBody | undefined;
        }),
      ).then(() => {
        const ok = bodies.filter((b): b is MetricsResponseBody => b !== undefined);
        if (ok.length > 0) metrics[lb.id] = ok;
      }),
    );
  }
  const query = resourceChangesQuery(window);
  /** one query over `subs`, every page; the rows, or undefined when it failed (a gap only when `gap`) */
  const changes = async (subs: string[], gap: boolean): Promise<ResourceChangeRow[] | undefined> => {
    const run = async () => {
      let skipToken: string | undefined;
      do {
        const res = await graph.resources({
          query,
          subscriptions: subs,
          options: { top: 1000, resultFormat: "objectArray", ...(skipToken ? { skipToken } : {}) },
        });
        skipToken = res.skipToken || undefined;
      } while (skipToken);
    };
    let rec: Awaited<ReturnType<typeof calls.record>>;
    if (gap) rec = await calls.record("resourceGraph.resourcechanges", `/subscriptions/${subs[0]}`, run);
    else {
      try {
        rec = await calls.recorder.within(run);
      } catch {
        return undefined;
      }
    }
    if (!rec) return undefined;
    const rows: ResourceChangeRow[] = [];
    for (const r of rec) {
      const data = (r.body as { data?: unknown } | undefined)?.data;
      if (r.status === 200 && Array.isArray(data)) rows.push(...(data as ResourceChangeRow[]));
    }
    return rows;
  };
  // keyed as the caller spelled them; rows are matched case-insensitively
  const spelled = new Map(input.subscriptionIds.map((s) => [s.toLowerCase(), s]));
  const subscriptions = [...spelled.values()];
  for (let i = 0; i < subscriptions.length; i += 1000) {
    const batch = subscriptions.slice(i, i + 1000);
    work.push(
      (async () => {
        // several subscriptions in one query; when it fails, each alone, so that a 403 is that subscription's gap
        let rows = batch.length > 1 ? await changes(batch, false) : undefined;
        if (!rows) {
          rows = [];
          for (const s of batch) rows.push(...((await changes([s], true)) ?? []));
          for (const s of batch)
            if (!calls.ledger.gaps.some((g) => g.operation === "resourceGraph.resourcechanges" && g.resourceId === `/subscriptions/${s}`))
              resourceChanges[s] ??= [];
        } else for (const s of batch) resourceChanges[s] ??= [];
        for (const row of rows) {
          const raw = row.subscriptionId ?? row.properties?.targetResourceId?.split("/")[2] ?? batch[0] ?? "";
          (resourceChanges[spelled.get(raw.toLowerCase()) ?? raw] ??= []).push(row);
        }
      })(),
    );
  }
  for (const rgId of input.resourceGroups) {
    const rg = parseArmId(`${rgId}/providers/x/y/z`).resourceGroup ?? rgId.split("/")[4] ?? "";
    const filter = `eventTimestamp ge '${window.from}' and eventTimestamp le '${window.until}' and resourceGroupName eq '${rg.replace(/'/g, "''")}'`;
    work.push(
      (async () => {
        const rec = await calls.record("activityLogs.list", rgId, async () => {
          for await (const _page of monitorOf(rgId).activityLogs.list(filter).byPage()) {
            // the pages' wire bodies are in the recording scope
          }
        });
        if (!rec) return;
        const events: ActivityLogEvent[] = [];
        for (const r of rec) {
          const value = (r.body as { value?: unknown } | undefined)?.value;
          if (r.status === 200 && Array.isArray(value)) events.push(...(value as ActivityLogEvent[]));
        }
        activityLog[rgId] = events;
      })(),
    );
  }
  await Promise.all(work);
  return { window, metrics, resourceChanges, activityLog };
}
