/** User errors exit 2 in one line; internal errors (bugs) exit 3, say so and ask for a report. In-process through `main`. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXIT, ISSUES_URL, main } from "../src/cli.ts";

function capture(failOut?: Error) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (s: string) => {
        if (failOut) throw failOut;
        out.push(s);
      },
      err: (s: string) => void err.push(s),
    },
    out,
    err,
  };
}

describe("exit codes", () => {
  it("a missing snapshot is the user's error: exit 2, one line, no bug report", async () => {
    const c = capture();
    const code = await main(["check", "--snapshot", "no/such/snapshot.json"], c.io);
    assert.equal(code, EXIT.usage);
    assert.equal(code, 2);
    const text = c.err.join("");
    assert.match(text, /^lbdoctor: .*no\/such\/snapshot\.json/);
    assert.doesNotMatch(text, /bug|internal error/);
  });

  it("an internal error is a bug: exit 3, it says so, asks for a report, and shows no stack trace", async () => {
    const prev = process.env.LBDOCTOR_DEBUG;
    delete process.env.LBDOCTOR_DEBUG;
    try {
      const c = capture(new TypeError("boom from the test"));
      const code = await main(["check", "--snapshot", "fixtures/azure/healthy-web.json"], c.io);
      assert.equal(code, EXIT.bug);
      assert.equal(code, 3);
      const text = c.err.join("");
      assert.match(text, /^lbdoctor: internal error: boom from the test$/m);
      assert.match(text, /This is a bug in lbdoctor/);
      assert.ok(text.includes(ISSUES_URL), text);
      assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/);
    } finally {
      if (prev !== undefined) process.env.LBDOCTOR_DEBUG = prev;
    }
  });
});

describe("--subscription takes subscription ids", () => {
  for (const [label, args] of [
    ["Resource Graph", ["check", "--subscription", "00000000-0000-0000-0000-0000000000aa,Prod-Sub"]],
    ["a resource group through ARM", ["check", "my-rg", "--subscription", "Prod-Sub"]],
  ] as const) {
    it(`a name is refused before collecting (${label}): exit 2, naming the value`, async () => {
      const c = capture();
      // an endpoint nothing listens on: a request sent would fail differently
      const prev = process.env.LBDOCTOR_ARM_ENDPOINT;
      process.env.LBDOCTOR_ARM_ENDPOINT = "https://127.0.0.1:9";
      try {
        const code = await main([...args], c.io);
        assert.equal(code, EXIT.usage, c.err.join(""));
        const text = c.err.join("");
        assert.match(text, /--subscription takes subscription ids .*"Prod-Sub" is not one/);
        assert.match(text, /az account list --output table/);
      } finally {
        if (prev === undefined) delete process.env.LBDOCTOR_ARM_ENDPOINT;
        else process.env.LBDOCTOR_ARM_ENDPOINT = prev;
      }
    });
  }
});

describe("a subscription id in braces, and AZURE_SUBSCRIPTION_ID, checked as --subscription is (third review)", () => {
  const GUID = "00000000-0000-0000-0000-0000000000ab";
  const endpoint = "https://127.0.0.1:9";

  it("a GUID in one pair of braces is accepted and passed on without them", async () => {
    const { checkSubscriptionIds } = await import("../src/providers/azure/collect/arg.ts");
    assert.deepEqual(checkSubscriptionIds([`{${GUID}}`, ` ${GUID} `]), [GUID, GUID]);
    assert.throws(
      () => checkSubscriptionIds([`{{${GUID}}}`]),
      (e: Error) => e.name === "InputError" && /is not one/.test(e.message),
    );
    assert.throws(
      () => checkSubscriptionIds(["{}"]),
      (e: Error) => e.name === "InputError" && /"" is not one/.test(e.message),
    );
    const { resolveAzureTarget } = await import("../src/providers/azure/collect/credentials.ts");
    assert.equal((await resolveAzureTarget({ subscription: `{${GUID}}`, endpoint }, {})).subscriptionId, GUID);
    assert.equal((await resolveAzureTarget({ endpoint }, { AZURE_SUBSCRIPTION_ID: `{${GUID}}` })).subscriptionId, GUID);
  });

  it("AZURE_SUBSCRIPTION_ID holding a name: exit 2, naming the variable and the value", async () => {
    const c = capture();
    const prev = { endpoint: process.env.LBDOCTOR_ARM_ENDPOINT, sub: process.env.AZURE_SUBSCRIPTION_ID };
    process.env.LBDOCTOR_ARM_ENDPOINT = endpoint;
    process.env.AZURE_SUBSCRIPTION_ID = "Prod-Sub";
    try {
      const code = await main(["check", "my-rg"], c.io);
      assert.equal(code, EXIT.usage, c.err.join(""));
      const text = c.err.join("");
      assert.match(text, /the environment variable AZURE_SUBSCRIPTION_ID holds "Prod-Sub", which is not a subscription id/);
      assert.doesNotMatch(text, /bug|internal error/);
    } finally {
      for (const [k, v] of [
        ["LBDOCTOR_ARM_ENDPOINT", prev.endpoint],
        ["AZURE_SUBSCRIPTION_ID", prev.sub],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("--subscription in braces is not refused (both paths)", async () => {
    const { checkSubscriptionIds } = await import("../src/providers/azure/collect/arg.ts");
    assert.doesNotThrow(() => checkSubscriptionIds([`{${GUID.toUpperCase()}}`]));
    const { resolveAzureTarget } = await import("../src/providers/azure/collect/credentials.ts");
    // --subscription wins over the variable, which is then not read
    assert.equal((await resolveAzureTarget({ subscription: GUID, endpoint }, { AZURE_SUBSCRIPTION_ID: "Prod-Sub" })).subscriptionId, GUID);
  });
});
