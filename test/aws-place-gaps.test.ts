/**
 * A Describe call that failed in one account and region of a wide snapshot (`--all-regions`, `--accounts`) leaves
 * only that place's data incomplete: the rules that read it say `unknown` for that place's load balancers, with the
 * gap as the reason, and what they say of every other place is what they say without the gap. Never a pass where
 * the data is missing; the report, its text and the TUI still list the gap.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { rules } from "../rules/index.ts";
import { diagnose } from "../src/core/diagnose.ts";
import { GAP_MESSAGE_ID } from "../src/core/engine/run.ts";
import type { Finding, Model } from "../src/core/engine/types.ts";
import type { ProviderAdapter } from "../src/core/provider.ts";
import type { Gap } from "../src/core/snapshot/types.ts";
import { awsProvider } from "../src/providers/aws/adapter.ts";
import { mergeAwsSnapshots } from "../src/providers/aws/collect/scale.ts";
import { combine, relocate } from "../src/providers/aws/emulator/tenant.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { analyze } from "../src/tui/analyze.ts";
import { startProgress } from "../src/tui/progress.ts";
import { detailParas } from "../src/tui/views/detail.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";

const A = "111111111111";
const B = "222222222222";
type Place = { account: string; region: string };
const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-place-gaps-"));

/** The fixture copied into each place, merged the way the wide collector merges its partitions, with these gaps. */
function wide(fixture: string, places: Place[], gaps: Gap[]): AwsSnapshot {
  const base = JSON.parse(readFileSync(join(ROOT, "fixtures/aws", `${fixture}.json`), "utf8")) as AwsSnapshot;
  return mergeAwsSnapshots(
    places.map((p, i) => relocate(base, p.account, p.region, `p${i}`)),
    gaps,
    places.map((p) => ({ ...p, loadBalancers: 1, status: "collected" as const })),
    { now: () => new Date("2026-03-14T04:00:00Z") },
  );
}

const adapter = awsProvider as unknown as ProviderAdapter<Model>;
const run = (snapshot: AwsSnapshot): Finding[] => diagnose({ snapshot, adapter, rules, source: "test" }).findings;
const sgRules = new Set(rules.filter((r) => r.provider === "aws" && (r.reads ?? []).includes("aws:securityGroups")).map((r) => r.id));
const said = (f: Finding) => JSON.stringify([f.ruleId, f.status, f.resourceId, f.key ?? "", f.message]);
const inPlace = (f: Finding, p: Place) => f.region === p.region && (f.account === p.account || f.account === undefined);

const CASES: Array<{ what: string; places: [Place, Place]; label: string }> = [
  {
    what: "two regions of one account",
    places: [
      { account: A, region: "us-east-1" },
      { account: A, region: "eu-west-1" },
    ],
    // the wide collector of one account (no --accounts) labels a gap with its region only
    label: "region eu-west-1",
  },
  {
    what: "two accounts in one region",
    places: [
      { account: A, region: "us-east-1" },
      { account: B, region: "us-east-1" },
    ],
    label: `account ${B}, region us-east-1`,
  },
];

describe("a DescribeSecurityGroups refused in one place of a wide snapshot", () => {
  for (const { what, places, label } of CASES) {
    const [fine, gapped] = places;
    const gap: Gap = {
      operation: "ec2:DescribeSecurityGroups",
      status: 403,
      code: "UnauthorizedOperation",
      message: `${label}: You are not authorized to perform this operation.`,
    };
    for (const fixture of ["healthy-alb", "target-sg-blocks-health-check", "lb-sg-blocks-listener"]) {
      it(`${what}, ${fixture}: the other place's findings are as without the gap; the gapped place's are unknown, never a pass`, () => {
        const clean = wide(fixture, places, []);
        // what the failed call leaves out: that place's security groups
        const withGap = wide(fixture, places, [gap]);
        const gappedSgs = new Set(
          relocate(
            JSON.parse(readFileSync(join(ROOT, "fixtures/aws", `${fixture}.json`), "utf8")),
            gapped.account,
            gapped.region,
            "p1",
          ).ec2?.SecurityGroups?.map((g) => String(g.GroupId)) ?? [],
        );
        if (withGap.ec2) withGap.ec2.SecurityGroups = (withGap.ec2.SecurityGroups ?? []).filter((g) => !gappedSgs.has(String(g.GroupId)));
        const before = run(clean);
        const after = run(withGap);
        assert.ok(before.length > 0);
        // the other place: exactly what it says without the gap
        const theirs = (fs: Finding[]) =>
          fs
            .filter((f) => f.resourceId !== "" && inPlace(f, fine))
            .map(said)
            .sort();
        assert.ok(theirs(before).length > 0);
        assert.deepEqual(theirs(after), theirs(before));
        // the gapped place: every security-group rule is unknown (or a failure) on its load balancer, the gap as reason
        const lb = withGap.elbv2.LoadBalancers.map((l) => String(l.LoadBalancerArn)).find((arn) =>
          arn.includes(`:${gapped.region}:${gapped.account}:`),
        );
        assert.ok(lb);
        const mine = after.filter((f) => f.resourceId !== "" && sgRules.has(f.ruleId) && inPlace(f, gapped));
        assert.ok(mine.length > 0);
        for (const f of mine) assert.notEqual(f.status, "pass", `${f.id}: ${f.message}`);
        let byGap = 0;
        const wideOnes = after.filter((f) => f.resourceId === "" && sgRules.has(f.ruleId));
        for (const ruleId of sgRules) {
          // on the load balancer (or what it holds), else the rule's scope-wide result (no time data: not applicable)
          const about: Finding[] = mine.filter((f) => f.ruleId === ruleId && (f.resourceId === lb || f.loadBalancerId === lb));
          if (about.length === 0) about.push(...wideOnes.filter((f) => f.ruleId === ruleId));
          assert.ok(about.length > 0, `${ruleId} says something of ${lb}`);
          for (const f of about) {
            // a failure found in what was collected stays; a rule may find it undecidable on its own (no security group)
            if (f.status === "fail" || (f.status === "unknown" && f.messageId !== GAP_MESSAGE_ID)) continue;
            assert.equal(f.status, "unknown", f.id);
            byGap++;
            assert.ok(f.message.includes(gap.message), f.message);
            assert.ok(
              f.evidence.some(
                (e: Finding["evidence"][number]) => e.pointer === "/gaps/0" && (e.value as { message?: string }).message === gap.message,
              ),
              f.id,
            );
          }
        }
        assert.ok(byGap > 0, "some finding gives the gap as its reason");
        // the report lists the gap
        const diagnosis = diagnose({ snapshot: withGap, adapter, rules, source: "test" });
        assert.ok(diagnosis.model.gaps.some((g) => g.message === gap.message && g.pointer === "/gaps/0"));
      });
    }
  }

  it("two load balancers in the failed place: one gap and one unknown each; a scope on one keeps its gap only", () => {
    const base = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/healthy-alb.json"), "utf8")) as AwsSnapshot;
    const east = relocate(base, A, "us-east-1", "e");
    const west = combine([relocate(base, A, "eu-west-1", "w1"), relocate(base, A, "eu-west-1", "w2")], "eu-west-1");
    const gap: Gap = {
      operation: "ec2:DescribeSecurityGroups",
      status: 403,
      code: "UnauthorizedOperation",
      message: "region eu-west-1: denied",
    };
    const parts = [
      { account: A, region: "us-east-1", loadBalancers: 1, status: "collected" as const },
      { account: A, region: "eu-west-1", loadBalancers: 2, status: "collected" as const },
    ];
    const snap = mergeAwsSnapshots([east, west], [gap], parts, {});
    const westLbs = west.elbv2.LoadBalancers.map((l) => ({ arn: String(l.LoadBalancerArn), name: String(l.LoadBalancerName) }));
    assert.equal(westLbs.length, 2);
    const d = diagnose({ snapshot: snap, adapter, rules, source: "test" });
    assert.deepEqual(
      d.model.gaps.filter((g) => g.kind === "collection").map((g) => [g.resourceId, g.message, g.pointer]),
      westLbs.map((l) => [l.arn, gap.message, "/gaps/0"]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    for (const lb of westLbs) {
      const about = d.findings.filter((f) => sgRules.has(f.ruleId) && (f.resourceId === lb.arn || f.loadBalancerId === lb.arn));
      assert.ok(about.length > 0, lb.name);
      assert.ok(
        about.every((f) => f.status === "unknown"),
        lb.name,
      );
      // the reason is this load balancer's gap, not its neighbour's
      for (const f of about.filter((x) => x.messageId === GAP_MESSAGE_ID)) {
        assert.ok(
          f.evidence.some((e: Finding["evidence"][number]) => e.resourceId === lb.arn && e.label === "collection gap"),
          f.id,
        );
        assert.ok(
          !f.evidence.some((e: Finding["evidence"][number]) => westLbs.some((o) => o.arn !== lb.arn && e.resourceId === o.arn)),
          f.id,
        );
      }
    }
    assert.ok(d.findings.filter((f) => f.region === "us-east-1" && f.resourceId !== "").every((f) => f.status !== "unknown"));
    // the text and Markdown reports: the gap on one line, naming the load balancers it concerns
    const file = join(tmp, "two-lbs.json");
    writeFileSync(file, JSON.stringify(snap));
    const names = westLbs.map((l) => l.name).sort();
    for (const format of ["text", "markdown"]) {
      const r = lbdoctor(["check", "--snapshot", file, "--no-config", "--no-color", "--format", format]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const lines = r.stdout
        .slice(r.stdout.indexOf("Gaps ("))
        .split("\n")
        .filter((l) => /^ *- .*DescribeSecurityGroups/.test(l));
      assert.equal(lines.length, 1, r.stdout);
      assert.match(r.stdout, /Gaps \(1\)/);
      assert.ok(lines[0]?.includes(`(on 2 resources: ${names.join(", ")})`), lines[0]);
    }
    // check <one of them>: its gap, not the other's
    const one = westLbs[0] as { arn: string; name: string };
    const scoped = diagnose({ snapshot: snap, adapter, rules, source: "test", target: one.name });
    assert.deepEqual(
      scoped.model.gaps.filter((g) => g.kind === "collection").map((g) => g.resourceId),
      [one.arn],
    );
    assert.ok(scoped.findings.some((f) => f.status === "unknown" && f.messageId === GAP_MESSAGE_ID));
  });

  it("a place with no load balancer: the gap is listed and changes no finding", () => {
    const places: [Place, Place] = [
      { account: A, region: "us-east-1" },
      { account: A, region: "eu-west-1" },
    ];
    const gap: Gap = {
      operation: "ec2:DescribeSecurityGroups",
      status: 403,
      code: "UnauthorizedOperation",
      message: "region ap-south-1: denied",
    };
    const clean = wide("target-sg-blocks-health-check", places, []);
    const withGap = wide("target-sg-blocks-health-check", places, [gap]);
    withGap.scope.regions = [...(withGap.scope.regions as string[]), "ap-south-1"];
    assert.deepEqual(run(withGap).map(said).sort(), run(clean).map(said).sort());
    const model = diagnose({ snapshot: withGap, adapter, rules, source: "test" }).model;
    assert.deepEqual(
      model.gaps.filter((g) => g.kind === "collection").map((g) => [g.message, g.covers]),
      [[gap.message, []]],
    );
  });

  it("the text report and the TUI show the gap; a one-region snapshot is left as it is", async () => {
    const places: [Place, Place] = [
      { account: A, region: "us-east-1" },
      { account: B, region: "eu-west-1" },
    ];
    const gap: Gap = {
      operation: "ec2:DescribeSecurityGroups",
      status: 403,
      code: "UnauthorizedOperation",
      message: `account ${B}, region eu-west-1: You are not authorized to perform this operation.`,
    };
    const snap = wide("healthy-alb", places, [gap]);
    const file = join(tmp, "wide.json");
    writeFileSync(file, JSON.stringify(snap));
    const text = lbdoctor(["check", "--snapshot", file, "--no-config", "--no-color"]);
    assert.ok(text.code === 0 || text.code === 1, text.stderr);
    assert.match(text.stdout, /Gaps \(\d+\)/);
    assert.ok(text.stdout.includes(`ec2:DescribeSecurityGroups 403 UnauthorizedOperation: ${gap.message}`), text.stdout);
    const data = await analyze(snap, { source: "snapshot wide.json", live: false });
    const paras = detailParas({ data, progress: startProgress(0), item: undefined, index: 0 }).map((p) => p.text);
    assert.ok(
      paras.some((t) => /COLLECTION GAP/.test(t)),
      paras.join("\n"),
    );
    assert.ok(
      paras.some((t) => t.includes(gap.message)),
      paras.join("\n"),
    );
    // the same gap, unlabelled, in a snapshot of one region: every security-group rule's passes are unknown, as before
    const one = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/healthy-alb.json"), "utf8")) as AwsSnapshot;
    one.gaps = [{ ...gap, message: "You are not authorized to perform this operation." }];
    const findings = run(one).filter((f) => sgRules.has(f.ruleId));
    assert.ok(findings.length > 0);
    assert.ok(findings.every((f) => f.status !== "pass"));
    const gaps = diagnose({ snapshot: one, adapter, rules, source: "test" }).model.gaps;
    assert.deepEqual(
      gaps.map((g) => [g.message, g.resourceId]),
      [[one.gaps[0]?.message, undefined]],
    );
  });
});
