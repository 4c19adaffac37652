/**
 * The Azure model: the snapshot's wire resources, typed, normalized and
 * cross-referenced (LB → rule → pool → member → NIC → subnet → NSG).
 *
 * Every model object keeps `ptr`, the JSON Pointer of its wire object in the
 * snapshot, so a finding's evidence points at the exact field it read.
 * A reference to something the snapshot does not hold is recorded as a gap
 * (kind `dangling-reference`); it is never a crash.
 *
 * One file per section: types.ts (the model's shape), state.ts (what the
 * section builders share), leaves.ts, network.ts, compute.ts,
 * load-balancers.ts, observations.ts, nsg-rules.ts, queries.ts; build.ts
 * runs them in order.
 */
export { buildAzureModel } from "./build.ts";
export { spelledRef } from "./load-balancers.ts";
export { DEFAULT_RULES, readEffectiveRule, readSecurityRule } from "./nsg-rules.ts";
export { gapsFor, lbFrontendIp, listGaps, vnetSpaceOf } from "./queries.ts";
export type * from "./types.ts";
