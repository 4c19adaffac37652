/**
 * What a provider inspector shows of a load balancer, as plain data: the
 * listener/rule → pool → member tree with health and NSG verdicts, and a
 * trace of one flow through every hop. The TUI renders it; providers build it.
 */

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

/** A custom flow typed in the trace view: `<source> <port>[/tcp|udp|icmp]` or `<source>:<port>`. */
export function parseCustomFlow(text: string): FlowChoice | { error: string } {
  const t = text.trim();
  const m = /^(\S+?)(?::|\s+)(\d{1,5})(?:\/(tcp|udp|icmp))?$/i.exec(t);
  if (!m) return { error: `'${t}' is not <source> <port>[/tcp|udp|icmp], e.g. 203.0.113.7 443 or Internet:22` };
  const port = Number(m[2]);
  if (port > 65535) return { error: `${port} is not a port number` };
  const p = (m[3] ?? "tcp").toLowerCase();
  const protocol = (p[0]?.toUpperCase() + p.slice(1)) as "Tcp" | "Udp" | "Icmp";
  return { kind: "custom", source: m[1] as string, port, protocol };
}
