import type { Finding, Model, ModelContext } from "../engine/types.ts";
import type { Snapshot } from "../snapshot/types.ts";

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

/** What the commands need from a provider, so that they never branch on it. */
export interface ProviderAdapter<M extends Model = Model> {
  buildModel(snapshot: Snapshot, context: ModelContext): M;
  loadBalancers(model: M): LoadBalancerInfo[];
  /** does a finding without a load balancer belong to the group the user named? */
  inGroup(finding: Finding, group: string): boolean;
  /** the scope's own group (resource group, region), for narrowing by name */
  scopeGroup(snapshot: Snapshot): string | undefined;
}
