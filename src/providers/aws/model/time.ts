/**
 * The AWS time data: CloudWatch GetMetricData results per load balancer and
 * CloudTrail LookupEvents, read from `observations` into the provider-neutral
 * TimeData (src/core/timeline).
 *
 * `observations.cloudwatch["<LB ARN>"]` holds the request's MetricDataQueries
 * beside the MetricDataResults (a result names only its query Id), as
 * `aws cloudwatch get-metric-data` takes and prints them (timestamps as ISO
 * strings). `observations.cloudtrail.Events` is `aws cloudtrail lookup-events`
 * output; each event's `CloudTrailEvent` is the JSON record as a string.
 */

import type { Change, HealthSeries, TimeData } from "../../../core/timeline/types.ts";
import { stateAtEnd } from "../../../core/timeline/window.ts";
import { compareText } from "../../../core/util/collate.ts";
import { pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { awsArg, jsonForCommand } from "../../../core/util/shell.ts";
import type { AwsSnapshot } from "../wire-types.ts";
import type { LoadBalancer, TargetGroup } from "./types.ts";

type Rec = Record<string, unknown>;
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const ms = (t: string) => Date.parse(t);

/** CloudWatch's dimension value for a load balancer or target group ARN: `app/name/id`, `targetgroup/name/id`. */
export function dimensionOf(arn: string): string {
  const i = arn.indexOf(":loadbalancer/");
  if (i >= 0) return arn.slice(i + ":loadbalancer/".length);
  const j = arn.lastIndexOf(":");
  return arn.slice(j + 1);
}

/** The CloudWatch namespace of a load balancer type. */
export function namespaceOf(lbType: string): string {
  return lbType === "network" ? "AWS/NetworkELB" : lbType === "gateway" ? "AWS/GatewayELB" : "AWS/ApplicationELB";
}

interface Metric {
  name: string;
  stat: string;
  dims: Record<string, string>;
  points: Array<{ t: string; v: number }>;
  pointer: string;
  /** the grain in milliseconds: the query's `MetricStat.Period` (seconds); unset when the query names none */
  step?: number;
}

function readMetrics(lbArn: string, body: Rec): Metric[] {
  const queries = new Map(arr(body.MetricDataQueries).map((q) => [String(q.Id), q]));
  return arr(body.MetricDataResults).map((r, ri) => {
    const q = queries.get(String(r.Id));
    const stat = (q?.MetricStat ?? {}) as Rec;
    const metric = (stat.Metric ?? {}) as Rec;
    const dims: Record<string, string> = {};
    for (const d of arr(metric.Dimensions)) if (str(d.Name)) dims[String(d.Name)] = String(d.Value ?? "");
    const ts = Array.isArray(r.Timestamps) ? (r.Timestamps as unknown[]) : [];
    const vs = Array.isArray(r.Values) ? (r.Values as unknown[]) : [];
    const points = ts
      .map((t, i) => ({ t: typeof t === "number" ? new Date(t * 1000).toISOString() : String(t), v: Number(vs[i]) }))
      .filter((p) => !Number.isNaN(ms(p.t)) && Number.isFinite(p.v))
      .sort((a, b) => ms(a.t) - ms(b.t));
    const period = stat.Period;
    return {
      name: String(metric.MetricName ?? r.Label ?? ""),
      stat: String(stat.Stat ?? ""),
      dims,
      points,
      pointer: pointer("observations", "cloudwatch", lbArn, "MetricDataResults", ri),
      ...(typeof period === "number" && Number.isFinite(period) && period > 0 ? { step: period * 1000 } : {}),
    };
  });
}

/** Normalized ids on the path of a target group's members in one zone (all zones when az is undefined). */
function tgPath(lb: LoadBalancer, tg: TargetGroup, az: string | undefined): string[] {
  const out = new Set<string>([lb.key, tg.key, ...lb.securityGroupIds.map(idKey)]);
  for (const l of lb.listeners) out.add(l.key);
  for (const g of tg.asgs) {
    out.add(g.key);
    if (g.arn) out.add(idKey(g.arn));
  }
  for (const t of tg.targets) {
    const zone = t.availabilityZone ?? t.instance?.availabilityZone ?? t.subnet?.availabilityZone;
    if (az && zone && zone !== az) continue;
    out.add(t.key);
    const i = t.instance;
    if (i) {
      out.add(i.key);
      for (const g of i.securityGroupIds) out.add(idKey(g));
    }
    const subnet = i?.subnet ?? t.subnet;
    if (subnet) {
      out.add(subnet.key);
      if (subnet.nacl) out.add(subnet.nacl.key);
    }
  }
  return [...out];
}

/** One point's state: healthy hosts and no unhealthy ones. */
function healthSeries(
  lb: LoadBalancer,
  tg: TargetGroup,
  az: string | undefined,
  healthy: Metric,
  unhealthy: Metric | undefined,
): HealthSeries {
  const un = new Map((unhealthy?.points ?? []).map((p) => [ms(p.t), p.v]));
  return {
    key: `${tg.key}|${az ?? ""}`,
    resourceId: tg.arn,
    label: az ? `${tg.name} in ${az}` : tg.name,
    loadBalancerId: lb.arn,
    metric: "HealthyHostCount",
    path: tgPath(lb, tg, az),
    pointer: healthy.pointer,
    points: healthy.points.map((p) => ({ t: p.t, up: p.v > 0 && (un.get(ms(p.t)) ?? 0) === 0, value: p.v })),
    ...(healthy.step !== undefined ? { step: healthy.step } : {}),
    rule: "up when it has healthy hosts and no unhealthy ones",
  };
}

const SPIKES: Record<string, string> = {
  HTTPCode_ELB_5XX_Count: "load balancer 5xx",
  HTTPCode_Target_5XX_Count: "target 5xx",
  TargetConnectionErrorCount: "target connection errors",
  RejectedConnectionCount: "rejected connections",
};

function permText(p: Rec): string {
  const proto = String(p.ipProtocol ?? p.IpProtocol ?? "?");
  const from = p.fromPort ?? p.FromPort;
  const to = p.toPort ?? p.ToPort;
  const port = proto === "-1" ? "all traffic" : `${proto} ${from === to ? String(from) : `${String(from)}-${String(to)}`}`;
  const items = (v: unknown) => arr((v as Rec | undefined)?.items ?? v);
  const srcs = [
    ...items(p.ipRanges).map((r) => String(r.cidrIp ?? r.CidrIp ?? "")),
    ...items(p.ipv6Ranges).map((r) => String(r.cidrIpv6 ?? "")),
    ...items(p.groups).map((g) => String(g.groupId ?? "")),
    ...items(p.prefixListIds).map((g) => String(g.prefixListId ?? "")),
  ].filter(Boolean);
  return `${port} from ${srcs.join(", ") || "?"}`;
}

/** The `--ip-permissions` JSON of CloudTrail's requestParameters.ipPermissions. */
function ipPermissionsJson(perms: Rec[]): string {
  const items = (v: unknown) => arr((v as Rec | undefined)?.items ?? v);
  return jsonForCommand(
    perms.map((p) => {
      const o: Rec = { IpProtocol: String(p.ipProtocol ?? "-1") };
      if (p.fromPort !== undefined) o.FromPort = Number(p.fromPort);
      if (p.toPort !== undefined) o.ToPort = Number(p.toPort);
      const v4 = items(p.ipRanges).map((r) => ({ CidrIp: String(r.cidrIp ?? "") }));
      const v6 = items(p.ipv6Ranges).map((r) => ({ CidrIpv6: String(r.cidrIpv6 ?? "") }));
      const groups = items(p.groups).map((g) => ({ GroupId: String(g.groupId ?? "") }));
      if (v4.length) o.IpRanges = v4;
      if (v6.length) o.Ipv6Ranges = v6;
      if (groups.length) o.UserIdGroupPairs = groups;
      return o;
    }),
  );
}

interface Described {
  resourceId?: string;
  summary: string;
  properties: Change["properties"];
  revert: string[];
  kind: Change["kind"];
}

/** What a CloudTrail event changed, and the command that undoes it (when the request says enough). */
function describeEvent(name: string, req: Rec): Described {
  const perms = arr((req.ipPermissions as Rec | undefined)?.items ?? req.ipPermissions);
  const sg = str(req.groupId);
  switch (name) {
    case "AuthorizeSecurityGroupIngress":
    case "RevokeSecurityGroupIngress":
    case "AuthorizeSecurityGroupEgress":
    case "RevokeSecurityGroupEgress": {
      const authorize = name.startsWith("Authorize");
      const dir = name.endsWith("Ingress") ? "ingress" : "egress";
      const rules = perms.map(permText);
      const inverse = `${authorize ? "revoke" : "authorize"}-security-group-${dir}`;
      return {
        ...(sg ? { resourceId: sg } : {}),
        summary: `${sg ?? "security group"}: ${dir} ${rules.join("; ") || "rules"} ${authorize ? "authorized" : "revoked"}`,
        properties: rules.map((r) => ({ path: `${dir} rule`, ...(authorize ? { after: r } : { before: r }) })),
        revert:
          sg && perms.length > 0
            ? [`aws ec2 ${inverse} --group-id ${awsArg(sg)} --ip-permissions ${awsArg(ipPermissionsJson(perms))}`]
            : [],
        kind: "update",
      };
    }
    case "CreateNetworkAclEntry":
    case "ReplaceNetworkAclEntry":
    case "DeleteNetworkAclEntry": {
      const acl = str(req.networkAclId);
      const n = req.ruleNumber;
      const egress = req.egress === true || req.egress === "true";
      const range = req.portRange as Rec | undefined;
      const entry =
        `${String(req.ruleAction ?? "")} ${String(req.protocol ?? "")} ${range ? `${String(range.from)}-${String(range.to)}` : ""} ${String(req.cidrBlock ?? req.ipv6CidrBlock ?? "")}`
          .replace(/\s+/g, " ")
          .trim();
      const verb = name.startsWith("Create") ? "added" : name.startsWith("Replace") ? "replaced" : "deleted";
      const revert =
        name.startsWith("Create") && acl && n !== undefined
          ? [
              `aws ec2 delete-network-acl-entry --network-acl-id ${awsArg(acl)} --rule-number ${awsArg(Number(n))} ${egress ? "--egress" : "--ingress"}`,
            ]
          : [];
      return {
        ...(acl ? { resourceId: acl } : {}),
        summary: `${acl ?? "network ACL"}: ${egress ? "outbound" : "inbound"} entry ${String(n)} ${verb}${entry ? ` (${entry})` : ""}`,
        properties: [{ path: `${egress ? "egress" : "ingress"} entry ${String(n)}`, ...(verb === "deleted" ? {} : { after: entry }) }],
        revert,
        kind: name.startsWith("Delete") ? "delete" : "update",
      };
    }
    case "RegisterTargets":
    case "DeregisterTargets": {
      const tg = str(req.targetGroupArn);
      const targets = arr(req.targets);
      const list = targets.map((t) => `${String(t.id)}${t.port !== undefined ? `:${String(t.port)}` : ""}`);
      const args = targets.map((t) => (t.port !== undefined ? { Id: String(t.id), Port: Number(t.port) } : { Id: String(t.id) }));
      const inverse = name === "RegisterTargets" ? "deregister-targets" : "register-targets";
      return {
        ...(tg ? { resourceId: tg } : {}),
        summary: `${tg ? dimensionOf(tg) : "target group"}: ${list.join(", ")} ${name === "RegisterTargets" ? "registered" : "deregistered"}`,
        properties: list.map((x) => ({ path: "target", ...(name === "RegisterTargets" ? { after: x } : { before: x }) })),
        revert:
          tg && args.length > 0 ? [`aws elbv2 ${inverse} --target-group-arn ${awsArg(tg)} --targets ${awsArg(jsonForCommand(args))}`] : [],
        kind: "update",
      };
    }
    case "AddTags":
    case "RemoveTags":
    case "CreateTags":
    case "DeleteTags": {
      // ELBv2 names its resources in `resourceArns` and tags as {key, value}; EC2 in `resourcesSet.items[].resourceId`
      // and `tagSet.items[]` (a DeleteTags tag may hold a key only)
      const resources = [
        ...(Array.isArray(req.resourceArns) ? req.resourceArns.filter((x): x is string => typeof x === "string") : []),
        ...arr((req.resourcesSet as Rec | undefined)?.items).flatMap((x) => (typeof x.resourceId === "string" ? [x.resourceId] : [])),
      ];
      const tags = [...arr(req.tags), ...arr((req.tagSet as Rec | undefined)?.items)];
      const keys = [...arr(req.tagKeys).map((k) => ({ key: k })), ...tags];
      const removed = name === "RemoveTags" || name === "DeleteTags";
      const id = resources[0];
      const shown = (r: string) => (r.startsWith("arn:") ? dimensionOf(r) : r);
      const props = keys.map((t) => {
        const path = `tags.${String((t as Rec).key ?? "?")}`;
        const v = (t as Rec).value;
        // RemoveTags names the keys only (DeleteTags may give a value): an old value CloudTrail did not record is said so
        return removed ? { path, before: v !== undefined ? v : "(not recorded)" } : { path, after: v };
      });
      return {
        ...(id ? { resourceId: id } : {}),
        summary:
          `${name} on ${resources.length > 0 ? resources.map(shown).join(", ") : "?"}` +
          (props.length > 0
            ? `: ${props
                .map((x) => x.path)
                .join(", ")
                .slice(0, 160)}`
            : ""),
        properties: props,
        revert: [],
        kind: "update",
      };
    }
    default: {
      const id =
        str(req.targetGroupArn) ??
        str(req.listenerArn) ??
        str(req.loadBalancerArn) ??
        str(req.autoScalingGroupName) ??
        sg ??
        str(req.networkAclId);
      const ids = new Set(["targetGroupArn", "listenerArn", "loadBalancerArn", "autoScalingGroupName", "groupId", "networkAclId"]);
      const props = Object.entries(req)
        .filter(([k]) => !ids.has(k))
        .map(([k, v]) => ({ path: k, after: v }));
      return {
        ...(id ? { resourceId: id } : {}),
        summary: `${name} on ${id ? (id.startsWith("arn:") ? dimensionOf(id) : id) : "?"}${
          props.length > 0
            ? `: ${props
                .map((p) => `${p.path}=${typeof p.after === "string" ? p.after : JSON.stringify(p.after)}`)
                .join(", ")
                .slice(0, 160)}`
            : ""
        }`,
        properties: props,
        revert: [],
        kind: /^Delete/.test(name) ? "delete" : /^Create/.test(name) ? "create" : "update",
      };
    }
  }
}

/** What a minute of unhealthy state routing is called on the timeline. */
export const ROUTING_FAIL_OPEN = "routing unhealthy: fails open to all targets";

/**
 * Minutes where a target group's zone did not meet its routing healthy state
 * (UnhealthyStateRouting above zero, or HealthyStateRouting reported as zero):
 * the load balancer then sends that zone's traffic to every target, unhealthy
 * ones included. Only where CloudWatch reported the metrics.
 */
function routingSpikes(lb: LoadBalancer, metrics: Metric[], tgByDim: Map<string, TargetGroup>): TimeData["spikes"] {
  const out: TimeData["spikes"] = [];
  const seen = new Set<string>();
  const of = (name: string) => metrics.filter((m) => m.name === name && m.dims.TargetGroup);
  for (const m of [...of("UnhealthyStateRouting"), ...of("HealthyStateRouting")]) {
    const tg = tgByDim.get(m.dims.TargetGroup as string);
    if (!tg) continue;
    const az = m.dims.AvailabilityZone;
    for (const p of m.points) {
      const bad = m.name === "UnhealthyStateRouting" ? p.v > 0 : p.v === 0;
      const k = `${tg.key}|${az ?? ""}|${ms(p.t)}`;
      if (!bad || seen.has(k)) continue;
      seen.add(k);
      out.push({
        t: p.t,
        loadBalancerId: lb.arn,
        resourceId: tg.arn,
        metric: ROUTING_FAIL_OPEN,
        label: az ? `${tg.name} in ${az}` : tg.name,
        value: m.name === "UnhealthyStateRouting" ? p.v : 1,
        pointer: m.pointer,
      });
    }
  }
  return out;
}

/**
 * The target groups' zones whose health (HealthyHostCount) could have shown in the window and has no datapoint in it
 * (TimeData.unobserved). Could have: the metric was asked for and the load balancer's GetMetricData answered (a call
 * that failed is a gap, `missing`), the group's targets were read (DescribeTargetHealth; when they were not, that is
 * a gap of its own, and whether the zone had a target nobody can tell), and a target is registered in the zone (or in
 * every zone: `all`) that the load balancer health-checks: not `unused` (a stopped instance, a zone the load balancer
 * does not serve), not a Lambda function. CloudWatch reports no datapoint for a zone with no such target: no
 * unknown there. A registration recorded in the window does not date a target's arrival (registering a registered
 * target changes nothing): the zone is taken to have had its targets from the start of the window. A target whose
 * instance was stopped when the snapshot was taken counts until a StopInstances recorded in the window that names it,
 * when there is one (it ran until then); an `unused` target read long after the window (stateAtEnd) counts for all of it.
 */
function addUnobserved(
  time: TimeData,
  asked: Array<{ lb: LoadBalancer; tg: TargetGroup; az: string | undefined; pointer: string }>,
  collectedAt: string | undefined,
): void {
  // a target's state read long after the window says nothing of its state in it: an unused one counts then
  const stateKnown = stateAtEnd(collectedAt, time.window);
  const sampled = new Set(time.series.filter((s) => s.points.length > 0).map((s) => s.key));
  const empty = new Map(time.series.filter((s) => s.points.length === 0).map((s) => [s.key, s]));
  const from = ms(time.window.from);
  const until = ms(time.window.until);
  const stops = time.changes.filter((c) => {
    const t = ms(c.time);
    return (
      /^(StopInstances|TerminateInstances)$/.test(c.operation) && t >= from && t <= until && (!c.status || /^succeeded$/i.test(c.status))
    );
  });
  const out: NonNullable<TimeData["unobserved"]> = [];
  const seen = new Set<string>();
  for (const { lb, tg, az, pointer: at } of asked) {
    const key = `${tg.key}|${az ?? ""}`;
    if (sampled.has(key) || seen.has(key) || !tg.healthKnown) continue;
    seen.add(key);
    // until when each target in the zone could be health-checked: the whole window, or until its instance was stopped
    const spans: Array<string | undefined> = [];
    for (const t of tg.targets) {
      const zone = t.availabilityZone ?? t.instance?.availabilityZone ?? t.subnet?.availabilityZone;
      // a target whose zone is not known is placed in none (the group's series per zone cannot be told apart for it)
      if (t.kind === "lambda" || (az !== undefined && (!zone || (zone !== az && zone !== "all")))) continue;
      if (t.state !== "unused" || !stateKnown) {
        spans.push(undefined);
        continue;
      }
      // unused: its instance stopped (or the zone not served); it ran until a recorded stop of its instance
      const stop = t.instance
        ? stops.filter((c) => c.resourceId === t.id || JSON.stringify(c.properties).includes(`"${t.id}"`)).at(-1)
        : undefined;
      if (stop) spans.push(stop.time);
    }
    if (spans.length === 0) continue; // no target to health-check there: CloudWatch reports nothing
    const last = spans.includes(undefined) ? undefined : (spans as string[]).sort((a, b) => ms(a) - ms(b)).at(-1);
    const series =
      empty.get(key) ??
      healthSeries(lb, tg, az, { name: "HealthyHostCount", stat: "Minimum", dims: {}, points: [], pointer: at }, undefined);
    out.push({ series, ...(last !== undefined ? { until: last } : {}) });
  }
  if (out.length > 0) time.unobserved = out;
}

export function readAwsTime(snapshot: AwsSnapshot, lbs: LoadBalancer[]): TimeData | undefined {
  const obs = (snapshot.observations ?? {}) as Rec;
  const w = obs.window as { from?: unknown; until?: unknown } | undefined;
  if (!w || typeof w.from !== "string" || typeof w.until !== "string") return undefined;
  const time: TimeData = { window: { from: w.from, until: w.until }, series: [], spikes: [], changes: [], missing: [] };
  const byKey = new Map(lbs.map((lb) => [lb.key, lb]));
  /** the zones of target groups whose HealthyHostCount was asked for, with the series read for each (when a result came) */
  const asked: Array<{ lb: LoadBalancer; tg: TargetGroup; az: string | undefined; pointer: string }> = [];
  for (const [lbArn, body] of Object.entries((obs.cloudwatch ?? {}) as Record<string, Rec>)) {
    const lb = byKey.get(idKey(lbArn));
    if (!lb || !body) continue;
    const metrics = readMetrics(lbArn, body);
    const tgByDim = new Map(lb.targetGroups.map((tg) => [dimensionOf(tg.arn), tg]));
    arr(body.MetricDataQueries).forEach((q, qi) => {
      const metric = ((q.MetricStat as Rec | undefined)?.Metric ?? {}) as Rec;
      if (metric.MetricName !== "HealthyHostCount") return;
      const dims = new Map(arr(metric.Dimensions).map((d) => [String(d.Name), String(d.Value ?? "")]));
      const tg = tgByDim.get(dims.get("TargetGroup") ?? "");
      if (tg)
        asked.push({
          lb,
          tg,
          az: dims.get("AvailabilityZone"),
          pointer: pointer("observations", "cloudwatch", lbArn, "MetricDataQueries", qi),
        });
    });
    const healthy = metrics.filter((m) => m.name === "HealthyHostCount" && m.dims.TargetGroup);
    for (const h of healthy) {
      const tg = tgByDim.get(h.dims.TargetGroup as string);
      if (!tg) continue;
      const az = h.dims.AvailabilityZone;
      const un = metrics.find(
        (m) => m.name === "UnHealthyHostCount" && m.dims.TargetGroup === h.dims.TargetGroup && m.dims.AvailabilityZone === az,
      );
      time.series.push(healthSeries(lb, tg, az, h, un));
    }
    time.spikes.push(...routingSpikes(lb, metrics, tgByDim));
    for (const m of metrics) {
      const label = SPIKES[m.name];
      if (!label) continue;
      const tg = m.dims.TargetGroup ? tgByDim.get(m.dims.TargetGroup) : undefined;
      for (const p of m.points) {
        if (p.v > 0) {
          time.spikes.push({
            t: p.t,
            loadBalancerId: lb.arn,
            ...(tg ? { resourceId: tg.arn } : {}),
            metric: label,
            label: tg ? tg.name : lb.name,
            value: p.v,
            pointer: m.pointer,
          });
        }
      }
    }
  }
  const events = arr((obs.cloudtrail as Rec | undefined)?.Events);
  events.forEach((e, i) => {
    const name = String(e.EventName ?? "");
    const t = e.EventTime;
    const time0 = typeof t === "number" ? new Date(t * 1000).toISOString() : str(t);
    if (!name || !time0 || e.ReadOnly === "true") return;
    let detail: Rec = {};
    try {
      detail = JSON.parse(String(e.CloudTrailEvent ?? "{}")) as Rec;
    } catch {
      detail = {};
    }
    const req = (detail.requestParameters ?? {}) as Rec;
    const d = describeEvent(name, req);
    const resourceId =
      d.resourceId ??
      arr(e.Resources)
        .map((r) => str(r.ResourceName))
        .find(Boolean) ??
      "";
    if (!resourceId) return;
    const errorCode = str(detail.errorCode);
    const change: Change = {
      id: str(e.EventId) ?? `event-${i}`,
      time: time0,
      resourceId,
      resourceName: resourceId.startsWith("arn:") ? dimensionOf(resourceId) : resourceId,
      operation: name,
      kind: d.kind,
      status: errorCode ? `Failed: ${errorCode}` : "Succeeded",
      properties: d.properties,
      summary: d.summary,
      revert: errorCode ? [] : d.revert,
      source: "cloudtrail",
      pointer: pointer("observations", "cloudtrail", "Events", i),
    };
    const who = str(e.Username) ?? str(((detail.userIdentity ?? {}) as Rec).arn);
    if (who) change.who = who;
    time.changes.push(change);
  });
  time.changes.sort((a, b) => ms(a.time) - ms(b.time) || compareText(a.id, b.id));
  addUnobserved(time, asked, snapshot.collectedAt);
  for (const g of snapshot.gaps ?? []) {
    const op = g.operation.toLowerCase();
    if (op.endsWith("getmetricdata"))
      time.missing.push({
        what: "metrics",
        operation: g.operation,
        message: g.message,
        ...(g.resourceId ? { resourceId: g.resourceId } : {}),
      });
    if (op.endsWith("lookupevents"))
      time.missing.push({
        what: "changes",
        operation: g.operation,
        message: g.message,
        ...(g.resourceId ? { resourceId: g.resourceId } : {}),
      });
  }
  return time;
}
