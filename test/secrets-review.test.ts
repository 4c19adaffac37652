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
    // in JSON text, a member named as a token is too (as in a document; a paging token's name, `NextToken`, masks nothing)
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
    // the commands of a line, each one's first words read once
    ["'; curl -u a:' repeated", "; curl -u a:", "", ""],
    ["'sudo ' repeated before a curl command", "sudo ", "", "curl -u a:b"],
    ["a quote repeated in a curl command (a quoted command each)", "'", "curl -u a:", ""],
    ["' -Password \"' repeated", ' -Password "', "", ""],
    ["'https://aB1' repeated (a token as a URL's user)", "https://aB1", "", "@"],
    ["'a:\\\\' repeated (a JSON-escaped URL's scheme)", "a:\\\\", "", "/@"],
    ["'https:\\/\\/u:' repeated", "https:\\/\\/u:", "", "@"],
    ["'\"password\": 1' repeated", '"password": 1', "", ""],
    ["' -u \\\"a:' repeated in a curl command (escaped quotes)", ' -u \\"a:', "curl", ""],
    ["'\\\\' repeated in JSON text (a quote's backslashes)", "\\\\", '{"a": "', '", "b": "Password=x"}'],
    ['\'{"a": 1.50, "password": "x"}, \' repeated in a JSON array (spliced)', '{"a": 1.50, "password": "x"}, ', "[", "1]"],
    // an argv's option, then JSON text of an array: the outer array's tools are kept across the inner one's walk
    ['\'"-pX", "[\\"-x\\"]", \' repeated in a JSON array (an argv, JSON text of arrays in it)', '"-pX", "[\\"-x\\"]", ', "[", '"-pX"]'],
    // credentials as operands or tool options (aws configure set, openssl, kubectl, --value, net user, htpasswd, chpasswd)
    ["' configure set aws_session_token' repeated in an aws command", " configure set aws_session_token", "aws", " x"],
    ["' configure set a.' repeated", " configure set a.", "aws", "aws_secret_access_key x"],
    ["' -passin pass:' repeated in an openssl command", " -passin pass:", "openssl", ""],
    ["' -passin 'pass:' repeated in an openssl command", " -passin 'pass:", "openssl", ""],
    ["' --from-literal=a=' repeated in a kubectl secret", " --from-literal=a=", "kubectl create secret", ""],
    ["' --from-literal 'a=' repeated in a kubectl secret", " --from-literal 'a=", "kubectl create secret", ""],
    ["' --value' repeated in az keyvault secret set", " --value", "az keyvault secret set", " x"],
    ["' user a' repeated in a net command", " user a", "net", " x"],
    ["' -b a' repeated in an htpasswd command", " -b a", "htpasswd", " x"],
    ["'b' repeated in an htpasswd option", "b", "htpasswd -", " f u"],
    ["' -nb' repeated in an htpasswd command", " -nb", "htpasswd", " u"],
    ["'| chpasswd' repeated", "| chpasswd", "echo a:b ", ""],
    ["'a:b ' repeated before a chpasswd pipe", "a:b ", "echo ", "| chpasswd"],
    // a quote in a URL's userinfo, \u002f-escaped slashes, ConvertTo-SecureString's words, htpasswd's options, YAML lines
    ["\"a://b:'\" repeated (a quote in a URL's password)", "a://b:'", "", "@"],
    ["\"'a\" repeated in a URL's user", "'a", "https://", ":p@"],
    ["'https:\\u002f\\u002fu:' repeated", "https:\\u002f\\u002fu:", "", "@"],
    ["'\\' repeated in a URL's password", "\\", "https://u:", "@"],
    ["' ConvertTo-SecureString -ErrorAction' repeated", " ConvertTo-SecureString -ErrorAction", "", " x"],
    ["'| ConvertTo-SecureString ' repeated", "| ConvertTo-SecureString ", "'x' ", ""],
    ["' ' repeated before ConvertTo-SecureString", " ", "'x' |", "ConvertTo-SecureString -AsPlainText"],
    ["' -AsPlainText \"' repeated after ConvertTo-SecureString", ' -AsPlainText "', "ConvertTo-SecureString", ""],
    ["'htpasswd ' repeated", "htpasswd ", "", "-b f u x"],
    ["' -C' repeated in an htpasswd command", " -C", "htpasswd -b", " f u x"],
    ["'\\nsecret:' repeated (YAML lines)", "\nsecret:", "", " x"],
    ["'secret:' repeated on one line", "secret:", "a\n", " x"],
    ["',password' repeated (an object literal's names)", ",password", "{", ": 1"],
    ["'{ ' repeated before a number", "{ ", "", "apiKey: 1"],
    ["a quote escaped seven times, repeated after a password's name", '\\\\\\\\\\\\\\"', "password: ", ""],
    // a quote that never closes, each escaped by a shorter run of backslashes than the one before (descendingQuotes): an
    // unbounded escape let each be read to the line's end (quadratic), in every pattern that reads a quoted value
    ["openssl's ' -passin pass:' before quotes that never close", " ", `openssl${descendingQuotes(" -passin pass:")}`, ""],
    ["'ConvertTo-SecureString -String:' before quotes that never close", " ", descendingQuotes("ConvertTo-SecureString -String:"), ""],
    [
      "'ConvertTo-SecureString -AsPlainText ' before quotes that never close",
      " ",
      descendingQuotes("ConvertTo-SecureString -AsPlainText "),
      "",
    ],
    ["'htpasswd -b f u ' before quotes that never close", " ", descendingQuotes("htpasswd -b f u "), ""],
    ["net's ' user bob ' before quotes that never close", " ", `net${descendingQuotes(" user bob ")}`, ""],
    [
      "' --value ' before quotes that never close in az keyvault secret set",
      " ",
      `az keyvault secret set${descendingQuotes(" --value ")}`,
      "",
    ],
    [
      "kubectl's ' --from-literal=k=' before quotes that never close",
      " ",
      `kubectl create secret${descendingQuotes(" --from-literal=k=")}`,
      "",
    ],
    ["' --password ' before quotes that never close", " ", descendingQuotes(" --password "), ""],
    ["curl's ' -u a:' before quotes that never close", " ", `curl${descendingQuotes(" -u a:")}`, ""],
    ["curl's ' -b ' before quotes that never close", " ", `curl${descendingQuotes(" -b ")}`, ""],
    ["mysql's ' -p' before quotes that never close", " ", `mysql${descendingQuotes(" -p")}`, ""],
    ["docker login's ' -p ' before quotes that never close", " ", `docker login${descendingQuotes(" -p ")}`, ""],
    ["redis-cli's ' -a ' before quotes that never close", " ", `redis-cli${descendingQuotes(" -a ")}`, ""],
    ["sqlcmd's ' -P ' before quotes that never close", " ", `sqlcmd${descendingQuotes(" -P ")}`, ""],
    [
      "' configure set aws_secret_access_key ' before quotes that never close",
      " ",
      `aws${descendingQuotes(" configure set aws_secret_access_key ")}`,
      "",
    ],
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
      // an '@' in the password, then a '/': the authority ends at the '/' (RFC 3986, decided), so `ss` is its host
      ["https://user:p@ss/word@host.example/path", `https://user:${REDACTED}@ss/word@host.example/path`],
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
      // a URL's user only in a token's shape (here an Azure DevOps PAT: 52 characters of lower-case base32)
      [
        "git clone https://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst@dev.azure.com/o/p/_git/r",
        `git clone https://${REDACTED}@dev.azure.com/o/p/_git/r`,
      ],
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

/* A second hostile review: over-masking that hid what a user needs, and leaks. */

describe("a tool's short options only in a command that runs it", () => {
  it("docker's, ssh's, cp's and scp's -p/-P stay in a line that names login, mysql or sqlcmd elsewhere", () => {
    for (const s of [
      "docker run -d -p 8080:80 -e OIDC_ISSUER=https://login.microsoftonline.com/t/v2.0 web:1",
      "az login --identity && ssh -p 2222 azureuser@10.0.0.4",
      "apt-get install -y mysql-server && cp -pr /etc/mysql /backup",
      "sqlcmd -S s -i x.sql && scp -P 2222 f host:",
      "sqlcmd -S s -i x.sql; scp -P 2222 f host:",
      "curl -fsSL https://get.docker.com | sh && docker run -u 1000:1000 -p 80:80 img",
      "echo 'login ok' && iperf3 -c host -p 5201",
      "ssh -p 2222 -o LoginGraceTime=30 bastion",
    ]) {
      assert.equal(maskSecretsInString(s), s);
    }
  });

  it("the tool's own credential stays masked: first word, after sudo or a variable, a path, a quoted script, a later command", () => {
    const cases: Array<[string, string]> = [
      ["docker login -u u -p pw reg && docker run -d -p 80:80 img", `docker login -u u -p ${REDACTED} reg && docker run -d -p 80:80 img`],
      ["sudo /usr/bin/mysql -uroot -pS3cret db", `sudo /usr/bin/mysql -uroot -p${REDACTED} db`],
      ["MYSQL_HOST=db mysql -uroot -pS3cret", `MYSQL_HOST=db mysql -uroot -p${REDACTED}`],
      ["docker exec db mysql -uroot -pS3cret", `docker exec db mysql -uroot -p${REDACTED}`],
      ["cd /x && curl -u admin:S3cret https://x", `cd /x && curl -u admin:${REDACTED} https://x`],
      ['bash -c "curl -u admin:S3cret https://x"', `bash -c "curl -u admin:${REDACTED} https://x"`],
      ["az acr login -n reg -u u -p S3cret", `az acr login -n reg -u u -p ${REDACTED}`],
      ["docker login -u x -pS3cret registry.io", `docker login -u x -p${REDACTED} registry.io`],
      ["sqlcmd -S s -U sa -PS3cret", `sqlcmd -S s -U sa -P${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });

  it("PowerShell's -Password parameters are masked as --password is (Invoke-Sqlcmd is not sqlcmd: no -P[redacted]assword)", () => {
    const cases: Array<[string, string]> = [
      [
        "Invoke-Sqlcmd -ServerInstance s -Username sa -Password hunter2 -Query q",
        `Invoke-Sqlcmd -ServerInstance s -Username sa -Password ${REDACTED} -Query q`,
      ],
      ["New-AzVM -Name vm1 -AdminPassword 'Hunter 2'", `New-AzVM -Name vm1 -AdminPassword '${REDACTED}'`],
      ["Connect-Thing -ClientSecret:s3cret -Tenant t", `Connect-Thing -ClientSecret:${REDACTED} -Tenant t`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("secret-named options whose value is no secret", () => {
  it("a secret's id or name, a policy's length, a password file, a flag without a value stay", () => {
    for (const s of [
      "aws secretsmanager get-secret-value --secret-id prod/db/creds --query SecretString",
      "az keyvault secret show --secret-name x --vault-name kv",
      "aws iam update-account-password-policy --minimum-password-length 14",
      "asadmin --user admin --passwordfile /tmp/pw start-domain",
      "tool --password-file-path /x",
      "pg_dump --no-password mydb",
      "az vm create --disable-password-authentication true",
      "aws s3api list-objects-v2 --bucket b --starting-token eyJx",
    ]) {
      assert.equal(maskSecretsInString(s), s);
    }
  });
});

describe("a URL's user without a password", () => {
  it("stays unless it has a token's shape (an Azure DevOps organisation is the clone URL's user)", () => {
    for (const s of [
      "https://contoso-engineering-team@dev.azure.com/contoso-engineering-team/p/_git/r",
      "postgres://averyveryverylongusername1@db.example.com:5432/db",
    ]) {
      assert.equal(maskSecretsInString(s), s);
    }
    for (const user of [
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
      "glpat-abcdefghij0123456789",
      "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst",
      "0123456789abcdef0123456789abcdef01234567",
      "aB3dEfGhIjKlMnOpQrStUvWxYz012345",
    ]) {
      assert.equal(maskSecretsInString(`git clone https://${user}@host.example/r`), `git clone https://${REDACTED}@host.example/r`, user);
    }
  });
});

describe("a URL's password as RFC 3986 reads it", () => {
  it("the authority ends at the first / ? #, its userinfo at its last @", () => {
    const cases: Array<[string, string]> = [
      ["https://host:8443/path@v2/x", "https://host:8443/path@v2/x"],
      ["http://10.0.0.4:8080/health@probe", "http://10.0.0.4:8080/health@probe"],
      ["https://host:8443/@scope/pkg", "https://host:8443/@scope/pkg"],
      ["https://user:pw@grafana/d/abc@x", `https://user:${REDACTED}@grafana/d/abc@x`],
      ["https://user:p@ss@host/x", `https://user:${REDACTED}@host/x`],
      ["https://user:p@ss/word@host/path", `https://user:${REDACTED}@ss/word@host/path`],
      ["https://user:tok3n@localhost/@scope/x", `https://user:${REDACTED}@localhost/@scope/x`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("a member named as a token or an API key, in a document", () => {
  it("loses its string value (and each string of an array) in scanDocument and stripSecrets, as in JSON text", () => {
    const doc = {
      apiToken: "abc123",
      Variables: { GITHUB_TOKEN: "ghp_abc", API_KEY: "k1", PORT: "80" },
      keys: { apiKeys: ["k1", "k2"] },
      NextToken: "page-2",
      skipToken: "s",
      continuationToken: "c",
      pageToken: "p",
    };
    const expected = {
      apiToken: REDACTED,
      Variables: { GITHUB_TOKEN: REDACTED, API_KEY: REDACTED, PORT: "80" },
      keys: { apiKeys: ["k1", "k2"] },
      NextToken: "page-2",
      skipToken: "s",
      continuationToken: "c",
      pageToken: "p",
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    const arr = { apiKey: ["k1", "k2"] };
    assert.deepEqual(bothWays(arr).stripped, { apiKey: [REDACTED, REDACTED] });
    assert.deepEqual(bothWays(arr).scanned, { apiKey: [REDACTED, REDACTED] });
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(arr))), { apiKey: [REDACTED, REDACTED] });
  });

  it("a Resource Graph change of a tag that names a secret loses its previous and new values", () => {
    const doc = {
      changes: {
        "tags.github_token": { previousValue: "ghp_OLD", newValue: "ghp_NEW" },
        "tags.api_key": { previousValue: "k-old", newValue: "k-new" },
        "tags.env": { previousValue: "dev", newValue: "prod" },
        "properties.nextToken": { previousValue: "a", newValue: "b" },
      },
    };
    const expected = {
      changes: {
        "tags.github_token": { previousValue: REDACTED, newValue: REDACTED },
        "tags.api_key": { previousValue: REDACTED, newValue: REDACTED },
        "tags.env": { previousValue: "dev", newValue: "prod" },
        "properties.nextToken": { previousValue: "a", newValue: "b" },
      },
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("command-line credentials the first pass missed", () => {
  it("an option at the start or after a line break, grouped curl flags, quoted passwords, --token and key options", () => {
    const cases: Array<[string, string]> = [
      ["--admin-password hunter2 --name x", `--admin-password ${REDACTED} --name x`],
      ["az vm create \\\n--admin-password hunter2", `az vm create \\\n--admin-password ${REDACTED}`],
      ["curl -su admin:pw https://x", `curl -su admin:${REDACTED} https://x`],
      ["curl -u admin:'pw' https://x", `curl -u admin:'${REDACTED}' https://x`],
      ['curl --user "admin:pw 2" https://x', `curl --user "admin:${REDACTED}" https://x`],
      [
        "config.sh --url https://dev.azure.com/org --token abc123 --pool p",
        `config.sh --url https://dev.azure.com/org --token ${REDACTED} --pool p`,
      ],
      ["az storage blob upload --account-key Zm9vYmFy== -c c", `az storage blob upload --account-key ${REDACTED} -c c`],
      ["tool --api-key abc123", `tool --api-key ${REDACTED}`],
      ["tool --passwd hunter2", `tool --passwd ${REDACTED}`],
      ['x --admin-password \\"hunter2\\" y', `x --admin-password \\"${REDACTED}\\" y`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("an ARM output or parameter named as a key or a token", () => {
  it("{type, value} loses its value (type kept) in all three walkers; a password's is dropped, a connection string masked", () => {
    const doc = {
      properties: {
        outputs: {
          storageAccountKey: { type: "String", value: "abc==" },
          sasToken: { Type: "String", Value: "sv=2020&x" },
          adminPassword: { type: "SecureString", value: "x" },
          connectionString: { type: "String", value: "Server=db;Password=hunter2" },
          nextToken: { type: "String", value: "page-2" },
          location: { type: "String", value: "westeurope" },
        },
      },
    };
    const expected = {
      properties: {
        outputs: {
          storageAccountKey: { type: "String", value: REDACTED },
          sasToken: { Type: "String", Value: REDACTED },
          connectionString: { type: "String", value: `Server=db;Password=${REDACTED}` },
          nextToken: { type: "String", value: "page-2" },
          location: { type: "String", value: "westeurope" },
        },
      },
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    const text = JSON.parse(maskSecretsInString(JSON.stringify(doc)));
    assert.deepEqual(text, {
      properties: { outputs: { ...expected.properties.outputs, adminPassword: REDACTED } },
    });
  });
});

describe("an argv array's secret option", () => {
  it("the element after --password / --client-secret / --token / --api-key is masked in all three walkers; others stay", () => {
    const doc = {
      containers: [
        {
          args: ["--password", "hunter2", "--client-secret", "s3cr3t", "--token", "abc", "--api-key", "k", "--port", "8080"],
          command: ["app", "--password-file", "/run/pw", "--no-password", "--secret-id", "sid", "--password", "--verbose"],
        },
      ],
    };
    const expected = {
      containers: [
        {
          args: ["--password", REDACTED, "--client-secret", REDACTED, "--token", REDACTED, "--api-key", REDACTED, "--port", "8080"],
          command: ["app", "--password-file", "/run/pw", "--no-password", "--secret-id", "sid", "--password", "--verbose"],
        },
      ],
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("sshpass, redis-cli, --pass and an .npmrc's credentials", () => {
  it("only the value is masked, and only in the tool's command (ssh's -p PORT after sshpass stays)", () => {
    const cases: Array<[string, string]> = [
      ["sshpass -p hunter2 ssh admin@host uptime", `sshpass -p ${REDACTED} ssh admin@host uptime`],
      ["sshpass -p 'hunter 2' ssh -p 2222 host", `sshpass -p '${REDACTED}' ssh -p 2222 host`],
      ["sudo /usr/bin/sshpass -phunter2 scp f host:", `sudo /usr/bin/sshpass -p${REDACTED} scp f host:`],
      ["redis-cli -h cache -a s3cr3t ping", `redis-cli -h cache -a ${REDACTED} ping`],
      ["tool --pass hunter2 -v", `tool --pass ${REDACTED} -v`],
      ["tool --pass=hunter2", `tool --pass=${REDACTED}`],
      ["//registry.npmjs.org/:_authToken=npm_abc", `//registry.npmjs.org/:_authToken=${REDACTED}`],
      ["//registry.npmjs.org/:_auth=dXNlcjpwYXNz", `//registry.npmjs.org/:_auth=${REDACTED}`],
      ["//pkgs.example.com/npm/:_password=cGFzcw==", `//pkgs.example.com/npm/:_password=${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "ssh -p 2222 host",
      "docker run -a stdout nginx",
      "tar -a -cf x.tgz dir && sshpass -f pwfile ssh -p 22 h",
      "tool --passphrase-file f --pass-through x",
      "skip_auth=true",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const doc = { command: ["redis-cli", "--pass", "s3cr3t"], npmrc: "//r/:_auth=dXNlcjpwYXNz" };
    const expected = { command: ["redis-cli", "--pass", REDACTED], npmrc: `//r/:_auth=${REDACTED}` };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

/* A third review: known leaks and over-masks. */

describe("a URL's password in JSON-escaped text (https:\\/\\/…)", () => {
  it("is masked as in https://user:pw@host/x, in a script or cut JSON text; a host and a path stay", () => {
    const cases: Array<[string, string]> = [
      ["https:\\/\\/user:pw@host/x", `https:\\/\\/user:${REDACTED}@host/x`],
      [
        'echo "{\\"url\\":\\"https:\\/\\/deploy:S3cret@git.example.com\\/app\\"}"',
        `echo "{\\"url\\":\\"https:\\/\\/deploy:${REDACTED}@git.example.com\\/app\\"}"`,
      ],
      // JSON text in JSON text: its slashes escaped twice (`\\\/`)
      ['{"a": "x \\"https:\\\\\\/\\\\\\/u:pw@h\\\\\\/p\\"', `{"a": "x \\"https:\\\\\\/\\\\\\/u:${REDACTED}@h\\\\\\/p\\"`],
      [
        "git clone https:\\/\\/ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com\\/o\\/r",
        `git clone https:\\/\\/${REDACTED}@github.com\\/o\\/r`,
      ],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "https:\\/\\/host:8443\\/path@v2 x",
      "https:\\/\\/alice@host.example\\/x y",
      "https:\\/\\/host.example\\/@scope\\/pkg z",
    ]) {
      assert.equal(maskSecretsInString(s), s);
    }
  });
});

describe("a secret written as a number", () => {
  it("a secret-named member's number is masked as its string would be, in all three walkers; a boolean stays", () => {
    const doc = {
      env: [
        { name: "DB_PASSWORD", value: 1234 },
        { name: "API_KEY", value: 987654 },
        { name: "REQUIRE_PASSWORD", value: true },
        { name: "PORT", value: 8080 },
      ],
      outputs: { storageAccountKey: { type: "securestring", value: 42 }, port: { type: "int", value: 443 } },
      settings: { apiKey: 555, apiTokens: 3, "x-api-key": 777, keys: { apiKey: [11, "k"] }, nextToken: 2, timeout: 30 },
      changes: { "tags.github_token": { previousValue: 1, newValue: 2 } },
    };
    const expected = {
      env: [
        { name: "DB_PASSWORD", value: REDACTED },
        { name: "API_KEY", value: REDACTED },
        { name: "REQUIRE_PASSWORD", value: true },
        { name: "PORT", value: 8080 },
      ],
      outputs: { storageAccountKey: { type: "securestring", value: REDACTED }, port: { type: "int", value: 443 } },
      settings: {
        apiKey: REDACTED,
        apiTokens: 3,
        "x-api-key": REDACTED,
        keys: { apiKey: [REDACTED, REDACTED] },
        nextToken: 2,
        timeout: 30,
      },
      changes: { "tags.github_token": { previousValue: REDACTED, newValue: REDACTED } },
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    // each masked number counts as one masked value, as a string does
    assert.equal(stripSecrets(structuredClone(doc)), 9);
  });

  it("in text that is no JSON document (a script, JSON text cut short, escaped quotes): the number, as a JSON string", () => {
    const cases: Array<[string, string]> = [
      [`echo '{"adminPassword": 20241203}' > /etc/app.json`, `echo '{"adminPassword": "${REDACTED}"}' > /etc/app.json`],
      ['{"password": 123456, "user": "x"', `{"password": "${REDACTED}", "user": "x"`],
      ['x {\\"apiKey\\": 4.2e1} y', `x {\\"apiKey\\": \\"${REDACTED}\\"} y`],
      [
        'cat <<EOF\n{"db_pwd": -5,\n "nextToken": 7, "requirePassword": true}',
        `cat <<EOF\n{"db_pwd": "${REDACTED}",\n "nextToken": 7, "requirePassword": true}`,
      ],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("an argv array's single-dash credential options", () => {
  it("PowerShell's -Password and a tool's short option (in a command of that tool) lose their value in all three walkers", () => {
    const doc = {
      a: ["Connect-Thing", "-Password", "x", "-ClientSecret", "y", "-Name", "n"],
      b: ["docker", "login", "-u", "u", "-p", "pw", "registry.example.com"],
      c: ["mysql", "-uroot", "-pS3cret", "db"],
      d: ["sqlcmd", "-S", "s", "-U", "sa", "-P", "pw"],
      e: ["redis-cli", "-h", "cache", "-a", "pw", "ping"],
      f: ["curl", "-u", "admin:pw", "https://x"],
      g: ["sudo", "/usr/bin/sshpass", "-p", "pw", "ssh", "-p", "2222", "host"],
      h: ["docker", "exec", "db", "mysql", "-pS3cret"],
      i: ["sqlcmd", "-PS3cret"],
      j: ["tool", "--password", 1234],
      k: ["curl", "-b", "sid=abc", "-b", "cookies.txt", "--user=admin:pw", "https://x"],
    };
    const expected = {
      a: ["Connect-Thing", "-Password", REDACTED, "-ClientSecret", REDACTED, "-Name", "n"],
      b: ["docker", "login", "-u", "u", "-p", REDACTED, "registry.example.com"],
      c: ["mysql", "-uroot", `-p${REDACTED}`, "db"],
      d: ["sqlcmd", "-S", "s", "-U", "sa", "-P", REDACTED],
      e: ["redis-cli", "-h", "cache", "-a", REDACTED, "ping"],
      f: ["curl", "-u", `admin:${REDACTED}`, "https://x"],
      g: ["sudo", "/usr/bin/sshpass", "-p", REDACTED, "ssh", "-p", "2222", "host"],
      h: ["docker", "exec", "db", "mysql", `-p${REDACTED}`],
      i: ["sqlcmd", `-P${REDACTED}`],
      j: ["tool", "--password", REDACTED],
      k: ["curl", "-b", REDACTED, "-b", "cookies.txt", `--user=admin:${REDACTED}`, "https://x"],
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    // an argv as JSON text of its own
    assert.equal(maskSecretsInString('["mysql","-pS3cret"]'), `["mysql","-p${REDACTED}"]`);
  });

  it("other tools' options, and mysql's -p without a value (its next word is the database), stay", () => {
    const doc = {
      a: ["mysql", "-u", "root", "-p", "db"],
      b: ["docker", "run", "-u", "1000:1000", "-p", "8080:80", "img"],
      c: ["ssh", "-p", "2222", "host"],
      d: ["cp", "mysql", "-pr", "backup/"],
      e: ["Invoke-Sqlcmd", "-PacketSize", "4096", "-Query", "q"],
      f: ["curl", "-u", "admin", "https://x"],
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, doc);
    assert.deepEqual(scanned, doc);
    // the same, as a login command (masked) in the same document: only its own value goes
    const mixed = { a: ["docker", "login", "-p", "pw"], b: ["ssh", "-p", "2222", "host"] };
    const m = { a: ["docker", "login", "-p", REDACTED], b: ["ssh", "-p", "2222", "host"] };
    assert.deepEqual(bothWays(mixed).scanned, m);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(mixed))), m);
  });
});

describe("a command line's credential in escaped quotes", () => {
  it('curl -u \\"admin:pw\\" and other quoted option values escaped as a script or JSON text writes them', () => {
    const cases: Array<[string, string]> = [
      ['curl -u \\"admin:pw\\" https://x', `curl -u \\"admin:${REDACTED}\\" https://x`],
      ['bash -c "curl -s -u \\"admin:pw 2\\" https://x"', `bash -c "curl -s -u \\"admin:${REDACTED}\\" https://x"`],
      ['curl --user \\"admin:pw\\" https://x', `curl --user \\"admin:${REDACTED}\\" https://x`],
      ['curl -u admin:\\"pw\\" https://x', `curl -u admin:\\"${REDACTED}\\" https://x`],
      ['curl -b \\"sid=abc123\\" https://x', `curl -b \\"${REDACTED}\\" https://x`],
      ['docker login -u x -p \\"S3cret\\" registry.io', `docker login -u x -p \\"${REDACTED}\\" registry.io`],
      ['sqlcmd -S s -P \\"S3cret\\"', `sqlcmd -S s -P \\"${REDACTED}\\"`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("a tool is the command's first word, not an argument", () => {
  it("an argument named as a tool (of cp, tar: commands that run none) makes no command of it: its flags stay", () => {
    for (const s of [
      "cp mysql -pr backup/",
      "cp -pr mysql backup/",
      "tar -C mysql -pcf mysql.tar .",
      "cd /srv && cp mysql -pr /backup && ls",
      "install -d mysql -pv && systemctl restart mysql",
    ]) {
      assert.equal(maskSecretsInString(s), s);
    }
    // a command run by another (docker exec, kubectl exec, ssh, timeout), or after a word that is no command, is still
    // its tool's: the same line masks it after a command of cp's kind
    const cases: Array<[string, string]> = [
      ["cp mysql -pr /b && docker exec -it db mysql -uroot -pS3cret", `cp mysql -pr /b && docker exec -it db mysql -uroot -p${REDACTED}`],
      [
        "tar -C mysql -pcf x . ; kubectl exec -it db-0 -- mysql -pS3cret",
        `tar -C mysql -pcf x . ; kubectl exec -it db-0 -- mysql -p${REDACTED}`,
      ],
      ["ssh admin@db mysql -pS3cret -e 'select 1'", `ssh admin@db mysql -p${REDACTED} -e 'select 1'`],
      ["timeout 5 curl -u admin:pw https://x", `timeout 5 curl -u admin:${REDACTED} https://x`],
      ["env A=1 sudo -u mysql mysql -pS3cret", `env A=1 sudo -u mysql mysql -p${REDACTED}`],
      ["# az login -u app -p S3cret", `# az login -u app -p ${REDACTED}`],
      // a value that is no cluster of flags is masked still, whatever the command (a leak costs more)
      ["rm mysql -uroot -pS3cret app", `rm mysql -uroot -p${REDACTED} app`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("JSON text with a masked value keeps all else as written", () => {
  it("numbers, spaces, key order and escapes stay byte for byte; only the masked value's text changes", () => {
    const cases: Array<[string, string]> = [
      ['{"a": 1.50, "b": 1e3, "password": "x"}', `{"a": 1.50, "b": 1e3, "password": "${REDACTED}"}`],
      [
        '{\n  "z": -0.0,\n  "conn": "Server=db;Password=hunter2",\n  "e": 1E+2\n}',
        `{\n  "z": -0.0,\n  "conn": "Server=db;Password=${REDACTED}",\n  "e": 1E+2\n}`,
      ],
      // integer-like keys come first in a parsed object: the text's order stays
      ['{"b":1,"10":2,"c":["--password", "x"],"1":3}', `{"b":1,"10":2,"c":["--password", "${REDACTED}"],"1":3}`],
      [
        '{"caf\\u00e9": "\\u00e9\\/", "apiKey": 12.0, "t": [true, null]}',
        `{"caf\\u00e9": "\\u00e9\\/", "apiKey": "${REDACTED}", "t": [true, null]}`,
      ],
      // an object masked whole, then the rest
      ['{"osProfile": {"adminPassword": "x", "n": [1, {"m": 2}]}, "n": 2.50}', `{"osProfile": "${REDACTED}", "n": 2.50}`],
      // a masked key, and JSON text in a string (its own layout kept inside)
      [
        '{"Password=x": 1.0, "inner": "{\\"password\\": \\"y\\", \\"n\\": 1.50}"}',
        `{"Password=${REDACTED}": 1.0, "inner": "{\\"password\\": \\"${REDACTED}\\", \\"n\\": 1.50}"}`,
      ],
      ['  "Password=x"  ', `  "Password=${REDACTED}"  `],
    ];
    for (const [s, expected] of cases) {
      const out = maskSecretsInString(s);
      assert.equal(out, expected, s);
      JSON.parse(out);
    }
  });

  it("where the text cannot keep its layout (a masked key meets another, a key repeats), it stays valid JSON without the secret", () => {
    const clash = maskSecretsInString(`{"Password=x": 1, "Password=${REDACTED}": 2, "n": 1.50}`);
    assert.deepEqual(JSON.parse(clash), { [`Password=${REDACTED}`]: 1, n: 1.5 });
    const repeated = maskSecretsInString('{"password": "x", "a": 1.50, "password": "y"}');
    assert.deepEqual(JSON.parse(repeated), { password: REDACTED, a: 1.5 });
    assert.ok(!repeated.includes('"x"') && !repeated.includes('"y"'), repeated);
    // nothing masked in what the parse holds: the earlier value of a repeated key is no less gone
    for (const s of [
      '{"a": "Password=x", "a": "y"}',
      '{"conn": {"url": "https://u:pw@h/"}, "conn": 1}',
      '[{"password": "x", "password": true}]',
    ]) {
      const out = maskSecretsInString(s);
      JSON.parse(out);
      assert.ok(!/Password=x|:pw@|"x"/.test(out), out);
    }
    // a string that starts with a colon is no member: the text stays as written
    assert.equal(maskSecretsInString('{"a": ": x", "b": "y", "c": "="}'), '{"a": ": x", "b": "y", "c": "="}');
  });
});

describe("a login tool's subcommand, a command that runs another, PowerShell's booleans", () => {
  it("login is a subcommand only straight after its tool or its group: a container named login keeps its port", () => {
    const kept = ["docker", "run", "-d", "--name", "login", "-p", "8080:80", "login-svc"];
    for (const s of [kept.join(" "), "podman run --name login -p 8080:80 img", "docker run -d -p 8080:80 contoso/login"]) {
      assert.equal(maskSecretsInString(s), s);
    }
    const doc = { args: [...kept] };
    stripSecrets(doc);
    assert.deepEqual(doc.args, kept);
    assert.equal(maskSecretsInString(JSON.stringify(kept)), JSON.stringify(kept));
    const cases: Array<[string, string]> = [
      ["helm registry login r.io -u u -p S3cret", `helm registry login r.io -u u -p ${REDACTED}`],
      ["az acr login -n reg -p S3cret", `az acr login -n reg -p ${REDACTED}`],
      ["podman login -p S3cret r.io", `podman login -p ${REDACTED} r.io`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    const argv = { a: ["helm", "registry", "login", "r.io", "-p", "S3cret"], b: ["docker", "login", "-pS3cret"] };
    stripSecrets(argv);
    assert.deepEqual(argv, { a: ["helm", "registry", "login", "r.io", "-p", REDACTED], b: ["docker", "login", `-p${REDACTED}`] });
  });

  it("npm runs commands (npm exec): a tool's credential after it is masked, in a line and in an argv", () => {
    assert.equal(maskSecretsInString("npm exec -- mysql -uroot -pxyz"), `npm exec -- mysql -uroot -p${REDACTED}`);
    const doc = { args: ["npm", "exec", "--", "mysql", "-uroot", "-pxyz"] };
    stripSecrets(doc);
    assert.deepEqual(doc.args, ["npm", "exec", "--", "mysql", "-uroot", `-p${REDACTED}`]);
  });

  it("a PowerShell secret parameter's boolean value stays (a setting); any other value is masked", () => {
    const doc = { a: ["Set-X", "-RequirePassword", "true"], b: ["Set-X", "-Password", "S3cret"], c: ["Set-X", "-ClientSecret", "$false"] };
    stripSecrets(doc);
    assert.deepEqual(doc, {
      a: ["Set-X", "-RequirePassword", "true"],
      b: ["Set-X", "-Password", REDACTED],
      c: ["Set-X", "-ClientSecret", "$false"],
    });
    assert.equal(
      maskSecretsInString("Set-X -RequirePassword $true -Password S3cret"),
      `Set-X -RequirePassword $true -Password ${REDACTED}`,
    );
  });
});

describe("a login tool's global options before its login", () => {
  it("an option and its value between the tool and login keep the tool waiting; a bare word drops it", () => {
    const cases: Array<[string, string]> = [
      ["docker --config /tmp/x login -u bob -p hunter2 reg.io", `docker --config /tmp/x login -u bob -p ${REDACTED} reg.io`],
      ["docker -H tcp://h:2375 login -u bob -p hunter2", `docker -H tcp://h:2375 login -u bob -p ${REDACTED}`],
      ["docker --context prod login -p hunter2", `docker --context prod login -p ${REDACTED}`],
      ["az --debug acr login -n reg -p hunter2", `az --debug acr login -n reg -p ${REDACTED}`],
      ["helm --debug registry login reg.io -u bob -p hunter2", `helm --debug registry login reg.io -u bob -p ${REDACTED}`],
      ["docker --config=/x login -p hunter2", `docker --config=/x login -p ${REDACTED}`],
      // the bare word (`run`) drops the tool: `-p` is a port
      ["docker run --name login -p 8080:80", "docker run --name login -p 8080:80"],
      ["docker --config /x run -p 8080:80 img", "docker --config /x run -p 8080:80 img"],
      ["docker --config=/x run --name login -p 8080:80 img", "docker --config=/x run --name login -p 8080:80 img"],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });

  it("the same in an argv, and in a command line that an argv runs", () => {
    const doc = {
      a: ["docker", "--config", "/x", "login", "-u", "bob", "-p", "hunter2"],
      b: ["sh", "-c", "docker --config /x login -p hunter2"],
      c: ["docker", "--config", "/x", "run", "-p", "8080:80", "img"],
      d: ["docker", "run", "--name", "login", "-p", "8080:80"],
    };
    const expected = {
      a: ["docker", "--config", "/x", "login", "-u", "bob", "-p", REDACTED],
      b: ["sh", "-c", `docker --config /x login -p ${REDACTED}`],
      c: ["docker", "--config", "/x", "run", "-p", "8080:80", "img"],
      d: ["docker", "run", "--name", "login", "-p", "8080:80"],
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.equal(maskSecretsInString(JSON.stringify(doc)), JSON.stringify(expected));
  });
});

describe("credentials as a tool's operands and subcommand options", () => {
  it("each is masked in a command of its tool; the tool's ordinary lines stay as written", () => {
    const cases: Array<[string, string]> = [
      [
        "aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        `aws configure set aws_secret_access_key ${REDACTED}`,
      ],
      ["aws configure set aws_session_token IQoJb3JpZ2luX2VjEXAMPLE", `aws configure set aws_session_token ${REDACTED}`],
      ["aws configure set profile.dev.aws_secret_access_key 'a b'", `aws configure set profile.dev.aws_secret_access_key '${REDACTED}'`],
      [
        "openssl pkcs12 -export -in c.pem -passout pass:S3cret -out c.p12",
        `openssl pkcs12 -export -in c.pem -passout pass:${REDACTED} -out c.p12`,
      ],
      ["openssl rsa -in k.pem -passin pass:S3cret", `openssl rsa -in k.pem -passin pass:${REDACTED}`],
      ["openssl enc -aes256 -pass pass:S3cret -in x", `openssl enc -aes256 -pass pass:${REDACTED} -in x`],
      ["openssl rsa -in k.pem -passin 'pass:S3 cret'", `openssl rsa -in k.pem -passin 'pass:${REDACTED}'`],
      [
        "kubectl create secret generic db --from-literal=password=S3cret --from-literal=user=app",
        `kubectl create secret generic db --from-literal=password=${REDACTED} --from-literal=user=${REDACTED}`,
      ],
      ["kubectl create secret generic db --from-literal 'k=a b'", `kubectl create secret generic db --from-literal 'k=${REDACTED}'`],
      [
        "az keyvault secret set --vault-name v --name db --value S3cret",
        `az keyvault secret set --vault-name v --name db --value ${REDACTED}`,
      ],
      [
        "aws ssm put-parameter --name /db/pw --type SecureString --value S3cret",
        `aws ssm put-parameter --name /db/pw --type SecureString --value ${REDACTED}`,
      ],
      ["net user admin S3cret /add", `net user admin ${REDACTED} /add`],
      ['NET USER admin "S3 cret" /add', `NET USER admin "${REDACTED}" /add`],
      ["htpasswd -b file user S3cret", `htpasswd -b file user ${REDACTED}`],
      ["htpasswd -bc /etc/nginx/.htpasswd user S3cret", `htpasswd -bc /etc/nginx/.htpasswd user ${REDACTED}`],
      ["htpasswd -nb user S3cret", `htpasswd -nb user ${REDACTED}`],
      ["echo 'app:S3cret' | chpasswd", `echo 'app:${REDACTED}' | chpasswd`],
      ['echo "root:S3cret" | sudo chpasswd', `echo "root:${REDACTED}" | sudo chpasswd`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    // in a document's string too (a VM's customData script, a run command's script)
    const doc = { script: "set -e\nnet user admin S3cret /add\necho 'app:S3cret' | chpasswd" };
    const expected = { script: `set -e\nnet user admin ${REDACTED} /add\necho 'app:${REDACTED}' | chpasswd` };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
  });

  it("ordinary lines of the same tools are kept", () => {
    for (const s of [
      "aws configure set region us-east-1",
      "aws ssm get-parameter --name /db/pw",
      "openssl x509 -in c.pem -noout",
      "openssl rsa -passin file:/x -passout env:VAR -pass stdin",
      "kubectl create configmap x --from-literal=a=b",
      "az keyvault secret show --name db",
      "az appconfig kv set --key a --value b",
      "net user admin",
      "net user admin /add",
      "net user admin *",
      "htpasswd -c file user",
      "echo 'app:S3cret' > /tmp/x",
      "curl --value x -b a b c",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

describe("a container spec's argv split in two arrays (Kubernetes command and args, ECS entryPoint and command)", () => {
  it("the arguments are read as the rest of the command's argv, in all three walkers; other tools' options stay", () => {
    const doc = {
      containers: [
        { name: "db", command: ["mysql"], args: ["-pS3cret", "db"] },
        { name: "login", command: ["docker", "login", "-p"], args: ["S3cret", "registry.example.com"] },
        { name: "admin", command: ["net"], args: ["user", "bob", "S3cret", "/add"] },
        { name: "ssh", command: ["ssh"], args: ["-p", "2222", "host"] },
        { name: "ask", command: ["mysql"], args: ["-p", "db"] },
        { name: "alone", args: ["-pS3cret"] },
      ],
      containerDefinitions: [
        { name: "db", entryPoint: ["mysql"], command: ["-pS3cret"] },
        { name: "web", entryPoint: ["docker"], command: ["run", "-p", "8080:80", "img"] },
        { name: "redis", entryPoint: ["/usr/bin/redis-cli"], command: ["-a", "S3cret", "ping"] },
      ],
    };
    const expected = {
      containers: [
        { name: "db", command: ["mysql"], args: [`-p${REDACTED}`, "db"] },
        { name: "login", command: ["docker", "login", "-p"], args: [REDACTED, "registry.example.com"] },
        { name: "admin", command: ["net"], args: ["user", "bob", REDACTED, "/add"] },
        { name: "ssh", command: ["ssh"], args: ["-p", "2222", "host"] },
        { name: "ask", command: ["mysql"], args: ["-p", "db"] },
        // no command: no tool, so no tool's option
        { name: "alone", args: ["-pS3cret"] },
      ],
      containerDefinitions: [
        { name: "db", entryPoint: ["mysql"], command: [`-p${REDACTED}`] },
        { name: "web", entryPoint: ["docker"], command: ["run", "-p", "8080:80", "img"] },
        { name: "redis", entryPoint: ["/usr/bin/redis-cli"], command: ["-a", REDACTED, "ping"] },
      ],
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("a secret-named number in a Python dict, an object literal, or JSON text escaped twice", () => {
  it("is masked as the same shape's string is (quoted as the name is); a boolean, a count and a paging token stay", () => {
    const bs = "\\";
    // `\\\"`: JSON text in a JSON string, in text that is no JSON (a script's payload)
    const q3 = `${bs.repeat(3)}"`;
    const cases: Array<[string, string]> = [
      ["{'password': 1234}", `{'password': '${REDACTED}'}`],
      ["{'password': 'abc'}", `{'password': '${REDACTED}'}`],
      ["print({'db_password': 1234, 'port': 5432})", `print({'db_password': '${REDACTED}', 'port': 5432})`],
      ["x = {'apiKey': 42}", `x = {'apiKey': '${REDACTED}'}`],
      // an unquoted name: a password's takes any value, as before; any secret's name takes a number in an object literal
      ["{password: 1234}", `{password: ${REDACTED}`],
      ["{password: abc}", `{password: ${REDACTED}`],
      ["const c = { apiKey: 42, port: 80 }", `const c = { apiKey: "${REDACTED}", port: 80 }`],
      ["{ clientSecret: 'x' }", `{ clientSecret: '${REDACTED}' }`],
      ["{ clientSecret: 42 }", `{ clientSecret: "${REDACTED}" }`],
      [`{${bs}"password${bs}": 1234}`, `{${bs}"password${bs}": ${bs}"${REDACTED}${bs}"}`],
      [`x {${q3}password${q3}: 1234} y`, `x {${q3}password${q3}: ${q3}${REDACTED}${q3}} y`],
      [`x {${q3}password${q3}: ${q3}abc${q3}} y`, `x {${q3}password${q3}: ${q3}${REDACTED}${q3}} y`],
      [`x {${q3}apiKey${q3}: 42} y`, `x {${q3}apiKey${q3}: ${q3}${REDACTED}${q3}} y`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "{'requirePassword': True, 'maxTokens': 5}",
      "{maxTokens: 5, 'nextToken': 7}",
      "{passwordLength: 12}",
      "{a: 1, b: 2}",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

describe("secret names the key-name matcher missed", () => {
  it("adminPasswordOrKey, storage keys, shared access and pre-shared keys lose their value; a key's name, id or public half stays", () => {
    const doc = {
      parameters: { adminPasswordOrKey: { value: "S3cret!" }, adminUsername: { value: "azureuser" } },
      outputs: { storageKey: { type: "String", value: "a2V5" } },
      settings: {
        STORAGE_KEY: "a2V5",
        AZURE_STORAGE_KEY: "a2V5",
        storageAccountKey: "a2V5",
        ACCOUNT_KEY: "a2V5",
        primaryKey: "a2V5",
        secondaryKey: "a2V5",
        sharedKey: "psk",
        keyName: "key1",
        keyVaultId: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
        sshPublicKeys: [{ keyData: "ssh-rsa AAAAB3Nza", path: "/home/azureuser/.ssh/authorized_keys" }],
        publicKey: "ssh-ed25519 AAAAC3Nza",
      },
      TunnelOptions: [{ OutsideIpAddress: "203.0.113.1", PreSharedKey: "psk" }],
      env: [
        { name: "AZURE_STORAGE_KEY", value: "a2V5" },
        { name: "STORAGE_ACCOUNT_NAME", value: "acct" },
      ],
    };
    const expected = {
      parameters: { adminUsername: { value: "azureuser" } },
      outputs: { storageKey: { type: "String", value: REDACTED } },
      settings: {
        STORAGE_KEY: REDACTED,
        AZURE_STORAGE_KEY: REDACTED,
        storageAccountKey: REDACTED,
        ACCOUNT_KEY: REDACTED,
        primaryKey: REDACTED,
        secondaryKey: REDACTED,
        sharedKey: REDACTED,
        keyName: "key1",
        keyVaultId: doc.settings.keyVaultId,
        sshPublicKeys: doc.settings.sshPublicKeys,
        publicKey: "ssh-ed25519 AAAAC3Nza",
      },
      TunnelOptions: [{ OutsideIpAddress: "203.0.113.1", PreSharedKey: REDACTED }],
      env: [
        { name: "AZURE_STORAGE_KEY", value: REDACTED },
        { name: "STORAGE_ACCOUNT_NAME", value: "acct" },
      ],
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    // in JSON text a password's member is masked, not removed (as adminPassword's is)
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), {
      ...expected,
      parameters: { adminPasswordOrKey: REDACTED, adminUsername: { value: "azureuser" } },
    });
    for (const [s, masked] of [
      ["AZURE_STORAGE_KEY=a2V5 az storage blob list", `AZURE_STORAGE_KEY=${REDACTED} az storage blob list`],
      ["export STORAGE_KEY=a2V5", `export STORAGE_KEY=${REDACTED}`],
      ["--parameters adminPasswordOrKey=S3cret!", `--parameters adminPasswordOrKey=${REDACTED}`],
    ]) {
      assert.equal(maskSecretsInString(s as string), masked, s);
    }
  });

  it("an unquoted YAML line of a secret's name loses its value; a boolean, a secret's name and prose stay", () => {
    const cases: Array<[string, string]> = [
      ["clientSecret: abc123", `clientSecret: ${REDACTED}`],
      ["auth:\n  client_secret: abc123\n  tenant: t", `auth:\n  client_secret: ${REDACTED}\n  tenant: t`],
      ["- secret: abc123", `- secret: ${REDACTED}`],
      ["adminPasswordOrKey: S3cret", `adminPasswordOrKey: ${REDACTED}`],
      // already masked: a password's name takes any value
      ["password: abc123", `password: ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "createSecret: true",
      "kind: Secret\nsecretName: tls-cert",
      "note: rotate the secret: see the runbook",
      "secret: null",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

describe("credentials as a tool's operands and subcommand options, in an argv", () => {
  it("each argv form is masked as its command line is, in all three walkers; the tools' ordinary argvs stay", () => {
    const doc = {
      a: ["aws", "configure", "set", "aws_secret_access_key", "S3cret"],
      b: ["openssl", "pkcs12", "-export", "-in", "c.pem", "-passin", "pass:S3cret"],
      c: ["kubectl", "create", "secret", "generic", "n", "--from-literal=k=S3cret", "--from-literal", "u=S3cret"],
      d: ["az", "keyvault", "secret", "set", "--name", "db", "--value", "S3cret"],
      e: ["aws", "ssm", "put-parameter", "--name", "/db/pw", "--value=S3cret"],
      f: ["net", "user", "bob", "S3cret", "/add"],
      g: ["htpasswd", "-b", "f", "bob", "S3cret"],
      h: ["htpasswd", "-nb", "bob", "S3cret"],
      i: ["net", "user", "bob", 1234],
    };
    const expected = {
      a: ["aws", "configure", "set", "aws_secret_access_key", REDACTED],
      b: ["openssl", "pkcs12", "-export", "-in", "c.pem", "-passin", `pass:${REDACTED}`],
      c: ["kubectl", "create", "secret", "generic", "n", `--from-literal=k=${REDACTED}`, "--from-literal", `u=${REDACTED}`],
      d: ["az", "keyvault", "secret", "set", "--name", "db", "--value", REDACTED],
      e: ["aws", "ssm", "put-parameter", "--name", "/db/pw", `--value=${REDACTED}`],
      f: ["net", "user", "bob", REDACTED, "/add"],
      g: ["htpasswd", "-b", "f", "bob", REDACTED],
      h: ["htpasswd", "-nb", "bob", REDACTED],
      i: ["net", "user", "bob", REDACTED],
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    // an argv as JSON text of its own, no option in it
    assert.equal(maskSecretsInString('["net","user","bob","S3cret"]'), `["net","user","bob","${REDACTED}"]`);
    assert.equal(
      maskSecretsInString('["aws","configure","set","aws_secret_access_key","S3cret"]'),
      `["aws","configure","set","aws_secret_access_key","${REDACTED}"]`,
    );
    const kept = {
      a: ["aws", "configure", "set", "region", "us-east-1"],
      b: ["openssl", "rsa", "-passin", "file:/run/pw", "-passout", "env:PW"],
      c: ["kubectl", "create", "secret", "generic", "n", "--from-file=x"],
      d: ["kubectl", "create", "configmap", "c", "--from-literal=a=b"],
      e: ["az", "appconfig", "kv", "set", "--key", "a", "--value", "b"],
      f: ["net", "user", "bob"],
      g: ["net", "user", "bob", "/add"],
      h: ["net", "user", "bob", "*"],
      i: ["htpasswd", "-D", "f", "bob"],
      j: ["htpasswd", "-c", "f", "bob"],
      k: ["aws", "ssm", "get-parameter", "--name", "/db/pw"],
      l: ["tcp", "udp", "set", "x", "y"],
    };
    assert.deepEqual(bothWays(kept).stripped, kept);
    assert.deepEqual(bothWays(kept).scanned, kept);
    assert.equal(maskSecretsInString(JSON.stringify(kept)), JSON.stringify(kept));
  });
});

describe("PowerShell's ConvertTo-SecureString", () => {
  it("its plain text is masked in any argument order (named, positional after the switches, attached, piped in)", () => {
    const cases: Array<[string, string]> = [
      ["ConvertTo-SecureString 'S3cret' -AsPlainText -Force", `ConvertTo-SecureString '${REDACTED}' -AsPlainText -Force`],
      ["ConvertTo-SecureString -AsPlainText -Force -String 'S3cret'", `ConvertTo-SecureString -AsPlainText -Force -String '${REDACTED}'`],
      ["ConvertTo-SecureString -Force -AsPlainText 'S3cret'", `ConvertTo-SecureString -Force -AsPlainText '${REDACTED}'`],
      ['$p = ConvertTo-SecureString -AsPlainText -Force "S3 cret"', `$p = ConvertTo-SecureString -AsPlainText -Force "${REDACTED}"`],
      ["ConvertTo-SecureString -String:S3cret -AsPlainText", `ConvertTo-SecureString -String:${REDACTED} -AsPlainText`],
      [
        "ConvertTo-SecureString -AsPlainText -ErrorAction Stop -Force S3cret",
        `ConvertTo-SecureString -AsPlainText -ErrorAction Stop -Force ${REDACTED}`,
      ],
      [
        "$c = New-Object PSCredential('u', (ConvertTo-SecureString -AsPlainText -Force 'S3cret'))",
        `$c = New-Object PSCredential('u', (ConvertTo-SecureString -AsPlainText -Force '${REDACTED}'))`,
      ],
      ["'S3cret' | ConvertTo-SecureString -AsPlainText -Force", `'${REDACTED}' | ConvertTo-SecureString -AsPlainText -Force`],
      [
        '{\\"script\\": \\"ConvertTo-SecureString -AsPlainText -Force \\\\\\"S3cret\\\\\\"\\"}',
        `{\\"script\\": \\"ConvertTo-SecureString -AsPlainText -Force \\\\\\"${REDACTED}\\\\\\"\\"}`,
      ],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "Get-Content pw.txt | ConvertTo-SecureString -AsPlainText -Force",
      "ConvertTo-SecureString (Get-Content pw.txt) -AsPlainText -Force",
      "ConvertTo-SecureString -AsPlainText -Force; Write-Host 'done'",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

describe("a URL's credentials with a quote in them, or slashes escaped as \\u002f", () => {
  it("the password is masked; a quote that ends a string, a host, a port and a path stay", () => {
    const cases: Array<[string, string]> = [
      ["git clone https://deploy:it's@git.example.com/app.git", `git clone https://deploy:${REDACTED}@git.example.com/app.git`],
      ["https://o'brien:pw@host.example/x", `https://o'brien:${REDACTED}@host.example/x`],
      ["https://u:pw'@host.example/x", `https://u:${REDACTED}@host.example/x`],
      ['x {"u":"https:\\u002f\\u002fuser:pw@host.example\\u002fx"', `x {"u":"https:\\u002f\\u002fuser:${REDACTED}@host.example\\u002fx"`],
      ["https:\\\\u002f\\\\u002fuser:pw@host.example", `https:\\\\u002f\\\\u002fuser:${REDACTED}@host.example`],
      ["https:\\u002F\\u002Fuser:pw@host.example", `https:\\u002F\\u002Fuser:${REDACTED}@host.example`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "['https://host.example:8443','ops@example.com']",
      "('https://a:b', 'c@d')",
      "https:\\u002f\\u002fhost.example:8443\\u002fpath@v2",
      "https:\\u002f\\u002falice@host.example\\u002fx",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

describe("htpasswd, openssl and net user lines the operand masking missed", () => {
  it("htpasswd's options apart, openssl's pass: with a quoted password, net user's quoted name: the password masked", () => {
    const cases: Array<[string, string]> = [
      ["htpasswd -b -c /etc/nginx/.htpasswd bob S3cret", `htpasswd -b -c /etc/nginx/.htpasswd bob ${REDACTED}`],
      ["htpasswd -n -b bob S3cret", `htpasswd -n -b bob ${REDACTED}`],
      ["htpasswd -bB -C 10 f bob 'S3 cret'", `htpasswd -bB -C 10 f bob '${REDACTED}'`],
      ['openssl rsa -in k.pem -passin pass:"S3 cret"', `openssl rsa -in k.pem -passin pass:"${REDACTED}"`],
      ["openssl rsa -in k.pem -passout pass:'S3cret'", `openssl rsa -in k.pem -passout pass:'${REDACTED}'`],
      ['net user "John Smith" S3cret /add', `net user "John Smith" ${REDACTED} /add`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    const doc = { a: ["htpasswd", "-b", "-c", "f", "bob", "S3cret"], b: ["htpasswd", "-n", "-b", "bob", "S3cret"] };
    const expected = { a: ["htpasswd", "-b", "-c", "f", "bob", REDACTED], b: ["htpasswd", "-n", "-b", "bob", REDACTED] };
    assert.deepEqual(bothWays(doc).scanned, expected);
    assert.deepEqual(bothWays(doc).stripped, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    for (const s of [
      "htpasswd -D f bob",
      "htpasswd -B -C 10 f bob",
      "htpasswd -c -B f bob",
      "net user bob /active:yes",
      'net user "John Smith" /add',
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

/* A third hostile review: quoted values that never close, argv operands, sharedKey, YAML lines, PowerShell, prose. */

describe("argv operands the cheap gate or the word test let through", () => {
  it("net user's name with a space, htpasswd's -C COST before its file, split or not: the password masked in all three walkers", () => {
    const doc = {
      a: ["net", "user", "John Smith", "S3cret", "/add"],
      b: ["htpasswd", "-bB", "-C", "10", "/etc/nginx/.htpasswd", "admin", "S3cret"],
      c: ["htpasswd", "-nbB", "-C", "10", "admin", "S3cret"],
      containers: [{ name: "auth", command: ["htpasswd", "-bB", "-C", "12"], args: ["/etc/nginx/.htpasswd", "admin", "S3cret"] }],
    };
    const expected = {
      a: ["net", "user", "John Smith", REDACTED, "/add"],
      b: ["htpasswd", "-bB", "-C", "10", "/etc/nginx/.htpasswd", "admin", REDACTED],
      c: ["htpasswd", "-nbB", "-C", "10", "admin", REDACTED],
      containers: [{ name: "auth", command: ["htpasswd", "-bB", "-C", "12"], args: ["/etc/nginx/.htpasswd", "admin", REDACTED] }],
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    assert.equal(maskSecretsInString('["net","user","John Smith","S3cret"]'), `["net","user","John Smith","${REDACTED}"]`);
    const kept = {
      a: ["net", "user", "John Smith", "/add"],
      b: ["htpasswd", "-B", "-C", "10", "/etc/nginx/.htpasswd", "admin"],
      c: ["tcp", "udp", "tls", "http", "https"],
      d: ["user", "pool", "set", "a", "b"],
    };
    assert.deepEqual(bothWays(kept).scanned, kept);
    assert.equal(maskSecretsInString(JSON.stringify(kept)), JSON.stringify(kept));
  });

  it("Docker's Entrypoint and Cmd, CloudFormation's EntryPoint and Command are one argv, as Kubernetes' command and args are", () => {
    const doc = {
      Config: { Entrypoint: ["mysql"], Cmd: ["-pS3cret", "db"] },
      ContainerDefinitions: [{ Name: "db", EntryPoint: ["redis-cli"], Command: ["-a", "S3cret", "ping"] }],
      web: { Entrypoint: ["docker"], Cmd: ["run", "-p", "8080:80", "img"] },
    };
    const expected = {
      Config: { Entrypoint: ["mysql"], Cmd: [`-p${REDACTED}`, "db"] },
      ContainerDefinitions: [{ Name: "db", EntryPoint: ["redis-cli"], Command: ["-a", REDACTED, "ping"] }],
      web: { Entrypoint: ["docker"], Cmd: ["run", "-p", "8080:80", "img"] },
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("a VPN connection's shared key and other key options on a command line", () => {
  it("--shared-key, shared-key update's --value, -SharedKey, key options and SECRET_KEY lose their value; the key's type stays", () => {
    const cases: Array<[string, string]> = [
      [
        "az network vpn-connection create -g rg -n c --vnet-gateway1 gw --local-gateway2 lgw --shared-key S3cret",
        `az network vpn-connection create -g rg -n c --vnet-gateway1 gw --local-gateway2 lgw --shared-key ${REDACTED}`,
      ],
      [
        "az network vpn-connection shared-key update -g rg --connection-name c --value S3cret",
        `az network vpn-connection shared-key update -g rg --connection-name c --value ${REDACTED}`,
      ],
      [
        "New-AzVirtualNetworkGatewayConnection -Name c -ResourceGroupName rg -SharedKey 'S3cret'",
        `New-AzVirtualNetworkGatewayConnection -Name c -ResourceGroupName rg -SharedKey '${REDACTED}'`,
      ],
      [
        "az iot hub device-identity create -n hub -d dev --primary-key S3cret --secondary-key S3cret2",
        `az iot hub device-identity create -n hub -d dev --primary-key ${REDACTED} --secondary-key ${REDACTED}`,
      ],
      [
        "az sql db export -s srv -n db --storage-key S3cret --storage-key-type StorageAccessKey",
        `az sql db export -s srv -n db --storage-key ${REDACTED} --storage-key-type StorageAccessKey`,
      ],
      [
        "New-AzStorageContext -StorageAccountName sa -StorageAccountKey S3cret",
        `New-AzStorageContext -StorageAccountName sa -StorageAccountKey ${REDACTED}`,
      ],
      ["Set-AWSCredential -AccessKey AKIDEXAMPLE -SecretKey S3cret", `Set-AWSCredential -AccessKey AKIDEXAMPLE -SecretKey ${REDACTED}`],
      ["SECRET_KEY=S3cret ./manage.py runserver", `SECRET_KEY=${REDACTED} ./manage.py runserver`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    const doc = {
      a: ["az", "network", "vpn-connection", "create", "--shared-key", "S3cret"],
      b: ["az", "network", "vpn-connection", "shared-key", "update", "--value", "S3cret"],
      c: ["New-AzVirtualNetworkGatewayConnection", "-SharedKey", "S3cret"],
      settings: { SECRET_KEY: "S3cret", secretKey: "S3cret" },
    };
    const expected = {
      a: ["az", "network", "vpn-connection", "create", "--shared-key", REDACTED],
      b: ["az", "network", "vpn-connection", "shared-key", "update", "--value", REDACTED],
      c: ["New-AzVirtualNetworkGatewayConnection", "-SharedKey", REDACTED],
      settings: { SECRET_KEY: REDACTED, secretKey: REDACTED },
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("a YAML line whose key names a secret", () => {
  it("loses its whole value (to a comment), a block scalar's lines too; a comment, a boolean and a Secret's name stay", () => {
    const cases: Array<[string, string]> = [
      ["  client_secret: correct S3cret staple", `  client_secret: ${REDACTED}`],
      ["clientSecret: abc;def&ghi", `clientSecret: ${REDACTED}`],
      ["clientSecret: S3cret phrase # rotated by CI", `clientSecret: ${REDACTED} # rotated by CI`],
      ["clientSecret: |\n  S3cret\n", `clientSecret: ${REDACTED}\n`],
      ["auth:\n  clientSecret: >-\n    S3cret\n\n    more\n  tenant: t", `auth:\n  clientSecret: ${REDACTED}\n  tenant: t`],
      ["- secret: |\n    S3cret\n  name: n", `- secret: ${REDACTED}\n  name: n`],
      ["password: |\n  S3cret\nuser: u", `password: ${REDACTED}\nuser: u`],
      ["db:\r\n  password: S3 cret\r\n  port: 5432", `db:\r\n  password: ${REDACTED}\r\n  port: 5432`],
      ["env:\n  API_KEY: S3cret key\n  AZURE_STORAGE_KEY: S3cret", `env:\n  API_KEY: ${REDACTED}\n  AZURE_STORAGE_KEY: ${REDACTED}`],
      ["tlsSecret: S3cret!", `tlsSecret: ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "clientSecret: # set by pipeline",
      "password: # set by pipeline",
      "  existingSecret: db-creds",
      "imagePullSecret: regcred",
      "tls:\n  certSecret: web-tls.example",
      "createSecret: true",
      "apiKey:\n  valueFrom: vault",
      "nextToken: abc def",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    // a YAML document held as a string of JSON text
    const doc = { data: { "values.yaml": "auth:\n  clientSecret: S3cret two\n  existingSecret: db-creds\n" } };
    const expected = { data: { "values.yaml": `auth:\n  clientSecret: ${REDACTED}\n  existingSecret: db-creds\n` } };
    assert.deepEqual(bothWays(doc).scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("ConvertTo-SecureString without an ASCII option, in prose, with a variable", () => {
  it("an en dash's switches and a literal piped in with no option are masked; a variable and a word of prose stay", () => {
    const cases: Array<[string, string]> = [
      ["$p = ConvertTo-SecureString 'S3cret' –AsPlainText –Force", `$p = ConvertTo-SecureString '${REDACTED}' –AsPlainText –Force`],
      ["$p = ConvertTo-SecureString –AsPlainText –Force S3cret", `$p = ConvertTo-SecureString –AsPlainText –Force ${REDACTED}`],
      ["'S3cret' | ConvertTo-SecureString", `'${REDACTED}' | ConvertTo-SecureString`],
      ["Use ConvertTo-SecureString 'S3cret' -AsPlainText", `Use ConvertTo-SecureString '${REDACTED}' -AsPlainText`],
      ["see ConvertTo-SecureString -String S3cret", `see ConvertTo-SecureString -String ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "Use ConvertTo-SecureString -AsPlainText -Force only in tests",
      "$p = ConvertTo-SecureString $pw -AsPlainText -Force",
      "$p = ConvertTo-SecureString -String:$env:PW -AsPlainText -Force",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

describe("net as a word of prose", () => {
  it("is no net command: only `net user` runs it (after any word), so prose keeps its words", () => {
    const prose = "The net effect: user traffic from 10.0.0.0/8 is dropped; see --probe-name";
    assert.equal(maskSecretsInString(prose), prose);
    assert.deepEqual(bothWays({ a: ["net", "effect", "user", "traffic", "from"] }).scanned, {
      a: ["net", "effect", "user", "traffic", "from"],
    });
    assert.equal(maskSecretsInString("docker exec c net user bob S3cret"), `docker exec c net user bob ${REDACTED}`);
    assert.equal(maskSecretsInString("cmd /c NET.EXE USER bob S3cret"), `cmd /c NET.EXE USER bob ${REDACTED}`);
  });
});

describe("a boolean under a secret's name", () => {
  it("stays in a document as in JSON text (UseExistingClientSecret, adminPasswordOrKey: true); the secret beside it goes", () => {
    const doc = {
      Actions: [
        { Type: "authenticate-oidc", AuthenticateOidcConfig: { ClientId: "app", ClientSecret: "S3cret", UseExistingClientSecret: true } },
      ],
      parameters: { adminPasswordOrKey: true, adminPassword: false },
    };
    const expected = {
      Actions: [{ Type: "authenticate-oidc", AuthenticateOidcConfig: { ClientId: "app", UseExistingClientSecret: true } }],
      parameters: { adminPasswordOrKey: true, adminPassword: false },
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), {
      ...expected,
      Actions: [
        { Type: "authenticate-oidc", AuthenticateOidcConfig: { ClientId: "app", ClientSecret: REDACTED, UseExistingClientSecret: true } },
      ],
    });
    assert.equal(maskSecretsInString("UseExistingClientSecret: true"), "UseExistingClientSecret: true");
  });
});

/**
 * `unit`, then k backslashes and a quote, for k from the largest that fits in 199,000 characters down to 1: each run is
 * shorter than the one before, so none of its quotes has a closing one (a quote closes one escaped as it is).
 */
function descendingQuotes(unit: string): string {
  const size = (k: number): number => k * (unit.length + 1) + (k * (k + 1)) / 2;
  let k = 1;
  while (size(k + 1) <= 199_000) k++;
  const parts: string[] = [];
  for (; k >= 1; k--) parts.push(`${unit}${"\\".repeat(k)}"`);
  return parts.join("");
}

describe("a YAML key that names a Secret's content, not a reference to one", () => {
  it("loses its value (registrySecret, dockerSecret, tlsSecret: a password); existingSecret, imagePullSecret and a certificate Secret's name stay", () => {
    const cases: Array<[string, string]> = [
      ["registrySecret: hunter2", `registrySecret: ${REDACTED}`],
      ["client_credentials_secret: s3cr3tvalue", `client_credentials_secret: ${REDACTED}`],
      ["dockerSecret: 8f14e45fceea167a5a36dedd4bea2543", `dockerSecret: ${REDACTED}`],
      ["tlsSecret: p4ssw0rd", `tlsSecret: ${REDACTED}`],
      ["registry-secret: s3cr3t", `registry-secret: ${REDACTED}`],
      ["pullSecret: s3cr3t", `pullSecret: ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of ["existingSecret: db-creds", "imagePullSecret: regcred", "auth.existingSecret: db-creds", "certSecret: web-tls"]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const doc = { data: { "values.yaml": "registrySecret: hunter2\n" } };
    const expected = { data: { "values.yaml": `registrySecret: ${REDACTED}\n` } };
    assert.deepEqual(bothWays(doc).scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("ConvertTo-SecureString after a word that starts no command", () => {
  it("loses its bare plain text when -AsPlainText or -Force follows it (powershell -Command, pwsh -c, return, a prompt)", () => {
    for (const before of ["powershell -Command", "pwsh -c", "return", "PS C:\\>", "echo x &&"]) {
      const s = `${before} ConvertTo-SecureString S3cret -AsPlainText -Force`;
      assert.equal(maskSecretsInString(s), `${before} ConvertTo-SecureString ${REDACTED} -AsPlainText -Force`, s);
    }
    assert.equal(
      maskSecretsInString("New-LocalUser bob -Password (ConvertTo-SecureString S3cret -AsPlainText -Force)"),
      `New-LocalUser bob -Password (ConvertTo-SecureString ${REDACTED} -AsPlainText -Force)`,
    );
    const prose = "Use ConvertTo-SecureString -AsPlainText -Force only in tests";
    assert.equal(maskSecretsInString(prose), prose);
  });
});

describe("a password's value that starts with #", () => {
  it("is masked; a comment (# and a space, or # alone) stays", () => {
    const cases: Array<[string, string]> = [
      ["password: #S3cret!", `password: ${REDACTED}`],
      ["db.password: #S3cret", `db.password: ${REDACTED}`],
      ["pwd:\t#S3cret", `pwd:\t${REDACTED}`],
      ["clientSecret: #S3cret", `clientSecret: ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of ["password: # set by CI", "password: #", "clientSecret: # set by CI"]) assert.equal(maskSecretsInString(s), s, s);
  });
});

describe("htpasswd as an earlier word's argument", () => {
  it("does not hide the htpasswd command after it", () => {
    assert.equal(maskSecretsInString("echo htpasswd htpasswd -b f u S3cret"), `echo htpasswd htpasswd -b f u ${REDACTED}`);
    assert.equal(maskSecretsInString("which htpasswd; htpasswd -b f u S3cret"), `which htpasswd; htpasswd -b f u ${REDACTED}`);
  });
});

describe("a token's, a signature's or a key's name in a YAML line", () => {
  it("keeps an algorithm's name and booleans; a token, a password and a key go, short words and prose too", () => {
    for (const s of ["Signature: sha256WithRSAEncryption", "alg: RS256", "signature: Ed25519", "createSecret: true", "token: null"]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    // a leak costs more than a masked word: a VPN shared key, a passphrase, an algorithm's name with more after it
    for (const s of [
      "token: none required for /healthz",
      "primaryKey: id",
      "sharedKey: letmein",
      "token: correct horse battery staple",
      "token: sha256secretvalue",
      "my-api-key: shown",
      "account-key: letmein",
      "secret: YES",
    ]) {
      assert.equal(maskSecretsInString(s), `${s.slice(0, s.indexOf(":") + 1)} ${REDACTED}`, s);
    }
    const cases: Array<[string, string]> = [
      ["token: ghp_abcdefghijklmnop1234", `token: ${REDACTED}`],
      ["sharedKey: Abc123xyz789", `sharedKey: ${REDACTED}`],
      ["API_KEY: id", `API_KEY: ${REDACTED}`],
      ["token: AB ZQXabcdefghijkl", `token: ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("YAML secret lines the earlier pass missed", () => {
  it("a dashed key's value, a plain scalar's continuation lines, a nested sequence's item, a doubled single quote", () => {
    const cases: Array<[string, string]> = [
      ["spring.cloud.aws.credentials.secret-key: S3cret", `spring.cloud.aws.credentials.secret-key: ${REDACTED}`],
      ["account-key: S3cret", `account-key: ${REDACTED}`],
      ["clientSecret: part1\n  S3cret\nnext: x", `clientSecret: ${REDACTED}\nnext: x`],
      ["- - clientSecret: S3cret", `- - clientSecret: ${REDACTED}`],
      ["clientSecret: 'S3c''ret'", `clientSecret: '${REDACTED}'`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    const kept = "auth:\n  clientSecret: S3cret\n  tenant: t";
    assert.equal(maskSecretsInString(kept), `auth:\n  clientSecret: ${REDACTED}\n  tenant: t`);
  });
});

describe("PowerShell parameters written with an en dash, an em dash or a horizontal bar", () => {
  it("lose their secret values, in a line and in an argv; redis-server --requirepass too", () => {
    const cases: Array<[string, string]> = [
      [
        "New-AzVirtualNetworkGatewayConnection -Name c \u2013SharedKey 'S3cret'",
        `New-AzVirtualNetworkGatewayConnection -Name c \u2013SharedKey '${REDACTED}'`,
      ],
      [
        "Set-AWSCredential -AccessKey AKIDEXAMPLE \u2014SecretKey S3cret",
        `Set-AWSCredential -AccessKey AKIDEXAMPLE \u2014SecretKey ${REDACTED}`,
      ],
      ["New-LocalUser bob \u2015Password S3cret", `New-LocalUser bob \u2015Password ${REDACTED}`],
      ["redis-server --requirepass S3cret", `redis-server --requirepass ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    const doc = { a: ["Set-AWSCredential", "\u2014SecretKey", "S3cret"] };
    const expected = { a: ["Set-AWSCredential", "\u2014SecretKey", REDACTED] };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.equal(
      maskSecretsInString("az storage account update --bypass AzureServices"),
      "az storage account update --bypass AzureServices",
    );
  });
});

describe("round-3 review: htpasswd names, ConvertTo-SecureString prose, YAML continuations", () => {
  it("a run of htpasswd names joined by quotes is read in linear time", () => {
    const line = `htpasswd -c ${'"htpasswd'.repeat(40_000)}`;
    const t0 = performance.now();
    maskSecretsInString(line);
    assert.ok(performance.now() - t0 < 1500, `${(performance.now() - t0).toFixed(0)} ms`);
  });

  it("prose about ConvertTo-SecureString keeps its words; a command's value goes", () => {
    for (const s of [
      "Avoid ConvertTo-SecureString with -AsPlainText -Force in production scripts",
      "see ConvertTo-SecureString docs –Force",
    ])
      assert.equal(maskSecretsInString(s), s, s);
    assert.equal(
      maskSecretsInString("powershell -Command ConvertTo-SecureString S3cret -AsPlainText -Force"),
      `powershell -Command ConvertTo-SecureString ${REDACTED} -AsPlainText -Force`,
    );
  });

  it("a deeper line that reads as a key is the next mapping, not the secret's continuation", () => {
    assert.equal(maskSecretsInString("accessToken: abc\n  scopes: read"), `accessToken: ${REDACTED}\n  scopes: read`);
    assert.equal(maskSecretsInString("clientSecret: part1\n  S3cret\nnext: x"), `clientSecret: ${REDACTED}\nnext: x`);
  });
});

/* A fourth hostile review: credentials as operands and options of more tools, YAML values below their key, over-masks. */

describe("net use's password", () => {
  it("is masked after the share (a device, /user before or after it, quoted, net.exe); the share, the user and * stay", () => {
    const cases: Array<[string, string]> = [
      ["net use \\\\srv\\share S3cret", `net use \\\\srv\\share ${REDACTED}`],
      ["net use Z: \\\\srv\\share S3cret /user:dom\\u", `net use Z: \\\\srv\\share ${REDACTED} /user:dom\\u`],
      ["net use \\\\srv\\share /user:u S3cret", `net use \\\\srv\\share /user:u ${REDACTED}`],
      ['NET USE * "\\\\srv\\my share" "S3 cret" /persistent:no', `NET USE * "\\\\srv\\my share" "${REDACTED}" /persistent:no`],
      ["C:\\Windows\\System32\\net.exe use \\\\srv\\share S3cret", `C:\\Windows\\System32\\net.exe use \\\\srv\\share ${REDACTED}`],
      ["cmd /c net use \\\\srv\\share S3cret && dir Z:", `cmd /c net use \\\\srv\\share ${REDACTED} && dir Z:`],
      // a user's name written apart from its switch is the user's, not the password
      ["net use M: \\\\srv\\share /user USER S3cret", `net use M: \\\\srv\\share /user USER ${REDACTED}`],
      ["net use Z: S3cret /home", `net use Z: ${REDACTED} /home`],
      // a script in JSON text: the share's backslashes and the quotes escaped
      ['{\\"s\\": \\"net use \\\\\\\\srv\\\\share S3cret\\"}', `{\\"s\\": \\"net use \\\\\\\\srv\\\\share ${REDACTED}\\"}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "net use \\\\srv\\share *",
      "net use \\\\srv\\share /user:u *",
      "net use Z: /delete",
      "net use * /delete",
      "net use \\\\srv\\share",
      "net use Z: \\\\srv\\share /persistent:yes",
      "net use of the share",
      "net use \\\\srv\\share to map a drive",
      "The net effect: user traffic from 10.0.0.0/8 is dropped",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });

  it("is masked in an argv in all three walkers, split across command and args too; the share and * stay", () => {
    const doc = {
      a: ["net", "use", "\\\\srv\\share", "S3cret"],
      b: ["net", "use", "Z:", "\\\\srv\\share", "/user:dom\\u", "S3cret"],
      c: ["net", "use", "\\\\srv\\share", "/user", "u", "S3cret"],
      d: ["net", "use", "Z:", "S3cret", "/home"],
      containers: [{ command: ["net", "use"], args: ["\\\\srv\\share", "S3cret"] }],
      kept: ["net", "use", "\\\\srv\\share", "*", "/user:u"],
      paths: ["/a", "/b", "Z:", "c"],
    };
    const expected = {
      a: ["net", "use", "\\\\srv\\share", REDACTED],
      b: ["net", "use", "Z:", "\\\\srv\\share", "/user:dom\\u", REDACTED],
      c: ["net", "use", "\\\\srv\\share", "/user", "u", REDACTED],
      d: ["net", "use", "Z:", REDACTED, "/home"],
      containers: [{ command: ["net", "use"], args: ["\\\\srv\\share", REDACTED] }],
      kept: doc.kept,
      paths: doc.paths,
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    // an argv as JSON text of its own, no option in it
    assert.equal(
      maskSecretsInString('["net","use","\\\\\\\\srv\\\\share","S3cret"]'),
      `["net","use","\\\\\\\\srv\\\\share","${REDACTED}"]`,
    );
  });

  it("a script whose line breaks are escaped (JSON text cut short) loses each command's credential, the next line's too", () => {
    for (const s of [
      String.raw`{"s": "net use \\\\a\\x S3cretOne\nnet use \\\\b\\y S3cretTwo"`,
      String.raw`{"s": "psexec \\\\h -u u -p S3cretOne\npsexec \\\\h -u u -p S3cretTwo cmd"`,
      String.raw`{"s": "openssl enc -aes256 -k S3cretOne\nopenssl enc -d -aes256 -k S3cretTwo"`,
      String.raw`{"s": "#!/bin/sh\nchpasswd <<EOF\nroot:S3cretOne\nEOF\necho ok"`,
    ]) {
      const out = maskSecretsInString(s);
      assert.doesNotMatch(out, /S3cret/, `${s}\n=> ${out}`);
      // the first command's name and what precedes its credential stay
      assert.equal(out.slice(0, 16), s.slice(0, 16), out);
    }
  });
});

describe("openssl enc's -k password and -K key", () => {
  it("are masked in enc and a cipher's command; another command's -k, -kfile and prose stay", () => {
    const cases: Array<[string, string]> = [
      ["openssl enc -aes-256-cbc -k S3cret -in a -out b", `openssl enc -aes-256-cbc -k ${REDACTED} -in a -out b`],
      ["openssl aes-256-cbc -k S3cret", `openssl aes-256-cbc -k ${REDACTED}`],
      ["openssl des3 -salt -k 'S3 cret' -in f", `openssl des3 -salt -k '${REDACTED}' -in f`],
      ["tar cz d | openssl enc -e -aes256 -pbkdf2 -k S3cret > d.enc", `tar cz d | openssl enc -e -aes256 -pbkdf2 -k ${REDACTED} > d.enc`],
      [
        "openssl enc -d -aes-256-cbc -K 00112233445566778899aabbccddeeff -iv 0a0b -in f",
        `openssl enc -d -aes-256-cbc -K ${REDACTED} -iv 0a0b -in f`,
      ],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "openssl s_client -connect h:443 -k x",
      "openssl enc -aes-256-cbc -kfile /etc/enc.key -in f",
      "openssl req -new -key k.pem -out r.csr",
      "openssl enc -k is deprecated: use -pbkdf2",
      "curl -k https://x && openssl x509 -in c.pem -noout",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const doc = {
      a: ["openssl", "enc", "-aes-256-cbc", "-k", "S3cret"],
      b: ["openssl", "s_client", "-k", "x"],
      // another command after enc's: its -k is its own
      c: ["openssl", "enc", "-d", "&&", "tool", "-k", "x"],
      d: ["/usr/bin/openssl", "des3", "-k", "S3cret"],
    };
    const expected = { ...doc, a: ["openssl", "enc", "-aes-256-cbc", "-k", REDACTED], d: ["/usr/bin/openssl", "des3", "-k", REDACTED] };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("chpasswd's input as a here-string or a here-document", () => {
  it("each user:password line's password is masked, the user kept; the lines around the body stay", () => {
    const cases: Array<[string, string]> = [
      ["chpasswd <<< 'user:S3cret'", `chpasswd <<< 'user:${REDACTED}'`],
      ['chpasswd <<<"user:S3 cret"', `chpasswd <<<"user:${REDACTED}"`],
      ["sudo chpasswd <<< root:S3cret", `sudo chpasswd <<< root:${REDACTED}`],
      ["chpasswd <<EOF\nuser:S3cret\nEOF", `chpasswd <<EOF\nuser:${REDACTED}\nEOF`],
      [
        "sudo chpasswd <<-'EOF'\n\troot:S3cret\n\tapp:S3 cret\n\tEOF\nname: web",
        `sudo chpasswd <<-'EOF'\n\troot:${REDACTED}\n\tapp:${REDACTED}\n\tEOF\nname: web`,
      ],
      ["cat <<EOF | chpasswd\nroot:S3cret\nEOF\necho ok", `cat <<EOF | chpasswd\nroot:${REDACTED}\nEOF\necho ok`],
      ["chpasswd 2>&1 <<END\r\nroot:S3cret\r\nEND\r\nport: 1", `chpasswd 2>&1 <<END\r\nroot:${REDACTED}\r\nEND\r\nport: 1`],
      // a script in a string of JSON text (cut short: no document), its line breaks escaped
      [
        '{"script": "chpasswd <<EOF\\nroot:S3cret\\nEOF\\n", "n": "a:b"',
        `{"script": "chpasswd <<EOF\\nroot:${REDACTED}\\nEOF\\n", "n": "a:b"`,
      ],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      // a here-document that feeds another command than chpasswd
      "cat <<EOF > app.yaml; chpasswd < users.txt\nname: web\nEOF",
      "chpasswd < users.txt\nname: web",
      "cat <<< 'a:b'; chpasswd -e < f",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    // another here-document's body before chpasswd's, on the same line: read in order, only chpasswd's masked
    assert.equal(
      maskSecretsInString("cat <<A > x.yaml; chpasswd <<B\nname: web\nA\nroot:S3cret\nB\nport: 1"),
      `cat <<A > x.yaml; chpasswd <<B\nname: web\nA\nroot:${REDACTED}\nB\nport: 1`,
    );
    const doc = { script: "#!/bin/sh\nchpasswd <<EOF\nroot:S3cret\nEOF\n" };
    const expected = { script: `#!/bin/sh\nchpasswd <<EOF\nroot:${REDACTED}\nEOF\n` };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("PsExec's -p password", () => {
  it("is masked among PsExec's options only; the command it runs keeps its own -p, and other tools' -p stays", () => {
    const cases: Array<[string, string]> = [
      ["psexec \\\\host -u user -p S3cret cmd", `psexec \\\\host -u user -p ${REDACTED} cmd`],
      ['PsExec64.exe \\\\host -u dom\\user -p "S3 cret" -i 1 cmd', `PsExec64.exe \\\\host -u dom\\user -p "${REDACTED}" -i 1 cmd`],
      [
        "& 'C:\\Tools\\PsExec.exe' -accepteula \\\\h -u u -p S3cret cmd",
        `& 'C:\\Tools\\PsExec.exe' -accepteula \\\\h -u u -p ${REDACTED} cmd`,
      ],
      ['psexec \\\\h -u u -p \\"S3cret\\" cmd', `psexec \\\\h -u u -p \\"${REDACTED}\\" cmd`],
      ["psexec \\\\h -u u -p S3cret cmd /c mkdir -p x", `psexec \\\\h -u u -p ${REDACTED} cmd /c mkdir -p x`],
      // a directory's trailing backslash, a line continued
      ["psexec \\\\h -w C:\\dir\\ -u u -p S3cret cmd", `psexec \\\\h -w C:\\dir\\ -u u -p ${REDACTED} cmd`],
      ["psexec \\\\h -u u \\\n  -p S3cret cmd", `psexec \\\\h -u u \\\n  -p ${REDACTED} cmd`],
      // -c's executable before the options that follow it
      ["psexec \\\\h -c prog.exe -u u -p S3cret", `psexec \\\\h -c prog.exe -u u -p ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "mkdir -p dir",
      "ssh -p 22 host",
      "use -p to keep parents",
      "psexec \\\\h cmd /c ssh -p 22 x",
      "psexec \\\\h -s cmd /c mkdir -p dir",
      "see psexec -p is its password",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const doc = { a: ["psexec.exe", "\\\\h", "-u", "u", "-p", "S3cret", "cmd"], b: ["psexec", "\\\\h", "ssh", "-p", "22"] };
    const expected = { a: ["psexec.exe", "\\\\h", "-u", "u", "-p", REDACTED, "cmd"], b: ["psexec", "\\\\h", "ssh", "-p", "22"] };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("htpasswd as a container's --entrypoint", () => {
  it("its password after the image is masked, the image and the user kept; without -b it stays", () => {
    const cases: Array<[string, string]> = [
      [
        "docker run --rm --entrypoint htpasswd httpd:2 -Bbn user S3cret",
        `docker run --rm --entrypoint htpasswd httpd:2 -Bbn user ${REDACTED}`,
      ],
      ["docker run --entrypoint htpasswd httpd:2.4 -nb user S3cret", `docker run --entrypoint htpasswd httpd:2.4 -nb user ${REDACTED}`],
      ["docker run --entrypoint=htpasswd httpd:2 -Bbn u S3cret", `docker run --entrypoint=htpasswd httpd:2 -Bbn u ${REDACTED}`],
      [
        "docker run -v /x:/x --entrypoint /usr/local/apache2/bin/htpasswd -it httpd:2 -Bbc /x/.htpasswd u 'S3 cret'",
        `docker run -v /x:/x --entrypoint /usr/local/apache2/bin/htpasswd -it httpd:2 -Bbc /x/.htpasswd u '${REDACTED}'`,
      ],
      [
        'podman run --rm --entrypoint "htpasswd" --name x docker.io/library/httpd:2 -nbB u S3cret > .htpasswd',
        `podman run --rm --entrypoint "htpasswd" --name x docker.io/library/httpd:2 -nbB u ${REDACTED} > .htpasswd`,
      ],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of ["docker run --entrypoint htpasswd httpd:2 -c f u", "docker run --entrypoint htpasswd httpd:2 -nB u"]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const doc = {
      a: ["docker", "run", "--rm", "--entrypoint", "htpasswd", "httpd:2", "-Bbn", "u", "S3cret"],
      b: ["docker", "run", "--entrypoint=htpasswd", "httpd:2", "-nb", "u", "S3cret"],
      c: ["docker", "run", "--entrypoint", "htpasswd", "httpd:2", "-nB", "u"],
    };
    const expected = {
      a: ["docker", "run", "--rm", "--entrypoint", "htpasswd", "httpd:2", "-Bbn", "u", REDACTED],
      b: ["docker", "run", "--entrypoint=htpasswd", "httpd:2", "-nb", "u", REDACTED],
      c: doc.c,
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("a YAML secret's value on the lines below its key", () => {
  it("is masked (a plain value, a block scalar, a sequence of plain items); a mapping below and the next key stay", () => {
    const cases: Array<[string, string]> = [
      ["password:\n  S3cret", `password:\n  ${REDACTED}`],
      ["clientSecret:\n  S3cret\nuser: u", `clientSecret:\n  ${REDACTED}\nuser: u`],
      ["auth:\n  clientSecret:\n    S3cret two\n    three\n  tenant: t", `auth:\n  clientSecret:\n    ${REDACTED}\n  tenant: t`],
      ["password:\n  S3cret two\n  three\nuser: u", `password:\n  ${REDACTED}\nuser: u`],
      ["- token:\n    S3cret\n  name: n", `- token:\n    ${REDACTED}\n  name: n`],
      ["password:\n  - S3cret\n  - other", `password:\n  ${REDACTED}`],
      ["clientSecret:\n  # rotated by CI\n  S3cret\nnext: x", `clientSecret:\n  # rotated by CI\n  ${REDACTED}\nnext: x`],
      ["clientSecret: |\n  S3cret\nnext: x", `clientSecret: ${REDACTED}\nnext: x`],
      ["clientSecret: >-\n  S3cret\n\n  more\nnext: x", `clientSecret: ${REDACTED}\nnext: x`],
      ["db:\r\n  password:\r\n    S3cret\r\n  port: 5432", `db:\r\n  password:\r\n    ${REDACTED}\r\n  port: 5432`],
      // a plain value's continuation ends at a deeper line that reads as a key (a plain scalar holds no `key: `)
      ["clientSecret: part1\n  S3cret\n  scopes: read", `clientSecret: ${REDACTED}\n  scopes: read`],
      // no YAML: a prompt, its answer on the next line
      ["Enter password:\nhunter2", `Enter password:\n${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "apiKey:\n  valueFrom: vault",
      "clientSecret:\n  secretKeyRef:\n    name: x",
      "clientSecret:\n  # set by the pipeline\nuser: u",
      "existingSecret:\n  db-creds",
      "token:\n  null",
      "password:\nuser: u",
      "password:\n  valueFrom: vault",
      "secretName:\n  web-tls",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const doc = { data: { "values.yaml": "auth:\n  clientSecret:\n    S3cret\n  tenant: t\n" } };
    const expected = { data: { "values.yaml": `auth:\n  clientSecret:\n    ${REDACTED}\n  tenant: t\n` } };
    assert.deepEqual(bothWays(doc).scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("a secret's name with a boolean or a Secret's name after it", () => {
  it("UseExistingClientSecret=true and certSecret: webtls stay; passwords, passphrases and tokens still go", () => {
    for (const s of [
      "UseExistingClientSecret=true",
      "--set UseExistingClientSecret=false --set x=1",
      "RequirePassword=True;Server=db",
      "certSecret: webtls",
      "tlsSecret: ingresscert",
      "tls:\n  certSecret:\n    sitessl",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const cases: Array<[string, string]> = [
      ['Password="true"', `Password="${REDACTED}"`],
      ["Password=trueish", `Password=${REDACTED}`],
      ["tlsSecret: p4ssw0rd", `tlsSecret: ${REDACTED}`],
      ["sharedKey: letmein", `sharedKey: ${REDACTED}`],
      ["token: correct horse battery staple", `token: ${REDACTED}`],
      // not told apart from a secret: a UUID may be a Vault or Consul token, prose after `=` a key's value
      ["client-token: 123e4567-e89b-12d3-a456-426614174000", `client-token: ${REDACTED}`],
      ["clientToken: 123e4567-e89b-12d3-a456-426614174000", `clientToken: ${REDACTED}`],
      ["primaryKey=rotated monthly", `primaryKey=${REDACTED} monthly`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("round-4 hostile strings take linear time", () => {
  /** [what, unit repeated to the size, before it, after it] */
  const CASES: Array<[string, string, string, string]> = [
    ["'net use \\\\a /u ' repeated", "net use \\\\a /u ", "", ""],
    ["' /u' repeated after net use", " /u", "net use \\\\a", " x"],
    ["'psexec -u ' repeated", "psexec -u ", "", ""],
    ["' -u a' repeated after psexec", " -u a", "psexec", " -p x"],
    ["'openssl enc -k ' repeated", "openssl enc -k ", "", ""],
    ["' -in a' repeated after openssl enc", " -in a", "openssl enc", " -k x"],
    ["'chpasswd <<< ' repeated", "chpasswd <<< ", "", ""],
    ["'chpasswd <<EOF\\n' repeated", "chpasswd <<EOF\n", "", ""],
    ["'<<A ' repeated after chpasswd", "<<A ", "chpasswd ", "\nx:y\n"],
    ["'a:b\\n' repeated in a here-document that never ends", "a:b\n", "chpasswd <<EOF\n", ""],
    ["'a:b\\\\n' repeated in an escaped here-document", "a:b\\n", "chpasswd <<EOF\\n", ""],
    ["'\\' repeated in an escaped here-document's password", "\\", "chpasswd <<EOF\\na:", ""],
    ["'\\' repeated on chpasswd's line", "\\", "chpasswd ", " <<EOF"],
    ["'--entrypoint htpasswd ' repeated", "--entrypoint htpasswd ", "docker run ", ""],
    ["' -v a' repeated after --entrypoint htpasswd", " -v a", "docker run --entrypoint htpasswd", " img -b f u x"],
    ["'password:\\n' repeated", "password:\n", "", ""],
    ["'- ' repeated after an inline secret (a key line's items)", "- ", "password: x\n ", ""],
    ["'- ' repeated below a secret's key", "- ", "clientSecret:\n  ", ""],
    ["'UseExistingClientSecret=true ' repeated", "UseExistingClientSecret=true ", "", ""],
    ["'password:' and spaces repeated", "password:  \n ", "", "x"],
  ];
  /**
   * Strings that no repeated unit makes: keys indented one deeper each line (1.2 MB: a key that read all the lines
   * deeper than it took time that grows as the size's power 1.5, a second at 400 kB), quotes that never close.
   */
  const BUILT: Array<[string, string]> = [
    ["secret keys with a value, each one deeper (1.2 MB)", nested((k) => `${" ".repeat(k)}password: x\n`, 1_200_000)],
    ["secret keys without a value, each one deeper (1.2 MB)", nested((k) => `${" ".repeat(k)}clientSecret:\n`, 1_200_000)],
    ["psexec's -p before quotes that never close", descendingQuotes("psexec -p ")],
    ["chpasswd's here-string before quotes that never close", descendingQuotes("chpasswd <<< ")],
    ["net use's password before quotes that never close", descendingQuotes("net use \\\\a ")],
  ];
  /** `unit(k)` for k = 0, 1, … to `size` characters. */
  function nested(unit: (k: number) => string, size: number): string {
    let s = "";
    for (let k = 0; s.length < size; k++) s += unit(k);
    return s;
  }
  const SIZE = 400_000;
  const BOUND_MS = 2000;

  it(`maskSecretsInString on ${SIZE / 1000} kB adversarial strings: each under ${BOUND_MS} ms (a worker, stopped if stuck)`, async () => {
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      import(workerData.url).then(({ maskSecretsInString }) => {
        const all = workerData.cases.map(([what, unit, pre, post]) =>
          [what, pre + unit.repeat(Math.ceil((workerData.size - pre.length - post.length) / unit.length)) + post]);
        for (const [what, s] of [...all, ...workerData.built]) {
          const t0 = performance.now();
          maskSecretsInString(s);
          parentPort.postMessage({ what, ms: performance.now() - t0 });
        }
        parentPort.postMessage({ done: true });
      });`;
    const url = new URL("../src/core/util/secrets.ts", import.meta.url).href;
    const worker = new Worker(code, { eval: true, workerData: { url, cases: CASES, built: BUILT, size: SIZE } });
    const names = [...CASES.map((c) => c[0]), ...BUILT.map((c) => c[0])];
    const times: Array<{ what: string; ms: number }> = [];
    const stuck = await new Promise<string | undefined>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const arm = (): void => {
        clearTimeout(timer);
        const wait = 3 * BOUND_MS + (times.length === 0 ? 5000 : 0);
        timer = setTimeout(() => resolve(names[times.length] ?? "worker startup"), wait);
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
    assert.equal(times.length, names.length);
  });
});

/* A fifth review: switches and escapes the fourth review's tools missed, over-masks of text around them. */

describe("PsExec's switches written with a slash", () => {
  it("keep its -p or /p password masked (/accepteula before it, /u and /p); the command it runs keeps its own switches", () => {
    const cases: Array<[string, string]> = [
      ["psexec /accepteula \\\\h -u admin -p S3cret cmd", `psexec /accepteula \\\\h -u admin -p ${REDACTED} cmd`],
      ["psexec \\\\h /u admin /p S3cret cmd", `psexec \\\\h /u admin /p ${REDACTED} cmd`],
      [
        'PsExec64.exe /accepteula /nobanner \\\\h /u dom\\a /p "S3 cret" cmd',
        `PsExec64.exe /accepteula /nobanner \\\\h /u dom\\a /p "${REDACTED}" cmd`,
      ],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of ["psexec \\\\h cmd /c dir /p x", "psexec \\\\h -s cmd /p x", "dir /p S3cret"])
      assert.equal(maskSecretsInString(s), s, s);
    const doc = {
      a: ["PsExec64.exe", "/accepteula", "\\\\h", "-u", "admin", "-p", "S3cret", "cmd"],
      b: ["psexec", "\\\\h", "/u", "admin", "/p", "S3cret", "cmd"],
      c: ["psexec", "\\\\h", "cmd", "/c", "dir", "/p", "x"],
    };
    const expected = {
      a: ["PsExec64.exe", "/accepteula", "\\\\h", "-u", "admin", "-p", REDACTED, "cmd"],
      b: ["psexec", "\\\\h", "/u", "admin", "/p", REDACTED, "cmd"],
      c: doc.c,
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
    // an argv as JSON text of its own, no `-` in it
    assert.equal(maskSecretsInString('["psexec","\\\\\\\\h","/p","S3cret","cmd"]'), `["psexec","\\\\\\\\h","/p","${REDACTED}","cmd"]`);
  });
});

describe("htpasswd's words over a line continued, after a flag docker added", () => {
  it("the password is masked; a continuation's backslash is no password, and an option's value is no image", () => {
    const cases: Array<[string, string]> = [
      [
        "docker run --rm --entrypoint htpasswd \\\n  httpd:2 -Bbn admin S3cret",
        `docker run --rm --entrypoint htpasswd \\\n  httpd:2 -Bbn admin ${REDACTED}`,
      ],
      [
        "docker run --rm --entrypoint htpasswd httpd:2 \\\n  -Bbn admin S3cret",
        `docker run --rm --entrypoint htpasswd httpd:2 \\\n  -Bbn admin ${REDACTED}`,
      ],
      ["htpasswd -Bbn admin \\\n  S3cret", `htpasswd -Bbn admin \\\n  ${REDACTED}`],
      [
        "docker run --entrypoint htpasswd --use-api-socket httpd:2 -Bbn admin S3cret",
        `docker run --entrypoint htpasswd --use-api-socket httpd:2 -Bbn admin ${REDACTED}`,
      ],
      // an option that takes a value, then the image
      [
        "docker run --entrypoint htpasswd --network host httpd:2 -Bbn admin S3cret",
        `docker run --entrypoint htpasswd --network host httpd:2 -Bbn admin ${REDACTED}`,
      ],
      [
        "docker run --entrypoint htpasswd --use-api-socket -v /x:/x httpd:2 -Bbn u S3cret",
        `docker run --entrypoint htpasswd --use-api-socket -v /x:/x httpd:2 -Bbn u ${REDACTED}`,
      ],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    assert.equal(maskSecretsInString("htpasswd -nB admin \\\n  x"), "htpasswd -nB admin \\\n  x");
    const doc = { a: ["docker", "run", "--entrypoint", "htpasswd", "--use-api-socket", "httpd:2", "-Bbn", "u", "S3cret"] };
    const expected = { a: ["docker", "run", "--entrypoint", "htpasswd", "--use-api-socket", "httpd:2", "-Bbn", "u", REDACTED] };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("a YAML secret's value below its key, a comment or a sequence between, or its line breaks escaped", () => {
  it("is masked whole; the next key, a mapping's sequence and a key with no value stay", () => {
    const cases: Array<[string, string]> = [
      ["password: # from vault\n  S3cret\nuser: bob", `password: # from vault\n  ${REDACTED}\nuser: bob`],
      ["password:\n- S3cret\nuser: bob", `password:\n${REDACTED}\nuser: bob`],
      ["- password:\n  - S3cret", `- password:\n  ${REDACTED}`],
      ["db:\n  clientSecret:\n  - S3cret\n  - other\n  port: 1", `db:\n  clientSecret:\n  ${REDACTED}\n  port: 1`],
      // JSON text cut short (no parse reads it): its string's YAML, the line breaks escaped
      ['{"a": 1, "b": "password:\\n  S3cret\\nuser: bob"', `{"a": 1, "b": "password:\\n  ${REDACTED}\\nuser: bob"`],
      ['{"a": 1, "b": "clientSecret:\\n  S3cret two\\n  three\\nuser: bob"', `{"a": 1, "b": "clientSecret:\\n  ${REDACTED}\\nuser: bob"`],
      ['{"a": 1, "b": "auth:\\n  token:\\n    S3cret\\n  tenant: t"', `{"a": 1, "b": "auth:\\n  token:\\n    ${REDACTED}\\n  tenant: t"`],
      ['{"a": 1, "b": "token:\\n  \\"S3cret\\"\\nx: y"', `{"a": 1, "b": "token:\\n  ${REDACTED}\\nx: y"`],
      ['{"a": 1, "b": "password:\\n- S3cret\\nx: y"', `{"a": 1, "b": "password:\\n${REDACTED}\\nx: y"`],
      [
        '{"a": 1, "b": "x: 1\\n\\tpassword: # c\\n\\t\\tS3cret\\nx: y"',
        `{"a": 1, "b": "x: 1\\n\\tpassword: # c\\n\\t\\t${REDACTED}\\nx: y"`,
      ],
      // JSON text in JSON text: its line breaks escaped twice
      ['{\\"b\\": \\"clientSecret:\\\\n  S3cret\\\\nu: x\\"}x', `{\\"b\\": \\"clientSecret:\\\\n  ${REDACTED}\\\\nu: x\\"}x`],
      // the string's own start
      ["password:\\n  S3cret\\nuser: bob", `password:\\n  ${REDACTED}\\nuser: bob`],
      // the next line may be the value, though not deeper: masked as before, the rest of the line
      ["clientSecret:\\new-path", `clientSecret:${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "password:\n- name: x\nuser: bob",
      "password: # from vault\nuser: bob",
      '{"a": 1, "b": "password:\\nuser: bob"',
      '{"a": 1, "b": "existingSecret:\\n  db-creds\\nx: y"',
      '{"a": 1, "b": "clientSecret:\\n  valueFrom: vault\\nx: y"',
      '{"a": 1, "b": "clientSecret: # set by CI\\nx: y"',
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

describe("openssl enc's key attached with =", () => {
  it("-k=PASSWORD and -K=KEY lose their value, the option kept; another command's -k= stays", () => {
    const cases: Array<[string, string]> = [
      ["openssl enc -aes-256-cbc -k=S3cret -in a", `openssl enc -aes-256-cbc -k=${REDACTED} -in a`],
      ["openssl enc -d -aes256 -K=00112233445566778899aabbccddeeff -iv 0a", `openssl enc -d -aes256 -K=${REDACTED} -iv 0a`],
      ["openssl aes-256-cbc --k='S3 cret'", `openssl aes-256-cbc --k='${REDACTED}'`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of ["openssl s_client -k=x -connect h:443", "tool -k=x && openssl enc -in f"]) assert.equal(maskSecretsInString(s), s, s);
    const doc = { a: ["openssl", "enc", "-aes256", "-K=00112233445566778899aabbccddeeff"], b: ["openssl", "s_client", "-k=x"] };
    const expected = { a: ["openssl", "enc", "-aes256", `-K=${REDACTED}`], b: doc.b };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("a certificate Secret's name under tlsSecret, sslSecret, certSecret, caSecret", () => {
  it("stays as a word of letters ending in tls, ssl, cert(s), crt, or a name of parts; a digit or a password's word masks it", () => {
    for (const s of [
      "certSecret: webtls",
      "tlsSecret: ingresscert",
      "tlsSecret: sitecerts",
      "tlsSecret: apicrt",
      "sslSecret: tls",
      "tls:\n  certSecret:\n    sitessl",
      "certSecret: web-tls",
      "caSecret: example-com.ca",
      "tlsSecret: tls-secret",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const cases: Array<[string, string]> = [
      ["sslSecret: tls123", `sslSecret: ${REDACTED}`],
      ["tlsSecret: mycertpass", `tlsSecret: ${REDACTED}`],
      ["tlsSecret: sslpassword1", `tlsSecret: ${REDACTED}`],
      ["caSecret: crt4me2024", `caSecret: ${REDACTED}`],
      ["certSecret:\n  hunter2tls", `certSecret:\n  ${REDACTED}`],
      ["tlsSecret: pwtls", `tlsSecret: ${REDACTED}`],
      ["tlsSecret: my-pass-1", `tlsSecret: ${REDACTED}`],
      ["certSecret: admin.pw", `certSecret: ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("chpasswd's here-document in a comment or in quotes, or with no delimiter", () => {
  it("masks nothing after a comment's or a quoted <<; without its delimiter, only user:password lines lose the password", () => {
    for (const s of [
      "# chpasswd <<EOF reads stdin\nimage: nginx:1.25\nhost: db:5432",
      "# chpasswd <<EOF reads stdin\nimage: nginx\nEOF\nhost: db:5432",
      'echo "run chpasswd <<EOF"\nimage: nginx:1.25\nendpoint: http://x',
      "echo 'chpasswd <<EOF'\nroot:x\nEOF",
      '{"s": "# chpasswd <<EOF\\nimage: nginx\\nEOF"',
      '{"s": "echo \\"run chpasswd <<EOF\\"\\nimage: nginx:1.25"',
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const cases: Array<[string, string]> = [
      ["chpasswd <<EOF\nroot:S3cret\nimage: nginx\nhost: db:5432", `chpasswd <<EOF\nroot:${REDACTED}\nimage: nginx\nhost: db:5432`],
      // a comment after the delimiter, a quoted delimiter, a command in quotes that runs on more lines
      ['{"s": "chpasswd <<EOF # feed it\\nroot:S3cret\\nEOF"', `{"s": "chpasswd <<EOF # feed it\\nroot:${REDACTED}\\nEOF"`],
      ["cat <<'EOF' | chpasswd\nroot:S3cret\nEOF", `cat <<'EOF' | chpasswd\nroot:${REDACTED}\nEOF`],
      ['sudo sh -c "chpasswd <<EOF\nroot:S3cret\nEOF"', `sudo sh -c "chpasswd <<EOF\nroot:${REDACTED}\nEOF"`],
      ['{"s": "echo \\"x\\"; chpasswd <<EOF\\nroot:S3cret\\nEOF"', `{"s": "echo \\"x\\"; chpasswd <<EOF\\nroot:${REDACTED}\\nEOF"`],
      // a here-string's word is on its line: in quotes (a command's) and in a comment too
      ["bash -c 'chpasswd <<< \"root:S3cret\"'", `bash -c 'chpasswd <<< "root:${REDACTED}"'`],
      ["# chpasswd <<< root:S3cret", `# chpasswd <<< root:${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("net use's words that are no password", () => {
  it("a redirection, a comment, a variable, a sentence's last word stay; a quoted net.exe and cmd's ^ continuation mask it", () => {
    for (const s of [
      "net use Z: \\\\srv\\share /persistent:no >nul 2>&1",
      "net use \\\\srv\\share 2>nul",
      "net use \\\\srv\\share # map share",
      "net use \\\\srv\\share %PASSWORD% /user:bob",
      'net use \\\\srv\\share "%PASSWORD%" /user:bob',
      "net use \\\\srv\\share !PW! /user:bob",
      "net use \\\\srv\\share $password /user:bob",
      "net use \\\\srv\\share $env:SHARE_PW /user:bob",
      "We ran net use \\\\fileserver\\public yesterday.",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const cases: Array<[string, string]> = [
      [
        '"C:\\Windows\\System32\\net.exe" use \\\\srv\\share S3cret /user:a',
        `"C:\\Windows\\System32\\net.exe" use \\\\srv\\share ${REDACTED} /user:a`,
      ],
      ["net use Z: \\\\srv\\share ^\n  S3cret /user:a", `net use Z: \\\\srv\\share ^\n  ${REDACTED} /user:a`],
      ["net use \\\\srv\\share > nul S3cret", `net use \\\\srv\\share > nul ${REDACTED}`],
      ["net use \\\\srv\\share >nul S3cret.", `net use \\\\srv\\share >nul ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    const doc = {
      a: ["net", "use", "\\\\srv\\share", "%PASSWORD%", "/user:bob"],
      b: ["net", "use", "\\\\srv\\share", "S3cret", "/user:bob"],
    };
    const expected = { a: doc.a, b: ["net", "use", "\\\\srv\\share", REDACTED, "/user:bob"] };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("chpasswd's input with escaped tabs, a variable's user, backslashes and glued quotes", () => {
  it("the password is masked whole, the user kept", () => {
    const cases: Array<[string, string]> = [
      ["chpasswd <<-EOF\\n\\troot:S3cret\\n\\tEOF", `chpasswd <<-EOF\\n\\troot:${REDACTED}\\n\\tEOF`],
      [`chpasswd <<EOF\n\${ADMIN}:S3cret\nEOF`, `chpasswd <<EOF\n\${ADMIN}:${REDACTED}\nEOF`],
      [`echo '\${ADMIN}:S3cret' | chpasswd`, `echo '\${ADMIN}:${REDACTED}' | chpasswd`],
      ['chpasswd <<< "root:S3\\\\cret"', `chpasswd <<< "root:${REDACTED}"`],
      ['chpasswd <<< root:"S3 cret"tail', `chpasswd <<< root:${REDACTED}`],
      ['chpasswd <<< \\"root:S3cret\\"', `chpasswd <<< \\"root:${REDACTED}\\"`],
      ["chpasswd <<< $'a:x1\\nb:y1'", `chpasswd <<< $'a:${REDACTED}\\nb:${REDACTED}'`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("a script held one line per array element", () => {
  it("is read as one script (script, scripts, commands), in all three walkers; an element with a line break is read alone", () => {
    const doc = {
      a: { script: ["cat <<EOF | chpasswd", "root:S3cret", "EOF"] },
      b: { script: ["password:", "  S3cret"] },
      c: { commands: ["set -e", "htpasswd -Bbn admin \\", "  S3cret > f"] },
      // an argv's words still: read alone too
      d: { commands: ["mysql", "-pS3cret"] },
      // each element holds its own lines: read alone, as today (the body without its command keeps its words)
      e: { script: ["cat <<EOF | chpasswd\nroot:S3cret\nEOF", "root:other\nEOF"] },
      f: { other: ["cat <<EOF | chpasswd", "root:kept", "EOF"] },
    };
    const expected = {
      a: { script: ["cat <<EOF | chpasswd", `root:${REDACTED}`, "EOF"] },
      b: { script: ["password:", `  ${REDACTED}`] },
      c: { commands: ["set -e", "htpasswd -Bbn admin \\", `  ${REDACTED} > f`] },
      d: { commands: ["mysql", `-p${REDACTED}`] },
      e: { script: [`cat <<EOF | chpasswd\nroot:${REDACTED}\nEOF`, "root:other\nEOF"] },
      f: doc.f,
    };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });

  it("falls back to each element alone where the masked script has fewer lines than the array (a private key's)", () => {
    const key = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA", "-----END RSA PRIVATE KEY-----", "password: S3cret"];
    const out = bothWays({ script: key }).scanned as { script: string[] };
    assert.equal(out.script.length, 4);
    assert.equal(out.script[0], REDACTED);
    assert.equal(out.script[3], `password: ${REDACTED}`);
  });

  it("reads each element alone where one holds a line break, though the masked script has as many lines as the array", () => {
    // as one script: the key's three lines are one REDACTED, and the lines after it would move to other elements
    const script = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA", "-----END RSA PRIVATE KEY-----\nx", "password:\nS3cret"];
    const expected = [REDACTED, "MIIEowIBAAKCAQEA", "-----END RSA PRIVATE KEY-----\nx", `password:\n${REDACTED}`];
    const { stripped, scanned } = bothWays({ script });
    assert.deepEqual(stripped, { script: expected });
    assert.deepEqual(scanned, { script: expected });
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify({ script }))), { script: expected });
  });
});

describe("a password's value on the next line that is no value", () => {
  it("a comment, a log line's timestamp, a sentence stay; a single word on the next line is still the password", () => {
    for (const s of [
      "db:\n  password:\n    # from vault\n  user: x",
      "password:\n  # from vault\n  user: x",
      "2024-01-01 INFO Checking password:\n2024-01-01 INFO ok",
      "Checking password:\n[2024-01-01T10:00:00Z] ok",
      "Checking password:\n10:00:01 ok",
      "Set the password:\nThe next step is to log in.",
      "Reset the password:\nThen restart the service.",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const cases: Array<[string, string]> = [
      ["Enter password:\nhunter2", `Enter password:\n${REDACTED}`],
      ["Enter password:\nHunter2", `Enter password:\n${REDACTED}`],
      ["Enter password:\nCorrect horse battery", `Enter password:\n${REDACTED} horse battery`],
      ['{"log": "Enter password:\\nhunter2"', `{"log": "Enter password:\\n${REDACTED}"`],
      // plain text: a backslash-n may be part of the value (C:\\new): the whole run is masked
      ["Password=S3cret\\nnext", `Password=${REDACTED}`],
      // JSON text: a value ends at an escaped line break, the next line is its own
      ['{"a": "Password=S3cret\\nnext"', `{"a": "Password=${REDACTED}\\nnext"`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("a passphrase's name and the shell's $PWD", () => {
  it("a passphrase is masked as a password is; $PWD is the working directory, no password's name", () => {
    const cases: Array<[string, string]> = [
      ["passphrase: S3cret", `passphrase: ${REDACTED}`],
      ["passphrase=S3cret", `passphrase=${REDACTED}`],
      ["ssh_key_passphrase: S3cret two", `ssh_key_passphrase: ${REDACTED}`],
      // a passphrase's value is never an algorithm's name that stays
      ["passphrase: RS256", `passphrase: ${REDACTED}`],
      ["gpg --batch --passphrase S3cret -c f", `gpg --batch --passphrase ${REDACTED} -c f`],
      ["db_pwd: S3cret", `db_pwd: ${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "docker run --rm -v $PWD:/w alpine ls",
      `docker run --rm -v \${PWD}:/w alpine ls`,
      "gpg --batch --passphrase-fd 0 -c f",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
    const doc = { cfg: { passphrase: "S3cret", requirePassphrase: true } };
    const expected = { cfg: { passphrase: REDACTED, requirePassphrase: true } };
    const { stripped, scanned } = bothWays(doc);
    assert.deepEqual(stripped, expected);
    assert.deepEqual(scanned, expected);
    assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify(doc))), expected);
  });
});

describe("round-5 hostile strings take linear time", () => {
  /** [what, unit repeated to the size, before it, after it] */
  const CASES: Array<[string, string, string, string]> = [
    ["escaped 'password:\\n' repeated", "password:\\n", "", ""],
    ["escaped 'clientSecret:\\n  x\\n' repeated", "clientSecret:\\n  x\\n", '{"b": "', ""],
    ["escaped blank lines below a secret's key", "\\n", '{"b": "clientSecret:', "x"],
    ["escaped '\\t' repeated below a secret's key", "\\t", '{"b": "password:\\n', "x"],
    ["a backslash run below a secret's key", "\\", '{"b": "token:\\n  ', "x"],
    ["escaped '- ' repeated below a secret's key", "- ", '{"b": "password:\\n', ""],
    ["': #' repeated on an escaped key's line", ": #", '{"b": "password', "\\nx"],
    ["': ' repeated before an escaped line break", ": ", '{"b": "password', "\\nx"],
    ["a long key's name before an escaped line break", "a", '{"b": "', "password:\\n  x"],
    ["escaped keys one deeper each line", "\\n password:", '{"b": "', ""],
    ["'\\\"' repeated on an escaped value's line", '\\"', '{"b": "token:\\n  ', ""],
    ["'password:' and escaped blank lines repeated", "password:\\n\\n\\n", "", "x"],
    ["'Then ' and spaces repeated below a password's key", "Then  ", "password:\n", ""],
    ["'pwd:\\n' and a date repeated", "pwd:\n2024-01-01", "", ""],
    ["' -' repeated below a password's key", " -", "password:\n", ""],
    ["'- x\\n' repeated below a secret's key", "- x\n", "password:\n", ""],
    ["'- password:\\n' repeated", "- password:\n", "", ""],
    ["quotes of every escape repeated on chpasswd's line", '\'"\\\'\\"\\\\"', "chpasswd <<EOF ", "\nroot:x"],
    ["' #' repeated on chpasswd's line", " #", "chpasswd <<EOF", "\nroot:x"],
    ["'a: b\\n' repeated where the delimiter never comes", "a: b\n", "chpasswd <<EOF\n", ""],
    ["escaped '\\ta:b\\n' repeated where the delimiter never comes", "\\ta:b\\n", "chpasswd <<-EOF\\n", ""],
    ["a backslash run in a bare here-string", "\\", "chpasswd <<< root:", ""],
    ["'a:' repeated in a quoted here-string", "a:", 'chpasswd <<< "', '"'],
    ["'net use \\\\a\\b > ' repeated", "net use \\\\a\\b > ", "", ""],
    ["' >nul' repeated after net use", " >nul", "net use \\\\a\\b", " x"],
    ["' ^\\n' repeated after net use", " ^\n", "net use \\\\a\\b", " x"],
    ["' /u a' repeated after psexec", " /u a", "psexec", " /p x"],
    ["'psexec /p ' repeated", "psexec /p ", "", ""],
    ["' -k=x' repeated after openssl enc", " -k=x", "openssl enc", ""],
    ["'\"htpasswd' repeated after a word (one word, its parts glued)", '"htpasswd', "echo -n ", ""],
    ["'htpasswd\"x\"' repeated after a word", 'htpasswd"x"', "echo -n ", ""],
    ["' --use-api-socket' repeated after --entrypoint htpasswd", " --use-api-socket", "docker run --entrypoint htpasswd", " img -b f u x"],
    ["'x htpasswd -Bbn a \\\\\\n' repeated", "x htpasswd -Bbn a \\\n", "", ""],
  ];
  const SIZE = 400_000;
  const BOUND_MS = 2000;

  it(`maskSecretsInString on ${SIZE / 1000} kB adversarial strings: each under ${BOUND_MS} ms (a worker, stopped if stuck)`, async () => {
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
    const names = CASES.map((c) => c[0]);
    const times: Array<{ what: string; ms: number }> = [];
    const stuck = await new Promise<string | undefined>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const arm = (): void => {
        clearTimeout(timer);
        const wait = 3 * BOUND_MS + (times.length === 0 ? 5000 : 0);
        timer = setTimeout(() => resolve(names[times.length] ?? "worker startup"), wait);
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
    assert.equal(times.length, names.length);
  });

  it(`a script of 50,000 lines held one per element is read under ${BOUND_MS} ms`, () => {
    const script = ["cat <<EOF | chpasswd", ...Array.from({ length: 50_000 }, (_, i) => `user${i}:S3cret${i}`), "EOF"];
    const doc = { script };
    const t0 = performance.now();
    const { scanned } = bothWays(doc);
    const ms = performance.now() - t0;
    assert.ok(ms < BOUND_MS, `${Math.round(ms)} ms`);
    assert.equal((scanned as { script: string[] }).script[50_000], `user49999:${REDACTED}`);
  });
});

describe("PowerShell's $pwd holds a password; the shell's $PWD as a path stays", () => {
  it("masks the value assigned to $pwd, any case, and keeps $PWD before a path or at a word's end", () => {
    const cases: Array<[string, string]> = [
      ['$pwd = "Hunter2"', `$pwd = "${REDACTED}"`],
      ["$Pwd = 'Hunter2'", `$Pwd = '${REDACTED}'`],
      ["$PWD=Hunter2", `$PWD=${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's variable
    for (const s of ["docker run -v $PWD:/w img", "cd $PWD", "cd ${PWD}/x", "ls $PWD/dist", 'echo "$PWD"']) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

describe("a script's lines joined: a mask across lines keeps them apart", () => {
  it("masks a here-document's password after a private key's lines, a YAML value's lines, and skips non-strings", () => {
    const key = [
      "cat <<EOF | chpasswd",
      "root:Hunter2",
      "EOF",
      "cat > k.pem <<EOF",
      "-----BEGIN RSA PRIVATE KEY-----",
      "MIIEabc",
      "-----END RSA PRIVATE KEY-----",
      "EOF",
    ];
    const keyOut = ["cat <<EOF | chpasswd", `root:${REDACTED}`, "EOF", "cat > k.pem <<EOF", REDACTED, REDACTED, REDACTED, "EOF"];
    const yaml = ["cat > v.yaml <<EOF", "db:", "  password:", "    Hunter2", "  clientSecret: |", "    abc", "", "    def", "EOF"];
    const yamlOut = [
      "cat > v.yaml <<EOF",
      "db:",
      "  password:",
      `    ${REDACTED}`,
      `  clientSecret: ${REDACTED}`,
      REDACTED,
      "",
      REDACTED,
      "EOF",
    ];
    const mixed = ["chpasswd <<EOF", "root:Hunter2", "EOF", 0, null];
    const mixedOut = ["chpasswd <<EOF", `root:${REDACTED}`, "EOF", 0, null];
    for (const [script, expected] of [
      [key, keyOut],
      [yaml, yamlOut],
      [mixed, mixedOut],
    ] as const) {
      const { stripped, scanned } = bothWays({ script });
      assert.deepEqual(stripped, { script: expected });
      assert.deepEqual(scanned, { script: expected });
      assert.deepEqual(JSON.parse(maskSecretsInString(JSON.stringify({ script }))), { script: expected });
    }
  });
});

describe("a script's lines joined: no value below a printed prompt, no continuation's caret masked", () => {
  it("keeps the command after an echo's prompt and a line's trailing ^, and still masks a value below a prompt line", () => {
    const cases: Array<[unknown[], unknown[]]> = [
      [
        ["echo Enter the admin password:", "systemctl restart nginx"],
        ["echo Enter the admin password:", "systemctl restart nginx"],
      ],
      [
        ["Write-Host Password:", "Restart-Service W3SVC"],
        ["Write-Host Password:", "Restart-Service W3SVC"],
      ],
      [
        ["net use Z: \\\\srv\\share ^", "  Hunter2 /user:a"],
        ["net use Z: \\\\srv\\share ^", `  ${REDACTED} /user:a`],
      ],
      [
        ["Enter password:", "hunter2"],
        ["Enter password:", REDACTED],
      ],
    ];
    for (const [commands, expected] of cases) {
      const { stripped, scanned } = bothWays({ commands });
      assert.deepEqual(stripped, { commands: expected });
      assert.deepEqual(scanned, { commands: expected });
    }
    assert.equal(maskSecretsInString("net use Z: \\\\srv\\share ^"), "net use Z: \\\\srv\\share ^");
  });
});

describe("a password's next line: only a timestamp before a space or the line's end, only a sentence that ends", () => {
  it("masks the first word of words that make no sentence, and a value that only starts as a timestamp", () => {
    const cases: Array<[string, string]> = [
      ["Password:\nOpen Sesame", `Password:\n${REDACTED} Sesame`],
      ['{"b": "password:\\nOpen Sesame"', `{"b": "password:\\n${REDACTED} Sesame"`],
      ["password:\nNow Hunter2", `password:\n${REDACTED} Hunter2`],
      ["password:\nA b", `password:\n${REDACTED} b`],
      ["password:\nThe quick brown fox", `password:\n${REDACTED} quick brown fox`],
      ["password:\nThe end.", `password:\n${REDACTED} end.`],
      ["password:\n12:34:56abc", `password:\n${REDACTED}`],
      ["password:\n[2024-01-01]x", `password:\n${REDACTED}`],
      ["password:\n2024-01-01", `password:\n${REDACTED}`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
    for (const s of [
      "password:\nThe quick brown fox jumps.",
      "password:\n2024-01-01 INFO ok",
      "password:\n[2024-01-01T10:00:00Z]",
      "password:\n[2024-01-01] ok",
      "password:\n12:34:56",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});

describe("a value's backslash and n in a string that is no JSON text", () => {
  it("masks the whole run; in JSON text the value still ends at an escaped line break", () => {
    const cases: Array<[string, string]> = [
      ["Password=C:\\new\\pw", `Password=${REDACTED}`],
      ["Password=Sup3r\\nova!", `Password=${REDACTED}`],
      ["token=abc\\r\\ndef", `token=${REDACTED}`],
      ['{"a": "token=abc\\r\\ndef"', `{"a": "token=${REDACTED}\\r\\ndef"`],
      ['x {\\"c\\": \\"Password=S3cret\\nnext\\"}', `x {\\"c\\": \\"Password=${REDACTED}\\nnext\\"}`],
      ["password:\\n  S3cret\\nuser: bob", `password:\\n  ${REDACTED}\\nuser: bob`],
    ];
    for (const [s, expected] of cases) assert.equal(maskSecretsInString(s), expected, s);
  });
});

describe("a certificate Secret's name: a certificate's word or a domain, no part a password's", () => {
  it("masks dashed words, parts that mix letters and digits, and keeps certificate and domain names", () => {
    for (const [s, expected] of [
      ["certSecret: correct-horse", `certSecret: ${REDACTED}`],
      ["tlsSecret: s3cret-2024", `tlsSecret: ${REDACTED}`],
      ["tlsSecret:\n  trustno1-x", `tlsSecret:\n  ${REDACTED}`],
      ["tlsSecret: tls-hunter2", `tlsSecret: ${REDACTED}`],
      ["tlsSecret: example-com", `tlsSecret: ${REDACTED}`],
      ["tlsSecret: api2.example.com", `tlsSecret: ${REDACTED}`],
      ["tlsSecret: my-pass-tls", `tlsSecret: ${REDACTED}`],
    ]) {
      assert.equal(maskSecretsInString(s as string), expected, s);
    }
    for (const s of [
      "tlsSecret: web-tls",
      "tlsSecret: web-tls-2024",
      "certSecret: web-tls.example",
      "tlsSecret: example.com",
      "caSecret: ca.internal",
      "sslSecret: site-certs",
      "tlsSecret: webtls",
    ]) {
      assert.equal(maskSecretsInString(s), s, s);
    }
  });
});
