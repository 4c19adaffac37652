/**
 * Live Azure collection through the official SDKs, recorded as wire JSON.
 *
 * The SDK drives every call (paging, long-running operations, retries with
 * Retry-After), but its deserializers flatten `properties` and drop unknown
 * fields, so the snapshot is built from what ARM actually sent: a pipeline
 * policy (`additionalPolicies`, perCall: after retries, every page and every
 * LRO poll) records each response body into the operation that caused it
 * (the shared WireRecorder in src/core/collect; the ARM plumbing both Azure
 * collectors use is in ./arm.ts).
 *
 * Phases, to keep the critical path short:
 *   1. every resource-group list call, in parallel;
 *   2. VMSS instances and NICs, and resources referenced from other resource
 *      groups, fetched by id; then the appliances the route tables' next hops
 *      name, looked for in the subnets that contain them (./next-hops.ts), and
 *      what those reference;
 *   3. the long-running observations (rule health, effective NSGs, guest
 *      checks), bounded.
 *
 * Concurrency bounds HTTP requests in flight (a pipeline policy, per attempt),
 * not operations: a long-running operation holds no slot while it waits for
 * its next poll, so thousands of effective-NSG LROs overlap their waits instead
 * of queueing behind 12 slots. LROs poll when the server's Retry-After says
 * (0: at once), and by the poll interval only when it says nothing.
 * A failure is a gap in the snapshot, never swallowed; only a missing
 * resource group or unusable credentials stop the run (exit 2).
 */

import type { ComputeManagementClient } from "@azure/arm-compute";
import type { NetworkManagementClient } from "@azure/arm-network";
import type { CollectEvent } from "../../../core/collect/events.ts";
import { InputError } from "../../../core/errors.ts";
import type { GuestObservation } from "../../../core/snapshot/types.ts";
import type { TimeWindow } from "../../../core/timeline/types.ts";
import { limiter } from "../../../core/util/limit.ts";
import { idKey, parseArmId } from "../arm-id.ts";
import type { ArmResource, AzureSnapshot, EffectiveNsgBody, RuleHealthBody } from "../wire-types.ts";
import {
  type ArmCollectorOptions,
  type ArmRunBase,
  addResources,
  armClientOptions,
  concurrencyPolicy,
  credentialsError,
  finishArmRun,
  type RestErrorLike,
  startArmRun,
} from "./arm.ts";
import { guestScript, parseGuestOutput } from "./guest.ts";
import { fetchNextHops } from "./next-hops.ts";
import { osTypeOf, poolMemberNics, referencedIds, typeOf } from "./resources.ts";

export { isAuthError } from "./arm.ts";
export { poolMemberNics, referencedIds } from "./resources.ts";
export type { CollectEvent };

export interface AzureCollectOptions extends ArmCollectorOptions {
  subscriptionId: string;
  resourceGroup: string;
  effectiveNsg?: boolean;
  /** probe health of every load-balancing rule (default true) */
  ruleHealth?: boolean;
  guest?: boolean;
  /** time data (metrics, resource changes, Activity Log) over this window; none when absent */
  window?: TimeWindow;
}

const NETWORK_LISTS = [
  ["loadBalancers", "loadBalancers.list"],
  ["networkInterfaces", "networkInterfaces.list"],
  ["networkSecurityGroups", "networkSecurityGroups.list"],
  ["virtualNetworks", "virtualNetworks.list"],
  ["routeTables", "routeTables.list"],
  ["publicIPAddresses", "publicIPAddresses.list"],
  ["applicationSecurityGroups", "applicationSecurityGroups.list"],
  ["natGateways", "natGateways.list"],
] as const;

/** What the phases share: the clients, the recorded calls, the resources so far. */
interface Run extends ArmRunBase<AzureCollectOptions> {
  network: NetworkManagementClient;
  /**
   * The network client of a resource's subscription (its id's): an SDK call binds its client's subscription, and a
   * reference may lead into another one (a gateway load balancer chained from another subscription)
   */
  networkOf: (id: string) => NetworkManagementClient;
  compute: ComputeManagementClient;
  /** the compute client of a resource's subscription (an appliance's VM may be in another one) */
  computeOf: (id: string) => ComputeManagementClient;
  /** the bound on HTTP requests in flight, shared by every client of the run */
  limit: <T>(task: () => Promise<T>) => Promise<T>;
  /** ids (keys) fetched by id so far, successfully or not: never asked again */
  tried: Set<string>;
  /** subnets (keys) searched for next hops so far (next-hops.ts) */
  hopSubnets: Set<string>;
}

/**
 * A resource group name ARM can hold: 1 to 90 letters, digits, underscores, hyphens, periods and parentheses, not
 * ending in a period (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
 * Anything else (a `/`, `..`, a space) would be sent as another path, or fail every list call: no run, exit 2.
 */
export function checkResourceGroupName(name: string): void {
  if (/^[-\p{L}\p{N}_.()]{1,90}$/u.test(name) && !name.endsWith(".")) return;
  const shown = JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
  throw new InputError(
    `${shown} is not a valid resource group name`,
    "A resource group name is 1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.' (az group list -o table).",
  );
}

export async function collectAzure(opts: AzureCollectOptions): Promise<AzureSnapshot> {
  checkResourceGroupName(opts.resourceGroup);
  const run = await startRun(opts);
  const { ledger } = run.calls;
  await listResourceGroup(run);
  ledger.throwIfFatal();
  throwIfNothingReadable(run);
  await listScaleSets(run);
  await fetchReferences(run);
  // the appliances route tables send traffic to, then what they reference; a route table that arrives that way (a hub's)
  // has its next hops looked for too, three passes at most
  for (let pass = 0; pass < 3 && (await fetchNextHops(run)); pass++) await fetchReferences(run);
  const [observations, time] = await Promise.all([observe(run), opts.window ? observeTime(run, opts.window) : undefined]);
  ledger.throwIfFatal();
  if (time) Object.assign(observations, time);
  return finishArmRun(run, { subscriptionId: opts.subscriptionId, resourceGroup: opts.resourceGroup }, observations);
}

async function startRun(opts: AzureCollectOptions): Promise<Run> {
  const base = startArmRun(opts, (operation, e) => fatalError(opts, operation, e));
  const limit = limiter(Math.max(1, opts.concurrency ?? 12));
  const [{ NetworkManagementClient }, { ComputeManagementClient }] = await Promise.all([
    import("@azure/arm-network"),
    import("@azure/arm-compute"),
  ]);
  const clientOptions = armClientOptions(opts, base.calls.recorder, [concurrencyPolicy(limit)]);
  /** One client per subscription, made on first use: a resource is read through the client of its id's subscription. */
  const perSubscription = <C>(make: (subscription: string) => C) => {
    const clients = new Map<string, C>();
    return (id: string): C => {
      const sub = parseArmId(id).subscriptionId ?? opts.subscriptionId;
      let client = clients.get(sub.toLowerCase());
      if (!client) clients.set(sub.toLowerCase(), (client = make(sub)));
      return client;
    };
  };
  const networkOf = perSubscription((sub) => new NetworkManagementClient(opts.credential, sub, clientOptions));
  const computeOf = perSubscription((sub) => new ComputeManagementClient(opts.credential, sub, clientOptions));
  const home = `/subscriptions/${opts.subscriptionId}`;
  const network = networkOf(home);
  const compute = computeOf(home);
  return {
    ...base,
    network,
    networkOf,
    compute,
    computeOf,
    limit,
    tried: new Set(),
    hopSubnets: new Set(),
  };
}

/** Failures the user must fix: unusable credentials, a resource group or subscription that does not exist. */
function fatalError(opts: AzureCollectOptions, operation: string, e: unknown): InputError | undefined {
  const err = e as RestErrorLike;
  // a token of another tenant's (a reference into a subscription of another tenant: ARM answers 401
  // InvalidAuthenticationTokenTenant) is a gap on that reference; only the group's own lists say the credentials are bad
  if (err.code === "InvalidAuthenticationTokenTenant" && !GROUP_LISTS.has(operation)) return undefined;
  const auth = credentialsError(operation, e, opts.endpoint);
  if (auth) return auth;
  // only the group's own lists say the group is missing: a resource it references may sit in a group that is gone (a gap)
  if (err.code === "ResourceGroupNotFound" && GROUP_LISTS.has(operation)) {
    return new InputError(
      `resource group '${opts.resourceGroup}' was not found in subscription ${opts.subscriptionId}`,
      "List them with `az group list -o table`.",
    );
  }
  // likewise the subscription: a reference may lead into another one that is not there (a gap)
  if ((err.code === "SubscriptionNotFound" || err.code === "InvalidSubscriptionId") && GROUP_LISTS.has(operation)) {
    return new InputError(
      `subscription '${opts.subscriptionId}' was not found or is not accessible`,
      "Check --subscription (az account list -o table).",
    );
  }
  return undefined;
}

/**
 * Every list of the resource group refused (403): these credentials cannot read it at all, which is the user's to
 * fix (exit 2), not a report whose every rule says unknown and exits 0. A refusal of some lists stays a gap.
 */
function throwIfNothingReadable(run: Run): void {
  const lists = NETWORK_LISTS.length + COMPUTE_LISTS;
  const rgScope = `/subscriptions/${run.opts.subscriptionId}/resourceGroups/${run.opts.resourceGroup}`;
  const refused = run.calls.ledger.gaps.filter((g) => g.status === 403 && g.resourceId === rgScope);
  if (refused.length < lists || run.resources.size > 0) return;
  throw new InputError(
    `not authorized to read resource group '${run.opts.resourceGroup}' in subscription ${run.opts.subscriptionId}: every list was refused (403 ${refused[0]?.code ?? "AuthorizationFailed"}: ${refused[0]?.message ?? ""})`,
    "lbdoctor needs Reader on the resource group (az role assignment list --assignee <you> --resource-group <group> -o table).",
  );
}

/** The compute lists `listResourceGroup` makes beside the network ones: VMs, availability sets, scale sets. */
const COMPUTE_LIST_OPERATIONS = ["virtualMachines.list", "availabilitySets.list", "virtualMachineScaleSets.list"] as const;
const COMPUTE_LISTS = COMPUTE_LIST_OPERATIONS.length;
/** Every list of the resource group (the operations `listResourceGroup` records). */
const GROUP_LISTS: ReadonlySet<string> = new Set([...NETWORK_LISTS.map(([, operation]) => operation), ...COMPUTE_LIST_OPERATIONS]);

/** 1. every resource-group list call, in parallel (NETWORK_LISTS, and the COMPUTE_LISTS compute ones) */
async function listResourceGroup(run: Run): Promise<void> {
  const { calls, network, compute } = run;
  const rg = run.opts.resourceGroup;
  run.emit({ type: "phase", name: "resource lists" });
  const rgScope = `/subscriptions/${run.opts.subscriptionId}/resourceGroups/${rg}`;
  const add = (items: ArmResource[] | undefined) => addResources(run.resources, items);
  const net = network as unknown as Record<string, { list(rg: string): unknown }>;
  await Promise.all([
    ...NETWORK_LISTS.map(([group, operation]) => calls.list(operation, rgScope, () => net[group]?.list(rg)).then(add)),
    calls.list("virtualMachines.list", rgScope, () => compute.virtualMachines.list(rg, { expand: "instanceView" })).then(add),
    calls.list("availabilitySets.list", rgScope, () => compute.availabilitySets.list(rg)).then(add),
    calls.list("virtualMachineScaleSets.list", rgScope, () => compute.virtualMachineScaleSets.list(rg)).then(add),
  ]);
}

/** 2a. scale-set instances and their NICs (not top-level resources) */
async function listScaleSets(run: Run): Promise<void> {
  const scaleSets = [...run.resources.values()].filter((r) => r.type.toLowerCase() === "microsoft.compute/virtualmachinescalesets");
  if (scaleSets.length > 0) run.emit({ type: "phase", name: "scale sets" });
  const add = (items: ArmResource[] | undefined) => addResources(run.resources, items);
  await Promise.all(
    scaleSets.flatMap((ss) =>
      run.calls.scaleSet(run.network, run.compute, { id: ss.id, resourceGroup: run.opts.resourceGroup, name: ss.name }, add),
    ),
  );
}

/** 2b. references into other resource groups, fetched by id until nothing new is referenced */
async function fetchReferences(run: Run): Promise<void> {
  const { networkOf, resources } = run;
  // each GET goes to the id's own subscription (networkOf), its resource group and name
  type Getter = (network: NetworkManagementClient, r: string, name: string) => Promise<unknown>;
  const getters: Record<string, [string, Getter]> = {
    "microsoft.network/virtualnetworks": ["virtualNetworks.get", (c, r, n) => c.virtualNetworks.get(r, n)],
    "microsoft.network/networksecuritygroups": ["networkSecurityGroups.get", (c, r, n) => c.networkSecurityGroups.get(r, n)],
    "microsoft.network/routetables": ["routeTables.get", (c, r, n) => c.routeTables.get(r, n)],
    "microsoft.network/publicipaddresses": ["publicIPAddresses.get", (c, r, n) => c.publicIPAddresses.get(r, n)],
    "microsoft.network/networkinterfaces": ["networkInterfaces.get", (c, r, n) => c.networkInterfaces.get(r, n)],
    "microsoft.network/applicationsecuritygroups": ["applicationSecurityGroups.get", (c, r, n) => c.applicationSecurityGroups.get(r, n)],
    "microsoft.network/loadbalancers": ["loadBalancers.get", (c, r, n) => c.loadBalancers.get(r, n)],
    "microsoft.network/natgateways": ["natGateways.get", (c, r, n) => c.natGateways.get(r, n)],
  };
  const { tried } = run;
  const group = `${idKey(`/subscriptions/${run.opts.subscriptionId}/resourceGroups/${run.opts.resourceGroup}`)}/`;
  const inGroup = (id: string) => idKey(id).startsWith(group);
  for (let round = 0; round < 4; round++) {
    const wanted = [...referencedIds(resources.values(), inGroup)].filter((id) => !resources.has(idKey(id)) && !tried.has(idKey(id)));
    const fetchable = wanted.filter((id) => getters[typeOf(id)]);
    if (fetchable.length === 0) break;
    if (round === 0) run.emit({ type: "phase", name: "cross-resource-group references" });
    await Promise.all(
      fetchable.map(async (id) => {
        tried.add(idKey(id));
        const p = parseArmId(id);
        const entry = getters[typeOf(id)];
        if (!entry || !p.resourceGroup) return;
        const [operation, getter] = entry;
        const rec = await run.calls.record(operation, id, () => getter(networkOf(id), p.resourceGroup as string, p.segments[1] ?? p.name));
        const body = rec?.filter((r) => r.status === 200 && r.body !== undefined).pop()?.body as ArmResource | undefined;
        if (body?.id) resources.set(idKey(body.id), body);
      }),
    );
    run.calls.ledger.throwIfFatal();
  }
}

/** 3b. time data over the window, beside the observations (src/providers/azure/collect/time.ts loads the Monitor SDK) */
async function observeTime(run: Run, window: TimeWindow): Promise<Partial<NonNullable<AzureSnapshot["observations"]>>> {
  const { collectAzureTime } = await import("./time.ts");
  const sub = run.opts.subscriptionId;
  const lbs = [...run.resources.values()].filter((r) => r.type.toLowerCase() === "microsoft.network/loadbalancers");
  return collectAzureTime({
    calls: run.calls,
    credential: run.opts.credential,
    settings: run.opts,
    perRetry: [concurrencyPolicy(run.limit)],
    subscriptionIds: [sub],
    resourceGroups: [`/subscriptions/${sub}/resourceGroups/${run.opts.resourceGroup}`],
    loadBalancers: lbs,
    window,
    emit: run.emit,
  });
}

/** 3. observations (long-running operations), bounded by the concurrency policy */
async function observe(run: Run): Promise<NonNullable<AzureSnapshot["observations"]>> {
  const { calls, networkOf, computeOf, opts } = run;
  const rg = opts.resourceGroup;
  run.emit({ type: "phase", name: "probe health and effective NSGs" });
  const ruleHealth: Record<string, RuleHealthBody> = {};
  const effective: Record<string, EffectiveNsgBody> = {};
  const guest: Record<string, GuestObservation> = {};
  const lbs = [...run.resources.values()].filter((r) => r.type.toLowerCase() === "microsoft.network/loadbalancers");
  const work: Array<Promise<void>> = [];
  // each in the resource's own subscription: a load balancer fetched by reference may be in another one
  if (opts.ruleHealth !== false) for (const lb of lbs) work.push(...calls.ruleHealth(networkOf(lb.id), lb, ruleHealth, rg));
  // effective NSGs and guest checks for the group's pool members only (its NICs, or its VMs' NICs), each through its
  // own subscription's client: a hub's appliances, fetched because the group's routes name them, are not the group's
  const group = `${idKey(`/subscriptions/${opts.subscriptionId}/resourceGroups/${rg}`)}/`;
  const members = poolMemberNics(run.resources, (id) => idKey(id).startsWith(group));
  if (opts.effectiveNsg !== false) {
    for (const nic of members.running) {
      if (/\/virtualMachineScaleSets\//i.test(nic.id)) continue; // the effective-NSG API takes top-level NICs only
      work.push(calls.effectiveNsg(networkOf(nic.id), nic, effective, rg));
    }
  }
  if (opts.guest) {
    for (const vm of members.runningVms) {
      if (vm.type.toLowerCase() !== "microsoft.compute/virtualmachines") continue;
      const script = guestScript(osTypeOf(vm));
      work.push(
        calls
          .lro("virtualMachines.runCommand", vm.id, (o) =>
            computeOf(vm.id).virtualMachines.runCommand(parseArmId(vm.id).resourceGroup ?? rg, vm.name, script, o),
          )
          .then((b) => {
            const message = (b as { value?: Array<{ message?: string }> } | undefined)?.value?.map((v) => v.message ?? "").join("\n");
            if (message !== undefined) guest[vm.id] = parseGuestOutput(message);
          }),
      );
    }
  }
  await Promise.all(work);
  return { ruleHealth, effectiveNetworkSecurityGroups: effective, guest };
}
