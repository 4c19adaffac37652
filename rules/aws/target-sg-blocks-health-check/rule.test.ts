import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { albBehindNlb, ids } from "../../../test/support/aws-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/target-sg-blocks-health-check: the fix for load balancer nodes whose subnet's IPv4 CIDR the snapshot lacks", () => {
  it("an ALB target of an NLB: allows the known CIDR, then looks up the other subnet and allows a placeholder, never 0.0.0.0/0", () => {
    const snap = albBehindNlb()
      .setIngress(ids.sg.alb, [{ port: 443, cidrs: ["0.0.0.0/0"] }])
      .edit((s) => {
        const sub = s.ec2?.Subnets?.find((x) => x.SubnetId === ids.subnet.publicB);
        if (sub) delete sub.CidrBlock;
      })
      .build();
    const out = evaluateCase(rule, snap).filter((f) => f.status === "fail" && f.resourceId === ids.lb.alb);
    assert.equal(out.length, 1);
    const cmds = out[0]?.remediation?.commands ?? [];
    assert.ok(!cmds.some((c) => c.includes("0.0.0.0/0")), cmds.join("\n"));
    assert.deepEqual(cmds, [
      `aws ec2 authorize-security-group-ingress --group-id ${ids.sg.alb} --ip-permissions '[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"IpRanges":[{"CidrIp":"10.0.1.0/24"}]}]'`,
      `aws ec2 describe-subnets --subnet-ids ${ids.subnet.publicB} --query 'Subnets[].CidrBlock' --output text`,
      `aws ec2 authorize-security-group-ingress --group-id ${ids.sg.alb} --protocol tcp --port 80 --cidr '<IPv4 CIDR of ${ids.subnet.publicB}>'`,
    ]);
  });
});
