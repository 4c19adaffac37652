import { type AzureScenario, healthyWeb, ids, P, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

type Wire = Array<{ name: string; properties: Record<string, unknown> }>;

/**
 * The reference web tier (lb-web, rule-http 80 → pool-web, both VMs Up) behind a cross-region load balancer lb-global
 * whose rule on 80 sends to backend port `backendPort` and whose pool holds the given regional frontends.
 */
function globalOver(s: AzureScenario, opts: { backendPort?: number; members?: string[] } = {}): AzureScenario {
  return s
    .publicIp("pip-global", { ip: "20.90.1.1" })
    .lb("lb-global", {
      frontends: [{ name: "fe-global", publicIp: "pip-global" }],
      pools: ["pool-regions"],
      probes: [{ name: "probe-80", protocol: "Tcp", port: 80 }],
      rules: [
        {
          name: "rule-global",
          frontend: "fe-global",
          pool: "pool-regions",
          probe: "probe-80",
          frontendPort: 80,
          backendPort: opts.backendPort ?? 80,
        },
      ],
    })
    .edit(ids.lb("lb-global"), (r) => {
      r.sku = { name: "Standard", tier: "Global" };
      for (const p of P(r).backendAddressPools as Wire) {
        p.properties.loadBalancerBackendAddresses = (opts.members ?? [ids.frontend(WEB_LB, "fe-web")]).map((id, i) => ({
          name: `region-${i + 1}`,
          properties: { loadBalancerFrontendIPConfiguration: { id } },
        }));
      }
    });
}

const OTHER_REGION =
  "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-west/providers/Microsoft.Network/loadBalancers/lb-west/frontendIPConfigurations/fe-west";

export const cases: RuleCases = {
  valid: [
    { name: "one region: lb-web serves port 80 and rule health reports both VMs Up", snapshot: globalOver(healthyWeb()).build() },
    {
      name: "the cross-region rule sends to port 50001, the frontend port of the regional inbound NAT rule nat-ssh-vm1",
      snapshot: globalOver(healthyWeb(), { backendPort: 50001 }).build(),
    },
  ],
  invalid: [
    {
      name: "the cross-region rule sends to backend port 8080; the regional rule listens on 80",
      snapshot: globalOver(healthyWeb(), { backendPort: 8080 }).build(),
      errors: [{ messageId: "portMismatch" }],
    },
    {
      name: "the only region's rule health reports no backend Up: availability 0, out of rotation, nothing serves",
      snapshot: globalOver(
        healthyWeb().ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Down" },
          { vm: "vm2", state: "Down" },
        ]),
      ).build(),
      errors: [{ messageId: "regionDown", severity: "critical" }],
    },
    {
      name: "a member names a frontend the regional load balancer does not have",
      snapshot: globalOver(healthyWeb(), { members: [ids.frontend(WEB_LB, "fe-gone")] }).build(),
      errors: [{ messageId: "frontendMissing" }],
    },
  ],
  unknown: [
    {
      name: "a second region whose regional load balancer is in another resource group not collected",
      snapshot: globalOver(healthyWeb(), { members: [ids.frontend(WEB_LB, "fe-web"), OTHER_REGION] }).build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [{ name: "no cross-region load balancer", snapshot: healthyWeb().build() }],
};
