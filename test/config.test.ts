/**
 * `.lbdoctor.yaml`: validation with file:line:col and key, rule settings,
 * suppressions (glob, tag, expiry against a pinned clock) and what the
 * command does with them.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { rules as catalog } from "../rules/index.ts";
import { expiryOf, parseConfig } from "../src/core/config/config.ts";
import { applySuppressions, resolveNow } from "../src/core/config/suppress.ts";
import type { Finding } from "../src/core/engine/types.ts";
import { InputError } from "../src/core/errors.ts";
import { azureTags as tagLookup } from "../src/providers/azure/tags.ts";
import { ids } from "./support/azure-builder.ts";
import { catalogOf } from "./support/catalog.ts";
import { fixture, lbdoctor } from "./support/cli.ts";
import { assertValidReport, assertValidSarif } from "./support/validators.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-config-"));

function problems(text: string): string {
  try {
    parseConfig(text, ".lbdoctor.yaml", catalog);
  } catch (e) {
    assert.ok(e instanceof InputError, `not an InputError: ${e}`);
    return e.message;
  }
  assert.fail("the config was accepted");
}

describe("config validation: every problem names the line, column and key", () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      "an unknown top-level key, with a suggestion",
      "failon: high\n",
      /\.lbdoctor\.yaml:1:1: failon: unknown key 'failon' \(did you mean 'failOn'\?\)/,
    ],
    ["a bad failOn", "failOn: severe\n", /:1:9: failOn: must be one of critical, high, medium, low, info/],
    [
      "an unknown rule id",
      "rules:\n  azure/probe-blockd-by-nsg: off\n",
      /:2:3: rules: unknown rule 'azure\/probe-blockd-by-nsg' \(did you mean 'azure\/probe-blocked-by-nsg'\?\)/,
    ],
    [
      "a bad rule setting",
      "rules:\n  azure/single-backend: sometimes\n",
      /:2:25: rules\.azure\/single-backend: must be off, on, a severity/,
    ],
    [
      "a bad severity in the object form",
      "rules:\n  azure/single-backend: { severity: huge }\n",
      /:2:37: rules\.azure\/single-backend\.severity: must be one of/,
    ],
    [
      "a suppression without a reason",
      "suppressions:\n  - rule: azure/backend-public-ip\n    resource: '**'\n",
      /:2:5: suppressions\[0\]: missing required key 'reason' \(why is this finding accepted\?\)/,
    ],
    [
      "a suppression with neither resource nor tag",
      "suppressions:\n  - rule: azure/backend-public-ip\n    reason: x\n",
      /:2:5: suppressions\[0\]: needs `resource` \(a glob over resource ids\) or `tag`/,
    ],
    [
      "an impossible date",
      "suppressions:\n  - rule: azure/backend-public-ip\n    resource: vm1\n    reason: x\n    expires: 2026-02-30\n",
      /:5:14: suppressions\[0\]\.expires: must be a date/,
    ],
    [
      "a timestamp without a zone",
      "suppressions:\n  - rule: azure/backend-public-ip\n    resource: vm1\n    reason: x\n    expires: 2026-02-01T10:00:00\n",
      /:5:14: suppressions\[0\]\.expires: must be a date/,
    ],
    [
      "an unknown rule in a suppression",
      "suppressions:\n  - rule: azure/nope\n    resource: x\n    reason: y\n",
      /:2:11: suppressions\[0\]\.rule: unknown rule 'azure\/nope'/,
    ],
    [
      "an unknown key in a suppression",
      "suppressions:\n  - rule: azure/backend-public-ip\n    resources: x\n    reason: y\n",
      /:3:5: suppressions\[0\]\.resources: unknown key 'resources' \(did you mean 'resource'\?\)/,
    ],
    [
      "an empty tag",
      "suppressions:\n  - rule: azure/backend-public-ip\n    tag: {}\n    reason: y\n",
      /:3:10: suppressions\[0\]\.tag: must be a mapping/,
    ],
    ["a list at the top", "- a\n- b\n", /:1:1: expected a mapping with failOn, rules and suppressions/],
    ["suppressions not a list", "suppressions: yes\n", /:1:15: suppressions: expected a list/],
    ["a YAML syntax error", "rules: [a\n  b: c", /\.lbdoctor\.yaml:\d+:\d+: /],
    ["a duplicate key", "failOn: high\nfailOn: low\n", /:2:1: Map keys must be unique/],
    ["an alias", "x: &a high\nfailOn: *a\n", /unknown key 'x'[\s\S]*:2:9: failOn: anchors and aliases are not supported/],
  ];
  for (const [name, text, pattern] of cases) {
    it(name, () => assert.match(problems(text), pattern));
  }

  it("an unknown rule in a suppression is named once, with the suggestion", () => {
    const lines = (text: string) =>
      problems(text)
        .split("\n")
        .filter((l) => l.includes(".lbdoctor.yaml:"));
    assert.deepEqual(lines("suppressions:\n  - rule: azure/nope\n    resource: x\n    reason: y\n"), [
      "  .lbdoctor.yaml:2:11: suppressions[0].rule: unknown rule 'azure/nope'",
    ]);
    assert.deepEqual(lines("suppressions:\n  - rule: azure/single-backnd\n    resource: x\n    reason: y\n"), [
      "  .lbdoctor.yaml:2:11: suppressions[0].rule: unknown rule 'azure/single-backnd' (did you mean 'azure/single-backend'?)",
    ]);
  });

  it("tag names and values are taken as written: YAML's numbers and booleans keep their source text", () => {
    const c = parseConfig(
      [
        "suppressions:",
        "  - rule: azure/*",
        "    tag: { zip: 01234, version: 1.10, release: 2.0, public: true, hex: 0x1F, 2024: q1, quoted: '007' }",
        "    reason: r",
      ].join("\n"),
      "cfg.yaml",
      catalog,
    );
    assert.deepEqual(c.suppressions[0]?.tag, {
      zip: "01234",
      version: "1.10",
      release: "2.0",
      public: "true",
      hex: "0x1F",
      "2024": "q1",
      quoted: "007",
    });
  });

  it("a null tag value is refused, with a hint to quote it", () => {
    assert.match(
      problems("suppressions:\n  - rule: azure/*\n    tag: { env: null }\n    reason: r\n"),
      /:3:17: suppressions\[0\]\.tag\.env: must be the tag's value \(or \* for any value\); unquoted, null is YAML's null: quote it \('null'\) if that is the value$/m,
    );
    assert.match(
      problems("suppressions:\n  - rule: azure/*\n    tag: { env: ~ }\n    reason: r\n"),
      /suppressions\[0\]\.tag\.env: must be the tag's value \(or \* for any value\); unquoted, ~ is YAML's null: quote it \('~'\)/,
    );
    assert.match(
      problems("suppressions:\n  - rule: azure/*\n    tag: { env: }\n    reason: r\n"),
      /suppressions\[0\]\.tag\.env: must be the tag's value \(or \* for any value\)$/m,
    );
  });

  it("every problem is listed, in file order", () => {
    const msg = problems("failon: high\nrules:\n  azure/nope: off\nsuppressions:\n  - nope\n");
    const lines = msg.split("\n").filter((l) => /\.lbdoctor\.yaml:\d/.test(l));
    assert.equal(lines.length, 3);
    assert.deepEqual(
      lines.map((l) => Number(/:(\d+):/.exec(l)?.[1])),
      [1, 3, 5],
    );
  });

  it("a valid config, and an empty one", () => {
    const c = parseConfig(
      [
        "version: 1",
        "failOn: medium",
        "rules:",
        "  azure/session-persistence-skew: off",
        "  azure/single-backend: low",
        "  azure/backend-public-ip: { enabled: true, severity: info }",
        "suppressions:",
        "  - rule: azure/*",
        "    tag: { env: sandbox }",
        "    reason: Sandboxes are not production",
        "  - rule: azure/backend-public-ip",
        '    resource: "/subscriptions/*/resourceGroups/jump-rg/**"',
        "    reason: Jump hosts",
        "    expires: 2026-12-31",
      ].join("\n"),
      "cfg.yaml",
      catalog,
    );
    assert.equal(c.failOn, "medium");
    assert.deepEqual(c.rules, {
      "azure/session-persistence-skew": { enabled: false },
      "azure/single-backend": { enabled: true, severity: "low" },
      "azure/backend-public-ip": { enabled: true, severity: "info" },
    });
    assert.equal(c.suppressions.length, 2);
    assert.deepEqual(c.suppressions[0], {
      source: "cfg.yaml:8",
      rule: "azure/*",
      tag: { env: "sandbox" },
      reason: "Sandboxes are not production",
    });
    assert.equal(c.suppressions[1]?.expiresAt, Date.UTC(2027, 0, 1));
    assert.deepEqual(parseConfig("", "e.yaml", catalog), { path: "e.yaml", rules: {}, suppressions: [] });
    assert.deepEqual(parseConfig("# nothing\n", "e.yaml", catalog).suppressions, []);
  });

  it("expiry: a date lasts through that day (UTC); a timestamp is exact", () => {
    assert.equal(expiryOf("2026-12-31"), Date.UTC(2027, 0, 1));
    assert.equal(expiryOf("2026-06-01T12:00:00+02:00"), Date.UTC(2026, 5, 1, 10));
    assert.equal(expiryOf("2026-13-01"), undefined);
    assert.equal(expiryOf("tomorrow"), undefined);
    // a day or time that does not exist is refused, never rolled over into the next one
    for (const bad of ["2026-02-30", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-06-01T24:00:00Z", "2026-06-01T12:60:00Z"])
      assert.equal(expiryOf(bad), undefined, bad);
    assert.equal(expiryOf("2028-02-29T00:00:00Z"), Date.UTC(2028, 1, 29));
  });

  it("LBDOCTOR_NOW pins the clock; a bad value is an input error", () => {
    assert.equal(resolveNow({ LBDOCTOR_NOW: "2026-11-20T00:00:00Z" }), Date.UTC(2026, 10, 20));
    assert.throws(() => resolveNow({ LBDOCTOR_NOW: "soon" }), InputError);
    assert.ok(Math.abs(resolveNow({}) - Date.now()) < 5000);
  });

  it("LBDOCTOR_NOW without a zone is UTC, as expiry dates are: the same pin expires a suppression on every machine or on none", () => {
    assert.equal(resolveNow({ LBDOCTOR_NOW: "2026-12-31T22:00:00" }), Date.UTC(2026, 11, 31, 22));
    assert.equal(resolveNow({ LBDOCTOR_NOW: "2026-12-31 22:00" }), Date.UTC(2026, 11, 31, 22));
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-now-"));
    const config = join(dir, "expiring.yaml");
    writeFileSync(
      config,
      "suppressions:\n  - rule: azure/probe-blocked-by-nsg\n    resource: vm1-nic\n    reason: accepted\n    expires: 2026-12-31\n",
    );
    for (const TZ of ["UTC", "America/New_York", "Asia/Tokyo"]) {
      const r = lbdoctor(["check", "--snapshot", fixture("probe-blocked-by-nsg"), "--config", config, "-f", "json"], {
        TZ,
        LBDOCTOR_NOW: "2026-12-31T22:00:00",
      });
      const report = JSON.parse(r.stdout) as { suppressions: Array<{ expired: boolean; matched: number }> };
      assert.deepEqual(
        report.suppressions.map((x) => [x.expired, x.matched]),
        [[false, 1]],
        `TZ=${TZ}: 22:00 UTC on Dec 31 is before the end of that day`,
      );
    }
  });
});

describe("suppression matching", () => {
  const snap = JSON.parse(readFileSync(fixture("probe-blocked-by-nsg"), "utf8"));
  for (const r of snap.resources) if (r.name === "vm1-nic") r.tags = { Team: "legacy", env: "prod" };
  const nic1 = ids.nic("vm1-nic");
  const nic2 = ids.nic("vm2-nic");
  const finding = (ruleId: string, resourceId: string, status: Finding["status"] = "fail"): Finding => ({
    id: `${ruleId}|${resourceId.toLowerCase()}|`,
    ruleId,
    status,
    severity: "critical",
    resourceId,
    resourceName: resourceId.split("/").pop() ?? "",
    title: "t",
    message: "m",
    evidence: [],
    source: "s",
    references: [],
    relatedTo: [],
    subjects: [],
  });
  const base = { reason: "r", source: "c.yaml:1" };

  it("by resource-id glob (case-insensitive), by name, by rule glob, by tag (case-insensitive name, exact value or *)", () => {
    const fs = [
      finding("azure/probe-blocked-by-nsg", nic1),
      finding("azure/probe-blocked-by-nsg", nic2),
      finding("azure/single-backend", nic2),
    ];
    const statuses = applySuppressions(
      fs,
      [
        { ...base, rule: "azure/probe-blocked-by-nsg", resource: "/SUBSCRIPTIONS/*/resourcegroups/RA-MULTI-VM-RG/**/VM1-*" },
        { ...base, rule: "azure/single-*", resource: "vm2-nic" },
        { ...base, rule: "azure/*", tag: { team: "legacy", env: "*" } },
        { ...base, rule: "azure/*", tag: { team: "Legacy" } },
      ],
      { now: 0, tagsOf: tagLookup(snap) },
    );
    assert.ok(fs[0]?.suppression && fs[2]?.suppression);
    assert.equal(fs[1]?.suppression, undefined);
    assert.deepEqual(
      statuses.map((s) => s.matched),
      [1, 1, 1, 0],
      "tag values are compared exactly",
    );
  });

  it("an unquoted number in a tag matcher matches the tag as written (zip: 01234, version: 1.10)", () => {
    const tagged = JSON.parse(readFileSync(fixture("probe-blocked-by-nsg"), "utf8"));
    for (const r of tagged.resources) if (r.name === "vm1-nic") r.tags = { zip: "01234", version: "1.10" };
    const config = parseConfig(
      [
        "suppressions:",
        "  - rule: azure/*",
        "    tag: { zip: 01234 }",
        "    reason: by zip",
        "  - rule: azure/*",
        "    tag: { version: 1.10 }",
        "    reason: by version",
      ].join("\n"),
      "cfg.yaml",
      catalog,
    );
    const f = finding("azure/probe-blocked-by-nsg", nic1);
    const statuses = applySuppressions([f], config.suppressions, { now: 0, tagsOf: tagLookup(tagged) });
    assert.equal(f.suppression?.reason, "by zip");
    assert.deepEqual(
      statuses.map((s) => [s.tag, s.matched]),
      [
        [{ zip: "01234" }, 1],
        [{ version: "1.10" }, 1],
      ],
    );
  });

  it("an unquoted number as a resource glob is the name as written (resource: 0042), not refused or read as 42", () => {
    const config = parseConfig(
      ["suppressions:", "  - rule: azure/*", "    resource: 0042", "    reason: by name"].join("\n"),
      "cfg.yaml",
      catalog,
    );
    assert.equal(config.suppressions[0]?.resource, "0042");
    const named = finding("azure/probe-blocked-by-nsg", nic1.replace(/[^/]+$/, "0042"));
    const other = finding("azure/probe-blocked-by-nsg", nic1.replace(/[^/]+$/, "42"));
    applySuppressions([named, other], config.suppressions, { now: 0, tagsOf: tagLookup(snap) });
    assert.equal(named.suppression?.reason, "by name");
    assert.equal(other.suppression, undefined);
  });

  it("a child resource (an ip configuration) takes its parent's tags", () => {
    const f = finding("azure/backend-unhealthy", `${nic1}/ipConfigurations/ipconfig1`);
    applySuppressions([f], [{ ...base, rule: "azure/*", tag: { env: "prod" } }], { now: 0, tagsOf: tagLookup(snap) });
    assert.equal(f.suppression?.reason, "r");
  });

  it("an expired suppression marks the finding expired; an active one wins over an expired one; passes are left alone", () => {
    const a = finding("azure/probe-blocked-by-nsg", nic1);
    const b = finding("azure/probe-blocked-by-nsg", nic2);
    const p = finding("azure/probe-blocked-by-nsg", nic1, "pass");
    const now = Date.UTC(2026, 5, 1);
    const statuses = applySuppressions(
      [a, b, p],
      [
        { ...base, rule: "azure/probe-blocked-by-nsg", resource: "*-nic", expires: "2026-01-31", expiresAt: Date.UTC(2026, 1, 1) },
        {
          ...base,
          rule: "azure/probe-blocked-by-nsg",
          resource: "vm2-nic",
          reason: "still",
          expires: "2026-12-31",
          expiresAt: Date.UTC(2027, 0, 1),
        },
      ],
      { now, tagsOf: () => undefined },
    );
    assert.deepEqual(a.suppression, { reason: "r", source: "c.yaml:1", expires: "2026-01-31", expired: true });
    assert.deepEqual(b.suppression, { reason: "still", source: "c.yaml:1", expires: "2026-12-31" });
    assert.equal(p.suppression, undefined);
    assert.deepEqual(
      statuses.map((s) => [s.expired, s.matched]),
      [
        [true, 2],
        [false, 1],
      ],
    );
  });
});

describe("check with a config", () => {
  const dir = join(tmp, "project");
  mkdirSync(dir, { recursive: true });
  const snapFile = join(dir, "snap.json");
  const snap = JSON.parse(readFileSync(fixture("probe-blocked-by-nsg"), "utf8"));
  for (const r of snap.resources) if (r.name === "vm2-nic") r.tags = { team: "legacy" };
  writeFileSync(snapFile, JSON.stringify(snap));
  const config = [
    "rules:",
    "  azure/session-persistence-skew: off",
    "  azure/single-backend: info",
    "suppressions:",
    "  - rule: azure/probe-blocked-by-nsg",
    "    resource: vm1-nic",
    "    reason: Lockdown during INC-42",
    "    expires: 2026-12-31",
    "  - rule: azure/probe-blocked-by-nsg",
    "    tag: { team: legacy }",
    "    reason: Legacy pool, being retired",
    "",
  ].join("\n");
  writeFileSync(join(dir, ".lbdoctor.yaml"), config);
  const NOW = { LBDOCTOR_NOW: "2026-11-20T00:00:00Z" };

  it("is found in the working directory: suppressed findings stay in the JSON, marked, and no longer fail the run", () => {
    const r = lbdoctor(["check", "--snapshot", snapFile, "--format", "json"], NOW, dir);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assertValidReport(report);
    const probe: Finding[] = report.findings
      .filter((f: Finding) => f.ruleId === "azure/probe-blocked-by-nsg" && f.status === "fail")
      .sort((a: Finding, b: Finding) => a.resourceName.localeCompare(b.resourceName));
    assert.deepEqual(
      probe.map((f) => [f.resourceName, f.suppression]),
      [
        ["vm1-nic", { reason: "Lockdown during INC-42", source: ".lbdoctor.yaml:5", expires: "2026-12-31" }],
        ["vm2-nic", { reason: "Legacy pool, being retired", source: ".lbdoctor.yaml:9" }],
      ],
    );
    assert.equal(report.summary.suppressed, 2);
    assert.equal(report.summary.failing, 0);
    assert.deepEqual(
      report.suppressions.map((s: { matched: number; expired: boolean }) => [s.matched, s.expired]),
      [
        [1, false],
        [1, false],
      ],
    );
    assert.ok(!report.rules.some((x: { id: string }) => x.id === "azure/session-persistence-skew"), "a rule turned off does not run");
    assert.equal(report.summary.rulesRun, catalogOf("azure").length - 1, "every Azure rule but the one turned off");
    assert.equal(report.rules.find((x: { id: string }) => x.id === "azure/single-backend").severity, "info");
    assert.equal(report.loadBalancers[0].status, "healthy", "suppressed findings do not make the load balancer down");
  });

  it("the text report lists them compactly; SARIF carries them as accepted suppressions", () => {
    const text = lbdoctor(["check", "--snapshot", snapFile], NOW, dir).stdout;
    assert.match(
      text,
      /\nSuppressed \(2\): accepted in \.lbdoctor\.yaml, still in the JSON and SARIF reports\n {2}- azure\/probe-blocked-by-nsg on vm1-nic \(critical\): Lockdown during INC-42 \[\.lbdoctor\.yaml:5, until 2026-12-31\]\n/,
    );
    assert.doesNotMatch(text, /✖ CRITICAL azure\/probe-blocked-by-nsg/);
    assert.match(text, /Summary: 2 failed \(2 critical\), 2 suppressed, /);
    const sarif = JSON.parse(lbdoctor(["check", "--snapshot", snapFile, "--format", "sarif"], NOW, dir).stdout);
    assertValidSarif(sarif);
    const sup = sarif.runs[0].results.map((x: { suppressions?: Array<{ status: string; justification: string }> }) => x.suppressions?.[0]);
    assert.equal(sup.length, 2);
    assert.ok(sup.every((s: { status: string } | undefined) => s?.status === "accepted"));
  });

  it("a load balancer whose every finding is suppressed says so in the text report, never healthy (0/1 up)", () => {
    const all = join(tmp, "suppress-all.yaml");
    writeFileSync(all, 'suppressions:\n  - rule: "azure/*"\n    resource: "**"\n    reason: all accepted\n');
    const r = lbdoctor(["check", "--snapshot", fixture("demo"), "--config", all], NOW);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    const title = lines.findIndex((l) => l.startsWith("Load balancer lb-web "));
    assert.deepEqual(lines.slice(title, title + 2), [
      "Load balancer lb-web (Standard, public 20.50.60.70): 5 findings suppressed, none open (0/1 up)",
      "  no open problems: 5 findings suppressed, listed below",
    ]);
    assert.doesNotMatch(r.stdout, /: healthy|no problems found/);
    // some suppressed, some open: the status stands, and the heading counts the suppressed ones
    const one = join(tmp, "suppress-one.yaml");
    writeFileSync(one, 'suppressions:\n  - rule: azure/single-backend\n    resource: "**"\n    reason: one accepted\n');
    const partly = lbdoctor(["check", "--snapshot", fixture("demo"), "--config", one], NOW);
    assert.equal(partly.code, 1, partly.stderr);
    assert.match(partly.stdout, /\nLoad balancer lb-web \(Standard, public 20\.50\.60\.70\): down \(0\/1 up\); 1 more suppressed\n/);
    // the JSON report and Markdown carry the same count beside the status (absent when nothing is suppressed)
    const json = (file: string | undefined) =>
      JSON.parse(lbdoctor(["check", "--snapshot", fixture("demo"), "--format", "json", ...(file ? ["--config", file] : [])], NOW).stdout);
    assert.deepEqual(
      json(all).loadBalancers.map((lb: { status: string; failed: number; suppressed?: number }) => [lb.status, lb.failed, lb.suppressed]),
      [["healthy", 0, 5]],
    );
    assert.equal(json(one).loadBalancers[0].suppressed, 1);
    assert.equal("suppressed" in json(undefined).loadBalancers[0], false);
    const md = lbdoctor(["check", "--snapshot", fixture("demo"), "--format", "markdown", "--config", all], NOW).stdout;
    assert.match(md, /\| `lb-web` \|.*\| 0 \(\+5 suppressed\) \|/);
  });

  it("after its date a suppression expires: the finding fails again and every report says so", () => {
    const later = { LBDOCTOR_NOW: "2027-01-01T00:00:00Z" };
    const r = lbdoctor(["check", "--snapshot", snapFile, "--format", "json"], later, dir);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    const vm1 = report.findings.find((f: Finding) => f.ruleId === "azure/probe-blocked-by-nsg" && f.resourceName === "vm1-nic");
    assert.deepEqual(vm1.suppression, {
      reason: "Lockdown during INC-42",
      source: ".lbdoctor.yaml:5",
      expires: "2026-12-31",
      expired: true,
    });
    assert.equal(report.summary.suppressed, 1);
    assert.equal(report.summary.failing, 1);
    const text = lbdoctor(["check", "--snapshot", snapFile], later, dir).stdout;
    assert.match(text, /suppression expired 2026-12-31 \(\.lbdoctor\.yaml:5\): Lockdown during INC-42; it counts again/);
    assert.match(
      text,
      /Expired suppressions \(1\): they no longer suppress\n {2}- \.lbdoctor\.yaml:5: azure\/probe-blocked-by-nsg on vm1-nic expired 2026-12-31; 1 finding counts again/,
    );
    const sarif = JSON.parse(lbdoctor(["check", "--snapshot", snapFile, "--format", "sarif"], later, dir).stdout);
    assert.ok(sarif.runs[0].results.some((x: { suppressions?: Array<{ status: string }> }) => x.suppressions?.[0]?.status === "rejected"));
    // the last day still counts as inside
    assert.equal(lbdoctor(["check", "--snapshot", snapFile], { LBDOCTOR_NOW: "2026-12-31T23:59:59Z" }, dir).code, 0);
  });

  it("--no-config ignores it; --config names another; the flag beats the config's failOn", () => {
    assert.equal(lbdoctor(["check", "--snapshot", snapFile, "--no-config"], NOW, dir).code, 1);
    const other = join(tmp, "strict.yaml");
    writeFileSync(other, "failOn: info\n");
    const strict = lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--config", other, "--format", "json"], NOW, dir);
    const report = JSON.parse(strict.stdout);
    assert.equal(report.failOn, "info");
    assert.equal(strict.code, report.summary.failing > 0 ? 1 : 0);
    assert.equal(
      JSON.parse(
        lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--config", other, "--fail-on", "critical", "--format", "json"]).stdout,
      ).failOn,
      "critical",
    );
  });

  it("a suppression whose rule did not run is not called stale; one whose rule matches no rule is named", () => {
    // --rule narrows the run to another rule: the suppressions of probe-blocked-by-nsg were not looked at
    const narrowed = lbdoctor(["check", "--snapshot", snapFile, "--rule", "azure/backend-vm-stopped"], NOW, dir);
    assert.doesNotMatch(narrowed.stderr, /stale/);
    const other = join(tmp, "typo.yaml");
    writeFileSync(other, "suppressions:\n  - rule: azrue/*\n    resource: vm1-nic\n    reason: typo\n");
    const typo = lbdoctor(["check", "--snapshot", snapFile, "--config", other], NOW, dir);
    assert.match(typo.stderr, /names rule azrue\/\*, which matches no rule/);
    // a suppression of a rule that ran and found nothing to hold back is stale
    const stale = join(tmp, "stale.yaml");
    writeFileSync(stale, "suppressions:\n  - rule: azure/backend-vm-stopped\n    resource: nothing-here\n    reason: old\n");
    assert.match(lbdoctor(["check", "--snapshot", snapFile, "--config", stale], NOW, dir).stderr, /remove it if it is stale/);
  });

  it("an explicit --rule runs a rule the config turns off", () => {
    const r = lbdoctor(["check", "--snapshot", snapFile, "--rule", "azure/session-persistence-skew", "--format", "json"], NOW, dir);
    assert.deepEqual(
      JSON.parse(r.stdout).rules.map((x: { id: string }) => x.id),
      ["azure/session-persistence-skew"],
    );
  });

  it("a bad or missing config, or a bad LBDOCTOR_NOW, is exit 2 with the line, before anything else", () => {
    const bad = join(tmp, "bad.yaml");
    writeFileSync(bad, "suppressions:\n  - rule: azure/backend-public-ip\n    resource: vm1\n");
    const r = lbdoctor(["check", "my-rg", "--config", bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.yaml:2:5: suppressions\[0\]: missing required key 'reason'/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const missing = lbdoctor(["check", "--snapshot", snapFile, "--config", join(tmp, "nope.yaml")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /config file not found: /);
    const clock = lbdoctor(["check", "--snapshot", snapFile], { LBDOCTOR_NOW: "someday" }, dir);
    assert.equal(clock.code, 2);
    assert.match(clock.stderr, /LBDOCTOR_NOW='someday' is not an ISO 8601 date/);
  });
});
