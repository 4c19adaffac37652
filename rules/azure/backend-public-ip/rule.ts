import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { nameOf } from "../../../src/providers/azure/arm-id.ts";
import { memberName, memberPower, reportListGaps, rulePools } from "../../../src/providers/azure/compute-helpers.ts";
import { isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, IpConfig, Nic } from "../../../src/providers/azure/model.ts";
import { memberSubjects, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

const pipName = (c: IpConfig) => c.publicIp?.name ?? nameOf(c.publicIpId ?? "");
const pipText = (c: IpConfig) => `${pipName(c)}${c.publicIp?.ipAddress ? ` (${c.publicIp.ipAddress})` : ""} on ${c.nic.name}/${c.name}`;

function dissociate(c: IpConfig): string[] {
  const vmssId = /^(.*\/virtualMachineScaleSets\/[^/]+)\/virtualMachines\//i.exec(c.nic.id)?.[1];
  if (vmssId) {
    const rg = sh(rgOf(vmssId));
    const name = sh(nameOf(vmssId));
    return [
      `az vmss update --resource-group ${rg} --name ${name} --remove ${sh("virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0].publicIpAddressConfiguration")}`,
      `az vmss update-instances --resource-group ${rg} --name ${name} --instance-ids '*'`,
    ];
  }
  return [
    `az network nic ip-config update --resource-group ${sh(rgOf(c.nic.id))} --nic-name ${sh(c.nic.name)} --name ${sh(c.name)} --public-ip-address null`,
  ];
}

export default defineRule<AzureModel>({
  id: "azure/backend-public-ip",
  provider: "azure",
  severity: "medium",
  // the NICs' publicIPAddress references decide; the public IP resources only name the addresses, so their gaps change nothing
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms", "azure:scaleSets"],
  title: "Backend VM has its own public IP",
  description:
    "The reference architecture for load-balanced VMs gives load-balanced VMs private IP addresses only: clients reach them through the load balancer's public IP, and administrators through inbound NAT rules. " +
    "A public IP on a backend VM's NIC exposes it to the Internet directly, bypassing the load balancer's rules, probes and NAT mapping, " +
    "so an NSG mistake on that VM is an open door, and traffic that should be balanced can hit one server by address. " +
    "The rule checks every ip configuration of every NIC of each VM behind a pool that a load-balancing rule uses (a VM is reported once). " +
    "A reference to a public IP counts even when the public IP resource itself was not collected. " +
    "Severity is medium: an exposure to close, not an outage.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/outbound-rules", title: "Outbound rules Azure Load Balancer" },
    {
      url: "https://learn.microsoft.com/en-us/azure/virtual-network/ip-services/default-outbound-access",
      title: "Default outbound access in Azure",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/virtual-network/ip-services/remove-public-ip-address-vm",
    "https://learn.microsoft.com/azure/load-balancer/outbound-rules",
    "https://learn.microsoft.com/azure/bastion/bastion-overview",
  ],
  messages: {
    exposed:
      "VM {{vm}} in pool {{pool}} ({{lb}}) has its own public IP: {{pips}}. It is reachable from the Internet directly, bypassing the load balancer; the reference architecture gives backend VMs private IPs only.",
    private: "{{vm}} in pool {{pool}} ({{lb}}) has private IP addresses only.",
    ipMember: "Pool member {{member}} of {{pool}} is an IP address with no NIC in the snapshot; its public IP association is not visible.",
    missing: "Cannot check pool member {{member}} of {{pool}} ({{lb}}) for a public IP: {{reason}}.",
    lbListGap: "Load balancers could not be listed ({{operation}}: {{reason}}), so backend VMs with public IPs may go unseen.",
  },
  remediation:
    "Dissociate the public IP from the VM's ip configuration and reach the VM for administration through the load balancer's inbound NAT rules or Azure Bastion. " +
    "Behind a Standard load balancer a VM without a public IP has no default outbound Internet access: provide it with an outbound rule or a NAT gateway first. " +
    "Delete the freed public IP once nothing uses it.",
  check({ model, report, passDetail }) {
    reportListGaps(model, report, "lbListGap", ["loadBalancers.list"]);
    const seen = new Set<string>();
    for (const { lb, pool } of rulePools(model)) {
      if (isGlobalTier(lb)) continue; // members are regional frontends: azure/cross-region-member
      for (const m of pool.members) {
        const owner = m.vm?.key ?? m.nic?.key ?? m.key;
        if (seen.has(owner)) continue;
        seen.add(owner);
        if (!m.nic) {
          const base = { loadBalancerId: lb.id, subjects: memberSubjects(m) };
          const data = { member: memberName(m), pool: pool.name, lb: lb.name };
          const p = memberPower(model, lb, m);
          report({
            ...base,
            resourceId: m.id,
            resourceName: memberName(m),
            status: m.kind === "ip" ? "not-applicable" : "unknown",
            messageId: m.kind === "ip" ? "ipMember" : "missing",
            data: { ...data, reason: p.detail },
            evidence: [{ resourceId: lb.id, pointer: m.ptr, label: "pool member" }],
          });
          continue;
        }
        const nics: Nic[] = m.vm && m.vm.nics.length > 0 ? m.vm.nics : [m.nic];
        const exposed = nics.flatMap((n) => n.ipConfigs).filter((c) => c.publicIpId);
        const who = m.vm?.name ?? `NIC ${m.nic.name}`;
        const resourceId = m.vm?.id ?? m.nic.id;
        const resourceName = m.vm?.name ?? m.nic.name;
        if (exposed.length === 0 && passDetail === false) {
          // a pass that is only counted needs no message data or evidence
          report({ resourceId, loadBalancerId: lb.id, status: "pass", messageId: "private" });
          continue;
        }
        const base = { loadBalancerId: lb.id, subjects: memberSubjects(m) };
        const data = { member: memberName(m), pool: pool.name, lb: lb.name };
        if (exposed.length === 0) {
          report({
            ...base,
            resourceId,
            resourceName,
            status: "pass",
            messageId: "private",
            data: { ...data, vm: m.vm ? `VM ${who}` : who },
            evidence: nics.flatMap((n) =>
              n.ipConfigs.map((c) => ({
                resourceId: n.id,
                pointer: join(c.ptr, "properties", "publicIPAddress"),
                label: `public IP of ${n.name}/${c.name} (none)`,
              })),
            ),
          });
          continue;
        }
        // a scale set's per-instance public IPs belong to its model and go with it
        const standalone = [...new Set(exposed.map((c) => c.publicIp?.id ?? c.publicIpId ?? ""))].filter(
          (id) => !/\/virtualMachineScaleSets\//i.test(id),
        );
        report({
          ...base,
          resourceId,
          resourceName,
          status: "fail",
          messageId: "exposed",
          data: { ...data, vm: who, pips: exposed.map(pipText).join(", ") },
          evidence: exposed.flatMap((c) => [
            { resourceId: c.nic.id, pointer: join(c.ptr, "properties", "publicIPAddress"), label: `public IP of ${c.nic.name}/${c.name}` },
            ...(c.publicIp
              ? [
                  {
                    resourceId: c.publicIp.id,
                    pointer: join(c.publicIp.ptr, "properties", "ipAddress"),
                    label: `${c.publicIp.name} address`,
                  },
                ]
              : []),
          ]),
          remediation: {
            summary:
              `Dissociate ${exposed.map(pipName).join(", ")} from ${who}; administer it through the load balancer's inbound NAT rules or Azure Bastion instead. ` +
              (lb.sku.toLowerCase() === "standard"
                ? `${lb.name} is a Standard load balancer: without its public IP the VM has no default outbound Internet access, so check that an outbound rule or NAT gateway covers it first. `
                : "") +
              (standalone.length > 0
                ? `Afterwards delete the freed public IP if nothing else uses it (${standalone.map((id) => `az network public-ip delete --resource-group ${sh(rgOf(id))} --name ${sh(nameOf(id))}`).join("; ")}).`
                : "") +
              (exposed.some((c) => /\/virtualMachineScaleSets\//i.test(c.nic.id))
                ? " For a scale set the public IP comes from the model: the [0] indexes name the primary NIC and IP configuration; adjust them to yours."
                : ""),
            commands: [...new Set(exposed.flatMap(dissociate))],
          },
        });
      }
    }
  },
});
