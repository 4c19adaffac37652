/**
 * The emulator beyond one region and one account:
 *   - partitions: each snapshot is served as the data of its account (the
 *     account of its ARNs) in its region (`scope.region`); a request goes to
 *     the partition of its SigV4 credential scope's region and of the account
 *     its access key belongs to (the home account, or the one it was issued
 *     for by AssumeRole). A region or account with no snapshot answers empty.
 *   - STS AssumeRole (Query protocol, version 2011-06-15): issues temporary
 *     keys for `arn:aws:iam::<account>:role/<name>`, or AccessDenied (403);
 *   - EC2 DescribeRegions: the regions served, opt-in status included
 *     (regions `not-opted-in` answer AuthFailure / InvalidClientTokenId, as
 *     AWS does for a region not enabled for the account);
 *   - the documented Describe* token buckets, per account and region:
 *     ELBv2 one bucket for every Describe (40 tokens, 10 a second),
 *     EC2 one bucket per action (100 tokens, 20 a second); an empty bucket
 *     answers `Throttling` (400) or `RequestLimitExceeded` (503).
 * With one snapshot partition and no `regions` or `accounts` option, every
 * request is served from the one merged store (the single-region behaviour).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AwsSnapshot } from "../wire-types.ts";
import { awsHandlers } from "./handlers.ts";
import type { AwsEmulatorOptions, AwsService } from "./index.ts";
import { type AwsState, type Handler, type Params, QueryError } from "./protocol.ts";
import { AwsStore, type Rec } from "./store.ts";

/** A token bucket: `capacity` tokens, refilled continuously at `perSecond`. */
export interface BucketSpec {
  capacity: number;
  perSecond: number;
}

/** AWS's documented buckets for the non-mutating (Describe*) actions, per account and region. */
export const DOCUMENTED_BUCKETS: { elbv2: BucketSpec; ec2: BucketSpec } = {
  // "Request throttling for the ELB API": non-mutating actions, 40 tokens, refill 10 a second (one bucket for all of them)
  elbv2: { capacity: 40, perSecond: 10 },
  // "Request throttling for the Amazon EC2 API": non-mutating actions, 100 tokens, refill 20 a second (each API its own bucket)
  ec2: { capacity: 100, perSecond: 20 },
};

export interface RegionInfo {
  name: string;
  /** default `opt-in-not-required` */
  optIn?: "opt-in-not-required" | "opted-in" | "not-opted-in";
}

/** One AssumeRole the emulator answered. */
export interface AssumedRole {
  roleArn: string;
  account: string;
  sessionName: string;
  /** the caller's access key id */
  callerKey: string | undefined;
  /** the temporary key issued */
  accessKeyId: string;
}

/** One request, as the emulator routed it. */
export interface CallRecord {
  action: string;
  service: AwsService;
  account: string;
  region: string;
  accessKeyId: string | undefined;
  status: number;
}

class Bucket {
  private tokens: number;
  private last: number;
  private readonly spec: BucketSpec;
  constructor(spec: BucketSpec) {
    this.spec = spec;
    this.tokens = spec.capacity;
    this.last = performance.now();
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.spec.capacity, this.tokens + ((now - this.last) / 1000) * this.spec.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The credential scope of a SigV4 Authorization header: access key id and region. */
export function sigv4Scope(req: IncomingMessage): { key: string | undefined; region: string | undefined } {
  const auth = String(req.headers.authorization ?? "");
  const m = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\//.exec(auth);
  return { key: m?.[1], region: m?.[2] };
}

function snapshotRegion(s: AwsSnapshot): string | undefined {
  if (typeof s.scope.region === "string" && s.scope.region) return s.scope.region;
  const arn = String(s.elbv2.LoadBalancers[0]?.LoadBalancerArn ?? "");
  return /^arn:[^:]*:[^:]*:([^:]+):/.exec(arn)?.[1];
}

interface Partition {
  store: AwsStore;
  handlers: Record<AwsService, Map<string, Handler>>;
}

export class Partitions {
  readonly partitioned: boolean;
  readonly home: string;
  private readonly byKey = new Map<string, Partition>();
  private readonly single: Partition;
  private readonly empty = new Map<string, Partition>();
  /** temporary access key id → account */
  private readonly issued = new Map<string, string>();
  readonly assumed: AssumedRole[] = [];
  readonly calls: CallRecord[] = [];
  readonly regions: RegionInfo[];
  private readonly buckets = new Map<string, Bucket>();
  private readonly bucketSpecs: { elbv2?: BucketSpec; ec2?: BucketSpec } | undefined;
  throttled = 0;

  private readonly st: AwsState;
  constructor(st: AwsState, opts: AwsEmulatorOptions) {
    this.st = st;
    this.single = { store: st.store, handlers: awsHandlers(st) };
    const groups = new Map<string, AwsSnapshot[]>();
    for (const s of opts.snapshots) {
      const account = new AwsStore([s]).account;
      const region = snapshotRegion(s) ?? "us-east-1";
      const k = `${account}/${region}`;
      groups.set(k, [...(groups.get(k) ?? []), s]);
    }
    this.home = opts.homeAccount ?? st.store.account;
    this.partitioned = groups.size > 1 || opts.regions !== undefined || opts.accounts !== undefined;
    for (const [k, snaps] of groups) {
      const store = new AwsStore(snaps);
      this.byKey.set(k, { store, handlers: awsHandlers({ ...st, store }) });
    }
    const regionNames = [...new Set([...groups.keys()].map((k) => k.split("/")[1] as string))];
    this.regions = opts.regions ?? regionNames.map((name) => ({ name }));
    this.bucketSpecs = opts.throttle === true ? DOCUMENTED_BUCKETS : opts.throttle || undefined;
  }

  /** The account a request acts in: the one its temporary key was issued for, else the home account. */
  accountOf(key: string | undefined): string {
    return (key && this.issued.get(key)) || this.home;
  }

  isIssued(key: string | undefined): boolean {
    return key !== undefined && this.issued.has(key);
  }

  /** The partition of (account, region): its snapshots, or nothing when partitioned and none were given. */
  partition(account: string, region: string): Partition {
    if (!this.partitioned) return this.single;
    const k = `${account}/${region}`;
    const found = this.byKey.get(k);
    if (found) return found;
    let e = this.empty.get(k);
    if (!e) {
      const store = new AwsStore([]);
      e = { store, handlers: awsHandlers({ ...this.st, store }) };
      this.empty.set(k, e);
    }
    return e;
  }

  /** A region not enabled for the account answers as AWS does: the credentials are not valid there. */
  checkRegionEnabled(svc: AwsService, region: string): void {
    if (!this.partitioned || svc === "sts") return;
    const info = this.regions.find((r) => r.name === region);
    if (info?.optIn !== "not-opted-in") return;
    if (svc === "ec2") throw new QueryError(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
    throw new QueryError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
  }

  /** Takes a token from the documented bucket of (account, region, service[, EC2 action]); an empty bucket is the service's throttling error. */
  takeToken(svc: AwsService, action: string, account: string, region: string): void {
    if (!this.bucketSpecs || !action.startsWith("Describe")) return;
    const spec = svc === "elbv2" ? this.bucketSpecs.elbv2 : svc === "ec2" ? this.bucketSpecs.ec2 : undefined;
    if (!spec) return;
    const k = svc === "ec2" ? `${account}/${region}/ec2/${action}` : `${account}/${region}/elbv2`;
    let b = this.buckets.get(k);
    if (!b) {
      b = new Bucket(spec);
      this.buckets.set(k, b);
    }
    if (b.take()) return;
    this.throttled++;
    if (svc === "ec2") throw new QueryError(503, "RequestLimitExceeded", "Request limit exceeded.");
    throw new QueryError(400, "Throttling", "Rate exceeded");
  }

  /** STS AssumeRole: temporary keys that act in the role's account, or AccessDenied for a role the options deny. */
  assumeRole(p: Params, callerKey: string | undefined, denied: string[]): Rec {
    const roleArn = p.get("RoleArn") ?? "";
    const sessionName = p.get("RoleSessionName") ?? "";
    const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/([\w+=,.@/-]+)$/.exec(roleArn);
    if (!m)
      throw new QueryError(
        400,
        "ValidationError",
        `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint`,
      );
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
      throw new QueryError(400, "ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint");
    const account = m[1] as string;
    const caller = this.accountOf(callerKey);
    if (denied.includes(roleArn) || denied.includes(account)) {
      throw new QueryError(
        403,
        "AccessDenied",
        `User: arn:aws:iam::${caller}:user/emulator is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const duration = p.int("DurationSeconds") ?? 3600;
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200)
      throw new QueryError(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    const accessKeyId = `ASIA${randomBytes(10).toString("hex").toUpperCase().slice(0, 16)}`;
    this.issued.set(accessKeyId, account);
    this.assumed.push({ roleArn, account, sessionName, callerKey, accessKeyId });
    const roleName = (m[2] as string).split("/").pop() as string;
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: randomBytes(20).toString("base64"),
        SessionToken: randomBytes(48).toString("base64"),
        Expiration: new Date(Date.now() + duration * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
        AssumedRoleId: `AROA${randomBytes(8).toString("hex").toUpperCase()}:${sessionName}`,
      },
    };
  }

  /** EC2 DescribeRegions: the enabled regions (or all with AllRegions=true), narrowed by RegionName.N. */
  describeRegions(p: Params): Rec {
    const all = p.get("AllRegions") === "true";
    const names = p.list("RegionName");
    const regions = this.regions
      .filter((r) => all || r.optIn !== "not-opted-in")
      .filter((r) => names.length === 0 || names.includes(r.name))
      .map((r) => ({
        RegionName: r.name,
        Endpoint: `ec2.${r.name}.amazonaws.com`,
        OptInStatus: r.optIn ?? "opt-in-not-required",
      }));
    return { Regions: regions };
  }
}
