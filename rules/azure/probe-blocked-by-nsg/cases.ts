import { healthyInternal, healthyWeb, ids, P, WEB_LB, WEB_NSG } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: the default rules let the probe in", snapshot: healthyWeb().build() },
    {
      name: "an Allow VirtualNetwork rule ahead of a custom deny-all admits the probe (the tag holds 168.63.129.16)",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "allow-vnet-in", priority: 3000, protocol: "*", source: "VirtualNetwork", ports: "*" })
        .nsgRule(WEB_NSG, { name: "deny-all", priority: 4000, access: "Deny", protocol: "*", source: "*", ports: "*" })
        .build(),
    },
    {
      name: "custom deny-all at 4000 with an explicit AzureLoadBalancer allow ahead of it",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "allow-lb-probe", priority: 3000, source: "AzureLoadBalancer", ports: "80" })
        .nsgRule(WEB_NSG, { name: "deny-all", priority: 4000, access: "Deny", protocol: "*", source: "*", ports: "*" })
        .build(),
    },
    {
      name: "an outbound deny does not block the inbound probe (NSGs are stateful)",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, {
          name: "deny-out-all",
          priority: 100,
          direction: "Outbound",
          access: "Deny",
          protocol: "*",
          source: "*",
          destination: "*",
          ports: "*",
        })
        .build(),
    },
    {
      name: "a deny on another port does not fire",
      snapshot: healthyWeb().nsgRule(WEB_NSG, { name: "deny-8080", priority: 500, access: "Deny", source: "*", ports: "8080" }).build(),
    },
    {
      name: "a deny on UDP does not block the TCP probe",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-udp-80", priority: 500, access: "Deny", protocol: "Udp", source: "*", ports: "80" })
        .build(),
    },
    {
      name: "a deny targeted at an ASG the members are not in does not fire",
      snapshot: healthyWeb()
        .asg("asg-db")
        .nsgRule(WEB_NSG, { name: "deny-db", priority: 500, access: "Deny", source: "*", destinationAsgs: ["asg-db"], ports: "80" })
        .build(),
    },
    {
      name: "priority order the other way: the allow at 200 wins over the deny at 300",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "allow-probe", priority: 200, source: "AzureLoadBalancer", ports: "80" })
        .nsgRule(WEB_NSG, { name: "deny-probe", priority: 300, access: "Deny", source: "*", ports: "80" })
        .build(),
    },
    { name: "internal LB, TCP-level HTTP probe on 8080 allowed by default rules", snapshot: healthyInternal().build() },
  ],
  invalid: [
    {
      name: "deny AzureLoadBalancer on the probe port at priority 200 (the documented way to fail a probe)",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-lb-probe", priority: 200, access: "Deny", source: "AzureLoadBalancer", ports: "80" })
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.nic("vm1-nic") },
        { messageId: "blocked", resourceId: ids.nic("vm2-nic") },
      ],
    },
    {
      name: "the probe is denied, but vm2's admin state is Up: it keeps taking connections, so its finding is low",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-lb-probe", priority: 200, access: "Deny", source: "AzureLoadBalancer", ports: "80" })
        .adminState(WEB_LB, "pool-web", { vm: "vm2" }, "Up")
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.nic("vm1-nic"), severity: "critical" },
        { messageId: "blocked", resourceId: ids.nic("vm2-nic"), severity: "low" },
      ],
    },
    {
      name: "a Deny VirtualNetwork rule above the default allows blocks the probe: the tag holds the host's virtual IP, 168.63.129.16",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-vnet-in", priority: 300, access: "Deny", protocol: "*", source: "VirtualNetwork", ports: "*" })
        .build(),
      errors: [
        { messageId: "blocked", resourceId: ids.nic("vm1-nic") },
        { messageId: "blocked", resourceId: ids.nic("vm2-nic") },
      ],
    },
    {
      name: "custom deny-all at 4000, HTTP allowed only from a partner range, no AzureLoadBalancer allow",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "allow-http", priority: 1000, source: "198.51.100.0/24", ports: "80" })
        .nsgRule(WEB_NSG, { name: "deny-all-inbound", priority: 4000, access: "Deny", protocol: "*", source: "*", ports: "*" })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "NIC NSG denies while the subnet NSG allows (both layers must allow)",
      snapshot: healthyWeb()
        .nsg("nsg-vm1-nic", [{ name: "deny-168", priority: 200, access: "Deny", source: "168.63.129.16/32", ports: "*" }])
        .edit(ids.nic("vm1-nic"), (r) => {
          (r.properties as Record<string, unknown>).networkSecurityGroup = { id: ids.nsg("nsg-vm1-nic") };
        })
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.nic("vm1-nic") }],
    },
    {
      name: "plural fields: a deny with sourceAddressPrefixes and destinationPortRanges",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, {
          name: "deny-plural",
          priority: 150,
          access: "Deny",
          source: ["10.9.0.0/16", "168.63.129.16"],
          ports: ["443", "70-90"],
        })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
    {
      name: "an ASG-targeted deny on the members' ASG",
      snapshot: healthyWeb()
        .asg("asg-web")
        .edit(ids.nic("vm1-nic"), (r) => {
          const ipc = (P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)[0];
          if (ipc) ipc.properties.applicationSecurityGroups = [{ id: ids.asg("asg-web") }];
        })
        .nsgRule(WEB_NSG, { name: "deny-web-asg", priority: 120, access: "Deny", source: "*", destinationAsgs: ["asg-web"], ports: "80" })
        .build(),
      errors: [{ messageId: "blocked", resourceId: ids.nic("vm1-nic") }],
    },
    {
      name: "priority order: the deny at 200 wins over the allow at 300",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-probe", priority: 200, access: "Deny", source: "*", ports: "80" })
        .nsgRule(WEB_NSG, { name: "allow-probe", priority: 300, source: "AzureLoadBalancer", ports: "80" })
        .build(),
      errors: [{ messageId: "blocked" }, { messageId: "blocked" }],
    },
  ],
  unknown: [
    {
      name: "a deny from the Internet tag ahead of the default allow: does Internet cover 168.63.129.16?",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-internet-4000", priority: 4000, access: "Deny", protocol: "*", source: "Internet", ports: "*" })
        .build(),
      reason: "Internet tag",
    },
    {
      name: "the subnet's NSG is not in the snapshot",
      snapshot: healthyWeb().remove(ids.nsg(WEB_NSG)).build(),
      reason: "not in the snapshot",
    },
    {
      name: "a member's NIC (in another resource group) is not in the snapshot: its NIC is named, not taken for an IP address",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          const pool = (P(r).backendAddressPools as Array<{ properties: { backendIPConfigurations?: Array<{ id: string }> } }>)[0];
          pool?.properties.backendIPConfigurations?.push({
            id: ids.ipconfig("vm9-nic").replace("/resourceGroups/ra-multi-vm-rg/", "/resourceGroups/rg-x/"),
          });
        })
        .build(),
      reason: "Pool member vm9-nic/ipconfig1: its network interface vm9-nic is not in the snapshot, so the NSGs in its path are not known.",
    },
  ],
};
