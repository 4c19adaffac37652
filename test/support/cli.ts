import { spawnSync } from "node:child_process";
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

export function fixture(name: string): string {
  return join(ROOT, "fixtures", "azure", `${name}.json`);
}
