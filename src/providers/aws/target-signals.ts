/**
 * What DescribeTargetHealth says about a target beyond its health state:
 * anomaly detection (returned only when the call asks for it with
 * `Include: ["AnomalyDetection"]`) and an administrative override (a zonal
 * shift). Read from the target's wire entry (`Target.ptr`), so rules see the
 * fields exactly as AWS returned them.
 */
import { join, resolvePointer } from "../../core/util/json-pointer.ts";
import { obj, str } from "../../core/util/wire.ts";
import type { AwsModel, Target, TargetGroup } from "./model.ts";

export interface Anomaly {
  /** `anomalous` | `normal` (as AWS spells them, lower-cased) */
  result: string;
  /** `yes` | `no`: automatic target weights are routing less traffic to it right now */
  mitigation?: string;
  /** pointer of AnomalyDetection */
  ptr: string;
}

export interface Override {
  /** `no_override` | `unknown` | `zonal_shift_active` | `zonal_shift_delegated_to_dns` */
  state: string;
  reason?: string;
  description?: string;
  /** pointer of AdministrativeOverride */
  ptr: string;
}

function entry(model: AwsModel, t: Target): Record<string, unknown> {
  return obj(resolvePointer(model.snapshot, t.ptr));
}

export function anomalyOf(model: AwsModel, t: Target): Anomaly | undefined {
  const a = obj(entry(model, t).AnomalyDetection);
  const result = str(a.Result)?.toLowerCase();
  if (!result) return undefined;
  const mitigation = str(a.MitigationInEffect)?.toLowerCase();
  return { result, ...(mitigation ? { mitigation } : {}), ptr: join(t.ptr, "AnomalyDetection") };
}

export function overrideOf(model: AwsModel, t: Target): Override | undefined {
  const o = obj(entry(model, t).AdministrativeOverride);
  const state = str(o.State)?.toLowerCase();
  if (!state) return undefined;
  const reason = str(o.Reason);
  const description = str(o.Description);
  return {
    state,
    ...(reason ? { reason } : {}),
    ...(description ? { description } : {}),
    ptr: join(t.ptr, "AdministrativeOverride"),
  };
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
