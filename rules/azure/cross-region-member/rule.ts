import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, RuleContext } from "../../../src/core/engine/types.ts";
import { nameOf, parentResourceId } from "../../../src/providers/azure/arm-id.ts";
import { isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, LbRule, LoadBalancer, PoolMember } from "../../../src/providers/azure/model.ts";
import { gapsFor } from "../../../src/providers/azure/model.ts";
import { observedServing } from "../../../src/providers/azure/observed.ts";

/** The regional rules (load-balancing or inbound NAT) on the member's frontend that take the global rule's backend port. */
function regionalRulesFor(member: PoolMember, globalRule: LbRule): { rules: LbRule[]; natPorts: number[] } {
  const fe = member.frontend;
  if (!fe) return { rules: [], natPorts: [] };
  const regional = fe.lb;
  const onFe = regional.rules.filter((r) => r.frontend === fe);
  const rules = onFe.filter((r) => r.frontendPort === globalRule.backendPort || r.frontendPort === 0);
  const natPorts = regional.natRules
    .filter((n) => n.frontend === fe && n.frontendPort === globalRule.backendPort)
    .map((n) => n.backendPort);
  return { rules, natPorts };
}

export default defineRule<AzureModel>({
  id: "azure/cross-region-member",
  provider: "azure",
  severity: "high",
  reads: ["azure:loadBalancers", "azure:ruleHealth"],
  title: "A cross-region load balancer's regional member cannot serve",
  description:
    "A cross-region (Global tier) load balancer's backend pool holds regional load balancers' frontends, not VMs. " +
    "Its health probe gathers the availability of each regional load balancer every 5 seconds; when a regional load balancer's availability drops to 0, " +
    "that region is taken out of rotation and its traffic goes to the next closest healthy region. A region therefore serves only when its regional load balancer " +
    "exists, has a load-balancing rule (or inbound NAT rule) on that frontend whose frontend port is the cross-region rule's backend port (the documented port match), " +
    "and has backends that answer. Each member is checked against the regional load balancer in the snapshot: missing regional load balancer or frontend, port mismatch, " +
    "no member in the regional pool, or rule health with no backend Up. Rule health outranks the pool's configuration. A member whose regional load balancer is not in the snapshot is unknown; " +
    "collect its resource group too. Severity is critical when no region can serve, high when some regions still can. " +
    "The cross-region load balancer's own probe measures the regional load balancers, so the probe rules written for VM backends (azure/probe-port-mismatch, " +
    "azure/probe-protocol-mismatch) and the VM rules (single backend, availability sets, NSGs, guest ports) do not judge it.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/cross-region-overview", title: "Cross-region load balancer" },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/tutorial-cross-region-portal",
      title: "Tutorial: Create a cross-region load balancer using the Azure portal",
    },
  ],
  references: ["https://learn.microsoft.com/azure/load-balancer/cross-region-overview#regional-redundancy"],
  messages: {
    serving:
      "Region member {{member}} of {{lb}} ({{rule}}): regional load balancer {{regional}} serves port {{port}} on {{frontend}} ({{how}}).",
    regionalMissing:
      "Region member {{member}} of {{lb}} is frontend {{frontend}} of regional load balancer {{regional}}, which is not in the snapshot{{gap}}: whether that region serves is unknown. Collect the regional load balancer's resource group too.",
    frontendMissing:
      "Region member {{member}} of {{lb}} names frontend {{frontend}}, which regional load balancer {{regional}} in the snapshot does not have: that region cannot take traffic.",
    portMismatch:
      "Rule {{rule}} of {{lb}} sends to backend port {{port}}, but regional load balancer {{regional}} has no load-balancing or inbound NAT rule with frontend port {{port}} on {{frontend}}: that region answers nothing on it (the cross-region rule's backend port must match the regional rule's frontend port).",
    regionDown:
      "Region member {{member}} of {{lb}}: regional load balancer {{regional}} has no backend that can serve port {{port}} ({{why}}), so its availability is 0 and the cross-region load balancer takes that region out of rotation{{others}}.",
    unobserved:
      "Region member {{member}} of {{lb}}: regional load balancer {{regional}} has {{count}} backend(s) behind port {{port}} on {{frontend}}, but its rule health was not collected, so whether they answer is unknown; its own findings say more.",
    noMembers:
      "Cross-region load balancer {{lb}} has rule {{rule}}, but pool {{pool}} lists no regional load balancer: no region can serve.",
  },
  remediation:
    "Give each region a regional Standard load balancer whose rule's frontend port equals the cross-region rule's backend port and whose backends answer its probe; " +
    "fix the regional load balancer first (its own findings), and add the region's frontend to the cross-region pool (`az network cross-region-lb address-pool address add`).",
  check(ctx) {
    const { model, report } = ctx;
    for (const lb of model.loadBalancers) {
      if (!isGlobalTier(lb)) continue;
      for (const rule of lb.rules) {
        const pool = rule.pool;
        if (!pool) continue;
        const base = { loadBalancerId: lb.id, subjects: [lb.id, rule.id] };
        const members = pool.members.filter((m) => m.kind === "frontend");
        if (members.length === 0) {
          report({
            ...base,
            resourceId: pool.id,
            status: "fail",
            severity: "critical",
            messageId: "noMembers",
            data: { lb: lb.name, rule: rule.name, pool: pool.name },
            evidence: [{ resourceId: lb.id, pointer: `${pool.ptr}/properties/loadBalancerBackendAddresses`, label: "regional members" }],
          });
          continue;
        }
        for (const member of members) judgeMember(ctx, lb, rule, member);
      }
    }
  },
});

type Ctx = RuleContext<AzureModel>;

/** One regional member of a cross-region rule, with what every finding about it shares. */
interface MemberCtx {
  lb: LoadBalancer;
  rule: LbRule;
  member: PoolMember;
  regionalId: string;
  data: { member: string; lb: string; rule: string; port: number; frontend: string; regional: string };
  memberEv: Evidence;
  base: { loadBalancerId: string; resourceId: string; resourceName: string; key: string; subjects: string[] };
}

/** One regional member: its frontend missing, no regional rule on the port, or (with rules) whether the region serves. */
function judgeMember(ctx: Ctx, lb: LoadBalancer, rule: LbRule, member: PoolMember): void {
  const { report } = ctx;
  const memberName = nameOf(member.id);
  const fid = member.frontendId ?? "";
  const regionalId = parentResourceId(fid);
  const m: MemberCtx = {
    lb,
    rule,
    member,
    regionalId,
    data: {
      member: memberName,
      lb: lb.name,
      rule: rule.name,
      port: rule.backendPort,
      frontend: nameOf(fid),
      regional: nameOf(regionalId),
    },
    memberEv: { resourceId: lb.id, pointer: member.ptr, label: "regional member" },
    base: {
      loadBalancerId: lb.id,
      resourceId: member.id,
      resourceName: memberName,
      key: `${rule.name}|${memberName}`,
      subjects: [member.key, lb.id],
    },
  };
  const fe = member.frontend;
  if (!fe) {
    judgeMissingFrontend(ctx, m);
    return;
  }
  const regional = fe.lb;
  const { rules, natPorts } = regionalRulesFor(member, rule);
  const { base, data, memberEv } = m;
  if (rules.length === 0 && natPorts.length === 0) {
    report({
      ...base,
      status: "fail",
      messageId: "portMismatch",
      data,
      evidence: [
        { resourceId: lb.id, pointer: `${rule.ptr}/properties/backendPort`, label: "cross-region rule backend port" },
        { resourceId: regional.id, pointer: `${regional.ptr}/properties/loadBalancingRules`, label: "regional rules" },
      ],
    });
    return;
  }
  if (rules.length === 0) {
    report({
      ...base,
      status: "pass",
      messageId: "serving",
      data: { ...data, how: `inbound NAT rule to backend port ${natPorts.join(", ")}` },
      evidence: [memberEv],
    });
    return;
  }
  judgeRegion(ctx, m, regional, rules);
}

/** The member's frontend is not in the snapshot: the regional load balancer lacks it, or was not collected. */
function judgeMissingFrontend({ model, report }: Ctx, { regionalId, base, data, memberEv }: MemberCtx): void {
  const regional = model.loadBalancers.find((x) => x.key === regionalId.toLowerCase());
  if (regional) {
    report({
      ...base,
      status: "fail",
      messageId: "frontendMissing",
      data,
      evidence: [
        memberEv,
        { resourceId: regional.id, pointer: `${regional.ptr}/properties/frontendIPConfigurations`, label: "regional frontends" },
      ],
    });
    return;
  }
  const gap = gapsFor(model, [regionalId]).find((g) => g.kind === "collection");
  report({
    ...base,
    status: "unknown",
    messageId: "regionalMissing",
    data: { ...data, gap: gap ? ` (${gap.message})` : "" },
    evidence: [memberEv],
  });
}

/** The regional rules on the member's frontend: observed serving or down, an empty pool, or not observed. */
function judgeRegion(
  { model, report }: Ctx,
  { lb, member, base, data, memberEv }: MemberCtx,
  regional: LoadBalancer,
  rules: LbRule[],
): void {
  const others = lb.rules.flatMap((r) => r.pool?.members ?? []).filter((m) => m.kind === "frontend" && m !== member);
  const observed = observedServing(model, regional, rules);
  const count = rules.reduce((n, r) => n + (r.pool?.members.length ?? 0), 0);
  const rulesEv = rules.map((r) => ({ resourceId: regional.id, pointer: r.ptr, label: `regional rule ${r.name}` }));
  const othersNote = others.length > 0 ? "; the other regions carry its traffic if they can" : "; it is the only region, so nothing serves";
  const regionDown = (why: string) =>
    report({
      ...base,
      status: "fail",
      severity: others.length > 0 ? "high" : "critical",
      messageId: "regionDown",
      data: { ...data, why, others: othersNote },
      evidence: [memberEv, ...rulesEv],
    });
  if (observed) {
    if (observed.contradicts) {
      report({
        ...base,
        status: "pass",
        messageId: "serving",
        data: { ...data, how: observed.text },
        evidence: [memberEv, ...observed.evidence],
      });
    } else regionDown(observed.text);
    return;
  }
  if (count === 0) {
    regionDown(`its pool behind ${rules.map((r) => r.name).join(", ")} has no member`);
    return;
  }
  report({
    ...base,
    status: "unknown",
    messageId: "unobserved",
    data: { ...data, count },
    evidence: [memberEv, ...rulesEv],
  });
}
