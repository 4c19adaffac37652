import { azure, healthyInternal, healthyWeb, ids, P, rgId, SUB, WEB_LB, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const POOL = `${WEB_LB}/pool-web`;

/** Drops a NIC's load balancer references: a case that removes a load balancer takes its members' references with it. */
const leaveLoadBalancers = (r: Parameters<typeof P>[0]) => {
  for (const ipc of P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)
    Object.assign(ipc.properties, { loadBalancerBackendAddressPools: [], loadBalancerInboundNatRules: [] });
};

function scaleSet(power0: "running" | "deallocated") {
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
    .vm("vmss-web_0", { subnet: WEB_SUBNET, ip: "10.0.0.10", pools: [POOL], vmss: { name: "vmss-web", instanceId: "0" }, power: power0 })
    .vm("vmss-web_1", { subnet: WEB_SUBNET, ip: "10.0.0.11", pools: [POOL], vmss: { name: "vmss-web", instanceId: "1" } });
}

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: vm1 and vm2 running", snapshot: healthyWeb().build() },
    { name: "internal LB: both app VMs running", snapshot: healthyInternal().build() },
    {
      name: "a deallocated VM outside every pool (a jump box) is none of this rule's business",
      snapshot: healthyWeb().vm("jump1", { subnet: "vnet-web/snet-mgmt", ip: "10.0.1.4", power: "deallocated" }).build(),
    },
    { name: "scale-set instances running", snapshot: scaleSet("running").build() },
  ],
  invalid: [
    {
      name: "vm2 deallocated by a cost-saving schedule and never started again: the probe marks it Down",
      snapshot: healthyWeb()
        .power("vm2", "deallocated")
        .ruleHealth(WEB_LB, "rule-http", [{ vm: "vm1", state: "Up" }])
        .build(),
      errors: [{ messageId: "stopped", resourceId: ids.nic("vm2-nic"), severity: "high" }],
    },
    {
      name: "vm1 shut down from inside the OS: stopped, not deallocated (still billed)",
      snapshot: healthyWeb().power("vm1", "stopped").build(),
      errors: [{ messageId: "stopped", resourceId: ids.nic("vm1-nic") }],
    },
    {
      name: "a deallocated scale-set instance: az vmss start",
      snapshot: scaleSet("deallocated").build(),
      errors: [{ messageId: "stopped" }],
    },
    {
      name: "both VMs of the internal LB deallocating",
      snapshot: healthyInternal()
        .edit(ids.vm("app1"), (r) => {
          P(r).instanceView = { statuses: [{ code: "PowerState/deallocating", level: "Info", displayStatus: "VM deallocating" }] };
        })
        .power("app2", "deallocated")
        .build(),
      errors: [{ messageId: "stopped" }, { messageId: "stopped" }],
    },
    {
      name: "vm2 deallocated, its NIC in the pool of a shared load balancer of another resource group: the removal names that pool by id",
      snapshot: JSON.parse(
        JSON.stringify(healthyWeb().power("vm2", "deallocated").build()).replaceAll(
          "/resourceGroups/ra-multi-vm-rg/providers/Microsoft.Network/loadBalancers/",
          "/resourceGroups/rg-lb-shared/providers/Microsoft.Network/loadBalancers/",
        ),
      ),
      errors: [{ messageId: "stopped", resourceId: ids.nic("vm2-nic") }],
    },
    {
      name: "vm2 deallocated, its NIC in the pool of a load balancer of another subscription: the removal runs in the NIC's",
      snapshot: JSON.parse(
        JSON.stringify(healthyWeb().power("vm2", "deallocated").build()).replaceAll(
          `/subscriptions/${SUB}/resourceGroups/ra-multi-vm-rg/providers/Microsoft.Network/loadBalancers/`,
          "/subscriptions/00000000-0000-0000-0000-0000000000bb/resourceGroups/rg-lb-shared/providers/Microsoft.Network/loadBalancers/",
        ),
      ),
      errors: [{ messageId: "stopped", resourceId: ids.nic("vm2-nic") }],
    },
  ],
  unknown: [
    {
      name: "vm2 was collected without its instance view",
      snapshot: healthyWeb().power("vm2", null).build(),
      reason: "no power state for vm2",
    },
    {
      name: "an instance view with a provisioning state but no power state",
      snapshot: healthyWeb()
        .edit(ids.vm("vm1"), (r) => {
          P(r).instanceView = { statuses: [{ code: "ProvisioningState/succeeded", level: "Info" }] };
        })
        .build(),
      reason: "no PowerState status",
    },
    {
      name: "listing VMs failed (403): the members' VMs are not in the snapshot",
      snapshot: healthyWeb()
        .remove(ids.vm("vm1"))
        .remove(ids.vm("vm2"))
        .gap({
          operation: "virtualMachines.list",
          resourceId: rgId(),
          status: 403,
          code: "AuthorizationFailed",
          message: "no read permission",
        })
        .build(),
      reason: "virtualMachines.list",
    },
  ],
  notApplicable: [
    {
      name: "a pool of bare IP addresses (on-premises servers over VPN) has no power state to check",
      snapshot: healthyInternal()
        .lb("lb-onprem", {
          frontends: [{ name: "fe-onprem", subnet: "vnet-app/snet-app", privateIp: "10.1.0.200" }],
          pools: ["pool-onprem"],
          probes: [{ name: "probe-tcp", protocol: "Tcp", port: 1433 }],
          rules: [{ name: "rule-sql", frontend: "fe-onprem", pool: "pool-onprem", probe: "probe-tcp", frontendPort: 1433 }],
          ipMembers: { "pool-onprem": [{ name: "sql-a", ip: "10.1.0.50", vnet: "vnet-app" }] },
        })
        .remove(ids.lb("lb-internal"))
        .edit(ids.nic("app1-nic"), leaveLoadBalancers)
        .edit(ids.nic("app2-nic"), leaveLoadBalancers)
        .build(),
    },
  ],
};
