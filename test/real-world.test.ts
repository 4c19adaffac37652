/**
 * Real-world shapes (issue 16): the published examples in test/contract that
 * lbdoctor got wrong, one assertion per shape. Each test failed before its fix.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { armTypeFromId, completeArmResources } from "../src/core/snapshot/arm-type.ts";
import { parseSnapshot, validateSnapshot } from "../src/core/snapshot/load.ts";
import type { AzureModel } from "../src/providers/azure/model.ts";
import {
  type AzureExample,
  addExample,
  azureExamples,
  azureSnapshot,
  diagnoseContract,
  emptyParts,
  responseBodies,
} from "./support/contract.ts";

const azure = azureExamples();
export const example = (n: string): AzureExample => {
  const ex = azure.find((e) => e.name === n);
  assert.ok(ex, `example ${n} is in the corpus`);
  return ex;
};

describe("ARM `type` is read-only and optional: derived from the id", () => {
  it("armTypeFromId reads the namespace and every type segment, child resources included", () => {
    assert.equal(
      armTypeFromId("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s1"),
      "Microsoft.Network/virtualNetworks/subnets",
    );
    assert.equal(
      armTypeFromId(
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/0/networkInterfaces/n",
      ),
      "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/networkInterfaces",
    );
    assert.equal(armTypeFromId("/subscriptions/s/resourceGroups/rg"), undefined);
  });

  it("SubnetGet.json (no type, no location, no etag) passes the schema and joins the model as a subnet", () => {
    const body = responseBodies(example("SubnetGet"))[0] as Record<string, unknown>;
    assert.equal(body.type, undefined, "the published body has no type");
    const doc = azureSnapshot(addExample(emptyParts(), example("SubnetGet")), "subnet");
    assert.deepEqual(validateSnapshot(doc), []);
    const { model } = diagnoseContract(doc);
    const subnets = (model as AzureModel).subnets;
    assert.deepEqual(
      subnets.map((s) => [s.name, s.prefixes]),
      [["subnet1", ["10.0.0.0/16"]]],
    );
  });

  it("the loader fills type and name in; a body that has them is left as it is", () => {
    const id =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/0/networkInterfaces/nic";
    const text = JSON.stringify({
      schema: "lbdoctor.snapshot/v1",
      provider: "azure",
      collectedAt: "2026-01-01T00:00:00Z",
      scope: {},
      resources: [
        { id, properties: {} },
        { id: `${id}2`, name: "x", type: "Microsoft.Network/networkInterfaces" },
      ],
    });
    const s = parseSnapshot(text) as unknown as { resources: Array<{ name: string; type: string }> };
    assert.deepEqual(
      s.resources.map((r) => [r.name, r.type]),
      [
        ["nic", "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/networkInterfaces"],
        ["x", "Microsoft.Network/networkInterfaces"],
      ],
    );
    const same = { resources: [{ id, name: "n", type: "t/x" }] };
    assert.equal(completeArmResources(same), same, "nothing missing: the same object");
  });
});

describe("port 0 is any port (the REST spec), not only with protocol All", () => {
  /** The Gateway provider example's response, with its rule on the ports the example's request sends (0), under the given protocol. */
  const gatewayOnPort0 = (protocol: string) => {
    const parts = addExample(emptyParts(), example("LoadBalancerCreateGatewayLoadBalancerProviderWithOneBackendPool"));
    const lb = parts.resources[0] as { properties: { loadBalancingRules: Array<{ properties: Record<string, unknown> }> } };
    const rule = lb.properties.loadBalancingRules[0];
    assert.ok(rule);
    Object.assign(rule.properties, { frontendPort: 0, backendPort: 0, protocol });
    return azureSnapshot(parts, `gateway provider, rule ${protocol} 0`);
  };
  for (const protocol of ["Tcp", "All"]) {
    it(`azure/probe-port-mismatch does not fire on the Gateway provider rule ${protocol} 0 (probe on 80)`, () => {
      const { findings } = diagnoseContract(gatewayOnPort0(protocol));
      const f = findings.filter((x) => x.ruleId === "azure/probe-port-mismatch");
      assert.deepEqual(
        f.map((x) => x.status),
        ["not-applicable"],
      );
      assert.match(f[0]?.message ?? "", /every port/);
    });
  }
});
