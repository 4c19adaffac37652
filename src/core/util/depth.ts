/**
 * A guard against documents nested deeper than any real input: JSON.parse
 * accepts a million levels, but every recursive consumer after it (schema
 * validation, JSON.stringify, deep comparison) would overflow the stack.
 */
import { escapeToken } from "./json-pointer.ts";

export const MAX_DEPTH = 100;

/**
 * The JSON Pointer of the first value nested deeper than `max` levels, or undefined. Iterative; it
 * visits objects and arrays only, and spells a path only for the value it reports (a snapshot holds
 * millions of values, and a path string for each was most of this check's time).
 */
export function findTooDeep(doc: unknown, max = MAX_DEPTH): string | undefined {
  interface Frame {
    v: object;
    depth: number;
    up: Frame | undefined;
    key: string;
  }
  if (doc === null || typeof doc !== "object") return undefined;
  const stack: Frame[] = [{ v: doc, depth: 0, up: undefined, key: "" }];
  while (stack.length > 0) {
    const f = stack.pop() as Frame;
    if (f.depth >= max) {
      const keys: string[] = [];
      for (let x: Frame | undefined = f; x?.up; x = x.up) keys.push(x.key);
      return keys
        .reverse()
        .map((k) => `/${k}`)
        .join("");
    }
    const v = f.v;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const x: unknown = v[i];
        if (x !== null && typeof x === "object") stack.push({ v: x, depth: f.depth + 1, up: f, key: String(i) });
      }
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        const x: unknown = (v as Record<string, unknown>)[k];
        if (x !== null && typeof x === "object") stack.push({ v: x, depth: f.depth + 1, up: f, key: escapeToken(k) });
      }
    }
  }
  return undefined;
}

/** A shortened pointer for messages: the first few tokens, an ellipsis, the last one. */
export function shortPointer(ptr: string, keep = 6): string {
  const parts = ptr.split("/").slice(1);
  if (parts.length <= keep + 1) return ptr;
  return `/${parts.slice(0, keep).join("/")}/…(${parts.length - keep - 1} more)…/${parts[parts.length - 1]}`;
}
