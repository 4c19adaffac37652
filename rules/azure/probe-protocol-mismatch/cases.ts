import { aksCluster, aksIds, buildAks } from "../../../test/support/aks-scenarios.ts";
import type { LbSpec } from "../../../test/support/azure-builder.ts";
import { azure, healthyInternal, healthyWeb, ids, P, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** The reference architecture's web tier, with the HTTP probe on / turned into a plain TCP probe on 80. */
function webTierWithTcpProbe() {
  return healthyWeb().edit(ids.lb(WEB_LB), (r) => {
    const probe = (P(r).probes as Array<{ name: string; properties: Record<string, unknown> }>).find((p) => p.name === "probe-http");
    if (!probe) throw new Error("no probe-http");
    probe.properties.protocol = "Tcp";
    delete probe.properties.requestPath;
  });
}

/** A public Standard LB in front of two VMs, with the given probes and rules. */
function lbWith(spec: Pick<LbSpec, "probes" | "rules">) {
  return azure()
    .nsg("nsg-app", [{ name: "allow-in", priority: 1000, source: "Internet", ports: "*" }])
    .vnet("vnet-app", ["10.2.0.0/16"], [{ name: "snet-app", prefix: "10.2.0.0/24", nsg: "nsg-app" }])
    .publicIp("pip-app", { ip: "20.60.70.80" })
    .lb("lb-app", { frontends: [{ name: "fe-app", publicIp: "pip-app" }], pools: ["pool-app"], ...spec })
    .vm("app1", { subnet: "vnet-app/snet-app", ip: "10.2.0.4", pools: ["lb-app/pool-app"] })
    .vm("app2", { subnet: "vnet-app/snet-app", ip: "10.2.0.5", pools: ["lb-app/pool-app"] });
}

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: HTTP probe on / for the web tier on port 80", snapshot: healthyWeb().build() },
    { name: "internal LB: HTTP probe on /healthz for the app on 8080", snapshot: healthyInternal().build() },
    {
      name: "HTTPS backend on 443 with an Https probe on /health",
      snapshot: lbWith({
        probes: [{ name: "probe-https", protocol: "Https", port: 443, path: "/health" }],
        rules: [{ name: "rule-https", frontend: "fe-app", pool: "pool-app", probe: "probe-https", frontendPort: 443 }],
      }).build(),
    },
  ],
  invalid: [
    {
      name: "the reference architecture for load-balanced VMs web tier guarded by a Tcp probe on 80: members stay Up while nginx answers 502",
      snapshot: webTierWithTcpProbe().build(),
      errors: [{ messageId: "tcpOnWeb", resourceId: ids.probe(WEB_LB, "probe-http"), severity: "medium" }],
    },
    {
      name: "HTTPS rule on 443 with a Tcp probe on 443",
      snapshot: lbWith({
        probes: [{ name: "probe-443", protocol: "Tcp", port: 443 }],
        rules: [{ name: "rule-https", frontend: "fe-app", pool: "pool-app", probe: "probe-443", frontendPort: 443 }],
      }).build(),
      errors: [{ messageId: "tcpOnWeb", resourceId: ids.probe("lb-app", "probe-443") }],
    },
    {
      name: "a Tcp probe on SSH port 22 guards a rule whose backend is 8080",
      snapshot: lbWith({
        probes: [{ name: "probe-ssh", protocol: "Tcp", port: 22 }],
        rules: [{ name: "rule-app", frontend: "fe-app", pool: "pool-app", probe: "probe-ssh", frontendPort: 80, backendPort: 8080 }],
      }).build(),
      errors: [{ messageId: "tcpOnWeb", resourceId: ids.probe("lb-app", "probe-ssh") }],
    },
    {
      name: "one Tcp probe on 8443 shared by two rules: one finding on the probe",
      snapshot: lbWith({
        probes: [{ name: "probe-8443", protocol: "Tcp", port: 8443 }],
        rules: [
          { name: "rule-a", frontend: "fe-app", pool: "pool-app", probe: "probe-8443", frontendPort: 8443 },
          { name: "rule-b", frontend: "fe-app", pool: "pool-app", probe: "probe-8443", frontendPort: 9443, backendPort: 8443 },
        ],
      }).build(),
      errors: [{ messageId: "tcpOnWeb", resourceId: ids.probe("lb-app", "probe-8443") }],
    },
    {
      name: "AKS Service on port 80 with a TCP probe on its node port: fixed by Service annotations",
      snapshot: buildAks(aksCluster({ policy: "Cluster" })),
      errors: [{ messageId: "tcpOnWeb", resourceId: aksIds.probe() }],
    },
  ],
  notApplicable: [
    {
      name: "SQL Server on 1433 with a Tcp probe: TCP is right for a TCP service",
      snapshot: lbWith({
        probes: [{ name: "probe-sql", protocol: "Tcp", port: 1433 }],
        rules: [{ name: "rule-sql", frontend: "fe-app", pool: "pool-app", probe: "probe-sql", frontendPort: 1433 }],
      }).build(),
    },
    {
      name: "a Tcp probe on 80 that serves only a UDP rule (DNS)",
      snapshot: lbWith({
        probes: [{ name: "probe-80", protocol: "Tcp", port: 80 }],
        rules: [{ name: "rule-dns", frontend: "fe-app", pool: "pool-app", probe: "probe-80", protocol: "Udp", frontendPort: 53 }],
      }).build(),
    },
    {
      name: "a Tcp probe on 80 that no rule uses",
      snapshot: lbWith({ probes: [{ name: "probe-spare", protocol: "Tcp", port: 80 }], rules: [] }).build(),
    },
  ],
};
