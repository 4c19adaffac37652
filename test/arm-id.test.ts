import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { nameOf, parseArmId, resourceGroupOf } from "../src/providers/azure/arm-id.ts";

const nic = "/subscriptions/0000/resourceGroups/Web-RG/providers/Microsoft.Network/networkInterfaces/vm1-nic";

test("an ARM id parses into its subscription, resource group, provider, type/name segments and name", () => {
  assert.deepEqual(parseArmId(`${nic}/ipConfigurations/ipconfig1`), {
    subscriptionId: "0000",
    resourceGroup: "Web-RG",
    provider: "Microsoft.Network",
    segments: ["networkInterfaces", "vm1-nic", "ipConfigurations", "ipconfig1"],
    name: "ipconfig1",
  });
  // the markers in any case, empty segments skipped
  assert.deepEqual(parseArmId("//SUBSCRIPTIONS/s//RESOURCEGROUPS/rg/PROVIDERS/p/t/n/"), {
    subscriptionId: "s",
    resourceGroup: "rg",
    provider: "p",
    segments: ["t", "n"],
    name: "n",
  });
  assert.deepEqual(parseArmId("not-an-id"), { segments: [], name: "not-an-id" });
  assert.deepEqual(parseArmId(""), { segments: [], name: "" });
  assert.equal(resourceGroupOf(nic), "Web-RG");
});

test("a parsed id is remembered: the same id gives the same answer, a different one its own", () => {
  const a = parseArmId(nic);
  assert.equal(parseArmId(nic), a);
  // the same text in another string (ids from different places of a snapshot)
  assert.equal(parseArmId(`${nic.slice(0, 10)}${nic.slice(10)}`), a);
  assert.equal(parseArmId(nic.replace("vm1", "vm2")).name, "vm2-nic");
  for (let i = 0; i < 20000; i++) parseArmId(`/subscriptions/s/resourceGroups/rg${i}`);
  assert.deepEqual(parseArmId(nic), a, "still right after the memory is cleared");
});

test("nameOf is the last non-empty segment, as the parse names it", () => {
  const oracle = (id: string) => {
    const parts = id.split("/").filter((p) => p.length > 0);
    return parts[parts.length - 1] ?? "";
  };
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom("a", "B", "/", "-", " ") }), (id) => nameOf(id) === oracle(id)),
    { numRuns: 5000, seed: 12 },
  );
  assert.equal(nameOf(`${nic}/`), "vm1-nic");
});
