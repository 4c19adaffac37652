import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { awsId, ids, lbArn } from "../../../test/support/aws-builder.ts";
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

describe("aws/lb-sg-egress-blocks-targets: an ALB target in no zone the NLB enables, and the ALB by its name", () => {
  const PUBLIC_C = awsId("subnet", "public-c");
  /** front-nlb moved to public-c (us-east-1c), a zone web-alb (us-east-1a, us-east-1b) does not enable; its outbound rule reaches only the instances' SG */
  const nlbInZoneC = () =>
    albBehindNlbWithSg([{ port: 80, groups: [ids.sg.web] }])
      .subnet({ id: PUBLIC_C, cidr: "10.0.3.0/24", az: "us-east-1c", name: "public-c", public: true })
      .editLb(lbArn("front-nlb", "network"), (lb) => {
        lb.AvailabilityZones = [{ ZoneName: "us-east-1c", SubnetId: PUBLIC_C }];
      });

  it("is not applicable, with its own message, when the NLB and the ALB share no zone: the NLB opens no connection to it", () => {
    const f = evaluateCase(rule, nlbInZoneC().build()).find((x) => x.resourceId === ids.lb.alb);
    assert.equal(f?.status, "not-applicable", f?.message);
    assert.equal(f?.messageId, "albNoZone");
    assert.equal(
      f?.message,
      "Load balancer front-nlb opens no connection to Application Load Balancer web-alb (target group alb-tg): none of web-alb's subnets is in a zone front-nlb enables (us-east-1c), so no outbound rule of its security groups applies to it.",
    );
  });

  it("names the ALB target by its name, not its ARN, when it is in the snapshot but cannot be decided", () => {
    const f = evaluateCase(
      rule,
      albBehindNlbWithSg([{ port: 80, groups: [ids.sg.web] }])
        .editLb(ids.lb.alb, (lb) => {
          lb.AvailabilityZones = [];
        })
        .build(),
    ).find((x) => x.resourceId === ids.lb.alb);
    assert.equal(f?.status, "unknown", f?.message);
    assert.match(
      f?.message ?? "",
      /^Cannot decide whether load balancer front-nlb may connect to Application Load Balancer web-alb \(target group alb-tg\)/,
    );
    assert.doesNotMatch(f?.message ?? "", /arn:aws/);
  });
});
