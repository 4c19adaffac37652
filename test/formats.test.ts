/**
 * The CI formats: SARIF (validated against the official OASIS schema), JUnit
 * (validated against the JUnit XSD with xmllint), Markdown and GitHub
 * annotations; the status mappings; and hostile cloud strings through every
 * one of them.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type * as Sarif from "sarif";
import { GAP_MESSAGE_ID } from "../src/core/engine/run.ts";
import type { Finding } from "../src/core/engine/types.ts";
import { annotationData, annotationProperty, mdCode, mdFence, mdText, xmlAttr, xmlText } from "../src/core/report/escape.ts";
import { formatGithub } from "../src/core/report/formatters/github.ts";
import { formatJunit } from "../src/core/report/formatters/junit.ts";
import { formatMarkdown } from "../src/core/report/formatters/markdown.ts";
import { artifactUri, FINGERPRINT_KEY, formatSarif } from "../src/core/report/formatters/sarif.ts";
import type { Report } from "../src/core/report/report.ts";
import { healthyWeb, ids, WEB_LB } from "./support/azure-builder.ts";
import { fixture, lbdoctor } from "./support/cli.ts";
import { boomRule, reportOf } from "./support/report.ts";
import { syntheticAwsReport } from "./support/synthetic-report.ts";
import { needTool } from "./support/tools.ts";
import { assertValidJunit, assertValidReport, assertValidSarif, NO_XMLLINT_REASON, sarifValidator, XMLLINT } from "./support/validators.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-formats-"));
const FIXTURES = ["demo", "healthy-web", "probe-blocked-by-nsg"];

function jsonReport(name: string): Report {
  const r = lbdoctor(["check", "--snapshot", `fixtures/azure/${name}.json`, "--format", "json"]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(r.stdout);
}

/** A report with unknown findings (rule health could not be collected) and a rule that throws. */
function mixedReport(): Report {
  const snap = healthyWeb()
    .gap({
      operation: "loadBalancerLoadBalancingRules.health",
      resourceId: ids.rule(WEB_LB, "rule-http"),
      status: 429,
      message: "throttled",
    })
    .build();
  if (snap.observations) snap.observations.ruleHealth = {};
  const report = reportOf(snap, { extraRules: [boomRule] });
  assert.ok(report.summary.byStatus.unknown > 0, "the fixture must produce unknown findings");
  assert.equal(report.summary.byStatus.error, 1);
  return report;
}

describe("sarif", () => {
  for (const name of FIXTURES) {
    it(`${name}: validates against the SARIF 2.1.0 schema; every rule is a descriptor; results are the fail/unknown/error findings`, () => {
      const r = lbdoctor(["check", "--snapshot", `fixtures/azure/${name}.json`, "--format", "sarif"]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const log: Sarif.Log = JSON.parse(r.stdout);
      assertValidSarif(log, name);
      const report = jsonReport(name);
      const run = log.runs[0] as Sarif.Run;
      const descriptors = run.tool.driver.rules ?? [];
      assert.deepEqual(
        descriptors.map((d) => d.id),
        report.rules.map((x) => x.id),
      );
      for (const d of descriptors) {
        assert.match(d.helpUri ?? "", new RegExp(`/docs/rules/${d.id}\\.md$`));
        assert.ok(d.shortDescription?.text && d.fullDescription?.text && d.defaultConfiguration?.level && d.name);
      }
      const expected = report.findings.filter((f) => ["fail", "unknown", "error"].includes(f.status));
      const results = run.results ?? [];
      assert.equal(results.length, expected.length);
      for (const res of results) {
        assert.equal(descriptors[res.ruleIndex ?? -1]?.id, res.ruleId, "ruleIndex points at the result's rule");
        const f = expected.find((x) => x.id === res.partialFingerprints?.[FINGERPRINT_KEY]);
        assert.ok(f, "the fingerprint is the finding id");
        assert.equal(res.locations?.[0]?.logicalLocations?.[0]?.kind, "resource");
        assert.equal(res.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName, f.resourceId || undefined);
        assert.equal(res.locations?.[0]?.physicalLocation?.artifactLocation?.uri, `fixtures/azure/${name}.json`);
      }
      // stable: a second run gives the same log
      assert.equal(lbdoctor(["check", "--snapshot", `fixtures/azure/${name}.json`, "--format", "sarif"]).stdout, r.stdout);
    });
  }

  it("fail → kind fail with a level from the severity; unknown → open/none; error → review/none plus a tool notification", () => {
    const log: Sarif.Log = JSON.parse(formatSarif(mixedReport()));
    assertValidSarif(log, "mixed report");
    const run = log.runs[0] as Sarif.Run;
    const results = run.results ?? [];
    const unknown = results.filter((r) => r.properties?.status === "unknown");
    assert.ok(unknown.length > 0);
    for (const r of unknown) {
      assert.equal(r.kind, "open");
      assert.equal(r.level, "none");
      assert.match(r.message.text ?? "", /^Could not be decided: /);
    }
    const errors = results.filter((r) => r.properties?.status === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.kind, "review");
    assert.equal(errors[0]?.level, "none");
    assert.equal(run.invocations?.[0]?.executionSuccessful, false);
    assert.equal(run.invocations?.[0]?.toolExecutionNotifications?.[0]?.associatedRule?.id, "azure/test-boom");
    assert.doesNotMatch(JSON.stringify(log), /\\u001b/, "escape sequences are removed");

    const fails: Sarif.Log = JSON.parse(formatSarif(jsonReport("demo")));
    for (const r of fails.runs[0]?.results ?? []) {
      assert.equal(r.kind, "fail");
      const sev = r.properties?.severity;
      assert.equal(r.level, sev === "critical" || sev === "high" ? "error" : sev === "medium" ? "warning" : "note");
    }
  });

  it("the validator is not a rubber stamp: it rejects an unknown property and the pre-standard suppression.state", () => {
    const log: Sarif.Log = JSON.parse(formatSarif(jsonReport("demo")));
    const bad = structuredClone(log) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    (bad.runs[0]?.results[0] as Record<string, unknown>).colour = "red";
    assert.equal(sarifValidator()(bad), false);
    const old = structuredClone(log) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    (old.runs[0]?.results[0] as Record<string, unknown>).suppressions = [{ kind: "external", state: "accepted" }];
    assert.equal(sarifValidator()(old), false);
    const noUri = structuredClone(log) as unknown as { runs: Array<{ tool: { driver: { rules: Array<{ helpUri: string }> } } }> };
    (noUri.runs[0]?.tool.driver.rules[0] as { helpUri: string }).helpUri = "not a uri";
    assert.equal(sarifValidator()(noUri), false, "format uri is checked");
  });

  it("message text writes every brace doubled (§3.11.5): a value such as {0} or a JSON object is no placeholder", () => {
    const report = jsonReport("demo");
    const f = report.findings.find((x) => x.status === "fail");
    assert.ok(f);
    f.message = 'rule {0} matched {"port":80}';
    f.evidence = [{ resourceId: f.resourceId, pointer: "/resources/0", label: "{1}", value: [{ FromPort: 22 }] }];
    const log: Sarif.Log = JSON.parse(formatSarif(report));
    assertValidSarif(log, "braces");
    const result = log.runs[0]?.results?.find((r) => r.partialFingerprints?.[FINGERPRINT_KEY] === f.id);
    assert.match(result?.message.text ?? "", /^rule \{\{0\}\} matched \{\{"port":80\}\}/);
    const texts = (log.runs[0]?.results ?? []).flatMap((r) => [
      r.message.text ?? "",
      ...(r.relatedLocations ?? []).map((l) => l.message?.text ?? ""),
    ]);
    for (const t of texts) assert.doesNotMatch(t.replace(/\{\{|\}\}/g, ""), /[{}]/, `a lone brace in ${t}`);
    assert.ok(
      texts.some((t) => t.includes("{{1}}: /resources/0 = \\[{{")),
      "the evidence's label and value too",
    );
  });

  it("the artifact URI: relative paths stay relative, absolute ones become file URIs, live runs have none", () => {
    assert.equal(artifactUri("fixtures/azure/demo.json"), "fixtures/azure/demo.json");
    assert.equal(artifactUri("snaps/my rg.json"), "snaps/my%20rg.json");
    assert.equal(artifactUri("/tmp/a b/s.json"), "file:///tmp/a%20b/s.json");
    assert.equal(artifactUri("live: subscription x, resource group y"), undefined);
  });
});

describe("junit", { skip: needTool("xmllint", XMLLINT, NO_XMLLINT_REASON) }, () => {
  for (const name of FIXTURES) {
    it(`${name}: validates against the JUnit XSD; one suite per rule, one case per finding, counts right`, () => {
      const r = lbdoctor(["check", "--snapshot", `fixtures/azure/${name}.json`, "--format", "junit"]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assertValidJunit(r.stdout, name);
      const report = jsonReport(name);
      const suites = [
        ...r.stdout.matchAll(
          /<testsuite name="([^"]+)"[^>]* tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"[^>]*>([\s\S]*?)<\/testsuite>/g,
        ),
      ];
      assert.deepEqual(
        suites.map((m) => m[1]),
        report.rules.map((x) => x.id),
      );
      for (const m of suites) {
        const [, id, tests, failures, errors, skipped, body = ""] = m;
        const mine = report.findings.filter((f) => f.ruleId === id);
        // passes and not-applicable results are summarized (the default): one passing testcase each, counted in a property
        const passed = report.passed?.find((p) => p.ruleId === id);
        const na = report.notApplicable?.find((p) => p.ruleId === id);
        assert.equal(Number(tests), mine.length + (passed ? 1 : 0) + (na ? 1 : 0), `${id}: tests`);
        if (passed)
          assert.match(
            body,
            new RegExp(
              `<property name="passed" value="${passed.count}"/>[\\s\\S]*<testcase name="${passed.count} passed \\(summarized\\)"`,
            ),
          );
        if (na) assert.match(body, new RegExp(`<property name="notApplicable" value="${na.count}"/>`));
        assert.equal(Number(tests), (body.match(/<testcase /g) ?? []).length, `${id}: testcases`);
        assert.equal(Number(failures), mine.filter((f) => f.status === "fail").length, `${id}: failures`);
        assert.equal(Number(failures), (body.match(/<failure /g) ?? []).length);
        assert.equal(Number(errors), mine.filter((f) => f.status === "error").length, `${id}: errors`);
        assert.equal(Number(skipped), mine.filter((f) => f.status === "unknown").length, `${id}: skipped`);
      }
    });
  }

  it("unknown → <skipped message>, error → <error type=RuleError>, and it still validates", () => {
    const xml = formatJunit(mixedReport());
    assertValidJunit(xml, "mixed report");
    assert.match(xml, /<skipped message="could not be decided: /);
    assert.match(xml, /<error message="The rule failed: boom &lt;script&gt;alert\(1\)&lt;\/script&gt; " type="RuleError">/);
    assert.match(xml, /<testsuite name="azure\/test-boom"[^>]* tests="1" failures="0" errors="1" skipped="0"/);
  });
});

describe("markdown", () => {
  it("summary table, root causes first, evidence, fix commands in fenced blocks", () => {
    const md = formatMarkdown(jsonReport("demo"));
    assert.match(md, /^## lbdoctor: ❌ 4 failures at or above high\n/);
    assert.match(md, /\| # \| Status \| Rule \| Resource \| Finding \|/);
    assert.match(md, /\| 1 \| \*\*critical\*\* \(root cause\) \| `azure\/probe-blocked-by-nsg` \| `vm1-nic` \|/);
    const causes = md.indexOf("### Root causes");
    const others = md.indexOf("### Other failures");
    assert.ok(causes > 0 && others > causes, "root causes come first");
    assert.match(
      md,
      /\*\*Evidence\*\*\n\n- blocking rule \(nic NSG, nsg-resources\): `\/resources\/9\/properties\/securityRules\/1` = `deny-all-inbound: /,
    );
    assert.match(md, /\*\*Fix:\*\* Allow AzureLoadBalancer .*\n\n```sh\naz network nsg rule create /);
  });

  it("a healthy snapshot says so", () => {
    const md = formatMarkdown(jsonReport("healthy-web"));
    assert.match(md, /^## lbdoctor: ✅ nothing at or above high/);
    assert.match(md, /\| `lb-web` \| Standard, public \| `[^`]+` \| 🟢 healthy \| 0 \|/);
  });
});

describe("github annotations", () => {
  it("one workflow command per line, level by severity, the summary first (GitHub drops what is over its limit)", () => {
    const out = formatGithub(jsonReport("demo"));
    const lines = out.trimEnd().split("\n");
    for (const l of lines) assert.match(l, /^::(error|warning|notice)( [a-z]+=[^,:\n]*(,[a-z]+=[^,:\n]*)*)?::/, l);
    assert.equal(lines.filter((l) => l.startsWith("::error ")).length, 4, "critical and high → error");
    assert.equal(lines.filter((l) => l.startsWith("::warning ")).length, 1, "medium → warning");
    assert.match(lines[0] ?? "", /^::notice title=lbdoctor summary::5 failed \(2 critical, 2 high, 1 medium\), 0 unknown/);
    assert.match(
      lines[1] ?? "",
      /^::error file=fixtures\/azure\/demo\.json,title=azure\/probe-blocked-by-nsg \(critical\) on vm1-nic::Probe probe-http/,
    );
  });

  it("unknown → notice, rule error → error", () => {
    const out = formatGithub(mixedReport());
    assert.match(out, /^::notice file=snapshot\.json,title=azure\/[a-z-]+ could not be decided on /m);
    assert.match(out, /^::error file=snapshot\.json,title=lbdoctor rule azure\/test-boom failed::The rule failed: boom/m);
  });
});

describe("escaping", () => {
  it("annotations: % CR LF in data; also : and , in properties", () => {
    assert.equal(annotationData("50% done\r\nnext::x"), "50%25 done%0D%0Anext::x");
    assert.equal(annotationProperty("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
  });

  it("xml: markup, quotes, newlines and characters XML cannot carry", () => {
    assert.equal(xmlText(`a<b>&]]>"`), `a&lt;b&gt;&amp;]]&gt;"`);
    assert.equal(xmlAttr(`"x" 'y'\nz\t`), "&quot;x&quot; &apos;y&apos;&#10;z&#9;");
    assert.equal(xmlText("\u0000\u0008\uffff\ud800x"), "\\x00\\x08\ufffd\ufffdx");
  });

  it("markdown: punctuation escaped, no HTML, no mentions; code spans and fences no content can break", () => {
    assert.equal(
      mdText("[click](https://evil) <img src=x> *b* @here $x$ | a\nb"),
      "\\[click\\](https://evil) \\<img src=x\\> \\*b\\* @\u200bhere \\$x\\$ \\| a b",
    );
    assert.equal(mdCode("a`b|c"), "``a`b\\|c``");
    assert.equal(mdCode("`x`"), "`` `x` ``");
    const fence = mdFence(["echo ```", "```"], "sh");
    assert.ok(fence.startsWith("````sh\n") && fence.endsWith("\n````"));
  });
});

describe("hostile strings from the cloud, through every format", () => {
  const evil = "\u001b]52;c;ZXZpbA==\u0007\u001b[2J\r\n::error::owned%0A <script>x</script> [link](http://evil) @everyone `x` | ]]> \"'&";
  const snap = JSON.parse(readFileSync(fixture("probe-blocked-by-nsg"), "utf8"));
  for (const r of snap.resources) {
    if (r.type === "Microsoft.Network/networkSecurityGroups") {
      r.tags = { owner: evil };
      for (const rule of r.properties.securityRules) rule.name = `${rule.name}${evil}`;
    }
    if (r.type === "Microsoft.Network/networkInterfaces") r.name = `${r.name}${evil}`;
  }
  const file = join(tmp, "hostile.json");
  writeFileSync(file, JSON.stringify(snap));
  const run = (format: string) => {
    const r = lbdoctor(["check", "--snapshot", file, "--format", format]);
    assert.equal(r.code, 1, r.stderr);
    return r.stdout;
  };

  it("no raw escape or control characters in any format", () => {
    for (const format of ["text", "json", "sarif", "junit", "markdown", "github"]) {
      const out = run(format);
      assert.doesNotMatch(out, /\u001b|\u0007|\r/, `${format}: raw control characters`);
    }
  });

  it("sarif and json still validate; junit still validates", () => {
    assertValidSarif(JSON.parse(run("sarif")), "hostile SARIF");
    assertValidReport(JSON.parse(run("json")), "hostile report");
    if (XMLLINT) assertValidJunit(run("junit"), "hostile JUnit");
  });

  it("markdown: outside code spans and fences, no live HTML, links or mentions", () => {
    const md = run("markdown");
    assert.ok(md.includes("<script>"), "inside code spans the text is shown as is");
    // what a Markdown renderer interprets: everything outside code fences and code spans
    const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "").replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, "");
    assert.doesNotMatch(prose, /(?<!\\)<script/);
    assert.doesNotMatch(prose, /(?<!\\)\[link(?<!\\)\]\(/);
    assert.doesNotMatch(prose, /@everyone/);
    assert.match(prose, /\\<script\\>/, "escaped in prose");
  });

  it("github: the injected text cannot start a command of its own", () => {
    const lines = run("github").trimEnd().split("\n");
    for (const l of lines) assert.match(l, /^::(error|warning|notice)[ :]/, `a line that is not one of ours: ${l}`);
    assert.ok(
      lines.some((l) => l.includes("\\x0a::error::owned%250A")),
      "the newline is shown (never a line of the annotation of its own) and the percent sign is escaped",
    );
  });
});

describe("the report header names a scope over several regions and accounts", () => {
  const report = (): Report => {
    const r = syntheticAwsReport();
    r.scope = {
      regions: ["us-east-1", "eu-west-1", "ap-south-1", "us-west-2", "eu-central-1", "sa-east-1", "ca-central-1"],
      accounts: ["111122223333", "444455556666"],
      partitions: [{ account: "111122223333", region: "us-east-1", loadBalancers: 3, status: "collected" }],
    };
    return r;
  };
  it("text: the lists, the first six and a count of the rest; no empty scope", async () => {
    const { formatText } = await import("../src/core/report/formatters/text.ts");
    const head = formatText(report(), { color: false }).split("\n")[0] ?? "";
    assert.match(
      head,
      /regions us-east-1, eu-west-1, ap-south-1, us-west-2, eu-central-1, sa-east-1 \(\+1 more\), accounts 111122223333, 444455556666/,
    );
    assert.doesNotMatch(head, /· {2}·|· · /, "no empty scope between the dots");
  });
  it("markdown: the same", () => {
    assert.match(formatMarkdown(report()), /accounts `111122223333, 444455556666`/);
  });
});

describe("github annotations: what a step shows", () => {
  /** The demo's report with `n` copies of its findings of each level (ids, rules and messages made distinct). */
  function many(errors: number, warnings: number, notices: number): Report {
    const r = jsonReport("demo");
    const crit = r.findings.find((f) => f.status === "fail" && f.severity === "critical") as Finding;
    const med = r.findings.find((f) => f.status === "fail" && f.severity === "medium") as Finding;
    const copy = (f: Finding, i: number, over: Partial<Finding> = {}): Finding => ({
      ...f,
      id: `${f.id}#${i}`,
      ruleId: `${f.ruleId}-${i}`,
      message: `${f.message} (${i})`,
      relatedTo: [],
      ...over,
    });
    r.findings = [
      ...Array.from({ length: errors }, (_, i) => copy(crit, i)),
      ...Array.from({ length: warnings }, (_, i) => copy(med, i)),
      ...Array.from({ length: notices }, (_, i) => copy(med, i, { status: "unknown", messageId: "undecided", remediation: undefined })),
    ];
    return r;
  }

  it("the summary first, then at most 10 of each level, then one notice on the rest and the rest as plain log lines", () => {
    const out = formatGithub(many(14, 12, 12))
      .trimEnd()
      .split("\n");
    const commands = out.filter((l) => l.startsWith("::"));
    assert.match(out[0] ?? "", /^::notice title=lbdoctor summary::/);
    const level = (l: string) => commands.filter((x) => x.startsWith(`::${l} `)).length;
    assert.equal(level("error"), 10);
    assert.equal(level("warning"), 10);
    assert.equal(level("notice"), 10, "summary, 8 findings, the note on the rest");
    const note = commands.at(-1) ?? "";
    assert.match(
      note,
      /^::notice title=lbdoctor%3A 10 more not annotated::GitHub shows 10 annotations of each level per step: 4 errors, 2 warnings, 4 notices more/,
    );
    // every finding is in the log once: annotated, or a plain line after the note
    const plain = out.slice(out.indexOf(note) + 1);
    assert.equal(plain.length, 10);
    for (const l of plain) assert.match(l, /^lbdoctor (error|warning|notice): /);
    for (let i = 0; i < 14; i++)
      assert.equal(out.filter((l) => l.includes(`probe-blocked-by-nsg-${i} (critical)`)).length, 1, `error ${i}`);
    // the most important first: the errors left over are the last ones in report order
    assert.ok(plain.some((l) => l.includes("probe-blocked-by-nsg-13 (critical)")));
    assert.ok(!plain.some((l) => l.includes("probe-blocked-by-nsg-0 (critical)")));
  });

  it("within the limit: every finding annotated, no note", () => {
    const out = formatGithub(many(10, 10, 9))
      .trimEnd()
      .split("\n");
    assert.equal(out.length, 30);
    assert.ok(out.every((l) => l.startsWith("::")));
    assert.ok(!out.some((l) => l.includes("not annotated")));
  });

  it("unknowns one collection gap made alike are one notice naming their rules", () => {
    const r = many(0, 0, 0);
    const gap = { resourceId: "/subscriptions/s", pointer: "/gaps/0", value: { operation: "op", message: "m" }, label: "collection gap" };
    r.findings = Array.from({ length: 12 }, (_, i) => ({
      ...(jsonReport("demo").findings[0] as Finding),
      id: `g${i}`,
      ruleId: `azure/rule-${i}`,
      status: "unknown" as const,
      messageId: GAP_MESSAGE_ID,
      message: "Not checked: op on /subscriptions/s: m; this rule reads that data.",
      evidence: [gap],
      relatedTo: [],
      remediation: undefined,
      resourceId: "/subscriptions/s",
      resourceName: "s",
    }));
    const out = formatGithub(r).trimEnd().split("\n");
    assert.equal(out.length, 2, out.join("\n"));
    assert.match(
      out[1] ?? "",
      /^::notice file=[^,]+,title=12 rules could not be decided on s::Not checked: op .*%0ARules: azure\/rule-0, azure\/rule-1, .*azure\/rule-11$/,
    );
  });
});
