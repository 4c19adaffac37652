/**
 * Named scenarios written to fixtures/azure/<name>.json by scripts/gen.ts,
 * beside the one-per-rule fixtures (each rule's first invalid case).
 * The golden tests pin what `lbdoctor check` says about each of them.
 */
import type { AzureSnapshot } from "../../src/providers/azure/wire-types.ts";
import { aksScenarios } from "./aks-scenarios.ts";
import { healthyInternal, healthyWeb, ids, P, WEB_NSG } from "./azure-builder.ts";
import { nsgChangeIncident } from "./time-scenarios.ts";

export interface Scenario {
  name: string;
  description: string;
  snapshot: AzureSnapshot;
}

export function scenarios(): Scenario[] {
  return [
    ...aksScenarios(),
    {
      name: "demo",
      description:
        "An incident on the reference architecture's architecture: a lock-down NSG attached to vm1's NIC denies all inbound (the probe included), and vm2 was deallocated for maintenance. The site is down.",
      snapshot: healthyWeb()
        .nsg("nsg-vm1-lockdown", [
          { name: "allow-ssh-bastion", priority: 100, source: "10.0.1.0/24", ports: "22" },
          { name: "deny-all-inbound", priority: 4000, access: "Deny", protocol: "*", source: "*", ports: "*" },
        ])
        .edit(ids.nic("vm1-nic"), (r) => {
          P(r).networkSecurityGroup = { id: ids.nsg("nsg-vm1-lockdown") };
        })
        .power("vm2", "deallocated")
        .ruleHealth("lb-web", "rule-http", [{ vm: "vm1", state: "Down", reason: "Down_Probe_HttpEndpointUnreachable" }])
        .build(),
    },
    {
      name: "healthy-web",
      description:
        "The reference architecture for load-balanced VMs, healthy: public Standard LB, two VMs in one availability set, HTTP probe, SSH NAT rules, NSG allowing HTTP.",
      snapshot: healthyWeb().build(),
    },
    {
      name: "healthy-internal",
      description: "A healthy internal Standard LB in front of two app VMs on 8080.",
      snapshot: healthyInternal().build(),
    },
    {
      name: "nsg-asg-deny",
      description: "A deny aimed at an application security group that only vm1 belongs to blocks vm1's probe, not vm2's.",
      snapshot: healthyWeb()
        .asg("asg-web")
        .edit(ids.nic("vm1-nic"), (r) => {
          const ipc = (P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)[0];
          if (ipc) ipc.properties.applicationSecurityGroups = [{ id: ids.asg("asg-web") }];
        })
        .nsgRule(WEB_NSG, { name: "deny-web-asg", priority: 120, access: "Deny", source: "*", destinationAsgs: ["asg-web"], ports: "80" })
        .build(),
    },
    {
      name: "nsg-plural-fields",
      description: "A deny written with sourceAddressPrefixes and destinationPortRanges (the plural fields) that covers the probe.",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, {
          name: "deny-plural",
          priority: 150,
          access: "Deny",
          source: ["10.9.0.0/16", "168.63.129.16"],
          ports: ["443", "70-90"],
        })
        .build(),
    },
    {
      name: "nsg-priority-allow-first",
      description: "An AzureLoadBalancer allow at 200 ahead of a deny at 300: priority order lets the probe in.",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "allow-probe", priority: 200, source: "AzureLoadBalancer", ports: "80" })
        .nsgRule(WEB_NSG, { name: "deny-probe", priority: 300, access: "Deny", source: "*", ports: "80" })
        .build(),
    },
    {
      name: "nsg-priority-deny-first",
      description: "A deny at 200 ahead of an AzureLoadBalancer allow at 300: the deny wins.",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-probe", priority: 200, access: "Deny", source: "*", ports: "80" })
        .nsgRule(WEB_NSG, { name: "allow-probe", priority: 300, source: "AzureLoadBalancer", ports: "80" })
        .build(),
    },
    {
      name: "nsg-outbound-deny-stateful",
      description: "An outbound deny-all must not block the inbound probe: NSGs are stateful.",
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
      name: "nsg-other-port-and-protocol",
      description: "Denies on another port (8080) and another protocol (UDP 80) must not fire.",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, { name: "deny-8080", priority: 500, access: "Deny", source: "*", ports: "8080" })
        .nsgRule(WEB_NSG, { name: "deny-udp-80", priority: 510, access: "Deny", protocol: "Udp", source: "*", ports: "80" })
        .build(),
    },
    {
      name: "nsg-change-probe-down",
      description:
        "Post-incident: at 03:10 alice@contoso.com added NSG rule deny-lb-probe (priority 200, Deny Tcp 80 from AzureLoadBalancer) to nsg-web, the web subnet's NSG. From 03:12 the health probe failed on vm1 and vm2 and lb-web had no healthy backend. The window 02:30–04:00 UTC holds the load balancer's metrics, Resource Graph resource changes and the Activity Log.",
      snapshot: nsgChangeIncident(),
    },
  ];
}
