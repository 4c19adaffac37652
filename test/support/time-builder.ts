/**
 * Time data for test snapshots and fixtures: a window, load-balancer metric
 * bodies (Microsoft.Insights/metrics), Resource Graph `resourcechanges` rows,
 * Activity Log events; CloudWatch GetMetricData results and CloudTrail events.
 * Series are given as strings, one character a minute from the window's start:
 * `U` up (100), `D` down (0), `h` half (50); or as number arrays.
 */
import type { AwsSnapshot } from "../../src/providers/aws/wire-types.ts";
import type { ActivityLogEvent, AzureSnapshot, MetricsResponseBody, ResourceChangeRow } from "../../src/providers/azure/wire-types.ts";

export function minutes(from: string, n: number): string[] {
  const t0 = Date.parse(from);
  return Array.from({ length: n }, (_, i) => new Date(t0 + i * 60_000).toISOString().replace(".000Z", "Z"));
}

export function upDown(pattern: string): number[] {
  return [...pattern].map((c) => (c === "U" ? 100 : c === "h" ? 50 : 0));
}

type Series = Record<string, number[]>;

export interface AzureMetricsSpec {
  from: string;
  /** DipAvailability per backend IP */
  dip?: Series;
  used?: Series;
  allocated?: Series;
  /** SnatConnectionCount Failed per backend IP */
  failed?: Series;
  /** SnatConnectionCount Successful per backend IP */
  succeeded?: Series;
  vip?: number[];
  bytes?: number[];
}

function metric(
  name: string,
  unit: string,
  lbId: string,
  series: Array<{ dims: Record<string, string>; data: Array<Record<string, unknown>> }>,
) {
  return {
    id: `${lbId}/providers/Microsoft.Insights/metrics/${name}`,
    type: "Microsoft.Insights/metrics",
    name: { value: name, localizedValue: name },
    displayDescription: "",
    unit,
    timeseries: series.map((s) => ({
      metadatavalues: Object.entries(s.dims).map(([k, v]) => ({ name: { value: k, localizedValue: k }, value: v })),
      data: s.data,
    })),
    errorCode: "Success",
  };
}

/** The three metrics.list bodies lbdoctor's collector asks for, per load balancer. */
export function azureMetricBodies(lbId: string, spec: AzureMetricsSpec): MetricsResponseBody[] {
  const len = Math.max(
    1,
    ...[spec.dip, spec.used, spec.allocated, spec.failed, spec.succeeded].flatMap((s) => Object.values(s ?? {}).map((v) => v.length)),
    spec.vip?.length ?? 0,
  );
  const ts = minutes(spec.from, len);
  const until = new Date(Date.parse(spec.from) + len * 60_000).toISOString().replace(".000Z", "Z");
  const timespan = `${spec.from}/${until}`;
  const per = (s: Series | undefined, agg: "average" | "total" | "maximum", extra: Record<string, string> = {}) =>
    Object.entries(s ?? {}).map(([ip, values]) => ({
      dims: { BackendIPAddress: ip, ...extra },
      data: values.map((v, i) => ({ timeStamp: ts[i] as string, [agg]: v })),
    }));
  const body = (value: unknown[]): MetricsResponseBody =>
    ({
      cost: 0,
      timespan,
      interval: "PT1M",
      namespace: "Microsoft.Network/loadBalancers",
      resourceregion: "westeurope",
      value,
    }) as MetricsResponseBody;
  const usedWithMax = Object.fromEntries(Object.entries(spec.used ?? {}));
  return [
    body([
      metric("DipAvailability", "Count", lbId, per(spec.dip, "average")),
      metric("UsedSnatPorts", "Count", lbId, per(usedWithMax, "maximum")),
      metric("AllocatedSnatPorts", "Count", lbId, per(spec.allocated, "average")),
    ]),
    body([
      metric("SnatConnectionCount", "Count", lbId, [
        ...per(spec.failed, "total", { ConnectionState: "Failed" }),
        ...per(spec.succeeded, "total", { ConnectionState: "Successful" }),
      ]),
    ]),
    body([
      metric(
        "VipAvailability",
        "Count",
        lbId,
        spec.vip ? [{ dims: {}, data: spec.vip.map((v, i) => ({ timeStamp: ts[i] as string, average: v })) }] : [],
      ),
      metric(
        "ByteCount",
        "Bytes",
        lbId,
        spec.bytes ? [{ dims: {}, data: spec.bytes.map((v, i) => ({ timeStamp: ts[i] as string, total: v })) }] : [],
      ),
      metric("PacketCount", "Count", lbId, []),
    ]),
  ];
}

export interface ChangeSpec {
  target: string;
  time: string;
  who?: string;
  type?: "Create" | "Update" | "Delete";
  operation?: string;
  correlationId?: string;
  changes?: Record<string, { before?: unknown; after?: unknown; type?: "Insert" | "Update" | "Remove"; category?: "User" | "System" }>;
  id?: string;
}

export function resourceChangeRow(c: ChangeSpec): ResourceChangeRow {
  const parts = c.target.split("/");
  const id = c.id ?? `0858${Date.parse(c.time).toString(16)}`;
  return {
    id: `${c.target}/providers/Microsoft.Resources/changes/${id}`,
    name: id,
    type: "microsoft.resources/changes",
    subscriptionId: parts[2] ?? "",
    resourceGroup: (parts[4] ?? "").toLowerCase(),
    properties: {
      targetResourceId: c.target,
      targetResourceType: `${parts[6] ?? ""}/${parts[7] ?? ""}`.toLowerCase(),
      changeType: c.type ?? "Update",
      changeAttributes: {
        timestamp: c.time,
        changedBy: c.who ?? "alice@contoso.com",
        changedByType: "User",
        clientType: "Azure CLI",
        operation: c.operation ?? `${parts[6] ?? ""}/${parts[7] ?? ""}/write`.toLowerCase(),
        correlationId: c.correlationId ?? `corr-${id}`,
        changesCount: Object.keys(c.changes ?? {}).length,
      },
      changes: Object.fromEntries(
        Object.entries(c.changes ?? {}).map(([path, v]) => [
          path,
          {
            ...(v.before !== undefined ? { previousValue: v.before } : {}),
            ...(v.after !== undefined ? { newValue: v.after } : {}),
            changeCategory: v.category ?? "User",
            propertyChangeType: v.type ?? "Update",
          },
        ]),
      ),
    },
  };
}

/** The rows of an NSG security rule inserted at an index (what Resource Graph records for `az network nsg rule create`). */
export function nsgRuleInserted(
  nsgId: string,
  index: number,
  rule: {
    name: string;
    priority: number;
    access: "Allow" | "Deny";
    direction?: "Inbound" | "Outbound";
    protocol?: string;
    source?: string;
    ports?: string;
  },
): NonNullable<ChangeSpec["changes"]> {
  const p = `properties.securityRules[${index}]`;
  void nsgId;
  return {
    [`${p}.name`]: { after: rule.name, type: "Insert" },
    [`${p}.properties.priority`]: { after: rule.priority, type: "Insert" },
    [`${p}.properties.access`]: { after: rule.access, type: "Insert" },
    [`${p}.properties.direction`]: { after: rule.direction ?? "Inbound", type: "Insert" },
    [`${p}.properties.protocol`]: { after: rule.protocol ?? "Tcp", type: "Insert" },
    [`${p}.properties.sourceAddressPrefix`]: { after: rule.source ?? "*", type: "Insert" },
    [`${p}.properties.destinationPortRange`]: { after: rule.ports ?? "*", type: "Insert" },
  };
}

export function activityEvent(e: {
  resourceId: string;
  time: string;
  operation: string;
  caller?: string;
  status?: string;
  correlationId?: string;
  id?: string;
}): ActivityLogEvent {
  const parts = e.resourceId.split("/");
  return {
    authorization: { action: e.operation, scope: e.resourceId },
    caller: e.caller ?? "alice@contoso.com",
    channels: "Operation",
    correlationId: e.correlationId ?? `corr-${Date.parse(e.time).toString(16)}`,
    eventDataId: e.id ?? `evt-${Date.parse(e.time).toString(16)}`,
    eventName: { value: "EndRequest", localizedValue: "End request" },
    category: { value: "Administrative", localizedValue: "Administrative" },
    eventTimestamp: e.time,
    id: `${e.resourceId}/events/evt-${Date.parse(e.time).toString(16)}`,
    level: "Informational",
    operationId: `op-${Date.parse(e.time).toString(16)}`,
    operationName: { value: e.operation, localizedValue: e.operation },
    resourceGroupName: parts[4] ?? "",
    resourceProviderName: { value: parts[6] ?? "", localizedValue: parts[6] ?? "" },
    resourceType: { value: `${parts[6] ?? ""}/${parts[7] ?? ""}`, localizedValue: `${parts[6] ?? ""}/${parts[7] ?? ""}` },
    resourceId: e.resourceId,
    status: { value: e.status ?? "Succeeded", localizedValue: e.status ?? "Succeeded" },
    subStatus: { value: "", localizedValue: "" },
    submissionTimestamp: e.time,
    subscriptionId: parts[2] ?? "",
    tenantId: "00000000-0000-0000-0000-0000000000ee",
  };
}

/** Adds Azure time data to a built snapshot. */
export function withAzureTime(
  s: AzureSnapshot,
  t: {
    window: { from: string; until: string };
    metrics?: Record<string, MetricsResponseBody[]>;
    changes?: ChangeSpec[];
    activity?: Array<Parameters<typeof activityEvent>[0]>;
  },
): AzureSnapshot {
  const sub = String(s.scope.subscriptionId ?? "");
  const rg = `/subscriptions/${sub}/resourceGroups/${String(s.scope.resourceGroup ?? "")}`;
  s.observations = {
    ...(s.observations ?? {}),
    window: t.window,
    metrics: t.metrics ?? {},
    resourceChanges: { [sub]: (t.changes ?? []).map(resourceChangeRow) },
    activityLog: { [rg]: (t.activity ?? []).map(activityEvent) },
  };
  return s;
}

// ---------------------------------------------------------------------------
// AWS

export interface CwSeries {
  /** the query's metric */
  metric: string;
  stat: "Sum" | "Minimum" | "Maximum" | "Average";
  dims: Record<string, string>;
  values: number[];
}

/** GetMetricData for one load balancer, as `aws cloudwatch get-metric-data` prints it (timestamps ascending). */
export function cloudwatchData(from: string, namespace: string, series: CwSeries[]): Record<string, unknown> {
  const queries = series.map((s, i) => ({
    Id: `m${i}`,
    MetricStat: {
      Metric: { Namespace: namespace, MetricName: s.metric, Dimensions: Object.entries(s.dims).map(([Name, Value]) => ({ Name, Value })) },
      Period: 60,
      Stat: s.stat,
    },
    ReturnData: true,
  }));
  const results = series.map((s, i) => ({
    Id: `m${i}`,
    Label: s.metric,
    Timestamps: minutes(from, s.values.length),
    Values: s.values,
    StatusCode: "Complete",
  }));
  return { MetricDataQueries: queries, MetricDataResults: results, Messages: [] };
}

export function cloudtrailEvent(e: {
  name: string;
  time: string;
  user?: string;
  source?: string;
  resources?: Array<{ type: string; name: string }>;
  request: Record<string, unknown>;
  errorCode?: string;
  id?: string;
}): Record<string, unknown> {
  const id = e.id ?? `ev-${Date.parse(e.time).toString(16)}`;
  const detail = {
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", userName: e.user ?? "bob", arn: `arn:aws:iam::123456789012:user/${e.user ?? "bob"}` },
    eventTime: e.time,
    eventSource: e.source ?? "ec2.amazonaws.com",
    eventName: e.name,
    awsRegion: "us-west-2",
    requestParameters: e.request,
    ...(e.errorCode ? { errorCode: e.errorCode, errorMessage: "denied" } : {}),
    eventID: id,
    readOnly: false,
    eventType: "AwsApiCall",
  };
  return {
    EventId: id,
    EventName: e.name,
    ReadOnly: "false",
    AccessKeyId: "AKIAEXAMPLE",
    EventTime: e.time,
    EventSource: e.source ?? "ec2.amazonaws.com",
    Username: e.user ?? "bob",
    Resources: (e.resources ?? []).map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: JSON.stringify(detail),
  };
}

export function withAwsTime(
  s: AwsSnapshot,
  t: {
    window: { from: string; until: string };
    cloudwatch?: Record<string, Record<string, unknown>>;
    events?: Array<Record<string, unknown>>;
  },
): AwsSnapshot {
  const obs = (s.observations ?? {}) as Record<string, unknown>;
  obs.window = t.window;
  obs.cloudwatch = t.cloudwatch ?? {};
  obs.cloudtrail = { Events: t.events ?? [] };
  s.observations = obs as AwsSnapshot["observations"];
  return s;
}

/**
 * A gap in a built snapshot's Azure metrics: every data point stamped in [from, until) keeps its `timeStamp` and loses
 * its value, as metrics.list returns a minute it has no data for (the model reads no sample there).
 */
export function withoutAzureSamples(s: AzureSnapshot, from: string, until: string): AzureSnapshot {
  const a = Date.parse(from);
  const b = Date.parse(until);
  for (const body of Object.values(s.observations?.metrics ?? {}).flat())
    for (const m of body.value ?? [])
      for (const ts of m.timeseries ?? [])
        for (const d of (ts.data ?? []) as Array<Record<string, unknown>>) {
          const t = Date.parse(String(d.timeStamp));
          if (t >= a && t < b) for (const k of ["average", "total", "maximum", "minimum", "count"]) delete d[k];
        }
  return s;
}
