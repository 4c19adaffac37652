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
const { lstatSync, mkdirSync, readdirSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync } = await builtin("node:fs");
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
  if (!dir) return undefined;
  // lbdoctor's own folder only (NODE_COMPILE_CACHE's is the user's); after the run, so that it never delays a result
  process.once("exit", () => pruneCompileCache(dir));
  return module.enableCompileCache(dir);
}

/** How often a run looks over the cache for entries to drop: once a day at most (the stamp file's age). */
export const PRUNE_EVERY_MS = 24 * 60 * 60 * 1000;
/** An entry not written for this long is dropped (a cache hit does not rewrite it: one compile a month at worst). */
export const KEEP_MS = 30 * 24 * 60 * 60 * 1000;
/** Above this size, the oldest entries go until the cache is half of it. */
export const MAX_CACHE_BYTES = 128 * 1024 * 1024;
const STAMP = ".pruned";

/**
 * Drops what the compile cache no longer needs, at most once a day (`PRUNE_EVERY_MS`). Node never removes an
 * entry: every lbdoctor version (its bundle's chunks are named by their content), Node version and set of V8 flags
 * adds its own, and the folder only grows. Entries older than `KEEP_MS` go, then the oldest while the cache is over
 * `MAX_CACHE_BYTES` (down to half), then the folders this left empty, never `active` (this run's, where Node writes
 * its entries as the process ends). Only files in Node's version folders (the
 * `v<node>-<arch>-<hash>` folders directly under `dir`) are touched, never a link; a failure leaves the cache as
 * it is (it only makes start-up faster). Returns how many entries it removed.
 */
export function pruneCompileCache(dir, now = Date.now(), active = module.getCompileCacheDir?.()) {
  const stamp = join(dir, STAMP);
  try {
    if (now - statSync(stamp).mtimeMs < PRUNE_EVERY_MS) return 0;
  } catch {
    // never pruned
  }
  let removed = 0;
  try {
    writeFileSync(stamp, "", { mode: 0o600 });
    utimesSync(stamp, now / 1000, now / 1000);
    const entries = [];
    const emptied = new Set();
    for (const sub of readdirSync(dir, { withFileTypes: true })) {
      if (!sub.isDirectory() || !/^v\d/.test(sub.name)) continue;
      const folder = join(dir, sub.name);
      for (const f of readdirSync(folder, { withFileTypes: true })) {
        if (!f.isFile()) continue;
        const path = join(folder, f.name);
        const st = lstatSync(path);
        entries.push({ path, folder, mtime: st.mtimeMs, size: st.size });
      }
    }
    entries.sort((a, b) => a.mtime - b.mtime);
    let total = entries.reduce((n, e) => n + e.size, 0);
    const over = total > MAX_CACHE_BYTES;
    for (const e of entries) {
      if (now - e.mtime <= KEEP_MS && !(over && total > MAX_CACHE_BYTES / 2)) break;
      try {
        unlinkSync(e.path);
        total -= e.size;
        removed++;
        if (e.folder !== active) emptied.add(e.folder);
      } catch {
        // gone already (another run pruned it)
      }
    }
    for (const folder of emptied) {
      try {
        rmdirSync(folder); // only when empty
      } catch {
        // still in use
      }
    }
  } catch {
    // a cache we cannot look over is left as it is
  }
  return removed;
}
