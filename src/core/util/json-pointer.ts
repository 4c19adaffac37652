/** RFC 6901 JSON Pointer helpers. */
export function escapeToken(token: string | number): string {
  if (typeof token === "number") return String(token);
  return token.includes("~") || token.includes("/") ? token.replace(/~/g, "~0").replace(/\//g, "~1") : token;
}

export function pointer(...tokens: Array<string | number>): string {
  return tokens.map((t) => `/${escapeToken(t)}`).join("");
}

export function join(base: string, ...tokens: Array<string | number>): string {
  return base + pointer(...tokens);
}

export function resolvePointer(doc: unknown, ptr: string): unknown {
  if (ptr === "") return doc;
  let cur: unknown = doc;
  // token by token without splitting: evidence pointers are resolved once per finding, hundreds of thousands of times
  let start = 1;
  while (start <= ptr.length) {
    let end = ptr.indexOf("/", start);
    if (end < 0) end = ptr.length;
    const raw = ptr.slice(start, end);
    const token = raw.includes("~") ? raw.replace(/~1/g, "/").replace(/~0/g, "~") : raw;
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[token];
    start = end + 1;
  }
  return cur;
}
