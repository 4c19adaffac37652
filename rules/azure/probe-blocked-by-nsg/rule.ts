import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { gapReason } from "../../../src/providers/azure/compute-helpers.ts";
import type { AzureModel } from "../../../src/providers/azure/model.ts";
import { evaluateFlow, probeFlow } from "../../../src/providers/azure/nsg.ts";
import {
  allowFixCommands,
  memberLabel,
  memberResourceId,
  memberSubjects,
  probeMembers,
  uncollectedNicName,
} from "../../../src/providers/azure/rule-helpers.ts";

/** The list operations that collect NICs: a member's NIC missing after one of them failed says why. */
const NIC_LISTS = ["networkInterfaces.list", "listVirtualMachineScaleSetNetworkInterfaces"];

export default defineRule<AzureModel>({
  id: "azure/probe-blocked-by-nsg",
  provider: "azure",
  severity: "critical",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vnets", "azure:nsgs", "azure:applicationSecurityGroups", "azure:effectiveNsg"],
  title: "Health probe blocked by an NSG",
  description:
    "Azure Load Balancer health probes come from 168.63.129.16 (service tag `AzureLoadBalancer`). " +
    "If the subnet NSG or the NIC NSG denies that source on the probe's port ahead of any allow, every probe fails, " +
    "the member is marked Down and gets no new flows, even though the application is fine. " +
    "`Http` and `Https` probes are TCP connections as far as the NSG is concerned. " +
    'The `VirtualNetwork` tag holds that address too ("the virtual IP address of the host"), so a custom `Deny VirtualNetwork` rule ' +
    "blocks the probe, and the default AllowVnetInBound (65000) admits it before AllowAzureLoadBalancerInBound (65001). " +
    "A member whose backend address has admin state `Up` takes new connections whatever its probe says, so there the blocked probe " +
    "costs no traffic and is reported at low severity.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-custom-probe-overview",
      title: "Azure Load Balancer health probes",
    },
    { url: "https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview", title: "Network security groups" },
    { url: "https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview", title: "Virtual network service tags" },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-manage-health-status",
      title: "Manage Azure Load Balancer Health Status",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview#probe-source-ip-address",
    "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#azureloadbalancer",
    "https://learn.microsoft.com/azure/load-balancer/admin-state-overview",
  ],
  messages: {
    blocked:
      "Probe {{probe}} ({{protocol}} port {{port}}) from 168.63.129.16 to {{member}} is denied by NSG {{nsg}} rule {{rule}} (priority {{priority}}, {{layer}} layer).",
    allowed: "Probe {{probe}} ({{protocol}} port {{port}}) from 168.63.129.16 to {{member}} is allowed ({{basis}}).",
    undecidable: "Cannot decide whether probe {{probe}} (port {{port}}) reaches {{member}}: {{reason}}.",
    noNic: "Pool member {{member}} is an IP address with no NIC in the snapshot, so the NSGs in its path are not known.",
    nicMissing:
      "Pool member {{member}}: its network interface {{nic}} is not in the snapshot{{why}}, so the NSGs in its path are not known.",
  },
  remediation:
    "Add an inbound Allow rule for source `AzureLoadBalancer` on the probe port at a priority ahead of the blocking rule, " +
    "or narrow the blocking rule so it no longer matches 168.63.129.16.",
  explains: ["azure/backend-unhealthy"],
  check({ model, report, passDetail }) {
    for (const { lb, probe, member } of probeMembers(model)) {
      const resourceId = memberResourceId(member);
      const key = `${probe.name}|${member.key}`;
      const verdict = member.ipConfig && member.ip ? evaluateFlow(model, member.ipConfig, probeFlow(member.ip, probe.port)) : undefined;
      // a pass that is only counted needs no message data or evidence
      if (
        passDetail === false &&
        verdict &&
        verdict.verdict !== "unknown" &&
        !(verdict.verdict === "deny" && verdict.blockingLayer?.deciding)
      ) {
        report({ resourceId, loadBalancerId: lb.id, key, status: "pass", messageId: "allowed" });
        continue;
      }
      const base = { resourceId, loadBalancerId: lb.id, key, subjects: memberSubjects(member) };
      const data = { probe: probe.name, protocol: probe.protocol, port: probe.port, member: memberLabel(member) };
      const missingNic = uncollectedNicName(member);
      if (missingNic !== undefined) {
        const why = gapReason(model, [member.id.replace(/\/ipConfigurations\/[^/]*$/i, "")], NIC_LISTS);
        report({
          ...base,
          status: "unknown",
          messageId: "nicMissing",
          data: { ...data, nic: missingNic, why: why ? ` (${why})` : "" },
          evidence: [{ resourceId: lb.id, pointer: member.ptr, label: "pool member" }],
        });
        continue;
      }
      if (!verdict || !member.ipConfig) {
        report({
          ...base,
          status: "unknown",
          messageId: "noNic",
          data,
          evidence: [{ resourceId: lb.id, pointer: member.ptr, label: "pool member" }],
        });
        continue;
      }
      const probeEvidence = { resourceId: lb.id, pointer: probe.ptr, label: "probe" };
      if (verdict.verdict === "deny" && verdict.blockingLayer?.deciding) {
        const d = verdict.blockingLayer.deciding;
        const fix = allowFixCommands(model, verdict, {
          name: `allow-azure-lb-probe-${probe.port}`,
          source: "AzureLoadBalancer",
          port: probe.port,
          protocol: "Tcp",
          description: "Allow Azure Load Balancer health probes",
        });
        // admin state Up: the load balancer ignores the probe and keeps sending new connections
        const adminUp = member.adminState?.toLowerCase() === "up";
        report({
          ...base,
          ...(adminUp ? { severity: "low" as const } : {}),
          status: "fail",
          messageId: "blocked",
          data: { ...data, nsg: d.nsgName, rule: d.name, priority: d.priority, layer: verdict.blockingLayer.layer },
          evidence: [
            { resourceId: d.nsgId, pointer: d.ptr, label: `blocking rule (${verdict.blockingLayer.layer} NSG, ${verdict.basis})` },
            probeEvidence,
            { resourceId: member.nic?.id ?? lb.id, pointer: member.ipConfig.ptr, label: "member ip configuration" },
          ],
          remediation: {
            summary:
              `Allow AzureLoadBalancer on TCP ${probe.port} ahead of ${d.name} (priority ${d.priority}) in ${d.nsgName}.${fix.notes.length ? ` ${fix.notes.join(" ")}` : ""}` +
              (adminUp
                ? " The member's admin state is Up, so it keeps taking new connections for now; once the admin state goes back to None the probe decides and the member goes Down."
                : ""),
            commands: fix.commands,
          },
        });
      } else if (verdict.verdict === "unknown") {
        const layer = verdict.layers.find((l) => l.verdict === "unknown");
        report({
          ...base,
          status: "unknown",
          messageId: "undecidable",
          data: { ...data, reason: verdict.reason ?? "unknown" },
          evidence: [
            probeEvidence,
            ...(layer?.ambiguous[0]
              ? [{ resourceId: layer.ambiguous[0].nsgId, pointer: layer.ambiguous[0].ptr, label: "undecidable rule" }]
              : []),
          ],
        });
      } else {
        report({
          ...base,
          status: "pass",
          messageId: "allowed",
          data: { ...data, basis: verdict.basis === "effective-nsg" ? "effective security rules" : "NSG resources" },
          evidence: [probeEvidence],
        });
      }
    }
  },
});
