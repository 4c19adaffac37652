/**
 * --baseline: only failures new since a previous JSON report decide the exit
 * code; the match is by finding id (rule | normalized resource id | key), so
 * order, timestamps and id casing do not matter.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { markBaseline, parseBaseline } from "../src/core/report/baseline.ts";
import { fixture, lbdoctor } from "./support/cli.ts";
import { assertValidReport, assertValidSarif } from "./support/validators.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-baseline-"));

function baselineOf(name: string): string {
  const out = join(tmp, `${name}.report.json`);
  const r = lbdoctor(["check", "--snapshot", fixture(name), "--format", "json", "--output", out]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return out;
}

describe("baselines", () => {
  it("the same findings as the baseline: nothing new, exit 0, though failures remain", () => {
    const base = baselineOf("demo");
    const r = lbdoctor(["check", "--snapshot", fixture("demo"), "--baseline", base, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assertValidReport(report);
    assert.deepEqual(report.summary.baseline, { source: base, new: 0, existing: 5, fixed: 0 });
    assert.equal(report.summary.failing, 0);
    assert.ok(
      report.findings.filter((f: { status: string }) => f.status === "fail").every((f: { baseline: string }) => f.baseline === "existing"),
    );
    assert.equal(lbdoctor(["check", "--snapshot", fixture("demo")]).code, 1, "without the baseline it fails");
  });

  it("new failures since a healthy baseline fail the run; the summary says new, existing and fixed", () => {
    const base = baselineOf("healthy-web");
    const r = lbdoctor(["check", "--snapshot", fixture("demo"), "--baseline", base]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /; 4 new at or above high\n {2}baseline .*healthy-web\.report\.json: 5 new, 0 already failing, 0 fixed since\n/);
    const back = lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--baseline", baselineOf("demo"), "--format", "json"]);
    assert.equal(back.code, 0);
    assert.deepEqual(JSON.parse(back.stdout).summary.baseline.fixed, 5);
  });

  it("fixed counts only what the run checked again: a --rule, a config that turns a rule off, a narrowed target", () => {
    const summary = (args: string[]) => {
      const r = lbdoctor(["check", "--format", "json", ...args]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      return JSON.parse(r.stdout).summary.baseline as { new: number; existing: number; fixed: number };
    };
    const demo = baselineOf("demo");
    // five failures in the baseline, one of them this rule's: the other four were not checked, not fixed
    const one = summary(["--snapshot", fixture("demo"), "--baseline", demo, "--rule", "azure/backend-vm-stopped"]);
    assert.deepEqual({ ...one }, { ...one, new: 0, existing: 1, fixed: 0 });
    const off = join(tmp, "off.yaml");
    writeFileSync(off, "rules:\n  azure/backend-vm-stopped: off\n");
    const config = summary(["--snapshot", fixture("demo"), "--baseline", demo, "--config", off]);
    assert.deepEqual({ ...config }, { ...config, new: 0, existing: 4, fixed: 0 });
    // the baseline's failure is on lb-ip; a run of lb-internal alone did not look at it
    const unresolved = baselineOf("backend-address-unresolved");
    const narrowed = summary(["--snapshot", fixture("backend-address-unresolved"), "lb-internal", "--baseline", unresolved]);
    assert.deepEqual({ ...narrowed }, { ...narrowed, new: 0, existing: 0, fixed: 0 });
    assert.equal(summary(["--snapshot", fixture("backend-address-unresolved"), "lb-ip", "--baseline", unresolved]).existing, 1);
    // a failure the run did check and no longer finds is fixed, narrowed or not
    const healthy = summary(["--snapshot", fixture("healthy-web"), "--baseline", demo, "--rule", "azure/backend-vm-stopped"]);
    assert.deepEqual({ ...healthy }, { ...healthy, new: 0, existing: 0, fixed: 1 });
  });

  it("markBaseline: a failure the run did not check (the predicate) is not fixed", () => {
    const b = parseBaseline(
      JSON.stringify({
        schema: "lbdoctor.report/v1",
        findings: [
          { id: "r1|a|", ruleId: "r1", resourceId: "a", status: "fail" },
          { id: "r2|b|", ruleId: "r2", resourceId: "b", loadBalancerId: "lb-2", status: "fail" },
          { id: "r3|c|", status: "fail" },
          { id: "r1|d|", ruleId: "r1", resourceId: "d", status: "unknown" },
        ],
      }),
      "b.json",
    );
    assert.deepEqual(
      b.failures.map((f) => [f.ruleId, f.loadBalancerId]),
      [
        ["r1", undefined],
        ["r2", "lb-2"],
        ["r3", undefined],
      ],
    );
    assert.equal(markBaseline([], b).fixed, 3);
    assert.equal(markBaseline([], b, (f) => f.ruleId !== "r2").fixed, 2);
    assert.equal(markBaseline([], b, (f) => f.loadBalancerId === "lb-2").fixed, 1);
  });

  it("independent of order, timestamps and the casing of ids", () => {
    const base = baselineOf("demo");
    const doc = JSON.parse(readFileSync(base, "utf8"));
    doc.findings.reverse();
    doc.snapshot.collectedAt = "1999-01-01T00:00:00Z";
    const shuffled = join(tmp, "shuffled.json");
    writeFileSync(shuffled, JSON.stringify(doc));
    assert.equal(lbdoctor(["check", "--snapshot", fixture("demo"), "--baseline", shuffled]).code, 0);
    // the same resources with ids in another case still match: the ids in findings are normalized
    const snap = JSON.parse(readFileSync(fixture("demo"), "utf8"));
    for (const r of snap.resources) r.id = r.id.replace("/resourceGroups/", "/RESOURCEGROUPS/");
    const upper = join(tmp, "upper.json");
    writeFileSync(upper, JSON.stringify(snap));
    assert.equal(lbdoctor(["check", "--snapshot", upper, "--baseline", base]).code, 0);
    // names in another case (a probe's, a rule's, a pool's: finding keys hold them) are the same findings too
    const renamed = join(tmp, "renamed.json");
    writeFileSync(
      renamed,
      readFileSync(fixture("demo"), "utf8")
        .replaceAll("probe-http", "Probe-HTTP")
        .replaceAll("rule-http", "Rule-HTTP")
        .replaceAll("pool-web", "Pool-Web"),
    );
    const again = lbdoctor(["check", "--snapshot", renamed, "--baseline", base, "--format", "json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).summary.baseline, { source: base, new: 0, existing: 5, fixed: 0 });
  });

  it("a finding whose status changed is new (unknown before, fail now)", () => {
    const b = parseBaseline(
      JSON.stringify({
        schema: "lbdoctor.report/v1",
        findings: [
          { id: "x", status: "unknown" },
          { id: "y", status: "fail" },
        ],
      }),
      "b.json",
    );
    const mk = (id: string, status: "fail" | "unknown") => ({ id, status }) as never;
    const fs = [mk("x", "fail"), mk("z", "unknown")];
    assert.deepEqual(markBaseline(fs, b), { source: "b.json", new: 1, existing: 0, fixed: 1 });
    assert.deepEqual(
      fs.map((f: { baseline?: string }) => f.baseline),
      ["new", "new"],
    );
  });

  it("SARIF says new or unchanged; GitHub annotations demote existing failures to notices", () => {
    const base = baselineOf("probe-blocked-by-nsg");
    const sarif = JSON.parse(lbdoctor(["check", "--snapshot", fixture("demo"), "--baseline", base, "--format", "sarif"]).stdout);
    assertValidSarif(sarif);
    const states = sarif.runs[0].results.map((x: { baselineState: string }) => x.baselineState).sort();
    // the probe on vm1-nic is blocked in both (the same finding id, though by another NSG); the rest is new
    assert.deepEqual(states, ["new", "new", "new", "new", "unchanged"]);
    const same = lbdoctor(["check", "--snapshot", fixture("probe-blocked-by-nsg"), "--baseline", base, "--format", "github"]).stdout;
    assert.match(same, /^::notice file=[^,]+,title=already in baseline%3A azure\/probe-blocked-by-nsg/m);
    assert.doesNotMatch(same, /^::error/m);
  });

  it("a missing or malformed baseline is exit 2 with a clear message", () => {
    const cases: Array<[string, string | undefined, RegExp]> = [
      ["missing", undefined, /baseline report not found/],
      ["not json", "{", /baseline .* is not valid JSON/],
      [
        "a snapshot, not a report",
        readFileSync(fixture("demo"), "utf8"),
        /has schema "lbdoctor\.snapshot\/v1", not 'lbdoctor\.report\/v1'/,
      ],
      ["findings not a list", JSON.stringify({ schema: "lbdoctor.report/v1", findings: {} }), /\/findings must be an array/],
      [
        "a finding without an id",
        JSON.stringify({ schema: "lbdoctor.report/v1", findings: [{ status: "fail" }] }),
        /\/findings\/0 needs a string id and status/,
      ],
    ];
    for (const [name, text, pattern] of cases) {
      const file = join(tmp, `bad-${name.replace(/\W+/g, "-")}.json`);
      if (text !== undefined) writeFileSync(file, text);
      const r = lbdoctor(["check", "--snapshot", fixture("demo"), "--baseline", file]);
      assert.equal(r.code, 2, name);
      assert.match(r.stderr, pattern, name);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});

import { healthyWeb, ids, P, RG, WEB_LB } from "./support/azure-builder.ts";

describe("baselines: a failure about another group's resource, kept for the group's by its subjects", () => {
  /**
   * The group's VMs reach lb-web, in rg-lb-shared, only through its inbound NAT rules (SSH), and the group's NSG lets
   * SSH in from anywhere: two nat-rule-conflict failures on those rules, the group's NICs and VMs their subjects.
   * `source` is the NSG rule's source (the fix: a narrow one).
   */
  const world = (source: string): string => {
    const snap = healthyWeb().nsgRule("nsg-web", { name: "allow-ssh-any", priority: 900, source, ports: "22" }).build();
    for (const r of snap.resources) {
      if (/\/networkInterfaces\/vm[12]-nic$/i.test(r.id))
        for (const c of P(r).ipConfigurations as Array<{ properties: Record<string, unknown> }>)
          c.properties.loadBalancerBackendAddressPools = [];
      if (r.id === ids.lb(WEB_LB))
        for (const pool of P(r).backendAddressPools as Array<{ properties: Record<string, unknown> }>)
          pool.properties.backendIPConfigurations = [];
    }
    let text = JSON.stringify(snap);
    for (const id of [ids.lb(WEB_LB), ids.publicIp("pip-lb-web")]) {
      const there = id.replace(`/resourceGroups/${RG}/`, "/resourceGroups/rg-lb-shared/");
      text = text.replaceAll(`${id}/`, `${there}/`).replaceAll(`${id}"`, `${there}"`);
    }
    return text;
  };

  it("fixed: `check <group>` counts them, as it counted them failing", () => {
    const before = join(tmp, "nat-before.json");
    const after = join(tmp, "nat-after.json");
    const base = join(tmp, "nat-base.report.json");
    writeFileSync(before, world("Internet"));
    writeFileSync(after, world("203.0.113.0/24"));
    const r0 = lbdoctor(["check", "--snapshot", before, RG, "--no-config", "--format", "json", "--output", base]);
    assert.equal(r0.code, 1, r0.stderr);
    const failing = JSON.parse(readFileSync(base, "utf8")).findings.filter((f: { status: string }) => f.status === "fail");
    assert.deepEqual(
      failing.map((f: { ruleId: string; resourceId: string }) => `${f.ruleId} ${f.resourceId.split("/").pop()}`),
      ["azure/nat-rule-conflict nat-ssh-vm1", "azure/nat-rule-conflict nat-ssh-vm2"],
    );
    const again = lbdoctor(["check", "--snapshot", before, RG, "--no-config", "--baseline", base, "--format", "json"]);
    assert.deepEqual(JSON.parse(again.stdout).summary.baseline, { source: base, new: 0, existing: 2, fixed: 0 });
    const r = lbdoctor(["check", "--snapshot", after, RG, "--no-config", "--baseline", base, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).summary.baseline, { source: base, new: 0, existing: 0, fixed: 2 });
  });

  it("parseBaseline keeps a failure's subjects; markBaseline's predicate sees them", () => {
    const b = parseBaseline(
      JSON.stringify({
        schema: "lbdoctor.report/v1",
        findings: [{ id: "r|x|k", status: "fail", ruleId: "r", resourceId: "/x", subjects: ["/a", 3, "/b"] }],
      }),
      "b.json",
    );
    assert.deepEqual(b.failures, [{ id: "r|x|k", status: "fail", ruleId: "r", resourceId: "/x", subjects: ["/a", "/b"] }]);
    assert.equal(markBaseline([], b, (f) => f.subjects?.includes("/b") === true).fixed, 1);
  });
});
