/**
 * IPv4 address spaces as sorted, disjoint, inclusive integer intervals
 * ([first, last], 0 … 2^32-1), for the security-group and NACL evaluators.
 * Plain number arithmetic (no bit operators, which are signed 32-bit in JS).
 * IPv6 is handled by the callers only as far as containment goes.
 */
export type Interval = [number, number];
export type Space = Interval[];

export const IPV4_MAX = 2 ** 32 - 1;

/** Parses "a.b.c.d" to an integer, or undefined. */
export function ipv4ToInt(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

export function intToIpv4(n: number): string {
  return [Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 2 ** 8) % 256, n % 256].join(".");
}

/** An IPv4 CIDR ("10.0.0.0/16") or address ("10.0.0.5") as an interval; host bits are ignored as AWS does. Undefined for anything else. */
export function cidrInterval(text: string): Interval | undefined {
  const [addr, len, extra] = text.trim().split("/");
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = ipv4ToInt(addr);
  if (ip === undefined) return undefined;
  const bits = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : Number.NaN;
  if (!(bits >= 0 && bits <= 32)) return undefined;
  const size = 2 ** (32 - bits);
  const first = Math.floor(ip / size) * size;
  return [first, first + size - 1];
}

export function isIpv4Cidr(text: string): boolean {
  return cidrInterval(text) !== undefined;
}

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

export function size(s: Space): number {
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

export function subtract(a: Space, b: Space): Space {
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

/**
 * IPv4 ranges no internet client reaches a load balancer from: private
 * (RFC 1918), shared (RFC 6598), loopback, link-local, "this network",
 * multicast and reserved. (Documentation ranges such as 203.0.113.0/24 stay
 * in: examples use them as public addresses.)
 */
export const NON_PUBLIC_V4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/4",
  "240.0.0.0/4",
];

export const ALL_V4: Space = [[0, IPV4_MAX]];
/** The addresses internet clients can come from. */
export const INTERNET_V4: Space = subtract(ALL_V4, spaceOf(NON_PUBLIC_V4));
