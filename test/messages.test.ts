/**
 * Messages and clean-up (issue 11): duplicate ids are one gap line per id with
 * a count and a pointer at the copy used; demo and emulator remove their
 * temporary CA folder on exit and on Ctrl-C; an unreachable network is told
 * apart from missing or refused credentials; several positional load
 * balancers; warnings for a --from that names nothing and a suppression that
 * matches nothing; long names cut like every other value; counts and
 * articles that read right.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stderrProgress } from "../src/core/collect/progress.ts";
import type { Finding } from "../src/core/engine/types.ts";
import { article, clip, plural, withArticle } from "../src/core/util/words.ts";
import { startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import { credentialFailure } from "../src/providers/azure/collect/credentials.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { BIN, lbdoctor, ROOT } from "./support/cli.ts";

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), "lbdoctor-msg-"));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const azureFixture = (name: string): AzureSnapshot => JSON.parse(readFileSync(join(ROOT, "fixtures/azure", `${name}.json`), "utf8"));

function run(
  args: string[],
  env: Record<string, string | undefined>,
  cwd = ROOT,
  timeoutMs = 90_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete e[k];
      else e[k] = v;
    }
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: e, timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Resolves when the child's output matches, or rejects after the timeout. */
function waitFor(child: ChildProcess, stream: "stdout" | "stderr", re: RegExp, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${seen}`)), ms);
    child[stream]?.on("data", (c) => {
      seen += c;
      if (re.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

describe("duplicate ids in a snapshot", () => {
  it("one gap per duplicated id, with the count, naming and pointing at the copy that is used", () => {
    const s = azureFixture("healthy-web");
    const nic = s.resources.findIndex((r) => r.type === "Microsoft.Network/networkInterfaces");
    const vm = s.resources.findIndex((r) => r.type === "Microsoft.Compute/virtualMachines");
    const copy = <T>(x: T): T => structuredClone(x);
    const nicId = s.resources[nic]?.id as string;
    const at = (i: number) => copy(s.resources[i] as (typeof s.resources)[number]);
    s.resources.push(at(nic), at(nic), at(vm));
    const lastNic = s.resources.length - 2;
    const model = buildAzureModel(s);
    const dups = model.gaps.filter((g) => g.operation === "snapshot");
    assert.equal(dups.length, 2, JSON.stringify(dups.map((g) => g.message)));
    const g = dups.find((x) => x.resourceId?.toLowerCase() === nicId.toLowerCase());
    assert.ok(g);
    assert.match(g.message, /more than once \(3 copies: /);
    assert.match(g.message, new RegExp(`the last copy, resources\\[${lastNic}\\], is used`));
    assert.equal(g.pointer, `/resources/${lastNic}`);
    // the model reads that same copy
    assert.equal(model.byKey.nic.get(nicId.toLowerCase())?.ptr, `/resources/${lastNic}`);

    const file = join(tmp, "dups.json");
    writeFileSync(file, JSON.stringify(s));
    const r = lbdoctor(["check", "--snapshot", file, "--no-config"]);
    const lines = r.stdout.split("\n").filter((l) => /more than once/.test(l));
    assert.equal(lines.length, 2, r.stdout);
  });
});

describe("demo and emulator remove their temporary CA folder", () => {
  const lbdoctorTmp = (dir: string) => readdirSync(dir).filter((f) => f.startsWith("lbdoctor-"));

  it("emulator: on Ctrl-C (SIGINT)", async () => {
    const dir = mkdtempSync(join(tmp, "t-"));
    const child = spawn(process.execPath, [BIN, "emulator", "--snapshot", join(ROOT, "fixtures/azure/healthy-web.json"), "--port", "0"], {
      env: { ...process.env, TMPDIR: dir, NO_COLOR: "1" },
      timeout: 60_000,
    });
    const closed = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    await waitFor(child, "stdout", /Ctrl-C stops it/);
    assert.equal(lbdoctorTmp(dir).length, 1, "the CA folder exists while it runs");
    child.kill("SIGINT");
    assert.equal(await closed, 0);
    assert.deepEqual(lbdoctorTmp(dir), []);
  });

  it("demo: when it ends, and on Ctrl-C (SIGINT) mid-collection", async () => {
    const dir = mkdtempSync(join(tmp, "t-"));
    const done = await run(["demo"], { TMPDIR: dir });
    assert.equal(done.code, 1, done.stderr);
    assert.deepEqual(lbdoctorTmp(dir), [], "removed after a normal run");

    const child = spawn(process.execPath, [BIN, "demo"], { env: { ...process.env, TMPDIR: dir, NO_COLOR: "1" }, timeout: 60_000 });
    const closed = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    await waitFor(child, "stderr", /lbdoctor demo: ARM emulator on/);
    assert.equal(lbdoctorTmp(dir).length, 1);
    child.kill("SIGINT");
    assert.equal(await closed, 130);
    assert.deepEqual(lbdoctorTmp(dir), [], "removed on Ctrl-C");
  });
});

describe("an unreachable network is told apart from missing or refused credentials", () => {
  const noAws = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/lbdoctor-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/lbdoctor-credentials",
  };

  it("AWS without credentials: 'no AWS credentials found', not 'rejected'", async () => {
    const port = await closedPort();
    const r = await run(["check", "--provider", "aws", "--region", "us-east-1", "--aws-endpoint", `http://127.0.0.1:${port}`], {
      ...noAws,
      HOME: tmp,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no AWS credentials found/);
    assert.doesNotMatch(r.stderr, /rejected/);
  });

  it("AWS with credentials and nothing listening: 'could not reach', not a credential problem", async () => {
    const port = await closedPort();
    const r = await run(["check", "--provider", "aws", "--region", "us-east-1", "--aws-endpoint", `http://127.0.0.1:${port}`], {
      ...noAws,
      HOME: tmp,
      AWS_ACCESS_KEY_ID: "AKIDTEST",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /could not reach/);
    assert.match(r.stderr, /ECONNREFUSED/);
    assert.doesNotMatch(r.stderr, /credentials/);
  });

  it("Azure with AZURE_CLIENT_* set and Entra ID unreachable: the network, and the variables are not advised again", async () => {
    const port = await closedPort();
    const r = await run(["check", "my-rg"], {
      HOME: tmp,
      AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
      AZURE_TENANT_ID: "00000000-0000-0000-0000-000000000002",
      AZURE_CLIENT_SECRET: "not-a-secret",
      AZURE_AUTHORITY_HOST: `https://127.0.0.1:${port}`,
      AZURE_SUBSCRIPTION_ID: "00000000-0000-0000-0000-000000000003",
      LBDOCTOR_ARM_ENDPOINT: undefined,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /could not reach Microsoft Entra ID at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    assert.match(r.stderr, /the network, not the credentials/);
    assert.doesNotMatch(r.stderr, /set AZURE_CLIENT_ID/);
    assert.doesNotMatch(r.stderr, /not-a-secret/);
  });

  it("Azure: reachable sign-in with AZURE_CLIENT_* set is a refusal of those credentials; without them, none found", async () => {
    const srv = createServer((s) => s.destroy());
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    try {
      const env = {
        AZURE_CLIENT_ID: "a",
        AZURE_TENANT_ID: "b",
        AZURE_CLIENT_SECRET: "c",
        AZURE_AUTHORITY_HOST: `https://127.0.0.1:${port}`,
      };
      const refused = await credentialFailure(new Error("EnvironmentCredential authentication failed. Status code: 400"), env);
      assert.match(refused.message, /did not accept the credentials in AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET/);
      const none = await credentialFailure(new Error("CredentialUnavailableError"), { AZURE_AUTHORITY_HOST: `https://127.0.0.1:${port}` });
      assert.match(none.message, /no usable Azure credentials/);
      assert.match(none.hint ?? "", /az login/);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});

describe("several positional load balancers", () => {
  it("check --provider aws my-lb other-lb collects and reports exactly those", async () => {
    const load = (n: string) => JSON.parse(readFileSync(join(ROOT, "fixtures/aws", `${n}.json`), "utf8"));
    const emu = await startAwsEmulator({ snapshots: [load("healthy-alb"), load("nlb-hairpin"), load("healthy-nlb")] });
    try {
      const r = await run(
        ["check", "--provider", "aws", "--region", "us-east-1", "--aws-endpoint", emu.url, "web-alb", "orders-nlb", "--format", "json"],
        { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", AWS_EC2_METADATA_DISABLED: "true" },
      );
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const names = (JSON.parse(r.stdout).loadBalancers as Array<{ name: string }>).map((l) => l.name).sort();
      assert.deepEqual(names, ["orders-nlb", "web-alb"]);
    } finally {
      await emu.close();
    }
  });

  it("with --snapshot, several targets narrow to their union; an unknown one is exit 2", () => {
    const file = join(ROOT, "fixtures/aws/healthy-alb.json");
    const ok = lbdoctor(["check", "--snapshot", file, "--no-config", "--format", "json", "web-alb", "us-east-1"]);
    assert.ok(ok.code === 0 || ok.code === 1, ok.stderr);
    const bad = lbdoctor(["check", "--snapshot", file, "--no-config", "web-alb", "no-such-lb"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /'no-such-lb' is neither/);
  });
});

describe("silent misses are warned about", () => {
  it("--from that names no VM", () => {
    const file = join(ROOT, "fixtures/azure/healthy-web.json");
    const miss = lbdoctor(["check", "--snapshot", file, "--no-config", "--from", "no-such-vm"]);
    assert.match(miss.stderr, /warning: --from "no-such-vm" names no VM/);
    const hit = lbdoctor(["check", "--snapshot", file, "--no-config", "--from", "vm1"]);
    assert.doesNotMatch(hit.stderr, /warning: --from/);
  });

  it("a suppression that matches nothing", () => {
    const dir = join(tmp, "supp");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, ".lbdoctor.yaml"),
      [
        "suppressions:",
        "  - rule: azure/backend-pool-empty",
        "    resource: '*'",
        "    reason: known, being fixed",
        "  - rule: azure/nat-rule-conflict",
        "    resource: nothing-by-this-name",
        "    reason: stale",
        "",
      ].join("\n"),
    );
    const r = lbdoctor(["check", "--snapshot", join(ROOT, "fixtures/azure/backend-pool-empty.json")], {}, dir);
    const warnings = r.stderr.split("\n").filter((l) => /warning: the suppression/.test(l));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0] as string, /\.lbdoctor\.yaml:5/);
    assert.match(warnings[0] as string, /azure\/nat-rule-conflict/);
  });
});

describe("long names are cut like every other value", () => {
  it("a 10,000-character load balancer name is cut with … in every human format and in messages", () => {
    const text = readFileSync(join(ROOT, "fixtures/azure/backend-pool-empty.json"), "utf8");
    const long = "L".repeat(10_000);
    const file = join(tmp, "long.json");
    writeFileSync(file, text.split("lb-web").join(long));
    const whole = /L{161}/;
    const json = lbdoctor(["check", "--snapshot", file, "--no-config", "--format", "json"]);
    for (const f of JSON.parse(json.stdout).findings as Finding[]) {
      assert.doesNotMatch(f.message, whole, f.id);
      assert.doesNotMatch(f.resourceName, whole, f.id);
    }
    for (const format of ["text", "markdown"]) {
      const r = lbdoctor(["check", "--snapshot", file, "--no-config", "--verbose", "--format", format]);
      // fix commands keep the name whole: cut, they would be wrong
      const shown = r.stdout.split("\n").filter((l) => !/^\s*(\$ )?az /.test(l));
      assert.deepEqual(
        shown.filter((l) => whole.test(l)).map((l) => l.slice(0, 120)),
        [],
        format,
      );
      assert.ok(r.stdout.includes(`${"L".repeat(159)}…`), format);
    }
    const gh = lbdoctor(["check", "--snapshot", file, "--no-config", "--format", "github"]);
    const parts = gh.stdout.split(/%0A|\n/).filter((p) => !p.startsWith("$ "));
    assert.deepEqual(
      parts.filter((p) => whole.test(p)).map((p) => p.slice(0, 120)),
      [],
    );
  });

  it("clip cuts at 160 characters", () => {
    assert.equal(clip("x".repeat(160)), "x".repeat(160));
    assert.equal(clip("x".repeat(161)), `${"x".repeat(159)}…`);
  });
});

describe("wording: counts and articles", () => {
  it("plural and article", () => {
    assert.equal(plural(1, "gap"), "1 gap");
    assert.equal(plural(2, "gap"), "2 gaps");
    assert.equal(plural(0, "call"), "0 calls");
    assert.equal(plural(1, "copy", "copies"), "1 copy");
    assert.equal(withArticle("Azure"), "an Azure");
    assert.equal(withArticle("AWS"), "an AWS");
    assert.equal(withArticle("application"), "an application");
    assert.equal(article("network"), "a");
  });

  it("the progress line says 1 call, 1 resource, 1 gap", () => {
    let out = "";
    const p = stderrProgress((s) => {
      out += s;
    }, false);
    p({ type: "phase", name: "lists" });
    p({ type: "call", operation: "x", calls: 1 });
    p({ type: "done", resources: 1, calls: 1, gaps: 1, ms: 1000 } as never);
    assert.match(out, /collected 1 resource in 1 call, 1\.0s, 1 gap\n/);
    assert.doesNotMatch(out, /1 (calls|gaps|resources)\b/);
  });

  it("diff of two clouds: 'an Azure snapshot' and 'an AWS snapshot'", () => {
    const r = lbdoctor(["diff", join(ROOT, "fixtures/azure/healthy-web.json"), join(ROOT, "fixtures/aws/healthy-alb.json")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot compare an Azure snapshot .* with an AWS snapshot/);
  });

  it("no source prints a count with a fixed plural", () => {
    const offenders: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, name.name);
        if (name.isDirectory()) walk(p);
        else if (/\.tsx?$/.test(name.name)) {
          readFileSync(p, "utf8")
            .split("\n")
            .forEach((line, i) => {
              if (/\$\{[^}]*\} (gaps|calls|resources|errors|rules|results)\b/.test(line) && !line.includes("plural("))
                offenders.push(`${p}:${i + 1}: ${line.trim()}`);
              if (/\ba \$\{[^}]*provider[^}]*\}/.test(line)) offenders.push(`${p}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(join(ROOT, "src"));
    assert.deepEqual(offenders, []);
  });
});
