/**
 * The provider adapter: everything a command needs from a cloud, so that
 * nothing outside `src/providers/` branches on the provider. The core (this
 * folder) never imports a provider; `src/providers/index.ts` hands out the
 * adapter for a snapshot, loaded lazily.
 */
import type { CollectEvent } from "./collect/events.ts";
import type { TagsOf } from "./config/suppress.ts";
import type { DiffAdapter } from "./diff/compare.ts";
import type { Finding, Model, ModelContext } from "./engine/types.ts";
import type { Inspector } from "./inspect.ts";
import type { IO } from "./io.ts";
import type { LiveOptions } from "./live.ts";
import type { Gap, ProviderId, Snapshot } from "./snapshot/types.ts";
import type { DataSource } from "./source.ts";

/** A load balancer as the report lists it, whatever the cloud. */
export interface LoadBalancerInfo {
  id: string;
  key: string;
  name: string;
  sku: string;
  /** gateway: a gateway load balancer (AWS GWLB, Azure Gateway SKU), reached through a chain, neither public nor internal */
  kind: "public" | "internal" | "gateway";
  frontends: string[];
  /** a resource group (Azure) or region (AWS) that a positional target may name */
  group?: string;
  /** the backends the platform observed (rule health, target health): how many serve, of how many; absent when none was observed */
  members?: { up: number; total: number };
}

/** A snapshot and where it came from. */
export interface Acquired {
  snapshot: Snapshot;
  /** for the report header: a file name, or "live: …" */
  source: string;
  live: boolean;
}

/** `lbdoctor emulator`'s options, checked for range by the command; a provider refuses the ones it has no use for (exit 2). */
export interface EmulatorOptions {
  port?: number;
  pageSize?: number;
  latencyMs?: number;
  /** how long long-running operations take (Azure) */
  lroMs?: number;
  /** the Retry-After, in seconds, that every long-running operation's 202 sends (Azure; absent: none) */
  lroRetryAfterSeconds?: number;
  /** accept only requests signed with this access key id (AWS) */
  accessKeyId?: string;
  /** enforce the documented Describe* token buckets per account and region (AWS) */
  throttle?: boolean;
}

/** An emulator serving snapshots on 127.0.0.1. */
export interface RunningEmulator {
  /** "ARM emulator", "AWS emulator" */
  name: string;
  url: string;
  /** how to point lbdoctor (or the cloud's own CLI) at it: the lines printed after "listening on …" */
  howTo: string[];
  /** the positional target and live flags of a `check` against it (the demo) */
  check: { target: string | undefined; options: LiveOptions };
  /** requests served, by operation */
  counts(): Record<string, number>;
  total(): number;
  close(): Promise<void>;
}

/** `lbdoctor trace`'s options. */
export interface TraceOptions {
  from: string;
  to: string;
  protocol: "tcp" | "udp" | "icmp";
  format: "text" | "json";
  /** false: ignore observed effective rules, evaluate the resources (Azure) */
  effective: boolean;
  /** the load balancer whose path to take, when the target sits behind several (AWS) */
  lb?: string;
  color: boolean;
}

export interface ProviderAdapter<M extends Model = Model> {
  id: ProviderId;
  /** what a positional group is called: "resource group", "region" */
  groupNoun: string;
  /** builds the model; its collection gaps carry `covers` (gapData) and `affects`, which the engine reads */
  buildModel(snapshot: Snapshot, context: ModelContext): M;
  /** does a `--from` entry name a machine (VM, instance) in the model? what it is called ("VM", "instance") */
  fromNames(model: M, entry: string): boolean;
  machineNoun: string;
  /** the data keys (`reads` of the rules, DATA_KEYS[provider]) a snapshot gap leaves incomplete */
  gapData(gap: Gap): string[];
  loadBalancers(model: M): LoadBalancerInfo[];
  /** does a finding without a load balancer belong to the group the user named? (`region`: where `locate` placed it) */
  inGroup(finding: Pick<Finding, "resourceId" | "loadBalancerId" | "region">, group: string): boolean;
  /** the scope's own group (resource group, region), for narrowing by name */
  scopeGroup(snapshot: Snapshot): string | undefined;
  /**
   * The group a snapshot of one group (`scopeGroup`) is diagnosed as when no target is given, when it holds resources of
   * other groups, as the live check that collected it was (Azure: another group's load balancer whose pool holds the
   * group's NICs, a hub's VNet and appliance that the group's routes name, are fetched by reference); undefined: the
   * whole snapshot
   */
  replayGroup?(snapshot: Snapshot): string | undefined;
  /** the tags of the resource a finding is about (suppressions by tag) */
  tagsOf(snapshot: Snapshot): TagsOf;
  /** the keys a resource id relates under: its own and its containing resource's (diff ranking) */
  relatedKeys(id: string): string[];
  /** how `diff` lists a snapshot's entities and compares ids */
  diff: DiffAdapter;
  /** how many resources a snapshot holds (progress lines) */
  resourceCount(snapshot: Snapshot): number;
  /**
   * A printed fix command, complete: the subscription (`az`) or region (`aws`) the finding's resource is in, so that
   * it does not run against whatever the shell's default is. Applied by `diagnose` to every finding's remediation and to
   * the revert command of every recorded change (timeline).
   */
  completeCommand?(command: string, about: Pick<Finding, "resourceId" | "loadBalancerId">, model: M): string;
  /**
   * Where a finding's resource is, for providers whose ids do not say it (AWS: an `sg-…` names no region or account);
   * `diagnose` sets the finding's `region` and `account` from it. The same place `completeCommand` completes for.
   */
  locate?(about: Pick<Finding, "resourceId" | "loadBalancerId">, model: M): { region?: string; account?: string };
  /**
   * The model narrowed to the places (AWS regions and accounts) the positional scope names, so that another place's
   * objects, gaps and time data stay out of the analysis; undefined when there is nothing to narrow. Evidence pointers
   * still point into the snapshot as loaded.
   */
  narrowModel?(model: M, scope: { loadBalancerIds: string[]; groups: string[] }): M | undefined;
  /** the load-balancer and trace views, where the provider has them */
  inspector?(model: M): Inspector;
  /** the TUI's live source for a scope, when the provider streams its own progress and can watch it; else undefined */
  liveSource?(target: string | undefined, opts: LiveOptions): DataSource | undefined;
  /** a live scope in words, before collection ("AWS region us-west-2, every load balancer") */
  describeScope(target: string | undefined, opts: LiveOptions): string;
  /** why watch mode cannot run on a live scope the provider has no live source for */
  watchUnavailable(target: string | undefined, opts: LiveOptions): string;
  /** live collection, read-only; loads the SDKs lazily; its events go to `onEvent` when given (the TUI), else to stderr when `showProgress` */
  collect(
    target: string | undefined,
    opts: LiveOptions,
    io: IO,
    showProgress: boolean,
    onEvent?: (e: CollectEvent) => void,
  ): Promise<Acquired>;
  /** serves snapshots (all of this provider) as the cloud's API on 127.0.0.1; loads the emulator lazily */
  serve?(snapshots: Snapshot[], opts: EmulatorOptions): Promise<RunningEmulator>;
  /** evaluates one flow through the network rules, layer by layer, and prints it; the exit code (0 allowed, 1 not) */
  trace?(snapshot: Snapshot, opts: TraceOptions, io: IO): Promise<number>;
  /** masks a snapshot's identifiers, addresses and tags for sharing, in place */
  redact?(doc: Record<string, unknown>, snapshot: Snapshot): Promise<void>;
}
