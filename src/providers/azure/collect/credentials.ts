import { readFileSync } from "node:fs";
import type { TokenCredential } from "@azure/identity";
import { InputError } from "../../../core/errors.ts";

export interface AzureTarget {
  subscriptionId: string;
  credential: TokenCredential;
  endpoint?: string;
  ca?: string;
}

export interface AzureConnectionOptions {
  subscription?: string;
  tenant?: string;
  /** an ARM endpoint other than management.azure.com (the emulator) */
  endpoint?: string;
  /** PEM file to trust for --endpoint */
  caFile?: string;
}

/** A fixed bearer token, for the emulator only: real credentials would contact Entra ID. */
export function staticTokenCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

/**
 * Resolves where and as whom to collect. `--endpoint` (or LBDOCTOR_ARM_ENDPOINT)
 * points at an emulator and uses a static token; otherwise
 * DefaultAzureCredential (environment, managed identity, `az login`, ...).
 */
export async function resolveAzureTarget(o: AzureConnectionOptions, env = process.env): Promise<AzureTarget> {
  const endpoint = o.endpoint ?? env.LBDOCTOR_ARM_ENDPOINT;
  const subscriptionId = o.subscription ?? env.AZURE_SUBSCRIPTION_ID;
  if (!subscriptionId) {
    throw new InputError(
      "no Azure subscription: pass --subscription <id> or set AZURE_SUBSCRIPTION_ID",
      "Find yours with `az account show --query id -o tsv`.",
    );
  }
  if (endpoint) {
    if (!/^https:\/\//i.test(endpoint))
      throw new InputError(`--endpoint must be an https:// URL (ARM bearer tokens are refused over plain HTTP): ${endpoint}`);
    const caFile = o.caFile ?? env.LBDOCTOR_ARM_CA_FILE;
    let ca: string | undefined;
    if (caFile) {
      try {
        ca = readFileSync(caFile, "utf8");
      } catch {
        throw new InputError(`cannot read the CA file ${caFile}`);
      }
    }
    return {
      subscriptionId,
      endpoint,
      credential: staticTokenCredential(env.LBDOCTOR_ARM_TOKEN ?? "lbdoctor-emulator"),
      ...(ca ? { ca } : {}),
    };
  }
  const { DefaultAzureCredential } = await import("@azure/identity");
  const credential = new DefaultAzureCredential(o.tenant ? { tenantId: o.tenant } : {});
  // fail fast, with a clear message, before any ARM call
  try {
    await credential.getToken("https://management.azure.com/.default");
  } catch (e) {
    throw new InputError(
      `no usable Azure credentials: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`,
      "Sign in with `az login` (add --tenant <id> if you have several tenants), or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET.",
    );
  }
  return { subscriptionId, credential };
}
