import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { compareText } from "../../../src/core/util/collate.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { nameOf } from "../../../src/providers/azure/arm-id.ts";
import { memberName, memberPower, placementOf, poolVms, reportListGaps, rulePools } from "../../../src/providers/azure/compute-helpers.ts";
import { isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, Vm } from "../../../src/providers/azure/model.ts";
import { placeholder, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

const names = (vms: Vm[]) => vms.map((v) => v.name).join(", ");

function placementEvidence(vms: Vm[]) {
  return vms.flatMap((vm) => [
    { resourceId: vm.id, pointer: join(vm.ptr, "properties", "availabilitySet"), label: `${vm.name} availability set` },
    { resourceId: vm.id, pointer: join(vm.ptr, "zones"), label: `${vm.name} zones` },
  ]);
}

function showCommand(vm: Vm): string {
  return (
    `az vm show --resource-group ${sh(rgOf(vm.id))} --name ${sh(vm.name)} ` +
    `--query "{availabilitySet:availabilitySet.id, zones:zones, osDisk:storageProfile.osDisk.managedDisk.id, osDiskDeleteOption:storageProfile.osDisk.deleteOption, nics:networkProfile.networkInterfaces[].id}" --output json`
  );
}

/**
 * Recreating a VM into an availability set from its own OS disk and NICs
 * (a VM's set is fixed at creation). The delete step stays in the summary:
 * it is destructive when the disk's deleteOption is Delete.
 */
function recreateInSet(vm: Vm, setId: string): string[] {
  const p = (vm.raw.properties ?? {}) as {
    hardwareProfile?: { vmSize?: string };
    storageProfile?: {
      osDisk?: { osType?: string; name?: string; managedDisk?: { id?: string } };
      dataDisks?: Array<{ managedDisk?: { id?: string } }>;
    };
  };
  const os = p.storageProfile?.osDisk;
  const disk = os?.managedDisk?.id ?? os?.name;
  const data = (p.storageProfile?.dataDisks ?? []).map((d) => d.managedDisk?.id).filter((x): x is string => !!x);
  const sameRg = rgOf(setId).toLowerCase() === rgOf(vm.id).toLowerCase();
  return [
    showCommand(vm),
    [
      `az vm create --resource-group ${sh(rgOf(vm.id))} --name ${sh(vm.name)}`,
      `--attach-os-disk ${disk ? sh(disk) : placeholder("os-disk-id")} --os-type ${os?.osType ? sh(os.osType.toLowerCase()) : placeholder("linux|windows")}`,
      ...(data.length > 0 ? [`--attach-data-disks ${data.map(sh).join(" ")}`] : []),
      `--nics ${vm.nics.length > 0 ? vm.nics.map((n) => sh(rgOf(n.id).toLowerCase() === rgOf(vm.id).toLowerCase() ? n.name : n.id)).join(" ") : placeholder("nic-id")}`,
      ...(p.hardwareProfile?.vmSize ? [`--size ${sh(p.hardwareProfile.vmSize)}`] : []),
      `--availability-set ${sh(sameRg ? nameOf(setId) : setId)}`,
    ].join(" "),
  ];
}

const ZONE_MOVE =
  "Moving a VM into an availability zone needs zonal copies of its disks: a single-instance VM can use the regional-to-zonal move " +
  "(learn.microsoft.com/azure/virtual-machines/move-virtual-machines-regional-zonal-portal); otherwise rebuild it from disk snapshots with --zone.";

function largestSet(sets: Map<string, Vm[]>): [string, Vm[]] | undefined {
  return [...sets.entries()].sort((a, b) => b[1].length - a[1].length || compareText(a[0], b[0]))[0];
}

export default defineRule<AzureModel>({
  id: "azure/availability-mismatch",
  provider: "azure",
  severity: "medium",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms", "azure:availabilitySets", "azure:scaleSets"],
  title: "Pool VMs not in one availability set or across zones",
  description:
    "The reference architecture for load-balanced VMs: load-balanced VMs belong in one availability set, which spreads them over fault and update domains; " +
    "the VM availability SLA needs two or more VMs in the same set, or VMs in two or more availability zones. This rule looks at the VMs behind each pool that a " +
    "load-balancing rule uses and reports, per pool: VMs in different availability sets (maintenance and fault domains are coordinated only within a set, " +
    "so VMs of different sets can go down together; low when every set holds two or more of the pool's VMs, medium otherwise); " +
    "VMs with neither an availability set nor a zone (single fault domain exposure); zonal VMs mixed with VMs placed without a zone; " +
    "and pools whose VMs all sit in one zone. Scale-set instances without zones are spread by their scale set and count as placed. " +
    "A VM's availability set is fixed when it is created, so the fix is a rebuild, which the remediation spells out. " +
    "Members whose VM is not in the snapshot make the result unknown unless a problem is already certain.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/javascript/api/@azure/arm-compute/availabilityset?view=azure-node-latest",
      title: "AvailabilitySet interface",
    },
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/components", title: "Azure Load Balancer components" },
    {
      url: "https://azure.github.io/Azure-Proactive-Resiliency-Library-v2/azure-resources/Network/loadBalancers/",
      title: "Azure Proactive Resiliency Library v2",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/virtual-machines/availability-set-overview",
    "https://learn.microsoft.com/azure/reliability/availability-zones-overview",
    "https://learn.microsoft.com/azure/virtual-machines/windows/change-availability-set",
  ],
  messages: {
    splitSets:
      "Pool {{pool}} ({{lb}}) spreads its VMs over {{count}} availability sets ({{sets}}); updates and fault domains are coordinated only within one set, so VMs of different sets can go down together.",
    noPlacement:
      "VM(s) {{vms}} in pool {{pool}} ({{lb}}) have neither an availability set nor an availability zone, so nothing keeps them off the host, rack or maintenance window of the other members.",
    mixedZonal:
      "Pool {{pool}} ({{lb}}) mixes zonal VMs ({{zonal}}) with VMs placed without a zone ({{regional}}); a zone outage takes out an unpredictable share of the pool.",
    singleZone:
      "All {{count}} VMs of pool {{pool}} ({{lb}}) are in zone {{zone}} and in no availability set: one zone outage takes the whole pool down; the zone SLA needs two or more zones.",
    consistent: "The {{count}} VM(s) of pool {{pool}} ({{lb}}) are placed consistently: {{placement}}.",
    undecidable: "Cannot check the placement of every VM in pool {{pool}} ({{lb}}): {{reasons}}.",
    noVms: "Pool {{pool}} ({{lb}}) has no VM members to check (IP addresses or NICs attached to no VM).",
    lbListGap: "Load balancers could not be listed ({{operation}}: {{reason}}), so pools with mismatched VM placement may go unseen.",
  },
  remediation:
    "Keep each pool's VMs in one availability set, or spread them over two or more availability zones. " +
    "An existing VM cannot join an availability set: recreate it in the set from its OS disk and NICs, or replace it with a new VM created there.",
  check({ model, report }) {
    reportListGaps(model, report, "lbListGap", ["loadBalancers.list"]);
    for (const { lb, pool } of rulePools(model)) {
      if (isGlobalTier(lb)) continue; // members are regional frontends: azure/cross-region-member
      const vms = poolVms(pool);
      const unsure = pool.members
        .map((m) => ({ m, p: memberPower(model, lb, m) }))
        .filter((x) => x.p.kind === "missing")
        .map((x) => `${memberName(x.m)}: ${x.p.detail}`);
      const base = { resourceId: pool.id, loadBalancerId: lb.id, subjects: [pool.id, ...vms.map((v) => v.id)] };
      const data = { pool: pool.name, lb: lb.name };
      if (vms.length === 0 && unsure.length === 0) {
        report({ ...base, status: "not-applicable", messageId: "noVms", data });
        continue;
      }
      // by id, case-insensitively (ARM ids mix case, and the compute API often returns a VM's set in capitals);
      // shown by the name of the set's first VM reference
      const sets = new Map<string, Vm[]>();
      const setKey = new Map<string, string>();
      for (const vm of vms) {
        if (vm.kind !== "vm" || !vm.availabilitySetId) continue;
        const id = vm.availabilitySetId.toLowerCase();
        let k = setKey.get(id);
        if (k === undefined) {
          k = nameOf(vm.availabilitySetId);
          // two sets of one name in different resource groups stay apart
          if (sets.has(k)) k = vm.availabilitySetId;
          setKey.set(id, k);
        }
        const list = sets.get(k);
        if (list) list.push(vm);
        else sets.set(k, [vm]);
      }
      const setOf = (v: Vm) => (v.availabilitySetId ? setKey.get(v.availabilitySetId.toLowerCase()) : undefined);
      const zonal = vms.filter((v) => v.zones.length > 0);
      const regional = vms.filter((v) => v.zones.length === 0 && (v.availabilitySetId || v.kind === "vmss-instance"));
      const bare = vms.filter((v) => v.kind === "vm" && !v.availabilitySetId && v.zones.length === 0);
      const target = largestSet(sets);
      const targetId = target?.[1][0]?.availabilitySetId;
      let failed = false;

      if (sets.size > 1 && target && targetId) {
        failed = true;
        const outliers = vms.filter((v) => v.availabilitySetId && setOf(v) !== target[0] && v.kind === "vm");
        const thin = [...sets.values()].some((s) => s.length < 2);
        report({
          ...base,
          key: "split",
          status: "fail",
          severity: thin ? "medium" : "low",
          messageId: "splitSets",
          data: { ...data, count: sets.size, sets: [...sets].map(([k, v]) => `${k}: ${names(v)}`).join("; ") },
          evidence: placementEvidence(vms.filter((v) => v.availabilitySetId)),
          remediation: {
            summary:
              `Put the pool's VMs in one set, ${target[0]}: ${names(outliers)} must be recreated there (a VM's availability set is fixed at creation). ` +
              "Check the show output first: delete the VM only when osDiskDeleteOption is Detach (or the disk is snapshotted), keep its NICs, then run the create command. " +
              `Alternatively, give each set its own pool.`,
            commands: outliers.flatMap((v) => recreateInSet(v, targetId)),
          },
        });
      }
      if (bare.length > 0) {
        failed = true;
        report({
          ...base,
          key: "bare",
          status: "fail",
          messageId: "noPlacement",
          data: { ...data, vms: names(bare) },
          evidence: placementEvidence(bare),
          remediation: targetId
            ? {
                summary:
                  `Recreate ${names(bare)} in availability set ${nameOf(targetId)} with the pool's other VMs (an existing VM cannot join a set). ` +
                  "Delete each VM only after the show command confirms osDiskDeleteOption is Detach, keeping its NICs; then run its create command.",
                commands: bare.flatMap((v) => recreateInSet(v, targetId)),
              }
            : {
                summary: `Spread ${names(bare)} over availability zones (or rebuild them in one availability set). ${ZONE_MOVE}`,
                commands: bare.map(showCommand),
              },
        });
      }
      const bareSet = new Set(bare);
      const regionalOnly = regional.filter((v) => !bareSet.has(v));
      if (zonal.length > 0 && regionalOnly.length > 0) {
        failed = true;
        report({
          ...base,
          key: "mixed",
          status: "fail",
          messageId: "mixedZonal",
          data: {
            ...data,
            zonal: zonal.map((v) => `${v.name} (zone ${v.zones.join(",")})`).join(", "),
            regional: regionalOnly.map((v) => `${v.name} (${placementOf(v)})`).join(", "),
          },
          evidence: placementEvidence([...zonal, ...regionalOnly]),
          remediation: {
            summary: `Pick one model for the pool: zonal VMs in two or more zones, or one availability set. ${ZONE_MOVE}`,
            commands: regionalOnly.filter((v) => v.kind === "vm").map(showCommand),
          },
        });
      }
      const zones = new Set(zonal.flatMap((v) => v.zones));
      if (zonal.length >= 2 && zonal.length === vms.length && zones.size === 1) {
        failed = true;
        const zone = [...zones][0] ?? "";
        report({
          ...base,
          key: "zone",
          status: "fail",
          messageId: "singleZone",
          data: { ...data, count: zonal.length, zone },
          evidence: placementEvidence(zonal),
          remediation: {
            summary: `Move all but one of ${names(zonal)} to other zones (${["1", "2", "3"].filter((z) => z !== zone).join(" or ")}). ${ZONE_MOVE}`,
            commands: zonal
              .slice(1)
              .filter((v) => v.kind === "vm")
              .map(showCommand),
          },
        });
      }
      if (failed) continue;
      if (unsure.length > 0) {
        report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reasons: unsure.join("; ") } });
        continue;
      }
      const placement =
        sets.size === 1 && target
          ? `availability set ${target[0]}`
          : zones.size > 1
            ? `zones ${[...zones].sort().join(", ")}`
            : [...new Set(vms.map(placementOf))].join("; ");
      report({ ...base, status: "pass", messageId: "consistent", data: { ...data, count: vms.length, placement } });
    }
  },
});
