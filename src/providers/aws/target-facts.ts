/**
 * Small facts about targets and target groups that several AWS rules read:
 * where a target sits (its Availability Zone), which target groups a load
 * balancer serves, whether cross-zone load balancing is effectively on, and
 * the `--targets` argument of the elbv2 commands.
 */
import { idKey } from "../../core/util/resource-id.ts";
import { awsArg, jsonForCommand } from "../../core/util/shell.ts";
import { withArticle } from "../../core/util/words.ts";
import type { AwsModel, LoadBalancer, Subnet, Target, TargetGroup } from "./model.ts";

/** A target group with the load balancer its findings are grouped under (the first one it serves). */
export interface ServedGroup {
  lb: LoadBalancer;
  tg: TargetGroup;
}

/** Every target group that some load balancer uses, once, with that load balancer. */
export function servedGroups(model: AwsModel): ServedGroup[] {
  const out: ServedGroup[] = [];
  for (const tg of model.targetGroups) {
    const lb = tg.loadBalancers[0];
    if (lb) out.push({ lb, tg });
  }
  return out;
}

/** The common fields of a finding on a target group. */
export function groupBase(lb: LoadBalancer, tg: TargetGroup, key?: string) {
  return {
    resourceId: tg.arn,
    resourceName: tg.name,
    loadBalancerId: lb.arn,
    subjects: [tg.key],
    ...(key !== undefined ? { key } : {}),
  };
}

export function groupEvidence(tg: TargetGroup, label = "target group") {
  return { resourceId: tg.arn, pointer: tg.ptr, label };
}

/** The Availability Zone a target sits in: the instance's placement, the target's subnet, or what DescribeTargetHealth says. */
export function targetAz(t: Target): { az: string; ptr: string } | undefined {
  if (t.instance?.availabilityZone) return { az: t.instance.availabilityZone, ptr: `${t.instance.ptr}/Placement/AvailabilityZone` };
  if (t.subnet?.availabilityZone) return { az: t.subnet.availabilityZone, ptr: `${t.subnet.ptr}/AvailabilityZone` };
  if (t.availabilityZone) return { az: t.availabilityZone, ptr: `${t.ptr}/Target/AvailabilityZone` };
  return undefined;
}

/** The Availability Zones the load balancer has enabled (undefined entries: a zone whose name is not known). */
export function lbZoneNames(lb: LoadBalancer): Array<string | undefined> {
  return lb.zones.map((z) => z.zoneName ?? z.subnet?.availabilityZone);
}

export function isHealthy(t: Target): boolean {
  return t.state?.toLowerCase() === "healthy";
}

/** `--targets` for this target: `'[{"Id":"i-…","Port":80}]'`. */
export function targetArg(t: Target): string {
  return targetsArg([{ id: t.id, ...(t.port !== undefined && t.kind !== "lambda" ? { port: t.port } : {}) }]);
}

/**
 * A `--targets` value, as JSON (`'[{"Id":"i-…","Port":80}]'`), never the CLI's shorthand (`Id=i-…,Port=80`): the CLI
 * parses a shorthand value's commas and `=`, so an id from the snapshot could set a port or a zone of its own.
 */
export function targetsArg(targets: Array<{ id: string; port?: number }>): string {
  return awsArg(jsonForCommand(targets.map((t) => (t.port !== undefined ? { Id: t.id, Port: t.port } : { Id: t.id }))));
}

export interface CrossZone {
  on: boolean;
  /** why, for messages */
  basis: string;
  /** the attribute that decides (or the owner when it is the default) */
  ptr: string;
  resourceId: string;
  /** the target group overrides the load balancer's setting */
  byGroup: boolean;
}

/**
 * Whether a target group's traffic crosses zones: the target group's
 * `load_balancing.cross_zone.enabled` when it is `true`/`false`, else the
 * load balancer's (always on for an ALB, default off for an NLB or GWLB).
 */
export function effectiveCrossZone(lb: LoadBalancer, tg: TargetGroup): CrossZone {
  const v = tg.crossZone.value.toLowerCase();
  if (tg.crossZone.source === "attribute" && (v === "true" || v === "false")) {
    return {
      on: v === "true",
      basis: `target group ${tg.name} sets load_balancing.cross_zone.enabled=${v}`,
      ptr: tg.crossZone.ptr,
      resourceId: tg.arn,
      byGroup: true,
    };
  }
  if (lb.type === "application") {
    return {
      on: true,
      basis: `${lb.name} is an Application Load Balancer (cross-zone always on at the load balancer level)`,
      ptr: lb.crossZone.ptr,
      resourceId: lb.arn,
      byGroup: false,
    };
  }
  return {
    on: lb.crossZone.value,
    basis:
      lb.crossZone.source === "attribute"
        ? `${lb.name} sets load_balancing.cross_zone.enabled=${lb.crossZone.value}`
        : `${lb.name} does not set load_balancing.cross_zone.enabled (default off for ${withArticle(lb.type)} load balancer)`,
    ptr: lb.crossZone.ptr,
    resourceId: lb.arn,
    byGroup: false,
  };
}

/** The subnet's route table sends 0.0.0.0/0 to an internet gateway (an active route). */
export function routesToIgw(s: Subnet | undefined): boolean {
  return !!s?.routeTable?.routes.some((r) => r.destination === "0.0.0.0/0" && r.target.startsWith("igw-") && r.state !== "blackhole");
}

/** A subnet of the load balancer's VPC in that zone, public (default route to an internet gateway) when the load balancer is internet-facing. */
export function subnetForZone(model: AwsModel, lb: LoadBalancer, az: string): Subnet | undefined {
  const candidates = model.subnets.filter((s) => s.vpcId === lb.vpcId && s.availabilityZone === az);
  const isPublic = (s: Subnet) =>
    !!s.routeTable?.routes.some((r) => r.destination === "0.0.0.0/0" && r.target.startsWith("igw-") && r.state !== "blackhole");
  return candidates.find((s) => isPublic(s) === lb.internetFacing) ?? candidates[0];
}

/** The load balancer's current subnet ids (for `set-subnets`, which replaces the list). */
export function lbSubnetIds(lb: LoadBalancer): string[] {
  return lb.zones.map((z) => z.subnetId).filter((x): x is string => !!x);
}

/** "50%", "33.3%" */
export function percent(x: number): string {
  const p = Math.round(x * 1000) / 10;
  return `${p}%`;
}

/**
 * A target group's targets when its DescribeTargetHealth is missing: the
 * in-service instances of the Auto Scaling groups attached to it, which
 * Auto Scaling registers in the group. They carry no health (`state` is unset)
 * and `registeredBy` names the group. Empty when the health is known.
 */
export function asgRegisteredTargets(tg: TargetGroup): Target[] {
  if (tg.healthKnown) return [];
  const out: Target[] = [];
  const seen = new Set<string>();
  for (const asg of tg.asgs) {
    for (const ai of asg.instances) {
      if (ai.lifecycleState !== undefined && ai.lifecycleState !== "InService") continue;
      const k = idKey(ai.instanceId);
      if (seen.has(k)) continue;
      seen.add(k);
      const t: Target = {
        tg,
        id: ai.instanceId,
        key: idKey(`${tg.arn}|${ai.instanceId}|${tg.port ?? ""}`),
        kind: "instance",
        ptr: ai.ptr,
        statePtr: ai.ptr,
        registeredBy: asg,
      };
      if (tg.port !== undefined) t.port = tg.port;
      const az = ai.instance?.availabilityZone ?? ai.availabilityZone;
      if (az) t.availabilityZone = az;
      if (ai.instance) {
        t.instance = ai.instance;
        if (ai.instance.privateIp) t.ip = ai.instance.privateIp;
        if (ai.instance.subnet) t.subnet = ai.instance.subnet;
      }
      out.push(t);
    }
  }
  return out;
}
