import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { coveringCidr, covers, INTERNET_V4, spaceOf, toCidrs } from "../src/core/util/ip.ts";
import type { NaclEntry, NetworkAcl } from "../src/providers/aws/model.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import { evaluateNacl, naclPath } from "../src/providers/aws/nacl.ts";
import { deniedCidrs, evaluateSecurityGroups } from "../src/providers/aws/sg.ts";
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

describe("security-group evaluator: IPv6", () => {
  const sg = awsId("sg", "v6-split");
  const model = buildAwsModel(
    aws()
      .securityGroup({
        id: sg,
        name: "v6-split",
        ingress: [
          // the two halves of 2600:1f18:4a1:2100::/64, on two permissions
          { port: 80, ipv6: ["2600:1f18:4a1:2100::/65"] },
          { port: 80, ipv6: ["2600:1f18:4a1:2100:8000::/65"] },
          { port: 443, cidrs: ["0.0.0.0/0"] },
          { port: 8443, ipv6: ["::/0"] },
          { port: 9000, ipv6: ["2600:1f18:4a1:2100::10/128"] },
        ],
      })
      .build(),
  );
  const peer = (cidrs: string[]) => ({ cidrs, groupIds: [] });
  it("IPv6 ranges that together cover the peer's subnet allow it (their union, not one range)", () => {
    const v = evaluateSecurityGroups(model, [sg], "ingress", peer(["2600:1f18:4a1:2100::/64"]), "tcp", 80);
    assert.equal(v.verdict, "allow");
    assert.equal(v.allowedBy.length, 2);
    assert.deepEqual(v.allowedCidrs, ["2600:1f18:4a1:2100::/64"]);
  });
  it("an IPv6 flow never matches an IPv4 range, nor an IPv4 flow an IPv6 range", () => {
    assert.equal(evaluateSecurityGroups(model, [sg], "ingress", peer(["2600:1f18:4a1:2100::5"]), "tcp", 443).verdict, "deny");
    assert.equal(evaluateSecurityGroups(model, [sg], "ingress", peer(["10.0.1.5"]), "tcp", 8443).verdict, "deny");
    assert.equal(evaluateSecurityGroups(model, [sg], "ingress", peer(["10.0.1.0/24"]), "tcp", 80).verdict, "deny");
  });
  it("part of an IPv6 peer: partial, with the allowed and the denied CIDRs", () => {
    const p = peer(["2600:1f18:4a1:2100::/64"]);
    const v = evaluateSecurityGroups(model, [sg], "ingress", p, "tcp", 9000);
    assert.equal(v.verdict, "partial");
    assert.deepEqual(v.allowedCidrs, ["2600:1f18:4a1:2100::10/128"]);
    const denied = deniedCidrs(p, v);
    assert.ok(denied.includes("2600:1f18:4a1:2100::/124") && denied.includes("2600:1f18:4a1:2100:8000::/65"), denied.join(" "));
    assert.ok(!denied.some((c) => c.startsWith("2600:1f18:4a1:2100::10/")));
  });
  it("a peer of both families is allowed only when both are", () => {
    assert.equal(
      evaluateSecurityGroups(model, [sg], "ingress", peer(["10.0.1.0/24", "2600:1f18:4a1:2100::/64"]), "tcp", 443).verdict,
      "partial",
    );
  });
  it("an IPv6 peer whose address is not known: ::/0 allows it, 0.0.0.0/0 does not, a narrower IPv6 range leaves it unknown", () => {
    const unknown6 = { cidrs: [], groupIds: [], family: "ipv6" as const, label: "the node" };
    assert.equal(evaluateSecurityGroups(model, [sg], "ingress", unknown6, "tcp", 8443).verdict, "allow");
    assert.equal(evaluateSecurityGroups(model, [sg], "ingress", unknown6, "tcp", 443).verdict, "deny");
    const v = evaluateSecurityGroups(model, [sg], "ingress", unknown6, "tcp", 9000);
    assert.equal(v.verdict, "unknown");
    assert.match(v.reason ?? "", /address of the node is not known/);
    // the default family stays IPv4: ::/0 does not admit an IPv4 peer of unknown address
    assert.equal(evaluateSecurityGroups(model, [sg], "ingress", { cidrs: [], groupIds: [] }, "tcp", 8443).verdict, "deny");
  });
});

describe("network ACL evaluator: IPv6", () => {
  const entry = (e: Partial<NaclEntry> & Pick<NaclEntry, "ruleNumber" | "action">, i: number): NaclEntry => ({
    ptr: `/ec2/NetworkAcls/0/Entries/${i}`,
    egress: false,
    protocol: "-1",
    implicit: e.ruleNumber === 32767,
    ...e,
  });
  const acl = (entries: Array<Partial<NaclEntry> & Pick<NaclEntry, "ruleNumber" | "action">>): NetworkAcl => ({
    id: "acl-v6",
    key: "acl-v6",
    name: "acl-v6",
    ptr: "/ec2/NetworkAcls/0",
    raw: {},
    isDefault: false,
    associations: [],
    entries: entries.map(entry),
  });
  const lbV6 = "2600:1f18:4a1:2100::/64";
  it("an IPv6 packet meets the Ipv6CidrBlock entries only; an IPv4 packet the CidrBlock entries only", () => {
    const nacl = acl([
      { ruleNumber: 100, action: "allow", cidr: "0.0.0.0/0" },
      { ruleNumber: 101, action: "allow", ipv6Cidr: "::/0", protocol: "6", portRange: { from: 443, to: 443 } },
      { ruleNumber: 32767, action: "deny", cidr: "0.0.0.0/0" },
      { ruleNumber: 32767, action: "deny", ipv6Cidr: "::/0" },
    ]);
    const v6 = evaluateNacl(nacl, { egress: false, protocol: "tcp", peer: [lbV6], ports: [80, 80] });
    assert.equal(v6.verdict, "deny");
    assert.equal(v6.blocking?.ruleNumber, 32767);
    assert.equal(v6.blocking?.ipv6Cidr, "::/0");
    assert.deepEqual(v6.deniedPorts, [[80, 80]]);
    assert.deepEqual(v6.deniedCidrs, [lbV6]);
    assert.equal(evaluateNacl(nacl, { egress: false, protocol: "tcp", peer: [lbV6], ports: [443, 443] }).verdict, "allow");
    assert.equal(evaluateNacl(nacl, { egress: false, protocol: "tcp", peer: ["10.0.1.0/24"], ports: [80, 80] }).verdict, "allow");
  });
  it("first match over an IPv6 box: a deny of part of the peer ahead of an allow of all of it is partial, no port wholly denied", () => {
    const nacl = acl([
      { ruleNumber: 90, action: "deny", ipv6Cidr: "2600:1f18:4a1:2100::/65" },
      { ruleNumber: 100, action: "allow", ipv6Cidr: "::/0" },
    ]);
    const v = evaluateNacl(nacl, { egress: false, protocol: "tcp", peer: [lbV6], ports: [1024, 65535] });
    assert.equal(v.verdict, "partial");
    assert.deepEqual(v.deniedPorts, []);
    assert.deepEqual(v.deniedCidrs, ["2600:1f18:4a1:2100::/65"]);
    assert.deepEqual(
      v.decisions.map((d) => [d.entry.ruleNumber, d.ipv6]),
      [
        [90, ["2600:1f18:4a1:2100::/65"]],
        [100, ["2600:1f18:4a1:2100:8000::/65"]],
      ],
    );
  });
  it("the reply path: an ACL that allows IPv6 only on the request port denies the ephemeral ports", () => {
    const nacl = acl([
      { ruleNumber: 100, action: "allow", egress: true, ipv6Cidr: "::/0", protocol: "6", portRange: { from: 80, to: 80 } },
      { ruleNumber: 32767, action: "deny", egress: true },
    ]);
    const v = evaluateNacl(nacl, { egress: true, protocol: "tcp", peer: [lbV6], ports: [1024, 65535] });
    assert.equal(v.verdict, "deny");
    assert.deepEqual(v.deniedPorts, [[1024, 65535]]);
  });
  it("no IPv6 entry at all (an ACL written for IPv4): the implicit deny blocks IPv6", () => {
    const nacl = acl([
      { ruleNumber: 100, action: "allow", cidr: "0.0.0.0/0" },
      { ruleNumber: 32767, action: "deny", cidr: "0.0.0.0/0" },
    ]);
    const v = evaluateNacl(nacl, { egress: false, protocol: "tcp", peer: ["2600:1f18:4a1:2100::10"], ports: [80, 80] });
    assert.equal(v.verdict, "deny");
    assert.equal(v.blocking?.implicit, true);
  });
  it("a box of both families: each meets its own entries, and a port is wholly denied only when both families deny it", () => {
    const nacl = acl([
      { ruleNumber: 100, action: "allow", cidr: "0.0.0.0/0" },
      { ruleNumber: 110, action: "deny", ipv6Cidr: "::/0" },
    ]);
    const v = evaluateNacl(nacl, { egress: false, protocol: "tcp", peer: ["10.0.1.0/24", lbV6], ports: [80, 80] });
    assert.equal(v.verdict, "partial");
    assert.deepEqual(v.deniedPorts, []);
    assert.deepEqual(v.deniedCidrs, [lbV6]);
    assert.equal(v.blocking?.ruleNumber, 110);
  });
  it("a four-leg path between IPv6 ends", () => {
    const m = buildAwsModel(healthyAlb().build());
    const p = naclPath(
      { subnet: m.byKey.subnet.get(ids.subnet.publicA), space: [lbV6] },
      { subnet: m.byKey.subnet.get(ids.subnet.privateA), space: ["2600:1f18:4a1:2b00::10"] },
      "tcp",
      80,
    );
    // the builder's default ACL holds IPv4 entries only: every IPv6 leg meets the implicit deny
    assert.deepEqual(
      p.legs.map((l) => [l.leg, l.verdict?.verdict]),
      [
        ["request-out", "deny"],
        ["request-in", "deny"],
        ["reply-out", "deny"],
        ["reply-in", "deny"],
      ],
    );
  });
});
