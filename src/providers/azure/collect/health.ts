/**
 * Rule health on its own: the one live observation cheap enough to poll
 * (`lbdoctor tui --watch`). Same client setup as the collector (endpoint,
 * pinned CA, retries, user agent), the same LRO, the same gaps on failure.
 */
import type { TokenCredential } from "@azure/identity";
import { CallLedger } from "../../../core/collect/ledger.ts";
import { WireRecorder } from "../../../core/collect/wire-recorder.ts";
import type { Gap } from "../../../core/snapshot/types.ts";
import { limiter } from "../../../core/util/limit.ts";
import { parseArmId } from "../arm-id.ts";
import type { RuleHealthBody } from "../wire-types.ts";
import { ArmCalls, type ArmClientSettings, armClientOptions, concurrencyPolicy, describeRestError } from "./arm.ts";

export interface ArmClientSetup extends ArmClientSettings {
  subscriptionId: string;
  credential: TokenCredential;
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

/** A poller of load-balancing-rule health through the SDK; one client for every poll, each LRO polled by the server's Retry-After. */
export async function ruleHealthPoller(o: ArmClientSetup & { pollIntervalMs?: number; concurrency?: number }): Promise<RuleHealthPoller> {
  const { NetworkManagementClient } = await import("@azure/arm-network");
  const recorder = new WireRecorder();
  const limit = limiter(Math.max(1, o.concurrency ?? 12));
  const options = armClientOptions(o, recorder, [concurrencyPolicy(limit)]);
  // a client per subscription: a rule's health is asked of its own (a load balancer the snapshot holds may be in another)
  const networks = new Map<string, InstanceType<typeof NetworkManagementClient>>();
  const networkOf = (sub: string) => {
    let client = networks.get(sub.toLowerCase());
    if (!client) networks.set(sub.toLowerCase(), (client = new NetworkManagementClient(o.credential, sub, options)));
    return client;
  };
  return {
    async poll(ruleIds) {
      const t0 = performance.now();
      const bodies: Record<string, RuleHealthBody> = {};
      const ledger = new CallLedger({ emit: () => {}, calls: () => recorder.calls, describe: describeRestError });
      const calls = new ArmCalls(recorder, ledger, o.pollIntervalMs ?? 1000, o.lroTimeoutMs);
      const operation = "loadBalancerLoadBalancingRules.health";
      await Promise.all(
        ruleIds.map(async (id) => {
          const p = parseArmId(id);
          const [, lbName, , ruleName] = p.segments;
          const rg = p.resourceGroup;
          if (!rg || !lbName || !ruleName) {
            ledger.note({ operation, resourceId: id, message: "not a load-balancing rule id" });
            return;
          }
          const network = networkOf(p.subscriptionId ?? o.subscriptionId);
          const body = await calls.lro(operation, id, (opt) => network.loadBalancerLoadBalancingRules.health(rg, lbName, ruleName, opt));
          if (body !== undefined) bodies[id] = normalize(body);
        }),
      );
      return { bodies, gaps: ledger.gaps, ms: performance.now() - t0 };
    },
  };
}
