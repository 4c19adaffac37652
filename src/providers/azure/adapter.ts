import { commaList } from "../../core/live.ts";
import type { ProviderAdapter } from "../../core/provider.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import { azArg, isPowerShellCommand, ps, withFlag } from "../../core/util/shell.ts";
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
/** completeCommand's results per model: subscription → command → the command with `--subscription` */
const completedCommands = new WeakMap<AzureModel, Map<string, Map<string, string>>>();

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
  tagsOf: (snapshot) => azureTags(complete(snapshot)),
  relatedKeys: azureRelatedKeys,
  diff: { ...azureDiff, entities: (snapshot) => azureDiff.entities(complete(snapshot)) },
  inspector: createAzureInspector,
  // `--ids` carries the subscription in the id itself
  completeCommand: (command, finding, model) => {
    const sub = subscriptionOf(finding.resourceId) ?? subscriptionOf(finding.loadBalancerId) ?? scopeSubscription(model.snapshot.scope);
    if (!sub) return command;
    // many findings print the same command (one NSG fix for every member behind it): each (subscription, command) is
    // scanned once; by subscription, then by the command itself (no joined key to copy and hash per finding)
    let bySub = completedCommands.get(model);
    if (!bySub) completedCommands.set(model, (bySub = new Map()));
    let memo = bySub.get(sub);
    if (!memo) bySub.set(sub, (memo = new Map()));
    let done = memo.get(command);
    if (done === undefined)
      memo.set(
        command,
        (done = isPowerShellCommand(command)
          ? inSubscription(command, sub)
          : withFlag(command, "az", "--subscription", azArg(sub), ["--ids"])),
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
