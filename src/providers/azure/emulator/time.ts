/**
 * The time-data APIs of the ARM emulator, answered from the snapshots'
 * observations: `metrics.list` (the requested metric names, data points inside
 * the timespan), the Activity Log (`$filter` on eventTimestamp and
 * resourceGroupName or resourceUri, paged by the caller with nextLink) and
 * Resource Graph's `resourcechanges` table (the query lbdoctor sends: a time
 * range and a list of target types; rows ordered by time).
 */
import type { MetricsResponseBody, ResourceChangeRow } from "../../../providers/azure/wire-types.ts";
import { GraphError } from "./graph.ts";
import type { ArmStore } from "./store.ts";
import { key } from "./store.ts";

const ms = (t: string) => Date.parse(t);

function span(timespan: string | undefined): { from: number; until: number } {
  const [a, b] = (timespan ?? "").split("/");
  const from = a ? ms(a) : Number.NEGATIVE_INFINITY;
  const until = b ? ms(b) : Number.POSITIVE_INFINITY;
  return { from: Number.isNaN(from) ? Number.NEGATIVE_INFINITY : from, until: Number.isNaN(until) ? Number.POSITIVE_INFINITY : until };
}

/** The body of GET {lb}/providers/Microsoft.Insights/metrics for the requested names and timespan. */
export function answerMetrics(
  store: ArmStore,
  lbId: string,
  metricnames: string | undefined,
  timespan: string | undefined,
): MetricsResponseBody {
  const wanted = (metricnames ?? "")
    .split(",")
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  const { from, until } = span(timespan);
  const value: NonNullable<MetricsResponseBody["value"]> = [];
  for (const body of store.metrics.get(key(lbId)) ?? []) {
    for (const m of body.value ?? []) {
      const name = (m.name?.value ?? "").toLowerCase();
      if (wanted.length > 0 && !wanted.includes(name)) continue;
      value.push({
        ...m,
        timeseries: (m.timeseries ?? []).map((ts) => ({
          ...ts,
          data: (ts.data ?? []).filter((d) => ms(d.timeStamp) >= from && ms(d.timeStamp) < until),
        })),
      });
    }
  }
  // a metric the snapshot does not hold: present, with no series (what Azure returns for a quiet metric)
  for (const n of wanted) {
    if (value.some((m) => (m.name?.value ?? "").toLowerCase() === n)) continue;
    value.push({
      id: `${lbId}/providers/Microsoft.Insights/metrics/${n}`,
      type: "Microsoft.Insights/metrics",
      name: { value: n, localizedValue: n },
      unit: "Count",
      timeseries: [],
      errorCode: "Success",
    });
  }
  return {
    cost: 0,
    timespan: timespan ?? "",
    interval: "PT1M",
    namespace: "Microsoft.Network/loadBalancers",
    resourceregion: "westeurope",
    value,
  };
}

/** Activity Log events matching `$filter` (eventTimestamp ge/le, resourceGroupName eq or resourceUri eq), oldest first. */
export function answerActivityLog(store: ArmStore, subscription: string, filter: string | undefined): unknown[] | undefined {
  if (!filter || !/eventTimestamp\s+ge\s+'/i.test(filter)) return undefined;
  const get = (re: RegExp) => re.exec(filter)?.[1];
  const from = ms(get(/eventTimestamp\s+ge\s+'([^']+)'/i) ?? "");
  const until = ms(get(/eventTimestamp\s+le\s+'([^']+)'/i) ?? "") || Number.POSITIVE_INFINITY;
  const rg = get(/resourceGroupName\s+eq\s+'((?:[^']|'')+)'/i)
    ?.replace(/''/g, "'")
    .toLowerCase();
  const uri = get(/resourceUri\s+eq\s+'((?:[^']|'')+)'/i)?.toLowerCase();
  return store.activityLog
    .filter((e) => {
      const t = ms(String(e.eventTimestamp ?? ""));
      if (!(t >= from && t <= until)) return false;
      if (String(e.subscriptionId ?? "").toLowerCase() !== subscription.toLowerCase()) return false;
      if (rg && String(e.resourceGroupName ?? "").toLowerCase() !== rg) return false;
      if (uri && String(e.resourceId ?? "").toLowerCase() !== uri) return false;
      return true;
    })
    .sort((a, b) => ms(String(a.eventTimestamp)) - ms(String(b.eventTimestamp)));
}

/** Whether a Resource Graph query is one on the `resourcechanges` table. */
export function isChangesQuery(query: string): boolean {
  return /^\s*resourcechanges\b/i.test(query);
}

/**
 * The rows of a resourcechanges query: `datetime(a)` … `datetime(b)` bounds and an `in~ (…)` type list, in the given
 * subscriptions. `unreadableGroups` (lower-cased `/subscriptions/<id>/resourcegroups/<name>`): resource groups the
 * caller holds no role on, whose resources' changes are left out without an error, as their `Resources` rows are.
 */
export function changeRows(
  store: ArmStore,
  query: string,
  scope: Set<string>,
  unreadableGroups: Set<string> = new Set(),
): ResourceChangeRow[] {
  const dates = [...query.matchAll(/\bdatetime\(([^)]+)\)/gi)].map((m) => ms(m[1] as string));
  if (dates.length !== 2 || dates.some(Number.isNaN)) {
    throw new GraphError(
      400,
      "UnsupportedQuery",
      "The ARM emulator answers resourcechanges queries with a time range: changeTime >= datetime(…) and changeTime <= datetime(…).",
    );
  }
  const [from, until] = dates as [number, number];
  const list = /in~\s*\(([^)]*)\)/i.exec(query)?.[1];
  const types = list ? new Set([...list.matchAll(/'([^']*)'/g)].map((m) => (m[1] as string).toLowerCase())) : undefined;
  return store.resourceChanges
    .filter((r) => {
      const t = ms(r.properties?.changeAttributes?.timestamp ?? "");
      const sub = (r.subscriptionId ?? r.properties?.targetResourceId?.split("/")[2] ?? "").toLowerCase();
      const type = (r.properties?.targetResourceType ?? "").toLowerCase();
      return t >= from && t <= until && scope.has(sub) && (!types || types.has(type)) && !inGroup(r, unreadableGroups);
    })
    .sort((a, b) => ms(a.properties?.changeAttributes?.timestamp ?? "") - ms(b.properties?.changeAttributes?.timestamp ?? ""));
}

/** Whether a change row's resource is in one of these resource groups (its target's id decides; else its own columns). */
function inGroup(r: ResourceChangeRow, groups: Set<string>): boolean {
  if (groups.size === 0) return false;
  const target = r.properties?.targetResourceId;
  const group =
    target !== undefined && /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+/i.test(target)
      ? key(target).split("/").slice(0, 5).join("/")
      : `/subscriptions/${r.subscriptionId ?? ""}/resourcegroups/${r.resourceGroup ?? ""}`.toLowerCase();
  return groups.has(group);
}
