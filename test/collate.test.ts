/**
 * compareText (src/core/util/collate.ts) against ICU's root collation
 * (Intl.Collator("en")), the order lbdoctor's reports used before it: the same
 * sign for every pair, printable ASCII (its own fast path) and not.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ASCII_ROOT_ORDER, collationKey, compareByKey, compareText, sortByText } from "../src/core/util/collate.ts";
import { ROOT } from "./support/cli.ts";

const icu = new Intl.Collator("en").compare;
const sign = (n: number) => Math.sign(n);
const seed = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};

const printable: string[] = [];
for (let c = 32; c < 127; c++) printable.push(String.fromCharCode(c));

describe("compareText", () => {
  it("orders the printable ASCII characters as ICU does", () => {
    assert.equal([...printable].sort(icu).join(""), ASCII_ROOT_ORDER);
    assert.equal([...printable].sort(compareText).join(""), ASCII_ROOT_ORDER);
  });

  it("agrees with ICU on every pair of short strings of characters where the order is subtle", () => {
    const alphabet = ["a", "A", "b", "B", "z", "Z", "0", "9", "-", "_", ".", "/", " ", "$", "~"];
    const strings = [""];
    for (const a of alphabet) {
      strings.push(a);
      for (const b of alphabet) strings.push(a + b);
    }
    for (const x of strings)
      for (const y of strings) assert.equal(sign(compareText(x, y)), sign(icu(x, y)), `${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  });

  it("agrees with ICU on random ASCII names and ids", () => {
    const ascii = fc.string({ unit: fc.constantFrom(...printable), maxLength: 12 });
    fc.assert(
      fc.property(ascii, ascii, (x, y) => sign(compareText(x, y)) === sign(icu(x, y))),
      { numRuns: 20000, ...seed },
    );
    // names that differ late, in case only, or in length only (pool-web-1, Pool-Web-1, pool-web-10)
    const near = fc.tuple(fc.constantFrom("pool-web-", "Pool-Web-", "/subscriptions/x/nic-", "vm"), ascii, ascii);
    fc.assert(
      fc.property(near, near, ([p, s], [q, t]) => sign(compareText(p + s, q + t)) === sign(icu(p + s, q + t))),
      { numRuns: 20000, ...seed },
    );
  });

  it("collation keys order as compareText does: printable ASCII by key, anything else (no key) by compareText", () => {
    const byKey = (x: string, y: string) => compareByKey(x, collationKey(x), y, collationKey(y));
    const ascii = fc.string({ unit: fc.constantFrom(...printable), maxLength: 12 });
    const near = fc.tuple(fc.constantFrom("azure/x|/subscriptions/s/nic-", "azure/x|/Subscriptions/S/NIC-", "vm", ""), ascii);
    const mixed = fc.string({ unit: "binary", maxLength: 8 });
    for (const gen of [ascii, near.map(([p, s]) => p + s), mixed])
      fc.assert(
        fc.property(gen, gen, (x, y) => sign(byKey(x, y)) === sign(compareText(x, y))),
        { numRuns: 20000, ...seed },
      );
    // the same text in two casings: only the case bytes decide (the first case difference, lower case first)
    const cased = fc
      .tuple(
        fc.string({ unit: fc.constantFrom(..."abcXYZ-09"), minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean()),
        fc.array(fc.boolean()),
      )
      .map(([base, m1, m2]) => {
        const flip = (mask: boolean[]) => [...base].map((c, i) => (mask[i] ? c.toUpperCase() : c.toLowerCase())).join("");
        return [flip(m1), flip(m2)] as const;
      });
    fc.assert(
      fc.property(cased, ([x, y]) => sign(byKey(x, y)) === sign(compareText(x, y))),
      { numRuns: 5000, ...seed },
    );
    assert.equal(sign(byKey("nIc-1", "Nic-1")), -1);
    assert.equal(collationKey("vm-ü"), undefined);
    assert.equal(collationKey("a\tb"), undefined);
    assert.equal(collationKey("x".repeat(9000)), undefined, "a very long text is compared by compareText");
    assert.equal(sign(byKey("nic-1", "NIC-1")), -1);
    assert.equal(sign(byKey("nic-1", "nic-10")), -1);
    assert.equal(sign(byKey("nic_1", "nic-1")), -1);
    assert.equal(byKey("same", "same"), 0);
  });

  it("hands anything else to ICU: accents, other scripts, control characters", () => {
    for (const [x, y] of [
      ["é", "f"],
      ["e", "é"],
      ["résumé", "resume"],
      ["a\u0001", "a"],
      ["Ω", "z"],
      ["vm-ü", "vm-u"],
      ["ab\tc", "ab c"],
    ] as const) {
      assert.equal(sign(compareText(x, y)), sign(icu(x, y)), `${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
      assert.equal(sign(compareText(y, x)), sign(icu(y, x)), `${JSON.stringify(y)} vs ${JSON.stringify(x)}`);
    }
    const any = fc.string({ unit: "binary", maxLength: 8 });
    fc.assert(
      fc.property(any, any, (x, y) => sign(compareText(x, y)) === sign(icu(x, y))),
      { numRuns: 1000, ...seed },
    );
  });

  it("does not depend on the user's locale", () => {
    // ICU in Danish sorts "aa" after "z"; the report order stays the root one
    assert.ok(compareText("aa", "z") < 0);
    assert.equal(compareText("pool", "pool"), 0);
  });
  it("sortByText gives the stable compareText order, whatever the texts (keys or not)", () => {
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(...printable), maxLength: 6 }),
      fc.constantFrom("vm-1", "VM-1", "vm-10", "vm-ü", "a\tb", ""),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 40 }), (texts) => {
        // items with the same text keep their order: each carries its index
        const items = texts.map((t, i) => ({ t, i }));
        const want = [...items].sort((a, b) => compareText(a.t, b.t));
        assert.deepEqual(
          sortByText(items, (x) => x.t),
          want,
        );
      }),
      { numRuns: 2000, ...seed },
    );
  });
});

describe("sorting without ICU", () => {
  it("no module of src/ or rules/ sorts with localeCompare or an Intl.Collator (the first one costs a check ~10 ms): compareText", () => {
    const offenders: string[] = [];
    for (const dir of ["src", "rules"]) {
      for (const e of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
        if (!e.isFile() || !/\.tsx?$/.test(e.name) || /\.test\.tsx?$/.test(e.name)) continue;
        const path = join(e.parentPath, e.name);
        if (path.endsWith(join("src", "core", "util", "collate.ts"))) continue;
        if (/\.localeCompare\(|Intl\.Collator/.test(readFileSync(path, "utf8"))) offenders.push(path.slice(ROOT.length + 1));
      }
    }
    assert.deepEqual(offenders, []);
  });
});
