import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeToken, join, pointer, resolvePointer } from "../src/core/util/json-pointer.ts";

describe("JSON Pointer (RFC 6901)", () => {
  it("escapes ~ as ~0 and / as ~1, in that order, and writes numbers as they are", () => {
    assert.equal(escapeToken("a/b~c"), "a~1b~0c");
    assert.equal(escapeToken("~1"), "~01");
    assert.equal(escapeToken(7), "7");
    assert.equal(pointer("resources", 3, "properties", "a/b", "~"), "/resources/3/properties/a~1b/~0");
    assert.equal(pointer(), "");
    assert.equal(pointer(""), "/");
  });

  it("joins tokens onto a base pointer, and a base alone is itself", () => {
    assert.equal(join("/resources/0", "properties", 2), "/resources/0/properties/2");
    assert.equal(join("/resources/0"), "/resources/0");
    assert.equal(join("", "x/y"), "/x~1y");
  });

  it("resolves what it writes, keys with / and ~ included", () => {
    const doc = { resources: [{ "a/b": { "~x": [10, 20] } }] };
    const ptr = pointer("resources", 0, "a/b", "~x", 1);
    assert.equal(resolvePointer(doc, ptr), 20);
    assert.equal(resolvePointer(doc, join(pointer("resources", 0), "a/b")), doc.resources[0]?.["a/b"]);
    assert.equal(resolvePointer(doc, ""), doc);
    assert.equal(resolvePointer(doc, "/resources/5/x"), undefined);
  });
});
