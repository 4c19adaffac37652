/**
 * Where an AWS resource is: its region and account. An ARN says both; an EC2 id (`i-…`, `sg-…`, `acl-…`, `subnet-…`,
 * `rtb-…`) says neither, and a snapshot of several regions or accounts holds them side by side. So, for an EC2 object:
 * its own ARN or OwnerId when the API gave one, else its VPC's (a VPC is in one region and account, and the load
 * balancers and target groups in it carry both in their ARNs), else the region of its availability zone.
 */
import { idKey } from "../../core/util/resource-id.ts";
import { arr, type Obj, obj, str } from "../../core/util/wire.ts";
import type { AwsModel } from "./model.ts";

export interface AwsLocation {
  region?: string;
  account?: string;
}

/** Region and account of an ARN (arn:partition:service:region:account:resource); either may be empty (IAM, S3). */
export function arnLocation(id: string | undefined): AwsLocation | undefined {
  if (!id?.startsWith("arn:")) return undefined;
  const [, , , region, account] = id.split(":");
  return { ...(region ? { region } : {}), ...(account && /^\d{12}$/.test(account) ? { account } : {}) };
}

/** The region of an availability zone name: `us-east-1a`, a Local Zone `us-west-2-lax-1a`, `us-gov-west-1b` → the region. */
export function zoneRegion(zone: string | undefined): string | undefined {
  return zone ? /^([a-z]{2}(?:-[a-z]+)+-\d+)/.exec(zone)?.[1] : undefined;
}

const account = (v: unknown): string | undefined => {
  const s = str(v);
  return s && /^\d{12}$/.test(s) ? s : undefined;
};

const merge = (...xs: Array<AwsLocation | undefined>): AwsLocation => {
  const region = xs.find((x) => x?.region)?.region;
  const acct = xs.find((x) => x?.account)?.account;
  return { ...(region ? { region } : {}), ...(acct ? { account: acct } : {}) };
};

/** An EC2 object's own location: its ARN, OwnerId (a reservation's, on an instance's interfaces), availability zone. */
function own(raw: Obj, arnField: string): AwsLocation {
  const region = zoneRegion(str(obj(raw.Placement).AvailabilityZone) ?? str(raw.AvailabilityZone));
  const acct = account(raw.OwnerId) ?? account(obj(arr(raw.NetworkInterfaces)[0]).OwnerId);
  return merge(arnLocation(str(raw[arnField])), { ...(region ? { region } : {}), ...(acct ? { account: acct } : {}) });
}

const cache = new WeakMap<AwsModel, Map<string, AwsLocation>>();

/** Every object of the model by idKey → its location (computed once per model). */
function locations(model: AwsModel): Map<string, AwsLocation> {
  const hit = cache.get(model);
  if (hit) return hit;
  const out = new Map<string, AwsLocation>();
  // a VPC's location: from the ARNs of the load balancers and target groups in it, else its subnets'
  const vpc = new Map<string, AwsLocation>();
  const addVpc = (id: string | undefined, loc: AwsLocation | undefined) => {
    if (!id || !loc) return;
    vpc.set(id, merge(vpc.get(id), loc));
  };
  for (const lb of model.loadBalancers) addVpc(lb.vpcId, arnLocation(lb.arn));
  for (const tg of model.targetGroups) addVpc(tg.vpcId, arnLocation(tg.arn));
  for (const s of model.subnets) addVpc(s.vpcId, own(s.raw, "SubnetArn"));
  const place = (nodes: Iterable<{ key: string; raw: Obj; vpcId?: string }>, arnField: string) => {
    for (const n of nodes) out.set(n.key, merge(own(n.raw, arnField), n.vpcId ? vpc.get(n.vpcId) : undefined));
  };
  place(model.subnets, "SubnetArn");
  place(model.instances, "InstanceArn");
  place(model.securityGroups, "SecurityGroupArn");
  place(model.networkAcls, "NetworkAclArn");
  place(model.routeTables, "RouteTableArn");
  // a snapshot of one region (one account): what holds for all of it; of several, nothing does
  const scope = model.snapshot.scope ?? {};
  const regions = new Set([...model.loadBalancers.map((lb) => lb.region), ...arr(scope.regions).map(str)].filter(Boolean));
  if (regions.size === 0 && model.region) regions.add(model.region);
  const accounts = new Set(
    [...model.loadBalancers.map((lb) => arnLocation(lb.arn)?.account), ...arr(scope.accounts).map(account)].filter(Boolean),
  );
  const whole: AwsLocation = {
    ...(regions.size === 1 ? { region: [...regions][0] as string } : {}),
    ...(accounts.size === 1 ? { account: [...accounts][0] as string } : {}),
  };
  out.set("", whole);
  cache.set(model, out);
  return out;
}

/**
 * The region and account of what a finding (or a recorded change) is about: its ARN, else the EC2 object the model
 * holds, else its load balancer's ARN, else the snapshot's one region and account.
 */
export function awsLocate(about: { resourceId?: string; loadBalancerId?: string }, model: AwsModel): AwsLocation {
  const at = locations(model);
  const byArn = arnLocation(about.resourceId);
  const byObject = about.resourceId ? at.get(idKey(about.resourceId)) : undefined;
  return merge(byArn, byObject, arnLocation(about.loadBalancerId), at.get(""));
}

/**
 * The place a wide collection's gap message starts with (collect/scale.ts: `account 1…, region r: …`, `account 1…: …`,
 * `region r: …`); undefined when it names none.
 */
export function gapMessagePlace(message: string): AwsLocation | undefined {
  const m = /^(?:account (\d{12}))?(?:, )?(?:region ([a-z0-9-]+))?:/.exec(message);
  return m && (m[1] || m[2]) ? { ...(m[2] ? { region: m[2] } : {}), ...(m[1] ? { account: m[1] } : {}) } : undefined;
}

/** Whether a snapshot holds several regions or accounts: its load balancers' ARNs and `scope.regions`, `scope.accounts`. */
export function severalPlaces(snapshot: AwsModel["snapshot"], loadBalancers: Array<{ arn: string }>): boolean {
  const regions = new Set(loadBalancers.map((lb) => arnLocation(lb.arn)?.region).filter(Boolean));
  const accounts = new Set(loadBalancers.map((lb) => arnLocation(lb.arn)?.account).filter(Boolean));
  for (const r of arr(snapshot.scope?.regions)) if (str(r)) regions.add(str(r));
  for (const a of arr(snapshot.scope?.accounts)) if (str(a)) accounts.add(str(a));
  return regions.size > 1 || accounts.size > 1;
}
