import type { Model } from "../engine/types.ts";
import type { ProviderAdapter } from "./types.ts";

/** The provider adapter for a snapshot, loaded lazily. */
export async function providerFor(provider: "azure" | "aws"): Promise<ProviderAdapter<Model>> {
  if (provider === "azure") return (await import("./azure.ts")).azureProvider as unknown as ProviderAdapter<Model>;
  return (await import("./aws.ts")).awsProvider as unknown as ProviderAdapter<Model>;
}
