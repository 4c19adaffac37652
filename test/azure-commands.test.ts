import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { azureProvider } from "../src/providers/azure/adapter.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import { healthyWeb } from "./support/azure-builder.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";

test("a printed az command gets the subscription of its finding's resource, each its own, however often the command repeats", () => {
  const model = buildAzureModel(healthyWeb().build());
  const complete = azureProvider.completeCommand;
  assert.ok(complete);
  const command = "az vm start --resource-group rg --name vm1";
  const on = (sub: string) => ({ resourceId: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1` });
  for (let round = 0; round < 2; round++) {
    assert.equal(complete(command, on("aaaa"), model), `${command} --subscription aaaa`);
    assert.equal(complete(command, on("bbbb"), model), `${command} --subscription bbbb`);
  }
  // a command that names its subscription, or its resources by --ids, is left as it is
  assert.equal(complete(`${command} --subscription cccc`, on("aaaa"), model), `${command} --subscription cccc`);
  assert.equal(
    complete(
      "az vm start --ids /subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
      on("aaaa"),
      model,
    ).includes("--subscription"),
    false,
  );
});

test("an az command in a fix's words names its subscription too (no completion reaches the summary)", () => {
  const inline: string[] = [];
  for (const file of readdirSync(join(ROOT, "fixtures", "azure")).filter((f) => f.endsWith(".json"))) {
    const r = lbdoctor(["check", "--snapshot", join(ROOT, "fixtures", "azure", file), "--format", "json", "--no-config"]);
    const findings = JSON.parse(r.stdout).findings as Array<{ remediation?: { summary?: string } }>;
    for (const f of findings) for (const m of f.remediation?.summary?.matchAll(/`(az [^`]+)`/g) ?? []) inline.push(m[1] as string);
  }
  assert.ok(inline.length > 0, "some fix names an az command in its words");
  for (const c of inline) assert.match(c, / --subscription \S+| --ids /, c);
});
