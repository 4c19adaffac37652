/**
 * The command line. Commands load their modules lazily, so `--version` and
 * the offline path never load what they do not use (SDKs, Ink).
 */
import { Command, CommanderError } from "commander";
import { register as awsEmulator } from "./cli/register/aws-emulator.ts";
import { register as check } from "./cli/register/check.ts";
import { register as demo } from "./cli/register/demo.ts";
import { register as diff } from "./cli/register/diff.ts";
import { register as emulator } from "./cli/register/emulator.ts";
import { register as rules } from "./cli/register/rules.ts";
import { register as snapshot } from "./cli/register/snapshot.ts";
import { register as trace } from "./cli/register/trace.ts";
import { register as tui } from "./cli/register/tui.ts";
import type { IO, Register } from "./cli/shared.ts";
import { InputError } from "./core/errors.ts";
import { toolVersion } from "./core/version.ts";

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** One registration per command (src/cli/commands/<name>.ts), in help order. */
const COMMANDS: Register[] = [check, snapshot, demo, emulator, awsEmulator, trace, diff, tui, rules];

export function buildProgram(io: IO, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("lbdoctor")
    .description("Diagnose cloud load balancers: why the backend gets no traffic, with evidence and the exact fix.")
    .version(toolVersion(), "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  for (const register of COMMANDS) register(program, io, setExit);
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
