import { collect, type Register } from "../shared.ts";

export const register: Register = (program, io, setExit) => {
  program
    .command("emulator")
    .description("Serve snapshots as the ARM REST API over HTTPS on 127.0.0.1 (for demos and tests), until Ctrl-C.")
    .requiredOption("-s, --snapshot <file>", "an Azure snapshot to serve (repeatable)", collect)
    .option("--port <n>", "port (default: any free port)")
    .option("--page-size <n>", "items per list page (nextLink paging)")
    .option("--latency <ms>", "added latency per request")
    .option("--lro-ms <ms>", "how long long-running operations take")
    .action(async (opts) => {
      const { runEmulator } = await import("../../commands/emulator.ts");
      setExit(await runEmulator(opts, io));
    });
};
