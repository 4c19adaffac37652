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
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsSnapshot } from "../../../providers/aws/wire-types.ts";
import { createSsm, JsonError } from "./ssm.ts";
import { AwsStore, ec2FilterValues, matchesFilters, type Rec } from "./store.ts";
import { ec2Members, escapeXml, queryXml } from "./xml.ts";

export { EC2_SHAPES, ec2Member, lowerFirst } from "./xml.ts";

export type AwsService = "elbv2" | "ec2" | "autoscaling";
/** The Query services and SSM (AWS JSON 1.1), for faults and credential checks. */
type AnyService = AwsService | "ssm";

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
}

export interface AwsEmulatorOptions {
  /** One or more AWS snapshots; merged, first wins on a duplicate id. */
  snapshots: AwsSnapshot[];
  /** Items per page, capped further by the request's PageSize/MaxResults/MaxRecords (default 100). */
  pageSize?: number;
  /** Latency per request, fixed or uniformly jittered (seeded, so reproducible). */
  latencyMs?: number | { min: number; max: number };
  faults?: AwsFaultRule[];
  /** Default 0 (ephemeral). */
  port?: number;
  /** When set, only SigV4 requests signed with this access key id are accepted (InvalidClientTokenId / AuthFailure otherwise). */
  accessKeyId?: string;
  /** SSM: how many GetCommandInvocation reads answer `InProgress` before the result (default 1). */
  ssmPendingPolls?: number;
}

export interface AwsEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Requests per action name (`unknown` for unroutable ones), faulted ones included. */
  counts(): Record<string, number>;
  total(): number;
  resetCounts(): void;
  setFaults(faults: AwsFaultRule[]): void;
  /** Replaces the DescribeTargetHealth answer of a target group (live state, e.g. a target turning healthy). */
  setTargetHealth(targetGroupArn: string, descriptions: Array<Record<string, unknown>>): void;
  close(): Promise<void>;
}

export const VERSIONS: Record<string, AwsService> = {
  "2015-12-01": "elbv2",
  "2016-11-15": "ec2",
  "2011-01-01": "autoscaling",
};

const NAMESPACES: Record<AwsService, string> = {
  elbv2: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
  autoscaling: "http://autoscaling.amazonaws.com/doc/2011-01-01/",
};

class QueryError extends Error {
  status: number;
  code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const validation = (svc: AwsService, message: string) =>
  svc === "ec2" ? new QueryError(400, "InvalidParameterValue", message) : new QueryError(400, "ValidationError", message);

/** The form parameters of one request, with the Query protocols' list and filter encodings. */
class Params {
  readonly raw: URLSearchParams;
  constructor(raw: URLSearchParams) {
    this.raw = raw;
  }
  get(name: string): string | undefined {
    return this.raw.get(name) ?? undefined;
  }
  int(name: string): number | undefined {
    const v = this.raw.get(name);
    if (v === null) return undefined;
    const n = Number(v);
    return Number.isInteger(n) ? n : Number.NaN;
  }
  /** `Prefix.N` values (ec2Query) or `Prefix.member.N` (awsQuery, pass `Prefix.member`), in N order. */
  list(prefix: string): string[] {
    const re = new RegExp(`^${prefix.replaceAll(".", "\\.")}\\.(\\d+)$`);
    const out: Array<[number, string]> = [];
    for (const [k, v] of this.raw) {
      const m = re.exec(k);
      if (m) out.push([Number(m[1]), v]);
    }
    return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }
  /** Structures of a list: `Prefix.N.Field` → [{ Field: value }] in N order. */
  structs(prefix: string): Array<Record<string, string>> {
    const re = new RegExp(`^${prefix.replaceAll(".", "\\.")}\\.(\\d+)\\.(.+)$`);
    const by = new Map<number, Record<string, string>>();
    for (const [k, v] of this.raw) {
      const m = re.exec(k);
      if (!m) continue;
      const n = Number(m[1]);
      const o = by.get(n) ?? {};
      o[m[2] as string] = v;
      by.set(n, o);
    }
    return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([, o]) => o);
  }
  /** ec2Query `Filter.N.Name` + `Filter.N.Value.M`. */
  ec2Filters(): Array<{ name: string; values: string[] }> {
    return this.structs("Filter").map((f) => ({
      name: f.Name ?? "",
      values: Object.entries(f)
        .filter(([k]) => /^Value\.\d+$/.test(k))
        .sort((a, b) => Number(a[0].slice(6)) - Number(b[0].slice(6)))
        .map(([, v]) => v),
    }));
  }
  /** awsQuery `Filters.member.N.Name` + `Filters.member.N.Values.member.M`. */
  queryFilters(): Array<{ name: string; values: string[] }> {
    return this.structs("Filters.member").map((f) => ({
      name: f.Name ?? "",
      values: Object.entries(f)
        .filter(([k]) => /^Values\.member\.\d+$/.test(k))
        .sort((a, b) => Number(a[0].split(".")[2]) - Number(b[0].split(".")[2]))
        .map(([, v]) => v),
    }));
  }
  /** The decoded parameters as one string, for fault matching. */
  text(): string {
    return [...this.raw].map(([k, v]) => `${k}=${v}`).join("&");
  }
}

interface PageResult<T> {
  items: T[];
  next: string | undefined;
}

function page<T>(svc: AwsService, items: T[], token: string | undefined, limit: number): PageResult<T> {
  let offset = 0;
  if (token) {
    const m = /^o(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    if (!m) throw validation(svc, `Invalid ${svc === "elbv2" ? "marker" : "next token"}: ${token}`);
    offset = Number(m[1]);
  }
  const end = offset + Math.max(1, limit);
  return { items: items.slice(offset, end), next: end < items.length ? Buffer.from(`o${end}`).toString("base64url") : undefined };
}

type Handler = (p: Params) => Rec;

/** The largest MaxResults each EC2 Describe accepts (botocore's model: DescribeRouteTables stops at 100). */
const EC2_MAX_RESULTS: Record<string, number> = {
  DescribeSecurityGroups: 1000,
  DescribeInstances: 1000,
  DescribeSubnets: 1000,
  DescribeNetworkAcls: 1000,
  DescribeRouteTables: 100,
};

/** A small seeded PRNG (mulberry32), so jittered latency is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) {
        reject(new QueryError(413, "RequestEntityTooLarge", "The request body is too large."));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const each = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);

export async function startAwsEmulator(opts: AwsEmulatorOptions): Promise<AwsEmulator> {
  const store = new AwsStore(opts.snapshots);
  const pageSize = Math.max(1, Math.floor(opts.pageSize ?? 100));
  const random = mulberry32(0x1bd0c7);
  let faults: Array<{ rule: AwsFaultRule; remaining: number }> = [];
  const setFaults = (list: AwsFaultRule[]) => {
    faults = list.map((rule) => ({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY }));
  };
  setFaults(opts.faults ?? []);
  let counts: Record<string, number> = {};

  /** Items per page: the request's own limit (validated against the API's range), capped by the emulator's page size. */
  const limitOf = (svc: AwsService, p: Params, param: string, min: number, max: number): number => {
    const n = p.int(param);
    if (n === undefined) return pageSize;
    if (!Number.isInteger(n) || n < min || n > max) throw validation(svc, `${param} must be between ${min} and ${max}`);
    return Math.min(n, pageSize);
  };

  const lbByArn = (arn: string) => store.loadBalancers.find((lb) => lb.LoadBalancerArn === arn);
  const tgByArn = (arn: string) => store.targetGroups.find((tg) => tg.TargetGroupArn === arn);
  const lbNotFound = () => new QueryError(400, "LoadBalancerNotFound", "One or more load balancers not found");
  const tgNotFound = () => new QueryError(400, "TargetGroupNotFound", "One or more target groups not found");

  const elbv2 = new Map<string, Handler>([
    [
      "DescribeLoadBalancers",
      (p) => {
        const names = p.list("Names.member");
        const arns = p.list("LoadBalancerArns.member");
        if (names.length > 0 && arns.length > 0)
          throw validation("elbv2", "Load balancer names and load balancer ARNs cannot be specified at the same time");
        if (names.length > 20 || arns.length > 20) throw validation("elbv2", "You can specify up to 20 load balancers in a single call");
        let lbs = store.loadBalancers;
        if (names.length > 0 || arns.length > 0) {
          const wanted = names.length > 0 ? names : arns;
          const key = names.length > 0 ? "LoadBalancerName" : "LoadBalancerArn";
          if (wanted.some((w) => !lbs.some((lb) => lb[key] === w))) throw lbNotFound();
          lbs = lbs.filter((lb) => wanted.includes(String(lb[key])));
        }
        const pg = page("elbv2", lbs, p.get("Marker"), limitOf("elbv2", p, "PageSize", 1, 400));
        return { LoadBalancers: pg.items, NextMarker: pg.next };
      },
    ],
    [
      "DescribeLoadBalancerAttributes",
      (p) => {
        const arn = p.get("LoadBalancerArn") ?? "";
        if (!lbByArn(arn)) throw lbNotFound();
        return { Attributes: store.loadBalancerAttributes.get(arn) ?? [] };
      },
    ],
    [
      "DescribeListeners",
      (p) => {
        const lbArn = p.get("LoadBalancerArn");
        const arns = p.list("ListenerArns.member");
        if (!lbArn && arns.length === 0) throw validation("elbv2", "You must specify either listener ARNs or a load balancer ARN");
        let ls = store.listeners;
        if (lbArn) {
          if (!lbByArn(lbArn)) throw lbNotFound();
          ls = ls.filter((l) => l.LoadBalancerArn === lbArn);
        }
        if (arns.length > 0) {
          if (arns.some((a) => !ls.some((l) => l.ListenerArn === a)))
            throw new QueryError(400, "ListenerNotFound", "One or more listeners not found");
          ls = ls.filter((l) => arns.includes(String(l.ListenerArn)));
        }
        const pg = page("elbv2", ls, p.get("Marker"), limitOf("elbv2", p, "PageSize", 1, 400));
        return { Listeners: pg.items, NextMarker: pg.next };
      },
    ],
    [
      "DescribeRules",
      (p) => {
        const listenerArn = p.get("ListenerArn");
        const arns = p.list("RuleArns.member");
        let rules: Rec[];
        if (listenerArn) {
          if (!store.listeners.some((l) => l.ListenerArn === listenerArn))
            throw new QueryError(400, "ListenerNotFound", "One or more listeners not found");
          rules = store.rules.get(listenerArn) ?? [];
        } else if (arns.length > 0) {
          const all = [...store.rules.values()].flat();
          if (arns.some((a) => !all.some((r) => r.RuleArn === a))) throw new QueryError(400, "RuleNotFound", "One or more rules not found");
          rules = all.filter((r) => arns.includes(String(r.RuleArn)));
        } else {
          throw validation("elbv2", "You must specify either listener ARN or rule ARNs");
        }
        const pg = page("elbv2", rules, p.get("Marker"), limitOf("elbv2", p, "PageSize", 1, 400));
        return { Rules: pg.items, NextMarker: pg.next };
      },
    ],
    [
      "DescribeTargetGroups",
      (p) => {
        const lbArn = p.get("LoadBalancerArn");
        const arns = p.list("TargetGroupArns.member");
        const names = p.list("Names.member");
        let tgs = store.targetGroups;
        if (lbArn) {
          if (!lbByArn(lbArn)) throw lbNotFound();
          tgs = tgs.filter((tg) => Array.isArray(tg.LoadBalancerArns) && tg.LoadBalancerArns.includes(lbArn));
        }
        if (arns.length > 0) {
          if (arns.some((a) => !tgs.some((tg) => tg.TargetGroupArn === a))) throw tgNotFound();
          tgs = tgs.filter((tg) => arns.includes(String(tg.TargetGroupArn)));
        }
        if (names.length > 0) {
          if (names.some((n) => !tgs.some((tg) => tg.TargetGroupName === n))) throw tgNotFound();
          tgs = tgs.filter((tg) => names.includes(String(tg.TargetGroupName)));
        }
        const pg = page("elbv2", tgs, p.get("Marker"), limitOf("elbv2", p, "PageSize", 1, 400));
        return { TargetGroups: pg.items, NextMarker: pg.next };
      },
    ],
    [
      "DescribeTargetGroupAttributes",
      (p) => {
        const arn = p.get("TargetGroupArn") ?? "";
        if (!tgByArn(arn)) throw tgNotFound();
        return { Attributes: store.targetGroupAttributes.get(arn) ?? [] };
      },
    ],
    [
      "DescribeTargetHealth",
      (p) => {
        const arn = p.get("TargetGroupArn") ?? "";
        if (!tgByArn(arn)) throw tgNotFound();
        let ds = store.targetHealth.get(arn) ?? [];
        const targets = p.structs("Targets.member");
        if (targets.length > 0) {
          ds = ds.filter((d) => {
            const t = (d.Target ?? {}) as Rec;
            return targets.some((w) => w.Id === t.Id && (w.Port === undefined || w.Port === String(t.Port)));
          });
        }
        return { TargetHealthDescriptions: ds };
      },
    ],
    [
      "DescribeTags",
      (p) => {
        const arns = p.list("ResourceArns.member");
        if (arns.length === 0) throw validation("elbv2", "ResourceArns must be specified");
        if (arns.length > 20) throw validation("elbv2", "You can specify up to 20 resources in a single call");
        for (const a of arns) {
          if (a.includes(":loadbalancer/") && !lbByArn(a)) throw lbNotFound();
          if (a.includes(":targetgroup/") && !tgByArn(a)) throw tgNotFound();
        }
        return { TagDescriptions: arns.map((a) => ({ ResourceArn: a, Tags: store.tags.get(a) ?? [] })) };
      },
    ],
  ]);

  const autoscaling = new Map<string, Handler>([
    [
      "DescribeAutoScalingGroups",
      (p) => {
        const names = p.list("AutoScalingGroupNames.member");
        const filters = p.queryFilters();
        for (const f of filters) {
          if (!(f.name === "tag-key" || f.name === "tag-value" || f.name.startsWith("tag:")))
            throw validation("autoscaling", `Filter name '${f.name}' is not valid`);
        }
        let asgs = store.autoScalingGroups;
        if (names.length > 0) asgs = asgs.filter((a) => names.includes(String(a.AutoScalingGroupName)));
        asgs = asgs.filter((a) => matchesFilters((name, item) => ec2FilterValues("", name, item), filters, a));
        const pg = page("autoscaling", asgs, p.get("NextToken"), limitOf("autoscaling", p, "MaxRecords", 1, 100));
        return { AutoScalingGroups: pg.items, NextToken: pg.next };
      },
    ],
  ]);

  /** An EC2 Describe over one collection: ids (`IdParam.N`, unknown ones are an error), filters, paging. */
  const ec2Describe =
    (action: string, all: () => Rec[], idParam: string, idField: string, notFound: string, outKey: string) =>
    (p: Params): Rec => {
      const ids = p.list(idParam);
      let items = all();
      if (ids.length > 0) {
        const missing = ids.filter((id) => !items.some((x) => x[idField] === id));
        if (missing.length > 0) throw new QueryError(400, notFound, `The ${idField} '${missing.join(", ")}' does not exist`);
        items = items.filter((x) => ids.includes(String(x[idField])));
      }
      const filters = p.ec2Filters();
      for (const f of filters) {
        if (
          !f.name.startsWith("tag:") &&
          f.name !== "tag-key" &&
          f.name !== "tag-value" &&
          ec2FilterValues(action, f.name, {}) === undefined
        )
          throw new QueryError(400, "InvalidParameterValue", `The filter '${f.name}' is invalid`);
      }
      items = items.filter((x) => matchesFilters((name, item) => ec2FilterValues(action, name, item), filters, x));
      if (ids.length > 0 && action === "DescribeInstances" && p.get("MaxResults") !== undefined)
        throw new QueryError(400, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
      const pg = page("ec2", items, p.get("NextToken"), limitOf("ec2", p, "MaxResults", 5, EC2_MAX_RESULTS[action] ?? 1000));
      return { [outKey]: pg.items, NextToken: pg.next };
    };

  const ec2 = new Map<string, Handler>([
    [
      "DescribeSecurityGroups",
      ec2Describe("DescribeSecurityGroups", () => store.securityGroups, "GroupId", "GroupId", "InvalidGroup.NotFound", "SecurityGroups"),
    ],
    [
      "DescribeInstances",
      (p) => {
        const r = ec2Describe(
          "DescribeInstances",
          () => store.instances,
          "InstanceId",
          "InstanceId",
          "InvalidInstanceID.NotFound",
          "Instances",
        )(p);
        // one reservation per instance: the snapshot keeps instances flattened
        const reservations = each(r.Instances).map((i) => ({
          ReservationId: `r-${String(i.InstanceId).replace(/^i-/, "")}`,
          OwnerId: store.account,
          Groups: [],
          Instances: [i],
        }));
        return { Reservations: reservations, NextToken: r.NextToken };
      },
    ],
    ["DescribeSubnets", ec2Describe("DescribeSubnets", () => store.subnets, "SubnetId", "SubnetId", "InvalidSubnetID.NotFound", "Subnets")],
    [
      "DescribeNetworkAcls",
      ec2Describe(
        "DescribeNetworkAcls",
        () => store.networkAcls,
        "NetworkAclId",
        "NetworkAclId",
        "InvalidNetworkAclID.NotFound",
        "NetworkAcls",
      ),
    ],
    [
      "DescribeRouteTables",
      ec2Describe(
        "DescribeRouteTables",
        () => store.routeTables,
        "RouteTableId",
        "RouteTableId",
        "InvalidRouteTableID.NotFound",
        "RouteTables",
      ),
    ],
  ]);

  const handlers: Record<AwsService, Map<string, Handler>> = { elbv2, ec2, autoscaling };
  const ssm = createSsm(store, { ...(opts.ssmPendingPolls !== undefined ? { pendingPolls: opts.ssmPendingPolls } : {}) });

  const successXml = (svc: AwsService, action: string, result: Rec, requestId: string): string => {
    const ns = NAMESPACES[svc];
    if (svc === "ec2") {
      return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${ns}"><requestId>${requestId}</requestId>${ec2Members(result, `${action}Result`)}</${action}Response>`;
    }
    const body = Object.entries(result)
      .map(([k, v]) => queryXml(k, v, `${action}Result`))
      .join("");
    return `<${action}Response xmlns="${ns}"><${action}Result>${body}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  };

  const errorXml = (svc: AwsService, e: QueryError, requestId: string): string => {
    const code = escapeXml(e.code);
    const message = escapeXml(e.message);
    if (svc === "ec2") {
      return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
    }
    const type = e.status >= 500 ? "Receiver" : "Sender";
    return `<ErrorResponse xmlns="${NAMESPACES[svc]}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  };

  const faultError = (svc: AnyService, rule: AwsFaultRule): QueryError | undefined => {
    const msg = (m: string) => rule.message ?? `${m} (injected by the AWS emulator)`;
    if (svc === "ssm") {
      // AWS JSON services name their errors in `__type`; SSM answers AccessDeniedException and ThrottlingException with 400
      if (rule.fault === "throttle") return new QueryError(rule.status ?? 400, rule.code ?? "ThrottlingException", msg("Rate exceeded"));
      if (rule.fault === "denied")
        return new QueryError(
          rule.status ?? 400,
          rule.code ?? "AccessDeniedException",
          msg("User is not authorized to perform: ssm:SendCommand on resource"),
        );
    }
    switch (rule.fault) {
      case "throttle":
        return svc === "ec2"
          ? new QueryError(rule.status ?? 503, rule.code ?? "RequestLimitExceeded", msg("Request limit exceeded."))
          : new QueryError(rule.status ?? 400, rule.code ?? "Throttling", msg("Rate exceeded"));
      case "denied":
        return svc === "ec2"
          ? new QueryError(
              rule.status ?? 403,
              rule.code ?? "UnauthorizedOperation",
              msg("You are not authorized to perform this operation."),
            )
          : new QueryError(rule.status ?? 403, rule.code ?? "AccessDenied", msg("User is not authorized to perform this action"));
      case "error":
        return new QueryError(rule.status ?? 500, rule.code ?? "InternalFailure", msg("An internal error occurred."));
      default:
        return undefined;
    }
  };

  const checkCredential = (svc: AnyService, req: IncomingMessage) => {
    if (opts.accessKeyId === undefined) return;
    const auth = String(req.headers.authorization ?? "");
    const key = /Credential=([^/,\s]+)\//.exec(auth)?.[1];
    if (key === opts.accessKeyId) return;
    if (svc === "ec2") throw new QueryError(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
    if (svc === "ssm") throw new QueryError(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
    throw new QueryError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    let svc: AwsService = "elbv2";
    const send = (status: number, xml: string) => {
      res.writeHead(status, {
        "content-type": "text/xml;charset=UTF-8",
        "x-amzn-requestid": requestId,
        "content-length": Buffer.byteLength(xml),
      });
      res.end(xml);
    };
    const target = req.headers["x-amz-target"];
    if (typeof target === "string" && target.startsWith("AmazonSSM.")) {
      await handleSsm(req, res, target.slice("AmazonSSM.".length), requestId);
      return;
    }
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const raw = new URLSearchParams(url.search);
      for (const [k, v] of new URLSearchParams(body)) raw.append(k, v);
      const p = new Params(raw);
      const action = p.get("Action") ?? "";
      const service = VERSIONS[p.get("Version") ?? ""];
      if (service) svc = service;
      const latency = opts.latencyMs;
      if (typeof latency === "number" && latency > 0) await sleep(latency);
      else if (latency && typeof latency === "object") await sleep(latency.min + random() * Math.max(0, latency.max - latency.min));
      const handler = service ? handlers[service].get(action) : undefined;
      const name = handler ? action : "unknown";
      counts[name] = (counts[name] ?? 0) + 1;
      if (!service) throw new QueryError(400, "InvalidAction", `Unknown API version '${p.get("Version") ?? ""}'`);
      if (!handler) throw new QueryError(400, "InvalidAction", `The action ${action} is not valid for this web service.`);
      checkCredential(service, req);
      await applyFaults(service, action, p.text());
      send(200, successXml(service, action, handler(p), requestId));
    } catch (e) {
      const err = e instanceof QueryError ? e : new QueryError(500, "InternalFailure", e instanceof Error ? e.message : String(e));
      send(err.status, errorXml(svc, err, requestId));
    }
  };

  /** The faults that apply to one request: the first matching rule with requests left (latency rules wait and pass through). */
  const applyFaults = async (service: AnyService, action: string, text: string) => {
    for (const f of faults) {
      if (f.remaining <= 0) continue;
      if (f.rule.action !== "*" && f.rule.action !== action) continue;
      const m = f.rule.match;
      if (m !== undefined && !(typeof m === "string" ? text.includes(m) : m.test(text))) continue;
      f.remaining--;
      if (f.rule.latencyMs) await sleep(f.rule.latencyMs);
      const err = faultError(service, f.rule);
      if (err) throw err;
    }
  };

  /** AWS JSON 1.1: a JSON body in, a JSON body out; errors as `{"__type", "message"}` with their status. */
  const handleSsm = async (req: IncomingMessage, res: ServerResponse, operation: string, requestId: string) => {
    const send = (status: number, body: unknown) => {
      const json = JSON.stringify(body);
      res.writeHead(status, {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": requestId,
        "content-length": Buffer.byteLength(json),
      });
      res.end(json);
    };
    try {
      const raw = await readBody(req);
      const latency = opts.latencyMs;
      if (typeof latency === "number" && latency > 0) await sleep(latency);
      else if (latency && typeof latency === "object") await sleep(latency.min + random() * Math.max(0, latency.max - latency.min));
      const known = ssm.has(operation);
      const name = known ? operation : "unknown";
      counts[name] = (counts[name] ?? 0) + 1;
      if (!known) throw new QueryError(400, "UnknownOperationException", `Unknown operation ${operation}`);
      let body: Rec;
      try {
        body = raw.trim() === "" ? {} : (JSON.parse(raw) as Rec);
      } catch {
        throw new QueryError(400, "SerializationException", "The request body is not valid JSON");
      }
      checkCredential("ssm", req);
      await applyFaults("ssm", operation, raw);
      send(200, ssm.handle(operation, body));
    } catch (e) {
      const err =
        e instanceof QueryError || e instanceof JsonError
          ? e
          : new QueryError(500, "InternalServerError", e instanceof Error ? e.message : String(e));
      send(err.status, { __type: err.code, message: err.message });
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    resetCounts: () => {
      counts = {};
    },
    setFaults,
    setTargetHealth: (arn, descriptions) => {
      store.targetHealth.set(arn, descriptions);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
