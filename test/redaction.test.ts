/**
 * Secrets in a snapshot file (which `check --snapshot` reads as given) never
 * reach any output: customData, osProfile.adminPassword, connection strings
 * and SAS tokens in tags and properties are stripped or masked before any
 * evidence value is rendered, in every format and in `diff`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { finishSnapshot } from "../src/commands/snapshot.ts";
import { InputError } from "../src/core/errors.ts";
import { loadSnapshotFile, parseSnapshot } from "../src/core/snapshot/load.ts";
import { maskSecretsInString, REDACTED, stripSecrets } from "../src/core/util/secrets.ts";
import { providerFor } from "../src/providers/index.ts";
import { fixture, lbdoctor } from "./support/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-redaction-"));
const SECRETS = [
  "Sup3r-S3cret-Passw0rd",
  "I2Nsb3VkLWNvbmZpZwpzZWNyZXQ9Y3VzdG9t",
  "dXNlcmRhdGEtc2VjcmV0LXZhbHVl",
  "c2VjcmV0LWFjY291bnQta2V5LXZhbHVlCg==",
  "sv2022sigSECRETSECRETSECRET",
  "protected-extension-secret",
  "Pa55w0rd-in-description",
  "Key-Name-Secret-1",
];

function secretSnapshot(): string {
  const snap = JSON.parse(readFileSync(fixture("demo"), "utf8"));
  for (const r of snap.resources) {
    if (r.type === "Microsoft.Compute/virtualMachines") {
      r.properties.osProfile = { computerName: r.name, adminUsername: "azureuser", adminPassword: SECRETS[0], customData: SECRETS[1] };
      r.properties.userData = SECRETS[2];
      r.resources = [{ name: "ext", type: "extensions", properties: { protectedSettings: { commandToExecute: SECRETS[5] } } }];
      r.tags = { sas: `https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=${SECRETS[4]}` };
    }
    if (r.type === "Microsoft.Network/networkSecurityGroups") {
      r.tags = {
        storage: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${SECRETS[3]};EndpointSuffix=core.windows.net`,
        // a secret in a key name
        [`https://deploy:${SECRETS[7]}@git.example.com/app`]: "repo",
      };
      for (const rule of r.properties.securityRules) rule.properties.description = `db: Server=x;Password=${SECRETS[6]};`;
    }
    if (r.type === "Microsoft.Network/networkInterfaces") {
      for (const ipc of r.properties.ipConfigurations) ipc.properties.note = `AccountKey=${SECRETS[3]}`;
    }
  }
  const file = join(tmp, "secret.json");
  writeFileSync(file, JSON.stringify(snap));
  return file;
}

function assertClean(what: string, text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${what} shows a secret (${s.slice(0, 8)}…)`);
}

describe("no secret reaches any output", () => {
  const file = secretSnapshot();

  it("check, every format (and --verbose text, which shows passing checks' evidence too)", () => {
    for (const args of [
      ["--verbose"],
      ["--format", "json"],
      ["--format", "sarif"],
      ["--format", "junit"],
      ["--format", "markdown"],
      ["--format", "github"],
    ]) {
      const r = lbdoctor(["check", "--snapshot", file, ...args]);
      assert.equal(r.code, 1, r.stderr);
      assertClean(args.join(" "), r.stdout + r.stderr);
    }
  });

  it("the values were there and are masked, not silently lost from the evidence", () => {
    const report = lbdoctor(["check", "--snapshot", file, "--format", "json"]).stdout;
    assert.match(report, /Password=\[redacted\]/, "the NSG rule description is evidence: masked in place");
    assert.match(report, /AccountKey=\[redacted\]/);
  });

  it("diff shows the changes, masked", () => {
    for (const format of ["text", "json", "markdown"]) {
      const r = lbdoctor(["diff", fixture("demo"), file, "--format", format]);
      assert.equal(r.code, 1, r.stderr);
      assertClean(`diff ${format}`, r.stdout);
      if (format === "json") assert.match(r.stdout, /\[redacted\]/);
    }
  });
});

describe("loading a snapshot file: one walk checks the depth and finds the secrets", () => {
  it("the loaded snapshot is the parsed one with stripSecrets applied: same values removed, same masks", () => {
    const file = secretSnapshot();
    const expected = parseSnapshot(readFileSync(file, "utf8"), file);
    assert.ok(stripSecrets(expected) >= 7, "the file holds secrets to strip");
    const loaded = loadSnapshotFile(file);
    assert.deepEqual(loaded, expected);
    assertClean("loadSnapshotFile", JSON.stringify(loaded));
  });

  it("nesting: 99 levels load; 100 are refused with the same pointer as parseSnapshot, even inside a field that is removed", () => {
    const snap = JSON.parse(readFileSync(fixture("demo"), "utf8"));
    const vm = snap.resources.findIndex((r: { type: string }) => r.type === "Microsoft.Compute/virtualMachines");
    // the root is level 0, resources 1, the resource 2, properties 3, osProfile 4: `n` more arrays inside it
    const nested = (n: number): string => {
      snap.resources[vm].properties.osProfile = { adminPassword: "x", deep: JSON.parse(`${"[".repeat(n)}${"]".repeat(n)}`) };
      const file = join(tmp, `nested-${n}.json`);
      writeFileSync(file, JSON.stringify(snap));
      return file;
    };
    const ok = nested(95);
    assert.equal((loadSnapshotFile(ok) as unknown as { resources: unknown[] }).resources.length, snap.resources.length);
    const deep = nested(96);
    assert.throws(() => parseSnapshot(readFileSync(deep, "utf8"), deep), /nested more than 100 levels deep/);
    const fromParse = (() => {
      try {
        parseSnapshot(readFileSync(deep, "utf8"), deep);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    assert.throws(
      () => loadSnapshotFile(deep),
      (e: Error) => e instanceof InputError && e.message === fromParse,
    );
  });
});

describe("secrets in change records and AWS tags", () => {
  it("a change keyed by a property path that names a secret (properties.osProfile.adminPassword) is removed", () => {
    const doc = {
      changes: {
        "properties.osProfile.adminPassword": { previousValue: "OldP4ssw0rd!", newValue: "N3w!" },
        "properties.userData": { previousValue: "ZXhwb3J0", newValue: "x" },
        "properties.hardwareProfile.vmSize": { previousValue: "Standard_B1s", newValue: "Standard_B2s" },
      },
    };
    stripSecrets(doc);
    assert.deepEqual(Object.keys(doc.changes), ["properties.hardwareProfile.vmSize"]);
  });

  it("JSON held as a string (an Activity Log requestbody, a CloudTrail event) has its secret fields masked", () => {
    const doc = {
      requestbody: JSON.stringify({ properties: { osProfile: { adminPassword: "OldP4ssw0rd!", customData: "I2Nsb3Vk" } } }),
      CloudTrailEvent: JSON.stringify({ requestParameters: { userData: { value: "AWSSEC07" }, instanceType: "t3.micro" } }),
    };
    stripSecrets(doc);
    const text = JSON.stringify(doc);
    for (const secret of ["OldP4ssw0rd!", "I2Nsb3Vk", "AWSSEC07"]) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.ok(text.includes("t3.micro"), "the rest stays");
    assert.doesNotThrow(() => JSON.parse(doc.CloudTrailEvent), "still JSON");
  });

  it("an AWS tag whose key names a secret keeps its key, not its value", () => {
    const tags = [
      { Key: "aws_secret_access_key", Value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
      { Key: "Password", Value: "Hunter2-plain" },
      { Key: "env", Value: "prod" },
    ];
    stripSecrets({ Tags: tags });
    assert.deepEqual(
      tags.map((t) => t.Value),
      ["[redacted]", "[redacted]", "prod"],
    );
    // and through the CLI, from a snapshot file
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-tag-secret-"));
    const snap = JSON.parse(readFileSync(join(fixture("demo"), "..", "..", "aws", "targets-unhealthy.json"), "utf8"));
    snap.ec2.Instances[0].Tags.push({ Key: "Password", Value: "Hunter2-plain" });
    const file = join(dir, "s.json");
    writeFileSync(file, JSON.stringify(snap));
    const r = lbdoctor(["check", "--snapshot", file, "--format", "json", "--include-passed"]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.ok(!r.stdout.includes("Hunter2"), "the tag's value is in no report");
  });
});

describe("credential headers and name/value pairs in a document", () => {
  it("a member named as a credential header keeps its scheme, not its credentials; an object there is read as any value", () => {
    const doc = {
      headers: { Authorization: "Basic dXNlcjpodW50ZXIy", Cookie: "sid=s3cr3t", "x-api-key": "k3y-plain", Accept: "text/html" },
      // an Activity Log event's authorization is {action, scope}: nothing secret, kept
      authorization: { action: "Microsoft.Network/loadBalancers/write", scope: "/subscriptions/s" },
    };
    const n = stripSecrets(doc);
    assert.equal(n, 3);
    assert.deepEqual(doc.headers, {
      Authorization: "Basic [redacted]",
      Cookie: "[redacted]",
      "x-api-key": "[redacted]",
      Accept: "text/html",
    });
    assert.deepEqual(doc.authorization, { action: "Microsoft.Network/loadBalancers/write", scope: "/subscriptions/s" });
  });

  it("a setting, environment variable or header given as a name/value pair loses a secret value, whatever the pair's member names", () => {
    const doc = {
      appSettings: [
        { name: "DB_PASSWORD", value: "Hunter2-plain" },
        { name: "WEBSITE_RUN_FROM_PACKAGE", value: "1" },
      ],
      rewrite: [{ headerName: "Authorization", headerValue: "Bearer abc.def" }],
      frontDoor: [{ headerName: "Cookie", value: "sid=s3cr3t", headerAction: "Overwrite" }],
      // an ordinary ARM object with a name and a value: nothing to mask
      ipTag: { name: "FirstPartyUsage", value: "/Unprivileged" },
    };
    stripSecrets(doc);
    assert.deepEqual(doc.appSettings, [
      { name: "DB_PASSWORD", value: "[redacted]" },
      { name: "WEBSITE_RUN_FROM_PACKAGE", value: "1" },
    ]);
    assert.deepEqual(doc.rewrite, [{ headerName: "Authorization", headerValue: "Bearer [redacted]" }]);
    assert.deepEqual(doc.frontDoor, [{ headerName: "Cookie", value: "[redacted]", headerAction: "Overwrite" }]);
    assert.deepEqual(doc.ipTag, { name: "FirstPartyUsage", value: "/Unprivileged" });
  });

  it("a snapshot file loads with both masked, as stripSecrets masks them, and JSON text in a string the same way", () => {
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-header-secret-"));
    const snap = JSON.parse(readFileSync(join(fixture("demo"), "..", "..", "aws", "targets-unhealthy.json"), "utf8"));
    snap.ec2.Instances[0].Tags.push({ Key: "Authorization", Value: "Basic dXNlcjpodW50ZXIy" });
    snap.ec2.Instances[0].headers = { Cookie: "sid=s3cr3t" };
    snap.ec2.Instances[0].Description = JSON.stringify({ env: [{ name: "API_SECRET", value: "Hunter2-plain" }] });
    const file = join(dir, "s.json");
    writeFileSync(file, JSON.stringify(snap));
    const expected = JSON.parse(readFileSync(file, "utf8"));
    stripSecrets(expected);
    const loaded = loadSnapshotFile(file) as unknown as typeof snap;
    assert.deepEqual(loaded.ec2.Instances[0].Tags.at(-1), { Key: "Authorization", Value: "Basic [redacted]" });
    assert.deepEqual(loaded.ec2.Instances[0].headers, { Cookie: "[redacted]" });
    assert.equal(loaded.ec2.Instances[0].Description, JSON.stringify({ env: [{ name: "API_SECRET", value: "[redacted]" }] }));
    assert.deepEqual(loaded.ec2.Instances[0], expected.ec2.Instances[0]);
  });
});

describe("snapshot --redact: tag values in change records", () => {
  interface Change {
    previousValue?: unknown;
    newValue?: unknown;
    changeCategory?: string;
    propertyChangeType?: string;
  }
  interface Doc {
    resources: Array<{ name: string; tags?: Record<string, string> }>;
    observations: { resourceChanges: Record<string, Array<{ name: string; properties: { changes: Record<string, Change> } }>> };
  }
  const rowsOf = (doc: Doc) => Object.values(doc.observations.resourceChanges).flat();
  const pipOf = (doc: Doc) => doc.resources.find((r) => r.name === "pip-lb-web") as Doc["resources"][number];

  it("Azure: a change on a tag (tags.costCenter: web → web-prod, or the whole tags map) is masked as the resource's tags are", async () => {
    const snap = JSON.parse(readFileSync(fixture("change-before-failure"), "utf8")) as Doc;
    pipOf(snap).tags = { costCenter: "web-prod", owner: "team-alpha" };
    const row = rowsOf(snap).find((r) => r.properties.changes["tags.costCenter"]);
    assert.ok(row, "the fixture changes a tag");
    row.properties.changes.tags = {
      previousValue: { owner: "team-beta" },
      newValue: { owner: "team-alpha" },
      changeCategory: "User",
      propertyChangeType: "Update",
    };
    const snapshot = parseSnapshot(JSON.stringify(snap), "azure");
    await finishSnapshot(snapshot as unknown as Record<string, unknown>, snapshot, await providerFor("azure"), true);
    const doc = snapshot as unknown as Doc;
    const text = JSON.stringify(doc);
    for (const v of ["web-prod", '"web"', "team-alpha", "team-beta"]) assert.ok(!text.includes(v), `${v} survives --redact`);
    const masked = pipOf(doc).tags ?? {};
    const changes = rowsOf(doc).find((r) => r.name === row.name)?.properties.changes ?? {};
    const byTag = changes["tags.costCenter"] as Change;
    const whole = changes.tags as Change;
    // consistent: the same value masks the same way in the resource and in its change
    assert.equal(byTag.newValue, masked.costCenter);
    assert.match(String(byTag.previousValue), /^tag-[0-9a-f]{10}$/);
    assert.deepEqual(whole.newValue, { owner: masked.owner });
    assert.match(String((whole.previousValue as Record<string, string>).owner), /^tag-[0-9a-f]{10}$/);
    // the rest of the change record is not a tag value: it stays, so the timeline reads the same
    assert.equal(byTag.changeCategory, "User");
    assert.equal(whole.propertyChangeType, "Update");
  });

  it("Azure: the tags of a body the Activity Log recorded (requestbody) are masked as the resource's are", async () => {
    const snap = JSON.parse(readFileSync(fixture("change-before-failure"), "utf8"));
    const pip = snap.resources.find((r: { name: string }) => r.name === "pip-lb-web");
    pip.tags = { costCenter: "web-prod" };
    const event = (Object.values(snap.observations.activityLog) as Array<Array<{ properties?: Record<string, string> }>>)[0]?.[0];
    assert.ok(event, "the fixture has an Activity Log event");
    event.properties = {
      requestbody: JSON.stringify({ location: "westeurope", tags: { costCenter: "web-prod" }, properties: { idleTimeoutInMinutes: 4 } }),
    };
    const snapshot = parseSnapshot(JSON.stringify(snap), "azure");
    const doc = snapshot as unknown as Record<string, unknown>;
    await finishSnapshot(doc, snapshot, await providerFor("azure"), true);
    assert.ok(!JSON.stringify(doc).includes("web-prod"), "the tag value survives --redact in the requestbody");
    const masked = (doc.resources as Array<{ name: string; tags: Record<string, string> }>).find((r) => r.name === "pip-lb-web")?.tags
      .costCenter;
    const body = JSON.parse(event.properties.requestbody as string);
    const after = JSON.parse(
      ((
        Object.values((doc.observations as Record<string, unknown>).activityLog as object)[0] as Array<{
          properties: Record<string, string>;
        }>
      )[0]?.properties.requestbody as string) ?? "{}",
    );
    assert.deepEqual(after, { ...body, tags: { costCenter: masked } }, "only the tag value changed, masked consistently");
  });

  it("AWS: a tag value in a CloudTrail record (CreateTags) is masked as the instance's tag is; other key/value pairs stay", async () => {
    const snap = JSON.parse(readFileSync(join(fixture("demo"), "..", "..", "aws", "change-before-failure.json"), "utf8"));
    const instance = snap.ec2.Instances[0];
    instance.Tags.push({ Key: "costCenter", Value: "web-prod" });
    const record = {
      eventName: "CreateTags",
      eventSource: "ec2.amazonaws.com",
      requestParameters: {
        resourcesSet: { items: [{ resourceId: instance.InstanceId }] },
        tagSet: { items: [{ key: "costCenter", value: "web-prod" }] },
      },
    };
    snap.observations.cloudtrail.Events.push({
      EventId: "ev-tags",
      EventName: "CreateTags",
      EventTime: "2026-03-14T02:50:00Z",
      CloudTrailEvent: JSON.stringify(record),
    });
    const snapshot = parseSnapshot(JSON.stringify(snap), "aws");
    const doc = snapshot as unknown as {
      ec2: { Instances: Array<{ Tags: Array<{ Key: string; Value: string }> }> };
      observations: { cloudtrail: { Events: Array<{ EventId: string; CloudTrailEvent: string }> } };
    };
    await finishSnapshot(doc as unknown as Record<string, unknown>, snapshot, await providerFor("aws"), true);
    assert.ok(!JSON.stringify(doc).includes("web-prod"), "the tag value survives --redact in the CloudTrail record");
    const masked = doc.ec2.Instances[0]?.Tags.find((t) => t.Key === "costCenter")?.Value;
    const events = doc.observations.cloudtrail.Events;
    const after = JSON.parse(events.find((e) => e.EventId === "ev-tags")?.CloudTrailEvent ?? "{}");
    assert.equal(after.requestParameters.tagSet.items[0].value, masked);
    assert.equal(after.requestParameters.tagSet.items[0].key, "costCenter");
    // ModifyTargetGroupAttributes' attributes are key/value pairs too, but no tags: they stay
    const attrs = JSON.parse(events.find((e) => e.EventId === "ev-19cea3aad80")?.CloudTrailEvent ?? "{}");
    assert.equal(attrs.requestParameters.attributes[0].value, "60");
  });
});

describe("secret shapes in a string: masked where clearly a secret, ordinary values left alone", () => {
  const MASKED: Array<[string, string]> = [
    // quoted values after `=`, and `:` forms
    ['Server=tcp:db,1433;User ID=app;Password="hunter2";', 'Server=tcp:db,1433;User ID=app;Password="[redacted]";'],
    ["Server=db;Pwd='hunter 2';Encrypt=true", "Server=db;Pwd='[redacted]';Encrypt=true"],
    ['Password="hunter2', "Password=[redacted]"],
    ["password: 'hunter2'", "password: '[redacted]'"],
    ['db: { password: "hunter2", user: "app" }', 'db: { password: "[redacted]", user: "app" }'],
    ["PASSWORD: hunter2", "PASSWORD: [redacted]"],
    ['{"dbPassword":"hunter2","user":"app"}', '{"dbPassword":"[redacted]","user":"app"}'],
    ['{\\"apiToken\\":\\"abc123\\"}', '{\\"apiToken\\":\\"[redacted]\\"}'],
    // a URL whose password holds a raw `@`: all of it, up to the host
    ["https://user:p@ss@host.example.com/path", "https://user:[redacted]@host.example.com/path"],
    ["redis://default:p@ss@w0rd@cache:6380", "redis://default:[redacted]@cache:6380"],
    ["https://u:pw@host/path?contact=ops@example.com", "https://u:[redacted]@host/path?contact=ops@example.com"],
    // … but never a raw `/`: as RFC 3986 reads a URL (decided: the authority ends at the first `/`, its userinfo at the
    // authority's last `@`), `user:p@ss` is the authority here, `ss` its host, the rest the path; reading past the `/`
    // instead masked the host of `https://host:8443/path@v2` and of npm's `/@scope` URLs
    ["https://user:p@ss/word@host.example/path", "https://user:[redacted]@ss/word@host.example/path"],
    ["git clone https://deploy:p@ss/w@rd@git.example.com/app.git", "git clone https://deploy:[redacted]@ss/w@rd@git.example.com/app.git"],
    // tokens and signatures in query strings and health-check paths
    ["/health?token=abc123", "/health?token=[redacted]"],
    ["/healthz?probe=1&access_token=abc123&x=2", "/healthz?probe=1&access_token=[redacted]&x=2"],
    [
      "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0a1b2c3d4e&X-Amz-Security-Token=FwoGZXIvYXdz&X-Amz-Expires=60",
      "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=[redacted]&X-Amz-Security-Token=[redacted]&X-Amz-Expires=60",
    ],
    ["DB_PASSWORD=hunter2 ./run", "DB_PASSWORD=[redacted] ./run"],
    // escaped JSON in text that is not JSON (a log line): the escaped closing quote keeps its backslash
    ['body: {\\"cs\\":\\"Password=hunter2\\"}', 'body: {\\"cs\\":\\"Password=[redacted]\\"}'],
    ["client_secret=s3cr3t&grant_type=client_credentials", "client_secret=[redacted]&grant_type=client_credentials"],
    // an opaque bearer token (a JWT is masked whole by its own shape)
    [
      'curl -H "Authorization: Bearer 2YotnFZFEjr1zCsicMWpAA" http://10.0.0.4/',
      'curl -H "Authorization: Bearer [redacted]" http://10.0.0.4/',
    ],
    ["authorization: bearer gho_16C7e42F292c6912E7710c838347Ae178B4a", "authorization: bearer [redacted]"],
    // credential headers in any scheme: Basic carries user:password in base64
    ["Authorization: Basic dXNlcjpodW50ZXIy", "Authorization: Basic [redacted]"],
    [
      "curl -H 'Authorization: token ghp_16C7e42F292c6912E7710c8' http://10.0.0.4/",
      "curl -H 'Authorization: token [redacted]' http://10.0.0.4/",
    ],
    ["Authorization: 2YotnFZFEjr1zCsicMWpAA", "Authorization: [redacted]"],
    ["Proxy-Authorization:Basic dXNlcjpodW50ZXIy", "Proxy-Authorization:Basic [redacted]"],
    ['{"Authorization":"SharedKey acct:Zm9vYmFy\\/cXV4"}', '{"Authorization":"SharedKey [redacted]"}'],
    ['{\\"authorization\\": \\"Basic dXNlcjpodW50ZXIy\\"}', '{\\"authorization\\": \\"Basic [redacted]\\"}'],
    ["curl -H 'x-api-key: 0123456789abcdef' https://api", "curl -H 'x-api-key: [redacted]' https://api"],
    ["Ocp-Apim-Subscription-Key: 0123456789abcdef", "Ocp-Apim-Subscription-Key: [redacted]"],
    ["X-Auth-Token: abc123", "X-Auth-Token: [redacted]"],
    ["Cookie: session=abc123; theme=dark", "Cookie: [redacted]"],
    // a value ending in an escaped backslash (JSON text, a CloudTrail event): the closing quote stays unescaped
    ['{"authorization":"Basic dXNlcjpodW50ZXIy\\\\","x":1}', '{"authorization":"Basic [redacted]","x":1}'],
    ['{"h":"Cookie: a=b\\\\"}', '{"h":"Cookie: [redacted]"}'],
    // quoted parameters (RFC 6265 cookie values, Digest's response="…"): masked whole, bare or escaped in JSON text
    ['Cookie: sid="s3cr3tvalue"', "Cookie: [redacted]"],
    ['Authorization: Digest username="bob", realm="x", response="6629fae49393a05397450978507c4ef1"', "Authorization: Digest [redacted]"],
    [`curl -H 'Cookie: sid="s3cr3t"' http://x`, "curl -H 'Cookie: [redacted]' http://x"],
    ['{"h":"Cookie: sid=\\"s3cr3t\\"; t=1","n":1}', '{"h":"Cookie: [redacted]","n":1}'],
    // a value ending in `=` before the next JSON string: the string's end is not a quoted parameter's start
    ['["Cookie: a=",";"]', '["Cookie: [redacted]",";"]'],
    // … nor what spans JSON values between two strings, in text that is not JSON as a whole
    ['log: ["Cookie: a=",[1,",x"]]', 'log: ["Cookie: [redacted]",[1,",x"]]'],
    // an empty quoted cookie value, or a quote inside one, hides none of the cookies after it
    ['Cookie: a=""; b=s3cr3t', "Cookie: [redacted]"],
    [`curl -H 'Cookie: a=""; b=s3cr3t' http://x`, "curl -H 'Cookie: [redacted]' http://x"],
    ['{"h":"Cookie: a=\\"\\"; b=s3cr3t","n":1}', '{"h":"Cookie: [redacted]","n":1}'],
    ["Cookie: a=''; b=s3cr3t", "Cookie: [redacted]"],
    ['Cookie: a=x"y; b=s3cr3t', "Cookie: [redacted]"],
    // the value quoted after the colon, as YAML and config dumps write it: the credential masked, the scheme and quotes kept
    ['authorization: "Basic dXNlcjpodW50ZXIy"', 'authorization: "Basic [redacted]"'],
    ["Authorization: 'Bearer abc123'", "Authorization: 'Bearer [redacted]'"],
    ['Proxy-Authorization: "Basic dXNlcjpodW50ZXIy"', 'Proxy-Authorization: "Basic [redacted]"'],
    [
      "headers:\n  proxy-authorization: 'Negotiate YIIabc'\n  accept: '*/*'",
      "headers:\n  proxy-authorization: 'Negotiate [redacted]'\n  accept: '*/*'",
    ],
    ['{"config":"authorization: \\"Basic dXNlcjpodW50ZXIy\\""}', '{"config":"authorization: \\"Basic [redacted]\\""}'],
    // a credential header as a member of JSON text, its value with quoted parameters: all of them
    [
      '{"Authorization": "Digest username=\\"bob\\", response=\\"6629fae49393a05397450978507c4ef1\\""}',
      '{"Authorization": "Digest [redacted]"}',
    ],
    // a YAML line of a secret's name: its whole value, a block scalar's lines too; a VPN connection's shared key; an en dash
    ["  client_secret: correct S3cret staple", "  client_secret: [redacted]"],
    ["clientSecret: |\n  S3cret\n", "clientSecret: [redacted]\n"],
    [
      "az network vpn-connection create -g rg -n c --shared-key S3cret",
      "az network vpn-connection create -g rg -n c --shared-key [redacted]",
    ],
    ["$p = ConvertTo-SecureString 'S3cret' –AsPlainText –Force", "$p = ConvertTo-SecureString '[redacted]' –AsPlainText –Force"],
  ];
  const KEPT = [
    "/healthz",
    "the bearer of this note",
    "Bearer auth is required",
    "Authorization header is required",
    // an Activity Log's `authorization` member, as JSON text: no credential, and the JSON stays whole
    '{"authorization":{"action":"Microsoft.Network/loadBalancers/write","scope":"/subscriptions/x"},"cookie":true}',
    // (a YAML line `my-api-key: shown` is masked since the YAML pass: a key's value under an api-key name, whatever it is)
    "/health?probe=1",
    "tokenizer=bert-base",
    "maxTokens=5",
    "secretName=db-conn",
    // paging tokens are no secret: a nextLink keeps its $skiptoken
    "https://management.azure.com/subscriptions/x/providers/Microsoft.Network/networkInterfaces?api-version=2024-05-01&$skiptoken=abc",
    "NextToken=abc",
    "pageToken=xyz&continuationToken=abc",
    "passwordless=true",
    "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/keys/app-key",
    "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa/listKeys",
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
    "https://host.example.com/path?contact=ops@example.com",
    "mailto:ops@example.com",
    "2026-03-14T02:41:30Z",
    "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey",
    // prose that names net and ConvertTo-SecureString, a YAML comment, Kubernetes Secrets' names
    "The net effect: user traffic from 10.0.0.0/8 is dropped; see --probe-name",
    "Use ConvertTo-SecureString -AsPlainText -Force only in tests",
    "clientSecret: # set by pipeline",
    "  existingSecret: db-creds",
    "imagePullSecret: regcred",
  ];

  for (const [input, expected] of MASKED) it(`masks ${input}`, () => assert.equal(maskSecretsInString(input), expected));
  it("leaves ordinary values as they are", () => {
    for (const v of KEPT) assert.equal(maskSecretsInString(v), v);
  });

  it("a property, tag or AWS tag key whose name ends in a password's or secret's name loses its value; token and key names keep theirs", () => {
    const doc = {
      properties: { dbPassword: "hunter2", disablePasswordAuthentication: true, nextToken: "abc", sshPublicKey: "ssh-rsa AAAA" },
      tags: { "db-password": "hunter2", "app-secret": "s3cr3t", env: "prod" },
      Tags: [
        { Key: "db_pwd", Value: "hunter2" },
        { Key: "Name", Value: "web-1" },
      ],
      AuthenticateOidcConfig: { ClientId: "app", ClientSecret: "oidc-secret" },
      requestbody: '{"properties":{"dbPassword":"hunter2","port":5432}}',
    };
    stripSecrets(doc);
    assert.deepEqual(doc, {
      properties: { disablePasswordAuthentication: true, nextToken: "abc", sshPublicKey: "ssh-rsa AAAA" },
      tags: { env: "prod" },
      Tags: [
        { Key: "db_pwd", Value: REDACTED },
        { Key: "Name", Value: "web-1" },
      ],
      AuthenticateOidcConfig: { ClientId: "app" },
      requestbody: `{"properties":{"dbPassword":"${REDACTED}","port":5432}}`,
    });
  });

  it("a secret inside a key name is masked in the name; the value, and keys that are ids, stay", () => {
    const id = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/keys/k";
    const doc = {
      tags: { "Password=hunter2": "a", "https://deploy:p@ss@git.example.com/app": "b", env: "prod" },
      observations: { [id]: { healthy: 1 } },
    };
    stripSecrets(doc);
    assert.deepEqual(doc, {
      tags: { "Password=[redacted]": "a", "https://deploy:[redacted]@git.example.com/app": "b", env: "prod" },
      observations: { [id]: { healthy: 1 } },
    });
  });
});

describe("JSON text nested in JSON strings (an Activity Log requestbody holding JSON, itself holding escaped JSON)", () => {
  /** Every level of `text` that parsed as JSON still does in `out`, as the same kind of value. */
  function brokenLevel(text: string, out: string): string | undefined {
    const walk = (a: unknown, b: unknown, path: string): string | undefined => {
      if (typeof a === "string") {
        let inner: unknown;
        try {
          inner = JSON.parse(a);
        } catch {
          return undefined;
        }
        if (typeof b !== "string") return `${path} is no string any more`;
        if (inner === null || typeof inner !== "object") return undefined;
        try {
          return walk(inner, JSON.parse(b), `${path}>`);
        } catch (e) {
          return `${path}: ${(e as Error).message}`;
        }
      }
      if (a === null || typeof a !== "object") return undefined;
      if (b === null || typeof b !== "object" || Array.isArray(a) !== Array.isArray(b)) return `${path} is no ${typeof a} any more`;
      for (const [k, x] of Object.entries(a)) {
        if (!Object.hasOwn(b, k)) continue;
        const p = walk(x, (b as Record<string, unknown>)[k], `${path}.${k}`);
        if (p) return p;
      }
      return undefined;
    };
    try {
      return walk(JSON.parse(text), JSON.parse(out), "$");
    } catch (e) {
      return `$: ${(e as Error).message}`;
    }
  }

  it("a credential two and three levels down is masked, and every level still parses", () => {
    const inner = { Authorization: "Basic dXNlcjpodW50ZXIy", cs: "Server=db;Password=hunter2", url: "https://u:p@ss/w@h.example/x" };
    for (const text of [
      JSON.stringify({ requestbody: JSON.stringify(inner) }),
      JSON.stringify({ properties: { template: JSON.stringify({ value: JSON.stringify(inner) }) } }),
      // a connection string ending a JSON string two levels down: its closing quote stays (it lost its backslash)
      JSON.stringify({ cs: JSON.stringify({ c: "Server=db;Password=hunter2" }) }),
      // a PEM key with no END line: masked to the string's end, not the text's
      JSON.stringify({ k: "-----BEGIN RSA PRIVATE KEY-----\nMIIEhunter2", n: 1 }),
    ]) {
      const out = maskSecretsInString(text);
      assert.equal(brokenLevel(text, out), undefined, out);
      assert.ok(!/hunter2|dXNlcjpodW50ZXIy|p@ss/.test(out), out);
    }
    // a URL's password never spans two JSON strings
    const urls = '{"a":["https://u:x"],"b":"y@z"}';
    assert.equal(maskSecretsInString(urls), urls);
  });

  it("randomized: nested documents with credentials planted, masked, parse at every level and hold none of them", () => {
    // mulberry32, a fixed seed: the same documents every run
    let seed = 20261204;
    const rnd = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (n: number): number => Math.floor(rnd() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
    // every credential carries ZQX: none may survive
    const secret = (): string => `ZQX${Array.from({ length: 4 + int(8) }, () => pick([..."abcdefghijkXYZ0123456789+/"])).join("")}`;
    const creds: Array<() => string> = [
      () => `Authorization: Basic ${secret()}`,
      () => `authorization: "Basic ${secret()}"`,
      () => `Authorization: 'Bearer ${secret()}'`,
      () => `Proxy-Authorization: "Basic ${secret()}"`,
      () => `proxy-authorization: 'Negotiate ${secret()}'`,
      () => `Authorization: Digest username="bob", response="${secret()}"`,
      () => `curl -H "Authorization: Bearer ${secret()}" http://10.0.0.4/`,
      () => `curl -H 'Proxy-Authorization: Basic ${secret()}' http://10.0.0.4/`,
      () => `Cookie: a=""; b=${secret()}`,
      () => `Cookie: sid="${secret()}"; t=1`,
      () => `Set-Cookie: id=${secret()}; Path=/; HttpOnly`,
      () => `X-Api-Key: ${secret()}`,
      () => `Server=db;Password=${secret()};`,
      () => `Server=db;Password="${secret()}";`,
      () => `password: '${secret()}'`,
      // a URL's password holds no raw `/` (RFC 3986: the authority ends at the first `/`): a `/` in one is not masked as one
      () => `https://user:${secret().replaceAll("/", "_")}@host.example/path`,
      () => `https://user:p@ss@${secret().replaceAll("/", "_")}@host.example/path`,
      () => `https://user:${secret().replaceAll("/", "_")}@host.example/a@b/path`,
      () => `/health?token=${secret()}&x=1`,
      () => `AccountKey=${secret()}==;EndpointSuffix=core.windows.net`,
      () => `-----BEGIN RSA PRIVATE KEY-----\nMII${secret()}`,
    ];
    const credMembers: Array<() => [string, unknown]> = [
      () => ["Authorization", `Basic ${secret()}`],
      () => ["proxy-authorization", `Bearer ${secret()}`],
      () => ["Cookie", `a=""; b=${secret()}`],
      () => ["headers", { Authorization: `Digest response="${secret()}"`, "Content-Type": "application/json" }],
      () => ["adminPassword", secret()],
      () => ["apiToken", secret()],
      () => ["connectionString", `Server=db;Password=${secret()};`],
    ];
    // text around a credential, and plain text with the punctuation masking meets (no secret in it)
    const before = ["", "", " ", "see ", "\n", "[", "{", ",", '"', "' ", "\\"];
    const after = ["", "", " ", "\n", ";", " ok", "]", ","];
    const words = [
      "web",
      "a=",
      "=",
      ":",
      "x: y",
      "Cookie: a=",
      "authorization:",
      "password:",
      "https://u:",
      "@h/x",
      ",",
      "]",
      "}",
      "{",
      "[",
      '"',
      "'",
    ];
    const plain = (): string => Array.from({ length: int(4) }, () => pick(words)).join(pick(["", " "]));
    const scalar = (): unknown =>
      pick([() => int(100), () => true, () => null, plain, plain, () => `${pick(before)}${pick(creds)()}${pick(after)}`])();
    /** A random value; `nested` gives the JSON text of a document one level down, to hold as a string (once or twice). */
    const value = (depth: number, nested: () => string | undefined): unknown => {
      const k = int(depth > 2 ? 2 : 4);
      if (k === 0) return scalar();
      if (k === 1) return nested() ?? scalar();
      if (k === 2) return Array.from({ length: int(4) }, () => value(depth + 1, nested));
      const o: Record<string, unknown> = {};
      for (let i = int(4); i > 0; i--) {
        if (rnd() < 0.3) {
          const [key, v] = pick(credMembers)();
          o[key] = v;
        } else o[pick(["a", "b", "requestbody", "note", "x:", "Cookie", "authorization", "p=q"])] = value(depth + 1, nested);
      }
      return o;
    };
    const doc = (levels: number): unknown => {
      let used = 0;
      return value(0, () => (levels > 1 && used++ < 2 ? JSON.stringify(doc(levels - 1)) : undefined));
    };
    for (let i = 0; i < 2000; i++) {
      const text = JSON.stringify(doc(1 + int(3)));
      const out = maskSecretsInString(text);
      const broken = brokenLevel(text, out);
      assert.equal(broken, undefined, `document ${i}: ${broken}\n  in:  ${text}\n  out: ${out}`);
      assert.ok(!out.includes("ZQX"), `document ${i} leaks a credential\n  in:  ${text}\n  out: ${out}`);
    }
  });
});
