/**
 * A large snapshot file is read by a second lbdoctor process with V8's young generation capped
 * (bin/young-generation.js): the same output and exit code, the cap on the child's command line, and
 * signals passed on. The "large" file here is a bundled scenario followed by 16 MB of whitespace (valid
 * JSON, read in milliseconds).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
// @ts-expect-error: plain JavaScript next to the entry point, no declarations
import { readsSnapshotFile } from "../bin/compile-cache.js";
// @ts-expect-error: plain JavaScript next to the entry point, no declarations
import { CAP_LIMIT_BYTES, LARGE_INPUT_BYTES, SEMI_SPACE_MB, snapshotPaths, wantsRerun } from "../bin/young-generation.js";
import { BIN, ROOT } from "./support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "lbdoctor-yg-"));
const small = join(ROOT, "fixtures", "azure", "demo.json");
const large = join(dir, "large.json");
writeFileSync(large, readFileSync(small, "utf8") + " ".repeat(LARGE_INPUT_BYTES));
const CAP = `--max-semi-space-size=${SEMI_SPACE_MB}`;

// preloaded into lbdoctor: each process appends its pid and Node flags to $YG_LOG; with YG_HOLD, a capped
// process also says it is running and then waits (so that a test can signal its parent meanwhile)
const hook = join(dir, "hook.mjs");
writeFileSync(
  hook,
  `import { appendFileSync, writeFileSync } from "node:fs";
appendFileSync(process.env.YG_LOG, JSON.stringify({ pid: process.pid, execArgv: process.execArgv }) + "\\n");
if (process.env.YG_HOLD && process.execArgv.includes(${JSON.stringify(CAP)})) {
  writeFileSync(process.env.YG_HOLD, String(process.pid));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);
}
`,
);

function run(args: string[], env: Record<string, string> = {}) {
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, ["--import", hook, BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", LBDOCTOR_FROM_SOURCE: "1", YG_LOG: log, ...env },
    timeout: 60_000,
  });
  const procs = readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { pid: number; execArgv: string[] });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, procs };
}

describe("a large snapshot file is read with the young generation capped", () => {
  it("runs in a child with the cap, with the same report and exit code as without it", () => {
    const capped = run(["check", "--snapshot", large, "--format", "json"]);
    const plain = run(["check", "--snapshot", large, "--format", "json"], { LBDOCTOR_NO_RERUN: "1" });
    assert.equal(capped.procs.length, 2, "a parent and its child");
    assert.ok(!capped.procs[0]?.execArgv.includes(CAP));
    assert.ok(capped.procs[1]?.execArgv.includes(CAP), JSON.stringify(capped.procs));
    assert.equal(plain.procs.length, 1);
    assert.equal(capped.code, 1, capped.stderr);
    assert.equal(capped.code, plain.code);
    assert.equal(capped.stdout, plain.stdout);
    assert.ok(JSON.parse(capped.stdout).findings.length > 0);
  });

  it("leaves a small or a very large snapshot, a live command and a user's own young-generation setting alone", () => {
    assert.equal(run(["check", "--snapshot", small, "--format", "json"]).procs.length, 1);
    assert.equal(wantsRerun(["check", "--snapshot", large], readsSnapshotFile, {}, []), true);
    assert.equal(wantsRerun(["check", `--snapshot=${large}`], readsSnapshotFile, {}, []), true);
    assert.equal(wantsRerun(["diff", small, large], readsSnapshotFile, {}, []), true);
    assert.equal(wantsRerun(["check", "--snapshot", small], readsSnapshotFile, {}, []), false);
    // past the limit V8's own sizing is faster (a sparse file: only its size is read)
    const huge = join(dir, "huge.json");
    const fd = openSync(huge, "w");
    ftruncateSync(fd, CAP_LIMIT_BYTES);
    closeSync(fd);
    assert.equal(wantsRerun(["check", "--snapshot", huge], readsSnapshotFile, {}, []), false);
    assert.equal(wantsRerun(["diff", large, huge], readsSnapshotFile, {}, []), false, "the largest file decides");
    // an output file is not an input (the report of an earlier run can be larger than the snapshot)
    assert.equal(wantsRerun(["check", "--snapshot", large, "--output", huge], readsSnapshotFile, {}, []), true);
    assert.equal(wantsRerun(["diff", "-o", huge, small, large], readsSnapshotFile, {}, []), true);
    assert.deepEqual(snapshotPaths(["check", "-s", "a.json", "-o", "r.json", "--format", "json"]), ["a.json"]);
    assert.deepEqual(snapshotPaths(["tui", "--snapshot=a.json"]), ["a.json"]);
    assert.deepEqual(snapshotPaths(["trace", "-sa.json", "--to", "vm:80"]), ["a.json"]);
    assert.deepEqual(snapshotPaths(["diff", "--format", "json", "a.json", "--output", "r.json", "b.json"]), ["a.json", "b.json"]);
    assert.deepEqual(snapshotPaths(["diff", "--", "-a.json", "b.json"]), ["-a.json", "b.json"]);
    assert.equal(wantsRerun(["check", "my-rg", "--output", large], readsSnapshotFile, {}, []), false, "a live check");
    assert.equal(wantsRerun(["check", "--snapshot", large], readsSnapshotFile, { LBDOCTOR_NO_RERUN: "1" }, []), false);
    assert.equal(wantsRerun(["check", "--snapshot", large], readsSnapshotFile, {}, ["--max-semi-space-size=64"]), false);
    assert.equal(wantsRerun(["check", "--snapshot", large], readsSnapshotFile, { NODE_OPTIONS: "--max-semi-space-size=8" }, []), false);
    assert.equal(wantsRerun(["check", "--snapshot", large], readsSnapshotFile, {}, ["--inspect-brk"]), false, "under a debugger");
    assert.equal(wantsRerun(["check", "--snapshot", large], readsSnapshotFile, { NODE_OPTIONS: "--inspect=9230" }, []), false);
  });

  it("bad input still gets its clear error and exit code 2 from the child", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, `{"schema": ${" ".repeat(LARGE_INPUT_BYTES)}`);
    const r = run(["check", "--snapshot", bad]);
    assert.equal(r.procs.length, 2);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.json/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  it("passes SIGTERM on to the child and ends by the same signal", { skip: process.platform === "win32" }, async () => {
    const hold = join(dir, "hold");
    const log = join(dir, "log-signal");
    const parent = spawn(process.execPath, ["--import", hook, BIN, "check", "--snapshot", large], {
      env: { ...process.env, LBDOCTOR_FROM_SOURCE: "1", YG_LOG: log, YG_HOLD: hold },
      stdio: "ignore",
    });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      parent.on("exit", (code, signal) => resolve({ code, signal })),
    );
    for (let i = 0; i < 300 && !existsSync(hold); i++) await sleep(50);
    const childPid = Number(readFileSync(hold, "utf8"));
    parent.kill("SIGTERM");
    const { signal } = await ended;
    assert.equal(signal, "SIGTERM");
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      try {
        process.kill(childPid, 0);
        await sleep(50);
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, "the child is gone too");
  });
});
