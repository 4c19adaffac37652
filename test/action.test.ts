/**
 * The composite action (action.yml) and the CI docs: every GitHub Action is
 * pinned to a full commit SHA, and the action's check step, run as GitHub
 * would run it (bash, GITHUB_OUTPUT, the inputs as environment), writes the
 * SARIF and reports the exit code without failing before the upload.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { BIN, ROOT } from "./support/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-action-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}

describe("action.yml and docs/ci.md", () => {
  const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as { runs: { using: string; steps: Step[] } };

  it("is a composite action whose every `uses:` is pinned to a commit SHA; so is every action in docs/ci.md", () => {
    assert.equal(action.runs.using, "composite");
    for (const s of action.runs.steps) if (s.uses) assert.match(s.uses, /@[0-9a-f]{40}$/, s.uses);
    const doc = readFileSync(join(ROOT, "docs/ci.md"), "utf8");
    const uses = [...doc.matchAll(/uses: (\S+)/g)].map((m) => m[1] as string);
    assert.ok(uses.length >= 5);
    for (const u of uses) {
      if (u.startsWith("lbdoctor/lbdoctor@")) continue; // the reader pins the release they reviewed
      assert.match(u, /@[0-9a-f]{40}$/, u);
    }
    assert.doesNotMatch(doc, /npx --yes lbdoctor/);
  });

  it("its check step writes the SARIF and reports the exit code as an output", () => {
    const step = action.runs.steps.find((s) => s.id === "check") as Step;
    const shim = join(tmp, "bin");
    spawnSync("mkdir", ["-p", shim]);
    writeFileSync(join(shim, "lbdoctor"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    const out = join(tmp, "github_output");
    writeFileSync(out, "");
    const r = spawnSync("bash", ["-e", "-c", step.run as string], {
      cwd: tmp,
      encoding: "utf8",
      timeout: 60_000,
      env: {
        ...process.env,
        PATH: `${shim}:${process.env.PATH}`,
        GITHUB_OUTPUT: out,
        SNAPSHOT: join(ROOT, "fixtures/azure/probe-blocked-by-nsg.json"),
        BASELINE: "",
        FAIL_ON: "high",
        SARIF: "lbdoctor.sarif",
      },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(out, "utf8"), /^exit-code=1$/m);
    assert.ok(existsSync(join(tmp, "lbdoctor.sarif")));
    assert.equal(JSON.parse(readFileSync(join(tmp, "lbdoctor.sarif"), "utf8")).version, "2.1.0");
  });
});
