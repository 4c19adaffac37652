/**
 * The provider adapter: everything a command needs from a cloud, so that
 * nothing outside `src/providers/` branches on the provider. The core (this
 * folder) never imports a provider; `src/providers/index.ts` hands out the
 * adapter for a snapshot, loaded lazily.
 */
import type { TagsOf } from "./config/suppress.ts";
import type { DiffAdapter } from "./diff/compare.ts";
import type { Finding, Model, ModelContext } from "./engine/types.ts";
import type { Inspector } from "./inspect.ts";
import type { IO } from "./io.ts";
import type { LiveOptions } from "./live.ts";
import type { ProviderId, Snapshot } from "./snapshot/types.ts";
import type { DataSource } from "./source.ts";

/** A load balancer as the report lists it, whatever the cloud. */
export interface LoadBalancerInfo {
  id: string;
  key: string;
  name: string;
  sku: string;
  kind: "public" | "internal";
  frontends: string[];
  /** a resource group (Azure) or region (AWS) that a positional target may name */
  group?: string;
}

/** A snapshot and where it came from. */
export interface Acquired {
  snapshot: Snapshot;
  /** for the report header: a file name, or "live: …" */
  source: string;
  live: boolean;
}

export interface ProviderAdapter<M extends Model = Model> {
  id: ProviderId;
  /** what a positional group is called: "resource group", "region" */
  groupNoun: string;
  buildModel(snapshot: Snapshot, context: ModelContext): M;
  loadBalancers(model: M): LoadBalancerInfo[];
  /** does a finding without a load balancer belong to the group the user named? */
  inGroup(finding: Finding, group: string): boolean;
  /** the scope's own group (resource group, region), for narrowing by name */
  scopeGroup(snapshot: Snapshot): string | undefined;
  /** the tags of the resource a finding is about (suppressions by tag) */
  tagsOf(snapshot: Snapshot): TagsOf;
  /** the keys a resource id relates under: its own and its containing resource's (diff ranking) */
  relatedKeys(id: string): string[];
  /** how `diff` lists a snapshot's entities and compares ids */
  diff: DiffAdapter;
  /** how many resources a snapshot holds (progress lines) */
  resourceCount(snapshot: Snapshot): number;
  /** the load-balancer and trace views, where the provider has them */
  inspector?(model: M): Inspector;
  /** the TUI's live source for a scope, when the provider streams its own progress and can watch it; else undefined */
  liveSource?(target: string | undefined, opts: LiveOptions): DataSource | undefined;
  /** a live scope in words, before collection ("AWS region us-west-2, every load balancer") */
  describeScope(target: string | undefined, opts: LiveOptions): string;
  /** why watch mode cannot run on a live scope the provider has no live source for */
  watchUnavailable(target: string | undefined, opts: LiveOptions): string;
  /** live collection, read-only; loads the SDKs lazily */
  collect(target: string | undefined, opts: LiveOptions, io: IO, showProgress: boolean): Promise<Acquired>;
}
