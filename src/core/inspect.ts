/**
 * What a provider inspector shows of a load balancer, as plain data, whatever
 * the cloud: a tree of groups → routes → members (Azure: frontends → rules →
 * pool members; AWS: listeners → target groups → targets) with each member's
 * health and the verdicts of its health-check and data flows, and a trace of
 * one flow through every hop (NSG layers; security groups and network ACLs).
 * Providers build it and word their own headings; the TUI only lays it out.
 */
import { parsePort } from "./util/ip.ts";

export type Verdict = "allow" | "deny" | "unknown";

/** A verdict for one flow across its hops, with the rule that decided it. */
export interface VerdictCell {
  /** restricted: denied except for an IP allow-list ahead of the deny */
  verdict: Verdict | "n/a" | "restricted";
  /** the deciding rule: at the blocking hop for a deny, the innermost control for an allow */
  rule?: string;
  /** the rule's priority (Azure NSG) or rule number (AWS network ACL) */
  priority?: number;
  /** the hop that decided: "subnet" | "nic" (Azure), "lb-sg-egress", "target-nacl-in", … (AWS) */
  layer?: string;
  /** Azure: the NSG that holds the rule */
  nsg?: string;
  /** where the rule sits, in words: "nic NSG nsg-web", "target SG sg-0abc (web)", "subnet NACL acl-1 inbound" */
  at?: string;
  /** why there is no verdict or why it is unknown */
  reason?: string;
  isDefault?: boolean;
}

export interface MemberRow {
  /** `<route key>|<member key>`: one row per member per route */
  key: string;
  ruleKey: string;
  memberKey: string;
  /** NIC name (or the pool entry's name for an IP-based member); AWS: the target id and port */
  member: string;
  ip?: string;
  /** the VM (Azure) */
  vm?: string;
  /** the Availability Zone (AWS) */
  zone?: string;
  /** the machine's power or instance state ("running", "deallocated", "stopped"), "—" when none */
  power: string;
  health: { state: string; reason?: string; meaning?: string };
  probe: VerdictCell;
  data: VerdictCell;
  /** a member without an ip configuration or address cannot be traced */
  traceable: boolean;
}

/** A route: an Azure load-balancing rule, an AWS target group behind a listener. */
export interface RuleBlock {
  key: string;
  name: string;
  /** the heading line: "rule rule-http · Tcp 80 → 80 · pool pool-web · probe …", "target group tg-web · HTTP 8080 · health check …" */
  title: string;
  /** shown when the route has no member */
  emptyText: string;
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

/** A group of routes: an Azure frontend, an AWS listener. */
export interface FrontendBlock {
  key: string;
  name: string;
  address?: string;
  /** the heading line: "frontend fe-web 20.50.60.70", "listener HTTP:80" */
  title: string;
  /** shown when the group has no route */
  emptyText: string;
  rules: RuleBlock[];
}

/** The member table's column titles. */
export interface MemberColumns {
  member: string;
  /** the column of MemberRow.vm (Azure) or MemberRow.zone (AWS) */
  host: string;
  power: string;
  health: string;
  probe: string;
  data: string;
}

export const AZURE_COLUMNS: MemberColumns = {
  member: "MEMBER",
  host: "VM",
  power: "POWER",
  health: "HEALTH",
  probe: "PROBE",
  data: "DATA",
};

export interface LbDetail {
  key: string;
  name: string;
  sku: string;
  kind: "public" | "internal" | "gateway";
  /** who the clients are: Internet, VirtualNetwork (Azure); Internet, the VPC (AWS) */
  clients: string;
  columns: MemberColumns;
  frontends: FrontendBlock[];
  /** lines under the tree: pools or target groups nothing sends traffic to (warn), NAT rules (not warn) */
  footnotes: Array<{ text: string; warn: boolean }>;
}

/** A flow to trace against one member. */
export type FlowChoice =
  | { kind: "probe" }
  | { kind: "data" }
  | { kind: "custom"; source: string; port: number; protocol: "Tcp" | "Udp" | "Icmp" };

/** One hop of a trace: an NSG layer (Azure); a security group or network ACL direction (AWS). */
export interface TraceLayer {
  /** the hop's kind: "subnet" | "nic" (Azure); "lb-sg-ingress", "lb-nacl-out", "target-sg-ingress", … (AWS) */
  layer: string;
  /** "subnet snet-web", "NIC vm1-nic", "LB subnet subnet-0a (10.0.1.0/24)" */
  where: string;
  /** the heading line: "subnet snet-web · NSG nsg-web", "LB security group sg-0abc (alb-sg) · ingress" */
  title: string;
  nsg?: string;
  verdict: Verdict;
  /** the rule that decided; priority is an NSG priority or a network ACL rule number, absent for a security group rule */
  deciding?: { name: string; priority?: number; isDefault: boolean; access: string; ptr: string };
  notes: Array<{ kind: "partial" | "maybe" | "reason"; text: string }>;
  /**
   * The fixes the notes print (a note `fix: <summary>`, then a note `$ <command>` for each command), as data: the
   * commands exactly as printed after `$ `, for the TUI to copy. Absent on a hop without a fix.
   */
  fixes?: Array<{ summary: string; commands: string[] }>;
}

export interface TraceResult {
  title: string;
  /** "168.63.129.16 (AzureLoadBalancer, the probe source) → 10.0.0.4:80/Tcp, inbound" */
  flow: string;
  basis: string;
  /** the heading of the hop list: "LAYERS (inbound: the subnet NSG, then the NIC NSG; both must allow)" */
  layersTitle: string;
  layers: TraceLayer[];
  verdict: Verdict;
  /** why, in one line: the blocking hop and rule for a deny */
  why?: string;
  reason?: string;
  /** set when the flow could not be built (no probe, no address, a bad custom flow) */
  error?: string;
}

/** Provider-specific views. The overview and findings need only the report; these need the provider's model. */
export interface Inspector {
  /** what the trace view calls the probe and data flows: "probe"/"data" (Azure), "health check"/"data" (AWS) */
  flowNames?: { probe: string; data: string };
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
  const p = (m[3] ?? "tcp").toLowerCase();
  // a TCP or UDP port is 1–65535 (as `trace --to` takes it); ICMP has none, and any number stands for it
  const port = p === "icmp" ? Number(m[2]) : parsePort(m[2] as string);
  if (port === undefined || port > 65535) return { error: `${m[2]} is not a port number (1–65535)` };
  const protocol = (p[0]?.toUpperCase() + p.slice(1)) as "Tcp" | "Udp" | "Icmp";
  return { kind: "custom", source: m[1] as string, port, protocol };
}
