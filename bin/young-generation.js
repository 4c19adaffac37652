// A run over a large snapshot file (tens of thousands of NICs) holds a few hundred MB of parsed
// resources, model and findings. Left alone, V8 grows the young generation to its maximum as the heap
// grows (on a 64-bit machine, semi-spaces of 64 MB: 128 MB more resident memory), though a run this
// shape spends no less time in the collector with 16 MB ones: nearly everything it allocates either
// lives to the end or dies young. That cap can only be set on Node's command line, so for such a run
// lbdoctor runs itself once more with it (a child process, the same Node and arguments, stdio shared)
// and exits as the child did. Measured at 20,000 NICs (npm run bench): about 110 MB less peak memory
// and the same time; the extra Node start (~40 ms) is paid only above LARGE_INPUT_BYTES.
//
// Not done when the user set the young generation's size themselves (NODE_OPTIONS or Node's own
// flags), or with LBDOCTOR_NO_RERUN=1 (also what the child gets, so it never runs itself again).
// Node's modules as CommonJS (process.getBuiltinModule, Node 22.3+): an ESM import of node:fs would load fs/promises,
// its streams and readline into every check of a snapshot file (bin/lbdoctor.js)
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default;
const { statSync } = await builtin("node:fs");

/** Snapshot files at least this large are read with the young generation capped. */
export const LARGE_INPUT_BYTES = 16 * 1024 * 1024;
/** The cap, in MB per semi-space. */
export const SEMI_SPACE_MB = 16;

/** Whether one of the arguments names a regular file of at least LARGE_INPUT_BYTES. */
function namesLargeFile(args) {
  for (const a of args) {
    const path = a.startsWith("--") && a.includes("=") ? a.slice(a.indexOf("=") + 1) : a;
    if (path === "" || path === "-" || (path.startsWith("-") && path === a)) continue;
    try {
      const st = statSync(path, { throwIfNoEntry: false });
      if (st?.isFile() && st.size >= LARGE_INPUT_BYTES) return true;
    } catch {
      // not a path we can read: the command itself will say so
    }
  }
  return false;
}

/** Whether this run should be made again with the young generation capped. */
export function wantsRerun(argv, readsSnapshotFile, env = process.env, execArgv = process.execArgv) {
  if (env.LBDOCTOR_NO_RERUN === "1") return false;
  if ([...execArgv, env.NODE_OPTIONS ?? ""].some((a) => /semi[-_]space/.test(a))) return false;
  return readsSnapshotFile(argv) && namesLargeFile(argv.slice(1));
}

/**
 * Runs the entry point (`entryUrl`, its module URL) again in a child Node with the young generation capped, and resolves to the exit code to
 * leave with. Ctrl-C and Ctrl-\ reach the child from the terminal itself (same process group); SIGTERM
 * and SIGHUP sent to this process are passed on; a child killed by a signal is answered by the same
 * signal here, so the shell sees what happened.
 */
export async function rerunCapped(entryUrl, argv) {
  const { spawn } = await builtin("node:child_process");
  const entry = (await builtin("node:url")).fileURLToPath(entryUrl);
  const child = spawn(process.execPath, [...process.execArgv, `--max-semi-space-size=${SEMI_SPACE_MB}`, entry, ...argv], {
    stdio: "inherit",
    env: { ...process.env, LBDOCTOR_NO_RERUN: "1" },
  });
  const ignore = () => {};
  const pass = (signal) => child.kill(signal);
  process.on("SIGINT", ignore);
  process.on("SIGQUIT", ignore);
  process.on("SIGTERM", pass);
  process.on("SIGHUP", pass);
  return new Promise((resolve) => {
    child.on("error", (e) => {
      process.stderr.write(`lbdoctor: could not start ${process.execPath}: ${e.message}\n`);
      resolve(2);
    });
    child.on("exit", (code, signal) => {
      for (const s of ["SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP"]) process.removeAllListeners(s);
      if (signal) {
        process.kill(process.pid, signal);
        return;
      }
      resolve(code ?? 2);
    });
  });
}
