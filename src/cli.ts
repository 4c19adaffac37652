/**
 * The command line. Commands load their modules lazily, so `--version` and
 * the offline path never load what they do not use (SDKs, Ink).
 */
import { CommanderError } from "commander";
import { buildProgram } from "./cli/program.ts";
import { InputError } from "./core/errors.ts";
import { type IO, writeStringSync } from "./core/io.ts";
import { noWorkflowCommands, sanitize, terminalSafe } from "./core/report/sanitize.ts";

/** The exit codes (README, "Exit codes"): 2 is the user's to fix, 3 is ours. */
export const EXIT = { ok: 0, findings: 1, usage: 2, bug: 3 } as const;

/** Where a bug is reported. */
export const ISSUES_URL = "https://github.com/lbdoctor/lbdoctor/issues";

/** What stdout holds beyond this, unread (a pipe), is waited on before more is written (IO.pace). */
const STDOUT_BEHIND = 1 << 20;

function stdoutPace(): Promise<void> | undefined {
  const stdout = process.stdout;
  if (stdout.writableLength <= STDOUT_BEHIND) return undefined;
  return new Promise((resolve) => {
    // a closed pipe never drains: bin/lbdoctor.js ends the process on EPIPE; any other error, or a close, ends the wait
    const done = (): void => {
      stdout.off("drain", done);
      stdout.off("error", done);
      stdout.off("close", done);
      resolve();
    };
    stdout.on("drain", done);
    stdout.on("error", done);
    stdout.on("close", done);
  });
}

/**
 * What writes stdout. A file or a device (`> report.json`, `> /dev/null`) is written synchronously by Node's stream
 * too (its SyncWriteStream, a Buffer made of each string): it is written here from the string (`writeStringSync`),
 * with no Buffer per piece to be collected later (a 120 MB report held tens of MB of them). A pipe or a terminal goes
 * through the stream, paced by its reader.
 */
function stdoutWriter(): (s: string) => void {
  const stdout = process.stdout as NodeJS.WriteStream & { fd?: unknown };
  if (stdout.constructor?.name === "SyncWriteStream" && typeof stdout.fd === "number") {
    const fd = stdout.fd;
    return (s) => {
      try {
        writeStringSync(fd, s);
      } catch (e) {
        // a full disk or a failing device where stdout was redirected: the environment, as a failing --output file is
        const code = (e as NodeJS.ErrnoException).code;
        if (typeof code === "string") throw new InputError(`cannot write standard output: ${(e as Error).message}`);
        throw e;
      }
    };
  }
  return (s) => void stdout.write(s);
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(
  argv: string[],
  io: IO = { out: stdoutWriter(), err: (s: string) => void process.stderr.write(s), pace: stdoutPace },
): Promise<number> {
  let code: number = EXIT.ok;
  // the last guard: whatever a command prints, no control sequence from a snapshot or the cloud reaches the terminal;
  // stderr is plain text only (errors, warnings, progress: never a report), so no value there forms a CI workflow
  // command either (stdout's formatters see to theirs: JSON, XML and the github format's own commands differ)
  const raw = io;
  io = {
    out: (s: string) => raw.out(terminalSafe(s)),
    err: (s: string) => raw.err(terminalSafe(noWorkflowCommands(s))),
    ...(raw.pace ? { pace: raw.pace } : {}),
  };
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    argv,
  );
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
      // messages quote what the user or the snapshot named (load balancer names, paths): untrusted text
      io.err(`lbdoctor: ${sanitize(e.message)}\n`);
      if (e.hint) io.err(`  ${sanitize(e.hint)}\n`);
      return EXIT.usage;
    }
    // not an input error: a bug, with its own exit code so that scripts can tell the two apart
    io.err(`lbdoctor: internal error: ${sanitize(e instanceof Error ? e.message : String(e))}\n`);
    if (process.env.LBDOCTOR_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    else io.err("  This is a bug in lbdoctor, not a problem with your input. Re-run with LBDOCTOR_DEBUG=1 for the stack trace.\n");
    io.err(
      `  Please report it at ${ISSUES_URL} with the command line and that output (a snapshot from \`lbdoctor snapshot --redact\` helps).\n`,
    );
    return EXIT.bug;
  }
}
