/** The AWS model: see ./model/index.ts. Kept so that `…/aws/model.ts` imports keep working. */
export * from "./model/index.ts";
