/**
 * Defects a hostile review of util/secrets.ts found: shapes that leaked a secret, masks that destroyed an ordinary
 * value, and patterns that took quadratic time on a hostile string. One `describe` each.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { MAX_DEPTH } from "../src/core/util/depth.ts";
import { maskSecretsInString, REDACTED, scanDocument, stripSecrets } from "../src/core/util/secrets.ts";

/** What stripSecrets makes of a copy of `doc`, and what a scan of another copy strips from it: both, to compare. */
function bothWays(doc: unknown): { stripped: unknown; scanned: unknown } {
  const stripped = structuredClone(doc);
  stripSecrets(stripped);
  const scanned = structuredClone(doc);
  const scan = scanDocument(scanned, MAX_DEPTH);
  assert.equal(scan.tooDeep, false);
  scan.strip();
  return { stripped, scanned };
}

describe("CloudTrail's lower-case {key, value} pairs", () => {
  it("a tag whose key names a secret loses its value in a CloudTrail record (CreateTags tagSet.items), as an AWS tag does", () => {
    const record = {
      eventName: "CreateTags",
      requestParameters: {
        tagSet: {
          items: [
            { key: "db_password", value: "hunter2" },
            { key: "env", value: "prod" },
          ],
        },
      },
    };
    const out = JSON.parse(maskSecretsInString(JSON.stringify(record)));
    assert.deepEqual(out.requestParameters.tagSet.items, [
      { key: "db_password", value: REDACTED },
      { key: "env", value: "prod" },
    ]);
    const { stripped, scanned } = bothWays(record);
    assert.deepEqual(stripped, { ...record, requestParameters: { tagSet: { items: out.requestParameters.tagSet.items } } });
    assert.deepEqual(scanned, stripped);
    // ModifyTargetGroupAttributes' attributes are {key, value} pairs too: ordinary ones stay
    const attrs = JSON.stringify({ attributes: [{ key: "deregistration_delay.timeout_seconds", value: "60" }] });
    assert.equal(maskSecretsInString(attrs), attrs);
  });
});

describe("name/value pairs whose name ends as a token's or an API key's", () => {
  it("{name: API_KEY | GITHUB_TOKEN, value} loses its value, as API_KEY=… does; a paging token's name does not", () => {
    const doc = {
      env: [
        { name: "API_KEY", value: "sk_live_abc" },
        { name: "GITHUB_TOKEN", value: "ghp_x" },
        { name: "NextToken", value: "page-2" },
        { name: "PORT", value: "8080" },
      ],
    };
    const expected = {
      env: [
        { name: "API_KEY", value: REDACTED },
        { name: "GITHUB_TOKEN", value: REDACTED },
        { name: "NextToken", value: "page-2" },
        { name: "PORT", value: "8080" },
      ],
    };
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
  });
});

describe("a credential header's value that looks like JSON text", () => {
  it("a quoted value or an array of values is masked as the header's value, its JSON kept", () => {
    const cases: Array<[unknown, unknown]> = [
      [{ Authorization: '"Basic dXNlcjpwYXNz"' }, { Authorization: `"Basic ${REDACTED}"` }],
      [{ "x-api-key": '["k3y-s3cret"]' }, { "x-api-key": `["${REDACTED}"]` }],
      [
        { name: "Authorization", value: '"Basic dXNlcjpwYXNz"' },
        { name: "Authorization", value: `"Basic ${REDACTED}"` },
      ],
    ];
    for (const [doc, expected] of cases) {
      assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected, JSON.stringify(doc));
      const { stripped, scanned } = bothWays(doc);
      assert.deepEqual(stripped, expected, JSON.stringify(doc));
      assert.deepEqual(scanned, expected, JSON.stringify(doc));
    }
    // in JSON text, a member named as a token is too (in a document, a token's name masks nothing: `NextToken`)
    const named = JSON.stringify({ apiToken: '["t0k3n"]', Password: '"hunter2"' });
    assert.deepEqual(JSON.parse(maskSecretsInString(named)), { apiToken: `["${REDACTED}"]`, Password: REDACTED });
  });
});

describe("credential headers with several values (an array)", () => {
  it("multiValueHeaders and set-cookie lose each value, the scheme kept, in a document, a scan and JSON text alike", () => {
    const doc = {
      multiValueHeaders: { Authorization: ["Basic dXNlcjpwYXNz"], cookie: ["sid=abc123"], accept: ["text/html"] },
      headers: { "set-cookie": ["sid=abc123; Path=/", "t=1"] },
    };
    const expected = {
      multiValueHeaders: { Authorization: [`Basic ${REDACTED}`], cookie: [REDACTED], accept: ["text/html"] },
      headers: { "set-cookie": [REDACTED, REDACTED] },
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    // the loaded snapshot is stripSecrets of the parsed one
    assert.deepEqual(scanned, stripped);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    // an object among the values is read as any value (nothing masked by the header's name)
    const mixed = { headers: { Cookie: [{ note: "x" }, "sid=1"] } };
    assert.deepEqual(bothWays(mixed).scanned, { headers: { Cookie: [{ note: "x" }, REDACTED] } });
    assert.deepEqual(bothWays(mixed).stripped, { headers: { Cookie: [{ note: "x" }, REDACTED] } });
  });
});

describe("hostile strings take linear time", () => {
  /** [what, unit repeated to the size, before it, after it] */
  const CASES: Array<[string, string, string, string]> = [
    ["'://' repeated (HINT's :\\/\\/\\S*@)", "://", "", ""],
    ["'a://b:' repeated (the URL's user and password)", "a://b:", "", ""],
    ["'a://b:' repeated, an '@' at the end", "a://b:", "", "@"],
    ["'=' + 'ab.' repeated (an unbounded URL scheme)", "ab.", "=", ""],
    ["'=' + 'ab.' repeated, '://@' at the end", "ab.", "=", "://@"],
    ["'@/' repeated in a URL's password", "@/", "https://u:p", "x@"],
    ["'Authorization: ' repeated", "Authorization: ", "", ""],
    ["'password=' repeated", "password=", "", ""],
    ["'eyJ' repeated", "eyJ", "", ""],
    ["'eyJa-' repeated (a JWT's header)", "eyJa-", "", ""],
    ["'-----BEGIN ' repeated", "-----BEGIN ", "", ""],
    ["'\"a\":' repeated", '"a":', "", ""],
    ["' --password' repeated", " --password", "", " x"],
    ["' -u a:' repeated in a curl command", " -u a:", "curl", ""],
    ["' -b '' repeated in a curl command", " -b '", "curl", ""],
  ];
  const SIZE = 200_000;
  const BOUND_MS = 1000;

  it(`maskSecretsInString on ${SIZE / 1000} kB adversarial strings: each under ${BOUND_MS} ms (a worker, stopped if stuck)`, async () => {
    // in a worker: a regex that backtracks for minutes cannot stop the test's own thread, but a worker is terminated
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      import(workerData.url).then(({ maskSecretsInString }) => {
        for (const [what, unit, pre, post] of workerData.cases) {
          const s = pre + unit.repeat(Math.ceil((workerData.size - pre.length - post.length) / unit.length)) + post;
          const t0 = performance.now();
          maskSecretsInString(s);
          parentPort.postMessage({ what, ms: performance.now() - t0 });
        }
        parentPort.postMessage({ done: true });
      });`;
    const url = new URL("../src/core/util/secrets.ts", import.meta.url).href;
    const worker = new Worker(code, { eval: true, workerData: { url, cases: CASES, size: SIZE } });
    const times: Array<{ what: string; ms: number }> = [];
    const stuck = await new Promise<string | undefined>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const arm = (): void => {
        clearTimeout(timer);
        // startup, then each case: three times the bound before it counts as stuck
        const wait = 3 * BOUND_MS + (times.length === 0 ? 5000 : 0);
        timer = setTimeout(() => resolve(CASES[times.length]?.[0] ?? "worker startup"), wait);
      };
      arm();
      worker.on("message", (m: { what: string; ms: number } | { done: true }) => {
        if ("done" in m) {
          clearTimeout(timer);
          resolve(undefined);
        } else {
          times.push(m);
          arm();
        }
      });
      worker.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    await worker.terminate();
    assert.equal(stuck, undefined, `${stuck} did not finish in ${3 * BOUND_MS} ms`);
    const slow = times.filter((t) => t.ms >= BOUND_MS).map((t) => `${t.what}: ${Math.round(t.ms)} ms`);
    assert.deepEqual(slow, []);
    assert.equal(times.length, CASES.length);
  });
});

describe("a URL's password with an '@' in the path", () => {
  it("the host stays: an '@' extends the password over a '/' only when what lies between them is no host", () => {
    const cases: Array<[string, string]> = [
      [
        "https://user:tok3n@registry.npmjs.org/@scope/pkg/-/pkg-1.0.0.tgz",
        `https://user:${REDACTED}@registry.npmjs.org/@scope/pkg/-/pkg-1.0.0.tgz`,
      ],
      ["git+https://user:tok3n@github.com/org/repo.git@v1.2.0", `git+https://user:${REDACTED}@github.com/org/repo.git@v1.2.0`],
      ["https://user:tok3n@host:8443/a/@b", `https://user:${REDACTED}@host:8443/a/@b`],
      // an '@' in the password, then a '/', then the host: still masked whole
      ["https://user:p@ss/word@host.example/path", `https://user:${REDACTED}@host.example/path`],
      ["https://user:p@ss@host.example/", `https://user:${REDACTED}@host.example/`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("JSON text nested deeper than any real document", () => {
  it("is masked whole, not by the patterns (which broke its syntax and let a value through)", () => {
    for (const inner of [["password=", "keep-me"], ['"password":"', "keep-me"], ["Authorization: Basic dXNlcjpwYXNz"]]) {
      let doc: unknown = inner;
      for (let d = 0; d < MAX_DEPTH; d++) doc = [doc];
      assert.equal(maskSecretsInString(JSON.stringify(doc)), REDACTED, JSON.stringify(inner));
      // the same, shallow: parsed and masked member by member
      const shallow = JSON.stringify([[inner]]);
      JSON.parse(maskSecretsInString(shallow));
    }
    // deep but under the limit: parsed as usual
    let ok: unknown = ["Authorization: Basic dXNlcjpwYXNz"];
    for (let d = 0; d < MAX_DEPTH - 2; d++) ok = [ok];
    const out = maskSecretsInString(JSON.stringify(ok));
    assert.ok(out.includes(`Authorization: Basic ${REDACTED}`), out.slice(0, 80));
    JSON.parse(out);
  });
});

describe("credentials on a command line", () => {
  it("the value of a credential option is masked, the option kept", () => {
    const cases: Array<[string, string]> = [
      ["curl -u admin:S3cretPw https://api.example.com/health", `curl -u admin:${REDACTED} https://api.example.com/health`],
      ["curl --user admin:S3cretPw https://api.example.com", `curl --user admin:${REDACTED} https://api.example.com`],
      ["curl --user=admin:S3cretPw https://x", `curl --user=admin:${REDACTED} https://x`],
      ["az vm create -n vm1 --admin-password S3cretPw", `az vm create -n vm1 --admin-password ${REDACTED}`],
      ['az vm create --admin-password "S3 cret" -n x', `az vm create --admin-password "${REDACTED}" -n x`],
      ["az ad sp create-for-rbac --client-secret=S3cretPw --x", `az ad sp create-for-rbac --client-secret=${REDACTED} --x`],
      [
        'az vm run-command invoke --scripts "az login --password S3cretPw" --name x',
        `az vm run-command invoke --scripts "az login --password ${REDACTED}" --name x`,
      ],
      ["curl -b 'sid=abc123secret' https://x", `curl -b '${REDACTED}' https://x`],
      ['curl --cookie "sid=abc123secret" https://x', `curl --cookie "${REDACTED}" https://x`],
      ["mysql -uroot -pS3cretPw db", `mysql -uroot -p${REDACTED} db`],
      ["az login --service-principal -u 0000 -p S3cretPw --tenant t", `az login --service-principal -u 0000 -p ${REDACTED} --tenant t`],
      ["docker login -u x -p S3cretPw registry.example.com", `docker login -u x -p ${REDACTED} registry.example.com`],
      ["sqlcmd -S db -U sa -P S3cretPw -Q x", `sqlcmd -S db -U sa -P ${REDACTED} -Q x`],
      ["git clone https://mypat0123456789abcdefghij@dev.azure.com/o/p/_git/r", `git clone https://${REDACTED}@dev.azure.com/o/p/_git/r`],
      [
        "git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/org/repo.git",
        `git clone https://${REDACTED}@github.com/org/repo.git`,
      ],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });

  it("ordinary command lines and URLs stay as they are", () => {
    for (const s of [
      "docker run -u 1000:1000 -p 8080:80 img",
      "git checkout -b feature/x",
      "mkdir -p /var/log",
      "ssh -p 22 host",
      "docker login -u x --password-stdin registry.example.com",
      "tool --password-file /etc/pw",
      "curl -b cookies.txt https://x",
      "curl -u admin https://x",
      "mysql -u root -p db",
      "ls --color=auto --all",
      "https://git@github.com/org/repo.git",
      "https://alice@host.example/x",
      "web - prod -- frontend",
    ]) {
      assert.equal(maskSecretsInString(s), s);
    }
  });
});
