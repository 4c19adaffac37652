/**
 * Rule health on its own: the one live observation cheap enough to poll
 * (`lbdoctor tui --watch`). Same client setup as the collector (endpoint,
 * pinned CA, retries, user agent), the same LRO, the same gaps on failure.
 */
import type { TokenCredential } from "@azure/identity";
import type { Gap } from "../../../core/snapshot/types.ts";
import { limiter } from "../../../core/util/limit.ts";
import type { RuleHealthBody } from "../../../providers/azure/wire-types.ts";
import { parseArmId } from "../arm-id.ts";

export interface ArmClientSetup {
  subscriptionId: string;
  credential: TokenCredential;
  /** ARM endpoint (default https://management.azure.com); the emulator's URL in tests and demos */
  endpoint?: string;
  /** PEM to trust for the endpoint */
  ca?: string;
  maxRetries?: number;
  retryDelayMs?: number;
  toolVersion?: string;
}

/** The options every lbdoctor ARM client is built with. */
export function armClientOptions(o: ArmClientSetup) {
  return {
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.ca ? { tlsOptions: { ca: o.ca } } : {}),
    retryOptions: { maxRetries: o.maxRetries ?? 3, ...(o.retryDelayMs !== undefined ? { retryDelayInMs: o.retryDelayMs } : {}) },
    userAgentOptions: { userAgentPrefix: `lbdoctor/${o.toolVersion ?? "dev"}` },
  };
}

export interface RuleHealthPoll {
  /** health bodies by load-balancing rule id, for the rules that answered */
  bodies: Record<string, RuleHealthBody>;
  gaps: Gap[];
  ms: number;
}

export interface RuleHealthPoller {
  poll(ruleIds: string[]): Promise<RuleHealthPoll>;
}

type AnyPoller = { pollUntilDone(): Promise<unknown> };

/** Keeps only what the snapshot's rule-health body holds (the SDK model has the same shape, with undefined fields). */
function normalize(v: unknown): RuleHealthBody {
  const o = (v ?? {}) as RuleHealthBody;
  const body: RuleHealthBody = {};
  if (typeof o.up === "number") body.up = o.up;
  if (typeof o.down === "number") body.down = o.down;
  if (Array.isArray(o.loadBalancerBackendAddresses)) {
    body.loadBalancerBackendAddresses = o.loadBalancerBackendAddresses.map((a) => {
      const e: NonNullable<RuleHealthBody["loadBalancerBackendAddresses"]>[number] = {};
      if (a.ipAddress) e.ipAddress = a.ipAddress;
      if (a.networkInterfaceIPConfigurationId) e.networkInterfaceIPConfigurationId = a.networkInterfaceIPConfigurationId;
      if (a.state) e.state = a.state;
      if (a.reason) e.reason = a.reason;
      return e;
    });
  }
  return body;
}

/** A poller of load-balancing-rule health through the SDK; one client for every poll. */
export async function ruleHealthPoller(o: ArmClientSetup & { pollIntervalMs?: number; concurrency?: number }): Promise<RuleHealthPoller> {
  const { NetworkManagementClient } = await import("@azure/arm-network");
  const network = new NetworkManagementClient(o.credential, o.subscriptionId, armClientOptions(o));
  const limit = limiter(Math.max(1, o.concurrency ?? 12));
  const pollOptions = { updateIntervalInMs: o.pollIntervalMs ?? 1000 };
  return {
    async poll(ruleIds) {
      const t0 = performance.now();
      const bodies: Record<string, RuleHealthBody> = {};
      const gaps: Gap[] = [];
      await Promise.all(
        ruleIds.map(async (id) => {
          const p = parseArmId(id);
          const [, lbName, , ruleName] = p.segments;
          if (!p.resourceGroup || !lbName || !ruleName) {
            gaps.push({ operation: "loadBalancerLoadBalancingRules.health", resourceId: id, message: "not a load-balancing rule id" });
            return;
          }
          try {
            const body = await limit(() =>
              (
                network.loadBalancerLoadBalancingRules.health(
                  p.resourceGroup as string,
                  lbName,
                  ruleName,
                  pollOptions,
                ) as unknown as AnyPoller
              ).pollUntilDone(),
            );
            bodies[id] = normalize(body);
          } catch (e) {
            const err = e as { statusCode?: number; code?: string; message?: string };
            const gap: Gap = {
              operation: "loadBalancerLoadBalancingRules.health",
              resourceId: id,
              message: (err.message ?? String(e)).split("\n")[0] ?? "failed",
            };
            if (err.statusCode) gap.status = err.statusCode;
            if (err.code) gap.code = err.code;
            gaps.push(gap);
          }
        }),
      );
      return { bodies, gaps, ms: performance.now() - t0 };
    },
  };
}
