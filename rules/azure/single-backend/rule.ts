import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { resolvePointer } from "../../../src/core/util/json-pointer.ts";
import { obj, str } from "../../../src/core/util/wire.ts";
import { parseArmId } from "../../../src/providers/azure/arm-id.ts";
import {
  azPoolAdd,
  azVmStart,
  type MemberPower,
  memberName,
  memberPower,
  poolVnetKeys,
  reportListGaps,
  ruleList,
  rulePools,
  vmIpConfigFor,
  vmPools,
  vmsInAvailabilitySets,
} from "../../../src/providers/azure/compute-helpers.ts";
import { isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, LbRule, LoadBalancer, Pool, PoolMember, Vm } from "../../../src/providers/azure/model.ts";
import { memberSubjects, placeholder, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

interface Seen {
  m: PoolMember;
  p: MemberPower & { adminDown?: boolean };
}

function describe({ m, p }: Seen): string {
  return p.kind === "vm" && p.state === "down" ? `${memberName(m)} is ${p.detail}` : `${memberName(m)}: ${p.detail}`;
}

/**
 * Whether the member can serve: its power state, except that a member whose backend address has admin state Down
 * takes no new connections whatever its VM's state (admin state acts on the pool's probed rules, so only when one of
 * them has a probe). A VM already down stays down for its power state (starting it is the first fix).
 */
function servingState(model: AzureModel, lb: LoadBalancer, m: PoolMember, rules: LbRule[]): MemberPower & { adminDown?: boolean } {
  const p = memberPower(model, lb, m);
  if (p.state === "down" || m.adminState?.toLowerCase() !== "down" || !rules.some((r) => r.probeId)) return p;
  return {
    state: "down",
    kind: p.kind,
    ...(p.vm ? { vm: p.vm } : {}),
    detail: "set to admin state Down (no new connections, whatever its probe says)",
    evidence: m.adminStatePtr ? [{ resourceId: lb.id, pointer: m.adminStatePtr, label: `admin state of ${memberName(m)}` }] : p.evidence,
    adminDown: true,
  };
}

/** Members of one machine count once: two ip configurations (or NICs) of one VM are one point of failure. */
function machineKey(s: Seen): string {
  return s.p.vm?.key ?? s.m.key;
}

function machines(list: Seen[]): Seen[][] {
  const by = new Map<string, Seen[]>();
  for (const s of list) {
    const k = machineKey(s);
    const g = by.get(k);
    if (g) g.push(s);
    else by.set(k, [s]);
  }
  return [...by.values()];
}

/** "vm1 (nic vm1-nic, 10.0.0.4)", or for one VM behind several members "vm1 (one VM, 2 members: …)". */
function machineLabel(group: Seen[]): string {
  const first = group[0] as Seen;
  if (group.length === 1 || !first.p.vm) return group.map((s) => memberName(s.m)).join(", ");
  return `${first.p.vm.name} (one VM, ${group.length} members: ${group.map((s) => memberName(s.m)).join(", ")})`;
}

/** `az network lb address-pool address update … --admin-state None` for a member set Down, when its address has a name. */
function azAdminNone(model: AzureModel, lb: LoadBalancer, pool: Pool, m: PoolMember): string | undefined {
  if (!m.adminStatePtr) return undefined;
  const name = str(obj(resolvePointer(model.snapshot, m.adminStatePtr.replace(/\/properties\/adminState$/, ""))).name);
  if (!name) return undefined;
  return `az network lb address-pool address update --resource-group ${sh(rgOf(lb.id))} --lb-name ${sh(lb.name)} --pool-name ${sh(pool.name)} --name ${sh(name)} --admin-state None`;
}

/** Reads a VM's power state from Azure. */
function azPowerState(vm: Vm): string {
  const q = `--query "instanceView.statuses[?starts_with(code, 'PowerState/')].code" --output tsv`;
  return vm.kind === "vmss-instance" && vm.vmssId
    ? `az vmss get-instance-view --resource-group ${sh(rgOf(vm.vmssId))} --name ${sh(parseArmId(vm.vmssId).name)} --instance-id ${sh(parseArmId(vm.id).name)} --query "statuses[?starts_with(code, 'PowerState/')].code" --output tsv`
    : `az vm get-instance-view --resource-group ${sh(rgOf(vm.id))} --name ${sh(vm.name)} ${q}`;
}

/** A free name next to the template's: vm1 → vm2 (or vm3 when vm2 exists). */
function nextName(model: AzureModel, name: string): string {
  const taken = new Set(model.vms.map((v) => v.name.toLowerCase()));
  const m = /^(.*?)(\d*)$/.exec(name);
  const stem = m?.[1] ?? name;
  for (let n = Number(m?.[2] || 1) + 1; ; n++) if (!taken.has(`${stem}${n}`.toLowerCase())) return `${stem}${n}`;
}

/** Commands for one more serving member, modelled on an existing one. */
function addMemberCommands(model: AzureModel, template: Vm, pool: Pool): string[] {
  if (template.kind === "vmss-instance" && template.vmssId) {
    const vmssKey = template.vmssId.toLowerCase();
    const count = model.vms.filter((v) => v.vmssId?.toLowerCase() === vmssKey).length;
    return [
      `az vmss scale --resource-group ${sh(rgOf(template.vmssId))} --name ${sh(parseArmId(template.vmssId).name)} --new-capacity ${Math.max(2, count + 1)}`,
    ];
  }
  const ipc = template.nics.flatMap((n) => n.ipConfigs).find((c) => c.primary && c.subnetId);
  const p = (template.raw.properties ?? {}) as {
    hardwareProfile?: { vmSize?: string };
    storageProfile?: { imageReference?: Record<string, string>; osDisk?: { osType?: string } };
  };
  const img = p.storageProfile?.imageReference;
  const image = img?.id ?? (img?.publisher ? [img.publisher, img.offer, img.sku, img.version ?? "latest"].join(":") : "<image>");
  const rg = rgOf(template.id);
  const name = nextName(model, template.name);
  const nic = `${name}-nic`;
  const subnet = ipc?.subnetId ? parseArmId(ipc.subnetId) : undefined;
  const subnetArgs =
    subnet && ipc?.subnetId && subnet.resourceGroup?.toLowerCase() === rg.toLowerCase()
      ? `--vnet-name ${sh(subnet.segments[1] ?? "")} --subnet ${sh(subnet.name)}`
      : `--subnet ${ipc?.subnetId ? sh(ipc.subnetId) : placeholder("subnet-id")}`;
  // az makes pool names into ids with the NIC's group and subscription: a pool elsewhere goes by its id
  const lbSub = parseArmId(pool.lb.id).subscriptionId?.toLowerCase();
  const vmSub = parseArmId(template.id).subscriptionId?.toLowerCase();
  const samePoolRg = rgOf(pool.lb.id).toLowerCase() === rg.toLowerCase() && (!lbSub || !vmSub || lbSub === vmSub);
  const poolArgs = samePoolRg ? `--lb-name ${sh(pool.lb.name)} --lb-address-pools ${sh(pool.name)}` : `--lb-address-pools ${sh(pool.id)}`;
  const used = new Set(template.zones);
  const placement = template.availabilitySetId
    ? ` --availability-set ${sh(parseArmId(template.availabilitySetId).resourceGroup?.toLowerCase() === rg.toLowerCase() ? parseArmId(template.availabilitySetId).name : template.availabilitySetId)}`
    : template.zones.length > 0
      ? ` --zone ${["1", "2", "3"].find((z) => !used.has(z)) ?? placeholder("zone")}`
      : "";
  const login =
    p.storageProfile?.osDisk?.osType === "Windows"
      ? `--admin-username ${placeholder("admin-user")} --admin-password ${placeholder("password")}`
      : `--admin-username ${placeholder("admin-user")} --generate-ssh-keys`;
  return [
    `az network nic create --resource-group ${sh(rg)} --name ${sh(nic)} ${subnetArgs} ${poolArgs}`,
    `az vm create --resource-group ${sh(rg)} --name ${sh(name)} --nics ${sh(nic)} --image ${img?.publisher || img?.id ? sh(image) : placeholder("image")}${p.hardwareProfile?.vmSize ? ` --size ${sh(p.hardwareProfile.vmSize)}` : ""}${placement} ${login}`,
  ];
}

export default defineRule<AzureModel>({
  id: "azure/single-backend",
  provider: "azure",
  severity: "medium",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms", "azure:scaleSets", "azure:availabilitySets"],
  title: "Fewer than two backends able to serve",
  description:
    "A load-balanced service needs at least two members that can take traffic, otherwise one reboot, host failure or planned maintenance takes it down. " +
    "The reference architecture for load-balanced VMs: the VM availability SLA needs two or more VMs in one availability set (or spread across availability zones). " +
    "A member counts when its VM is running, or when it is an IP address with no VM behind it in the snapshot (lbdoctor cannot see its state). " +
    "Members whose VM is deallocated, stopped or on its way there, NICs attached to no VM, and members set to admin state Down " +
    "(the load balancer admits no new connections to them, whatever the probe says) do not count. Members count by machine: " +
    "two ip configurations or NICs of one VM are still one point of failure. " +
    "When the verdict depends on members whose power state the snapshot lacks (no instance view, VM not collected), the result is unknown. " +
    "Severity is medium with one member left (a redundancy risk) and high when none can serve (an outage; azure/backend-vm-stopped names the cause). " +
    "Whether the members sit in one availability set is azure/availability-mismatch's question.",
  citations: [
    {
      url: "https://azure.github.io/Azure-Proactive-Resiliency-Library-v2/azure-resources/Network/loadBalancers/",
      title: "Azure Proactive Resiliency Library v2",
    },
    {
      url: "https://learn.microsoft.com/en-us/javascript/api/@azure/arm-compute/availabilityset?view=azure-node-latest",
      title: "AvailabilitySet interface",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/virtual-machines/availability-set-overview",
    "https://learn.microsoft.com/azure/load-balancer/admin-state-overview",
    "https://www.microsoft.com/licensing/docs/view/Service-Level-Agreements-SLA-for-Online-Services",
  ],
  messages: {
    single:
      "Only one member of pool {{pool}} ({{lb}}: {{rules}}) can serve: {{serving}}. {{others}} A single backend is a single point of failure; the VM availability SLA needs two or more VMs in one availability set or across zones.",
    none: "No member of pool {{pool}} ({{lb}}: {{rules}}) can serve. {{others}}",
    globalTier:
      "{{lb}} is a cross-region (Global tier) load balancer: the members of {{pool}} are regional load balancers, not VMs, so availability sets do not apply; azure/cross-region-member checks each region.",
    atMostOne:
      "At most one member of pool {{pool}} ({{lb}}: {{rules}}) can serve, and the snapshot cannot tell whether even that one does. {{others}} A single backend is a single point of failure.",
    redundant: "{{count}} members of pool {{pool}} ({{lb}}) can serve: {{serving}}.",
    undecidable:
      "Pool {{pool}} ({{lb}}) has {{count}} member(s) known to serve ({{serving}}); whether it has two depends on members the snapshot cannot decide: {{unknowns}}.",
    empty: "Pool {{pool}} of {{lb}} has no members; azure/backend-pool-empty reports it.",
    lbListGap: "Load balancers could not be listed ({{operation}}: {{reason}}), so a pool with a single backend may go unseen.",
  },
  remediation:
    "Start the stopped members, or add a second VM to the pool: one already in the same availability set, or a new one created in it " +
    "(an existing VM cannot join an availability set after creation). For a scale set, raise its capacity to two or more.",
  check({ model, report }) {
    reportListGaps(model, report, "lbListGap", ["loadBalancers.list"]);
    for (const { lb, pool, rules } of rulePools(model)) {
      const data = { pool: pool.name, lb: lb.name, rules: ruleList(rules) };
      const base = { resourceId: pool.id, loadBalancerId: lb.id };
      if (pool.members.length === 0) {
        report({ ...base, status: "not-applicable", messageId: "empty", data });
        continue;
      }
      if (isGlobalTier(lb)) {
        report({ ...base, status: "not-applicable", messageId: "globalTier", data });
        continue;
      }
      const seen: Seen[] = pool.members.map((m) => ({ m, p: servingState(model, lb, m, rules) }));
      // counted by machine: two members of one VM are one point of failure
      const up = machines(seen.filter((s) => s.p.state === "up"));
      const upKeys = new Set(up.map((g) => machineKey(g[0] as Seen)));
      const down = seen.filter((s) => s.p.state === "down");
      const unknown = seen.filter((s) => s.p.state === "unknown");
      const unknownMachines = machines(unknown.filter((s) => !upKeys.has(machineKey(s))));
      const serving = up.map(machineLabel).join(", ") || "none";
      const evidence = seen.flatMap((s) => [
        { resourceId: lb.id, pointer: s.m.ptr, label: `pool member ${memberName(s.m)}` },
        ...s.p.evidence.filter((e) => e.pointer !== s.m.ptr),
      ]);
      if (up.length >= 2) {
        report({ ...base, status: "pass", messageId: "redundant", data: { ...data, count: up.length, serving } });
        continue;
      }
      if (up.length + unknownMachines.length >= 2) {
        report({
          ...base,
          status: "unknown",
          messageId: "undecidable",
          data: { ...data, count: up.length, serving, unknowns: unknown.map(describe).join("; ") },
          evidence,
          subjects: [pool.id, ...unknown.flatMap((s) => memberSubjects(s.m))],
        });
        continue;
      }
      const notServing = [...down, ...unknown];
      const others =
        [
          down.length > 0 ? `Not serving: ${down.map(describe).join("; ")}.` : "",
          unknown.length > 0 ? `Undecided: ${unknown.map(describe).join("; ")}.` : "",
        ]
          .filter((x) => x)
          .join(" ") || (seen.length > 1 ? "Every member of the pool is on that one VM." : "It is the pool's only member.");
      // the fix: look at what is undecided, start what is stopped, add VMs of the same availability set, then create one
      const commands = unknown.flatMap((s) => (s.p.vm ? [azPowerState(s.p.vm)] : []));
      commands.push(
        ...down.flatMap((s) => {
          if (s.p.adminDown) {
            const c = azAdminNone(model, lb, pool, s.m);
            return c ? [c] : [];
          }
          return s.p.vm ? [azVmStart(s.p.vm)] : [];
        }),
      );
      let need = 2 - up.length - commands.length;
      const poolVms = seen.map((s) => s.p.vm).filter((v): v is Vm => !!v);
      const sets = new Set(poolVms.map((v) => v.availabilitySetId?.toLowerCase()).filter((x): x is string => !!x));
      const vnets = poolVnetKeys(pool);
      for (const vm of vmsInAvailabilitySets(model, sets)) {
        if (need <= 0) break;
        if (!vm.availabilitySetId || !sets.has(vm.availabilitySetId.toLowerCase()) || poolVms.includes(vm) || vmPools(model, vm).length > 0)
          continue;
        const ipc = vmIpConfigFor(vm, vnets);
        if (!ipc) continue;
        if (vm.powerState !== "running") commands.push(azVmStart(vm));
        commands.push(azPoolAdd(ipc, pool));
        need--;
      }
      const template = up[0]?.[0]?.p.vm ?? poolVms[0];
      if (need > 0 && template) commands.push(...addMemberCommands(model, template, pool));
      const detached = down.filter((s) => s.p.kind === "detached-nic" && !s.p.adminDown).map((s) => s.m.nic?.name);
      const adminDown = down.filter((s) => s.p.adminDown).map((s) => memberName(s.m));
      report({
        ...base,
        status: "fail",
        messageId: up.length === 1 ? "single" : unknownMachines.length > 0 ? "atMostOne" : "none",
        severity: up.length + unknownMachines.length === 0 ? "high" : "medium",
        data: { ...data, serving, others },
        evidence,
        subjects: [pool.id, ...notServing.flatMap((s) => memberSubjects(s.m))],
        remediation: {
          summary:
            `Give ${pool.name} at least two members that can serve` +
            (template?.availabilitySetId ? `, in availability set ${parseArmId(template.availabilitySetId).name}` : "") +
            "." +
            (detached.length > 0 ? ` NIC ${detached.join(", ")} is attached to no VM: remove it from the pool or attach it.` : "") +
            (adminDown.length > 0
              ? ` ${adminDown.join(", ")} ${adminDown.length > 1 ? "are" : "is"} set to admin state Down: when the maintenance is over, set it back to None.`
              : "") +
            (template && !template.availabilitySetId && template.zones.length === 0 && template.kind === "vm"
              ? " Create the new VM in an availability set or a different zone than the first; an existing VM cannot be moved into one."
              : ""),
          commands:
            commands.length > 0
              ? commands
              : [`az network lb address-pool show --resource-group ${sh(rgOf(lb.id))} --lb-name ${sh(lb.name)} --name ${sh(pool.name)}`],
        },
      });
    }
  },
});
