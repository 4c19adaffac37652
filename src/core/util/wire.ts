/** Small readers for untyped wire JSON, shared by the models. */
export type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
export const strList = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === "string" && x.length > 0);
