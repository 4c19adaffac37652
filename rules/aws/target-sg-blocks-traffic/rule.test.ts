import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { awsId } from "../../../test/support/aws-builder.ts";
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
