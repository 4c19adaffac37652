import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, RuleContext } from "../../../src/core/engine/types.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { flowProtocols, isAnyPort } from "../../../src/providers/azure/data-path.ts";
import {
  firewallCommands,
  guestFor,
  guestGap,
  isLoopback,
  isStopped,
  listenerAccepts,
  listenerCommands,
} from "../../../src/providers/azure/guest.ts";
import {
  ANSWERED_REASONS,
  healthGap,
  healthReason,
  isDown,
  NO_ANSWER_REASONS,
  ruleHealthFor,
} from "../../../src/providers/azure/health-reasons.ts";
import type { AzureModel, Vm } from "../../../src/providers/azure/model.ts";
import { type LbRule, type LoadBalancer, lbFrontendIp, type PoolMember } from "../../../src/providers/azure/model.ts";
import { evaluateFlow, probeFlow } from "../../../src/providers/azure/nsg.ts";
import { memberLabel, memberResourceId, memberSubjects } from "../../../src/providers/azure/rule-helpers.ts";

/** One port a member must listen on, and who needs it. */
interface Need {
  protocol: "tcp" | "udp";
  port: number;
  /** the address LB traffic arrives at (the frontend IP with floating IP) */
  destinationIp: string | undefined;
  /** floating IP whose frontend address the snapshot lacks: a socket bound to one address may or may not be on it */
  destinationUnknown?: boolean;
  roles: string[];
  evidence: Evidence[];
}

/** Records that a member must listen on (protocol, port) at an address, and who needs it. */
function addNeed(
  needs: Map<string, Need>,
  protocol: "tcp" | "udp",
  port: number,
  destinationIp: string | undefined,
  role: string,
  ev: Evidence,
  destinationUnknown = false,
): void {
  const k = `${protocol}|${port}|${destinationIp ?? ""}${destinationUnknown ? "|?" : ""}`;
  const n = needs.get(k);
  if (n) {
    n.roles.push(role);
    n.evidence.push(ev);
  } else
    needs.set(k, { protocol, port, destinationIp, roles: [role], evidence: [ev], ...(destinationUnknown ? { destinationUnknown } : {}) });
}

export default defineRule<AzureModel>({
  id: "azure/port-not-listening",
  provider: "azure",
  severity: "high",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms", "azure:ruleHealth", "azure:guest"],
  title: "Nothing listening on the probe or data port",
  description:
    "The backend-traffic troubleshooting guide's first cause: the backend VM does not listen on the port, so probes fail (the member goes Down) or, when the probe uses " +
    "another port, the member is Up and still never answers clients on the data port. With the opt-in guest check (`--guest`) lbdoctor " +
    "reads the VM's listening sockets and checks the probe port and every rule's backend port; a socket bound only to 127.0.0.1 counts " +
    "as not listening, since load-balanced traffic arrives at the NIC's IP (or the frontend IP with floating IP; when the snapshot lacks that " +
    "address, a socket bound to one address may or may not be on it, and the result is unknown). Without guest data, a " +
    "member Down with TcpProbeTimeout, HttpEndpointUnreachable or HttpNoResponse while the NSG path lets the probe in is reported as " +
    "suspected. Severity is high: the member serves nothing on that port.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
      title: "Troubleshoot Azure Load Balancer backend traffic responses",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-manage-health-status",
      title: "Manage Azure Load Balancer Health Status",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-manage-health-status",
  ],
  messages: {
    kubernetes:
      "Rule {{rule}} of {{lb}} is managed by Kubernetes: kube-proxy forwards port {{port}} to the Service's pods with packet rules, so no process on the node listens on it; not checked.",
    notListening: "{{member}} does not listen on {{protocol}} port {{port}} ({{roles}}); the guest check saw {{listening}}.",
    loopbackOnly:
      "{{member}} listens on {{protocol}} port {{port}} only on {{addresses}} ({{roles}}), which load-balanced traffic to {{destination}} cannot reach.",
    listening: "{{member}} listens on {{protocol}} port {{port}} ({{roles}}).",
    destinationUnknown:
      "{{member}} listens on {{protocol}} port {{port}} only on {{addresses}} ({{roles}}); with floating IP the traffic arrives at the frontend IP, which is not in the snapshot, so whether it reaches the socket is not known.",
    suspected:
      "suspected: not listening or guest firewall. {{member}} is Down for rule {{rule}} with {{reason}} while the NSG path lets 168.63.129.16 reach probe port {{port}}.",
    probeAnswers: "{{member}} answers probe {{probe}} on port {{port}} ({{reason}}), which is also the data port of rule {{rule}}.",
    dataPortUnchecked:
      "{{member}} answers probe {{probe}} on port {{probePort}} ({{reason}}), but whether it listens on data port {{port}} of rule {{rule}} needs the guest check: run with --guest.",
    probeBlocked:
      "{{member}} is Down for rule {{rule}} ({{reason}}), but the probe is denied by NSG {{nsg}} rule {{nsgRule}}; that is azure/probe-blocked-by-nsg, not a listener problem.",
    undecidable:
      "{{member}} is Down for rule {{rule}} ({{reason}}), but whether the NSG path lets the probe in cannot be decided: {{detail}}.",
    reasonSilent:
      "{{member}} has health reason {{reason}} for rule {{rule}}, which says nothing about listeners; run with --guest to check the ports.",
    noData: "No guest data for {{member}} and {{detail}}, so its ports cannot be checked: run with --guest.",
    stopped: "{{member}} is {{power}}: nothing can listen on a stopped VM. That is reported by azure/backend-vm-stopped.",
    haPortsOnly:
      "Rule {{rule}} is an HA-ports or any-port rule (port 0): there is no single data port to check on {{member}}, and it has no probe.",
    haProbeAnswers:
      "{{member}} answers probe {{probe}} on port {{probePort}} ({{reason}}); rule {{rule}} is an HA-ports or any-port rule (port 0), so there is no single data port to check.",
  },
  remediation:
    "Start the service, or make it listen on the port on all addresses (0.0.0.0 / ::) or the NIC's IP, not 127.0.0.1, and open the port in " +
    "the guest firewall. Confirm on the VM with `ss -ltn` (Linux) or `netstat -an` (Windows); lbdoctor's opt-in `--guest` does this for you.",
  explains: ["azure/backend-unhealthy"],
  check(ctx) {
    const { model, report } = ctx;
    for (const group of memberGroups(ctx)) {
      const { lb, member, rules } = group;
      const vm = member.vm;
      const label = memberLabel(member);
      const subjects = memberSubjects(member);
      const resourceId = memberResourceId(member);
      if (vm && isStopped(vm)) {
        report({
          resourceId,
          loadBalancerId: lb.id,
          subjects,
          key: "stopped",
          status: "not-applicable",
          messageId: "stopped",
          data: { member: label, power: vm.powerState },
          evidence: vm.powerStatePtr ? [{ resourceId: vm.id, pointer: vm.powerStatePtr, label: "power state" }] : [],
        });
        continue;
      }
      const guest = guestFor(model, vm);
      const m = { lb, member, label, subjects, resourceId };
      if (guest?.body.listening && vm) judgeFromGuest(ctx, m, vm, guest, memberNeeds(group));
      else judgeFromHealth(ctx, m, rules);
    }
  },
});

type Ctx = RuleContext<AzureModel>;
type Group = { lb: LoadBalancer; member: PoolMember; rules: LbRule[] };

/** Each member's rules, per load balancer; Kubernetes rules are reported here. */
function memberGroups({ model, report }: Ctx): Group[] {
  const groups: Group[] = [];
  for (const lb of model.loadBalancers) {
    // by member key, per load balancer (no joined key string per member and rule)
    const mine = new Map<string, Group>();
    for (const rule of lb.rules) {
      if (rule.kubernetes) {
        // kube-proxy forwards the Service's ports with packet rules: no process listens on the node
        report({
          resourceId: rule.id,
          loadBalancerId: lb.id,
          key: `k8s|${rule.name}`,
          status: "not-applicable",
          messageId: "kubernetes",
          data: { rule: rule.name, lb: lb.name, port: rule.backendPort },
          evidence: [{ resourceId: lb.id, pointer: rule.ptr, label: "load-balancing rule" }],
        });
        continue;
      }
      for (const member of rule.pool?.members ?? []) {
        if (member.kind === "frontend") continue; // a regional load balancer's frontend: no guest to ask
        let g = mine.get(member.key);
        if (!g) mine.set(member.key, (g = { lb, member, rules: [] }));
        g.rules.push(rule);
      }
    }
    for (const g of mine.values()) groups.push(g);
  }
  return groups;
}

/** Every (protocol, port) a member must serve, across its rules and their probes (only the guest check needs them). */
function memberNeeds({ lb, member, rules }: Group): Map<string, Need> {
  const needs = new Map<string, Need>();
  for (const rule of rules) {
    if (!isAnyPort(rule) && rule.backendPort > 0) {
      const dest = rule.enableFloatingIP ? lbFrontendIp(rule.frontend) : member.ip;
      for (const p of flowProtocols(rule.protocol)) {
        addNeed(
          needs,
          p === "Udp" ? "udp" : "tcp",
          rule.backendPort,
          dest,
          `data port of rule ${rule.name}`,
          { resourceId: lb.id, pointer: rule.ptr, label: "load-balancing rule" },
          rule.enableFloatingIP && dest === undefined,
        );
      }
    }
    if (rule.probe) {
      addNeed(needs, "tcp", rule.probe.port, member.ip, `probe ${rule.probe.name}`, {
        resourceId: lb.id,
        pointer: rule.probe.ptr,
        label: "probe",
      });
    }
  }
  return needs;
}

interface MemberCtx {
  lb: LoadBalancer;
  member: PoolMember;
  label: string;
  subjects: string[];
  resourceId: string;
}

const bareIp = (a: string | undefined): string => (a ?? "").trim().replace(/^\[(.*)\]$/, "$1");

/** With the guest check's sockets: each needed port listened on, on an address the traffic reaches, or not. */
function judgeFromGuest(
  { report }: Ctx,
  { lb, member, label, subjects, resourceId }: MemberCtx,
  vm: Vm,
  guest: NonNullable<ReturnType<typeof guestFor>>,
  needs: Map<string, Need>,
): void {
  const listening = guest.body.listening ?? [];
  // the guest check: read the sockets
  const listEv = { resourceId: vm.id, pointer: join(guest.ptr, "listening"), label: "listening sockets (guest check)" };
  const seen = listening.map((l) => `${l.protocol}/${l.address ?? "*"}:${l.port}`).join(", ") || "nothing at all";
  // the VM's own NIC addresses are never the frontend IP (nor is loopback): a socket bound there misses floating-IP traffic
  const own = new Set(vm.nics.flatMap((n) => n.ipConfigs.map((c) => c.privateIp)).filter((x): x is string => !!x));
  if (member.ip) own.add(member.ip);
  for (const need of needs.values()) {
    const data = {
      member: label,
      protocol: need.protocol.toUpperCase(),
      port: need.port,
      roles: need.roles.join(", "),
      listening: seen,
    };
    const base = { resourceId, loadBalancerId: lb.id, subjects, key: `${need.protocol}|${need.port}|${need.destinationIp ?? ""}` };
    const onPort = listening.filter((l) => l.protocol === need.protocol && l.port === need.port);
    const confirm = {
      summary:
        `Make the service on ${vm.name} listen on ${need.protocol.toUpperCase()} ${need.port} on all addresses (0.0.0.0 / ::)` +
        `${need.destinationIp ? ` or ${need.destinationIp}` : ""}, start it if it is stopped, and open the port in the guest firewall. Confirm with:`,
      commands: [...listenerCommands(vm, need.protocol), ...firewallCommands(vm)],
    };
    if (onPort.some((l) => listenerAccepts(l.address, need.destinationIp))) {
      report({ ...base, status: "pass", messageId: "listening", data, evidence: [listEv] });
    } else if (
      onPort.length > 0 &&
      need.destinationUnknown &&
      onPort.some((l) => !isLoopback(l.address ?? "") && !own.has(bareIp(l.address)))
    ) {
      // bound to one address, which may be the frontend IP the snapshot lacks
      const addresses = onPort.map((l) => l.address ?? "*").join(", ");
      report({
        ...base,
        status: "unknown",
        messageId: "destinationUnknown",
        data: { ...data, addresses },
        evidence: [listEv, ...need.evidence],
      });
    } else if (onPort.length > 0) {
      const addresses = onPort.map((l) => l.address ?? "*").join(", ");
      report({
        ...base,
        status: "fail",
        messageId: "loopbackOnly",
        data: { ...data, addresses, destination: need.destinationIp ?? (need.destinationUnknown ? "the frontend IP" : "the NIC") },
        evidence: [listEv, ...need.evidence],
        remediation: {
          ...confirm,
          summary: `${onPort.every((l) => isLoopback(l.address ?? "")) ? "The socket is bound to loopback only. " : ""}${confirm.summary}`,
        },
      });
    } else {
      report({
        ...base,
        status: "fail",
        messageId: "notListening",
        data,
        evidence: [listEv, ...need.evidence],
        remediation: confirm,
      });
    }
  }
}

/** Without guest data: what the health status says about the probe port, per rule. */
function judgeFromHealth(
  { model, report, passDetail }: Ctx,
  { lb, member, label, subjects, resourceId }: MemberCtx,
  rules: LbRule[],
): void {
  const vm = member.vm;
  const gap = guestGap(model, vm);
  const noGuest = gap ? ` (the guest check failed: ${gap.message})` : "";
  for (const rule of rules) {
    const key = `${rule.name}|${member.key}`;
    if (passDetail === false && rule.probe) {
      // a pass that is only counted (the probe answers: haProbeAnswers or probeAnswers below) needs no data or evidence
      const entry = ruleHealthFor(model, rule)?.byMember.get(member);
      const code = (entry?.reason ?? "").toLowerCase();
      if (entry?.state && !(isDown(entry) && NO_ANSWER_REASONS.has(code)) && ANSWERED_REASONS.has(code)) {
        if (isAnyPort(rule)) {
          report({ resourceId, loadBalancerId: lb.id, key, status: "pass", messageId: "haProbeAnswers" });
          continue;
        }
        if (rule.probe.port === rule.backendPort && flowProtocols(rule.protocol).every((p) => p === "Tcp")) {
          report({ resourceId, loadBalancerId: lb.id, key, status: "pass", messageId: "probeAnswers" });
          continue;
        }
      }
    }
    const base = { resourceId, loadBalancerId: lb.id, subjects, key };
    const ruleEv = { resourceId: lb.id, pointer: rule.ptr, label: "load-balancing rule" };
    const probe = rule.probe;
    const data = { member: label, rule: rule.name, port: rule.backendPort };
    if (!probe) {
      if (isAnyPort(rule)) report({ ...base, status: "not-applicable", messageId: "haPortsOnly", data, evidence: [ruleEv] });
      else
        report({
          ...base,
          status: "unknown",
          messageId: "noData",
          data: { ...data, detail: `rule ${rule.name} has no probe, so no health status${noGuest}` },
          evidence: [ruleEv],
        });
      continue;
    }
    const probeEv = { resourceId: lb.id, pointer: probe.ptr, label: "probe" };
    const health = ruleHealthFor(model, rule);
    const entry = health?.byMember.get(member);
    if (!health || !entry?.state) {
      const hg = health ? undefined : healthGap(model, rule);
      const detail = health
        ? `the health status of rule ${rule.name} has no state for it${noGuest}`
        : `no health status for rule ${rule.name}${hg ? ` (${hg.message})` : ""}${noGuest}`;
      report({ ...base, status: "unknown", messageId: "noData", data: { ...data, detail }, evidence: [ruleEv, probeEv] });
      continue;
    }
    const code = (entry.reason ?? "").toLowerCase();
    const rdata = { ...data, reason: entry.reason ?? "(no reason)", probe: probe.name, probePort: probe.port };
    const entryEv = { resourceId: rule.id, pointer: entry.ptr, label: "health status entry" };
    if (isDown(entry) && NO_ANSWER_REASONS.has(code)) {
      if (!member.ipConfig || !member.ip) {
        const detail = "the member has no NIC in the snapshot";
        report({ ...base, status: "unknown", messageId: "undecidable", data: { ...rdata, detail }, evidence: [entryEv] });
        continue;
      }
      const verdict = evaluateFlow(model, member.ipConfig, probeFlow(member.ip, probe.port));
      const d = verdict.blockingLayer?.deciding;
      if (verdict.verdict === "deny" && d) {
        report({
          ...base,
          status: "not-applicable",
          messageId: "probeBlocked",
          data: { ...rdata, nsg: d.nsgName, nsgRule: d.name },
          evidence: [entryEv, { resourceId: d.nsgId, pointer: d.ptr, label: "blocking rule" }],
        });
      } else if (verdict.verdict === "allow") {
        const commands = vm ? [...listenerCommands(vm), ...firewallCommands(vm)] : [];
        report({
          ...base,
          status: "fail",
          messageId: "suspected",
          data: { ...rdata, port: probe.port },
          evidence: [
            entryEv,
            probeEv,
            ruleEv,
            { resourceId: member.ipConfig.nic.id, pointer: member.ipConfig.ptr, label: "member ip configuration" },
          ],
          remediation: {
            summary:
              `${entry.reason}: ${healthReason(entry.reason)?.meaning ?? "an undocumented reason code"}. The NSGs let the probe in, so confirm on ${vm?.name ?? label} whether anything ` +
              `listens on TCP ${probe.port} (ss -ltn on Linux, netstat -an on Windows) and whether the guest firewall drops it. ` +
              "lbdoctor's opt-in --guest runs this check and turns the suspicion into a finding.",
            commands,
          },
        });
      } else {
        report({
          ...base,
          status: "unknown",
          messageId: "undecidable",
          data: { ...rdata, detail: verdict.reason ?? "unknown" },
          evidence: [entryEv, probeEv],
        });
      }
    } else if (ANSWERED_REASONS.has(code)) {
      const sameTcpPort = probe.port === rule.backendPort && flowProtocols(rule.protocol).every((p) => p === "Tcp");
      if (isAnyPort(rule)) report({ ...base, status: "pass", messageId: "haProbeAnswers", data: rdata, evidence: [entryEv, probeEv] });
      else if (sameTcpPort)
        report({ ...base, status: "pass", messageId: "probeAnswers", data: rdata, evidence: [entryEv, probeEv, ruleEv] });
      else report({ ...base, status: "unknown", messageId: "dataPortUnchecked", data: rdata, evidence: [entryEv, probeEv, ruleEv] });
    } else {
      report({ ...base, status: "unknown", messageId: "reasonSilent", data: rdata, evidence: [entryEv] });
    }
  }
}
