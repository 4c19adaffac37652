/**
 * A collection gap of one account and region, in a snapshot of several. The wide collector reads each (account,
 * region) on its own and starts every gap's message with where it happened (`account 1…, region r: …`, see
 * collect/scale.ts); a list call that failed there (DescribeSecurityGroups) has no `resourceId`, and a gap without
 * one concerns every finding of the rules that read its data: every load balancer of every region and account would
 * turn `unknown`, though only one place's data is missing. So such a gap becomes one gap per load balancer of that
 * place (`resourceId` its ARN, `affects` it and what its findings name: listeners, target groups, targets, instances,
 * Auto Scaling groups, security groups, subnets with their network ACLs and route tables), plus one per target group
 * and Auto Scaling group of the place that no load balancer there reaches. The engine then turns only their
 * findings `unknown`, and gives each of those resources its own `unknown` where a rule has no finding on it. A place
 * with none of them keeps the gap, covering nothing (no collected load balancer's data is missing), so the report
 * still lists it. A snapshot of one place is left as it is.
 */
import type { ModelGap } from "../../core/engine/types.ts";
import { idKey } from "../../core/util/resource-id.ts";
import { type AwsLocation, arnLocation, gapMessagePlace, severalPlaces } from "./location.ts";
import type { AutoScalingGroup, AwsModel, Instance, LoadBalancer, Subnet, TargetGroup } from "./model.ts";

/** The gaps this module made from a gap of a place (narrow.ts keeps only those of the resources it keeps). */
const spread = new WeakSet<ModelGap>();

export function isPlaceGapCopy(g: ModelGap): boolean {
  return spread.has(g);
}

/** Whether a location is in the place: the place's region and account, where it names them. */
function inPlace(loc: AwsLocation | undefined, place: AwsLocation): boolean {
  if (!loc) return false;
  if (place.region && loc.region?.toLowerCase() !== place.region.toLowerCase()) return false;
  if (place.account && loc.account !== place.account) return false;
  return true;
}

/** The keys of what findings about these resources name. */
class Reach {
  readonly keys = new Set<string>();
  private subnet(s: Subnet | undefined, id?: string): void {
    if (id) this.keys.add(idKey(id));
    if (!s) return;
    this.keys.add(s.key);
    if (s.nacl) this.keys.add(s.nacl.key);
    if (s.routeTable) this.keys.add(s.routeTable.key);
  }
  private instance(i: Instance): void {
    this.keys.add(i.key);
    for (const id of i.securityGroupIds) this.keys.add(idKey(id));
    this.subnet(i.subnet, i.subnetId);
  }
  asg(g: AutoScalingGroup): void {
    this.keys.add(g.key);
    if (g.arn) this.keys.add(idKey(g.arn));
    for (const i of g.instances) {
      this.keys.add(idKey(i.instanceId));
      if (i.instance) this.instance(i.instance);
    }
  }
  targetGroup(tg: TargetGroup): void {
    this.keys.add(tg.key);
    for (const t of tg.targets) {
      this.keys.add(t.key);
      if (t.instance) this.instance(t.instance);
      this.subnet(t.subnet);
    }
    for (const g of tg.asgs) this.asg(g);
  }
  loadBalancer(lb: LoadBalancer): void {
    this.keys.add(lb.key);
    for (const id of lb.securityGroupIds) this.keys.add(idKey(id));
    for (const z of lb.zones) this.subnet(z.subnet, z.subnetId);
    for (const l of lb.listeners) this.keys.add(l.key);
    for (const tg of lb.targetGroups) this.targetGroup(tg);
  }
}

/** The model's gaps, each gap of one place of several made into gaps of that place's load balancers (see above). */
export function spreadPlaceGaps(model: AwsModel): ModelGap[] {
  const gaps = model.gaps;
  const placed = gaps.map((g) =>
    g.kind === "collection" && g.resourceId === undefined && (g.covers ?? []).length > 0 ? gapMessagePlace(g.message) : undefined,
  );
  if (placed.every((p) => p === undefined) || !severalPlaces(model.snapshot, model.loadBalancers)) return gaps;
  const out: ModelGap[] = [];
  gaps.forEach((g, i) => {
    const place = placed[i];
    if (!place) {
      out.push(g);
      return;
    }
    const copies: ModelGap[] = [];
    const reached = new Set<string>();
    const copy = (resourceId: string, resourceName: string, reach: Reach) => {
      for (const k of reach.keys) reached.add(k);
      const c: ModelGap = { ...g, resourceId, resourceName, affects: [...reach.keys] };
      spread.add(c);
      copies.push(c);
    };
    for (const lb of model.loadBalancers) {
      if (!inPlace(arnLocation(lb.arn), place)) continue;
      const r = new Reach();
      r.loadBalancer(lb);
      copy(lb.arn, lb.name, r);
    }
    for (const tg of model.targetGroups) {
      if (reached.has(tg.key) || !inPlace(arnLocation(tg.arn), place)) continue;
      const r = new Reach();
      r.targetGroup(tg);
      copy(tg.arn, tg.name, r);
    }
    for (const asg of model.autoScalingGroups) {
      if (!asg.arn || reached.has(asg.key) || !inPlace(arnLocation(asg.arn), place)) continue;
      const r = new Reach();
      r.asg(asg);
      copy(asg.arn, asg.name, r);
    }
    if (copies.length > 0) out.push(...copies);
    else out.push({ ...g, covers: [] });
  });
  return out;
}
