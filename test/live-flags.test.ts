/**
 * Live-collection flags read before anything is collected: a comma list names each item once, and a flag given an
 * empty value (`--role-arn "$ROLE"` with ROLE unset) is refused instead of read as absent, which would diagnose the
 * caller's own account.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { InputError } from "../src/core/errors.ts";
import { commaList, type LiveOptions } from "../src/core/live.ts";
import { collectAwsLive } from "../src/providers/aws/collect/acquire.ts";
import { startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import { AWS_NON_EMPTY_FLAGS, awsRegions } from "../src/providers/aws/live-flags.ts";
import { awsLiveSource } from "../src/providers/aws/live-source.ts";
import { liveSource } from "../src/tui/source.ts";
import { lbdoctor } from "./support/cli.ts";

describe("live flags", () => {
  it("commaList: trimmed, non-empty, each once, in the order given", () => {
    assert.deepEqual(commaList(" us-east-1, eu-west-1,,us-east-1 ,eu-west-1"), ["us-east-1", "eu-west-1"]);
    assert.deepEqual(commaList(undefined), []);
    assert.deepEqual(commaList(" , "), []);
  });

  it("an empty --role-arn, --role-name, --region, --profile or --subscription is exit 2, before any request", () => {
    // a closed loopback port: were anything collected, the run would fail otherwise
    const env = { LBDOCTOR_AWS_ENDPOINT: "http://127.0.0.1:9", AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "x" };
    for (const [flag, extra] of [
      ["--role-arn", []],
      ["--role-name", ["--accounts", "123456789012"]],
      ["--region", []],
      ["--profile", []],
    ] as const) {
      const r = lbdoctor(["check", "--provider", "aws", "--region", "us-east-1", ...extra, flag, " "], env);
      assert.equal(r.code, 2, `${flag}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^lbdoctor: ${flag} is empty\\n`));
    }
    const az = lbdoctor(["check", "my-rg", "--subscription", ""], { AZURE_SUBSCRIPTION_ID: "" });
    assert.equal(az.code, 2, az.stderr);
    assert.match(az.stderr, /^lbdoctor: --subscription is empty\n/);
  });

  it("the AWS flags refused empty are one list, which check's collector and the TUI's live source both apply", async () => {
    assert.deepEqual(
      AWS_NON_EMPTY_FLAGS.map(([flag]) => flag),
      ["--region", "--role-arn", "--role-name", "--profile"],
    );
    const quiet = { out: () => {}, err: () => {} };
    for (const [flag, key] of AWS_NON_EMPTY_FLAGS) {
      const opts: LiveOptions = { provider: "aws", region: "us-east-1", [key]: " " };
      const refused = (e: unknown) => e instanceof InputError && e.message === `${flag} is empty`;
      assert.throws(() => awsLiveSource(undefined, opts), refused, `the TUI's AWS live source, ${flag}`);
      await assert.rejects(liveSource(undefined, opts), refused, `the TUI's liveSource, ${flag}`);
      await assert.rejects(collectAwsLive(undefined, opts, quiet, false), refused, `check's collector, ${flag}`);
    }
  });

  it("--region is lower-cased (US-EAST-1 collects us-east-1, as its scope and fix commands say) and a non-region is exit 2", async () => {
    assert.deepEqual(awsRegions(" US-East-1,eu-west-1,us-east-1"), ["us-east-1", "eu-west-1"]);
    assert.deepEqual(awsRegions("us-gov-west-1,cn-north-1,us-isob-east-1"), ["us-gov-west-1", "cn-north-1", "us-isob-east-1"]);
    for (const bad of ["us east 1", "us-east-1.evil.example", "localhost", "us-east"]) {
      assert.throws(
        () => awsRegions(bad),
        (e: unknown) => e instanceof InputError && e.message.includes("is not an AWS region name"),
        bad,
      );
    }
    const snap = JSON.parse(readFileSync(new URL("../fixtures/aws/healthy-alb.json", import.meta.url), "utf8"));
    const emu = await startAwsEmulator({ snapshots: [snap] });
    const keys = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = "AKIDTEST";
    process.env.AWS_SECRET_ACCESS_KEY = "test";
    try {
      const quiet = { out: () => {}, err: () => {} };
      const got = await collectAwsLive(undefined, { provider: "aws", region: "US-EAST-1", awsEndpoint: emu.url }, quiet, false);
      assert.equal((got.snapshot.scope as { region?: string }).region, "us-east-1");
      const r = lbdoctor(["check", "--provider", "aws", "--region", "us east 1"], { LBDOCTOR_AWS_ENDPOINT: "http://127.0.0.1:9" });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--region "us east 1" is not an AWS region name/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } finally {
      for (const [k, v] of Object.entries(keys)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await emu.close();
    }
  });
});
