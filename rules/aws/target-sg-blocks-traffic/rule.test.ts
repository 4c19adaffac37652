import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { albBehindNlb, awsId, ids, lbArn } from "../../../test/support/aws-builder.ts";
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
