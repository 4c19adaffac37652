/**
 * Live-collection flags read before anything is collected: a comma list names each item once, and a flag given an
 * empty value (`--role-arn "$ROLE"` with ROLE unset) is refused instead of read as absent, which would diagnose the
 * caller's own account.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError } from "../src/core/errors.ts";
import { commaList, type LiveOptions } from "../src/core/live.ts";
import { collectAwsLive } from "../src/providers/aws/collect/acquire.ts";
import { AWS_NON_EMPTY_FLAGS } from "../src/providers/aws/live-flags.ts";
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
});
