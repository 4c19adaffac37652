// A run over a large snapshot file (tens of thousands of NICs) holds a few hundred MB of parsed
// resources, model and findings. Left alone, V8 grows the young generation to its maximum as the heap
// grows (on a 64-bit machine, semi-spaces of 64 MB: 128 MB of resident memory). Nearly everything
// such a run allocates either lives to the end or dies young, so a smaller young generation costs it
// little collector time. That cap can only be set on Node's command line, so for such a run lbdoctor
// runs itself once more with it (a child process, the same Node and arguments, stdio shared) and
// exits as the child did. Measured at 20,000 NICs (77 MB, npm run bench), three runs each: with 16 MB
// semi-spaces the child's peak is 485-500 MB against 568-665 MB in one process, for ~0.1 s more of
// scavenge pauses (three times as many); the parent, waiting, holds ~49 MB more. 32 MB semi-spaces
// cost no time but saved too little (the two processes together reached 606 MB). The extra Node start
// (~40 ms) is paid only from LARGE_INPUT_BYTES, and not past CAP_LIMIT_BYTES: at 100,000 NICs (377 MB,
// a 2 GB heap) a capped young generation took two to four times the scavenges, up to a second more of
// a 22-second run. Measured again through the whole CLI, six alternating runs each: capped 22.6-26.7 s
// against 20.3-27.2 s (medians ~25 and ~23 s), for ~190 MB less (1.90-1.92 GB against 2.08-2.13 GB).
//
// Not done when the user set the young generation's size themselves (NODE_OPTIONS or Node's own
// flags), under the inspector (--inspect: a child would want its port), or with LBDOCTOR_NO_RERUN=1
// (also what the child gets, so it never runs itself again).
// Node's modules as CommonJS (process.getBuiltinModule, Node 22.3+): an ESM import of node:fs would load fs/promises,
// its streams and readline into every check of a snapshot file (bin/lbdoctor.js)
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default;
const { statSync } = await builtin("node:fs");

/** Snapshot files at least this large (and below CAP_LIMIT_BYTES) are read with the young generation capped. */
export const LARGE_INPUT_BYTES = 16 * 1024 * 1024;
/** From this size on, the cap costs more collector time than it is worth: V8's own sizing. */
export const CAP_LIMIT_BYTES = 128 * 1024 * 1024;
/** The cap, in MB per semi-space. */
export const SEMI_SPACE_MB = 16;

/**
 * The snapshot files a command line reads: `--snapshot`/`-s` values, and `diff`'s two arguments. Not an output
 * file (a report of a run before can be larger than its snapshot).
 */
export function snapshotPaths(argv) {
  const [command, ...rest] = argv;
  const out = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--") {
      if (command === "diff") out.push(...rest.slice(i + 1));
      break;
    }
    if (a === "--snapshot" || a === "-s") {
      if (i + 1 < rest.length) out.push(rest[++i]);
    } else if (a.startsWith("--snapshot=")) out.push(a.slice("--snapshot=".length));
    else if (/^-s./.test(a)) out.push(a.slice(2));
    else if (command === "diff") {
      if (a === "-o" || a === "--output" || a === "-f" || a === "--format") i++;
      else if (!a.startsWith("-")) out.push(a);
    }
  }
  return out;
}

/** The size of the largest regular file among `paths` (0: none). */
function largestFile(paths) {
  let largest = 0;
  for (const path of paths) {
    try {
      const st = statSync(path, { throwIfNoEntry: false });
      if (st?.isFile() && st.size > largest) largest = st.size;
    } catch {
      // not a path we can read: the command itself will say so
    }
  }
  return largest;
}

/** Whether this run should be made again with the young generation capped. */
export function wantsRerun(argv, readsSnapshotFile, env = process.env, execArgv = process.execArgv) {
  if (env.LBDOCTOR_NO_RERUN === "1") return false;
  if ([...execArgv, env.NODE_OPTIONS ?? ""].some((a) => /semi[-_]space/.test(a))) return false;
  // a debugger attached to this process (a child would fight it for the inspector's port)
  if ([...execArgv, env.NODE_OPTIONS ?? ""].some((a) => /--inspect/.test(a))) return false;
  if (!readsSnapshotFile(argv)) return false;
  const size = largestFile(snapshotPaths(argv));
  return size >= LARGE_INPUT_BYTES && size < CAP_LIMIT_BYTES;
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
  // Windows has no SIGQUIT (a listener for it throws there)
  if (process.platform !== "win32") process.on("SIGQUIT", ignore);
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
