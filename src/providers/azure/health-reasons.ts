/**
 * Load-balancing-rule health (POST …/loadBalancingRules/{rule}/health): the
 * documented reason codes in plain English, and matching the body's addresses
 * to pool members.
 *
 * Source: learn.microsoft.com/azure/load-balancer/load-balancer-manage-health-status
 * (reason code tables, "NA" note, and "a turned-off VM returns empty values").
 */

import { join } from "../../core/util/json-pointer.ts";
import type { RuleHealthBody } from "../../providers/azure/wire-types.ts";
import { idKey } from "./arm-id.ts";
import { type AzureModel, gapsFor, type LbRule, listGaps, type ModelGap, type PoolMember } from "./model.ts";

export interface HealthReason {
  code: string;
  /** the state the code comes with */
  state: "Up" | "Down" | "none";
  /** user-triggered codes are yours to fix; platform codes are Azure's */
  origin: "user" | "platform" | "none";
  meaning: string;
  next: string;
}

const R = (code: string, state: HealthReason["state"], origin: HealthReason["origin"], meaning: string, next: string): HealthReason => ({
  code,
  state,
  origin,
  meaning,
  next,
});

/** Every documented reason code. */
export const HEALTH_REASONS: Readonly<Record<string, HealthReason>> = Object.fromEntries(
  [
    R("Up_Probe_Success", "Up", "user", "the instance answers its health probe", "nothing to do"),
    R(
      "Up_Probe_AllDownIsUp",
      "Up",
      "user",
      "every instance fails its probe, and the probe's NoHealthyBackendsBehavior (AllProbedUp) sends traffic to all of them anyway",
      "find out why the probe fails on every instance (NSG, listener, probe path); traffic is reaching instances the probe calls unhealthy",
    ),
    R(
      "Up_Probe_ApproachingUnhealthyThreshold",
      "Up",
      "user",
      "the last probe failed, but earlier successes keep the instance Up for now",
      "watch the instance: if probes keep failing it goes Down",
    ),
    R(
      "Up_Admin",
      "Up",
      "user",
      "the backend address's admin state is Up, so the probe result is ignored",
      "nothing to do, unless the override is stale",
    ),
    R(
      "Down_Probe_ApproachingHealthyThreshold",
      "Down",
      "user",
      "the last probe succeeded, but not yet enough times in a row to bring the instance back",
      "wait for the healthy threshold; if it flaps, look at the application's start-up and the probe interval",
    ),
    R(
      "Down_Probe_HttpStatusCodeError",
      "Down",
      "user",
      "the HTTP(S) probe got a status other than 200, so the application on the port is answering with an error",
      "request the probe path on the VM (curl -i http://localhost:<port><path>) and fix the application or the probe's requestPath",
    ),
    R(
      "Down_Probe_HttpEndpointUnreachable",
      "Down",
      "user",
      "the HTTP session was rejected: an NSG blocks the port, or no healthy application listens on it",
      "check the NSG path for 168.63.129.16 on the probe port, then whether anything listens on it (ss -ltn / netstat -an)",
    ),
    R(
      "Down_Probe_TcpProbeTimeout",
      "Down",
      "user",
      "no TCP answer within the probe interval: the instance is unhealthy, the probe port is blocked, or nothing healthy listens on it",
      "check the NSG path for 168.63.129.16 on the probe port, the guest firewall, and whether anything listens on it (ss -ltn / netstat -an)",
    ),
    R(
      "Down_Probe_NoHealthyBackend",
      "Down",
      "user",
      "the regional load balancer behind a global (cross-region) load balancer has no healthy instance",
      "fix the regional load balancer's own backend health first",
    ),
    R(
      "Down_Admin",
      "Down",
      "user",
      "the backend address's admin state is Down, so it gets no new flows whatever the probe says",
      "if that is not intended, set the admin state back to None or Up",
    ),
    R(
      "Down_Probe_HttpNoResponse",
      "Down",
      "user",
      "the probe opened an HTTP session but the application never answered, so the application on the port is unhealthy",
      "check the application's logs and whether it hangs on the probe path",
    ),
    R(
      "Up_Platform",
      "Up",
      "platform",
      "the instance answers its probe, but Azure reports an infrastructure issue that its service team is handling",
      "nothing to fix on your side; watch Azure Service Health",
    ),
    R(
      "Down_Platform",
      "Down",
      "platform",
      "the instance is Down because of an Azure infrastructure issue that its service team is handling",
      "nothing to fix on your side; check Azure Service Health and open a support request if it persists",
    ),
    R("NA", "none", "none", "the probe has not probed this instance yet", "re-collect the health status in a few minutes"),
  ].map((r) => [r.code.toLowerCase(), r]),
);

/** The documented meaning of a reason code (case-insensitive), or undefined for an undocumented one. */
export function healthReason(code: string | undefined): HealthReason | undefined {
  return code ? HEALTH_REASONS[code.toLowerCase()] : undefined;
}

/** Reasons under which the probe got no usable answer: a blocked port or nothing (healthy) listening. */
export const NO_ANSWER_REASONS: ReadonlySet<string> = new Set(
  ["Down_Probe_TcpProbeTimeout", "Down_Probe_HttpEndpointUnreachable", "Down_Probe_HttpNoResponse"].map((c) => c.toLowerCase()),
);

/** Reasons that prove something answered on the probe port. */
export const ANSWERED_REASONS: ReadonlySet<string> = new Set(
  [
    "Up_Probe_Success",
    "Up_Probe_ApproachingUnhealthyThreshold",
    "Down_Probe_HttpStatusCodeError",
    "Down_Probe_ApproachingHealthyThreshold",
  ].map((c) => c.toLowerCase()),
);

export interface HealthEntry {
  index: number;
  /** pointer of the address entry in the snapshot */
  ptr: string;
  ipAddress?: string;
  ipConfigId?: string;
  /** empty for a stopped VM */
  state?: string;
  reason?: string;
}

export interface RuleHealth {
  ptr: string;
  body: RuleHealthBody;
  /** per pool member: its entry, when the body holds one */
  byMember: Map<PoolMember, HealthEntry>;
  /** entries that match no member of the rule's pool */
  unmatched: HealthEntry[];
}

/**
 * The rule's health observation with its addresses matched to the pool's
 * members: by ip configuration id (case-insensitive), else by IP address.
 */
const healthCache = new WeakMap<LbRule, { body: RuleHealthBody; members: number; value: RuleHealth }>();

export function ruleHealthFor(model: AzureModel, rule: LbRule): RuleHealth | undefined {
  const obs = model.observations.ruleHealth.get(rule.key);
  if (!obs) return undefined;
  const members = rule.pool?.members ?? [];
  // several rules ask for the same rule's health: match it once (per body and member list)
  const cached = healthCache.get(rule);
  if (cached && cached.body === obs.body && cached.members === members.length) return cached.value;
  const byMember = new Map<PoolMember, HealthEntry>();
  const unmatched: HealthEntry[] = [];
  // members by key / ip configuration key and by IP, in member order: the first free one matches,
  // as a scan of the member list would find it, without scanning it once per address
  const byKey = new Map<string, PoolMember[]>();
  const byIp = new Map<string, PoolMember[]>();
  const push = (m: Map<string, PoolMember[]>, k: string, x: PoolMember) => {
    const list = m.get(k);
    if (!list) m.set(k, [x]);
    else if (list[list.length - 1] !== x) list.push(x);
  };
  for (const x of members) {
    push(byKey, x.key, x);
    if (x.ipConfig) push(byKey, x.ipConfig.key, x);
    if (x.ip) push(byIp, x.ip, x);
  }
  const firstFree = (list: PoolMember[] | undefined) => list?.find((x) => !byMember.has(x));
  (obs.body.loadBalancerBackendAddresses ?? []).forEach((a, i) => {
    const e: HealthEntry = { index: i, ptr: join(obs.ptr, "loadBalancerBackendAddresses", i) };
    if (a.ipAddress) e.ipAddress = a.ipAddress;
    if (a.networkInterfaceIPConfigurationId) e.ipConfigId = a.networkInterfaceIPConfigurationId;
    if (a.state) e.state = a.state;
    if (a.reason) e.reason = a.reason;
    const k = e.ipConfigId ? idKey(e.ipConfigId) : undefined;
    const m = (k && firstFree(byKey.get(k))) || (e.ipAddress && firstFree(byIp.get(e.ipAddress))) || undefined;
    if (m) byMember.set(m, e);
    else unmatched.push(e);
  });
  const value = { ptr: obs.ptr, body: obs.body, byMember, unmatched };
  healthCache.set(rule, { body: obs.body, members: members.length, value });
  return value;
}

export function isDown(e: HealthEntry | undefined): boolean {
  return e?.state?.toLowerCase() === "down";
}
export function isUp(e: HealthEntry | undefined): boolean {
  return e?.state?.toLowerCase() === "up";
}

/** A collection gap that explains a missing health observation for this rule, if any. */
export function healthGap(model: AzureModel, rule: LbRule): ModelGap | undefined {
  const isHealth = (g: ModelGap) => g.operation.toLowerCase().includes("health");
  return gapsFor(model, [rule.id]).find(isHealth) ?? listGaps(model, "health").find((g) => !g.resourceId);
}
