/**
 * Output files: checked before anything is collected, `-` is stdout, FIFOs,
 * devices and symlink targets are written through (never replaced), regular
 * files are written atomically through an exclusive, randomly named temporary
 * file, several outputs are all written or none, and reports and snapshots
 * are created 0600. The docs/ci.md baseline step runs as written.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { prepareOutput, prepareOutputs, writeOutputs, writeOutputsPaced } from "../src/commands/output.ts";
import { writeStringSync } from "../src/core/io.ts";
import { startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import { BIN, lbdoctor, lbdoctorAsync, ROOT } from "./support/cli.ts";

const FIXTURE = join(ROOT, "fixtures/azure/backend-pool-empty.json");
const HEALTHY = join(ROOT, "fixtures/azure/healthy-web.json");

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), "lbdoctor-out-"));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const fresh = (name: string) => {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
};
const check = (args: string[], cwd = ROOT, env: Record<string, string> = {}) =>
  lbdoctor(["check", "--snapshot", FIXTURE, "--no-config", ...args], env, cwd);

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function mknod(path: string, minor: number): boolean {
  return spawnSync("mknod", [path, "c", "1", String(minor)]).status === 0;
}

describe("output files", () => {
  it("a missing parent folder is created; the report is created 0600", () => {
    const d = fresh("nested");
    const out = join(d, "a", "b", "report.json");
    const r = check(["--format", "json", "--output", out]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(JSON.parse(readFileSync(out, "utf8")).schema, "lbdoctor.report/v1");
    assert.equal(statSync(out).mode & 0o777, 0o600);
  });

  it("a folder that cannot be created is named, exit 2, and nothing is collected first", async () => {
    const d = fresh("blocked");
    writeFileSync(join(d, "file"), "x");
    const port = await closedPort();
    // a live AWS run against a closed port: the output error must come first
    const r = lbdoctor(
      [
        "check",
        "--provider",
        "aws",
        "--region",
        "us-east-1",
        "--aws-endpoint",
        `http://127.0.0.1:${port}`,
        "--output",
        join(d, "file", "x", "r.txt"),
      ],
      { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" },
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /file/);
    assert.match(r.stderr, /cannot write/);
    assert.doesNotMatch(r.stderr, /could not reach|endpoint/i);
  });

  it("an output that is a folder is refused before collecting", () => {
    const d = fresh("isdir");
    const r = check(["--output", d]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /it is a folder/);
  });

  it("`-o -` is stdout: no file named '-'", () => {
    const d = fresh("dash");
    const r = check(["--format", "json", "--output", "-"], d);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout).schema, "lbdoctor.report/v1");
    assert.equal(existsSync(join(d, "-")), false);
    assert.deepEqual(readdirSync(d), []);
  });

  it("`-o -` and a format without --output cannot both take stdout", () => {
    const r = check(["--format", "json", "--output", "-", "--format", "text"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /only one report can go to stdout/);
  });

  it("a symlink is written through: the link stays, its target gets the report", () => {
    const d = fresh("link");
    const real = join(d, "real.json");
    writeFileSync(real, "old");
    const link = join(d, "link.json");
    symlinkSync("real.json", link);
    const r = check(["--format", "json", "--output", link]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(lstatSync(link).isSymbolicLink(), "the link is not replaced");
    assert.equal(readlinkSync(link), "real.json");
    assert.equal(JSON.parse(readFileSync(real, "utf8")).schema, "lbdoctor.report/v1");
    // a dangling link: its target is created
    const dangling = join(d, "dangling.json");
    symlinkSync("made.json", dangling);
    assert.equal(check(["--format", "json", "--output", dangling]).code, 1);
    assert.ok(lstatSync(dangling).isSymbolicLink());
    assert.equal(JSON.parse(readFileSync(join(d, "made.json"), "utf8")).schema, "lbdoctor.report/v1");
  });

  it("a FIFO is written through, not replaced", async () => {
    const d = fresh("fifo");
    const fifo = join(d, "pipe");
    if (spawnSync("mkfifo", [fifo]).status !== 0) return;
    // bounded: if the FIFO were replaced by a file, nothing would ever open it for writing
    const reader = spawn("cat", [fifo], { timeout: 30_000 });
    let got = "";
    reader.stdout.on("data", (c) => {
      got += c;
    });
    const readerDone = new Promise<void>((r) => reader.on("close", () => r()));
    const r = await lbdoctorAsync(
      ["check", "--snapshot", FIXTURE, "--no-config", "--format", "json", "--output", fifo],
      {},
      { cwd: d, timeoutMs: 30_000 },
    );
    await readerDone;
    assert.equal(r.code, 1, r.stderr);
    assert.equal(JSON.parse(got).schema, "lbdoctor.report/v1");
    assert.ok(lstatSync(fifo).isFIFO(), "still a FIFO");
  });

  it("a device is written through and never replaced; a failing device write is exit 2 and leaves the other output unwritten", (t) => {
    const d = fresh("dev");
    const nul = join(d, "null");
    const full = join(d, "full");
    if (!mknod(nul, 3) || !mknod(full, 7)) {
      t.skip("mknod is not allowed here");
      return;
    }
    const r = check(["--format", "json", "--output", nul]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(lstatSync(nul).isCharacterDevice(), "still a device");
    const ok = join(d, "ok.json");
    const r2 = check(["--format", "json", "--output", ok, "--format", "sarif", "--output", full]);
    assert.equal(r2.code, 2, r2.stderr);
    assert.match(r2.stderr, /ENOSPC/);
    assert.ok(lstatSync(full).isCharacterDevice(), "still a device");
    assert.equal(existsSync(ok), false, "all or none: the first output is not left behind");
    assert.deepEqual(
      readdirSync(d).filter((f) => f.endsWith(".tmp")),
      [],
      "no temporary file left",
    );
  });

  it("several outputs: when one cannot be written, none is (checked before rendering)", () => {
    const d = fresh("allnone");
    const ok = join(d, "ok.json");
    const r = check(["--format", "json", "--output", ok, "--format", "sarif", "--output", fresh("allnone-dir")]);
    assert.equal(r.code, 2);
    assert.equal(existsSync(ok), false);
  });

  it("writeOutputs: a rename that fails removes every temporary file and replaces no target", () => {
    const d = fresh("unit");
    const a = join(d, "a.json");
    writeFileSync(a, "old a");
    const targetA = prepareOutput(a);
    const targetB = prepareOutput(join(d, "b.json"));
    // b becomes a non-empty folder after the check: its rename fails
    mkdirSync(join(d, "b.json", "x"), { recursive: true });
    assert.throws(
      () =>
        writeOutputs(
          [
            { target: targetB, text: "b" },
            { target: targetA, text: "new a" },
          ],
          () => {},
        ),
      /cannot write/,
    );
    assert.deepEqual(
      readdirSync(d).filter((f) => f.endsWith(".tmp")),
      [],
    );
    assert.equal(readFileSync(a, "utf8"), "old a");
  });

  it("a signal while a report is written (Ctrl-C, SIGTERM, SIGHUP) removes the temporary files, replaces nothing and ends the process by that signal", () => {
    const output = join(ROOT, "src", "commands", "output.ts");
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      const d = fresh(`signal-${signal}`);
      const a = join(d, "a.json");
      const b = join(d, "b.json");
      writeFileSync(b, "the report before\n");
      // a report of 200 pieces; the process signals itself after the 100th of the second file: the signal is taken
      // at the next turn of the event loop, mid-report, with both temporary files on disk
      const script = `
        import { prepareOutputs, writeOutputsPaced } from ${JSON.stringify(output)};
        import { readdirSync } from "node:fs";
        const [a, b] = prepareOutputs(${JSON.stringify([a, b])});
        function* report(signalAt) {
          for (let i = 0; i < 200; i++) {
            if (i === signalAt) {
              console.log("temps:" + readdirSync(${JSON.stringify(d)}).filter((f) => f.endsWith(".tmp")).length);
              process.kill(process.pid, ${JSON.stringify(signal)});
            }
            yield "x".repeat(65536);
          }
        }
        await writeOutputsPaced([{ target: a, text: report(-1) }, { target: b, text: report(100) }], () => {}, () => undefined);
        console.log("finished");
      `;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
      assert.equal(r.signal, signal, `${signal}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, "temps:2\n", "both temporary files were there when the signal came; the write never finished");
      assert.deepEqual(readdirSync(d).sort(), ["b.json"], `${signal}: no temporary file, no new target`);
      assert.equal(readFileSync(b, "utf8"), "the report before\n", "the target is untouched");
    }
  });

  it("writeOutputsPaced writes what writeOutputs writes, byte for byte", async () => {
    const d = fresh("overlap");
    // small pieces, empty ones, multi-byte text (2, 3 and 4 bytes in UTF-8), pieces that fill a buffer, and pieces longer
    // than one (written from their own buffer), in an order that makes each of them follow each other
    const piecesOf = () => {
      const out: string[] = [];
      for (let i = 0; i < 60; i++) {
        out.push(`{"i":${i},"name":"é€😀-${i}"}`, "", "x".repeat((i * 7919) % 70_000));
        if (i % 9 === 0) out.push("ü".repeat(400_000 + i));
        if (i % 13 === 0) out.push("😀".repeat(200_000));
      }
      return out;
    };
    const sync = join(d, "sync.json");
    const paced = join(d, "paced.json");
    writeOutputs([{ target: prepareOutput(sync), text: piecesOf() }], () => {});
    await writeOutputsPaced(
      [{ target: prepareOutput(paced), text: piecesOf()[Symbol.iterator]() }],
      () => {},
      () => undefined,
    );
    const want = Buffer.from(piecesOf().join(""), "utf8");
    assert.ok(want.length > 10_000_000, "long enough to take many buffers");
    assert.ok(readFileSync(sync).equals(want), "writeOutputs");
    assert.ok(readFileSync(paced).equals(want), "writeOutputsPaced");
    assert.deepEqual(readdirSync(d).sort(), ["paced.json", "sync.json"]);
  });

  it("writeOutputsPaced: a piece that fails mid-report is passed on as it is; nothing is left behind", async () => {
    const d = fresh("overlap-fail");
    const a = join(d, "a.json");
    writeFileSync(a, "the report before\n");
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on("unhandledRejection", onRejection);
    try {
      function* report() {
        for (let i = 0; i < 40; i++) yield "y".repeat(300_000);
        throw new Error("the report could not be made");
      }
      await assert.rejects(
        writeOutputsPaced(
          [{ target: prepareOutput(a), text: report() }],
          () => {},
          () => undefined,
        ),
        /^Error: the report could not be made$/,
      );
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off("unhandledRejection", onRejection);
    }
    assert.deepEqual(rejections, []);
    assert.deepEqual(readdirSync(d), ["a.json"], "no temporary file");
    assert.equal(readFileSync(a, "utf8"), "the report before\n", "the target is untouched");
  });

  it("writeOutputsPaced: a write that fails (a full device) names its output, and the other output is not left behind", async () => {
    const d = fresh("overlap-full");
    const ok = join(d, "ok.json");
    const [full, target] = prepareOutputs(["/dev/full", ok]) as [ReturnType<typeof prepareOutput>, ReturnType<typeof prepareOutput>];
    const report = function* () {
      for (let i = 0; i < 20; i++) yield "z".repeat(100_000);
    };
    await assert.rejects(
      writeOutputsPaced(
        [
          { target, text: report() },
          { target: full, text: report() },
        ],
        () => {},
        () => undefined,
      ),
      /cannot write \/dev\/full: ENOSPC/,
    );
    assert.deepEqual(readdirSync(d), [], "all or none: no temporary file, no target");
  });

  it("an output that is the snapshot being read (by any spelling or link) is refused, exit 2, the snapshot intact", () => {
    const d = fresh("own-snapshot");
    const snap = join(d, "snap.json");
    const text = readFileSync(join(ROOT, "fixtures/azure/nsg-change-probe-down.json"), "utf8");
    writeFileSync(snap, text);
    symlinkSync(snap, join(d, "link.json"));
    for (const args of [
      ["check", "--snapshot", snap, "--no-config", "--format", "json", "--output", snap],
      ["check", "--snapshot", snap, "--no-config", "--format", "json", "--output", join(d, "link.json")],
      [
        "check",
        "--snapshot",
        join(d, ".", "snap.json"),
        "--no-config",
        "--output",
        join(d, "other.txt"),
        "--format",
        "text",
        "--format",
        "sarif",
        "--output",
        snap,
      ],
      ["diff", HEALTHY, snap, "--output", snap],
      ["timeline", "--snapshot", snap, "--output", snap],
    ]) {
      const r = lbdoctor(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /is the snapshot this run reads .*: the report would replace it/);
      assert.equal(readFileSync(snap, "utf8"), text, "the snapshot is intact");
      assert.deepEqual(readdirSync(d).sort(), ["link.json", "snap.json"], "nothing else written");
    }
    // another file beside it is fine
    assert.equal(lbdoctor(["timeline", "--snapshot", snap, "--output", join(d, "t.txt")]).code, 0);
  });

  it("the temporary file is exclusive and randomly named; a replaced file keeps its mode, a new one is 0600", () => {
    const d = fresh("modes");
    const kept = join(d, "kept.txt");
    writeFileSync(kept, "x");
    chmodSync(kept, 0o640);
    writeOutputs([{ target: prepareOutput(kept), text: "y" }], () => {});
    writeOutputs([{ target: prepareOutput(join(d, "new.txt")), text: "z" }], () => {});
    assert.equal(statSync(kept).mode & 0o777, 0o640);
    assert.equal(statSync(join(d, "new.txt")).mode & 0o777, 0o600);
    assert.equal(readFileSync(kept, "utf8"), "y");
    const src = readFileSync(join(ROOT, "src/commands/output.ts"), "utf8");
    assert.match(src, /O_EXCL/);
    assert.match(src, /randomBytes/);
  });

  it("diff takes the same outputs: `-` and a missing folder", () => {
    const d = fresh("diff");
    const r = lbdoctor(["diff", HEALTHY, FIXTURE, "--format", "json", "--output", join(d, "x", "diff.json")]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(existsSync(join(d, "x", "diff.json")));
    const r2 = lbdoctor(["diff", HEALTHY, FIXTURE, "--format", "json", "--output", "-"], {}, d);
    assert.equal(JSON.parse(r2.stdout).schema, "lbdoctor.diff/v1");
    assert.equal(existsSync(join(d, "-")), false);
  });

  it("snapshot: created 0600 in a folder it creates, `-o -` prints it", async () => {
    const d = fresh("snap");
    const snap = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/healthy-alb.json"), "utf8"));
    const emu = await startAwsEmulator({ snapshots: [snap] });
    try {
      const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" };
      const base = ["snapshot", "--provider", "aws", "--region", snap.scope.region, "--aws-endpoint", emu.url];
      const out = join(d, "new", "prod.json");
      const r = await lbdoctorAsync([...base, "--output", out], env, { cwd: d });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(statSync(out).mode & 0o777, 0o600);
      assert.equal(JSON.parse(readFileSync(out, "utf8")).provider, "aws");
      const r2 = await lbdoctorAsync([...base, "--output", "-"], env, { cwd: d });
      assert.equal(r2.code, 0, r2.stderr);
      assert.equal(JSON.parse(r2.stdout).provider, "aws");
      assert.equal(existsSync(join(d, "-")), false);
    } finally {
      await emu.close();
    }
  });

  it("docs/ci.md: the baseline step works as written", () => {
    const doc = readFileSync(join(ROOT, "docs/ci.md"), "utf8");
    const section = doc.slice(doc.indexOf("## The baseline"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, "the baseline section has a sh block");
    const d = fresh("ci-baseline");
    mkdirSync(join(d, "snapshots"));
    copyFileSync(HEALTHY, join(d, "snapshots", "prod.json"));
    // `lbdoctor` (and `npx lbdoctor`) run this checkout
    const bin = fresh("ci-bin");
    writeFileSync(join(bin, "lbdoctor"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    writeFileSync(
      join(bin, "npx"),
      `#!/bin/sh\nwhile [ "$1" != "lbdoctor" ] && [ $# -gt 0 ]; do shift; done\nshift\nexec "${process.execPath}" "${BIN}" "$@"\n`,
      { mode: 0o755 },
    );
    const r = spawnSync("bash", ["-e", "-c", block], {
      cwd: d,
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1" },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `${block}\n${r.stderr}`);
    assert.equal(JSON.parse(readFileSync(join(d, ".lbdoctor", "baseline.json"), "utf8")).schema, "lbdoctor.report/v1");
    assert.ok(existsSync(join(d, ".lbdoctor", "baseline-snapshot.json")));
  });
});

describe("stdout redirected to a file", () => {
  it("gets exactly what a pipe gets (a file's stdout is written from the string, multi-byte text intact)", () => {
    const d = fresh("stdout-file");
    for (const format of ["json", "text", "sarif"]) {
      const piped = check(["--format", format]);
      const path = join(d, `out.${format}`);
      const fd = openSync(path, "w");
      try {
        const r = spawnSync(process.execPath, [BIN, "check", "--snapshot", FIXTURE, "--no-config", "--format", format], {
          cwd: ROOT,
          stdio: ["ignore", fd, "pipe"],
          env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "", LBDOCTOR_FROM_SOURCE: "1" },
          timeout: 30_000,
        });
        assert.equal(r.status, piped.code, String(r.stderr));
      } finally {
        closeSync(fd);
      }
      assert.ok(piped.stdout.length > 0);
      assert.equal(readFileSync(path, "utf8"), piped.stdout, format);
    }
  });

  it("a full disk (/dev/full) as stdout is exit 2, 'cannot write standard output', for every command and format, not a bug", () => {
    for (const args of [
      ["check", "--snapshot", FIXTURE, "--no-config", "--format", "json"],
      ["check", "--snapshot", FIXTURE, "--no-config"],
      ["check", "--snapshot", FIXTURE, "--no-config", "--format", "sarif", "--output", "-"],
      ["rules"],
      ["diff", FIXTURE, FIXTURE],
    ]) {
      const fd = openSync("/dev/full", "w");
      try {
        const r = spawnSync(process.execPath, [BIN, ...args], {
          cwd: ROOT,
          stdio: ["ignore", fd, "pipe"],
          encoding: "utf8",
          env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "", LBDOCTOR_FROM_SOURCE: "1" },
          timeout: 30_000,
        });
        assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^lbdoctor: cannot write standard output: ENOSPC/);
        assert.doesNotMatch(r.stderr, /internal error|bug in lbdoctor/);
      } finally {
        closeSync(fd);
      }
    }
  });

  it("writeStringSync writes every byte of a string, multi-byte characters included", () => {
    const path = join(fresh("write-string"), "s.txt");
    const text = `caf\u00e9 \u2192 \u{1F600} ${"x".repeat(70_000)} \u2713\n`;
    const long = `${"\u2192".repeat(200_000)}${"y".repeat(200_000)}`;
    const fd = openSync(path, "w");
    try {
      writeStringSync(fd, text);
      writeStringSync(fd, "");
      writeStringSync(fd, "end");
      // longer than the reused buffer takes (written from the string), then short ones through the buffer again
      writeStringSync(fd, long);
      writeStringSync(fd, "\u00e9");
      writeStringSync(fd, "ok");
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(path, "utf8"), `${text}end${long}\u00e9ok`);
  });
});
