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
 *     within a per-subscription read budget (250 burst, 25/s by default);
 *   - time data (`--since`, `timeline`): each load balancer's metrics through
 *     ARM within the same per-subscription budget, the window's
 *     `resourcechanges` in one paced query over the subscriptions, and the
 *     Activity Log of each resource group that holds a load balancer or a
 *     pool member's NIC (time.ts).
 *
 * Throttling is planned, not discovered: queries are paced to the user quota
 * (15 per 5 s by default, and the `x-ms-user-quota-*` headers of each answer
 * are obeyed), ARM reads to a token bucket per subscription. A subscription
 * that cannot be read becomes a gap and the others go on: a 403, and one that
 * Resource Graph silently leaves out, found by listing the readable
 * subscriptions first (listReadable, unreadGaps); one read through some of its
 * resource groups only is a partial-view gap (partialGap).
 */

import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";
import type { CollectEvent } from "../../../core/collect/events.ts";
import type { FailureInfo } from "../../../core/collect/ledger.ts";
import { InputError } from "../../../core/errors.ts";
import type { TimeWindow } from "../../../core/timeline/types.ts";
import { limiter } from "../../../core/util/limit.ts";
import { idKey, parseArmId } from "../arm-id.ts";
import type { ArmResource, AzureSnapshot, EffectiveNsgBody, RuleHealthBody } from "../wire-types.ts";
import {
  type ArmCollectorOptions,
  type ArmRunBase,
  addResources,
  armClientOptions,
  credentialsError,
  describeRestError,
  finishArmRun,
  type RestErrorLike,
  restErrorDetails,
  startArmRun,
} from "./arm.ts";
import { lbKeysOfNic, poolMemberNics, scaleSetsInPools } from "./resources.ts";

export const GRAPH_TYPES = [
  "Microsoft.Network/loadBalancers",
  "Microsoft.Network/networkInterfaces",
  "Microsoft.Network/networkSecurityGroups",
  "Microsoft.Network/virtualNetworks",
  "Microsoft.Network/routeTables",
  "Microsoft.Network/publicIPAddresses",
  "Microsoft.Network/applicationSecurityGroups",
  "Microsoft.Network/natGateways",
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

/** The subscriptions the caller can read (all of them with --all-subscriptions, else among the asked ones). */
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

export interface GraphCollectOptions extends ArmCollectorOptions {
  /** the subscriptions to read; with allSubscriptions, every readable one */
  subscriptionIds?: string[];
  allSubscriptions?: boolean;
  /** rule health, effective NSGs and scale-set instances through ARM (concurrency bounds its ARM requests) */
  deep?: boolean;
  /** with deep: the members' effective NSGs too (default true; `--no-effective-nsg` turns them off, as on the resource-group path) */
  effectiveNsg?: boolean;
  budget?: Partial<Budget>;
  /** rows per page (Resource Graph allows 1000) */
  pageSize?: number;
  /** time data (metrics, resource changes, Activity Log) over this window; none when absent */
  window?: TimeWindow;
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

/** What the phases share. */
interface GraphRun extends ArmRunBase<GraphCollectOptions> {
  graph: ResourceGraphClient;
  pageSize: number;
  budget: Budget;
}

export async function collectAzureGraph(opts: GraphCollectOptions): Promise<AzureSnapshot> {
  const run = await startGraphRun(opts);
  const { emit, resources } = run;
  const { ledger } = run.calls;

  // 1. which subscriptions, and which of them the caller can read; 2. the resources of every asked one, 1000
  // subscriptions a query: the queries at once (each pages its $skipToken chain in turn; the pacer keeps them within
  // Resource Graph's quota), their rows in subscription order
  const resolved = await resolveSubscriptions(run);
  const { subscriptionIds } = resolved;
  const listing = resolved.listing ?? (await listReadable(run, subscriptionIds));
  emit({ type: "phase", name: "resource graph" });
  const batches: string[][] = [];
  for (let i = 0; i < subscriptionIds.length; i += 1000) batches.push(subscriptionIds.slice(i, i + 1000));
  const withRows = new Set<string>();
  for (const rows of await Promise.all(batches.map((batch) => queryResources(run, batch, listing.noValid)))) {
    for (const row of rows) {
      const r = rowToResource(row);
      if (r) withRows.add(subOf(r.id));
      if (r && !resources.has(idKey(r.id))) resources.set(idKey(r.id), r);
    }
  }
  // Resource Graph leaves out what the caller cannot read without an error: a subscription that is not listed as
  // readable and gave no row is a gap, not an empty subscription
  const unreadable = unreadGaps(run, subscriptionIds, listing, withRows);
  const ruleHealth: Record<string, RuleHealthBody> = {};
  const effective: Record<string, EffectiveNsgBody> = {};
  const progress = new GraphProgress(run, subscriptionIds, unreadable);
  const scaleSetsBehindPools = scaleSetsInPools(resources);
  if (!opts.deep) {
    for (const ss of scaleSetsBehindPools) {
      ledger.note({
        operation: "virtualMachineScaleSetVMs.list",
        resourceId: ss,
        message: "scale-set instances and their NICs are not in Resource Graph's Resources table; --deep lists them through ARM",
      });
    }
    progress.finish();
  } else {
    emit({ type: "phase", name: "rule health and effective NSGs (ARM)" });
    progress.report();
    await deepObservations(run, progress, scaleSetsBehindPools, { ruleHealth, effective });
  }

  const time = opts.window ? await graphTime(run, progress, opts.window) : {};

  const scope = {
    source: "resource-graph",
    ...(subscriptionIds.length === 1 ? { subscriptionId: subscriptionIds[0] } : {}),
    subscriptionIds,
    deep: opts.deep === true,
  };
  return finishArmRun(run, scope, { ruleHealth, effectiveNetworkSecurityGroups: effective, guest: {}, ...time });
}

async function startGraphRun(opts: GraphCollectOptions): Promise<GraphRun> {
  // a failed --deep call is a gap; credentials are checked by the queries before it
  const base = startArmRun(opts);
  const budget = { ...DEFAULT_BUDGET, ...opts.budget };
  const pacer = new QueryPacer(Math.max(1, budget.argQueries), Math.max(1, budget.argWindowMs));
  const pace: PipelinePolicy = {
    name: "lbdoctorGraphQuota",
    async sendRequest(request, next) {
      await pacer.acquire();
      const res = await next(request);
      pacer.observe(res);
      return res;
    },
  };
  const { ResourceGraphClient } = await import("@azure/arm-resourcegraph");
  const graph = new ResourceGraphClient(opts.credential, armClientOptions(opts, base.calls.recorder, [pace]));
  const pageSize = Math.min(1000, Math.max(1, opts.pageSize ?? 1000));
  return { ...base, graph, pageSize, budget };
}

const fatalGraphError = (run: GraphRun, e: unknown) => credentialsError("Resource Graph", e, run.opts.endpoint);

/** Runs a paged query over a set of subscriptions (all the caller can read when absent); throws on failure. */
async function query(
  run: GraphRun,
  text: string,
  subs: string[] | undefined,
  operation: string,
  top = run.pageSize,
): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  let skipToken: string | undefined;
  do {
    const res = await run.graph.resources({
      query: text,
      ...(subs ? { subscriptions: subs } : {}),
      options: { top, resultFormat: "objectArray", ...(skipToken ? { skipToken } : {}) },
    });
    run.emit({ type: "call", operation, calls: run.calls.recorder.calls });
    if (Array.isArray(res.data)) rows.push(...(res.data as Array<Record<string, unknown>>));
    skipToken = res.skipToken || undefined;
  } while (skipToken);
  return rows;
}

/** What the readable-subscriptions listing said (lower-cased ids). */
interface Listing {
  /** listed as readable */
  listed: Set<string>;
  /** refused by Resource Graph as holding none it can read (400 NoValidSubscriptionsInQueryRequest) */
  noValid: Set<string>;
  /** those the listing could not be asked about, and why */
  failed: Map<string, FailureInfo>;
}

/** Resource Graph's 400 for a request none of whose subscriptions the caller can read. */
function isNoValidSubscriptions(e: unknown): boolean {
  return (e as RestErrorLike).statusCode === 400 && restErrorDetails(e).some((d) => d.code === "NoValidSubscriptionsInQueryRequest");
}

/** A subscription id: a GUID (ARM names a subscription `/subscriptions/<guid>`). */
const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A subscription id as given, trimmed and without one pair of braces around it: Azure tools print a GUID as
 * `{00000000-…}` too, and ARM takes it bare.
 */
export function bareSubscriptionId(raw: string): string {
  const id = raw.trim();
  return id.length >= 2 && id.startsWith("{") && id.endsWith("}") ? id.slice(1, -1) : id;
}

/**
 * Refuses (InputError, exit 2) a value that is not a subscription id, naming it: a name such as `Prod-Sub` would
 * otherwise be sent on, and one bad value may make Resource Graph refuse the whole request of up to 1000
 * subscriptions. `flag`: how the caller gave the values (`--subscription`, or an environment variable such as
 * `AZURE_SUBSCRIPTION_ID`). Returns the ids trimmed and without braces (bareSubscriptionId), to pass on.
 */
export function checkSubscriptionIds(ids: string[], flag = "--subscription"): string[] {
  const out = ids.map(bareSubscriptionId);
  for (const [i, id] of out.entries()) {
    // an empty value is no subscription (the callers drop it); empty braces are a value that is not one
    if ((id === "" && ids[i]?.trim() === "") || SUBSCRIPTION_ID.test(id)) continue;
    const shown = JSON.stringify(id.length > 80 ? `${id.slice(0, 79)}…` : id);
    const example = "GUIDs such as 00000000-0000-0000-0000-000000000000";
    throw new InputError(
      flag.startsWith("--")
        ? `${flag} takes subscription ids (${example}), not names: ${shown} is not one`
        : `the environment variable ${flag} holds ${shown}, which is not a subscription id (${example}): set it to one, or pass --subscription <id>`,
      "`az account list --output table` lists the subscriptions you can use and their ids (SubscriptionId).",
    );
  }
  return out;
}

/**
 * The subscriptions to read, lower-cased and each once: those given, plus (--all-subscriptions) every one the caller
 * can read, the listing then already said (`listing`; undefined without --all-subscriptions).
 */
async function resolveSubscriptions(run: GraphRun): Promise<{ subscriptionIds: string[]; listing: Listing | undefined }> {
  const given = checkSubscriptionIds(run.opts.subscriptionIds ?? []);
  const subscriptionIds = new Set(given.map((s) => s.toLowerCase()).filter(Boolean));
  let listing: Listing | undefined;
  if (run.opts.allSubscriptions) {
    run.emit({ type: "phase", name: "subscriptions" });
    listing = { listed: new Set(), noValid: new Set(), failed: new Map() };
    try {
      const rows = await query(run, SUBSCRIPTIONS_QUERY, undefined, "resourceGraph.subscriptions");
      for (const r of rows) {
        if (typeof r.subscriptionId !== "string") continue;
        subscriptionIds.add(r.subscriptionId.toLowerCase());
        listing.listed.add(r.subscriptionId.toLowerCase());
      }
    } catch (e) {
      // none readable in the tenant: Resource Graph refuses the query rather than answering no row
      if (!isNoValidSubscriptions(e)) {
        throw (
          fatalGraphError(run, e) ?? new InputError(`cannot list the subscriptions through Resource Graph: ${describeRestError(e).message}`)
        );
      }
    }
    if (subscriptionIds.size === 0) {
      throw new InputError(
        "no subscription to read: Resource Graph lists none the credential can read",
        "Check the credential's role assignments (Reader on the subscriptions), or pass --subscription <id>.",
      );
    }
  }
  if (subscriptionIds.size === 0) {
    throw new InputError("no subscription to read", "Pass --subscription <id> (repeatable) or --all-subscriptions.");
  }
  return { subscriptionIds: [...subscriptionIds], listing };
}

/**
 * Which of the asked subscriptions the caller can read (`asked` lower-cased). Resource Graph answers only what the
 * caller can read and says nothing of the rest ("No results are returned if you don't have at least read
 * permissions", https://learn.microsoft.com/azure/governance/resource-graph/overview#permissions-in-azure-resource-graph),
 * so an unreadable subscription would look empty. Its `ResourceContainers` table holds the subscriptions
 * (`Microsoft.Resources/subscriptions`, https://learn.microsoft.com/azure/governance/resource-graph/concepts/query-language#resource-graph-tables),
 * trimmed the same way, so it lists the readable ones: one query per 1000 asked (none with --all-subscriptions, whose
 * listing already says it). The listing only informs the gaps (unreadGaps): every asked subscription is still queried,
 * since a principal with a role on a resource group only may read its resources without seeing the subscription
 * (such a subscription gets the partial-view gap, partialGap).
 *
 * A refusal naming subscriptions (403/404) marks those as not listed, and the listing is asked again without them; a
 * 400 NoValidSubscriptionsInQueryRequest says none of the batch is readable; any other failure leaves the batch
 * unknown (`failed`).
 */
async function listReadable(run: GraphRun, asked: string[]): Promise<Listing> {
  run.emit({ type: "phase", name: "subscriptions" });
  const listing: Listing = { listed: new Set(), noValid: new Set(), failed: new Map() };
  const batches: string[][] = [];
  for (let i = 0; i < asked.length; i += 1000) batches.push(asked.slice(i, i + 1000));
  await Promise.all(
    batches.map(async (first) => {
      let batch = first;
      while (batch.length > 0) {
        try {
          const rows = await query(run, SUBSCRIPTIONS_QUERY, batch, "resourceGraph.subscriptions", 1000);
          for (const r of rows) if (typeof r.subscriptionId === "string") listing.listed.add(r.subscriptionId.toLowerCase());
          return;
        } catch (e) {
          const fatal = fatalGraphError(run, e);
          if (fatal) throw fatal;
          if (isNoValidSubscriptions(e)) {
            for (const s of batch) listing.noValid.add(s);
            return;
          }
          const err = e as RestErrorLike;
          const info = describeRestError(e);
          const named =
            err.statusCode === 403 || err.statusCode === 404 ? subscriptionsIn(err.message).filter((s) => batch.includes(s)) : [];
          if (named.length === 0) {
            for (const s of batch) listing.failed.set(s, info);
            return;
          }
          for (const s of named) listing.failed.set(s, info);
          batch = batch.filter((x) => !named.includes(x));
        }
      }
    }),
  );
  return listing;
}

/**
 * Records a `resourceGraph.subscriptions` gap on `/subscriptions/<id>` (it covers every data key: nothing of the
 * subscription is known) for each asked subscription that is not listed as readable and gave no row, unless its
 * resources query already failed (that gap covers it). Returns those subscriptions (lower-cased). One not listed that
 * gave rows is read through some of its resource groups only: it gets the partial-view gap instead (partialGap) and
 * is not returned.
 */
function unreadGaps(run: GraphRun, asked: string[], listing: Listing, withRows: Set<string>): Set<string> {
  const operation = "resourceGraph.subscriptions";
  const { ledger } = run.calls;
  const failedResources = new Set(
    ledger.gaps.filter((g) => g.operation === "resourceGraph.resources").map((g) => subOf(g.resourceId ?? "")),
  );
  const out = new Set<string>();
  for (const s of asked) {
    if (failedResources.has(s)) continue;
    if (listing.listed.has(s) && !listing.noValid.has(s)) continue;
    if (withRows.has(s)) {
      // a listing that failed (a 5xx, throttling) says nothing of the credential's roles: rows make the subscription read
      if (!listing.failed.has(s)) partialGap(run, s);
      continue;
    }
    out.add(s);
    const failure = listing.noValid.has(s) ? undefined : listing.failed.get(s);
    if (failure) {
      ledger.note({
        operation,
        resourceId: `/subscriptions/${s}`,
        message: `Resource Graph could not list the subscriptions the credential can read (${failure.message}), and no resource was returned from this one: an empty subscription cannot be told from one the credential cannot read, whose resources Resource Graph leaves out without an error`,
        ...(failure.status === undefined ? {} : { status: failure.status }),
        ...(failure.code === undefined ? {} : { code: failure.code }),
      });
    } else {
      ledger.note({
        operation,
        resourceId: `/subscriptions/${s}`,
        message:
          "Resource Graph does not list this subscription among those the credential can read (it does not exist, or the credential holds no role on it), and no resource was returned from it: Resource Graph leaves out what the credential cannot read without an error, so its resources are unknown",
      });
    }
  }
  return out;
}

/** The operation of the gap on a subscription read through some of its resource groups only (gap-data.ts). */
export const PARTIAL_SUBSCRIPTION_OPERATION = "resourceGraph.resourceGroups";

/**
 * Records that subscription `s` returned rows without being listed as readable: the credential then holds roles on
 * some of its resource groups only (or a Lighthouse delegation of them), and Resource Graph leaves out the other
 * groups' resources without an error. The gap is on `/subscriptions/<id>` and concerns the subscription alone
 * (gap-data.ts): the load balancers that were read are diagnosed from their own data, while what a rule says of the
 * whole subscription ("nothing is wrong there", "no load balancer there") becomes unknown. Not when the listing itself
 * failed (unreadGaps): a failure to list says nothing of the credential's roles, and the subscription's rows came.
 */
function partialGap(run: GraphRun, s: string): void {
  const unseen =
    "load balancers and the resources they use in other resource groups were not seen (Resource Graph leaves out what the credential cannot read without an error); the load balancers that were read are checked as usual, but nothing can be said of the rest of the subscription";
  run.calls.ledger.note({
    operation: PARTIAL_SUBSCRIPTION_OPERATION,
    resourceId: `/subscriptions/${s}`,
    message: `Resource Graph returned resources from this subscription but does not list it among those the credential can read: the credential holds roles on some of its resource groups only, so ${unseen}`,
  });
}

/**
 * The resources query over a batch of subscriptions. A 403 names the
 * subscription it refused (ARM says `over scope '/subscriptions/<id>'`):
 * that one becomes a gap and the query runs again without it. When the
 * error names none, the batch is split in two until the culprit is alone.
 */
async function queryResources(run: GraphRun, subs: string[], noValid: Set<string>): Promise<Array<Record<string, unknown>>> {
  if (subs.length === 0) return [];
  const operation = "resourceGraph.resources";
  try {
    return await query(run, RESOURCES_QUERY, subs, operation);
  } catch (e) {
    const fatal = fatalGraphError(run, e);
    if (fatal) throw fatal;
    // none of them is readable: not a failure of the query, each is a resourceGraph.subscriptions gap (unreadGaps)
    if (isNoValidSubscriptions(e)) {
      for (const s of subs) noValid.add(s);
      return [];
    }
    const err = e as RestErrorLike;
    if (err.statusCode === 403 || err.statusCode === 404) {
      const named = subscriptionsIn(err.message).filter((s) => subs.some((x) => x.toLowerCase() === s));
      if (named.length > 0) {
        for (const s of named) run.calls.ledger.addGap(operation, e, `/subscriptions/${s}`);
        return queryResources(
          run,
          subs.filter((x) => !named.includes(x.toLowerCase())),
          noValid,
        );
      }
      if (subs.length === 1) {
        run.calls.ledger.addGap(operation, e, `/subscriptions/${subs[0]}`);
        return [];
      }
      const half = Math.ceil(subs.length / 2);
      const [first, second] = await Promise.all([
        queryResources(run, subs.slice(0, half), noValid),
        queryResources(run, subs.slice(half), noValid),
      ]);
      return [...first, ...second];
    }
    for (const s of subs) run.calls.ledger.addGap(operation, e, `/subscriptions/${s}`);
    return [];
  }
}

const subOf = (id: string) => (parseArmId(id).subscriptionId ?? "").toLowerCase();

/** How far along a wide scope is: subscriptions and load balancers done (those whose query failed count as done). */
class GraphProgress {
  subsDone: number;
  lbsDone = 0;
  readonly lbs: ArmResource[];
  /** the load balancers of each readable subscription */
  readonly lbsBySub = new Map<string, ArmResource[]>();
  private readonly run: GraphRun;
  private readonly subsTotal: number;
  /** `unread`: the subscriptions not queried (lower-cased), which count as done */
  constructor(run: GraphRun, subscriptionIds: string[], unread: Set<string>) {
    this.run = run;
    this.subsTotal = subscriptionIds.length;
    this.lbs = [...run.resources.values()].filter((r) => r.type === "Microsoft.Network/loadBalancers");
    const failedSubs = new Set([
      ...unread,
      ...run.calls.ledger.gaps.filter((g) => g.operation === "resourceGraph.resources").map((g) => subOf(g.resourceId ?? "")),
    ]);
    for (const s of subscriptionIds) if (!failedSubs.has(s.toLowerCase())) this.lbsBySub.set(s.toLowerCase(), []);
    for (const lb of this.lbs) this.lbsBySub.get(subOf(lb.id))?.push(lb);
    this.subsDone = failedSubs.size;
  }
  report(): void {
    this.run.emit({
      type: "progress",
      subscriptionsDone: this.subsDone,
      subscriptionsTotal: this.subsTotal,
      lbsDone: this.lbsDone,
      lbsTotal: this.lbs.length,
    });
  }
  finish(): void {
    this.subsDone = this.subsTotal;
    this.lbsDone = this.lbs.length;
    this.report();
  }
}

/** --deep: per subscription, the scale sets behind pools through ARM, then each load balancer's rule health and its members' effective NSGs. */
async function deepObservations(
  run: GraphRun,
  progress: GraphProgress,
  scaleSetsBehindPools: string[],
  sink: { ruleHealth: Record<string, RuleHealthBody>; effective: Record<string, EffectiveNsgBody> },
): Promise<void> {
  const { opts, resources } = run;
  const armBudget = new ArmBudget(Math.max(1, run.budget.armBurst), Math.max(0.1, run.budget.armPerSecond));
  const limit = limiter(Math.max(1, opts.concurrency ?? 12));
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
  const clientOptions = armClientOptions(opts, run.calls.recorder, [armPace]);
  const { calls } = run;

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
  const add = (items: ArmResource[] | undefined) => addResources(resources, items);
  await Promise.all(
    [...progress.lbsBySub].map(async ([sub, subLbs]) => {
      const network = new NetworkManagementClient(opts.credential, sub, clientOptions);
      const compute = new ComputeManagementClient(opts.credential, sub, clientOptions);
      // scale-set instances and NICs behind this subscription's pools
      await Promise.all(
        scaleSetsBehindPools
          .filter((ss) => subOf(ss) === sub)
          .flatMap((ss) => {
            const p = parseArmId(ss);
            return calls.scaleSet(network, compute, { id: ss, resourceGroup: p.resourceGroup ?? "", name: p.name }, add);
          }),
      );
      await Promise.all(
        subLbs.map(async (lb) => {
          const work = calls.ruleHealth(network, lb, sink.ruleHealth);
          for (const nic of opts.effectiveNsg === false ? [] : (runningByLb.get(idKey(lb.id)) ?? [])) {
            if (nicDone.has(idKey(nic.id))) continue;
            nicDone.add(idKey(nic.id));
            work.push(calls.effectiveNsg(network, nic, sink.effective));
          }
          await Promise.all(work);
          progress.lbsDone++;
          progress.report();
        }),
      );
      progress.subsDone++;
      progress.report();
    }),
  );
}

/** Time data over the readable subscriptions: metrics per load balancer (ARM, per-subscription budget), resource changes (paced queries), Activity Logs. */
async function graphTime(
  run: GraphRun,
  progress: GraphProgress,
  window: TimeWindow,
): Promise<Partial<NonNullable<AzureSnapshot["observations"]>>> {
  const armBudget = new ArmBudget(Math.max(1, run.budget.armBurst), Math.max(0.1, run.budget.armPerSecond));
  const limit = limiter(Math.max(1, run.opts.concurrency ?? 12));
  const armPace: PipelinePolicy = {
    name: "lbdoctorArmBudget",
    async sendRequest(request, next) {
      const sub = /\/subscriptions\/([^/?]+)/i.exec(new URL(request.url).pathname)?.[1]?.toLowerCase() ?? "";
      await armBudget.acquire(sub);
      return limit(() => next(request));
    },
  };
  const groups = new Set<string>();
  const rgOf = (id: string) => {
    const p = parseArmId(id);
    return p.subscriptionId && p.resourceGroup ? `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}` : undefined;
  };
  const nics = poolMemberNics(run.resources);
  for (const r of [...progress.lbs, ...nics.running, ...nics.runningVms]) {
    const rg = rgOf(r.id);
    if (rg) groups.add(rg);
  }
  const { collectAzureTime } = await import("./time.ts");
  return collectAzureTime({
    calls: run.calls,
    credential: run.opts.credential,
    settings: run.opts,
    perRetry: [armPace],
    subscriptionIds: [...progress.lbsBySub.keys()],
    graph: run.graph,
    resourceGroups: [...groups].sort(),
    loadBalancers: progress.lbs,
    window,
    emit: run.emit,
  });
}
