import type { AzureSnapshot, RuleHealthBody } from "../../../src/providers/azure/wire-types.ts";
import { aksCluster, aksIds, buildAks } from "../../../test/support/aks-scenarios.ts";
import { healthyInternal, healthyWeb, ids, P, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const RULE_HTTP = ids.rule(WEB_LB, "rule-http");

/** Rewrites the health body of a rule in a built snapshot. */
function withHealth(snap: AzureSnapshot, ruleId: string, fn: (b: RuleHealthBody) => RuleHealthBody | undefined): AzureSnapshot {
  const all = snap.observations?.ruleHealth ?? {};
  const body = fn(structuredClone(all[ruleId] ?? {}));
  if (body) all[ruleId] = body;
  else delete all[ruleId];
  return snap;
}

const addresses = (b: RuleHealthBody) => b.loadBalancerBackendAddresses ?? [];

export const cases: RuleCases = {
  valid: [
    {
      name: "AKS, externalTrafficPolicy Local: two nodes without a pod answer 503 by design while one is Up",
      snapshot: buildAks(aksCluster({ health: ["Up", "Down_Probe_HttpStatusCodeError", "Down_Probe_HttpStatusCodeError"] })),
    },
    { name: "reference architecture: both web VMs Up_Probe_Success", snapshot: healthyWeb().build() },
    { name: "internal LB: both app VMs Up", snapshot: healthyInternal().build() },
    {
      name: "Up_Probe_ApproachingUnhealthyThreshold and Up_Admin are still Up",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up", reason: "Up_Probe_ApproachingUnhealthyThreshold" },
          { vm: "vm2", state: "Up", reason: "Up_Admin" },
        ])
        .build(),
    },
    {
      name: "Up_Platform: Azure-side issue while the probe succeeds",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up", reason: "Up_Platform" },
          { vm: "vm2", state: "Up" },
        ])
        .build(),
    },
    {
      name: "addresses matched by ip configuration id in another casing, without an IP",
      snapshot: withHealth(healthyWeb().build(), RULE_HTTP, (b) => {
        for (const a of addresses(b)) {
          a.networkInterfaceIPConfigurationId = a.networkInterfaceIPConfigurationId
            ?.replace("/ipConfigurations/", "/IpConfigurations/")
            .toUpperCase();
          delete a.ipAddress;
        }
        return b;
      }),
    },
    {
      name: "addresses matched by IP only (no ip configuration id in the body)",
      snapshot: withHealth(healthyWeb().build(), RULE_HTTP, (b) => {
        for (const a of addresses(b)) delete a.networkInterfaceIPConfigurationId;
        return b;
      }),
    },
    {
      name: "a deallocated VM returns empty values: not a Down",
      snapshot: withHealth(healthyWeb().power("vm2", "deallocated").build(), RULE_HTTP, (b) => {
        const a = addresses(b)[1];
        if (a) Object.assign(a, { state: "", reason: "" });
        return { ...b, up: 1, down: 0 };
      }),
    },
  ],
  invalid: [
    {
      name: "vm2 answers the HTTP probe with 500: Down_Probe_HttpStatusCodeError",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up" },
          { vm: "vm2", state: "Down", reason: "Down_Probe_HttpStatusCodeError" },
        ])
        .build(),
      errors: [{ messageId: "down", resourceId: ids.nic("vm2-nic"), severity: "high" }],
    },
    {
      name: "AKS, externalTrafficPolicy Local: no node has a ready pod, every node answers 503",
      snapshot: buildAks(
        aksCluster({ health: ["Down_Probe_HttpStatusCodeError", "Down_Probe_HttpStatusCodeError", "Down_Probe_HttpStatusCodeError"] }),
      ),
      errors: [
        { messageId: "etpLocalNoEndpoints", resourceId: aksIds.nodeNic(0), severity: "high" },
        { messageId: "etpLocalNoEndpoints", resourceId: aksIds.nodeNic(1) },
        { messageId: "etpLocalNoEndpoints", resourceId: aksIds.nodeNic(2) },
      ],
    },
    {
      name: "both members time out (Down_Probe_TcpProbeTimeout)",
      snapshot: healthyInternal()
        .ruleHealth("lb-internal", "rule-app", [
          { vm: "app1", state: "Down", reason: "Down_Probe_TcpProbeTimeout" },
          { vm: "app2", state: "Down", reason: "Down_Probe_TcpProbeTimeout" },
        ])
        .build(),
      errors: [
        { messageId: "down", resourceId: ids.nic("app1-nic") },
        { messageId: "down", resourceId: ids.nic("app2-nic") },
      ],
    },
    {
      name: "admin state set to Down on vm1 (low: intentional, explained by azure/admin-state-down)",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Down", reason: "Down_Admin" },
          { vm: "vm2", state: "Up" },
        ])
        .build(),
      errors: [{ messageId: "down", resourceId: ids.nic("vm1-nic"), severity: "low" }],
    },
    {
      name: "Up_Probe_AllDownIsUp: the probe fails everywhere and traffic flows anyway",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up", reason: "Up_Probe_AllDownIsUp" },
          { vm: "vm2", state: "Up", reason: "Up_Probe_AllDownIsUp" },
        ])
        .build(),
      errors: [
        { messageId: "allDownIsUp", severity: "medium" },
        { messageId: "allDownIsUp", severity: "medium" },
      ],
    },
    {
      name: "a Down address that is no longer in the pool, next to an Up member",
      snapshot: withHealth(healthyWeb().build(), RULE_HTTP, (b) => {
        b.loadBalancerBackendAddresses = [
          ...addresses(b).slice(0, 2),
          {
            ipAddress: "10.0.0.9",
            networkInterfaceIPConfigurationId: ids.ipconfig("vm9-nic"),
            state: "Down",
            reason: "Down_Probe_HttpEndpointUnreachable",
          },
        ];
        return { ...b, down: 1 };
      }),
      errors: [{ messageId: "downUnmatched", resourceId: ids.nic("vm9-nic") }],
    },
    {
      name: "an undocumented reason code is still a Down",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Down", reason: "Down_Probe_SomethingNew" },
          { vm: "vm2", state: "Up" },
        ])
        .build(),
      errors: [{ messageId: "down", resourceId: ids.nic("vm1-nic") }],
    },
  ],
  unknown: [
    {
      name: "the health operation failed (403), recorded as a gap",
      snapshot: withHealth(
        healthyWeb()
          .gap({
            operation: "loadBalancerLoadBalancingRules.health",
            resourceId: RULE_HTTP,
            status: 403,
            code: "AuthorizationFailed",
            message: "the client lacks Microsoft.Network/loadBalancers/loadBalancingRules/health/action",
          })
          .build(),
        RULE_HTTP,
        () => undefined,
      ),
      reason: "loadBalancingRules/health/action",
    },
    {
      name: "no health observation and no gap",
      snapshot: withHealth(healthyWeb().build(), RULE_HTTP, () => undefined),
      reason: "not collected",
    },
    {
      name: "reason NA: the probe has not probed the member yet",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up" },
          { vm: "vm2", state: "Down", reason: "NA" },
        ])
        .build(),
      reason: "not been probed yet",
    },
    {
      name: "a running member missing from the health body",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [{ vm: "vm1", state: "Up" }])
        .build(),
      reason: "not listed",
    },
  ],
  notApplicable: [
    {
      name: "both VMs deallocated: the health body has only empty values",
      snapshot: withHealth(healthyWeb().power("vm1", "deallocated").power("vm2", "deallocated").build(), RULE_HTTP, (b) => {
        for (const a of addresses(b)) Object.assign(a, { state: "", reason: "" });
        return { ...b, up: 0, down: 0 };
      }),
    },
    {
      name: "a rule without a probe has no health status",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          const rule = (P(r).loadBalancingRules as Array<{ properties: Record<string, unknown> }>)[0];
          if (rule) delete rule.properties.probe;
        })
        .build(),
    },
  ],
};
