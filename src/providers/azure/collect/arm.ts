/**
 * The ARM plumbing both Azure collectors share (the resource-group path in
 * collect.ts and Resource Graph's `--deep` in arg.ts): the pipeline policy
 * that records wire JSON, the client options, error classification, paged
 * lists, and the long-running observations (rule health, effective NSGs),
 * polled by the server's Retry-After.
 */
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { NetworkManagementClient } from "@azure/arm-network";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import type { CollectEvent, CollectorOptions } from "../../../core/collect/events.ts";
import { CallLedger, type FailureInfo, type LedgerOptions } from "../../../core/collect/ledger.ts";
import { type DrivablePoller, driveLro } from "../../../core/collect/lro.ts";
import { drain } from "../../../core/collect/paging.ts";
import { lastOkBody, listedValues, type Recorded, retryAfterMs, WireRecorder } from "../../../core/collect/wire-recorder.ts";
import { InputError } from "../../../core/errors.ts";
import { stripSecrets } from "../../../core/util/secrets.ts";
import { idKey, parseArmId } from "../arm-id.ts";
import type { ArmResource, AzureSnapshot, EffectiveNsgBody, RuleHealthBody } from "../wire-types.ts";
import { probedRules } from "./probed-rules.ts";

export interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  name?: string;
}

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

/** ARM's own error message in a failed response (`{"error":{"code","message"}}`), if the error carries it. */
function armErrorMessage(err: { details?: unknown; response?: { bodyAsText?: string | null | undefined } }): string | undefined {
  const fromBody = (body: unknown) => {
    const m = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
    return typeof m === "string" && m.trim() ? m.trim() : undefined;
  };
  const details = fromBody(err.details);
  if (details) return details;
  try {
    return fromBody(JSON.parse(err.response?.bodyAsText ?? ""));
  } catch {
    return undefined;
  }
}

/** The `error.details[]` of a failed response (`[{ code, message }]`), from the parsed or the raw body; [] when none. */
export function restErrorDetails(e: unknown): Array<{ code: string; message: string }> {
  const err = e as { details?: unknown; response?: { parsedBody?: unknown; bodyAsText?: string | null | undefined } };
  const fromBody = (body: unknown) => {
    const list = (body as { error?: { details?: unknown } } | undefined)?.error?.details;
    if (!Array.isArray(list)) return [];
    return list
      .filter((d): d is { code: string; message?: unknown } => typeof (d as { code?: unknown })?.code === "string")
      .map((d) => ({ code: d.code, message: typeof d.message === "string" ? d.message : "" }));
  };
  for (const body of [err.details, err.response?.parsedBody]) {
    const got = fromBody(body);
    if (got.length > 0) return got;
  }
  try {
    return fromBody(JSON.parse(err.response?.bodyAsText ?? ""));
  } catch {
    return [];
  }
}

/**
 * A gap's message, status and code for an SDK error. A failed page says only "Pagination failed with unexpected
 * statusCode 403": ARM's own message (which permission on which scope) is taken from the response instead. Resource
 * Graph's 400 says only "Please provide below info when asking for support: timestamp = …, correlationId = …." and
 * gives the reason in `error.details`: the first detail's code and message are taken instead.
 */
export function describeRestError(e: unknown): FailureInfo {
  const err = e as RestErrorLike & { details?: unknown; response?: { bodyAsText?: string | null | undefined } };
  const clip = (s: string) => (s.length > 500 ? `${s.slice(0, 499)}…` : s);
  let message = (err.message ?? String(e)).split("\n")[0] ?? "failed";
  if (/^Pagination failed with unexpected status/i.test(message)) {
    const arm = armErrorMessage(err)?.split("\n")[0];
    if (arm) message = clip(arm);
  }
  if (/^Please provide below info when asking for support/i.test(message)) {
    const detail = restErrorDetails(err)[0];
    if (detail?.message) return { message: clip(detail.message.split("\n")[0] ?? ""), status: err.statusCode, code: detail.code };
  }
  return { message, status: err.statusCode, code: err.code };
}

/** The InputError for unusable credentials, or undefined when the error is something else. */
export function credentialsError(where: string, e: unknown, endpoint: string | undefined): InputError | undefined {
  const err = e as RestErrorLike;
  if (!isAuthError(err)) return undefined;
  return new InputError(
    `Azure rejected the credentials (${where}): ${(err.message ?? "").split("\n")[0]}`,
    endpoint
      ? "The emulator accepts any bearer token unless started with --token."
      : "Sign in with `az login` (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET), and check --tenant.",
  );
}

/** A perCall pipeline policy: every response (after retries; every page and every LRO poll) goes to the recorder. */
export function recorderPolicy(recorder: WireRecorder): PipelinePolicy {
  return {
    name: "lbdoctorRecordWireJson",
    async sendRequest(request, next) {
      const response = await next(request);
      recorder.capture(response.status, response.bodyAsText ?? undefined, (h) => response.headers.get(h));
      return response;
    },
  };
}

/** A perRetry pipeline policy: every HTTP attempt waits for a slot of the limiter (LROs hold none between polls). */
export function concurrencyPolicy(limit: <T>(task: () => Promise<T>) => Promise<T>): PipelinePolicy {
  return { name: "lbdoctorConcurrency", sendRequest: (request, next) => limit(() => next(request)) };
}

/** A perRetry pipeline policy: an attempt that gets no answer within `ms` is aborted (the SDK has no timeout of its own). */
export function timeoutPolicy(ms: number): PipelinePolicy {
  return {
    name: "lbdoctorRequestTimeout",
    sendRequest: (request, next) => {
      if (!(request.timeout > 0)) request.timeout = ms;
      return next(request);
    },
  };
}

/** The longest server-asked wait (429/503 Retry-After) a call sits out before it retries; longer, and the call is a gap at once. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A perRetry pipeline policy: a 429 or 503 whose Retry-After asks for more than `maxMs` fails the call at once (a
 * gap that says how long ARM asked to wait) instead of the SDK sleeping that long before each of its retries, which
 * stalled the whole collection, silently, for as long as ARM asked (an hour's Retry-After, three retries: three hours).
 */
export function retryAfterCapPolicy(maxMs: number): PipelinePolicy {
  return {
    name: "lbdoctorRetryAfterCap",
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const waitMs = retryAfterMs((h) => response.headers.get(h));
      if (waitMs === undefined || waitMs <= maxMs) return response;
      let code: string | undefined;
      try {
        code = (JSON.parse(response.bodyAsText ?? "") as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      // no `response` on the error: the SDK's retry strategies then throw it rather than wait
      throw Object.assign(
        new Error(
          `${response.status === 429 ? "throttled" : "unavailable"}: ARM asked to wait ${Math.ceil(waitMs / 1000)} s before retrying, longer than lbdoctor waits (${Math.ceil(maxMs / 1000)} s); try again later or with a lower --concurrency`,
        ),
        {
          name: "RetryAfterTooLong",
          statusCode: response.status,
          code: code ?? (response.status === 429 ? "TooManyRequests" : "ServiceUnavailable"),
        },
      );
    },
  };
}

export interface ArmClientSettings {
  /** ARM endpoint (default https://management.azure.com); an emulator's URL in tests and demos */
  endpoint?: string | undefined;
  /** PEM to trust for the endpoint (the emulator's certificate) */
  ca?: string | undefined;
  maxRetries?: number | undefined;
  retryDelayMs?: number | undefined;
  /** Each HTTP attempt ends within this (default 60 s); a call that runs out is a gap, never a hang. */
  requestTimeoutMs?: number | undefined;
  /** Each long-running operation ends within this, polls included (default 300 s); one that runs out is a gap, never a hang. */
  lroTimeoutMs?: number | undefined;
  /** The longest Retry-After a throttled call waits out (default MAX_RETRY_AFTER_MS); a longer one makes it a gap at once. */
  maxRetryAfterMs?: number | undefined;
  toolVersion?: string | undefined;
}

/** What both Azure collectors take. */
export interface ArmCollectorOptions extends CollectorOptions, ArmClientSettings {
  credential: TokenCredential;
  /** the wait between LRO polls when the server sends no Retry-After (default 1000 ms) */
  pollIntervalMs?: number;
}

/** What the phases of either Azure collector share. */
export interface ArmRunBase<O extends ArmCollectorOptions> {
  opts: O;
  emit: (e: CollectEvent) => void;
  /** the recorded calls and their gaps */
  calls: ArmCalls;
  resources: Map<string, ArmResource>;
  /** performance.now() at the start */
  started: number;
}

/** Starts a run: the wire recorder (which counts the calls), the ledger of gaps, the empty resource map. */
export function startArmRun<O extends ArmCollectorOptions>(opts: O, fatal?: LedgerOptions["fatal"]): ArmRunBase<O> {
  const emit = opts.onEvent ?? (() => {});
  const recorder = new WireRecorder();
  const ledger = new CallLedger({ emit, calls: () => recorder.calls, describe: describeRestError, ...(fatal ? { fatal } : {}) });
  return {
    opts,
    emit,
    calls: new ArmCalls(recorder, ledger, opts.pollIntervalMs ?? 1000, opts.lroTimeoutMs),
    resources: new Map(),
    started: performance.now(),
  };
}

/** The snapshot of a run: secrets stripped from every resource and observation, then the `done` event. */
export function finishArmRun(
  run: ArmRunBase<ArmCollectorOptions>,
  scope: AzureSnapshot["scope"],
  observations: NonNullable<AzureSnapshot["observations"]>,
): AzureSnapshot {
  const list = [...run.resources.values()];
  for (const r of list) stripSecrets(r);
  for (const o of Object.values(observations.guest ?? {})) stripSecrets(o);
  const { gaps } = run.calls.ledger;
  const snapshot: AzureSnapshot = {
    schema: "lbdoctor.snapshot/v1",
    provider: "azure",
    collectedAt: (run.opts.now?.() ?? new Date()).toISOString(),
    tool: { name: "lbdoctor", version: run.opts.toolVersion ?? "dev" },
    scope,
    resources: list,
    observations,
    gaps,
  };
  const ms = performance.now() - run.started;
  run.emit({ type: "done", calls: run.calls.recorder.calls, ms, resources: list.length, gaps: gaps.length });
  return snapshot;
}

/**
 * The options of every ARM / Resource Graph client: endpoint, pinned CA,
 * retries, user agent; the recorder sees each call once (perCall), the
 * other policies each attempt (perRetry).
 */
export function armClientOptions(s: ArmClientSettings, recorder: WireRecorder, perRetry: PipelinePolicy[]) {
  return {
    ...baseClientOptions(s),
    additionalPolicies: [
      { policy: recorderPolicy(recorder), position: "perCall" as const },
      { policy: timeoutPolicy(s.requestTimeoutMs ?? 60_000), position: "perRetry" as const },
      { policy: retryAfterCapPolicy(s.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS), position: "perRetry" as const },
      ...perRetry.map((policy) => ({ policy, position: "perRetry" as const })),
    ],
  };
}

function baseClientOptions(s: ArmClientSettings) {
  return {
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...(s.ca ? { tlsOptions: { ca: s.ca } } : {}),
    retryOptions: { maxRetries: s.maxRetries ?? 3, ...(s.retryDelayMs !== undefined ? { retryDelayInMs: s.retryDelayMs } : {}) },
    userAgentOptions: { userAgentPrefix: `lbdoctor/${s.toolVersion ?? "dev"}` },
  };
}

type AnyPaged = { byPage(): AsyncIterable<unknown[]> };

/** One collection's calls: each is recorded (its wire JSON kept) and, when it fails, becomes a gap in the ledger. */
export class ArmCalls {
  readonly recorder: WireRecorder;
  readonly ledger: CallLedger;
  /** the wait between LRO polls when the server gives no Retry-After */
  readonly pollIntervalMs: number;
  /** the bound on one long-running operation (undefined: driveLro's default) */
  readonly lroTimeoutMs: number | undefined;
  constructor(recorder: WireRecorder, ledger: CallLedger, pollIntervalMs: number, lroTimeoutMs?: number) {
    this.recorder = recorder;
    this.ledger = ledger;
    this.pollIntervalMs = pollIntervalMs;
    this.lroTimeoutMs = lroTimeoutMs;
  }

  /** Runs one SDK call inside a recording scope; the recorded responses, or undefined after recording a gap. */
  record(operation: string, resourceId: string | undefined, run: () => Promise<unknown>): Promise<Recorded[] | undefined> {
    return this.ledger.run(operation, resourceId, () =>
      this.recorder.within(async (scope) => {
        try {
          return await run();
        } catch (e) {
          // the SDK's paging error keeps ARM's code but not its message: hand it the failed response's body, as recorded
          const failed = scope.responses.filter((r) => r.status >= 400 && r.body !== undefined).pop();
          if (failed && e !== null && typeof e === "object" && (e as { details?: unknown }).details === undefined) {
            (e as { details?: unknown }).details = failed.body;
          }
          throw e;
        }
      }),
    );
  }

  /** Every page of a list, as sent (the SDK's paging drives the nextLinks); undefined when it became a gap. */
  async list(operation: string, resourceId: string | undefined, paged: () => unknown): Promise<ArmResource[] | undefined> {
    const rec = await this.record(operation, resourceId, () => drain((paged() as AnyPaged).byPage()));
    return rec && listedValues<ArmResource>(rec);
  }

  /** A long-running operation, polled by the server's Retry-After; its result body, or undefined (a gap, or no body). */
  async lro(
    operation: string,
    resourceId: string,
    start: (options: { updateIntervalInMs: number }) => unknown,
  ): Promise<unknown | undefined> {
    const rec = await this.record(operation, resourceId, () =>
      driveLro(start({ updateIntervalInMs: this.pollIntervalMs }) as DrivablePoller, {
        fallbackMs: this.pollIntervalMs,
        retryAfterMs: () => this.recorder.current()?.retryAfterMs,
        timeoutMs: this.lroTimeoutMs,
      }),
    );
    return lastOkBody(rec);
  }

  /** The probe health of every probed rule of a load balancer, into `sink` by rule id. */
  ruleHealth(network: NetworkManagementClient, lb: ArmResource, sink: Record<string, RuleHealthBody>, rg?: string): Array<Promise<void>> {
    const lbRg = parseArmId(lb.id).resourceGroup ?? rg ?? "";
    return probedRules(lb).map(async ({ id: ruleId, name: ruleName }) => {
      const body = await this.lro("loadBalancerLoadBalancingRules.health", ruleId, (o) =>
        network.loadBalancerLoadBalancingRules.health(lbRg, lb.name, ruleName, o),
      );
      if (body && typeof body === "object") sink[ruleId] = body as RuleHealthBody;
    });
  }

  /** The effective security rules of a (top-level) NIC, into `sink` by NIC id. */
  async effectiveNsg(
    network: NetworkManagementClient,
    nic: ArmResource,
    sink: Record<string, EffectiveNsgBody>,
    rg?: string,
  ): Promise<void> {
    const nicRg = parseArmId(nic.id).resourceGroup ?? rg ?? "";
    const body = await this.lro("networkInterfaces.listEffectiveNetworkSecurityGroups", nic.id, (o) =>
      network.networkInterfaces.listEffectiveNetworkSecurityGroups(nicRg, nic.name, o),
    );
    if (body && typeof body === "object" && Array.isArray((body as EffectiveNsgBody).value)) sink[nic.id] = body as EffectiveNsgBody;
  }

  /** A scale set's instances (with their instance view) and their NICs, which are not top-level resources. */
  scaleSet(
    network: NetworkManagementClient,
    compute: ComputeManagementClient,
    ss: { id: string; resourceGroup: string; name: string },
    add: (items: ArmResource[] | undefined) => void,
  ): Array<Promise<void>> {
    return [
      this.list("virtualMachineScaleSetVMs.list", ss.id, () =>
        compute.virtualMachineScaleSetVMs.list(ss.resourceGroup, ss.name, { expand: "instanceView" }),
      ).then(add),
      this.list("networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces", ss.id, () =>
        network.networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces(ss.resourceGroup, ss.name),
      ).then(add),
    ];
  }
}

/** Adds listed resources by idKey; the first copy of an id wins. */
export function addResources(resources: Map<string, ArmResource>, items: ArmResource[] | undefined): void {
  for (const item of items ?? [])
    if (item && typeof item.id === "string" && !resources.has(idKey(item.id))) resources.set(idKey(item.id), item);
}
