import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { InputError } from "../src/core/errors.ts";
import { loadSnapshotFile } from "../src/core/snapshot/load.ts";
import { readJsonObjectFile } from "../src/core/snapshot/read-json.ts";
import { BIN, fixture, lbdoctor, lbdoctorAsync } from "./support/cli.ts";

const NOW = "2026-12-04T00:00:00Z";

const dir = mkdtempSync(join(tmpdir(), "lbdoctor-read-json-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string): string => {
  const p = join(dir, `f${n++}.json`);
  writeFileSync(p, text);
  return p;
};

// every piece kind, escapes (a quote, a backslash before a quote), multi-byte UTF-8, repeated keys, numbers, literals,
// whitespace of every kind, empty containers: each chunk size cuts pieces (and multi-byte characters) in other places
const TRICKY = `\r\n\t {"schema":"x\\"y\\\\","n" : 1.5e3 ,"t":true,"z":null,
  "resources":[ {"id":"/a/B\\\\","name":"caf\u00e9 \u{1F600} \\u00e9","tags":{"k":"v}]"}} , [1,[2,{"x":"]"}]],"s",-0.25,false,null,{},[] ],
  "observations":{"a":{"b":[1,2]},"c":"d","":0,"a":{"again":true},"10":1,"2":2},
  "empty":{},"none":[],"n":2, "last":"\\\\"}  \n`;

test("a file's JSON is parsed in pieces to exactly what JSON.parse gives, wherever the chunks cut it", () => {
  const p = file(TRICKY);
  const want = JSON.parse(readFileSync(p, "utf8")) as unknown;
  for (const size of [1, 2, 3, 5, 7, 16, 64, 1 << 20]) {
    const got = readJsonObjectFile(p, size);
    assert.deepEqual(got, want, `chunk ${size}`);
    // the same key order (JSON.parse's: integer keys first, a repeated key where it first appeared) and the same text
    assert.equal(JSON.stringify(got), JSON.stringify(want), `chunk ${size}`);
  }
});

test("runs of backslashes before a quote end a string exactly where JSON.parse ends it, at every chunk cut", () => {
  // strings of 0-5 backslashes, a quote and a bracket, as values, as array elements, as keys and inside resources
  const strings: string[] = [];
  for (let k = 0; k <= 5; k++) strings.push(`${"\\".repeat(k)}"]}`, `a${"\\".repeat(k)}`, `${"\\".repeat(k)}"`);
  const doc = {
    top: strings[0],
    resources: strings.map((s, i) => ({ id: s, [s]: [s, { s }], n: i })),
    observations: Object.fromEntries(strings.map((s) => [s, s])),
  };
  const p = file(JSON.stringify(doc));
  for (let size = 1; size <= 13; size++) assert.deepEqual(readJsonObjectFile(p, size), doc, `chunk ${size}`);
});

test("what does not split is left to JSON.parse of the whole text (undefined)", () => {
  for (const text of [
    "[1,2]",
    '"a"',
    "",
    '\uFEFF{"a":1}',
    '{"a":1',
    '{"a":1,}',
    '{"a" 1}',
    '{"a":[1,]}',
    '{"a":{"b":1,}}',
    '{"a":[1}',
    '{"a":1} x',
    '{"a":tru}',
    '{"__proto__":{"polluted":1}}',
    '{"a":{"__proto__":1}}',
    "{a:1}",
  ]) {
    for (const size of [1, 4, 1 << 20])
      assert.equal(readJsonObjectFile(file(text), size), undefined, `${JSON.stringify(text)} (chunk ${size})`);
  }
});

test("a snapshot file that is not valid JSON is reported as before (JSON.parse's message)", () => {
  const p = file('{"schema":"lbdoctor.snapshot/v1","resources":[1,]}');
  assert.throws(
    () => loadSnapshotFile(p),
    (e: Error) => e.message.startsWith(`${p} is not valid JSON: `),
  );
  const top = file('[{"schema":"lbdoctor.snapshot/v1"}]');
  assert.throws(() => loadSnapshotFile(top), /expected a JSON object at the top level/);
  assert.throws(() => loadSnapshotFile(join(dir, "missing.json")), /snapshot file not found/);
  assert.throws(() => loadSnapshotFile(dir), /snapshot path is a directory/);
});

test("a snapshot from a pipe or a FIFO (--snapshot /dev/stdin, <(jq …)) is read whole, once: a pipe cannot seek", async () => {
  const demo = readFileSync(fixture("demo"));
  const expected = lbdoctor(["check", "--snapshot", fixture("demo"), "--format", "json"], { LBDOCTOR_NOW: NOW });
  assert.equal(expected.code, 1, expected.stderr);
  // stdin as a pipe (a shell's `|`)
  const shell = spawnSync(
    "sh",
    ["-c", 'cat "$1" | "$2" "$3" check --snapshot /dev/stdin --format json', "sh", fixture("demo"), process.execPath, BIN],
    {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", LBDOCTOR_NOW: NOW },
    },
  );
  assert.equal(shell.status, 1, shell.stderr);
  assert.equal(shell.stdout.replaceAll("/dev/stdin", "SOURCE"), expected.stdout.replaceAll(fixture("demo"), "SOURCE"));
  // stdin as a socket (what Node gives a child's stdin): opened by its descriptor
  const piped = spawnSync(process.execPath, [BIN, "check", "--snapshot", "/dev/stdin", "--format", "json"], {
    input: demo,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", LBDOCTOR_NOW: NOW },
  });
  assert.equal(piped.status, 1, piped.stderr);
  assert.equal(piped.stdout.replaceAll("/dev/stdin", "SOURCE"), expected.stdout.replaceAll(fixture("demo"), "SOURCE"));
  // a named pipe, written while lbdoctor reads it
  const fifo = join(dir, "snapshot.fifo");
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0, "mkfifo (coreutils)");
  const run = lbdoctorAsync(["check", "--snapshot", fifo, "--format", "json"], { LBDOCTOR_NOW: NOW });
  writeFileSync(fifo, demo);
  const r = await run;
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout.replaceAll(fifo, "SOURCE"), expected.stdout.replaceAll(fixture("demo"), "SOURCE"));
});

test("a UTF-8 byte-order mark is skipped; UTF-16 text is refused by name, with how to save it as UTF-8", () => {
  const text = readFileSync(fixture("demo"), "utf8");
  const plain = loadSnapshotFile(fixture("demo"));
  const bom = join(dir, "bom.json");
  writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]));
  assert.deepEqual(loadSnapshotFile(bom), plain);
  for (const [name, bytes] of [
    ["utf16le.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])],
    ["utf16be.json", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()])],
  ] as const) {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    assert.throws(
      () => loadSnapshotFile(p),
      (e: InputError) =>
        e instanceof InputError && e.message === `${p} is UTF-16 text; a snapshot is UTF-8 JSON` && /UTF-8/.test(e.hint ?? ""),
    );
  }
  const r = lbdoctor(["check", "--snapshot", join(dir, "utf16le.json")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is UTF-16 text; a snapshot is UTF-8 JSON/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
