import { defineRule } from "../../../src/core/engine/define-rule.ts";
import {
  anyPortPhrase,
  clientSpace,
  describeRules,
  flowProtocols,
  hasNoNsg,
  isAnyPort,
  isStandardSku,
  restriction,
} from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, LbRule, LoadBalancer, PoolMember } from "../../../src/providers/azure/model.ts";
import { lbFrontendIp } from "../../../src/providers/azure/model.ts";
import { evaluateFlow, type FlowVerdict } from "../../../src/providers/azure/nsg.ts";
import { allowFixCommands, memberLabel, memberResourceId, memberSubjects, ruleMembers } from "../../../src/providers/azure/rule-helpers.ts";

export default defineRule<AzureModel>({
  id: "azure/data-port-blocked-by-nsg",
  provider: "azure",
  severity: "critical",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vnets", "azure:nsgs", "azure:applicationSecurityGroups", "azure:effectiveNsg"],
  title: "Data port blocked by an NSG",
  description:
    "On the load-balanced data path the NSG sees the original client address and the backend's own IP and port, not the load balancer. " +
    "If the subnet NSG or the NIC NSG denies clients on the rule's backend port, the member can be healthy (the probe comes from " +
    "168.63.129.16 and is allowed separately) and still never answer a client: the backend-traffic troubleshooting guide's cause 2. " +
    "Clients are the `Internet` tag space for a public load balancer and the `VirtualNetwork` space for an internal one; with floating IP " +
    "the destination the NSG sees is the frontend IP. A deny that sits behind Allow rules for narrower prefixes is an IP allow-list " +
    "(the reference architecture for load-balanced VMs recommends one), so it is reported as restricted, not blocked. " +
    "Severity is critical: every client of the rule is cut off from that member.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
      title: "Troubleshoot Azure Load Balancer backend traffic responses",
    },
    { url: "https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview", title: "Network security groups" },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-troubleshoot-backend-traffic",
    "https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works",
  ],
  messages: {
    blocked:
      "Clients from {{source}} cannot reach {{member}} on {{protocol}} port {{port}} (rule {{rule}}): NSG {{nsg}} rule {{nsgRule}} (priority {{priority}}, {{layer}} layer) denies it.",
    allowed: "Clients from {{source}} reach {{member}} on {{protocol}} port {{port}} (rule {{rule}}, {{basis}}).",
    restricted:
      "Clients of rule {{rule}} reach {{member}} on {{protocol}} port {{port}} only from the prefixes allowed by {{allowList}}; other {{source}} clients are denied by {{nsgRule}} (priority {{priority}}), which is an allow-list, not a block.",
    undecidable:
      "Cannot decide whether clients from {{source}} reach {{member}} on {{protocol}} port {{port}} (rule {{rule}}): {{reason}}.",
    noNic: "Pool member {{member}} of rule {{rule}} has no NIC in the snapshot, so the NSGs in its path are not known.",
    noFrontendIp:
      "Rule {{rule}} uses floating IP, so the NSG sees the frontend IP as the destination, but that address is not in the snapshot ({{frontend}}).",
    haPorts: "Rule {{rule}} is {{kind}}: it carries every port, so there is no single data port to check on {{member}}.",
    noNsg:
      "{{member}} has no NSG on its NIC or subnet; a Standard public load balancer then admits no inbound traffic at all. That is reported by azure/standard-lb-no-nsg.",
  },
  remediation:
    "Add an inbound Allow rule for the clients (the `Internet` tag for a public load balancer, `VirtualNetwork` for an internal one, or the " +
    "clients' own prefixes for an allow-list) on the rule's backend port, at a priority ahead of the blocking rule, in every NSG that denies it.",
  check({ model, report, passDetail }) {
    const detail = passDetail !== false;
    for (const { lb, rule, member } of ruleMembers(model)) {
      const source = clientSpace(lb);
      const resourceId = memberResourceId(member);
      const key = `${rule.name}|${member.key}`;
      // a result that is only counted (passDetail false) needs no message data or evidence: `shown` makes them, only
      // for what is shown (a function apart: a closure here would make the engine allocate a context for every member)
      if (isAnyPort(rule)) {
        if (!detail) {
          report({ resourceId, loadBalancerId: lb.id, key, status: "not-applicable", messageId: "haPorts" });
          continue;
        }
        const { base, data, ruleEv } = shown(lb, rule, member, key, source);
        report({
          ...base,
          status: "not-applicable",
          messageId: "haPorts",
          data: { ...data, kind: anyPortPhrase(rule) },
          evidence: [ruleEv],
        });
        continue;
      }
      const ipc = member.ipConfig;
      if (!ipc || !member.ip) {
        const { base, data, ruleEv } = shown(lb, rule, member, key, source);
        const memberEv = { resourceId: lb.id, pointer: member.ptr, label: "pool member" };
        report({ ...base, status: "unknown", messageId: "noNic", data, evidence: [memberEv, ruleEv] });
        continue;
      }
      if (isStandardSku(lb) && !lb.isInternal && hasNoNsg(ipc) === true) {
        if (!detail) {
          report({ resourceId, loadBalancerId: lb.id, key, status: "not-applicable", messageId: "noNsg" });
          continue;
        }
        const { base, data } = shown(lb, rule, member, key, source);
        const ipcEv = { resourceId: ipc.nic.id, pointer: ipc.ptr, label: "member ip configuration" };
        report({ ...base, status: "not-applicable", messageId: "noNsg", data, evidence: [ipcEv] });
        continue;
      }
      const destinationIp = rule.enableFloatingIP ? lbFrontendIp(rule.frontend) : member.ip;
      if (!destinationIp) {
        const { base, data, ruleEv } = shown(lb, rule, member, key, source);
        const frontend = rule.frontend?.publicIpId ?? rule.frontendId ?? "no frontend";
        report({ ...base, status: "unknown", messageId: "noFrontendIp", data: { ...data, frontend }, evidence: [ruleEv] });
        continue;
      }
      const verdicts = flowProtocols(rule.protocol).map((protocol) => ({
        protocol,
        verdict: evaluateFlow(model, ipc, {
          direction: "Inbound",
          protocol,
          source: { kind: "tag", tag: source },
          destinationIp,
          destinationPort: rule.backendPort,
        }),
      }));
      const blocked = verdicts.find((v) => v.verdict.verdict === "deny" && !restriction(v.verdict));
      const unknown = verdicts.find((v) => v.verdict.verdict === "unknown");
      const restricted = verdicts.find((v) => v.verdict.verdict === "deny");
      if (!detail && !blocked && !unknown) {
        report({ resourceId, loadBalancerId: lb.id, key, status: "pass", messageId: restricted ? "restricted" : "allowed" });
        continue;
      }
      const { base, data, ruleEv } = shown(lb, rule, member, key, source);
      if (blocked) {
        const v: FlowVerdict = blocked.verdict;
        // the first denying layer that is not an allow-list
        const layer = v.layers.find((l) => l.verdict === "deny" && !l.partial.some((r) => r.access === "Allow")) ?? v.blockingLayer;
        const d = layer?.deciding;
        if (!layer || !d) continue; // a deny always has a deciding rule; kept for the type checker
        const fix = allowFixCommands(model, v, {
          name: `allow-${rule.name}-${rule.backendPort}`.slice(0, 80),
          source,
          port: rule.backendPort,
          protocol: blocked.protocol,
          description: `Allow ${source} clients of load-balancing rule ${rule.name}`,
        });
        report({
          ...base,
          status: "fail",
          messageId: "blocked",
          data: { ...data, protocol: blocked.protocol, nsg: d.nsgName, nsgRule: d.name, priority: d.priority, layer: layer.layer },
          evidence: [
            { resourceId: d.nsgId, pointer: d.ptr, label: `blocking rule (${layer.layer} NSG, ${v.basis})` },
            ruleEv,
            { resourceId: ipc.nic.id, pointer: ipc.ptr, label: "member ip configuration" },
          ],
          remediation: {
            summary:
              `Allow ${source} on ${blocked.protocol} ${rule.backendPort} ahead of ${d.name} (priority ${d.priority}) in ${d.nsgName}. ` +
              `If only some clients should get in, use their prefixes instead of ${source}.` +
              (fix.notes.length ? ` ${fix.notes.join(" ")}` : ""),
            commands: fix.commands,
          },
        });
      } else if (unknown) {
        const layer = unknown.verdict.layers.find((l) => l.verdict === "unknown");
        report({
          ...base,
          status: "unknown",
          messageId: "undecidable",
          data: { ...data, protocol: unknown.protocol, reason: unknown.verdict.reason ?? "unknown" },
          evidence: [
            ruleEv,
            ...(layer?.ambiguous[0]
              ? [{ resourceId: layer.ambiguous[0].nsgId, pointer: layer.ambiguous[0].ptr, label: "undecidable rule" }]
              : []),
          ],
        });
      } else if (restricted) {
        const allows = restriction(restricted.verdict) ?? [];
        const d = restricted.verdict.blockingLayer?.deciding;
        report({
          ...base,
          status: "pass",
          messageId: "restricted",
          data: {
            ...data,
            protocol: restricted.protocol,
            allowList: describeRules(model, allows),
            nsgRule: d?.name,
            priority: d?.priority,
          },
          evidence: [ruleEv, ...allows.map((a) => ({ resourceId: a.nsgId, pointer: a.ptr, label: "allow-list rule" }))],
        });
      } else {
        const basis = verdicts[0]?.verdict.basis === "effective-nsg" ? "effective security rules" : "NSG resources";
        report({ ...base, status: "pass", messageId: "allowed", data: { ...data, basis }, evidence: [ruleEv] });
      }
    }
  },
});

/** What every shown result of a member and rule carries: where it is, its message data and the rule's evidence. */
function shown(lb: LoadBalancer, rule: LbRule, member: PoolMember, key: string, source: string) {
  return {
    base: { resourceId: memberResourceId(member), loadBalancerId: lb.id, key, subjects: memberSubjects(member) },
    data: { rule: rule.name, protocol: rule.protocol, port: rule.backendPort, member: memberLabel(member), source },
    ruleEv: { resourceId: lb.id, pointer: rule.ptr, label: "load-balancing rule" },
  };
}
