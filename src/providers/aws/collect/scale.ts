/**
 * AWS beyond one region and one account, with the platform's own mechanisms:
 *   - accounts: `--role-arn` (one role), or `--accounts` with `--role-name`
 *     (default OrganizationAccountAccessRole, the role AWS Organizations
 *     creates in member accounts); each role is assumed through the SDK's
 *     `fromTemporaryCredentials` (STS AssumeRole, refreshed before expiry),
 *     once per account, shared by that account's clients;
 *   - regions: `--all-regions` asks each account's EC2 DescribeRegions for
 *     the regions enabled for it (a region not enabled answers nothing but
 *     AuthFailure), `--region a,b` names them;
 *   - each (account, region) is the one-region collection (collect.ts) with its
 *     own clients, so each client's budget and adaptive rate limiter match the
 *     bucket AWS throttles on (budget.ts); 8 of them run at once (their buckets
 *     are independent: the wall time is the buckets', not the machine's).
 * One snapshot holds them all: the APIs' lists concatenated (ARNs carry region
 * and account), `scope.regions`, `scope.accounts` and `scope.partitions` say
 * what was read. A role that cannot be assumed, a DescribeRegions refused, or
 * a region that fails (AccessDenied, a region not enabled) is a gap naming
 * account and region, and the rest runs.
 */

import { InputError } from "../../../core/errors.ts";
import type { Gap } from "../../../core/snapshot/types.ts";
import { compareText } from "../../../core/util/collate.ts";
import { limiter } from "../../../core/util/limit.ts";
import { plural } from "../../../core/util/words.ts";
import type { AwsSnapshot } from "../wire-types.ts";
import type { AwsCollectOptions, clientConfigs, collectAws } from "./collect.ts";
import { errorInfo, type Rec } from "./wire.ts";

export const DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole";

type Creds = NonNullable<AwsCollectOptions["credentials"]>;

/** One account to read: the caller's own (no role), or one reached through a role. */
interface AccountPlan {
  account?: string;
  roleArn?: string;
}

/** What was read where (scope.partitions). */
export interface AwsPartitionScope {
  account?: string;
  region: string;
  loadBalancers: number;
  /** collected; or failed (a gap says why) */
  status: "collected" | "failed";
}

/** Whether the options ask for more than one region or another account. */
export function isWideAws(opts: AwsCollectOptions): boolean {
  return opts.allRegions === true || (opts.regions?.length ?? 0) > 1 || opts.roleArn !== undefined || (opts.accounts?.length ?? 0) > 0;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** The accounts to read, checked (exit 2 on a malformed account id or role ARN). */
export function accountPlans(opts: AwsCollectOptions, region: string): AccountPlan[] {
  if (opts.roleArn && (opts.accounts?.length ?? 0) > 0)
    throw new InputError(
      "--role-arn and --accounts cannot be used together",
      "Use --role-arn for one account, or --accounts with --role-name for several.",
    );
  if (opts.roleArn) {
    const m = ROLE_ARN.exec(opts.roleArn);
    if (!m) throw new InputError(`--role-arn must be an IAM role ARN (arn:aws:iam::123456789012:role/name), not '${opts.roleArn}'`);
    return [{ account: m[2] as string, roleArn: opts.roleArn }];
  }
  if ((opts.accounts?.length ?? 0) > 0) {
    const roleName = opts.roleName ?? DEFAULT_ROLE_NAME;
    if (!/^[\w+=,.@-]{1,64}(\/[\w+=,.@-]{1,64})*$/.test(roleName))
      throw new InputError(`--role-name must be an IAM role name (or path/name), not '${roleName}'`);
    const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    const ids = [...new Set((opts.accounts ?? []).map((a) => a.trim()).filter(Boolean))];
    const bad = ids.filter((a) => !/^\d{12}$/.test(a));
    if (bad.length > 0) throw new InputError(`--accounts takes 12-digit AWS account ids, not ${bad.map((b) => `'${b}'`).join(", ")}`);
    return ids.map((account) => ({ account, roleArn: `arn:${partition}:iam::${account}:role/${roleName}` }));
  }
  return [{}];
}

/** A credential provider resolved once and shared until shortly before it expires. */
function shared(provider: () => Promise<{ expiration?: Date } & Record<string, unknown>>) {
  let current: Promise<{ expiration?: Date } & Record<string, unknown>> | undefined;
  return () => {
    const now = Date.now();
    if (current) {
      const c = current;
      return c.then((v) => {
        if (v.expiration && v.expiration.getTime() - now < 5 * 60_000) {
          if (current === c) current = provider();
          return current;
        }
        return v;
      });
    }
    current = provider();
    current.catch(() => {
      current = undefined;
    });
    return current;
  };
}

/** The region the caller's tools would use: the option, else the SDK's chain (AWS_REGION, the profile). */
async function homeRegion(opts: AwsCollectOptions): Promise<string> {
  const named = opts.region ?? opts.regions?.[0];
  if (named) return named;
  const { EC2Client } = await import("@aws-sdk/client-ec2");
  const probe = new EC2Client({ ...(opts.profile ? { profile: opts.profile } : {}) });
  try {
    const r = await probe.config.region();
    if (r) return r;
  } catch {
    // none configured
  } finally {
    probe.destroy();
  }
  throw new InputError(
    "no AWS region given",
    "Pass --region (or set AWS_REGION, or a region in the profile); --all-regions asks it for the others.",
  );
}

/** The state one wide collection shares across its accounts and regions. */
interface WideRun {
  opts: AwsCollectOptions;
  region0: string;
  configs: Awaited<ReturnType<typeof clientConfigs>>;
  emit: NonNullable<AwsCollectOptions["onEvent"]>;
  gaps: Gap[];
  parts: Array<{ scope: AwsPartitionScope; snapshot?: AwsSnapshot }>;
  calls: number;
  /** the run's own calls (AssumeRole, DescribeRegions) in flight now, and started so far */
  flying: number;
  started: number;
}

/** One (account, region) to read. */
interface WorkItem {
  plan: AccountPlan;
  credentials: Creds | undefined;
  region: string;
}

function addGap(run: WideRun, g: Gap, scope?: string): void {
  run.gaps.push(g);
  run.emit({ type: "gap", gap: g, ...(scope ? { scope } : {}) });
}

/** One call of the wide run itself, counted and reported in flight as the partitions' calls are. */
async function own<T>(run: WideRun, operation: string, call: () => Promise<T>): Promise<T> {
  run.calls++;
  run.flying++;
  run.started++;
  run.emit({ type: "in-flight", operation, inFlight: run.flying, started: run.started });
  try {
    const out = await call();
    run.emit({ type: "call", operation, calls: run.calls });
    return out;
  } finally {
    run.flying--;
    run.emit({ type: "in-flight", operation, inFlight: run.flying, started: run.started });
  }
}

function where(account: string | undefined, region?: string): string {
  return [account ? `account ${account}` : undefined, region ? `region ${region}` : undefined].filter(Boolean).join(", ");
}

function accountFailed(run: WideRun, plan: AccountPlan): void {
  run.parts.push({ scope: { ...(plan.account ? { account: plan.account } : {}), region: "*", loadBalancers: 0, status: "failed" } });
}

/** The account's role assumed once (a shared, refreshed provider); undefined (and a gap) when it cannot be. */
async function assumeRole(run: WideRun, plan: AccountPlan & { roleArn: string }): Promise<Creds | undefined> {
  const { opts, region0 } = run;
  const { fromTemporaryCredentials } = await import("@aws-sdk/credential-providers");
  const base = run.configs();
  const provider = fromTemporaryCredentials({
    params: { RoleArn: plan.roleArn, RoleSessionName: "lbdoctor", DurationSeconds: 3600 },
    ...(opts.credentials ? { masterCredentials: opts.credentials } : {}),
    clientConfig: {
      region: region0,
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      maxAttempts: base.maxAttempts,
      retryStrategy: base.retryStrategy,
      requestHandler: base.requestHandler,
    },
  });
  const once = shared(provider as never);
  try {
    await own(run, "sts:AssumeRole", () => once());
  } catch (e) {
    const info = errorInfo(e);
    addGap(run, {
      operation: "sts:AssumeRole",
      resourceId: plan.roleArn,
      ...(info.status ? { status: info.status } : {}),
      ...(info.code ? { code: info.code } : {}),
      message: `${where(plan.account)}: could not assume ${plan.roleArn}: ${info.message}; nothing was read there`,
    });
    accountFailed(run, plan);
    return undefined;
  }
  return once as unknown as Creds;
}

/** The regions enabled for the account (EC2 DescribeRegions); undefined (and a gap) when refused. */
async function enabledRegions(run: WideRun, plan: AccountPlan, credentials: Creds | undefined): Promise<string[] | undefined> {
  const { opts, region0 } = run;
  const { EC2Client, DescribeRegionsCommand } = await import("@aws-sdk/client-ec2");
  const ec2 = new EC2Client({ ...run.configs(), region: region0, ...(credentials ? { credentials } : {}) });
  try {
    const out = await own(run, "ec2:DescribeRegions", () =>
      ec2.send(new DescribeRegionsCommand({}), { abortSignal: AbortSignal.timeout(opts.callBudgetMs ?? 90_000) }),
    );
    return (out.Regions ?? [])
      .filter((r) => r.OptInStatus !== "not-opted-in")
      .map((r) => String(r.RegionName ?? ""))
      .filter(Boolean)
      .sort();
  } catch (e) {
    const info = errorInfo(e);
    addGap(run, {
      operation: "ec2:DescribeRegions",
      ...(info.status ? { status: info.status } : {}),
      ...(info.code ? { code: info.code } : {}),
      message: `${where(plan.account, region0) || `region ${region0}`}: could not list the enabled regions: ${info.message}; nothing was read${plan.account ? " in this account" : ""}`,
    });
    accountFailed(run, plan);
    return undefined;
  } finally {
    ec2.destroy();
  }
}

/** Per account: its credentials (the role assumed once), then its regions, as work items. */
async function planAccount(run: WideRun, plan: AccountPlan, work: WorkItem[]): Promise<void> {
  const { opts } = run;
  let credentials: Creds | undefined = opts.credentials;
  if (plan.roleArn) {
    credentials = await assumeRole(run, { ...plan, roleArn: plan.roleArn });
    if (!credentials) return;
  }
  let regions: string[] | undefined;
  if (opts.allRegions) {
    regions = await enabledRegions(run, plan, credentials);
    if (!regions) return;
  } else {
    regions = opts.regions && opts.regions.length > 0 ? opts.regions : [run.region0];
  }
  for (const region of regions) work.push({ plan, credentials, region });
}

/** One (account, region): the one-region collection, its gaps labelled; a failure is a gap naming it. */
async function collectPartition(
  run: WideRun,
  item: WorkItem,
  targets: string[],
  inFlight: Map<string, number>,
  collect: typeof collectAws,
): Promise<void> {
  const { opts, emit } = run;
  const { plan, credentials, region } = item;
  const account = plan.account;
  const label = where(account, region);
  // an ARN names its region and account: only that partition can hold it
  const mine = targets.filter((t) => {
    const m = /^arn:[^:]*:elasticloadbalancing:([^:]*):(\d{12}):/.exec(t);
    return !m || (m[1] === region && (!account || m[2] === account));
  });
  if (targets.length > 0 && mine.length === 0) return;
  // the partitions run at once: each is a phase of its own, its calls in flight and its gaps carry its label
  emit({ type: "phase", name: label, scope: label });
  let snapshot: AwsSnapshot;
  let detail: string | undefined;
  try {
    snapshot = await collect({
      ...opts,
      region,
      ...(credentials ? { credentials } : {}),
      emptyOk: true,
      loadBalancers: [],
      matchLoadBalancers: mine,
      allRegions: false,
      regions: [],
      accounts: [],
      onEvent: (e) => {
        if (e.type === "done") {
          // its calls move from the running count to the run's, at once: the total never counts them twice
          run.calls += e.calls;
          inFlight.delete(label);
        }
        if (e.type === "gap") emit({ ...e, scope: label });
        if (e.type === "in-flight") emit({ ...e, scope: label });
        if (e.type === "call") {
          inFlight.set(label, e.calls);
          emit({
            type: "call",
            operation: e.operation,
            calls: run.calls + [...inFlight.values()].reduce((a, b) => a + b, 0),
            scope: label,
          });
        }
      },
    } as AwsCollectOptions);
    detail = plural(snapshot.elbv2.LoadBalancers.length, "load balancer");
  } catch (e) {
    const info = errorInfo(e);
    const arnAccount = account ?? "*";
    detail = "nothing read";
    addGap(
      run,
      {
        operation: "elasticloadbalancing:DescribeLoadBalancers",
        resourceId: `arn:aws:elasticloadbalancing:${region}:${arnAccount}:loadbalancer/*`,
        ...(info.status ? { status: info.status } : {}),
        ...(info.code && info.code !== "InputError" ? { code: info.code } : {}),
        message: `${label}: ${info.message}; nothing was read in this region`,
      },
      label,
    );
    run.parts.push({ scope: { ...(account ? { account } : {}), region, loadBalancers: 0, status: "failed" } });
    return;
  } finally {
    inFlight.delete(label);
    emit({ type: "phase-done", scope: label, ...(detail ? { detail } : {}) });
  }
  const lbAccount = account ?? /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(String(snapshot.elbv2.LoadBalancers[0]?.LoadBalancerArn ?? ""))?.[1];
  for (const g of snapshot.gaps ?? []) g.message = `${label}: ${g.message}`;
  run.parts.push({
    scope: {
      ...(lbAccount ? { account: lbAccount } : {}),
      region,
      loadBalancers: snapshot.elbv2.LoadBalancers.length,
      status: "collected",
    },
    snapshot,
  });
}

/** Exit 2 when nothing could be read, or the named load balancers were in none of the partitions; the load balancer count. */
function checkAnythingRead(run: WideRun, accounts: number, targets: string[]): number {
  const collected = run.parts.filter((p) => p.snapshot);
  if (collected.length === 0) {
    const first = run.gaps[0];
    throw new InputError(
      `nothing could be read in ${accounts > 1 ? `any of the ${accounts} accounts` : "any region"}${first ? `: ${first.message}` : ""}`,
      "Check the credentials, the role's trust policy (it must trust the calling account) and that it allows elasticloadbalancing:Describe*, ec2:Describe*.",
    );
  }
  const lbCount = collected.reduce((n, p) => n + (p.snapshot?.elbv2.LoadBalancers.length ?? 0), 0);
  if (lbCount === 0 && targets.length > 0) {
    throw new InputError(
      `no load balancer ${targets.map((t) => `'${t}'`).join(", ")} in the regions read`,
      "Check the names, --region or --all-regions, and the accounts.",
    );
  }
  return lbCount;
}

export async function collectAwsWide(opts: AwsCollectOptions): Promise<AwsSnapshot> {
  const started = performance.now();
  const region0 = await homeRegion(opts);
  const plans = accountPlans(opts, region0);
  const { collectAws, clientConfigs, resourceCount } = await import("./collect.ts");
  const run: WideRun = {
    opts,
    region0,
    configs: await clientConfigs({ ...opts, region: region0 }),
    emit: opts.onEvent ?? (() => {}),
    gaps: [],
    parts: [],
    calls: 0,
    flying: 0,
    started: 0,
  };

  // 1. per account: its credentials (the role assumed once), then its regions
  if (opts.allRegions || plans.some((p) => p.roleArn)) run.emit({ type: "phase", name: "accounts and regions" });
  const work: WorkItem[] = [];
  const prepare = limiter(Math.max(1, opts.parallelRegions ?? 8));
  await Promise.all(plans.map((plan) => prepare(() => planAccount(run, plan, work))));

  // 2. every (account, region): the one-region collection, a few at once
  const targets = (opts.loadBalancers ?? []).map((t) => t.trim()).filter(Boolean);
  const limit = limiter(Math.max(1, opts.parallelRegions ?? 8));
  // calls of the partitions still running (each reports its own count)
  const inFlight = new Map<string, number>();
  await Promise.all(work.map((item) => limit(() => collectPartition(run, item, targets, inFlight, collectAws))));

  checkAnythingRead(run, plans.length, targets);
  const snapshot = mergeAwsSnapshots(
    run.parts.map((p) => p.snapshot).filter((s): s is AwsSnapshot => s !== undefined),
    run.gaps,
    run.parts.map((p) => p.scope),
    opts,
  );
  run.emit({
    type: "done",
    calls: run.calls,
    ms: performance.now() - started,
    resources: resourceCount(snapshot),
    gaps: snapshot.gaps?.length ?? 0,
  });
  return snapshot;
}

const byKey = (xs: Array<AwsPartitionScope>) =>
  [...xs].sort((a, b) => compareText(a.region, b.region) || compareText(a.account ?? "", b.account ?? ""));

/**
 * Several one-region snapshots → one. ELBv2 data is keyed by ARN (which names region and account); EC2 and
 * Auto Scaling ids are unique per region in practice, and a duplicate across partitions is kept once, with a gap.
 */
export function mergeAwsSnapshots(
  parts: AwsSnapshot[],
  scopeGaps: Gap[],
  partitions: AwsPartitionScope[],
  opts: Pick<AwsCollectOptions, "now" | "toolVersion">,
): AwsSnapshot {
  const gaps: Gap[] = [...scopeGaps];
  const seen = new Map<string, string>();
  const label = (s: AwsSnapshot) => String(s.scope.region ?? "?");
  const unique = (kind: string, idField: string, s: AwsSnapshot, xs: Rec[] | undefined): Rec[] => {
    const out: Rec[] = [];
    for (const x of xs ?? []) {
      const id = `${kind}:${String(x[idField] ?? "")}`;
      const first = seen.get(id);
      if (first !== undefined) {
        if (first !== label(s))
          gaps.push({
            operation: "snapshot",
            resourceId: String(x[idField]),
            message: `${x[idField]} is in both ${first} and ${label(s)}; the copy from ${first} is used`,
          });
        continue;
      }
      seen.set(id, label(s));
      out.push(x);
    }
    return out;
  };
  const merged: AwsSnapshot = {
    schema: "lbdoctor.snapshot/v1",
    provider: "aws",
    collectedAt: (opts.now?.() ?? new Date()).toISOString(),
    tool: { name: "lbdoctor", version: opts.toolVersion ?? "dev" },
    scope: {},
    elbv2: { LoadBalancers: [] },
    ec2: {},
    autoscaling: { AutoScalingGroups: [] },
  };
  const e = merged.elbv2;
  const c = merged.ec2 as NonNullable<AwsSnapshot["ec2"]>;
  // appended in place (the merged lists and records are this function's own): a copy per partition is quadratic
  const push = <T>(list: T[] | undefined, more: T[] | undefined): T[] => {
    const out = list ?? [];
    for (const x of more ?? []) out.push(x);
    return out;
  };
  // own properties, as a spread defines them (a `__proto__` key stays a key)
  const assign = <T>(into: Record<string, T> | undefined, from: Record<string, T> | undefined): Record<string, T> => {
    const out = into ?? {};
    for (const [k, v] of Object.entries(from ?? {}))
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  };
  const obs: NonNullable<AwsSnapshot["observations"]> = {};
  for (const s of parts) {
    e.LoadBalancers = push(e.LoadBalancers, s.elbv2.LoadBalancers);
    e.Listeners = push(e.Listeners, s.elbv2.Listeners);
    e.TargetGroups = push(e.TargetGroups, s.elbv2.TargetGroups);
    e.LoadBalancerAttributes = assign(e.LoadBalancerAttributes, s.elbv2.LoadBalancerAttributes);
    e.Rules = assign(e.Rules, s.elbv2.Rules);
    e.TargetGroupAttributes = assign(e.TargetGroupAttributes, s.elbv2.TargetGroupAttributes);
    e.TargetHealth = assign(e.TargetHealth, s.elbv2.TargetHealth);
    e.Tags = assign(e.Tags, s.elbv2.Tags);
    c.SecurityGroups = push(c.SecurityGroups, unique("sg", "GroupId", s, s.ec2?.SecurityGroups));
    c.Instances = push(c.Instances, unique("i", "InstanceId", s, s.ec2?.Instances));
    c.Subnets = push(c.Subnets, unique("subnet", "SubnetId", s, s.ec2?.Subnets));
    c.NetworkAcls = push(c.NetworkAcls, unique("acl", "NetworkAclId", s, s.ec2?.NetworkAcls));
    c.RouteTables = push(c.RouteTables, unique("rtb", "RouteTableId", s, s.ec2?.RouteTables));
    (merged.autoscaling as { AutoScalingGroups: Rec[] }).AutoScalingGroups.push(...(s.autoscaling?.AutoScalingGroups ?? []));
    const o = s.observations;
    if (o?.guest) obs.guest = assign(obs.guest, o.guest);
    if (o?.window) obs.window = o.window;
    if (o?.cloudwatch) obs.cloudwatch = assign(obs.cloudwatch, o.cloudwatch);
    if (o?.cloudtrail?.Events) obs.cloudtrail = { Events: push(obs.cloudtrail?.Events, o.cloudtrail.Events) };
    gaps.push(...(s.gaps ?? []));
  }
  const regions = [...new Set(partitions.map((p) => p.region).filter((r) => r !== "*"))].sort();
  const accounts = [...new Set(partitions.map((p) => p.account).filter((a): a is string => a !== undefined))].sort();
  merged.scope = {
    ...(regions.length === 1 ? { region: regions[0] } : {}),
    regions,
    ...(accounts.length > 0 ? { accounts } : {}),
    partitions: byKey(partitions),
    loadBalancers: e.LoadBalancers.map((lb) => String(lb.LoadBalancerName ?? lb.LoadBalancerArn)),
  };
  if (Object.keys(obs).length > 0) merged.observations = obs;
  merged.gaps = gaps;
  return merged;
}
