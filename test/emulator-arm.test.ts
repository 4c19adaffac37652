/**
 * The ARM emulator (src/providers/azure/emulator): raw HTTPS behaviour against the
 * bundled fixtures, the real `@azure/arm-network` / `@azure/arm-compute`
 * clients against it, and the `ss` renderer/parser of the guest check.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { after, before, describe, test } from "node:test";
import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { parseSsOutput, renderSsOutput, runCommandMessage } from "../src/providers/azure/collect/guest-output.ts";
import { type ArmEmulator, startArmEmulator } from "../src/providers/azure/emulator/index.ts";
import type { ArmResource, AzureSnapshot, RuleHealthBody } from "../src/providers/azure/wire-types.ts";
import { computeId, healthyWeb, ids, netId, RG, SUB, WEB_LB, WEB_SUBNET } from "./support/azure-builder.ts";

const fixture = (name: string): AzureSnapshot =>
  JSON.parse(readFileSync(new URL(`../fixtures/azure/${name}.json`, import.meta.url), "utf8"));

const NET = "2026-01-01";
/** what @azure/arm-compute sends, and what @azure/arm-network sends for a scale set's NICs (src/providers/azure/emulator/api-versions.ts) */
const COMPUTE = "2026-04-01";
const VMSS_NET = "2018-10-01";
/** The api-version the SDK sends for a resource id or list path. */
const ver = (path: string) =>
  /microsoft\.compute\/virtualmachinescalesets\/[^/]+(\/virtualmachines\/[^/]+)?\/networkinterfaces/i.test(path)
    ? VMSS_NET
    : /microsoft\.compute\//i.test(path)
      ? COMPUTE
      : NET;
const TOKEN = "emulator-test-token";

interface Resp {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test JSON
  json: any;
}

/** One HTTPS request trusting only the emulator's certificate. */
function call(emu: ArmEmulator, method: string, pathOrUrl: string, opts: { token?: string | null; body?: unknown } = {}): Promise<Resp> {
  const url = new URL(pathOrUrl, emu.url);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (payload !== undefined) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, ca: emu.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

const get = (emu: ArmEmulator, path: string, opts?: { token?: string | null }) => call(emu, "GET", path, opts);

/** Follows nextLinks; returns every item and the page URLs. */
async function listAll(emu: ArmEmulator, path: string): Promise<{ items: ArmResource[]; pages: string[] }> {
  const items: ArmResource[] = [];
  const pages: string[] = [];
  let next: string | undefined = path;
  while (next) {
    pages.push(next);
    const r = await get(emu, next);
    assert.equal(r.status, 200, `${next}: ${r.text}`);
    assert.ok(Array.isArray(r.json.value), "list body has a value array");
    items.push(...r.json.value);
    next = r.json.nextLink;
    if (next) assert.ok(next.startsWith(`${emu.url}/`), `nextLink is absolute: ${next}`);
    assert.ok(pages.length < 50, "paging terminates");
  }
  return { items, pages };
}

const rgPath = (rg = RG, sub = SUB) => `/subscriptions/${sub}/resourceGroups/${rg}`;
const listPath = (provider: string, type: string, extra = "") =>
  `${rgPath()}/providers/${provider}/${type}?api-version=${ver(`/providers/${provider}/`)}${extra}`;
const ofType = (snap: AzureSnapshot, type: string) => snap.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
const withoutInstanceView = (r: ArmResource) => {
  const { instanceView: _, ...properties } = r.properties ?? {};
  return { ...r, properties };
};

/** A test credential: any object with getToken (real @azure/identity credentials would call Entra ID). */
const testCredential = (token = TOKEN) => ({
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
});

// ---------------------------------------------------------------------------
// A richer scenario: VMSS instances, a guest observation, an effective-NSG body,
// and a second snapshot with a cross-resource-group VNet and a duplicate id.
const GUEST = {
  listening: [
    { protocol: "tcp" as const, port: 80, address: "0.0.0.0" },
    { protocol: "tcp" as const, port: 8080, address: "127.0.0.1" },
    { protocol: "tcp" as const, port: 443, address: "::" },
    { protocol: "udp" as const, port: 53, address: "127.0.0.53" },
  ],
  connections: [{ remote: "10.1.0.100:8080" }, { remote: "[fd00::10]:443", local: "[fd00::4]:41000", state: "SYN-SENT" }],
};
const EFFECTIVE = {
  value: [
    {
      networkSecurityGroup: { id: ids.nsg("nsg-web") },
      association: { subnet: { id: ids.subnet(WEB_SUBNET) } },
      effectiveSecurityRules: [
        {
          name: "securityRules/allow-http",
          protocol: "Tcp",
          sourcePortRange: "0-65535",
          destinationPortRange: "80-80",
          sourceAddressPrefix: "Internet",
          destinationAddressPrefix: "0.0.0.0/0",
          access: "Allow",
          priority: 1000,
          direction: "Inbound",
        },
      ],
    },
  ],
};
const VMSS_VM0 = `${computeId("virtualMachineScaleSets", "vmss-web")}/virtualMachines/0`;
const HUB_VNET = netId("virtualNetworks", "vnet-hub", "hub-rg");

function richSnapshots(): AzureSnapshot[] {
  const main = healthyWeb()
    .vmss("vmss-web")
    .vm("vmss-web-0", { vmss: { name: "vmss-web", instanceId: "0" }, subnet: WEB_SUBNET, ip: "10.0.0.10", pools: [`${WEB_LB}/pool-web`] })
    .vm("vmss-web-1", { vmss: { name: "vmss-web", instanceId: "1" }, subnet: WEB_SUBNET, ip: "10.0.0.11", pools: [`${WEB_LB}/pool-web`] })
    .guest("vm1", GUEST)
    .effectiveNsg("vm1-nic", EFFECTIVE)
    .build();
  const hub = healthyWeb()
    .vnet("vnet-hub", ["10.9.0.0/16"], [{ name: "snet-hub", prefix: "10.9.0.0/24" }], "hub-rg")
    .build();
  const dupNic = structuredClone(hub.resources.find((r) => r.id === ids.nic("vm1-nic")) as ArmResource);
  dupNic.id = dupNic.id.toUpperCase();
  dupNic.tags = { duplicate: "second snapshot" };
  hub.resources = [hub.resources.find((r) => r.id === HUB_VNET) as ArmResource, dupNic];
  hub.observations = {};
  return [main, hub];
}

// ---------------------------------------------------------------------------

describe("ARM emulator over raw HTTPS", () => {
  const snap = fixture("healthy-web");
  let emu: ArmEmulator;
  before(async () => {
    emu = await startArmEmulator({ snapshots: [snap], pageSize: 1, token: TOKEN });
  });
  after(() => emu.close());

  test("serves HTTPS on 127.0.0.1 with a certificate for 127.0.0.1 and localhost", () => {
    assert.match(emu.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(emu.url, `https://127.0.0.1:${emu.port}`);
    const x509 = new X509Certificate(emu.ca);
    assert.ok(x509.checkIP("127.0.0.1"), x509.subjectAltName);
    assert.equal(x509.checkHost("localhost"), "localhost");
    assert.match(x509.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
    assert.match(x509.subjectAltName ?? "", /DNS:localhost/);
    // an emulator left running for days (a workshop) keeps serving TLS: valid from a minute ago for weeks
    assert.ok(Date.parse(x509.validFrom) <= Date.now());
    assert.ok(Date.parse(x509.validTo) - Date.now() > 29 * 24 * 3600_000, x509.validTo);
  });

  test("pages lists with absolute nextLinks (pageSize 1); every LB and NIC exactly once, byte-for-byte", async () => {
    emu.resetCounts();
    const lbs = await listAll(emu, listPath("Microsoft.Network", "loadBalancers"));
    assert.deepEqual(lbs.items, ofType(snap, "Microsoft.Network/loadBalancers"));
    const nics = await listAll(emu, listPath("Microsoft.Network", "networkInterfaces"));
    const want = ofType(snap, "Microsoft.Network/networkInterfaces");
    assert.equal(want.length, 2);
    assert.deepEqual(nics.items, want);
    assert.equal(nics.pages.length, 2);
    assert.match(
      nics.pages[1] as string,
      /^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\/networkInterfaces\?api-version=2026-01-01&\$skiptoken=1$/,
    );
    // raw text is the snapshot's JSON
    const raw = await get(emu, listPath("Microsoft.Network", "loadBalancers"));
    assert.equal(raw.text, JSON.stringify({ value: ofType(snap, "Microsoft.Network/loadBalancers") }));
    assert.deepEqual(emu.counts(), { "loadBalancers.list": 2, "networkInterfaces.list": 2 });
  });

  test("every resource in the fixture comes back once from its list and by id", async () => {
    const lists: Array<[string, string, string]> = [
      ["Microsoft.Network", "loadBalancers", "loadBalancers.list"],
      ["Microsoft.Network", "networkInterfaces", "networkInterfaces.list"],
      ["Microsoft.Network", "networkSecurityGroups", "networkSecurityGroups.list"],
      ["Microsoft.Network", "virtualNetworks", "virtualNetworks.list"],
      ["Microsoft.Network", "routeTables", "routeTables.list"],
      ["Microsoft.Network", "publicIPAddresses", "publicIPAddresses.list"],
      ["Microsoft.Network", "applicationSecurityGroups", "applicationSecurityGroups.list"],
      ["Microsoft.Compute", "virtualMachines", "virtualMachines.list"],
      ["Microsoft.Compute", "availabilitySets", "availabilitySets.list"],
      ["Microsoft.Compute", "virtualMachineScaleSets", "virtualMachineScaleSets.list"],
    ];
    emu.resetCounts();
    const seen: ArmResource[] = [];
    for (const [provider, type] of lists) {
      const { items } = await listAll(emu, listPath(provider, type, "&$expand=instanceView"));
      assert.deepEqual(items, ofType(snap, `${provider}/${type}`), type);
      seen.push(...items);
    }
    assert.equal(seen.length, snap.resources.length);
    for (const r of snap.resources) {
      const got = await get(emu, `${r.id}?api-version=${ver(r.id)}&$expand=instanceView`);
      assert.equal(got.status, 200, r.id);
      assert.deepEqual(got.json, r);
    }
    const counts = emu.counts();
    assert.equal(counts["resource.get"], snap.resources.length);
    assert.equal(counts["networkInterfaces.list"], 2);
    assert.equal(counts["routeTables.list"], 1);
  });

  test("ids and paths compare case-insensitively", async () => {
    const nic = ofType(snap, "Microsoft.Network/networkInterfaces")[0] as ArmResource;
    const upper = await get(emu, `${nic.id.toUpperCase()}?api-version=${NET}`);
    assert.equal(upper.status, 200);
    assert.deepEqual(upper.json, nic);
    const list = await get(emu, `${rgPath().toLowerCase()}/PROVIDERS/microsoft.network/LOADBALANCERS?api-version=${NET}`);
    assert.equal(list.json.value.length, 1);
  });

  test("sub-resources are served by id from their parent", async () => {
    const ruleId = ids.rule(WEB_LB, "rule-http");
    const r = await get(emu, `${ruleId}?api-version=${NET}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.id, ruleId);
    assert.equal(r.json.properties.frontendPort, 80);
  });

  test("resourceGroups.get", async () => {
    const ok = await get(emu, `${rgPath()}?api-version=2021-04-01`);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, {
      id: rgPath(),
      name: RG,
      type: "Microsoft.Resources/resourceGroups",
      location: "westeurope",
      properties: { provisioningState: "Succeeded" },
    });
    const missing = await get(emu, `${rgPath("nope-rg")}?api-version=2021-04-01`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, "ResourceGroupNotFound");
  });

  test("404 envelopes: unknown resource, RG, subscription and route; 405; missing api-version", async () => {
    const cases: Array<[string, string, number, string]> = [
      ["GET", `${netId("loadBalancers", "no-such-lb")}?api-version=${NET}`, 404, "ResourceNotFound"],
      ["GET", `${netId("loadBalancers", "lb-web", "nope-rg")}?api-version=${NET}`, 404, "ResourceGroupNotFound"],
      ["GET", `${rgPath("nope-rg")}/providers/Microsoft.Network/loadBalancers?api-version=${NET}`, 404, "ResourceGroupNotFound"],
      [
        "GET",
        `${rgPath(RG, "11111111-1111-1111-1111-111111111111")}/providers/Microsoft.Network/loadBalancers?api-version=${NET}`,
        404,
        "SubscriptionNotFound",
      ],
      ["GET", `${rgPath()}/providers/Microsoft.Network/bastionHosts?api-version=${NET}`, 404, "InvalidResourceType"],
      ["GET", "/nothing/here", 404, "InvalidResourceType"],
      ["DELETE", `${ids.lb(WEB_LB)}?api-version=${NET}`, 405, "MethodNotAllowed"],
      ["GET", `${ids.rule(WEB_LB, "rule-http")}/health?api-version=${NET}`, 405, "MethodNotAllowed"],
      ["GET", ids.lb(WEB_LB), 400, "MissingApiVersionParameter"],
    ];
    for (const [method, path, status, code] of cases) {
      const r = await call(emu, method, path);
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      assert.equal(r.json.error.code, code, path);
      assert.equal(typeof r.json.error.message, "string");
      assert.deepEqual(Object.keys(r.json), ["error"]);
    }
  });

  test("every response carries content-type, a request id and a read-quota countdown", async () => {
    const a = await get(emu, `${ids.lb(WEB_LB)}?api-version=${NET}`);
    const b = await get(emu, `${ids.lb("missing")}?api-version=${NET}`);
    for (const r of [a, b]) {
      assert.match(String(r.headers["content-type"]), /^application\/json/);
      assert.match(String(r.headers["x-ms-request-id"]), /^[0-9a-f-]{36}$/);
    }
    const ra = Number(a.headers["x-ms-ratelimit-remaining-subscription-reads"]);
    const rb = Number(b.headers["x-ms-ratelimit-remaining-subscription-reads"]);
    assert.ok(ra > 0 && ra < 12000, String(ra));
    assert.equal(rb, ra - 1);
  });

  test("LRO: rule health is 202 + Location, then the poll returns the exact body", async () => {
    emu.resetCounts();
    const ruleId = ids.rule(WEB_LB, "rule-http");
    const expected = snap.observations?.ruleHealth?.[ruleId];
    assert.ok(expected);
    // differently-cased path: the observation lookup is case-insensitive
    const post = await call(emu, "POST", `${ruleId.replace("loadBalancingRules", "LoadBalancingRules")}/health?api-version=${NET}`);
    assert.equal(post.status, 202, post.text);
    assert.equal(post.text, "");
    const location = String(post.headers.location);
    assert.match(location, /^https:\/\/127\.0\.0\.1:\d+\/lro\/[0-9a-f-]+$/);
    assert.ok(post.headers["retry-after"] === undefined, "no Retry-After, so the SDK polls at updateIntervalInMs");
    const poll = await get(emu, location);
    assert.equal(poll.status, 200);
    assert.deepEqual(poll.json, expected);
    assert.deepEqual(emu.counts(), { "loadBalancingRules.health": 1, "lro.poll": 1 });
    const unknownOp = await get(emu, `${emu.url}/lro/does-not-exist`);
    assert.equal(unknownOp.status, 404);
  });

  test("a $skiptoken it did not write (hex, exponent, past the list's end, negative) is 400 InvalidSkipToken; its own still pages", async () => {
    for (const bad of ["0x1", "1e0", "999", "-1", "1.0", " 1"]) {
      const r = await get(emu, `${emu.url}${listPath("Microsoft.Network", "networkInterfaces", `&$skiptoken=${encodeURIComponent(bad)}`)}`);
      assert.equal(r.status, 400, bad);
      assert.equal(r.json.error.code, "InvalidSkipToken", bad);
    }
    const ok = await get(emu, `${emu.url}${listPath("Microsoft.Network", "networkInterfaces", "&$skiptoken=1")}`);
    assert.equal(ok.status, 200);
    assert.equal(ok.json.value.length, 1);
  });

  test("LRO: a missing observation fails the POST with 404 ObservationNotInSnapshot", async () => {
    const r = await call(emu, "POST", `${ids.nic("vm1-nic")}/effectiveNetworkSecurityGroups?api-version=${NET}`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, "ObservationNotInSnapshot");
    assert.match(r.json.error.message, /effective network security groups.*vm1-nic/);
    const noRule = await call(emu, "POST", `${ids.rule(WEB_LB, "rule-ghost")}/health?api-version=${NET}`);
    assert.equal(noRule.json.error.code, "ObservationNotInSnapshot");
    const noLb = await call(emu, "POST", `${ids.rule("lb-ghost", "rule-http")}/health?api-version=${NET}`);
    assert.equal(noLb.json.error.code, "ResourceNotFound");
    const route = await call(emu, "POST", `${ids.nic("vm1-nic")}/effectiveRouteTable?api-version=${NET}`);
    assert.equal(route.json.error.code, "ObservationNotInSnapshot");
  });

  test("setRuleHealth changes what the next health operation returns", async () => {
    const ruleId = ids.rule(WEB_LB, "rule-http");
    const down: RuleHealthBody = {
      up: 0,
      down: 1,
      loadBalancerBackendAddresses: [{ ipAddress: "10.0.0.4", state: "Down", reason: "Down_Probe_HttpStatusCodeError" }],
    };
    emu.setRuleHealth(ruleId.toLowerCase(), down);
    const post = await call(emu, "POST", `${ruleId}/health?api-version=${NET}`);
    assert.deepEqual((await get(emu, String(post.headers.location))).json, down);
    emu.setRuleHealth(ruleId, snap.observations?.ruleHealth?.[ruleId] as RuleHealthBody);
  });

  test("fault injection: 429 with retry-after headers for times: 1, then success; 403; 500; counts include faults", async () => {
    emu.resetCounts();
    const lbList = listPath("Microsoft.Network", "loadBalancers");
    emu.setFaults([{ route: "loadBalancers.list", status: 429, times: 1, retryAfterMs: 1500 }]);
    const throttled = await get(emu, lbList);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.json.error.code, "TooManyRequests");
    assert.equal(throttled.headers["x-ms-retry-after-ms"], "1500");
    assert.equal(throttled.headers["retry-after"], "2");
    assert.equal((await get(emu, lbList)).status, 200);

    emu.setFaults([{ route: "networkInterfaces.list", status: 403 }]);
    for (let i = 0; i < 2; i++) {
      const r = await get(emu, listPath("Microsoft.Network", "networkInterfaces"));
      assert.equal(r.status, 403);
      assert.equal(r.json.error.code, "AuthorizationFailed");
    }
    emu.setFaults([{ path: /\/virtualMachines\/vm2$/i, method: "get", status: 500, times: 1 }]);
    const vm1 = await get(emu, `${ids.vm("vm1")}?api-version=${COMPUTE}`);
    assert.equal(vm1.status, 200);
    const vm2 = await get(emu, `${ids.vm("vm2")}?api-version=${COMPUTE}`);
    assert.equal(vm2.status, 500);
    assert.equal(vm2.json.error.code, "InternalServerError");
    assert.equal((await get(emu, `${ids.vm("vm2")}?api-version=${COMPUTE}`)).status, 200);

    emu.setFaults([{ route: "loadBalancingRules.health", status: 409, code: "AnotherOperationInProgress", message: "busy" }]);
    const busy = await call(emu, "POST", `${ids.rule(WEB_LB, "rule-http")}/health?api-version=${NET}`);
    assert.deepEqual([busy.status, busy.json], [409, { error: { code: "AnotherOperationInProgress", message: "busy" } }]);
    emu.setFaults([]);

    assert.deepEqual(emu.counts(), {
      "loadBalancers.list": 2,
      "networkInterfaces.list": 2,
      "resource.get": 3,
      "loadBalancingRules.health": 1,
    });
    assert.equal(emu.total(), 8);
  });

  test("auth: a missing or wrong bearer token is 401 InvalidAuthenticationToken, and counted", async () => {
    emu.resetCounts();
    const path = `${ids.lb(WEB_LB)}?api-version=${NET}`;
    for (const token of [null, "wrong-token", ""]) {
      const r = await get(emu, path, { token });
      assert.equal(r.status, 401, String(token));
      assert.equal(r.json.error.code, "InvalidAuthenticationToken");
    }
    assert.equal((await get(emu, path)).status, 200);
    assert.deepEqual(emu.counts(), { "resource.get": 4 });
  });

  test("$expand=instanceView: VMs keep properties.instanceView only when asked", async () => {
    const vms = ofType(snap, "Microsoft.Compute/virtualMachines");
    const plain = await listAll(emu, listPath("Microsoft.Compute", "virtualMachines"));
    assert.deepEqual(plain.items, vms.map(withoutInstanceView));
    assert.ok(plain.items.every((v) => !("instanceView" in (v.properties ?? {}))));
    // paging keeps $expand on the nextLink
    const expanded = await listAll(emu, listPath("Microsoft.Compute", "virtualMachines", "&%24expand=instanceView"));
    assert.deepEqual(expanded.items, vms);
    assert.match(expanded.pages[1] as string, /\$expand=instanceView/);
    const one = await get(emu, `${ids.vm("vm1")}?api-version=${COMPUTE}`);
    assert.deepEqual(one.json, withoutInstanceView(vms[0] as ArmResource));
  });
});

describe("ARM emulator: timing, multiple snapshots, VMSS and the guest check", () => {
  const snaps = richSnapshots();
  let emu: ArmEmulator;
  let slow: ArmEmulator;
  before(async () => {
    [emu, slow] = await Promise.all([
      startArmEmulator({ snapshots: snaps, pageSize: 2 }),
      startArmEmulator({ snapshots: [fixture("healthy-web")], lroMs: 150, latencyMs: { min: 5, max: 15 } }),
    ]);
  });
  after(() => Promise.all([emu.close(), slow.close()]));

  test("lroMs: polls return 202 + Location until the result is ready", async () => {
    const ruleId = ids.rule(WEB_LB, "rule-http");
    const t0 = Date.now();
    const post = await call(slow, "POST", `${ruleId}/health?api-version=${NET}`);
    const location = String(post.headers.location);
    const first = await get(slow, location);
    assert.equal(first.status, 202);
    assert.equal(first.headers.location, location);
    let polls = 1;
    let last = first;
    while (last.status === 202) {
      await new Promise((r) => setTimeout(r, 25));
      last = await get(slow, location);
      polls++;
    }
    assert.equal(last.status, 200);
    assert.ok(Date.now() - t0 >= 150, `ready after lroMs (${Date.now() - t0} ms)`);
    assert.ok(polls >= 3, `polled ${polls} times`);
    assert.equal(slow.counts()["lro.poll"], polls);
  });

  test("maxLros: past the bound the oldest operation is forgotten (a poll of it is a 404), the newer ones still answer", async () => {
    const few = await startArmEmulator({ snapshots: [fixture("healthy-web")], maxLros: 2 });
    try {
      const ruleId = ids.rule(WEB_LB, "rule-http");
      const locations: string[] = [];
      for (let i = 0; i < 3; i++) locations.push(String((await call(few, "POST", `${ruleId}/health?api-version=${NET}`)).headers.location));
      assert.equal(few.lros().length, 2);
      assert.equal((await get(few, locations[0] as string)).status, 404);
      assert.equal((await get(few, locations[1] as string)).status, 200);
      assert.equal((await get(few, locations[2] as string)).status, 200);
    } finally {
      await few.close();
    }
  });

  test("lroRetryAfterSeconds: every 202 of an LRO, the POST's and the polls', says Retry-After; lros() shows how the client polled", async () => {
    const ra = await startArmEmulator({ snapshots: [fixture("healthy-web")], lroMs: 300, lroRetryAfterSeconds: 0 });
    try {
      const ruleId = ids.rule(WEB_LB, "rule-http");
      const post = await call(ra, "POST", `${ruleId}/health?api-version=${NET}`);
      assert.equal(post.status, 202);
      assert.equal(post.headers["retry-after"], "0");
      const first = await get(ra, String(post.headers.location));
      assert.equal(first.status, 202, "not ready yet");
      assert.equal(first.headers["retry-after"], "0");
      const [lro, ...more] = ra.lros();
      assert.equal(more.length, 0);
      assert.equal(lro?.operation, "loadBalancingRules.health");
      assert.equal(lro?.resourceId.toLowerCase(), ruleId.toLowerCase());
      assert.equal(lro?.polls, 1);
      assert.ok(lro?.firstPollAt !== undefined && lro.firstPollAt >= lro.startedAt);
      assert.ok(ra.seen("lro.poll"), "when the route was requested");
      assert.equal(ra.seen("loadBalancers.list"), undefined);
    } finally {
      await ra.close();
    }
  });

  test("latencyMs jitter delays each request within bounds", async () => {
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await get(slow, `${ids.lb(WEB_LB)}?api-version=${COMPUTE}`, { token: "any" });
    const each = (performance.now() - t0) / 5;
    assert.ok(each >= 5, `${each} ms per request`);
    assert.ok(each < 200, `${each} ms per request`);
  });

  test("snapshots merge: a cross-RG resource is served, a duplicate id (other case) keeps the first", async () => {
    const vnet = await get(emu, `${HUB_VNET}?api-version=${NET}`);
    assert.equal(vnet.status, 200);
    assert.equal(vnet.json.name, "vnet-hub");
    assert.equal((await get(emu, `${rgPath("hub-rg")}?api-version=2021-04-01`)).status, 200);
    const hubList = await listAll(emu, `${rgPath("hub-rg")}/providers/Microsoft.Network/virtualNetworks?api-version=${NET}`);
    assert.deepEqual(
      hubList.items.map((r) => r.name),
      ["vnet-hub"],
    );
    const nics = await listAll(emu, listPath("Microsoft.Network", "networkInterfaces"));
    assert.deepEqual(
      nics.items.map((r) => r.name),
      ["vm1-nic", "vm2-nic"],
    );
    assert.equal(nics.items[0]?.tags, undefined);
    const all = await listAll(emu, `/subscriptions/${SUB}/providers/Microsoft.Network/virtualNetworks?api-version=${NET}`);
    assert.deepEqual(all.items.map((r) => r.name).sort(), ["vnet-hub", "vnet-web"]);
  });

  test("VMSS: instances, their NICs (not in networkInterfaces.list) and instance ids", async () => {
    const main = snaps[0] as AzureSnapshot;
    const vmssPath = `${rgPath()}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web`;
    const instances = ofType(main, "Microsoft.Compute/virtualMachineScaleSets/virtualMachines");
    assert.equal(instances.length, 2);
    const expanded = await listAll(emu, `${vmssPath}/virtualMachines?api-version=${COMPUTE}&$expand=instanceView`);
    assert.deepEqual(expanded.items, instances);
    const plain = await listAll(emu, `${vmssPath}/virtualMachines?api-version=${COMPUTE}`);
    assert.deepEqual(plain.items, instances.map(withoutInstanceView));
    const vmssNics = await listAll(
      emu,
      `${rgPath()}/providers/microsoft.Compute/virtualMachineScaleSets/vmss-web/networkInterfaces?api-version=${VMSS_NET}`,
    );
    assert.deepEqual(
      vmssNics.items.map((n) => n.id),
      [`${VMSS_VM0}/networkInterfaces/vmss-web-nic`, VMSS_VM0.replace(/0$/, "1/networkInterfaces/vmss-web-nic")],
    );
    const oneVmNics = await listAll(emu, `${VMSS_VM0}/networkInterfaces?api-version=${VMSS_NET}`);
    assert.equal(oneVmNics.items.length, 1);
    const byId = await get(emu, `${VMSS_VM0}/networkInterfaces/vmss-web-nic?api-version=${VMSS_NET}`);
    assert.equal(byId.status, 200);
    assert.deepEqual(byId.json, vmssNics.items[0]);
    assert.equal(
      (await get(emu, `${VMSS_VM0}?api-version=${COMPUTE}`)).json.instanceId,
      "0",
      "instanceId is a top-level field on the wire",
    );
  });

  test("runCommand renders the guest observation as ss output, and parseSsOutput reads it back", async () => {
    const post = await call(emu, "POST", `${ids.vm("vm1")}/runCommand?api-version=${COMPUTE}`, {
      body: { commandId: "RunShellScript", script: ["ss -Hltn"] },
    });
    assert.equal(post.status, 202, post.text);
    const done = await get(emu, String(post.headers.location));
    assert.equal(done.status, 200);
    const [status] = done.json.value;
    assert.deepEqual(Object.keys(done.json), ["value"]);
    assert.equal(status.code, "ProvisioningState/succeeded");
    assert.equal(status.level, "Info");
    assert.equal(status.displayStatus, "Provisioning succeeded");
    const message: string = status.message;
    assert.ok(message.startsWith("Enable succeeded: \n[stdout]\n### listening\n"), message);
    assert.ok(message.endsWith("\n[stderr]\n"), message);
    assert.match(message, /^LISTEN 0 +511 +0\.0\.0\.0:80 +0\.0\.0\.0:\*$/m);
    assert.match(message, /^LISTEN 0 +511 +\[::\]:443 +\[::\]:\*$/m);
    assert.match(message, /^UNCONN 0 +0 +127\.0\.0\.53:53 +0\.0\.0\.0:\*$/m);
    assert.match(message, /^ESTAB +0 +0 +10\.0\.0\.4:50000 +10\.1\.0\.100:8080$/m, "local defaults to the NIC IP");
    assert.deepEqual(parseSsOutput(message), {
      listening: GUEST.listening,
      connections: [
        { remote: "10.1.0.100:8080", local: "10.0.0.4:50000", state: "ESTAB" },
        { remote: "[fd00::10]:443", local: "[fd00::4]:41000", state: "SYN-SENT" },
      ],
    });
    // no observation for vm2: nothing to answer with (an empty socket list would claim that nothing listens)
    const vm2 = await call(emu, "POST", `${ids.vm("vm2")}/runCommand?api-version=${COMPUTE}`, {
      body: { commandId: "RunShellScript", script: ["x"] },
    });
    assert.equal(vm2.status, 404, vm2.text);
    assert.equal(vm2.json.error.code, "ObservationNotInSnapshot");
    // bad bodies and unknown VMs
    const noBody = await call(emu, "POST", `${ids.vm("vm1")}/runCommand?api-version=${COMPUTE}`);
    assert.equal(noBody.status, 400);
    const ghost = await call(emu, "POST", `${ids.vm("ghost")}/runCommand?api-version=${COMPUTE}`, {
      body: { commandId: "RunShellScript" },
    });
    assert.equal(ghost.json.error.code, "ResourceNotFound");
  });

  test("effective NSGs come from the observation", async () => {
    const post = await call(emu, "POST", `${ids.nic("vm1-nic")}/effectiveNetworkSecurityGroups?api-version=${NET}`);
    assert.equal(post.status, 202);
    assert.deepEqual((await get(emu, String(post.headers.location))).json, EFFECTIVE);
  });
});

describe("ARM emulator with the real SDK clients", () => {
  const snaps = richSnapshots();
  const main = snaps[0] as AzureSnapshot;
  let emu: ArmEmulator;
  let slow: ArmEmulator;
  const options = (e: ArmEmulator) => ({ endpoint: e.url, tlsOptions: { ca: e.ca }, retryOptions: { maxRetries: 2, retryDelayInMs: 10 } });
  let network: NetworkManagementClient;
  let compute: ComputeManagementClient;
  before(async () => {
    [emu, slow] = await Promise.all([
      startArmEmulator({ snapshots: snaps, pageSize: 1, token: TOKEN }),
      startArmEmulator({ snapshots: snaps, lroMs: 120 }),
    ]);
    network = new NetworkManagementClient(testCredential(), SUB, options(emu));
    compute = new ComputeManagementClient(testCredential(), SUB, options(emu));
  });
  after(() => Promise.all([emu.close(), slow.close()]));

  test("lists load balancers and NICs page by page (pageSize 1)", async () => {
    emu.resetCounts();
    const lbs: string[] = [];
    for await (const lb of network.loadBalancers.list(RG)) lbs.push(lb.name as string);
    assert.deepEqual(lbs, ["lb-web"]);
    const nics: string[] = [];
    for await (const nic of network.networkInterfaces.list(RG)) nics.push(nic.id as string);
    assert.deepEqual(nics, [ids.nic("vm1-nic"), ids.nic("vm2-nic")]);
    const pages: number[] = [];
    for await (const page of network.networkInterfaces.list(RG).byPage()) pages.push(page.length);
    assert.deepEqual(pages, [1, 1]);
    assert.deepEqual(emu.counts(), { "loadBalancers.list": 1, "networkInterfaces.list": 4 });
  });

  test("loadBalancerLoadBalancingRules.health LRO with pollUntilDone", async () => {
    emu.resetCounts();
    const result = await network.loadBalancerLoadBalancingRules.health(RG, WEB_LB, "rule-http", { updateIntervalInMs: 10 }).pollUntilDone();
    const wire = main.observations?.ruleHealth?.[ids.rule(WEB_LB, "rule-http")];
    assert.equal(result.up, 2);
    assert.equal(result.down, 0);
    assert.deepEqual(result.loadBalancerBackendAddresses, wire?.loadBalancerBackendAddresses);
    assert.deepEqual(emu.counts(), { "loadBalancingRules.health": 1, "lro.poll": 1 });
  });

  test("an LRO that takes lroMs is polled at updateIntervalInMs until done", async () => {
    const net = new NetworkManagementClient(testCredential(), SUB, options(slow));
    const t0 = Date.now();
    const result = await net.loadBalancerLoadBalancingRules.health(RG, WEB_LB, "rule-http", { updateIntervalInMs: 20 }).pollUntilDone();
    const elapsed = Date.now() - t0;
    assert.equal(result.up, 2);
    const polls = slow.counts()["lro.poll"] ?? 0;
    assert.ok(elapsed >= 120 && elapsed < 1500, `${elapsed} ms`);
    assert.ok(polls >= 3, `${polls} polls in ${elapsed} ms`);
  });

  test("a missing observation surfaces as a RestError 404 ObservationNotInSnapshot", async () => {
    await assert.rejects(
      network.networkInterfaces.listEffectiveNetworkSecurityGroups(RG, "vm2-nic", { updateIntervalInMs: 10 }).pollUntilDone(),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === "ObservationNotInSnapshot",
    );
    const nsgs = await network.networkInterfaces
      .listEffectiveNetworkSecurityGroups(RG, "vm1-nic", { updateIntervalInMs: 10 })
      .pollUntilDone();
    assert.equal(nsgs.value?.[0]?.effectiveSecurityRules?.[0]?.name, "securityRules/allow-http");
  });

  test("a 429 with retryAfterMs 20 is retried and the list completes", async () => {
    emu.resetCounts();
    emu.setFaults([{ route: "loadBalancers.list", status: 429, times: 1, retryAfterMs: 20 }]);
    const t0 = Date.now();
    const lbs: string[] = [];
    for await (const lb of network.loadBalancers.list(RG)) lbs.push(lb.name as string);
    const elapsed = Date.now() - t0;
    assert.deepEqual(lbs, ["lb-web"]);
    assert.equal(emu.counts()["loadBalancers.list"], 2);
    assert.ok(elapsed >= 20 && elapsed < 900, `${elapsed} ms: x-ms-retry-after-ms wins over Retry-After: 1`);
    emu.setFaults([]);
  });

  test("a 429 without retry headers, a 403 and repeated 500s fail with RestError", async () => {
    emu.resetCounts();
    emu.setFaults([{ route: "loadBalancers.list", status: 429, times: 1 }]);
    await assert.rejects(
      (async () => {
        for await (const _ of network.loadBalancers.list(RG));
      })(),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 429 && e.code === "TooManyRequests",
    );
    assert.equal(emu.counts()["loadBalancers.list"], 1, "no retry without a retry-after header");
    emu.setFaults([{ route: "networkSecurityGroups.list", status: 403 }]);
    await assert.rejects(
      (async () => {
        for await (const _ of network.networkSecurityGroups.list(RG));
      })(),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 403 && e.code === "AuthorizationFailed",
    );
    emu.setFaults([{ route: "virtualNetworks.list", status: 500 }]);
    await assert.rejects(
      (async () => {
        for await (const _ of network.virtualNetworks.list(RG));
      })(),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 500 && e.code === "InternalServerError",
    );
    assert.equal(emu.counts()["virtualNetworks.list"], 3, "500 retried maxRetries (2) times");
    emu.setFaults([]);
  });

  test("a wrong token is rejected with 401", async () => {
    const bad = new NetworkManagementClient(testCredential("not-the-token"), SUB, options(emu));
    await assert.rejects(
      (async () => {
        for await (const _ of bad.loadBalancers.list(RG));
      })(),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 401 && e.code === "InvalidAuthenticationToken",
    );
  });

  test("compute: virtualMachines.list with expand instanceView returns the power state", async () => {
    const power = new Map<string, string | undefined>();
    for await (const vm of compute.virtualMachines.list(RG, { expand: "instanceView" })) {
      power.set(vm.name as string, vm.instanceView?.statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code);
    }
    assert.deepEqual(Object.fromEntries(power), { vm1: "PowerState/running", vm2: "PowerState/running" });
    for await (const vm of compute.virtualMachines.list(RG)) assert.equal(vm.instanceView, undefined);
  });

  test("compute: VMSS instances and their NICs", async () => {
    const instances: string[] = [];
    for await (const vm of compute.virtualMachineScaleSetVMs.list(RG, "vmss-web", { expand: "instanceView" })) {
      // (the builder puts instanceId under properties; ARM and the SDK have it top-level, so go by name)
      instances.push(`${vm.name}:${vm.instanceView?.statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code}`);
    }
    assert.deepEqual(instances, ["vmss-web_0:PowerState/running", "vmss-web_1:PowerState/running"]);
    const nics: string[] = [];
    for await (const nic of network.networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces(RG, "vmss-web")) {
      nics.push(nic.ipConfigurations?.[0]?.privateIPAddress as string);
    }
    assert.deepEqual(nics, ["10.0.0.10", "10.0.0.11"]);
  });

  test("compute: runCommand returns ss output the parser reads back", async () => {
    const result = await compute.virtualMachines
      .runCommand(RG, "vm1", { commandId: "RunShellScript", script: ["ss -Hltn", "ss -Htn"] }, { updateIntervalInMs: 10 })
      .pollUntilDone();
    const message = result.value?.[0]?.message ?? "";
    const parsed = parseSsOutput(message);
    assert.deepEqual(parsed.listening, GUEST.listening);
    assert.equal(parsed.connections?.[0]?.remote, "10.1.0.100:8080");
  });

  test("a resource in another resource group is fetched by id", async () => {
    const vnet = await network.virtualNetworks.get("hub-rg", "vnet-hub");
    assert.deepEqual(vnet.addressSpace?.addressPrefixes, ["10.9.0.0/16"]);
  });
});

describe("guest output: ss renderer and parser", () => {
  test("parses real ss output: headers, Netid, IPv6, *:80, %zone, process columns, no state column", () => {
    const text = [
      "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process",
      'LISTEN 0      4096   127.0.0.53%lo:53         0.0.0.0:*     users:(("systemd-resolve",pid=512,fd=14))',
      'LISTEN 0      511          0.0.0.0:80          0.0.0.0:*     users:(("nginx",pid=901,fd=6),("nginx",pid=900,fd=6))',
      "LISTEN 0      128             [::]:22             [::]:*",
      "LISTEN 0      511                *:8443              *:*",
      "LISTEN 0      511   [::ffff:10.0.0.4]:9000          *:*",
      "LISTEN 0      511   [fe80::1]%eth0:9100          [::]:*",
      "LISTEN 0      511          0.0.0.0:80          0.0.0.0:*",
      "Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port",
      "udp   UNCONN 0      0      10.0.0.4%eth0:68       0.0.0.0:*",
      "tcp   ESTAB  0      36          10.0.0.4:22     203.0.113.7:51514 timer:(on,200ms,0)",
      "u_str ESTAB  0      0                  * 18230           * 18231",
      "ESTAB  0      0      [::ffff:10.0.0.4]:80   [::ffff:198.51.100.9]:41234",
      "TIME-WAIT 0   0           10.0.0.4:50312      10.1.0.100:8080",
      "   0      0           10.0.0.4:50400      10.1.0.100:8080",
      "",
    ].join("\n");
    assert.deepEqual(parseSsOutput(text), {
      listening: [
        { protocol: "tcp", port: 53, address: "127.0.0.53" },
        { protocol: "tcp", port: 80, address: "0.0.0.0" },
        { protocol: "tcp", port: 22, address: "::" },
        { protocol: "tcp", port: 8443, address: "*" },
        { protocol: "tcp", port: 9000, address: "10.0.0.4" },
        { protocol: "tcp", port: 9100, address: "fe80::1" },
        { protocol: "udp", port: 68, address: "10.0.0.4" },
      ],
      connections: [
        { remote: "203.0.113.7:51514", local: "10.0.0.4:22", state: "ESTAB" },
        { remote: "198.51.100.9:41234", local: "10.0.0.4:80", state: "ESTAB" },
        { remote: "10.1.0.100:8080", local: "10.0.0.4:50312", state: "TIME-WAIT" },
        { remote: "10.1.0.100:8080", local: "10.0.0.4:50400" },
      ],
    });
  });

  test("sections decide for rows without a state column; service names resolve", () => {
    const text =
      "### listening\n0 128 0.0.0.0:http 0.0.0.0:*\n0 128 0.0.0.0:ssh 0.0.0.0:*\n### connections\n0 0 10.0.0.4:50000 10.0.0.9:https\n";
    assert.deepEqual(parseSsOutput(text), {
      listening: [
        { protocol: "tcp", port: 80, address: "0.0.0.0" },
        { protocol: "tcp", port: 22, address: "0.0.0.0" },
      ],
      connections: [{ remote: "10.0.0.9:443", local: "10.0.0.4:50000" }],
    });
  });

  test("reads netstat -an (Windows and Linux) too", () => {
    const windows = [
      "Active Connections",
      "  Proto  Local Address          Foreign Address        State",
      "  TCP    0.0.0.0:80             0.0.0.0:0              LISTENING",
      "  TCP    [::]:443               [::]:0                 LISTENING",
      "  TCP    10.0.0.4:49700         10.1.0.100:8080        ESTABLISHED",
      "  UDP    0.0.0.0:123            *:*",
    ].join("\r\n");
    assert.deepEqual(parseSsOutput(windows), {
      listening: [
        { protocol: "tcp", port: 80, address: "0.0.0.0" },
        { protocol: "tcp", port: 443, address: "::" },
        { protocol: "udp", port: 123, address: "0.0.0.0" },
      ],
      connections: [{ remote: "10.1.0.100:8080", local: "10.0.0.4:49700", state: "ESTAB" }],
    });
    const linux =
      "Proto Recv-Q Send-Q Local Address Foreign Address State\ntcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN\ntcp6 0 0 :::80 :::* LISTEN\n";
    assert.deepEqual(parseSsOutput(linux).listening, [
      { protocol: "tcp", port: 22, address: "0.0.0.0" },
      { protocol: "tcp", port: 80, address: "::" },
    ]);
  });

  test("render → parse round-trips, with defaults filled in", () => {
    const obs = {
      listening: [{ protocol: "tcp" as const, port: 8080 }],
      connections: [{ remote: "10.1.0.100:8080", state: "established" }],
    };
    const text = renderSsOutput(obs, { localIp: "10.1.0.4" });
    assert.equal(
      text,
      "### listening\nLISTEN 0      511    0.0.0.0:8080         0.0.0.0:*\n### connections\nESTAB  0      0      10.1.0.4:50000       10.1.0.100:8080",
    );
    assert.deepEqual(parseSsOutput(runCommandMessage(text)), {
      listening: [{ protocol: "tcp", port: 8080, address: "0.0.0.0" }],
      connections: [{ remote: "10.1.0.100:8080", local: "10.1.0.4:50000", state: "ESTAB" }],
    });
    assert.equal(renderSsOutput(undefined), "### listening\n### connections");
  });
});

describe("ARM emulator: api-versions", () => {
  let emu: ArmEmulator;
  let lenient: ArmEmulator;
  before(async () => {
    emu = await startArmEmulator({ snapshots: richSnapshots(), token: TOKEN, apiVersions: "sdk" });
    lenient = await startArmEmulator({ snapshots: richSnapshots(), token: TOKEN });
  });
  after(() => {
    emu.close();
    lenient.close();
  });

  test("a version the provider does not take is refused as ARM refuses it: InvalidResourceType, NoRegisteredProviderFound, InvalidApiVersionParameter", async () => {
    const vmssNics = `${rgPath()}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web/networkInterfaces`;
    const cases: Array<[method: string, path: string, status: number, code: string, message: RegExp]> = [
      // a list: 404 InvalidResourceType, naming the type, namespace and the versions taken
      [
        "GET",
        `${rgPath()}/providers/Microsoft.Network/loadBalancers?api-version=2020-04-01`,
        404,
        "InvalidResourceType",
        /^The resource type 'loadBalancers' could not be found in the namespace 'Microsoft\.Network' for api version '2020-04-01'\. The supported api-versions are '2026-01-01'\.$/,
      ],
      // compute is not network's version, and a scale set's NICs are still 2018-10-01
      [
        "GET",
        `${rgPath()}/providers/Microsoft.Compute/virtualMachines?api-version=${NET}`,
        404,
        "InvalidResourceType",
        /'virtualMachines'.*'2026-04-01'/,
      ],
      ["GET", `${vmssNics}?api-version=${NET}`, 404, "InvalidResourceType", /'virtualMachineScaleSets\/networkInterfaces'.*'2018-10-01'/],
      // one resource, or an action on it: 400 NoRegisteredProviderFound with its location
      [
        "GET",
        `${ids.nic("vm1-nic")}?api-version=2023-11-01`,
        400,
        "NoRegisteredProviderFound",
        /^No registered resource provider found for location 'westeurope' and API version '2023-11-01' for type 'networkInterfaces'\. The supported api-versions are '2026-01-01'\. The supported locations are '[^']*westeurope[^']*'\.$/,
      ],
      [
        "POST",
        `${ids.rule(WEB_LB, "rule-http")}/health?api-version=${COMPUTE}`,
        400,
        "NoRegisteredProviderFound",
        /for type 'loadBalancers\/loadBalancingRules'/,
      ],
      [
        "POST",
        `${ids.vm("vm1")}/runCommand?api-version=${NET}`,
        400,
        "NoRegisteredProviderFound",
        /for type 'virtualMachines'.*'2026-04-01'/,
      ],
      ["GET", `${VMSS_VM0}?api-version=${NET}`, 400, "NoRegisteredProviderFound", /for type 'virtualMachineScaleSets\/virtualMachines'/],
      // ARM's own resources, and a value that is no version: 400 InvalidApiVersionParameter
      [
        "GET",
        `${rgPath()}?api-version=2023-02-01`,
        400,
        "InvalidApiVersionParameter",
        /^The api-version '2023-02-01' is invalid\. The supported versions are '2024-08-01,.*2021-04-01,/,
      ],
      [
        "GET",
        `${ids.lb(WEB_LB)}?api-version=1`,
        400,
        "InvalidApiVersionParameter",
        /^The api-version '1' is invalid\. The supported versions are '2026-01-01'\.$/,
      ],
      // Azure Monitor and Resource Graph
      [
        "GET",
        `${ids.lb(WEB_LB)}/providers/Microsoft.Insights/metrics?api-version=2023-10-01&metricnames=DipAvailability`,
        404,
        "InvalidResourceType",
        /'metrics'.*'Microsoft\.Insights'.*'2024-02-01'/,
      ],
      [
        "GET",
        `/subscriptions/${SUB}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2024-02-01&$filter=eventTimestamp ge '2026-01-01'`,
        404,
        "InvalidResourceType",
        /'eventtypes\/values'.*'2015-04-01'/,
      ],
      [
        "POST",
        "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01",
        404,
        "InvalidResourceType",
        /^The resource type 'resources' could not be found in the namespace 'Microsoft\.ResourceGraph' for api version '2022-10-01'\. The supported api-versions are '2024-04-01'\.$/,
      ],
    ];
    for (const [method, path, status, code, message] of cases) {
      const r = await call(emu, method, path, method === "POST" ? { body: { commandId: "RunShellScript", query: "Resources" } } : {});
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      assert.equal(r.json.error.code, code, path);
      assert.match(r.json.error.message, message, path);
    }
    // the versions the SDKs send are taken
    assert.equal((await get(emu, `${ids.nic("vm1-nic")}?api-version=${NET}`)).status, 200);
    assert.equal((await get(emu, `${vmssNics}?api-version=${VMSS_NET}`)).status, 200);
    assert.equal((await get(emu, `${rgPath()}?api-version=2021-04-01`)).status, 200);
  });

  test("every operation the collectors call is sent, by the installed SDK packages, at a version the emulator takes", async () => {
    const { apiTarget } = await import("../src/providers/azure/emulator/api-versions.ts");
    const used: Array<[pkg: string, group: string, fns: string[]]> = [
      ...[
        "loadBalancers",
        "networkSecurityGroups",
        "virtualNetworks",
        "routeTables",
        "publicIPAddresses",
        "applicationSecurityGroups",
        "natGateways",
      ].map((g): [string, string, string[]] => ["network", g, ["_listSend", "_listAllSend", "_getSend"]]),
      [
        "network",
        "networkInterfaces",
        [
          "_listSend",
          "_listAllSend",
          "_getSend",
          "_listVirtualMachineScaleSetNetworkInterfacesSend",
          "_listVirtualMachineScaleSetVMNetworkInterfacesSend",
          "_getVirtualMachineScaleSetNetworkInterfaceSend",
          "_listEffectiveNetworkSecurityGroupsSend",
          "_getEffectiveRouteTableSend",
        ],
      ],
      ["network", "loadBalancerLoadBalancingRules", ["_healthSend", "_getSend"]],
      ["compute", "virtualMachines", ["_listSend", "_listAllSend", "_getSend", "_runCommandSend"]],
      ["compute", "availabilitySets", ["_listSend", "_getSend"]],
      ["compute", "virtualMachineScaleSets", ["_listSend", "_listAllSend", "_getSend"]],
      ["compute", "virtualMachineScaleSetVMs", ["_listSend", "_getSend", "_runCommandSend"]],
      ["monitor", "metrics", ["_listSend"]],
      ["monitor", "activityLogs", ["_listSend"]],
      ["resourcegraph", ".", ["_resourcesSend"]],
    ];
    let checked = 0;
    for (const [pkg, group, fns] of used) {
      const file = new URL(`../node_modules/@azure/arm-${pkg}/dist/esm/api/${group}/operations.js`, import.meta.url);
      const text = readFileSync(file, "utf8");
      for (const fn of fns) {
        const start = text.indexOf(`export function ${fn}(`);
        assert.ok(start >= 0, `${pkg}/${group}: ${fn}`);
        const end = text.indexOf("export function", start + 1);
        const body = text.slice(start, end < 0 ? undefined : end);
        const m = /expandUrlTemplate\("([^"]+)"[\s\S]*?"api%2Dversion": "([^"]+)"[\s\S]*?\.(get|post)\(/.exec(body);
        assert.ok(m, `${pkg}/${group}: ${fn} has a template, an api-version and a method`);
        const [, template, version, method] = m as unknown as [string, string, string, string];
        const path = template
          .replace(/\{\?[^}]*\}$/, "")
          .replace("{resourceUri}", `subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/lb`)
          .replace(/\{[^}]+\}/g, "x");
        const target = apiTarget(method.toUpperCase(), path);
        assert.ok(target, `${pkg}/${group}: ${fn} (${path}) is served`);
        assert.ok(
          target.versions.includes(version),
          `${pkg}/${group}: ${fn} sends ${version}; the emulator takes ${target.versions.join(", ")}`,
        );
        checked++;
      }
    }
    assert.equal(checked, 46);
  });

  test("by default any value shaped like an api-version is taken (a newer SDK package's keep working), and one that is none is refused", async () => {
    for (const path of [
      `${rgPath()}/providers/Microsoft.Network/loadBalancers?api-version=2031-07-01`,
      `${ids.nic("vm1-nic")}?api-version=2023-11-01`,
      `${ids.vm("vm1")}?api-version=2030-01-01-preview`,
      `${rgPath()}?api-version=2023-02-01`,
    ]) {
      const r = await get(lenient, path);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
    }
    const none = await get(lenient, `${ids.lb(WEB_LB)}?api-version=1`);
    assert.equal(none.status, 400, none.text);
    assert.equal(none.json.error.code, "InvalidApiVersionParameter");
    assert.match(none.json.error.message, /^The api-version '1' is invalid\./);
    const graph = await call(lenient, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=latest", {
      body: { query: "Resources" },
    });
    assert.equal(graph.status, 400, graph.text);
    assert.equal(graph.json.error.code, "InvalidApiVersionParameter");
  });
});

describe("ARM emulator: a resource group the caller holds no role on (unreadableResourceGroups)", () => {
  const hidden = "lb-rg";
  /** healthy-web with its load balancer (and the NICs' references to it) in resource group lb-rg */
  const snap = JSON.parse(
    JSON.stringify(fixture("healthy-web")).replaceAll(
      `/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/`,
      `/resourceGroups/${hidden}/providers/Microsoft.Network/loadBalancers/`,
    ),
  ) as AzureSnapshot;
  const lbId = netId("loadBalancers", WEB_LB, hidden);
  const requests: Array<{ method: string; path: string; action: string; scope?: string }> = [
    { method: "GET", path: `${rgPath(hidden)}?api-version=2021-04-01`, action: "Microsoft.Resources/subscriptions/resourceGroups/read" },
    {
      method: "GET",
      path: `${rgPath(hidden)}/providers/Microsoft.Network/loadBalancers?api-version=${NET}`,
      action: "Microsoft.Network/loadBalancers/read",
      // a list is refused over the group's provider namespace, as ARM does (Azure/CloudShell#561)
      scope: `${rgPath(hidden)}/providers/Microsoft.Network`,
    },
    { method: "GET", path: `${lbId}?api-version=${NET}`, action: "Microsoft.Network/loadBalancers/read" },
    // the group named in another case is the same group
    {
      method: "GET",
      path: `${lbId.replace(`/resourceGroups/${hidden}/`, "/RESOURCEGROUPS/LB-RG/")}?api-version=${NET}`,
      action: "Microsoft.Network/loadBalancers/read",
    },
    {
      method: "POST",
      path: `${lbId}/loadBalancingRules/rule-http/health?api-version=${NET}`,
      action: "Microsoft.Network/loadBalancers/loadBalancingRules/health/action",
    },
    // refused before ARM looks for what the path names
    { method: "GET", path: `${lbId}-gone?api-version=${NET}`, action: "Microsoft.Network/loadBalancers/read" },
  ];

  test("every ARM request under the group is 403 AuthorizationFailed naming the action and the scope; the other groups answer; without the option nothing changes", async () => {
    const emu = await startArmEmulator({
      snapshots: [snap],
      token: TOKEN,
      unreadableResourceGroups: [`/subscriptions/${SUB}/resourceGroups/LB-RG`],
    });
    try {
      for (const r of requests) {
        const res = await call(emu, r.method, r.path);
        assert.equal(res.status, 403, `${r.method} ${r.path}: ${res.text}`);
        assert.deepEqual(Object.keys(res.json), ["error"]);
        assert.equal(res.json.error.code, "AuthorizationFailed");
        const scope = r.scope ?? decodeURIComponent(new URL(r.path, emu.url).pathname);
        assert.equal(
          res.json.error.message,
          `The client does not have authorization to perform action '${r.action}' over scope '${scope}' or the scope is invalid (injected by the ARM emulator).`,
        );
      }
      const readable = await listAll(emu, listPath("Microsoft.Network", "networkInterfaces"));
      assert.ok(readable.items.length > 0);
      assert.equal((await get(emu, `${rgPath()}?api-version=2021-04-01`)).status, 200);
    } finally {
      await emu.close();
    }
    // without the option the same requests are answered as before
    const open = await startArmEmulator({ snapshots: [snap], token: TOKEN });
    try {
      for (const r of requests.slice(0, 4)) assert.equal((await get(open, r.path)).status, 200, r.path);
      assert.equal((await get(open, `${lbId}-gone?api-version=${NET}`)).status, 404);
    } finally {
      await open.close();
    }
  });

  test("a list across the subscription is 403 AuthorizationFailed over the subscription (the caller holds no role on it), not the readable groups' resources", async () => {
    const subList = (type: string) => `/subscriptions/${SUB}/providers/Microsoft.Network/${type}?api-version=${NET}`;
    const emu = await startArmEmulator({
      snapshots: [snap],
      token: TOKEN,
      unreadableResourceGroups: [`/subscriptions/${SUB}/resourceGroups/LB-RG`],
    });
    try {
      for (const type of ["loadBalancers", "networkInterfaces"]) {
        const res = await get(emu, subList(type));
        assert.equal(res.status, 403, `${type}: ${res.text}`);
        assert.equal(res.json.error.code, "AuthorizationFailed");
        assert.equal(
          res.json.error.message,
          `The client does not have authorization to perform action 'Microsoft.Network/${type}/read' over scope '/subscriptions/${SUB}' or the scope is invalid (injected by the ARM emulator).`,
        );
      }
      const vms = await get(emu, `/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachines?api-version=${COMPUTE}`);
      assert.equal(vms.status, 403, vms.text);
      assert.match(vms.json.error.message, /'Microsoft\.Compute\/virtualMachines\/read' over scope '\/subscriptions\//);
      // the readable group is still listed
      assert.ok((await listAll(emu, listPath("Microsoft.Network", "networkInterfaces"))).items.length > 0);
    } finally {
      await emu.close();
    }
    // a group of another subscription hidden: this subscription is read whole, and its lists answer
    const elsewhere = await startArmEmulator({
      snapshots: [snap],
      token: TOKEN,
      unreadableResourceGroups: ["/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/lb-rg"],
    });
    try {
      const lbs = await listAll(elsewhere, subList("loadBalancers"));
      assert.deepEqual(
        lbs.items.map((r) => r.id),
        [lbId],
      );
    } finally {
      await elsewhere.close();
    }
  });
});
