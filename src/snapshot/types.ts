/** The wire types of `lbdoctor.snapshot/v1`. See docs/snapshot.md. */
export const SNAPSHOT_SCHEMA = "lbdoctor.snapshot/v1";

export interface Gap {
  /** The API operation that failed, e.g. `networkInterfaces.listEffectiveNetworkSecurityGroups`. */
  operation: string;
  resourceId?: string;
  status?: number;
  code?: string;
  message: string;
}

/** An ARM resource exactly as the REST API returns it. */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  etag?: string;
  tags?: Record<string, string>;
  sku?: { name?: string; tier?: string; [k: string]: unknown };
  zones?: string[];
  properties?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface RuleHealthBody {
  up?: number;
  down?: number;
  loadBalancerBackendAddresses?: Array<{
    ipAddress?: string;
    networkInterfaceIPConfigurationId?: string;
    state?: string;
    reason?: string;
  }>;
}

export interface EffectiveSecurityRuleWire {
  name?: string;
  protocol?: string;
  sourcePortRange?: string;
  destinationPortRange?: string;
  sourcePortRanges?: string[];
  destinationPortRanges?: string[];
  sourceAddressPrefix?: string;
  destinationAddressPrefix?: string;
  sourceAddressPrefixes?: string[];
  destinationAddressPrefixes?: string[];
  expandedSourceAddressPrefix?: string[];
  expandedDestinationAddressPrefix?: string[];
  access?: string;
  priority?: number;
  direction?: string;
}

export interface EffectiveNsgBody {
  value: Array<{
    networkSecurityGroup?: { id: string };
    association?: { subnet?: { id: string }; networkInterface?: { id: string } };
    effectiveSecurityRules?: EffectiveSecurityRuleWire[];
    tagMap?: Record<string, string[]>;
  }>;
}

export interface GuestObservation {
  listening?: Array<{ protocol: "tcp" | "udp"; port: number; address?: string }>;
  connections?: Array<{ remote: string; local?: string; state?: string }>;
}

export interface AzureSnapshot {
  schema: typeof SNAPSHOT_SCHEMA;
  provider: "azure";
  collectedAt: string;
  tool?: { name?: string; version?: string };
  redacted?: boolean;
  description?: string;
  scope: { subscriptionId?: string; resourceGroup?: string; [k: string]: unknown };
  resources: ArmResource[];
  observations?: {
    ruleHealth?: Record<string, RuleHealthBody>;
    effectiveNetworkSecurityGroups?: Record<string, EffectiveNsgBody>;
    guest?: Record<string, GuestObservation>;
  };
  gaps?: Gap[];
}

/**
 * AWS data kept in the APIs' own shapes: the same JSON `aws … --output json`
 * prints (PascalCase, as the SDK v3 returns it; dates as ISO strings).
 * Maps are keyed by ARN.
 */
export interface AwsElbv2Data {
  /** DescribeLoadBalancers .LoadBalancers */
  LoadBalancers: Array<Record<string, unknown>>;
  /** DescribeLoadBalancerAttributes .Attributes, by load balancer ARN */
  LoadBalancerAttributes?: Record<string, Array<{ Key?: string; Value?: string }>>;
  /** DescribeListeners .Listeners, for every load balancer */
  Listeners?: Array<Record<string, unknown>>;
  /** DescribeRules .Rules, by listener ARN */
  Rules?: Record<string, Array<Record<string, unknown>>>;
  /** DescribeTargetGroups .TargetGroups */
  TargetGroups?: Array<Record<string, unknown>>;
  /** DescribeTargetGroupAttributes .Attributes, by target group ARN */
  TargetGroupAttributes?: Record<string, Array<{ Key?: string; Value?: string }>>;
  /** DescribeTargetHealth .TargetHealthDescriptions, by target group ARN */
  TargetHealth?: Record<string, Array<Record<string, unknown>>>;
}

export interface AwsEc2Data {
  /** DescribeSecurityGroups .SecurityGroups */
  SecurityGroups?: Array<Record<string, unknown>>;
  /** DescribeInstances .Reservations[].Instances[], flattened */
  Instances?: Array<Record<string, unknown>>;
  /** DescribeSubnets .Subnets */
  Subnets?: Array<Record<string, unknown>>;
  /** DescribeNetworkAcls .NetworkAcls */
  NetworkAcls?: Array<Record<string, unknown>>;
  /** DescribeRouteTables .RouteTables */
  RouteTables?: Array<Record<string, unknown>>;
}

export interface AwsSnapshot {
  schema: typeof SNAPSHOT_SCHEMA;
  provider: "aws";
  collectedAt: string;
  tool?: { name?: string; version?: string };
  redacted?: boolean;
  description?: string;
  scope: { region?: string; loadBalancers?: string[]; [k: string]: unknown };
  elbv2: AwsElbv2Data;
  ec2?: AwsEc2Data;
  /** DescribeAutoScalingGroups .AutoScalingGroups */
  autoscaling?: { AutoScalingGroups?: Array<Record<string, unknown>> };
  /** what the opt-in in-instance check saw, by instance id (same shape as Azure's guest observation) */
  observations?: { guest?: Record<string, GuestObservation> };
  gaps?: Gap[];
}

export type Snapshot = AzureSnapshot | AwsSnapshot;
