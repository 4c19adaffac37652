/**
 * buildProgram registers only the command a line names (src/cli/program.ts), for start-up: that command must read
 * exactly as it does among all ten (options, arguments, help), and a line that names none gets them all.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Command } from "commander";
import { buildProgram } from "../src/cli/program.ts";

const io = { out: () => undefined, err: () => undefined };
const names = (p: Command) => p.commands.map((c) => c.name());
/** What commander knows of a command: its help, and its options and arguments with their settings. */
const shape = (c: Command) => ({
  help: c.helpInformation(),
  options: c.options.map((o) => ({ flags: o.flags, default: o.defaultValue, choices: o.argChoices, mandatory: o.mandatory })),
  args: c.registeredArguments.map((a) => ({ name: a.name(), required: a.required, variadic: a.variadic })),
});

describe("the program", () => {
  const all = buildProgram(io, () => undefined);

  it("without a command name on the line, has every command, in help order", () => {
    assert.deepEqual(names(all), ["check", "snapshot", "timeline", "demo", "emulator", "aws-emulator", "trace", "diff", "tui", "rules"]);
    for (const argv of [[], ["help", "check"], ["--help"], ["chek"], ["constructor"], ["toString"]]) {
      assert.deepEqual(names(buildProgram(io, () => undefined, argv)), names(all), argv.join(" "));
    }
  });

  it("with one, has that command alone, the same as among all of them", () => {
    for (const c of all.commands) {
      const alone = buildProgram(io, () => undefined, [c.name(), "--some-flag"]);
      assert.deepEqual(names(alone), [c.name()]);
      assert.deepEqual(shape(alone.commands[0] as Command), shape(c), c.name());
    }
    // the program's own options (-v, --version) stay
    assert.deepEqual(
      buildProgram(io, () => undefined, ["check"]).options.map((o) => o.flags),
      all.options.map((o) => o.flags),
    );
  });
});
