/**
 * Records what the server actually sent. SDK deserializers reshape bodies
 * (flattened `properties`, dropped unknown fields), so a snapshot is built
 * from the wire instead: the transport hook of an SDK (a pipeline policy, a
 * middleware) hands every response to `capture`, and `within` collects the
 * responses one operation caused, tracked with AsyncLocalStorage, so
 * concurrent operations never mix. Each scope also keeps the last
 * `Retry-After` the server gave, which long-running operations poll by.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface Recorded {
  status: number;
  body: unknown;
}

export interface RecordScope {
  responses: Recorded[];
  /** the server's last Retry-After in this scope, in ms (0 included); undefined when it sent none */
  retryAfterMs?: number | undefined;
}

export class WireRecorder {
  private readonly als = new AsyncLocalStorage<RecordScope>();
  /** HTTP responses seen, in any scope */
  calls = 0;

  /** Called by the transport hook for every response (every attempt, page and poll it sees). */
  capture(status: number, text: string | undefined, header: (name: string) => string | undefined): void {
    this.calls++;
    const scope = this.als.getStore();
    if (!scope) return;
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    scope.responses.push({ status, body });
    scope.retryAfterMs = retryAfterMs(header);
  }

  /** The scope of the operation running now (undefined outside `within`). */
  current(): RecordScope | undefined {
    return this.als.getStore();
  }

  /** Runs one operation in its own scope; resolves to every response it caused, in order. */
  async within(run: (scope: RecordScope) => Promise<unknown>): Promise<Recorded[]> {
    const scope: RecordScope = { responses: [] };
    await this.als.run(scope, () => run(scope));
    return scope.responses;
  }
}

/**
 * The server's wait hint in ms: `retry-after-ms` / `x-ms-retry-after-ms`
 * (milliseconds), else `Retry-After` (seconds, or an HTTP date). 0 is a valid
 * answer (poll at once); undefined when there is no usable header.
 */
export function retryAfterMs(header: (name: string) => string | undefined): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = header(name)?.trim();
    if (v && /^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v));
  }
  const v = header("retry-after")?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The last 200 body of a recording (the final page, or the LRO's result). */
export function lastOkBody(recorded: Recorded[] | undefined): unknown {
  const ok = (recorded ?? []).filter((r) => r.status === 200 && r.body !== undefined);
  return ok[ok.length - 1]?.body;
}

/** The items of every 2xx `{ value: [...] }` page of a recording. */
export function listedValues<T>(recorded: Recorded[] | undefined): T[] {
  const out: T[] = [];
  for (const r of recorded ?? []) {
    const value = (r.body as { value?: unknown } | undefined)?.value;
    if (r.status >= 200 && r.status < 300 && Array.isArray(value)) out.push(...(value as T[]));
  }
  return out;
}
