/**
 * Live collection under hostile conditions, through the real SDKs against the
 * emulators on 127.0.0.1: an operation that never finishes, a failed call
 * whose data other data was matched by, a resource group name that is no name.
 * Each must become a gap (rules that need it say unknown, never pass or not
 * applicable) or a one-line exit 2, never a hang or a silent drop.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { rules } from "../rules/index.ts";
import { runRules } from "../src/core/engine/run.ts";
import { InputError } from "../src/core/errors.ts";
import { collectAws } from "../src/providers/aws/collect/collect.ts";
import { startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { idKey } from "../src/providers/azure/arm-id.ts";
import { collectAzure } from "../src/providers/azure/collect/collect.ts";
import { staticTokenCredential } from "../src/providers/azure/collect/credentials.ts";
import { type ArmEmulator, startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import { healthyWeb, ids, RG, SUB } from "./support/azure-builder.ts";
import { lbdoctorAsync, ROOT } from "./support/cli.ts";

/** The resource group collected from an emulator, with `extra` options (the rest as every test here sets them). */
function collectFrom(emu: ArmEmulator, extra: Partial<Parameters<typeof collectAzure>[0]> = {}) {
  return collectAzure({
    subscriptionId: SUB,
    resourceGroup: RG,
    credential: staticTokenCredential("test"),
    endpoint: emu.url,
    ca: emu.ca,
    effectiveNsg: false,
    ...extra,
  });
}

describe("Azure: a long-running operation that never finishes", () => {
  const web = healthyWeb().build();

  it("is given up after its time: a gap on it, its rules unknown, the rest collected, no busy polling", { timeout: 30_000 }, async () => {
    // the result is never ready, and every 202 says Retry-After: 0
    const emu = await startArmEmulator({ snapshots: [web], lroMs: 1e9, lroRetryAfterSeconds: 0 });
    // a collector that never gives up would poll forever: the emulator goes away after 15 s, and the gap is then no LroTimeout
    const guard = setTimeout(() => void emu.close(), 15_000);
    try {
      const snap = await collectFrom(emu, { pollIntervalMs: 50, lroTimeoutMs: 400 });
      const gaps = snap.gaps ?? [];
      assert.deepEqual(
        gaps.map((g) => [g.operation, g.code]),
        [["loadBalancerLoadBalancingRules.health", "LroTimeout"]],
      );
      assert.match(gaps[0]?.message ?? "", /did not finish within 400 ms/);
      assert.deepEqual(snap.resources.map((r) => idKey(r.id)).sort(), web.resources.map((r) => idKey(r.id)).sort());
      // a Retry-After of 0 is honoured once, then the poll interval: not thousands of polls in 400 ms
      assert.ok((emu.counts()["lro.poll"] ?? 0) < 40, `${emu.counts()["lro.poll"]} polls`);
      const health = runRules(buildAzureModel(snap), rules).filter(
        (f) => f.ruleId === "azure/backend-unhealthy" && idKey(f.loadBalancerId ?? "") === idKey(ids.lb("lb-web")),
      );
      assert.ok(health.length > 0 && health.every((f) => f.status === "unknown"), JSON.stringify(health.map((f) => f.status)));
    } finally {
      clearTimeout(guard);
      await emu.close();
    }
  });
});

describe("Azure: throttled with a Retry-After longer than lbdoctor waits", () => {
  it("is a gap at once that says how long ARM asked to wait, not a silent stall; the rest is collected", { timeout: 30_000 }, async () => {
    const web = healthyWeb().build();
    const emu = await startArmEmulator({ snapshots: [web], faults: [{ route: "natGateways.list", status: 429, retryAfterMs: 120_000 }] });
    try {
      const t0 = performance.now();
      const snap = await collectFrom(emu, { pollIntervalMs: 5, maxRetries: 1 });
      assert.ok(performance.now() - t0 < 20_000, "did not sit out the 120 s");
      const gaps = snap.gaps ?? [];
      assert.deepEqual(
        gaps.map((g) => [g.operation, g.status, g.code]),
        [["natGateways.list", 429, "TooManyRequests"]],
      );
      assert.match(gaps[0]?.message ?? "", /asked to wait 120 s/);
      assert.equal(emu.counts()["natGateways.list"], 1, "no retry into the same throttle");
      assert.ok(snap.resources.some((r) => r.type === "Microsoft.Network/loadBalancers"));
    } finally {
      await emu.close();
    }
  });

  it("a short Retry-After is still waited out and retried: no gap", async () => {
    const web = healthyWeb().build();
    const emu = await startArmEmulator({
      snapshots: [web],
      faults: [{ route: "natGateways.list", status: 429, retryAfterMs: 20, times: 1 }],
    });
    try {
      const snap = await collectFrom(emu);
      assert.deepEqual(snap.gaps, []);
      assert.equal(emu.counts()["natGateways.list"], 2);
    } finally {
      await emu.close();
    }
  });
});

describe("Azure: refused lists", () => {
  it("a refused list is a gap that says what ARM said (which action, which scope), not 'Pagination failed'", async () => {
    const web = healthyWeb().build();
    const message = "The client 'ops@contoso.com' does not have authorization to perform action 'Microsoft.Network/natGateways/read'.";
    const emu = await startArmEmulator({ snapshots: [web], faults: [{ route: "natGateways.list", status: 403, message }] });
    try {
      const snap = await collectFrom(emu);
      assert.deepEqual(
        (snap.gaps ?? []).map((g) => [g.operation, g.status, g.code, g.message]),
        [["natGateways.list", 403, "AuthorizationFailed", message]],
      );
    } finally {
      await emu.close();
    }
  });

  it("every list of the resource group refused: exit 2 with one line naming the group and what ARM said, no report, no file", async () => {
    const emu = await startArmEmulator({ snapshots: [healthyWeb().build()], faults: [{ path: /\/resourcegroups\//i, status: 403 }] });
    const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-refused-"));
    try {
      const ca = join(tmp, "ca.pem");
      writeFileSync(ca, emu.ca);
      const env = { LBDOCTOR_ARM_ENDPOINT: emu.url, LBDOCTOR_ARM_CA_FILE: ca, LBDOCTOR_ARM_TOKEN: "t", AZURE_SUBSCRIPTION_ID: SUB };
      const check = await lbdoctorAsync(["check", RG, "--quiet"], env);
      assert.equal(check.code, 2, check.stdout);
      assert.equal(check.stdout, "");
      assert.match(
        check.stderr,
        new RegExp(`not authorized to read resource group '${RG}'.*403 AuthorizationFailed: The client does not have authorization`),
      );
      assert.doesNotMatch(check.stderr, /\n\s+at /);
      const out = join(tmp, "snap.json");
      const snap = await lbdoctorAsync(["snapshot", RG, "-o", out, "--quiet"], env);
      assert.equal(snap.code, 2);
      assert.deepEqual(readdirSync(tmp).sort(), ["ca.pem"]);
    } finally {
      await emu.close();
    }
  });
});

describe("Azure: a resource group name that is no name", () => {
  let emu: ArmEmulator;
  let env: Record<string, string>;
  const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-collect-hostile-"));
  before(async () => {
    emu = await startArmEmulator({ snapshots: [healthyWeb().build()] });
    const ca = join(tmp, "ca.pem");
    writeFileSync(ca, emu.ca);
    env = { LBDOCTOR_ARM_ENDPOINT: emu.url, LBDOCTOR_ARM_CA_FILE: ca, LBDOCTOR_ARM_TOKEN: "t", AZURE_SUBSCRIPTION_ID: SUB };
  });
  after(() => emu.close());

  it("a path (../x), a trailing period or 91 characters: exit 2 with one clear line, no call made, no output file", async () => {
    for (const name of ["../../x", `${RG}/x`, "rg.", "x".repeat(91)]) {
      emu.resetCounts();
      const out = join(tmp, "report.json");
      const r = await lbdoctorAsync(["snapshot", name, "-o", out, "--quiet"], env);
      assert.equal(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /is not a valid resource group name/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(emu.total(), 0, `${name}: no request was sent`);
      assert.ok(!readdirSync(tmp).includes("report.json"));
    }
  });

  it("a name Azure allows (unicode letters, parentheses, periods inside) is collected", async () => {
    for (const name of ["rg.(test)_1", "grüße-rg"]) {
      await assert.rejects(
        collectFrom(emu, { resourceGroup: name }),
        (e: unknown) => e instanceof InputError && /was not found/.test(e.message),
      );
    }
  });
});

describe("AWS: target groups that could not be read", () => {
  const snap = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/asg-ec2-health-check.json"), "utf8")) as AwsSnapshot;

  it("leave the Auto Scaling groups matched by them as a gap: the ASG rules say unknown, not 'nothing in scope'", async () => {
    const emu = await startAwsEmulator({ snapshots: [snap], faults: [{ action: "DescribeTargetGroups", fault: "denied" }] });
    try {
      const got = await collectAws({
        region: snap.scope.region ?? "us-east-1",
        endpoint: emu.url,
        credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
        retryStrategy: () => new ConfiguredRetryStrategy(1, () => 0),
      });
      const lbArn = String(snap.elbv2.LoadBalancers[0]?.LoadBalancerArn);
      assert.ok(
        (got.gaps ?? []).some((g) => g.operation === "autoscaling:DescribeAutoScalingGroups" && g.resourceId === lbArn),
        JSON.stringify(got.gaps),
      );
      const asg = runRules(buildAwsModel(got), rules).filter((f) => f.ruleId === "aws/asg-ec2-health-check");
      assert.ok(asg.length > 0);
      assert.ok(
        asg.every((f) => f.status === "unknown" || f.status === "fail"),
        JSON.stringify(asg.map((f) => [f.status, f.message])),
      );
    } finally {
      await emu.close();
    }
  });

  it("a snapshot that records only the DescribeTargetGroups gap (an older collector's) leaves the ASG rules unknown too", () => {
    const doc = JSON.parse(readFileSync(new URL("../fixtures/aws/asg-ec2-health-check.json", import.meta.url), "utf8"));
    const lbArn = String(doc.elbv2.LoadBalancers[0].LoadBalancerArn);
    // what such a collector wrote: no target groups, so no Auto Scaling group matched, and one gap
    doc.elbv2.TargetGroups = [];
    doc.elbv2.TargetHealth = {};
    doc.autoscaling.AutoScalingGroups = [];
    doc.gaps = [{ operation: "elasticloadbalancing:DescribeTargetGroups", resourceId: lbArn, message: "AccessDenied", status: 403 }];
    const asg = runRules(buildAwsModel(doc), rules).filter((f) => f.ruleId === "aws/asg-ec2-health-check");
    assert.ok(asg.length > 0 && asg.every((f) => f.status === "unknown"), JSON.stringify(asg.map((f) => [f.status, f.message])));
  });
});
