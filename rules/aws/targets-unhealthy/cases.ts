import { awsId, eks, eksEtpLocal, healthyAlb, healthyNlb, ids, tgArn, VPC_CIDR } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const DEBUG_SG = awsId("sg", "web-debug");
const APP_ACL = awsId("acl", "private-app");
const OFFICE = "198.51.100.0/24";
const TIMEOUT = { state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" };

export const cases: RuleCases = {
  valid: [
    { name: "tutorial reference: both targets healthy", snapshot: healthyAlb().build() },
    { name: "NLB: both targets healthy", snapshot: healthyNlb().build() },
    {
      name: "one target draining during a deployment, the other healthy",
      snapshot: healthyAlb()
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "draining", reason: "Target.DeregistrationInProgress" })
        .build(),
    },
    {
      name: "EKS, externalTrafficPolicy Local: a node without a ready pod answers 503 on the healthCheckNodePort by design",
      snapshot: eksEtpLocal().build(),
    },
  ],
  invalid: [
    {
      name: "a new launch template version gave web-2 only a debug security group: its health checks time out (Target.Timeout)",
      snapshot: healthyAlb()
        .securityGroup({ id: DEBUG_SG, name: "web-debug", ingress: [{ port: 22, cidrs: [OFFICE], description: "SSH from the office" }] })
        .instanceGroups(ids.instance.web2, [DEBUG_SG])
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", ...TIMEOUT })
        .describe(
          "Incident: web-asg's launch template v7 replaced web-instance-sg with web-debug (SSH from the office only). The instance it " +
            "launched, web-2, is unhealthy with Target.Timeout: web-alb's health checks on port 80 are dropped by its security group, and " +
            "web-1 carries all the traffic.",
        )
        .build(),
      errors: [{ messageId: "timeoutBlocked", resourceId: ids.instance.web2, severity: "high" }],
    },
    {
      name: "Target.Timeout on both targets caused by a custom network ACL that drops the replies on ephemeral ports",
      snapshot: healthyAlb()
        .nacl({
          id: APP_ACL,
          name: "private-app-acl",
          subnets: [ids.subnet.privateA, ids.subnet.privateB],
          entries: [
            { rule: 100, protocol: "tcp", cidr: VPC_CIDR, ports: [80, 80] },
            { rule: 100, egress: true, protocol: "tcp", cidr: "0.0.0.0/0", ports: [443, 443] },
          ],
        })
        .allTargets(ids.tg.web, "unhealthy", "Target.Timeout", "Request timed out")
        .build(),
      errors: [
        { messageId: "timeoutBlocked", resourceId: ids.instance.web1, severity: "critical" },
        { messageId: "timeoutBlocked", resourceId: ids.instance.web2, severity: "critical" },
      ],
    },
    {
      name: "Target.Timeout on both targets, nothing blocks the path, the guest check shows nginx bound to 127.0.0.1 (critical)",
      snapshot: healthyAlb()
        .allTargets(ids.tg.web, "unhealthy", "Target.Timeout", "Request timed out")
        .guest(ids.instance.web1, { listening: [{ protocol: "tcp", port: 80, address: "127.0.0.1" }] })
        .guest(ids.instance.web2, { listening: [{ protocol: "tcp", port: 80, address: "127.0.0.1" }] })
        .build(),
      errors: [
        { messageId: "timeoutOpen", resourceId: ids.instance.web1, severity: "critical" },
        { messageId: "timeoutOpen", resourceId: ids.instance.web2, severity: "critical" },
      ],
    },
    {
      name: "Target.Timeout on web-1, nothing blocks the path, no guest data: not listening, host firewall or overload",
      snapshot: healthyAlb()
        .target(ids.tg.web, { id: ids.instance.web1, az: "us-east-1a", ...TIMEOUT })
        .build(),
      errors: [{ messageId: "timeoutOpen", resourceId: ids.instance.web1 }],
    },
    {
      name: "Target.Timeout while the only rule on port 80 allows a prefix list: the block cannot be decided",
      snapshot: healthyAlb()
        .setIngress(ids.sg.web, [{ port: 80, prefixLists: ["pl-0a1b2c3d4e5f60718"] }])
        .target(ids.tg.web, { id: ids.instance.web1, az: "us-east-1a", ...TIMEOUT })
        .build(),
      errors: [{ messageId: "timeoutUndecided", resourceId: ids.instance.web1 }],
    },
    {
      name: "Target.ResponseCodeMismatch: the health-check path answers 404",
      snapshot: healthyAlb()
        .editTargetGroup(ids.tg.web, { HealthCheckPath: "/health" })
        .target(ids.tg.web, {
          id: ids.instance.web1,
          az: "us-east-1a",
          state: "unhealthy",
          reason: "Target.ResponseCodeMismatch",
          description: "Health checks failed with these codes: [404]",
        })
        .build(),
      errors: [{ messageId: "unhealthy", resourceId: ids.instance.web1 }],
    },
    {
      name: "Target.InvalidState: web-2 is stopped",
      snapshot: healthyAlb()
        .instanceState(ids.instance.web2, "stopped")
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "unused", reason: "Target.InvalidState" })
        .build(),
      errors: [{ messageId: "unused", resourceId: ids.instance.web2 }],
    },
    {
      name: "Target.FailedHealthChecks on the NLB: connection refused, the guest check shows nothing on port 80",
      snapshot: healthyNlb()
        .target(ids.tg.app, {
          id: ids.instance.web2,
          az: "us-east-1b",
          state: "unhealthy",
          reason: "Target.FailedHealthChecks",
          description: "Health checks failed",
        })
        .guest(ids.instance.web2, { listening: [{ protocol: "tcp", port: 22 }] })
        .build(),
      errors: [{ messageId: "unhealthy", resourceId: ids.instance.web2 }],
    },
    {
      name: "Target.NotRegistered (medium) and Elb.InternalError",
      snapshot: healthyAlb()
        .target(ids.tg.web, { id: ids.instance.web1, az: "us-east-1a", state: "unused", reason: "Target.NotRegistered" })
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "unhealthy", reason: "Elb.InternalError" })
        .build(),
      errors: [
        { messageId: "unused", resourceId: ids.instance.web1, severity: "medium" },
        { messageId: "unhealthy", resourceId: ids.instance.web2 },
      ],
    },
    {
      name: "EKS, externalTrafficPolicy Local: no node runs a ready pod of the Service (one critical finding, fixed in the cluster)",
      snapshot: eksEtpLocal()
        .target(eks.tg, {
          id: ids.instance.web1,
          az: "us-east-1a",
          state: "unhealthy",
          reason: "Target.ResponseCodeMismatch",
          description: "Health checks failed with these codes: [503]",
        })
        .build(),
      errors: [{ messageId: "etpLocalNoEndpoints", severity: "critical", resourceId: eks.tg }],
    },
  ],
  unknown: [
    {
      name: "a new target still in initial health checking",
      snapshot: healthyAlb()
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "initial", reason: "Elb.InitialHealthChecking" })
        .build(),
      reason: "collect again",
    },
    {
      name: "the target health was not collected (DescribeTargetHealth throttled)",
      snapshot: healthyAlb()
        .edit((s) => {
          s.elbv2.TargetHealth = {};
        })
        .gap({ operation: "elbv2:DescribeTargetHealth", resourceId: ids.tg.web, status: 400, code: "Throttling", message: "Rate exceeded" })
        .build(),
      reason: "Throttling",
    },
    {
      name: "EKS-shaped target group (health check on a NodePort) whose tags could not be read: a failing node may fail by design",
      snapshot: eksEtpLocal()
        .edit((s) => {
          s.elbv2.Tags = {};
        })
        .gap({ operation: "elasticloadbalancing:DescribeTags", status: 403, code: "AccessDenied", message: "not authorized" })
        .build(),
      reason: "whether by design cannot be decided",
    },
    {
      name: "a health entry without a state",
      snapshot: healthyAlb()
        .edit((s) => {
          const list = s.elbv2.TargetHealth?.[ids.tg.web];
          if (list?.[0]) list[0].TargetHealth = {};
        })
        .build(),
      reason: "no state",
    },
  ],
  notApplicable: [
    {
      name: "a target group attached to no load balancer: its targets are unused by design",
      snapshot: healthyAlb()
        .edit((s) => {
          s.elbv2.Listeners = [];
          s.elbv2.Rules = {};
          for (const tg of s.elbv2.TargetGroups ?? []) tg.LoadBalancerArns = [];
        })
        .allTargets(ids.tg.web, "unused", "Target.NotInUse")
        .build(),
      messageId: "unattached",
    },
    {
      name: "the only target of a Lambda target group with health checks disabled",
      snapshot: healthyAlb()
        .targetGroup({ name: "fn-tg", protocol: "HTTP", port: 80, targetType: "lambda", healthCheck: { HealthCheckEnabled: false } })
        .edit((s) => {
          s.elbv2.Listeners = [];
          s.elbv2.Rules = {};
          s.elbv2.TargetGroups = (s.elbv2.TargetGroups ?? []).filter((t) => t.TargetGroupName === "fn-tg");
          const fn = s.elbv2.TargetGroups[0];
          if (fn) fn.LoadBalancerArns = [ids.lb.alb];
        })
        .target(tgArn("fn-tg"), {
          id: "arn:aws:lambda:us-east-1:123456789012:function:thumbnailer",
          state: "unavailable",
          reason: "Target.HealthCheckDisabled",
        })
        .build(),
    },
  ],
};
