import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HEALTH_REASONS, healthReason } from "../../../src/providers/azure/health-reasons.ts";
import { buildAzureModel } from "../../../src/providers/azure/model.ts";
import { healthyWeb, WEB_LB, WEB_NSG } from "../../../test/support/azure-builder.ts";
import { runCatalog } from "../../../test/support/catalog.ts";
import { runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("health reason codes", () => {
  // the documented codes (learn.microsoft.com/azure/load-balancer/load-balancer-manage-health-status)
  const documented: Record<string, "Up" | "Down" | "none"> = {
    Up_Probe_Success: "Up",
    Up_Probe_AllDownIsUp: "Up",
    Up_Probe_ApproachingUnhealthyThreshold: "Up",
    Up_Admin: "Up",
    Down_Probe_ApproachingHealthyThreshold: "Down",
    Down_Probe_HttpStatusCodeError: "Down",
    Down_Probe_HttpEndpointUnreachable: "Down",
    Down_Probe_TcpProbeTimeout: "Down",
    Down_Probe_NoHealthyBackend: "Down",
    Down_Admin: "Down",
    Down_Probe_HttpNoResponse: "Down",
    Up_Platform: "Up",
    Down_Platform: "Down",
    NA: "none",
  };

  it("every documented code has a meaning and a next step, and nothing else is listed", () => {
    for (const [code, state] of Object.entries(documented)) {
      const r = healthReason(code);
      assert.ok(r, `${code} is missing`);
      assert.equal(r.state, state, code);
      assert.ok(r.meaning.length > 10 && r.next.length > 5, code);
    }
    assert.equal(Object.keys(HEALTH_REASONS).length, Object.keys(documented).length);
  });

  it("looks codes up case-insensitively", () => {
    assert.equal(healthReason("down_probe_tcpprobetimeout")?.code, "Down_Probe_TcpProbeTimeout");
    assert.equal(healthReason("Down_Probe_Unheard_Of"), undefined);
  });
});

describe("causes are linked to backend-unhealthy (the whole catalog through the engine)", () => {
  const down = (reason: string) =>
    healthyWeb().ruleHealth(WEB_LB, "rule-http", [
      { vm: "vm1", state: "Up" },
      { vm: "vm2", state: "Down", reason },
    ]);

  it("probe-blocked-by-nsg explains a TcpProbeTimeout", () => {
    const snap = down("Down_Probe_TcpProbeTimeout")
      .nsgRule(WEB_NSG, { name: "deny-lb-probe", priority: 200, access: "Deny", source: "AzureLoadBalancer", ports: "80" })
      .build();
    const fs = runCatalog(buildAzureModel(snap), "azure");
    const symptom = fs.find((f) => f.ruleId === rule.id && f.status === "fail");
    assert.deepEqual(
      symptom?.relatedTo.map((r) => [r.ruleId, r.relation]),
      [["azure/probe-blocked-by-nsg", "caused-by"]],
    );
  });

  it("port-not-listening (guest check) explains a TcpProbeTimeout", () => {
    const snap = down("Down_Probe_TcpProbeTimeout")
      .guest("vm2", { listening: [{ protocol: "tcp", port: 22 }] })
      .build();
    const fs = runCatalog(buildAzureModel(snap), "azure");
    const symptom = fs.find((f) => f.ruleId === rule.id && f.status === "fail");
    assert.deepEqual(
      symptom?.relatedTo.map((r) => r.ruleId),
      ["azure/port-not-listening"],
    );
  });
});
