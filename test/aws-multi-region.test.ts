/**
 * A snapshot of two regions in two accounts (what `--all-regions --accounts …` writes: the partitions merged by
 * mergeAwsSnapshots), with the same security group, instance and NACL names in each: every AWS finding says which
 * region and account its resource is in, and every command it prints runs against that region.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Finding } from "../src/core/engine/types.ts";
import type { Gap } from "../src/core/snapshot/types.ts";
import { resolvePointer } from "../src/core/util/json-pointer.ts";
import { mergeAwsSnapshots } from "../src/providers/aws/collect/scale.ts";
import { relocate } from "../src/providers/aws/emulator/tenant.ts";
import { awsLocate, zoneRegion } from "../src/providers/aws/location.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";

const A = "111111111111";
const B = "222222222222";
const PLACES = [
  { account: A, region: "us-east-1" },
  { account: B, region: "eu-west-1" },
];
const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-aws-multi-"));

/** The fixture copied into each (account, region), merged the way the wide collector merges its partitions. */
function twoRegions(fixture: string, gaps: Gap[] = []): { file: string; parts: AwsSnapshot[] } {
  const base = JSON.parse(readFileSync(join(ROOT, "fixtures/aws", `${fixture}.json`), "utf8")) as AwsSnapshot;
  const parts = PLACES.map((p, i) => relocate(base, p.account, p.region, `r${i}`));
  const merged = mergeAwsSnapshots(
    parts,
    gaps,
    PLACES.map((p) => ({ ...p, loadBalancers: 1, status: "collected" as const })),
    { now: () => new Date("2026-03-14T04:00:00Z") },
  );
  const file = join(tmp, `${fixture}.json`);
  writeFileSync(file, JSON.stringify(merged));
  return { file, parts };
}

/** Where each EC2 id of the partitions is: the partition that holds it. */
function placeOfIds(parts: AwsSnapshot[]): Map<string, (typeof PLACES)[number]> {
  const out = new Map<string, (typeof PLACES)[number]>();
  parts.forEach((s, i) => {
    for (const id of JSON.stringify(s.ec2).match(/\b(?:i|sg|acl|subnet)-[0-9a-f]{8,17}\b/g) ?? []) out.set(id, PLACES[i] as never);
  });
  return out;
}

const arnPlace = (arn: string | undefined) => {
  const m = /^arn:aws:[^:]+:([^:]+):(\d{12}):/.exec(arn ?? "");
  return m ? { region: m[1], account: m[2] } : undefined;
};

describe("AWS findings on a snapshot of two regions and two accounts", () => {
  for (const fixture of ["target-sg-blocks-health-check", "nacl-blocks-health-check", "target-public-ip"]) {
    it(`${fixture}: every finding on an EC2 id carries its region and account; its fix commands carry that --region`, () => {
      const { file, parts } = twoRegions(fixture);
      const ids = placeOfIds(parts);
      const r = lbdoctor(["check", "--snapshot", file, "--no-config", "--format", "json", "--include-passed"]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings.filter((f) => f.resourceId !== "");
      const onEc2 = findings.filter((f) => ids.has(f.resourceId));
      assert.ok(onEc2.length >= 4, `findings on EC2 ids: ${onEc2.length}`);
      // the same names in both places: only region and account tell them apart
      assert.deepEqual(new Set(onEc2.map((f) => f.region)), new Set(["us-east-1", "eu-west-1"]));
      for (const f of findings) {
        const want = ids.get(f.resourceId) ?? arnPlace(f.resourceId) ?? arnPlace(f.loadBalancerId);
        assert.ok(want, `${f.id}: the test knows where ${f.resourceId} is`);
        assert.equal(f.region, want.region, `${f.id} region`);
        assert.equal(f.account, want.account, `${f.id} account`);
        for (const c of f.remediation?.commands ?? []) {
          if (!c.startsWith("aws ")) continue;
          assert.equal(c.match(/--region /g)?.length, 1, c);
          assert.ok(c.endsWith(`--region ${want.region}`), `${f.id}: ${c}`);
        }
      }
    });
  }

  it("timeline: the command that reverts a security group change runs in that security group's region", () => {
    const { file, parts } = twoRegions("sg-revoke-targets-unhealthy");
    const ids = placeOfIds(parts);
    const r = lbdoctor(["timeline", "--snapshot", file, "--format", "json"]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const entries = (JSON.parse(r.stdout) as { timeline: { entries: Array<{ kind: string; resourceId: string; revert?: string[] }> } })
      .timeline.entries;
    const changes = entries.filter((e) => e.kind === "change" && (e.revert ?? []).length > 0);
    assert.equal(changes.length, 2, JSON.stringify(changes));
    for (const c of changes) {
      const place = ids.get(c.resourceId);
      assert.ok(place, c.resourceId);
      for (const cmd of c.revert ?? []) assert.ok(cmd.endsWith(`--region ${place.region}`), cmd);
    }
    assert.deepEqual(new Set(changes.map((c) => ids.get(c.resourceId)?.region)), new Set(["us-east-1", "eu-west-1"]));
  });

  it("an EC2 object is placed by its own OwnerId first, then its VPC's load balancers, then its availability zone", () => {
    const { parts } = twoRegions("targets-unhealthy");
    const merged = mergeAwsSnapshots(parts, [], [], {});
    const inst = merged.ec2?.Instances?.find((i) => String(obj(i.Placement).AvailabilityZone).startsWith("eu-west-1"));
    assert.ok(inst);
    const model = buildAwsModel(merged);
    const id = String(inst.InstanceId);
    assert.deepEqual(awsLocate({ resourceId: id }, model), { region: "eu-west-1", account: B });
    // a shared VPC: the instance's own account (its interface's OwnerId) wins over the VPC owner's
    (inst.NetworkInterfaces as Array<Record<string, unknown>>) = [{ OwnerId: "333333333333" }];
    assert.equal(awsLocate({ resourceId: id }, buildAwsModel(merged)).account, "333333333333");
    // nothing known of an id: its load balancer's ARN; of neither, no region in a snapshot of two
    const lb = String(merged.elbv2.LoadBalancers.find((l) => String(l.LoadBalancerArn).includes(":eu-west-1:"))?.LoadBalancerArn);
    assert.equal(awsLocate({ resourceId: "i-0000000000000000f", loadBalancerId: lb }, model).region, "eu-west-1");
    assert.equal(awsLocate({ resourceId: "i-0000000000000000f" }, model).region, undefined);
  });

  it("the region of an availability zone, a Local Zone and a GovCloud zone", () => {
    assert.equal(zoneRegion("us-east-1a"), "us-east-1");
    assert.equal(zoneRegion("us-west-2-lax-1a"), "us-west-2");
    assert.equal(zoneRegion("us-gov-west-1b"), "us-gov-west-1");
    assert.equal(zoneRegion("ap-southeast-2c"), "ap-southeast-2");
    assert.equal(zoneRegion("use1-az1"), undefined);
  });
});

/** What a report says of each finding, without where in the file its evidence is (indices differ between files). */
function said(stdout: string, file: string): string[] {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  return (JSON.parse(stdout) as { findings: Finding[] }).findings
    .map((f) => {
      // every pointer still points into the file as written, at the value the report shows
      for (const e of f.evidence)
        if (e.value !== undefined) assert.deepEqual(resolvePointer(doc, e.pointer), e.value, `${f.id} ${e.pointer}`);
      return JSON.stringify([f.ruleId, f.status, f.resourceId, f.key, f.region, f.account, f.message, f.evidence.map((e) => e.value)]);
    })
    .sort();
}

describe("a positional scope on a snapshot of two regions and two accounts keeps only its own place", () => {
  // what the wide collector writes when a Describe fails in one account and region
  const elsewhere: Gap = {
    operation: "ec2:DescribeSecurityGroups",
    status: 403,
    code: "UnauthorizedOperation",
    message: `account ${B}, region eu-west-1: You are not authorized to perform this operation.`,
  };
  for (const fixture of ["target-sg-blocks-health-check", "asg-ec2-health-check", "nacl-blocks-health-check"]) {
    it(`${fixture}: check <us-east-1's load balancer> says what check says of that region's snapshot alone`, () => {
      const { file, parts } = twoRegions(fixture, [elsewhere]);
      const alone = join(tmp, `${fixture}.alone.json`);
      writeFileSync(alone, JSON.stringify(parts[0]));
      const lb = String(parts[0]?.elbv2.LoadBalancers[0]?.LoadBalancerName);
      const args = ["--no-config", "--format", "json", "--include-passed", lb];
      const narrowed = lbdoctor(["check", "--snapshot", file, ...args]);
      const single = lbdoctor(["check", "--snapshot", alone, ...args]);
      assert.ok(narrowed.code === 0 || narrowed.code === 1, narrowed.stderr);
      assert.deepEqual(said(narrowed.stdout, file), said(single.stdout, alone));
      const report = JSON.parse(narrowed.stdout) as { scope: Record<string, unknown>; gaps: Gap[]; findings: Finding[] };
      assert.deepEqual(report.scope.regions, ["us-east-1"]);
      assert.deepEqual(report.scope.accounts, [A]);
      assert.deepEqual(report.gaps, [], "the other account's gap is not this scope's");
      assert.ok(!report.findings.some((f) => f.status === "unknown"));
      const theirs = [...placeOfIds(parts)].filter(([, p]) => p.region === "eu-west-1").map(([id]) => id);
      assert.deepEqual(
        theirs.filter((id) => narrowed.stdout.includes(id)),
        [],
      );
    });
  }

  it("check <region> keeps that region's accounts and gaps", () => {
    const { file } = twoRegions("target-sg-blocks-health-check", [elsewhere]);
    const r = lbdoctor(["check", "--snapshot", file, "--no-config", "--format", "json", "eu-west-1"]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { scope: Record<string, unknown>; gaps: Gap[]; findings: Finding[] };
    assert.deepEqual(report.scope.accounts, [B]);
    assert.deepEqual(
      report.gaps.map((g) => g.message),
      [elsewhere.message],
    );
    assert.ok(report.findings.length > 0);
    assert.ok(report.findings.every((f) => f.region === "eu-west-1" && (f.account === B || f.resourceId === "")));
  });
});

const obj = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

describe("a DescribeRouteTables gap on one region's internet gateway (its gateway route tables) concerns that region only", () => {
  const RULE = "aws/internet-facing-in-private-subnets";
  /** the wide collector's gap on one internet gateway: its gateway route tables were not read there */
  const igwGap = (igw: string): Gap => ({
    operation: "ec2:DescribeRouteTables",
    resourceId: igw,
    status: 503,
    code: "ServiceUnavailable",
    message: `account ${B}, region eu-west-1: Service Unavailable`,
  });
  const igwOf = (s: AwsSnapshot | undefined) => String(/igw-[0-9a-f]+/.exec(JSON.stringify(s?.ec2?.RouteTables))?.[0]);
  /** what the rule and the trace (`--from Internet`) say of each region's load balancer */
  async function verdicts(snapshot: AwsSnapshot): Promise<Map<string, { rule: string[]; trace: string; why: string }>> {
    const { rules } = await import("../rules/index.ts");
    const { diagnose } = await import("../src/core/diagnose.ts");
    const { awsProvider } = await import("../src/providers/aws/adapter.ts");
    const { parseSource, routesOf, traceFromSource } = await import("../src/providers/aws/trace-flows.ts");
    const only = rules.filter((r) => r.id === RULE);
    const findings = diagnose({ snapshot, adapter: awsProvider as never, rules: only, source: "test" }).findings;
    const model = buildAwsModel(snapshot);
    const out = new Map<string, { rule: string[]; trace: string; why: string }>();
    for (const lb of model.loadBalancers) {
      const region = String(arnPlace(lb.arn)?.region);
      const r = routesOf(lb).find((x) => x.listener?.port === 80);
      assert.ok(r, `a route on ${lb.name}'s listener 80`);
      const src = parseSource(model, "Internet");
      assert.ok(!("error" in src));
      const hop = traceFromSource(model, r, src, 80, "tcp").hops.find((h) => h.layer === "lb-route");
      const mine = findings.filter((f) => f.loadBalancerId === lb.arn);
      out.set(region, {
        rule: mine.map((f) => f.status),
        trace: hop?.verdict ?? "allow",
        why: [...mine.map((f) => f.message), ...(hop?.notes ?? []).map((n) => n.text)].join("\n"),
      });
    }
    return out;
  }

  it("the failed region's load balancer is unknown in check and trace; the other region's is decided as without the gap", async () => {
    const clean = await verdicts(JSON.parse(readFileSync(twoRegions("healthy-alb").file, "utf8")));
    const { file, parts } = twoRegions("healthy-alb", []);
    const snapshot = JSON.parse(readFileSync(file, "utf8")) as AwsSnapshot;
    snapshot.gaps = [igwGap(igwOf(parts[1]))];
    const gapped = await verdicts(snapshot);
    assert.deepEqual(gapped.get("us-east-1"), clean.get("us-east-1"));
    assert.deepEqual(clean.get("us-east-1")?.rule, ["pass", "pass"]);
    assert.equal(clean.get("us-east-1")?.trace, "allow");
    const eu = gapped.get("eu-west-1");
    assert.deepEqual(eu?.rule, ["unknown", "unknown"]);
    assert.equal(eu?.trace, "unknown");
    assert.match(
      eu?.why ?? "",
      /the internet gateway's own route tables were not collected \(collection failed: ec2:DescribeRouteTables: ServiceUnavailable: account 222222222222, region eu-west-1: /,
    );
  });

  it("even where both regions name the same internet gateway id, a gap placed in one region leaves the other's subnets decided", async () => {
    const { file, parts } = twoRegions("healthy-alb", []);
    const [us, eu] = [igwOf(parts[0]), igwOf(parts[1])];
    assert.notEqual(us, eu);
    const snapshot = JSON.parse(readFileSync(file, "utf8").replaceAll(eu, us)) as AwsSnapshot;
    snapshot.gaps = [igwGap(us)];
    const v = await verdicts(snapshot);
    assert.deepEqual(v.get("us-east-1")?.rule, ["pass", "pass"], v.get("us-east-1")?.why);
    assert.equal(v.get("us-east-1")?.trace, "allow", v.get("us-east-1")?.why);
    assert.deepEqual(v.get("eu-west-1")?.rule, ["unknown", "unknown"]);
    assert.equal(v.get("eu-west-1")?.trace, "unknown");
  });
});
