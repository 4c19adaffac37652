/** The AWS Query protocols as the emulator speaks them: versions and namespaces, form parameters, paging, the error type. */
import { EmulatorError as QueryError } from "../../../core/emulator/http.ts";
import type { AwsEmulatorOptions, AwsService } from "./index.ts";
import type { AwsStore, Rec } from "./store.ts";

export const VERSIONS: Record<string, AwsService> = {
  "2015-12-01": "elbv2",
  "2016-11-15": "ec2",
  "2011-01-01": "autoscaling",
  "2011-06-15": "sts",
};

export const NAMESPACES: Record<AwsService, string> = {
  elbv2: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
  autoscaling: "http://autoscaling.amazonaws.com/doc/2011-01-01/",
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
};

/** An error answer (status, the service's error code): the emulators' one error type. */
export { QueryError };

export const validation = (svc: AwsService, message: string) =>
  svc === "ec2" ? new QueryError(400, "InvalidParameterValue", message) : new QueryError(400, "ValidationError", message);

/** The form parameters of one request, with the Query protocols' list and filter encodings. */
export class Params {
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

export function page<T>(svc: AwsService, items: T[], token: string | undefined, limit: number): PageResult<T> {
  let offset = 0;
  if (token) {
    const m = /^o(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    if (!m) throw validation(svc, `Invalid ${svc === "elbv2" ? "marker" : "next token"}: ${token}`);
    offset = Number(m[1]);
  }
  const end = offset + Math.max(1, limit);
  return { items: items.slice(offset, end), next: end < items.length ? Buffer.from(`o${end}`).toString("base64url") : undefined };
}

export type Handler = (p: Params) => Rec;

/** The largest MaxResults each EC2 Describe accepts (botocore's model: DescribeRouteTables stops at 100). */
export const EC2_MAX_RESULTS: Record<string, number> = {
  DescribeSecurityGroups: 1000,
  DescribeInstances: 1000,
  DescribeSubnets: 1000,
  DescribeNetworkAcls: 1000,
  DescribeRouteTables: 100,
};

export const each = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);

/** What the handlers and the request handler share. */
export interface AwsState {
  opts: AwsEmulatorOptions;
  store: AwsStore;
  pageSize: number;
}

/** Items per page: the request's own limit (validated against the API's range), capped by the emulator's page size. */
export function limitOf(st: AwsState, svc: AwsService, p: Params, param: string, min: number, max: number): number {
  const n = p.int(param);
  if (n === undefined) return st.pageSize;
  if (!Number.isInteger(n) || n < min || n > max) throw validation(svc, `${param} must be between ${min} and ${max}`);
  return Math.min(n, st.pageSize);
}
