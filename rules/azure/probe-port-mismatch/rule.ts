import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { anyPortPhrase, isAnyPort, isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, LbRule, LoadBalancer, Probe } from "../../../src/providers/azure/model.ts";
import { rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

const HTTPS_PORTS = new Set([443, 8443]);

/** Commands that make `rule` probed on its own backend port, without breaking other rules that share the probe. */
function fixCommands(lb: LoadBalancer, rule: LbRule, probe: Probe): { summary: string; commands: string[] } {
  const g = `--resource-group ${sh(rgOf(lb.id))} --lb-name ${sh(lb.name)}`;
  const port = rule.backendPort;
  const sharedWithOtherPorts = probe.rules.some((r) => r !== rule && r.backendPort !== port);
  if (!sharedWithOtherPorts) {
    return {
      summary: `Point ${probe.name} at port ${port}, the port ${rule.name} sends traffic to.`,
      commands: [`az network lb probe update ${g} --name ${sh(probe.name)} --port ${port}`],
    };
  }
  const existing = lb.probes.find((p) => p !== probe && p.port === port);
  if (existing) {
    return {
      summary: `${probe.name} also serves rules on port ${probe.port}, so leave it; attach ${existing.name}, which already checks port ${port}, to ${rule.name}.`,
      commands: [`az network lb rule update ${g} --name ${sh(rule.name)} --probe-name ${sh(existing.name)}`],
    };
  }
  let name = `probe-${port}`;
  for (let n = 2; lb.probes.some((p) => p.name.toLowerCase() === name.toLowerCase()); n++) name = `probe-${port}-${n}`;
  const proto = probe.protocol.toLowerCase();
  const protocol = proto === "tcp" ? "Tcp" : HTTPS_PORTS.has(port) ? "Https" : "Http";
  const path = protocol === "Tcp" ? "" : ` --path ${sh(probe.requestPath ?? "/")}`;
  return {
    summary: `${probe.name} also serves rules on port ${probe.port}, so leave it; give ${rule.name} a dedicated probe on port ${port}.`,
    commands: [
      `az network lb probe create ${g} --name ${sh(name)} --protocol ${protocol} --port ${port}${path}`,
      `az network lb rule update ${g} --name ${sh(rule.name)} --probe-name ${sh(name)}`,
    ],
  };
}

export default defineRule<AzureModel>({
  id: "azure/probe-port-mismatch",
  provider: "azure",
  severity: "medium",
  reads: ["azure:loadBalancers"],
  title: "Health probe checks a different port than the rule's backend port",
  description:
    "A load-balancing rule sends traffic to its backend port, but its health probe checks another port. The probe " +
    "then measures something else: a member whose service on the data port has died (or never listened, the backend-traffic troubleshooting guide's " +
    "'backend not listening on the data port') still answers the probe and keeps receiving connections that fail; the " +
    "reverse also happens, a healthy member is taken out because an unrelated port is closed. A typical cause is one " +
    "probe shared by rules on several ports. Rules on port 0 balance every port (the REST spec: port 0 is any port; with protocol All, HA ports) and are not judged. " +
    "Neither are rules Kubernetes (cloud-provider-azure, AKS) manages: they probe the Service's node port by design.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-custom-probe-overview",
      title: "Azure Load Balancer health probes",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
      title: "Troubleshoot Azure Load Balancer backend traffic responses",
    },
    {
      url: "https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/",
      title: "Azure LoadBalancer (cloud-provider-azure)",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
  ],
  messages: {
    mismatch:
      "Rule {{rule}} sends traffic to backend port {{backendPort}}, but its probe {{probe}} checks port {{probePort}} ({{protocol}}): the probe can pass while port {{backendPort}} is dead.",
    healthEndpoint:
      "Rule {{rule}} sends traffic to backend port {{backendPort}}, but its probe {{probe}} checks {{protocol}} port {{probePort}} path {{path}}: a dedicated health endpoint, which must fail whenever port {{backendPort}} is dead.",
    match: "Rule {{rule}}: probe {{probe}} checks the backend port {{backendPort}}.",
    kubernetes:
      "Rule {{rule}} is managed by Kubernetes: its probe {{probe}} checks the Service's node port {{probePort}} (the health-check node port with externalTrafficPolicy: Local) while traffic goes to the Service port {{backendPort}} with floating IP, by design.",
    haPorts: "Rule {{rule}} is {{kind}}: it balances every port, so its probe {{probe}} checks port {{probePort}} by design.",
    noProbe: "Rule {{rule}} has no health probe, so there is no probe port to compare.",
    probeMissing: "Rule {{rule}} names probe {{probe}}, which is not among the load balancer's probes in the snapshot.",
  },
  remediation:
    "Probe the port the rule sends traffic to: update the probe's port, or, when the probe also serves rules on other " +
    "ports, give this rule a dedicated probe on its backend port and attach it with `az network lb rule update --probe-name`.",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      if (isGlobalTier(lb)) continue; // a cross-region probe measures regional load balancers: azure/cross-region-member
      for (const rule of lb.rules) {
        const base = { resourceId: rule.id, loadBalancerId: lb.id, key: rule.name, subjects: [rule.id, lb.id] };
        const ruleEvidence = { resourceId: lb.id, pointer: rule.ptr, label: "load-balancing rule" };
        const data = { rule: `${lb.name}/${rule.name}`, backendPort: rule.backendPort };
        if (!rule.probeId) {
          report({ ...base, status: "not-applicable", messageId: "noProbe", data, evidence: [ruleEvidence] });
          continue;
        }
        const probe = rule.probe;
        if (!probe) {
          report({
            ...base,
            status: "unknown",
            messageId: "probeMissing",
            data: { ...data, probe: rule.probeId.split("/").pop() ?? rule.probeId },
            evidence: [{ resourceId: lb.id, pointer: `${rule.ptr}/properties/probe`, label: "probe reference" }],
          });
          continue;
        }
        const pdata = { ...data, probe: probe.name, probePort: probe.port, protocol: probe.protocol, path: probe.requestPath ?? "/" };
        if (isAnyPort(rule)) {
          report({
            ...base,
            status: "not-applicable",
            messageId: "haPorts",
            data: { ...pdata, kind: anyPortPhrase(rule) },
            evidence: [ruleEvidence],
          });
          continue;
        }
        if (rule.kubernetes) {
          // cloud-provider-azure probes the Service's node port (or, with externalTrafficPolicy Local, its health-check node port)
          // while the rule's floating IP sends traffic to the Service port: by design
          report({ ...base, status: "not-applicable", messageId: "kubernetes", data: pdata, evidence: [ruleEvidence] });
          continue;
        }
        if (probe.port === rule.backendPort) {
          report({ ...base, status: "pass", messageId: "match", data: pdata, evidence: [ruleEvidence] });
          continue;
        }
        // an HTTP(S) probe on its own path and on a port no rule of it carries is usually a deliberate
        // health endpoint: still a risk, a smaller one
        const dedicated =
          probe.protocol.toLowerCase() !== "tcp" &&
          (probe.requestPath ?? "/") !== "/" &&
          !probe.rules.some((r) => r.backendPort === probe.port);
        const fix = fixCommands(lb, rule, probe);
        report({
          ...base,
          status: "fail",
          messageId: dedicated ? "healthEndpoint" : "mismatch",
          severity: dedicated ? "low" : "medium",
          data: pdata,
          evidence: [
            { resourceId: lb.id, pointer: `${rule.ptr}/properties/backendPort`, label: "rule backend port" },
            { resourceId: lb.id, pointer: `${probe.ptr}/properties/port`, label: "probe port" },
          ],
          remediation: fix,
        });
      }
    }
  },
});
