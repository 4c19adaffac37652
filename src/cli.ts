/**
 * The command line. Commands load their modules lazily, so `--version` and
 * the offline path never load what they do not use (SDKs, Ink).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { InputError } from "./errors.ts";
import { toolVersion } from "./version.ts";

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

const SEVERITY_CHOICES = ["critical", "high", "medium", "low", "info"];
const FORMAT_CHOICES = ["text", "json"];

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function collectChoice(choices: string[]) {
  return (value: string, previous: string[] = []): string[] => {
    if (!choices.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(", ")}.`);
    return [...previous, value];
  };
}

const GUEST_HELP =
  "opt-in: run a read-only script inside each running pool-member VM through Run Command (ss -ltn / ss -tn on Linux, netstat -an on Windows) " +
  "to see listening ports and connections; needs Microsoft.Compute/virtualMachines/runCommand/action. Without it nothing runs inside VMs";

function addLiveOptions(cmd: Command): void {
  cmd
    .option("--subscription <id>", "Azure subscription (default: AZURE_SUBSCRIPTION_ID)")
    .option("--tenant <id>", "Entra ID tenant for DefaultAzureCredential")
    .option("--endpoint <url>", "ARM endpoint other than management.azure.com, e.g. the emulator (LBDOCTOR_ARM_ENDPOINT)")
    .option("--ca-file <pem>", "certificate to trust for --endpoint (LBDOCTOR_ARM_CA_FILE)")
    .option("--concurrency <n>", "calls in flight during collection (1-64)", "12")
    .option("--no-effective-nsg", "skip the effective-NSG observations (slow LROs); NSG resources are still evaluated")
    .option("--guest", GUEST_HELP)
    .option("-q, --quiet", "no progress on stderr");
}

export function buildProgram(io: { out: (s: string) => void; err: (s: string) => void }, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("lbdoctor")
    .description("Diagnose cloud load balancers: why the backend gets no traffic, with evidence and the exact fix.")
    .version(toolVersion(), "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  const check = program
    .command("check")
    .description(
      "Diagnose the load balancers of a resource group, live (az login / DefaultAzureCredential), or of a snapshot file (--snapshot).",
    )
    .argument("[target]", "resource group or load balancer name; with --snapshot it narrows the scope")
    .option("-s, --snapshot <file>", "read this lbdoctor.snapshot/v1 file instead of collecting live")
    .addOption(
      new Option("-f, --format <format>", `report format: ${FORMAT_CHOICES.join(", ")} (repeatable, pairs with --output)`).argParser(
        collectChoice(FORMAT_CHOICES),
      ),
    )
    .option("-o, --output <file>", "write the report to a file instead of stdout (repeatable)", collect)
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a failure at or above this severity is found")
        .choices(SEVERITY_CHOICES)
        .default("high"),
    )
    .option("-r, --rule <id>", "run only this rule (repeatable)", collect)
    .option("--from <vm>", "a VM that calls the load balancer's frontend (for azure/ilb-self-access; repeatable)", collect)
    .option("--verbose", "list passing and not-applicable checks too")
    .option("--no-color", "no colours (NO_COLOR is honoured too)");
  addLiveOptions(check);
  check.action(async (target: string | undefined, opts) => {
    const { runCheck } = await import("./commands/check.ts");
    setExit(await runCheck(target, opts, io));
  });

  const snapshot = program
    .command("snapshot")
    .description("Collect a resource group live and write the snapshot, for offline checks or a ticket. Secrets are always stripped.")
    .argument("<resource-group>", "the resource group to collect")
    .requiredOption("-o, --output <file>", "where to write the snapshot")
    .option("--redact", "also mask subscription ids, public IPs and tag values, consistently, for sharing");
  addLiveOptions(snapshot);
  snapshot.action(async (rg: string, opts) => {
    const { runSnapshot } = await import("./commands/snapshot.ts");
    setExit(await runSnapshot(rg, opts, io));
  });

  program
    .command("demo")
    .description(
      "Try lbdoctor without an Azure account: start the ARM emulator on a broken scenario and check it live, through the real Azure SDKs.",
    )
    .option("--scenario <name>", "a fixture under fixtures/azure", "demo")
    .addOption(new Option("-f, --format <format>", "report format").argParser(collectChoice(FORMAT_CHOICES)))
    .option("--verbose", "list passing checks too")
    .option("--no-color", "no colours")
    .action(async (opts) => {
      const { runDemo } = await import("./commands/emulator.ts");
      setExit(await runDemo(opts, io));
    });

  program
    .command("emulator")
    .description("Serve snapshots as the ARM REST API over HTTPS on 127.0.0.1 (for demos and tests), until Ctrl-C.")
    .requiredOption("-s, --snapshot <file>", "an Azure snapshot to serve (repeatable)", collect)
    .option("--port <n>", "port (default: any free port)")
    .option("--page-size <n>", "items per list page (nextLink paging)")
    .option("--latency <ms>", "added latency per request")
    .option("--lro-ms <ms>", "how long long-running operations take")
    .action(async (opts) => {
      const { runEmulator } = await import("./commands/emulator.ts");
      setExit(await runEmulator(opts, io));
    });

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
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMAT_CHOICES).default("text"))
    .option("--no-effective", "ignore effective-NSG observations; evaluate the NSG resources")
    .option("--no-color", "no colours")
    .action(async (opts) => {
      const { runTrace } = await import("./commands/trace.ts");
      setExit(await runTrace(opts, io));
    });

  program
    .command("rules")
    .description("List the rule catalog, or show one rule's documentation.")
    .argument("[id]", "a rule id, e.g. azure/probe-blocked-by-nsg")
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMAT_CHOICES).default("text"))
    .action(async (id: string | undefined, opts) => {
      const { runRulesCommand } = await import("./commands/rules.ts");
      setExit(await runRulesCommand(id, opts, io));
    });

  return program;
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(
  argv: string[],
  io = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) },
): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      if (e.code === "commander.executeSubCommandAsync") return EXIT.usage;
      return EXIT.usage; // commander already printed the message
    }
    if (e instanceof InputError) {
      io.err(`lbdoctor: ${e.message}\n`);
      if (e.hint) io.err(`  ${e.hint}\n`);
      return EXIT.usage;
    }
    io.err(`lbdoctor: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.LBDOCTOR_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    else io.err("  This is a bug in lbdoctor. Re-run with LBDOCTOR_DEBUG=1 for details and report it with the snapshot.\n");
    return EXIT.usage;
  }
}
