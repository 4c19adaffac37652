/**
 * The command line's commands, options and help, in one place. Each action
 * imports its command's module (src/commands/<name>.ts) lazily, so that
 * `--version`, `--help` and the offline paths load nothing they do not use
 * (SDKs, Ink, the emulators).
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { FORMAT_NAMES } from "../core/report/formats.ts";
import { toolVersion } from "../core/version.ts";

const SEVERITY_CHOICES = ["critical", "high", "medium", "low", "info"];
const FORMAT_CHOICES: readonly string[] = FORMAT_NAMES;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function collectChoice(choices: readonly string[]) {
  return (value: string, previous: string[] = []): string[] => {
    if (!choices.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(", ")}.`);
    return [...previous, value];
  };
}

const GUEST_HELP =
  "opt-in: run a read-only script inside each running pool-member VM or target instance (ss -ltn / ss -tn on Linux, netstat -an on Windows) " +
  "to see listening ports and connections. Azure: through Run Command, needs Microsoft.Compute/virtualMachines/runCommand/action. " +
  "AWS: through SSM Run Command (AWS-RunShellScript / AWS-RunPowerShellScript), needs ssm:SendCommand and ssm:GetCommandInvocation " +
  "and instances managed by SSM. Without it nothing runs inside machines";

/** The options of live Azure collection (check, snapshot). */
function addLiveOptions(cmd: Command): void {
  cmd
    .option(
      "--subscription <id>",
      "Azure subscription (default: AZURE_SUBSCRIPTION_ID); repeatable or comma-separated: without a resource group, the subscriptions are read through Azure Resource Graph",
      (value: string, previous?: string) => (previous ? `${previous},${value}` : value),
    )
    .option("--all-subscriptions", "read every subscription the credential can see, through Azure Resource Graph (no resource group)")
    .option("--deep", "with Resource Graph: also rule health, effective NSGs and scale-set instances, through ARM within --arm-budget")
    .option("--arm-budget <burst/perSecond>", "ARM reads per subscription for --deep (Azure's limit: 250 burst, 25 a second)", "250/25")
    .option("--arg-budget <queries/seconds>", "Resource Graph queries per window (Azure's limit: about 15 per 5 seconds)", "15/5")
    .option("--tenant <id>", "Entra ID tenant for DefaultAzureCredential")
    .option("--endpoint <url>", "ARM endpoint other than management.azure.com, e.g. the emulator (LBDOCTOR_ARM_ENDPOINT)")
    .option("--ca-file <pem>", "certificate to trust for --endpoint (LBDOCTOR_ARM_CA_FILE)")
    .option("--concurrency <n>", "calls in flight during collection (1-64)", "12")
    .option("--no-effective-nsg", "skip the effective-NSG observations (slow LROs); NSG resources are still evaluated")
    .option("--guest", GUEST_HELP)
    .option("-q, --quiet", "no progress on stderr");
}

/** The options of live AWS collection (check, snapshot); `--concurrency` and `--quiet` come from addLiveOptions. */
function addAwsOptions(cmd: Command): void {
  cmd
    .addOption(new Option("--provider <cloud>", "which cloud to collect from live").choices(["azure", "aws"]).default("azure"))
    .option("--region <region>", "AWS region (default: AWS_REGION, or the profile's region)")
    .option("--profile <name>", "AWS named profile for the default credential chain (default: AWS_PROFILE)")
    .option("--aws-endpoint <url>", "one endpoint for ELBv2, EC2 and Auto Scaling, e.g. the AWS emulator (LBDOCTOR_AWS_ENDPOINT)")
    .option(
      "--all-regions",
      "AWS: every region enabled for the account (EC2 DescribeRegions), one snapshot; --region is where STS and DescribeRegions are asked",
    )
    .option("--role-arn <arn>", "AWS: assume this IAM role (STS AssumeRole) and collect in its account")
    .option("--accounts <ids>", "AWS: these accounts (comma-separated 12-digit ids), each through the role --role-name")
    .option("--role-name <name>", "AWS: the role assumed in each of --accounts", "OrganizationAccountAccessRole");
}

/** The time-data window (check, snapshot, timeline). `--from` already names a calling VM in check, hence --window-from/--window-until. */
function addWindowOptions(cmd: Command, defaultNote = "none: no time data"): void {
  cmd
    .option(
      "--since <duration>",
      `read metrics, resource changes and audit events over this window back from now, e.g. 30m, 6h, 2d (default: ${defaultNote}; at most 14d)`,
    )
    .option("--window-from <time>", "the window's start, RFC 3339 (e.g. 2026-03-14T02:30:00Z), instead of --since")
    .option("--window-until <time>", "the window's end, RFC 3339 (default: now)");
}

type SetExit = (code: number) => void;

function registerCheck(program: Command, io: IO, setExit: SetExit): void {
  const check = program
    .command("check")
    .description(
      "Diagnose the load balancers of a resource group, live (az login / DefaultAzureCredential), or of a snapshot file (--snapshot).",
    )
    .argument(
      "[targets...]",
      "resource group or load balancer name (with --provider aws: one or more load balancer names or ARNs, none for every one in --region); with --snapshot they narrow the scope",
    )
    .option("-s, --snapshot <file>", "read this lbdoctor.snapshot/v1 file instead of collecting live")
    .addOption(
      new Option("-f, --format <format>", `report format: ${FORMAT_CHOICES.join(", ")} (repeatable, pairs with --output)`).argParser(
        collectChoice(FORMAT_CHOICES),
      ),
    )
    .option("-o, --output <file>", "write the report to a file instead of stdout (repeatable)", collect)
    .addOption(
      new Option(
        "--fail-on <severity>",
        "exit 1 when a failure at or above this severity is found (default: failOn in the config, else high)",
      ).choices(SEVERITY_CHOICES),
    )
    .option("-c, --config <file>", "configuration file (default: .lbdoctor.yaml in the working directory, if any)")
    .option("--no-config", "ignore .lbdoctor.yaml in the working directory")
    .option("-b, --baseline <report.json>", "a previous JSON report: only failures new since it decide the exit code")
    .option("-r, --rule <id>", "run only this rule (repeatable)", collect)
    .option("--from <vm>", "a VM that calls the load balancer's frontend (for azure/ilb-self-access; repeatable)", collect)
    .option("--verbose", "list passing and not-applicable checks too")
    .addOption(includePassedOption())
    .option("--no-color", "no colours (NO_COLOR is honoured too)");
  addLiveOptions(check);
  addAwsOptions(check);
  addWindowOptions(check);
  check.action(async (targets: string[], opts) => {
    const { runCheck } = await import("../commands/check.ts");
    setExit(await runCheck(targets, opts, io));
  });
}

function registerSnapshot(program: Command, io: IO, setExit: SetExit): void {
  const snapshot = program
    .command("snapshot")
    .description("Collect a resource group live and write the snapshot, for offline checks or a ticket. Secrets are always stripped.")
    .argument(
      "[targets...]",
      "the resource group to collect (with --provider aws: one or more load balancer names or ARNs; none for every one in --region)",
    )
    .requiredOption("-o, --output <file>", "where to write the snapshot")
    .option("--redact", "also mask subscription or account ids, public IPs and tag values, consistently, for sharing");
  addLiveOptions(snapshot);
  addAwsOptions(snapshot);
  addWindowOptions(snapshot);
  snapshot.action(async (targets: string[], opts) => {
    const { runSnapshot } = await import("../commands/snapshot.ts");
    if (targets.length > 1 && (opts.provider ?? "azure") !== "aws") {
      throw new InputError(`snapshot collects one resource group, not ${targets.length} (${targets.join(", ")})`);
    }
    setExit(await runSnapshot(targets.length > 0 ? targets.join(",") : undefined, opts, io));
  });
}

/** The report's pass contract (check, timeline): passes summarized per rule unless --include-passed. */
function includePassedOption(): Option {
  return new Option(
    "--include-passed",
    "carry every passing finding in full, with its evidence (default: passes as a per-rule count and resource ids)",
  );
}

function registerTimeline(program: Command, io: IO, setExit: SetExit): void {
  const timeline = program
    .command("timeline")
    .description(
      "What changed, when health dropped, and which change did it: one time-ordered account of the window (health transitions per member, 5xx and SNAT spikes, changes with who and before → after, the likely cause marked), live or from a snapshot with time data.",
    )
    .argument(
      "[target]",
      "resource group or load balancer name (with --provider aws: load balancer names or ARNs); with --snapshot it narrows the scope",
    )
    .option("-s, --snapshot <file>", "read this snapshot (it must hold time data: observations.window) instead of collecting live")
    .addOption(
      new Option("-f, --format <format>", "text, json (the report with its timeline) or markdown")
        .choices(["text", "json", "markdown"])
        .default("text"),
    )
    .option("-o, --output <file>", "write to a file instead of stdout")
    .addOption(includePassedOption());
  addLiveOptions(timeline);
  addAwsOptions(timeline);
  addWindowOptions(timeline, "6h");
  timeline.action(async (target: string | undefined, opts) => {
    const { runTimeline } = await import("../commands/timeline.ts");
    setExit(await runTimeline(target, opts, io));
  });
}

function registerDemo(program: Command, io: IO, setExit: SetExit): void {
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
      const { runDemo } = await import("../commands/emulator.ts");
      setExit(await runDemo(opts, io));
    });
}

function registerEmulator(program: Command, io: IO, setExit: SetExit): void {
  program
    .command("emulator")
    .description(
      "Serve snapshots on 127.0.0.1 (for demos and tests), until Ctrl-C: Azure ones as the ARM REST API over HTTPS, AWS ones as the ELBv2, EC2 and Auto Scaling Query APIs over HTTP.",
    )
    .requiredOption("-s, --snapshot <file>", "a snapshot to serve (repeatable; all of one cloud)", collect)
    .option("--port <n>", "port (default: any free port)")
    .option("--page-size <n>", "items per list page (nextLink paging on ARM, Marker/NextToken on AWS)")
    .option("--latency <ms>", "added latency per request")
    .option("--lro-ms <ms>", "how long long-running operations take (Azure)")
    .option(
      "--lro-retry-after <seconds>",
      "the Retry-After (seconds, 0 included) every long-running operation's 202 sends (Azure; default: none, so clients poll at their own interval)",
    )
    .option("--access-key-id <id>", "accept only requests signed with this access key id (AWS; default: any)")
    .option(
      "--throttle",
      "AWS: enforce the documented Describe* token buckets per account and region (ELBv2 40 + 10/s, EC2 100 + 20/s per action)",
    )
    .action(async (opts) => {
      const { runEmulator } = await import("../commands/emulator.ts");
      setExit(await runEmulator(opts, io));
    });
}

function registerAwsEmulator(program: Command, io: IO, setExit: SetExit): void {
  program
    .command("aws-emulator")
    .description(
      "Serve AWS snapshots as the ELBv2, EC2 and Auto Scaling Query APIs over HTTP on 127.0.0.1 (for demos and tests), until Ctrl-C: the same as `emulator`, for AWS snapshots only.",
    )
    .requiredOption("-s, --snapshot <file>", "an AWS snapshot to serve (repeatable)", collect)
    .option("--port <n>", "port (default: any free port)")
    .option("--page-size <n>", "items per page (Marker/NextToken paging)")
    .option("--latency <ms>", "added latency per request")
    .option("--access-key-id <id>", "accept only requests signed with this access key id (default: any)")
    .option(
      "--throttle",
      "enforce the documented Describe* token buckets per account and region (ELBv2 40 + 10/s, EC2 100 + 20/s per action)",
    )
    .action(async (opts) => {
      const { runEmulator } = await import("../commands/emulator.ts");
      setExit(await runEmulator(opts, io, "aws"));
    });
}

function registerTrace(program: Command, io: IO, setExit: SetExit): void {
  program
    .command("trace")
    .description(
      "Evaluate one flow hop by hop, offline: Azure NSGs layer by layer (IP flow verify); AWS security groups and network ACLs from the client or the load balancer to a target, with the reply path.",
    )
    .requiredOption("-s, --snapshot <file>", "the snapshot to read")
    .requiredOption(
      "--from <source>",
      "source: an IP address or 'Internet'; Azure: a service tag (VirtualNetwork, AzureLoadBalancer) or a VM/NIC name; AWS: a CIDR, 'Internet-IPv4' or 'Internet-IPv6', 'lb' or a load balancer's name, or an EC2 instance",
    )
    .requiredOption(
      "--to <target>",
      "destination: <vm|nic|ip>:<port> (Azure), <instance|ip>:<port> (AWS: the target port or health-check port; from a client, also a listener's port)",
    )
    .addOption(new Option("-p, --protocol <protocol>", "protocol").choices(["tcp", "udp", "icmp"]).default("tcp"))
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--no-effective", "ignore effective-NSG observations; evaluate the NSG resources (Azure)")
    .option("--lb <name>", "the load balancer whose path to trace, when the target sits behind several (AWS)")
    .option("--no-color", "no colours")
    .action(async (opts) => {
      const { runTrace } = await import("../commands/trace.ts");
      setExit(await runTrace(opts, io));
    });
}

const DIFF_FORMATS = ["text", "json", "markdown"];

function registerDiff(program: Command, io: IO, setExit: SetExit): void {
  program
    .command("diff")
    .description(
      "Compare two snapshots: resources added, removed and changed down to the property, the changes that touch a failing finding first. Exit 1 when they differ.",
    )
    .argument("<before>", "the earlier snapshot file")
    .argument("<after>", "the later snapshot file (its findings rank the changes)")
    .addOption(
      new Option("-f, --format <format>", `output format: ${DIFF_FORMATS.join(", ")} (repeatable, pairs with --output)`).argParser(
        collectChoice(DIFF_FORMATS),
      ),
    )
    .option("-o, --output <file>", "write to a file instead of stdout, atomically (repeatable)", collect)
    .option("--no-color", "no colours (NO_COLOR is honoured too)")
    .action(async (before: string, after: string, opts) => {
      const { runDiff } = await import("../commands/diff.ts");
      setExit(await runDiff(before, after, opts, io));
    });
}

function registerTui(program: Command, io: IO, setExit: SetExit): void {
  const tui = program
    .command("tui")
    .description(
      "Explore a diagnosis interactively in the terminal: collection progress, load balancers, members and why each is up or down, " +
        "findings with copyable fixes, flow traces; --watch follows probe health live.",
    )
    .argument(
      "[target]",
      "live: the resource group to collect (AWS: load balancer names, or none for the region); with --snapshot, a group or load balancer that narrows the view",
    )
    .option("-s, --snapshot <file>", "read this lbdoctor.snapshot/v1 file instead of collecting live")
    .option(
      "--watch <interval>",
      "live: re-poll backend health every interval (5s, 1500ms, 1m): Azure rule health, AWS DescribeTargetHealth (one region); show each member's transitions",
    )
    .option("--no-color", "no colours (NO_COLOR is honoured too)")
    .option(
      "--no-mouse",
      "leave the mouse to the terminal (its own text selection); by default the wheel scrolls and a click selects, and Shift+drag selects text in most terminals",
    );
  addLiveOptions(tui);
  addAwsOptions(tui);
  addWindowOptions(tui);
  tui.action(async (target: string | undefined, opts) => {
    const { runTuiCommand } = await import("../commands/tui.ts");
    setExit(await runTuiCommand(target, opts, io));
  });
}

function registerRules(program: Command, io: IO, setExit: SetExit): void {
  program
    .command("rules")
    .description("List the rule catalog, or show one rule's documentation.")
    .argument("[id]", "a rule id, e.g. azure/probe-blocked-by-nsg")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (id: string | undefined, opts) => {
      const { runRulesCommand } = await import("../commands/rules.ts");
      setExit(await runRulesCommand(id, opts, io));
    });
}

/** Each command's registration, in help order. */
const COMMANDS: Record<string, (program: Command, io: IO, setExit: SetExit) => void> = {
  check: registerCheck,
  snapshot: registerSnapshot,
  timeline: registerTimeline,
  demo: registerDemo,
  emulator: registerEmulator,
  "aws-emulator": registerAwsEmulator,
  trace: registerTrace,
  diff: registerDiff,
  tui: registerTui,
  rules: registerRules,
};

/**
 * The program, its commands in help order. With `argv` whose first word names a command, that command alone: what
 * commander does with the rest of the line reads only that command's options and arguments (its help, its errors), and
 * a run sets up a tenth of the options (`check` spends ~3 ms of start-up on registering all ten).
 */
export function buildProgram(io: IO, setExit: SetExit, argv: readonly string[] = []): Command {
  const program = new Command();
  program
    .name("lbdoctor")
    .description("Diagnose cloud load balancers: why the backend gets no traffic, with evidence and the exact fix.")
    .version(toolVersion(), "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  const only = argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) ? COMMANDS[argv[0]] : undefined;
  for (const register of only ? [only] : Object.values(COMMANDS)) register(program, io, setExit);
  return program;
}
