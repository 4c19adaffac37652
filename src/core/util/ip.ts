/**
 * The one IP module. Parsing and prefix matching (IPv4 and IPv6) use
 * ipaddr.js; IPv4 address spaces are sorted, disjoint, inclusive integer
 * intervals ([first, last], 0 … 2^32-1) for the evaluators' set arithmetic
 * (plain number arithmetic: JS bit operators are signed 32-bit). The
 * non-public IPv4 ranges are listed once, here.
 */
import ipaddr from "ipaddr.js";

// ---------------------------------------------------------------------------
// parsing and prefix matching (ipaddr.js), cached: the same prefixes recur across thousands of NICs

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];
const cidrCache = new Map<string, Cidr | null>();

/** A CIDR, or an address as a full-length prefix; null for anything else. */
export function parseCidr(text: string): Cidr | null {
  let c = cidrCache.get(text);
  if (c !== undefined) return c;
  try {
    c = text.includes("/") ? ipaddr.parseCIDR(text) : ((a) => [a, a.kind() === "ipv4" ? 32 : 128] as Cidr)(ipaddr.parse(text));
  } catch {
    c = null;
  }
  cidrCache.set(text, c);
  return c;
}

export function isAddressLike(text: string): boolean {
  return parseCidr(text) !== null;
}

/** An address as a user may write it before a port: an IPv6 literal in brackets (`[2001:db8::4]`, as in a URL) loses them. */
export function unbracket(text: string): string {
  return text.length > 2 && text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
}

/**
 * Whether two texts name the same IP address, however each is spelled: an IPv6 address has many spellings
 * (`2001:DB8::4`, `2001:db8:0:0:0:0:0:4`), and a user's `--from` need not match the snapshot's. IPv4 compares as written.
 */
export function sameAddress(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  if (!a.includes(":") || !b.includes(":") || a.includes("/") || b.includes("/")) return false;
  const x = parseCidr(a.trim());
  const y = parseCidr(b.trim());
  return (
    x !== null && y !== null && x[0].kind() === "ipv6" && y[0].kind() === "ipv6" && x[0].toNormalizedString() === y[0].toNormalizedString()
  );
}

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseCidr(ip);
  if (!c || !a || c[0].kind() !== a[0].kind()) return false;
  return a[0].match(c);
}

/** true when `inner` lies wholly inside `outer` (same family) */
export function cidrCovers(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || o[0].kind() !== i[0].kind()) return false;
  return i[1] >= o[1] && i[0].match(o);
}

export function cidrOverlaps(a: string, b: string): boolean {
  return cidrCovers(a, b) || cidrCovers(b, a);
}

// ---------------------------------------------------------------------------
// IPv4 as integers

export type Interval = [number, number];
export type Space = Interval[];
/** An interval a function only reads. */
type Span = readonly [number, number];

export const IPV4_MAX = 2 ** 32 - 1;

/** "a.b.c.d" (1–3 decimal digits each, ≤ 255; a leading zero is still decimal) as an integer, or undefined. */
export function ipv4ToInt(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

export function intToIpv4(n: number): string {
  return [Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 2 ** 8) % 256, n % 256].join(".");
}

/** An IPv4 CIDR ("10.0.0.0/16") or address (a /32) as an interval and prefix length; host bits are ignored, as the clouds do. */
export function ipv4Cidr(text: string): { interval: Interval; length: number } | undefined {
  const [addr, len, ...rest] = text.trim().split("/");
  if (addr === undefined || rest.length > 0) return undefined;
  const ip = ipv4ToInt(addr);
  const length = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : Number.NaN;
  if (ip === undefined || !(length >= 0 && length <= 32)) return undefined;
  const size = 2 ** (32 - length);
  const first = Math.floor(ip / size) * size;
  return { interval: [first, first + size - 1], length };
}

/** The interval of an IPv4 CIDR or address; undefined for IPv6 or garbage. */
export function cidrInterval(text: string): Interval | undefined {
  return ipv4Cidr(text)?.interval;
}

export function isIpv4Cidr(text: string): boolean {
  return cidrInterval(text) !== undefined;
}

/** An IPv4 address inside an IPv4 CIDR. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const a = ipv4ToInt(ip);
  const c = cidrInterval(cidr);
  return a !== undefined && c !== undefined && a >= c[0] && a <= c[1];
}

// ---------------------------------------------------------------------------
// IPv4 spaces

/** Sorted, merged (adjacent intervals joined). */
export function normalize(intervals: Interval[]): Space {
  const sorted = intervals.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: Space = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** A space from CIDR texts; texts that are not IPv4 are ignored. */
export function spaceOf(cidrs: Iterable<string>): Space {
  const out: Interval[] = [];
  for (const c of cidrs) {
    const iv = cidrInterval(c);
    if (iv) out.push(iv);
  }
  return normalize(out);
}

/** How many addresses. */
export function size(s: readonly Span[]): number {
  return s.reduce((n, [a, b]) => n + (b - a + 1), 0);
}

export function intersect(a: Space, b: Space): Space {
  const out: Space = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    const lo = Math.max(x[0], y[0]);
    const hi = Math.min(x[1], y[1]);
    if (lo <= hi) out.push([lo, hi]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}

/** `a` minus `b` (both sorted and disjoint; so is the result). */
export function subtract(a: readonly Span[], b: readonly Span[]): Space {
  const out: Space = [];
  for (const [lo0, hi] of a) {
    let lo = lo0;
    for (const [c, d] of b) {
      if (d < lo || c > hi) continue;
      if (c > lo) out.push([lo, c - 1]);
      lo = d + 1;
      if (lo > hi) break;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

/** Every address of `inner` is in `outer`. */
export function covers(outer: Space, inner: Space): boolean {
  return subtract(inner, outer).length === 0;
}

export function overlaps(a: Space, b: Space): boolean {
  return intersect(a, b).length > 0;
}

/** The smallest CIDRs that exactly make up a space (for messages and commands). */
export function toCidrs(s: Space): string[] {
  const out: string[] = [];
  for (const [a, b] of s) {
    let lo = a;
    while (lo <= b) {
      let bits = 32;
      while (bits > 0) {
        const size = 2 ** (32 - bits + 1);
        if (lo % size !== 0 || lo + size - 1 > b) break;
        bits--;
      }
      out.push(`${intToIpv4(lo)}/${bits}`);
      lo += 2 ** (32 - bits);
    }
  }
  return out;
}

/** The one smallest CIDR that contains every address of the space (undefined for an empty space). */
export function coveringCidr(s: Space): string | undefined {
  const first = s[0]?.[0];
  const last = s[s.length - 1]?.[1];
  if (first === undefined || last === undefined) return undefined;
  for (let bits = 32; bits >= 0; bits--) {
    const size = 2 ** (32 - bits);
    const base = Math.floor(first / size) * size;
    if (base + size - 1 >= last) return `${intToIpv4(base)}/${bits}`;
  }
  return "0.0.0.0/0";
}

/** An interval as a CIDR when it is one, else as `first-last`. */
export function formatInterval([a, b]: readonly [number, number]): string {
  const n = b - a + 1;
  const len = 32 - Math.log2(n);
  if (Number.isInteger(len) && a % n === 0) return `${intToIpv4(a)}/${len}`;
  return `${intToIpv4(a)}-${intToIpv4(b)}`;
}

// ---------------------------------------------------------------------------
// the address space internet clients come from

/**
 * The IPv4 ranges no internet client reaches a load balancer from.
 * (Documentation ranges such as 203.0.113.0/24 stay out: examples use them as
 * public addresses.)
 */
export const NON_PUBLIC_RANGES_V4: ReadonlyArray<{ cidr: string; kind: "private" | "shared" | "special" }> = [
  { cidr: "0.0.0.0/8", kind: "special" }, // "this network"
  { cidr: "10.0.0.0/8", kind: "private" }, // RFC 1918
  { cidr: "100.64.0.0/10", kind: "shared" }, // RFC 6598 shared address space (Azure VNets may use it)
  { cidr: "127.0.0.0/8", kind: "special" }, // loopback
  { cidr: "169.254.0.0/16", kind: "special" }, // link-local
  { cidr: "172.16.0.0/12", kind: "private" }, // RFC 1918
  { cidr: "192.168.0.0/16", kind: "private" }, // RFC 1918
  { cidr: "224.0.0.0/4", kind: "special" }, // multicast
  { cidr: "240.0.0.0/4", kind: "special" }, // reserved
];

/** Every non-public IPv4 range, as CIDRs. */
export const NON_PUBLIC_V4: readonly string[] = NON_PUBLIC_RANGES_V4.map((r) => r.cidr);

/** The address space networks are built from: RFC 1918 private and RFC 6598 shared space. */
export const PRIVATE_V4: readonly string[] = NON_PUBLIC_RANGES_V4.filter((r) => r.kind !== "special").map((r) => r.cidr);

export const ALL_V4: Space = [[0, IPV4_MAX]];
/** The addresses internet clients can come from. */
export const INTERNET_V4: Space = subtract(ALL_V4, spaceOf(NON_PUBLIC_V4));

/** An IPv4 address an internet client could have. */
export function isPublicIpv4(ip: string): boolean {
  const n = ipv4ToInt(ip);
  return n !== undefined && INTERNET_V4.some(([a, b]) => n >= a && n <= b);
}

/** An address in private or shared space (IPv4 only). */
export function isPrivateIp(ip: string): boolean {
  return PRIVATE_V4.some((p) => cidrContains(p, ip));
}

/** A TCP or UDP port as a user writes one: decimal digits, 1–65535 (`80`; not `0x50`, `1e2`, `80.0`, `+80` or empty). */
export function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

// ---------------------------------------------------------------------------
// IPv6 spaces: sorted, disjoint, inclusive bigint intervals (0 … 2^128-1), parsed with parseCidr (ipaddr.js).
// The IPv4 spaces above are plain numbers; an IPv6 address needs 128 bits.

export type Interval6 = [bigint, bigint];
export type Space6 = Interval6[];

export const IPV6_MAX = (1n << 128n) - 1n;

/** The larger and the smaller of two bigints (Math.max and Math.min take numbers only). */
export const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** An IPv6 CIDR or address as an interval (host bits ignored, as AWS does); undefined for IPv4 or garbage. */
export function ipv6Interval(text: string): Interval6 | undefined {
  const c = parseCidr(text.trim());
  const addr = c?.[0];
  if (!c || addr?.kind() !== "ipv6") return undefined;
  let n = 0n;
  for (const b of addr.toByteArray()) n = (n << 8n) | BigInt(b);
  const host = 128n - BigInt(c[1]);
  const first = (n >> host) << host;
  return [first, first + (1n << host) - 1n];
}

export function normalize6(intervals: Interval6[]): Space6 {
  const sorted = intervals.filter(([a, b]) => a <= b).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: Space6 = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) last[1] = maxBig(b, last[1]);
    else out.push([a, b]);
  }
  return out;
}

/** An IPv6 space from CIDR texts; texts that are not IPv6 are ignored. */
export function spaceOf6(cidrs: Iterable<string>): Space6 {
  const out: Interval6[] = [];
  for (const c of cidrs) {
    const iv = ipv6Interval(c);
    if (iv) out.push(iv);
  }
  return normalize6(out);
}

export function intersect6(a: Space6, b: Space6): Space6 {
  const out: Space6 = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval6;
    const y = b[j] as Interval6;
    const lo = maxBig(x[0], y[0]);
    const hi = minBig(x[1], y[1]);
    if (lo <= hi) out.push([lo, hi]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}

/** `a` minus `b` (both sorted and disjoint). */
export function subtract6(a: Space6, b: Space6): Space6 {
  const out: Space6 = [];
  for (const [lo0, hi] of a) {
    let lo = lo0;
    for (const [c, d] of b) {
      if (d < lo || c > hi) continue;
      if (c > lo) out.push([lo, c - 1n]);
      lo = d + 1n;
      if (lo > hi) break;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

export function covers6(outer: Space6, inner: Space6): boolean {
  return subtract6(inner, outer).length === 0;
}

export function size6(s: Space6): bigint {
  return s.reduce((n, [a, b]) => n + (b - a + 1n), 0n);
}

function formatV6(n: bigint): string {
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((n >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** The smallest IPv6 CIDRs that exactly make up a space (for messages and commands). */
export function toCidrs6(s: Space6): string[] {
  const out: string[] = [];
  for (const [a, b] of s) {
    let lo = a;
    while (lo <= b) {
      let bits = 128n;
      while (bits > 0n) {
        const size = 1n << (128n - bits + 1n);
        if (lo % size !== 0n || lo + size - 1n > b) break;
        bits--;
      }
      out.push(`${formatV6(lo)}/${bits}`);
      lo += 1n << (128n - bits);
    }
  }
  return out;
}
