import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, RuleContext } from "../../../src/core/engine/types.ts";
import { resolvePointer } from "../../../src/core/util/json-pointer.ts";
import { idKey } from "../../../src/providers/azure/arm-id.ts";
import { describeRules, flowProtocols, hasNoNsg, isStandardSku, restriction } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, IpConfig, LoadBalancer, NatRule } from "../../../src/providers/azure/model.ts";
import { evaluateFlow } from "../../../src/providers/azure/nsg.ts";
import { azNsgRuleShowCommand, placeholder, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

const ADMIN_PORTS: Record<number, string> = { 22: "SSH", 3389: "RDP" };

/** A frontend port (range) in use on one frontend. */
interface PortUse {
  name: string;
  kind: "inbound NAT rule" | "load-balancing rule";
  frontendKey: string;
  protocols: string[];
  lo: number;
  hi: number;
  ptr: string;
}

function natUse(n: NatRule): PortUse | undefined {
  const lo = n.frontendPort ?? n.frontendPortRangeStart;
  const hi = n.frontendPort ?? n.frontendPortRangeEnd ?? lo;
  if (!n.frontendId || lo === undefined || hi === undefined) return undefined;
  return {
    name: n.name,
    kind: "inbound NAT rule",
    frontendKey: idKey(n.frontendId),
    protocols: flowProtocols(n.protocol),
    lo,
    hi,
    ptr: n.ptr,
  };
}

function rangeText(u: PortUse): string {
  return u.lo === u.hi ? String(u.lo) : `${u.lo}-${u.hi}`;
}

/** The backends a NAT rule forwards to: its ip configuration, or (a NAT rule v2) the members of its backend pool. */
function natTargets(lb: LoadBalancer, nat: NatRule, snapshot: unknown): IpConfig[] {
  if (nat.backendIpConfig) return [nat.backendIpConfig];
  const wire = resolvePointer(snapshot, nat.ptr) as { properties?: { backendAddressPool?: { id?: string } } } | undefined;
  const poolId = wire?.properties?.backendAddressPool?.id;
  const pool = poolId ? lb.pools.find((p) => p.key === idKey(poolId)) : undefined;
  return (pool?.members ?? []).map((m) => m.ipConfig).filter((c): c is IpConfig => !!c);
}

export default defineRule<AzureModel>({
  id: "azure/nat-rule-conflict",
  provider: "azure",
  severity: "high",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vnets", "azure:nsgs", "azure:applicationSecurityGroups", "azure:publicIps"],
  title: "Inbound NAT rule reuses a frontend port or exposes SSH/RDP to the Internet",
  description:
    "The reference architecture for load-balanced VMs maps distinct frontend ports (50001, 50002…) to each VM's SSH or RDP port through inbound NAT rules, and keeps those ports " +
    "behind an NSG allow-list. Two findings follow. Port reuse: two NAT rules, or a NAT rule and a load-balancing rule, claiming the same " +
    "frontend port on the same frontend and protocol cannot both receive the traffic, so one of the mappings does not work (medium). " +
    "Exposure: a NAT rule on a public frontend that forwards to port 22 or 3389 while the NSG path admits the whole `Internet` tag on " +
    "that port puts the VM's login service in front of every scanner on the Internet (high). An allow restricted to admin prefixes is fine.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/inbound-nat-rules", title: "Inbound NAT rules" },
    { url: "https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview", title: "Network security groups" },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/inbound-nat-rules",
    "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview",
  ],
  messages: {
    portReuse:
      "Inbound NAT rule {{nat}} uses {{protocol}} frontend port {{port}} on frontend {{frontend}}, which {{otherKind}} {{other}} also uses ({{otherPorts}}): only one of them can receive that traffic.",
    exposed:
      "Inbound NAT rule {{nat}} forwards {{frontendIp}}:{{frontendPort}} to {{service}} (port {{port}}) on {{target}}, and NSG {{nsg}} rule {{nsgRule}} (priority {{priority}}) lets the whole Internet in.",
    restricted: "Inbound NAT rule {{nat}} forwards to {{service}} on {{target}}, but the NSGs admit only {{allowList}}.",
    closed: "Inbound NAT rule {{nat}} forwards to {{service}} on {{target}}, and the NSGs do not admit the Internet on port {{port}}.",
    undecidable: "Cannot decide whether inbound NAT rule {{nat}} exposes {{service}} on {{target}} to the Internet: {{reason}}.",
    noNsg:
      "{{target}} has no NSG, and a Standard load balancer is closed to inbound traffic without one, so NAT rule {{nat}} exposes nothing; that is reported by azure/standard-lb-no-nsg.",
    unique: "Inbound NAT rule {{nat}} is the only user of {{protocol}} frontend port {{port}} on frontend {{frontend}}.",
  },
  remediation:
    "Give every inbound NAT rule its own frontend port per frontend and protocol. For SSH/RDP, restrict the NSG rule's source to your " +
    "administrators' prefixes, or remove the NAT rule and use Azure Bastion or just-in-time VM access.",
  check(ctx) {
    for (const lb of ctx.model.loadBalancers) {
      const ruleUses: PortUse[] = lb.rules
        .filter((r) => r.frontendId && r.frontendPort > 0)
        .map((r) => ({
          name: r.name,
          kind: "load-balancing rule" as const,
          frontendKey: idKey(r.frontendId as string),
          protocols: flowProtocols(r.protocol),
          lo: r.frontendPort,
          hi: r.frontendPort,
          ptr: r.ptr,
        }));
      const natUses = lb.natRules.map(natUse);
      const all = [...ruleUses, ...natUses.filter((u): u is PortUse => !!u)];
      const rg = sh(rgOf(lb.id));
      lb.natRules.forEach((nat, i) => {
        const use = natUses[i];
        const n: NatCtx = {
          lb,
          nat,
          use,
          rg,
          natEv: { resourceId: lb.id, pointer: nat.ptr, label: "inbound NAT rule" },
          frontendName: nat.frontend?.name ?? nat.frontendId?.split("/").pop() ?? "?",
          base: { resourceId: nat.id, resourceName: `${lb.name}/${nat.name}`, loadBalancerId: lb.id },
        };
        if (use) judgeReuse(ctx, n, use, i, all, natUses);
        judgeExposure(ctx, n);
      });
    }
  },
});

type Ctx = RuleContext<AzureModel>;

/** One inbound NAT rule being judged, with what every finding about it shares. */
interface NatCtx {
  lb: LoadBalancer;
  nat: NatRule;
  use: PortUse | undefined;
  /** the load balancer's resource group, shell-quoted */
  rg: string;
  natEv: Evidence;
  frontendName: string;
  base: { resourceId: string; resourceName: string; loadBalancerId: string };
}

/** Port reuse: every other rule claiming an overlapping frontend port on the same frontend and protocol, or a pass when none does. */
function judgeReuse({ report }: Ctx, n: NatCtx, use: PortUse, i: number, all: PortUse[], natUses: (PortUse | undefined)[]): void {
  const { nat, natEv, frontendName, base } = n;
  const clashes = all.filter(
    (u) =>
      u !== use &&
      u.frontendKey === use.frontendKey &&
      u.protocols.some((p) => use.protocols.includes(p)) &&
      u.lo <= use.hi &&
      use.lo <= u.hi,
  );
  for (const other of clashes) {
    // the fix moves the later NAT rule of a pair (a load-balancing rule never moves), so the two findings do not both move
    const j = natUses.indexOf(other);
    const moveThis = j < 0 || j < i;
    const free = freeRange(
      all.filter((u) => u.frontendKey === use.frontendKey),
      use.hi - use.lo + 1,
    );
    report({
      ...base,
      key: `reuse|${other.name}`,
      severity: "medium",
      status: "fail",
      messageId: "portReuse",
      data: {
        nat: nat.name,
        protocol: use.protocols.join("/"),
        port: rangeText(use),
        frontend: frontendName,
        otherKind: other.kind,
        other: other.name,
        otherPorts: rangeText(other),
      },
      evidence: [natEv, { resourceId: n.lb.id, pointer: other.ptr, label: other.kind }],
      remediation: moveThis
        ? reuseMoveRemediation(n, use, free)
        : {
            summary: `Moving ${other.name} to a free frontend port (see its own finding) resolves this clash; leave ${nat.name} where it is.`,
            commands: [`az network lb inbound-nat-rule show --resource-group ${n.rg} --lb-name ${sh(n.lb.name)} --name ${sh(nat.name)}`],
          },
    });
  }
  if (clashes.length === 0) {
    report({
      ...base,
      key: "reuse",
      status: "pass",
      messageId: "unique",
      data: { nat: nat.name, protocol: use.protocols.join("/"), port: rangeText(use), frontend: frontendName },
      evidence: [natEv],
    });
  }
}

/** The fix for a clash when this NAT rule is the one to move: to the free port (range) `free`. */
function reuseMoveRemediation({ lb, nat, rg, frontendName }: NatCtx, use: PortUse, free: number): { summary: string; commands: string[] } {
  const update =
    nat.frontendPort !== undefined
      ? `az network lb inbound-nat-rule update --resource-group ${rg} --lb-name ${sh(lb.name)} --name ${sh(nat.name)} --frontend-port ${free}`
      : `az network lb inbound-nat-rule update --resource-group ${rg} --lb-name ${sh(lb.name)} --name ${sh(nat.name)} --frontend-port-range-start ${free} --frontend-port-range-end ${free + use.hi - use.lo}`;
  return {
    summary:
      use.hi > use.lo
        ? `Move ${nat.name} to frontend ports ${free}-${free + use.hi - use.lo}, which no other rule uses on ${frontendName}, and tell its users.`
        : `Move ${nat.name} to frontend port ${free}, which no other rule uses on ${frontendName}, and tell its users.`,
    commands: [update],
  };
}

/** Exposure of SSH/RDP on a public frontend: for each backend the NAT rule forwards to, whether the NSG path admits the Internet. */
function judgeExposure(ctx: Ctx, n: NatCtx): void {
  const { model, report } = ctx;
  const { lb, nat, use, natEv, base } = n;
  const service = ADMIN_PORTS[nat.backendPort];
  if (!service || !nat.frontend?.publicIpId) return;
  for (const target of natTargets(lb, nat, model.snapshot)) {
    const tBase = {
      ...base,
      key: `exposure|${target.key}`,
      subjects: [target.key, target.nic.key, ...(target.nic.vm ? [target.nic.vm.key] : [])],
    };
    const data = {
      nat: nat.name,
      service,
      port: nat.backendPort,
      target: `${target.nic.vm?.name ?? target.nic.name} (${target.privateIp ?? "no IP"})`,
      frontendIp: nat.frontend.publicIp?.ipAddress ?? nat.frontend.name,
      frontendPort: use ? rangeText(use) : "?",
    };
    const targetEv = { resourceId: target.nic.id, pointer: target.ptr, label: "target ip configuration" };
    if (isStandardSku(lb) && hasNoNsg(target) === true) {
      report({ ...tBase, status: "not-applicable", messageId: "noNsg", data, evidence: [targetEv] });
      continue;
    }
    if (!target.privateIp) {
      report({
        ...tBase,
        status: "unknown",
        messageId: "undecidable",
        data: { ...data, reason: "the target has no private IP in the snapshot" },
        evidence: [natEv],
      });
      continue;
    }
    const verdicts = flowProtocols(nat.protocol).map((protocol) =>
      evaluateFlow(model, target, {
        direction: "Inbound",
        protocol,
        source: { kind: "tag", tag: "Internet" },
        destinationIp: target.privateIp as string,
        destinationPort: nat.backendPort,
      }),
    );
    judgeVerdicts(ctx, n, verdicts, tBase, data, targetEv);
  }
}

/** Reports one target's exposure from the NSG verdicts for its protocols: open to the Internet, undecidable, restricted or closed. */
function judgeVerdicts(
  { model, report }: Ctx,
  { lb, nat, rg, natEv }: NatCtx,
  verdicts: ReturnType<typeof evaluateFlow>[],
  tBase: NatCtx["base"] & { key: string; subjects: string[] },
  data: Record<string, string | number>,
  targetEv: Evidence,
): void {
  const open = verdicts.find((v) => v.verdict === "allow");
  const unknown = verdicts.find((v) => v.verdict === "unknown");
  if (open) {
    // the allow rule that decided, in the layer that has one (the other layer may have no NSG)
    const d = open.layers.find((l) => l.deciding && l.deciding.access === "Allow")?.deciding;
    const nsg = d ? model.byKey.nsg.get(idKey(d.nsgId)) : undefined;
    const nsgRg = sh(rgOf(d?.nsgId ?? lb.id));
    report({
      ...tBase,
      status: "fail",
      messageId: "exposed",
      data: { ...data, nsg: d?.nsgName ?? "(none)", nsgRule: d?.name ?? "(no NSG)", priority: d?.priority ?? "-" },
      evidence: [natEv, ...(d ? [{ resourceId: d.nsgId, pointer: d.ptr, label: "allowing rule" }] : []), targetEv],
      remediation: {
        summary:
          (d
            ? `Restrict ${d.name} in ${d.nsgName} to your administrators' prefixes (az network nsg rule update --resource-group ${nsgRg} --nsg-name ${sh(d.nsgName)} --name ${sh(d.name)} --source-address-prefixes ${placeholder("admin-cidr")}), `
            : "Attach an NSG that admits only your administrators' prefixes, ") +
          `or remove NAT rule ${nat.name} and reach the VM through Azure Bastion or just-in-time access.`,
        commands: [
          ...(d && nsg ? [azNsgRuleShowCommand(nsg, d.name)] : []),
          `az network lb inbound-nat-rule delete --resource-group ${rg} --lb-name ${sh(lb.name)} --name ${sh(nat.name)}`,
        ],
      },
    });
  } else if (unknown) {
    const layer = unknown.layers.find((l) => l.verdict === "unknown");
    const amb = layer?.ambiguous[0];
    report({
      ...tBase,
      status: "unknown",
      messageId: "undecidable",
      data: { ...data, reason: unknown.reason ?? "unknown" },
      evidence: [natEv, ...(amb ? [{ resourceId: amb.nsgId, pointer: amb.ptr, label: "undecidable rule" }] : [])],
    });
  } else {
    const allows = verdicts.map(restriction).find((r) => r !== undefined);
    if (allows) {
      report({
        ...tBase,
        status: "pass",
        messageId: "restricted",
        data: { ...data, allowList: describeRules(model, allows) },
        evidence: [natEv, ...allows.map((a) => ({ resourceId: a.nsgId, pointer: a.ptr, label: "allow-list rule" }))],
      });
    } else {
      const d = verdicts[0]?.blockingLayer?.deciding;
      report({
        ...tBase,
        status: "pass",
        messageId: "closed",
        data,
        evidence: [natEv, ...(d ? [{ resourceId: d.nsgId, pointer: d.ptr, label: "denying rule" }] : [])],
      });
    }
  }
}

/** The first start port (from 50000, the reference architecture's NAT range) of `width` consecutive ports no use covers. */
function freeRange(uses: PortUse[], width: number): number {
  const busy = (p: number) => uses.some((u) => u.lo <= p && p <= u.hi);
  for (let start = 50000; start + width - 1 <= 65534; start++) {
    let ok = true;
    for (let p = start; p < start + width && ok; p++) if (busy(p)) ok = false;
    if (ok) return start;
  }
  return 65534;
}
