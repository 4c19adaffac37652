/**
 * One collection gap that every rule depends on (a subscription read through some of its resource groups only)
 * turns each rule `unknown` with the same words: the text and Markdown reports show those findings as one entry
 * naming the rules, so that the failures are not buried under 32 copies of one reason. The JSON keeps each finding.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GAP_MESSAGE_ID } from "../src/core/engine/run.ts";
import type { Finding } from "../src/core/engine/types.ts";
import { alikeGapUnknowns } from "../src/core/report/report.ts";
import { fixture, lbdoctor } from "./support/cli.ts";

const GAP = { resourceId: "/subscriptions/s1", pointer: "/gaps/0", value: { operation: "op", message: "m" }, label: "collection gap" };

function finding(ruleId: string, over: Partial<Finding> = {}): Finding {
  return {
    id: `${ruleId}|/subscriptions/s1|gap`,
    ruleId,
    status: "unknown",
    severity: "high",
    resourceId: "/subscriptions/s1",
    resourceName: "s1",
    title: ruleId,
    messageId: GAP_MESSAGE_ID,
    message: "Not checked: op on /subscriptions/s1: m; this rule reads that data.",
    evidence: [GAP],
    relatedTo: [],
    subjects: ["/subscriptions/s1"],
    ...over,
  } as Finding;
}

const rules = (entries: Finding[][]) => entries.map((e) => e.map((f) => f.ruleId));

describe("alikeGapUnknowns", () => {
  it("makes one entry of three or more alike gap unknowns, where the first one was", () => {
    const fail = finding("a/fail", { status: "fail", messageId: "x", message: "broken" });
    const list = [finding("a/1"), fail, finding("a/2"), finding("a/3")];
    assert.deepEqual(rules(alikeGapUnknowns(list)), [["a/1", "a/2", "a/3"], ["a/fail"]]);
  });

  it("leaves two alike findings apart, each at its own place", () => {
    const fail = finding("a/fail", { status: "fail", messageId: "x", message: "broken" });
    const list = [finding("a/1"), fail, finding("a/2")];
    assert.deepEqual(rules(alikeGapUnknowns(list)), [["a/1"], ["a/fail"], ["a/2"]]);
  });

  it("keeps apart findings on another resource, with other words or another gap", () => {
    const list = [
      finding("a/1"),
      finding("a/2"),
      finding("a/3"),
      finding("b/1", { resourceId: "/subscriptions/s2", resourceName: "s2" }),
      finding("b/2", { message: "Not verified: other words" }),
      finding("b/3", { evidence: [{ ...GAP, pointer: "/gaps/1" }] }),
    ];
    assert.deepEqual(rules(alikeGapUnknowns(list)), [["a/1", "a/2", "a/3"], ["b/1"], ["b/2"], ["b/3"]]);
  });

  it("never folds a finding with a fix, a relation, a suppression or other evidence", () => {
    const odd = [
      finding("o/fix", { remediation: { summary: "do it", commands: ["az x"] } }),
      finding("o/rel", { relatedTo: [{ findingId: "x", ruleId: "y", relation: "explains" }] as Finding["relatedTo"] }),
      finding("o/sup", { suppression: { source: "c", reason: "r" } as Finding["suppression"] }),
      finding("o/ev", { evidence: [GAP, { resourceId: "x", pointer: "/resources/0", label: "nic" }] }),
      finding("o/other", { messageId: "not-a-gap" }),
      finding("o/fail", { status: "fail" }),
    ];
    const entries = alikeGapUnknowns([...odd, ...odd.map((f) => ({ ...f, ruleId: `${f.ruleId}2` }))]);
    assert.ok(entries.every((e) => e.length === 1));
    assert.equal(entries.length, 12);
  });

  it("folds findings with the same baseline mark, never findings with different ones", () => {
    const same = ["a", "b", "c"].map((x) => finding(`s/${x}`, { baseline: "existing" }));
    assert.deepEqual(rules(alikeGapUnknowns(same)), [["s/a", "s/b", "s/c"]]);
    const mixed = [finding("m/1", { baseline: "existing" }), finding("m/2", { baseline: "new" }), finding("m/3")];
    assert.deepEqual(rules(alikeGapUnknowns(mixed)), [["m/1"], ["m/2"], ["m/3"]]);
  });

  it("keeps every finding exactly once", () => {
    const list = Array.from({ length: 40 }, (_, i) =>
      finding(`r/${i}`, i % 3 === 0 ? { resourceName: "other", resourceId: "/subscriptions/s9" } : i % 7 === 0 ? { status: "fail" } : {}),
    );
    const flat = alikeGapUnknowns(list).flat();
    assert.equal(flat.length, list.length);
    assert.deepEqual(new Set(flat), new Set(list));
  });
});

describe("a partial view of a subscription in the text and Markdown reports", () => {
  const dir = mkdtempSync(join(tmpdir(), "lbdoctor-alike-"));
  const doc = JSON.parse(readFileSync(fixture("demo"), "utf8"));
  const sub = (doc.resources[0].id as string).split("/")[2];
  doc.gaps.push({
    operation: "resourceGraph.resourceGroups",
    resourceId: `/subscriptions/${sub}`,
    message: "the credential holds roles on some of its resource groups only",
  });
  const file = join(dir, "partial.json");
  writeFileSync(file, JSON.stringify(doc));
  const json = JSON.parse(lbdoctor(["check", "--snapshot", file, "--format", "json"]).stdout);
  const unknown = (json.findings as Finding[]).filter((f) => f.status === "unknown" && f.messageId === GAP_MESSAGE_ID);
  const byResource = new Map<string, string[]>();
  for (const f of unknown) byResource.set(f.resourceName, [...(byResource.get(f.resourceName) ?? []), f.ruleId]);

  it("keeps each unknown finding in the JSON", () => {
    assert.ok(unknown.length >= 10, `${unknown.length} gap unknowns`);
    assert.equal(json.summary.byStatus.unknown, unknown.length);
  });

  it("lists the rules of each resource once, under one entry, and the failures as before", () => {
    const r = lbdoctor(["check", "--snapshot", file]);
    assert.equal(r.code, 1, r.stderr);
    for (const [name, ids] of byResource) {
      if (ids.length < 3) continue;
      const head = r.stdout.split("\n").filter((l) => l.includes(`? UNKNOWN ${ids.length} rules on ${name}, each for the same reason:`));
      assert.equal(head.length, 1, `one entry for ${name}`);
      const rulesLine = r.stdout.split("\n").find((l, i, all) => all[i - 2]?.includes(`rules on ${name},`) && l.includes("rules: "));
      assert.ok(rulesLine, `the rules of ${name}`);
      assert.deepEqual(rulesLine.trim().slice("rules: ".length).split(", ").sort(), [...ids].sort());
    }
    // no unknown is shown on its own, and the reason is printed once per entry, not once per rule
    assert.ok(!/\? UNKNOWN azure\//.test(r.stdout));
    const reasons = r.stdout
      .split("\n")
      .filter((l) => l.includes("the credential holds roles on some of its resource groups only; this rule"));
    assert.equal(reasons.length, [...byResource.values()].filter((ids) => ids.length >= 3).length);
    for (const f of json.findings as Finding[]) {
      if (f.status === "fail") assert.ok(r.stdout.includes(`${f.severity.toUpperCase()} ${f.ruleId} on ${f.resourceName}`), f.id);
    }
    assert.match(r.stdout, new RegExp(`${unknown.length} unknown`));
  });

  it("gives the Markdown report one row and one detail per entry", () => {
    const md = lbdoctor(["check", "--snapshot", file, "--format", "markdown"]).stdout;
    for (const [name, ids] of byResource) {
      if (ids.length < 3) continue;
      const rows = md.split("\n").filter((l) => l.includes(`| unknown | ${ids.length} rules | \`${name}\` |`));
      assert.equal(rows.length, 1, md);
      const detail = md.split("\n").findIndex((l) => l.includes(`UNKNOWN · ${ids.length} rules on \`${name}\`, each for the same reason`));
      assert.ok(detail > 0);
      const listed = md
        .split("\n")
        .slice(detail)
        .find((l) => l.startsWith("**Rules:**"));
      assert.deepEqual(
        listed
          ?.slice("**Rules:** ".length)
          .split(", ")
          .map((x) => x.replace(/`/g, ""))
          .sort(),
        [...ids].sort(),
      );
    }
    assert.ok(!/UNKNOWN · `azure\//.test(md));
  });
});

describe("a partial view of a subscription, checked against a baseline", () => {
  const dir = mkdtempSync(join(tmpdir(), "lbdoctor-alike-base-"));
  const doc = JSON.parse(readFileSync(fixture("demo"), "utf8"));
  const sub = (doc.resources[0].id as string).split("/")[2];
  doc.gaps.push({ operation: "resourceGraph.resourceGroups", resourceId: `/subscriptions/${sub}`, message: "roles on some groups only" });
  const file = join(dir, "partial.json");
  writeFileSync(file, JSON.stringify(doc));
  const base = join(dir, "base.json");
  writeFileSync(base, lbdoctor(["check", "--snapshot", file, "--format", "json"]).stdout);

  it("still shows the unknowns of one gap as one entry per resource, marked as in the baseline", () => {
    const r = lbdoctor(["check", "--snapshot", file, "--baseline", base]);
    assert.equal(r.code, 0, r.stderr);
    const entries = r.stdout
      .split("\n")
      .filter((l) => /\? UNKNOWN \d+ rules on .*, each for the same reason: · already in baseline$/.test(l));
    assert.ok(entries.length >= 1 && entries.length <= 2, r.stdout);
    assert.ok(!/\? UNKNOWN azure\//.test(r.stdout), "no unknown shown alone");
    const gh = lbdoctor(["check", "--snapshot", file, "--baseline", base, "--format", "github"]).stdout;
    assert.ok(!gh.includes("more not annotated"), gh);
    assert.match(gh, /title=already in baseline%3A \d+ rules could not be decided on /);
  });
});
