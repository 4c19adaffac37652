import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ids } from "../../../test/support/aws-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { albBehindNlbWithSg, cases, FRONT_NLB_SG } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/lb-sg-egress-blocks-targets: an ALB target of an NLB", () => {
  it("fixes a block with an outbound rule from the NLB's group to the ALB's security group, on the target port", () => {
    const findings = evaluateCase(rule, albBehindNlbWithSg([{ port: 80, groups: [ids.sg.web] }]).build());
    const fail = findings.find((f) => f.status === "fail");
    assert.ok(fail, "no fail");
    assert.equal(fail.messageId, "albBlocked");
    assert.match(fail.message, /web-alb's node in subnet-\S+ \(10\.0\.1\.0\/24\)/);
    assert.deepEqual(fail.remediation?.commands, [
      `aws ec2 authorize-security-group-egress --group-id ${FRONT_NLB_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"UserIdGroupPairs":[{"GroupId":"${ids.sg.alb}"}]}]'`,
    ]);
  });

  it("names only the ALB node a CIDR rule misses", () => {
    const findings = evaluateCase(rule, albBehindNlbWithSg([{ port: 80, cidrs: ["10.0.1.0/24"] }]).build());
    const fail = findings.find((f) => f.status === "fail");
    assert.ok(fail, "no fail");
    assert.match(fail.message, /allow nothing to web-alb's node in subnet-\S+ \(10\.0\.2\.0\/24\);/);
    assert.doesNotMatch(fail.message, /node in subnet-\S+ \(10\.0\.1\.0\/24\)/);
  });

  it("fixes a block with the ALB subnets' CIDRs when the ALB lists no security group", () => {
    const findings = evaluateCase(rule, albBehindNlbWithSg([]).lbSecurityGroups(ids.lb.alb, []).build());
    const fail = findings.find((f) => f.status === "fail");
    assert.ok(fail, "no fail");
    assert.deepEqual(fail.remediation?.commands, [
      `aws ec2 authorize-security-group-egress --group-id ${FRONT_NLB_SG} --ip-permissions '[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"IpRanges":[{"CidrIp":"10.0.1.0/24"},{"CidrIp":"10.0.2.0/24"}]}]'`,
    ]);
  });

  it("is unknown when an outbound rule names a group and the ALB lists none in the snapshot", () => {
    const findings = evaluateCase(
      rule,
      albBehindNlbWithSg([{ port: 80, groups: [ids.sg.alb] }])
        .lbSecurityGroups(ids.lb.alb, [])
        .build(),
    );
    const f = findings.find((x) => x.resourceId === ids.lb.alb);
    assert.equal(f?.status, "unknown", f?.message);
    assert.match(f?.message ?? "", /lists no security groups in the snapshot/);
  });

  it("passes the ALB target itself when an outbound rule names its security group or holds its subnets", () => {
    for (const egress of [[{ port: 80, groups: [ids.sg.alb] }], [{ port: 80, cidrs: ["10.0.0.0/16"] }]]) {
      const f = evaluateCase(rule, albBehindNlbWithSg(egress).build()).find((x) => x.resourceId === ids.lb.alb);
      assert.equal(f?.status, "pass", f?.message);
      assert.equal(f?.messageId, "albAllowed");
    }
  });
});
