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


export function buildProgram(io: { out: (s: string) => void; err: (s: string) => void }, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("lbdoctor")
    .description("Diagnose cloud load balancers: why the backend gets no traffic, with evidence and the exact fix.")
    .version(toolVersion(), "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command("check")
    .description("Diagnose the load balancers of a resource group (live), or of a snapshot file (--snapshot).")
    .argument("[target]", "resource group or load balancer name; with --snapshot it narrows the scope")
    .option("-s, --snapshot <file>", "read this lbdoctor.snapshot/v1 file instead of collecting live")
    .addOption(new Option("-f, --format <format>", `report format: ${FORMAT_CHOICES.join(", ")} (repeatable, pairs with --output)`).argParser(collectChoice(FORMAT_CHOICES)))
    .option("-o, --output <file>", "write the report to a file instead of stdout (repeatable)", collect)
    .addOption(new Option("--fail-on <severity>", "exit 1 when a failure at or above this severity is found").choices(SEVERITY_CHOICES).default("high"))
    .option("-r, --rule <id>", "run only this rule (repeatable)", collect)
    .option("--from <vm>", "a VM that calls the load balancer's frontend (for azure/ilb-self-access; repeatable)", collect)
    .option("--verbose", "list passing and not-applicable checks too")
    .option("--no-color", "no colours (NO_COLOR is honoured too)")
    .action(async (target: string | undefined, opts) => {
      const { runCheck } = await import("./commands/check.ts");
      setExit(await runCheck(target, opts, io));
    });

  program
    .command("trace")
    .description("Evaluate one flow through the NSGs, layer by layer: IP flow verify, offline, for any flow.")
    .requiredOption("-s, --snapshot <file>", "the snapshot to read")
    .requiredOption("--from <source>", "source: an IP address, a service tag (Internet, VirtualNetwork, AzureLoadBalancer), or a VM/NIC name")
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
export async function main(argv: string[], io = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) }): Promise<number> {
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
