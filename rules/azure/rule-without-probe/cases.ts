import type { AzureSnapshot } from "../../../src/providers/azure/wire-types.ts";
import type { LbSpec } from "../../../test/support/azure-builder.ts";
import { azure, healthyInternal, healthyWeb, ids, P, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** A public Standard LB in front of two VMs, with the given probes and rules. */
function lbWith(spec: Pick<LbSpec, "probes" | "rules" | "natRules">) {
  return azure()
    .vnet("vnet-app", ["10.2.0.0/16"], [{ name: "snet-app", prefix: "10.2.0.0/24" }])
    .publicIp("pip-app", { ip: "20.60.70.80" })
    .lb("lb-app", { frontends: [{ name: "fe-app", publicIp: "pip-app" }], pools: ["pool-app"], ...spec })
    .vm("app1", { subnet: "vnet-app/snet-app", ip: "10.2.0.4", pools: ["lb-app/pool-app"] })
    .vm("app2", { subnet: "vnet-app/snet-app", ip: "10.2.0.5", pools: ["lb-app/pool-app"] });
}

/**
 * the reference architecture's web tier after the probe was detached from rule-http (the probe
 * itself still exists); vm2 is deallocated. A rule without a probe has no
 * health, so the snapshot holds no rule-health observation for it.
 */
function webTierProbeDetached(): AzureSnapshot {
  const snap = healthyWeb()
    .edit(ids.lb(WEB_LB), (r) => {
      const rule = (P(r).loadBalancingRules as Array<{ properties: Record<string, unknown> }>)[0];
      if (rule) delete rule.properties.probe;
      const probe = (P(r).probes as Array<{ properties: Record<string, unknown> }>)[0];
      if (probe) probe.properties.loadBalancingRules = [];
    })
    .power("vm2", "deallocated")
    .build();
  delete snap.observations?.ruleHealth?.[ids.rule(WEB_LB, "rule-http")];
  return snap;
}

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: rule-http guarded by probe-http", snapshot: healthyWeb().build() },
    { name: "internal LB: rule-app guarded by probe-app", snapshot: healthyInternal().build() },
    {
      name: "the rule health call failed: the rule names its probe, which decides",
      snapshot: (() => {
        const s = healthyWeb()
          .gap({
            operation: "loadBalancerLoadBalancingRules.health",
            resourceId: ids.rule(WEB_LB, "rule-http"),
            status: 403,
            code: "AuthorizationFailed",
            message: "denied",
          })
          .build();
        delete s.observations?.ruleHealth?.[ids.rule(WEB_LB, "rule-http")];
        return s;
      })(),
    },
    {
      name: "a cross-region (Global tier) rule without a probe: a probe cannot be configured there, the platform probes each region",
      snapshot: healthyWeb()
        .publicIp("pip-global", { ip: "20.90.1.1" })
        .lb("lb-global", {
          frontends: [{ name: "fe-global", publicIp: "pip-global" }],
          pools: ["pool-regions"],
          rules: [{ name: "rule-global", frontend: "fe-global", pool: "pool-regions", frontendPort: 80 }],
        })
        .edit(ids.lb("lb-global"), (r) => {
          r.sku = { name: "Standard", tier: "Global" };
          for (const p of P(r).backendAddressPools as Array<{ properties: Record<string, unknown> }>) {
            p.properties.loadBalancerBackendAddresses = [
              { name: "region-1", properties: { loadBalancerFrontendIPConfiguration: { id: ids.frontend(WEB_LB, "fe-web") } } },
            ];
          }
        })
        .build(),
    },
  ],
  invalid: [
    {
      name: "the reference architecture for load-balanced VMs web tier: probe detached from rule-http, vm2 deallocated, every other connection times out",
      snapshot: webTierProbeDetached(),
      errors: [{ messageId: "noProbe", resourceId: ids.rule(WEB_LB, "rule-http"), severity: "high" }],
    },
    {
      name: "an HTTPS rule on 443 on an LB with no probe at all",
      snapshot: lbWith({ probes: [], rules: [{ name: "rule-https", frontend: "fe-app", pool: "pool-app", frontendPort: 443 }] }).build(),
      errors: [{ messageId: "noProbe", resourceId: ids.rule("lb-app", "rule-https") }],
    },
    {
      name: "a UDP rule (SIP 5060) without a probe",
      snapshot: lbWith({
        probes: [],
        rules: [{ name: "rule-sip", frontend: "fe-app", pool: "pool-app", protocol: "Udp", frontendPort: 5060 }],
      }).build(),
      errors: [{ messageId: "noProbe", resourceId: ids.rule("lb-app", "rule-sip") }],
    },
    {
      name: "two rules, only one guarded",
      snapshot: lbWith({
        probes: [{ name: "probe-80", protocol: "Http", port: 80, path: "/" }],
        rules: [
          { name: "rule-http", frontend: "fe-app", pool: "pool-app", probe: "probe-80", frontendPort: 80 },
          { name: "rule-api", frontend: "fe-app", pool: "pool-app", frontendPort: 8080 },
        ],
      }).build(),
      errors: [{ messageId: "noProbe", resourceId: ids.rule("lb-app", "rule-api") }],
    },
    {
      name: "an HA-ports rule in front of NVAs without a probe",
      snapshot: azure()
        .vnet("vnet-hub", ["10.0.0.0/16"], [{ name: "snet-nva", prefix: "10.0.1.0/24" }])
        .lb("lb-nva", {
          frontends: [{ name: "fe-nva", subnet: "vnet-hub/snet-nva", privateIp: "10.0.1.100" }],
          pools: ["pool-nva"],
          rules: [{ name: "ha-ports", frontend: "fe-nva", pool: "pool-nva", protocol: "All", frontendPort: 0 }],
        })
        .vm("nva1", { subnet: "vnet-hub/snet-nva", ip: "10.0.1.4", pools: ["lb-nva/pool-nva"], enableIPForwarding: true })
        .vm("nva2", { subnet: "vnet-hub/snet-nva", ip: "10.0.1.5", pools: ["lb-nva/pool-nva"], enableIPForwarding: true })
        .build(),
      errors: [{ messageId: "noProbe", resourceId: ids.rule("lb-nva", "ha-ports") }],
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
    {
      name: "an LB with only inbound NAT rules (a jump box), no load-balancing rule",
      snapshot: lbWith({
        probes: [],
        rules: [],
        natRules: [{ name: "nat-ssh", frontend: "fe-app", frontendPort: 50001, backendPort: 22, target: "app1" }],
      }).build(),
    },
  ],
};
