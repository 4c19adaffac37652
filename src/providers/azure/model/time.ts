/**
 * The Azure time data: load-balancer metrics (Microsoft.Insights/metrics),
 * Resource Graph `resourcechanges` rows and Activity Log events, read from
 * `observations` into the provider-neutral TimeData (src/core/timeline) plus
 * the raw metric series the SNAT rule reads.
 */

import { sampleStep, timeMs } from "../../../core/timeline/analyze.ts";
import type { HealthSeries, TimeData } from "../../../core/timeline/types.ts";
import { stateAtEnd } from "../../../core/timeline/window.ts";
import { compareText } from "../../../core/util/collate.ts";
import { pointer } from "../../../core/util/json-pointer.ts";
import { azArg } from "../../../core/util/shell.ts";
import { idKey, nameOf, parentResourceId, parseArmId } from "../arm-id.ts";
import type { ActivityLogEvent, AzureSnapshot, ResourceChangeRow } from "../wire-types.ts";
import type { LoadBalancer, PoolMember } from "./types.ts";

/** One metric time series of one load balancer, split by its dimensions. */
export interface LbMetricSeries {
  lb: LoadBalancer;
  metric: string;
  /** dimension name (lower-cased) → value */
  dims: Record<string, string>;
  member?: PoolMember;
  points: Array<{ t: string; average?: number; total?: number; maximum?: number; minimum?: number }>;
  pointer: string;
  /** the grain in milliseconds, from the body's `interval` (PT1M); unset when it is missing or unreadable */
  step?: number;
}

/** DipAvailability at or above this average (percent of probes answered in the minute) counts as up. */
export const DIP_UP_PERCENT = 50;
/** SNAT port use at or above this share of the allocated ports is exhaustion. */
export const SNAT_USED_SHARE = 0.9;

const ms = (t: string) => Date.parse(t);

/**
 * An ISO 8601 duration of a metrics body's `interval` (PT1M, PT5M, PT1H, P1D) in milliseconds; undefined for anything
 * else: `FULL` (one point for the whole timespan), a length in weeks, months or years, no length, or zero.
 */
function grainMs(interval: unknown): number | undefined {
  if (typeof interval !== "string") return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(interval.trim().toUpperCase());
  if (!m) return undefined;
  const [d, h, min, sec] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [number, number, number, number];
  const out = Math.round((((d * 24 + h) * 60 + min) * 60 + sec) * 1000);
  return Number.isFinite(out) && out > 0 ? out : undefined;
}

export function memberLabelOf(ip: string, m: PoolMember | undefined): string {
  const who = m?.vm?.name ?? m?.nic?.name;
  return who ? `${ip} (${who})` : ip;
}

/** The member of a load balancer that has this private IP (the BackendIPAddress dimension). */
function memberByIp(lb: LoadBalancer, ip: string): PoolMember | undefined {
  for (const pool of lb.pools) for (const m of pool.members) if ((m.ipConfig?.privateIp ?? m.ip) === ip) return m;
  return undefined;
}

/** Normalized ids on a member's path: the member, NIC, VM, NSGs, subnet, VNet, route table, and the load balancer. */
function memberPath(lb: LoadBalancer, m: PoolMember | undefined): string[] {
  const out = new Set<string>([lb.key]);
  if (m) {
    out.add(m.key);
    const ipc = m.ipConfig;
    for (const k of [
      ipc?.key,
      m.nic?.key,
      m.nic?.nsg?.key,
      m.nic?.nsgId,
      m.vm?.key,
      ipc?.subnet?.key,
      ipc?.subnetId,
      ipc?.subnet?.nsg?.key,
      ipc?.subnet?.nsgId,
      ipc?.subnet?.routeTable?.key,
    ]) {
      if (k) out.add(idKey(k));
    }
    const subnetId = ipc?.subnetId;
    if (subnetId) out.add(idKey(parentResourceId(subnetId)));
    if (m.vnetId) out.add(idKey(m.vnetId));
  }
  return [...out];
}

export function readLbMetrics(snapshot: AzureSnapshot, lbs: LoadBalancer[]): LbMetricSeries[] {
  const out: LbMetricSeries[] = [];
  const byKey = new Map(lbs.map((lb) => [lb.key, lb]));
  for (const [lbId, bodies] of Object.entries(snapshot.observations?.metrics ?? {})) {
    const lb = byKey.get(idKey(lbId));
    if (!lb || !Array.isArray(bodies)) continue;
    bodies.forEach((body, bi) => {
      const step = grainMs(body?.interval);
      (body?.value ?? []).forEach((metric, vi) => {
        const name = metric.name?.value ?? "";
        (metric.timeseries ?? []).forEach((ts, ti) => {
          const dims: Record<string, string> = {};
          for (const md of ts.metadatavalues ?? []) if (md.name?.value) dims[md.name.value.toLowerCase()] = String(md.value ?? "");
          const ip = dims.backendipaddress;
          const member = ip ? memberByIp(lb, ip) : undefined;
          const points = (ts.data ?? [])
            .filter((d) => typeof d.timeStamp === "string")
            .map((d) => {
              const p: LbMetricSeries["points"][number] = { t: d.timeStamp };
              if (typeof d.average === "number") p.average = d.average;
              if (typeof d.total === "number") p.total = d.total;
              if (typeof d.maximum === "number") p.maximum = d.maximum;
              if (typeof d.minimum === "number") p.minimum = d.minimum;
              return p;
            })
            .sort((a, b) => ms(a.t) - ms(b.t));
          const s: LbMetricSeries = {
            lb,
            metric: name,
            dims,
            points,
            pointer: pointer("observations", "metrics", lbId, bi, "value", vi, "timeseries", ti, "data"),
          };
          if (member) s.member = member;
          if (step !== undefined) s.step = step;
          out.push(s);
        });
      });
    });
  }
  return out;
}

const SYSTEM_PATHS = /^(etag|properties\.provisioningState|properties\.resourceGuid)$|\.etag$|\.provisioningState$/i;

function scalarText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** `properties.securityRules[2].properties.access` → ["properties.securityRules", 2, "properties.access"] */
function arrayElement(path: string): { list: string; index: number; rest: string } | undefined {
  const m = /^(.*?)\[(\d+)\](?:\.(.*))?$/.exec(path);
  if (!m) return undefined;
  return { list: m[1] as string, index: Number(m[2]), rest: m[3] ?? "" };
}

interface Built {
  summary: string;
  revert: string[];
}

/** What a resource change did, in one line, and the commands that undo it. */
function describeChange(
  row: ResourceChangeRow,
  id: string,
  props: Array<{ path: string; before?: unknown; after?: unknown; type?: string }>,
): Built {
  const p = parseArmId(id);
  const type = (row.properties?.targetResourceType ?? `${p.provider ?? ""}/${p.segments[0] ?? ""}`).toLowerCase();
  const kind = (row.properties?.changeType ?? "Update").toLowerCase();
  const name = nameOf(id);
  const rg = p.resourceGroup ?? "<resource-group>";
  if (kind === "create") return { summary: `created ${name}`, revert: [`az resource delete --ids ${azArg(id)}`] };
  if (kind === "delete") return { summary: `deleted ${name}`, revert: [] };
  // array elements inserted or removed as a whole (an NSG rule, a pool member)
  const elements = new Map<string, { list: string; index: number; type: string; fields: Record<string, unknown> }>();
  const scalars: typeof props = [];
  for (const x of props) {
    const el = arrayElement(x.path);
    const t = (x.type ?? "").toLowerCase();
    if (el && (t === "insert" || t === "remove")) {
      const k = `${el.list}[${el.index}]`;
      const e = elements.get(k) ?? { list: el.list, index: el.index, type: t, fields: {} };
      e.fields[el.rest || "(value)"] = t === "insert" ? x.after : x.before;
      elements.set(k, e);
    } else scalars.push(x);
  }
  const parts: string[] = [];
  const revert: string[] = [];
  for (const e of elements.values()) {
    const elName = e.fields.name !== undefined ? String(e.fields.name) : `#${e.index}`;
    if (type === "microsoft.network/networksecuritygroups" && /securityRules$/i.test(e.list)) {
      const f = (k: string) => e.fields[`properties.${k}`];
      const what = [
        f("access"),
        f("direction"),
        f("protocol"),
        f("destinationPortRange") ?? f("destinationPortRanges"),
        f("sourceAddressPrefix") ?? f("sourceAddressPrefixes"),
      ]
        .filter((v) => v !== undefined)
        .map(scalarText)
        .join(" ");
      const prio = f("priority") !== undefined ? ` priority ${scalarText(f("priority"))}` : "";
      if (e.type === "insert") {
        parts.push(`security rule ${elName} added (${what}${prio})`);
        revert.push(`az network nsg rule delete -g ${azArg(rg)} --nsg-name ${azArg(name)} -n ${azArg(elName)}`);
      } else {
        parts.push(`security rule ${elName} removed (${what}${prio})`);
        const cmd = [`az network nsg rule create -g ${azArg(rg)} --nsg-name ${azArg(name)} -n ${azArg(elName)}`];
        const flag = (k: string, fl: string) => {
          const v = f(k);
          if (v !== undefined && v !== null)
            cmd.push(`${fl} ${Array.isArray(v) ? v.map((x) => azArg(String(x))).join(" ") : azArg(scalarText(v))}`);
        };
        flag("priority", "--priority");
        flag("access", "--access");
        flag("direction", "--direction");
        flag("protocol", "--protocol");
        flag("sourceAddressPrefix", "--source-address-prefixes");
        flag("sourceAddressPrefixes", "--source-address-prefixes");
        flag("destinationPortRange", "--destination-port-ranges");
        flag("destinationPortRanges", "--destination-port-ranges");
        if (cmd.length > 1) revert.push(cmd.join(" "));
      }
      continue;
    }
    parts.push(`${e.list}[${e.index}] ${e.type === "insert" ? "added" : "removed"}${e.fields.name !== undefined ? ` (${elName})` : ""}`);
    if (e.type === "insert") revert.push(`az resource update --ids ${azArg(id)} --remove ${azArg(e.list)} ${e.index}`);
  }
  for (const x of scalars) {
    parts.push(
      `${x.path}: ${x.before === undefined || x.before === null ? "(none)" : scalarText(x.before)} → ${x.after === undefined || x.after === null ? "(none)" : scalarText(x.after)}`,
    );
    if (x.before === undefined || x.before === null) revert.push(`az resource update --ids ${azArg(id)} --remove ${azArg(x.path)}`);
    else revert.push(`az resource update --ids ${azArg(id)} --set ${azArg(`${x.path}=${scalarText(x.before)}`)}`);
  }
  return { summary: parts.length > 0 ? `${name}: ${parts.join("; ")}` : `updated ${name}`, revert };
}

type Observations = NonNullable<AzureSnapshot["observations"]>;
type Change = TimeData["changes"][number];

/** Health series (DipAvailability per backend address) and spikes (failed SNAT connections, data path availability). */
function addMetricSeries(time: TimeData, metrics: LbMetricSeries[]): void {
  for (const s of metrics) {
    const ip = s.dims.backendipaddress;
    const label = ip ? memberLabelOf(ip, s.member) : s.lb.name;
    const resourceId = s.member?.id ?? (ip ? `${s.lb.id}/backendIPAddress/${ip}` : s.lb.id);
    if (s.metric === "DipAvailability" && ip) {
      const pts = s.points.filter((p) => typeof p.average === "number");
      time.series.push({
        key: `${idKey(resourceId)}|dip`,
        resourceId,
        label,
        loadBalancerId: s.lb.id,
        metric: "DipAvailability",
        path: memberPath(s.lb, s.member),
        pointer: s.pointer,
        points: pts.map((p) => ({ t: p.t, up: (p.average as number) >= DIP_UP_PERCENT, value: p.average as number })),
        ...(s.step !== undefined ? { step: s.step } : {}),
        rule: `up when ≥ ${DIP_UP_PERCENT} % of the minute's probes answered`,
      });
    }
    if (s.metric === "SnatConnectionCount" && (s.dims.connectionstate ?? "").toLowerCase() === "failed") {
      for (const p of s.points) {
        if ((p.total ?? 0) > 0) {
          time.spikes.push({
            t: p.t,
            loadBalancerId: s.lb.id,
            resourceId,
            metric: "failed SNAT connections",
            label,
            value: p.total as number,
            pointer: s.pointer,
          });
        }
      }
    }
    if (s.metric === "VipAvailability") {
      for (const p of s.points) {
        if (typeof p.average === "number" && p.average < 90) {
          time.spikes.push({
            t: p.t,
            loadBalancerId: s.lb.id,
            metric: "data path availability below 90 %",
            label: s.lb.name,
            value: p.average,
            pointer: s.pointer,
          });
        }
      }
    }
  }
}

/** A spike for each minute a backend address used at least SNAT_USED_SHARE of its allocated SNAT ports. */
function addSnatSpikes(time: TimeData, metrics: LbMetricSeries[]): void {
  for (const u of snatUsage(metrics)) {
    for (const p of u.points) {
      if (p.allocated > 0 && p.used / p.allocated >= SNAT_USED_SHARE) {
        time.spikes.push({
          t: p.t,
          loadBalancerId: u.lb.id,
          resourceId: u.member?.id ?? u.lb.id,
          metric: "SNAT ports used (%)",
          label: memberLabelOf(u.ip, u.member),
          value: Math.round((p.used / p.allocated) * 100),
          pointer: u.pointer,
        });
      }
    }
  }
}

/** A resourcechanges row as a change; undefined for a row without target or time, or a system-only update. */
function resourceChange(
  row: ResourceChangeRow,
  sub: string,
  ri: number,
  byCorrelation: Map<string, ActivityLogEvent>,
  covered: Set<string>,
): Change | undefined {
  const pr = row.properties ?? {};
  const target = pr.targetResourceId;
  const t = pr.changeAttributes?.timestamp;
  if (!target || !t) return undefined;
  const props = Object.entries(pr.changes ?? {})
    .filter(([path, c]) => !SYSTEM_PATHS.test(path) && (c.changeCategory ?? "User") !== "System")
    .map(([path, c]) => {
      const x: Change["properties"][number] = { path };
      if (c.previousValue !== undefined) x.before = c.previousValue;
      if (c.newValue !== undefined) x.after = c.newValue;
      if (c.propertyChangeType) x.type = c.propertyChangeType;
      return x;
    });
  const kind = (pr.changeType ?? "Update").toLowerCase();
  if (kind === "update" && props.length === 0) return undefined; // system-only change (provisioning state, etag)
  const corr = pr.changeAttributes?.correlationId;
  if (corr) covered.add(corr);
  const top = parentResourceId(target);
  const built = describeChange(row, top, props);
  const who = pr.changeAttributes?.changedBy ?? (corr ? byCorrelation.get(corr)?.caller : undefined);
  const change: Change = {
    id: (row.id ? row.id.split("/").pop() : undefined) ?? `${sub}-${ri}`,
    time: t,
    resourceId: top,
    resourceName: nameOf(top),
    operation: pr.changeAttributes?.operation ?? `${pr.changeType ?? "Update"}`,
    kind: kind === "create" ? "create" : kind === "delete" ? "delete" : "update",
    properties: props,
    summary: built.summary,
    revert: built.revert,
    source: "resourcechanges",
    pointer: pointer("observations", "resourceChanges", sub, ri),
  };
  if (who) change.who = who;
  if (corr) change.correlationId = corr;
  const status = corr ? byCorrelation.get(corr)?.status?.value : undefined;
  if (status) change.status = status;
  return change;
}

/** A finished Activity Log write/delete/action not already covered by a resourcechanges row, as a change. */
function activityLogChange(e: ActivityLogEvent, rgId: string, ei: number, covered: Set<string>): Change | undefined {
  const op = e.operationName?.value ?? "";
  const m = /\/(write|delete|action)$/i.exec(op);
  if (!m || !e.resourceId || !e.eventTimestamp) return undefined;
  if (!/^(succeeded|failed)$/i.test(e.status?.value ?? "")) return undefined; // Started/Accepted: the outcome follows in another event
  if (e.correlationId && covered.has(e.correlationId)) return undefined;
  if (e.correlationId) covered.add(e.correlationId);
  const top = parentResourceId(e.resourceId);
  const verb = (m[1] as string).toLowerCase();
  const change: Change = {
    id: e.eventDataId ?? `${idKey(rgId)}-${ei}`,
    time: e.eventTimestamp,
    resourceId: top,
    resourceName: nameOf(top),
    operation: op,
    kind: verb === "write" ? "update" : verb === "delete" ? "delete" : "action",
    properties: [],
    summary: `${e.operationName?.localizedValue ?? op} on ${e.resourceId === top ? nameOf(top) : `${nameOf(top)}/${nameOf(e.resourceId)}`} (Activity Log: no property values recorded)`,
    revert: [],
    source: "activity log",
    pointer: pointer("observations", "activityLog", rgId, ei),
  };
  if (e.caller) change.who = e.caller;
  if (e.correlationId) change.correlationId = e.correlationId;
  if (e.status?.value) change.status = e.status.value;
  return change;
}

/** Changes: resourcechanges rows, then Activity Log writes not already covered by one; in time order. */
function readChanges(obs: Observations): Change[] {
  const changes: Change[] = [];
  const byCorrelation = new Map<string, ActivityLogEvent>();
  for (const events of Object.values(obs.activityLog ?? {}))
    for (const e of events ?? []) if (e.correlationId) byCorrelation.set(e.correlationId, e);
  const covered = new Set<string>();
  for (const [sub, rows] of Object.entries(obs.resourceChanges ?? {})) {
    (rows ?? []).forEach((row, ri) => {
      const change = resourceChange(row, sub, ri, byCorrelation, covered);
      if (change) changes.push(change);
    });
  }
  for (const [rgId, events] of Object.entries(obs.activityLog ?? {})) {
    (events ?? []).forEach((e, ei) => {
      const change = activityLogChange(e, rgId, ei, covered);
      if (change) changes.push(change);
    });
  }
  return changes.sort((a, b) => ms(a.time) - ms(b.time) || compareText(a.id, b.id));
}

/** What the collection could not read that the timeline would show: metrics, changes. */
function missingFromGaps(snapshot: AzureSnapshot): TimeData["missing"] {
  const missing: TimeData["missing"] = [];
  for (const g of snapshot.gaps ?? []) {
    if (g.operation === "metrics.list")
      missing.push({
        what: "metrics",
        operation: g.operation,
        message: g.message,
        ...(g.resourceId ? { resourceId: g.resourceId } : {}),
      });
    if (g.operation === "resourceGraph.resourcechanges" || g.operation === "activityLogs.list")
      missing.push({
        what: "changes",
        operation: g.operation,
        message: g.message,
        ...(g.resourceId ? { resourceId: g.resourceId } : {}),
      });
  }
  return missing;
}

/** Activity Log operations that stop a VM (or a scale set's instances), and those that start one. */
const VM_STOP = /^microsoft\.compute\/virtualmachine(scaleset)?s\/(virtualmachines\/)?(deallocate|poweroff)\/action$/i;
const VM_START = /^microsoft\.compute\/virtualmachine(scaleset)?s\/(virtualmachines\/)?(start|restart|redeploy)\/action$/i;

/** A property of a resource change that puts a member into a backend pool: a NIC's pool reference, a pool's address. */
const POOL_ENTRY = /loadBalancerBackendAddressPools|loadBalancerBackendAddresses|backendIPConfigurations/i;

/**
 * The pool members whose probe health (DipAvailability) could have shown in the window and has no sample in it
 * (TimeData.unobserved). Could have: the load balancer's DipAvailability was read (the metric is in a metrics.list
 * answer; a call that failed is a gap, `missing`), it is not a Basic one (no metrics) nor a cross-region one (no
 * per-address health), the member's pool is behind a load-balancing rule with a probe (DipAvailability is the probes'
 * answers), its address is known (the metric is split by it), and it was running: a VM deallocated or stopped when
 * the snapshot was taken (soon enough after the window's end: stateAtEnd), with no recorded start or stop in the
 * window, was stopped the whole window (nothing to probe); with a recorded stop and no start after it, it could be
 * observed until that stop; with a start after it (or a start and no stop), the whole window. A member added in the window (its NIC or VM created, or its pool entry inserted, as a
 * resource change records) could be observed from then on; one whose addition the changes do not show (an Activity
 * Log write records no values) is taken to have been there from the start of the window.
 */
function addUnobserved(snapshot: AzureSnapshot, time: TimeData, lbs: LoadBalancer[], metrics: LbMetricSeries[]): void {
  const sampled = new Set<string>();
  const empty = new Map<string, LbMetricSeries>();
  for (const s of metrics) {
    const ip = s.dims.backendipaddress;
    if (s.metric !== "DipAvailability" || !ip) continue;
    const k = `${s.lb.key}|${ip}`;
    if (s.points.some((p) => typeof p.average === "number")) sampled.add(k);
    else if (!empty.has(k)) empty.set(k, s);
  }
  const byLb = new Map(lbs.map((lb) => [lb.key, lb]));
  const seriesByPointer = new Map(time.series.map((s) => [s.pointer, s]));
  // a power state read long after the window says nothing of the VM's state in it
  const powerKnown = stateAtEnd(snapshot.collectedAt, time.window);
  const byResource = changesByResource(time);
  const out: NonNullable<TimeData["unobserved"]> = [];
  for (const [lbId, bodies] of Object.entries(snapshot.observations?.metrics ?? {})) {
    const lb = byLb.get(idKey(lbId));
    if (!lb || !Array.isArray(bodies) || /^basic$/i.test(lb.sku) || /^global$/i.test(lb.tier)) continue;
    // where the load balancer's DipAvailability answer is: the member's series would be under it
    let at: string | undefined;
    for (const [bi, body] of bodies.entries()) {
      const vi = (body?.value ?? []).findIndex((metric) => metric?.name?.value === "DipAvailability");
      if (vi >= 0) {
        at = pointer("observations", "metrics", lbId, bi, "value", vi, "timeseries");
        break;
      }
    }
    if (at === undefined) continue;
    const seen = new Set<string>();
    for (const rule of lb.rules) {
      if (!rule.probe || !rule.pool) continue;
      for (const m of rule.pool.members) {
        const ip = m.ipConfig?.privateIp ?? m.ip;
        if (m.kind === "frontend" || !ip) continue;
        const k = `${lb.key}|${ip}`;
        if (sampled.has(k) || seen.has(k)) continue;
        seen.add(k);
        const span = observable(m, lb, rule.pool.id, ip, byResource, powerKnown);
        if (!span) continue;
        const blank = empty.get(k);
        const series: HealthSeries = (blank && seriesByPointer.get(blank.pointer)) ?? {
          key: `${idKey(m.id)}|dip`,
          resourceId: m.id,
          label: memberLabelOf(ip, m),
          loadBalancerId: lb.id,
          metric: "DipAvailability",
          path: memberPath(lb, m),
          pointer: at,
          points: [],
          rule: `up when ≥ ${DIP_UP_PERCENT} % of the minute's probes answered`,
        };
        out.push({ series, ...span });
      }
    }
  }
  if (out.length > 0) time.unobserved = out;
}

/** The window's changes that took effect, by the resource they changed (normalized id). */
function changesByResource(time: TimeData): Map<string, Change[]> {
  const from = timeMs(time.window.from);
  const until = timeMs(time.window.until);
  const byResource = new Map<string, Change[]>();
  for (const c of time.changes) {
    const t = timeMs(c.time);
    if (t < from || t > until || (c.status && !/^succeeded$/i.test(c.status))) continue;
    const k = idKey(c.resourceId);
    const list = byResource.get(k);
    if (list) list.push(c);
    else byResource.set(k, [c]);
  }
  return byResource;
}

/** The index of a load balancer's pool in its `backendAddressPools` (from the pool's pointer), when it can be read. */
function poolIndex(lb: LoadBalancer, poolId: string): number | undefined {
  const pool = lb.pools.find((p) => idKey(p.id) === idKey(poolId));
  const m = pool ? /\/backendAddressPools\/(\d+)$/.exec(pool.ptr) : null;
  return m ? Number(m[1]) : undefined;
}

/** A recorded value as lower-cased text that names one of `names` (the whole value, or a quoted string in it). */
function namesAny(v: unknown, names: string[]): boolean {
  if (v === undefined || v === null) return false;
  const text = (typeof v === "string" ? v : (JSON.stringify(v) ?? "")).toLowerCase();
  return names.some((x) => text === x || text.includes(`"${x}"`));
}

/**
 * The recorded change that added a member to a pool in the window, when one did: the first that created its NIC or
 * VM (or the load balancer), or inserted its entry into that very pool: its NIC's reference to the pool, or the load
 * balancer's address in that pool (the pool's index in the property path is the pool's own; an insert into another
 * pool of the load balancer added it there, not to this one), the address absent from what the change records of the
 * pool before it (an entry moved within the pool, recorded as an insert at a new index, is no addition). Before it,
 * it was no member. Undefined when the changes show no such addition (an Activity Log write records no values): it
 * may have been there from the start of the window.
 */
function addedBy(m: PoolMember, lb: LoadBalancer, poolId: string, ip: string, byResource: Map<string, Change[]>): Change | undefined {
  const of = (...ids: Array<string | undefined>) =>
    [...new Set(ids.filter((id) => id !== undefined).map(idKey))].flatMap((k) => byResource.get(k) ?? []);
  // a NIC's reference names the pool; a pool's entry names the member's address or its IP configuration
  const pool = [idKey(poolId)];
  const entry = [ip.toLowerCase(), ...(m.ipConfig ? [idKey(m.ipConfig.id)] : [])];
  const index = poolIndex(lb, poolId);
  const inPool = (path: string) => {
    const at = /backendAddressPools\[(\d+)\]/i.exec(path);
    return at ? index !== undefined && Number(at[1]) === index : false;
  };
  const insert = (c: Change, onLb: boolean) => {
    const ok = (path: string) => POOL_ENTRY.test(path) && (!onLb || inPool(path));
    const names = onLb ? entry : pool;
    return (
      c.properties.some((p) => ok(p.path) && /^insert$/i.test(p.type ?? "") && namesAny(p.after, names)) &&
      !c.properties.some((p) => ok(p.path) && namesAny(p.before, names))
    );
  };
  const lbKey = idKey(lb.id);
  return [
    ...of(m.nic?.id, m.vm?.id, lb.id).filter((c) => c.kind === "create"),
    ...of(m.nic?.id, lb.id).filter((c) => insert(c, idKey(c.resourceId) === lbKey)),
  ].reduce<Change | undefined>((a, c) => (!a || timeMs(c.time) < timeMs(a.time) ? c : a), undefined);
}

/**
 * The last recorded removal of an address from a pool of a load balancer (a property of the pools' entries removed,
 * its value before naming the address) made at or after a time (epoch ms), when one was.
 */
function removedBy(lb: LoadBalancer, ip: string, after: number, byResource: Map<string, Change[]>): Change | undefined {
  const names = [ip.toLowerCase()];
  return (byResource.get(idKey(lb.id)) ?? [])
    .filter(
      (c) =>
        timeMs(c.time) >= after &&
        c.properties.some((p) => POOL_ENTRY.test(p.path) && /^remove$/i.test(p.type ?? "") && namesAny(p.before, names)),
    )
    .reduce<Change | undefined>((a, c) => (!a || timeMs(c.time) >= timeMs(a.time) ? c : a), undefined);
}

/**
 * When the members whose DipAvailability has samples joined or left inside the window (HealthSeries.since, until):
 * a change made while a member was not there is none of its business (a change before it joined, say, is no change
 * the gap its series starts with may hide). Joined: every probed pool it is in records its addition (addedBy), and
 * its first sample's interval ends after the first such addition (a sample before it would show it was there).
 * Left: its address is in no pool of the load balancer when the snapshot was taken (soon enough after the window's
 * end for its pools to be those at the end: stateAtEnd), while every member of its pools has a known address (one
 * whose NIC was not read may be it), and its samples end inside the window: when a recorded removal of its address
 * after its last sample says so, then; else at the end of its last sample's interval, unless the metric answered
 * later intervals with no value (a gap in the samples, not their end: when in it the member left, nothing shows).
 * Or its VM was stopped when the snapshot was taken (read soon enough after the window), by a recorded stop with no
 * start after it: from that stop (see stoppedBy).
 */
function addMembership(snapshot: AzureSnapshot, time: TimeData, lbs: LoadBalancer[], metrics: LbMetricSeries[]): void {
  const byResource = changesByResource(time);
  // pools read long after the window say nothing of who was a member at its end
  const poolsKnown = stateAtEnd(snapshot.collectedAt, time.window);
  const seriesByPointer = new Map(time.series.map((s) => [s.pointer, s]));
  const end = timeMs(time.window.until);
  const byLb = new Map(lbs.map((lb) => [lb.key, lb]));
  const ipOf = (m: PoolMember) => m.ipConfig?.privateIp ?? m.ip;
  for (const x of metrics) {
    const ip = x.dims.backendipaddress;
    const s = x.metric === "DipAvailability" && ip ? seriesByPointer.get(x.pointer) : undefined;
    const first = s?.points[0];
    const last = s?.points.at(-1);
    if (!s || !ip || !first || !last) continue;
    const lb = byLb.get(x.lb.key) ?? x.lb;
    const step = sampleStep(s);
    if (!x.member) {
      const known = poolsKnown && lb.pools.every((p) => p.members.every((m) => m.kind === "frontend" || ipOf(m) !== undefined));
      if (!known) continue;
      // a recorded removal of its address after its last sample dates its departure; without one, its samples' end does,
      // unless the metric answered later intervals with no value (a gap: it may have been there, unseen, until any time
      // in it)
      const removal = removedBy(lb, ip, timeMs(last.t), byResource);
      const left = timeMs(last.t) + step;
      const gap = x.points.some((p) => timeMs(p.t) > timeMs(last.t) && typeof p.average !== "number");
      if (removal) s.until = removal.time;
      else if (!gap && left < end) s.until = new Date(left).toISOString().replace(".000Z", "Z");
      continue;
    }
    // its VM stopped (deallocated or powered off) by a recorded stop, and not started again: no member from then on
    const power = stoppedBy(x.member, byResource, poolsKnown);
    if (power && power !== "running" && timeMs(power.time) < end) s.until = power.time;
    let since: Change | undefined;
    let all = true;
    for (const rule of lb.rules) {
      if (!rule.probe || !rule.pool) continue;
      for (const m of rule.pool.members) {
        if (m.kind === "frontend" || ipOf(m) !== ip) continue;
        const c = addedBy(m, lb, rule.pool.id, ip, byResource);
        if (!c) all = false;
        else if (!since || timeMs(c.time) < timeMs(since.time)) since = c;
      }
    }
    if (all && since && timeMs(first.t) + step > timeMs(since.time)) s.since = since.time;
  }
}

/**
 * When in the window a member could have been observed (see addUnobserved): `since` and `until` when the recorded
 * changes bound it, `{}` for the whole window, undefined for none of it (its VM stopped throughout).
 */
function observable(
  m: PoolMember,
  lb: LoadBalancer,
  poolId: string,
  ip: string,
  byResource: Map<string, Change[]>,
  powerKnown: boolean,
): { since?: string; until?: string } | undefined {
  // added in the window: before the first change that added it, it was no member
  const added = addedBy(m, lb, poolId, ip, byResource);
  const since = added ? { since: added.time } : {};
  const power = stoppedBy(m, byResource, powerKnown);
  if (power === "running") return since;
  return power ? { ...since, until: power.time } : undefined;
}

/**
 * How a member's VM stands at the end of the window, by its power state when the snapshot was taken (trusted only
 * when read soon enough after the window: `powerKnown`, see stateAtEnd) and the recorded changes: "running" when it
 * was running (or its state is not known, or it ran after its last recorded stop: a start, restart or its creation
 * after it); the last recorded stop (deallocation or power-off) when it has stopped since and not started again;
 * undefined when it was stopped throughout the window (no start nor stop recorded).
 */
function stoppedBy(m: PoolMember, byResource: Map<string, Change[]>, powerKnown: boolean): Change | "running" | undefined {
  const vm = m.vm;
  if (!vm || !powerKnown || (vm.powerState !== "deallocated" && vm.powerState !== "stopped")) return "running";
  const on = (c: Change, id: string | undefined) => id !== undefined && idKey(c.resourceId) === idKey(id);
  const power = [...new Set([vm.id, vm.vmssId].filter((id) => id !== undefined).map(idKey))].flatMap((k) => byResource.get(k) ?? []);
  const stop = power
    .filter((c) => VM_STOP.test(c.operation))
    .reduce<Change | undefined>((a, c) => (!a || timeMs(c.time) >= timeMs(a.time) ? c : a), undefined);
  const ran = power.some(
    (c) => (VM_START.test(c.operation) || (c.kind === "create" && on(c, vm.id))) && (!stop || timeMs(c.time) > timeMs(stop.time)),
  );
  return ran ? "running" : stop;
}

export function readTime(snapshot: AzureSnapshot, lbs: LoadBalancer[], metrics: LbMetricSeries[]): TimeData | undefined {
  const obs = snapshot.observations ?? {};
  const w = obs.window;
  if (!w || typeof w.from !== "string" || typeof w.until !== "string") return undefined;
  const time: TimeData = { window: { from: w.from, until: w.until }, series: [], spikes: [], changes: [], missing: [] };
  addMetricSeries(time, metrics);
  addSnatSpikes(time, metrics);
  time.changes = readChanges(obs);
  time.missing = missingFromGaps(snapshot);
  addMembership(snapshot, time, lbs, metrics);
  addUnobserved(snapshot, time, lbs, metrics);
  return time;
}

export interface SnatUsage {
  lb: LoadBalancer;
  ip: string;
  member?: PoolMember;
  points: Array<{ t: string; used: number; allocated: number }>;
  pointer: string;
  allocatedPointer: string;
}

/** UsedSnatPorts against AllocatedSnatPorts per backend address, minute by minute. */
export function snatUsage(metrics: LbMetricSeries[]): SnatUsage[] {
  const out: SnatUsage[] = [];
  const alloc = new Map<string, LbMetricSeries>();
  for (const s of metrics)
    if (s.metric === "AllocatedSnatPorts" && s.dims.backendipaddress) alloc.set(`${s.lb.key}|${s.dims.backendipaddress}`, s);
  for (const s of metrics) {
    const ip = s.dims.backendipaddress;
    if (s.metric !== "UsedSnatPorts" || !ip) continue;
    const a = alloc.get(`${s.lb.key}|${ip}`);
    if (!a) continue;
    const at = new Map(a.points.map((p) => [ms(p.t), p.average ?? p.maximum]));
    const points: SnatUsage["points"] = [];
    for (const p of s.points) {
      const used = p.maximum ?? p.average;
      const allocated = at.get(ms(p.t));
      if (typeof used === "number" && typeof allocated === "number") points.push({ t: p.t, used, allocated });
    }
    const u: SnatUsage = { lb: s.lb, ip, points, pointer: s.pointer, allocatedPointer: a.pointer };
    if (s.member) u.member = s.member;
    out.push(u);
  }
  return out;
}
