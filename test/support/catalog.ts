/**
 * The whole rule catalog through the engine, for tests of how rules relate
 * (a cause's `explains` linking a symptom). A rule's own tests may not import
 * a sibling rule; they go through here instead.
 */

import { rules } from "../../rules/index.ts";
import { runRules } from "../../src/core/engine/run.ts";
import type { Finding, Model, Rule } from "../../src/core/engine/types.ts";
import type { ProviderId } from "../../src/core/snapshot/types.ts";

/** The catalog's rules of one provider. */
export function catalogOf(provider: ProviderId): Rule[] {
  return rules.filter((r) => r.provider === provider);
}

/** Every rule of the model's provider, run by the engine (which links causes to symptoms). */
export function runCatalog(model: Model, provider: ProviderId): Finding[] {
  return runRules(model, catalogOf(provider));
}
