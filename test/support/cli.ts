import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(ROOT, "bin", "lbdoctor.js");

// Every spawned lbdoctor runs the TypeScript sources, never a stale dist/ (bin/lbdoctor.js reads this).
process.env.LBDOCTOR_FROM_SOURCE = "1";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real binary the way a user would, on the sources (LBDOCTOR_FROM_SOURCE). */
export function lbdoctor(args: string[], env: Record<string, string> = {}, cwd = ROOT): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "", LBDOCTOR_FROM_SOURCE: "1", ...env },
    timeout: 30_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the real binary asynchronously, for tests whose emulator (or FIFO reader) lives in this process, which a
 * spawnSync would block. `env` is laid over this process's environment with NO_COLOR=1
 * (`{ ...process.env, NO_COLOR: "1", ...env }`); with `inherit: false` it is the child's whole environment, as given.
 * Killed (SIGTERM) after `timeoutMs`.
 */
export function lbdoctorAsync(
  args: string[],
  env: Record<string, string> = {},
  opts: { inherit?: boolean; cwd?: string; timeoutMs?: number } = {},
): Promise<Run> {
  const childEnv = opts.inherit === false ? env : { ...process.env, NO_COLOR: "1", ...env };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv, cwd: opts.cwd ?? ROOT, timeout: opts.timeoutMs ?? 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * The whole environment of a spawned lbdoctor that talks to the AWS emulator: this machine's environment without
 * any AWS_* or LBDOCTOR_* setting, the sources (LBDOCTOR_FROM_SOURCE), static test keys, no IMDS, no config files;
 * then `extra`. Pass it with `{ inherit: false }`.
 */
export function awsEmulatorEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("AWS_") && !k.startsWith("LBDOCTOR_")) env[k] = v;
  return {
    ...env,
    NO_COLOR: "1",
    LBDOCTOR_FROM_SOURCE: "1",
    AWS_ACCESS_KEY_ID: "AKIDTEST",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    ...extra,
  };
}

export function fixture(name: string): string {
  return join(ROOT, "fixtures", "azure", `${name}.json`);
}
