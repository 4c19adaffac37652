import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

/** The fix's commands of the case's first failure. */
function commandsOf(name: string): string[] {
  const c = cases.invalid.find((x) => x.name.startsWith(name));
  assert.ok(c, name);
  const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
  assert.ok(f);
  return f.remediation?.commands ?? [];
}

describe("standard-lb-no-nsg: the NSG the fix creates never replaces one that exists", () => {
  it("takes nsg-<subnet> when it is free", () => {
    const commands = commandsOf("the web subnet's NSG was detached");
    assert.match(commands[0] ?? "", /^az network nsg create --resource-group ra-multi-vm-rg --name nsg-snet-web( |$)/);
  });

  it("skips every name the snapshot shows taken (az network nsg create on an existing NSG would replace its rules)", () => {
    const commands = commandsOf("no NSG on the web subnet, and NSGs nsg-snet-web and nsg-snet-web-lb exist");
    assert.match(commands[0] ?? "", /^az network nsg create --resource-group ra-multi-vm-rg --name nsg-snet-web-lb2( |$)/);
    for (const c of commands.slice(1)) assert.match(c, /(--nsg-name|--network-security-group) nsg-snet-web-lb2( |$)/);
  });

  it("names no NSG when the NSGs of the resource group could not be listed: a quoted placeholder everywhere", () => {
    const commands = commandsOf("no NSG on the web subnet, and listing the resource group's NSGs failed");
    assert.match(commands[0] ?? "", /^az network nsg create --resource-group ra-multi-vm-rg --name '<new-nsg-name>'( |$)/);
    for (const c of commands.slice(1)) {
      assert.match(c, /(--nsg-name|--network-security-group) '<new-nsg-name>'( |$)/);
      assert.doesNotMatch(c, /nsg-snet-web/);
    }
  });

  it("names no NSG in a resource group outside the snapshot's scope (its NSGs were never listed, so no name is known free)", () => {
    const commands = commandsOf("no NSG on the web subnet, whose VNet is in resource group net-rg");
    assert.match(commands[0] ?? "", /^az network nsg create --resource-group net-rg --name '<new-nsg-name>'( |$)/);
    for (const c of commands.slice(1)) assert.match(c, /(--nsg-name|--network-security-group) '<new-nsg-name>'( |$)/);
  });

  it("names no NSG on a Resource Graph snapshot: its listing may be partial without saying so", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("Resource Graph snapshot, no NSG on the web subnet"));
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
    assert.ok(f);
    const commands = f.remediation?.commands ?? [];
    assert.match(commands[0] ?? "", /^az network nsg create --resource-group ra-multi-vm-rg --name '<new-nsg-name>'( |$)/);
    for (const x of commands.slice(1)) assert.match(x, /(--nsg-name|--network-security-group) '<new-nsg-name>'( |$)/);
    assert.match(f.remediation?.summary ?? "", /Resource Graph returns only the resources the caller may read/);
  });

  it("on a Resource Graph snapshot whose query failed for the subscription, the failure is the reason, not a missing NSG", () => {
    const c = cases.unknown?.find((x) => x.name.startsWith("Resource Graph snapshot whose query failed"));
    assert.ok(c);
    const fs = evaluateCase(rule, c.snapshot).filter((x) => x.resourceId.toLowerCase().includes("/networkinterfaces/"));
    assert.ok(fs.length > 0);
    for (const f of fs) {
      assert.equal(f.status, "unknown");
      assert.notEqual(f.messageId, "nsgNotHeld", f.message);
      assert.match(f.message, /resourceGraph\.resources/);
    }
  });
});
