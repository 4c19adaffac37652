// Where Node's module compile cache lives: a folder of this user's own, never
// a shared one in /tmp (Node's default, os.tmpdir()/node-compile-cache),
// where another user could plant compiled code that this process would load.
// The folder must be owned by this user and writable by nobody else;
// otherwise the cache stays off (it only makes start-up faster).
import { mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The user's cache folder for lbdoctor's compile cache, created 0700; undefined when none is safe to use. */
export function compileCacheDir(env = process.env) {
  try {
    const base =
      process.platform === "win32"
        ? env.LOCALAPPDATA || join(homedir(), "AppData", "Local")
        : env.XDG_CACHE_HOME?.startsWith("/")
          ? env.XDG_CACHE_HOME
          : join(homedir(), ".cache");
    const dir = join(base, "lbdoctor", "compile-cache");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform === "win32") return dir;
    // the folder and its parent: ours, and not writable by group or others
    for (const d of [join(base, "lbdoctor"), dir]) {
      const st = statSync(d);
      if (!st.isDirectory() || (typeof process.getuid === "function" && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0)
        return undefined;
    }
    return dir;
  } catch {
    return undefined;
  }
}
