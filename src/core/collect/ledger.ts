/**
 * The bookkeeping every collector shares: each call runs under `run`, which
 * reports it (`call` event) or turns its failure into a gap (`gap` event).
 * A failure the user must fix (bad credentials, a missing scope) is kept as
 * the run's fatal error instead and thrown at the next `throwIfFatal()`;
 * anything else costs only the data of that one call.
 */
import type { InputError } from "../errors.ts";
import type { Gap } from "../snapshot/types.ts";
import type { CollectEvent } from "./events.ts";

/** What a gap says about a failure. */
export interface FailureInfo {
  message: string;
  status?: number | undefined;
  code?: string | undefined;
}

export interface LedgerOptions {
  emit: (e: CollectEvent) => void;
  /** HTTP requests so far (retries, pages and polls included), for the `call` events. */
  calls: () => number;
  /** The gap's message, status and code for a thrown error. */
  describe: (e: unknown) => FailureInfo;
  /** An InputError when the failure stops the run (reported once, after the calls in flight end), else undefined. */
  fatal?: (operation: string, e: unknown) => InputError | undefined;
}

export class CallLedger {
  readonly gaps: Gap[] = [];
  private fatal: InputError | undefined;
  private readonly o: LedgerOptions;
  /** operations running now, and started so far: a phase whose calls are all in flight is not "0 calls" */
  private inFlight = 0;
  private started = 0;
  constructor(o: LedgerOptions) {
    this.o = o;
  }

  /** Records a gap for a failed operation. */
  addGap(operation: string, e: unknown, resourceId?: string): void {
    const info = this.o.describe(e);
    this.push({ operation, message: info.message, resourceId, status: info.status, code: info.code });
  }

  /** Records a gap that is no failure of a call (data the source cannot give). */
  note(gap: Gap): void {
    this.gaps.push(gap);
    this.o.emit({ type: "gap", gap });
  }

  /** Runs one call (or one listing of all its pages); on failure records a gap (or the fatal error) and yields undefined. */
  async run<T>(operation: string, resourceId: string | undefined, call: () => Promise<T>): Promise<T | undefined> {
    this.inFlight++;
    this.started++;
    this.o.emit({ type: "in-flight", operation, inFlight: this.inFlight, started: this.started });
    try {
      const out = await call();
      // the call is counted before it leaves the in-flight count: no frame in between reads "0 calls", nothing in flight
      this.o.emit({ type: "call", operation, calls: this.o.calls() });
      this.ended(operation);
      return out;
    } catch (e) {
      this.ended(operation);
      const fatal = this.o.fatal?.(operation, e);
      if (fatal) this.fatal ??= fatal;
      else this.addGap(operation, e, resourceId);
      return undefined;
    }
  }

  /** Runs one call whose failure is the caller's to handle (it throws): counted in flight as `run`'s calls are, no gap. */
  async track<T>(operation: string, call: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.started++;
    this.o.emit({ type: "in-flight", operation, inFlight: this.inFlight, started: this.started });
    try {
      return await call();
    } finally {
      this.ended(operation);
    }
  }

  private ended(operation: string): void {
    this.inFlight--;
    this.o.emit({ type: "in-flight", operation, inFlight: this.inFlight, started: this.started });
  }

  throwIfFatal(): void {
    if (this.fatal) throw this.fatal;
  }

  private push(g: {
    operation: string;
    message: string;
    resourceId?: string | undefined;
    status?: number | undefined;
    code?: string | undefined;
  }) {
    const gap: Gap = { operation: g.operation, message: g.message };
    if (g.resourceId) gap.resourceId = g.resourceId;
    if (g.status) gap.status = g.status;
    if (g.code) gap.code = g.code;
    this.note(gap);
  }
}
