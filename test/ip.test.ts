/** The IP module's address comparison: an IPv6 address has many spellings, and a user's need not match the snapshot's. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { covers6, intersect6, sameAddress, spaceOf6, subtract6, toCidrs6, unbracket } from "../src/core/util/ip.ts";

describe("sameAddress", () => {
  it("compares IPv6 addresses however each is spelled", () => {
    assert.ok(sameAddress("2001:db8::4", "2001:DB8:0:0:0:0:0:4"));
    assert.ok(sameAddress("2001:0db8:0000::0004", "2001:db8::4"));
    assert.ok(!sameAddress("2001:db8::4", "2001:db8::5"));
  });

  it("compares IPv4 as written, and never a prefix or a non-address as an address", () => {
    assert.ok(sameAddress("10.0.0.4", "10.0.0.4"));
    assert.ok(!sameAddress("10.0.0.4", "10.0.0.5"));
    assert.ok(!sameAddress("2001:db8::/64", "2001:db8::"), "a prefix is not an address");
    assert.ok(!sameAddress("::ffff:10.0.0.4", "10.0.0.4"), "an IPv4-mapped address is another family");
    assert.ok(!sameAddress("vm-1", "VM-1"));
    assert.ok(!sameAddress(undefined, "10.0.0.4"));
  });
});

describe("IPv6 spaces", () => {
  it("parse, subtract and write back as the fewest CIDRs; IPv4 text is no IPv6 space", () => {
    const all = spaceOf6(["2001:db8::/32"]);
    const rest = subtract6(all, spaceOf6(["2001:db8::/33"]));
    assert.deepEqual(toCidrs6(rest), ["2001:db8:8000::/33"]);
    assert.ok(covers6(all, spaceOf6(["2001:db8:1::/48", "2001:db8:2::1"])));
    assert.ok(!covers6(spaceOf6(["2001:db8::/48"]), spaceOf6(["2001:db8::/47"])));
    assert.deepEqual(spaceOf6(["10.0.0.0/8", "not an address"]), []);
    assert.deepEqual(toCidrs6(intersect6(spaceOf6(["::/0"]), spaceOf6(["fd00::5"]))), ["fd00::5/128"]);
  });
});

describe("unbracket", () => {
  it("takes the brackets off an IPv6 literal written before a port, and leaves anything else", () => {
    assert.equal(unbracket("[2001:db8::4]"), "2001:db8::4");
    assert.equal(unbracket("10.0.0.4"), "10.0.0.4");
    assert.equal(unbracket("[]"), "[]");
    assert.equal(unbracket("vm-[1]"), "vm-[1]");
  });
});
