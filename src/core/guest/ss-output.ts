/**
 * The text of the guest check, shared by both clouds: what `ss` prints inside
 * a Linux machine (Azure Run Command `RunShellScript`, AWS SSM
 * `AWS-RunShellScript`), and back.
 *
 *   ### listening
 *   LISTEN 0      511      0.0.0.0:80      0.0.0.0:*
 *   ### connections
 *   ESTAB  0      0        10.1.0.4:50312  10.1.0.100:8080
 *
 * The emulators render a snapshot's `observations.guest[id]` this way; the
 * collectors parse what a real machine answered with `parseSsOutput`, which reads
 * real `ss` output (headers, a Netid column, `[::]:80`, `*:80`, `%lo` zones,
 * IPv4-mapped addresses, trailing process columns, service names) and also
 * `netstat -an` lines (Linux and Windows).
 */
import type { GuestObservation } from "../snapshot/types.ts";

type Listener = NonNullable<GuestObservation["listening"]>[number];
type Connection = NonNullable<GuestObservation["connections"]>[number];

/** The section headings the guest script prints before each `ss` call. */
export const LISTENING_HEADING = "### listening";
export const CONNECTIONS_HEADING = "### connections";

/** The script the collectors send (`RunShellScript` / `AWS-RunShellScript`); its output is what `renderSsOutput` imitates. */
export const GUEST_SCRIPT: string[] = [`echo '${LISTENING_HEADING}'`, "ss -Hltn; ss -Hlun", `echo '${CONNECTIONS_HEADING}'`, "ss -Htn"];

export interface RenderOptions {
  /** The VM's primary private IP, used as the local address of connections that name none. */
  localIp?: string;
}

const ALL_STATES = new Set([
  "LISTEN",
  "UNCONN",
  "ESTAB",
  "SYN-SENT",
  "SYN-RECV",
  "FIN-WAIT-1",
  "FIN-WAIT-2",
  "TIME-WAIT",
  "CLOSE-WAIT",
  "LAST-ACK",
  "CLOSING",
  "CLOSED",
  "UNKNOWN",
]);

/** `ESTABLISHED`, `time_wait`, `Syn_Sent` … → the spelling `ss` uses. */
export function ssState(state: string): string {
  const s = state.trim().toUpperCase().replace(/_/g, "-");
  if (s === "ESTABLISHED") return "ESTAB";
  if (s === "LISTENING") return "LISTEN";
  if (s === "SYN-RECEIVED") return "SYN-RECV";
  if (s === "FIN-WAIT1") return "FIN-WAIT-1";
  if (s === "FIN-WAIT2") return "FIN-WAIT-2";
  return s;
}

/** An address as `ss` prints it in front of `:port`: IPv6 in brackets, `*` as is. */
function ssAddress(address: string | undefined): string {
  const a = (address ?? "").trim();
  if (a === "" || a === "0.0.0.0/0") return "0.0.0.0";
  if (a === "*" || a.startsWith("[")) return a;
  return a.includes(":") ? `[${a}]` : a;
}

/** `ip:port` (IPv6 bracketed) for a connection end given as `ip:port`, `[ip]:port` or a bare IP. */
function ssEndpoint(text: string): string {
  const ep = parseEndpoint(text);
  if (!ep) return text.trim();
  return `${ssAddress(ep.address)}:${ep.port}`;
}

function row(state: string, recvQ: number, sendQ: number, local: string, peer: string): string {
  return `${state.padEnd(6)} ${String(recvQ).padEnd(6)} ${String(sendQ).padEnd(6)} ${local.padEnd(20)} ${peer}`;
}

/**
 * Renders a guest observation as the output of the guest script: `### listening`
 * then `ss -Hltn`/`ss -Hlun` lines (UDP listeners as `UNCONN`), `### connections`
 * then `ss -Htn` lines. Missing observation → both sections empty. No trailing
 * newline (run-command trims it too).
 */
export function renderSsOutput(obs: GuestObservation | undefined, opts: RenderOptions = {}): string {
  const lines: string[] = [LISTENING_HEADING];
  for (const l of obs?.listening ?? []) {
    const local = `${ssAddress(l.address)}:${l.port}`;
    const v6 = local.startsWith("[");
    const peer = local.startsWith("*") ? "*:*" : v6 ? "[::]:*" : "0.0.0.0:*";
    lines.push(l.protocol === "udp" ? row("UNCONN", 0, 0, local, peer) : row("LISTEN", 0, 511, local, peer));
  }
  lines.push(CONNECTIONS_HEADING);
  (obs?.connections ?? []).forEach((c, i) => {
    const local = c.local ? ssEndpoint(c.local) : `${ssAddress(opts.localIp)}:${50000 + i}`;
    lines.push(row(ssState(c.state ?? "ESTAB"), 0, 0, local, ssEndpoint(c.remote)));
  });
  return lines.join("\n");
}

const SERVICES: Record<string, number> = {
  ssh: 22,
  smtp: 25,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  http: 80,
  ntp: 123,
  https: 443,
  "http-alt": 8080,
  webcache: 8080,
  "https-alt": 8443,
  mysql: 3306,
  postgresql: 5432,
  "ms-wbt-server": 3389,
  redis: 6379,
};

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Splits `0.0.0.0:80`, `[::]:80`, `*:80`, `127.0.0.53%lo:53`, `[fe80::1]%eth0:546`,
 * `[::ffff:10.0.0.4]:80`, `:::22` (old ss/netstat) into a bare address (no
 * brackets, no zone; IPv4-mapped IPv6 turned into IPv4) and a port. The port
 * may be `*` (unconnected peer), reported as `"*"`.
 */
export function parseEndpoint(text: string): { address: string; port: number | "*" } | undefined {
  const t = text.trim();
  const i = t.lastIndexOf(":");
  if (i < 0) return undefined;
  const portText = t.slice(i + 1);
  let address = t.slice(0, i);
  let port: number | "*";
  if (portText === "*") port = "*";
  else if (/^\d+$/.test(portText)) port = Number(portText);
  else if (SERVICES[portText.toLowerCase()] !== undefined) port = SERVICES[portText.toLowerCase()] as number;
  else return undefined;
  if (typeof port === "number" && port > 65535) return undefined;
  // zone after the bracket (`[fe80::1]%eth0`) or inside it / on a bare address (`127.0.0.53%lo`)
  address = address.replace(/%[^\]]*$/, "");
  if (address.startsWith("[")) {
    const close = address.indexOf("]");
    address = address.slice(1, close < 0 ? undefined : close);
  }
  address = address.replace(/%.*$/, "");
  const mapped = MAPPED_V4.exec(address);
  if (mapped) address = mapped[1] as string;
  if (address === "") return undefined;
  return { address, port };
}

function endpointText(ep: { address: string; port: number | "*" }): string {
  return `${ep.address.includes(":") ? `[${ep.address}]` : ep.address}:${ep.port}`;
}

type Section = "listening" | "connections" | undefined;

interface Row {
  protocol: "tcp" | "udp";
  state: string | undefined;
  local: string;
  peer: string;
}

const NETIDS = new Set([
  "tcp",
  "udp",
  "tcp6",
  "udp6",
  "mptcp",
  "raw",
  "u_str",
  "u_dgr",
  "u_seq",
  "nl",
  "p_raw",
  "p_dgr",
  "icmp6",
  "sctp",
  "tipc",
]);
const isNum = (s: string | undefined) => s !== undefined && /^\d+$/.test(s);

/** One line of `ss`, `ss` with a Netid column, Linux `netstat -an` or Windows `netstat -an`. */
function parseRow(tokens: string[]): Row | undefined {
  const first = tokens[0] ?? "";
  const firstLower = first.toLowerCase();
  if (NETIDS.has(firstLower)) {
    const protocol = firstLower.startsWith("udp")
      ? "udp"
      : firstLower === "tcp" || firstLower === "tcp6" || firstLower === "mptcp"
        ? "tcp"
        : undefined;
    if (!protocol) return undefined;
    const second = tokens[1] ?? "";
    // Windows netstat: TCP  0.0.0.0:80  0.0.0.0:0  LISTENING
    if (second.includes(":") && !ALL_STATES.has(ssState(second))) {
      const local = second;
      const peer = tokens[2] ?? "";
      const raw = tokens[3];
      let state = raw && !isNum(raw) ? ssState(raw) : undefined;
      if (protocol === "udp" && (peer === "*:*" || peer.endsWith(":*") || peer.endsWith(":0"))) state = "UNCONN";
      if (state === "LISTEN" || state === "UNCONN") return { protocol, state, local, peer: peer.replace(/:0$/, ":*") };
      return { protocol, state, local, peer };
    }
    // Linux netstat: tcp  0  0  0.0.0.0:22  0.0.0.0:*  LISTEN
    if (isNum(second) && isNum(tokens[2]) && (tokens[3] ?? "").includes(":") && (tokens[4] ?? "").includes(":")) {
      const raw = tokens[5];
      let state = raw && !isNum(raw) && !raw.includes("/") ? ssState(raw) : undefined;
      if (protocol === "udp" && (tokens[4] ?? "").endsWith(":*")) state = "UNCONN";
      return { protocol, state, local: tokens[3] as string, peer: tokens[4] as string };
    }
    const rest = parseSsColumns(tokens.slice(1));
    return rest ? { protocol, ...rest } : undefined;
  }
  const rest = parseSsColumns(tokens);
  if (!rest) return undefined;
  return { protocol: rest.state === "UNCONN" ? "udp" : "tcp", ...rest };
}

/** `[State] Recv-Q Send-Q Local:Port Peer:Port [Process…]` (ss hides State when it filters on one state). */
function parseSsColumns(tokens: string[]): { state: string | undefined; local: string; peer: string } | undefined {
  let i = 0;
  let state: string | undefined;
  if (!isNum(tokens[0])) {
    state = ssState(tokens[0] ?? "");
    if (!ALL_STATES.has(state)) return undefined;
    i = 1;
  }
  if (!isNum(tokens[i]) || !isNum(tokens[i + 1])) return undefined;
  const local = tokens[i + 2];
  const peer = tokens[i + 3];
  if (!local || !peer || !local.includes(":") || !peer.includes(":")) return undefined;
  return { state, local, peer };
}

/**
 * Parses the guest script's output (or any `ss -tn`/`ss -ltn`/`ss -tuna`
 * output, or `netstat -an`) into a guest observation. Accepts the whole
 * run-command message too: only the text between `[stdout]` and `[stderr]` is
 * read. Sockets are sorted by state: LISTEN/UNCONN are listeners, the rest are
 * connections; a row without a state goes by its section heading, else by its
 * peer (`*` port → listener).
 */
export function parseSsOutput(text: string): GuestObservation {
  let body = text;
  const out = body.indexOf("[stdout]");
  if (out >= 0) {
    body = body.slice(out + "[stdout]".length);
    const err = body.indexOf("[stderr]");
    if (err >= 0) body = body.slice(0, err);
  }
  const listening: Listener[] = [];
  const connections: Connection[] = [];
  const seen = new Set<string>();
  let section: Section;
  for (const rawLine of body.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const heading = line.replace(/^#+/, "").trim().toLowerCase();
      section = heading.startsWith("listen") ? "listening" : heading.startsWith("conn") ? "connections" : undefined;
      continue;
    }
    const row = parseRow(line.split(/\s+/));
    if (!row) continue; // headers (State/Netid/Proto/Active …), other socket families, noise
    const local = parseEndpoint(row.local);
    const peer = parseEndpoint(row.peer);
    if (!local || !peer) continue;
    const listener =
      row.state === "LISTEN" ||
      (row.state === "UNCONN" && peer.port === "*") ||
      (row.state === undefined && (section === "listening" || (section === undefined && peer.port === "*")));
    if (listener) {
      if (local.port === "*") continue;
      const key = `${row.protocol}|${local.address}|${local.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      listening.push({ protocol: row.protocol, port: local.port, address: local.address });
    } else {
      if (peer.port === "*" || local.port === "*") continue;
      const c: Connection = { remote: endpointText(peer), local: endpointText(local) };
      if (row.state) c.state = row.state;
      connections.push(c);
    }
  }
  return { listening, connections };
}
