/** The emulator's data: AWS snapshots merged (first wins on a duplicate id), with the lookups and filters the Describe calls need. */
import type { GuestObservation } from "../../../core/snapshot/types.ts";
import type { AwsSnapshot } from "../../../providers/aws/wire-types.ts";

export type Rec = Record<string, unknown>;

function mergeBy(lists: Array<Rec[] | undefined>, key: string): Rec[] {
  const seen = new Set<string>();
  const out: Rec[] = [];
  for (const list of lists) {
    for (const item of list ?? []) {
      const id = String(item[key] ?? "");
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(item);
    }
  }
  return out;
}

function mergeMaps<T>(maps: Array<Record<string, T> | undefined>): Map<string, T> {
  const out = new Map<string, T>();
  for (const m of maps) for (const [k, v] of Object.entries(m ?? {})) if (!out.has(k)) out.set(k, v);
  return out;
}

export class AwsStore {
  loadBalancers: Rec[];
  loadBalancerAttributes: Map<string, Rec[]>;
  listeners: Rec[];
  rules: Map<string, Rec[]>;
  targetGroups: Rec[];
  targetGroupAttributes: Map<string, Rec[]>;
  targetHealth: Map<string, Rec[]>;
  securityGroups: Rec[];
  instances: Rec[];
  subnets: Rec[];
  networkAcls: Rec[];
  routeTables: Rec[];
  autoScalingGroups: Rec[];
  /** DescribeTags, by load balancer or target group ARN */
  tags: Map<string, Rec[]>;
  /** what an instance's guest check prints (SSM Run Command), by instance id */
  guest: Map<string, GuestObservation>;
  /** the account id, from the first ARN that has one (reservations need an owner) */
  account: string;

  constructor(snapshots: AwsSnapshot[]) {
    const e = snapshots.map((s) => s.elbv2);
    const c = snapshots.map((s) => s.ec2 ?? {});
    this.loadBalancers = mergeBy(
      e.map((x) => x.LoadBalancers),
      "LoadBalancerArn",
    );
    this.loadBalancerAttributes = mergeMaps(e.map((x) => x.LoadBalancerAttributes as Record<string, Rec[]> | undefined));
    this.listeners = mergeBy(
      e.map((x) => x.Listeners),
      "ListenerArn",
    );
    this.rules = mergeMaps(e.map((x) => x.Rules));
    this.targetGroups = mergeBy(
      e.map((x) => x.TargetGroups),
      "TargetGroupArn",
    );
    this.targetGroupAttributes = mergeMaps(e.map((x) => x.TargetGroupAttributes as Record<string, Rec[]> | undefined));
    this.targetHealth = mergeMaps(e.map((x) => x.TargetHealth));
    this.securityGroups = mergeBy(
      c.map((x) => x.SecurityGroups),
      "GroupId",
    );
    this.instances = mergeBy(
      c.map((x) => x.Instances),
      "InstanceId",
    );
    this.subnets = mergeBy(
      c.map((x) => x.Subnets),
      "SubnetId",
    );
    this.networkAcls = mergeBy(
      c.map((x) => x.NetworkAcls),
      "NetworkAclId",
    );
    this.routeTables = mergeBy(
      c.map((x) => x.RouteTables),
      "RouteTableId",
    );
    this.autoScalingGroups = mergeBy(
      snapshots.map((s) => s.autoscaling?.AutoScalingGroups),
      "AutoScalingGroupName",
    );
    this.tags = mergeMaps(e.map((x) => x.Tags as Record<string, Rec[]> | undefined));
    this.guest = mergeMaps(snapshots.map((s) => s.observations?.guest));
    const arn = [...this.loadBalancers, ...this.targetGroups].map((x) => String(x.LoadBalancerArn ?? x.TargetGroupArn ?? ""))[0] ?? "";
    this.account = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? "123456789012";
  }
}

const str = (v: unknown): string[] => (v === undefined || v === null ? [] : [String(v)]);
const each = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);
const tagValues = (item: Rec, key: string): string[] =>
  each(item.Tags)
    .filter((t) => t.Key === key)
    .map((t) => String(t.Value ?? ""));

/** EC2 filter names → the values an item has for them, per resource kind. `tag:<key>`, `tag-key` and `tag-value` work everywhere. */
export const EC2_FILTERS: Record<string, Record<string, (x: Rec) => string[]>> = {
  DescribeSecurityGroups: {
    "group-id": (x) => str(x.GroupId),
    "group-name": (x) => str(x.GroupName),
    "vpc-id": (x) => str(x.VpcId),
    "owner-id": (x) => str(x.OwnerId),
    description: (x) => str(x.Description),
  },
  DescribeInstances: {
    "instance-id": (x) => str(x.InstanceId),
    "vpc-id": (x) => str(x.VpcId),
    "subnet-id": (x) => str(x.SubnetId),
    "instance-state-name": (x) => str((x.State as Rec | undefined)?.Name),
    "availability-zone": (x) => str((x.Placement as Rec | undefined)?.AvailabilityZone),
    "private-ip-address": (x) => str(x.PrivateIpAddress),
    "instance.group-id": (x) => each(x.SecurityGroups).flatMap((g) => str(g.GroupId)),
  },
  DescribeSubnets: {
    "subnet-id": (x) => str(x.SubnetId),
    "vpc-id": (x) => str(x.VpcId),
    "availability-zone": (x) => str(x.AvailabilityZone),
    "cidr-block": (x) => str(x.CidrBlock),
    "default-for-az": (x) => str(x.DefaultForAz),
  },
  DescribeNetworkAcls: {
    "network-acl-id": (x) => str(x.NetworkAclId),
    "vpc-id": (x) => str(x.VpcId),
    default: (x) => str(x.IsDefault),
    "association.subnet-id": (x) => each(x.Associations).flatMap((a) => str(a.SubnetId)),
    "association.network-acl-id": (x) => each(x.Associations).flatMap((a) => str(a.NetworkAclId)),
    "association.association-id": (x) => each(x.Associations).flatMap((a) => str(a.NetworkAclAssociationId)),
  },
  DescribeRouteTables: {
    "route-table-id": (x) => str(x.RouteTableId),
    "vpc-id": (x) => str(x.VpcId),
    "association.subnet-id": (x) => each(x.Associations).flatMap((a) => str(a.SubnetId)),
    // an edge association (a gateway route table): "The ID of the gateway involved in the association"
    "association.gateway-id": (x) => each(x.Associations).flatMap((a) => str(a.GatewayId)),
    "association.main": (x) => each(x.Associations).flatMap((a) => str(a.Main ?? false)),
    "association.route-table-association-id": (x) => each(x.Associations).flatMap((a) => str(a.RouteTableAssociationId)),
  },
};

function wildcard(pattern: string): (s: string) => boolean {
  if (!/[*?]/.test(pattern)) return (s) => s === pattern;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
  );
  return (s) => re.test(s);
}

/** The values of an EC2 filter for an item, or undefined when the filter name is not supported for the action. */
export function ec2FilterValues(action: string, name: string, item: Rec): string[] | undefined {
  if (name.startsWith("tag:")) return tagValues(item, name.slice(4));
  if (name === "tag-key") return each(item.Tags).flatMap((t) => str(t.Key));
  if (name === "tag-value") return each(item.Tags).flatMap((t) => str(t.Value));
  const f = EC2_FILTERS[action]?.[name];
  return f ? f(item) : undefined;
}

/** True when the item matches every filter (OR within a filter's values, AND across filters). */
export function matchesFilters(
  values: (name: string, item: Rec) => string[] | undefined,
  filters: Array<{ name: string; values: string[] }>,
  item: Rec,
): boolean {
  return filters.every((f) => {
    const have = values(f.name, item) ?? [];
    const tests = f.values.map(wildcard);
    return have.some((h) => tests.some((t) => t(h)));
  });
}
