/**
 * Live AWS collection through the SDK v3 clients (ELBv2, EC2, Auto Scaling),
 * recorded in the APIs' own shapes: what `aws … --output json` prints.
 *
 * Only what the chosen load balancers reference is read. Phases, each a set of
 * calls in parallel under one concurrency bound:
 *   1. DescribeLoadBalancers (by name or ARN; all in the region when none named);
 *   2. per load balancer: attributes, listeners, target groups; and the Auto
 *      Scaling groups of the region (matched on TargetGroupARNs afterwards);
 *   3. per listener its rules; per target group its attributes and target health;
 *   4. the instances: instance targets and the matched groups' instances;
 *   5. the network of the load balancers and instances, one batched call
 *      each: security groups, subnets, NACLs and route tables by subnet
 *      association, and the VPCs' main route tables;
 *   6. only when a subnet has no explicit NACL association: the VPC's default NACL.
 * EC2 lookups filter by id (`group-id`, `instance-id` …) rather than passing
 * ids, so a resource deleted since it was referenced is simply absent instead
 * of failing the whole batch.
 *
 * Throttling is retried by the SDK's retry strategy. A failed call is a gap in
 * the snapshot and the run goes on; unusable credentials, an unknown load
 * balancer name or a missing region stop it with an InputError (exit 2).
 */
import type { RetryStrategyV2 } from "@smithy/types";
import type { CollectEvent } from "../../../core/collect/events.ts";
import { InputError } from "../../../core/errors.ts";
import type { Gap } from "../../../core/snapshot/types.ts";
import { limiter } from "../../../core/util/limit.ts";
import type { AwsSnapshot } from "../../../providers/aws/wire-types.ts";
import { chunk, errorInfo, isAuthError, isNetworkError, toWire } from "./wire.ts";

export type { CollectEvent } from "../../../core/collect/events.ts";

export interface AwsCollectOptions {
  /** The region (default: the SDK's chain: AWS_REGION, the profile's region). */
  region?: string;
  /** Load balancer names or ARNs; empty or absent: every load balancer in the region. */
  loadBalancers?: string[];
  /** Static credentials (tests, the emulator); otherwise the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A named profile for the default chain (like AWS_PROFILE). */
  profile?: string;
  /** One endpoint for all three services (the emulator's URL). */
  endpoint?: string;
  concurrency?: number;
  /** Attempts per call, the first included (default 3, the SDK's standard mode). */
  maxAttempts?: number;
  /** A fixed delay between attempts instead of the SDK's exponential backoff (tests). */
  retryDelayMs?: number;
  /** A retry strategy of your own (overrides maxAttempts and retryDelayMs). */
  retryStrategy?: RetryStrategyV2;
  /** Items per page requested (PageSize/MaxResults/MaxRecords); default the APIs' maximum. */
  pageSize?: number;
  onEvent?: (e: CollectEvent) => void;
  toolVersion?: string;
  /** a clock for collectedAt (tests pin it) */
  now?: () => Date;
}

type Rec = Record<string, unknown>;

/** IAM-style operation names, so a gap names the permission it needed. */
const OP = {
  lbs: "elasticloadbalancing:DescribeLoadBalancers",
  lbAttrs: "elasticloadbalancing:DescribeLoadBalancerAttributes",
  listeners: "elasticloadbalancing:DescribeListeners",
  rules: "elasticloadbalancing:DescribeRules",
  tgs: "elasticloadbalancing:DescribeTargetGroups",
  tgAttrs: "elasticloadbalancing:DescribeTargetGroupAttributes",
  health: "elasticloadbalancing:DescribeTargetHealth",
  sgs: "ec2:DescribeSecurityGroups",
  instances: "ec2:DescribeInstances",
  subnets: "ec2:DescribeSubnets",
  nacls: "ec2:DescribeNetworkAcls",
  rts: "ec2:DescribeRouteTables",
  asgs: "autoscaling:DescribeAutoScalingGroups",
} as const;

/** EC2 takes at most 200 values per filter. */
const FILTER_VALUES = 200;

const arr = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

export async function collectAws(opts: AwsCollectOptions): Promise<AwsSnapshot> {
  const started = performance.now();
  const emit = opts.onEvent ?? (() => {});
  const [elbv2Sdk, ec2Sdk, asgSdk] = await Promise.all([
    import("@aws-sdk/client-elastic-load-balancing-v2"),
    import("@aws-sdk/client-ec2"),
    import("@aws-sdk/client-auto-scaling"),
  ]);
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  let retryStrategy = opts.retryStrategy;
  if (!retryStrategy && opts.retryDelayMs !== undefined) {
    const { ConfiguredRetryStrategy } = await import("@smithy/util-retry");
    const delay = opts.retryDelayMs;
    retryStrategy = new ConfiguredRetryStrategy(maxAttempts, () => delay);
  }
  const config = {
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(retryStrategy ? { retryStrategy } : { maxAttempts }),
    customUserAgent: `lbdoctor/${opts.toolVersion ?? "dev"}`,
  };
  const elb = new elbv2Sdk.ElasticLoadBalancingV2Client(config);
  const ec2 = new ec2Sdk.EC2Client(config);
  const asg = new asgSdk.AutoScalingClient(config);

  // every HTTP attempt, retries included (the deserialize step runs once per attempt)
  let calls = 0;
  for (const client of [elb, ec2, asg] as Array<{ middlewareStack: { add: (m: unknown, o: unknown) => void } }>) {
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        calls++;
        return next(args);
      },
      { step: "deserialize", name: "lbdoctorCountAttempts" },
    );
  }

  try {
    return await collect();
  } finally {
    for (const c of [elb, ec2, asg]) c.destroy();
  }

  async function collect(): Promise<AwsSnapshot> {
    let region: string;
    try {
      region = opts.region ?? (await elb.config.region());
    } catch {
      region = "";
    }
    if (!region) {
      throw new InputError("no AWS region given", "Pass --region (or set AWS_REGION, or a region in the profile).");
    }

    const limit = limiter(Math.max(1, opts.concurrency ?? 12));
    const gaps: Gap[] = [];
    let fatal: InputError | undefined;

    const credentialHint = opts.endpoint
      ? "The emulator accepts any credentials unless started with an access key id; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
      : "Configure credentials (aws configure, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or pass --profile.";

    const checkFatal = (operation: string, e: unknown): boolean => {
      const info = errorInfo(e);
      if (isAuthError(info)) {
        fatal ??= new InputError(`AWS rejected the credentials (${operation}): ${info.message}`, credentialHint);
        return true;
      }
      return false;
    };

    const addGap = (operation: string, e: unknown, resourceId?: string) => {
      const info = errorInfo(e);
      const gap: Gap = { operation, message: info.message };
      if (resourceId) gap.resourceId = resourceId;
      if (info.status) gap.status = info.status;
      if (info.code) gap.code = info.code;
      gaps.push(gap);
      emit({ type: "gap", gap });
    };

    /** One call (or one paginated listing) under the concurrency bound; a failure becomes a gap (or the fatal error) and yields undefined. */
    const call = async <T>(operation: string, resourceId: string | undefined, run: () => Promise<T>): Promise<T | undefined> => {
      try {
        const out = await limit(run);
        emit({ type: "call", operation, calls });
        return out;
      } catch (e) {
        if (!checkFatal(operation, e)) addGap(operation, e, resourceId);
        return undefined;
      }
    };

    /** Drains a paginator into one list. */
    const drain = async (pages: AsyncIterable<Rec>, key: string): Promise<Rec[]> => {
      const out: Rec[] = [];
      for await (const page of pages) out.push(...arr(page[key]));
      return out;
    };

    const elbPage = Math.min(400, Math.max(1, opts.pageSize ?? 400));
    /** MaxResults per EC2 operation: 5..1000, but DescribeRouteTables stops at 100. */
    const ec2Page = (operation: string) => Math.min(operation === OP.rts ? 100 : 1000, Math.max(5, opts.pageSize ?? 1000));
    const asgPage = Math.min(100, Math.max(1, opts.pageSize ?? 100));

    // 1. the load balancers
    emit({ type: "phase", name: "load balancers" });
    const targets = uniq((opts.loadBalancers ?? []).map((t) => t.trim()).filter(Boolean));
    const describeLbs = (input: { Names?: string[]; LoadBalancerArns?: string[] }) =>
      drain(
        elbv2Sdk.paginateDescribeLoadBalancers({ client: elb, pageSize: elbPage }, { ...input, PageSize: elbPage }) as AsyncIterable<Rec>,
        "LoadBalancers",
      );
    const lbTargets = async (): Promise<Rec[]> => {
      if (targets.length === 0) return describeLbs({});
      const names = targets.filter((t) => !t.startsWith("arn:"));
      const arns = targets.filter((t) => t.startsWith("arn:"));
      const batches = [
        ...chunk(names, 20).map((Names) => ({ Names })),
        ...chunk(arns, 20).map((LoadBalancerArns) => ({ LoadBalancerArns })),
      ];
      return (await Promise.all(batches.map((b) => limit(() => describeLbs(b))))).flat();
    };
    let loadBalancers: Rec[];
    try {
      loadBalancers = toWire<Rec[]>(await lbTargets());
      emit({ type: "call", operation: OP.lbs, calls });
    } catch (e) {
      throw await lbError(e);
    }
    if (loadBalancers.length === 0) {
      throw new InputError(
        `no load balancers in region ${region}`,
        "Check --region; `aws elbv2 describe-load-balancers --region <region>` lists them.",
      );
    }

    async function lbError(e: unknown): Promise<InputError> {
      const info = errorInfo(e);
      if (isAuthError(info)) return new InputError(`AWS rejected the credentials (${OP.lbs}): ${info.message}`, credentialHint);
      if (targets.length > 0 && (info.code === "LoadBalancerNotFound" || info.code === "ValidationError")) {
        // name the ones that do not exist (one call each, only on this error path)
        const missing: string[] = [];
        if (targets.length > 1) {
          await Promise.all(
            targets.map(async (t) => {
              try {
                await limit(() =>
                  elb.send(new elbv2Sdk.DescribeLoadBalancersCommand(t.startsWith("arn:") ? { LoadBalancerArns: [t] } : { Names: [t] })),
                );
              } catch {
                missing.push(t);
              }
            }),
          );
        }
        const which = missing.length > 0 ? targets.filter((t) => missing.includes(t)) : targets;
        return new InputError(
          `no load balancer ${which.map((t) => `'${t}'`).join(", ")} in region ${region} (${info.code}: ${info.message})`,
          `Check the name and --region; \`aws elbv2 describe-load-balancers --region ${region} --query 'LoadBalancers[].LoadBalancerName'\` lists them.`,
        );
      }
      if (info.code === "AccessDenied" || info.code === "AccessDeniedException" || info.status === 403) {
        return new InputError(
          `not allowed to list load balancers (${OP.lbs}): ${info.message}`,
          "lbdoctor needs read access: elasticloadbalancing:Describe*, ec2:Describe*, autoscaling:DescribeAutoScalingGroups (e.g. the ReadOnlyAccess policy).",
        );
      }
      if (isNetworkError(e)) {
        return new InputError(
          `could not reach ${opts.endpoint ?? `the ELBv2 endpoint of ${region}`}: ${info.message}`,
          opts.endpoint ? "Is the emulator running (lbdoctor aws-emulator)?" : "Check the network and --region.",
        );
      }
      return new InputError(`${OP.lbs} failed in region ${region}: ${info.code ? `${info.code}: ` : ""}${info.message}`);
    }

    const lbArns = loadBalancers.map((lb) => String(lb.LoadBalancerArn));

    // 2. per load balancer: attributes, listeners, target groups; the region's Auto Scaling groups
    emit({ type: "phase", name: "listeners and target groups" });
    const loadBalancerAttributes: Record<string, Array<{ Key?: string; Value?: string }>> = {};
    const listenersByLb = new Map<string, Rec[]>();
    const tgsByLb = new Map<string, Rec[]>();
    let allAsgs: Rec[] | undefined;
    await Promise.all([
      ...lbArns.flatMap((arn) => [
        call(OP.lbAttrs, arn, () => elb.send(new elbv2Sdk.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }))).then((r) => {
          if (r) loadBalancerAttributes[arn] = toWire(r.Attributes ?? []);
        }),
        call(OP.listeners, arn, () =>
          drain(
            elbv2Sdk.paginateDescribeListeners(
              { client: elb, pageSize: elbPage },
              { LoadBalancerArn: arn, PageSize: elbPage },
            ) as AsyncIterable<Rec>,
            "Listeners",
          ),
        ).then((r) => {
          if (r) listenersByLb.set(arn, toWire(r));
        }),
        call(OP.tgs, arn, () =>
          drain(
            elbv2Sdk.paginateDescribeTargetGroups(
              { client: elb, pageSize: elbPage },
              { LoadBalancerArn: arn, PageSize: elbPage },
            ) as AsyncIterable<Rec>,
            "TargetGroups",
          ),
        ).then((r) => {
          if (r) tgsByLb.set(arn, toWire(r));
        }),
      ]),
      call(OP.asgs, undefined, () =>
        drain(
          asgSdk.paginateDescribeAutoScalingGroups({ client: asg, pageSize: asgPage }, { MaxRecords: asgPage }) as AsyncIterable<Rec>,
          "AutoScalingGroups",
        ),
      ).then((r) => {
        if (r) allAsgs = toWire(r);
      }),
    ]);
    if (fatal) throw fatal;

    const listeners = lbArns.flatMap((arn) => listenersByLb.get(arn) ?? []);
    const targetGroups: Rec[] = [];
    const seenTg = new Set<string>();
    for (const arn of lbArns) {
      for (const tg of tgsByLb.get(arn) ?? []) {
        const id = String(tg.TargetGroupArn);
        if (seenTg.has(id)) continue;
        seenTg.add(id);
        targetGroups.push(tg);
      }
    }
    const tgArns = targetGroups.map((tg) => String(tg.TargetGroupArn));
    const autoScalingGroups = (allAsgs ?? []).filter(
      (g) => strs(g.TargetGroupARNs).some((a) => seenTg.has(a)) || arr(g.TrafficSources).some((s) => seenTg.has(String(s.Identifier))),
    );

    // 3. rules per listener; attributes and health per target group
    emit({ type: "phase", name: "rules, target health and attributes" });
    const rules: Record<string, Rec[]> = {};
    const targetGroupAttributes: Record<string, Array<{ Key?: string; Value?: string }>> = {};
    const targetHealth: Record<string, Rec[]> = {};
    await Promise.all([
      ...listeners.map((l) => {
        const arn = String(l.ListenerArn);
        return call(OP.rules, arn, () =>
          drain(
            elbv2Sdk.paginateDescribeRules(
              { client: elb, pageSize: elbPage },
              { ListenerArn: arn, PageSize: elbPage },
            ) as AsyncIterable<Rec>,
            "Rules",
          ),
        ).then((r) => {
          if (r) rules[arn] = toWire(r);
        });
      }),
      ...tgArns.flatMap((arn) => [
        call(OP.tgAttrs, arn, () => elb.send(new elbv2Sdk.DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }))).then((r) => {
          if (r) targetGroupAttributes[arn] = toWire(r.Attributes ?? []);
        }),
        call(OP.health, arn, () => elb.send(new elbv2Sdk.DescribeTargetHealthCommand({ TargetGroupArn: arn }))).then((r) => {
          if (r) targetHealth[arn] = toWire(r.TargetHealthDescriptions ?? []);
        }),
      ]),
    ]);
    if (fatal) throw fatal;

    /** One EC2 Describe per batch of filter values (≤200), paginated; results concatenated, first wins on a duplicate id; `failed` when a batch became a gap. */
    const ec2Filtered = async (
      operation: string,
      idField: string,
      key: string,
      values: string[],
      filter: string,
      page: (input: Rec) => AsyncIterable<Rec>,
      extra: Array<{ Name: string; Values: string[] }> = [],
    ): Promise<{ items: Rec[]; failed: boolean }> => {
      if (values.length === 0) return { items: [], failed: false };
      const batches = chunk(uniq(values).sort(), FILTER_VALUES);
      const results = await Promise.all(
        batches.map((b) =>
          call(operation, b.length === 1 ? b[0] : undefined, () =>
            drain(page({ Filters: [{ Name: filter, Values: b }, ...extra], MaxResults: ec2Page(operation) }), key),
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
    };
    /** Any of the EC2 paginators (their config and input types differ only in the command). */
    type Paginate = (config: never, input: never) => AsyncIterable<unknown>;
    const ec2Pages =
      (paginate: Paginate) =>
      (input: Rec): AsyncIterable<Rec> =>
        paginate({ client: ec2, pageSize: input.MaxResults } as never, input as never) as AsyncIterable<Rec>;

    // 4. the instances: instance targets and the matched groups' members
    const instanceIds = uniq([
      ...targetGroups
        .filter((tg) => tg.TargetType === undefined || tg.TargetType === "instance")
        .flatMap((tg) => (targetHealth[String(tg.TargetGroupArn)] ?? []).map((d) => String((d.Target as Rec | undefined)?.Id ?? ""))),
      ...autoScalingGroups.flatMap((g) => arr(g.Instances).map((i) => String(i.InstanceId ?? ""))),
    ]).filter((id) => id.startsWith("i-"));
    let instances: Rec[] = [];
    if (instanceIds.length > 0) {
      emit({ type: "phase", name: "instances" });
      const { items: reservations } = await ec2Filtered(
        OP.instances,
        "ReservationId",
        "Reservations",
        instanceIds,
        "instance-id",
        ec2Pages(ec2Sdk.paginateDescribeInstances),
      );
      const seen = new Set<string>();
      for (const i of reservations.flatMap((r) => arr(r.Instances))) {
        const id = String(i.InstanceId);
        if (seen.has(id)) continue;
        seen.add(id);
        instances.push(i);
      }
      instances = instances.sort((a, b) => instanceIds.indexOf(String(a.InstanceId)) - instanceIds.indexOf(String(b.InstanceId)));
      if (fatal) throw fatal;
    }

    // 5. the network of the load balancers and the instances
    emit({ type: "phase", name: "security groups, subnets, NACLs and route tables" });
    const subnetVpc = new Map<string, string>();
    for (const lb of loadBalancers)
      for (const az of arr(lb.AvailabilityZones)) if (az.SubnetId) subnetVpc.set(String(az.SubnetId), String(lb.VpcId ?? ""));
    for (const i of instances) if (i.SubnetId) subnetVpc.set(String(i.SubnetId), String(i.VpcId ?? ""));
    for (const g of autoScalingGroups) {
      for (const s of String(g.VPCZoneIdentifier ?? "")
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean))
        if (!subnetVpc.has(s)) subnetVpc.set(s, "");
    }
    const subnetIds = [...subnetVpc.keys()];
    const groupIds = uniq([
      ...loadBalancers.flatMap((lb) => strs(lb.SecurityGroups)),
      ...instances.flatMap((i) => [
        ...arr(i.SecurityGroups).map((g) => String(g.GroupId ?? "")),
        ...arr(i.NetworkInterfaces).flatMap((n) => arr(n.Groups).map((g) => String(g.GroupId ?? ""))),
      ]),
    ]).filter(Boolean);
    const vpcIds = () =>
      uniq([...loadBalancers.map((lb) => String(lb.VpcId ?? "")), ...instances.map((i) => String(i.VpcId ?? ""))]).filter(Boolean);

    const [sgsResult, subnetsResult, naclsBySubnet, rtsBySubnet, mainRts] = await Promise.all([
      ec2Filtered(OP.sgs, "GroupId", "SecurityGroups", groupIds, "group-id", ec2Pages(ec2Sdk.paginateDescribeSecurityGroups)),
      ec2Filtered(OP.subnets, "SubnetId", "Subnets", subnetIds, "subnet-id", ec2Pages(ec2Sdk.paginateDescribeSubnets)),
      ec2Filtered(
        OP.nacls,
        "NetworkAclId",
        "NetworkAcls",
        subnetIds,
        "association.subnet-id",
        ec2Pages(ec2Sdk.paginateDescribeNetworkAcls),
      ),
      ec2Filtered(OP.rts, "RouteTableId", "RouteTables", subnetIds, "association.subnet-id", ec2Pages(ec2Sdk.paginateDescribeRouteTables)),
      ec2Filtered(OP.rts, "RouteTableId", "RouteTables", vpcIds(), "vpc-id", ec2Pages(ec2Sdk.paginateDescribeRouteTables), [
        { Name: "association.main", Values: ["true"] },
      ]),
    ]);
    if (fatal) throw fatal;
    const securityGroups = sgsResult.items;
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
    if (!naclsBySubnet.failed && needDefault.length > 0) {
      const { items: defaults } = await ec2Filtered(
        OP.nacls,
        "NetworkAclId",
        "NetworkAcls",
        needDefault,
        "vpc-id",
        ec2Pages(ec2Sdk.paginateDescribeNetworkAcls),
        [{ Name: "default", Values: ["true"] }],
      );
      for (const n of defaults) if (!networkAcls.some((x) => x.NetworkAclId === n.NetworkAclId)) networkAcls.push(n);
      if (fatal) throw fatal;
    }

    const snapshot: AwsSnapshot = {
      schema: "lbdoctor.snapshot/v1",
      provider: "aws",
      collectedAt: (opts.now?.() ?? new Date()).toISOString(),
      tool: { name: "lbdoctor", version: opts.toolVersion ?? "dev" },
      scope: { region, loadBalancers: loadBalancers.map((lb) => String(lb.LoadBalancerName ?? lb.LoadBalancerArn)) },
      elbv2: {
        LoadBalancers: loadBalancers,
        LoadBalancerAttributes: loadBalancerAttributes,
        Listeners: listeners,
        Rules: rules,
        TargetGroups: targetGroups,
        TargetGroupAttributes: targetGroupAttributes,
        TargetHealth: targetHealth,
      },
      ec2: { SecurityGroups: securityGroups, Instances: instances, Subnets: subnets, NetworkAcls: networkAcls, RouteTables: routeTables },
      autoscaling: { AutoScalingGroups: autoScalingGroups },
      gaps,
    };
    const resources =
      loadBalancers.length +
      listeners.length +
      targetGroups.length +
      autoScalingGroups.length +
      securityGroups.length +
      instances.length +
      subnets.length +
      networkAcls.length +
      routeTables.length;
    emit({ type: "done", calls, ms: performance.now() - started, resources, gaps: gaps.length });
    return snapshot;
  }
}
