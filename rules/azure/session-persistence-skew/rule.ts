import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { kubectlPatch, ownedNote } from "../../../src/providers/azure/aks.ts";
import { reportListGaps } from "../../../src/providers/azure/compute-helpers.ts";
import type { AzureModel } from "../../../src/providers/azure/model.ts";
import { rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

const MODES: Record<string, string> = {
  sourceip: "client IP, the 2-tuple of source and destination IP",
  sourceipprotocol: "client IP and protocol, the 3-tuple of source IP, destination IP and protocol",
};

export default defineRule<AzureModel>({
  id: "azure/session-persistence-skew",
  provider: "azure",
  severity: "low",
  // the rule's load distribution decides; rule health only adds a sentence, so its gaps change nothing here
  reads: ["azure:loadBalancers"],
  title: "Session persistence skews distribution",
  description:
    "By default Azure Load Balancer spreads connections with a 5-tuple hash (source IP and port, destination IP and port, protocol). " +
    "With `loadDistribution` `SourceIP` (portal: Client IP) or `SourceIPProtocol` (Client IP and protocol), every connection from one client IP goes to the same backend. " +
    "The backend-traffic troubleshooting guide names this as the first cause of uneven traffic, and the second: clients behind a proxy or NAT (a corporate egress, carrier-grade NAT, " +
    "an Application Gateway or another proxy tier in front of an internal LB) look like one client, so one VM takes all of them. " +
    "This is a configuration risk, not an outage: the rule fails even when rule health shows every member Up, because health says nothing about how evenly flows land. " +
    "Severity is low; the fix is one setting, to be kept only when the application really needs a client to stick to one server.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/distribution-mode-concepts",
      title: "Azure Load Balancer distribution modes",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
      title: "Troubleshoot Azure Load Balancer backend traffic responses",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/distribution-mode-concepts",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
    "https://learn.microsoft.com/cli/azure/network/lb/rule#az-network-lb-rule-update",
  ],
  messages: {
    persistent:
      "Rule {{rule}} ({{protocol}} {{port}}) of {{lb}} uses session persistence {{mode}} ({{meaning}}): all connections from one client IP land on one member of {{pool}}, so clients behind a proxy or NAT pile onto a single backend.{{health}}",
    hashed: "Rule {{rule}} ({{protocol}} {{port}}) of {{lb}} spreads connections with the default 5-tuple hash.",
    unrecognized: "Rule {{rule}} of {{lb}} has load distribution '{{mode}}', which lbdoctor does not recognize.",
    lbListGap: "Load balancers could not be listed ({{operation}}: {{reason}}), so rules with session persistence may go unseen.",
  },
  remediation:
    "Set the rule's load distribution back to `Default` (5-tuple hash). Keep Client IP persistence only when a client must return to the same server " +
    "across connections (in-memory sessions with no shared store, Remote Desktop Gateway and similar multi-connection protocols), and then watch per-backend " +
    "load in Load Balancer Insights' flow distribution.",
  check({ model, report }) {
    reportListGaps(model, report, "lbListGap", ["loadBalancers.list"]);
    for (const lb of model.loadBalancers) {
      for (const rule of lb.rules) {
        const mode = rule.loadDistribution;
        const data = {
          rule: rule.name,
          protocol: rule.protocol,
          port: rule.frontendPort,
          lb: lb.name,
          mode,
          pool: rule.pool?.name ?? "its pool",
        };
        const base = { resourceId: rule.id, loadBalancerId: lb.id, subjects: [rule.id, ...(rule.pool ? [rule.pool.id] : [])] };
        const field = { resourceId: lb.id, pointer: join(rule.ptr, "properties", "loadDistribution"), label: "load distribution" };
        const meaning = MODES[mode.toLowerCase()];
        if (mode.toLowerCase() === "default") {
          report({ ...base, status: "pass", messageId: "hashed", data, evidence: [field] });
          continue;
        }
        if (!meaning) {
          report({ ...base, status: "unknown", messageId: "unrecognized", data, evidence: [field] });
          continue;
        }
        const health = model.observations.ruleHealth.get(rule.key);
        const addrs = health?.body.loadBalancerBackendAddresses ?? [];
        const allUp = addrs.length > 0 && addrs.every((a) => a.state?.toLowerCase() === "up");
        report({
          ...base,
          status: "fail",
          messageId: "persistent",
          data: {
            ...data,
            meaning,
            health: allUp ? ` Rule health shows all ${addrs.length} members Up: the members are fine, the split between them is not.` : "",
          },
          evidence: [field, ...(health ? [{ resourceId: rule.id, pointer: health.ptr, label: "rule health" }] : [])],
          remediation: rule.kubernetes
            ? {
                // cloud-provider-azure sets SourceIP from the Service's sessionAffinity: ClientIP, and reverts a direct change
                summary:
                  `${ownedNote(rule.kubernetes)} The rule's Client IP persistence comes from the Service's \`sessionAffinity: ClientIP\`; ` +
                  "set it back to None unless the application needs a client on the same pod across connections.",
                commands: kubectlPatch(rule.kubernetes, { spec: { sessionAffinity: "None" } }),
              }
            : {
                summary:
                  `Return ${rule.name} to the default 5-tuple hash so new connections spread across all healthy members of ${data.pool}. ` +
                  "Keep persistence only if the application needs a client on the same server across connections; then expect skew from clients behind proxies or NAT.",
                commands: [
                  `az network lb rule update --resource-group ${sh(rgOf(lb.id))} --lb-name ${sh(lb.name)} --name ${sh(rule.name)} --load-distribution Default`,
                ],
              },
        });
      }
    }
  },
});
