/**
 * Suppression globs: picomatch-compatible for what the docs show, and linear
 * time whatever the pattern (a regex built from `*a*a*…` backtracks for
 * seconds per finding).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rules as catalog } from "../rules/index.ts";
import { parseConfig } from "../src/core/config/config.ts";
import { compileGlob, MAX_ALTERNATIVES } from "../src/core/config/glob.ts";
import { applySuppressions } from "../src/core/config/suppress.ts";
import type { Finding } from "../src/core/engine/types.ts";
import { InputError } from "../src/core/errors.ts";

describe("suppression globs", () => {
  const cases: Array<[string, string, boolean]> = [
    ["azure/*", "azure/backend-public-ip", true],
    ["azure/*", "aws/single-az", false],
    ["azure/*", "azure/x/y", false],
    ["/subscriptions/*/resourceGroups/jump-rg/**", "/subscriptions/s1/resourceGroups/jump-rg/providers/a/b", true],
    ["/subscriptions/*/resourceGroups/jump-rg/**", "/subscriptions/s1/resourceGroups/jump-rg", true],
    ["/subscriptions/*/resourceGroups/jump-rg/**", "/subscriptions/s1/resourceGroups/other/x", false],
    ["/SUBSCRIPTIONS/*/resourcegroups/RG/**/VM1-*", "/subscriptions/s/resourceGroups/rg/providers/M.N/networkInterfaces/vm1-nic", true],
    ["**", "a/b/c", true],
    ["**/b", "b", true],
    ["**/b", "x/y/b", true],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "a/xb", false],
    ["*-nic", "vm1-nic", true],
    ["pool-canary", "POOL-CANARY", true],
    ["{web,api}-lb", "api-lb", true],
    ["{web,api}-lb", "db-lb", false],
    ["[a-c]?", "bz", true],
    ["[!a-c]?", "bz", false],
    ["\\*", "*", true],
    ["\\*", "a", false],
  ];
  for (const [glob, text, want] of cases) {
    it(`${glob} ${want ? "matches" : "does not match"} ${text}`, () => {
      assert.equal(compileGlob(glob, { nocase: true })(text), want);
    });
  }

  it("a 30-star pattern matches and rejects in well under a second (no backtracking blow-up)", () => {
    const glob = `${Array.from({ length: 30 }, () => "*").join("a")}b`; // *a*a*…*b
    const t0 = performance.now();
    const m = compileGlob(glob, { nocase: true });
    assert.equal(m("a".repeat(2000)), false);
    assert.equal(m(`${"a".repeat(40)}b`), true);
    // through the suppression path too, over many findings
    const findings = Array.from(
      { length: 200 },
      (_, i) =>
        ({ ruleId: "azure/x", status: "fail", resourceId: `/subscriptions/s/x/${"a".repeat(60)}${i}`, resourceName: "n" }) as Finding,
    );
    const [s] = applySuppressions(findings, [{ rule: "azure/*", resource: `/${glob}`, reason: "r", source: "c:1" }], {
      now: 0,
      tagsOf: () => undefined,
    });
    const ms = performance.now() - t0;
    assert.equal(s?.matched, 0);
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
  });

  it("a config whose braces expand past the cap is refused with exit-2 input error", () => {
    const many = Array.from({ length: 5 }, () => "{a,b,c,d}").join(""); // 4^5 = 1024 alternatives
    assert.ok(4 ** 5 > MAX_ALTERNATIVES);
    assert.throws(
      () => parseConfig(`suppressions:\n  - rule: "azure/*"\n    resource: "${many}"\n    reason: r\n`, "c.yaml", catalog),
      (e) => e instanceof InputError && /not a valid glob/.test(e.message),
    );
  });
});
