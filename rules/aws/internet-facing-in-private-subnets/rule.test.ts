import assert from "node:assert/strict";
import { it } from "node:test";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

it("a dualstack subnet whose IPv4 goes to an inspection endpoint fails on IPv6, names IPv4 as undecided, and keeps the endpoint route", () => {
  const c = cases.invalid.find((x) => x.name.startsWith("dualstack ALB whose 0.0.0.0/0 goes to a Gateway Load Balancer endpoint"));
  assert.ok(c);
  const fails = evaluateCase(rule, c.snapshot).filter((f) => f.status === "fail");
  assert.equal(fails.length, 2);
  for (const f of fails) {
    assert.match(f.message, /no IPv6 route/);
    assert.match(f.message, /IPv4 is undecided: it sends 0\.0\.0\.0\/0 to vpce-/);
    assert.ok(f.evidence.some((e) => e.label === "0.0.0.0/0 route to a VPC endpoint (undecided)"));
    // the fix adds the missing ::/0 route in place: moving the subnets or swapping the route table would bypass the inspection
    const commands = f.remediation?.commands ?? [];
    assert.ok(
      commands.every((x) => !x.includes("set-subnets") && !x.includes("route-table-association")),
      commands.join("\n"),
    );
    assert.match(commands.at(-1) ?? "", /^aws ec2 create-route --route-table-id \S+ --destination-ipv6-cidr-block ::\/0 --gateway-id /);
  }
});

it("a dualstack subnet that fails on both families names both routes and fixes both", () => {
  const c = cases.invalid.find((x) => x.name.startsWith("dualstack ALB whose route table sends 0.0.0.0/0 to a NAT gateway and ::/0"));
  assert.ok(c);
  const fails = evaluateCase(rule, c.snapshot).filter((f) => f.status === "fail");
  assert.equal(fails.length, 2);
  for (const f of fails) {
    assert.match(
      f.message,
      /sends 0\.0\.0\.0\/0 to nat-\S+ \(a NAT gateway: outbound only\), and sends ::\/0 to eigw-\S+ \(an egress-only/,
    );
    const commands = f.remediation?.commands ?? [];
    const routes = commands.filter((x) => /^aws ec2 (create|replace)-route /.test(x));
    assert.equal(routes.length, 2, commands.join("\n"));
    assert.match(routes[0] ?? "", /^aws ec2 replace-route --route-table-id \S+ --destination-cidr-block 0\.0\.0\.0\/0 --gateway-id /);
    assert.match(routes[1] ?? "", /^aws ec2 replace-route --route-table-id \S+ --destination-ipv6-cidr-block ::\/0 --gateway-id /);
  }
});
