/** RFC 6901 JSON Pointer helpers. */
export function escapeToken(token: string | number): string {
  if (typeof token === "number") return String(token);
  return token.includes("~") || token.includes("/") ? token.replace(/~/g, "~0").replace(/\//g, "~1") : token;
}

/** The pointer of `tokens` from the document's root. */
export function pointer(...tokens: Array<string | number>): string {
  return appendTokens("", tokens);
}

/** `base` (a pointer) followed by `tokens`. */
export function join(base: string, ...tokens: Array<string | number>): string {
  return appendTokens(base, tokens);
}

// the model makes a pointer for every object it reads (~40 MB of them at 20,000 NICs): no array or closure per call
function appendTokens(base: string, tokens: Array<string | number>): string {
  let out = base;
  for (let i = 0; i < tokens.length; i++) out += `/${escapeToken(tokens[i] as string | number)}`;
  return out;
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
