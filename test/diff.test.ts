/**
 * `lbdoctor diff`: snapshots compared down to the property, with readable
 * paths; changes that touch a failing finding of the after snapshot first.
 * The pairs are built with the snapshot builder: healthyWeb() before, a
 * variant after.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { diffSnapshots as diffWith } from "../src/core/diff/compare.ts";
import type { Snapshot } from "../src/core/snapshot/types.ts";
import { awsDiff } from "../src/providers/aws/diff.ts";
import { azureDiff } from "../src/providers/azure/diff.ts";

const diffSnapshots = (a: Snapshot, b: Snapshot) => diffWith(a, b, b.provider === "aws" ? awsDiff : azureDiff);

import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { healthyWeb, ids, P, WEB_NSG } from "./support/azure-builder.ts";
import { fixture, lbdoctor, ROOT } from "./support/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-diff-"));

/** A lock-down NSG rule behind an explicit probe allow: healthy. */
function before(): AzureSnapshot {
  return healthyWeb()
    .nsgRule(WEB_NSG, { name: "allow-probe", priority: 3000, source: "AzureLoadBalancer", ports: "80" })
    .nsgRule(WEB_NSG, { name: "deny-all", priority: 4000, access: "Deny", protocol: "*", source: "*", ports: "*" })
    .asg("asg-old")
    .build();
}

/** The same, with deny-all moved to priority 100 (ahead of everything), the rule list reordered, a tag added, the ASG gone. */
function after(): AzureSnapshot {
  const snap = healthyWeb()
    .nsgRule(WEB_NSG, { name: "allow-probe", priority: 3000, source: "AzureLoadBalancer", ports: "80" })
    .nsgRule(WEB_NSG, { name: "deny-all", priority: 100, access: "Deny", protocol: "*", source: "*", ports: "*" })
    .edit(ids.publicIp("pip-lb-web"), (r) => {
      r.tags = { owner: "net-team" };
    })
    .edit(ids.nsg(WEB_NSG), (r) => {
      (P(r).securityRules as unknown[]).reverse();
    })
    .build("2026-11-21T10:00:00Z");
  return snap;
}

function write(name: string, snap: unknown): string {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(snap, null, 2));
  return file;
}

describe("diff: the comparison", () => {
  it("down to the property with readable paths; arrays of named objects matched by name, so reordering is no change", () => {
    const changes = diffSnapshots(before(), after());
    const nsg = changes.find((c) => c.name === WEB_NSG);
    assert.ok(nsg);
    assert.equal(nsg.kind, "changed");
    assert.deepEqual(
      nsg.changes.map((c) => [c.kind, c.path, c.before, c.after]),
      [["changed", "securityRules[name=deny-all].priority", 4000, 100]],
    );
    assert.match(
      nsg.changes[0]?.pointer ?? "",
      /^\/resources\/\d+\/properties\/securityRules\/0\/properties\/priority$/,
      "a pointer into the after snapshot",
    );
    const pip = changes.find((c) => c.name === "pip-lb-web");
    assert.deepEqual(
      pip?.changes.map((c) => [c.kind, c.path, c.after]),
      [["added", "tags", { owner: "net-team" }]],
    );
    const asg = changes.find((c) => c.name === "asg-old");
    assert.equal(asg?.kind, "removed");
    assert.equal(changes.length, 3);
  });

  it("resource ids match case-insensitively; etags are noise", () => {
    const a = before();
    const b = before();
    for (const r of b.resources) {
      r.id = r.id.toUpperCase();
      r.etag = 'W/"changed"';
    }
    assert.deepEqual(diffSnapshots(a, b), []);
  });

  it("AWS lists match by natural id; unkeyed lists of equal length by position", () => {
    const a = JSON.parse(readFileSync(join(ROOT, "test/fixtures-aws/web-two-az.json"), "utf8")) as AwsSnapshot;
    const b = structuredClone(a);
    const sgs = b.ec2?.SecurityGroups as Array<{ GroupId: string; IpPermissions: Array<{ FromPort: number; ToPort: number }> }>;
    sgs.reverse();
    const sg = sgs.find((g) => g.GroupId === "sg-0a1b2c3d4e5f6a7b1");
    assert.ok(sg?.IpPermissions[0]);
    sg.IpPermissions[0].FromPort = 8443;
    const changes = diffSnapshots(a, b);
    assert.deepEqual(
      changes.map((c) => [c.category, c.id, c.changes.map((p) => `${p.path}: ${p.before} → ${p.after}`)]),
      [["ec2.SecurityGroups", "sg-0a1b2c3d4e5f6a7b1", ["IpPermissions[0].FromPort: 443 → 8443"]]],
    );
  });
});

describe("lbdoctor diff", () => {
  const a = write("before", before());
  const b = write("after", after());

  it("ranks the change that touches a failing finding first, and says which", () => {
    const r = lbdoctor(["diff", a, b, "--format", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.schema, "lbdoctor.diff/v1");
    assert.deepEqual(d.summary, {
      added: 0,
      removed: 1,
      changed: 2,
      properties: 2,
      touchingFindings: 1,
      failingAfter: d.summary.failingAfter,
    });
    assert.ok(d.summary.failingAfter >= 2);
    const first = d.changes[0];
    assert.equal(first.name, WEB_NSG);
    const change = first.changes[0];
    assert.equal(change.path, "securityRules[name=deny-all].priority");
    const rules = change.related.map((x: { ruleId: string; via: string }) => `${x.ruleId} ${x.via}`);
    assert.ok(rules.includes("azure/probe-blocked-by-nsg evidence"), rules.join(", "));
    assert.ok(
      d.changes.slice(1).every((c: { related: unknown[] }) => c.related.length === 0),
      "the tag and the removed ASG touch nothing",
    );
    assert.ok(d.findings.some((f: { ruleId: string }) => f.ruleId === "azure/probe-blocked-by-nsg"));
  });

  it("text and markdown", () => {
    const text = lbdoctor(["diff", a, b]).stdout;
    assert.match(
      text,
      /^~ networkSecurityGroups\/nsg-web \(Microsoft\.Network\/networkSecurityGroups; 1 change\) ⚠ touches \d+ failing findings\n {4}~ securityRules\[name=deny-all\]\.priority: 4000 → 100\n {8}↳ azure\/[a-z-]+ on vm\d-nic \(critical\), in its evidence/m,
    );
    assert.match(text, /^- applicationSecurityGroups\/asg-old \(Microsoft\.Network\/applicationSecurityGroups; removed\)$/m);
    assert.match(
      text,
      /^Summary: 2 changed \(2 properties\), 0 added, 1 removed; 1 touches the \d+ failing findings of the after snapshot$/m,
    );
    const md = lbdoctor(["diff", a, b, "--format", "markdown"]).stdout;
    assert.match(md, /^## lbdoctor diff: 2 changed, 0 added, 1 removed · ⚠️ 1 touches failing findings/);
    assert.match(md, /\| ✏️ changed \| `networkSecurityGroups\/nsg-web` \| `Microsoft\.Network\/networkSecurityGroups` \| 1 \| `azure\//);
    assert.match(md, /- `securityRules\[name=deny-all\]\.priority`: `4000` → `100` ⚠️ `azure\//);
  });

  it("identical snapshots: exit 0, no differences; several formats at once, to files", () => {
    const r = lbdoctor(["diff", fixture("healthy-web"), fixture("healthy-web")]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\nNo differences\.\n$/);
    const out = join(tmp, "d.json");
    const both = lbdoctor(["diff", a, b, "--format", "json", "--output", out, "--format", "markdown"]);
    assert.equal(both.code, 1);
    assert.match(both.stdout, /^## lbdoctor diff/);
    assert.equal(JSON.parse(readFileSync(out, "utf8")).schema, "lbdoctor.diff/v1");
  });

  it("bad input is exit 2: a missing file, a broken snapshot, two different clouds, an unknown format", () => {
    const broken = write("broken", { schema: "lbdoctor.snapshot/v1", provider: "azure" });
    const out = join(tmp, "never.json");
    const cases: Array<[string[], RegExp]> = [
      [["diff", join(tmp, "nope.json"), b], /snapshot file not found/],
      [["diff", a, broken, "--format", "json", "--output", out], /is not a valid lbdoctor\.snapshot\/v1 document/],
      [["diff", a, join(ROOT, "test/fixtures-aws/web-two-az.json")], /cannot compare an Azure snapshot .* with an AWS snapshot/],
      [["diff", a, b, "--format", "sarif"], /Allowed choices are text, json, markdown/],
    ];
    for (const [args, pattern] of cases) {
      const r = lbdoctor(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.equal(existsSync(out), false);
  });
});
