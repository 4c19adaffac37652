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
 * Any api-version shaped like one is accepted, or with `apiVersions: "sdk"`
 * only those the installed SDK packages send (api-versions.ts); any other is
 * answered as ARM answers it.
 */
import { createServer, type Server } from "node:https";
import { type EmulatorHandle, emulatorHandle, Faults, latencySource, listenLocal, RequestCounts } from "../../../core/emulator/http.ts";
import type { AzureSnapshot, RuleHealthBody } from "../wire-types.ts";
import type { ApiVersionMode } from "./api-versions.ts";
import { generateCert } from "./cert.ts";
import { armHandler } from "./dispatch.ts";
import type { GraphQuota } from "./graph.ts";
import { newGraphState } from "./graph.ts";
import { type ArmState, armRoutes } from "./routes.ts";
import { ArmStore, key } from "./store.ts";

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
  /** Waits this long before answering; with status 0 the request then proceeds normally (a slow or hung call). */
  latencyMs?: number;
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
  /**
   * The most long-running operations remembered (default 100,000): past it the oldest is forgotten, so an emulator
   * polled for days (a TUI in watch mode) does not grow without end; a poll of a forgotten one is a 404.
   */
  maxLros?: number;
  /** `Retry-After` (seconds) on every LRO 202, the POST's and the polls'; absent: no header (the client polls at its own interval). */
  lroRetryAfterSeconds?: number;
  faults?: FaultRule[];
  /** Default 0 (ephemeral). */
  port?: number;
  /** When set only `Bearer <token>` is accepted, else any non-empty bearer token. */
  token?: string;
  /** Resource Graph's per-user query quota (e.g. 15 per 5000 ms); unlimited when absent. */
  argQuota?: GraphQuota;
  /** Subscriptions the caller may not read: 403 AuthorizationFailed for ARM requests under them and for Resource Graph queries naming them. */
  forbiddenSubscriptions?: string[];
  /** Subscriptions whose resource changes the caller may not read: 403 for a Resource Graph `resourcechanges` query naming them (the `Resources` table stays readable). */
  forbiddenChanges?: string[];
  /**
   * Subscriptions the caller holds no role on, as Resource Graph treats them: a query naming them answers without
   * their rows and without an error ("No results are returned if you don't have at least read permissions",
   * https://learn.microsoft.com/azure/governance/resource-graph/overview#permissions-in-azure-resource-graph),
   * `ResourceContainers` does not list them, and ARM requests under them are 403 AuthorizationFailed. A query that
   * names no subscription the caller can read (these, or ones the snapshots do not hold) is Resource Graph's 400
   * `BadRequest` with the detail `NoValidSubscriptionsInQueryRequest`.
   */
  unreadableSubscriptions?: string[];
  /**
   * Resource groups (`/subscriptions/<id>/resourceGroups/<name>`) the caller cannot read while it holds roles on other
   * resource groups of the same subscription (and none on the subscription): Resource Graph leaves their rows out
   * without an error (from the `Resources` table and from `resourcechanges`), and `ResourceContainers` does not list
   * the subscription, whose own record needs a role on it. ARM requests under such a group (its path
   * `/subscriptions/<id>/resourceGroups/<name>/…`, in any case: the group itself, its lists, its resources and their
   * operations) are 403 AuthorizationFailed, and so are the subscription's subscription-scope lists (no role there).
   */
  unreadableResourceGroups?: string[];
  /**
   * Which api-versions are taken (api-versions.ts): "any" (the default) any value shaped like one, so that a newer
   * SDK package's versions keep working; "sdk" only those the installed SDK packages send, every other answered as
   * ARM answers a version its provider does not take.
   */
  apiVersions?: ApiVersionMode;
}

/** `url` is `https://127.0.0.1:PORT`; requests are counted per route name (`lro.poll` separately; `unmatched` for 404/405 routes). */
export interface ArmEmulator extends EmulatorHandle<FaultRule> {
  /** The PEM certificate clients must trust (self-signed). */
  ca: string;
  /** Replaces the health body of a load-balancing rule (live state, e.g. a member flipping Down → Up). */
  setRuleHealth(ruleId: string, body: RuleHealthBody): void;
  /** Every LRO started so far: its route, resource, start (the 202's time, ms since the epoch), first poll and poll count. */
  lros(): EmulatorLro[];
  /** When a route was first and last requested (ms since the epoch, after the latency), or undefined if never. */
  seen(route: string): { first: number; last: number } | undefined;
  /** The most requests the emulator was answering at once (latency included): what a client's bound on requests in flight shows. */
  maxInFlight(): number;
}

/** An LRO as the emulator saw the client drive it. */
export interface EmulatorLro {
  operation: string;
  resourceId: string;
  startedAt: number;
  firstPollAt?: number;
  polls: number;
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
  "natGateways.list",
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
  "natGateways.listAll",
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
  "metrics.list",
  "activityLogs.list",
  "unmatched",
] as const;

export async function startArmEmulator(opts: ArmEmulatorOptions): Promise<ArmEmulator> {
  const st: ArmState = {
    opts,
    store: new ArmStore(opts.snapshots),
    pageSize: Math.max(1, Math.floor(opts.pageSize ?? 100)),
    lroMs: Math.max(0, opts.lroMs ?? 0),
    faults: new Faults(opts.faults ?? []),
    counts: new RequestCounts(),
    remainingReads: new Map(),
    lros: new Map(),
    baseUrl: "",
    graph: newGraphState(),
    forbidden: new Set((opts.forbiddenSubscriptions ?? []).map((x) => x.toLowerCase())),
    forbiddenChanges: new Set((opts.forbiddenChanges ?? []).map((x) => x.toLowerCase())),
    unreadable: new Set((opts.unreadableSubscriptions ?? []).map((x) => x.toLowerCase())),
    unreadableGroups: new Set((opts.unreadableResourceGroups ?? []).map((x) => x.toLowerCase())),
    seen: new Map(),
    inFlight: 0,
    maxInFlight: 0,
  };
  const handle = armHandler(st, armRoutes(st), latencySource(opts.latencyMs));
  const cert = await generateCert();
  const server: Server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    void handle(req, res);
  });
  const port = await listenLocal(server, opts.port ?? 0);
  st.baseUrl = `https://127.0.0.1:${port}`;
  return {
    ...emulatorHandle(server, st.baseUrl, port, st.counts, st.faults),
    ca: cert.cert,
    setRuleHealth: (ruleId, body) => {
      st.store.ruleHealth.set(key(ruleId), structuredClone(body));
    },
    lros: () =>
      [...st.lros.values()].map((o) => ({
        operation: o.operation,
        resourceId: o.resourceId,
        startedAt: o.startedAt,
        ...(o.firstPollAt !== undefined ? { firstPollAt: o.firstPollAt } : {}),
        polls: o.polls,
      })),
    maxInFlight: () => st.maxInFlight,
    seen: (route) => {
      const s = st.seen.get(route);
      return s ? { ...s } : undefined;
    },
  };
}
