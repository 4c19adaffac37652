import { type AzureModel, buildAzureModel } from "../azure/model.ts";
import type { AzureSnapshot } from "../snapshot/types.ts";
import type { ProviderAdapter } from "./types.ts";

export const azureProvider: ProviderAdapter<AzureModel> = {
  buildModel: (snapshot, context) => buildAzureModel(snapshot as AzureSnapshot, context),
  loadBalancers: (model) =>
    model.loadBalancers.map((lb) => ({
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
