/** The ARM emulator behind `lbdoctor emulator` and `lbdoctor demo`: Azure snapshots served over HTTPS on 127.0.0.1. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../core/errors.ts";
import type { EmulatorOptions, RunningEmulator } from "../../core/provider.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import { placeholder, sh } from "../../core/util/shell.ts";
import type { AzureSnapshot } from "./wire-types.ts";

export async function serveAzure(snapshots: Snapshot[], opts: EmulatorOptions): Promise<RunningEmulator> {
  if (opts.throttle)
    throw new InputError("--throttle applies to AWS snapshots (the Describe* token buckets); the ARM emulator has --latency");
  if (opts.accessKeyId !== undefined)
    throw new InputError("--access-key-id applies to AWS snapshots; the ARM emulator takes a bearer token");
  const azure = snapshots as AzureSnapshot[];
  const { startArmEmulator } = await import("./emulator/index.ts");
  const emu = await startArmEmulator({
    snapshots: azure,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.lroMs !== undefined ? { lroMs: opts.lroMs } : {}),
    ...(opts.lroRetryAfterSeconds !== undefined ? { lroRetryAfterSeconds: opts.lroRetryAfterSeconds } : {}),
  });
  // the CA for clients in another terminal: removed on close, and on any exit of this process
  const caDir = mkdtempSync(join(tmpdir(), "lbdoctor-emulator-"));
  const removeCa = () => rmSync(caDir, { recursive: true, force: true });
  process.once("exit", removeCa);
  const caFile = join(caDir, "ca.pem");
  writeFileSync(caFile, emu.ca, { mode: 0o600 });
  const first = azure[0];
  const rg = typeof first?.scope.resourceGroup === "string" ? first.scope.resourceGroup : undefined;
  const sub = typeof first?.scope.subscriptionId === "string" ? first.scope.subscriptionId : undefined;
  // the emulator answers only the observations its snapshot holds: without effective NSGs, check does not ask for them
  const effectiveNsg = Object.keys(first?.observations?.effectiveNetworkSecurityGroups ?? {}).length > 0;
  return {
    name: "ARM emulator",
    url: emu.url,
    // snapshot strings are untrusted: every value quoted for the shell it is pasted into
    howTo: [
      "Point lbdoctor at it from another terminal:",
      `  export LBDOCTOR_ARM_ENDPOINT=${sh(emu.url)} LBDOCTOR_ARM_CA_FILE=${sh(caFile)}`,
      `  npx lbdoctor check ${rg ? sh(rg) : placeholder("resource-group")} --subscription ${sub ? sh(sub) : placeholder("subscription")}${effectiveNsg ? "" : " --no-effective-nsg"}`,
    ],
    check: {
      target: rg ?? "",
      options: {
        subscription: sub ?? "",
        endpoint: emu.url,
        caFile,
        pollIntervalMs: 100,
        // the emulator answers only the observations its snapshot holds
        effectiveNsg,
      },
    },
    counts: () => emu.counts(),
    total: () => emu.total(),
    close: async () => {
      process.off("exit", removeCa);
      removeCa();
      await emu.close();
    },
  };
}
