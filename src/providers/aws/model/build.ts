/** Builds the AWS model from a snapshot, one section at a time (each one needs only those before it). */
import { sortByText } from "../../../core/util/collate.ts";
import { pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { str } from "../../../core/util/wire.ts";
import { awsGapAffects, awsGapData } from "../gap-data.ts";
import { routeK8sChanges } from "../kubernetes.ts";
import { spreadPlaceGaps } from "../place-gaps.ts";
import type { AwsSnapshot } from "../wire-types.ts";
import { buildAutoScalingGroups } from "./autoscaling.ts";
import { buildInstances } from "./instances.ts";
import { buildListeners } from "./listeners.ts";
import { buildLoadBalancers } from "./load-balancers.ts";
import { buildNetworkAcls, buildRouteTables, buildSecurityGroups, buildSubnets } from "./network.ts";
import { readObservations } from "./observations.ts";
import { startBuild } from "./state.ts";
import { buildTargetGroups } from "./target-groups.ts";
import { buildTargets } from "./targets.ts";
import { readAwsTime } from "./time.ts";
import type { AwsModel, ModelContext } from "./types.ts";

/** Builds the model. Never throws on content: what it cannot resolve becomes a gap. */
export function buildAwsModel(snapshot: AwsSnapshot, context: ModelContext = { from: [] }): AwsModel {
  const st = startBuild(snapshot);
  buildSecurityGroups(st);
  buildNetworkAcls(st);
  buildRouteTables(st);
  buildSubnets(st);
  buildInstances(st);
  buildLoadBalancers(st);
  buildTargetGroups(st);
  buildListeners(st);
  buildTargets(st);
  buildAutoScalingGroups(st);
  const observations = readObservations(snapshot);

  // by name, then id (a stable sort by name of what is sorted by id)
  const byName = <T extends { name: string; id: string }>(xs: Iterable<T>) =>
    sortByText(
      sortByText(xs, (x) => x.id),
      (x) => x.name,
    );
  const { loadBalancer, listener, targetGroup, instance, securityGroup, subnet, networkAcl, routeTable, autoScalingGroup, instanceByIp } =
    st;
  const region = str(snapshot.scope?.region) ?? [...loadBalancer.values()].map((lb) => lb.region).find(Boolean);
  const model: AwsModel = {
    provider: "aws",
    snapshot,
    context,
    ...(region ? { region } : {}),
    loadBalancers: byName(loadBalancer.values()),
    listeners: byName(listener.values()),
    targetGroups: byName(targetGroup.values()),
    instances: byName(instance.values()),
    securityGroups: byName(securityGroup.values()),
    subnets: byName(subnet.values()),
    networkAcls: byName(networkAcl.values()),
    routeTables: byName(routeTable.values()),
    autoScalingGroups: byName(autoScalingGroup.values()),
    gaps: st.gaps,
    collected: st.collected,
    byKey: {
      loadBalancer,
      listener,
      targetGroup,
      instance,
      securityGroup,
      subnet,
      networkAcl,
      routeTable,
      autoScalingGroup,
      instanceByIp,
    },
    observations,
  };
  const time = readAwsTime(snapshot, model.loadBalancers);
  if (time) {
    model.time = time;
    // a (de)registration on a group Kubernetes owns is reverted by the controller, not by a raw register-targets
    routeK8sChanges(model);
  }
  annotateGaps(model, (snapshot.gaps ?? []).length);
  // several regions or accounts: a gap of one of them concerns that place's load balancers only
  model.gaps = spreadPlaceGaps(model);
  return model;
}

/** Each collection gap's data keys, the resources it concerns, its resource's name and its place in the snapshot (see gap-data.ts). */
function annotateGaps(model: AwsModel, fromSnapshot: number): void {
  model.gaps.forEach((g, i) => {
    if (i < fromSnapshot) g.pointer = pointer("gaps", i);
    if (g.kind !== "collection") return;
    g.covers = awsGapData(g);
    const affects = awsGapAffects(model, g);
    if (affects) g.affects = affects;
    if (g.resourceId) {
      const k = idKey(g.resourceId);
      const b = model.byKey;
      const name = (b.targetGroup.get(k) ?? b.loadBalancer.get(k) ?? b.listener.get(k) ?? b.instance.get(k))?.name;
      if (name) g.resourceName = name;
    }
  });
}
