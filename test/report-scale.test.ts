/**
 * Reports at scale: passes summarized per rule by default (`--include-passed`
 * restores them), reports written as streams of pieces (never one string),
 * and output files that are complete or absent.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generate } from "../bench/gen.ts";
import { prepareOutput, writeOutputs } from "../src/commands/output.ts";
import type { Finding } from "../src/core/engine/types.ts";
import { jsonReportChunks } from "../src/core/report/formatters/json.ts";
import { junitChunks } from "../src/core/report/formatters/junit.ts";
import { sarifChunks } from "../src/core/report/formatters/sarif.ts";
import type { Report } from "../src/core/report/report.ts";
import { safeJson } from "../src/core/report/sanitize.ts";
import { jsonChunks } from "../src/core/report/stream.ts";
import { BIN, fixture, lbdoctor, ROOT } from "./support/cli.ts";
import { syntheticAzureReport } from "./support/synthetic-report.ts";
import { assertValidJunit, assertValidReport, assertValidSarif } from "./support/validators.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-report-scale-"));

function check(args: string[]): { code: number; report: Report } {
  const r = lbdoctor(["check", ...args, "--format", "json"]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

/** The synthetic report with its findings copied `times` over (distinct ids): larger than any small chunk. */
function bigReport(times: number): Report {
  const r = syntheticAzureReport("full");
  const findings: Finding[] = [];
  for (let i = 0; i < times; i++) for (const f of r.findings) findings.push({ ...f, id: `${f.id}#${i}` });
  return { ...r, findings };
}

describe("passes summarized by default", () => {
  it("check: passes and not-applicable results become per-rule counts with resource ids; everything else stays in full", () => {
    // the whole snapshot, and one load balancer of two (the counted passes are narrowed like the findings)
    for (const args of [
      ["--snapshot", fixture("demo")],
      ["--snapshot", fixture("gateway-lb-unhealthy"), "lb-gw"],
    ]) {
      summarizedLikeFull(args);
    }
    const { report: full } = check(["--snapshot", fixture("demo"), "--include-passed"]);
    // --include-passed: every pass in full, with its evidence values, and no summary
    assert.equal(full.passed, undefined);
    assert.equal(full.notApplicable, undefined);
    const pass = full.findings.find((f) => f.status === "pass" && f.evidence.length > 0);
    assert.ok(pass, "a pass with evidence");
    assert.ok(
      pass.evidence.every((e) => "value" in e),
      "a pass keeps its evidence",
    );
  });

  function summarizedLikeFull(args: string[]): void {
    const { report: summarized } = check(args);
    const { report: full } = check([...args, "--include-passed"]);
    assertValidReport(summarized, "summarized");
    assertValidReport(full, "include-passed");
    assert.ok(summarized.summary.byStatus.pass > 0, "the fixture has passes");
    assert.deepEqual(summarized.summary, full.summary, "the summary counts every finding either way");
    // no pass and no not-applicable result in full; every other finding, identical to --include-passed
    assert.ok(summarized.findings.every((f) => f.status !== "pass" && f.status !== "not-applicable"));
    assert.deepEqual(
      summarized.findings,
      full.findings.filter((f) => f.status !== "pass" && f.status !== "not-applicable"),
    );
    // the summaries: per rule, the count and the distinct resource ids of exactly the findings left out
    for (const [list, status] of [
      [summarized.passed, "pass"],
      [summarized.notApplicable, "not-applicable"],
    ] as const) {
      assert.ok(list, `${status} summary present`);
      const left = full.findings.filter((f) => f.status === status);
      assert.equal(
        list.reduce((n, p) => n + p.count, 0),
        summarized.summary.byStatus[status],
      );
      for (const p of list) {
        const mine = left.filter((f) => f.ruleId === p.ruleId);
        assert.equal(p.count, mine.length, `${p.ruleId} ${status} count`);
        assert.deepEqual([...p.resourceIds].sort(), [...new Set(mine.map((f) => f.resourceId).filter(Boolean))].sort());
      }
      assert.deepEqual(
        list.map((p) => p.ruleId),
        [...new Set(left.map((f) => f.ruleId))].sort(),
      );
    }
  }

  it("text, Markdown, SARIF, JUnit and GitHub say how many passed", () => {
    const { report } = check(["--snapshot", fixture("demo")]);
    const n = report.summary.byStatus.pass;
    const out = (format: string) => lbdoctor(["check", "--snapshot", fixture("demo"), "--format", format]).stdout;
    assert.match(out("text"), new RegExp(`, ${n} passed, `));
    assert.match(out("markdown"), new RegExp(`${n} passed`));
    assert.match(out("github"), new RegExp(`, ${n} passed; `));
    assert.equal(JSON.parse(out("sarif")).runs[0].properties.passed, n);
    const passedProps = [...out("junit").matchAll(/<property name="passed" value="(\d+)"\/>/g)].reduce((a, m) => a + Number(m[1]), 0);
    assert.equal(passedProps, n);
    // --verbose text lists the summarized passes per rule
    const verbose = lbdoctor(["check", "--snapshot", fixture("demo"), "--verbose"]).stdout;
    assert.match(verbose, new RegExp(`\\nPassed \\(${n}\\), per rule; --include-passed lists each with its evidence\\n`));
  });

  it("a baseline written with summarized passes classifies new and existing failures as one written with --include-passed", () => {
    const summarized = join(tmp, "healthy.summarized.json");
    const full = join(tmp, "healthy.full.json");
    assert.notEqual(lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--format", "json", "-o", summarized]).code, 2);
    assert.notEqual(lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--format", "json", "-o", full, "--include-passed"]).code, 2);
    const base = JSON.parse(readFileSync(summarized, "utf8")) as Report;
    assert.ok(
      base.passed && base.passed.length > 0 && base.findings.every((f) => f.status !== "pass"),
      "the baseline summarizes its passes",
    );
    // demo breaks what passed in healthy-web: those failures are new against either baseline
    const a = check(["--snapshot", fixture("demo"), "--baseline", summarized]);
    const b = check(["--snapshot", fixture("demo"), "--baseline", full]);
    assert.deepEqual({ ...a.report.summary.baseline, source: "" }, { ...b.report.summary.baseline, source: "" });
    assert.ok((a.report.summary.baseline?.new ?? 0) > 0);
    const marks = (r: Report) => r.findings.map((f) => `${f.id} ${f.baseline ?? "-"}`);
    assert.deepEqual(marks(a.report), marks(b.report));
    // and against itself, summarized: every failure is existing, the run passes
    const demoBase = join(tmp, "demo.summarized.json");
    lbdoctor(["check", "--snapshot", fixture("demo"), "--format", "json", "-o", demoBase]);
    const same = check(["--snapshot", fixture("demo"), "--baseline", demoBase]);
    assert.equal(same.code, 0);
    assert.equal(same.report.summary.baseline?.new, 0);
    assert.ok(same.report.findings.filter((f) => f.status === "fail").every((f) => f.baseline === "existing"));
  });
});

describe("reports as streams", () => {
  it("check: a report piped to a slow reader is written at its pace, never held whole in memory", async () => {
    const file = join(tmp, "paced.json");
    writeFileSync(file, JSON.stringify(generate({ seed: 1, nics: 2000, nicsPerLb: 200 }).snapshot));
    const stats = join(tmp, "paced-stats.json");
    const child = spawn(
      process.execPath,
      ["--import", join(ROOT, "test", "support", "stdout-hook.ts"), BIN, "check", "--snapshot", file, "--format", "json"],
      {
        env: { ...process.env, NO_COLOR: "1", LBDOCTOR_FROM_SOURCE: "1", LBDOCTOR_STDOUT_STATS: stats },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    // the reader takes nothing for a while, then reads slowly
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 1500));
    let bytes = 0;
    child.stdout.on("data", (d: Buffer) => {
      bytes += d.length;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 1);
    });
    child.stdout.resume();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.on("close", r));
    assert.equal(code, 1, stderr);
    assert.ok(bytes > 4 << 20, `a report of several MB (${bytes} bytes)`);
    const { maxHeld } = JSON.parse(readFileSync(stats, "utf8")) as { maxHeld: number };
    assert.ok(maxHeld < 2 << 20, `stdout held at most ${maxHeld} bytes unread of ${bytes}`);
  });

  it("jsonChunks yields exactly safeJson's text, in several pieces", () => {
    const values: unknown[] = [
      { a: 1, b: undefined, c: [1, undefined, () => 1, "x\u2028y\u009b"], d: {}, e: [], f: { g: { h: [null, true] } }, i: new Date(0) },
      [],
      {},
      "s",
      [[[]], [{}]],
      // arrays of many indented leaves, at several levels (each serialized nested as deep as it sits)
      { a: { b: Array.from({ length: 100 }, (_, i) => ({ i, s: [i, { t: `${i}` }], u: undefined })) }, c: [[Array(70).fill([1, [2]])]] },
    ];
    for (const v of values) {
      for (const depth of [0, 1, 2, 5]) {
        const pieces = [...jsonChunks(v, { depth, size: 4 })];
        assert.equal(pieces.join(""), safeJson(v), `depth ${depth}: ${safeJson(v)}`);
      }
    }
    const report = bigReport(50);
    const pieces = [...jsonChunks(report, { depth: 3, size: 1024 })];
    assert.ok(pieces.length > 10, `${pieces.length} pieces`);
    assert.equal(pieces.join(""), safeJson(report));
  });

  it("the JSON, SARIF and JUnit streams of a report far larger than a piece are valid documents", () => {
    const report = bigReport(40);
    const json = [...jsonReportChunks(report)];
    assert.ok(json.length > 1, "JSON came in pieces");
    const parsed = JSON.parse(json.join(""));
    assert.deepEqual(parsed, JSON.parse(JSON.stringify(report)));
    assertValidReport(parsed, "streamed JSON");
    const sarif = [...sarifChunks(report)];
    assert.ok(sarif.length > 1, "SARIF came in pieces");
    assertValidSarif(JSON.parse(sarif.join("")), "streamed SARIF");
    const junit = [...junitChunks(report)];
    assert.ok(junit.length > 1, "JUnit came in pieces");
    assert.equal((junit.join("").match(/<testcase /g) ?? []).length, report.findings.length);
    assertValidJunit(junit.join(""), "streamed JUnit");
  });

  it("a stream written to a file arrives whole; one that fails midway leaves no file and no temporary file", () => {
    const out = join(tmp, "streamed.json");
    const report = bigReport(20);
    writeOutputs([{ target: prepareOutput(out), text: jsonReportChunks(report) }], () => {});
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), JSON.parse(JSON.stringify(report)));

    const dir = mkdtempSync(join(tmp, "fail-"));
    const target = join(dir, "report.json");
    const kept = join(dir, "kept.json");
    writeFileSync(kept, "old\n");
    function* failing(): Generator<string> {
      yield '{"schema": "lbdoctor.report/v1",';
      yield " ".repeat(100_000);
      throw new Error("the formatter broke");
    }
    for (const path of [target, kept]) {
      assert.throws(() => writeOutputs([{ target: prepareOutput(path), text: failing() }], () => {}), /the formatter broke/);
    }
    assert.equal(existsSync(target), false, "no partial new file");
    assert.equal(readFileSync(kept, "utf8"), "old\n", "an existing file is untouched");
    assert.deepEqual(readdirSync(dir).sort(), ["kept.json"], "no temporary file left");
  });

  it("check --output: a report is written whole through the stream (the CLI path)", () => {
    const out = join(tmp, "cli.sarif");
    const r = lbdoctor(["check", "--snapshot", fixture("demo"), "--format", "sarif", "--output", out, "--include-passed"]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assertValidSarif(JSON.parse(readFileSync(out, "utf8")), "cli.sarif");
  });
});
