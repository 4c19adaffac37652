import { Option } from "commander";
import type { Register } from "../shared.ts";

export const register: Register = (program, io, setExit) => {
  program
    .command("rules")
    .description("List the rule catalog, or show one rule's documentation.")
    .argument("[id]", "a rule id, e.g. azure/probe-blocked-by-nsg")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (id: string | undefined, opts) => {
      const { runRulesCommand } = await import("../../commands/rules.ts");
      setExit(await runRulesCommand(id, opts, io));
    });
};
