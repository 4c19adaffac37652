/**
 * What both cloud emulators (ARM over HTTPS, the AWS Query APIs over HTTP)
 * share: the request body with one size limit, a seeded latency source,
 * fault rules that apply a given number of times, request counts, and
 * listening on / closing 127.0.0.1.
 */
import type { IncomingMessage } from "node:http";
import type { AddressInfo, Server } from "node:net";
import { InputError } from "../errors.ts";

/** The largest request body either emulator reads. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** An error answer: HTTP status, the service's error code, and extra headers. */
export class EmulatorError extends Error {
  status: number;
  code: string;
  headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/**
 * The request body as text; a body over the limit rejects with 413 RequestEntityTooLarge. The rest of it is read
 * and dropped, not the connection reset, so that the client gets the 413 (a reset reads as a network failure, which
 * SDKs retry).
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new EmulatorError(413, "RequestEntityTooLarge", `The request body is larger than ${limit} bytes.`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A small seeded PRNG (mulberry32), so jittered latency is reproducible. */
export function seededRandom(seed = 0x1bd0c7): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latency per request, fixed or uniformly jittered (seeded), in whole ms. */
export function latencySource(spec: number | { min: number; max: number } | undefined): () => number {
  const random = seededRandom();
  return () => {
    if (spec === undefined) return 0;
    if (typeof spec === "number") return Math.max(0, spec);
    const lo = Math.max(0, Math.min(spec.min, spec.max));
    const hi = Math.max(lo, spec.max);
    return Math.round(lo + random() * (hi - lo));
  };
}

/** Fault rules, each applying to its first `times` matching requests (all of them when absent). */
export class Faults<R extends { times?: number | undefined }> {
  private list: Array<{ rule: R; remaining: number }> = [];
  constructor(rules: R[] = []) {
    this.set(rules);
  }
  set(rules: R[]): void {
    this.list = rules.map((rule) => ({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY }));
  }
  /** Every rule that still applies and matches this request, in order; each one yielded is used up once. */
  *matching(matches: (rule: R) => boolean): Generator<R> {
    for (const f of this.list) {
      if (f.remaining <= 0 || !matches(f.rule)) continue;
      f.remaining--;
      yield f.rule;
    }
  }
}

/** What a test or the `emulator` command controls on either emulator. */
export interface EmulatorHandle<F> {
  /** `http(s)://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Requests per route or action name, faulted ones included. */
  counts(): Record<string, number>;
  total(): number;
  resetCounts(): void;
  setFaults(faults: F[]): void;
  close(): Promise<void>;
}

/** The handle's request counters, fault setter and close, over one server. */
export function emulatorHandle<F extends { times?: number | undefined }>(
  server: Server & { closeAllConnections(): void },
  url: string,
  port: number,
  counts: RequestCounts,
  faults: Faults<F>,
): EmulatorHandle<F> {
  return {
    url,
    port,
    counts: () => counts.snapshot(),
    total: () => counts.total(),
    resetCounts: () => counts.reset(),
    setFaults: (list) => faults.set(list),
    close: () => closeServer(server),
  };
}

/** Requests per route or action name. */
export class RequestCounts {
  private counts: Record<string, number> = {};
  add(name: string): void {
    this.counts[name] = (this.counts[name] ?? 0) + 1;
  }
  snapshot(): Record<string, number> {
    return { ...this.counts };
  }
  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
  reset(): void {
    this.counts = {};
  }
}

/**
 * Listens on 127.0.0.1 (port 0: any free one); resolves to the port. A port
 * that is taken or not allowed is the user's to change (`--port`), so it
 * rejects with an InputError (exit 2, no "internal error").
 */
export async function listenLocal(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE")
        reject(new InputError(`port ${port} on 127.0.0.1 is already in use`, "pick another with --port, or --port 0 for any free one"));
      else if (e.code === "EACCES")
        reject(
          new InputError(
            `port ${port} on 127.0.0.1 is not allowed for this user`,
            "pick a port above 1023 with --port, or --port 0 for any free one",
          ),
        );
      else reject(e);
    };
    server.once("error", failed);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", failed);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Stops listening and drops every open connection. */
export function closeServer(server: Server & { closeAllConnections(): void }): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
