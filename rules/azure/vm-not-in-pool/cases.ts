import { azure, computeId, healthyInternal, healthyWeb, ids, P, rgId, WEB_LB, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const POOL = `${WEB_LB}/pool-web`;

/** A public LB in front of a Uniform scale set; `inPool` says which instances' NICs are in the pool. */
function scaleSet(inPool: [boolean, boolean]) {
  return azure()
    .vnet("vnet-web", ["10.0.0.0/16"], [{ name: "snet-web", prefix: "10.0.0.0/24" }])
    .publicIp("pip-lb-web", { ip: "20.50.60.70" })
    .lb(WEB_LB, {
      frontends: [{ name: "fe-web", publicIp: "pip-lb-web" }],
      pools: ["pool-web"],
      probes: [{ name: "probe-http", protocol: "Http", port: 80, path: "/" }],
      rules: [{ name: "rule-http", frontend: "fe-web", pool: "pool-web", probe: "probe-http", frontendPort: 80 }],
    })
    .vmss("vmss-web")
    .vm("vmss-web_0", { subnet: WEB_SUBNET, ip: "10.0.0.10", pools: inPool[0] ? [POOL] : [], vmss: { name: "vmss-web", instanceId: "0" } })
    .vm("vmss-web_1", { subnet: WEB_SUBNET, ip: "10.0.0.11", pools: inPool[1] ? [POOL] : [], vmss: { name: "vmss-web", instanceId: "1" } });
}

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: both VMs of avset-web are in pool-web", snapshot: healthyWeb().build() },
    { name: "internal LB: both VMs of avset-app are in pool-app", snapshot: healthyInternal().build() },
    {
      name: "vm3 shares avset-web but serves another LB's pool: deliberate, not flagged",
      snapshot: healthyWeb()
        .lb("lb-admin", {
          frontends: [{ name: "fe-admin", subnet: "vnet-web/snet-mgmt", privateIp: "10.0.1.100" }],
          pools: ["pool-admin"],
          probes: [{ name: "probe-admin", protocol: "Tcp", port: 8443 }],
          rules: [{ name: "rule-admin", frontend: "fe-admin", pool: "pool-admin", probe: "probe-admin", frontendPort: 8443 }],
        })
        .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", pools: ["lb-admin/pool-admin"], availabilitySet: "avset-web" })
        .build(),
    },
    {
      name: "a VM in a different availability set, outside the pool, is not a sibling",
      snapshot: healthyWeb()
        .availabilitySet("avset-batch")
        .vm("batch1", { subnet: WEB_SUBNET, ip: "10.0.0.30", availabilitySet: "avset-batch" })
        .build(),
    },
    { name: "both scale-set instances in the pool", snapshot: scaleSet([true, true]).build() },
  ],
  invalid: [
    {
      name: "scale-out: vm3 was created in avset-web but its NIC never joined pool-web (the reference architecture's warning)",
      snapshot: healthyWeb().vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", availabilitySet: "avset-web" }).build(),
      errors: [{ messageId: "notInPool", resourceId: ids.vm("vm3"), severity: "medium" }],
    },
    {
      name: "scale-set instance 1 runs a model without the pool",
      snapshot: scaleSet([true, false])
        .edit(`${computeId("virtualMachineScaleSets", "vmss-web")}/virtualMachines/1`, (r) => {
          P(r).latestModelApplied = false;
        })
        .build(),
      errors: [{ messageId: "notInPool", resourceId: `${computeId("virtualMachineScaleSets", "vmss-web")}/virtualMachines/1` }],
    },
    {
      name: "two VMs left out, one of them deallocated",
      snapshot: healthyWeb()
        .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", availabilitySet: "avset-web" })
        .vm("vm4", { subnet: WEB_SUBNET, ip: "10.0.0.7", availabilitySet: "avset-web", power: "deallocated" })
        .build(),
      errors: [
        { messageId: "notInPool", resourceId: ids.vm("vm3") },
        { messageId: "notInPool", resourceId: ids.vm("vm4") },
      ],
    },
    {
      name: "vm3's NIC names pool-old of lb-web, which lb-web no longer has: a stale reference, still left out of pool-web",
      snapshot: healthyWeb()
        .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", availabilitySet: "avset-web", pools: [`${WEB_LB}/pool-old`] })
        .build(),
      errors: [{ messageId: "notInPool", resourceId: ids.vm("vm3") }],
    },
  ],
  unknown: [
    {
      name: "avset-web lists vm3, which the snapshot does not hold",
      snapshot: healthyWeb()
        .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", availabilitySet: "avset-web" })
        .remove(ids.vm("vm3"))
        .remove(ids.nic("vm3-nic"))
        .build(),
      reason: "not in the snapshot",
    },
    {
      name: "vm3's NIC was not collected (NIC listing failed)",
      snapshot: healthyWeb()
        .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", availabilitySet: "avset-web" })
        .remove(ids.nic("vm3-nic"))
        .gap({ operation: "networkInterfaces.list", resourceId: rgId(), status: 500, code: "InternalServerError", message: "retry later" })
        .build(),
      reason: "networkInterfaces.list",
    },
    {
      name: "the scale set's instances could not all be listed",
      snapshot: scaleSet([true, true])
        .remove(`${computeId("virtualMachineScaleSets", "vmss-web")}/virtualMachines/1`)
        .remove(`${computeId("virtualMachineScaleSets", "vmss-web")}/virtualMachines/1/networkInterfaces/vmss-web-nic`)
        .edit(ids.lb(WEB_LB), (r) => {
          const pool = (P(r).backendAddressPools as Array<{ properties: { backendIPConfigurations: Array<{ id: string }> } }>)[0];
          if (pool) pool.properties.backendIPConfigurations = pool.properties.backendIPConfigurations.slice(0, 1);
        })
        .gap({
          operation: "virtualMachineScaleSetVMs.list",
          resourceId: computeId("virtualMachineScaleSets", "vmss-web"),
          status: 429,
          code: "TooManyRequests",
          message: "throttled",
        })
        .build(),
      reason: "could not all be listed",
    },
    {
      name: "vm3's NIC names a pool of lb-shared, a load balancer in another resource group the snapshot lacks",
      snapshot: healthyWeb()
        .vm("vm3", {
          subnet: WEB_SUBNET,
          ip: "10.0.0.6",
          availabilitySet: "avset-web",
          pools: [`${ids.lb("lb-shared").replace(/\/resourceGroups\/[^/]+\//, "/resourceGroups/net-rg/")}/backendAddressPools/pool-shared`],
        })
        .build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [
    {
      name: "pool members in no availability set or scale set: no siblings to miss",
      snapshot: azure()
        .vnet("vnet-web", ["10.0.0.0/16"], [{ name: "snet-web", prefix: "10.0.0.0/24" }])
        .publicIp("pip-lb-web", { ip: "20.50.60.70" })
        .lb(WEB_LB, {
          frontends: [{ name: "fe-web", publicIp: "pip-lb-web" }],
          pools: ["pool-web"],
          rules: [{ name: "rule-http", frontend: "fe-web", pool: "pool-web", frontendPort: 80 }],
        })
        .vm("web1", { subnet: WEB_SUBNET, ip: "10.0.0.4", pools: [POOL], zones: ["1"] })
        .vm("web2", { subnet: WEB_SUBNET, ip: "10.0.0.5", pools: [POOL], zones: ["2"] })
        .build(),
    },
  ],
};
