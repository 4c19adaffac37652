/** Model fields the issue-14 rules read: outbound sources, admin state, Gateway chains, scale-set models. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import { APP_SUBNET, healthyInternal, healthyWeb, ids, P, WEB_LB, WEB_SUBNET } from "./support/azure-builder.ts";

describe("Azure model: fields for outbound, admin state, gateway chains and scale-set drift", () => {
  it("subnet NAT gateway and defaultOutboundAccess (undefined when the wire omits it)", () => {
    const m = buildAzureModel(healthyInternal().subnetProps(APP_SUBNET, { defaultOutboundAccess: false }).build());
    const s = m.byKey.subnet.get(ids.subnet(APP_SUBNET).toLowerCase());
    assert.equal(s?.natGatewayId, ids.natGateway("natgw-app"));
    assert.equal(s?.defaultOutboundAccess, false);
    const web = buildAzureModel(healthyWeb().build()).byKey.subnet.get(ids.subnet(WEB_SUBNET).toLowerCase());
    assert.equal(web?.natGatewayId, undefined);
    assert.equal(web?.defaultOutboundAccess, undefined);
  });

  it("subnet NAT gateway resolved: SKU and IPv4 / IPv6 public IPs and prefixes; a missing one is a dangling reference", () => {
    const natId = ids.natGateway("natgw-app");
    const m = buildAzureModel(healthyInternal().build());
    const nat = m.byKey.subnet.get(ids.subnet(APP_SUBNET).toLowerCase())?.natGateway;
    assert.equal(nat?.id, natId);
    assert.equal(nat?.sku, "Standard");
    assert.deepEqual(nat?.publicIpV4Ids, [ids.publicIp("pip-natgw-app")]);
    assert.deepEqual(nat?.publicIpV6Ids, []);
    assert.match(nat?.ptr ?? "", /^\/resources\/\d+$/);
    const prefix = (name: string) => ids.publicIp(name).replace("/publicIPAddresses/", "/publicIPPrefixes/");
    const v2 = buildAzureModel(
      healthyInternal()
        .publicIp("pip-natgw-app-v6", { ip: "2001:db8::80" })
        .edit(natId, (r) => {
          r.sku = { name: "StandardV2" };
          P(r).publicIpPrefixes = [{ id: prefix("pfx-v4") }];
          P(r).publicIpAddressesV6 = [{ id: ids.publicIp("pip-natgw-app-v6") }];
          P(r).publicIpPrefixesV6 = [{ id: prefix("pfx-v6") }];
        })
        .build(),
    ).byKey.subnet.get(ids.subnet(APP_SUBNET).toLowerCase())?.natGateway;
    assert.equal(v2?.sku, "StandardV2");
    assert.deepEqual(v2?.publicIpV4Ids, [ids.publicIp("pip-natgw-app"), prefix("pfx-v4")]);
    assert.deepEqual(v2?.publicIpV6Ids, [ids.publicIp("pip-natgw-app-v6"), prefix("pfx-v6")]);
    const missing = buildAzureModel(healthyInternal().remove(natId).build());
    const s = missing.byKey.subnet.get(ids.subnet(APP_SUBNET).toLowerCase());
    assert.equal(s?.natGatewayId, natId);
    assert.equal(s?.natGateway, undefined);
    assert.ok(missing.gaps.some((g) => g.kind === "dangling-reference" && g.resourceId === natId));
  });

  it("rule disableOutboundSnat and outbound rules with their pool", () => {
    const m = buildAzureModel(
      healthyWeb()
        .lbRuleProps(WEB_LB, "rule-http", { disableOutboundSnat: true })
        .outboundRule(WEB_LB, { name: "ob", frontends: ["fe-web"], pool: "pool-web" })
        .build(),
    );
    const lb = m.loadBalancers[0];
    assert.equal(lb?.rules[0]?.disableOutboundSnat, true);
    assert.equal(lb?.outboundRules[0]?.name, "ob");
    assert.equal(lb?.outboundRules[0]?.pool?.name, "pool-web");
    assert.deepEqual(lb?.outboundRules[0]?.frontendIds, [ids.frontend(WEB_LB, "fe-web")]);
  });

  it("admin state of a NIC-based member listed again as a backend address", () => {
    const m = buildAzureModel(healthyWeb().adminState(WEB_LB, "pool-web", { vm: "vm2" }, "Down").build());
    const members = m.loadBalancers[0]?.pools[0]?.members ?? [];
    assert.equal(members.length, 2, "the address entry does not add a member");
    assert.deepEqual(
      members.map((x) => x.adminState),
      [undefined, "Down"],
    );
    assert.match(members[1]?.adminStatePtr ?? "", /\/loadBalancerBackendAddresses\/0\/properties\/adminState$/);
  });

  it("a frontend chained to a Gateway LB resolves to the gateway frontend, or records a dangling reference", () => {
    const gwFe = ids.frontend("lb-gw", "fe-gw");
    const base = () =>
      healthyWeb()
        .vnet("vnet-nva", ["10.2.0.0/16"], [{ name: "snet-nva", prefix: "10.2.0.0/24" }])
        .lb("lb-gw", { sku: "Gateway", frontends: [{ name: "fe-gw", subnet: "vnet-nva/snet-nva", privateIp: "10.2.0.100" }], pools: ["p"] })
        .chainToGateway(WEB_LB, "fe-web", gwFe);
    const fe = buildAzureModel(base().build()).loadBalancers.find((l) => l.name === WEB_LB)?.frontends[0];
    assert.equal(fe?.gatewayLoadBalancerId, gwFe);
    assert.equal(fe?.gatewayFrontend?.lb.name, "lb-gw");
    const missing = buildAzureModel(base().remove(ids.lb("lb-gw")).build());
    assert.ok(missing.gaps.some((g) => g.kind === "dangling-reference" && g.resourceId === ids.lb("lb-gw")));
  });

  it("scale-set model pools, upgrade mode and latestModelApplied", () => {
    const m = buildAzureModel(
      healthyWeb()
        .vmss("ss")
        .vmssModel("ss", { subnet: WEB_SUBNET, pools: [`${WEB_LB}/pool-web`], upgradeMode: "Rolling" })
        .vm("ss_0", { subnet: WEB_SUBNET, ip: "10.0.0.20", vmss: { name: "ss", instanceId: "0" } })
        .latestModelApplied("ss", "0", false)
        .build(),
    );
    const ss = m.vmss[0];
    assert.equal(ss?.upgradeMode, "Rolling");
    assert.equal(ss?.modelKnown, true);
    assert.deepEqual(
      ss?.modelPools.map((p) => p.id),
      [ids.pool(WEB_LB, "pool-web")],
    );
    assert.equal(ss?.instances[0]?.latestModelApplied, false);
  });
});
