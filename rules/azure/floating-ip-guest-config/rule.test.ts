import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("floating-ip-guest-config fix", () => {
  it("adds the frontend IP to loopback through run-command, with the script quoted once", () => {
    const c = cases.invalid[0];
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
    const cmd = f?.remediation?.commands[0] ?? "";
    assert.equal(
      cmd,
      "az vm run-command invoke --resource-group ra-multi-vm-rg --name vm1 --command-id RunShellScript --scripts 'sudo ip addr add 20.50.60.70/32 dev lo && ip addr show dev lo'",
    );
    assert.match(f?.message ?? "", /listens on 80\/tcp only on 10\.0\.0\.4/);
    assert.match(f?.remediation?.summary ?? "", /--name rule-http --floating-ip false/);
  });
});

describe("floating-ip-guest-config fix without the frontend's address", () => {
  it("leaves the IP for the user to fill in: the frontend's name (an untrusted string) never reaches the guest's root shell", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("floating IP, the frontend's public IP is not in the snapshot"));
    assert.ok(c);
    const hostile = "fe$(touch pwned);x";
    const snap = JSON.parse(
      JSON.stringify(c.snapshot).replaceAll('"fe-web"', JSON.stringify(hostile)).replaceAll('/fe-web"', `/${hostile}"`),
    );
    const f = evaluateCase(rule, snap).find((x) => x.status === "fail");
    const commands = f?.remediation?.commands ?? [];
    assert.ok(commands.length > 0);
    for (const cmd of commands) assert.ok(!cmd.includes("touch pwned"), cmd);
    assert.ok(
      commands.some((cmd) => cmd.includes("<frontend-ip>")),
      commands.join("\n"),
    );
  });
});

describe("floating-ip-guest-config summary without the frontend's address", () => {
  it("never presents the frontend's name as the IP to put on loopback or listen on", () => {
    const c = cases.invalid.find((x) => x.name.includes("the sockets are on loopback or the NIC's own address"));
    assert.ok(c);
    const fails = evaluateCase(rule, c.snapshot).filter((x) => x.status === "fail");
    assert.equal(fails.length, 2);
    for (const f of fails) {
      const summary = f.remediation?.summary ?? "";
      assert.match(summary, /^Put the IP address of frontend fe-web \(not in the snapshot\) on a loopback interface/);
      assert.doesNotMatch(summary, /fe-web:80/);
    }
  });
});
