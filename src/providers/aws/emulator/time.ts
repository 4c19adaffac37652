/**
 * CloudWatch and CloudTrail in the AWS emulator, over the protocols the
 * current SDK clients speak (checked in their runtimeConfig.shared.js):
 *   - CloudWatch: AWS JSON 1.0, query-compatible (`x-amz-target:
 *     GraniteServiceVersion20100801.GetMetricData`, `x-amzn-query-mode: true`);
 *     errors carry `x-amzn-query-error: <Code>;<Sender|Receiver>`.
 *   - CloudTrail: AWS JSON 1.1 (`x-amz-target: CloudTrail_20131101.LookupEvents`).
 * Timestamps are epoch seconds on the wire; the snapshot keeps them as ISO
 * strings (the CLI's output). GetMetricData pages its results, LookupEvents
 * its events (newest first), both with NextToken. LookupEvents enforces its
 * documented rate, 2 requests a second (ThrottlingException beyond it).
 */
import type { AwsSnapshot } from "../wire-types.ts";

type Rec = Record<string, unknown>;
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);

export const CLOUDWATCH_TARGET = "GraniteServiceVersion20100801.";
export const CLOUDTRAIL_TARGET = "CloudTrail_20131101.";
/** The target prefix botocore (the `aws` CLI) sends for CloudTrail: its model's full `targetPrefix`; AWS answers both. */
export const CLOUDTRAIL_TARGET_LONG = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

export class JsonApiError extends Error {
  status: number;
  code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const epoch = (t: unknown): number => (typeof t === "number" ? t * 1000 : Date.parse(String(t)));

function sameDims(a: unknown, b: unknown): boolean {
  const norm = (x: unknown) =>
    arr(x)
      .map((d) => `${String(d.Name)}=${String(d.Value)}`)
      .sort()
      .join("|");
  return norm(a) === norm(b);
}

export interface TimeApis {
  getMetricData(body: Rec): Rec;
  lookupEvents(body: Rec): Rec;
}

export function createTimeApis(snapshots: AwsSnapshot[], opts: { pageSize: number; lookupRate?: number }): TimeApis {
  const series: Array<{ metric: Rec; stat: string; ts: string[]; values: number[] }> = [];
  const events: Rec[] = [];
  const seen = new Set<string>();
  for (const s of snapshots) {
    for (const body of Object.values(s.observations?.cloudwatch ?? {})) {
      const queries = new Map(arr(body.MetricDataQueries).map((q) => [String(q.Id), q]));
      for (const r of arr(body.MetricDataResults)) {
        const q = queries.get(String(r.Id));
        const ms = (q?.MetricStat ?? {}) as Rec;
        series.push({
          metric: (ms.Metric ?? {}) as Rec,
          stat: String(ms.Stat ?? ""),
          ts: (r.Timestamps as string[] | undefined) ?? [],
          values: (r.Values as number[] | undefined) ?? [],
        });
      }
    }
    for (const e of arr(s.observations?.cloudtrail?.Events)) {
      const id = String(e.EventId);
      if (seen.has(id)) continue;
      seen.add(id);
      events.push(e);
    }
  }
  const rate = opts.lookupRate ?? 2;
  const recent: number[] = [];

  return {
    getMetricData(body) {
      const queries = arr(body.MetricDataQueries);
      if (queries.length === 0 || queries.length > 500)
        throw new JsonApiError(400, "InvalidParameterValue", "MetricDataQueries must hold 1 to 500 queries");
      const from = epoch(body.StartTime);
      const until = epoch(body.EndTime);
      if (!(from < until))
        throw new JsonApiError(400, "InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.");
      const skip = body.NextToken === undefined ? 0 : Number(String(body.NextToken).replace(/^emu-/, ""));
      if (!Number.isInteger(skip) || skip < 0)
        throw new JsonApiError(400, "InvalidNextToken", "The service could not decode the NextToken.");
      const descending = body.ScanBy !== "TimestampAscending";
      const results = queries.slice(skip, skip + opts.pageSize).map((q) => {
        const stat = (q.MetricStat ?? {}) as Rec;
        const metric = (stat.Metric ?? {}) as Rec;
        const hit = series.find(
          (s) =>
            s.metric.MetricName === metric.MetricName &&
            s.metric.Namespace === metric.Namespace &&
            sameDims(s.metric.Dimensions, metric.Dimensions),
        );
        const pts = (hit?.ts ?? [])
          .map((t, i) => ({ t: epoch(t), v: hit?.values[i] as number }))
          .filter((p) => p.t >= from && p.t < until)
          .sort((a, b) => (descending ? b.t - a.t : a.t - b.t));
        return {
          Id: q.Id,
          Label: String(q.Label ?? metric.MetricName ?? ""),
          Timestamps: pts.map((p) => p.t / 1000),
          Values: pts.map((p) => p.v),
          StatusCode: "Complete",
        };
      });
      const out: Rec = { MetricDataResults: results, Messages: [] };
      if (skip + opts.pageSize < queries.length) out.NextToken = `emu-${skip + opts.pageSize}`;
      return out;
    },
    lookupEvents(body) {
      const now = Date.now();
      while (recent.length > 0 && now - (recent[0] as number) >= 1000) recent.shift();
      if (recent.length >= rate) throw new JsonApiError(400, "ThrottlingException", "Rate exceeded");
      recent.push(now);
      const attrs = arr(body.LookupAttributes);
      if (attrs.length > 1)
        throw new JsonApiError(400, "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.");
      const max = body.MaxResults === undefined ? 50 : Number(body.MaxResults);
      if (!Number.isInteger(max) || max < 1 || max > 50)
        throw new JsonApiError(400, "InvalidMaxResultsException", "MaxResults must be from 1 to 50.");
      const from = body.StartTime === undefined ? Number.NEGATIVE_INFINITY : epoch(body.StartTime);
      const until = body.EndTime === undefined ? Number.POSITIVE_INFINITY : epoch(body.EndTime);
      const attr = attrs[0];
      const key = attr ? String(attr.AttributeKey) : undefined;
      const value = attr ? String(attr.AttributeValue) : undefined;
      const matches = (e: Rec) => {
        switch (key) {
          case undefined:
            return true;
          case "EventName":
            return e.EventName === value;
          case "EventSource":
            return e.EventSource === value;
          case "Username":
            return e.Username === value;
          case "EventId":
            return e.EventId === value;
          case "ReadOnly":
            return e.ReadOnly === value;
          case "ResourceName":
            return arr(e.Resources).some((r) => r.ResourceName === value);
          case "ResourceType":
            return arr(e.Resources).some((r) => r.ResourceType === value);
          default:
            throw new JsonApiError(400, "InvalidLookupAttributesException", `Unsupported lookup attribute ${key}`);
        }
      };
      const list = events
        .filter((e) => {
          const t = epoch(e.EventTime);
          return t >= from && t <= until && matches(e);
        })
        .sort((a, b) => epoch(b.EventTime) - epoch(a.EventTime));
      const skip = body.NextToken === undefined ? 0 : Number(String(body.NextToken).replace(/^emu-/, ""));
      if (!Number.isInteger(skip) || skip < 0) throw new JsonApiError(400, "InvalidNextTokenException", "Invalid NextToken");
      const page = list.slice(skip, skip + Math.min(max, opts.pageSize));
      const out: Rec = { Events: page.map((e) => ({ ...e, EventTime: epoch(e.EventTime) / 1000 })) };
      if (skip + page.length < list.length) out.NextToken = `emu-${skip + page.length}`;
      return out;
    },
  };
}
