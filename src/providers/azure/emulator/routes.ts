/**
 * The ARM emulator's routes: resource-group and subscription lists (paged
 * with absolute nextLinks), resources by id, the live operations as 202 +
 * Location LROs (with Retry-After when configured), and Resource Graph.
 */
import { randomUUID } from "node:crypto";
import { EmulatorError, type Faults, type RequestCounts } from "../../../core/emulator/http.ts";
import { renderSsOutput, runCommandMessage } from "../collect/guest-output.ts";
import { checkApiVersion } from "./api-versions.ts";
import { answerQuery, chargeQuota, GraphError, type GraphState } from "./graph.ts";
import type { ArmEmulatorOptions, FaultRule } from "./index.ts";
import { type ArmStore, isVmId, key, withoutInstanceView } from "./store.ts";
import { answerActivityLog, answerMetrics } from "./time.ts";

/** Lower-cased type segment → SDK operation group name. */
const NETWORK_TYPES: Record<string, string> = {
  loadbalancers: "loadBalancers",
  networkinterfaces: "networkInterfaces",
  networksecuritygroups: "networkSecurityGroups",
  virtualnetworks: "virtualNetworks",
  routetables: "routeTables",
  publicipaddresses: "publicIPAddresses",
  applicationsecuritygroups: "applicationSecurityGroups",
  natgateways: "natGateways",
};
const COMPUTE_TYPES: Record<string, string> = {
  virtualmachines: "virtualMachines",
  availabilitysets: "availabilitySets",
  virtualmachinescalesets: "virtualMachineScaleSets",
};

const S = "([^/]+)";
const RG_PREFIX = `^/subscriptions/${S}/resourcegroups/${S}`;

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Ctx {
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

export interface Route {
  name: string;
  method: "GET" | "POST";
  re: RegExp;
  /** ARM routes need `api-version` and a known subscription/resource group. */
  arm: boolean;
  handle: (ctx: Ctx) => Reply;
}

export interface Lro {
  readyAt: number;
  subscription: string;
  body: unknown;
  /** the route that started it, the resource, when (ms since the epoch) and its polls: what tests read of the client's polling */
  operation: string;
  resourceId: string;
  startedAt: number;
  firstPollAt?: number;
  polls: number;
}

export function queryParam(q: URLSearchParams, name: string): string | undefined {
  for (const [k, v] of q) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
}

/** What the routes and the request handler share. */
export interface ArmState {
  opts: ArmEmulatorOptions;
  store: ArmStore;
  pageSize: number;
  /** time from the POST until an LRO's result is ready */
  lroMs: number;
  faults: Faults<FaultRule>;
  counts: RequestCounts;
  remainingReads: Map<string, number>;
  lros: Map<string, Lro>;
  /** `https://127.0.0.1:PORT`, known once listening */
  baseUrl: string;
  graph: GraphState;
  forbidden: Set<string>;
  /** subscriptions whose resourcechanges queries answer 403 */
  forbiddenChanges?: Set<string>;
  /** subscriptions the caller holds no role on: Resource Graph leaves them out without an error, ARM answers 403 */
  unreadable?: Set<string>;
  /**
   * resource groups (lower-cased ids) the caller cannot read in a subscription where it reads others: left out by
   * Resource Graph; 403 from ARM under the group, and for a list across the subscription (the caller holds no role on it)
   */
  unreadableGroups?: Set<string>;
  /** when each route was first and last requested (ms since the epoch, after the latency) */
  seen: Map<string, { first: number; last: number }>;
  /** requests being answered now, and the most there ever were at once */
  inFlight: number;
  maxInFlight: number;
}

/** A 202's headers: where to poll, and (when configured) how long to wait first. */
function lroHeaders(st: ArmState, id: string): Record<string, string> {
  const ra = st.opts.lroRetryAfterSeconds;
  return { location: `${st.baseUrl}/lro/${id}`, ...(ra !== undefined ? { "retry-after": String(Math.max(0, Math.round(ra))) } : {}) };
}

export function armRoutes(st: ArmState): Route[] {
  return [...listRoutes(st), ...lroRoutes(st), ...timeRoutes(st), ...readRoutes(st)];
}

const page = (st: ArmState, ctx: Ctx, items: unknown[]): Reply => {
  const skipText = queryParam(ctx.query, "$skiptoken");
  // only a token this emulator wrote: an offset in decimal digits, within the list (not `0x10`, `1e2` or past the end)
  const skip = skipText === undefined ? 0 : /^\d{1,9}$/.test(skipText) ? Number(skipText) : Number.NaN;
  if (!Number.isInteger(skip) || skip < 0 || skip > items.length)
    throw new EmulatorError(400, "InvalidSkipToken", `The $skiptoken '${skipText}' is not valid.`);
  const instanceView = (ctx.expand ?? "").toLowerCase().split(",").includes("instanceview");
  const value = items
    .slice(skip, skip + st.pageSize)
    .map((r) => (!instanceView && isVmId((r as { id: string }).id) ? withoutInstanceView(r) : r));
  const body: { value: unknown[]; nextLink?: string } = { value };
  if (skip + st.pageSize < items.length) {
    const params: string[] = [];
    for (const [k, v] of ctx.query) {
      if (k.toLowerCase() === "$skiptoken") continue;
      params.push(`${encodeURIComponent(k).replace(/^%24/, "$")}=${encodeURIComponent(v)}`);
    }
    params.push(`$skiptoken=${skip + st.pageSize}`);
    body.nextLink = `${st.baseUrl}${ctx.rawPath}?${params.join("&")}`;
  }
  return { status: 200, body };
};

const notFound = (ctx: Ctx): EmulatorError => {
  const parts = ctx.path.split("/");
  const rg = parts[4] ?? "";
  const providerAt = parts.findIndex((p) => p.toLowerCase() === "providers");
  const typeAndName = providerAt >= 0 ? parts.slice(providerAt + 1).join("/") : ctx.path;
  return new EmulatorError(
    404,
    "ResourceNotFound",
    `The Resource '${typeAndName}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
};

/** How many long-running operations the emulator remembers by default (ArmEmulatorOptions.maxLros). */
export const MAX_LROS = 100_000;

const startLro = (st: ArmState, ctx: Ctx, body: unknown, operation: string, resourceId: string): Reply => {
  const id = randomUUID();
  const now = Date.now();
  // the oldest forgotten past the bound (a Map iterates in insertion order)
  if (st.lros.size >= Math.max(1, st.opts.maxLros ?? MAX_LROS)) st.lros.delete(st.lros.keys().next().value as string);
  st.lros.set(id, {
    readyAt: now + st.lroMs,
    subscription: (ctx.match[1] ?? "").toLowerCase(),
    body,
    operation,
    resourceId,
    startedAt: now,
    polls: 0,
  });
  return { status: 202, headers: lroHeaders(st, id) };
};

const observationMissing = (what: string, id: string): EmulatorError =>
  new EmulatorError(
    404,
    "ObservationNotInSnapshot",
    `The snapshot served by the ARM emulator has no ${what} for '${id}', so this operation cannot be answered.`,
  );

const listRoute = (st: ArmState, name: string, re: string, items: (ctx: Ctx) => unknown[]): Route => ({
  name,
  method: "GET",
  re: new RegExp(`${re}$`),
  arm: true,
  handle: (ctx) => page(st, ctx, items(ctx)),
});

/** The resource group itself and every list the collectors page through. */
function listRoutes(st: ArmState): Route[] {
  return [
    {
      name: "resourceGroups.get",
      method: "GET",
      re: new RegExp(`${RG_PREFIX}$`),
      arm: true,
      handle: (ctx) => {
        const rg = st.store.resourceGroup(ctx.match[1] as string, ctx.match[2] as string);
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
      st,
      "virtualMachineScaleSetVMs.list",
      `${RG_PREFIX}/providers/microsoft\\.compute/virtualmachinescalesets/${S}/virtualmachines`,
      (ctx) => st.store.children(ctx.lower),
    ),
    listRoute(
      st,
      "networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces",
      `${RG_PREFIX}/providers/microsoft\\.compute/virtualmachinescalesets/${S}/networkinterfaces`,
      (ctx) => {
        const vmss = ctx.lower.slice(0, -"/networkinterfaces".length);
        const esc = vmss.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        return st.store.matching(new RegExp(`^${esc}/virtualmachines/[^/]+/networkinterfaces/[^/]+$`));
      },
    ),
    listRoute(
      st,
      "networkInterfaces.listVirtualMachineScaleSetVMNetworkInterfaces",
      `${RG_PREFIX}/providers/microsoft\\.compute/virtualmachinescalesets/${S}/virtualmachines/${S}/networkinterfaces`,
      (ctx) => st.store.children(ctx.lower),
    ),
    ...(["network", "compute"] as const).flatMap((ns) => {
      const types = ns === "network" ? NETWORK_TYPES : COMPUTE_TYPES;
      return Object.entries(types).map(([lower, op]) =>
        listRoute(st, `${op}.list`, `${RG_PREFIX}/providers/microsoft\\.${ns}/${lower}`, (ctx) => st.store.children(ctx.lower)),
      );
    }),
    ...(["network", "compute"] as const).flatMap((ns) => {
      const types = ns === "network" ? NETWORK_TYPES : COMPUTE_TYPES;
      return Object.entries(types).map(([lower, op]) =>
        listRoute(st, `${op}.listAll`, `^/subscriptions/${S}/providers/microsoft\\.${ns}/(${lower})`, (ctx) => {
          const sub = (ctx.match[1] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          return st.store.matching(new RegExp(`^/subscriptions/${sub}/resourcegroups/[^/]+/providers/microsoft\\.${ns}/${lower}/[^/]+$`));
        }),
      );
    }),
  ];
}

/** The live operations: each answers 202 + Location, then the result when polled. */
function lroRoutes(st: ArmState): Route[] {
  return [
    {
      name: "loadBalancingRules.health",
      method: "POST",
      re: new RegExp(`${RG_PREFIX}/providers/microsoft\\.network/loadbalancers/${S}/loadbalancingrules/${S}/health$`),
      arm: true,
      handle: (ctx) => {
        const ruleId = ctx.path.slice(0, -"/health".length);
        const body = st.store.ruleHealth.get(key(ruleId));
        if (body) return startLro(st, ctx, structuredClone(body), "loadBalancingRules.health", ruleId);
        const lbId = ruleId.slice(0, ruleId.toLowerCase().lastIndexOf("/loadbalancingrules/"));
        if (!st.store.get(lbId)) throw notFound({ ...ctx, path: lbId });
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
        const body = st.store.effectiveNsgs.get(key(nicId));
        if (body) return startLro(st, ctx, structuredClone(body), "networkInterfaces.listEffectiveNetworkSecurityGroups", nicId);
        if (!st.store.get(nicId)) throw notFound({ ...ctx, path: nicId });
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
        if (!st.store.get(nicId)) throw notFound({ ...ctx, path: nicId });
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
            throw new EmulatorError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
          }
          const commandId = (input as { commandId?: unknown } | null)?.commandId;
          if (typeof commandId !== "string" || commandId === "") {
            throw new EmulatorError(400, "InvalidParameter", "Required parameter 'commandId' is missing (null).");
          }
          const vmId = ctx.path.slice(0, -"/runCommand".length);
          if (!st.store.get(vmId)) throw notFound({ ...ctx, path: vmId });
          const guest = st.store.guest.get(key(vmId));
          // no guest observation in the snapshot: nothing to answer with (an empty socket list would be a made-up "nothing listens")
          if (guest === undefined) throw observationMissing("guest observation", vmId);
          const localIp = st.store.vmPrivateIp(vmId);
          const text = renderSsOutput(guest, localIp ? { localIp } : {});
          return startLro(
            st,
            ctx,
            {
              value: [
                {
                  code: "ProvisioningState/succeeded",
                  level: "Info",
                  displayStatus: "Provisioning succeeded",
                  message: runCommandMessage(text),
                },
              ],
            },
            r.name,
            vmId,
          );
        },
      }),
    ),
    {
      name: "lro.poll",
      method: "GET",
      re: /^\/lro\/([^/]+)$/,
      arm: false,
      handle: (ctx) => {
        const id = ctx.path.split("/")[2] ?? "";
        const op = st.lros.get(id);
        if (!op) throw new EmulatorError(404, "ResourceNotFound", `The long-running operation '${id}' is not known to the ARM emulator.`);
        op.polls++;
        op.firstPollAt ??= Date.now();
        if (Date.now() < op.readyAt) return { status: 202, headers: lroHeaders(st, id) };
        return { status: 200, body: op.body };
      },
    },
  ];
}

/** The time-data reads: a load balancer's metrics and the Activity Log (Resource Graph's resourcechanges is in graph.ts). */
function timeRoutes(st: ArmState): Route[] {
  return [
    {
      name: "metrics.list",
      method: "GET",
      re: new RegExp(`${RG_PREFIX}/providers/microsoft\\.network/loadbalancers/${S}/providers/microsoft\\.insights/metrics$`),
      arm: true,
      handle: (ctx) => {
        const lbId = ctx.path.slice(0, ctx.lower.lastIndexOf("/providers/microsoft.insights/metrics"));
        if (!st.store.get(lbId)) throw notFound({ ...ctx, path: lbId });
        return {
          status: 200,
          body: answerMetrics(st.store, lbId, queryParam(ctx.query, "metricnames"), queryParam(ctx.query, "timespan")),
        };
      },
    },
    {
      name: "activityLogs.list",
      method: "GET",
      re: new RegExp(`^/subscriptions/${S}/providers/microsoft\\.insights/eventtypes/management/values$`),
      arm: true,
      handle: (ctx) => {
        const events = answerActivityLog(st.store, ctx.match[1] ?? "", queryParam(ctx.query, "$filter"));
        if (!events) throw new EmulatorError(400, "BadRequest", "The $filter must include eventTimestamp ge '<start time>'.");
        return page(st, ctx, events);
      },
    },
  ];
}

/** A resource by id, and Resource Graph's query endpoint. */
function readRoutes(st: ArmState): Route[] {
  return [
    {
      name: "resource.get",
      method: "GET",
      // a resource id: providers/{namespace} then type/name pairs
      re: new RegExp(`${RG_PREFIX}/providers/[^/]+(?:/[^/]+/[^/]+)+$`),
      arm: true,
      handle: (ctx) => {
        const r = st.store.get(ctx.path);
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
          const version = queryParam(ctx.query, "api-version");
          if (!version) {
            throw new GraphError(
              400,
              "MissingApiVersionParameter",
              "The api-version query parameter (?api-version=) is required for all requests.",
            );
          }
          checkApiVersion(ctx.method, ctx.path, version, st.store, st.opts.apiVersions);
          const headers = chargeQuota(st.graph, ctx.bearer, st.opts.argQuota);
          return {
            status: 200,
            body: answerQuery(
              st.store,
              ctx.body,
              st.forbidden,
              st.forbiddenChanges,
              st.unreadable ?? new Set(),
              st.unreadableGroups ?? new Set(),
            ),
            headers,
          };
        } catch (e) {
          if (!(e instanceof GraphError)) throw e;
          if (e.status === 429) st.counts.add("resourceGraph.throttled");
          const details = (e as { details?: unknown }).details;
          throw Object.assign(new EmulatorError(e.status, e.code, e.message, e.headers), details === undefined ? {} : { details });
        }
      },
    },
  ];
}
