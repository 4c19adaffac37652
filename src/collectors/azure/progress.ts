import type { CollectEvent } from "./collect.ts";

/** Progress on stderr while collecting: the phase, the calls so far, the elapsed time, and gaps as they happen. */
export function stderrProgress(write: (s: string) => void, tty: boolean): (e: CollectEvent) => void {
  const t0 = performance.now();
  let phase = "";
  let calls = 0;
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`;
  const status = () => `  collecting: ${phase} · ${calls} calls · ${elapsed()}`;
  return (e) => {
    if (e.type === "phase") {
      if (tty && phase) write("\r\u001b[2K");
      phase = e.name;
      write(tty ? status() : `${status()}\n`);
    } else if (e.type === "call") {
      calls = e.calls;
      if (tty) write(`\r\u001b[2K${status()}`);
    } else if (e.type === "gap") {
      if (tty) write("\r\u001b[2K");
      write(
        `  gap: ${e.gap.operation}${e.gap.status ? ` ${e.gap.status}` : ""}${e.gap.code ? ` ${e.gap.code}` : ""}${e.gap.resourceId ? ` on ${e.gap.resourceId.split("/").pop()}` : ""}\n`,
      );
      if (tty) write(status());
    } else if (e.type === "done") {
      if (tty) write("\r\u001b[2K");
      write(`  collected ${e.resources} resources in ${e.calls} calls, ${(e.ms / 1000).toFixed(1)}s${e.gaps ? `, ${e.gaps} gaps` : ""}\n`);
    }
  };
}
