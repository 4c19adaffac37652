/**
 * A value that starts with `-` (a resource group, a VM, an Auto Scaling group may be named so): quoted, and joined
 * to its flag (`--name='-web'`), because az and aws read a separate word starting with `-` as an option. A VM named
 * `--subscription` printed `az vm start … --name --subscription`: no name, and the command's subscription dropped.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { attachDashValues, sh, withFlag } from "../src/core/util/shell.ts";
import { fixture, lbdoctor } from "./support/cli.ts";

describe("values starting with -", () => {
  it("sh quotes them (a negative number stays bare); attachDashValues joins a quoted one to the flag before it", () => {
    assert.equal(sh("-web"), "'-web'");
    assert.equal(sh("--subscription"), "'--subscription'");
    assert.equal(sh("-1"), "-1");
    assert.equal(sh("web-1"), "web-1");
    assert.equal(attachDashValues(`az vm start --name ${sh("-web")} -g ${sh("--rg")}`), "az vm start --name='-web' -g='--rg'");
    // nothing else moves: a flag without a value, a value inside a quoted script, PowerShell
    assert.equal(attachDashValues("az vm start --no-wait --name web"), "az vm start --no-wait --name web");
    const script = `az vm run-command invoke --scripts ${sh("echo --x '-y'")}`;
    assert.equal(attachDashValues(script), script);
    assert.equal(attachDashValues("Set-AzContext -Subscription '-x'"), "Set-AzContext -Subscription '-x'");
  });

  it("withFlag sees a value that spells the flag as a value: the subscription is still added", () => {
    const c = attachDashValues(withFlag(`az vm start --name ${sh("--subscription")}`, "az", "--subscription", "sub-1"));
    assert.equal(c, "az vm start --name='--subscription' --subscription sub-1");
  });

  it("argparse (what az and aws parse with) reads the joined value as the value", () => {
    const py = spawnSync(
      "python3",
      [
        "-c",
        "import argparse,sys;p=argparse.ArgumentParser();p.add_argument('--name');p.add_argument('--subscription');a=p.parse_args(sys.argv[1:]);print(a.name, a.subscription)",
        "--name=--subscription",
        "--subscription",
        "sub-1",
      ],
      { encoding: "utf8" },
    );
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), "--subscription sub-1");
  });

  it("through the CLI: a VM named --subscription gets its own name and the subscription", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-dash-"));
    const file = join(dir, "demo.json");
    const snap = JSON.parse(readFileSync(fixture("demo"), "utf8")) as { resources: Array<{ name?: string }> };
    const text = JSON.stringify(snap)
      .replaceAll('"vm2"', '"--subscription"')
      .replaceAll("/virtualMachines/vm2", "/virtualMachines/--subscription");
    writeFileSync(file, text);
    const r = lbdoctor(["check", "--snapshot", file, "--format", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const commands = (JSON.parse(r.stdout).findings as Array<{ remediation?: { commands?: string[] } }>).flatMap(
      (f) => f.remediation?.commands ?? [],
    );
    const start = commands.find((c) => c.startsWith("az vm start"));
    assert.ok(start, commands.join("\n"));
    assert.match(start, /--name='--subscription' .*--subscription 0{8}-/);
  });
});
