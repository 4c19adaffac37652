import { type AzureModel, buildAzureModel } from "../azure/model.ts";
import type { AzureSnapshot } from "../snapshot/types.ts";
import type { ProviderAdapter } from "./types.ts";

export const azureProvider: ProviderAdapter<AzureModel> = {
  buildModel: (snapshot, context) => buildAzureModel(snapshot as AzureSnapshot, context),
  loadBalancers: (model) =>
    bySubscription(model.loadBalancers).map((lb) => ({
      id: lb.id,
      key: lb.key,
      name: lb.name,
      sku: lb.sku,
      kind: lb.isInternal ? "internal" : "public",
      frontends: lb.frontends.map((f) => f.publicIp?.ipAddress ?? f.privateIp ?? f.name),
      ...(lb.resourceGroup ? { group: lb.resourceGroup } : {}),
    })),
  inGroup: (finding, group) => finding.resourceId.toLowerCase().includes(`/resourcegroups/${group.toLowerCase()}/`),
  scopeGroup: (snapshot) => (typeof snapshot.scope.resourceGroup === "string" ? snapshot.scope.resourceGroup : undefined),
};

/** Load balancers grouped by subscription (a Resource Graph snapshot spans several), by name within each; one subscription: unchanged. */
function bySubscription<T extends { id: string }>(lbs: T[]): T[] {
  const sub = (id: string) => id.split("/")[2]?.toLowerCase() ?? "";
  if (new Set(lbs.map((lb) => sub(lb.id))).size <= 1) return lbs;
  return [...lbs].sort((a, b) => (sub(a.id) < sub(b.id) ? -1 : sub(a.id) > sub(b.id) ? 1 : 0));
}
