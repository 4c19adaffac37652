/** Builds the Azure model from a snapshot, one section at a time. */
import { sortByText } from "../../../core/util/collate.ts";
import { pointer } from "../../../core/util/json-pointer.ts";
import { azureGapAffects, azureGapData } from "../gap-data.ts";
import type { AzureSnapshot } from "../wire-types.ts";
import { buildNics, buildVms } from "./compute.ts";
import { buildLeaves } from "./leaves.ts";
import { buildLoadBalancers } from "./load-balancers.ts";
import { buildNetwork } from "./network.ts";
import { readObservations } from "./observations.ts";
import { startBuild } from "./state.ts";
import { readLbMetrics, readTime } from "./time.ts";
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
  const lbs = [...b.lbs];
  const metrics = readLbMetrics(snapshot, lbs);
  const time = readTime(snapshot, lbs, metrics);

  const byName = <T extends { name: string }>(xs: Iterable<T>) => sortByText(xs, (x) => x.name);
  const { resource, nic, ipConfig, vm, nsg, subnet, vnet, routeTable, publicIp, pool, availabilitySet, vmss } = b;
  const model: AzureModel = {
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
    metrics,
    ...(time ? { time } : {}),
  };
  annotateGaps(model, (snapshot.gaps ?? []).length);
  return model;
}

/**
 * Each collection gap's data keys, the resources it concerns and its place in the snapshot (see gap-data.ts). A gap
 * the model made with its data keys already (a load balancer the NICs name that the snapshot lacks) keeps them.
 */
function annotateGaps(model: AzureModel, fromSnapshot: number): void {
  model.gaps.forEach((g, i) => {
    if (i < fromSnapshot) g.pointer = pointer("gaps", i);
    if (g.kind !== "collection" || (i >= fromSnapshot && g.covers)) return;
    g.covers = azureGapData(g);
    const affects = azureGapAffects(model, g);
    if (affects) g.affects = affects;
  });
}
