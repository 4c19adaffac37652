import { healthyWeb, ids, WEB_LB, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const POOL = `${WEB_LB}/pool-web`;

/** The reference LB with a two-instance scale set; `inPool` says which instances' NICs are in pool-web. */
const scaleSet = (modelPools: string[], inPool: [boolean, boolean], mode?: "Manual" | "Automatic" | "Rolling" | null) =>
  healthyWeb()
    .vmss("vmss-web")
    .vmssModel("vmss-web", { subnet: WEB_SUBNET, pools: modelPools, ...(mode === undefined ? {} : { upgradeMode: mode }) })
    .vm("vmss-web_0", { subnet: WEB_SUBNET, ip: "10.0.0.10", pools: inPool[0] ? [POOL] : [], vmss: { name: "vmss-web", instanceId: "0" } })
    .vm("vmss-web_1", { subnet: WEB_SUBNET, ip: "10.0.0.11", pools: inPool[1] ? [POOL] : [], vmss: { name: "vmss-web", instanceId: "1" } });

export const cases: RuleCases = {
  valid: [
    { name: "both instances in the pool the model names", snapshot: scaleSet([POOL], [true, true]).build() },
    { name: "no pool in the model, none on the instances (no upgrade policy set)", snapshot: scaleSet([], [false, false], null).build() },
  ],
  invalid: [
    {
      name: "pool added to the model; instance 1 still runs the old model and is not in the pool",
      snapshot: scaleSet([POOL], [true, false]).latestModelApplied("vmss-web", "1", false).build(),
      errors: [{ messageId: "notInPool", resourceId: ids.vmss("vmss-web"), severity: "high" }],
    },
    {
      name: "pool removed from the model; both instances still in it",
      snapshot: scaleSet([], [true, true]).latestModelApplied("vmss-web", "0", false).latestModelApplied("vmss-web", "1", false).build(),
      errors: [{ messageId: "stillInPool", resourceId: ids.vmss("vmss-web"), severity: "medium" }],
    },
  ],
  unknown: [
    {
      name: "an instance outside the model's pool claims to run the latest model",
      snapshot: scaleSet([POOL], [true, false]).build(),
      reason: "latestModelApplied: true",
    },
    {
      name: "an instance's NIC is not in the snapshot",
      snapshot: scaleSet([POOL], [true, true]).remove(ids.vmssNic("vmss-web", "1")).build(),
      reason: "are not in the snapshot",
    },
  ],
  notApplicable: [{ name: "no scale sets", snapshot: healthyWeb().build() }],
};
