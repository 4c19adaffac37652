/** The AWS model's types: the snapshot's API objects, typed, normalized and cross-referenced. */
import type { Model, ModelContext, ModelGap } from "../../../core/engine/types.ts";
import type { GuestObservation } from "../../../core/snapshot/types.ts";
import type { Obj } from "../../../core/util/wire.ts";
import type { AwsSnapshot } from "../wire-types.ts";

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
  /**
   * `gatewayId`: an edge association with an internet gateway or a virtual private gateway (a gateway route table, which routes
   * the traffic entering the VPC through that gateway)
   */
  associations: Array<{ subnetId?: string; gatewayId?: string; main: boolean; associationId?: string; ptr: string }>;
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
  /** internet-facing | internal; empty for a Gateway Load Balancer, which has none */
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
  /** not from DescribeTargetHealth: an in-service instance of this Auto Scaling group, which registers it (see asgRegisteredTargets) */
  registeredBy?: AutoScalingGroup;
  /** AnomalyDetection: returned only when DescribeTargetHealth is called with Include=AnomalyDetection (HTTP/HTTPS groups of an ALB) */
  anomaly?: TargetAnomaly;
  /** AdministrativeOverride: a zonal shift taking the target's zone out of traffic, or `no_override` */
  override?: TargetOverride;
}

export interface TargetAnomaly {
  /** `anomalous` | `normal` (lower-cased) */
  result: string;
  /** `yes` | `no`: automatic target weights are routing less traffic to it right now */
  mitigation?: string;
  /** pointer of AnomalyDetection */
  ptr: string;
}

export interface TargetOverride {
  /** `no_override` | `unknown` | `zonal_shift_active` | `zonal_shift_delegated_to_dns` (lower-cased) */
  state: string;
  reason?: string;
  description?: string;
  /** pointer of AdministrativeOverride */
  ptr: string;
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
    /** by idKey of the ARN (of the name when there is none): names repeat across regions and accounts */
    autoScalingGroup: Map<string, AutoScalingGroup>;
    /** every private IP of every instance */
    instanceByIp: Map<string, Instance>;
  };
  observations: { guest: Map<string, { ptr: string; body: GuestObservation }> };
}
