/**
 * What the TUI's screens show, as plain data. The session builds it from the
 * report (any provider) and from a provider inspector (the load-balancer and
 * trace views: Azure for now). Components take these as props.
 */
import type { Finding, Severity } from "../engine/types.ts";
import type { LoadBalancerSummary, Report } from "../report/report.ts";
import type { Gap } from "../snapshot/types.ts";

export type Verdict = "allow" | "deny" | "unknown";

/** An NSG verdict for one flow, with the rule that decided it. */
export interface VerdictCell {
  /** restricted: denied except for an IP allow-list ahead of the deny */
  verdict: Verdict | "n/a" | "restricted";
  /** the deciding rule: at the blocking layer for a deny, the innermost NSG for an allow */
  rule?: string;
  priority?: number;
  layer?: "subnet" | "nic";
  nsg?: string;
  /** why there is no verdict or why it is unknown */
  reason?: string;
  isDefault?: boolean;
}

export interface MemberRow {
  /** `<rule key>|<member key>`: one row per member per rule */
  key: string;
  ruleKey: string;
  memberKey: string;
  /** NIC name (or the pool entry's name for an IP-based member) */
  member: string;
  ip?: string;
  vm?: string;
  power: string;
  health: { state: string; reason?: string; meaning?: string };
  probe: VerdictCell;
  data: VerdictCell;
  /** a member without an ip configuration or address cannot be traced */
  traceable: boolean;
}

export interface RuleBlock {
  key: string;
  name: string;
  protocol: string;
  frontendPort: number;
  backendPort: number;
  floatingIp: boolean;
  pool?: string;
  probe?: { name: string; protocol: string; port: number; path?: string };
  /** rules without a probe get no health observation */
  note?: string;
  members: MemberRow[];
}

export interface FrontendBlock {
  key: string;
  name: string;
  address?: string;
  rules: RuleBlock[];
}

export interface LbDetail {
  key: string;
  name: string;
  sku: string;
  kind: "public" | "internal";
  /** public: Internet; internal: VirtualNetwork */
  clients: string;
  frontends: FrontendBlock[];
  /** pools that no load-balancing rule uses */
  idlePools: Array<{ name: string; members: number }>;
  natRules: number;
}

/** A flow to trace against one member. */
export type FlowChoice =
  | { kind: "probe" }
  | { kind: "data" }
  | { kind: "custom"; source: string; port: number; protocol: "Tcp" | "Udp" | "Icmp" };

export interface TraceLayer {
  layer: "subnet" | "nic";
  where: string;
  nsg?: string;
  verdict: Verdict;
  deciding?: { name: string; priority: number; isDefault: boolean; access: string; ptr: string };
  notes: Array<{ kind: "partial" | "maybe" | "reason"; text: string }>;
}

export interface TraceResult {
  title: string;
  /** "168.63.129.16 (AzureLoadBalancer, the probe source) → 10.0.0.4:80/Tcp, inbound" */
  flow: string;
  basis: string;
  layers: TraceLayer[];
  verdict: Verdict;
  reason?: string;
  /** set when the flow could not be built (no probe, no address, a bad custom flow) */
  error?: string;
}

/** Provider-specific views. The overview and findings need only the report; these need the provider's model. */
export interface Inspector {
  lbDetail(lbKey: string): LbDetail | undefined;
  /** every (rule, member) pair of a load balancer that can be traced, in LB-view order */
  traceTargets(lbKey: string): Array<{ key: string; label: string }>;
  trace(lbKey: string, targetKey: string, flow: FlowChoice): TraceResult;
  /** the member health states, keyed like MemberRow.key, for watch-mode transitions */
  healthStates(): Map<string, { state: string; reason?: string; label: string }>;
}

export interface LbEntry extends LoadBalancerSummary {
  key: string;
  failedBySeverity: Record<Severity, number>;
}

/** Everything the screens read after a collection. */
export interface TuiData {
  provider: "azure" | "aws";
  /** "snapshot fixtures/azure/demo.json" or "live: subscription …, resource group …" */
  source: string;
  live: boolean;
  scope: string;
  collectedAt: string;
  report: Report;
  lbs: LbEntry[];
  /** root causes first (the report's order) */
  findings: Finding[];
  gaps: Gap[];
  inspector?: Inspector;
  /** why there is no inspector (AWS for now) */
  inspectorNote?: string;
}
