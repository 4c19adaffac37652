/**
 * Time scenarios shared by the time rules' case tables and the bundled
 * fixtures: the reference web architecture with a 90-minute window
 * (02:30–04:00 UTC) of metrics, changes and Activity Log events.
 */

import { dimensionOf } from "../../src/providers/aws/model/time.ts";
import type { AwsSnapshot } from "../../src/providers/aws/wire-types.ts";
import type { AzureSnapshot } from "../../src/providers/azure/wire-types.ts";
import { ids as awsIds, healthyAlb } from "./aws-builder.ts";
import { healthyWeb, ids, WEB_LB, WEB_NSG } from "./azure-builder.ts";
import {
  type AzureMetricsSpec,
  azureMetricBodies,
  type ChangeSpec,
  type CwSeries,
  cloudtrailEvent,
  cloudwatchData,
  nsgRuleInserted,
  upDown,
  withAwsTime,
  withAzureTime,
} from "./time-builder.ts";

export const T0 = "2026-03-14T02:30:00Z";
export const T_END = "2026-03-14T04:00:00Z";
export const WINDOW = { from: T0, until: T_END };
/** minutes in the window */
export const N = 90;

/** `U` for `a` minutes, then `D` for the rest (a drop at minute a). */
export const dropAt = (a: number) => "U".repeat(a) + "D".repeat(N - a);
export const steady = () => "U".repeat(N);
const flat = (v: number) => Array.from({ length: N }, () => v);

export const NSG_CHANGE: ChangeSpec = {
  target: ids.nsg(WEB_NSG),
  time: "2026-03-14T03:10:04Z",
  who: "alice@contoso.com",
  correlationId: "5f1c2a9e-7d1b-4c3e-9a0f-3b2d1e4f5a6b",
  operation: "microsoft.network/networksecuritygroups/securityrules/write",
  changes: nsgRuleInserted(ids.nsg(WEB_NSG), 2, {
    name: "deny-lb-probe",
    priority: 200,
    access: "Deny",
    source: "AzureLoadBalancer",
    ports: "80",
  }),
};

export interface WebTimeOptions {
  dip?: { vm1: string; vm2: string };
  metrics?: Partial<AzureMetricsSpec>;
  changes?: ChangeSpec[];
  activity?: Parameters<typeof withAzureTime>[1]["activity"];
  /** the NSG rule the change added is in the current configuration, probes Down */
  broken?: boolean;
}

/** The web architecture with time data; by default steady and healthy, no changes. */
export function webWithTime(o: WebTimeOptions = {}): AzureSnapshot {
  let s = healthyWeb();
  if (o.broken) {
    s = s
      .nsgRule(WEB_NSG, { name: "deny-lb-probe", priority: 200, access: "Deny", source: "AzureLoadBalancer", ports: "80" })
      .ruleHealth(WEB_LB, "rule-http", [
        { vm: "vm1", state: "Down", reason: "Down_Probe_HttpEndpointUnreachable" },
        { vm: "vm2", state: "Down", reason: "Down_Probe_HttpEndpointUnreachable" },
      ]);
  }
  const dip = o.dip ?? { vm1: steady(), vm2: steady() };
  const snap = s.build("2026-03-14T04:00:00Z");
  return withAzureTime(snap, {
    window: WINDOW,
    metrics: {
      [ids.lb(WEB_LB)]: azureMetricBodies(ids.lb(WEB_LB), {
        from: T0,
        dip: { "10.0.0.4": upDown(dip.vm1), "10.0.0.5": upDown(dip.vm2) },
        used: { "10.0.0.4": flat(180), "10.0.0.5": flat(210) },
        allocated: { "10.0.0.4": flat(1024), "10.0.0.5": flat(1024) },
        failed: { "10.0.0.4": flat(0), "10.0.0.5": flat(0) },
        succeeded: { "10.0.0.4": flat(40), "10.0.0.5": flat(37) },
        vip: flat(100),
        ...o.metrics,
      }),
    },
    changes: o.changes ?? [],
    activity: o.activity ?? [],
  });
}

/** The post-incident scenario: an NSG rule denying the probe added at 03:10, both members down from 03:12. */
export function nsgChangeIncident(): AzureSnapshot {
  return webWithTime({
    broken: true,
    dip: { vm1: dropAt(42), vm2: dropAt(42) },
    changes: [
      {
        target: ids.publicIp("pip-lb-web"),
        time: "2026-03-14T02:41:30Z",
        who: "bob@contoso.com",
        correlationId: "0b6e1f7a-1111-4c3e-9a0f-000000000001",
        changes: { "tags.costCenter": { before: "web", after: "web-prod" } },
      },
      NSG_CHANGE,
      {
        target: ids.nsg(WEB_NSG),
        time: "2026-03-14T03:10:09Z",
        who: "alice@contoso.com",
        changes: { "properties.provisioningState": { before: "Updating", after: "Succeeded", category: "System" } },
      },
    ],
    activity: [
      {
        resourceId: `${ids.nsg(WEB_NSG)}/securityRules/deny-lb-probe`,
        time: "2026-03-14T03:10:04Z",
        operation: "Microsoft.Network/networkSecurityGroups/securityRules/write",
        caller: "alice@contoso.com",
        correlationId: NSG_CHANGE.correlationId as string,
      },
      {
        resourceId: ids.vm("vm2"),
        time: "2026-03-14T03:25:00Z",
        operation: "Microsoft.Compute/virtualMachines/restart/action",
        caller: "oncall@contoso.com",
        correlationId: "9c0d-restart",
      },
    ],
  });
}

// ---------------------------------------------------------------------------
// AWS: the Auto Scaling tutorial's ALB, with a window of CloudWatch and CloudTrail

export const AWS_T0 = "2026-03-14T02:30:00Z";

export interface AlbTimeOptions {
  /** HealthyHostCount per zone ("U": 1 healthy, "D": 0 healthy and 1 unhealthy) */
  zones?: { a: string; b: string };
  events?: Array<Record<string, unknown>>;
  /** the SG ingress from the ALB is gone, targets unhealthy (Target.Timeout) */
  broken?: boolean;
  elb5xx?: number[];
}

export function albWithTime(o: AlbTimeOptions = {}): AwsSnapshot {
  let b = healthyAlb();
  if (o.broken) b = b.setIngress(awsIds.sg.web, []).allTargets(awsIds.tg.web, "unhealthy", "Target.Timeout", "Request timed out");
  const s = b.build();
  s.collectedAt = "2026-03-14T04:00:00Z";
  const zones = o.zones ?? { a: steady(), b: steady() };
  const lb = dimensionOf(awsIds.lb.alb);
  const tg = dimensionOf(awsIds.tg.web);
  const count = (p: string, up: boolean) => [...p].map((c) => ((c === "U") === up ? 1 : 0));
  const series: CwSeries[] = [];
  for (const [az, p] of [
    ["us-east-1a", zones.a],
    ["us-east-1b", zones.b],
  ] as const) {
    series.push({
      metric: "HealthyHostCount",
      stat: "Minimum",
      dims: { TargetGroup: tg, LoadBalancer: lb, AvailabilityZone: az },
      values: count(p, true),
    });
    series.push({
      metric: "UnHealthyHostCount",
      stat: "Maximum",
      dims: { TargetGroup: tg, LoadBalancer: lb, AvailabilityZone: az },
      values: count(p, false),
    });
  }
  series.push({
    metric: "HTTPCode_ELB_5XX_Count",
    stat: "Sum",
    dims: { LoadBalancer: lb },
    values: o.elb5xx ?? Array.from({ length: N }, () => 0),
  });
  series.push({
    metric: "HTTPCode_Target_5XX_Count",
    stat: "Sum",
    dims: { TargetGroup: tg, LoadBalancer: lb },
    values: Array.from({ length: N }, () => 0),
  });
  return withAwsTime(s, {
    window: { from: AWS_T0, until: T_END },
    cloudwatch: { [awsIds.lb.alb]: cloudwatchData(AWS_T0, "AWS/ApplicationELB", series) },
    events: o.events ?? [],
  });
}

export const SG_REVOKE = (time = "2026-03-14T03:10:04Z") =>
  cloudtrailEvent({
    name: "RevokeSecurityGroupIngress",
    time,
    user: "bob",
    resources: [{ type: "AWS::EC2::SecurityGroup", name: awsIds.sg.web }],
    request: {
      groupId: awsIds.sg.web,
      ipPermissions: { items: [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, groups: { items: [{ groupId: awsIds.sg.alb }] } }] },
    },
  });

/** An SG ingress rule revoked at 03:10, both zones unhealthy from 03:12, 5xx from the ALB after. */
export function sgRevokeIncident(): AwsSnapshot {
  return albWithTime({
    broken: true,
    zones: { a: dropAt(42), b: dropAt(42) },
    elb5xx: [...Array.from({ length: 42 }, () => 0), ...Array.from({ length: N - 42 }, () => 37)],
    events: [
      cloudtrailEvent({
        name: "ModifyTargetGroupAttributes",
        time: "2026-03-14T02:44:00Z",
        user: "carol",
        source: "elasticloadbalancing.amazonaws.com",
        resources: [{ type: "AWS::ElasticLoadBalancingV2::TargetGroup", name: awsIds.tg.web }],
        request: { targetGroupArn: awsIds.tg.web, attributes: [{ key: "deregistration_delay.timeout_seconds", value: "60" }] },
      }),
      SG_REVOKE(),
    ],
  });
}
