/** What the command registrations share: option parsers, the live-collection options, the IO handle. */
import { type Command, InvalidArgumentError, Option } from "commander";
import type { IO } from "../core/io.ts";
import { FORMAT_NAMES } from "../core/report/formats.ts";

export type { IO };

/** Each file under src/cli/commands registers one command; its action imports the command's module lazily. */
export type Register = (program: Command, io: IO, setExit: (code: number) => void) => void;

export const SEVERITY_CHOICES = ["critical", "high", "medium", "low", "info"];
export const FORMAT_CHOICES: readonly string[] = FORMAT_NAMES;

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function collectChoice(choices: readonly string[]) {
  return (value: string, previous: string[] = []): string[] => {
    if (!choices.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(", ")}.`);
    return [...previous, value];
  };
}

const GUEST_HELP =
  "opt-in: run a read-only script inside each running pool-member VM through Run Command (ss -ltn / ss -tn on Linux, netstat -an on Windows) " +
  "to see listening ports and connections; needs Microsoft.Compute/virtualMachines/runCommand/action. Without it nothing runs inside VMs";

/** The options of live Azure collection (check, snapshot). */
export function addLiveOptions(cmd: Command): void {
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
export function addAwsOptions(cmd: Command): void {
  cmd
    .addOption(new Option("--provider <cloud>", "which cloud to collect from live").choices(["azure", "aws"]).default("azure"))
    .option("--region <region>", "AWS region (default: AWS_REGION, or the profile's region)")
    .option("--profile <name>", "AWS named profile for the default credential chain (default: AWS_PROFILE)")
    .option("--aws-endpoint <url>", "one endpoint for ELBv2, EC2 and Auto Scaling, e.g. the AWS emulator (LBDOCTOR_AWS_ENDPOINT)");
}
