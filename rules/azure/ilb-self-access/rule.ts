import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, Remediation } from "../../../src/core/engine/types.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { isAnyPort, isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import { fromNames, guestFor, guestGap, osTypeOf, parseEndpoint, runCommand } from "../../../src/providers/azure/guest.ts";
import type { AzureModel, LbRule, PoolMember } from "../../../src/providers/azure/model.ts";
import { isAddressLike } from "../../../src/providers/azure/nsg.ts";
import { memberLabel, memberResourceId, memberSubjects, placeholder, ps, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

export default defineRule<AzureModel>({
  id: "azure/ilb-self-access",
  provider: "azure",
  severity: "high",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms", "azure:guest"],
  title: "Backend VM calls its own internal load balancer's frontend",
  description:
    "An internal load balancer does not translate a backend's outbound flow to its own frontend. When a backend VM calls the frontend of " +
    "the internal load balancer whose pool holds it, and the flow is mapped back to that same VM, the two halves of the flow do not match " +
    "inside the guest and the connection fails; mapped to another VM it works. The symptom is intermittent connection timeouts (the backend-traffic troubleshooting guide, " +
    "causes 3 and 4; the scenario is unsupported). lbdoctor sees it in the guest check's connections (`--guest`), or when you name the " +
    "calling VM with `--from <vm>`. Severity is high: a share of the application's own calls fail, at random.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
      title: "Troubleshoot Azure Load Balancer backend traffic responses",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-multivip-overview",
      title: "Multiple frontends for Azure Load Balancer",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-multivip-overview",
  ],
  messages: {
    seen: "{{vm}} is a backend of internal load balancer {{lb}} (pool {{pool}}) and holds a connection to that load balancer's own frontend {{endpoint}} (rule {{rule}}): whenever the flow is mapped back to {{vm}} it fails, so calls time out intermittently.",
    declared:
      "{{vm}} was named with --from as a caller of the frontend, and it is a backend of internal load balancer {{lb}} (pool {{pool}}, frontend {{endpoints}}): flows mapped back to {{vm}} fail, so calls time out intermittently.",
    notSeen: "{{vm}} is a backend of {{lb}}; the guest check saw no connection from it to the load balancer's frontend {{endpoints}}.",
    noData:
      "{{member}} is a backend of internal load balancer {{lb}}: whether it calls {{endpoints}} is not known. Run with --guest or --from <vm> to check.",
    guestFailed:
      "{{member}} is a backend of internal load balancer {{lb}}, but the guest check failed ({{gap}}), so its connections are not known.",
    fromNotMember:
      "{{vm}} (named with --from) is not a backend of any internal load balancer in the snapshot, so its calls to a frontend cannot map back to itself.",
    fromUnknown: "--from names '{{entry}}', which is not a VM in the snapshot.",
  },
  remediation:
    "Do not call an internal load balancer's frontend from its own backend VMs. Give each application its own backend pool of VMs (a caller " +
    "must not sit in the pool it calls), or use dual-NIC VMs so each application has its own NIC and IP, or put a proxy (Application " +
    "Gateway, nginx, haproxy) between the caller and the backends.",
  check({ model, report, passDetail }) {
    const from = model.context.from;
    const backendVmKeys = new Set<string>();
    for (const lb of model.loadBalancers) {
      if (!lb.isInternal || isGlobalTier(lb)) continue; // a cross-region load balancer's members are regional frontends
      const members = new Map<string, { member: PoolMember; rules: LbRule[] }>();
      for (const rule of lb.rules) {
        if (!rule.frontend?.privateIp) continue;
        for (const member of rule.pool?.members ?? []) {
          const e = members.get(member.key);
          if (e) e.rules.push(rule);
          else members.set(member.key, { member, rules: [rule] });
        }
      }
      for (const { member, rules } of members.values()) {
        const vm = member.vm;
        if (vm) backendVmKeys.add(vm.key);
        const guest = guestFor(model, vm);
        if (passDetail === false && !guest && !(vm && from.length > 0 && from.some((f) => fromNames(f, vm))) && !guestGap(model, vm)) {
          // no guest check and not named with --from: not applicable, and only counted (no message data or evidence)
          report({
            resourceId: memberResourceId(member),
            loadBalancerId: lb.id,
            key: member.key,
            status: "not-applicable",
            messageId: "noData",
          });
          continue;
        }
        const endpoints = [...new Set(rules.map(endpointOf))].join(", ");
        const pool = rules[0]?.pool?.name ?? "";
        const base = { resourceId: memberResourceId(member), loadBalancerId: lb.id, key: member.key, subjects: memberSubjects(member) };
        const data = { member: memberLabel(member), vm: vm?.name ?? memberLabel(member), lb: lb.name, pool, endpoints };
        const memberEv = { resourceId: lb.id, pointer: member.ptr, label: "pool member" };
        const frontendEv = (r: LbRule): Evidence[] =>
          r.frontend ? [{ resourceId: lb.id, pointer: r.frontend.ptr, label: "frontend" }] : [];
        const connections = guest?.body.connections;
        // guest connections to one of this LB's frontends on a rule's port
        const hits: Array<{ index: number; rule: LbRule; remote: string }> = [];
        connections?.forEach((c, index) => {
          const ep = parseEndpoint(c.remote);
          if (!ep) return;
          const rule = rules.find((r) => r.frontend?.privateIp === ep.ip && (isAnyPort(r) || r.frontendPort === ep.port));
          if (rule) hits.push({ index, rule, remote: c.remote });
        });
        const first = hits[0];
        if (guest && vm && first) {
          report({
            ...base,
            status: "fail",
            messageId: "seen",
            data: { ...data, endpoint: first.remote, rule: first.rule.name, pool: first.rule.pool?.name ?? pool },
            evidence: [
              ...hits.map((h) => ({
                resourceId: vm.id,
                pointer: join(guest.ptr, "connections", h.index),
                label: "connection (guest check)",
              })),
              { resourceId: lb.id, pointer: first.rule.ptr, label: "load-balancing rule" },
              ...frontendEv(first.rule),
              memberEv,
            ],
            remediation: fixFor(lb.id, lb.name, pool, vm, first.rule),
          });
        } else if (vm && from.some((f) => fromNames(f, vm))) {
          const rule = rules[0] as LbRule;
          report({
            ...base,
            status: "fail",
            messageId: "declared",
            data,
            evidence: [memberEv, { resourceId: lb.id, pointer: rule.ptr, label: "load-balancing rule" }, ...frontendEv(rule)],
            remediation: fixFor(lb.id, lb.name, pool, vm, rule),
          });
        } else if (guest && connections) {
          report({
            ...base,
            status: "pass",
            messageId: "notSeen",
            data,
            evidence: [{ resourceId: vm?.id ?? lb.id, pointer: join(guest.ptr, "connections"), label: "connections (guest check)" }],
          });
        } else {
          const gap = guestGap(model, vm);
          if (gap)
            report({ ...base, status: "unknown", messageId: "guestFailed", data: { ...data, gap: gap.message }, evidence: [memberEv] });
          else report({ ...base, status: "not-applicable", messageId: "noData", data, evidence: [memberEv] });
        }
      }
    }
    // --from entries that name no backend of an internal load balancer
    for (const entry of from) {
      const vm = model.vms.find((v) => fromNames(entry, v));
      if (!vm) report({ status: "unknown", resourceId: entry, key: "from", messageId: "fromUnknown", data: { entry } });
      else if (!backendVmKeys.has(vm.key)) {
        report({
          status: "pass",
          resourceId: vm.id,
          key: "from",
          messageId: "fromNotMember",
          data: { vm: vm.name },
          evidence: [{ resourceId: vm.id, pointer: vm.ptr, label: "VM" }],
        });
      }
    }
  },
});

/** A rule's frontend address and port, as a caller dials it. */
function endpointOf(r: LbRule): string {
  return `${r.frontend?.privateIp}:${isAnyPort(r) ? "*" : r.frontendPort}`;
}

function fixFor(lbId: string, lbName: string, pool: string, vm: NonNullable<PoolMember["vm"]>, rule: LbRule): Remediation {
  const target = `${rule.frontend?.privateIp}:${isAnyPort(rule) ? "*" : rule.frontendPort}`;
  const rg = sh(rgOf(lbId));
  // the address goes into a script the guest's shell runs (as root): quoted for it, never spliced in
  const ip = rule.frontend?.privateIp;
  const linuxIp = ip && isAddressLike(ip) ? sh(ip) : placeholder("frontend-ip");
  const windowsIp = ip && isAddressLike(ip) ? ps(`${ip}:`) : placeholder("frontend-ip:");
  return {
    summary:
      `${vm.name} must not reach ${lbName}'s frontend ${target} while it sits in pool ${pool}. Give each application its own pool of VMs, ` +
      "or run the applications on dual-NIC VMs with one NIC and IP each, or put a proxy (Application Gateway, nginx, haproxy) in between. " +
      "See who calls the frontend, and which pools and rules share the VMs, with:",
    commands: [
      osTypeOf(vm) === "Windows" ? runCommand(vm, `netstat -an | findstr ${windowsIp}`) : runCommand(vm, `ss -tn dst ${linuxIp}`),
      `az network lb rule list --resource-group ${rg} --lb-name ${sh(lbName)} --output table`,
      `az network lb address-pool show --resource-group ${rg} --lb-name ${sh(lbName)} --name ${sh(pool)} --query 'backendIPConfigurations[].id'`,
    ],
  };
}
