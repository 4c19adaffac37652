import type { AzureModel } from "../azure/model.ts";
import type { Rule } from "./types.ts";

export const DOCS_BASE = "https://github.com/lbdoctor/lbdoctor/blob/main/docs/rules";

/** The docs URL is derived from the id; nobody types it by hand. */
export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}/${ruleId}.md`;
}

export function defineRule(rule: Rule<AzureModel>): Rule<AzureModel> {
  if (!/^(azure|aws)\/[a-z0-9]+(-[a-z0-9]+)*$/.test(rule.id)) throw new Error(`bad rule id '${rule.id}'`);
  if (!rule.id.startsWith(`${rule.provider}/`)) throw new Error(`rule ${rule.id}: id must start with its provider`);
  return rule;
}
