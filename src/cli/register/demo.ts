import { Option } from "commander";
import { collectChoice, FORMAT_CHOICES, type Register } from "../shared.ts";

export const register: Register = (program, io, setExit) => {
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
      const { runDemo } = await import("../../commands/emulator.ts");
      setExit(await runDemo(opts, io));
    });
};
