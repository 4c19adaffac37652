/**
 * The emulator's state: the resources of one or more snapshots merged (first
 * snapshot wins on a duplicate id, ids compared case-insensitively) and the
 * observations the live operations answer with.
 */
import type { GuestObservation } from "../../../core/snapshot/types.ts";
import type {
  ActivityLogEvent,
  ArmResource,
  AzureSnapshot,
  EffectiveNsgBody,
  MetricsResponseBody,
  ResourceChangeRow,
  RuleHealthBody,
} from "../../../providers/azure/wire-types.ts";

/** Lower-cased id without a trailing slash: the key every lookup uses. */
export const key = (id: string): string => id.toLowerCase().replace(/\/+$/, "");

/** The id's parent path (everything before the last segment). */
const parentOf = (k: string): string => k.slice(0, k.lastIndexOf("/"));

const SUB_RG = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)(?:\/|$)/;
const VM_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.compute\/(?:virtualmachines|virtualmachinescalesets\/[^/]+\/virtualmachines)\/[^/]+$/;

export class ArmStore {
  /** lower-cased id → resource, in snapshot order */
  readonly resources = new Map<string, ArmResource>();
  /** lower-cased id → a sub-resource nested in a resource (a subnet, an LB rule, an ipConfiguration …) */
  readonly nested = new Map<string, unknown>();
  readonly subscriptions = new Set<string>();
  /** `sub/rg`, lower-cased */
  readonly resourceGroups = new Map<string, { subscriptionId: string; name: string; location: string | undefined }>();
  readonly ruleHealth = new Map<string, RuleHealthBody>();
  readonly effectiveNsgs = new Map<string, EffectiveNsgBody>();
  readonly guest = new Map<string, GuestObservation>();
  /** metrics.list bodies by load balancer key */
  readonly metrics = new Map<string, MetricsResponseBody[]>();
  /** resourcechanges rows, all subscriptions */
  readonly resourceChanges: ResourceChangeRow[] = [];
  /** Activity Log events, all resource groups */
  readonly activityLog: ActivityLogEvent[] = [];

  constructor(snapshots: AzureSnapshot[]) {
    for (const snap of snapshots) {
      const sub = snap.scope.subscriptionId;
      if (sub) {
        this.subscriptions.add(sub.toLowerCase());
        if (snap.scope.resourceGroup) this.addRg(sub, snap.scope.resourceGroup, undefined);
      }
      for (const r of snap.resources) {
        const k = key(r.id);
        if (this.resources.has(k)) continue;
        this.resources.set(k, r);
        const m = SUB_RG.exec(r.id.toLowerCase());
        if (m) {
          const parts = r.id.split("/");
          this.subscriptions.add(m[1] as string);
          this.addRg(parts[2] as string, parts[4] as string, r.location);
        }
      }
      const obs = snap.observations ?? {};
      for (const [id, body] of Object.entries(obs.ruleHealth ?? {})) if (!this.ruleHealth.has(key(id))) this.ruleHealth.set(key(id), body);
      for (const [id, body] of Object.entries(obs.effectiveNetworkSecurityGroups ?? {}))
        if (!this.effectiveNsgs.has(key(id))) this.effectiveNsgs.set(key(id), body);
      for (const [id, body] of Object.entries(obs.guest ?? {})) if (!this.guest.has(key(id))) this.guest.set(key(id), body);
      for (const [id, bodies] of Object.entries(obs.metrics ?? {})) if (!this.metrics.has(key(id))) this.metrics.set(key(id), bodies);
      for (const rows of Object.values(obs.resourceChanges ?? {})) this.resourceChanges.push(...(rows ?? []));
      for (const events of Object.values(obs.activityLog ?? {})) this.activityLog.push(...(events ?? []));
    }
    for (const [k, r] of this.resources) this.indexNested(k, r.properties);
  }

  private addRg(subscriptionId: string, name: string, location: string | undefined): void {
    const k = `${subscriptionId}/${name}`.toLowerCase();
    const known = this.resourceGroups.get(k);
    if (!known) this.resourceGroups.set(k, { subscriptionId, name, location });
    else if (!known.location && location) known.location = location;
  }

  /** Indexes objects with an `id` and a `name` below a resource: the sub-resources ARM serves by id. */
  private indexNested(rootKey: string, value: unknown): void {
    if (Array.isArray(value)) {
      for (const v of value) this.indexNested(rootKey, v);
      return;
    }
    if (!value || typeof value !== "object") return;
    const o = value as Record<string, unknown>;
    if (typeof o.id === "string" && typeof o.name === "string") {
      const k = key(o.id);
      if (k.startsWith(`${rootKey}/`) && !this.resources.has(k) && !this.nested.has(k)) this.nested.set(k, o);
    }
    for (const v of Object.values(o)) this.indexNested(rootKey, v);
  }

  hasSubscription(sub: string): boolean {
    return this.subscriptions.has(sub.toLowerCase());
  }

  resourceGroup(sub: string, rg: string) {
    return this.resourceGroups.get(`${sub}/${rg}`.toLowerCase());
  }

  /** Every location of the snapshots' resources, sorted (what a NoRegisteredProviderFound answer lists). */
  locations(): string[] {
    const out = new Set<string>();
    for (const r of this.resources.values()) if (r.location) out.add(r.location.toLowerCase());
    return [...out].sort();
  }

  /** The location of the resource a path names (its top-level resource's, else its resource group's). */
  locationOf(path: string): string | undefined {
    const parts = key(path).split("/");
    const top = parts.slice(0, 9).join("/");
    const r = this.resources.get(top);
    if (r?.location) return r.location.toLowerCase();
    return this.resourceGroup(parts[2] ?? "", parts[4] ?? "")?.location?.toLowerCase();
  }

  get(id: string): unknown {
    const k = key(id);
    return this.resources.get(k) ?? this.nested.get(k);
  }

  /** Resources whose id is `<collection>/<name>` (lower-cased `collection`). */
  children(collection: string): ArmResource[] {
    const c = key(collection);
    return [...this.resources].filter(([k]) => parentOf(k) === c).map(([, r]) => r);
  }

  /** Resources whose lower-cased id matches. */
  matching(re: RegExp): ArmResource[] {
    return [...this.resources].filter(([k]) => re.test(k)).map(([, r]) => r);
  }

  /** A VM's primary private IP, through its primary NIC (or any NIC naming the VM). */
  vmPrivateIp(vmId: string): string | undefined {
    const vm = this.resources.get(key(vmId));
    const refs = ((vm?.properties?.networkProfile as { networkInterfaces?: unknown } | undefined)?.networkInterfaces ?? []) as Array<{
      id?: string;
      primary?: boolean;
      properties?: { primary?: boolean };
    }>;
    const primaryRef = refs.find((r) => r.properties?.primary === true || r.primary === true) ?? refs[0];
    let nic = primaryRef?.id ? this.resources.get(key(primaryRef.id)) : undefined;
    if (!nic) {
      nic = [...this.resources.values()].find(
        (r) => (r.properties?.virtualMachine as { id?: string } | undefined)?.id?.toLowerCase() === key(vmId),
      );
    }
    const ipcs = (nic?.properties?.ipConfigurations ?? []) as Array<{ properties?: { primary?: boolean; privateIPAddress?: string } }>;
    const ipc = ipcs.find((c) => c.properties?.primary === true) ?? ipcs[0];
    return ipc?.properties?.privateIPAddress;
  }
}

/** A VM or VMSS instance id? (those carry `properties.instanceView`, served only with `$expand=instanceView`). */
export function isVmId(id: string): boolean {
  return VM_ID.test(key(id));
}

/** The resource as served without `$expand=instanceView`: `properties.instanceView` left out, everything else (and key order) kept. */
export function withoutInstanceView<T>(r: T): T {
  const o = r as Record<string, unknown>;
  const props = o.properties as Record<string, unknown> | undefined;
  if (!props || typeof props !== "object" || !("instanceView" in props)) return r;
  const { instanceView: _, ...rest } = props;
  return { ...o, properties: rest } as T;
}
