/**
 * AWS watch mode against the AWS emulator: the TUI's live source collects one
 * region with the collector's progress events, then re-polls
 * DescribeTargetHealth; a target the emulator turns healthy between polls is
 * a transition in the session's watch state, and the view's data follows.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AwsEmulator, startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import { awsLiveSource, healthTargetGroupArns } from "../src/providers/aws/live-source.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { TuiSession } from "../src/tui/session.ts";
import { liveSource } from "../src/tui/source.ts";
import { ROOT } from "./support/cli.ts";

const snap = (): AwsSnapshot => JSON.parse(readFileSync(join(ROOT, "fixtures", "aws", "nacl-blocks-health-check.json"), "utf8"));

describe("AWS watch mode (DescribeTargetHealth polling)", () => {
  let emu: AwsEmulator;
  const saved = { ...process.env };
  before(async () => {
    emu = await startAwsEmulator({ snapshots: [snap()] });
    // static credentials: the default chain must never fall through to IMDS
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", AWS_EC2_METADATA_DISABLED: "true" });
  });
  after(async () => {
    await emu.close();
    for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it("picks up a target turning healthy between polls", async () => {
    const source = awsLiveSource(undefined, { provider: "aws", region: "us-east-1", awsEndpoint: emu.url });
    assert.ok(source?.pollHealth, "one region can be watched");
    let t = 1000;
    const session = new TuiSession(source, { watchMs: 60_000, now: () => t });
    await session.load();
    const data = session.getState().data;
    assert.equal(data?.provider, "aws");
    assert.ok(data?.inspector, "the AWS load-balancer view is there");
    const arn = healthTargetGroupArns(snap())[0] as string;
    assert.match(arn, /targetgroup\/web-tg\//);
    assert.match(session.startWatch(), /^watching target health every 60s$/);
    t = 2000;
    await session.pollOnce();
    assert.equal(session.getState().watch.transitions.length, 0, "nothing changed yet");
    const before = emu.counts().DescribeTargetHealth ?? 0;
    emu.setTargetHealth(arn, [
      {
        Target: { Id: "i-0d0a4043b7d057558", Port: 80, AvailabilityZone: "us-east-1a" },
        HealthCheckPort: "80",
        TargetHealth: { State: "healthy" },
      },
      {
        Target: { Id: "i-0d1a405ce80057a11", Port: 80, AvailabilityZone: "us-east-1b" },
        HealthCheckPort: "80",
        TargetHealth: { State: "unhealthy", Reason: "Target.Timeout", Description: "Request timed out" },
      },
    ]);
    t = 3000;
    await session.pollOnce();
    session.stop();
    assert.ok((emu.counts().DescribeTargetHealth ?? 0) > before, "the poll called DescribeTargetHealth");
    const w = session.getState().watch;
    assert.equal(w.transitions.length, 1, JSON.stringify(w.transitions));
    assert.deepEqual([w.transitions[0]?.from, w.transitions[0]?.to, w.transitions[0]?.at], ["unhealthy", "healthy", 3000]);
    assert.match(w.transitions[0]?.label ?? "", /^i-0d0a4043b7d057558 \(web-1\) 10\.0\.11\.10:80 · web-alb\/web-tg$/);
    const tl = w.timelines[w.transitions[0]?.key ?? ""];
    assert.deepEqual(
      tl?.samples.map((s) => s.state),
      ["unhealthy", "unhealthy", "healthy"],
    );
    const lbKey = session.getState().data?.lbs[0]?.key ?? "";
    const web1 = session.getState().data?.inspector?.lbDetail(lbKey)?.frontends[0]?.rules[0]?.members[0];
    assert.equal(web1?.health.state, "healthy", "the view shows the polled state");
  });

  it("routes one region to the AWS source; several regions go through check's acquisition, without watch", async () => {
    const one = await liveSource(undefined, { provider: "aws", region: "us-west-2" });
    assert.equal(one.label, "live: AWS region us-west-2, every load balancer");
    assert.ok(one.pollHealth);
    const wide = await liveSource(undefined, { provider: "aws", region: "us-west-2,eu-west-1" });
    assert.equal(wide.pollHealth, undefined);
    assert.match(wide.watchUnavailable ?? "", /watch polls DescribeTargetHealth in one region/);
  });
});
