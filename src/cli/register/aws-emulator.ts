import { collect, type Register } from "../shared.ts";

export const register: Register = (program, io, setExit) => {
  program
    .command("aws-emulator")
    .description(
      "Serve AWS snapshots as the ELBv2, EC2 and Auto Scaling Query APIs over HTTP on 127.0.0.1 (for demos and tests), until Ctrl-C; `emulator` for AWS snapshots only.",
    )
    .requiredOption("-s, --snapshot <file>", "an AWS snapshot to serve (repeatable)", collect)
    .option("--port <n>", "port (default: any free port)")
    .option("--page-size <n>", "items per page (Marker/NextToken paging)")
    .option("--latency <ms>", "added latency per request")
    .option("--access-key-id <id>", "accept only requests signed with this access key id (default: any)")
    .action(async (opts) => {
      const { runEmulator } = await import("../../commands/emulator.ts");
      setExit(await runEmulator(opts, io, "aws"));
    });
};
