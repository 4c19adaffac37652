import type { AzureModel } from "../azure/model.ts";
import type { Model, Rule } from "./types.ts";

export const DOCS_BASE = "https://github.com/lbdoctor/lbdoctor/blob/main/docs/rules";

/** The docs URL is derived from the id; nobody types it by hand. */
export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}/${ruleId}.md`;
}

/** An Azure rule (its `check` sees the Azure model). */
export function defineRule(rule: Rule<AzureModel>): Rule<AzureModel> {
  return validated(rule);
}

/** A rule for any provider's model. */
export function defineProviderRule<M extends Model>(rule: Rule<M>): Rule<M> {
  return validated(rule);
}

function validated<M extends Model>(rule: Rule<M>): Rule<M> {
  if (!/^(azure|aws)\/[a-z0-9]+(-[a-z0-9]+)*$/.test(rule.id)) throw new Error(`bad rule id '${rule.id}'`);
  if (!rule.id.startsWith(`${rule.provider}/`)) throw new Error(`rule ${rule.id}: id must start with its provider`);
  return rule;
}
