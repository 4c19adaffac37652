import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { azure, ids, WEB_LB, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
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

  it("the outbound rule alternative turns off the SNAT of the load-balancing rules on its frontend first (Azure refuses it otherwise)", () => {
    // pool-api has no SNAT (rule-api disables it); rule-http, on the same frontend fe-web, keeps SNAT for pool-web
    const snap = azure()
      .nsg("nsg-web", [{ name: "allow-http", priority: 1000, source: "Internet", ports: "80" }])
      .vnet("vnet-web", ["10.0.0.0/16"], [{ name: "snet-web", prefix: "10.0.0.0/24", nsg: "nsg-web" }])
      .publicIp("pip-lb-web", { ip: "20.50.60.70" })
      .lb(WEB_LB, {
        frontends: [{ name: "fe-web", publicIp: "pip-lb-web" }],
        pools: ["pool-web", "pool-api"],
        probes: [{ name: "probe-http", protocol: "Tcp", port: 80 }],
        rules: [
          { name: "rule-http", frontend: "fe-web", pool: "pool-web", probe: "probe-http", frontendPort: 80, backendPort: 80 },
          { name: "rule-api", frontend: "fe-web", pool: "pool-api", probe: "probe-http", frontendPort: 8080, backendPort: 80 },
        ],
      })
      .lbRuleProps(WEB_LB, "rule-api", { disableOutboundSnat: true })
      .vm("vm1", { subnet: WEB_SUBNET, ip: "10.0.0.4", pools: [`${WEB_LB}/pool-web`] })
      .vm("vm2", { subnet: WEB_SUBNET, ip: "10.0.0.5", pools: [`${WEB_LB}/pool-api`] })
      .build();
    const f = evaluateCase(rule, snap).find((x) => x.status === "fail" && x.resourceId === ids.nic("vm2-nic"));
    assert.ok(f, "vm2 in pool-api has no outbound path");
    const summary = f.remediation?.summary ?? "";
    const disable = summary.indexOf(
      "az network lb rule update --resource-group ra-multi-vm-rg --lb-name lb-web --name rule-http --disable-outbound-snat true",
    );
    const create = summary.indexOf("az network lb outbound-rule create");
    assert.ok(disable >= 0 && create > disable, summary);
    assert.match(summary, /--address-pool pool-api/);
  });

  it("a secondary ip configuration gets no outbound rule alternative (Azure refuses one on its pool), and says why it has no SNAT", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("public LB: a secondary ip configuration"));
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
    assert.match(f?.message ?? "", /secondary ip configuration \(ipconfig2\) of vm3-nic/);
    assert.doesNotMatch(f?.remediation?.summary ?? "", /outbound-rule create/);
  });
});
