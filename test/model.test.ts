import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { idKey } from "../src/providers/azure/arm-id.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import type { ArmResource } from "../src/providers/azure/wire-types.ts";
import { healthyInternal, healthyWeb, ids, P } from "./support/azure-builder.ts";

describe("Azure model", () => {
  it("cross-references LB → rule → pool → member → NIC → VM and subnet → VNet → NSG", () => {
    const m = buildAzureModel(healthyWeb().build());
    const lb = m.loadBalancers[0];
    assert.ok(lb);
    assert.equal(lb.isInternal, false);
    const rule = lb.rules[0];
    assert.equal(rule?.probe?.name, "probe-http");
    assert.equal(rule?.frontend?.publicIp?.ipAddress, "20.50.60.70");
    const members = rule?.pool?.members ?? [];
    assert.deepEqual(
      members.map((x) => x.vm?.name),
      ["vm1", "vm2"],
    );
    const c = members[0]?.ipConfig;
    assert.equal(c?.subnet?.name, "snet-web");
    assert.equal(c?.subnet?.vnet?.name, "vnet-web");
    assert.equal(c?.subnet?.nsg?.name, "nsg-web");
    assert.equal(members[0]?.vm?.powerState, "running");
    assert.equal(members[0]?.vm?.availabilitySetId?.toLowerCase(), ids.availabilitySet("avset-web").toLowerCase());
    assert.equal(lb.probes[0]?.rules.length, 1);
    assert.equal(lb.natRules.find((n) => n.name === "nat-ssh-vm1")?.backendIpConfig?.nic.name, "vm1-nic");
  });

  it("an internal LB is recognized by its private frontends", () => {
    const m = buildAzureModel(healthyInternal().build());
    assert.equal(m.loadBalancers[0]?.isInternal, true);
    assert.equal(m.loadBalancers[0]?.frontends[0]?.subnet?.name, "snet-app");
  });

  it("ids match case-insensitively (ARM mixes /IpConfigurations/ and /ipConfigurations/)", () => {
    const snap = healthyWeb().build();
    const lb = snap.resources.find((r) => r.type === "Microsoft.Network/loadBalancers");
    assert.ok(lb);
    const pools = P(lb).backendAddressPools as Array<{ properties: { backendIPConfigurations: Array<{ id: string }> } }>;
    for (const ref of pools[0]?.properties.backendIPConfigurations ?? [])
      ref.id = ref.id.replace("/ipConfigurations/", "/IpConfigurations/").toUpperCase();
    const m = buildAzureModel(snap);
    assert.deepEqual(
      m.loadBalancers[0]?.pools[0]?.members.map((x) => x.nic?.name),
      ["vm1-nic", "vm2-nic"],
    );
  });

  it("a dangling reference becomes a gap, not a crash", () => {
    const snap = healthyWeb().remove(ids.nsg("nsg-web")).build();
    const m = buildAzureModel(snap);
    const gap = m.gaps.find((g) => g.kind === "dangling-reference");
    assert.ok(gap, "expected a dangling-reference gap");
    assert.equal(idKey(gap.resourceId ?? ""), idKey(ids.nsg("nsg-web")));
    assert.equal(m.subnets.find((s) => s.name === "snet-web")?.nsg, undefined);
  });

  it("a NIC whose subnet is missing is a gap; its member still appears", () => {
    const snap = healthyWeb()
      .edit(ids.nic("vm1-nic"), (r) => {
        const ipc = (P(r).ipConfigurations as Array<{ properties: { subnet: { id: string } } }>)[0];
        if (ipc) ipc.properties.subnet.id = `${ids.subnet("vnet-web/snet-web")}-gone`;
      })
      .build();
    const m = buildAzureModel(snap);
    assert.ok(m.gaps.some((g) => g.kind === "dangling-reference" && /subnet/.test(g.message)));
    assert.equal(m.loadBalancers[0]?.pools[0]?.members.length, 2);
  });

  it("duplicate resource ids are reported, the last copy wins", () => {
    const snap = healthyWeb().build();
    const first = snap.resources[0];
    assert.ok(first);
    snap.resources.push(structuredClone(first));
    const m = buildAzureModel(snap);
    assert.ok(m.gaps.some((g) => /more than once/.test(g.message)));
  });

  it("collection gaps from the snapshot are carried into the model", () => {
    const snap = healthyWeb()
      .gap({
        operation: "networkInterfaces.listEffectiveNetworkSecurityGroups",
        resourceId: ids.nic("vm1-nic"),
        status: 403,
        code: "AuthorizationFailed",
        message: "no permission",
      })
      .build();
    const m = buildAzureModel(snap);
    assert.equal(m.gaps.filter((g) => g.kind === "collection").length, 1);
  });

  it("reads the power state from its status in any case and position, points at it, and calls a state it does not know unknown", () => {
    const snap = healthyWeb().build();
    const statusesOf = (name: string) => {
      const vm = snap.resources.find((r) => r.type === "Microsoft.Compute/virtualMachines" && r.name === name) as ArmResource;
      return ((vm.properties as Record<string, unknown>).instanceView as { statuses: Array<{ code: string }> }).statuses;
    };
    statusesOf("vm1").reverse()[0] = { code: "POWERSTATE/Deallocated" };
    statusesOf("vm2")[1] = { code: "PowerState/hibernated" };
    const m = buildAzureModel(snap);
    const vm1 = m.vms.find((v) => v.name === "vm1");
    const vm2 = m.vms.find((v) => v.name === "vm2");
    assert.equal(vm1?.powerState, "deallocated");
    assert.equal(vm1?.powerStatePtr, `${vm1?.ptr}/properties/instanceView/statuses/0/code`);
    assert.equal(vm2?.powerState, "unknown");
    assert.equal(vm2?.powerStatePtr, `${vm2?.ptr}/properties/instanceView/statuses/1/code`);
  });

  it("a VM without an instance view has an unknown (undefined) power state", () => {
    const m = buildAzureModel(healthyWeb().power("vm2", null).build());
    assert.equal(m.vms.find((v) => v.name === "vm2")?.powerState, undefined);
    assert.equal(m.vms.find((v) => v.name === "vm1")?.powerState, "running");
  });
});
