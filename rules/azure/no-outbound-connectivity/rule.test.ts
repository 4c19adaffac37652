import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ArmResource } from "../../../src/providers/azure/wire-types.ts";
import { azure, healthyInternal, ids, P, WEB_LB, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
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

  it("a public IP on another ip configuration of the NIC is no path for the member's ip configuration, and the message names the ip configuration", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("internal LB: a public IP on another ip configuration"));
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail" && x.resourceId === ids.nic("app1-nic"));
    assert.ok(f, "app1's ipconfig1 has no outbound path: pip-app1-2 serves ipconfig2 only");
    assert.match(f.message, /no public IP on its ip configuration ipconfig1/);
  });

  it("an IPv6 pool is not called secondary, and its outbound rule takes the IPv6 frontend, not the IPv4 one", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("dual-stack public LB: the IPv6 pool has no outbound path"));
    assert.ok(c);
    const fails = evaluateCase(rule, c.snapshot).filter((x) => x.status === "fail");
    assert.equal(fails.length, 1, "only the IPv6 member fails: the IPv4 one has the outbound rule");
    const f = fails[0];
    assert.ok(f);
    const summary = f.remediation?.summary ?? "";
    assert.doesNotMatch(summary, /secondary/);
    assert.doesNotMatch(f.message, /secondary/);
    assert.match(summary, /--frontend-ip-configs fe-web-v6 --address-pool pool-web-v6/);
    assert.doesNotMatch(summary, /--frontend-ip-configs fe-web /);
    // a Standard NAT gateway takes IPv4 public IPs only: its commands would not fix an IPv6 pool
    assert.match(summary, /StandardV2 NAT gateway with an IPv6 public IP/);
    const commands = f.remediation?.commands ?? [];
    assert.ok(
      commands.every((x) => !x.startsWith("az network nat gateway create")),
      commands.join("\n"),
    );
    assert.deepEqual(commands, [
      "az network lb outbound-rule create --resource-group ra-multi-vm-rg --lb-name lb-web --name outbound-pool-web-v6 " +
        "--frontend-ip-configs fe-web-v6 --address-pool pool-web-v6 --protocol All",
    ]);
  });

  it("an IPv6 pool whose IPv6 frontend's public IP is not in the snapshot gets no outbound rule on the IPv4 frontend", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("dual-stack public LB: the IPv6 pool has no outbound path"));
    assert.ok(c);
    const snap = structuredClone(c.snapshot) as typeof c.snapshot & { resources: Array<{ id: string }> };
    snap.resources = snap.resources.filter((r) => r.id !== ids.publicIp("pip-lb-web-v6"));
    const fails = evaluateCase(rule, snap).filter((x) => x.status === "fail");
    assert.equal(fails.length, 1);
    const summary = fails[0]?.remediation?.summary ?? "";
    assert.doesNotMatch(summary, /outbound-rule create/);
    assert.match(summary, /no public IPv6 frontend whose public IP the snapshot holds/);
  });

  it("an IPv6 member behind a Standard NAT gateway: the message and evidence name the NAT gateway's SKU, and the fix says it cannot be upgraded", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("dual-stack: a Standard NAT gateway on the subnet"));
    assert.ok(c);
    const fails = evaluateCase(rule, c.snapshot).filter((x) => x.status === "fail");
    assert.equal(fails.length, 1, "only the IPv6 ip configuration fails: the IPv4 one goes out through the NAT gateway");
    const f = fails[0];
    assert.ok(f);
    assert.match(f.message, /\(nic vm1-nic, fd00::4\)/);
    assert.match(f.message, /NAT gateway natgw-web on subnet snet-web is Standard, not StandardV2/);
    assert.doesNotMatch(f.message, /no NAT gateway on subnet/);
    assert.ok(f.evidence.some((e) => e.resourceId === ids.natGateway("natgw-web") && e.pointer.endsWith("/sku")));
    assert.match(f.remediation?.summary ?? "", /natgw-web is not StandardV2, and a Standard NAT gateway cannot be upgraded/);
  });

  it("a StandardV2 NAT gateway with an IPv6 public IP prefix (no IPv6 address) also serves the IPv6 member", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("dual-stack: a StandardV2 NAT gateway with no IPv6 public IP"));
    assert.ok(c);
    const snap = structuredClone(c.snapshot) as typeof c.snapshot & { resources: ArmResource[] };
    const nat = snap.resources.find((r) => r.id === ids.natGateway("natgw-web"));
    assert.ok(nat);
    const prefixId = ids.natGateway("natgw-web").replace(/natGateways\/natgw-web$/, "publicIPPrefixes/prefix-natgw-web-v6");
    P(nat).publicIpPrefixesV6 = [{ id: prefixId }];
    const fs = evaluateCase(rule, snap);
    assert.deepEqual(
      fs.filter((x) => x.status !== "pass").map((x) => x.message),
      [],
    );
  });

  it("an IPv4 member keeps counting a NAT gateway that is not in the snapshot (only an IPv6 member needs its SKU)", () => {
    const fs = evaluateCase(rule, healthyInternal().remove(ids.natGateway("natgw-app")).build());
    assert.ok(fs.length > 0);
    for (const f of fs) {
      assert.equal(f.status, "pass", f.message);
      assert.match(f.message, /NAT gateway natgw-app on subnet snet-app/);
    }
  });

  it("an IPv6 member whose NAT gateway could not be collected names the collection gap", () => {
    const c = (cases.unknown ?? []).find((x) => x.name.startsWith("dual-stack: the IPv6 ip configuration's one candidate path"));
    assert.ok(c);
    const snap = structuredClone(c.snapshot);
    snap.gaps = [
      ...(snap.gaps ?? []),
      {
        operation: "natGateways.list",
        resourceId: ids.natGateway("natgw-web"),
        status: 403,
        code: "AuthorizationFailed",
        message: "no read on natGateways",
      },
    ];
    const f = evaluateCase(rule, snap).find((x) => x.status === "unknown" && x.messageId === "noNatGateway");
    assert.ok(f);
    assert.match(f.message, /is not in the snapshot \(natGateways\.list: no read on natGateways\)/);
  });
  it("a ::/0 route with next hop None is no path for the IPv6 ip configuration, and the message says it drops IPv6 traffic", () => {
    const c = cases.valid.find((x) => x.name.startsWith("dual-stack: a ::/0 route to an appliance"));
    assert.ok(c);
    const snap = structuredClone(c.snapshot) as typeof c.snapshot & { resources: ArmResource[] };
    const rt = snap.resources.find((r) => r.type === "Microsoft.Network/routeTables");
    assert.ok(rt);
    const route = (P(rt).routes as Array<{ properties: Record<string, unknown> }>)[0];
    assert.ok(route);
    route.properties.nextHopType = "None";
    delete route.properties.nextHopIpAddress;
    const fails = evaluateCase(rule, snap).filter((x) => x.status === "fail");
    assert.equal(fails.length, 1, "only the IPv6 ip configuration fails: the IPv4 one has rule-http's SNAT");
    assert.match(fails[0]?.message ?? "", /route default-v6-to-fw in rt-web \(::\/0 → None\) drops its IPv6 traffic to the internet/);
    assert.ok(fails[0]?.evidence.some((e) => e.label === "default route (None)"));
  });

  it("an IPv4 member is judged on 0.0.0.0/0 only: a ::/0 route to an appliance is no path for it", () => {
    const snap = healthyInternal()
      .subnetProps("vnet-app/snet-app", { natGateway: undefined })
      .remove(ids.natGateway("natgw-app"))
      .routeTable("rt-app", [{ name: "default-v6-to-fw", prefix: "::/0", nextHopType: "VirtualAppliance", nextHopIp: "fd00:0:0:ff::4" }])
      .subnetRouteTable("vnet-app/snet-app", "rt-app")
      .build();
    const fails = evaluateCase(rule, snap).filter((x) => x.status === "fail");
    assert.equal(fails.length, 2);
    for (const f of fails) {
      assert.match(f.message, /\(::\/0 → VirtualAppliance\) carries IPv6 traffic only, and no 0\.0\.0\.0\/0 route sends its IPv4 traffic/);
    }
  });

  it("the IPv4 member's pass names the 0.0.0.0/0 route, while the IPv6 member's fail says that route carries IPv4 traffic only", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("dual-stack: a 0.0.0.0/0 route to an appliance"));
    assert.ok(c);
    const fs = evaluateCase(rule, c.snapshot);
    const pass = fs.find((x) => x.status === "pass");
    assert.match(pass?.message ?? "", /route default-to-fw in rt-web \(0\.0\.0\.0\/0 → VirtualAppliance 10\.0\.255\.4\)/);
    const fail = fs.find((x) => x.status === "fail");
    assert.match(fail?.message ?? "", /\(nic vm1-nic, fd00::4\)/);
    assert.match(
      fail?.message ?? "",
      /route default-to-fw in rt-web \(0\.0\.0\.0\/0 → VirtualAppliance\) carries IPv4 traffic only, and no ::\/0 route/,
    );
    assert.ok(fail?.evidence.some((e) => e.label === "default route (IPv4 only)"));
  });

  it("an IPv4 public IP on the IPv6 ip configuration: the message and evidence name its version and address", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("dual-stack: an IPv4 public IP on the IPv6 ip configuration"));
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
    assert.ok(f);
    assert.match(f.message, /public IP pip-vm1-v6 on its ip configuration ipconfig-v6 is IPv4 \(20\.50\.60\.95\)/);
    assert.doesNotMatch(f.message, /no public IP on its ip configuration/);
    assert.ok(f.evidence.some((e) => e.resourceId === ids.publicIp("pip-vm1-v6") && e.pointer.endsWith("/properties/ipAddress")));
  });

  it("a public IP with no address: its publicIPAddressVersion decides (IPv4 is no IPv6 egress, IPv6 is), and an unreadable one is unknown", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("dual-stack: an IPv4 public IP on the IPv6 ip configuration"));
    assert.ok(c);
    const withVersion = (v: string) => {
      const snap = structuredClone(c.snapshot) as typeof c.snapshot & { resources: ArmResource[] };
      const pip = snap.resources.find((r) => r.id === ids.publicIp("pip-vm1-v6"));
      assert.ok(pip);
      delete P(pip).ipAddress;
      P(pip).publicIPAddressVersion = v;
      return evaluateCase(rule, snap).filter((x) => x.resourceId === ids.nic("vm1-nic") && x.status !== "pass");
    };
    const v4 = withVersion("IPv4");
    assert.equal(v4.length, 1);
    assert.equal(v4[0]?.status, "fail");
    assert.match(v4[0]?.message ?? "", /pip-vm1-v6 on its ip configuration ipconfig-v6 is IPv4, and/);
    assert.deepEqual(withVersion("IPv6"), []);
    // a version lbdoctor cannot read: Azure associated it, so it is of the ip configuration's version
    assert.deepEqual(withVersion("IPv7"), []);
  });

  it("a public IP the snapshot lacks still serves its ip configuration, and the path says why", () => {
    const c = cases.valid.find((x) => x.name.startsWith("dual-stack: the public IP on the IPv6 ip configuration is not in the snapshot"));
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.resourceId === ids.nic("vm1-nic") && x.message.includes("pip-vm1-v6"));
    assert.equal(f?.status, "pass");
    assert.match(
      f?.message ?? "",
      /pip-vm1-v6 on ip configuration ipconfig-v6 of vm1-nic \(not in the snapshot: Azure associates a public IP only with an ip configuration of its IP version\)/,
    );
  });

  it("an IPv4 member whose public IP is not in the snapshot goes out through it (Azure matched their versions)", () => {
    const snap = healthyInternal()
      .subnetProps("vnet-app/snet-app", { natGateway: undefined })
      .remove(ids.natGateway("natgw-app"))
      .edit(ids.nic("app1-nic"), (r) => {
        const c = (P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)[0];
        if (c) c.properties.publicIPAddress = { id: ids.publicIp("pip-app1") };
      })
      .build();
    const app1 = evaluateCase(rule, snap).find((x) => x.resourceId === ids.nic("app1-nic"));
    assert.equal(app1?.status, "pass");
    assert.match(app1?.message ?? "", /public IP pip-app1 on ip configuration ipconfig1 of app1-nic \(not in the snapshot/);
  });
});
