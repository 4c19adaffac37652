/**
 * The EC2 side of AWS collection: the instances behind the target groups and
 * Auto Scaling groups (phase 4), the network of the load balancers and
 * instances (phases 5 and 6), and the gateway route tables of the internet
 * gateways their route tables route to (phase 6). Lookups filter by id (`group-id`,
 * `instance-id` …) rather than passing ids, so a resource deleted since it
 * was referenced is simply absent instead of failing the whole batch.
 */
import { chunk, drainItems } from "../../../core/collect/paging.ts";
import type { AwsRun, SendOptions } from "./collect.ts";
import { arr, OP, type Rec, strs, toWire, uniq } from "./wire.ts";

/** EC2 takes at most 200 values per filter. */
const FILTER_VALUES = 200;

/** Any of the EC2 paginators (their config and input types differ only in the command). */
type Paginate = (config: never, input: never, options: SendOptions) => AsyncIterable<unknown>;

/** MaxResults per EC2 operation: 5..1000, but DescribeRouteTables stops at 100. */
const ec2Page = (run: AwsRun, operation: string) => Math.min(operation === OP.rts ? 100 : 1000, Math.max(5, run.opts.pageSize ?? 1000));

/** One EC2 Describe per batch of filter values (≤200), paginated; results concatenated, first wins on a duplicate id; `failed` when a batch became a gap. */
async function ec2Filtered(
  run: AwsRun,
  what: { operation: string; idField: string; key: string; paginate: Paginate },
  filter: string,
  values: string[],
  extra: Array<{ Name: string; Values: string[] }> = [],
): Promise<{ items: Rec[]; failed: boolean }> {
  if (values.length === 0) return { items: [], failed: false };
  const { operation, idField, key, paginate } = what;
  const batches = chunk(uniq(values).sort(), FILTER_VALUES);
  const MaxResults = ec2Page(run, operation);
  const results = await Promise.all(
    batches.map((b) =>
      run.call(operation, b.length === 1 ? b[0] : undefined, (o) =>
        drainItems(
          paginate(
            { client: run.ec2, pageSize: MaxResults } as never,
            { Filters: [{ Name: filter, Values: b }, ...extra], MaxResults } as never,
            o,
          ) as AsyncIterable<Rec>,
          key,
        ),
      ),
    ),
  );
  const out: Rec[] = [];
  const seen = new Set<string>();
  for (const item of results.flatMap((r) => (r ? toWire<Rec[]>(r) : []))) {
    const id = String(item[idField]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(item);
  }
  return { items: out, failed: results.some((r) => r === undefined) };
}

/** 4. the instances: instance targets and the matched groups' members, in the order they were named */
export async function describeInstances(
  run: AwsRun,
  targetGroups: Rec[],
  targetHealth: Record<string, Rec[]>,
  asgs: Rec[],
): Promise<Rec[]> {
  const instanceIds = uniq([
    ...targetGroups
      .filter((tg) => tg.TargetType === undefined || tg.TargetType === "instance")
      .flatMap((tg) => (targetHealth[String(tg.TargetGroupArn)] ?? []).map((d) => String((d.Target as Rec | undefined)?.Id ?? ""))),
    ...asgs.flatMap((g) => arr(g.Instances).map((i) => String(i.InstanceId ?? ""))),
  ]).filter((id) => id.startsWith("i-"));
  if (instanceIds.length === 0) return [];
  run.emit({ type: "phase", name: "instances" });
  const { items: reservations } = await ec2Filtered(
    run,
    { operation: OP.instances, idField: "ReservationId", key: "Reservations", paginate: run.ec2Sdk.paginateDescribeInstances },
    "instance-id",
    instanceIds,
  );
  const instances: Rec[] = [];
  const seen = new Set<string>();
  for (const i of reservations.flatMap((r) => arr(r.Instances))) {
    const id = String(i.InstanceId);
    if (seen.has(id)) continue;
    seen.add(id);
    instances.push(i);
  }
  run.ledger.throwIfFatal();
  return instances.sort((a, b) => instanceIds.indexOf(String(a.InstanceId)) - instanceIds.indexOf(String(b.InstanceId)));
}

/** The subnets of the load balancers, instances and groups, with the VPC each is known to be in ("" when unknown yet). */
function subnetsInUse(loadBalancers: Rec[], instances: Rec[], asgs: Rec[]): Map<string, string> {
  const subnetVpc = new Map<string, string>();
  for (const lb of loadBalancers)
    for (const az of arr(lb.AvailabilityZones)) if (az.SubnetId) subnetVpc.set(String(az.SubnetId), String(lb.VpcId ?? ""));
  for (const i of instances) if (i.SubnetId) subnetVpc.set(String(i.SubnetId), String(i.VpcId ?? ""));
  for (const g of asgs) {
    for (const s of String(g.VPCZoneIdentifier ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean))
      if (!subnetVpc.has(s)) subnetVpc.set(s, "");
  }
  return subnetVpc;
}

/**
 * The internet gateways the route tables send traffic to (`igw-…` next hops, `Routes[].GatewayId`): the gateways whose
 * gateway route tables (edge associations) the trace reads for the replies that leave through them.
 */
function routedInternetGateways(tables: Rec[]): string[] {
  return uniq(tables.flatMap((rt) => arr(rt.Routes).map((r) => String(r.GatewayId ?? "")))).filter((g) => g.startsWith("igw-"));
}

/** 5–6. security groups, subnets, NACLs and route tables of the load balancers and the instances, and the internet gateways' route tables */
export async function describeNetwork(run: AwsRun, loadBalancers: Rec[], instances: Rec[], asgs: Rec[]) {
  const sdk = run.ec2Sdk;
  run.emit({ type: "phase", name: "security groups, subnets, NACLs and route tables" });
  const subnetVpc = subnetsInUse(loadBalancers, instances, asgs);
  const subnetIds = [...subnetVpc.keys()];
  const groupIds = uniq([
    ...loadBalancers.flatMap((lb) => strs(lb.SecurityGroups)),
    ...instances.flatMap((i) => [
      ...arr(i.SecurityGroups).map((g) => String(g.GroupId ?? "")),
      ...arr(i.NetworkInterfaces).flatMap((n) => arr(n.Groups).map((g) => String(g.GroupId ?? ""))),
    ]),
  ]).filter(Boolean);
  const vpcIds = uniq([...loadBalancers.map((lb) => String(lb.VpcId ?? "")), ...instances.map((i) => String(i.VpcId ?? ""))]).filter(
    Boolean,
  );
  const rts = { operation: OP.rts, idField: "RouteTableId", key: "RouteTables", paginate: sdk.paginateDescribeRouteTables };
  const nacls = { operation: OP.nacls, idField: "NetworkAclId", key: "NetworkAcls", paginate: sdk.paginateDescribeNetworkAcls };
  const [sgsResult, subnetsResult, naclsBySubnet, rtsBySubnet, mainRts] = await Promise.all([
    ec2Filtered(
      run,
      { operation: OP.sgs, idField: "GroupId", key: "SecurityGroups", paginate: sdk.paginateDescribeSecurityGroups },
      "group-id",
      groupIds,
    ),
    ec2Filtered(
      run,
      { operation: OP.subnets, idField: "SubnetId", key: "Subnets", paginate: sdk.paginateDescribeSubnets },
      "subnet-id",
      subnetIds,
    ),
    ec2Filtered(run, nacls, "association.subnet-id", subnetIds),
    ec2Filtered(run, rts, "association.subnet-id", subnetIds),
    ec2Filtered(run, rts, "vpc-id", vpcIds, [{ Name: "association.main", Values: ["true"] }]),
  ]);
  run.ledger.throwIfFatal();
  const subnets = subnetsResult.items;
  for (const s of subnets) subnetVpc.set(String(s.SubnetId), String(s.VpcId ?? subnetVpc.get(String(s.SubnetId)) ?? ""));

  // a subnet without an explicit route-table association uses its VPC's main route table
  // (unless the associations could not be read: then which subnets use it is unknown)
  const explicitRt = new Set(rtsBySubnet.items.flatMap((rt) => arr(rt.Associations).map((a) => String(a.SubnetId ?? ""))));
  const needMainRt = new Set(subnetIds.filter((s) => !explicitRt.has(s)).map((s) => subnetVpc.get(s) ?? ""));
  const routeTables = [...rtsBySubnet.items];
  if (!rtsBySubnet.failed) {
    for (const rt of mainRts.items)
      if (needMainRt.has(String(rt.VpcId)) && !routeTables.some((x) => x.RouteTableId === rt.RouteTableId)) routeTables.push(rt);
  }

  // 6. a subnet without an explicit NACL association uses its VPC's default NACL (AWS lists it as associated, but snapshots built by hand may not)
  const networkAcls = [...naclsBySubnet.items];
  const explicitNacl = new Set(naclsBySubnet.items.flatMap((n) => arr(n.Associations).map((a) => String(a.SubnetId ?? ""))));
  const needDefault = uniq(subnetIds.filter((s) => !explicitNacl.has(s)).map((s) => subnetVpc.get(s) ?? "")).filter(Boolean);
  // and, at the same time, the gateway route tables (internet gateway ingress routing) of the internet gateways the VPCs'
  // tables route to: `association.gateway-id` ("The ID of the gateway involved in the association", DescribeRouteTables,
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRouteTables.html); an IGW serves one VPC
  const igwIds = routedInternetGateways([...rtsBySubnet.items, ...mainRts.items]);
  const [defaults, edges] = await Promise.all([
    !naclsBySubnet.failed && needDefault.length > 0
      ? ec2Filtered(run, nacls, "vpc-id", needDefault, [{ Name: "default", Values: ["true"] }])
      : undefined,
    // one call per gateway (one per VPC): a failure is then a gap on that gateway, on which only the reply path through
    // that gateway depends (the trace, internet-facing-in-private-subnets); a batch's gap would name no resource: every
    // table in doubt
    Promise.all(igwIds.map((id) => ec2Filtered(run, rts, "association.gateway-id", [id]))).then((all) => ({
      items: all.flatMap((r) => r.items),
    })),
  ]);
  for (const n of defaults?.items ?? []) if (!networkAcls.some((x) => x.NetworkAclId === n.NetworkAclId)) networkAcls.push(n);
  for (const rt of edges.items) if (!routeTables.some((x) => x.RouteTableId === rt.RouteTableId)) routeTables.push(rt);
  run.ledger.throwIfFatal();
  return { SecurityGroups: sgsResult.items, Subnets: subnets, NetworkAcls: networkAcls, RouteTables: routeTables };
}
