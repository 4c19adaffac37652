/**
 * The Azure inspector: the load-balancer view (frontends → rules → members,
 * with power state, probe health and the NSG verdicts of the probe and data
 * flows) and the flow trace, from the Azure model. It reuses the NSG evaluator
 * (`evaluateFlow`) and the rules' own helpers, so the TUI and `check` agree.
 */

import {
  AZURE_COLUMNS,
  type Inspector,
  type LbDetail,
  type MemberRow,
  type RuleBlock,
  type TraceLayer,
  type TraceResult,
  type VerdictCell,
} from "../../core/inspect.ts";
import { oneLine, sanitize } from "../../core/report/sanitize.ts";
import { idKey } from "./arm-id.ts";
import { anyPortPhrase, clientSpace, flowProtocols, isAnyPort, isHaPorts, restriction } from "./data-path.ts";
import { healthGap, healthReason, ruleHealthFor } from "./health-reasons.ts";
import { type AzureModel, type IpConfig, type LbRule, type LoadBalancer, lbFrontendIp, type PoolMember } from "./model.ts";
import {
  AZURE_PROBE_SOURCE,
  evaluateFlow,
  type Flow,
  type FlowSource,
  type FlowVerdict,
  isAddressLike,
  probeFlow,
  sourceWithAsgs,
} from "./nsg.ts";
import { memberLabel, memberLabelIn, uncollectedNicName } from "./rule-helpers.ts";

const s = (v: string | undefined): string => sanitize(v ?? "");
/** A value for one line of a view (a table cell, a label): sanitized, a newline shown as `\x0a`. */
const line = (v: string | undefined): string => oneLine(s(v));

function memberKeyOf(rule: LbRule, m: PoolMember): string {
  return `${rule.key}|${m.key}`;
}

/** The cell for one evaluated flow: the deciding rule of the blocking layer, or of the innermost NSG that allowed. */
export function verdictCell(v: FlowVerdict): VerdictCell {
  const cell = cellOf(v);
  if (cell.nsg) cell.at = `${cell.layer ? `${cell.layer} ` : ""}NSG ${cell.nsg}`;
  return cell;
}

function cellOf(v: FlowVerdict): VerdictCell {
  if (v.verdict === "deny") {
    const restricted = restriction(v);
    const layer = v.blockingLayer;
    const d = layer?.deciding;
    const cell: VerdictCell = { verdict: restricted ? "restricted" : "deny" };
    if (d) Object.assign(cell, { rule: s(d.name), priority: d.priority, nsg: s(d.nsgName), isDefault: d.isDefault });
    if (layer) cell.layer = layer.layer;
    if (restricted) cell.reason = `IP allow-list: only ${restricted.map((r) => s(r.name)).join(", ")} let clients in`;
    return cell;
  }
  if (v.verdict === "unknown") {
    const layer = v.layers.find((l) => l.verdict === "unknown");
    const cell: VerdictCell = { verdict: "unknown", reason: s(v.reason ?? layer?.reason ?? "cannot be decided offline") };
    const amb = layer?.ambiguous[0];
    if (amb) Object.assign(cell, { rule: s(amb.name), priority: amb.priority, nsg: s(amb.nsgName), isDefault: amb.isDefault });
    if (layer) cell.layer = layer.layer;
    return cell;
  }
  const decided = [...v.layers].reverse().find((l) => l.deciding);
  if (!decided?.deciding) return { verdict: "allow", reason: "no NSG on the subnet or the NIC" };
  const d = decided.deciding;
  return { verdict: "allow", rule: s(d.name), priority: d.priority, nsg: s(d.nsgName), layer: decided.layer, isDefault: d.isDefault };
}

function worst(cells: VerdictCell[]): VerdictCell {
  const rank = { deny: 4, unknown: 3, restricted: 2, allow: 1, "n/a": 0 } as const;
  return cells.reduce((a, b) => (rank[b.verdict] > rank[a.verdict] ? b : a));
}

function dataFlows(lb: LoadBalancer, rule: LbRule, m: PoolMember): { flows: Flow[]; reason?: string } {
  if (isHaPorts(rule)) return { flows: [], reason: "HA ports: every port of every protocol; trace a custom flow" };
  if (isAnyPort(rule)) return { flows: [], reason: `${anyPortPhrase(rule)}: every port; trace a custom flow` };
  if (!m.ip) return { flows: [], reason: "the member has no address in the snapshot" };
  const destinationIp = rule.enableFloatingIP ? lbFrontendIp(rule.frontend) : m.ip;
  if (!destinationIp) return { flows: [], reason: "floating IP: the frontend's address is not in the snapshot" };
  const source: FlowSource = { kind: "tag", tag: clientSpace(lb) };
  return {
    flows: flowProtocols(rule.protocol).map((protocol) => ({
      direction: "Inbound" as const,
      protocol,
      source,
      destinationIp,
      destinationPort: rule.backendPort,
    })),
  };
}

function memberRow(model: AzureModel, lb: LoadBalancer, rule: LbRule, m: PoolMember, health: ReturnType<typeof ruleHealthFor>): MemberRow {
  const ipc = m.ipConfig;
  // an ip configuration whose NIC the snapshot lacks (a member in a group that was not collected): named from its id
  const uncollected = uncollectedNicName(m);
  const row: MemberRow = {
    key: memberKeyOf(rule, m),
    ruleKey: rule.key,
    memberKey: m.key,
    member: line(m.nic?.name ?? (uncollected !== undefined ? memberLabelIn(m, lb) : (m.id.split("/").pop() ?? m.id))),
    power: m.vm ? (m.vm.powerState ?? "unknown") : uncollected !== undefined ? "unknown" : "—",
    health: { state: "—" },
    probe: { verdict: "n/a" },
    data: { verdict: "n/a" },
    traceable: !!ipc && !!m.ip,
  };
  if (m.ip) row.ip = m.ip;
  if (m.vm) row.vm = s(m.vm.name);

  if (!rule.probe) row.health = { state: "—", reason: "the rule has no health probe" };
  else if (!health) {
    const gap = healthGap(model, rule);
    row.health = {
      state: "?",
      reason: gap
        ? `rule health could not be read (${[gap.status, gap.code].filter(Boolean).join(" ") || s(gap.message)})`
        : "not observed",
    };
  } else {
    const e = health.byMember.get(m);
    if (!e) {
      const off = m.vm?.powerState && m.vm.powerState !== "running";
      row.health = {
        state: "—",
        reason: off
          ? `not probed: the VM is ${m.vm?.powerState}`
          : `no entry in the rule's health${uncollected !== undefined ? `; its NIC ${line(uncollected)} was not collected` : ""}`,
      };
    } else {
      row.health = { state: e.state ? s(e.state) : "—" };
      if (e.reason) row.health.reason = s(e.reason);
      else if (!e.state) row.health.reason = "empty state: the VM is not running";
      const meaning = healthReason(e.reason)?.meaning;
      if (meaning) row.health.meaning = meaning;
    }
  }

  if (!ipc || !m.ip) {
    const reason =
      uncollected !== undefined
        ? `not collected: its network interface ${line(uncollected)} is not in the snapshot, so the NSGs in its path are not known`
        : "no NIC in the snapshot, so the NSGs in its path are not known";
    row.probe = rule.probe ? { verdict: "unknown", reason } : { verdict: "n/a", reason: "no probe" };
    row.data = { verdict: "unknown", reason };
    return row;
  }
  row.probe = rule.probe ? verdictCell(evaluateFlow(model, ipc, probeFlow(m.ip, rule.probe.port))) : { verdict: "n/a", reason: "no probe" };
  const { flows, reason } = dataFlows(lb, rule, m);
  row.data =
    flows.length > 0 ? worst(flows.map((f) => verdictCell(evaluateFlow(model, ipc, f)))) : { verdict: "n/a", reason: reason ?? "" };
  return row;
}

function ruleBlock(model: AzureModel, lb: LoadBalancer, rule: LbRule): RuleBlock {
  const health = rule.probe ? ruleHealthFor(model, rule) : undefined;
  const block: RuleBlock = {
    key: rule.key,
    name: s(rule.name),
    title: "",
    emptyText: "the pool has no members",
    protocol: s(rule.protocol),
    frontendPort: rule.frontendPort,
    backendPort: rule.backendPort,
    floatingIp: rule.enableFloatingIP,
    members: (rule.pool?.members ?? []).map((m) => memberRow(model, lb, rule, m, health)),
  };
  if (rule.pool) block.pool = s(rule.pool.name);
  else block.note = rule.poolId ? "its backend pool is not in the snapshot" : "no backend pool";
  if (rule.probe) {
    block.probe = { name: s(rule.probe.name), protocol: s(rule.probe.protocol), port: rule.probe.port };
    if (rule.probe.requestPath) block.probe.path = s(rule.probe.requestPath);
  } else if (!block.note) block.note = "no health probe: members get no health status";
  const probe = block.probe ? ` · probe ${block.probe.name} ${block.probe.protocol}:${block.probe.port}${block.probe.path ?? ""}` : "";
  block.title = `rule ${block.name} · ${block.protocol} ${block.frontendPort} → ${block.backendPort}${block.floatingIp ? " (floating IP)" : ""}${block.pool ? ` · pool ${block.pool}` : ""}${probe}`;
  return block;
}

const emptyText = "no load-balancing rule uses this frontend";

function lbDetail(model: AzureModel, lb: LoadBalancer): LbDetail {
  const frontends: LbDetail["frontends"] = lb.frontends.map((f) => {
    const address = lbFrontendIp(f);
    const name = s(f.name);
    return {
      key: f.key,
      name,
      ...(address ? { address } : {}),
      title: `frontend ${name}${address ? ` ${address}` : ""}`,
      emptyText,
      rules: [],
    };
  });
  for (const rule of lb.rules) {
    let fe = frontends.find((f) => rule.frontend && f.key === rule.frontend.key);
    if (!fe) {
      fe = frontends.find((f) => f.key === "") ?? { key: "", name: "(no frontend)", title: "frontend (no frontend)", emptyText, rules: [] };
      if (!frontends.includes(fe)) frontends.push(fe);
    }
    fe.rules.push(ruleBlock(model, lb, rule));
  }
  const used = new Set(lb.rules.map((r) => r.pool?.key).filter(Boolean));
  const footnotes: LbDetail["footnotes"] = lb.pools
    .filter((p) => !used.has(p.key))
    .map((p) => ({ text: `pool ${s(p.name)} (${p.members.length} members): no load-balancing rule sends it traffic`, warn: true }));
  if (lb.natRules.length > 0) footnotes.push({ text: `${lb.natRules.length} inbound NAT rule(s): see the findings`, warn: false });
  return {
    key: lb.key,
    name: s(lb.name),
    sku: s(lb.sku),
    kind: lb.isInternal ? "internal" : "public",
    clients: clientSpace(lb),
    columns: AZURE_COLUMNS,
    frontends,
    footnotes,
  };
}

/** `<source> <port>[/<protocol>]` or `<source>:<port>[/<protocol>]`: "203.0.113.7 443", "Internet:22/tcp", "vm2 80". */
function resolveSource(model: AzureModel, from: string): { source: FlowSource; label: string } | { error: string } {
  const lower = from.toLowerCase();
  if (lower === "internet") return { source: { kind: "tag", tag: "Internet" }, label: "Internet (any client)" };
  if (lower === "virtualnetwork")
    return { source: { kind: "tag", tag: "VirtualNetwork" }, label: "VirtualNetwork (any address in the VNet)" };
  if (lower === "azureloadbalancer")
    return { source: { kind: "ip", ip: AZURE_PROBE_SOURCE }, label: `AzureLoadBalancer (${AZURE_PROBE_SOURCE})` };
  if (isAddressLike(from) && !from.includes("/")) return { source: { kind: "ip", ip: from }, label: from };
  const vm = model.vms.find((v) => v.name.toLowerCase() === lower);
  const nic = vm?.nics[0] ?? model.nics.find((n) => n.name.toLowerCase() === lower);
  const c = nic ? (nic.ipConfigs.find((x) => x.primary) ?? nic.ipConfigs[0]) : undefined;
  if (c?.privateIp) return { source: { kind: "ip", ip: c.privateIp, asgKeys: c.asgKeys }, label: `${s(from)} (${c.privateIp})` };
  return {
    error: `'${s(from)}' is not an IP address, a service tag (Internet, VirtualNetwork, AzureLoadBalancer) or a VM/NIC in the snapshot`,
  };
}

function traceLayers(target: IpConfig, v: FlowVerdict): TraceLayer[] {
  return v.layers.map((l) => {
    const where = l.layer === "subnet" ? `subnet ${s(target.subnet?.name ?? "?")}` : `NIC ${s(target.nic.name)}`;
    const nsg = l.nsgName ? s(l.nsgName) : undefined;
    const layer: TraceLayer = {
      layer: l.layer,
      where,
      title: `${where} · ${nsg ? `NSG ${nsg}` : "no NSG"}`,
      verdict: l.verdict,
      notes: [],
    };
    if (nsg) layer.nsg = nsg;
    if (l.deciding) {
      const d = l.deciding;
      layer.deciding = { name: s(d.name), priority: d.priority, isDefault: d.isDefault, access: d.access, ptr: d.ptr };
    }
    for (const p of l.partial) {
      layer.notes.push({ kind: "partial", text: `partly matched: ${s(p.name)} (priority ${p.priority}, ${p.access}): ${s(p.note ?? "")}` });
    }
    for (const a of l.ambiguous) {
      layer.notes.push({ kind: "maybe", text: `may match: ${s(a.name)} (priority ${a.priority}, ${a.access}): ${s(a.note ?? "")}` });
    }
    if (l.reason && !l.deciding) layer.notes.push({ kind: "reason", text: s(l.reason) });
    return layer;
  });
}

const LAYERS_TITLE = "LAYERS (inbound: the subnet NSG, then the NIC NSG; both must allow)";

export function createAzureInspector(model: AzureModel): Inspector {
  const lbByKey = new Map(model.loadBalancers.map((lb) => [lb.key, lb]));
  const details = new Map<string, LbDetail>();
  const detail = (key: string) => {
    let d = details.get(key);
    const lb = lbByKey.get(key);
    if (!d && lb) details.set(key, (d = lbDetail(model, lb)));
    return d;
  };
  const pairs = (lb: LoadBalancer) =>
    lb.rules.flatMap((rule) => (rule.pool?.members ?? []).map((member) => ({ rule, member, key: memberKeyOf(rule, member) })));

  return {
    lbDetail: (key) => detail(idKey(key)),
    traceTargets(lbKey) {
      const lb = lbByKey.get(idKey(lbKey));
      if (!lb) return [];
      return pairs(lb)
        .filter(({ member }) => member.ipConfig && member.ip)
        .map(({ rule, member, key }) => ({ key, label: `${s(memberLabel(member))} · rule ${s(rule.name)}` }));
    },
    trace(lbKey, targetKey, choice): TraceResult {
      const lb = lbByKey.get(idKey(lbKey));
      const pair = lb ? pairs(lb).find((p) => p.key === targetKey) : undefined;
      const empty = { flow: "", basis: "", layersTitle: LAYERS_TITLE, layers: [], verdict: "unknown" as const };
      if (!lb || !pair) return { ...empty, title: "", error: "this member is no longer in the load balancer" };
      const { rule, member } = pair;
      const title = `${s(memberLabel(member))} · rule ${s(rule.name)}`;
      const ipc = member.ipConfig;
      if (!ipc || !member.ip) return { ...empty, title, error: "the member has no NIC or address in the snapshot, so it cannot be traced" };
      let flow: Flow;
      let from: string;
      if (choice.kind === "probe") {
        if (!rule.probe) return { ...empty, title, error: `rule ${s(rule.name)} has no health probe` };
        flow = probeFlow(member.ip, rule.probe.port);
        from = `${AZURE_PROBE_SOURCE} (AzureLoadBalancer, the probe source)`;
      } else if (choice.kind === "data") {
        const { flows, reason } = dataFlows(lb, rule, member);
        const first = flows[0];
        if (!first) return { ...empty, title, error: reason ?? "no data flow" };
        flow = first;
        from = `${clientSpace(lb)} (the clients of a${lb.isInternal ? "n internal" : " public"} load balancer)`;
      } else {
        const src = resolveSource(model, choice.source);
        if ("error" in src) return { ...empty, title, error: src.error };
        flow = {
          direction: "Inbound",
          protocol: choice.protocol,
          // an address brings the application security groups of the ip configuration that holds it, as in `trace`
          source: sourceWithAsgs(model, src.source, ipc).source,
          destinationIp: member.ip,
          destinationPort: choice.port,
        };
        from = src.label;
      }
      const v = evaluateFlow(model, ipc, flow);
      const result: TraceResult = {
        title,
        flow: `${from} → ${flow.destinationIp}:${flow.destinationPort}/${flow.protocol}, inbound`,
        basis: v.basis === "effective-nsg" ? "effective security rules (observed)" : "the NSG resources in the snapshot",
        layersTitle: LAYERS_TITLE,
        layers: traceLayers(ipc, v),
        verdict: v.verdict,
      };
      if (v.reason) result.reason = s(v.reason);
      const blocking = result.layers.find((l) => l.verdict === "deny");
      if (v.verdict === "deny" && blocking?.deciding) {
        result.why = `at the ${blocking.layer} layer: ${blocking.deciding.name} (priority ${blocking.deciding.priority}) in ${blocking.nsg ?? "?"}`;
      }
      return result;
    },
    healthStates() {
      const out = new Map<string, { state: string; reason?: string; label: string }>();
      for (const lb of model.loadBalancers) {
        for (const rule of lb.rules) {
          if (!rule.probe) continue;
          const health = ruleHealthFor(model, rule);
          if (!health) continue;
          for (const m of rule.pool?.members ?? []) {
            const e = health.byMember.get(m);
            const entry: { state: string; reason?: string; label: string } = {
              state: e?.state ? s(e.state) : "—",
              label: `${s(m.vm?.name ?? m.nic?.name ?? m.ip ?? (uncollectedNicName(m) !== undefined ? oneLine(memberLabelIn(m, lb)) : m.id))} · ${s(lb.name)}/${s(rule.name)}`,
            };
            if (e?.reason) entry.reason = s(e.reason);
            out.set(memberKeyOf(rule, m), entry);
          }
        }
      }
      return out;
    },
  };
}
