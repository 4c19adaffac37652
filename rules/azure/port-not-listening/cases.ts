import type { GuestObservation } from "../../../src/core/snapshot/types.ts";
import type { AzureSnapshot } from "../../../src/providers/azure/wire-types.ts";
import { azure, healthyInternal, healthyWeb, ids, P, WEB_LB, WEB_NSG } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const ILB = "lb-internal";
const sshd = { protocol: "tcp", port: 22, address: "0.0.0.0" } as const;
const web: GuestObservation = { listening: [sshd, { protocol: "tcp", port: 80, address: "0.0.0.0" }] };

/** healthyInternal with the HTTP probe moved to a separate health port, 8081. */
const healthPortInternal = () =>
  healthyInternal().edit(ids.lb(ILB), (r) => {
    const probe = (P(r).probes as Array<{ properties: Record<string, unknown> }>)[0];
    if (probe) probe.properties.port = 8081;
  });

/** healthyWeb with floating IP on rule-http. */
const floatingWeb = () =>
  healthyWeb().edit(ids.lb(WEB_LB), (r) => {
    const rule = (P(r).loadBalancingRules as Array<{ properties: Record<string, unknown> }>)[0];
    if (rule) rule.properties.enableFloatingIP = true;
  });

/** vm2 of healthyWeb as a Windows VM. */
const windowsVm2 = (r: { properties?: Record<string, unknown> }) => {
  const osDisk = (P(r as never).storageProfile as { osDisk: Record<string, unknown> }).osDisk;
  osDisk.osType = "Windows";
};

/** Drops every rule-health body from a built snapshot (the collection failed). */
const withoutHealth = (snap: AzureSnapshot): AzureSnapshot => {
  if (snap.observations) snap.observations.ruleHealth = {};
  return snap;
};

/** Both web VMs Down with the given reason. */
const bothDown = (reason: string) =>
  healthyWeb().ruleHealth(WEB_LB, "rule-http", [
    { vm: "vm1", state: "Down", reason },
    { vm: "vm2", state: "Down", reason },
  ]);

export const cases: RuleCases = {
  valid: [
    { name: "guest check: both web VMs listen on 0.0.0.0:80", snapshot: healthyWeb().guest("vm1", web).guest("vm2", web).build() },
    { name: "no guest data: the HTTP probe on the data port succeeds (reference architecture)", snapshot: healthyWeb().build() },
    {
      name: "guest check: a dual-stack listener on [::]:8080 and a listener on the NIC's own IP",
      snapshot: healthyInternal()
        .guest("app1", { listening: [{ protocol: "tcp", port: 8080, address: "[::]" }] })
        .guest("app2", { listening: [{ protocol: "tcp", port: 8080, address: "10.1.0.5" }] })
        .build(),
    },
    {
      name: "floating IP: the service listens on the frontend IP, the probe endpoint on the NIC IP",
      snapshot: floatingWeb()
        .guest("vm1", {
          listening: [
            { protocol: "tcp", port: 80, address: "20.50.60.70" },
            { protocol: "tcp", port: 80, address: "10.0.0.4" },
          ],
        })
        .guest("vm2", web)
        .build(),
    },
    {
      name: "HttpStatusCodeError means something listens on the port (the application errs)",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up" },
          { vm: "vm2", state: "Down", reason: "Down_Probe_HttpStatusCodeError" },
        ])
        .build(),
    },
    {
      name: "vm1 times out because an NSG denies the probe: not suspected here; vm2 is Up",
      snapshot: healthyWeb()
        .nsg("nsg-vm1-nic", [{ name: "deny-lb", priority: 200, access: "Deny", source: "AzureLoadBalancer", ports: "80" }])
        .edit(ids.nic("vm1-nic"), (r) => {
          P(r).networkSecurityGroup = { id: ids.nsg("nsg-vm1-nic") };
        })
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Down", reason: "Down_Probe_TcpProbeTimeout" },
          { vm: "vm2", state: "Up" },
        ])
        .build(),
    },
  ],
  invalid: [
    {
      name: "guest check: nginx is down on vm2, only sshd listens, and the probe times out",
      snapshot: healthyWeb()
        .guest("vm1", web)
        .guest("vm2", { listening: [sshd] })
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up" },
          { vm: "vm2", state: "Down", reason: "Down_Probe_TcpProbeTimeout" },
        ])
        .build(),
      errors: [{ messageId: "notListening", resourceId: ids.nic("vm2-nic") }],
    },
    {
      name: "guest check: the app on app1 is bound to 127.0.0.1:8080 only",
      snapshot: healthyInternal()
        .guest("app1", { listening: [sshd, { protocol: "tcp", port: 8080, address: "127.0.0.1" }] })
        .guest("app2", { listening: [sshd, { protocol: "tcp", port: 8080 }] })
        .build(),
      errors: [{ messageId: "loopbackOnly", resourceId: ids.nic("app1-nic") }],
    },
    {
      name: "the backend-traffic troubleshooting guide cause 1: Up on the health port 8081, nothing on data port 8080",
      snapshot: healthPortInternal()
        .guest("app1", { listening: [sshd, { protocol: "tcp", port: 8081, address: "0.0.0.0" }] })
        .guest("app2", {
          listening: [
            { protocol: "tcp", port: 8081, address: "0.0.0.0" },
            { protocol: "tcp", port: 8080, address: "0.0.0.0" },
          ],
        })
        .build(),
      errors: [{ messageId: "notListening", resourceId: ids.nic("app1-nic") }],
    },
    {
      name: "no guest data: vm2 times out while the NSGs let the probe in",
      snapshot: healthyWeb()
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Up" },
          { vm: "vm2", state: "Down", reason: "Down_Probe_TcpProbeTimeout" },
        ])
        .build(),
      errors: [{ messageId: "suspected", resourceId: ids.nic("vm2-nic") }],
    },
    {
      name: "no guest data: HttpNoResponse and HttpEndpointUnreachable, one VM on Windows",
      snapshot: healthyWeb()
        .edit(ids.vm("vm2"), windowsVm2)
        .ruleHealth(WEB_LB, "rule-http", [
          { vm: "vm1", state: "Down", reason: "Down_Probe_HttpNoResponse" },
          { vm: "vm2", state: "Down", reason: "Down_Probe_HttpEndpointUnreachable" },
        ])
        .build(),
      errors: [{ messageId: "suspected" }, { messageId: "suspected" }],
    },
    {
      name: "guest check: a UDP rule on 53, but only TCP 53 (the probe) listens",
      snapshot: azure()
        .nsg("nsg-dns", [{ name: "allow-dns", priority: 1000, protocol: "*", source: "Internet", ports: "53" }])
        .vnet("vnet-dns", ["10.2.0.0/16"], [{ name: "snet-dns", prefix: "10.2.0.0/24", nsg: "nsg-dns" }])
        .publicIp("pip-dns", { ip: "20.50.60.80" })
        .lb("lb-dns", {
          frontends: [{ name: "fe-dns", publicIp: "pip-dns" }],
          pools: ["pool-dns"],
          probes: [{ name: "probe-dns-tcp", protocol: "Tcp", port: 53 }],
          rules: [
            { name: "rule-dns-udp", frontend: "fe-dns", pool: "pool-dns", probe: "probe-dns-tcp", protocol: "Udp", frontendPort: 53 },
          ],
        })
        .vm("dns1", { subnet: "vnet-dns/snet-dns", ip: "10.2.0.4", pools: ["lb-dns/pool-dns"] })
        .guest("dns1", { listening: [{ protocol: "tcp", port: 53, address: "0.0.0.0" }] })
        .build(),
      errors: [{ messageId: "notListening", resourceId: ids.nic("dns1-nic") }],
    },
    {
      name: "floating IP whose frontend public IP is not in the snapshot: a socket bound only to the NIC's own address is not on the frontend IP",
      snapshot: floatingWeb()
        .remove(ids.publicIp("pip-lb-web"))
        .guest("vm1", { listening: [sshd, { protocol: "tcp", port: 80, address: "10.0.0.4" }] })
        .guest("vm2", web)
        .build(),
      errors: [{ messageId: "loopbackOnly", resourceId: ids.nic("vm1-nic") }],
    },
  ],
  unknown: [
    {
      name: "floating IP whose frontend public IP is not in the snapshot: a socket bound to one public address may be on the frontend IP",
      snapshot: floatingWeb()
        .remove(ids.publicIp("pip-lb-web"))
        .guest("vm1", {
          listening: [
            { protocol: "tcp", port: 80, address: "20.50.60.70" },
            { protocol: "tcp", port: 80, address: "10.0.0.4" },
          ],
        })
        .guest("vm2", web)
        .build(),
      reason: "not in the snapshot",
    },
    {
      name: "no guest data: Up on health port 8081 says nothing about data port 8080",
      snapshot: healthPortInternal().build(),
      reason: "run with --guest",
    },
    {
      name: "no guest data and no health status",
      snapshot: withoutHealth(
        healthyWeb()
          .gap({
            operation: "loadBalancerLoadBalancingRules.health",
            resourceId: ids.rule(WEB_LB, "rule-http"),
            status: 429,
            message: "throttled",
          })
          .build(),
      ),
      reason: "no health status",
    },
    {
      name: "Down with TcpProbeTimeout, but an Internet-tag deny makes the probe path undecidable",
      snapshot: bothDown("Down_Probe_TcpProbeTimeout")
        .nsgRule(WEB_NSG, { name: "deny-internet", priority: 4000, access: "Deny", protocol: "*", source: "Internet", ports: "*" })
        .build(),
      reason: "Internet tag",
    },
  ],
  notApplicable: [
    { name: "both VMs deallocated", snapshot: healthyWeb().power("vm1", "deallocated").power("vm2", "deallocated").build() },
    {
      name: "both time out because an NSG denies the probe: that is probe-blocked-by-nsg",
      snapshot: bothDown("Down_Probe_TcpProbeTimeout")
        .nsgRule(WEB_NSG, { name: "deny-lb-probe", priority: 200, access: "Deny", source: "AzureLoadBalancer", ports: "80" })
        .build(),
    },
  ],
};
