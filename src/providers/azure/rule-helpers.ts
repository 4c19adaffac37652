/** Helpers shared by Azure rules: iterating members, and building exact `az` fix commands. */

import type { RuleContext } from "../../core/engine/types.ts";
import { azArg } from "../../core/util/shell.ts";
import { idKey, nameOf, parseArmId } from "./arm-id.ts";
import type { AzureModel, IpConfig, LbRule, LoadBalancer, Nsg, Pool, PoolMember, Probe } from "./model.ts";
import type { FlowVerdict, LayerVerdict } from "./nsg.ts";

export interface MemberVisit {
  lb: LoadBalancer;
  rule: LbRule;
  pool: Pool;
  member: PoolMember;
}

/**
 * Every (rule, member) pair of every LB, in a stable order. Machines only: a Global-tier load balancer's members
 * are regional load balancers' frontends (no NIC, no NSG, no guest), judged by azure/cross-region-member.
 */
export function* ruleMembers(model: AzureModel): Generator<MemberVisit> {
  for (const lb of model.loadBalancers) {
    for (const rule of lb.rules) {
      if (!rule.pool) continue;
      for (const member of rule.pool.members) if (member.kind !== "frontend") yield { lb, rule, pool: rule.pool, member };
    }
  }
}

/** Every (probe, member) pair: each probe once per member of the pools its rules feed (machines only, as ruleMembers). */
export function* probeMembers(model: AzureModel): Generator<{ lb: LoadBalancer; probe: Probe; rules: LbRule[]; member: PoolMember }> {
  for (const lb of model.loadBalancers) {
    for (const probe of lb.probes) {
      const seen = new Map<string, { member: PoolMember; rules: LbRule[] }>();
      for (const rule of probe.rules) {
        for (const member of rule.pool?.members ?? []) {
          if (member.kind === "frontend") continue;
          const entry = seen.get(member.key);
          if (entry) entry.rules.push(rule);
          else seen.set(member.key, { member, rules: [rule] });
        }
      }
      for (const { member, rules } of seen.values()) yield { lb, probe, rules, member };
    }
  }
}

const labels = new WeakMap<PoolMember, { vm: PoolMember["vm"]; nic: PoolMember["nic"]; ip: string | undefined; label: string }>();

/** A readable label for a member: "vm1 (nic vm1-nic, 10.0.0.4)". Built once per member (most rules label every member). */
export function memberLabel(m: PoolMember): string {
  const hit = labels.get(m);
  if (hit && hit.vm === m.vm && hit.nic === m.nic && hit.ip === m.ip) return hit.label;
  const label = buildMemberLabel(m);
  labels.set(m, { vm: m.vm, nic: m.nic, ip: m.ip, label });
  return label;
}

function buildMemberLabel(m: PoolMember): string {
  const who = m.vm?.name ?? m.nic?.name ?? (m.kind === "ipconfig" ? nicIpConfigName(m.id) : undefined) ?? m.id.split("/").pop() ?? m.id;
  const parts = [];
  if (m.vm && m.nic) parts.push(`nic ${m.nic.name}`);
  if (m.ip) parts.push(m.ip);
  return parts.length > 0 ? `${who} (${parts.join(", ")})` : who;
}

/** The id of the NIC an ip configuration id belongs to (`…/networkInterfaces/<nic>/ipConfigurations/<name>` → the NIC's). */
function nicIdOf(ipConfigId: string): string {
  return ipConfigId.replace(/\/ipConfigurations\/[^/]*\/?$/i, "");
}

/** "vm9-nic/ipconfig1": an ip configuration named with its NIC, from its id alone. */
function nicIpConfigName(ipConfigId: string): string {
  const nic = nicIdOf(ipConfigId);
  return nic === ipConfigId ? nameOf(ipConfigId) : `${nameOf(nic)}/${nameOf(ipConfigId)}`;
}

/**
 * A member's label in its load balancer's view (the TUI): `memberLabel`, and for an ip configuration whose NIC is
 * not in the snapshot, where that NIC is (its resource group when it is not the load balancer's), its address when the
 * snapshot knows it, and that it was not collected: "vm9-nic/ipconfig1 (rg-x, not collected)".
 */
export function memberLabelIn(m: PoolMember, lb: LoadBalancer): string {
  if (m.kind !== "ipconfig" || m.nic) return memberLabel(m);
  const nic = parseArmId(nicIdOf(m.id));
  const own = parseArmId(lb.id);
  const otherSub = !!nic.subscriptionId && !!own.subscriptionId && nic.subscriptionId.toLowerCase() !== own.subscriptionId.toLowerCase();
  const otherRg = !!nic.resourceGroup && nic.resourceGroup.toLowerCase() !== own.resourceGroup?.toLowerCase();
  const where = otherSub ? `${nic.resourceGroup ?? "?"} in subscription ${nic.subscriptionId}, ` : otherRg ? `${nic.resourceGroup}, ` : "";
  return `${nicIpConfigName(m.id)} (${where}${m.ip ? `${m.ip}, ` : ""}not collected)`;
}

/** The NIC of a member whose ip configuration the snapshot lacks, by name: "vm9-nic"; undefined for any other member. */
export function uncollectedNicName(m: PoolMember): string | undefined {
  if (m.kind !== "ipconfig" || m.nic) return undefined;
  const nic = nicIdOf(m.id);
  return nic === m.id ? undefined : nameOf(nic);
}

/** The resource id a member finding is reported on: its NIC, else the pool entry. */
export function memberResourceId(m: PoolMember): string {
  return m.nic?.id ?? m.id;
}

/**
 * Normalized ids a member finding is "about", so causes and symptoms can be linked: the membership, its NIC, VM and
 * ip configuration (a NIC-based member's key is its ip configuration's: the engine keeps each subject once).
 */
export function memberSubjects(m: PoolMember): string[] {
  return [m.key, m.nic?.key, m.vm?.key, m.ipConfig?.key].filter((x): x is string => !!x);
}

// ---------------------------------------------------------------------------
// commands

/** Quotes a value for the POSIX shell that runs a printed `az` command (and for the CLI itself: see azArg). */
export const sh: (v: string | number) => string = azArg;

export function rgOf(id: string): string {
  return parseArmId(id).resourceGroup ?? "<resource-group>";
}

/** Whether two ids are in the same resource group of the same subscription (a side that names none is taken to agree). */
function sameGroup(a: string, b: string): boolean {
  const x = parseArmId(a);
  const y = parseArmId(b);
  const eq = (u: string | undefined, v: string | undefined) => u === undefined || v === undefined || u.toLowerCase() === v.toLowerCase();
  return (
    x.resourceGroup !== undefined &&
    y.resourceGroup !== undefined &&
    eq(x.resourceGroup, y.resourceGroup) &&
    eq(x.subscriptionId, y.subscriptionId)
  );
}

/**
 * The backend pool of `az network nic ip-config address-pool add|remove`, for a NIC in the resource group (and
 * subscription) of `nicGroupId` (the NIC's id, or any id in its group). az makes a pool given by name into an id with
 * the command's `--resource-group` and subscription, the NIC's (`--lb-name <lb> --address-pool <pool>`), so a pool of a
 * load balancer in another group or subscription goes by its full id (`--address-pool <id>`), without `--lb-name`,
 * which az refuses next to an id (https://learn.microsoft.com/cli/azure/network/nic/ip-config/address-pool).
 * `recorded`: the pool's id as the ip configuration holds it, for a removal (az removes the reference whose id equals
 * the one given).
 */
export function nicPoolArgs(nicGroupId: string, poolId: string, recorded = poolId): string {
  if (sameGroup(nicGroupId, poolId)) {
    const pool = parseArmId(poolId);
    return `--lb-name ${sh(pool.segments[1] ?? "<lb>")} --address-pool ${sh(pool.name)}`;
  }
  return `--address-pool ${sh(recorded)}`;
}

/** The pool's id as the ip configuration's own `loadBalancerBackendAddressPools` spells it; else the pool's. */
export function poolIdAsRecorded(ipc: IpConfig, pool: Pool): string {
  const wire = (ipc.nic.raw.properties as { ipConfigurations?: unknown } | undefined)?.ipConfigurations;
  const own = Array.isArray(wire)
    ? (wire[ipc.nic.ipConfigs.indexOf(ipc)] as { properties?: { loadBalancerBackendAddressPools?: unknown } })
    : undefined;
  const refs = own?.properties?.loadBalancerBackendAddressPools;
  if (Array.isArray(refs)) {
    for (const r of refs) {
      const id = (r as { id?: unknown } | null)?.id;
      if (typeof id === "string" && idKey(id) === pool.key) return id;
    }
  }
  return pool.id;
}

/**
 * The largest free custom priority (100–4096) that sorts ahead of `before`
 * in the given direction: the smallest change that takes effect first.
 * Undefined when nothing is free (the blocking rule sits at 100).
 */
export function freePriorityBefore(nsg: Nsg, before: number, direction: "Inbound" | "Outbound"): number | undefined {
  const used = new Set(nsg.rules.filter((r) => !r.isDefault && r.direction === direction).map((r) => r.priority));
  for (let p = Math.min(before - 1, 4096); p >= 100; p--) if (!used.has(p)) return p;
  return undefined;
}

export interface AllowRuleSpec {
  nsg: Nsg;
  /** the NSG's name as a shell word when it is not `nsg.name` (a placeholder, already quoted) */
  nsgArg?: string;
  name: string;
  priority: number;
  source: string;
  port: number | string;
  protocol: string;
  direction?: "Inbound" | "Outbound";
  description?: string;
}

export function azNsgAllowCommand(s: AllowRuleSpec): string {
  return [
    "az network nsg rule create",
    `--resource-group ${sh(rgOf(s.nsg.id))}`,
    `--nsg-name ${s.nsgArg ?? sh(s.nsg.name)}`,
    `--name ${sh(s.name)}`,
    `--priority ${s.priority}`,
    `--direction ${s.direction ?? "Inbound"}`,
    "--access Allow",
    `--protocol ${sh(s.protocol)}`,
    `--source-address-prefixes ${sh(s.source)}`,
    "--source-port-ranges '*'",
    "--destination-address-prefixes '*'",
    `--destination-port-ranges ${sh(s.port)}`,
    ...(s.description ? [`--description ${sh(s.description)}`] : []),
  ].join(" ");
}

export function azNsgRuleShowCommand(nsg: Nsg, rule: string): string {
  return `az network nsg rule show --resource-group ${sh(rgOf(nsg.id))} --nsg-name ${sh(nsg.name)} --name ${sh(rule)}`;
}

/**
 * Commands that let a flow through every layer that denies it: an Allow rule
 * at a free priority ahead of the blocking rule in each denying NSG.
 */
export function allowFixCommands(
  model: AzureModel,
  verdict: FlowVerdict,
  spec: { name: string; source: string; port: number | string; protocol: string; description?: string },
): { commands: string[]; notes: string[] } {
  const commands: string[] = [];
  const notes: string[] = [];
  for (const layer of verdict.layers.filter(
    (l): l is LayerVerdict & { deciding: NonNullable<LayerVerdict["deciding"]> } => l.verdict === "deny" && !!l.deciding,
  )) {
    const nsg = model.byKey.nsg.get(idKey(layer.deciding.nsgId));
    if (!nsg) {
      notes.push(
        `NSG ${layer.deciding.nsgName} is not in the snapshot; add an Allow rule ahead of priority ${layer.deciding.priority} there.`,
      );
      continue;
    }
    const priority = freePriorityBefore(nsg, layer.deciding.priority, "Inbound");
    if (priority === undefined) {
      notes.push(
        `NSG ${nsg.name}: rule ${layer.deciding.name} sits at priority ${layer.deciding.priority} and no free priority is ahead of it; narrow it, or delete it as below and re-add it at a later priority.`,
      );
      commands.push(
        `az network nsg rule delete --resource-group ${sh(rgOf(nsg.id))} --nsg-name ${sh(nsg.name)} --name ${sh(layer.deciding.name)}`,
      );
      continue;
    }
    commands.push(azNsgAllowCommand({ nsg, priority, ...spec }));
  }
  return { commands, notes };
}

/** A value the user fills in, inert in any shell: `'<nic-name>'`. */
export { placeholder, ps } from "../../core/util/shell.ts";

/**
 * Reports `unknown` (message `noMetrics`: `{{lb}}` and `{{reason}}`) for each load balancer whose metrics could not be
 * read (the time model's `missing` entries for metrics), for the rules that judge metrics. One index of the load
 * balancers, not a search per entry.
 */
export function reportUnreadMetrics({ model, report }: RuleContext<AzureModel>): void {
  const missing = model.time?.missing.filter((m) => m.what === "metrics" && m.resourceId) ?? [];
  if (missing.length === 0) return;
  const byKey = new Map(model.loadBalancers.map((lb) => [lb.key, lb]));
  for (const m of missing) {
    const lb = byKey.get(idKey(m.resourceId as string));
    if (!lb) continue;
    report({
      resourceId: lb.id,
      resourceName: lb.name,
      loadBalancerId: lb.id,
      key: "metrics",
      status: "unknown",
      messageId: "noMetrics",
      data: { lb: lb.name, reason: `${m.operation}: ${m.message}` },
    });
  }
}
