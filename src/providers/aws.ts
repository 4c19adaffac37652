import { type AwsModel, arnRegion, buildAwsModel } from "../aws/model.ts";
import type { AwsSnapshot } from "../snapshot/types.ts";
import type { ProviderAdapter } from "./types.ts";

export const awsProvider: ProviderAdapter<AwsModel> = {
  buildModel: (snapshot, context) => buildAwsModel(snapshot as AwsSnapshot, context),
  loadBalancers: (model) =>
    model.loadBalancers.map((lb) => {
      const group = lb.region ?? model.region;
      return {
        id: lb.arn,
        key: lb.key,
        name: lb.name,
        sku: lb.type,
        kind: lb.internetFacing ? "public" : "internal",
        frontends: lb.dnsName ? [lb.dnsName] : [],
        ...(group ? { group } : {}),
      };
    }),
  // a finding on an ARN belongs to the ARN's region; plain ids (sg-…, i-…, subnet-…) carry none, and a snapshot covers one region
  inGroup: (finding, group) => {
    const region = arnRegion(finding.resourceId);
    return region === undefined || region.toLowerCase() === group.toLowerCase();
  },
  scopeGroup: (snapshot) => (typeof snapshot.scope.region === "string" ? snapshot.scope.region : undefined),
};
