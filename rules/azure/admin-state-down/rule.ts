import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { resolvePointer } from "../../../src/core/util/json-pointer.ts";
import { obj, str } from "../../../src/core/util/wire.ts";
import { healthGap, healthReason, ruleHealthFor } from "../../../src/providers/azure/health-reasons.ts";
import type { AzureModel, Pool, PoolMember } from "../../../src/providers/azure/model.ts";
import { memberLabel, memberResourceId, memberSubjects, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/**
 * Whether the wire pool carries a `loadBalancerBackendAddresses` list (where admin state lives): an address with an admin
 * state is an entry of it (a NIC-based member too, naming its ip configuration), so the list shows every admin state Down.
 */
function hasAddressList(model: AzureModel, pool: Pool): boolean {
  return Array.isArray(obj(obj(resolvePointer(model.snapshot, pool.ptr)).properties).loadBalancerBackendAddresses);
}

export default defineRule<AzureModel>({
  id: "azure/admin-state-down",
  provider: "azure",
  severity: "low",
  // rule health is read, but decides only for a pool without an address list, and the rule reports that case unknown
  // itself (with the health gap): a rule-health gap does not make the address list's answer unknown
  reads: ["azure:loadBalancers"],
  title: "Backend member taken out of rotation with admin state Down",
  description:
    "Admin state overrides the health probe per backend pool instance: `Down` makes the load balancer ignore the probe and admit no new " +
    "connections to that member (established TCP connections stay; UDP flows move to another healthy instance), `Up` admits new connections " +
    "whatever the probe says, `None` lets the probe decide. It is set on the pool's backend address (`loadBalancerBackendAddresses[].properties.adminState`), " +
    "and rule health then reports the member Down with the reason `Down_Admin`. Taking a member down for maintenance is intentional, so the " +
    "severity is low, but a member left Down after the maintenance is capacity nobody knows is missing. " +
    "This finding explains the member's `azure/backend-unhealthy` Down, which is then reported at low severity rather than as a probe failure. " +
    "Admin state applies only to load-balancing rules with a health probe, and is set per pool: a pool used by several rules is Down for all of them.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/admin-state-overview",
      title: "Administrative State (Admin State) in Azure Load Balancer",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-manage-health-status",
      title: "Manage Azure Load Balancer Health Status",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/admin-state-overview",
    "https://learn.microsoft.com/cli/azure/network/lb/address-pool/address#az-network-lb-address-pool-address-update",
  ],
  // a member taken out of rotation can leave its pool with one member that serves (azure/single-backend counts it out)
  explains: ["azure/backend-unhealthy", "azure/single-backend"],
  messages: {
    down: "{{member}} in pool {{pool}} of {{lb}} has admin state Down{{where}}: it gets no new connections on rule(s) {{rules}} whatever its health probe says. If the maintenance is over, set it back to None.",
    none: "No member of pool {{pool}} of {{lb}} is set to admin state Down.",
    notVisible:
      "Pool {{pool}} of {{lb}}: the snapshot holds neither the pool's backend address list nor rule health{{detail}}, so an admin state Down cannot be seen.",
  },
  remediation:
    "If the member's maintenance is over, set its admin state back to `None` (the probe decides again): " +
    "`az network lb address-pool address update --resource-group <rg> --lb-name <lb> --pool-name <pool> --name <address> --admin-state None`. " +
    "List the pool's addresses and their admin states first with `az network lb address-pool address list`.",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      for (const pool of lb.pools) {
        const rules = lb.rules.filter((r) => r.pool === pool);
        if (pool.members.length === 0 || rules.length === 0) continue;
        const ruleNames = rules.map((r) => r.name).join(", ");
        const listed = hasAddressList(model, pool);
        const down = new Map<PoolMember, Array<{ rule: string; ptr: string; ruleId: string }>>();
        for (const m of pool.members) if (m.adminState?.toLowerCase() === "down") down.set(m, []);
        let healthSeen = false;
        for (const rule of rules) {
          const h = ruleHealthFor(model, rule);
          if (!h) continue;
          healthSeen = true;
          for (const [m, e] of h.byMember) {
            if (healthReason(e.reason)?.code !== "Down_Admin") continue;
            const cur = down.get(m) ?? [];
            cur.push({ rule: rule.name, ptr: e.ptr, ruleId: rule.id });
            down.set(m, cur);
          }
        }
        const rg = sh(rgOf(lb.id));
        const listCmd = `az network lb address-pool address list --resource-group ${rg} --lb-name ${sh(lb.name)} --pool-name ${sh(pool.name)} --output table`;
        for (const [member, health] of down) {
          const onAddress = member.adminState?.toLowerCase() === "down";
          const where = [
            onAddress ? "on its pool address" : "",
            health.length ? `(rule health: Down_Admin on ${health.map((x) => x.rule).join(", ")})` : "",
          ]
            .filter(Boolean)
            .join(" ");
          const evidence = [
            ...(onAddress && member.adminStatePtr ? [{ resourceId: lb.id, pointer: member.adminStatePtr, label: "admin state" }] : []),
            ...health.map((x) => ({ resourceId: x.ruleId, pointer: x.ptr, label: `rule health of ${x.rule}` })),
          ];
          // the address's name: the last segment of its pointer's entry, read from the wire
          const addressName = onAddress && member.adminStatePtr ? addressNameAt(model, member.adminStatePtr) : undefined;
          const commands = [
            listCmd,
            ...(addressName
              ? [
                  `az network lb address-pool address update --resource-group ${rg} --lb-name ${sh(lb.name)} --pool-name ${sh(pool.name)} --name ${sh(addressName)} --admin-state None`,
                ]
              : []),
          ];
          const summary = addressName
            ? `When the maintenance is over, set address ${addressName} back to admin state None so that the probe decides again.`
            : "When the maintenance is over, set the member's admin state back to None (find the address's name in the list below).";
          report({
            status: "fail",
            resourceId: memberResourceId(member),
            loadBalancerId: lb.id,
            key: `${pool.name}|${member.key}`,
            subjects: memberSubjects(member),
            messageId: "down",
            data: { member: memberLabel(member), pool: pool.name, lb: lb.name, rules: ruleNames, where: where ? ` ${where}` : "" },
            evidence,
            remediation: { summary, commands },
          });
        }
        if (down.size > 0) continue;
        const base = { resourceId: pool.id, loadBalancerId: lb.id, key: pool.name, data: { pool: pool.name, lb: lb.name } };
        if (!listed && !healthSeen) {
          const gap = rules.map((r) => healthGap(model, r)).find((g) => !!g);
          report({
            ...base,
            status: "unknown",
            messageId: "notVisible",
            data: { ...base.data, detail: gap ? ` (${gap.operation}: ${gap.message})` : "" },
            evidence: [{ resourceId: lb.id, pointer: pool.ptr, label: "backend pool" }],
          });
        } else {
          report({
            ...base,
            status: "pass",
            messageId: "none",
            evidence: [{ resourceId: lb.id, pointer: pool.ptr, label: "backend pool" }],
          });
        }
      }
    }
  },
});

/** The `name` of the backend address whose `adminState` the pointer names (…/loadBalancerBackendAddresses/i/properties/adminState). */
function addressNameAt(model: AzureModel, adminStatePtr: string): string | undefined {
  return str(obj(resolvePointer(model.snapshot, adminStatePtr.replace(/\/properties\/adminState$/, ""))).name);
}
