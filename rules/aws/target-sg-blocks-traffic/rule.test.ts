import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { albBehindNlb, awsId, healthyNlb, ids, lbArn, tgArn, V6, withIpv6TargetGroup } from "../../../test/support/aws-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/target-sg-blocks-traffic: IPv6 clients of a dualstack NLB reach an IPv4 target group from the NLB's nodes", () => {
  const fails = (prefix: string) => {
    const c = cases.invalid.find((x) => x.name.startsWith(prefix));
    assert.ok(c, prefix);
    const out = evaluateCase(rule, c.snapshot).filter((f) => f.status === "fail");
    assert.ok(out.length > 0, prefix);
    return out;
  };

  it("names the NLB's nodes as the IPv6 clients' source, and allows the NLB's subnets (no security group on the NLB)", () => {
    for (const f of fails("dualstack NLB, IPv4 target group preserving client IPs, targets' SG allows 80 only from the office")) {
      assert.match(f.message, /IPv6 clients via app-nlb's node in subnet-\S+ \(10\.0\.1\.0\/24\)/);
      assert.match(f.remediation?.summary ?? "", /app-nlb's subnets/);
      assert.deepEqual(f.remediation?.commands, [
        `aws ec2 authorize-security-group-ingress --group-id ${awsId("sg", "app-nlb")} --ip-permissions '[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"IpRanges":[{"CidrIp":"10.0.1.0/24"},{"CidrIp":"10.0.2.0/24"}]}]'`,
      ]);
    }
  });

  it("references the NLB's security group when it has one", () => {
    for (const f of fails("dualstack NLB with a security group")) {
      assert.deepEqual(f.remediation?.commands, [
        `aws ec2 authorize-security-group-ingress --group-id ${awsId("sg", "app-nlb")} --ip-permissions '[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"UserIdGroupPairs":[{"GroupId":"${awsId("sg", "app-nlb-lb")}"}]}]'`,
      ]);
    }
  });
});

describe("aws/target-sg-blocks-traffic: an ALB target of a dualstack NLB sees its IPv6 clients from the NLB's IPv4 addresses", () => {
  const fail = (b: ReturnType<typeof albBehindNlb>) => {
    const out = evaluateCase(rule, b.build()).filter((f) => f.status === "fail" && f.resourceId === ids.lb.alb);
    assert.equal(out.length, 1);
    return out[0] as (typeof out)[number];
  };
  const dual = () =>
    albBehindNlb()
      .editLb(lbArn("front-nlb", "network"), (x) => {
        x.IpAddressType = "dualstack";
      })
      .setIngress(ids.sg.alb, [{ port: 80, cidrs: ["198.51.100.0/24"] }]);

  it("names the NLB's nodes as the IPv6 clients' source, shows the NLB's address type, and allows the NLB subnets' IPv4 CIDRs", () => {
    const f = fail(dual());
    assert.match(f.message, /IPv6 clients via front-nlb's node in subnet-\S+ \(10\.0\.1\.0\/24\)/);
    assert.ok(f.evidence.some((e) => e.resourceId === lbArn("front-nlb", "network") && e.pointer.endsWith("/IpAddressType")));
    assert.match(f.remediation?.summary ?? "", /front-nlb's subnets/);
    assert.deepEqual(f.remediation?.commands, [
      `aws ec2 authorize-security-group-ingress --group-id ${ids.sg.alb} --ip-permissions '[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"IpRanges":[{"CidrIp":"10.0.1.0/24"},{"CidrIp":"10.0.2.0/24"}]}]'`,
    ]);
  });
});

describe("aws/target-sg-blocks-traffic: an NLB node whose subnet's CIDR is missing is named in the fail and looked up by its fix", () => {
  it("the ALB's group allows port 80 from the office only; one NLB subnet lacks its CidrBlock", () => {
    const snap = albBehindNlb()
      .editLb(lbArn("front-nlb", "network"), (x) => {
        x.IpAddressType = "dualstack";
      })
      .setIngress(ids.sg.alb, [{ port: 80, cidrs: ["198.51.100.0/24"] }])
      .edit((s) => {
        const sub = s.ec2?.Subnets?.find((x) => x.SubnetId === ids.subnet.publicB);
        if (sub) delete sub.CidrBlock;
      })
      .build();
    const f = evaluateCase(rule, snap).find((x) => x.status === "fail" && x.resourceId === ids.lb.alb);
    assert.ok(f);
    assert.match(f.message, new RegExp(`not decided for front-nlb's node in ${ids.subnet.publicB}`));
    assert.ok(f.evidence.some((e) => e.label?.includes(ids.subnet.publicB)));
    const cmds = f.remediation?.commands ?? [];
    assert.ok(
      cmds.includes(`aws ec2 describe-subnets --subnet-ids ${ids.subnet.publicB} --query 'Subnets[].CidrBlock' --output text`),
      cmds.join("\n"),
    );
    assert.ok(
      cmds.some((c) => c.includes("--port 80") && c.includes(`--cidr '<IPv4 CIDR of ${ids.subnet.publicB}>'`)),
      cmds.join("\n"),
    );
    assert.match(f.remediation?.summary ?? "", /describe-subnets/);
  });
});

/** A dualstack front-nlb also in us-east-1c, where the ALB (a, b) has no node; the ALB's group admits only the NLB's a and b subnets. */
const PUBLIC_C = awsId("subnet", "public-c");

function nlbInZoneC() {
  return albBehindNlb()
    .subnet({ id: PUBLIC_C, cidr: "10.0.3.0/24", az: "us-east-1c", name: "public-c" })
    .editLb(lbArn("front-nlb", "network"), (x) => {
      x.IpAddressType = "dualstack";
      (x.AvailabilityZones as Array<Record<string, unknown>>).push({
        ZoneName: "us-east-1c",
        SubnetId: PUBLIC_C,
        LoadBalancerAddresses: [],
      });
    })
    .setIngress(ids.sg.alb, [{ port: 80, cidrs: ["198.51.100.0/24", "10.0.1.0/24", "10.0.2.0/24"] }]);
}

/** The rule's one finding on the ALB. */
function finding(b: ReturnType<typeof albBehindNlb>) {
  const f = evaluateCase(rule, b.build()).find((x) => x.resourceId === ids.lb.alb);
  assert.ok(f);
  return f;
}

describe("aws/target-sg-blocks-traffic: with cross-zone load balancing off, an NLB node in a zone without an ALB node sends the ALB no traffic", () => {
  const NLB = lbArn("front-nlb", "network");

  it("cross-zone off: the node in us-east-1c is not a source of the ALB's traffic", () => {
    const f = finding(nlbInZoneC());
    assert.notEqual(f.status, "fail", f.message);
  });

  it("cross-zone on: the node in us-east-1c reaches the ALB, whose group does not admit it", () => {
    const f = finding(nlbInZoneC().lbAttribute(NLB, "load_balancing.cross_zone.enabled", "true"));
    assert.equal(f.status, "fail");
    assert.match(f.message, new RegExp(`front-nlb's node in ${PUBLIC_C}`));
  });

  it("the NLB's attributes not collected: a block from that node is unknown, not a fail", () => {
    const f = finding(
      nlbInZoneC().edit((s) => {
        delete s.elbv2.LoadBalancerAttributes?.[NLB];
      }),
    );
    assert.equal(f.status, "unknown");
    assert.match(f.message, /cross-zone load balancing/);
  });
});

describe("aws/target-sg-blocks-traffic: an allow-list pass names only the sources the allow-list restricts", () => {
  it("a dualstack NLB whose nodes the ALB's group admits: the allow-list is the IPv4 clients', not the nodes'", () => {
    const snap = albBehindNlb()
      .editLb(lbArn("front-nlb", "network"), (x) => {
        x.IpAddressType = "dualstack";
      })
      .setIngress(ids.sg.alb, [{ port: 80, cidrs: ["198.51.100.0/24", "10.0.1.0/24", "10.0.2.0/24"] }])
      .build();
    const f = evaluateCase(rule, snap).find((x) => x.resourceId === ids.lb.alb);
    assert.ok(f);
    assert.equal(f.status, "pass");
    assert.match(f.message, /an allow-list of IPv4 clients/);
    assert.doesNotMatch(f.message, /IPv6 clients via/);
  });
});

describe("aws/target-sg-blocks-traffic: the target group's cross-zone setting overrides the NLB's", () => {
  const NLB = lbArn("front-nlb", "network");
  const ALB_TG = tgArn("alb-tg");

  it("NLB on, target group default: the node in us-east-1c sends traffic and is blocked", () => {
    const f = finding(nlbInZoneC().lbAttribute(NLB, "load_balancing.cross_zone.enabled", "true"));
    assert.equal(f.status, "fail");
    assert.match(f.message, new RegExp(`front-nlb's node in ${PUBLIC_C}`));
  });

  it("NLB off, target group on: the node in us-east-1c sends traffic and is blocked", () => {
    const f = finding(
      nlbInZoneC()
        .lbAttribute(NLB, "load_balancing.cross_zone.enabled", "false")
        .tgAttribute(ALB_TG, "load_balancing.cross_zone.enabled", "true"),
    );
    assert.equal(f.status, "fail");
    assert.match(f.message, new RegExp(`front-nlb's node in ${PUBLIC_C}`));
  });

  it("NLB on, target group off: the node in us-east-1c sends no traffic", () => {
    const f = finding(
      nlbInZoneC()
        .lbAttribute(NLB, "load_balancing.cross_zone.enabled", "true")
        .tgAttribute(ALB_TG, "load_balancing.cross_zone.enabled", "false"),
    );
    assert.equal(f.status, "pass", f.message);
  });

  it("NLB on, the alb target group's attributes not collected: they are always the defaults, so the NLB's setting decides (a fail)", () => {
    const f = finding(nlbInZoneC().lbAttribute(NLB, "load_balancing.cross_zone.enabled", "true").tgAttributesNotCollected(ALB_TG));
    assert.equal(f.status, "fail", f.message);
    assert.doesNotMatch(f.message, /attributes of target group alb-tg were not collected/);
  });
});

/** Drops a subnet's IPv6 CIDR from the snapshot (its Ipv6CidrBlockAssociationSet): its nodes' IPv6 addresses are not known. */
const noIpv6CidrOf = (subnetId: string) => (s: Parameters<Parameters<ReturnType<typeof healthyNlb>["edit"]>[0]>[0]) => {
  for (const sub of s.ec2?.Subnets ?? []) if (sub.SubnetId === subnetId) delete sub.Ipv6CidrBlockAssociationSet;
};

describe("aws/target-sg-blocks-traffic: an IPv6 target group whose NLB node's subnet has no IPv6 CIDR in the snapshot", () => {
  const PUBLIC_B = ids.subnet.publicB;
  const v6Group = () => withIpv6TargetGroup(healthyNlb(), ids.lb.nlb, { name: "app6-tg", protocol: "TCP", port: 80, lbType: "network" });
  const failsOn = (b: ReturnType<typeof v6Group>) => {
    const out = evaluateCase(rule, b.build()).filter((f) => f.status === "fail" && f.message.includes("target group app6-tg "));
    assert.equal(out.length, 2);
    return out;
  };
  const lookup = `aws ec2 describe-subnets --subnet-ids ${PUBLIC_B} --query 'Subnets[].Ipv6CidrBlockAssociationSet[?Ipv6CidrBlockState.State==\`associated\`].Ipv6CidrBlock' --output text`;
  const allowFrom = (cidr: string) =>
    `aws ec2 authorize-security-group-ingress --group-id ${awsId("sg", "app-nlb")} --ip-permissions '[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"Ipv6Ranges":[{"CidrIpv6":"${cidr}"}]}]'`;

  it("the targets' group admits no IPv6: the fix allows the known subnet's IPv6 CIDR, looks the other up and allows it through a placeholder, never ::/0", () => {
    for (const f of failsOn(v6Group().edit(noIpv6CidrOf(PUBLIC_B)))) {
      assert.match(f.message, new RegExp(`app-nlb's IPv6 node in ${PUBLIC_B} \\(its IPv6 CIDR is not in the snapshot\\)`));
      assert.deepEqual(f.remediation?.commands, [
        allowFrom(V6.subnet[ids.subnet.publicA] as string),
        lookup,
        allowFrom(`<IPv6 CIDR of ${PUBLIC_B}>`),
      ]);
      assert.match(
        f.remediation?.summary ?? "",
        /replace each <IPv6 CIDR of subnet-…> in the command's JSON with what the describe-subnets command before it prints\.$/,
      );
    }
  });

  it("a load balancer subnet absent from the snapshot is looked up by the id its zone names", () => {
    for (const f of failsOn(v6Group().removeSubnet(PUBLIC_B))) {
      const cmds = f.remediation?.commands ?? [];
      assert.ok(cmds.includes(lookup) && cmds.includes(allowFrom(`<IPv6 CIDR of ${PUBLIC_B}>`)), cmds.join("\n"));
      assert.ok(!cmds.some((x) => x.includes("::/0")), cmds.join("\n"));
    }
  });

  it("a node that a range may admit is named as undecided, and its allow is looked up too", () => {
    // the targets' group admits the IPv6 block publicB really has, which the snapshot does not show: publicA's node is dropped
    const b = v6Group()
      .edit(noIpv6CidrOf(PUBLIC_B))
      .setIngress(ids.sg.nlbApp, [{ port: 80, cidrs: ["0.0.0.0/0"], ipv6: [V6.subnet[PUBLIC_B] as string] }]);
    for (const f of failsOn(b)) {
      assert.match(
        f.message,
        new RegExp(`not decided for app-nlb's node in ${PUBLIC_B}: the IPv6 CIDR of that subnet is not in the snapshot`),
      );
      assert.ok(f.evidence.some((e) => / the subnet's IPv6 CIDR is not in the snapshot/.test(e.label ?? "")));
      assert.deepEqual(f.remediation?.commands, [
        allowFrom(V6.subnet[ids.subnet.publicA] as string),
        lookup,
        allowFrom(`<IPv6 CIDR of ${PUBLIC_B}>`),
      ]);
    }
  });
});
