/**
 * The AWS model: the snapshot's API objects (PascalCase, as `aws … --output
 * json` prints them), typed, normalized and cross-referenced:
 *
 *   load balancer → listeners → actions/rules → target groups → targets
 *   target → instance → subnet → network ACL / route table, instance → security groups
 *   load balancer → subnets, security groups; target group ↔ Auto Scaling groups
 *
 * Every model object keeps `ptr`, the JSON Pointer of its wire object in the
 * snapshot, so that a finding's evidence points at the exact field it read.
 * A reference to something the snapshot does not hold becomes a gap (kind
 * `dangling-reference`), never a crash; the snapshot's own gaps are kept as
 * `collection` gaps.
 *
 * One file per section: types.ts (the model's shape), state.ts (what the
 * section builders share), network.ts (security groups, NACLs, route tables,
 * subnets), instances.ts, load-balancers.ts, target-groups.ts, listeners.ts,
 * targets.ts, autoscaling.ts, observations.ts, queries.ts; build.ts runs them
 * in order.
 */
export { buildAwsModel } from "./build.ts";
export { gapsFor, listGaps } from "./queries.ts";
export { arnRegion } from "./read.ts";
export type * from "./types.ts";
