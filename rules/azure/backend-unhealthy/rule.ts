import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, Remediation, RuleContext, Severity } from "../../../src/core/engine/types.ts";
import { endpointCommands, serviceLabel } from "../../../src/providers/azure/aks.ts";
import { idKey, nameOf, parentResourceId } from "../../../src/providers/azure/arm-id.ts";
import { guestFor, isStopped, listenerCommands, osTypeOf, runCommand } from "../../../src/providers/azure/guest.ts";
import { type HealthEntry, healthGap, healthReason, isDown, isUp, ruleHealthFor } from "../../../src/providers/azure/health-reasons.ts";
import type { AzureModel, LbRule, LoadBalancer, PoolMember } from "../../../src/providers/azure/model.ts";
import { memberLabel, memberResourceId, memberSubjects, ps, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/** Reasons whose Down is less urgent than a probe failure. */
const SEVERITY_BY_REASON: Record<string, Severity> = {
  down_probe_approachinghealthythreshold: "medium",
  // intentional (admin state Down): azure/admin-state-down reports the cause; the symptom must not read as an outage
  down_admin: "low",
};

export default defineRule<AzureModel>({
  id: "azure/backend-unhealthy",
  provider: "azure",
  severity: "high",
  reads: ["azure:loadBalancers", "azure:nics", "azure:ruleHealth"],
  title: "Backend member marked Down by its health probe",
  description:
    "The load-balancing rule's health status (POST …/loadBalancingRules/{rule}/health) lists each backend address as Up or Down with a " +
    "reason code. A Down member gets no new flows, so the load balancer serves from fewer instances than it should, or from none. " +
    "Each documented reason code is translated into what it means and what to do next; causes found by other rules " +
    "(probe blocked by an NSG, nothing listening, VM stopped) are linked to these findings. " +
    "`Up_Probe_AllDownIsUp` is reported too: traffic still flows only because NoHealthyBackendsBehavior ignores a probe that fails everywhere. " +
    "Severity is high: capacity is lost, and all of it when every member is Down. A member Down with `Down_Admin` was taken out on purpose " +
    "(admin state Down): it is reported at low severity and linked to its cause, `azure/admin-state-down`. " +
    "On a Kubernetes Service with `externalTrafficPolicy: Local` (AKS), kube-proxy answers the health-check node port with 503 on nodes that run " +
    "no ready pod of the Service: those nodes are out of rotation by design and are not reported while at least one node is Up; when no node is Up, " +
    "the Service is down and the fix is in Kubernetes (its pods and endpoints), not on the load balancer.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-manage-health-status",
      title: "Manage Azure Load Balancer Health Status",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-custom-probe-overview",
      title: "Azure Load Balancer health probes",
    },
    {
      url: "https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/",
      title: "Azure LoadBalancer (cloud-provider-azure)",
    },
    {
      url: "https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/",
      title: "Create an External Load Balancer (Kubernetes)",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-manage-health-status",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview",
  ],
  messages: {
    down: "{{member}} is Down for rule {{rule}} (probe {{probe}}, {{probeProtocol}} port {{probePort}}): {{reason}}: {{meaning}}.",
    downUnmatched:
      "Backend address {{address}} is Down for rule {{rule}} ({{reason}}: {{meaning}}), but it matches no member of pool {{pool}} in the snapshot.",
    allDownIsUp:
      "{{member}} is Up for rule {{rule}} only because of NoHealthyBackendsBehavior ({{reason}}): the probe {{probe}} fails on every member.",
    up: "{{member}} is Up for rule {{rule}} ({{reason}}: {{meaning}}).",
    etpLocalNoPod:
      "{{member}} answers the health-check node port {{probePort}} of {{service}} with an error ({{reason}}): with externalTrafficPolicy: Local, kube-proxy answers 503 on nodes that run no ready pod of the Service, so the load balancer sends its traffic to the other nodes ({{up}} of {{total}} Up). By design, not an incident.",
    etpLocalNoEndpoints:
      "No node answers the health-check node port {{probePort}} of {{service}} (externalTrafficPolicy: Local): {{member}} returns an error ({{reason}}) like every other node, so no node has a ready endpoint (or kube-proxy is unhealthy) and rule {{rule}} drops all traffic.",
    stopped: "{{member}} is {{power}}; a stopped VM has no health status (empty values). That is reported by azure/backend-vm-stopped.",
    notProbed: "{{member}} has not been probed yet for rule {{rule}} (reason NA); re-collect the health status in a few minutes.",
    noEntry: "The health status of rule {{rule}} holds no state for {{member}}{{detail}}.",
    noHealth: "Rule {{rule}} has probe {{probe}}, but its health status was not collected{{detail}}.",
    noProbe: "Rule {{rule}} has no health probe, and Azure reports health only for probed rules.",
    probeMissing: "Rule {{rule}} names probe {{probe}}, which is not in the load balancer, so no health status can be read.",
  },
  remediation:
    "Act on the reason code: a probe that times out or cannot reach the endpoint points at the NSG path for 168.63.129.16 or at the listener " +
    "and guest firewall; an HTTP status error points at the application or the probe's requestPath; Admin codes at the backend address's " +
    "admin state; Platform codes at Azure (Service Health).",
  check(ctx) {
    for (const lb of ctx.model.loadBalancers) {
      for (const rule of lb.rules) {
        if (!rule.pool) continue; // no pool, no members: other rules report a rule without a backend
        const r = ruleCtx(ctx, lb, rule, rule.pool);
        if (!r) continue;
        for (const member of r.pool.members) judgeMember(ctx, r, member);
        reportUnmatched(ctx, r);
      }
    }
  },
});

type Ctx = RuleContext<AzureModel>;
type Pool = NonNullable<LbRule["pool"]>;

/** One load-balancing rule with a probe and a health status, with what its members' findings share. */
interface RuleCtx {
  lb: LoadBalancer;
  rule: LbRule;
  pool: Pool;
  probe: NonNullable<LbRule["probe"]>;
  health: NonNullable<ReturnType<typeof ruleHealthFor>>;
  ruleEv: Evidence;
  probeEv: Evidence;
  pdata: { rule: string; probe: string; probeProtocol: string; probePort: number };
  /** members Up for this rule */
  upCount: number;
}

/** The rule's probe and health status; when either is missing that is reported here and the members are not judged. */
function ruleCtx({ model, report }: Ctx, lb: LoadBalancer, rule: LbRule, pool: Pool): RuleCtx | undefined {
  const ruleEv = { resourceId: lb.id, pointer: rule.ptr, label: "load-balancing rule" };
  const ruleBase = { resourceId: rule.id, resourceName: `${lb.name}/${rule.name}`, loadBalancerId: lb.id, key: "rule" };
  const probe = rule.probe;
  if (!probe) {
    const messageId = rule.probeId ? "probeMissing" : "noProbe";
    const status = rule.probeId ? "unknown" : "not-applicable";
    report({
      ...ruleBase,
      status,
      messageId,
      data: { rule: rule.name, probe: rule.probeId ? nameOf(rule.probeId) : "" },
      evidence: [ruleEv],
    });
    return undefined;
  }
  const probeEv = { resourceId: lb.id, pointer: probe.ptr, label: "probe" };
  const health = ruleHealthFor(model, rule);
  if (!health) {
    const gap = healthGap(model, rule);
    const detail = gap ? ` (${gap.operation}: ${gap.message})` : "; collect it with the load-balancing rule health operation";
    report({
      ...ruleBase,
      status: "unknown",
      messageId: "noHealth",
      data: { rule: rule.name, probe: probe.name, detail },
      evidence: [ruleEv, probeEv],
    });
    return undefined;
  }
  const pdata = { rule: rule.name, probe: probe.name, probeProtocol: probe.protocol, probePort: probe.port };
  const upCount = pool.members.filter((m) => isUp(health.byMember.get(m))).length;
  return { lb, rule, pool, probe, health, ruleEv, probeEv, pdata, upCount };
}

/** One member: no health entry (stopped or not listed), or what its entry's state and reason say. */
function judgeMember(ctx: Ctx, r: RuleCtx, member: PoolMember): void {
  const { report } = ctx;
  const { lb, rule, health } = r;
  const entry = health.byMember.get(member);
  const resourceId = memberResourceId(member);
  const key = `${rule.name}|${member.key}`;
  // an Up member's pass (judgeEntry's "up"), when passes are only counted: no message data or evidence
  if (ctx.passDetail === false && isUp(entry)) {
    const code = healthReason(entry?.reason)?.code;
    if (code !== "NA" && code !== "Up_Probe_AllDownIsUp") {
      report({ resourceId, loadBalancerId: lb.id, key, status: "pass", messageId: "up" });
      return;
    }
  }
  const base = { resourceId, loadBalancerId: lb.id, key, subjects: memberSubjects(member) };
  const data = { ...r.pdata, member: memberLabel(member) };
  const memberEv = { resourceId: lb.id, pointer: member.ptr, label: "pool member" };
  const vmEv = member.vm?.powerStatePtr ? [{ resourceId: member.vm.id, pointer: member.vm.powerStatePtr, label: "power state" }] : [];
  if (entry?.state) {
    judgeEntry(ctx, r, { member, entry, base, data, memberEv, vmEv });
  } else if (member.vm && isStopped(member.vm)) {
    report({
      ...base,
      status: "not-applicable",
      messageId: "stopped",
      data: { ...data, power: member.vm.powerState },
      evidence: vmEv,
    });
  } else {
    const detail = entry ? " (the address is listed with an empty state)" : " (the address is not listed)";
    const ev = entry ? [{ resourceId: rule.id, pointer: entry.ptr, label: "health entry" }] : [];
    report({ ...base, status: "unknown", messageId: "noEntry", data: { ...data, detail }, evidence: [...ev, memberEv] });
  }
}

/** One member's health entry, with what its findings share. */
interface EntryCtx {
  member: PoolMember;
  entry: HealthEntry;
  base: { resourceId: string; loadBalancerId: string; key: string; subjects: string[] };
  data: RuleCtx["pdata"] & { member: string };
  memberEv: Evidence;
  vmEv: Evidence[];
}

/** A member's health entry: not probed, out of rotation by design (externalTrafficPolicy Local), Down, all-down-is-up, or Up. */
function judgeEntry(ctx: Ctx, r: RuleCtx, e: EntryCtx): void {
  const { model, report } = ctx;
  const { lb, rule, ruleEv, probeEv } = r;
  const { member, entry, base, data, memberEv, vmEv } = e;
  const reason = healthReason(entry.reason);
  const rdata = { ...data, reason: entry.reason ?? "(no reason)", meaning: reason?.meaning ?? "an undocumented reason code" };
  const entryEv = { resourceId: rule.id, pointer: entry.ptr, label: "health status entry" };
  // externalTrafficPolicy: Local: kube-proxy answers the health-check node port 503 on nodes without a ready endpoint.
  // Those nodes are out of rotation by design while another node is Up; when none is, the Service is down.
  const k8s = rule.kubernetes;
  const noEndpoint = k8s?.etpLocal === true && healthReason(entry.reason)?.code === "Down_Probe_HttpStatusCodeError";
  if (reason?.code === "NA") {
    report({ ...base, status: "unknown", messageId: "notProbed", data: rdata, evidence: [entryEv] });
  } else if (k8s && isDown(entry) && noEndpoint) {
    const service = serviceLabel(k8s);
    const kdata = { ...rdata, service, up: r.upCount, total: r.pool.members.length };
    if (r.upCount > 0) {
      report({ ...base, status: "not-applicable", messageId: "etpLocalNoPod", data: kdata, evidence: [entryEv, probeEv] });
    } else {
      report({
        ...base,
        status: "fail",
        messageId: "etpLocalNoEndpoints",
        data: kdata,
        evidence: [entryEv, ruleEv, probeEv, memberEv],
        remediation: {
          summary:
            `${service} has no ready endpoint on any node (or kube-proxy is unhealthy everywhere): look at its pods and endpoints in Kubernetes. ` +
            "Nothing on the load balancer needs changing; the cloud controller owns it.",
          commands: endpointCommands(k8s),
        },
      });
    }
  } else if (isDown(entry)) {
    const severity = SEVERITY_BY_REASON[(entry.reason ?? "").toLowerCase()];
    report({
      ...base,
      ...(severity ? { severity } : {}),
      status: "fail",
      messageId: "down",
      data: rdata,
      evidence: [entryEv, ruleEv, probeEv, memberEv, ...vmEv],
      remediation: remediationFor(model, lb, rule, member, entry),
    });
  } else if (isUp(entry) && reason?.code === "Up_Probe_AllDownIsUp") {
    report({
      ...base,
      severity: "medium",
      status: "fail",
      messageId: "allDownIsUp",
      data: rdata,
      evidence: [entryEv, probeEv, memberEv],
      remediation: remediationFor(model, lb, rule, member, entry),
    });
  } else if (isUp(entry)) {
    report({ ...base, status: "pass", messageId: "up", data: rdata, evidence: [entryEv] });
  } else {
    report({
      ...base,
      status: "unknown",
      messageId: "noEntry",
      data: { ...data, detail: ` (state '${entry.state}' is not Up or Down)` },
      evidence: [entryEv],
    });
  }
}

/** Down addresses the pool does not hold (a member removed since, or a NIC outside the snapshot). */
function reportUnmatched({ report }: Ctx, { lb, rule, pool, health, ruleEv }: RuleCtx): void {
  for (const entry of health.unmatched.filter(isDown)) {
    const reason = healthReason(entry.reason);
    const nicId = entry.ipConfigId ? parentResourceId(entry.ipConfigId) : undefined;
    report({
      status: "fail",
      resourceId: nicId ?? rule.id,
      loadBalancerId: lb.id,
      key: `${rule.name}|${entry.ipConfigId ?? entry.ipAddress ?? entry.index}`,
      subjects: [entry.ipConfigId, nicId].filter((x): x is string => !!x).map(idKey),
      messageId: "downUnmatched",
      data: {
        rule: rule.name,
        pool: pool.name,
        address: entry.ipAddress ?? entry.ipConfigId ?? `#${entry.index}`,
        reason: entry.reason ?? "(no reason)",
        meaning: reason?.meaning ?? "an undocumented reason code",
      },
      evidence: [{ resourceId: rule.id, pointer: entry.ptr, label: "health status entry" }, ruleEv],
      remediation: {
        summary: `${reason ? `Next: ${reason.next}.` : "Look the reason code up in the health status documentation."} The address is not in pool ${pool.name} as the snapshot holds it; list the pool to see where it comes from.`,
        commands: [`az network lb address-pool show --resource-group ${sh(rgOf(lb.id))} --lb-name ${sh(lb.name)} --name ${sh(pool.name)}`],
      },
    });
  }
}

/** Next steps for one Down (or all-down) member, with commands that inspect the likely cause. */
function remediationFor(model: AzureModel, lb: LoadBalancer, rule: LbRule, member: PoolMember, entry: HealthEntry): Remediation {
  const reason = healthReason(entry.reason);
  const code = (entry.reason ?? "").toLowerCase();
  const probe = rule.probe;
  const rg = sh(rgOf(lb.id));
  const commands: string[] = [];
  const vm = member.vm;
  if (code === "down_admin") {
    commands.push(
      `az network lb address-pool address list --resource-group ${rg} --lb-name ${sh(lb.name)} --pool-name ${sh(rule.pool?.name ?? "")} --output table`,
    );
    if (member.kind === "ip") {
      commands.push(
        `az network lb address-pool address update --resource-group ${rg} --lb-name ${sh(lb.name)} --pool-name ${sh(rule.pool?.name ?? "")} --name ${sh(nameOf(member.id))} --admin-state None`,
      );
    }
  } else if (reason?.origin === "platform") {
    commands.push(`az network lb show --resource-group ${rg} --name ${sh(lb.name)} --query provisioningState`);
  } else if (probe) {
    const statusError = code === "down_probe_httpstatuscodeerror" && probe.protocol.toLowerCase() !== "tcp";
    if (member.nic && !statusError) {
      commands.push(`az network nic list-effective-nsg --resource-group ${sh(rgOf(member.nic.id))} --name ${sh(member.nic.name)}`);
    }
    if (vm) {
      if (statusError) {
        // the probe asks the NIC's own address, so ask the same one
        const url = `${probe.protocol.toLowerCase()}://${member.ip ?? "localhost"}:${probe.port}${probe.requestPath ?? "/"}`;
        commands.push(
          osTypeOf(vm) === "Windows"
            ? runCommand(
                vm,
                `try { (Invoke-WebRequest -UseBasicParsing ${ps(url)}).StatusCode } catch { $_.Exception.Response.StatusCode.value__ }`,
              )
            : runCommand(vm, `curl -ks -o /dev/null -w '%{http_code}\\n' ${sh(url)}`),
        );
      } else if (!guestFor(model, vm)) {
        commands.push(...listenerCommands(vm));
      }
    }
  }
  const fallback = "Look the reason code up in the health status documentation.";
  return {
    summary: `${entry.reason ?? "No reason code"}: ${reason ? `${reason.meaning}. Next: ${reason.next}.` : fallback}`,
    commands,
  };
}
