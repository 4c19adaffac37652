import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { awsId, CIDR, ids, lbArn, tgArn, V6 } from "../../../test/support/aws-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { albInPrivateSubnets, cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/nacl-blocks-health-check fix commands", () => {
  const commandsOf = (name: string): string[] => {
    const c = cases.invalid.find((x) => x.name === name);
    assert.ok(c, name);
    const fails = evaluateCase(rule, c.snapshot).filter((f) => f.status === "fail");
    assert.ok(fails.length > 0);
    return fails.flatMap((f) => f.remediation?.commands ?? []);
  };

  it("an IPv6 target group: the entries name the load balancer subnets' IPv6 CIDRs, or a lookup and a placeholder when the snapshot lacks them, never ::/0", () => {
    const known = commandsOf(
      "IPv6 target group: the targets' subnets use an ACL written for IPv4 (no Ipv6CidrBlock entry), so every IPv6 packet meets the implicit deny",
    );
    assert.ok(
      known.some((c) => c.includes(`--ipv6-cidr-block ${V6.subnet[ids.subnet.publicA]} `)),
      known.join("\n"),
    );
    assert.ok(!known.some((c) => c.includes("::/0") || c.includes("describe-subnets")), known.join("\n"));

    const unknown = commandsOf(
      "IPv6 target group, the NLB's subnets carry no IPv6 CIDR in the snapshot: the targets' ACL has no IPv6 entry, so its implicit deny blocks every IPv6 address the nodes may hold",
    );
    assert.ok(!unknown.some((c) => c.includes("::/0")), unknown.join("\n"));
    const lookups = unknown.filter((c) => c.startsWith("aws ec2 describe-subnets "));
    assert.ok(lookups.length > 0, unknown.join("\n"));
    for (const l of lookups)
      assert.match(
        l,
        /^aws ec2 describe-subnets --subnet-ids subnet-\w+ --query 'Subnets\[\]\.Ipv6CidrBlockAssociationSet\[\?Ipv6CidrBlockState\.State==`associated`\]\.Ipv6CidrBlock' --output text$/,
      );
    const creates = unknown.filter((c) => c.startsWith("aws ec2 create-network-acl-entry "));
    assert.ok(creates.length > 0);
    for (const c of creates) assert.match(c, / --ipv6-cidr-block '<IPv6 CIDR of subnet-\w+>' /);
    // the summary says how to fill the placeholder in; a fix without one says nothing of it
    const summaries = (name: string) =>
      evaluateCase(rule, (cases.invalid.find((x) => x.name === name) as (typeof cases.invalid)[number]).snapshot)
        .filter((f) => f.status === "fail")
        .map((f) => f.remediation?.summary ?? "");
    const lacking =
      "IPv6 target group, the NLB's subnets carry no IPv6 CIDR in the snapshot: the targets' ACL has no IPv6 entry, so its implicit deny blocks every IPv6 address the nodes may hold";
    for (const s of summaries(lacking))
      assert.match(s, /replace each '<… CIDR of subnet-…>' with what the describe-subnets command before it prints\.$/);
    for (const s of summaries(
      "IPv6 target group: the targets' subnets use an ACL written for IPv4 (no Ipv6CidrBlock entry), so every IPv6 packet meets the implicit deny",
    ))
      assert.doesNotMatch(s, /describe-subnets/);
  });
});

/** The rule's one finding on the ALB. */
function albFinding(b: ReturnType<typeof albInPrivateSubnets>) {
  const out = evaluateCase(rule, b.build()).filter((f) => f.resourceId === ids.lb.alb);
  assert.equal(out.length, 1);
  return out[0] as (typeof out)[number];
}

/** A dualstack front-nlb; each private subnet's own ACL admits 80 only from the NLB subnet in its zone (and the office). */
function perZone() {
  return albInPrivateSubnets(["198.51.100.0/24"])
    .editLb(lbArn("front-nlb", "network"), (x) => {
      x.IpAddressType = "dualstack";
    })
    .naclEntry(awsId("acl", "private-app"), { rule: 140, protocol: "tcp", ports: [80, 80], cidr: CIDR.publicA })
    .nacl({
      id: awsId("acl", "private-b"),
      subnets: [ids.subnet.privateB],
      entries: [
        { rule: 100, protocol: "tcp", ports: [81, 81], cidr: "10.0.0.0/16" },
        { rule: 110, protocol: "tcp", ports: [80, 80], cidr: "198.51.100.0/24" },
        { rule: 120, protocol: "tcp", ports: [80, 80], cidr: CIDR.privateA },
        { rule: 130, protocol: "tcp", ports: [1024, 65535], cidr: "10.0.0.0/16" },
        { rule: 140, protocol: "tcp", ports: [80, 80], cidr: CIDR.publicB },
        { rule: 100, egress: true, protocol: "-1", cidr: "10.0.0.0/16" },
        { rule: 110, egress: true, protocol: "tcp", ports: [1024, 65535], cidr: "0.0.0.0/0" },
      ],
    });
}

describe("aws/nacl-blocks-health-check: an ALB target of an NLB, reached over IPv4 in the ALB's subnets", () => {
  const NLB = lbArn("front-nlb", "network");
  const APP_ACL = awsId("acl", "private-app");

  it("the fix admits the NLB subnets' IPv4 CIDRs on the ALB subnets' ACL", () => {
    const f = albFinding(
      albInPrivateSubnets(["198.51.100.0/24"]).naclEntry(APP_ACL, { rule: 100, protocol: "tcp", ports: [81, 81], cidr: "198.51.100.0/24" }),
    );
    assert.equal(f.status, "fail");
    assert.deepEqual(
      (f.remediation?.commands ?? []).filter((c) => c.includes("--port-range From=81,To=81")).map((c) => /--cidr-block (\S+)/.exec(c)?.[1]),
      [CIDR.publicA, CIDR.publicB],
    );
  });

  it("an NLB subnet whose IPv4 CIDR the snapshot lacks: a lookup and a placeholder, never 0.0.0.0/0", () => {
    const f = albFinding(
      albInPrivateSubnets(["198.51.100.0/24"])
        .naclEntry(APP_ACL, { rule: 100, protocol: "tcp", ports: [81, 81], action: "deny", cidr: "0.0.0.0/0" })
        .edit((s) => {
          const sub = s.ec2?.Subnets?.find((x) => x.SubnetId === ids.subnet.publicB);
          if (sub) delete sub.CidrBlock;
        }),
    );
    assert.equal(f.status, "fail");
    const cmds = f.remediation?.commands ?? [];
    assert.ok(!cmds.some((c) => c.includes("0.0.0.0/0")), cmds.join("\n"));
    assert.ok(
      cmds.includes(`aws ec2 describe-subnets --subnet-ids ${ids.subnet.publicB} --query 'Subnets[].CidrBlock' --output text`),
      cmds.join("\n"),
    );
    assert.ok(
      cmds.some((c) => c.includes(`--cidr-block '<IPv4 CIDR of ${ids.subnet.publicB}>'`)),
      cmds.join("\n"),
    );
  });

  it("cross-zone load balancing off: an NLB node's IPv6 clients reach only the ALB's node in its own zone, so per-zone ACLs pass", () => {
    assert.equal(albFinding(perZone()).status, "pass");
  });

  it("cross-zone load balancing on: the NLB node in one zone reaches the ALB's node in the other, whose ACL drops it", () => {
    const f = albFinding(perZone().lbAttribute(NLB, "load_balancing.cross_zone.enabled", "true"));
    assert.equal(f.status, "fail");
    assert.match(f.message, /IPv6 clients via front-nlb's node/);
  });

  it("the NLB's attributes not collected: a block between zones is unknown, not a fail", () => {
    const f = albFinding(
      perZone().edit((s) => {
        delete s.elbv2.LoadBalancerAttributes?.[NLB];
      }),
    );
    assert.equal(f.status, "unknown");
    assert.match(f.message, /cross-zone load balancing/);
  });
});

describe("aws/nacl-blocks-health-check: an NLB reaches its ALB target only in the zones the NLB enables", () => {
  const NLB = lbArn("front-nlb", "network");
  const albFinding = (b: ReturnType<typeof albInPrivateSubnets>) => {
    const f = evaluateCase(rule, b.build()).find((x) => x.resourceId === ids.lb.alb);
    assert.ok(f);
    return f;
  };
  // the ALB also in us-east-1c, whose subnet's ACL admits only that subnet: nothing from the NLB (a, b) could pass it
  const inZoneC = (b: ReturnType<typeof albInPrivateSubnets>) =>
    b
      .subnet({ id: awsId("subnet", "private-c"), cidr: "10.0.30.0/24", az: "us-east-1c", name: "private-c" })
      .nacl({
        id: awsId("acl", "private-c"),
        subnets: [awsId("subnet", "private-c")],
        entries: [
          { rule: 100, protocol: "tcp", ports: [80, 81], cidr: "10.0.30.0/24" },
          { rule: 100, egress: true, protocol: "-1", cidr: "10.0.0.0/16" },
        ],
      })
      .editLb(ids.lb.alb, (x) => {
        (x.AvailabilityZones as Array<Record<string, unknown>>).push({
          ZoneName: "us-east-1c",
          SubnetId: awsId("subnet", "private-c"),
          LoadBalancerAddresses: [],
        });
      });

  it("an ALB subnet in a zone the NLB does not enable is not evaluated, cross-zone load balancing off or on", () => {
    assert.equal(albFinding(inZoneC(albInPrivateSubnets(["0.0.0.0/0"]))).status, "pass");
    const crossZone = albFinding(inZoneC(albInPrivateSubnets(["0.0.0.0/0"])).lbAttribute(NLB, "load_balancing.cross_zone.enabled", "true"));
    assert.equal(crossZone.status, "pass");
    assert.ok(!crossZone.evidence.some((e) => e.resourceId === awsId("subnet", "private-c")));
  });

  it("the NLB's zones not known (a subnet missing its zone): a block in the ALB's other zone is unknown, not a fail", () => {
    const f = albFinding(
      inZoneC(albInPrivateSubnets(["0.0.0.0/0"]))
        .editLb(NLB, (x) => {
          for (const z of x.AvailabilityZones as Array<Record<string, unknown>>) if (z.SubnetId === ids.subnet.publicB) delete z.ZoneName;
        })
        .edit((s) => {
          const sub = s.ec2?.Subnets?.find((x) => x.SubnetId === ids.subnet.publicB);
          if (sub) delete sub.AvailabilityZone;
        }),
    );
    assert.equal(f.status, "unknown");
    assert.match(f.message, /front-nlb has a zone whose name is not known/);
  });

  it("a dualstack NLB node whose subnet's CIDR is missing: the fail names it, and the fix looks its CIDR up for every entry it needs", () => {
    const f = albFinding(
      albInPrivateSubnets(["198.51.100.0/24"])
        .editLb(NLB, (x) => {
          x.IpAddressType = "dualstack";
        })
        .edit((s) => {
          const sub = s.ec2?.Subnets?.find((x) => x.SubnetId === ids.subnet.publicB);
          if (sub) delete sub.CidrBlock;
        }),
    );
    assert.equal(f.status, "fail");
    assert.match(f.message, new RegExp(`whether the network ACLs also deny front-nlb's node in ${ids.subnet.publicB} is not known`));
    assert.ok(f.evidence.some((e) => e.resourceId === ids.subnet.publicB));
    const cmds = f.remediation?.commands ?? [];
    assert.ok(
      cmds.includes(`aws ec2 describe-subnets --subnet-ids ${ids.subnet.publicB} --query 'Subnets[].CidrBlock' --output text`),
      cmds.join("\n"),
    );
    assert.ok(
      cmds.some((c) => c.includes("From=80,To=80") && c.includes(`--cidr-block '<IPv4 CIDR of ${ids.subnet.publicB}>'`)),
      cmds.join("\n"),
    );
    assert.match(f.remediation?.summary ?? "", /describe-subnets/);
  });
});

describe("aws/nacl-blocks-health-check: the target group's cross-zone setting overrides the NLB's", () => {
  const NLB = lbArn("front-nlb", "network");
  const ALB_TG = tgArn("alb-tg");

  it("NLB on, target group default: the node in one zone reaches the ALB's node in the other, whose ACL drops it", () => {
    assert.equal(albFinding(perZone().lbAttribute(NLB, "load_balancing.cross_zone.enabled", "true")).status, "fail");
  });

  it("NLB off, target group on: the node in one zone reaches the ALB's node in the other, whose ACL drops it", () => {
    const f = albFinding(
      perZone()
        .lbAttribute(NLB, "load_balancing.cross_zone.enabled", "false")
        .tgAttribute(ALB_TG, "load_balancing.cross_zone.enabled", "true"),
    );
    assert.equal(f.status, "fail");
    assert.match(f.message, /IPv6 clients via front-nlb's node/);
  });

  it("NLB on, target group off: each node reaches only the ALB's node in its own zone, so per-zone ACLs pass", () => {
    const f = albFinding(
      perZone()
        .lbAttribute(NLB, "load_balancing.cross_zone.enabled", "true")
        .tgAttribute(ALB_TG, "load_balancing.cross_zone.enabled", "false"),
    );
    assert.equal(f.status, "pass", f.message);
  });

  it("NLB on, the alb target group's attributes not collected: they are always the defaults, so the NLB's setting decides (a fail)", () => {
    const f = albFinding(perZone().lbAttribute(NLB, "load_balancing.cross_zone.enabled", "true").tgAttributesNotCollected(ALB_TG));
    assert.equal(f.status, "fail", f.message);
    assert.doesNotMatch(f.message, /attributes of target group alb-tg were not collected/);
  });
});
