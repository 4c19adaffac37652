/**
 * Named AWS scenarios written to fixtures/aws/<name>.json by scripts/gen.ts,
 * beside the one-per-rule fixtures (each rule's first invalid case).
 */
import type { AwsSnapshot } from "../../src/providers/aws/wire-types.ts";
import { healthyAlb, healthyNlb } from "./aws-builder.ts";

export interface AwsScenarioFixture {
  name: string;
  description: string;
  snapshot: AwsSnapshot;
}

export function awsScenarios(): AwsScenarioFixture[] {
  return [
    {
      name: "healthy-alb",
      description:
        "AWS's Auto Scaling tutorial's architecture, healthy: an internet-facing ALB in two public subnets in two AZs, an Auto Scaling group " +
        "(health check type ELB) of two instances in private subnets whose security group allows HTTP only from the ALB's security group, " +
        "target group HTTP:80 with health check `/`, both targets healthy, default network ACL, deregistration delay 300 s, stickiness off.",
      snapshot: healthyAlb().build(),
    },
    {
      name: "healthy-nlb",
      description:
        "An internet-facing NLB without security groups (TCP:80) in two public subnets, two instance targets in private subnets; client IP " +
        "preservation is on (instance targets), so the targets' security group allows TCP 80 from anywhere. Both targets healthy.",
      snapshot: healthyNlb().build(),
    },
  ];
}
