/**
 * Named AWS scenarios written to fixtures/aws/<name>.json by scripts/gen.ts,
 * beside the one-per-rule fixtures (each rule's first invalid case).
 */
import type { AwsSnapshot } from "../../src/providers/aws/wire-types.ts";
import { eks, eksEtpLocal, healthyAlb, healthyNlb, ids } from "./aws-builder.ts";
import { sgRevokeIncident } from "./time-scenarios.ts";

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
    {
      name: "eks-etp-local-healthy",
      description:
        "EKS: the Service shop/web (type LoadBalancer, externalTrafficPolicy Local) behind an NLB the AWS Load Balancer Controller " +
        "created (instance targets: the two worker nodes on NodePort 31080). The target group health-checks HTTP /healthz on the " +
        "Service's healthCheckNodePort 32012; the only pod runs on node-a, so node-b answers 503 and is unhealthy by design. " +
        "Healthy: no failure above low.",
      snapshot: eksEtpLocal().build(),
    },
    {
      name: "eks-etp-local-no-endpoints",
      description:
        "EKS incident: the same Service after a bad rollout left no ready pod anywhere: kube-proxy answers 503 on both nodes, every " +
        "target is unhealthy, and the NLB has nowhere healthy to send traffic. The fix is in the cluster (the pods), not the load balancer.",
      snapshot: eksEtpLocal()
        .target(eks.tg, {
          id: ids.instance.web1,
          az: "us-east-1a",
          state: "unhealthy",
          reason: "Target.ResponseCodeMismatch",
          description: "Health checks failed with these codes: [503]",
        })
        .build(),
    },
    {
      name: "sg-revoke-targets-unhealthy",
      description:
        "Post-incident: at 03:10 bob revoked the ingress rule of the web instances' security group that allowed HTTP from the ALB's security " +
        "group. From 03:12 web-tg had no healthy host in either zone and the ALB answered 5xx. The window 02:30–04:00 UTC holds CloudWatch " +
        "target health and 5xx counts and the CloudTrail events for the resources in scope.",
      snapshot: sgRevokeIncident(),
    },
  ];
}
