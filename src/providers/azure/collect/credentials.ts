import { readFileSync } from "node:fs";
import { connect } from "node:net";
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
  const { bareSubscriptionId, checkSubscriptionIds } = await import("./arg.ts");
  // AZURE_SUBSCRIPTION_ID is checked as --subscription is: a name would reach ARM as an id
  const fromEnv = o.subscription === undefined && env.AZURE_SUBSCRIPTION_ID ? env.AZURE_SUBSCRIPTION_ID : undefined;
  const subscriptionId =
    fromEnv !== undefined
      ? checkSubscriptionIds([fromEnv], "AZURE_SUBSCRIPTION_ID")[0]
      : o.subscription === undefined
        ? undefined
        : bareSubscriptionId(o.subscription);
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
    throw await credentialFailure(e, env);
  }
  return { subscriptionId, credential };
}

/** Is a service principal configured in the environment (what EnvironmentCredential reads)? */
function envCredentialSet(env: NodeJS.ProcessEnv): boolean {
  return !!(env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID && (env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH));
}

/** Connects to host:port; the error code when nothing answers within the timeout. */
function unreachable(host: string, port: number, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why: string | undefined) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(timeoutMs, () => done("ETIMEDOUT"));
    socket.once("connect", () => done(undefined));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/**
 * Why no token came, told apart: the sign-in endpoint unreachable (the
 * network, not the credentials), credentials in the environment that Entra
 * ID refused, or no credentials at all.
 */
export async function credentialFailure(e: unknown, env: NodeJS.ProcessEnv = process.env): Promise<InputError> {
  const first = (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
  const authority = env.AZURE_AUTHORITY_HOST || "https://login.microsoftonline.com";
  let host = "login.microsoftonline.com";
  let port = 443;
  try {
    const u = new URL(authority);
    host = u.hostname.replace(/^\[|\]$/g, "");
    port = Number(u.port) || (u.protocol === "http:" ? 80 : 443);
  } catch {
    // keep the public cloud's
  }
  const fromEnv = envCredentialSet(env);
  const net = await unreachable(host, port);
  if (net) {
    return new InputError(
      `could not reach Microsoft Entra ID at ${host}:${port} (${net}): the network, not the credentials, failed; ${
        fromEnv ? "the credentials in AZURE_CLIENT_ID and AZURE_TENANT_ID were not checked" : "no credentials could be checked"
      }`,
      `Check the network, the proxy (HTTPS_PROXY) and AZURE_AUTHORITY_HOST (now ${authority}), then run again.`,
    );
  }
  if (fromEnv) {
    return new InputError(
      `Microsoft Entra ID did not accept the credentials in AZURE_CLIENT_ID, AZURE_TENANT_ID and ${env.AZURE_CLIENT_SECRET ? "AZURE_CLIENT_SECRET" : "AZURE_CLIENT_CERTIFICATE_PATH"}: ${first}`,
      "Check their values (a client secret expires; the tenant must be the application's). While they are set, `az login` is not used.",
    );
  }
  return new InputError(
    `no usable Azure credentials: ${first}`,
    "Sign in with `az login` (add --tenant <id> if you have several tenants), or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET.",
  );
}
