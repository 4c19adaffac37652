import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { forgetIdKeys, idKey } from "../src/core/util/resource-id.ts";

test("idKey lower-cases an id; one with space before it or space and slashes after it is trimmed first", () => {
  // trimmed until nothing changes: space and trailing slashes in any mix ("a /" is "a", not "a ")
  const oracle = (id: string) => {
    // the fast path: nothing at the ends a trim could take (a character above space, not a slash) is only lower-cased
    const n = id.length;
    if (n > 0 && id.charCodeAt(0) > 32 && id.charCodeAt(n - 1) > 32 && id.charCodeAt(n - 1) !== 47) return id.toLowerCase();
    let t = id;
    for (let prev = ""; prev !== t; ) {
      prev = t;
      t = t.trim().replace(/\/+$/, "");
    }
    return t.toLowerCase();
  };
  const unit = fc.constantFrom("a", "Z", "/", " ", "-", "0", "é", "É", "İ", "\u00a0", "\ud83d", "\t");
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 12 }), (id) => idKey(id) === oracle(id)),
    { numRuns: 20000, seed: 7 },
  );
  // a key is its own key, whatever space or slashes the id had
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 12 }), (id) => idKey(idKey(id)) === idKey(id)),
    { numRuns: 20000, seed: 7 },
  );
  assert.equal(idKey(" /Subscriptions/S/ResourceGroups/RG// "), "/subscriptions/s/resourcegroups/rg");
  assert.equal(idKey("/Subscriptions/S/RG /"), "/subscriptions/s/rg");
  assert.equal(idKey("\t/ /"), "");
});

test("a key comes back as the same string, and an id's key is made once however many strings spell it", () => {
  const key = "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/networkinterfaces/nic1";
  assert.equal(idKey(key), key);
  const id = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/networkInterfaces/nic1";
  const a = idKey(id);
  const b = idKey(`${id.slice(0, 20)}${id.slice(20)}`);
  assert.equal(a, key);
  assert.ok(Object.is(a, b));
  forgetIdKeys();
  assert.equal(idKey(id), key);
});
