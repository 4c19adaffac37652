/**
 * The emulators against what a hostile or careless user sends or serves: a
 * port already taken, and strings the wire format would silently change.
 * Real SDK clients against 127.0.0.1, as the collectors use them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeTagsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { MAX_BODY_BYTES } from "../src/core/emulator/http.ts";
import { InputError } from "../src/core/errors.ts";
import { startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { resourceChangesQuery } from "../src/providers/azure/collect/time.ts";
import { answerQuery } from "../src/providers/azure/emulator/graph.ts";
import { startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import { ArmStore } from "../src/providers/azure/emulator/store.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { lbdoctorAsync, ROOT } from "./support/cli.ts";

const awsFixture = (): AwsSnapshot => JSON.parse(readFileSync(join(ROOT, "fixtures/aws/healthy-alb.json"), "utf8"));
const azureFixture = (): AzureSnapshot => JSON.parse(readFileSync(join(ROOT, "fixtures/azure/demo.json"), "utf8"));

describe("a port already in use", () => {
  let holder: Server;
  let port = 0;
  before(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    port = (holder.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it("is the user's to fix (InputError naming the port and --port), for both emulators", async () => {
    for (const start of [
      () => startArmEmulator({ snapshots: [azureFixture()], port }),
      () => startAwsEmulator({ snapshots: [awsFixture()], port }),
    ]) {
      await assert.rejects(start(), (e: unknown) => {
        assert.ok(e instanceof InputError, `an InputError, not ${String(e)}`);
        assert.match(e.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
        assert.match(e.hint ?? "", /--port/);
        return true;
      });
    }
  });

  it("`lbdoctor emulator --port <taken>` exits 2 with that message, not 3 with 'internal error'", async () => {
    const r = await lbdoctorAsync(
      ["emulator", "--snapshot", "fixtures/aws/healthy-alb.json", "--port", String(port)],
      {},
      { timeoutMs: 20_000 },
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /already in use/);
    assert.doesNotMatch(r.stderr, /internal error/);
  });
});

describe("AWS XML answers carry a tag value exactly", () => {
  const values = ["line1\r\nline2", "cr\ronly", "lf\nonly", " padded ", "amp & <lt> \"q\" 'a'", "uni é ✓ 😀", "nel\u0085 ls\u2028"];
  const snap = awsFixture();
  const arn = String(snap.elbv2.LoadBalancers[0]?.LoadBalancerArn);
  const subnet = snap.ec2?.Subnets?.[0] as Record<string, unknown>;
  const tags = values.map((Value, i) => ({ Key: `k${i}`, Value }));
  (snap.elbv2 as unknown as { Tags: Record<string, unknown> }).Tags = { [arn]: tags };
  subnet.Tags = tags;
  let emu: Awaited<ReturnType<typeof startAwsEmulator>>;
  before(async () => {
    emu = await startAwsEmulator({ snapshots: [snap] });
  });
  after(() => emu.close());
  const config = () => ({
    endpoint: emu.url,
    region: snap.scope.region ?? "us-east-1",
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator" },
  });

  it("a carriage return survives the XML parser (awsQuery and ec2Query), as AWS sends it: &#x0D;", async () => {
    const elb = await new ElasticLoadBalancingV2Client(config()).send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    assert.deepEqual(elb.TagDescriptions?.[0]?.Tags, tags);
    const ec2 = await new EC2Client(config()).send(new DescribeSubnetsCommand({ SubnetIds: [String(subnet.SubnetId)] }));
    assert.deepEqual(ec2.Subnets?.[0]?.Tags, tags);
  });
});

describe("AWS JSON services (CloudTrail, CloudWatch, SSM)", () => {
  let emu: Awaited<ReturnType<typeof startAwsEmulator>>;
  const snap = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/change-before-failure.json"), "utf8")) as AwsSnapshot;
  before(async () => {
    emu = await startAwsEmulator({ snapshots: [snap], lookupRate: 1000 });
  });
  after(() => emu.close());
  const call = async (target: string, body: string) => {
    const r = await fetch(`${emu.url}/`, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it("LookupEvents answers under botocore's target (`aws cloudtrail lookup-events`) as under the SDK v3's", async () => {
    const sdk = await call("CloudTrail_20131101.LookupEvents", "{}");
    assert.equal(sdk.status, 200);
    assert.ok(Array.isArray(sdk.body.Events) && sdk.body.Events.length > 0, "the fixture's events");
    const cli = await call("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", "{}");
    assert.equal(cli.status, 200, JSON.stringify(cli.body));
    assert.deepEqual(cli.body, sdk.body);
  });

  it("a body that is JSON but not an object is a 400 SerializationException in the JSON error shape, not a 500", async () => {
    for (const target of [
      "AmazonSSM.SendCommand",
      "AmazonSSM.GetCommandInvocation",
      "GraniteServiceVersion20100801.GetMetricData",
      "CloudTrail_20131101.LookupEvents",
    ]) {
      for (const body of ["null", "[]"]) {
        const r = await call(target, body);
        assert.equal(r.status, 400, `${target} ${body}: ${JSON.stringify(r.body)}`);
        assert.match(String(r.body.__type), /SerializationException$/, `${target} ${body}`);
      }
    }
  });
});

describe("a request body over the limit", () => {
  const body = "x".repeat(MAX_BODY_BYTES + 1024);

  it("ARM: answers 413 RequestEntityTooLarge in ARM's error shape, not a connection reset", async () => {
    const emu = await startArmEmulator({ snapshots: [azureFixture()] });
    try {
      const got = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const r = httpsRequest(
          `${emu.url}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01`,
          { method: "POST", ca: emu.ca, headers: { authorization: "Bearer t", "content-type": "application/json" } },
          (res) => {
            let text = "";
            res.on("data", (c) => {
              text += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        r.on("error", reject);
        r.end(body);
      });
      assert.equal(got.status, 413);
      assert.equal((JSON.parse(got.text) as { error: { code: string } }).error.code, "RequestEntityTooLarge");
    } finally {
      await emu.close();
    }
  });

  it("AWS: answers 413 in the Query error envelope, not a connection reset", async () => {
    const emu = await startAwsEmulator({ snapshots: [awsFixture()] });
    try {
      const r = await fetch(`${emu.url}/`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
      assert.equal(r.status, 413);
      assert.match(await r.text(), /<Code>RequestEntityTooLarge<\/Code>/);
    } finally {
      await emu.close();
    }
  });
});

describe("Resource Graph: what a careless client sends", () => {
  const snap = azureFixture();
  const sub = String(snap.scope.subscriptionId);
  const post = (url: string, ca: string, payload: unknown) =>
    new Promise<{
      status: number;
      json: { error?: { code: string; message: string; details?: Array<{ code: string; message: string }> } };
    }>((resolve, reject) => {
      const r = httpsRequest(
        `${url}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`,
        { method: "POST", ca, headers: { authorization: "Bearer t", "content-type": "application/json" } },
        (res) => {
          let text = "";
          res.on("data", (c) => {
            text += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        },
      );
      r.on("error", reject);
      r.end(JSON.stringify(payload));
    });

  it("options out of the service's ranges ($top 1-1000, $skip from 0, resultFormat) are a 400 BadRequest with the reason in details", async () => {
    const emu = await startArmEmulator({ snapshots: [snap] });
    try {
      const query = "Resources | where type =~ 'microsoft.network/loadbalancers'";
      for (const options of [
        { $top: -5 },
        { $top: 0 },
        { $top: 1001 },
        { $top: 2.5 },
        { $top: "10" },
        { $skip: -1 },
        { resultFormat: "xml" },
        { $skipToken: 5 },
      ]) {
        const r = await post(emu.url, emu.ca, { subscriptions: [sub], query, options });
        assert.equal(r.status, 400, JSON.stringify(options));
        assert.equal(r.json.error?.code, "BadRequest");
        assert.match(
          r.json.error?.message ?? "",
          /^Please provide below info when asking for support: timestamp = \S+, correlationId = [0-9a-f-]{36}\.$/,
        );
        const option = Object.keys(options)[0] as string;
        assert.ok(
          r.json.error?.details?.some((d) => d.message.includes(`'${option}'`)),
          `${JSON.stringify(options)}: ${JSON.stringify(r.json)}`,
        );
      }
      const ok = await post(emu.url, emu.ca, {
        subscriptions: [sub],
        query,
        options: { $top: 1000, $skip: 0, resultFormat: "objectArray" },
      });
      assert.equal(ok.status, 200);
    } finally {
      await emu.close();
    }
  });

  it("a subscription the caller holds no role on: its rows are left out without an error, ResourceContainers does not list it, ARM answers 403", async () => {
    const other = "22222222-2222-2222-2222-222222222222";
    const moved = structuredClone(snap);
    moved.scope.subscriptionId = other;
    for (const r of moved.resources) r.id = r.id.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${other}`);
    const emu = await startArmEmulator({ snapshots: [snap, moved], unreadableSubscriptions: [other] });
    try {
      const rows = await post(emu.url, emu.ca, {
        subscriptions: [sub, other],
        query: "Resources | where type =~ 'microsoft.network/loadbalancers'",
      });
      assert.equal(rows.status, 200);
      const data = (rows.json as unknown as { data: Array<{ subscriptionId: string }> }).data;
      assert.ok(data.length > 0);
      assert.deepEqual([...new Set(data.map((d) => d.subscriptionId))], [sub]);
      const subs = await post(emu.url, emu.ca, {
        subscriptions: [sub, other],
        query: "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId",
      });
      assert.deepEqual((subs.json as unknown as { data: unknown[] }).data, [{ subscriptionId: sub }]);
      const all = await post(emu.url, emu.ca, {
        query: "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId",
      });
      assert.deepEqual((all.json as unknown as { data: unknown[] }).data, [{ subscriptionId: sub }]);
      const arm = await fetchArm(
        emu.url,
        emu.ca,
        `/subscriptions/${other}/resourceGroups/${String(snap.scope.resourceGroup)}?api-version=2021-04-01`,
      );
      assert.equal(arm.status, 403);
    } finally {
      await emu.close();
    }
  });
});

function fetchArm(url: string, ca: string, path: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const r = httpsRequest(`${url}${path}`, { method: "GET", ca, headers: { authorization: "Bearer t" } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
    });
    r.on("error", reject);
    r.end();
  });
}

describe("Resource Graph: a query naming no subscription the caller can read", () => {
  const snap = azureFixture();
  const sub = String(snap.scope.subscriptionId);
  const other = "22222222-2222-2222-2222-222222222222";
  const unknown = "99999999-9999-9999-9999-999999999999";
  const moved = structuredClone(snap);
  moved.scope.subscriptionId = other;
  for (const r of moved.resources) r.id = r.id.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${other}`);
  const post = (url: string, ca: string, payload: unknown) =>
    new Promise<{
      status: number;
      json: { data?: unknown[]; error?: { code: string; message: string; details?: Array<{ code: string; message: string }> } };
    }>((resolve, reject) => {
      const r = httpsRequest(
        `${url}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`,
        { method: "POST", ca, headers: { authorization: "Bearer t", "content-type": "application/json" } },
        (res) => {
          let text = "";
          res.on("data", (c) => {
            text += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        },
      );
      r.on("error", reject);
      r.end(JSON.stringify(payload));
    });

  it("is Resource Graph's 400 BadRequest with the detail NoValidSubscriptionsInQueryRequest; one readable subscription among them is a 200", async () => {
    const emu = await startArmEmulator({ snapshots: [snap, moved], unreadableSubscriptions: [other] });
    try {
      for (const query of [
        "Resources | where type =~ 'microsoft.network/loadbalancers'",
        "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId",
      ]) {
        for (const subscriptions of [[other], [unknown], [other.toUpperCase(), unknown]]) {
          const r = await post(emu.url, emu.ca, { subscriptions, query });
          assert.equal(r.status, 400, `${query} ${subscriptions}`);
          assert.equal(r.json.error?.code, "BadRequest");
          assert.match(r.json.error?.message ?? "", /^Please provide below info when asking for support: timestamp = /);
          assert.equal(r.json.error?.details?.[0]?.code, "NoValidSubscriptionsInQueryRequest");
          assert.match(
            r.json.error?.details?.[0]?.message ?? "",
            /There must be at least one subscription that is eligible to contain resources\. Given: '/,
          );
        }
        const ok = await post(emu.url, emu.ca, { subscriptions: [other, sub], query });
        assert.equal(ok.status, 200, JSON.stringify(ok.json));
        assert.ok((ok.json.data ?? []).length > 0);
      }
    } finally {
      await emu.close();
    }
  });
});

describe("Resource Graph: a resource group the caller cannot read in a subscription where it reads others", () => {
  const snap = azureFixture();
  const sub = String(snap.scope.subscriptionId);
  const lb = snap.resources.find((r) => r.type === "Microsoft.Network/loadBalancers");
  const hidden = `/subscriptions/${sub}/resourcegroups/lb-rg`;
  for (const r of snap.resources) if (r === lb) r.id = r.id.replace(/\/resourceGroups\/[^/]+\//i, "/resourceGroups/lb-rg/");
  const store = new ArmStore([snap]);
  const ask = (query: string, subscriptions?: string[]) =>
    answerQuery(
      store,
      JSON.stringify({ query, ...(subscriptions ? { subscriptions } : {}), options: { $top: 1000 } }),
      new Set(),
      new Set(),
      new Set(),
      new Set([hidden]),
    ) as { data: Array<{ id: string; subscriptionId?: string }> };

  it("leaves the group's rows out without an error, and ResourceContainers does not list the subscription", () => {
    assert.ok(lb);
    for (const subs of [[sub], undefined]) {
      const rows = ask("Resources | where type in~ ('microsoft.network/loadbalancers', 'microsoft.network/networkinterfaces')", subs).data;
      assert.ok(rows.length > 0, "the other groups' rows are answered");
      assert.ok(!rows.some((r) => r.id.toLowerCase().startsWith(`${hidden}/`)), "none from the hidden group");
      assert.deepEqual(
        ask("ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId", subs).data,
        [],
      );
    }
  });
});

describe("Resource Graph: the resource changes of a resource group the caller cannot read", () => {
  const snap = JSON.parse(readFileSync(join(ROOT, "fixtures/azure/nsg-change-probe-down.json"), "utf8")) as AzureSnapshot;
  const sub = String(snap.scope.subscriptionId);
  // the NSG's changes are of an NSG in resource group nsg-rg
  for (const rows of Object.values(snap.observations?.resourceChanges ?? {})) {
    for (const r of rows) {
      const target = r.properties?.targetResourceId ?? "";
      if (!/networkSecurityGroups/.test(target) || !r.properties) continue;
      r.properties.targetResourceId = target.replace(/\/resourceGroups\/[^/]+\//, "/resourceGroups/nsg-rg/");
      r.resourceGroup = "nsg-rg";
    }
  }
  const query = resourceChangesQuery({ from: "2026-03-14T02:30:00Z", until: "2026-03-14T04:00:00Z" });
  const changes = async (unreadableResourceGroups?: string[]) => {
    const emu = await startArmEmulator({ snapshots: [snap], ...(unreadableResourceGroups ? { unreadableResourceGroups } : {}) });
    try {
      const r = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpsRequest(
          `${emu.url}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`,
          { method: "POST", ca: emu.ca, headers: { authorization: "Bearer t", "content-type": "application/json" } },
          (res) => {
            let text = "";
            res.on("data", (c) => {
              text += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ subscriptions: [sub], query }));
      });
      assert.equal(r.status, 200, r.text);
      return (JSON.parse(r.text) as { data: Array<{ properties: { targetResourceId: string } }> }).data.map(
        (d) => d.properties.targetResourceId,
      );
    } finally {
      await emu.close();
    }
  };

  it("are left out without an error, as the group's Resources rows are; the other groups' changes are answered", async () => {
    const all = await changes();
    assert.equal(all.length, 3);
    assert.equal(all.filter((id) => /\/resourceGroups\/nsg-rg\//.test(id)).length, 2);
    const readable = await changes([`/subscriptions/${sub}/resourceGroups/NSG-RG`]);
    assert.deepEqual(
      readable,
      all.filter((id) => !/\/resourceGroups\/nsg-rg\//.test(id)),
    );
    assert.equal(readable.length, 1);
  });
});

describe("ARM emulator: lists of a subscription read through some of its resource groups, however the path is spelled", () => {
  const snap = JSON.parse(readFileSync(join(ROOT, "fixtures/azure/healthy-web.json"), "utf8")) as AzureSnapshot;
  const sub = String(snap.scope.subscriptionId);
  const rg = String(snap.scope.resourceGroup);
  const get = (url: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(url, { method: "GET", ca: emu.ca, headers: { authorization: "Bearer t" } }, (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.end();
    });
  let emu: Awaited<ReturnType<typeof startArmEmulator>>;
  before(async () => {
    emu = await startArmEmulator({ snapshots: [snap], unreadableResourceGroups: [`/subscriptions/${sub}/resourceGroups/other-rg`] });
  });
  after(() => emu.close());

  it("upper case, a trailing slash, an escaped segment: still a list across the subscription, refused over it, naming no resource", async () => {
    for (const path of [
      `/SUBSCRIPTIONS/${sub.toUpperCase()}/PROVIDERS/MICROSOFT.NETWORK/LOADBALANCERS`,
      `/subscriptions/${sub}/providers/Microsoft.Network/loadBalancers/`,
      `/subscriptions/${sub}/providers/Microsoft.Network/load%42alancers`,
    ]) {
      const r = await get(`${emu.url}${path}?api-version=2026-01-01`);
      assert.equal(r.status, 403, `${path}: ${r.text}`);
      const error = (JSON.parse(r.text) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, "AuthorizationFailed");
      assert.match(
        error.message,
        /^The client does not have authorization to perform action '.+\/read' over scope '\/subscriptions\/[^/']+' /i,
      );
      assert.doesNotMatch(r.text, /lb-web|vm1-nic/);
    }
    // the group the caller reads answers its lists
    const own = await get(
      `${emu.url}/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers?api-version=2026-01-01`,
    );
    assert.equal(own.status, 200, own.text);
    assert.match(own.text, /lb-web/);
  });
});
