import { sanitize } from "../report/sanitize.ts";
import { plural } from "../util/words.ts";
import type { CollectEvent } from "./events.ts";

/**
 * Progress on stderr while collecting: the phase, the calls so far, how far
 * along a wide scope is, the elapsed time, and gaps as they happen.
 */
export function stderrProgress(write: (s: string) => void, tty: boolean): (e: CollectEvent) => void {
  const t0 = performance.now();
  let phase = "";
  let calls = 0;
  let done = "";
  let lastLine = "";
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`;
  const status = () => `  collecting: ${phase}${done ? ` · ${done}` : ""} · ${plural(calls, "call")} · ${elapsed()}`;
  return (e) => {
    if (e.type === "phase") {
      if (tty && phase) write("\r\u001b[2K");
      phase = e.name;
      write(tty ? status() : `${status()}\n`);
    } else if (e.type === "call") {
      calls = e.calls;
      if (tty) write(`\r\u001b[2K${status()}`);
    } else if (e.type === "progress") {
      done = `subscriptions ${e.subscriptionsDone}/${e.subscriptionsTotal} · load balancers ${e.lbsDone}/${e.lbsTotal}`;
      if (tty) write(`\r\u001b[2K${status()}`);
      else if (done !== lastLine && (e.subscriptionsDone === e.subscriptionsTotal || e.lbsDone === 0)) {
        lastLine = done;
        write(`  ${done}\n`);
      }
    } else if (e.type === "gap") {
      if (tty) write("\r\u001b[2K");
      const g = e.gap;
      write(
        sanitize(
          `  gap: ${g.operation}${g.status ? ` ${g.status}` : ""}${g.code ? ` ${g.code}` : ""}${g.resourceId ? ` on ${g.resourceId.split("/").pop()}` : ""}`,
        ) + "\n",
      );
      if (tty) write(status());
    } else if (e.type === "done") {
      if (tty) write("\r\u001b[2K");
      write(
        `  collected ${plural(e.resources, "resource")} in ${plural(e.calls, "call")}, ${(e.ms / 1000).toFixed(1)}s${e.gaps ? `, ${plural(e.gaps, "gap")}` : ""}\n`,
      );
    }
  };
}
