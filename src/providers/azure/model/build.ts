/** Builds the Azure model from a snapshot, one section at a time. */
import type { AzureSnapshot } from "../wire-types.ts";
import { buildNics, buildVms } from "./compute.ts";
import { buildLeaves } from "./leaves.ts";
import { buildLoadBalancers } from "./load-balancers.ts";
import { buildNetwork } from "./network.ts";
import { readObservations } from "./observations.ts";
import { startBuild } from "./state.ts";
import type { AzureModel, ModelContext } from "./types.ts";

/** Builds the model. Never throws on content: what it cannot resolve becomes a gap. */
export function buildAzureModel(snapshot: AzureSnapshot, context: ModelContext = { from: [] }): AzureModel {
  const b = startBuild(snapshot);
  buildLeaves(b);
  buildNetwork(b);
  buildNics(b);
  buildVms(b);
  buildLoadBalancers(b);
  const observations = readObservations(snapshot);

  const byName = <T extends { name: string }>(xs: Iterable<T>) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
  const { resource, nic, ipConfig, vm, nsg, subnet, vnet, routeTable, publicIp, pool, availabilitySet, vmss } = b;
  return {
    provider: "azure",
    snapshot,
    context,
    loadBalancers: byName(b.lbs),
    nics: byName(nic.values()),
    vms: byName(vm.values()),
    nsgs: byName(nsg.values()),
    vnets: byName(vnet.values()),
    subnets: byName(subnet.values()),
    routeTables: byName(routeTable.values()),
    publicIps: byName(publicIp.values()),
    availabilitySets: byName(availabilitySet.values()),
    vmss: byName(vmss.values()),
    gaps: b.gaps,
    byKey: { resource, nic, ipConfig, vm, nsg, subnet, vnet, routeTable, publicIp, pool, availabilitySet, vmss },
    observations,
  };
}
