/**
 * What DescribeTargetHealth says about a target beyond its health state:
 * anomaly detection (returned only when the call asks for it with
 * `Include: ["AnomalyDetection"]`) and an administrative override (a zonal
 * shift), as the model reads them (Target.anomaly, Target.override), and
 * whether automatic target weights are on.
 */
import type { Target, TargetAnomaly, TargetGroup, TargetOverride } from "./model.ts";

export type Anomaly = TargetAnomaly;
export type Override = TargetOverride;

/** AnomalyDetection as DescribeTargetHealth returned it (undefined: collected without Include=AnomalyDetection, or not an ALB HTTP/HTTPS group). */
export function anomalyOf(t: Target): Anomaly | undefined {
  return t.anomaly;
}

/** AdministrativeOverride as DescribeTargetHealth returned it. */
export function overrideOf(t: Target): Override | undefined {
  return t.override;
}

/** The target is administratively taken out of its zone's traffic by a zonal shift (active, or delegated to DNS). */
export function isZonalShift(o: Override | undefined): boolean {
  return o?.state === "zonal_shift_active" || o?.state === "zonal_shift_delegated_to_dns";
}

/** Automatic target weights (anomaly mitigation): `load_balancing.algorithm.type=weighted_random` and `load_balancing.algorithm.anomaly_mitigation=on`. */
export function automaticTargetWeights(tg: TargetGroup): { on: boolean; algorithm: string; mitigation: string; ptrs: string[] } {
  const algo = tg.attributes.get("load_balancing.algorithm.type");
  const mit = tg.attributes.get("load_balancing.algorithm.anomaly_mitigation");
  const algorithm = algo?.value ?? "round_robin";
  const mitigation = mit?.value ?? "off";
  return {
    on: algorithm.toLowerCase() === "weighted_random" && mitigation.toLowerCase() === "on",
    algorithm,
    mitigation,
    ptrs: [algo?.ptr, mit?.ptr].filter((p): p is string => !!p),
  };
}
