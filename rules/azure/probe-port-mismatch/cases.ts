import { aksCluster, buildAks } from "../../../test/support/aks-scenarios.ts";
import type { LbSpec } from "../../../test/support/azure-builder.ts";
import { APP_SUBNET, azure, healthyInternal, healthyWeb, ids, P, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** The reference architecture's web tier after someone added HTTPS on 443 and reused the existing HTTP probe on 80 for it. */
function webTierHttpsOnHttpProbe() {
  return healthyWeb().edit(ids.lb(WEB_LB), (r) => {
    const rules = P(r).loadBalancingRules as Array<{ name: string; id: string; properties: Record<string, unknown> }>;
    const http = rules[0];
    if (!http) throw new Error("no rule-http");
    rules.push({
      ...structuredClone(http),
      name: "rule-https",
      id: ids.rule(WEB_LB, "rule-https"),
      properties: { ...structuredClone(http.properties), frontendPort: 443, backendPort: 443 },
    });
  });
}

/** A public Standard LB in front of two VMs, with the given probes and rules. */
function lbWith(spec: Pick<LbSpec, "probes" | "rules">) {
  return azure()
    .vnet("vnet-app", ["10.2.0.0/16"], [{ name: "snet-app", prefix: "10.2.0.0/24" }])
    .publicIp("pip-app", { ip: "20.60.70.80" })
    .lb("lb-app", { frontends: [{ name: "fe-app", publicIp: "pip-app" }], pools: ["pool-app"], ...spec })
    .vm("app1", { subnet: "vnet-app/snet-app", ip: "10.2.0.4", pools: ["lb-app/pool-app"] })
    .vm("app2", { subnet: "vnet-app/snet-app", ip: "10.2.0.5", pools: ["lb-app/pool-app"] });
}

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: rule 80 → 80, HTTP probe on 80", snapshot: healthyWeb().build() },
    { name: "internal LB: rule 8080 → 8080, probe on 8080", snapshot: healthyInternal().build() },
    {
      name: "frontend 80 mapped to backend 8080, probe on the backend port 8080",
      snapshot: lbWith({
        probes: [{ name: "probe-8080", protocol: "Http", port: 8080, path: "/" }],
        rules: [{ name: "rule-web", frontend: "fe-app", pool: "pool-app", probe: "probe-8080", frontendPort: 80, backendPort: 8080 }],
      }).build(),
    },
  ],
  invalid: [
    {
      name: "HTTPS on 443 added to the the reference architecture for load-balanced VMs web tier and given the HTTP probe on 80: nginx's TLS listener is down, the LB keeps sending",
      snapshot: webTierHttpsOnHttpProbe().build(),
      errors: [{ messageId: "mismatch", resourceId: ids.rule(WEB_LB, "rule-https"), severity: "medium" }],
    },
    {
      name: "a Tcp probe on SSH port 22 for an app on 8080",
      snapshot: lbWith({
        probes: [{ name: "probe-ssh", protocol: "Tcp", port: 22 }],
        rules: [{ name: "rule-app", frontend: "fe-app", pool: "pool-app", probe: "probe-ssh", frontendPort: 8080 }],
      }).build(),
      errors: [{ messageId: "mismatch", resourceId: ids.rule("lb-app", "rule-app") }],
    },
    {
      name: "an HTTP health endpoint on 8081 for an app on 8080 (deliberate, lower severity)",
      snapshot: lbWith({
        probes: [{ name: "probe-health", protocol: "Http", port: 8081, path: "/healthz" }],
        rules: [{ name: "rule-app", frontend: "fe-app", pool: "pool-app", probe: "probe-health", frontendPort: 8080 }],
      }).build(),
      errors: [{ messageId: "healthEndpoint", severity: "low" }],
    },
    {
      name: "internal LB: a second rule on 9090 reuses the 8080 probe while a probe on 9090 exists",
      snapshot: healthyInternal()
        .lb("lb-internal", {
          frontends: [{ name: "fe-app", subnet: APP_SUBNET, privateIp: "10.1.0.100" }],
          pools: ["pool-app"],
          probes: [
            { name: "probe-app", protocol: "Http", port: 8080, path: "/healthz" },
            { name: "probe-metrics", protocol: "Tcp", port: 9090 },
          ],
          rules: [
            { name: "rule-app", frontend: "fe-app", pool: "pool-app", probe: "probe-app", frontendPort: 8080 },
            { name: "rule-metrics", frontend: "fe-app", pool: "pool-app", probe: "probe-app", frontendPort: 9090 },
          ],
        })
        .build(),
      errors: [{ messageId: "mismatch", resourceId: ids.rule("lb-internal", "rule-metrics") }],
    },
  ],
  unknown: [
    {
      name: "the rule names a probe the load balancer does not hold",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          const rule = (P(r).loadBalancingRules as Array<{ properties: Record<string, unknown> }>)[0];
          if (rule) rule.properties.probe = { id: ids.probe(WEB_LB, "probe-gone") };
        })
        .build(),
      reason: "probe-gone",
    },
  ],
  notApplicable: [
    { name: "AKS: the probe checks the Service's node port by design", snapshot: buildAks(aksCluster({ policy: "Cluster" })) },
    { name: "AKS, externalTrafficPolicy Local: the health-check node port by design", snapshot: buildAks(aksCluster()) },
    {
      name: "a Tcp rule on port 0 (the REST spec: port 0 is any port), probed on 80: every port is balanced, nothing to compare",
      snapshot: lbWith({
        probes: [{ name: "probe-80", protocol: "Tcp", port: 80 }],
        rules: [{ name: "rule-any", frontend: "fe-app", pool: "pool-app", probe: "probe-80", frontendPort: 0, backendPort: 0 }],
      }).build(),
    },
    {
      name: "a rule without a probe (azure/rule-without-probe reports it)",
      snapshot: lbWith({
        probes: [],
        rules: [{ name: "rule-app", frontend: "fe-app", pool: "pool-app", frontendPort: 8080 }],
      }).build(),
    },
    {
      name: "an HA-ports rule probed on one port",
      snapshot: azure()
        .vnet("vnet-hub", ["10.0.0.0/16"], [{ name: "snet-nva", prefix: "10.0.1.0/24" }])
        .lb("lb-nva", {
          frontends: [{ name: "fe-nva", subnet: "vnet-hub/snet-nva", privateIp: "10.0.1.100" }],
          pools: ["pool-nva"],
          probes: [{ name: "probe-ssh", protocol: "Tcp", port: 22 }],
          rules: [{ name: "ha-ports", frontend: "fe-nva", pool: "pool-nva", probe: "probe-ssh", protocol: "All", frontendPort: 0 }],
        })
        .build(),
    },
  ],
};
