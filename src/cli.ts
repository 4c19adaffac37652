/**
 * The command line. Commands load their modules lazily, so `--version` and
 * the offline path never load what they do not use (SDKs, Ink).
 */
import { CommanderError } from "commander";
import { buildProgram } from "./cli/program.ts";
import { InputError } from "./core/errors.ts";

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

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
