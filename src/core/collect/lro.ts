/**
 * Drives a long-running operation by the server's clock: after the initial
 * request, each poll waits what the last response's Retry-After said (0:
 * poll at once), or the fallback interval when the server gave no hint.
 * (SDK pollers poll at once after the 202 and ignore a Retry-After of 0.)
 */

/** The part of an SDK poller this needs (`@azure/core-lro`'s PollerLike has it). */
export interface DrivablePoller {
  submitted?(): Promise<void>;
  poll?(): Promise<unknown>;
  readonly isDone?: boolean;
  pollUntilDone(): Promise<unknown>;
}

export interface DriveOptions {
  /** the wait when the server sent no Retry-After, in ms */
  fallbackMs: number;
  /** the server's last Retry-After for this operation, in ms (undefined: none) */
  retryAfterMs: () => number | undefined;
  /** stops waiting (the next poll rejects) */
  signal?: AbortSignal | undefined;
  /**
   * How long the operation may run, from its first request, before it is given up (default 300 s): an operation
   * the server keeps answering 202 for rejects with an `LroTimeoutError` (a gap), never a collection that never ends.
   */
  timeoutMs?: number | undefined;
}

/** Default bound on one long-running operation, from its first request to its result. */
export const LRO_TIMEOUT_MS = 300_000;

/** A long-running operation that was still running when its time was up. */
export class LroTimeoutError extends Error {
  readonly code = "LroTimeout";
  constructor(ms: number) {
    super(`the long-running operation did not finish within ${formatMs(ms)}; it was given up`);
    this.name = "LroTimeoutError";
  }
}

const formatMs = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`);

export async function driveLro(poller: DrivablePoller, o: DriveOptions): Promise<unknown> {
  if (poller.submitted && poller.poll) {
    const timeoutMs = o.timeoutMs ?? LRO_TIMEOUT_MS;
    const deadline = performance.now() + timeoutMs;
    await poller.submitted();
    // a Retry-After of 0 is honoured once; a server that keeps saying 0 while the operation runs gets polled at
    // the fallback interval, not in a busy loop
    let zeroWaits = 0;
    while (poller.isDone !== true) {
      let ms = o.retryAfterMs() ?? o.fallbackMs;
      if (ms <= 0 && zeroWaits++ > 0) ms = o.fallbackMs;
      const left = deadline - performance.now();
      if (ms > left) throw new LroTimeoutError(timeoutMs);
      await wait(ms, o.signal);
      await poller.poll();
    }
  }
  return poller.pollUntilDone();
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
