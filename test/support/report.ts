/** Builds a report in-process, the way `check` does, for formatter tests. */
import { rules as catalog } from "../../rules/index.ts";
import { runRules } from "../../src/core/engine/run.ts";
import type { Rule } from "../../src/core/engine/types.ts";
import { buildReport, type Report } from "../../src/core/report/report.ts";
import { azureProvider } from "../../src/providers/azure/adapter.ts";
import { buildAzureModel } from "../../src/providers/azure/model.ts";
import type { AzureSnapshot } from "../../src/providers/azure/wire-types.ts";

export function reportOf(snapshot: AzureSnapshot, opts: { extraRules?: Rule[]; source?: string } = {}): Report {
  const model = buildAzureModel(snapshot, { from: [] });
  const rules = [...catalog.filter((r) => r.provider === "azure"), ...(opts.extraRules ?? [])];
  const findings = runRules(model, rules);
  return buildReport({
    model,
    loadBalancers: azureProvider.loadBalancers(model),
    findings,
    failOn: "high",
    version: "0.0.0-test",
    rulesRun: rules.length,
    source: opts.source ?? "snapshot.json",
    rules,
  });
}

/** A rule that always throws: its finding has status error. */
export const boomRule: Rule = {
  id: "azure/test-boom",
  provider: "azure",
  severity: "high",
  title: "A rule that throws",
  description: "Throws, to test the error status.",
  citations: [{ url: "https://example.com/doc", title: "A doc" }],
  source: "A doc <https://example.com/doc>",
  references: [],
  messages: {},
  remediation: "none",
  reads: ["azure:loadBalancers"],
  check() {
    throw new Error("boom <script>alert(1)</script> \u001b[31m");
  },
};
