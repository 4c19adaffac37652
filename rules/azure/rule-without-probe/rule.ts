import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, LbRule, LoadBalancer } from "../../../src/providers/azure/model.ts";
import { rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

const HTTP_PORTS = new Set([80, 8080]);
const HTTPS_PORTS = new Set([443, 8443]);

function fixFor(lb: LoadBalancer, rule: LbRule): { summary: string; commands: string[] } {
  const g = `--resource-group ${sh(rgOf(lb.id))} --lb-name ${sh(lb.name)}`;
  const attach = (probe: string) => `az network lb rule update ${g} --name ${sh(rule.name)} --probe-name ${sh(probe)}`;
  const haPorts = rule.protocol.toLowerCase() === "all" && rule.backendPort === 0;
  if (haPorts) {
    const existing = lb.probes[0];
    if (existing) {
      return {
        summary: `${rule.name} is an HA-ports rule: attach a probe on a port every member answers on, e.g. the existing ${existing.name} (port ${existing.port}).`,
        commands: [attach(existing.name)],
      };
    }
    return {
      summary: `${rule.name} is an HA-ports rule: create a probe on a port every member answers on (replace <health-port>) and attach it.`,
      commands: [`az network lb probe create ${g} --name probe-ha --protocol Tcp --port '<health-port>'`, attach("probe-ha")],
    };
  }
  const port = rule.backendPort;
  const existing = lb.probes.find((p) => p.port === port);
  if (existing) {
    return {
      summary: `Attach ${existing.name}, which already checks port ${port}, to ${rule.name}.`,
      commands: [attach(existing.name)],
    };
  }
  let name = `probe-${port}`;
  for (let n = 2; lb.probes.some((p) => p.name.toLowerCase() === name.toLowerCase()); n++) name = `probe-${port}-${n}`;
  const protocol = HTTPS_PORTS.has(port) ? "Https" : HTTP_PORTS.has(port) ? "Http" : "Tcp";
  const path = protocol === "Tcp" ? "" : " --path /health";
  const udp = rule.protocol.toLowerCase() === "udp";
  return {
    summary:
      `Create ${protocol === "Tcp" ? "a" : "an"} ${protocol} probe on port ${port} and attach it to ${rule.name}.` +
      (protocol === "Tcp" ? "" : " Replace /health with a path that returns 200 only when the application works.") +
      (udp ? ` Probes cannot be UDP: the service must also answer TCP (or HTTP) on port ${port}, or probe a companion TCP port.` : ""),
    commands: [`az network lb probe create ${g} --name ${sh(name)} --protocol ${protocol} --port ${port}${path}`, attach(name)],
  };
}

export default defineRule<AzureModel>({
  id: "azure/rule-without-probe",
  provider: "azure",
  severity: "high",
  // the rule's own configuration decides; rule health is only shown as evidence, so its gaps change nothing here
  reads: ["azure:loadBalancers"],
  title: "Load-balancing rule without a health probe",
  description:
    "A load-balancing rule with no health probe has no notion of health: the load balancer keeps sending new " +
    "connections to every pool member, the dead and the stopped ones included, so a share of clients time out for as " +
    "long as a member is down. Such a rule also has no health status (the rule health API returns nothing for it), so " +
    "monitoring cannot show the failure. The reference architecture for load-balanced VMs gives every rule a probe. " +
    "A cross-region (Global tier) load balancer is out of scope: a health probe cannot be configured on it, and a default probe " +
    "collects the availability of each regional load balancer by itself.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-custom-probe-overview",
      title: "Azure Load Balancer health probes",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-manage-health-status",
      title: "Manage Azure Load Balancer Health Status",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview",
    "https://learn.microsoft.com/cli/azure/network/lb/rule#az-network-lb-rule-update",
    "https://learn.microsoft.com/azure/load-balancer/cross-region-overview#limitations",
  ],
  messages: {
    noProbe:
      "Rule {{rule}} ({{protocol}} {{frontendPort}} → {{backendPort}}) has no health probe: new connections go to every member of {{pool}}, dead or alive.",
    hasProbe: "Rule {{rule}} is guarded by probe {{probe}} ({{probeProtocol}} port {{probePort}}).",
    probeMissing: "Rule {{rule}} names probe {{probe}}, which is not among the load balancer's probes in the snapshot.",
    globalTier:
      "Rule {{rule}} belongs to a cross-region (Global tier) load balancer: its health probe cannot be configured, and a default probe checks each regional load balancer's availability.",
  },
  remediation:
    "Create a probe that checks the rule's backend port (an HTTP probe on a health path for web servers) and attach it to the rule.",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      for (const rule of lb.rules) {
        const base = { resourceId: rule.id, loadBalancerId: lb.id, key: rule.name, subjects: [rule.id, lb.id] };
        const data = {
          rule: `${lb.name}/${rule.name}`,
          protocol: rule.protocol,
          frontendPort: rule.frontendPort,
          backendPort: rule.backendPort,
          pool: rule.pool?.name ?? rule.poolId?.split("/").pop() ?? "its pool",
        };
        if (isGlobalTier(lb) && !rule.probeId) {
          report({ ...base, status: "not-applicable", messageId: "globalTier", data });
          continue;
        }
        if (rule.probe) {
          report({
            ...base,
            status: "pass",
            messageId: "hasProbe",
            data: { ...data, probe: rule.probe.name, probeProtocol: rule.probe.protocol, probePort: rule.probe.port },
            evidence: [{ resourceId: lb.id, pointer: `${rule.ptr}/properties/probe`, label: "probe reference" }],
          });
          continue;
        }
        if (rule.probeId) {
          report({
            ...base,
            status: "unknown",
            messageId: "probeMissing",
            data: { ...data, probe: rule.probeId.split("/").pop() ?? rule.probeId },
            evidence: [{ resourceId: lb.id, pointer: `${rule.ptr}/properties/probe`, label: "probe reference" }],
          });
          continue;
        }
        const health = model.observations.ruleHealth.get(rule.key);
        report({
          ...base,
          status: "fail",
          messageId: "noProbe",
          data,
          evidence: [
            { resourceId: lb.id, pointer: `${rule.ptr}/properties`, label: "rule properties (no probe)" },
            ...(health ? [{ resourceId: rule.id, pointer: health.ptr, label: "rule health (empty without a probe)" }] : []),
          ],
          remediation: fixFor(lb, rule),
        });
      }
    }
  },
});
