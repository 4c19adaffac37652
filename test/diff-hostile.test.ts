/**
 * `lbdoctor diff` on awkward pairs: one snapshot with collection gaps, where
 * what a failed call could not read must not read as removed (or added).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { diffSnapshots } from "../src/core/diff/compare.ts";
import { awsDiff } from "../src/providers/aws/diff.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { azureDiff } from "../src/providers/azure/diff.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { healthyWeb, ids, RG, SUB } from "./support/azure-builder.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-diff-hostile-"));
const RG_ID = `/subscriptions/${SUB}/resourceGroups/${RG}`;

/** The healthy web snapshot as collected when loadBalancers.list answered 403: no load balancer, no rule health, one gap. */
function withoutLoadBalancers(s: AzureSnapshot): AzureSnapshot {
  const g = structuredClone(s);
  g.resources = g.resources.filter((r) => r.type !== "Microsoft.Network/loadBalancers");
  g.observations = { ...g.observations, ruleHealth: {} };
  g.gaps = [{ operation: "loadBalancers.list", resourceId: RG_ID, status: 403, code: "AuthorizationFailed", message: "forbidden" }];
  return g;
}

describe("diff: collection gaps are not removals", () => {
  const full = healthyWeb().build();
  const gappy = withoutLoadBalancers(full);

  it("a load balancer the after snapshot could not list is 'maybe not collected', not removed; a NIC really gone is removed", () => {
    const after = structuredClone(gappy);
    after.resources = after.resources.filter((r) => r.id !== ids.nic("vm2-nic"));
    const changes = diffSnapshots(full, after, azureDiff);
    const lb = changes.find((c) => c.id === ids.lb("lb-web"));
    assert.equal(lb?.kind, "removed");
    assert.match(lb?.notCollected ?? "", /^loadBalancers\.list 403 AuthorizationFailed/);
    const health = changes.filter((c) => c.category === "ruleHealth");
    assert.ok(health.length > 0 && health.every((c) => c.notCollected), "rule health under the unlisted load balancer");
    const nic = changes.find((c) => c.id === ids.nic("vm2-nic"));
    assert.equal(nic?.kind, "removed");
    assert.equal(nic?.notCollected, undefined, "a NIC is not what loadBalancers.list reads");
  });

  it("the other way round: what the before snapshot could not read is not 'added'", () => {
    const changes = diffSnapshots(gappy, full, azureDiff);
    const lb = changes.find((c) => c.id === ids.lb("lb-web"));
    assert.equal(lb?.kind, "added");
    assert.ok(lb?.notCollected);
  });

  it("AWS: listeners of a load balancer whose DescribeListeners failed are not removed", () => {
    const before = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/healthy-alb.json"), "utf8")) as AwsSnapshot;
    const after = structuredClone(before);
    const lbArn = String(after.elbv2.LoadBalancers[0]?.LoadBalancerArn);
    after.elbv2.Listeners = [];
    after.gaps = [{ operation: "elasticloadbalancing:DescribeListeners", resourceId: lbArn, status: 500, message: "internal" }];
    const changes = diffSnapshots(before, after, awsDiff);
    const listeners = changes.filter((c) => c.category === "elbv2.Listeners");
    assert.ok(listeners.length > 0);
    assert.ok(listeners.every((c) => c.kind === "removed" && c.notCollected?.includes("DescribeListeners")));
  });

  it("the CLI says so in text, JSON and Markdown, and counts them apart from added and removed", () => {
    const a = join(tmp, "full.json");
    const b = join(tmp, "gappy.json");
    writeFileSync(a, JSON.stringify(full));
    writeFileSync(b, JSON.stringify(gappy));
    const text = lbdoctor(["diff", a, b]);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /\? loadBalancers\/lb-web .*absent after, maybe not collected: loadBalancers\.list 403 AuthorizationFailed/);
    assert.doesNotMatch(text.stdout, /^- loadBalancers\/lb-web/m);
    assert.match(text.stdout, /0 added, 0 removed/);
    assert.match(text.stdout, /Collection gaps: 0 in the before snapshot, 1 in the after one/);
    const json = lbdoctor(["diff", a, b, "--format", "json"]);
    const report = JSON.parse(json.stdout);
    assert.equal(report.summary.removed, 0);
    assert.ok(report.summary.notCollected >= 1);
    assert.deepEqual(report.summary.gaps, { before: 0, after: 1 });
    const md = lbdoctor(["diff", a, b, "--format", "markdown"]);
    assert.match(md.stdout, /❔ absent after, maybe not collected/);
  });
});

describe("diff: a redacted snapshot against one that is not", () => {
  it("is refused with exit 2 and one clear line: no id would match, everything would read as removed and added", () => {
    const plain = healthyWeb().build();
    const a = join(tmp, "plain.json");
    const b = join(tmp, "redacted.json");
    writeFileSync(a, JSON.stringify(plain));
    writeFileSync(b, JSON.stringify({ ...plain, redacted: true }));
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const r = lbdoctor(["diff", x, y]);
      assert.equal(r.code, 2, r.stdout);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /cannot compare a redacted snapshot \(.*redacted\.json\) with one that is not/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    // two redacted snapshots compare as usual
    assert.equal(lbdoctor(["diff", b, b]).code, 0);
  });
});

describe("diff: a region or an account not read at all", () => {
  const before = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/healthy-alb.json"), "utf8")) as AwsSnapshot;
  const lbArn = String(before.elbv2.LoadBalancers[0]?.LoadBalancerArn);
  const [, , , region, account] = lbArn.split(":");
  const empty = (gap: AwsSnapshot["gaps"]): AwsSnapshot => ({
    ...structuredClone(before),
    elbv2: {
      LoadBalancers: [],
      Listeners: [],
      TargetGroups: [],
      TargetHealth: {},
      Rules: {},
      LoadBalancerAttributes: {},
      TargetGroupAttributes: {},
    },
    gaps: gap ?? [],
  });

  it("a region that failed: its load balancers, listeners and target groups are not removed", () => {
    const after = empty([
      {
        operation: "elasticloadbalancing:DescribeLoadBalancers",
        resourceId: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/*`,
        message: "nothing was read in this region",
      },
    ]);
    const gone = diffSnapshots(before, after, awsDiff).filter((c) => c.kind === "removed" && c.id.startsWith("arn:"));
    assert.ok(gone.length >= 3, JSON.stringify(gone.map((c) => c.id)));
    assert.ok(
      gone.every((c) => c.notCollected),
      JSON.stringify(gone.filter((c) => !c.notCollected).map((c) => c.id)),
    );
  });

  it("an account whose role was not assumed: its ARNs are not removed; another region's failure says nothing about them", () => {
    const role = empty([
      { operation: "sts:AssumeRole", resourceId: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, message: "denied" },
    ]);
    assert.ok(
      diffSnapshots(before, role, awsDiff)
        .filter((c) => c.id.startsWith("arn:"))
        .every((c) => c.notCollected),
    );
    const elsewhere = empty([
      {
        operation: "elasticloadbalancing:DescribeLoadBalancers",
        resourceId: `arn:aws:elasticloadbalancing:eu-north-1:${account}:loadbalancer/*`,
        message: "nothing was read in this region",
      },
    ]);
    const lb = diffSnapshots(before, elsewhere, awsDiff).find((c) => c.id === lbArn);
    assert.equal(lb?.kind, "removed");
    assert.equal(lb?.notCollected, undefined);
  });
});

describe("diff: what only looks different", () => {
  it("an ARM resource type in another casing, and a list of plain values only reordered, are no change; a real change still is", () => {
    const before = healthyWeb().build();
    const after = structuredClone(before);
    const nsg = after.resources.find((r) => r.type === "Microsoft.Network/networkSecurityGroups") as unknown as {
      type: string;
      properties: { securityRules: Array<{ properties: Record<string, unknown> }> };
    };
    nsg.type = nsg.type.toUpperCase();
    const rule = nsg.properties.securityRules[0]?.properties as Record<string, unknown>;
    const beforeRule = (before.resources.find((r) => r.type === "Microsoft.Network/networkSecurityGroups") as unknown as typeof nsg)
      .properties.securityRules[0]?.properties as Record<string, unknown>;
    beforeRule.destinationPortRanges = ["80", "443", "8080"];
    rule.destinationPortRanges = ["8080", "80", "443"];
    assert.deepEqual(diffSnapshots(before, after, azureDiff), []);
    rule.destinationPortRanges = ["8080", "80", "8443"];
    const changes = diffSnapshots(before, after, azureDiff);
    assert.equal(changes.length, 1);
    assert.deepEqual(
      changes[0]?.changes.map((c) => c.path),
      [`securityRules[name=${(nsg.properties.securityRules[0] as unknown as { name: string }).name}].destinationPortRanges`],
    );
  });

  it("AWS: security group ids only reordered are no change", () => {
    const before = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/healthy-alb.json"), "utf8")) as AwsSnapshot & {
      elbv2: { LoadBalancers: Array<{ SecurityGroups?: string[] }> };
    };
    const lb = before.elbv2.LoadBalancers[0] as { SecurityGroups?: string[] };
    lb.SecurityGroups = ["sg-0aaa", "sg-0bbb"];
    const after = structuredClone(before);
    (after.elbv2.LoadBalancers[0] as { SecurityGroups?: string[] }).SecurityGroups = ["sg-0bbb", "sg-0aaa"];
    assert.deepEqual(diffSnapshots(before, after, awsDiff), []);
  });

  it("AWS: security group rules (objects with no id) only reordered are no change; a rule changed, or a duplicate dropped, still is", () => {
    type Perm = { IpProtocol: string; FromPort?: number; ToPort?: number; IpRanges: Array<{ CidrIp: string; Description?: string }> };
    const before = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/healthy-alb.json"), "utf8")) as AwsSnapshot & {
      ec2: { SecurityGroups: Array<{ GroupId: string; IpPermissions: Perm[] }> };
    };
    const sg = before.ec2.SecurityGroups[0] as { GroupId: string; IpPermissions: Perm[] };
    sg.IpPermissions = [
      { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "HTTP" }] },
      { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }, { CidrIp: "10.0.0.0/8" }] },
    ];
    const after = structuredClone(before);
    const perms = (after.ec2.SecurityGroups[0] as typeof sg).IpPermissions;
    perms.reverse();
    (perms[0] as Perm).IpRanges.reverse();
    assert.deepEqual(diffSnapshots(before, after, awsDiff), [], "the same rules in another order");

    (perms[0] as Perm).ToPort = 444;
    const changed = diffSnapshots(before, after, awsDiff);
    assert.equal(changed.length, 1);
    assert.deepEqual(
      changed[0]?.changes.map((c) => [c.path, c.before, c.after]),
      [["IpPermissions[0].ToPort", 443, 444]],
      "the one rule that changed, and nothing about the one that only moved",
    );

    const twice = structuredClone(before);
    const dup = (twice.ec2.SecurityGroups[0] as typeof sg).IpPermissions;
    dup.push(structuredClone(dup[0] as Perm));
    const dropped = diffSnapshots(twice, before, awsDiff);
    assert.deepEqual(
      dropped[0]?.changes.map((c) => [c.kind, c.path]),
      [["removed", "IpPermissions[-]"]],
      "one of two equal rules removed is a removal",
    );
  });
});
