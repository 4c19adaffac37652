import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { coveringCidr, covers, INTERNET_V4, spaceOf, toCidrs } from "../src/core/util/ip.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import { naclPath } from "../src/providers/aws/nacl.ts";
import { evaluateSecurityGroups } from "../src/providers/aws/sg.ts";
import { aws, awsId, CIDR, healthyAlb, IP, ids, VPC_CIDR } from "./support/aws-builder.ts";

describe("IPv4 spaces", () => {
  it("the internet space excludes private and reserved ranges, not documentation ranges", () => {
    assert.ok(covers(INTERNET_V4, spaceOf(["8.8.8.8", "203.0.113.0/24", "52.0.0.0/8"])));
    for (const c of ["10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "127.0.0.1", "169.254.169.254", "224.0.0.1"]) {
      assert.ok(!covers(INTERNET_V4, spaceOf([c])), c);
    }
  });
  it("toCidrs and coveringCidr", () => {
    assert.deepEqual(toCidrs(spaceOf(["10.0.0.0/25", "10.0.0.128/25"])), ["10.0.0.0/24"]);
    assert.deepEqual(toCidrs([[1, 6]]), ["0.0.0.1/32", "0.0.0.2/31", "0.0.0.4/31", "0.0.0.6/32"]);
    assert.equal(coveringCidr(spaceOf([CIDR.publicA, CIDR.privateB])), "10.0.0.0/20");
  });
});

describe("security-group evaluator: cases the properties do not draw", () => {
  const sg = awsId("sg", "v6");
  const model = buildAwsModel(
    aws()
      .securityGroup({
        id: sg,
        name: "v6",
        ingress: [
          { port: 443, ipv6: ["2600:1f18::/32"] },
          { port: 80, cidrs: [VPC_CIDR] },
        ],
      })
      .build(),
  );
  it("an IPv6 peer is matched by Ipv6Ranges", () => {
    assert.equal(
      evaluateSecurityGroups(model, [sg], "ingress", { cidrs: ["2600:1f18:1:2::5"], groupIds: [] }, "tcp", 443).verdict,
      "allow",
    );
    assert.equal(evaluateSecurityGroups(model, [sg], "ingress", { cidrs: ["2a05:d018::1"], groupIds: [] }, "tcp", 443).verdict, "deny");
  });
  it("a peer whose address is not known: a narrower CIDR rule makes it unknown, with the reason", () => {
    const v = evaluateSecurityGroups(model, [sg], "ingress", { cidrs: [], groupIds: [], label: "the node" }, "tcp", 80);
    assert.equal(v.verdict, "unknown");
    assert.match(v.reason ?? "", /address of the node is not known/);
  });
  it("a group missing from the snapshot: unknown unless another group allows", () => {
    const missing = awsId("sg", "gone");
    assert.equal(evaluateSecurityGroups(model, [missing], "ingress", { cidrs: [IP.web1], groupIds: [] }, "tcp", 80).verdict, "unknown");
    assert.equal(evaluateSecurityGroups(model, [missing, sg], "ingress", { cidrs: [IP.web1], groupIds: [] }, "tcp", 80).verdict, "allow");
  });
});

describe("network ACL path", () => {
  it("a flow between two subnets checks four legs: the request out and in, the reply out and in on 1024-65535", () => {
    const m = buildAwsModel(healthyAlb().build());
    const lbSubnet = m.byKey.subnet.get(ids.subnet.publicA);
    const target = m.byKey.subnet.get(ids.subnet.privateB);
    const p = naclPath({ subnet: lbSubnet, space: [CIDR.publicA] }, { subnet: target, space: [IP.web2] }, "tcp", 80);
    assert.equal(p.sameSubnet, false);
    assert.deepEqual(
      p.legs.map((l) => [l.leg, l.subnet.id, l.egress, l.peer, l.ports, l.verdict?.verdict]),
      [
        ["request-out", ids.subnet.publicA, true, [IP.web2], [80, 80], "allow"],
        ["request-in", ids.subnet.privateB, false, [CIDR.publicA], [80, 80], "allow"],
        ["reply-out", ids.subnet.privateB, true, [CIDR.publicA], [1024, 65535], "allow"],
        ["reply-in", ids.subnet.publicA, false, [IP.web2], [1024, 65535], "allow"],
      ],
    );
  });
  it("one subnet: no ACL is crossed; an end outside the VPC contributes no legs", () => {
    const m = buildAwsModel(healthyAlb().build());
    const a = m.byKey.subnet.get(ids.subnet.privateA);
    assert.deepEqual(naclPath({ subnet: a, space: [CIDR.privateA] }, { subnet: a, space: [IP.web1] }, "tcp", 80), {
      sameSubnet: true,
      legs: [],
    });
    const outside = naclPath({ space: ["0.0.0.0/0"] }, { subnet: a, space: [IP.web1] }, "tcp", 80);
    assert.deepEqual(
      outside.legs.map((l) => l.leg),
      ["request-in", "reply-out"],
    );
  });
  it("a subnet whose ACL is unknown yields a leg without a verdict", () => {
    const m = buildAwsModel(
      healthyAlb()
        .edit((s) => {
          if (s.ec2) delete s.ec2.NetworkAcls;
        })
        .build(),
    );
    const p = naclPath(
      { subnet: m.byKey.subnet.get(ids.subnet.publicA), space: [CIDR.publicA] },
      { subnet: m.byKey.subnet.get(ids.subnet.privateA), space: [IP.web1] },
      "tcp",
      80,
    );
    assert.equal(p.legs.length, 4);
    assert.ok(p.legs.every((l) => l.verdict === undefined && l.nacl === undefined));
  });
});
