/**
 * Builds AWS snapshots in the shape `aws … --output json` prints (PascalCase
 * objects, DescribeInstances flattened), for rule case tables and the bundled
 * fixtures.
 *
 *   const snap = healthyAlb()                             // AWS's Auto Scaling tutorial's architecture
 *     .setIngress(ids.sg.web, [{ port: 80, cidrs: ["198.51.100.0/24"] }])
 *     .build();
 *
 * Ids are deterministic hashes of a label (`awsId("sg", "web")`), so the
 * generated fixtures are stable; `ids` names the ones the reference scenarios use.
 */
import type { Gap, GuestObservation } from "../../src/core/snapshot/types.ts";
import type { AwsSnapshot } from "../../src/providers/aws/wire-types.ts";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const COLLECTED_AT = "2025-03-14T09:30:00.000Z";

type Obj = Record<string, unknown>;

/** `count` deterministic hex digits from a seed (FNV-1a rounds). */
export function hex(seed: string, count: number): string {
  let out = "";
  for (let round = 0; out.length < count; round++) {
    let h = 2166136261 ^ round;
    for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, count);
}

/** An EC2-style id: `sg-0` + 16 hex digits. */
export function awsId(prefix: string, label: string): string {
  return `${prefix}-0${hex(`${prefix}/${label}`, 16)}`;
}

export function lbArn(name: string, type: "application" | "network" | "gateway" = "application"): string {
  const t = type === "application" ? "app" : type === "network" ? "net" : "gwy";
  return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/${t}/${name}/${hex(`lb/${name}`, 16)}`;
}
export function tgArn(name: string): string {
  return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}/${hex(`tg/${name}`, 16)}`;
}
export function listenerArn(lb: string, port: number): string {
  return `${lb.replace(":loadbalancer/", ":listener/")}/${hex(`listener/${lb}/${port}`, 16)}`;
}

export const ids = {
  vpc: awsId("vpc", "main"),
  igw: awsId("igw", "main"),
  nat: awsId("nat", "a"),
  subnet: {
    publicA: awsId("subnet", "public-a"),
    publicB: awsId("subnet", "public-b"),
    privateA: awsId("subnet", "private-a"),
    privateB: awsId("subnet", "private-b"),
  },
  rtb: { public: awsId("rtb", "public"), private: awsId("rtb", "private") },
  acl: { default: awsId("acl", "default") },
  sg: { alb: awsId("sg", "web-alb"), web: awsId("sg", "web-instance"), nlbApp: awsId("sg", "app-nlb") },
  instance: { web1: awsId("i", "web-1"), web2: awsId("i", "web-2") },
  lb: { alb: lbArn("web-alb"), nlb: lbArn("app-nlb", "network") },
  tg: { web: tgArn("web-tg"), app: tgArn("app-tg") },
  asg: "web-asg",
};

export const VPC_CIDR = "10.0.0.0/16";
export const CIDR = {
  publicA: "10.0.1.0/24",
  publicB: "10.0.2.0/24",
  privateA: "10.0.11.0/24",
  privateB: "10.0.12.0/24",
};
export const IP = { web1: "10.0.11.10", web2: "10.0.12.10" };

// ---------------------------------------------------------------------------
// specs

export interface PermissionSpec {
  /** "tcp" (default), "udp", "icmp", "-1", or a number as a string */
  protocol?: string;
  /** a single port (sets From and To) */
  port?: number;
  from?: number;
  to?: number;
  cidrs?: string[];
  ipv6?: string[];
  groups?: string[];
  prefixLists?: string[];
  description?: string;
}

export function permissionWire(p: PermissionSpec): Obj {
  const protocol = p.protocol ?? "tcp";
  const w: Obj = { IpProtocol: protocol };
  if (protocol !== "-1") {
    w.FromPort = p.from ?? p.port ?? 0;
    w.ToPort = p.to ?? p.port ?? 65535;
  }
  w.IpRanges = (p.cidrs ?? []).map((c) => ({ CidrIp: c, ...(p.description ? { Description: p.description } : {}) }));
  w.Ipv6Ranges = (p.ipv6 ?? []).map((c) => ({ CidrIpv6: c }));
  w.PrefixListIds = (p.prefixLists ?? []).map((id) => ({ PrefixListId: id }));
  w.UserIdGroupPairs = (p.groups ?? []).map((g) => ({
    GroupId: g,
    UserId: ACCOUNT,
    ...(p.description ? { Description: p.description } : {}),
  }));
  return w;
}

export const ALL_EGRESS: PermissionSpec = { protocol: "-1", cidrs: ["0.0.0.0/0"] };

export interface NaclEntrySpec {
  rule: number;
  egress?: boolean;
  /** "-1" (default), "tcp"/"6", "udp"/"17" */
  protocol?: string;
  action?: "allow" | "deny";
  cidr?: string;
  /** [from, to] for tcp/udp */
  ports?: [number, number];
}

const PROTO: Record<string, string> = { tcp: "6", udp: "17", icmp: "1", all: "-1" };

export function naclEntryWire(e: NaclEntrySpec): Obj {
  const protocol = PROTO[e.protocol ?? "-1"] ?? e.protocol ?? "-1";
  return {
    CidrBlock: e.cidr ?? "0.0.0.0/0",
    Egress: e.egress === true,
    Protocol: protocol,
    RuleAction: e.action ?? "allow",
    RuleNumber: e.rule,
    ...(e.ports && protocol !== "-1" ? { PortRange: { From: e.ports[0], To: e.ports[1] } } : {}),
  };
}

/** The two `*` entries (32767) every ACL ends with. */
const STAR_ENTRIES = [true, false].map((egress) => naclEntryWire({ rule: 32767, egress, action: "deny" }));

export interface RouteSpec {
  destination: string;
  /** igw-…, nat-…, tgw-…, pcx-…, eni-…, "local" */
  target: string;
  state?: "active" | "blackhole";
}

function routeWire(r: RouteSpec): Obj {
  const key = r.target.startsWith("nat-")
    ? "NatGatewayId"
    : r.target.startsWith("tgw-")
      ? "TransitGatewayId"
      : r.target.startsWith("pcx-")
        ? "VpcPeeringConnectionId"
        : r.target.startsWith("eni-")
          ? "NetworkInterfaceId"
          : "GatewayId";
  return {
    DestinationCidrBlock: r.destination,
    [key]: r.target,
    Origin: r.target === "local" ? "CreateRouteTable" : "CreateRoute",
    State: r.state ?? "active",
  };
}

export interface TargetSpec {
  id: string;
  port?: number;
  az?: string;
  state?: string;
  reason?: string;
  description?: string;
  /**
   * DescribeTargetHealth's AnomalyDetection (returned with Include=AnomalyDetection, for the HTTP/HTTPS target groups of an ALB):
   * `normal`/`no` by default on HTTP/HTTPS groups; `null` leaves it out (health collected without anomaly data).
   */
  anomaly?: { result: "anomalous" | "normal"; mitigation?: "yes" | "no" } | null;
  /** AdministrativeOverride (a zonal shift): `no_override` by default; `null` leaves it out. */
  override?: { state: string; reason?: string; description?: string } | null;
}

const OVERRIDE_REASONS: Record<string, string> = {
  no_override: "AdministrativeOverride.NoOverride",
  unknown: "AdministrativeOverride.Unknown",
  zonal_shift_active: "AdministrativeOverride.ZonalShiftActive",
  zonal_shift_delegated_to_dns: "AdministrativeOverride.ZonalShiftDelegatedToDns",
};

const STATE_CODES: Record<string, number> = { pending: 0, running: 16, "shutting-down": 32, terminated: 48, stopping: 64, stopped: 80 };

const tags = (name?: string, extra: Record<string, string> = {}) => [
  ...(name ? [{ Key: "Name", Value: name }] : []),
  ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
];

// ---------------------------------------------------------------------------

export class AwsScenario {
  private s: AwsSnapshot = {
    schema: "lbdoctor.snapshot/v1",
    provider: "aws",
    collectedAt: COLLECTED_AT,
    tool: { name: "lbdoctor", version: "0.1.0" },
    scope: { region: REGION },
    elbv2: {
      LoadBalancers: [],
      LoadBalancerAttributes: {},
      Listeners: [],
      Rules: {},
      TargetGroups: [],
      TargetGroupAttributes: {},
      TargetHealth: {},
    },
    ec2: { SecurityGroups: [], Instances: [], Subnets: [], NetworkAcls: [], RouteTables: [] },
    autoscaling: { AutoScalingGroups: [] },
  };

  private ec2() {
    return this.s.ec2 as Required<NonNullable<AwsSnapshot["ec2"]>>;
  }
  private elb() {
    return this.s.elbv2 as Required<AwsSnapshot["elbv2"]>;
  }
  private find(list: Obj[], key: string, id: string, what: string): Obj {
    const x = list.find((o) => o[key] === id);
    if (!x) throw new Error(`builder: no ${what} ${id}`);
    return x;
  }
  private upsert(list: Obj[], key: string, value: Obj): this {
    const i = list.findIndex((o) => o[key] === value[key]);
    if (i >= 0) list[i] = value;
    else list.push(value);
    return this;
  }

  /** Any change to the snapshot the helpers do not cover. */
  edit(fn: (s: AwsSnapshot) => void): this {
    fn(this.s);
    return this;
  }

  // ---- EC2

  subnet(spec: { id: string; cidr: string; az: string; name?: string; vpc?: string; public?: boolean }): this {
    return this.upsert(this.ec2().Subnets, "SubnetId", {
      AvailabilityZone: spec.az,
      AvailabilityZoneId: `use1-az${spec.az.endsWith("a") ? 1 : spec.az.endsWith("b") ? 2 : 4}`,
      AvailableIpAddressCount: 250,
      CidrBlock: spec.cidr,
      DefaultForAz: false,
      MapPublicIpOnLaunch: spec.public === true,
      State: "available",
      SubnetId: spec.id,
      VpcId: spec.vpc ?? ids.vpc,
      OwnerId: ACCOUNT,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
      Tags: tags(spec.name),
      SubnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${spec.id}`,
    });
  }
  removeSubnet(id: string): this {
    this.ec2().Subnets = this.ec2().Subnets.filter((x) => x.SubnetId !== id);
    return this;
  }

  securityGroup(spec: {
    id: string;
    name: string;
    description?: string;
    vpc?: string;
    ingress?: PermissionSpec[];
    egress?: PermissionSpec[];
  }): this {
    return this.upsert(this.ec2().SecurityGroups, "GroupId", {
      Description: spec.description ?? spec.name,
      GroupName: spec.name,
      IpPermissions: (spec.ingress ?? []).map(permissionWire),
      OwnerId: ACCOUNT,
      GroupId: spec.id,
      IpPermissionsEgress: (spec.egress ?? [ALL_EGRESS]).map(permissionWire),
      VpcId: spec.vpc ?? ids.vpc,
      SecurityGroupArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${spec.id}`,
      Tags: [],
    });
  }
  /** Adds inbound permissions. */
  ingress(sg: string, ...perms: PermissionSpec[]): this {
    const g = this.find(this.ec2().SecurityGroups, "GroupId", sg, "security group");
    (g.IpPermissions as Obj[]).push(...perms.map(permissionWire));
    return this;
  }
  setIngress(sg: string, perms: PermissionSpec[]): this {
    this.find(this.ec2().SecurityGroups, "GroupId", sg, "security group").IpPermissions = perms.map(permissionWire);
    return this;
  }
  setEgress(sg: string, perms: PermissionSpec[]): this {
    this.find(this.ec2().SecurityGroups, "GroupId", sg, "security group").IpPermissionsEgress = perms.map(permissionWire);
    return this;
  }
  removeSecurityGroup(id: string): this {
    this.ec2().SecurityGroups = this.ec2().SecurityGroups.filter((x) => x.GroupId !== id);
    return this;
  }

  /** An ACL with these entries plus the two `*` entries, associated with the subnets (taken from any other ACL). */
  nacl(spec: { id: string; name?: string; isDefault?: boolean; vpc?: string; subnets: string[]; entries: NaclEntrySpec[] }): this {
    for (const other of this.ec2().NetworkAcls) {
      other.Associations = (other.Associations as Obj[]).filter((a) => !spec.subnets.includes(a.SubnetId as string));
    }
    return this.upsert(this.ec2().NetworkAcls, "NetworkAclId", {
      Associations: spec.subnets.map((s) => ({
        NetworkAclAssociationId: awsId("aclassoc", `${spec.id}/${s}`),
        NetworkAclId: spec.id,
        SubnetId: s,
      })),
      Entries: [...spec.entries.map(naclEntryWire), ...STAR_ENTRIES],
      IsDefault: spec.isDefault === true,
      NetworkAclId: spec.id,
      Tags: tags(spec.name),
      VpcId: spec.vpc ?? ids.vpc,
      OwnerId: ACCOUNT,
    });
  }
  /** Adds an entry (or replaces the one with the same direction and number). */
  naclEntry(acl: string, entry: NaclEntrySpec): this {
    const a = this.find(this.ec2().NetworkAcls, "NetworkAclId", acl, "network ACL");
    const list = (a.Entries as Obj[]).filter((e) => !(e.RuleNumber === entry.rule && e.Egress === (entry.egress === true)));
    list.push(naclEntryWire(entry));
    a.Entries = list;
    return this;
  }
  /** Drops every explicit association of a subnet (it then falls back to the VPC's default ACL). */
  dissociateNacl(subnet: string): this {
    for (const a of this.ec2().NetworkAcls) a.Associations = (a.Associations as Obj[]).filter((x) => x.SubnetId !== subnet);
    return this;
  }

  /** A route table with the VPC's local route plus these; `main` makes it the VPC's main table. */
  routeTable(spec: { id: string; name?: string; main?: boolean; vpc?: string; subnets: string[]; routes: RouteSpec[] }): this {
    for (const other of this.ec2().RouteTables) {
      other.Associations = (other.Associations as Obj[]).filter((a) => !spec.subnets.includes(a.SubnetId as string));
    }
    const assoc = (subnet?: string) => ({
      Main: subnet === undefined,
      RouteTableAssociationId: awsId("rtbassoc", `${spec.id}/${subnet ?? "main"}`),
      RouteTableId: spec.id,
      ...(subnet ? { SubnetId: subnet } : {}),
      AssociationState: { State: "associated" },
    });
    return this.upsert(this.ec2().RouteTables, "RouteTableId", {
      Associations: [...(spec.main ? [assoc()] : []), ...spec.subnets.map((s) => assoc(s))],
      PropagatingVgws: [],
      RouteTableId: spec.id,
      Routes: [{ destination: VPC_CIDR, target: "local" }, ...spec.routes].map(routeWire),
      Tags: tags(spec.name),
      VpcId: spec.vpc ?? ids.vpc,
      OwnerId: ACCOUNT,
    });
  }
  route(rtb: string, r: RouteSpec): this {
    const t = this.find(this.ec2().RouteTables, "RouteTableId", rtb, "route table");
    t.Routes = [...(t.Routes as Obj[]).filter((x) => x.DestinationCidrBlock !== r.destination), routeWire(r)];
    return this;
  }
  removeRoute(rtb: string, destination: string): this {
    const t = this.find(this.ec2().RouteTables, "RouteTableId", rtb, "route table");
    t.Routes = (t.Routes as Obj[]).filter((x) => x.DestinationCidrBlock !== destination);
    return this;
  }

  instance(spec: {
    id: string;
    name: string;
    subnet: string;
    ip: string;
    az: string;
    sgs: string[];
    publicIp?: string;
    state?: string;
    asg?: string;
    vpc?: string;
  }): this {
    const groups = spec.sgs.map((g) => ({ GroupId: g, GroupName: this.sgName(g) }));
    const state = spec.state ?? "running";
    return this.upsert(this.ec2().Instances, "InstanceId", {
      AmiLaunchIndex: 0,
      ImageId: awsId("ami", "web"),
      InstanceId: spec.id,
      InstanceType: "t3.micro",
      LaunchTime: "2025-03-01T08:00:00.000Z",
      Monitoring: { State: "disabled" },
      Placement: { AvailabilityZone: spec.az, GroupName: "", Tenancy: "default" },
      PrivateDnsName: `ip-${spec.ip.replace(/\./g, "-")}.ec2.internal`,
      PrivateIpAddress: spec.ip,
      ...(spec.publicIp ? { PublicIpAddress: spec.publicIp } : {}),
      State: { Code: STATE_CODES[state] ?? 16, Name: state },
      SubnetId: spec.subnet,
      VpcId: spec.vpc ?? ids.vpc,
      Architecture: "x86_64",
      NetworkInterfaces: [
        {
          NetworkInterfaceId: awsId("eni", spec.id),
          PrivateIpAddress: spec.ip,
          PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: spec.ip }],
          Groups: groups,
          SubnetId: spec.subnet,
          VpcId: spec.vpc ?? ids.vpc,
          Status: "in-use",
        },
      ],
      SecurityGroups: groups,
      Tags: tags(spec.name, spec.asg ? { "aws:autoscaling:groupName": spec.asg } : {}),
    });
  }
  instanceState(id: string, state: string): this {
    const i = this.find(this.ec2().Instances, "InstanceId", id, "instance");
    i.State = { Code: STATE_CODES[state] ?? 16, Name: state };
    return this;
  }
  /** Replaces an instance's security groups. */
  instanceGroups(id: string, sgs: string[]): this {
    const i = this.find(this.ec2().Instances, "InstanceId", id, "instance");
    const groups = sgs.map((g) => ({ GroupId: g, GroupName: this.sgName(g) }));
    i.SecurityGroups = groups;
    for (const eni of i.NetworkInterfaces as Obj[]) eni.Groups = groups;
    return this;
  }
  removeInstance(id: string): this {
    this.ec2().Instances = this.ec2().Instances.filter((x) => x.InstanceId !== id);
    return this;
  }
  private sgName(id: string): string {
    return (this.ec2().SecurityGroups.find((g) => g.GroupId === id)?.GroupName as string | undefined) ?? id;
  }

  // ---- ELBv2

  loadBalancer(spec: {
    name: string;
    type?: "application" | "network" | "gateway";
    scheme?: "internet-facing" | "internal";
    subnets: Array<{ id: string; az: string }>;
    sgs?: string[];
    attributes?: Record<string, string>;
  }): this {
    const type = spec.type ?? "application";
    const arn = lbArn(spec.name, type);
    const scheme = spec.scheme ?? "internet-facing";
    const dns =
      type === "application"
        ? `${scheme === "internal" ? "internal-" : ""}${spec.name}-${parseInt(hex(spec.name, 8), 16)}.${REGION}.elb.amazonaws.com`
        : `${spec.name}-${hex(spec.name, 16)}.elb.${REGION}.amazonaws.com`;
    this.upsert(this.elb().LoadBalancers, "LoadBalancerArn", {
      LoadBalancerArn: arn,
      DNSName: dns,
      CanonicalHostedZoneId: type === "application" ? "Z35SXDOTRQ7X7K" : "Z26RNL4JYFTOTI",
      CreatedTime: "2025-02-20T11:15:42.120Z",
      LoadBalancerName: spec.name,
      Scheme: scheme,
      VpcId: ids.vpc,
      State: { Code: "active" },
      Type: type,
      AvailabilityZones: spec.subnets.map((s) => ({ ZoneName: s.az, SubnetId: s.id, LoadBalancerAddresses: [] })),
      ...(spec.sgs ? { SecurityGroups: spec.sgs } : {}),
      IpAddressType: "ipv4",
    });
    const defaults: Record<string, string> =
      type === "application"
        ? {
            "access_logs.s3.enabled": "false",
            "deletion_protection.enabled": "false",
            "idle_timeout.timeout_seconds": "60",
            "routing.http2.enabled": "true",
            "routing.http.drop_invalid_header_fields.enabled": "false",
            "load_balancing.cross_zone.enabled": "true",
          }
        : {
            "access_logs.s3.enabled": "false",
            "deletion_protection.enabled": "false",
            "load_balancing.cross_zone.enabled": "false",
            "dns_record.client_routing_policy": "any_availability_zone",
          };
    this.elb().LoadBalancerAttributes[arn] = Object.entries({ ...defaults, ...spec.attributes }).map(([Key, Value]) => ({ Key, Value }));
    return this;
  }
  /** Replaces the LB's security groups (an empty list removes the field, as for an NLB without groups). */
  lbSecurityGroups(arn: string, sgs: string[]): this {
    const lb = this.find(this.elb().LoadBalancers, "LoadBalancerArn", arn, "load balancer");
    if (sgs.length === 0) delete lb.SecurityGroups;
    else lb.SecurityGroups = sgs;
    return this;
  }
  lbAttribute(arn: string, key: string, value: string): this {
    const list = (this.elb().LoadBalancerAttributes[arn] ??= []).filter((a) => a.Key !== key);
    list.push({ Key: key, Value: value });
    this.elb().LoadBalancerAttributes[arn] = list;
    return this;
  }
  /** Patches the LB's wire object. */
  editLb(arn: string, fn: (lb: Obj) => void): this {
    fn(this.find(this.elb().LoadBalancers, "LoadBalancerArn", arn, "load balancer"));
    return this;
  }
  removeLoadBalancer(arn: string): this {
    this.elb().LoadBalancers = this.elb().LoadBalancers.filter((x) => x.LoadBalancerArn !== arn);
    return this;
  }

  /** A listener whose default action forwards to one target group, or to several with weights. */
  listener(spec: { lb: string; port: number; protocol: string; forward: string | Array<{ tg: string; weight: number }> }): this {
    const arn = listenerArn(spec.lb, spec.port);
    const groups = typeof spec.forward === "string" ? [{ tg: spec.forward, weight: 1 }] : spec.forward;
    const action = {
      Type: "forward",
      ...(groups.length === 1 ? { TargetGroupArn: groups[0]?.tg } : {}),
      Order: 1,
      ForwardConfig: {
        TargetGroups: groups.map((g) => ({ TargetGroupArn: g.tg, Weight: g.weight })),
        TargetGroupStickinessConfig: { Enabled: false },
      },
    };
    this.upsert(this.elb().Listeners, "ListenerArn", {
      ListenerArn: arn,
      LoadBalancerArn: spec.lb,
      Port: spec.port,
      Protocol: spec.protocol,
      DefaultActions: [action],
    });
    this.elb().Rules[arn] = [
      {
        RuleArn: `${arn.replace(":listener/", ":listener-rule/")}/${hex(`rule/${arn}`, 16)}`,
        Priority: "default",
        Conditions: [],
        Actions: [action],
        IsDefault: true,
      },
    ];
    for (const g of groups) this.attach(g.tg, spec.lb);
    return this;
  }
  editListener(lb: string, port: number, fn: (l: Obj) => void): this {
    fn(this.find(this.elb().Listeners, "ListenerArn", listenerArn(lb, port), "listener"));
    return this;
  }
  private attach(tg: string, lb: string): void {
    const t = this.elb().TargetGroups.find((x) => x.TargetGroupArn === tg);
    if (t && !(t.LoadBalancerArns as string[]).includes(lb)) (t.LoadBalancerArns as string[]).push(lb);
  }

  targetGroup(spec: {
    name: string;
    protocol: string;
    port: number;
    targetType?: "instance" | "ip" | "lambda" | "alb";
    lbType?: "application" | "network" | "gateway";
    healthCheck?: Obj;
    attributes?: Record<string, string>;
  }): this {
    const arn = tgArn(spec.name);
    const alb = (spec.lbType ?? "application") === "application";
    this.upsert(this.elb().TargetGroups, "TargetGroupArn", {
      TargetGroupArn: arn,
      TargetGroupName: spec.name,
      Protocol: spec.protocol,
      Port: spec.port,
      VpcId: ids.vpc,
      HealthCheckProtocol: alb ? "HTTP" : "TCP",
      HealthCheckPort: "traffic-port",
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: alb ? 5 : 10,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      ...(alb ? { HealthCheckPath: "/", Matcher: { HttpCode: "200" } } : {}),
      LoadBalancerArns: [],
      TargetType: spec.targetType ?? "instance",
      ...(alb ? { ProtocolVersion: "HTTP1" } : {}),
      IpAddressType: "ipv4",
      ...spec.healthCheck,
    });
    const defaults: Record<string, string> = alb
      ? {
          "stickiness.enabled": "false",
          "deregistration_delay.timeout_seconds": "300",
          "stickiness.type": "lb_cookie",
          "stickiness.lb_cookie.duration_seconds": "86400",
          "slow_start.duration_seconds": "0",
          "load_balancing.algorithm.type": "round_robin",
          "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
        }
      : {
          "deregistration_delay.timeout_seconds": "300",
          "stickiness.enabled": "false",
          "stickiness.type": "source_ip",
          "proxy_protocol_v2.enabled": "false",
          "preserve_client_ip.enabled": spec.targetType === "ip" ? "false" : "true",
          "deregistration_delay.connection_termination.enabled": "false",
          "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
        };
    this.elb().TargetGroupAttributes[arn] = Object.entries({ ...defaults, ...spec.attributes }).map(([Key, Value]) => ({ Key, Value }));
    this.elb().TargetHealth[arn] ??= [];
    return this;
  }
  /** Patches the target group's wire fields (health check settings, port, protocol…). */
  editTargetGroup(arn: string, patch: Obj): this {
    Object.assign(this.find(this.elb().TargetGroups, "TargetGroupArn", arn, "target group"), patch);
    return this;
  }
  tgAttribute(arn: string, key: string, value: string | null): this {
    const list = (this.elb().TargetGroupAttributes[arn] ??= []).filter((a) => a.Key !== key);
    if (value !== null) list.push({ Key: key, Value: value });
    this.elb().TargetGroupAttributes[arn] = list;
    return this;
  }
  /** Registers a target (or replaces its health). */
  target(tg: string, spec: TargetSpec): this {
    const t = this.find(this.elb().TargetGroups, "TargetGroupArn", tg, "target group");
    const port = spec.port ?? (t.Port as number);
    const list = (this.elb().TargetHealth[tg] ??= []).filter((d) => (d.Target as Obj).Id !== spec.id);
    const hcPort = t.HealthCheckPort === "traffic-port" ? String(port) : String(t.HealthCheckPort);
    const health: Obj = { State: spec.state ?? "healthy" };
    if (spec.reason) health.Reason = spec.reason;
    if (spec.description) health.Description = spec.description;
    const http = t.Protocol === "HTTP" || t.Protocol === "HTTPS";
    const anomaly = spec.anomaly === undefined ? (http ? { result: "normal" as const } : null) : spec.anomaly;
    const override = spec.override === undefined ? { state: "no_override" } : spec.override;
    list.push({
      Target: { Id: spec.id, Port: port, ...(spec.az ? { AvailabilityZone: spec.az } : {}) },
      HealthCheckPort: hcPort,
      TargetHealth: health,
      ...(anomaly ? { AnomalyDetection: { Result: anomaly.result, MitigationInEffect: anomaly.mitigation ?? "no" } } : {}),
      ...(override
        ? {
            AdministrativeOverride: {
              State: override.state,
              Reason: override.reason ?? OVERRIDE_REASONS[override.state] ?? "AdministrativeOverride.Unknown",
              ...(override.description ? { Description: override.description } : {}),
            },
          }
        : {}),
    });
    this.elb().TargetHealth[tg] = list;
    return this;
  }
  /** Sets every target of the group to a health state. */
  allTargets(tg: string, state: string, reason?: string, description?: string): this {
    for (const d of this.elb().TargetHealth[tg] ?? []) {
      d.TargetHealth = { State: state, ...(reason ? { Reason: reason } : {}), ...(description ? { Description: description } : {}) };
    }
    return this;
  }

  /** DescribeTags of a load balancer or target group (the `elbv2.Tags` map; Kubernetes controllers tag what they own). */
  elbTags(arn: string, tags: Record<string, string>): this {
    const all = (this.s.elbv2.Tags ??= {});
    const merged: Record<string, string> = { ...Object.fromEntries((all[arn] ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])), ...tags };
    all[arn] = Object.entries(merged).map(([Key, Value]) => ({
      Key,
      Value,
    }));
    return this;
  }

  // ---- Auto Scaling

  asg(spec: {
    name: string;
    tgs: string[];
    instances: Array<{ id: string; az: string }>;
    subnets: string[];
    healthCheckType?: string;
  }): this {
    return this.upsert(this.s.autoscaling?.AutoScalingGroups as Obj[], "AutoScalingGroupName", {
      AutoScalingGroupName: spec.name,
      AutoScalingGroupARN: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:${hex(`asg/${spec.name}`, 8)}-${hex(`asg2/${spec.name}`, 4)}-4${hex(`asg3/${spec.name}`, 3)}-a${hex(`asg4/${spec.name}`, 3)}-${hex(`asg5/${spec.name}`, 12)}:autoScalingGroupName/${spec.name}`,
      LaunchTemplate: { LaunchTemplateId: awsId("lt", spec.name), LaunchTemplateName: `${spec.name}-lt`, Version: "$Latest" },
      MinSize: spec.instances.length,
      MaxSize: spec.instances.length * 2,
      DesiredCapacity: spec.instances.length,
      DefaultCooldown: 300,
      AvailabilityZones: [...new Set(spec.instances.map((i) => i.az))].sort(),
      LoadBalancerNames: [],
      TargetGroupARNs: spec.tgs,
      HealthCheckType: spec.healthCheckType ?? "ELB",
      HealthCheckGracePeriod: 300,
      Instances: spec.instances.map((i) => ({
        InstanceId: i.id,
        InstanceType: "t3.micro",
        AvailabilityZone: i.az,
        LifecycleState: "InService",
        HealthStatus: "Healthy",
        LaunchTemplate: { LaunchTemplateId: awsId("lt", spec.name), LaunchTemplateName: `${spec.name}-lt`, Version: "1" },
        ProtectedFromScaleIn: false,
      })),
      CreatedTime: "2025-02-20T11:20:03.511Z",
      SuspendedProcesses: [],
      VPCZoneIdentifier: spec.subnets.join(","),
      EnabledMetrics: [],
      Tags: [],
      TerminationPolicies: ["Default"],
      NewInstancesProtectedFromScaleIn: false,
      ServiceLinkedRoleARN: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      CapacityRebalance: false,
      TrafficSources: spec.tgs.map((t) => ({ Identifier: t, Type: "elbv2" })),
    });
  }

  // ---- the rest

  gap(g: Gap): this {
    (this.s.gaps ??= []).push(g);
    return this;
  }
  /** The rules of the listener of `lb` on `port` were not collected: none in the snapshot, and the 403 DescribeRules answers. */
  listenerRulesNotCollected(lb: string, port: number): this {
    const arn = listenerArn(lb, port);
    delete this.s.elbv2.Rules?.[arn];
    return this.gap({
      operation: "elasticloadbalancing:DescribeRules",
      resourceId: arn,
      status: 403,
      code: "AccessDenied",
      message: "not authorized to perform elasticloadbalancing:DescribeRules",
    });
  }
  /**
   * `::/0` allowed both ways (rule 101) in network ACL `id`, or in every one: the entries AWS adds to a default ACL once its
   * VPC has an IPv6 block.
   */
  naclAllowsIpv6(id?: string): this {
    for (const acl of this.s.ec2?.NetworkAcls ?? []) {
      if (id !== undefined && acl.NetworkAclId !== id) continue;
      for (const egress of [true, false])
        (acl.Entries as Array<Record<string, unknown>>).push({
          RuleNumber: 101,
          Protocol: "-1",
          RuleAction: "allow",
          Egress: egress,
          Ipv6CidrBlock: "::/0",
        });
    }
    return this;
  }
  /**
   * The target groups' attributes were not collected: none in the snapshot, and a DescribeTargetGroupAttributes gap on
   * `tg` (by default the 403 the AWS API answers without the permission).
   */
  tgAttributesNotCollected(tg: string, g: Partial<Pick<Gap, "operation" | "status" | "code" | "message">> = {}): this {
    this.s.elbv2.TargetGroupAttributes = {};
    return this.gap({
      operation: g.operation ?? "elasticloadbalancing:DescribeTargetGroupAttributes",
      resourceId: tg,
      status: g.status ?? 403,
      code: g.code ?? "AccessDenied",
      message: g.message ?? "not authorized to perform elasticloadbalancing:DescribeTargetGroupAttributes",
    });
  }
  guest(instanceId: string, obs: GuestObservation): this {
    ((this.s.observations ??= {}).guest ??= {})[instanceId] = obs;
    return this;
  }
  describe(text: string): this {
    this.s.description = text;
    return this;
  }

  build(): AwsSnapshot {
    return structuredClone(this.s);
  }
}

export function aws(): AwsScenario {
  return new AwsScenario();
}

/** The VPC both reference scenarios share: two public and two private subnets in two AZs, an IGW, a NAT gateway, the default ACL. */
export function network(b: AwsScenario = aws()): AwsScenario {
  return b
    .subnet({ id: ids.subnet.publicA, cidr: CIDR.publicA, az: "us-east-1a", name: "public-a", public: true })
    .subnet({ id: ids.subnet.publicB, cidr: CIDR.publicB, az: "us-east-1b", name: "public-b", public: true })
    .subnet({ id: ids.subnet.privateA, cidr: CIDR.privateA, az: "us-east-1a", name: "private-a" })
    .subnet({ id: ids.subnet.privateB, cidr: CIDR.privateB, az: "us-east-1b", name: "private-b" })
    .routeTable({
      id: ids.rtb.public,
      name: "public",
      subnets: [ids.subnet.publicA, ids.subnet.publicB],
      routes: [{ destination: "0.0.0.0/0", target: ids.igw }],
    })
    .routeTable({ id: ids.rtb.private, name: "private", main: true, subnets: [], routes: [{ destination: "0.0.0.0/0", target: ids.nat }] })
    .nacl({
      id: ids.acl.default,
      isDefault: true,
      subnets: Object.values(ids.subnet),
      entries: [
        { rule: 100, egress: true, protocol: "-1" },
        { rule: 100, egress: false, protocol: "-1" },
      ],
    });
}

/**
 * AWS's Auto Scaling tutorial's reference: an internet-facing ALB in two public subnets in two
 * AZs (IGW route), its SG open on 80 to the internet, an Auto Scaling group
 * (HealthCheckType ELB) of two instances in private subnets whose SG allows
 * 80 only from the ALB's SG (by group id), a target group HTTP:80 with health
 * check `/` on the traffic port, both targets healthy, default ACL allowing
 * all, deregistration delay 300 s, stickiness off.
 */
export function healthyAlb(): AwsScenario {
  return network()
    .securityGroup({
      id: ids.sg.alb,
      name: "web-alb-sg",
      description: "web-alb: HTTP from the internet",
      ingress: [{ port: 80, cidrs: ["0.0.0.0/0"], description: "HTTP from anywhere" }],
    })
    .securityGroup({
      id: ids.sg.web,
      name: "web-instance-sg",
      description: "web instances: HTTP from the load balancer only",
      ingress: [{ port: 80, groups: [ids.sg.alb], description: "HTTP from web-alb" }],
    })
    .instance({
      id: ids.instance.web1,
      name: "web-1",
      subnet: ids.subnet.privateA,
      ip: IP.web1,
      az: "us-east-1a",
      sgs: [ids.sg.web],
      asg: ids.asg,
    })
    .instance({
      id: ids.instance.web2,
      name: "web-2",
      subnet: ids.subnet.privateB,
      ip: IP.web2,
      az: "us-east-1b",
      sgs: [ids.sg.web],
      asg: ids.asg,
    })
    .loadBalancer({
      name: "web-alb",
      subnets: [
        { id: ids.subnet.publicA, az: "us-east-1a" },
        { id: ids.subnet.publicB, az: "us-east-1b" },
      ],
      sgs: [ids.sg.alb],
    })
    .targetGroup({ name: "web-tg", protocol: "HTTP", port: 80 })
    .listener({ lb: ids.lb.alb, port: 80, protocol: "HTTP", forward: ids.tg.web })
    .target(ids.tg.web, { id: ids.instance.web1, az: "us-east-1a" })
    .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b" })
    .asg({
      name: ids.asg,
      tgs: [ids.tg.web],
      instances: [
        { id: ids.instance.web1, az: "us-east-1a" },
        { id: ids.instance.web2, az: "us-east-1b" },
      ],
      subnets: [ids.subnet.privateA, ids.subnet.privateB],
    });
}

/**
 * An internet-facing NLB without security groups (TCP:80) in the same two
 * public subnets, in front of two instances in the private subnets: instance
 * targets keep the client IP, so their SG allows 80 from anywhere (clients and
 * the health checks from the NLB's nodes alike).
 */
export function healthyNlb(): AwsScenario {
  return network()
    .securityGroup({
      id: ids.sg.nlbApp,
      name: "app-nlb-targets",
      description: "app instances behind app-nlb: clients keep their IP",
      ingress: [{ port: 80, cidrs: ["0.0.0.0/0"], description: "TCP 80 from clients and app-nlb health checks" }],
    })
    .instance({ id: ids.instance.web1, name: "app-1", subnet: ids.subnet.privateA, ip: IP.web1, az: "us-east-1a", sgs: [ids.sg.nlbApp] })
    .instance({ id: ids.instance.web2, name: "app-2", subnet: ids.subnet.privateB, ip: IP.web2, az: "us-east-1b", sgs: [ids.sg.nlbApp] })
    .loadBalancer({
      name: "app-nlb",
      type: "network",
      subnets: [
        { id: ids.subnet.publicA, az: "us-east-1a" },
        { id: ids.subnet.publicB, az: "us-east-1b" },
      ],
    })
    .targetGroup({ name: "app-tg", protocol: "TCP", port: 80, lbType: "network" })
    .listener({ lb: ids.lb.nlb, port: 80, protocol: "TCP", forward: ids.tg.app })
    .target(ids.tg.app, { id: ids.instance.web1, az: "us-east-1a" })
    .target(ids.tg.app, { id: ids.instance.web2, az: "us-east-1b" });
}

/** The EKS scenario's names: a cluster `prod`, the Service `shop/web` (port 80, NodePort 31080, healthCheckNodePort 32012). */
export const eks = {
  cluster: "prod",
  namespace: "shop",
  service: "web",
  nodePort: 31080,
  healthCheckNodePort: 32012,
  lb: lbArn("k8s-shop-web-0a1b2c3d4e", "network"),
  tg: tgArn("k8s-shop-web-5f6a7b8c9d"),
  sg: awsId("sg", "eks-nodes"),
};

/**
 * An EKS Service `shop/web` of type LoadBalancer with `externalTrafficPolicy: Local`, exposed by the AWS Load
 * Balancer Controller as an internet-facing NLB with instance targets (the two worker nodes, on the NodePort).
 * As the controller does for Local, the target group health-checks HTTP `/healthz` on the Service's
 * healthCheckNodePort, where kube-proxy answers 200 on a node with a ready pod of the Service and 503 elsewhere.
 * The pod runs on node-a only: node-b fails its check by design. Controller tags on the NLB and the target group.
 */
export function eksEtpLocal(): AwsScenario {
  return network()
    .securityGroup({
      id: eks.sg,
      name: "eks-cluster-prod-node",
      description: "EKS worker nodes of prod",
      ingress: [
        { from: 30000, to: 32767, cidrs: ["0.0.0.0/0"], description: "NodePorts: NLB clients (client IP preserved) and health checks" },
      ],
    })
    .instance({ id: ids.instance.web1, name: "node-a", subnet: ids.subnet.privateA, ip: IP.web1, az: "us-east-1a", sgs: [eks.sg] })
    .instance({ id: ids.instance.web2, name: "node-b", subnet: ids.subnet.privateB, ip: IP.web2, az: "us-east-1b", sgs: [eks.sg] })
    .loadBalancer({
      name: "k8s-shop-web-0a1b2c3d4e",
      type: "network",
      subnets: [
        { id: ids.subnet.publicA, az: "us-east-1a" },
        { id: ids.subnet.publicB, az: "us-east-1b" },
      ],
    })
    .targetGroup({
      name: "k8s-shop-web-5f6a7b8c9d",
      protocol: "TCP",
      port: eks.nodePort,
      lbType: "network",
      healthCheck: {
        HealthCheckProtocol: "HTTP",
        HealthCheckPort: String(eks.healthCheckNodePort),
        HealthCheckPath: "/healthz",
        Matcher: { HttpCode: "200-399" },
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 6,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      },
    })
    .listener({ lb: eks.lb, port: 80, protocol: "TCP", forward: eks.tg })
    .target(eks.tg, { id: ids.instance.web1, az: "us-east-1a" })
    .target(eks.tg, {
      id: ids.instance.web2,
      az: "us-east-1b",
      state: "unhealthy",
      reason: "Target.ResponseCodeMismatch",
      description: "Health checks failed with these codes: [503]",
    })
    .elbTags(eks.lb, {
      "elbv2.k8s.aws/cluster": eks.cluster,
      "service.k8s.aws/stack": `${eks.namespace}/${eks.service}`,
      "service.k8s.aws/resource": "LoadBalancer",
    })
    .elbTags(eks.tg, {
      "elbv2.k8s.aws/cluster": eks.cluster,
      "service.k8s.aws/stack": `${eks.namespace}/${eks.service}`,
      "service.k8s.aws/resource": `${eks.namespace}/${eks.service}:80`,
    });
}

/** The VPC's IPv6 space (a /56 from Amazon's pool), one /64 per subnet, and an IPv6 address on each instance's interface. */
export const V6 = {
  vpc: "2600:1f18:4a1:2100::/56",
  subnet: {
    [ids.subnet.publicA]: "2600:1f18:4a1:2101::/64",
    [ids.subnet.publicB]: "2600:1f18:4a1:2102::/64",
    [ids.subnet.privateA]: "2600:1f18:4a1:2111::/64",
    [ids.subnet.privateB]: "2600:1f18:4a1:2112::/64",
  } as Record<string, string>,
  web1: "2600:1f18:4a1:2111::10",
  web2: "2600:1f18:4a1:2112::10",
};

/**
 * `b` made dualstack: IPv6 CIDRs on the subnets, an IPv6 address on each instance, the load balancer `lb` dualstack, and an
 * IPv6 target group `name` (IpAddressType ipv6, IP targets: the instances' IPv6 addresses) that `lb` forwards `port` to.
 */
export const withIpv6TargetGroup = (
  b: AwsScenario,
  lb: string,
  spec: { name: string; protocol: string; port: number; lbType?: "application" | "network" },
) =>
  b
    .edit((s) => {
      for (const sub of s.ec2?.Subnets ?? []) {
        const cidr = V6.subnet[String(sub.SubnetId)];
        if (cidr)
          sub.Ipv6CidrBlockAssociationSet = [
            { AssociationId: `subnet-cidr-assoc-${cidr.slice(15, 19)}`, Ipv6CidrBlock: cidr, Ipv6CidrBlockState: { State: "associated" } },
          ];
      }
      for (const inst of s.ec2?.Instances ?? []) {
        const ip = inst.InstanceId === ids.instance.web1 ? V6.web1 : inst.InstanceId === ids.instance.web2 ? V6.web2 : undefined;
        const eni = (inst.NetworkInterfaces as Array<Record<string, unknown>> | undefined)?.[0];
        if (ip && eni) eni.Ipv6Addresses = [{ Ipv6Address: ip, IsPrimaryIpv6: true }];
      }
    })
    .editLb(lb, (x) => {
      x.IpAddressType = "dualstack";
    })
    .targetGroup({ ...spec, targetType: "ip" })
    .editTargetGroup(tgArn(spec.name), { IpAddressType: "ipv6" })
    .listener({ lb, port: 8080, protocol: spec.lbType === "network" ? "TCP" : "HTTP", forward: tgArn(spec.name) })
    .target(tgArn(spec.name), { id: V6.web1, az: "us-east-1a" })
    .target(tgArn(spec.name), { id: V6.web2, az: "us-east-1b" });

/** healthyAlb behind an internet-facing NLB without security groups (target type alb, TCP 80) */
export const albBehindNlb = (): AwsScenario =>
  healthyAlb()
    .loadBalancer({
      name: "front-nlb",
      type: "network",
      subnets: [
        { id: ids.subnet.publicA, az: "us-east-1a" },
        { id: ids.subnet.publicB, az: "us-east-1b" },
      ],
    })
    .targetGroup({ name: "alb-tg", protocol: "TCP", port: 80, targetType: "alb", lbType: "network" })
    .listener({ lb: lbArn("front-nlb", "network"), port: 80, protocol: "TCP", forward: tgArn("alb-tg") })
    .target(tgArn("alb-tg"), { id: ids.lb.alb });

/**
 * `b` with a rule on the listener of `lb` on `port`, evaluated before its default rule: the clients of one IP address type
 * (an NLB's `source-ip` condition, `SourceIpConfig.IpAddressType`) forwarded to target group `forward` (an ARN).
 */
export const withSourceIpRule = (
  b: AwsScenario,
  lb: string,
  port: number,
  spec: { priority: number; ipAddressType: "ipv4" | "ipv6"; forward: string },
) =>
  b.edit((s) => {
    const arn = listenerArn(lb, port);
    const rules = (s.elbv2.Rules ??= {}) as Record<string, unknown[]>;
    rules[arn] = [
      {
        RuleArn: `${arn.replace(":listener/", ":listener-rule/")}/${hex(`rule/${arn}/${spec.priority}`, 16)}`,
        Priority: String(spec.priority),
        Conditions: [{ Field: "source-ip", SourceIpConfig: { IpAddressType: spec.ipAddressType } }],
        Actions: [{ Type: "forward", TargetGroupArn: spec.forward, Order: 1 }],
        IsDefault: false,
      },
      ...(rules[arn] ?? []),
    ];
  });

/**
 * `b` with an ALB-style rule on the listener of `lb` on `port`, evaluated before its default rule: a `source-ip`
 * condition on CIDR `values` (`SourceIpConfig.Values`), answered with a fixed response of status `fixed`, or forwarded to
 * target group `forward` (an ARN). `defaultFixed`: the listener's default action (its DefaultActions and its default
 * rule) answers with a fixed response of that status instead of forwarding.
 */
export const withSourceCidrRule = (
  b: AwsScenario,
  lb: string,
  port: number,
  spec: { priority: number; values: string[]; fixed?: string; forward?: string; defaultFixed?: string },
) =>
  b.edit((s) => {
    const arn = listenerArn(lb, port);
    const rules = (s.elbv2.Rules ??= {}) as Record<string, Array<Record<string, unknown>>>;
    const fixed = (code: string) => ({
      Type: "fixed-response",
      FixedResponseConfig: { StatusCode: code, ContentType: "text/plain" },
      Order: 1,
    });
    if (spec.defaultFixed !== undefined) {
      const action = fixed(spec.defaultFixed);
      for (const r of rules[arn] ?? []) if (r.IsDefault === true) r.Actions = [action];
      const listener = (s.elbv2.Listeners as Array<Record<string, unknown>>).find((l) => l.ListenerArn === arn);
      if (listener) listener.DefaultActions = [action];
    }
    rules[arn] = [
      {
        RuleArn: `${arn.replace(":listener/", ":listener-rule/")}/${hex(`rule/${arn}/${spec.priority}`, 16)}`,
        Priority: String(spec.priority),
        Conditions: [{ Field: "source-ip", SourceIpConfig: { Values: spec.values } }],
        Actions: spec.forward !== undefined ? [{ Type: "forward", TargetGroupArn: spec.forward, Order: 1 }] : [fixed(spec.fixed ?? "403")],
        IsDefault: false,
      },
      ...(rules[arn] ?? []),
    ];
  });
