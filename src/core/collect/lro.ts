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
}

export async function driveLro(poller: DrivablePoller, o: DriveOptions): Promise<unknown> {
  if (poller.submitted && poller.poll) {
    await poller.submitted();
    while (poller.isDone !== true) {
      await wait(o.retryAfterMs() ?? o.fallbackMs, o.signal);
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
