import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ids, V6 } from "../../../test/support/aws-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
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
        /^aws ec2 describe-subnets --subnet-ids subnet-\w+ --query 'Subnets\[\]\.Ipv6CidrBlockAssociationSet\[\]\.Ipv6CidrBlock' --output text$/,
      );
    const creates = unknown.filter((c) => c.startsWith("aws ec2 create-network-acl-entry "));
    assert.ok(creates.length > 0);
    for (const c of creates) assert.match(c, / --ipv6-cidr-block '<IPv6 CIDR of subnet-\w+>' /);
  });
});
