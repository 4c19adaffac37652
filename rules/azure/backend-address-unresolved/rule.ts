import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { cidrContains } from "../../../src/core/util/ip.ts";
import { join, resolvePointer } from "../../../src/core/util/json-pointer.ts";
import { idKey, nameOf, parentResourceId, parseArmId } from "../../../src/providers/azure/arm-id.ts";
import { gapReason } from "../../../src/providers/azure/compute-helpers.ts";
import { type AzureModel, gapsFor, listGaps } from "../../../src/providers/azure/model.ts";
import { memberLabel, memberResourceId, memberSubjects, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

export default defineRule<AzureModel>({
  id: "azure/backend-address-unresolved",
  provider: "azure",
  severity: "medium",
  title: "IP-based backend address that no VM can answer for",
  reads: ["azure:loadBalancers", "azure:vnets", "azure:nics"],
  description:
    "A backend pool configured by IP address lists addresses and the virtual network they belong to " +
    "(`loadBalancerBackendAddresses[].properties.{ipAddress, virtualNetwork.id}`); it needs a Standard load balancer, and the backend resources " +
    "must be in that virtual network. An address outside the virtual network's address space (or in no subnet of it), one that names a virtual " +
    "network that does not exist, or one that no network interface holds, has nothing behind it: it never answers the probe and takes no traffic. " +
    "Addresses may be pre-populated before a VM holds them, so an address no NIC holds is reported at medium severity; a wrong address or " +
    "virtual network is high. A virtual network outside the collected resource group that is not in the snapshot may simply not have been " +
    "collected: that is unknown, not a failure.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/backend-pool-management", title: "Backend pool management" },
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/outbound-rules", title: "Outbound rules Azure Load Balancer" },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/backend-pool-management",
    "https://learn.microsoft.com/cli/azure/network/lb/address-pool/address",
  ],
  messages: {
    resolved: "Backend address {{address}} of pool {{pool}} ({{lb}}) belongs to {{member}}.",
    outsideSpace:
      "Backend address {{address}} of pool {{pool}} ({{lb}}) is outside the address space of {{vnet}} ({{space}}): no VM in that virtual network can hold it.",
    noSubnet:
      "Backend address {{address}} of pool {{pool}} ({{lb}}) is in {{vnet}}'s address space but in none of its subnets ({{subnets}}): no NIC can hold it.",
    vnetMissing:
      "Backend address {{address}} of pool {{pool}} ({{lb}}) names virtual network {{vnet}}, which does not exist in resource group {{rg}}.",
    vnetUnknown:
      "Backend address {{address}} of pool {{pool}} ({{lb}}) names virtual network {{vnet}}, which is not in the snapshot{{detail}}.",
    noNic:
      "Backend address {{address}} of pool {{pool}} ({{lb}}) is held by no network interface in the snapshot: nothing answers there, so it is never Up. If it was pre-populated for a VM not created yet, that is expected until the VM exists.",
    nicsUnknown:
      "Backend address {{address}} of pool {{pool}} ({{lb}}): network interfaces could not all be collected{{detail}}, so whether a NIC holds it is unknown.",
    foreignIpConfigs:
      "Backend address {{address}} of pool {{pool}} ({{lb}}) is held by no network interface in the snapshot, but subnet {{subnet}} also serves {{count}} ip configuration(s) from outside it ({{examples}}), one of which may hold it: collect their resource group(s) to decide.",
  },
  remediation:
    "Correct the address (or its virtual network) to the private IP of the VM that should serve, or remove the entry: " +
    "`az network lb address-pool address update|remove --resource-group <rg> --lb-name <lb> --pool-name <pool> --name <address>`. " +
    "Check what the pool holds with `az network lb address-pool address list`.",
  check({ model, report }) {
    const nicListGap = listGaps(model, "networkInterfaces.list")[0];
    const scope = model.snapshot.scope;
    for (const lb of model.loadBalancers) {
      for (const pool of lb.pools) {
        for (const m of pool.members) {
          if (m.kind !== "ip") continue;
          const address = m.ip ?? nameOf(m.id);
          const base = {
            resourceId: memberResourceId(m),
            resourceName: `${pool.name}/${nameOf(m.id)}`,
            loadBalancerId: lb.id,
            key: `${pool.name}|${m.key}`,
            subjects: memberSubjects(m),
          };
          const data = { address, pool: pool.name, lb: lb.name };
          const entryEv = { resourceId: lb.id, pointer: m.ptr, label: "backend address" };
          const rg = sh(rgOf(lb.id));
          const fixCmds = [
            `az network lb address-pool address list --resource-group ${rg} --lb-name ${sh(lb.name)} --pool-name ${sh(pool.name)} --output table`,
            `az network lb address-pool address remove --resource-group ${rg} --lb-name ${sh(lb.name)} --pool-name ${sh(pool.name)} --name ${sh(nameOf(m.id))}`,
          ];
          if (m.ipConfig) {
            report({ ...base, status: "pass", messageId: "resolved", data: { ...data, member: memberLabel(m) }, evidence: [entryEv] });
            continue;
          }
          if (m.vnetId) {
            const vnet = model.byKey.vnet.get(idKey(m.vnetId));
            const vnetEv = { resourceId: lb.id, pointer: join(m.ptr, "properties", "virtualNetwork"), label: "virtual network" };
            if (!vnet) {
              const parsed = parseArmId(m.vnetId);
              const inScope =
                (parsed.resourceGroup ?? "").toLowerCase() === String(scope.resourceGroup ?? "").toLowerCase() &&
                (scope.subscriptionId === undefined ||
                  (parsed.subscriptionId ?? "").toLowerCase() === String(scope.subscriptionId).toLowerCase());
              const gaps = gapsFor(model, [m.vnetId]).filter((g) => g.kind === "collection");
              const notFound = gaps.some((g) => g.status === 404 || /notfound/i.test(g.code ?? ""));
              const listGap = listGaps(model, "virtualNetworks.list")[0];
              if ((inScope && !listGap && gaps.length === 0) || notFound) {
                report({
                  ...base,
                  status: "fail",
                  severity: "high",
                  messageId: "vnetMissing",
                  data: { ...data, vnet: nameOf(m.vnetId), rg: parsed.resourceGroup ?? "?" },
                  evidence: [entryEv, vnetEv],
                  remediation: {
                    summary: `Point the address at the virtual network that holds the VM ${address}, or remove the entry.`,
                    commands: fixCmds,
                  },
                });
              } else {
                const why = gapReason(model, [m.vnetId], ["virtualNetworks.list"]);
                const detail = why
                  ? ` (${why})`
                  : inScope
                    ? ""
                    : ` (it is in resource group ${parsed.resourceGroup ?? "?"}, outside the collected scope)`;
                report({
                  ...base,
                  status: "unknown",
                  messageId: "vnetUnknown",
                  data: { ...data, vnet: nameOf(m.vnetId), detail },
                  evidence: [entryEv, vnetEv],
                });
              }
              continue;
            }
            if (m.ip && !m.ip.includes(":")) {
              const ip = m.ip;
              const space = vnet.addressSpace;
              if (space.length > 0 && !space.some((c) => cidrContains(c, ip))) {
                report({
                  ...base,
                  status: "fail",
                  severity: "high",
                  messageId: "outsideSpace",
                  data: { ...data, vnet: vnet.name, space: space.join(", ") },
                  evidence: [
                    entryEv,
                    { resourceId: vnet.id, pointer: join(vnet.ptr, "properties", "addressSpace"), label: "address space" },
                  ],
                  remediation: {
                    summary: `Correct ${address} to the private IP of the VM that should serve (in ${space.join(", ")}), or remove the entry.`,
                    commands: fixCmds,
                  },
                });
                continue;
              }
              const prefixes = vnet.subnets.flatMap((s) => s.prefixes);
              if (prefixes.length > 0 && !prefixes.some((c) => cidrContains(c, ip))) {
                report({
                  ...base,
                  status: "fail",
                  severity: "high",
                  messageId: "noSubnet",
                  data: { ...data, vnet: vnet.name, subnets: vnet.subnets.map((s) => `${s.name} ${s.prefixes.join(" ")}`).join(", ") },
                  evidence: [entryEv, { resourceId: vnet.id, pointer: join(vnet.ptr, "properties", "subnets"), label: "subnets" }],
                  remediation: {
                    summary: `Correct ${address} to the private IP of the VM that should serve, or remove the entry.`,
                    commands: fixCmds,
                  },
                });
                continue;
              }
            }
          }
          // a subnet lists every ip configuration in it, whatever resource group its NIC is in: one the snapshot lacks may hold the address
          const foreign = m.ip ? foreignIpConfigs(model, m.ip, m.vnetId) : undefined;
          if (foreign && foreign.ids.length > 0) {
            report({
              ...base,
              status: "unknown",
              messageId: "foreignIpConfigs",
              data: {
                ...data,
                subnet: foreign.subnet,
                count: foreign.ids.length,
                examples: foreign.ids
                  .slice(0, 3)
                  .map((id) => `${nameOf(parentResourceId(id))}/${nameOf(id)} in ${rgOf(id)}`)
                  .join(", "),
              },
              evidence: [entryEv, { resourceId: foreign.subnetId, pointer: foreign.ptr, label: "subnet ip configurations" }],
            });
            continue;
          }
          if (nicListGap) {
            report({
              ...base,
              status: "unknown",
              messageId: "nicsUnknown",
              data: { ...data, detail: ` (${nicListGap.operation}: ${nicListGap.message})` },
              evidence: [entryEv],
            });
            continue;
          }
          report({
            ...base,
            status: "fail",
            messageId: "noNic",
            data,
            evidence: [entryEv],
            remediation: {
              summary: `Create or attach the VM that should hold ${address}, correct the address, or remove the entry. If its NIC lives in another resource group, collect that group too.`,
              commands: fixCmds,
            },
          });
        }
      }
    }
  },
});

/**
 * The NIC ip configurations the subnet that holds `ip` lists (`subnet.properties.ipConfigurations`) but the snapshot lacks:
 * NICs of resource groups that were not collected.
 */
function foreignIpConfigs(
  model: AzureModel,
  ip: string,
  vnetId: string | undefined,
): { subnet: string; subnetId: string; ptr: string; ids: string[] } | undefined {
  if (ip.includes(":")) return undefined;
  const vnets = vnetId ? [model.byKey.vnet.get(idKey(vnetId))].filter((v) => v !== undefined) : model.vnets;
  for (const vnet of vnets) {
    const subnet = vnet.subnets.find((x) => x.prefixes.some((c) => cidrContains(c, ip)));
    if (!subnet) continue;
    const wire = resolvePointer(model.snapshot, subnet.ptr) as { properties?: { ipConfigurations?: unknown } } | undefined;
    const list = wire?.properties?.ipConfigurations;
    if (!Array.isArray(list)) return undefined;
    const ids = list
      .map((r) => (r as { id?: unknown } | null)?.id)
      // NIC ip configurations only (a frontend or gateway ip configuration in the subnet holds no backend address)
      .filter((id): id is string => typeof id === "string" && /\/networkInterfaces\/[^/]+\/ipConfigurations\//i.test(id))
      .filter((id) => !model.byKey.ipConfig.has(idKey(id)));
    return { subnet: subnet.name, subnetId: subnet.id, ptr: join(subnet.ptr, "properties", "ipConfigurations"), ids };
  }
  return undefined;
}
