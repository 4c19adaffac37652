import {
  type AzureScenario,
  azure,
  healthyInternal,
  healthyWeb,
  ILB,
  ids,
  P,
  rgId,
  WEB_LB,
  WEB_SUBNET,
} from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

type Wire = Array<{ name: string; properties: Record<string, unknown> }>;

/**
 * Takes every member out of a pool, from both sides (the pool's list and the NICs' claims), and, as the platform
 * then reports it, leaves the rule health of the pool's rules with no address (an observation of Up members would
 * contradict the empty pool: see the unknown case).
 */
function emptied(s: AzureScenario, lb: string, pool: string, nics: string[]): AzureScenario {
  const c = s.clone();
  const rules: string[] = [];
  c.edit(ids.lb(lb), (r) => {
    for (const p of P(r).backendAddressPools as Wire) if (p.name === pool) p.properties.backendIPConfigurations = [];
    for (const rule of P(r).loadBalancingRules as Wire) rules.push(rule.name);
  });
  for (const rule of rules) c.ruleHealth(lb, rule, []);
  for (const n of nics) {
    c.edit(ids.nic(n), (r) => {
      for (const ipc of P(r).ipConfigurations as Wire) ipc.properties.loadBalancerBackendAddressPools = [];
    });
  }
  return c;
}

/** A public Standard LB with one rule and one pool, no NAT rules, and a VM nobody points at. */
function bareLb(): AzureScenario {
  return azure()
    .nsg("nsg-api", [{ name: "allow-https", priority: 1000, source: "Internet", ports: "443" }])
    .vnet("vnet-api", ["10.4.0.0/16"], [{ name: "snet-api", prefix: "10.4.0.0/24", nsg: "nsg-api" }])
    .publicIp("pip-lb-api", { ip: "20.60.1.10" })
    .lb("lb-api", {
      frontends: [{ name: "fe-api", publicIp: "pip-lb-api" }],
      pools: ["pool-api"],
      probes: [{ name: "probe-https", protocol: "Tcp", port: 443 }],
      rules: [{ name: "rule-https", frontend: "fe-api", pool: "pool-api", probe: "probe-https", frontendPort: 443 }],
    })
    .vm("api1", { subnet: "vnet-api/snet-api", ip: "10.4.0.4" });
}

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: vm1 and vm2 in pool-web", snapshot: healthyWeb().build() },
    { name: "internal LB with two app VMs in its pool", snapshot: healthyInternal().build() },
    {
      name: "an IP-based pool (loadBalancerBackendAddresses only) is not empty",
      snapshot: healthyWeb()
        .lb("lb-ip", {
          frontends: [{ name: "fe-ip", subnet: WEB_SUBNET, privateIp: "10.0.0.200" }],
          pools: ["pool-ip"],
          probes: [{ name: "probe-tcp", protocol: "Tcp", port: 8080 }],
          rules: [{ name: "rule-8080", frontend: "fe-ip", pool: "pool-ip", probe: "probe-tcp", frontendPort: 8080 }],
          ipMembers: { "pool-ip": [{ name: "onprem-a", ip: "10.0.0.50", vnet: "vnet-web" }] },
        })
        .build(),
    },
    {
      name: "membership claimed only from the NIC side still counts (the pool's read-only list lags)",
      snapshot: healthyWeb()
        .clone()
        .edit(ids.lb(WEB_LB), (r) => {
          for (const p of P(r).backendAddressPools as Wire) p.properties.backendIPConfigurations = [];
        })
        .build(),
    },
  ],
  invalid: [
    {
      name: "pool-web emptied during a redeploy: the NAT rules still reach vm1 and vm2, port 80 reaches nobody",
      snapshot: emptied(healthyWeb(), WEB_LB, "pool-web", ["vm1-nic", "vm2-nic"]).ruleHealth(WEB_LB, "rule-http", []).build(),
      errors: [{ messageId: "empty", resourceId: ids.pool(WEB_LB, "pool-web"), severity: "critical" }],
    },
    {
      name: "internal LB pool emptied; the app VMs in the frontend's subnet are the candidates",
      snapshot: emptied(healthyInternal(), ILB, "pool-app", ["app1-nic", "app2-nic"]).build(),
      errors: [{ messageId: "empty", resourceId: ids.pool(ILB, "pool-app") }],
    },
    {
      name: "a new public LB whose pool was never filled, no NAT rules: generic fix",
      snapshot: bareLb().build(),
      errors: [{ messageId: "empty", resourceId: ids.pool("lb-api", "pool-api") }],
    },
    {
      name: "a rule that names no backend pool",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          for (const rule of P(r).loadBalancingRules as Wire) {
            delete rule.properties.backendAddressPool;
            delete rule.properties.backendAddressPools;
          }
        })
        .build(),
      errors: [{ messageId: "noPool", resourceId: ids.rule(WEB_LB, "rule-http") }],
    },
    {
      name: "two rules share one empty pool: one finding for the pool",
      snapshot: emptied(
        healthyWeb().edit(ids.lb(WEB_LB), (r) => {
          const rules = P(r).loadBalancingRules as Wire;
          const http = rules[0];
          if (http) rules.push({ ...structuredClone(http), name: "rule-https" });
          const https = rules[1];
          if (https) {
            (https as Record<string, unknown>).id = ids.rule(WEB_LB, "rule-https");
            https.properties.frontendPort = 443;
            https.properties.backendPort = 443;
          }
        }),
        WEB_LB,
        "pool-web",
        ["vm1-nic", "vm2-nic"],
      ).build(),
      errors: [{ messageId: "empty" }],
    },
  ],
  unknown: [
    {
      name: "the pool reads empty but rule health reports vm1 Up (Up_Probe_Success): the observation wins, the contradiction is named",
      snapshot: emptied(healthyWeb(), WEB_LB, "pool-web", ["vm1-nic", "vm2-nic"])
        .ruleHealth(WEB_LB, "rule-http", [{ vm: "vm1", state: "Up" }])
        .build(),
      reason: "rule health reports 1 backend(s) Up (Up_Probe_Success)",
    },
    {
      name: "the rule points at a pool the load balancer does not define",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          for (const rule of P(r).loadBalancingRules as Wire) {
            rule.properties.backendAddressPool = { id: ids.pool(WEB_LB, "pool-old") };
            rule.properties.backendAddressPools = [{ id: ids.pool(WEB_LB, "pool-old") }];
          }
        })
        .build(),
      reason: "does not define",
    },
    {
      name: "listing load balancers failed: nothing to judge, and that is said",
      snapshot: healthyWeb()
        .remove(ids.lb(WEB_LB))
        .gap({
          operation: "loadBalancers.list",
          resourceId: rgId(),
          status: 403,
          code: "AuthorizationFailed",
          message: "no read permission",
        })
        .build(),
      reason: "could not be listed",
    },
  ],
  notApplicable: [
    {
      name: "a load balancer with NAT rules only (no load-balancing rule)",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          P(r).loadBalancingRules = [];
        })
        .build(),
    },
    {
      name: "no load balancer in scope",
      snapshot: azure()
        .vnet("vnet-x", ["10.9.0.0/16"], [{ name: "s", prefix: "10.9.0.0/24" }])
        .build(),
    },
  ],
};
