/**
 * Kubernetes-managed Azure load balancers (AKS / cloud-provider-azure): recognition in the model,
 * the Service each rule serves, externalTrafficPolicy Local by design, and fixes as Service changes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rules } from "../rules/index.ts";
import { runRules } from "../src/core/engine/run.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import { aksCluster, aksIds, aksScenarios, buildAks, PREFIX, RULE } from "./support/aks-scenarios.ts";
import { healthyWeb, netId, P } from "./support/azure-builder.ts";

const azureRules = rules.filter((r) => r.provider === "azure");
const scenario = (name: string) => {
  const s = aksScenarios().find((x) => x.name === name);
  assert.ok(s, name);
  return s.snapshot;
};
const run = (snap: ReturnType<typeof scenario>) => runRules(buildAzureModel(snap), azureRules);

describe("AKS load balancers in the model", () => {
  it("recognises the kubernetes load balancer and names the Service each rule serves", () => {
    const m = buildAzureModel(scenario("aks-etp-local-healthy"));
    const lb = m.loadBalancers.find((l) => l.name === "kubernetes");
    assert.equal(lb?.kubernetes?.cluster, "kubernetes");
    assert.ok(lb?.kubernetes?.signals.some((s) => s.startsWith("node resource group MC_")));
    const rule = lb?.rules.find((r) => r.name === RULE);
    assert.deepEqual(rule?.kubernetes?.services, ["shop/web"]);
    assert.equal(rule?.kubernetes?.uidPrefix, "5f1e3c2a-9b7d-4e6f-8a1b-2c3d4e5f6a7");
    assert.equal(rule?.kubernetes?.port, 80);
    assert.equal(rule?.kubernetes?.etpLocal, true);
    assert.equal(rule?.kubernetes?.healthCheckNodePort, 31234);
  });

  it("externalTrafficPolicy Cluster (TCP probe on the node port) is not taken for Local", () => {
    const m = buildAzureModel(scenario("aks-tcp-probe-on-web-port"));
    assert.equal(m.loadBalancers[0]?.rules[0]?.kubernetes?.etpLocal, false);
  });

  it("a hand-made load balancer is not Kubernetes-managed, and neither is one merely named kubernetes", () => {
    assert.equal(buildAzureModel(healthyWeb().build()).loadBalancers[0]?.kubernetes, undefined);
    const renamed = healthyWeb().build();
    const lb = renamed.resources.find((r) => r.type === "Microsoft.Network/loadBalancers");
    assert.ok(lb);
    lb.name = "kubernetes";
    assert.equal(buildAzureModel(renamed).loadBalancers[0]?.kubernetes, undefined);
  });

  it("without the public IP tag (internal load balancer), the Service is named by its UID", () => {
    const snap = buildAks(
      aksCluster({ policy: "Cluster" }).apply((s) => s.edit(netId("publicIPAddresses", `kubernetes-${PREFIX}`), (r) => delete r.tags)),
    );
    const findings = run(snap);
    const f = findings.find((x) => x.ruleId === "azure/probe-protocol-mismatch" && x.status === "fail");
    assert.match(f?.remediation?.summary ?? "", /the Service whose UID starts with 5f1e3c2a-9b7d-4e6f-8a1b-2c3d4e5f6a7/);
    assert.match(
      f?.remediation?.commands[0] ?? "",
      /^kubectl get services --all-namespaces .* \| grep -i 5f1e3c2a-9b7d-4e6f-8a1b-2c3d4e5f6a7$/,
    );
    assert.match(f?.remediation?.commands[1] ?? "", /^kubectl annotate service --namespace '<namespace>' '<service>' /);
  });
});

describe("externalTrafficPolicy: Local", () => {
  it("one node with a pod, two answering 503: no failure above low (the healthy fixture)", () => {
    const findings = run(scenario("aks-etp-local-healthy"));
    const loud = findings.filter((f) => (f.status === "fail" && f.severity !== "low" && f.severity !== "info") || f.status === "error");
    assert.deepEqual(
      loud.map((f) => `${f.ruleId}: ${f.message}`),
      [],
    );
    const byDesign = findings.filter((f) => f.ruleId === "azure/backend-unhealthy" && f.messageId === "etpLocalNoPod");
    assert.deepEqual(
      byDesign.map((f) => [f.status, f.resourceId]),
      [
        ["not-applicable", aksIds.nodeNic(1)],
        ["not-applicable", aksIds.nodeNic(2)],
      ],
    );
    assert.match(byDesign[0]?.message ?? "", /Service shop\/web .*1 of 3 Up/);
  });

  it("no node with a ready pod: an incident, fixed in Kubernetes, not with az", () => {
    const findings = run(scenario("aks-etp-local-no-endpoints"));
    const down = findings.filter((f) => f.ruleId === "azure/backend-unhealthy" && f.status === "fail");
    assert.equal(down.length, 3);
    for (const f of down) {
      assert.equal(f.severity, "high");
      assert.equal(f.messageId, "etpLocalNoEndpoints");
      assert.ok(
        f.remediation?.commands.every((c) => c.startsWith("kubectl ")),
        f.remediation?.commands.join("\n"),
      );
    }
    assert.ok(
      down[0]?.remediation?.commands.includes("kubectl get endpointslices --namespace shop -l kubernetes.io/service-name=web -o wide"),
    );
  });

  it("a node that times out on the health-check node port is still a failure (not by design)", () => {
    const snap = buildAks(aksCluster({ health: ["Up", "Down_Probe_HttpStatusCodeError", "Down_Probe_TcpProbeTimeout"] }));
    const fails = run(snap).filter((f) => f.ruleId === "azure/backend-unhealthy" && f.status === "fail");
    assert.deepEqual(
      fails.map((f) => [f.resourceId, f.messageId, f.severity]),
      [[aksIds.nodeNic(2), "down", "high"]],
    );
  });
});

describe("fixes for settings Kubernetes owns are Service changes", () => {
  it("a TCP probe on a web port: kubectl annotate with the documented per-port annotations, no az network lb", () => {
    const findings = run(scenario("aks-tcp-probe-on-web-port"));
    const f = findings.find((x) => x.ruleId === "azure/probe-protocol-mismatch" && x.status === "fail");
    assert.deepEqual(f?.remediation?.commands, [
      "kubectl annotate service --namespace shop web service.beta.kubernetes.io/port_80_health-probe_protocol=http service.beta.kubernetes.io/port_80_health-probe_request-path=/healthz --overwrite",
    ]);
    assert.match(f?.remediation?.summary ?? "", /managed by Kubernetes .*reverts direct edits/);
    for (const x of findings) for (const c of x.remediation?.commands ?? []) assert.ok(!c.startsWith("az network lb"), `${x.ruleId}: ${c}`);
  });

  it("the probe on the node port is not a probe-port mismatch", () => {
    const findings = run(scenario("aks-tcp-probe-on-web-port"));
    const f = findings.filter((x) => x.ruleId === "azure/probe-port-mismatch");
    assert.deepEqual(
      f.map((x) => [x.status, x.messageId]),
      [["not-applicable", "kubernetes"]],
    );
  });

  it("session affinity: kubectl patch of sessionAffinity, not az network lb rule update", () => {
    const snap = buildAks(
      aksCluster({ policy: "Cluster" }).apply((s) =>
        s.edit(netId("loadBalancers", "kubernetes"), (r) => {
          const rule = (P(r).loadBalancingRules as Array<{ properties: Record<string, unknown> }>)[0];
          if (rule) rule.properties.loadDistribution = "SourceIP";
        }),
      ),
    );
    const f = run(snap).find((x) => x.ruleId === "azure/session-persistence-skew" && x.status === "fail");
    assert.deepEqual(f?.remediation?.commands, [
      `kubectl patch service --namespace shop web --type merge -p '{"spec":{"sessionAffinity":"None"}}'`,
    ]);
  });

  it("floating IP and listeners are not judged on Kubernetes rules", () => {
    const findings = run(scenario("aks-etp-local-healthy"));
    for (const id of ["azure/floating-ip-guest-config", "azure/port-not-listening"]) {
      const mine = findings.filter((x) => x.ruleId === id);
      assert.ok(mine.length > 0 && mine.every((x) => x.status === "not-applicable" && x.messageId === "kubernetes"), id);
    }
  });
});
