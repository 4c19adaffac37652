import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { ReportInput } from "../../../src/core/engine/types.ts";
import type { AzureModel, Nic } from "../../../src/providers/azure/model.ts";
import { listGaps } from "../../../src/providers/azure/model.ts";
import { applianceHops, firewallHopFinding, frontendBackends, resolveHop, vmssOfNic } from "../../../src/providers/azure/route-helpers.ts";
import { rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

function forwardingFix(nic: Nic): string[] {
  const vmss = vmssOfNic(nic);
  if (vmss) {
    const g = `--resource-group ${sh(vmss.resourceGroup ?? rgOf(nic.id))} --name ${sh(vmss.vmssName)}`;
    return [
      `az vmss update ${g} --set ${sh("virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].enableIPForwarding=true")}`,
      `az vmss update-instances ${g} --instance-ids '*'`,
    ];
  }
  return [`az network nic update --resource-group ${sh(rgOf(nic.id))} --name ${sh(nic.name)} --ip-forwarding true`];
}

export default defineRule<AzureModel>({
  id: "azure/nva-ip-forwarding-disabled",
  provider: "azure",
  severity: "high",
  reads: ["azure:routeTables", "azure:loadBalancers", "azure:nics", "azure:vms"],
  title: "Route to an NVA whose NIC has IP forwarding disabled",
  description:
    "A user-defined route with next hop `VirtualAppliance` hands packets to the NVA's IP, but those packets are " +
    "addressed to somebody else. Azure delivers such packets to a NIC, and lets it send packets with a source that is not " +
    "its own, only when the NIC has `enableIPForwarding: true`; otherwise the platform drops them silently, and " +
    "everything behind the route is unreachable while the NVA itself looks healthy. The check follows every " +
    "VirtualAppliance route of every route table in the snapshot to the NIC that holds the next-hop IP; when the next " +
    "hop is an internal load balancer frontend (the HA design of the highly available NVA guidance), it checks the NICs in that LB's pool, which " +
    "receive the same forwarded packets. Azure Firewall needs no such setting. IP forwarding must also be on inside the " +
    "guest OS, which the snapshot does not show.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-udr-overview",
      title: "Virtual network traffic routing",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#user-defined",
    "https://learn.microsoft.com/azure/virtual-network/virtual-network-network-interface#enable-or-disable-ip-forwarding",
    "https://learn.microsoft.com/cli/azure/network/nic#az-network-nic-update",
  ],
  messages: {
    disabled:
      "Route(s) {{routes}} send traffic to {{ip}}, which is NIC {{nic}}{{vm}}, and that NIC has IP forwarding disabled: Azure drops every forwarded packet.",
    lbMemberDisabled:
      "Route(s) {{routes}} send traffic to {{ip}}, frontend {{frontend}} of internal LB {{lb}}; pool member NIC {{nic}}{{vm}} has IP forwarding disabled, so it drops what the LB hands it.",
    enabled: "NIC {{nic}}{{vm}} holds {{ip}}, the next hop of {{routes}}, and has IP forwarding enabled.",
    lbMemberEnabled:
      "NIC {{nic}}{{vm}}, behind internal LB frontend {{lb}}/{{frontend}} ({{ip}}, the next hop of {{routes}}), has IP forwarding enabled.",
    azureFirewall: "The next hop {{ip}} of {{routes}} is Azure Firewall {{firewall}}, which forwards by itself: no NIC setting applies.",
    lbNoMembers:
      "The next hop {{ip}} of {{routes}} is frontend {{frontend}} of internal LB {{lb}}, but no NIC in its pools is in the snapshot, so their IP forwarding is not known.",
    notFound:
      "No NIC or internal LB frontend in the snapshot holds {{ip}}, the next hop of {{routes}}: the NVA may live in another resource group or VNet that was not collected, so its IP forwarding setting is not known.{{gap}}",
    ambiguous: "Several NICs in the snapshot hold {{ip}}, the next hop of {{routes}} ({{nics}}), so which one is the NVA is not known.",
    noHopIp: "Route {{routes}} has next hop VirtualAppliance but no next-hop IP address.",
  },
  remediation:
    "Enable IP forwarding on the NVA's NIC (`az network nic update --ip-forwarding true`; for a scale set, on the scale " +
    "set model), and inside the guest OS (Linux: `sysctl -w net.ipv4.ip_forward=1`, persisted in /etc/sysctl.conf).",
  check({ model, report }) {
    const hops = applianceHops(model, report);
    // a failed NIC listing (not a per-NIC observation such as listEffectiveNetworkSecurityGroups) explains a missing NVA
    const nicsGap = listGaps(model, "networkinterfaces.list").some((g) =>
      /^networkinterfaces\.list(all|virtualmachinescalesetnetworkinterfaces|virtualmachinescalesetvmnetworkinterfaces)?$/i.test(
        g.operation,
      ),
    );
    for (const hop of hops) {
      const ip = hop.data.ip;
      const { tables, tableIds, routeEvidence, data, onTable } = hop;

      const judgeNic = (nic: Nic, via: { lb: string; frontend: string; lbId: string; ptr: string } | undefined) => {
        const vm = nic.vm ? ` (VM ${nic.vm.name})` : "";
        const base: Pick<ReportInput, "resourceId" | "key" | "subjects" | "loadBalancerId"> = {
          resourceId: nic.id,
          key: ip,
          subjects: [nic.id, ...(nic.vm ? [nic.vm.id] : []), ...tableIds],
          ...(via ? { loadBalancerId: via.lbId } : {}),
        };
        const nicData = { ...data, nic: nic.name, vm, ...(via ? { lb: via.lb, frontend: via.frontend } : {}) };
        if (nic.enableIPForwarding) {
          report({
            ...base,
            status: "pass",
            messageId: via ? "lbMemberEnabled" : "enabled",
            data: nicData,
            evidence: [{ resourceId: nic.id, pointer: `${nic.ptr}/properties/enableIPForwarding`, label: "IP forwarding" }],
          });
          return;
        }
        const others = (nic.vm?.nics ?? []).filter((n) => n !== nic && !n.enableIPForwarding).map((n) => n.name);
        report({
          ...base,
          status: "fail",
          messageId: via ? "lbMemberDisabled" : "disabled",
          data: nicData,
          evidence: [
            { resourceId: nic.id, pointer: `${nic.ptr}/properties/enableIPForwarding`, label: "IP forwarding" },
            ...(via ? [{ resourceId: via.lbId, pointer: via.ptr, label: "internal LB frontend (the route's next hop)" }] : []),
            ...routeEvidence,
          ],
          remediation: {
            summary:
              `Enable IP forwarding on ${nic.name}${vmssOfNic(nic) ? " (through its scale set model)" : ""}, and in the guest OS ` +
              "(Linux: sysctl -w net.ipv4.ip_forward=1)." +
              (others.length > 0
                ? ` The VM's other NIC(s) ${others.join(", ")} also have it off: enable it on any NIC the forwarded traffic leaves through.`
                : ""),
            commands: forwardingFix(nic),
          },
        });
      };

      const firewall = firewallHopFinding(model, hop, "not-applicable");
      if (firewall) {
        report(firewall);
        continue;
      }
      const target = resolveHop(model, ip, tables);
      if (target.kind === "nic") {
        judgeNic(target.ipConfig.nic, undefined);
      } else if (target.kind === "lb-frontend") {
        const { nics } = frontendBackends(target.lb, target.frontend);
        const via = { lb: target.lb.name, frontend: target.frontend.name, lbId: target.lb.id, ptr: target.frontend.ptr };
        if (nics.length === 0) {
          report({
            ...onTable,
            loadBalancerId: target.lb.id,
            status: "unknown",
            messageId: "lbNoMembers",
            data: { ...data, lb: target.lb.name, frontend: target.frontend.name },
            evidence: [{ resourceId: target.lb.id, pointer: target.frontend.ptr, label: "internal LB frontend" }, ...routeEvidence],
          });
        }
        for (const nic of nics) judgeNic(nic, via);
      } else if (target.kind === "ambiguous") {
        report({
          ...onTable,
          status: "unknown",
          messageId: "ambiguous",
          data: { ...data, nics: target.ipConfigs.map((c) => c.nic.name).join(", ") },
          evidence: routeEvidence,
        });
      } else {
        report({
          ...onTable,
          status: "unknown",
          messageId: "notFound",
          data: { ...data, gap: nicsGap ? " (listing network interfaces failed during collection)" : "" },
          evidence: routeEvidence,
        });
      }
    }
  },
});
