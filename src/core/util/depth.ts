/**
 * A guard against documents nested deeper than any real input: JSON.parse
 * accepts a million levels, but every recursive consumer after it (schema
 * validation, JSON.stringify, deep comparison) would overflow the stack.
 */
import { escapeToken } from "./json-pointer.ts";

export const MAX_DEPTH = 100;

/** The JSON Pointer of the first value nested deeper than `max` levels, or undefined. Iterative. */
export function findTooDeep(doc: unknown, max = MAX_DEPTH): string | undefined {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: doc, depth: 0, path: "" }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop() as { v: unknown; depth: number; path: string };
    if (v === null || typeof v !== "object") continue;
    if (depth >= max) return path;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, path: `${path}/${i}` });
    } else {
      for (const [k, x] of Object.entries(v)) stack.push({ v: x, depth: depth + 1, path: `${path}/${escapeToken(k)}` });
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
