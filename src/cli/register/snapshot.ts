import { addAwsOptions, addLiveOptions, type Register } from "../shared.ts";

export const register: Register = (program, io, setExit) => {
  const snapshot = program
    .command("snapshot")
    .description("Collect a resource group live and write the snapshot, for offline checks or a ticket. Secrets are always stripped.")
    .argument(
      "[target]",
      "the resource group to collect (with --provider aws: load balancer names or ARNs, comma-separated; none for every one in --region)",
    )
    .requiredOption("-o, --output <file>", "where to write the snapshot")
    .option("--redact", "also mask subscription ids, public IPs and tag values, consistently, for sharing (Azure only)");
  addLiveOptions(snapshot);
  addAwsOptions(snapshot);
  snapshot.action(async (rg: string | undefined, opts) => {
    const { runSnapshot } = await import("../../commands/snapshot.ts");
    setExit(await runSnapshot(rg, opts, io));
  });
};
