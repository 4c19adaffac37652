import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import type { AzureModel, PoolMember, Vm } from "../../../src/providers/azure/model.ts";
import { memberLabel, memberSubjects, placeholder, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

const nicCount = (vm: Vm) => Math.max(vm.nicIds.length, vm.nics.length);

export default defineRule<AzureModel>({
  id: "azure/single-nic-hairpin",
  provider: "azure",
  severity: "medium",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms"],
  title: "Co-hosted applications on single-NIC VMs behind one internal load balancer pool",
  description:
    "When one backend pool of an internal load balancer serves two or more load-balancing rules, several applications (or endpoints) run " +
    "on the same VMs. If one of them calls another through the load balancer's frontend over the same NIC, the flow can be mapped back to " +
    "the calling VM, which the backend-traffic troubleshooting guide calls unsupported: it fails (cause 3) or times out intermittently (cause 4). Single-NIC VMs cannot " +
    "separate the applications by NIC and IP. This is a design risk, not an observed failure (azure/ilb-self-access reports an observed " +
    "call), so severity is medium.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
      title: "Troubleshoot Azure Load Balancer backend traffic responses",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-multivip-overview",
      title: "Multiple frontends for Azure Load Balancer",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-multivip-overview",
  ],
  messages: {
    risk: "Pool {{pool}} of internal load balancer {{lb}} serves {{ruleCount}} rules ({{rules}}) on single-NIC VMs ({{vms}}): if these applications call each other through {{frontends}}, flows mapped back to the calling VM fail.",
    oneRule: "Pool {{pool}} of {{lb}} serves one rule ({{rules}}), so its VMs host one load-balanced endpoint.",
    multiNic:
      "Pool {{pool}} of {{lb}} serves {{ruleCount}} rules, and every member VM has more than one NIC ({{vms}}), so each application can have its own NIC and IP.",
    vmUnknown:
      "Pool {{pool}} of {{lb}} serves {{ruleCount}} rules, but the VMs behind {{members}} are not in the snapshot, so their NIC count is not known.",
  },
  remediation:
    "Give each application its own backend pool of VMs, or run the applications on dual-NIC VMs so each uses its own NIC and IP, or put a " +
    "proxy (Application Gateway, nginx, haproxy) in front of the backends instead of calling the internal load balancer from them.",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      if (!lb.isInternal) continue;
      for (const pool of lb.pools) {
        const rules = lb.rules.filter((r) => r.pool === pool);
        if (rules.length === 0 || pool.members.length === 0) continue;
        const base = { resourceId: pool.id, resourceName: `${lb.name}/${pool.name}`, loadBalancerId: lb.id };
        const ruleNames = rules.map((r) => r.name).join(", ");
        const data = { pool: pool.name, lb: lb.name, rules: ruleNames, ruleCount: rules.length };
        const poolEv = { resourceId: lb.id, pointer: pool.ptr, label: "backend pool" };
        const ruleEvs = rules.map((r) => ({ resourceId: lb.id, pointer: r.ptr, label: "load-balancing rule" }));
        if (rules.length < 2) {
          report({ ...base, status: "pass", messageId: "oneRule", data, evidence: ruleEvs });
          continue;
        }
        const single = pool.members.filter((m): m is PoolMember & { vm: Vm } => !!m.vm && nicCount(m.vm) <= 1);
        const noVm = pool.members.filter((m) => !m.vm);
        if (single.length > 0) {
          const frontends = [
            ...new Set(rules.map((r) => `${r.frontend?.privateIp ?? r.frontend?.name ?? "?"}:${r.frontendPort || "*"}`)),
          ].join(", ");
          const rg = sh(rgOf(lb.id));
          const moved = rules.slice(1);
          report({
            ...base,
            status: "fail",
            messageId: "risk",
            key: "risk",
            subjects: [pool.key, ...single.flatMap(memberSubjects)],
            data: { ...data, vms: single.map(memberLabel).join(", "), frontends },
            evidence: [
              poolEv,
              ...ruleEvs,
              ...single.map((m) => ({
                resourceId: m.vm.id,
                pointer: join(m.vm.ptr, "properties", "networkProfile", "networkInterfaces"),
                label: "the VM's NICs",
              })),
            ],
            remediation: {
              summary:
                moved
                  .map(
                    (r) =>
                      `Give ${r.name} its own pool: create pool-${r.name}, add the NICs of only the VMs that serve it ` +
                      `(az network nic ip-config address-pool add --resource-group ${placeholder("rg")} --nic-name ${placeholder("nic")} --ip-config-name ${placeholder("ipconfig")} --address-pool ${sh(`${lb.id}/backendAddressPools/pool-${r.name}`)}), ` +
                      `and only then move the rule (az network lb rule update --resource-group ${rg} --lb-name ${sh(lb.name)} --name ${sh(r.name)} --backend-pool-name ${sh(`pool-${r.name}`)}); moving it to an empty pool cuts its traffic.`,
                  )
                  .join(" ") +
                " Or move the applications to dual-NIC VMs, one NIC and IP per application, or call them through a proxy " +
                "(Application Gateway, nginx, haproxy) instead of the internal load balancer.",
              commands: [
                ...moved.map(
                  (r) => `az network lb address-pool create --resource-group ${rg} --lb-name ${sh(lb.name)} --name ${sh(`pool-${r.name}`)}`,
                ),
                `az network lb rule list --resource-group ${rg} --lb-name ${sh(lb.name)} --output table`,
              ],
            },
          });
        } else if (noVm.length > 0) {
          report({
            ...base,
            status: "unknown",
            messageId: "vmUnknown",
            data: { ...data, members: noVm.map(memberLabel).join(", ") },
            evidence: [poolEv],
          });
        } else {
          const vms = pool.members.map((m) => `${m.vm?.name}: ${m.vm ? nicCount(m.vm) : "?"} NICs`).join(", ");
          report({ ...base, status: "pass", messageId: "multiNic", data: { ...data, vms }, evidence: [poolEv] });
        }
      }
    }
  },
});
