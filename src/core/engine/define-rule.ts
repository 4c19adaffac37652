import { unknownDataKeys } from "./reads.ts";
import type { Citation, Model, Rule } from "./types.ts";

export const DOCS_BASE = "https://github.com/lbdoctor/lbdoctor/blob/main/docs/rules";

/** The docs URL is derived from the id; nobody types it by hand. */
export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}/${ruleId}.md`;
}

/**
 * A rule of any provider; its `check` sees that provider's model
 * (`defineRule<AzureModel>({…})`, `defineRule<AwsModel>({…})`). The id is
 * `<provider>/<kebab-name>` and must match the rule's folder.
 */
export function defineRule<M extends Model = Model>(rule: Omit<Rule<M>, "source">): Rule<M> {
  if (!/^(azure|aws)\/[a-z0-9]+(-[a-z0-9]+)*$/.test(rule.id)) throw new Error(`bad rule id '${rule.id}'`);
  if (!rule.id.startsWith(`${rule.provider}/`)) throw new Error(`rule ${rule.id}: id must start with its provider`);
  if (rule.citations.length === 0) throw new Error(`rule ${rule.id}: cite at least one public document`);
  for (const c of rule.citations) {
    if (!/^https:\/\//.test(c.url) || c.title.trim() === "") throw new Error(`rule ${rule.id}: a citation needs an https URL and a title`);
  }
  if (!Array.isArray(rule.reads) || rule.reads.length === 0) throw new Error(`rule ${rule.id}: declare the data it reads (reads: [...])`);
  const bad = unknownDataKeys(rule.provider, rule.reads);
  if (bad.length > 0) throw new Error(`rule ${rule.id}: unknown data key ${bad.map((k) => `'${k}'`).join(", ")} in reads`);
  return { ...rule, source: citationLine(rule.citations) };
}

export function citationLine(citations: Citation[]): string {
  return citations.map((c) => `${c.title} <${c.url}>`).join("; ");
}
