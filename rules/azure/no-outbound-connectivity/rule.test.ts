import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ids } from "../../../test/support/azure-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases, ipBasedWithDefaultOutbound } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("no-outbound-connectivity details", () => {
  it("an IP-based member keeps default outbound access while the subnet is not private", () => {
    const fs = evaluateCase(rule, ipBasedWithDefaultOutbound().build());
    const app3 = fs.find((f) => f.resourceId === ids.nic("app3-nic"));
    assert.equal(app3?.status, "pass");
    assert.match(app3?.message ?? "", /default outbound access/);
  });

  it("says which paths are missing and gives the NAT gateway commands, quoted", () => {
    const invalid = cases.invalid[0];
    assert.ok(invalid);
    const f = evaluateCase(rule, invalid.snapshot).find((x) => x.status === "fail");
    assert.match(f?.message ?? "", /no NAT gateway on subnet snet-app/);
    assert.match(f?.message ?? "", /internal load balancer gives no outbound SNAT/);
    assert.deepEqual(
      f?.remediation?.commands.map((c) => c.split(" ").slice(0, 4).join(" ")),
      ["az network public-ip create", "az network nat gateway", "az network vnet subnet"],
    );
    assert.ok(f?.remediation?.commands.some((c) => c.endsWith("--nat-gateway natgw-vnet-app")));
  });

  it("a public LB with disableOutboundSnat names the rule and offers an outbound rule", () => {
    const invalid = cases.invalid[1];
    assert.ok(invalid);
    const f = evaluateCase(rule, invalid.snapshot).find((x) => x.status === "fail");
    assert.match(f?.message ?? "", /rule-http set disableOutboundSnat/);
    assert.match(f?.remediation?.summary ?? "", /az network lb outbound-rule create .* --address-pool pool-web/);
  });
});
