/** Paging helpers shared by the collectors. */

/** Reads every page of a paged listing, for its side effects (a wire recorder keeps the bodies). */
export async function drain(pages: AsyncIterable<unknown>): Promise<void> {
  for await (const _page of pages) {
    // the pages' wire bodies are in the recording scope
  }
}

/** Reads every page of a paged listing and concatenates the array each page holds under `key`. */
export async function drainItems<T = Record<string, unknown>>(pages: AsyncIterable<Record<string, unknown>>, key: string): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) {
    const items = page[key];
    if (Array.isArray(items)) out.push(...(items as T[]));
  }
  return out;
}

/** Splits a list into batches of at most `size`. */
export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
