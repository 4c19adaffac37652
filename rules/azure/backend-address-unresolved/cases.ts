import { APP_SUBNET, healthyInternal, ids, netId, P } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** The internal reference scenario plus an internal LB whose pool is configured by IP address. */
const ipPool = (members: Array<{ name: string; ip: string; vnet: string }>) =>
  healthyInternal().lb("lb-ip", {
    frontends: [{ name: "fe-ip", subnet: APP_SUBNET, privateIp: "10.1.0.200" }],
    pools: ["pool-ip"],
    probes: [{ name: "probe-ip", protocol: "Http", port: 8080, path: "/healthz" }],
    rules: [{ name: "rule-ip", frontend: "fe-ip", pool: "pool-ip", probe: "probe-ip", frontendPort: 8080 }],
    ipMembers: { "pool-ip": members },
  });
const entry = (name: string) => `${ids.pool("lb-ip", "pool-ip")}/loadBalancerBackendAddresses/${name}`;

export const cases: RuleCases = {
  valid: [
    {
      name: "both addresses belong to the app VMs' NICs",
      snapshot: ipPool([
        { name: "app1", ip: "10.1.0.4", vnet: "vnet-app" },
        { name: "app2", ip: "10.1.0.5", vnet: "vnet-app" },
      ]).build(),
    },
    { name: "one address, held by app2", snapshot: ipPool([{ name: "app2", ip: "10.1.0.5", vnet: "vnet-app" }]).build() },
  ],
  invalid: [
    {
      name: "an address outside the virtual network's address space (typo: 10.10 for 10.1)",
      snapshot: ipPool([
        { name: "app1", ip: "10.1.0.4", vnet: "vnet-app" },
        { name: "app2", ip: "10.10.0.5", vnet: "vnet-app" },
      ]).build(),
      errors: [{ messageId: "outsideSpace", resourceId: entry("app2"), severity: "high" }],
    },
    {
      name: "an address naming a virtual network that does not exist in the collected resource group",
      snapshot: ipPool([{ name: "app1", ip: "10.1.0.4", vnet: "vnet-app-old" }]).build(),
      errors: [{ messageId: "vnetMissing", resourceId: entry("app1") }],
    },
    {
      name: "an address no NIC holds (pre-populated, or the VM was deleted)",
      snapshot: ipPool([{ name: "app9", ip: "10.1.0.9", vnet: "vnet-app" }]).build(),
      errors: [{ messageId: "noNic", resourceId: entry("app9"), severity: "medium" }],
    },
    {
      name: "an address no NIC holds, in a subnet that lists only the snapshot's NICs and a load balancer frontend",
      snapshot: ipPool([{ name: "app9", ip: "10.1.0.9", vnet: "vnet-app" }])
        .edit(netId("virtualNetworks", "vnet-app"), (r) => {
          const subnet = (P(r).subnets as Array<{ properties: { ipConfigurations: Array<{ id: string }> } }>)[0];
          subnet?.properties.ipConfigurations.push(
            { id: ids.ipconfig("app1-nic") },
            { id: `${ids.lb("lb-ip")}/frontendIPConfigurations/fe-ip` },
          );
        })
        .build(),
      errors: [{ messageId: "noNic", resourceId: entry("app9") }],
    },
    {
      name: "an address in the address space but in no subnet",
      snapshot: ipPool([{ name: "app7", ip: "10.1.7.7", vnet: "vnet-app" }]).build(),
      errors: [{ messageId: "noSubnet", resourceId: entry("app7") }],
    },
  ],
  unknown: [
    {
      name: "the virtual network lives in another resource group, not collected",
      snapshot: ipPool([])
        .edit(ids.lb("lb-ip"), (r) => {
          const pool = (P(r).backendAddressPools as Array<{ properties: { loadBalancerBackendAddresses: unknown[] } }>)[0];
          pool?.properties.loadBalancerBackendAddresses.push({
            name: "hub1",
            properties: { ipAddress: "10.50.0.4", virtualNetwork: { id: netId("virtualNetworks", "vnet-hub", "rg-hub") } },
          });
        })
        .build(),
      reason: "outside the collected scope",
    },
    {
      name: "no NIC in the snapshot holds the address, but the subnet serves a NIC of another resource group that may",
      snapshot: ipPool([{ name: "app9", ip: "10.1.0.9", vnet: "vnet-app" }])
        .edit(netId("virtualNetworks", "vnet-app"), (r) => {
          const subnet = (P(r).subnets as Array<{ properties: { ipConfigurations: Array<{ id: string }> } }>)[0];
          subnet?.properties.ipConfigurations.push(
            { id: `${netId("networkInterfaces", "app9-nic", "rg-app-vms")}/ipConfigurations/ipconfig1` },
            // the internal LB's own frontend is listed too, and holds no backend address
            { id: `${ids.lb("lb-ip")}/frontendIPConfigurations/fe-ip` },
          );
        })
        .build(),
      reason: "collect their resource group",
    },
    {
      name: "the network interfaces could not be listed",
      snapshot: ipPool([{ name: "app9", ip: "10.1.0.9", vnet: "vnet-app" }])
        .gap({ operation: "networkInterfaces.list", status: 403, code: "AuthorizationFailed", message: "no read on networkInterfaces" })
        .build(),
      reason: "networkInterfaces.list",
    },
  ],
  notApplicable: [{ name: "NIC-based pools only", snapshot: healthyInternal().build() }],
};
