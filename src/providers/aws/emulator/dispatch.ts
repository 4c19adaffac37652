/** The AWS emulator's request handling: the Query protocols' success and error envelopes, fault injection, the credential check. */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Faults, type RequestCounts, readBody, sleep } from "../../../core/emulator/http.ts";
import type { AwsFaultRule, AwsService } from "./index.ts";
import type { Partitions } from "./partitions.ts";
import { sigv4Scope } from "./partitions.ts";
import { type AwsState, type Handler, NAMESPACES, Params, QueryError, VERSIONS } from "./protocol.ts";
import { createSsm, type SsmEmulator } from "./ssm.ts";
import type { Rec } from "./store.ts";
import { CLOUDTRAIL_TARGET, CLOUDTRAIL_TARGET_LONG, CLOUDWATCH_TARGET, createTimeApis, JsonApiError, type TimeApis } from "./time.ts";
import { ec2Members, escapeXml, queryXml } from "./xml.ts";

function successXml(svc: AwsService, action: string, result: Rec, requestId: string): string {
  const ns = NAMESPACES[svc];
  if (svc === "ec2") {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${ns}"><requestId>${requestId}</requestId>${ec2Members(result, `${action}Result`)}</${action}Response>`;
  }
  const body = Object.entries(result)
    .map(([k, v]) => queryXml(k, v, `${action}Result`))
    .join("");
  return `<${action}Response xmlns="${ns}"><${action}Result>${body}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

function errorXml(svc: AwsService, e: QueryError, requestId: string): string {
  const code = escapeXml(e.code);
  const message = escapeXml(e.message);
  if (svc === "ec2") {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  }
  const type = e.status >= 500 ? "Receiver" : "Sender";
  return `<ErrorResponse xmlns="${NAMESPACES[svc]}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

function faultError(svc: AnyService, rule: AwsFaultRule): QueryError | undefined {
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
  if (svc === "cloudwatch" || svc === "cloudtrail") {
    if (rule.fault === "throttle")
      return new QueryError(
        rule.status ?? 400,
        rule.code ?? (svc === "cloudwatch" ? "Throttling" : "ThrottlingException"),
        msg("Rate exceeded"),
      );
    if (rule.fault === "denied")
      return svc === "cloudwatch"
        ? new QueryError(
            rule.status ?? 403,
            rule.code ?? "AccessDenied",
            msg("User is not authorized to perform: cloudwatch:GetMetricData"),
          )
        : new QueryError(
            rule.status ?? 400,
            rule.code ?? "AccessDeniedException",
            msg("User is not authorized to perform: cloudtrail:LookupEvents"),
          );
  }
  switch (rule.fault) {
    case "throttle":
      return svc === "ec2"
        ? new QueryError(rule.status ?? 503, rule.code ?? "RequestLimitExceeded", msg("Request limit exceeded."))
        : new QueryError(rule.status ?? 400, rule.code ?? "Throttling", msg("Rate exceeded"));
    case "denied":
      return svc === "ec2"
        ? new QueryError(rule.status ?? 403, rule.code ?? "UnauthorizedOperation", msg("You are not authorized to perform this operation."))
        : new QueryError(rule.status ?? 403, rule.code ?? "AccessDenied", msg("User is not authorized to perform this action"));
    case "error":
      return new QueryError(rule.status ?? 500, rule.code ?? "InternalFailure", msg("An internal error occurred."));
    default:
      return undefined;
  }
}

function checkCredential(st: AwsState, svc: AnyService, req: IncomingMessage, partitions?: Partitions): void {
  if (st.opts.accessKeyId === undefined) return;
  const auth = String(req.headers.authorization ?? "");
  const key = /Credential=([^/,\s]+)\//.exec(auth)?.[1];
  if (key === st.opts.accessKeyId || partitions?.isIssued(key)) return;
  if (svc === "ec2") throw new QueryError(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
  if (svc === "ssm") throw new QueryError(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
  throw new QueryError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
}

/** The request handler. Per request: latency → count (under the action name) → credential check → faults → the handler. */
/** The Query services and SSM (AWS JSON 1.1), for faults and credential checks. */
type AnyService = AwsService | "ssm" | "cloudwatch" | "cloudtrail";

/** What both protocols' handlers need. */
interface Served {
  st: AwsState;
  faults: Faults<AwsFaultRule>;
  counts: RequestCounts;
  latency: () => number;
}

/** The faults that apply to one request: each matching rule with requests left (latency rules wait and pass through). */
async function applyFaults(
  sv: Served,
  service: AnyService,
  action: string,
  text: string,
  where?: { account: string; region: string },
): Promise<void> {
  const matches = (rule: AwsFaultRule) => {
    if (rule.action !== "*" && rule.action !== action) return false;
    if (rule.account !== undefined && rule.account !== where?.account) return false;
    if (rule.region !== undefined && rule.region !== where?.region) return false;
    const m = rule.match;
    return m === undefined || (typeof m === "string" ? text.includes(m) : m.test(text));
  };
  for (const rule of sv.faults.matching(matches)) {
    if (rule.latencyMs) await sleep(rule.latencyMs);
    const err = faultError(service, rule);
    if (err) throw err;
  }
}

/** An AWS JSON request's body: one JSON object (empty: `{}`); anything else (`null`, an array, not JSON) is a SerializationException, as AWS answers it. */
function jsonBody(raw: string): Rec {
  let body: unknown;
  try {
    body = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch {
    throw new QueryError(400, "SerializationException", "The request body is not valid JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new QueryError(400, "SerializationException", "The request body must be a JSON object");
  return body as Rec;
}

/** AWS JSON 1.1 (SSM): a JSON body in, a JSON body out; errors as `{"__type", "message"}` with their status. */
async function handleSsm(sv: Served, ssm: SsmEmulator, req: IncomingMessage, res: ServerResponse, operation: string, requestId: string) {
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
    const wait = sv.latency();
    if (wait > 0) await sleep(wait);
    const known = ssm.has(operation);
    sv.counts.add(known ? operation : "unknown");
    if (!known) throw new QueryError(400, "UnknownOperationException", `Unknown operation ${operation}`);
    const body = jsonBody(raw);
    checkCredential(sv.st, "ssm", req);
    await applyFaults(sv, "ssm", operation, raw);
    send(200, ssm.handle(operation, body));
  } catch (e) {
    const err = e instanceof QueryError ? e : new QueryError(500, "InternalServerError", e instanceof Error ? e.message : String(e));
    send(err.status, { __type: err.code, message: err.message });
  }
}

/**
 * CloudWatch (AWS JSON 1.0, query-compatible: errors also in `x-amzn-query-error`) and
 * CloudTrail (AWS JSON 1.1), answered from the snapshots' time data (time.ts).
 */
async function handleTimeApi(
  sv: Served,
  apis: TimeApis,
  req: IncomingMessage,
  res: ServerResponse,
  service: "cloudwatch" | "cloudtrail",
  operation: string,
  requestId: string,
) {
  const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": service === "cloudwatch" ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1",
      "x-amzn-requestid": requestId,
      "content-length": Buffer.byteLength(json),
      ...extra,
    });
    res.end(json);
  };
  try {
    const raw = await readBody(req);
    const wait = sv.latency();
    if (wait > 0) await sleep(wait);
    const known = (service === "cloudwatch" && operation === "GetMetricData") || (service === "cloudtrail" && operation === "LookupEvents");
    sv.counts.add(known ? operation : "unknown");
    if (!known) throw new QueryError(400, "UnknownOperationException", `Unknown operation ${operation}`);
    const body = jsonBody(raw);
    checkCredential(sv.st, "ssm", req);
    await applyFaults(sv, service, operation, raw);
    try {
      send(200, service === "cloudwatch" ? apis.getMetricData(body) : apis.lookupEvents(body));
    } catch (e) {
      if (e instanceof JsonApiError) throw new QueryError(e.status, e.code, e.message);
      throw e;
    }
  } catch (e) {
    const err = e instanceof QueryError ? e : new QueryError(500, "InternalServerError", e instanceof Error ? e.message : String(e));
    if (service === "cloudwatch") {
      send(
        err.status,
        { __type: `com.amazonaws.cloudwatch#${err.code}`, message: err.message },
        {
          "x-amzn-query-error": `${err.code};${err.status >= 500 ? "Receiver" : "Sender"}`,
        },
      );
    } else send(err.status, { __type: err.code, message: err.message });
  }
}

export function awsHandler(
  st: AwsState,
  faults: Faults<AwsFaultRule>,
  counts: RequestCounts,
  latency: () => number,
  partitions: Partitions,
) {
  const sv: Served = { st, faults, counts, latency };
  const timeApis = createTimeApis(st.opts.snapshots, {
    pageSize: st.opts.pageSize ?? 100,
    ...(st.opts.lookupRate !== undefined ? { lookupRate: st.opts.lookupRate } : {}),
  });
  const ssm = createSsm(st.store, { ...(st.opts.ssmPendingPolls !== undefined ? { pendingPolls: st.opts.ssmPendingPolls } : {}) });
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const target = req.headers["x-amz-target"];
    if (typeof target === "string" && target.startsWith(CLOUDWATCH_TARGET)) {
      await handleTimeApi(sv, timeApis, req, res, "cloudwatch", target.slice(CLOUDWATCH_TARGET.length), requestId);
      return;
    }
    // the SDK v3 sends `CloudTrail_20131101.<Operation>`, botocore the model's whole targetPrefix
    const trail = typeof target !== "string" ? undefined : [CLOUDTRAIL_TARGET, CLOUDTRAIL_TARGET_LONG].find((p) => target.startsWith(p));
    if (trail !== undefined && typeof target === "string") {
      await handleTimeApi(sv, timeApis, req, res, "cloudtrail", target.slice(trail.length), requestId);
      return;
    }
    if (typeof target === "string" && target.startsWith("AmazonSSM.")) {
      await handleSsm(sv, ssm, req, res, target.slice("AmazonSSM.".length), requestId);
      return;
    }
    let svc: AwsService = "elbv2";
    const send = (status: number, xml: string) => {
      res.writeHead(status, {
        "content-type": "text/xml;charset=UTF-8",
        "x-amzn-requestid": requestId,
        "content-length": Buffer.byteLength(xml),
      });
      res.end(xml);
    };
    let where: { account: string; region: string } | undefined;
    let key: string | undefined;
    let actionName = "";
    const record = (status: number) => {
      if (where) partitions.calls.push({ action: actionName, service: svc, ...where, accessKeyId: key, status });
    };
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const raw = new URLSearchParams(url.search);
      for (const [k, v] of new URLSearchParams(body)) raw.append(k, v);
      const p = new Params(raw);
      const action = p.get("Action") ?? "";
      actionName = action;
      const service = VERSIONS[p.get("Version") ?? ""];
      if (service) svc = service;
      const wait = latency();
      if (wait > 0) await sleep(wait);
      const scope = sigv4Scope(req);
      where = { account: partitions.accountOf(scope.key), region: scope.region ?? "us-east-1" };
      key = scope.key;
      const part = partitions.partition(where.account, where.region);
      const denied = st.opts.denyAssumeRole ?? [];
      const handler: Handler | undefined =
        service === "sts"
          ? action === "AssumeRole"
            ? (q) => partitions.assumeRole(q, scope.key, denied)
            : undefined
          : service === "ec2" && action === "DescribeRegions"
            ? (q) => partitions.describeRegions(q)
            : service
              ? part.handlers[service].get(action)
              : undefined;
      counts.add(handler ? action : "unknown");
      if (!service) throw new QueryError(400, "InvalidAction", `Unknown API version '${p.get("Version") ?? ""}'`);
      if (!handler) throw new QueryError(400, "InvalidAction", `The action ${action} is not valid for this web service.`);
      checkCredential(st, service, req, partitions);
      partitions.checkRegionEnabled(service, where.region);
      partitions.takeToken(service, action, where.account, where.region);
      await applyFaults(sv, service, action, p.text(), where);
      send(200, successXml(service, action, handler(p), requestId));
      record(200);
    } catch (e) {
      const err = e instanceof QueryError ? e : new QueryError(500, "InternalFailure", e instanceof Error ? e.message : String(e));
      send(err.status, errorXml(svc, err, requestId));
      record(err.status);
    }
  };
}
