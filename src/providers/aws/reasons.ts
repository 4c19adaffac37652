/**
 * Target health as DescribeTargetHealth reports it: every documented state
 * and reason code (TargetHealthStateEnum, TargetHealthReasonEnum of the
 * ELBv2 API), what it means, what to look at next, and which lbdoctor rules
 * find a cause for it (they declare `explains: ["aws/targets-unhealthy"]`).
 */

export type TargetHealthState = "initial" | "healthy" | "unhealthy" | "unhealthy.draining" | "unused" | "draining" | "unavailable";

export const TARGET_HEALTH_STATES: Record<TargetHealthState, string> = {
  initial: "the load balancer is registering the target or running its first health checks",
  healthy: "the target passes its health checks and receives traffic",
  unhealthy: "the target fails its health checks and gets no new requests (unless every target fails: then the load balancer fails open)",
  "unhealthy.draining": "the target failed its health checks and its existing connections are being drained",
  unused: "the target is registered but the load balancer does not route to it",
  draining: "the target is being deregistered: it gets no new requests while the deregistration delay runs",
  unavailable: "the load balancer does not health-check the target",
};

export interface TargetHealthReason {
  code: string;
  /** the states AWS reports the code with */
  states: TargetHealthState[];
  /** what AWS documents it to mean */
  meaning: string;
  /** what to look at next */
  next: string;
  /** the rules that find a cause of it on the same target */
  causes: string[];
}

const NETWORK_CAUSES = ["aws/target-sg-blocks-health-check", "aws/nacl-blocks-health-check", "aws/lb-sg-egress-blocks-targets"];

const LIST: TargetHealthReason[] = [
  {
    code: "Elb.RegistrationInProgress",
    states: ["initial"],
    meaning: "the target is being registered with the load balancer",
    next: "wait for registration to finish and collect again",
    causes: [],
  },
  {
    code: "Elb.InitialHealthChecking",
    states: ["initial"],
    meaning: "the load balancer is still sending the minimum number of health checks needed to decide the target's health",
    next: "wait one health-check interval times the healthy threshold and collect again",
    causes: [],
  },
  {
    code: "Target.ResponseCodeMismatch",
    states: ["unhealthy"],
    meaning: "the health check got an HTTP code the matcher does not accept (wrong path or matcher, a redirect, or an application error)",
    next: "compare the health-check path and matcher with what the application answers on the target's own address",
    causes: ["aws/health-check-path-mismatch"],
  },
  {
    code: "Target.Timeout",
    states: ["unhealthy"],
    meaning:
      "the health check timed out (a security group or network ACL drops it, nothing listens on the port, a host firewall drops it, or the target is overloaded)",
    next: "check the security groups and network ACLs on the path, then the listener and host firewall on the target",
    causes: NETWORK_CAUSES,
  },
  {
    code: "Target.FailedHealthChecks",
    states: ["unhealthy"],
    meaning: "the connection to the target failed (refused or reset) or its response was malformed",
    next: "check that the application listens on the health-check port and answers the health-check protocol",
    causes: NETWORK_CAUSES,
  },
  {
    code: "Elb.InternalError",
    states: ["unhealthy", "unavailable"],
    meaning: "the health checks failed, or the target's health is unavailable, because of an internal error of the load balancer",
    next: "collect again; if it persists, check the AWS Health Dashboard and open a support case",
    causes: [],
  },
  {
    code: "Target.NotRegistered",
    states: ["unused"],
    meaning: "the target is not registered with the target group",
    next: "register the target, or stop expecting traffic on it",
    causes: [],
  },
  {
    code: "Target.NotInUse",
    states: ["unused"],
    meaning:
      "the target group is not used by any load balancer, or the target is in an Availability Zone the load balancer has not enabled",
    next: "enable the target's Availability Zone on the load balancer, or attach the target group to a listener",
    causes: ["aws/target-az-not-enabled"],
  },
  {
    code: "Target.InvalidState",
    states: ["unused"],
    meaning: "the target instance is stopped or terminated",
    next: "start the instance, or deregister it and let the Auto Scaling group replace it",
    causes: ["aws/target-stopped"],
  },
  {
    code: "Target.IpUnusable",
    states: ["unused"],
    meaning: "the target's IP address is reserved for use by a load balancer",
    next: "register another address (one that is not a load balancer node's)",
    causes: [],
  },
  {
    code: "Target.DeregistrationInProgress",
    states: ["draining"],
    meaning: "the target is being deregistered and the deregistration delay has not expired yet",
    next: "nothing, unless the deregistration was not intended",
    causes: [],
  },
  {
    code: "Target.HealthCheckDisabled",
    states: ["unavailable"],
    meaning: "health checks are disabled for the target group",
    next: "enable health checks so that failed targets stop receiving traffic",
    causes: [],
  },
];

/** Every documented reason code, keyed by the code as AWS spells it. */
export const TARGET_HEALTH_REASONS: Readonly<Record<string, TargetHealthReason>> = Object.fromEntries(LIST.map((r) => [r.code, r]));

const BY_LOWER = new Map(LIST.map((r) => [r.code.toLowerCase(), r]));

/** The documented reason for a code (case-insensitive), or undefined for an undocumented one. */
export function targetHealthReason(code: string | undefined): TargetHealthReason | undefined {
  return code ? BY_LOWER.get(code.toLowerCase()) : undefined;
}

/** The meaning of a state + reason pair, as one phrase (Elb.InternalError reads differently for `unavailable`). */
export function reasonMeaning(state: string | undefined, code: string | undefined): string {
  const r = targetHealthReason(code);
  if (!r) return code ? "an undocumented reason code" : "no reason code given";
  if (r.code === "Elb.InternalError" && state === "unavailable")
    return "the target's health is unavailable because of an internal error of the load balancer";
  if (r.code === "Elb.InternalError") return "the health checks failed because of an internal error of the load balancer";
  return r.meaning;
}

/** The state normalized (lower case), when it is a documented one. */
export function healthState(state: string | undefined): TargetHealthState | undefined {
  const s = state?.toLowerCase();
  return s && s in TARGET_HEALTH_STATES ? (s as TargetHealthState) : undefined;
}
