/**
 * The time window on awkward input: a time without a zone would be read in
 * the machine's local time zone (Date.parse), shifting the window by the
 * local offset while lbdoctor prints UTC.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError } from "../src/core/errors.ts";
import { resolveWindow } from "../src/core/timeline/window.ts";

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
