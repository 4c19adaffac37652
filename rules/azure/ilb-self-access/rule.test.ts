import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runRules } from "../../../src/core/engine/run.ts";
import { buildAzureModel } from "../../../src/providers/azure/model.ts";
import { APP_SUBNET, healthyInternal, ids } from "../../../test/support/azure-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

// `--from <vm>` arrives as model context, which the case table cannot carry
describe("azure/ilb-self-access with --from", () => {
  const snap = healthyInternal().vm("client1", { subnet: APP_SUBNET, ip: "10.1.0.20" }).build();
  const run = (from: string[]) => runRules(buildAzureModel(snap, { from }), [rule]);

  it("a backend named by --from fails as declared; the other backend is not-applicable", () => {
    const fs = run(["app1"]);
    const fails = fs.filter((f) => f.status === "fail");
    assert.deepEqual(
      fails.map((f) => [f.messageId, f.resourceId]),
      [["declared", ids.nic("app1-nic")]],
    );
    assert.ok(fails[0]?.evidence.length, "declared carries evidence");
    assert.ok(fails[0]?.remediation?.commands.some((c) => c.includes("az vm run-command invoke")));
    assert.equal(fs.find((f) => f.resourceId === ids.nic("app2-nic"))?.status, "not-applicable");
  });

  it("--from matches a VM id case-insensitively", () => {
    const fs = run([ids.vm("app2").toUpperCase()]);
    assert.deepEqual(
      fs.filter((f) => f.status === "fail").map((f) => f.resourceId),
      [ids.nic("app2-nic")],
    );
  });

  it("a --from VM outside every pool passes", () => {
    const f = run(["client1"]).find((x) => x.messageId === "fromNotMember");
    assert.equal(f?.status, "pass");
  });

  it("a --from name that is not in the snapshot is unknown, not a guess", () => {
    const f = run(["ghost-vm"]).find((x) => x.messageId === "fromUnknown");
    assert.equal(f?.status, "unknown");
    assert.match(f?.message ?? "", /ghost-vm/);
  });
});

describe("azure/ilb-self-access fix", () => {
  it("quotes the frontend address for the guest's shell: a private address that is not an address is left to fill in", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("app1 named with --from, and the frontend's private address is not an address"));
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot, c.context).find((x) => x.status === "fail");
    const commands = f?.remediation?.commands ?? [];
    assert.ok(commands.length > 0);
    for (const cmd of commands) assert.ok(!cmd.includes("touch pwned"), cmd);
    assert.ok(
      commands.some((cmd) => cmd.includes("<frontend-ip>")),
      commands.join("\n"),
    );
  });
});
