import { commaList } from "../../core/live.ts";
import type { ProviderAdapter } from "../../core/provider.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import { azArg, invocations, isPowerShellCommand, ps } from "../../core/util/shell.ts";
import { parseArmId } from "./arm-id.ts";
import { completeArmResources } from "./arm-type.ts";
import { azureDiff } from "./diff.ts";
import { azureGapData } from "./gap-data.ts";
import { fromNames } from "./guest.ts";
import { createAzureInspector } from "./inspect.ts";
import { azureLiveSource } from "./live-source.ts";
import { type AzureModel, buildAzureModel } from "./model.ts";
import { observedMembers } from "./observed.ts";
import { azureRelatedKeys, azureTags } from "./tags.ts";
import type { AzureSnapshot } from "./wire-types.ts";

/**
 * ARM `name` and `type` are read-only and optional on the wire (Microsoft's own examples omit them), so every
 * entry point that reads a snapshot's resources sees them completed from the ids first (copy on write).
 */
const complete = (s: Snapshot): AzureSnapshot => completeArmResources(s as AzureSnapshot);
/** completeCommand's results per model: subscription → the finding's load balancer → command → the command with `--subscription` */
const completedCommands = new WeakMap<AzureModel, Map<string, Map<string, Map<string, string>>>>();

export const azureProvider: ProviderAdapter<AzureModel> = {
  id: "azure",
  groupNoun: "resource group",
  gapData: azureGapData,
  fromNames: (model, entry) => model.vms.some((vm) => fromNames(entry, vm)),
  machineNoun: "VM",
  buildModel: (snapshot, context) => buildAzureModel(complete(snapshot), context),
  loadBalancers: (model) =>
    bySubscription(model.loadBalancers).map((lb) => {
      const members = observedMembers(model, lb);
      return {
        id: lb.id,
        key: lb.key,
        name: lb.name,
        sku: lb.sku,
        kind: lb.sku.toLowerCase() === "gateway" ? "gateway" : lb.isInternal ? "internal" : "public",
        frontends: lb.frontends.map((f) => f.publicIp?.ipAddress ?? f.privateIp ?? f.name),
        ...(lb.resourceGroup ? { group: lb.resourceGroup } : {}),
        ...(members ? { members } : {}),
      };
    }),
  inGroup: (finding, group) => finding.resourceId.toLowerCase().includes(`/resourcegroups/${group.toLowerCase()}/`),
  scopeGroup: (snapshot) => (typeof snapshot.scope.resourceGroup === "string" ? snapshot.scope.resourceGroup : undefined),
  // live collection of a group fetches resources of other groups by reference (a load balancer whose pool holds the
  // group's NICs, a hub's VNet and appliance): a replay without a target is the group's check, as the live one was
  replayGroup: (snapshot) => {
    const group = typeof snapshot.scope.resourceGroup === "string" ? snapshot.scope.resourceGroup : undefined;
    if (!group) return undefined;
    const own = `/resourcegroups/${group.toLowerCase()}/`;
    const resources = (snapshot as AzureSnapshot).resources ?? [];
    return resources.some((r) => typeof r.id === "string" && !r.id.toLowerCase().includes(own)) ? group : undefined;
  },
  tagsOf: (snapshot) => azureTags(complete(snapshot)),
  relatedKeys: azureRelatedKeys,
  diff: { ...azureDiff, entities: (snapshot) => azureDiff.entities(complete(snapshot)) },
  inspector: createAzureInspector,
  // Each `az` line gets the subscription of the resource it acts on, which it names by group and name: the finding's
  // resource's, but a line acting on a load balancer (`az network lb …`) gets that load balancer's, which may sit in
  // another subscription than the NIC or VM the finding is about, and a line acting on another resource of the snapshot
  // gets that one's (see targetSubscription). `--ids` carries the subscription in the id itself; a full id in another
  // argument (`--address-pool <pool id>`) is taken by az as it is, the line's subscription being the one of the
  // resource it changes.
  completeCommand: (command, finding, model) => {
    const sub = subscriptionOf(finding.resourceId) ?? subscriptionOf(finding.loadBalancerId) ?? scopeSubscription(model.snapshot.scope);
    if (!sub) return command;
    // many findings print the same command (one NSG fix for every member behind it): each (subscription, load balancer,
    // command) is scanned once; by subscription, by load balancer, then by the command itself (no joined key to copy
    // and hash per finding)
    let bySub = completedCommands.get(model);
    if (!bySub) completedCommands.set(model, (bySub = new Map()));
    let byLb = bySub.get(sub);
    if (!byLb) bySub.set(sub, (byLb = new Map()));
    const lbId = finding.loadBalancerId ?? "";
    let memo = byLb.get(lbId);
    if (!memo) byLb.set(lbId, (memo = new Map()));
    let done = memo.get(command);
    if (done === undefined)
      memo.set(
        command,
        (done = isPowerShellCommand(command) ? inSubscription(command, sub) : withSubscriptions(command, sub, lbId, model)),
      );
    return done;
  },
  resourceCount: (s: Snapshot) => {
    const resources = (s as AzureSnapshot).resources;
    return Array.isArray(resources) ? resources.length : 0;
  },
  liveSource: (target, opts) => {
    const subscriptions = commaList(opts.subscription);
    if (!target || subscriptions.length > 1) return undefined;
    return azureLiveSource(target, subscriptions[0] ? { ...opts, subscription: subscriptions[0] } : opts);
  },
  describeScope: (_target, opts) => {
    const subscriptions = commaList(opts.subscription);
    return `Azure Resource Graph${subscriptions.length > 0 ? `, subscription ${subscriptions.join(", ")}` : ", every subscription"}`;
  },
  watchUnavailable: () => "watch polls the rule health of one Azure resource group: run `lbdoctor tui <resource-group> --watch 5s`",
  collect: async (target, opts, io, showProgress, onEvent) =>
    (await import("./collect/acquire.ts")).collectAzureLive(target, opts, io, showProgress, onEvent),
  serve: async (snapshots, opts) => (await import("./serve.ts")).serveAzure(snapshots.map(complete), opts),
  trace: async (snapshot, opts, io) => (await import("./trace.ts")).traceAzure(complete(snapshot), opts, io),
  redact: async (doc, snapshot) => {
    const { redactForSharing } = await import("./collect/redact.ts");
    const sub = snapshot.scope.subscriptionId;
    redactForSharing(doc, typeof sub === "string" && sub ? [sub] : []);
  },
};

/** Load balancers grouped by subscription (a Resource Graph snapshot spans several), by name within each; one subscription: unchanged. */
function bySubscription<T extends { id: string }>(lbs: T[]): T[] {
  const sub = (id: string) => id.split("/")[2]?.toLowerCase() ?? "";
  if (new Set(lbs.map((lb) => sub(lb.id))).size <= 1) return lbs;
  return [...lbs].sort((a, b) => (sub(a.id) < sub(b.id) ? -1 : sub(a.id) > sub(b.id) ? 1 : 0));
}

/**
 * A PowerShell line that acts on resources runs in the resource's subscription, as an `az` line does with
 * `--subscription`: the upgrade cmdlets (Start-AzBasicLoadBalancerUpgrade, Start-VMPublicIPUpgrade) take no
 * subscription parameter and use the session's Az context, so the line sets it first with Az.Accounts'
 * `Set-AzContext -Subscription` (name or id; https://learn.microsoft.com/powershell/module/az.accounts/set-azcontext),
 * the value always quoted for PowerShell. Module management
 * (`Install-Module`) and a line that already sets the context are left alone.
 */
function inSubscription(command: string, sub: string): string {
  if (/^(?:Install|Import|Update|Uninstall)-Module\b|^(?:Set|Select)-AzContext\b/i.test(command)) return command;
  const quoted = ps(sub);
  // a bare word is put in single quotes; a quoted one (single, or double for a value with `#` before `[`: see ps) stays
  return `Set-AzContext -Subscription ${/^['"]/.test(quoted) ? quoted : `'${quoted}'`}; ${command}`;
}

/** The subscription id in an ARM id (`/subscriptions/<id>/…`). */
function subscriptionOf(id: string | undefined): string | undefined {
  return id ? /^\/subscriptions\/([^/]+)/i.exec(id)?.[1] : undefined;
}

function scopeSubscription(scope: Record<string, unknown>): string | undefined {
  return typeof scope.subscriptionId === "string" && scope.subscriptionId ? scope.subscriptionId : undefined;
}

/**
 * `--subscription <sub>` after every `az` invocation of a printed sh line that names neither it nor `--ids`, at the end
 * of that simple command (pipes, `&&` chains and `$(…)` keep working): the subscription of the resource the invocation
 * acts on (targetSubscription), else `sub`, the finding's resource's.
 */
function withSubscriptions(command: string, sub: string, findingLbId: string, model: AzureModel): string {
  let out = command;
  for (const inv of invocations(command, "az").reverse()) {
    if (inv.words.some((w) => isOption(w, "--subscription") || isOption(w, "--ids"))) continue;
    out = `${out.slice(0, inv.end)} --subscription ${azArg(targetSubscription(inv.words, sub, findingLbId, model))}${out.slice(inv.end)}`;
  }
  return out;
}

const isOption = (word: string, name: string) => word === name || word.startsWith(`${name}=`);

/**
 * The command groups whose commands act on one resource of the snapshot, named by `--resource-group` and the option
 * that names it in a subgroup's commands (`az network lb probe … --lb-name`), or `--name` in the group's own
 * (`az network lb show … --name`): its ARM type, that option, and the subgroups.
 */
const TARGETS: Array<{ words: string[]; type: string; option: string; subgroups: string[] }> = [
  {
    words: ["network", "lb"],
    type: "loadbalancers",
    option: "--lb-name",
    subgroups: ["address-pool", "frontend-ip", "inbound-nat-pool", "inbound-nat-rule", "outbound-rule", "probe", "rule"],
  },
  {
    words: ["network", "cross-region-lb"],
    type: "loadbalancers",
    option: "--lb-name",
    subgroups: ["address-pool", "frontend-ip", "probe", "rule"],
  },
  { words: ["network", "nic"], type: "networkinterfaces", option: "--nic-name", subgroups: ["ip-config", "vtap-config"] },
  { words: ["network", "nsg"], type: "networksecuritygroups", option: "--nsg-name", subgroups: ["rule"] },
  { words: ["network", "route-table"], type: "routetables", option: "--route-table-name", subgroups: ["route"] },
  { words: ["network", "vnet"], type: "virtualnetworks", option: "--vnet-name", subgroups: ["subnet", "peering"] },
  { words: ["network", "public-ip"], type: "publicipaddresses", option: "--public-ip-name", subgroups: ["prefix"] },
  { words: ["network", "nat", "gateway"], type: "natgateways", option: "--nat-gateway-name", subgroups: [] },
  { words: ["vmss"], type: "virtualmachinescalesets", option: "--vmss-name", subgroups: [] },
  { words: ["vm"], type: "virtualmachines", option: "--vm-name", subgroups: [] },
];

/**
 * The subscription of the resource an `az` invocation acts on (its words after `az`), which it names by resource group
 * and name: a load balancer's, for `az network lb …`, may be another than the NIC's or VM's the finding is about, and a
 * VM's, for `az vm …`, another than the load balancer's. For a load balancer, the finding's when it is the one named (a
 * name can be taken in two subscriptions); for any resource, the finding's resource's subscription when a resource so
 * named is there, else the only subscription that holds one (a gateway load balancer the finding's chains to); else,
 * for a load balancer, the finding's load balancer's (one the line creates); else `sub`.
 */
function targetSubscription(words: string[], sub: string, findingLbId: string, model: AzureModel): string {
  const target = TARGETS.find((t) => t.words.every((w, i) => words[i] === w));
  if (!target) return sub;
  const findingLb = target.type === "loadbalancers" && findingLbId ? parseArmId(findingLbId) : undefined;
  const fallback = findingLb?.subscriptionId ?? sub;
  const verb = words[target.words.length] ?? "";
  const rg = optionValue(words, ["--resource-group", "-g"]);
  const name = optionValue(words, [target.option]) ?? (target.subgroups.includes(verb) ? undefined : optionValue(words, ["--name", "-n"]));
  if (rg === undefined || name === undefined) return fallback;
  if (findingLb && findingLb.resourceGroup?.toLowerCase() === rg.toLowerCase() && findingLb.name.toLowerCase() === name.toLowerCase())
    return fallback;
  const subs = resourceSubscriptions(model)?.get(`${target.type}/${rg.toLowerCase()}/${name.toLowerCase()}`);
  if (!subs || subs.length === 0) return fallback;
  if (subs.some((x) => x.toLowerCase() === sub.toLowerCase())) return sub;
  return subs.length === 1 ? (subs[0] as string) : fallback;
}

/**
 * The subscriptions of the snapshot's resources by `<type>/<group>/<name>` (lower case), one index per model;
 * undefined when the snapshot's resources are all in one subscription (nothing to choose between).
 */
const resourceIndex = new WeakMap<AzureModel, Map<string, string[]> | null>();
function resourceSubscriptions(model: AzureModel): Map<string, string[]> | undefined {
  const known = resourceIndex.get(model);
  if (known !== undefined) return known ?? undefined;
  const resources = Array.isArray(model.snapshot.resources) ? model.snapshot.resources : [];
  const first = resources[0] ? subscriptionOf(resources[0].id)?.toLowerCase() : undefined;
  let index: Map<string, string[]> | null = null;
  if (resources.some((r) => subscriptionOf(r.id)?.toLowerCase() !== first)) {
    index = new Map();
    for (const r of resources) {
      const id = parseArmId(r.id);
      const type = id.segments[0];
      const name = id.segments[1];
      if (!id.subscriptionId || !id.resourceGroup || !type || !name) continue;
      const key = `${type.toLowerCase()}/${id.resourceGroup.toLowerCase()}/${name.toLowerCase()}`;
      const subs = index.get(key) ?? [];
      if (!subs.some((x) => x.toLowerCase() === id.subscriptionId?.toLowerCase())) subs.push(id.subscriptionId);
      index.set(key, subs);
    }
  }
  resourceIndex.set(model, index);
  return index ?? undefined;
}

/** The value of the first of `names` among an invocation's words (`--name value` or `--name=value`), unquoted. */
function optionValue(words: string[], names: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    for (const n of names) {
      if (w === n && i + 1 < words.length) return shWord(words[i + 1] as string);
      if (w.startsWith(`${n}=`)) return shWord(w.slice(n.length + 1));
    }
  }
  return undefined;
}
/** A word of a printed sh line as the shell passes it on: single and double quotes and backslashes removed. */
function shWord(word: string): string {
  let out = "";
  for (let i = 0; i < word.length; ) {
    const c = word[i] as string;
    if (c === "'") {
      const end = word.indexOf("'", i + 1);
      out += word.slice(i + 1, end < 0 ? word.length : end);
      i = end < 0 ? word.length : end + 1;
    } else if (c === '"') {
      i++;
      while (i < word.length && word[i] !== '"') {
        if (word[i] === "\\" && /[$`"\\\n]/.test(word[i + 1] ?? "")) i++;
        out += word[i] ?? "";
        i++;
      }
      i++;
    } else if (c === "\\") {
      out += word[i + 1] ?? "";
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
