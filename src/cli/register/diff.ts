import { Option } from "commander";
import { collect, collectChoice, type Register } from "../shared.ts";

const DIFF_FORMATS = ["text", "json", "markdown"];

export const register: Register = (program, io, setExit) => {
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
      const { runDiff } = await import("../../commands/diff.ts");
      setExit(await runDiff(before, after, opts, io));
    });
};
