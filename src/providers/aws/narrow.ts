/**
 * A model of several regions or accounts, narrowed to the places a positional scope names (a load balancer: its
 * region and account; a region: that region). What is elsewhere leaves the analysis: its load balancers, EC2 objects
 * (an IP or an id of another region never resolves there), Auto Scaling groups, time data and gaps (a
 * DescribeSecurityGroups refused in another account must not make this one's security-group rules unknown), and the
 * report's scope says only the places kept.
 */
import type { Gap } from "../../core/snapshot/types.ts";
import { idKey } from "../../core/util/resource-id.ts";
import { arr, obj, str } from "../../core/util/wire.ts";
import { routeK8sChanges } from "./kubernetes.ts";
import { type AwsLocation, arnLocation, awsLocate, gapMessagePlace } from "./location.ts";
import { readAwsTime } from "./model/time.ts";
import type { AwsModel } from "./model.ts";
import { isPlaceGapCopy } from "./place-gaps.ts";
import type { AwsSnapshot } from "./wire-types.ts";

/** The place a wide collection's gap message starts with (scale.ts `where`: "account 1…, region r: …"). */
function gapPlace(gap: Gap, model: AwsModel): AwsLocation | undefined {
  const byMessage = gapMessagePlace(gap.message);
  if (byMessage) return byMessage;
  if (!gap.resourceId) return undefined;
  return arnLocation(gap.resourceId) ?? awsLocate({ resourceId: gap.resourceId }, model);
}

/**
 * The model, narrowed: its lists, lookups, gaps and time data without what is elsewhere. The snapshot stays the
 * one the user has (every evidence pointer still points into that file); only the scope it reports is narrowed.
 * Undefined when the snapshot is of one place, or the scope names none.
 */
export function narrowAwsModel(model: AwsModel, scope: { loadBalancerIds: string[]; groups: string[] }): AwsModel | undefined {
  const snapshot = model.snapshot;
  const regions = new Set(model.loadBalancers.map((lb) => arnLocation(lb.arn)?.region).filter(Boolean));
  const accounts = new Set(model.loadBalancers.map((lb) => arnLocation(lb.arn)?.account).filter(Boolean));
  for (const r of arr(snapshot.scope?.regions)) if (str(r)) regions.add(str(r));
  for (const a of arr(snapshot.scope?.accounts)) if (str(a)) accounts.add(str(a));
  // one place: nothing to narrow
  if (regions.size <= 1 && accounts.size <= 1) return undefined;
  const chosen: AwsLocation[] = [
    ...scope.loadBalancerIds.map((id) => arnLocation(id) ?? {}),
    ...scope.groups.map((region) => ({ region: region.toLowerCase() })),
  ];
  if (chosen.length === 0) return undefined;
  // what is placed nowhere (a hand-built snapshot) stays; what is placed stays when a chosen place holds it
  const here = (loc: AwsLocation | undefined): boolean =>
    (!loc?.region && !loc?.account) ||
    chosen.some(
      (c) =>
        (!loc.region || !c.region || c.region.toLowerCase() === loc.region.toLowerCase()) &&
        (!loc.account || !c.account || c.account === loc.account),
    );
  const byArn = (x: { arn?: string | undefined; id: string }) => here(arnLocation(x.arn ?? x.id));
  // an EC2 object by its region only: a shared VPC's subnets, NACLs and route tables belong to its owner's account,
  // and a load balancer of another account in that region uses them
  const byRegion = (x: { id: string }) => {
    const { region } = awsLocate({ resourceId: x.id }, model);
    return here(region ? { region } : undefined);
  };
  const lookup = <T extends { key: string }>(kept: T[]) => new Map(kept.map((x) => [x.key, x]));

  const loadBalancers = model.loadBalancers.filter(byArn);
  const listeners = model.listeners.filter(byArn);
  const targetGroups = model.targetGroups.filter(byArn);
  const instances = model.instances.filter(byRegion);
  const securityGroups = model.securityGroups.filter(byRegion);
  const subnets = model.subnets.filter(byRegion);
  const networkAcls = model.networkAcls.filter(byRegion);
  const routeTables = model.routeTables.filter(byRegion);
  const autoScalingGroups = model.autoScalingGroups.filter((g) => (g.arn ? byArn({ arn: g.arn, id: g.id }) : true));
  const instanceKeys = new Set(instances.map((i) => i.key));
  // a gap of a place made into one per load balancer (place-gaps.ts): those of the load balancers named, and of what
  // is kept in a region named
  const named = new Set(scope.loadBalancerIds.map(idKey));
  const kept = new Set([...loadBalancers, ...targetGroups].map((x) => x.key));
  for (const g of autoScalingGroups) kept.add(idKey(g.arn ?? g.name));
  const groups = new Set(scope.groups.map((r) => r.toLowerCase()));
  const keepCopy = (g: Gap): boolean => {
    const k = idKey(g.resourceId ?? "");
    const region = arnLocation(g.resourceId)?.region?.toLowerCase();
    return named.has(k) || (kept.has(k) && region !== undefined && groups.has(region));
  };
  const instanceByIp = new Map([...model.byKey.instanceByIp].filter(([, i]) => instanceKeys.has(i.key)));

  const partitions = arr(snapshot.scope?.partitions).filter((p) => here(obj(p) as AwsLocation));
  const placed = new Set([...loadBalancers.map((lb) => arnLocation(lb.arn)?.account), ...partitions.map((p) => str(obj(p).account))]);
  const sorted = (xs: Set<string | undefined>, keep: (x: string) => boolean) => [...xs].filter((x): x is string => !!x && keep(x)).sort();
  const keptRegions = sorted(regions, (r) => chosen.some((c) => c.region?.toLowerCase() === r.toLowerCase()));
  const keptAccounts = sorted(accounts, (a) => placed.has(a));
  const narrowedScope: AwsSnapshot["scope"] = {
    ...snapshot.scope,
    ...(keptRegions.length === 1 ? { region: keptRegions[0] } : {}),
    ...(Array.isArray(snapshot.scope?.regions) ? { regions: keptRegions } : {}),
    ...(Array.isArray(snapshot.scope?.accounts) ? { accounts: keptAccounts } : {}),
    ...(Array.isArray(snapshot.scope?.partitions) ? { partitions } : {}),
    ...(Array.isArray(snapshot.scope?.loadBalancers) ? { loadBalancers: loadBalancers.map((lb) => lb.name) } : {}),
  };
  const out: AwsModel = {
    ...model,
    snapshot: { ...snapshot, scope: narrowedScope },
    loadBalancers,
    listeners,
    targetGroups,
    instances,
    securityGroups,
    subnets,
    networkAcls,
    routeTables,
    autoScalingGroups,
    gaps: model.gaps.filter((g) => here(gapPlace(g, model)) && (!isPlaceGapCopy(g) || keepCopy(g))),
    byKey: {
      loadBalancer: lookup(loadBalancers),
      listener: lookup(listeners),
      targetGroup: lookup(targetGroups),
      instance: lookup(instances),
      securityGroup: lookup(securityGroups),
      subnet: lookup(subnets),
      networkAcl: lookup(networkAcls),
      routeTable: lookup(routeTables),
      autoScalingGroup: new Map(autoScalingGroups.map((g) => [idKey(g.arn ?? g.name), g])),
      instanceByIp,
    },
    observations: { guest: new Map([...model.observations.guest].filter(([id]) => instanceKeys.has(idKey(id)))) },
  };
  if (keptRegions.length === 1) out.region = keptRegions[0] as string;
  else delete out.region;
  if (model.time) {
    // the kept load balancers' series and spikes; changes on what is here
    const time = readAwsTime(model.snapshot, loadBalancers);
    if (time) {
      out.time = { ...time, changes: time.changes.filter((c) => here(awsLocate({ resourceId: c.resourceId }, model))) };
      routeK8sChanges(out);
    }
  }
  return out;
}
