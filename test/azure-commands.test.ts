import assert from "node:assert/strict";
import { test } from "node:test";
import { azureProvider } from "../src/providers/azure/adapter.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import { healthyWeb } from "./support/azure-builder.ts";

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
