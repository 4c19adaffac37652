/**
 * Observations outrank inference. A rule that infers from configuration that something cannot work (no
 * backend can serve, a target gets no traffic, a probe is blocked) also asks what the platform observed
 * (rule health, effective NSGs, target health). When the observation says it works, the inference does not
 * become a failure: the finding is `unknown`, carries both sides in `basis`, and names the contradiction,
 * which is itself worth reading: configuration in the snapshot gone stale, or traffic taking a path the
 * configuration does not show.
 */
import type { Basis, Evidence, ReportInput } from "./types.ts";

/** What the platform observed about the thing the inference is about. */
export interface Observation {
  /** in words, e.g. "rule health reports 1 backend Up (Up_Probe_Success)" */
  text: string;
  /** the observation says it works, so it contradicts an inference that it cannot */
  contradicts: boolean;
  evidence: Evidence[];
}

/** What the platform says against a failing inference; the message slot `observed` and `inferred` carry both sides. */
export const CONTRADICTION_NOTE =
  "The observation wins over the inference, so this is not reported as a failure; read it as a contradiction: the configuration in the snapshot may be stale, or traffic takes a path the configuration does not show.";

/**
 * A failing inference weighed against an observation. No observation: the failure as it is. An observation
 * that agrees: the failure, with its basis. One that contradicts it: `unknown` under `contradictionMessageId`
 * (its template reads the data slots `observed` and `inferred`), no fix, the observation's evidence first.
 */
export function weigh(
  failing: ReportInput,
  inferred: string,
  observation: Observation | undefined,
  contradictionMessageId: string,
): ReportInput {
  if (!observation) return failing;
  const basis: Basis = { inferred, observed: observation.text, contradiction: observation.contradicts };
  if (!observation.contradicts) return { ...failing, basis, evidence: [...(failing.evidence ?? []), ...observation.evidence] };
  const { remediation: _dropped, ...rest } = failing;
  return {
    ...rest,
    status: "unknown",
    messageId: contradictionMessageId,
    data: { ...(failing.data ?? {}), observed: observation.text, inferred, note: CONTRADICTION_NOTE },
    evidence: [...observation.evidence, ...(failing.evidence ?? [])],
    basis,
  };
}
