import { Option } from "commander";
import type { Register } from "../shared.ts";

export const register: Register = (program, io, setExit) => {
  program
    .command("trace")
    .description("Evaluate one flow through the NSGs, layer by layer: IP flow verify, offline, for any flow.")
    .requiredOption("-s, --snapshot <file>", "the snapshot to read")
    .requiredOption(
      "--from <source>",
      "source: an IP address, a service tag (Internet, VirtualNetwork, AzureLoadBalancer), or a VM/NIC name",
    )
    .requiredOption("--to <target>", "destination: <vm|nic|ip>:<port>")
    .addOption(new Option("-p, --protocol <protocol>", "protocol").choices(["tcp", "udp", "icmp"]).default("tcp"))
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--no-effective", "ignore effective-NSG observations; evaluate the NSG resources")
    .option("--no-color", "no colours")
    .action(async (opts) => {
      const { runTrace } = await import("../../commands/trace.ts");
      setExit(await runTrace(opts, io));
    });
};
