import { collect, type Register } from "../shared.ts";

export const register: Register = (program, io, setExit) => {
  program
    .command("emulator")
    .description(
      "Serve snapshots on 127.0.0.1 (for demos and tests), until Ctrl-C: Azure ones as the ARM REST API over HTTPS, AWS ones as the ELBv2, EC2 and Auto Scaling Query APIs over HTTP.",
    )
    .requiredOption("-s, --snapshot <file>", "a snapshot to serve (repeatable; all of one cloud)", collect)
    .option("--port <n>", "port (default: any free port)")
    .option("--page-size <n>", "items per list page (nextLink paging)")
    .option("--latency <ms>", "added latency per request")
    .option("--lro-ms <ms>", "how long long-running operations take (Azure)")
    .option("--access-key-id <id>", "accept only requests signed with this access key id (AWS; default: any)")
    .action(async (opts) => {
      const { runEmulator } = await import("../../commands/emulator.ts");
      setExit(await runEmulator(opts, io));
    });
};
