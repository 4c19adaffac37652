/**
 * The ARM emulator's request handling. Per request: latency → count (under
 * the route name) → bearer check (401) → faults → api-version /
 * subscription / resource group checks → the route's handler.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { EmulatorError, readBody, sleep } from "../../../core/emulator/http.ts";
import { checkApiVersion } from "./api-versions.ts";
import type { FaultRule } from "./index.ts";
import { type ArmState, type Ctx, queryParam, type Reply, type Route } from "./routes.ts";

const DEFAULT_CODES: Record<number, string> = {
  400: "BadRequest",
  401: "InvalidAuthenticationToken",
  403: "AuthorizationFailed",
  404: "ResourceNotFound",
  405: "MethodNotAllowed",
  408: "RequestTimeout",
  409: "Conflict",
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

const DEFAULT_MESSAGES: Record<number, string> = {
  403: "The client does not have authorization to perform this action over this scope (injected by the ARM emulator).",
  429: "The request is being throttled as the limit has been reached for operation type - Read (injected by the ARM emulator).",
  500: "The server encountered an internal error (injected by the ARM emulator).",
  503: "The service is unavailable (injected by the ARM emulator).",
};

/** The route for a request, or why none: 405 when the path is known under another method. */
function resolve(routes: Route[], method: string, lower: string): { route: Route; match: RegExpExecArray } | { status: 404 | 405 } {
  let pathKnown = false;
  for (const route of routes) {
    const match = route.re.exec(lower);
    if (!match) continue;
    if (route.method === method) return { route, match };
    pathKnown = true;
  }
  return { status: pathKnown ? 405 : 404 };
}

/** The injected fault for this request, if a rule applies (it is used up once). */
async function checkFault(st: ArmState, routeName: string, method: string, path: string): Promise<EmulatorError | undefined> {
  const matches = (rule: FaultRule) => {
    if (rule.route !== undefined && rule.route !== routeName) return false;
    if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
    if (rule.path !== undefined) {
      rule.path.lastIndex = 0;
      if (!rule.path.test(path)) return false;
    }
    return true;
  };
  for (const rule of st.faults.matching(matches)) {
    if (rule.latencyMs) await sleep(rule.latencyMs);
    if (rule.status === 0) continue;
    const headers: Record<string, string> = {};
    if (rule.retryAfterMs !== undefined && (rule.status === 429 || rule.status === 503)) {
      headers["x-ms-retry-after-ms"] = String(Math.max(0, Math.round(rule.retryAfterMs)));
      headers["retry-after"] = String(Math.ceil(Math.max(0, rule.retryAfterMs) / 1000));
    }
    const code = rule.code ?? DEFAULT_CODES[rule.status] ?? (rule.status >= 500 ? "InternalServerError" : "BadRequest");
    const message = rule.message ?? DEFAULT_MESSAGES[rule.status] ?? `Fault injected by the ARM emulator (${rule.status} ${code}).`;
    return new EmulatorError(rule.status, code, message, headers);
  }
  return undefined;
}

function send(st: ArmState, res: ServerResponse, subscription: string, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const remaining = st.remainingReads.get(subscription) ?? 12000;
  const next = Math.max(0, remaining - 1);
  st.remainingReads.set(subscription, next);
  const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
  const requestId = randomUUID();
  res.writeHead(reply.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "x-ms-request-id": requestId,
    "x-ms-correlation-request-id": requestId,
    "x-ms-ratelimit-remaining-subscription-reads": String(next),
    ...reply.headers,
  });
  res.end(payload);
}

/** ARM's error body; `details` when the error carries them (Resource Graph's 400s). */
const errorReply = (e: EmulatorError & { details?: unknown }): Reply => ({
  status: e.status,
  headers: e.headers,
  body: { error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } },
});

/** The bearer token; 401 when there is none (or not the one the emulator was started with). */
function authenticate(st: ArmState, req: IncomingMessage): string {
  const auth = req.headers.authorization ?? "";
  const bearer = /^Bearer\s+(\S.*)$/i.exec(auth)?.[1]?.trim();
  if (!bearer || (st.opts.token !== undefined && bearer !== st.opts.token)) {
    throw new EmulatorError(
      401,
      "InvalidAuthenticationToken",
      bearer ? "The access token is invalid." : "The request does not have a bearer token in the 'Authorization' header.",
      { "www-authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' },
    );
  }
  return bearer;
}

/**
 * The action an ARM request needs, as ARM names it in an AuthorizationFailed message: the resource provider and the
 * resource types the path names (after its last `providers` segment), then `read` for a GET or `action` for a POST
 * (`Microsoft.Network/loadBalancers/read`, `Microsoft.Network/loadBalancers/loadBalancingRules/health/action`); a
 * resource group's own path is `Microsoft.Resources/subscriptions/resourceGroups/read`.
 */
function actionOf(method: string, path: string): string {
  const parts = path.split("/").filter((p) => p.length > 0);
  const at = parts.map((p) => p.toLowerCase()).lastIndexOf("providers");
  const types =
    at < 0
      ? ["Microsoft.Resources", "subscriptions", "resourceGroups"]
      : [parts[at + 1] ?? "", ...parts.slice(at + 2).filter((_, i) => i % 2 === 0)];
  return `${types.join("/")}/${method === "GET" ? "read" : "action"}`;
}

/**
 * The scope ARM names when it refuses a request under a resource group: for a list of a resource type of the group
 * (`…/resourceGroups/<g>/providers/<namespace>/<type>`), the group's provider namespace, as a list of NSGs is refused
 * over `/subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.Network` (Azure/CloudShell#561); else the path itself
 * (the group, a resource, its lists and operations).
 */
function refusedScope(method: string, path: string): string {
  return method === "GET" && GROUP_LIST.test(path) ? path.slice(0, path.lastIndexOf("/")) : path;
}

/** `/subscriptions/<s>/resourceGroups/<g>/providers/<namespace>/<type>`: a list of a resource type in a resource group. */
const GROUP_LIST = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+$/i;

/** `/subscriptions/<s>/providers/<namespace>/<type>`: a list of a resource type across a subscription (`loadBalancers.listAll`). */
const SUBSCRIPTION_LIST = /^\/subscriptions\/[^/]+\/providers\/[^/]+\/[^/]+$/i;

/** What ARM checks before any handler: api-version, a readable and known subscription, an existing resource group, a version the provider takes. */
function checkArm(st: ArmState, method: string, url: URL, path: string, lower: string): void {
  const version = queryParam(url.searchParams, "api-version");
  if (!version) {
    throw new EmulatorError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  const sub = path.split("/")[2] ?? "";
  if (st.forbidden.has(sub.toLowerCase()) || st.unreadable?.has(sub.toLowerCase())) {
    throw new EmulatorError(
      403,
      "AuthorizationFailed",
      `The client does not have authorization to perform action 'read' over scope '/subscriptions/${sub}' or the scope is invalid (injected by the ARM emulator).`,
    );
  }
  if (!st.store.hasSubscription(sub)) throw new EmulatorError(404, "SubscriptionNotFound", `The subscription '${sub}' could not be found.`);
  const rgName = lower.startsWith(`/subscriptions/${sub.toLowerCase()}/resourcegroups/`) ? path.split("/")[4] : undefined;
  // a resource group the caller holds no role on: refused before ARM looks for the group or the resource
  if (rgName !== undefined && st.unreadableGroups?.has(lower.split("/").slice(0, 5).join("/"))) {
    throw new EmulatorError(
      403,
      "AuthorizationFailed",
      `The client does not have authorization to perform action '${actionOf(method, path)}' over scope '${refusedScope(method, path)}' or the scope is invalid (injected by the ARM emulator).`,
    );
  }
  // a caller with roles on some resource groups only holds none on the subscription: a list across the subscription
  // is refused over the subscription, not answered with the groups it can read
  if (rgName === undefined && method === "GET" && SUBSCRIPTION_LIST.test(path) && partlyReadable(st, sub)) {
    throw new EmulatorError(
      403,
      "AuthorizationFailed",
      `The client does not have authorization to perform action '${actionOf(method, path)}' over scope '/subscriptions/${sub}' or the scope is invalid (injected by the ARM emulator).`,
    );
  }
  if (rgName !== undefined && !st.store.resourceGroup(sub, rgName)) {
    throw new EmulatorError(404, "ResourceGroupNotFound", `Resource group '${rgName}' could not be found.`);
  }
  checkApiVersion(method, path, version, st.store, st.opts.apiVersions);
}

/** Whether the caller reads this subscription through some of its resource groups only (`unreadableResourceGroups` names one of its groups). */
function partlyReadable(st: ArmState, sub: string): boolean {
  if (!st.unreadableGroups || st.unreadableGroups.size === 0) return false;
  const prefix = `/subscriptions/${sub.toLowerCase()}/`;
  for (const g of st.unreadableGroups) if (g.startsWith(prefix)) return true;
  return false;
}

/** The request handler over a set of routes. */
export function armHandler(st: ArmState, routes: Route[], latency: () => number) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // requests in flight, as the server sees them: from arrival until the answer is written (or the client is gone);
    // not until 'finish', which a busy event loop may deliver after the client has already sent its next request
    st.inFlight++;
    st.maxInFlight = Math.max(st.maxInFlight, st.inFlight);
    let counted = true;
    const done = () => {
      if (counted) st.inFlight--;
      counted = false;
    };
    res.once("close", done);
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const rawPath = url.pathname.replace(/\/+$/, "") || "/";
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      path = rawPath;
    }
    const lower = path.toLowerCase();
    const resolved = resolve(routes, method, lower);
    const routeName = "route" in resolved ? resolved.route.name : "unmatched";
    let subscription = /^\/subscriptions\/([^/]+)/.exec(lower)?.[1] ?? "";
    if (routeName === "lro.poll") subscription = st.lros.get(path.split("/")[2] ?? "")?.subscription ?? "";
    let body = "";
    try {
      if (method === "POST" || method === "PUT" || method === "PATCH") body = await readBody(req);
      else req.resume();
      const wait = latency();
      if (wait > 0) await sleep(wait);
      st.counts.add(routeName);
      const now = Date.now();
      const seen = st.seen.get(routeName);
      if (seen) seen.last = now;
      else st.seen.set(routeName, { first: now, last: now });
      const bearer = authenticate(st, req);
      const fault = await checkFault(st, routeName, method, path);
      if (fault) throw fault;
      if (!("route" in resolved)) {
        if (resolved.status === 405)
          throw new EmulatorError(405, "MethodNotAllowed", `The HTTP method '${method}' is not supported for '${path}'.`);
        throw new EmulatorError(404, "InvalidResourceType", `The ARM emulator does not serve '${method} ${path}'.`);
      }
      const { route, match } = resolved;
      if (route.arm) checkArm(st, method, url, path, lower);
      const ctx: Ctx = {
        method,
        path,
        rawPath,
        lower,
        match,
        query: url.searchParams,
        bearer,
        expand: queryParam(url.searchParams, "$expand"),
        body,
      };
      send(st, res, subscription, route.handle(ctx));
    } catch (e) {
      if (e instanceof EmulatorError) send(st, res, subscription, errorReply(e));
      else
        send(
          st,
          res,
          subscription,
          errorReply(new EmulatorError(500, "InternalServerError", `ARM emulator error: ${(e as Error).message}`)),
        );
    } finally {
      done();
    }
  };
}
