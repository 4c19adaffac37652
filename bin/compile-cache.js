// Node's module compile cache for lbdoctor, wherever it is installed (a clone,
// `npm install -g`, npx, a project's node_modules): V8 keeps the compiled code
// of every module lbdoctor loads, so the second run skips compiling them.
//
// Where it lives: a folder of this user's own, never a shared one in /tmp
// (Node's default, os.tmpdir()/node-compile-cache), where another user could
// plant compiled code that this process would load. First the user's cache
// folder ($XDG_CACHE_HOME or ~/.cache, %LOCALAPPDATA% on Windows); when that
// cannot be used (no home, a read-only home: containers, CI users, services),
// a folder named after the user id in the temp folder, which must then be
// ours and writable by nobody else. Otherwise the cache stays off (it only
// makes start-up faster). NODE_COMPILE_CACHE (Node enables that folder itself)
// and NODE_DISABLE_COMPILE_CACHE=1 are the user's to set, and win.

/** One of Node's modules as CommonJS (process.getBuiltinModule, Node 22.3+), without the ESM facade an import makes (bin/lbdoctor.js). */
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default;
const { lstatSync, mkdirSync, statSync } = await builtin("node:fs");
const module = await builtin("node:module");
const { homedir, tmpdir } = await builtin("node:os");
const { join } = await builtin("node:path");

/**
 * Creates `dir` 0700 and checks it and `parents` are folders of this user that nobody else can write to
 * (with `noLinks`, `dir` itself must not be a symbolic link).
 */
function ownFolder(dir, parents, noLinks = false) {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform === "win32") return dir;
    for (const d of [...parents, dir]) {
      const st = noLinks && d === dir ? lstatSync(d) : statSync(d);
      if (!st.isDirectory() || (typeof process.getuid === "function" && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0)
        return undefined;
    }
    return dir;
  } catch {
    return undefined;
  }
}

/** The user's folder for lbdoctor's compile cache, created 0700; undefined when none is safe to use. */
export function compileCacheDir(env = process.env, temp = tmpdir()) {
  let base;
  try {
    base =
      process.platform === "win32"
        ? env.LOCALAPPDATA || join(homedir(), "AppData", "Local")
        : env.XDG_CACHE_HOME?.startsWith("/")
          ? env.XDG_CACHE_HOME
          : join(homedir(), ".cache");
  } catch {
    base = undefined; // no home directory for this user
  }
  const home = base ? ownFolder(join(base, "lbdoctor", "compile-cache"), [join(base, "lbdoctor")]) : undefined;
  if (home) return home;
  // the fallback: /tmp/lbdoctor-compile-cache-<uid>, ours alone (a folder someone else made first is refused)
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  if (uid === undefined) return undefined;
  return ownFolder(join(temp, `lbdoctor-compile-cache-${uid}`), [], true);
}

/** Whether the command line reads a snapshot file rather than collecting live or serving (diff, trace; check, timeline or tui with --snapshot). */
export function readsSnapshotFile(argv) {
  const [command, ...rest] = argv;
  if (command === "diff" || command === "trace") return true;
  if (command !== "check" && command !== "timeline" && command !== "tui") return false;
  for (const a of rest) {
    if (a === "--") return false;
    if (a === "--snapshot" || a.startsWith("--snapshot=") || /^-s./.test(a) || a === "-s") return true;
  }
  return false;
}

/** Node's modules that live collection (the SDKs) and the emulators load, besides those every run loads. */
export const LIVE_BUILTINS = ["assert", "crypto", "dns", "http", "http2", "https", "perf_hooks", "tls", "tty", "worker_threads", "zlib"];

/**
 * With the compile cache on, V8 compiles every function of the modules loaded from here on as it loads the
 * module. Node's cache keeps what V8 compiled as it loaded a module, which is otherwise only the module's top
 * level, so every function that ran was compiled again on every run (about a fifth of an offline `check`);
 * compiled up front, the cache holds them all and a run compiles nothing of lbdoctor's. Without the cache it
 * would only compile more, so it stays off then. Every command does it: a cached module is only taken under
 * the V8 settings it was compiled with, and lbdoctor's modules are shared between commands.
 *
 * Node's own modules have their compiled code built in, for V8's default settings only: one loaded after this
 * is compiled from its source. So the ones a run will load are loaded first: the CLI parser's (commander's),
 * and for a command that may collect live or serve, those of the SDKs and the emulators (LIVE_BUILTINS).
 * LBDOCTOR_LAZY_COMPILE=1 leaves V8's default (the cache then compiles once more, under that default).
 */
export function compileEagerly(argv, env = process.env, bundled = false) {
  if (env.LBDOCTOR_LAZY_COMPILE === "1") return false;
  if (typeof module.getCompileCacheDir !== "function" || !module.getCompileCacheDir()) return false;
  const require = module.createRequire(import.meta.url);
  // commander requires child_process as it loads; the bundle's commander only when it runs a subcommand's own
  // executable (never: scripts/bundle.ts), so a run on the bundle that reads a snapshot file (not the TUI) does without
  if (!bundled || !readsSnapshotFile(argv) || argv[0] === "tui") require("node:child_process");
  const live =
    ["check", "snapshot", "timeline", "tui", "demo", "emulator", "aws-emulator"].includes(argv[0] ?? "") && !readsSnapshotFile(argv);
  if (live) for (const m of LIVE_BUILTINS) require(`node:${m}`);
  require("node:v8").setFlagsFromString("--no-lazy");
  return true;
}

/** Turns the compile cache on for this process (a no-op on Node without it, or when the user chose through NODE_COMPILE_CACHE). */
export function enableCompileCache(env = process.env) {
  if (env.NODE_DISABLE_COMPILE_CACHE || env.NODE_COMPILE_CACHE || typeof module.enableCompileCache !== "function") return undefined;
  const dir = compileCacheDir(env);
  return dir ? module.enableCompileCache(dir) : undefined;
}
