import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { RuleContext } from "../../../src/core/engine/types.ts";
import { clock } from "../../../src/core/timeline/analyze.ts";
import { SNAT_USED_SHARE, snatUsage } from "../../../src/providers/azure/model/time.ts";
import type { AzureModel, LoadBalancer } from "../../../src/providers/azure/model.ts";
import { reportUnreadMetrics, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/** Ephemeral ports each frontend IP gives outbound rules; ports a NAT gateway public IP gives. */
const PORTS_PER_FRONTEND_IP = 64_000;
const PORTS_PER_NAT_GATEWAY_IP = 64_512;

interface OutboundRule {
  name: string;
  ports?: number;
  frontends: string[];
  poolId?: string;
  ptr: string;
}

function outboundRules(lb: LoadBalancer): OutboundRule[] {
  const list = (lb.raw.properties?.outboundRules ?? []) as Array<{
    name?: string;
    properties?: {
      allocatedOutboundPorts?: number;
      frontendIPConfigurations?: Array<{ id?: string }>;
      backendAddressPool?: { id?: string };
    };
  }>;
  return list.map((r, i) => {
    const o: OutboundRule = {
      name: r.name ?? `outbound-${i}`,
      frontends: (r.properties?.frontendIPConfigurations ?? []).map((f) => f.id ?? "").filter(Boolean),
      ptr: `${lb.ptr}/properties/outboundRules/${i}`,
    };
    if (typeof r.properties?.allocatedOutboundPorts === "number") o.ports = r.properties.allocatedOutboundPorts;
    if (r.properties?.backendAddressPool?.id) o.poolId = r.properties.backendAddressPool.id;
    return o;
  });
}

/** The next multiple of 8 at or above n (allocatedOutboundPorts must be a multiple of 8). */
const mult8 = (n: number) => Math.ceil(n / 8) * 8;

export default defineRule<AzureModel>({
  id: "azure/snat-port-exhaustion",
  provider: "azure",
  severity: "high",
  title: "Outbound SNAT ports exhausted on a backend",
  description:
    "Outbound connections from backend members through the load balancer's frontend IP use SNAT ports, a fixed number per member. " +
    `When a member uses ${Math.round(SNAT_USED_SHARE * 100)} % or more of its allocated ports (\`UsedSnatPorts\` against \`AllocatedSnatPorts\`, ` +
    "per `BackendIPAddress`), or when SNAT connections fail (`SnatConnectionCount` with `ConnectionState` Failed), new outbound " +
    "connections stall or fail: timeouts to databases and APIs that look like an application bug. The finding gives the numbers and " +
    "what to allocate: explicit outbound rules with more ports per instance (each frontend IP gives 64,000 ports to share among the " +
    "pool), more frontend IPs, or a NAT gateway (64,512 ports per public IP) on the subnet.",
  reads: ["azure:metrics", "azure:loadBalancers"],
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-outbound-connections",
      title: "Source Network Address Translation (SNAT) for outbound connections",
    },
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/outbound-rules", title: "Outbound rules Azure Load Balancer" },
    { url: "https://learn.microsoft.com/en-us/azure/nat-gateway/nat-overview", title: "What is Azure NAT Gateway?" },
    {
      url: "https://learn.microsoft.com/en-us/azure/azure-monitor/reference/supported-metrics/microsoft-network-loadbalancers-metrics",
      title: "Supported metrics for Microsoft.Network/loadBalancers",
    },
  ],
  references: ["https://learn.microsoft.com/azure/load-balancer/load-balancer-outbound-connections"],
  messages: {
    exhausted: "{{member}} used {{used}} of its {{allocated}} SNAT ports ({{share}} %) at {{at}}{{failed}}. {{advice}}",
    failed:
      "{{member}} had {{failed}} failed SNAT connections between {{from}} and {{until}} (peak {{peak}} in the minute at {{at}}). {{advice}}",
    ok: "{{member}} used at most {{used}} of its {{allocated}} SNAT ports ({{share}} %) with no failed SNAT connections.",
    noMetrics: "The SNAT metrics of {{lb}} could not be read ({{reason}}).",
  },
  remediation:
    "Give each member more SNAT ports with an explicit outbound rule (allocatedOutboundPorts, a multiple of 8), add frontend IPs to " +
    "the outbound rule, or attach a NAT gateway to the backend subnet. Reuse connections (pooling, keep-alive) in the application.",
  check(ctx) {
    const time = ctx.model.time;
    if (!time) return;
    const failedBy = failedByBackend(ctx.model);
    const seen = new Set<string>();
    for (const u of snatUsage(ctx.model.metrics)) {
      seen.add(`${u.lb.key}|${u.ip}`);
      judgeUsage(ctx, time, u, failedBy);
    }
    reportFailedOnly(ctx, time, failedBy, seen);
    reportUnreadMetrics(ctx);
  },
});

type Ctx = RuleContext<AzureModel>;
type Time = NonNullable<AzureModel["time"]>;
type Usage = ReturnType<typeof snatUsage>[number];
/** Failed SNAT connections of one backend over the window: the sum, the peak and when. */
type Failed = { total: number; peak: number; at: string; pointer: string };

/** Failed SNAT connections per `lbKey|backend IP`, from the SnatConnectionCount (Failed) series. */
function failedByBackend(model: AzureModel): Map<string, Failed> {
  const failedBy = new Map<string, Failed>();
  for (const s of model.metrics) {
    if (s.metric !== "SnatConnectionCount" || (s.dims.connectionstate ?? "").toLowerCase() !== "failed") continue;
    const k = `${s.lb.key}|${s.dims.backendipaddress ?? ""}`;
    const cur = failedBy.get(k) ?? { total: 0, peak: 0, at: "", pointer: s.pointer };
    for (const p of s.points) {
      const v = p.total ?? 0;
      cur.total += v;
      if (v > cur.peak) {
        cur.peak = v;
        cur.at = p.t;
      }
    }
    failedBy.set(k, cur);
  }
  return failedBy;
}

/** How many SNAT ports to give each member and how: widen the outbound rule, or add one; a NAT gateway either way. */
function advise(lb: LoadBalancer, used: number): { text: string; commands: string[] } {
  const rules = outboundRules(lb);
  const n = Math.max(1, ...lb.pools.map((p) => p.members.length));
  const want = mult8(Math.max(used * 2, 1024));
  const rule = rules[0];
  const frontendIps = Math.max(1, rule?.frontends.length ?? 1);
  const capacity = frontendIps * PORTS_PER_FRONTEND_IP;
  const fits = want * n <= capacity;
  const ipsNeeded = Math.ceil((want * n) / PORTS_PER_FRONTEND_IP);
  const rg = sh(rgOf(lb.id));
  const commands: string[] = [];
  let text: string;
  if (rule) {
    text = `Outbound rule ${rule.name} gives ${rule.ports ?? "the default"} ports per instance to ${n} member(s) from ${frontendIps} frontend IP(s) (${capacity.toLocaleString("en-US")} ports). Allocate ${want} per instance${fits ? "" : ` with ${ipsNeeded} frontend IPs`}, or put a NAT gateway on the subnet (${PORTS_PER_NAT_GATEWAY_IP.toLocaleString("en-US")} ports per public IP).`;
    if (fits)
      commands.push(`az network lb outbound-rule update -g ${rg} --lb-name ${sh(lb.name)} -n ${sh(rule.name)} --outbound-ports ${want}`);
  } else {
    const fe = lb.frontends[0];
    const pool = lb.pools[0];
    // Azure refuses an outbound rule on a frontend that a load-balancing rule still uses for SNAT
    // (LoadBalancingRuleMustDisableSNATSinceSameFrontendIPConfigurationIsReferencedByOutboundRule): turn that off first
    const snatRules = fe ? lb.rules.filter((r) => r.frontend === fe && !r.disableOutboundSnat) : [];
    text = `${lb.name} has no outbound rule: ports come from the default allocation, which depends on the pool size (${n} member(s)). Add an outbound rule with ${want} ports per instance${fits ? "" : ` and ${ipsNeeded} frontend IPs`} (each frontend IP gives ${PORTS_PER_FRONTEND_IP.toLocaleString("en-US")}), or a NAT gateway on the subnet (${PORTS_PER_NAT_GATEWAY_IP.toLocaleString("en-US")} ports per public IP).`;
    if (fe && pool && fits) {
      if (snatRules.length > 0) {
        text += ` Azure accepts an outbound rule on ${fe.name} only once its load-balancing rules (${snatRules.map((r) => r.name).join(", ")}) stop using it for SNAT (disableOutboundSnat), so those go first; outbound connections pause until the outbound rule exists.`;
      }
      for (const r of snatRules) {
        commands.push(`az network lb rule update -g ${rg} --lb-name ${sh(lb.name)} -n ${sh(r.name)} --disable-outbound-snat true`);
      }
      commands.push(
        `az network lb outbound-rule create -g ${rg} --lb-name ${sh(lb.name)} -n outbound-snat --frontend-ip-configs ${sh(fe.name)} --address-pool ${sh(pool.name)} --protocol All --outbound-ports ${want}`,
      );
    }
  }
  return { text, commands };
}

/** One backend with port metrics: exhausted (peak used share over the threshold), failing connections, or fine. */
function judgeUsage({ report }: Ctx, time: Time, u: Usage, failedBy: Map<string, Failed>): void {
  const label = u.member?.vm?.name ? `${u.ip} (${u.member.vm.name})` : u.ip;
  let peak = u.points[0];
  for (const p of u.points) if (peak && p.allocated > 0 && p.used / p.allocated > peak.used / Math.max(1, peak.allocated)) peak = p;
  if (!peak) return;
  const share = peak.allocated > 0 ? peak.used / peak.allocated : 0;
  const failed = failedBy.get(`${u.lb.key}|${u.ip}`);
  const base = {
    resourceId: u.member?.id ?? `${u.lb.id}/backendIPAddress/${u.ip}`,
    resourceName: label,
    loadBalancerId: u.lb.id,
    key: u.ip,
  };
  const evidence = [
    { resourceId: u.lb.id, pointer: u.pointer, label: "UsedSnatPorts" },
    { resourceId: u.lb.id, pointer: u.allocatedPointer, label: "AllocatedSnatPorts" },
  ];
  if (share >= SNAT_USED_SHARE || (failed && failed.total > 0)) {
    const a = advise(u.lb, peak.used);
    const exhausted = share >= SNAT_USED_SHARE;
    report({
      ...base,
      status: "fail",
      messageId: exhausted ? "exhausted" : "failed",
      data: {
        member: label,
        used: peak.used,
        allocated: peak.allocated,
        share: Math.round(share * 100),
        at: clock(exhausted ? peak.t : (failed?.at ?? peak.t), time.window),
        failed: exhausted ? (failed && failed.total > 0 ? `, and ${failed.total} SNAT connections failed` : "") : (failed?.total ?? 0),
        from: clock(time.window.from, time.window),
        until: clock(time.window.until, time.window),
        peak: failed?.peak ?? 0,
        advice: a.text,
      },
      evidence: failed ? [...evidence, { resourceId: u.lb.id, pointer: failed.pointer, label: "SnatConnectionCount (Failed)" }] : evidence,
      remediation: { summary: "Give each member more SNAT ports, or move outbound to a NAT gateway.", commands: a.commands },
      subjects: [base.resourceId],
    });
  } else {
    report({
      ...base,
      status: "pass",
      messageId: "ok",
      data: { member: label, used: peak.used, allocated: peak.allocated, share: Math.round(share * 100) },
      evidence,
    });
  }
}

/** Failed connections on a backend without port metrics. */
function reportFailedOnly({ model, report }: Ctx, time: Time, failedBy: Map<string, Failed>, seen: Set<string>): void {
  for (const [k, f] of failedBy) {
    if (seen.has(k) || f.total === 0) continue;
    const [lbKey, ip] = k.split("|") as [string, string];
    const lb = model.loadBalancers.find((x) => x.key === lbKey);
    if (!lb) continue;
    const a = advise(lb, 0);
    report({
      resourceId: ip ? `${lb.id}/backendIPAddress/${ip}` : lb.id,
      resourceName: ip || lb.name,
      loadBalancerId: lb.id,
      key: ip || "lb",
      status: "fail",
      messageId: "failed",
      data: {
        member: ip || lb.name,
        failed: f.total,
        peak: f.peak,
        at: clock(f.at, time.window),
        from: clock(time.window.from, time.window),
        until: clock(time.window.until, time.window),
        advice: a.text,
      },
      evidence: [{ resourceId: lb.id, pointer: f.pointer, label: "SnatConnectionCount (Failed)" }],
      remediation: { summary: "Give each member more SNAT ports, or move outbound to a NAT gateway.", commands: a.commands },
    });
  }
}
