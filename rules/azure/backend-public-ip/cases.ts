import { computeId, healthyInternal, healthyWeb, ids, P, rgId, WEB_LB, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const POOL = `${WEB_LB}/pool-web`;
type Wire = Array<{ name: string; properties: Record<string, unknown> }>;

/** Drops a NIC's load balancer references: a case that removes a load balancer takes its members' references with it. */
const leaveLoadBalancers = (r: Parameters<typeof P>[0]) => {
  for (const ipc of P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)
    Object.assign(ipc.properties, { loadBalancerBackendAddressPools: [], loadBalancerInboundNatRules: [] });
};

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: the VMs have private IPs only (the public IP is the LB's)", snapshot: healthyWeb().build() },
    { name: "internal LB backends with private IPs", snapshot: healthyInternal().build() },
    {
      name: "listing the public IPs failed: the NICs reference none, which decides",
      snapshot: healthyInternal()
        .gap({ operation: "publicIPAddresses.list", resourceId: rgId(), status: 403, code: "AuthorizationFailed", message: "denied" })
        .build(),
    },
    {
      name: "a jump box with a public IP outside every pool is not a backend",
      snapshot: healthyWeb()
        .publicIp("pip-jump", { ip: "20.50.60.99" })
        .vm("jump1", { subnet: "vnet-web/snet-mgmt", ip: "10.0.1.4", publicIp: "pip-jump" })
        .build(),
    },
  ],
  invalid: [
    {
      name: "vm1 and vm2 were each given a public IP for direct SSH, beside the LB's NAT rules",
      snapshot: healthyWeb()
        .publicIp("pip-vm1", { ip: "20.50.61.11" })
        .publicIp("pip-vm2", { ip: "20.50.61.12" })
        .edit(ids.nic("vm1-nic"), (r) => {
          for (const c of P(r).ipConfigurations as Wire) c.properties.publicIPAddress = { id: ids.publicIp("pip-vm1") };
        })
        .edit(ids.nic("vm2-nic"), (r) => {
          for (const c of P(r).ipConfigurations as Wire) c.properties.publicIPAddress = { id: ids.publicIp("pip-vm2") };
        })
        .build(),
      errors: [
        { messageId: "exposed", resourceId: ids.vm("vm1"), severity: "medium" },
        { messageId: "exposed", resourceId: ids.vm("vm2") },
      ],
    },
    {
      name: "the public IP sits on vm1's second NIC, not the one in the pool",
      snapshot: healthyWeb()
        .publicIp("pip-vm1-mgmt", { ip: "20.50.61.21" })
        .vm("vm3", {
          subnet: WEB_SUBNET,
          ip: "10.0.0.6",
          pools: [POOL],
          availabilitySet: "avset-web",
          extraNics: [{ subnet: "vnet-web/snet-mgmt", ip: "10.0.1.6", publicIp: "pip-vm1-mgmt" }],
        })
        .build(),
      errors: [{ messageId: "exposed", resourceId: ids.vm("vm3") }],
    },
    {
      name: "the NIC points at a public IP the snapshot does not hold: the association alone is the finding",
      snapshot: healthyWeb()
        .edit(ids.nic("vm2-nic"), (r) => {
          for (const c of P(r).ipConfigurations as Wire) c.properties.publicIPAddress = { id: ids.publicIp("pip-vm2-old") };
        })
        .build(),
      errors: [{ messageId: "exposed", resourceId: ids.vm("vm2") }],
    },
    {
      name: "scale-set instances with per-instance public IPs",
      snapshot: healthyWeb()
        .vmss("vmss-web")
        .vm("vmss-web_0", { subnet: WEB_SUBNET, ip: "10.0.0.10", pools: [POOL], vmss: { name: "vmss-web", instanceId: "0" } })
        .edit(`${computeId("virtualMachineScaleSets", "vmss-web")}/virtualMachines/0/networkInterfaces/vmss-web-nic`, (r) => {
          for (const c of P(r).ipConfigurations as Wire)
            c.properties.publicIPAddress = { id: `${r.id}/ipConfigurations/ipconfig1/publicIPAddresses/pub1` };
        })
        .build(),
      errors: [{ messageId: "exposed" }],
    },
  ],
  unknown: [
    {
      name: "a pool member's NIC is not in the snapshot",
      snapshot: healthyWeb().remove(ids.nic("vm2-nic")).build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [
    {
      name: "a pool of IP addresses only",
      snapshot: healthyInternal()
        .lb("lb-onprem", {
          frontends: [{ name: "fe-onprem", subnet: "vnet-app/snet-app", privateIp: "10.1.0.200" }],
          pools: ["pool-onprem"],
          rules: [{ name: "rule-sql", frontend: "fe-onprem", pool: "pool-onprem", frontendPort: 1433 }],
          ipMembers: { "pool-onprem": [{ name: "sql-a", ip: "10.1.0.50", vnet: "vnet-app" }] },
        })
        .remove(ids.lb("lb-internal"))
        .edit(ids.nic("app1-nic"), leaveLoadBalancers)
        .edit(ids.nic("app2-nic"), leaveLoadBalancers)
        .build(),
    },
  ],
};
