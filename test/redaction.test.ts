/**
 * Secrets in a snapshot file (which `check --snapshot` reads as given) never
 * reach any output: customData, osProfile.adminPassword, connection strings
 * and SAS tokens in tags and properties are stripped or masked before any
 * evidence value is rendered, in every format and in `diff`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { InputError } from "../src/core/errors.ts";
import { loadSnapshotFile, parseSnapshot } from "../src/core/snapshot/load.ts";
import { stripSecrets } from "../src/core/util/secrets.ts";
import { fixture, lbdoctor } from "./support/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-redaction-"));
const SECRETS = [
  "Sup3r-S3cret-Passw0rd",
  "I2Nsb3VkLWNvbmZpZwpzZWNyZXQ9Y3VzdG9t",
  "dXNlcmRhdGEtc2VjcmV0LXZhbHVl",
  "c2VjcmV0LWFjY291bnQta2V5LXZhbHVlCg==",
  "sv2022sigSECRETSECRETSECRET",
  "protected-extension-secret",
  "Pa55w0rd-in-description",
];

function secretSnapshot(): string {
  const snap = JSON.parse(readFileSync(fixture("demo"), "utf8"));
  for (const r of snap.resources) {
    if (r.type === "Microsoft.Compute/virtualMachines") {
      r.properties.osProfile = { computerName: r.name, adminUsername: "azureuser", adminPassword: SECRETS[0], customData: SECRETS[1] };
      r.properties.userData = SECRETS[2];
      r.resources = [{ name: "ext", type: "extensions", properties: { protectedSettings: { commandToExecute: SECRETS[5] } } }];
      r.tags = { sas: `https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=${SECRETS[4]}` };
    }
    if (r.type === "Microsoft.Network/networkSecurityGroups") {
      r.tags = { storage: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${SECRETS[3]};EndpointSuffix=core.windows.net` };
      for (const rule of r.properties.securityRules) rule.properties.description = `db: Server=x;Password=${SECRETS[6]};`;
    }
    if (r.type === "Microsoft.Network/networkInterfaces") {
      for (const ipc of r.properties.ipConfigurations) ipc.properties.note = `AccountKey=${SECRETS[3]}`;
    }
  }
  const file = join(tmp, "secret.json");
  writeFileSync(file, JSON.stringify(snap));
  return file;
}

function assertClean(what: string, text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${what} shows a secret (${s.slice(0, 8)}…)`);
}

describe("no secret reaches any output", () => {
  const file = secretSnapshot();

  it("check, every format (and --verbose text, which shows passing checks' evidence too)", () => {
    for (const args of [
      ["--verbose"],
      ["--format", "json"],
      ["--format", "sarif"],
      ["--format", "junit"],
      ["--format", "markdown"],
      ["--format", "github"],
    ]) {
      const r = lbdoctor(["check", "--snapshot", file, ...args]);
      assert.equal(r.code, 1, r.stderr);
      assertClean(args.join(" "), r.stdout + r.stderr);
    }
  });

  it("the values were there and are masked, not silently lost from the evidence", () => {
    const report = lbdoctor(["check", "--snapshot", file, "--format", "json"]).stdout;
    assert.match(report, /Password=\[redacted\]/, "the NSG rule description is evidence: masked in place");
    assert.match(report, /AccountKey=\[redacted\]/);
  });

  it("diff shows the changes, masked", () => {
    for (const format of ["text", "json", "markdown"]) {
      const r = lbdoctor(["diff", fixture("demo"), file, "--format", format]);
      assert.equal(r.code, 1, r.stderr);
      assertClean(`diff ${format}`, r.stdout);
      if (format === "json") assert.match(r.stdout, /\[redacted\]/);
    }
  });
});

describe("loading a snapshot file: one walk checks the depth and finds the secrets", () => {
  it("the loaded snapshot is the parsed one with stripSecrets applied: same values removed, same masks", () => {
    const file = secretSnapshot();
    const expected = parseSnapshot(readFileSync(file, "utf8"), file);
    assert.ok(stripSecrets(expected) >= 7, "the file holds secrets to strip");
    const loaded = loadSnapshotFile(file);
    assert.deepEqual(loaded, expected);
    assertClean("loadSnapshotFile", JSON.stringify(loaded));
  });

  it("nesting: 99 levels load; 100 are refused with the same pointer as parseSnapshot, even inside a field that is removed", () => {
    const snap = JSON.parse(readFileSync(fixture("demo"), "utf8"));
    const vm = snap.resources.findIndex((r: { type: string }) => r.type === "Microsoft.Compute/virtualMachines");
    // the root is level 0, resources 1, the resource 2, properties 3, osProfile 4: `n` more arrays inside it
    const nested = (n: number): string => {
      snap.resources[vm].properties.osProfile = { adminPassword: "x", deep: JSON.parse(`${"[".repeat(n)}${"]".repeat(n)}`) };
      const file = join(tmp, `nested-${n}.json`);
      writeFileSync(file, JSON.stringify(snap));
      return file;
    };
    const ok = nested(95);
    assert.equal((loadSnapshotFile(ok) as unknown as { resources: unknown[] }).resources.length, snap.resources.length);
    const deep = nested(96);
    assert.throws(() => parseSnapshot(readFileSync(deep, "utf8"), deep), /nested more than 100 levels deep/);
    const fromParse = (() => {
      try {
        parseSnapshot(readFileSync(deep, "utf8"), deep);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    assert.throws(
      () => loadSnapshotFile(deep),
      (e: Error) => e instanceof InputError && e.message === fromParse,
    );
  });
});

describe("secrets in change records and AWS tags", () => {
  it("a change keyed by a property path that names a secret (properties.osProfile.adminPassword) is removed", () => {
    const doc = {
      changes: {
        "properties.osProfile.adminPassword": { previousValue: "OldP4ssw0rd!", newValue: "N3w!" },
        "properties.userData": { previousValue: "ZXhwb3J0", newValue: "x" },
        "properties.hardwareProfile.vmSize": { previousValue: "Standard_B1s", newValue: "Standard_B2s" },
      },
    };
    stripSecrets(doc);
    assert.deepEqual(Object.keys(doc.changes), ["properties.hardwareProfile.vmSize"]);
  });

  it("JSON held as a string (an Activity Log requestbody, a CloudTrail event) has its secret fields masked", () => {
    const doc = {
      requestbody: JSON.stringify({ properties: { osProfile: { adminPassword: "OldP4ssw0rd!", customData: "I2Nsb3Vk" } } }),
      CloudTrailEvent: JSON.stringify({ requestParameters: { userData: { value: "AWSSEC07" }, instanceType: "t3.micro" } }),
    };
    stripSecrets(doc);
    const text = JSON.stringify(doc);
    for (const secret of ["OldP4ssw0rd!", "I2Nsb3Vk", "AWSSEC07"]) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.ok(text.includes("t3.micro"), "the rest stays");
    assert.doesNotThrow(() => JSON.parse(doc.CloudTrailEvent), "still JSON");
  });

  it("an AWS tag whose key names a secret keeps its key, not its value", () => {
    const tags = [
      { Key: "aws_secret_access_key", Value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
      { Key: "Password", Value: "Hunter2-plain" },
      { Key: "env", Value: "prod" },
    ];
    stripSecrets({ Tags: tags });
    assert.deepEqual(
      tags.map((t) => t.Value),
      ["[redacted]", "[redacted]", "prod"],
    );
    // and through the CLI, from a snapshot file
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-tag-secret-"));
    const snap = JSON.parse(readFileSync(join(fixture("demo"), "..", "..", "aws", "targets-unhealthy.json"), "utf8"));
    snap.ec2.Instances[0].Tags.push({ Key: "Password", Value: "Hunter2-plain" });
    const file = join(dir, "s.json");
    writeFileSync(file, JSON.stringify(snap));
    const r = lbdoctor(["check", "--snapshot", file, "--format", "json", "--include-passed"]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.ok(!r.stdout.includes("Hunter2"), "the tag's value is in no report");
  });
});
