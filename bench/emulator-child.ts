/**
 * The ARM emulator in its own process, so that a bench measures the collector
 * on one core and the server on the other (in one process they would share an
 * event loop and inflate each other's time). Driven over IPC by bench/index.ts:
 *
 *   parent → { type: "start", snapshotFiles, options }    child → { type: "ready", url, ca }
 *   parent → { type: "counts" }                           child → { type: "counts", counts, total, maxInFlight }
 *   parent → { type: "reset" }                            child → { type: "reset" }
 *   parent → { type: "stop" }                             child exits
 *
 * It exits by itself when the parent goes away or after 15 minutes.
 */
import { readFileSync } from "node:fs";
import { type ArmEmulator, type ArmEmulatorOptions, startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";

type Msg =
  | { type: "start"; snapshotFiles: string[]; options: Omit<ArmEmulatorOptions, "snapshots"> }
  | { type: "counts" }
  | { type: "reset" }
  | { type: "stop" };

let emu: ArmEmulator | undefined;
const send = (m: unknown) => process.send?.(m);
const bail = setTimeout(() => process.exit(3), 15 * 60_000);
bail.unref();
process.on("disconnect", () => process.exit(0));
process.on("message", async (m: Msg) => {
  if (m.type === "start") {
    const snapshots = m.snapshotFiles.flatMap((f) => {
      const doc = JSON.parse(readFileSync(f, "utf8")) as AzureSnapshot | AzureSnapshot[];
      return Array.isArray(doc) ? doc : [doc];
    });
    emu = await startArmEmulator({ snapshots, ...m.options });
    send({ type: "ready", url: emu.url, ca: emu.ca });
  } else if (m.type === "counts") {
    send({ type: "counts", counts: emu?.counts() ?? {}, total: emu?.total() ?? 0, maxInFlight: emu?.maxInFlight() ?? 0 });
  } else if (m.type === "reset") {
    emu?.resetCounts();
    send({ type: "reset" });
  } else if (m.type === "stop") {
    await emu?.close();
    process.exit(0);
  }
});
