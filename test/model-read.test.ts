import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { resourceGroupOf } from "../src/providers/azure/model/read.ts";

test("resourceGroupOf: the segment after the first resourceGroups segment, in any case, as a split of the id gives it", () => {
  const bySplit = (id: string) => {
    const parts = id.split("/");
    const i = parts.findIndex((p) => p.toLowerCase() === "resourcegroups");
    return i >= 0 ? parts[i + 1] : undefined;
  };
  const segment = fc.constantFrom(
    "resourceGroups",
    "RESOURCEGROUPS",
    "resourcegroupsX",
    "xresourceGroups",
    "rg",
    "Web-RG",
    "",
    "subscriptions",
    "providers",
  );
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 7 }), (segments) => {
      const id = segments.join("/");
      return resourceGroupOf(id) === bySplit(id);
    }),
    { numRuns: 20000, seed: 7 },
  );
  assert.equal(resourceGroupOf("/subscriptions/s/resourceGroups/Web-RG/providers/Microsoft.Network/networkInterfaces/nic1"), "Web-RG");
  assert.equal(resourceGroupOf("/subscriptions/s/resourcegroups/"), "");
  assert.equal(resourceGroupOf("/subscriptions/s/resourceGroups"), undefined);
  assert.equal(resourceGroupOf("/subscriptions/s/resourceGroupsX/rg"), undefined);
});
