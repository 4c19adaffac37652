/**
 * Secrets are found by their shape, wherever they are: a corpus of secrets
 * (SAS in a relative path, SharedAccessSignature tokens, JWTs, PEM private
 * keys, AWS access key ids with their secrets, connection strings, passwords
 * in URLs, quoted and `password: 'x'` forms, tokens and signatures in paths, credential headers quoted after the colon,
 * cookies after an empty one, a quote in a URL's password, ConvertTo-SecureString's plain text) planted at random
 * positions in random string fields of a snapshot (fast-check), then looked for in every report format, in `diff`,
 * in what `snapshot` and `snapshot --redact` write, and in the TUI. None may
 * survive.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { Box } from "ink";
import { cleanup, render } from "ink-testing-library";
import React from "react";
import { main } from "../src/cli.ts";
import { finishSnapshot } from "../src/commands/snapshot.ts";
import { parseSnapshot } from "../src/core/snapshot/load.ts";
import { MAX_DEPTH } from "../src/core/util/depth.ts";
import { maskSecretsInString, REDACTED, scanDocument, stripSecrets } from "../src/core/util/secrets.ts";
import { providerFor } from "../src/providers/index.ts";
import { FindingView, Overview } from "../src/tui/components/screens.ts";
import { TuiSession } from "../src/tui/session.ts";
import { snapshotSource } from "../src/tui/source.ts";
import type { TuiData } from "../src/tui/types.ts";
import { ROOT } from "./support/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-secrets-"));
after(() => cleanup());

/** Every secret carries ZQX (and the JWT its header): none of it may appear in any output. */
const MARK = /ZQX|eyJhbGciOiJIUzI1NiJ9/;

const alnum = (n: number) =>
  fc.string({ unit: fc.constantFrom(..."ABCDEFGHJKLMNPQRSTUVWXYZ234567".split("")), minLength: n, maxLength: n });
const b64 = (n: number) =>
  fc.string({ unit: fc.constantFrom(..."abcdefghijkmnopqrstuvwxyzABCDEFGH0123456789+/".split("")), minLength: n, maxLength: n });

const secret: fc.Arbitrary<string> = fc.oneof(
  b64(24).map((s) => `/health?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig=ZQX${s}%2B%3D`),
  b64(24).map((s) => `https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=ZQX${s}%3D`),
  b64(20).map((s) => `SharedAccessSignature sr=ns.servicebus.windows.net%2Fq&sig=ZQX${s}%3D&se=1900000000&skn=RootManageSharedAccessKey`),
  b64(30).map((s) => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.ZQX${s.replace(/[+/]/g, "_")}`),
  b64(48).map((s) => `-----BEGIN RSA PRIVATE KEY-----\nMIIEZQX${s}\n-----END RSA PRIVATE KEY-----`),
  b64(48).map((s) => `-----BEGIN OPENSSH PRIVATE KEY-----\nZQX${s}`),
  fc.tuple(alnum(13), b64(37)).map(([id, key]) => `AKIAZQX${id} ZQX${key}`),
  fc.tuple(alnum(13), b64(37)).map(([id, key]) => `aws_access_key_id=ASIAZQX${id} aws_secret_access_key=ZQX${key}`),
  b64(40).map((s) => `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=ZQX${s}==;EndpointSuffix=core.windows.net`),
  b64(16).map((s) => `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=ZQX${s}=`),
  b64(12).map((s) => `Server=tcp:db.database.windows.net,1433;User ID=app;Password=ZQX${s};`),
  // no raw `/` in a URL's password: RFC 3986 ends the authority there (a real one is percent-encoded)
  b64(12).map((s) => `postgres://app:ZQX${s.replaceAll("/", "%2F")}@db.internal:5432/app`),
  // weaker shapes: quoted and `:` forms, a raw `@` in a URL's password, tokens and signatures in paths
  b64(12).map((s) => `Server=db;User ID=app;Password="ZQX${s}";`),
  b64(12).map((s) => `password: 'ZQX${s}'`),
  alnum(12).map((s) => `https://deploy:ZQX${s}@ZQX${s}@git.example.com/app`),
  alnum(12).map((s) => `/health?probe=1&token=ZQX${s}`),
  alnum(16).map((s) => `/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ZQX${s.toLowerCase()}&X-Amz-Expires=60`),
  // credential headers quoted after the colon (YAML, config dumps), an empty cookie before the secret one, `/` and `@` in a password
  b64(16).map((s) => `authorization: "Basic ZQX${s}"`),
  b64(16).map((s) => `Proxy-Authorization: 'Basic ZQX${s}'`),
  b64(12).map((s) => `Cookie: a=""; sid=ZQX${s}`),
  // (a raw `/` ends a URL's authority, RFC 3986: `https://deploy:p@ZQX/…@host` has the host ZQX, no password there)
  alnum(12).map((s) => `https://deploy:ZQX${s}@ZQX${s}@git.example.com/app/@scope/x@v1`),
  // command lines (the option kept, its value masked), a token as a URL's user, a host followed by an `@` in the path
  b64(12).map((s) => `curl -u admin:ZQX${s} https://api.example.com/health`),
  b64(12).map((s) => `az vm create -n vm1 --admin-password ZQX${s}`),
  b64(12).map((s) => `curl -b 'sid=ZQX${s}' https://api.example.com/`),
  b64(12).map((s) => `mysql -uroot -pZQX${s} app`),
  b64(12).map((s) => `az login --service-principal -u app -p ZQX${s} --tenant t`),
  // a URL's user is masked only when it has a token's shape (a GitHub token here; an Azure DevOps organisation stays)
  alnum(33).map((s) => `git clone https://ghp_ZQX${s}@github.com/org/repo.git`),
  alnum(12).map((s) => `https://ci:ZQX${s}@registry.npmjs.org/@scope/pkg/-/pkg-1.0.0.tgz`),
  // a quote inside a URL's password; PowerShell's plain text after the switches
  alnum(12).map((s) => `https://deploy:ZQX${s}'s@git.example.com/app.git`),
  b64(12).map((s) => `ConvertTo-SecureString -AsPlainText -Force 'ZQX${s}'`),
);

/** The string leaves of a document, as [holder, key] pairs (the envelope's own fields excluded). */
function stringFields(doc: unknown): Array<[Record<string, unknown> | unknown[], string | number]> {
  const out: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (v: unknown, top: boolean) => {
    if (Array.isArray(v))
      v.forEach((x, i) => {
        if (typeof x === "string") out.push([v, i]);
        else walk(x, false);
      });
    else if (v !== null && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (top && ["schema", "provider", "collectedAt", "tool"].includes(k)) continue;
        if (typeof x === "string") out.push([v as Record<string, unknown>, k]);
        else walk(x, false);
      }
  };
  walk(doc, true);
  return out;
}

interface Plant {
  field: number;
  at: number;
  secret: string;
}

/** Plants each secret into a field (by index, modulo their number) at a position (a fraction of its length). */
function plant(base: string, plants: Plant[], always: (doc: Record<string, unknown>) => Array<[Record<string, unknown>, string]>): string {
  const doc = JSON.parse(base) as Record<string, unknown>;
  const fields = stringFields(doc);
  // found before any plant: a secret planted in a resource's `type` must not hide the resource these are looked up by
  const shownFields = always(doc);
  const put = (holder: Record<string, unknown> | unknown[], key: string | number, s: string, at: number) => {
    const v = String((holder as Record<string | number, unknown>)[key]);
    // at a token boundary: the start, the end or after a space (never inside an earlier planted secret)
    const cuts = MARK.test(v) ? [v.length] : [0, ...[...v].flatMap((ch, j) => (ch === " " ? [j + 1] : [])), v.length];
    const i = cuts[Math.min(cuts.length - 1, Math.floor(at * cuts.length))] ?? 0;
    (holder as Record<string | number, unknown>)[key] = `${v.slice(0, i)} ${s} ${v.slice(i)}`;
  };
  plants.forEach((p, n) => {
    const [holder, key] = fields[p.field % fields.length] as [Record<string, unknown>, string];
    put(holder, key, p.secret, p.at);
    // and one in a field every output shows
    const shown = shownFields[n % Math.max(1, shownFields.length)];
    if (shown) put(shown[0], shown[1], p.secret, 0.5);
  });
  return JSON.stringify(doc);
}

async function run(argv: string[]): Promise<string> {
  let out = "";
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (out += s) };
  const code = await main(argv, io);
  // a secret planted in an id or an enum can make the file invalid: exit 2, and nothing rendered (the run is discarded)
  if (code === 2 && /is not a valid lbdoctor\.snapshot/.test(out)) throw new Invalid();
  assert.ok(code === 0 || code === 1, `lbdoctor ${argv.join(" ")} exited ${code}: ${out.slice(0, 500)}`);
  return out;
}

class Invalid extends Error {}

function assertNone(what: string, text: string): void {
  const m = MARK.exec(text);
  assert.equal(m, null, `${what} leaks a secret: …${text.slice(Math.max(0, (m?.index ?? 0) - 80), (m?.index ?? 0) + 40)}…`);
}

async function everyOutput(file: string, baseFile: string, text: string): Promise<void> {
  for (const format of ["text", "json", "sarif", "junit", "markdown", "github"])
    assertNone(
      `check --format ${format}`,
      await run(["check", "--snapshot", file, "--format", format, "--verbose", "--no-config", "--no-color"]),
    );
  for (const format of ["text", "json", "markdown"])
    assertNone(`diff --format ${format}`, await run(["diff", baseFile, file, "--format", format, "--no-color"]));
  // what `snapshot` writes, with and without --redact (the same finishing step the command runs)
  for (const redact of [false, true]) {
    const snapshot = parseSnapshot(text, file);
    const doc = snapshot as unknown as Record<string, unknown>;
    await finishSnapshot(doc, snapshot, await providerFor(snapshot.provider), redact);
    assertNone(`snapshot${redact ? " --redact" : ""}`, JSON.stringify(doc));
  }
  // the TUI, from the file as `tui --snapshot` reads it: the data it renders and copies, and the screens
  const session = new TuiSession(snapshotSource(file));
  await session.load();
  const data = session.getState().data as TuiData;
  assertNone("TUI data (what `c` copies)", JSON.stringify(data.findings));
  const h = React.createElement;
  const sized = { width: 100, height: 80, color: false };
  const screens = [
    h(Overview, { ...sized, data, filter: { text: "", all: true }, selected: 0 }),
    ...data.findings.slice(0, 3).map((f) => h(FindingView, { ...sized, data, findingId: f.id, selected: 0 })),
  ];
  for (const el of screens) {
    const inst = render(h(Box, { width: 100 }, el));
    const frame = inst.lastFrame() ?? "";
    inst.unmount();
    assertNone("TUI screen", frame);
  }
}

const CASES = [
  {
    provider: "azure",
    base: join(ROOT, "fixtures", "azure", "demo.json"),
    always: (doc: Record<string, unknown>): Array<[Record<string, unknown>, string]> => {
      const rs = doc.resources as Array<Record<string, unknown>>;
      const lb = rs.find((r) => r.type === "Microsoft.Network/loadBalancers") as Record<string, unknown>;
      const probe = ((lb.properties as Record<string, unknown>).probes as Array<{ properties: Record<string, unknown> }>)[0];
      return [[lb, "name"], ...(probe ? [[probe.properties, "requestPath"] as [Record<string, unknown>, string]] : [])];
    },
  },
  {
    provider: "aws",
    base: join(ROOT, "fixtures", "aws", "health-check-path-mismatch.json"),
    always: (doc: Record<string, unknown>): Array<[Record<string, unknown>, string]> => {
      const elbv2 = doc.elbv2 as Record<string, Array<Record<string, unknown>>>;
      return [
        [elbv2.LoadBalancers?.[0] as Record<string, unknown>, "LoadBalancerName"],
        [elbv2.TargetGroups?.[0] as Record<string, unknown>, "HealthCheckPath"],
      ];
    },
  },
] as const;

describe("secrets are masked by shape in every output", () => {
  it("each shape of the corpus is masked on its own", () => {
    fc.assert(
      fc.property(secret, fc.string(), fc.string(), (s, a, b) => {
        assertNone("maskSecretsInString", maskSecretsInString(`${a} ${s} ${b}`));
      }),
      { numRuns: 300 },
    );
  });

  for (const c of CASES) {
    it(`${c.provider}: planted at random in random fields, no secret survives check (every format), diff, snapshot [--redact] or the TUI`, async () => {
      const base = readFileSync(c.base, "utf8");
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ field: fc.nat(), at: fc.double({ min: 0, max: 1, noNaN: true }), secret }), { minLength: 1, maxLength: 6 }),
          async (plants) => {
            const text = plant(base, plants, c.always);
            const file = join(tmp, `${c.provider}-${n++}.json`);
            writeFileSync(file, text);
            try {
              await everyOutput(file, c.base, text);
            } catch (e) {
              if (e instanceof Invalid) fc.pre(false);
              throw e;
            }
          },
        ),
        { numRuns: 6, endOnFailure: true },
      );
    });
  }
});

describe("snapshot --redact on AWS", () => {
  it("masks account ids (in ARNs and owner fields), public IPs and tag values, consistently; private addresses stay", async () => {
    const text = readFileSync(join(ROOT, "fixtures", "aws", "target-public-ip.json"), "utf8");
    const snapshot = parseSnapshot(text, "aws");
    const doc = snapshot as unknown as Record<string, unknown>;
    const before = JSON.stringify(doc);
    const account = /arn:aws:[a-z-]+:[a-z0-9-]+:(\d{12}):/.exec(before)?.[1] as string;
    const publicIp = /"PublicIp(?:Address)?":\s*"(\d+\.\d+\.\d+\.\d+)"/.exec(before)?.[1];
    assert.ok(account, "the fixture has an account id");
    await finishSnapshot(doc, snapshot, await providerFor("aws"), true);
    const after = JSON.stringify(doc);
    assert.equal(doc.redacted, true);
    assert.ok(!after.includes(account), "the account id is masked everywhere");
    if (publicIp) assert.ok(!after.includes(`"${publicIp}"`), "the public IP is masked");
    assert.match(after, /"10\.\d+\.\d+\.\d+"/, "private addresses stay");
    // still a snapshot that diagnoses the same way: ARNs line up
    const again = parseSnapshot(after, "redacted");
    const adapter = await providerFor("aws");
    const model = adapter.buildModel(again, { from: [] });
    assert.equal(
      adapter.loadBalancers(model).length,
      adapter.loadBalancers(adapter.buildModel(parseSnapshot(text, "x"), { from: [] })).length,
    );
  });
});

describe("the TUI strips secrets from any source", () => {
  it("a live source (any provider's collection) that hands over a secret: the session's data never holds it", async () => {
    const snap = JSON.parse(readFileSync(join(ROOT, "fixtures", "azure", "demo.json"), "utf8"));
    const lb = snap.resources.find((r: { type: string }) => r.type === "Microsoft.Network/loadBalancers");
    lb.tags = { deploy: "SharedAccessSignature sr=ns.servicebus.windows.net&sig=ZQXabcdefghij%3D&se=1&skn=Root" };
    lb.properties.probes[0].properties.requestPath = "/health?sv=2022-11-02&sig=ZQXabcdefghijklmn%3D";
    const session = new TuiSession({
      live: true,
      label: "live: test",
      acquire: async () => structuredClone(snap),
      watchUnavailable: "no",
    });
    await session.load();
    const data = session.getState().data as TuiData;
    assert.ok(data.findings.length > 0);
    assertNone("TUI data from a live source", JSON.stringify(data));
  });
});

describe("JSON text: a masked secret changes its own value's text only", () => {
  const ws = fc.constantFrom("", " ", "\n  ", "\t");
  const key = fc
    .oneof(fc.constantFrom("1", "10", "0", "é", "a b"), fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/))
    .filter((k) => !/pass|pwd|secret|token|key|auth|sig|data|profile|cookie/i.test(k));
  const number = fc.oneof(fc.constantFrom("1.50", "1e3", "-0", "0.10E+2", "-3.25e-7", "1.0"), fc.integer().map(String));
  const value = fc.oneof(
    number,
    fc.stringMatching(/^[a-z0-9 .]{0,12}$/).map((s) => JSON.stringify(s)),
    fc.constantFrom("true", "null", "{}", "[]", '"\\u00e9\\/"'),
    fc.array(number, { maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`),
  );
  /** [the secret member's text, the same member masked] */
  const secretMember = fc.oneof(
    b64(12).map((s): [string, string] => [`"dbPassword": "ZQX${s}"`, `"dbPassword": "${REDACTED}"`]),
    fc.integer({ min: 1000, max: 99999999 }).map((n): [string, string] => [`"apiKey": ${n}`, `"apiKey": "${REDACTED}"`]),
    b64(12).map((s): [string, string] => [`"conn": "Server=db;Password=ZQX${s}"`, `"conn": "Server=db;Password=${REDACTED}"`]),
    alnum(12).map((s): [string, string] => [`"args": ["--password", "ZQX${s}"]`, `"args": ["--password", "${REDACTED}"]`]),
  );

  it("numbers as written, spaces, key order and escapes stay, in a string and in a document's string", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 6 }),
        secretMember,
        fc.nat(),
        ws,
        ws,
        (members, [secret, masked], at, a, b) => {
          const texts = members.map(([k, v]) => `${JSON.stringify(k)}:${a}${v}`);
          const i = at % (texts.length + 1);
          const text = (m: string) => `{${a}${[...texts.slice(0, i), m, ...texts.slice(i)].join(`,${b}`)}${b}}`;
          assert.equal(maskSecretsInString(text(secret)), text(masked));
          const doc = { properties: { requestbody: text(secret) } };
          stripSecrets(doc);
          assert.equal(doc.properties.requestbody, text(masked));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("JSON text whose keys repeat, with values of different kinds", () => {
  // a key written escaped is the same key (`"\\u0061"` is `"a"`): the parse keeps its last value, the text all of them
  const key = fc.constantFrom('"a"', '"b"', '"\\u0061"', '"k1"', '"k\\u0031"');
  const leaf = fc.oneof(
    b64(10).map((s) => JSON.stringify(`Server=db;Password=ZQX${s}`)),
    alnum(10).map((s) => JSON.stringify(`https://app:ZQX${s}@db.internal/x`)),
    alnum(10).map((s) => `["--password", "ZQX${s}"]`),
    fc.constantFrom("1", "1.50", "-0", '"x"', '"a\\"b"', "true", "null", "{}", "[]"),
  );
  const { value } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
    value: fc.oneof({ maxDepth: 4, depthIdentifier: "json" }, leaf, tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`),
    object: fc.array(fc.tuple(key, tie("value")), { maxLength: 4 }).map((ms) => `{${ms.map(([k, v]) => `${k}: ${v}`).join(", ")}}`),
  }));
  const text = fc.array(fc.tuple(key, value), { minLength: 2, maxLength: 4 }).map((ms) => `{${ms.map(([k, v]) => `${k}:${v}`).join(",")}}`);

  it("masking terminates, never throws, writes valid JSON and lets no secret through (a string and a document's string)", async () => {
    const cases = [
      // a string, then an object; a number, then an array; an escaped key in each (once a hang, a throw and a leak)
      '{"a":"x","a":{"b":"Password=ZQX1"}}',
      '{"a":1,"a":[{"b":"Password=ZQX1"}]}',
      '{"a":{"k\\u0031":1},"a":[{"b":"Password=ZQX1"}]}',
      '{"a":[1,{"\\u0062":2}],"a":{"c":"Password=ZQX1"}}',
      '{"a":"Password=ZQX1","a":{"b":"c"}}',
      ...fc.sample(text, { numRuns: 400, seed: 20261204 }),
    ];
    // JSON text with a repeated key once looped for ever: masked in a worker, which a hang cannot keep from being stopped
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      import(workerData.url).then(({ maskSecretsInString, stripSecrets }) => {
        const out = [];
        for (const s of workerData.cases) {
          try {
            const doc = { tags: { note: s } };
            stripSecrets(doc);
            out.push([maskSecretsInString(s), doc.tags.note]);
          } catch (e) {
            out.push(["threw: " + e, ""]);
          }
        }
        parentPort.postMessage(out);
      });`;
    const url = new URL("../src/core/util/secrets.ts", import.meta.url).href;
    const worker = new Worker(code, { eval: true, workerData: { url, cases } });
    const outs = await new Promise<Array<[string, string]> | undefined>((resolve, reject) => {
      const timer = setTimeout(() => resolve(undefined), 30_000);
      worker.on("message", (m: Array<[string, string]>) => {
        clearTimeout(timer);
        resolve(m);
      });
      worker.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    await worker.terminate();
    assert.ok(outs !== undefined, "masking did not finish in 30 s");
    assert.equal(outs.length, cases.length);
    for (const [i, s] of cases.entries()) {
      for (const out of outs[i] as [string, string]) {
        assert.doesNotThrow(() => JSON.parse(out), `${s}\n=> ${out}`);
        assert.doesNotMatch(out, /ZQX/, `${s}\n=> ${out}`);
      }
    }
  });
});

describe("a login tool's global options before its login (property)", () => {
  const option = fc.constantFrom(
    ["--config", "/tmp/x"],
    ["-H", "tcp://h:2375"],
    ["--context", "prod"],
    ["--debug"],
    ["--log-level=debug"],
    ["-D"],
  );
  const tool = fc.constantFrom("docker", "podman", "nerdctl", "/usr/bin/docker");
  it("any run of global options and their values keeps login a subcommand: its password is masked, in a line and in an argv", () => {
    fc.assert(
      fc.property(tool, fc.array(option, { minLength: 1, maxLength: 4 }), alnum(12), (t, opts, pw) => {
        const words = [t, ...opts.flat(), "login", "-u", "bob", "-p", `ZQX${pw}`, "reg.io"];
        assert.doesNotMatch(maskSecretsInString(words.join(" ")), MARK);
        const doc = { args: [...words], script: ["sh", "-c", words.join(" ")] };
        stripSecrets(doc);
        assert.doesNotMatch(JSON.stringify(doc), MARK);
      }),
    );
  });
  // a flag written apart (`-D`) takes the bare word after it for its value: `docker -D run --name login -p …` is masked
  const valued = fc.constantFrom(["--config", "/tmp/x"], ["-H", "tcp://h:2375"], ["--context", "prod"], ["--log-level=debug"]);
  it("a bare word after options with their values (run) is the subcommand: a container named login keeps its port", () => {
    fc.assert(
      fc.property(tool, fc.array(valued, { maxLength: 4 }), (t, opts) => {
        const words = [t, ...opts.flat(), "run", "--name", "login", "-p", "8080:80", "img"];
        assert.equal(maskSecretsInString(words.join(" ")), words.join(" "));
        const doc = { args: [...words] };
        stripSecrets(doc);
        assert.deepEqual(doc.args, words);
      }),
    );
  });
});

describe("a command's argv split across a container spec's two arrays (property)", () => {
  /** [argv of a credential `pw`, or of none] */
  const argvs: Array<(pw: string) => string[]> = [
    (pw) => ["mysql", "-uroot", `-p${pw}`, "db"],
    (pw) => ["docker", "login", "-u", "u", "-p", pw, "registry.example.com"],
    (pw) => ["redis-cli", "-h", "cache", "-a", pw, "ping"],
    (pw) => ["curl", "-u", `admin:${pw}`, "https://x.example"],
    (pw) => ["app", "--password", pw, "--port", "80"],
    (pw) => ["aws", "configure", "set", "aws_secret_access_key", pw],
    (pw) => ["openssl", "rsa", "-in", "k.pem", "-passin", `pass:${pw}`],
    (pw) => ["kubectl", "create", "secret", "generic", "n", `--from-literal=k=${pw}`],
    (pw) => ["az", "keyvault", "secret", "set", "--name", "db", "--value", pw],
    (pw) => ["aws", "ssm", "put-parameter", "--name", "/p", "--value", pw],
    (pw) => ["net", "user", "bob", pw, "/add"],
    (pw) => ["htpasswd", "-b", "-c", "f", "bob", pw],
    (pw) => ["htpasswd", "-nb", "bob", pw],
    // none: these stay as they are, split or not
    () => ["ssh", "-p", "2222", "host"],
    () => ["docker", "run", "-u", "1000:1000", "-p", "8080:80", "img"],
    () => ["mysql", "-u", "root", "-p", "db"],
    () => ["aws", "configure", "set", "region", "us-east-1"],
    () => ["net", "user", "bob", "/add"],
    () => ["htpasswd", "-D", "f", "bob"],
    () => ["kubectl", "create", "secret", "generic", "n", "--from-file=x"],
  ];
  /** The container spec with `argv` split at `at`: Kubernetes' command and args, or ECS's entryPoint and command. */
  const split = (argv: string[], at: number, ecs: boolean, argsFirst: boolean): Record<string, unknown> => {
    const [first, rest] = [argv.slice(0, at), argv.slice(at)];
    const [a, b] = ecs ? ["entryPoint", "command"] : ["command", "args"];
    return argsFirst ? { name: "c", [b]: rest, [a]: first } : { name: "c", [a]: first, [b]: rest };
  };
  /** The spec's two arrays joined again. */
  const joined = (c: Record<string, unknown>, ecs: boolean): unknown[] =>
    ecs ? [...(c.entryPoint as unknown[]), ...(c.command as unknown[])] : [...(c.command as unknown[]), ...(c.args as unknown[])];

  it("wherever it splits, each walker masks what it masks in one array: the credential, and nothing else", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: argvs.length - 1 }),
        alnum(12),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.boolean(),
        (n, pw, cut, ecs, argsFirst) => {
          const argv = (argvs[n] as (pw: string) => string[])(`ZQX${pw}`);
          const at = 1 + Math.min(argv.length - 1, Math.floor(cut * argv.length));
          const whole = { command: [...argv] };
          stripSecrets(whole);
          if (!argv.some((w) => MARK.test(w))) assert.deepEqual(whole.command, argv);
          assert.doesNotMatch(JSON.stringify(whole), MARK);
          const doc = { containers: [split(argv, at, ecs, argsFirst)] };
          const stripped = structuredClone(doc);
          stripSecrets(stripped);
          const scanned = structuredClone(doc);
          scanDocument(scanned, MAX_DEPTH).strip();
          const text = JSON.parse(maskSecretsInString(JSON.stringify(doc))) as typeof doc;
          for (const out of [stripped, scanned, text]) {
            assert.deepEqual(joined(out.containers[0] as Record<string, unknown>, ecs), whole.command, JSON.stringify(doc));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("a YAML line whose key names a secret (property)", () => {
  const key = fc.constantFrom(
    "clientSecret",
    "client_secret",
    "password",
    "adminPassword",
    "API_KEY",
    "AZURE_STORAGE_KEY",
    "secret",
    "token",
  );
  const word = fc.string({ unit: fc.constantFrom(..."ABCDEFGHJKLMNPQRSTUVWXYZ234567;&=!%@.,:/+-".split("")), minLength: 1, maxLength: 8 });
  it("its plain value, whatever its words, or a block scalar's lines are masked: none of it survives, the lines around it stay", () => {
    fc.assert(
      fc.property(
        key,
        fc.array(word, { maxLength: 4 }),
        alnum(12),
        fc.nat({ max: 4 }),
        fc.nat({ max: 4 }),
        fc.boolean(),
        fc.constantFrom("plain", "comment", "block"),
        (k, words, pw, at, indent, item, form) => {
          const value = [...words];
          value.splice(at % (words.length + 1), 0, `ZQX${pw}`);
          const pad = " ".repeat(indent);
          const name = `${pad}${item ? "- " : ""}${k}:`;
          const line =
            form === "block"
              ? `${name} |\n${pad}    ${value.join(" ")}\n\n${pad}    ${value.join(" ")}`
              : `${name} ${value.join(" ")}${form === "comment" ? " # rotated by CI" : ""}`;
          const text = `${pad}name: web\n${line}\n${pad}port: 443`;
          const out = maskSecretsInString(text);
          assert.doesNotMatch(out, MARK, text);
          assert.ok(out.startsWith(`${pad}name: web\n${name} `) && out.endsWith(`\n${pad}port: 443`), out);
          if (form === "comment") assert.ok(out.includes(" # rotated by CI"), out);
          const doc = { data: { "values.yaml": text } };
          stripSecrets(doc);
          assert.doesNotMatch(JSON.stringify(doc), MARK);
          assert.doesNotMatch(maskSecretsInString(JSON.stringify({ data: { "values.yaml": text } })), MARK);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("an argv operand after words the cheap gate skipped (property)", () => {
  it("net user's name in several words, htpasswd's options in any order and cluster: the password masked, split or not", () => {
    const htOption = fc.constantFrom(["-B"], ["-C", "10"], ["-c"], ["-r", "5"], ["-m"]);
    fc.assert(
      fc.property(
        // lower case: a name is no secret, and must never spell the marker ZQX
        fc.array(
          alnum(5).map((s) => s.toLowerCase()),
          { minLength: 1, maxLength: 3 },
        ),
        fc.array(htOption, { maxLength: 3 }),
        fc.boolean(),
        alnum(12),
        fc.nat({ max: 8 }),
        (name, opts, n, pw, cut) => {
          const ht = [["-b"], ...opts];
          const argvs = [
            ["net", "user", name.join(" "), `ZQX${pw}`, "/add"],
            ["htpasswd", ...ht.flat(), ...(n ? ["-n"] : ["/etc/nginx/.htpasswd"]), "admin", `ZQX${pw}`],
            ["htpasswd", ...ht.reverse().flat(), ...(n ? ["-n"] : ["/etc/nginx/.htpasswd"]), "admin", `ZQX${pw}`],
          ];
          for (const argv of argvs) {
            const at = 1 + (cut % (argv.length - 1));
            const doc = { a: [...argv], containers: [{ command: argv.slice(0, at), args: argv.slice(at) }] };
            const scanned = structuredClone(doc);
            scanDocument(scanned, MAX_DEPTH).strip();
            const stripped = structuredClone(doc);
            stripSecrets(stripped);
            for (const out of [JSON.stringify(scanned), JSON.stringify(stripped), maskSecretsInString(JSON.stringify(doc))]) {
              assert.doesNotMatch(out, MARK, JSON.stringify(argv));
            }
            // only the password: the words before it stay
            const before = argv.indexOf(`ZQX${pw}`);
            assert.deepEqual(scanned.a.slice(0, before), argv.slice(0, before));
            assert.deepEqual(scanned.a[before], REDACTED);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
