import type { LbRuleSpec } from "../../../test/support/azure-builder.ts";
import { type AzureScenario, azure, healthyInternal, healthyWeb, ids, P, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const SUBNET = "vnet-app/snet-app";

/**
 * An internal LB with a web app (fe-web 10.1.0.100:8080) and an API (fe-api 10.1.0.101:9090);
 * `rules` decides which pool each one uses.
 */
function twoApps(rules: LbRuleSpec[], pools = ["pool-app"]): AzureScenario {
  return azure()
    .nsg("nsg-app", [{ name: "allow-apps-from-vnet", priority: 100, source: "VirtualNetwork", ports: ["8080", "9090"] }])
    .vnet("vnet-app", ["10.1.0.0/16"], [{ name: "snet-app", prefix: "10.1.0.0/24", nsg: "nsg-app" }])
    .lb("lb-apps", {
      frontends: [
        { name: "fe-web", subnet: SUBNET, privateIp: "10.1.0.100" },
        { name: "fe-api", subnet: SUBNET, privateIp: "10.1.0.101" },
      ],
      pools,
      probes: [
        { name: "probe-web", protocol: "Http", port: 8080, path: "/healthz" },
        { name: "probe-api", protocol: "Tcp", port: 9090 },
      ],
      rules,
    });
}

const web: LbRuleSpec = { name: "rule-web", frontend: "fe-web", pool: "pool-app", probe: "probe-web", frontendPort: 8080 };
const api: LbRuleSpec = { name: "rule-api", frontend: "fe-api", pool: "pool-app", probe: "probe-api", frontendPort: 9090 };

export const cases: RuleCases = {
  valid: [
    { name: "internal LB reference: one pool, one rule", snapshot: healthyInternal().build() },
    {
      name: "two rules on one pool, but every VM has a NIC per application",
      snapshot: twoApps([web, api])
        .vm("app1", { subnet: SUBNET, ip: "10.1.0.4", pools: ["lb-apps/pool-app"], extraNics: [{ subnet: SUBNET, ip: "10.1.0.14" }] })
        .vm("app2", { subnet: SUBNET, ip: "10.1.0.5", pools: ["lb-apps/pool-app"], extraNics: [{ subnet: SUBNET, ip: "10.1.0.15" }] })
        .build(),
    },
    {
      name: "separate backend pools per application (the backend-traffic troubleshooting guide's first fix)",
      snapshot: twoApps([web, { ...api, pool: "pool-api" }], ["pool-app", "pool-api"])
        .vm("web1", { subnet: SUBNET, ip: "10.1.0.4", pools: ["lb-apps/pool-app"] })
        .vm("api1", { subnet: SUBNET, ip: "10.1.0.6", pools: ["lb-apps/pool-api"] })
        .build(),
    },
  ],
  invalid: [
    {
      name: "a web app and its API co-hosted on single-NIC VMs behind one internal LB pool",
      snapshot: twoApps([web, api])
        .vm("app1", { subnet: SUBNET, ip: "10.1.0.4", pools: ["lb-apps/pool-app"] })
        .vm("app2", { subnet: SUBNET, ip: "10.1.0.5", pools: ["lb-apps/pool-app"] })
        .build(),
      errors: [{ messageId: "risk", resourceId: ids.pool("lb-apps", "pool-app"), severity: "medium" }],
    },
    {
      name: "two ports on one frontend (8080 and 8443) served by the same single-NIC pool",
      snapshot: twoApps([web, { ...web, name: "rule-web-tls", frontendPort: 8443 }])
        .vm("app1", { subnet: SUBNET, ip: "10.1.0.4", pools: ["lb-apps/pool-app"] })
        .build(),
      errors: [{ messageId: "risk" }],
    },
    {
      name: "only one of the pool's VMs is dual-NIC",
      snapshot: twoApps([web, api])
        .vm("app1", { subnet: SUBNET, ip: "10.1.0.4", pools: ["lb-apps/pool-app"], extraNics: [{ subnet: SUBNET, ip: "10.1.0.14" }] })
        .vm("app2", { subnet: SUBNET, ip: "10.1.0.5", pools: ["lb-apps/pool-app"] })
        .build(),
      errors: [{ messageId: "risk" }],
    },
  ],
  unknown: [
    {
      name: "IP-based pool members whose VMs are not in the snapshot",
      snapshot: azure()
        .vnet("vnet-app", ["10.1.0.0/16"], [{ name: "snet-app", prefix: "10.1.0.0/24" }])
        .lb("lb-apps", {
          frontends: [{ name: "fe-web", subnet: SUBNET, privateIp: "10.1.0.100" }],
          pools: ["pool-app"],
          ipMembers: { "pool-app": [{ name: "backend-1", ip: "10.1.0.40", vnet: "vnet-app" }] },
          rules: [web, { ...web, name: "rule-web-tls", frontendPort: 8443 }],
        })
        .build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [
    {
      name: "a public LB with two rules is out of scope",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          const rules = P(r).loadBalancingRules as Array<{ name: string; id: string; properties: Record<string, unknown> }>;
          const first = rules[0];
          if (first) rules.push({ ...structuredClone(first), name: "rule-https", id: first.id.replace("rule-http", "rule-https") });
          const second = rules[1];
          if (second) Object.assign(second.properties, { frontendPort: 443, backendPort: 443 });
        })
        .build(),
    },
  ],
};
