/**
 * The NSG evaluator: given a flow and a NIC ip configuration, decide allow or
 * deny the way Azure does, and say which rule decided at each layer.
 *
 * Semantics (docs: network-security-groups-overview, -how-it-works):
 * - rules in priority order, the first match wins;
 * - inbound: the subnet NSG, then the NIC NSG; both must allow. Outbound: the
 *   reverse. A layer without an NSG allows;
 * - rules are stateful, so only the direction of the flow's first packet counts;
 * - a rule field that cannot be decided offline (a service tag whose contents
 *   are not known, an unknown source port) makes the match `maybe`. A `maybe`
 *   rule that could change the outcome makes the verdict `unknown`, with the
 *   reason: never a guess.
 *
 * A flow source is either one address (`ip`) or a whole client space (`tag`:
 * Internet, VirtualNetwork). Against a space, a rule on a narrower prefix
 * matches `partial`ly: it affects some clients and not others. Partial rules
 * do not decide the verdict; they are reported so that callers can tell an
 * IP allow-list ("restricted") from a block.
 */
import { gapsAboutKeys } from "../../core/engine/gaps.ts";
import {
  ALL_V4,
  cidrContains,
  cidrCovers,
  cidrOverlaps,
  covers,
  INTERNET_V4,
  isAddressLike,
  isPrivateIp,
  PRIVATE_V4,
  sameAddress,
  spaceOf,
} from "../../core/util/ip.ts";
import { join } from "../../core/util/json-pointer.ts";
import type { EffectiveNsgBody } from "../../providers/azure/wire-types.ts";
import { idKey } from "./arm-id.ts";
import { type AzureModel, type IpConfig, type Nsg, readEffectiveRule, type SecurityRule, type Subnet } from "./model.ts";

export const AZURE_PROBE_SOURCE = "168.63.129.16";

/**
 * A flow's source. An address may carry the application security groups of the ip configuration that holds it
 * (`asgKeys`); when several ip configurations of the snapshot hold it (overlapping VNets) with different groups,
 * `asgCandidates` lists each one's groups, and a source-ASG rule that matches some of them and not others is `maybe`.
 */
export type FlowSource =
  | { kind: "ip"; ip: string; asgKeys?: string[]; asgCandidates?: string[][] }
  | { kind: "tag"; tag: "Internet" | "VirtualNetwork" | "*" };

export interface Flow {
  direction: "Inbound" | "Outbound";
  protocol: "Tcp" | "Udp" | "Icmp";
  source: FlowSource;
  /** destination address as the NSG sees it */
  destinationIp: string;
  destinationPort: number;
  /** undefined: an ephemeral port, not known in advance */
  sourcePort?: number;
}

export type Match = "yes" | "no" | "maybe" | "partial";

export interface RuleRef {
  nsgId: string;
  nsgName: string;
  name: string;
  priority: number;
  access: "Allow" | "Deny";
  isDefault: boolean;
  direction: "Inbound" | "Outbound";
  /** JSON Pointer of the rule in the snapshot */
  ptr: string;
  /** why the match is maybe/partial */
  note?: string;
}

export interface LayerVerdict {
  layer: "subnet" | "nic";
  nsgId?: string;
  nsgName?: string;
  verdict: "allow" | "deny" | "unknown";
  /** the rule that decided (absent when no NSG is attached, or when nothing could be read) */
  deciding?: RuleRef;
  /** rules ahead of the deciding one that may match and would decide differently */
  ambiguous: RuleRef[];
  /** rules ahead of the deciding one that match only part of the source space */
  partial: RuleRef[];
  reason?: string;
}

export interface FlowVerdict {
  verdict: "allow" | "deny" | "unknown";
  /** which data the evaluation used */
  basis: "effective-nsg" | "nsg-resources";
  layers: LayerVerdict[];
  reason?: string;
  /** the layer that denied, when the verdict is deny */
  blockingLayer?: LayerVerdict;
}

// ---------------------------------------------------------------------------
// address math: the one IP module (src/core/util/ip.ts)

export { cidrContains, cidrCovers, cidrOverlaps, isAddressLike, isPrivateIp, parseCidr } from "../../core/util/ip.ts";

const ANY = new Set(["*", "any", "0.0.0.0/0", "::/0"]);

// ---------------------------------------------------------------------------

export interface EvalContext {
  /** the destination's VNet space (own + peered), for the VirtualNetwork tag */
  vnetSpace: string[] | undefined;
  /** prefixes of UDRs on the destination's subnet: the VirtualNetwork tag also covers them */
  udrPrefixes: string[];
  /**
   * why the UDR prefixes are not all known (the subnet names a route table the snapshot lacks): the VirtualNetwork tag
   * may then cover an address outside the VNet space, so such a match is `maybe`, never a `no`
   */
  udrUnknown?: string;
  /** ASGs of the ip configuration at the protected end of the flow */
  targetAsgKeys: string[];
}

interface M {
  m: Match;
  note?: string;
}
const YES: M = { m: "yes" };
const NO: M = { m: "no" };

const ANY_RANK: Record<Match, number> = { yes: 3, maybe: 2, partial: 1, no: 0 };
const ALL_RANK: Record<Match, number> = { no: 3, maybe: 2, partial: 1, yes: 0 };

/** The better of two matches for "any prefix matches": yes over maybe over partial over no (the first of equals). */
function either(best: M, r: M): M {
  return ANY_RANK[r.m] > ANY_RANK[best.m] ? r : best;
}

/** The worse of two matches for "every field matches": no over maybe over partial over yes (the first of equals). */
function both(worst: M, r: M): M {
  return ALL_RANK[r.m] > ALL_RANK[worst.m] ? r : worst;
}

/** A rule prefix trimmed, lower-cased and classified: an NSG repeats a few prefixes in every rule, and every flow reads them. */
interface Prefix {
  p: string;
  lower: string;
  any: boolean;
  address: boolean;
}
const prefixes = new Map<string, Prefix>();

function prefixOf(prefix: string): Prefix {
  let x = prefixes.get(prefix);
  if (x === undefined) {
    const p = prefix.trim();
    const lower = p.toLowerCase();
    x = { p, lower, any: ANY.has(lower), address: isAddressLike(p) };
    if (prefixes.size >= 1 << 16) prefixes.clear();
    prefixes.set(prefix, x);
  }
  return x;
}

/** Whether any of the prefixes contains the address (a loop: no closure per rule and flow). */
function containsIp(list: string[], ip: string): boolean {
  for (const c of list) if (cidrContains(c, ip)) return true;
  return false;
}

/** Does one rule prefix match one concrete address? */
function prefixMatchesIp(prefix: string, ip: string, ctx: EvalContext, expanded: string[] | undefined): M {
  if (expanded && expanded.length > 0) {
    for (const e of expanded) if (ANY.has(e.toLowerCase()) || cidrContains(e, ip)) return YES;
    return NO;
  }
  const { p, lower, any, address } = prefixOf(prefix);
  if (any) return YES;
  if (address) return cidrContains(p, ip) ? YES : NO;
  if (lower === "azureloadbalancer") return ip === AZURE_PROBE_SOURCE ? YES : NO;
  if (lower === "virtualnetwork") {
    // the tag also holds "the virtual IP address of the host", 168.63.129.16, the probe source (Azure service tags
    // overview): a Deny VirtualNetwork rule above AllowAzureLoadBalancerInBound blocks the probe
    if (ip === AZURE_PROBE_SOURCE) return YES;
    if (ctx.vnetSpace === undefined) {
      return { m: "maybe", note: "the VNet's address space is not in the snapshot, so the VirtualNetwork tag cannot be resolved" };
    }
    if (containsIp(ctx.vnetSpace, ip)) return YES;
    if (containsIp(ctx.udrPrefixes, ip)) {
      return { m: "maybe", note: `the VirtualNetwork tag also covers user-defined route prefixes, and a route on the subnet covers ${ip}` };
    }
    if (ctx.udrUnknown !== undefined) {
      return { m: "maybe", note: `the VirtualNetwork tag also covers user-defined route prefixes, and ${ctx.udrUnknown}` };
    }
    return NO;
  }
  if (lower === "internet") {
    if (ip === AZURE_PROBE_SOURCE) {
      return {
        m: "maybe",
        note: "whether the Internet tag covers 168.63.129.16 is not documented; effective security rules (expanded prefixes) would settle it",
      };
    }
    if (isPrivateIp(ip) || (ctx.vnetSpace !== undefined && containsIp(ctx.vnetSpace, ip))) return NO;
    return YES;
  }
  return { m: "maybe", note: `the contents of service tag '${p}' are not in the snapshot; effective security rules would resolve it` };
}

/** Does one rule prefix match a whole client space? */
function prefixMatchesSpace(prefix: string, tag: "Internet" | "VirtualNetwork" | "*", ctx: EvalContext): M {
  const { p, lower, any } = prefixOf(prefix);
  if (any) return YES;
  if (tag === "*") return { m: "partial", note: `'${p}' covers only part of all sources` };
  if (lower === tag.toLowerCase()) return YES;
  if (lower === "azureloadbalancer") return NO;
  if (tag === "Internet") {
    if (lower === "virtualnetwork") {
      // the tag also covers the prefixes of user-defined routes: one on the subnet that holds public addresses (a forced-tunnel 0.0.0.0/0)
      const udr = ctx.udrPrefixes.find((u) => isAddressLike(u) && !PRIVATE_V4.some((r) => cidrCovers(r, u)));
      if (udr === undefined) {
        if (ctx.udrUnknown === undefined) return NO;
        return { m: "maybe", note: `the VirtualNetwork tag also covers user-defined route prefixes, and ${ctx.udrUnknown}` };
      }
      return {
        m: "maybe",
        note: `the VirtualNetwork tag also covers user-defined route prefixes, and route prefix ${udr} on the subnet holds Internet addresses`,
      };
    }
    if (isAddressLike(p)) {
      // not Internet only when the whole prefix lies in private space (10.0.0.0/7 also covers the public 11.0.0.0/8)
      if (PRIVATE_V4.some((r) => cidrCovers(r, p))) return NO;
      return { m: "partial", note: `'${p}' covers only part of the Internet` };
    }
    return { m: "partial", note: `service tag '${p}' covers only part of the Internet` };
  }
  // VirtualNetwork space
  if (lower === "internet") return NO;
  if (isAddressLike(p)) {
    const space = ctx.vnetSpace;
    if (!space || space.length === 0) return { m: "maybe", note: "the VNet's address space is not in the snapshot" };
    if (space.every((s) => cidrCovers(p, s))) return YES;
    if (space.some((s) => cidrOverlaps(p, s))) return { m: "partial", note: `'${p}' covers only part of the VNet space` };
    return NO;
  }
  return NO;
}

/** A rule's port ranges, parsed once: any port, or [lo, hi] pairs (a range that does not parse is left out). */
interface PortRanges {
  any: boolean;
  ranges: number[];
}
const portRanges = new WeakMap<string[], PortRanges>();

function parsePorts(list: string[]): PortRanges {
  let x = portRanges.get(list);
  if (x !== undefined) return x;
  x = { any: list.length === 0, ranges: [] };
  for (const range of list) {
    const t = range.trim();
    if (t === "*" || t === "0-65535") {
      x.any = true;
      break;
    }
    const dash = t.indexOf("-");
    const lo = Number(dash >= 0 ? t.slice(0, dash) : t);
    const hi = Number(dash >= 0 ? t.slice(dash + 1) : t);
    if (Number.isFinite(lo) && Number.isFinite(hi)) x.ranges.push(lo, hi);
  }
  portRanges.set(list, x);
  return x;
}

const EPHEMERAL: M = { m: "maybe", note: "the rule restricts the source port, which is ephemeral and not known in advance" };

function portMatches(list: string[], port: number | undefined): M {
  const { any, ranges } = parsePorts(list);
  if (any) return YES;
  // a port not known in advance (ephemeral) may be any of the listed ones
  if (port === undefined) return EPHEMERAL;
  for (let i = 0; i < ranges.length; i += 2) if (port >= (ranges[i] as number) && port <= (ranges[i + 1] as number)) return YES;
  return NO;
}

/** A protocol in lower case (the flow's own are known). */
function lowerProtocolOf(p: string): string {
  return lowerProtocol[p] ?? p.toLowerCase();
}

const lowerProtocol: Record<string, string> = { Tcp: "tcp", Udp: "udp", Icmp: "icmp", "*": "*" };

function protocolMatches(rule: SecurityRule, flowProto: string): M {
  const f = ruleFilter(rule);
  return f.anyProtocol || f.protocol === lowerProtocolOf(flowProto) ? YES : NO;
}

function asgMatches(ruleAsgs: string[], asgs: string[] | undefined): M {
  if (!asgs || asgs.length === 0) return NO;
  return ruleAsgs.some((a) => asgs.includes(a)) ? YES : NO;
}

/** A source-ASG rule against an address: its ip configuration's groups, or each candidate's when several hold it. */
function sourceAsgMatches(ruleAsgs: string[], source: { ip: string; asgKeys?: string[]; asgCandidates?: string[][] }): M {
  const candidates = source.asgCandidates;
  if (candidates === undefined || candidates.length < 2) return asgMatches(ruleAsgs, source.asgKeys);
  let yes = 0;
  for (const keys of candidates) if (asgMatches(ruleAsgs, keys) === YES) yes++;
  if (yes === 0) return NO;
  if (yes === candidates.length) return YES;
  return {
    m: "maybe",
    note: `${source.ip} is held by ${candidates.length} ip configurations in the snapshot, in different application security groups`,
  };
}

/** Matches one rule against a flow. Exported for the trace command and tests. */
export function matchRule(rule: SecurityRule, flow: Flow, ctx: EvalContext): M {
  if (rule.direction !== flow.direction) return NO;
  const inbound = flow.direction === "Inbound";
  // the "remote" end is the flow's source for inbound, its destination for outbound; the protected
  // end (ctx.targetAsgKeys) is the other one
  const proto = protocolMatches(rule, flow.protocol);
  if (proto.m === "no") return NO;

  let src: M;
  if (rule.sourceAsgKeys.length > 0) {
    if (inbound) src = flow.source.kind === "ip" ? sourceAsgMatches(rule.sourceAsgKeys, flow.source) : partialAsg(flow);
    else src = asgMatches(rule.sourceAsgKeys, ctx.targetAsgKeys);
  } else if (flow.source.kind === "ip") {
    const ip = flow.source.ip;
    src = NO;
    for (const p of rule.sourcePrefixes) src = either(src, prefixMatchesIp(p, ip, ctx, rule.expandedSource));
    if (rule.sourcePrefixes.length === 0 && rule.expandedSource) src = prefixMatchesIp("", ip, ctx, rule.expandedSource);
  } else {
    const tag = flow.source.tag;
    src = NO;
    for (const p of rule.sourcePrefixes) src = either(src, prefixMatchesSpace(p, tag, ctx));
    // an augmented rule whose prefixes each cover part of the space may cover all of it together
    if (src.m === "partial" && rule.sourcePrefixes.length > 1 && prefixesCoverSpace(rule.sourcePrefixes, tag, ctx)) src = YES;
  }
  if (src.m === "no") return NO;

  let dst: M;
  if (rule.destinationAsgKeys.length > 0) {
    dst = inbound ? asgMatches(rule.destinationAsgKeys, ctx.targetAsgKeys) : NO;
  } else {
    dst = NO;
    for (const p of rule.destinationPrefixes) dst = either(dst, prefixMatchesIp(p, flow.destinationIp, ctx, rule.expandedDestination));
    if (rule.destinationPrefixes.length === 0 && rule.expandedDestination) {
      dst = prefixMatchesIp("", flow.destinationIp, ctx, rule.expandedDestination);
    }
  }
  if (dst.m === "no") return NO;
  const dport = portMatches(rule.destinationPorts, flow.destinationPort);
  if (dport.m === "no") return NO;
  const sport = portMatches(rule.sourcePorts, flow.sourcePort);
  return both(both(both(both(proto, src), dst), dport), sport);
}

/** Whether the address prefixes of a rule (service tags aside) together cover every address of the client space. */
function prefixesCoverSpace(list: string[], tag: "Internet" | "VirtualNetwork" | "*", ctx: EvalContext): boolean {
  const space = tag === "Internet" ? INTERNET_V4 : tag === "*" ? ALL_V4 : ctx.vnetSpace?.length ? spaceOf(ctx.vnetSpace) : undefined;
  return space !== undefined && space.length > 0 && covers(spaceOf(list), space);
}

function partialAsg(flow: Flow): M {
  if (flow.source.kind === "tag" && flow.source.tag === "Internet") return NO;
  return { m: "partial", note: "an application security group covers only some sources" };
}

export interface RuleSet {
  nsgId: string;
  nsgName: string;
  rules: SecurityRule[];
}

function ref(set: RuleSet, r: SecurityRule, note?: string): RuleRef {
  const out: RuleRef = {
    nsgId: set.nsgId,
    nsgName: set.nsgName,
    name: r.name,
    priority: r.priority,
    access: r.access,
    isDefault: r.isDefault,
    direction: r.direction,
    ptr: r.ptr,
  };
  if (note) out.note = note;
  return out;
}

/**
 * The cheap part of a rule, parsed once: its protocol and destination ports.
 * A rule whose protocol or destination port cannot match the flow is `no`
 * whatever its addresses (matchRule ANDs every field), so evaluation skips it
 * without the address math; on large NSGs most rules are skipped this way.
 */
interface RuleFilter {
  protocol: string;
  anyProtocol: boolean;
}
const filters = new WeakMap<SecurityRule, RuleFilter>();

function ruleFilter(r: SecurityRule): RuleFilter {
  let f = filters.get(r);
  if (f) return f;
  const protocol = r.protocol.toLowerCase();
  f = { protocol, anyProtocol: protocol === "*" || protocol === "all" || protocol === "any" };
  filters.set(r, f);
  return f;
}

/** true when the rule cannot match the flow: same answer as matchRule's protocol and destination-port checks. */
function cannotMatch(r: SecurityRule, flow: Flow, flowProtocol: string): boolean {
  const f = ruleFilter(r);
  if (!f.anyProtocol && f.protocol !== flowProtocol) return true;
  return portMatches(r.destinationPorts, flow.destinationPort) === NO;
}

/**
 * A rule's reference, made once per rule and note (a rule decides, or may match, the same way for every member
 * behind its NSG): never changed by a caller, so shared by every verdict that names it.
 */
const refs = new WeakMap<SecurityRule, RuleRef>();

function sharedRef(set: RuleSet, r: SecurityRule, note?: string): RuleRef {
  let x = refs.get(r);
  if (x === undefined || x.nsgId !== set.nsgId || x.nsgName !== set.nsgName || x.note !== note) {
    x = ref(set, r, note);
    refs.set(r, x);
  }
  return x;
}

/** No rules of a kind: one shared, frozen list (most verdicts have no ambiguous or partial rule). */
const NONE: RuleRef[] = Object.freeze([]) as unknown as RuleRef[];

/** The rules that would decide otherwise than `access`. */
function otherAccess(list: RuleRef[], access: RuleRef["access"]): RuleRef[] {
  const out: RuleRef[] = [];
  for (const a of list) if (a.access !== access) out.push(a);
  return out;
}

/**
 * For each list of rules (an NSG's, in priority order), by the flow's direction, protocol and destination port: the
 * indexes of the rules that can match such a flow, the others failing on those fields whatever the addresses. Every
 * member behind an NSG is asked the same few flows (a probe's port, a rule's port), so each rule's protocol and ports
 * are tested once per kind of flow, not once per flow. Lists of rules are never changed once the model is built.
 */
const candidates = new WeakMap<SecurityRule[], Map<number, number[]>>();
const PROTOCOL_INDEX: Record<string, number> = { tcp: 0, udp: 1, icmp: 2 };

function candidatesFor(rules: SecurityRule[], flow: Flow, flowProtocol: string): number[] {
  const p = PROTOCOL_INDEX[flowProtocol];
  const port = flow.destinationPort;
  const indexed = p !== undefined && Number.isInteger(port) && port >= 0 && port <= 65535;
  const key = indexed ? ((flow.direction === "Inbound" ? 0 : 3) + p) * 65536 + port : -1;
  let byKind = candidates.get(rules);
  let list = indexed ? byKind?.get(key) : undefined;
  if (list !== undefined) return list;
  list = [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i] as SecurityRule;
    if (r.direction === flow.direction && !cannotMatch(r, flow, flowProtocol)) list.push(i);
  }
  if (indexed) {
    if (byKind === undefined) candidates.set(rules, (byKind = new Map()));
    byKind.set(key, list);
  }
  return list;
}

/** First-match evaluation of one NSG's rules. */
export function evaluateRuleSet(set: RuleSet, layer: "subnet" | "nic", flow: Flow, ctx: EvalContext): LayerVerdict {
  let ambiguous: RuleRef[] | undefined;
  let partial: RuleRef[] | undefined;
  const rules = set.rules; // sorted by priority
  const flowProtocol = lowerProtocolOf(flow.protocol);
  const indexes = candidatesFor(rules, flow, flowProtocol);
  for (let n = 0; n < indexes.length; n++) {
    const r = rules[indexes[n] as number] as SecurityRule;
    const m = matchRule(r, flow, ctx);
    if (m.m === "no") continue;
    if (m.m === "partial") {
      (partial ??= []).push(sharedRef(set, r, m.note));
      continue;
    }
    if (m.m === "maybe") {
      (ambiguous ??= []).push(sharedRef(set, r, m.note));
      continue;
    }
    const deciding = sharedRef(set, r);
    // (no closure over `r` here: one would make the engine allocate a context for every rule the loop visits)
    const conflicting = ambiguous ? otherAccess(ambiguous, r.access) : NONE;
    const first = conflicting[0];
    const decided: LayerVerdict = {
      layer,
      nsgId: set.nsgId,
      nsgName: set.nsgName,
      deciding,
      ambiguous: conflicting,
      partial: partial ?? NONE,
      verdict: first !== undefined ? "unknown" : r.access === "Allow" ? "allow" : "deny",
    };
    if (first !== undefined) {
      decided.reason = `rule ${first.name} (priority ${first.priority}, ${first.access}) may match: ${first.note ?? "it cannot be decided offline"}`;
    }
    return decided;
  }
  return {
    layer,
    nsgId: set.nsgId,
    nsgName: set.nsgName,
    verdict: "unknown",
    ambiguous: ambiguous ?? NONE,
    partial: partial ?? NONE,
    reason: "no rule matched, not even a default rule",
  };
}

function nsgRuleSet(nsg: Nsg): RuleSet {
  return { nsgId: nsg.id, nsgName: nsg.name, rules: nsg.rules };
}

const effectiveCache = new WeakMap<EffectiveNsgBody, RuleSet[]>();

function effectiveRuleSets(body: EffectiveNsgBody, basePtr: string): Array<RuleSet & { association: "subnet" | "nic" }> {
  const out: Array<RuleSet & { association: "subnet" | "nic" }> = [];
  body.value.forEach((entry, i) => {
    const nsgId = entry.networkSecurityGroup?.id ?? "";
    const rules = (entry.effectiveSecurityRules ?? [])
      .map((r, j) => readEffectiveRule(r, join(basePtr, "value", i, "effectiveSecurityRules", j)))
      .sort((a, b) => a.priority - b.priority);
    const association = entry.association?.subnet ? "subnet" : "nic";
    out.push({ nsgId, nsgName: nsgId.split("/").pop() ?? "", rules, association });
  });
  return out;
}

export interface EvaluateOptions {
  /** ignore effective-NSG observations (the trace command's --no-effective) */
  ignoreEffective?: boolean;
}

export function contextFor(target: IpConfig): EvalContext {
  const subnet = target.subnet;
  const v = subnet?.vnet;
  const ctx: EvalContext = {
    vnetSpace: v ? [...v.addressSpace, ...v.peeredSpace] : undefined,
    udrPrefixes: subnet?.routeTable?.routes.map((r) => r.addressPrefix).filter((p) => p.length > 0) ?? [],
    targetAsgKeys: target.asgKeys,
  };
  if (subnet?.routeTableId !== undefined && subnet.routeTable === undefined) {
    ctx.udrUnknown = `route table ${subnet.routeTableId.split("/").pop() ?? subnet.routeTableId} of subnet ${subnet.name} is not in the snapshot, so its route prefixes are not known`;
  }
  return ctx;
}

/** A layer without an NSG allows: one shared verdict each (verdicts are never changed by their readers). */
const NO_SUBNET_NSG: LayerVerdict = Object.freeze({
  layer: "subnet",
  verdict: "allow",
  ambiguous: NONE,
  partial: NONE,
  reason: "no NSG on the subnet",
});
const NO_NIC_NSG: LayerVerdict = Object.freeze({
  layer: "nic",
  verdict: "allow",
  ambiguous: NONE,
  partial: NONE,
  reason: "no NSG on the NIC",
});

/** The first layer with this verdict. */
function layerWith(layers: LayerVerdict[], verdict: LayerVerdict["verdict"]): LayerVerdict | undefined {
  for (const l of layers) if (l.verdict === verdict) return l;
  return undefined;
}

/**
 * Each ip configuration's context, made once (a model does not change once built, and every rule asks per member):
 * one per subnet for the ip configurations in no application security group (most), else one each.
 */
const contexts = new WeakMap<IpConfig, EvalContext>();
const subnetContexts = new WeakMap<Subnet, EvalContext>();

function contextOf(target: IpConfig): EvalContext {
  const subnet = target.subnet;
  const shared = subnet !== undefined && target.asgKeys.length === 0;
  let ctx = shared ? subnetContexts.get(subnet) : contexts.get(target);
  if (ctx === undefined) {
    ctx = contextFor(target);
    if (shared) subnetContexts.set(subnet, ctx);
    else contexts.set(target, ctx);
  }
  return ctx;
}

/**
 * Evaluates a flow to (inbound) or from (outbound) one NIC ip configuration,
 * through the subnet NSG and the NIC NSG.
 */
export function evaluateFlow(model: AzureModel, target: IpConfig, flow: Flow, opts: EvaluateOptions = {}): FlowVerdict {
  const ctx = contextOf(target);
  const eff = opts.ignoreEffective ? undefined : model.observations.effectiveNsgs.get(target.nic.key);
  const layers: LayerVerdict[] = [];
  let basis: FlowVerdict["basis"] = "nsg-resources";

  if (eff) {
    basis = "effective-nsg";
    let sets = effectiveCache.get(eff.body) as Array<RuleSet & { association: "subnet" | "nic" }> | undefined;
    if (!sets) {
      sets = effectiveRuleSets(eff.body, eff.ptr);
      effectiveCache.set(eff.body, sets);
    }
    for (const layer of ["subnet", "nic"] as const) {
      const set = sets.find((s) => s.association === layer);
      layers.push(set ? evaluateRuleSet(set, layer, flow, ctx) : { layer, verdict: "allow", ambiguous: [], partial: [], reason: "no NSG" });
    }
  } else {
    layers.push(layerFromResources("subnet", target.subnet, target.subnetId, flow, ctx, target));
    layers.push(layerFromNic(target, flow, ctx));
  }
  if (flow.direction === "Outbound") layers.reverse();

  const deny = layerWith(layers, "deny");
  if (deny) return { verdict: "deny", basis, layers, blockingLayer: deny };
  const unknown = layerWith(layers, "unknown");
  if (unknown) {
    let reason = unknown.reason ?? "a layer could not be evaluated";
    // say so when the observation that would have settled it was not collected
    const failed = eff
      ? undefined
      : gapsAboutKeys(model.gaps, [target.nic.key]).find((g) => g.operation.toLowerCase().includes("effectivenetworksecuritygroups"));
    if (failed)
      reason += `; the effective security rules that would settle it could not be read (${[failed.status, failed.code].filter(Boolean).join(" ") || failed.message})`;
    return { verdict: "unknown", basis, layers, reason };
  }
  return { verdict: "allow", basis, layers };
}

function layerFromResources(
  layer: "subnet",
  subnet: Subnet | undefined,
  subnetId: string | undefined,
  flow: Flow,
  ctx: EvalContext,
  target: IpConfig,
): LayerVerdict {
  if (!subnet) {
    return {
      layer,
      verdict: "unknown",
      ambiguous: [],
      partial: [],
      reason: subnetId
        ? `subnet ${subnetId} is not in the snapshot, so its NSG is not known`
        : `ip configuration ${target.name} names no subnet`,
    };
  }
  if (!subnet.nsgId) return NO_SUBNET_NSG;
  if (!subnet.nsg) {
    return {
      layer,
      nsgId: subnet.nsgId,
      nsgName: subnet.nsgId.split("/").pop() ?? "",
      verdict: "unknown",
      ambiguous: [],
      partial: [],
      reason: `NSG ${subnet.nsgId} on subnet ${subnet.name} is not in the snapshot`,
    };
  }
  return evaluateRuleSet(nsgRuleSet(subnet.nsg), layer, flow, ctx);
}

function layerFromNic(target: IpConfig, flow: Flow, ctx: EvalContext): LayerVerdict {
  const nic = target.nic;
  if (!nic.nsgId) return NO_NIC_NSG;
  if (!nic.nsg) {
    return {
      layer: "nic",
      nsgId: nic.nsgId,
      nsgName: nic.nsgId.split("/").pop() ?? "",
      verdict: "unknown",
      ambiguous: [],
      partial: [],
      reason: `NSG ${nic.nsgId} on NIC ${nic.name} is not in the snapshot`,
    };
  }
  return evaluateRuleSet(nsgRuleSet(nic.nsg), "nic", flow, ctx);
}

/** The NSGs (resources) that sit in the inbound path of an ip configuration, subnet first. */
export function nsgsInPath(target: IpConfig): Array<{ layer: "subnet" | "nic"; nsg: Nsg }> {
  const out: Array<{ layer: "subnet" | "nic"; nsg: Nsg }> = [];
  if (target.subnet?.nsg) out.push({ layer: "subnet", nsg: target.subnet.nsg });
  if (target.nic.nsg) out.push({ layer: "nic", nsg: target.nic.nsg });
  return out;
}

/**
 * An address given as a flow's source (`trace --from`, the TUI's trace): the application security groups of the ip
 * configuration in the snapshot that holds it, so that source-ASG rules match a flow from a VM named by its IP as they
 * do for one named by name. Addresses are unique within a VNet, so a holder in the target's VNet is the one; otherwise
 * every holder counts, and holders in different groups leave a source-ASG rule undecided (`asgCandidates`). An address
 * no ip configuration holds has no groups.
 */
export function sourceWithAsgs(model: AzureModel, source: FlowSource, target: IpConfig): { source: FlowSource; holder?: IpConfig } {
  if (source.kind !== "ip" || source.asgKeys !== undefined || source.ip === AZURE_PROBE_SOURCE) return { source };
  const all: IpConfig[] = [];
  for (const c of model.byKey.ipConfig.values()) if (sameAddress(c.privateIp, source.ip)) all.push(c);
  const vnetKey = target.subnet?.vnetKey;
  const local = vnetKey === undefined ? [] : all.filter((c) => c.subnet?.vnetKey === vnetKey);
  const holders = local.length > 0 ? local : all;
  const first = holders[0];
  if (first === undefined) return { source };
  const sets = holders.map((c) => [...c.asgKeys].sort());
  const same = sets.every((k) => k.length === sets[0]?.length && k.every((x, i) => x === sets[0]?.[i]));
  if (same) return { source: { ...source, asgKeys: first.asgKeys }, holder: first };
  return { source: { ...source, asgKeys: [], asgCandidates: sets } };
}

/** The probe flow to a member: 168.63.129.16 → member IP : probe port over TCP (HTTP and HTTPS probes are TCP). */
export function probeFlow(destinationIp: string, port: number): Flow {
  return { direction: "Inbound", protocol: "Tcp", source: { kind: "ip", ip: AZURE_PROBE_SOURCE }, destinationIp, destinationPort: port };
}

export function isSameKey(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && idKey(a) === idKey(b);
}
