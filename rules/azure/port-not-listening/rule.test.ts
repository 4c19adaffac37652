import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLoopback, listenerAccepts, parseEndpoint } from "../../../src/providers/azure/guest.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("guest socket helpers", () => {
  it("a wildcard or matching bind accepts load-balanced traffic; loopback and other IPs do not", () => {
    for (const any of [undefined, "*", "0.0.0.0", "::", "[::]"]) assert.ok(listenerAccepts(any, "10.0.0.4"), String(any));
    assert.ok(listenerAccepts("10.0.0.4", "10.0.0.4"));
    assert.ok(!listenerAccepts("127.0.0.1", "10.0.0.4"));
    assert.ok(!listenerAccepts("[::1]", "10.0.0.4"));
    assert.ok(!listenerAccepts("10.0.0.5", "10.0.0.4"));
    assert.ok(isLoopback("127.0.0.53") && isLoopback("[::1]") && !isLoopback("10.0.0.4"));
  });

  it("parses IPv4 and bracketed IPv6 endpoints", () => {
    assert.deepEqual(parseEndpoint("10.1.0.100:8080"), { ip: "10.1.0.100", port: 8080 });
    assert.deepEqual(parseEndpoint("[fd00::1]:443"), { ip: "fd00::1", port: 443 });
    assert.equal(parseEndpoint("10.1.0.100"), undefined);
    assert.equal(parseEndpoint("host:http"), undefined);
  });
});

describe("port-not-listening with floating IP and no frontend address", () => {
  it("a socket on the NIC's own address fails, and the message names the frontend IP as the destination (not the NIC)", () => {
    const c = cases.invalid.find((x) => x.name.includes("a socket bound only to the NIC's own address"));
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail" && x.messageId === "loopbackOnly");
    assert.match(f?.message ?? "", /traffic to the frontend IP cannot reach/);
  });
});
