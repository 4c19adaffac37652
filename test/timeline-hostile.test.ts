/**
 * The time window on awkward input: a time without a zone would be read in
 * the machine's local time zone (Date.parse), shifting the window by the
 * local offset while lbdoctor prints UTC.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { InputError } from "../src/core/errors.ts";
import { resolveWindow } from "../src/core/timeline/window.ts";
import { lbdoctor } from "./support/cli.ts";

describe("--window-from / --window-until need a time zone", () => {
  const now = new Date("2026-03-14T06:00:00Z");

  it("a time without a zone is refused, with the zone to add", () => {
    for (const t of ["2026-03-14T03:00", "2026-03-14T03:00:00", "2026-03-14T03:00:00.250"]) {
      assert.throws(
        () => resolveWindow({ windowFrom: t, windowUntil: "2026-03-14T05:00:00Z" }, now),
        (e: unknown) => e instanceof InputError && /RFC 3339/.test(e.message) && /time zone/.test(e.hint ?? ""),
        t,
      );
      assert.throws(() => resolveWindow({ windowFrom: "2026-03-14T02:00:00Z", windowUntil: t }, now), InputError, t);
    }
  });

  it("Z and offsets give the same UTC window wherever lbdoctor runs", () => {
    const want = { from: "2026-03-14T03:00:00Z", until: "2026-03-14T05:00:00Z" };
    assert.deepEqual(resolveWindow({ windowFrom: "2026-03-14T03:00:00Z", windowUntil: "2026-03-14T05:00:00Z" }, now), want);
    assert.deepEqual(resolveWindow({ windowFrom: "2026-03-14T04:00:00+01:00", windowUntil: "2026-03-14T00:00:00-05:00" }, now), want);
    assert.deepEqual(resolveWindow({ windowFrom: "2026-03-14T03:00Z", windowUntil: "2026-03-14T05:00:00.000Z" }, now), want);
  });
});

describe("a snapshot's time window", () => {
  const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8"));
  const dir = mkdtempSync(join(tmpdir(), "lbdoctor-window-"));

  it("that ends before it starts, or is no RFC 3339 time, is refused (exit 2) by every command that reads it", () => {
    for (const name of ["azure/change-before-failure", "aws/change-before-failure"]) {
      const doc = fixture(name);
      const { from, until } = doc.observations.window;
      doc.observations.window = { from: until, until: from };
      const backwards = join(dir, `${name.replace("/", "-")}-backwards.json`);
      writeFileSync(backwards, JSON.stringify(doc));
      for (const argv of [
        ["timeline", "--snapshot", backwards],
        ["check", "--snapshot", backwards],
      ]) {
        const r = lbdoctor(argv);
        assert.equal(r.code, 2, `${name} ${argv[0]}: ${r.stderr}`);
        assert.match(r.stderr, /\/observations\/window: ends \(.*\) before it starts/);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
      }
      doc.observations.window = { from: "yesterday", until };
      const words = join(dir, `${name.replace("/", "-")}-words.json`);
      writeFileSync(words, JSON.stringify(doc));
      const r = lbdoctor(["timeline", "--snapshot", words]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /\/observations\/window\/from: must be an RFC 3339 date and time/);
    }
    // the fixtures as they are still load
    assert.notEqual(lbdoctor(["timeline", "--snapshot", "fixtures/azure/change-before-failure.json"]).code, 2);
  });
});
