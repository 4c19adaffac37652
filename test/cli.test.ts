import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { BIN, fixture, lbdoctor, ROOT } from "./support/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-cli-"));
const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+/, `a stack trace leaked:\n${s}`);

describe("lbdoctor check", () => {
  it("diagnoses the probe-blocked scenario: root cause, evidence, fix, exit 1", () => {
    const r = lbdoctor(["check", "--snapshot", fixture("probe-blocked-by-nsg")]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /azure\/probe-blocked-by-nsg/);
    assert.match(r.stdout, /denied by NSG nsg-web rule deny-lb-probe \(priority 200, subnet layer\)/);
    assert.match(r.stdout, /evidence blocking rule .*\/resources\/\d+\/properties\/securityRules\/\d+/);
    assert.match(r.stdout, /\$ az network nsg rule create --resource-group ra-multi-vm-rg --nsg-name nsg-web .*--priority 199 /);
    assert.match(r.stdout, /^Summary: .*failed/m);
    assert.doesNotMatch(r.stdout, /\u001b\[/, "NO_COLOR must give plain text");
  });

  it("the healthy reference gives no failure at medium or above and exits 0", () => {
    const r = lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--format", "json"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    const bad = report.findings.filter(
      (f: { status: string; severity: string }) => f.status === "fail" && ["critical", "high", "medium"].includes(f.severity),
    );
    assert.deepEqual(bad, []);
    assert.equal(report.loadBalancers[0].status, "healthy");
  });

  it("writes a JSON report that validates against docs/schema/report.v1.schema.json", () => {
    const out = join(tmp, "report.json");
    const r = lbdoctor(["check", "--snapshot", fixture("probe-blocked-by-nsg"), "--format", "json", "--output", out]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, "");
    const schema = JSON.parse(readFileSync(join(ROOT, "docs/schema/report.v1.schema.json"), "utf8"));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const report: {
      schema: string;
      findings: Array<{ ruleId: string; status: string; evidence: Array<{ value: { properties: { priority: number } } }> }>;
    } = JSON.parse(readFileSync(out, "utf8"));
    assert.ok(validate(structuredClone(report)), JSON.stringify(validate.errors, null, 2));
    assert.equal(report.schema, "lbdoctor.report/v1");
    const f = report.findings.find((x) => x.ruleId === "azure/probe-blocked-by-nsg" && x.status === "fail");
    assert.equal(f?.evidence[0]?.value.properties.priority, 200, "evidence carries the value read at the pointer");
  });

  it("text and JSON in one run (--format text --format json --output file)", () => {
    const out = join(tmp, "both.json");
    const r = lbdoctor(["check", "--snapshot", fixture("probe-blocked-by-nsg"), "--format", "json", "--output", out, "--format", "text"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Summary:/);
    assert.equal(JSON.parse(readFileSync(out, "utf8")).schema, "lbdoctor.report/v1");
  });

  it("--fail-on decides the exit code", () => {
    assert.equal(lbdoctor(["check", "--snapshot", fixture("probe-blocked-by-nsg"), "--fail-on", "critical"]).code, 1);
    const info = lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--fail-on", "info", "--format", "json"]);
    const failing = JSON.parse(info.stdout).summary.failing;
    assert.equal(info.code, failing > 0 ? 1 : 0);
  });

  it("--rule runs a subset; an unknown rule id is a usage error", () => {
    const r = lbdoctor([
      "check",
      "--snapshot",
      fixture("probe-blocked-by-nsg"),
      "--rule",
      "azure/probe-blocked-by-nsg",
      "--format",
      "json",
    ]);
    const ids = new Set(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId));
    assert.deepEqual([...ids], ["azure/probe-blocked-by-nsg"]);
    const bad = lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--rule", "azure/nope"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown rule 'azure\/nope'/);
  });

  it("the positional target narrows to a load balancer or resource group; an unknown one exits 2", () => {
    const lb = lbdoctor(["check", "lb-web", "--snapshot", fixture("probe-blocked-by-nsg"), "--format", "json"]);
    assert.equal(JSON.parse(lb.stdout).loadBalancers.length, 1);
    const rg = lbdoctor(["check", "ra-multi-vm-rg", "--snapshot", fixture("probe-blocked-by-nsg")]);
    assert.equal(rg.code, 1);
    const missing = lbdoctor(["check", "no-such-rg", "--snapshot", fixture("probe-blocked-by-nsg")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /'no-such-rg' is neither a resource group nor a load balancer/);
    noStack(missing.stderr);
  });
});

describe("bad input: a clear message, exit 2, no stack, no partial write", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["truncated JSON", '{"schema": "lbdoctor.snapshot/v1", "provider": "azure", "resour', /is not valid JSON/],
    ["not an object", "[1,2,3]", /expected a JSON object/],
    [
      "unknown version",
      JSON.stringify({ schema: "lbdoctor.snapshot/v9", provider: "azure" }),
      /schema 'lbdoctor.snapshot\/v9'.*does not read/,
    ],
    [
      "wrong type, reported with its JSON path",
      JSON.stringify({
        schema: "lbdoctor.snapshot/v1",
        provider: "azure",
        collectedAt: "x",
        scope: {},
        resources: [{ id: "/a", name: 1, type: "Microsoft.Network/x" }],
      }),
      /\/resources\/0\/name: must be string/,
    ],
    [
      "a collection time that is no date",
      JSON.stringify({ schema: "lbdoctor.snapshot/v1", provider: "azure", collectedAt: "yesterday", scope: {}, resources: [] }),
      /\/collectedAt: must be an RFC 3339 date and time, such as 2026-12-04T10:00:00Z/,
    ],
    [
      "missing resources",
      JSON.stringify({ schema: "lbdoctor.snapshot/v1", provider: "azure", collectedAt: "x", scope: {} }),
      /missing required property 'resources'/,
    ],
  ];
  for (const [name, text, pattern] of cases) {
    it(name, () => {
      const file = join(tmp, `${name.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, text);
      const out = join(tmp, `${name.replace(/\W+/g, "-")}.out.json`);
      const r = lbdoctor(["check", "--snapshot", file, "--format", "json", "--output", out]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, pattern);
      noStack(r.stderr);
      assert.equal(existsSync(out), false, "no report is written on bad input");
    });
  }

  it("a field the rules decide on, wrongly typed (a hand-edited snapshot), is refused with its path, never read as 0 or skipped", () => {
    const demo = JSON.parse(readFileSync(fixture("demo"), "utf8")) as {
      resources: Array<{ type: string; properties: Record<string, unknown> }>;
    };
    const of = (type: string) => demo.resources.findIndex((r) => r.type.toLowerCase() === type.toLowerCase());
    const lb = of("Microsoft.Network/loadBalancers");
    const nsg = demo.resources.findIndex(
      (r) => Array.isArray(r.properties.securityRules) && (r.properties.securityRules as unknown[]).length > 0,
    );
    assert.ok(lb >= 0 && nsg >= 0);
    const cases: Array<[string, (s: typeof demo) => void, string]> = [
      [
        "probe port as a string",
        (s) => set(s, lb, "probes", "port", "80"),
        `/resources/${lb}/properties/probes/0/properties/port: must be integer`,
      ],
      [
        "probe port 80.5",
        (s) => set(s, lb, "probes", "port", 80.5),
        `/resources/${lb}/properties/probes/0/properties/port: must be integer`,
      ],
      ["probe port -1", (s) => set(s, lb, "probes", "port", -1), `/resources/${lb}/properties/probes/0/properties/port: must be >= 1`],
      [
        "probe port 99999",
        (s) => set(s, lb, "probes", "port", 99999),
        `/resources/${lb}/properties/probes/0/properties/port: must be <= 65535`,
      ],
      [
        "backend port as a string",
        (s) => set(s, lb, "loadBalancingRules", "backendPort", "80"),
        `/resources/${lb}/properties/loadBalancingRules/0/properties/backendPort: must be integer`,
      ],
      [
        "NSG priority as a string",
        (s) => set(s, nsg, "securityRules", "priority", "4000"),
        `/resources/${nsg}/properties/securityRules/0/properties/priority: must be integer`,
      ],
      [
        "NSG port range as a number",
        (s) => set(s, nsg, "securityRules", "destinationPortRange", 80),
        `/resources/${nsg}/properties/securityRules/0/properties/destinationPortRange: must be string`,
      ],
      [
        "security rules as an object",
        (s) => {
          (s.resources[nsg] as { properties: Record<string, unknown> }).properties.securityRules = {};
        },
        `/resources/${nsg}/properties/securityRules: must be array`,
      ],
    ];
    function set(s: typeof demo, i: number, list: string, field: string, value: unknown): void {
      const items = (s.resources[i] as { properties: Record<string, unknown> }).properties[list] as Array<{
        properties: Record<string, unknown>;
      }>;
      const first = items[0];
      assert.ok(first, `the fixture has ${list}`);
      first.properties[field] = value;
    }
    for (const [name, edit, message] of cases) {
      const copy = structuredClone(demo);
      edit(copy);
      const file = join(tmp, `typed-${name.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, JSON.stringify(copy));
      const r = lbdoctor(["check", "--snapshot", file]);
      assert.equal(r.code, 2, `${name}: ${r.stdout}`);
      assert.ok(r.stderr.includes(message), `${name}: ${r.stderr}`);
      noStack(r.stderr);
    }
  });

  it("a missing snapshot file", () => {
    const r = lbdoctor(["check", "--snapshot", join(tmp, "nope.json")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /snapshot file not found/);
  });

  it("an unknown flag", () => {
    const r = lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--frobnicate"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--frobnicate'/);
  });

  it("a bad --format value", () => {
    const r = lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--format", "yaml"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Allowed choices are text, json/);
  });

  it("live collection without a subscription says what to do", () => {
    const r = lbdoctor(["check", "my-rg"], { AZURE_SUBSCRIPTION_ID: "", LBDOCTOR_ARM_ENDPOINT: "" });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--subscription <id> or set AZURE_SUBSCRIPTION_ID/);
    noStack(r.stderr);
  });

  it("check with neither a resource group nor --snapshot is a usage error", () => {
    const r = lbdoctor(["check"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /name a resource group .* or pass --snapshot/);
  });

  it("an unwritable --output leaves nothing behind", () => {
    // a folder that cannot be created (a file is in the way); a missing one is created (test/output-files.test.ts)
    writeFileSync(join(tmp, "a-file"), "x");
    const out = join(tmp, "a-file", "sub", "r.json");
    const r = lbdoctor(["check", "--snapshot", fixture("healthy-web"), "--format", "json", "--output", out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot write/);
    assert.match(r.stderr, /a-file/);
    assert.equal(existsSync(out), false);
  });
});

describe("lbdoctor trace", () => {
  it("the probe flow is denied layer by layer, naming the deciding rule", () => {
    const r = lbdoctor(["trace", "--snapshot", fixture("probe-blocked-by-nsg"), "--from", "AzureLoadBalancer", "--to", "vm1:80"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /1\. subnet snet-web · NSG nsg-web: DENY by deny-lb-probe \(priority 200\)/);
    assert.match(r.stdout, /2\. NIC vm1-nic · no NSG: ALLOW/);
    assert.match(r.stdout, /Verdict: DENY/);
  });

  it("Internet to port 80 on the healthy reference is allowed by allow-http", () => {
    const r = lbdoctor(["trace", "--snapshot", fixture("healthy-web"), "--from", "Internet", "--to", "vm2:80", "--format", "json"]);
    assert.equal(r.code, 0, r.stdout);
    const v = JSON.parse(r.stdout);
    assert.equal(v.verdict, "allow");
    assert.equal(v.layers[0].deciding.name, "allow-http");
  });

  it("SSH from the Internet is denied by default, but partly allowed for the admin range", () => {
    const r = lbdoctor(["trace", "--snapshot", fixture("healthy-web"), "--from", "Internet", "--to", "vm1:22"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /DENY by DenyAllInBound \(priority 65500, default rule\)/);
    assert.match(r.stdout, /partly matched: allow-ssh-admin/);
  });

  it("an unknown target lists what exists", () => {
    const r = lbdoctor(["trace", "--snapshot", fixture("healthy-web"), "--from", "Internet", "--to", "vm9:80"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /VMs and NICs in the snapshot: .*vm1/);
  });

  it("a port is decimal digits, 1-65535: anything else is exit 2, never a verdict about another port", () => {
    for (const port of ["", "0", "0x50", "1e2", "80.0", "+80", " 80", "65536", "-1", "0b1010000"]) {
      const r = lbdoctor(["trace", "--snapshot", fixture("healthy-web"), "--from", "Internet", "--to", `vm1:${port}`]);
      assert.equal(r.code, 2, `vm1:${port}: ${r.stdout}`);
      assert.ok(r.stderr.includes(`'${port}' is not a port (1-65535)`), r.stderr);
      noStack(r.stderr);
    }
    assert.equal(lbdoctor(["trace", "--snapshot", fixture("healthy-web"), "--from", "Internet", "--to", "vm1:65535"]).code === 2, false);
  });

  it("an AWS snapshot goes to the AWS evaluator (security groups and network ACLs; test/aws-trace.test.ts covers it)", () => {
    const r = lbdoctor(["trace", "--snapshot", "fixtures/aws/healthy-alb.json", "--from", "Internet", "--to", "web-1:80"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Verdict: ALLOW/m);
    assert.equal(r.stderr, "");
  });
});

/** Starts `lbdoctor <args>`, waits for its banner, stops it with SIGINT; its exit code, stdout and stderr. */
function serveOnce(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // not a test-runner child: with NODE_TEST_CONTEXT inherited, Node would not let the command handle SIGINT itself
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    let stopped = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no banner in 30 s:\n${stdout}${stderr}`));
    }, 30_000);
    child.stdout.on("data", (d) => {
      stdout += d;
      if (!stopped && stdout.includes("Ctrl-C stops it.")) stopped = child.kill("SIGINT");
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: `${stderr}${code === null ? `(signal ${sig})` : ""}` });
    });
  });
}

describe("lbdoctor emulator", () => {
  it("serves an AWS snapshot by its provider, as the aws-emulator alias does", async () => {
    for (const cmd of ["emulator", "aws-emulator"]) {
      const r = await serveOnce([cmd, "--snapshot", "fixtures/aws/healthy-alb.json"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /^AWS emulator listening on http:\/\/127\.0\.0\.1:\d+ \(127\.0\.0\.1 only\), serving fixtures\/aws\/healthy-alb\.json$/m,
      );
      assert.match(r.stdout, /npx lbdoctor check --provider aws --region /);
      assert.match(r.stderr, /^served 0 requests/m);
    }
  });

  it("serves an Azure snapshot as the ARM API", async () => {
    const r = await serveOnce(["emulator", "--snapshot", fixture("healthy-web")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ARM emulator listening on https:\/\/127\.0\.0\.1:\d+ /m);
    assert.match(r.stdout, /export LBDOCTOR_ARM_ENDPOINT=https:\/\/127\.0\.0\.1:\d+ LBDOCTOR_ARM_CA_FILE=\S+ca\.pem/);
  });

  it("the hint it prints is safe to paste: snapshot strings quoted, and no effective NSGs asked of a snapshot without them", async () => {
    const doc = JSON.parse(readFileSync(fixture("healthy-web"), "utf8"));
    doc.scope.resourceGroup = "web rg$(touch pwned)";
    delete doc.observations?.effectiveNetworkSecurityGroups;
    const file = join(mkdtempSync(join(tmpdir(), "lbdoctor-hint-")), "snap.json");
    writeFileSync(file, JSON.stringify(doc));
    const r = await serveOnce(["emulator", "--snapshot", file]);
    assert.equal(r.code, 0, r.stderr);
    const line = r.stdout.split("\n").find((l) => l.includes("npx lbdoctor check")) ?? "";
    assert.equal(line.trim(), `npx lbdoctor check 'web rg$(touch pwned)' --subscription ${doc.scope.subscriptionId} --no-effective-nsg`);
    const aws = JSON.parse(readFileSync("fixtures/aws/healthy-alb.json", "utf8"));
    aws.scope.region = "us-east-1;id";
    const awsFile = join(mkdtempSync(join(tmpdir(), "lbdoctor-hint-")), "aws.json");
    writeFileSync(awsFile, JSON.stringify(aws));
    const a = await serveOnce(["emulator", "--snapshot", awsFile]);
    assert.match(a.stdout, /npx lbdoctor check --provider aws --region 'us-east-1;id'/);
    assert.doesNotMatch(a.stdout, /--region us-east-1;id/);
  });

  it("refuses, in one line with exit 2: mixed clouds, the alias on an Azure snapshot, another cloud's flag", () => {
    const mixed = lbdoctor(["emulator", "--snapshot", fixture("healthy-web"), "--snapshot", "fixtures/aws/healthy-alb.json"]);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /healthy-alb\.json is not an Azure snapshot like .*one emulator serves one cloud/);
    const alias = lbdoctor(["aws-emulator", "--snapshot", fixture("healthy-web")]);
    assert.equal(alias.code, 2);
    assert.match(alias.stderr, /healthy-web\.json is not an AWS snapshot/);
    const flag = lbdoctor(["emulator", "--snapshot", "fixtures/aws/healthy-alb.json", "--lro-ms", "10"]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--lro-ms applies to Azure snapshots/);
    const retryAfter = lbdoctor(["emulator", "--snapshot", "fixtures/aws/healthy-alb.json", "--lro-retry-after", "1"]);
    assert.equal(retryAfter.code, 2);
    assert.match(retryAfter.stderr, /--lro-retry-after applies to Azure snapshots/);
    const negative = lbdoctor(["emulator", "--snapshot", fixture("healthy-web"), "--lro-retry-after", "-1"]);
    assert.equal(negative.code, 2);
    assert.match(negative.stderr, /--lro-retry-after must be a number from 0 to 600/);
    for (const r of [mixed, alias, flag, retryAfter, negative]) noStack(r.stderr);
  });
});

describe("lbdoctor rules", () => {
  it("lists the catalog and shows one rule's doc", () => {
    const list = lbdoctor(["rules"]);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /azure\/probe-blocked-by-nsg\s+critical/);
    const one = lbdoctor(["rules", "azure/probe-blocked-by-nsg"]);
    assert.match(one.stdout, /^# azure\/probe-blocked-by-nsg/);
    assert.equal(lbdoctor(["rules", "azure/nope"]).code, 2);
  });

  it("--version and --help exit 0", () => {
    const v = lbdoctor(["--version"]);
    assert.equal(v.code, 0);
    assert.equal(v.stdout.trim(), JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    assert.equal(lbdoctor(["--help"]).code, 0);
  });
});

describe("colour", () => {
  it("FORCE_COLOR colours, NO_COLOR does not", () => {
    const coloured = lbdoctor(["check", "--snapshot", fixture("probe-blocked-by-nsg")], { NO_COLOR: "", FORCE_COLOR: "1" });
    assert.match(coloured.stdout, /\u001b\[/);
    const plain = lbdoctor(["check", "--snapshot", fixture("probe-blocked-by-nsg")], { NO_COLOR: "1", FORCE_COLOR: "1" });
    assert.doesNotMatch(plain.stdout, /\u001b\[/);
  });
});

describe("start-up stays lean", () => {
  it("an offline check loads neither the Azure SDKs nor the emulator", () => {
    // a resolve hook that reports every module specifier the process asks for
    const hook = `import { registerHooks } from "node:module"; const lazy = (s) => s === "ink" || s === "react" || ["@azure/", "@aws-sdk/", "selfsigned", "emulator/arm", "emulator/aws"].some((x) => s.includes(x)); registerHooks({ resolve(s, c, next) { if (lazy(s)) process.stderr.write("LOADED " + s + "\\n"); return next(s, c); } });`;
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        `data:text/javascript,${encodeURIComponent(hook)}`,
        join(ROOT, "bin/lbdoctor.js"),
        "check",
        "--snapshot",
        fixture("demo"),
      ],
      {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /LOADED/, r.stderr);
  });
});

describe("hostile strings from the cloud never reach the terminal raw", () => {
  it("ANSI escapes and control characters in names and tags are neutralized", () => {
    const snap = JSON.parse(readFileSync(fixture("probe-blocked-by-nsg"), "utf8"));
    const evil = "\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b[31mpwned\r";
    for (const r of snap.resources) {
      if (r.type === "Microsoft.Network/networkSecurityGroups") {
        r.tags = { owner: evil };
        for (const rule of r.properties.securityRules) rule.name = `${rule.name}${evil}`;
      }
    }
    const file = join(tmp, "hostile.json");
    writeFileSync(file, JSON.stringify(snap));
    for (const args of [
      ["check", "--snapshot", file, "--verbose"],
      ["trace", "--snapshot", file, "--from", "AzureLoadBalancer", "--to", "vm1:80"],
    ]) {
      const r = lbdoctor(args);
      assert.ok(r.stdout.includes("pwned"), "the text is still shown");
      assert.doesNotMatch(r.stdout, /\u001b|\u0007|\r/, `raw control characters reached stdout: ${JSON.stringify(r.stdout.slice(0, 200))}`);
    }
  });
});
