/**
 * Which data a collection gap leaves incomplete (the `reads` keys of the
 * rules), and which resources its findings concern. The operations are the
 * SDK operation names the collectors write (`networkInterfaces.listEffectiveNetworkSecurityGroups`,
 * `loadBalancerLoadBalancingRules.health`, `resourceGraph.resources`).
 */
import { type AzureDataKey, DATA_KEYS } from "../../core/engine/reads.ts";
import type { Gap } from "../../core/snapshot/types.ts";
import { idKey } from "./arm-id.ts";
import type { AzureModel } from "./model.ts";

export const AZURE_DATA_KEYS = DATA_KEYS.azure;

const RESOURCES: AzureDataKey[] = DATA_KEYS.azure.filter(
  (k) => k !== "azure:ruleHealth" && k !== "azure:effectiveNsg" && k !== "azure:guest" && k !== "azure:metrics" && k !== "azure:changes",
);

/** An operation, and what failing it leaves out: its own data and the data only it leads to. */
const BY_OPERATION: Record<string, AzureDataKey[]> = {
  "loadbalancers.list": ["azure:loadBalancers", "azure:ruleHealth"],
  "loadbalancers.get": ["azure:loadBalancers", "azure:ruleHealth"],
  "loadbalancerloadbalancingrules.health": ["azure:ruleHealth"],
  "networkinterfaces.list": ["azure:nics", "azure:effectiveNsg"],
  "networkinterfaces.get": ["azure:nics", "azure:effectiveNsg"],
  "networkinterfaces.listvirtualmachinescalesetnetworkinterfaces": ["azure:nics", "azure:effectiveNsg"],
  "networkinterfaces.listeffectivenetworksecuritygroups": ["azure:effectiveNsg"],
  "networksecuritygroups.list": ["azure:nsgs"],
  "networksecuritygroups.get": ["azure:nsgs"],
  "applicationsecuritygroups.list": ["azure:applicationSecurityGroups"],
  "applicationsecuritygroups.get": ["azure:applicationSecurityGroups"],
  "routetables.list": ["azure:routeTables"],
  "routetables.get": ["azure:routeTables"],
  "publicipaddresses.list": ["azure:publicIps"],
  "publicipaddresses.get": ["azure:publicIps"],
  "virtualnetworks.list": ["azure:vnets"],
  "virtualnetworks.get": ["azure:vnets"],
  // a subnet's NAT gateway (its SKU and IP versions) is part of what the subnets say about outbound access
  "natgateways.list": ["azure:vnets"],
  "natgateways.get": ["azure:vnets"],
  "virtualmachines.list": ["azure:vms"],
  "virtualmachines.get": ["azure:vms"],
  "virtualmachinescalesets.list": ["azure:scaleSets", "azure:vms", "azure:nics", "azure:effectiveNsg"],
  "virtualmachinescalesetvms.list": ["azure:vms", "azure:nics", "azure:effectiveNsg"],
  "availabilitysets.list": ["azure:availabilitySets"],
  "availabilitysets.get": ["azure:availabilitySets"],
  // time data (--since, timeline)
  "metrics.list": ["azure:metrics"],
  "resourcegraph.resourcechanges": ["azure:changes"],
  "activitylogs.list": ["azure:changes"],
  // Resource Graph: one query holds every resource of a subscription
  "resourcegraph.resources": [...RESOURCES, "azure:ruleHealth", "azure:effectiveNsg"],
  "resourcegraph.subscriptions": [...DATA_KEYS.azure],
  // a subscription read through some of its resource groups only: any of its data may be in the others
  "resourcegraph.resourcegroups": [...DATA_KEYS.azure],
};

/** The data keys a gap covers. An operation lbdoctor does not know covers everything: a fault never passes a rule. */
export function azureGapData(gap: Gap): AzureDataKey[] {
  const op = gap.operation;
  if (op === "snapshot" || op === "resolve") return [];
  if (/runcommand|run-command|guest/i.test(op)) return ["azure:guest"];
  return BY_OPERATION[op.toLowerCase()] ?? [...DATA_KEYS.azure];
}

/**
 * The normalized ids whose findings a gap on one resource can change: the
 * resource, its load balancer (a load-balancing rule's), its NICs and VM, and
 * the load balancers whose pools hold them; for a subscription or resource
 * group, what the model holds in it (for a subscription read through some of
 * its resource groups only, the subscription alone). Undefined (the whole rule): a resource
 * the model cannot place.
 */
export function azureGapAffects(model: AzureModel, gap: Gap): string[] | undefined {
  if (!gap.resourceId) return undefined;
  const key = idKey(gap.resourceId);
  const parts = key.split("/");
  // a subscription read through some of its resource groups only: what was read stands on its own data, and only
  // what a rule says of the whole subscription (its scope-wide result, or one on the subscription) is in doubt
  if (gap.operation.toLowerCase() === "resourcegraph.resourcegroups" && parts[1] === "subscriptions" && parts.length === 3) return [key];
  // a subscription or resource group that could not be read: what the model holds in it
  if (parts[1] === "subscriptions" && (parts.length === 3 || (parts.length === 5 && parts[3] === "resourcegroups"))) {
    const inside = (k: string) => k.startsWith(`${key}/`);
    const out = new Set([key]);
    for (const xs of [
      model.loadBalancers,
      model.nics,
      model.vms,
      model.nsgs,
      model.vnets,
      model.subnets,
      model.routeTables,
      model.publicIps,
    ])
      for (const x of xs) if (inside(x.key)) out.add(x.key);
    return [...out];
  }
  // /subscriptions/s/resourcegroups/g/providers/ns/type/name[/child/name]
  if (parts.length < 9 || parts[5] !== "providers") return undefined;
  const type = `${parts[6]}/${parts[7]}`;
  const own = parts.slice(0, 9).join("/");
  const out = new Set([key, own]);
  const nics = new Set<string>();
  const vms = new Set<string>();
  if (type === "microsoft.network/loadbalancers") return [...out];
  if (type === "microsoft.network/networkinterfaces") nics.add(own);
  else if (type === "microsoft.compute/virtualmachines") vms.add(own);
  else if (type === "microsoft.compute/virtualmachinescalesets") {
    for (const v of model.vms) if (v.vmssId && idKey(v.vmssId) === own) vms.add(v.key);
    for (const n of model.nics) if (n.key.startsWith(`${own}/`)) nics.add(n.key);
  } else return undefined;
  for (const v of model.vms) if (vms.has(v.key)) for (const n of v.nics) nics.add(n.key);
  for (const n of model.nics) if (nics.has(n.key) && n.vm) vms.add(n.vm.key);
  for (const k of [...nics, ...vms]) out.add(k);
  for (const lb of model.loadBalancers) {
    const holds = lb.pools.some((p) =>
      p.members.some(
        (m) =>
          (m.nic && nics.has(m.nic.key)) || (m.vm && vms.has(m.vm.key)) || (m.id && nics.has(idKey(m.id).split("/").slice(0, 9).join("/"))),
      ),
    );
    if (holds) out.add(lb.key);
  }
  return [...out];
}
