import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { attachDashValues } from "../../../src/core/util/shell.ts";
import { nameOf, parseArmId } from "../../../src/providers/azure/arm-id.ts";
import { azVmStart, memberName, memberPower, reportListGaps, ruleList, rulePools } from "../../../src/providers/azure/compute-helpers.ts";
import type { AzureModel } from "../../../src/providers/azure/model.ts";
import { memberResourceId, memberSubjects, nicPoolArgs, poolIdAsRecorded, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

export default defineRule<AzureModel>({
  id: "azure/backend-vm-stopped",
  provider: "azure",
  severity: "high",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms", "azure:scaleSets"],
  title: "Backend VM stopped or deallocated",
  description:
    "A pool member whose VM is stopped or deallocated cannot answer the health probe or carry traffic: the load balancer marks it Down " +
    "and the remaining members take its share, or nobody does if it was the last one. " +
    "It is the most common root cause behind an unhealthy backend and a pool left with one server. " +
    "The power state comes from the VM's instance view (`PowerState/…` in `properties.instanceView.statuses`); " +
    "`stopping` and `deallocating` count as stopped, since a stop is in progress. " +
    "A VM that is stopped but not deallocated still bills compute. " +
    "When the snapshot has no instance view for a VM (or no VM at all behind a NIC), the result is unknown, never a pass. " +
    "Members that are bare IP addresses, or NICs attached to no VM, have no power state and are not applicable. " +
    "Severity is high: capacity is lost now, and the pool may be down to one member or none.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-manage-health-status",
      title: "Manage Azure Load Balancer Health Status",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-custom-probe-overview",
      title: "Azure Load Balancer health probes",
    },
  ],
  references: ["https://learn.microsoft.com/azure/virtual-machines/states-billing", "https://learn.microsoft.com/cli/azure/vm#az-vm-start"],
  messages: {
    stopped: "VM {{vm}} in pool {{pool}} ({{lb}}: {{rules}}) is {{state}}, so it answers no probe and serves none of the pool's traffic.",
    running: "VM {{vm}} in pool {{pool}} ({{lb}}) is {{state}}.",
    noPowerState: "Cannot tell whether VM {{vm}} in pool {{pool}} ({{lb}}) is running: {{reason}}.",
    missing: "Cannot tell whether pool member {{member}} of {{pool}} ({{lb}}) is running: {{reason}}.",
    ipMember: "Pool member {{member}} of {{pool}} is an IP address with no VM in the snapshot; it has no power state to check.",
    detachedNic: "Pool member {{member}} of {{pool}}: {{reason}}, so there is no power state to check.",
    lbListGap: "Load balancers could not be listed ({{operation}}: {{reason}}), so stopped backend VMs may go unseen.",
  },
  remediation:
    "Start the VM (`az vm start`, or `az vmss start --instance-ids` for a scale-set instance). " +
    "If it was retired on purpose, take its NIC out of the pool instead, so the pool's size says what really serves.",
  explains: ["azure/backend-unhealthy", "azure/single-backend"],
  check({ model, report, passDetail }) {
    reportListGaps(model, report, "lbListGap", ["loadBalancers.list"]);
    for (const { lb, pool, rules } of rulePools(model)) {
      for (const m of pool.members) {
        if (m.kind === "frontend") continue; // a cross-region member is a regional frontend: azure/cross-region-member
        const p = memberPower(model, lb, m);
        if (passDetail === false) {
          // a result that is only counted (the passes and not-applicable results below) needs no message data or evidence
          const counted = (status: "pass" | "not-applicable", messageId: string) =>
            report({ resourceId: memberResourceId(m), loadBalancerId: lb.id, key: `${pool.name}|${m.key}`, status, messageId });
          if (p.kind === "ip") {
            counted("not-applicable", "ipMember");
            continue;
          }
          if (p.kind === "detached-nic") {
            counted("not-applicable", "detachedNic");
            continue;
          }
          if (p.vm && p.state !== "down" && (p.state === "up" || p.vm.powerState === "starting")) {
            counted("pass", "running");
            continue;
          }
        }
        const base = {
          resourceId: memberResourceId(m),
          loadBalancerId: lb.id,
          key: `${pool.name}|${m.key}`,
          subjects: memberSubjects(m),
          evidence: [{ resourceId: lb.id, pointer: m.ptr, label: "pool member" }, ...p.evidence.filter((e) => e.pointer !== m.ptr)],
        };
        const data = { member: memberName(m), pool: pool.name, lb: lb.name, rules: ruleList(rules), reason: p.detail };
        const vm = p.vm;
        if (p.kind === "ip") report({ ...base, status: "not-applicable", messageId: "ipMember", data });
        else if (p.kind === "detached-nic") report({ ...base, status: "not-applicable", messageId: "detachedNic", data });
        else if (!vm) report({ ...base, status: "unknown", messageId: "missing", data });
        else if (p.state === "down") {
          const ipc = m.ipConfig;
          // in the summary's words, where no command is completed later: it names its subscription itself
          const subscription = (id: string) => {
            const sub = parseArmId(id).subscriptionId;
            return sub ? ` --subscription ${sh(sub)}` : "";
          };
          const instead =
            vm.kind === "vmss-instance" && vm.vmssId
              ? `az vmss delete-instances --resource-group ${sh(rgOf(vm.vmssId))} --name ${sh(nameOf(vm.vmssId))} --instance-ids ${sh(nameOf(vm.id))}${subscription(vm.vmssId)}`
              : ipc
                ? `az network nic ip-config address-pool remove --resource-group ${sh(rgOf(ipc.nic.id))} --nic-name ${sh(ipc.nic.name)} --ip-config-name ${sh(ipc.name)} ${nicPoolArgs(ipc.nic.id, pool.id, poolIdAsRecorded(ipc, pool))}${subscription(ipc.nic.id)}`
                : undefined;
          const progress = vm.powerState === "stopping" || vm.powerState === "deallocating";
          report({
            ...base,
            status: "fail",
            messageId: "stopped",
            data: { ...data, vm: vm.name, state: p.detail },
            remediation: {
              summary:
                (progress
                  ? `A stop of ${vm.name} is in progress; if it was not intended, start it once the operation completes. `
                  : `Start ${vm.name}. `) +
                (vm.powerState === "stopped" ? "A stopped (not deallocated) VM is still billed for compute. " : "") +
                (instead
                  ? `If ${vm.name} is retired on purpose, remove it from ${pool.name} instead: \`${attachDashValues(instead)}\``
                  : ""),
              commands: [azVmStart(vm)],
            },
          });
        } else if (p.state === "up" || vm.powerState === "starting") {
          report({ ...base, status: "pass", messageId: "running", data: { ...data, vm: vm.name, state: vm.powerState ?? p.detail } });
        } else report({ ...base, status: "unknown", messageId: "noPowerState", data: { ...data, vm: vm.name } });
      }
    }
  },
});
