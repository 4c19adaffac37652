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
 *   6. only when a subnet has no explicit NACL association: the VPC's default NACL; and, at the same time, the
 *      gateway route tables (edge associations, `association.gateway-id`) of the internet gateways the route
 *      tables of phase 5 route to, which the trace reads for the replies that leave through them;
 *   7. with `guest`: the read-only guest script on each running instance, through SSM Run Command (guest.ts).
 * The load balancers' and target groups' tags (DescribeTags, 20 ARNs a call) come with phase 3: they say which
 * ones a Kubernetes controller owns.
 * EC2 lookups filter by id (`group-id`, `instance-id` …) rather than passing
 * ids, so a resource deleted since it was referenced is simply absent instead
 * of failing the whole batch.
 *
 * Throttling is retried by the SDK's retry strategy. A failed call is a gap in
 * the snapshot and the run goes on; unusable credentials, an unknown load
 * balancer name or a missing region stop it with an InputError (exit 2).
 */

import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { CollectEvent, CollectorOptions } from "../../../core/collect/events.ts";
import { CallLedger } from "../../../core/collect/ledger.ts";
import { chunk, drainItems } from "../../../core/collect/paging.ts";
import { InputError } from "../../../core/errors.ts";
import type { GuestObservation } from "../../../core/snapshot/types.ts";
import type { TimeWindow } from "../../../core/timeline/types.ts";
import { limiter } from "../../../core/util/limit.ts";
import { stripSecrets } from "../../../core/util/secrets.ts";
import type { AwsSnapshot } from "../wire-types.ts";
import type { BucketSpec } from "./budget.ts";
import { describeInstances, describeNetwork } from "./ec2.ts";
import { DEFAULT_CALL_BUDGET_MS, DEFAULT_REQUEST_TIMEOUT_MS, type RetrySettings, retryStrategies } from "./retry.ts";
import { arr, credentialError, errorInfo, isNetworkError, OP, type Rec, strs, toWire, uniq } from "./wire.ts";

export type { CollectEvent } from "../../../core/collect/events.ts";

/** What each SDK call is sent with: the call's time budget. */
export interface SendOptions {
  abortSignal: AbortSignal;
}

export interface AwsCollectOptions extends CollectorOptions, RetrySettings {
  /** The region (default: the SDK's chain: AWS_REGION, the profile's region). */
  region?: string;
  /** Load balancer names or ARNs; empty or absent: every load balancer in the region. */
  loadBalancers?: string[];
  /** Static credentials (tests, the emulator) or a provider (an assumed role's); otherwise the SDK's default provider chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Several regions or accounts (scale.ts): a region with no load balancer is empty rather than an error. */
  emptyOk?: boolean;
  /** Several regions or accounts: keep only these load balancers (names or ARNs), matched after listing the region's. */
  matchLoadBalancers?: string[];
  /** Every region enabled for the account (EC2 DescribeRegions), each collected like one (scale.ts). */
  allRegions?: boolean;
  /** Several regions, named (`--region a,b`). */
  regions?: string[];
  /** Assume this role (STS AssumeRole, through the SDK's fromTemporaryCredentials) and collect in its account. */
  roleArn?: string;
  /** Collect these accounts, each through the role `roleName` in it (default OrganizationAccountAccessRole). */
  accounts?: string[];
  roleName?: string;
  /** Regions (or accounts × regions) collected at once (default 8). */
  parallelRegions?: number;
  /** The client-side Describe* budgets per account and region (default AWS's documented buckets); false: none. */
  budget?: false | { elbv2?: BucketSpec; ec2?: BucketSpec };
  /** A named profile for the default chain (like AWS_PROFILE). */
  profile?: string;
  /** One endpoint for all three services (the emulator's URL). */
  endpoint?: string;
  /** Each call, retries and pages included, ends within this (default 90 s); a call that runs out is a gap. */
  callBudgetMs?: number;
  /** Each HTTP attempt ends within this (default 20 s); an attempt that runs out is retried. */
  requestTimeoutMs?: number;
  /** Items per page requested (PageSize/MaxResults/MaxRecords); default the APIs' maximum. */
  pageSize?: number;
  /** opt-in: run the read-only guest script on running instances through SSM Run Command (needs ssm:SendCommand, ssm:GetCommandInvocation) */
  guest?: boolean;
  /** guest check: between reads of an invocation (default 1000 ms) and the limit per instance (default 60 s) */
  guestPollMs?: number;
  guestTimeoutMs?: number;
  /** time data (CloudWatch metrics, CloudTrail events) over this window; none when absent */
  window?: TimeWindow;
  /** LookupEvents: requests allowed (default 60) and the wait between them (default 500 ms: the API's 2 a second) */
  lookupBudget?: number;
  lookupIntervalMs?: number;
}

type Sdks = [
  typeof import("@aws-sdk/client-elastic-load-balancing-v2"),
  typeof import("@aws-sdk/client-ec2"),
  typeof import("@aws-sdk/client-auto-scaling"),
];

/** What the phases share: the SDK modules and clients, the call ledger, the bound on calls in flight. */
export interface AwsRun {
  opts: AwsCollectOptions;
  emit: (e: CollectEvent) => void;
  region: string;
  elbv2Sdk: Sdks[0];
  ec2Sdk: Sdks[1];
  asgSdk: Sdks[2];
  elb: InstanceType<Sdks[0]["ElasticLoadBalancingV2Client"]>;
  ec2: InstanceType<Sdks[1]["EC2Client"]>;
  asg: InstanceType<Sdks[2]["AutoScalingClient"]>;
  ledger: CallLedger;
  limit: <T>(task: () => Promise<T>) => Promise<T>;
  /** HTTP attempts so far */
  calls: () => number;
  /** counts one more HTTP attempt (a client created later, e.g. SSM's) */
  countCall: () => void;
  /** One call (or one paginated listing) under the concurrency bound; a failure becomes a gap (or the fatal error) and yields undefined. */
  call: <T>(operation: string, resourceId: string | undefined, run: (o: SendOptions) => Promise<T>) => Promise<T | undefined>;
  elbPage: number;
  asgPage: number;
  credentialHint: string;
}

export async function collectAws(opts: AwsCollectOptions): Promise<AwsSnapshot> {
  const started = performance.now();
  const sdks: Sdks = await Promise.all([
    import("@aws-sdk/client-elastic-load-balancing-v2"),
    import("@aws-sdk/client-ec2"),
    import("@aws-sdk/client-auto-scaling"),
  ]);
  const [elbv2Sdk, ec2Sdk, asgSdk] = sdks;
  const config = await clientConfigs(opts);
  const elb = new elbv2Sdk.ElasticLoadBalancingV2Client(config("elbv2"));
  const ec2 = new ec2Sdk.EC2Client(config("ec2"));
  const asg = new asgSdk.AutoScalingClient(config());
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
    const run = await startRun(
      opts,
      sdks,
      { elb, ec2, asg },
      () => calls,
      () => {
        calls++;
      },
    );
    const snapshot = await collect(run);
    run.emit({ type: "done", calls, ms: performance.now() - started, resources: resourceCount(snapshot), gaps: run.ledger.gaps.length });
    return snapshot;
  } finally {
    for (const c of [elb, ec2, asg]) c.destroy();
  }
}

/**
 * A factory of client configurations: each client gets its own retry strategy (see retry.ts), and the ELBv2 and
 * EC2 clients the Describe* budget of their service (budget.ts): one client per service, account and region, so
 * each adaptive rate limiter matches the bucket AWS throttles on.
 */
export async function clientConfigs(opts: AwsCollectOptions) {
  const retry = await retryStrategies(opts);
  const requestTimeout = Math.max(1, opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  return (service?: "elbv2" | "ec2") => ({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    maxAttempts: retry.maxAttempts,
    retryStrategy: retry.next(service),
    requestHandler: { requestTimeout, throwOnRequestTimeout: true },
    customUserAgent: `lbdoctor/${opts.toolVersion ?? "dev"}`,
  });
}

async function startRun(
  opts: AwsCollectOptions,
  [elbv2Sdk, ec2Sdk, asgSdk]: Sdks,
  clients: Pick<AwsRun, "elb" | "ec2" | "asg">,
  calls: () => number,
  countCall: () => void,
): Promise<AwsRun> {
  let region: string;
  try {
    region = opts.region ?? (await clients.elb.config.region());
  } catch {
    region = "";
  }
  if (!region) {
    throw new InputError("no AWS region given", "Pass --region (or set AWS_REGION, or a region in the profile).");
  }
  const emit = opts.onEvent ?? (() => {});
  const credentialHint = opts.endpoint
    ? "The emulator accepts any credentials unless started with an access key id; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
    : "Configure credentials (aws configure, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or pass --profile.";
  const ledger = new CallLedger({
    emit,
    calls,
    describe: errorInfo,
    fatal: (operation, e) => {
      return credentialError(operation, e, credentialHint);
    },
  });
  const limit = limiter(Math.max(1, opts.concurrency ?? 12));
  const callBudgetMs = Math.max(1, opts.callBudgetMs ?? DEFAULT_CALL_BUDGET_MS);
  return {
    opts,
    emit,
    region,
    elbv2Sdk,
    ec2Sdk,
    asgSdk,
    ...clients,
    ledger,
    limit,
    calls,
    countCall,
    // the budget starts when the call gets its slot, and covers its retries and pages
    call: (operation, resourceId, run) =>
      ledger.run(operation, resourceId, () => limit(() => run({ abortSignal: AbortSignal.timeout(callBudgetMs) }))),
    elbPage: Math.min(400, Math.max(1, opts.pageSize ?? 400)),
    asgPage: Math.min(100, Math.max(1, opts.pageSize ?? 100)),
    credentialHint,
  };
}

async function collect(run: AwsRun): Promise<AwsSnapshot> {
  const { opts, region, ledger } = run;
  const loadBalancers = await describeLoadBalancers(run);
  if (loadBalancers.length === 0) return emptySnapshot(run);
  const lbArns = loadBalancers.map((lb) => String(lb.LoadBalancerArn));
  const front = await describeListenersAndTargetGroups(run, lbArns);
  ledger.throwIfFatal();
  const tgArns = front.targetGroups.map((tg) => String(tg.TargetGroupArn));
  const detail = await describeRulesAndHealth(run, front.listeners, tgArns, lbArns);
  ledger.throwIfFatal();
  const instances = await describeInstances(run, front.targetGroups, detail.targetHealth, front.autoScalingGroups);
  const network = await describeNetwork(run, loadBalancers, instances, front.autoScalingGroups);
  const [guest, time] = await Promise.all([
    opts.guest ? guestCheck(run, instances) : undefined,
    opts.window
      ? import("./time.ts").then(({ collectAwsTime }) =>
          collectAwsTime(run, {
            loadBalancers,
            targetGroups: front.targetGroups,
            listeners: front.listeners,
            securityGroupIds: network.SecurityGroups.map((g) => String(g.GroupId)),
            networkAclIds: network.NetworkAcls.map((n) => String(n.NetworkAclId)),
            autoScalingGroups: front.autoScalingGroups,
            window: opts.window as TimeWindow,
            ...(opts.lookupBudget !== undefined ? { lookupBudget: opts.lookupBudget } : {}),
            ...(opts.lookupIntervalMs !== undefined ? { lookupIntervalMs: opts.lookupIntervalMs } : {}),
          }),
        )
      : undefined,
  ]);
  const observations = guest || time ? { ...(guest ? { guest } : {}), ...(time ?? {}) } : undefined;
  return {
    schema: "lbdoctor.snapshot/v1",
    provider: "aws",
    collectedAt: (opts.now?.() ?? new Date()).toISOString(),
    tool: { name: "lbdoctor", version: opts.toolVersion ?? "dev" },
    scope: { region, loadBalancers: loadBalancers.map((lb) => String(lb.LoadBalancerName ?? lb.LoadBalancerArn)) },
    elbv2: {
      LoadBalancers: loadBalancers,
      LoadBalancerAttributes: front.loadBalancerAttributes,
      Listeners: front.listeners,
      Rules: detail.rules,
      TargetGroups: front.targetGroups,
      TargetGroupAttributes: detail.targetGroupAttributes,
      TargetHealth: detail.targetHealth,
      Tags: detail.tags,
    },
    ec2: {
      SecurityGroups: network.SecurityGroups,
      Instances: instances,
      Subnets: network.Subnets,
      NetworkAcls: network.NetworkAcls,
      RouteTables: network.RouteTables,
    },
    autoscaling: { AutoScalingGroups: front.autoScalingGroups },
    ...(observations ? { observations } : {}),
    gaps: ledger.gaps,
  };
}

/** A region with no load balancer (several regions or accounts): nothing more to read. */
function emptySnapshot(run: AwsRun): AwsSnapshot {
  const { opts, region } = run;
  return {
    schema: "lbdoctor.snapshot/v1",
    provider: "aws",
    collectedAt: (opts.now?.() ?? new Date()).toISOString(),
    tool: { name: "lbdoctor", version: opts.toolVersion ?? "dev" },
    scope: { region, loadBalancers: [] },
    elbv2: { LoadBalancers: [] },
    gaps: run.ledger.gaps,
  };
}

/** The resources a snapshot holds (the `done` event and the progress count them). */
export function resourceCount(s: AwsSnapshot): number {
  const n = (xs: unknown[] | undefined) => xs?.length ?? 0;
  return (
    n(s.elbv2.LoadBalancers) +
    n(s.elbv2.Listeners) +
    n(s.elbv2.TargetGroups) +
    n(s.autoscaling?.AutoScalingGroups) +
    n(s.ec2?.SecurityGroups) +
    n(s.ec2?.Instances) +
    n(s.ec2?.Subnets) +
    n(s.ec2?.NetworkAcls) +
    n(s.ec2?.RouteTables)
  );
}

/** 1. the load balancers: those named (by name or ARN, 20 a call), else every one in the region */
async function describeLoadBalancers(run: AwsRun): Promise<Rec[]> {
  const { elbv2Sdk, elb, elbPage, region } = run;
  run.emit({ type: "phase", name: "load balancers" });
  const targets = uniq((run.opts.loadBalancers ?? []).map((t) => t.trim()).filter(Boolean));
  const describeLbs = (input: { Names?: string[]; LoadBalancerArns?: string[] }) =>
    drainItems(
      elbv2Sdk.paginateDescribeLoadBalancers({ client: elb, pageSize: elbPage }, { ...input, PageSize: elbPage }) as AsyncIterable<Rec>,
      "LoadBalancers",
    );
  const match = run.opts.matchLoadBalancers?.map((t) => t.trim()).filter(Boolean) ?? [];
  const lbTargets = async (): Promise<Rec[]> => {
    if (match.length > 0) {
      const wanted = new Set(match);
      return (await describeLbs({})).filter((lb) => wanted.has(String(lb.LoadBalancerName)) || wanted.has(String(lb.LoadBalancerArn)));
    }
    if (targets.length === 0) return describeLbs({});
    const names = targets.filter((t) => !t.startsWith("arn:"));
    const arns = targets.filter((t) => t.startsWith("arn:"));
    const batches = [...chunk(names, 20).map((Names) => ({ Names })), ...chunk(arns, 20).map((LoadBalancerArns) => ({ LoadBalancerArns }))];
    return (await Promise.all(batches.map((b) => run.limit(() => describeLbs(b))))).flat();
  };
  let loadBalancers: Rec[];
  try {
    // the first call (a failure stops the run): in flight like every other, so the phase never reads "0 calls" meanwhile
    loadBalancers = await run.ledger.track(OP.lbs, async () => {
      const out = toWire<Rec[]>(await lbTargets());
      run.emit({ type: "call", operation: OP.lbs, calls: run.calls() });
      return out;
    });
  } catch (e) {
    throw await lbError(run, targets, e);
  }
  if (loadBalancers.length === 0 && !run.opts.emptyOk) {
    throw new InputError(
      `no load balancers in region ${region}`,
      "Check --region; `aws elbv2 describe-load-balancers --region <region>` lists them.",
    );
  }
  return loadBalancers;
}

/** Why DescribeLoadBalancers failed, as the user can fix it (it is the first call: nothing is lost). */
async function lbError(run: AwsRun, targets: string[], e: unknown): Promise<InputError> {
  const { region, opts } = run;
  const info = errorInfo(e);
  const creds = credentialError(OP.lbs, e, run.credentialHint);
  if (creds) return creds;
  if (targets.length > 0 && (info.code === "LoadBalancerNotFound" || info.code === "ValidationError")) {
    // name the ones that do not exist (one call each, only on this error path)
    const missing: string[] = [];
    if (targets.length > 1) {
      await Promise.all(
        targets.map(async (t) => {
          try {
            await run.limit(() =>
              run.elb.send(
                new run.elbv2Sdk.DescribeLoadBalancersCommand(t.startsWith("arn:") ? { LoadBalancerArns: [t] } : { Names: [t] }),
              ),
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

/** 2. per load balancer: attributes, listeners, target groups; the region's Auto Scaling groups (kept when they name one of the target groups) */
async function describeListenersAndTargetGroups(run: AwsRun, lbArns: string[]) {
  const { elbv2Sdk, asgSdk, elb, asg, elbPage, asgPage } = run;
  run.emit({ type: "phase", name: "listeners and target groups" });
  const loadBalancerAttributes: Record<string, Array<{ Key?: string; Value?: string }>> = {};
  const listenersByLb = new Map<string, Rec[]>();
  const tgsByLb = new Map<string, Rec[]>();
  let allAsgs: Rec[] | undefined;
  const elbPages =
    (paginate: (c: never, i: never, o: SendOptions) => AsyncIterable<unknown>, input: Rec, key: string) => (o: SendOptions) =>
      drainItems(
        paginate({ client: elb, pageSize: elbPage } as never, { ...input, PageSize: elbPage } as never, o) as AsyncIterable<Rec>,
        key,
      );
  await Promise.all([
    ...lbArns.flatMap((arn) => [
      run
        .call(OP.lbAttrs, arn, (o) => elb.send(new elbv2Sdk.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }), o))
        .then((r) => {
          if (r) loadBalancerAttributes[arn] = toWire(r.Attributes ?? []);
        }),
      run.call(OP.listeners, arn, elbPages(elbv2Sdk.paginateDescribeListeners, { LoadBalancerArn: arn }, "Listeners")).then((r) => {
        if (r) listenersByLb.set(arn, toWire(r));
      }),
      run.call(OP.tgs, arn, elbPages(elbv2Sdk.paginateDescribeTargetGroups, { LoadBalancerArn: arn }, "TargetGroups")).then((r) => {
        if (r) tgsByLb.set(arn, toWire(r));
      }),
    ]),
    run
      .call(OP.asgs, undefined, (o) =>
        drainItems(
          asgSdk.paginateDescribeAutoScalingGroups({ client: asg, pageSize: asgPage }, { MaxRecords: asgPage }, o) as AsyncIterable<Rec>,
          "AutoScalingGroups",
        ),
      )
      .then((r) => {
        if (r) allAsgs = toWire(r);
      }),
  ]);
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
  const autoScalingGroups = (allAsgs ?? []).filter(
    (g) => strs(g.TargetGroupARNs).some((a) => seenTg.has(a)) || arr(g.TrafficSources).some((s) => seenTg.has(String(s.Identifier))),
  );
  // the groups are kept by the target groups they name: a load balancer whose target groups could not be read has
  // its groups dropped unseen, so that is a gap on the Auto Scaling data too (its rules say unknown, not "nothing in scope")
  if (allAsgs !== undefined) {
    for (const arn of lbArns) {
      if (tgsByLb.has(arn)) continue;
      run.ledger.note({
        operation: OP.asgs,
        resourceId: arn,
        message: `the Auto Scaling groups of this load balancer could not be matched: its target groups (${OP.tgs}) could not be read`,
      });
    }
  }
  return { loadBalancerAttributes, listeners, targetGroups, autoScalingGroups };
}

/** 3. rules per listener; attributes and health per target group; the tags of every load balancer and target group (20 a call) */
async function describeRulesAndHealth(run: AwsRun, listeners: Rec[], tgArns: string[], lbArns: string[]) {
  const { elbv2Sdk, elb, elbPage } = run;
  run.emit({ type: "phase", name: "rules, target health and attributes" });
  const rules: Record<string, Rec[]> = {};
  const targetGroupAttributes: Record<string, Array<{ Key?: string; Value?: string }>> = {};
  const targetHealth: Record<string, Rec[]> = {};
  const tags: Record<string, Array<{ Key?: string; Value?: string }>> = {};
  await Promise.all([
    ...chunk([...lbArns, ...tgArns], 20).map((ResourceArns) =>
      run
        .call(OP.tags, ResourceArns.length === 1 ? ResourceArns[0] : undefined, (o) =>
          elb.send(new elbv2Sdk.DescribeTagsCommand({ ResourceArns }), o),
        )
        .then((r) => {
          for (const d of r?.TagDescriptions ?? []) if (d.ResourceArn) tags[d.ResourceArn] = toWire(d.Tags ?? []);
        }),
    ),
    ...listeners.map((l) => {
      const arn = String(l.ListenerArn);
      return run
        .call(OP.rules, arn, (o) =>
          drainItems(
            elbv2Sdk.paginateDescribeRules(
              { client: elb, pageSize: elbPage },
              { ListenerArn: arn, PageSize: elbPage },
              o,
            ) as AsyncIterable<Rec>,
            "Rules",
          ),
        )
        .then((r) => {
          if (r) rules[arn] = toWire(r);
        });
    }),
    ...tgArns.flatMap((arn) => [
      run
        .call(OP.tgAttrs, arn, (o) => elb.send(new elbv2Sdk.DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }), o))
        .then((r) => {
          if (r) targetGroupAttributes[arn] = toWire(r.Attributes ?? []);
        }),
      run
        .call(OP.health, arn, (o) =>
          elb.send(new elbv2Sdk.DescribeTargetHealthCommand({ TargetGroupArn: arn, Include: ["AnomalyDetection"] }), o),
        )
        .then((r) => {
          if (r) targetHealth[arn] = toWire(r.TargetHealthDescriptions ?? []);
        }),
    ]),
  ]);
  return { rules, targetGroupAttributes, targetHealth, tags };
}

/** 7. the guest check (opt-in): the read-only script on each running instance through SSM Run Command; the SDK loads only here */
async function guestCheck(run: AwsRun, instances: Rec[]): Promise<Record<string, GuestObservation>> {
  const { opts, ledger } = run;
  const running = instances.filter((i) => (i.State as Rec | undefined)?.Name === "running");
  run.emit({ type: "phase", name: "guest check (SSM Run Command)" });
  const [ssmSdk, { runGuestChecks }] = await Promise.all([import("@aws-sdk/client-ssm"), import("./guest.ts")]);
  const ssm = new ssmSdk.SSMClient((await clientConfigs(opts))());
  ssm.middlewareStack.add(
    (next) => async (args) => {
      run.countCall();
      return next(args);
    },
    { step: "deserialize", name: "lbdoctorCountAttempts" },
  );
  try {
    const guest = await runGuestChecks(
      running.map((i) => ({ id: String(i.InstanceId), windows: String(i.Platform ?? "").toLowerCase() === "windows" })),
      {
        client: ssm,
        SendCommandCommand: ssmSdk.SendCommandCommand as never,
        GetCommandInvocationCommand: ssmSdk.GetCommandInvocationCommand as never,
        limit: run.limit,
        addGap: (gap) => ledger.note(gap),
        onCall: (operation) => run.emit({ type: "call", operation, calls: run.calls() }),
        ...(opts.guestPollMs !== undefined ? { pollMs: opts.guestPollMs } : {}),
        ...(opts.guestTimeoutMs !== undefined ? { timeoutMs: opts.guestTimeoutMs } : {}),
      },
    );
    for (const o of Object.values(guest)) stripSecrets(o);
    return guest;
  } finally {
    ssm.destroy();
  }
}
