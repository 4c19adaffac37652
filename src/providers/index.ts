/** The provider registry: the one place that maps a provider id to its adapter, loaded lazily. */
import type { Model } from "../core/engine/types.ts";
import type { ProviderAdapter } from "../core/provider.ts";
import type { ProviderId } from "../core/snapshot/types.ts";

export async function providerFor(provider: ProviderId): Promise<ProviderAdapter<Model>> {
  if (provider === "azure") return (await import("./azure/adapter.ts")).azureProvider as unknown as ProviderAdapter<Model>;
  return (await import("./aws/adapter.ts")).awsProvider as unknown as ProviderAdapter<Model>;
}
