/** The Azure model: see ./model/index.ts. Kept so that `…/azure/model.ts` imports keep working. */
export * from "./model/index.ts";
