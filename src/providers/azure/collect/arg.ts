/**
 * The scale path: Azure Resource Graph. One paged KQL query over `Resources`
 * reads every load balancer, NIC, NSG, VNet, route table, public IP, ASG, VM,
 * availability set and scale set of up to 1000 subscriptions at once, in wire
 * format: O(pages) calls instead of O(resource groups × types). The result is
 * an ordinary `lbdoctor.snapshot/v1`.
 *
 * What Resource Graph lacks, and how it is filled:
 *   - a VM's instance view: Resource Graph exposes the power state as
 *     `properties.extended.instanceView.powerState` ({ code, level,
 *     displayStatus }); it becomes `properties.instanceView.statuses[0]` (the
 *     shape ARM's `$expand=instanceView` gives), and `extended` is dropped;
 *   - scale-set instances and their NICs (not in `Resources`): `--deep` lists
 *     them through ARM for the scale sets behind a pool, else each such scale
 *     set is a gap;
 *   - rule health and effective NSGs (live operations): `--deep`, through ARM
 *     within a per-subscription read budget (250 burst, 25/s by default).
 *
 * Throttling is planned, not discovered: queries are paced to the user quota
 * (15 per 5 s by default, and the `x-ms-user-quota-*` headers of each answer
 * are obeyed), ARM reads to a token bucket per subscription. A subscription
 * that cannot be read (403) becomes a gap and the others go on.
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import type { CollectEvent } from "../../../core/collect/events.ts";
import { InputError } from "../../../core/errors.ts";
import type { Gap } from "../../../core/snapshot/types.ts";
import { limiter } from "../../../core/util/limit.ts";
import type { ArmResource, AzureSnapshot, EffectiveNsgBody, RuleHealthBody } from "../../../providers/azure/wire-types.ts";
import { idKey, parseArmId } from "../arm-id.ts";
import { awaitLro, isAuthError, poolMemberNics } from "./collect.ts";
import { probedRules } from "./probed-rules.ts";
import { stripSecrets } from "./redact.ts";

export const GRAPH_TYPES = [
  "Microsoft.Network/loadBalancers",
  "Microsoft.Network/networkInterfaces",
  "Microsoft.Network/networkSecurityGroups",
  "Microsoft.Network/virtualNetworks",
  "Microsoft.Network/routeTables",
  "Microsoft.Network/publicIPAddresses",
  "Microsoft.Network/applicationSecurityGroups",
  "Microsoft.Compute/virtualMachines",
  "Microsoft.Compute/availabilitySets",
  "Microsoft.Compute/virtualMachineScaleSets",
] as const;

/** The resources query (one for every type; rows ordered by id so that `$skipToken` pages are stable). */
export const RESOURCES_QUERY = [
  "Resources",
  `where type in~ (${GRAPH_TYPES.map((t) => `'${t.toLowerCase()}'`).join(", ")})`,
  "project id, name, type, location, sku, tags, zones, properties",
  "order by id asc",
].join(" | ");

/** The subscriptions the caller can read (--all-subscriptions). */
export const SUBSCRIPTIONS_QUERY =
  "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId, name | order by subscriptionId asc";

/** A Resource Graph collection reports the shared collector events, `progress` among them. */
export type GraphEvent = CollectEvent;

export interface Budget {
  /** ARM reads per subscription: the bucket size and its refill per second (Azure: 250 and 25) */
  armBurst: number;
  armPerSecond: number;
  /** Resource Graph queries per window per user (Azure: about 15 per 5 s) */
  argQueries: number;
  argWindowMs: number;
}
export const DEFAULT_BUDGET: Budget = { armBurst: 250, armPerSecond: 25, argQueries: 15, argWindowMs: 5000 };

export interface GraphCollectOptions {
  /** the subscriptions to read; with allSubscriptions, every readable one */
  subscriptionIds?: string[];
  allSubscriptions?: boolean;
  credential: TokenCredential;
  endpoint?: string;
  ca?: string;
  /** rule health, effective NSGs and scale-set instances through ARM */
  deep?: boolean;
  /** ARM requests in flight during --deep (default 12) */
  concurrency?: number;
  budget?: Partial<Budget>;
  /** rows per page (Resource Graph allows 1000) */
  pageSize?: number;
  pollIntervalMs?: number;
  maxRetries?: number;
  retryDelayMs?: number;
  onEvent?: (e: GraphEvent) => void;
  toolVersion?: string;
  now?: () => Date;
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  name?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Paces Resource Graph queries: at most `n` sends in any window, and whatever the service's quota headers say. */
class QueryPacer {
  private sent: number[] = [];
  private notBefore = 0;
  private queue: Promise<void> = Promise.resolve();
  private n: number;
  private windowMs: number;
  constructor(n: number, windowMs: number) {
    this.n = n;
    this.windowMs = windowMs;
  }
  acquire(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = Date.now();
        this.sent = this.sent.filter((t) => now - t < this.windowMs);
        let wait = Math.max(0, this.notBefore - now);
        if (this.sent.length >= this.n) wait = Math.max(wait, this.windowMs - (now - (this.sent[0] as number)) + 5);
        if (wait <= 0) break;
        await sleep(wait);
      }
      this.sent.push(Date.now());
    });
    this.queue = turn.catch(() => {});
    return turn;
  }
  observe(res: PipelineResponse): void {
    const remaining = res.headers.get("x-ms-user-quota-remaining");
    const resets = res.headers.get("x-ms-user-quota-resets-after");
    if (remaining === undefined || resets === undefined) return;
    if (Number(remaining) <= 0) {
      const [h, m, s] = resets.split(":").map(Number);
      const ms = (((h ?? 0) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000;
      if (Number.isFinite(ms)) this.notBefore = Math.max(this.notBefore, Date.now() + ms + 5);
    }
  }
}

/** A token bucket per subscription for ARM reads. */
class ArmBudget {
  private buckets = new Map<string, { tokens: number; at: number; queue: Promise<void> }>();
  private burst: number;
  private perSecond: number;
  constructor(burst: number, perSecond: number) {
    this.burst = burst;
    this.perSecond = perSecond;
  }
  acquire(subscription: string): Promise<void> {
    let b = this.buckets.get(subscription);
    if (!b) {
      b = { tokens: this.burst, at: Date.now(), queue: Promise.resolve() };
      this.buckets.set(subscription, b);
    }
    const bucket = b;
    const turn = bucket.queue.then(async () => {
      for (;;) {
        const now = Date.now();
        bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
        bucket.at = now;
        if (bucket.tokens >= 1) {
          bucket.tokens -= 1;
          return;
        }
        await sleep(Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000));
      }
    });
    bucket.queue = turn;
    return turn;
  }
}

const CANONICAL_TYPES = new Map<string, string>(GRAPH_TYPES.map((t) => [t.toLowerCase(), t]));

/** A Resource Graph row as an ARM wire resource (what the ARM list calls return). */
export function rowToResource(row: Record<string, unknown>): ArmResource | undefined {
  if (typeof row.id !== "string" || typeof row.type !== "string") return undefined;
  const type = CANONICAL_TYPES.get(row.type.toLowerCase()) ?? row.type;
  const r: ArmResource = { id: row.id, name: typeof row.name === "string" ? row.name : (row.id.split("/").pop() ?? ""), type };
  if (typeof row.location === "string" && row.location) r.location = row.location;
  if (row.sku && typeof row.sku === "object") r.sku = row.sku as ArmResource["sku"];
  if (row.tags && typeof row.tags === "object") r.tags = row.tags as Record<string, string>;
  if (Array.isArray(row.zones) && row.zones.length > 0) r.zones = row.zones as string[];
  const props = row.properties && typeof row.properties === "object" ? { ...(row.properties as Record<string, unknown>) } : {};
  if (type === "Microsoft.Compute/virtualMachines") {
    // Resource Graph: properties.extended.instanceView.powerState; ARM: properties.instanceView.statuses[]
    const extended = props.extended as
      | { instanceView?: { powerState?: { code?: string; level?: string; displayStatus?: string } } }
      | undefined;
    const power = extended?.instanceView?.powerState;
    delete props.extended;
    if (power?.code) {
      props.instanceView = {
        statuses: [
          { code: power.code, level: power.level ?? "Info", ...(power.displayStatus ? { displayStatus: power.displayStatus } : {}) },
        ],
      };
    }
  }
  r.properties = props;
  return r;
}

/** Subscription ids named in an error (`… over scope '/subscriptions/<id>' …`). */
function subscriptionsIn(message: string | undefined): string[] {
  return [...(message ?? "").matchAll(/\/subscriptions\/([0-9a-fA-F-]{36})/g)].map((m) => (m[1] as string).toLowerCase());
}

export async function collectAzureGraph(opts: GraphCollectOptions): Promise<AzureSnapshot> {
  const started = performance.now();
  const emit = opts.onEvent ?? (() => {});
  const budget = { ...DEFAULT_BUDGET, ...opts.budget };
  const pacer = new QueryPacer(Math.max(1, budget.argQueries), Math.max(1, budget.argWindowMs));
  const armBudget = new ArmBudget(Math.max(1, budget.armBurst), Math.max(0.1, budget.armPerSecond));
  const limit = limiter(Math.max(1, opts.concurrency ?? 12));
  const pageSize = Math.min(1000, Math.max(1, opts.pageSize ?? 1000));
  const gaps: Gap[] = [];
  const resources = new Map<string, ArmResource>();
  let calls = 0;

  const addGap = (operation: string, e: unknown, resourceId?: string) => {
    const err = e as RestErrorLike;
    const gap: Gap = { operation, message: (err.message ?? String(e)).split("\n")[0] ?? "failed" };
    if (resourceId) gap.resourceId = resourceId;
    if (err.statusCode) gap.status = err.statusCode;
    if (err.code) gap.code = err.code;
    gaps.push(gap);
    emit({ type: "gap", gap });
  };
  const authFailure = (e: unknown): InputError | undefined => {
    const err = e as RestErrorLike;
    if (!isAuthError(err)) return undefined;
    return new InputError(
      `Azure rejected the credentials (Resource Graph): ${(err.message ?? "").split("\n")[0]}`,
      opts.endpoint
        ? "The emulator accepts any bearer token unless started with --token."
        : "Sign in with `az login` (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET), and check --tenant.",
    );
  };

  const counter: PipelinePolicy = {
    name: "lbdoctorCount",
    async sendRequest(request, next) {
      const res = await next(request);
      calls++;
      return res;
    },
  };
  const pace: PipelinePolicy = {
    name: "lbdoctorGraphQuota",
    async sendRequest(request, next) {
      await pacer.acquire();
      const res = await next(request);
      pacer.observe(res);
      return res;
    },
  };
  const common = {
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.ca ? { tlsOptions: { ca: opts.ca } } : {}),
    retryOptions: { maxRetries: opts.maxRetries ?? 3, ...(opts.retryDelayMs !== undefined ? { retryDelayInMs: opts.retryDelayMs } : {}) },
    userAgentOptions: { userAgentPrefix: `lbdoctor/${opts.toolVersion ?? "dev"}` },
  };
  const { ResourceGraphClient } = await import("@azure/arm-resourcegraph");
  const graph = new ResourceGraphClient(opts.credential, {
    ...common,
    additionalPolicies: [
      { policy: counter, position: "perCall" },
      { policy: pace, position: "perRetry" },
    ],
  });

  /** Runs a paged query over a set of subscriptions; returns the rows, or undefined (with gaps recorded) for subscriptions that failed. */
  const query = async (text: string, subs: string[] | undefined, operation: string): Promise<Array<Record<string, unknown>>> => {
    const rows: Array<Record<string, unknown>> = [];
    let skipToken: string | undefined;
    do {
      const res = await graph.resources({
        query: text,
        ...(subs ? { subscriptions: subs } : {}),
        options: { top: pageSize, resultFormat: "objectArray", ...(skipToken ? { skipToken } : {}) },
      });
      emit({ type: "call", operation, calls });
      if (Array.isArray(res.data)) rows.push(...(res.data as Array<Record<string, unknown>>));
      skipToken = res.skipToken || undefined;
    } while (skipToken);
    return rows;
  };

  /**
   * The resources query over a batch of subscriptions. A 403 names the
   * subscription it refused (ARM says `over scope '/subscriptions/<id>'`):
   * that one becomes a gap and the query runs again without it. When the
   * error names none, the batch is split in two until the culprit is alone.
   */
  const queryResources = async (subs: string[]): Promise<Array<Record<string, unknown>>> => {
    if (subs.length === 0) return [];
    try {
      return await query(RESOURCES_QUERY, subs, "resourceGraph.resources");
    } catch (e) {
      const fatal = authFailure(e);
      if (fatal) throw fatal;
      const err = e as RestErrorLike;
      if (err.statusCode === 403 || err.statusCode === 404) {
        const named = subscriptionsIn(err.message).filter((s) => subs.some((x) => x.toLowerCase() === s));
        if (named.length > 0) {
          for (const s of named) addGap("resourceGraph.resources", e, `/subscriptions/${s}`);
          return queryResources(subs.filter((x) => !named.includes(x.toLowerCase())));
        }
        if (subs.length === 1) {
          addGap("resourceGraph.resources", e, `/subscriptions/${subs[0]}`);
          return [];
        }
        const half = Math.ceil(subs.length / 2);
        return [...(await queryResources(subs.slice(0, half))), ...(await queryResources(subs.slice(half)))];
      }
      for (const s of subs) addGap("resourceGraph.resources", e, `/subscriptions/${s}`);
      return [];
    }
  };

  // 1. which subscriptions
  let subscriptionIds = [...new Set((opts.subscriptionIds ?? []).map((s) => s.trim()).filter(Boolean))];
  if (opts.allSubscriptions) {
    emit({ type: "phase", name: "subscriptions" });
    try {
      const rows = await query(SUBSCRIPTIONS_QUERY, undefined, "resourceGraph.subscriptions");
      for (const r of rows) if (typeof r.subscriptionId === "string") subscriptionIds.push(r.subscriptionId);
      subscriptionIds = [...new Set(subscriptionIds.map((s) => s.toLowerCase()))];
    } catch (e) {
      throw (
        authFailure(e) ??
        new InputError(`cannot list the subscriptions through Resource Graph: ${((e as Error).message ?? "").split("\n")[0]}`)
      );
    }
  }
  if (subscriptionIds.length === 0) {
    throw new InputError("no subscription to read", "Pass --subscription <id> (repeatable) or --all-subscriptions.");
  }

  // 2. the resources, 1000 subscriptions a query
  emit({ type: "phase", name: "resource graph" });
  const subsTotal = subscriptionIds.length;
  for (let i = 0; i < subscriptionIds.length; i += 1000) {
    for (const row of await queryResources(subscriptionIds.slice(i, i + 1000))) {
      const r = rowToResource(row);
      if (r && !resources.has(idKey(r.id))) resources.set(idKey(r.id), r);
    }
  }
  const lbs = [...resources.values()].filter((r) => r.type === "Microsoft.Network/loadBalancers");
  const subOf = (id: string) => (parseArmId(id).subscriptionId ?? "").toLowerCase();
  const failedSubs = new Set(gaps.filter((g) => g.operation === "resourceGraph.resources").map((g) => subOf(g.resourceId ?? "")));
  const lbsBySub = new Map<string, ArmResource[]>();
  for (const s of subscriptionIds) if (!failedSubs.has(s.toLowerCase())) lbsBySub.set(s.toLowerCase(), []);
  for (const lb of lbs) lbsBySub.get(subOf(lb.id))?.push(lb);
  let subsDone = failedSubs.size;
  let lbsDone = 0;
  const progress = () =>
    emit({ type: "progress", subscriptionsDone: subsDone, subscriptionsTotal: subsTotal, lbsDone, lbsTotal: lbs.length });

  const ruleHealth: Record<string, RuleHealthBody> = {};
  const effective: Record<string, EffectiveNsgBody> = {};
  const scaleSetsBehindPools = scaleSetsInPools(resources);

  if (!opts.deep) {
    for (const ss of scaleSetsBehindPools) {
      const gap: Gap = {
        operation: "virtualMachineScaleSetVMs.list",
        resourceId: ss,
        message: "scale-set instances and their NICs are not in Resource Graph's Resources table; --deep lists them through ARM",
      };
      gaps.push(gap);
      emit({ type: "gap", gap });
    }
    subsDone = subsTotal;
    lbsDone = lbs.length;
    progress();
  } else {
    emit({ type: "phase", name: "rule health and effective NSGs (ARM)" });
    progress();
    await deepObservations();
  }

  async function deepObservations(): Promise<void> {
    const als = new AsyncLocalStorage<{ responses: Array<{ status: number; body: unknown }> }>();
    const recorder: PipelinePolicy = {
      name: "lbdoctorRecordWireJson",
      async sendRequest(request, next) {
        const response = await next(request);
        calls++;
        const scope = als.getStore();
        if (scope) {
          let body: unknown;
          try {
            body = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
          } catch {
            body = undefined;
          }
          scope.responses.push({ status: response.status, body });
        }
        return response;
      },
    };
    const armPace: PipelinePolicy = {
      name: "lbdoctorArmBudget",
      async sendRequest(request, next) {
        const sub = /\/subscriptions\/([^/?]+)/i.exec(new URL(request.url).pathname)?.[1]?.toLowerCase() ?? "";
        await armBudget.acquire(sub);
        return limit(() => next(request));
      },
    };
    const [{ NetworkManagementClient }, { ComputeManagementClient }] = await Promise.all([
      import("@azure/arm-network"),
      import("@azure/arm-compute"),
    ]);
    const clientOptions = {
      ...common,
      additionalPolicies: [
        { policy: recorder, position: "perCall" as const },
        { policy: armPace, position: "perRetry" as const },
      ],
    };
    const pollInterval = opts.pollIntervalMs ?? 1000;
    const pollOptions = { updateIntervalInMs: pollInterval };
    type Poller = Parameters<typeof awaitLro>[0];
    const lastOk = (rs: Array<{ status: number; body: unknown }>) => rs.filter((r) => r.status === 200 && r.body !== undefined).pop()?.body;
    const record = async (operation: string, id: string, run: () => Promise<unknown>) => {
      const scope = { responses: [] as Array<{ status: number; body: unknown }> };
      try {
        await als.run(scope, run);
        emit({ type: "call", operation, calls });
        return scope.responses;
      } catch (e) {
        addGap(operation, e, id);
        return undefined;
      }
    };
    const drain = (paged: { byPage(): AsyncIterable<unknown[]> }) => async () => {
      for await (const _ of paged.byPage()) {
        // recorded by the policy
      }
    };

    // running pool-member NICs by load balancer (the effective-NSG API takes top-level NICs only)
    const runningByLb = new Map<string, ArmResource[]>();
    for (const nic of poolMemberNics(resources).running) {
      if (/\/virtualMachineScaleSets\//i.test(nic.id)) continue;
      for (const lbKey of lbKeysOfNic(nic)) {
        const list = runningByLb.get(lbKey);
        if (list) list.push(nic);
        else runningByLb.set(lbKey, [nic]);
      }
    }
    const nicDone = new Set<string>();
    await Promise.all(
      [...lbsBySub].map(async ([sub, subLbs]) => {
        const network = new NetworkManagementClient(opts.credential, sub, clientOptions);
        const compute = new ComputeManagementClient(opts.credential, sub, clientOptions);
        // scale-set instances and NICs behind this subscription's pools
        await Promise.all(
          scaleSetsBehindPools
            .filter((ss) => subOf(ss) === sub)
            .flatMap((ss) => {
              const p = parseArmId(ss);
              const rg = p.resourceGroup ?? "";
              const add = (rs: Array<{ status: number; body: unknown }> | undefined) => {
                for (const r of rs ?? []) {
                  const value = (r.body as { value?: ArmResource[] } | undefined)?.value;
                  if (r.status === 200 && Array.isArray(value))
                    for (const x of value) if (x?.id && !resources.has(idKey(x.id))) resources.set(idKey(x.id), x);
                }
              };
              return [
                record(
                  "virtualMachineScaleSetVMs.list",
                  ss,
                  drain(
                    compute.virtualMachineScaleSetVMs.list(rg, p.name, { expand: "instanceView" }) as unknown as {
                      byPage(): AsyncIterable<unknown[]>;
                    },
                  ),
                ).then(add),
                record(
                  "networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces",
                  ss,
                  drain(
                    network.networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces(rg, p.name) as unknown as {
                      byPage(): AsyncIterable<unknown[]>;
                    },
                  ),
                ).then(add),
              ];
            }),
        );
        await Promise.all(
          subLbs.map(async (lb) => {
            const lbRg = parseArmId(lb.id).resourceGroup ?? "";
            const work: Array<Promise<unknown>> = [];
            for (const { id: ruleId, name: ruleName } of probedRules(lb)) {
              work.push(
                record("loadBalancerLoadBalancingRules.health", ruleId, () =>
                  awaitLro(
                    network.loadBalancerLoadBalancingRules.health(lbRg, lb.name, ruleName, pollOptions) as unknown as Poller,
                    pollInterval,
                  ),
                ).then((rs) => {
                  const body = rs && lastOk(rs);
                  if (body && typeof body === "object") ruleHealth[ruleId] = body as RuleHealthBody;
                }),
              );
            }
            for (const nic of runningByLb.get(idKey(lb.id)) ?? []) {
              if (nicDone.has(idKey(nic.id))) continue;
              nicDone.add(idKey(nic.id));
              const p = parseArmId(nic.id);
              work.push(
                record("networkInterfaces.listEffectiveNetworkSecurityGroups", nic.id, () =>
                  awaitLro(
                    network.networkInterfaces.listEffectiveNetworkSecurityGroups(
                      p.resourceGroup ?? "",
                      nic.name,
                      pollOptions,
                    ) as unknown as Poller,
                    pollInterval,
                  ),
                ).then((rs) => {
                  const body = rs && lastOk(rs);
                  if (body && typeof body === "object" && Array.isArray((body as EffectiveNsgBody).value))
                    effective[nic.id] = body as EffectiveNsgBody;
                }),
              );
            }
            await Promise.all(work);
            lbsDone++;
            progress();
          }),
        );
        subsDone++;
        progress();
      }),
    );
  }

  const list = [...resources.values()];
  for (const r of list) stripSecrets(r);
  const snapshot: AzureSnapshot = {
    schema: "lbdoctor.snapshot/v1",
    provider: "azure",
    collectedAt: (opts.now?.() ?? new Date()).toISOString(),
    tool: { name: "lbdoctor", version: opts.toolVersion ?? "dev" },
    scope: {
      source: "resource-graph",
      ...(subscriptionIds.length === 1 ? { subscriptionId: subscriptionIds[0] } : {}),
      subscriptionIds,
      deep: opts.deep === true,
    },
    resources: list,
    observations: { ruleHealth, effectiveNetworkSecurityGroups: effective, guest: {} },
    gaps,
  };
  emit({ type: "done", calls, ms: performance.now() - started, resources: list.length, gaps: gaps.length });
  return snapshot;
}

/** Scale sets whose NICs are named by a load balancer's pool (pool entries point into the scale set). */
function scaleSetsInPools(resources: Map<string, ArmResource>): string[] {
  const out = new Map<string, string>();
  for (const r of resources.values()) {
    if (r.type !== "Microsoft.Network/loadBalancers") continue;
    for (const pool of (r.properties?.backendAddressPools ?? []) as Array<{
      properties?: { backendIPConfigurations?: Array<{ id?: string }> };
    }>) {
      for (const ref of pool.properties?.backendIPConfigurations ?? []) {
        const m = /^(.*?\/virtualMachineScaleSets\/[^/]+)\//i.exec(ref.id ?? "");
        if (m?.[1] && resources.has(idKey(m[1]))) out.set(idKey(m[1]), resources.get(idKey(m[1]))?.id ?? m[1]);
      }
    }
  }
  return [...out.values()];
}

/** The load balancers (idKey) whose pools a NIC's ip configurations name. */
function lbKeysOfNic(nic: ArmResource): string[] {
  const out = new Set<string>();
  for (const c of (nic.properties?.ipConfigurations ?? []) as Array<{
    properties?: { loadBalancerBackendAddressPools?: Array<{ id?: string }> };
  }>) {
    for (const p of c.properties?.loadBalancerBackendAddressPools ?? []) {
      const id = p.id ?? "";
      const i = id.toLowerCase().indexOf("/backendaddresspools/");
      if (i > 0) out.add(idKey(id.slice(0, i)));
    }
  }
  return [...out];
}
