/**
 * The piecewise snapshot reader against JSON.parse, on arbitrary JSON (fast-check): any object at the top level,
 * any value below it, any spacing, cut into chunks of any size. It gives exactly JSON.parse's value (and key order),
 * or undefined, which sends the caller to JSON.parse of the whole text; never a different value.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import { readJsonObjectFile } from "../src/core/snapshot/read-json.ts";

const dir = mkdtempSync(join(tmpdir(), "lbdoctor-read-json-prop-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** JSON text of a value with random whitespace between tokens (JSON.stringify with an indent, then spaces swapped). */
const spaced = (v: unknown, indent: number, ws: string): string =>
  (JSON.stringify(v, null, indent) ?? "null").replace(/\n( *)/g, (_m, sp: string) => `${ws}${sp}`);

test("any JSON object, spaced and chunked any way, reads back as JSON.parse reads it", () => {
  let n = 0;
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ unit: "binary", maxLength: 8 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }),
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom("\n", "\r\n", "\t", " ", "\n\t "),
      fc.integer({ min: 1, max: 97 }),
      (obj, indent, ws, chunk) => {
        const text = spaced(obj, indent, ws);
        const p = join(dir, `p${n++}.json`);
        writeFileSync(p, text);
        const got = readJsonObjectFile(p, chunk);
        // only a __proto__ key is left to JSON.parse of the whole text; valid JSON otherwise splits
        if (/"__proto__"/.test(text)) return;
        assert.notEqual(got, undefined, `valid JSON not split: ${JSON.stringify(text).slice(0, 300)}`);
        const want = JSON.parse(text) as unknown;
        assert.deepEqual(got, want);
        assert.equal(JSON.stringify(got), JSON.stringify(want));
      },
    ),
    { numRuns: 400 },
  );
});

test("a file cut short or with one byte changed never reads back as a value JSON.parse refuses", () => {
  let n = 0;
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 5 }),
      fc.nat(),
      fc.constantFrom("", "}", "]", ",", ":", '"', "\\", "x", "{", "["),
      fc.integer({ min: 1, max: 31 }),
      (obj, at, put, chunk) => {
        const text = JSON.stringify(obj);
        const i = at % text.length;
        const broken = text.slice(0, i) + put + text.slice(i + 1);
        const p = join(dir, `b${n++}.json`);
        writeFileSync(p, broken);
        const got = readJsonObjectFile(p, chunk);
        let want: unknown;
        try {
          want = JSON.parse(broken);
        } catch {
          assert.equal(got, undefined, `JSON.parse refuses ${JSON.stringify(broken)}, the reader gave a value`);
          return;
        }
        if (got !== undefined) assert.equal(JSON.stringify(got), JSON.stringify(want));
      },
    ),
    { numRuns: 400 },
  );
});

test("a __proto__ key spelled with an escape is left to JSON.parse too (never assigned as a prototype)", () => {
  const p = join(dir, "proto.json");
  writeFileSync(p, '{"\\u005f_proto__":{"polluted":1},"a":{"\\u005f_proto__":{"x":1}}}');
  for (const chunk of [1, 7, 1 << 20]) assert.equal(readJsonObjectFile(p, chunk), undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
