/**
 * The contract suite: Microsoft's and AWS's published examples (test/contract,
 * verbatim, origin in test/contract/ORIGIN.md), wrapped into snapshots.
 * Every body loads (schema, loader, model), every rule gives a verdict or
 * `unknown` and never an `error`, no message carries an unfilled slot, and
 * every report format renders. Targeted assertions for the shapes the
 * examples showed lbdoctor getting wrong live in test/real-world.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { rules } from "../rules/index.ts";
import type { Model } from "../src/core/engine/types.ts";
import type { ProviderAdapter } from "../src/core/provider.ts";
import { FORMAT_NAMES, loadFormatter } from "../src/core/report/formats.ts";
import { buildReport } from "../src/core/report/report.ts";
import { awsProvider } from "../src/providers/aws/adapter.ts";
import { azureProvider } from "../src/providers/azure/adapter.ts";
import {
  type AzureExample,
  addExample,
  assertSensible,
  awsExampleFiles,
  awsSnapshot,
  azureExamples,
  azureSnapshot,
  bodyKind,
  CONTRACT,
  diagnoseContract,
  emptyAwsParts,
  emptyParts,
  placeBlock,
  responseBodies,
  rstBlocks,
} from "./support/contract.ts";

async function assertRenders(doc: Record<string, unknown>): Promise<void> {
  const { snapshot, model, findings } = diagnoseContract(doc);
  const adapter = (snapshot.provider === "azure" ? azureProvider : awsProvider) as unknown as ProviderAdapter<Model>;
  const report = buildReport({
    model,
    loadBalancers: adapter.loadBalancers(model),
    findings,
    failOn: "high",
    version: "0.0.0-test",
    rulesRun: rules.length,
  });
  for (const name of FORMAT_NAMES) {
    const out = (await loadFormatter(name))(report, { color: false, verbose: true });
    assert.ok(out.length > 0, `${name} renders`);
    assert.doesNotMatch(out, /\bundefined\b|\bNaN\b|\[object Object\]/, `${name} has no garbled value`);
  }
}

const azure = azureExamples();
const byName = (n: string) => {
  const ex = azure.find((e) => e.name === n);
  assert.ok(ex, `example ${n} is in the corpus`);
  return ex;
};

describe("contract: Azure REST API examples", () => {
  it("the corpus holds the Network and Compute examples, each a valid x-ms-examples document", () => {
    assert.ok(azure.length >= 17, `${azure.length} examples`);
    for (const ex of azure) assert.ok(responseBodies(ex).length > 0, `${ex.rel} has a response body`);
  });

  for (const ex of azure) {
    it(`${ex.rel}: each body loads alone and every rule gives a verdict`, async () => {
      for (const body of responseBodies(ex)) {
        const kind = bodyKind(ex, body);
        assert.notEqual(kind, "other", "a body lbdoctor reads");
        if (kind === "instanceView") continue; // composed with its VM below
        const parts = emptyParts();
        addExample(parts, { ...ex, doc: { ...ex.doc, responses: { "200": { body } } } } as AzureExample);
        const { findings } = diagnoseContract(azureSnapshot(parts, ex.rel));
        assertSensible(findings);
      }
    });
  }

  const context = azure.filter((ex) => !ex.name.startsWith("LoadBalancer") || ex.name === "LoadBalancerHealth");
  for (const lbEx of azure.filter((ex) => ex.name.startsWith("LoadBalancer") && ex.name !== "LoadBalancerHealth")) {
    it(`${lbEx.name} with every other example around it (VNet, subnet, NSG, NIC, effective NSGs, rule health, VM): loads, renders, no rule errors`, async () => {
      const parts = emptyParts();
      for (const ex of context) addExample(parts, ex);
      addExample(parts, lbEx);
      const lb = responseBodies(lbEx)[0] as { properties?: { loadBalancingRules?: Array<{ id: string }> } };
      const ruleId = lb.properties?.loadBalancingRules?.[0]?.id;
      if (ruleId) addExample(parts, byName("LoadBalancerHealth"), { ruleId });
      const doc = azureSnapshot(parts, `${lbEx.rel} in context`);
      assertSensible(diagnoseContract(doc).findings);
      await assertRenders(doc);
    });
  }

  it("a VM with its instance view (Compute 2026-04-01) reads its power state", () => {
    const parts = emptyParts();
    addExample(parts, byName("VirtualMachine_Get"));
    addExample(parts, byName("VirtualMachine_Get_InstanceView"));
    const { model, findings } = diagnoseContract(azureSnapshot(parts, "VM + instance view"));
    assertSensible(findings);
    const vms = (model as unknown as { vms: Array<{ name: string; powerState?: string }> }).vms;
    assert.deepEqual(
      vms.map((v) => [v.name, v.powerState]),
      [["myVM", "running"]],
    );
  });
});

describe("contract: AWS CLI examples", () => {
  const files = awsExampleFiles();
  it("the corpus holds the elbv2, ec2 and autoscaling examples", () => {
    for (const s of ["elbv2", "ec2", "autoscaling"])
      assert.ok(
        files.some((f) => f.includes(`/aws/${s}/`)),
        s,
      );
  });

  for (const file of files) {
    const blocks = rstBlocks(file);
    const rel = file.slice(CONTRACT.length + 1);
    if (!blocks.some((b) => "placed" in placeBlock(emptyAwsParts(), b))) continue; // listed with the unloadable ones below
    it(`${rel}: every JSON output loads in its section and every rule gives a verdict`, async () => {
      for (const b of blocks) {
        const parts = emptyAwsParts();
        const where = placeBlock(parts, b);
        if ("skipped" in where) continue;
        const doc = awsSnapshot(parts, `${rel} block ${b.n}`);
        assertSensible(diagnoseContract(doc).findings);
        await assertRenders(doc);
      }
    });
  }

  it("the published outputs that cannot load are the known ones (invalid JSON as published, projections, text output)", () => {
    const skipped: string[] = [];
    for (const file of files) {
      for (const b of rstBlocks(file)) {
        const where = placeBlock(emptyAwsParts(), b);
        if ("skipped" in where) skipped.push(`${b.rel}#${b.n}`);
      }
    }
    // each of these is explained in test/contract/ORIGIN.md; a new one means the corpus or the wrapper moved
    assert.deepEqual(skipped.sort(), [
      "aws/ec2/describe-instances.rst#2",
      "aws/ec2/describe-instances.rst#3",
      "aws/ec2/describe-instances.rst#4",
      "aws/ec2/describe-instances.rst#5",
      "aws/ec2/describe-instances.rst#6",
      "aws/ec2/describe-instances.rst#7",
      "aws/ec2/describe-instances.rst#8",
      "aws/ec2/describe-security-groups.rst#1",
      "aws/ec2/describe-security-groups.rst#2",
      "aws/ec2/describe-security-groups.rst#3",
      "aws/ec2/describe-subnets.rst#1",
      "aws/ec2/describe-subnets.rst#3",
      "aws/elbv2/describe-tags.rst#1",
      "aws/elbv2/describe-target-groups.rst#2",
      "aws/elbv2/describe-target-health.rst#6",
      "aws/elbv2/modify-listener.rst#2",
      "aws/elbv2/modify-listener.rst#3",
    ]);
  });

  it("every loadable output together in one snapshot: loads, renders, no rule errors", async () => {
    const parts = emptyAwsParts();
    for (const file of files) for (const b of rstBlocks(file)) placeBlock(parts, b);
    const doc = awsSnapshot(parts, "every AWS example output");
    assertSensible(diagnoseContract(doc).findings);
    await assertRenders(doc);
  });
});

describe("contract: the corpus is recorded", () => {
  it("ORIGIN.md names the repository, commit and source path of every file", () => {
    const origin = readFileSync(join(CONTRACT, "ORIGIN.md"), "utf8");
    const files = [...azure.map((e) => e.rel), ...awsExampleFiles().map((f) => f.slice(CONTRACT.length + 1))];
    for (const f of files) assert.match(origin, new RegExp(`\\| \`${f.replace(/[.]/g, "\\.")}\` \\|`), `${f} has an origin row`);
  });
});
