/**
 * Time data, provider-neutral: the window a snapshot covers, health series per
 * member, traffic spikes and the changes made to resources, each pointing back
 * into the snapshot. Each provider's model builds it from its own wire data
 * (`observations.window` and the provider's metric, change and audit keys);
 * rules and the timeline read only this.
 */

/** The time range the time data covers (RFC 3339), from `observations.window`. */
export interface TimeWindow {
  from: string;
  until: string;
}

/** One sample of a health series: `up` is the state the platform reported for that minute. */
export interface HealthPoint {
  t: string;
  up: boolean;
  /** the metric value behind `up` (percent available, or a count of healthy hosts) */
  value: number;
}

export interface HealthSeries {
  /** stable: the member's normalized id (and zone, for per-zone counts) */
  key: string;
  /** the member the series is about: a pool member (Azure), a target group in a zone (AWS) */
  resourceId: string;
  label: string;
  loadBalancerId: string;
  /** the metric it comes from, e.g. `DipAvailability` */
  metric: string;
  /** normalized ids of the resources on this member's path: a change to one can break it */
  path: string[];
  /** JSON Pointer to the series in the snapshot */
  pointer: string;
  points: HealthPoint[];
  /**
   * the series' grain in milliseconds, as the API answered it (an Azure body's `interval`, a CloudWatch query's
   * `Period`): how long one sample stands for. Unset when the wire did not say (a series made by hand); then
   * sampleStep guesses it from the samples' spacing.
   */
  step?: number;
  /** what decides `up`, in words ("≥ 50 % of probes answered") */
  rule: string;
  /**
   * when the member joined inside the window, as a recorded change shows (added to a pool, its NIC or VM created) and
   * no sample contradicts (the series starts after it): a change made before it is none of the member's business.
   * Unset: there from the start of the window.
   */
  since?: string;
  /**
   * when the member left inside the window (no longer a member when the snapshot was taken, its samples ending inside
   * the window: the end of its last sample's interval): a change made from then on is none of its business. Unset:
   * there to the end of the window.
   */
  until?: string;
}

/** A minute where an error or exhaustion metric went above zero (or above its threshold). */
export interface Spike {
  t: string;
  loadBalancerId: string;
  /** the member, when the metric is split by one */
  resourceId?: string;
  metric: string;
  label: string;
  value: number;
  pointer: string;
}

export interface PropertyChange {
  path: string;
  before?: unknown;
  after?: unknown;
  /** Insert | Update | Remove (Azure resource changes) */
  type?: string;
}

export interface Change {
  /** stable within the snapshot */
  id: string;
  time: string;
  resourceId: string;
  resourceName: string;
  /** e.g. `Microsoft.Network/networkSecurityGroups/write`, `RevokeSecurityGroupIngress` */
  operation: string;
  kind: "create" | "update" | "delete" | "action";
  who?: string;
  status?: string;
  correlationId?: string;
  properties: PropertyChange[];
  /** one line: what changed, before → after */
  summary: string;
  /** commands that undo it, quoted for a POSIX shell; empty when no safe command is known */
  revert: string[];
  /** where it was read: `resourcechanges`, `activity log`, `cloudtrail` */
  source: string;
  pointer: string;
}

/**
 * A member whose health the metrics could have shown in the window, and who has no sample in it: its load balancer's
 * health metric was asked for and answered (when it was not, that is a gap: `missing`), and the member was there to
 * report on (not a VM stopped the whole window, nor an Availability Zone with no registered target, which the
 * platform reports nothing for). A change on its path, made while it could be observed, is unknown for it: nothing
 * shows what the change did to it.
 */
export interface UnobservedMember {
  /** the series it would have, with no points: its key, label, path, metric, and a pointer to where it would be */
  series: HealthSeries;
  /** when it became observable inside the window, as the recorded changes show (added to a pool, its NIC created); unset: from its start */
  since?: string;
  /** when it stopped being observable inside the window, for good (its VM deallocated, as a recorded change shows); unset: to its end */
  until?: string;
}

export interface TimeData {
  window: TimeWindow;
  series: HealthSeries[];
  /** the members with no health sample in the window that could have had some (see UnobservedMember); none when unset */
  unobserved?: UnobservedMember[];
  spikes: Spike[];
  changes: Change[];
  /** operations of the time data that failed (the rules that depend on them are unknown) */
  missing: Array<{ what: "metrics" | "changes"; operation: string; message: string; resourceId?: string }>;
}
