import { Option } from "commander";
import { addAwsOptions, addLiveOptions, collect, collectChoice, FORMAT_CHOICES, type Register, SEVERITY_CHOICES } from "../shared.ts";

export const register: Register = (program, io, setExit) => {
  const check = program
    .command("check")
    .description(
      "Diagnose the load balancers of a resource group, live (az login / DefaultAzureCredential), or of a snapshot file (--snapshot).",
    )
    .argument(
      "[target]",
      "resource group or load balancer name (with --provider aws: a load balancer name or ARN, none for every one in --region); with --snapshot it narrows the scope",
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
    .option("--no-color", "no colours (NO_COLOR is honoured too)");
  addLiveOptions(check);
  addAwsOptions(check);
  check.action(async (target: string | undefined, opts) => {
    const { runCheck } = await import("../../commands/check.ts");
    setExit(await runCheck(target, opts, io));
  });
};
