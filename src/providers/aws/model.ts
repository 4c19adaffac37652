/**
 * The AWS model: the snapshot's API objects (PascalCase, as `aws … --output
 * json` prints them), typed, normalized and cross-referenced:
 *
 *   load balancer → listeners → actions/rules → target groups → targets
 *   target → instance → subnet → network ACL / route table, instance → security groups
 *   load balancer → subnets, security groups; target group ↔ Auto Scaling groups
 *
 * Every model object keeps `ptr`, the JSON Pointer of its wire object in the
 * snapshot, so that a finding's evidence points at the exact field it read.
 * A reference to something the snapshot does not hold becomes a gap (kind
 * `dangling-reference`), never a crash; the snapshot's own gaps are kept as
 * `collection` gaps.
 */

import { danglingRecorder } from "../../core/engine/gaps.ts";
import type { Model, ModelContext, ModelGap } from "../../core/engine/types.ts";
import type { GuestObservation } from "../../core/snapshot/types.ts";
import { join, pointer } from "../../core/util/json-pointer.ts";
import { idKey } from "../../core/util/resource-id.ts";
import { arr, type Obj, obj, str, strList } from "../../core/util/wire.ts";
import type { AwsSnapshot } from "../../providers/aws/wire-types.ts";
import { cidrInterval } from "./ip.ts";

export type { ModelContext, ModelGap };

/** What every model object has. `id` is the AWS id (ARN for ELBv2 objects, `sg-…`, `i-…`, … otherwise). */
export interface AwsNode {
  id: string;
  /** `idKey(id)`: the lookup key */
  key: string;
  /** a display name: the resource's name, its `Name` tag, or its id */
  name: string;
  /** JSON Pointer of the wire object in the snapshot */
  ptr: string;
  raw: Obj;
}

/** One `{Key, Value}` of a Describe*Attributes answer. */
export interface Attribute {
  key: string;
  value: string;
  ptr: string;
}

/** A setting read from an attribute, or its documented default when the attribute is absent. */
export interface Setting<T> {
  value: T;
  source: "attribute" | "default";
  /** the attribute's pointer (source `attribute`), or the owner's pointer (source `default`) */
  ptr: string;
}

// ---------------------------------------------------------------------------
// EC2

export interface SgIpRange {
  cidr: string;
  ptr: string;
  description?: string;
}
export interface SgGroupPair {
  groupId: string;
  ptr: string;
  userId?: string;
}
export interface SgPrefixList {
  id: string;
  ptr: string;
}

/** One entry of `IpPermissions` / `IpPermissionsEgress`. */
export interface SgPermission {
  ptr: string;
  /** as on the wire: "-1", "tcp", "udp", "icmp", "icmpv6" or a protocol number */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  ipRanges: SgIpRange[];
  ipv6Ranges: SgIpRange[];
  groupPairs: SgGroupPair[];
  prefixLists: SgPrefixList[];
}

export interface SecurityGroup extends AwsNode {
  groupName: string;
  vpcId?: string;
  ingress: SgPermission[];
  egress: SgPermission[];
}

export interface NaclEntry {
  ptr: string;
  ruleNumber: number;
  egress: boolean;
  /** "-1" (all), "6" (tcp), "17" (udp), "1" (icmp), … */
  protocol: string;
  action: "allow" | "deny";
  cidr?: string;
  ipv6Cidr?: string;
  /** undefined: every port */
  portRange?: { from: number; to: number };
  /** the implicit deny (rule `*`, 32767), whether the wire listed it or the model added it */
  implicit: boolean;
}

export interface NetworkAcl extends AwsNode {
  vpcId?: string;
  isDefault: boolean;
  /** both directions, each sorted by rule number; always ends with the implicit deny of each direction */
  entries: NaclEntry[];
  associations: Array<{ subnetId: string; associationId?: string; ptr: string }>;
}

export interface Route {
  ptr: string;
  /** DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId */
  destination: string;
  /** the next hop's id: igw-…, nat-…, tgw-…, pcx-…, eni-…, vpce-…, "local", … */
  target: string;
  state?: string;
}

export interface RouteTable extends AwsNode {
  vpcId?: string;
  /** the VPC's main route table (subnets without an explicit association use it) */
  isMain: boolean;
  routes: Route[];
  associations: Array<{ subnetId?: string; main: boolean; associationId?: string; ptr: string }>;
}

export interface Subnet extends AwsNode {
  vpcId?: string;
  cidr?: string;
  ipv6Cidrs: string[];
  availabilityZone?: string;
  mapPublicIpOnLaunch: boolean;
  /** the subnet's NACL: its explicit association, else the VPC's default NACL */
  nacl?: NetworkAcl;
  naclVia?: "association" | "vpc-default";
  /** the pointer of the association entry, or of the default NACL */
  naclPtr?: string;
  /** the subnet's route table: its explicit association, else the VPC's main table */
  routeTable?: RouteTable;
  routeTableVia?: "association" | "main";
  routeTablePtr?: string;
  routeTableAssociationId?: string;
}

export interface Instance extends AwsNode {
  /** State.Name: pending, running, stopping, stopped, shutting-down, terminated */
  state?: string;
  statePtr: string;
  availabilityZone?: string;
  subnetId?: string;
  subnet?: Subnet;
  vpcId?: string;
  privateIp?: string;
  /** every private address of every ENI (the primary first) */
  privateIps: string[];
  publicIp?: string;
  securityGroupIds: string[];
  /** resolved; a group missing from the snapshot is a gap */
  securityGroups: SecurityGroup[];
  securityGroupsPtr: string;
  asg?: AutoScalingGroup;
}

// ---------------------------------------------------------------------------
// ELBv2

export interface LbZone {
  zoneName?: string;
  subnetId?: string;
  subnet?: Subnet;
  ptr: string;
}

export interface LoadBalancer extends AwsNode {
  arn: string;
  /** application | network | gateway */
  type: string;
  scheme: string;
  internetFacing: boolean;
  vpcId?: string;
  state?: string;
  dnsName?: string;
  ipAddressType?: string;
  region?: string;
  zones: LbZone[];
  /** the zones' subnets that the snapshot holds */
  subnets: Subnet[];
  securityGroupIds: string[];
  securityGroups: SecurityGroup[];
  /** pointer of `SecurityGroups` (or of the LB when it has none) */
  securityGroupsPtr: string;
  attributes: Map<string, Attribute>;
  attributesKnown: boolean;
  /** ALB: always on. NLB/GWLB: `load_balancing.cross_zone.enabled`, default false. */
  crossZone: Setting<boolean>;
  listeners: Listener[];
  /** every target group the LB forwards to or that names it in LoadBalancerArns */
  targetGroups: TargetGroup[];
}

export interface ForwardTarget {
  targetGroupArn: string;
  weight?: number;
  targetGroup?: TargetGroup;
  ptr: string;
}

export interface Action {
  /** forward | redirect | fixed-response | authenticate-oidc | authenticate-cognito */
  type: string;
  order?: number;
  ptr: string;
  /** the target groups of a forward (TargetGroupArn, or ForwardConfig.TargetGroups with weights) */
  forwards: ForwardTarget[];
}

export interface ListenerRule {
  arn?: string;
  ptr: string;
  priority: string;
  isDefault: boolean;
  conditions: unknown[];
  actions: Action[];
}

export interface Listener extends AwsNode {
  arn: string;
  loadBalancerArn: string;
  lb?: LoadBalancer;
  port?: number;
  protocol?: string;
  defaultActions: Action[];
  /** DescribeRules, when collected (the default rule included) */
  rules: ListenerRule[];
  rulesKnown: boolean;
}

export interface HealthCheck {
  enabled: boolean;
  protocol?: string;
  /** as on the wire: "traffic-port" or a number as a string */
  portSpec: string;
  /** the fixed port, undefined for `traffic-port` (then it is each target's port: see Target.healthCheckPort) */
  port?: number;
  path?: string;
  matcher?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  /** pointer of HealthCheckPort */
  portPtr: string;
}

export type TargetKind = "instance" | "ip" | "lambda" | "alb";

export interface Target {
  tg: TargetGroup;
  /** Target.Id: an instance id, an IP address, a Lambda ARN or an ALB ARN */
  id: string;
  /** unique per target group, id and port (see targetSubjects) */
  key: string;
  kind: TargetKind;
  /** pointer of the TargetHealthDescription */
  ptr: string;
  /** Target.Port, else the target group's port */
  port?: number;
  /** the resolved health-check port: the group's fixed port, or this target's port for `traffic-port` */
  healthCheckPort?: number;
  availabilityZone?: string;
  state?: string;
  reason?: string;
  description?: string;
  /** pointer of TargetHealth.State */
  statePtr: string;
  instance?: Instance;
  /** the address traffic goes to: the instance's primary private IP, or the IP target itself */
  ip?: string;
  /** the instance's subnet, or for an IP target the snapshot subnet of the group's VPC that contains it */
  subnet?: Subnet;
}

export interface TargetGroup extends AwsNode {
  arn: string;
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  targetType: string;
  loadBalancerArns: string[];
  loadBalancers: LoadBalancer[];
  listeners: Listener[];
  healthCheck: HealthCheck;
  attributes: Map<string, Attribute>;
  attributesKnown: boolean;
  stickiness: Setting<boolean> & { type?: string };
  deregistrationDelay: Setting<number>;
  /** "true" | "false" | "use_load_balancer_configuration" (the default) */
  crossZone: Setting<string>;
  /** NLB: read, or the documented default (instance targets and UDP/TCP_UDP/QUIC: on; IP targets with TCP/TLS: off). Off for ALB/GWLB. */
  preserveClientIp: Setting<boolean>;
  /** DescribeTargetHealth, when collected */
  targets: Target[];
  healthKnown: boolean;
  healthPtr?: string;
  asgs: AutoScalingGroup[];
}

// ---------------------------------------------------------------------------
// Auto Scaling

export interface AsgInstance {
  instanceId: string;
  ptr: string;
  availabilityZone?: string;
  lifecycleState?: string;
  healthStatus?: string;
  instance?: Instance;
}

export interface AutoScalingGroup extends AwsNode {
  arn?: string;
  healthCheckType?: string;
  healthCheckGracePeriod?: number;
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
  availabilityZones: string[];
  subnetIds: string[];
  targetGroupArns: string[];
  targetGroups: TargetGroup[];
  instances: AsgInstance[];
}

// ---------------------------------------------------------------------------

export interface AwsModel extends Model {
  provider: "aws";
  snapshot: AwsSnapshot;
  context: ModelContext;
  region?: string;
  loadBalancers: LoadBalancer[];
  listeners: Listener[];
  targetGroups: TargetGroup[];
  instances: Instance[];
  securityGroups: SecurityGroup[];
  subnets: Subnet[];
  networkAcls: NetworkAcl[];
  routeTables: RouteTable[];
  autoScalingGroups: AutoScalingGroup[];
  gaps: ModelGap[];
  /** which EC2 lists the snapshot holds at all (absent ≠ empty) */
  collected: {
    securityGroups: boolean;
    instances: boolean;
    subnets: boolean;
    networkAcls: boolean;
    routeTables: boolean;
    autoScaling: boolean;
  };
  /** lookups by idKey */
  byKey: {
    loadBalancer: Map<string, LoadBalancer>;
    listener: Map<string, Listener>;
    targetGroup: Map<string, TargetGroup>;
    instance: Map<string, Instance>;
    securityGroup: Map<string, SecurityGroup>;
    subnet: Map<string, Subnet>;
    networkAcl: Map<string, NetworkAcl>;
    routeTable: Map<string, RouteTable>;
    autoScalingGroup: Map<string, AutoScalingGroup>;
    /** every private IP of every instance */
    instanceByIp: Map<string, Instance>;
  };
  observations: { guest: Map<string, { ptr: string; body: GuestObservation }> };
}

// ---------------------------------------------------------------------------
// small readers for untyped wire JSON

const num = (v: unknown): number | undefined => {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
};

function nameTag(raw: Obj): string | undefined {
  for (const t of arr(raw.Tags)) if (obj(t).Key === "Name") return str(obj(t).Value);
  return undefined;
}

/** The region of an ARN (arn:partition:service:region:account:resource). */
export function arnRegion(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts[0] === "arn" ? str(parts[3]) : undefined;
}

/** A map keyed by ARN: the exact key, else a case-insensitive match. Returns the key as written. */
function keyIn(map: Record<string, unknown> | undefined, arn: string): string | undefined {
  if (!map) return undefined;
  if (Object.hasOwn(map, arn)) return arn;
  const k = idKey(arn);
  return Object.keys(map).find((x) => idKey(x) === k);
}

function readAttributes(map: Record<string, Array<{ Key?: string; Value?: string }>> | undefined, arn: string, base: string) {
  const out = new Map<string, Attribute>();
  const k = keyIn(map, arn);
  if (k === undefined || !map) return { attributes: out, known: false };
  arr(map[k]).forEach((a, i) => {
    const key = str(obj(a).Key);
    if (key) out.set(key, { key, value: String(obj(a).Value ?? ""), ptr: join(base, k, i) });
  });
  return { attributes: out, known: true };
}

function boolSetting(attrs: Map<string, Attribute>, key: string, dflt: boolean, ownerPtr: string): Setting<boolean> {
  const a = attrs.get(key);
  return a
    ? { value: a.value.toLowerCase() === "true", source: "attribute", ptr: a.ptr }
    : { value: dflt, source: "default", ptr: ownerPtr };
}

function readPermission(w: unknown, ptr: string): SgPermission {
  const p = obj(w);
  const perm: SgPermission = {
    ptr,
    protocol: String(p.IpProtocol ?? "-1").toLowerCase(),
    ipRanges: arr(p.IpRanges).flatMap((r, i) => {
      const cidr = str(obj(r).CidrIp);
      const d = str(obj(r).Description);
      return cidr ? [{ cidr, ptr: join(ptr, "IpRanges", i), ...(d ? { description: d } : {}) }] : [];
    }),
    ipv6Ranges: arr(p.Ipv6Ranges).flatMap((r, i) => {
      const cidr = str(obj(r).CidrIpv6);
      return cidr ? [{ cidr, ptr: join(ptr, "Ipv6Ranges", i) }] : [];
    }),
    groupPairs: arr(p.UserIdGroupPairs).flatMap((r, i) => {
      const groupId = str(obj(r).GroupId);
      const userId = str(obj(r).UserId);
      return groupId ? [{ groupId, ptr: join(ptr, "UserIdGroupPairs", i), ...(userId ? { userId } : {}) }] : [];
    }),
    prefixLists: arr(p.PrefixListIds).flatMap((r, i) => {
      const id = str(obj(r).PrefixListId);
      return id ? [{ id, ptr: join(ptr, "PrefixListIds", i) }] : [];
    }),
  };
  const from = num(p.FromPort);
  const to = num(p.ToPort);
  if (from !== undefined) perm.fromPort = from;
  if (to !== undefined) perm.toPort = to;
  return perm;
}

function readNaclEntry(w: unknown, ptr: string): NaclEntry {
  const e = obj(w);
  const ruleNumber = num(e.RuleNumber) ?? 32767;
  const entry: NaclEntry = {
    ptr,
    ruleNumber,
    egress: e.Egress === true,
    protocol: String(e.Protocol ?? "-1").toLowerCase(),
    action: String(e.RuleAction ?? "deny").toLowerCase() === "allow" ? "allow" : "deny",
    implicit: ruleNumber === 32767,
  };
  const cidr = str(e.CidrBlock);
  if (cidr) entry.cidr = cidr;
  const v6 = str(e.Ipv6CidrBlock);
  if (v6) entry.ipv6Cidr = v6;
  const pr = obj(e.PortRange);
  const from = num(pr.From);
  const to = num(pr.To);
  if (from !== undefined && to !== undefined) entry.portRange = { from, to };
  return entry;
}

const ROUTE_TARGETS = [
  "GatewayId",
  "NatGatewayId",
  "TransitGatewayId",
  "VpcPeeringConnectionId",
  "NetworkInterfaceId",
  "InstanceId",
  "LocalGatewayId",
  "CarrierGatewayId",
  "EgressOnlyInternetGatewayId",
  "CoreNetworkArn",
];

/** The documented default of preserve_client_ip.enabled. */
function preserveClientIpDefault(lbType: string | undefined, targetType: string, protocol: string | undefined): boolean {
  if (lbType !== "network") return false;
  if (targetType === "instance") return true;
  const p = (protocol ?? "").toUpperCase();
  return p === "UDP" || p === "TCP_UDP" || p === "QUIC" || p === "TCP_QUIC";
}

// ---------------------------------------------------------------------------

/** Builds the model. Never throws on content: what it cannot resolve becomes a gap. */
export function buildAwsModel(snapshot: AwsSnapshot, context: ModelContext = { from: [] }): AwsModel {
  const gaps: ModelGap[] = (snapshot.gaps ?? []).map((g) => ({ ...g, kind: "collection" as const }));
  const noteDangling = danglingRecorder(gaps);
  /** an implicit reference (a subnet's NACL or route table) that nothing in the snapshot satisfies */
  const noteUnresolved = (s: { id: string; vpcId?: string }, what: string, why: string) =>
    gaps.push({
      kind: "dangling-reference",
      operation: "resolve",
      resourceId: s.id,
      referencedFrom: s.id,
      message: `the ${what} of subnet ${s.id}${s.vpcId ? ` (${s.vpcId})` : ""} is not in the snapshot: ${why}`,
    });
  const elbv2 = obj(snapshot.elbv2) as unknown as AwsSnapshot["elbv2"];
  const ec2 = obj(snapshot.ec2) as NonNullable<AwsSnapshot["ec2"]>;
  const collected = {
    securityGroups: Array.isArray(ec2.SecurityGroups),
    instances: Array.isArray(ec2.Instances),
    subnets: Array.isArray(ec2.Subnets),
    networkAcls: Array.isArray(ec2.NetworkAcls),
    routeTables: Array.isArray(ec2.RouteTables),
    autoScaling: Array.isArray(snapshot.autoscaling?.AutoScalingGroups),
  };

  // security groups
  const securityGroup = new Map<string, SecurityGroup>();
  arr(ec2.SecurityGroups).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.GroupId);
    if (!id) return;
    const ptr = pointer("ec2", "SecurityGroups", i);
    const groupName = str(raw.GroupName) ?? id;
    const sg: SecurityGroup = {
      id,
      key: idKey(id),
      name: groupName,
      ptr,
      raw,
      groupName,
      ingress: arr(raw.IpPermissions).map((p, j) => readPermission(p, join(ptr, "IpPermissions", j))),
      egress: arr(raw.IpPermissionsEgress).map((p, j) => readPermission(p, join(ptr, "IpPermissionsEgress", j))),
    };
    const vpc = str(raw.VpcId);
    if (vpc) sg.vpcId = vpc;
    securityGroup.set(sg.key, sg);
  });

  // network ACLs
  const networkAcl = new Map<string, NetworkAcl>();
  arr(ec2.NetworkAcls).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.NetworkAclId);
    if (!id) return;
    const ptr = pointer("ec2", "NetworkAcls", i);
    const entries = arr(raw.Entries).map((e, j) => readNaclEntry(e, join(ptr, "Entries", j)));
    // the implicit deny always applies, even when a hand-made snapshot leaves it out
    for (const egress of [false, true]) {
      if (!entries.some((e) => e.egress === egress && e.ruleNumber === 32767)) {
        entries.push({
          ptr: join(ptr, "Entries"),
          ruleNumber: 32767,
          egress,
          protocol: "-1",
          action: "deny",
          cidr: "0.0.0.0/0",
          implicit: true,
        });
      }
    }
    entries.sort((a, b) => Number(a.egress) - Number(b.egress) || a.ruleNumber - b.ruleNumber);
    const acl: NetworkAcl = {
      id,
      key: idKey(id),
      name: nameTag(raw) ?? id,
      ptr,
      raw,
      isDefault: raw.IsDefault === true,
      entries,
      associations: arr(raw.Associations).flatMap((a, j) => {
        const subnetId = str(obj(a).SubnetId);
        const associationId = str(obj(a).NetworkAclAssociationId);
        return subnetId ? [{ subnetId, ptr: join(ptr, "Associations", j), ...(associationId ? { associationId } : {}) }] : [];
      }),
    };
    const vpc = str(raw.VpcId);
    if (vpc) acl.vpcId = vpc;
    networkAcl.set(acl.key, acl);
  });

  // route tables
  const routeTable = new Map<string, RouteTable>();
  arr(ec2.RouteTables).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.RouteTableId);
    if (!id) return;
    const ptr = pointer("ec2", "RouteTables", i);
    const associations = arr(raw.Associations).map((a, j) => {
      const o = obj(a);
      const subnetId = str(o.SubnetId);
      const associationId = str(o.RouteTableAssociationId);
      return {
        main: o.Main === true,
        ptr: join(ptr, "Associations", j),
        ...(subnetId ? { subnetId } : {}),
        ...(associationId ? { associationId } : {}),
      };
    });
    const rt: RouteTable = {
      id,
      key: idKey(id),
      name: nameTag(raw) ?? id,
      ptr,
      raw,
      isMain: associations.some((a) => a.main),
      associations,
      routes: arr(raw.Routes).map((r, j) => {
        const o = obj(r);
        const route: Route = {
          ptr: join(ptr, "Routes", j),
          destination: str(o.DestinationCidrBlock) ?? str(o.DestinationIpv6CidrBlock) ?? str(o.DestinationPrefixListId) ?? "",
          target: ROUTE_TARGETS.map((k) => str(o[k])).find((x) => x !== undefined) ?? "",
        };
        const state = str(o.State);
        if (state) route.state = state;
        return route;
      }),
    };
    const vpc = str(raw.VpcId);
    if (vpc) rt.vpcId = vpc;
    routeTable.set(rt.key, rt);
  });

  // subnets, with their NACL and route table (explicit association, else the VPC's default / main)
  const subnet = new Map<string, Subnet>();
  arr(ec2.Subnets).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.SubnetId);
    if (!id) return;
    const s: Subnet = {
      id,
      key: idKey(id),
      name: nameTag(raw) ?? id,
      ptr: pointer("ec2", "Subnets", i),
      raw,
      ipv6Cidrs: arr(raw.Ipv6CidrBlockAssociationSet)
        .map((a) => str(obj(a).Ipv6CidrBlock))
        .filter((x): x is string => !!x),
      mapPublicIpOnLaunch: raw.MapPublicIpOnLaunch === true,
    };
    const vpc = str(raw.VpcId);
    if (vpc) s.vpcId = vpc;
    const cidr = str(raw.CidrBlock);
    if (cidr) s.cidr = cidr;
    const az = str(raw.AvailabilityZone);
    if (az) s.availabilityZone = az;
    subnet.set(s.key, s);
  });
  for (const s of subnet.values()) {
    for (const acl of networkAcl.values()) {
      const a = acl.associations.find((x) => idKey(x.subnetId) === s.key);
      if (a) {
        s.nacl = acl;
        s.naclVia = "association";
        s.naclPtr = a.ptr;
        break;
      }
    }
    if (!s.nacl) {
      const dflt = [...networkAcl.values()].find((acl) => acl.isDefault && acl.vpcId !== undefined && acl.vpcId === s.vpcId);
      if (dflt) {
        s.nacl = dflt;
        s.naclVia = "vpc-default";
        s.naclPtr = dflt.ptr;
      } else if (collected.networkAcls) {
        noteUnresolved(s, "network ACL", "no ACL lists it in Associations and the VPC's default ACL is missing");
      }
    }
    for (const rt of routeTable.values()) {
      const a = rt.associations.find((x) => x.subnetId !== undefined && idKey(x.subnetId) === s.key);
      if (a) {
        s.routeTable = rt;
        s.routeTableVia = "association";
        s.routeTablePtr = a.ptr;
        if (a.associationId) s.routeTableAssociationId = a.associationId;
        break;
      }
    }
    if (!s.routeTable) {
      const main = [...routeTable.values()].find((rt) => rt.isMain && rt.vpcId !== undefined && rt.vpcId === s.vpcId);
      if (main) {
        s.routeTable = main;
        s.routeTableVia = "main";
        s.routeTablePtr = main.associations.find((a) => a.main)?.ptr ?? main.ptr;
      } else if (collected.routeTables) {
        noteUnresolved(s, "route table", "no route table is associated with it and the VPC's main route table is missing");
      }
    }
  }

  const resolveGroups = (ids: string[], fromId: string, fromName: string): SecurityGroup[] => {
    const out: SecurityGroup[] = [];
    for (const g of ids) {
      const sg = securityGroup.get(idKey(g));
      if (sg) out.push(sg);
      else noteDangling(g, fromId, fromName, "security group");
    }
    return out;
  };

  // instances
  const instance = new Map<string, Instance>();
  const instanceByIp = new Map<string, Instance>();
  arr(ec2.Instances).forEach((w, i) => {
    const raw = obj(w);
    const id = str(raw.InstanceId);
    if (!id) return;
    const ptr = pointer("ec2", "Instances", i);
    const name = nameTag(raw) ?? id;
    const sgIds = arr(raw.SecurityGroups)
      .map((g) => str(obj(g).GroupId))
      .filter((x): x is string => !!x);
    const inst: Instance = {
      id,
      key: idKey(id),
      name,
      ptr,
      raw,
      statePtr: join(ptr, "State", "Name"),
      privateIps: [],
      securityGroupIds: sgIds,
      securityGroups: resolveGroups(sgIds, id, name),
      securityGroupsPtr: join(ptr, "SecurityGroups"),
    };
    const state = str(obj(raw.State).Name);
    if (state) inst.state = state;
    const az = str(obj(raw.Placement).AvailabilityZone);
    if (az) inst.availabilityZone = az;
    const vpc = str(raw.VpcId);
    if (vpc) inst.vpcId = vpc;
    const pub = str(raw.PublicIpAddress);
    if (pub) inst.publicIp = pub;
    const priv = str(raw.PrivateIpAddress);
    if (priv) {
      inst.privateIp = priv;
      inst.privateIps.push(priv);
    }
    for (const eni of arr(raw.NetworkInterfaces)) {
      for (const a of arr(obj(eni).PrivateIpAddresses)) {
        const ip = str(obj(a).PrivateIpAddress);
        if (ip && !inst.privateIps.includes(ip)) inst.privateIps.push(ip);
      }
    }
    const subnetId = str(raw.SubnetId);
    if (subnetId) {
      inst.subnetId = subnetId;
      const s = subnet.get(idKey(subnetId));
      if (s) inst.subnet = s;
      else noteDangling(subnetId, id, name, "subnet");
    }
    instance.set(inst.key, inst);
    for (const ip of inst.privateIps) if (!instanceByIp.has(ip)) instanceByIp.set(ip, inst);
  });

  // load balancers
  const loadBalancer = new Map<string, LoadBalancer>();
  arr(elbv2.LoadBalancers).forEach((w, i) => {
    const raw = obj(w);
    const arn = str(raw.LoadBalancerArn);
    if (!arn) return;
    const ptr = pointer("elbv2", "LoadBalancers", i);
    const name = str(raw.LoadBalancerName) ?? arn;
    const type = str(raw.Type) ?? "application";
    const sgIds = strList(raw.SecurityGroups);
    const { attributes, known } = readAttributes(elbv2.LoadBalancerAttributes, arn, pointer("elbv2", "LoadBalancerAttributes"));
    const scheme = str(raw.Scheme) ?? "internet-facing";
    const lb: LoadBalancer = {
      id: arn,
      key: idKey(arn),
      name,
      ptr,
      raw,
      arn,
      type,
      scheme,
      internetFacing: scheme === "internet-facing",
      zones: [],
      subnets: [],
      securityGroupIds: sgIds,
      securityGroups: resolveGroups(sgIds, arn, name),
      securityGroupsPtr: sgIds.length > 0 ? join(ptr, "SecurityGroups") : ptr,
      attributes,
      attributesKnown: known,
      // always on for an ALB (a target group may still turn it off: TargetGroup.crossZone)
      crossZone:
        type === "application"
          ? {
              value: true,
              source: attributes.has("load_balancing.cross_zone.enabled") ? "attribute" : "default",
              ptr: attributes.get("load_balancing.cross_zone.enabled")?.ptr ?? ptr,
            }
          : boolSetting(attributes, "load_balancing.cross_zone.enabled", false, ptr),
      listeners: [],
      targetGroups: [],
    };
    for (const [k, v] of [
      ["vpcId", str(raw.VpcId)],
      ["state", str(obj(raw.State).Code)],
      ["dnsName", str(raw.DNSName)],
      ["ipAddressType", str(raw.IpAddressType)],
      ["region", arnRegion(arn) ?? str(snapshot.scope?.region)],
    ] as const) {
      if (v) lb[k] = v;
    }
    arr(raw.AvailabilityZones).forEach((z, j) => {
      const zone: LbZone = { ptr: join(ptr, "AvailabilityZones", j) };
      const zn = str(obj(z).ZoneName);
      if (zn) zone.zoneName = zn;
      const sid = str(obj(z).SubnetId);
      if (sid) {
        zone.subnetId = sid;
        const s = subnet.get(idKey(sid));
        if (s) {
          zone.subnet = s;
          lb.subnets.push(s);
        } else noteDangling(sid, arn, name, "subnet");
      }
      lb.zones.push(zone);
    });
    loadBalancer.set(lb.key, lb);
  });

  // target groups
  const targetGroup = new Map<string, TargetGroup>();
  arr(elbv2.TargetGroups).forEach((w, i) => {
    const raw = obj(w);
    const arn = str(raw.TargetGroupArn);
    if (!arn) return;
    const ptr = pointer("elbv2", "TargetGroups", i);
    const name = str(raw.TargetGroupName) ?? arn;
    const { attributes, known } = readAttributes(elbv2.TargetGroupAttributes, arn, pointer("elbv2", "TargetGroupAttributes"));
    const lbArns = strList(raw.LoadBalancerArns);
    const lbs = lbArns.map((a) => loadBalancer.get(idKey(a))).filter((x): x is LoadBalancer => !!x);
    for (const a of lbArns) if (!loadBalancer.has(idKey(a))) noteDangling(a, arn, name, "load balancer");
    const targetType = str(raw.TargetType) ?? "instance";
    const protocol = str(raw.Protocol);
    const portSpec = String(raw.HealthCheckPort ?? "traffic-port");
    const hcPort = portSpec === "traffic-port" ? undefined : num(portSpec);
    const hc: HealthCheck = { enabled: raw.HealthCheckEnabled !== false, portSpec, portPtr: join(ptr, "HealthCheckPort") };
    if (hcPort !== undefined) hc.port = hcPort;
    for (const [k, v] of [
      ["protocol", str(raw.HealthCheckProtocol)],
      ["path", str(raw.HealthCheckPath)],
      ["matcher", str(obj(raw.Matcher).HttpCode) ?? str(obj(raw.Matcher).GrpcCode)],
    ] as const) {
      if (v) hc[k] = v;
    }
    for (const [k, v] of [
      ["intervalSeconds", num(raw.HealthCheckIntervalSeconds)],
      ["timeoutSeconds", num(raw.HealthCheckTimeoutSeconds)],
      ["healthyThreshold", num(raw.HealthyThresholdCount)],
      ["unhealthyThreshold", num(raw.UnhealthyThresholdCount)],
    ] as const) {
      if (v !== undefined) hc[k] = v;
    }
    const stick = boolSetting(attributes, "stickiness.enabled", false, ptr);
    const stickType = attributes.get("stickiness.type")?.value;
    const dereg = attributes.get("deregistration_delay.timeout_seconds");
    const cz = attributes.get("load_balancing.cross_zone.enabled");
    const lbType = lbs[0]?.type;
    const tg: TargetGroup = {
      id: arn,
      key: idKey(arn),
      name,
      ptr,
      raw,
      arn,
      targetType,
      loadBalancerArns: lbArns,
      loadBalancers: lbs,
      listeners: [],
      healthCheck: hc,
      attributes,
      attributesKnown: known,
      stickiness: { ...stick, ...(stickType ? { type: stickType } : {}) },
      deregistrationDelay: dereg
        ? { value: num(dereg.value) ?? 300, source: "attribute", ptr: dereg.ptr }
        : { value: 300, source: "default", ptr },
      crossZone: cz
        ? { value: cz.value, source: "attribute", ptr: cz.ptr }
        : { value: "use_load_balancer_configuration", source: "default", ptr },
      preserveClientIp: boolSetting(attributes, "preserve_client_ip.enabled", preserveClientIpDefault(lbType, targetType, protocol), ptr),
      targets: [],
      healthKnown: false,
      asgs: [],
    };
    // ALB and GWLB never preserve client IPs by this attribute; an explicit NLB setting always wins
    if (lbType !== undefined && lbType !== "network") tg.preserveClientIp = { value: false, source: "default", ptr };
    for (const [k, v] of [
      ["protocol", protocol],
      ["protocolVersion", str(raw.ProtocolVersion)],
      ["vpcId", str(raw.VpcId)],
    ] as const) {
      if (v) tg[k] = v;
    }
    const port = num(raw.Port);
    if (port !== undefined) tg.port = port;
    for (const lb of lbs) lb.targetGroups.push(tg);
    targetGroup.set(tg.key, tg);
  });

  // listeners, their default actions and rules
  const readActions = (list: unknown, base: string, fromId: string, fromName: string): Action[] =>
    arr(list).map((a, i) => {
      const o = obj(a);
      const ptr = join(base, i);
      const action: Action = { type: str(o.Type) ?? "", ptr, forwards: [] };
      const order = num(o.Order);
      if (order !== undefined) action.order = order;
      const fc = arr(obj(o.ForwardConfig).TargetGroups);
      const refs: Array<{ arn: string; weight?: number; ptr: string }> =
        fc.length > 0
          ? fc.flatMap((t, j) => {
              const arn = str(obj(t).TargetGroupArn);
              const weight = num(obj(t).Weight);
              return arn ? [{ arn, ptr: join(ptr, "ForwardConfig", "TargetGroups", j), ...(weight !== undefined ? { weight } : {}) }] : [];
            })
          : str(o.TargetGroupArn)
            ? [{ arn: o.TargetGroupArn as string, ptr: join(ptr, "TargetGroupArn") }]
            : [];
      for (const r of refs) {
        const fwd: ForwardTarget = { targetGroupArn: r.arn, ptr: r.ptr };
        if (r.weight !== undefined) fwd.weight = r.weight;
        const tg = targetGroup.get(idKey(r.arn));
        if (tg) fwd.targetGroup = tg;
        else noteDangling(r.arn, fromId, fromName, "target group");
        action.forwards.push(fwd);
      }
      return action;
    });

  const listener = new Map<string, Listener>();
  arr(elbv2.Listeners).forEach((w, i) => {
    const raw = obj(w);
    const arn = str(raw.ListenerArn);
    if (!arn) return;
    const ptr = pointer("elbv2", "Listeners", i);
    const lbArn = str(raw.LoadBalancerArn) ?? "";
    const lb = loadBalancer.get(idKey(lbArn));
    const port = num(raw.Port);
    const protocol = str(raw.Protocol);
    const name = `${lb?.name ?? lbArn.split("/").slice(-2, -1)[0] ?? "listener"}:${protocol ?? "?"}:${port ?? "?"}`;
    const l: Listener = {
      id: arn,
      key: idKey(arn),
      name,
      ptr,
      raw,
      arn,
      loadBalancerArn: lbArn,
      defaultActions: readActions(raw.DefaultActions, join(ptr, "DefaultActions"), arn, name),
      rules: [],
      rulesKnown: false,
    };
    if (port !== undefined) l.port = port;
    if (protocol) l.protocol = protocol;
    if (lb) {
      l.lb = lb;
      lb.listeners.push(l);
    } else if (lbArn) noteDangling(lbArn, arn, name, "load balancer");
    const rk = keyIn(elbv2.Rules, arn);
    if (rk !== undefined && elbv2.Rules) {
      l.rulesKnown = true;
      arr(elbv2.Rules[rk]).forEach((r, j) => {
        const o = obj(r);
        const rptr = pointer("elbv2", "Rules", rk, j);
        const rule: ListenerRule = {
          ptr: rptr,
          priority: String(o.Priority ?? ""),
          isDefault: o.IsDefault === true || o.Priority === "default",
          conditions: arr(o.Conditions),
          actions: readActions(o.Actions, join(rptr, "Actions"), arn, name),
        };
        const rarn = str(o.RuleArn);
        if (rarn) rule.arn = rarn;
        l.rules.push(rule);
      });
    }
    listener.set(l.key, l);
  });
  // target groups reached through listeners
  for (const l of listener.values()) {
    const actions = [...l.defaultActions, ...l.rules.flatMap((r) => r.actions)];
    for (const a of actions) {
      for (const f of a.forwards) {
        const tg = f.targetGroup;
        if (!tg) continue;
        if (!tg.listeners.includes(l)) tg.listeners.push(l);
        if (l.lb && !l.lb.targetGroups.includes(tg)) l.lb.targetGroups.push(tg);
        if (l.lb && !tg.loadBalancers.includes(l.lb)) tg.loadBalancers.push(l.lb);
      }
    }
  }
  // the client IP preservation default depends on the LB type, known only now for TGs reached through listeners
  for (const tg of targetGroup.values()) {
    if (tg.preserveClientIp.source === "default") {
      tg.preserveClientIp = {
        value: preserveClientIpDefault(tg.loadBalancers[0]?.type, tg.targetType, tg.protocol),
        source: "default",
        ptr: tg.ptr,
      };
    }
  }

  // targets and their health
  for (const tg of targetGroup.values()) {
    const hk = keyIn(elbv2.TargetHealth, tg.arn);
    if (hk === undefined || !elbv2.TargetHealth) continue;
    tg.healthKnown = true;
    tg.healthPtr = pointer("elbv2", "TargetHealth", hk);
    arr(elbv2.TargetHealth[hk]).forEach((d, j) => {
      const o = obj(d);
      const t = obj(o.Target);
      const id = str(t.Id);
      if (!id) return;
      const ptr = join(tg.healthPtr as string, j);
      const port = num(t.Port) ?? tg.port;
      const kind: TargetKind =
        tg.targetType === "ip" || tg.targetType === "lambda" || tg.targetType === "alb"
          ? tg.targetType
          : id.startsWith("i-")
            ? "instance"
            : cidrInterval(id)
              ? "ip"
              : "instance";
      const th = obj(o.TargetHealth);
      const target: Target = {
        tg,
        id,
        key: idKey(`${tg.arn}|${id}|${port ?? ""}`),
        kind,
        ptr,
        statePtr: join(ptr, "TargetHealth", "State"),
      };
      if (port !== undefined) target.port = port;
      // traffic-port: the target's own port; a spec that is neither that nor a number resolves to nothing
      const hcPort = tg.healthCheck.portSpec === "traffic-port" ? port : tg.healthCheck.port;
      if (hcPort !== undefined) target.healthCheckPort = hcPort;
      for (const [k, v] of [
        ["availabilityZone", str(t.AvailabilityZone)],
        ["state", str(th.State)],
        ["reason", str(th.Reason)],
        ["description", str(th.Description)],
      ] as const) {
        if (v) target[k] = v;
      }
      if (kind === "instance") {
        const inst = instance.get(idKey(id));
        if (inst) {
          target.instance = inst;
          if (inst.privateIp) target.ip = inst.privateIp;
          if (inst.subnet) target.subnet = inst.subnet;
        } else noteDangling(id, tg.arn, tg.name, "instance");
      } else if (kind === "ip") {
        target.ip = id;
        const inst = instanceByIp.get(id);
        if (inst) target.instance = inst;
        const s = inst?.subnet ?? [...subnet.values()].find((x) => x.cidr && (!tg.vpcId || x.vpcId === tg.vpcId) && ipIn(id, x.cidr));
        if (s) target.subnet = s;
      }
      tg.targets.push(target);
    });
  }

  // Auto Scaling groups
  const autoScalingGroup = new Map<string, AutoScalingGroup>();
  arr(snapshot.autoscaling?.AutoScalingGroups).forEach((w, i) => {
    const raw = obj(w);
    const name = str(raw.AutoScalingGroupName);
    if (!name) return;
    const ptr = pointer("autoscaling", "AutoScalingGroups", i);
    const tgArns = strList(raw.TargetGroupARNs);
    const asg: AutoScalingGroup = {
      id: name,
      key: idKey(name),
      name,
      ptr,
      raw,
      availabilityZones: strList(raw.AvailabilityZones),
      subnetIds: (str(raw.VPCZoneIdentifier) ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      targetGroupArns: tgArns,
      targetGroups: [],
      instances: [],
    };
    for (const [k, v] of [
      ["arn", str(raw.AutoScalingGroupARN)],
      ["healthCheckType", str(raw.HealthCheckType)],
    ] as const) {
      if (v) asg[k] = v;
    }
    for (const [k, v] of [
      ["healthCheckGracePeriod", num(raw.HealthCheckGracePeriod)],
      ["minSize", num(raw.MinSize)],
      ["maxSize", num(raw.MaxSize)],
      ["desiredCapacity", num(raw.DesiredCapacity)],
    ] as const) {
      if (v !== undefined) asg[k] = v;
    }
    for (const a of tgArns) {
      const tg = targetGroup.get(idKey(a));
      if (tg) {
        asg.targetGroups.push(tg);
        tg.asgs.push(asg);
      } else noteDangling(a, asg.arn ?? name, name, "target group");
    }
    arr(raw.Instances).forEach((x, j) => {
      const o = obj(x);
      const iid = str(o.InstanceId);
      if (!iid) return;
      const ai: AsgInstance = { instanceId: iid, ptr: join(ptr, "Instances", j) };
      for (const [k, v] of [
        ["availabilityZone", str(o.AvailabilityZone)],
        ["lifecycleState", str(o.LifecycleState)],
        ["healthStatus", str(o.HealthStatus)],
      ] as const) {
        if (v) ai[k] = v;
      }
      const inst = instance.get(idKey(iid));
      if (inst) {
        ai.instance = inst;
        inst.asg = asg;
      } else if (collected.instances) noteDangling(iid, asg.arn ?? name, name, "instance");
      asg.instances.push(ai);
    });
    autoScalingGroup.set(asg.key, asg);
  });

  const guest = new Map<string, { ptr: string; body: GuestObservation }>();
  for (const [k, body] of Object.entries(snapshot.observations?.guest ?? {})) {
    guest.set(idKey(k), { ptr: pointer("observations", "guest", k), body });
  }

  const byName = <T extends { name: string; id: string }>(xs: Iterable<T>) =>
    [...xs].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const region = str(snapshot.scope?.region) ?? [...loadBalancer.values()].map((lb) => lb.region).find(Boolean);
  return {
    provider: "aws",
    snapshot,
    context,
    ...(region ? { region } : {}),
    loadBalancers: byName(loadBalancer.values()),
    listeners: byName(listener.values()),
    targetGroups: byName(targetGroup.values()),
    instances: byName(instance.values()),
    securityGroups: byName(securityGroup.values()),
    subnets: byName(subnet.values()),
    networkAcls: byName(networkAcl.values()),
    routeTables: byName(routeTable.values()),
    autoScalingGroups: byName(autoScalingGroup.values()),
    gaps,
    collected,
    byKey: {
      loadBalancer,
      listener,
      targetGroup,
      instance,
      securityGroup,
      subnet,
      networkAcl,
      routeTable,
      autoScalingGroup,
      instanceByIp,
    },
    observations: { guest },
  };
}

function ipIn(ip: string, cidr: string): boolean {
  const a = cidrInterval(ip);
  const c = cidrInterval(cidr);
  return !!a && !!c && a[0] >= c[0] && a[1] <= c[1];
}

// ---------------------------------------------------------------------------
// queries rules share

/** Gaps (collection or dangling) about any of the given ids. */
export function gapsFor(model: AwsModel, ids: Array<string | undefined>): ModelGap[] {
  const keys = new Set(ids.filter((x): x is string => !!x).map(idKey));
  return model.gaps.filter((g) => g.resourceId !== undefined && keys.has(idKey(g.resourceId)));
}

/** Collection gaps whose operation contains the fragment (e.g. "DescribeSecurityGroups"), whatever their resource. */
export function listGaps(model: AwsModel, operationFragment: string): ModelGap[] {
  const f = operationFragment.toLowerCase();
  return model.gaps.filter((g) => g.kind === "collection" && g.operation.toLowerCase().includes(f));
}
