/** What the command registrations share: option parsers, the live-collection options, the IO handle. */
import { type Command, InvalidArgumentError } from "commander";
import { FORMAT_NAMES } from "../report/formats.ts";

export interface IO {
  out: (s: string) => void;
  err: (s: string) => void;
}

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
    .option("--subscription <id>", "Azure subscription (default: AZURE_SUBSCRIPTION_ID)")
    .option("--tenant <id>", "Entra ID tenant for DefaultAzureCredential")
    .option("--endpoint <url>", "ARM endpoint other than management.azure.com, e.g. the emulator (LBDOCTOR_ARM_ENDPOINT)")
    .option("--ca-file <pem>", "certificate to trust for --endpoint (LBDOCTOR_ARM_CA_FILE)")
    .option("--concurrency <n>", "calls in flight during collection (1-64)", "12")
    .option("--no-effective-nsg", "skip the effective-NSG observations (slow LROs); NSG resources are still evaluated")
    .option("--guest", GUEST_HELP)
    .option("-q, --quiet", "no progress on stderr");
}
