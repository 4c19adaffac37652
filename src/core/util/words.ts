/** Small wording helpers, so that counts and articles read right ("1 gap", "2 gaps", "an AWS snapshot"). */

/** "1 gap", "3 gaps"; an irregular plural as the third argument ("1 copy", "2 copies"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "a" or "an" before a word, by its first letter (vowel sound as spelled; "AWS" and "Azure" take "an"). */
export function article(word: string): "a" | "an" {
  return /^[aeiou]/i.test(word.trim()) ? "an" : "a";
}

/** The word with its article: "an Azure", "a region". */
export function withArticle(word: string): string {
  return `${article(word)} ${word}`;
}

/** A provider's name as people write it. */
export function providerName(provider: string): string {
  return provider === "aws" ? "AWS" : provider === "azure" ? "Azure" : provider;
}

/** The longest a name or an interpolated value is shown in human output (evidence values too). */
export const SHOWN_MAX = 160;

/** Cuts a long text to `max` characters with "…", as every value a human reads is cut. */
export function clip(text: string, max = SHOWN_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
