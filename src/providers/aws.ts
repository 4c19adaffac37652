import type { Model } from "../engine/types.ts";
import { InputError } from "../errors.ts";
import type { ProviderAdapter } from "./types.ts";

const unsupported = (): never => {
  throw new InputError("AWS snapshots are not diagnosed by this version of lbdoctor yet");
};

export const awsProvider: ProviderAdapter<Model> = {
  buildModel: unsupported,
  loadBalancers: unsupported,
  inGroup: unsupported,
  scopeGroup: () => undefined,
};
