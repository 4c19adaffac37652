import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { rules } from "../rules/index.ts";
import { validateSnapshot } from "../src/core/snapshot/load.ts";
import { ROOT } from "./support/cli.ts";

/** The Azure rule ids are a public contract. */
const AZURE_IDS = [
  "azure/change-before-failure",
  "azure/snat-port-exhaustion",
  "azure/probe-flapping",
  "azure/probe-blocked-by-nsg",
  "azure/data-port-blocked-by-nsg",
  "azure/standard-lb-no-nsg",
  "azure/backend-unhealthy",
  "azure/port-not-listening",
  "azure/ilb-self-access",
  "azure/single-nic-hairpin",
  "azure/session-persistence-skew",
  "azure/backend-pool-empty",
  "azure/single-backend",
  "azure/backend-vm-stopped",
  "azure/vm-not-in-pool",
  "azure/availability-mismatch",
  "azure/probe-protocol-mismatch",
  "azure/probe-port-mismatch",
  "azure/rule-without-probe",
  "azure/backend-public-ip",
  "azure/nat-rule-conflict",
  "azure/nva-ip-forwarding-disabled",
  "azure/nva-single-point-of-failure",
  "azure/udr-asymmetric-route",
  "azure/basic-sku-retired",
  "azure/admin-state-down",
  "azure/no-outbound-connectivity",
  "azure/floating-ip-guest-config",
  "azure/vmss-model-drift",
  "azure/backend-address-unresolved",
  "azure/cross-region-member",
  "azure/gateway-lb-unhealthy",
];

/** The AWS rule ids are a public contract too. */
const AWS_IDS = [
  "aws/change-before-failure",
  "aws/target-flapping",
  "aws/target-sg-blocks-health-check",
  "aws/target-sg-blocks-traffic",
  "aws/lb-sg-blocks-listener",
  "aws/lb-sg-egress-blocks-targets",
  "aws/nacl-blocks-health-check",
  "aws/targets-unhealthy",
  "aws/health-check-path-mismatch",
  "aws/target-group-empty",
  "aws/target-az-not-enabled",
  "aws/target-stopped",
  "aws/single-az",
  "aws/cross-zone-skew",
  "aws/stickiness-skew",
  "aws/deregistration-delay",
  "aws/asg-ec2-health-check",
  "aws/nlb-hairpin",
  "aws/internet-facing-in-private-subnets",
  "aws/listener-no-target-group",
  "aws/target-public-ip",
  // issue 14
  "aws/target-anomalous",
  "aws/zonal-shift-active",
  "aws/asg-grace-period-too-short",
];

describe("rule catalog", () => {
  it("holds exactly the public AWS rule ids", () => {
    assert.deepEqual(
      rules
        .filter((r) => r.provider === "aws")
        .map((r) => r.id)
        .sort(),
      [...AWS_IDS].sort(),
    );
  });

  it("holds exactly the public Azure rule ids", () => {
    assert.deepEqual(
      rules
        .filter((r) => r.provider === "azure")
        .map((r) => r.id)
        .sort(),
      [...AZURE_IDS].sort(),
    );
  });

  for (const rule of rules) {
    describe(rule.id, () => {
      const dir = join(ROOT, "rules", rule.id);
      it("lives in rules/<id>/ with rule.ts, cases.ts and rule.test.ts", () => {
        for (const f of ["rule.ts", "cases.ts", "rule.test.ts"]) assert.ok(existsSync(join(dir, f)), `missing ${rule.id}/${f}`);
      });
      it("the id equals the folder path", async () => {
        const mod = await import(pathToFileURL(join(dir, "rule.ts")).href);
        assert.equal(mod.default.id, rule.id);
      });
      it("has a source, references, messages and a generated doc", () => {
        assert.ok(rule.source.length > 0);
        assert.ok(rule.references.length > 0, "at least one public reference");
        assert.ok(Object.keys(rule.messages).length > 0);
        const doc = readFileSync(join(ROOT, "docs", "rules", `${rule.id}.md`), "utf8");
        assert.ok(doc.startsWith(`# ${rule.id}\n`), "the doc's title is the id");
      });
      it("its cases have valid and invalid entries and its fixture fails it", async () => {
        const { cases } = await import(pathToFileURL(join(dir, "cases.ts")).href);
        assert.ok(cases.valid.length >= 2, "at least two valid cases");
        assert.ok(cases.invalid.length >= 2, "at least two invalid cases");
        assert.ok(
          existsSync(join(ROOT, "fixtures", rule.provider, `${rule.id.split("/")[1]}.json`)),
          "fixture generated from the first invalid case",
        );
      });
      it("every explained rule exists", () => {
        for (const x of rule.explains ?? [])
          assert.ok(
            rules.some((r) => r.id === x),
            `${rule.id} explains unknown rule ${x}`,
          );
      });
    });
  }
});

describe("fixtures", () => {
  const dir = join(ROOT, "fixtures", "azure");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
    it(`${f} validates against the snapshot schema`, () => {
      assert.deepEqual(validateSnapshot(JSON.parse(readFileSync(join(dir, f), "utf8"))), []);
    });
  }
});
