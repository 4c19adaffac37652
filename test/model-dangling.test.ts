/**
 * What the NICs' ip configurations name on a load balancer's side (a backend pool, an inbound NAT rule) that the
 * model does not hold. A load balancer the snapshot lacks altogether (in a resource group that was not collected)
 * is one collection gap on the load balancer, however many NICs name it (no dangling reference per NIC besides), so
 * that what the rules say of the scope, of the load balancer and of the NICs no load balancer of the snapshot holds
 * is unknown rather than a pass.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { idKey } from "../src/providers/azure/arm-id.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import type { ArmResource } from "../src/providers/azure/wire-types.ts";
import { healthyWeb, ids, netId, P, WEB_SUBNET } from "./support/azure-builder.ts";

const SHARED_LB = netId("loadBalancers", "lb-shared", "net-rg");
const SHARED_POOL = `${SHARED_LB}/backendAddressPools/pool-shared`;

type Ipc = { properties: { loadBalancerBackendAddressPools: Array<{ id: string }>; loadBalancerInboundNatRules: Array<{ id: string }> } };
const ipconfigs = (r: ArmResource) => P(r).ipConfigurations as Ipc[];

/** healthyWeb with VMs whose NICs name these pool and NAT rule ids (besides what the builder gives them) */
function withRefs(vms: string[], refs: { pools?: string[]; natRules?: string[] }) {
  let s = healthyWeb();
  vms.forEach((vm, i) => {
    if (vm !== "vm1" && vm !== "vm2") s = s.vm(vm, { subnet: WEB_SUBNET, ip: `10.0.0.${10 + i}`, availabilitySet: "avset-web" });
    s = s.edit(ids.nic(`${vm}-nic`), (r) => {
      const ipc = ipconfigs(r)[0] as Ipc;
      for (const id of refs.pools ?? []) ipc.properties.loadBalancerBackendAddressPools.push({ id });
      for (const id of refs.natRules ?? []) ipc.properties.loadBalancerInboundNatRules.push({ id });
    });
  });
  return s.build();
}

describe("Azure model: load balancer references from the NICs", () => {
  it("a NIC naming a backend pool of a load balancer the snapshot lacks: one collection gap on the load balancer, no dangling reference", () => {
    const snap = withRefs(["vm3"], { pools: [SHARED_POOL] });
    // the references that resolve, in another casing (ARM mixes them): no gap of theirs
    for (const r of snap.resources.filter((x) => x.type === "Microsoft.Network/networkInterfaces" && !x.name.startsWith("vm3"))) {
      for (const ipc of ipconfigs(r)) {
        for (const ref of ipc.properties.loadBalancerBackendAddressPools) ref.id = ref.id.toUpperCase();
        for (const ref of ipc.properties.loadBalancerInboundNatRules) ref.id = ref.id.replace("/inboundNatRules/", "/INBOUNDNATRULES/");
      }
    }
    const m = buildAzureModel(snap);
    assert.deepEqual(
      m.gaps.filter((g) => g.kind === "dangling-reference"),
      [],
      "the collection gap names the load balancer and the NIC: a dangling reference would only repeat it",
    );
    const gaps = m.gaps.filter((g) => g.kind === "collection");
    assert.equal(gaps.length, 1, JSON.stringify(m.gaps));
    const g = gaps[0];
    assert.equal(g?.operation, "resolve");
    assert.equal(g?.resourceId, SHARED_LB);
    assert.equal(g?.resourceName, "lb-shared");
    assert.equal(
      g?.message,
      "load balancer lb-shared (resource group net-rg) is not in the snapshot, yet NIC vm3-nic names its backend pools; what it does for that NIC is not known",
    );
    // what a failed read of the load balancer would leave out, on the load balancer, the NIC and its VM (which no
    // load balancer of the snapshot holds)
    assert.deepEqual(g?.covers, ["azure:loadBalancers", "azure:ruleHealth"]);
    assert.equal(g?.referencedFrom, ids.nic("vm3-nic"));
    assert.deepEqual(g?.affects, [idKey(SHARED_LB), idKey(ids.nic("vm3-nic")), idKey(ids.vm("vm3"))]);
    const nic = m.byKey.nic.get(idKey(ids.nic("vm3-nic")));
    assert.equal(g?.pointer, `${nic?.ptr}/properties/ipConfigurations/0/properties/loadBalancerBackendAddressPools`);
    // the reference stays on the ip configuration; the load balancers that are there are untouched
    assert.deepEqual(nic?.ipConfigs[0]?.poolKeys, [idKey(SHARED_POOL)]);
    assert.deepEqual(
      m.loadBalancers.map((lb) => [lb.name, lb.pools[0]?.members.length]),
      [["lb-web", 2]],
    );
  });

  it("several NICs naming the same missing load balancer: one gap that counts them and affects each NIC and VM, no dangling reference", () => {
    const m = buildAzureModel(withRefs(["vm3", "vm4", "vm5", "vm6"], { pools: [SHARED_POOL] }));
    assert.equal(m.gaps.filter((g) => g.kind === "dangling-reference").length, 0);
    const gaps = m.gaps.filter((g) => g.kind === "collection");
    assert.equal(gaps.length, 1);
    assert.match(
      gaps[0]?.message ?? "",
      /, yet 4 NICs \(vm3-nic, vm4-nic, vm5-nic, …\) name its backend pools; what it does for them is not known$/,
    );
    assert.equal(gaps[0]?.affects?.length, 1 + 4 + 4);
  });

  it("an inbound NAT rule of a missing load balancer is the same gap, named as such", () => {
    const m = buildAzureModel(withRefs(["vm3"], { pools: [SHARED_POOL], natRules: [`${SHARED_LB}/inboundNatRules/ssh-vm3`] }));
    const gaps = m.gaps.filter((g) => g.kind === "collection");
    assert.equal(gaps.length, 1);
    assert.match(gaps[0]?.message ?? "", /NIC vm3-nic names its backend pools and inbound NAT rules;/);
    assert.equal(m.gaps.filter((g) => g.kind === "dangling-reference").length, 0, "the gap says it for every NIC");
    const natOnly = buildAzureModel(withRefs(["vm3"], { natRules: [`${SHARED_LB}/inboundNatRules/ssh-vm3`] }));
    assert.match(natOnly.gaps.find((g) => g.kind === "collection")?.message ?? "", /names its inbound NAT rules;/);
  });

  it("a pool or NAT rule the load balancer in the snapshot does not have: a dangling reference only", () => {
    const m = buildAzureModel(
      withRefs(["vm1"], { pools: [ids.pool("lb-web", "pool-gone")], natRules: [`${ids.lb("lb-web")}/inboundNatRules/nat-gone`] }),
    );
    assert.deepEqual(
      m.gaps.map((g) => [g.kind, g.resourceId, g.referencedFrom]),
      [
        ["dangling-reference", ids.pool("lb-web", "pool-gone"), ids.nic("vm1-nic")],
        ["dangling-reference", `${ids.lb("lb-web")}/inboundNatRules/nat-gone`, ids.nic("vm1-nic")],
      ],
    );
    assert.match(m.gaps[0]?.message ?? "", /^backend pool .*pool-gone \(referenced by vm1-nic\) is not in the snapshot$/);
    assert.match(m.gaps[1]?.message ?? "", /^inbound NAT rule .*nat-gone \(referenced by vm1-nic\) is not in the snapshot$/);
  });

  it("a pool reference that names no load balancer is a dangling reference, not a crash", () => {
    const odd = ids.subnet(WEB_SUBNET);
    const m = buildAzureModel(withRefs(["vm1"], { pools: [odd, "not-an-id"] }));
    assert.deepEqual(
      m.gaps.map((g) => [g.kind, g.resourceId]),
      [
        ["dangling-reference", odd],
        ["dangling-reference", "not-an-id"],
      ],
    );
  });

  it("a NIC that a load balancer of the snapshot holds (its pool or its NAT rule) is not affected: what a rule says of it there stands on that load balancer's data", () => {
    // vm1 and vm2 are in lb-web's pool (and each the target of one of its NAT rules); vm3 is in no pool of the snapshot
    const m = buildAzureModel(withRefs(["vm1", "vm2", "vm3"], { pools: [SHARED_POOL] }));
    const g = m.gaps.find((x) => x.kind === "collection");
    assert.match(g?.message ?? "", /, yet 3 NICs \(vm1-nic, vm2-nic, vm3-nic\) name its backend pools;/);
    assert.deepEqual(g?.affects, [idKey(SHARED_LB), idKey(ids.nic("vm3-nic")), idKey(ids.vm("vm3"))]);
    // the NICs lb-web holds only: the load balancer alone
    const held = buildAzureModel(withRefs(["vm1", "vm2"], { pools: [SHARED_POOL] }));
    assert.deepEqual(held.gaps.find((x) => x.kind === "collection")?.affects, [idKey(SHARED_LB)]);
    // held through an inbound NAT rule of lb-web alone (out of its pool): held all the same
    const natOnly = withRefs(["vm1"], { pools: [SHARED_POOL] });
    const nic1 = natOnly.resources.find((r) => r.id === ids.nic("vm1-nic")) as ArmResource;
    for (const ipc of ipconfigs(nic1))
      ipc.properties.loadBalancerBackendAddressPools = ipc.properties.loadBalancerBackendAddressPools.filter((p) => p.id === SHARED_POOL);
    const lb = natOnly.resources.find((r) => r.id === ids.lb("lb-web")) as ArmResource;
    for (const pool of P(lb).backendAddressPools as Array<{ properties: { backendIPConfigurations?: Array<{ id: string }> } }>)
      pool.properties.backendIPConfigurations = (pool.properties.backendIPConfigurations ?? []).filter((c) => !/vm1-nic/i.test(c.id));
    const viaNat = buildAzureModel(natOnly);
    assert.ok(
      !viaNat.loadBalancers[0]?.pools.some((p) => p.members.some((x) => x.nic?.name === "vm1-nic")),
      "vm1-nic is out of lb-web's pool",
    );
    assert.equal(viaNat.loadBalancers[0]?.natRules.find((r) => r.name === "nat-ssh-vm1")?.backendIpConfig?.nic.name, "vm1-nic");
    assert.deepEqual(viaNat.gaps.find((x) => x.kind === "collection")?.affects, [idKey(SHARED_LB)]);
  });

  it("2,000 NICs naming one missing load balancer, each in a pool of the snapshot: one gap (not one per NIC), affecting the load balancer alone", () => {
    let s = healthyWeb();
    const n = 2000;
    for (let i = 3; i < n + 3; i++)
      s = s.vm(`vm${i}`, {
        subnet: WEB_SUBNET,
        ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
        pools: ["lb-web/pool-web"],
        availabilitySet: "avset-web",
      });
    const snap = s.build();
    for (const r of snap.resources)
      if (r.type === "Microsoft.Network/networkInterfaces")
        for (const ipc of ipconfigs(r)) ipc.properties.loadBalancerBackendAddressPools.push({ id: SHARED_POOL });
    const m = buildAzureModel(snap);
    assert.deepEqual(
      m.gaps.map((g) => [g.kind, g.resourceName, g.affects]),
      [["collection", "lb-shared", [idKey(SHARED_LB)]]],
    );
    assert.match(m.gaps[0]?.message ?? "", new RegExp(`, yet ${n + 2} NICs \\(vm1-nic, vm2-nic, vm3-nic, …\\) name its backend pools;`));
  });
});
