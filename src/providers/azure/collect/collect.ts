/**
 * Live Azure collection through the official SDKs, recorded as wire JSON.
 *
 * The SDK drives every call (paging, long-running operations, retries with
 * Retry-After), but its deserializers flatten `properties` and drop unknown
 * fields, so the snapshot is built from what ARM actually sent: a pipeline
 * policy (`additionalPolicies`, perCall: after retries, every page and every
 * LRO poll) records each response body into the operation that caused it,
 * tracked with AsyncLocalStorage.
 *
 * Phases, to keep the critical path short:
 *   1. every resource-group list call, in parallel;
 *   2. VMSS instances and NICs, and resources referenced from other resource
 *      groups, fetched by id;
 *   3. the long-running observations (rule health, effective NSGs, guest
 *      checks), bounded.
 *
 * Concurrency bounds HTTP requests in flight (a pipeline policy, per attempt),
 * not operations: a long-running operation holds no slot while it waits for
 * its next poll, so thousands of effective-NSG LROs overlap their waits instead
 * of queueing behind 12 slots. LROs wait one poll interval before their first
 * poll (the SDK polls at once after the 202, which a multi-second operation
 * never answers: one wasted call per LRO).
 * A failure is a gap in the snapshot, never swallowed; only a missing
 * resource group or unusable credentials stop the run (exit 2).
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import type { CollectEvent } from "../../../core/collect/events.ts";
import { InputError } from "../../../core/errors.ts";
import type { Gap, GuestObservation } from "../../../core/snapshot/types.ts";
import { limiter } from "../../../core/util/limit.ts";
import { stripSecrets } from "../../../core/util/secrets.ts";
import type { ArmResource, AzureSnapshot, EffectiveNsgBody, RuleHealthBody } from "../../../providers/azure/wire-types.ts";
import { idKey, parentResourceId, parseArmId } from "../arm-id.ts";
import { guestScript, parseGuestOutput } from "./guest.ts";
import { probedRules } from "./probed-rules.ts";

export type { CollectEvent };

export interface AzureCollectOptions {
  subscriptionId: string;
  resourceGroup: string;
  credential: TokenCredential;
  /** ARM endpoint (default https://management.azure.com); an emulator's URL in tests and demos */
  endpoint?: string;
  /** PEM to trust for the endpoint (the emulator's certificate) */
  ca?: string;
  /** HTTP requests in flight (default 12) */
  concurrency?: number;
  effectiveNsg?: boolean;
  /** probe health of every load-balancing rule (default true) */
  ruleHealth?: boolean;
  guest?: boolean;
  /** LRO poll interval (the SDK default is 2000 ms) */
  pollIntervalMs?: number;
  maxRetries?: number;
  retryDelayMs?: number;
  onEvent?: (e: CollectEvent) => void;
  toolVersion?: string;
  /** a clock for collectedAt (tests pin it) */
  now?: () => Date;
}

interface Recorded {
  status: number;
  body: unknown;
}
interface CallScope {
  responses: Recorded[];
}

type AnyPaged = { byPage(): AsyncIterable<unknown[]> };
type AnyPoller = { pollUntilDone(): Promise<unknown>; submitted?(): Promise<void>; readonly isDone?: boolean };

/**
 * Drives an SDK poller: the initial request, then one poll interval, then
 * polling until done. (pollUntilDone alone polls immediately after the 202.)
 */
export async function awaitLro(poller: AnyPoller, intervalMs: number): Promise<unknown> {
  if (poller.submitted) {
    await poller.submitted();
    if (poller.isDone !== true && intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
  }
  return poller.pollUntilDone();
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  name?: string;
}

const NETWORK_LISTS = [
  ["loadBalancers", "loadBalancers.list"],
  ["networkInterfaces", "networkInterfaces.list"],
  ["networkSecurityGroups", "networkSecurityGroups.list"],
  ["virtualNetworks", "virtualNetworks.list"],
  ["routeTables", "routeTables.list"],
  ["publicIPAddresses", "publicIPAddresses.list"],
  ["applicationSecurityGroups", "applicationSecurityGroups.list"],
] as const;

export function isAuthError(e: RestErrorLike): boolean {
  const name = e.name ?? "";
  return (
    name === "CredentialUnavailableError" ||
    name === "AuthenticationRequiredError" ||
    name === "AuthenticationError" ||
    name === "AggregateAuthenticationError" ||
    e.statusCode === 401 ||
    e.code === "InvalidAuthenticationToken" ||
    e.code === "ExpiredAuthenticationToken"
  );
}

export async function collectAzure(opts: AzureCollectOptions): Promise<AzureSnapshot> {
  const started = performance.now();
  const emit = opts.onEvent ?? (() => {});
  const als = new AsyncLocalStorage<CallScope>();
  let calls = 0;
  const recorder: PipelinePolicy = {
    name: "lbdoctorRecordWireJson",
    async sendRequest(request, next) {
      const response = await next(request);
      calls++;
      const scope = als.getStore();
      if (scope) {
        let body: unknown;
        const text = response.bodyAsText;
        if (text) {
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
        }
        scope.responses.push({ status: response.status, body });
      }
      return response;
    },
  };

  const limit = limiter(Math.max(1, opts.concurrency ?? 12));
  const throttle: PipelinePolicy = {
    name: "lbdoctorConcurrency",
    sendRequest: (request, next) => limit(() => next(request)),
  };

  const [{ NetworkManagementClient }, { ComputeManagementClient }] = await Promise.all([
    import("@azure/arm-network"),
    import("@azure/arm-compute"),
  ]);
  const clientOptions = {
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.ca ? { tlsOptions: { ca: opts.ca } } : {}),
    additionalPolicies: [
      { policy: recorder, position: "perCall" as const },
      { policy: throttle, position: "perRetry" as const },
    ],
    retryOptions: { maxRetries: opts.maxRetries ?? 3, ...(opts.retryDelayMs !== undefined ? { retryDelayInMs: opts.retryDelayMs } : {}) },
    userAgentOptions: { userAgentPrefix: `lbdoctor/${opts.toolVersion ?? "dev"}` },
  };
  const network = new NetworkManagementClient(opts.credential, opts.subscriptionId, clientOptions);
  const compute = new ComputeManagementClient(opts.credential, opts.subscriptionId, clientOptions);
  const rg = opts.resourceGroup;
  const gaps: Gap[] = [];
  const resources = new Map<string, ArmResource>();
  const ruleHealth: Record<string, RuleHealthBody> = {};
  const effective: Record<string, EffectiveNsgBody> = {};
  const guest: Record<string, GuestObservation> = {};
  const pollInterval = opts.pollIntervalMs ?? 1000;
  const pollOptions = { updateIntervalInMs: pollInterval };
  let fatal: InputError | undefined;

  const addGap = (operation: string, e: unknown, resourceId?: string) => {
    const err = e as RestErrorLike;
    const gap: Gap = { operation, message: (err.message ?? String(e)).split("\n")[0] ?? "failed" };
    if (resourceId) gap.resourceId = resourceId;
    if (err.statusCode) gap.status = err.statusCode;
    if (err.code) gap.code = err.code;
    gaps.push(gap);
    emit({ type: "gap", gap });
  };

  const checkFatal = (operation: string, e: unknown) => {
    const err = e as RestErrorLike;
    if (isAuthError(err)) {
      fatal ??= new InputError(
        `Azure rejected the credentials (${operation}): ${(err.message ?? "").split("\n")[0]}`,
        opts.endpoint
          ? "The emulator accepts any bearer token unless started with --token."
          : "Sign in with `az login` (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET), and check --tenant.",
      );
      return true;
    }
    if (err.code === "ResourceGroupNotFound") {
      fatal ??= new InputError(
        `resource group '${rg}' was not found in subscription ${opts.subscriptionId}`,
        "List them with `az group list -o table`.",
      );
      return true;
    }
    if (err.code === "SubscriptionNotFound" || err.code === "InvalidSubscriptionId") {
      fatal ??= new InputError(
        `subscription '${opts.subscriptionId}' was not found or is not accessible`,
        "Check --subscription (az account list -o table).",
      );
      return true;
    }
    return false;
  };

  /** Runs one SDK call inside a recording scope; returns the recorded responses, or undefined after recording a gap. */
  const record = async (
    operation: string,
    resourceId: string | undefined,
    run: () => Promise<unknown>,
  ): Promise<Recorded[] | undefined> => {
    const scope: CallScope = { responses: [] };
    try {
      await als.run(scope, run);
      emit({ type: "call", operation, calls });
      return scope.responses;
    } catch (e) {
      if (!checkFatal(operation, e)) addGap(operation, e, resourceId);
      return undefined;
    }
  };

  const drain = (paged: AnyPaged) => async () => {
    for await (const _page of paged.byPage()) {
      // the pages' wire bodies are in the recording scope
    }
  };

  const addList = (recorded: Recorded[] | undefined) => {
    for (const r of recorded ?? []) {
      const value = (r.body as { value?: unknown } | undefined)?.value;
      if (r.status >= 200 && r.status < 300 && Array.isArray(value)) {
        for (const item of value as ArmResource[])
          if (item && typeof item.id === "string" && !resources.has(idKey(item.id))) resources.set(idKey(item.id), item);
      }
    }
  };

  const lastBody = (recorded: Recorded[] | undefined): unknown => {
    const ok = (recorded ?? []).filter((r) => r.status === 200 && r.body !== undefined);
    return ok[ok.length - 1]?.body;
  };

  const rgScope = `/subscriptions/${opts.subscriptionId}/resourceGroups/${rg}`;

  // 1. lists, in parallel
  emit({ type: "phase", name: "resource lists" });
  const lists: Array<Promise<void>> = [];
  const net = network as unknown as Record<string, { list(rg: string): AnyPaged }>;
  for (const [group, operation] of NETWORK_LISTS) {
    lists.push(record(operation, rgScope, drain(net[group]?.list(rg) as AnyPaged)).then(addList));
  }
  lists.push(
    record(
      "virtualMachines.list",
      rgScope,
      drain(compute.virtualMachines.list(rg, { expand: "instanceView" }) as unknown as AnyPaged),
    ).then(addList),
  );
  lists.push(record("availabilitySets.list", rgScope, drain(compute.availabilitySets.list(rg) as unknown as AnyPaged)).then(addList));
  const vmssList = record("virtualMachineScaleSets.list", rgScope, drain(compute.virtualMachineScaleSets.list(rg) as unknown as AnyPaged));
  lists.push(vmssList.then(addList));
  await Promise.all(lists);
  if (fatal) throw fatal;

  // 2a. scale-set instances and their NICs (not top-level resources)
  const scaleSets = [...resources.values()].filter((r) => r.type.toLowerCase() === "microsoft.compute/virtualmachinescalesets");
  if (scaleSets.length > 0) emit({ type: "phase", name: "scale sets" });
  await Promise.all(
    scaleSets.flatMap((ss) => [
      record(
        "virtualMachineScaleSetVMs.list",
        ss.id,
        drain(compute.virtualMachineScaleSetVMs.list(rg, ss.name, { expand: "instanceView" }) as unknown as AnyPaged),
      ).then(addList),
      record(
        "networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces",
        ss.id,
        drain(network.networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces(rg, ss.name) as unknown as AnyPaged),
      ).then(addList),
    ]),
  );

  // 2b. references into other resource groups, fetched by id until nothing new is referenced
  const getters: Record<string, [string, (r: string, name: string) => Promise<unknown>]> = {
    "microsoft.network/virtualnetworks": ["virtualNetworks.get", (r, n) => network.virtualNetworks.get(r, n)],
    "microsoft.network/networksecuritygroups": ["networkSecurityGroups.get", (r, n) => network.networkSecurityGroups.get(r, n)],
    "microsoft.network/routetables": ["routeTables.get", (r, n) => network.routeTables.get(r, n)],
    "microsoft.network/publicipaddresses": ["publicIPAddresses.get", (r, n) => network.publicIPAddresses.get(r, n)],
    "microsoft.network/networkinterfaces": ["networkInterfaces.get", (r, n) => network.networkInterfaces.get(r, n)],
    "microsoft.network/applicationsecuritygroups": ["applicationSecurityGroups.get", (r, n) => network.applicationSecurityGroups.get(r, n)],
    "microsoft.network/loadbalancers": ["loadBalancers.get", (r, n) => network.loadBalancers.get(r, n)],
  };
  const tried = new Set<string>();
  for (let round = 0; round < 4; round++) {
    const wanted = [...referencedIds(resources.values())].filter((id) => !resources.has(idKey(id)) && !tried.has(idKey(id)));
    const fetchable = wanted.filter((id) => getters[typeOf(id)]);
    if (fetchable.length === 0) break;
    if (round === 0) emit({ type: "phase", name: "cross-resource-group references" });
    await Promise.all(
      fetchable.map(async (id) => {
        tried.add(idKey(id));
        const p = parseArmId(id);
        const entry = getters[typeOf(id)];
        if (!entry || !p.resourceGroup) return;
        const [operation, getter] = entry;
        const rec = await record(operation, id, () => getter(p.resourceGroup as string, p.segments[1] ?? p.name));
        const body = lastBody(rec) as ArmResource | undefined;
        if (body?.id) resources.set(idKey(body.id), body);
      }),
    );
    if (fatal) throw fatal;
  }

  // 3. observations (long-running operations), bounded
  emit({ type: "phase", name: "probe health and effective NSGs" });
  const lbs = [...resources.values()].filter((r) => r.type.toLowerCase() === "microsoft.network/loadbalancers");
  const obs: Array<Promise<void>> = [];
  for (const lb of opts.ruleHealth === false ? [] : lbs) {
    const lbRg = parseArmId(lb.id).resourceGroup ?? rg;
    for (const { id: ruleId, name: ruleName } of probedRules(lb)) {
      obs.push(
        record("loadBalancerLoadBalancingRules.health", ruleId, () =>
          awaitLro(
            network.loadBalancerLoadBalancingRules.health(lbRg, lb.name, ruleName, pollOptions) as unknown as AnyPoller,
            pollInterval,
          ),
        ).then((rec) => {
          const body = lastBody(rec);
          if (body && typeof body === "object") ruleHealth[ruleId] = body as RuleHealthBody;
        }),
      );
    }
  }
  const members = poolMemberNics(resources);
  if (opts.effectiveNsg !== false) {
    for (const nic of members.running) {
      const p = parseArmId(nic.id);
      if (/\/virtualMachineScaleSets\//i.test(nic.id)) continue; // the effective-NSG API takes top-level NICs only
      obs.push(
        record("networkInterfaces.listEffectiveNetworkSecurityGroups", nic.id, () =>
          awaitLro(
            network.networkInterfaces.listEffectiveNetworkSecurityGroups(
              p.resourceGroup ?? rg,
              nic.name,
              pollOptions,
            ) as unknown as AnyPoller,
            pollInterval,
          ),
        ).then((rec) => {
          const body = lastBody(rec);
          if (body && typeof body === "object" && Array.isArray((body as EffectiveNsgBody).value))
            effective[nic.id] = body as EffectiveNsgBody;
        }),
      );
    }
  }
  if (opts.guest) {
    for (const vm of members.runningVms) {
      if (vm.type.toLowerCase() !== "microsoft.compute/virtualmachines") continue;
      const p = parseArmId(vm.id);
      const script = guestScript(osTypeOf(vm));
      obs.push(
        record("virtualMachines.runCommand", vm.id, () =>
          awaitLro(
            compute.virtualMachines.runCommand(p.resourceGroup ?? rg, vm.name, script, pollOptions) as unknown as AnyPoller,
            pollInterval,
          ),
        ).then((rec) => {
          const body = lastBody(rec) as { value?: Array<{ message?: string }> } | undefined;
          const message = body?.value?.map((v) => v.message ?? "").join("\n");
          if (message !== undefined) guest[vm.id] = parseGuestOutput(message);
        }),
      );
    }
  }
  await Promise.all(obs);
  if (fatal) throw fatal;

  const list = [...resources.values()];
  for (const r of list) stripSecrets(r);
  const snapshot: AzureSnapshot = {
    schema: "lbdoctor.snapshot/v1",
    provider: "azure",
    collectedAt: (opts.now?.() ?? new Date()).toISOString(),
    tool: { name: "lbdoctor", version: opts.toolVersion ?? "dev" },
    scope: { subscriptionId: opts.subscriptionId, resourceGroup: rg },
    resources: list,
    observations: { ruleHealth, effectiveNetworkSecurityGroups: effective, guest },
    gaps,
  };
  for (const o of Object.values(guest)) stripSecrets(o);
  emit({ type: "done", calls, ms: performance.now() - started, resources: list.length, gaps: gaps.length });
  return snapshot;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function typeOf(id: string): string {
  const p = parseArmId(id);
  return `${p.provider ?? ""}/${p.segments[0] ?? ""}`.toLowerCase();
}

function osTypeOf(vm: ArmResource): "Linux" | "Windows" {
  const os = (vm.properties as { storageProfile?: { osDisk?: { osType?: string } } } | undefined)?.storageProfile?.osDisk?.osType;
  return os?.toLowerCase() === "windows" ? "Windows" : "Linux";
}

/** Every top-level resource id referenced from the collected resources that the model needs. */
export function referencedIds(resources: Iterable<ArmResource>): Set<string> {
  const out = new Set<string>();
  const add = (id: unknown) => {
    if (typeof id !== "string" || !id.startsWith("/")) return;
    const top = parentResourceId(id);
    if (/\/virtualMachineScaleSets\//i.test(top)) return;
    out.add(top);
  };
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
      return;
    }
    if (v === null || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (REF_KEYS.has(key) && typeof o.id === "string") add(o.id);
    for (const [k, x] of Object.entries(o)) if (typeof x === "object") walk(x, k);
  };
  for (const r of resources) walk(r.properties, "properties");
  return out;
}

/** The reference fields that point at resources the model resolves. */
const REF_KEYS = new Set([
  "subnet",
  "networkSecurityGroup",
  "routeTable",
  "publicIPAddress",
  "backendIPConfigurations",
  "applicationSecurityGroups",
  "sourceApplicationSecurityGroups",
  "destinationApplicationSecurityGroups",
  "networkInterfaces",
]);

/** NICs that are pool members, split by whether their VM runs (effective NSGs and guest checks need a running VM). */
export function poolMemberNics(resources: Map<string, ArmResource>): { running: ArmResource[]; runningVms: ArmResource[] } {
  const memberNicKeys = new Set<string>();
  for (const r of resources.values()) {
    if (r.type.toLowerCase() !== "microsoft.network/loadbalancers") continue;
    for (const pool of arr(r.properties?.backendAddressPools)) {
      for (const ref of arr((pool as { properties?: { backendIPConfigurations?: unknown } }).properties?.backendIPConfigurations)) {
        const id = (ref as { id?: string }).id;
        if (id) memberNicKeys.add(idKey(id.slice(0, id.toLowerCase().lastIndexOf("/ipconfigurations/"))));
      }
    }
  }
  const running: ArmResource[] = [];
  const runningVms = new Map<string, ArmResource>();
  for (const key of memberNicKeys) {
    const nic = resources.get(key);
    if (!nic) continue;
    const vmId =
      (nic.properties as { virtualMachine?: { id?: string } } | undefined)?.virtualMachine?.id ??
      (key.includes("/virtualmachinescalesets/") ? key.slice(0, key.indexOf("/networkinterfaces/")) : undefined);
    const vm = vmId ? resources.get(idKey(vmId)) : undefined;
    const statuses =
      (vm?.properties as { instanceView?: { statuses?: Array<{ code?: string }> } } | undefined)?.instanceView?.statuses ?? [];
    const isRunning = statuses.some((s) => s.code?.toLowerCase() === "powerstate/running");
    if (isRunning && vm) {
      running.push(nic);
      runningVms.set(idKey(vm.id), vm);
    }
  }
  return { running, runningVms: [...runningVms.values()] };
}
