/**
 * Live AWS collection end to end: the real SDK v3 clients (ELBv2, EC2, Auto
 * Scaling) against the Query-protocol emulator serving the fixtures, over
 * HTTP on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { InputError } from "../src/core/errors.ts";
import { loadSnapshotFile } from "../src/core/snapshot/load.ts";
import { type AwsCollectOptions, type CollectEvent, collectAws } from "../src/providers/aws/collect/collect.ts";
import { type AwsEmulator, startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { awsEmulatorEnv, lbdoctorAsync, ROOT } from "./support/cli.ts";

type Rec = Record<string, unknown>;

const OWN = join(ROOT, "test/fixtures-aws/web-two-az.json");
const SHARED = join(ROOT, "fixtures/aws");
/** Our own fixture, and the shared AWS fixtures when they exist. */
const FIXTURES: Array<{ name: string; path: string }> = [
  { name: "test/fixtures-aws/web-two-az.json", path: OWN },
  ...(existsSync(SHARED)
    ? readdirSync(SHARED)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => ({ name: `fixtures/aws/${f}`, path: join(SHARED, f) }))
    : []),
];
const load = (path: string): AwsSnapshot => JSON.parse(readFileSync(path, "utf8"));
const own = () => load(OWN);
const clone = <T>(x: T): T => structuredClone(x);

const CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "test" };

function opts(emu: AwsEmulator, snap: AwsSnapshot, extra: Partial<AwsCollectOptions> = {}): AwsCollectOptions {
  return {
    region: snap.scope.region ?? "us-west-2",
    endpoint: emu.url,
    credentials: CREDENTIALS,
    retryStrategy: () => new ConfiguredRetryStrategy(4, () => 0),
    now: () => new Date("2026-11-20T10:00:00Z"),
    ...extra,
  };
}

const arr = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);

/**
 * What a collection of every load balancer must return from a snapshot: the
 * references followed from the load balancers, written independently of the
 * collector (a fixture may hold things no load balancer references).
 */
function referenced(s: AwsSnapshot): AwsSnapshot {
  const e = s.elbv2;
  const c = s.ec2 ?? {};
  const lbs = e.LoadBalancers;
  const lbArns = new Set(lbs.map((lb) => lb.LoadBalancerArn));
  const listeners = (e.Listeners ?? []).filter((l) => lbArns.has(l.LoadBalancerArn));
  const tgs = (e.TargetGroups ?? []).filter((tg) => arr(tg.LoadBalancerArns).some((a) => lbArns.has(a)));
  const tgArns = new Set(tgs.map((tg) => String(tg.TargetGroupArn)));
  const pick = <T>(m: Record<string, T> | undefined, keys: Iterable<string>) =>
    Object.fromEntries([...keys].filter((k) => m?.[k] !== undefined).map((k) => [k, m?.[k] as T]));
  const asgs = (s.autoscaling?.AutoScalingGroups ?? []).filter((g) => arr(g.TargetGroupARNs).some((a) => tgArns.has(String(a))));
  const instanceIds = new Set([
    ...tgs
      .filter((tg) => (tg.TargetType ?? "instance") === "instance")
      .flatMap((tg) => (e.TargetHealth?.[String(tg.TargetGroupArn)] ?? []).map((d) => String((d.Target as Rec).Id))),
    ...asgs.flatMap((g) => arr(g.Instances).map((i) => String(i.InstanceId))),
  ]);
  const instances = (c.Instances ?? []).filter((i) => instanceIds.has(String(i.InstanceId)));
  const sgIds = new Set([
    ...lbs.flatMap((lb) => (lb.SecurityGroups as string[] | undefined) ?? []),
    ...instances.flatMap((i) => [
      ...arr(i.SecurityGroups).map((g) => String(g.GroupId)),
      ...arr(i.NetworkInterfaces).flatMap((n) => arr(n.Groups).map((g) => String(g.GroupId))),
    ]),
  ]);
  const subnetVpc = new Map<string, string>();
  for (const lb of lbs) for (const az of arr(lb.AvailabilityZones)) subnetVpc.set(String(az.SubnetId), String(lb.VpcId));
  for (const i of instances) subnetVpc.set(String(i.SubnetId), String(i.VpcId));
  for (const g of asgs)
    for (const sn of String(g.VPCZoneIdentifier ?? "")
      .split(",")
      .filter(Boolean))
      if (!subnetVpc.has(sn)) subnetVpc.set(sn, "");
  const subnets = (c.Subnets ?? []).filter((sn) => subnetVpc.has(String(sn.SubnetId)));
  for (const sn of subnets) subnetVpc.set(String(sn.SubnetId), String(sn.VpcId));
  const assoc = (x: Rec) => arr(x.Associations).map((a) => String(a.SubnetId));
  const nacls = (c.NetworkAcls ?? []).filter((n) => assoc(n).some((sn) => subnetVpc.has(sn)));
  const noNacl = [...subnetVpc.keys()].filter((sn) => !nacls.some((n) => assoc(n).includes(sn)));
  for (const n of c.NetworkAcls ?? [])
    if (n.IsDefault === true && noNacl.some((sn) => subnetVpc.get(sn) === n.VpcId) && !nacls.includes(n)) nacls.push(n);
  const rts = (c.RouteTables ?? []).filter((rt) => assoc(rt).some((sn) => subnetVpc.has(sn)));
  const noRt = [...subnetVpc.keys()].filter((sn) => !rts.some((rt) => assoc(rt).includes(sn)));
  for (const rt of c.RouteTables ?? []) {
    const main = arr(rt.Associations).some((a) => a.Main === true);
    if (main && noRt.some((sn) => subnetVpc.get(sn) === rt.VpcId) && !rts.includes(rt)) rts.push(rt);
  }
  return {
    ...s,
    elbv2: {
      LoadBalancers: lbs,
      LoadBalancerAttributes: pick(e.LoadBalancerAttributes, lbArns as Set<string>),
      Listeners: listeners,
      Rules: pick(
        e.Rules,
        listeners.map((l) => String(l.ListenerArn)),
      ),
      TargetGroups: tgs,
      TargetGroupAttributes: pick(e.TargetGroupAttributes, tgArns),
      TargetHealth: pick(e.TargetHealth, tgArns),
      Tags: pick(e.Tags, [...(lbArns as Set<string>), ...tgArns]),
    },
    ec2: {
      SecurityGroups: (c.SecurityGroups ?? []).filter((g) => sgIds.has(String(g.GroupId))),
      Instances: instances,
      Subnets: subnets,
      NetworkAcls: nacls,
      RouteTables: rts,
    },
    autoscaling: { AutoScalingGroups: asgs },
  };
}

/** ISO timestamps in one form. */
function normTimes(v: unknown): unknown {
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return new Date(v).toISOString();
  if (Array.isArray(v)) return v.map(normTimes);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normTimes(x)]));
  return v;
}

/** The data of a snapshot, with the order the APIs do not define taken out: top-level lists sorted by id, empty map entries dropped. */
function data(s: AwsSnapshot): Rec {
  const by = (key: string) => (xs: Rec[] | undefined) => [...(xs ?? [])].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
  const map = <T>(m: Record<string, T[]> | undefined) =>
    Object.fromEntries(
      Object.entries(m ?? {})
        .filter(([, v]) => v.length > 0)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  const e = s.elbv2;
  const c = s.ec2 ?? {};
  return normTimes({
    LoadBalancers: by("LoadBalancerArn")(e.LoadBalancers),
    LoadBalancerAttributes: map(e.LoadBalancerAttributes),
    Listeners: by("ListenerArn")(e.Listeners),
    Rules: map(e.Rules),
    TargetGroups: by("TargetGroupArn")(e.TargetGroups),
    TargetGroupAttributes: map(e.TargetGroupAttributes),
    TargetHealth: map(e.TargetHealth),
    Tags: map(e.Tags),
    SecurityGroups: by("GroupId")(c.SecurityGroups),
    Instances: by("InstanceId")(c.Instances),
    Subnets: by("SubnetId")(c.Subnets),
    NetworkAcls: by("NetworkAclId")(c.NetworkAcls),
    RouteTables: by("RouteTableId")(c.RouteTables),
    AutoScalingGroups: by("AutoScalingGroupName")(s.autoscaling?.AutoScalingGroups),
  }) as Rec;
}

function assertSameData(got: AwsSnapshot, want: AwsSnapshot, label: string) {
  const g = data(got);
  const w = data(want);
  for (const k of Object.keys(w)) assert.deepEqual(g[k], w[k], `${label}: ${k}`);
}

describe("AWS collectors against the Query emulator: round trip of every fixture", () => {
  it("the own fixture holds only what its load balancers reference (so the round trip below is exact)", () => {
    assertSameData(referenced(own()), own(), "referenced(fixture)");
  });
  for (const pageSize of [100, 1]) {
    for (const f of FIXTURES) {
      it(`${f.name} (page size ${pageSize})`, async () => {
        const fixture = load(f.path);
        const emu = await startAwsEmulator({ snapshots: [fixture], pageSize });
        try {
          const got = await collectAws(opts(emu, fixture));
          assert.deepEqual(got.gaps, []);
          assertSameData(got, referenced(fixture), f.name);
          assert.equal(got.schema, "lbdoctor.snapshot/v1");
          assert.equal(got.provider, "aws");
          assert.equal(got.collectedAt, "2026-11-20T10:00:00.000Z");
          assert.equal(got.scope.region, fixture.scope.region ?? "us-west-2");
          // JSON all the way down: no Date objects, no $metadata
          assert.deepEqual(JSON.parse(JSON.stringify(got)), got);
          assert.doesNotMatch(JSON.stringify(got), /\$metadata/);
          if (pageSize === 1 && fixture.elbv2.LoadBalancers.length > 1) assert.ok((emu.counts().DescribeLoadBalancers ?? 0) > 1, "paged");
        } finally {
          await emu.close();
        }
      });
    }
  }
});

describe("AWS collectors: what is fetched", () => {
  let emu: AwsEmulator;
  const snap = own();
  // things in the region no chosen load balancer references
  const extra = clone(snap);
  extra.autoscaling?.AutoScalingGroups?.push({
    ...clone(snap.autoscaling?.AutoScalingGroups?.[0] ?? {}),
    AutoScalingGroupName: "batch-asg",
    TargetGroupARNs: [],
    TrafficSources: [],
    Instances: [],
  });
  extra.ec2?.SecurityGroups?.push({
    ...clone(snap.ec2?.SecurityGroups?.[2] ?? {}),
    GroupId: "sg-0ffffffffffffff01",
    GroupName: "unrelated",
  });
  extra.ec2?.Instances?.push({ ...clone(snap.ec2?.Instances?.[2] ?? {}), InstanceId: "i-0ffffffffffffff01" });
  before(async () => {
    emu = await startAwsEmulator({ snapshots: [extra] });
  });
  after(() => emu.close());

  it("nothing unreferenced: another ASG, SG or instance in the region is not collected", async () => {
    const got = await collectAws(opts(emu, snap));
    assertSameData(got, snap, "with unrelated resources around");
  });

  it("one load balancer by name: only its listeners, rules, target groups, group, instances and network", async () => {
    emu.resetCounts();
    const got = await collectAws(opts(emu, snap, { loadBalancers: ["web-alb"] }));
    const only = clone(snap);
    only.elbv2.LoadBalancers = snap.elbv2.LoadBalancers.filter((lb) => lb.LoadBalancerName === "web-alb");
    assertSameData(got, referenced(only), "web-alb");
    assert.deepEqual(got.scope.loadBalancers, ["web-alb"]);
    assert.deepEqual(
      got.elbv2.TargetGroups?.map((tg) => tg.TargetGroupName),
      ["web-tg", "api-tg"],
    );
    assert.deepEqual(
      got.autoscaling?.AutoScalingGroups?.map((g) => g.AutoScalingGroupName),
      ["web-asg"],
    );
    assert.equal(emu.counts().DescribeLoadBalancers, 1);
  });

  it("a name and an ARN together: one DescribeLoadBalancers each (the API takes one or the other)", async () => {
    emu.resetCounts();
    const nlb = String(snap.elbv2.LoadBalancers[1]?.LoadBalancerArn);
    const got = await collectAws(opts(emu, snap, { loadBalancers: ["web-alb", nlb] }));
    assert.deepEqual(got.elbv2.LoadBalancers.map((lb) => lb.LoadBalancerName).sort(), ["tcp-nlb", "web-alb"]);
    assert.equal(emu.counts().DescribeLoadBalancers, 2);
  });

  it("a subnet without an explicit NACL association gets its VPC's default NACL (one more call, only then)", async () => {
    const s = clone(snap);
    const dflt = s.ec2?.NetworkAcls?.find((n) => n.IsDefault === true) as Rec;
    dflt.Associations = [];
    const e = await startAwsEmulator({ snapshots: [s] });
    try {
      const got = await collectAws(opts(e, s));
      assertSameData(got, s, "implicit default NACL");
      assert.equal(e.counts().DescribeNetworkAcls, 2);
    } finally {
      await e.close();
    }
  });

  it("the main route table is kept only when a subnet has no explicit association", async () => {
    const s = clone(snap);
    const pub = s.ec2?.RouteTables?.find((rt) => rt.RouteTableId === "rtb-0a1b2c3d4e5f60001") as Rec;
    const privates = ["subnet-02b3c4d5e6f7a8b91", "subnet-02b3c4d5e6f7a8b92"];
    pub.Associations = [
      ...arr(pub.Associations),
      ...privates.map((sn, i) => ({
        Main: false,
        RouteTableAssociationId: `rtbassoc-0ffff${i}`,
        RouteTableId: pub.RouteTableId,
        SubnetId: sn,
        AssociationState: { State: "associated" },
      })),
    ];
    const e = await startAwsEmulator({ snapshots: [s] });
    try {
      const got = await collectAws(opts(e, s));
      assert.deepEqual(
        got.ec2?.RouteTables?.map((rt) => rt.RouteTableId),
        ["rtb-0a1b2c3d4e5f60001"],
      );
    } finally {
      await e.close();
    }
  });

  it("more than 200 instances: one DescribeInstances per 200 filter values, all collected", async () => {
    const s = clone(snap);
    const tmpl = s.ec2?.Instances?.[0] as Rec;
    const tg = String(s.elbv2.TargetGroups?.[0]?.TargetGroupArn);
    for (let n = 0; n < 250; n++) {
      const id = `i-0b${String(n).padStart(15, "0")}`;
      s.ec2?.Instances?.push({ ...clone(tmpl), InstanceId: id });
      s.elbv2.TargetHealth?.[tg]?.push({ Target: { Id: id, Port: 8080 }, HealthCheckPort: "8080", TargetHealth: { State: "healthy" } });
    }
    const e = await startAwsEmulator({ snapshots: [s], pageSize: 1000 });
    try {
      const got = await collectAws(opts(e, s));
      assert.equal(got.ec2?.Instances?.length, 253);
      assert.equal(e.counts().DescribeInstances, 2);
      assertSameData(got, s, "253 instances");
    } finally {
      await e.close();
    }
  });
});

describe("AWS collectors: call economy and latency", () => {
  const snap = own();
  const EXPECTED: Record<string, number> = {
    DescribeLoadBalancers: 1,
    DescribeLoadBalancerAttributes: 2, // per load balancer
    DescribeListeners: 2, // per load balancer
    DescribeTargetGroups: 2, // per load balancer
    DescribeAutoScalingGroups: 1, // the region's groups, matched on TargetGroupARNs
    DescribeRules: 3, // per listener
    DescribeTargetGroupAttributes: 3, // per target group
    DescribeTargetHealth: 3, // per target group
    DescribeTags: 1, // the load balancers' and target groups' tags, 20 ARNs a call
    DescribeInstances: 1, // batched
    DescribeSecurityGroups: 1, // batched
    DescribeSubnets: 1, // batched
    DescribeNetworkAcls: 1, // by subnet association
    DescribeRouteTables: 3, // by subnet association + the VPC's main table + the internet gateway's gateway route tables
  };

  it("a fixed number of calls: per load balancer, per listener, per target group, and one batched call per EC2 kind", async () => {
    const emu = await startAwsEmulator({ snapshots: [snap] });
    try {
      const events: CollectEvent[] = [];
      await collectAws(opts(emu, snap, { onEvent: (e) => events.push(e) }));
      assert.deepEqual(emu.counts(), EXPECTED);
      assert.equal(emu.total(), 25);
      const done = events.find((e) => e.type === "done");
      assert.ok(done && done.type === "done");
      assert.equal(done.calls, 25, "the collector counts every HTTP attempt");
      assert.deepEqual(
        events.filter((e) => e.type === "phase").map((e) => (e.type === "phase" ? e.name : "")),
        [
          "load balancers",
          "listeners and target groups",
          "rules, target health and attributes",
          "instances",
          "security groups, subnets, NACLs and route tables",
        ],
      );
    } finally {
      await emu.close();
    }
  });

  it("calls run in parallel: with 50 ms per request the run takes a few round trips, not one per call", async () => {
    const emu = await startAwsEmulator({ snapshots: [snap], latencyMs: 50 });
    try {
      const t0 = performance.now();
      await collectAws(opts(emu, snap));
      const ms = performance.now() - t0;
      assert.equal(emu.total(), 25);
      assert.ok(ms >= 5 * 50, `five dependent rounds take at least 250 ms (took ${ms.toFixed(0)})`);
      assert.ok(ms < 24 * 50, `not sequential: 24 calls × 50 ms = 1200 ms (took ${ms.toFixed(0)})`);
    } finally {
      await emu.close();
    }
  });

  it("concurrency 1 still completes, one call at a time", async () => {
    const emu = await startAwsEmulator({ snapshots: [snap] });
    try {
      const got = await collectAws(opts(emu, snap, { concurrency: 1 }));
      assertSameData(got, snap, "concurrency 1");
      assert.equal(emu.total(), 25);
    } finally {
      await emu.close();
    }
  });
});

describe("AWS collectors: faults and gaps", () => {
  const snap = own();
  let emu: AwsEmulator;
  before(async () => {
    emu = await startAwsEmulator({ snapshots: [snap] });
  });
  after(() => emu.close());
  const run = async (faults: Parameters<AwsEmulator["setFaults"]>[0], extra: Partial<AwsCollectOptions> = {}) => {
    emu.resetCounts();
    emu.setFaults(faults);
    try {
      return await collectAws(opts(emu, snap, extra));
    } finally {
      emu.setFaults([]);
    }
  };

  it("Throttling (ELBv2) once, then success: retried by the SDK, no gap", async () => {
    const got = await run([{ action: "DescribeTargetGroups", fault: "throttle", times: 1 }]);
    assert.deepEqual(got.gaps, []);
    assert.equal(emu.counts().DescribeTargetGroups, 3);
    assertSameData(got, snap, "after a throttle");
  });

  it("RequestLimitExceeded (EC2) once, then success: retried, no gap", async () => {
    const got = await run([{ action: "DescribeInstances", fault: "throttle", times: 1 }]);
    assert.deepEqual(got.gaps, []);
    assert.equal(emu.counts().DescribeInstances, 2);
    assertSameData(got, snap, "after RequestLimitExceeded");
  });

  it("Throttling (Auto Scaling) once, then success", async () => {
    const got = await run([{ action: "DescribeAutoScalingGroups", fault: "throttle", times: 1 }]);
    assert.deepEqual(got.gaps, []);
    assert.equal(emu.counts().DescribeAutoScalingGroups, 2);
  });

  it("AccessDenied on DescribeTargetHealth: a gap per target group; everything else is collected", async () => {
    const got = await run([{ action: "DescribeTargetHealth", fault: "denied" }]);
    const gaps = got.gaps ?? [];
    assert.equal(gaps.length, 3, JSON.stringify(gaps));
    for (const g of gaps) {
      assert.equal(g.operation, "elasticloadbalancing:DescribeTargetHealth");
      assert.equal(g.status, 403);
      assert.equal(g.code, "AccessDenied");
      assert.match(g.message, /not authorized/);
    }
    assert.deepEqual(gaps.map((g) => g.resourceId).sort(), (snap.elbv2.TargetGroups ?? []).map((tg) => String(tg.TargetGroupArn)).sort());
    assert.deepEqual(got.elbv2.TargetHealth, {});
    const d = data(got);
    const w = data(snap);
    for (const k of [
      "LoadBalancers",
      "Listeners",
      "Rules",
      "TargetGroups",
      "TargetGroupAttributes",
      "LoadBalancerAttributes",
      "AutoScalingGroups",
    ])
      assert.deepEqual(d[k], w[k], k);
    // the instances still come from the Auto Scaling group
    assert.deepEqual(
      got.ec2?.Instances?.map((i) => i.InstanceId),
      ["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002"],
    );
    assert.equal(emu.counts().DescribeTargetHealth, 3, "AccessDenied is not retried");
  });

  it("UnauthorizedOperation on DescribeSecurityGroups: a gap, the rest of EC2 collected", async () => {
    const got = await run([{ action: "DescribeSecurityGroups", fault: "denied" }]);
    assert.deepEqual(
      got.gaps?.map((g) => [g.operation, g.status, g.code]),
      [["ec2:DescribeSecurityGroups", 403, "UnauthorizedOperation"]],
    );
    assert.deepEqual(got.ec2?.SecurityGroups, []);
    assert.equal(got.ec2?.Subnets?.length, 4);
  });

  it("route tables by subnet unreadable: a gap, and no main route table guessed in their place", async () => {
    const got = await run([{ action: "DescribeRouteTables", fault: "denied", match: "association.subnet-id" }]);
    assert.deepEqual(
      got.gaps?.map((g) => [g.operation, g.code]),
      [["ec2:DescribeRouteTables", "UnauthorizedOperation"]],
    );
    assert.deepEqual(got.ec2?.RouteTables, []);
    assert.equal(emu.counts().DescribeRouteTables, 2);
  });

  it("AccessDenied on Auto Scaling: a gap; instances still come from target health", async () => {
    const got = await run([{ action: "DescribeAutoScalingGroups", fault: "denied" }]);
    assert.deepEqual(
      got.gaps?.map((g) => [g.operation, g.code]),
      [["autoscaling:DescribeAutoScalingGroups", "AccessDenied"]],
    );
    assert.deepEqual(got.autoscaling?.AutoScalingGroups, []);
    assert.equal(got.ec2?.Instances?.length, 3);
  });

  it("throttling that outlives the retries: a gap with the code, after exactly maxAttempts tries", async () => {
    const got = await run([{ action: "DescribeRules", fault: "throttle" }]);
    assert.equal(got.gaps?.length, 3);
    assert.ok(got.gaps?.every((g) => g.code === "Throttling" && g.status === 400 && g.operation === "elasticloadbalancing:DescribeRules"));
    assert.equal(emu.counts().DescribeRules, 3 * 4);
  });

  it("a slow action (latency fault) delays the run but changes nothing", async () => {
    const t0 = performance.now();
    const got = await run([{ action: "DescribeTargetHealth", fault: "latency", latencyMs: 200 }]);
    assert.ok(performance.now() - t0 >= 200);
    assert.deepEqual(got.gaps, []);
    assertSameData(got, snap, "slow target health");
  });

  it("a burst of throttling (5 ELBv2 calls in a row) is ridden out by the default adaptive retries; the SDK's old 3 attempts gave up", async () => {
    const burst = [
      { action: "DescribeLoadBalancers", fault: "throttle" as const, times: 5 },
      { action: "DescribeTargetGroups", fault: "throttle" as const, times: 5 },
    ];
    // the default strategy (adaptive, jittered, 10 attempts), its waits scaled down
    const got = await run(burst, { retryStrategy: undefined, retryTimeScale: 0.001 });
    assert.deepEqual(got.gaps, []);
    assertSameData(got, snap, "after the burst");
    assert.equal(emu.counts().DescribeLoadBalancers, 6);
    await assert.rejects(run(burst, { retryStrategy: undefined, retryTimeScale: 0.001, maxAttempts: 3 }), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /Throttling/);
      return true;
    });
  });

  it("each client gets its own retry strategy (ELBv2, EC2 and Auto Scaling throttle separately)", async () => {
    const made: ConfiguredRetryStrategy[] = [];
    const got = await run([], {
      retryStrategy: () => {
        const s = new ConfiguredRetryStrategy(2, () => 0);
        made.push(s);
        return s;
      },
    });
    assert.deepEqual(got.gaps, []);
    assert.equal(made.length, 3);
    assert.equal(new Set(made).size, 3);
  });

  it("a 500 late in collection costs only that call: a gap, everything else collected", async () => {
    const got = await run([{ action: "DescribeRouteTables", fault: "error" }]);
    assert.ok((got.gaps ?? []).length > 0);
    for (const g of got.gaps ?? []) {
      assert.equal(g.operation, "ec2:DescribeRouteTables");
      assert.equal(g.status, 500);
      assert.equal(g.code, "InternalFailure");
    }
    assert.deepEqual(got.ec2?.RouteTables, []);
    const d = data(got);
    const w = data(snap);
    for (const k of [
      "LoadBalancers",
      "Listeners",
      "Rules",
      "TargetGroups",
      "TargetHealth",
      "Instances",
      "SecurityGroups",
      "Subnets",
      "AutoScalingGroups",
    ])
      assert.deepEqual(d[k], w[k], k);
  });

  it("a call that hangs late in collection times out within its budget: a gap, everything else collected", async () => {
    const t0 = performance.now();
    const got = await run([{ action: "DescribeSecurityGroups", fault: "latency", latencyMs: 5_000 }], {
      requestTimeoutMs: 150,
      callBudgetMs: 600,
    });
    assert.ok(performance.now() - t0 < 4_000, "the run did not wait for the hung call");
    assert.deepEqual(
      got.gaps?.map((g) => g.operation),
      ["ec2:DescribeSecurityGroups"],
    );
    assert.deepEqual(got.ec2?.SecurityGroups, []);
    const d = data(got);
    const w = data(snap);
    for (const k of ["LoadBalancers", "Listeners", "TargetGroups", "TargetHealth", "Instances", "Subnets", "NetworkAcls", "RouteTables"])
      assert.deepEqual(d[k], w[k], k);
  });
});

describe("AWS collectors: errors the user must fix (InputError, exit 2)", () => {
  const snap = own();
  let emu: AwsEmulator;
  before(async () => {
    emu = await startAwsEmulator({ snapshots: [snap], accessKeyId: "AKIDTEST" });
  });
  after(() => emu.close());

  const rejects = (p: Promise<unknown>, re: RegExp, hint?: RegExp) =>
    assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.match(e.message, re);
      if (hint) assert.match(e.hint ?? "", hint);
      return true;
    });

  it("an unknown load balancer name: the message names it (and only it)", async () => {
    await rejects(
      collectAws(opts(emu, snap, { loadBalancers: ["web-alb", "no-such-lb"] })),
      /^no load balancer 'no-such-lb' in region us-west-2 \(LoadBalancerNotFound/,
      /describe-load-balancers --region us-west-2/,
    );
  });

  it("bad credentials", async () => {
    await rejects(
      collectAws(opts(emu, snap, { credentials: { accessKeyId: "AKIDWRONG", secretAccessKey: "x" } })),
      /AWS rejected the credentials \(elasticloadbalancing:DescribeLoadBalancers\): The security token included in the request is invalid/,
      /AWS_ACCESS_KEY_ID/,
    );
  });

  it("no permission to list load balancers", async () => {
    emu.setFaults([{ action: "DescribeLoadBalancers", fault: "denied" }]);
    try {
      await rejects(collectAws(opts(emu, snap)), /not allowed to list load balancers/, /elasticloadbalancing:Describe\*/);
    } finally {
      emu.setFaults([]);
    }
  });

  it("a region without load balancers", async () => {
    const empty = await startAwsEmulator({ snapshots: [{ ...snap, elbv2: { LoadBalancers: [] } }] });
    try {
      await rejects(collectAws(opts(empty, snap)), /no load balancers in region us-west-2/, /--region/);
    } finally {
      await empty.close();
    }
  });

  it("nothing listening at the endpoint", async () => {
    const gone = await startAwsEmulator({ snapshots: [snap] });
    const url = gone.url;
    await gone.close();
    await rejects(
      collectAws({ ...opts(emu, snap), endpoint: url, retryStrategy: () => new ConfiguredRetryStrategy(1, () => 0) }),
      /could not reach http:\/\/127\.0\.0\.1:\d+/,
    );
  });
});

describe("lbdoctor snapshot/check --provider aws, against the emulator (the built binary)", () => {
  const snap = own();
  let emu: AwsEmulator;
  const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-aws-"));
  before(async () => {
    emu = await startAwsEmulator({ snapshots: [snap], accessKeyId: "AKIDTEST" });
  });
  after(() => emu.close());

  it("snapshot --provider aws --region --aws-endpoint -o writes a valid snapshot of every load balancer", async () => {
    const out = join(tmp, "all.json");
    const r = await lbdoctorAsync(
      ["snapshot", "--provider", "aws", "--region", "us-west-2", "--aws-endpoint", emu.url, "-o", out],
      awsEmulatorEnv(),
      { inherit: false },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /collected \d+ resources in 25 calls/);
    assert.match(r.stderr, new RegExp(`wrote ${out.replaceAll("/", "\\/")}`));
    const written = loadSnapshotFile(out); // validates against the schema
    assert.equal(written.provider, "aws");
    assertSameData(written as AwsSnapshot, snap, "CLI snapshot");
    assert.deepEqual(written.gaps, []);
  });

  it("LBDOCTOR_AWS_ENDPOINT and AWS_REGION work too; a name narrows the collection", async () => {
    const out = join(tmp, "one.json");
    const r = await lbdoctorAsync(
      ["snapshot", "--provider", "aws", "tcp-nlb", "-o", out, "--quiet"],
      awsEmulatorEnv({ LBDOCTOR_AWS_ENDPOINT: emu.url, AWS_REGION: "us-west-2" }),
      { inherit: false },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const written = loadSnapshotFile(out) as AwsSnapshot;
    assert.deepEqual(
      written.elbv2.LoadBalancers.map((lb) => lb.LoadBalancerName),
      ["tcp-nlb"],
    );
    assert.deepEqual(written.scope, { region: "us-west-2", loadBalancers: ["tcp-nlb"] });
  });

  it("an unknown load balancer name exits 2 with a clear message and no stack", async () => {
    const r = await lbdoctorAsync(
      ["check", "--provider", "aws", "--region", "us-west-2", "--aws-endpoint", emu.url, "no-such-lb"],
      awsEmulatorEnv(),
      { inherit: false },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /lbdoctor: no load balancer 'no-such-lb' in region us-west-2/);
    assert.match(r.stderr, /aws elbv2 describe-load-balancers --region us-west-2/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it("a bad credential exits 2 with what to do", async () => {
    const r = await lbdoctorAsync(
      ["snapshot", "--provider", "aws", "--region", "us-west-2", "--aws-endpoint", emu.url, "-o", join(tmp, "x.json")],
      awsEmulatorEnv({ AWS_ACCESS_KEY_ID: "AKIDWRONG" }),
      { inherit: false },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /AWS rejected the credentials/);
  });

  it("no region anywhere exits 2", async () => {
    const r = await lbdoctorAsync(
      ["snapshot", "--provider", "aws", "--aws-endpoint", emu.url, "-o", join(tmp, "y.json")],
      awsEmulatorEnv(),
      { inherit: false },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no AWS region given/);
  });

  it("snapshot --provider aws --redact masks the account ids, public IPs and tag values, and stays a valid snapshot", async () => {
    const out = join(tmp, "z.json");
    const r = await lbdoctorAsync(
      ["snapshot", "--provider", "aws", "--region", "us-west-2", "--aws-endpoint", emu.url, "--redact", "-o", out],
      awsEmulatorEnv(),
      { inherit: false },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\(redacted\)/);
    const written = loadSnapshotFile(out) as AwsSnapshot & { redacted?: boolean };
    assert.equal(written.redacted, true);
    const account = /arn:aws:[a-z-]+:[a-z0-9-]+:(\d{12}):/.exec(JSON.stringify(snap))?.[1] as string;
    assert.ok(account);
    assert.ok(!JSON.stringify(written).includes(account), "the account id is masked");
    assert.equal(written.elbv2.LoadBalancers.length, snap.elbv2.LoadBalancers.length);
  });

  it("check --provider aws --region us-west-2 <lb> collects live (the diagnosis itself belongs to the AWS model)", async () => {
    const r = await lbdoctorAsync(
      ["check", "--provider", "aws", "--region", "us-west-2", "--aws-endpoint", emu.url, "web-alb"],
      awsEmulatorEnv(),
      { inherit: false },
    );
    assert.match(r.stderr, /collected \d+ resources in \d+ calls/, r.stderr);
    if (r.code === 2) assert.match(r.stderr, /not diagnosed by this version/, "the only acceptable exit 2 is a missing AWS model");
    else assert.ok(r.code === 0 || r.code === 1, `${r.code}: ${r.stderr}`);
  });
});

describe("AWS collectors: the gateway route tables of the internet gateways (internet gateway ingress routing)", () => {
  const scenario = async () => {
    const { awsId, CIDR, healthyAlb, ids } = await import("./support/aws-builder.ts");
    const edge = awsId("rtb", "edge");
    // the trace tests' edge-table case: the internet gateway sends the LB subnets to firewall endpoints, while the
    // subnets route 0.0.0.0/0 straight to the internet gateway
    const withEdge = healthyAlb().edit((s) => {
      s.ec2?.RouteTables?.push({
        RouteTableId: edge,
        VpcId: ids.vpc,
        Associations: [{ Main: false, GatewayId: ids.igw, RouteTableAssociationId: awsId("rtbassoc", "edge"), RouteTableId: edge }],
        Routes: [
          { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" },
          { DestinationCidrBlock: CIDR.publicA, GatewayId: awsId("vpce", "fw-a"), State: "active" },
          { DestinationCidrBlock: CIDR.publicB, GatewayId: awsId("vpce", "fw-b"), State: "active" },
        ],
      });
    });
    return { edge, ids, CIDR, snap: withEdge.build(), plain: healthyAlb().build() };
  };
  const traceInternet = async (s: AwsSnapshot, web1: string) => {
    const { buildAwsModel } = await import("../src/providers/aws/model.ts");
    const { parseSource, routesOf, traceFromSource } = await import("../src/providers/aws/trace-flows.ts");
    const model = buildAwsModel(s);
    const r = model.loadBalancers.flatMap(routesOf).find((x) => x.listener?.port === 80 && x.target.id === web1);
    assert.ok(r, "a route on listener 80 to web-1");
    const src = parseSource(model, "Internet");
    assert.ok(!("error" in src), JSON.stringify(src));
    const t = traceFromSource(model, r, src, 80, "tcp");
    return { t, notes: (t.hops.find((h) => h.layer === "lb-route")?.notes ?? []).map((n) => n.text).join("\n") };
  };

  it("an edge route table of the VPC's internet gateway is collected (association.gateway-id) and the trace reports the asymmetric path", async () => {
    const { edge, ids, CIDR, snap, plain } = await scenario();
    const emu = await startAwsEmulator({ snapshots: [snap] });
    try {
      const got = await collectAws(opts(emu, snap));
      assert.deepEqual(got.gaps, []);
      assertSameData(got, snap, "with a gateway route table");
      assert.ok(
        got.ec2?.RouteTables?.some((rt) => rt.RouteTableId === edge),
        JSON.stringify(got.ec2?.RouteTables?.map((rt) => rt.RouteTableId)),
      );
      // subnet associations, the VPC's main table, then the internet gateway's tables: one call more, none twice
      assert.equal(emu.counts().DescribeRouteTables, 3);
      assert.equal(new Set(got.ec2?.RouteTables?.map((rt) => rt.RouteTableId)).size, got.ec2?.RouteTables?.length);
      const { t, notes } = await traceInternet(got, ids.instance.web1);
      assert.equal(t.verdict, "unknown", t.why);
      assert.match(
        notes,
        new RegExp(
          `the internet gateway's route table ${edge} \\(a gateway route table\\) sends ${CIDR.publicA.replace(/\./g, "\\.")}, which holds ${ids.subnet.publicA}, to vpce-\\S+: the requests go through`,
        ),
      );
      assert.match(notes, /AWS does not support such asymmetric routing/);
    } finally {
      await emu.close();
    }
    // the same VPC without the edge table: collected as before, and the trace allows
    const e2 = await startAwsEmulator({ snapshots: [plain] });
    try {
      const got = await collectAws(opts(e2, plain));
      assertSameData(got, plain, "without a gateway route table");
      assert.equal((await traceInternet(got, ids.instance.web1)).t.verdict, "allow");
    } finally {
      await e2.close();
    }
  });

  it("the gateway route tables unreadable: a gap named ec2:DescribeRouteTables with the internet gateway's id; the other tables and the rest collected", async () => {
    const { ids, snap } = await scenario();
    const emu = await startAwsEmulator({ snapshots: [snap] });
    emu.setFaults([{ action: "DescribeRouteTables", fault: "denied", match: "association.gateway-id" }]);
    try {
      const got = await collectAws(opts(emu, snap));
      assert.deepEqual(
        got.gaps?.map((g) => [g.operation, g.code, g.resourceId]),
        [["ec2:DescribeRouteTables", "UnauthorizedOperation", ids.igw]],
      );
      const d = data(got);
      const w = data(snap);
      assert.deepEqual(
        (d.RouteTables as Rec[]).map((rt) => rt.RouteTableId),
        [ids.rtb.public, ids.rtb.private].sort(),
      );
      const rest = ["LoadBalancers", "Listeners", "TargetGroups", "TargetHealth", "Instances", "SecurityGroups", "Subnets", "NetworkAcls"];
      for (const k of rest) assert.deepEqual(d[k], w[k], k);
    } finally {
      await emu.close();
    }
  });

  it("two internet gateways, their route tables unreadable: one gap per gateway, only the reply-route rule in doubt, no subnet's table in doubt", async () => {
    const { awsId, healthyAlb, ids } = await import("./support/aws-builder.ts");
    const { buildAwsModel } = await import("../src/providers/aws/model.ts");
    const { runRules } = await import("../src/core/engine/run.ts");
    const { rulesFor } = await import("../rules/registry.ts");
    const { mainTableInDoubt } = await import("../src/providers/aws/igw-routes.ts");
    const other = awsId("igw", "other");
    const snap = healthyAlb()
      .edit((s) => {
        const main = s.ec2?.RouteTables?.find((rt) => (rt.Associations as Rec[] | undefined)?.some((a) => a.Main === true));
        if (main)
          main.Routes = [...((main.Routes as Rec[]) ?? []), { DestinationCidrBlock: "203.0.113.0/24", GatewayId: other, State: "active" }];
      })
      .build();
    const collect = async (faults: unknown[]) => {
      const emu = await startAwsEmulator({ snapshots: [snap] });
      emu.setFaults(faults as never);
      try {
        return await collectAws(opts(emu, snap));
      } finally {
        await emu.close();
      }
    };
    const ok = await collect([]);
    const bad = await collect([{ action: "DescribeRouteTables", fault: "denied", match: "association.gateway-id" }]);
    assert.deepEqual(
      bad.gaps?.map((g) => [g.operation, g.resourceId]).sort(),
      [
        ["ec2:DescribeRouteTables", ids.igw],
        ["ec2:DescribeRouteTables", other],
      ].sort(),
    );
    const rules = (await rulesFor("aws")) as Parameters<typeof runRules>[1];
    const findings = (x: AwsSnapshot) => new Map(runRules(buildAwsModel(x), rules).map((f) => [f.id, f]));
    const before = findings(ok);
    const after = findings(bad);
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    // the gateways' route tables decide only whether replies to internet clients reach the internet (the rule that reads
    // them, as the trace does): its passes on subnets routed to an unreadable gateway become unknown; nothing else changes
    let doubted = 0;
    for (const [id, f] of before) {
      const now = after.get(id);
      if (f.ruleId === "aws/internet-facing-in-private-subnets" && f.status === "pass") {
        assert.equal(now?.status, "unknown", id);
        assert.match(now?.message ?? "", /route table/, id);
        doubted++;
      } else assert.equal(now?.status, f.status, id);
    }
    assert.ok(doubted > 0, "the rule read the gateways' route tables");
    const model = buildAwsModel(bad);
    for (const sub of model.subnets) assert.equal(mainTableInDoubt(model, sub), undefined, sub.id);
  });
});
