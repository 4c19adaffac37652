/** The wire types of an AWS `lbdoctor.snapshot/v1`. See docs/snapshot.md. */
import type { Gap, GuestObservation, SNAPSHOT_SCHEMA } from "../../core/snapshot/types.ts";

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
  /** DescribeTags .TagDescriptions[].Tags, by load balancer or target group ARN (Kubernetes controllers tag what they own) */
  Tags?: Record<string, Array<{ Key?: string; Value?: string }>>;
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
  observations?: {
    guest?: Record<string, GuestObservation>;
    /** the time window the time data covers */
    window?: { from: string; until: string };
    /** GetMetricData per load balancer ARN: the request's MetricDataQueries and the MetricDataResults (timestamps as ISO strings) */
    cloudwatch?: Record<
      string,
      { MetricDataQueries?: Array<Record<string, unknown>>; MetricDataResults?: Array<Record<string, unknown>>; Messages?: unknown[] }
    >;
    /** LookupEvents output (Events) for the resources in scope */
    cloudtrail?: { Events?: Array<Record<string, unknown>> };
  };
  gaps?: Gap[];
}

/** Narrows a snapshot of any provider to an AWS one. */
export function isAwsSnapshot(s: { provider: string }): s is AwsSnapshot {
  return s.provider === "aws";
}
