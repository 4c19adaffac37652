/**
 * The AWS guest check (`--guest`) end to end: the real SSM client
 * (@aws-sdk/client-ssm) against the AWS emulator, which serves SSM Run Command
 * over AWS JSON 1.1 on the same endpoint as the Query APIs and makes each
 * instance "print" the fixture's `observations.guest`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import targetsUnhealthy from "../rules/aws/targets-unhealthy/rule.ts";
import { runRules } from "../src/core/engine/run.ts";
import type { Rule } from "../src/core/engine/types.ts";
import { collectAws } from "../src/providers/aws/collect/collect.ts";
import { startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { healthyAlb, IP, ids } from "./support/aws-builder.ts";
import { awsEmulatorEnv, lbdoctorAsync } from "./support/cli.ts";

const CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "test" };

/** web-1 serves on 80; web-2's application is down (nothing listens on 80) and its checks time out. */
function fixture(): AwsSnapshot {
  return healthyAlb()
    .guest(ids.instance.web1, {
      listening: [
        { protocol: "tcp", port: 22, address: "0.0.0.0" },
        { protocol: "tcp", port: 80, address: "0.0.0.0" },
      ],
      connections: [{ remote: "10.0.1.20:41000", local: `${IP.web1}:80`, state: "ESTAB" }],
    })
    .guest(ids.instance.web2, { listening: [{ protocol: "tcp", port: 22, address: "0.0.0.0" }], connections: [] })
    .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "unhealthy", reason: "Target.Timeout" })
    .build();
}

/** The same instances without what the guest check saw (what a collection starts from). */
function withoutGuest(s: AwsSnapshot): AwsSnapshot {
  const c = structuredClone(s);
  delete c.observations;
  return c;
}

const collectOpts = (url: string) => ({
  region: "us-east-1",
  endpoint: url,
  credentials: CREDENTIALS,
  retryStrategy: () => new ConfiguredRetryStrategy(2, () => 0),
  guest: true,
  guestPollMs: 5,
  guestTimeoutMs: 5000,
});

describe("AWS emulator: SSM Run Command over AWS JSON 1.1", () => {
  it("SendCommand, then GetCommandInvocation InProgress → Success with the rendered ss output; unknown invocations and instances are errors", async () => {
    const emu = await startAwsEmulator({ snapshots: [fixture()] });
    const ssm = new SSMClient({ region: "us-east-1", endpoint: emu.url, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const sent = await ssm.send(
        new SendCommandCommand({
          DocumentName: "AWS-RunShellScript",
          InstanceIds: [ids.instance.web1],
          Parameters: { commands: ["ss -Hltn"] },
        }),
      );
      const commandId = sent.Command?.CommandId;
      assert.ok(commandId);
      assert.equal(sent.Command?.Status, "Pending");
      assert.ok(sent.Command?.RequestedDateTime instanceof Date, "timestamps are epoch seconds the SDK parses");
      const first = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: ids.instance.web1 }));
      assert.equal(first.Status, "InProgress");
      const done = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: ids.instance.web1 }));
      assert.equal(done.Status, "Success");
      assert.equal(done.PluginName, "aws:runShellScript");
      assert.match(done.StandardOutputContent ?? "", /^### listening\nLISTEN .*0\.0\.0\.0:22/m);
      assert.match(done.StandardOutputContent ?? "", /ESTAB .*10\.0\.11\.10:80 +10\.0\.1\.20:41000/);
      const listed = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }));
      assert.equal(listed.CommandInvocations?.[0]?.InstanceId, ids.instance.web1);
      await assert.rejects(
        ssm.send(new GetCommandInvocationCommand({ CommandId: "00000000-0000-0000-0000-000000000000", InstanceId: ids.instance.web1 })),
        (e: Error) => e.name === "InvocationDoesNotExist",
      );
      await assert.rejects(
        ssm.send(
          new SendCommandCommand({
            DocumentName: "AWS-RunShellScript",
            InstanceIds: ["i-0000000000000dead"],
            Parameters: { commands: ["ss"] },
          }),
        ),
        (e: Error) => e.name === "InvalidInstanceId",
      );
      assert.equal(emu.counts().SendCommand, 2);
      assert.equal(emu.counts().GetCommandInvocation, 3);
    } finally {
      ssm.destroy();
      await emu.close();
    }
  });
});

describe("AWS collector: --guest through SSM", () => {
  it("records what each running instance printed under observations.guest, by instance id, in Azure's shape", async () => {
    const fx = fixture();
    const emu = await startAwsEmulator({ snapshots: [fx] });
    try {
      const got = await collectAws(collectOpts(emu.url));
      assert.deepEqual(got.gaps, []);
      assert.deepEqual(Object.keys(got.observations?.guest ?? {}).sort(), [ids.instance.web1, ids.instance.web2].sort());
      assert.deepEqual(got.observations?.guest?.[ids.instance.web1], fx.observations?.guest?.[ids.instance.web1]);
      assert.deepEqual(got.observations?.guest?.[ids.instance.web2], fx.observations?.guest?.[ids.instance.web2]);
      assert.equal(emu.counts().SendCommand, 2);
      assert.ok((emu.counts().GetCommandInvocation ?? 0) >= 4, "polled until the invocations ended");
      // and the rules read it: web-2's timeout is explained by nothing listening on 80
      const f = runRules(buildAwsModel(got), [targetsUnhealthy as unknown as Rule]).find(
        (x) => x.status === "fail" && x.resourceId === ids.instance.web2,
      );
      assert.ok(f);
      assert.match(f.message, /guest check shows nothing listening on TCP port 80/);
    } finally {
      await emu.close();
    }
  });

  it("without --guest nothing runs inside instances", async () => {
    const emu = await startAwsEmulator({ snapshots: [fixture()] });
    try {
      const got = await collectAws({ ...collectOpts(emu.url), guest: false });
      assert.equal(got.observations, undefined);
      assert.equal(emu.counts().SendCommand, undefined);
    } finally {
      await emu.close();
    }
  });

  it("SendCommand denied (403): a gap per instance naming the permission, no guest data, the dependent finding says the check failed", async () => {
    const emu = await startAwsEmulator({
      snapshots: [fixture()],
      faults: [{ action: "SendCommand", fault: "denied", status: 403 }],
    });
    try {
      const got = await collectAws(collectOpts(emu.url));
      const gaps = got.gaps ?? [];
      assert.deepEqual(gaps.map((g) => g.resourceId).sort(), [ids.instance.web1, ids.instance.web2].sort());
      for (const g of gaps) {
        assert.equal(g.operation, "ssm:SendCommand");
        assert.equal(g.status, 403);
        assert.equal(g.code, "AccessDeniedException");
      }
      assert.deepEqual(got.observations?.guest, {});
      const f = runRules(buildAwsModel(got), [targetsUnhealthy as unknown as Rule]).find(
        (x) => x.status === "fail" && x.resourceId === ids.instance.web2,
      );
      assert.ok(f);
      assert.match(f.message, /the guest check failed: User is not authorized/);
      assert.doesNotMatch(f.message, /guest check shows/);
    } finally {
      await emu.close();
    }
  });

  it("an instance the script fails on is a gap on that instance only", async () => {
    const emu = await startAwsEmulator({
      snapshots: [withoutGuest(fixture())],
      faults: [{ action: "GetCommandInvocation", fault: "error", code: "InternalServerError", status: 500, match: ids.instance.web2 }],
    });
    try {
      const got = await collectAws(collectOpts(emu.url));
      assert.deepEqual(
        (got.gaps ?? []).map((g) => [g.operation, g.resourceId]),
        [["ssm:GetCommandInvocation", ids.instance.web2]],
      );
      assert.deepEqual(Object.keys(got.observations?.guest ?? {}), [ids.instance.web1]);
    } finally {
      await emu.close();
    }
  });
});

describe("lbdoctor check --provider aws --guest (the binary)", () => {
  it("collects through SSM and the report reads it; without --guest no command is sent", async () => {
    const emu = await startAwsEmulator({ snapshots: [fixture()] });
    const check = (extra: string[]) =>
      lbdoctorAsync(
        ["check", "--provider", "aws", "--region", "us-east-1", "--aws-endpoint", emu.url, "--format", "json", "--quiet", ...extra],
        awsEmulatorEnv(),
        { inherit: false },
      );
    try {
      const r = await check(["--guest"]);
      assert.equal(r.code, 1, r.stderr);
      const report = JSON.parse(r.stdout) as { findings: Array<{ ruleId: string; status: string; resourceId: string; message: string }> };
      const f = report.findings.find(
        (x) => x.ruleId === "aws/targets-unhealthy" && x.resourceId === ids.instance.web2 && x.status === "fail",
      );
      assert.ok(f, r.stdout.slice(0, 500));
      assert.match(f.message, /guest check shows nothing listening on TCP port 80/);
      assert.equal(emu.counts().SendCommand, 2);
      emu.resetCounts();
      const plain = await check([]);
      assert.equal(plain.code, 1, plain.stderr);
      assert.equal(emu.counts().SendCommand, undefined);
    } finally {
      await emu.close();
    }
  });
});
