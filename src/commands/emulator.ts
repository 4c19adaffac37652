/** `lbdoctor emulator` and `lbdoctor demo`: the ARM emulator serving snapshots on 127.0.0.1, for trying lbdoctor without an Azure account. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { PACKAGE_ROOT } from "../core/paths.ts";
import { loadSnapshotFile } from "../core/snapshot/load.ts";
import { type AzureSnapshot, isAzureSnapshot } from "../providers/azure/wire-types.ts";

function loadAzure(paths: string[]): AzureSnapshot[] {
  return paths.map((p) => {
    const s = loadSnapshotFile(p);
    if (!isAzureSnapshot(s)) throw new InputError(`${p} is not an Azure snapshot`);
    return s;
  });
}

function num(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InputError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

export async function runEmulator(
  opts: { snapshot: string[]; port?: string; pageSize?: string; latency?: string; lroMs?: string },
  io: IO,
): Promise<number> {
  const snapshots = loadAzure(opts.snapshot);
  const { startArmEmulator } = await import("../providers/azure/emulator/index.ts");
  const port = num(opts.port, "port", 0, 65535);
  const pageSize = num(opts.pageSize, "page-size", 1, 1000);
  const latencyMs = num(opts.latency, "latency", 0, 60_000);
  const lroMs = num(opts.lroMs, "lro-ms", 0, 600_000);
  const emu = await startArmEmulator({
    snapshots,
    ...(port !== undefined ? { port } : {}),
    ...(pageSize !== undefined ? { pageSize } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(lroMs !== undefined ? { lroMs } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), "lbdoctor-emulator-"));
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, emu.ca);
  const first = snapshots[0];
  io.out(
    [
      `ARM emulator listening on ${emu.url} (127.0.0.1 only), serving ${opts.snapshot.join(", ")}`,
      "Point lbdoctor at it from another terminal:",
      `  export LBDOCTOR_ARM_ENDPOINT=${emu.url} LBDOCTOR_ARM_CA_FILE=${caFile}`,
      `  npx lbdoctor check ${first?.scope.resourceGroup ?? "<resource-group>"} --subscription ${first?.scope.subscriptionId ?? "<subscription>"}`,
      "Ctrl-C stops it.",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  const counts = emu.counts();
  await emu.close();
  io.err(
    `served ${emu.total()} requests: ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}\n`,
  );
  return 0;
}

/** Starts the emulator on a bundled broken scenario and runs a live check against it, end to end through the Azure SDKs. */
export async function runDemo(opts: { scenario: string; format?: string[]; color?: boolean; verbose?: boolean }, io: IO): Promise<number> {
  const file = join(PACKAGE_ROOT, "fixtures", "azure", `${opts.scenario}.json`);
  const [snapshot] = loadAzure([file]);
  if (!snapshot) throw new InputError(`no scenario ${opts.scenario}`);
  const { startArmEmulator } = await import("../providers/azure/emulator/index.ts");
  const emu = await startArmEmulator({ snapshots: [snapshot], latencyMs: 20, lroMs: 300 });
  const dir = mkdtempSync(join(tmpdir(), "lbdoctor-demo-"));
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, emu.ca);
  io.err(
    `lbdoctor demo: ARM emulator on ${emu.url} serving fixtures/azure/${opts.scenario}.json; collecting live through the Azure SDKs\n`,
  );
  try {
    const { runCheck } = await import("./check.ts");
    const rg = String(snapshot.scope.resourceGroup ?? "");
    return await runCheck(
      rg,
      {
        subscription: String(snapshot.scope.subscriptionId ?? ""),
        endpoint: emu.url,
        failOn: "high",
        ...(opts.format ? { format: opts.format } : {}),
        ...(opts.color !== undefined ? { color: opts.color } : {}),
        ...(opts.verbose ? { verbose: true } : {}),
        caFile,
        pollIntervalMs: 100,
        // the emulator answers only the observations its snapshot holds
        effectiveNsg: Object.keys(snapshot.observations?.effectiveNetworkSecurityGroups ?? {}).length > 0,
      },
      io,
    );
  } finally {
    await emu.close();
  }
}
