/**
 * The AWS inspector: the load-balancer view (listeners → target groups →
 * targets, with each target's instance state, Availability Zone, health state,
 * reason code and description, and the verdicts of its health-check and data
 * flows through security groups and network ACLs) and the flow trace, from the
 * AWS model. It reuses the security-group and network-ACL evaluators.
 */
import type { FlowChoice, Inspector, LbDetail, MemberColumns, MemberRow, RuleBlock, TraceResult, VerdictCell } from "../../core/inspect.ts";
import { sanitize } from "../../core/report/sanitize.ts";
import { idKey } from "../../core/util/resource-id.ts";
import type { AwsModel, Listener, LoadBalancer, TargetGroup } from "./model.ts";
import { reasonMeaning } from "./reasons.ts";
import {
  type FlowTrace,
  parseSource,
  type Route,
  routeKey,
  routesOf,
  targetName,
  traceData,
  traceFromSource,
  traceHealthCheck,
  untraceable,
} from "./trace-flows.ts";
import type { TraceHop } from "./trace-path.ts";

const s = (v: string | undefined): string => sanitize(v ?? "");

export const AWS_COLUMNS: MemberColumns = { member: "TARGET", host: "AZ", power: "STATE", health: "HEALTH", probe: "HC", data: "DATA" };

export const HOPS_TITLE =
  "HOPS (security groups are stateful: the request's direction only; network ACLs are stateless: the request and the reply; every hop must allow)";

/** A trace as one cell: the blocking hop's rule for a deny, the first undecided hop for unknown, the target's security group for an allow. */
export function cellOf(t: FlowTrace): VerdictCell {
  if (t.error) return { verdict: "n/a", reason: t.error };
  const pick = (h: TraceHop | undefined, verdict: VerdictCell["verdict"]): VerdictCell => {
    const cell: VerdictCell = { verdict };
    if (!h) return cell;
    cell.layer = h.layer;
    // a security-group rule names its group already ("… in sg-0abc"): say whose it is instead of repeating the title
    const sg = /-sg-(ingress|egress)$/.test(h.layer);
    if (!sg) cell.at = h.title;
    if (h.deciding) cell.rule = sg ? `${h.where} SG ${h.deciding.name}` : h.deciding.name;
    const note = h.notes.find((n) => n.kind === "reason") ?? h.notes[0];
    if (!h.deciding && note) cell.reason = note.text;
    return cell;
  };
  if (t.verdict === "deny")
    return pick(
      t.hops.find((h) => h.verdict === "deny"),
      "deny",
    );
  if (t.verdict === "unknown") {
    const c = pick(
      t.hops.find((h) => h.verdict === "unknown"),
      "unknown",
    );
    if (!c.reason && t.reason) c.reason = t.reason;
    return c;
  }
  return pick(t.hops.find((h) => h.layer === "target-sg-ingress" && h.deciding) ?? t.hops.find((h) => h.deciding), "allow");
}

function listenerTitle(l: Listener): string {
  if (l.port === undefined && l.protocol === undefined) return `listener ${s(l.name)} · every IP packet (Gateway Load Balancer)`;
  return `listener ${s(l.protocol ?? "?")}:${l.port ?? "?"}`;
}

function routeTitle(tg: TargetGroup, listener: Listener | undefined): string {
  const hc = tg.healthCheck;
  const health = !hc.enabled
    ? "health checks off"
    : `health check ${s(hc.protocol ?? "?")}:${s(hc.portSpec)}${hc.path ? s(hc.path) : ""}${hc.matcher ? ` (matcher ${s(hc.matcher)})` : ""}`;
  const w = listener?.defaultActions.flatMap((a) => a.forwards).find((f) => f.targetGroup === tg)?.weight;
  return `target group ${s(tg.name)} · ${s(tg.protocol ?? "?")} ${tg.port ?? "?"} · ${s(tg.targetType)} targets${w !== undefined ? ` · weight ${w}` : ""} · ${health}`;
}

function memberRow(model: AwsModel, r: Route): MemberRow {
  const t = r.target;
  const no = untraceable(t);
  const id = t.instance && t.instance.name !== t.instance.id ? `${s(t.id)} (${s(t.instance.name)})` : s(t.id);
  const row: MemberRow = {
    key: `${routeKey(r)}|${t.key}`,
    ruleKey: routeKey(r),
    memberKey: t.key,
    // the IP follows in the table; the port when it is not the target group's
    member: `${id}${t.port !== undefined && t.port !== r.tg.port ? `:${t.port}` : ""}`,
    power: t.instance ? s(t.instance.state ?? "unknown") : "—",
    health: { state: t.state ? s(t.state) : "—" },
    probe: { verdict: "n/a" },
    data: { verdict: "n/a" },
    traceable: !no,
  };
  if (t.ip && t.ip !== t.id) row.ip = t.ip;
  const zone = t.availabilityZone ?? t.instance?.availabilityZone ?? t.subnet?.availabilityZone;
  if (zone) row.zone = s(zone);
  if (t.reason) row.health.reason = s(t.reason);
  if (t.description) row.health.meaning = s(t.description);
  else if (t.reason) row.health.meaning = reasonMeaning(t.state, t.reason);
  if (!r.tg.healthKnown && !t.state) row.health.reason = "target health was not read";
  if (no) {
    row.probe = { verdict: "n/a", reason: no };
    row.data = { verdict: "n/a", reason: no };
    return row;
  }
  row.probe = cellOf(traceHealthCheck(model, r));
  row.data = cellOf(traceData(model, r));
  return row;
}

function lbDetail(model: AwsModel, lb: LoadBalancer): LbDetail {
  const routes = routesOf(lb);
  const frontends: LbDetail["frontends"] = lb.listeners.map((l) => ({
    key: l.key,
    name: s(l.name),
    title: listenerTitle(l),
    emptyText: "forwards to no target group (a redirect, a fixed response, or an empty forward)",
    rules: [],
  }));
  const blocks = new Map<string, RuleBlock>();
  for (const r of routes) {
    if (!r.listener) continue;
    const key = routeKey(r);
    let b = blocks.get(key);
    if (!b) {
      const tg = r.tg;
      b = {
        key,
        name: s(tg.name),
        title: routeTitle(tg, r.listener),
        emptyText: "the target group has no registered targets",
        protocol: s(tg.protocol ?? "?"),
        frontendPort: r.listener.port ?? 0,
        backendPort: tg.port ?? 0,
        floatingIp: false,
        pool: s(tg.name),
        members: [],
      };
      if (tg.healthCheck.enabled) {
        b.probe = { name: "health check", protocol: s(tg.healthCheck.protocol ?? "?"), port: tg.healthCheck.port ?? tg.port ?? 0 };
        if (tg.healthCheck.path) b.probe.path = s(tg.healthCheck.path);
      } else b.note = "health checks are disabled: targets are `unavailable`";
      if (!tg.healthKnown) b.note = "target health was not read (DescribeTargetHealth is missing from the snapshot)";
      blocks.set(key, b);
      frontends.find((f) => f.key === r.listener?.key)?.rules.push(b);
    }
    b.members.push(memberRow(model, r));
  }
  // target groups a listener forwards to but that hold no target still get a block
  for (const l of lb.listeners) {
    const fe = frontends.find((f) => f.key === l.key);
    for (const tg of [...l.defaultActions, ...l.rules.flatMap((x) => x.actions)].flatMap((a) => a.forwards.map((f) => f.targetGroup))) {
      if (!tg || !fe) continue;
      const key = routeKey({ listener: l, tg });
      if (blocks.has(key)) continue;
      const b: RuleBlock = {
        key,
        name: s(tg.name),
        title: routeTitle(tg, l),
        emptyText: tg.healthKnown ? "the target group has no registered targets" : "target health was not read",
        protocol: s(tg.protocol ?? "?"),
        frontendPort: l.port ?? 0,
        backendPort: tg.port ?? 0,
        floatingIp: false,
        pool: s(tg.name),
        members: [],
      };
      blocks.set(key, b);
      fe.rules.push(b);
    }
  }
  const footnotes: LbDetail["footnotes"] = [];
  const forwarded = new Set(routes.filter((r) => r.listener).map((r) => r.tg.key));
  for (const tg of lb.targetGroups) {
    if (forwarded.has(tg.key)) continue;
    if (
      lb.listeners.some((l) =>
        [...l.defaultActions, ...l.rules.flatMap((x) => x.actions)].some((a) => a.forwards.some((f) => f.targetGroup === tg)),
      )
    )
      continue;
    footnotes.push({ text: `target group ${s(tg.name)} (${tg.targets.length} targets): no listener forwards to it`, warn: true });
  }
  if (lb.type === "network" && lb.securityGroupIds.length === 0)
    footnotes.push({
      text: "no security groups on this Network Load Balancer: the targets' security groups must admit the clients or the VPC",
      warn: false,
    });
  return {
    key: lb.key,
    name: s(lb.name),
    sku: s(lb.type),
    kind: lb.type === "gateway" ? "gateway" : lb.internetFacing ? "public" : "internal",
    clients: lb.type === "gateway" ? "GWLB endpoints" : lb.internetFacing ? "Internet" : "the VPC",
    columns: AWS_COLUMNS,
    frontends,
    footnotes,
  };
}

function toResult(title: string, t: FlowTrace): TraceResult {
  const r: TraceResult = { title, flow: t.flow, basis: t.basis, layersTitle: HOPS_TITLE, layers: t.hops, verdict: t.verdict };
  if (t.error) r.error = t.error;
  if (t.why && t.verdict === "deny") r.why = t.why;
  if (t.reason) r.reason = t.reason;
  return r;
}

export function createAwsInspector(model: AwsModel): Inspector {
  const lbByKey = new Map(model.loadBalancers.map((lb) => [lb.key, lb]));
  const details = new Map<string, LbDetail>();
  const routes = (lb: LoadBalancer) => routesOf(lb).map((r) => ({ r, key: `${routeKey(r)}|${r.target.key}` }));
  const label = (r: Route) =>
    `${targetName(r.target)} · ${r.listener ? `${s(r.listener.protocol ?? "")}:${r.listener.port ?? "*"} → ` : ""}${s(r.tg.name)}`;
  return {
    flowNames: { probe: "health check", data: "data" },
    lbDetail(key) {
      const k = idKey(key);
      let d = details.get(k);
      const lb = lbByKey.get(k);
      if (!d && lb) details.set(k, (d = lbDetail(model, lb)));
      return d;
    },
    traceTargets(lbKey) {
      const lb = lbByKey.get(idKey(lbKey));
      if (!lb) return [];
      return routes(lb)
        .filter(({ r }) => r.listener && !untraceable(r.target))
        .map(({ r, key }) => ({ key, label: label(r) }));
    },
    trace(lbKey, targetKey, choice: FlowChoice): TraceResult {
      const lb = lbByKey.get(idKey(lbKey));
      const hit = lb ? routes(lb).find((x) => x.key === targetKey) : undefined;
      if (!hit)
        return {
          title: "",
          flow: "",
          basis: "",
          layersTitle: HOPS_TITLE,
          layers: [],
          verdict: "unknown",
          error: "this target is no longer in the load balancer",
        };
      const title = label(hit.r);
      if (choice.kind === "probe") return toResult(title, traceHealthCheck(model, hit.r));
      if (choice.kind === "data") return toResult(title, traceData(model, hit.r));
      if (choice.protocol === "Icmp")
        return toResult(title, {
          hops: [],
          verdict: "unknown",
          flow: "",
          basis: "",
          error: "ICMP is not traced for AWS: give a TCP or UDP port",
        });
      const src = parseSource(model, choice.source);
      if ("error" in src) return toResult(title, { hops: [], verdict: "unknown", flow: "", basis: "", error: src.error });
      return toResult(title, traceFromSource(model, hit.r, src, choice.port, choice.protocol === "Udp" ? "udp" : "tcp"));
    },
    healthStates() {
      const out = new Map<string, { state: string; reason?: string; label: string }>();
      for (const lb of model.loadBalancers) {
        for (const { r, key } of routes(lb)) {
          if (!r.listener) continue;
          const e: { state: string; reason?: string; label: string } = {
            state: r.target.state ? s(r.target.state) : "—",
            label: `${targetName(r.target)} · ${s(lb.name)}/${s(r.tg.name)}`,
          };
          if (r.target.reason) e.reason = s(r.target.reason);
          out.set(key, e);
        }
      }
      return out;
    },
  };
}
