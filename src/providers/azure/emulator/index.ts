/**
 * An HTTPS emulator of the Azure Resource Manager read API that lbdoctor's
 * collector calls, serving one or more `lbdoctor.snapshot/v1` snapshots. The
 * real `@azure/arm-network` and `@azure/arm-compute` clients work against it
 * with `{ endpoint: emu.url, tlsOptions: { ca: emu.ca } }`.
 *
 * It pages lists with absolute nextLinks, runs the live operations (rule
 * health, effective NSGs, run-command) as 202 + Location LROs, answers
 * throttling, authorization and server faults on demand, and counts requests
 * per operation.
 *
 * Per request: latency → count (under the route name) → bearer check (401) →
 * faults → api-version / subscription / resource group checks → the handler.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { AzureSnapshot, RuleHealthBody } from "../../../providers/azure/wire-types.ts";
import { renderSsOutput, runCommandMessage } from "../collect/guest-output.ts";
import { generateCert } from "./cert.ts";
import { answerQuery, chargeQuota, GraphError, type GraphQuota, newGraphState } from "./graph.ts";
import { ArmStore, isVmId, key, withoutInstanceView } from "./store.ts";

export { parseSsOutput, renderSsOutput, runCommandMessage } from "../collect/guest-output.ts";
export { generateCert } from "./cert.ts";

export interface FaultRule {
  /** A route name (see ROUTE_NAMES), or */
  route?: string;
  /** a regex tested on the request's decoded path (as sent: add the `i` flag for case-insensitive matching). */
  path?: RegExp;
  /** HTTP method (any case); any method when absent. */
  method?: string;
  status: number;
  /** ARM error code; defaults per status (429 TooManyRequests, 403 AuthorizationFailed, 500 InternalServerError …). */
  code?: string;
  message?: string;
  /** How many matching requests fail before the rule stops (default: always). */
  times?: number;
  /** For 429/503: sends `x-ms-retry-after-ms` and `Retry-After` (seconds, rounded up). */
  retryAfterMs?: number;
}

export interface ArmEmulatorOptions {
  /** One or more snapshots; resources merged (first wins on a duplicate id, compared case-insensitively). */
  snapshots: AzureSnapshot[];
  /** List page size (default 100). */
  pageSize?: number;
  /** Latency per request, fixed or uniformly jittered (deterministic: seeded). */
  latencyMs?: number | { min: number; max: number };
  /** Time from the POST until the LRO result is ready (default 0: the first poll returns 200). */
  lroMs?: number;
  faults?: FaultRule[];
  /** Default 0 (ephemeral). */
  port?: number;
  /** When set only `Bearer <token>` is accepted, else any non-empty bearer token. */
  token?: string;
  /** Resource Graph's per-user query quota (e.g. 15 per 5000 ms); unlimited when absent. */
  argQuota?: GraphQuota;
  /** Subscriptions the caller may not read: 403 AuthorizationFailed for ARM requests under them and for Resource Graph queries naming them. */
  forbiddenSubscriptions?: string[];
}

export interface ArmEmulator {
  /** `https://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** The PEM certificate clients must trust (self-signed). */
  ca: string;
  /** Requests per route name (`lro.poll` separately; `unmatched` for 404/405 routes), faulted ones included. */
  counts(): Record<string, number>;
  total(): number;
  resetCounts(): void;
  setFaults(faults: FaultRule[]): void;
  /** Replaces the health body of a load-balancing rule (live state, e.g. a member flipping Down → Up). */
  setRuleHealth(ruleId: string, body: RuleHealthBody): void;
  close(): Promise<void>;
}

/** Every route name the emulator counts under. */
export const ROUTE_NAMES = [
  "resourceGroups.get",
  "loadBalancers.list",
  "networkInterfaces.list",
  "networkSecurityGroups.list",
  "virtualNetworks.list",
  "routeTables.list",
  "publicIPAddresses.list",
  "applicationSecurityGroups.list",
  "virtualMachines.list",
  "availabilitySets.list",
  "virtualMachineScaleSets.list",
  "virtualMachineScaleSetVMs.list",
  "networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces",
  "networkInterfaces.listVirtualMachineScaleSetVMNetworkInterfaces",
  "loadBalancers.listAll",
  "networkInterfaces.listAll",
  "networkSecurityGroups.listAll",
  "virtualNetworks.listAll",
  "routeTables.listAll",
  "publicIPAddresses.listAll",
  "applicationSecurityGroups.listAll",
  "virtualMachines.listAll",
  "availabilitySets.listAll",
  "virtualMachineScaleSets.listAll",
  "resource.get",
  "loadBalancingRules.health",
  "networkInterfaces.listEffectiveNetworkSecurityGroups",
  "networkInterfaces.getEffectiveRouteTable",
  "virtualMachines.runCommand",
  "virtualMachineScaleSetVMs.runCommand",
  "lro.poll",
  "resourceGraph.resources",
  "unmatched",
] as const;

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

/** Lower-cased type segment → SDK operation group name. */
const NETWORK_TYPES: Record<string, string> = {
  loadbalancers: "loadBalancers",
  networkinterfaces: "networkInterfaces",
  networksecuritygroups: "networkSecurityGroups",
  virtualnetworks: "virtualNetworks",
  routetables: "routeTables",
  publicipaddresses: "publicIPAddresses",
  applicationsecuritygroups: "applicationSecurityGroups",
};
const COMPUTE_TYPES: Record<string, string> = {
  virtualmachines: "virtualMachines",
  availabilitysets: "availabilitySets",
  virtualmachinescalesets: "virtualMachineScaleSets",
};

const S = "([^/]+)";
const RG_PREFIX = `^/subscriptions/${S}/resourcegroups/${S}`;

class ArmError extends Error {
  status: number;
  code: string;
  headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Ctx {
  method: string;
  /** decoded path as sent, trailing slashes removed */
  path: string;
  /** the path as sent on the wire (still encoded), for nextLinks */
  rawPath: string;
  /** lower-cased `path` */
  lower: string;
  match: RegExpExecArray;
  query: URLSearchParams;
  /** the bearer token (Resource Graph's quota is per user) */
  bearer: string;
  /** the value of `$expand` (query keys compared case-insensitively) */
  expand: string | undefined;
  body: string;
}

interface Route {
  name: string;
  method: "GET" | "POST";
  re: RegExp;
  /** ARM routes need `api-version` and a known subscription/resource group. */
  arm: boolean;
  handle: (ctx: Ctx) => Reply;
}

interface Lro {
  readyAt: number;
  subscription: string;
  body: unknown;
}

function queryParam(q: URLSearchParams, name: string): string | undefined {
  for (const [k, v] of q) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
}

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
      if (size > 4 * 1024 * 1024) {
        reject(new ArmError(413, "RequestEntityTooLarge", "The request body is too large."));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startArmEmulator(opts: ArmEmulatorOptions): Promise<ArmEmulator> {
  const store = new ArmStore(opts.snapshots);
  const pageSize = Math.max(1, Math.floor(opts.pageSize ?? 100));
  const lroMs = Math.max(0, opts.lroMs ?? 0);
  const random = mulberry32(0x1bd0c7);
  let faults: Array<{ rule: FaultRule; remaining: number }> = [];
  const setFaults = (list: FaultRule[]) => {
    faults = list.map((rule) => ({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY }));
  };
  setFaults(opts.faults ?? []);
  let counts: Record<string, number> = {};
  const remainingReads = new Map<string, number>();
  const lros = new Map<string, Lro>();
  let baseUrl = "";
  const graph = newGraphState();
  const forbidden = new Set((opts.forbiddenSubscriptions ?? []).map((x) => x.toLowerCase()));

  const latency = (): number => {
    const l = opts.latencyMs;
    if (l === undefined) return 0;
    if (typeof l === "number") return Math.max(0, l);
    const lo = Math.max(0, Math.min(l.min, l.max));
    const hi = Math.max(lo, l.max);
    return Math.round(lo + random() * (hi - lo));
  };

  // ---- handlers -------------------------------------------------------------

  const page = (ctx: Ctx, items: unknown[]): Reply => {
    const skipText = queryParam(ctx.query, "$skiptoken");
    const skip = skipText === undefined ? 0 : Number(skipText);
    if (!Number.isInteger(skip) || skip < 0) throw new ArmError(400, "InvalidSkipToken", `The $skiptoken '${skipText}' is not valid.`);
    const instanceView = (ctx.expand ?? "").toLowerCase().split(",").includes("instanceview");
    const value = items
      .slice(skip, skip + pageSize)
      .map((r) => (!instanceView && isVmId((r as { id: string }).id) ? withoutInstanceView(r) : r));
    const body: { value: unknown[]; nextLink?: string } = { value };
    if (skip + pageSize < items.length) {
      const params: string[] = [];
      for (const [k, v] of ctx.query) {
        if (k.toLowerCase() === "$skiptoken") continue;
        params.push(`${encodeURIComponent(k).replace(/^%24/, "$")}=${encodeURIComponent(v)}`);
      }
      params.push(`$skiptoken=${skip + pageSize}`);
      body.nextLink = `${baseUrl}${ctx.rawPath}?${params.join("&")}`;
    }
    return { status: 200, body };
  };

  const notFound = (ctx: Ctx): ArmError => {
    const parts = ctx.path.split("/");
    const rg = parts[4] ?? "";
    const providerAt = parts.findIndex((p) => p.toLowerCase() === "providers");
    const typeAndName = providerAt >= 0 ? parts.slice(providerAt + 1).join("/") : ctx.path;
    return new ArmError(
      404,
      "ResourceNotFound",
      `The Resource '${typeAndName}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  };

  const startLro = (ctx: Ctx, body: unknown): Reply => {
    const id = randomUUID();
    lros.set(id, { readyAt: Date.now() + lroMs, subscription: (ctx.match[1] ?? "").toLowerCase(), body });
    return { status: 202, headers: { location: `${baseUrl}/lro/${id}` } };
  };

  const observationMissing = (what: string, id: string): ArmError =>
    new ArmError(
      404,
      "ObservationNotInSnapshot",
      `The snapshot served by the ARM emulator has no ${what} for '${id}', so this operation cannot be answered.`,
    );

  const listRoute = (name: string, re: string, items: (ctx: Ctx) => unknown[]): Route => ({
    name,
    method: "GET",
    re: new RegExp(`${re}$`),
    arm: true,
    handle: (ctx) => page(ctx, items(ctx)),
  });

  const routes: Route[] = [
    {
      name: "resourceGroups.get",
      method: "GET",
      re: new RegExp(`${RG_PREFIX}$`),
      arm: true,
      handle: (ctx) => {
        const rg = store.resourceGroup(ctx.match[1] as string, ctx.match[2] as string);
        if (!rg) throw new Error("unreachable: resource group checked before the handler");
        return {
          status: 200,
          body: {
            id: `/subscriptions/${rg.subscriptionId}/resourceGroups/${rg.name}`,
            name: rg.name,
            type: "Microsoft.Resources/resourceGroups",
            location: rg.location ?? "westeurope",
            properties: { provisioningState: "Succeeded" },
          },
        };
      },
    },
    listRoute(
      "virtualMachineScaleSetVMs.list",
      `${RG_PREFIX}/providers/microsoft\\.compute/virtualmachinescalesets/${S}/virtualmachines`,
      (ctx) => store.children(ctx.lower),
    ),
    listRoute(
      "networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces",
      `${RG_PREFIX}/providers/microsoft\\.compute/virtualmachinescalesets/${S}/networkinterfaces`,
      (ctx) => {
        const vmss = ctx.lower.slice(0, -"/networkinterfaces".length);
        const esc = vmss.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        return store.matching(new RegExp(`^${esc}/virtualmachines/[^/]+/networkinterfaces/[^/]+$`));
      },
    ),
    listRoute(
      "networkInterfaces.listVirtualMachineScaleSetVMNetworkInterfaces",
      `${RG_PREFIX}/providers/microsoft\\.compute/virtualmachinescalesets/${S}/virtualmachines/${S}/networkinterfaces`,
      (ctx) => store.children(ctx.lower),
    ),
    ...(["network", "compute"] as const).flatMap((ns) => {
      const types = ns === "network" ? NETWORK_TYPES : COMPUTE_TYPES;
      return Object.entries(types).map(([lower, op]) =>
        listRoute(`${op}.list`, `${RG_PREFIX}/providers/microsoft\\.${ns}/${lower}`, (ctx) => store.children(ctx.lower)),
      );
    }),
    ...(["network", "compute"] as const).flatMap((ns) => {
      const types = ns === "network" ? NETWORK_TYPES : COMPUTE_TYPES;
      return Object.entries(types).map(([lower, op]) =>
        listRoute(`${op}.listAll`, `^/subscriptions/${S}/providers/microsoft\\.${ns}/(${lower})`, (ctx) => {
          const sub = (ctx.match[1] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          return store.matching(new RegExp(`^/subscriptions/${sub}/resourcegroups/[^/]+/providers/microsoft\\.${ns}/${lower}/[^/]+$`));
        }),
      );
    }),
    {
      name: "loadBalancingRules.health",
      method: "POST",
      re: new RegExp(`${RG_PREFIX}/providers/microsoft\\.network/loadbalancers/${S}/loadbalancingrules/${S}/health$`),
      arm: true,
      handle: (ctx) => {
        const ruleId = ctx.path.slice(0, -"/health".length);
        const body = store.ruleHealth.get(key(ruleId));
        if (body) return startLro(ctx, structuredClone(body));
        const lbId = ruleId.slice(0, ruleId.toLowerCase().lastIndexOf("/loadbalancingrules/"));
        if (!store.get(lbId)) throw notFound({ ...ctx, path: lbId });
        throw observationMissing("rule health (observations.ruleHealth)", ruleId);
      },
    },
    {
      name: "networkInterfaces.listEffectiveNetworkSecurityGroups",
      method: "POST",
      re: new RegExp(`${RG_PREFIX}/providers/microsoft\\.network/networkinterfaces/${S}/effectivenetworksecuritygroups$`),
      arm: true,
      handle: (ctx) => {
        const nicId = ctx.path.slice(0, -"/effectiveNetworkSecurityGroups".length);
        const body = store.effectiveNsgs.get(key(nicId));
        if (body) return startLro(ctx, structuredClone(body));
        if (!store.get(nicId)) throw notFound({ ...ctx, path: nicId });
        throw observationMissing("effective network security groups (observations.effectiveNetworkSecurityGroups)", nicId);
      },
    },
    {
      name: "networkInterfaces.getEffectiveRouteTable",
      method: "POST",
      re: new RegExp(`${RG_PREFIX}/providers/microsoft\\.network/networkinterfaces/${S}/effectiveroutetable$`),
      arm: true,
      handle: (ctx) => {
        const nicId = ctx.path.slice(0, -"/effectiveRouteTable".length);
        if (!store.get(nicId)) throw notFound({ ...ctx, path: nicId });
        throw observationMissing("effective route table (snapshots do not record it)", nicId);
      },
    },
    ...[
      { name: "virtualMachines.runCommand", vm: `virtualmachines/${S}` },
      { name: "virtualMachineScaleSetVMs.runCommand", vm: `virtualmachinescalesets/${S}/virtualmachines/${S}` },
    ].map(
      (r): Route => ({
        name: r.name,
        method: "POST",
        re: new RegExp(`${RG_PREFIX}/providers/microsoft\\.compute/${r.vm}/runcommand$`),
        arm: true,
        handle: (ctx) => {
          let input: unknown;
          try {
            input = JSON.parse(ctx.body || "null");
          } catch {
            throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
          }
          const commandId = (input as { commandId?: unknown } | null)?.commandId;
          if (typeof commandId !== "string" || commandId === "") {
            throw new ArmError(400, "InvalidParameter", "Required parameter 'commandId' is missing (null).");
          }
          const vmId = ctx.path.slice(0, -"/runCommand".length);
          if (!store.get(vmId)) throw notFound({ ...ctx, path: vmId });
          const localIp = store.vmPrivateIp(vmId);
          const text = renderSsOutput(store.guest.get(key(vmId)), localIp ? { localIp } : {});
          return startLro(ctx, {
            value: [
              {
                code: "ProvisioningState/succeeded",
                level: "Info",
                displayStatus: "Provisioning succeeded",
                message: runCommandMessage(text),
              },
            ],
          });
        },
      }),
    ),
    {
      name: "resource.get",
      method: "GET",
      // a resource id: providers/{namespace} then type/name pairs
      re: new RegExp(`${RG_PREFIX}/providers/[^/]+(?:/[^/]+/[^/]+)+$`),
      arm: true,
      handle: (ctx) => {
        const r = store.get(ctx.path);
        if (!r) throw notFound(ctx);
        const instanceView = (ctx.expand ?? "").toLowerCase().split(",").includes("instanceview");
        return { status: 200, body: !instanceView && isVmId(ctx.path) ? withoutInstanceView(r) : r };
      },
    },
    {
      name: "resourceGraph.resources",
      method: "POST",
      re: /^\/providers\/microsoft\.resourcegraph\/resources$/,
      arm: false,
      handle: (ctx) => {
        try {
          if (!queryParam(ctx.query, "api-version")) {
            throw new GraphError(
              400,
              "MissingApiVersionParameter",
              "The api-version query parameter (?api-version=) is required for all requests.",
            );
          }
          const headers = chargeQuota(graph, ctx.bearer, opts.argQuota);
          return { status: 200, body: answerQuery(store, ctx.body, forbidden), headers };
        } catch (e) {
          if (!(e instanceof GraphError)) throw e;
          if (e.status === 429) counts["resourceGraph.throttled"] = (counts["resourceGraph.throttled"] ?? 0) + 1;
          throw new ArmError(e.status, e.code, e.message, e.headers);
        }
      },
    },
    {
      name: "lro.poll",
      method: "GET",
      re: /^\/lro\/([^/]+)$/,
      arm: false,
      handle: (ctx) => {
        const id = ctx.path.split("/")[2] ?? "";
        const op = lros.get(id);
        if (!op) throw new ArmError(404, "ResourceNotFound", `The long-running operation '${id}' is not known to the ARM emulator.`);
        if (Date.now() < op.readyAt) return { status: 202, headers: { location: `${baseUrl}/lro/${id}` } };
        return { status: 200, body: op.body };
      },
    },
  ];

  /** The route for a request, or why none: 405 when the path is known under another method. */
  const resolve = (method: string, lower: string): { route: Route; match: RegExpExecArray } | { status: 404 | 405 } => {
    let pathKnown = false;
    for (const route of routes) {
      const match = route.re.exec(lower);
      if (!match) continue;
      if (route.method === method) return { route, match };
      pathKnown = true;
    }
    return { status: pathKnown ? 405 : 404 };
  };

  const checkFault = (routeName: string, method: string, path: string): ArmError | undefined => {
    for (const f of faults) {
      const { rule } = f;
      if (f.remaining <= 0) continue;
      if (rule.route !== undefined && rule.route !== routeName) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (rule.path !== undefined) {
        rule.path.lastIndex = 0;
        if (!rule.path.test(path)) continue;
      }
      f.remaining--;
      const headers: Record<string, string> = {};
      if (rule.retryAfterMs !== undefined && (rule.status === 429 || rule.status === 503)) {
        headers["x-ms-retry-after-ms"] = String(Math.max(0, Math.round(rule.retryAfterMs)));
        headers["retry-after"] = String(Math.ceil(Math.max(0, rule.retryAfterMs) / 1000));
      }
      const code = rule.code ?? DEFAULT_CODES[rule.status] ?? (rule.status >= 500 ? "InternalServerError" : "BadRequest");
      const message = rule.message ?? DEFAULT_MESSAGES[rule.status] ?? `Fault injected by the ARM emulator (${rule.status} ${code}).`;
      return new ArmError(rule.status, code, message, headers);
    }
    return undefined;
  };

  // ---- the server -----------------------------------------------------------

  const send = (res: ServerResponse, subscription: string, reply: Reply) => {
    if (res.destroyed || res.headersSent) return;
    const remaining = remainingReads.get(subscription) ?? 12000;
    const next = Math.max(0, remaining - 1);
    remainingReads.set(subscription, next);
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
  };

  const errorReply = (e: ArmError): Reply => ({
    status: e.status,
    headers: e.headers,
    body: { error: { code: e.code, message: e.message } },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
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
    const resolved = resolve(method, lower);
    const routeName = "route" in resolved ? resolved.route.name : "unmatched";
    let subscription = /^\/subscriptions\/([^/]+)/.exec(lower)?.[1] ?? "";
    if (routeName === "lro.poll") subscription = lros.get(path.split("/")[2] ?? "")?.subscription ?? "";
    let body = "";
    try {
      if (method === "POST" || method === "PUT" || method === "PATCH") body = await readBody(req);
      else req.resume();
      const wait = latency();
      if (wait > 0) await sleep(wait);
      counts[routeName] = (counts[routeName] ?? 0) + 1;

      const auth = req.headers.authorization ?? "";
      const bearer = /^Bearer\s+(\S.*)$/i.exec(auth)?.[1]?.trim();
      if (!bearer || (opts.token !== undefined && bearer !== opts.token)) {
        throw new ArmError(
          401,
          "InvalidAuthenticationToken",
          bearer ? "The access token is invalid." : "The request does not have a bearer token in the 'Authorization' header.",
          { "www-authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' },
        );
      }
      const fault = checkFault(routeName, method, path);
      if (fault) throw fault;

      if (!("route" in resolved)) {
        if (resolved.status === 405)
          throw new ArmError(405, "MethodNotAllowed", `The HTTP method '${method}' is not supported for '${path}'.`);
        throw new ArmError(404, "InvalidResourceType", `The ARM emulator does not serve '${method} ${path}'.`);
      }
      const { route, match } = resolved;
      if (route.arm) {
        if (!queryParam(url.searchParams, "api-version")) {
          throw new ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
          );
        }
        const sub = path.split("/")[2] ?? "";
        if (forbidden.has(sub.toLowerCase())) {
          throw new ArmError(
            403,
            "AuthorizationFailed",
            `The client does not have authorization to perform action 'read' over scope '/subscriptions/${sub}' or the scope is invalid (injected by the ARM emulator).`,
          );
        }
        if (!store.hasSubscription(sub)) throw new ArmError(404, "SubscriptionNotFound", `The subscription '${sub}' could not be found.`);
        const rgName = lower.startsWith(`/subscriptions/${sub.toLowerCase()}/resourcegroups/`) ? path.split("/")[4] : undefined;
        if (rgName !== undefined && !store.resourceGroup(sub, rgName)) {
          throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${rgName}' could not be found.`);
        }
      }
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
      send(res, subscription, route.handle(ctx));
    } catch (e) {
      if (e instanceof ArmError) send(res, subscription, errorReply(e));
      else send(res, subscription, errorReply(new ArmError(500, "InternalServerError", `ARM emulator error: ${(e as Error).message}`)));
    }
  };

  const cert = await generateCert();
  const server: Server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `https://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    ca: cert.cert,
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    resetCounts: () => {
      counts = {};
    },
    setFaults,
    setRuleHealth: (ruleId, body) => {
      store.ruleHealth.set(key(ruleId), structuredClone(body));
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
