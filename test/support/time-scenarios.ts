/**
 * Time scenarios shared by the time rules' case tables and the bundled
 * fixtures: the reference web architecture with a 90-minute window
 * (02:30–04:00 UTC) of metrics, changes and Activity Log events.
 */
import type { AzureSnapshot } from "../../src/providers/azure/wire-types.ts";
import { healthyWeb, ids, WEB_LB, WEB_NSG } from "./azure-builder.ts";
import { type AzureMetricsSpec, azureMetricBodies, type ChangeSpec, nsgRuleInserted, upDown, withAzureTime } from "./time-builder.ts";

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
