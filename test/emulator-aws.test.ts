/**
 * The AWS Query-protocol emulator: its wire shapes checked by an independent
 * client (the `aws` CLI, i.e. botocore), its rename table checked against
 * botocore's service model, and its protocol behaviour (envelopes, status
 * codes, paging, filters, faults, counts) over raw HTTP.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { limiter } from "../src/core/util/limit.ts";
import { type AwsEmulator, EC2_SHAPES, lowerFirst, startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import { QUERY_LISTS, QUERY_MAPS } from "../src/providers/aws/emulator/xml.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { ROOT } from "./support/cli.ts";
import { skipOrFail } from "./support/tools.ts";

const FIXTURE = join(ROOT, "test/fixtures-aws/web-two-az.json");
const load = (): AwsSnapshot => JSON.parse(readFileSync(FIXTURE, "utf8"));
type Rec = Record<string, unknown>;

/** `aws` on PATH, or why not. */
function findAws(): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync("aws", ["--version"], { encoding: "utf8", env: { ...process.env, AWS_CONFIG_FILE: "/dev/null" } });
  if (r.error || r.status !== 0)
    return {
      ok: false,
      reason: `the aws CLI is not on PATH (${r.error?.message ?? r.stderr.trim()}); install it (apt-get install awscli) to check the emulator against botocore`,
    };
  return { ok: true };
}

/** The copy of botocore AWS CLI v2 vendors (Debian's awscli package), or botocore itself (CLI v1). */
const IMPORT_BOTOCORE = `
try:
    from awscli.botocore import session as botocore_session
except ImportError:
    import botocore.session as botocore_session
`;

/** A Python that can import the aws CLI's botocore: the interpreter of the aws script first, then python3. */
function findBotocorePython(): string | undefined {
  const candidates: string[] = [];
  const which = spawnSync("sh", ["-c", "command -v aws"], { encoding: "utf8" }).stdout.trim();
  if (which) {
    try {
      const first = readFileSync(realpathSync(which), "utf8").split("\n")[0] ?? "";
      const m = /^#!\s*(\S+)/.exec(first);
      if (m?.[1] && /python/.test(m[1])) candidates.push(m[1]);
    } catch {
      // not a script
    }
  }
  candidates.push("python3");
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", IMPORT_BOTOCORE], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return undefined;
}

type BotoMember = { loc: string | null; struct: string | null; map: boolean; item: string | null };
type BotoGraph = { roots: string[]; shapes: Record<string, Record<string, BotoMember>> };
type BotoModel = {
  version: string;
  ec2: BotoGraph;
  elbv2: BotoGraph;
  autoscaling: BotoGraph;
  /** the request parameters of DescribeTargetHealth this botocore knows (an older one has no Include) */
  targetHealthParams: string[];
};

let botoModel: BotoModel | string | undefined;
/** The output shapes of the operations lbdoctor calls, from the aws CLI's own botocore; or why not available. */
function botocoreModel(): BotoModel | string {
  if (botoModel !== undefined) return botoModel;
  const py = findBotocorePython();
  if (!py) {
    botoModel = "no Python with the aws CLI's botocore; install awscli to check the emulator against botocore's model";
    return botoModel;
  }
  const script = `
import json
${IMPORT_BOTOCORE}
s = botocore_session.get_session()
def graph(svc, ops):
    m = s.get_service_model(svc)
    out = {}
    def walk(shape):
        if shape.type_name == 'list': return walk(shape.member)
        if shape.type_name != 'structure' or shape.name in out: return
        out[shape.name] = {}
        for name, ms in shape.members.items():
            target = ms.member if ms.type_name == 'list' else ms
            out[shape.name][name] = {
                'loc': ms.serialization.get('name'),
                'struct': target.name if target.type_name == 'structure' else None,
                'map': ms.type_name == 'map',
                'item': ms.member.serialization.get('name') if ms.type_name == 'list' else None,
            }
            walk(ms)
    roots = [m.operation_model(o).output_shape.name for o in ops]
    for o in ops: walk(m.operation_model(o).output_shape)
    return {'roots': roots, 'shapes': out}
print(json.dumps({
  'version': s.user_agent(),
  'ec2': graph('ec2', ['DescribeSecurityGroups', 'DescribeInstances', 'DescribeSubnets', 'DescribeNetworkAcls', 'DescribeRouteTables']),
  'elbv2': graph('elbv2', ['DescribeLoadBalancers', 'DescribeLoadBalancerAttributes', 'DescribeListeners', 'DescribeRules', 'DescribeTargetGroups', 'DescribeTargetGroupAttributes', 'DescribeTargetHealth']),
  'autoscaling': graph('autoscaling', ['DescribeAutoScalingGroups']),
  'targetHealthParams': list(s.get_service_model('elbv2').operation_model('DescribeTargetHealth').input_shape.members),
}))
`;
  const r = spawnSync(py, ["-c", script], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  botoModel = JSON.parse(r.stdout) as BotoModel;
  return botoModel;
}

/**
 * The snapshot's data as this botocore can see it: members its (possibly
 * older) model does not know are dropped, as its parser drops them. Returns
 * the pruned value and the members dropped.
 */
function prune(g: BotoGraph, shape: string, v: unknown, dropped: Set<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => prune(g, shape, x, dropped));
  if (v === null || typeof v !== "object") return v;
  const members = g.shapes[shape];
  if (!members) return v;
  const out: Rec = {};
  for (const [k, x] of Object.entries(v as Rec)) {
    const m = members[k];
    if (!m) {
      dropped.add(`${shape}.${k}`);
      continue;
    }
    out[k] = m.struct ? prune(g, m.struct, x, dropped) : x;
  }
  return out;
}

/** ISO timestamps in any of botocore's output formats → one form. */
function normTimes(v: unknown): unknown {
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return new Date(v).toISOString();
  if (Array.isArray(v)) return v.map(normTimes);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normTimes(x)]));
  return v;
}

describe("the EC2 rename table matches botocore's service model", () => {
  it("every member of every shape reachable from the five EC2 outputs gets botocore's locationName; awsQuery's exceptions are known", (t) => {
    const g = botocoreModel();
    if (typeof g === "string") {
      skipOrFail(t, g);
      return;
    }
    t.diagnostic(g.version);

    // EC2: walk botocore's graph and the table side by side
    const mismatches: string[] = [];
    const seen = new Set<string>();
    const walk = (boto: string, mine: string | undefined) => {
      const key = `${boto}/${mine}`;
      if (seen.has(key)) return;
      seen.add(key);
      for (const [member, m] of Object.entries(g.ec2.shapes[boto] ?? {})) {
        const want = m.loc ?? member;
        const def = mine ? EC2_SHAPES[mine] : undefined;
        const got = def?.rename?.[member] ?? lowerFirst(member);
        if (got !== want)
          mismatches.push(
            `${boto}.${member}: table gives <${got}>, botocore <${want}>${mine === boto ? "" : ` (reached as ${mine ?? "no shape"})`}`,
          );
        if (m.item !== null && m.item !== "item") mismatches.push(`${boto}.${member}: list items are <${m.item}>`);
        if (m.struct) walk(m.struct, def?.child?.[member]);
      }
    };
    for (const root of g.ec2.roots) walk(root, root);
    assert.deepEqual(mismatches, [], mismatches.join("\n"));
    // shapes of the table this botocore does not have (newer than its model) are only reported
    const unknown = Object.keys(EC2_SHAPES).filter((name) => !g.ec2.shapes[name]);
    if (unknown.length > 0) t.diagnostic(`not in this botocore's model: ${unknown.join(", ")}`);

    // awsQuery: names are member names except the listed oddities; maps are the known ones
    for (const svc of ["elbv2", "autoscaling"] as const) {
      for (const [shape, members] of Object.entries(g[svc].shapes)) {
        for (const [member, m] of Object.entries(members)) {
          const special = Object.entries(QUERY_LISTS).find(([k]) => k.endsWith(`.${member}`));
          if (m.loc && m.loc !== member) assert.equal(special?.[1].name, m.loc, `${svc} ${shape}.${member} is <${m.loc}> on the wire`);
          if (m.item && m.item !== "member") assert.equal(special?.[1].member, m.item, `${svc} ${shape}.${member} items are <${m.item}>`);
          if (m.map) assert.ok(QUERY_MAPS.has(member), `${svc} ${shape}.${member} is a map`);
        }
      }
    }
  });
});

/** Python start-ups in parallel, as many as there are CPUs. */
const cliLimit = limiter(Math.max(2, availableParallelism()));

/** Runs the aws CLI against the emulator; resolves with the exit code, parsed stdout and stderr. */
function aws(url: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; json: Rec; stderr: string }> {
  return cliLimit(() => awsNow(url, args, extraEnv));
}

function awsNow(url: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; json: Rec; stderr: string }> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "AKIDTEST",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-west-2",
    AWS_REGION: "us-west-2",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_ENDPOINT_URL: url,
    AWS_PAGER: "",
    ...extraEnv,
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return new Promise((resolve) => {
    execFile(
      "aws",
      // --endpoint-url too: AWS CLI releases before v1.29/v2.13 ignore AWS_ENDPOINT_URL (Debian 12 ships 2.9.19) and would go to AWS
      [...args, "--endpoint-url", url, "--output", "json"],
      { env, encoding: "utf8", timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        let json: Rec = {};
        try {
          json = stdout.trim() ? (JSON.parse(stdout) as Rec) : {};
        } catch {
          json = { unparsed: stdout };
        }
        resolve({ code, json, stderr });
      },
    );
  });
}

describe("fidelity: the aws CLI (botocore) parses the emulator's XML into the snapshot's data", () => {
  const found = findAws();
  const snap = load();
  let emu: AwsEmulator;
  let faulty: AwsEmulator;
  before(async () => {
    // page size 1: botocore follows every NextMarker/NextToken too
    emu = await startAwsEmulator({ snapshots: [snap], pageSize: 1 });
    faulty = await startAwsEmulator({ snapshots: [snap], faults: [{ action: "DescribeInstances", fault: "denied" }] });
  });
  after(async () => {
    await emu.close();
    await faulty.close();
  });

  const e = snap.elbv2;
  const c = snap.ec2 ?? {};
  const lbArns = e.LoadBalancers.map((lb) => String(lb.LoadBalancerArn));
  const tgArns = (e.TargetGroups ?? []).map((tg) => String(tg.TargetGroupArn));
  const listenerArns = (e.Listeners ?? []).map((l) => String(l.ListenerArn));

  /** One CLI command: what it prints (picked out of the response), what the snapshot holds, and botocore's shape of the items. */
  interface Case {
    name: string;
    args: string[];
    pick: (j: Rec) => unknown;
    want: unknown;
    svc: "elbv2" | "ec2" | "autoscaling";
    shape: string;
  }
  const lbName = (arn: string) => arn.split("/")[2];
  const tgName = (arn: string) => arn.split("/")[1];
  const cases: Case[] = [
    {
      name: "elbv2 describe-load-balancers",
      args: ["elbv2", "describe-load-balancers"],
      pick: (j) => j.LoadBalancers,
      want: e.LoadBalancers,
      svc: "elbv2",
      shape: "LoadBalancer",
    },
    {
      name: "elbv2 describe-target-groups",
      args: ["elbv2", "describe-target-groups"],
      pick: (j) => j.TargetGroups,
      want: e.TargetGroups,
      svc: "elbv2",
      shape: "TargetGroup",
    },
    ...lbArns.map(
      (arn): Case => ({
        name: `elbv2 describe-listeners ${lbName(arn)}`,
        args: ["elbv2", "describe-listeners", "--load-balancer-arn", arn],
        pick: (j) => j.Listeners,
        want: (e.Listeners ?? []).filter((l) => l.LoadBalancerArn === arn),
        svc: "elbv2",
        shape: "Listener",
      }),
    ),
    ...lbArns.slice(0, 1).map(
      (arn): Case => ({
        name: `elbv2 describe-load-balancer-attributes ${lbName(arn)}`,
        args: ["elbv2", "describe-load-balancer-attributes", "--load-balancer-arn", arn],
        pick: (j) => j.Attributes,
        want: e.LoadBalancerAttributes?.[arn],
        svc: "elbv2",
        shape: "LoadBalancerAttribute",
      }),
    ),
    ...listenerArns.slice(0, 1).map(
      (arn): Case => ({
        name: `elbv2 describe-rules ${arn.split("/").pop()}`,
        args: ["elbv2", "describe-rules", "--listener-arn", arn],
        pick: (j) => j.Rules,
        want: e.Rules?.[arn],
        svc: "elbv2",
        shape: "Rule",
      }),
    ),
    ...tgArns.map(
      (arn): Case => ({
        name: `elbv2 describe-target-health ${tgName(arn)}`,
        // as the collector asks: with the anomaly detection results
        args: ["elbv2", "describe-target-health", "--target-group-arn", arn, "--include", "AnomalyDetection"],
        pick: (j) => j.TargetHealthDescriptions,
        want: e.TargetHealth?.[arn],
        svc: "elbv2",
        shape: "TargetHealthDescription",
      }),
    ),
    ...tgArns.slice(-1).map(
      (arn): Case => ({
        name: `elbv2 describe-target-group-attributes ${tgName(arn)}`,
        args: ["elbv2", "describe-target-group-attributes", "--target-group-arn", arn],
        pick: (j) => j.Attributes,
        want: e.TargetGroupAttributes?.[arn],
        svc: "elbv2",
        shape: "TargetGroupAttribute",
      }),
    ),
    {
      name: "ec2 describe-security-groups",
      args: ["ec2", "describe-security-groups"],
      pick: (j) => j.SecurityGroups,
      want: c.SecurityGroups,
      svc: "ec2",
      shape: "SecurityGroup",
    },
    {
      name: "ec2 describe-instances (flattened)",
      args: ["ec2", "describe-instances"],
      pick: (j) => (j.Reservations as Rec[]).flatMap((r) => r.Instances as Rec[]),
      want: c.Instances,
      svc: "ec2",
      shape: "Instance",
    },
    {
      name: "ec2 describe-subnets",
      args: ["ec2", "describe-subnets"],
      pick: (j) => j.Subnets,
      want: c.Subnets,
      svc: "ec2",
      shape: "Subnet",
    },
    {
      name: "ec2 describe-network-acls",
      args: ["ec2", "describe-network-acls"],
      pick: (j) => j.NetworkAcls,
      want: c.NetworkAcls,
      svc: "ec2",
      shape: "NetworkAcl",
    },
    {
      name: "ec2 describe-route-tables",
      args: ["ec2", "describe-route-tables"],
      pick: (j) => j.RouteTables,
      want: c.RouteTables,
      svc: "ec2",
      shape: "RouteTable",
    },
    {
      name: "ec2 describe-route-tables --filters association.main=true vpc-id=…",
      args: ["ec2", "describe-route-tables", "--filters", "Name=association.main,Values=true", "Name=vpc-id,Values=vpc-0a1b2c3d4e5f60718"],
      pick: (j) => j.RouteTables,
      want: c.RouteTables?.filter((rt) => (rt.Associations as Rec[]).some((a) => a.Main === true)),
      svc: "ec2",
      shape: "RouteTable",
    },
    {
      name: "autoscaling describe-auto-scaling-groups",
      args: ["autoscaling", "describe-auto-scaling-groups"],
      pick: (j) => j.AutoScalingGroups,
      want: snap.autoscaling?.AutoScalingGroups,
      svc: "autoscaling",
      shape: "AutoScalingGroup",
    },
  ];

  const errorCases: Array<[string[], Record<string, string>]> = [
    [["elbv2", "describe-load-balancers", "--names", "no-such-lb"], {}],
    [["ec2", "describe-security-groups", "--group-ids", "sg-0000000000000dead"], {}],
    [["ec2", "describe-instances"], { AWS_MAX_ATTEMPTS: "1" }],
  ];

  // an aws CLI whose botocore predates DescribeTargetHealth's Include parameter refuses the flag: ask it without
  // (its model does not know AnomalyDetection either, so the comparison below drops that member too)
  const argsFor = (k: Case): string[] => {
    const model = botocoreModel();
    if (!k.args.includes("--include") || typeof model === "string" || model.targetHealthParams.includes("Include")) return k.args;
    return k.args.filter((a, i) => a !== "--include" && k.args[i - 1] !== "--include");
  };

  // every CLI run at once (each is a Python start-up), then one assertion per command
  let results: Promise<{ ok: Array<Awaited<ReturnType<typeof aws>>>; errors: Array<Awaited<ReturnType<typeof aws>>> }> | undefined;
  const resultsOnce = () => {
    results ??= (async () => {
      const [ok, errors] = await Promise.all([
        Promise.all(cases.map((k) => aws(emu.url, argsFor(k)))),
        Promise.all(errorCases.map(([args, env]) => aws(faulty.url, args, env))),
      ]);
      return { ok, errors };
    })();
    return results;
  };

  cases.forEach((k, i) => {
    it(`aws ${k.name}`, async (t) => {
      if (!found.ok) {
        skipOrFail(t, found.reason);
        return;
      }
      assert.ok(k.want !== undefined, `the fixture has data for ${k.name}`);
      const r = (await resultsOnce()).ok[i];
      assert.ok(r, "ran");
      assert.equal(r.code, 0, r.stderr);
      // an older botocore drops the members its model does not know yet; compare what it can see
      const model = botocoreModel();
      let want: unknown = k.want;
      if (typeof model !== "string") {
        assert.ok(model[k.svc].shapes[k.shape], `botocore has the shape ${k.shape}`);
        const dropped = new Set<string>();
        want = prune(model[k.svc], k.shape, k.want, dropped);
        if (dropped.size > 0) t.diagnostic(`${model.version} does not know ${[...dropped].sort().join(", ")}`);
      }
      assert.deepEqual(normTimes(k.pick(r.json)), normTimes(want));
    });
  });

  it("error envelopes: a non-zero exit with the error code on stderr (awsQuery and ec2Query)", async (t) => {
    if (!found.ok) {
      skipOrFail(t, found.reason);
      return;
    }
    const [lb, sg, inst] = (await resultsOnce()).errors;
    assert.ok(lb && sg && inst);
    assert.notEqual(lb.code, 0);
    assert.match(lb.stderr, /\(LoadBalancerNotFound\).*DescribeLoadBalancers.*One or more load balancers not found/);
    assert.notEqual(sg.code, 0);
    assert.match(sg.stderr, /\(InvalidGroup\.NotFound\)/);
    assert.notEqual(inst.code, 0);
    assert.match(inst.stderr, /\(UnauthorizedOperation\)/);
  });
});

/** One raw Query request. */
async function post(url: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, requestId: res.headers.get("x-amzn-requestid"), text: await res.text() };
}

const ELB = { Version: "2015-12-01" };
const EC2 = { Version: "2016-11-15" };
const ASG = { Version: "2011-01-01" };

describe("AWS emulator: the protocols over raw HTTP", () => {
  const snap = load();
  let emu: AwsEmulator;
  before(async () => {
    emu = await startAwsEmulator({ snapshots: [snap], pageSize: 1 });
  });
  after(() => emu.close());

  it("awsQuery: a Result wrapper, <member> lists, NextMarker paging, the request id in body and header", async () => {
    const r = await post(emu.url, { ...ELB, Action: "DescribeLoadBalancers" });
    assert.equal(r.status, 200);
    assert.ok(r.requestId);
    assert.match(
      r.text,
      /^<DescribeLoadBalancersResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><DescribeLoadBalancersResult><LoadBalancers><member>/,
    );
    assert.ok(r.text.includes(`<RequestId>${r.requestId}</RequestId>`));
    const marker = /<NextMarker>([^<]+)<\/NextMarker>/.exec(r.text)?.[1];
    assert.ok(marker, "a second page");
    const r2 = await post(emu.url, { ...ELB, Action: "DescribeLoadBalancers", Marker: marker });
    assert.match(r2.text, /<LoadBalancerName>tcp-nlb<\/LoadBalancerName>/);
    assert.doesNotMatch(r2.text, /<NextMarker>/);
  });

  it("ec2Query: no Result wrapper, <requestId> first, <item> lists, renamed members, escaped text", async () => {
    const r = await post(emu.url, {
      ...EC2,
      Action: "DescribeSecurityGroups",
      "Filter.1.Name": "group-id",
      "Filter.1.Value.1": "sg-0a1b2c3d4e5f6a7b1",
    });
    assert.equal(r.status, 200);
    assert.match(
      r.text,
      /<DescribeSecurityGroupsResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>[^<]+<\/requestId><securityGroupInfo><item>/,
    );
    assert.ok(r.text.includes("<groupDescription>ALB: HTTPS &amp; HTTP from the internet</groupDescription>"));
    assert.match(
      r.text,
      /<groups><item><groupId>sg-0b2c3d4e5f6a7b8c2<\/groupId><userId>123456789012<\/userId><description>to web targets<\/description><\/item><\/groups>/,
    );
    assert.ok(r.text.includes("<tagSet><item><key>Name</key>"));
    assert.doesNotMatch(r.text, /DescribeSecurityGroupsResult|<member>/);
  });

  it("errors: status ≥ 400 in each protocol's envelope; unknown actions, versions, filters and ids", async () => {
    const lb = await post(emu.url, { ...ELB, Action: "DescribeLoadBalancers", "Names.member.1": "nope" });
    assert.equal(lb.status, 400);
    assert.match(
      lb.text,
      /^<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>LoadBalancerNotFound<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>/,
    );
    const ec2 = await post(emu.url, { ...EC2, Action: "DescribeInstances", "InstanceId.1": "i-nope" });
    assert.equal(ec2.status, 400);
    assert.match(
      ec2.text,
      /<Response><Errors><Error><Code>InvalidInstanceID\.NotFound<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>/,
    );
    const filter = await post(emu.url, {
      ...EC2,
      Action: "DescribeRouteTables",
      "Filter.1.Name": "no-such-filter",
      "Filter.1.Value.1": "x",
    });
    assert.equal(filter.status, 400);
    assert.match(filter.text, /InvalidParameterValue/);
    const action = await post(emu.url, { ...ELB, Action: "CreateLoadBalancer" });
    assert.equal(action.status, 400);
    assert.match(action.text, /InvalidAction/);
    const version = await post(emu.url, { Version: "2099-01-01", Action: "DescribeLoadBalancers" });
    assert.equal(version.status, 400);
    const pageSize = await post(emu.url, { ...ELB, Action: "DescribeLoadBalancers", PageSize: "401" });
    assert.equal(pageSize.status, 400);
    assert.match(pageSize.text, /ValidationError/);
    const asgFilter = await post(emu.url, { ...ASG, Action: "DescribeAutoScalingGroups", "Filters.member.1.Name": "target-group-arn" });
    assert.equal(asgFilter.status, 400);
    // the APIs' own limits, from botocore's model: route tables page at most 100, instance ids exclude MaxResults
    const rtMax = await post(emu.url, { ...EC2, Action: "DescribeRouteTables", MaxResults: "1000" });
    assert.equal(rtMax.status, 400);
    assert.match(rtMax.text, /MaxResults must be between 5 and 100/);
    assert.equal((await post(emu.url, { ...EC2, Action: "DescribeRouteTables", MaxResults: "100" })).status, 200);
    const combo = await post(emu.url, { ...EC2, Action: "DescribeInstances", "InstanceId.1": "i-0a1b2c3d4e5f60001", MaxResults: "5" });
    assert.equal(combo.status, 400);
    assert.match(combo.text, /InvalidParameterCombination/);
  });

  it("EC2 filters: association.subnet-id, association.main, default, tags; AND across filters, OR within one", async () => {
    const count = (t: string, tag: string) => (t.match(new RegExp(`<${tag}>`, "g")) ?? []).length;
    const nacl = await post(emu.url, {
      ...EC2,
      Action: "DescribeNetworkAcls",
      "Filter.1.Name": "vpc-id",
      "Filter.1.Value.1": "vpc-0a1b2c3d4e5f60718",
      "Filter.2.Name": "default",
      "Filter.2.Value.1": "true",
      MaxResults: "5",
    });
    assert.match(nacl.text, /<networkAclId>acl-0a1b2c3d4e5f60000<\/networkAclId>/);
    assert.equal(count(nacl.text, "default"), 1, "one ACL: the VPC's default");
    const rts = await post(emu.url, {
      ...EC2,
      Action: "DescribeRouteTables",
      "Filter.1.Name": "association.subnet-id",
      "Filter.1.Value.1": "subnet-01a2b3c4d5e6f7a81",
      "Filter.1.Value.2": "subnet-02b3c4d5e6f7a8b91",
    });
    assert.match(rts.text, /rtb-0a1b2c3d4e5f60001/);
    assert.doesNotMatch(rts.text, /<routeTableId>rtb-0a1b2c3d4e5f60000/);
    const tagged = await post(emu.url, { ...EC2, Action: "DescribeSubnets", "Filter.1.Name": "tag:Name", "Filter.1.Value.1": "private-*" });
    assert.match(tagged.text, /<nextToken>/, "two private subnets at page size 1");
  });

  it("Auto Scaling: names, tag filters, NextToken", async () => {
    const r = await post(emu.url, {
      ...ASG,
      Action: "DescribeAutoScalingGroups",
      "Filters.member.1.Name": "tag:Name",
      "Filters.member.1.Values.member.1": "web",
    });
    assert.match(r.text, /<DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>web-asg</);
    const none = await post(emu.url, { ...ASG, Action: "DescribeAutoScalingGroups", "AutoScalingGroupNames.member.1": "other" });
    assert.match(none.text, /<AutoScalingGroups><\/AutoScalingGroups>/);
  });

  it("faults: throttling per protocol, access denied, times, match, latency; counts include them", async () => {
    emu.resetCounts();
    emu.setFaults([
      { action: "DescribeTargetHealth", fault: "throttle", times: 1 },
      { action: "DescribeInstances", fault: "throttle", times: 1 },
      { action: "DescribeTargetGroupAttributes", fault: "denied", match: "api-tg" },
      { action: "DescribeSubnets", fault: "latency", latencyMs: 120, times: 1 },
    ]);
    try {
      const tg = String(snap.elbv2.TargetGroups?.[0]?.TargetGroupArn);
      const api = String(snap.elbv2.TargetGroups?.[1]?.TargetGroupArn);
      const t1 = await post(emu.url, { ...ELB, Action: "DescribeTargetHealth", TargetGroupArn: tg });
      assert.equal(t1.status, 400);
      assert.match(t1.text, /<Code>Throttling<\/Code>/);
      assert.equal((await post(emu.url, { ...ELB, Action: "DescribeTargetHealth", TargetGroupArn: tg })).status, 200, "times: 1");
      const i1 = await post(emu.url, { ...EC2, Action: "DescribeInstances" });
      assert.equal(i1.status, 503);
      assert.match(i1.text, /<Code>RequestLimitExceeded<\/Code>/);
      assert.equal((await post(emu.url, { ...ELB, Action: "DescribeTargetGroupAttributes", TargetGroupArn: tg })).status, 200, "match");
      const denied = await post(emu.url, { ...ELB, Action: "DescribeTargetGroupAttributes", TargetGroupArn: api });
      assert.equal(denied.status, 403);
      assert.match(denied.text, /<Code>AccessDenied<\/Code>/);
      const t0 = performance.now();
      assert.equal((await post(emu.url, { ...EC2, Action: "DescribeSubnets" })).status, 200);
      assert.ok(performance.now() - t0 >= 110, "the latency fault delays");
      assert.deepEqual(emu.counts(), {
        DescribeTargetHealth: 2,
        DescribeInstances: 1,
        DescribeTargetGroupAttributes: 2,
        DescribeSubnets: 1,
      });
      assert.equal(emu.total(), 6);
    } finally {
      emu.setFaults([]);
    }
  });

  it("setTargetHealth replaces the live answer", async () => {
    const tg = String(snap.elbv2.TargetGroups?.[1]?.TargetGroupArn);
    const before = snap.elbv2.TargetHealth?.[tg];
    emu.setTargetHealth(tg, [
      { Target: { Id: "i-0a1b2c3d4e5f60003", Port: 9000 }, HealthCheckPort: "9001", TargetHealth: { State: "healthy" } },
    ]);
    try {
      const r = await post(emu.url, { ...ELB, Action: "DescribeTargetHealth", TargetGroupArn: tg });
      assert.match(r.text, /<TargetHealth><State>healthy<\/State><\/TargetHealth>/);
    } finally {
      emu.setTargetHealth(tg, before ?? []);
    }
  });

  it("DescribeTargetHealth answers AnomalyDetection only with Include (AnomalyDetection or All); AdministrativeOverride always", async () => {
    const tg = String(snap.elbv2.TargetGroups?.[0]?.TargetGroupArn);
    const before = snap.elbv2.TargetHealth?.[tg];
    emu.setTargetHealth(tg, [
      {
        Target: { Id: "i-0a1b2c3d4e5f60001", Port: 80 },
        TargetHealth: { State: "healthy" },
        AnomalyDetection: { Result: "anomalous", MitigationInEffect: "yes" },
        AdministrativeOverride: { State: "no_override", Reason: "AdministrativeOverride.NoOverride", Description: "none" },
      },
    ]);
    try {
      const plain = await post(emu.url, { ...ELB, Action: "DescribeTargetHealth", TargetGroupArn: tg });
      assert.doesNotMatch(plain.text, /AnomalyDetection/);
      assert.match(plain.text, /<AdministrativeOverride><State>no_override<\/State><Reason>AdministrativeOverride.NoOverride<\/Reason>/);
      for (const include of ["AnomalyDetection", "All"]) {
        const r = await post(emu.url, { ...ELB, Action: "DescribeTargetHealth", TargetGroupArn: tg, "Include.member.1": include });
        assert.equal(r.status, 200, r.text);
        assert.match(
          r.text,
          /<AnomalyDetection><Result>anomalous<\/Result><MitigationInEffect>yes<\/MitigationInEffect><\/AnomalyDetection>/,
          include,
        );
      }
      const bad = await post(emu.url, { ...ELB, Action: "DescribeTargetHealth", TargetGroupArn: tg, "Include.member.1": "Everything" });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /<Code>ValidationError<\/Code>/);
    } finally {
      emu.setTargetHealth(tg, before ?? []);
    }
  });

  it("with accessKeyId set, other keys get InvalidClientTokenId (awsQuery) or AuthFailure (EC2)", async () => {
    const strict = await startAwsEmulator({ snapshots: [snap], accessKeyId: "AKIDGOOD" });
    try {
      const sig = (k: string) => ({
        authorization: `AWS4-HMAC-SHA256 Credential=${k}/20250101/us-west-2/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=00`,
      });
      assert.equal((await post(strict.url, { ...ELB, Action: "DescribeLoadBalancers" }, sig("AKIDGOOD"))).status, 200);
      const bad = await post(strict.url, { ...ELB, Action: "DescribeLoadBalancers" }, sig("AKIDBAD"));
      assert.equal(bad.status, 403);
      assert.match(bad.text, /InvalidClientTokenId/);
      const ec2 = await post(strict.url, { ...EC2, Action: "DescribeSubnets" });
      assert.equal(ec2.status, 401);
      assert.match(ec2.text, /AuthFailure/);
    } finally {
      await strict.close();
    }
  });
});

describe("AWS emulator: DescribeRouteTables by association.gateway-id (gateway route tables)", () => {
  it("takes the filter and answers the tables associated with the gateway, their edge association's gatewayId included", async () => {
    const snap = load();
    const igw = "igw-0a1b2c3d4e5f60001";
    snap.ec2?.RouteTables?.push({
      RouteTableId: "rtb-0a1b2c3d4e5f600ed",
      VpcId: "vpc-0a1b2c3d4e5f60718",
      Associations: [
        { Main: false, GatewayId: igw, RouteTableAssociationId: "rtbassoc-0a1b2c3d4e5f600ed", RouteTableId: "rtb-0a1b2c3d4e5f600ed" },
      ],
      Routes: [{ DestinationCidrBlock: "10.20.0.0/16", GatewayId: "local", State: "active" }],
    });
    const emu = await startAwsEmulator({ snapshots: [snap] });
    try {
      const ask = (value: string) =>
        post(emu.url, { ...EC2, Action: "DescribeRouteTables", "Filter.1.Name": "association.gateway-id", "Filter.1.Value.1": value });
      const r = await ask(igw);
      assert.equal(r.status, 200, r.text);
      const tables = new Set([...r.text.matchAll(/<routeTableId>(rtb-[0-9a-f]+)<\/routeTableId>/g)].map((m) => m[1]));
      assert.deepEqual([...tables], ["rtb-0a1b2c3d4e5f600ed"]);
      assert.match(r.text, new RegExp(`<associationSet><item>(?:(?!</item>).)*<gatewayId>${igw}</gatewayId>`));
      // a route to the gateway (the public table's 0.0.0.0/0) is no association with it
      assert.doesNotMatch(r.text, /rtb-0a1b2c3d4e5f60001/);
      const none = await ask("igw-0ffffffffffffffff");
      assert.equal(none.status, 200);
      assert.doesNotMatch(none.text, /<routeTableId>/);
    } finally {
      await emu.close();
    }
  });
});
