/**
 * `lbdoctor trace` for AWS: one flow to a target on a port, hop by hop through
 * the load balancer's and the target's security groups and subnet network ACLs
 * (the reply on the ephemeral ports included) and, for a client on the internet,
 * the load balancer subnets' route tables, offline, from a snapshot.
 *
 * --from: `lb` (or a load balancer's name): the LB nodes → the target;
 *         `Internet`, an IPv4 or IPv6 address or CIDR: a client, through the listener that forwards to the
 *         target on that port, else directly (the listener's rules decide which target group the client's IP
 *         family goes to; a dualstack NLB translates a client of the other IP family to its target group's, and
 *         the target then sees the NLB's address). At a dualstack load balancer `Internet` traces the family
 *         the target group serves (IPv6 at an internet-facing ALB without a public IPv4 address) and says what
 *         becomes of the other; `Internet-IPv4` and `Internet-IPv6` pick one;
 *         an EC2 instance (id, Name tag or private IP): that instance → the target.
 * --to:   `<instance id | Name tag | IP>:<port>` (the target port, or the health-check port; from a client, also a
 *         listener's port: the flow goes through that listener to the port it forwards to).
 * --lb:   which load balancer, when the target sits behind several.
 */

import { InputError } from "../../core/errors.ts";
import type { IO } from "../../core/io.ts";
import type { TraceOptions } from "../../core/provider.ts";
import { noWorkflowCommands, oneLine, safeJson, sanitize } from "../../core/report/sanitize.ts";
import { styles } from "../../core/util/ansi.ts";
import { isAddressLike, parsePort, sameAddress } from "../../core/util/ip.ts";
import { type AwsModel, buildAwsModel, type Instance } from "./model.ts";
import { instanceByIpv6, ipv6Target } from "./target-sg.ts";
import {
  endpointOfTarget,
  type FlowTrace,
  listensOn,
  parseSource,
  type Route,
  routesOf,
  type SourceSpec,
  throughListener,
  traceDirect,
  traceFromSource,
} from "./trace-flows.ts";
import { instanceEndpoint } from "./trace-path.ts";
import type { AwsSnapshot } from "./wire-types.ts";

function candidates(model: AwsModel): string {
  const names = model.instances.map((i) => (i.name !== i.id ? `${i.id} (${i.name})` : i.id));
  return names.length > 0 ? `EC2 instances in the snapshot: ${names.slice(0, 20).join(", ")}` : "The snapshot holds no EC2 instances.";
}

interface Destination {
  port: number;
  who: string;
  instance?: Instance;
  ip?: string;
  routes: Route[];
}

function parseDestination(model: AwsModel, to: string, lbFilter: string | undefined): Destination {
  const i = to.lastIndexOf(":");
  if (i <= 0) throw new InputError(`--to '${to}' must be <instance|ip>:<port>, e.g. i-0abc123:8080 or 10.0.1.10:80`);
  const portText = to.slice(i + 1);
  const port = parsePort(portText);
  if (port === undefined) throw new InputError(`--to '${to}': '${portText}' is not a port (1-65535)`);
  // an IPv6 address in brackets (`[2001:db8::4]:80`), as in a URL
  const written = to.slice(0, i);
  const who = written.startsWith("[") && written.endsWith("]") ? written.slice(1, -1) : written;
  const lower = who.toLowerCase();
  const instance =
    model.instances.find((x) => x.id.toLowerCase() === lower || x.name.toLowerCase() === lower) ??
    (isAddressLike(who) ? model.byKey.instanceByIp.get(who) : undefined);
  // an IPv6 address: the instance whose network interface holds it (the model indexes IPv4 addresses only)
  const v6Holder = !instance && isAddressLike(who) && who.includes(":") ? instanceByIpv6(model, who)?.instance : undefined;
  const lbs = lbFilter
    ? model.loadBalancers.filter(
        (lb) => lb.name.toLowerCase() === lbFilter.toLowerCase() || lb.arn.toLowerCase() === lbFilter.toLowerCase(),
      )
    : model.loadBalancers;
  if (lbFilter && lbs.length === 0) {
    throw new InputError(
      `--lb '${lbFilter}' is not a load balancer in the snapshot`,
      `Load balancers: ${model.loadBalancers.map((lb) => lb.name).join(", ") || "none"}`,
    );
  }
  const routes = lbs.flatMap(routesOf).filter((r) =>
    instance
      ? r.target.instance === instance
      : r.target.id === who ||
        sameAddress(r.target.ip, who) ||
        // an instance target of an IPv6 target group, named by its IPv6 address
        (v6Holder !== undefined && r.target.kind === "instance" && r.target.instance === v6Holder && ipv6Target(r.tg, r.target)),
  );
  const ip = isAddressLike(who) ? who : (instance?.privateIp ?? routes[0]?.target.ip);
  if (!instance && !v6Holder && routes.length === 0) {
    throw new InputError(`--to '${who}' is not an EC2 instance, a target or a private IP in the snapshot`, candidates(model));
  }
  const d: Destination = { port, who, routes };
  if (instance ?? v6Holder) d.instance = instance ?? v6Holder;
  if (ip) d.ip = ip;
  return d;
}

/**
 * The route to trace: one that delivers to this port (target or health-check port), from one load balancer. From a
 * client, the port may also be a listener's (clients connect to the listener, which forwards to the target port): of a
 * load balancer's several listeners, the one on that port is followed, first the one that also forwards to it.
 */
function pickRoute(d: Destination, source: SourceSpec["kind"], lbName?: string): Route | undefined {
  let rs = d.routes;
  if (lbName) rs = rs.filter((r) => r.lb.name.toLowerCase() === lbName.toLowerCase() || r.lb.arn.toLowerCase() === lbName.toLowerCase());
  const listenerOn = (r: Route) => source === "client" && listensOn(r, d.port);
  const onPort = rs.filter((r) => r.target.port === d.port || r.target.healthCheckPort === d.port || listenerOn(r));
  const pool = onPort.length > 0 ? onPort : rs;
  const lbs = [...new Set(pool.map((r) => r.lb.name))];
  if (lbs.length > 1) {
    if (source !== "lb" && onPort.length === 0) return undefined;
    throw new InputError(`${d.who}:${d.port} sits behind ${lbs.join(", ")}: name one with --lb`);
  }
  return (
    pool.find((r) => listenerOn(r) && r.target.port === d.port) ??
    pool.find((r) => r.listener && r.target.port === d.port) ??
    pool.find(listenerOn) ??
    pool.find((r) => r.listener) ??
    pool[0]
  );
}

export function traceAwsFlow(
  model: AwsModel,
  opts: Pick<TraceOptions, "from" | "to" | "protocol" | "lb">,
): { trace: FlowTrace; route?: Route; throughListener?: boolean } {
  if (opts.protocol === "icmp") throw new InputError("ICMP is not traced for AWS: use --protocol tcp or udp");
  const protocol = opts.protocol;
  const src = parseSource(model, opts.from);
  if ("error" in src) throw new InputError(`--from ${src.error}`, candidates(model));
  const d = parseDestination(model, opts.to, opts.lb);
  const lbName = src.kind === "lb" && src.lb ? src.lb.name : opts.lb;
  const route = pickRoute(d, src.kind, lbName);
  // the listener only when the flow goes through it (a client on its port), not the LB's nodes or an instance
  if (route)
    return { trace: traceFromSource(model, route, src, d.port, protocol), route, throughListener: throughListener(route, src, d.port) };
  if (src.kind === "lb")
    throw new InputError(`${d.who} is not a target of ${lbName ? `load balancer ${lbName}` : "any load balancer"} in the snapshot`);
  if (!d.instance)
    throw new InputError(`${d.who} is not an EC2 instance in the snapshot, so its security groups are not known`, candidates(model));
  const dst = instanceEndpoint(d.instance, d.ip);
  return { trace: traceDirect(src, dst, d.port, protocol) };
}

export function traceAws(snapshot: AwsSnapshot, opts: TraceOptions, io: IO): number {
  if (opts.effective === false) throw new InputError("--no-effective is for Azure snapshots (effective NSG rules); AWS has none to ignore");
  const model = buildAwsModel(snapshot);
  const { trace, route, throughListener: viaListener } = traceAwsFlow(model, opts);
  if (trace.error) throw new InputError(trace.error);
  const code = trace.verdict === "allow" ? 0 : 1;
  if (opts.format === "json") {
    const target = route ? endpointOfTarget(route.target, model) : undefined;
    io.out(
      `${safeJson({
        provider: "aws",
        flow: trace.flow,
        from: opts.from,
        to: opts.to,
        protocol: opts.protocol,
        ...(route
          ? {
              loadBalancer: route.lb.arn,
              ...(route.listener && viaListener ? { listener: route.listener.arn } : {}),
              targetGroup: route.tg.arn,
              target: { id: route.target.id, ip: route.target.ip, port: route.target.port, label: target?.label },
            }
          : {}),
        basis: trace.basis,
        hops: trace.hops.map((h) => ({
          kind: h.layer,
          title: h.title,
          resources: h.resources,
          verdict: h.verdict,
          ...(h.deciding ? { deciding: h.deciding } : {}),
          ...(h.ruleNumber !== undefined ? { ruleNumber: h.ruleNumber } : {}),
          notes: h.notes,
        })),
        verdict: trace.verdict,
        ...(trace.why ? { why: trace.why } : {}),
        ...(trace.reason ? { reason: trace.reason } : {}),
      })}\n`,
    );
    return code;
  }
  const c = styles(opts.color === true);
  // each value on its own line: a newline in a cloud string cannot pass for a line of lbdoctor's (a fix's `$ ` command)
  const line = (v: string): string => oneLine(sanitize(v));
  const word = (v: string) => (v === "allow" ? c.green("ALLOW") : v === "deny" ? c.red("DENY") : c.magenta("UNKNOWN"));
  const out: string[] = [];
  out.push(`${c.bold("Flow")}: ${line(trace.flow)}`);
  out.push(c.gray(`Evaluated from ${line(trace.basis)}`));
  trace.hops.forEach((h, n) => {
    const d = h.deciding;
    out.push(`  ${n + 1}. ${line(h.title)}: ${word(h.verdict)}${d ? ` by ${line(d.name)}` : ""}`);
    if (d?.ptr) out.push(c.gray(`       ${line(d.ptr)}`));
    for (const note of h.notes) out.push((note.kind === "maybe" ? c.magenta : c.gray)(`       ${line(note.text)}`));
  });
  const why = trace.verdict === "deny" ? trace.why : trace.verdict === "unknown" ? trace.reason : trace.why;
  out.push(`${c.bold("Verdict")}: ${word(trace.verdict)}${why ? c.gray(` (${line(why)})`) : ""}`);
  // names from the snapshot (instances, security groups) form no CI workflow command
  io.out(noWorkflowCommands(`${out.join("\n")}\n`));
  return code;
}
