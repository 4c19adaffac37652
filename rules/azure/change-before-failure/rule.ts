import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { CHANGE_MESSAGES, checkChangeBeforeFailure } from "../../../src/core/timeline/checks.ts";
import type { AzureModel } from "../../../src/providers/azure/model.ts";

export default defineRule<AzureModel>({
  id: "azure/change-before-failure",
  provider: "azure",
  severity: "critical",
  title: "A change shortly before a member's health dropped",
  description:
    "With time data in the snapshot (`check --since`, `timeline`), lbdoctor reads the window's property-level changes (Resource Graph " +
    "`resourcechanges`: before → after, who, when) and Activity Log writes, and each member's probe health (`DipAvailability` per " +
    "`BackendIPAddress`). A change to a resource on a member's path (its NIC, VM, subnet, VNet, NSGs, route table or the load balancer), " +
    "made while the member was up (up in the minute the change was made in counts, whatever the minute before it said) and followed by " +
    "its drop, is named as the likely cause (a change made while it was down, most often the fix, never is): the change, " +
    "who made it, when, the before → " +
    "after values, and the command that reverts it. It is linked to the failing findings whose evidence cites the changed resource, " +
    "and ranked first. Changes too close to one drop for the samples to order them are each reported, naming the others, and the " +
    "timeline marks the one the failing findings point at (the change set aside explains nothing); a drop found after a gap in the metrics (up at the last sample before it, down at the first after it) is dated by " +
    "both samples, and the changes made in the gap, with the nearest change before it, are its candidates, which the samples cannot order: the failing " +
    "findings decide, and when they cannot, none is marked; a change to tags only cannot break traffic: it gets no finding of its own (never a fail " +
    "nor an unknown), no other change's finding names it as a rival, and the timeline sets it aside for a rival that changed more. A change made when the member's " +
    "health is otherwise unknown (no sample within three of the series' intervals before it, and not up before the gap; or in the first down sample's " +
    "own interval after a gap), or that no sample follows, or too few for a drop to show (the metrics end within two of their intervals of it: a " +
    "member counts as down only after several failed probes), or that a gap in the middle of the metrics follows (made inside it, or within two " +
    "intervals before its first missing sample) with the member up after the gap (it may have gone down and come back up in the gap, unseen), " +
    "or that comes one of the series' intervals or more before the metrics' first sample with the member up at it (the same gap, at the " +
    "start of the series; a change less than an interval before it is followed by the samples, as one inside a sample's interval is), is unknown, not a " +
    "cause, and never a pass. A change on the path of a member that has no `DipAvailability` sample in the window at all, though it could " +
    "have had some (the metric was read, the member's pool is behind a rule with a probe, and its VM was not stopped the whole window as far " +
    "as the snapshot and the recorded changes tell), is unknown for it too, unless the change is the cause of another member's drop; a " +
    "change made before a member joined the pool (as a resource change records, its samples, if any, starting after it), after its VM was " +
    "deallocated for good, or after the samples of an address that is in no pool now have ended (it left the pool), is nothing for that member. " +
    "A member that came back up twice or more in the five intervals before a change was already flapping: a drop after the change may be " +
    "one more of its own, so the change is unknown for it, not a cause.",
  reads: [
    "azure:metrics",
    "azure:changes",
    "azure:loadBalancers",
    "azure:nics",
    "azure:nsgs",
    "azure:vnets",
    "azure:vms",
    "azure:routeTables",
  ],
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/governance/resource-graph/how-to/get-resource-changes",
      title: "Get resource changes (Azure Resource Graph)",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/azure-monitor/reference/supported-metrics/microsoft-network-loadbalancers-metrics",
      title: "Supported metrics for Microsoft.Network/loadBalancers",
    },
    { url: "https://learn.microsoft.com/en-us/rest/api/monitor/activitylogs/list", title: "Activity Logs - List (Azure Monitor REST API)" },
  ],
  references: [
    "https://learn.microsoft.com/azure/governance/resource-graph/how-to/get-resource-changes",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-standard-diagnostics",
  ],
  messages: { ...CHANGE_MESSAGES },
  remediation:
    "Revert the change (the command is printed with the finding, values quoted for the shell), or fix forward; then re-run " +
    "`lbdoctor timeline` to see the members come back up. Ask the person who made it first: the change may have been deliberate.",
  explains: [
    "azure/backend-unhealthy",
    "azure/probe-blocked-by-nsg",
    "azure/data-port-blocked-by-nsg",
    "azure/port-not-listening",
    "azure/backend-vm-stopped",
    "azure/probe-port-mismatch",
    "azure/probe-protocol-mismatch",
    "azure/backend-pool-empty",
    "azure/vm-not-in-pool",
    "azure/udr-asymmetric-route",
    "azure/admin-state-down",
    "azure/probe-flapping",
  ],
  explainsByEvidence: true,
  check(ctx) {
    checkChangeBeforeFailure(ctx, ctx.model.loadBalancers);
  },
});
