/**
 * An emulator of the AWS Query-protocol read APIs lbdoctor's collector calls,
 * serving one or more `lbdoctor.snapshot/v1` AWS snapshots over plain HTTP on
 * 127.0.0.1. The real SDK v3 clients and the `aws` CLI (botocore) work against
 * it with `endpoint: emu.url` (or `AWS_ENDPOINT_URL`) and any credentials.
 *
 * Requests are `POST /` with a form body; the route is Version + Action:
 *   - ELBv2 (`2015-12-01`) and Auto Scaling (`2011-01-01`) answer awsQuery:
 *     `<XResponse><XResult>…</XResult><ResponseMetadata><RequestId/>…`,
 *     lists as `<member>`, paging with Marker/NextMarker (ASG: NextToken).
 *   - EC2 (`2016-11-15`) answers ec2Query: no Result wrapper, `<requestId>`,
 *     `<item>` lists, lowerCamel names with EC2's renames (see xml.ts), paging
 *     with NextToken/MaxResults.
 * Errors carry status ≥ 400 (an error body with 200 parses as an empty success),
 * in each protocol's envelope, with the `x-amzn-requestid` header.
 *
 * Systems Manager Run Command (the `--guest` check) is served on the same
 * endpoint over its own protocol, AWS JSON 1.1, routed by the
 * `x-amz-target: AmazonSSM.<Operation>` header (see ssm.ts).
 *
 * Per request: latency → count (under the action name) → credential check →
 * faults → the handler.
 */
import { createServer } from "node:http";
import { type EmulatorHandle, emulatorHandle, Faults, latencySource, listenLocal, RequestCounts } from "../../../core/emulator/http.ts";
import type { AwsSnapshot } from "../wire-types.ts";
import { awsHandler } from "./dispatch.ts";
import { type AssumedRole, type BucketSpec, type CallRecord, Partitions, type RegionInfo } from "./partitions.ts";
import type { AwsState } from "./protocol.ts";
import { AwsStore } from "./store.ts";

export { type AssumedRole, type BucketSpec, type CallRecord, DOCUMENTED_BUCKETS, type RegionInfo } from "./partitions.ts";

export { VERSIONS } from "./protocol.ts";
export { EC2_SHAPES, ec2Member, lowerFirst } from "./xml.ts";

export type AwsService = "elbv2" | "ec2" | "autoscaling" | "sts";

export interface AwsFaultRule {
  /** The action name (`DescribeTargetHealth`), or `*` for every action. */
  action: string;
  /**
   * - `throttle`: `Throttling` (ELBv2/ASG, HTTP 400) or `RequestLimitExceeded` (EC2, HTTP 503);
   * - `denied`: `AccessDenied` (ELBv2/ASG, 403) or `UnauthorizedOperation` (EC2, 403);
   * - `error`: `code` and `status` as given (default `InternalFailure`, 500);
   * - `latency`: waits `latencyMs`, then answers normally.
   */
  fault: "throttle" | "denied" | "error" | "latency";
  code?: string;
  status?: number;
  message?: string;
  latencyMs?: number;
  /** How many matching requests it applies to (default: all). */
  times?: number;
  /** Only requests whose decoded form parameters contain this string (e.g. a target group ARN), or match this regex. */
  match?: string | RegExp;
  /** Only requests in this account (the home one, or the one an AssumeRole key was issued for) or this region (its SigV4 scope). */
  account?: string;
  region?: string;
}

export interface AwsEmulatorOptions {
  /** One or more AWS snapshots; merged, first wins on a duplicate id. */
  snapshots: AwsSnapshot[];
  /** Items per page, capped further by the request's PageSize/MaxResults/MaxRecords (default 100). */
  pageSize?: number;
  /** Latency per request, fixed or uniformly jittered (seeded, so reproducible). */
  latencyMs?: number | { min: number; max: number };
  /** LookupEvents requests a second before ThrottlingException (default 2, the documented rate; benches that pace faster raise it) */
  lookupRate?: number;
  faults?: AwsFaultRule[];
  /** Default 0 (ephemeral). */
  port?: number;
  /** When set, only SigV4 requests signed with this access key id are accepted (InvalidClientTokenId / AuthFailure otherwise). */
  accessKeyId?: string;
  /** SSM: how many GetCommandInvocation reads answer `InProgress` before the result (default 1). */
  ssmPendingPolls?: number;
  /**
   * Enforce the Describe* token buckets per account and region: `true` for AWS's documented ones
   * (ELBv2 40 tokens refilling 10/s for every Describe; EC2 100 refilling 20/s per action), or your own.
   */
  throttle?: boolean | { elbv2?: BucketSpec; ec2?: BucketSpec };
  /** The regions DescribeRegions answers (default: the snapshots' regions); a `not-opted-in` one refuses the credentials. */
  regions?: RegionInfo[];
  /** The account requests signed with a non-AssumeRole key act in (default: the first snapshot's account). */
  homeAccount?: string;
  /** Accounts served (turns on partitioning by account and region even with one snapshot). */
  accounts?: string[];
  /** AssumeRole answers AccessDenied for these role ARNs or account ids. */
  denyAssumeRole?: string[];
}

/** `url` is `http://127.0.0.1:PORT`; requests are counted per action name (`unknown` for unroutable ones). */
export interface AwsEmulator extends EmulatorHandle<AwsFaultRule> {
  /** Replaces the DescribeTargetHealth answer of a target group (live state, e.g. a target turning healthy). */
  setTargetHealth(targetGroupArn: string, descriptions: Array<Record<string, unknown>>): void;
  /** Every AssumeRole answered, in order. */
  assumed(): AssumedRole[];
  /** Every Query-protocol request (ELBv2, EC2, Auto Scaling, STS) as routed: account, region, access key, status. */
  calls(): CallRecord[];
  /** Requests refused by a token bucket so far. */
  throttled(): number;
}

export async function startAwsEmulator(opts: AwsEmulatorOptions): Promise<AwsEmulator> {
  const st: AwsState = { opts, store: new AwsStore(opts.snapshots), pageSize: Math.max(1, Math.floor(opts.pageSize ?? 100)) };
  const faults = new Faults(opts.faults ?? []);
  const counts = new RequestCounts();
  const partitions = new Partitions(st, opts);
  const handle = awsHandler(st, faults, counts, latencySource(opts.latencyMs), partitions);
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const port = await listenLocal(server, opts.port ?? 0);
  return {
    ...emulatorHandle(server, `http://127.0.0.1:${port}`, port, counts, faults),
    setTargetHealth: (arn, descriptions) => {
      st.store.targetHealth.set(arn, descriptions);
    },
    assumed: () => [...partitions.assumed],
    calls: () => [...partitions.calls],
    throttled: () => partitions.throttled,
  };
}
