/** The module compile cache lives in a folder of the user's own, never a shared /tmp one another user could own. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  compileCacheDir,
  enableCompileCache,
  KEEP_MS,
  MAX_CACHE_BYTES,
  PRUNE_EVERY_MS,
  pruneCompileCache,
  readsSnapshotFile,
  // @ts-expect-error: plain JavaScript next to the entry point, no declarations
} from "../bin/compile-cache.js";
import { BIN, ROOT } from "./support/cli.ts";

describe("compile cache folder", { skip: process.platform === "win32" }, () => {
  it("is under the user's cache folder, created 0700, never in the shared temp folder", () => {
    const base = mkdtempSync(join(tmpdir(), "lbdoctor-cc-"));
    const dir = compileCacheDir({ XDG_CACHE_HOME: base });
    assert.equal(dir, join(base, "lbdoctor", "compile-cache"));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const dflt = compileCacheDir({});
    assert.ok(dflt === undefined || dflt.startsWith(join(homedir(), ".cache")), String(dflt));
    assert.ok(dflt === undefined || !dflt.startsWith(join(tmpdir(), "node-compile-cache")));
  });

  it("is not used when others can write to it (it could hold planted code); the private temp-folder one is", () => {
    const base = mkdtempSync(join(tmpdir(), "lbdoctor-cc-"));
    mkdirSync(join(base, "lbdoctor", "compile-cache"), { recursive: true });
    chmodSync(join(base, "lbdoctor", "compile-cache"), 0o777);
    // not that folder: the private one in the temp folder instead
    const temp = mkdtempSync(join(tmpdir(), "lbdoctor-cc-tmp-"));
    const fallback = join(temp, `lbdoctor-compile-cache-${process.getuid?.()}`);
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: base }, temp), fallback);
    chmodSync(join(base, "lbdoctor", "compile-cache"), 0o700);
    chmodSync(join(base, "lbdoctor"), 0o757);
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: base }, temp), fallback);
  });

  it("a relative XDG_CACHE_HOME is ignored (the XDG spec: only absolute paths count)", () => {
    const dir = compileCacheDir({ XDG_CACHE_HOME: "relative/cache" });
    assert.ok(dir === undefined || dir.startsWith(homedir()));
  });

  it("without a usable home cache folder (none, read-only, not a folder) it falls back to a folder of this user's in the temp folder", () => {
    const base = mkdtempSync(join(tmpdir(), "lbdoctor-cc-"));
    const notAFolder = join(base, "file");
    writeFileSync(notAFolder, "");
    const temp = join(base, "tmp");
    mkdirSync(temp);
    const uid = process.getuid?.() as number;
    const dir = compileCacheDir({ XDG_CACHE_HOME: notAFolder }, temp);
    assert.equal(dir, join(temp, `lbdoctor-compile-cache-${uid}`));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(dir).uid, uid);
  });

  it("the temp-folder fallback refuses a folder others can write to, and a symbolic link planted in its place", () => {
    const base = mkdtempSync(join(tmpdir(), "lbdoctor-cc-"));
    const notAFolder = join(base, "file");
    writeFileSync(notAFolder, "");
    const uid = process.getuid?.() as number;
    const open = join(base, "open");
    mkdirSync(join(open, `lbdoctor-compile-cache-${uid}`), { recursive: true });
    chmodSync(join(open, `lbdoctor-compile-cache-${uid}`), 0o777);
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: notAFolder }, open), undefined);
    const linked = join(base, "linked");
    mkdirSync(linked);
    mkdirSync(join(base, "elsewhere"), { mode: 0o700 });
    symlinkSync(join(base, "elsewhere"), join(linked, `lbdoctor-compile-cache-${uid}`));
    assert.ok(lstatSync(join(linked, `lbdoctor-compile-cache-${uid}`)).isSymbolicLink());
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: notAFolder }, linked), undefined);
  });

  it("leaves the choice to the user: NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE win", () => {
    assert.equal(enableCompileCache({ NODE_DISABLE_COMPILE_CACHE: "1" }), undefined);
    assert.equal(enableCompileCache({ NODE_COMPILE_CACHE: join(tmpdir(), "somewhere") }), undefined);
  });
});

describe("eager compilation into the cache", () => {
  it("tells runs that read a snapshot file (check, timeline and tui with --snapshot, diff, trace) from live ones", () => {
    for (const argv of [
      ["check", "--snapshot", "s.json"],
      ["check", "-s", "s.json", "rg"],
      ["check", "--snapshot=s.json"],
      ["check", "-ss.json"],
      ["timeline", "-s", "s.json"],
      ["tui", "--snapshot", "s.json"],
      ["diff", "a.json", "b.json"],
      ["trace", "-s", "s.json", "--from", "Internet", "--to", "vm:80"],
    ])
      assert.equal(readsSnapshotFile(argv), true, argv.join(" "));
    for (const argv of [
      ["check", "rg"],
      ["check", "--", "--snapshot"],
      ["snapshot", "rg", "-o", "s.json"],
      ["emulator", "-s", "s.json"],
      ["aws-emulator", "--snapshot", "s.json"],
      ["demo"],
      ["rules"],
      ["--help"],
      [],
    ])
      assert.equal(readsSnapshotFile(argv), false, argv.join(" "));
  });

  const built = existsSync(join(ROOT, "dist", "bundle", "cli.js"));
  const run = (xdg: string, args: string[], env: Record<string, string> = {}) => {
    const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: xdg, ...env };
    for (const k of ["NODE_COMPILE_CACHE", "NODE_DISABLE_COMPILE_CACHE", "LBDOCTOR_FROM_SOURCE"]) delete base[k];
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: base, timeout: 60_000 });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    return r.stderr;
  };
  const check = ["check", "--snapshot", join(ROOT, "fixtures", "azure", "demo.json"), "--no-config"];

  it("caches the functions an offline check runs, not only its modules' top level", { skip: !built && "needs npm run build" }, () => {
    const size = (dir: string): number =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);
    const cached = (env: Record<string, string>): number => {
      const xdg = mkdtempSync(join(tmpdir(), "lbdoctor-cc-eager-"));
      run(xdg, check, env);
      return size(join(xdg, "lbdoctor", "compile-cache"));
    };
    const lazy = cached({ LBDOCTOR_LAZY_COMPILE: "1" });
    const eager = cached({});
    // the compiled functions make the cache several times larger than the modules' top levels alone
    assert.ok(eager > 1.5 * lazy, `eager ${eager} bytes, lazy ${lazy} bytes`);
  });

  it("other commands in between leave the check's cache valid (a module is cached for one way of compiling)", {
    skip: !built && "needs npm run build",
  }, () => {
    const xdg = mkdtempSync(join(tmpdir(), "lbdoctor-cc-mixed-"));
    run(xdg, check);
    run(xdg, ["rules"]);
    run(xdg, ["--help"]);
    const debug = run(xdg, check, { NODE_DEBUG_NATIVE: "COMPILE_CACHE" });
    assert.match(debug, /was accepted/);
    assert.doesNotMatch(debug, /was rejected/);
  });
});

describe("compile cache pruning", () => {
  const DAY = 24 * 60 * 60 * 1000;
  const now = Date.now();
  /** A cache entry of `size` bytes (sparse: no disk used) last written `age` ms ago. */
  const entry = (path: string, age: number, size = 100): string => {
    const fd = openSync(path, "w");
    ftruncateSync(fd, size);
    closeSync(fd);
    utimesSync(path, (now - age) / 1000, (now - age) / 1000);
    return path;
  };
  const cache = () => {
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-cc-prune-"));
    const v = join(dir, "v24.21.0-x64-00000000-0");
    mkdirSync(v);
    return { dir, v };
  };

  it("drops entries unused for longer than KEEP_MS, and a version folder left empty; nothing else", () => {
    const { dir, v } = cache();
    const gone = join(dir, "v22.0.0-x64-11111111-0");
    mkdirSync(gone);
    entry(join(gone, "a"), KEEP_MS + DAY);
    const old = entry(join(v, "old"), KEEP_MS + DAY);
    const fresh = entry(join(v, "fresh"), DAY);
    // this run's own folder stays, emptied or not (Node writes into it as the process ends)
    const active = join(dir, "v24.21.0-x64-22222222-0");
    mkdirSync(active);
    entry(join(active, "b"), KEEP_MS + DAY);
    const mine = join(dir, "notes");
    mkdirSync(mine);
    const other = entry(join(mine, "x"), KEEP_MS * 3);
    assert.equal(pruneCompileCache(dir, now, active), 3);
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(gone), false);
    assert.equal(existsSync(active), true);
    assert.equal(existsSync(fresh), true);
    assert.equal(existsSync(other), true, "only Node's version folders are looked at");
  });

  it("at most once a day: a recent stamp leaves the cache alone", () => {
    const { dir, v } = cache();
    const old = entry(join(v, "old"), KEEP_MS + DAY);
    entry(join(v, "fresh"), DAY);
    assert.equal(pruneCompileCache(dir, now), 1);
    assert.equal(existsSync(old), false);
    const older = entry(join(v, "older"), KEEP_MS + 2 * DAY);
    assert.equal(pruneCompileCache(dir, now + PRUNE_EVERY_MS / 2), 0);
    assert.equal(existsSync(older), true);
    assert.equal(pruneCompileCache(dir, now + PRUNE_EVERY_MS + 1), 1);
    assert.equal(existsSync(older), false);
  });

  it("over MAX_CACHE_BYTES, drops the oldest until the cache is half of it", () => {
    const { dir, v } = cache();
    const third = Math.ceil(MAX_CACHE_BYTES / 3) + 1;
    const a = entry(join(v, "a"), 3 * DAY, third);
    const b = entry(join(v, "b"), 2 * DAY, third);
    const c = entry(join(v, "c"), DAY, third);
    assert.equal(pruneCompileCache(dir, now), 2);
    assert.deepEqual(
      [a, b, c].map((p) => existsSync(p)),
      [false, false, true],
    );
  });

  it("a run of lbdoctor prunes its own folder, never NODE_COMPILE_CACHE's", () => {
    const xdg = mkdtempSync(join(tmpdir(), "lbdoctor-cc-run-"));
    const dir = compileCacheDir({ XDG_CACHE_HOME: xdg });
    const v = join(dir, "v1.0.0-x64-00000000-0");
    mkdirSync(v);
    const old = entry(join(v, "old"), KEEP_MS + DAY);
    const users = mkdtempSync(join(tmpdir(), "lbdoctor-cc-user-"));
    mkdirSync(join(users, "v1.0.0-x64-00000000-0"));
    const theirs = entry(join(users, "v1.0.0-x64-00000000-0", "old"), KEEP_MS + DAY);
    const env: Record<string, string | undefined> = { ...process.env, XDG_CACHE_HOME: xdg };
    delete env.NODE_COMPILE_CACHE;
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const r = spawnSync(process.execPath, [BIN, "rules"], { encoding: "utf8", env, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(old), false);
    assert.ok(existsSync(join(dir, ".pruned")));
    const r2 = spawnSync(process.execPath, [BIN, "rules"], {
      encoding: "utf8",
      env: { ...env, NODE_COMPILE_CACHE: users },
      timeout: 60_000,
    });
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(existsSync(theirs), true);
  });
});
