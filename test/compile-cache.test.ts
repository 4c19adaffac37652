/** The module compile cache lives in a folder of the user's own, never a shared /tmp one another user could own. */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
// @ts-expect-error: plain JavaScript next to the entry point, no declarations
import { compileCacheDir } from "../bin/compile-cache.js";

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

  it("is not used when others can write to it (it could hold planted code)", () => {
    const base = mkdtempSync(join(tmpdir(), "lbdoctor-cc-"));
    mkdirSync(join(base, "lbdoctor", "compile-cache"), { recursive: true });
    chmodSync(join(base, "lbdoctor", "compile-cache"), 0o777);
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: base }), undefined);
    chmodSync(join(base, "lbdoctor", "compile-cache"), 0o700);
    chmodSync(join(base, "lbdoctor"), 0o757);
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: base }), undefined);
  });

  it("a relative XDG_CACHE_HOME is ignored (the XDG spec: only absolute paths count)", () => {
    const dir = compileCacheDir({ XDG_CACHE_HOME: "relative/cache" });
    assert.ok(dir === undefined || dir.startsWith(homedir()));
  });
});
