import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { join, resolvePointer } from "../../../src/core/util/json-pointer.ts";
import { arr, obj, str } from "../../../src/core/util/wire.ts";
import { idKey } from "../../../src/providers/azure/arm-id.ts";
import { healthGap, healthReason, ruleHealthFor } from "../../../src/providers/azure/health-reasons.ts";
import type { AzureModel, Pool, PoolMember } from "../../../src/providers/azure/model.ts";
import { memberLabel, memberResourceId, memberSubjects, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/** One backend address of a pool as ARM lists it, with its admin state. */
interface AddressEntry {
  name: string;
  ptr: string;
  adminState?: string;
  ipConfigKey?: string;
  ip?: string;
}

/** The pool's `loadBalancerBackendAddresses` (undefined when the wire pool carries no such list). */
function addressEntries(model: AzureModel, pool: Pool): AddressEntry[] | undefined {
  const p = obj(obj(resolvePointer(model.snapshot, pool.ptr)).properties);
  if (!Array.isArray(p.loadBalancerBackendAddresses)) return undefined;
  return arr(p.loadBalancerBackendAddresses).map((w, i) => {
    const ap = obj(obj(w).properties);
    const e: AddressEntry = { name: str(obj(w).name) ?? String(i), ptr: join(pool.ptr, "properties", "loadBalancerBackendAddresses", i) };
    const state = str(ap.adminState);
    if (state) e.adminState = state;
    const ipc = str(obj(ap.networkInterfaceIPConfiguration).id);
    if (ipc) e.ipConfigKey = idKey(ipc);
    const ip = str(ap.ipAddress);
    if (ip) e.ip = ip;
    return e;
  });
}

function memberFor(pool: Pool, e: AddressEntry): PoolMember | undefined {
  return (
    (e.ipConfigKey && pool.members.find((m) => m.ipConfig?.key === e.ipConfigKey || m.key === e.ipConfigKey)) ||
    pool.members.find((m) => m.kind === "ip" && m.id.split("/").pop() === e.name) ||
    (e.ip ? pool.members.find((m) => m.ip === e.ip) : undefined) ||
    undefined
  );
}

export default defineRule<AzureModel>({
  id: "azure/admin-state-down",
  provider: "azure",
  severity: "low",
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
  explains: ["azure/backend-unhealthy"],
  messages: {
    down: "{{member}} in pool {{pool}} of {{lb}} has admin state Down{{where}}: it gets no new connections on rule(s) {{rules}} whatever its health probe says. If the maintenance is over, set it back to None.",
    none: "No member of pool {{pool}} of {{lb}} is set to admin state Down.",
    unmatched:
      "Backend address {{address}} of pool {{pool}} of {{lb}} has admin state Down, but it matches no pool member in the snapshot; it gets no new connections.",
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
        const entries = addressEntries(model, pool);
        const down = new Map<
          PoolMember | AddressEntry,
          { entry?: AddressEntry; health: Array<{ rule: string; ptr: string; ruleId: string }> }
        >();
        for (const e of entries ?? []) {
          if (e.adminState?.toLowerCase() !== "down") continue;
          down.set(memberFor(pool, e) ?? e, { entry: e, health: [] });
        }
        let healthSeen = false;
        for (const rule of rules) {
          const h = ruleHealthFor(model, rule);
          if (!h) continue;
          healthSeen = true;
          for (const [m, e] of h.byMember) {
            if (healthReason(e.reason)?.code !== "Down_Admin") continue;
            const cur = down.get(m) ?? { health: [] };
            cur.health.push({ rule: rule.name, ptr: e.ptr, ruleId: rule.id });
            down.set(m, cur);
          }
        }
        const rg = sh(rgOf(lb.id));
        const listCmd = `az network lb address-pool address list --resource-group ${rg} --lb-name ${sh(lb.name)} --pool-name ${sh(pool.name)} --output table`;
        for (const [who, { entry, health }] of down) {
          const isMember = "kind" in who;
          const where = [
            entry ? "on its pool address" : "",
            health.length ? `(rule health: Down_Admin on ${health.map((x) => x.rule).join(", ")})` : "",
          ]
            .filter(Boolean)
            .join(" ");
          const evidence = [
            ...(entry ? [{ resourceId: lb.id, pointer: join(entry.ptr, "properties", "adminState"), label: "admin state" }] : []),
            ...health.map((x) => ({ resourceId: x.ruleId, pointer: x.ptr, label: `rule health of ${x.rule}` })),
          ];
          const addressName = entry?.name;
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
          if (isMember) {
            const member = who as PoolMember;
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
          } else {
            const e = who as AddressEntry;
            report({
              status: "fail",
              resourceId: `${pool.id}/loadBalancerBackendAddresses/${e.name}`,
              loadBalancerId: lb.id,
              key: `${pool.name}|${e.name}`,
              messageId: "unmatched",
              data: { address: e.ip ?? e.name, pool: pool.name, lb: lb.name },
              evidence,
              remediation: { summary, commands },
            });
          }
        }
        if (down.size > 0) continue;
        const base = { resourceId: pool.id, loadBalancerId: lb.id, key: pool.name, data: { pool: pool.name, lb: lb.name } };
        if (entries === undefined && !healthSeen) {
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
