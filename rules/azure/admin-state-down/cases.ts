import { healthyInternal, healthyWeb, ids, P, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const POOL_ID = ids.pool(WEB_LB, "pool-web");

/** Drops the pool's `loadBalancerBackendAddresses` list, as an older API version returns a NIC-based pool. */
const withoutAddressList = (r: { properties?: Record<string, unknown> }) => {
  for (const p of (P(r as never).backendAddressPools as Array<{ properties: Record<string, unknown> }>) ?? []) {
    delete p.properties.loadBalancerBackendAddresses;
  }
};

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: no admin state on any member", snapshot: healthyWeb().build() },
    { name: "internal LB: no admin state on any member", snapshot: healthyInternal().build() },
    {
      name: "admin state None and Up are not Down",
      snapshot: healthyWeb()
        .adminState(WEB_LB, "pool-web", { vm: "vm1" }, "None")
        .adminState(WEB_LB, "pool-web", { vm: "vm2" }, "Up")
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up" },
          { vm: "vm2", state: "Up", reason: "Up_Admin" },
        ])
        .build(),
    },
    {
      name: "no address list, but rule health shows no Down_Admin",
      snapshot: healthyWeb().edit(ids.lb(WEB_LB), withoutAddressList).build(),
    },
    {
      name: "the address list shows every member's admin state: a rule-health gap changes nothing",
      snapshot: (() => {
        const s = healthyWeb()
          .gap({
            operation: "loadBalancerLoadBalancingRules.health",
            resourceId: ids.rule(WEB_LB, "rule-http"),
            status: 403,
            code: "AuthorizationFailed",
            message: "the client lacks Microsoft.Network/loadBalancers/loadBalancingRules/health/action",
          })
          .build();
        delete s.observations?.ruleHealth?.[ids.rule(WEB_LB, "rule-http")];
        return s;
      })(),
    },
  ],
  invalid: [
    {
      name: "vm2 left in admin state Down after maintenance (pool address and rule health agree)",
      snapshot: healthyWeb()
        .adminState(WEB_LB, "pool-web", { vm: "vm2" }, "Down")
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up" },
          { vm: "vm2", state: "Down", reason: "Down_Admin" },
        ])
        .build(),
      errors: [{ messageId: "down", resourceId: ids.nic("vm2-nic"), severity: "low" }],
    },
    {
      name: "rule health says Down_Admin although the pool lists no addresses",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), withoutAddressList)
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Down", reason: "Down_Admin" },
          { vm: "vm2", state: "Up" },
        ])
        .build(),
      errors: [{ messageId: "down", resourceId: ids.nic("vm1-nic") }],
    },
    {
      name: "an IP-based address in admin state Down, the health not collected",
      snapshot: healthyInternal()
        .lb("lb-ip", {
          frontends: [{ name: "fe-ip", subnet: "vnet-app/snet-app", privateIp: "10.1.0.200" }],
          pools: ["pool-ip"],
          probes: [{ name: "probe-ip", protocol: "Tcp", port: 8080 }],
          rules: [{ name: "rule-ip", frontend: "fe-ip", pool: "pool-ip", probe: "probe-ip", frontendPort: 8080 }],
          ipMembers: { "pool-ip": [{ name: "app1-address", ip: "10.1.0.4", vnet: "vnet-app" }] },
        })
        .adminState("lb-ip", "pool-ip", { address: "app1-address" }, "Down")
        .build(),
      errors: [{ messageId: "down", resourceId: ids.nic("app1-nic") }],
    },
    {
      name: "a pre-populated address with no VM behind it, in admin state Down",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          const pool = (P(r).backendAddressPools as Array<{ properties: { loadBalancerBackendAddresses: unknown[] } }>)[0];
          pool?.properties.loadBalancerBackendAddresses.push({
            name: "old-vm9",
            properties: { ipAddress: "10.0.0.9", adminState: "Down" },
          });
        })
        .build(),
      errors: [{ messageId: "down", resourceId: `${POOL_ID}/loadBalancerBackendAddresses/old-vm9` }],
    },
  ],
  unknown: [
    {
      name: "no address list and the rule health call failed",
      snapshot: (() => {
        const s = healthyWeb()
          .edit(ids.lb(WEB_LB), withoutAddressList)
          .gap({
            operation: "loadBalancerLoadBalancingRules.health",
            resourceId: ids.rule(WEB_LB, "rule-http"),
            status: 403,
            code: "AuthorizationFailed",
            message: "the client lacks Microsoft.Network/loadBalancers/loadBalancingRules/health/action",
          })
          .build();
        delete s.observations?.ruleHealth?.[ids.rule(WEB_LB, "rule-http")];
        return s;
      })(),
      reason: "health/action",
    },
  ],
};
