import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { weigh } from "../../../src/core/engine/observed.ts";
import type { ReportInput } from "../../../src/core/engine/types.ts";
import { compareText } from "../../../src/core/util/collate.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { nameOf } from "../../../src/providers/azure/arm-id.ts";
import {
  azPoolAdd,
  isPoolMemberNic,
  reportListGaps,
  ruleList,
  rulePools,
  vmIpConfigFor,
  vmsInAvailabilitySets,
  vmsInSubnets,
} from "../../../src/providers/azure/compute-helpers.ts";
import type { AzureModel, IpConfig, LoadBalancer, Pool, Vm } from "../../../src/providers/azure/model.ts";
import { lbFrontendIp } from "../../../src/providers/azure/model.ts";
import { observedServing } from "../../../src/providers/azure/observed.ts";
import { placeholder, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/**
 * VMs that probably belong in an empty pool: those the LB's own NAT rules
 * target (the reference architecture for load-balanced VMs gives every pool VM a NAT rule), VMs with a NIC in an
 * internal frontend's subnet, and VMs sharing an availability set with either.
 * A VM whose NIC already sits in some backend pool serves something else and
 * is left out; so are scale-set instances (their pools come from the model).
 */
function candidates(model: AzureModel, lb: LoadBalancer): Array<{ vm: Vm; ipc: IpConfig; why: string }> {
  const why = new Map<string, { vm: Vm; why: string }>();
  const add = (vm: Vm | undefined, reason: string) => {
    if (vm && vm.kind === "vm" && !why.has(vm.key) && !vm.nics.some((n) => isPoolMemberNic(model, n.key)))
      why.set(vm.key, { vm, why: reason });
  };
  for (const nr of lb.natRules) add(nr.backendIpConfig?.nic.vm, `NAT rule ${nr.name} targets it`);
  const feSubnets = new Set(lb.frontends.map((f) => f.subnet?.key).filter((x): x is string => !!x));
  // indexed once per model: an empty pool does not scan every VM
  for (const vm of vmsInSubnets(model, feSubnets)) add(vm, "it is in the frontend's subnet");
  const sets = new Set([...why.values()].map((x) => x.vm.availabilitySetId?.toLowerCase()).filter((x): x is string => !!x));
  for (const vm of vmsInAvailabilitySets(model, sets)) add(vm, "it shares the availability set");
  const vnets = new Set(
    [...why.values()].flatMap((x) => x.vm.nics.flatMap((n) => n.ipConfigs.map((c) => c.subnet?.vnetKey))).filter((x): x is string => !!x),
  );
  return [...why.values()]
    .map(({ vm, why }) => ({ vm, why, ipc: vmIpConfigFor(vm, vnets) }))
    .filter((x): x is { vm: Vm; ipc: IpConfig; why: string } => !!x.ipc)
    .sort((a, b) => compareText(a.vm.name, b.vm.name));
}

function genericFix(lb: LoadBalancer, pool: Pool): string[] {
  const rg = sh(rgOf(lb.id));
  return [
    `az network nic list --resource-group ${rg} --query "[].{nic:name, vm:virtualMachine.id, ipConfig:ipConfigurations[0].name, ip:ipConfigurations[0].privateIPAddress}" --output table`,
    // the NIC is to be filled in, and may sit in another group than the one listed: the pool goes by its id (az would
    // make a pool name into an id in the NIC's group)
    `az network nic ip-config address-pool add --resource-group ${rg} --nic-name ${placeholder("nic-name")} --ip-config-name ${placeholder("ip-config-name")} --address-pool ${sh(pool.id)}`,
  ];
}

export default defineRule<AzureModel>({
  id: "azure/backend-pool-empty",
  provider: "azure",
  severity: "critical",
  reads: ["azure:loadBalancers", "azure:nics"],
  title: "Backend pool with no members",
  description:
    "A load-balancing rule sends the connections its frontend accepts to one backend pool. " +
    "When that pool has no members (no NIC ip configuration and no IP address), every connection to the rule's frontend port is dropped: " +
    "the service is down even though the load balancer, its public IP and the VMs all look healthy. " +
    "A rule that names no pool at all behaves the same. " +
    "Severity is critical because nothing behind the rule can answer. " +
    "Membership is read from the pool's own `backendIPConfigurations` and `loadBalancerBackendAddresses` and from NICs that claim the pool, " +
    "so a failed NIC listing cannot hide members: the load balancer's body alone decides. " +
    "The reference architecture for load-balanced VMs: the backend pool holds the NICs of the VMs that receive traffic, and every VM added later needs its NIC added too. " +
    "Observations outrank inference: when the rule-health body of a rule on the pool reports backends Up, the finding is `unknown` and names the contradiction (stale configuration in the snapshot, or an unexpected path) instead of an outage.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/backend-pool-management", title: "Backend pool management" },
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/components", title: "Azure Load Balancer components" },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/backend-pool-management",
    "https://learn.microsoft.com/cli/azure/network/nic/ip-config/address-pool#az-network-nic-ip-config-address-pool-add",
  ],
  messages: {
    empty: "Backend pool {{pool}} of {{lb}} has no members: connections accepted on {{frontends}} by {{rules}} reach no backend.",
    noPool:
      "Load-balancing rule {{rule}} ({{protocol}} {{port}}) of {{lb}} names no backend pool, so connections to {{frontend}} go nowhere.",
    populated: "Backend pool {{pool}} of {{lb}} has {{count}} member(s) behind {{rules}}.",
    poolMissing: "Rule {{rule}} of {{lb}} sends traffic to backend pool {{pool}}, which the load balancer in the snapshot does not define.",
    observedServing:
      "Backend pool {{pool}} of {{lb}} has no members in the snapshot's configuration, yet {{observed}} for {{rules}}. {{note}}",
    lbListGap: "Load balancers could not be listed ({{operation}}: {{reason}}), so an empty backend pool may go unseen.",
  },
  remediation:
    "Add the NIC ip configurations of the VMs that should serve the rule to the pool (`az network nic ip-config address-pool add`), " +
    "or point the rule at the pool that holds them. Check the health probe afterwards: new members get traffic only once the probe marks them Up.",
  check({ model, report }) {
    reportListGaps(model, report, "lbListGap", ["loadBalancers.list"]);
    for (const lb of model.loadBalancers) {
      for (const rule of lb.rules) {
        const fe = rule.frontend
          ? `${rule.frontend.name}${lbFrontendIp(rule.frontend) ? ` (${lbFrontendIp(rule.frontend)})` : ""}`
          : "its frontend";
        if (!rule.poolId) {
          report({
            status: "fail",
            resourceId: rule.id,
            loadBalancerId: lb.id,
            messageId: "noPool",
            data: { rule: rule.name, protocol: rule.protocol, port: rule.frontendPort, lb: lb.name, frontend: fe },
            evidence: [
              { resourceId: lb.id, pointer: join(rule.ptr, "properties", "backendAddressPool"), label: "rule's backend pool (absent)" },
            ],
            remediation: {
              summary: `Give rule ${rule.name} a backend pool that holds the serving VMs' NICs.`,
              commands: [
                `az network lb rule update --resource-group ${sh(rgOf(lb.id))} --lb-name ${sh(lb.name)} --name ${sh(rule.name)} --backend-pool-name ${lb.pools.length === 1 && lb.pools[0] ? sh(lb.pools[0].name) : placeholder("pool-name")}`,
              ],
            },
          });
        } else if (!rule.pool) {
          report({
            status: "unknown",
            resourceId: rule.id,
            loadBalancerId: lb.id,
            messageId: "poolMissing",
            data: { rule: rule.name, lb: lb.name, pool: nameOf(rule.poolId) },
            evidence: [{ resourceId: lb.id, pointer: join(rule.ptr, "properties", "backendAddressPool"), label: "rule's backend pool" }],
          });
        }
      }
    }
    for (const { lb, pool, rules } of rulePools(model)) {
      const base = { resourceId: pool.id, loadBalancerId: lb.id, subjects: [pool.id, ...rules.map((r) => r.id)] };
      const data = { pool: pool.name, lb: lb.name, rules: ruleList(rules) };
      if (pool.members.length > 0) {
        report({ ...base, status: "pass", messageId: "populated", data: { ...data, count: pool.members.length } });
        continue;
      }
      const frontends = [...new Set(rules.map((r) => r.frontend?.name ?? "(unknown frontend)"))].join(", ");
      const found = candidates(model, lb);
      const failing: ReportInput = {
        ...base,
        status: "fail",
        messageId: "empty",
        data: { ...data, frontends },
        evidence: [
          { resourceId: lb.id, pointer: join(pool.ptr, "properties", "backendIPConfigurations"), label: "pool NIC members" },
          { resourceId: lb.id, pointer: join(pool.ptr, "properties", "loadBalancerBackendAddresses"), label: "pool IP members" },
          ...rules.map((r) => ({ resourceId: lb.id, pointer: join(r.ptr, "properties", "backendAddressPool"), label: `rule ${r.name}` })),
        ],
        remediation:
          found.length > 0
            ? {
                summary: `Add the NICs of the VMs that should serve ${rules.map((r) => r.name).join(", ")} to ${pool.name}. Candidates from the snapshot: ${found.map((c) => `${c.vm.name} (${c.why})`).join(", ")}.`,
                commands: found.map((c) => azPoolAdd(c.ipc, pool)),
              }
            : {
                summary: `No candidate VM for ${pool.name} is evident in the snapshot: list the NICs, then add the ones that should serve ${rules.map((r) => r.name).join(", ")}.`,
                commands: genericFix(lb, pool),
              },
      };
      // observations outrank inference: the platform's rule health reporting backends Up contradicts an empty pool
      report(
        weigh(failing, `pool ${pool.name} has no members, so no backend can serve`, observedServing(model, lb, rules), "observedServing"),
      );
    }
  },
});
